"""Tables: spreadsheets and delimited files read as tables of rows, and a table's row read,
ranked and quoted under its header.

``tests/data/sheets/studio.xlsx`` was written by openpyxl (a title row, dates, a currency
and a percent format, a second sheet and a hidden one); ``studio.ods`` and ``studio.xls`` are
LibreOffice 7.4's conversions of it (``soffice --headless --convert-to ods studio.xlsx``, and
``xls``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from make_docs import docx_bytes

from askseeds import Assistant
from askseeds.ingest.convert import extract
from askseeds.ingest.load import load_folder
from askseeds.ingest.tables import fields, labelled, tables_of

SHEETS = Path(__file__).parent / "data" / "sheets"


def _text(name: str) -> str:
    path = SHEETS / name
    out = extract(path.suffix, path.read_bytes())
    assert not isinstance(out, str), out
    return out.text


def test_a_markdown_table_s_rows_stand_under_its_header() -> None:
    text = (
        "Intro.\n\n| Kiln | Cone |\n| :--- | ---: |\n| Big Blue | 10 |\n| Little Red | 6 |\n\n"
        "| no | header |\n| here | either |\n\n"
        "Release | Codename\n---|---\n[12.x][] | [Erbium][]\n14.x | Fermium\nAfter.\n"
    )
    tables = tables_of(text)
    assert [t.header for t in tables] == [("Kiln", "Cone"), ("Release", "Codename")]
    assert text[tables[0].start : tables[0].end] == "| Big Blue | 10 |\n| Little Red | 6 |"
    assert text[tables[1].start : tables[1].end] == "[12.x][] | [Erbium][]\n14.x | Fermium"


def test_a_row_reads_as_its_labelled_cells_and_a_cut_row_keeps_its_first_cell() -> None:
    row = "| Big Blue | glossy. Fired weekly. | 10 |"
    header = ("Kiln", "Notes", "Cone")
    assert labelled(fields(header, row, 0, len(row))) == (
        "Kiln: Big Blue; Notes: glossy. Fired weekly.; Cone: 10"
    )
    cut = row.index("Fired")
    assert fields(header, row, cut, row.index(" |", cut)) == [
        ("Kiln", "Big Blue"),
        ("Notes", "Fired weekly."),
    ]


@pytest.mark.parametrize("name", ["studio.xlsx", "studio.ods", "studio.xls"])
def test_a_workbook_reads_each_visible_sheet_as_a_table_under_its_header(name: str) -> None:
    text = _text(name)
    assert "## Members\n\nPottery studio members, spring 2024\n\n| Member | Joined |" in text
    assert "| Member | Joined | Plan | Monthly fee | Shelf share |\n| --- |" in text
    # Values as the sheet shows them: a date without its midnight, the currency and percent.
    assert "| Tomás Ruiz | 2022-01-15 | Half | $75.50 | 12.5% |" in text
    assert "## Clay stock\n\n| Clay | Bags | Supplier |\n| --- | --- | --- |" in text
    assert "| Porcelain | 6 | Limoges |" in text
    assert "secret" not in text and "Scratch" not in text  # the hidden sheet


def test_a_csv_reads_its_comment_lines_as_text_and_its_quoted_cells_whole() -> None:
    text = _text("kiln-firings.csv")
    assert text.startswith("Firing log of the community studio's two kilns")
    assert "| Firing | Kiln | Date | Cone | Peak temperature (°C) | Hours | Loaded by |\n| ---" in text
    assert "| F-105 | Big Blue | 2024-03-20 | 10 | 1305 | 13 | Ruiz, Tomás |" in text
    assert _text("glazes.tsv").splitlines()[:3] == [
        "| Glaze | Colour | Cone | Surface |",
        "| --- | --- | --- | --- |",
        "| Celadon | pale green | 10 | glossy |",
    ]


def test_a_semicolon_csv_without_a_header_row_is_rows_alone() -> None:
    data = "2024-03-02;Big Blue;999\n2024-03-05;Little Red;1063\n".encode("cp1252")
    out = extract(".csv", data)
    assert out.text == "| 2024-03-02 | Big Blue | 999 |\n| 2024-03-05 | Little Red | 1063 |\n"
    assert tables_of(out.text) == []


def test_a_row_is_read_with_the_cells_the_question_names_and_those_of_the_kind_it_asks_for():
    from askseeds.answer.features import question_kind
    from askseeds.answer.select import _row_said
    from askseeds.terms import terms

    row = [
        ("Doc Date", "07/02/2018"), ("Ref", "377"), ("Payee", "Birmingham City Council"),
        ("Details", "Festive Lights 2017"), ("£ (net)", "61,127"), ("VAT", ""),
        ("Category", "Provision of Lights"),
    ]  # fmt: skip
    question = "How much did the council pay Birmingham City Council for the Festive Lights 2017?"
    said = _row_said(set(terms(question)), row, question_kind(question))
    assert said.startswith("Doc Date: 07/02/2018; ")
    for cell in ("Payee: Birmingham City Council", "Details: Festive Lights 2017", "£ (net): 61,127"):
        assert cell in said
    question = "Which payee was paid for the Festive Lights 2017?"  # asks for no figure
    said = _row_said(set(terms(question)), row, question_kind(question))
    assert "61,127" not in said and "377" not in said
    assert "Payee: Birmingham City Council; Details: Festive Lights 2017" in said


def test_a_date_in_a_question_is_a_table_s_iso_date() -> None:
    from askseeds.answer.features import constraints
    from askseeds.answer.select import _row_said
    from askseeds.terms import terms

    question = "Which firing was on March 14th, 2024?"
    # The document must state the date (or the day, where it gives no year), not "14th".
    assert constraints(question) == [frozenset({"d20240314", "14"}), frozenset({"2024"})]
    row = [("Firing", "F-104"), ("Date", "2024-03-14"), ("Cone", "06")]
    said = _row_said(set(terms(question)), row)
    assert "Date: 2024-03-14 (14 March 2024)" in said  # the reader reads it as it is asked


def test_html_and_word_header_rows_are_written_as_headers(tmp_path: Path) -> None:
    page = (
        b"<html><body><p>Firings.</p><table><thead><tr><th>Kiln</th><th>Cone</th></tr></thead>"
        b"<tbody><tr><td>Big Blue</td><td>10</td></tr></tbody></table>"
        b"<table><tr><th>Kiln</th><td>Big Blue</td></tr><tr><th>Cone</th><td>10</td></tr>"
        b"</table></body></html>"
    )
    text = extract(".html", page).text
    assert "| Kiln | Cone |\n| --- | --- |\n| Big Blue | 10 |" in text
    assert [t.header for t in tables_of(text)] == [("Kiln", "Cone")]  # not the row-headed one
    guide = docx_bytes("Guide", [], table=[["Bird", "Wingspan"], ["Grey heron", "185 cm"]])
    assert "| Bird | Wingspan |\n| --- | --- |\n| Grey heron | 185 cm |" in (
        extract(".docx", guide).text
    )


def test_an_rtf_row_repeated_atop_each_page_is_its_table_s_header() -> None:
    row = b"\\trowd%s\\cellx2000\\cellx4000 \\intbl %s\\cell %s\\cell\\row "
    rtf = (
        b"{\\rtf1\\ansi{\\stylesheet{\\s0 Normal;}}\\pard Firings.\\par "
        + row % (b"\\trhdr", b"Kiln", b"Cone")
        + row % (b"", b"Big Blue", b"10")
        + b"\\pard After.\\par}"
    )
    assert "| Kiln | Cone |\n| --- | --- |\n| Big Blue | 10 |" in extract(".rtf", rtf).text


def test_a_broken_workbook_is_a_reason_not_a_traceback(tmp_path: Path) -> None:
    for name in ("broken.xlsx", "broken.ods"):
        (tmp_path / name).write_bytes(b"PK\x03\x04 not really a zip")
    ole = (SHEETS / "studio.xls").read_bytes()
    (tmp_path / "broken.xls").write_bytes(ole[:4096])  # cut short
    docs, skipped = load_folder(tmp_path)
    assert docs == []
    reasons = {s.source: s.reason for s in skipped}
    assert reasons.keys() == {"broken.xlsx", "broken.ods", "broken.xls"}
    assert "not an XLSX (not a zip archive)" in reasons["broken.xlsx"]
    assert reasons["broken.xls"].startswith("unreadable XLS")


def test_what_is_exported_as_xls_for_excel_to_open_reads_as_what_it_is() -> None:
    page = b"<html><body><table><tr><th>Kiln</th><th>Cone</th></tr><tr><td>Big Blue</td>"
    page += b"<td>10</td></tr></table></body></html>"
    tsv = b"Kiln\tCone\nBig Blue\t10\n"
    xlsx = (SHEETS / "studio.xlsx").read_bytes()
    for data in (page, tsv):
        assert "| Kiln | Cone |\n| --- | --- |\n| Big Blue | 10 |" in extract(".xls", data).text
    assert extract(".xls", xlsx).text == extract(".xlsx", xlsx).text


@pytest.fixture(scope="module")
def bot(tmp_path_factory) -> Assistant:
    docs = tmp_path_factory.mktemp("sheets")
    for name in ("kiln-firings.csv", "glazes.tsv", "studio.xlsx"):
        (docs / name).write_bytes((SHEETS / name).read_bytes())
    (docs / "twins.md").write_text(
        "# Sister cities\n\nCity | Sister city | Since\n---|---|---\nTacoma | Fuzhou | 1994\n"
        "Seattle | Chongqing | 1983\nOlympia | Yashiro | 1981\n"
    )
    (docs / "firmware.md").write_text(_RELEASES)
    (docs / "formats.md").write_text(_FORMATS)
    (docs / "league.csv").write_text(_LEAGUE)
    return Assistant.from_folder(docs, index_dir=tmp_path_factory.mktemp("idx"), progress=False)


_GEMS = [
    "Agate", "Beryl", "Calcite", "Diamond", "Emerald", "Fluorite", "Garnet", "Hematite", "Iolite",
    "Jade", "Kyanite", "Lapis", "Malachite", "Nephrite", "Opal", "Pyrite", "Quartz", "Ruby",
    "Spinel", "Topaz", "Ulexite", "Variscite",
]  # fmt: skip
_FORMATS = "\n".join(
    [
        "# Picture formats the viewer reads",
        "",
        "## Supported image formats",
        "",
        "The viewer supports reading over forty major image formats, from raw files to icons.",
        "To get a complete list of the supported image formats on your system, run `viewer -l`.",
        "Support for some of the formats is delegated to libraries or external programs.",
        "The following table lists each supported image format with its tag and what it is.",
        "",
        "| Tag | Mode | Description |",
        "| --- | --- | --- |",
        *(
            f"| {tag} | {'RW' if i % 3 else 'R'} | {what} |"
            for i, (tag, what) in enumerate(
                line.split(" ", 1)
                for line in (
                    "3FR Hasselblad CFV/H3D39II raw format",
                    "AVIF AV1 image file format",
                    "BMP Microsoft Windows bitmap",
                    "CR2 Canon digital camera raw format",
                    "CR3 Canon digital camera raw format, version 3",
                    "DNG Adobe digital negative",
                    "EPS Adobe encapsulated PostScript",
                    "GIF CompuServe graphics interchange",
                    "HEIC Apple high efficiency image",
                    "ICO Microsoft icon",
                    "J2K JPEG-2000 codestream",
                    "JP2 JPEG-2000 file format syntax",
                    "JPEG Joint Photographic Experts Group JFIF format",
                    "JXL JPEG XL image",
                    "K25 Kodak digital camera raw format",
                    "MRW Minolta raw format",
                    "NEF Nikon digital camera raw format",
                    "ORF Olympus raw format",
                    "P7 Xv thumbnail format",
                    "PBM Portable bitmap format",
                    "PCX ZSoft IBM PC Paintbrush",
                    "PEF Pentax electronic file",
                    "PNG Portable Network Graphics",
                    "PNG8 8-bit indexed Portable Network Graphics",
                    "PSD Adobe Photoshop bitmap",
                    "RAF Fujifilm raw format",
                    "RW2 Panasonic Lumix raw format",
                    "SR2 Sony raw format, version 2",
                    "SVG Scalable vector graphics",
                    "TGA Truevision Targa image",
                    "TIFF Tagged image file format",
                    "TIFF64 Tagged image file format with 64-bit offsets",
                    "WEBP WebP image format",
                    "X3F Sigma camera raw picture file",
                    "XCF GIMP image",
                    "XPM X Windows system pixmap",
                    "XWD X Windows system window dump",
                    "YUV CCIR 601 4:1:1 samples",
                )
            )
        ),
        "",
    ]
)
# A season's results: each side plays every other at home and away; the question names two
# sides, each of them in 38 rows.
_SIDES = ["Riverside", "Harbour Town", "Millbrook", "Eastfield", "Northgate", "Oakham Rovers",
          "Stonebridge", "Westcombe", "Ashby United", "Kingsmoor", "Fenwick", "Lowther Park",
          "Castleford Albion", "Brookvale", "Greyhill", "Marston Vale", "Pennington",
          "Sandown Athletic", "Thornbury", "Wexley"]  # fmt: skip
_LEAGUE = "Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR,Referee,HS,AS\n" + "".join(
    f"2024-{1 + (i + j) % 12:02d}-{1 + (3 * i + j) % 28:02d},{home},{away},{(i * j) % 4},"
    f"{(i + 2 * j) % 3},{'HAD'[(i + j) % 3]},{['A Lowe', 'B Kaur', 'C Diaz'][(i + j) % 3]},"
    f"{(i * 7 + j) % 20},{(j * 5 + i) % 17}\n"
    for i, home in enumerate(_SIDES)
    for j, away in enumerate(_SIDES)
    if i != j
)
# A release table long enough to span several passages, with Markdown's link targets under
# the section that ends the file: they name every release, and are not shown.
_RELEASES = "\n".join(
    [
        "# Kiln controller firmware",
        "",
        "## Release schedule",
        "",
        "| Release | Status | Codename | Initial release | Maintenance start | End of life |",
        "| --- | --- | --- | --- | --- | --- |",
        *(
            f"| [{n}.x][] | **End-of-Life** | [{gem}][] | {2000 + n}-04-2{n % 7} | "
            f"{2000 + n}-10-1{n % 9} | {2003 + n}-04-30 |"
            for n, gem in enumerate(_GEMS, start=1)
        ),
        "",
        "## Branches",
        "",
        "Every release line has two branches: a release branch and a staging branch.",
        "For example, for firmware v4, there is a `v4.x` branch and a `v4.x-staging` branch.",
        "Commits land in the staging branch first and are tested on a real kiln.",
        "",
        *(f"[{n}.x]: https://example.org/firmware/latest-v{n}.x/" for n in range(1, 23)),
        *(f"[{gem}]: https://example.org/firmware/latest-{gem.lower()}/" for gem in _GEMS),
        "",
    ]
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "source", "cell", "header"),
    [
        ("Which glaze has a milky blue colour?", "glazes.tsv", "Chun", "Colour"),
        ("What was the peak temperature of firing F-102?", "kiln-firings.csv", "1063", "Cone"),
        # A date in words meets the table's ISO dates.
        ("Who loaded the kiln on 9 March 2024?", "kiln-firings.csv", "Mei Lin", "Loaded by"),
        ("Which firing was on March 14th, 2024?", "kiln-firings.csv", "F-104", "Date"),
        ("Which city is twinned with Yashiro?", "twins.md", "Olympia", "Sister city"),
        ("How many bags of porcelain are in stock?", "studio.xlsx", "6", "Bags"),
        ("When did Mei Lin join the studio?", "studio.xlsx", "2023-06-30", "Joined"),
        ("What is the codename of firmware 12.x?", "firmware.md", "[Lapis][]", "Codename"),
        ("When did maintenance of firmware 14.x start?", "firmware.md", "2014-10-15", "Release"),
        ("What does the formats table say X3F is?", "formats.md", "X3F", "Description"),
        ("What is the PEF format in the supported formats list?", "formats.md", "PEF", "Tag"),
    ],
)
def test_a_row_answers_under_its_header(bot, question, source, cell, header) -> None:
    answer = bot.ask(question)
    assert not answer.abstained, answer.text
    first = answer.citations[0]
    assert first.source == source
    assert cell in first.snippet.split(" | ")
    assert header in first.header
    assert bot.document_text(source)[first.start : first.end] == first.snippet
    assert f"{' | '.join(first.header)}\n{first.snippet}" in answer.text


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    ["On what date did Northgate host Stonebridge?", "When did Greyhill play Fenwick at home?"],
)
def test_a_row_is_looked_up_by_the_cells_the_question_names(bot, question) -> None:
    # Either match of the two sides: the reader does not tell who hosted whom.
    answer = bot.ask(question)
    assert not answer.abstained, answer.text
    first = answer.citations[0]
    assert first.source == "league.csv"
    sides = [side for side in _SIDES if side in question]
    assert set(sides) <= set(first.snippet.split(" | ")), answer.text


@pytest.mark.slow
@pytest.mark.parametrize(
    "question", ["Which city is twinned with Nagasaki?", "What is the sister city of Boise?"]
)
def test_a_row_the_table_does_not_hold_is_not_answered(bot, question) -> None:
    assert bot.ask(question).abstained


def test_a_row_named_by_a_code_with_digits_is_among_the_passages_read(tmp_path: Path) -> None:
    # A long table's row shares one word with the question, its code; dozens of passages
    # share its common words ("supported", "image", "format").
    from fake_embedder import FakeEmbedder

    from askseeds.retrieve.hybrid import PASSAGE_DEPTH, rank

    docs = tmp_path / "docs"
    docs.mkdir()
    letters = "ABCDEFGHJKLMNPRSTVWXYZ"
    rows = [
        f"| {a}{b}{n} | R | {a}{b} camera raw picture format, revision {n} |"
        for a in letters[:12]
        for b in letters[:6]
        for n in range(2, 5)
    ]
    (docs / "formats.md").write_text(
        "# Supported image formats\n\n| Tag | Mode | Description |\n| --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n"
    )
    (docs / "guide.md").write_text(
        "# Image formats guide\n\n"
        + "\n\n".join(
            f"## Chapter {i}\n\nThe supported image formats table lists each image format. "
            f"Section {i} of the guide says what the supported formats table is for. Image "
            "formats differ in what they keep; the table says which are supported."
            for i in range(200)
        )
    )
    bot = Assistant.from_folder(docs, tmp_path / "idx", embedder=FakeEmbedder(), progress=False)
    question = "What does the supported image formats table say KD3 is?"
    hits = rank(bot.index, question, bot.encode(question), bot.settings)
    read = [bot.index.chunks[h.position].text for h in hits[:PASSAGE_DEPTH]]
    assert any("| KD3 |" in text or "KD3 | R" in text for text in read), read


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("What does the formats table say X3F is?", ["x3f"]),
        ("What is the PES format?", ["pes"]),
        ("Which camera makes RW2 files, and what is NEF?", ["rw2", "nef"]),
        ("WHAT IS THE PES FORMAT?", []),  # all capitals: no word stands out
        ("Who won in the 1990s, and who came 2nd in 2004?", []),
    ],
)
def test_the_names_a_question_spells_with_digits_or_capitals(question, names) -> None:
    from askseeds.retrieve.hybrid import named_terms

    assert named_terms(question) == names
