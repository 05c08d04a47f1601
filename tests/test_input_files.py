"""Every input file is accounted for (contract addition of 2026-11-25): the folder is read
whole, in every format calc reads, every sales sheet; anything else is a note or a
located error. The .xls and .ods fixtures were saved by LibreOffice
(tests/fixtures/make_fixtures.py)."""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from incentives import pipeline, schema
from incentives.cli import main
from incentives.periods import parse_period
from incentives.read import formats, guard
from incentives.read.workbook import open_checked
from tests.builders import SAMPLE, add_sheet, line, make_inputs, new_book

FIXTURES = Path(__file__).parent / "fixtures"
D = Decimal
RU_HEADER = ["Номер счета", "№ строки", "Дата счета", "ID партнера", "Клиент", "Тип клиента", "Артикул", "Количество",
             "Сумма без НДС", "Валюта"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def errors_of(folder: Path) -> list[str]:
    return [str(p) for p in pipeline.check(folder, None).problems]


@pytest.fixture
def folder(tmp_path) -> Path:
    return make_inputs(tmp_path / "in", {"a.xlsx": [line("X1", "2026-07-01", 1000)]})


def _csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str) -> None:
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows) + "\r\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def test_every_format_in_subfolders_and_any_case_is_read(folder, tmp_path):
    """X1 (.xlsx) 1000; A1 1000.50 and A2 -200 (.xls, saved by LibreOffice; A2 a formula);
    C1 "1 200,50" (.csv, Windows-1251, `;`, Russian headers); D1 99.50 (.csv, UTF-8 with BOM,
    `,`); the .ODS holds A1 and A2 again: DUPLICATE, read after the .xls in path order.
    Included 1000 + 1000.50 - 200 + 1200.50 + 99.50 = 3100.50 -> 2% = 62.01."""
    sales = folder / "sales"
    (sales / "2026-07").mkdir()
    shutil.copy(FIXTURES / "sales.xls", sales / "2026-07" / "b.xls")
    (sales / "ods").mkdir()
    shutil.copy(FIXTURES / "sales.ods", sales / "ods" / "c.ODS")
    _csv(sales / "d.csv", [RU_HEADER, ["C1", "1", "15.07.2026", "P1", "ТОО «Ромашка»", "конечный пользователь",
                                       "SKU-1", "1", "1 200,50", "KZT"]], "cp1251", ";")
    header = list(line("x", "2026-01-01", 0))
    _csv(sales / "e.csv", [header, ["D1", "1", "2026-08-01", "P1", "Customer, Ltd", "end_user", "SKU-1", "1", "99.50",
                                    "KZT"]], "utf-8-sig", ",")
    out = tmp_path / "out"
    result = invoke("run", folder, "--period", "2026Q3", "--out", out)
    assert result.exit_code == 0, result.output
    assert _closing(result.output) == (f"test 2026Q3: 1 partner(s), total payable 62.01 points; "
                                              f"2 lines, 800.50 KZT excluded: DUPLICATE 2 -> {out}")
    book = openpyxl.load_workbook(out / "summary.xlsx")
    reconciliation = [list(r) for r in book["Reconciliation"].iter_rows(values_only=True)][1:]
    assert [(r[0], r[1], r[3], r[5], r[7]) for r in reconciliation] == [
        ("sales/2026-07/b.xls", 2, 2, 0, "yes"), ("sales/a.xlsx", 1, 1, 0, "yes"), ("sales/d.csv", 1, 1, 0, "yes"),
        ("sales/e.csv", 1, 1, 0, "yes"), ("sales/ods/c.ODS", 2, 0, 2, "yes"), ("(total)", 7, 5, 2, "yes")]
    inputs = [list(r) for r in openpyxl.load_workbook(out / "audit.xlsx")["Inputs"].iter_rows(values_only=True)]
    assert [(r[0], r[3], r[4]) for r in inputs[1:]] == [
        ("partners.xlsx", "Partners", 1), ("program.xlsx", "Program, RateBands, Tiers", 13),
        ("sales/2026-07/b.xls", "Sales, Notes", 2), ("sales/a.xlsx", "Sales", 1), ("sales/d.csv", "Sales", 1),
        ("sales/e.csv", "Sales", 1), ("sales/ods/c.ODS", "Sales, Notes", 2)]
    assert "note: sales/2026-07/b.xls:Notes: hidden sheet ignored" in result.output
    assert "note: sales/ods/c.ODS:Notes: hidden sheet ignored" in result.output


