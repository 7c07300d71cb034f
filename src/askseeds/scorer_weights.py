"""Weights of the answer-sentence scorer. Written by benchmarks/train_scorer.py; do not edit.

first 12 (train)  last 12 (held out)
questions with a candidate holding the answer                 0.934               0.968
current weights: best sentence holds the answer               0.758               0.757
new weights: best sentence holds the answer                   0.757               0.755
min_confidence 0.28: answers 0.848 of answerable, abstains on 0.927 of unanswerable questions
"""

RANK_WEIGHTS = {
    "dense": 10.6887,
    "lexical": 1.6015,
    "contrast": 5.7960,
    "focus": 0.2035,
    "inherited": 2.5960,
    "prior": 2.7753,
    "rank": 0.3339,
    "type": 1.6959,
    "novelty": -1.4945,
    "bigram": 0.9145,
    "length": 0.8623,
    "constraint": -0.0697,
}
WEIGHTS = {
    "dense": 2.5723,
    "lexical": -3.9314,
    "contrast": 5.3636,
    "focus": 0.3013,
    "inherited": -1.3047,
    "prior": 1.4241,
    "rank": 1.7166,
    "type": 0.8342,
    "novelty": -1.5973,
    "bigram": 0.4324,
    "length": 1.0808,
    "constraint": 0.5424,
}
BIAS = -5.7329
MIN_CONFIDENCE = 0.28  # best balanced accuracy, answerable vs other articles
