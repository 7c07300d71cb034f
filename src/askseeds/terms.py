"""Split text into the stemmed terms that BM25 and answer scoring compare."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

# Letters/digits runs; CJK characters one at a time so Chinese text still matches.
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "also", "s", "t", "many", "much"]
)

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe; one per thread is cheap.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def words(text: str) -> list[str]:
    """Lower-cased word tokens, CJK characters split one per token."""
    lowered = text.lower().replace("’", "'")
    cjk = _CJK.search(lowered) is not None  # looked for once per text: most have none
    out: list[str] = []
    for token in _TOKEN.findall(lowered):
        if cjk and _CJK.search(token):
            out.extend(token)  # tokens hold no whitespace
        elif token.endswith(("'s", "'")):
            out.append(token.split("'")[0])
        else:
            out.append(token)
    return out


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def terms(text: str) -> list[str]:
    """Stemmed content terms of ``text`` (stopwords dropped), in order, with repeats."""
    return [_stem(w) for w in words(text) if w not in STOPWORDS]
