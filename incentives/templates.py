"""Blank input workbooks, written from the declarations in `incentives.schema`.

Each template has one sheet per declared sheet, headed by the canonical column
names, with every explanation in English and Russian (header comments and a last
`About` sheet), cell formats and drop-down lists, so a finance user fills in a file
that the reader accepts as is. The output is byte-identical across runs: fixed
document properties and in-memory zipping with xlsxwriter's fixed timestamps.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from incentives.read.values import KINDS
from incentives.schema import EXPECTED, WORKBOOKS, Column, Kind, Setting, Sheet, Workbook
from incentives.write.xlsx import page_setup

LAST_ROW = 999  # 0-based: formats and drop-downs cover Excel rows 2..1000
ABOUT = "About"
# Not the wall clock: the same schema must give the same bytes.
CREATED = dt.datetime(2026, 1, 1)
OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
           "in_memory": True}

ABOUT_COLUMNS = (
    ("sheet", 16), ("column", 22), ("Russian header", 24), ("also accepted headers", 30),
    ("kind", 34), ("required", 14), ("allowed values", 34), ("default", 10),
    ("explanation (EN)", 60), ("explanation (RU)", 60),
)


def write_templates(folder: Path) -> list[Path]:
    """Write the blank template of every input workbook into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_template(book, folder / book.template) for book in WORKBOOKS]


def write_template(book: Workbook, path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    wb.set_properties({
        "title": f"calc template: {book.pattern}", "subject": book.en, "author": "calc",
        "comments": f"{book.en} / {book.ru}", "created": CREATED,
    })
    formats = _Formats(wb)
    for sheet in book.sheets:
        ws = wb.add_worksheet(sheet.name)
        if sheet.settings:
            widths = _write_settings(ws, sheet, formats)
        else:
            widths = _write_table(ws, sheet, formats)
        page_setup(ws, widths, f"calc template · {book.template} · {sheet.name}")
    about = wb.add_worksheet(ABOUT)
    _write_about(about, book, formats)
    page_setup(about, [w for _, w in ABOUT_COLUMNS], f"calc template · {book.template} · {ABOUT}")
    wb.close()
    return path


class _Formats:
    """The workbook's cell formats; xlsxwriter formats belong to one workbook."""

    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"bold": True, "bottom": 1, "valign": "top"}
        self.required = wb.add_format({**base, "bg_color": "#D9E1F2"})
        self.optional = wb.add_format({**base, "bg_color": "#F2F2F2", "italic": True})
        self.kind = {kind: wb.add_format({"num_format": declared.number_format}) for kind, declared in KINDS.items()}
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.section = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F2F2F2"})

    def header(self, required: bool):
        return self.required if required else self.optional


def _write_table(ws: Worksheet, sheet: Sheet, formats: _Formats) -> list[int]:
    widths = []
    for j, column in enumerate(sheet.columns):
        width = max(len(column.name) + 4, KINDS[column.kind].width)
        widths.append(width)
        ws.set_column(j, j, width, formats.kind[column.kind])
        ws.write_string(0, j, column.name, formats.header(column.required))
        _comment(ws, 0, j, _note(column, f"{column.name} — {column.header_ru}"))
        _drop_down(ws, 1, j, LAST_ROW, column.kind, column.choices)
    ws.freeze_panes(1, 0)
    return widths


def _write_settings(ws: Worksheet, sheet: Sheet, formats: _Formats) -> list[int]:
    """A key/value sheet comes with every key, blank values (a setting's default where it has one)."""
    widths = [max(len(s.key) for s in sheet.settings) + 4, max(len(s.example) for s in sheet.settings) + 4]
    ws.set_column(0, 0, widths[0], formats.kind[sheet.columns[0].kind])
    ws.set_column(1, 1, widths[1])
    for j, column in enumerate(sheet.columns):
        ws.write_string(0, j, column.name, formats.header(column.required))
        _comment(ws, 0, j, _note(column, f"{column.name} — {column.header_ru}"))
    for i, setting in enumerate(sheet.settings, start=1):
        ws.write_string(i, 0, setting.key, formats.kind[Kind.TEXT])
        _comment(ws, i, 0, _note(setting.as_column(), f"{setting.key} — {setting.ru_key}"))
        # Blank but for a setting's default: no other program's values to copy by mistake; the example in a note.
        if setting.default:
            ws.write_string(i, 1, setting.default, formats.kind[setting.kind])
        else:
            ws.write_blank(i, 1, None, formats.kind[setting.kind])
        _comment(ws, i, 1, f"e.g. / например: {setting.example}")
        _drop_down(ws, i, 1, i, setting.kind, setting.choices)
    ws.freeze_panes(1, 0)
    return widths


