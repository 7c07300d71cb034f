"""Read OpenDocument text and presentations (``.odt``, ``.odp``: LibreOffice's and OpenOffice's
own formats, and their flat XML forms ``.fodt``, ``.fodp``) as plain text with the light
Markdown marks ``convert`` writes; a presentation slide by slide, each slide a page.

What a reader of the document sees is kept: headings at their outline level (a paragraph in the
Title style is the top one), paragraphs, list items by depth, table rows, text boxes, footnotes
after the paragraph that cites them, and paragraphs in a preformatted style as fenced code.
What the document only carries is left out: text deleted under tracked changes, comments,
generated indexes and tables of contents (a list of the headings), and images.
"""

from __future__ import annotations

import re

from .archive import open_zip, parse_xml
from .marks import fenced, join_lines, join_pages, literal, table_lines

__all__ = ["read_flat_odf", "read_odf", "tag"]

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
}


def tag(prefix: str, name: str) -> str:
    """An OpenDocument element's or attribute's name in ElementTree's form: ("table", "table-row")."""
    return f"{{{_NS[prefix]}}}{name}"


_tag = tag  # the functions below read an element's own tag into a local "tag"


_H, _P = _tag("text", "h"), _tag("text", "p")
_SPAN = _tag("text", "span")
_LIST, _ITEM, _HEADER = _tag("text", "list"), _tag("text", "list-item"), _tag("text", "list-header")
_TABLE, _ROW, _CELL = _tag("table", "table"), _tag("table", "table-row"), _tag("table", "table-cell")
_HEADER_ROWS = _tag("table", "table-header-rows")
_S, _TAB, _BREAK = _tag("text", "s"), _tag("text", "tab"), _tag("text", "line-break")
_NOTE, _NOTE_BODY = _tag("text", "note"), _tag("text", "note-body")
_FRAME, _TEXT_BOX = _tag("draw", "frame"), _tag("draw", "text-box")
_STYLE_NAME = _tag("text", "style-name")
_CLASS = _tag("presentation", "class")
_GROUP, _NOTES = _tag("draw", "g"), _tag("presentation", "notes")
# A slide master's placeholders, repeated on every slide: not the slide's own words.
_REPEATED = frozenset({"page-number", "footer", "date-time", "header"})
_CHANGE_START, _CHANGE_END = _tag("text", "change-start"), _tag("text", "change-end")
_CHANGE_ID = _tag("text", "change-id")
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_LEVEL = _tag("text", "outline-level")
# Blocks that hold other blocks: read through.
_CONTAINERS = frozenset({_tag("text", "section"), _tag("text", "index-body")}) | {_tag("table", "table-header-rows"), _tag("table", "table-rows"),
     _tag("table", "table-row-group"), _tag("office", "text")}  # fmt: skip
# What the document carries but a reader does not see as its text: generated indexes and
# tables of contents (the headings again), tracked changes' deleted text, comments, hidden
# paragraphs and the declarations of fields.
_LEFT_OUT = frozenset(
    _tag("text", n)
    for n in (
        "table-of-content", "alphabetical-index", "illustration-index", "table-index",
        "object-index", "user-index", "bibliography", "tracked-changes", "hidden-paragraph",
        "hidden-text", "sequence-decls", "variable-decls", "user-field-decls", "dde-connection-decls",
        "note-citation",
    )
) | {_tag("office", "annotation"), _tag("office", "annotation-end"), _tag("office", "forms"),
     _tag("table", "covered-table-cell"), _tag("draw", "image"), _tag("table", "table-columns"),
     _tag("table", "table-column")}  # fmt: skip
# ODF collapses white space in text as HTML does; <text:s text:c="3"/> writes the spaces kept.
_WHITESPACE = re.compile(r"[ \t\r\n]+")
_HEADING_STYLE = re.compile(r"Heading_20_([1-9])")
# Styles whose paragraphs are code; LibreOffice's names, as its files spell them.
_CODE_STYLES = ("Preformatted_20_Text", "Preformatted Text", "Source_20_Code", "Source Code")


Read = tuple[str, tuple[int, ...], str | None]  # text, where each slide starts, title


def read_odf(data: bytes, kind: str = "ODT") -> Read | str:
    """The text of a zipped OpenDocument file (``kind``: "ODT" or "ODP"), where each of a
    presentation's slides starts in it, and its title; or the reason it cannot be read."""
    archive = open_zip(data, kind, "content.xml")
    if isinstance(archive, str):
        return archive
    names = set(archive.namelist())
    manifest = "META-INF/manifest.xml"
    if manifest in names and b"encryption-data" in archive.read(manifest):
        return "encrypted (saved with a password): save it without one to index it"
    content = parse_xml(archive.read("content.xml"))
    styles = parse_xml(archive.read("styles.xml")) if "styles.xml" in names else None
    meta = parse_xml(archive.read("meta.xml")) if "meta.xml" in names else None
    return _read(content, [content, styles], meta)


