"""Typed reads: a sheet's header found in its first rows, packed from the parts the guard
inflated (`workbook.Book.head`, `guard.Findings.parts`); its body loaded once, number and
date cells typed (`workbook.Book.body`); text only where the cells hold text."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import polars as pl
import pytest
import xlsxwriter
from hypothesis import example, given, settings
from hypothesis import strategies as st

from incentives import schema
from incentives.problems import Problem
from incentives.read import guard, workbook
from incentives.read.table import convert, read_table
from incentives.read.values import BadValue, parse_decimal
from incentives.read.workbook import HEAD, open_book

D = Decimal
AMOUNT = schema.SALES.column("net_amount")
HEADER = ["invoice_id", "line_no", "invoice_date", "partner_id", "customer_name", "customer_type", "product_sku",
          "quantity", "net_amount", "currency"]


def _parsed(x: float) -> Decimal | None:
    try:
        return parse_decimal(repr(x))
    except BadValue:
        return None


def _as_excel_shows(x: float) -> Decimal:
    """The contract's words, computed apart from calc: the shortest decimal that reads back
    as the double (Python's repr), rounded half-even to 15 significant digits."""
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 15, ROUND_HALF_EVEN
        return +Decimal(repr(x))


doubles = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(doubles, st.floats(min_value=-1e12, max_value=1e12).map(lambda x: round(x, 2))),
                min_size=1, max_size=30))
@example([3703701.3000000003, 0.1 + 0.2, 8719891.94, 35184372088832.55, 0.1234567891, 1e15, 999999999999999.9,
          1e-11, -0.0, 5e-324, 1.7976931348623157e308, 123456789012345.67])
def test_a_double_reads_as_parse_decimal_reads_its_repr(xs):
    """The typed path: a number cell's double, cast to text by polars and read in polars
    where plain, gives what `parse_decimal` gives the double's repr, and refuses the same."""
    typed, bad = convert(pl.Series(xs, dtype=pl.Float64), AMOUNT)
    expected = [_parsed(x) for x in xs]
    assert [v if v is None else v.normalize() for v in typed.to_list()] == \
        [v if v is None else v.normalize() for v in expected]
    assert [i for i, _, _ in bad] == [i for i, v in enumerate(expected) if v is None]
    for x, v in zip(xs, expected):
        if v is not None:  # and that is the contract's number: no rounding at 10 decimals happened
            assert v == _as_excel_shows(x)


@settings(max_examples=500, deadline=None)
@given(doubles)
@example(1e16)
@example(1e-5)
def test_polars_writes_a_double_as_its_shortest_repr(x):
    """What the vectorized path relies on: polars' text of a double is Python's repr's number."""
    assert Decimal(pl.Series([x]).cast(pl.String)[0]) == Decimal(repr(x))


def _write(path, rows, *, title_rows: int = 0, first_column: int = 0, date_1904: bool = False, extra=None):
    """An .xlsx of one Sales sheet: `title_rows` rows of title above the header, the table
    starting at column `first_column`; numbers as number cells, dates as date cells."""
    book = xlsxwriter.Workbook(str(path), {"date_1904": date_1904, "strings_to_numbers": False})
    sheet = book.add_worksheet("Sales")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    if title_rows:
        sheet.write_string(0, first_column, "Sales report, July 2026")
    for j, name in enumerate(HEADER):
        sheet.write_string(title_rows, first_column + j, name)
    for i, row in enumerate(rows, start=title_rows + 1):
        for j, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(i, first_column + j, dt.datetime(value.year, value.month, value.day), day)
            elif isinstance(value, (int, float)):
                sheet.write_number(i, first_column + j, value)
            elif value is not None:
                sheet.write_string(i, first_column + j, value)
    for (row, column), value in (extra or {}).items():
        sheet.write(row, column, value)
    book.close()


def _lines(n: int, amount=1000.5) -> list[list]:
    return [[f"I{i}", 1, dt.date(2026, 7, 1 + i % 28), "P1", "C", "end_user", "S", 2, amount, "KZT"]
            for i in range(n)]


def _problems(table_and_problems) -> list[str]:
    return [str(p) for p in sorted(table_and_problems[1], key=Problem.sort_key)]


