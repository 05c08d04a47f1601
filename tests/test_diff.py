"""`calc diff`: runs and workbooks compared by key, formulas apart from values, exit codes,
the terminal report and the report workbook."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from click.testing import CliRunner

from incentives import pipeline
from incentives.periods import parse_period
from incentives.tools import read_book
from incentives.tools.commands import diff
from incentives.tools.diff import compare
from tests.builders import BANDS, add_sheet, line, make_inputs, new_book, partner, write_sheet
from tests.xlsx_text import XlsxText, render

SALES = [line("A1", "2026-02-10", 1200000), line("A2", "2026-08-10", 2000000), line("A3", "2026-08-11", 1000),
         line("B1", "2026-07-01", 500, pid="P2")]


def invoke(*args):
    return CliRunner().invoke(diff, [str(a) for a in args])


def run(folder, out):
    outcome = pipeline.run(folder, parse_period("2026Q3"), out)
    assert outcome.ok, [str(p) for p in outcome.problems]
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two runs: NEW has A1's amount changed, partner P3 added, line A3 removed and the top band at 5%."""
    tmp = tmp_path_factory.mktemp("runs")
    old = make_inputs(tmp / "old_in", {"a.xlsx": SALES}, partners=[partner("P1"), partner("P2")])
    sales = [line("A1", "2026-02-10", 1300000), *SALES[1:2], SALES[3], line("C1", "2026-07-02", 700, pid="P3")]
    new = make_inputs(tmp / "new_in", {"a.xlsx": sales}, partners=[partner("P1"), partner("P2"), partner("P3")],
                      bands=[BANDS[0], ("*", 3000000, "0.05")])
    return run(old, tmp / "old"), run(new, tmp / "new")


def sheet(result, path, name):
    return next(s for f in result.files if f.path == path for s in f.sheets if s.name == name)


def cells(sheet_diff, key):
    row = next(r for r in sheet_diff.rows if r.key == key)
    return {c.column: (c.old, c.new, c.delta) for c in row.cells}


# ---------------------------------------------------------------- two runs


def test_runs_differ_by_key(runs):
    result = compare(*runs)
    assert not result.equal
    ledger = sheet(result, "ledger.xlsx", "Ledger")
    assert ledger.key == ("partner_id",)
    assert [(r.kind, r.key, r.new_row) for r in ledger.rows] == [("changed", ("P1",), 2), ("added", ("P3",), 4)]
    p1 = cells(ledger, ("P1",))
    assert p1["ytd_base"] == (3201000, 3300000, Decimal(99000))
    assert p1["ytd_rate"] == (0.04, 0.05, Decimal("0.01"))
    assert p1["included_lines"] == (3, 2, Decimal(-1))
    assert "partner_name" not in p1


def test_changed_amount_and_removed_line_in_the_statement(runs):
    lines = sheet(compare(*runs), "statements/P1.xlsx", "Lines")
    assert lines.key == ("invoice_id", "line_no")  # a statement is per partner: no partner_id column
    assert [(r.kind, r.key) for r in lines.rows if r.kind != "changed" or r.key[0] == "A1"] == [
        ("changed", ("A1", 1)), ("removed", ("A3", 1))]
    assert cells(lines, ("A1", 1))["Net amount"] == (1200000, 1300000, Decimal(100000))


def test_added_partner_and_changed_rate(runs):
    result = compare(*runs)
    one_side = [(f.path, f.status) for f in result.files if f.status != "compared"]
    assert one_side == [("statements/P3.xlsx", "only in NEW")]
    program = sheet(result, "audit.xlsx", "Program")
    assert program.key == ()  # several tables on one sheet: by position
    assert [c for r in program.rows for c in r.cells if c.part == "value"][0].new == "0.05"
    inputs = sheet(result, "audit.xlsx", "Inputs")
    assert inputs.key == ("path",)
    assert {r.key for r in inputs.rows} == {("partners.xlsx",), ("program.xlsx",), ("sales/a.xlsx",)}


def test_cli_exit_codes_and_report(runs, tmp_path):
    old, new = runs
    same = invoke(old, old)
    assert same.exit_code == 0, same.output
    assert "no differences: 5 workbook(s), 5 equal" in same.output
    changed = invoke(old, new, "--report", tmp_path / "diff.xlsx")
    assert changed.exit_code == 1, changed.output
    assert "statements/P3.xlsx: only in NEW" in changed.output
    assert "  sheet Ledger (rows by partner_id): 1 added, 1 changed" in changed.output
    assert "        ytd_rate K2: 0.04 → 0.05 (+0.01)" in changed.output
    assert "    + row 4 [P3]: " in changed.output
    assert (tmp_path / "diff.xlsx").is_file()


