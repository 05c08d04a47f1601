"""One partner with 1,048,577 lines, one more than Excel's rows per sheet: its statement's
lines continue on `Lines (2)`. `python bench/big_statement.py [DIR]`. Run by hand, not in CI
(the tests split at a small limit: tests/test_hostile_names.py).

A one-line run of the pipeline gives the settlement; its line is repeated to the size
wanted (each copy its own source row), and the statement is written from that. Checks:
every sheet part of the workbook is well-formed XML (a streaming parse), no sheet has more
than 1,048,576 rows, the lines sheets hold every line once, the header on each, the two totals
rows (included, and excluded apart) on the last.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from incentives import pipeline  # noqa: E402
from incentives.periods import parse_period  # noqa: E402
from incentives.write.statement_lines import SHEET_ROWS  # noqa: E402
from tests.builders import line, make_inputs, partner, written_statements  # noqa: E402

LINES = SHEET_ROWS + 1


def main(folder: Path) -> int:
    inputs = make_inputs(folder / "in", {"a.xlsx": [line("A", "2026-07-01", 1000)]}, partners=[partner("P1")])
    outcome = pipeline.run(inputs, parse_period("2026Q3"), folder / "run")
    assert outcome.ok, [str(p) for p in outcome.problems]
    one = outcome.settlement.lines
    lines = one.select(pl.all().gather(pl.zeros(LINES, pl.Int64, eager=False))).with_columns(
        row=pl.int_range(2, LINES + 2, dtype=one.schema["row"]))
    settlement = dataclasses.replace(outcome.settlement, lines=lines)
    started = time.perf_counter()
    [path] = written_statements(folder / "out", outcome, settlement)
    took = time.perf_counter() - started
    rows: dict[str, int] = {}
    dimensions: dict[str, str] = {}
    with zipfile.ZipFile(path) as z:
        names = {m.group(2): m.group(1) for m in re.finditer(
            r'<sheet name="([^"]+)" sheetId="\d+" r:id="rId(\d+)"', z.read("xl/workbook.xml").decode())}
        for i, name in sorted(names.items()):
            count = 0
            with z.open(f"xl/worksheets/sheet{i}.xml") as part:
                for _, element in ElementTree.iterparse(part):
                    if element.tag.endswith("}dimension"):
                        dimensions[name] = element.get("ref")
                    if element.tag.endswith("}row"):
                        count += 1
                        element.clear()
            rows[name] = count
    print(f"{LINES:,} lines written in {took:.1f} s, {path.stat().st_size / 2**20:.1f} MiB: rows per sheet {rows}, "
          f"dimensions {dimensions}")
    lines_sheets = [s for s in rows if s.startswith("Lines")]
    lines_rows = [rows[s] for s in lines_sheets]
    assert list(rows)[1:] == ["Lines", "Lines (2)"], rows
    assert max(rows.values()) <= SHEET_ROWS
    assert all(dimensions[s].endswith(f"{rows[s]}") for s in lines_sheets), dimensions
    assert sum(lines_rows) == LINES + len(lines_rows) + 2  # each sheet's header; the two totals rows
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(main(Path(sys.argv[1])))
    with tempfile.TemporaryDirectory() as tmp:
        sys.exit(main(Path(tmp)))
