"""A written statement read back cell by cell, against columns and figures written out here
(not imported from the writer: a dropped or reordered column must show)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from incentives import pipeline
from incentives.periods import parse_period
from tests.builders import line, make_inputs, partner

LINES_HEADER = {
    "en": ["Source file", "Source row", "Invoice date", "Invoice", "Line", "Customer", "Customer type", "Opportunity",
           "Product SKU", "Quantity", "Net amount", "Currency", "FX rate", "Base amount, KZT", "Outcome", "Detail",
           "Flag", "Share of entitlement, points"],
    "ru": ["Файл", "Строка файла", "Дата счета", "Номер счета", "№ строки", "Клиент", "Тип клиента", "ID сделки",
           "Артикул", "Количество", "Сумма без НДС", "Валюта", "Курс", "Сумма, KZT", "Результат", "Пояснение",
           "Отметка", "Доля начисления, баллы"],
}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """D1, a distributor registered on 1 May 2026 and reading English, has one line included and four excluded,
    one for each of four reasons; R1 reads Russian."""
    folder = tmp_path_factory.mktemp("layout")
    sales = {"a.xlsx": [
        line("A", "2026-07-01", 1000, pid="D1", customer_type="reseller"),
        line("B", "2026-07-02", 200, pid="D1", customer_type="reseller", product_sku="DEMO"),  # PRODUCT_EXCLUDED
        line("C", "2026-07-03", 300, pid="D1"),  # a distributor selling to an end user: CHANNEL_CONFLICT
        line("D", "2026-10-01", 400, pid="D1", customer_type="reseller"),  # OUT_OF_PERIOD
        line("E", "2026-04-01", 500, pid="D1", customer_type="reseller"),  # OUTSIDE_MEMBERSHIP
        line("R", "2026-07-01", 100, pid="R1"),
    ]}
    make_inputs(folder / "in", sales,
                partners=[partner("D1", role="distributor", registered_on=dt.date(2026, 5, 1), language="en"),
                          partner("R1", language="ru")],
                extra_program_sheets={"Exclusions": [{"field": "product_sku", "value": "DEMO"}],
                                      "ChannelRules": [{"role": "distributor", "customer_type": "end_user",
                                                        "action": "exclude"}]})
    outcome = pipeline.run(folder / "in", parse_period("2026Q3"), folder / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    return folder / "out"


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)  # read-only keeps the file open until closed
    try:
        return list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()


@pytest.mark.parametrize("pid, language", [("D1", "en"), ("R1", "ru")], ids=["english", "russian"])
def test_lines_header(run, pid, language):
    assert list(sheet_rows(run / "statements" / f"{pid}.xlsx", "Lines")[0]) == LINES_HEADER[language]


def test_a_line_under_each_column(run):
    body = sheet_rows(run / "statements" / "D1.xlsx", "Lines")
    # line A: 1,000 KZT included, the partner's whole entitlement 1,000 x 2% = 20.00 its share
    assert body[1] == ("sales/a.xlsx", 2, dt.datetime(2026, 7, 1), "A", 1, "Customer", "reseller", None, "SKU-1", 1,
                       1000, "KZT", 1, 1000, "included", None, None, 20)
    # line C: excluded, its reason's words, no share
    # (codes a reader sees are words since issue 18: end_user is "end user")
    assert body[3] == ("sales/a.xlsx", 4, dt.datetime(2026, 7, 3), "C", 1, "Customer", "end user", None, "SKU-1", 1,
                       300, "KZT", 1, 300, "channel conflict", "a distributor must not sell to customers of type end user",
                       None, None)


def test_excluded_by_reason_in_the_contracts_order(run):
    rows = sheet_rows(run / "statements" / "D1.xlsx", "Statement")
    at = next(i for i, r in enumerate(rows) if r[0] == "Excluded, by reason")
    assert [r[:3] for r in rows[at:at + 5]] == [
        # since issue 18: the amount under the page's amounts (B), the count apart (C), no codes in brackets
        ("Excluded, by reason", "Base amount, KZT", "Lines"),
        ("out of period", 400, 1),
        ("outside membership", 500, 1),
        ("product excluded", 200, 1),
        ("channel conflict", 300, 1),
    ]
    assert len(rows) == at + 5 or rows[at + 5][0] in (None, "")
