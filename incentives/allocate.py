"""Share a rounded total over weights, in cents, by the largest-remainder method.

A statement shows each included line's share of the partner's entitlement; the
shares must add up to the entitlement exactly, so each line cannot be rounded on
its own. Every share starts at its exact proportional value rounded down to the
cent; the cents still missing go one each to the shares that lost the most in
that rounding down. Ties in what was lost go to the earlier weight (the line read
first), so the result depends only on the order of the weights.

- Each share is within one cent of `total × weight / sum(weights)`, and the shares
  add up to `total` exactly: no cent is lost or invented.
- Negative weights (credit notes, returns) get negative shares, and a negative sum
  of weights (net returns) is as proportional as a positive one.
- A zero `total` gives zero shares, whatever the weights.
- When the weights sum to zero but `total` does not, no proportion exists; each
  weight then counts as 1, so the total is still carried, in equal parts.
- With no weights at all, a non-zero `total` cannot be carried: ValueError.
"""

from __future__ import annotations

from decimal import Decimal

from incentives.money import CENT, ZERO


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` (in whole cents) shared over `weights`, one share per weight, in their order."""
    if not total.is_finite() or total != total.quantize(CENT):
        raise ValueError(f"total {total} is not a whole number of cents")
    if not all(w.is_finite() for w in weights):
        raise ValueError("weights must be finite numbers")
    cents = int(total.scaleb(2))
    if cents == 0:
        return [ZERO.quantize(CENT)] * len(weights)
    if not weights:
        raise ValueError(f"no weights to carry a total of {total}")
    # Integer weights, scaled by the finest decimal place, keep the arithmetic exact.
    places = max(0, *(-w.as_tuple().exponent for w in weights))
    scaled = [int(w.scaleb(places)) for w in weights]
    whole = sum(scaled)
    if whole == 0:
        scaled, whole = [1] * len(weights), len(weights)
    if whole < 0:  # same proportions, and divmod below then floors with a remainder in [0, whole)
        scaled, whole = [-w for w in scaled], -whole
    floors, remainders = zip(*(divmod(cents * w, whole) for w in scaled))
    missing = cents - sum(floors)  # 0 <= missing < len(weights): the remainders add up to missing × whole
    extra = set(sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:missing])
    return [(Decimal(f + (i in extra)) * CENT) for i, f in enumerate(floors)]
