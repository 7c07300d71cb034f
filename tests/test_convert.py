"""PDF, HTML (saved as one file too), DOCX, DOC, RTF, ODT, PPTX, EPUB, notebooks and e-mail
read through their libraries or readers of our own; broken ones skipped with a reason."""

from __future__ import annotations

import io
import json
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest
from make_docs import docx_bytes, epub_bytes, pdf_bytes, pdf_typeset, zip_bomb_docx

from askseeds.ingest.clean import section_at
from askseeds.ingest.convert import extract
from askseeds.ingest.load import load_folder

PAGES = [
    "The lighthouse at Kessel Point was built in 1874 by the harbour board.",
    "The lamp burns paraffin oil and can be seen for twenty miles on a clear night.",
    "Visitors may climb the tower on Saturdays between April and October.",
]

PAGE_HTML = b"""<!doctype html><html><head><title>Otters - Wildlife Trust</title>
<script>var tracking = "Otters are secretly fish";</script><style>p { color: red }</style></head>
<body><header><a href="/">Wildlife Trust</a> <a href="/shop">Shop</a></header>
<nav><ul><li><a href="/a">Badgers</a></li><li><a href="/b">Foxes</a></li></ul></nav>
<div class="related"><a href="/1">Ten best walks</a> <a href="/2">Bird feeders</a>
<a href="/3">Pond life</a></div>
<article><h1>Otters</h1><p>Otters eat <a href="/fish">fish</a>, crabs and frogs.</p>
<h2>Kinds</h2><ul><li>The sea otter lives on the Pacific coast.</li><li>River otter</li></ul>
<table><tr><th>Kind</th><th>Weight</th></tr><tr><td>Sea otter</td><td>30 kg</td></tr></table>
</article><footer>Copyright 2024 Wildlife Trust. All rights reserved.</footer></body></html>"""


# A guide LibreOffice 7.4 wrote (`soffice --convert-to odt`, then `--convert-to fodt` of that) from
# a document holding what ODT readers trip on: a title, a table of contents, a footnote, a
# comment, a tracked deletion, a nested list, a table, preformatted code, a text box.
ODF = Path(__file__).parent / "data" / "odf"
# glaze-talk.pptx and odf/glaze-talk.odp: LibreOffice 7.4 Impress's exports of one talk (title
# and outline placeholders, bullets two levels deep, a table, a text box, speaker's notes). ph-inherit-props.pptx: a deck made in PowerPoint, from
# python-pptx's test files (MIT licence, `github:scanny/python-pptx`): title and body
# placeholders, notes, and PowerPoint's own "Presentation" as its title property.
PPTX = Path(__file__).parent / "data" / "pptx"
# word/kiln-guide.doc: LibreOffice 7.4's Word 97-2003 export of odf/kiln-guide.odt, and
# glaze-notes.doc of a two-paragraph note with an endnote in the first. raw_text.doc
# (and the text its project expects of it, raw_text.txt): saved by Word on the Mac, from
# textract's tests (MIT, `github:deanmalmgren/textract`). word95.doc and password.doc (its
# password: "password"): Word 95's and an RC4-encrypted document, from Apache POI's test data
# (Apache-2.0, `github:apache/poi` `test-data/document/Word95.doc`,
# `password_password_cryptoapi.doc`).
WORD = Path(__file__).parent / "data" / "word"
# rtf/kiln-guide.rtf: LibreOffice 7.4's RTF export of odf/kiln-guide.odt. throwing-notes.rtf and
# wordpad-notes.rtf are written as TextEdit and WordPad write theirs (no style sheet; a bullet
# list; a font whose character set is GBK, \'hh bytes, \uN with its stand-in).
RTF = Path(__file__).parent / "data" / "rtf"
# mail/shelves.eml (plain and HTML alternatives, a PDF attached) and studio.mbox (it and a
# reply whose body line "From now on" the mailbox quotes as ">From"), written by Python's
# email and mailbox packages as mail clients write them.
MAIL = Path(__file__).parent / "data" / "mail"
# kiln-log.mhtml: a page with a menu, a footer, an image, a style sheet, a table, preformatted
# code and an advertising frame, saved by Chromium as one file (Page.captureSnapshot, the
# browser's "Webpage, Single File").
MHTML = Path(__file__).parent / "data" / "mhtml"

# A page as Internet Explorer and Word saved ".mht" files, in a legacy code page its HTML does
# not declare; here RFC 2557's "start" names the page, which is not the message's first part,
# and its heading's link to itself is written against the page's address, as browsers save it.
OLD_MHT = b"""From: <Saved by Windows Internet Explorer 8>\r
Subject: =?iso-8859-2?Q?Dvo=F8=E1k_in_Spillville?=\r
MIME-Version: 1.0\r
Content-Type: multipart/related; type="text/html"; start="<page@example>";\r
\tboundary="----=_NextPart_000_0000_01CA1234.56789ABC"\r
\r
This is a multi-part message in MIME format.\r
\r
------=_NextPart_000_0000_01CA1234.56789ABC\r
Content-Type: text/css\r
Content-Location: http://example.com/site.css\r
\r
p { margin: 0 }\r
------=_NextPart_000_0000_01CA1234.56789ABC\r
Content-Type: text/html; charset="iso-8859-2"\r
Content-Transfer-Encoding: quoted-printable\r
Content-ID: <page@example>\r
Content-Location: http://example.com/spillville.html\r
\r
<html><body><h1>Summer of 1893<a href=3D"http://example.com/spillville.html#s1">=A7</a></h1>=\r
<p>Anton=20Dvo=F8=E1k spent the summer of 1893 in Spill=\r
ville, Iowa, where he wrote his String Quartet in F major.</p></body></html>\r
------=_NextPart_000_0000_01CA1234.56789ABC--\r
"""


