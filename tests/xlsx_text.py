"""Workbooks as text for syrupy snapshots: sheet, cell, value and number format, so a
change in an output workbook reads as a diff in review."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


def render(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    out = []
    for sheet in book.worksheets:
        out.append(f"== {sheet.title}" + (f" (frozen {sheet.freeze_panes})" if sheet.freeze_panes else ""))
        for row in sheet.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                value = c.value.isoformat() if isinstance(c.value, (dt.date, dt.datetime)) else repr(c.value)
                fmt = "" if c.number_format == "General" else f"  [{c.number_format}]"
                out.append(f"{c.coordinate} = {value}{fmt}")
    return "\n".join(out) + "\n"


def render_folder(folder: Path) -> str:
    return "".join(f"######## {p.relative_to(folder).as_posix()}\n{render(p)}"
                   for p in sorted(folder.rglob("*.xlsx")))


class XlsxText(SingleFileSnapshotExtension):
    """One .txt snapshot file per assertion."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"
