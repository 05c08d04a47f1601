"""read/settled.py: an earlier run's ledger read back (`read_ledger`) and checked against this run
(`read_settled`, `--ledger`). Each ledger is a small workbook written here with xlsxwriter
(a few milliseconds), its header and figures spelled out in the test, not taken from calc."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from incentives.periods import parse_period
from incentives.read.settled import read_ledger, read_settled
from incentives.register.manifest import write_manifest
from tests.inline import inputs, partner, program, sale

D = Decimal
HEADER = ("program_id", "year", "period", "partner_id", "partner_name", "tier", "country", "unit",  # A-H
          "period_base", "ytd_base", "ytd_rate", "ytd_entitlement", "previously_settled", "accrual",  # I-N
          "bonus", "total_payable", "included_lines", "excluded_lines", "excluded_amount",  # O-S
          "carried_in", "net_due", "carried_out", "payment")  # T-W
OLD_HEADER = HEADER[:19]  # a ledger of a calc before claw-backs were carried
EDITED = "the ledger was edited after the run: pass the ledger.xlsx the run wrote"


def row(pid="P1", entitlement="100", settled="40", accrual="60", bonus="5", payable="65", carried_in="0",
        net_due="65", carried_out="0", payment="65", **more) -> dict:
    """A ledger row of 2026Q2 of program `test`; by default entitled 100, 40 settled before: accrual 60,
    bonus 5, total_payable 65, nothing carried: net_due = payment = 65."""
    values = dict(program_id="test", year=2026, period="2026Q2", partner_id=pid, partner_name=f"Partner {pid}",
                  tier="Primary", country="KZ", unit="points", period_base="3000", ytd_base="5000",
                  ytd_rate="0.0125", ytd_entitlement=entitlement, previously_settled=settled, accrual=accrual,
                  bonus=bonus, total_payable=payable, included_lines=2, excluded_lines=0, excluded_amount="0",
                  carried_in=carried_in, net_due=net_due, carried_out=carried_out, payment=payment)
    values.update(more)
    return values


def write(folder: Path, rows: list[dict], header=HEADER) -> Path:
    """`folder/ledger.xlsx` with sheet Ledger: the header, then the rows (numbers written as numbers,
    None as a blank cell)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ledger.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Ledger")
    sheet.write_row(0, 0, header)
    for r, values in enumerate(rows, start=1):
        for c, name in enumerate(header):
            value = values[name]
            if value is None:
                continue
            if isinstance(value, str) and name not in ("program_id", "period", "partner_id", "partner_name", "tier",
                                                       "country", "unit"):
                sheet.write_number(r, c, float(value))
            else:
                sheet.write(r, c, value)
    book.close()
    return path


def read(tmp_path, rows, header=HEADER):
    ledger, problems = read_ledger(write(tmp_path / "prev", rows, header), "prev/ledger.xlsx")
    return ledger, [str(p) for p in problems]


# ---------------------------------------------------------------- read_ledger


def test_a_ledger_reads_back_with_what_each_partner_settled_and_carried(tmp_path):
    ledger, problems = read(tmp_path, [
        row("P1"),
        # P2 under carry_forward: entitled 10, settled 50 before: accrual -40, no bonus, total_payable -40;
        # carried_in -5: net_due -45, all of it carried out, payment -45 - -45 = 0
        row("P2", entitlement="10", settled="50", accrual="-40", bonus="0", payable="-40", carried_in="-5",
            net_due="-45", carried_out="-45", payment="0"),
        row("P3", entitlement="0", settled="0", accrual="0", bonus="0", payable="0", net_due="0", payment="0")])
    assert problems == []
    assert (ledger.program_id, ledger.year, ledger.period) == ("test", 2026, parse_period("2026Q2"))
    assert ledger.sources == (2, 3, 4)  # Excel rows
    assert [r["partner_id"] for r in ledger.rows] == ["P1", "P2", "P3"]
    assert ledger.rows[0]["ytd_rate"] == D("0.0125")  # the rate may have more than 2 decimals
    assert (ledger.path.name, ledger.size) == ("ledger.xlsx", (tmp_path / "prev" / "ledger.xlsx").stat().st_size)
    assert len(ledger.sha256) == 64
    # settled: previously_settled + accrual = 40 + 60 = 100; 50 + -40 = 10; 0 + 0 = 0
    assert ledger.settled() == {"P1": D(100), "P2": D(10), "P3": D(0)}
    # carried: only a non-zero carried_out
    assert ledger.carried() == {"P2": D(-45)}


