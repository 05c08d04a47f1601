"""Amounts: rounding (money), currency conversion (convert), rate bands (rates), shares (allocate).

Every expected figure is worked out in the comment beside it.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from incentives.allocate import allocate, with_shares
from incentives.convert import to_base
from incentives.money import fmt, plain, round_money
from incentives.rates import Slice, entitle, reached
from tests.inline import BANDS, band, inputs, program, sale

D = Decimal


# ---------------------------------------------------------------- money


@pytest.mark.parametrize("value, mode, rounded", [
    ("0.125", "half_up", "0.13"),      # a half cent goes up
    ("0.125", "half_even", "0.12"),    # ... or to the even cent: 2
    ("0.135", "half_even", "0.14"),    # the even cent: 4
    ("-0.125", "half_up", "-0.13"),    # away from zero
    ("0.1249", "half_up", "0.12"),
    ("-0.004", "half_up", "0.00"),     # no negative zero
], ids=["half-up", "half-even-down", "half-even-up", "half-up-negative", "under-half", "no-negative-zero"])
def test_round_money(value, mode, rounded):
    assert str(round_money(D(value), mode)) == rounded


@pytest.mark.parametrize("value, text", [
    ("1234567.5", "1,234,567.50"), ("-0.5", "-0.50"), ("0", "0.00"),
], ids=["thousands", "negative", "zero"])
def test_fmt(value, text):
    assert fmt(D(value)) == text


@pytest.mark.parametrize("value, text", [
    ("0.0400000000", "0.04"), ("3E+6", "3000000"), ("0E-10", "0"), ("120.50", "120.5"), ("-0.00", "0"),
], ids=["trailing-zeros", "exponent", "zero", "half", "negative-zero"])
def test_plain(value, text):
    assert plain(D(value)) == text


# ---------------------------------------------------------------- convert


@pytest.mark.parametrize("amount, mode, base", [
    ("100.005", "half_up", "100.01"),    # half a tiyn, up
    ("100.005", "half_even", "100.00"),  # ... to the even 0
    ("100.015", "half_even", "100.02"),  # ... to the even 2
    ("-100.005", "half_up", "-100.01"),  # away from zero: the credit note mirrors the invoice
    ("100.0049", "half_up", "100.00"),
], ids=["half-up", "half-even-down", "half-even-up", "half-up-negative", "under-half"])
def test_base_currency_lines_round_in_the_programs_mode(amount, mode, base):
    converted = to_base(inputs([sale("A", "2026-07-01", amount)], program_=program(rounding=mode)))
    assert converted.select("fx_rate", "base_amount").rows() == [(D(1), D(base))]


@pytest.mark.parametrize("amount, rate, mode, base", [
    ("1.005", "2", "half_up", "2.01"),        # 1.005 x 2 = 2.010; rounding first would give 1.01 x 2 = 2.02
    ("0.005", "3", "half_even", "0.02"),      # 0.005 x 3 = 0.015 -> 0.02 (even); rounding first: 0.00 x 3 = 0
    ("1", "2.345", "half_up", "2.35"),        # a half cent after multiplying: up
    ("1", "2.345", "half_even", "2.34"),      # ... to the even 4
    ("-1", "2.345", "half_up", "-2.35"),
    ("10.01", "480.125", "half_up", "4806.05"),  # 4806.05125
], ids=["multiply-then-round", "multiply-then-round-even", "half-up", "half-even", "half-up-negative", "tenge"])
def test_foreign_lines_multiply_exactly_then_round_once(amount, rate, mode, base):
    given = inputs([sale("A", "2026-07-01", amount, currency="USD")], program_=program(rounding=mode),
                   fx=[("USD", "2026-07", rate)])
    assert to_base(given).select("fx_rate", "base_amount").rows() == [(D(rate), D(base))]


def test_each_line_converts_at_its_invoice_months_rate():
    lines = [sale("J", "2026-06-30", 10, currency="USD"), sale("K", "2026-07-01", 10, currency="USD"),
             sale("E", "2026-07-01", 10, currency="EUR"), sale("T", "2026-07-01", 10)]
    given = inputs(lines, fx=[("USD", "2026-06", "470"), ("USD", "2026-07", "480"), ("EUR", "2026-07", "520")])
    # 10 x 470, 10 x 480, 10 x 520, 10 tenge as they are
    assert to_base(given)["base_amount"].to_list() == [D("4700.00"), D("4800.00"), D("5200.00"), D("10.00")]


def test_a_missing_rate_gives_no_amount_never_a_guess():
    given = inputs([sale("A", "2026-08-01", 10, currency="USD"), sale("B", "2026-07-01", 10, currency="USD")],
                   fx=[("USD", "2026-07", "480")])
    assert to_base(given).select("fx_rate", "base_amount").rows() == [(None, None), (D(480), D("4800.00"))]


# ---------------------------------------------------------------- rates

THREE = (band(0, "0.01"), band(100, "0.02"), band(200, "0.03"))


@pytest.mark.parametrize("base, rate, amount", [
    ("3000000.00", "0.02", "60000.00"),     # not strictly over 3,000,000: 2%
    ("3000000.01", "0.04", "120000.00"),    # 3,000,000.01 x 4% = 120,000.0004
    ("0.01", "0.02", "0.00"),               # 0.0002
    ("0", "0", "0.00"),                     # over no band
    ("-500", "0", "0.00"),                  # net returns: over no band
    ("1000.25", "0.02", "20.01"),           # 20.005, half up
], ids=["at-threshold", "one-cent-over", "one-cent", "zero", "negative", "half-cent-up"])
def test_all_units(base, rate, amount):
    e = entitle(BANDS, D(base), "all_units", "half_up")
    assert (e.rate, e.amount) == (D(rate), D(amount))
    assert e.slices == ((Slice(e.band.over, None, D(base), D(rate)),) if e.band else ())


def test_all_units_rounds_in_the_programs_mode():
    assert entitle(BANDS, D("1000.25"), "all_units", "half_even").amount == D("20.00")  # 20.005 -> even 0


@pytest.mark.parametrize("bands, base, slices, exact", [
    # exactly at the threshold: the whole base in the first band, no slice of the second
    (BANDS, "3000000.00", [("0", "3000000", "3000000.00", "0.02")], "60000.0000"),
    # a cent over: 3,000,000 x 2% + 0.01 x 4% = 60,000.0004
    (BANDS, "3000000.01", [("0", "3000000", "3000000", "0.02"), ("3000000", None, "0.01", "0.04")], "60000.0004"),
    # 3,000,000 x 2% + 2,000,000 x 4% = 140,000
    (BANDS, "5000000", [("0", "3000000", "3000000", "0.02"), ("3000000", None, "2000000", "0.04")], "140000"),
    # 100 x 1% + 100 x 2% + 50 x 3% = 4.50
    (THREE, "250", [("0", "100", "100", "0.01"), ("100", "200", "100", "0.02"), ("200", None, "50", "0.03")], "4.5"),
    # exactly at the middle threshold: 100 x 1% + 100 x 2% = 3
    (THREE, "200", [("0", "100", "100", "0.01"), ("100", "200", "100", "0.02")], "3"),
    # bands given in any order
    (tuple(reversed(THREE)), "150", [("0", "100", "100", "0.01"), ("100", "200", "50", "0.02")], "2"),
    (BANDS, "0", [], "0"),
], ids=["at-threshold", "one-cent-over", "two-bands", "three-bands", "at-middle-threshold", "unordered", "zero"])
def test_incremental_slices(bands, base, slices, exact):
    e = entitle(bands, D(base), "incremental", "half_up")
    assert [(s.over, s.upto, s.amount, s.rate) for s in e.slices] == [
        (D(o), D(u) if u else None, D(a), D(r)) for o, u, a, r in slices]
    assert e.exact == D(exact)
    assert e.amount == round_money(D(exact), "half_up")


def test_incremental_rate_is_the_band_reached():
    e = entitle(THREE, D("250"), "incremental", "half_up")
    assert (e.rate, e.next_band, e.to_next_band) == (D("0.03"), None, None)


@pytest.mark.parametrize("base, reached_over, next_over, to_next", [
    ("2999000.00", "0", "3000000", "1000.01"),   # 3,000,000.01 - 2,999,000.00
    ("3000000.00", "0", "3000000", "0.01"),      # at the threshold: a cent more
    ("3000000.01", "3000000", None, None),       # the top band
    ("0", None, "0", "0.01"),                    # nothing yet: over no band
], ids=["below", "at-threshold", "top", "nothing"])
def test_band_reached_and_what_reaches_the_next(base, reached_over, next_over, to_next):
    band_, next_band = reached(BANDS, D(base))
    assert (band_.over if band_ else None, next_band.over if next_band else None) == (
        D(reached_over) if reached_over else None, D(next_over) if next_over else None)
    assert entitle(BANDS, D(base), "all_units", "half_up").to_next_band == (D(to_next) if to_next else None)


# ---------------------------------------------------------------- allocate


@pytest.mark.parametrize("total, weights, shares", [
    # 10 cents over 1:2 = 3.33 + 6.67: floors 3 + 6, the missing cent to the larger remainder (.67)
    ("0.10", ["1", "2"], ["0.03", "0.07"]),
    # 100 cents over 1:1:1: 33 each, the missing cent to the earliest of equal remainders
    ("1.00", ["1", "1", "1"], ["0.34", "0.33", "0.33"]),
    # -10 cents over 1:2 = -3.33 + -6.67: floors -4 + -7, remainders .67 and .33: the first gets the cent back
    ("-0.10", ["1", "2"], ["-0.03", "-0.07"]),
    # a negative sum of weights is as proportional: -1:-2 is 1:2
    ("0.10", ["-1", "-2"], ["0.03", "0.07"]),
    # 100 cents over 3:-1 (sum 2) = 150 + -50
    ("1.00", ["3", "-1"], ["1.50", "-0.50"]),
    # weights summing to zero count as 1 each: 3 cents = 1.5 + 1.5, the odd cent to the first
    ("0.03", ["1", "-1"], ["0.02", "0.01"]),
    # decimal weights 0.5:0.25 = 2:1: 66.67 + 33.33 -> 66 + 33, the cent to .67
    ("1.00", ["0.5", "0.25"], ["0.67", "0.33"]),
    # 4 cents over 3:2 = 2.4 + 1.6: floors 2 + 1, the cent to the larger remainder (.6), not the larger weight
    ("0.04", ["3", "2"], ["0.02", "0.02"]),
    # products past 64 bits: 10^11 cents x 9,999,999,999,999.999999 (10^19 scaled); the second share is
    # 10^9 x 10^-6 / 10^13 = 10^-10, so 0.00, and the first carries the whole total
    ("1000000000.00", ["9999999999999.999999", "0.000001"], ["1000000000.00", "0.00"]),
    ("0", ["1", "2"], ["0.00", "0.00"]),
    ("0", [], []),
    ("5.00", ["7"], ["5.00"]),
], ids=["larger-remainder", "ties-to-earlier", "negative-total", "negative-weights", "mixed-signs", "zero-sum-weights",
        "decimal-weights", "remainder-not-weight", "past-64-bits", "zero-total", "zero-total-no-weights", "one-weight"])
def test_allocate(total, weights, shares):
    assert [str(s) for s in allocate(D(total), [D(w) for w in weights])] == shares


@pytest.mark.parametrize("total, weights, message", [
    ("1.00", [], "no weights to carry a total of 1.00"),
    ("0.001", ["1"], "total 0.001 is not a whole number of cents"),
    ("NaN", ["1"], "total NaN is not a whole number of cents"),
    ("1.00", ["1", "Infinity"], "weights must be finite numbers"),
], ids=["no-weights", "part-of-a-cent", "not-a-number", "infinite-weight"])
def test_allocate_refuses(total, weights, message):
    with pytest.raises(ValueError) as raised:
        allocate(D(total), [D(w) for w in weights])
    assert str(raised.value) == message


def test_with_shares_per_group():
    # group a: 10 cents over 1:2 -> 3 + 7 (as above); group b: 5 cents over 1:1 -> 3 + 2
    frame = pl.DataFrame({"g": ["a", "b", "a", "b"], "w": [1, 1, 2, 1], "t": [10, 5, 10, 5]},
                         schema={"g": pl.String, "w": pl.Int128, "t": pl.Int128})
    assert with_shares(frame, pl.col("w"), pl.col("t"), ["g"])["share"].to_list() == [3, 3, 7, 2]
