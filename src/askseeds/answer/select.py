"""Pick the sentences that answer a question, cite them, or abstain.

Every sentence of the top passages is a candidate, described by the features of
``features.py`` (similarity to the question, term coverage, the passage's score,
whether it holds the kind of thing asked for, ...) and scored by models learned
on SQuAD (``scorer.py``). A reader (``reader.py``), when in use, then reads the
few leading ones with the question and reorders them, unless the features are
already sure. The answer quotes the best few verbatim; when they are unlikely to
answer the question it abstains instead.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import PurePosixPath
from typing import NamedTuple, TypeVar

import numpy as np

from ..config import Settings
from ..index import Index
from ..ingest.clean import SECTION_SEP
from ..ingest.dates import in_words
from ..ingest.tables import fields, labelled
from ..retrieve.hybrid import PASSAGE_DEPTH, Hit
from ..terms import STOPWORDS, name_terms, options, terms, words
from ..types import Answer, Citation, Passage, Span
from .features import (
    DATE,
    FEATURES,
    NUMBER,
    SECTION_NUMBER,
    SentenceFacts,
    asks_for_something,
    asks_version,
    candidate_features,
    constraints,
    expands,
    expansion_asked,
    focus_words,
    identifiers,
    idf_of,
    opens_section,
    question_kind,
    read_question,
    read_sentence,
    shown_statement,
    type_match,
)
from .reader import Reader
from .scorer import Linear, Scorer, answerable_inputs, default_scorer

log = logging.getLogger(__name__)

NOT_FOUND = "Not found in the documents."

KEEP_ODDS = 0.2  # a further sentence must be at least this likely as the best (docs/results.md)
CONFLICT_DENSE_RATIO = 0.85
STATEMENT_WORDS = 4  # fewer distinct content words: a near-duplicate must use the same ones
LEAD_IN_CHARS = 400  # the most a lead-in and the lines it introduces may quote
CACHED_CHUNKS = 4096  # chunks (and documents) whose terms and sentences are kept between questions

_ENTRY = FEATURES.index("entry")
_NOVELTY = FEATURES.index("novelty")
_TYPE = FEATURES.index("type")

K = TypeVar("K")
V = TypeVar("V")

_YEAR = re.compile(r"^(1[5-9]|20)\d\d$")
_LIST_MARK = re.compile(r"[ \t]*(?:[-*+•|]|\d{1,3}[.)])[ \t]+")  # a list item or table row
_VERSION_NAME = re.compile(r"v?\d+(?:\.\d+)+[a-z]?")  # "3.9", "1.6.39", "v2.0", "1.0.1g"
# A list item that names what it describes, then its type or a separator: "- sep <string> The
# substring ...", "- timeout (int) – Seconds to wait", "- `--workers`: how many".
_NAMED_ITEM = re.compile(
    r"[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+[`'\"*]*([\w$.-]*\w)[`'\"*]*"
    r"(?:[ \t]+[<(]|[ \t]*:[ \t]|[ \t]+[–—-][ \t])"
)
# A reply that says nothing alone: "Yes." "No, sorry." "Nothing." "Not by itself, no."
_REPLY = re.compile(
    r"\W*(?:yes|yeah|yep|no|nope|not|nothing|none|never|always|sometimes|usually|maybe|"
    r"probably|possibly|partly|partially|sure|certainly|indeed|correct|right|true|false|"
    r"unfortunately)\b(?:[\s,]+\w+){0,3}[.!]\W*",
    re.IGNORECASE,
)
# A sentence that defers the answer to what follows: "It depends.", "Version history depends on
# your plan." (and the next sentence says how).
_DEFERS = re.compile(
    r"[^.!?\n]{0,150}?\bdepends?\s+(?:on|upon)\b[^.!?\n]{0,150}[.!]\W*|\W*it\s+depends[.!]\W*",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_WORD_CHAR = re.compile(r"[^\W_]")
_LETTER = re.compile(r"[^\W\d_]")
# A cell's link or emphasis as its words: "[12.x][]", "[Erbium](url)", "**End-of-Life**".
_PLAIN_CELL = re.compile(
    r"\[([^\]]*)\](?:\[[^\]]*\]|\([^)]*\))"  # a link: its label
    r"|(?<!\w)(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\2(?!\w)"  # emphasis or code: its words
)
# A sentence naming its subject only by pointing at it: "This command moves ...".
_DEMONSTRATIVE = re.compile(r"\W*(?:this|that|these|those)\s+([A-Za-z]+)\b", re.IGNORECASE)
_WHICH_THING = re.compile(r"\W*(?:which|what)\s+(?!is\b|are\b|was\b|were\b|do\b|does\b|did\b)",
                          re.IGNORECASE)
_POINTS_AHEAD = re.compile(r"\b(?:the following|as follows)\b", re.IGNORECASE)
# A sentence whose reason is the one before it: "For this reason, %timeit results are faster."
_POINTS_BACK = re.compile(
    r"\W*(?:for\s+(?:this|that|these|those|the\s+same|such)\s+reasons?"
    r"|(?:this|that)(?:'s|’s|\s+is|\s+was)\s+(?:why|the\s+reason)|because\s+of\s+(?:this|that)"
    r"|as\s+a\s+(?:result|consequence)|hence|therefore|thus|consequently|accordingly)\b",
    re.IGNORECASE,
)
# A sentence giving the reason of the one before it: "This is not advisable as it bypasses ...",
# "That is because ...", "It fails since ...".
_REASON_AFTER = re.compile(
    r"\W*(?:this|that|it)\b[^.!?]{0,80}?\b(?:because|since|due\s+to|owing\s+to"
    r"|as\s+(?:it|they|this|that|there|the|a|an)\b)",
    re.IGNORECASE,
)
_EXAMPLE = re.compile(r"\W*(?:for\s+(?:example|instance)|e\.g\.)", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved chunk with its score."""

    position: int  # chunk position in the index
    start: int
    end: int
    text: str
    score: float  # probability that the sentence holds the answer
    rank_score: float  # orders one question's candidates; differences are log-odds
    dense: float
    passage_rank: int
    features: np.ndarray
    reader: float | None = None  # the reader's logit, when it read this sentence


@dataclass(frozen=True)
class Verdict:
    """What the answer stage concludes from a question's candidates."""

    candidates: list[Candidate]  # best first (after the reader, when it read them)
    quoted: list[Candidate]  # what an answer quotes
    confidence: float  # how likely ``quoted`` answers the question
    min_confidence: float  # below this, the answer is an abstention
    reader: str | None = None  # "read", "skipped" (the features were sure) or None (no reader)

    @property
    def answers(self) -> bool:
        return bool(self.quoted) and self.confidence >= self.min_confidence