def test_a_ledger_without_the_carried_columns_reads_with_zeros_and_is_not_checked_on_them(tmp_path):
    ledger, problems = read(tmp_path, [row("P1")], OLD_HEADER)
    assert problems == []
    assert ledger.settled() == {"P1": D(100)}
    assert ledger.carried() == {}
    assert (ledger.rows[0]["carried_in"], ledger.rows[0]["net_due"], ledger.rows[0]["payment"]) == (0, 0, 0)


def test_a_missing_ledger_is_an_error(tmp_path):
    ledger, problems = read_ledger(tmp_path / "nothing" / "ledger.xlsx", "nothing/ledger.xlsx")
    assert ledger is None
    assert [str(p) for p in problems] == [
        "nothing/ledger.xlsx: is missing (a run folder holds ledger.xlsx: name the folder of a finished calc run)"]


def test_a_ledger_without_rows_is_an_error(tmp_path):
    ledger, problems = read(tmp_path, [])
    assert ledger is None
    assert problems == ["prev/ledger.xlsx:Ledger: holds no row (a run's ledger has one row per roster partner)"]


def test_a_blank_amount_is_an_error_but_a_blank_partner_name_or_country_is_not(tmp_path):
    ledger, problems = read(tmp_path, [row("P1", partner_name=None, country=None), row("P2", bonus=None)])
    assert ledger is None
    # the reader refuses the blank before read/settled.py's own check of it sees the row
    assert problems == ["prev/ledger.xlsx:Ledger!O3: bonus is blank (expected a number such as 1200000.00 or "
                        "1 200 000,00)"]
    ledger, problems = read(tmp_path, [row("P1", partner_name=None, country=None)])
    assert problems == [] and ledger.rows[0]["partner_name"] in (None, "")


def test_an_amount_of_more_than_two_decimals_is_an_error_the_rate_apart(tmp_path):
    # 0.005 in excluded_amount (S2) is refused; ytd_rate 0.0125 (K2) is not
    ledger, problems = read(tmp_path, [row("P1", excluded_amount="0.005")])
    assert ledger is None
    assert problems == ["prev/ledger.xlsx:Ledger!S2: excluded_amount 0.005 has more than 2 decimals (calc rounds "
                        "every amount of the ledger to 2 decimals)"]
    ledger, problems = read(tmp_path, [row("P1", excluded_amount="0.01", ytd_rate="0.00125")])
    assert problems == [] and ledger.rows[0]["excluded_amount"] == D("0.01")


@pytest.mark.parametrize("column, cell, value, shown", [
    ("program_id", "A3", "other", "other differs from test"),
    ("year", "B3", 2025, "2025 differs from 2026"),
    ("period", "C3", "2026Q1", "2026Q1 differs from 2026Q2"),
])
def test_one_program_year_and_period_in_the_sheet(tmp_path, column, cell, value, shown):
    ledger, problems = read(tmp_path, [row("P1"), row("P2", **{column: value}), row("P3", **{column: value})])
    assert ledger is None
    # the first row that differs is named, once
    assert problems == [f"prev/ledger.xlsx:Ledger!{cell}: {column} {shown} of row 2 (a run's ledger holds one "
                        "program, year and period: pass the ledger.xlsx of one run, unedited)"]


def test_a_period_that_is_no_period_or_not_of_the_year_is_an_error(tmp_path):
    ledger, problems = read(tmp_path, [row("P1", period="2026Q5")])
    assert ledger is None
    assert problems == ["prev/ledger.xlsx:Ledger!C2: period '2026Q5' is not a quarter (2026Q3), a month (2026-09), a "
                        "year (2026) or a supplement of the year's last period (2026Q4-S1)"]
    ledger, problems = read(tmp_path, [row("P1", year=2025)])
    assert ledger is None
    assert problems == ["prev/ledger.xlsx:Ledger!C2: period 2026Q2 is not of year 2025"]


