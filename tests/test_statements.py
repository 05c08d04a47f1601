"""Partner statements: the Statement page, the Lines sheet, shares that add up, and text kept as text."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import zipfile
from decimal import Decimal
from fractions import Fraction

import openpyxl
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from incentives import pipeline
from incentives.allocate import allocate
from incentives.classify import LANGUAGES, WORDS
from incentives.periods import parse_period
from incentives.write import rows
from incentives.write.statement_book import Grade, padded
from incentives.write.statements import statement_partners, statement_path, write_statement
from tests.builders import TIERS, line, make_inputs, partner, written_statements
from incentives.write.xlsx import MONEY
from tests.xlsx_text import XlsxText, render

D = Decimal


def statements(tmp_path, sales, period="2026Q3", targets=None, **inputs):
    """Run the pipeline on inline inputs and write the statements to tmp_path/out; `targets`:
    {tier: (annual_target_a, _b, _c)} in the Tiers sheet."""
    if targets:
        inputs["tiers"] = [(t, r, *targets.get(t, ())) for t, r in inputs.get("tiers", TIERS)]
    folder = make_inputs(tmp_path / "in", sales, **inputs)
    outcome = pipeline.run(folder, parse_period(period), tmp_path / "run")
    assert outcome.ok, [str(p) for p in outcome.problems]
    paths = written_statements(tmp_path / "out", outcome)
    return {p.stem: p for p in paths}, outcome


def statement_page(path) -> dict[str, tuple]:
    """Sheet Statement as {label: (value, note)}."""
    sheet = openpyxl.load_workbook(path)["Statement"]
    return {a: (b, c) for a, b, c in sheet.iter_rows(min_col=1, max_col=3, values_only=True) if a}


def lines_sheet(path) -> list[dict]:
    """Sheet Lines as one dict per row, the totals row last."""
    rows = list(openpyxl.load_workbook(path)["Lines"].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


SHARE = "Share of entitlement, points"


# ---------------------------------------------------------------- allocate


@pytest.mark.parametrize("total, weights, shares", [
    ("120000.00", ["1000000.01", "1000000.01", "1000000.01"], ["40000.00", "40000.00", "40000.00"]),
    ("20000.00", ["333333.33", "333333.33", "333333.33"], ["6666.67", "6666.67", "6666.66"]),
    ("0.01", ["1", "1", "1"], ["0.01", "0.00", "0.00"]),
    ("50000.00", ["3500000", "-1000000"], ["70000.00", "-20000.00"]),
    ("-10.00", ["-3", "-1"], ["-7.50", "-2.50"]),
    ("0.00", ["100", "-100"], ["0.00", "0.00"]),
    ("0.00", ["-5", "2"], ["0.00", "0.00"]),
    ("0.03", ["100", "-100"], ["0.02", "0.01"]),
    ("0.00", [], []),
], ids=["three-equal", "odd-cents-to-the-earlier", "one-cent-tie", "credit-note-negative-share",
        "negative-sum-of-weights", "zero-total-zero-sum", "zero-total", "zero-sum-shares-equally", "no-weights"])
def test_allocate_examples(total, weights, shares):
    assert allocate(D(total), [D(w) for w in weights]) == [D(s) for s in shares]


@pytest.mark.parametrize("total, weights", [("0.001", ["1"]), ("1.00", []), ("NaN", ["1"]), ("1.00", ["Infinity"])],
                         ids=["part-of-a-cent", "nowhere-to-put-it", "nan-total", "infinite-weight"])
def test_allocate_refuses_what_would_lose_or_invent_a_cent(total, weights):
    with pytest.raises(ValueError):
        allocate(D(total), [D(w) for w in weights])


money = st.integers(min_value=-10**12, max_value=10**12).map(lambda c: D(c) / 100)
weight = st.integers(min_value=-10**10, max_value=10**10).map(lambda c: D(c).scaleb(-2))


@given(money, st.lists(weight, min_size=1, max_size=30))
def test_shares_add_up_exactly_and_stay_within_a_cent(total, weights):
    shares = allocate(total, weights)
    assert sum(shares, D(0)) == total
    assert all(s == s.quantize(D("0.01")) for s in shares)
    whole = sum(weights, D(0))
    if whole:
        for s, w in zip(shares, weights):
            assert abs(Fraction(s) - Fraction(total) * Fraction(w) / Fraction(whole)) < Fraction(1, 100)


@given(money, st.lists(st.just(D("10.00")), min_size=1, max_size=12))
def test_equal_weights_differ_by_at_most_a_cent_earlier_first(total, weights):
    shares = allocate(total, weights)
    assert max(shares) - min(shares) <= D("0.01")
    assert shares == sorted(shares, reverse=True)


# ---------------------------------------------------------------- the Lines sheet


@pytest.mark.parametrize("amounts, entitlement, shares", [
    (["1000000.01", "1000000.01", "1000000.01"], "120000.00", ["40000.00", "40000.00", "40000.00"]),
    (["333333.33", "333333.33", "333333.33"], "20000.00", ["6666.67", "6666.67", "6666.66"]),
], ids=["3x1000000.01-at-4pct", "3x333333.33-at-2pct"])
def test_included_shares_add_up_to_the_entitlement(tmp_path, amounts, entitlement, shares):
    sales = {"a.xlsx": [line(f"I{i}", "2026-07-01", a) for i, a in enumerate(amounts)]}
    paths, outcome = statements(tmp_path, sales)
    assert outcome.settlement.rows[0].entitlement.amount == D(entitlement)
    *rows, total, _ = lines_sheet(paths["P1"])
    assert [r[SHARE] for r in rows] == [float(s) for s in shares]
    assert sum(D(str(r[SHARE])) for r in rows) == D(entitlement)
    assert total[SHARE] == float(entitlement)


def test_lines_keep_read_order_and_excluded_lines_have_no_share(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-04-10", 3500000), line("DEMO", "2026-08-01", 500, product_sku="DEMO"),
                        line("CN", "2026-08-10", -1000000)]}
    paths, _ = statements(tmp_path, sales, extra_program_sheets={
        "Exclusions": [{"field": "product_sku", "value": "DEMO"}]})
    *rows, total, excluded = lines_sheet(paths["P1"])
    assert [(r["Invoice"], r["Outcome"], r[SHARE]) for r in rows] == [
        ("A", "included", 70000.0), ("DEMO", "product excluded", None), ("CN", "included", -20000.0)]
    assert rows[1]["Detail"] == "product DEMO never earns"
    # included and excluded apart: 3,500,000 - 1,000,000 counted; the 500 excluded is not added to it
    assert (total["Source file"], total["Base amount, KZT"], total[SHARE]) == ("Included, 2 lines", 2500000.0, 50000.0)
    assert (excluded["Source file"], excluded["Base amount, KZT"]) == ("Excluded, 1 lines, not counted", 500.0)


def test_a_russian_statement_gives_the_detail_in_russian_and_the_summary_in_english(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-07-01", 100, pid="P1"), line("DEMO", "2026-08-01", 500, pid="P1",
                                                                      product_sku="DEMO"),
                        line("B", "2026-08-01", 500, pid="P2", product_sku="DEMO")]}
    paths, outcome = statements(tmp_path, sales, partners=[partner("P1", language="ru"), partner("P2")],
                                extra_program_sheets={"Exclusions": [{"field": "product_sku", "value": "DEMO"}]})
    russian, english = lines_sheet(paths["P1"])[1], lines_sheet(paths["P2"])[0]
    assert (russian["Пояснение"], english["Detail"]) == ("товар DEMO не дает начислений", "product DEMO never earns")
    excluded = outcome.settlement.lines.filter(pl.col("outcome") != "included")
    assert excluded["detail"].to_list() == ["product DEMO never earns"] * 2
    assert excluded["detail_ru"].to_list() == ["товар DEMO не дает начислений"] * 2


def test_every_line_word_has_each_language_with_the_same_values():
    for key, said in WORDS.items():
        assert len(said) == len(LANGUAGES) and all(said), key
        assert len({s.count("{}") for s in said}) == 1, key


# ---------------------------------------------------------------- the Statement page


@pytest.mark.parametrize("basis, words", [
    ("purchases", "1,230,000.00 KZT more purchases this year reach 4%"),
    ("sales", "1,230,000.00 KZT more sales this year reach 4%"),
], ids=["purchases", "sales"])
def test_next_band_in_words(tmp_path, basis, words):
    paths, _ = statements(tmp_path, {"a.xlsx": [line("A", "2026-07-01", "1770000.01")]}, program={"basis": basis})
    page = statement_page(paths["P1"])
    assert page["Rate reached"] == (0.02, "band over 0.00 KZT")
    assert page["To the next band, KZT"] == (1230000.0, words)
    assert page["Year-to-date entitlement, points"] == (
        35400.0, "1,770,000.01 × 2% = 35,400.0002, rounded to 35,400.00")


def test_highest_band_reached_and_incremental_arithmetic(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-02-10", 2700000), line("B", "2026-08-10", 800000)]}
    paths, _ = statements(tmp_path, sales, program={"tier_method": "incremental"})
    page = statement_page(paths["P1"])
    assert page["To the next band, KZT"] == (None, "the highest band is reached")
    assert page["  slice over 0.00 up to 3,000,000.00"] == (60000.0, "3,000,000.00 × 2% = 60,000.00")
    assert page["  slice over 3,000,000.00"] == (20000.0, "500,000.00 × 4% = 20,000.00")
    assert page["Year-to-date entitlement, points"] == (80000.0, "60,000.00 + 20,000.00 = 80,000.00")
    assert page["Previously credited, points"] == (54000.0, "recomputed from the same inputs")


def test_clawback_statement(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-04-10", 3500000), line("CN", "2026-08-10", -1000000)]}
    paths, _ = statements(tmp_path, sales)
    page = statement_page(paths["P1"])
    assert "Accrual, points" not in page
    # a points programme takes points back: its words are points, not payments
    assert page["Points taken back"] == (-90000.0, "50,000.00 − 140,000.00 = -90,000.00")
    assert page["Points for the period"] == (-90000.0, "-90,000.00 + 0.00 = -90,000.00")
    assert (page["Points credited"], page["Points debited"]) == ((0.0, None), (90000.0, "taken off the partner's points"))


def test_clawback_statement_of_a_currency_programme_says_to_pay_and_to_recover(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-04-10", 3500000), line("CN", "2026-08-10", -1000000)]}
    paths, _ = statements(tmp_path, sales, program={"unit": "KZT"})
    page = statement_page(paths["P1"])
    # Q2 paid 3,500,000 x 4% = 140,000; Q3 2,500,000 x 2% = 50,000: 90,000 owed back
    assert page["Claw-back, KZT"] == (-90000.0, "50,000.00 − 140,000.00 = -90,000.00")
    assert page["Total payable, KZT"] == (-90000.0, "-90,000.00 + 0.00 = -90,000.00")
    assert (page["To pay, KZT"], page["To recover, KZT"]) == ((0.0, None), (90000.0, "owed back by the partner"))


def test_carried_claw_back_explained_in_words(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-04-10", 3500000), line("CN", "2026-08-10", -1000000)]}
    program = {"unit": "KZT", "clawback": "carry_forward"}
    paths, _ = statements(tmp_path / "q3", sales, program=program)
    page = statement_page(paths["P1"])
    # Q3: −90,000 carried, nothing recovered now
    assert page["Net due, KZT"] == (-90000.0, "-90,000.00 + 0.00 = -90,000.00")
    assert page["Carried to the next period, KZT"] == (
        -90000.0, "90,000.00 KZT is not claimed back now: it is offset against what the next periods earn; what "
                  "remains after Q4 2026 is owed back")
    assert (page["To pay, KZT"], page["To recover, KZT"]) == ((0.0, None), (0.0, None))
    # Q4: +3,000,000 → 5,500,000 x 4% = 220,000 − 50,000 settled = 170,000; − 90,000 carried = 80,000 paid
    more = {**sales, "b.xlsx": [line("B", "2026-11-10", 3000000)]}
    paths, _ = statements(tmp_path / "q4", more, period="2026Q4", program=program)
    page = statement_page(paths["P1"])
    assert page["Carried from the period before, KZT"] == (
        -90000.0, "90,000.00 KZT settled earlier beyond the entitlement and not yet recovered: offset against this "
                  "period")
    assert page["Net due, KZT"] == (80000.0, "170,000.00 + -90,000.00 = 80,000.00")
    assert (page["To pay, KZT"], page["To recover, KZT"]) == ((80000.0, None), (0.0, None))


def test_russian_points_statement_credits_and_debits_points(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-04-10", 3500000), line("CN", "2026-08-10", -1000000)]}
    paths, _ = statements(tmp_path, sales, partners=[partner("P1", language="ru")])
    page = statement_page(paths["P1"])
    assert page["Итого баллов за период"][0] == -90000.0
    assert page["Начислено баллов"] == (0.0, None)
    assert page["Списано баллов"] == (90000.0, "списывается с баллов партнера")
    assert not any("выплат" in label for label in page), list(page)


def test_excluded_lines_by_reason(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-07-01", 100), line("A", "2026-07-01", 100), line("L", "2026-10-01", 40),
                        line("M", "2026-11-01", 2)]}
    paths, _ = statements(tmp_path, sales)
    page = statement_page(paths["P1"])
    assert (page["Included lines"][0], page["Excluded lines"][0], page["Excluded amount, KZT"][0]) == (1, 3, 142.0)
    # the amount under the page's amounts (B), the count apart from it (C), no code in brackets
    assert page["duplicate line"] == (100.0, 1)
    assert page["out of period"] == (42.0, 2)
    sheet = openpyxl.load_workbook(paths["P1"])["Statement"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "out of period")
    assert (row[1].number_format, row[1].alignment.horizontal) == (padded(MONEY), None)  # right, room after it
    assert (row[2].alignment.horizontal, row[2].alignment.indent) == ("left", 2)  # never runs into B's amount
    *_, included, excluded = lines_sheet(paths["P1"])
    # 100 counted; 100 + 40 + 2 excluded, apart
    assert (included["Base amount, KZT"], excluded["Base amount, KZT"]) == (100.0, 142.0)
    assert [r["Detail"] for r in lines_sheet(paths["P1"])[1:4]] == [
        "the same line was already read", "dated after the period's end 30 Sep 2026: counts in Q4 2026",
        "dated after the period's end 30 Sep 2026: counts in Q4 2026"]


TARGETS = {"Primary": (3000000, 2000000, 1000000)}
GRADE, NEXT_GRADE = "Grade reached, year to date", "To the next grade, KZT"


@pytest.mark.parametrize("amount, grade, to_next, words", [
    ("999999.99", "none", 0.01, "0.01 KZT more purchases this year reach grade C"),
    ("1000000", "C", 1000000.0, "1,000,000.00 KZT more purchases this year reach grade B"),
    ("2500000", "B", 500000.0, "500,000.00 KZT more purchases this year reach grade A"),
    ("3000000", "A", None, "the highest grade is reached"),
], ids=["below-every-target", "on-the-c-target", "between-b-and-a", "on-the-a-target"])
def test_grade_reached_and_what_the_next_needs(tmp_path, amount, grade, to_next, words):
    paths, _ = statements(tmp_path, {"a.xlsx": [line("A", "2026-07-01", amount)]}, targets=TARGETS)
    page = statement_page(paths["P1"])
    assert page[GRADE] == (grade, "annual targets: A 3,000,000.00, B 2,000,000.00, C 1,000,000.00 KZT")
    assert page[NEXT_GRADE] == (to_next, words)


def test_grade_is_year_to_date_and_needs_only_the_targets_given(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-02-10", 700000), line("B", "2026-08-10", 400000)]}
    paths, _ = statements(tmp_path, sales, targets={"Primary": (None, 1000000, None)})
    page = statement_page(paths["P1"])
    assert page[GRADE] == ("B", "annual targets: B 1,000,000.00 KZT")
    assert page[NEXT_GRADE] == (None, "the highest grade is reached")


def test_no_grade_rows_when_the_tier_sets_no_target(tmp_path):
    paths, _ = statements(tmp_path, {"a.xlsx": [line("A", "2026-07-01", 100)]})
    page = statement_page(paths["P1"])
    assert GRADE not in page and NEXT_GRADE not in page


@pytest.mark.parametrize("partners, program", [
    ([partner("P1", language="ru")], {}),
    ([partner("P1")], {"language": "ru"}),
], ids=["partner-language", "program-default"])
def test_russian_labels(tmp_path, partners, program):
    sales = {"a.xlsx": [line("A", "2026-07-01", "1770000.01"), line("A", "2026-07-01", "1770000.01")]}
    paths, _ = statements(tmp_path, sales, partners=partners, program=program, targets=TARGETS)
    page = statement_page(paths["P1"])
    assert page["Начислено с начала года, баллы"][0] == 35400.0
    nbsp = "\u00a0"  # Russian thousands separator in text
    assert page["До следующего порога, KZT"] == (
        1230000.0, f"еще 1{nbsp}230{nbsp}000,00 KZT закупок в этом году дадут ставку 4%")
    millions = ", ".join(f"{g} {n}{nbsp}000{nbsp}000,00" for g, n in zip("ABC", "321"))
    assert page["Оценка с начала года"] == ("C", f"годовые цели: {millions} KZT")
    assert page["До следующей оценки, KZT"] == (229999.99, f"еще 229{nbsp}999,99 KZT закупок в этом году дадут оценку B")
    assert page["повторная строка"] == (1770000.01, 1)
    # the period as a Russian reader names it, its dates as the inputs write them; the unit in words
    assert page["Выписка за III квартал 2026"] == (None, None)
    assert page["Период"] == ("III квартал 2026", "с 01.07.2026 по 30.09.2026")
    assert page["Конец периода"] == ("30.09.2026", None)
    assert page["Единица начисления"] == ("баллы", None)
    assert [r["Результат"] for r in lines_sheet(paths["P1"])[:2]] == ["учтена", "повторная строка"]
    header = list(lines_sheet(paths["P1"])[0])
    assert header[:4] == ["Файл", "Строка файла", "Дата счета", "Номер счета"]


EVIL = '=HYPERLINK("http://evil","x")'


def test_text_from_inputs_stays_text(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-07-01", 100, customer_name=EVIL),
                        line("B", "2026-07-01", 100, customer_name="@SUM(A1)", product_sku="+1-1")]}
    paths, _ = statements(tmp_path, sales, partners=[partner("P1", partner_name=EVIL)])
    book = openpyxl.load_workbook(paths["P1"])
    name = book["Statement"]["B5"]
    assert (name.value, name.data_type) == (EVIL, "s")
    cells = [c for row in book["Lines"].iter_rows(min_row=2, max_row=3) for c in row
             if c.value in (EVIL, "@SUM(A1)", "+1-1")]
    assert [(c.value, c.data_type) for c in cells] == [(EVIL, "s"), ("@SUM(A1)", "s"), ("+1-1", "s")]
    assert not book["Statement"]._hyperlinks and not book["Lines"]._hyperlinks


def test_statements_in_a_pool_and_in_batches_are_the_same_bytes(tmp_path, sample_run):
    outcome = sample_run
    told, told_alone = {}, {}  # each statement's sha256, as its writer (a worker of the pool) tells it
    alone = written_statements(tmp_path / "alone", outcome, workers=1, hashed=told_alone)
    pooled = written_statements(tmp_path / "pooled", outcome, workers=2, batch_lines=60, hashed=told)
    assert len(alone) == 37 and [p.name for p in alone] == [p.name for p in pooled]
    assert [p.read_bytes() for p in alone] == [p.read_bytes() for p in pooled]
    assert told == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in pooled}
    assert told_alone == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in alone}


def test_two_runs_are_byte_identical(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-07-01", 100), line("B", "2026-08-01", 200, currency="USD")]}
    first, outcome = statements(tmp_path, sales, fx=[("USD", "2026-08", "480.125")])
    again = written_statements(tmp_path / "again", outcome)
    assert [p.read_bytes() for p in first.values()] == [p.read_bytes() for p in again]


def test_statement_arguments_survive_a_process_pool(tmp_path):
    paths, outcome = statements(tmp_path, {"a.xlsx": [line("A", "2026-07-01", 100)]}, targets=TARGETS)
    s = outcome.settlement
    args = (outcome.inputs.program, s.rows[0], s.lines, (), s.settled_from, s.period,
            Grade("", D("999900.00"), "C", (("A", D(3000000)), ("B", D(2000000)), ("C", D(1000000)))), s.run_id)
    write_statement(tmp_path / "pickled.xlsx", *pickle.loads(pickle.dumps(args)))
    assert (tmp_path / "pickled.xlsx").read_bytes() == paths["P1"].read_bytes()


SHARED = ("[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/theme/theme1.xml",
          "docProps/core.xml", "docProps/app.xml", "xl/styles.xml")
OWN = ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml", "xl/workbook.xml")


def entries(path) -> dict[str, bytes]:
    """Each part of a workbook as it lies in the zip: its local header and compressed data."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        out = {}
        for info in z.infolist():
            start = info.header_offset
            name, extra = (int.from_bytes(data[start + k:start + k + 2], "little") for k in (26, 28))
            out[info.filename] = data[start:start + 30 + name + extra + info.compress_size]
        return out


