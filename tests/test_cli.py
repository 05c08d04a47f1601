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
