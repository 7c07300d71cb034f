"""Extract the text of PDF, HTML (saved as one file too: ``mhtml.py``), DOCX, DOC (``doc.py``),
RTF (``rtf.py``), OpenDocument (``odf.py``), PowerPoint (``slides.py``), EPUB files, Jupyter
notebooks and e-mail (``mail.py``), as plain text with light Markdown marks.

A converted file's text is not the file, so citations point into the text made
here (the index stores it; ``Assistant.document_text`` returns it). Structure is
written the way ``clean`` already reads it in Markdown: ``#`` headings, ``- ``
list items, ``| a | b |`` table rows, fenced code, blank lines between
paragraphs. Every failure is a reason string a person can act on, never an
exception: these files come from anywhere.

Libraries (see README, "Formats"): pypdf (pure Python, BSD, no system
libraries) for the PDF text layer; selectolax's Lexbor parser (a fast,
standards-conforming HTML5 parser) for HTML and for an EPUB's chapters; python-docx for DOCX;
lxml (python-docx's own XML parser, entities and network off) for an EPUB's package files,
OpenDocument's and PowerPoint's XML; olefile for the container of a Word 97-2003 document;
Python's ``email`` for saved web pages and e-mail. RTF and Word's own layout are read by hand.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from .archive import MAX_UNPACKED_BYTES, open_zip, parse_xml
from .bibtex import read_bibtex
from .doc import read_doc
from .latex import read_latex
from .mail import read_eml, read_mbox
from .marks import header_rule, join_lines, literal, table_lines, table_row
from .mhtml import read_mhtml
from .ocr import IMAGE_SUFFIXES, read_image, read_scanned_pdf, unavailable
from .ocr import available as ocr_available
from .odf import read_flat_odf, read_odf
from .pdf import NO_CHARACTER_MAP, NO_TEXT_LAYER, read_pdf
from .rtf import read_rtf
from .sheets import read_delimited, read_ods, read_xls, read_xlsx
from .slides import read_pptx
from .tables import TABLE_ROW

__all__ = ["CONVERTED_SUFFIXES", "MAX_UNPACKED_BYTES", "Extracted", "extract"]

log = logging.getLogger(__name__)

CONVERTED_SUFFIXES = frozenset(
    {".pdf", ".html", ".htm", ".xhtml", ".mhtml", ".mht", ".docx", ".doc", ".rtf", ".odt",
     ".fodt", ".odp", ".fodp", ".pptx", ".epub", ".ipynb", ".eml", ".mbox", ".csv", ".tsv",
     ".xlsx", ".xls", ".ods", ".tex", ".latex", ".bib"}
) | IMAGE_SUFFIXES  # pictures of text, read by OCR
_LETTER = re.compile(r"[^\W\d_]")
_WORD_CHAR = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Extracted:
    """The text of a converted file; ``pages`` are where each page (a PDF's, a deck's slide) starts
    in it."""

    text: str
    pages: tuple[int, ...] = ()
    title: str | None = None


def extract(suffix: str, data: bytes) -> Extracted | str:
    """The text of a file of a converted format, or the reason it cannot be read.

    Args:
        suffix: the file's lower-case suffix, one of ``CONVERTED_SUFFIXES``.
        data: the file's bytes.

    Returns:
        ``Extracted`` with text that has letters in it, or a reason string.
    """
    reader = {
        ".pdf": _pdf,
        ".docx": _docx,
        ".doc": _word97,
        ".rtf": _paged(read_rtf),
        ".odt": _paged(read_odf),
        ".fodt": _paged(read_flat_odf),
        ".odp": _paged(lambda data: read_odf(data, "ODP")),
        ".fodp": _paged(read_flat_odf),
        ".pptx": _paged(read_pptx),
        ".html": _html,
        ".htm": _html,
        ".xhtml": _xhtml,
        ".mhtml": _mhtml,
        ".mht": _mhtml,
        ".epub": _epub,
        ".ipynb": _notebook,
        ".eml": _paged(lambda data: read_eml(data, _html_text)),
        ".mbox": _paged(lambda data: read_mbox(data, _html_text)),
        ".csv": _paged(lambda data: read_delimited(data, ".csv")),
        ".tsv": _paged(lambda data: read_delimited(data, ".tsv")),
        ".xlsx": _paged(read_xlsx),
        ".xls": _excel97,
        ".ods": _paged(read_ods),
        ".tex": _paged(read_latex),
        ".latex": _paged(read_latex),
        ".bib": _paged(read_bibtex),
        **dict.fromkeys(IMAGE_SUFFIXES, _picture),
    }[suffix]
    try:
        out = reader(data)
    except RecursionError:
        return f"unreadable {suffix[1:].upper()} (nested too deeply)"
    except Exception as exc:
        log.debug("cannot read %s data", suffix, exc_info=True)
        return f"unreadable {suffix[1:].upper()} ({type(exc).__name__}: {str(exc)[:120]})"
    if isinstance(out, Extracted) and not _LETTER.search(out.text):
        return "no text in it"
    return out


def _code_lines(text: str) -> str:
    """Code as a .txt file would hold it: universal newlines, no NULs, no spaces at line
    ends; its indentation and the spaces that align it kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return "\n".join(line.replace("\u00a0", " ").rstrip() for line in text.split("\n"))


