"""Weights of the answer-sentence scorer. Written by benchmarks/train_scorer.py; do not edit.

first 12 (train)  last 12 (held out)
questions with a candidate holding the answer                 0.934               0.968
current weights: best sentence holds the answer               0.757               0.755
new weights: best sentence holds the answer                   0.757               0.754
min_confidence 0.26: answers 0.868 of answerable, abstains on 0.913 of unanswerable questions
"""

RANK_WEIGHTS = {
    "dense": 10.6729,
    "lexical": 1.6291,
    "contrast": 5.7912,
    "focus": 0.2051,
    "inherited": 2.6387,
    "prior": 2.7564,
    "rank": 0.3394,
    "type": 1.6966,
    "novelty": -1.4923,
    "bigram": 0.9132,
    "length": 0.8446,
    "constraint": -0.8416,
}
WEIGHTS = {
    "dense": 2.5985,
    "lexical": -3.9131,
    "contrast": 5.3918,
    "focus": 0.2965,
    "inherited": -1.3963,
    "prior": 1.3828,
    "rank": 1.7267,
    "type": 0.8183,
    "novelty": -1.4846,
    "bigram": 0.4111,
    "length": 1.0633,
    "constraint": 0.5415,
}
BIAS = -5.8138
MIN_CONFIDENCE = 0.26  # best balanced accuracy, answerable vs other articles