def test_parts_every_statement_has_the_same_are_compressed_once_a_batch(tmp_path, monkeypatch):
    # Three partners with the same page (no grade, no bonus) and 1, 2 and 3 lines: their statements
    # differ in the sheets, the strings and the workbook (the Lines autofilter's last row), and in
    # nothing else.
    sales = {"a.xlsx": [line(f"I{k}", "2026-07-01", 100 * k, pid=p) for p, n in (("P1", 1), ("P2", 2), ("P3", 3))
                        for k in range(1, n + 1)]}
    folder = make_inputs(tmp_path / "in", sales, partners=[partner("P1"), partner("P2"), partner("P3")])
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "run")
    compressed = []
    deflated = rows._deflated

    def counted(name, *args):
        compressed.append(name)
        return deflated(name, *args)

    monkeypatch.setattr(rows, "_deflated", counted)
    paths = written_statements(tmp_path / "out", outcome, workers=1)
    # the first statement compresses every part; the next two, only their own parts (and the Lines
    # sheet, written around its body): each shared part was compressed once
    assert sorted(compressed) == sorted([*SHARED, *OWN] + 2 * ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml",
                                                           "xl/workbook.xml", "xl/worksheets/sheet2.xml"])
    parts = [entries(path) for path in paths]
    assert [sorted(p) for p in parts] == [sorted(SHARED + OWN)] * 3
    for name in SHARED:  # copied as the first statement's bytes
        assert parts[0][name] == parts[1][name] == parts[2][name], name
    for name in OWN:
        assert len({p[name] for p in parts}) == 3, name
    # and a statement written alone, compressing everything, is the same file
    monkeypatch.undo()
    alone = written_statements(tmp_path / "alone", outcome, workers=1, batch_lines=1)
    assert [p.read_bytes() for p in alone] == [p.read_bytes() for p in paths]


