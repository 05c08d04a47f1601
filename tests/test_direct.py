"""Statements written by `direct.Book` are the bytes xlsxwriter writes for the same layout.

Each run here writes its statements twice: as calc does (`direct.Book`), and with an
xlsxwriter workbook (`xlsx.workbook()`) given to the same layout code. The files must be
equal byte for byte, over what a statement can hold: both languages, grades with their data
bars, tier spans, incremental slices, bonuses, claw-backs carried, excluded lines by reason,
lines continued on `Lines (2)`, and text that XML, Excel or xlsxwriter treat apart.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentives import pipeline
from incentives.periods import parse_period
from incentives.write import statement_book
from incentives.write.direct import Book
from incentives.write.xlsx import SafeBook, workbook
from incentives.write.xlsx import parts as xlsx_parts
from tests.builders import line, make_inputs, partner, written_statements

# What XML escapes, what xlsxwriter writes as _xHHHH_ (and its escape of that), what Excel
# would read as rich text, spaces that must be kept, characters XML does not allow, a
# formula, a text longer than a cell holds.
ODD = ["A & B <c> \"d\"", "tab\there", "line\r\nbreak", "_x0041_ literal", "<r>&</r>", "  spaced  ",
       "bell\x07 and \x1f", "=SUM(A1:A9)", "é" * 40_000, "Партнёр «Ромашка»"]


def both(tmp_path, outcome, monkeypatch, **options):
    """The statements of `outcome` written by calc and with xlsxwriter workbooks: (path, bytes, bytes) each."""
    ours = written_statements(tmp_path / "direct", outcome, **options)
    books = []

    def xlsxwriter_book():
        books.append(workbook())
        return books[-1]
    with monkeypatch.context() as m:
        m.setattr(statement_book, "Book", xlsxwriter_book)
        theirs = written_statements(tmp_path / "xlsxwriter", outcome, **options)
    # the second writer was xlsxwriter's, once a statement: the comparison is not of calc with itself
    assert len(books) == len(theirs) and all(isinstance(b, SafeBook) for b in books)
    assert [p.name for p in ours] == [p.name for p in theirs]
    return [(p.name, p.read_bytes(), q.read_bytes()) for p, q in zip(ours, theirs)]


def same(pairs) -> list[str]:
    """The names of the statements whose two files differ."""
    return [name for name, a, b in pairs if a != b]


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """A run whose statements hold most of what a statement can: two languages, a grade and the band
    to reach (two data bars), a tier changed during the year, a bonus, a claw-back carried, lines
    excluded for several reasons, and odd text in names and lines."""
    folder = tmp_path_factory.mktemp("direct")
    sales = {"a.xlsx": [
        line("L1", "2026-02-10", 800000, customer_name=ODD[0]), line("L2", "2026-05-10", 400000),
        line("L3", "2026-08-10", 600000, customer_name=ODD[1], product_sku=ODD[7]),
        line("CN", "2026-09-10", -100000, original_invoice_date=dt.date(2026, 5, 10)),
        line("DEMO", "2026-08-11", 10, product_sku="DEMO"),
        *(line(f"R{i}", "2026-07-0" + str(1 + i % 9), 1000 + i, pid="P2", customer_name=ODD[i % len(ODD)])
          for i in range(25)),
        line("OUT", "2026-10-01", 400, pid="P2"), line("X", "2026-07-01", 5, pid="NOPE"),
        line("C1", "2026-04-10", 3500000, pid="P3"), line("C2", "2026-08-10", -1000000, pid="P3"),
        line("LONG", "2026-07-01", 100, pid="P4"),
    ]}
    bonus = {"name": "Best & partner", "scope": "country", "metric": "eligible_base", "period": "quarter",
             "winners": 1, "award": "fixed", "amount": 10000, "min_base": 0}
    inputs = make_inputs(
        folder / "in", sales,
        partners=[partner("P1", tier="Gold", partner_name=ODD[4]), partner("P2", tier="Silver", language="ru",
                                                                           partner_name=ODD[9]),
                  partner("P3", tier="Silver", partner_name="  bell\x07 _x0041_ \r\n end  "),
                  partner("P4", tier="Silver", partner_name=ODD[8])],
        program={"name": "Program & <Partners>", "unit": "KZT", "clawback": "carry_forward"},
        bands=[("Silver", 0, "0.05"), ("Silver", 1000000, "0.06"), ("Gold", 0, "0.08"), ("Gold", 1500000, "0.10")],
        tiers=[("Silver", 1, 5000000, 8000000, 9000000), ("Gold", 2)],
        tier_history=[("P1", "Silver", "2026-01-01"), ("P1", "Gold", "2026-07-01")],
        extra_program_sheets={"Exclusions": [{"field": "product_sku", "value": "DEMO"}], "Bonuses": [bonus]})
    outcome = pipeline.run(inputs, parse_period("2026Q3"), folder / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome


def test_statements_are_xlsxwriters_bytes(tmp_path, everything, monkeypatch):
    pairs = both(tmp_path, everything, monkeypatch)
    assert [name for name, _, _ in pairs] == ["P1.xlsx", "P2.xlsx", "P3.xlsx", "P4.xlsx"]
    assert same(pairs) == []


def test_lines_continued_on_more_sheets_are_xlsxwriters_bytes(tmp_path, everything, monkeypatch):
    pairs = both(tmp_path, everything, monkeypatch, sheet_rows=7)  # 4 lines a sheet: P2's 26 on 7 sheets
    assert parts(dict((n, a) for n, a, _ in pairs)["P2.xlsx"])[-1] == "xl/worksheets/sheet8.xml"
    assert same(pairs) == []


def test_the_sample_runs_statements_are_xlsxwriters_bytes(tmp_path, sample_run, monkeypatch):
    pairs = both(tmp_path, sample_run, monkeypatch)
    assert len(pairs) == 37 and same(pairs) == []


@pytest.mark.filterwarnings("ignore:Footer string cannot be longer", "ignore:Number of footer images")
@pytest.mark.parametrize("name", ["N" * 240, "Fast &Growth"], ids=["footer-too-long", "footer-picture-code"])
def test_a_footer_xlsxwriter_refuses_is_refused_alike(tmp_path, name, monkeypatch):
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", 100)]}, program={"name": name})
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    pairs = both(tmp_path, outcome, monkeypatch)
    assert same(pairs) == []
    # xlsxwriter writes no footer past 255 characters, nor one with &G (a picture's code): neither does calc
    with zipfile.ZipFile(io.BytesIO(pairs[0][1])) as z:
        assert b"<oddFooter>" not in z.read("xl/worksheets/sheet1.xml") + z.read("xl/worksheets/sheet2.xml")


def test_a_call_the_book_does_not_know_raises():
    sheet = Book().add_worksheet("S")
    with pytest.raises(NotImplementedError):
        sheet.conditional_format(0, 0, 0, 0, {"type": "cell", "criteria": ">", "value": 1})
    with pytest.raises(NotImplementedError):
        sheet.freeze_panes(0, 1)
    with pytest.raises(NotImplementedError):
        sheet.hide_gridlines(0)
    book = Book()
    book.add_worksheet("S").write_number(0, 0, 1.0)
    with pytest.raises(NotImplementedError):  # a workbook without text: xlsxwriter would write no shared strings
        book.parts()


def parts(data: bytes) -> list[str]:
    """The worksheets of a workbook's bytes, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sorted((n for n in z.namelist() if n.startswith("xl/worksheets/sheet")), key=lambda n: (len(n), n))


