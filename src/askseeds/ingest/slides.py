"""Read a PowerPoint deck (``.pptx``) as plain text with the light Markdown marks ``convert``
writes, one slide after another, each slide a page.

A slide is read as its audience and its speaker read it: its title as a heading, its body's
paragraphs as list items at their outline level, other text boxes as paragraphs, tables as rows,
groups of shapes in order, then the speaker's notes. A chart is read as its title and a table
of its data (a row for each category, a column for each series), as its cached values hold it.
Pictures and the slide master's repeated footer are left out.
"""

from __future__ import annotations

import posixpath

from .archive import open_zip, parse_xml
from .marks import join_pages, literal, table_lines, table_row

__all__ = ["read_pptx"]

_NS = {
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "dc": "http://purl.org/dc/elements/1.1/",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
}
_PRESENTATION = "ppt/presentation.xml"
_NOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide"
_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
_CHART_ROWS = 200  # a chart's categories read at most: a scatter of thousands of points is data
_TITLES = frozenset({"title", "ctrTitle"})
# What PowerPoint and its libraries put in a new deck's properties: no one's title for it.
_DEFAULT_TITLES = frozenset({"powerpoint presentation", "presentation"})
# Placeholders whose text the master repeats on every slide, not the slide's own words.
_REPEATED = frozenset({"dt", "ftr", "sldNum", "hdr"})


def _tag(prefix: str, name: str) -> str:
    return f"{{{_NS[prefix]}}}{name}"


_SP, _GROUP, _FRAME = _tag("p", "sp"), _tag("p", "grpSp"), _tag("p", "graphicFrame")
_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"