def test_a_partner_twice_is_an_error_naming_both_rows(tmp_path):
    ledger, problems = read(tmp_path, [row("P1"), row("P2"), row("P1"), row("P1")])
    assert ledger is None
    assert problems == [
        "prev/ledger.xlsx:Ledger!D4: partner P1 has a second row (also row 2) (a run's ledger has one row per "
        "partner: pass it unedited)",
        "prev/ledger.xlsx:Ledger!D5: partner P1 has a second row (also row 2) (a run's ledger has one row per "
        "partner: pass it unedited)"]


def test_accrual_must_be_entitlement_less_settled_and_total_payable_accrual_plus_bonus(tmp_path):
    # P1: accrual 61 but 100 - 40 = 60; its total_payable 65 is not 61 + 5 = 66 either.
    # P2: accrual right (60) but total_payable 64, not 60 + 5 = 65 (net_due and payment follow it: 64 + 0).
    # P3: every figure right.
    ledger, problems = read(tmp_path, [row("P1", accrual="61"),
                                       row("P2", payable="64", net_due="64", payment="64"), row("P3")])
    assert ledger is None
    assert problems == [
        f"prev/ledger.xlsx:Ledger!N2: accrual 61.00 of P1 is not ytd_entitlement − previously_settled = 100.00 − "
        f"40.00 = 60.00 ({EDITED})",
        f"prev/ledger.xlsx:Ledger!P2: total_payable 65.00 of P1 is not accrual + bonus = 61.00 + 5.00 = 66.00 "
        f"({EDITED})",
        f"prev/ledger.xlsx:Ledger!P3: total_payable 64.00 of P2 is not accrual + bonus = 60.00 + 5.00 = 65.00 "
        f"({EDITED})"]


def test_an_old_ledger_still_checks_accrual_and_total_payable(tmp_path):
    ledger, problems = read(tmp_path, [row("P1", payable="64")], OLD_HEADER)
    assert ledger is None
    assert problems == [f"prev/ledger.xlsx:Ledger!P2: total_payable 64.00 of P1 is not accrual + bonus = 60.00 + "
                        f"5.00 = 65.00 ({EDITED})"]


@pytest.mark.parametrize("changes, messages", [
    # carried_in 5 but net_due left at 65: 65 + 5 = 70
    (dict(carried_in="5"), ["U2: net_due 65.00 of P1 is not total_payable + carried_in = 65.00 + 5.00 = 70.00"]),
    # carried_out -7 is neither 0 nor net_due 65; payment 65 is then not 65 - -7 = 72
    (dict(carried_out="-7"), ["V2: carried_out -7.00 of P1 is neither 0 nor the negative net_due 65.00",
                              "W2: payment 65.00 of P1 is not net_due − carried_out = 65.00 − -7.00 = 72.00"]),
    # a positive net_due carried away, paying 65 - 65 = 0: carried_out equals net_due but is positive
    (dict(carried_out="65", payment="0"), ["V2: carried_out 65.00 of P1 is neither 0 nor the negative net_due 65.00"]),
    # the same with a net_due of 0.50 (a mutant `carried_out > 1` lets it through)
    (dict(entitlement="40.50", settled="40", accrual="0.50", bonus="0", payable="0.50", net_due="0.50",
          carried_out="0.50", payment="0"),
     ["V2: carried_out 0.50 of P1 is neither 0 nor the negative net_due 0.50"]),
    # payment 64, not 65 - 0
    (dict(payment="64"), ["W2: payment 64.00 of P1 is not net_due − carried_out = 65.00 − 0.00 = 65.00"]),
], ids=["net_due", "carried_out", "carried_positive", "carried_half", "payment"])
def test_the_carried_columns_must_add_up(tmp_path, changes, messages):
    ledger, problems = read(tmp_path, [row("P1", **changes)])
    assert ledger is None
    assert problems == [f"prev/ledger.xlsx:Ledger!{m} ({EDITED})" for m in messages]


