"""Builds the hostile corpus: every broken or crafted workbook the guard must refuse,
and sound ones it must pass. Everything is generated here from xlsxwriter, zipfile and
XML text, so no binary is committed.

    python tests/hostile/make_corpus.py OUT_DIR
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Callable

import xlsxwriter

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sales(path: Path, rows: int = 20, options: dict | None = None, stray: tuple | None = None,
          formulas: bool = False) -> Path:
    """A small sales sheet as a partner exports it; `stray` adds one value far away."""
    book = xlsxwriter.Workbook(path, options or {})
    sheet = book.add_worksheet("Sales")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["date", "partner", "sku", "qty", "net_amount"])
    for r in range(1, rows + 1):
        sheet.write_datetime(r, 0, dt.datetime(2024, 3, 1 + r % 28), day)
        sheet.write_row(r, 1, [f"P{r % 7:03d}", f"SKU-{r}", r % 5 + 1, 1000.5 * r])
        if formulas:
            sheet.write_formula(r, 5, f"=D{r + 1}*E{r + 1}")
    if stray:
        sheet.write(*stray, "x")
    book.close()
    return path


def patched(source: Path, path: Path, edits: dict[str, Callable[[bytes], bytes]],
            method: int = zipfile.ZIP_DEFLATED) -> Path:
    """A copy of `source` with some parts' bytes rewritten."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w", method) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, edits.get(info.filename, lambda b: b)(data))
    return path


def swap(pattern: bytes, replacement: bytes) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        changed, n = re.subn(pattern, replacement, data, count=1)
        assert n, pattern
        return changed
    return edit


def compound(path: Path, streams: list[str]) -> Path:
    """The signature and directory entry names of an OLE compound file (old .xls, or an
    encrypted .xlsx): all the guard reads. Not a complete compound file."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".ljust(512, b"\0")
    entries = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + (2 * len(name) + 2).to_bytes(2, "little")
                       + b"\x02".ljust(62, b"\0") for name in ["Root Entry", *streams])
    path.write_bytes(header + entries.ljust(512, b"\0"))
    return path


def with_central_size(source: Path, path: Path, part: str, size: int) -> Path:
    """A copy whose zip directory declares another uncompressed size for `part`."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as zf:
        at = zf.start_dir  # the first central directory entry
    while True:
        name_len = int.from_bytes(data[at + 28:at + 30], "little")
        extra = int.from_bytes(data[at + 30:at + 32], "little") + int.from_bytes(data[at + 32:at + 34], "little")
        if data[at + 46:at + 46 + name_len] == part.encode():
            data[at + 24:at + 28] = size.to_bytes(4, "little")
            break
        at += 46 + name_len + extra
    path.write_bytes(bytes(data))
    return path


def lying_zip(path: Path, parts: dict[str, bytes], liar: str, declared: int) -> Path:
    """A zip written by hand so that `liar` declares `declared` bytes but unpacks to its
    real content; zipfile itself would not write such a file."""
    out, central = bytearray(), bytearray()
    for name, data in parts.items():
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        size = declared if name == liar else len(data)
        fields = (20, 0, 8, 0, 0, zlib.crc32(data), len(packed), size, len(name), 0)
        widths = (2, 2, 2, 2, 2, 4, 4, 4, 2, 2)
        local = b"PK\x03\x04" + b"".join(v.to_bytes(n, "little") for v, n in zip(fields, widths))
        central += (b"PK\x01\x02" + (20).to_bytes(2, "little") + local[4:30] + bytes(10)
                    + len(out).to_bytes(4, "little") + name.encode())
        out += local + name.encode() + packed
    end = (b"PK\x05\x06" + bytes(4) + (len(parts)).to_bytes(2, "little") * 2
           + len(central).to_bytes(4, "little") + len(out).to_bytes(4, "little") + bytes(2))
    path.write_bytes(bytes(out + central + end))
    return path


def parts_of(source: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(source) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rows_xml(count: int) -> bytes:
    """A worksheet of `count` one-cell rows: the filling of the bombs."""
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'.encode()
            + b'<row><c><v>1</v></c></row>' * count + b"</sheetData></worksheet>")


