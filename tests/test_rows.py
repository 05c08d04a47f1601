"""Long tables written as XML by polars (write/rows.py): every reader gets back what was written."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import fastexcel
import openpyxl
import polars as pl
import pytest
import xlsxwriter

from incentives.write import rows
from incentives.write.rows import Body, Column, body
from incentives.write.xlsx import close, workbook, write_table

TEXTS = [" lead", "trail ", "a & b < c > d", "<r><t>rich</t></r>", "_x0041_", "tab\tand\nnewline", "bell\x07",
         "Кириллица «ёлка»", "=1+1", "@SUM(A1)", "'quoted", "x" * 40_000]
IDS = ["leading-space", "trailing-space", "markup", "rich-text-lookalike", "escape-lookalike", "tab-newline",
       "control-character", "cyrillic", "formula", "at-formula", "quote", "longer-than-a-cell"]


def write(path, frame: pl.DataFrame, columns: tuple[Column, ...]) -> None:
    """A header row by xlsxwriter, the body spliced in after it."""
    book = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    sheet = book.add_worksheet("T")
    money = book.add_format({"num_format": "#,##0.00"})
    sheet.set_column(1, 1, 12, money)
    for j, c in enumerate(columns):
        sheet.write_string(0, j, c.name)
    columns = tuple(Column(c.name, c.kind, "\x01" if c.style == "money" else None) for c in columns)
    rows = body(frame, columns, 2).str.join("").item().encode()
    close(book, path, Body(0, rows, (("\x01", money),), frame.height + 1))


@pytest.mark.parametrize("text", TEXTS, ids=IDS)
def test_text_reads_back_as_written(tmp_path, text):
    frame = pl.DataFrame({"text": [text, None, "after"]})
    write(tmp_path / "t.xlsx", frame, (Column("text", "text"),))
    expected = text[:32767].replace("\x07", "\ufffd")  # Excel's limit for one cell; not XML: U+FFFD
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
    assert [c.data_type for c in sheet["A"]] == ["s", "s", "n", "s"]
    if "_x" not in text:
        # openpyxl leaves _xHHHH_ escapes in inline text as they are (xlsxwriter's constant_memory
        # mode writes the same); Excel and calamine read them back as the character.
        assert sheet["A2"].value == expected
    read = fastexcel.read_excel(tmp_path / "t.xlsx").load_sheet("T", dtypes="string").to_polars()
    assert read["text"].to_list() == [expected, None, "after"]


def test_numbers_dates_and_formats(tmp_path):
    frame = pl.DataFrame({"n": [1, -7, None, 10**15], "amount": [Decimal("3808.00"), Decimal("-0.01"), Decimal("0.00"),
                                                                  Decimal("1234567.89")]},
                         schema={"n": pl.Int64, "amount": pl.Decimal(38, 2)})
    write(tmp_path / "n.xlsx", frame, (Column("n", "number"), Column("amount", "number", "money")))
    sheet = openpyxl.load_workbook(tmp_path / "n.xlsx")["T"]
    rows = [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [[(1, "General"), (3808, "#,##0.00")], [(-7, "General"), (-0.01, "#,##0.00")],
                    [(None, "General"), (0, "#,##0.00")], [(10**15, "General"), (1234567.89, "#,##0.00")]]


def test_rows_numbered_per_group(tmp_path):
    frame = pl.DataFrame({"text": ["a1", "b1", "a2", "b2", "b3"]})
    xml = body(frame, (Column("text", "text"),), 2, pl.Series(["a", "b", "a", "b", "b"]))
    assert [x[:10] for x in xml.to_list()] == ['<row r="2"', '<row r="2"', '<row r="3"', '<row r="3"', '<row r="4"']


def test_a_blank_value_writes_no_cell_and_a_column_without_one_its_cells_in_line():
    # An empty text and a null write no cell, in a column that has them; every cell of a column without
    # one is written (its XML then built inline with the row's, not as a column of its own).
    frame = pl.DataFrame({"a": ["x", "", None], "b": ["y", "z", "w"], "n": [1, None, 3], "m": [4, 5, 6],
                          "e": ["", "v", "u"]})
    columns = (Column("a", "text"), Column("b", "text"), Column("n", "number"), Column("m", "number", "\x01"),
               Column("e", "text"))
    assert body(frame, columns, 2).to_list() == [
        '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2" t="inlineStr"><is><t>y</t></is></c>'
        '<c r="C2"><v>1</v></c><c r="D2" s="\x01"><v>4</v></c></row>',
        '<row r="3"><c r="B3" t="inlineStr"><is><t>z</t></is></c><c r="D3" s="\x01"><v>5</v></c>'
        '<c r="E3" t="inlineStr"><is><t>v</t></is></c></row>',
        '<row r="4"><c r="B4" t="inlineStr"><is><t>w</t></is></c><c r="C4"><v>3</v></c>'
        '<c r="D4" s="\x01"><v>6</v></c><c r="E4" t="inlineStr"><is><t>u</t></is></c></row>']


def test_a_text_cut_at_excels_limit_keeps_its_last_space():
    # 32,766 x's, a space, then more: cut at Excel's 32,767 characters the text ends with the space,
    # which the whole text did not; Excel drops a last space it is not told to keep
    text = "x" * 32766 + " tail"
    xml = body(pl.DataFrame({"t": [text, "plain"]}), (Column("t", "text"),), 2).to_list()
    assert xml[0] == f'<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">{"x" * 32766} </t></is></c></row>'
    assert xml[1] == '<row r="3"><c r="A3" t="inlineStr"><is><t>plain</t></is></c></row>'


def test_a_workbook_without_a_body_is_the_file_xlsxwriter_writes(tmp_path):
    # xlsx.parts repeats the steps of xlsxwriter's close but the zip, and package zips what it gives:
    # without a body they must give xlsxwriter's very parts, in its order, with its entries' dates and
    # method (a newer xlsxwriter could break this); only the deflated bytes are libdeflate's, not zlib's
    def made(path=None):
        book = workbook(path)
        write_table(book, "Table", ["text", "amount"], [["x & y", Decimal("1.50")]], {"amount": "#,##0.00"},
                    footer="a footer")
        book.add_worksheet("Second").write_string(0, 0, "Кириллица")
        return book

    made(tmp_path / "xlsxwriter.xlsx").close()
    close(made(), tmp_path / "packaged.xlsx")

    def entries(path):
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
            return [(i.filename, i.date_time, i.compress_type, i.external_attr, i.create_system, z.read(i))
                    for i in z.infolist()]

    assert entries(tmp_path / "packaged.xlsx") == entries(tmp_path / "xlsxwriter.xlsx")


def test_a_part_too_large_to_hold_twice_is_deflated_as_a_stream(tmp_path, monkeypatch):
    # past rows.WHOLE bytes a sheet is deflated by zlib in pieces (here 64 bytes each), not by
    # libdeflate at once: the same parts, a valid zip, the same values read back
    frame = pl.DataFrame({"n": list(range(300)), "amount": [Decimal(k) / 100 for k in range(300)]},
                         schema={"n": pl.Int64, "amount": pl.Decimal(38, 2)})
    columns = (Column("n", "number"), Column("amount", "number", "money"))
    write(tmp_path / "whole.xlsx", frame, columns)
    monkeypatch.setattr(rows, "WHOLE", 1000)
    monkeypatch.setattr(rows, "_STREAMED", 64)
    write(tmp_path / "streamed.xlsx", frame, columns)

    def parts(path):
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
            return {i.filename: z.read(i) for i in z.infolist()}, {i.filename: i.compress_size for i in z.infolist()}

    (whole, sizes), (streamed, streamed_sizes) = parts(tmp_path / "whole.xlsx"), parts(tmp_path / "streamed.xlsx")
    assert streamed == whole
    assert streamed_sizes["xl/worksheets/sheet1.xml"] != sizes["xl/worksheets/sheet1.xml"]  # another deflater
    read = fastexcel.read_excel(tmp_path / "streamed.xlsx").load_sheet("T").to_polars()
    assert read["n"].to_list() == list(range(300))


@pytest.mark.parametrize("dtype, values, written", [
    (pl.Decimal(38, 10), ["100", "1.5", "0", "-0.01", "471.2350", "-0.0000000000"], ["100", "1.5", "0", "-0.01",
                                                                                      "471.235", "0"]),
    (pl.Decimal(38, 2), ["3808.00", "10.10", "0.00"], ["3808", "10.1", "0"]),
    (pl.Decimal(38, 0), ["100", "0", "-20"], ["100", "0", "-20"]),  # no decimal places: its zeros are the number's
], ids=["scale-10", "scale-2", "scale-0"])
def test_a_decimal_is_written_as_its_shortest_exact_text(dtype, values, written):
    frame = pl.DataFrame({"n": pl.Series([Decimal(v) for v in values], dtype=dtype)})
    xml = body(frame, (Column("n", "number"),), 2).to_list()
    assert [x.split("<v>")[1].split("</v>")[0] for x in xml] == written


def _table_rows(n: int) -> list[list]:
    """Rows of every kind a long table holds: text (markup, spaces, blanks), whole numbers, decimals
    of several scales, dates (one before Excel's first day), and blanks."""
    import datetime as dt

    return [[f"P{i:04d}" if i % 7 else " & <lead", i if i % 5 else None, Decimal(i) / 8 if i % 3 else Decimal("-0.50"),
             dt.date(2026, 1, 1) + dt.timedelta(days=i) if i % 11 else dt.date(1899, 12, 30), "" if i % 4 else "x"]
            for i in range(n)]


HEADER = ["partner", "count", "amount", "day", "note"]


def _read_table(path):
    sheet = openpyxl.load_workbook(path)["T"]
    cells = [[(c.value, c.data_type, c.number_format) for c in row] for row in sheet.iter_rows()]
    widths = {k: d.width for k, d in sheet.column_dimensions.items()}
    return cells, widths, sheet.auto_filter.ref, sheet.freeze_panes


@pytest.mark.parametrize("closed_by", ["close", "book.close", "book.close in memory"])
def test_a_long_table_reads_back_as_the_same_table_written_cell_by_cell(tmp_path, monkeypatch, closed_by):
    # From LONG_FROM rows a table's cells are built by polars (rows.body) and spliced in as the book
    # is closed, by `close` or by the book's own close(): what a reader gets is the same.
    from incentives.write import xlsx

    def written(path):
        memory = io.BytesIO()
        book = workbook({"close": None, "book.close": path, "book.close in memory": memory}[closed_by])
        write_table(book, "T", HEADER, _table_rows(250), {"amount": "#,##0.00", "day": "yyyy-mm-dd"})
        close(book, path) if closed_by == "close" else book.close()
        if closed_by == "book.close in memory":
            path.write_bytes(memory.getvalue())
        return book

    assert len(written(tmp_path / "long.xlsx").long) == 1  # built by polars
    monkeypatch.setattr(xlsx, "LONG_FROM", 10**9)
    assert not written(tmp_path / "cells.xlsx").long  # cell by cell, by xlsxwriter
    long = _read_table(tmp_path / "long.xlsx")
    assert long == _read_table(tmp_path / "cells.xlsx")
    assert long[2:] == ("A1:E251", "A2") and len(long[0]) == 251  # the filter and frozen header over every row


def test_a_long_table_with_a_column_of_several_kinds_is_written_cell_by_cell(tmp_path):
    book = workbook()
    rows = [[f"P{i}", i if i % 2 else True] for i in range(300)]  # a boolean among numbers
    write_table(book, "T", ["partner", "mixed"], rows)
    write_table(book, "U", ["partner", "partner"], [["a", "b"]] * 300)  # a header naming a column twice
    exact = Decimal("12345678901234567890.123456789012345678901")  # more digits than a polars decimal holds
    write_table(book, "V", ["n"], [[exact]] + [[Decimal(i)] for i in range(300)])
    write_table(book, "W", ["n"], [[2**64]] + [[i] for i in range(300)])  # more than a 64-bit integer
    write_table(book, "X", ["ratio"], [[i / 3] for i in range(300)])  # floats: as xlsxwriter writes them
    assert not book.long
    close(book, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
    assert [c.value for c in sheet["B"][1:4]] == [True, 1, True]


def _kinds():
    import datetime as dt

    from hypothesis import strategies as st

    text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).filter(lambda t: "_x" not in t)
    return {
        "text": text,
        "int": st.integers(-10**15, 10**15),
        "decimal": st.decimals(min_value=-10**12, max_value=10**12, places=4, allow_nan=False),
        "float": st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False),
        "date": st.dates(dt.date(1800, 1, 1), dt.date(2100, 12, 31)),
    }