def test_a_negative_net_due_may_be_carried_or_claimed_back(tmp_path):
    # accrual -40 (10 - 50), carried_in -5: net_due -45, carried (payment 0) or claimed back (payment -45)
    negative = dict(entitlement="10", settled="50", accrual="-40", bonus="0", payable="-40", carried_in="-5",
                    net_due="-45")
    ledger, problems = read(tmp_path, [row("P1", carried_out="-45", payment="0", **negative),
                                       row("P2", carried_out="0", payment="-45", **negative)])
    assert problems == []
    assert ledger.carried() == {"P1": D(-45)}
    assert ledger.settled() == {"P1": D(10), "P2": D(10)}


# ---------------------------------------------------------------- read_settled (--ledger)


def given(tmp_path, lines=(), partners=None, **settings):
    """This run's inputs, in folder tmp_path/in (the ledger is at ../prev/ledger.xlsx from it)."""
    return replace(inputs(list(lines), partners, program(**settings)), folder=tmp_path / "in")


def test_the_ledger_of_the_period_before_gives_settled_carried_and_the_input_file(tmp_path):
    write(tmp_path / "prev", [row("P1"), row("P2", entitlement="10", settled="50", accrual="-40", bonus="0",
                                              payable="-40", net_due="-40", carried_out="-40", payment="0")])
    write_manifest(tmp_path / "prev")
    earlier, problems = read_settled(tmp_path / "prev", given(tmp_path, partners=[partner("P1"), partner("P2")]),
                                     parse_period("2026Q3"))
    assert problems == []
    assert earlier.settled == {"P1": D(100), "P2": D(10)}  # 40 + 60; 50 + -40
    assert earlier.carried == {"P2": D(-40)}
    f = earlier.file
    assert (f.path, f.sheets, f.rows) == ("../prev/ledger.xlsx", ("Ledger",), 2)
    assert (f.size, len(f.sha256)) == ((tmp_path / "prev" / "ledger.xlsx").stat().st_size, 64)


def test_a_monthly_ledger_of_the_month_before(tmp_path):
    write(tmp_path / "prev", [row("P1", period="2026-07")])
    earlier, problems = read_settled(tmp_path / "prev", given(tmp_path, period="month"), parse_period("2026-08"))
    assert earlier.settled == {"P1": D(100)}
    assert [p.message for p in problems] == ["has no manifest.sha256: its ledger cannot be verified"]


def test_a_ledger_without_manifest_is_noted_and_used(tmp_path):
    write(tmp_path / "prev", [row("P1")])
    earlier, problems = read_settled(tmp_path / "prev", given(tmp_path), parse_period("2026Q3"))
    assert earlier.settled == {"P1": D(100)}
    shown = (tmp_path / "prev").as_posix()
    assert [(str(p), p.is_error) for p in problems] == [
        (f"{shown}: has no manifest.sha256: its ledger cannot be verified (a run of calc writes one last; an older "
         "run has none)", False)]


def test_a_ledger_folder_altered_since_its_manifest_is_refused(tmp_path):
    write(tmp_path / "prev", [row("P1")])
    write_manifest(tmp_path / "prev")
    (tmp_path / "prev" / "added.txt").write_text("x")
    earlier, problems = read_settled(tmp_path / "prev", given(tmp_path), parse_period("2026Q3"))
    shown = (tmp_path / "prev").as_posix()
    assert earlier is None
    assert [str(p) for p in problems] == [
        f"{shown}/added.txt: added since the run (not in the manifest) (a run folder is not changed after the run: "
        "pass an unaltered one, or run that period again)"]


def test_an_unreadable_manifest_is_refused(tmp_path):
    write(tmp_path / "prev", [row("P1")])
    (tmp_path / "prev" / "manifest.sha256").write_text("not a manifest\n")
    earlier, problems = read_settled(tmp_path / "prev", given(tmp_path), parse_period("2026Q3"))
    shown = (tmp_path / "prev").as_posix()
    assert earlier is None
    assert [str(p) for p in problems] == [f"{shown}/manifest.sha256: manifest.sha256 line 1 is not `<sha256>  <path>` "
                                          "(the run folder was altered after the run)"]


def test_the_first_period_takes_no_ledger(tmp_path):
    write(tmp_path / "prev", [row("P1", period="2025Q4", year=2025)])
    earlier, problems = read_settled(tmp_path / "prev", given(tmp_path), parse_period("2026Q1"))
    assert earlier is None
    assert [str(p) for p in problems] == ["--ledger: 2026Q1 is the first period of 2026: no earlier run settled "
                                          "anything (run it without --ledger)"]


