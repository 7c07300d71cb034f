"""Evaluation metrics for askseeds: answer matching and ranking quality.

Everything here is a pure function over plain Python values (stdlib only), so the
metrics can be used by tests, benchmarks and the eval harness without loading models.

Answer metrics follow the official SQuAD v1.1 evaluation script
(``normalize_answer``, ``exact_match``, ``f1_score``), extended with
``answer_in_text`` / ``best_span`` to score the *cited* text of an answer.

Ranking metrics (``recall_at_k``, ``mrr_at_k``) are implemented directly rather than
through ``ranx`` or ``ir-measures``:

* ``ranx`` would pull in numba/llvmlite, matplotlib, seaborn, ir_datasets and
  fastparquet (slow JIT import, large install) for two one-line formulas.
* ``ir-measures`` (with ``pytrec_eval-terrier``) installs cleanly and imports fast,
  but it takes a run of *scored* documents: ties are broken by doc id rather than by
  our list order and a ranking cannot hold the same id twice, so every call would
  need synthetic scores and de-duplication. It is used in ``tests/test_metrics.py``
  as an independent cross-check (``Success@k`` and ``RR@k``) when it is installed,
  instead of being a runtime dependency.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Sequence
from typing import TypeVar

__all__ = [
    "answer_in_text",
    "best_span",
    "dedupe_ranking",
    "exact_match",
    "f1_score",
    "first_relevant_rank",
    "mrr_at_k",
    "normalize_answer",
    "percentile",
    "recall_at_k",
]

_PUNCT = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_RAW_TOKEN = re.compile(r"\S+")

T = TypeVar("T", bound=Hashable)


# ---------------------------------------------------------------------------
# Answer matching (SQuAD v1.1)
# ---------------------------------------------------------------------------


def _is_punct(ch: str) -> bool:
    if ch in _PUNCT:
        return True
    return ch >= "\x80" and unicodedata.category(ch).startswith("P")


def normalize_answer(s: str) -> str:
    """Normalise text like the official SQuAD v1.1 evaluation script.

    Lower-case, remove punctuation, remove the articles ``a``/``an``/``the`` and
    collapse whitespace.

    One deliberate extension: besides ASCII ``string.punctuation`` (all the
    official script removes) it also removes Unicode punctuation (categories
    ``P*``: ``’ “ ” – —`` ...). News text is full of typographic quotes, and the
    official rule would make ``“barometer”`` or ``Nixon’s`` never match
    ``barometer`` / ``Nixon's``. For ASCII text the result is identical to SQuAD.

    >>> normalize_answer("The  Cat!")
    'cat'
    >>> normalize_answer("“Building Resilient Partnerships,”")
    'building resilient partnerships'
    """
    s = s.lower()
    s = "".join(ch for ch in s if not _is_punct(ch))
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def _as_list(golds: str | Iterable[str]) -> list[str]:
    return [golds] if isinstance(golds, str) else list(golds)


def exact_match(prediction: str, golds: str | Iterable[str]) -> float:
    """Official SQuAD exact match: 1.0 if the normalised prediction equals any
    normalised gold answer, else 0.0. An empty gold list scores 0.0."""
    pred = normalize_answer(prediction)
    return max((float(pred == normalize_answer(g)) for g in _as_list(golds)), default=0.0)


def _f1_single(prediction: str, gold: str) -> float:
    pred_tokens = normalize_answer(prediction).split()
    gold_tokens = normalize_answer(gold).split()
    common = Counter(pred_tokens) & Counter(gold_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0.0
    precision = num_same / len(pred_tokens)
    recall = num_same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def f1_score(prediction: str, golds: str | Iterable[str]) -> float:
    """Official SQuAD token-level F1 (bag of normalised tokens), max over golds.

    An empty gold list scores 0.0.
    """
    return max((_f1_single(prediction, g) for g in _as_list(golds)), default=0.0)


def _find_sublist(haystack: Sequence[str], needle: Sequence[str]) -> list[int]:
    """Start indices of every occurrence of ``needle`` in ``haystack``."""
    n = len(needle)
    if n == 0:
        return []
    first = needle[0]
    return [
        i
        for i in range(len(haystack) - n + 1)
        if haystack[i] == first and list(haystack[i : i + n]) == list(needle)
    ]


_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")


def answer_in_text(golds: str | Iterable[str], text: str) -> bool:
    """True if some normalised gold answer occurs in the normalised text as a
    contiguous run of whole tokens (so "louis" matches "St. Louis" but "one" does
    not match "someone"). Golds that normalise to nothing never match.

    A possessive counts as the bare name, in the text and in the gold alike ("Richard
    Nixon’s visit" contains "Richard Nixon" and "Nixon's visit"); SQuAD's normalisation
    would leave "nixons". A backtick separates words, as markup does (":ref:`branch
    coverage`" holds "branch coverage"), where SQuAD's normalisation would glue them. A dash
    may do either: "Dyrrachium—one of the most important naval bases" holds "Dyrrachium"
    (SQuAD's normalisation reads "dyrrachiumone"), and "the set-up phase" holds "setup
    phase"; both readings are tried. The second also reads brackets as word breaks, so a
    Markdown link "[Hervé Jégou](https://...)" holds "Hervé Jégou" (SQuAD's reads
    "jégouhttpsgithubcom...").
    """
    golds = _as_list(golds)
    for split in (False, True):
        padded = f" {_loose(text, split)} "
        for gold in golds:
            g = _loose(gold, split)
            if g and f" {g} " in padded:
                return True
    return False


def _loose(s: str, split: bool = False) -> str:
    """``normalize_answer`` with possessives dropped and backticks (and, with ``split``,
    dashes and the brackets of markup) read as spaces."""
    s = _POSSESSIVE.sub("", s).replace("`", " ")
    if split:
        s = "".join(" " if unicodedata.category(ch) == "Pd" or ch in "[]()" else ch for ch in s)
    return normalize_answer(s)


def best_span(text: str, golds: str | Iterable[str]) -> str | None:
    """Shortest substring of ``text`` made of whole whitespace-delimited tokens whose
    normalisation contains a normalised gold answer on token boundaries.

    Used to score "the shortest cited span that contains an answer": EM/F1 of that
    span against the golds. Surrounding punctuation attached to the first/last token
    is kept (e.g. ``"(Suzhou,"``), which normalisation then strips. Returns ``None``
    when no gold occurs. Ties go to the earliest occurrence.
    """
    # Normalising token by token is equivalent to normalising the whole text, because
    # every normalisation step is either per-character or bounded by whitespace.
    flat: list[str] = []
    owner: list[int] = []  # raw-token index of each normalised token
    spans: list[tuple[int, int]] = []
    for idx, m in enumerate(_RAW_TOKEN.finditer(text)):
        spans.append(m.span())
        for tok in normalize_answer(m.group()).split():
            flat.append(tok)
            owner.append(idx)

    best: tuple[int, int] | None = None
    for gold in _as_list(golds):
        g = normalize_answer(gold).split()
        for start in _find_sublist(flat, g):
            lo = spans[owner[start]][0]
            hi = spans[owner[start + len(g) - 1]][1]
            if best is None or (hi - lo, lo) < (best[1] - best[0], best[0]):
                best = (lo, hi)
    return None if best is None else text[best[0] : best[1]]


# ---------------------------------------------------------------------------
# Ranking metrics
# ---------------------------------------------------------------------------


def dedupe_ranking(items: Iterable[T]) -> list[T]:
    """Drop repeated ids, keeping first occurrences (e.g. chunk hits mapped to
    document ids before computing document-level ranking metrics)."""
    return list(dict.fromkeys(items))


def first_relevant_rank(ranked: Sequence[str], relevant: Collection[str]) -> int | None:
    """1-based position of the first relevant id in ``ranked``, or None.

    Positions are taken as given: repeated ids are not collapsed (see
    ``dedupe_ranking``).
    """
    for pos, item in enumerate(ranked, start=1):
        if item in relevant:
            return pos
    return None


def _check_ranking_args(
    ranked: Sequence[Sequence[str]], relevant: Sequence[Collection[str]], k: int
) -> None:
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if len(ranked) != len(relevant):
        raise ValueError(f"{len(ranked)} rankings but {len(relevant)} relevance sets")
    if not ranked:
        raise ValueError("no queries")
    if any(len(r) == 0 for r in relevant):
        raise ValueError("a query has no relevant items; filter unanswerable queries first")


def recall_at_k(
    ranked: Sequence[Sequence[str]], relevant: Sequence[Collection[str]], k: int
) -> float:
    """Fraction of queries with at least one relevant id in their top ``k``.

    This is the "hit rate" / ``Success@k`` definition. With exactly one gold
    paragraph per question (SQuAD-style) it coincides with the textbook
    Recall@k (|relevant ∩ top-k| / |relevant|); with several relevant ids per
    query it is more lenient, which is the intended reading for cited QA: one
    retrieved source that holds the answer is enough.

    ``ranked[i]`` is the ranked id list of query ``i``; ``relevant[i]`` its
    non-empty set of relevant ids.
    """
    _check_ranking_args(ranked, relevant, k)
    hits = sum(1 for r, rel in zip(ranked, relevant) if any(x in rel for x in r[:k]))
    return hits / len(ranked)


def mrr_at_k(ranked: Sequence[Sequence[str]], relevant: Sequence[Collection[str]], k: int) -> float:
    """Mean reciprocal rank of the first relevant id, counting 0 when none is in
    the top ``k``. Arguments as for ``recall_at_k``."""
    _check_ranking_args(ranked, relevant, k)
    total = 0.0
    for r, rel in zip(ranked, relevant):
        pos = first_relevant_rank(r[:k], rel)
        if pos is not None:
            total += 1.0 / pos
    return total / len(ranked)


# ---------------------------------------------------------------------------
# Descriptive statistics
# ---------------------------------------------------------------------------


def percentile(values: Iterable[float], p: float) -> float:
    """The ``p``-th percentile (0..100) with linear interpolation between closest
    ranks -- the same as ``numpy.percentile``'s default ("linear") method.

    Raises ValueError for an empty input or ``p`` outside [0, 100].
    """
    xs = sorted(float(v) for v in values)
    if not xs:
        raise ValueError("percentile of an empty sequence")
    if not 0.0 <= p <= 100.0 or math.isnan(p):
        raise ValueError(f"p must be in [0, 100], got {p}")
    pos = (len(xs) - 1) * p / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    frac = pos - lo
    return xs[lo] + (xs[hi] - xs[lo]) * frac
