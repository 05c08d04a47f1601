"""Long tables written column-wise: the XML of many rows built by polars in one pass.

xlsxwriter spends about 10 µs of Python on each cell it writes; a statement's Lines
sheet has up to 18 cells per line, a million lines a quarter. So for such a table
xlsxwriter writes everything but the body (header, totals row, formats, widths, page
setup, autofilter) and `package` puts the body rows in as it zips the workbook's parts
(`xlsx.close`), the body built here as polars string expressions, in Rust, one expression
per row (the cells of a column with blank values apart, as a blank writes no cell), and
deflated faster than the other parts (`LEVEL`, libdeflate's). Parts many workbooks of a run
have the same (styles, theme, properties) are compressed once (`Shared`).

The cells are what xlsxwriter would write, as inline strings: text is escaped as
xlsxwriter escapes it (`&`, `<`, `>`; a carriage return and `_xHHHH_` look-alikes as
`_xHHHH_`), so text read from an input stays text; it never becomes a formula, a link
or a number. A character XML does not allow (U+0000-U+0008, U+000B, U+000C,
U+000E-U+001F, U+FFFE, U+FFFF) becomes U+FFFD, as `xlsx.xml_safe` does for what
xlsxwriter writes. A date outside Excel's range (1900-01-01 to 9999-12-31) is written as
its text, `0001-01-01`. A blank value writes no cell.
"""

from __future__ import annotations

import copy
import hashlib
import io
import datetime as dt
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import deflate
import polars as pl
from xlsxwriter.utility import xl_col_to_name

TEXT_LIMIT = 32767  # Excel's longest cell text; xlsxwriter cuts there too
# Characters XML does not allow: each becomes U+FFFD (polars strings hold no lone surrogate)
INVALID_CLASS = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"
CONTROL = [13]  # what xlsxwriter writes as _xHHHH_ once the XML-invalid characters are U+FFFD
ODD_CLASS = r"[\x00-\x08\x0B-\x1F\x{FFFE}\x{FFFF}]"  # any of the two
# whatever needs a step of `_text`: a character of ODD_CLASS, what XML or Excel escapes, a space first or last
ANY_ODD = r"[\x00-\x08\x0B-\x1F\x{FFFE}\x{FFFF}&<>]|_x[0-9a-fA-F]{4}_|^\s|\s$"
EXCEL_DATES = (dt.date(1900, 1, 1), dt.date(9999, 12, 31))
# Parts are deflated by libdeflate (`deflate`), which is deterministic per version on every machine
# and, for statements' Lines bodies, at its level 1 twice as fast as zlib's level 1 (1.2 against 2.3 µs a
# line, 13.1 against 13.8 percent of the size). (isal is faster again, but its output changes with the
# CPU's instruction set: the same run would not give the same bytes on every machine.)
LEVEL = 1  # a sheet with a long body: 30 percent larger than at level 6, 3x faster (1.2 against 3.5 µs a line)
LEVEL_PARTS = 6  # every other part
WHOLE = 64 << 20  # bytes of a part deflated at once (held twice); a larger one, by zlib as a stream
_STREAMED = 4 << 20


@dataclass(frozen=True)
class Column:
    """One column of a body: its frame column, "text" or "number" (a Date column is written
    as its Excel serial number), and the `s` attribute of its cells, the xf index of their
    format (None: General)."""

    name: str
    kind: str
    style: str | None = None


def _excel_days(col: pl.Expr) -> pl.Expr:
    """A date as Excel's serial number: Excel counts the 29 February 1900 that never was,
    so from 1 March 1900 on, a day more."""
    days = (col - pl.date(1899, 12, 31)).dt.total_days()
    return pl.when(days > 59).then(days + 1).otherwise(days)


