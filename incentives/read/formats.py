"""The guard for the formats beside .xlsx: .xls, .ods, .xlsb and .csv.

`guard.examine` hands each file here by its extension, once its first bytes show the
content agrees. Each check answers what the .xlsx checks answer, for its format: is
it what its name says, would it make the reader reserve or fill more than a real
file needs (an .ods repeating a valued row a million times, an .xls or .xlsb claiming
billions of shared strings, a cell far from the data), which sheets are hidden, which
cells hold an error value (the reader hands them over blank). No XML parser runs:
regular expressions over streamed bytes, as for .xlsx.

A .csv is read here too (`read_csv`): it has no reader of its own in calamine. Over
400 lines: four formats of about 100 lines each, apart from the .xlsx guard they build on.
"""

from __future__ import annotations

import csv
import io
import re
import struct
from decimal import Decimal
from pathlib import Path

import polars as pl

from incentives.problems import Problem, Source, error, said
from incentives.words import Number
from incentives.read import guard
from incentives.read.guard import ASK, MAX_CELLS, MAX_COLUMNS, MAX_UNPACKED, Findings, Sheet, Workbook, _Extent

# Excel's error values by their BIFF code (.xls and .xlsb).
ERROR_CODES = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
RESAVE = "formats.resave"


def _refuse(rel: str, key: str, hint: str = RESAVE, **values):
    raise guard.Refused(error(Source(rel), key, hint, **values))


# ---------------------------------------------------------------- .xls: a compound file holding BIFF8 records

_END, _FREE = 0xFFFFFFFE, 0xFFFFFFFF


def _chain(table: list[int], start: int, rel: str) -> list[int]:
    """The sectors of a chain; a loop or a sector out of range is a damaged (or crafted) file."""
    out, seen = [], set()
    while start not in (_END, _FREE):
        if start >= len(table) or start in seen:
            _refuse(rel, "formats.chain")
        seen.add(start)
        out.append(start)
        start = table[start]
    return out


def _workbook_stream(data: bytes, rel: str) -> bytes:
    """The `Workbook` stream of an OLE compound file (the .xls container)."""
    if len(data) < 512:
        _refuse(rel, "formats.short", "guard.copy_again")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not 7 <= shift <= 16 or not 2 <= mini_shift < shift:
        _refuse(rel, "formats.not_xls")
    size = 1 << shift
    sectors = (len(data) - 512 + size - 1) // size

    def sector(n: int) -> bytes:
        if n >= sectors:
            _refuse(rel, "formats.past_end")
        return data[512 + n * size: 512 + (n + 1) * size]

    fat_count, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_minifat, minifat_count, first_difat, difat_count = struct.unpack_from("<IIIII", data, 0x38)
    difat = list(struct.unpack_from("<109I", data, 0x4C))
    seen = set()
    while first_difat not in (_END, _FREE) and difat_count:
        if first_difat in seen:
            _refuse(rel, "formats.chain")
        seen.add(first_difat)
        block = struct.unpack(f"<{size // 4}I", sector(first_difat))
        difat += block[:-1]
        first_difat, difat_count = block[-1], difat_count - 1
    fat: list[int] = []
    for n in difat[:fat_count]:
        if n not in (_END, _FREE):
            fat += struct.unpack(f"<{size // 4}I", sector(n))
    directory = b"".join(sector(n) for n in _chain(fat, first_dir, rel))
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        _refuse(rel, "formats.no_directory")

    def entry(e: bytes) -> tuple[str, int, int, int]:
        length = min(struct.unpack_from("<H", e, 0x40)[0], 64)
        name = e[:max(length - 2, 0)].decode("utf-16-le", "replace")
        return name, e[0x42], struct.unpack_from("<I", e, 0x74)[0], struct.unpack_from("<Q", e, 0x78)[0]

    named = [entry(e) for e in entries]
    found = next((e for e in named if e[1] == 2 and e[0] in ("Workbook", "Book")), None)
    if found is None:
        if any(e[0] == "EncryptedPackage" for e in named):
            _refuse(rel, "guard.password", "formats.password/hint")
        _refuse(rel, "formats.office", "guard.text/hint")
    _, _, start, length = found
    if length > len(data) * 2 or length > MAX_UNPACKED:
        _refuse(rel, "formats.stream", ASK, length=Number(length), size=Number(len(data)))
    if length >= cutoff:
        return b"".join(sector(n) for n in _chain(fat, start, rel))[:length]
    root = named[0]
    mini_data = b"".join(sector(n) for n in _chain(fat, root[2], rel))
    minifat: list[int] = []
    for n in _chain(fat, first_minifat, rel)[:max(minifat_count, 0)]:
        minifat += struct.unpack(f"<{size // 4}I", sector(n))
    small = 1 << mini_shift
    return b"".join(mini_data[n * small:(n + 1) * small] for n in _chain(minifat, start, rel))[:length]