def _sample_as_csv(xlsx: Path, csv: Path) -> None:
    """A report as Excel saves it as CSV on a Russian Windows: Windows-1251, `;`, numbers and
    dates as the cells show them (1234,5 and 05.08.2026)."""
    sheet = openpyxl.load_workbook(xlsx, data_only=True).worksheets[0]
    rows = []
    for r in sheet.iter_rows(values_only=True):
        cells = []
        for v in r:
            if isinstance(v, dt.datetime):
                cells.append(v.strftime("%d.%m.%Y"))
            elif isinstance(v, float | int):
                cells.append(str(v).replace(".", ","))
            else:
                cells.append("" if v is None else str(v))
        rows.append(cells)
    _csv(csv, rows, "cp1251", ";")
    xlsx.unlink()


def test_the_sample_total_holds_with_reports_saved_in_other_formats(tmp_path, sample_run):
    """The issue's figure: the sample's total payable (715,048.12 then), which fell to 673,141.61
    when one monthly report was an .xls and another a .csv (they were not read). Compared with
    the sample's own run, so a program rule that changes the sample's figures keeps the test."""
    folder = tmp_path / "ip"
    shutil.copytree(SAMPLE, folder)
    _sample_as_csv(folder / "sales" / "2026-08_alatau.xlsx", folder / "sales" / "2026-08_alatau.csv")
    sub = folder / "sales" / "tengri"
    sub.mkdir()
    (folder / "sales" / "2026-09_tengri.xlsx").rename(sub / "B.XLSX")
    if shutil.which("soffice"):
        import subprocess
        report = folder / "sales" / "2026-07_saryarka.xlsx"
        subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", str(report.parent), str(report)],
                       check=True, capture_output=True, timeout=300)
        report.unlink()
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")
    assert outcome.ok, [str(p) for p in outcome.problems]
    assert sum(r.total_payable for r in outcome.settlement.rows) == sum(r.total_payable
                                                                         for r in sample_run.settlement.rows)
    paths = [f.path for f in outcome.inputs.files]
    assert "sales/2026-08_alatau.csv" in paths and "sales/tengri/B.XLSX" in paths


# ---------------------------------------------------------------- what is not read: notes and errors


@pytest.mark.parametrize("make, expected", [
    (lambda f: (f / "sales" / "notes.txt").write_text("x"),
     "sales/notes.txt: is not a workbook calc reads (.xlsx, .xlsm, .xlsb, .xls, .ods, .csv) (save it as .xlsx, or "
     "move it out of the input folder)"),
    (lambda f: (f / "sales" / "2026" / "q3").mkdir(parents=True) or (f / "sales" / "2026" / "q3" / "a.pdf").write_text("x"),
     "sales/2026/q3/a.pdf: is not a workbook calc reads (.xlsx, .xlsm, .xlsb, .xls, .ods, .csv) (save it as .xlsx, "
     "or move it out of the input folder)"),
    (lambda f: shutil.copy(f / "sales" / "a.xlsx", f / "stray.xlsx"),
     "stray.xlsx: is not an input of calc (the input folder holds program.xlsx, partners.xlsx, fx_rates.xlsx, "
     "opportunities/*.xlsx, sales/*.xlsx; move anything else out of it)"),
    (lambda f: (f / "archive").mkdir(),
     "archive: is a folder calc does not read (move it out of the input folder; sales reports go in sales/, "
     "opportunity reports in opportunities/)"),
    (lambda f: (f / "sales" / "dangling.xlsx").symlink_to(f / "gone.xlsx"),
     "sales/dangling.xlsx: is a link that leads nowhere (its target is missing or loops) (replace the link with "
     "the file itself, or delete it)"),
    (lambda f: (f / "sales" / "loop.xlsx").symlink_to(f / "sales" / "loop.xlsx"),
     "sales/loop.xlsx: is a link that leads nowhere (its target is missing or loops) (replace the link with "
     "the file itself, or delete it)"),
    (lambda f: (f / "sales" / "again").symlink_to(f / "sales", target_is_directory=True),
     "sales/again: is a link to a folder that holds it: its files would be read twice (delete the link)"),
    (lambda f: shutil.copy(f / "partners.xlsx", f / "Partners.XLS"),
     "Partners.XLS: is given more than once: Partners.XLS, partners.xlsx (keep one of them)"),
    (lambda f: shutil.copy(f / "sales" / "a.xlsx", f / "sales" / "renamed.xls"),
     "sales/renamed.xls: is a newer workbook (.xlsx or .ods) named .xls (rename it to .xlsx, or save it again as "
     ".xls)"),
    (lambda f: shutil.copy(f / "sales" / "a.xlsx", f / "sales" / "renamed.ods"),
     "sales/renamed.ods: is an Excel workbook (.xlsx), not an OpenDocument spreadsheet (.ods) as its name says "
     "(rename it to .xlsx, or open it in Excel and save it as .xlsx)"),
    (lambda f: shutil.copy(f / "sales" / "a.xlsx", f / "sales" / "renamed.csv"),
     "sales/renamed.csv: is an Excel workbook named .csv (rename it to .xlsx (or .xls))"),
    (lambda f: (f / "sales" / "bad.csv").write_bytes(b"invoice_id;amount\r\nA;\x98\r\n"),
     "sales/bad.csv: is neither UTF-8 nor Windows-1251 text (open it in Excel and save it as .xlsx, or as CSV "
     "UTF-8)"),
    (lambda f: (f / "sales" / "nul.csv").write_bytes(b"invoice_id\x00;amount\r\n"),
     "sales/nul.csv: is not a text file, though named .csv (save the report from Excel as CSV or .xlsx)"),
], ids=["txt", "pdf-in-subfolder", "beside-the-inputs", "folder-beside", "dangling-link", "looping-link",
        "folder-link-loop", "two-rosters", "xlsx-named-xls", "xlsx-named-ods", "xlsx-named-csv", "not-cp1251", "binary-csv"])
