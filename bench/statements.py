"""What a statement costs to write: `python bench/statements.py [--partners 500] [--repeat 5]`.

Prints two figures, in CPU time of this one process (its threads included: polars'),
with no pool:

- **fixed cost per statement**: writing the statements of `--partners` partners with
  1 to 5 lines each (half of them in Russian, every fifth line excluded), divided by
  the partners. What a statement costs whatever its length: xlsxwriter's workbook,
  its `close`, the zip. Issue 21's target: 3 ms or less.
- **cost per line**: writing `--long` partners' statements of `--long-lines` lines
  each, less their fixed cost, divided by the lines.

The inputs are made by `tests/builders.py` and settled by the pipeline once; only
`write_statements` is timed, each run into a new folder, the fastest of `--repeat`
runs kept (CPU time moves far less with the machine's load than wall time, but it
moves). Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from incentives import pipeline  # noqa: E402
from incentives.periods import parse_period  # noqa: E402
from incentives.review import review  # noqa: E402
from incentives.write.statements import write_statements  # noqa: E402
from tests.builders import line, make_inputs, partner  # noqa: E402

PERIOD = "2026Q3"
MONTHS = ("2026-07-10", "2026-08-12", "2026-09-15")


def settled(folder: Path, partners: int, most: int = 5):
    """The inputs, settlement and tier reviews of `partners` partners, the i-th (from 0) with
    1 + i % `most` lines; every fifth line dated before its partner registered (excluded)."""
    roster = [partner(f"P{i:04d}", registered_on="2026-07-01" if i % 7 == 0 else "2025-01-01",
                      language="ru" if i % 2 else "en",
                      partner_name=f"Partner {i}" if i % 2 == 0 else f"Партнёр «{i}»")
              for i in range(partners)]
    sales, n = [], 0
    for i in range(partners):
        for k in range(1 + i % most):
            n += 1
            date = "2026-06-20" if n % 5 == 0 else MONTHS[n % 3]
            sales.append(line(f"INV-{n:06d}", date, 1000 + 37 * n, pid=f"P{i:04d}", line_no=1 + k,
                              customer_name=f"Клиент {n % 41}" if i % 2 else f"Customer {n % 41}"))
    inputs = make_inputs(folder / "in", {"sales.xlsx": sales}, partners=roster,
                         tiers=[("Primary", 1, 500000, 1000000, 2000000)])
    outcome = pipeline.run(inputs, parse_period(PERIOD), folder / "run")
    if not outcome.ok:
        raise SystemExit("\n".join(str(p) for p in outcome.problems if p.is_error))
    s = outcome.settlement
    reviews = review(outcome.inputs.program, tuple(r.partner for r in s.rows),
                     {r.partner.partner_id: r.totals.ytd_base for r in s.rows}, s.period.is_last_of_year)
    return outcome.inputs, s, reviews


def lengthened(settlement, lines_each: int):
    """`settlement` with each partner's lines repeated to `lines_each` (each copy its own source row)."""
    lines = settlement.lines
    parts = [frame.select(pl.all().gather(pl.int_range(lines_each, eager=True) % frame.height))
             for frame in lines.partition_by("partner_id", maintain_order=True)]
    longer = pl.concat(parts).with_columns(row=pl.int_range(2, lines_each * len(parts) + 2,
                                                            dtype=lines.schema["row"]))
    return dataclasses.replace(settlement, lines=longer)


def cpu_of(write, repeat: int) -> float:
    """The least CPU seconds of `repeat` calls of `write(i)`."""
    best = float("inf")
    for i in range(repeat):
        started = time.process_time()
        write(i)
        best = min(best, time.process_time() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=500, help="short statements, 1 to 5 lines each")
    parser.add_argument("--long", type=int, default=4, help="long statements")
    parser.add_argument("--long-lines", type=int, default=20_000, help="lines of each long statement")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line too (the last)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inputs, settlement, reviews = settled(tmp / "short", args.partners)
        short_lines = settlement.lines.height

        def short(i: int) -> None:
            out = tmp / "out" / f"short{i}"
            write_statements(out, inputs, settlement, reviews, workers=1)
            shutil.rmtree(out)

        short(-1)  # warm: imports, polars' first queries
        fixed = cpu_of(short, args.repeat) / args.partners

        long_inputs, long_settlement, long_reviews = settled(tmp / "long", args.long, most=1)
        long_settlement = lengthened(long_settlement, args.long_lines)

        def long(i: int) -> None:
            out = tmp / "out" / f"long{i}"
            write_statements(out, long_inputs, long_settlement, long_reviews, workers=1)
            shutil.rmtree(out)

        long(-1)
        lines = args.long * args.long_lines
        per_line = (cpu_of(long, max(1, args.repeat // 2)) - args.long * fixed) / lines
    print(f"fixed cost per statement   {fixed * 1e3:8.2f} ms CPU  ({args.partners:,} statements of 1 to 5 lines, "
          f"{short_lines:,} lines; fastest of {args.repeat})")
    print(f"cost per line              {per_line * 1e6:8.2f} µs CPU  ({args.long} statements of "
          f"{args.long_lines:,} lines)")
    if args.json:
        print(json.dumps({"fixed_ms": fixed * 1e3, "per_line_us": per_line * 1e6, "partners": args.partners,
                          "long": args.long, "long_lines": args.long_lines}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
