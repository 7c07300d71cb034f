"""Typed records passed between pipeline stages.

Every span is a pair of character offsets into the document's original text, as
``open(path, encoding=doc.encoding).read()`` returns it (for PDF, HTML and DOCX:
into the extracted text, ``Assistant.document_text(source)``), so that
``text[start:end]`` is the exact quoted string.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` in a document's original text."""

    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """One source file, decoded, with metadata found in its text.

    ``source`` is the path relative to the corpus folder (POSIX separators);
    ``text`` is the full decoded file (universal newlines, as ``open().read()``);
    ``blocks`` are the spans of article text that survived cleaning, in order.
    For a converted format (PDF, HTML, DOCX) ``text`` is the extracted text, and
    the spans point into it.
    """

    source: str
    text: str
    encoding: str
    sha256: str
    blocks: tuple[Span, ...]
    title: str | None = None
    date: str | None = None  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    # Where each page starts in ``text`` (PDF), and each heading's section from its offset on:
    # ``(offset, "Installation › From source")``, in order.
    pages: tuple[int, ...] = ()
    sections: tuple[tuple[int, str], ...] = ()
    headings: tuple[Span, ...] = ()  # blocks that are a heading alone: searched, never quoted
    converted: bool = False  # ``text`` was extracted (PDF, HTML, DOCX, NEWS.gz), not the file


@dataclass(frozen=True)
class SkippedFile:
    """A file the loader did not index, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class Chunk:
    """A retrieval unit: consecutive sentences of one document.

    ``text`` is the sentences joined by single spaces (debris between them is
    never included); ``sentences`` are their spans in the original file.
    """

    chunk_id: str
    source: str
    text: str
    start: int
    end: int
    sentences: tuple[Span, ...]


@dataclass(frozen=True)
class Location:
    """Where a passage's text can be found: a file and a span in it."""

    source: str
    start: int
    end: int
    title: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score.

    ``also_in`` lists the other places holding a near-duplicate of this
    passage (collapsed into this one hit).
    """

    chunk_id: str
    source: str
    text: str
    start: int
    end: int
    score: float
    title: str | None = None
    date: str | None = None
    sentences: tuple[Span, ...] = ()
    also_in: tuple[Location, ...] = ()
    page: int | None = None  # 1-based page of ``start`` (PDF)
    section: str | None = None  # heading path at ``start``, e.g. "Install › From source"


@dataclass(frozen=True)
class Citation:
    """One quoted sentence: ``snippet == text_of(source)[start:end]``."""

    number: int
    source: str
    start: int
    end: int
    snippet: str
    score: float
    title: str | None = None
    date: str | None = None
    context: str = ""  # the passage around the snippet, for display
    context_start: int = 0  # offset of ``context`` in the source file
    also_in: tuple[Location, ...] = ()
    page: int | None = None  # 1-based page of the snippet (PDF)
    section: str | None = None  # heading path of the snippet, e.g. "Install › From source"
    # The heading over the snippet that says what the question asks and the snippet does not
    # (the release a changelog's entry belongs to): shown before the quote.
    heading: str = ""
    # The header of the table the snippet is a row of ("City", "Sister city"): shown over it.
    header: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """What ``Assistant.ask`` returns.

    ``text`` is markdown quoting the cited sentences with ``[n]`` markers;
    ``abstained`` is true when the documents do not hold the answer, in which
    case ``passages`` still lists the closest ones.
    """

    question: str
    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    passages: tuple[Passage, ...] = ()
    conflict: bool = False
    resolved_question: str = ""  # the query actually searched, after follow-up resolution
    notes: tuple[str, ...] = field(default_factory=tuple)
    confidence: float = 0.0  # how likely the documents answer it (the abstention model)
    # "read": the reader reranked the leading sentences; "skipped": the features were sure
    # enough; None: no reader in use.
    reader: str | None = None

    def to_dict(self) -> dict:
        """A JSON-friendly dict of this answer."""
        from dataclasses import asdict

        return asdict(self)
