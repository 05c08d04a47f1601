"""Stage: every line read gets exactly one outcome, as of a period's end.

`included`, or the first reason that applies in the contract's order. Each reason
is a small function returning a polars condition and its words, listed in
`REASONS`; a new rule is a new function there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from incentives import schema
from incentives.model import Inputs
from incentives.periods import Period

INCLUDED = "included"


@dataclass(frozen=True)
class Context:
    inputs: Inputs
    period: Period


Condition = tuple[pl.Expr, pl.Expr]  # (applies, detail in words)
Reason = Callable[[Context], Condition]


def duplicate(ctx: Context) -> Condition:
    # Same key with other content is an input error (validate.sales_keys), so a key seen
    # before in read order is the same line read again.
    first = pl.struct(list(schema.SALES.key)).is_first_distinct()
    return ~first, pl.lit("the same line was already read")


def unknown_partner(ctx: Context) -> Condition:
    return pl.col("p_registered_on").is_null(), pl.format("partner {} is not in the roster", pl.col("partner_id"))


def out_of_period(ctx: Context) -> Condition:
    year = ctx.inputs.program.year
    date = pl.col("invoice_date")
    after = date > pl.lit(ctx.period.end)
    return (after | (date.dt.year() != year),
            pl.when(after).then(pl.format("dated after the period's end {}", pl.lit(ctx.period.end.isoformat())))
            .otherwise(pl.lit(f"outside the program year {year}")))


def outside_membership(ctx: Context) -> Condition:
    return (pl.col("invoice_date") < pl.col("p_registered_on"),
            pl.format("dated before the partner's registration on {}", pl.col("p_registered_on").cast(pl.String)))


def product_excluded(ctx: Context) -> Condition:
    rules = ctx.inputs.program.exclusions
    skus = [schema.normalize_word(r.value) for r in rules if r.field == "product_sku"]
    categories = [schema.normalize_word(r.value) for r in rules if r.field == "product_category"]
    sku = _folded("product_sku").is_in(skus)
    category = _folded("product_category").is_in(categories).fill_null(False)
    return (sku | category,
            pl.when(sku).then(pl.format("product {} never earns", pl.col("product_sku")))
            .otherwise(pl.format("category {} never earns", pl.col("product_category"))))


def channel_conflict(ctx: Context) -> Condition:
    hit = _channel_rule(ctx, "exclude")
    return hit, pl.format("a {} must not sell to customers of type {}", pl.col("p_role"), pl.col("customer_type"))


def not_registered(ctx: Context) -> Condition:
    if not ctx.inputs.program.requires_opportunity:
        return pl.lit(False), pl.lit(None, pl.String)
    opp, date = pl.col("opportunity_id"), pl.col("invoice_date")
    missing = opp.is_null()
    unknown = pl.col("o_status").is_null()
    other = pl.col("o_partner_id") != pl.col("partner_id")
    status = pl.col("o_status") != "approved"
    early = date < pl.col("o_registered_on")
    expired = (date > pl.col("o_expires_on")).fill_null(False)  # no expiry date: valid
    applies = missing | unknown | other | status | early | expired
    detail = (pl.when(missing).then(pl.lit("no opportunity named"))
              .when(unknown).then(pl.format("opportunity {} is not registered", opp))
              .when(other).then(pl.format("opportunity {} belongs to partner {}", opp, pl.col("o_partner_id")))
              .when(status).then(pl.format("opportunity {} is {}", opp, pl.col("o_status")))
              .when(early).then(pl.format("opportunity {} was registered on {}, after the invoice", opp,
                                          pl.col("o_registered_on").cast(pl.String)))
              .otherwise(pl.format("opportunity {} expired on {}", opp, pl.col("o_expires_on").cast(pl.String))))
    return applies, detail


REASONS: tuple[tuple[str, Reason], ...] = (
    ("DUPLICATE", duplicate),
    ("UNKNOWN_PARTNER", unknown_partner),
    ("OUT_OF_PERIOD", out_of_period),
    ("OUTSIDE_MEMBERSHIP", outside_membership),
    ("PRODUCT_EXCLUDED", product_excluded),
    ("CHANNEL_CONFLICT", channel_conflict),
    ("NOT_REGISTERED", not_registered),
)

REASON_WORDS = {
    INCLUDED: "included",
    "DUPLICATE": "duplicate line",
    "UNKNOWN_PARTNER": "unknown partner",
    "OUT_OF_PERIOD": "out of period",
    "OUTSIDE_MEMBERSHIP": "outside membership",
    "PRODUCT_EXCLUDED": "product excluded",
    "CHANNEL_CONFLICT": "channel conflict",
    "NOT_REGISTERED": "opportunity not registered",
}


def _folded(column: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase().str.replace_all(r"[\s_\-]+", " ").str.strip_chars()


def _channel_rule(ctx: Context, action: str) -> pl.Expr:
    pairs = [f"{r.role}|{r.customer_type}" for r in ctx.inputs.program.channel_rules if r.action == action]
    return pl.format("{}|{}", pl.col("p_role"), pl.col("customer_type")).is_in(pairs).fill_null(False)


def _context_columns(inputs: Inputs) -> tuple[pl.DataFrame, pl.DataFrame]:
    partners = pl.DataFrame(
        {"partner_id": [p.partner_id for p in inputs.partners],
         "p_registered_on": [p.registered_on for p in inputs.partners],
         "p_role": [p.role for p in inputs.partners]},
        schema={"partner_id": pl.String, "p_registered_on": pl.Date, "p_role": pl.String},
    ).unique("partner_id", keep="first", maintain_order=True)
    opps = (inputs.opportunities
            .select(pl.col("opportunity_id"), pl.col("partner_id").alias("o_partner_id"),
                    pl.col("status").alias("o_status"), pl.col("registered_on").alias("o_registered_on"),
                    pl.col("expires_on").alias("o_expires_on"))
            .unique("opportunity_id", keep="first", maintain_order=True))
    return partners, opps


def classify(lines: pl.DataFrame, inputs: Inputs, period: Period) -> pl.DataFrame:
    """`lines` (in read order) with `outcome`, `detail` and `flag` added, as of `period`'s end."""
    ctx = Context(inputs, period)
    partners, opps = _context_columns(inputs)
    joined = (lines.join(partners, on="partner_id", how="left", maintain_order="left")
              .join(opps, on="opportunity_id", how="left", maintain_order="left"))
    outcome = pl.lit(INCLUDED)
    detail = pl.lit(None, pl.String)
    for code, reason in reversed(REASONS):  # the first reason that applies wins
        applies, words = reason(ctx)
        outcome = pl.when(applies.fill_null(False)).then(pl.lit(code)).otherwise(outcome)
        detail = pl.when(pl.col("outcome") == code).then(words).otherwise(detail)
    flagged = _channel_rule(ctx, "flag")
    flag = pl.when(flagged).then(pl.format("channel: a {} selling to customers of type {}", pl.col("p_role"), pl.col("customer_type")))
    added = joined.with_columns(outcome.alias("outcome"), flag.otherwise(None).alias("flag"))
    # The words of a reason are made for the excluded lines only: most lines are included.
    excluded = (added["outcome"] != INCLUDED).arg_true()
    words = added[excluded].select(detail).to_series()
    added = added.with_columns(pl.repeat(None, added.height, dtype=pl.String, eager=True).scatter(excluded, words)
                               .alias("detail"))
    return added.select(*lines.columns, "outcome", "detail", "flag")