def _drop_down(ws: Worksheet, first: int, col: int, last: int, kind: Kind, choices: tuple[str, ...]) -> None:
    choices = KINDS[kind].listed or choices
    if not choices:
        return
    # A warning, not a stop: the reader also accepts other spellings (да, конечный
    # пользователь), which the user must still be able to type.
    listed = ", ".join(choices)
    ws.data_validation(first, col, last, col, {
        "validate": "list", "source": list(choices), "error_type": "warning", "error_title": "calc",
        "error_message": f"Expected one of: {listed}\nОжидается одно из: {listed}",
    })


def _comment(ws: Worksheet, row: int, col: int, text: str) -> None:
    lines = sum(1 + len(line) // 60 for line in text.splitlines())
    ws.write_comment(row, col, text, {"author": "calc", "width": 420, "height": 18 * lines + 10})


def _write_about(ws: Worksheet, book: Workbook, formats: _Formats) -> None:
    """Every sheet, column and setting of the workbook, in English and Russian."""
    for j, (title, width) in enumerate(ABOUT_COLUMNS):
        ws.set_column(j, j, width, formats.wrap)
        ws.write_string(0, j, title, formats.required)
    rows = [(book.template, "", "", "", "workbook", _required(book.required), "", "",
             f"{book.en} In the input folder: {book.pattern}.",
             f"{book.ru} Во входной папке: {book.pattern}.")]
    for sheet in book.sheets:
        rows.append((sheet.name, "", sheet.ru_name, "", "sheet", _required(sheet.required), "", "",
                     sheet.en + _key(sheet, " Each row is identified by"),
                     sheet.ru + _key(sheet, " Строка определяется по")))
        rows += [(sheet.name, *_column_about(c)) for c in sheet.columns]
        rows += [(sheet.name, *_setting_about(s)) for s in sheet.settings]
    for i, row in enumerate(rows, start=1):
        section = row[1] == ""
        for j, text in enumerate(row):
            ws.write_string(i, j, text, formats.section if section else formats.wrap)
    ws.freeze_panes(1, 2)


def _key(sheet: Sheet, lead: str) -> str:
    return f"{lead}: {', '.join(sheet.key)}." if sheet.key else ""


def _column_about(c: Column) -> tuple[str, ...]:
    return (c.name, c.header_ru, ", ".join(n for n in c.names()[1:] if n != c.header_ru),
            _kind(c.kind), _required(c.required, c.blank_ok), _allowed(c), c.default or "", c.en, c.ru)


def _setting_about(s: Setting) -> tuple[str, ...]:
    column = s.as_column()
    return (f"key = {s.key}", s.ru_key, "", _kind(s.kind), _required(s.required), _allowed(column),
            s.default or "", f"{s.en} Example: {s.example}.", f"{s.ru} Пример: {s.example}.")


def _note(c: Column, title: str) -> str:
    lines = [title, f"{_kind(c.kind)}; {_required(c.required, c.blank_ok)}"]
    if allowed := _allowed(c):
        lines.append(f"Allowed / допустимо: {allowed}")
    if c.default:
        lines.append(f"Default / по умолчанию: {c.default}")
    return "\n".join([*lines, "", c.en, c.ru])


def _kind(kind: Kind) -> str:
    return kind.value if EXPECTED[kind] == kind.value else f"{kind.value}: {EXPECTED[kind]}"


def _required(required: bool, blank_ok: bool = False) -> str:
    if not required:
        return "optional / необязательно"
    if blank_ok:
        return "required, may be blank / обязательно, можно пусто"
    return "required / обязательно"


def _allowed(c: Column) -> str:
    if c.kind is Kind.YESNO:
        return "yes, no (да, нет)"
    spellings = dict(c.choice_aliases)
    return ", ".join(f"{x} ({', '.join(spellings[x])})" if x in spellings else x for x in c.choices)
