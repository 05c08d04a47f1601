"""audit.xlsx: the auditor re-performs.

Run (version, run id, program, period, command, the register and the head the run was
computed against, where previously settled came from; no wall-clock time), Inputs (every
input file: path, SHA-256, size, sheets, rows, amount; and the earlier run's ledger.xlsx
with `--ledger`), Program (every program sheet as read), Trace (each partner's arithmetic,
step by step, in words and numbers), Payees (each roster partner's `vendor_id`, the number
accounts payable knows it by, which `calc close` copies into the payments file).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from incentives import __version__
from incentives.model import Inputs
from incentives.money import fmt, plain
from incentives.problems import Said, said
from incentives.register.manifest import short
from incentives.settle import LedgerRow, Origin, Settlement
from incentives.words import header_notes
from incentives.write.xlsx import MONEY, page_setup, workbook, write_table

# Items of the Run sheet that `calc close` reads back.
RUN_ID = "run id"
REGISTER = "register"
HEAD = "register head"
PAYEES = "Payees"


def settled_said(origin: Origin) -> Said:
    """Where previously settled came from, as a message of the catalogues: told in English on the
    Run sheet and in the trace, in the reader's language in the terminal."""
    if origin.how == "register":
        return said("settled.register", register=origin.register, head=short(origin.head),
                    closed=", ".join(origin.closed))
    if origin.how == "ledger":
        return said("settled.ledger", ledger=origin.ledger, sha256=origin.ledger_sha256)
    return said("settled.recomputed")


def settled_words(origin: Origin) -> str:
    """`settled_said` in English: the audit is a data sheet, in the contract's words."""
    return settled_said(origin).text()


def head_words(origin: Origin, program_id: str, year: int) -> str:
    return origin.head or f"none: no closed period of {program_id} {year}"


def supplement_words(period) -> str:
    return (f"supplement {period.supplement} to the closed period {period.base}: late lines and corrections of the "
            "year, settled after it was closed; no bonus is re-awarded")


def _pct(rate) -> str:
    return f"{(rate * 100).normalize():f}%"


def trace_steps(inputs: Inputs, settlement: Settlement, row: LedgerRow) -> Iterable[tuple[str, str, object]]:
    """(step, words, amount) for one partner, from lines to total payable."""
    program, p, t, e = inputs.program, row.partner, row.totals, row.entitlement
    cur = program.base_currency
    period = settlement.period
    yield ("period base", f"{t.included_lines} included line(s) in the year; those dated {period.start} to "
           f"{period.end} sum to {fmt(t.period_base)} {cur}", t.period_base)
    yield ("year-to-date base", f"included lines dated {period.start.year}-01-01 to {period.end} sum to "
           f"{fmt(t.ytd_base)} {cur}", t.ytd_base)
    bands = program.bands_for(p.tier)
    if e.band is None:
        lowest = fmt(bands[0].over) if bands else "-"
        yield ("band", f"{fmt(t.ytd_base)} is over no band (lowest: over {lowest}) → rate 0%", e.rate)
    else:
        yield ("band", f"{fmt(t.ytd_base)} > {fmt(e.band.over)} → {_pct(e.rate)} (tier {p.tier})", e.rate)
    if e.segments:  # the tier changed during the year: each line earned under the tier of its date
        for g in e.segments:
            span = f"{g.start} to {g.end}" if g.end else f"{g.start} on"
            if program.tier_method == "all_units":
                how = (f"{fmt(g.base)} × {plain(g.slices[0].rate)} (its band reached by {fmt(t.ytd_base)})"
                       if g.slices else f"{fmt(g.base)}, no band reached")
            else:
                how = f"lines summing to {fmt(g.base)}, slice by slice below"
            yield ("segment", f"{span} {g.tier}: {how} = {plain(g.exact)}", g.exact)
            if program.tier_method == "incremental":
                for s in g.slices:
                    top = fmt(s.upto) if s.upto is not None else "∞"
                    yield ("slice", f"{g.tier} ({fmt(s.over)}, {top}]: {fmt(s.amount)} × {plain(s.rate)} = "
                           f"{plain(s.earned)}", s.earned)
        yield ("entitlement", f"sum of the tier spans {plain(e.exact)} → rounded {program.rounding} {fmt(e.amount)}",
               e.amount)
    elif program.tier_method == "all_units":
        yield ("entitlement", f"{fmt(t.ytd_base)} × {plain(e.rate)} = {plain(e.exact)} → rounded {program.rounding} "
               f"{fmt(e.amount)}", e.amount)
    else:
        for s in e.slices:
            top = fmt(s.upto) if s.upto is not None else "∞"
            yield ("slice", f"({fmt(s.over)}, {top}]: {fmt(s.amount)} × {plain(s.rate)} = {plain(s.earned)}", s.earned)
        yield ("entitlement", f"sum of slices {plain(e.exact)} → rounded {program.rounding} {fmt(e.amount)}", e.amount)
    origin = settlement.settled_from
    source = "recomputed from the same inputs" if origin.how == "recomputed" else settled_words(origin)
    yield ("accrual", f"{fmt(e.amount)} − {fmt(row.previously_settled)} settled ({source}) = {fmt(row.accrual)}"
           + (" (claw-back)" if row.accrual < 0 else ""), row.accrual)
    yield ("bonus", f"{fmt(row.bonus)} in bonuses", row.bonus)
    yield ("total payable", f"{fmt(row.accrual)} + {fmt(row.bonus)} = {fmt(row.total_payable)} {program.unit}",
           row.total_payable)
    if row.carried_in or row.carried_out:  # clawback = carry_forward
        yield ("carried in", f"the claw-back the period before carried out, not yet recovered: "
               f"{fmt(row.carried_in)}", row.carried_in)
        yield ("net due", f"{fmt(row.total_payable)} + {fmt(row.carried_in)} = {fmt(row.net_due)}", row.net_due)
        last = period.year_periods()[-1]
        yield ("carried out", f"negative and {period.base} is not the year's last period ({last}): carried into the "
               f"next, not claimed back now" if row.carried_out else
               f"{fmt(row.net_due)} is not negative" if row.net_due >= 0 else
               f"{period.base} is the year's last period: what remains is owed back", row.carried_out)
        yield ("payment", f"{fmt(row.net_due)} − {fmt(row.carried_out)} = {fmt(row.payment)} {program.unit}"
               + (" (to pay)" if row.payment > 0 else " (to recover)" if row.payment < 0 else ""), row.payment)