def _odt_parts(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def _write(folder: Path, name: str, data: bytes) -> None:
    (folder / name).write_bytes(data)


def _typeset(folder: Path, name: str, pages, running_head: str):
    """The one document a folder holds once ``pages`` are typeset into it as ``name``."""
    _write(folder, name, pdf_typeset(pages, running_head))
    (doc,), skipped = load_folder(folder)
    assert skipped == []
    return doc


def _blocks(doc) -> list[str]:
    return [doc.text[b.start : b.end] for b in doc.blocks]


def test_pdf_text_layer_with_page_starts(tmp_path: Path) -> None:
    _write(tmp_path, "light.pdf", pdf_bytes(PAGES))
    (doc,), skipped = load_folder(tmp_path)
    assert skipped == [] and doc.converted
    assert len(doc.pages) == 3
    for number, page in enumerate(PAGES):
        at = doc.text.index(page)
        assert doc.pages[number] <= at < (doc.pages + (len(doc.text),))[number + 1]
    assert _blocks(doc) == PAGES


GUIDE = [
    [
        ("t", "The Kessel Point Light"),
        ("p", "The lighthouse at Kessel Point was built in 1874. It is a well-known"),
        ("p", "landmark, and its keepers kept a log of every storm."),
        ("", ""),
        ("h", "The lamp"),
        ("p", "The lamp burns paraffin oil. Its illumination reaches twenty miles on a"),
        ("p", "clear night, and the ﬁrst keeper trimmed the wick every four hours. The"),
        ("p", "lens came from Paris; it was the largest of its kind and its illumi-"),
    ],
    [
        ("p", "nation was praised by every captain who saw it. A well-"),
        ("p", "known painter drew it in 1890."),
        ("b", "Visiting hours"),
        ("p", "Visitors may climb the tower on Saturdays between April and"),
        ("f", "1. The tower was closed to visitors during the war."),
        ("p", "October, when the weather allows."),
    ],
    [
        ("h", "The keepers"),
        ("p", "Three families kept the light until it was automated in 1961. Its timer reads:"),
        ("c", "# lamp schedule"),
        ("c", "on = dusk {"),
        ("c", "}"),
    ],
]


def test_a_typeset_pdf_reads_as_laid_out(tmp_path: Path) -> None:
    doc = _typeset(tmp_path, "guide.pdf", GUIDE, "A Guide to Northern Lights")
    text = doc.text
    assert len(doc.pages) == 3
    # the running head and the page numbers are not text
    assert "Northern Lights" not in text and not any(
        ln.strip().isdigit() for ln in text.split("\n")
    )
    # a word hyphenated at a line's end is whole, across a page too, unless the
    # document spells it with its hyphen; the ligature is its letters
    words = " ".join(text.split())
    assert "its illumination was praised" in words and "illumi-" not in text
    assert "A well-known painter" in words and "ﬁ" not in text and "the first keeper" in words
    # the paragraph runs on over the page break and is one block; a footnote that fell
    # into a sentence comes after it
    assert any("largest of its kind" in b and "every captain" in b for b in _blocks(doc))
    assert "between April and October, when the weather allows." in words
    # larger and bold lines are headings: the sections they head
    assert doc.title == "The Kessel Point Light"
    assert section_at(doc.sections, text.index("paraffin")) == "The lamp"
    assert section_at(doc.sections, text.index("Saturdays")) == "The lamp › Visiting hours"
    assert section_at(doc.sections, text.index("automated")) == "The keepers"
    # a typewriter face sets code: fenced as Markdown's, its "#" no heading, "}" kept
    assert "Its timer reads:\n\n```\n# lamp schedule\non = dusk {\n}\n```" in text
    for number, page in enumerate(["The Kessel", "every captain", "Three families"]):
        assert doc.pages[number] <= text.index(page)


def test_pages_of_one_repeated_line_are_content_not_running_heads(tmp_path: Path) -> None:
    # Labels or slides: the same line alone on each page is what the pages say.
    _write(tmp_path, "labels.pdf", pdf_bytes(["Harbour board notice 7"] * 3))
    (doc,), skipped = load_folder(tmp_path)
    assert skipped == [] and doc.text.count("Harbour board notice 7") == 3


def test_large_lines_last_on_a_page_head_nothing(tmp_path: Path) -> None:
    # A title page's names set large at its foot: typesetters never end a page on a heading.
    pages = [
        [("t", "Tide Tables"), ("p", "For the harbour of Kessel Point."), ("h", "Anna Berg")],
        [("h", "High water"), ("p", "High water comes twice a day, about twelve hours apart.")],
    ]
    doc = _typeset(tmp_path, "tides.pdf", pages, "Tide Tables")
    assert "# Anna Berg" not in doc.text and "# High water" in doc.text


def test_indented_paragraphs_of_one_line_stand_apart(tmp_path: Path) -> None:
    # Set as a book sets them: no gap, each paragraph's first line indented.
    lines = [
        ("i", "The bell was rung at dusk."),
        ("i", "The keepers lit the lamp when the bell had stopped, and trimmed"),
        ("p", "its wick every four hours until dawn. They logged the weather, the"),
        ("p", "ships that passed, the state of the sea and of the glass, and any"),
        ("p", "call for the lifeboat, in a book the harbour board read each month."),
        ("i", "Fog came often in the autumn."),
        ("p", "The horn sounded then, two blasts a minute, until the fog had gone"),
        ("p", "from the bay."),
    ]
    more = [("p", "Wrecks are listed in the second book.")]
    doc = _typeset(tmp_path, "log.pdf", [lines, more], "Keepers' log")
    paragraphs = [" ".join(p.split()) for p in doc.text.split("\n\n") if p.strip()]
    opened = [i for i, (kind, _) in enumerate(lines) if kind == "i"] + [len(lines)]
    set_as = [" ".join(t for _, t in lines[a:b]) for a, b in pairwise(opened)]
    assert paragraphs[:3] == set_as


def test_a_title_set_on_two_lines_under_a_masthead_titles_the_pdf(tmp_path: Path) -> None:
    pages = [
        [
            ("p", "Harbour Board Papers, number four, printed for the members."),
            ("t", "The Light at"),
            ("t", "Kessel Point"),
            ("h", "Building"),
            ("p", "The tower was built of granite in 1874 by the harbour board."),
        ],
        [("h", "Keepers"), ("p", "Three families kept the light until 1961.")],
    ]
    doc = _typeset(tmp_path, "paper.pdf", pages, "Harbour Board Papers")
    assert doc.title == "The Light at Kessel Point"
    assert section_at(doc.sections, doc.text.index("granite")) == "Building"


def test_a_pdf_outline_names_its_headings(tmp_path: Path) -> None:
    # Headings set like the text, found by the PDF's bookmarks alone.
    pages = [
        [
            ("p", "A short history of the Kessel Point light, for visitors."),
            ("", ""),
            ("o", "Origins"),
            ("p", "The light was first lit in 1874 by the harbour board."),
        ],
        [("o", "The lamp today"), ("p", "An electric lamp replaced the oil burner in 1961.")],
    ]
    _write(tmp_path, "plain.pdf", pdf_typeset(pages, "Kessel Point", title="Kessel Point Light"))
    _write(
        tmp_path,
        "draft.pdf",
        pdf_typeset(pages, "Kessel Point", title="Microsoft Word - draft3.docx"),
    )
    (draft, doc), _ = load_folder(tmp_path)
    # the title its properties give, unless that is a file's name
    assert doc.title == "Kessel Point Light" and draft.title != "Microsoft Word - draft3.docx"
    assert section_at(doc.sections, doc.text.index("harbour")) == "Origins"
    assert section_at(doc.sections, doc.text.index("electric")) == "The lamp today"
    # a title set above what the outline lists stays the title
    pages[0][:0] = [("t", "Tide Tables for"), ("t", "Kessel Point")]
    _write(tmp_path, "plain.pdf", pdf_typeset(pages, "Kessel Point"))
    (_, doc), _ = load_folder(tmp_path)
    assert doc.title == "Tide Tables for Kessel Point"


def test_epub_chapters_in_reading_order_with_headings_and_title(tmp_path: Path) -> None:
    chapters = [
        # '<a id="x"/>' (DocBook's anchors) closes in XHTML; an HTML parser would read it as
        # a link holding the rest of the chapter.
        (
            "Tides",
            [
                '<a id="hw"/>High water at Kessel Point comes 40 minutes after Dover.',
                "Neaps are slack.",
            ],
        ),
        ("Lights", ["The lamp burns paraffin & can be seen for <b>twenty</b> miles."]),
    ]
    _write(tmp_path, "harbour.epub", epub_bytes("The Harbour Guide", chapters))
    (doc,), skipped = load_folder(tmp_path)
    assert skipped == [] and doc.converted
    assert doc.title == "The Harbour Guide"
    blocks = _blocks(doc)
    # The navigation document's table of contents is furniture, not a chapter.
    assert blocks == [
        "The Harbour Guide",
        "Tides\n\nHigh water at Kessel Point comes 40 minutes after Dover.",
        "Neaps are slack.",
        "Lights\n\nThe lamp burns paraffin & can be seen for twenty miles.",
    ]
    assert [heading for _, heading in doc.sections][-2:] == ["Tides", "Lights"]


def test_epub_package_entities_are_never_expanded(tmp_path: Path) -> None:
    """A "billion laughs" package file: ten nested entities that would expand to GiB."""
    book = zipfile.ZipFile(io.BytesIO(epub_bytes("Tides", [("Tides", ["High water."])])))
    laughs = '<!ENTITY l0 "ha">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in book.namelist():
            data = book.read(name)
            if name.endswith(".opf"):
                data = data.replace(b"?>", f"?><!DOCTYPE package [{laughs}]>".encode(), 1)
                data = data.replace(b"<dc:title>Tides", b"<dc:title>&l9;")
            zf.writestr(name, data)
    _write(tmp_path, "laughs.epub", out.getvalue())
    docs, skipped = load_folder(tmp_path)
    assert len(docs) + len(skipped) == 1
    assert all(len(d.text) < 1000 and len(d.title or "") < 100 for d in docs)


def test_xhtml_elements_closed_with_a_slash_hold_nothing(tmp_path: Path) -> None:
    page = (
        '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        '<head><title>Gcovr</title></head><body><h1><a id="start"/>Getting Started</h1>'
        "<p>The gcovr command summarises the lines executed.<br/>It reads gcov files.</p>"
        '<div class="note"/><p>Compile without optimization.</p>'
        # Read as a link holding the page, its links would make the whole page a link list.
        '<p>See <a href="#a">gcov</a>, <a href="#b">lcov</a> and <a href="#c">the FAQ</a>.</p>'
        "</body></html>"
    )
    _write(tmp_path, "guide.xhtml", page.encode())
    (doc,), _ = load_folder(tmp_path)
    assert _blocks(doc) == [
        "Getting Started\n\nThe gcovr command summarises the lines executed.",
        "It reads gcov files.",
        "Compile without optimization.",
        "See gcov, lcov and the FAQ.",
    ]


def _notebook(cells: list[dict], **meta) -> bytes:
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": meta, "cells": cells}
    return json.dumps(notebook).encode()


def test_a_notebook_reads_its_markdown_and_code_cells_not_their_outputs(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "markdown", "source": "# Kiln log\n\nThe kiln fired at *1200* degrees."},
        {
            "cell_type": "code",
            "source": 'print("""```""")\ncones = [6, 10]',
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "Traceback wombat"}],
        },
        {"cell_type": "raw", "source": "---\ntitle: draft\n---"},
        {"cell_type": "markdown", "source": "## Cooling\nThe kiln cools for eight hours."},
    ]
    _write(tmp_path, "kiln.ipynb", _notebook(cells, language_info={"name": "python"}))
    (doc,), skipped = load_folder(tmp_path)
    assert skipped == [] and doc.converted and doc.title == "Kiln log"
    assert "wombat" not in doc.text and "draft" not in doc.text
    # A fence longer than any run of backticks in the code, so the code stays whole.
    assert '````python\nprint("""```""")\ncones = [6, 10]\n````' in doc.text
    assert "Kiln log\n\nThe kiln fired at *1200* degrees." in _blocks(doc)
    assert [heading for _, heading in doc.sections if heading] == ["Cooling"]