def test_a_file_calc_does_not_read_is_an_error_naming_it(folder, make, expected):
    make(folder)
    assert expected in errors_of(folder)
    result = invoke("validate", folder)
    assert result.exit_code == 1 and f"error: {expected}" in result.output


def test_a_link_leading_outside_the_folder_is_an_error_and_one_inside_is_read(folder, tmp_path):
    outside = tmp_path / "elsewhere.xlsx"
    shutil.copy(folder / "sales" / "a.xlsx", outside)
    (folder / "sales" / "out.xlsx").symlink_to(outside)
    assert [p for p in errors_of(folder) if "out.xlsx" in p] == [
        f"sales/out.xlsx: is a link to {outside.resolve()}, outside the input folder (copy the file into the input "
        "folder instead of linking to it)"]
    (folder / "sales" / "out.xlsx").unlink()
    hidden = folder / "sales" / ".kept"
    hidden.mkdir()
    (folder / "sales" / "a.xlsx").rename(hidden / "a.xlsx")
    (folder / "sales" / "linked.xlsx").symlink_to(Path(".kept") / "a.xlsx")
    outcome = pipeline.check(folder, None)
    assert outcome.ok, [str(p) for p in outcome.problems]
    assert outcome.inputs.sales["file"].to_list() == ["sales/linked.xlsx"]  # listed where the link is


def test_lock_hidden_and_readme_files_are_notes(folder):
    (folder / "sales" / "~$a.xlsx").write_bytes(b"\x0cuser")
    (folder / "sales" / ".DS_Store").write_bytes(b"\x00")
    (folder / "README.md").write_text("how we fill these")
    (folder / "sales" / "readme.txt").write_text("x")
    (folder / "~$partners.xlsx").write_bytes(b"x")
    outcome = pipeline.check(folder, None)
    assert outcome.ok
    assert [str(p) for p in outcome.problems] == [
        "README.md: README, not read",
        "sales/.DS_Store: hidden, not read",
        "sales/readme.txt: README, not read",
        "sales/~$a.xlsx: Excel lock file: a.xlsx is open in Excel and may hold unsaved changes; calc read the file "
        "as last saved",
        "~$partners.xlsx: Excel lock file: partners.xlsx is open in Excel and may hold unsaved changes; calc read "
        "the file as last saved",
    ]


# ---------------------------------------------------------------- every sales sheet


def _sales_book(path: Path, sheets: dict[str, tuple[list, list]], hidden: tuple[str, ...] = ()) -> None:
    book = new_book(path)
    for name, (header, rows) in sheets.items():
        add_sheet(book, name, rows, header)
        if name in hidden:
            book.worksheets()[-1].hide()
    book.close()


HEADER = list(line("x", "2026-01-01", 0))


def _row(invoice: str, amount) -> list:
    return list(line(invoice, dt.date(2026, 7, 1), amount).values())


