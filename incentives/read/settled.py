"""Reading a run's ledger back: `--ledger PREVIOUS_RUN_DIR`, and `calc close`.

A ledger read back is checked before anything uses it (`read_ledger`): every amount a number
of at most 2 decimals (the rate apart), each partner_id once, one program, year and period in
the whole sheet, and on every row `accrual = ytd_entitlement − previously_settled` and
`total_payable = accrual + bonus`; each failure an error naming the cell.

With `--ledger` (`read_settled`), what the earlier run really paid, its `previously_settled +
accrual`, is this run's `previously_settled`, so late lines and corrections surface as
true-ups; its `carried_out` is this run's `carried_in`. The earlier run must be of the same program and year and of the period right
before this one; every file of its folder must match its `manifest.sha256` (without one, a
note says the ledger cannot be verified). A roster partner without a row has settled 0, and a
note names it when it has lines dated before the period.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl

from incentives import schema
from incentives.model import InputFile, Inputs
from incentives.money import CENT
from incentives.periods import Period, parse_period
from incentives.problems import Problem, Source, error, note
from incentives.words import Number
from incentives.read.table import ROW, read_table
from incentives.read.workbook import open_book
from incentives.register.manifest import MANIFEST, Difference, ManifestError, check_folder, sha256_of

LEDGER_FILE = "ledger.xlsx"
COLUMNS = tuple(c.name for c in schema.LEDGER.columns)
_AMOUNTS = tuple(c.name for c in schema.LEDGER.columns if c.kind is schema.Kind.DECIMAL)
_CENTS = tuple(c for c in _AMOUNTS if c != "ytd_rate")


@dataclass(frozen=True)
class Ledger:
    """A run's ledger.xlsx read back and checked: one program, year and period."""

    path: Path
    sha256: str
    size: int
    program_id: str
    year: int
    period: Period
    rows: tuple[dict, ...]  # column -> value, in sheet order; amounts Decimal
    sources: tuple[int, ...]  # each row's Excel row

    def settled(self) -> dict[str, Decimal]:
        """What the run's period and those before it paid, per partner: previously_settled + accrual."""
        return {r["partner_id"]: r["previously_settled"] + r["accrual"] for r in self.rows}

    def carried(self) -> dict[str, Decimal]:
        """What the run's period carried into the next one, per partner (0 in a ledger of a calc before
        claw-backs were carried)."""
        return {r["partner_id"]: r["carried_out"] for r in self.rows if r["carried_out"]}


def read_ledger(path: Path, rel: str) -> tuple[Ledger | None, list[Problem]]:
    """`path` (named `rel` in messages) read and checked; None with the errors when it fails."""
    if not path.is_file():
        return None, [error(Source(rel), "previous.missing")]
    book = open_book(path, rel)
    if isinstance(book, Problem):
        return None, [book]
    table, problems = read_table(book, schema.LEDGER)
    if table is None or any(p.is_error for p in problems):
        return None, problems
    rows = table.frame.to_dicts()
    if not rows:
        return None, problems + [error(table.source, "previous.no_row")]
    # A blank required cell is the reader's error already (read_table above): left here are amounts
    # with more than cents, which a ledger calc wrote never has.
    for r in rows:
        for column in _CENTS:
            value = r[column]
            if value is not None and value != value.quantize(CENT):
                problems.append(error(table.at(r[ROW], column), "previous.decimals", column=column,
                                      amount=f"{value.normalize():f}"))
    if any(p.is_error for p in problems):
        return None, problems
    first = rows[0]
    for column in ("program_id", "year", "period"):
        other = next((r for r in rows if r[column] != first[column]), None)
        if other is not None:
            problems.append(error(table.at(other[ROW], column), "previous.differs", column=column,
                                  value=other[column], first=first[column], row=first[ROW]))
    try:
        period = parse_period(str(first["period"]))
    except ValueError as ex:
        problems.append(error(table.at(first[ROW], "period"), str(ex)))
    else:
        if period.year != first["year"]:
            problems.append(error(table.at(first[ROW], "period"), "previous.period_year", period=str(period),
                                  year=first["year"]))
    seen: dict[str, int] = {}
    for r in rows:
        pid = r["partner_id"]
        if pid in seen:
            problems.append(error(table.at(r[ROW], "partner_id"), "previous.partner_twice", pid=pid, row=seen[pid]))
        seen.setdefault(pid, r[ROW])
        accrual = r["ytd_entitlement"] - r["previously_settled"]
        if r["accrual"] != accrual:
            problems.append(error(table.at(r[ROW], "accrual"), "previous.accrual", "previous.edited", pid=pid,
                                  accrual=Number(r["accrual"], 2), entitlement=Number(r["ytd_entitlement"], 2),
                                  settled=Number(r["previously_settled"], 2), expected=Number(accrual, 2)))
        if r["total_payable"] != r["accrual"] + r["bonus"]:
            problems.append(error(table.at(r[ROW], "total_payable"), "previous.payable", "previous.edited", pid=pid,
                                  payable=Number(r["total_payable"], 2), accrual=Number(r["accrual"], 2),
                                  bonus=Number(r["bonus"], 2), expected=Number(r["accrual"] + r["bonus"], 2)))
        if table.column_index("net_due") is not None:  # a ledger of a calc before claw-backs were carried has none
            problems += _carried_problems(table, r, pid)
    if any(p.is_error for p in problems):
        return None, problems
    return Ledger(path, sha256_of(path), path.stat().st_size, first["program_id"], first["year"], period,
                  tuple({c: r[c] for c in COLUMNS} for r in rows), tuple(r[ROW] for r in rows)), problems


