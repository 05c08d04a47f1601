"""`--errors FILE.xlsx`: every problem of a check or run as a filterable workbook, one row each,
in the reader's language."""

from __future__ import annotations

from pathlib import Path

from incentives.problems import Problem, column_letter
from incentives.words import say
from incentives.write.xlsx import workbook, write_table

HEADER = ["severity", "file", "sheet", "cell", "row", "column", "message", "hint"]


def write_errors(path: Path, problems: list[Problem], language: str = "en") -> Path:
    book = workbook(path)
    header = [say("errors.header:" + name, {}, language) for name in HEADER]
    write_table(book, say("errors.sheet", {}, language), header, (
        [say("errors.severity:" + p.severity.value, {}, language), p.source.file, p.source.sheet, p.source.cell(),
         p.source.row, column_letter(p.source.column) if p.source.column is not None else "",
         p.said.text(language), p.hinted.text(language) if p.hinted else ""]
        for p in problems), footer=say("errors.footer", {}, language))
    book.close()
    return path
