"""Reading what an earlier run settled: `--ledger PREVIOUS_RUN_DIR`.

The earlier run's `previously_settled + accrual` is what was really paid, so late
lines and corrections surface in this run as true-ups.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from incentives import schema
from incentives.model import Program
from incentives.periods import Period, parse_period
from incentives.problems import Problem, Source, error
from incentives.read.table import read_table
from incentives.read.workbook import open_book


def read_settled(folder: Path, program: Program, period: Period) -> tuple[dict[str, Decimal], list[Problem]]:
    path = folder / "ledger.xlsx"
    rel = str(path)
    if not path.is_file():
        return {}, [error(Source(rel), "the previous run's ledger.xlsx is missing",
                          "--ledger names the output folder of an earlier run of this program year")]
    book = open_book(path, rel)
    if isinstance(book, Problem):
        return {}, [book]
    table, problems = read_table(book, schema.LEDGER)
    if table is None or any(p.is_error for p in problems):
        return {}, problems
    settled: dict[str, Decimal] = {}
    for r in table.frame.iter_rows(named=True):
        where = table.at(r["row"])
        try:
            earlier = parse_period(r["period"])
        except ValueError as ex:
            problems.append(error(where, str(ex)))
            continue
        if r["program_id"] != program.program_id or r["year"] != program.year:
            problems.append(error(where, f"row of program {r['program_id']} {r['year']}, not "
                                  f"{program.program_id} {program.year}", "use an earlier run of the same program year"))
        elif earlier.kind != period.kind or earlier.index >= period.index:
            problems.append(error(where, f"period {earlier} is not a period before {period}",
                                  "use the run of an earlier period of the year"))
        else:
            settled[r["partner_id"]] = r["previously_settled"] + r["accrual"]
    return settled, problems