def test_an_nbformat_3_notebook_reads_its_worksheets() -> None:
    notebook = {
        "nbformat": 3,
        "metadata": {"name": "old"},
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "heading", "level": 2, "source": ["Glazes"]},
                    {"cell_type": "markdown", "source": ["Celadon turns green in reduction."]},
                    {"cell_type": "code", "language": "python", "input": ["glaze = 'celadon'"]},
                ]
            }
        ],
    }
    out = extract(".ipynb", json.dumps(notebook).encode())
    assert out.text == (
        "## Glazes\n\nCeladon turns green in reduction.\n\n```\nglaze = 'celadon'\n```\n"
    )


def test_docx_paragraphs_headings_bullets_and_table_cells(tmp_path: Path) -> None:
    data = docx_bytes(
        "Field guide",
        [
            ("Herons", ["The grey heron waits in shallow water for fish.", "- Long legs"]),
            ("Sizes", ["Measured in the field."]),
        ],
        table=[["Bird", "Wingspan"], ["Grey heron", "185 cm"]],
    )
    _write(tmp_path, "guide.docx", data)
    (doc,), _ = load_folder(tmp_path)
    blocks = _blocks(doc)
    assert doc.title == "Field guide"
    assert "Herons\n\nThe grey heron waits in shallow water for fish." in blocks
    assert "Long legs" in blocks
    assert "Grey heron | 185 cm" in blocks
    row = doc.text.index("Grey heron | 185 cm")
    assert section_at(doc.sections, row) == "Sizes"
    fish = doc.text.index("The grey heron")
    assert section_at(doc.sections, fish) == "Herons"


