"""Workbooks as their readers see and print them (issue 18): widths from the values, page
setup on every sheet a person may print, red where a reader must look, progress as a bar."""

from __future__ import annotations

import datetime as dt

import zipfile

import openpyxl
import pytest

from incentives import pipeline
from incentives.periods import parse_period
from tests.builders import TIERS, line, make_inputs, partner

SHEETS = {"summary.xlsx": ["Summary", "Totals", "Exclusions", "Bonuses", "TierReview", "Reconciliation"],
          "audit.xlsx": ["Run", "Inputs", "Program", "Trace", "Payees"], "ledger.xlsx": ["Ledger"]}


def shown_width(value) -> int:
    """The characters a value needs in its cell (money with two decimals and separators)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return len(f"{value:,.2f}")
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    return len(str(value))


def width(sheet, column: str) -> float:
    """The column's width (xlsxwriter writes one <col> for neighbours of the same width and format)."""
    j = openpyxl.utils.column_index_from_string(column)
    return next(d.width for d in sheet.column_dimensions.values() if d.min <= j <= d.max)


@pytest.mark.parametrize("name", list(SHEETS))
def test_every_sheet_prints_fit_to_width_with_its_header_and_a_footer(sample_run, name):
    book = openpyxl.load_workbook(sample_run.out / name)
    for sheet_name in SHEETS[name]:
        sheet = book[sheet_name]
        setup = sheet.page_setup
        assert (setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight) == (9, 1, 0), sheet_name  # 1: the default
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet_name
        if sheet_name != "Program":
            assert sheet.print_title_rows == "$1:$1", sheet_name
        assert "Intelligent Platforms" in sheet.oddFooter.left.text, sheet_name
        assert sheet.oddFooter.right.text == "Page &P of &N", sheet_name
    # wide tables print landscape, the two-column Run sheet portrait (keys and values on one page)
    if name == "summary.xlsx":
        assert book["Summary"].page_setup.orientation == "landscape"
    if name == "audit.xlsx":
        assert book["Run"].page_setup.orientation == "portrait"


@pytest.mark.parametrize("name", list(SHEETS))
def test_no_number_shows_as_hashes_and_no_name_is_cut(sample_run, name):
    """Each column is as wide as its longest value (capped at 50 characters): a number always fits."""
    book = openpyxl.load_workbook(sample_run.out / name)
    for sheet_name in SHEETS[name]:
        if sheet_name == "Program":
            continue
        sheet = book[sheet_name]
        for column in sheet.iter_cols():
            letter = column[0].column_letter
            for c in column:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                    assert shown_width(c.value) < width(sheet, letter), (sheet_name, c.coordinate, c.value)
                elif isinstance(c.value, str):
                    assert min(len(c.value), 48) <= width(sheet, letter), (sheet_name, c.coordinate, c.value)


def test_summary_partner_names_fit_and_ytd_base_is_wide_enough(sample_run):
    sheet = openpyxl.load_workbook(sample_run.out / "summary.xlsx")["TierReview"]
    header = [c.value for c in sheet[1]]
    name, base = (openpyxl.utils.get_column_letter(header.index(h) + 1) for h in ("partner_name", "ytd_base"))
    longest = max(len(c.value) for c in sheet[name][1:])
    assert width(sheet, name) >= longest
    assert width(sheet, base) > max(shown_width(c.value) for c in sheet[base][1:])


def test_ledger_headers_keep_the_contract_names_with_the_russian_in_a_note(sample_run):
    sheet = openpyxl.load_workbook(sample_run.out / "ledger.xlsx")["Ledger"]
    assert [c.value for c in sheet[1]][:4] == ["program_id", "year", "period", "partner_id"]
    assert sheet["D1"].comment.text == "ID партнера"


def test_negative_money_is_red(sample_run):
    for name in ("ledger.xlsx", "summary.xlsx"):
        sheet = openpyxl.load_workbook(sample_run.out / name).worksheets[0]
        formats = {c.number_format for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, float)}
        assert "#,##0.00;[Red]-#,##0.00" in formats, name


def test_reconciliation_no_is_red(sample_run):
    sheet = openpyxl.load_workbook(sample_run.out / "summary.xlsx")["Reconciliation"]
    (ranges, rules), = [(str(r.sqref), r.rules) for r in sheet.conditional_formatting]
    assert ranges.startswith("H2:H") and rules[0].formula == ['"NO"'] and rules[0].operator == "equal"
    assert rules[0].dxf.font.color.rgb.endswith("9C0006")


# ---------------------------------------------------------------- the statement


def statement(tmp_path, amount, targets=(), **kw):
    tiers = [(t, r, *targets) for t, r in TIERS]
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", amount),
                                                      line("CN", "2026-08-01", "-5000000")]}, tiers=tiers, **kw)
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    return openpyxl.load_workbook(tmp_path / "out" / "statements" / "P1.xlsx")


