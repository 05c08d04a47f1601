"""Reading input workbooks: where the header is, what the headers say, what the cells hold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from incentives import schema
from incentives.read import values
from incentives.read.table import read_table
from incentives.read.workbook import open_book
from tests.builders import write_sheet

D = Decimal


def read(path, spec=schema.SALES, rel="sales/s.xlsx"):
    book = open_book(path, rel)
    table, problems = read_table(book, spec)
    return table, [str(p) for p in problems]


RU_HEADER = ["Номер счета", "Дата счета", "ID партнера", "Клиент", "Тип клиента", "Артикул", "Количество",
             "Сумма без НДС", "Валюта", "Примечание"]


def test_russian_headers_below_a_title_in_any_order(tmp_path):
    path = tmp_path / "s.xlsx"
    write_sheet(path, "Продажи", [
        ("INV-1", dt.date(2026, 3, 5), "P1", "ТОО «Ромашка»", "конечный пользователь", "SKU", 2, 1234.56, "KZT", "x"),
        ("INV-2", "15.03.2026", "P1", "ТОО", "Reseller", "SKU", 1, "1 200 000,00", "kzt", None),
        ("INV-3", 46090, "P1", "ТОО", "END USER", "SKU", -1, "-5", "KZT", None),
    ], header=RU_HEADER, title="Отчет о продажах за март 2026")
    table, problems = read(path)
    assert problems == ["sales/s.xlsx:Продажи!J3: column 'Примечание' is not used"]
    rows = table.frame.to_dicts()
    assert [r["row"] for r in rows] == [4, 5, 6]
    assert [r["invoice_date"] for r in rows] == [dt.date(2026, 3, 5), dt.date(2026, 3, 15), dt.date(2026, 3, 9)]
    assert [r["net_amount"] for r in rows] == [D("1234.56"), D("1200000"), D("-5")]
    assert [r["customer_type"] for r in rows] == ["end_user", "reseller", "end_user"]
    assert [r["line_no"] for r in rows] == [1, 1, 1]  # the declared default


@pytest.mark.parametrize("cell, message", [
    ("about a million", 'sales/s.xlsx:Sales!L2: net_amount "about a million" is not a number'),
    ("3 000 000,00 тг", 'sales/s.xlsx:Sales!L2: net_amount "3 000 000,00 тг" is not a number'),
    ("1,200", 'sales/s.xlsx:Sales!L2: net_amount "1,200" is ambiguous'),
], ids=["words", "currency-suffix", "ambiguous-comma"])
def test_bad_amount_is_located(tmp_path, cell, message):
    path = tmp_path / "s.xlsx"
    write_sheet(path, "Sales", [("I1", 1, "2026-03-01", "P1", "C", "end_user", "SKU", "", 1, "x", "", cell, "KZT")],
                header=["invoice_id", "line_no", "invoice_date", "partner_id", "customer_name", "customer_type",
                        "product_sku", "opportunity_id", "quantity", "product_category", "customer_id",
                        "net_amount", "currency"])
    table, problems = read(path)
    assert any(p.startswith(message) for p in problems), problems


def test_impossible_date_and_blank_required_cell(tmp_path):
    path = tmp_path / "s.xlsx"
    header = ["invoice_id", "invoice_date", "partner_id", "customer_name", "customer_type", "product_sku",
              "quantity", "net_amount", "currency"]
    write_sheet(path, "Sales", [("I1", "31.02.2026", "P1", "C", "end_user", "SKU", 1, 10, "KZT"),
                                ("I2", "2026-03-01", None, "C", "end_user", "SKU", 1, 10, "KZT")], header=header)
    _, problems = read(path)
    assert problems == [
        'sales/s.xlsx:Sales!B2: invoice_date "31.02.2026" is not a valid date (check day and month: dates read as '
        '2026-03-31 or 31.03.2026)',
        "sales/s.xlsx:Sales!C3: partner_id is blank (expected text)",
    ]


def test_missing_column_lists_the_columns_found(tmp_path):
    path = tmp_path / "s.xlsx"
    write_sheet(path, "Sales", [("I1", "2026-03-01", "P1")], header=["invoice_id", "invoice_date", "partner_id"])
    table, problems = read(path)
    assert table is None
    assert ("sales/s.xlsx:Sales row 1: required column 'customer_type' is missing; columns found: invoice_id, "
            "invoice_date, partner_id (add a column headed 'customer_type' (or 'Тип клиента'))") in problems


def test_missing_sheet_lists_the_sheets_found(tmp_path):
    path = tmp_path / "s.xlsx"
    write_sheet(path, "Sheet1", [("I1",)], header=["invoice_id"])
    table, problems = read(path)
    assert table is None
    assert problems == ["sales/s.xlsx: sheet 'Sales' is missing; sheets found: 'Sheet1' (rename the sheet holding "
                        "the data to 'Sales')"]


@pytest.mark.parametrize("text, value", [
    ("1234.56", "1234.56"), ("1 200 000,00", "1200000"), ("1\u00a0200\u00a0000,00", "1200000"),
    ("1,200,000.00", "1200000"), ("1.200.000,00", "1200000"), ("(1 200,50)", "-1200.5"),
    ("0.30000000000000004", "0.3"), ("1344.0000000000002", "1344"), ("-0", "0"), ("1,5", "1.5"),
], ids=lambda v: repr(v))
def test_decimal_text(text, value):
    assert values.parse_decimal(text) == D(value)


@pytest.mark.parametrize("text, day", [
    ("2026-01-15 00:00:00", dt.date(2026, 1, 15)), ("2026-01-15", dt.date(2026, 1, 15)),
    ("15.01.2026", dt.date(2026, 1, 15)), ("46037", dt.date(2026, 1, 15)),
], ids=["date-cell", "iso", "dotted", "serial"])
def test_dates(text, day):
    assert values.parse_date(text) == day


def test_1904_workbook_serial_numbers_and_date_cells(tmp_path):
    import xlsxwriter

    path = tmp_path / "s.xlsx"
    book = xlsxwriter.Workbook(str(path), {"date_1904": True})
    sheet = book.add_worksheet("Sales")
    header = ["invoice_id", "invoice_date", "partner_id", "customer_name", "customer_type", "product_sku",
              "quantity", "net_amount", "currency"]
    sheet.write_row(0, 0, header)
    sheet.write_row(1, 0, ["I1"])
    sheet.write_datetime(1, 1, dt.datetime(2026, 3, 15), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_row(1, 2, ["P1", "C", "end_user", "SKU", 1, 10, "KZT"])
    sheet.write_row(2, 0, ["I2", 44634, "P1", "C", "end_user", "SKU", 1, 10, "KZT"])  # 2026-03-15 from 1904
    book.close()
    table, problems = read(path)
    assert problems == []
    assert table.frame["invoice_date"].to_list() == [dt.date(2026, 3, 15), dt.date(2026, 3, 15)]


@pytest.mark.parametrize("sheet, column, text, choice", [
    (schema.REQUIREMENTS, "operator", "не менее", ">="),
    (schema.REQUIREMENTS, "operator", "GE", ">="),
    (schema.SALES, "customer_type", "Конечный пользователь", "end_user"),
    (schema.OPPORTUNITIES, "status", "одобрена", "approved"),
    (schema.BONUSES, "period", "Год", "year"),
], ids=["ru-operator", "word-operator", "ru-customer-type", "ru-status", "ru-bonus-period"])
def test_choices_in_words(sheet, column, text, choice):
    assert values.parse_choice(text, sheet.column(column)) == choice


def _sales_book(tmp_path):
    path = tmp_path / "s.xlsx"
    write_sheet(path, "Sales", [["invoice_id", "invoice_date", "partner_id", "customer_name", "customer_type",
                                 "product_sku", "quantity", "net_amount", "currency"],
                                ["A", "2026-07-01", "P1", "C", "end_user", "SKU", 1, 100, "KZT"]])
    return path


def test_a_sheet_the_reader_cannot_read_is_a_located_error(tmp_path, monkeypatch):
    import fastexcel

    from incentives.read.workbook import Book

    def refuse(self, sheet):
        raise fastexcel.CalamineError("bad XML at byte 42")

    monkeypatch.setattr(Book, "grid", refuse)
    table, problems = read(_sales_book(tmp_path))
    assert table is None
    assert problems == ["sales/s.xlsx:Sales: the sheet is damaged and cannot be read (open the file in "
                        "Excel and save it again; the reader said: bad XML at byte 42)"]


def test_a_bug_while_reading_a_sheet_is_not_blamed_on_the_file(tmp_path, monkeypatch):
    """A bug in calc must reach the user as an internal error (exit 3), not as "the sheet is damaged"."""
    from incentives.read.workbook import Book

    def bug(self, sheet):
        raise KeyError("a bug")

    monkeypatch.setattr(Book, "grid", bug)
    with pytest.raises(KeyError):
        read(_sales_book(tmp_path))


def test_repeated_leaves_out_values_counted_no_times():
    from incentives.read.table import repeated

    assert repeated(["a", "b", "c"], [2, 0, 1], pl.String).to_list() == ["a", "a", "c"]
    assert repeated(["a", "b"], [0, 0], pl.String).to_list() == []
    assert repeated([7, 9], [1, 3], pl.Int64).to_list() == [7, 9, 9, 9]


def test_frame_of_tables_holds_the_declared_columns_only():
    """The lines of several files as one frame, each row with its file and sheet; a column a
    table holds beyond the declared ones (a roster's attributes) is left out."""
    from incentives import records
    from incentives.problems import Source
    from incentives.read.table import ROW, Table

    spec = schema.OPPORTUNITIES
    declared = {c.name: pl.Series(c.name, [None, None], dtype=values.KINDS[c.kind].dtype) for c in spec.columns}
    plain = pl.DataFrame([pl.Series(ROW, [2, 3], dtype=pl.Int64), *declared.values()])
    extra = plain.head(1).with_columns(pl.lit("x").alias("region"))
    tables = [Table(spec, Source("a.xlsx", "Opportunities"), plain, ()),
              Table(spec, Source("b.xlsx", "Opps"), extra, ())]
    frame = records.frame(tables, spec)
    assert frame.columns == ["file", "sheet", ROW, *declared]
    assert frame.select("file", "sheet", ROW).rows() == [("a.xlsx", "Opportunities", 2), ("a.xlsx", "Opportunities", 3),
                                                        ("b.xlsx", "Opps", 2)]