_CELLS = {0x0203, 0x0204, 0x00FD, 0x027E, 0x00D6, 0x0006, 0x0205}  # NUMBER LABEL LABELSST RK RSTRING FORMULA BOOLERR


def examine_xls(path: Path, rel: str) -> Findings:
    data = path.read_bytes()
    if len(data) > MAX_UNPACKED:
        _refuse(rel, "formats.gib", "guard.unpacked_size/hint", size=Number(round(Decimal(len(data)) / 2**30, 1), 1))
    stream = _workbook_stream(data, rel)
    sheets: list[tuple[int, str, str]] = []  # (offset of its BOF, name, state)
    date1904 = False
    extents: dict[str, _Extent] = {}
    errors: list[tuple[str, int, int, str]] = []
    current: str | None = None
    starts: dict[int, str] = {}
    pos = 0
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + size]
        if kind == 0x0809:  # BOF: the globals, or a sheet's records
            current = starts.get(pos)
        elif kind == 0x002F and current is None:
            _refuse(rel, "guard.password", "formats.password/hint")
        elif kind == 0x0085 and len(body) >= 8:  # BOUNDSHEET
            offset, state, count, wide = struct.unpack_from("<IBxBB", body)
            text = body[8:8 + count * (2 if wide & 1 else 1)]
            name = text.decode("utf-16-le" if wide & 1 else "latin-1", "replace")
            sheets.append((offset, name, ("visible", "hidden", "veryHidden")[state & 3] if state & 3 < 3 else "hidden"))
            starts[offset] = name
        elif kind == 0x0022 and len(body) >= 2:  # DATEMODE
            date1904 = struct.unpack_from("<H", body)[0] == 1
        elif kind == 0x00FC and len(body) >= 8:  # SST: calamine reserves room for the count it declares
            unique = struct.unpack_from("<I", body, 4)[0]
            if unique * 3 > len(stream):
                _refuse(rel, "guard.part_sst", ASK, texts=Number(unique), size=Number(len(stream)))
        elif current is not None and len(body) >= 4 and (kind in _CELLS or kind == 0x00BD):
            row, column = struct.unpack_from("<HH", body)
            if kind == 0x00BD and len(body) >= 6:  # MULRK: a run of cells to the column at its end
                column = struct.unpack_from("<H", body, len(body) - 2)[0]
            extents.setdefault(current, _Extent()).value((row, column))
            code = None
            if kind == 0x0205 and len(body) >= 8 and body[7] == 1:
                code = body[6]
            elif kind == 0x0006 and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":
                code = body[8]
            if code is not None:
                errors.append((current, row, column, ERROR_CODES.get(code, "#VALUE!")))
        pos += 4 + size
    problems = [p for name, extent in extents.items()
                for p in extent.problems(Source(rel, name), len(stream), False)]
    book = Workbook(tuple(Sheet(name, state, ()) for _, name, state in sheets), date1904)
    return Findings(tuple(problems), 0, book, tuple(errors))


# ---------------------------------------------------------------- .ods: a zip holding content.xml

_ODS_TAG = re.compile(rb"<(/?)(table:table|table:table-row|table:table-cell|table:covered-table-cell|text:p)"
                      rb"(?=[\s/>])(" + guard._INSIDE + rb"?)(/?)>")
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def _repeat(attrs: dict[bytes, bytes], name: bytes) -> int:
    value = attrs.get(name, b"1").strip()
    return int(value) if value.isdigit() and int(value) > 0 else 1


def examine_ods(path: Path, rel: str) -> Findings:
    where = Source(rel)
    with guard.zipped(path, rel, "ods") as (infos, entries, unpacker):
        mime = entries.get("mimetype")
        if mime is None or b"".join(unpacker.chunks(mime)).strip() != _ODS_MIME:
            return Findings((error(where, "formats.not_ods"),))
        content = entries.get("content.xml")
        if content is None:
            return Findings((error(where, "formats.no_content", RESAVE),))
        sheets, extents, errors = _scan_ods(unpacker, content)
        for info in infos:  # every other part inflated too: sizes and entities checked as for .xlsx
            if info.filename.lower() not in ("content.xml", "mimetype"):
                for _ in unpacker.chunks(info):
                    pass
    problems = [p for name, extent in extents.items()
                for p in extent.problems(Source(rel, name), content.file_size, False)]
    return Findings(tuple(problems), 0, Workbook(tuple(Sheet(name, "visible", ()) for name in sheets)), tuple(errors))