class _Sentence(NamedTuple):
    """A candidate sentence before scoring."""

    position: int  # its chunk's position in the index
    span: Span
    facts: SentenceFacts
    passage_terms: frozenset[str]
    dense: float
    prior: float  # its passage's retrieval score relative to the best
    rank: int  # its passage's rank


class Answerer:
    """Turns ranked chunks into an extractive, cited Answer."""

    def __init__(
        self,
        index: Index,
        settings: Settings,
        scorer: Scorer | None = None,
        reader: Reader | None = None,
    ) -> None:
        self.index = index
        self.settings = settings
        self.scorer = scorer or default_scorer()
        if reader is not None and self.scorer.reader is None:
            log.warning("the scorer was fitted without a reader; %s goes unused", reader.name)
            reader = None
        self.reader = reader
        self._idf: dict[str, float] = {}
        self._terms_cache: dict[int, frozenset[str]] = {}
        self._sentence_cache: dict[int, list[tuple[int, Span, SentenceFacts]]] = {}
        self._doc_terms: dict[str, frozenset[str]] = {}
        self._leads_cache: dict[str, frozenset[int]] = {}
        self._named_cache: dict[tuple[str, int, str], bool] = {}
        self._row_cache: dict[tuple[int, int, int], list[tuple[str, str]]] = {}

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term the corpus never uses weighs most."""
        # Looked up per term as asked: the vocabulary of a large corpus runs to millions.
        value = self._idf.get(term)
        if value is None:
            lexical = self.index.lexical
            df = lexical.doc_freq(term) if lexical is not None else 0
            value = self._idf[term] = idf_of(df, max(len(self.index.chunks), 1))
        return value

    def candidates(
        self,
        question: str,
        query: str,
        query_vec: np.ndarray,
        hits: list[Hit],
        depth: int = PASSAGE_DEPTH,
    ) -> list[Candidate]:
        """Score every sentence of the top ``depth`` chunks, best first.

        Chunks of documents that never mention a number or ordinal the question
        names ("the seventh conference", "in 2015") are passed over: whatever they
        say answers a different question. A question asking for a year ("In what
        year ...") is answered only by sentences that name one.
        """
        if not hits:
            return []
        q = read_question(question, query, self.idf)
        top = hits[0].score or 1.0
        seen: set[tuple[str, int]] = set()
        found: list[_Sentence] = []
        kept = [
            (rank, hit)
            for rank, hit in enumerate(hits[:depth])
            if not q.constraints
            or all(
                g & self._document_terms(self.index.chunks[hit.position].source)
                for g in q.constraints
            )
        ]
        all_sims = self.index.sentence_sims([hit.position for _, hit in kept], query_vec)
        for (rank, hit), sims in zip(kept, all_sims):
            source = self.index.chunks[hit.position].source
            passage_terms = self._passage_terms(hit.position)
            prior = max(hit.score, 0.0) / top
            for j, span, facts in self._sentences(hit.position):
                if (source, span.start) in seen or (q.year and not facts.names_year):
                    continue
                seen.add((source, span.start))
                found.append(
                    _Sentence(hit.position, span, facts, passage_terms, float(sims[j]), prior, rank)
                )
        if not found:
            return []
        features = candidate_features(
            q,
            [f.facts for f in found],
            [f.passage_terms for f in found],
            [f.dense for f in found],
            [f.prior for f in found],
            [f.rank for f in found],
        )
        order = self.scorer.rank(features)
        probs = self.scorer.probability(features)
        out = [
            Candidate(
                f.position, f.span.start, f.span.end, f.facts.text, float(p), float(r), f.dense,
                f.rank, x,
            )
            for f, r, p, x in zip(found, order, probs, features)
        ]  # fmt: skip
        out.sort(key=lambda c: -c.rank_score)
        return out

    def _passage_terms(self, position: int) -> frozenset[str]:
        """Every term chunk ``position`` uses."""
        return _cached(
            self._terms_cache, position, lambda: frozenset(terms(self.index.chunks[position].text))
        )

    def _sentences(self, position: int) -> list[tuple[int, Span, SentenceFacts]]:
        """Each sentence of chunk ``position`` that may answer: its place among the chunk's
        sentences, its span and what scoring reads of its text. Headings are left out:
        searchable, and the passage's section, but never the answer."""

        def read() -> list[tuple[int, Span, SentenceFacts]]:
            chunk = self.index.chunks[position]
            leads = self._leads(chunk.source)
            document = name_terms(chunk.source)
            out = []
            spans = chunk.sentences
            merged = -1  # the sentence a bare reply or deferral before it was merged with
            written: dict[int, frozenset[str]] = {}  # a sentence's terms, where read as written
            for j, span in enumerate(spans):
                if j == merged or self.index.is_heading(chunk.source, span.start, span.end):
                    continue
                text = self.index.original(position, span.start, span.end)
                at = j
                if (
                    (_REPLY.fullmatch(text) or _defers(text))
                    and j + 1 < len(spans)
                    and not self.index.is_heading(chunk.source, spans[j + 1].start, spans[j + 1].end)
                ):
                    # "Yes." / "Nothing." / "It depends on your plan." alone says nothing: it
                    # is read, scored and quoted with the sentence that says what it means, and
                    # is as near the question.
                    span, merged = Span(span.start, spans[j + 1].end), j + 1
                    text, at = self.index.original(position, span.start, span.end), j + 1
                heading = self._section(chunk.source, span.start)[1]
                line = self._line_before(position, span.start) + text
                item = m.group(1) if (m := _NAMED_ITEM.match(line)) else ""
                row = self._row_read(position, span)
                facts = read_sentence(row or text, heading, span.start in leads, document, item)
                if row:  # scored as read under its header, quoted as written
                    facts = facts._replace(text=text, label=frozenset())
                elif at == j:
                    written[j] = facts.present
                if j and self._same_paragraph(position, spans[j - 1].end, span.start):
                    said = written.get(j - 1) or frozenset(
                        terms(self.index.original(position, spans[j - 1].start, spans[j - 1].end))
                    )
                    facts = facts._replace(before=said)
                out.append((at, span, facts))
            return out

        return _cached(self._sentence_cache, position, read)

    def _row_read(self, position: int, span: Span) -> str | None:
        """The sentence ``span`` of chunk ``position`` as it reads under its table's header
        ("City: Spokane; Sister city: Jilin"), where it stands in a row under one; else None."""
        return labelled(self._row_fields(position, span)) or None

    def _row_fields(self, position: int, span: Span) -> list[tuple[str, str]]:
        """The cells of the sentence ``span`` of chunk ``position`` with their columns'
        labels (``tables.fields``), where it stands in a table's row under a header."""
        source = self.index.chunks[position].source
        header = self.index.table_header(source, span.start)
        if header is None:
            return []

        def read() -> list[tuple[str, str]]:
            chunk = self.index.chunks[position]
            before = self._line_before(position, span.start)
            after = self.index.original(position, span.end, chunk.end).partition("\n")[0]
            row = before + self.index.original(position, span.start, span.end) + after
            return fields(header, row, len(before), len(before) + span.end - span.start)

        return _cached(self._row_cache, (position, span.start, span.end), read)

    def _leads(self, source: str) -> frozenset[int]:
        """Where each section of ``source`` makes its first statement (sentence starts)."""

        def find() -> frozenset[int]:
            spans = {}  # start -> (chunk position, span): chunks overlap
            for position in self.index.positions_of(source):
                for span in self.index.chunks[position].sentences:
                    spans.setdefault(span.start, (position, span))
            prose: dict[int, int] = {}  # section start -> its first statement
            listed: dict[int, int] = {}  # ... -> its first list item or row that states something
            for start in sorted(spans):
                at = self._section(source, start)[0]
                if at is None or at in prose:
                    continue
                position, span = spans[start]
                if self.index.is_heading(source, span.start, span.end):
                    continue  # an FAQ's question heads its section; the answer opens it
                if opens_section(self.index.original(position, span.start, span.end)):
                    if self._list_item(position, span.start):
                        listed.setdefault(at, start)
                    else:
                        prose[at] = start
            # An API entry lists its parameters and a table of its history first ("- sep
            # <string> The substring used to delimit ..."), then says what it does: a list item
            # or row is the first statement only of a section that says nothing in prose.
            return frozenset((listed | prose).values())

        return _cached(self._leads_cache, source, find)

    def _list_item(self, position: int, start: int) -> bool:
        """Whether the sentence at ``start`` of chunk ``position`` stands in an item of a list
        or a table row (on a line that starts "- ", "* ", "1. " or "| ")."""
        return bool(_LIST_MARK.match(self._line_before(position, start)))

    def _line_before(self, position: int, start: int) -> str:
        """The text of chunk ``position`` from the start of the line holding ``start`` (or of
        the chunk) up to ``start``."""
        before = self.index.original(position, self.index.chunks[position].start, start)
        return before.rpartition("\n")[2]

    def _section(self, source: str, offset: int) -> tuple[int | None, str]:
        """Where the section over ``offset`` of ``source`` starts and its innermost heading
        ((None, "") where no heading applies)."""
        entry = self.index.section(source, offset)
        return (entry[0], entry[1].rsplit(SECTION_SEP, 1)[-1]) if entry else (None, "")

    def _document_terms(self, source: str) -> frozenset[str]:
        """Every term document ``source`` uses: the union of its chunks' terms, and the
        numbers in its file's name ("sp500_companies.csv" names the S&P 500)."""
        return _cached(
            self._doc_terms,
            source,
            lambda: frozenset(_DIGITS.findall(PurePosixPath(source).name)).union(
                *(self._passage_terms(i) for i in self.index.positions_of(source))
            ),
        )

    def confidence(self, quoted: list[Candidate]) -> float:
        """How likely the ``quoted`` sentences (``quoted(cands)``) answer their question by the
        features alone, in [0, 1] (``Scorer.answerable``); 0 when nothing is quoted."""
        inputs = self.evidence(quoted)
        return 0.0 if inputs is None else float(self.scorer.answerable(inputs))

    def evidence(self, quoted: list[Candidate]) -> np.ndarray | None:
        """What ``confidence`` weighs: ``answerable_inputs`` of the likeliest quoted sentence."""
        if not quoted:
            return None
        best = max(quoted, key=lambda c: c.score)
        return answerable_inputs(best.score, best.features)

    def reader_evidence(self, quoted: list[Candidate], read: list[Candidate]) -> np.ndarray | None:
        """``evidence`` and the reader's logits: for the sentence answered first, and the best
        of those it read (``READER_ANSWERABLE_INPUTS``)."""
        base = self.evidence(quoted)
        if base is None:
            return None
        logits = [c.reader for c in read if c.reader is not None]
        return np.concatenate([base, [quoted[0].reader or 0.0, max(logits)]]).astype(np.float32)

    def reader_pairs(self, question: str, cands: list[Candidate]) -> list[tuple[str, str]]:
        """What the reader reads: ``question`` with each sentence, under its document's name
        where the file is named in words and the question names it too.

        The reader sees one sentence, no heading and no file: "Copyright Holger Krekel and
        others, 2004." reads as unrelated to "Who holds the copyright of pytest?" (logit
        -7.5) and as its answer under "pytest README" (+5.5). A heading does not do it
        ("License": -7.9): the subject is the document's. A name the question does not use
        is noise: "light: The lamp ... can be seen for twenty miles" reads as a worse answer
        to "How far can the Kessel Point lamp be seen?" than the sentence alone (-0.1 vs 1.9).
        """
        asked = set(terms(question))
        kind = question_kind(question)
        out = []
        for c in cands:
            source = self.index.chunks[c.position].source
            name = spoken_name(source)
            named = bool(name) and not asked.isdisjoint(name_terms(source))
            # A lead-in is read with what it introduces, as it is quoted: "Requests is available
            # on PyPI:" says how to install Requests only with the command under it (and an
            # outline's item only with the items under it).
            said = (
                self._with_followers(c, whole_list=False).text
                if c.text.rstrip().endswith(":") or self._heads_items(c) is not None
                else _row_said(
                    asked, self._row_fields(c.position, Span(c.start, c.end)), kind
                )
                or c.text
            )
            text = f"{name}: {said}" if named else said
            # The first answer under an FAQ's question is read as the answer to it: "Give
            # --enable-small to the configure script." alone names nothing "How do I make
            # liblzma smaller?" asks of.
            heading = self._section(source, c.start)[1]
            if heading.rstrip().endswith("?") and c.start in self._leads(source):
                text = f"{heading} {text}"
            # ... and an entry under the heading that gives what it does not, as it is shown:
            # "Fix for [CVE-2014-0160]" answers "Which release fixed it?" under its release.
            else:
                text = _under(self._heading_answers(question, c)) + text
            out.append((question, text))
        return out

    def judge(self, question: str, cands: list[Candidate], read_as: str | None = None) -> Verdict:
        """Reread the leading ``cands`` with the reader (unless the features are sure), then
        say what would be quoted and how likely it answers ``question``. ``read_as``: the
        question as the reader reads it, with the earlier questions a follow-up leans on
        ("Who found the exploit? Where is he based?"): alone, "he" names no one."""
        names = identifiers(question)
        cands = self._naming(names, cands)
        cands = self._rows_by_cells(question, cands)
        cands = self._under_numbered(constraints(question), cands)
        # "What does NumPy stand for?" is answered by what spells it out, where anything does:
        # "NumPy (short for *Numerical Python*) provides ..." shares one word with it.
        spelled = []
        if name := expansion_asked(question):
            spelled = [c for c in cands if expands(c.text, name)]
            cands = spelled or cands
        if asks_for_something(question):
            # A sentence of the question's own terms ("Libtasn1" to "What is libtasn1?") names
            # nothing that was asked for, however well it matches; unless it holds the kind of
            # thing asked for, which may be a word of the question ("Default: 'session'" to
            # "What is the default value of SESSION_COOKIE_NAME?"), or its heading does ("Fix
            # for [CVE-2014-0160]" under release 1.0.1g). A sentence that asks (an FAQ's
            # question), or an outline's item over the items that say it, is kept: it is
            # quoted with its answer.
            cands = [
                c
                for c in cands
                if c.features[_NOVELTY] > 0
                or c.features[_TYPE] >= 1
                or _asks(c.text)
                or self._heading_answers(question, c)
                or self._heads_items(c) is not None
            ]
        asked_options = tuple(options(question))
        quoted = self.quoted(cands, names, asked_options)
        confidence = self.confidence(quoted)
        threshold = self.settings.min_confidence
        models = self.scorer.reader
        if self.reader is None or models is None or not cands:
            return Verdict(cands, quoted, confidence, _or(threshold, self.scorer.min_confidence))
        margin = cands[0].rank_score - cands[1].rank_score if len(cands) > 1 else math.inf
        sure = margin >= models.skip_margin and (
            confidence >= models.skip_above or confidence < models.skip_below
        )
        # The reader sees a sentence without its heading: under an entry the question names
        # ("The Access log file to write to." under `accesslog`) it cannot tell what the
        # sentence is about, and the structure features can.
        # ... and the features read a table's row by its words alone, where the reader reads
        # it under its header: "Olympia | Yashiro" has no word of "Which city is twinned with
        # Yashiro?" but the one it repeats.
        row = self._row_read(cands[0].position, Span(cands[0].start, cands[0].end))
        if sure and not spelled and row is None or cands[0].features[_ENTRY] > 0:
            return Verdict(
                cands, quoted, confidence, _or(threshold, self.scorer.min_confidence), "skipped"
            )
        head = cands[: models.top]
        # A row whose first cell, its key, the question names ("What is the PES format?" of
        # a table of formats) is read too: the features weigh its few words as a sentence's,
        # below prose that shares more of the question's.
        asked = set(terms(question))
        keyed = next((c for c in cands[models.top :] if self._keyed(asked, c)), None)
        if keyed is not None and not any(self._keyed(asked, c) for c in head):
            head = [*head, keyed]
        read_as = read_as or question
        read = reread(head, self.reader.score(self.reader_pairs(read_as, head)), models.rank)
        quoted, confidence = self._read_verdict(read, names, asked_options)
        rest = [c for c in cands[models.top :] if c is not keyed]
        limit = _or(threshold, models.min_confidence)
        # Before refusing, the next few: the features rank a document's answer lower than
        # sentences that repeat its title's words ("the Gaussian process contour report")
        # far more often than SQuAD's paragraphs taught them.
        if confidence < limit and models.more > 0 and rest:
            more = rest[: models.more]
            logits = self.reader.score(self.reader_pairs(read_as, more))
            read_on = sorted(
                [*read, *reread(more, logits, models.rank)], key=lambda c: -c.rank_score
            )
            quoted_on, confidence_on = self._read_verdict(read_on, names, asked_options)
            if confidence_on >= max(limit, models.more_min_confidence):
                read, quoted, confidence = read_on, quoted_on, confidence_on
                rest = rest[models.more :]
        return Verdict(read + rest, quoted, confidence, limit, "read")

    def _read_verdict(
        self, read: list[Candidate], names: tuple[str, ...], asked_options: tuple[str, ...]
    ) -> tuple[list[Candidate], float]:
        """What would be quoted of the candidates the reader ``read``, and how likely that
        answers the question (the reader's abstention model)."""
        quoted = self.quoted(read, names, asked_options)
        inputs = self.reader_evidence(quoted, read)
        models = self.scorer.reader
        if inputs is None or models is None:
            return quoted, 0.0
        return quoted, float(_sigmoid(models.answerable(inputs)))

    def answer(
        self,
        question: str,
        query: str,
        passages: list[Passage],
        cands: list[Candidate],
        verdict: Verdict | None = None,
    ) -> Answer:
        """Quote the best sentences with numbered citations, or abstain.

        ``cands`` are ``candidates(question, query, query_vec, hits)``; ``verdict`` is
        ``judge(question, cands, query)`` when the caller has it already.
        """
        verdict = verdict or self.judge(question, cands, query)
        if not verdict.answers:
            return Answer(
                question=question,
                text=_abstain_text(passages),
                citations=(),
                abstained=True,
                passages=tuple(passages),
                resolved_question=query,
                confidence=verdict.confidence,
                reader=verdict.reader,
            )
        cands = verdict.candidates
        why = question_kind(question) == "reason"
        quoted = _outermost(
            [self._with_followers(self._with_reason(c) if why else c) for c in verdict.quoted]
        )
        rivals = self._conflicting(question, cands)
        conflict = rivals is not None
        if rivals is None:
            rivals = [
                (c, [o for o in cands if _same_statement(o.text, c.text)])
                for c in quoted
            ]
        citations = [
            replace(
                self._cite(n, c, same),
                heading=self._heading_answers(question, c),
                header=self.index.table_header(self.index.chunks[c.position].source, c.start)
                or (),
            )
            for n, (c, same) in enumerate(rivals, start=1)
        ]
        text = _conflict_text(citations) if conflict else _answer_text(citations)
        return Answer(
            question=question,
            text=text,
            citations=tuple(citations),
            abstained=False,
            passages=tuple(passages),
            conflict=conflict,
            resolved_question=query,
            confidence=verdict.confidence,
            reader=verdict.reader,
        )

    def quoted(
        self,
        cands: list[Candidate],
        names: tuple[str, ...] = (),
        asked_options: tuple[str, ...] = (),
    ) -> list[Candidate]:
        """The sentences an answer quotes: the best, and those nearly as likely (``KEEP_ODDS``).
        Where the best itself names the ``names`` spelled with digits the question uses, so
        must the others: under the release that fixed CVE-2014-0160, "Fix for
        [CVE-2014-0076]" does not answer. Where the best is the entry of a command-line option
        the question names (``asked_options``), the others are of its document."""
        if not cands:
            return []
        best = cands[0]
        chosen = [best]
        found = [_name_pattern(n) for n in names]
        named = all(f.search(best.text) for f in found)
        # Under the entry of an option the question names ("ls -S": ls's "-S"), what another
        # document says is of another program's option of that name (xz's "-S .suf").
        within = None
        if asked_options:
            source = self.index.chunks[best.position].source
            if set(asked_options).intersection(options(self._section(source, best.start)[1])):
                within = source
        for c in cands[1:]:
            if len(chosen) == self.settings.max_answer_sentences:
                break
            if c.rank_score < best.rank_score + math.log(KEEP_ODDS):
                break
            if any(_same_statement(c.text, o.text) for o in chosen):
                continue
            if found and named and not all(f.search(c.text) for f in found):
                continue
            if within is not None and self.index.chunks[c.position].source != within:
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
        numbered = [(c, v) for c in cands if (v := _main_number(c.text, q_words)) is not None]
        if not numbered or numbered[0][0] is not cands[0]:
            return None  # the answer itself is not a figure
        # A rival figure must be about as close in meaning to the question as the answer,
        # even when it is worded differently ("relationships" vs "pairs"),
        # and count the same thing. Its rank does not matter: a sentence that words the
        # question differently ranks low exactly when its figure is a surprise.
        top_dense = cands[0].dense
        counted = _counted_terms(question)
        by_value: dict[str, list[Candidate]] = {}
        for c, value in numbered:
            if c.dense >= top_dense * CONFLICT_DENSE_RATIO and (
                not counted or counted & _terms_after(c.text, value)
            ):
                by_value.setdefault(value, []).append(c)
        if len(by_value) < 2:
            return None
        sources = {self.index.chunks[c.position].source for cs in by_value.values() for c in cs}
        if len(sources) < 2:
            return None
        # Cite each figure from its newest source; the others stating it are listed beside it.
        picked = []
        for value, group in by_value.items():
            top = max(group, key=lambda c: (self._date(c) or "", c.score))
            picked.append((top, [c for c in group if c is not top]))
        dated = sorted(
            (p for p in picked if self._date(p[0])), key=lambda p: self._date(p[0]), reverse=True
        )
        undated = [p for p in picked if not self._date(p[0])]
        return (dated + undated)[: self.settings.max_answer_sentences]

    def _with_followers(self, c: Candidate, whole_list: bool = True) -> Candidate:
        """``c`` and what it introduces, when it is a lead-in: quoted alone it says nothing.

        A sentence ending in a colon ("Requests is available on PyPI:") or a question mark
        (an FAQ's question) is quoted with the sentence after it and any lines that follow it
        (a command, list items). One that points ahead ("The following command installs
        Sphinx.") is quoted up to the lines it points at, when they come within
        ``LEAD_IN_CHARS`` characters. A list it introduces is quoted item by item within
        that bound (``whole_list``; the reader reads its first item only: the rest would
        make any item's question look answered by the list). An FAQ's question is quoted
        whole with the first sentence of its answer, and a bare "Yes." with the sentence
        after it.
        """
        text = c.text.rstrip()
        question_end = None
        introduces = text.endswith(":") or _asks(text)
        # An item that heads items under it and states nothing itself ("- Latency (e.g.
        # Intel i9-9900k)" over "- L1 Cache 0.8 ns") is their lead-in, to where they end.
        heads = None if introduces else self._heads_items(c)
        introduces = introduces or heads is not None
        if not introduces and not _POINTS_AHEAD.search(text):
            spans = self.index.chunks[c.position].sentences
            i = _index_of(spans, c.start)
            question_end = self._asked_through(c, spans[i:]) if i is not None else None
            if question_end is None:
                return c
            introduces = True
        # Chunks overlap: read on in the one where the most of what follows it stands (a
        # lead-in that ends its chunk is quoted with its lines from the next).
        c = self._reaching_furthest(c)
        spans = self.index.chunks[c.position].sentences
        i = _index_of(spans, c.start)
        if i is None:
            return c
        if question_end is None:
            question_end = self._asked_through(c, spans[i:])
        asked = c.end if question_end is None else question_end
        end, reached = c.end, False  # reached: the lines introduced have begun
        replied = False  # the sentence introduced was a bare "Yes.": the next says what
        listing = False  # they are a list's items: quoted on while they last
        for s in spans[i + 1 :]:
            if s.end <= asked:
                end = s.end  # the rest of the question
                continue
            if heads is not None and not self._under_item(c.position, s.start, heads):
                break
            said = self.index.original(c.position, s.start, s.end)
            prose = _ends_statement(said)
            if s.end - asked > LEAD_IN_CHARS:
                break
            if (
                reached
                and prose
                and not replied
                and not (listing and self._list_item(c.position, s.start))
            ):
                break
            if introduces or not prose:
                reached = True
            end = s.end
            replied = introduces and prose and not replied and bool(_REPLY.fullmatch(said))
            listing = listing or whole_list and self._list_item(c.position, s.start)
            if introduces and prose and not replied and not listing:
                break  # the one sentence it introduces
        if not reached:
            return c
        return replace(c, end=end, text=self.index.original(c.position, c.start, end))

    def _heads_items(self, c: Candidate) -> int | None:
        """The indentation of the list item ``c`` opens, when it states nothing itself and the
        next line is an item indented under it; else None."""
        line = self._line_before(c.position, c.start)
        if not _LIST_MARK.fullmatch(line) or line.lstrip().startswith("|"):
            return None
        if _ends_statement(c.text.rstrip()):
            return None
        spans = self.index.chunks[c.position].sentences
        i = _index_of(spans, c.start)
        if i is None or i + 1 == len(spans):
            return None
        indent = len(line) - len(line.lstrip())
        return indent if self._under_item(c.position, spans[i + 1].start, indent, True) else None

    def _under_item(self, position: int, start: int, indent: int, begins: bool = False) -> bool:
        """Whether the sentence at ``start`` stands under an item indented ``indent``: it
        starts an item indented further, or (unless it must ``begin`` one) goes on a line
        that does."""
        line = self._line_before(position, start)
        if _LIST_MARK.fullmatch(line):
            return len(line) - len(line.lstrip()) > indent
        if begins:
            return False
        # mid-line: on the line of the sentence before; else a continuation line, by its indent
        return bool(line.strip()) or len(line) > indent

    def _with_reason(self, c: Candidate) -> Candidate:
        """``c`` with the sentence before it, when ``c`` gives its reason only by pointing back
        ("For this reason, `%timeit` results are faster."): to a why-question, that sentence
        is the answer; and the one before that, when it is an example of what is before it
        ("For example, it prevents garbage collection."). Only within its paragraph."""
        if not _POINTS_BACK.match(shown_statement(c.text)):
            return self._with_reason_after(c) if c.features[_TYPE] < 1 else c
        for position in self.index.positions_of(self.index.chunks[c.position].source):
            spans = self.index.chunks[position].sentences
            i = _index_of(spans, c.start)
            if not i:
                continue
            start = c.start
            for before in reversed(spans[:i]):
                if not self._same_paragraph(position, before.end, start):
                    break
                if c.end - before.start > LEAD_IN_CHARS and start < c.start:
                    break
                start = before.start
                said = self.index.original(position, before.start, before.end)
                if not _EXAMPLE.match(shown_statement(said)):
                    break
            if start == c.start:
                return c
            text = self.index.original(position, start, c.end)
            return replace(c, position=position, start=start, text=text)
        return c

    def _with_reason_after(self, c: Candidate) -> Candidate:
        """``c`` with the sentence after it, when that one gives ``c``'s reason ("Maintainers
        should not override the interpreter using /usr/bin/env. This is not advisable as it
        bypasses Debian's dependency checking."), within its paragraph."""
        wide = self._reaching_furthest(c)
        spans = self.index.chunks[wide.position].sentences
        i = _index_of(spans, c.start)
        if i is None or i + 1 >= len(spans):
            return c
        after = spans[i + 1]
        said = self.index.original(wide.position, after.start, after.end)
        if not self._same_paragraph(wide.position, c.end, after.start):
            return c
        if not _REASON_AFTER.match(shown_statement(said)):
            return c
        text = self.index.original(wide.position, c.start, after.end)
        return replace(wide, end=after.end, text=text)

    def _reaching_furthest(self, c: Candidate) -> Candidate:
        """``c`` in the chunk of its document that holds the most text after it."""
        best, reach = c, self.index.chunks[c.position].end
        for position in self.index.positions_of(self.index.chunks[c.position].source):
            chunk = self.index.chunks[position]
            if (
                chunk.start <= c.start < chunk.end
                and chunk.end > reach
                and any(s.start == c.start for s in chunk.sentences)
            ):
                best, reach = replace(c, position=position), chunk.end
        return best

    def _asked_through(self, c: Candidate, spans: list[Span]) -> int | None:
        """Where the question ends that ``c`` begins, when ``c`` begins a heading that is a
        sentence: an FAQ's question ("deflate() or inflate() returns Z_BUF_ERROR.", "The
        license says ... So what exactly do I need to do?") introduces its answer, whether
        it ends in a question mark or not. Else None."""
        source = self.index.chunks[c.position].source
        at, heading = self._section(source, c.start)
        if at != c.start or _last_mark(heading) not in (".", "!", "?"):
            return None
        end = c.end
        for s in spans:
            said = " ".join(self.index.original(c.position, c.start, s.end).split())
            if not heading.startswith(said):
                break
            end = s.end
        return end

    def _date(self, c: Candidate) -> str | None:
        return self.index.title_date(self.index.chunks[c.position].source)[1]

    def _naming(self, names: tuple[str, ...], cands: list[Candidate]) -> list[Candidate]:
        """The candidates whose sentence or section (its headings and text, the document's
        title and file name) names every name spelled with digits the question uses
        ("CVE-2014-0160", "libtasn1.h"): all of them where none does, unless one is a version
        number ("diffutils 3.9" over NEWS that ends at 3.8): then none, as what they say is of
        other releases. The reader cannot tell 0160 from 0224; a changelog's "Fix for
        [CVE-2014-0224]" stands under another release."""
        if not names:
            return cands
        found = [_name_pattern(n) for n in names]

        def names_all(c: Candidate) -> bool:
            return all(f.search(c.text) or self._names_around(c, f) for f in found)

        named = [c for c in cands if names_all(c)]
        if named or not any(_VERSION_NAME.fullmatch(n) for n in names):
            return named or cands
        return []

    def _under_numbered(
        self, numbers: list[frozenset[str]], cands: list[Candidate]
    ) -> list[Candidate]:
        """For each number the question names ("polkit 122", "chapter 7") that a candidate's
        headings name, the candidates whose headings or sentence name it: release notes
        list every release's changes under its number, and "Add duktape as javascript
        engine" under "polkit 121" does not answer for 122."""
        for spellings in numbers:
            headed = [bool(spellings & _heading_terms(self._path(c))) for c in cands]
            if any(headed):  # most documents have no numbered headings: nothing else is read
                cands = [c for c, h in zip(cands, headed) if h or spellings & set(terms(c.text))]
        return cands

    def _keyed(self, asked: set[str], c: Candidate) -> bool:
        """Whether ``c`` is a table's row whose first cell the question (``asked``: its
        terms) names."""
        cells = self._row_fields(c.position, Span(c.start, c.end))
        return bool(cells) and bool(key := set(terms(cells[0][1]))) and key <= asked

    def _rows_by_cells(self, question: str, cands: list[Candidate]) -> list[Candidate]:
        """Where a table's row names two or more of the question's cells, ``cands`` with the
        rows that name the most first and without the rows that name fewer: a row is looked
        up by its values, as in a database. "On what date did Everton host Newcastle?" is
        answered by a match of those two, not by one of Everton's other matches that ranks
        higher on words shared with the question ("date" its column, "2023-24" the file's
        name), which the reader prefers too."""
        asked = set(terms(question))

        def named(c: Candidate) -> int | None:
            cells = self._row_fields(c.position, Span(c.start, c.end))
            if not cells:
                return None  # not a row
            # Words, not figures: "4" of "on 4 April" is in a dozen columns of statistics; and
            # different words: "Graph view | [[graph-view]]" names one thing twice.
            named = {
                t
                for _, value in cells
                if (t := frozenset(terms(value))) and t <= asked and _LETTER.search(value)
            }
            return sum(not any(t < other for other in named) for t in named)

        counts = [named(c) for c in cands]
        most = max((n for n in counts if n is not None), default=0)
        if most < 2:
            return cands
        first = [c for c, n in zip(cands, counts) if n == most]
        return first + [c for c, n in zip(cands, counts) if n is None]

    def _names_around(self, c: Candidate, name: re.Pattern[str]) -> bool:
        """Whether the section ``c`` stands in names ``name``: its heading path, its
        sentences, or the title or file name of its document (all of it where it has no
        headings). Not what lies between its sentences: a Markdown file's link targets
        ("[12.x]: https://.../latest-v12.x/") are not shown, and name every release of a
        table above them in the section they end. Nor a table's rows: each names its own
        entry ("X3F | R | Sigma Camera RAW Picture File"), not the rows beside it."""
        source = self.index.chunks[c.position].source
        start, end = self.index.section_span(source, c.start)

        def find() -> bool:
            if any(name.search(x or "") for x in (source, self.index.title_date(source)[0])):
                return True
            if name.search(self._path(c)):
                return True
            for position in self.index.positions_of(source):
                for span in self.index.chunks[position].sentences:
                    lo, hi = max(start, span.start), min(end, span.end)
                    if lo >= hi or self.index.table_header(source, lo) is not None:
                        continue
                    if name.search(self.index.original(position, lo, hi)):
                        return True
            return False

        return _cached(self._named_cache, (source, start, name.pattern), find)

    def _path(self, c: Candidate) -> str:
        """The heading path over ``c`` ("" where none)."""
        return self.index.place(self.index.chunks[c.position].source, c.start)[1] or ""

    def _heading_answers(self, question: str, c: Candidate) -> str:
        """The heading over ``c`` that holds what ``question`` asks for, where ``c`` does not:
        "Support for TLSv1.3 added." answers "Which release added TLSv1.3?" under "Major
        changes between OpenSSL 1.1.0i and OpenSSL 1.1.1" (a changelog, release notes). The
        innermost such heading, else ""; or the heading ``c`` names only as "this command"
        (``_heading_named_as``)."""
        if (named := self._heading_named_as(question, c)) is not None:
            return named
        kind = question_kind(question)
        version = asks_version(question)
        # A figure of the entry's own ("(#462)", "WCAG 2.1") is not the release it is under:
        # for a version, the heading is shown unless the sentence names the heading's figures.
        if kind not in ("number", "date") or not version and c.features[_TYPE] >= 1:
            return ""
        entry = self.index.section(self.index.chunks[c.position].source, c.start)
        if entry is None:
            return ""
        asked = set(words(question))
        said = set(NUMBER.findall(c.text))
        for heading in reversed(entry[1].split(SECTION_SEP)):
            named = SECTION_NUMBER.sub("", heading)
            if type_match(kind, read_sentence(named), asked) >= 1:
                if version and set(NUMBER.findall(named)) <= said:
                    return ""
                return heading
        return ""

    def _heading_named_as(self, question: str, c: Candidate) -> str | None:
        """The heading ``c`` points at as what the question asks for, or None: "This command
        moves your changes to the staging area." under "Git Add" answers "Which Git command
        puts changes in the staging area?" only with its heading."""
        opener = _DEMONSTRATIVE.match(c.text)
        if opener is None or not _WHICH_THING.match(question):
            return None
        noun = opener.group(1).lower().removesuffix("s")
        if noun not in {w.lower().removesuffix("s") for w in focus_words(question)[:2]}:
            return None
        entry = self.index.section(self.index.chunks[c.position].source, c.start)
        heading = entry[1].rsplit(SECTION_SEP, 1)[-1] if entry else ""
        said = set(words(c.text.lower()))
        return heading if heading and not set(words(heading.lower())) <= said else None

    def _cite(self, number: int, c: Candidate, same: list[Candidate]) -> Citation:
        """Citation ``number`` for ``c``; ``same`` are sentences elsewhere saying the same."""
        chunk = self.index.chunks[c.position]
        title, date = self.index.title_date(chunk.source)
        twins = {
            (self.index.chunks[o.position].source, o.start): o
            for o in same
            if o is not c and self.index.chunks[o.position].source != chunk.source
        }
        also = tuple(
            self.index.location(src, o.start, o.end) for (src, _), o in sorted(twins.items())
        )
        ctx_start, ctx_end = self._context(c)
        page, section = self.index.place(chunk.source, c.start)
        return Citation(
            number=number,
            source=chunk.source,
            start=c.start,
            end=c.end,
            snippet=c.text,
            score=round(c.score, 4),
            title=title,
            date=date,
            context=self.index.original(c.position, ctx_start, ctx_end),
            context_start=ctx_start,
            also_in=also,
            page=page,
            section=section,
        )

    def _context(self, c: Candidate) -> tuple[int, int]:
        """The cited sentence with its neighbours in the same paragraph of the chunk."""
        chunk = self.index.chunks[c.position]
        spans = list(chunk.sentences)
        i = next(k for k, s in enumerate(spans) if s.start == c.start)
        lo, hi = i, i
        while hi + 1 < len(spans) and spans[hi + 1].end <= c.end:
            hi += 1  # a lead-in quoted with the lines it introduces
        if lo > 0 and self._same_paragraph(c.position, spans[lo - 1].end, spans[lo].start):
            lo -= 1
        if hi + 1 < len(spans) and self._same_paragraph(
            c.position, spans[hi].end, spans[hi + 1].start
        ):
            hi += 1
        return spans[lo].start, spans[hi].end

    def _same_paragraph(self, position: int, gap_start: int, gap_end: int) -> bool:
        gap = self.index.original(position, gap_start, gap_end)
        return len(gap) <= 3 and not gap.strip() and "\n\n" not in gap


def _row_said(asked: set[str], pairs: list[tuple[str, str]], kind: str = "other") -> str:
    """A table's row as the reader reads it best for the question (``asked``: its terms;
    ``kind``: what it asks for, ``question_kind``).

    Where the question names the row by its first cell, what the row is about, the row is a
    sentence of the columns the question names: "The Codename of 12.x is Erbium." for "What
    is the codename of Node.js 12.x?" (logit 1.3, read as "Release: 12.x; Codename: Erbium"
    -1.0). Where it names the row by another cell, it asks for the first ("Which city is
    twinned with Yashiro?"): the first cell, that one and the columns named, labelled
    ("City: Olympia; Sister city: Yashiro", 2.3; as "The Sister city of Olympia is Yashiro."
    0.6); with every other cell it names, and the cells of the kind it asks for where none
    of those is one: "How much did the council pay Birmingham City Council for the Festive
    Lights 2017?" reads the payee, the details and the amount."""
    pairs = [(label, _PLAIN_CELL.sub(_unmarked, value).strip()) for label, value in pairs]
    pairs = [(label, value) for label, value in pairs if _WORD_CHAR.search(value)]  # not "-"
    # A table's ISO date read as a question writes it: "2024-03-09 (9 March 2024)".
    pairs = [(label, f"{v} ({said})" if (said := in_words(v)) else v) for label, v in pairs]
    if len(pairs) < 2:
        return ""
    shared = [len(asked & set(terms(value))) for _, value in pairs]
    key = max(range(len(pairs)), key=lambda k: (shared[k], -k))
    named = [k for k, (label, _) in enumerate(pairs) if k != key and asked & set(terms(label))]
    if key > 0:
        shown = {0, *named, *(k for k in range(len(pairs)) if shared[k])}
        if kind in _CELL_KINDS and not any(_CELL_KINDS[kind](pairs[k][1]) for k in shown - {0}):
            shown |= {k for k, (_, value) in enumerate(pairs) if _CELL_KINDS[kind](value)}
        return labelled([pairs[k] for k in sorted(shown)])
    said = [pairs[k] for k in named or range(1, len(pairs)) if pairs[k][0]]
    if not said:
        return ""
    (label, value), *others = said
    return f"The {label} of {pairs[0][1]} is {value}" + "".join(
        f", the {label} is {value}" for label, value in others
    ) + "."


# What a cell holds of the kinds a question may ask for (``question_kind``).
_CELL_KINDS = {
    "number": lambda value: NUMBER.search(value) is not None and not DATE.search(value),
    "date": lambda value: DATE.search(value) is not None,
}


def _unmarked(m: re.Match[str]) -> str:
    return m.group(1) if m.group(1) is not None else m.group(3)


def reread(head: list[Candidate], logits: np.ndarray, rank: Linear) -> list[Candidate]:
    """The leading candidates ``head`` with the reader's ``logits``, best first by ``rank``
    over (their rank score, the logit)."""
    scores = rank(np.column_stack([[c.rank_score for c in head], logits]))
    read = [
        replace(c, rank_score=float(s), reader=float(r)) for c, s, r in zip(head, scores, logits)
    ]
    return sorted(read, key=lambda c: -c.rank_score)


@lru_cache(maxsize=1024)
def _heading_terms(path: str) -> frozenset[str]:
    return frozenset(terms(path))


@lru_cache(maxsize=256)
def _name_pattern(name: str) -> re.Pattern[str]:
    """``name`` as a whole token: "3.0.16" is not in "3.0.160", nor "tlsv1.3" in "tlsv1.30";
    an option in its own case ("-v" is not "-V")."""
    flags = 0 if name.startswith("-") else re.IGNORECASE
    return re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-]|\.\w)", flags)


