"""The shipped sample, end to end: clean, its snapshot, and broken copies of it that each
give the located error a finance user needs."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from incentives import load, schema
from incentives.cli import main
from incentives.problems import column_letter
from incentives.read.table import read_table
from incentives.read.workbook import open_book
from tests.builders import SAMPLE
from tests.xlsx_text import XlsxText, render, render_folder

SALES_FILE = "sales/2026-03_alatau.xlsx"


def test_sample_validates_clean():
    result = CliRunner().invoke(main, ["validate", str(SAMPLE), "--period", "2026Q3", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_sample_ledger_snapshot(sample_run, snapshot):
    assert render(sample_run.out / "ledger.xlsx") == snapshot(extension_class=XlsxText)


def test_sample_outputs_snapshot(sample_run, snapshot):
    assert render_folder(sample_run.out) == snapshot(extension_class=XlsxText)


def test_sample_exercises_every_reason_code(sample_run):
    reasons = set(sample_run.settlement.lines["outcome"])
    assert reasons == {"included", "DUPLICATE", "UNKNOWN_PARTNER", "OUT_OF_PERIOD", "OUTSIDE_MEMBERSHIP",
                       "PRODUCT_EXCLUDED", "CHANNEL_CONFLICT", "NOT_REGISTERED"}


def _broken_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(SAMPLE, folder)
    return folder


def _locate(folder: Path, rel: str, column: str) -> tuple[int, int]:
    """(header row, 0-based column) of `column` in a sales file, as the reader finds them."""
    table, _ = read_table(open_book(folder / rel, rel), schema.SALES)
    return int(table.frame["row"][0]) - 1, table.column_index(column)


def _edit(path: Path, change) -> None:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def _validate(folder: Path):
    return CliRunner().invoke(main, ["validate", str(folder), "--lang", "en"])


def test_broken_copy_missing_column(tmp_path):
    folder = _broken_copy(tmp_path)
    header, col = _locate(folder, SALES_FILE, "net_amount")
    _edit(folder / SALES_FILE, lambda b: b.worksheets[0].cell(header, col + 1, "Итого"))
    result = _validate(folder)
    assert result.exit_code == 1
    assert (f"error: {SALES_FILE}:Sales row {header}: required column 'net_amount' is missing; columns found: "
            in result.output)
    assert "Итого" in result.output


@pytest.mark.parametrize("column, offset, text, message", [
    ("net_amount", 3, "about a million", 'net_amount "about a million" is not a number'),
    ("invoice_date", 2, "31.02.2026", 'invoice_date "31.02.2026" is not a valid date'),
], ids=["text-in-an-amount", "impossible-date"])
def test_broken_copy_bad_cell(tmp_path, column, offset, text, message):
    folder = _broken_copy(tmp_path)
    header, col = _locate(folder, SALES_FILE, column)
    _edit(folder / SALES_FILE, lambda b: b.worksheets[0].cell(header + offset, col + 1, text))
    result = _validate(folder)
    assert result.exit_code == 1
    assert f"error: {SALES_FILE}:Sales!{column_letter(col)}{header + offset}: {message}" in result.output


def test_broken_copy_missing_sheet(tmp_path):
    folder = _broken_copy(tmp_path)

    def rename(book):
        book["Partners"].title = "Лист1"
    _edit(folder / "partners.xlsx", rename)
    result = _validate(folder)
    assert result.exit_code == 1
    assert ("error: partners.xlsx: sheet 'Partners' is missing; sheets found: 'Лист1' (rename the sheet holding "
            "the data to 'Partners')") in result.output


def test_all_errors_of_a_run_are_reported_together(tmp_path):
    folder = _broken_copy(tmp_path)
    header, col = _locate(folder, SALES_FILE, "net_amount")
    _edit(folder / SALES_FILE, lambda b: b.worksheets[0].cell(header + 3, col + 1, "lots"))
    _edit(folder / "partners.xlsx", lambda b: setattr(b["Partners"], "title", "Sheet1"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(folder), "--period", "2026Q3", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 1
    assert "2 error(s)" in result.output and "nothing was written" in result.output
    assert not out.exists()


def test_reading_in_processes_gives_what_threads_give(monkeypatch):
    # Large input folders are read in a pool of processes and typed in batches, small ones in threads.
    threads, found = load.load(SAMPLE)
    monkeypatch.setattr(load, "PROCESSES_FROM", 1)
    monkeypatch.setattr(load, "TYPED_TOGETHER", 7)  # each task of the pool opens and types 7 files
    ticks = []
    processes, found_again = load.load(SAMPLE, counted=lambda files: ticks.append(files) or ticks.append)
    assert ticks[0] == len(processes.files) and sum(ticks[1:]) == ticks[0]  # the progress counts every file
    assert [str(p) for p in found] == [str(p) for p in found_again]
    assert processes.sales.equals(threads.sales) and processes.opportunities.equals(threads.opportunities)
    assert (processes.files, processes.partners, processes.program) == (threads.files, threads.partners, threads.program)


def test_a_refused_file_read_in_a_process_is_reported_where_it_is(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    (folder / "sales" / "export.xlsx").write_text("invoice_id;amount\nA;1\n")
    monkeypatch.setattr(load, "PROCESSES_FROM", 1)
    inputs, problems = load.load(folder)
    errors = [str(p) for p in problems if p.is_error]
    assert inputs is None and errors == [
        "sales/export.xlsx: is not an Excel workbook (it looks like CSV or other text) (open it in Excel and save it "
        "as .xlsx)"]
