"""Word 97-2003 documents (``.doc``): the binary format Word wrote before DOCX.

A ``.doc`` is an OLE compound file (``olefile`` opens it: a small, pure-Python, maintained
reader of the container). Its text is read as [MS-DOC] lays it out: the File Information Block
at the start of the WordDocument stream says which table stream holds the piece table
(``Clx``), and each piece names where its characters are, as 8-bit cp1252 or as UTF-16. The
main document is the first ``ccpText`` characters; its footnotes and endnotes follow it, each
read after the paragraph holding its reference. Headers, comments and text boxes are left
out.

Paragraphs end with a paragraph mark, table cells with a cell mark and rows with a second
one; a field's instructions are dropped and its result kept (a link's text), except a
generated table of contents or index. Word's pictures and drawn objects are anchored by
characters that are dropped too. From the formatting properties: a paragraph in a built-in
heading style (or with an outline level) is a heading one level under the Title style's, a
paragraph of a list is an item at its level, one in a preformatted style is code, and text
deleted under tracked changes or hidden is left out. List numbers are Word's to draw and are
not in the text.
"""

from __future__ import annotations

import io
import struct
from bisect import bisect_right
from dataclasses import dataclass

from .marks import (
    code_style,
    fenced,
    generated_field,
    header_rule,
    join_lines,
    literal,
    table_row,
)

__all__ = ["read_doc"]

_WORD_IDENT, _WORD6_IDENT = 0xA5EC, 0xA5DC  # Word 97 and later; Word 6 and 95
_COMPLEX, _ENCRYPTED, _TABLE_1 = 0x0004, 0x0100, 0x0200
# places among the FIB's (fc, lcb) pairs: style sheet, footnote references and texts,
# character and paragraph properties, piece table
_STSH, _FOOTNOTE_REFS, _FOOTNOTES, _CHPX, _PAPX, _CLX = 1, 2, 3, 12, 13, 33
_ENDNOTE_REFS, _ENDNOTES = 46, 47
_PAGE = 512  # a formatted disk page (FKP) of character or paragraph properties
_DELETED, _HIDDEN = 0x0800, 0x083C  # sprmCFRMarkDel, sprmCFVanish
_OUTLINE, _LIST_LEVEL, _LIST = 0x2640, 0x260A, 0x460B  # sprmPOutLvl, sprmPIlvl, sprmPIlfo
_TABLE_HEADER = 0x3404  # sprmTTableHeader
_TITLE_STI = 62  # the built-in Title style; 1-9 are the built-in headings
_PARAGRAPH, _CELL, _BREAK = "\r", "\x07", "\x0b"
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
# Characters that anchor something else (a picture, a footnote's number, a comment) or mark
# an optional hyphen; a page or section break ends a paragraph.
_DROPPED = frozenset(map(ord, "\x01\x02\x03\x04\x05\x08\x1f"))
_SHOWN = {0x1E: "-", 0xA0: " ", 0x0C: _PARAGRAPH}


@dataclass(frozen=True)
class _Style:
    name: str
    sti: int  # the built-in style it is (1-9: heading 1-9), else 4094


@dataclass(frozen=True)
class _Paragraph:
    style: int = 0  # istd
    outline: int = 9  # 0-8: a heading's level; 9: body text
    in_list: bool = False
    level: int = 0
    header: bool = False  # a table row's mark: the row is the table's header (repeated atop pages)


class _File:
    """The WordDocument stream, its table stream and where the FIB says things are in them."""

    def __init__(self, word: bytes, table: bytes) -> None:
        self.word, self.table = word, table
        at = 32
        at += 2 + 2 * struct.unpack_from("<H", word, at)[0]  # csw, fibRgW
        cslw = struct.unpack_from("<H", word, at)[0]
        self.ccp_text = max(struct.unpack_from("<i", word, at + 2 + 12)[0], 0)
        # ccpFtn, ccpHdd, ccpMcr, ccpAtn, ccpEdn: the parts after the main text, in order
        self.ccp_ftn, hdd, mcr, atn, self.ccp_edn = (
            max(n, 0) for n in struct.unpack_from("<5i", word, at + 2 + 16)
        )
        self.edn_base = self.ccp_text + self.ccp_ftn + hdd + mcr + atn
        at += 2 + 4 * cslw
        count = struct.unpack_from("<H", word, at)[0]
        self.places = struct.unpack_from(f"<{2 * count}I", word, at + 2)

    def part(self, index: int) -> bytes:
        """The table stream's part the FIB's ``index``-th (fc, lcb) pair names."""
        if 2 * index + 1 >= len(self.places):
            return b""
        fc, lcb = self.places[2 * index], self.places[2 * index + 1]
        return self.table[fc : fc + lcb]