def _index_of(spans: Sequence[Span], start: int) -> int | None:
    """Which of a chunk's sentence ``spans`` starts at ``start``, if one does."""
    return next((k for k, s in enumerate(spans) if s.start == start), None)


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-float(z)))


def _cached(cache: dict[K, V], key: K, make: Callable[[], V]) -> V:
    """``cache[key]``, made on first use; a full cache is emptied rather than grown."""
    value = cache.get(key)
    if value is None:
        if len(cache) >= CACHED_CHUNKS:
            cache.clear()
        value = cache[key] = make()
    return value


def _counted_terms(question: str) -> set[str]:
    """What a how-many question counts: the terms right after "how many", "number of" or
    "how much" and a noun ("How much test coverage ...": a rival figure must be of coverage,
    not "HTTP/1.1"; "How much does it cost?" names no such noun)."""
    m = _COUNTED.search(question)
    if m:
        return set(terms(m.group(1)))
    # "How long ...?", "How far ...?": a figure of time or length ("12 months", "5 km"), not
    # "Obsidian version 1.7".
    return set(_UNITS) if _MEASURED.search(question) else set()


_MEASURED = re.compile(r"\bhow (?:long|far|old|often|tall|high|wide|deep)\b", re.IGNORECASE)
_UNITS = frozenset(
    terms(
        "second seconds sec secs s minute minutes min mins hour hours hr hrs h day days week "
        "weeks month months year years yr yrs decade decades century centuries ms millisecond "
        "milliseconds times meter meters metre metres m km kilometer kilometers kilometre "
        "kilometres mile miles mi foot feet ft inch inches in cm mm yard yards"
    )
)
_COUNTED = re.compile(
    r"\b(?:how many|number of|how much(?!\s+(?:did|does|do|is|was|were|are|will|would|has|have"
    r"|had|can|could|should|more|less)\b))\s+((?:[\w./’'-]+\s*){1,4})",
    re.IGNORECASE,
)


