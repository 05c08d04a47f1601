"""Stage: every line read gets exactly one outcome, as of a period's end.

`included`, or the first reason that applies in the contract's order. Each reason
is a small function returning a polars condition and its words, listed in
`REASONS`; a new rule is a new function there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import polars as pl

from incentives import schema, words
from incentives.model import Inputs, Partner, Program
from incentives.periods import Period

INCLUDED = "included"


LANGUAGES = schema.LANGUAGES  # of the words: English in `detail` and `flag`, the others in `detail_ru`, ...


def worded(column: str, language: str) -> str:
    """The column of `column`'s words ("detail" or "flag") in `language`: detail, detail_ru, ..."""
    return column if language == LANGUAGES[0] else f"{column}_{language}"


WORDED = tuple(worded(column, language) for language in LANGUAGES for column in ("detail", "flag"))

# What a line's detail and flag say, in each of LANGUAGES (the catalogues' `line_` words);
# {} are the line's values.
WORDS: dict[str, tuple[str, ...]] = {
    key[len("line_"):]: tuple(words.catalogue(lang)[key] for lang in LANGUAGES)
    for key in words.EN if key.startswith("line_")}


@dataclass(frozen=True)
class Context:
    inputs: Inputs
    period: Period
    language: str = "en"  # of the words

    def say(self, key: str, *values: pl.Expr) -> pl.Expr:
        template = WORDS[key][LANGUAGES.index(self.language)]
        return pl.format(template, *values) if values else pl.lit(template)

    def date(self, day: pl.Expr) -> pl.Expr:
        """A date column as the language writes dates: 30 Sep 2026, 30.09.2026."""
        return day.dt.strftime(words.catalogue(self.language)["date_strftime"])

    def code(self, kind: str, value: pl.Expr) -> pl.Expr:
        """A code column in words ("end_user" -> "end user", «конечный пользователь»); a code without words
        with its underscores as spaces (manufacturer_partner -> manufacturer partner)."""
        return value.replace_strict(words.code_words(kind, self.language), default=value.str.replace_all("_", " "),
                                    return_dtype=pl.String)

    def period_of(self, day: pl.Expr) -> pl.Expr:
        """The period of the program's kind a date counts in, as the language names it: Q4 2026, IV квартал 2026."""
        w = words.catalogue(self.language)
        kind, year = self.inputs.program.period, day.dt.year().cast(pl.String)
        if kind == "quarter":
            roman = day.dt.quarter().replace_strict(dict(enumerate(words.ROMAN, 1)), return_dtype=pl.String)
            return pl.format(w["period:quarter"].replace("{roman}", "{}").replace("{index}", "{}")
                             .replace("{year}", "{}"), *_in_order(w["period:quarter"], {
                                 "roman": roman, "index": day.dt.quarter().cast(pl.String), "year": year}))
        if kind == "month":
            month = day.dt.month().replace_strict(words.month_names(self.language), return_dtype=pl.String)
            return pl.format(w["period:month"].replace("{month}", "{}").replace("{year}", "{}"),
                             *_in_order(w["period:month"], {"month": month, "year": year}))
        return pl.format(w["period:year"].replace("{year}", "{}"), year)


def _in_order(template: str, values: dict[str, pl.Expr]) -> list[pl.Expr]:
    """`values` in the order their `{name}` placeholders come in `template`."""
    return [values[name] for name in re.findall(r"\{(\w+)\}", template)]


Condition = tuple[pl.Expr, pl.Expr]  # (applies, detail in words)
Reason = Callable[[Context], Condition]


def duplicate(ctx: Context) -> Condition:
    # Same key with other content is an input error (validate.sales_keys), so a key seen
    # before in read order is the same line read again.
    first = pl.struct(list(schema.SALES.key)).is_first_distinct()
    return ~first, ctx.say("duplicate")


def unknown_partner(ctx: Context) -> Condition:
    return pl.col("p_registered_on").is_null(), ctx.say("unknown", pl.col("partner_id"))


def out_of_period(ctx: Context) -> Condition:
    year = ctx.inputs.program.year
    date = pl.col("invoice_date")
    after = date > pl.lit(ctx.period.end)
    return (after | (date.dt.year() != year),
            pl.when(after).then(ctx.say("after_end", ctx.date(pl.lit(ctx.period.end)), ctx.period_of(date)))
            .otherwise(ctx.say("other_year", pl.lit(str(year)), date.dt.year().cast(pl.String))))


def outside_membership(ctx: Context) -> Condition:
    """Before registration; under `membership = calendar_year` also, in a later program year,
    without a renewal or before it (`member_from`)."""
    date, registered = pl.col("invoice_date"), pl.col("p_registered_on")
    before = date < registered
    renewed = pl.col("p_member_from")
    not_renewed = renewed.is_null()
    applies = before | not_renewed | (date < renewed)
    return (applies,
            pl.when(before).then(ctx.say("before_registration", ctx.date(registered)))
            .when(not_renewed).then(ctx.say("not_renewed", pl.lit(str(ctx.inputs.program.year)),
                                            ctx.date(registered)))
            .otherwise(ctx.say("before_renewal", ctx.date(renewed))))


