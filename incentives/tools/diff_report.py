"""`calc diff`'s report: a `Result` of `diff.compare` written for the terminal (`render`,
`summary_line`) and as a workbook (`write_report`: a Summary sheet, then one sheet per sheet
with differences, old and new cells highlighted). No comparing here, no reading.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

from incentives.tools.diff import Cell, FileDiff, Result, RowChange, SheetDiff
from incentives.write.xlsx import DATE, page_setup, workbook, write_value


# ---------------------------------------------------------------- the terminal


def show(value) -> str:
    """A cell value as the report prints it: text quoted, numbers plain, dates ISO."""
    if value is None:
        return "(blank)"
    if isinstance(value, str):
        return '"' + value.replace("\n", "\\n") + '"'
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def show_delta(delta: Decimal) -> str:
    return f"{delta.normalize():+,f}" if delta else "0"


def show_key(key: tuple) -> str:
    return " / ".join(show(k) if not isinstance(k, str) else k for k in key)


def _row_text(values: tuple[tuple[str, object], ...], width: int = 110) -> str:
    text = " | ".join(show(v) for _, v in values)
    return text if len(text) <= width else text[:width - 1] + "…"


def render(result: Result, limit: int = 50) -> str:
    """The differences grouped by file and sheet; at most `limit` rows per sheet (0: all)."""
    out = []
    for f in result.files:
        if f.status != "compared":
            out.append(f"{f.path}: {f.status}")
            continue
        if f.equal:
            continue
        out.append(f.path or f"{result.old} → {result.new}")
        for s in f.sheets:
            if s.equal:
                continue
            if s.status != "compared":
                out.append(f"  sheet {s.name}: {s.status}")
                continue
            how = f"rows by {', '.join(s.key)}" if s.key else "rows by position"
            counts = [f"{s.count(k)} {k}" for k in ("added", "removed", "changed") if s.count(k)]
            cells = f" ({s.cells_changed} cell(s))" if s.cells_changed else ""
            out.append(f"  sheet {s.name} ({how}): " + (", ".join(counts) + cells if counts else "rows equal"))
            if s.columns_added:
                out.append(f"    columns added: {', '.join(s.columns_added)}")
            if s.columns_removed:
                out.append(f"    columns removed: {', '.join(s.columns_removed)}")
            shown = s.rows if not limit else s.rows[:limit]
            for r in shown:
                out += _row_lines(r)
            if len(shown) < len(s.rows):
                out.append(f"    … and {len(s.rows) - len(shown)} more row(s) (--limit 0 shows all, "
                           "--report writes them to a workbook)")
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


def _row_lines(r: RowChange) -> list[str]:
    key = f" [{show_key(r.key)}]" if r.key else ""
    if r.kind == "added":
        return [f"    + row {r.new_row}{key}: {_row_text(r.values)}"]
    if r.kind == "removed":
        return [f"    - row {r.old_row}{key}: {_row_text(r.values)}"]
    moved = f" (row {r.old_row} in OLD)" if r.old_row != r.new_row else ""
    lines = [f"    ~ row {r.new_row}{key}{moved}"]
    for c in r.cells:
        part = " formula" if c.part == "formula" else ""
        delta = f" ({show_delta(c.delta)})" if c.delta is not None else ""
        lines.append(f"        {_where(c)}{part}: {show(c.old)} → {show(c.new)}{delta}")
    return lines


def _where(c: Cell) -> str:
    """`ytd_base J6`, or just `B6` where the column has no name but its letter."""
    return c.new_ref if c.new_ref.rstrip("0123456789") == c.column else f"{c.column} {c.new_ref}"


def summary_line(result: Result) -> str:
    counts = Counter("equal" if f.equal else f.status if f.status != "compared" else "different" for f in result.files)
    ignored = sum(s.status == "ignored" for f in result.files for s in f.sheets)
    words = ", ".join(f"{counts[k]} {k}" for k in ("different", "only in OLD", "only in NEW", "equal") if counts[k])
    tail = f"; {ignored} sheet(s) ignored" if ignored else ""
    verdict = "no differences" if result.equal else "different"
    return f"{verdict}: {len(result.files)} workbook(s), {words}{tail}"


# ---------------------------------------------------------------- the report workbook

_FILLS = {"added": "#C6EFCE", "removed": "#FFC7CE", "changed": "#FFEB9C"}
_DATETIME = "yyyy-mm-dd hh:mm:ss"
_DETAIL = ["change", "key", "old_row", "new_row", "column", "part", "old", "new", "difference"]
_SUMMARY = ["file", "sheet", "status", "rows_matched_by", "rows_added", "rows_removed", "rows_changed",
            "cells_changed", "columns_added", "columns_removed", "details"]


def write_report(result: Result, path: Path) -> Path:
    """Sheet Summary (one row per compared sheet, and per file on one side only), then one
    sheet per sheet with differences: every change, old and new cells highlighted."""
    book = workbook(path)
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    styles = {}  # (change kind or None, number format or None) -> format
    for kind in (None, *_FILLS):
        for fmt in (None, DATE, _DATETIME):
            props = ({"bg_color": _FILLS[kind]} if kind else {}) | ({"num_format": fmt} if fmt else {})
            styles[(kind, fmt)] = book.add_format(props) if props else None

    names = _sheet_names(result)
    summary = book.add_worksheet("Summary")
    for r, (label, value) in enumerate((("old", result.old), ("new", result.new),
                                        ("tolerance", result.tolerance), ("result", summary_line(result)))):
        summary.write_string(r, 0, label, bold)
        write_value(summary, r, 1, value)
    top = 5
    for j, title in enumerate(_SUMMARY):
        summary.write_string(top, j, title, header)
        summary.set_column(j, j, {"file": 30, "sheet": 18, "status": 14, "details": 31}.get(title, 12))
    i = top
    for f in result.files:
        for s in f.sheets or (None,):
            i += 1
            for j, value in enumerate(_summary_row(f, s, names)):
                write_value(summary, i, j, value)
    summary.freeze_panes(top + 1, 0)
    summary.autofilter(top, 0, max(i, top + 1), len(_SUMMARY) - 1)
    page_setup(summary, [{"file": 30, "sheet": 18, "status": 14, "details": 31}.get(t, 12) for t in _SUMMARY],
               "calc diff", header_rows=0)

    for f in result.files:
        for s in f.sheets:
            if (f.path, s.name) in names:
                _detail_sheet(book, names[(f.path, s.name)], s, header, styles)
    book.close()
    return path


def _summary_row(f: FileDiff, s: SheetDiff | None, names: dict) -> list:
    if s is None:
        return [f.path, "", f.status]
    if s.status != "compared":
        return [f.path, s.name, f"sheet {s.status}"]
    return [f.path, s.name, "equal" if s.equal else "different", ", ".join(s.key) or "position",
            s.count("added"), s.count("removed"), s.count("changed"), s.cells_changed, ", ".join(s.columns_added),
            ", ".join(s.columns_removed), names.get((f.path, s.name), "")]


def _sheet_names(result: Result) -> dict[tuple[str, str], str]:
    """A report sheet name for each sheet with differences: file stem and sheet, at most 31
    characters, none of Excel's forbidden ones, unique."""
    names: dict[tuple[str, str], str] = {}
    used = {"summary"}
    for f in result.files:
        for s in f.sheets:
            if s.status != "compared" or s.equal:
                continue
            base = re.sub(r"[\[\]:*?/\\']", "_", f"{Path(f.path).stem} {s.name}".strip())[:31]
            name, n = base, 1
            while name.casefold() in used:
                n += 1
                name = f"{base[:31 - len(str(n)) - 1]}~{n}"
            used.add(name.casefold())
            names[(f.path, s.name)] = name
    return names