def _laugh(i: int) -> str:
    return "&lol;" if i == 0 else f"&lol{i};"


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{_laugh(i - 1) * 10}">' for i in range(1, 10))
          + f']><worksheet {NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'
          "</row></sheetData></worksheet>").encode()


def build(folder: Path) -> dict[str, Path]:
    """Every corpus file, by name, written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    base = sales(folder / "base.xlsx")
    made: dict[str, Path] = {}

    def add(name: str, make: Callable[[Path], object]):
        make(folder / name)
        made[name] = folder / name

    # 1. not a workbook
    add("empty.xlsx", lambda p: p.write_bytes(b""))
    add("csv.xlsx", lambda p: p.write_text("date;partner;net_amount\n2024-03-01;P001;1200,50\n"))
    add("web.xlsx", lambda p: p.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>"))
    add("old.xlsx", lambda p: compound(p, ["Workbook", "\x05SummaryInformation"]))
    add("encrypted.xlsx", lambda p: compound(p, ["EncryptionInfo", "EncryptedPackage"]))
    add("truncated.xlsx", lambda p: p.write_bytes(base.read_bytes()[:base.stat().st_size // 2]))
    add("no_workbook.xlsx", lambda p: patched_parts(p, {"readme.txt": b"hello"}))
    add("word.xlsx", lambda p: patched_parts(p, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}))

    # 2. decompression bombs and broken zips
    add("too_many_parts.xlsx", lambda p: patched_parts(p, parts_of(base) | {
        f"docProps/extra{i}.xml": b"<x/>" for i in range(10_001)}))
    add("twice.xlsx", lambda p: twice(base, p))
    add("bzip2.xlsx", lambda p: patched(base, p, {}, zipfile.ZIP_BZIP2))
    add("declares_2gib.xlsx", lambda p: with_central_size(base, p, SHEET, 2 << 30))
    add("ratio_bomb.xlsx", lambda p: streamed(base, p, SHEET, rows_xml(1 << 20)))
    add("size_lie.xlsx", lambda p: lying_zip(p, parts_of(base) | {SHEET: rows_xml(200_000)}, SHEET, 1000))
    add("corrupt_part.xlsx", lambda p: corrupt(base, p, SHEET))

    # 3. XML entities
    add("laughs.xlsx", lambda p: patched(base, p, {SHEET: lambda b: LAUGHS}))
    add("xxe.xlsx", lambda p: patched(base, p, {"xl/workbook.xml": swap(
        rb"(<\?xml[^>]*\?>)", rb'\1<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')}))
    add("utf16.xlsx", lambda p: patched(base, p, {SHEET: lambda b: b.decode().replace(
        "<worksheet", '<!DOCTYPE w [<!ENTITY a "b">]><worksheet', 1).encode("utf-16")}))

    # 4. shared strings claiming more than they hold (10^12 aborts fastexcel 0.21)
    add("sst_bomb.xlsx", lambda p: patched(base, p, {"xl/sharedStrings.xml": swap(
        rb'uniqueCount="\d+"', b'uniqueCount="1000000000000"')}))
    add("sst_bomb_hidden.xlsx", lambda p: patched(base, p, {"xl/sharedStrings.xml": swap(  # behind a quoted ">"
        rb'count="\d+" uniqueCount="\d+"', b'count="1" x=">" uniqueCount="1000000000000"')}))

    # 5. cells far from the data
    add("far_column.xlsx", lambda p: sales(p, stray=(1999, 16383)))  # XFD2000
    add("far_row.xlsx", lambda p: sales(p, stray=(999_999, 3)))  # D1000000
    add("lowercase_ref.xlsx", lambda p: patched(base, p, {SHEET: swap(rb'<c r="B2"', b'<c r="xfd2"')}))
    add("prefixed.xlsx", lambda p: patched(base, p, {SHEET: lambda b: (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="XFD1"><x:v>2</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>").encode()}))
    add("addressless.xlsx", lambda p: patched(base, p, {SHEET: swap(
        rb"</row>", b"<c><v>1</v></c>" * 300 + b"</row>")}))
    add("quoted_address.xlsx", lambda p: patched(base, p, {SHEET: swap(  # r= inside another value, > in one
        rb'<c r="B2"', b'<c x=" r=\'B2\' >" r="XFD2"')}))
    add("moved_sheet.xlsx", lambda p: moved_sheet(sales(folder / "stray.tmp.xlsx", stray=(1999, 16383)), p))

    # 6. formulas whose values were never calculated
    add("formulas_missing.xlsx", lambda p: patched(sales(folder / "formulas.tmp.xlsx", formulas=True), p, {
        SHEET: lambda b: re.sub(rb"</f><v>0</v>", b"</f>", b)}))
    add("formulas_uncalculated.xlsx", lambda p: sales(p, formulas=True))

    # sound files: the guard must stay silent
    add("sound.xlsx", lambda p: sales(p))
    add("date1904.xlsx", lambda p: sales(p, options={"date_1904": True}))
    add("sound_sheets.xlsx", sound_sheets)
    add("tall.xlsx", lambda p: patched(base, p, {SHEET: lambda b: tall(150_000)}))
    return made


def patched_parts(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def twice(source: Path, path: Path) -> Path:
    """The sheet twice, names differing in case only: calamine looks names up ignoring
    case and takes the first, so a scan of the second would check the wrong one."""
    return patched_parts(path, {SHEET.upper(): rows_xml(1)} | parts_of(source))


def moved_sheet(source: Path, path: Path) -> Path:
    """The sheet stored outside xl/worksheets/ and named by a plain `id` after an `r:id`
    naming the styles: calamine takes the last id-like attribute; a guard reading only
    `r:id` would never look at the sheet."""
    parts = parts_of(source)
    parts["xl/data/s.xml"] = parts.pop(SHEET)
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b"worksheets/sheet1.xml", b"data/s.xml")
    parts[rels] = parts[rels].replace(b'Id="rId1"', b'Id="rId9"')
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'r:id="rId1"', b'r:id="rId3" id="rId9"')
    return patched_parts(path, parts)


def streamed(source: Path, path: Path, part: str, data: bytes) -> Path:
    """`source` with `part` replaced by `data`, packed as tight as deflate goes."""
    parts = parts_of(source) | {part: data}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return path


def corrupt(source: Path, path: Path, part: str) -> Path:
    """`part`'s packed bytes zeroed from the middle on: the directory stays intact."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as zf:
        info = zf.getinfo(part)
    at = info.header_offset
    start = at + 30 + int.from_bytes(data[at + 26:at + 28], "little") + int.from_bytes(data[at + 28:at + 30], "little")
    middle = start + info.compress_size // 2
    data[middle:start + info.compress_size] = bytes(start + info.compress_size - middle)
    path.write_bytes(bytes(data))
    return path


def sound_sheets(path: Path) -> Path:
    """Several sheets, a hidden one, texts in Russian, dates and an inline string."""
    book = xlsxwriter.Workbook(path)
    sales_ = book.add_worksheet("Продажи")
    sales_.write_row(0, 0, ["дата", "партнёр", "сумма"])
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    sales_.write_row(1, 0, [dt.date(2024, 3, 15), "ТОО «Альфа»", 1_200_000.5], day)
    wide = book.add_worksheet("Wide")
    wide.write_row(0, 0, [f"col{i}" for i in range(120)])
    wide.write_row(1, 0, list(range(120)))
    book.add_worksheet("Notes").hide()
    book.close()
    return path


def tall(rows: int) -> bytes:
    """A dense sheet past row 100,000 (tall, not sparse), written as text: xlsxwriter
    takes seconds for it."""
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'
            + "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="s"><v>0</v></c></row>'
                      for r in range(1, rows + 1))
            + "</sheetData></worksheet>").encode()


if __name__ == "__main__":
    for name, made in build(Path(sys.argv[1])).items():
        print(f"{made.stat().st_size:>12,}  {name}")
