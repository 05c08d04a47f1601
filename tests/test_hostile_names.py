"""Hostile names and text in the outputs: partner ids that are not portable file names are
refused with their cell; every output string is XML; a date Excel cannot hold is text; a
statement past a sheet's rows continues on the next Lines sheet."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import polars as pl
import pytest

from incentives import pipeline
from incentives.periods import parse_period
from incentives.tools.explain import explain, read_run
from incentives.validate import unsafe_file_name
from incentives.write.rows import Body, Column, body
from incentives.write.xlsx import close, workbook, write_table, write_value
from tests.builders import line, make_inputs, partner, written_statements


def well_formed(path: Path) -> None:
    """Every XML part of the workbook parses (expat refuses what XML 1.0 does not allow), and
    openpyxl opens every sheet."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(z.read(name))
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        list(sheet.iter_rows(values_only=True))


def run(tmp_path: Path, sales: dict, partners: list[dict]) -> pipeline.Outcome:
    folder = make_inputs(tmp_path / "in", sales, partners=partners)
    return pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")


# ---------------------------------------------------------------- partner ids as file names

REFUSED_IDS = [
    ("COM\u00b9", "is a reserved device name on Windows"),
    ("lpt\u00b2.txt", "is a reserved device name on Windows"),
    ("CONIN$", "is a reserved device name on Windows"),
    ("conout$.xlsx", "is a reserved device name on Windows"),
    ("NUL.pdf", "is a reserved device name on Windows"),
    ("Com0", "is a reserved device name on Windows"),
    ("com\u2079", "is a reserved device name on Windows"),
    ("AUX", "is a reserved device name on Windows"),
    ("A\x7fB", "holds U+007F, a control character"),
    ("A\x85B", "holds U+0085, a control character"),
    ("A\u202eB", "holds U+202E RIGHT-TO-LEFT OVERRIDE, a format character (bidi or zero-width)"),
    ("A\u200bB", "holds U+200B ZERO WIDTH SPACE, a format character (bidi or zero-width)"),
    ("A\ue000B", "holds U+E000, a private-use character"),
    ("P1.", "must not start or end with a dot or space"),
    ("中" * 34, "is 102 bytes in UTF-8, more than 100"),
]


@pytest.mark.parametrize("pid, says", REFUSED_IDS, ids=[
    "COM-superscript-1", "LPT-superscript-2-with-extension", "CONIN$", "CONOUT$-with-extension", "NUL-with-extension",
    "COM0", "COM-superscript-9", "AUX", "DEL", "C1-control", "bidi-override", "zero-width-space", "private-use", "trailing-dot",
    "34-chinese-characters"])
def test_an_id_that_is_no_portable_file_name_is_refused_at_its_cell(tmp_path, pid, says):
    outcome = run(tmp_path, {"a.xlsx": [line("A", "2026-07-01", 1, pid=pid)]}, [partner("P0"), partner(pid)])
    errors = [str(p) for p in outcome.problems if p.is_error]
    assert len(errors) == 1 and errors[0].startswith(f"partners.xlsx:Partners!A3: partner_id {pid!r} {says}")
    assert errors[0].endswith("(it names the partner's statement file: use letters, digits, - and _)")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("pid, says", [
    ("P1 ", "must not start or end with a dot or space"), ("CON .txt", "is a reserved device name on Windows"),
    ("", "is empty"), ("A\ufffeB", "holds U+FFFE, a noncharacter"), ("A\ufdd0B", "holds U+FDD0, a noncharacter"),
    ("A\ud800B", "holds U+D800, a lone surrogate"), ("a:b", "must not contain"),
], ids=["trailing-space", "reserved-before-space-and-extension", "empty", "U+FFFE", "U+FDD0", "lone-surrogate",
        "colon"])
def test_what_a_roster_cell_cannot_carry_is_refused_too(pid, says):
    """Ids the reader trims or cannot read from a workbook: the rule is asked directly."""
    assert unsafe_file_name(pid).startswith(says)


