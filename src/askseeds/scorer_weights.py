"""Weights of the answer-sentence scorer. Written by benchmarks/train_scorer.py; do not edit.

first 12 (train)  last 12 (held out)
questions with a candidate holding the answer                 0.934               0.968
current weights: best sentence holds the answer               0.757               0.757
new weights: best sentence holds the answer                   0.757               0.757
abstention, 2-fold held out: answers 0.866 of answerable questions, abstains on 0.987 off-topic
and 0.695 near-miss ones (min_confidence 0.44)
"""

RANK_WEIGHTS = {
    "dense": 10.5862,
    "lexical": 1.6679,
    "contrast": 5.7261,
    "focus": 0.1275,
    "inherited": 2.5815,
    "prior": 2.7440,
    "rank": 0.3964,
    "type": 1.7109,
    "novelty": -1.5305,
    "bigram": 0.8814,
    "length": 0.8559,
}
WEIGHTS = {
    "dense": 2.5599,
    "lexical": -3.8811,
    "contrast": 5.3217,
    "focus": 0.3318,
    "inherited": -1.3787,
    "prior": 1.3714,
    "rank": 1.7411,
    "type": 0.7627,
    "novelty": -1.4429,
    "bigram": 0.4289,
    "length": 1.0539,
}
BIAS = -5.2454
ANSWERABLE_WEIGHTS = {
    "probability": 0.2989,
    "dense": 5.6629,
    "lexical": 3.5452,
    "contrast": 1.4826,
    "focus": -0.5705,
    "inherited": 3.2351,
    "prior": -4.0985,
    "rank": -0.4174,
    "type": -0.2113,
    "novelty": -1.4808,
    "bigram": 0.7249,
    "length": 0.3627,
}
ANSWERABLE_BIAS = 0.4410
MIN_CONFIDENCE = 0.44  # best balanced accuracy, answerable vs unanswerable
