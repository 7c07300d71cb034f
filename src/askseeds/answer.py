"""Pick the sentences that answer a question, cite them, or abstain.

Every candidate sentence of the top passages is scored on four signals: its
embedding's similarity to the question, how much of the question's IDF weight
it covers, its passage's retrieval score, and whether it holds the kind of
thing the question asks for (a number, a date, a name). The answer quotes the
best few verbatim; when the best is weak it abstains instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .config import Settings
from .index import Index
from .retrieve import Hit
from .terms import terms, words
from .types import Answer, Citation, Passage

NOT_FOUND = "Not found in the documents."

# Weights of the sentence score's signals; they sum to one so scores stay in [0, 1].
W_DENSE, W_LEXICAL, W_PASSAGE, W_TYPE = 0.40, 0.35, 0.10, 0.15
KEEP_RATIO = 0.92
OOV_PENALTY = 0.15  # confidence lost when every question term is unknown to the corpus  # a further sentence must score this share of the best one
CONFLICT_RATIO = 0.5  # share of the best score a rival figure's sentence needs
CONFLICT_DENSE_RATIO = 0.85

_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
_YEAR = re.compile(r"^(1[5-9]|20)\d\d$")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|"
    "saturday|sunday"
)
_DATE = re.compile(rf"\b(?:1[5-9]\d\d|20\d\d|{_MONTHS})\b", re.IGNORECASE)
_NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|billion|dozens?)\b",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]+")
_ANAPHORA = frozenset(
    ["it", "its", "it's", "they", "their", "them", "there", "he", "she", "his", "her", "him", "this", "that", "these", "those", "then"]
)


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved chunk with its score."""

    position: int  # chunk position in the index
    start: int
    end: int
    text: str
    score: float
    lexical: float
    dense: float
    passage_rank: int


def question_kind(question: str) -> str:
    """What the question asks for: 'number', 'date', 'name', 'place' or 'other'."""
    q = question.lower()
    if re.search(r"\bhow (many|much|old|long|far)\b|\bnumber of\b|\bwhat (percentage|share)\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (year|date|day|month|time)\b|\bwhich (year|date|day|month)\b", q):
        return "date"
    if re.search(r"\bwho(m|se)?\b", q):
        return "name"
    if re.search(r"\bwhere\b|\bwhich (city|country|province|state|place)\b", q):
        return "place"
    return "other"


def _type_match(kind: str, sentence: str, question_words: set[str]) -> float:
    if kind == "number":
        numbers = [n for n in _NUMBER.findall(sentence) if n not in question_words]
        return 1.0 if numbers or _NUMBER_WORDS.search(sentence) else 0.0
    if kind == "date":
        return 1.0 if _DATE.search(sentence) else 0.0
    if kind in ("name", "place"):
        names = [w for w in _CAPITALISED.findall(sentence) if w.lower() not in question_words]
        # The sentence's first word is capitalised whatever it is.
        return 1.0 if len(names) > 1 or (names and not sentence.startswith(names[0])) else 0.0
    return 0.5


def resolve_followup(question: str, history: list[dict] | None) -> str:
    """The query to search: the question, with earlier questions prefixed when it leans on them.

    A question leans on the conversation when it uses a pronoun such as "its" or
    "there", or has fewer than three content terms. Up to two earlier user turns
    are prefixed, stopping at the first one that stands on its own.
    """
    if not history:
        return question
    earlier = [
        str(m.get("content") or "")
        for m in history
        if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str)
    ]
    context: list[str] = []
    current = question
    for previous in reversed(earlier[-3:]):
        if not _leans_on_context(current) or not previous.strip():
            break
        context.insert(0, previous.strip())
        current = previous
    return " ".join(context + [question]) if context else question


def _leans_on_context(question: str) -> bool:
    ws = set(words(question))
    return bool(ws & _ANAPHORA) or len(set(terms(question))) < 3


