"""The Intelligent Platforms sample's whole year settled through the register: each quarter run
with the files arrived by then and closed; a late line of June (in the July report), a line of
August moved into an October report, and a December line that arrives after 2026Q4 is closed
(a supplement). Every line is paid once, as a true-up in the period it arrives."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl

from incentives import pipeline
from incentives.periods import parse_period
from incentives.register.store import Register
from tests.builders import SAMPLE

D = Decimal
MOVED = "SRK-26-00704"  # P013, 2026-08-24, 352,128.50 KZT: reported in October instead of August


def _keep(source: Path, target: Path, keep) -> None:
    """`source` saved as `target` with only the data rows whose invoice id `keep` accepts."""
    book = openpyxl.load_workbook(source)
    sheet = book.worksheets[0]
    for row in range(sheet.max_row, 0, -1):
        invoice = sheet.cell(row, 1).value
        if isinstance(invoice, str) and invoice[:4] in ("SRK-", "TNG-") and not keep(invoice):
            sheet.delete_rows(row)
    book.save(target)


def _arrivals(tmp_path: Path) -> dict[str, list[Path]]:
    """The sample's sales files by the period whose run first sees them, with the late files made."""
    sales = SAMPLE / "sales"
    late = tmp_path / "late"
    late.mkdir()
    _keep(sales / "2026-08_saryarka.xlsx", late / "2026-08_saryarka.xlsx", lambda i: i != MOVED)
    _keep(sales / "2026-08_saryarka.xlsx", late / "2026-10_saryarka_late.xlsx", lambda i: i == MOVED)
    # P027's December order, after 2026Q4 was closed: a copy of its October line TNG-26-00599
    book = openpyxl.load_workbook(sales / "2026-10_tengri.xlsx")
    sheet = book.worksheets[0]
    sheet.delete_rows(3, sheet.max_row)
    sheet["A2"], sheet["C2"], sheet["K2"], sheet["L2"] = "TNG-26-00650", dt.datetime(2026, 12, 20), 1, 100000
    book.save(late / "2027-01_tengri.xlsx")
    months = sorted(sales.glob("2026-0*.xlsx"))
    return {
        "2026Q1": [p for p in months if p.name < "2026-04"],
        "2026Q2": [p for p in months if "2026-04" <= p.name < "2026-07"],
        "2026Q3": [p for p in months if "2026-07" <= p.name and p.name != "2026-08_saryarka.xlsx"]
        + [late / "2026-08_saryarka.xlsx"],
        "2026Q4": [sales / "2026-10_tengri.xlsx", late / "2026-10_saryarka_late.xlsx"],
        "2026Q4-S1": [late / "2027-01_tengri.xlsx"],
    }


def test_sample_year_through_the_register_pays_every_line_once(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("sales"))
    (folder / "sales").mkdir()
    register = tmp_path / "outputs" / "register.sqlite"
    paid: dict[str, dict[str, Decimal]] = {}
    for label, files in _arrivals(tmp_path).items():
        for path in files:
            shutil.copyfile(path, folder / "sales" / path.name)
        period = parse_period(label)
        outcome = pipeline.run(folder, period.base, tmp_path / "outputs" / label, register=register,
                               supplement=bool(period.supplement))
        assert outcome.ok, [str(p) for p in outcome.problems]
        assert outcome.settlement.period == period
        closing = pipeline.close(outcome.out, register)
        assert closing.ok, [str(p) for p in closing.problems]
        paid[label] = closing.entry.values("total_payable")

    # P013, 2% all year. Q1: 338,444.75 + 38,009.00 + 353,040.75 = 729,494.50 -> 14,589.89.
    # Q2: + 75,445.00 + 142,486.00 + 135,212.50 + 136,662.50 = 1,219,300.50 -> 24,386.01 - 14,589.89 = 9,796.12.
    # Q3: + 88,206.00 (of June, in the July report) + 385,500.50 = 1,693,007.00 -> 33,860.14 - 24,386.01 = 9,474.13.
    # Q4: + 352,128.50 (of August, in an October report) = 2,045,135.50 -> 40,902.71 - 33,860.14 = 7,042.57.
    assert [paid[p]["P013"] for p in paid] == [D("14589.89"), D("9796.12"), D("9474.13"), D("7042.57"), D("0.00")]
    # P027. Q1: 95,677 + 141,722 + 123,025 + 35,144 + 404,054 = 799,622.00 -> 15,992.44.
    # Q2: + 35,908 + 138,475 + 119,463.76 + 62,645.63 + 406,115.50 = 1,562,229.89 -> 31,244.60 - 15,992.44 = 15,252.16.
    # Q3: + 71,434 + 93,267 + 36,385.50 + 273,077.50 = 2,036,393.89 -> 40,727.88 - 31,244.60 = 9,483.28.
    # Q4: + 342,093.75 + 841,628.25 = 3,220,115.89, over 3,000,000: x 4% = 128,804.64 - 40,727.88 = 88,076.76.
    # 2026Q4-S1: + 100,000 (December, after the close) = 3,320,115.89 -> 132,804.64 - 128,804.64 = 4,000.00.
    assert [paid[p]["P027"] for p in paid] == [D("15992.44"), D("15252.16"), D("9483.28"), D("88076.76"),
                                               D("4000.00")]

    # Every partner over the year: what a run knowing every line from the start entitles it to.
    everything = pipeline.run(folder, parse_period("2026Q4"), tmp_path / "everything")
    assert everything.ok
    for row in everything.settlement.rows:
        pid = row.partner.partner_id
        assert sum(paid[p].get(pid, D(0)) for p in paid) == row.entitlement.amount, pid
    with Register.open(register) as book:
        assert [e.period for e in book.entries()] == list(paid)