# ---------------------------------------------------------------- any workbook


HEADER = ["invoice_id", "line_no", "invoice_date", "partner_id", "net_amount"]
ROWS = [(f"INV-{i}", 1, dt.date(2026, 7, i), "P1", 1000 * i) for i in range(1, 6)]
RU_HEADER = ["Номер счета", "№ строки", "Дата счета", "ID партнера", "Сумма без НДС"]


@pytest.mark.parametrize("header, title", [(HEADER, None), (RU_HEADER, "Отчет о продажах")],
                         ids=["contract-headers", "russian-headers-under-a-title"])
def test_row_inserted_at_the_top_is_one_added_row(tmp_path, header, title):
    write_sheet(tmp_path / "old.xlsx", "Sales", ROWS, header, title)
    write_sheet(tmp_path / "new.xlsx", "Sales", [("INV-0", 1, dt.date(2026, 7, 1), "P1", 5), *ROWS], header, title)
    sales = sheet(compare(tmp_path / "old.xlsx", tmp_path / "new.xlsx"), "", "Sales")
    assert sales.key == ("partner_id", "invoice_id", "line_no")
    assert [(r.kind, r.key, r.new_row) for r in sales.rows] == [("added", ("P1", "INV-0", 1), 2 + (2 if title else 0))]


def test_row_inserted_without_a_key_is_aligned_by_position(tmp_path):
    rows = [("total", 1), ("tax", 2), ("net", 3)]
    write_sheet(tmp_path / "old.xlsx", "Notes", rows, ["what", "amount"])
    write_sheet(tmp_path / "new.xlsx", "Notes", [("gross", 0), *rows[:2], ("net", 4)], ["what", "amount"])
    notes = sheet(compare(tmp_path / "old.xlsx", tmp_path / "new.xlsx"), "", "Notes")
    assert notes.key == ()
    assert [(r.kind, r.old_row, r.new_row) for r in notes.rows] == [("added", None, 2), ("changed", 4, 5)]


def test_columns_and_sheets_added_and_removed(tmp_path):
    book = new_book(tmp_path / "old.xlsx")
    add_sheet(book, "Ledger", [{"partner_id": "P1", "bonus": 1, "old_col": "x"}])
    add_sheet(book, "Gone", [("a", "b")])
    book.close()
    book = new_book(tmp_path / "new.xlsx")
    add_sheet(book, "Ledger", [{"new_col": "y", "partner_id": "P1", "BONUS": 1}])
    add_sheet(book, "Notes", [("a", "b")])
    book.close()
    result = compare(tmp_path / "old.xlsx", tmp_path / "new.xlsx")
    ledger = sheet(result, "", "Ledger")
    assert (ledger.columns_added, ledger.columns_removed, ledger.rows) == (("new_col",), ("old_col",), ())
    assert [(s.name, s.status) for s in result.files[0].sheets][1:] == [("Notes", "added"), ("Gone", "removed")]


def formula_book(path, formula, value, amount=1):
    book = new_book(path)
    ws = book.add_worksheet("Calc")
    ws.write_string(0, 0, "text that looks like a formula: =A1")
    ws.write_number(1, 0, amount)
    ws.write_number(2, 0, 2)
    ws.write_formula(3, 0, formula, None, value)
    book.close()


@pytest.mark.parametrize("new, expected", [
    (("=A2+A3", 3), []),
    (("=A2*A3+1", 3), [("formula", "=A2+A3", "=A2*A3+1")]),
    (("=A2+A3", 4), [("value", 3, 4)]),
    (("=A2*A3", 2), [("formula", "=A2+A3", "=A2*A3"), ("value", 3, 2)]),
], ids=["same", "formula-only", "value-only", "both"])
def test_formulas_and_values_compared_apart(tmp_path, new, expected):
    formula_book(tmp_path / "old.xlsx", "=A2+A3", 3)
    formula_book(tmp_path / "new.xlsx", *new)
    calc = sheet(compare(tmp_path / "old.xlsx", tmp_path / "new.xlsx"), "", "Calc")
    assert [(c.part, c.old, c.new) for r in calc.rows for c in r.cells] == expected
    (book,) = read_book(tmp_path / "new.xlsx", "new.xlsx", formulas=True)
    assert book.formulas[0] == (None,) and book.formulas[3] == (new[0],)  # text that looks like one is text


