"""Properties of tiers that change and of carried claw-backs, for any inputs (hypothesis).

- With no TierHistory rows and `clawback = net`, the ledger's columns that existed before are what
  the contract's rule gives from the lines alone (ytd_base at the roster tier's bands, settled = the
  entitlement at the previous period's end), the same with or without the empty TierHistory sheet and
  the `clawback` key; the carried columns are 0 and `payment` = `total_payable`.
- A TierHistory that keeps each partner at its roster tier changes nothing.
- Under `carry_forward` the payments of the year add up to what the year earned.
- The payments file of a close totals the ledger's `payment`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentives import pipeline
from incentives.model import RateBand
from incentives.money import round_money
from incentives.periods import parse_period
from incentives.problems import Source
from incentives.rates import entitle
from tests.builders import line, make_inputs, partner

SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
D = Decimal
BANDS = [("*", 0, "0.02"), ("*", 3000000, "0.04"), ("Gold", 0, "0.03"), ("Gold", 1000000, "0.05")]
TIERS = [("Primary", 1), ("Gold", 2)]
PARTNERS = [partner("P1"), partner("P2", tier="Gold")]
cents = st.integers(min_value=-150_000_000, max_value=400_000_000).map(lambda c: D(c) / 100)
dates = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31))
drawn_lines = st.lists(st.tuples(st.sampled_from(["P1", "P2"]), dates, cents), min_size=1, max_size=20)


def _bands(tier: str) -> tuple[RateBand, ...]:
    own = [b for b in BANDS if b[0] == tier] or [b for b in BANDS if b[0] == "*"]
    return tuple(RateBand(t, D(o), D(r), Source("test")) for t, o, r in own)


def _sales(drawn):
    return {"s.xlsx": [line(f"I{i}", d, a, pid=p) for i, (p, d, a) in enumerate(drawn)]}


def _run(folder, drawn, period, **more):
    make_inputs(folder, _sales(drawn), partners=PARTNERS, bands=BANDS, tiers=TIERS, **more)
    outcome = pipeline.run(folder, parse_period(period), folder.with_name(folder.name + "-" + period))
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome


EXISTING = ("period_base", "ytd_base", "ytd_rate", "ytd_entitlement", "previously_settled", "accrual", "bonus",
            "total_payable", "included_lines", "excluded_lines", "excluded_amount")


def _ledger(outcome) -> list[dict]:
    sheet = list(openpyxl.load_workbook(outcome.out / "ledger.xlsx")["Ledger"].iter_rows(values_only=True))
    return [dict(zip(sheet[0], r)) for r in sheet[1:]]


@SLOW
@given(drawn_lines, st.sampled_from(["2026Q1", "2026Q3", "2026Q4"]), st.sampled_from(["all_units", "incremental"]))
def test_without_tier_history_and_under_net_the_ledger_is_as_before(tmp_path_factory, drawn, period, method):
    plain = _run(tmp_path_factory.mktemp("plain"), drawn, period, program={"tier_method": method})
    explicit = _run(tmp_path_factory.mktemp("explicit"), drawn, period,
                    program={"tier_method": method, "clawback": "net"}, tier_history=[])
    assert _ledger(plain) == _ledger(explicit)
    p = parse_period(period)
    earlier_end = p.start - dt.timedelta(days=1)
    for row in explicit.settlement.rows:
        pid, tier = row.partner.partner_id, row.partner.tier
        # the contract's rule from the drawn lines alone (every line is of a roster partner, in the year)
        mine = [(d, a) for q, d, a in drawn if q == pid]
        ytd = sum((a for d, a in mine if d <= p.end), D(0))
        before = sum((a for d, a in mine if d <= earlier_end), D(0))
        owed = round_money(entitle(_bands(tier), ytd, method, "half_up").exact, "half_up")
        settled = round_money(entitle(_bands(tier), before, method, "half_up").exact, "half_up") if p.index > 1 \
            else D(0)
        assert (row.totals.ytd_base, row.entitlement.amount, row.previously_settled, row.accrual) == (
            ytd, owed, settled, owed - settled)
        assert (row.carried_in, row.carried_out, row.net_due, row.payment) == (0, 0, row.total_payable,
                                                                                row.total_payable)


@SLOW
@given(drawn_lines, st.sampled_from(["all_units", "incremental"]))
def test_a_history_that_keeps_the_roster_tier_changes_nothing(tmp_path_factory, drawn, method):
    roster = _run(tmp_path_factory.mktemp("roster"), drawn, "2026Q3", program={"tier_method": method})
    kept = _run(tmp_path_factory.mktemp("kept"), drawn, "2026Q3", program={"tier_method": method},
                tier_history=[("P1", "Primary", "2025-01-01"), ("P1", "Primary", "2026-05-01"),
                              ("P2", "Gold", "2026-01-01")])
    assert _ledger(roster) == _ledger(kept)


@SLOW
@given(drawn_lines, st.sampled_from(["all_units", "incremental"]))
def test_under_carry_forward_the_years_payments_add_up_to_what_it_earned(tmp_path_factory, drawn, method):
    folder = tmp_path_factory.mktemp("year")
    paid: dict[str, Decimal] = {}
    for q in range(1, 5):
        outcome = _run(folder, drawn, f"2026Q{q}", program={"tier_method": method, "clawback": "carry_forward"},
                       tier_history=[("P1", "Primary", "2026-01-01"), ("P1", "Gold", "2026-07-01"),
                                     ("P2", "Gold", "2026-01-01")])
        for row in outcome.settlement.rows:
            paid[row.partner.partner_id] = paid.get(row.partner.partner_id, D(0)) + row.payment
            # nothing is carried out of the last period, and only a negative balance is carried
            assert row.carried_out <= 0 and (q < 4 or row.carried_out == 0)
    year = {r.partner.partner_id: r.entitlement.amount for r in outcome.settlement.rows}
    assert paid == year


@SLOW
@given(drawn_lines, st.sampled_from(["net", "carry_forward"]))
def test_the_payments_file_totals_the_ledgers_payment(tmp_path_factory, drawn, clawback):
    folder = tmp_path_factory.mktemp("close")
    register = folder.parent / (folder.name + "-register") / "register.sqlite"
    for q in (1, 2):
        make_inputs(folder, _sales(drawn), partners=[partner("P1", vendor_id="V1"), partner("P2", tier="Gold")],
                    bands=BANDS, tiers=TIERS, program={"clawback": clawback})
        outcome = pipeline.run(folder, parse_period(f"2026Q{q}"), folder.parent / f"{folder.name}-q{q}",
                               register=register)
        assert outcome.ok, [str(p) for p in outcome.problems]
        closing = pipeline.close(outcome.out, register)
        assert closing.ok, [str(p) for p in closing.problems]
        rows = list(openpyxl.load_workbook(closing.payments)["Payments"].iter_rows(min_row=2, values_only=True))
        ledger = {r.partner.partner_id: r.payment for r in outcome.settlement.rows}
        assert sum(D(str(r[6])) for r in rows) == sum(ledger.values())
        assert {r[2]: (D(str(r[6])), r[7]) for r in rows} == {
            pid: (v, "pay" if v > 0 else "recover") for pid, v in ledger.items() if v}
