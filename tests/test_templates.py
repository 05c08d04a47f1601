"""The committed templates are what the schema generates, and the reader accepts them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from incentives.problems import Problem
from incentives.read import values
from incentives.read.table import read_table
from incentives.read.workbook import open_book
from incentives.schema import WORKBOOKS, Kind
from incentives.templates import ABOUT, write_templates

COMMITTED = Path(__file__).resolve().parent.parent / "templates"
NAMES = [book.template for book in WORKBOOKS]
SHEETS = [(book, sheet) for book in WORKBOOKS for sheet in book.sheets]
SHEET_IDS = [f"{book.template}:{sheet.name}" for book, sheet in SHEETS]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("templates")
    assert write_templates(folder) == [folder / name for name in NAMES]
    return folder


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_committed_template_is_up_to_date(fresh, name):
    assert (COMMITTED / name).read_bytes() == (fresh / name).read_bytes(), (
        f"templates/{name} is stale: run `python calc.py templates templates`")


def test_two_runs_give_identical_bytes(tmp_path):
    first, second = write_templates(tmp_path / "a"), write_templates(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def _validations(ws) -> dict[str, str]:
    """Cell range -> list source, e.g. {"G2:G1000": '"end_user,reseller,distributor"'}."""
    return {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}


@pytest.mark.parametrize(("book", "sheet"), SHEETS, ids=SHEET_IDS)
def test_sheet_layout(fresh, book, sheet):
    ws = openpyxl.load_workbook(fresh / book.template)[sheet.name]
    header = next(ws.iter_rows(min_row=1, max_row=1))
    assert [cell.value for cell in header] == [c.name for c in sheet.columns]
    assert all(cell.font.b for cell in header)
    assert ws.freeze_panes == "A2"
    for cell, column in zip(header, sheet.columns):
        assert column.en in cell.comment.text and column.ru in cell.comment.text
    if sheet.settings:
        return
    formats = {Kind.DATE: "yyyy-mm-dd", Kind.DECIMAL: "#,##0.00########", Kind.TEXT: "@"}
    # Adjacent columns with the same width and format are stored as one range.
    column_format = {j: d.number_format for d in ws.column_dimensions.values() for j in range(d.min, d.max + 1)}
    expected = {}
    for j, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(j)
        if column.kind in formats:
            assert column_format[j] == formats[column.kind], column.name
        if column.choices:
            expected[f"{letter}2:{letter}1000"] = '"' + ",".join(column.choices) + '"'
    assert _validations(ws) == expected


def test_program_sheet_lists_every_setting(fresh):
    book, sheet = next((b, s) for b, s in SHEETS if s.settings)
    ws = openpyxl.load_workbook(fresh / book.template)[sheet.name]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [key for key, _ in rows] == [s.key for s in sheet.settings]
    # truly blank: no program's values, only the defaults; the example in the value's note
    assert [value for _, value in rows] == [s.default or None for s in sheet.settings]
    assert all(ws.cell(row, 2).comment.text.endswith(s.example) for row, s in enumerate(sheet.settings, start=2))
    for row, setting in enumerate(sheet.settings, start=2):
        assert setting.en in ws.cell(row, 1).comment.text
    assert _validations(ws) == {
        f"B{row}": '"' + ",".join(("yes", "no") if s.kind is Kind.YESNO else s.choices) + '"'
        for row, s in enumerate(sheet.settings, start=2) if s.choices or s.kind is Kind.YESNO}


@pytest.mark.parametrize("book", WORKBOOKS, ids=NAMES)
def test_about_sheet_explains_every_column(fresh, book):
    wb = openpyxl.load_workbook(fresh / book.template)
    assert wb.sheetnames == [*(s.name for s in book.sheets), ABOUT]
    rows = list(wb[ABOUT].iter_rows(min_row=2, values_only=True))
    listed = {(sheet, column) for sheet, column, *_ in rows}
    for sheet in book.sheets:
        assert (sheet.name, "") in listed
        for column in sheet.columns:
            assert (sheet.name, column.name) in listed
        for setting in sheet.settings:
            assert (sheet.name, f"key = {setting.key}") in listed
    about = {(row[0], row[1]): row for row in rows}
    for sheet in book.sheets:
        for column in sheet.columns:
            assert {column.header_ru, column.en, column.ru} <= set(about[sheet.name, column.name])


@pytest.mark.parametrize(("book", "sheet"), SHEETS, ids=SHEET_IDS)
def test_reader_accepts_template(fresh, book, sheet):
    opened = open_book(fresh / book.template, book.template)
    assert not isinstance(opened, Problem), str(opened)
    table, problems = read_table(opened, sheet)
    assert [str(p) for p in problems if p.is_error] == []
    assert table.frame.height == len(sheet.settings)
    if sheet.settings:
        assert table.frame["key"].to_list() == [s.key for s in sheet.settings]
        for setting, text in zip(sheet.settings, table.frame["value"]):
            if text is not None:  # a default; the rest is left blank for the program's own values
                values.parse(text, setting.as_column())  # raises BadValue on an unusable default
