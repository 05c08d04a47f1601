"""Claw-backs carried forward (`clawback = carry_forward`) and the four Ledger columns
`carried_in`, `net_due`, `carried_out`, `payment`, through the three places a run learns what
was settled (recomputed, `--ledger`, the register), and the payments file `calc close` writes.

Figures by hand, bands 2% of the year-to-date base, 4% of all of it over 3,000,000.00 (all units):
P1 Q1 +1,000,000; Q2 −800,000 (credit note); Q3 +500,000; Q4 +100,000.
P2 Q1 +1,000,000; Q2 −500,000 (credit note); Q3 +1,000,000.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from incentives import pipeline
from incentives.periods import parse_period
from tests.builders import line, make_inputs, partner

D = Decimal
PARTNERS = [partner("P1", vendor_id="V-1"), partner("P2")]
QUARTERS = [
    {"q1.xlsx": [line("A1", "2026-02-10", 1000000), line("B1", "2026-02-11", 1000000, pid="P2")]},
    {"q2.xlsx": [line("CN1", "2026-05-10", -800000), line("CN2", "2026-05-11", -500000, pid="P2")]},
    {"q3.xlsx": [line("A3", "2026-08-10", 500000), line("B3", "2026-08-11", 1000000, pid="P2")]},
    {"q4.xlsx": [line("A4", "2026-11-10", 100000)]},
]
COLUMNS = ("previously_settled", "accrual", "total_payable", "carried_in", "net_due", "carried_out", "payment")
# carry_forward, per quarter: (previously_settled, accrual, total_payable, carried_in, net_due, carried_out, payment)
CARRIED = {
    # Q1: 1,000,000 x 2% = 20,000 each, paid.
    1: {"P1": (0, 20000, 20000, 0, 20000, 0, 20000), "P2": (0, 20000, 20000, 0, 20000, 0, 20000)},
    # Q2: P1 200,000 x 2% = 4,000 − 20,000 = −16,000, carried, nothing paid or claimed.
    #     P2 500,000 x 2% = 10,000 − 20,000 = −10,000, carried.
    2: {"P1": (20000, -16000, -16000, 0, -16000, -16000, 0), "P2": (20000, -10000, -10000, 0, -10000, -10000, 0)},
    # Q3: settled is the sum of the accruals, claw-backs apart: P1 20,000 − 16,000 = 4,000;
    #     P1 700,000 x 2% = 14,000 − 4,000 = 10,000; + carried −16,000 = −6,000, carried again.
    #     P2 1,500,000 x 2% = 30,000 − 10,000 = 20,000; + carried −10,000 = 10,000: offset, 10,000 paid.
    3: {"P1": (4000, 10000, 10000, -16000, -6000, -6000, 0), "P2": (10000, 20000, 20000, -10000, 10000, 0, 10000)},
    # Q4, the year's last: P1 800,000 x 2% = 16,000 − 14,000 = 2,000; + carried −6,000 = −4,000, owed back now
    #     (paid 20,000 for an entitlement of 16,000). P2 nothing new: 30,000 − 30,000 = 0.
    4: {"P1": (14000, 2000, 2000, -6000, -4000, 0, -4000), "P2": (30000, 0, 0, 0, 0, 0, 0)},
}
# net: the same accruals, every negative total owed back in its own period, nothing carried.
NET = {q: {pid: (s, a, t, 0, t, 0, t) for pid, (s, a, t, *_) in rows.items()} for q, rows in CARRIED.items()}
NET[3] = {"P1": (4000, 10000, 10000, 0, 10000, 0, 10000), "P2": (10000, 20000, 20000, 0, 20000, 0, 20000)}
NET[4] = {"P1": (14000, 2000, 2000, 0, 2000, 0, 2000), "P2": (30000, 0, 0, 0, 0, 0, 0)}


def figures(outcome) -> dict:
    return {r.partner.partner_id: tuple(getattr(r, c) for c in COLUMNS) for r in outcome.settlement.rows}


def expected(table: dict, quarter: int) -> dict:
    return {pid: tuple(D(v) for v in values) for pid, values in table[quarter].items()}


def run(folder: Path, period: str, out: Path, **more) -> pipeline.Outcome:
    outcome = pipeline.run(folder, parse_period(period), out, **more)
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome


def year(tmp_path: Path, clawback: str, how: str) -> dict[int, pipeline.Outcome]:
    """Q1..Q4 run in order, each with the files arrived by then; what was settled recomputed, from the
    ledger of the quarter before, or from the register (each quarter closed)."""
    folder, register, done = tmp_path / "in", tmp_path / "books" / "register.sqlite", {}
    for q, sales in enumerate(QUARTERS, start=1):
        make_inputs(folder, sales, partners=PARTNERS, program={"clawback": clawback})
        more = ({"register": register} if how == "register" else
                {"previous": tmp_path / f"q{q - 1}"} if how == "ledger" and q > 1 else {})
        done[q] = run(folder, f"2026Q{q}", tmp_path / f"q{q}", **more)
        if how == "register":
            assert pipeline.close(done[q].out, register).ok
    return done


@pytest.mark.parametrize("how", ["recomputed", "ledger", "register"])
@pytest.mark.parametrize("clawback, table", [("carry_forward", CARRIED), ("net", NET)], ids=["carry_forward", "net"])
def test_a_claw_back_carried_through_two_periods_offset_or_owed_back_at_the_year_end(tmp_path, how, clawback, table):
    done = year(tmp_path, clawback, how)
    for q in range(1, 5):
        assert figures(done[q]) == expected(table, q), f"2026Q{q}"


def test_the_ledger_holds_the_four_columns_after_excluded_amount(tmp_path):
    done = year(tmp_path, "carry_forward", "recomputed")
    sheet = list(openpyxl.load_workbook(done[3].out / "ledger.xlsx")["Ledger"].iter_rows(values_only=True))
    header = sheet[0]
    assert header[header.index("excluded_amount") + 1:] == ("carried_in", "net_due", "carried_out", "payment")
    p1 = dict(zip(header, sheet[1]))
    assert (p1["carried_in"], p1["net_due"], p1["carried_out"], p1["payment"]) == (-16000, -6000, -6000, 0)


def test_payments_files_take_payment_and_direction_and_reconcile_to_the_ledger(tmp_path):
    register = tmp_path / "books" / "register.sqlite"
    year(tmp_path, "carry_forward", "register")
    paid = {}
    for q in range(1, 5):
        sheet = openpyxl.load_workbook(register.parent / "payments" / f"test-2026Q{q}.xlsx")["Payments"]
        paid[q] = [(r[2], r[4], r[6], r[7]) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert paid == {
        1: [("P1", "V-1", 20000, "pay"), ("P2", None, 20000, "pay")],
        2: [],  # both claw-backs carried: nothing to pay, nothing to claim
        3: [("P2", None, 10000, "pay")],  # P1's −6,000 carried again
        4: [("P1", "V-1", -4000, "recover")],  # what remains at the year's end is owed back
    }
    # over the year each partner got its entitlement: P1 20,000 − 4,000 = 16,000; P2 20,000 + 10,000 = 30,000


def test_close_prints_what_is_paid_recovered_and_carried(tmp_path):
    from click.testing import CliRunner
    from incentives.cli import main
    register = tmp_path / "books" / "register.sqlite"
    folder = tmp_path / "in"
    for q, sales in enumerate(QUARTERS[:2], start=1):
        make_inputs(folder, sales, partners=PARTNERS, program={"clawback": "carry_forward"})
        run(folder, f"2026Q{q}", tmp_path / f"q{q}", register=register)
        result = CliRunner().invoke(main, ["close", str(tmp_path / f"q{q}"), "--register", str(register)])
        assert result.exit_code == 0, result.output
    # Q2: P1 −16,000 and P2 −10,000 carried: −26,000 to recover from what they earn next
    assert "(0 to pay, 0 to recover): to pay 0.00 points, to recover 0.00 points" in result.output
    assert "carried forward to the next period: 26,000.00 points to recover from what the partners earn next" \
        in result.output


def test_a_ledger_of_a_calc_before_carried_balances_reads_as_nothing_carried(tmp_path):
    folder = tmp_path / "in"
    make_inputs(folder, QUARTERS[0], partners=PARTNERS, program={"clawback": "carry_forward"})
    run(folder, "2026Q1", tmp_path / "q1")
    (tmp_path / "q1" / "manifest.sha256").unlink()
    book = openpyxl.load_workbook(tmp_path / "q1" / "ledger.xlsx")
    book["Ledger"].delete_cols(20, 4)  # T..W: carried_in, net_due, carried_out, payment
    book.save(tmp_path / "q1" / "ledger.xlsx")
    make_inputs(folder, QUARTERS[1], partners=PARTNERS, program={"clawback": "carry_forward"})
    assert figures(run(folder, "2026Q2", tmp_path / "q2", previous=tmp_path / "q1")) == expected(CARRIED, 2)


def test_a_register_of_a_calc_before_carried_balances_gets_the_columns_and_keeps_its_chain(tmp_path):
    import dataclasses
    import sqlite3
    from incentives.register import store
    register = tmp_path / "register.sqlite"
    added = ",\n    ".join(store._column_sql(c) for c in store.ADDED)
    earlier_schema = store.SCHEMA.replace(",\n    " + added, "")
    assert earlier_schema != store.SCHEMA
    row = ("test", 2026, "2026Q1", "P1", "Partner P1", "Primary", "KZ", "points", "1000000.00", "1000000.00",
           "0.02", "20000.00", "0.00", "20000.00", "0.00", "20000.00", 1, 0, "0.00")
    sha = store.entry_sha256("test", 2026, "2026Q1", "r" * 64, "q1", "m" * 64, "", "2026-04-01T00:00:00Z", "ann",
                             False, (row,), store.EARLIER_COLUMNS)
    db = sqlite3.connect(register, isolation_level=None)
    db.executescript(earlier_schema)
    db.execute("INSERT INTO entries (program_id, year, period, run_id, run_folder, manifest_sha256, previous_sha256, "
               "sha256, closed_at, closed_by, adopted) VALUES ('test', 2026, '2026Q1', ?, 'q1', ?, '', ?, "
               "'2026-04-01T00:00:00Z', 'ann', 0)", ("r" * 64, "m" * 64, sha))
    db.execute(f"INSERT INTO ledger_rows VALUES (1, {', '.join('?' * len(row))})", row)
    db.close()
    with store.Register.open(register) as book:
        (entry,) = book.entries("test", 2026)
    assert entry.values("carried_out") == {"P1": D("0.00")} and entry.values("payment") == {"P1": D("0.00")}
    assert entry.holds_its_sha256() and store.chain_problems((entry,)) == []
    # the same entry with a carried balance it was not closed with no longer holds its sha256
    changed = entry.rows[0][:-2] + ("-5.00", "0.00")
    assert not dataclasses.replace(entry, rows=(changed,)).holds_its_sha256()


def test_summary_totals_show_to_pay_to_recover_and_carried_forward_by_tier_and_country(tmp_path):
    folder = tmp_path / "in"
    partners = [partner("P1", vendor_id="V-1"), partner("P2", country="UZ")]
    sheets = {}
    for q, sales in enumerate(QUARTERS, start=1):
        make_inputs(folder, sales, partners=partners, program={"clawback": "carry_forward"})
        book = openpyxl.load_workbook(run(folder, f"2026Q{q}", tmp_path / f"q{q}").out / "summary.xlsx")
        table = list(book["Totals"].iter_rows(values_only=True))
        sheets[q] = {(r[0], r[1]): dict(zip(table[0], r)) for r in table[1:]}
    figures = {q: {k: (v["to_pay"], v["to_recover"], v["carried_forward"]) for k, v in t.items()}
               for q, t in sheets.items()}
    # Q3 (CARRIED above): P1 (KZ) pays 0 and carries 6,000 on; P2 (UZ) is paid 10,000
    assert figures[3] == {("tier", "Primary"): (10000, 0, 6000), ("country", "KZ"): (0, 0, 6000),
                          ("country", "UZ"): (10000, 0, 0), ("total", None): (10000, 0, 6000)}
    # Q2: both carry, 16,000 + 10,000; Q4: P1's remaining 4,000 is recovered, nothing carried past the year
    assert figures[2][("total", None)] == (0, 0, 26000)
    assert figures[4] == {("tier", "Primary"): (0, 4000, 0), ("country", "KZ"): (0, 4000, 0),
                          ("country", "UZ"): (0, 0, 0), ("total", None): (0, 4000, 0)}


def test_the_audit_trace_follows_a_carried_balance(tmp_path):
    done = year(tmp_path, "carry_forward", "recomputed")
    def steps(q, pid):
        sheet = openpyxl.load_workbook(done[q].out / "audit.xlsx")["Trace"]
        return {r[1]: (r[2], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == pid}
    q3 = steps(3, "P1")  # CARRIED[3]["P1"]: 10,000 payable, −16,000 carried in, −6,000 carried out, 0 paid
    assert q3["net due"] == ("10,000.00 + -16,000.00 = -6,000.00", -6000)
    assert q3["carried out"] == ("negative and 2026Q3 is not the year's last period (2026Q4): carried into the next, "
                                 "not claimed back now", -6000)
    assert q3["payment"] == ("-6,000.00 − -6,000.00 = 0.00 points", 0)
    q4 = steps(4, "P1")  # the year's last: the −4,000 left is owed back
    assert q4["carried out"] == ("2026Q4 is the year's last period: what remains is owed back", 0)
    assert q4["payment"] == ("-4,000.00 − 0.00 = -4,000.00 points (to recover)", -4000)
    assert "payment" not in steps(1, "P1")  # nothing carried: the total payable is the payment


def test_a_partner_carrying_a_claw_back_in_the_register_must_stay_on_the_roster(tmp_path):
    folder, register = tmp_path / "in", tmp_path / "books" / "register.sqlite"
    # P3: Q1 +1,000,000 (20,000 paid), Q2 −1,000,000 (entitlement 0: accrual −20,000, carried)
    p3 = {"q1.xlsx": [line("C1", "2026-02-12", 1000000, pid="P3")], "q2.xlsx": [line("C2", "2026-05-12", -1000000,
                                                                                         pid="P3")]}
    for q in (1, 2):
        make_inputs(folder, {f"p3-{q}.xlsx": p3[f"q{q}.xlsx"]}, partners=[*PARTNERS, partner("P3")],
                    program={"clawback": "carry_forward"})
        assert pipeline.close(run(folder, f"2026Q{q}", tmp_path / f"q{q}", register=register).out, register).ok
    # settled 20,000 − 20,000 = 0, yet it owes 20,000: off the roster, that is an error
    make_inputs(folder, QUARTERS[0], partners=PARTNERS, program={"clawback": "carry_forward"})
    for name in ("p3-1.xlsx", "p3-2.xlsx"):
        (folder / "sales" / name).unlink()
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "q3", register=register)
    assert [str(p) for p in outcome.problems if p.is_error] == [
        "partners.xlsx:Partners: partner P3 carries a claw-back of 20,000.00 points from 2026Q2 in the register but is "
        "not on the roster (put it back on the roster: what it owes is recovered from what it earns next, or after "
        "the year's last period)"]


def test_explain_tells_a_carried_claw_back_and_the_payment(tmp_path):
    from click.testing import CliRunner
    from incentives.tools.commands import explain
    done = year(tmp_path, "carry_forward", "recomputed")
    q3 = CliRunner().invoke(explain, [str(done[3].out), "P1"])
    assert q3.exit_code == 0, q3.output
    # CARRIED[3]["P1"]: payable 10,000, −16,000 carried in, −6,000 carried on, nothing paid
    assert ("Carried in from the period before (a claw-back not yet recovered): -16,000.00; net due 10,000.00 + "
            "-16,000.00 = -6,000.00") in q3.output
    assert "Carried out to the next period, to be offset against what it earns: -6,000.00" in q3.output
    assert "Payment: 0.00 points, nothing credited or debited" in q3.output
    q4 = CliRunner().invoke(explain, [str(done[4].out), "P1"])
    assert "Payment: -4,000.00 points debited" in q4.output
    assert "every figure agrees to the cent" in q4.output


def test_explain_says_when_the_ledgers_payment_does_not_add_up(tmp_path):
    from click.testing import CliRunner
    from incentives.tools.commands import explain
    done = year(tmp_path, "carry_forward", "recomputed")
    path = done[3].out / "ledger.xlsx"
    path.chmod(0o644)
    book = openpyxl.load_workbook(path)
    book["Ledger"]["W2"] = 5  # P1's payment: net_due −6,000 − carried_out −6,000 is 0
    book.save(path)
    result = CliRunner().invoke(explain, [str(done[3].out), "P1"])
    assert "!!   payment: ledger 5.00, net_due − carried_out: 0.00 (difference -5.00)" in result.output, result.output
