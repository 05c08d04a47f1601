"""`calc explain`'s words: an `Explanation` of `explain.py` told in plain words and numbers
(`render`), each figure with its derivation and, when asked, the lines behind it; it ends with
the checks against the ledger row, or what does not add up (`disagreements`). No reading, no
checking here.
"""

from __future__ import annotations

from decimal import Decimal

from incentives.classify import REASON_WORDS
from incentives.money import ZERO, fmt, plain
from incentives.tools.explain import Check, Explanation, Line, cell_text

def render(e: Explanation, lines: bool = False) -> str:
    """The explanation in plain words and numbers; `lines` lists the lines behind each figure."""
    cur, unit = e.setting("base currency"), e.setting("unit")
    out = [f"{e.partner_id} {e['partner_name']}: tier {e['tier']}, {e['country']}",
           f"{e['program_id']} {e.period.label} ({e.period.start} to {e.period.end}); bases in {cur}, "
           f"paid in {unit}",
           f"from {e.run_dir}: ledger.xlsx row {e.ledger_row}, audit.xlsx (Run, Trace)"
           + (f", {e.statement} (Lines)" if e.statement else "") + (", summary.xlsx (Bonuses)" if e.awards is not None
                                                                    else ""),
           ""]
    if not e.statement:
        out += ["No statement: the run read no line of this partner and settled nothing for it.", ""]
    count = sum(len(g.lines) for g in e.periods)
    out.append(f"Included lines: {count}, year-to-date base {fmt(sum((g.total for g in e.periods), ZERO))} {cur}, "
               f"by {'month' if e.period.kind == 'month' else 'quarter'} of the invoice date")
    for g in e.periods:
        mark = "  ← the period: period base" if g.label == e.period.label else ""
        out.append(f"  {g.label:<10} {len(g.lines):>5} line(s) {fmt(g.total):>20}{mark}")
        if lines:
            out += [_line_text(line, cur) for line in g.lines]
    if e.periods and e.period.label not in {g.label for g in e.periods} and e.period.kind != "year":
        out.append(f"  {e.period.label:<10} {0:>5} line(s) {fmt(ZERO):>20}  ← the period: period base")
    if e.period.kind == "year":
        out.append(f"  period base (the year): {fmt(e['period_base'])}")
    excluded = sum(len(g.lines) for g in e.reasons)
    out.append(f"Excluded lines: {excluded}, {fmt(sum((g.total for g in e.reasons), ZERO))} {cur}")
    for g in e.reasons:
        out.append(f"  {g.label:<18} {len(g.lines):>5} line(s) {fmt(g.total):>20}  {REASON_WORDS.get(g.label, '')}")
        if lines:
            out += [_line_text(line, cur, detail=True) for line in g.lines]
    out.append("")

    steps = {step: words for step, words, _ in e.trace}
    rate, base, amount = e["ytd_rate"], e["ytd_base"], e["ytd_entitlement"]
    out.append(f"Band reached: {steps['band']}" if "band" in steps else f"Rate reached: {_pct(rate)}")
    if any(step == "segment" for step, _, _ in e.trace):
        out.append("Entitlement, per span of the year under one tier (each line earns under the tier in effect on its "
                   "date, or on the date of the sale it reverses):")
        out += [f"  {words}" if step == "segment" else f"    {words}" for step, words, _ in e.trace
                if step in ("segment", "slice")]
        out.append(f"  {steps.get('entitlement', fmt(amount))}")
    elif e.setting("tier method") == "incremental":
        out.append("Entitlement, each slice of the base at its band's rate:")
        out += [f"  {words}" for step, words, _ in e.trace if step == "slice"]
        out.append(f"  {steps.get('entitlement', fmt(amount))}")
    else:
        out.append(f"Entitlement: {fmt(base)} × {plain(rate)} = {_exact(base * rate)} → rounded "
                   f"{e.setting('rounding')} {fmt(amount)} {unit}")
    settled = e["previously_settled"]
    source = e.setting("previously settled") or "where from is not recorded"
    out.append(f"Previously settled: {fmt(settled)} {unit}, {source}")
    accrual = e["accrual"]
    out.append(f"Accrual: {fmt(amount)} − {fmt(settled)} = {fmt(accrual)}" + (" (a claw-back)" if accrual < 0 else ""))
    out.append(f"Bonus: {fmt(e['bonus'])}" + ("" if e.awards is None else " (no award)" if not e.awards else ""))
    for a in e.awards or ():
        tied = f", shared by {cell_text(a.tied)}" if isinstance(a.tied, (int, float)) and a.tied > 1 else ""
        out.append(f"  {a.bonus}, {a.group}, rank {cell_text(a.rank)}{tied}: {fmt(a.amount)}")
    out.append(f"Total payable: {fmt(accrual)} + {fmt(e['bonus'])} = {fmt(e['total_payable'])} {unit}")
    if e["carried_in"] or e["carried_out"]:
        out.append(f"Carried in from the period before (a claw-back not yet recovered): {fmt(e['carried_in'])}; "
                   f"net due {fmt(e['total_payable'])} + {fmt(e['carried_in'])} = {fmt(e['net_due'])}")
        if e["carried_out"]:
            out.append(f"Carried out to the next period, to be offset against what it earns: {fmt(e['carried_out'])}")
    payment = e["payment"]
    pay, recover = ("credited", "debited") if unit == "points" else ("to pay", "to recover")
    out.append(f"Payment: {fmt(payment)} {unit}" + (f" {pay}" if payment > 0 else f" {recover}" if payment < 0
                                                      else f", nothing {pay} or {recover}"))
    out.append("")
    if e.ok:
        out.append(f"Checked against the ledger row: every figure agrees to the cent ({len(e.checks)} checks).")
    else:
        out += disagreements(e)
    return "\n".join(out) + "\n"


def disagreements(e: Explanation) -> list[str]:
    def num(check: Check, value: Decimal) -> str:
        return f"{value:,}" if check.figure.endswith("_lines") else fmt(value)

    return ["!! THE LEDGER DOES NOT AGREE WITH ITS OWN LINES:"] + [
        f"!!   {c.figure}: ledger {num(c, c.ledger)}, {c.how}: {num(c, c.derived)} "
        f"(difference {num(c, c.derived - c.ledger)})" for c in e.checks if not c.ok]


def _line_text(line: Line, cur: str, detail: bool = False) -> str:
    amount = f"{fmt(line.net_amount)} {line.currency}" if line.net_amount is not None else ""
    base = f" = {fmt(line.base_amount)} {cur}" if line.currency != cur or line.net_amount != line.base_amount else ""
    why = f"  ({line.detail})" if detail and line.detail else ""
    return (f"      {line.file} row {line.row}: {line.date or ''} {line.invoice_id}/{cell_text(line.line_no)} "
            f"{amount}{base}{why}")


def _exact(value: Decimal) -> str:
    """Two decimals, or every decimal when an exact product has more."""
    return fmt(value) if value == round(value, 2) else f"{value.normalize():,f}"


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"