def _number(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A number as its shortest exact decimal text: 3808.00 -> 3808, 471.2350 -> 471.235."""
    text = col.cast(pl.String)
    if isinstance(dtype, pl.Decimal) and (dtype.scale or 0) > 0:
        # always all its decimal places, after a point: trailing zeros stripped without a regex, 5x faster
        text = text.str.strip_chars_end("0").str.strip_suffix(".").replace("-0", "0")
    elif isinstance(dtype, pl.Decimal) or dtype.is_float():  # a float may be written 1e+20: its zeros are not decimals
        text = text.str.replace(r"(\.\d*?)0+$", "${1}").str.strip_suffix(".").replace("-0", "0")
    return text


def _text(col: pl.Expr, control: bool, odd: Odd = None) -> tuple[pl.Expr, pl.Expr | None]:
    """The escaped text and whether it needs `xml:space="preserve"`. `odd`: what the column's
    values need at all (`_odd`), so that a step none of them needs is not run over them all."""
    long, spaced, marked = odd or (True, True, True)
    text = col.str.slice(0, TEXT_LIMIT) if long else col
    # a value cut short may end with a space its whole did not end with
    preserve = text.str.contains(r"^\s|\s$") if spaced or long else None  # None: no value needs it
    if marked:
        text = text.str.replace_all(r"(_x[0-9a-fA-F]{4}_)", "_x005F${1}")
        text = text.str.replace_all("&", "&amp;", literal=True).str.replace_all(
            "<", "&lt;", literal=True).str.replace_all(">", "&gt;", literal=True)
    if control:
        text = text.str.replace_all(INVALID_CLASS, "\ufffd")
        for c in CONTROL:
            text = text.str.replace_all(chr(c), f"_x{c:04X}_", literal=True)
    return text, preserve


Odd = tuple[bool, bool, bool] | None  # a text column's values: any too long, any to preserve, any to escape


def _odd(frame: pl.DataFrame, texts: list[str]) -> tuple[bool, dict[str, tuple[bool, bool, bool]]]:
    """For each text column of `frame`: whether any value is longer than a cell holds (in bytes, at
    least its characters), has a leading or trailing space, or holds what XML or Excel escapes; and
    whether any value of them holds a character XML does not allow or Excel writes as _xHHHH_
    (`control`). A first pass finds the columns with none of these, most of them; only the others
    are searched for each (a pass a column instead of four)."""
    if not texts or not frame.height:
        return False, {}
    first = frame.select(
        *(pl.col(c).str.len_bytes().max().fill_null(0).gt(TEXT_LIMIT).alias(f"long {c}") for c in texts),
        *(pl.col(c).str.contains(ANY_ODD).any().alias(f"odd {c}") for c in texts)).row(0, named=True)
    flagged = [c for c in texts if first[f"odd {c}"]]
    found = frame.select(
        *(pl.col(c).str.contains(r"^\s|\s$").any().alias(f"spaced {c}") for c in flagged),
        *(pl.col(c).str.contains(r"[&<>]|_x[0-9a-fA-F]{4}_").any().alias(f"marked {c}") for c in flagged),
        pl.any_horizontal(pl.col(flagged).str.contains(ODD_CLASS).any()).alias("control"),
    ).row(0, named=True) if flagged else {}
    return bool(found.get("control")), {
        c: (bool(first[f"long {c}"]), bool(found.get(f"spaced {c}")), bool(found.get(f"marked {c}"))) for c in texts}


Piece = str | pl.Expr  # a piece of a row's XML: literal text, or an expression of the row's values


def _cell(column: Column, j: int, row: pl.Expr, dtype: pl.DataType, control: bool, dates: bool,
          odd: Odd = None, blanks: bool = True) -> list[Piece]:
    """A cell's XML as pieces of the row's. `blanks`: whether any value of the column is blank
    (null, or an empty text), which writes no cell: the cell is then one expression, empty for
    those; else its pieces join the row's own, so that polars builds no column of it apart."""
    col = pl.col(column.name)
    ref: list[Piece] = [f'<c r="{xl_col_to_name(j)}', row, '"' if column.style is None else f'" s="{column.style}"']
    if column.kind == "text":
        text, preserve = _text(col, control, odd)
        open_t = pl.when(preserve).then(pl.lit('<t xml:space="preserve">')).otherwise(pl.lit("<t>")) \
            if preserve is not None else "<t>"
        pieces = [*ref, ' t="inlineStr"><is>', open_t, text, "</t></is></c>"]
    else:
        value = _excel_days(col) if dtype == pl.Date else col
        pieces = [*ref, "><v>", _number(value, dtype), "</v></c>"]
        if dtype == pl.Date and dates:  # Excel has no serial number for a date outside its range: the date as text
            text = _joined([*ref, ' t="inlineStr"><is><t>', col.dt.strftime("%Y-%m-%d"), "</t></is></c>"])
            pieces = [pl.when(col.is_between(*EXCEL_DATES)).then(_joined(pieces)).otherwise(text)]
    if blanks:
        return [pl.when(_blank(column)).then(pl.lit("")).otherwise(_joined(pieces))]
    return pieces


def _blank(column: Column) -> pl.Expr:
    """Whether a value of the column writes no cell: null, or an empty text."""
    col = pl.col(column.name)
    return col.is_null() | (col == "") if column.kind == "text" else col.is_null()


def _joined(pieces: list[Piece]) -> pl.Expr:
    """One text expression of `pieces`, the literal ones next to each other merged."""
    merged: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in merged])


