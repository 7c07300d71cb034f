"""Spreadsheets and delimited tables (.csv, .tsv, .xlsx, .xls, .ods) read as tables of rows.

Each sheet is read in its rows' order. Rows with one value among empty ones (a sheet's title,
a note under a table) are read as text; a run of rows with more values is a table, and its
first row (or one of its first three, under a pivot table's captions) is its header where it
labels every column with words ("Symbol", "Sector"), written so, so that each row is read
under it ("Symbol: MMM; Sector: Industrials"). Empty rows end a table. A workbook's sheets
are sections under its title, headed by their names; hidden sheets are left out, as their
owner hides them. Values are read as the sheet shows them: a formula's last result, a number
in its plain format ("$75.50", "12.5%"), a date as its ISO date; an ODS cell's shown text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from collections.abc import Iterable, Iterator

from .archive import open_zip, parse_xml
from .marks import header_rule, join_lines, literal, table_row
from .odf import tag as _ods

__all__ = ["read_delimited", "read_ods", "read_xls", "read_xlsx"]

_MAX_CELLS = 2_000_000  # a sheet's cells read at most: a bigger one is a database, not a page
# A figure or a date: what a header's labels are not.
_NUMBER = re.compile(r"[-+(]?[$€£¥]?\d[\d,. ]*%?\)?|\d{4}-\d\d-\d\d(?:[ T][\d:.]+)?")
_DELIMITERS = ",;\t|"

Row = list[str]


def read_delimited(data: bytes, suffix: str) -> tuple[str, tuple[int, ...], str | None] | str:
    """A .csv or .tsv file's rows. The delimiter is a tab for .tsv, else the one the file's
    first lines use most consistently (comma, semicolon, tab or bar); lines starting "#"
    before the first row are comments, read as text."""
    from .load import decode  # load reads this module's formats through convert

    decoded = decode(data)
    if decoded is None:
        return "not a text file (NUL bytes in it)"
    text = decoded[0].removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    notes = []
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        notes.append(lines.pop(0).lstrip("#").strip())
    body = "".join(lines)
    delimiter = "\t" if suffix == ".tsv" else _delimiter(body[:65536])
    rows = [
        [" ".join(cell.split()) for cell in row]
        for row in csv.reader(io.StringIO(body), delimiter=delimiter)
    ]
    out = [literal(n) for n in notes if n] + [""] + _sheet_lines(rows)
    return join_lines(out), (), None


def read_xlsx(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """An Excel workbook's visible sheets, each under its name where there are several."""
    archive = open_zip(data, "XLSX", "xl/workbook.xml")
    if isinstance(archive, str):
        return archive
    import openpyxl

    # openpyxl warns of every part of a workbook it passes over (data validation, a header it
    # cannot parse): none is text.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = [
                (ws.title, ([_shown(c) for c in row] for row in ws.iter_rows()))
                for ws in book.worksheets
                if ws.sheet_state == "visible"
            ]
            return _workbook(sheets), (), (book.properties.title or "").strip() or None
        finally:
            book.close()


def read_xls(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """An Excel 97-2003 workbook's visible sheets, each under its name where there are
    several; its values as ``read_xlsx`` reads them."""
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=data, formatting_info=True, on_demand=True, logfile=io.StringIO()
        )  # its log: xlrd's own debugging prints
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            return "encrypted (saved with a password)"
        return f"not an Excel 97-2003 workbook ({exc})"
    try:
        formats = {i: book.format_map[xf.format_key].format_str for i, xf in
                   enumerate(book.xf_list) if xf.format_key in book.format_map}  # fmt: skip

        def value(cell) -> str:
            if cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    return _value(xlrd.xldate_as_datetime(cell.value, book.datemode))
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    return _value(cell.value)
            if cell.ctype == xlrd.XL_CELL_BOOLEAN:
                return _value(bool(cell.value))
            if cell.ctype == xlrd.XL_CELL_ERROR:
                return xlrd.error_text_from_code.get(cell.value, "")
            return _formatted(cell.value, formats.get(cell.xf_index))

        sheets = []
        for i in range(book.nsheets):
            sheet = book.sheet_by_index(i)
            if sheet.visibility == 0:
                sheets.append((sheet.name, ([value(c) for c in row] for row in sheet.get_rows())))
        return _workbook(sheets), (), None
    finally:
        book.release_resources()


def read_ods(data: bytes) -> tuple[str, tuple[int, ...], str | None] | str:
    """An OpenDocument spreadsheet's sheets, each under its name where there are several."""
    archive = open_zip(data, "ODS", "content.xml")
    if isinstance(archive, str):
        return archive
    root = parse_xml(archive.read("content.xml"))
    # A hidden sheet's style says so: <style:table-properties table:display="false"/>.
    hidden = {
        style.get(_ods("style", "name"))
        for style in root.iter(_ods("style", "style"))
        if any(p.get(_ods("table", "display")) == "false"
               for p in style.iter(_ods("style", "table-properties")))
    }  # fmt: skip
    sheets = [
        (t.get(_ods("table", "name")) or "", _ods_rows(t))
        for t in root.iter(_TABLE)
        if t.get(_ods("table", "style-name")) not in hidden
    ]
    return _workbook(sheets), (), None


def _workbook(sheets: list[tuple[str, Iterable[Row]]]) -> str:
    lines: list[str] = []
    budget = [_MAX_CELLS]
    for name, rows in sheets:
        body = _sheet_lines(_bounded(rows, budget))
        if not body:
            continue
        if len(sheets) > 1 and name:
            lines += ["", f"## {name}", ""]  # under the workbook's title, not its title
        lines += body
    return join_lines(lines) if lines else ""