def test_tolerance(tmp_path):
    write_sheet(tmp_path / "old.xlsx", "Ledger", [("P1", 100.0), ("P2", 7)], ["partner_id", "amount"])
    write_sheet(tmp_path / "new.xlsx", "Ledger", [("P1", 100.004), ("P2", 7)], ["partner_id", "amount"])
    strict = invoke(tmp_path / "old.xlsx", tmp_path / "new.xlsx")
    assert strict.exit_code == 1
    assert "amount B2: 100 → 100.004 (+0.004)" in strict.output
    assert invoke(tmp_path / "old.xlsx", tmp_path / "new.xlsx", "--tolerance", "0.005").exit_code == 0
    assert invoke(tmp_path / "old.xlsx", tmp_path / "new.xlsx", "--tolerance", "0.001").exit_code == 1
    assert invoke(tmp_path / "old.xlsx", tmp_path / "new.xlsx", "--tolerance", "-1").exit_code == 2


def test_ignore_sheet(tmp_path):
    for name, note in (("old.xlsx", "draft"), ("new.xlsx", "final")):
        book = new_book(tmp_path / name)
        add_sheet(book, "Ledger", [{"partner_id": "P1", "bonus": 1}])
        add_sheet(book, "Notes", [("status", note)])
        book.close()
    assert invoke(tmp_path / "old.xlsx", tmp_path / "new.xlsx").exit_code == 1
    result = invoke(tmp_path / "old.xlsx", tmp_path / "new.xlsx", "--ignore-sheet", "notes")
    assert result.exit_code == 0, result.output
    assert "1 sheet(s) ignored" in result.output


def test_errors_exit_2(tmp_path, runs):
    (tmp_path / "bad.xlsx").write_text("partner_id,amount\nP1,1\n")
    write_sheet(tmp_path / "good.xlsx", "Sales", ROWS, HEADER)
    bad = invoke(tmp_path / "bad.xlsx", tmp_path / "good.xlsx")
    assert bad.exit_code == 2
    assert "bad.xlsx: is not an Excel workbook" in bad.output
    mixed = invoke(tmp_path / "good.xlsx", runs[0])
    assert mixed.exit_code == 2 and "is a file and" in mixed.output
    assert invoke(tmp_path / "nowhere.xlsx", tmp_path / "good.xlsx").exit_code == 2
    unwritable = invoke(tmp_path / "good.xlsx", tmp_path / "good.xlsx", "--report", tmp_path / "no" / "diff.xlsx")
    assert unwritable.exit_code == 2 and "cannot write the report" in unwritable.output
    assert "Traceback" not in bad.output + mixed.output


def test_report_workbook_snapshot(tmp_path, monkeypatch, snapshot):
    header = ["partner_id", "partner_name", "total_payable", "settled_on"]
    day = dt.date(2026, 10, 5)
    book = new_book(tmp_path / "old.xlsx")
    add_sheet(book, "Ledger", [("P1", "Alpha", 100.5, day), ("P2", "Beta", 20, day), ("P3", "Gamma", 0, None)], header)
    book.close()
    formula_book(tmp_path / "old_calc.xlsx", "=A2+A3", 3)
    book = new_book(tmp_path / "new.xlsx")
    add_sheet(book, "Ledger", [("P1", "Alpha", 120.75, day, 5), ("P3", "Gamma", 0, dt.date(2026, 10, 6), 0),
                               ("P4", "=Delta", 7, None, 0)], [*header, "bonus"])
    add_sheet(book, "Notes", [("checked by", "finance")])
    book.close()
    formula_book(tmp_path / "new_calc.xlsx", "=A2*A3", 2)
    monkeypatch.chdir(tmp_path)  # relative paths: the report names OLD and NEW as given
    assert invoke("old.xlsx", "new.xlsx", "--report", "diff.xlsx").exit_code == 1
    assert render(tmp_path / "diff.xlsx") == snapshot(name="ledger", extension_class=XlsxText)
    assert invoke("old_calc.xlsx", "new_calc.xlsx", "--report", "calc.xlsx").exit_code == 1
    assert render(tmp_path / "calc.xlsx") == snapshot(name="formulas", extension_class=XlsxText)