# --- PDF ---------------------------------------------------------------------


def _paged(
    read: Callable[[bytes], tuple[str, tuple[int, ...], str | None] | str],
) -> Callable[[bytes], Extracted | str]:
    """``read`` (PDF, RTF, OpenDocument, PowerPoint, e-mail: text, page starts, title) giving
    ``Extracted``."""

    def extracted(data: bytes) -> Extracted | str:
        out = read(data)
        return out if isinstance(out, str) else Extracted(*out)

    return extracted


def _pdf(data: bytes) -> Extracted | str:
    """A PDF's text layer; where it has none (scanned pages) or one of glyph ids, its pages
    read by OCR, where that is installed."""
    out = _paged(read_pdf)(data)
    if isinstance(out, Extracted) and not _LETTER.search(out.text):
        out = NO_TEXT_LAYER
    if out not in (NO_TEXT_LAYER, NO_CHARACTER_MAP):
        return out
    return _paged(read_scanned_pdf)(data) if ocr_available() else unavailable(out)


def _picture(data: bytes) -> Extracted | str:
    """A picture's text by OCR, where that is installed (a scan, a screenshot of a page)."""
    if not ocr_available():
        return unavailable("a picture")
    return _paged(read_image)(data)


# --- DOCX --------------------------------------------------------------------


def _word97(data: bytes) -> Extracted | str:
    """A ``.doc``: Word 97-2003's binary format, or what Word and WordPad also save under that
    name, RTF or a DOCX."""
    if data.lstrip()[:5] == b"{\\rtf":
        return _paged(read_rtf)(data)
    if data[:4] == b"PK\x03\x04":
        return _docx(data)
    return _paged(read_doc)(data)


def _excel97(data: bytes) -> Extracted | str:
    """An ``.xls``: Excel 97-2003's binary workbook, or what programs export under that name
    for Excel to open: an XLSX, an HTML table, tab-separated text."""
    if data[:4] == b"PK\x03\x04":
        return _paged(read_xlsx)(data)
    if b"\x00" in data[:512]:  # Excel's own: an OLE container (BIFF 2-4: a bare stream)
        return _paged(read_xls)(data)
    if re.match(rb"\s*<(?:!doctype html|html|table|\?xml)", data[:1024], re.IGNORECASE):
        return _html(data)
    return _paged(lambda data: read_delimited(data, ".tsv"))(data)


def _docx(data: bytes) -> Extracted | str:
    archive = open_zip(data, "DOCX", "word/document.xml")
    if isinstance(archive, str):
        return archive
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            lines += table_lines(_docx_rows(item), _docx_header(item))
            continue
        text = " ".join(item.text.split())
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        level = _heading_level(style)
        if level:
            lines += ["", "#" * level + " " + text, ""]
        elif "List" in style or item._p.pPr is not None and item._p.pPr.numPr is not None:
            lines.append("- " + text)
        else:
            lines += ["", literal(text), ""]
    title = (document.core_properties.title or "").strip() or None
    return Extracted(join_lines(lines), title=title)


def _heading_level(style: str) -> int:
    """Title is the top level; "Heading 1" is below it."""
    if style == "Title":
        return 1
    m = re.fullmatch(r"Heading ([1-9])", style)
    return int(m.group(1)) + 1 if m else 0