def body(frame: pl.DataFrame, columns: tuple[Column, ...], first_row: int, groups: pl.Series | None = None
         ) -> pl.Series:
    """Each row of `frame` as one `<row>` element, the first at Excel row `first_row` (1-based);
    with `groups` (one value per row), each group's rows are one sheet's, the first at `first_row`."""
    texts = [c.name for c in columns if c.kind == "text"]
    control, odd = _odd(frame, texts)
    days = [c.name for c in columns if frame.schema[c.name] == pl.Date]
    dates = bool(days) and frame.height > 0 and bool(frame.select(
        pl.any_horizontal((~pl.col(days).is_between(*EXCEL_DATES)).any())).item())
    blanks = frame.select(_blank(c).any().alias(c.name) for c in columns).row(0, named=True) \
        if columns and frame.height else {}
    position = pl.int_range(pl.len(), dtype=pl.Int64)
    if groups is not None:
        frame = frame.with_columns(groups.alias("__group"))
        position = position.over("__group")
    row = (position + first_row).cast(pl.String)
    cells = [piece for j, c in enumerate(columns)
             for piece in _cell(c, j, row, frame.schema[c.name], control, dates, odd.get(c.name),
                                blanks.get(c.name, True))]
    return frame.select(_joined(['<row r="', row, '">', *cells, "</row>"]).alias("xml")).to_series()


MARKS = tuple(chr(c) for c in range(1, 9))  # stand-ins for formats in a body built before its workbook is closed


@dataclass(frozen=True)
class Body:
    """The rows of one sheet's long table, spliced into the workbook xlsxwriter wrote.

    `sheet`: the worksheet's position in the workbook (0 the first); `rows`: `<row>` elements
    (`body`) as UTF-8, to follow the sheet's row 1. A body is built before its workbook is
    closed, when no format's index is known yet: its cells' `s` attributes hold `MARKS`
    (characters no cell holds: `body` replaces them with U+FFFD), and `formats` says each
    mark's Format. `last_row`: the sheet's last row once the rows are in, when no row
    xlsxwriter wrote follows them (the sheet's dimension is then set to reach it)."""

    sheet: int
    rows: bytes
    formats: tuple[tuple[str, object], ...] = ()
    last_row: int | None = None

    @property
    def part(self) -> str:
        return f"xl/worksheets/sheet{self.sheet + 1}.xml"

    def resolved(self) -> bytes:
        """The rows with each mark replaced by its format's index (once the workbook is closed)."""
        rows = self.rows  # UTF-8: a mark is its one byte, replaced three times faster than in text
        for mark, style in self.formats:
            rows = rows.replace(mark.encode("ascii"), xf_index(style).encode("ascii"))
        return rows


def marked(styles) -> tuple[tuple[str | None, ...], tuple[tuple[str, object], ...]]:
    """Each of `styles` (Formats or None, one a column) as a mark, and each mark's Format:
    a `Column`'s `style` and a `Body`'s `formats`."""
    marks: dict[int, tuple[str, object]] = {}
    for style in styles:
        if style is not None and id(style) not in marks:
            marks[id(style)] = (MARKS[len(marks)], style)
    return tuple(None if s is None else marks[id(s)][0] for s in styles), tuple(marks.values())


def xf_index(style) -> str | None:
    """A format's index in the closed workbook's styles, as a cell's `s` attribute. (Asked of
    xlsxwriter: a format equal to one made earlier shares that one's index, which its own
    `xf_index` attribute does not show.)"""
    return None if style is None else str(style._get_xf_index())