@pytest.mark.parametrize("name", ["kiln-guide.odt", "kiln-guide.fodt"])
def test_an_opendocument_reads_as_its_reader_sees_it(name: str) -> None:
    out = extract(Path(name).suffix, (ODF / name).read_bytes())
    assert out.title == "Kiln Operator's Guide"
    text = out.text
    lines = text.splitlines()
    assert lines[0] == "# Kiln Operator's Guide"
    assert "## Loading the kiln" in lines and "### Cooling down" in lines
    # The footnote is read after the sentence that cites it, not inside it.
    assert "Place the tallest pots on the bottom shelf, and leave two fingers" in text
    assert lines.index("The bottom shelf sits closest to the gas burners.") > lines.index(
        "## Loading the kiln"
    )
    assert ["- Vacuum the kiln floor.", "- Check the shelves for cracks."] == lines[
        lines.index("- Vacuum the kiln floor.") : lines.index("- Vacuum the kiln floor.") + 2
    ]
    assert "  - A cracked shelf goes to the scrap bin." in lines
    assert "| Candling | 50 degrees per hour |" in lines
    # Code keeps its spaces (<text:s text:c="3"/>) inside one fence.
    fence = lines.index("kilnctl fire --schedule stoneware")
    assert lines[fence - 1] == "```" and lines[fence + 1] == "kilnctl status   # every 10 minutes"
    assert "Opening the lid early cracks the glaze." in lines  # the text box
    # Left out: the deleted sentence, the comment, the table of contents.
    for gone in ("fired every Monday", "Check this with Brian", "Contents"):
        assert gone not in text
    assert text.count("Loading the kiln") == 1


def test_a_word_97_document_reads_as_the_same_document_saved_as_odt() -> None:
    doc = extract(".doc", (WORD / "kiln-guide.doc").read_bytes())
    odt = extract(".odt", (ODF / "kiln-guide.odt").read_bytes())
    assert doc.title == odt.title == "Kiln Operator's Guide"
    # The same headings, footnote, nested list, table and code, but for the table of contents'
    # own heading; the text box lives in a part of the file left out.
    left_out = ("Contents", "Opening the lid early cracks the glaze.")
    lines = [line for line in doc.text.splitlines() if line not in ("", *left_out)]
    assert lines == [line for line in odt.text.splitlines() if line not in ("", *left_out)]
    for gone in ("every Monday", "Check this with Brian", "Loading the kiln\t1"):
        assert gone not in doc.text  # a tracked deletion, a comment, the contents


def test_a_document_word_saved_keeps_every_word_its_text_has() -> None:
    out = extract(".doc", (WORD / "raw_text.doc").read_bytes())
    expected = (WORD / "raw_text.txt").read_text(encoding="utf-8")
    assert out.text.split() == expected.split()
    word95 = extract(".doc", (WORD / "word95.doc").read_bytes())
    assert word95.text.splitlines()[::2] == [
        "The quick brown fox jumps over the lazy dog", "Paragraph 2",
        "Paragraph 3. Has some RED text and some BLUE BOLD text in it.", "Last (4th) paragraph.",
    ]  # fmt: skip


def test_a_word_endnote_is_read_after_the_paragraph_citing_it() -> None:
    out = extract(".doc", (WORD / "glaze-notes.doc").read_bytes())
    assert [line for line in out.text.splitlines() if line] == [
        "Celadon needs a reduction firing, and shino needs a long cooling.",
        "Reduction starves the kiln of oxygen at cone 010.",
        "Test tiles go on the top shelf.",
    ]


def test_a_doc_that_is_rtf_or_docx_reads_as_what_it_is() -> None:
    rtf = extract(".doc", (RTF / "wordpad-notes.rtf").read_bytes())
    assert rtf.text.startswith("Kiln notes")
    docx = extract(".doc", docx_bytes("Field guide", [("Herons", ["Grey herons wait."])]))
    assert "Grey herons wait." in docx.text


def test_an_rtf_document_reads_as_the_same_document_saved_as_odt() -> None:
    rtf = extract(".rtf", (RTF / "kiln-guide.rtf").read_bytes())
    odt = extract(".odt", (ODF / "kiln-guide.odt").read_bytes())
    assert rtf.title == odt.title == "Kiln Operator's Guide"
    # The same blocks in the same marks, but for the table of contents' own heading (a plain
    # paragraph in RTF), the text box, written where it is anchored, and the table's header
    # row, which LibreOffice's RTF does not mark (\trhdr) as its ODT does.
    box, rule = "Opening the lid early cracks the glaze.", "| --- | --- |"
    lines = [line for line in rtf.text.splitlines() if line not in ("", "Contents", box)]
    assert lines == [line for line in odt.text.splitlines() if line not in ("", box, rule)]
    assert rule in odt.text.splitlines()
    assert box in rtf.text.splitlines()
    for gone in ("Check this with Brian", "every Monday", "\t1", "Loading the kiln 1"):
        assert gone not in rtf.text


def test_an_rtf_picture_s_raw_bytes_are_not_read_as_text_or_groups() -> None:
    picture = b"{\\pict\\pngblip\\bin9 }{\\par}x{" + b"}"
    rtf = b"{\\rtf1\\ansi\\pard Before the picture.\\par" + picture + b"After it.\\par}"
    assert extract(".rtf", rtf).text.splitlines() == ["Before the picture.", "After it."]


