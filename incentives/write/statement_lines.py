"""Each partner's lines as its statement shows them, worked out for a batch of partners at once.

A line's words in its partner's language (its codes, outcome and customer type, in words
too), each included line's share of its partner's entitlement (`allocate`: largest
remainder, so the shares add up to it exactly), the Lines sheets' bodies as XML
(`rows.body`; past `sheet_rows` a partner's lines continue on another sheet), the widths
of the text columns, and the totals and the excluded lines by reason of the Statement
page. Pure: frames in, `Shown` records out; `statement_book.py` lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from incentives import words
from incentives.allocate import with_shares
from incentives.classify import INCLUDED, LANGUAGES, REASONS, WORDED, worded
from incentives.money import ZERO
from incentives.write.rows import Column, body

# The Lines sheet: (column, kind, width). Text columns widen to their longest value.
LINE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("file", "text", 16), ("row", "int", 7), ("invoice_date", "date", 11), ("invoice_id", "text", 10),
    ("line_no", "int", 6), ("customer_name", "text", 16), ("customer_type", "text", 12),
    ("opportunity_id", "text", 11), ("product_sku", "text", 11), ("quantity", "number", 9),
    ("net_amount", "money", 15), ("currency", "text", 8), ("fx_rate", "number", 9), ("base_amount", "money", 16),
    ("outcome", "text", 10), ("detail", "text", 14), ("flag", "text", 8), ("share", "money", 16),
)
SHEET_ROWS = 1_048_576  # Excel's rows per sheet; a Lines sheet holds its header, lines, and room for the totals
NEEDED = tuple(c for c, _, _ in LINE_COLUMNS if c != "share")  # of the settled lines
LOCAL = tuple(c for c in WORDED if c not in NEEDED)  # the words in the partners' other languages


@dataclass(frozen=True)
class Shown:
    """A partner's lines as its statement shows them."""

    count: int
    bodies: tuple[bytes, ...]  # each Lines sheet's rows as XML (UTF-8), the formats' indices as STYLE_MARKS
    per_sheet: int  # lines on each Lines sheet but the last
    widths: tuple[tuple[str, int], ...]  # the longest text of each text column
    included_base: Decimal  # the included lines' base amounts: what counts
    excluded_base: Decimal  # the excluded lines': apart, never added to what counts
    included: int  # lines
    share_total: Decimal
    by_reason: tuple[tuple[str, int, Decimal], ...]  # (code, lines, base amount) in the contract's order


NOTHING = Shown(0, (b"",), SHEET_ROWS - 3, (), ZERO, ZERO, 0, ZERO, ())
# Stand-ins for the formats' indices in the body: no cell holds a control character (rows.py replaces them).
STYLE_MARKS = {"date": "\x01", "money": "\x02"}
BODY = tuple(Column(c, "text" if kind == "text" else "number", STYLE_MARKS.get(kind)) for c, kind, _ in LINE_COLUMNS)
TEXT = [c for c, kind, _ in LINE_COLUMNS if kind == "text"]