def _bounded(rows: Iterable[Row], budget: list[int]) -> Iterator[Row]:
    for row in rows:
        budget[0] -= len(row)
        if budget[0] < 0:
            return
        yield row


def _sheet_lines(rows: Iterable[Row]) -> list[str]:
    """A sheet's rows as text lines and tables (see the module's docstring)."""
    rows = [_trimmed(r) for r in rows]
    left = min((_first_filled(r) for r in rows if any(r)), default=0)
    lines: list[str] = []
    table: list[Row] = []

    def close() -> None:
        if not table:
            return
        # A pivot table's or a form's header stands under a row or two of captions.
        at = next((i for i in range(min(3, len(table) - 1)) if _is_header(table, i)), None)
        lines.append("")
        for row in table[: at or 0]:
            lines.extend([literal(" ".join(c for c in row if c)), ""])
        start = at or 0
        lines.append(table_row(table[start]))
        if at is not None:
            lines.append(header_rule(len(table[at])))
        lines.extend(table_row(r) for r in table[start + 1 :])
        lines.append("")
        table.clear()

    for row in rows:
        row = row[left:]
        filled = [c for c in row if c]
        if not filled:
            close()
        elif len(filled) == 1 and not table:
            lines += ["", literal(filled[0]), ""]  # a title or a note, not a table
        else:
            table.append(row)
    close()
    return lines


def _is_header(table: list[Row], i: int) -> bool:
    """Whether row ``i`` of ``table`` labels its columns: as wide as its widest rows, a word
    over most of them and no figure, no label twice, and no row below repeating it whole."""
    row, rest = table[i], table[i + 1 :]
    labels = [c for c in row if c]
    width = max(len(r) for r in table)
    return (
        len(labels) > 1
        and len(row) >= width
        and len(labels) >= 0.6 * width
        and not any(_NUMBER.fullmatch(c) for c in labels)
        and len(set(labels)) == len(labels)
        and all(r != row for r in rest)
    )


def _trimmed(row: Row) -> Row:
    end = len(row)
    while end and not row[end - 1]:
        end -= 1
    return row[:end]


def _first_filled(row: Row) -> int:
    return next(i for i, c in enumerate(row) if c)


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.partition("\n")[0]
        return max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","


def _shown(cell) -> str:
    """An openpyxl cell's value as the sheet shows it (``_formatted``)."""
    return _formatted(getattr(cell, "value", None), getattr(cell, "number_format", None))


def _formatted(v: object, fmt: str | None) -> str:
    """A workbook cell's number as its format shows it ("79.27%", "$1,200.00"), where the
    format is a plain one; anything else as ``_value`` reads it."""
    fmt = fmt or "General"
    if not isinstance(v, int | float) or isinstance(v, bool) or fmt == "General":
        return _value(v)
    fmt = _QUOTED.sub(lambda m: m.group(1) or m.group(2) or "", fmt.split(";")[0])
    m = _PLAIN_FORMAT.fullmatch(fmt.strip())
    if m is None:
        return _value(v)
    decimals = len(m.group(3) or "")
    percent = bool(m.group(4))
    number = f"{v * 100 if percent else v:{',' if m.group(2) else ''}.{decimals}f}"
    sign = "-" if number.startswith("-") else ""
    return f"{sign}{m.group(1) or ''}{number.lstrip('-')}{'%' if percent else ''}"


# "0.00%", "#,##0", '"$"#,##0.00', "[$£-809]#,##0.00" (a currency with its locale, unquoted)
_QUOTED = re.compile(r'"([^"]*)"|\[[$]([^-\]]*)[^\]]*\]|\[[^\]]*\]|\\|_.|\*.')
_PLAIN_FORMAT = re.compile(r"([$€£¥]?)\s*[#0]*(,)?[#0]*(?:\.(0+))?(%)?")


def _value(v: object) -> str:
    """A cell's value as a person reads it: 3.0 as "3", a date without a midnight time."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.10g}"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return " ".join(str(v).split())


# --- OpenDocument spreadsheets ----------------------------------------------------

_TABLE, _ROW = _ods("table", "table"), _ods("table", "table-row")
_CELLS = frozenset({_ods("table", "table-cell"), _ods("table", "covered-table-cell")})
_PARAGRAPH = _ods("text", "p")
_ROWS_REPEATED = _ods("table", "number-rows-repeated")
_COLUMNS_REPEATED = _ods("table", "number-columns-repeated")


def _ods_rows(table) -> Iterator[Row]:
    for row in table.iter(_ROW):
        if row.get(_ods("table", "visibility")) in ("collapse", "filter"):
            continue
        cells: Row = []
        for cell in row:
            if cell.tag not in _CELLS:
                continue
            # Its text as shown ("01/04/2017", "£1,200.00"), not the value under it.
            text = " ".join(" ".join(p.itertext()) for p in cell.iter(_PARAGRAPH)).strip()
            # A sheet's rows run on in empty cells repeated to its last column (16,384 of them).
            repeat = int(cell.get(_COLUMNS_REPEATED, "1")) if text else 1
            cells += [text] * min(repeat, 1024)
        if any(cells):
            yield from [cells] * min(int(row.get(_ROWS_REPEATED, "1")), 1024)
        else:
            yield []