# ---------------------------------------------------------------- who gets one


def test_who_gets_a_statement(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-07-01", 100), line("E", "2025-06-01", 50, pid="P3"),
                        line("U", "2026-07-01", 70, pid="NOPE")]}
    paths, outcome = statements(tmp_path, sales, partners=[partner("P1"), partner("P2"), partner("P3")])
    # P2: in the roster, no line, nothing payable. P3: only an excluded line. NOPE: not in the roster.
    assert sorted(paths) == ["P1", "P3"]
    assert sorted(p.name for p in (tmp_path / "out" / "statements").iterdir()) == ["P1.xlsx", "P3.xlsx"]
    rows = {r.partner.partner_id: r for r in outcome.settlement.rows}
    settled_before = dataclasses.replace(outcome.settlement, rows=(
        rows["P1"], dataclasses.replace(rows["P2"], previously_settled=D("5.00")), rows["P3"]))
    assert [r.partner.partner_id for r in statement_partners(settled_before)] == ["P1", "P2", "P3"]
    # A statement without lines still explains the claw-back.
    paths = {p.stem: p for p in written_statements(tmp_path / "again", outcome, settled_before)}
    assert statement_page(paths["P2"])["Points taken back"][0] == -5.0
    blank = dict.fromkeys(lines_sheet(paths["P1"])[0], None)
    assert lines_sheet(paths["P2"]) == [
        {**blank, "Source file": "Included, 0 lines", "Base amount, KZT": 0.0, SHARE: 0.0},
        {**blank, "Source file": "Excluded, 0 lines, not counted", "Base amount, KZT": 0.0}]