def _carried_problems(table, r: dict, pid: str) -> list[Problem]:
    """`net_due = total_payable + carried_in`, `payment = net_due − carried_out`, and carried_out
    0 or the negative net_due."""
    found = []
    hint = "previous.edited"
    if r["net_due"] != r["total_payable"] + r["carried_in"]:
        found.append(error(table.at(r[ROW], "net_due"), "previous.net_due", hint, pid=pid,
                           net_due=Number(r["net_due"], 2), payable=Number(r["total_payable"], 2),
                           carried_in=Number(r["carried_in"], 2),
                           expected=Number(r["total_payable"] + r["carried_in"], 2)))
    if r["carried_out"] not in (0, r["net_due"]) or r["carried_out"] > 0:
        found.append(error(table.at(r[ROW], "carried_out"), "previous.carried_out", hint, pid=pid,
                           carried_out=Number(r["carried_out"], 2), net_due=Number(r["net_due"], 2)))
    if r["payment"] != r["net_due"] - r["carried_out"]:
        found.append(error(table.at(r[ROW], "payment"), "previous.payment", hint, pid=pid,
                           payment=Number(r["payment"], 2), net_due=Number(r["net_due"], 2),
                           carried_out=Number(r["carried_out"], 2),
                           expected=Number(r["net_due"] - r["carried_out"], 2)))
    return found


def folder_problems(folder: Path, shown: str, hint: str) -> list[Problem]:
    """Every file of a run folder altered, added or missing against its manifest, as errors
    (`hint` says what to do); a note when it has no manifest."""
    try:
        differences = check_folder(folder)
    except ManifestError as ex:
        return [ex.problem(shown, "previous.altered")]
    if differences is None:
        return [note(Source(shown), "previous.no_manifest", manifest=MANIFEST)]
    return difference_problems(differences, shown, hint)


def difference_problems(differences: Iterable[Difference], shown: str, hint: str = "") -> list[Problem]:
    """Each file a run folder has altered, added or missing against its manifest, as an error."""
    return [error(Source(f"{shown}/{d.path}"), "previous.file:" + d.kind + ("_lock" if d.lock else ""),
                  hint) for d in differences]


@dataclass(frozen=True)
class Earlier:
    """What `--ledger` gave: each partner's settled amount, and the ledger as an input file."""

    settled: dict[str, Decimal]
    carried: dict[str, Decimal]  # each partner's carried_in: the earlier run's carried_out
    file: InputFile  # for the audit's Inputs and the run id


def read_settled(folder: Path, inputs: Inputs, period: Period) -> tuple[Earlier | None, list[Problem]]:
    """`--ledger folder` checked against this run; what the earlier run paid up to its period."""
    shown = folder.as_posix()
    program = inputs.program
    if period.index == 1:
        return None, [error(Source("--ledger"), "previous.first_period", period=str(period), year=period.year)]
    problems = folder_problems(folder, shown, "previous.unaltered")
    ledger, found = read_ledger(folder / LEDGER_FILE, f"{shown}/{LEDGER_FILE}")
    problems += found
    if ledger is None:
        return None, problems
    before = Period(period.year, period.kind, period.index - 1)
    where = Source(f"{shown}/{LEDGER_FILE}", schema.LEDGER.name, ledger.sources[0])
    if (ledger.program_id, ledger.year) != (program.program_id, program.year):
        problems.append(error(where, "previous.other_program", found=f"{ledger.program_id} {ledger.year}",
                              program=program.program_id, year=program.year, before=str(before)))
    elif ledger.period != before:
        problems.append(error(where, "previous.other_period", found=str(ledger.period), before=str(before),
                              period=str(period)))
    if any(p.is_error for p in problems):
        return None, problems
    settled = ledger.settled()
    year_start = dt.date(period.year, 1, 1)
    earlier = set(inputs.sales.filter(pl.col("invoice_date").is_between(year_start, period.start, closed="left"))
                  ["partner_id"].to_list())
    for p in inputs.partners:
        if p.partner_id not in settled and p.partner_id in earlier:
            problems.append(note(where, "previous.no_row_for", pid=p.partner_id, period=str(period)))
    rel = os.path.relpath(ledger.path, inputs.folder).replace(os.sep, "/")
    file = InputFile(rel, ledger.sha256, ledger.size, (schema.LEDGER.name,), len(ledger.rows))
    return Earlier(settled, ledger.carried(), file), problems
