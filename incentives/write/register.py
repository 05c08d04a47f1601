"""`calc register --xlsx FILE`: the register as a workbook, one row per partner and closed period.

Sheet `Register`: each entry's program, year and period, when and by whom it was closed,
whether it was adopted, its run id, run folder and sha256, then the partner's whole Ledger row
as the register holds it (amounts as numbers here; the register keeps them as decimal text).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from incentives.register.store import AMOUNTS, ROW_COLUMNS, Entry
from incentives.write.xlsx import MONEY, RATE, workbook, write_table

ENTRY_COLUMNS = ["closed_at", "closed_by", "adopted", "run_id", "run_folder", "entry_sha256"]


def write_register(path: Path, entries: tuple[Entry, ...]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = workbook(path)
    formats = {c: MONEY for c in AMOUNTS} | {"ytd_rate": RATE}
    write_table(book, "Register", [*ROW_COLUMNS[:3], *ENTRY_COLUMNS, *ROW_COLUMNS[3:]],
                ([*row[:3], e.closed_at, e.closed_by, "yes" if e.adopted else "no", e.run_id, e.run_folder, e.sha256,
                  *(Decimal(v) if c in AMOUNTS else v for c, v in zip(ROW_COLUMNS[3:], row[3:]))]
                 for e in entries for row in e.rows),
                formats, {"run_id": 66, "entry_sha256": 66, "run_folder": 36})
    book.close()
    return path