def test_progress_to_the_next_band_and_grade_is_a_data_bar(tmp_path):
    book = statement(tmp_path, "6500000", targets=(3000000, 2000000, 1000000))
    sheet = book["Statement"]
    rows = {r[0].value: r for r in sheet.iter_rows(max_col=3) if r[0].value}
    # 6,500,000 - 5,000,000 = 1,500,000 of the 3,000,000 band: 50%; of the B target 2,000,000: 75%
    band, grade = rows["Progress to the next band"], rows["Progress to the next grade"]
    assert (band[1].value, band[1].number_format) == (0.5, '0%"  "')
    assert band[2].value == "1,500,000.00 of 3,000,000.00 KZT"
    assert grade[1].value == 0.75
    bars = {str(r.sqref): r.rules[0] for r in sheet.conditional_formatting}
    assert {bars[band[1].coordinate].type, bars[grade[1].coordinate].type} == {"dataBar"}
    assert [(v.type, v.val) for v in bars[band[1].coordinate].dataBar.cfvo] == [("num", 0), ("num", 1)]


def test_a_clawback_prints_red(tmp_path):
    sheet = statement(tmp_path, "1000")["Statement"]
    payable = next(r[1] for r in sheet.iter_rows(max_col=2) if r[0].value == "Points for the period")
    assert "[Red]" in payable.number_format


@pytest.mark.parametrize("language", ["en", "ru"])
def test_lines_print_at_9_pt_or_larger(tmp_path, language):
    """Fit to as many pages across as keep the scale at 9/11 or more; the header on every page."""
    long = "Товарищество с ограниченной ответственностью «Очень длинное имя клиента»"
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", 100, customer_name=long)]},
                         partners=[partner("P1", language=language)])
    pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")
    sheet = openpyxl.load_workbook(tmp_path / "out" / "statements" / "P1.xlsx")["Lines"]
    pixels = sum(int(width(sheet, openpyxl.utils.get_column_letter(j)) * 7 + 5) for j in range(1, 19))
    across = sheet.page_setup.fitToWidth
    assert across > 1 and across * 988 / pixels >= 9 / 11  # A4 landscape: 988 px between the margins
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    assert int(width(sheet, "F")) == 50  # the customer's long name: capped


# ---------------------------------------------------------------- summary.xlsx's Overview


def test_overview_comes_first_in_the_programs_language(tmp_path):
    # P1 is owed 3,500,000 x 4% = 140,000; P2's credit note takes back: -1,000,000 x 2% = -20,000 (Russian program)
    sales = {"a.xlsx": [line("A", "2026-07-01", 3500000), line("B", "2026-04-01", 1000000, pid="P2"),
                        line("CN", "2026-08-01", -1000000, pid="P2"), line("X", "2026-07-01", 5, pid="NOPE")]}
    folder = make_inputs(tmp_path / "in", sales, partners=[partner("P1"), partner("P2", country="KG")],
                         program={"language": "ru"})
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    book = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")
    assert book.sheetnames[0] == "Overview"
    sheet = book["Overview"]
    cells = {r[0].value: [c.value for c in r[1:4]] for r in sheet.iter_rows(max_col=4) if r[0].value}
    assert sheet["A1"].value == "Обзор, III квартал 2026"
    # P2: Q2 settled 1,000,000 x 2% = 20,000; its year is now 0, so 20,000 is to recover, a positive
    # amount as on the Totals sheet and the statement
    assert cells["К выплате"][0] == 140000.0
    assert cells["К возврату"][0] == 20000.0
    assert cells["Итого"][0] == 120000.0  # 140,000 - 20,000
    assert cells["KG"] == [1, 0.0, 20000.0]  # by country: partners, to pay, to recover
    assert cells["партнер не в реестре"] == [1, 5.0, None]  # exclusions by reason, in words
    with zipfile.ZipFile(tmp_path / "out" / "summary.xlsx") as z:  # openpyxl does not read charts back
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    assert sheet.oddFooter.right.text == "Страница &P из &N"


def test_every_data_header_has_its_name_in_the_programs_language_in_a_note(sample_run):
    """The contract's column names stay in the header (tools read them); the reader's words in the note."""
    for name, sheets in SHEETS.items():
        book = openpyxl.load_workbook(sample_run.out / name)
        for sheet_name in sheets:
            if sheet_name == "Program":
                continue
            missing = [c.value for c in book[sheet_name][1] if c.value and c.comment is None]
            assert missing == [], (name, sheet_name)
    summary = openpyxl.load_workbook(sample_run.out / "summary.xlsx")
    assert summary["Reconciliation"]["H1"].comment.text == "Сходится"  # the sample program is in Russian
