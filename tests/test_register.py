"""Settling a year in order: run ids and manifests, the register, `calc close`, supplements,
`--adopt`, and `--ledger` checked before it is used. Figures are derived by hand in comments:
bands 2% of the year-to-date base, 4% of all of it once it is over 3,000,000.00 (all units)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from incentives import __version__, pipeline, schema
from incentives.cli import main
from incentives.periods import parse_period
from incentives.register.manifest import MANIFEST, run_id
from incentives.register.store import ROW_COLUMNS, Register, closed_folders
from tests.builders import line, make_inputs, partner

D = Decimal
ROOT = Path(__file__).parent.parent
PARTNERS = [partner("P1", vendor_id="V-0001"), partner("P2")]
# P1: 1,000,000 in Q1, 1,500,000 in Q2, 1,000,000 in Q3. P2: 100,000 in Q1, 50,000 in Q3.
Q1 = {"q1.xlsx": [line("A1", "2026-02-10", 1000000), line("B1", "2026-03-01", 100000, pid="P2")]}
Q2 = {"q2.xlsx": [line("A2", "2026-05-10", 1500000)]}
Q3 = {"q3.xlsx": [line("A3", "2026-08-10", 1000000), line("B2", "2026-07-01", 50000, pid="P2")]}


def inputs(tmp_path: Path, *files: dict, partners=PARTNERS, **more) -> Path:
    """The input folder with the sales files that have arrived so far."""
    folder = tmp_path / "in"
    for sales in files:
        make_inputs(folder, sales, partners=partners, **more)
    return folder


def run(folder: Path, period: str, out: Path, register: Path | None = None, **more) -> pipeline.Outcome:
    outcome = pipeline.run(folder, parse_period(period), out, register=register, **more)
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome


def errors(outcome) -> list[str]:
    return [str(p) for p in outcome.problems if p.is_error]


def close(out: Path, register: Path, adopt: bool = False):
    closing = pipeline.close(out, register, adopt)
    assert closing.ok, [str(p) for p in closing.problems]
    return closing


def rows(outcome) -> dict:
    return {r.partner.partner_id: r for r in outcome.settlement.rows}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def register(tmp_path) -> Path:
    return tmp_path / "books" / "register.sqlite"


def closed_year(tmp_path, register, upto: int):
    """Q1..Q`upto` run and closed in order, each with the files arrived by then."""
    folder = tmp_path / "in"
    for i, sales in enumerate((Q1, Q2, Q3)[:upto], start=1):
        make_inputs(folder, sales, partners=PARTNERS)
        close(run(folder, f"2026Q{i}", tmp_path / f"q{i}", register).out, register)
    return folder


# ---------------------------------------------------------------- the run id and the manifest


def test_manifest_lists_every_other_file_sorted_and_sha256sum_verifies_it(tmp_path):
    out = run(inputs(tmp_path, Q1), "2026Q1", tmp_path / "out").out
    listed = (out / MANIFEST).read_text().splitlines()
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)
    assert [entry.split("  ", 1)[1] for entry in listed] == files == [
        "audit.xlsx", "ledger.xlsx", "statements/P1.xlsx", "statements/P2.xlsx", "summary.xlsx"]
    assert all(entry.split("  ")[0] == hashlib.sha256((out / entry.split("  ")[1]).read_bytes()).hexdigest()
               for entry in listed)
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", MANIFEST], cwd=out, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_manifest_takes_the_sha256_a_writer_told_and_hashes_the_rest(tmp_path):
    """A run's statements are hashed by the workers that wrote them: the manifest takes those as
    told (a wrong one would show in the test above) and reads every other file."""
    from incentives.register.manifest import write_manifest

    (tmp_path / "statements").mkdir()
    (tmp_path / "statements" / "P1.xlsx").write_bytes(b"told")
    (tmp_path / "ledger.xlsx").write_bytes(b"read")
    write_manifest(tmp_path, {tmp_path / "statements" / "P1.xlsx": "1" * 64})
    assert (tmp_path / MANIFEST).read_text().splitlines() == [
        f"{hashlib.sha256(b'read').hexdigest()}  ledger.xlsx", f"{'1' * 64}  statements/P1.xlsx"]


def test_run_id_is_the_same_across_reruns_and_shown_on_statements_and_audit(tmp_path, register):
    folder = inputs(tmp_path, Q1)
    first = run(folder, "2026Q1", tmp_path / "a", register)
    again = run(folder, "2026Q1", tmp_path / "b", register)
    shas = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.xlsx"))
    expected = hashlib.sha256(("\n".join([*shas, "period 2026Q1", f"calc {__version__}", "head "]) + "\n")
                              .encode()).hexdigest()
    assert first.settlement.run_id == again.settlement.run_id == expected
    for name in ("ledger.xlsx", "summary.xlsx", "audit.xlsx", "statements/P1.xlsx", MANIFEST):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    audit = dict(openpyxl.load_workbook(tmp_path / "a" / "audit.xlsx")["Run"].iter_rows(values_only=True))
    assert audit["run id"] == expected
    assert audit["register"] == register.as_posix()
    assert audit["register head"] == "none: no closed period of test 2026"
    page = {r[0]: r[1] for r in openpyxl.load_workbook(tmp_path / "a" / "statements" / "P1.xlsx")["Statement"]
            .iter_rows(values_only=True) if r[0]}
    assert page["Run id"] == expected[:12]


def test_run_id_changes_with_the_register_head(tmp_path, register):
    folder = closed_year(tmp_path, register, 1)
    make_inputs(folder, Q2, partners=PARTNERS)
    before = run(folder, "2026Q2", tmp_path / "before").settlement.run_id  # no register: head ""
    after = run(folder, "2026Q2", tmp_path / "after", register).settlement.run_id
    head = Register.open(register).head("test", 2026)
    shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.xlsx")]
    assert (before, after) == (run_id(shas, "2026Q2", __version__, ""), run_id(shas, "2026Q2", __version__, head))
    assert before != after


# ---------------------------------------------------------------- the chain of three periods


def test_chain_of_three_periods_through_the_register(tmp_path, register):
    folder = closed_year(tmp_path, register, 2)
    make_inputs(folder, Q3, partners=PARTNERS)
    outcome = run(folder, "2026Q3", tmp_path / "q3", register)
    q3 = rows(outcome)
    # P1: Q1 paid 1,000,000 x 2% = 20,000; Q2 2,500,000 x 2% = 50,000 - 20,000 = 30,000.
    # Settled is the sum of the closed accruals, 20,000 + 30,000 = 50,000 (not the last one, 30,000);
    # Q3: 3,500,000 x 4% = 140,000 - 50,000 = 90,000.
    assert (q3["P1"].previously_settled, q3["P1"].entitlement.amount, q3["P1"].accrual) == (
        D("50000.00"), D("140000.00"), D("90000.00"))
    # P2: Q1 100,000 x 2% = 2,000, Q2 nothing; Q3 150,000 x 2% = 3,000 - 2,000 = 1,000.
    assert (q3["P2"].previously_settled, q3["P2"].accrual) == (D("2000.00"), D("1000.00"))
    page = {r[0]: r[1:] for r in openpyxl.load_workbook(outcome.out / "statements" / "P1.xlsx")["Statement"]
            .iter_rows(values_only=True) if r[0]}
    assert page["Previously credited, points"] == (50000, "closed periods 2026Q1 to 2026Q2, per the register")


def test_chain_of_three_periods_through_ledgers(tmp_path):
    """Kills `paid = accrual` in read/settled.py: a two-period chain cannot tell it from
    `previously_settled + accrual`, since the first period settled nothing before it."""
    folder = inputs(tmp_path, Q1)
    run(folder, "2026Q1", tmp_path / "q1")
    make_inputs(folder, Q2, partners=PARTNERS)
    q2 = rows(run(folder, "2026Q2", tmp_path / "q2", previous=tmp_path / "q1"))
    assert (q2["P1"].previously_settled, q2["P1"].accrual) == (D("20000.00"), D("30000.00"))
    make_inputs(folder, Q3, partners=PARTNERS)
    q3 = rows(run(folder, "2026Q3", tmp_path / "q3", previous=tmp_path / "q2"))
    # paid up to Q2: Q2's previously_settled 20,000 + its accrual 30,000 = 50,000 (accrual alone: 30,000)
    assert (q3["P1"].previously_settled, q3["P1"].accrual) == (D("50000.00"), D("90000.00"))


def test_late_line_is_paid_once_as_a_true_up(tmp_path, register):
    folder = closed_year(tmp_path, register, 2)
    # A Q2 invoice of P1 arrives in a July file, after Q2 was closed without it.
    make_inputs(folder, {**Q3, "late.xlsx": [line("LATE", "2026-05-20", 500000)]}, partners=PARTNERS)
    q3 = run(folder, "2026Q3", tmp_path / "q3", register)
    # 4,000,000 x 4% = 160,000 - 50,000 paid = 110,000: the late 500,000 counts once.
    assert (rows(q3)["P1"].previously_settled, rows(q3)["P1"].accrual) == (D("50000.00"), D("110000.00"))
    # Recomputed, Q2 is taken to have paid 3,000,000 x 2% = 60,000: the late line's 10,000 is lost.
    assert rows(run(folder, "2026Q3", tmp_path / "recomputed"))["P1"].accrual == D("100000.00")
    close(q3.out, register)
    q4 = rows(run(folder, "2026Q4", tmp_path / "q4", register))
    assert (q4["P1"].previously_settled, q4["P1"].accrual) == (D("160000.00"), D("0.00"))  # not paid twice


def test_closed_year_and_its_supplement_pay_the_year_once(tmp_path, register):
    folder = closed_year(tmp_path, register, 3)
    close(run(folder, "2026Q4", tmp_path / "q4", register).out, register)
    make_inputs(folder, {"dec.xlsx": [line("DEC", "2026-12-20", 100000)]}, partners=PARTNERS)
    s1 = run(folder, "2026Q4", tmp_path / "s1", register, supplement=True)
    assert s1.settlement.period.label == "2026Q4-S1"
    # 3,600,000 x 4% = 144,000 - 140,000 paid = 4,000
    assert (rows(s1)["P1"].previously_settled, rows(s1)["P1"].accrual) == (D("140000.00"), D("4000.00"))
    ledger = list(openpyxl.load_workbook(s1.out / "ledger.xlsx")["Ledger"].iter_rows(values_only=True))
    assert {r[2] for r in ledger[1:]} == {"2026Q4-S1"}
    page = {r[0]: r for r in openpyxl.load_workbook(s1.out / "statements" / "P1.xlsx")["Statement"]
            .iter_rows(values_only=True) if r[0]}
    assert page["Statement, Q4 2026, supplement 1"]
    assert page["Supplement 1"][1:] == ("to closed Q4 2026", "late lines and corrections; no bonus again")
    closing = close(s1.out, register)
    assert (closing.entry.period, closing.coming) == ("2026Q4-S1", "2026Q4-S2")
    entries = Register.open(register).entries("test", 2026)
    assert [e.period for e in entries] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4", "2026Q4-S1"]
    # P1 over the year: 20,000 + 30,000 + 90,000 + 0 + 4,000 = 144,000 = 3,600,000 x 4%
    assert sum(e.values("accrual")["P1"] for e in entries) == D("144000.00")


# ---------------------------------------------------------------- calc run against the register


def test_run_refuses_a_gap_naming_the_period_to_close_first(tmp_path, register):
    folder = closed_year(tmp_path, register, 1)
    make_inputs(folder, {**Q2, **Q3}, partners=PARTNERS)
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "q3", register=register)
    assert errors(outcome) == [
        f"{register.as_posix()}: 2026Q2 of test 2026 is not closed in the register, and every period before 2026Q3 "
        "must be (close 2026Q2 first: calc close <its run folder>, with --adopt if it was paid before the register "
        "was used)"]
    assert not (tmp_path / "q3").exists()


def test_run_refuses_a_closed_period(tmp_path, register):
    folder = closed_year(tmp_path, register, 1)
    outcome = pipeline.run(folder, parse_period("2026Q1"), tmp_path / "again", register=register)
    (message,) = errors(outcome)
    assert "2026Q1 of test is closed in the register (closed " in message
    assert message.endswith("(corrections settle in the next open period: run --period 2026Q2)")


def test_run_refuses_ledger_while_the_register_holds_the_year(tmp_path, register):
    folder = closed_year(tmp_path, register, 1)
    make_inputs(folder, Q2, partners=PARTNERS)
    outcome = pipeline.run(folder, parse_period("2026Q2"), tmp_path / "q2", tmp_path / "q1", register=register)
    assert errors(outcome) == [f"--ledger: is refused: the register {register.as_posix()} holds 2026Q1 of test 2026 "
                               "(run without --ledger: what was settled comes from the register)"]


def test_partner_settled_in_the_register_but_off_the_roster_is_an_error(tmp_path, register):
    folder = closed_year(tmp_path, register, 1)
    make_inputs(folder, Q2, partners=[partner("P1")])
    outcome = pipeline.run(folder, parse_period("2026Q2"), tmp_path / "q2", register=register)
    assert errors(outcome) == ["partners.xlsx:Partners: partner P2 has 2,000.00 points settled in the register "
                               "(2026Q1) but is not on the roster (put it back on the roster: what it was paid stays "
                               "part of its year)"]


@pytest.mark.parametrize("target", ["closed", "ledger"])
def test_out_may_not_name_a_closed_run_or_the_ledger_folder(tmp_path, register, target):
    folder = inputs(tmp_path, Q1)
    q1 = run(folder, "2026Q1", tmp_path / "q1", register).out
    make_inputs(folder, Q2, partners=PARTNERS)
    before = {p: p.read_bytes() for p in q1.rglob("*") if p.is_file()}
    if target == "closed":
        close(q1, register)
        outcome = pipeline.run(folder, parse_period("2026Q2"), q1, register=register)
        why = f"the closed run of test 2026Q1 in register {register}"
    else:
        outcome = pipeline.run(folder, parse_period("2026Q2"), q1, q1, register=register)
        why = "the --ledger folder"
    assert errors(outcome) == [f"--out {q1}: is {why}, which calc must not replace (pass --out a new or empty "
                               "folder, e.g. outputs/test/<period>)"]
    assert {p: p.read_bytes() for p in q1.rglob("*") if p.is_file()} == before


def test_supplement_refusals(tmp_path, register):
    folder = closed_year(tmp_path, register, 3)
    early = pipeline.run(folder, parse_period("2026Q4"), tmp_path / "s", register=register, supplement=True)
    assert errors(early) == [f"{register.as_posix()}: a supplement settles late lines after the year's last period, "
                             "2026Q4, is closed; test 2026 has 2026Q4 open (run --period 2026Q4 without "
                             "--supplement, and close it)"]
    close(run(folder, "2026Q4", tmp_path / "q4", register).out, register)
    closed = pipeline.run(folder, parse_period("2026Q4"), tmp_path / "s", register=register)
    assert errors(closed)[0].endswith("(late lines and corrections now settle in a supplement, 2026Q4-S1: run "
                                      "--period 2026Q4 --supplement)")
    other = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "s", register=register, supplement=True)
    assert errors(other) == [f"{register.as_posix()}: a supplement is a run of the year's last period, 2026Q4, not "
                             "of 2026Q3 (run --period 2026Q4 --supplement)"]
    skipped = pipeline.run(folder, parse_period("2026Q4-S2"), tmp_path / "s", register=register)
    assert errors(skipped) == [f"{register.as_posix()}: 2026Q4-S2 is not the next supplement of test 2026: "
                               "2026Q4-S1 is (run --period 2026Q4 --supplement)"]
    nothing = pipeline.run(folder, parse_period("2026Q4"), tmp_path / "s", register=tmp_path / "empty.sqlite",
                           supplement=True)
    assert "the register holds no closed period of test 2026" in errors(nothing)[0]


def test_supplement_awards_no_bonus_and_names_a_yearly_bonus_whose_winners_would_change(tmp_path, register):
    bonus = {"name": "Best of the year", "scope": "all", "metric": "eligible_base", "period": "year", "winners": 1,
             "award": "fixed", "amount": 1000, "min_base": 0}
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-03-01", 200), line("B", "2026-04-01", 100,
                                                                                          pid="P2")]},
                         partners=PARTNERS, program={"period": "year"}, extra_program_sheets={"Bonuses": [bonus]})
    year = run(folder, "2026", tmp_path / "year", register)
    assert rows(year)["P1"].bonus == D("1000.00")
    close(year.out, register)
    make_inputs(folder, {"late.xlsx": [line("L", "2026-11-01", 500, pid="P2")]}, partners=PARTNERS,
                program={"period": "year"}, extra_program_sheets={"Bonuses": [bonus]})
    s1 = run(folder, "2026", tmp_path / "s1", register, supplement=True)
    assert s1.settlement.period.label == "2026-S1"
    assert {r.bonus for r in s1.settlement.rows} == {D(0)} and s1.settlement.awards == ()
    # P2: 600 x 2% = 12.00 - 2.00 paid = 10.00; P1's 4.00 was paid with its bonus
    assert (rows(s1)["P2"].accrual, rows(s1)["P1"].accrual) == (D("10.00"), D("0.00"))
    assert [str(p) for p in s1.problems if not p.is_error] == [
        "program.xlsx:Bonuses row 2: bonus 'Best of the year': the late lines would change its winners from P1 to "
        "P2; a supplement awards no bonus (settle any change of award by hand)"]


# ---------------------------------------------------------------- calc close


def test_close_records_whole_rows_as_decimal_text_and_leaves_the_run_read_only(tmp_path, register):
    q1 = run(inputs(tmp_path, Q1), "2026Q1", tmp_path / "runs" / "q1", register)
    entry = close(q1.out, register).entry
    assert (entry.program_id, entry.year, entry.period, entry.run_id, entry.adopted) == (
        "test", 2026, "2026Q1", q1.settlement.run_id, False)
    assert entry.run_folder == "../runs/q1"
    assert entry.manifest_sha256 == hashlib.sha256((q1.out / MANIFEST).read_bytes()).hexdigest()
    assert entry.previous_sha256 == "" and len(entry.sha256) == 64
    db = sqlite3.connect(register)
    stored = db.execute("SELECT partner_id, ytd_base, ytd_rate, ytd_entitlement, previously_settled, accrual, "
                        "total_payable, typeof(accrual), included_lines FROM ledger_rows ORDER BY partner_id").fetchall()
    assert stored == [("P1", "1000000.00", "0.02", "20000.00", "0.00", "20000.00", "20000.00", "text", 1),
                      ("P2", "100000.00", "0.02", "2000.00", "0.00", "2000.00", "2000.00", "text", 1)]
    files = [p for p in q1.out.rglob("*") if p.is_file()]
    assert len(files) == 6 and all(stat.S_IMODE(p.stat().st_mode) == 0o444 for p in files)
    assert not any("payment" in p.name for p in q1.out.rglob("*"))  # a draft never reaches accounts payable


def test_close_writes_the_payments_file_beside_the_register(tmp_path, register):
    folder = closed_year(tmp_path, register, 2)
    make_inputs(folder, {"cn.xlsx": [line("CN", "2026-08-01", -1800000)]}, partners=PARTNERS)
    closing = close(run(folder, "2026Q3", tmp_path / "q3", register).out, register)
    assert closing.payments == register.parent / "payments" / "test-2026Q3.xlsx"
    sheet = openpyxl.load_workbook(closing.payments)["Payments"]
    table = list(sheet.iter_rows(values_only=True))
    # P1: 700,000 x 2% = 14,000 - 50,000 paid = -36,000, owed back. P2: nothing this quarter, no row.
    assert table == [
        ("program_id", "period", "partner_id", "partner_name", "vendor_id", "unit", "payment", "direction",
         "reference", "run_id"),
        ("test", "2026Q3", "P1", "Partner P1", "V-0001", "points", -36000, "recover", "test/2026Q3/P1",
         closing.entry.run_id)]
    first = openpyxl.load_workbook(register.parent / "payments" / "test-2026Q1.xlsx")["Payments"]
    assert [(r[2], r[4], r[6], r[7]) for r in first.iter_rows(min_row=2, values_only=True)] == [
        ("P1", "V-0001", 20000, "pay"), ("P2", None, 2000, "pay")]


def test_closing_the_same_run_again_adds_nothing_and_rewrites_a_missing_payments_file(tmp_path, register):
    out = run(inputs(tmp_path, Q1), "2026Q1", tmp_path / "q1", register).out
    first = close(out, register)
    written = first.payments.read_bytes()
    first.payments.unlink()
    again = close(out, register)
    assert again.already and again.entry == first.entry and again.payments.read_bytes() == written
    assert len(Register.open(register).entries()) == 1


def test_a_payments_file_that_cannot_be_written_says_how_to_get_it(tmp_path, register):
    out = run(inputs(tmp_path, Q1), "2026Q1", tmp_path / "q1", register).out
    blocked = register.parent / "payments" / "test-2026Q1.xlsx"
    blocked.mkdir(parents=True)  # a folder where the file goes
    result = invoke("close", out, "--register", register)
    assert result.exit_code == 1
    assert (f"calc: {out} is closed as test 2026Q1, but its payments file {blocked} could not be written (") \
        in result.output
    assert f"make its folder writable and run calc close {out} again to write it" in result.output
    blocked.rmdir()
    again = close(out, register)
    assert again.already and again.payments.is_file()


def test_close_refuses_a_folder_without_manifest(tmp_path, register):
    out = run(inputs(tmp_path, Q1), "2026Q1", tmp_path / "q1", register).out
    (out / MANIFEST).unlink()
    closing = pipeline.close(out, register)
    assert [str(p) for p in closing.problems] == [
        f"{out.as_posix()}: has no manifest.sha256, so it is not a complete run of calc (run the period again and "
        "close the new run; or, if this run was paid before the register was used, close it with --adopt)"]
    assert not register.exists()


def test_close_refuses_altered_added_and_missing_files_naming_each(tmp_path, register):
    out = run(inputs(tmp_path, Q1), "2026Q1", tmp_path / "q1", register).out
    with open(out / "ledger.xlsx", "ab") as f:
        f.write(b" ")
    (out / "statements" / "P2.xlsx").unlink()
    (out / "statements" / "~$P1.xlsx").write_bytes(b"lock")
    closing = pipeline.close(out, register)
    shown = out.as_posix()
    assert [str(p).split(" (")[0] for p in closing.problems] == [
        f"{shown}/ledger.xlsx: altered since the run",
        f"{shown}/statements/P2.xlsx: missing",
        f"{shown}/statements/~$P1.xlsx: added since the run"]
    assert "it is an office lock file: close the workbook and delete it" in str(closing.problems[2])
    assert not closing.ok and not register.exists()


def test_close_refuses_a_period_that_is_not_the_next_open_one(tmp_path, register):
    folder = inputs(tmp_path, Q1, Q2)
    q1 = run(folder, "2026Q1", tmp_path / "q1", register).out
    q2 = run(folder, "2026Q2", tmp_path / "q2", register).out
    closing = pipeline.close(q2, register)
    assert [str(p) for p in closing.problems] == [
        f"{q2.as_posix()}: 2026Q2 is not the next open period of test 2026: 2026Q1 is (close the run of 2026Q1 first, "
        "with --adopt if it was paid before the register was used)"]
    close(q1, register)
    other = run(folder, "2026Q1", tmp_path / "q1-again").out  # another run of the closed period
    shutil.copytree(q1, tmp_path / "q1-copy")  # and a copy of the closed run itself
    for folder in (other, tmp_path / "q1-copy"):
        (message,) = [str(p) for p in pipeline.close(folder, register).problems]
        assert "2026Q1 of test 2026 is already closed (closed " in message
        assert message.endswith("(corrections settle in the next open period: run --period 2026Q2 and close that "
                                "run)")
    assert len(_entries(register)) == 1


def test_close_refuses_a_run_not_computed_against_the_current_head(tmp_path, register):
    folder = inputs(tmp_path, Q1, Q2)
    q1 = run(folder, "2026Q1", tmp_path / "q1", register).out
    q2 = run(folder, "2026Q2", tmp_path / "q2", register).out  # computed before Q1 was closed
    head = close(q1, register).entry.sha256
    (message,) = [str(p) for p in pipeline.close(q2, register).problems]
    assert message == (f"{q2.as_posix()}: the run was computed against the register head of no closed period, but "
                       f"the head of test 2026 is now {head[:12]} (2026Q1 closed since) (run 2026Q2 again (calc run "
                       "... --period 2026Q2) and close the new run; if this run was paid before the register was "
                       "used, close it with --adopt)")


def test_adopt_enters_a_year_under_way_period_by_period(tmp_path, register):
    """Q1 and Q2 were paid by runs of a calc without manifest or register (Q2 chained with
    --ledger); the register starts at Q3."""
    folder = inputs(tmp_path, Q1)
    q1 = run(folder, "2026Q1", tmp_path / "q1").out
    make_inputs(folder, {**Q2, "late.xlsx": [line("LATE", "2026-03-20", 500000)]}, partners=PARTNERS)
    q2 = run(folder, "2026Q2", tmp_path / "q2", previous=q1).out
    for out in (q1, q2):  # as an older calc left them
        (out / MANIFEST).unlink()
    book = openpyxl.load_workbook(q1 / "audit.xlsx")
    for row in [r for r in book["Run"].iter_rows() if r[0].value in ("run id", "register", "register head")][::-1]:
        book["Run"].delete_rows(row[0].row)
    book.save(q1 / "audit.xlsx")
    assert "close it with --adopt" in str(pipeline.close(q1, register).problems[0])
    assert "2026Q1 is" in str(pipeline.close(q2, register, adopt=True).problems[0])  # Q1 first
    first = close(q1, register, adopt=True)
    shas = [r[1].value for r in openpyxl.load_workbook(q1 / "audit.xlsx")["Inputs"].iter_rows(min_row=2)]
    assert first.entry.adopted and first.entry.run_id == run_id(shas, "2026Q1", __version__, "")
    assert (q1 / MANIFEST).is_file() and stat.S_IMODE((q1 / MANIFEST).stat().st_mode) == 0o444
    assert "close it with --adopt" in str(pipeline.close(q2, register).problems[0])
    assert close(q2, register, adopt=True).entry.adopted
    make_inputs(folder, Q3, partners=PARTNERS)
    q3 = rows(run(folder, "2026Q3", tmp_path / "q3", register))
    # Q1 paid 20,000; Q2 (with the late March 500,000) 3,000,000 x 2% = 60,000 - 20,000 = 40,000;
    # Q3: 4,000,000 x 4% = 160,000 - (20,000 + 40,000) = 100,000
    assert (q3["P1"].previously_settled, q3["P1"].accrual) == (D("60000.00"), D("100000.00"))


# ---------------------------------------------------------------- the register itself


def test_register_is_append_only_and_one_entry_per_period(tmp_path, register):
    closed_year(tmp_path, register, 1)
    db = sqlite3.connect(register)
    for sql in ("UPDATE entries SET closed_by = 'x'", "DELETE FROM entries", "UPDATE ledger_rows SET accrual = '0'",
                "DELETE FROM ledger_rows"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(sql)
    columns = "program_id, year, period, run_id, run_folder, manifest_sha256, previous_sha256, sha256, closed_at, " \
              "closed_by, adopted"
    head = db.execute("SELECT sha256 FROM entries").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # a second 2026Q1, chained to the head
        db.execute(f"INSERT INTO entries ({columns}) SELECT program_id, year, period, run_id, run_folder, "
                   f"manifest_sha256, '{head}', 'x', closed_at, closed_by, adopted FROM entries")
    with pytest.raises(sqlite3.IntegrityError, match="chained"):
        db.execute(f"INSERT INTO entries ({columns}) VALUES ('test', 2026, '2026Q2', 'r', 'f', 'm', '', 'y', 't', "
                   "'u', 0)")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):  # amounts are decimal text, never a float
        db.execute("INSERT INTO ledger_rows SELECT entry_id, program_id, year, period, 'P9', partner_name, tier, "
                   "country, unit, period_base, ytd_base, ytd_rate, ytd_entitlement, previously_settled, 1.5, bonus, "
                   "total_payable, included_lines, excluded_lines, excluded_amount, carried_in, net_due, carried_out, "
                       "payment FROM ledger_rows LIMIT 1")


def test_the_register_keeps_every_ledger_column(tmp_path, register):
    """A column added to the Ledger must be added to the register too: it keeps the whole row."""
    assert ROW_COLUMNS == tuple(c.name for c in schema.LEDGER.columns)
    closed_year(tmp_path, register, 1)
    assert {k: v.text() for k, v in closed_folders(register).items()} == {
        (tmp_path / "q1").resolve(): f"the closed run of test 2026Q1 in register {register}"}
    assert closed_folders(tmp_path / "none.sqlite") == {}


def test_verify_names_every_altered_added_or_missing_file_and_a_broken_chain(tmp_path, register):
    closed_year(tmp_path, register, 2)
    result = invoke("register", "--register", register, "--verify")
    assert result.exit_code == 0, result.output
    assert "verified: 2 closed run(s), 10 file(s) match their manifests, and the hash chains are whole" in result.output
    q1, q2 = tmp_path / "q1", tmp_path / "q2"
    (q1 / "summary.xlsx").chmod(0o644)
    with open(q1 / "summary.xlsx", "ab") as f:
        f.write(b" ")
    (q2 / "statements" / "P1.xlsx").unlink()
    (q2 / "notes.txt").write_text("mine")
    db = sqlite3.connect(register)
    db.execute("DROP TRIGGER rows_never_updated")
    db.execute("UPDATE ledger_rows SET accrual = '25000.00' WHERE partner_id = 'P1' AND period = '2026Q1'")
    db.commit()
    result = invoke("register", "--register", register, "--verify")
    assert result.exit_code == 1
    found = [ln for ln in result.output.splitlines() if ln.startswith("error: ")]
    assert found == [
        f"error: {q1.as_posix()}/summary.xlsx: altered since the run (its sha256 differs from the manifest's)",
        f"error: {q2.as_posix()}/notes.txt: added since the run (not in the manifest)",
        f"error: {q2.as_posix()}/statements/P1.xlsx: missing (listed in the manifest)",
        "error: test 2026Q1 (entry 1) was altered after it was closed: its content no longer gives its sha256"]
    # and in Russian, every finding in the catalogue's words
    result = invoke("register", "--register", register, "--verify", "--lang", "ru")
    found = [ln for ln in result.output.splitlines() if ln.startswith("ошибка: ")]
    assert result.exit_code == 1 and found == [
        f"ошибка: {q1.as_posix()}/summary.xlsx: изменен после расчета (его sha256 не совпадает с манифестом)",
        f"ошибка: {q2.as_posix()}/notes.txt: добавлен после расчета (его нет в манифесте)",
        f"ошибка: {q2.as_posix()}/statements/P1.xlsx: отсутствует (указан в манифесте)",
        "ошибка: запись 1 (test 2026Q1) изменена после закрытия: ее содержимое больше не дает ее sha256"]


def test_verify_names_a_missing_or_altered_manifest_a_missing_folder_and_a_broken_link(tmp_path, register):
    closed_year(tmp_path, register, 3)
    q1, q2, q3 = (tmp_path / f"q{i}" for i in (1, 2, 3))
    (q1 / MANIFEST).unlink()
    (q2 / MANIFEST).chmod(0o644)
    (q2 / MANIFEST).write_text("not a manifest\n")
    q3.rename(tmp_path / "elsewhere")
    db = sqlite3.connect(register)
    db.execute("DROP TRIGGER entries_never_updated")
    db.execute(f"UPDATE entries SET previous_sha256 = '{'0' * 64}' WHERE id = 2")
    db.commit()
    result = invoke("register", "--register", register, "--verify")
    assert result.exit_code == 1
    assert [ln for ln in result.output.splitlines() if ln.startswith("error: ")] == [
        f"error: {q1.as_posix()}/manifest.sha256: missing (the close recorded its sha256)",
        f"error: {q2.as_posix()}/manifest.sha256: altered since test 2026Q2 was closed",
        f"error: {q2.as_posix()}/manifest.sha256: manifest.sha256 line 1 is not `<sha256>  <path>`",
        f"error: {q3.as_posix()}: the run folder of test 2026Q3 is missing",
        # the link is part of what the entry's sha256 covers: the entry is altered and unchained
        "error: test 2026Q2 (entry 2) was altered after it was closed: its content no longer gives its sha256",
        "error: test 2026Q2 (entry 2) is not chained to the entry before it of test 2026"]


def test_register_lists_closed_periods_and_writes_a_workbook(tmp_path, register):
    closed_year(tmp_path, register, 2)
    result = invoke("register", "--register", register, "--xlsx", tmp_path / "register.xlsx")
    assert result.exit_code == 0, result.output
    head = Register.open(register).head("test", 2026)
    lines = result.output.splitlines()
    assert lines[:3] == [f"register {register}", f"test 2026: head {head[:12]}, 2 closed period(s)",
                         "  period       closed at (UTC)       by                total payable"]
    assert lines[3].split()[0] == "2026Q1" and lines[3].endswith("22,000.00 points")
    assert lines[4].split()[0] == "2026Q2" and lines[4].endswith("30,000.00 points")
    table = list(openpyxl.load_workbook(tmp_path / "register.xlsx")["Register"].iter_rows(values_only=True))
    assert table[0][19] == "accrual" and [(r[2], r[9], r[19]) for r in table[1:]] == [("2026Q1", "P1", 20000), ("2026Q1", "P2", 2000),
                                                        ("2026Q2", "P1", 30000), ("2026Q2", "P2", 0)]


def test_commands_print_the_register_and_its_head(tmp_path, register):
    folder = inputs(tmp_path, Q1)
    result = invoke("run", folder, "--period", "2026Q1", "--out", tmp_path / "q1", "--register", register)
    assert result.exit_code == 0, result.output
    assert (f"register {register}: no closed period of test 2026 (the file does not exist yet: calc close creates "
            "it)") in result.output
    assert "previously settled: nothing (2026Q1 is the year's first period)" in result.output
    result = invoke("close", tmp_path / "q1", "--register", register)
    assert result.exit_code == 0, result.output
    head = Register.open(register).head("test", 2026)
    assert f"register {register}: head of test 2026 is now {head[:12]}" in result.output
    assert f"payments for accounts payable: {register.parent}/payments/test-2026Q1.xlsx (2 to pay, 0 to recover)" \
        in result.output
    assert "next: calc run INPUT_DIR --period 2026Q2" in result.output
    make_inputs(folder, Q2, partners=PARTNERS)
    result = invoke("run", folder, "--period", "2026Q2", "--out", tmp_path / "q2", "--register", register)
    assert f"register {register}: test 2026 at head {head[:12]} (closed: 2026Q1)" in result.output
    assert (f"previously settled: from the register {register.as_posix()} at head {head[:12]}: the accruals of the "
            "closed periods 2026Q1") in result.output
    refused = invoke("run", folder, "--period", "2026Q1", "--out", tmp_path / "x", "--register", register)
    assert refused.exit_code == 1 and f"register {register}: test 2026 at head {head[:12]}" in refused.output
    assert "nothing was written" in refused.output


def test_a_recomputed_run_says_late_lines_are_not_paid_that_way(tmp_path):
    result = invoke("run", inputs(tmp_path, Q1, Q2), "--period", "2026Q2", "--out", tmp_path / "q2")
    assert result.exit_code == 0, result.output
    assert ("previously settled: recomputed from these inputs, as if every line had been known when its period was "
            "paid: late lines of earlier periods are not paid this way") in result.output


# ---------------------------------------------------------------- a close killed at any point, two at once


def _calc(*args, hook: str = "") -> subprocess.Popen:
    """`calc` in a process of its own, CALC_CLOSE_HOOK set to `hook` (register/close.py)."""
    return subprocess.Popen([sys.executable, str(ROOT / "calc.py"), *map(str, args)],
                            env={**os.environ, "CALC_CLOSE_HOOK": hook}, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _finished(process: subprocess.Popen) -> tuple[int, str]:
    output = process.communicate(timeout=120)[0]
    return process.returncode, output


def _entries(register: Path):
    with Register.open(register) as book:
        return book.entries()


# Named points of register/close.py, and before each SQL statement of its transaction: BEGIN, two
# SELECTs, the entry's INSERT and its trigger, two rows with theirs, COMMIT (the 10th).
POINTS = ["checked", "read-only", *(f"sql:{n}" for n in range(1, 11)), "committed", "paid"]


def test_register_survives_a_kill_at_any_point_of_close(tmp_path):
    pristine = run(inputs(tmp_path, Q1), "2026Q1", tmp_path / "pristine").out
    survived = {}
    for point in POINTS:
        base = tmp_path / point.replace(":", "-")
        out, register = base / "q1", base / "register.sqlite"
        shutil.copytree(pristine, out)
        code, output = _finished(_calc("close", out, "--register", register, hook=point))
        assert code == -9, (point, output)
        entries = _entries(register)
        # without the entry, or with it whole: every partner's row, its hash intact
        assert len(entries) in (0, 1), point
        if entries:
            assert len(entries[0].rows) == 2 and entries[0].computed_sha256() == entries[0].sha256, point
        survived[point] = len(entries)
        assert pipeline.close(out, register).ok, point
        assert [e.period for e in _entries(register)] == ["2026Q1"], point
        assert (base / "payments" / "test-2026Q1.xlsx").is_file(), point
        assert invoke("register", "--register", register, "--verify").exit_code == 0, point
    # killed before COMMIT has run: no entry
    assert survived == {**dict.fromkeys(POINTS, 0), "committed": 1, "paid": 1}


def test_two_closes_of_one_period_at_once_cannot_both_succeed(tmp_path):
    folder = inputs(tmp_path, Q1)
    register = tmp_path / "register.sqlite"
    outs = [run(folder, "2026Q1", tmp_path / name).out for name in ("a", "b")]
    # each holds the register two seconds once it has begun its transaction
    results = [_finished(p) for p in [_calc("close", out, "--register", register, hook="begun:pause") for out in outs]]
    assert sorted(code for code, _ in results) == [0, 1], results
    loser = next(output for code, output in results if code == 1)
    assert "2026Q1 of test 2026 is already closed" in loser
    assert len(_entries(register)) == 1


# ---------------------------------------------------------------- --ledger checked before it is used


def ledger_run(tmp_path, period="2026Q2", name="prev"):
    """A finished run of `period` without manifest (edits below are the point), and the folder for the next."""
    folder = inputs(tmp_path, Q1, Q2)
    out = run(folder, period, tmp_path / name).out
    (out / MANIFEST).unlink()
    make_inputs(folder, Q3, partners=PARTNERS)
    return folder, out


def edit_ledger(out: Path, change) -> None:
    book = openpyxl.load_workbook(out / "ledger.xlsx")
    change(book["Ledger"])
    book.save(out / "ledger.xlsx")


def ledger_errors(folder, out, period="2026Q3", tmp_path=None) -> list[str]:
    outcome = pipeline.run(folder, parse_period(period), out.parent / "next", out)
    assert not outcome.ok and not (out.parent / "next").exists()
    return errors(outcome)


@pytest.mark.parametrize("period, given, message", [
    ("2026Q3", "2026Q1", "the ledger is of 2026Q1, not of 2026Q2, the period right before 2026Q3"),  # pays Q2 twice
    ("2026Q3", "2026Q3", "the ledger is of 2026Q3, not of 2026Q2, the period right before 2026Q3"),  # `>=` -> `>`
    ("2026Q2", "2026Q3", "the ledger is of 2026Q3, not of 2026Q1, the period right before 2026Q2"),
], ids=["two-periods-back", "same-period", "later-period"])
def test_ledger_must_be_of_the_period_right_before(tmp_path, period, given, message):
    folder = inputs(tmp_path, Q1, Q2, Q3)
    out = run(folder, given, tmp_path / "prev").out
    assert ledger_errors(folder, out, period) == [
        f"{out.as_posix()}/ledger.xlsx:Ledger row 2: {message} (pass the run of "
        f"{parse_period(period).index - 1 and f'2026Q{parse_period(period).index - 1}'}: what was paid up to "
        f"2026Q{parse_period(period).index - 1} is in its ledger)"]


def test_ledger_for_the_first_period_and_of_another_program_are_refused(tmp_path):
    folder, out = ledger_run(tmp_path)
    assert ledger_errors(folder, out, "2026Q1") == [
        "--ledger: 2026Q1 is the first period of 2026: no earlier run settled anything (run it without --ledger)"]
    edit_ledger(out, lambda s: [s.cell(r, 1, "other") for r in range(2, s.max_row + 1)])
    assert ledger_errors(folder, out) == [
        f"{out.as_posix()}/ledger.xlsx:Ledger row 2: the ledger is of other 2026, not of test 2026 (pass the run of "
        "2026Q2 of test 2026)"]


def test_ledger_folder_must_match_its_manifest_and_a_folder_without_one_is_noted(tmp_path):
    folder = inputs(tmp_path, Q1, Q2)
    out = run(folder, "2026Q2", tmp_path / "prev").out
    make_inputs(folder, Q3, partners=PARTNERS)
    (out / "summary.xlsx").write_bytes(b"changed")
    assert ledger_errors(folder, out) == [
        f"{out.as_posix()}/summary.xlsx: altered since the run (its sha256 differs from the manifest's) (a run folder "
        "is not changed after the run: pass an unaltered one, or run that period again)"]
    (out / MANIFEST).unlink()
    outcome = run(folder, "2026Q3", tmp_path / "next", previous=out)
    assert [str(p) for p in outcome.problems] == [
        f"{out.as_posix()}: has no manifest.sha256: its ledger cannot be verified (a run of calc writes one last; an "
        "older run has none)"]


def test_ledger_is_listed_in_the_audit_inputs_with_its_sha256(tmp_path):
    folder, out = ledger_run(tmp_path)
    outcome = run(folder, "2026Q3", tmp_path / "next", previous=out)
    sha = hashlib.sha256((out / "ledger.xlsx").read_bytes()).hexdigest()
    book = openpyxl.load_workbook(outcome.out / "audit.xlsx")
    listed = [r for r in book["Inputs"].iter_rows(values_only=True) if r[0].endswith("ledger.xlsx")]
    assert [(r[0], r[1]) for r in listed] == [("../prev/ledger.xlsx", sha)]
    run_sheet = dict(book["Run"].iter_rows(values_only=True))
    assert run_sheet["previously settled"] == f"from the ledger of the earlier run {out.as_posix()}/ledger.xlsx " \
                                              f"(sha256 {sha})"


@pytest.mark.parametrize("change, messages", [
    (lambda s: s.cell(2, 14, 1), ["N2: accrual 1.00 of P1 is not ytd_entitlement − previously_settled = 50,000.00 − "
                                  "20,000.00 = 30,000.00",
                                  "P2: total_payable 30,000.00 of P1 is not accrual + bonus = 1.00 + 0.00 = 1.00"]),
    (lambda s: s.cell(2, 13, -1e15 + 1), ["N2: accrual 30,000.00 of P1 is not ytd_entitlement − previously_settled = "
                                          "50,000.00 − -999,999,999,999,999.00 = 1,000,000,000,049,999.00"]),
    (lambda s: s.cell(2, 16, 99), ["P2: total_payable 99.00 of P1 is not accrual + bonus = 30,000.00 + 0.00 = "
                                   "30,000.00",
                                   "U2: net_due 30,000.00 of P1 is not total_payable + carried_in = 99.00 + 0.00 = "
                                   "99.00"]),
    # the carried columns (T carried_in, U net_due, V carried_out, W payment) of a row that paid 30,000.00
    (lambda s: s.cell(2, 20, 5), ["U2: net_due 30,000.00 of P1 is not total_payable + carried_in = 30,000.00 + "
                                  "5.00 = 30,005.00"]),
    (lambda s: s.cell(2, 22, -7), ["V2: carried_out -7.00 of P1 is neither 0 nor the negative net_due 30,000.00",
                                   "W2: payment 30,000.00 of P1 is not net_due − carried_out = 30,000.00 − -7.00 = "
                                   "30,007.00"]),
    (lambda s: (s.cell(2, 22, 30000), s.cell(2, 23, 0)),  # a positive net_due carried away: paid nothing
     ["V2: carried_out 30,000.00 of P1 is neither 0 nor the negative net_due 30,000.00"]),
    (lambda s: s.cell(2, 23, 1), ["W2: payment 1.00 of P1 is not net_due − carried_out = 30,000.00 − 0.00 = "
                                  "30,000.00"]),
], ids=["accrual", "previously_settled", "total_payable", "carried_in", "carried_out", "carried_positive",
        "payment"])
def test_ledger_rows_must_add_up(tmp_path, change, messages):
    folder, out = ledger_run(tmp_path)
    edit_ledger(out, change)
    assert ledger_errors(folder, out) == [f"{out.as_posix()}/ledger.xlsx:Ledger!{m} (the ledger was edited after the "
                                          "run: pass the ledger.xlsx the run wrote)" for m in messages]


def test_ledger_partner_twice_and_two_periods_are_errors(tmp_path):
    folder, out = ledger_run(tmp_path)

    def duplicate(sheet):
        sheet.cell(3, 4, "P1")
    edit_ledger(out, duplicate)
    assert ledger_errors(folder, out) == [
        f"{out.as_posix()}/ledger.xlsx:Ledger!D3: partner P1 has a second row (also row 2) (a run's ledger has one row "
        "per partner: pass it unedited)"]
    edit_ledger(out, lambda s: (s.cell(3, 4, "P2"), s.cell(3, 3, "2026Q1")))
    assert ledger_errors(folder, out) == [
        f"{out.as_posix()}/ledger.xlsx:Ledger!C3: period 2026Q1 differs from 2026Q2 of row 2 (a run's ledger holds "
        "one program, year and period: pass the ledger.xlsx of one run, unedited)"]


@pytest.mark.parametrize("digits", ["٣٠٠٠٠", "３００００"], ids=["arabic", "fullwidth"])
def test_non_ascii_digits_in_a_ledger_are_a_located_error_not_exit_3(tmp_path, digits):
    folder, out = ledger_run(tmp_path)
    edit_ledger(out, lambda s: s.cell(2, 14, digits))
    result = invoke("run", folder, "--period", "2026Q3", "--out", tmp_path / "next", "--ledger", out)
    assert result.exit_code == 1, result.output
    assert f"error: {out.as_posix()}/ledger.xlsx:Ledger!N2: accrual" in result.output
    assert "internal error" not in result.output


def test_partner_without_a_ledger_row_settled_nothing_and_is_named_when_it_had_lines(tmp_path):
    folder, out = ledger_run(tmp_path)
    edit_ledger(out, lambda s: s.delete_rows(3))  # P2's row: it had a line in March
    outcome = run(folder, "2026Q3", tmp_path / "next", previous=out)
    assert [str(p) for p in outcome.problems][1:] == [
        f"{out.as_posix()}/ledger.xlsx:Ledger row 2: partner P2 has no row in this ledger: it is taken as having "
        "settled 0, yet it has lines dated before 2026Q3 (its earlier lines are paid in this run; if it was paid "
        "before, pass the ledger that holds its row)"]
    # 150,000 x 2% = 3,000, none of it taken as paid: the note is what tells finance
    assert (rows(outcome)["P2"].previously_settled, rows(outcome)["P2"].accrual) == (D(0), D("3000.00"))
