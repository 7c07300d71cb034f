"""Weights of the answer-sentence scorer. Written by benchmarks/train_scorer.py; do not edit.

first 12 (train)  last 12 (held out)
questions with a candidate holding the answer                 0.941               0.975
current weights: best sentence holds the answer               0.750               0.751
new weights: best sentence holds the answer                   0.761               0.762
min_confidence 0.28: answers 0.832 of answerable, abstains on 0.938 of unanswerable questions
"""

RANK_WEIGHTS = {
    "dense": 11.0215,
    "lexical": 1.8304,
    "contrast": 5.6715,
    "focus": 0.2796,
    "inherited": 2.7818,
    "prior": 2.5141,
    "rank": 0.2380,
    "type": 1.6153,
    "novelty": -1.5248,
    "bigram": 0.9202,
    "length": 0.8690,
    "constraint": -0.1458,
}
WEIGHTS = {
    "dense": 2.6889,
    "lexical": -3.8923,
    "contrast": 5.3534,
    "focus": 0.2807,
    "inherited": -1.3221,
    "prior": 1.4177,
    "rank": 1.6816,
    "type": 0.7929,
    "novelty": -1.5963,
    "bigram": 0.4619,
    "length": 1.0401,
    "constraint": 0.5154,
}
BIAS = -5.6996
MIN_CONFIDENCE = 0.28  # best balanced accuracy, answerable vs other articles
