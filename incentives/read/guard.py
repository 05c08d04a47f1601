"""A look at the raw file before any parser touches it: here .xlsx and .xlsm; the other
formats calc reads (.xls, .ods, .xlsb, .csv) in `formats.py`, which builds on these scans.

Partner workbooks come from outside; some are broken and a few are crafted. calamine
(the engine of fastexcel) trusts what a file declares: it reserves memory for as many
shared strings as the file claims (a 5 KB file claiming 10^12 aborts the process),
fills a dense grid up to the farthest cell that holds a value, and unpacks whatever
the zip holds. So `examine` reads the zip itself first, within limits, and says what
is wrong and how to fix it. Nothing here parses XML: regular expressions over the
streamed bytes find what is needed, so a declared entity can never expand.

What the guard inflated of an .xlsx is handed on (`Findings.parts`): the reader finds
a sheet's header in its first rows from those bytes, without parsing the sheet.

Limits fit real partner files; measured with fastexcel 0.21 (see tests/hostile):
- calamine and fastexcel hold about 55 bytes per cell of the used range (2,000 rows ×
  16,384 columns: 1.8 GB and 4.7 s; 1,000,000 × 10: 550 MB), so a sheet may span at
  most MAX_CELLS cells, about 1.6 GB, and MAX_COLUMNS columns;
- sheet XML deflates about 7:1 (a 120,000-row sales export: 53 MB in 7.9 MB); only a
  bomb comes near deflate's 1,032:1.

Over 400 lines: one pass over one zip, whose checks share the bounded unpacker, the entry
table and the streamed scans (the scan of a sheet's extent, fast and exact, is 170 lines of
it); split, each part would reopen the zip or pass its internals across modules.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import polars as pl
from isal import isal_zlib

from incentives.problems import Problem, Said, Source, error, said
from incentives.words import Number

MAX_ENTRIES = 10_000
KEPT = 16 << 20  # unpacked bytes of an .xlsx kept for the reader's first rows; a larger one's come from disk
MAX_UNPACKED = 1 << 30  # all parts together; a full 1,048,576 × 20 sheet is about 700 MB of XML
MAX_RATIO = 200
RATIO_FROM = 8 << 20  # small parts (styles, an empty sheet) may pack better and cannot hurt
MAX_COLUMNS = 200
# Must stay above 1,048,576 × 26 and 99,999 × 200: the fast sheet scan knows only that
# plain cells lie within A1:Z99999 and bounds the grid with that (see `_Extent`).
MAX_CELLS = 30_000_000
SI_BYTES = 8  # no shared string is written in fewer bytes than <si><t/></si>
# A row holding a value takes at least this many bytes of XML (<c r="A1"><v>1</v></c>);
# a sheet reaching further down than its size allows is mostly empty rows above a stray.
ROW_BYTES = 20
SPARSE_FROM = 100_000  # rows; below this a sparse sheet is cheap to read
EXCEL_ROWS = 1_048_576
SHOWN = 5  # cells named in one message

_CHUNK = 4 << 20  # inflated bytes handled at once: memory stays flat whatever the part's size
_READ = 1 << 20
_SMALL = 32 << 20  # workbook.xml and its relationships are read whole; real ones are kilobytes
_HEAD = 1 << 20  # the <sst> start tag must lie within this many bytes of its part

# Hints many refusals share (message keys)
RESAVE = "guard.resave"
ASK = "guard.ask"
RECALC = "guard.recalc"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DTD = re.compile(b"|".join(re.escape(word.encode(code)) for word in ("<!DOCTYPE", "<!ENTITY")
                            for code in ("ascii", "utf-16-le", "utf-16-be")), re.IGNORECASE)
_ATTR = re.compile(rb"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(r"([A-Za-z]+)([0-9]+)")
_ROWNUM = re.compile(rb"[A-Za-z]*([0-9]+)")
_TRUE = ("1", "true")


# The inside of a start tag: a quoted attribute value may hold ">", and a crafted file
# would hide an attribute behind one from a plain [^>]*.
_INSIDE = rb"(?:[^>\"']|\"[^\"]*\"|'[^']*')*"


def _tag(name: str) -> re.Pattern[bytes]:
    """Start tags of an element, whatever its namespace prefix (calamine matches local names)."""
    return re.compile(rb"<(?:[\w.-]+:)?" + name.encode() + rb"\b" + _INSIDE + rb">")


_SHEET, _RELATIONSHIP, _WORKBOOK_PR, _CALC_PR, _SST = map(
    _tag, ("sheet", "Relationship", "workbookPr", "calcPr", "sst"))

# One pass of the Rust regex engine (through polars, which also releases the GIL) over
# a sheet: about twice as fast as Python's `re` for this, which matters on big sheets.
# In a sheet written by Excel nothing matches but formulas; everything else is a cell
# whose position is not a plain `<c r="A1"` to `<c r="Z99999"`.
_FORMULA = r'<c r="[^"]*"[^>]*>\s*<f[\s/>][^<]*(?:</f>\s*)?(?:<v\s*/>|<v>\s*</v>|</c>|<v)'
_FAR = r'<c r="(?:[^A-Z]|[A-Z](?:[^0-9]|[0-9]{6}|[0-9]{1,5}[^"0-9]))[^>]*>(?:\s*</)?'  # AA1, A100000
_PREFIXED = r'<[A-Za-z_][A-Za-z0-9_.\-]*:(?:c|row)[\s/>]'  # prefixed tags: only the exact scan reads them
_UNPLACED = r'<c(?:[\t\r\n/>]| (?:[^r]|r[^=]|r=[^"]))'  # a cell placed after the previous one, not by r=
# An error value (#N/A, #DIV/0!, ...), typed or a formula's: calamine hands it over as a
# blank, so the guard names it. First: a formula that failed matches it before _FORMULA.
_ERROR = r'<c r="[^"]*"[^>]* t="e"[^>]*>(?:\s*<f[\s/>][^<]*(?:</f>)?)?\s*<v>\s*#[^<]*</v>'
_UNUSUAL = "|".join((_ERROR, _FORMULA, _FAR, _PREFIXED, _UNPLACED))  # _ERROR costs the pass 2%
_CELL_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c|f|v|is)(?=[\s/>])(" + _INSIDE + rb"?)(/?)>")


@dataclass(frozen=True)
class Sheet:
    name: str
    state: str  # visible, hidden or veryHidden
    # Zip entries that may hold its cells: each id-like attribute's target, resolved as
    # calamine does and as the standard says. A crafted file may make them differ; all
    # are scanned, so the guard does not depend on which one a reader picks.
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Workbook:
    sheets: tuple[Sheet, ...] = ()
    date1904: bool = False
    recalc: bool = False  # fullCalcOnLoad: formula values were written by a program, not Excel


class Refused(Exception):
    """Reading on would be unsafe or pointless; carries the one problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Findings:
    problems: tuple[Problem, ...] = ()
    formulas: int = 0  # formula cells seen in the sheets, calculated or not
    book: Workbook = Workbook()  # as xl/workbook.xml declares it; empty for a file refused early
    # Cells holding an error value, which the reader hands over as blanks:
    # (sheet, 0-based row, 0-based column, the value as Excel shows it, e.g. "#N/A").
    errors: tuple[tuple[str, int, int, str], ...] = ()
    # Every part of an .xlsx as the guard inflated it, (name, bytes) in the zip's order, when
    # they fit in KEPT: the reader takes a sheet's first rows from these (`workbook.Book.head`).
    parts: tuple[tuple[str, bytes], ...] = ()
    # The sheets whose XML the fast scan read whole (cells placed by a plain r=, no prefixed
    # tags): only these may be cut after their first rows (`workbook.head`).
    plain: frozenset[str] = frozenset()


