"""summary.xlsx's first sheet, `Overview`: the period on one page for the finance lead.

In the program's language (`words.py`): what is to pay and to recover (the ledger's
`payment`, positive and negative), by tier and by country, the lines excluded by reason, the top
partners by total payable, and one chart (to pay by tier). Every figure is a number cell
with an Excel format; the data sheets after it keep the contract's column names.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentives.classify import INCLUDED, REASONS
from incentives.model import Program
from incentives.money import ZERO
from incentives.settle import LedgerRow, Settlement
from incentives.words import Words
from incentives.write.xlsx import MONEY, page_setup

TOP = 10  # partners listed by total payable
COUNT = "#,##0"
WIDTHS = (34, 12, 24, 20)


def _split(rows: list[LedgerRow]) -> tuple[Decimal, Decimal]:
    """(to pay, to recover), each a positive amount, from the ledger's `payment` as the Totals sheet
    and the statements give them (a balance carried forward is neither)."""
    pay = sum((r.payment for r in rows if r.payment > 0), ZERO)
    return pay, sum((-r.payment for r in rows if r.payment < 0), ZERO)


def write_overview(book, program: Program, settlement: Settlement) -> None:
    """The Overview sheet; call before any other sheet is added, so it comes first."""
    w = Words(program.language)
    unit, cur = w.code("unit", program.unit), program.base_currency
    sheet = book.add_worksheet("Overview")
    add = book.add_format
    st = {"title": add({"bold": True, "font_size": 14}), "head": add({"bold": True, "font_size": 12}),
          "label": add({"bold": True}),
          "header": add({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}),
          "money": add({"num_format": MONEY}), "money_bold": add({"num_format": MONEY, "bold": True}),
          "count": add({"num_format": COUNT})}
    for j, width in enumerate(WIDTHS):
        sheet.set_column(j, j, width)
    sheet.hide_gridlines(2)
    page_setup(sheet, [*WIDTHS, 70], f"{program.name} · {w.period(settlement.period)}", header_rows=0,
               page=w("page"))  # the chart's room, right of the tables
    rows = list(settlement.rows)
    at = 0
    sheet.write_string(at, 0, w("ov_title", period=w.period(settlement.period)), st["title"])
    sheet.write_string(at + 1, 0, f"{program.name} ({program.program_id})")
    at += 3

    pay, recover = _split(rows)
    sheet.write_string(at, 0, w("ov_totals", unit=unit), st["head"])
    for k, (label, value, style) in enumerate(((w("ov_to_pay"), pay, st["money_bold"]),
                                               (w("ov_to_recover"), recover, st["money_bold"]),
                                               (w("ov_net"), pay - recover, st["money"]))):
        sheet.write_string(at + 1 + k, 0, label, st["label"])
        sheet.write_number(at + 1 + k, 1, float(value), style)
    at += 5

    chart_rows = None
    for title, key in ((w("ov_by_tier"), lambda r: r.partner.tier), (w("ov_by_country"), lambda r: r.partner.country)):
        groups: dict[str, list[LedgerRow]] = {}
        for r in rows:
            groups.setdefault(key(r), []).append(r)
        sheet.write_string(at, 0, title, st["head"])
        for j, h in enumerate((w("ov_group"), w("ov_count"), w("ov_to_pay"), w("ov_to_recover"))):
            sheet.write_string(at + 1, j, h, st["header"])
        first = at + 2
        for i, name in enumerate(sorted(groups)):
            g_pay, g_recover = _split(groups[name])
            sheet.write_string(first + i, 0, name)
            sheet.write_number(first + i, 1, len(groups[name]), st["count"])
            sheet.write_number(first + i, 2, float(g_pay), st["money"])
            sheet.write_number(first + i, 3, float(g_recover), st["money"])
        if chart_rows is None:
            chart_rows = (first, first + max(len(groups), 1) - 1)
        at = first + len(groups) + 1

    excluded = (settlement.lines.filter(pl.col("outcome") != INCLUDED).group_by("outcome")
                .agg(pl.len(), pl.col("base_amount").sum()))
    order = {code: i for i, (code, _) in enumerate(REASONS)}
    sheet.write_string(at, 0, w("ov_exclusions"), st["head"])
    for j, h in enumerate((w("ov_reason"), w("ov_lines"), w("ov_amount", cur=cur))):
        sheet.write_string(at + 1, j, h, st["header"])
    at += 2
    for code, count, amount in sorted(excluded.iter_rows(), key=lambda r: (order.get(r[0], len(order)), r[0])):
        sheet.write_string(at, 0, w.code("reason", code))
        sheet.write_number(at, 1, count, st["count"])
        sheet.write_number(at, 2, float(amount or 0), st["money"])
        at += 1
    at += 1

    top = sorted(rows, key=lambda r: (-r.total_payable, r.partner.partner_id))[:TOP]
    sheet.write_string(at, 0, w("ov_top"), st["head"])
    for j, h in enumerate((w("ov_name"), w("ov_partner"), w("ov_payable", unit=unit))):
        sheet.write_string(at + 1, j, h, st["header"])
    at += 2
    for r in top:
        sheet.write_string(at, 0, r.partner.partner_name)
        sheet.write_string(at, 1, r.partner.partner_id)
        sheet.write_number(at, 2, float(r.total_payable), st["money"])
        at += 1

    if chart_rows and rows:
        chart = book.add_chart({"type": "bar"})
        first, last = chart_rows
        chart.add_series({"name": w("ov_to_pay"), "categories": ["Overview", first, 0, last, 0],
                          "values": ["Overview", first, 2, last, 2], "fill": {"color": "#5B9BD5"}})
        chart.set_title({"name": w("ov_chart", unit=unit), "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_format": "#,##0"})
        chart.set_size({"width": 480, "height": 260})
        sheet.insert_chart(3, len(WIDTHS), chart, {"x_offset": 20, "y_offset": 0})
