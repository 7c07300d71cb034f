"""The answer stage: from a question and ranked chunks to quoted, cited sentences or an abstention.

``query`` reads the question (cleaning, requests, follow-ups); ``features`` describes each
candidate sentence against it; ``scorer`` weighs those features with models learned on
SQuAD (``scorer_weights``); ``select`` picks, quotes and cites the sentences.
"""
