"""A statement's workbook written as its XML directly: the bytes xlsxwriter 3.3.1 writes for the
same calls, at a fraction of its cost.

A statement is two or three sheets of a hundred cells and a long body. xlsxwriter spent about
2.0 ms a workbook in Python taking those cells and assembling its parts, 4 CPU s over the 2,000
statements of a million lines; this book, 0.7 ms. `Book` takes the calls `statement_book.py` makes (xlsxwriter's
`add_format`, `add_worksheet`, and of a sheet `write_string`, `write_number`, `set_column`,
`set_row`, `set_footer`, page setup, `freeze_panes`, `autofilter`, a data bar's
`conditional_format`) and renders each sheet and the shared strings as xlsxwriter would,
with xlsxwriter's own escaping (`SafeSheet`'s too: XML-invalid characters become U+FFFD).
What does not depend on the cells (styles, theme, properties, content types, relationships,
the workbook's sheets) xlsxwriter itself writes, once a process for each list of sheets and
formats used (`_template`). A call it does not know raises: the layout cannot silently lose
what xlsxwriter would have written. tests/test_direct.py writes statements both ways and
compares the files byte for byte.
"""

from __future__ import annotations

import math
import re
import warnings
from functools import lru_cache

from xlsxwriter.utility import (_preserve_whitespace, _utf16_len, _utf16_truncate, quote_sheetname, xl_col_to_name,
                                xl_range, xl_range_abs)
from xlsxwriter.xmlwriter import XMLwriter

from incentives.write.rows import TEXT_LIMIT
from incentives.write.xlsx import parts, workbook, xml_safe

HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">')
MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
ROW_HEIGHT = 20  # xlsxwriter's default row height in pixels (Calibri 11)
DIGIT, PADDING = 7, 5  # a digit's width and a cell's padding, in pixels
_escape_control = XMLwriter._escape_control_characters
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_")  # what `_escape_control` changes


