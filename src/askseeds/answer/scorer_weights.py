"""Weights of the answer-sentence scorer. Written by benchmarks/train_scorer.py; do not edit.

first 12 (train)  last 12 (held out)
questions with a candidate holding the answer                 0.934               0.968
current weights: best sentence holds the answer               0.757               0.757
new weights: best sentence holds the answer                   0.757               0.758
abstention, 2-fold held out: answers 0.866 of answerable questions, abstains on 0.986 off-topic
and 0.697 near-miss ones (min_confidence 0.41)
"""

RANK_WEIGHTS = {
    "dense": 10.5752,
    "lexical": 1.6718,
    "contrast": 5.7508,
    "focus": 0.0086,
    "inherited": 2.5671,
    "prior": 2.7384,
    "rank": 0.4045,
    "type": 1.7168,
    "novelty": -1.5387,
    "bigram": 0.9290,
    "length": 0.8463,
    "slot": 0.5179,
}
WEIGHTS = {
    "dense": 2.5667,
    "lexical": -3.7988,
    "contrast": 5.3373,
    "focus": 0.1905,
    "inherited": -1.3656,
    "prior": 1.3606,
    "rank": 1.7367,
    "type": 0.7544,
    "novelty": -1.4130,
    "bigram": 0.4449,
    "length": 1.0300,
    "slot": 0.5739,
}
BIAS = -5.2635
ANSWERABLE_WEIGHTS = {
    "probability": 0.3086,
    "dense": 5.6416,
    "lexical": 3.5909,
    "contrast": 1.4133,
    "focus": -0.6155,
    "inherited": 3.2689,
    "prior": -4.0731,
    "rank": -0.4042,
    "type": -0.2068,
    "novelty": -1.4958,
    "bigram": 0.7266,
    "length": 0.3555,
    "slot": 0.1827,
}
ANSWERABLE_BIAS = 0.4532
MIN_CONFIDENCE = 0.41  # best balanced accuracy, answerable vs unanswerable
