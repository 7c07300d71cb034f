"""Real PDF and DOCX files made with fpdf2 and python-docx, for tests and benchmarks."""

from __future__ import annotations

import io
import zipfile

import docx
from fpdf import FPDF


def pdf_bytes(
    pages: list[str], *, password: str | None = None, font_path: str | None = None
) -> bytes:
    """A PDF whose page i holds ``pages[i]`` as its text layer (empty string: a blank page).

    Helvetica takes Latin-1 text only; ``font_path`` (a TrueType font) takes any.
    """
    pdf = FPDF()
    if font_path:
        pdf.add_font("body", fname=font_path)
    pdf.set_font("body" if font_path else "Helvetica", size=10 if font_path else 11)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 6, text)
    if password is not None:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    return bytes(pdf.output())


def docx_bytes(
    title: str, sections: list[tuple[str, list[str]]], table: list[list[str]] | None = None
) -> bytes:
    """A DOCX: a title, headed sections of paragraphs ("- " items become bullets), a table."""
    doc = docx.Document()
    doc.add_heading(title, 0)
    for heading, paragraphs in sections:
        doc.add_heading(heading, 1)
        for text in paragraphs:
            if text.startswith("- "):
                doc.add_paragraph(text[2:], style="List Bullet")
            else:
                doc.add_paragraph(text)
    return finish_docx(doc, table)


def finish_docx(doc, table: list[list[str]] | None = None) -> bytes:
    """Append ``table`` (rows of cell texts) to a python-docx document; its bytes."""
    if table:
        grid = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def zip_bomb_docx(inflated_mib: int) -> bytes:
    """A zip named like a DOCX whose one member inflates to ``inflated_mib`` MiB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * 2**20
            for _ in range(inflated_mib):
                member.write(block)
    return out.getvalue()


def epub_bytes(
    title: str,
    chapters: list[tuple[str, list[str]]],
    *,
    locked: tuple[int, ...] = (),
    inflated_mib: int = 0,
) -> bytes:
    """An EPUB 3 (with an EPUB 2 table of contents too) written by ebooklib: one XHTML file
    per ``(heading, paragraphs)``, in that order in the spine, after the navigation document.
    ``locked`` chapters (by index) are listed in META-INF/encryption.xml, as DRM does;
    ``inflated_mib`` adds an image member inflating to that many MiB of zeros."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("urn:uuid:askseeds-test")
    book.set_title(title)
    book.set_language("en")
    items = []
    for i, (heading, paragraphs) in enumerate(chapters):
        item = epub.EpubHtml(title=heading, file_name=f"text/ch{i:02d}.xhtml", lang="en")
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        item.content = f"<html><body><h1>{heading}</h1>{body}</body></html>"
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    out = io.BytesIO()
    epub.write_epub(out, book)
    if not locked and not inflated_mib:
        return out.getvalue()
    refs = "".join(
        f'<EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#"><CipherData>'
        f'<CipherReference URI="EPUB/text/ch{i:02d}.xhtml"/></CipherData></EncryptedData>'
        for i in locked
    )
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        if refs:
            zf.writestr(
                "META-INF/encryption.xml",
                f'<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container">{refs}'
                "</encryption>",
            )
        if inflated_mib:
            with zf.open("EPUB/images/cover.png", "w", force_zip64=True) as member:
                for _ in range(inflated_mib):
                    member.write(b"\0" * 2**20)
    return out.getvalue()


DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def pdf_flow(blocks: list[tuple[str, str]], font_path: str = DEJAVU) -> bytes:
    """A PDF of ``("h", heading)`` and ``("p", paragraph)`` blocks flowing over A4 pages.

    A TrueType font carries any Unicode text (the core fonts only Latin-1).
    """
    pdf = FPDF()
    pdf.add_font("body", fname=font_path)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    for kind, text in blocks:
        pdf.set_font("body", size=14 if kind == "h" else 10)
        pdf.multi_cell(0, 7 if kind == "h" else 5, text)
        pdf.ln(3)
    return bytes(pdf.output())


def pdf_typeset(
    pages: list[list[tuple[str, str]]],
    running_head: str,
    font_path: str = DEJAVU,
    title: str | None = None,
) -> bytes:
    """A PDF set line by line as a book is: each page of ``(kind, line)`` pairs, kind "t"
    a title (18 pt), "h" a heading (13 pt), "b" a bold line at the text's size, "p" a
    line of text (10 pt), "i" one that opens an indented paragraph, "f" a footnote's line (8 pt), "c" a line of code (10 pt, in a
    typewriter face), "o" a line of text the PDF's outline (its bookmarks) lists, "" a blank line; ``running_head`` at the top of every
    page, its number at the foot; ``title`` in its properties.
    """
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.add_font("body", fname=font_path)
    pdf.add_font("body", style="B", fname=font_path.replace(".ttf", "-Bold.ttf"))
    pdf.add_font("mono", fname=font_path.replace(".ttf", "Mono.ttf"))
    pdf.set_auto_page_break(False)
    sizes = {"t": 18, "h": 13, "b": 10, "p": 10, "i": 10, "f": 8, "o": 10, "c": 10}
    for number, lines in enumerate(pages, 1):
        pdf.add_page()
        pdf.set_font("body", size=9)
        pdf.text(20, 12, running_head)
        pdf.text(105, 290, str(number))
        y = 30.0
        for at, (kind, line) in enumerate(lines):
            if not kind:
                y += 4
                continue
            pdf.set_font(
                "mono" if kind == "c" else "body",
                style="B" if kind in "tb" else "",
                size=sizes[kind],
            )
            y += sizes[kind] * 0.5 if kind not in "pioc" else 5
            if kind == "o":
                pdf.set_y(y - 4)
                pdf.start_section(line)
            pdf.text(25 if kind == "i" else 20, y, line)
            following = lines[at + 1][0] if at + 1 < len(lines) else ""
            if kind in "th" and following != kind:
                y += 3  # space below a heading, not between the lines of one
    return bytes(pdf.output())