def _docx_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            # A merged cell is returned once per grid column it spans.
            if not cells or text != cells[-1]:
                cells.append(text)
        rows.append(cells)
    return rows


def _docx_header(table) -> bool:
    """Whether Word marks the table's first row as its header: repeated on each page, or set
    apart by the table's style ("Header Row" under Table Design, on by default)."""
    from docx.oxml.ns import qn

    tbl = table._tbl
    first = tbl.find(qn("w:tr"))
    if first is not None and first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None:
        return True
    look = tbl.tblPr.find(qn("w:tblLook")) if tbl.tblPr is not None else None
    if look is None:
        return False
    flag = look.get(qn("w:firstRow"))
    if flag is not None:
        return flag in ("1", "true", "on")
    try:
        return bool(int(look.get(qn("w:val"), "0"), 16) & 0x0020)
    except ValueError:
        return False


# --- EPUB --------------------------------------------------------------------

_OPF_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "enc": "http://www.w3.org/2001/04/xmlenc#",
}
_CHAPTER_TYPES = frozenset(["application/xhtml+xml", "text/html"])


def _epub(data: bytes) -> Extracted | str:
    """An e-book's chapters in reading order (its spine), each read as an HTML page is, under
    its package's dc:title. A chapter locked by DRM (listed in META-INF/encryption.xml)
    makes the book unreadable; obfuscated fonts, listed there too, do not matter."""
    archive = open_zip(data, "EPUB", "META-INF/container.xml")
    if isinstance(archive, str):
        return archive
    names = set(archive.namelist())
    container = parse_xml(archive.read("META-INF/container.xml"))
    root = container.find(".//c:rootfile", _OPF_NS)
    opf_path = root.get("full-path") if root is not None else None
    if not opf_path or opf_path not in names:
        return "not an EPUB (its container names no package file inside)"
    package = parse_xml(archive.read(opf_path))
    base = posixpath.dirname(opf_path)
    manifest = {
        item.get("id"): item
        for item in package.iterfind("opf:manifest/opf:item", _OPF_NS)
        if item.get("href")
    }
    locked = set()
    if "META-INF/encryption.xml" in names:
        encryption = parse_xml(archive.read("META-INF/encryption.xml"))
        for ref in encryption.iterfind(".//enc:CipherReference", _OPF_NS):
            locked.add(posixpath.normpath(unquote(ref.get("URI") or "")))
    chapters: list[str] = []
    for ref in package.iterfind("opf:spine/opf:itemref", _OPF_NS):
        item = manifest.get(ref.get("idref"))
        if item is None or item.get("media-type") not in _CHAPTER_TYPES:
            continue
        href = unquote(item.get("href", "").partition("#")[0])
        path = posixpath.normpath(posixpath.join(base, href))
        if path in locked:
            return "encrypted (DRM): its chapters cannot be read without the seller's key"
        if path not in names:
            log.debug("EPUB chapter %s is missing from the archive", path)
            continue
        xhtml = item.get("media-type") == "application/xhtml+xml"
        chapter = _html(archive.read(path), xhtml=xhtml)
        if isinstance(chapter, Extracted) and _LETTER.search(chapter.text):
            chapters.append(chapter.text)
    if not chapters:
        return "no chapter with text in it (an EPUB of images, or its spine names none)"
    title = " ".join((package.findtext("opf:metadata/dc:title", "", _OPF_NS) or "").split())
    # The book's title heads its text, so that each chapter's first-level heading is a
    # section under it, not the title of the whole.
    head = [f"# {title}", ""] if title else []
    return Extracted(join_lines(head + chapters), title=title or None)


# --- Jupyter notebooks ---------------------------------------------------------