def test_number_cells_are_read_as_excel_shows_them(tmp_path):
    """Read typed, a number cell keeps every digit Excel shows: fastexcel's text of a cell
    keeps at most 9 decimals (0.1234567891 would read 0.123456789)."""
    path = tmp_path / "s.xlsx"
    rows = _lines(HEAD + 10)
    for row, amount in zip(rows, [0.1234567891, 3703701.3000000003, 0.1 + 0.2, 8719891.94, -0.0, 12.0]):
        row[8] = amount
    _write(path, rows)
    book = open_book(path, "sales/s.xlsx")
    assert "Sales" in book.cut  # a sheet of more than HEAD rows: its header found in its first rows only
    table, problems = read_table(book, schema.SALES)
    assert problems == []
    assert table.frame["net_amount"].head(6).to_list() == [
        D("0.1234567891"), D("3703701.3"), D("0.3"), D("8719891.94"), D(0), D(12)]
    assert table.frame["invoice_date"][0] == dt.date(2026, 7, 1)  # a date cell, typed
    assert table.frame["quantity"][0] == 2 and table.frame.height == HEAD + 10


def test_a_text_cell_in_a_number_column_is_quoted_where_it_is(tmp_path):
    """A number column holding a text cell is read as text (the typed load refuses a column
    of two types), so the text is quoted in its located error, below the first rows too."""
    path = tmp_path / "s.xlsx"
    rows = _lines(HEAD + 10)
    rows[35][8] = "3 000 тг"  # Excel row 39: header in row 3, lines from row 4
    rows[36][2] = "31.07.2026"  # a date as text in a date column: still read
    rows[37][7] = "two"
    _write(path, rows, title_rows=2)
    table, problems = read_table(open_book(path, "sales/s.xlsx"), schema.SALES)
    assert _problems((table, problems)) == [
        'sales/s.xlsx:Sales!I39: net_amount "3 000 тг" is not a number (expected a number such as 1200000.00 '
        "or 1 200 000,00, without currency signs or words)",
        'sales/s.xlsx:Sales!H41: quantity "two" is not a number (expected a number such as 1200000.00 '
        "or 1 200 000,00, without currency signs or words)",
    ]
    assert table is None or table.frame["invoice_date"][36] == dt.date(2026, 7, 31)


def test_rows_and_columns_keep_their_place_under_titles_and_off_column_a(tmp_path):
    """Header in row 3, table from column C, a stray cell in column A below the first rows:
    every cell still named where it is."""
    path = tmp_path / "s.xlsx"
    rows = _lines(HEAD + 20)
    rows[-1][8] = None  # the last line's amount blank: Excel row 3 + 50 = 53, column C + 8 = K
    _write(path, rows, title_rows=2, first_column=2, extra={(45, 0): "checked by A. B."})
    table, problems = read_table(open_book(path, "sales/s.xlsx"), schema.SALES)
    assert _problems((table, problems)) == [
        "sales/s.xlsx:Sales!K53: net_amount is blank (expected a number such as 1200000.00 or 1 200 000,00)"]


def test_dates_of_a_1904_workbook_read_typed(tmp_path):
    path = tmp_path / "s.xlsx"
    rows = _lines(HEAD + 5)
    _write(path, rows, date_1904=True)
    table, problems = read_table(open_book(path, "sales/s.xlsx"), schema.SALES)
    assert problems == []
    assert table.frame["invoice_date"].head(2).to_list() == [dt.date(2026, 7, 1), dt.date(2026, 7, 2)]


def test_the_reader_gets_the_parts_the_guard_inflated(tmp_path):
    """The guard keeps every part of a small .xlsx as it inflated it, the file's own byte for
    byte; packed again without compression (the package of first rows), they make a sound zip."""
    path = tmp_path / "s.xlsx"
    _write(path, _lines(HEAD + 5))
    found = guard.examine(path, "s.xlsx")
    with zipfile.ZipFile(path) as z:
        assert dict(found.parts) == {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(__import__("io").BytesIO(workbook._stored(found.parts))) as z:
        assert z.testzip() is None and dict((n, z.read(n)) for n in z.namelist()) == dict(found.parts)
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_STORED}


