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
    """Each step as a function of one file. A step that needs what an earlier one made
    gets it made beforehand (`ready`), so only the step itself is timed."""
    opened = {p: workbook.open_book(p, p.name) for p in files}
    raws = {p: table.read_raws(opened[p], schema.SALES)[0][0] for p in files}

    def bare(path: Path):  # the read floor: fastexcel's own guess of every column's type
        return fastexcel.read_excel(path).load_sheet(0).to_polars()

    def text(path: Path):  # today's reader: every cell as text
        return workbook.open_book(path, path.name).grid("Sales").frame

    def grid_only(path: Path):  # today's text load, the guard already done
        return opened[path].grid("Sales").frame

    def typed_header0(path: Path):  # typed load, the header row taken as the column names
        return fastexcel.read_excel(path).load_sheet(0, header_row=0, schema_sample_rows=None).to_polars()

    def guarded(path: Path):
        return guard.examine(path, path.name)

    def hashed(path: Path):
        return hashlib.sha256(path.read_bytes()).hexdigest()

    def mapped(path: Path):  # header found and mapped on the text grid
        return table.map_grid(opened[path].grid("Sales"), schema.SALES)

    def typing(path: Path):  # the text columns typed (one file's batch)
        return table.tables_from_raws([raws[path]])

    def whole(path: Path):  # what a reading thread does: guard, open, text grid, header mapped
        return load._open(path.parent, path, SALES_BOOK)

    return {"fastexcel typed (floor)": bare, "fastexcel typed, header row 0, all rows sampled": typed_header0,
            "today: open + text grid (no guard)": text, "today: text grid only": grid_only,
            "guard.examine": guarded, "sha256 of the file": hashed, "header mapped (text grid loaded)": mapped,
            "typing (tables_from_raws, 1 file)": typing, "load._open (guard, open, grid, header)": whole}


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
