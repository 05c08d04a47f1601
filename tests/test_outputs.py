"""The output folder: summary and audit contents, byte-identity, text as text, atomic writes."""

from __future__ import annotations


import openpyxl
import pytest

from incentives import pipeline
from incentives.periods import parse_period
from tests.builders import line, make_inputs, partner

# A formula, a link, a number; and what xlsxwriter would write as rich text's XML, unescaped
EVIL = ['=HYPERLINK("http://evil.example","click")', "@SUM(A1:A9)", "+1+2", "http://evil.example",
        "<r>&</r>", "<r><t>other words</t></r>"]


def run(folder, out, period="2026Q3"):
    outcome = pipeline.run(folder, parse_period(period), out)
    assert outcome.ok, [str(p) for p in outcome.problems]
    return outcome


def sheet_rows(path, sheet):
    return [list(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


@pytest.fixture
def sample(tmp_path):
    sales = {"a.xlsx": [line("A1", "2026-02-10", 1200000), line("A2", "2026-08-10", 2000000),
                        line("A3", "2026-08-11", 10, product_sku="DEMO")],
             "b.xlsx": [line("B1", "2026-07-01", 500, pid="P2"), line("B2", "2026-07-01", 7, pid="NOPE")]}
    return make_inputs(tmp_path / "in", sales, partners=[partner("P1"), partner("P2"), partner("P3")],
                       extra_program_sheets={"Exclusions": [{"field": "product_sku", "value": "DEMO"}]})


def test_output_folder_has_every_workbook(sample, tmp_path):
    out = run(sample, tmp_path / "out").out
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xlsx"))
    assert names == ["audit.xlsx", "ledger.xlsx", "statements/P1.xlsx", "statements/P2.xlsx", "summary.xlsx"]
    assert openpyxl.load_workbook(out / "summary.xlsx").sheetnames == [
        "Overview", "Summary", "Totals", "Exclusions", "Bonuses", "TierReview", "Reconciliation"]
    assert openpyxl.load_workbook(out / "audit.xlsx").sheetnames == ["Run", "Inputs", "Program", "Trace", "Payees"]


def test_reconciliation_balances_per_file_and_in_total(sample, tmp_path):
    rows = sheet_rows(run(sample, tmp_path / "out").out / "summary.xlsx", "Reconciliation")
    assert rows[0] == ["file", "lines_read", "amount_read", "included_lines", "included_amount", "excluded_lines",
                       "excluded_amount", "balanced"]
    assert rows[1:] == [["sales/a.xlsx", 3, 3200010, 2, 3200000, 1, 10, "yes"],
                        ["sales/b.xlsx", 2, 507, 1, 500, 1, 7, "yes"],
                        ["(total)", 5, 3200517, 3, 3200500, 2, 17, "yes"]]


def test_exclusions_list_every_excluded_line_with_reason_and_source(sample, tmp_path):
    rows = sheet_rows(run(sample, tmp_path / "out").out / "summary.xlsx", "Exclusions")
    assert [(r[0], r[1], r[4], r[5], r[9], r[11]) for r in rows[1:]] == [
        ("P1", "A3", "PRODUCT_EXCLUDED", "product excluded: product DEMO never earns", "sales/a.xlsx", 4),
        ("NOPE", "B2", "UNKNOWN_PARTNER", "unknown partner: partner NOPE is not in the roster", "sales/b.xlsx", 3)]


def test_trace_derives_the_ledger(sample, tmp_path):
    rows = sheet_rows(run(sample, tmp_path / "out").out / "audit.xlsx", "Trace")
    p1 = [r[2] for r in rows if r[0] == "P1"]
    assert "3,200,000.00 > 3,000,000.00 → 4% (tier Primary)" in p1
    assert "3,200,000.00 × 0.04 = 128000 → rounded half_up 128,000.00" in p1
    assert "128,000.00 − 24,000.00 settled (recomputed from the same inputs) = 104,000.00" in p1


def test_two_runs_are_byte_identical(sample, tmp_path):
    first, second = run(sample, tmp_path / "one").out, run(sample, tmp_path / "two").out
    files = sorted(p.relative_to(first) for p in first.rglob("*.xlsx"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.xlsx"))
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_input_text_is_written_as_text_never_a_formula(tmp_path):
    sales = {"a.xlsx": [line(evil, "2026-07-01", 100, pid="NOPE", customer_name=evil) for evil in EVIL]}
    folder = make_inputs(tmp_path / "in", sales, partners=[partner("P1", partner_name=EVIL[0])])
    out = run(folder, tmp_path / "out").out
    for name, sheet in (("summary.xlsx", "Summary"), ("summary.xlsx", "Exclusions"), ("ledger.xlsx", "Ledger")):
        cells = [c for row in openpyxl.load_workbook(out / name)[sheet].iter_rows() for c in row]
        assert all(c.data_type != "f" for c in cells)
        texts = {c.value for c in cells if c.data_type == "s"}
        assert EVIL[0] in texts
    assert {r[1] for r in sheet_rows(out / "summary.xlsx", "Exclusions")[1:]} == set(EVIL)


def test_rich_text_lookalikes_are_written_as_text(tmp_path):
    evil = EVIL[4:]
    sales = {"a.xlsx": [line(f"I{i}", "2026-07-01", 100, customer_name=e) for i, e in enumerate(evil)]}
    folder = make_inputs(tmp_path / "in", sales, partners=[partner("P1", partner_name=evil[0]),
                                                           partner("P2", partner_name=evil[1])])
    out = run(folder, tmp_path / "out").out
    for path in out.rglob("*.xlsx"):  # each opens: no XML of an input's text in its strings
        openpyxl.load_workbook(path)
    statement = sheet_rows(out / "statements" / "P1.xlsx", "Statement")
    assert [r[1] for r in statement if r[0] == "Partner name"] == ["<r>&</r>"]
    summary = sheet_rows(out / "summary.xlsx", "Summary")
    assert {r[summary[0].index("partner_name")] for r in summary[1:]} == set(evil)


def test_totals_by_tier_country_and_grand_total(sample, tmp_path):
    rows = sheet_rows(run(sample, tmp_path / "out").out / "summary.xlsx", "Totals")
    grand = dict(zip(rows[0], rows[-1]))
    assert (grand["by"], grand["partners"], grand["ytd_base"], grand["ytd_entitlement"]) == (
        "total", 3, 3200500, 128010)


@pytest.mark.parametrize("pid", ["../evil", "a/b", "CON", "x\\y", ".hidden"], ids=["dotdot", "slash", "reserved",
                                                                                   "backslash", "leading-dot"])
def test_partner_id_unsafe_as_a_file_name_is_refused(tmp_path, pid):
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", 1, pid=pid)]},
                         partners=[partner(pid)])
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "out")
    assert not outcome.ok and not (tmp_path / "out").exists()
    assert any(f"partner_id {pid!r}" in str(p) and "names the partner's statement file" in str(p)
               for p in outcome.problems)


def test_folders_given_as_text_are_paths(sample, tmp_path):
    # a script calling the pipeline with str folders: the same run, and --out checked the same
    outcome = pipeline.run(str(sample), parse_period("2026Q3"), str(tmp_path / "out"))
    assert outcome.ok, [str(p) for p in outcome.problems]
    refused = pipeline.run(str(sample), parse_period("2026Q3"), str(sample))
    assert [p.said.key for p in refused.problems if p.is_error] == ["folder.is_kept"]