def read_flat_odf(data: bytes) -> Read | str:
    """The text of a flat OpenDocument file (``.fodt``, ``.fodp``: the whole document as one
    XML file), as ``read_odf``."""
    root = parse_xml(data)
    return _read(root, [root], root.find("office:meta", _NS))


def _read(document, style_roots: list, meta) -> Read | str:
    title = None
    if meta is not None:
        found = meta.find(".//dc:title", _NS)
        title = " ".join((found.text or "").split()) if found is not None else ""
    styles = _styles(style_roots)
    body = document.find("office:body/office:text", _NS)
    if body is not None:
        reader = _Reader(styles, _deletions(body))
        reader.blocks(body)
        return join_lines(reader.lines), (), title or None
    deck = document.find("office:body/office:presentation", _NS)
    if deck is None:
        return "not a text document or a presentation (an OpenDocument spreadsheet or drawing?)"
    slides: list[list[str]] = []
    for page in deck.iterfind("draw:page", _NS):
        reader = _Reader(styles, frozenset())
        reader.slide(page)
        notes = page.find("presentation:notes", _NS)
        if notes is not None:
            reader.slide(notes, notes=True)
        slides.append(reader.lines)
    if not slides:
        return "no slides in it"
    return *join_pages(slides), title or None


def _deletions(body) -> frozenset[str]:
    """The ids of the tracked changes that delete text."""
    out = set()
    for region in body.iterfind("text:tracked-changes/text:changed-region", _NS):
        if region.find("text:deletion", _NS) is not None:
            out.update(v for v in (region.get(_tag("text", "id")), region.get(_XML_ID)) if v)
    return frozenset(out)


_Style = tuple[str, int, str | None]  # parent style, outline level (0: none), text:display


def _styles(roots: list) -> dict[str, _Style]:
    """Each named style's parent style, outline level (0: none) and whether its text shows
    ("none": hidden; None: as its parent's), from every styles part given."""
    out: dict[str, _Style] = {}
    for root in roots:
        if root is None:
            continue
        for style in root.iter(_tag("style", "style")):
            name = style.get(_tag("style", "name"))
            if name:  # the content's own automatic styles first: styles.xml reuses "P1"
                parent = style.get(_tag("style", "parent-style-name")) or ""
                level = _level(style.get(_tag("style", "default-outline-level")), 0)
                # LibreOffice's own heading styles, where the outline does not name them
                if not level and (m := _HEADING_STYLE.fullmatch(name)):
                    level = int(m.group(1))
                shown = style.find(_tag("style", "text-properties"))
                display = shown.get(_tag("text", "display")) if shown is not None else None
                out.setdefault(name, (parent, level, display))
    return out


_NO_STYLE: _Style = ("", 0, None)