def read_doc(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """The text of a Word 97-2003 document and its title, or why it cannot be read."""
    import olefile

    if not olefile.isOleFile(io.BytesIO(data)):
        return "not a Word 97-2003 document (not an OLE file)"
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if not ole.exists("WordDocument"):
            return "not a Word 97-2003 document (no WordDocument stream: Excel or PowerPoint?)"
        word = ole.openstream("WordDocument").read()
        ident = struct.unpack_from("<H", word, 0)[0] if len(word) >= 0x40 else 0
        if ident not in (_WORD_IDENT, _WORD6_IDENT):
            return "not a Word 97-2003 document (no Word header)"
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & _ENCRYPTED:
            return "encrypted (saved with a password): save it without one to index it"
        if ident == _WORD6_IDENT:
            return _titled(_word6(word, flags), _title(ole))
        table_name = "1Table" if flags & _TABLE_1 else "0Table"
        if not ole.exists(table_name):
            return f"damaged Word document (no {table_name} stream)"
        table = ole.openstream(table_name).read()
        title = _title(ole)
    try:
        file = _File(word, table)
        read = _characters(file, file.edn_base + file.ccp_edn)
    except struct.error:
        read = None
    if read is None:
        return "damaged Word document (its piece table is out of bounds)"
    text, fcs = read
    try:
        styles = _styles(file.part(_STSH))
        dropped = _runs(file, _CHPX, _character_dropped)
        paragraphs = _runs(file, _PAPX, _paragraph)
        notes = _notes(file, text, fcs, (_FOOTNOTE_REFS, _FOOTNOTES), file.ccp_text)
        notes |= _notes(file, text, fcs, (_ENDNOTE_REFS, _ENDNOTES), file.edn_base)
    except (struct.error, IndexError, UnicodeDecodeError):  # formatting lost, text kept
        styles, dropped, paragraphs, notes = {}, _Runs([], []), _Runs([], []), {}
    main = _Text(text[: file.ccp_text], fcs[: file.ccp_text], styles, dropped, paragraphs)
    return _write(main, notes), (), title


def _word6(word: bytes, flags: int) -> tuple[str, tuple[int, ...], str | None] | str:
    """A Word 6 or 95 document's text: saved whole, it stands in one run of 8-bit
    characters; fast-saved, in pieces this layout's reader does not follow."""
    if flags & _COMPLEX:
        return "a fast-saved Word 6 or 95 document: save it again (or as .docx) to index it"
    start, end = struct.unpack_from("<II", word, 0x18)  # fcMin, fcMac
    length = struct.unpack_from("<i", word, 0x34)[0]  # ccpText
    if not 0 <= length <= end - start or end > len(word):
        return "damaged Word document (its text is out of bounds)"
    text = word[start : start + length].decode("cp1252", errors="replace")
    fcs = list(range(start, start + length))
    return _write(_Text(text, fcs, {}, _Runs([], []), _Runs([], [])), {}), (), None


def _characters(file: _File, upto: int) -> tuple[str, list[int]] | None:
    """The document's first ``upto`` characters (the main text, then its footnotes) and each
    one's offset in the WordDocument stream, from the piece table; None if it does not fit."""
    clx, pos = file.part(_CLX), 0
    while pos < len(clx) and clx[pos] == 0x01:  # property modifiers before the pieces
        pos += 3 + struct.unpack_from("<h", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        return None
    size = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5 : pos + 5 + size]
    count = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    parts: list[str] = []
    fcs: list[int] = []
    for i in range(count):
        if len(fcs) >= upto:
            break
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * i + 2)[0]
        length = cps[i + 1] - cps[i]
        if length < 0:
            return None
        if fc & 0x40000000:  # 8-bit characters at half the offset
            start, width = (fc & 0x3FFFFFFF) // 2, 1
            raw = file.word[start : start + length]
            parts.append(raw.decode("cp1252", errors="replace"))
        else:
            start, width = fc, 2
            raw = file.word[start : start + 2 * length]
            parts.append(raw.decode("utf-16-le", errors="replace"))
        if len(raw) < length * width:
            return None
        fcs += range(start, start + width * length, width)
    return "".join(parts)[:upto], fcs[:upto]


def _notes(
    file: _File, text: str, fcs: list[int], parts: tuple[int, int], base: int
) -> dict[int, tuple[str, list[int]]]:
    """Each footnote's (or endnote's) text and its characters' offsets, by where its reference
    stands; ``parts``: the FIB's places of the references and of the texts, which start at
    character ``base``."""
    refs, texts = file.part(parts[0]), file.part(parts[1])
    count = (len(refs) - 4) // 6
    if count <= 0 or len(texts) < 4 * (count + 1):
        return {}
    at = struct.unpack_from(f"<{count}I", refs, 0)
    bounds = struct.unpack_from(f"<{count + 1}I", texts, 0)
    return {
        ref: (text[base + lo : base + hi], fcs[base + lo : base + hi])
        for ref, lo, hi in zip(at, bounds, bounds[1:], strict=False)
    }


