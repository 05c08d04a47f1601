"""The guard on the hostile corpus: every broken or crafted file is refused before a
parser sees it, with where the trouble is and what to do; sound files pass."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys

import fastexcel
import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, example, given, settings, strategies as st

from incentives import pipeline, schema
from incentives.periods import parse_period
from incentives.problems import Problem, Source, column_letter
from incentives.read import guard
from incentives.read.table import read_raw
from incentives.read.workbook import open_book, open_checked
from tests.builders import line, make_inputs

# file, where the first error points (after the file), what it says, what to do
REFUSED = [
    ("empty.xlsx", "", "is empty", "replace it"),
    ("csv.xlsx", "", "looks like CSV", "save it as .xlsx"),
    ("web.xlsx", "", "web page", "save it as .xlsx"),
    ("old.xlsx", "", "Excel 97-2003 workbook (.xls)", "save it as .xlsx"),
    ("encrypted.xlsx", "", "protected with a password", "remove the password"),
    ("truncated.xlsx", "", "is damaged", "copy or download it again"),
    ("no_workbook.xlsx", "", "not an Excel workbook", "save it as .xlsx"),
    ("word.xlsx", "", "Word document", "save it as .xlsx"),
    ("too_many_parts.xlsx", "", "holds 10,011 parts", "ask the sender"),
    ("twice.xlsx", "", "a part appears twice", "save it again"),
    ("bzip2.xlsx", "", "packed in a way Excel does not use", "save it again"),
    ("declares_2gib.xlsx", "", "would unpack to 2.0 GiB", "split the data"),
    ("ratio_bomb.xlsx", "", "sheet1.xml is packed 411:1: a decompression bomb", "ask the sender"),
    ("size_lie.xlsx", "", "sheet1.xml unpacks to more than the zip directory declares", "ask the sender"),
    ("corrupt_part.xlsx", "", "sheet1.xml is cut short", "copy or download it again"),
    ("laughs.xlsx", "", "sheet1.xml declares a DOCTYPE or ENTITY", "ask the sender"),
    ("xxe.xlsx", "", "xl/workbook.xml declares a DOCTYPE or ENTITY", "ask the sender"),
    ("utf16.xlsx", "", "sheet1.xml is not UTF-8 text", "save it again"),
    ("sst_bomb.xlsx", "", "xl/sharedStrings.xml claims 1,000,000,000,000 different texts in 850 bytes",
     "ask the sender"),
    ("sst_bomb_hidden.xlsx", "", "claims 1,000,000,000,000 different texts", "ask the sender"),
    ("far_column.xlsx", "Sales!XFD2000", "cell XFD2000 is far from the data: the sheet would be read as "
                                         "16,384 columns", "delete what is in XFD2000"),
    ("far_row.xlsx", "Sales!D1000000", "cell D1000000 is far from the data: the sheet would be read as "
                                       "1,000,000 rows", "delete what is in D1000000"),
    ("lowercase_ref.xlsx", "Sales!XFD2", "cell XFD2 is far from the data", "delete what is in XFD2"),
    ("prefixed.xlsx", "Sales!XFD1", "cell XFD1 is far from the data", "delete what is in XFD1"),
    ("addressless.xlsx", "Sales!KS1", "cell KS1 is far from the data: the sheet would be read as 305 columns",
     "delete what is in KS1"),
    ("quoted_address.xlsx", "Sales!XFD2", "cell XFD2 is far from the data", "delete what is in XFD2"),
    ("moved_sheet.xlsx", "Sales!XFD2000", "cell XFD2000 is far from the data", "delete what is in XFD2000"),
    ("formulas_missing.xlsx", "Sales!F2", "20 formula cell(s) have no calculated value: F2, F3, F4, F5, F6 "
                                          "and 15 more", "open it in Excel and save it"),
    ("formulas_uncalculated.xlsx", "Sales!F2", "20 formula cell(s) hold values Excel never calculated: F2, F3",
     "open it in Excel and save it"),
]
SOUND = ["sound.xlsx", "date1904.xlsx", "sound_sheets.xlsx", "tall.xlsx"]


@pytest.mark.parametrize("name, where, says, fix", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_with_place_and_remedy(corpus, name, where, says, fix):
    rel = f"sales/{name}"
    problems = list(guard.examine(corpus[name], rel).problems)
    first = problems[0]
    assert first.is_error
    assert str(first.source) == rel + (f":{where}" if where else "")
    assert says in first.message
    assert fix in first.hint
    if first.hinted.key == guard.RECALC:
        # Formulas without values keep only their sheet from being read, when calc reads it.
        book, rest = open_checked(corpus[name], rel)
        assert (book.formulas, rest) == (tuple(problems), [])
        assert read_raw(book, schema.SALES) == (None, problems)
        return
    assert open_checked(corpus[name], rel) == (None, problems)
    assert open_book(corpus[name], rel) == first


def test_formulas_in_a_sheet_calc_does_not_read_are_a_note(tmp_path):
    folder = make_inputs(tmp_path, {"a.xlsx": [line("A", "2026-07-01", 100)]})
    book = openpyxl.load_workbook(folder / "sales" / "a.xlsx")
    book.create_sheet("Workings")["A1"] = "=1+1"  # openpyxl saves no calculated value
    book.save(folder / "sales" / "a.xlsx")
    checked = pipeline.check(folder, parse_period("2026Q3"))
    assert checked.ok
    assert [str(p) for p in checked.problems] == [
        "sales/a.xlsx:Workings!A1: 1 formula cell(s) have no calculated value: A1; calc does not read this "
        "sheet, so they do no harm"]


@pytest.mark.parametrize("name", SOUND)
def test_sound_files_pass(corpus, name):
    assert guard.examine(corpus[name], name).problems == ()
    book, problems = open_checked(corpus[name], name)
    assert problems == [] and book is not None
    assert all(book.grid(sheet).frame.height for sheet in book.sheets if sheet not in book.hidden)


def test_shared_strings_bomb_never_reaches_fastexcel(corpus):
    # Run here, in the test process: had fastexcel opened the file, the run would abort.
    book, problems = open_checked(corpus["sst_bomb.xlsx"], "sst_bomb.xlsx")
    assert book is None and "different texts" in problems[0].message
    assert isinstance(open_book(corpus["sst_bomb.xlsx"], "sst_bomb.xlsx"), Problem)


def test_bare_fastexcel_aborts_on_the_shared_strings_bomb(corpus):
    """Why the check exists (fastexcel 0.21). In a child whose address space is capped,
    so the allocation fails the same way on any machine."""
    code = ("import resource, sys, fastexcel; resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30)); "
            "fastexcel.read_excel(sys.argv[1])")
    child = subprocess.run([sys.executable, "-c", code, str(corpus["sst_bomb.xlsx"])], capture_output=True,
                           timeout=120)
    assert child.returncode == -signal.SIGABRT, "fastexcel no longer aborts: the guard's check could be relaxed"
    assert b"memory allocation of 24000000000000 bytes failed" in child.stderr


def test_1904_dates(corpus):
    assert guard.examine(corpus["date1904.xlsx"], "a").book.date1904
    assert not any(guard.examine(corpus[name], name).book.date1904 for name in ("sound.xlsx", "csv.xlsx"))
    book, plain = open_book(corpus["date1904.xlsx"], "a"), open_book(corpus["sound.xlsx"], "b")
    assert book.date1904 and not plain.date1904
    # calamine converts cells formatted as dates itself: both read 2024-03-02
    assert book.grid("Sales").frame[1, 0] == plain.grid("Sales").frame[1, 0] == "2024-03-02 00:00:00"


def test_sheet_states_come_from_the_workbook_part(corpus):
    path = corpus["sound_sheets.xlsx"]
    book = open_book(path, "s.xlsx")
    assert book.sheets == ("Продажи", "Wide", "Notes") and book.hidden == ("Notes",)
    reader = fastexcel.read_excel(path)
    assert book.hidden == tuple(n for n in reader.sheet_names if reader.load_sheet(n, n_rows=0).visible != "visible")


def test_a_dense_sheet_too_big_to_read():
    extent = guard._Extent()
    extent.value((199_999, 159))  # FD200000 in a sheet big enough to hold 200,000 full rows
    [problem] = extent.problems(Source("big.xlsx", "Sales"), size=1 << 30, recalc=False)
    assert str(problem).startswith("big.xlsx:Sales: is too big to read: 200,000 rows × 160 columns")


CELLS = st.lists(st.tuples(st.integers(0, 1_100_000), st.integers(0, 300), st.sampled_from(["v", "", "f", "fv"])),
                 max_size=40)


def _sheet(cells: list[tuple[int, int, str]]) -> bytes:
    body = {"v": "<v>1</v>", "": "", "f": "<f>1+1</f>", "fv": "<f>1+1</f><v>2</v>"}
    xml = "".join(f'<row r="{r + 1}"><c r="{column_letter(c)}{r + 1}"' + (f">{body[k]}</c>" if k else "/>") + "</row>"
                  for r, c, k in cells)
    return f"<worksheet><sheetData>{xml}</sheetData></worksheet>".encode()


@given(CELLS)
@example([(0, 200, "v"), (1, 200, "v")])  # two cells farthest right: the first one is named
def test_fast_scan_agrees_with_the_exact_one(cells):
    xml = _sheet(cells)
    where = Source("f.xlsx", "S")
    fast = guard._fast(guard._aligned(iter([xml[:len(xml) // 2], xml[len(xml) // 2:]])))
    exact = guard._exact(guard._aligned(iter([xml])))
    assert fast.problems(where, len(xml), True) == exact.problems(where, len(xml), True)


TABLES = st.lists(st.lists(st.one_of(st.none(), st.text(max_size=12), st.floats(allow_nan=False, allow_infinity=False),
                                     st.dates(dt.date(1950, 1, 1), dt.date(2100, 1, 1))), min_size=1, max_size=30),
                  min_size=1, max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TABLES, st.booleans())
def test_any_table_written_by_xlsxwriter_passes(tmp_path, rows, date1904):
    path = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(path, {"date_1904": date1904, "strings_to_formulas": False})
    sheet, day = book.add_worksheet("Data"), book.add_format({"num_format": "dd.mm.yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value, day if isinstance(value, dt.date) else None)
    book.close()
    found = guard.examine(path, "t.xlsx")
    assert found.problems == () and found.book.date1904 == date1904
