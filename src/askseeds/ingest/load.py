"""Read a folder of documents into ``Document`` records.

Text files (.txt, .md, .markdown, .rst, .org, .adoc, and files named by convention rather
than by type: README, NEWS, INSTALL, README.Debian) are decoded so that
``open(path, encoding=doc.encoding).read()`` returns exactly ``doc.text`` (universal
newlines included): citations are offsets into that text. PDF, HTML, DOCX, ODT, PPTX and EPUB files,
Jupyter notebooks and manual pages are converted (``convert``, ``roff``), and any of them
may be compressed (gzip, bzip2, xz): citations then point into the extracted text, which
the index stores. Files that cannot be used are reported as ``SkippedFile`` with a reason a
person can act on, never raised.
"""

from __future__ import annotations

import bz2
import codecs
import errno
import gzip
import hashlib
import io
import json
import logging
import lzma
import os
import re
import stat
import unicodedata
import zlib
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from ..errors import CorpusError
from ..terms import terms
from ..types import Document, SkippedFile
from .clean import Cleaned, clean, common_lines
from .convert import CONVERTED_SUFFIXES, Extracted, extract
from .dates import parse_date
from .info import INFO_SUFFIX, is_info, read_info
from .mail import is_mailbox
from .roff import MAN_SUFFIX, read_man

__all__ = [
    "COMPRESSED_SUFFIXES",
    "FORMATS",
    "MAX_FILE_BYTES",
    "NOTHING_LEFT",
    "SIDECAR_NAME",
    "SUFFIXES",
    "TEXT_SUFFIXES",
    "decode",
    "document_suffix",
    "is_document_name",
    "legacy_codec",
    "load_folder",
    "named_text",
]

log = logging.getLogger(__name__)

SIDECAR_NAME = "askseeds-metadata.json"
# Read as they are: citations are offsets into the file's own text.
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".rst", ".org", ".adoc", ".asciidoc"})
_ASCIIDOC = frozenset({".adoc", ".asciidoc"})
SUFFIXES = TEXT_SUFFIXES | CONVERTED_SUFFIXES
# What askseeds reads, as its users name it, for every message that tells them (a test keeps it
# in step with SUFFIXES).
FORMATS = (
    "text and Markdown (.txt .md .rst .org .adoc), web pages (.html .mhtml), PDF, Word (.docx"
    " .doc), RTF, OpenDocument (.odt .odp .ods), PowerPoint (.pptx), spreadsheets and tables"
    " (.xlsx .xls .csv .tsv), EPUB, Jupyter notebooks (.ipynb), e-mail (.eml .mbox), LaTeX"
    " (.tex .bib), pictures of text (.png .jpg .tif ...), manual pages, Info manuals, files"
    " named like README or NEWS, and any of these compressed (.gz .bz2 .xz)"
)
# Any of them compressed, as Debian ships its documentation (NEWS.gz, README.md.gz): read as
# the file inside, named by what is left of the name. Citations point into the text the
# index keeps, as for a converted file.
COMPRESSED_SUFFIXES = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
# Files that say what they are by name, not by type: README, NEWS, INSTALL, COPYING, ChangeLog
# (no suffix), README.Debian, TODO.source (a name in capitals before the dot). They are read
# as plain text when their bytes are text; anything else so named (a program, an image) is
# passed over as silently as a file of another type. A name ending in "file" is a build
# recipe (Makefile, Dockerfile, Gemfile), and a file starting "#!" is a script.
_CAPITALS = re.compile(r"[A-Z][A-Z0-9_-]{2,}")
# A deliberate per-file cap. A MiB of prose makes about 1,000 passages, embedded at 10-30 a
# second on two CPU cores, so a 50 MB file would take about an hour, and such a file is far
# more likely a log or data dump than a document: it is skipped with a reason, never half-read.
MAX_FILE_BYTES = 10 * 2**20
NOTHING_LEFT = (
    "no text left after cleaning (only menus, footers, links, note properties or other page"
    " furniture)"
)
_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def load_folder(
    folder: str | Path, *, max_file_bytes: int = MAX_FILE_BYTES
) -> tuple[list[Document], list[SkippedFile]]:
    """Load every document (``SUFFIXES``) under ``folder``, recursively.

    Hidden files and folders (dot-prefixed), files with other extensions and
    files named like documents (README, NEWS) whose bytes are not text are
    ignored silently; documents that cannot be used (unreadable, binary,
    empty, larger than ``max_file_bytes``, not a regular file, symlinked from
    outside the folder, gone before they could be read, a broken, encrypted or
    image-only PDF, a DOCX zip bomb, nothing left after cleaning) are reported.

    Args:
        folder: the corpus folder.
        max_file_bytes: files larger than this are skipped (default 10 MiB).

    Returns:
        ``(documents, skipped)``, each sorted by ``source``. Both are empty for
        an empty folder: the caller decides whether that is an error.

    Raises:
        CorpusError: ``folder`` does not exist or is not a directory.
    """
    root = Path(folder).expanduser()
    if not root.exists():
        raise CorpusError(
            f"Document folder not found: {root}. Create it and put your documents in it, "
            "or pass the path of an existing folder."
        )
    if not root.is_dir():
        raise CorpusError(
            f"{root} is a file, not a folder. Pass the folder that holds your "
            "documents (for example its parent directory)."
        )
    real_root = root.resolve()
    overrides = _read_sidecar(root / SIDECAR_NAME)
    docs: list[Document] = []
    skipped: list[SkippedFile] = []
    read: list[_Read] = []
    for path, source in _walk(root, real_root, skipped):
        result = _load_file(path, source, max_file_bytes)
        if result is None:
            log.debug("passed over %s: named like a document, not text", source)
        else:
            (skipped if isinstance(result, SkippedFile) else read).append(result)
    common = common_lines([r.text for r in read])
    if common:
        log.info("%d lines recur across the files (shared menus, footers): left out", len(common))
    for item in read:
        result = _document(item, common)
        if isinstance(result, SkippedFile):
            skipped.append(result)
        else:
            docs.append(replace(result, **overrides.get(item.source, {})))
    for item in skipped:
        log.warning("skipped %s: %s", item.source, item.reason)
    docs.sort(key=lambda d: d.source)
    skipped.sort(key=lambda s: s.source)
    log.info("loaded %d documents from %s (%d skipped)", len(docs), root, len(skipped))
    return docs, skipped