def test_every_visible_sales_sheet_is_read_and_each_line_keeps_its_sheet(folder):
    """Sales: S1 100; Sales (2): S2 200; Продажи (Russian headers): S3 300; the hidden
    Sales (3) and a Notes sheet are not read; 600 read from the workbook."""
    _sales_book(folder / "sales" / "a.xlsx", {
        "Sales": (HEADER, [_row("S1", 100)]),
        "Sales (2)": (HEADER, [_row("S2", 200)]),
        "Продажи": (RU_HEADER, [["S3", 1, dt.date(2026, 7, 2), "P1", "К", "end_user", "SKU-1", 1, 300, "KZT"]]),
        "Sales (3)": (HEADER, [_row("S4", 400)]),
        "Notes": (["prepared by"], [["the distributor"]]),
    }, hidden=("Sales (3)",))
    outcome = pipeline.check(folder, None)
    assert outcome.ok, [str(p) for p in outcome.problems]
    sales = outcome.inputs.sales
    assert sales.select("sheet", "row", "invoice_id", "net_amount").rows() == [
        ("Sales", 2, "S1", D(100)), ("Sales (2)", 2, "S2", D(200)), ("Продажи", 2, "S3", D(300))]
    assert [str(p) for p in outcome.problems] == [
        "sales/a.xlsx:Notes: sheet not read: it has no Sales header row",
        "sales/a.xlsx:Sales (3): hidden sheet ignored"]
    (info,) = [f for f in outcome.inputs.files if f.path == "sales/a.xlsx"]
    assert (info.rows, info.counted) == (3, (("KZT", D(600)),))


def test_a_sheet_that_looks_like_sales_but_does_not_match_is_an_error(folder):
    _sales_book(folder / "sales" / "a.xlsx", {
        "Sales": (HEADER, [_row("S1", 100)]),
        "Summary": (["partner_id", "invoice_id", "net_amount"], [["P1", "S1", 100]]),
    })
    problems = errors_of(folder)
    assert any(p.startswith("sales/a.xlsx:Summary row 1: required column 'invoice_date' is missing; columns found: "
                            "partner_id, invoice_id, net_amount") for p in problems), problems


# ---------------------------------------------------------------- the guard, per format


def test_error_cells_saved_by_a_spreadsheet_application_are_located(folder):
    for name in ("errors.xls", "errors.ods"):
        shutil.copy(FIXTURES / name, folder / "sales" / name)
    problems = errors_of(folder)
    for name in ("errors.xls", "errors.ods"):
        assert f'sales/{name}:Sales!B2: line_no "#N/A" is an error value #N/A, not a whole number (correct the ' \
               f"formula that gives it, or type the value)" in problems
        assert f'sales/{name}:Sales!I3: net_amount "#DIV/0!" is an error value #DIV/0!, not a number (correct the ' \
               f"formula that gives it, or type the value)" in problems


def test_an_xls_cell_far_from_the_data_is_refused(tmp_path):
    findings = guard.examine(FIXTURES / "far.xls", "sales/far.xls")
    assert [str(p) for p in findings.problems] == [
        "sales/far.xls:Sales!IU3: cell IU3 is far from the data: the sheet would be read as 255 columns (delete what "
        "is in IU3 and anything else outside the table, then save the file)"]


def test_an_xls_claiming_billions_of_texts_is_refused_before_calamine_opens_it(tmp_path):
    data = bytearray((FIXTURES / "sales.xls").read_bytes())
    at = data.find(b"\xfc\x00")  # the SST record: type, size, total, unique
    while struct.unpack_from("<I", data, at + 4)[0] > 1000 or struct.unpack_from("<I", data, at + 8)[0] > 1000:
        at = data.find(b"\xfc\x00", at + 1)
    struct.pack_into("<I", data, at + 8, 4_000_000_000)
    bomb = tmp_path / "bomb.xls"
    bomb.write_bytes(bytes(data))
    book, problems = open_checked(bomb, "sales/bomb.xls")
    assert book is None
    assert [p.message for p in problems][0].startswith("claims 4,000,000,000 different texts in ")


def _ods(path: Path, content: str, pad: int = 0) -> None:
    body = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="o" xmlns:table="t" '
            'xmlns:text="x"><office:body><office:spreadsheet><table:table table:name="Sales">'
            + content + " " * pad + "</table:table></office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("content.xml", body)


@pytest.mark.parametrize("content, pad, says", [
    # one valued row repeated a million times, 100 cells wide: 10^8 cells to the reader
    ('<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" '
     'office:value="1" table:number-columns-repeated="100"/></table:table-row>', 0,
     "Sales!CV1000000: cell CV1000000 is far from the data: the sheet would be read as 1,000,000 rows"),
    ('<table:table-row><table:table-cell table:number-columns-repeated="16000"/><table:table-cell '
     'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>', 0,
     "Sales!WQK1: cell WQK1 is far from the data: the sheet would be read as 16,001 columns"),
    ("", 50 << 20, "part content.xml is packed"),
], ids=["repeated-rows", "far-column", "deflate-bomb"])
def test_an_ods_bomb_is_refused_as_an_xlsx_one_is(tmp_path, content, pad, says):
    path = tmp_path / "bomb.ods"
    _ods(path, content, pad)
    book, problems = open_checked(path, "sales/bomb.ods")
    assert book is None and says in str(problems[0]), problems