@pytest.mark.parametrize("partner_id", ["../P1", "a/b", "..", ""], ids=["parent", "subfolder", "dots", "empty"])
def test_statement_path_stays_in_its_folder(tmp_path, partner_id):
    with pytest.raises(ValueError):
        statement_path(tmp_path, partner_id)


def test_bonus_awards_listed(tmp_path):
    bonus = {"name": "Best partner", "scope": "country", "metric": "eligible_base", "period": "quarter",
             "winners": 1, "award": "fixed", "amount": 10000, "min_base": 0}
    paths, _ = statements(tmp_path, {"a.xlsx": [line("A", "2026-07-01", 1000)]},
                          extra_program_sheets={"Bonuses": [bonus]})
    page = statement_page(paths["P1"])
    assert page["Bonus, points"] == (10000.0, None)
    assert page["  Best partner"] == (10000.0, "KZ, rank 1")
    assert page["Points for the period"][0] == 10020.0


# ---------------------------------------------------------------- snapshot


def test_statement_snapshot(tmp_path, snapshot):
    bonus = {"name": "Best partner", "scope": "country", "metric": "eligible_base", "period": "quarter",
             "winners": 1, "award": "fixed", "amount": 10000, "min_base": 0}
    sales = {"a.xlsx": [line("A", "2026-04-10", 2500000, customer_name="Astana Steel"),
                        line("B", "2026-07-15", "1000.50", currency="USD", quantity=2, customer_name="Kaspi Lab"),
                        line("B", "2026-07-15", "1000.50", currency="USD", quantity=2, customer_name="Kaspi Lab"),
                        line("C", "2026-08-01", 900000, customer_type="reseller", customer_name="Alma Trade"),
                        line("CN", "2026-09-01", -200000, quantity=-1, customer_name="Astana Steel"),
                        line("D", "2026-09-02", 5000, product_sku="DEMO", customer_name="Astana Steel")]}
    paths, _ = statements(
        tmp_path, sales, fx=[("USD", "2026-07", "480.125")], targets={"Primary": (5000000, 4000000, 3000000)},
        extra_program_sheets={"Bonuses": [bonus], "Exclusions": [{"field": "product_sku", "value": "DEMO"}],
                              "ChannelRules": [{"role": "reseller", "customer_type": "reseller", "action": "flag"}]})
    assert render(paths["P1"]) == snapshot(extension_class=XlsxText)


