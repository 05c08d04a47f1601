"""The command line through click's CliRunner: exit codes and messages."""

from __future__ import annotations

from click.testing import CliRunner

from incentives.cli import main
from tests.builders import line, make_inputs

SALES = {"a.xlsx": [line("A", "2026-07-01", 1000)]}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_validate_clean_folder(tmp_path):
    result = invoke("validate", make_inputs(tmp_path / "in", SALES), "--period", "2026Q3")
    assert result.exit_code == 0, result.output
    assert "1 sales line(s) in 3 file(s), 1 partner(s): valid" in result.output


def test_validate_reports_every_error_and_exits_1(tmp_path):
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", "lots"), line("B", "2026-99-01", 1)]})
    result = invoke("validate", folder)
    assert result.exit_code == 1
    assert 'sales/a.xlsx:Sales!I2: net_amount "lots" is not a number' in result.output
    assert 'sales/a.xlsx:Sales!C3: invoice_date "2026-99-01" is not a valid date' in result.output
    assert "2 error(s)" in result.output
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(tmp_path):
    assert invoke("validate", tmp_path / "nowhere").exit_code == 2
    folder = make_inputs(tmp_path / "in", SALES)
    result = invoke("run", folder, "--period", "2026Q5")
    assert result.exit_code == 2 and "is not a quarter (2026Q3)" in result.output


def test_period_of_another_kind_is_an_input_error(tmp_path):
    result = invoke("run", make_inputs(tmp_path / "in", SALES), "--period", "2026-07", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "--period 2026-07 is a month, but the program settles by quarter" in result.output


def test_run_writes_the_ledger(tmp_path):
    out = tmp_path / "out"
    result = invoke("run", make_inputs(tmp_path / "in", SALES), "--period", "2026Q3", "--out", out)
    assert result.exit_code == 0, result.output
    assert "test 2026Q3: 1 partner(s), total payable 20.00 points" in result.output
    assert (out / "ledger.xlsx").is_file()


def test_failed_run_leaves_previous_output_untouched(tmp_path):
    out = tmp_path / "out"
    folder = make_inputs(tmp_path / "in", SALES)
    assert invoke("run", folder, "--period", "2026Q3", "--out", out).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    make_inputs(folder, {"a.xlsx": [line("A", "2026-07-01", "broken")]})
    result = invoke("run", folder, "--period", "2026Q3", "--out", out)
    assert result.exit_code == 1 and "nothing was written" in result.output
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# ---------------------------------------------------------------- messages a person reads (issue 18)


def test_a_column_of_bad_cells_is_told_once(tmp_path):
    sales = {"a.xlsx": [line(f"A{i}", "2026-07-01", f"{i} 000 000,00 тг") for i in range(16)]}
    result = invoke("validate", make_inputs(tmp_path / "in", sales))
    assert result.exit_code == 1
    # rows 2 to 17 of column I (net_amount): one line, not sixteen
    assert ('error: sales/a.xlsx:Sales!I2:I17: 16 cells: net_amount "…" is not a number, '
            'e.g. "0 000 000,00 тг" at I2') in result.output
    assert result.output.count("is not a number") == 1
    assert "16 error(s)" in result.output


def test_two_bad_cells_are_told_each(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-07-01", "lots"), line("B", "2026-07-01", "more")]}
    result = invoke("validate", make_inputs(tmp_path / "in", sales))
    assert result.output.count("is not a number") == 2


def test_a_misspelt_header_gets_a_did_you_mean(tmp_path):
    import openpyxl

    folder = make_inputs(tmp_path / "in", SALES)
    path = folder / "sales" / "a.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Sales"]
    column = next(c for c in sheet[1] if c.value == "net_amount")
    column.value = "Сума без НДС"  # «Сумма без НДС» with one м
    book.save(path)
    result = invoke("validate", folder)
    assert result.exit_code == 1
    assert "did you mean «Сума без НДС»? rename it 'net_amount'" in result.output


def test_errors_file_lists_every_problem_one_a_row(tmp_path):
    import openpyxl

    sales = {"a.xlsx": [line(f"A{i}", "2026-07-01", f"{i} тг") for i in range(5)]}
    out = tmp_path / "problems.xlsx"
    result = invoke("validate", make_inputs(tmp_path / "in", sales), "--errors", out)
    assert result.exit_code == 1
    rows = list(openpyxl.load_workbook(out)["Problems"].iter_rows(values_only=True))
    assert rows[0] == ("severity", "file", "sheet", "cell", "row", "column", "message", "hint")
    errors = [r for r in rows[1:] if r[0] == "error"]
    assert [r[3] for r in errors] == ["I2", "I3", "I4", "I5", "I6"]  # each cell, apart
    assert errors[0][6] == 'net_amount "0 тг" is not a number'
    assert openpyxl.load_workbook(out)["Problems"].auto_filter.ref.startswith("A1:H")


def test_progress_counts_files_read_and_statements_written(tmp_path):
    from incentives import pipeline
    from incentives.periods import parse_period
    from tests.builders import partner

    told = []

    def progress(phase, total=0):
        told.append([phase, total, 0])
        return lambda n: told[-1].__setitem__(2, told[-1][2] + n)

    sales = {"a.xlsx": [line("A", "2026-07-01", 1000)], "b.xlsx": [line("B", "2026-07-01", 5, pid="P2")]}
    folder = make_inputs(tmp_path / "in", sales, partners=[partner("P1"), partner("P2"), partner("P3")])
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out", progress=progress)
    assert outcome.ok
    # program, partners and two sales files read; P1 and P2 have statements (P3 has no line)
    assert told == [["reading", 0, 0], ["reading files", 4, 4], ["computing", 0, 0], ["writing", 0, 0],
                    ["writing statements", 2, 2]]


def test_a_progress_bar_only_on_a_terminal(monkeypatch):
    import io
    import sys

    from incentives import cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, shown in ((Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stream)
        tick = cli.progress("writing statements", 3)
        for _ in range(3):
            tick(1)
        assert ("calc: writing statements" in stream.getvalue() and "3/3" in stream.getvalue()) is shown
        assert shown or stream.getvalue() == ""