def test_a_note_without_styles_reads_as_typed_line_by_line() -> None:
    out = extract(".rtf", (RTF / "throwing-notes.rtf").read_bytes())
    assert out.text.splitlines() == [
        "Throwing notes",
        "",
        "Center the clay with wet hands before opening it; a dry hand drags the clay off center.",
        "Trim the foot when the pot is leather-hard \u2013 the café mugs cracked when trimmed wet.",
        "- Wedge the clay twice.",
        "- Dry the pots under plastic for a week.",
        "",
        "def shrink(size):",
        "    return size * 0.88",
    ]
    wordpad = extract(".rtf", (RTF / "wordpad-notes.rtf").read_bytes())
    assert wordpad.text.splitlines() == [  # spaced paragraphs stand apart; GBK in its font
        "Kiln notes", "", "The kiln reached cone 6 \u2014 a first.", "",
        "The 窑炉 (kiln) cooled overnight.",
    ]  # fmt: skip


def test_opendocument_text_its_style_hides_is_left_out() -> None:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    hides = '<style:text-properties text:display="none"/>'
    content = (
        f"<office:document-content {ns}><office:automatic-styles>"
        f'<style:style style:name="P1" style:family="paragraph">{hides}</style:style>'
        f'<style:style style:name="T1" style:family="text">{hides}</style:style>'
        "</office:automatic-styles><office:body><office:text>"
        '<text:p text:style-name="P1">Draft: ask Brian first.</text:p>'
        '<text:p>Fire the bisque<text:span text:style-name="T1"> (or not?)</text:span> on '
        "Monday.</text:p></office:text></office:body></office:document-content>"
    )
    out = extract(".odt", _odt_parts({"content.xml": content.encode()}))
    assert out.text.strip() == "Fire the bisque on Monday."


@pytest.mark.parametrize("path", [PPTX / "glaze-talk.pptx", ODF / "glaze-talk.odp"])
def test_a_deck_reads_slide_by_slide_with_its_notes_each_slide_a_page(path: Path) -> None:
    out = extract(path.suffix, path.read_bytes())
    assert out.title == "Glazes that stay put"
    text, starts = out.text, out.pages
    assert len(starts) == 3
    slides = [text[a:b] for a, b in pairwise([*starts, len(text)])]
    assert slides[0].startswith("## Glazes that stay put\n\nA workshop for the Tuesday")
    assert slides[1].startswith("## Why glazes run")
    lines = [line for line in slides[1].splitlines() if line]
    assert lines[lines.index("- Too much flux in the recipe") + 1] == "  - Cut the frit by a tenth"
    # The speaker's notes follow the slide they belong to, once.
    assert slides[1].count("Ask who has lost a shelf to a running glaze") == 1
    assert "| Celadon | cone 7 |" in slides[2].splitlines()
    assert slides[2].rstrip().endswith("Fire every tile on a cookie of scrap clay.")


