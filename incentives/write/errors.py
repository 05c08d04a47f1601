"""`--errors FILE.xlsx`: every problem of a check or run as a filterable workbook, one row each."""

from __future__ import annotations

from pathlib import Path

from incentives.problems import Problem, column_letter
from incentives.write.xlsx import workbook, write_table

HEADER = ["severity", "file", "sheet", "cell", "row", "column", "message", "hint"]


def write_errors(path: Path, problems: list[Problem]) -> Path:
    book = workbook(path)
    write_table(book, "Problems", HEADER, (
        [p.severity.value, p.source.file, p.source.sheet, p.source.cell(), p.source.row,
         column_letter(p.source.column) if p.source.column is not None else "", p.message, p.hint]
        for p in problems), footer="calc: problems")
    book.close()
    return path