def _detail_sheet(book, name: str, s: SheetDiff, header, styles) -> None:
    sheet = book.add_worksheet(name)
    widths = [{"key": 24, "column": 22, "old": 24, "new": 24, "difference": 14}.get(title, 10) for title in _DETAIL]
    for j, title in enumerate(_DETAIL):
        sheet.write_string(0, j, title, header)
        sheet.set_column(j, j, widths[j])
    page_setup(sheet, widths, f"calc diff · {name}")
    rows = [["column added", "", None, None, t, "", None, None, None] for t in s.columns_added]
    rows += [["column removed", "", None, None, t, "", None, None, None] for t in s.columns_removed]
    kinds = ["added"] * len(s.columns_added) + ["removed"] * len(s.columns_removed)
    for r in s.rows:
        key = show_key(r.key)
        if r.kind != "changed":
            text = _row_text(r.values, 10_000)
            rows.append([f"row {r.kind}", key, r.old_row, r.new_row, "", "",
                         text if r.kind == "removed" else None, text if r.kind == "added" else None, None])
            kinds.append(r.kind)
        for c in r.cells:
            rows.append(["cell changed", key, r.old_row, r.new_row, _where(c), c.part, c.old, c.new,
                         c.delta])
            kinds.append("changed")
    for i, (values, kind) in enumerate(zip(rows, kinds), start=1):
        # highlighted: the old cell of a removal or change, the new cell of an addition or
        # change, the column name of a column added or removed
        lit = {4} if values[0].startswith("column") else {"added": {7}, "removed": {6}, "changed": {6, 7}}[kind]
        for j, value in enumerate(values):
            _write(sheet, i, j, value, styles, kind if j in lit else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(_DETAIL) - 1)


def _write(sheet, row: int, col: int, value, styles, kind: str | None) -> None:
    if isinstance(value, dt.datetime):
        fmt = DATE if value.time() == dt.time() else _DATETIME
        sheet.write_datetime(row, col, value, styles[(kind, fmt)])
    else:
        write_value(sheet, row, col, value, styles[(kind, None)])