# The formats calc reads, by extension (in any case): what the content must be.
KINDS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsb", ".xls": "xls", ".ods": "ods", ".csv": "csv"}
# What a file of each kind is, in a message: "an Excel workbook (.xlsx)"
_NAMED = {kind: said("guard.named:" + kind) for kind in ("xlsx", "xlsb", "xls", "ods", "csv")}


def kind_of(path: Path) -> str:
    return KINDS.get(path.suffix.lower(), "xlsx")


def examine(path: Path, rel: str) -> Findings:
    """Every problem of the raw file, before a parser sees it (none for a sound workbook),
    with what the guard read on the way: how many formula cells the sheets hold and the
    workbook's sheets and date system, so no caller reads them again. The extension says
    which format's checks apply (`formats.py` for all but .xlsx and .xlsm); the content
    must agree with it."""
    from incentives.read import formats  # it builds on this module's scans

    kind = kind_of(path)
    try:
        if kind == "csv":
            return formats.examine_csv(path, rel)
        wrong = _not_a_zip(path, Source(rel), kind)
        if wrong:
            return Findings((wrong,))
        if kind == "xls":
            return formats.examine_xls(path, rel)
        if kind in ("ods", "xlsb"):
            return (formats.examine_ods if kind == "ods" else formats.examine_xlsb)(path, rel)
        return _inspect(path, rel)
    except Refused as refused:
        return Findings((refused.problem,))
    except OSError as ex:
        return Findings((error(Source(rel), "guard.unreadable", why=str(ex.strerror or ex)),))