def _notebook(data: bytes) -> Extracted | str:
    """A notebook's cells in order: Markdown cells as they are written, code cells fenced as
    code in the kernel's language. Outputs are left out: what a cell printed or drew is
    data, not prose, and an image output is most of a notebook's bytes. Reads nbformat 4
    and the worksheets of nbformat 3."""
    from .load import decode  # the same decoding as a .txt file

    decoded = decode(data)
    if decoded is None:
        return "binary file (NUL bytes), not a notebook"
    try:
        notebook = json.loads(decoded[0])
    except ValueError as exc:
        return f"not a Jupyter notebook (not JSON: {str(exc)[:80]})"
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if cells is None and isinstance(notebook, dict):  # nbformat 3
        sheets = notebook.get("worksheets")
        sheets = sheets if isinstance(sheets, list) else []
        cells = [c for w in sheets if isinstance(w, dict) for c in w.get("cells") or ()]
    if not isinstance(cells, list):
        return "not a Jupyter notebook (no cells)"
    meta = notebook.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    language = _language(meta)
    lines: list[str] = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        text = _cell_source(cell.get("source", cell.get("input")))
        kind = cell.get("cell_type")
        if not text.strip():
            continue
        if kind == "markdown":
            lines += ["", text.strip("\n"), ""]
        elif kind == "heading":  # nbformat 3
            level = cell.get("level") if isinstance(cell.get("level"), int) else 1
            lines += ["", "#" * min(max(level, 1), 6) + " " + " ".join(text.split()), ""]
        elif kind == "code":
            fence = "`" * max([3, *(len(m) + 1 for m in re.findall(r"`{3,}", text))])
            lines += ["", fence + language, text.strip("\n"), fence, ""]
    title = meta.get("title") if isinstance(meta.get("title"), str) else ""
    return Extracted(join_lines(lines), title=title.strip() or None)


def _cell_source(source: object) -> str:
    """A cell's text: one string, or the list of lines nbformat stores."""
    if isinstance(source, str):
        return source
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return ""


def _language(meta: dict) -> str:
    """The kernel's language ("python"), for the code fences; "" where none is named."""
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        found = meta.get(key)
        name = found.get(field) if isinstance(found, dict) else None
        if isinstance(name, str) and re.fullmatch(r"[\w+#.-]{1,30}", name):
            return name
    return ""


# --- HTML --------------------------------------------------------------------

# Never read: code, styling, and the page's furniture that HTML5 names as such.
_DROP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "canvas",
        "head",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "button",
        "select",
        "option",
        "textarea",
        "dialog",
    ]
)
# Never read either: what the page does not show ([hidden], aria-hidden), the furniture ARIA
# names (navigation, banner, footer) and its widgets, whose text is their controls' labels (a
# video player's "captions settings", "Chapters"; a cookie dialog; a toolbar). A tab's *panel*
# is content and stays.
_NOT_CONTENT = ", ".join(
    ["[hidden]", '[aria-hidden="true" i]']
    + [
        f'[role~="{role}"]'
        for role in (
            "navigation", "banner", "contentinfo", "search", "menu", "menubar", "menuitem",
            "menuitemcheckbox", "menuitemradio", "toolbar", "tablist", "tab", "dialog",
            "alertdialog", "tooltip", "button", "slider", "listbox", "option", "combobox",
            "switch", "checkbox", "radio", "spinbutton", "progressbar", "scrollbar",
        )
    ]
)  # fmt: skip
_INVISIBLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.IGNORECASE
)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "blockquote",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "address",
        "details",
        "summary",
        "center",
        "body",
        "html",
        "table",  # not its head and body: a table's rows stand together, under its header
        "caption",
        "ul",
        "ol",
        "menu",
        "hr",
    ]
)
_LINK_LISTS = frozenset(["ul", "ol", "menu", "div", "section", "table", "p", "dl"])
# Links that step through a manual (texinfo, DocBook and gtk-doc pages all mark theirs).
_PAGER_RELS = frozenset(
    ["prev", "previous", "next", "up", "first", "last", "start", "contents", "index"]
)
_PAGER_LINK = ", ".join(["a[accesskey]", *(f'a[rel~="{rel}"]' for rel in sorted(_PAGER_RELS))])
PAGER_WORDS = 40  # a block with pager links and no more words than this is the pager