@pytest.mark.parametrize("pid", ["中" * 33, "COM10", "CONSOLE", "LPT", "Ω-1", "Café", "P.1", "1"],
                         ids=["99-bytes", "COM10", "CONSOLE", "LPT", "greek", "accent", "inner-dot", "digit"])
def test_portable_ids_pass(pid):
    assert unsafe_file_name(pid) is None


@pytest.mark.parametrize("first, second", [("ABC", "abc"), ("Caf\u00e9", "Cafe\u0301"), ("straße", "STRASSE")],
                         ids=["case", "nfc-and-nfd", "casefold"])
def test_two_ids_one_file_name_on_windows_and_macos(tmp_path, first, second):
    outcome = run(tmp_path, {"a.xlsx": [line("A", "2026-07-01", 1, pid=first)]}, [partner(first), partner(second)])
    assert [str(p) for p in outcome.problems if p.is_error] == [
        f"partners.xlsx:Partners!A3: partner_id {second!r} and {first!r} (partners.xlsx:Partners!A2) are one file "
        "name on Windows and macOS, which ignore case and Unicode normalization (give one of them another id: each "
        "names the partner's statement file)"]


def test_the_statement_file_name_is_the_nfc_form(tmp_path):
    nfd = "Cafe\u0301"
    outcome = run(tmp_path, {"a.xlsx": [line("A", "2026-07-01", 1000, pid=nfd)]}, [partner(nfd)])
    assert outcome.ok, [str(p) for p in outcome.problems]
    names = [p.name for p in (tmp_path / "out" / "statements").iterdir()]
    assert names == ["Caf\u00e9.xlsx"] and unicodedata.is_normalized("NFC", names[0])
    well_formed(tmp_path / "out" / "statements" / names[0])


def test_a_long_id_within_100_bytes_is_written(tmp_path):
    pid = "中" * 33  # 99 bytes; the statement's name is 104
    outcome = run(tmp_path, {"a.xlsx": [line("A", "2026-07-01", 1000, pid=pid)]}, [partner(pid)])
    assert outcome.ok, [str(p) for p in outcome.problems]
    well_formed(tmp_path / "out" / "statements" / f"{pid}.xlsx")


# ---------------------------------------------------------------- every string is XML

NOT_XML = "a\x00b\x01c\x08d\x0be\x0cf\x0eg\x1fh\ufffei\uffffj"
AS_XML = "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffdg\ufffdh\ufffdi\ufffdj"


def test_xlsxwriter_cells_header_and_footer_get_u_fffd(tmp_path):
    path = tmp_path / "w.xlsx"
    book = workbook(path)
    sheet = write_table(book, "T", ["text"], [[NOT_XML], ["lone \ud800 surrogate"], ["keep\ttab\nnewline\rcr"]])
    sheet.set_footer(f"&L{NOT_XML}")
    sheet.set_header(f"&C{NOT_XML}")
    book.close()
    well_formed(path)
    cells = [r[0] for r in openpyxl.load_workbook(path)["T"].iter_rows(min_row=2, values_only=True)]
    # openpyxl leaves xlsxwriter's _x000D_ for a carriage return as it is; Excel reads it back as one
    assert cells == [AS_XML, "lone \ufffd surrogate", "keep\ttab\nnewline_x000D_cr"]


def test_the_spliced_body_gets_u_fffd(tmp_path):
    frame = pl.DataFrame({"text": [NOT_XML, "keep\ttab\nnewline\rcr", "plain"]})
    book = workbook()
    write_table(book, "T", ["text"], [])
    rows = body(frame, (Column("text", "text"),), 2).str.join("").item().encode()
    close(book, tmp_path / "s.xlsx", Body(0, rows, last_row=4))
    well_formed(tmp_path / "s.xlsx")
    cells = [r[0] for r in openpyxl.load_workbook(tmp_path / "s.xlsx")["T"].iter_rows(min_row=2, values_only=True)]
    assert cells == [AS_XML, "keep\ttab\nnewline_x000D_cr", "plain"]


