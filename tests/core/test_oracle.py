"""The engine against an independent slow computation: plain Decimal loops over the lines, as the
contract words each rule, for a few partners and any lines (hypothesis).

Nothing here calls the engine's helpers: the oracle classifies, converts, sums, rates, settles and
awards by itself, so a bug in any stage shows as a difference.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.inline import band, bonus, inputs, partner, program, rows, sale, settled

D = Decimal
CENT = D("0.01")
MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
USD = D("480.125")  # KZT per USD, every month
# Primary partners: 0 -> 2%, 3,000,000 -> 4%; Gold partners their own: 0 -> 3%, 1,000,000 -> 5%.
BANDS = {"Primary": [(D(0), D("0.02")), (D(3000000), D("0.04"))], "Gold": [(D(0), D("0.03")), (D(1000000), D("0.05"))]}
REGISTERED = {"P1": dt.date(2025, 1, 1), "P2": dt.date(2026, 4, 1), "P3": dt.date(2025, 6, 1)}
TIER = {"P1": "Primary", "P2": "Primary", "P3": "Gold"}
WINNERS, AWARD = 2, D(1000)  # a quarterly bonus: 1,000 to each of the best two of the quarter

ROSTER = [partner("P1"), partner("P2", registered_on="2026-04-01"), partner("P3", tier="Gold", registered_on="2025-06-01")]


def quarter(q: int) -> tuple[dt.date, dt.date]:
    start = dt.date(2026, 3 * q - 2, 1)
    end = dt.date(2026, 12, 31) if q == 4 else dt.date(2026, 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


def in_base(line: dict, rounding: str) -> Decimal:
    exact = line["net_amount"] * (USD if line["currency"] == "USD" else 1)
    return exact.quantize(CENT, rounding=MODES[rounding])


def outcomes(lines: list[dict], end: dt.date) -> list[bool]:
    """Whether each line is included as of `end`."""
    seen, out = set(), []
    for line in lines:
        key = (line["partner_id"], line["invoice_id"], line["line_no"])
        pid, date = line["partner_id"], line["invoice_date"]
        out.append(key not in seen and pid in REGISTERED and date <= end and date.year == 2026
                   and date >= REGISTERED[pid] and line["product_sku"] != "DEMO")
        seen.add(key)
    return out


def entitlement(pid: str, base: Decimal, method: str, rounding: str) -> Decimal:
    bands = BANDS[TIER[pid]]
    exact = D(0)
    if method == "all_units":
        for over, rate in bands:
            if base > over:
                exact = base * rate
    else:
        for i, (over, rate) in enumerate(bands):
            top = bands[i + 1][0] if i + 1 < len(bands) else base
            if base > over:
                exact += (min(base, top) - over) * rate
    return exact.quantize(CENT, rounding=MODES[rounding])


def ytd(lines, included, pid, rounding, start=dt.date(2026, 1, 1)) -> Decimal:
    return sum((in_base(line, rounding) for line, inc in zip(lines, included)
                if inc and line["partner_id"] == pid and line["invoice_date"] >= start), D(0))


def bonuses(quarter_bases: dict[str, Decimal]) -> dict[str, Decimal]:
    paid = {pid: D(0) for pid in quarter_bases}
    ranked = sorted((base, pid) for pid, base in quarter_bases.items() if base > 0)[::-1]
    position = 1
    while ranked and position <= WINNERS:
        top = ranked[0][0]
        tied = sorted(pid for base, pid in ranked if base == top)
        ranked = [(base, pid) for base, pid in ranked if base != top]
        pool = AWARD * min(len(tied), WINNERS - position + 1)
        share = (pool / len(tied)).quantize(CENT, rounding=ROUND_DOWN)
        for i, pid in enumerate(tied):
            paid[pid] = share + (CENT if i < (pool - share * len(tied)) / CENT else 0)
        position += len(tied)
    return paid


def expected(lines: list[dict], q: int, method: str, rounding: str) -> list[tuple]:
    start, end = quarter(q)
    included = outcomes(lines, end)
    before = outcomes(lines, quarter(q - 1)[1]) if q > 1 else [False] * len(lines)
    quarter_bases = {pid: ytd(lines, included, pid, rounding, start) for pid in REGISTERED}
    awarded = bonuses(quarter_bases)
    out = []
    for pid in sorted(REGISTERED):
        mine = [(line, inc) for line, inc in zip(lines, included) if line["partner_id"] == pid]
        owed = entitlement(pid, ytd(lines, included, pid, rounding), method, rounding)
        settled_before = entitlement(pid, ytd(lines, before, pid, rounding), method, rounding) if q > 1 else D(0)
        out.append((pid, quarter_bases[pid], ytd(lines, included, pid, rounding), sum(inc for _, inc in mine),
                    sum(not inc for _, inc in mine), sum((in_base(li, rounding) for li, inc in mine if not inc), D(0)),
                    owed, settled_before, owed - settled_before, awarded[pid], owed - settled_before + awarded[pid]))
    return out


amounts = st.one_of(st.integers(-400, 2500).map(lambda k: D(k) * 1000),  # whole thousands: bands are crossed
                    st.integers(-40_000_000, 250_000_000).map(lambda c: D(c) / 1000))  # tenths of a cent: rounding
drawn_lines = st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3", "NOPE"]),
                                 st.dates(dt.date(2025, 12, 1), dt.date(2026, 12, 31)), amounts,
                                 st.sampled_from(["KZT", "USD"]), st.sampled_from(["SKU-1", "DEMO"]), st.booleans()),
                       min_size=1, max_size=30)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(drawn_lines, st.integers(1, 4), st.sampled_from(["all_units", "incremental"]),
       st.sampled_from(["half_up", "half_even"]))
def test_ledger_agrees_with_a_slow_computation(drawn, q, method, rounding):
    lines = []
    for i, (pid, date, amount, currency, sku, again) in enumerate(drawn):
        # `again`: the line before read a second time (a DUPLICATE)
        lines.append(dict(lines[-1]) if again and lines else sale(f"I{i}", date, amount, pid=pid, currency=currency,
                                                                  product_sku=sku))
    prog = program(bands=[band(0, "0.02"), band(3000000, "0.04"), band(0, "0.03", "Gold"), band(1000000, "0.05", "Gold")],
                   tiers=[("Primary", 1), ("Gold", 2)], tier_method=method, rounding=rounding,
                   exclusions=[("product_sku", "DEMO")], bonuses=[bonus(period="quarter", winners=WINNERS, amount=AWARD)])
    fx = [("USD", f"{y}-{m:02d}", USD) for y, m in [(2025, 12), *((2026, m) for m in range(1, 13))]]
    ledger = rows(settled(inputs(lines, ROSTER, prog, fx=fx), f"2026Q{q}"))
    got = [(pid, r.totals.period_base, r.totals.ytd_base, r.totals.included_lines, r.totals.excluded_lines,
            r.totals.excluded_amount, r.entitlement.amount, r.previously_settled, r.accrual, r.bonus, r.total_payable)
           for pid, r in sorted(ledger.items())]
    assert got == expected(lines, q, method, rounding)
