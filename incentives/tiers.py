"""Stage: the tier in effect. partners.xlsx's `TierHistory` gives a partner's tier from each
`effective_from` on; a partner without rows has the roster's `tier` all year.

Each included line earns under the tier in effect on its rating date: its
`original_invoice_date` when it has one (a credit note earns under the tier of the sale it
reverses), else its `invoice_date`; a date before the program year counts as 1 January. The
year is cut into spans of one tier (`spans`); each line is placed in its span, vectorized
(`moves`), and `rates.entitle_spans` rates the spans under `all_units` or `incremental`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

import polars as pl

from incentives.classify import INCLUDED
from incentives.model import Inputs, Partner, TierChange


@dataclass(frozen=True)
class Span:
    """Days of the year under one tier: from `start` to `end` (None: to the year's end)."""

    start: dt.date
    end: dt.date | None
    tier: str


def histories(inputs: Inputs) -> dict[str, tuple[TierChange, ...]]:
    """Each partner's TierHistory rows by effective_from; partners without rows are absent."""
    found: dict[str, list[TierChange]] = {}
    for change in inputs.tier_history:
        found.setdefault(change.partner_id, []).append(change)
    return {pid: tuple(sorted(rows, key=lambda c: c.effective_from)) for pid, rows in found.items()}


def tier_on(history: tuple[TierChange, ...], day: dt.date) -> str:
    """The tier of the latest row effective on or before `day` (the first row's before any:
    validation makes sure a row covers the program year from the partner's membership)."""
    before = [c for c in history if c.effective_from <= day]
    return (before[-1] if before else history[0]).tier


def spans(history: tuple[TierChange, ...], year: int) -> tuple[Span, ...]:
    """The program year cut where the tier changes; consecutive rows of one tier are one span."""
    first = dt.date(year, 1, 1)
    starts = [first, *(c.effective_from for c in history if first < c.effective_from <= dt.date(year, 12, 31))]
    cut: list[tuple[dt.date, str]] = []
    for start in starts:
        tier = tier_on(history, start)
        if not cut or cut[-1][1] != tier:
            cut.append((start, tier))
    return tuple(Span(start, (cut[i + 1][0] - dt.timedelta(days=1)) if i + 1 < len(cut) else None, tier)
                 for i, (start, tier) in enumerate(cut))


def in_effect(inputs: Inputs, day: dt.date) -> tuple[Partner, ...]:
    """The roster with each partner's tier in effect on `day` (the Ledger's tier on the period's last day)."""
    history = histories(inputs)
    return tuple(replace(p, tier=tier_on(history[p.partner_id], day)) if p.partner_id in history else p
                 for p in inputs.partners)


def moves(lines: pl.DataFrame, inputs: Inputs) -> dict[str, tuple[tuple[int, Decimal], ...]]:
    """For each partner with TierHistory rows: its included lines in order of (invoice_date,
    invoice_id, line_no) as (span index, amount) moves of the cumulative base, consecutive lines
    of one span added together (within one span's rate table the slices of consecutive lines add
    up to the slice of their sum, so the rating is the same)."""
    history = histories(inputs)
    if not history:
        return {}
    year = inputs.program.year
    table = pl.DataFrame([(pid, s.start, i) for pid, rows in history.items() for i, s in enumerate(spans(rows, year))],
                         schema={"partner_id": pl.String, "span_start": pl.Date, "span": pl.Int64}, orient="row")
    rated = (lines.filter((pl.col("outcome") == INCLUDED) & pl.col("partner_id").is_in(list(history)))
             .select("partner_id", "invoice_date", "invoice_id", "line_no", "base_amount",
                     pl.max_horizontal(pl.coalesce("original_invoice_date", "invoice_date"),
                                       pl.lit(dt.date(year, 1, 1))).alias("rating_date"))
             .sort("rating_date")
             .join_asof(table.sort("span_start"), left_on="rating_date", right_on="span_start", by="partner_id",
                        strategy="backward", check_sortedness=False)  # sorted by rating_date just above
             .sort("partner_id", "invoice_date", "invoice_id", "line_no")
             .with_columns(pl.col("span").rle_id().over("partner_id").alias("run"))
             .group_by("partner_id", "run", maintain_order=True)
             .agg(pl.col("span").first(), pl.col("base_amount").sum()))
    found: dict[str, list[tuple[int, Decimal]]] = {}
    for pid, _, span, amount in rated.iter_rows():
        found.setdefault(pid, []).append((span, amount))
    return {pid: tuple(found.get(pid, ())) for pid in history}