class _Reader:
    def __init__(self, styles: dict[str, _Style], deletions: frozenset[str]) -> None:
        self.styles = styles
        self.deletions = deletions  # the ids of tracked changes that delete text
        self.deleting: str | None = None  # the deletion being read through
        self.lines: list[str] = []
        self.code: list[str] = []  # the preformatted paragraphs of a code block being read

    def chain(self, node) -> list[str]:
        """``node``'s style and those it inherits from, nearest first."""
        out: list[str] = []
        style = node.get(_STYLE_NAME)
        while style and style not in out:
            out.append(style)
            style = self.styles.get(style, _NO_STYLE)[0]
        return out

    def styled(self, node, names: tuple[str, ...]) -> bool:
        """``node``'s style or one it inherits from is among ``names``."""
        return any(style in names for style in self.chain(node))

    def outline_level(self, node) -> int:
        """The heading level ``node``'s paragraph style gives it ("Heading 1": 1), or 0."""
        return next((lvl for s in self.chain(node) if (lvl := self.styles.get(s, _NO_STYLE)[1])), 0)

    def hidden(self, node) -> bool:
        """Whether ``node``'s style (or the nearest it inherits from that says) hides its text."""
        shown = (self.styles.get(s, _NO_STYLE)[2] for s in self.chain(node))
        return next((d for d in shown if d is not None), None) == "none"

    def blocks(self, children, in_list: bool = False) -> None:
        """The blocks ``children`` (an element's, or a list's); ``in_list``: they continue a
        list item, so a paragraph among them is the item's, not a heading's."""
        for child in children:
            tag = child.tag
            if not isinstance(tag, str) or tag in _LEFT_OUT:
                continue
            if tag in (_P, _H) and self.hidden(child):
                continue  # hidden by its style, as a reader of the document sees it
            if tag == _P and self.styled(child, _CODE_STYLES):
                self.code.append(self.inline(child, code=True)[0])
                continue
            self.end_code()
            if tag == _H:
                self.paragraph(child, "#" * (_level(child.get(_LEVEL)) + 1) + " ")
            elif tag == _P and not in_list and (level := self.outline_level(child)):
                # A heading written as a paragraph in a heading style, as LibreOffice writes
                # an HTML page's <h1> inside a <div>.
                self.paragraph(child, "#" * (level + 1) + " ")
            elif tag == _P:
                title = not in_list and self.styled(child, ("Title",))
                self.paragraph(child, "# " if title else "")
            elif tag == _LIST:
                self.list_items(child, 0)
            elif tag == _TABLE:
                self.table(child)
            elif tag in _CONTAINERS:
                self.blocks(child, in_list)
        self.end_code()

    def slide(self, page, notes: bool = False) -> None:
        """A presentation's slide (or its notes page): its title frame as a heading, its
        other frames' text boxes and tables in order; the master's page number, date and
        footer, and a notes page's image of its slide, left out."""
        for shape in page:
            kind = shape.get(_CLASS)
            if shape.tag == _NOTES:
                continue  # read after the slide
            if shape.tag == _GROUP:
                self.slide(shape, notes)
            elif kind in _REPEATED or notes and kind == "page":
                continue
            elif kind == "title" and not notes:
                text = " ".join(" ".join(self.inline(p)[0].split()) for p in shape.iter(_P))
                if text.strip():
                    self.lines += ["", "## " + text.strip(), ""]
            else:
                for box in shape.iter(_TEXT_BOX, _TABLE):
                    if box.tag == _TABLE:
                        self.table(box)
                    else:
                        self.blocks(box)
                if shape.tag != _FRAME:  # a shape holding its own paragraphs (a rectangle)
                    self.blocks([c for c in shape if c.tag in (_P, _LIST)])

    def list_items(self, node, depth: int) -> None:
        """A list's items, each's first paragraph marked at its depth; what follows it in the
        item (more paragraphs, a table) is read after it."""
        for item in node:
            if item.tag not in (_ITEM, _HEADER):
                continue
            rest = list(item)
            if rest and rest[0].tag == _P and not self.styled(rest[0], _CODE_STYLES):
                self.end_code()
                self.paragraph(rest.pop(0), "  " * depth + "- ", blank=False)
            for child in rest:
                if child.tag == _LIST:
                    self.end_code()
                    self.list_items(child, depth + 1)
                else:
                    self.blocks([child], in_list=True)
        if depth == 0:
            self.lines.append("")

    def paragraph(self, node, mark: str, blank: bool = True) -> None:
        text, notes, boxes = self.inline(node)
        text = " ".join(text.split())
        if text:
            text = mark + text if mark else literal(text)
            self.lines += [text] if not blank else ["", text, ""]
        for box in boxes:
            self.blocks(box)
        for note in notes:
            self.blocks(note)

    def table(self, node) -> None:
        rows = []
        for row in node.iter(_ROW):
            cells = [
                " ".join(self.inline(cell)[0].split()) for cell in row if cell.tag == _CELL
            ]
            while cells and not cells[-1]:
                cells.pop()  # a spreadsheet's row runs on in empty repeated cells
            rows.append(cells)
        self.lines += table_lines(rows, node.find(_HEADER_ROWS) is not None)

    def inline(self, node, code: bool = False) -> tuple[str, list, list]:
        """The text of paragraph ``node`` as read, with its footnotes' bodies and its text
        boxes, which are read after it. Text between the marks of a tracked deletion
        (LibreOffice writes it there too, as well as under the changes) is left out."""
        parts: list[str] = []
        notes: list = []
        boxes: list = []

        def add(text: str | None) -> None:
            if text and self.deleting is None:
                parts.append(_WHITESPACE.sub(" ", text))

        def walk(el) -> None:
            add(el.text)
            for child in el:
                tag = child.tag
                if not isinstance(tag, str) or tag in _LEFT_OUT:
                    pass
                elif tag == _CHANGE_START and child.get(_CHANGE_ID) in self.deletions:
                    self.deleting = child.get(_CHANGE_ID)
                elif tag == _CHANGE_END and child.get(_CHANGE_ID) == self.deleting:
                    self.deleting = None
                elif self.deleting is not None:
                    walk(child)  # for the mark that ends the deletion
                elif tag == _SPAN and self.hidden(child):
                    pass
                elif tag == _S:
                    parts.append(" " * _count(child.get(_tag("text", "c"))))
                elif tag in (_TAB, _BREAK):
                    parts.append(("\t" if tag == _TAB else "\n") if code else " ")
                elif tag == _NOTE:
                    notes.extend(child.iter(_NOTE_BODY))
                elif tag == _FRAME:
                    boxes.extend(child.iter(_TEXT_BOX))
                elif tag in (_P, _H):
                    parts.append(" ")
                    walk(child)
                    parts.append(" ")
                else:
                    walk(child)
                add(child.tail)

        walk(node)
        return "".join(parts), notes, boxes

    def end_code(self) -> None:
        self.lines += fenced(self.code)
        self.code = []


def _level(value: str | None, default: int = 1) -> int:
    """An outline level as written, within 1-9 (``default`` where none is given)."""
    if not value:
        return default
    try:
        return min(max(int(value), 1), 9)
    except ValueError:
        return default


def _count(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 200)
    except ValueError:
        return 1