def write_audit(folder: Path, inputs: Inputs, settlement: Settlement, command: str) -> Path:
    path = folder / "audit.xlsx"
    book = workbook(path)
    program = inputs.program
    origin, period = settlement.settled_from, settlement.period
    footer = f"{program.name} · {period.label} · audit"
    notes = header_notes(program.language)  # each header's name in the program's language
    write_table(book, "Run", ["item", "value"], [
        ["calc version", __version__], [RUN_ID, settlement.run_id], ["program_id", program.program_id],
        ["program", program.name], ["year", program.year], ["period", period.label],
        *([["supplement", supplement_words(period)]] if period.supplement else []),
        ["period dates", f"{period.start} to {period.end}"], ["command", command],
        [REGISTER, origin.register or "none: the run consulted no register"],
        [HEAD, head_words(origin, program.program_id, program.year)],
        ["previously settled", settled_words(origin)], ["tier method", program.tier_method],
        ["rounding", program.rounding], ["unit", program.unit], ["base currency", program.base_currency],
    ], footer=footer, notes=notes)
    per_file = {r["file"]: r for r in settlement.lines.group_by("file").agg(
        pl.len().alias("lines"), pl.col("base_amount").sum().alias("amount")).iter_rows(named=True)}
    versions = any(f.version for f in inputs.files)  # objects read by URL: each one's version id or ETag
    write_table(book, "Inputs", ["path", "sha256", "size", "sheets", "rows", "amount", *(["version"] * versions)],
                ([f.path, f.sha256, f.size, ", ".join(f.sheets), f.rows,
                  per_file[f.path]["amount"] if f.path in per_file else None, *([f.version] * versions)]
                 for f in inputs.files),
                {"amount": MONEY}, footer=footer, notes=notes)
    sheet = book.add_worksheet("Program")
    bold = book.add_format({"bold": True})
    r = 0
    for name, header, rows in inputs.program_sheets:
        sheet.write_string(r, 0, name, bold)
        for j, h in enumerate(header):
            sheet.write_string(r + 1, j, h, bold)
        for i, values in enumerate(rows, start=r + 2):
            for j, v in enumerate(values):
                sheet.write_string(i, j, v)
        r += len(rows) + 3
    sheet.set_column(0, 5, 22)
    page_setup(sheet, [22] * 6, footer, header_rows=0)
    write_table(book, "Trace", ["partner_id", "step", "derivation", "value"],
                ([row.partner.partner_id, step, words, value]
                 for row in settlement.rows for step, words, value in trace_steps(inputs, settlement, row)),
                {"value": MONEY}, {"derivation": 90}, footer=footer, notes=notes)
    write_table(book, PAYEES, ["partner_id", "partner_name", "vendor_id"],
                ([p.partner_id, p.partner_name, p.vendor_id]
                 for p in sorted(inputs.partners, key=lambda p: p.partner_id)),
                footer=footer, notes=notes)
    book.close()
    return path