def _tables():
    from hypothesis import strategies as st

    kinds = _kinds()

    @st.composite
    def table(draw):
        chosen = draw(st.lists(st.sampled_from(sorted(kinds)), min_size=1, max_size=4))
        height = draw(st.integers(1, 6))
        columns = [draw(st.lists(st.one_of(st.none(), kinds[k]), min_size=height, max_size=height)) for k in chosen]
        return [f"{k}{j}" for j, k in enumerate(chosen)], [list(row) for row in zip(*columns)]
    return table()


def test_any_table_reads_back_the_same_built_by_polars_or_cell_by_cell():
    # Whatever a table's columns hold (text, whole numbers, decimals, floats, dates, blanks), a reader
    # gets the same from the polars-built table as from the one xlsxwriter writes cell by cell.
    import tempfile
    from pathlib import Path

    from hypothesis import HealthCheck, given, settings

    from incentives.write import xlsx

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_tables())
    def check(table):
        header, rows = table
        read = []
        with tempfile.TemporaryDirectory() as tmp:
            for long_from in (1, 10**9):
                xlsx.LONG_FROM = long_from
                try:
                    book = workbook()
                    write_table(book, "T", header, rows, {h: "#,##0.00" for h in header if h.startswith("decimal")})
                    close(book, Path(tmp) / f"{long_from}.xlsx")
                finally:
                    xlsx.LONG_FROM = 200
                sheet = openpyxl.load_workbook(Path(tmp) / f"{long_from}.xlsx")["T"]
                # a blank writes no cell (xlsxwriter writes a formatted blank one): the column's format shows the same
                read.append([(c.coordinate, c.value, c.data_type, c.number_format)
                             for row in sheet.iter_rows() for c in row if c.value is not None])
        assert read[0] == read[1]

    check()