class Answerer:
    """Turns ranked chunks into an extractive, cited Answer."""

    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self._idf = self._term_idf()

    def _term_idf(self) -> dict[str, float]:
        bm25 = self.index.bm25
        n = max(len(self.index.chunks), 1)
        if bm25 is None:
            return {}
        df = np.diff(np.asarray(bm25.scores["indptr"]))
        return {
            term: math.log(1 + (n - df[i] + 0.5) / (df[i] + 0.5))
            for term, i in bm25.vocab_dict.items()
            if i < len(df)
        }

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term the corpus never uses weighs most."""
        n = max(len(self.index.chunks), 1)
        return self._idf.get(term, math.log(1 + (n + 0.5) / 0.5))

    def candidates(
        self, question: str, query: str, query_vec: np.ndarray, hits: list[Hit], depth: int = 20
    ) -> list[Candidate]:
        """Score every sentence of the top ``depth`` chunks, best first."""
        if not hits:
            return []
        own = set(terms(question))
        context = set(terms(query)) - own
        weights = {t: self.idf(t) for t in own} | {t: 0.5 * self.idf(t) for t in context}
        total = sum(weights.values()) or 1.0
        kind = question_kind(question)
        q_words = set(words(question))
        top = hits[0].score or 1.0
        seen: set[tuple[str, int]] = set()
        out: list[Candidate] = []
        for rank, hit in enumerate(hits[:depth]):
            chunk = self.index.chunks[hit.position]
            vecs = self.index.sentences_of(hit.position)
            sims = vecs @ query_vec if len(vecs) else np.zeros(0)
            prior = max(hit.score, 0.0) / top
            for j, span in enumerate(chunk.sentences):
                if (chunk.source, span.start) in seen:
                    continue
                seen.add((chunk.source, span.start))
                text = self.index.original(hit.position, span.start, span.end)
                present = set(terms(text))
                lexical = sum(w for t, w in weights.items() if t in present) / total
                score = (
                    W_DENSE * max(float(sims[j]), 0.0)
                    + W_LEXICAL * lexical
                    + W_PASSAGE * prior
                    + W_TYPE * _type_match(kind, text, q_words)
                )
                dense = float(sims[j])
                out.append(
                    Candidate(hit.position, span.start, span.end, text, score, lexical, dense, rank)
                )
        out.sort(key=lambda c: -c.score)
        return out

    def confidence(self, question: str, best: Candidate) -> float:
        """How sure the best sentence answers the question, in [0, 1].

        Its score, lowered by the IDF share of question terms the corpus never uses
        (a question about "population" cannot be answered by documents without the
        word or a close match), and zero when the question names a number, year or
        ordinal ("sixth") that the sentence's passage does not contain.
        """
        own = set(terms(question))
        weights = {t: self.idf(t) for t in own}
        total = sum(weights.values()) or 1.0
        unknown = sum(w for t, w in weights.items() if t not in self._idf) / total
        passage = set(terms(self.index.chunks[best.position].text))
        if any(not (group & passage) for group in _constraints(question)):
            return 0.0
        return max(best.score - OOV_PENALTY * unknown, 0.0)

    def answer(
        self,
        question: str,
        query: str,
        query_vec: np.ndarray,
        hits: list[Hit],
        passages: list[Passage],
    ) -> Answer:
        """Quote the best sentences with numbered citations, or abstain."""
        cands = self.candidates(question, query, query_vec, hits)
        if not cands or self.confidence(question, cands[0]) < self.settings.min_confidence:
            return Answer(
                question=question,
                text=_abstain_text(passages),
                citations=(),
                abstained=True,
                passages=tuple(passages),
                resolved_question=query,
            )
        rivals = self._conflicting(question, cands)
        conflict = rivals is not None
        if rivals is None:
            rivals = [(c, [o for o in cands if _same_statement(o.text, c.text)]) for c in self._select(cands)]
        citations = [self._cite(n, c, same) for n, (c, same) in enumerate(rivals, start=1)]
        text = _conflict_text(citations) if conflict else _answer_text(citations)
        return Answer(
            question=question,
            text=text,
            citations=tuple(citations),
            abstained=False,
            passages=tuple(passages),
            conflict=conflict,
            resolved_question=query,
        )

    def _select(self, cands: list[Candidate]) -> list[Candidate]:
        best = cands[0]
        chosen = [best]
        for c in cands[1:]:
            if len(chosen) == self.settings.max_answer_sentences:
                break
            if c.score < best.score * KEEP_RATIO:
                break
            if any(_same_statement(c.text, o.text) for o in chosen):
                continue
            chosen.append(c)
        # Read in document order when sentences come from the same file.
        return sorted(chosen, key=lambda c: (c is not best, c.position, c.start))

    def _conflicting(
        self, question: str, cands: list[Candidate]
    ) -> list[tuple[Candidate, list[Candidate]]] | None:
        """For a how-many question whose strong answers state different figures, one per figure."""
        if question_kind(question) != "number":
            return None
        q_words = set(words(question))
        best = cands[0].score
        numbered = [(c, v) for c in cands if (v := _main_number(c.text, q_words)) is not None]
        if not numbered:
            return None
        # A rival figure must be about as close in meaning to the question as the best
        # numbered sentence, even when it is worded differently ("relationships" vs "pairs").
        top_dense = max(c.dense for c, _ in numbered)
        counted = _counted_terms(question)
        by_value: dict[str, list[Candidate]] = {}
        for c, value in numbered:
            if (
                c.score >= best * CONFLICT_RATIO
                and c.dense >= top_dense * CONFLICT_DENSE_RATIO
                and (not counted or counted & _terms_after(c.text, value))
            ):
                by_value.setdefault(value, []).append(c)
        if len(by_value) < 2:
            return None
        sources = {self.index.chunks[c.position].source for cs in by_value.values() for c in cs}
        if len(sources) < 2:
            return None
        # Cite each figure from its newest source; the others stating it are listed beside it.
        picked = []
        for value in by_value:
            group = [c for c, v in numbered if v == value and c.score >= best * CONFLICT_RATIO]
            top = max(group, key=lambda c: (self._date(c) or "", c.score))
            picked.append((top, [c for c in group if c is not top]))
        dated = sorted((p for p in picked if self._date(p[0])), key=lambda p: self._date(p[0]), reverse=True)
        undated = [p for p in picked if not self._date(p[0])]
        return (dated + undated)[: self.settings.max_answer_sentences]

    def _date(self, c: Candidate) -> str | None:
        doc = self.index.docs.get(self.index.chunks[c.position].source)
        return doc.date if doc else None

    def _cite(self, number: int, c: Candidate, same: list[Candidate]) -> Citation:
        """Citation ``number`` for ``c``; ``same`` are sentences elsewhere saying the same."""
        chunk = self.index.chunks[c.position]
        doc = self.index.docs.get(chunk.source)
        twins = {
            (self.index.chunks[o.position].source, o.start): o
            for o in same
            if o is not c and self.index.chunks[o.position].source != chunk.source
        }
        also = tuple(
            self.index.location(src, o.start, o.end) for (src, _), o in sorted(twins.items())
        )
        ctx_start, ctx_end = self._context(c)
        return Citation(
            number=number,
            source=chunk.source,
            start=c.start,
            end=c.end,
            snippet=c.text,
            score=round(c.score, 4),
            title=doc.title if doc else None,
            date=doc.date if doc else None,
            context=self.index.original(c.position, ctx_start, ctx_end),
            context_start=ctx_start,
            also_in=also,
        )

    def _context(self, c: Candidate) -> tuple[int, int]:
        """The cited sentence with its neighbours in the same paragraph of the chunk."""
        chunk = self.index.chunks[c.position]
        spans = list(chunk.sentences)
        i = next(k for k, s in enumerate(spans) if s.start == c.start)
        lo, hi = i, i
        if lo > 0 and self._same_paragraph(c.position, spans[lo - 1].end, spans[lo].start):
            lo -= 1
        if hi + 1 < len(spans) and self._same_paragraph(c.position, spans[hi].end, spans[hi + 1].start):
            hi += 1
        return spans[lo].start, spans[hi].end

    def _same_paragraph(self, position: int, gap_start: int, gap_end: int) -> bool:
        gap = self.index.original(position, gap_start, gap_end)
        return len(gap) <= 3 and not gap.strip() and "\n\n" not in gap


_ORDINALS = {
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
    "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
}
_ORDINAL_NUMBER = re.compile(r"^\d+(st|nd|rd|th)$")


def _constraints(question: str) -> list[set[str]]:
    """Numbers, years and ordinals the question names, each with its other spellings.

    An answer's passage must mention every one ("sixth" or "6th"). "first" is left
    out: it is used loosely ("the first pair", "for the first time").
    """
    by_number = {v: k for k, v in _ORDINALS.items()}
    out = []
    for w in words(question):
        if w in _ORDINALS and w != "first":
            out.append({w, _ORDINALS[w]})
        elif _ORDINAL_NUMBER.match(w) or w.isdigit():
            out.append({w} | ({by_number[w]} if w in by_number else set()))
    return [{t for w in group for t in terms(w)} for group in out]


def _counted_terms(question: str) -> set[str]:
    """What a how-many question counts: the terms right after "how many" or "number of"."""
    m = re.search(r"\b(?:how many|number of)\s+((?:[\w./’'-]+\s*){1,4})", question, re.IGNORECASE)
    return set(terms(m.group(1))) if m else set()


def _terms_after(sentence: str, value: str) -> set[str]:
    """Terms of the few words following the figure ``value`` in ``sentence``."""
    for m in _NUMBER.finditer(sentence):
        if m.group().replace(",", "") == value:
            return set(terms(" ".join(sentence[m.end() :].split()[:3])))
    return set()


def _main_number(sentence: str, q_words: set[str]) -> str | None:
    """The first figure in a sentence that is not a year and not in the question."""
    for n in _NUMBER.findall(sentence):
        plain = n.replace(",", "")
        if _YEAR.match(plain) or plain in q_words:
            continue
        return plain
    return None


def _same_statement(a: str, b: str) -> bool:
    """Near-duplicate sentences: most words of the shorter one appear in the longer one."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.8


def _label(c: Citation) -> str:
    name = c.title or c.source
    return f"{name}, {c.date}" if c.date else name


def _answer_text(citations: list[Citation]) -> str:
    return "\n\n".join(f"{c.snippet} [{c.number}]" for c in citations)


def _conflict_text(citations: list[Citation]) -> str:
    lines = ["The documents give different figures (newest first):"]
    lines += [f"- {c.snippet} [{c.number}] ({_label(c)})" for c in citations]
    return "\n".join(lines)


def _abstain_text(passages: list[Passage]) -> str:
    if not passages:
        return NOT_FOUND
    return f"{NOT_FOUND} The closest passages are listed below."
