"""CPU milliseconds per sales workbook of each step of calc's read, and of the candidates
that could replace a step: `python bench/per_file.py [FOLDER] [--files N] [--rounds R]`.

FOLDER holds the sales workbooks (default: bench/work/1M/input/sales, about 1,111 lines
each). Each step runs over the same N files in one thread, R rounds; a step's figure is
its fastest round's CPU time (this process and polars' threads: `time.process_time`)
divided by N, so it hardly moves with the load of a shared machine. Prints one table.
Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

import fastexcel  # noqa: E402
import polars as pl  # noqa: E402

from incentives import load, schema  # noqa: E402
from incentives.read import guard, table, workbook  # noqa: E402


def steps(files: list[Path]) -> dict[str, Callable[[Path], object]]:
    """Each step as a function of one file. A step that needs what an earlier one made gets
    it made beforehand, so only the step itself is timed. Steps of the typed reader
    (`Book.head`, `Book.body`) are left out when run on a reader without them."""
    opened = {p: workbook.open_book(p, p.name) for p in files}
    raws = {p: table.read_raws(opened[p], schema.SALES)[0][0] for p in files}
    found = {p: guard.examine(p, p.name) for p in files}
    out: dict[str, Callable[[Path], object]] = {
        # the read floor: fastexcel's own guess of every column's type
        "fastexcel typed (floor)": lambda p: fastexcel.read_excel(p).load_sheet(0).to_polars(),
        "fastexcel, every cell as text": lambda p: fastexcel.read_excel(p).load_sheet(
            0, header_row=None, skip_rows=0, dtypes="string").to_polars(),
        "guard.examine": lambda p: guard.examine(p, p.name),
        "open_book (guard, readers)": lambda p: workbook.open_book(p, p.name),
        "the whole sheet as text (Book.grid)": lambda p: opened[p].grid("Sales").frame,
    }
    if hasattr(workbook.Book, "body"):
        spec = {c.name: c.kind for c in schema.SALES.columns}
        body = {p: {j: spec[name] for name, j in raws[p].cells} for p in files}
        out |= {
            "the first rows, packed (workbook._heads)": lambda p: workbook._heads(found[p]),
            "the first rows as text (Book.head)": lambda p: opened[p].head("Sales"),
            "the body, typed (Book.body)": lambda p: opened[p].body("Sales", raws[p].first_row - 1, body[p]),
        }
    out |= {
        "sha256 of the file": lambda p: hashlib.sha256(p.read_bytes()).hexdigest(),
        "header found and mapped, body loaded (read_raws)": lambda p: table.read_raws(opened[p], schema.SALES),
        "typing (tables_from_raws, 1 file)": lambda p: table.tables_from_raws([raws[p]]),
        # what a reading thread or process does: guard, open, header, body
        "load._open (guard, open, header, body)": lambda p: load._open(p.parent, p, SALES_BOOK),
    }
    return out


SALES_BOOK = next(b for b in schema.WORKBOOKS if schema.SALES in b.sheets)


def batched(files: list[Path], rounds: int) -> float:
    """Typing as load does it: the raws of every file in one batch."""
    raws = [table.read_raws(workbook.open_book(p, p.name), schema.SALES)[0][0] for p in files]
    return measure(lambda _: table.tables_from_raws(raws), files[:1], rounds) / len(files)


def measure(step: Callable[[Path], object], files: list[Path], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for path in files:
            step(path)
        best = min(best, time.process_time() - started)
    return best / len(files) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=BENCH / "work" / "1M" / "input" / "sales")
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="", help="steps whose name holds this text")
    args = parser.parse_args()
    files = sorted(args.folder.glob("*.xlsx"))[:args.files]
    if not files:
        raise SystemExit(f"no .xlsx in {args.folder}")
    lines = sum(fastexcel.read_excel(p).load_sheet(0).height for p in files) / len(files)
    print(f"{len(files)} files of {args.folder}, {lines:,.0f} lines each on average; "
          f"CPU ms per file, fastest of {args.rounds} rounds; polars threads: {pl.thread_pool_size()}")
    for name, step in steps(files).items():
        if args.only in name:
            print(f"  {name:<52}{measure(step, files, args.rounds):>8.2f}")
    if args.only in "typing, batched":
        print(f"  {'typing, all files in one batch (as load does)':<52}{batched(files, args.rounds):>8.2f}")


if __name__ == "__main__":
    main()