def _scan_ods(unpacker, info) -> tuple[list[str], dict[str, _Extent], list[tuple[str, int, int, str]]]:
    """Each table's valued cells, positioned as calamine does: repeated rows and columns
    expanded (a valued cell repeated 16,384 times is 16,384 cells to the reader)."""
    sheets: list[str] = []
    extents: dict[str, _Extent] = {}
    errors: list[tuple[str, int, int, str]] = []
    name = ""
    row = column = 0
    rows_here = 1
    pending: tuple[int, int] | None = None
    carry = b""
    for chunk in unpacker.chunks(info, xml=True):
        data = carry + chunk
        cut = data.rfind(b"<")
        piece, carry = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
        for m in _ODS_TAG.finditer(piece):
            close, tag, raw, empty = m.groups()
            attrs = {k: a + b for k, a, b in guard._ATTR.findall(raw)} if not close else {}
            if tag == b"table:table":
                if not close:
                    name = attrs.get(b"table:name", b"").decode("utf-8", "replace")
                    sheets.append(name)
                    row = 0
            elif tag == b"table:table-row":
                if not close:
                    rows_here, column = _repeat(attrs, b"table:number-rows-repeated"), 0
                if close or empty:
                    row += rows_here
                    rows_here = 1
            elif tag in (b"table:table-cell", b"table:covered-table-cell") and not close:
                columns = _repeat(attrs, b"table:number-columns-repeated")
                if b"office:value-type" in attrs:
                    extent = extents.setdefault(name, _Extent())
                    extent.value((row + rows_here - 1, column + columns - 1))
                    if attrs.get(b"calcext:value-type") == b"error":
                        pending = (row, column)
                column += columns
            elif tag == b"text:p" and not close and not empty and pending:
                text = piece[m.end():m.end() + 64].partition(b"<")[0].strip().decode("utf-8", "replace")
                errors.append((name, *pending, text))
                pending = None
            if tag == b"table:table-cell" and (close or empty):
                pending = None
    return sheets, extents, errors


# ---------------------------------------------------------------- .xlsb: a zip of binary records

def _records(data: bytes):
    """(type, body) of each BIFF12 record: type and size are variable-length integers."""
    pos, end = 0, len(data)
    while pos < end:
        kind = data[pos]
        pos += 1
        if kind & 0x80:
            if pos >= end:
                return
            kind = (kind & 0x7F) | (data[pos] & 0x7F) << 7
            pos += 1
        size, shift = 0, 0
        for _ in range(4):
            if pos >= end:
                return
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        yield kind, data[pos:pos + size]
        pos += size


_XLSB_CELLS = range(2, 12)  # BrtCellRk .. BrtFmlaError (1, BrtCellBlank, holds no value)


def examine_xlsb(path: Path, rel: str) -> Findings:
    where = Source(rel)
    with guard.zipped(path, rel, "xlsb") as (infos, entries, unpacker):
        book = _xlsb_workbook(unpacker, entries)
        names = {p: s.name for s in book.sheets for p in s.parts}
        problems: list[Problem] = []
        errors: list[tuple[str, int, int, str]] = []
        for info in infos:
            name = info.filename.lower()
            if name == "xl/sharedstrings.bin":
                data = unpacker.read(info)
                for kind, body in _records(data[:64]):
                    if kind == 159 and len(body) >= 8:  # BrtBeginSst: cstTotal, cstUnique
                        unique = struct.unpack_from("<I", body, 4)[0]
                        if unique * 7 > len(data):
                            problems.append(error(where, "guard.part", ASK, part=info.filename,
                                                          why=said("guard.part_sst", texts=Number(unique),
                                                                   size=Number(len(data)))))
                    break
            elif name.startswith("xl/worksheets/") and name.endswith(".bin"):
                if info.file_size > guard._SMALL * 8:
                    problems.append(error(where, "guard.part", "formats.save_xlsx", part=info.filename,
                                          why=said("formats.part_big")))
                    continue
                extent, found = _scan_xlsb_sheet(b"".join(unpacker.chunks(info)))
                sheet = names.get(name, "")
                problems += extent.problems(Source(rel, sheet or info.filename), info.file_size, False)
                errors += [(sheet, r, c, t) for r, c, t in found if sheet]
            else:
                for _ in unpacker.chunks(info):
                    pass
    return Findings(tuple(problems), 0, book, tuple(errors))