def product_excluded(ctx: Context) -> Condition:
    rules = ctx.inputs.program.exclusions
    skus = [schema.normalize_word(r.value) for r in rules if r.field == "product_sku"]
    categories = [schema.normalize_word(r.value) for r in rules if r.field == "product_category"]
    sku = pl.col(FOLDED["product_sku"]).is_in(skus)
    category = pl.col(FOLDED["product_category"]).is_in(categories).fill_null(False)
    return (sku | category,
            pl.when(sku).then(ctx.say("product", pl.col("product_sku")))
            .otherwise(ctx.say("category", pl.col("product_category"))))


def channel_conflict(ctx: Context) -> Condition:
    hit = _channel_rule(ctx, "exclude")
    return hit, _channel_words(ctx, "channel")


def _channel_words(ctx: Context, key: str) -> pl.Expr:
    """A channel rule's words; when the customer is a roster partner, they say which one."""
    role, typed = ctx.code("role", pl.col("p_role")), ctx.code("customer_type", pl.col(CUSTOMER_TYPE))
    return (pl.when(pl.col("c_partner_id").is_not_null())
            .then(ctx.say(f"{key}_roster", role, typed, pl.col("customer_id"), pl.col("c_partner_id"),
                          ctx.code("role", pl.col("c_role"))))
            .otherwise(ctx.say(key, role, typed)))


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
    # An opportunity that lists its items covers those only.
    unlisted = pl.col("o_has_items").fill_null(False) & pl.col("o_item_listed").is_null()
    applies = missing | unknown | other | status | early | expired | unlisted
    detail = (pl.when(missing).then(ctx.say("no_opportunity"))
              .when(unknown).then(ctx.say("opportunity_unknown", opp))
              .when(other).then(ctx.say("opportunity_other", opp, pl.col("o_partner_id")))
              .when(status).then(ctx.say("opportunity_status", opp, ctx.code("status", pl.col("o_status"))))
              .when(early).then(ctx.say("opportunity_early", opp, ctx.date(pl.col("o_registered_on"))))
              .when(expired).then(ctx.say("opportunity_expired", opp, ctx.date(pl.col("o_expires_on"))))
              .otherwise(ctx.say("opportunity_item", pl.col("product_sku"), opp)))
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

REASON_WORDS = words.code_words("reason", "en")  # {code: English words}, `included` too


def _folded(column: str) -> pl.Expr:
    """Text as names and codes are compared: case, spaces, `_` and `-` alike, trimmed."""
    return pl.col(column).str.to_lowercase().str.replace_all(r"[\s_\-]+", " ").str.strip_chars()


# The line columns compared folded, and the columns `classify` adds with them folded (`_folded`).
FOLDED = {"product_sku": "_sku", "product_category": "_category"}


def _folded_each(values: pl.Series) -> pl.Series:
    """`_folded` of each value, worked out once for each distinct one: a million lines name a
    few hundred SKUs, and folding each line's took a quarter of classifying it."""
    distinct = values.unique().drop_nulls()
    folded = distinct.to_frame().select(_folded(values.name)).to_series()
    return values.replace_strict(distinct, folded, default=None, return_dtype=pl.String)


# The customer type channel rules judge: the roster role of a customer that is a roster partner,
# else the line's customer_type.
CUSTOMER_TYPE = "_customer_type"


def _channel_rule(ctx: Context, action: str) -> pl.Expr:
    pairs = [f"{r.role}|{r.customer_type}" for r in ctx.inputs.program.channel_rules if r.action == action]
    return pl.format("{}|{}", pl.col("p_role"), pl.col(CUSTOMER_TYPE)).is_in(pairs).fill_null(False)


def roster_customers(inputs: Inputs) -> pl.DataFrame:
    """customer_id -> the roster partner it is (`c_partner_id`, `c_role`): a customer_id equal to a
    partner_id, or else to a partner's company_id (the first partner in roster order)."""
    keys: dict[str, tuple[str, str]] = {}
    for p in inputs.partners:
        keys.setdefault(p.partner_id, (p.partner_id, p.role))
    for p in inputs.partners:
        if p.company_id:
            keys.setdefault(p.company_id, (p.partner_id, p.role))
    return pl.DataFrame({"customer_id": list(keys), "c_partner_id": [v[0] for v in keys.values()],
                         "c_role": [v[1] for v in keys.values()]},
                        schema={"customer_id": pl.String, "c_partner_id": pl.String, "c_role": pl.String})


def _at(height: int, positions: pl.Series, values: pl.Series) -> pl.Series:
    """A text column of `height` rows, blank but for `values` at `positions`."""
    return pl.repeat(None, height, dtype=pl.String, eager=True).scatter(positions, values)