def _html(data: bytes, xhtml: bool = False) -> Extracted | str:
    from selectolax.lexbor import LexborHTMLParser

    from .load import decode  # the same decoding as a .txt file

    decoded = decode(data)
    if decoded is None:
        return "binary file (NUL bytes), not HTML"
    text = decoded[0]
    if not decoded[1].startswith("utf"):  # neither marked nor UTF-8: the page says what it is
        declared = _declared_codec(data)
        if declared:
            text = data.decode(declared, errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    text = _SELF_CLOSED.sub(_open_and_close, text) if xhtml else text
    # A site generator's page source (Jekyll's, Hugo's) opens with YAML front matter: kept
    # as it stands over the page's text, where cleaning reads it as metadata (its title).
    front = m.group(0) if (m := _FRONT_MATTER.match(text)) else ""
    tree = LexborHTMLParser(text[len(front) :])
    title_node = tree.css_first("title")
    title = " ".join(title_node.text().split()) if title_node else None
    for node in tree.css(_NOT_CONTENT):
        node.decompose()
    for node in tree.css("[style]"):
        if _INVISIBLE.search(node.attributes.get("style") or ""):
            node.decompose()
    # A link within the page that says nothing: a heading's permalink ("#", "¶", "§") or a
    # footnote's way back ("↩").
    for node in tree.css('a[href^="#"]'):
        if not _WORD_CHAR.search(node.text(deep=True)):
            node.decompose()
    root = _main_node(tree)
    out = _HtmlText(_holding_pager_links(tree))
    if root is not None:
        out.walk(root)
    return Extracted(front + join_lines(out.lines), title=title or None)


_FRONT_MATTER = re.compile(r"---[ \t]*\n(?:.*\n){0,200}?---[ \t]*\n")
# Bytes that are not UTF-8 (nor marked as UTF-16 or -32) are decoded by a guess (``load.decode``):
# a page's own declaration is believed over it, and only then: a page that is valid UTF-8 is
# UTF-8, whatever a stale <meta> says (saved pages often keep the server's old one).
_DECLARED = re.compile(
    rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)"
    rb"|<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)",
    re.IGNORECASE,
)
# As browsers read these labels (WHATWG Encoding): GBK covers GB2312, Latin-1 means cp1252.
_LABELS = {"gb2312": "gbk", "x-gbk": "gbk", "iso-8859-1": "cp1252", "latin1": "cp1252",
           "us-ascii": "cp1252", "ascii": "cp1252", "x-sjis": "shift_jis"}  # fmt: skip


def _declared_codec(data: bytes) -> str | None:
    """The codec a page's ``<meta charset>`` (or XML declaration) names in its first 4 KiB,
    if Python knows it."""
    found = _DECLARED.search(data[:4096])
    if not found:
        return None
    label = (found.group(1) or found.group(2)).decode("ascii").lower()
    try:
        return codecs.lookup(_LABELS.get(label, label)).name
    except LookupError:
        return None


# XHTML (an e-book's chapters) closes any element with "/>"; an HTML parser closes only the
# void ones so, and reads DocBook's '<a id="x"/>' as a link holding the rest of the page.
_SELF_CLOSED = re.compile(r"<([A-Za-z][\w.:-]*)(\s[^<>]*?)?\s*/>")
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"]
    + ["source", "track", "wbr"]
)


def _html_text(data: bytes) -> str | None:
    """An HTML document's text, as a page's (an e-mail's HTML body), or None if it has none."""
    out = _html(data)
    return out.text if isinstance(out, Extracted) else None


def _xhtml(data: bytes) -> Extracted | str:
    return _html(data, xhtml=True)


def _mhtml(data: bytes) -> Extracted | str:
    page = read_mhtml(data)
    if isinstance(page, str):
        return page
    out = _html(page.html)
    if isinstance(out, Extracted) and out.title is None and page.subject:
        return Extracted(out.text, out.pages, page.subject)
    return out


def _open_and_close(m: re.Match) -> str:
    tag = m.group(1)
    return m.group(0) if tag.lower() in _VOID else f"<{tag}{m.group(2) or ''}></{tag}>"


def _main_node(tree):
    """The page's main content: its <main>, else its largest <article>, else <body>."""
    for selector in ("main", '[role="main"]'):
        node = tree.css_first(selector)
        if node is not None and _LETTER.search(node.text()):
            return node
    articles = [a for a in tree.css("article") if a.parent is None or a.parent.tag != "article"]
    if articles:
        return max(articles, key=lambda a: len(a.text()))
    return tree.body


def _words(node) -> str:
    return " ".join(node.text(deep=True, separator=" ").split())


def _holding_pager_links(tree) -> frozenset[int]:
    """The elements (``mem_id``) holding a link to the previous, next or parent page: such
    links carry an access key or a ``rel`` saying where they lead (texinfo, DocBook and
    gtk-doc mark theirs); a sentence that merely links somewhere does not."""
    held = set()
    for link in tree.css(_PAGER_LINK):
        node = link.parent
        while node is not None and node.mem_id not in held:
            held.add(node.mem_id)
            node = node.parent
    return frozenset(held)