def test_a_run_with_xml_invalid_characters_in_names(tmp_path):
    """A file name and a partner name reach the audit, the ledger, the summary and the statement,
    through xlsxwriter and through the spliced bodies."""
    sales = {"a\ufffe\x01.xlsx": [line("A", "2026-07-01", 1000, customer_name="X"),
                                 line("B", "2026-07-01", 5, product_sku="DEMO")]}
    folder = make_inputs(tmp_path / "in", sales, partners=[partner("P1", partner_name="Name\x02")],
                         extra_program_sheets={"Exclusions": [{"field": "product_sku", "value": "DEMO"}]})
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    outputs = sorted((tmp_path / "out").rglob("*.xlsx"))
    assert len(outputs) == 4
    for path in outputs:
        well_formed(path)
    inputs = openpyxl.load_workbook(tmp_path / "out" / "audit.xlsx")["Inputs"]
    assert "sales/a\ufffd\ufffd.xlsx" in [r[0] for r in inputs.iter_rows(values_only=True)]
    statement = openpyxl.load_workbook(tmp_path / "out" / "statements" / "P1.xlsx")
    assert statement["Lines"]["A2"].value == "sales/a\ufffd\ufffd.xlsx"
    assert statement["Statement"]["B5"].value == "Name\ufffd"


# ---------------------------------------------------------------- dates Excel cannot hold


def test_a_date_before_1900_is_text_in_both_writers(tmp_path):
    days = [dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(9999, 12, 31)]
    path = tmp_path / "w.xlsx"
    book = workbook(path)
    sheet = book.add_worksheet("T")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for i, day in enumerate(days):
        write_value(sheet, i, 0, day, date)
    book.close()
    book = workbook()
    write_table(book, "T", ["day"], [])
    frame = pl.concat([pl.DataFrame({"day": days}), pl.select(day=pl.date(10000, 1, 1)),
                       pl.DataFrame({"day": [None]}, schema={"day": pl.Date})])
    rows = body(frame, (Column("day", "number"),), 2).str.join("").item().encode()
    close(book, tmp_path / "s.xlsx", Body(0, rows, last_row=7))
    for p in (path, tmp_path / "s.xlsx"):
        well_formed(p)
    cells = [r[0] for r in openpyxl.load_workbook(path)["T"].iter_rows()]
    # text, or a date cell (openpyxl reads serial 1, 1900-01-01, as a time of day: its quirk, not the file's)
    assert [c.value if c.data_type == "s" else c.data_type for c in cells] == ["0001-01-01", "1899-12-31", "d", "d"]
    assert cells[3].value == dt.datetime(9999, 12, 31)
    spliced = [r[0] for r in openpyxl.load_workbook(tmp_path / "s.xlsx")["T"].iter_rows(min_row=2, values_only=True)]
    # 1900-01-01 is serial 1, 9999-12-31 serial 2958465
    assert spliced == ["0001-01-01", "1899-12-31", 1, 2958465, "+10000-01-01"]  # a blank date writes no cell


def test_a_text_date_0001_01_01_reaches_the_statement_as_text(tmp_path):
    outcome = run(tmp_path, {"a.xlsx": [line("A", "2026-07-01", 1000), line("B", "0001-01-01", 5)]}, [partner("P1")])
    assert outcome.ok, [str(p) for p in outcome.problems]
    path = tmp_path / "out" / "statements" / "P1.xlsx"
    well_formed(path)
    dates = [r[2] for r in openpyxl.load_workbook(path)["Lines"].iter_rows(min_row=2, max_row=3, values_only=True)]
    assert dates == [dt.datetime(2026, 7, 1), "0001-01-01"]


# ---------------------------------------------------------------- a statement past a sheet's rows


def sheets(path: Path) -> dict[str, list[tuple]]:
    return {s.title: list(s.iter_rows(values_only=True)) for s in openpyxl.load_workbook(path).worksheets}


@pytest.fixture(scope="module")
def seven_lines(tmp_path_factory) -> tuple[Path, pipeline.Outcome]:
    tmp = tmp_path_factory.mktemp("seven")
    sales = [line(f"I{i}", "2026-07-01", 100 + i, customer_name=f"C{i}") for i in range(7)]
    sales += [line("Q", "2026-07-02", 1, pid="P2")]
    outcome = run(tmp, {"a.xlsx": sales}, [partner("P1"), partner("P2")])
    assert outcome.ok, [str(p) for p in outcome.problems]
    return tmp, outcome