def _one_slide_deck(shape_tree: str, parts: dict[str, str] | None = None) -> bytes:
    ns = (
        'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    )
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    slide_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide"
    return _odt_parts({
        "ppt/presentation.xml": f'<p:presentation {ns}><p:sldIdLst><p:sldId id="256" '
        'r:id="rId2"/></p:sldIdLst></p:presentation>',
        "ppt/_rels/presentation.xml.rels": f'<Relationships xmlns="{rels}"><Relationship '
        f'Id="rId2" Type="{slide_rel}" Target="slides/slide1.xml"/></Relationships>',
        "ppt/slides/slide1.xml": f"<p:sld {ns}><p:cSld><p:spTree>{shape_tree}</p:spTree>"
        "</p:cSld></p:sld>",
        **(parts or {}),
    })  # fmt: skip


def test_a_deck_list_nests_by_its_levels_order_not_their_numbers() -> None:
    def para(text: str, level: int | None = None) -> str:
        bullet = "" if level is None else f'<a:pPr lvl="{level}"><a:buChar char="•"/></a:pPr>'
        return f"<a:p>{bullet}<a:r><a:t>{text}</a:t></a:r></a:p>"

    box = "".join([
        para("Linux"), para("Open a terminal.", 2), para("Run the installer.", 2),
        para("Say yes to its questions.", 4), para("Log out.", 1),
    ])  # fmt: skip
    deck = _one_slide_deck(f"<p:sp><p:txBody>{box}</p:txBody></p:sp>")
    lines = [line for line in extract(".pptx", deck).text.splitlines() if line]
    assert lines == [  # level 2 under a paragraph opens a list, not indented code
        "Linux", "- Open a terminal.", "- Run the installer.", "  - Say yes to its questions.",
        "- Log out.",
    ]  # fmt: skip


def test_a_deck_s_chart_reads_as_its_title_and_a_table_of_its_data() -> None:
    c = 'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"'
    a = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'

    def points(values: list[str]) -> str:
        return "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate(values))

    def series(name: str, values: list[str]) -> str:
        return (f"<c:ser><c:tx><c:strRef><c:strCache>{points([name])}</c:strCache></c:strRef>"
                f"</c:tx><c:cat><c:strRef><c:strCache>{points(['Bisque', 'Glaze'])}"
                f"</c:strCache></c:strRef></c:cat><c:val><c:numRef><c:numCache>{points(values)}"
                "</c:numCache></c:numRef></c:val></c:ser>")  # fmt: skip

    chart = (
        f"<c:chartSpace {c} {a}><c:chart><c:title><c:tx><c:rich><a:p><a:r><a:t>Firings per "
        "month</a:t></a:r></a:p></c:rich></c:tx></c:title><c:plotArea><c:barChart>"
        f"{series('March', ['12', '9'])}{series('April', ['14', '11'])}"
        "</c:barChart></c:plotArea></c:chart></c:chartSpace>"
    )
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
    frame = (
        '<p:graphicFrame><a:graphic><a:graphicData><c:chart '
        'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" r:id="rId7"/>'
        "</a:graphicData></a:graphic></p:graphicFrame>"
    )
    deck = _one_slide_deck(frame, {
        "ppt/charts/chart1.xml": chart,
        "ppt/slides/_rels/slide1.xml.rels": f'<Relationships xmlns="{rels}"><Relationship '
        f'Id="rId7" Type="{kind}" Target="../charts/chart1.xml"/></Relationships>',
    })  # fmt: skip
    assert [line for line in extract(".pptx", deck).text.splitlines() if line] == [
        "Firings per month", "|  | March | April |", "| Bisque | 12 | 14 |", "| Glaze | 9 | 11 |",
    ]  # fmt: skip


def test_a_powerpoint_deck_titles_its_slides_and_not_itself_presentation() -> None:
    out = extract(".pptx", (PPTX / "ph-inherit-props.pptx").read_bytes())
    assert out.title is None  # "Presentation" is what PowerPoint calls any new deck
    assert "## Title Text" in out.text.splitlines()
    assert "Notes in inherited position and size." in out.text


@pytest.mark.parametrize(
    ("codec", "label"), [("gbk", "gb2312"), ("shift_jis", "Shift_JIS"), ("koi8-r", "KOI8-R")]
)
def test_a_page_in_a_legacy_code_page_reads_as_its_meta_declares(codec: str, label: str) -> None:
    words = {"gbk": "窑炉冷却了一整夜。", "shift_jis": "窯は一晩かけて冷めた。",
             "koi8-r": "Печь остывала всю ночь."}[codec]  # fmt: skip
    page = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={label}">'
    out = extract(".html", (page + f"</head><body><p>{words}</p></body></html>").encode(codec))
    assert out.text.strip() == words
    # Bytes that are UTF-8 are UTF-8: saved pages keep a server's stale declaration.
    assert extract(".html", (page + f"<p>{words}</p>").encode("utf-8")).text.strip() == words


def test_a_page_saved_as_one_file_reads_as_the_page_itself() -> None:
    out = extract(".mhtml", (MHTML / "kiln-log.mhtml").read_bytes())
    assert out.title == "Kiln log — spring firings"
    assert "the café mugs came out without cracks." in out.text  # quoted-printable undone
    assert "| Bisque | 06 | 9 |" in out.text.splitlines()
    assert "    ramp 2:  150 C/h to 1222 C" in out.text.splitlines()
    for gone in ("Home", "discount kiln shelves", "2026", "font-family", "PNG"):
        assert gone not in out.text


def test_an_old_mht_reads_the_page_its_start_names_in_the_code_page_it_declares() -> None:
    out = extract(".mht", OLD_MHT)
    assert out.text.splitlines()[:3] == [
        "# Summer of 1893",
        "",
        ("Anton Dvořák spent the summer of 1893 in Spillville, Iowa, where he wrote his String "
        "Quartet in F major."),
    ]
    assert out.title == "Dvořák in Spillville"  # the page has no <title>: the saved subject
    assert "margin" not in out.text


def test_a_saved_message_reads_as_a_section_dated_by_its_sending(tmp_path: Path) -> None:
    _write(tmp_path, "shelves.eml", (MAIL / "shelves.eml").read_bytes())
    (doc,), _ = load_folder(tmp_path)
    assert doc.title == "Shelf delivery — new date" and doc.date == "2026-03-03"
    lines = doc.text.splitlines()
    assert lines[:5] == [
        "# Shelf delivery — new date",
        "",
        "From: Ada Lovelace <ada@pottery.example>",
        "To: Brian Kiln <brian@pottery.example>",
        "Date: 2026-03-03 10:15 +0100",
    ]
    assert lines.count("Hi Brian,") == 1  # the plain part, not its HTML alternative too
    assert "Attachments: invoice-2291.pdf" in lines
    assert "PDF-1.4" not in doc.text


def test_a_mailbox_reads_each_message_and_unquotes_from_lines() -> None:
    out = extract(".mbox", (MAIL / "studio.mbox").read_bytes())
    lines = out.text.splitlines()
    assert [line for line in lines if line.startswith("# ")] == [
        "# Shelf delivery — new date", "# Re: Shelf delivery — new date",
    ]  # fmt: skip
    assert "From now on, order shelves two weeks ahead." in lines
    assert "> The kiln shelves will arrive on Friday, not Wednesday." in lines


def test_a_list_archive_saved_as_txt_reads_as_the_mailbox_it_is(tmp_path: Path) -> None:
    _write(tmp_path, "2026-March.txt", (MAIL / "studio.mbox").read_bytes())  # as Mailman serves
    _write(tmp_path, "note.txt", b"From the desk of Ada.\nSubject to change: the kiln dates.\n")
    _write(tmp_path, "line.txt", b"From here on, fire at cone 6.")  # one line, no line end
    docs, _ = load_folder(tmp_path)
    archive, line, note = sorted(docs, key=lambda d: d.source)
    assert line.text == "From here on, fire at cone 6."
    assert archive.title == "Shelf delivery — new date" and archive.date == "2026-03-03"
    assert "# Re: Shelf delivery — new date" in archive.text.splitlines()
    assert note.text.startswith("From the desk of Ada.")  # a note, read as written


def test_a_thunderbird_folder_reads_as_the_mailbox_it_is(tmp_path: Path) -> None:
    # Thunderbird keeps a mail folder as a mailbox named as the folder, beside its index.
    mailbox = (MAIL / "studio.mbox").read_bytes()
    profile, saved = tmp_path / "profile", tmp_path / "saved"
    (profile / "Mail").mkdir(parents=True)
    saved.mkdir()
    _write(profile, "Mail/Inbox", mailbox)
    _write(profile, "Mail/Inbox.msf", b"// <!-- <mdb:mork:z v=\"1.4\"/> -->\n< <(a=c)> >\n")
    _write(profile, "NOTES", b"From the desk of Ada.\nSubject to change: the kiln dates.\n")
    _write(saved, "studio.mbox", mailbox)
    docs, skipped = load_folder(profile)
    inbox, notes = sorted(docs, key=lambda d: d.source)
    (as_mbox,), _ = load_folder(saved)
    assert inbox.source == "Mail/Inbox" and inbox.text == as_mbox.text
    assert inbox.title == as_mbox.title and inbox.sections == as_mbox.sections
    assert notes.text.startswith("From the desk of Ada.")  # a note, read as written
    assert skipped == []


def test_a_message_forwarded_as_an_attachment_is_read_under_it() -> None:
    from email.message import EmailMessage

    inner = EmailMessage()
    inner["From"], inner["Subject"] = "Kiln Works <sales@kilnworks.example>", "Your order"
    inner.add_alternative("<p>Your <b>cone 10</b> kiln ships on 9 March.</p>", subtype="html")
    outer = EmailMessage()
    outer["From"], outer["Subject"] = "Ada <ada@pottery.example>", "Fwd: Your order"
    outer.set_content("See below.")
    outer.add_attachment(inner)
    lines = extract(".eml", outer.as_bytes()).text.splitlines()
    assert lines.index("## Your order") > lines.index("See below.")
    assert "Your cone 10 kiln ships on 9 March." in lines  # an HTML-only message, as a page


def test_html_main_text_without_menus_scripts_or_footer(tmp_path: Path) -> None:
    _write(tmp_path, "otters.html", PAGE_HTML)
    (doc,), _ = load_folder(tmp_path)
    text = " ".join(_blocks(doc))
    for kept in ("Otters eat fish, crabs and frogs.", "River otter", "Sea otter | 30 kg"):
        assert kept in text
    for gone in ("secretly", "color", "Badgers", "Shop", "Ten best walks", "Copyright"):
        assert gone not in doc.text
    river = doc.text.index("River otter")
    assert section_at(doc.sections, river) == "Kinds"


MANUAL_PAGE = b"""<html><head><title>Thread Safety (kiln: the pottery manual)</title></head>
<body><div class="section"><div class="header"><p>Previous: <a href="b.html" accesskey="p"
rel="prev">Glazes</a>, Up: <a href="c.html" accesskey="u" rel="up">Using kiln</a> &nbsp;
[<a href="i.html" rel="index">Index</a>]</p></div>
<h3>2.7 Thread Safety<a class="headerlink" href="#threads">\xc2\xb6</a></h3>
<p>The kiln controller is not thread-safe<a href="#fn1">1</a>; see
<a href="c.html">Using kiln</a> for the <a href="d.html" rel="nofollow">rules</a>.</p>
<div class="navfooter"><table><tr><td><a accesskey="p" href="b.html">Prev</a></td>
<td><a accesskey="h" href="index.html">Home</a></td><td><a accesskey="n" href="e.html">Next</a>
</td></tr></table></div></div></body></html>"""

CHAPTER_PAGE = b"""<html><head><title>Using kiln</title></head><body><div class="chapter">
<div class="header"><p>Next: <a href="e.html" accesskey="n" rel="next">Memory</a></p></div>
<h2>2 Using kiln</h2></div></body></html>"""


def test_a_paragraph_that_looks_like_a_mark_reads_as_written(tmp_path: Path) -> None:
    _write(tmp_path, "cores.html", b"<html><body><h1>Servers</h1><h2>Cores</h2>"
           b"<p># of cores per socket: 24</p><p>```</p><p>Hyper-threading is off.</p></body></html>")  # fmt: skip
    (doc,), _ = load_folder(tmp_path)
    after = doc.text.index("Hyper-threading")
    assert section_at(doc.sections, after) == "Cores"  # "# of cores" is not a heading
    assert "Hyper-threading is off." in _blocks(doc)  # nor "```" a code fence
    assert "# of cores per socket: 24" in doc.text  # shown as written


def test_a_manual_page_loses_its_pager_and_keeps_its_title(tmp_path: Path) -> None:
    # Texinfo, DocBook and gtk-doc put links to the previous, next and parent page above and
    # below every page; the page's <title> names it, not the first of those lines.
    _write(tmp_path, "threads.html", MANUAL_PAGE)
    _write(tmp_path, "using.html", CHAPTER_PAGE)
    threads, using = sorted(load_folder(tmp_path)[0], key=lambda d: d.source)
    assert threads.title == "Thread Safety (kiln: the pottery manual)"
    assert _blocks(threads)[0].startswith("2.7 Thread Safety")
    assert "for the rules." in threads.text  # a sentence's own links stay
    assert "thread-safe1;" in threads.text  # a footnote mark too; a heading's permalink not:
    assert section_at(threads.sections, threads.text.index("kiln controller")) == (
        "2.7 Thread Safety"
    )
    for gone in ("Previous:", "Glazes", "Index", "Prev", "Home", "Next"):
        assert gone not in threads.text, gone
    assert "2 Using kiln" in using.text and "Memory" not in using.text


def test_code_listings_lose_their_copy_buttons(tmp_path: Path) -> None:
    page = (
        b"<html><body><main><h1>Kiln API</h1><p>Load the module first.</p>"
        b'<pre><input type="checkbox"><code class="cjs">const kiln = require("kiln");</code>'
        b'<code class="mjs">import kiln from "kiln";</code><button>copy</button></pre>'
        b"<pre><code>kiln</code>.fire(<var>schedule</var>)</pre></main></body></html>"
    )
    _write(tmp_path, "api.html", page)
    (doc,), _ = load_folder(tmp_path)
    lines = doc.text.splitlines()
    assert 'const kiln = require("kiln");' in lines  # each flavour on a line of its own
    assert 'import kiln from "kiln";' in lines
    assert "kiln.fire(schedule)" in lines  # <code> within one listing stays inline
    assert "copy" not in doc.text


def test_code_keeps_its_indentation_and_aligning_spaces(tmp_path: Path) -> None:
    page = (
        b"<html><body><main><h1>Kiln API</h1><p>A schedule, step by step:</p>"
        b"<pre><b>def fire(kiln):\n    for step in kiln.steps:\n        step.run()  # ramp\n"
        b"\n1.0   30 Oct 2004   First version\t\n</b></pre></main></body></html>"
    )
    _write(tmp_path, "api.html", page)
    (doc,), _ = load_folder(tmp_path)
    lines = doc.text.splitlines()
    assert "    for step in kiln.steps:" in lines
    assert "        step.run()  # ramp" in lines
    assert "1.0   30 Oct 2004   First version" in lines  # aligned, no space left at its end


def test_a_saved_page_loses_what_it_does_not_show_and_its_widgets(tmp_path: Path) -> None:
    page = (
        b"<html><body><article><h1>Otters</h1><p>Otters eat fish.</p>"
        b'<div class="player"><ul role="menu"><li role="menuitem">captions settings</li></ul>'
        b'<div role="dialog">This is a modal window.</div><span role="button">Fullscreen</span>'
        b'</div><div style="opacity:0; Visibility: hidden">Otters | Wildlife Trust</div>'
        b'<p style="display:none">Subscribe to our newsletter.</p>'
        b'<p aria-hidden="true">Share on Twitter</p>'
        b'<div role="tabpanel"><p style="display: block">Otters hold hands asleep.</p></div>'
        b"</article></body></html>"
    )
    _write(tmp_path, "otters.html", page)
    (doc,), _ = load_folder(tmp_path)
    assert "Otters eat fish." in doc.text and "Otters hold hands asleep." in doc.text
    for gone in ("captions", "modal", "Fullscreen", "Wildlife", "Subscribe", "Twitter"):
        assert gone not in doc.text, gone


def test_a_saved_page_is_titled_by_its_headline_or_its_own_title(tmp_path: Path) -> None:
    # Before the article a related video's name stands alone, like a headline would.
    news = (
        b"<html><head><title>Museum attack stokes fears - The Daily Kiln</title></head><body>"
        b"<div><p>Ten best walks this summer</p></div><div><p>Gunmen opened fire on visitors "
        b"at the museum on Wednesday, killing at least 19 people. Security forces stormed the "
        b"building and freed the hostages after a siege of some hours.</p></div></body></html>"
    )
    _write(tmp_path, "news.html", news)
    _write(tmp_path, "otters.html", PAGE_HTML)  # its <h1> is its headline
    news_doc, otters = sorted(load_folder(tmp_path)[0], key=lambda d: d.source)
    assert news_doc.title == "Museum attack stokes fears - The Daily Kiln"
    assert otters.title == "Otters"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("locked.pdf", pdf_bytes(["Secret minutes."], password="pw"), "encrypted PDF"),
        ("scan.pdf", pdf_bytes(["", ""]), "PDF has no text layer"),
        ("cut.pdf", pdf_bytes(PAGES)[:300], "unreadable PDF"),
        ("notes.pdf", b"These are plain notes, saved with the wrong name.\n", "not a PDF"),
        ("empty.pdf", b"", "empty file"),
        ("bomb.docx", zip_bomb_docx(210), "DOCX would unpack to 210 MiB"),
        ("text.docx", b"Just some words in a text file.", "not a DOCX"),
        ("book.epub", b"Just some words in a text file.", "not an EPUB"),
        ("drm.epub", epub_bytes("Locked", [("One", ["Sealed words."])], locked=(0,)), "encrypted"),
        ("bomb.epub", epub_bytes("Big", [("One", ["Words."])], inflated_mib=210), "EPUB would"),
        ("docx.epub", docx_bytes("A DOCX", [("Herons", ["Grey."])]), "not an EPUB (no META-INF"),
        ("text.odt", b"Just some words in a text file.", "not an ODT (not a zip"),
        ("bomb.odt", zip_bomb_docx(210), "ODT would unpack to 210 MiB"),
        ("docx.odt", docx_bytes("A DOCX", [("Herons", ["Grey."])]), "not an ODT (no content.xml"),
        (
            "locked.odt",
            _odt_parts({
                "content.xml": b"\x8f\x02 sealed bytes",
                "META-INF/manifest.xml": b"<manifest><manifest:encryption-data/></manifest>",
            }),
            "encrypted (saved with a password)",
        ),
        (
            "sheet.odt",  # a spreadsheet under a text document's name
            _odt_parts({
                "content.xml": b'<office:document-content xmlns:office="urn:oasis:names:tc:'
                b'opendocument:xmlns:office:1.0"><office:body><office:spreadsheet/>'
                b"</office:body></office:document-content>"
            }),
            "not a text document",
        ),
        ("cut.fodt", (ODF / "kiln-guide.fodt").read_bytes()[:5000], "unreadable FODT"),
        ("text.pptx", b"Just some words in a text file.", "not a PPTX (not a zip"),
        ("text.odp", b"Just some words in a text file.", "not an ODP (not a zip"),
        ("bomb.pptx", zip_bomb_docx(210), "PPTX would unpack to 210 MiB"),
        ("docx.pptx", docx_bytes("A DOCX", [("Herons", ["Grey."])]), "not a PPTX (no ppt/"),
        ("pictures.epub", epub_bytes("Photos", [("", [""])]), "no chapter with text"),
        ("cut.ipynb", _notebook([{"cell_type": "markdown", "source": "Hi"}])[:-9], "not a Jupyter"),
        ("list.ipynb", b"[1, 2]", "not a Jupyter notebook (no cells)"),
        ("empty.ipynb", _notebook([{"cell_type": "code", "source": " "}]), "no text in it"),
        ("scripts.html", b"<html><script>" + b"var a = 1;" * 500 + b"</script></html>", "no text"),
        ("empty.htm", b"", "empty file"),
        ("notes.eml", b"Plain notes, saved with the wrong name.", "not an e-mail message"),
        ("notes.mbox", b"Plain notes, saved with the wrong name.", "not a mailbox"),
        ("headers.mbox", b"From a@b.example Tue Mar  3 10:15:00 2026\nX-Note: 1\n", "no messages"),
        ("notes.doc", b"Plain notes, saved with the wrong name.", "not a Word 97-2003 document"),
        ("locked.doc", (WORD / "password.doc").read_bytes(), "encrypted (saved with a password)"),
        ("cut.doc", (WORD / "kiln-guide.doc").read_bytes()[:3000], "unreadable DOC"),
        ("notes.rtf", b"Plain notes, saved with the wrong name.", "not an RTF file"),
        ("picture.rtf", b"{\\rtf1\\ansi{\\pict\\pngblip 89504e47}}", "no text in it"),
        ("empty.rtf", b"", "empty file"),
        ("page.mhtml", PAGE_HTML, "not a saved web page (MHTML): no MIME headers"),
        ("mail.mht", b"Subject: Hi\r\n\r\nSee you at the kiln.\r\n", "not a saved web page (MHTML): no HTML"),
        ("cut.mhtml", (MHTML / "kiln-log.mhtml").read_bytes()[:700], "no text in it"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    _write(tmp_path, name, data)
    _write(tmp_path, "good.txt", b"The committee met on Tuesday and agreed on the budget.")
    docs, skipped = load_folder(tmp_path)
    assert [d.source for d in docs] == ["good.txt"]
    assert [s.source for s in skipped] == [name]
    assert skipped[0].reason.startswith(reason), skipped[0].reason


def test_extract_never_raises_on_garbage() -> None:
    for suffix in (".pdf", ".docx", ".doc", ".rtf", ".odt", ".fodt", ".odp", ".fodp", ".pptx", ".html",
                   ".mhtml", ".epub", ".eml", ".mbox"):
        for data in (b"%PDF-1.7\n" + bytes(range(256)) * 4, b"PK\x03\x04" + b"\xff" * 64, b"<"):
            out = extract(suffix, data)
            assert isinstance(out, str) or out.text
