"""Tests for sentence splitting and chunking (askseeds.ingest.chunk)."""

from __future__ import annotations

import hashlib
import re
import time
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askseeds.errors import ConfigError
from askseeds.ingest.chunk import chunk_document, count_tokens, sentences_of, split_sentences
from askseeds.types import Chunk, Document, Span

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


def make_doc(text: str, source: str = "doc.txt", by: str = "line") -> Document:
    """A Document whose blocks are its non-empty lines, or its blank-line paragraphs."""
    pattern = r"[^\n]*\S[^\n]*" if by == "line" else r"\S(?:.|\n(?![ \t]*\n))*"
    blocks = tuple(Span(m.start(), m.end()) for m in re.finditer(pattern, text))
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(source, text, "utf-8", sha, blocks)


def seed_docs(by: str = "line") -> list[Document]:
    return [make_doc(p.read_text(encoding="utf-8"), p.name, by) for p in SEEDS]


def texts(text: str, spans: list[Span] | tuple[Span, ...]) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def check_sentences(text: str, block: Span, spans: list[Span]) -> None:
    """The split_sentences contract: stripped, ordered, inside, covering."""
    pos = block.start
    covered = set()
    for s in spans:
        assert block.start <= pos <= s.start < s.end <= block.end
        piece = text[s.start : s.end]
        assert piece == piece.strip() and piece
        covered.update(range(s.start, s.end))
        pos = s.end
    for k in range(block.start, min(block.end, len(text))):
        assert text[k].isspace() or k in covered, (k, text[k])


def check_chunks(doc: Document, chunks: list[Chunk], chunk_tokens: int) -> None:
    ids = [c.chunk_id for c in chunks]
    assert len(set(ids)) == len(ids)
    assert ids == [f"{doc.sha256[:16]}-{i:05d}" for i in range(len(chunks))]
    seen: set[Span] = set()
    last_first = -1
    for c in chunks:
        assert c.sentences and c.source == doc.source
        assert c.text == " ".join(texts(doc.text, c.sentences))
        assert (c.start, c.end) == (c.sentences[0].start, c.sentences[-1].end)
        assert all(a.end <= b.start for a, b in pairwise(c.sentences))
        assert c.sentences[0].start > last_first  # every chunk makes progress
        last_first = c.sentences[0].start
        assert count_tokens(c.text) <= chunk_tokens, c.text
        seen.update(c.sentences)
    # Every sentence (or, for an over-long one, each of its pieces) is in some chunk.
    covered = {k for s in seen for k in range(s.start, s.end)}
    for s in sentences_of(doc):
        assert all(doc.text[k].isspace() or k in covered for k in range(s.start, s.end))


# --- sentence splitting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'Mr. Smith met Dr. Jones. He said "hi." Then he left! Really? yes.',
            ["Mr. Smith met Dr. Jones.", 'He said "hi."', "Then he left!", "Really? yes."],
        ),
        (
            '"We hope the U.S. will help," Wang said. J. K. Rowling wrote it.',
            ['"We hope the U.S. will help," Wang said.', "J. K. Rowling wrote it."],
        ),
        ("It was 3.14 p.m. The end.", ["It was 3.14 p.m.", "The end."]),
        (
            "St. Louis is No. 5 in the U.K. Sister list.",
            ["St. Louis is No. 5 in the U.K. Sister list."],
        ),
        (
            "He moved to the U.S. The next year he left the U.S.",
            ["He moved to the U.S.", "The next year he left the U.S."],
        ),
        ("Gen. Lee, Sen. Ma, Rep. Li, Gov. Wu, Prof. Xu and Mrs. Lu came.", None),
        ("Acme Inc. and Foo Ltd. and Bar Co. and Baz Corp. met Sam Jr. and Sr. Lee vs. Kim.", None),
        (
            "Fruit, e.g. apples, i.e. food. On Sept. 11 and Jan. 5 and Dec. 1 it rained.",
            ["Fruit, e.g. apples, i.e. food.", "On Sept. 11 and Jan. 5 and Dec. 1 it rained."],
        ),
        ("Wait... Nothing... Then it came.", ["Wait... Nothing...", "Then it came."]),
        (
            "Apples, pears, etc. are fruit. Milk, bread, etc. Then we left.",
            ["Apples, pears, etc. are fruit.", "Milk, bread, etc.", "Then we left."],
        ),
        ("他来了。她走了！真的吗？是的", ["他来了。", "她走了！", "真的吗？", "是的"]),
        (
            "Headline\nBody text. Second line\nends here.\nlower next.",
            ["Headline\nBody text.", "Second line\nends here.", "lower next."],
        ),
        (
            "“If you link each pair, you will see it. The end is near.” Next one.",
            ["“If you link each pair, you will see it.", "The end is near.”", "Next one."],
        ),
        (
            "Price rose 2.5%. 2024 was good. (Reuters) Done.",
            ["Price rose 2.5%.", "2024 was good.", "(Reuters) Done."],
        ),
        ("   \n  ", []),
    ],
)
def test_split_examples(text: str, expected: list[str] | None) -> None:
    spans = split_sentences(text, Span(0, len(text)))
    check_sentences(text, Span(0, len(text)), spans)
    assert texts(text, spans) == (expected if expected is not None else [text])