# ---------------------------------------------------------------- any sequence of the calls a Book knows

FORMATS = [{}, {"bold": True}, {"num_format": "#,##0.00"}, {"bold": True, "num_format": "0%"},
           {"text_wrap": True, "indent": 2}, {"num_format": "yyyy-mm-dd"}]
TEXT = st.one_of(st.sampled_from(["", " lead", "trail ", "a&b<c>", "_x0041_", "<r>x</r>", "x\ry", "\x07", "é" * 33000,
                                  "&G", "&[Picture]", "Page &P of &N"]),
                 st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12))
ROW, COL = st.integers(0, 40), st.integers(0, 20)
STYLE = st.none() | st.integers(0, len(FORMATS) - 1)
CALLS = st.one_of(
    st.tuples(st.just("write_string"), ROW, COL, TEXT, STYLE),
    st.tuples(st.just("write_number"), ROW, COL, st.floats(allow_nan=False, allow_infinity=False), STYLE),
    st.tuples(st.just("set_column"), COL, COL, st.sampled_from([0, 0.5, 8.43, 9, 15.5, 36, 50]), STYLE),
    st.tuples(st.just("set_row"), ROW, st.sampled_from([15, 30, 45.5])),
    st.tuples(st.just("set_footer"), TEXT),
    st.tuples(st.just("fit_to_pages"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.sampled_from(["print_across", "set_landscape", "set_portrait"])),
    st.tuples(st.just("set_paper"), st.sampled_from([0, 9])),
    st.tuples(st.just("hide_gridlines"), st.just(2)),
    st.tuples(st.just("freeze_panes"), st.integers(1, 3), st.just(0)),
    st.tuples(st.just("autofilter"), st.just(0), st.just(0), ROW, COL),
    st.tuples(st.just("repeat_rows"), st.just(0)),
    st.tuples(st.just("conditional_format"), ROW, COL, ROW, COL),
)
SHEETS = st.lists(st.lists(CALLS, max_size=25), min_size=1, max_size=3)


def lay_out(book, sheets) -> None:
    """The calls of `sheets`, one list a sheet, on `book`; the first sheet's first a text, as a statement's title."""
    styles = [book.add_format(f) for f in FORMATS]
    for k, calls in enumerate(sheets):
        sheet = book.add_worksheet("Statement" if k == 0 else f"Lines ({k + 1})" if k > 1 else "Lines")
        if k == 0:
            sheet.write_string(0, 0, "title")
        for name, *args in calls:
            if name in ("write_string", "write_number", "set_column") and args[-1] is not None:
                args[-1] = styles[args[-1]]
            elif name in ("write_string", "write_number", "set_column"):
                args = args[:-1]
            elif name == "conditional_format":
                args = [min(args[0], args[2]), min(args[1], args[3]), max(args[0], args[2]), max(args[1], args[3]),
                        {"type": "data_bar", "bar_color": "#63BE7B", "data_bar_2010": False,
                         "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1}]
            getattr(sheet, name)(*args)


@pytest.mark.filterwarnings("ignore:Footer string cannot be longer", "ignore:Number of footer images")
@settings(max_examples=150, deadline=None)
@given(SHEETS)
def test_any_calls_give_xlsxwriters_parts(sheets):
    theirs = workbook()
    lay_out(theirs, sheets)
    ours = Book()
    lay_out(ours, sheets)
    assert ours.parts() == xlsx_parts(theirs)
