"""Property tests (hypothesis): offsets are exact for any text, citations exact for any question.

Text goes through the real path: bytes written to a file, ``load_folder`` (decode + clean),
``chunk_document``. Questions go through ``Assistant.ask`` on the seeds with the real model.
Example counts are kept small so each test takes seconds.
"""

from __future__ import annotations

import html
import itertools
import tempfile
from pathlib import Path

from citations import assert_cited_exactly, source_text
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from askseeds.errors import EmptyQueryError
from askseeds.ingest.chunk import chunk_document
from askseeds.ingest.clean import clean
from askseeds.ingest.load import NOTHING_LEFT, decode, load_folder
from askseeds.web.render import esc, render_answer, render_sources

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

WORDS = [
    "The",
    "mayor",
    "of",
    "Tacoma",
    "said",
    "U.S.",
    "St.",
    "Louis",
    "Dr.",
    "Smith",
    "1.5",
    "million",
    "e.g.",
    "cooperation",
    "sister",
    "cities",
    "Hangzhou",
    "“quoted”",
    "(note)",
    "中美",
    "友好城市。",
    "مدينة",
    "café",
    "naïve",
    "e\u0301",
    "👍🏽",
    "\u200b",
    "—",
    "...",
    "?!",
    "#",
    "##",
    "-",
    "*",
    "1.",
    ">",
    "|",
    "```",
    "<b>",
    "&amp;",
    "[x](y)",
]
SEPARATORS = [
    " ",
    " ",
    " ",
    ". ",
    "? ",
    "! ",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "\r\n\r\n",
    "\t",
    "\u00a0",
    "\u2028",
    "\u3000",
    "。",
]

prose = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=0, max_size=150
).map(lambda parts: "".join(w + s for w, s in parts))
anything = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=600,
)
texts = st.one_of(prose, anything, st.lists(st.one_of(prose, anything), max_size=4).map("".join))
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]


def _load_one(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "note.txt"
        path.write_bytes(data)
        docs, skipped = load_folder(tmp)
        if not docs:
            return None, skipped, None
        (doc,) = docs
        with open(path, encoding=doc.encoding) as fh:  # what a citation's reader does
            reread = fh.read()
        return doc, skipped, reread


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, encoding=st.sampled_from(ENCODINGS), chunk_tokens=st.sampled_from([8, 64, 256]))
@example(
    text="Mr. Smith went to Washington.\r\nHe met the U.S. envoy.\r\n",
    encoding="utf-8",
    chunk_tokens=8,
)
@example(text="\ufeffBOM first. Then text.", encoding="utf-8", chunk_tokens=64)
@example(text="0", encoding="utf-16-le", chunk_tokens=8)  # a 2-byte file was "binary"
def test_chunk_spans_cover_the_cleaned_text_and_map_back_to_the_file(text, encoding, chunk_tokens):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    doc, skipped, reread = _load_one(data)
    if doc is None:
        (skip,) = skipped
        if skip.reason == "binary file (NUL bytes)":
            # Without a BOM, UTF-16 is told from binary by where its NUL bytes sit; text whose
            # characters put NULs on both sides (U+0100, U+4E00, ...) is refused, not garbled.
            assert encoding == "utf-16-le" and b"\x00" in data, (text, encoding)
        elif skip.reason == NOTHING_LEFT:
            assert not clean(decode(data)[0]).blocks  # only debris (a footer, a date line)
        else:
            assert skip.reason == "empty file" and not text.strip(), skipped
        return
    # The loaded text is exactly what opening the file with the recorded encoding gives.
    assert doc.text == reread
    if encoding in ("utf-8", "utf-16") and not text.startswith("\ufeff"):
        assert doc.text == text.replace("\r\n", "\n").replace("\r", "\n")

    # Cleaning selects spans of the file, in order, without overlap.
    prev_end = 0
    for block in doc.blocks:
        assert prev_end <= block.start < block.end <= len(doc.text)
        prev_end = block.end

    chunks = chunk_document(doc, chunk_tokens, chunk_tokens // 4)
    seen = []  # every sentence once, in chunk order (overlap repeats dropped)
    for chunk in chunks:
        sents = chunk.sentences
        assert sents and chunk.start == sents[0].start and chunk.end == sents[-1].end
        assert chunk.text == " ".join(reread[s.start : s.end] for s in sents)
        for s in sents:
            piece = reread[s.start : s.end]
            assert piece and piece == piece.strip()
            assert any(b.start <= s.start and s.end <= b.end for b in doc.blocks)
        new = [s for s in sents if not seen or s.start >= seen[-1].end]
        assert list(sents[len(sents) - len(new) :]) == new, "overlap only at the chunk start"
        seen.extend(new)
    for a, b in itertools.pairwise(seen):
        assert a.end <= b.start
    # Together the sentences hold every non-space character of the cleaned blocks.
    covered = set()
    for s in seen:
        covered.update(range(s.start, s.end))
    for block in doc.blocks:
        for i in range(block.start, block.end):
            assert reread[i].isspace() or i in covered, (i, reread[block.start : block.end])


SEED_WORDS = sorted({w for p in SEEDS.glob("*.txt") for w in p.read_text().split()[:300]})
questions = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(SEED_WORDS), min_size=1, max_size=30).map(" ".join),
    st.lists(st.one_of(st.sampled_from(SEED_WORDS), st.text(max_size=5)), max_size=20).map(
        " ".join
    ),
)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(question=questions)
@example(question="Who is the mayor of Tacoma?")
@example(question="How many sister city pairs have China and the United States established?")
def test_any_question_gets_exact_citations(bot, question):
    try:
        answer = bot.ask(question)
    except EmptyQueryError as exc:
        assert "question" in str(exc)
        return
    assert answer.text.strip()
    assert answer.citations or answer.abstained
    assert [c.number for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert_cited_exactly(bot, answer)
    for p in answer.passages:
        text = source_text(bot, p.source)
        for s in p.sentences:
            assert text[s.start : s.end] in p.text
    # Whatever the question holds, the rendered page shows it as text, never as markup.
    page = render_answer(answer) + render_sources(answer)
    assert "<script" not in page.lower() and "](javascript" not in page


@settings(max_examples=300, deadline=None)
@given(text=st.text())
@example(text='Beijing\'s "top" envoy & <b>[x](javascript:alert(1))</b> &#x27; #1')
def test_escaped_text_reads_back_exactly_and_holds_no_markup(text):
    out = esc(text)
    assert html.unescape(out) == text  # a browser shows exactly the original characters
    for ch in "<>\"'[]()`*_!":
        assert ch not in out
    assert "&&" not in out