def _terms_after(sentence: str, value: str) -> set[str]:
    """Terms of the few words following the figure ``value`` in ``sentence``."""
    for m in NUMBER.finditer(sentence):
        if m.group().replace(",", "") == value:
            return set(terms(" ".join(sentence[m.end() :].split()[:3])))
    return set()


@lru_cache(maxsize=4096)
def spoken_name(source: str) -> str:
    """A file's name as words ("docs/pytest_README.rst": "pytest README"), or "" when it has
    none: names of numbers and hashes ("001_7391625d5ac1e584.txt", SQuAD's "003.txt") say
    nothing about what a sentence is about."""
    stem = PurePosixPath(source).stem
    return " ".join(w for w in re.split(r"[\W_]+", stem) if w.isalpha())


def _main_number(sentence: str, q_words: set[str]) -> str | None:
    """The first figure in a sentence that is not a year and not in the question."""
    for n in NUMBER.findall(sentence):
        plain = n.replace(",", "")
        if _YEAR.match(plain) or plain in q_words:
            continue
        return plain
    return None


def _same_statement(a: str, b: str) -> bool:
    """Near-duplicate sentences: most content words of the shorter one appear in the longer one.

    Function words are left out: "This is to help interoperability." shares four of its five
    words with any long sentence saying "help", "this", "is" and "to". A list item of a word
    or three ("requests") is not a statement any sentence using those words repeats.
    """
    wa, wb = _content_words(a), _content_words(b)
    if min(len(wa), len(wb)) < STATEMENT_WORDS:
        return wa == wb and bool(wa)
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.8