# ---------------------------------------------------------------- the reader's words (issue 18)


def test_every_catalogue_has_the_english_keys_and_placeholders():
    from string import Formatter

    from incentives import words

    def fields(text):
        return sorted(f or "{}" for _, f, _, _ in Formatter().parse(text) if f is not None)

    for language, said in words.CATALOGUES.items():
        assert set(said) == set(words.EN), language
        offered = {"index", "roman", "month", "year", "period", "n"}  # a period's label may use any of them
        assert [k for k in said if not (set(fields(said[k])) <= offered if k.startswith("period:")
                                        else fields(said[k]) == fields(words.EN[k]))] == [], language


def test_a_statement_names_its_run_and_period_end_and_no_folder(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-07-01", 100), line("L", "2026-10-02", 40), line("Y", "2027-01-05", 7)]}
    folder = make_inputs(tmp_path / "in", sales, partners=[partner("P1", language="ru")])
    outcome = pipeline.run(folder, parse_period("2026Q3"), tmp_path / "run")
    settlement = dataclasses.replace(outcome.settlement, run_id="ab" * 32, settled_from=dataclasses.replace(
        outcome.settlement.settled_from, how="ledger", ledger=str(tmp_path / "chain-q2")))
    path, = written_statements(tmp_path / "out", outcome, settlement)
    page = statement_page(path)
    assert page["Идентификатор расчета"][0] == "ab" * 6  # the run id, shortened
    assert page["Конец периода"][0] == "30.09.2026"
    assert page["Ранее начислено баллов"][1] == "по реестру начислений предыдущего расчета"  # points words (issue 16)
    book = openpyxl.load_workbook(path)
    cells = [c.value for ws in book for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert not any("chain-q2" in c or str(tmp_path) in c for c in cells)
    footer = book["Statement"].oddFooter
    assert footer.left.text.endswith("III квартал 2026 · расчет abababababab")
    assert footer.right.text == "Страница &P из &N"
    details = [r["Пояснение"] for r in lines_sheet(path)[1:3]]
    # October counts in the fourth quarter; a line of 2027 in that year
    assert details == ["дата позже конца периода 30.09.2026: учитывается в периоде IV квартал 2026",
                       "дата позже конца периода 30.09.2026: учитывается в периоде I квартал 2027"]


def test_codes_a_reader_sees_are_words(tmp_path):
    sales = {"a.xlsx": [line("A", "2026-07-01", 100, customer_type="end_user")]}
    paths, _ = statements(tmp_path, sales, partners=[partner("P1", language="ru")])
    row = lines_sheet(paths["P1"])[0]
    assert (row["Тип клиента"], row["Результат"]) == ("конечный пользователь", "учтена")


def test_padded_keeps_every_section():
    assert padded("#,##0.00;[Red]-#,##0.00") == '#,##0.00"  ";[Red]-#,##0.00"  "'