@dataclass(frozen=True)
class _Runs:
    """Runs of the stream's bytes with a property: ``starts`` sorted, ``values`` each run's."""

    starts: list[tuple[int, int]]
    values: list[object]

    def at(self, fc: int) -> object | None:
        i = bisect_right(self.starts, (fc, 1 << 62)) - 1
        if i >= 0 and self.starts[i][0] <= fc < self.starts[i][1]:
            return self.values[i]
        return None


def _runs(file: _File, index: int, read) -> _Runs:
    """The runs a bin table of formatted disk pages (character or paragraph properties) lays
    out, each with ``read(page, offset)`` of its properties."""
    plc = file.part(index)
    count = (len(plc) - 4) // 8
    found: list[tuple[tuple[int, int], object]] = []
    for i in range(count):
        page_number = struct.unpack_from("<I", plc, 4 * (count + 1) + 4 * i)[0] & 0x3FFFFF
        page = file.word[page_number * _PAGE : (page_number + 1) * _PAGE]
        if len(page) < _PAGE:
            continue
        runs = page[_PAGE - 1]
        bounds = struct.unpack_from(f"<{runs + 1}I", page, 0)
        step = 1 if index == _CHPX else 13  # a paragraph's entry carries its height too
        for j in range(runs):
            offset = 2 * page[4 * (runs + 1) + step * j]
            value = read(page, offset) if offset else None
            if value is not None:
                found.append(((bounds[j], bounds[j + 1]), value))
    found.sort(key=lambda run: run[0])
    return _Runs([r for r, _ in found], [v for _, v in found])


def _sprms(grpprl: bytes):
    """The (operation, operand) pairs of a list of property modifiers."""
    pos = 0
    while pos + 2 <= len(grpprl):
        op = struct.unpack_from("<H", grpprl, pos)[0]
        size = (1, 1, 2, 4, 2, 2, 0, 3)[op >> 13]
        if op >> 13 == 6:  # a variable size, in the operand's first byte (two for these)
            if op in (0xD606, 0xD608) and pos + 4 <= len(grpprl):
                size = struct.unpack_from("<H", grpprl, pos + 2)[0] + 1
            elif pos + 2 < len(grpprl):
                size = grpprl[pos + 2] + 1
        yield op, grpprl[pos + 2 : pos + 2 + size]
        pos += 2 + size


def _character_dropped(page: bytes, offset: int) -> bool | None:
    """True where a run's characters are deleted under tracked changes or hidden."""
    size = page[offset]
    for op, operand in _sprms(page[offset + 1 : offset + 1 + size]):
        if op in (_DELETED, _HIDDEN) and operand[:1] in (b"\x01", b"\x81"):
            return True
    return None


def _paragraph(page: bytes, offset: int) -> _Paragraph:
    size, start = page[offset], offset + 1
    if size == 0:  # a long one: its size in words in the next byte
        size, start = 2 * page[offset + 1], offset + 2
    else:
        size = 2 * size - 1
    props = page[start : start + size]
    style = struct.unpack_from("<H", props, 0)[0] if len(props) >= 2 else 0
    outline, in_list, level, header = 9, False, 0, False
    for op, operand in _sprms(props[2:]):
        if op == _OUTLINE and operand:
            outline = operand[0]
        elif op == _LIST and len(operand) >= 2:
            in_list = struct.unpack_from("<h", operand, 0)[0] != 0
        elif op == _LIST_LEVEL and operand:
            level = min(operand[0], 8)
        elif op == _TABLE_HEADER and operand:
            header = operand[0] == 1
    return _Paragraph(style, outline, in_list, level, header)


def _styles(stsh: bytes) -> dict[int, _Style]:
    """The style sheet: each style's name and built-in identity, by its index (istd)."""
    if len(stsh) < 6:
        return {}
    header = struct.unpack_from("<H", stsh, 0)[0]
    count, base_size = struct.unpack_from("<HH", stsh, 2)
    pos, styles = 2 + header, {}
    for istd in range(count):
        if pos + 2 > len(stsh):
            break
        size = struct.unpack_from("<H", stsh, pos)[0]
        std = stsh[pos + 2 : pos + 2 + size]
        pos += 2 + size
        if size < base_size + 2:
            continue
        sti = struct.unpack_from("<H", std, 0)[0] & 0x0FFF
        chars = struct.unpack_from("<H", std, base_size)[0]
        name = std[base_size + 2 : base_size + 2 + 2 * chars].decode("utf-16-le", errors="replace")
        styles[istd] = _Style(name, sti)
    return styles