class Shared:
    """The compressed parts of workbooks written one after another: a part with the same name and
    bytes as one already compressed (styles, theme, relationships, properties: the same for every
    statement of a run) is copied, not compressed again. Belongs to its caller, who writes the
    workbooks (one per batch of statements); nothing outlives it."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, bytes], tuple[zipfile.ZipInfo, bytes]] = {}

    def write(self, target: zipfile.ZipFile, name: str, data: bytes) -> None:
        """`data` as the part `name` of `target`, deflated at `LEVEL_PARTS`, compressed once for
        every workbook that has them."""
        known = self._entries.get((name, data))
        if known is None:
            known = self._entries[name, data] = _deflated(name, [data], LEVEL_PARTS)
        info, entry = known
        _append(target, copy.copy(info), entry)


def package(parts: list[tuple[str, bytes]], bodies, path: Path | io.BytesIO, shared: Shared | None = None) -> str:
    """Write the workbook of `parts` ((name, bytes) in xlsxwriter's order, `xlsx.parts`) to `path`,
    each of `bodies` (`Body`) put into its sheet right after the sheet's header, row 1. `shared`:
    parts compressed earlier, by the workbooks written before this one. Returns the sha256 of the
    bytes written (the manifest's, known without reading the file again)."""
    spliced = {b.part: b for b in bodies}
    shared = shared or Shared()
    # Zipped in memory, the file written at once: zipfile's many small writes and seeks to a file
    # cost a statement 0.14 to 0.18 CPU ms more (2,000 statements: about 0.3 CPU s).
    zipped = path if isinstance(path, io.IOBase) else io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            if name not in spliced:
                shared.write(target, name, data)
                continue
            body = spliced[name]
            head, tail = _split(data.decode("utf-8"))
            if body.last_row is not None:
                head = re.sub(r'(<dimension ref="[A-Z]+1:[A-Z]+)\d+"', rf'\g<1>{max(body.last_row, 1)}"', head,
                              count=1)
            info, entry = _deflated(name, [head.encode("utf-8"), body.resolved(), tail.encode("utf-8")], LEVEL)
            _append(target, info, entry)
    written = zipped.getbuffer()
    if zipped is not path:
        with open(path, "wb") as file:
            file.write(written)
    return hashlib.sha256(written).hexdigest()


def _deflated(name: str, pieces: list[bytes], level: int) -> tuple[zipfile.ZipInfo, bytes]:
    """The zip entry of a part, the concatenation of `pieces`: its `ZipInfo` (Excel's timestamp of
    1980-01-01, deflated) and its local header and data. libdeflate's (`deflate`, pinned: its output
    is the same for the same version on every machine) up to `WHOLE` bytes; a larger part, a sheet
    of hundreds of thousands of lines, is deflated by zlib as a stream, not held twice in memory."""
    info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16  # what zipfile gives a part it writes: rw-------
    size = sum(len(p) for p in pieces)
    if size <= WHOLE:
        data = b"".join(pieces)
        packed = deflate.deflate_compress(data, level)
        crc = deflate.crc32(data)
    else:
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        chunks, crc = [], 0
        for piece in map(memoryview, pieces):
            for start in range(0, len(piece), _STREAMED):
                chunk = piece[start:start + _STREAMED]  # a view: the part is not copied
                crc = zlib.crc32(chunk, crc)
                chunks.append(packer.compress(chunk))
        chunks.append(packer.flush())
        packed = b"".join(chunks)
    info.file_size, info.compress_size, info.CRC = size, len(packed), crc
    return info, info.FileHeader() + packed


def _append(target: zipfile.ZipFile, info: zipfile.ZipInfo, entry: bytes) -> None:
    """Put a compressed part (its local header and data, `entry`) into `target` as it is, as
    `target.writestr` would have written it. (zipfile's internals, as of Python 3.11.)"""
    target.fp.seek(target.start_dir)
    info.header_offset = target.fp.tell()
    target.fp.write(entry)
    target.start_dir = target.fp.tell()
    target.filelist.append(info)
    target.NameToInfo[info.filename] = info
    target._didModify = True


def _split(sheet: str) -> tuple[str, str]:
    """The sheet's XML cut where the rows go: after row 1's element."""
    start = re.search('<row r="1"[ >]', sheet).start()
    end = sheet.index("</row>", start) + len("</row>")
    return sheet[:end], sheet[end:]
