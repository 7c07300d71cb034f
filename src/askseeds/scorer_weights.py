"""Weights of the answer-sentence scorer. Written by benchmarks/train_scorer.py; do not edit.

first 12 (train)  last 12 (held out)
questions with a candidate holding the answer                 0.934               0.968
current weights: best sentence holds the answer               0.757               0.758
new weights: best sentence holds the answer                   0.757               0.758
abstention, 2-fold held out: answers 0.872 of answerable questions, abstains on 0.986 off-topic
and 0.687 near-miss ones (min_confidence 0.41)
"""

RANK_WEIGHTS = {
    "dense": 10.5679,
    "lexical": 1.6700,
    "contrast": 5.7233,
    "focus": 0.1220,
    "inherited": 2.5796,
    "prior": 2.7481,
    "rank": 0.3976,
    "type": 1.7221,
    "novelty": -1.5349,
    "bigram": 0.8852,
    "length": 0.8570,
}
WEIGHTS = {
    "dense": 2.5530,
    "lexical": -3.8737,
    "contrast": 5.3192,
    "focus": 0.3331,
    "inherited": -1.3751,
    "prior": 1.3697,
    "rank": 1.7428,
    "type": 0.7402,
    "novelty": -1.4371,
    "bigram": 0.4260,
    "length": 1.0563,
}
BIAS = -5.2385
ANSWERABLE_WEIGHTS = {
    "probability": 0.2963,
    "dense": 5.6772,
    "lexical": 3.5519,
    "contrast": 1.4834,
    "focus": -0.5720,
    "inherited": 3.2376,
    "prior": -4.0901,
    "rank": -0.4152,
    "type": -0.2069,
    "novelty": -1.4636,
    "bigram": 0.7304,
    "length": 0.3571,
}
ANSWERABLE_BIAS = 0.4048
MIN_CONFIDENCE = 0.41  # best balanced accuracy, answerable vs unanswerable