def _pager(node, holding: frozenset[int]) -> bool:
    """A short block of pager links: the header or footer a documentation generator puts on
    every page ("Next: Simple Example, Up: Using libffi [Index]", "Prev | Home | Next")."""
    if node.mem_id not in holding:
        return False
    # A page too short to say more than its heading is not its own pager.
    short = len(_words(node).split()) <= PAGER_WORDS
    return short and node.css_first("h1, h2, h3, h4, h5, h6, pre") is None


def _code(pre) -> str:
    """The text of a <pre>, without its controls ("copy" buttons); a <pre> made of two <code>
    listings (the same example in two flavours) gives each on lines of their own."""
    for node in pre.css(", ".join(sorted(_DROP))):
        node.decompose()
    children = list(pre.iter(include_text=True))
    codes = [c for c in children if c.tag == "code"]
    between = "".join(c.text(deep=True) for c in children if c.tag != "code")
    whole = len(codes) < 2 or between.strip()  # <code> marking words within one listing
    parts = [pre.text(deep=True)] if whole else [c.text(deep=True) for c in codes]
    return _code_lines("\n".join(p.strip("\n") for p in parts)).strip("\n")


def _link_dense(node) -> bool:
    """Mostly link text, in three or more links: a menu, a list of related pages."""
    links = node.css("a")
    if len(links) < 3:
        return False
    total = len(_words(node))
    linked = sum(len(_words(a)) for a in links)
    return total > 0 and linked >= 0.7 * total


class _HtmlText:
    """Walks the DOM, writing block elements as lines and inline text into paragraphs."""

    def __init__(self, holding_pager_links: frozenset[int] = frozenset()) -> None:
        self.holding = holding_pager_links  # ``_holding_pager_links`` of the page
        self.lines: list[str] = []
        self.inline: list[str] = []
        self.prefix = ""
        self.level = 0  # of the last <h1>-<h6> written

    def flush(self) -> None:
        text = " ".join("".join(self.inline).split())  # text nodes carry their own spaces
        self.inline = []
        if text:
            self.lines += [self.prefix + text] if self.prefix else ["", literal(text), ""]
            self.prefix = ""

    def heading(self, level: int, node) -> None:
        self.flush()
        self.lines += ["", "#" * level + " " + _words(node), ""]

    def walk(self, node) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.inline.append(child.text(deep=False))
            elif tag in _DROP or tag.startswith("-"):
                continue
            elif tag in _LINK_LISTS and (_link_dense(child) or _pager(child, self.holding)):
                self.flush()
            elif tag in _HEADINGS:
                self.heading(_HEADINGS[tag], child)
                self.level = _HEADINGS[tag]
            elif tag == "dt" and child.attributes.get("id"):
                # A term others link to: an entry of a reference (texinfo's and Sphinx's
                # "Function: ffi_status ffi_prep_cif (...)", a glossary's term), one level
                # below the section it stands in (never the page's headline); what it
                # describes follows in its <dd>.
                self.heading(min(max(self.level + 1, 2), 6), child)
            elif tag == "pre":
                self.flush()
                self.lines += ["", "```", _code(child), "```", ""]
            elif tag == "tr":
                self.flush()
                boxes = [c for c in child.iter() if c.tag in ("td", "th")]
                cells = [_words(c) for c in boxes]
                if any(cells):
                    first = not self.lines or not TABLE_ROW.fullmatch(self.lines[-1])
                    self.lines.append(table_row(cells))
                    # A table's first row of header cells, or its head, is the header the rows
                    # below are read under.
                    if first and len(cells) > 1 and all(cells) and (
                        child.parent.tag == "thead" or all(c.tag == "th" for c in boxes)
                    ):
                        self.lines.append(header_rule(len(cells)))
            elif tag == "li":
                self.flush()
                self.prefix = "- "
                self.walk(child)
                self.flush()
            elif tag == "br":
                self.flush()
            elif tag in _BLOCKS:
                self.flush()
                self.lines.append("")  # lists and tables stand apart from the text around
                self.walk(child)
                self.flush()
                self.lines.append("")
            else:
                self.walk(child)  # inline: a, b, span, em, code, ...