def decode(data: bytes) -> tuple[str, str] | None:
    """Decode file bytes the way ``open(path, encoding=...)`` would read them.

    Tries a byte-order mark, strict UTF-8, BOM-less UTF-16, a legacy code page of a script
    other than Latin (``legacy_codec``), then a Latin one (``_latin``: cp1252, unless Central
    Europe's cp1250 or ISO-8859-2 reads its words better), then latin-1.

    Args:
        data: the raw file content.

    Returns:
        ``(text, codec_name)`` with universal newlines applied, or ``None`` when
        the bytes look binary (NUL bytes that are not UTF-16).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _read_as(data, codec)
            if text is not None:
                return text, codec
    # Before the NUL test: BOM-less UTF-16 text is full of NULs.
    codec = _utf16_without_bom(data)
    if codec:
        text = _read_as(data, codec)
        if text is not None:
            return text, codec
    if b"\x00" in data:  # valid UTF-8 too, but no text file holds NUL bytes
        return None
    text = _read_as(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    codec = legacy_codec(data)
    if codec:
        text = _read_as(data, codec)
        if text is not None:
            return text, codec
    return _latin(data)


def _latin(data: bytes) -> tuple[str, str]:
    """Bytes in a Latin code page: cp1252 (Western Europe's), unless Central Europe's reads
    them as words where it does not.

    Read as cp1252, Polish in cp1250 has symbols inside its words ("mó³", "wie¿a": "mół",
    "wieża"); read as the right code page, none. Text whose letters both read as letters stays
    cp1252: all German, French, Spanish, Italian, Portuguese, Dutch, Swedish and Danish, but
    also Czech, Hungarian, Croatian and Slovenian, a few letters wrong ("pøíliš"); bytes cp1252
    cannot read at all are latin-1. This machine's translated manual pages read back exactly
    for 118 of 120 Polish in cp1250 and ISO-8859-2, 11 of 14 Czech and 5 of 7 Slovenian in
    ISO-8859-2 (none before), and 212 of 212 in cp1252, as before.
    """
    codec = "cp1252"
    text = _read_as(data, codec)
    if text is None:
        codec, text = "latin-1", _read_as(data, "latin-1") or ""  # any bytes are latin-1
    odd = _inside_words(text)
    # Two kinds of symbol at least, each seen: Polish read so has "³", "¹" and "¿" in its
    # words, where a stray "a±b" is one.
    if len(odd) >= _MIN_ODD and len(set(odd)) >= 2:
        readings = [(t, c) for c in _CENTRAL_EUROPE if (t := _read_as(data, c)) is not None]
        counted = [(len(_inside_words(t)), t, c) for t, c in readings]
        if counted and 2 * (best := min(counted, key=lambda r: r[0]))[0] <= len(odd):
            return best[1], best[2]
    return text, codec


_CENTRAL_EUROPE = ("cp1250", "iso8859_2")  # Windows' first: it wins a tie
_MIN_ODD = 3
_BEYOND_ASCII_IN_A_WORD = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f](?=[^\W\d_])")


def _inside_words(text: str) -> list[str]:
    """The symbols and control characters beyond ASCII that stand between two letters ("³" in
    "mó³")."""
    found = _BEYOND_ASCII_IN_A_WORD.findall(text[:_SNIFF_BYTES])
    return [ch for ch in found if not ch.isalpha() and ch not in "’\u00ad"]


def legacy_codec(data: bytes) -> str | None:
    """The code page of bytes that are not UTF-8 where they spell a script other than Latin
    (GBK, Big5, Shift_JIS, EUC-KR, cp1251, KOI8-R, ...), as charset-normalizer guesses it;
    None for text in a Latin code page, which cp1252 reads.

    A Latin letter is one byte among ASCII ("café"): runs of bytes over 127 are those of
    another script, and only then is the guess asked for and believed, if what it decodes
    is letters of that script. This machine's translated manual pages encoded so read back
    exactly for 312 of 321 in Shift_JIS, EUC-JP, GBK, EUC-KR, cp1251 and KOI8-R, and for all
    212 in cp1252 (eight languages), of which charset-normalizer alone reads 95
    (``benchmarks/legacy_encodings.py``). A Latin code page is ``_latin``'s to tell; a note of
    a sentence or two may be too short to (KOI8-R's bytes spell half-width katakana in
    Shift_JIS)."""
    high = _HIGH_RUN.findall(data[:_SNIFF_BYTES])
    total = sum(len(r) for r in high)
    runs = sum(len(r) for r in high if len(r) > 1)
    if runs < _MIN_RUN_BYTES or runs < total / 2:
        return None
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:_SNIFF_BYTES]).best()
    if best is None or codecs.lookup(best.encoding).name not in _SCRIPT_CODECS:
        return None
    letters = [ch for ch in str(best) if ord(ch) > 127 and ch.isalpha()]
    # Past Latin Extended-B, and not the half-width katakana that a Cyrillic code page's
    # bytes spell in Shift_JIS (no text of this century is written in them).
    other = sum(ord(ch) > 0x24F and not 0xFF61 <= ord(ch) <= 0xFF9F for ch in letters)
    return best.encoding if letters and other >= 0.8 * len(letters) else None


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_SNIFF_BYTES = 256 * 1024
_MIN_RUN_BYTES = 16  # "Größe: 40 cm" is too little to tell (charset-normalizer: Urdu's cp1006)
# The code pages of the scripts people kept notes in before UTF-8 (Python's names for them).
_SCRIPT_CODECS = frozenset(
    codecs.lookup(name).name
    for name in (
        "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "hz", "shift_jis", "shift_jis_2004",
        "shift_jisx0213", "cp932", "euc_jp", "euc_jis_2004", "euc_jisx0213", "iso2022_jp",
        "euc_kr", "cp949", "johab", "iso2022_kr", "cp1251", "koi8_r", "koi8_u", "cp866",
        "iso8859_5", "mac_cyrillic", "cp1253", "iso8859_7", "cp1255", "iso8859_8", "cp1256",
        "iso8859_6", "tis_620", "cp874",
    )
)


def _read_as(data: bytes, codec: str) -> str | None:
    # TextIOWrapper applies the same universal-newline translation as open().
    try:
        return io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline=None).read()
    except (UnicodeDecodeError, UnicodeError):
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit mostly at odd/even byte positions."""
    if len(data) < 2 or len(data) % 2:  # one UTF-16 character is two bytes
        return None
    sample = data[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    pairs = len(sample) // 2
    if odd >= 0.3 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _walk(root: Path, real_root: Path, skipped: list[SkippedFile]):
    """Yield ``(path, source)`` of candidate files under ``root``, sorted by name.

    ``path`` is what to read: for a symlink, its (checked) target inside the folder.
    """
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError as exc:
            skipped.append(SkippedFile(_source(root, Path(folder)), _os_reason(exc)))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            source = _source(root, path)
            if not _is_utf8(source):
                # Such a name cannot be stored in the manifest or shown on the page.
                if entry.is_dir() or _is_candidate(path):
                    shown = source.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                    skipped.append(SkippedFile(shown, "name is not valid UTF-8; rename it"))
                continue
            if entry.is_symlink():
                if not path.exists():
                    if _is_candidate(path):
                        skipped.append(SkippedFile(source, "broken symlink"))
                    continue
                target = path.resolve()
                if target != real_root and real_root not in target.parents:
                    if entry.is_dir() or _is_candidate(path):
                        skipped.append(SkippedFile(source, "symlink outside the corpus folder"))
                    continue
                if entry.is_dir():
                    continue  # its target is inside the folder and is walked anyway
                if _is_candidate(path):
                    # Read the checked target itself, so the link cannot be re-pointed later.
                    yield target, source
                continue
            if entry.is_dir():
                stack.append(path)
            elif _is_candidate(path):
                yield path, source


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes of the file name, kept as surrogates
        return False
    return True


def _is_candidate(path: Path) -> bool:
    return is_document_name(path.name)


def is_document_name(name: str) -> bool:
    """Whether a file called ``name`` may be a document: a known type by its suffix, or named
    like one (README, NEWS, README.Debian), which is read when its bytes are text; either of
    them compressed (NEWS.gz, guide.html.xz)."""
    name = inner_name(name)
    suffix = PurePosixPath(name).suffix.lower()
    return (
        suffix in SUFFIXES
        or _named_plain(name)
        or MAN_SUFFIX.fullmatch(suffix) is not None
        or INFO_SUFFIX.fullmatch(suffix) is not None
    )


def document_suffix(source: str) -> str:
    """The lower-case suffix that says how a file is read, under any compression suffix:
    ".md" for "NEWS.md.gz", "" for "README"."""
    return PurePosixPath(inner_name(source)).suffix.lower()


def _named_plain(name: str) -> bool:
    if name.lower().endswith("file"):
        return False
    first, dot, _ = name.partition(".")
    return not dot or _CAPITALS.fullmatch(first) is not None


def named_text(data: bytes) -> tuple[str, str] | None:
    """``decode(data)`` for a file named like a document (README, NEWS): None unless it is
    text a person wrote, with no script's "#!" and hardly any control characters (binary
    data decoded as cp1252 or latin-1 is full of them)."""
    decoded = decode(data)
    if decoded is None or decoded[0].startswith("#!"):
        return None
    sample = decoded[0][:65536]
    control = sum(
        1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\f\v"
    )
    return decoded if control <= 0.01 * len(sample) else None


def _source(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


class _Read(NamedTuple):
    """A file read and decoded (or converted), before cleaning."""

    source: str
    sha256: str
    text: str
    encoding: str
    extracted: Extracted | None


def _load_file(path: Path, source: str, max_file_bytes: int) -> _Read | SkippedFile | None:
    """The file read, or why it is skipped; None for a file named like a document (README,
    a manual page's "tar.1") that holds none: not one of the user's documents."""
    name = inner_name(source)  # a symlink's own name says what it holds
    suffix = PurePosixPath(name).suffix.lower()
    by_name = suffix not in SUFFIXES
    compressed = name != PurePosixPath(source).name
    try:
        if by_name and not compressed and path.stat().st_size > max_file_bytes:
            return None  # a program or a data dump, not a README
        data = _read_regular(path, max_file_bytes)
    except OSError as exc:
        return SkippedFile(source, _os_reason(exc))
    if isinstance(data, str):
        return SkippedFile(source, data)
    if len(data) > max_file_bytes:
        return SkippedFile(source, _too_large(max_file_bytes, len(data)))
    if not data:
        return SkippedFile(source, "empty file")
    sha256 = hashlib.sha256(data).hexdigest()
    if compressed:
        data = _decompress(source, data, max_file_bytes)
        if data is None:  # inflates past the cap: for a README, a data dump after all
            too_large = f"larger than {_size(max_file_bytes)} once decompressed; split it"
            return None if by_name else SkippedFile(source, too_large)
        if isinstance(data, str):
            return SkippedFile(source, data)
    if MAN_SUFFIX.fullmatch(suffix):  # "tar.1.gz": a manual page, or no document
        decoded = named_text(data)
        page = read_man(decoded[0]) if decoded else None
        if page is None:
            return None
        return _Read(source, sha256, page[0], "", Extracted(page[0], title=page[1]))
    if INFO_SUFFIX.fullmatch(suffix):  # "grep.info.gz", "find.info-1.gz": an Info manual
        decoded = decode(data.replace(b"\x00", b""))  # NULs mark its index nodes
        if decoded is not None and is_info(decoded[0]):
            manual = read_info(decoded[0])
            if manual is None:  # a split manual's table of where its parts' nodes are
                return None
            return _Read(source, sha256, manual[0], "", Extracted(manual[0], title=manual[1]))
    if (suffix == ".txt" or by_name and not suffix) and is_mailbox(data):
        # A list's archive as Mailman serves it ("2019-April.txt"); a mail folder as
        # Thunderbird keeps it, a mailbox named as the folder ("Inbox", "Sent").
        suffix = ".mbox"
    if suffix in CONVERTED_SUFFIXES:
        extracted = extract(suffix, data)
        if isinstance(extracted, str):
            return SkippedFile(source, extracted)
        return _Read(source, sha256, extracted.text, "", extracted)
    if by_name:
        decoded = named_text(data)
        if decoded is None:
            return None
    else:
        decoded = decode(data)
    if decoded is None:  # latin-1 reads any bytes, so only NUL bytes are refused
        return SkippedFile(source, "binary file (NUL bytes)")
    text, codec = decoded
    if not text.strip():
        return SkippedFile(source, "empty file")
    if compressed:  # citations point into the text the index keeps, as for a PDF's
        return _Read(source, sha256, text, "", Extracted(text))
    return _Read(source, sha256, text, codec, None)


def inner_name(source: str) -> str:
    """The file's name without a compression suffix: what it holds ("NEWS.md.gz" -> "NEWS.md")."""
    name = PurePosixPath(source).name
    compression = PurePosixPath(name).suffix.lower()
    return name[: -len(compression)] if compression in COMPRESSED_SUFFIXES else name


def _decompress(source: str, data: bytes, max_file_bytes: int) -> bytes | str | None:
    """The decompressed bytes, why they cannot be had, or None when they are more than
    ``max_file_bytes``: no more than that is ever inflated, so a few KiB that would inflate
    to GiB (a compression bomb) cost nothing."""
    kind = PurePosixPath(source).suffix.lower()
    try:
        with COMPRESSED_SUFFIXES[kind](io.BytesIO(data)) as fh:
            out = fh.read(max_file_bytes + 1)
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
        return f"unreadable {kind[1:]} file ({type(exc).__name__}: {str(exc)[:120]})"
    return None if len(out) > max_file_bytes else out


def _document(item: _Read, common: frozenset[str]) -> Document | SkippedFile:
    suffix = document_suffix(item.source)
    cleaned = clean(item.text, common, org=suffix == ".org", asciidoc=suffix in _ASCIIDOC)
    if not cleaned.blocks:
        return SkippedFile(item.source, NOTHING_LEFT)
    extracted = item.extracted
    return Document(
        source=item.source,
        text=item.text,
        encoding=item.encoding,
        sha256=item.sha256,
        blocks=cleaned.blocks,
        title=_title(cleaned, extracted.title if extracted else None),
        date=cleaned.date,
        pages=extracted.pages if extracted else (),
        sections=cleaned.sections,
        headings=cleaned.headings,
        converted=extracted is not None,
    )


def _title(cleaned: Cleaned, declared: str | None) -> str | None:
    """The document's title: its headline, unless that was only a guess (a short line standing
    first) and the file declares a title (an HTML page's <title>, a DOCX's properties) that
    does not name it. Before a saved page's article there often stands a photo caption, a
    sponsor's box or a related video ("The priest saving LA's gang members"), whereas its
    first-level heading is its headline."""
    found = cleaned.title
    if not declared or found and not cleaned.title_guessed:
        return found or declared
    return found if found and set(terms(found)) <= set(terms(declared)) else declared


def _read_regular(path: Path, max_file_bytes: int) -> bytes | str:
    """At most ``max_file_bytes + 1`` bytes of a regular file, or why it is not read."""
    # O_NONBLOCK: opening a named pipe without a writer would otherwise block forever. The
    # kind is checked on the open descriptor, so a file swapped after listing is caught too.
    # O_NOFOLLOW: a file replaced by a symlink after listing must not lead outside the folder.
    flags = os.O_RDONLY
    for name in ("O_NONBLOCK", "O_NOFOLLOW", "O_BINARY"):
        flags |= getattr(os, name, 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return f"not a regular file ({_kind(info.st_mode)})"
        if info.st_size > max_file_bytes:
            return _too_large(max_file_bytes, info.st_size)
        return fh.read(max_file_bytes + 1)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "named pipe"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISDIR, "directory"),
    ):
        if test(mode):
            return name
    return "special file"


def _too_large(limit: int, size: int) -> str:
    return f"larger than {_size(limit)} ({_size(size)}); split it into smaller files to index it"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "file disappeared while loading"
    if exc.errno == errno.ELOOP:
        return "replaced by a symlink while loading (not followed)"
    return f"unreadable ({exc.strerror or type(exc).__name__})"


def _size(n: int) -> str:
    if n >= 2**20:
        return f"{round(n / 2**20, 1):g} MiB"
    if n >= 2**10:
        return f"{round(n / 2**10, 1):g} KiB"
    return f"{n} bytes"


def _read_sidecar(path: Path) -> dict[str, dict[str, str]]:
    """Per-file title/date overrides; a bad sidecar is reported and ignored."""
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.warning("ignoring %s: not readable JSON (%s)", path, exc)
        return {}
    if not isinstance(raw, dict):
        log.warning("ignoring %s: expected an object mapping file paths to metadata", path)
        return {}
    overrides: dict[str, dict[str, str]] = {}
    for source, meta in raw.items():
        if not isinstance(meta, dict):
            log.warning("ignoring %s entry %r: expected an object", path, source)
            continue
        overrides[str(source)] = _valid_fields(path, str(source), meta)
    return overrides


def _valid_fields(path: Path, source: str, meta: dict) -> dict[str, str]:
    fields: dict[str, str] = {}
    title, date = meta.get("title"), meta.get("date")
    if isinstance(title, str) and title.strip():
        fields["title"] = " ".join(title.split())
    elif title is not None:
        log.warning("ignoring title of %r in %s: expected a non-empty string", source, path)
    if isinstance(date, str) and _is_iso(date.strip()):
        fields["date"] = date.strip()
    elif date is not None:
        log.warning("ignoring date of %r in %s: expected YYYY, YYYY-MM or YYYY-MM-DD", source, path)
    return fields


def _is_iso(value: str) -> bool:
    if len(value) == 4:
        return value.isdigit()
    return value.isascii() and parse_date(value) == value
