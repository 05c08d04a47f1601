"""tiers.py and rates.entitle_spans: the tier in effect from TierHistory rows, the year cut into
spans of one tier, each line's move of the cumulative base, and the spans rated under all_units
and incremental; then settle's carried columns (claw-backs carried forward). Figures by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import polars as pl
import pytest

from incentives import tiers
from incentives.model import TierChange
from incentives.periods import parse_period
from incentives.rates import Entitlement, Segment, Slice, entitle_spans
from incentives.pipeline import compute
from incentives.settle import LedgerRow, carries
from incentives.tiers import Span
from tests.inline import HERE, band, bonus, inputs, partner, program, rows, sale

D = Decimal
d = dt.date.fromisoformat

# Silver: 0 -> 1%, 1,000 -> 2%; Gold: 0 -> 2%, 1,000 -> 4%
BANDS = (band(0, "0.01", "Silver"), band(1000, "0.02", "Silver"), band(0, "0.02", "Gold"), band(1000, "0.04", "Gold"))
PROGRAM = program(bands=BANDS, tiers=(("Silver", 1), ("Gold", 2)))


def change(tier, day, pid="P1") -> TierChange:
    return TierChange(pid, tier, d(day), HERE)


# P1: Silver from mid-2025 (so on 1 January), Silver again from 1 March (no new span), Gold from 1 May,
# Platinum from 2027 (after the program year): given out of order
HISTORY = (change("Gold", "2026-05-01"), change("Platinum", "2027-01-01"), change("Silver", "2025-06-01"),
           change("Silver", "2026-03-01"))
TWO = (Span(d("2026-01-01"), d("2026-04-30"), "Silver"), Span(d("2026-05-01"), None, "Gold"))


def test_histories_group_each_partners_rows_by_date():
    given = replace(inputs([]), tier_history=(*HISTORY, change("Gold", "2026-02-01", "P2")))
    found = tiers.histories(given)
    assert [c.effective_from for c in found["P1"]] == [d("2025-06-01"), d("2026-03-01"), d("2026-05-01"),
                                                       d("2027-01-01")]
    assert [c.tier for c in found["P2"]] == ["Gold"]
    assert set(found) == {"P1", "P2"}
    assert tiers.histories(inputs([])) == {}


@pytest.mark.parametrize("day, tier", [
    ("2025-01-01", "Silver"),  # before every row: the first row's
    ("2026-04-30", "Silver"),
    ("2026-05-01", "Gold"),  # on its effective_from
    ("2026-12-31", "Gold"),
    ("2027-01-01", "Platinum"),
])
def test_tier_on_a_day_is_the_latest_row_effective_on_or_before_it(day, tier):
    history = tiers.histories(replace(inputs([]), tier_history=HISTORY))["P1"]
    assert tiers.tier_on(history, d(day)) == tier


def test_spans_cut_the_year_where_the_tier_changes():
    history = tiers.histories(replace(inputs([]), tier_history=HISTORY))["P1"]
    # 1 March repeats Silver (one span); Platinum from 2027 is not of the year
    assert tiers.spans(history, 2026) == TWO


def test_spans_of_changes_on_the_years_first_and_last_day():
    # Gold from 1 January itself (a Silver row before it), Silver from 31 December
    history = (change("Silver", "2025-01-01"), change("Gold", "2026-01-01"), change("Silver", "2026-12-31"))
    assert tiers.spans(history, 2026) == (Span(d("2026-01-01"), d("2026-12-30"), "Gold"),
                                          Span(d("2026-12-31"), None, "Silver"))
    # a history that starts after 1 January: its first row's tier covers the days before it
    assert tiers.spans((change("Gold", "2026-03-01"),), 2026) == (Span(d("2026-01-01"), None, "Gold"),)
    # three spans: each ends the day before the next starts
    history = (change("Silver", "2026-01-01"), change("Gold", "2026-05-01"), change("Silver", "2026-09-01"))
    assert tiers.spans(history, 2026) == (Span(d("2026-01-01"), d("2026-04-30"), "Silver"),
                                          Span(d("2026-05-01"), d("2026-08-31"), "Gold"),
                                          Span(d("2026-09-01"), None, "Silver"))


def test_in_effect_puts_the_tier_of_the_day_on_the_roster():
    given = replace(inputs([], [partner("P1", tier="Silver"), partner("P2", tier="Silver")]), tier_history=HISTORY)
    assert [(p.partner_id, p.tier) for p in tiers.in_effect(given, d("2026-04-30"))] == [("P1", "Silver"),
                                                                                         ("P2", "Silver")]
    assert [(p.partner_id, p.tier) for p in tiers.in_effect(given, d("2026-05-01"))] == [("P1", "Gold"),
                                                                                         ("P2", "Silver")]


def lines_frame(*rows) -> pl.DataFrame:
    """(partner_id, invoice_id, line_no, invoice_date, original_invoice_date, base_amount, outcome) per line."""
    return pl.DataFrame([dict(partner_id=p, invoice_id=i, line_no=n, invoice_date=d(day),
                              original_invoice_date=d(orig) if orig else None, base_amount=D(str(a)), outcome=o)
                         for p, i, n, day, orig, a, o in rows],
                        schema={"partner_id": pl.String, "invoice_id": pl.String, "line_no": pl.Int64,
                                "invoice_date": pl.Date, "original_invoice_date": pl.Date,
                                "base_amount": pl.Decimal(38, 10), "outcome": pl.String}, orient="row")


def test_moves_place_each_included_line_in_the_span_of_its_rating_date():
    # P1's spans: 0 Silver to 30 April, 1 Gold from 1 May. In line order (date, invoice, line_no), the invoice
    # ids not in date order, the frame in neither:
    #   M 1 Feb 100 and K 1 Mar 50: span 0, added together: (0, 150)
    #   J 1 Jun 200: (1, 200)
    #   H 15 Jun -30, a credit of a sale of 10 Feb: span 0; G 1 Aug -20, of a sale of 2025: 1 January, span 0
    #   on 1 Sep: invoice A 40 (span 1), invoice B -10 crediting a sale of 2 Feb (span 0): (1, 40), (0, -10);
    #   invoice X line 1 7 (span 1), line 2 -3 crediting a sale of 3 Feb (span 0): (1, 7), (0, -3)
    #   E excluded, and P2 (no history) are no moves.
    # P3 has history (Gold, then Silver from 1 March) but no line: (). P4 is Silver, Gold from 2 January: its
    # credit of a sale of 2025 is rated on 1 January: Silver's span.
    frame = lines_frame(("P1", "X", 2, "2026-09-01", "2026-02-03", -3, "included"),
                        ("P1", "J", 1, "2026-06-01", None, 200, "included"),
                        ("P1", "B", 1, "2026-09-01", "2026-02-02", -10, "included"),
                        ("P1", "G", 1, "2026-08-01", "2025-11-01", -20, "included"),
                        ("P4", "C", 1, "2026-03-01", "2025-12-15", -5, "included"),
                        ("P2", "P", 1, "2026-02-01", None, 5, "included"),
                        ("P1", "M", 1, "2026-02-01", None, 100, "included"),
                        ("P1", "E", 1, "2026-07-01", None, 999, "UNKNOWN_PARTNER"),
                        ("P1", "H", 1, "2026-06-15", "2026-02-10", -30, "included"),
                        ("P1", "A", 1, "2026-09-01", None, 40, "included"),
                        ("P1", "X", 1, "2026-09-01", None, 7, "included"),
                        ("P1", "K", 1, "2026-03-01", None, 50, "included"))
    given = replace(inputs([], [partner(p) for p in ("P1", "P2", "P3", "P4")]),
                    tier_history=(*HISTORY, change("Gold", "2026-01-01", "P3"), change("Silver", "2026-03-01", "P3"),
                                  change("Silver", "2025-01-01", "P4"), change("Gold", "2026-01-02", "P4")))
    # H and G: -50 in span 0, after J; P1's 1 March line is in its own Silver span, not in P3's span 1
    assert tiers.moves(frame, given) == {
        "P1": ((0, D(150)), (1, D(200)), (0, D(-50)), (1, D(40)), (0, D(-10)), (1, D(7)), (0, D(-3))),
        "P3": (), "P4": ((0, D(-5)),)}
    assert tiers.moves(frame, inputs([])) == {}  # no TierHistory: no partner rated by spans


def bands_for(tier):
    return PROGRAM.bands_for(tier)


def test_all_units_rates_each_spans_base_at_its_tiers_band_reached_by_the_whole_base():
    # moves 600 (Silver), 700 (Gold), -100 (Silver, a return moving the base down): base 1,200;
    # Silver's span 500 at Silver's band reached by 1,200 (2%) = 10; Gold's 700 at 4% = 28; 38
    got = entitle_spans(TWO, bands_for, "Gold", [(0, D(600)), (1, D(700)), (0, D(-100))], "all_units", "half_up",
                        d("2026-09-30"))
    assert (got.base, got.exact, got.amount, got.slices) == (D(1200), D(38), D("38.00"), ())
    assert (got.band, got.next_band, got.rate) == (BANDS[3], None, D("0.04"))  # the Gold band: the tier now
    assert got.segments == (
        Segment(d("2026-01-01"), d("2026-04-30"), "Silver", D(500), (Slice(D(1000), None, D(500), D("0.02")),)),
        Segment(d("2026-05-01"), None, "Gold", D(700), (Slice(D(1000), None, D(700), D("0.04")),)))


def test_all_units_under_the_first_band_and_over_none():
    # base 900: Silver's 1% on 300, Gold's 2% on 600: 3 + 12 = 15; next band Gold's 1,000, 100.01 away
    got = entitle_spans(TWO, bands_for, "Gold", [(0, D(300)), (1, D(600))], "all_units", "half_up", d("2026-09-30"))
    assert (got.exact, got.band, got.next_band, got.to_next_band) == (D(15), BANDS[2], BANDS[3], D("100.01"))
    # base -50 (a return larger than the sales): over no band, nothing earned
    got = entitle_spans(TWO, bands_for, "Gold", [(0, D(50)), (1, D(-100))], "all_units", "half_up", d("2026-09-30"))
    assert (got.base, got.exact, got.band, got.next_band) == (D(-50), D(0), None, BANDS[2])
    assert [s.slices for s in got.segments] == [(), ()]


def test_incremental_rates_each_move_band_by_band_at_its_spans_tier():
    # the same moves from 0: 600 in Silver fills 0-1,000 to 600 (1%: 6);
    # 700 in Gold: 400 more of 0-1,000 (2%: 8) and 300 over 1,000 (4%: 12);
    # -100 in Silver: back from 1,300 to 1,200, all over 1,000 (Silver's 2%: -2). Silver 6 - 2 = 4, Gold 20: 24
    got = entitle_spans(TWO, bands_for, "Gold", [(0, D(600)), (1, D(700)), (0, D(-100))], "incremental",
                        "half_up", d("2026-09-30"))
    assert (got.base, got.exact, got.amount) == (D(1200), D(24), D("24.00"))
    assert got.segments == (
        Segment(d("2026-01-01"), d("2026-04-30"), "Silver", D(500),
                (Slice(D(0), D(1000), D(600), D("0.01")), Slice(D(1000), None, D(-100), D("0.02")))),
        Segment(d("2026-05-01"), None, "Gold", D(700),
                (Slice(D(0), D(1000), D(400), D("0.02")), Slice(D(1000), None, D(300), D("0.04")))))


def test_incremental_slices_are_in_band_order_and_a_band_back_to_nothing_is_left_out():
    # 1,000 in Gold (0-1,000 at 2%: 20); 200 in Silver (over 1,000 at 2%: 4, the first key of Silver's span);
    # -700 in Gold: 1,200 -> 500: -200 over 1,000 (4%: -8) and -500 of 0-1,000 (2%: -10);
    # 100 in Silver: 500 -> 600 in 0-1,000 (1%: 1). Silver: 1 + 4 = 5; Gold: 1,000 - 500 = 500 at 2% = 10 and
    # -200 at 4% = -8: 2. Then +400 in Gold and -400 in Gold: 600 -> 1,000 -> 600, nothing left in a Gold band
    got = entitle_spans(TWO, bands_for, "Gold", [(1, D(1000)), (0, D(200)), (1, D(-700)), (0, D(100))],
                        "incremental", "half_up", d("2026-09-30"))
    assert got.exact == D(7)
    assert [s.slices for s in got.segments] == [
        (Slice(D(0), D(1000), D(100), D("0.01")), Slice(D(1000), None, D(200), D("0.02"))),
        (Slice(D(0), D(1000), D(500), D("0.02")), Slice(D(1000), None, D(-200), D("0.04")))]
    back = entitle_spans(TWO, bands_for, "Gold", [(1, D(600)), (0, D(300)), (0, D(-300))], "incremental", "half_up",
                         d("2026-09-30"))
    # Silver: +300 and -300 of 0-1,000 add up to nothing: no slice; Gold 600 at 2% = 12
    assert [s.slices for s in back.segments] == [(), (Slice(D(0), D(1000), D(600), D("0.02")),)]
    assert back.exact == D(12)


@pytest.mark.parametrize("rounding, amount", [("half_up", "0.01"), ("half_even", "0.00")])
def test_a_single_span_shown_is_the_whole_years_entitlement_rounded_once(rounding, amount):
    # until 31 March: Gold's span starts after it and holds nothing: shown as Silver's alone, its slices;
    # 0.25 + 0.25 at 1% = 0.005: rounded once
    got = entitle_spans(TWO, bands_for, "Silver", [(0, D("0.25")), (0, D("0.25"))], "incremental", rounding,
                        d("2026-03-31"))
    assert (got.base, got.exact, got.amount, got.segments) == (D("0.50"), D("0.005"), D(amount), ())
    assert (got.band, got.next_band) == (BANDS[0], BANDS[1])  # Silver's, 999.51 short of its second band
    assert got.slices == (Slice(D(0), D(1000), D("0.50"), D("0.01")),)
    assert got.band == BANDS[0]


THREE = (Span(d("2026-01-01"), d("2026-04-30"), "Silver"), Span(d("2026-05-01"), d("2026-08-31"), "Gold"),
         Span(d("2026-09-01"), None, "Silver"))


def test_a_change_after_the_period_is_not_shown_and_the_last_span_shown_runs_on():
    moves = [(0, D(100)), (1, D(100))]
    # 30 June: the September span is not shown; Gold's, shown last, runs on (its change after the period is not
    # this period's). Silver 100 at 1% + Gold 100 at 2% (all_units, base 200) = 3
    got = entitle_spans(THREE, bands_for, "Gold", moves, "all_units", "half_up", d("2026-06-30"))
    assert [(s.start, s.end, s.tier) for s in got.segments] == [(d("2026-01-01"), d("2026-04-30"), "Silver"),
                                                                (d("2026-05-01"), None, "Gold")]
    assert got.exact == D(3)
    # 31 August, the Gold span's last day: it keeps its end
    got = entitle_spans(THREE, bands_for, "Gold", moves, "all_units", "half_up", d("2026-08-31"))
    assert [s.end for s in got.segments] == [d("2026-04-30"), d("2026-08-31")]
    # 30 September: all three; the last ends with the year
    got = entitle_spans(THREE, bands_for, "Silver", moves, "all_units", "half_up", d("2026-09-30"))
    assert [s.end for s in got.segments] == [d("2026-04-30"), d("2026-08-31"), None]
    assert got.band == BANDS[0]  # Silver's band for the base of 200
    # a span after the period that holds a base is shown (a line rated by a later tier)
    got = entitle_spans(THREE, bands_for, "Gold", [(0, D(100)), (2, D(100))], "all_units", "half_up",
                        d("2026-06-30"))
    assert [s.tier for s in got.segments] == ["Silver", "Gold", "Silver"]
    # ... even when it earned nothing: base -100 + 50 = -50 is over no band, yet September's 50 is shown
    got = entitle_spans(THREE, bands_for, "Gold", [(0, D(-100)), (2, D(50))], "all_units", "half_up",
                        d("2026-06-30"))
    assert [(s.tier, s.base, s.exact) for s in got.segments] == [("Silver", D(-100), 0), ("Gold", 0, 0),
                                                                 ("Silver", D(50), 0)]
    assert got.segments[1].end == d("2026-08-31")  # not the last shown: it keeps its end


def test_a_span_that_starts_on_the_periods_last_day_is_shown():
    # Gold from 30 June, the period's last day, no line in it yet: two spans shown, Silver's 100 at 1% = 1
    spans = (Span(d("2026-01-01"), d("2026-06-29"), "Silver"), Span(d("2026-06-30"), None, "Gold"))
    got = entitle_spans(spans, bands_for, "Gold", [(0, D(100))], "all_units", "half_up", d("2026-06-30"))
    assert [(s.tier, s.base) for s in got.segments] == [("Silver", D(100)), ("Gold", 0)]
    assert (got.exact, got.slices) == (D(1), ())


def test_of_four_spans_the_last_shown_runs_on_the_others_keep_their_ends():
    # until 31 July: the first three shown, the third (to 31 August) runs on; the fourth (September) not shown
    spans = (Span(d("2026-01-01"), d("2026-03-31"), "Silver"), Span(d("2026-04-01"), d("2026-06-30"), "Gold"),
             Span(d("2026-07-01"), d("2026-08-31"), "Silver"), Span(d("2026-09-01"), None, "Gold"))
    got = entitle_spans(spans, bands_for, "Silver", [(0, D(100)), (1, D(100)), (2, D(100))], "all_units",
                        "half_up", d("2026-07-31"))
    # base 300: Silver 1%, Gold 2%: 1 + 2 + 1 = 4
    assert [(s.start, s.end, s.tier) for s in got.segments] == [
        (d("2026-01-01"), d("2026-03-31"), "Silver"), (d("2026-04-01"), d("2026-06-30"), "Gold"),
        (d("2026-07-01"), None, "Silver")]
    assert got.exact == D(4)


# ---------------------------------------------------------------- settle with TierHistory


def test_settle_rates_a_partner_per_span_and_recomputes_what_was_settled_the_same_way():
    # P1 Silver on the roster; Gold from 1 May. Feb 600, Jun 700, and in July a credit of -100 of the February sale.
    # Q3 (all_units): base 1,200: Silver's 600 - 100 = 500 at 2% = 10, Gold's 700 at 4% = 28: 38.
    # Settled to Q2 (recomputed): base 1,300: 600 at Silver's 2% = 12, 700 at 4% = 28: 40. Accrual 38 - 40 = -2
    given = replace(inputs([sale("F", "2026-02-10", 600), sale("J", "2026-06-10", 700),
                            sale("C", "2026-07-10", -100, original_invoice_date=d("2026-02-10"))],
                           [partner("P1", tier="Silver")], PROGRAM),
                    tier_history=(change("Silver", "2026-01-01"), change("Gold", "2026-05-01")))
    row = rows(compute(given, parse_period("2026Q3")))["P1"]
    assert (row.entitlement.amount, row.previously_settled, row.accrual) == (D("38.00"), D("40.00"), D("-2.00"))
    assert row.partner.tier == "Gold"
    assert (row.entitlement.band, row.entitlement.next_band) == (BANDS[3], None)  # Gold's, the tier on 30 September
    # Q1: only the February sale, in Silver's span alone: 600 at 1% = 6
    row = rows(compute(given, parse_period("2026Q1")))["P1"]
    assert (row.entitlement.amount, row.entitlement.segments, row.partner.tier) == (D("6.00"), (), "Silver")


# ---------------------------------------------------------------- carried columns


def ledger_row(amount, settled, bonus="0", carried_in="0", carries_=True) -> LedgerRow:
    owed = Entitlement(D(0), None, None, (), D(amount), D(amount))
    return LedgerRow(partner("P1"), None, owed, D(settled), D(bonus), D(carried_in), carries_)


@pytest.mark.parametrize("amount, settled, bonus, carried_in, carries_, net_due, carried_out, payment", [
    # 100 - 150 = -50 accrual, + 20 bonus = -30, + -30 carried in = -60: carried, nothing paid
    ("100", "150", "20", "-30", True, "-60", "-60", "0"),
    # the same in the year's last period (or under net): claimed back
    ("100", "150", "20", "-30", False, "-60", "0", "-60"),
    # net_due exactly 0: nothing carried
    ("100", "70", "0", "-30", True, "0", "0", "0"),
    # what is earned pays the claw-back carried in first: 200 - 0 + 0 - 50 = 150 paid
    ("200", "0", "0", "-50", True, "150", "0", "150"),
])
def test_net_due_carried_out_and_payment(amount, settled, bonus, carried_in, carries_, net_due, carried_out, payment):
    row = ledger_row(amount, settled, bonus, carried_in, carries_)
    assert row.total_payable == D(amount) - D(settled) + D(bonus)
    assert (row.net_due, row.carried_out, row.payment) == (D(net_due), D(carried_out), D(payment))


@pytest.mark.parametrize("clawback, period, carried", [
    ("carry_forward", "2026Q3", True), ("carry_forward", "2026Q4", False), ("carry_forward", "2026-11", True),
    ("carry_forward", "2026-12", False), ("carry_forward", "2026Q4-S1", False), ("net", "2026Q3", False)])
def test_a_negative_net_due_is_carried_under_carry_forward_but_the_years_last_period(clawback, period, carried):
    kind = "month" if "-" in period and "S" not in period else "quarter"
    assert carries(inputs([], program_=program(clawback=clawback, period=kind)), parse_period(period)) is carried


# P1: Q1 100,000 (2% = 2,000 paid); Q2 a return of 150,000: the year's base -50,000 earns 0, accrual -2,000;
# Q3 50,000 more: base 0, still 0; Q4 200,000: base 200,000 earns 4,000
CLAWED = [sale("Q1", "2026-02-10", 100000), sale("Q2", "2026-05-10", -150000), sale("Q3", "2026-08-10", 50000),
          sale("Q4", "2026-11-10", 200000)]


@pytest.mark.parametrize("period, entitled, settled, carried_in, net_due, carried_out, payment", [
    ("2026Q1", "2000.00", "0", "0", "2000.00", "0", "2000.00"),
    # 0 - 2,000 = -2,000, carried: paid 0
    ("2026Q2", "0.00", "2000.00", "0", "-2000.00", "-2000.00", "0"),
    # accrual 0 - 0; Q2's -2,000 carried in and on
    ("2026Q3", "0.00", "0.00", "-2000.00", "-2000.00", "-2000.00", "0"),
    # 4,000 - 0 = 4,000 less the -2,000 carried in: 2,000 paid; the year's last period carries nothing
    ("2026Q4", "4000.00", "0.00", "-2000.00", "2000.00", "0", "2000.00"),
])
def test_a_claw_back_is_carried_period_by_period_recomputed(period, entitled, settled, carried_in, net_due,
                                                            carried_out, payment):
    given = inputs(CLAWED, program_=program(clawback="carry_forward"))
    row = rows(compute(given, parse_period(period)))["P1"]
    assert (row.entitlement.amount, row.previously_settled, row.carried_in) == (D(entitled), D(settled), D(carried_in))
    assert (row.net_due, row.carried_out, row.payment) == (D(net_due), D(carried_out), D(payment))


def test_under_net_a_claw_back_is_claimed_at_once_and_nothing_carried():
    given = inputs(CLAWED)
    q2 = rows(compute(given, parse_period("2026Q2")))["P1"]
    q3 = rows(compute(given, parse_period("2026Q3")))["P1"]
    assert (q2.carried_in, q2.net_due, q2.carried_out, q2.payment) == (D(0), D(-2000), D(0), D(-2000))
    assert (q3.carried_in, q3.payment) == (D(0), D(0))


def test_carried_given_by_the_register_or_a_ledger_replaces_the_recomputation():
    # Q3 with -500 carried in (not the recomputed -2,000) and 0 settled: 0 - 0 - 500 = -500 carried on
    given = inputs(CLAWED, [partner("P1"), partner("P2")], program(clawback="carry_forward"))
    settlement = compute(given, parse_period("2026Q3"), {"P1": D(0)}, carried={"P1": D(-500)})
    got = rows(settlement)
    assert (got["P1"].carried_in, got["P1"].net_due, got["P1"].carried_out) == (D(-500), D(-500), D(-500))
    assert (got["P2"].carried_in, got["P2"].payment) == (D(0), D(0))  # no line, nothing carried


def test_bonuses_of_an_earlier_period_offset_the_claw_back_it_carries():
    # Two quarterly bonuses, 300 and 200, each to the one partner (min_base -1,000,000 lets a negative quarter win).
    # Q1: 100,000 x 2% = 2,000 + 500 of bonuses. Q2: a return of 150,000: base -50,000 earns 0: 0 - 2,000 + 500
    # = -1,500 carried. Q3's carried_in: -1,500
    best = [bonus("Best", period="quarter", amount="300", min_base="-1000000"),
            bonus("Second", period="quarter", amount="200", min_base="-1000000")]
    given = inputs(CLAWED, program_=program(clawback="carry_forward", bonuses=best))
    q2 = rows(compute(given, parse_period("2026Q2")))["P1"]
    assert (q2.bonus, q2.total_payable, q2.carried_out) == (D(500), D(-1500), D(-1500))
    q3 = rows(compute(given, parse_period("2026Q3")))["P1"]
    assert q3.carried_in == D(-1500)


def test_a_period_that_paid_something_carries_nothing():
    # Q1: 25 x 2% = 0.50 paid; Q2: no line, nothing carried in
    given = inputs([sale("Q1", "2026-02-10", 25)], program_=program(clawback="carry_forward"))
    q2 = rows(compute(given, parse_period("2026Q2")))["P1"]
    assert (q2.previously_settled, q2.carried_in, q2.payment) == (D("0.50"), D(0), D(0))


def test_a_claw_back_carried_is_recomputed_per_span_of_tier():
    # P1 Silver, Gold from 1 May. Q1: 600 at Silver's 1% = 6. Q2: a credit of the February sale (-600): base 0,
    # 0 - 6 = -6 carried; Q3's carried_in -6
    given = replace(inputs([sale("F", "2026-02-10", 600),
                            sale("C", "2026-05-10", -600, original_invoice_date=d("2026-02-10"))],
                           [partner("P1", tier="Silver")], replace(PROGRAM, clawback="carry_forward")),
                    tier_history=(change("Silver", "2026-01-01"), change("Gold", "2026-05-01")))
    q3 = rows(compute(given, parse_period("2026Q3")))["P1"]
    assert (q3.previously_settled, q3.carried_in, q3.carried_out) == (D(0), D(-6), D(-6))


def test_a_bonus_by_tier_groups_partners_by_the_tier_in_effect_at_the_periods_end():
    # P1 Silver on the roster, Gold from 1 May; P2 Gold all year. A yearly bonus per tier in Q4: P1 (1,000) and
    # P2 (500) are both Gold on 31 December: P1 wins the Gold group; no Silver group
    given = replace(inputs([sale("A", "2026-02-10", 1000), sale("B", "2026-02-10", 500, pid="P2")],
                           [partner("P1", tier="Silver"), partner("P2", tier="Gold")],
                           replace(PROGRAM, bonuses=(bonus("Best", scope="tier", amount="100"),))),
                    tier_history=(change("Silver", "2026-01-01"), change("Gold", "2026-05-01")))
    settlement = compute(given, parse_period("2026Q4"))
    assert [(a.group, a.partner_id, a.amount) for a in settlement.awards] == [("Gold", "P1", D(100))]
    assert settlement.unawarded == ()


def test_a_supplement_awards_nothing_and_says_what_its_lines_would_award():
    # 2026Q4-S1: the yearly bonus P1 would win (1,000 fixed) is unawarded, not paid
    given = inputs([sale("A", "2026-02-10", 1000)], program_=program(bonuses=(bonus(),)))
    settlement = compute(given, parse_period("2026Q4-S1"))
    assert settlement.awards == ()
    assert [(a.partner_id, a.amount) for a in settlement.unawarded] == [("P1", D(1000))]
    assert rows(settlement)["P1"].bonus == D(0)
