"""Properties of the engine that hold for any inputs (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import polars as pl

from incentives import pipeline, reconcile
from incentives.load import load
from incentives.model import RateBand
from incentives.periods import parse_period
from incentives.problems import Source
from incentives.rates import entitle
from tests.builders import line, make_inputs, partner

SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
cents = st.integers(min_value=-50_000_000, max_value=900_000_000).map(lambda c: Decimal(c) / 100)
positive = st.integers(min_value=1, max_value=900_000_000).map(lambda c: Decimal(c) / 100)


@st.composite
def rising_bands(draw):
    thresholds = sorted(draw(st.sets(st.integers(1, 10_000_000), max_size=3)))
    rates = sorted(draw(st.lists(st.integers(0, 100), min_size=len(thresholds) + 1,
                                 max_size=len(thresholds) + 1)))
    return tuple(RateBand("*", Decimal(o), Decimal(r) / 1000, Source("program.xlsx"))
                 for o, r in zip([0, *thresholds], rates))


@given(rising_bands(), cents, positive, st.sampled_from(["all_units", "incremental"]))
def test_entitlement_never_decreases_with_a_positive_line(bands, base, extra, method):
    assert entitle(bands, base + extra, method, "half_up").amount >= entitle(bands, base, method, "half_up").amount


@given(rising_bands(), cents)
def test_incremental_never_exceeds_all_units(bands, base):
    assert entitle(bands, base, "incremental", "half_up").exact <= entitle(bands, base, "all_units", "half_up").exact


dates = st.dates(min_value=dt.date(2025, 12, 1), max_value=dt.date(2026, 11, 30))
lines = st.lists(st.tuples(st.sampled_from(["P1", "P2", "P3", "NOPE"]), dates, cents, st.sampled_from(["KZT", "USD"]),
                           st.sampled_from(["SKU-1", "DEMO"])), min_size=1, max_size=25)


def _sales(drawn):
    return [line(f"I{i}", d, a, pid=p, currency=c, product_sku=s) for i, (p, d, a, c, s) in enumerate(drawn)]


def _run(folder, sales):
    fx = [("USD", f"{y}-{m:02d}", "480.125") for y, months in ((2025, [12]), (2026, range(1, 13))) for m in months]
    make_inputs(folder, sales, partners=[partner("P1"), partner("P2", registered_on=dt.date(2026, 4, 1)),
                                         partner("P3", tier="Gold")],
                tiers=[("Primary", 1), ("Gold", 2)], fx=fx,
                extra_program_sheets={"Exclusions": [{"field": "product_sku", "value": "DEMO"}]})
    outcome = pipeline.run(folder, parse_period("2026Q3"), folder.with_name(f"{folder.name}-out"))  # not inside the inputs
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome.settlement


def _ledger(settlement):
    return [(r.partner.partner_id, r.totals, r.entitlement.amount, r.previously_settled, r.accrual)
            for r in settlement.rows]


@SLOW
@given(lines)
def test_every_line_accounted_for_per_file_and_in_total(tmp_path_factory, drawn):
    """Counted from the drawn lines themselves, not from the run: each file's lines and
    amounts per currency, against Reconciliation's balance and the classified lines."""
    sales = _sales(drawn)
    half = len(sales) // 2
    parts = {"sales/a.xlsx": drawn[:half], "sales/b.xlsx": drawn[half:]}
    folder = tmp_path_factory.mktemp("in")
    settlement = _run(folder, {"a.xlsx": sales[:half], "b.xlsx": sales[half:]})
    files = [f for f in load(folder)[0].files if f.path.startswith("sales/")]
    balances = {b.file: b for b in reconcile.balances(settlement.lines, files)}
    frame = settlement.lines
    for file, part in parts.items():
        expected = {}
        for _, _, amount, currency, _ in part:
            expected[currency] = expected.get(currency, Decimal(0)) + amount
        b = balances[file]
        assert (b.lines_read, b.included_lines + b.excluded_lines) == (len(part), len(part))
        assert {c: read for c, read, _ in b.currencies if read or c in expected} == expected
        assert all(read == accounted for _, read, accounted in b.currencies) and b.balanced
        mine = frame.filter(pl.col("file") == file)
        assert sorted(mine["net_amount"].to_list()) == sorted(a for _, _, a, _, _ in part)
        assert mine.height == (mine["outcome"] == "included").sum() + (mine["outcome"] != "included").sum()
    assert balances["(total)"].lines_read == len(sales) == frame.height
    roster = sum(r.totals.included_lines + r.totals.excluded_lines for r in settlement.rows)
    assert roster + sum(p == "NOPE" for p, *_ in drawn) == len(sales)


@SLOW
@given(lines, st.randoms(use_true_random=False))
def test_shuffling_or_splitting_gives_the_same_ledger(tmp_path_factory, drawn, random):
    sales = _sales(drawn)
    shuffled = sales[:]
    random.shuffle(shuffled)
    cut = random.randint(0, len(sales))
    one = _run(tmp_path_factory.mktemp("one"), {"all.xlsx": sales})
    other = _run(tmp_path_factory.mktemp("two"), {"x.xlsx": shuffled[:cut], "y.xlsx": shuffled[cut:]})
    assert _ledger(one) == _ledger(other)
