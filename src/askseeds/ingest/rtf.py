"""Rich Text Format (``.rtf``): what TextEdit, WordPad, Word and LibreOffice save.

RTF is a stream of groups (``{...}``), control words (``\\par``, ``\\s1``, ``\\u8226``) and text.
It is read here by hand, one token at a time over a stack of group states (no recursion, so
no nesting depth can overflow): no maintained package keeps an RTF document's structure, only
its plain text (``striprtf``), and a heading or a table is what a citation names and quotes.

Kept, as the other converted formats write them (``marks``): a paragraph in a heading style,
or one with an outline level, as a heading one level under the "Title" style's; list
paragraphs (``\\ls``, or a rendered bullet) as items at their level; table rows; paragraphs in
a preformatted style as code; footnotes after their paragraph; a field's result (a link's
text), except a generated table of contents or index. Left out: the font, colour, style and
list tables, the document's information other than its title, pictures, objects, headers,
footers, comments, hidden text and text deleted under tracked changes.

Bytes written as ``\\'hh`` (or raw) are decoded in the code page their font's character set
names (``\\fcharset``; so GBK or Shift_JIS text reads right), else the document's
(``\\ansicpg``); ``\\uN`` is a Unicode character, and the ``\\ucN`` characters after it that
stand in for it in older readers are skipped.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field, replace

from .marks import (
    code_style,
    fenced,
    generated_field,
    header_rule,
    join_lines,
    literal,
    table_row,
)

__all__ = ["read_rtf"]

_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # a control word and its parameter
    rb"|\\'([0-9a-fA-F]{2})"  # a byte in the code page
    rb"|\\([^a-zA-Z'])"  # a control symbol
    rb"|([{}])"
    rb"|[\r\n]+"  # line ends in the file are not text
    rb"|([^\\{}\r\n]+)",
    re.DOTALL,
)
_BINARY = re.compile(rb"\\bin(\d{1,10}) ?")
# Destinations whose text is not the document's.
_SKIPPED = frozenset(
    [
        "colortbl", "listtable", "listoverridetable", "revtbl", "rsidtbl", "filetbl", "pict",
        "nonshppict", "object", "header", "headerl", "headerr", "headerf", "footer", "footerl",
        "footerr", "footerf", "ftnsep", "ftnsepc", "aftnsep", "aftnsepc", "xe", "tc", "rxe",
        "template", "docvar", "themedata", "colorschememapping", "latentstyles", "datastore",
        "xmlnstbl", "mmathPr", "pn", "pntext", "pntxta", "pntxtb", "listtext", "sp", "shprslt",
        "fldinst", "author", "operator", "company", "comment", "doccomm", "keywords", "subject",
        "category", "manager", "hlinkbase", "nonesttables",
    ]
)  # fmt: skip
_SYMBOLS = {
    "emdash": "\u2014", "endash": "\u2013", "bullet": "\u2022", "lquote": "\u2018",
    "rquote": "\u2019", "ldblquote": "\u201c", "rdblquote": "\u201d", "emspace": " ",
    "enspace": " ", "qmspace": " ", "zwj": "\u200d", "zwnj": "\u200c", "tab": "\t",
    "line": "\n",
}  # fmt: skip
_CONTROL_SYMBOLS = {b"~": "\u00a0", b"_": "\u2011", b"\\": "\\", b"{": "{", b"}": "}"}
# Windows character sets (``\fcharset``) as Python codecs; 0 and 1 are the document's own.
_CHARSETS = {
    2: "cp1252", 77: "mac_roman", 128: "cp932", 129: "cp949", 130: "johab", 134: "gbk",
    136: "cp950", 161: "cp1253", 162: "cp1254", 163: "cp1258", 177: "cp1255", 178: "cp1256",
    186: "cp1257", 204: "cp1251", 222: "cp874", 238: "cp1250", 255: "cp437",
}  # fmt: skip


@dataclass
class _Group:
    """What a group changes and its closing restores."""

    skip: bool = False  # in a destination that is not read
    dest: str = ""  # the destination being read specially (fonttbl, stylesheet, ...)
    font: int = -1
    uc: int = 1  # characters standing in for each \uN
    hidden: bool = False  # \v, or \deleted
    style: int = 0
    outline: int = -1
    in_list: bool = False
    level: int = 0
    in_table: bool = False
    spaced: bool = False  # space above or below the paragraph (\sb, \sa): it stands apart


@dataclass
class _Style:
    name: str = ""
    outline: int = -1
    based_on: int = -1


@dataclass
class _Doc:
    """The blocks read so far and where the current paragraph stands."""

    codepage: str = "cp1252"
    fonts: dict[int, str] = field(default_factory=dict)
    styles: dict[int, _Style] = field(default_factory=dict)
    title: str = ""
    text: list[str] = field(default_factory=list)  # the current paragraph's
    bulleted: bool = False  # the paragraph showed a rendered bullet or number
    cells: list[str] = field(default_factory=list)
    header_row: bool = False  # the row being read repeats atop each page: its table's header
    blocks: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    notes: list[tuple[str, str]] = field(default_factory=list)  # footnotes of the paragraph


def read_rtf(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """The text of an RTF file with light Markdown marks, and its title; or why not."""
    if data.lstrip()[:5] != b"{\\rtf":
        return "not an RTF file (no {\\rtf header)"
    doc = _Doc()
    _Reader(doc).read(_without_binary(data))
    # No style sheet (TextEdit's, WordPad's files): a plain-text note in a font, each line a
    # paragraph; read as the .txt file it would be, its spacing and blank lines kept.
    return _write(doc.blocks, plain=not doc.styles), (), doc.title or None


class _Reader:
    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        self.stack: list[_Group] = [_Group()]
        self.pending = bytearray()  # bytes in the code page, decoded together (GBK is two)
        self.skip_chars = 0  # of the stand-ins after a \uN
        self.high_surrogate = 0
        self.style_text: list[str] = []
        self.field_text: list[str] = []
        self.note_depth = 0  # groups deep in footnotes: their paragraphs go to doc.notes
        self.saved: list[tuple[list[str], bool]] = []

    @property
    def group(self) -> _Group:
        return self.stack[-1]

    def read(self, data: bytes) -> None:
        ignorable = False
        for m in _TOKEN.finditer(data):
            word, param, hexbyte, symbol, brace, text = m.groups()
            if hexbyte is not None:
                if self.skip_chars:
                    self.skip_chars -= 1
                else:
                    self.pending.append(int(hexbyte, 16))
                continue
            self.flush()
            if brace == b"{":
                self.stack.append(replace(self.group))
                self.skip_chars = 0
                ignorable = False
            elif brace == b"}":
                self.close()
            elif word is not None:
                name = word.decode("ascii")
                value = int(param) if param is not None else None
                if ignorable or name in _SKIPPED or name.startswith("bkmk"):
                    self.destination(name, ignorable)
                else:
                    self.control(name, value)
                ignorable = False
            elif symbol is not None:
                if symbol == b"*":
                    ignorable = True
                elif symbol in (b"\n", b"\r"):
                    self.control("par", None)
                elif symbol in _CONTROL_SYMBOLS:
                    self.add(_CONTROL_SYMBOLS[symbol])
            elif text is not None:
                if self.skip_chars:
                    cut = min(self.skip_chars, len(text))
                    self.skip_chars -= cut
                    text = text[cut:]
                self.pending += text
        self.flush()
        self.end_paragraph()

    def destination(self, name: str, ignorable: bool) -> None:
        """``{\\*\\name`` or a destination never read: read the few that hold text, skip the rest."""
        if self.group.skip:
            return
        if name == "footnote":
            self.group.dest = "footnote"
            self.note_depth += 1
            self.saved.append((self.doc.text, self.doc.bulleted))
            self.doc.text, self.doc.bulleted = [], False
        elif name == "shpinst" or name == "shptxt":
            pass  # a text box: its paragraphs are read in place
        elif name in ("listtext", "pntext"):
            self.doc.bulleted = True
            self.group.skip = True
        elif name == "fldinst":
            self.group.dest = "fldinst"
        else:
            self.group.skip = True

    def control(self, name: str, value: int | None) -> None:
        g, doc = self.group, self.doc
        if g.skip:  # a comment's or a header's own paragraphs do not end the text's
            return
        if name in ("fonttbl", "stylesheet", "info", "title", "field", "fldrslt"):
            generated = generated_field("".join(self.field_text))
            if (name == "title" and g.dest != "info") or (name == "fldrslt" and generated):
                g.skip = True
            else:
                g.dest = name
                if name == "field":
                    self.field_text = []
        elif name == "u" and value is not None:
            self.unicode(value)
        elif name == "uc" and value is not None:
            g.uc = max(value, 0)
        elif name == "f" and value is not None:
            g.font = value
            if g.dest == "fonttbl":
                doc.fonts.setdefault(value, "")
        elif name == "fcharset" and value is not None and g.dest == "fonttbl":
            doc.fonts[g.font] = _CHARSETS.get(value, "")
        elif name == "ansicpg" and value:
            doc.codepage = _codec(f"cp{value}") or doc.codepage
        elif name in ("mac", "pc", "pca"):
            doc.codepage = {"mac": "mac_roman", "pc": "cp437", "pca": "cp850"}[name]
        elif name in ("v", "deleted"):
            g.hidden = value != 0
        elif name == "s" and value is not None:
            g.style = value
            if g.dest == "stylesheet":
                doc.styles[value] = _Style()
        elif name == "outlinelevel" and value is not None:
            if g.dest == "stylesheet":
                doc.styles.setdefault(g.style, _Style()).outline = value
            else:
                g.outline = value
        elif name == "sbasedon" and value is not None and g.dest == "stylesheet":
            doc.styles.setdefault(g.style, _Style()).based_on = value
        elif name == "pard":
            g.style, g.outline, g.in_list, g.level, g.in_table = 0, -1, False, 0, False
            g.spaced = False
        elif name in ("sa", "sb") and g.dest != "stylesheet":
            g.spaced = bool(value)
        elif name == "ls":
            g.in_list = True
        elif name == "ilvl" and value is not None:
            g.level = min(max(value, 0), 8)
        elif name == "intbl":
            g.in_table = True
        elif name in ("par", "sect", "page"):
            self.end_paragraph()
        elif name in ("cell", "nestcell"):
            doc.cells.append(" ".join("".join(doc.text).split()))
            doc.text, doc.bulleted = [], False
        elif name == "trowd":
            doc.header_row = False
        elif name == "trhdr":
            doc.header_row = True
        elif name in ("row", "nestrow"):
            if any(doc.cells):
                first = not doc.blocks or doc.blocks[-1][0] != "row"
                doc.blocks.append(("row", table_row(doc.cells)))
                if first and doc.header_row and len(doc.cells) > 1 and all(doc.cells):
                    doc.blocks.append(("row", header_rule(len(doc.cells))))
            doc.cells = []
        elif name in _SYMBOLS:
            self.add(_SYMBOLS[name])

    def unicode(self, value: int) -> None:
        code = value + 65536 if value < 0 else value
        self.skip_chars = self.group.uc
        if 0xD800 <= code < 0xDC00:
            self.high_surrogate = code
            return
        if 0xDC00 <= code < 0xE000 and self.high_surrogate:
            code = 0x10000 + ((self.high_surrogate - 0xD800) << 10) + (code - 0xDC00)
        self.high_surrogate = 0
        self.add(chr(code))

    def flush(self) -> None:
        """The bytes gathered so far, decoded in their font's code page."""
        if not self.pending:
            return
        raw, self.pending = bytes(self.pending), bytearray()
        codec = self.doc.fonts.get(self.group.font) or self.doc.codepage
        self.add(raw.decode(codec, errors="replace"))

    def add(self, text: str) -> None:
        g = self.group
        if g.skip or g.hidden:
            return
        if g.dest == "fldinst":
            self.field_text.append(text)
        elif g.dest == "stylesheet":
            self.style_text.append(text)
        elif g.dest == "title":
            self.doc.title += text
        elif g.dest not in ("fonttbl", "info", "field"):
            self.doc.text.append(text)

    def close(self) -> None:
        closing = self.stack.pop() if len(self.stack) > 1 else self.group
        self.skip_chars = 0
        if closing.dest == "stylesheet" and self.group.dest == "stylesheet":
            # one style's entry: "{\s1 ... Heading 1;}"
            name = "".join(self.style_text).strip().rstrip(";").strip()
            self.doc.styles.setdefault(closing.style, _Style()).name = name
            self.style_text = []
        elif closing.dest == "footnote" and self.group.dest != "footnote":
            self.end_paragraph()
            self.note_depth -= 1
            self.doc.text, self.doc.bulleted = self.saved.pop()
        elif closing.dest == "title":
            self.doc.title = " ".join(self.doc.title.split())

    def end_paragraph(self) -> None:
        doc, g = self.doc, self.group
        text = "".join(doc.text)
        doc.text, bulleted, doc.bulleted = [], doc.bulleted, False
        if g.in_table and not self.note_depth:
            doc.text = [text + " "]  # a cell of several paragraphs is one cell
            return
        style = self.style_of(g.style)
        kind = "p"
        if code_style(style.name):
            kind = "code"
        elif style.name.lower() == "title":
            kind = "h0"
        elif (level := g.outline if g.outline >= 0 else style.outline) >= 0 and level < 9:
            kind = f"h{level + 1}"
        elif g.in_list or bulleted:
            kind = f"li{g.level}"
        elif g.spaced:
            kind = "ps"
        if not text.strip() and kind not in ("code", "p", "ps"):
            return
        block = (kind, text)
        if self.note_depth:
            doc.notes.append(block)
        else:
            doc.blocks.append(block)
            doc.blocks += doc.notes
            doc.notes = []

    def style_of(self, number: int) -> _Style:
        """The paragraph style ``number``, with the outline level it inherits."""
        style = self.doc.styles.get(number, _Style())
        seen = {number}
        base = style
        while base.outline < 0 and base.based_on >= 0 and base.based_on not in seen:
            seen.add(base.based_on)
            base = self.doc.styles.get(base.based_on, _Style())
        return _Style(style.name, base.outline, style.based_on)


def _without_binary(data: bytes) -> bytes:
    """``data`` less the raw bytes each ``\\binN`` announces (a picture's, an object's), which
    would read as text and braces."""
    parts, at = [], 0
    for m in _BINARY.finditer(data):
        if m.start() < at:
            continue  # inside the bytes of the one before
        parts.append(data[at : m.start()])
        at = m.end() + int(m.group(1))
    return b"".join(parts) + data[at:] if parts else data


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _write(blocks: list[tuple[str, str]], plain: bool) -> str:
    lines: list[str] = []
    code: list[str] = []
    for i, (kind, text) in enumerate(blocks):
        last_of_kind = i + 1 == len(blocks) or blocks[i + 1][0][:2] != kind[:2]
        if kind == "code":
            code.append(text.replace("\n", " ").rstrip())
            if last_of_kind:
                lines += fenced(code)
                code = []
        elif kind in ("p", "ps") and plain:
            lines += [line.rstrip() for line in text.split("\n")] + [""] * (kind == "ps")
        elif kind in ("p", "ps"):
            if text.strip():
                lines += ["", literal(" ".join(text.split())), ""]
        elif kind.startswith("h"):
            lines += ["", "#" * (int(kind[1:]) + 1) + " " + " ".join(text.split()), ""]
        elif kind.startswith("li"):
            lines.append("  " * int(kind[2:]) + "- " + " ".join(text.split()))
            if last_of_kind:
                lines.append("")
        else:  # a table's row
            lines.append(text)
            if last_of_kind:
                lines.append("")
    return join_lines(lines)