@lru_cache(maxsize=8192)
def _content_words(text: str) -> frozenset[str]:
    # Every quoted sentence is compared with every candidate: each text is read once.
    return frozenset(words(text)).difference(STOPWORDS)


def _outermost(quoted: list[Candidate]) -> list[Candidate]:
    """``quoted`` less any sentence a lead-in quoted with it already quotes."""
    return [
        c
        for c in quoted
        if not any(
            o is not c and o.position == c.position and o.start <= c.start and c.end <= o.end
            for o in quoted
        )
    ]


def _defers(text: str) -> bool:
    """A short sentence that leaves the answer to the next ("It depends on your plan."),
    read after any heading joined above it."""
    said = shown_statement(text)
    return len(said.split()) <= 12 and _DEFERS.fullmatch(said) is not None


def _asks(text: str) -> bool:
    """A question in a document (an FAQ's, or "But what else does Gradio include?") asks
    rather than answers: quoted, it comes with the sentence after it, as a lead-in does."""
    return _last_mark(text) == "?"


def _ends_statement(text: str) -> bool:
    """A sentence of prose (or another lead-in), as opposed to a list item or a command."""
    return _last_mark(text) in (".", "!", "?", ":")


def _last_mark(text: str) -> str:
    """The last character of ``text`` before closing quotes, brackets and markup."""
    return text.rstrip().rstrip("\"'”’)*_`")[-1:]


def _label(c: Citation) -> str:
    name = c.title or c.source
    return f"{name}, {c.date}" if c.date else name


def _under(heading: str) -> str:
    """What stands before a quote (and before the sentence the reader reads): the heading
    that gives what it does not, if any."""
    return f"{heading.rstrip().rstrip(':')}: " if heading else ""


def _over(c: Citation) -> str:
    """What stands over a quote: the heading that gives what it does not, the header of the
    table it is a row of (on a line of its own)."""
    return _under(c.heading) + (" | ".join(c.header) + "\n" if c.header else "")


def _answer_text(citations: list[Citation]) -> str:
    return "\n\n".join(f"{_over(c)}{c.snippet} [{c.number}]" for c in citations)


def _conflict_text(citations: list[Citation]) -> str:
    lines = ["The documents give different figures (newest first):"]
    lines += [f"- {_over(c)}{c.snippet} [{c.number}] ({_label(c)})" for c in citations]
    return "\n".join(lines)


def _abstain_text(passages: list[Passage]) -> str:
    if not passages:
        return NOT_FOUND
    return f"{NOT_FOUND} The closest passages are listed below."