def test_an_xlsb_sheet_is_scanned_for_far_cells_and_error_values():
    """BIFF12 records as Excel writes them: BrtRowHdr (type 0) row 4, BrtCellError (3) in
    column 2 holding 0x2A (#N/A), BrtCellReal (5) in column 300."""
    def record(kind: int, body: bytes) -> bytes:
        return bytes([kind, len(body)]) + body
    data = (record(0, struct.pack("<I", 4) + bytes(13)) + record(3, struct.pack("<II", 2, 0) + b"\x2a")
            + record(5, struct.pack("<II", 300, 0) + struct.pack("<d", 1.5)))
    extent, errors = formats._scan_xlsb_sheet(data)
    assert errors == [(4, 2, "#N/A")]
    assert [p.message for p in extent.problems(guard.Source("b.xlsb", "Sales"), len(data), False)] == [
        "cell KO5 is far from the data: the sheet would be read as 301 columns"]


def test_the_guard_covers_each_format_by_its_extension():
    assert {k: guard.kind_of(Path(f"a{k.upper()}")) for k in guard.KINDS} == {
        ".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsb", ".xls": "xls", ".ods": "ods", ".csv": "csv"}
    assert set(guard.KINDS) == {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv"}
    assert schema.SALES_BOOK.pattern == "sales/*.xlsx"  # the declaration keeps the contract's name


def test_a_csv_holds_error_values_as_text_and_they_are_errors(folder):
    """Excel writes an error cell into a CSV as its text: #N/A in partner_id, #DIV/0! in the amount."""
    header = list(line("x", "2026-01-01", 0))
    _csv(folder / "sales" / "x.csv", [header, ["Z1", "1", "2026-08-01", "#N/A", "C", "end_user", "SKU-1", "1",
                                               "#DIV/0!", "KZT"]], "utf-8", ",")
    problems = errors_of(folder)
    assert 'sales/x.csv:Sales!D2: partner_id "#N/A" is an error value #N/A, not text (correct the formula that ' \
           "gives it, or type the value)" in problems
    assert 'sales/x.csv:Sales!I2: net_amount "#DIV/0!" is an error value #DIV/0!, not a number (correct the ' \
           "formula that gives it, or type the value)" in problems


def test_a_macro_workbook_in_upper_case_is_read(folder):
    (folder / "sales" / "a.xlsx").rename(folder / "sales" / "A.XLSM")
    outcome = pipeline.check(folder, None)
    assert outcome.ok, [str(p) for p in outcome.problems]
    assert outcome.inputs.sales.select("file", "invoice_id").rows() == [("sales/A.XLSM", "X1")]


def test_an_xls_with_a_password_is_refused(tmp_path):
    """A FILEPASS record in the workbook's globals (here put where LibreOffice wrote its
    WRITEACCESS record, of the same size) means the rest is encrypted."""
    data = (FIXTURES / "sales.xls").read_bytes()
    assert data.count(b"\x5c\x00\x70\x00") == 1
    locked = tmp_path / "locked.xls"
    locked.write_bytes(data.replace(b"\x5c\x00\x70\x00", b"\x2f\x00\x70\x00"))
    book, problems = open_checked(locked, "sales/locked.xls")
    assert book is None and [str(p) for p in problems] == [
        "sales/locked.xls: is protected with a password (open it in Excel, remove the password under File > Info > "
        "Protect Workbook, and save it again)"]


def _closing(output: str) -> str:
    """The run's closing line: the one with the total payable (the register's lines follow it)."""
    (line,) = [line for line in output.splitlines() if " total payable " in line]
    return line


def test_a_sales_folder_named_in_capitals_is_read_and_reconciled(folder, tmp_path):
    """SALES/ is sales/ (a folder's name in any case), also where reconcile counts each sales
    file's lines: X1 1000 included at 2% -> 20.00."""
    (folder / "sales").rename(folder / "SALES")
    out = tmp_path / "out"
    result = invoke("run", folder, "--period", "2026Q3", "--out", out)
    assert result.exit_code == 0, result.output
    assert _closing(result.output) == f"test 2026Q3: 1 partner(s), total payable 20.00 points -> {out}"