def read_pptx(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """The text of a deck, where each slide starts in it, and its title; or the reason it
    cannot be read."""
    archive = open_zip(data, "PPTX", _PRESENTATION)
    if isinstance(archive, str):
        return archive
    names = set(archive.namelist())

    def part(path: str):
        return parse_xml(archive.read(path)) if path in names else None

    presentation = parse_xml(archive.read(_PRESENTATION))
    targets = _relations(part("ppt/_rels/presentation.xml.rels"), "ppt")
    slides = [
        targets.get(s.get(_tag("r", "id")), "")
        for s in presentation.iterfind("p:sldIdLst/p:sldId", _NS)
    ]
    pages: list[list[str]] = []
    for path in slides:
        slide = part(path)
        if slide is None:
            continue
        slide_rels = part(_rels_of(path))
        charts = _relations(slide_rels, posixpath.dirname(path), _CHART)
        lines = _shapes(
            slide.find("p:cSld/p:spTree", _NS),
            chart=lambda rid, charts=charts: _chart(part(charts[rid])) if rid in charts else [],
        )
        rels = _relations(slide_rels, posixpath.dirname(path), _NOTES)
        notes = next(iter(rels.values()), None)
        notes_root = part(notes) if notes else None
        if notes_root is not None:
            lines += [""] + _shapes(notes_root.find("p:cSld/p:spTree", _NS), notes=True)
        pages.append(lines)
    if not pages:
        return "no slides in it"
    core = part("docProps/core.xml")
    title = None
    if core is not None:
        found = core.find("dc:title", _NS)
        title = " ".join((found.text or "").split()) if found is not None else None
    if title and title.lower() in _DEFAULT_TITLES:
        title = None
    return *join_pages(pages), title or None


def _rels_of(path: str) -> str:
    folder, name = posixpath.split(path)
    return posixpath.join(folder, "_rels", name + ".rels")


def _relations(rels, base: str, kind: str | None = None) -> dict[str, str]:
    """A part's relationships (of ``kind``, if given): id -> the target's path in the zip."""
    if rels is None:
        return {}
    out = {}
    for rel in rels.iterfind("rel:Relationship", _NS):
        if kind is not None and rel.get("Type") != kind or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        out[rel.get("Id")] = posixpath.normpath(path)
    return out


def _shapes(tree, notes: bool = False, chart=None) -> list[str]:
    """The text of the shapes under ``tree`` in their order (``notes``: of a notes page,
    whose tables and bullets are the speaker's own layout, read as paragraphs; ``chart``: the
    lines of the chart a relationship id names)."""
    lines: list[str] = []
    if tree is None:
        return lines
    for shape in tree:
        if shape.tag == _ALTERNATE:  # content in a newer form and a fallback: read the first
            choice = shape.find("*")
            lines += _shapes(choice, notes, chart) if choice is not None else []
        elif shape.tag == _GROUP:
            lines += _shapes(shape, notes, chart)
        elif shape.tag == _FRAME and not notes and (
            (graph := shape.find(".//c:chart", _NS)) is not None and chart is not None
        ):
            lines += chart(graph.get(_tag("r", "id")))
        elif shape.tag == _FRAME and not notes:
            rows = [
                [
                    " ".join(filter(None, (_text(p) for p in cell.iter(_tag("a", "p")))))
                    for cell in row.iterfind("a:tc", _NS)
                ]
                for row in shape.iterfind(".//a:tbl/a:tr", _NS)
            ]
            # PowerPoint's "Header Row" (on for a table it inserts) sets the first row apart.
            look = shape.find(".//a:tbl/a:tblPr", _NS)
            lines += table_lines(rows, look is not None and look.get("firstRow") in ("1", "true"))
        elif shape.tag == _SP:
            lines += _shape(shape, notes)
    return lines


def _chart(space) -> list[str]:
    """A chart part's title and a table of its data: a row for each category, a column for
    each series, from the values the chart caches for its drawing."""
    if space is None:
        return []
    title = " ".join(
        " ".join((t.text or "").split()) for t in space.iterfind("c:chart/c:title//a:t", _NS)
    ).strip()
    names, columns, categories = [], [], {}
    for series in space.iterfind("c:chart/c:plotArea/*/c:ser", _NS):
        names.append(" ".join(v.text or "" for v in series.iterfind("c:tx//c:v", _NS)).strip())
        columns.append(_points(series, "c:val", "c:yVal"))  # a scatter's: y by x
        for at, name in _points(series, "c:cat", "c:xVal").items():
            categories.setdefault(at, name)
    count = max([*categories, *(at for column in columns for at in column)], default=-1) + 1
    lines = ["", literal(title), ""] if title else []
    if columns and count:
        lines.append(table_row(["", *names]) if any(names) else "")
        for at in range(min(count, _CHART_ROWS)):
            row = [categories.get(at, ""), *(column.get(at, "") for column in columns)]
            if any(row):
                lines.append(table_row(row))
        lines.append("")
    return lines


def _points(series, *names: str) -> dict[int, str]:
    """A series' cached points (categories or values) under the first of ``names`` it has, by
    their index."""
    data = next((d for n in names if (d := series.find(n, _NS)) is not None), None)
    if data is None:
        return {}
    out = {}
    for point in data.iterfind(".//c:pt", _NS):
        value = point.find("c:v", _NS)
        index = point.get("idx", "")
        if value is not None and index.isdigit():
            out[int(index)] = " ".join((value.text or "").split())
    return out


def _shape(shape, notes: bool) -> list[str]:
    placeholder = shape.find("p:nvSpPr/p:nvPr/p:ph", _NS)
    kind = placeholder.get("type", "body") if placeholder is not None else None
    if kind in _REPEATED:
        return []
    body = shape.find("p:txBody", _NS)
    if body is None:
        return []
    paragraphs = [(p, _text(p)) for p in body.iterfind("a:p", _NS)]
    said = [(p, t) for p, t in paragraphs if t]
    if not said:
        return []
    if kind in _TITLES:
        return ["", "## " + " ".join(t for _, t in said), ""]
    # A body placeholder's paragraphs are bullets unless they say they are not (the master
    # sets its bullets); any other paragraph is one if it sets its own bullet.
    listed = kind in ("body", "obj") and not notes
    out = [""]
    # The levels of the items this one may nest under. An item nests one step under a
    # lower level, whatever the gap: a list opening at level 2 under a paragraph ("Linux",
    # then its steps) is a list, not indented code.
    open_levels: list[int] = []
    for p, text in said:
        properties = p.find("a:pPr", _NS)
        bullet = "none" if properties is None else _bullet(properties)
        if bullet == "set" or listed and bullet == "none":
            lvl = properties.get("lvl", "0") if properties is not None else "0"
            level = int(lvl) if lvl.isdigit() else 0
            while open_levels and open_levels[-1] > level:
                open_levels.pop()
            if not open_levels or open_levels[-1] < level:
                open_levels.append(level)
            out.append("  " * min(len(open_levels) - 1, 8) + "- " + text)
        else:
            out += ["", literal(text), ""]
            open_levels = []
    return out + [""]


def _bullet(properties) -> str:
    """What a paragraph's properties say of its bullet: "off" (``a:buNone``), "set" (a
    character or a number of its own), or "none" (the placeholder's master decides)."""
    if properties.find("a:buNone", _NS) is not None:
        return "off"
    if properties.find("a:buChar", _NS) is not None or properties.find("a:buAutoNum", _NS) is not None:
        return "set"
    return "none"


def _text(node) -> str:
    """The words of a paragraph: its runs and fields, a line break a space."""
    parts = []
    for el in node.iter(_tag("a", "t"), _tag("a", "br")):
        parts.append(" " if el.tag == _tag("a", "br") else el.text or "")
    return " ".join("".join(parts).split())