@contextmanager
def zipped(path: Path, rel: str, expect: str) -> Iterator[tuple[list[zipfile.ZipInfo], dict[str, zipfile.ZipInfo],
                                                                 "_Unpacker"]]:
    """A zipped workbook (.xlsx, .xlsm, .ods, .xlsb) opened for the checks: its parts, checked
    against the format (`_directory`), by name, and the unpacker that inflates them with limits.
    A damaged zip or a directory that does not fit is refused (`Refused`)."""
    try:
        zf = zipfile.ZipFile(path)
    except Exception:  # zipfile reports a damaged directory in many ways
        raise Refused(error(Source(rel), "guard.damaged_zip_xlsx" if expect == "xlsx" else "guard.damaged_zip",
                            "guard.damaged_zip/hint")) from None
    with zf, path.open("rb") as fh:
        infos = zf.infolist()
        wrong = _directory(infos, Source(rel), expect)
        if wrong:
            raise Refused(wrong)
        yield infos, _entries(infos), _Unpacker(fh, rel)


def _inspect(path: Path, rel: str) -> Findings:
    where = Source(rel)
    with zipped(path, rel, "xlsx") as (infos, entries, unpacker):
        if sum(i.file_size for i in infos) <= KEPT:
            unpacker.kept = {}
        book = _workbook(unpacker, entries)
        # sheets by part; any other part under xl/worksheets/ gets the same scan, unnamed
        sheets = {i.filename.lower(): "" for i in infos if i.filename.lower().startswith("xl/worksheets/")
                  and i.filename.lower().endswith(".xml")} | {p.lower(): s.name for s in book.sheets for p in s.parts}
        problems: list[Problem] = []
        formulas = 0
        errors: list[tuple[str, int, int, str]] = []
        plain: set[str] = set()
        for info in infos:
            # a part may be both (a crafted polyglot): then it gets both checks
            name = info.filename.lower()
            if name == "xl/sharedstrings.xml":
                problems += _shared_strings(unpacker, info, where)
            if name in sheets:
                where_ = Source(rel, sheets[name] or info.filename)
                extent = _scan_sheet(unpacker, info)
                problems += extent.problems(where_, info.file_size, book.recalc)
                formulas += extent.formulas[0]
                if sheets[name]:
                    errors += [(sheets[name], row, column, text) for (row, column), text in extent.errors]
                    if extent.plain:
                        plain.add(sheets[name])
            elif name not in ("xl/sharedstrings.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
                for _ in unpacker.chunks(info):  # the workbook's own parts were read by `_workbook`
                    pass
        kept = unpacker.kept or {}
        parts = tuple((i.filename, b"".join(kept[i.filename])) for i in infos) if len(kept) == len(infos) else ()
        return Findings(tuple(problems), formulas, book, tuple(errors), parts, frozenset(plain))


def _not_a_zip(path: Path, where: Source, kind: str = "xlsx") -> Problem | None:
    """Whether the first bytes are the container its extension promises: a zip, or for
    .xls an OLE compound file."""
    with path.open("rb") as fh:
        head = fh.read(512)
    name = path.suffix.lower() or ".xlsx"
    if head.startswith(b"PK"):  # zipfile tells a sound zip from a damaged one
        return None if kind != "xls" else error(where, "guard.zip_named_xls")
    if not head:
        return error(where, "guard.empty")
    if head.startswith(_OLE):  # a compound file: Excel 97-2003, or any Office file with a password
        if _holds(path, "EncryptedPackage".encode("utf-16-le")):
            return error(where, "guard.password")
        return None if kind == "xls" else error(where, "guard.xls_named", name=name)
    if head.startswith(b"%PDF"):
        return error(where, "guard.pdf")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return error(where, "guard.html", name=name)
    return error(where, "guard.text")


def _holds(path: Path, needle: bytes) -> bool:
    with path.open("rb") as fh:
        tail = b""
        while block := fh.read(_READ):
            if needle in tail + block:
                return True
            tail = block[-len(needle):]
    return False


_MARKS = {"xlsx": "xl/workbook.xml", "xlsb": "xl/workbook.bin", "ods": "content.xml"}


def _directory(infos: list[zipfile.ZipInfo], where: Source, expect: str = "xlsx") -> Problem | None:
    """What the zip directory alone tells, before a byte is unpacked."""
    names = {i.filename.lower() for i in infos}
    if _MARKS[expect] not in names:
        found = next((k for k, mark in _MARKS.items() if mark in names), None)
        if found:
            extension = ".xlsx" if found == "xlsx" else f".{found}"
            return error(where, "guard.other_format", found=_NAMED[found], expected=_NAMED[expect],
                         extension=extension)
        return error(where, "guard.word" if "word/document.xml" in names else "guard.zip")
    if len(infos) > MAX_ENTRIES:
        return error(where, "guard.parts", ASK, parts=Number(len(infos)), most=Number(MAX_ENTRIES))
    if len(names) < len(infos):  # calamine takes the first of two same-named parts, other tools the last
        return error(where, "guard.part_twice", RESAVE)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        return error(where, "guard.unpacked_size", size=Number(round(Decimal(total) / 2**30, 1), 1))
    for i in infos:
        if i.flag_bits & 1 or i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return error(where, "guard.part", RESAVE, part=i.filename, why=said("guard.part_packing"))
        if i.file_size > RATIO_FROM and i.file_size > MAX_RATIO * i.compress_size:
            return error(where, "guard.part", ASK, part=i.filename,
                         why=said("guard.part_bomb", ratio=Number(i.file_size // max(i.compress_size, 1))))
    return None


def _entries(infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """Parts by lower-case name: calamine looks names up ignoring case."""
    return {i.filename.lower(): i for i in reversed(infos)}  # the first wins, as in calamine


class _Unpacker:
    """Streams the parts of one zip, counting the bytes they really hold.

    zipfile's own reader stops at the size the directory declares, so a part that lies
    about its size would look small to it and still unpack in full in calamine. This
    reader inflates the stored bytes itself and refuses a part that yields more.
    """

    def __init__(self, fh, rel: str):
        self.fh = fh
        self.rel = rel
        # Each part's chunks as they were inflated, by name, when the caller keeps them
        # (`_inspect`, for the reader); None: nothing is kept.
        self.kept: dict[str, list[bytes]] | None = None

    def chunks(self, info: zipfile.ZipInfo, xml: bool = False) -> Iterator[bytes]:
        """The part's bytes, a few MB at a time, refused on the first sign of an attack.
        `xml` for parts read as XML whatever their name (a sheet's name is the file's choice)."""
        xml = xml or info.filename.lower().endswith((".xml", ".rels"))
        size, tail = 0, b""
        kept = None
        if self.kept is not None:  # a second pass over a part (the exact scan) keeps it anew
            kept = self.kept[info.filename] = []
        try:
            for chunk in self._inflate(info):
                size += len(chunk)
                if size > info.file_size:
                    self._refuse(info, said("guard.part_over"), ASK)
                if xml and size == len(chunk):
                    body = chunk.removeprefix(b"\xef\xbb\xbf")
                    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:4]:
                        # our scans read ASCII; a UTF-16 part would hide from them
                        self._refuse(info, said("guard.part_not_utf8"), RESAVE)
                if (b"!" in chunk or b"!" in tail) and (_DTD.search(chunk) or _DTD.search(tail + chunk[:32])):
                    self._refuse(info, said("guard.part_doctype"), ASK)
                tail = chunk[-32:]
                if kept is not None:
                    kept.append(chunk)
                yield chunk
        except isal_zlib.error:
            self._refuse(info, said("guard.part_damaged"), RESAVE)
        if size < info.file_size:
            self._refuse(info, said("guard.part_short"), "guard.copy_again")

    def _inflate(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        fh = self.fh
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) < 30 or not head.startswith(b"PK\x03\x04"):
            self._refuse(info, said("guard.part_damaged"), RESAVE)
        fh.seek(info.header_offset + 30 + int.from_bytes(head[26:28], "little")
                + int.from_bytes(head[28:30], "little"))
        # ISA-L inflates a sheet in about 40% of zlib's time; same interface
        inflater = isal_zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        left = info.compress_size
        while left > 0 and not (inflater and inflater.eof):
            data = fh.read(min(_READ, left))
            if not data:
                break
            left -= len(data)
            while data:
                out = inflater.decompress(data, _CHUNK) if inflater else data
                data = inflater.unconsumed_tail if inflater else b""
                if out:
                    yield out
        while inflater and not inflater.eof and (out := inflater.decompress(b"", _CHUNK)):
            yield out  # output the inflater held back for want of room, though the input is all read
        if inflater and not inflater.eof:
            self._refuse(info, said("guard.part_short"), "guard.copy_again")

    def _refuse(self, info: zipfile.ZipInfo, why: Said, hint: str):
        raise Refused(error(Source(self.rel), "guard.part", hint, part=info.filename, why=why))

    def read(self, info: zipfile.ZipInfo) -> bytes:
        if info.file_size > _SMALL:
            self._refuse(info, said("guard.part_size", size=Number(info.file_size)), RESAVE)
        return b"".join(self.chunks(info, xml=True))


def _attrs(tag: bytes) -> dict[str, str]:
    """A start tag's attributes by name as written (calamine compares whole names, so
    `r:id` and `id` differ), entities resolved."""
    return {key.decode("ascii", "replace"): html.unescape((a + b).decode("utf-8", "replace"))
            for key, a, b in _ATTR.findall(tag)}


def _workbook(unpacker: _Unpacker, entries: dict[str, zipfile.ZipInfo]) -> Workbook:
    info = entries.get("xl/workbook.xml")
    if info is None:
        return Workbook()
    text = unpacker.read(info)
    rels = entries.get("xl/_rels/workbook.xml.rels")
    targets = {a.get("Id"): a.get("Target", "") for a in map(_attrs, _RELATIONSHIP.findall(
        unpacker.read(rels) if rels else b""))}
    sheets = []
    for a in map(_attrs, _SHEET.findall(text)):
        found = [targets[v] for k, v in a.items() if k.rpartition(":")[2] == "id" and v in targets]
        parts = {p for t in found for p in (  # calamine: "/xl/x" and "xl/x" as they are, else under xl/
            t[1:] if t.startswith("/xl/") else t if t.startswith("xl/") else "xl/" + t,
            t[1:] if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t)))}
        sheets.append(Sheet(a.get("name", ""), a.get("state", "visible"), tuple(sorted(parts))))
    flags = [_attrs(m[0]) if m else {} for m in (_WORKBOOK_PR.search(text), _CALC_PR.search(text))]
    return Workbook(tuple(sheets), flags[0].get("date1904", "").strip() in _TRUE,
                    flags[1].get("fullCalcOnLoad", "").strip() in _TRUE)


def _shared_strings(unpacker: _Unpacker, info: zipfile.ZipInfo, where: Source) -> list[Problem]:
    """calamine reserves room for `uniqueCount` strings before reading one: refuse a
    count the part's real size cannot hold (`count` it ignores: measured)."""
    head, size = b"", 0
    for chunk in unpacker.chunks(info, xml=True):
        if len(head) < _HEAD:
            head += chunk[:_HEAD - len(head)]
        size += len(chunk)
    if not size:
        return []
    found = _SST.search(head)
    if not found:
        return [error(where, "guard.part", RESAVE, part=info.filename, why=said("guard.part_no_sst"))]
    declared = _attrs(found[0]).get("uniqueCount", "").strip()
    if declared.isdigit() and int(declared) * SI_BYTES > size:
        return [error(where, "guard.part", ASK, part=info.filename,
                      why=said("guard.part_sst", texts=Number(int(declared)), size=Number(size)))]
    return []


def _aligned(chunks: Iterator[bytes]) -> Iterator[memoryview]:
    """The chunks cut before the last cell (or tag) that may continue in the next one;
    the last chunk whole."""
    carry = b""
    chunk = next(chunks, None)
    while chunk is not None:
        data = carry + chunk if carry else chunk
        chunk = next(chunks, None)
        if chunk is None:
            yield memoryview(data)
            return
        cut = data.rfind(b"<c", max(0, len(data) - 65536))
        if cut <= 0:
            cut = data.rfind(b"<")
        if cut <= 0:
            cut = len(data)
        yield memoryview(data)[:cut]
        carry = data[cut:]
    if carry:
        yield memoryview(carry)


def _ahead(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The same chunks, the next one inflated in a thread while the caller scans this
    one: inflating and polars both release the GIL, so the two overlap on a big sheet."""
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(next, chunks, None)
        while (chunk := pending.result()) is not None:
            pending = pool.submit(next, chunks, None)
            yield chunk


def _position(ref: bytes | str) -> tuple[int, int] | None:
    """(row, column), both 0-based, of a cell reference as calamine reads it (xfd1 too)."""
    found = _REF.fullmatch(ref.decode("latin-1") if isinstance(ref, bytes) else ref)
    if not found or int(found[2]) == 0:
        return None
    column = 0
    for letter in found[1].upper():
        column = column * 26 + ord(letter) - 64
    return int(found[2]) - 1, column - 1


class _Extent:
    """What a sheet's cells cost calamine: the value cells lowest down and farthest
    right, bounds for cells not looked at one by one, and formulas without values."""

    def __init__(self, rows: int = 0, columns: int = 0):
        self.floor = (rows, columns)  # the fast scan's bound for plain A1..Z99999 cells
        self.low: tuple[int, int] | None = None
        self.right: tuple[int, int] | None = None
        self.bad = ""
        self.formulas = [0, 0]  # formula cells, those without a value
        self.shown: tuple[list, list] = ([], [])  # the first few of each
        self.errors: list[tuple[tuple[int, int], str]] = []  # cells holding an error value, and it
        self.plain = False  # the fast scan read it: every cell placed by a plain r=, no prefixed tags

    def value(self, at: tuple[int, int]):
        self.lowest(at)
        self.rightmost(at)

    def lowest(self, at: tuple[int, int]):
        if self.low is None or at[0] > self.low[0]:
            self.low = at

    def rightmost(self, at: tuple[int, int]):
        if self.right is None or at[1] > self.right[1]:
            self.right = at

    def formula(self, count: int, missing: int, cells: list, missing_cells: list):
        for i, (n, more) in enumerate(((count, cells), (missing, missing_cells))):
            self.formulas[i] += n
            self.shown[i].extend(more[:SHOWN - len(self.shown[i])])

    def problems(self, where: Source, size: int, recalc: bool) -> list[Problem]:
        def at(cell: tuple[int, int]) -> Source:
            return Source(where.file, where.sheet, cell[0] + 1, cell[1])

        def names(cells: list[tuple[int, int]], count: int) -> Said:
            return said("guard.cells", cells=", ".join(at(c).cell() for c in cells),
                        more=said("guard.more", count=Number(count - len(cells))) if count > len(cells) else "")

        problems = []
        if self.bad:
            problems.append(error(where, "guard.bad_address", RESAVE, address=self.bad))
        rows = self.low[0] + 1 if self.low else 0
        columns = self.right[1] + 1 if self.right else 0
        far = (self.right, said("guard.columns", count=Number(columns))) if columns > MAX_COLUMNS else \
            (self.low, said("guard.rows", count=Number(rows))) \
            if rows > EXCEL_ROWS or rows > SPARSE_FROM and rows * ROW_BYTES > size else None
        if far:
            problems.append(error(at(far[0]), "guard.far", ref=at(far[0]).cell(), extent=far[1]))
        elif max(rows, self.floor[0]) * max(columns, self.floor[1]) > MAX_CELLS:
            # only both exact can get here: 99,999 × 200 and 1,048,576 × 26 are within bounds
            problems.append(error(where, "guard.too_big", rows=Number(rows), columns=Number(columns),
                                  most=Number(MAX_CELLS)))
        (formulas, missing), (cells, missing_cells) = self.formulas, self.shown
        if missing:
            problems.append(error(at(missing_cells[0]), "guard.uncalculated", RECALC, count=Number(missing),
                                  cells=names(missing_cells, missing)))
        elif formulas and recalc:
            problems.append(error(at(cells[0]), "guard.never_calculated", RECALC, count=Number(formulas),
                                  cells=names(cells, formulas)))
        return problems


def _scan_sheet(unpacker: _Unpacker, info: zipfile.ZipInfo) -> _Extent:
    chunks = unpacker.chunks(info, xml=True)
    # one chunk has nothing to overlap with: a thread would only cost its start
    extent = _fast(_aligned(_ahead(chunks) if info.file_size > _CHUNK else chunks))
    if extent is None:  # cells placed without an address, or prefixed tags: follow calamine step by step
        return _exact(_aligned(unpacker.chunks(info, xml=True)))
    extent.plain = True
    return extent


_PARTS = r'^<c r="(?<ref>(?<letters>[A-Za-z]*)(?<digits>[0-9]*)[^"]*)"'


def _unusual(piece: memoryview) -> pl.DataFrame | None:
    """The unusual cells of a piece of sheet XML: `odd` for tags the fast scan cannot
    place, else the cell's reference, `row` and an ordering `key` for its column,
    whether it is a formula and whether it holds a value. Done in polars, as a tall
    sheet has a match in every row past 99,999."""
    text = pl.Series("m", [str(piece, "utf-8", "replace")])
    if not text.str.contains(_UNUSUAL).item():  # most sheets: one pass that captures nothing
        return None
    found = text.str.extract_all(_UNUSUAL).explode().drop_nulls()
    m, letters, digits = pl.col("m"), pl.col("letters"), pl.col("digits")
    formula = m.str.contains("<f", literal=True)
    return (found.to_frame().with_columns(m.str.extract_groups(_PARTS).alias("parts")).unnest("parts")
            .select(odd=~m.str.starts_with('<c r="'), ref="ref",
                    bad=(pl.col("ref").str.len_bytes() != letters.str.len_bytes() + digits.str.len_bytes())
                    | (letters == "") | (digits.str.strip_chars("0") == ""),
                    row=pl.when(digits.str.len_bytes() > 9).then(10**9).otherwise(digits.cast(pl.Int64, strict=False)),
                    key=pl.when(letters.str.len_bytes() > 3).then(10**9)  # AA after Z, as in Excel
                    .otherwise(letters.str.len_bytes() * 36**3 + letters.str.to_integer(base=36, strict=False)),
                    formula=formula,
                    valued=pl.when(formula)
                    .then(m.str.ends_with("<v") | m.str.ends_with("</v>")
                          | m.str.contains(r'\st="str"') & ~m.str.ends_with("</c>"))
                    .otherwise(~(m.str.ends_with("/>") | m.str.ends_with("</"))),
                    error=m.str.extract(r'<v>\s*(#[^<]*?)\s*</v>$')))


def _fast(pieces: Iterator[memoryview]) -> _Extent | None:
    """Positions from the unusual cells alone; None when they need the exact scan."""
    extent = _Extent(99_999, 26)
    for piece in pieces:
        cells = _unusual(piece)
        if cells is None:
            continue
        if cells["odd"].any():
            return None
        if cells["bad"].any():
            extent.bad = cells.filter("bad")["ref"][0]
            cells = cells.filter(~pl.col("bad"))
        placed = cells.filter("valued")
        if placed.height:
            # each the first in the sheet's order, as the exact scan finds them
            extent.lowest(_position(placed["ref"][placed["row"].arg_max()]))
            extent.rightmost(_position(placed["ref"][placed["key"].arg_max()]))
        for ref, text in cells.filter(pl.col("error").is_not_null()).select("ref", "error").iter_rows():
            extent.errors.append((_position(ref), html.unescape(text)))
        formulas = cells.filter("formula")
        missing = formulas.filter(~pl.col("valued"))
        extent.formula(formulas.height, missing.height,
                       *([_position(r) for r in f["ref"].head(SHOWN)] for f in (formulas, missing)))
    return extent


def _exact(pieces: Iterator[memoryview]) -> _Extent:
    """Every row and cell tag, positioned as calamine does: by `r=` where given, else one
    past the previous cell (or row)."""
    extent = _Extent()
    row = column = 0
    cell = None  # [position, is a text formula, has a formula, has a value]
    for piece in pieces:
        for match in _CELL_TAG.finditer(piece):
            close, name, attrs, empty = match.groups()
            start, end = not close, bool(close or empty)
            given = {key: a + b for key, a, b in _ATTR.findall(attrs)} if start else {}
            if name == b"row":
                number = _ROWNUM.fullmatch(given.get(b"r", b""))
                if number and int(number[1]):
                    row = int(number[1]) - 1
                if end:
                    row, column = row + 1, 0
            elif name == b"c":
                if start:
                    at = _position(given[b"r"]) if b"r" in given else (row, column)
                    if at is None:
                        extent.bad = given[b"r"].decode("latin-1")
                        at = (row, column)
                    cell = [at, given.get(b"t") == b"str", False, False, given.get(b"t") == b"e"]
                    column = at[1] + 1
                if end and cell:
                    at, _, formula, valued = cell[:4]
                    if formula:
                        extent.formula(1, not valued, [at], [] if valued else [at])
                    if valued:
                        extent.value(at)
                    cell = None
            elif cell and start:
                if name == b"f":
                    cell[2] = True
                elif not empty and piece[match.end():match.end() + 2] != b"</" or cell[1]:
                    cell[3] = True  # a <v> or <is> with content (an empty text formula result counts)
                    if cell[4] and name == b"v":
                        text = bytes(piece[match.end():match.end() + 64]).partition(b"<")[0].strip()
                        extent.errors.append((cell[0], html.unescape(text.decode("utf-8", "replace"))))
    return extent