def _xlsb_workbook(unpacker, entries) -> Workbook:
    """Sheets (name, state, part) from xl/workbook.bin's BrtBundleSh records and their
    relationships; the date system from BrtWbProp."""
    info = entries.get("xl/workbook.bin")
    data = unpacker.read(info) if info else b""
    rels = entries.get("xl/_rels/workbook.bin.rels")
    targets = {a.get("Id"): a.get("Target", "") for a in map(guard._attrs, guard._RELATIONSHIP.findall(
        unpacker.read(rels) if rels else b""))}
    sheets, date1904 = [], False
    for kind, body in _records(data):
        if kind == 156 and len(body) >= 12:  # BrtBundleSh: hsState, iTabID, strRelID, strName
            state = struct.unpack_from("<I", body)[0]
            count = struct.unpack_from("<I", body, 8)[0]
            rid = body[12:12 + 2 * count].decode("utf-16-le", "replace") if count != 0xFFFFFFFF else ""
            at = 12 + 2 * (count if count != 0xFFFFFFFF else 0)
            length = struct.unpack_from("<I", body, at)[0] if len(body) >= at + 4 else 0
            name = body[at + 4:at + 4 + 2 * length].decode("utf-16-le", "replace")
            target = targets.get(rid, "").lstrip("/")
            part = (target if target.startswith("xl/") else "xl/" + target).lower()
            sheets.append(Sheet(name, ("visible", "hidden", "veryHidden")[state] if state < 3 else "hidden", (part,)))
        elif kind == 153 and len(body) >= 4:  # BrtWbProp: fDate1904 is its first bit
            date1904 = bool(body[0] & 1)
    return Workbook(tuple(sheets), date1904)


def _scan_xlsb_sheet(data: bytes) -> tuple[_Extent, list[tuple[int, int, str]]]:
    extent = _Extent()
    errors = []
    row = 0
    for kind, body in _records(data):
        if kind == 0 and len(body) >= 4:  # BrtRowHdr
            row = struct.unpack_from("<I", body)[0]
        elif kind in _XLSB_CELLS and len(body) >= 8:
            column = struct.unpack_from("<I", body)[0]
            extent.value((row, column))
            if kind in (3, 11) and len(body) >= 9:  # BrtCellError, BrtFmlaError
                errors.append((row, column, ERROR_CODES.get(body[8], "#VALUE!")))
    return extent, errors


# ---------------------------------------------------------------- .csv: text, as Excel saves it

def _decode(data: bytes, rel: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1251, what Excel saves on a Russian Windows."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        _refuse(rel, "formats.encoding", "formats.encoding/hint")


def examine_csv(path: Path, rel: str) -> Findings:
    size = path.stat().st_size
    if size > MAX_UNPACKED:
        _refuse(rel, "formats.gib", "formats.split_files", size=Number(round(Decimal(size) / 2**30, 1), 1))
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        _refuse(rel, "guard.empty", "formats.empty/hint")
    if head.startswith((b"PK", guard._OLE)):
        _refuse(rel, "formats.book_named_csv", "formats.book_named_csv/hint")
    if b"\x00" in head:
        _refuse(rel, "formats.binary_csv", "formats.binary_csv/hint")
    return Findings()


def read_csv(path: Path, rel: str) -> pl.DataFrame:
    """Every cell as text (blank cells null), columns `column_0`, `column_1`, ... : the
    grid a workbook's sheet gives. `,` or `;`, whichever the first line holds more of."""
    text = _decode(path.read_bytes(), rel)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    width = max((len(r) for r in rows), default=0)
    if width > MAX_COLUMNS or width * len(rows) > MAX_CELLS:
        _refuse(rel, "formats.csv_big", "formats.csv_big/hint", rows=Number(len(rows)), columns=Number(width))
    columns = [[None] * len(rows) for _ in range(width)]
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell != "":
                columns[j][i] = cell
    return pl.DataFrame({f"column_{j}": pl.Series(c, dtype=pl.String) for j, c in enumerate(columns)})