def test_a_ledger_that_fails_its_checks_is_not_used(tmp_path):
    write(tmp_path / "prev", [row("P1", accrual="61")])
    earlier, problems = read_settled(tmp_path / "prev", given(tmp_path), parse_period("2026Q3"))
    assert earlier is None
    shown = (tmp_path / "prev").as_posix()
    # no manifest (a note); then the ledger's errors, named by the folder given
    assert [(str(p).split(" of P1")[0], p.is_error) for p in problems] == [
        (f"{shown}: has no manifest.sha256: its ledger cannot be verified (a run of calc writes one last; an older "
         "run has none)", False),
        (f"{shown}/ledger.xlsx:Ledger!N2: accrual 61.00", True),
        (f"{shown}/ledger.xlsx:Ledger!P2: total_payable 65.00", True)]


@pytest.mark.parametrize("ledger, message", [
    (dict(program_id="other"), "the ledger is of other 2026, not of test 2026 (pass the run of 2026Q2 of test 2026)"),
    (dict(year=2025, period="2025Q2"), "the ledger is of test 2025, not of test 2026 (pass the run of 2026Q2 of "
                                       "test 2026)"),
    (dict(period="2026Q1"), "the ledger is of 2026Q1, not of 2026Q2, the period right before 2026Q3 (pass the run "
                            "of 2026Q2: what was paid up to 2026Q2 is in its ledger)"),
    (dict(period="2026Q3"), "the ledger is of 2026Q3, not of 2026Q2, the period right before 2026Q3 (pass the run "
                            "of 2026Q2: what was paid up to 2026Q2 is in its ledger)"),
    (dict(period="2026Q4"), "the ledger is of 2026Q4, not of 2026Q2, the period right before 2026Q3 (pass the run "
                            "of 2026Q2: what was paid up to 2026Q2 is in its ledger)"),
    (dict(period="2026-06"), "the ledger is of 2026-06, not of 2026Q2, the period right before 2026Q3 (pass the run "
                             "of 2026Q2: what was paid up to 2026Q2 is in its ledger)"),
], ids=["program", "year", "two-before", "same", "later", "a-month"])
def test_the_ledger_must_be_of_this_program_year_and_the_period_right_before(tmp_path, ledger, message):
    write(tmp_path / "prev", [row("P1", **ledger), row("P2", **ledger)])
    write_manifest(tmp_path / "prev")
    earlier, problems = read_settled(tmp_path / "prev", given(tmp_path), parse_period("2026Q3"))
    assert earlier is None
    shown = (tmp_path / "prev").as_posix()
    assert [str(p) for p in problems] == [f"{shown}/ledger.xlsx:Ledger row 2: {message}"]


def test_a_roster_partner_without_a_row_settled_nothing_and_is_named_when_it_had_earlier_lines(tmp_path):
    # Only P1 has a row. P2 has a line on 1 January (before 2026Q3): named. P3's line is on 1 July, the
    # period's first day (not before it), P4's in December 2025 (not of the year), P5 has none: not named.
    lines = [sale("A", "2026-01-01", 10, pid="P2"), sale("B", "2026-07-01", 10, pid="P3"),
             sale("C", "2025-12-31", 10, pid="P4"), sale("D", "2026-06-30", 10, pid="P1")]
    write(tmp_path / "prev", [row("P1")])
    write_manifest(tmp_path / "prev")
    roster = [partner(p) for p in ("P1", "P2", "P3", "P4", "P5")]
    earlier, problems = read_settled(tmp_path / "prev", given(tmp_path, lines, roster), parse_period("2026Q3"))
    assert earlier.settled == {"P1": D(100)}
    shown = (tmp_path / "prev").as_posix()
    assert [(str(p), p.is_error) for p in problems] == [
        (f"{shown}/ledger.xlsx:Ledger row 2: partner P2 has no row in this ledger: it is taken as having settled 0, "
         "yet it has lines dated before 2026Q3 (its earlier lines are paid in this run; if it was paid before, pass "
         "the ledger that holds its row)", False)]
    assert dt.date(2026, 7, 1) == parse_period("2026Q3").start