def test_split_respects_block_offsets() -> None:
    text = "Junk. Before. " + "One here. Two there.  " + "After. Junk."
    block = Span(14, 14 + len("One here. Two there.  "))
    spans = split_sentences(text, block)
    assert texts(text, spans) == ["One here.", "Two there."]
    assert spans[0].start == 14


@pytest.mark.parametrize("by", ["line", "paragraph"])
def test_seed_sentences_exact_and_covering(by: str) -> None:
    for doc in seed_docs(by):
        assert doc.blocks
        all_spans = sentences_of(doc)
        assert all(a.end <= b.start for a, b in pairwise(all_spans))
        for block in doc.blocks:
            check_sentences(doc.text, block, split_sentences(doc.text, block))


@pytest.mark.parametrize("by", ["line", "paragraph"])
def test_seed_abbreviations_do_not_end_sentences(by: str) -> None:
    for doc in seed_docs(by):
        for block in doc.blocks:
            for s in split_sentences(doc.text, block):
                if re.search(r"(U\.S\.|U\.K\.|St\.)$", doc.text[s.start : s.end]):
                    assert doc.text[s.end : block.end].strip() == "", doc.text[s.start : s.end]


def test_seed_st_louis_sentence_is_whole() -> None:
    sents = [t for d in seed_docs() for t in texts(d.text, sentences_of(d))]
    hits = [
        t for t in sents if t.startswith("In the same year, Hubei Province and Ohio State became")
    ]
    assert hits == [
        (
            "In the same year, Hubei Province and Ohio State became the first province-state pair, "
            "while Jiangsu’s Nanjing and Missouri’s St. Louis became the first pair of sister cities, "
            "establishing the tradition of friendly exchanges between the two countries at the local "
            "level."
        )
    ]
    assert any("U.S. President Richard Nixon’s historic visit" in t for t in sents)


def test_seed_quotes_stay_with_their_sentence() -> None:
    sents = [t for d in seed_docs() for t in texts(d.text, sentences_of(d))]
    assert any(
        t.startswith("We also hope that the U.S.") and t.endswith('cooperation," Wang said.')
        for t in sents
    )
    assert (
        "The resilience of our sister cities is the resilience of China-U.S. relations, and the "
        "closeness of our sister-city relations stands for the closeness of China-U.S. relations.”"
        in sents
    )
    assert not any(t[0] in "”’" for t in sents)


# --- tokens and chunks ---------------------------------------------------------------


def test_count_tokens() -> None:
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    assert count_tokens("<|endoftext|>") > 1  # special tokens are plain text here


@pytest.mark.parametrize(("size", "overlap"), [(16, 4), (64, 16), (128, 32), (300, 0)])
def test_seed_chunks(size: int, overlap: int) -> None:
    overlapped = 0
    for doc in seed_docs("paragraph"):
        chunks = chunk_document(doc, size, overlap)
        check_chunks(doc, chunks, size)
        assert chunk_document(doc, size, overlap) == chunks  # stable ids and content
        shared = [set(a.sentences) & set(b.sentences) for a, b in pairwise(chunks)]
        overlapped += sum(map(bool, shared))
        if overlap == 0:
            assert not any(shared)
        else:
            for a, b, common in zip(chunks, chunks[1:], shared):
                assert set(b.sentences[: len(common)]) == common  # overlap is a prefix
                assert sum(count_tokens(doc.text[s.start : s.end]) for s in common) <= overlap
                assert common != set(a.sentences)
    assert (overlapped > 0) == (overlap > 0)


def test_chunks_cross_blocks_and_overlap_whole_sentences() -> None:
    text = "Alpha one. Beta two.\n\nGamma three. Delta four.\n\nEpsilon five."
    doc = make_doc(text, by="paragraph")
    chunks = chunk_document(doc, 12, 4)
    check_chunks(doc, chunks, 12)
    assert chunks[0].text == "Alpha one. Beta two. Gamma three."
    assert chunks[1].text.startswith("Gamma three.")  # the trailing sentence repeats
    whole = chunk_document(doc, 10_000, 9_999)
    assert len(whole) == 1 and whole[0].end == len(text)