def shown(lines: pl.DataFrame, entitlements: dict[str, Decimal], languages: dict[str, str],
          sheet_rows: int = SHEET_ROWS) -> dict[str, Shown]:
    """Each partner's `Shown`, from `lines` (partner_id, `NEEDED` and `LOCAL`, in read order),
    each partner's entitlement, which its included lines share (`allocate`), and its language;
    a partner's lines cut into sheets of `sheet_rows` rows (header and totals row included)."""
    if not lines.height:
        return {}
    # a line's words in its partner's language; its codes (outcome, customer type) in words too.
    # Whether a line's partner speaks each language is worked out once, for all the columns.
    speaks = {language: pl.col("partner_id").is_in([p for p, lang in languages.items() if lang == language])
              .alias(f"__{language}") for language in LANGUAGES[1:]}
    coded = {"outcome": "reason", "customer_type": "customer_type"}

    def in_words(column: str) -> pl.Expr:
        col = pl.col(column)
        said = col.replace_strict(words.code_words(coded[column], LANGUAGES[0]), default=col, return_dtype=pl.String)
        for language in LANGUAGES[1:]:
            said = pl.when(f"__{language}").then(
                col.replace_strict(words.code_words(coded[column], language), default=col, return_dtype=pl.String)
            ).otherwise(said)
        return said.alias(column)

    lines = lines.with_columns(*speaks.values()).with_columns(
        *(pl.when(f"__{language}").then(pl.col(worded(column, language))).otherwise(pl.col(column)).alias(column)
          for language in LANGUAGES[1:] for column in ("detail", "flag")),
        *(in_words(c) for c in coded), pl.col("outcome").alias("code"),
    ).drop(*LOCAL, *(f"__{language}" for language in speaks))
    cents = pl.DataFrame({"partner_id": list(entitlements), "cents": [int(e.scaleb(2)) for e in entitlements.values()],
                          "__partner": range(len(entitlements))},
                         schema={"partner_id": pl.String, "cents": pl.Int128, "__partner": pl.Int64})
    included = pl.col("code") == INCLUDED
    # A partner's included lines and its excluded ones are each a group, keyed by a number (the
    # partner's place among `entitlements`): a third faster than by partner_id and included.
    group = pl.col("__partner") * 2 + pl.col("included")
    lines = with_shares(lines.join(cents, on="partner_id", how="left", maintain_order="left")
                        .with_columns(included=included).with_columns(__group=group),
                        (pl.col("base_amount") * 100).cast(pl.Int128), pl.col("cents"), ["__group"], "__share")
    lines = (lines.with_columns(share=pl.when("included").then(pl.col("__share")).cast(pl.Decimal(38, 2)) / 100)
             .drop("__group", "__partner", "__share"))
    per_sheet = sheet_rows - 3  # a Lines sheet's header, and room for the two totals rows
    # Only a batch of more lines than a sheet holds can have a partner whose lines do not fit on one.
    split = lines.height > per_sheet and lines.group_by("partner_id").len()["len"].max() > per_sheet
    groups = lines["partner_id"]  # the rows of a sheet are numbered from 2
    if split:
        lines = lines.with_columns(sheet=pl.int_range(pl.len()).over("partner_id") // per_sheet)
        groups = lines.select(pl.concat_str("partner_id", pl.lit("\x00"), "sheet")).to_series()
    xml = lines.select("partner_id", *(["sheet"] if split else []),
                       body(lines.select(c.name for c in BODY), BODY, 2, groups))
    totals = [pl.len(), pl.col(TEXT).str.len_chars().max().fill_null(0), pl.col("base_amount", "share").sum()]
    by_partner = (xml.with_columns(lines.select(*TEXT, "base_amount", "share"))
                  .group_by("partner_id", maintain_order=True))
    if split:
        bodies = (xml.group_by("partner_id", "sheet", maintain_order=True).agg(pl.col("xml").str.join(""))
                  .group_by("partner_id", maintain_order=True).agg("xml"))
        parts = by_partner.agg(*totals).join(bodies, on="partner_id", how="left", maintain_order="left")
    else:
        parts = by_partner.agg(pl.concat_list(pl.col("xml").str.join("")), *totals)
    # the bodies as UTF-8 bytes: never decoded into Python text, to be written as they are
    parts = parts.with_columns(pl.col("xml").cast(pl.List(pl.Binary)))
    reasons: dict[str, list] = {}
    excluded = (lines.filter(~pl.col("included")).group_by("partner_id", "code")
                .agg(pl.len(), pl.col("base_amount").sum()))
    order = {code: i for i, (code, _) in enumerate(REASONS)}
    for pid, code, count, amount in sorted(excluded.iter_rows(),
                                           key=lambda r: (r[0], order.get(r[1], len(order)), r[1])):
        reasons.setdefault(pid, []).append((code, count, amount))
    out = {}
    for r in parts.iter_rows(named=True):
        # what counts and what is excluded, apart: the excluded lines' sums are their reasons'
        by_reason = tuple(reasons.get(r["partner_id"], ()))
        excluded_base = sum((amount for _, _, amount in by_reason), ZERO)
        out[r["partner_id"]] = Shown(r["len"], tuple(r["xml"]), per_sheet, tuple((c, r[c]) for c in TEXT),
                                     (r["base_amount"] or ZERO) - excluded_base, excluded_base,
                                     r["len"] - sum(count for _, count, _ in by_reason), r["share"] or ZERO, by_reason)
    return out
