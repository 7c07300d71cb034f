"""Weights of the answer-sentence scorer. Written by benchmarks/train_scorer.py; do not edit.

first 12 (train)  last 12 (held out)
questions with a candidate holding the answer                 0.934               0.968
current weights: best sentence holds the answer               0.758               0.757
new weights: best sentence holds the answer                   0.758               0.757
min_confidence 0.24: answers 0.878 of answerable, abstains on 0.915 of unanswerable questions
"""

RANK_WEIGHTS = {
    "dense": 10.6265,
    "lexical": 1.6016,
    "contrast": 5.7854,
    "focus": 0.1316,
    "inherited": 2.5756,
    "prior": 2.7802,
    "rank": 0.3717,
    "type": 1.5687,
    "novelty": -1.5233,
    "bigram": 0.8694,
    "length": 0.8727,
}
WEIGHTS = {
    "dense": 2.5887,
    "lexical": -3.9115,
    "contrast": 5.3540,
    "focus": 0.3312,
    "inherited": -1.3733,
    "prior": 1.3593,
    "rank": 1.7390,
    "type": 0.7534,
    "novelty": -1.4547,
    "bigram": 0.4246,
    "length": 1.0582,
}
BIAS = -5.2434
MIN_CONFIDENCE = 0.24  # best balanced accuracy, answerable vs other articles