def test_long_sentence_split_at_whitespace() -> None:
    text = "Start. " + " ".join(f"word{i}" for i in range(400)) + " end. Tail."
    doc = make_doc(text)
    chunks = chunk_document(doc, 20, 5)
    check_chunks(doc, chunks, 20)
    for c in chunks:
        for s in c.sentences:
            assert text[s.start : s.end] == text[s.start : s.end].strip()
            assert s.start == 0 or text[s.start - 1].isspace()  # cut at whitespace only


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # Markup before a sentence's first letter does not hide where it starts.
        ("Return the status. _Black_ will exit with:", ["Return the status.", "_Black_ will exit with:"]),
        ("It is fast. **Note** that it is slow.", ["It is fast.", "**Note** that it is slow."]),
        ("Run it. `--diff` shows the changes.", ["Run it.", "`--diff` shows the changes."]),
        # An emphasised field after a sentence on its line is that sentence's.
        ("Delay between checks. **Default:** *0.25*.", ["Delay between checks. **Default:** *0.25*."]),
        ("It is done. Note: this is it.", ["It is done.", "Note: this is it."]),
        ("Use *the* tool. *really* fine.", ["Use *the* tool. *really* fine."]),  # lowercase goes on
        ("See e.g. `foo` here.", ["See e.g. `foo` here."]),
    ],
)
def test_markdown_markup_around_sentence_starts(text: str, sentences: list[str]) -> None:
    block = Span(0, len(text))
    spans = split_sentences(text, block)
    check_sentences(text, block, spans)
    assert texts(text, spans) == sentences


def test_unsplittable_run_cut_by_characters() -> None:
    text = "Before. " + "x7Qz" * 3000 + " after."
    doc = make_doc(text)
    chunks = chunk_document(doc, 16, 4)
    check_chunks(doc, chunks, 16)


def test_bad_settings() -> None:
    doc = make_doc("Hi.")
    with pytest.raises(ConfigError):
        chunk_document(doc, 0, 0)
    with pytest.raises(ConfigError):
        chunk_document(doc, 10, -1)
    assert chunk_document(make_doc(""), 10, 2) == []


def test_large_document_is_fast() -> None:
    base = "\n\n".join(p.read_text(encoding="utf-8") for p in SEEDS)
    text = "\n\n".join([base] * max(1, 5_000_000 // len(base)))  # ~5 MB
    doc = make_doc(text, by="paragraph")
    t0 = time.perf_counter()
    chunks = chunk_document(doc, 128, 32)
    elapsed = time.perf_counter() - t0
    assert chunks and chunks[-1].end <= len(text)
    assert elapsed < 15, f"{elapsed:.1f}s for {len(text)} chars"


# --- properties ----------------------------------------------------------------------

ALPHABET = st.sampled_from(
    list("aZ .!?\n\t ,'\"”’“(0)3。！？") + ["U.S.", "St.", "Mr.", "e.g.", "...", " The", "x\u3000"]
)
TEXT = st.lists(ALPHABET, max_size=60).map("".join) | st.text(max_size=80)
WORDY = st.lists(
    st.sampled_from(["The", "cat", "sat.", "U.S.", "Dr.", "a", "?", "\n", "said.”", "word" * 30]),
    max_size=80,
).map(" ".join)


@given(TEXT, st.data())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_prop_split_sentences(text: str, data: st.DataObject) -> None:
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    check_sentences(text, Span(a, b), split_sentences(text, Span(a, b)))


@given(WORDY | TEXT, st.integers(1, 40), st.integers(0, 60))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_prop_chunks(text: str, size: int, overlap: int) -> None:
    doc = make_doc(text, by="paragraph")
    chunks = chunk_document(doc, size, overlap)
    # A single character may exceed a tiny budget on its own (e.g. a rare CJK char).
    if all(count_tokens(ch) <= size for ch in set(text)):
        check_chunks(doc, chunks, size)
    else:
        assert [c.chunk_id for c in chunks] == [
            f"{doc.sha256[:16]}-{i:05d}" for i in range(len(chunks))
        ]


def test_a_chunk_fits_its_budget_as_joined_not_only_as_summed() -> None:
    # Found by test_prop_chunks: "。" and " ,’”0" cost 1 + 1 + 2 apart, 5 joined.
    doc = make_doc("。 ,’”0", by="paragraph")
    chunks = chunk_document(doc, 4, 0)
    assert all(count_tokens(c.text) <= 4 for c in chunks), [c.text for c in chunks]
    assert "".join(c.text for c in chunks).replace(" ", "") == "。,’”0"


def test_a_sentence_under_a_heading_is_pooled_with_it(tmp_path: Path) -> None:
    from askseeds.ingest.chunk import sentence_offsets
    from askseeds.ingest.load import load_folder

    (tmp_path / "manual.md").write_text(
        "# kilnctl\n\nkilnctl fires kilns.\n\n## Settings\n\n### HOLD_MINUTES\n\n"
        "How long the kiln holds its peak temperature.\nDefault: 20\n"
    )
    doc = load_folder(tmp_path)[0][0]
    (chunk,) = chunk_document(doc, 256, 32)
    spans = sentence_offsets(chunk, doc)
    by_text = {chunk.text[s[0] : s[1]]: s for s in spans}
    default = by_text["Default: 20"]
    assert chunk.text[default[2] : default[3]] == "HOLD_MINUTES"
    # The heading's own sentence, and sentences under no heading, are pooled alone.
    assert all(len(s) == 2 for t, s in by_text.items() if "HOLD_MINUTES" in t or "fires" in t)
    assert sentence_offsets(chunk) == [s[:2] for s in spans]