def test_a_workbook_too_big_to_keep_is_read_from_the_file(tmp_path, monkeypatch):
    path = tmp_path / "s.xlsx"
    _write(path, _lines(HEAD + 5))
    kept = read_table(open_book(path, "sales/s.xlsx"), schema.SALES)[0].frame
    monkeypatch.setattr(guard, "KEPT", 1000)
    assert guard.examine(path, "s.xlsx").parts == ()
    book = open_book(path, "sales/s.xlsx")
    assert book.heads is None
    assert read_table(book, schema.SALES)[0].frame.equals(kept)


@pytest.mark.parametrize("rows, cut", [(HEAD - 1, False), (HEAD, False), (HEAD + 1, True)],
                         ids=["header and 29 lines", "header and 30 lines", "header and 31 lines"])
def test_a_sheet_is_cut_after_its_first_rows_only_when_it_has_more(tmp_path, rows, cut):
    """The header row counts: a sheet of HEAD rows is read whole from the first package."""
    path = tmp_path / "s.xlsx"
    _write(path, _lines(rows - 1))
    book = open_book(path, "sales/s.xlsx")
    assert ("Sales" in book.cut) is cut
    assert book.head("Sales").frame.height == min(rows, HEAD)
    assert read_table(book, schema.SALES)[0].frame.height == rows - 1


def test_the_first_rows_keep_the_shared_strings_they_use(tmp_path):
    """The package of first rows keeps the shared strings up to the last one they use: here
    the header's, written after 60 lines of their own texts (numbered after them)."""
    path = tmp_path / "s.xlsx"
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("Sales")
    rows = _lines(60)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_string(i, j, value.isoformat())
            elif isinstance(value, (int, float)):
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, f"{value} {i}" if j == 4 else value)  # 60 distinct customer names
    for j, name in enumerate(HEADER):
        sheet.write_string(0, j, name)
    book.close()
    opened = open_book(path, "sales/s.xlsx")
    assert "Sales" in opened.cut
    assert opened.head("Sales").frame.row(0) == tuple(HEADER)
    table, problems = read_table(opened, schema.SALES)
    assert problems == [] and table.frame["customer_name"][59] == "C 60"


@pytest.mark.parametrize("lines", [3, HEAD + 5], ids=["a short sheet", "a long sheet"])
def test_a_number_cell_reads_the_same_in_a_short_sheet(tmp_path, lines):
    """An fx rate of 10 decimals, in a sheet of a few rows as in one of many: its double,
    not fastexcel's text of it (0.002123457), in both."""
    path = tmp_path / "fx_rates.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Rates")
    sheet.write_row(0, 0, ["currency", "month", "rate"])
    for i in range(lines):
        sheet.write_row(i + 1, 0, ["USD", f"2026-{i % 12 + 1:02d}", 0.0021234567])
    book.close()
    table, problems = read_table(open_book(path, "fx_rates.xlsx"), schema.RATES)
    assert problems == [] and set(table.frame["rate"].to_list()) == {D("0.0021234567")}


def test_rows_after_empty_formatted_rows_are_read_when_the_sheet_falls_back_to_text(tmp_path):
    """The first 30 row elements may end in rows with no value (formatted, empty): the first
    rows then hold fewer than 30 rows, yet they are not the whole sheet. A text amount
    sends the sheet to the text read, which must still read every line below."""
    path = tmp_path / "s.xlsx"
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("Sales")
    grey = book.add_format({"bg_color": "#EEEEEE"})
    sheet.write_row(0, 0, HEADER)
    lines = _lines(40)
    for i, row in enumerate(lines[:20], start=1):
        sheet.write_row(i, 0, [v.isoformat() if isinstance(v, dt.date) else v for v in row])
    for i in range(21, 31):
        sheet.set_row(i, None, grey)  # rows 22 to 31: formatted, empty
    for i, row in enumerate(lines[20:], start=31):
        sheet.write_row(i, 0, [v.isoformat() if isinstance(v, dt.date) else v for v in row])
    sheet.write_string(50, 8, "3 000 тг")  # Excel row 51, the last line's amount
    book.close()
    opened = open_book(path, "sales/s.xlsx")
    assert "Sales" in opened.cut and opened.head("Sales").frame.height < HEAD
    table, problems = read_table(opened, schema.SALES)
    assert _problems((table, problems)) == [
        'sales/s.xlsx:Sales!I51: net_amount "3 000 тг" is not a number (expected a number such as 1200000.00 '
        "or 1 200 000,00, without currency signs or words)"]