@pytest.mark.parametrize("sheet_rows, layout", [
    # 5 rows a sheet: header, 2 lines, room for the two totals rows (included, excluded)
    (5, {"Lines": 2, "Lines (2)": 2, "Lines (3)": 2, "Lines (4)": 1}),
    (6, {"Lines": 3, "Lines (2)": 3, "Lines (3)": 1}),
    (10, {"Lines": 7}),
    (9, {"Lines": 6, "Lines (2)": 1}),
], ids=["two-a-sheet", "three-a-sheet", "fits-with-totals", "would-fit-without-totals"])
def test_lines_continue_on_the_next_sheet(seven_lines, sheet_rows, layout):
    tmp, outcome = seven_lines
    whole = sheets(outcome.out / "statements" / "P1.xlsx")
    header, *lines, total, excluded = whole["Lines"]
    assert (total[0], excluded[0]) == ("Included, 7 lines", "Excluded, 0 lines, not counted") and len(lines) == 7
    folder = tmp / f"split-{sheet_rows}"
    paths = {p.stem: p for p in written_statements(folder, outcome, sheet_rows=sheet_rows)}
    well_formed(paths["P1"])
    split = sheets(paths["P1"])
    assert list(split) == ["Statement", *layout]
    assert split["Statement"] == whole["Statement"]
    names = list(layout)
    for name in names:
        assert split[name][0] == header
        assert len(split[name]) <= sheet_rows
    assert [len(split[n]) - 1 for n in names[:-1]] == [layout[n] for n in names[:-1]]
    assert split[names[-1]][-2:] == [total, excluded] and len(split[names[-1]]) == layout[names[-1]] + 3
    assert [r for n in names[:-1] for r in split[n][1:]] + split[names[-1]][1:-2] == lines
    with zipfile.ZipFile(paths["P1"]) as z:  # each sheet's dimension reaches its last row
        dimensions = [re.search(r'<dimension ref="A1:R(\d+)"', z.read(f"xl/worksheets/sheet{i}.xml").decode()).group(1)
                      for i in range(2, 2 + len(names))]
    assert [int(d) for d in dimensions] == [len(split[n]) for n in names]
    # the other partner, with one line, keeps one sheet
    assert list(sheets(paths["P2"])) == ["Statement", "Lines"]


def test_the_split_in_a_process_pool(seven_lines):
    tmp, outcome = seven_lines
    alone = written_statements(tmp / "alone", outcome, sheet_rows=6, workers=1)
    pooled = written_statements(tmp / "pooled", outcome, sheet_rows=6, workers=2,
                              batch_lines=1)
    assert [p.read_bytes() for p in pooled] == [p.read_bytes() for p in alone]
    assert list(sheets(pooled[0])) == ["Statement", "Lines", "Lines (2)", "Lines (3)"]


def test_one_sheet_is_the_same_bytes_as_before_the_split(seven_lines):
    """The limit not reached, a statement is what it always was (the snapshots hold it too)."""
    tmp, outcome = seven_lines
    paths = written_statements(tmp / "again", outcome, sheet_rows=10)
    assert paths[0].read_bytes() == (outcome.out / "statements" / "P1.xlsx").read_bytes()


def test_explain_reads_every_lines_sheet(seven_lines):
    """`calc explain` checks a partner against the ledger to the cent from its statement's lines:
    all of them, on every Lines sheet."""
    tmp, outcome = seven_lines
    run_dir = tmp / "explained"
    shutil.copytree(outcome.out, run_dir)
    written_statements(run_dir, outcome, sheet_rows=6)
    assert len(openpyxl.load_workbook(run_dir / "statements" / "P1.xlsx").sheetnames) == 4
    e = explain(read_run(run_dir), "P1")
    assert e.ok, [c for c in e.checks if not c.ok]
    assert sum(len(g.lines) for g in e.periods) == e["included_lines"] == 7
