"""Tiers that change during the year (partners.xlsx `TierHistory`): each line earns under the
tier in effect on its date, or on its `original_invoice_date`. Figures derived by hand.

Bands: Silver 5% over 0, 6% over 1,000,000; Gold 8% over 0, 10% over 1,500,000.
P1 (roster: Gold, today's tier) is Silver from 1 Jan and Gold from 1 Jul 2026 (an upgrade):
  L1 2026-02-10 +800,000 (Silver); L2 2026-05-10 +400,000 (Silver: the cumulative base crosses
  1,000,000 inside the Silver span); L3 2026-08-10 +600,000 (Gold: crosses 1,500,000 inside the
  Gold span); CN 2026-09-10 −100,000 reversing L2 (original_invoice_date 2026-05-10: Silver).
P2 (roster: Silver) is Gold from 2025-06-01 and Silver from 2026-04-01 (a downgrade):
  M1 2026-03-01 +1,000,000 (Gold); M2 2026-05-01 +1,000,000 (Silver).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from incentives import pipeline
from incentives.periods import parse_period
from tests.builders import line, make_inputs, partner

D = Decimal
BANDS = [("Silver", 0, "0.05"), ("Silver", 1000000, "0.06"), ("Gold", 0, "0.08"), ("Gold", 1500000, "0.10")]
TIERS = [("Silver", 1), ("Gold", 2)]
PARTNERS = [partner("P1", tier="Gold"), partner("P2", tier="Silver")]
HISTORY = [("P1", "Silver", "2026-01-01"), ("P1", "Gold", "2026-07-01"),
           ("P2", "Gold", "2025-06-01"), ("P2", "Silver", "2026-04-01")]
SALES = {"s.xlsx": [
    line("L1", "2026-02-10", 800000), line("L2", "2026-05-10", 400000), line("L3", "2026-08-10", 600000),
    line("CN", "2026-09-10", -100000, original_invoice_date=dt.date(2026, 5, 10)),
    line("M1", "2026-03-01", 1000000, pid="P2"), line("M2", "2026-05-01", 1000000, pid="P2"),
]}


def folder_for(tmp_path, method="all_units", history=HISTORY, partners=PARTNERS, sales=SALES):
    return make_inputs(tmp_path / "in", sales, partners=partners, bands=BANDS, tiers=TIERS,
                       program={"tier_method": method}, tier_history=history)


def settle(folder, period: str, out):
    outcome = pipeline.run(folder, parse_period(period), out)
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome, {r.partner.partner_id: r for r in outcome.settlement.rows}


def segments(row) -> list[tuple]:
    return [(s.start, s.end, s.tier, s.base, [(sl.amount, sl.rate) for sl in s.slices], s.exact)
            for s in row.entitlement.segments]


JAN, JUN30, JUL = dt.date(2026, 1, 1), dt.date(2026, 6, 30), dt.date(2026, 7, 1)


def test_upgrade_mid_year_all_units(tmp_path):
    folder = folder_for(tmp_path)
    _, q3 = settle(folder, "2026Q3", tmp_path / "q3")
    p1 = q3["P1"]
    # ytd 800,000 + 400,000 + 600,000 − 100,000 = 1,700,000.
    # Silver lines 800,000 + 400,000 − 100,000 (the credit note, by its original date) = 1,100,000 at
    # Silver's band reached by 1,700,000 (over 1,000,000: 6%) = 66,000;
    # Gold lines 600,000 at Gold's band reached by 1,700,000 (over 1,500,000: 10%) = 60,000. 126,000.
    assert segments(p1) == [(JAN, JUN30, "Silver", D("1100000"), [(D("1100000"), D("0.06"))], D("66000")),
                            (JUL, None, "Gold", D("600000"), [(D("600000"), D("0.10"))], D("60000"))]
    assert p1.entitlement.amount == D("126000.00")
    # Q2 paid 1,200,000 (all Silver then) x 6% = 72,000; Q3 accrues 126,000 − 72,000 = 54,000
    # (Gold all year, as before TierHistory: 1,700,000 x 10% = 170,000, accrual 170,000 − 96,000).
    assert (p1.previously_settled, p1.accrual) == (D("72000.00"), D("54000.00"))
    # the Ledger's tier is the one in effect on the period's last day; the band shown is Gold's
    assert (p1.partner.tier, p1.entitlement.rate) == ("Gold", D("0.10"))


def test_upgrade_mid_year_incremental(tmp_path):
    folder = folder_for(tmp_path, "incremental")
    _, q3 = settle(folder, "2026Q3", tmp_path / "q3")
    p1 = q3["P1"]
    # In line order: L1 Silver 0 → 800,000: 800,000 x 5% = 40,000.
    # L2 Silver 800,000 → 1,200,000: 200,000 x 5% + 200,000 x 6% = 10,000 + 12,000.
    # L3 Gold 1,200,000 → 1,800,000: 300,000 x 8% + 300,000 x 10% = 24,000 + 30,000.
    # CN Silver (original date) 1,800,000 → 1,700,000: −100,000 x 6% = −6,000.
    # Silver: 1,000,000 x 5% = 50,000 and (200,000 − 100,000) x 6% = 6,000; Gold 24,000 + 30,000.
    assert segments(p1) == [
        (JAN, JUN30, "Silver", D("1100000"), [(D("1000000"), D("0.05")), (D("100000"), D("0.06"))], D("56000")),
        (JUL, None, "Gold", D("600000"), [(D("300000"), D("0.08")), (D("300000"), D("0.10"))], D("54000"))]
    assert p1.entitlement.amount == D("110000.00")
    # Q2: 40,000 + 22,000 = 62,000 paid; Q3: 110,000 − 62,000 = 48,000
    assert (p1.previously_settled, p1.accrual) == (D("62000.00"), D("48000.00"))


@pytest.mark.parametrize("method, q1, q2", [
    # Q1: Gold alone (the Silver span starts after Q1): 1,000,000 x 8% = 80,000.
    # Q2 all_units: Gold 1,000,000 x 10% (2,000,000 > 1,500,000) + Silver 1,000,000 x 6% = 160,000.
    ("all_units", D("80000.00"), D("160000.00")),
    # Q2 incremental: M1 Gold 0 → 1,000,000 x 8% = 80,000; M2 Silver 1,000,000 → 2,000,000 x 6% = 60,000.
    ("incremental", D("80000.00"), D("140000.00")),
], ids=["all_units", "incremental"])
def test_downgrade(tmp_path, method, q1, q2):
    folder = folder_for(tmp_path, method)
    _, first = settle(folder, "2026Q1", tmp_path / "q1")
    assert (first["P2"].entitlement.amount, first["P2"].partner.tier, first["P2"].entitlement.segments) == (
        q1, "Gold", ())
    _, second = settle(folder, "2026Q2", tmp_path / "q2")
    p2 = second["P2"]
    assert (p2.entitlement.amount, p2.previously_settled, p2.accrual, p2.partner.tier) == (
        q2, D("80000.00"), q2 - D("80000.00"), "Silver")
    assert [(s.tier, s.start, s.end, s.base) for s in p2.entitlement.segments] == [
        ("Gold", JAN, dt.date(2026, 3, 31), D("1000000")), ("Silver", dt.date(2026, 4, 1), None, D("1000000"))]


def test_ledger_tier_is_the_tier_on_the_periods_last_day_and_a_note_says_the_roster_differs(tmp_path):
    folder = folder_for(tmp_path)
    outcome, q2 = settle(folder, "2026Q2", tmp_path / "q2")
    assert q2["P1"].partner.tier == "Silver"  # roster says Gold: the upgrade is from 1 Jul
    notes = [str(p) for p in outcome.problems if not p.is_error]
    assert any("tier 'Gold' of P1 in the Partners sheet is not used for rating: its TierHistory gives 'Silver' on "
               "2026-06-30" in n for n in notes), notes
    ledger = list(openpyxl.load_workbook(outcome.out / "ledger.xlsx")["Ledger"].iter_rows(values_only=True))
    assert [r[5] for r in ledger[1:]] == ["Silver", "Silver"]


def test_a_partner_without_rows_keeps_the_roster_tier_all_year(tmp_path):
    # P2 has no rows: Silver all year; P1's rows are as above
    folder = folder_for(tmp_path, history=HISTORY[:2])
    _, q2 = settle(folder, "2026Q2", tmp_path / "q2")
    # P2 Silver: 2,000,000 x 6% = 120,000
    assert (q2["P2"].entitlement.amount, q2["P2"].entitlement.segments) == (D("120000.00"), ())


@pytest.mark.parametrize("history, partners, message", [
    (HISTORY + [("P1", "Platinum", "2026-10-01")], PARTNERS,
     "partners.xlsx:TierHistory!B6: tier 'Platinum' of P1 is not in the program's Tiers sheet (tiers: Gold, Silver)"),
    (HISTORY + [("P1", "Silver", "2026-07-01")], PARTNERS,
     "partners.xlsx:TierHistory!C6: partner P1 has a second row effective 2026-07-01 (also row 3) (a partner has one "
     "tier on a day: keep one row)"),
    (HISTORY[1:], PARTNERS,
     "partners.xlsx:TierHistory!C2: partner P1 has no TierHistory row in effect on 2026-01-01 (its first is effective "
     "2026-07-01), so its tier before then is unknown (add a row P1 | <its tier then> | 2026-01-01 (or earlier))"),
    # registered 1 Mar: a first row on 1 Mar is enough, a first row on 2 Mar is not
    ([("P1", "Silver", "2026-03-02")], [partner("P1", tier="Silver", registered_on=dt.date(2026, 3, 1))],
     "partners.xlsx:TierHistory!C2: partner P1 has no TierHistory row in effect on 2026-03-01 (its first is effective "
     "2026-03-02), so its tier before then is unknown (add a row P1 | <its tier then> | 2026-03-01 (or earlier))"),
    (HISTORY + [("P9", "Gold", "2026-01-01")], PARTNERS,
     "partners.xlsx:TierHistory!A6: partner 'P9' is not in the Partners sheet (a tier change is of a roster partner: "
     "add it there, or remove this row)"),
], ids=["unknown-tier", "two-rows-one-date", "none-at-year-start", "none-at-registration", "unknown-partner"])
def test_tier_history_errors_are_located(tmp_path, history, partners, message):
    folder = folder_for(tmp_path, history=history, partners=partners)
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")
    errors = [str(p) for p in outcome.problems if p.is_error]
    assert any(e.startswith(message) for e in errors), errors
    assert not (tmp_path / "out").exists()


def test_a_first_row_on_the_registration_day_is_enough(tmp_path):
    folder = folder_for(tmp_path, history=[("P1", "Silver", "2026-03-01")],
                        partners=[partner("P1", tier="Silver", registered_on=dt.date(2026, 3, 1))],
                        sales={"s.xlsx": [line("L2", "2026-05-10", 400000)]})
    _, q2 = settle(folder, "2026Q2", tmp_path / "q2")
    assert q2["P1"].entitlement.amount == D("20000.00")  # 400,000 x 5%


def statement(out, pid: str) -> dict:
    sheet = openpyxl.load_workbook(out / "statements" / f"{pid}.xlsx")["Statement"]
    return {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r[0]}


def trace(out, pid: str) -> list[tuple]:
    sheet = openpyxl.load_workbook(out / "audit.xlsx")["Trace"]
    return [r[1:] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == pid]


def test_statement_trace_and_explain_show_each_tier_span_all_units(tmp_path):
    from click.testing import CliRunner
    from incentives.tools.commands import explain
    outcome, _ = settle(folder_for(tmp_path), "2026Q3", tmp_path / "q3")
    page = statement(outcome.out, "P1")
    # the figures of test_upgrade_mid_year_all_units, written where a partner reads them
    assert page["  1 Jan – 30 Jun Silver"][:2] == (
        66000, "lines under Silver: 1,100,000.00 KZT; 1,100,000.00 × 6% = 66,000.00")
    assert page["  1 Jul – Gold"][:2] == (60000, "lines under Gold: 600,000.00 KZT; 600,000.00 × 10% = 60,000.00")
    assert page["Year-to-date entitlement, points"][:2] == (126000, "66,000.00 + 60,000.00 = 126,000.00")
    steps = [(step, words) for step, words, _ in trace(outcome.out, "P1")]
    assert ("segment", "2026-01-01 to 2026-06-30 Silver: 1,100,000.00 × 0.06 (its band reached by 1,700,000.00) = "
                       "66000") in steps
    assert ("segment", "2026-07-01 on Gold: 600,000.00 × 0.1 (its band reached by 1,700,000.00) = 60000") in steps
    result = CliRunner().invoke(explain, [str(outcome.out), "P1"])
    assert result.exit_code == 0, result.output
    assert "  2026-07-01 on Gold: 600,000.00 × 0.1 (its band reached by 1,700,000.00) = 60000" in result.output
    assert "every figure agrees to the cent" in result.output


def test_statement_trace_and_explain_show_each_tier_span_incremental(tmp_path):
    from click.testing import CliRunner
    from incentives.tools.commands import explain
    outcome, _ = settle(folder_for(tmp_path, "incremental"), "2026Q3", tmp_path / "q3")
    page = statement(outcome.out, "P1")
    # Silver: 1,000,000 x 5% + 100,000 x 6% = 56,000; Gold: 300,000 x 8% + 300,000 x 10% = 54,000
    assert page["  1 Jan – 30 Jun Silver"][:2] == (
        56000, "lines under Silver: 1,100,000.00 KZT; 1,000,000.00 × 5% + 100,000.00 × 6% = 56,000.00")
    assert page["  1 Jul – Gold"][:2] == (
        54000, "lines under Gold: 600,000.00 KZT; 300,000.00 × 8% + 300,000.00 × 10% = 54,000.00")
    slices = [(words, value) for step, words, value in trace(outcome.out, "P1") if step == "slice"]
    assert slices == [("Silver (0.00, 1,000,000.00]: 1,000,000.00 × 0.05 = 50000", 50000),
                      ("Silver (1,000,000.00, ∞]: 100,000.00 × 0.06 = 6000", 6000),
                      ("Gold (0.00, 1,500,000.00]: 300,000.00 × 0.08 = 24000", 24000),
                      ("Gold (1,500,000.00, ∞]: 300,000.00 × 0.1 = 30000", 30000)]
    result = CliRunner().invoke(explain, [str(outcome.out), "P1"])
    assert result.exit_code == 0, result.output
    assert "every figure agrees to the cent" in result.output, result.output


def test_russian_statement_names_the_months(tmp_path):
    partners = [partner("P1", tier="Gold", language="ru"), partner("P2", tier="Silver")]
    outcome, _ = settle(folder_for(tmp_path, partners=partners), "2026Q3", tmp_path / "q3")
    page = statement(outcome.out, "P1")
    assert page["  1 янв. – 30 июн. Silver"][:2] == (
        66000, "строки уровня Silver: 1\u00a0100\u00a0000,00 KZT; 1\u00a0100\u00a0000,00 × 6% = 66\u00a0000,00")
    assert "  1 июл. – Gold" in page  # babel's abbreviations (issue 18: dates through the locale library)


def test_tier_history_read_under_its_russian_sheet_name_and_headers(tmp_path):
    from tests.builders import add_sheet, new_book
    folder = folder_for(tmp_path)
    book = new_book(folder / "partners.xlsx")
    add_sheet(book, "Партнеры", PARTNERS)
    add_sheet(book, "История уровней", [{"ID партнера": p, "Уровень": t, "Действует с": dt.date.fromisoformat(d)}
                                        for p, t, d in HISTORY])
    book.close()
    _, q3 = settle(folder, "2026Q3", tmp_path / "q3")
    assert q3["P1"].entitlement.amount == D("126000.00")  # as in test_upgrade_mid_year_all_units
