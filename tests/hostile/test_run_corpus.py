"""Hostile and messy files through the whole command: a located error and exit 1 with
nothing written, or a correct result; never a crash, a traceback or a signal."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentives.cli import main
from tests.builders import line, make_inputs

from .test_guard import REFUSED

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> Path:
    return make_inputs(tmp_path_factory.mktemp("valid") / "in", {"good.xlsx": [line("G1", "2026-07-01", 1000)]})


def _with_file(valid: Path, tmp_path: Path, source: Path, name: str) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(valid, folder)
    shutil.copy(source, folder / "sales" / name)
    return folder


@pytest.mark.parametrize("name, where, says, fix", REFUSED, ids=[r[0] for r in REFUSED])
def test_run_refuses_hostile_file_and_writes_nothing(corpus, valid, tmp_path, name, where, says, fix):
    folder = _with_file(valid, tmp_path, corpus[name], name)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(folder), "--period", "2026Q3", "--out", str(out)])
    assert result.exit_code == 1, result.output
    place = f"sales/{name}" + (f":{where}" if where else "")
    assert f"error: {place}: " in result.output and says in result.output and fix in result.output
    assert "nothing was written" in result.output and "Traceback" not in result.output
    assert not out.exists()


def messy_report(path: Path) -> None:
    """Everything a real partner file may do that calc must accept: a title above the
    header, headers in another case and order, in Russian, a merged header cell, an
    extra column, a hidden sheet, text numbers with no-break spaces, dd.mm.yyyy text,
    a serial number in a date column, trailing formatted empty rows, 1904 dates."""
    book = xlsxwriter.Workbook(str(path), {"date_1904": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("SALES")
    book.add_worksheet("Pivot").hide()
    bold = book.add_format({"bold": True})
    sheet.merge_range(0, 0, 0, 5, "Отчет о закупках, июль 2026", bold)
    header = ["  PARTNER_ID ", "Номер счета", "дата счета", "Тип клиента", "Артикул", "Клиент", "Количество",
              "Валюта"]
    sheet.write_row(2, 0, header, bold)
    sheet.merge_range(2, 8, 2, 9, "Сумма без НДС", bold)
    sheet.write(2, 10, "Комментарий", bold)
    date = book.add_format({"num_format": "dd.mm.yyyy"})
    rows = [
        ("P1", "M1", dt.datetime(2026, 7, 3), "конечный пользователь", "SKU", "ТОО «Ромашка»", 1, "KZT", 1000.5),
        ("P1", "M2", "15.07.2026", "end user", "SKU", "ТОО", 2, "kzt", "1\u00a0200\u00a0000,25"),
        ("P1", "M3", 44759, "Reseller", "SKU", "ТОО", 1, "KZT", "(500,75)"),  # 1904 serial of 2026-07-18
    ]
    for i, r in enumerate(rows, start=3):
        sheet.write_row(i, 0, r[:2])
        if isinstance(r[2], dt.datetime):
            sheet.write_datetime(i, 2, r[2], date)
        else:
            sheet.write(i, 2, r[2])
        sheet.write_row(i, 3, r[3:])
    grey = book.add_format({"bg_color": "#EEEEEE", "num_format": "#,##0.00"})
    for i in range(6, 40):
        sheet.write_blank(i, 8, None, grey)
    book.close()


def test_messy_but_sound_report_computes_correctly(valid, tmp_path):
    source = tmp_path / "messy.xlsx"
    messy_report(source)
    folder = _with_file(valid, tmp_path, source, "messy.xlsx")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(folder), "--period", "2026Q3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "note: sales/messy.xlsx:Pivot: hidden sheet ignored" in result.output
    assert "column 'Комментарий' is not used" in result.output
    from incentives import pipeline
    from incentives.periods import parse_period
    lines = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "again").settlement.lines
    messy = lines.filter(lines["file"] == "sales/messy.xlsx")
    assert messy["invoice_date"].to_list() == [dt.date(2026, 7, 3), dt.date(2026, 7, 15), dt.date(2026, 7, 18)]
    assert messy["base_amount"].to_list() == [Decimal("1000.50"), Decimal("1200000.25"), Decimal("-500.75")]
    assert messy["row"].to_list() == [4, 5, 6]


def _mutations():
    flip = st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(1, 255))
    cut = st.tuples(st.just("cut"), st.integers(0, 10**6), st.just(0))
    xml = st.tuples(st.just("xml"), st.integers(0, 10**6), st.sampled_from(
        [b"<", b">", b"\x00", b"&", b'"', b"</row>", b'<c r="XFD9"><v>1</v></c>', b"<!DOCTYPE x>", b"\xff\xfe",
         b'<c r="A2" t="s"><v>999999</v></c>', b"<f>SUM(A1)</f>", b'uniqueCount="99999999999"', b"9E+999"]))
    return st.lists(st.one_of(flip, cut, xml), min_size=1, max_size=3)


def mutate(data: bytes, mutations) -> bytes:
    for kind, at, what in mutations:
        if not data:
            break
        if kind == "flip":
            i = at % len(data)
            data = data[:i] + bytes([data[i] ^ what]) + data[i + 1:]
        elif kind == "cut":
            data = data[: at % len(data)]
        else:  # splice into one XML part, then repack: the zip stays valid, the XML does not
            try:
                src = zipfile.ZipFile(io.BytesIO(data))
                parts = {n: src.read(n) for n in src.namelist()}
            except Exception:
                continue
            names = sorted(n for n in parts if n.endswith(".xml"))
            name = names[at % len(names)]
            i = at % max(len(parts[name]), 1)
            parts[name] = parts[name][:i] + what + parts[name][i:]
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
                for n, body in parts.items():
                    out.writestr(n, body)
            data = buffer.getvalue()
    return data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_mutations())
def test_fuzz_never_crashes(valid, tmp_path_factory, mutations):
    folder = tmp_path_factory.mktemp("fuzz") / "in"
    shutil.copytree(valid, folder)
    target = folder / "sales" / "good.xlsx"
    target.write_bytes(mutate(target.read_bytes(), mutations))
    # A child process: a signal (SIGABRT, SIGSEGV) must show as such, not kill the test run.
    done = subprocess.run([sys.executable, str(ROOT / "calc.py"), "validate", str(folder)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    assert done.stdout.strip() or done.stderr.strip()


@pytest.mark.parametrize("mutations", [
    [("xml", 487234, b'<c r="B2" t="d"><v>x</v></c>'), ("xml", 804435, b"&")],
    [("xml", 419175, b'<c r="B2" t="d"><v>x</v></c>')],
    [("flip", 431814, 15)],
], ids=["missing-shared-string", "cut-declaration", "bad-attribute"])
def test_damaged_sheet_found_by_the_fuzzer_is_a_located_error(valid, tmp_path, mutations):
    folder = tmp_path / "in"
    shutil.copytree(valid, folder)
    target = folder / "sales" / "good.xlsx"
    target.write_bytes(mutate(target.read_bytes(), mutations))
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert "error: sales/good.xlsx" in result.output and "Traceback" not in result.output
