"""The records that flow through the pipeline: frozen, each keeping its source.

Small sheets (program rules, the roster, fx rates) become frozen dataclasses;
the large ones (sales lines, opportunities) stay polars frames whose every row
carries `file`, `sheet` and `row`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from incentives.problems import Source


@dataclass(frozen=True)
class RateBand:
    tier: str  # a tier name or "*"
    over: Decimal
    rate: Decimal
    source: Source


@dataclass(frozen=True)
class Tier:
    name: str
    rank: int
    target_a: Decimal | None
    target_b: Decimal | None
    target_c: Decimal | None
    source: Source


@dataclass(frozen=True)
class Requirement:
    tier: str
    attribute: str
    operator: str
    value: str
    source: Source


@dataclass(frozen=True)
class ChannelRule:
    role: str
    customer_type: str
    action: str  # exclude or flag
    source: Source


@dataclass(frozen=True)
class Exclusion:
    field: str  # product_sku or product_category
    value: str
    source: Source


@dataclass(frozen=True)
class Bonus:
    name: str
    scope: str
    metric: str
    period: str
    winners: int
    award: str
    amount: Decimal
    min_base: Decimal
    source: Source


@dataclass(frozen=True)
class Status:
    """An add-on status held beside a tier (Intelligent Platforms' Service Provider): its
    requirements are the `Requirements` rows naming it."""

    name: str
    tiers: tuple[str, ...]  # the tiers that may hold it
    source: Source


@dataclass(frozen=True)
class Program:
    program_id: str
    name: str
    unit: str
    base_currency: str
    year: int
    period: str
    basis: str
    tier_method: str
    requires_opportunity: bool
    rounding: str
    language: str
    bands: tuple[RateBand, ...]
    tiers: tuple[Tier, ...]
    requirements: tuple[Requirement, ...] = ()
    channel_rules: tuple[ChannelRule, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    bonuses: tuple[Bonus, ...] = ()
    statuses: tuple[Status, ...] = ()
    membership: str = "continuous"  # or calendar_year
    minimum_volume: str = "none"  # or annual_target_c
    clawback: str = "net"  # or carry_forward: a negative balance carried into the partner's next period

    def bands_for(self, tier: str) -> tuple[RateBand, ...]:
        """A tier's own bands replace the `*` bands; ordered by threshold."""
        own = tuple(b for b in self.bands if b.tier == tier)
        chosen = own or tuple(b for b in self.bands if b.tier == "*")
        return tuple(sorted(chosen, key=lambda b: b.over))


@dataclass(frozen=True)
class Partner:
    partner_id: str
    partner_name: str
    country: str
    role: str
    tier: str
    registered_on: dt.date
    parent_id: str
    company_id: str
    language: str
    vendor_id: str  # its number in the accounts-payable system, "" when the roster has none
    # Roster columns beyond the contract's, as text: (normalized name, value).
    attributes: tuple[tuple[str, str], ...]
    source: Source
    id_column: int | None = None  # the partner_id cell's column, for errors naming the cell
    statuses: tuple[str, ...] = ()  # add-on statuses held (program sheet Statuses)
    renewed_on: dt.date | None = None  # membership renewed for the program year (membership = calendar_year)

    def attribute(self, name: str) -> str | None:
        return dict(self.attributes).get(name)


@dataclass(frozen=True)
class TierChange:
    """A row of partners.xlsx's TierHistory: the partner's tier from `effective_from` on."""

    partner_id: str
    tier: str
    effective_from: dt.date
    source: Source  # its row
    columns: tuple[tuple[str, int | None], ...] = ()  # column name -> its 0-based sheet column, for errors

    def at(self, column: str) -> Source:
        """The cell of `column` in this row."""
        return Source(self.source.file, self.source.sheet, self.source.row, dict(self.columns).get(column))


@dataclass(frozen=True)
class FxRate:
    currency: str
    month: str  # YYYY-MM
    rate: Decimal
    source: Source


@dataclass(frozen=True)
class InputFile:
    """One input workbook as the audit lists it."""

    path: str  # relative to the input folder, with forward slashes
    sha256: str
    size: int
    sheets: tuple[str, ...]
    rows: int  # data rows read from its declared sheets
    # What the reader counted in a sales file before anything else saw its lines: the
    # amounts by currency (upper case), net_amount summed. `reconcile` checks the
    # classified lines against it and against `rows`.
    counted: tuple[tuple[str, Decimal], ...] = ()
    version: str = ""  # an object's version id or ETag as its store gave it; "" for a local file


@dataclass(frozen=True)
class Inputs:
    folder: Path
    program: Program
    partners: tuple[Partner, ...]
    fx_rates: tuple[FxRate, ...]
    # Frames: declared columns plus `file`, `sheet`, `row`; sales also `seq`, the read order.
    opportunities: pl.DataFrame
    sales: pl.DataFrame
    files: tuple[InputFile, ...]
    # Every program sheet as read, for the audit: (sheet, header, rows as text).
    program_sheets: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, ...], ...]], ...] = ()
    tier_history: tuple[TierChange, ...] = ()  # partners.xlsx TierHistory, as read