def member_from(program: Program, partner: Partner) -> dt.date | None:
    """The first day of the program year the partner is a member, or None when not a member
    that year. `continuous`: its registration. `calendar_year`: a membership runs from
    registration to 31 December; a partner registered before the program year is a member
    from its `renewed_on` (or 1 January, when renewed before it), provided it renewed in the
    program year or the year before it (an older renewal was for an earlier year)."""
    if program.membership == "continuous" or partner.registered_on.year >= program.year:
        return partner.registered_on
    renewed = partner.renewed_on
    if renewed is None or renewed.year not in (program.year - 1, program.year):
        return None
    return max(renewed, dt.date(program.year, 1, 1))


def _context_columns(inputs: Inputs) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    partners = pl.DataFrame(
        {"partner_id": [p.partner_id for p in inputs.partners],
         "p_registered_on": [p.registered_on for p in inputs.partners],
         "p_member_from": [member_from(inputs.program, p) for p in inputs.partners],
         "p_role": [p.role for p in inputs.partners]},
        schema={"partner_id": pl.String, "p_registered_on": pl.Date, "p_member_from": pl.Date, "p_role": pl.String},
    ).unique("partner_id", keep="first", maintain_order=True)
    items = opportunity_items(inputs.opportunities)
    opps = (inputs.opportunities
            .select(pl.col("opportunity_id"), pl.col("partner_id").alias("o_partner_id"),
                    pl.col("status").alias("o_status"), pl.col("registered_on").alias("o_registered_on"),
                    pl.col("expires_on").alias("o_expires_on"))
            .unique("opportunity_id", keep="first", maintain_order=True)
            .with_columns(pl.col("opportunity_id").is_in(items["opportunity_id"].unique()).alias("o_has_items")))
    return partners, opps, items


def opportunity_items(opportunities: pl.DataFrame) -> pl.DataFrame:
    """(opportunity_id, `_sku`): each item an opportunity lists, its SKU folded as `_folded` folds
    a line's, with `o_item_listed` true; a row may list several SKUs, comma-separated."""
    sku = FOLDED["product_sku"]
    return (opportunities.select("opportunity_id", pl.col("product_sku").str.split(",").alias(sku))
            .explode(sku)
            .with_columns(_folded(sku))
            .filter(pl.col(sku).is_not_null() & (pl.col(sku) != ""))
            .unique(maintain_order=True)
            .with_columns(pl.lit(True).alias("o_item_listed")))


def classify(lines: pl.DataFrame, inputs: Inputs, period: Period, words: bool = True) -> pl.DataFrame:
    """`lines` (in read order) with `outcome` added, as of `period`'s end, and unless not
    `words`, its words in each language (`WORDED`): `detail` for an excluded line, `flag`
    for a flagged one."""
    ctx = Context(inputs, period)
    partners, opps, items = _context_columns(inputs)
    joined = (lines.join(partners, on="partner_id", how="left", maintain_order="left")
              .join(opps, on="opportunity_id", how="left", maintain_order="left"))
    joined = joined.with_columns(_folded_each(lines[column]).alias(alias) for column, alias in FOLDED.items())
    if items.is_empty():  # no opportunity lists its items: no line is checked per item
        joined = joined.with_columns(pl.lit(None, pl.Boolean).alias("o_item_listed"))
    else:
        joined = joined.join(items, on=["opportunity_id", FOLDED["product_sku"]], how="left", maintain_order="left")
    joined = (joined.join(roster_customers(inputs), on="customer_id", how="left", maintain_order="left")
              .with_columns(pl.coalesce(pl.col("c_role"), pl.col("customer_type")).alias(CUSTOMER_TYPE)))
    outcome = pl.lit(INCLUDED)
    for code, reason in reversed(REASONS):  # the first reason that applies wins
        applies, _ = reason(ctx)
        outcome = pl.when(applies.fill_null(False)).then(pl.lit(code)).otherwise(outcome)
    added = joined.with_columns(outcome.alias("outcome"))
    if not words:
        return added.select(*lines.columns, "outcome")
    flagged = _channel_rule(ctx, "flag")
    # The words, in every language, are made for the lines they concern only: most lines are included.
    excluded = (added["outcome"] != INCLUDED).arg_true()
    flags = added.select(flagged).to_series().arg_true()
    said_in = {}
    for language in LANGUAGES:
        said = replace(ctx, language=language)
        detail = pl.lit(None, pl.String)
        for code, reason in REASONS:
            detail = pl.when(pl.col("outcome") == code).then(reason(said)[1]).otherwise(detail)
        flag = _channel_words(said, "flag_channel")
        said_in[worded("detail", language)] = _at(added.height, excluded, added[excluded].select(detail).to_series())
        said_in[worded("flag", language)] = _at(added.height, flags, added[flags].select(flag).to_series())
    added = added.with_columns(**said_in)
    return added.select(*lines.columns, "outcome", *WORDED)
