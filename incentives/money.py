"""Exact money: Decimal end to end, rounded once, to 2 decimals, in the program's mode."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
# polars' names for the same modes, for rounding whole columns
POLARS_MODES = {"half_up": "half_away_from_zero", "half_even": "half_to_even"}


def round_money(value: Decimal, mode: str) -> Decimal:
    return value.quantize(CENT, rounding=MODES[mode]) + 0  # + 0 folds -0.00 into 0.00


def fmt(value: Decimal) -> str:
    """1234567.5 -> '1,234,567.50', as statements and traces print amounts."""
    return f"{value:,.2f}"


def plain(value: Decimal) -> str:
    """Exact, without padding zeros: Decimal('0.0400000000') -> '0.04', 3E+6 -> '3000000'."""
    return f"{value.normalize():f}" if value else "0"
