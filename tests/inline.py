"""Inputs built in memory, for the engine's fast unit tests: no workbook is written or read.

The records are the ones `load` hands on (`model.py`); the frames carry the columns
it gives them (declared columns plus `file`, `sheet`, `row`, and `seq` for sales),
so each stage can be called alone, as the pipeline calls it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl

from incentives import schema
from incentives.pipeline import compute
from incentives.model import Bonus, ChannelRule, Exclusion, FxRate, Inputs, Partner, Program, RateBand, \
    Requirement, Tier
from incentives.periods import parse_period
from incentives.problems import Source
from incentives.settle import LedgerRow, Settlement

D = Decimal
HERE = Source("inline")

_KINDS = {schema.Kind.DATE: pl.Date, schema.Kind.DECIMAL: pl.Decimal(38, 10), schema.Kind.INTEGER: pl.Int64}


def _frame(rows: list[dict], sheet: schema.Sheet, head: dict) -> pl.DataFrame:
    columns = {**head, **{c.name: _KINDS.get(c.kind, pl.String) for c in sheet.columns}}
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema=columns, orient="row")


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def band(over, rate, tier: str = "*") -> RateBand:
    return RateBand(tier, D(str(over)), D(str(rate)), HERE)


BANDS = (band(0, "0.02"), band(3000000, "0.04"))  # the Intelligent Platforms bands


def bonus(name: str = "Best", scope: str = "all", period: str = "year", winners: int = 1, award: str = "fixed",
          amount="1000", min_base="0") -> Bonus:
    return Bonus(name, scope, "eligible_base", period, winners, award, D(str(amount)), D(str(min_base)), HERE)


def program(bands=BANDS, tiers=(("Primary", 1),), bonuses=(), exclusions=(), channel_rules=(), requirements=(),
            **settings) -> Program:
    """A program in KZT paying points, quarterly, all_units, half_up, unless `settings` say otherwise.
    `tiers`: (name, rank) or (name, rank, target_a, target_b, target_c); `exclusions`: (field, value);
    `channel_rules`: (role, customer_type, action); `requirements`: (tier, attribute, operator, value)."""
    values = dict(program_id="test", name="Test program", unit="points", base_currency="KZT", year=2026,
                  period="quarter", basis="purchases", tier_method="all_units", requires_opportunity=False,
                  rounding="half_up", language="en")
    values.update(settings)
    return Program(**values, bands=tuple(bands),
                   tiers=tuple(Tier(t[0], t[1], *(D(str(x)) if x is not None else None
                                                  for x in (*t[2:], None, None, None)[:3]), HERE) for t in tiers),
                   requirements=tuple(Requirement(*r, HERE) for r in requirements),
                   channel_rules=tuple(ChannelRule(*r, HERE) for r in channel_rules),
                   exclusions=tuple(Exclusion(*e, HERE) for e in exclusions), bonuses=tuple(bonuses))


def partner(pid: str, tier: str = "Primary", registered_on="2025-01-01", role: str = "reseller",
            country: str = "KZ", **attributes: str) -> Partner:
    return Partner(pid, f"Partner {pid}", country, role, tier, _date(registered_on), parent_id="", company_id="",
                   language="en", vendor_id="", attributes=tuple(attributes.items()), source=HERE)


def sale(invoice_id: str, date, amount, pid: str = "P1", **more) -> dict:
    """A sales line as read; `amount` in `currency` (KZT unless given)."""
    return {"invoice_id": invoice_id, "line_no": 1, "invoice_date": _date(date), "partner_id": pid,
            "customer_name": "Customer", "customer_type": "end_user", "product_sku": "SKU-1", "quantity": D(1),
            "net_amount": D(str(amount)), "currency": "KZT", **more}


def opportunity(oid: str, pid: str = "P1", registered_on="2026-01-01", status: str = "approved",
                expires_on=None) -> dict:
    return {"opportunity_id": oid, "partner_id": pid, "customer_name": "Customer",
            "registered_on": _date(registered_on), "expires_on": _date(expires_on), "status": status}


def inputs(sales: list[dict], partners=None, program_: Program | None = None, fx=(), opportunities=(),
           file: str = "sales/a.xlsx") -> Inputs:
    """`fx`: (currency, month, rate). Every line in `file` unless it names its own `file`."""
    sales = [{"seq": i, "file": file, "sheet": "Sales", "row": i + 2, **s} for i, s in enumerate(sales)]
    opps = [{"file": "opportunities/o.xlsx", "sheet": "Opportunities", "row": i + 2, **o}
            for i, o in enumerate(opportunities)]
    where = {"file": pl.String, "sheet": pl.String, "row": pl.Int64}
    return Inputs(Path("inline"), program_ or program(),
                  tuple(partners) if partners is not None else (partner("P1"),),
                  tuple(FxRate(c, m, D(str(r)), HERE) for c, m, r in fx),
                  _frame(opps, schema.OPPORTUNITIES, where), _frame(sales, schema.SALES, {"seq": pl.Int64, **where}),
                  ())


def settled(given: Inputs, period: str, previously: dict[str, Decimal] | None = None) -> Settlement:
    """The engine's answer for `period`, as `pipeline.compute` gets it."""
    return compute(given, parse_period(period), previously)


def rows(settlement: Settlement) -> dict[str, LedgerRow]:
    return {r.partner.partner_id: r for r in settlement.rows}


def outcomes(settlement: Settlement) -> dict[str, str]:
    return dict(zip(settlement.lines["invoice_id"], settlement.lines["outcome"]))