def _titled(read: tuple[str, tuple[int, ...], str | None] | str, title: str | None):
    return read if isinstance(read, str) else (read[0], read[1], title)


def _title(ole) -> str | None:
    try:
        title = ole.get_metadata().title
    except Exception:  # noqa: BLE001 -- a damaged property set only loses the title
        return None
    if isinstance(title, bytes):
        title = title.decode("cp1252", errors="replace")
    title = " ".join((title or "").split())
    return title or None


def _kind(paragraph: _Paragraph | None, styles: dict[int, _Style]) -> str:
    """What a paragraph is: "h0" (the title), "h1".."h9", "li0".."li8", "code" or "p"."""
    if paragraph is None:
        return "p"
    style = styles.get(paragraph.style, _Style("", 4094))
    if style.sti == _TITLE_STI:
        return "h0"
    if 1 <= style.sti <= 9:
        return f"h{style.sti}"
    if paragraph.outline < 9:
        return f"h{paragraph.outline + 1}"
    if code_style(style.name):
        return "code"
    return f"li{paragraph.level}" if paragraph.in_list else "p"


@dataclass(frozen=True)
class _Text:
    """Characters to write, where each is in the stream, and what formats them."""

    chars: str
    fcs: list[int]
    styles: dict[int, _Style]
    dropped: _Runs
    paragraphs: _Runs


def _write(text: _Text, notes: dict[int, tuple[str, list[int]]]) -> str:
    """``text`` in light Markdown, each footnote in ``notes`` after the paragraph whose
    reference (by character position) it is."""
    fcs, styles, dropped, paragraphs = text.fcs, text.styles, text.dropped, text.paragraphs
    pending: list[str] = []  # the footnotes of the paragraph being read
    lines: list[str] = []
    cells: list[str] = []
    current: list[str] = []
    code: list[str] = []
    fields: list[list[str | bool]] = []  # per open field: [instruction so far, showing result]
    last = ""
    for i, ch in enumerate(text.chars):
        if i in notes:
            note_text, note_fcs = notes[i]
            pending.append(_write(_Text(note_text, note_fcs, styles, dropped, paragraphs), {}))
        if dropped.at(fcs[i]):
            continue
        ch = _SHOWN.get(ord(ch), ch)
        if ord(ch) in _DROPPED:
            continue
        if ch == _FIELD_BEGIN:
            fields.append(["", False])
        elif ch == _FIELD_SEPARATOR and fields:
            fields[-1][1] = True
        elif ch == _FIELD_END and fields:
            fields.pop()
        elif fields and not fields[-1][1]:
            fields[-1][0] += ch  # an instruction: "HYPERLINK ...", "TOC \\o"
        elif any(generated_field(str(f[0])) for f in fields):
            pass  # the result of a generated table of contents or index
        elif ch == _PARAGRAPH:
            kind = _kind(paragraphs.at(fcs[i]), styles)  # a paragraph's mark holds its properties
            said = "".join(current)
            current = []
            if kind == "code":
                code.append(said.rstrip())
                continue
            lines += _end_code(code)
            said = " ".join(said.split())
            if not said:
                pass
            elif kind.startswith("h"):
                lines += ["", "#" * (int(kind[1:]) + 1) + " " + said, ""]
            elif kind.startswith("li"):
                lines.append("  " * int(kind[2:]) + "- " + said)
            else:
                lines += ["", literal(said), ""]
            for note in pending:
                lines += ["", *note.splitlines(), ""]
            pending = []
        elif ch == _CELL:
            lines += _end_code(code)
            if last == _CELL and not current:  # the row's own mark after its last cell
                if any(cells):
                    first = not lines or not lines[-1].startswith("| ")
                    lines.append(table_row(cells))
                    if first and paragraphs.at(fcs[i]).header and len(cells) > 1 and all(cells):
                        lines.append(header_rule(len(cells)))
                cells = []
            else:
                cells.append(" ".join("".join(current).split()))
                current = []
        elif ch == _BREAK:
            current.append(" ")
        else:
            current.append(ch)
        last = ch
    lines += _end_code(code)
    said = " ".join("".join(current).split())
    if said:
        lines.append(said)
    if any(cells):
        lines.append(table_row(cells))
    for note in pending:
        lines += ["", *note.splitlines(), ""]
    return join_lines(lines)


def _end_code(code: list[str]) -> list[str]:
    """The code paragraphs gathered so far as a fenced block (emptying ``code``)."""
    block = fenced(code)
    code.clear()
    return block