def _data(text: str) -> str:
    """xlsxwriter's escaping of an element's text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_column = lru_cache(maxsize=None)(xl_col_to_name)  # a column's letters: at most Excel's 16,384 columns


class Style:
    """A format made by `Book.add_format`: its properties, and once the book is rendered its index."""

    def __init__(self, properties: dict) -> None:
        self.key = tuple(sorted(properties.items()))
        self.index: int | None = None

    def _get_xf_index(self) -> int:  # as xlsxwriter's Format: what `rows.xf_index` asks
        if self.index is None:
            raise ValueError("a format no cell or column of the workbook uses has no index")
        return self.index


class Sheet:
    """One worksheet's calls, kept to be rendered: cells by row and column, as xlsxwriter keeps them."""

    def __init__(self, book: Book, name: str, index: int) -> None:
        self.book, self.name, self.index = book, name, index
        self.cells: dict[int, dict[int, tuple]] = {}
        self.rows: dict[int, int] = {}  # a row's height in pixels
        self.cols: dict[int, tuple[int, Style | None]] = {}  # width in pixels, format
        self.dims: list[int | None] = [None, None, None, None]  # first and last row, first and last column
        self.portrait = True
        self.paper = 0
        self.fit: tuple[int, int] | None = None
        self.across = False
        self.gridlines = True
        self.footer: str | None = None  # None: never set (or refused), no headerFooter element
        self.panes: tuple[int, int] | None = None
        self.filter: tuple[int, int, int, int] | None = None
        self.repeat = ""
        self.bars: dict[str, list[tuple[int, dict]]] = {}  # data bars (priority, options) by range, as xlsxwriter
        self.setup = False

    def _extend(self, row: int | None, col: int | None) -> None:
        d = self.dims
        if row is not None:
            d[0] = row if d[0] is None or row < d[0] else d[0]
            d[1] = row if d[1] is None or row > d[1] else d[1]
        if col is not None:
            d[2] = col if d[2] is None or col < d[2] else d[2]
            d[3] = col if d[3] is None or col > d[3] else d[3]

    def write_string(self, row: int, col: int, string: str, style: Style | None = None) -> int:
        string = xml_safe(string)
        error = 0
        if len(string) > TEXT_LIMIT // 2 and _utf16_len(string) > TEXT_LIMIT:
            string, error = _utf16_truncate(string, TEXT_LIMIT), -2
        self._extend(row, col)
        self.cells.setdefault(row, {})[col] = (self.book._string(string), style)
        return error

    def write_number(self, row: int, col: int, number: float, style: Style | None = None) -> int:
        if math.isnan(number) or math.isinf(number):
            raise TypeError("NAN/INF not supported in write_number() without 'nan_inf_to_errors' Workbook() option")
        self._extend(row, col)
        self.cells.setdefault(row, {})[col] = (f"{number:.16G}", style, True)
        return 0

    def set_column(self, first: int, last: int, width: float, style: Style | None = None) -> int:
        first, last = min(first, last), max(first, last)
        pixels = 0 if width == 0 else (int(width * (DIGIT + PADDING) + 0.5) if width < 1
                                       else int(width * DIGIT + 0.5) + PADDING)
        if style is not None:
            self._extend(None, first)
            self._extend(None, last)
        for col in range(first, last + 1):
            self.cols[col] = (pixels, style)
        return 0

    def set_row(self, row: int, height: float) -> int:
        self._extend(row, self.dims[2] if self.dims[2] is not None else 0)
        self.rows[row] = int(height * 4.0 / 3.0 + 0.5)
        return 0

    def set_portrait(self) -> None:
        self.portrait, self.setup = True, True

    def set_landscape(self) -> None:
        self.portrait, self.setup = False, True

    def set_paper(self, size: int) -> None:
        if size:
            self.paper, self.setup = size, True

    def fit_to_pages(self, width: int, height: int) -> None:
        self.fit, self.setup = (width, height), True

    def print_across(self) -> None:
        self.across, self.setup = True, True

    def hide_gridlines(self, option: int = 1) -> None:
        if option != 2:
            raise NotImplementedError("hide_gridlines other than 2")
        self.gridlines = False

    def set_footer(self, footer: str = "") -> None:
        footer = xml_safe(footer).replace("&[Picture]", "&G")
        # xlsxwriter's checks, with its words: a footer it refuses is not written
        if _utf16_len(footer) > 255:
            warnings.warn("Footer string cannot be longer than Excel's limit of 255 characters")
            return
        if footer.count("&G"):
            warnings.warn(f"Number of footer images '0' doesn't match placeholder count "
                          f"'{footer.count('&G')}' in string: {footer}")
            return
        self.footer = footer

    def repeat_rows(self, first: int) -> None:
        self.repeat = f"{quote_sheetname(self.name)}!${first + 1}:${first + 1}"

    def freeze_panes(self, row: int, col: int) -> None:
        if col or not row:
            raise NotImplementedError("freeze_panes of columns")
        self.panes = (row, col)

    def autofilter(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        if first_row or last_row >= 1_048_575:
            raise NotImplementedError("an autofilter off the first row, or of whole columns")
        self.filter = (first_row, first_col, last_row, last_col)

    def conditional_format(self, first_row: int, first_col: int, last_row: int, last_col: int, options: dict) -> int:
        known = {"type": "data_bar", "data_bar_2010": False, "min_type": "num", "max_type": "num"}
        if any(options.get(k) != v for k, v in known.items()) or set(options) - {*known, "bar_color", "min_value",
                                                                                 "max_value"}:
            raise NotImplementedError(f"conditional_format {options}")
        sqref = xl_range(first_row, first_col, last_row, last_col)
        priority = 1 + sum(len(bars) for bars in self.bars.values())  # in the order of the calls
        self.bars.setdefault(sqref, []).append((priority, options))
        return 0

    # ------------------------------------------------------------ rendering, as xlsxwriter's Worksheet

    def _touched(self) -> list[Style]:
        """The formats in the order xlsxwriter gives them their indices: columns, then cells row by row."""
        order = [s for _, (_, s) in sorted(self.cols.items()) if s is not None]
        for row in sorted(self.cells):
            cells = self.cells[row]
            order += [cell[1] for _, cell in sorted(cells.items()) if cell[1] is not None]
        return order

    def xml(self, selected: bool) -> bytes:
        r0, r1, c0, c1 = self.dims
        if r0 is None and c0 is None:
            ref = "A1"
        elif r0 is None:
            ref = f"{xl_col_to_name(c0)}1" + ("" if c0 == c1 else f":{xl_col_to_name(c1)}1")
        elif r0 == r1 and c0 == c1:
            ref = f"{xl_col_to_name(c0)}{r0 + 1}"
        else:
            ref = f"{xl_col_to_name(c0)}{r0 + 1}:{xl_col_to_name(c1)}{r1 + 1}"
        out = [HEAD, SHEET, '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if self.fit else "",
               f'<dimension ref="{ref}"/><sheetViews><sheetView']
        if not self.gridlines:
            out.append(' showGridLines="0"')
        if selected:
            out.append(' tabSelected="1"')
        if self.panes:
            row = self.panes[0]
            out.append(f' workbookViewId="0"><pane ySplit="{row}" topLeftCell="A{row + 1}" activePane="bottomLeft" '
                       'state="frozen"/><selection pane="bottomLeft"/></sheetView>')
        else:
            out.append(' workbookViewId="0"/>')
        out.append('</sheetViews><sheetFormatPr defaultRowHeight="15"/>')
        if self.cols:
            out.append("<cols>")
            runs: list[list] = []
            for col in sorted(self.cols):
                if runs and col == runs[-1][1] + 1 and self.cols[col] == runs[-1][2]:
                    runs[-1][1] = col
                else:
                    runs.append([col, col, self.cols[col]])
            for first, last, (pixels, style) in runs:
                width = (pixels * 256 // DIGIT) / 256.0
                index = style.index if style is not None else 0
                out.append(f'<col min="{first + 1}" max="{last + 1}" width="{width:.16g}"'
                           + (f' style="{index}"' if index else "")
                           + ('' if pixels == 64 else ' customWidth="1"') + "/>")
            out.append("</cols>")
        out.append(self._data(r0, r1, c0, c1))
        if self.filter:
            a, b, c, d = self.filter
            out.append(f'<autoFilter ref="{xl_range(*self.filter)}"/>')
        for sqref, bars in self.bars.items():
            out.append(f'<conditionalFormatting sqref="{sqref}">')
            for priority, o in bars:
                color = o.get("bar_color", "#638EC6").lstrip("#").upper()
                out.append(f'<cfRule type="dataBar" priority="{priority}"><dataBar><cfvo type="num" '
                           f'val="{o["min_value"]}"/><cfvo type="num" val="{o["max_value"]}"/><color rgb="FF{color}"/>'
                           '</dataBar></cfRule>')
            out.append("</conditionalFormatting>")
        out.append(MARGINS)
        if self.setup:
            out.append("<pageSetup")
            if self.paper:
                out.append(f' paperSize="{self.paper}"')
            if self.fit and self.fit[0] != 1:
                out.append(f' fitToWidth="{self.fit[0]}"')
            if self.fit and self.fit[1] != 1:
                out.append(f' fitToHeight="{self.fit[1]}"')
            if self.across:
                out.append(' pageOrder="overThenDown"')
            out.append(f' orientation="{"portrait" if self.portrait else "landscape"}"/>')
        if self.footer is not None:
            footer = f"<oddFooter>{_escape_control(_data(self.footer))}</oddFooter>" if self.footer else ""
            out.append(f"<headerFooter>{footer}</headerFooter>")
        out.append("</worksheet>")
        return "".join(out).encode("utf-8")

    def _data(self, r0, r1, c0, c1) -> str:
        if r0 is None:
            return "<sheetData/>"
        spans = {}
        for block in range(r0 // 16, r1 // 16 + 1):
            cols = [c for row in range(max(block * 16, r0), min(block * 16 + 16, r1 + 1))
                    for c in self.cells.get(row, ())]
            if cols:
                spans[block] = f' spans="{min(cols) + 1}:{max(cols) + 1}"'
        out = ["<sheetData>"]
        for row in sorted(set(self.cells) | set(self.rows)):
            span = spans.get(row // 16, "")
            height = self.rows.get(row, ROW_HEIGHT)
            custom = f' ht="{height * 0.75:.16g}" customHeight="1"' if height != ROW_HEIGHT else ""
            cells = self.cells.get(row)
            if not cells:
                out.append(f'<row r="{row + 1}"{span}{custom}/>')
                continue
            out.append(f'<row r="{row + 1}"{span}{custom}>')
            for col in sorted(cells):
                cell = cells[col]
                style = cell[1] if cell[1] is not None else (self.cols.get(col, (0, None))[1])
                s = "" if style is None else f' s="{style.index}"'
                if len(cell) == 3:
                    out.append(f'<c r="{_column(col)}{row + 1}"{s}><v>{cell[0]}</v></c>')
                else:
                    out.append(f'<c r="{_column(col)}{row + 1}"{s} t="s"><v>{cell[0]}</v></c>')
            out.append("</row>")
        out.append("</sheetData>")
        return "".join(out)


class Book:
    """A statement's workbook: `add_format` and `add_worksheet` as xlsxwriter's; `parts()` its parts
    as `xlsx.parts` gives a closed xlsxwriter workbook's, in the same order."""

    def __init__(self) -> None:
        self.sheets: list[Sheet] = []
        self.strings: dict[str, int] = {}
        self.count = 0

    def add_format(self, properties: dict | None = None) -> Style:
        return Style(properties or {})

    def add_worksheet(self, name: str) -> Sheet:
        sheet = Sheet(self, name, len(self.sheets))
        self.sheets.append(sheet)
        return sheet

    def _string(self, text: str) -> int:
        self.count += 1
        return self.strings.setdefault(text, len(self.strings))

    def parts(self) -> list[tuple[str, bytes]]:
        # each format once, in the order xlsxwriter gives them their indices
        touched = list({id(s): s for sheet in self.sheets for s in sheet._touched()}.values())
        template = _template(tuple(s.name for s in self.sheets), tuple(s.key for s in touched),
                             tuple(bool(s.repeat) for s in self.sheets))
        for style, index in zip(touched, template.indices):
            style.index = index
        made = {f"xl/worksheets/sheet{s.index + 1}.xml": s.xml(s.index == 0) for s in self.sheets}
        made["xl/sharedStrings.xml"] = self._strings()
        # The autofilters' names sort before the print titles' (_FilterDatabase before Print_Titles)
        filters, book = self._filters(), template.workbook
        if filters:
            book = (book.replace(b"<definedNames>", b"<definedNames>" + filters, 1) if b"<definedNames>" in book else
                    book.replace(b"<calcPr ", b"<definedNames>" + filters + b"</definedNames><calcPr ", 1))
        made["xl/workbook.xml"] = book
        return [(name, made.get(name, data)) for name, data in template.parts]

    def _filters(self) -> bytes:
        names = []
        for s in self.sheets:
            if s.filter:
                area = f"{quote_sheetname(s.name)}!{xl_range_abs(*s.filter)}"
                names.append((area.lstrip("'").lower(), f'<definedName name="_xlnm._FilterDatabase" '
                                                         f'localSheetId="{s.index}" hidden="1">{_data(area)}</definedName>'))
        return "".join(xml for _, xml in sorted(names, key=lambda n: n[0])).encode("utf-8")

    def _strings(self) -> bytes:
        if not self.count:
            raise NotImplementedError("a workbook without text")
        out = [HEAD, '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                     f'count="{self.count}" uniqueCount="{len(self.strings)}">']
        for text in self.strings:
            text = _escape_control(text) if _CONTROL.search(text) else text
            preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
            out.append(f"<si><t{preserve}>{_data(text)}</t></si>")
        out.append("</sst>")
        return "".join(out).encode("utf-8")


class _Template:
    def __init__(self, parts: list[tuple[str, bytes]], indices: tuple[int, ...]) -> None:
        self.parts = tuple(parts)
        self.indices = indices
        self.workbook = dict(parts)["xl/workbook.xml"]


@lru_cache(maxsize=64)
def _template(names: tuple[str, ...], styles: tuple[tuple, ...], repeats: tuple[bool, ...]) -> _Template:
    """The parts xlsxwriter writes for a workbook of these sheets (with their print titles and a
    shared string) whose cells use these formats in this order, and each format's index. A
    statement's workbook differs only in its sheets, its strings and its autofilters' names."""
    book = workbook()
    formats = [book.add_format(dict(key)) for key in styles]
    indices = tuple(f._get_xf_index() for f in formats)
    for name, repeat in zip(names, repeats):
        sheet = book.add_worksheet(name)
        if repeat:
            sheet.repeat_rows(0)
    book.worksheets()[0].write_string(0, 0, "x")
    return _Template(parts(book), indices)
