"""summary.xlsx: finance closes the quarter.

Overview (the period on one page, in the program's language: `overview.py`), Summary
(the ledger with names), Totals (by tier, by country, grand total; to pay, to recover and
carried forward apart), Exclusions (every excluded line with its reason and source), Bonuses, TierReview,
Reconciliation (per input file and in total).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl

from incentives.classify import INCLUDED, REASON_WORDS
from incentives.model import Inputs
from incentives.reconcile import Balance
from incentives.review import TierReview
from incentives.settle import LedgerRow, Settlement
from incentives.write.ledger import FORMATS as LEDGER_FORMATS
from incentives.write.ledger import HEADER as LEDGER_HEADER
from incentives.write.ledger import ledger_values
from incentives.words import header_notes
from incentives.write.overview import write_overview
from incentives.write.xlsx import DATE, MONEY, close, workbook, write_long_table, write_table

AMOUNTS = ("period_base", "ytd_base", "ytd_entitlement", "previously_settled", "accrual", "bonus", "total_payable",
           "excluded_amount", "to_pay", "to_recover", "carried_forward")  # the last three: positive amounts
COUNTS = ("included_lines", "excluded_lines")
ALARM = {"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE"}


def _amounts(row: LedgerRow) -> dict:
    t = row.totals
    return {"period_base": t.period_base, "ytd_base": t.ytd_base, "ytd_entitlement": row.entitlement.amount,
            "previously_settled": row.previously_settled, "accrual": row.accrual, "bonus": row.bonus,
            "total_payable": row.total_payable, "excluded_amount": t.excluded_amount,
            "included_lines": t.included_lines, "excluded_lines": t.excluded_lines,
            # what accounts payable pays, what it recovers, and what a claw-back carries into the next period
            "to_pay": max(row.payment, Decimal(0)), "to_recover": max(-row.payment, Decimal(0)),
            "carried_forward": -row.carried_out}


def totals_rows(rows: tuple[LedgerRow, ...]) -> list[list]:
    """By tier, by country, and the grand total."""
    out = []
    for by, key in (("tier", lambda r: r.partner.tier), ("country", lambda r: r.partner.country)):
        groups: dict[str, list[LedgerRow]] = {}
        for row in rows:
            groups.setdefault(key(row), []).append(row)
        for name in sorted(groups):
            out.append([by, name, len(groups[name]), *_sums(groups[name])])
    out.append(["total", "", len(rows), *_sums(list(rows))])
    return out


def _sums(rows: list[LedgerRow]) -> list:
    values = [_amounts(r) for r in rows]
    return [sum((v[k] for v in values), Decimal(0) if k in AMOUNTS else 0) for k in (*AMOUNTS, *COUNTS)]


EXCLUSION_COLUMNS = ("partner_id", "invoice_id", "line_no", "invoice_date", "outcome", "detail", "net_amount",
                     "currency", "base_amount", "file", "sheet", "row")


def exclusions(lines: pl.DataFrame) -> pl.DataFrame:
    """Every excluded line, its reason in words and the detail after them."""
    words = pl.col("outcome").replace_strict(REASON_WORDS, default=pl.col("outcome"), return_dtype=pl.String)
    reason = pl.when(pl.col("detail").is_not_null() & (pl.col("detail") != "")).then(
        pl.concat_str(words, pl.lit(": "), pl.col("detail"))).otherwise(words)
    return lines.filter(pl.col("outcome") != INCLUDED).select(
        *EXCLUSION_COLUMNS[:5], reason.alias("reason"), *EXCLUSION_COLUMNS[6:])


def write_summary(folder: Path, inputs: Inputs, settlement: Settlement, balances: tuple[Balance, ...],
                  reviews: tuple[TierReview, ...]) -> Path:
    path = folder / "summary.xlsx"
    book = workbook()
    program = inputs.program
    write_overview(book, program, settlement)  # first: the sheet a reader opens on
    footer = f"{program.name} · {settlement.period.label} · summary"
    notes = header_notes(program.language)  # each header's name in the program's language
    summary_header = [*LEDGER_HEADER, "role", "parent_id", "flagged_lines"]
    flagged = dict(settlement.lines.filter(pl.col("flag").is_not_null()).group_by("partner_id").len().iter_rows())
    write_table(book, "Summary", summary_header,
                ([*ledger_values(program, settlement, r), r.partner.role, r.partner.parent_id,
                  flagged.get(r.partner.partner_id, 0)] for r in settlement.rows), LEDGER_FORMATS,
                footer=footer, notes=notes)
    money = {k: MONEY for k in AMOUNTS}
    write_table(book, "Totals", ["by", "group", "partners", *AMOUNTS, *COUNTS], totals_rows(settlement.rows), money,
                footer=footer, notes=notes)
    excluded = exclusions(settlement.lines)
    write_long_table(book, "Exclusions", excluded.columns, excluded,
                     {"invoice_date": DATE, "net_amount": MONEY, "base_amount": MONEY}, footer=footer, notes=notes)
    names = {p.partner_id: p.partner_name for p in inputs.partners}
    write_table(book, "Bonuses", ["bonus", "group", "rank", "partner_id", "partner_name", "eligible_base", "tied",
                                  "amount"],
                ([a.bonus, a.group, a.rank, a.partner_id, names.get(a.partner_id, ""), a.base, a.tied, a.amount]
                 for a in settlement.awards), {"eligible_base": MONEY, "amount": MONEY}, footer=footer, notes=notes)
    review_header, review_rows = review_table(reviews, bool(inputs.program.statuses))
    write_table(book, "TierReview", review_header, review_rows, {"ytd_base": MONEY, "to_next_grade": MONEY},
                footer=footer, notes=notes)
    reconciliation = write_table(book, "Reconciliation", [
        "file", "lines_read", "amount_read", "included_lines", "included_amount", "excluded_lines", "excluded_amount",
        "balanced"],
                ([b.file, b.lines_read, b.amount_read, b.included_lines, b.included_amount, b.excluded_lines,
                  b.excluded_amount, "yes" if b.balanced else "NO"] for b in balances),
                {"amount_read": MONEY, "included_amount": MONEY, "excluded_amount": MONEY},
                footer=footer, notes=notes)
    # A file that does not balance stands out: NO in bold red on red
    reconciliation.conditional_format(1, 7, len(balances), 7, {"type": "cell", "criteria": "==", "value": '"NO"',
                                                               "format": book.add_format(ALARM)})
    close(book, path)
    return path


def review_table(reviews: tuple[TierReview, ...], statuses: bool = False) -> tuple[list[str], list[list]]:
    header = ["partner_id", "partner_name", "tier", "rank", "qualifies_for_tier", "highest_qualifying_tier",
              "recommendation", "ytd_base", "grade", "to_next_grade", "requirements"]
    rows = [[r.partner_id, r.partner_name, r.tier, r.rank, r.qualifies_text, r.highest_tier, r.recommendation,
             r.ytd_base, r.grade, r.to_next_grade, r.requirements_text] for r in reviews]
    if statuses:  # the program's add-on statuses, reviewed apart from the ladder
        header += ["statuses_held", "status_recommendation", "status_requirements"]
        rows = [row + [r.statuses_held, r.status_recommendation, r.status_requirements]
                for row, r in zip(rows, reviews)]
    return header, rows

