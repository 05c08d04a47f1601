"""The contract's "Numbers as Excel shows them": one rule, whichever path reads a cell.

A number cell reaches calc as the shortest decimal of its double (3703701.3000000003);
calc reads it as Excel shows it, rounded half-even to 15 significant digits. Number
text must have at most 15 significant digits, ASCII digits only; error values and
10^15 or more are located errors.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal

import openpyxl
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from incentives import schema
from incentives.problems import Problem
from incentives.read import values
from incentives.read.table import convert, read_table
from incentives.read.workbook import open_book

D = Decimal
AMOUNT = schema.SALES.column("net_amount")


@pytest.mark.parametrize("text, value", [
    # 3703701.3000000003: 17 significant digits, rounded to 15 -> 3703701.30000000 -> 3703701.3
    ("3703701.3000000003", "3703701.3"),
    ("0.30000000000000004", "0.3"),  # 0.1 + 0.2 in a formula
    ("1344.0000000000002", "1344"),
    # xlsxwriter stores 8719891.94 as '%.16G': 8719891.939999999, the same double, whose shortest
    # decimal is 8719891.94 (rounding the 16 digits directly would give 8719891.94000000 too)
    ("8719891.939999999", "8719891.94"),
    # Excel's 17 digits of the double nearest 35184372088832.55: shortest 35184372088832.55, a tie at
    # the 16th digit, half-even -> .6 (rounding the 17 digits directly would give .5)
    ("35184372088832.547", "35184372088832.6"),
    # 123456789012345.5: 16 digits; half-even at the 15th: ...345|.5 -> ...346 (5 is odd)
    ("123456789012345.5", "123456789012346"),
    # 12345678901234.25 is exactly a double: ...234.2|5 -> ...234.2 (2 is even)
    ("12345678901234.25", "12345678901234.2"),
    ("999999999999999", "999999999999999"),  # 15 nines: the largest whole number below 10^15
    ("1 200 000,00", "1200000"),
], ids=lambda v: v)
def test_numbers_as_excel_shows_them(text, value):
    assert values.parse_decimal(text) == D(value)


@pytest.mark.parametrize("text, message", [
    ("-３０００００0", 'holds the character "３" (FULLWIDTH DIGIT THREE): only the digits 0-9 make a number'),
    ("١٠٠٠٠٠٠", 'holds the character "١" (ARABIC-INDIC DIGIT ONE): only the digits 0-9 make a number'),
    ("1 ٢00", 'holds the character "٢" (ARABIC-INDIC DIGIT TWO): only the digits 0-9 make a number'),
    ("1e999999999", "is too large: numbers must be below 10^15"),
    ("-1e15", "is too large: numbers must be below 10^15"),
    ("1 000 000 000 000 000", "is too large: numbers must be below 10^15"),
    # 999999999999999.9 rounds to 10^15 at 15 digits
    ("999999999999999.9", "is too large: numbers must be below 10^15"),
    # typed text, not a double's shortest form: 0.1234567890123456789 is 0.12345678901234568 as a double
    ("0.1234567890123456789", "has 19 significant digits; a number has at most 15"),
    ("1 234 567,123456789012", "has 19 significant digits; a number has at most 15"),
], ids=["fullwidth", "arabic-indic", "mixed", "1e999999999", "-1e15", "grouped-1e15", "rounds-to-1e15",
        "19-digits", "19-digits-grouped"])
def test_numbers_refused(text, message):
    with pytest.raises(values.BadValue) as refused:
        values.parse_decimal(text)
    assert refused.value.message.startswith(message)


@pytest.mark.parametrize("kind_column, text, message", [
    (schema.SALES.column("line_no"), "#N/A", "is an error value #N/A, not a whole number"),
    (AMOUNT, "#DIV/0!", "is an error value #DIV/0!, not a number"),
    (schema.SALES.column("invoice_date"), "#VALUE!", "is an error value #VALUE!, not a date"),
    (schema.SALES.column("partner_id"), "#REF!", "is an error value #REF!, not text"),
    (schema.SALES.column("invoice_date"), "٢٠٢٦-٠٧-٠١", 'holds the character "٢" (ARABIC-INDIC DIGIT TWO)'),
    (schema.RATES.column("month"), "２０２６-07", 'holds the character "２" (FULLWIDTH DIGIT TWO)'),
], ids=["line_no", "amount", "date", "text", "arabic-date", "fullwidth-month"])
def test_error_values_and_foreign_digits_in_every_kind(kind_column, text, message):
    typed, bad = convert(pl.Series([text]), kind_column)
    assert [(i, t) for i, t, _ in bad] == [(0, text)] and bad[0][2].message.startswith(message)
    assert typed[0] is None or kind_column.default is not None


def _one_by_one(texts: list[str]) -> list[Decimal | None]:
    out = []
    for t in texts:
        try:
            out.append(values.parse_decimal(t))
        except values.BadValue:
            out.append(None)
    return out


def _shortest(x: float) -> str:
    """A number cell's shortest round-trip decimal, no exponent."""
    return f"{Decimal(repr(x)):f}"


def _stored(x: float, digits: int) -> str:
    """A number cell as a writer stores it: 17 digits (Excel), 16 (xlsxwriter), no exponent."""
    return f"{Decimal(f'%.{digits}g' % x):f}"


finite = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False)
doubles = st.one_of(finite.map(_shortest), finite.map(lambda x: _stored(x, 17)), finite.map(lambda x: _stored(x, 16)))
digits = st.text("0123456789", min_size=1, max_size=20)
typed_text = st.builds(lambda sign, whole, frac: f"{sign}{whole}" + (f".{frac}" if frac else ""),
                       st.sampled_from(["", "-"]), digits, st.one_of(st.just(""), digits))
odd = st.sampled_from(["１２", "٣.5", "#N/A", "1e999999999", "1e5", "-0", "0.00000000001", "1,5", "(12)"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(doubles, typed_text, odd), min_size=1, max_size=30))
@example(["3703701.3000000003", "0.30000000000000004", "123456789012345.5", "999999999999999.9",
          "0.1234567890123456789", "-３０００００0"])
def test_the_vectorized_path_and_parse_decimal_agree(texts):
    """`table.convert` reads plain texts in polars and the rest through `parse_decimal`: for
    any mix of number cells and typed text, each cell's value (or refusal) is the same as
    `parse_decimal` gives it alone."""
    typed, bad = convert(pl.Series(texts, dtype=pl.String), AMOUNT)
    expected = _one_by_one(texts)
    assert [v if v is None else D(v).normalize() for v in typed.to_list()] == \
        [v if v is None else v.normalize() for v in expected]
    assert sorted(i for i, _, _ in bad) == [i for i, v in enumerate(expected) if v is None]


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e14, max_value=1e14, allow_nan=False, allow_infinity=False))
@example(35184372088832.55)
def test_a_number_cell_is_its_value_at_15_significant_digits(x):
    """Checked without calc's rounding: Python's '%.15g' rounds the double's exact binary
    value at 15 significant digits. The contract rounds its shortest decimal instead; the
    two differ only where that decimal ends in a 5 at the 16th digit (35184372088832.55 is
    stored a hair below .55: '%.15g' gives .5, the contract half-even .6)."""
    shortest = _shortest(x)
    try:
        got = values.parse_decimal(shortest)
    except values.BadValue as refused:
        assert "decimals" in refused.message  # below 10^-10 after rounding: calc keeps 10 decimals
        return
    # stored with 17 digits (Excel), or with 16 where they still name the same double, it reads the same
    assert values.parse_decimal(_stored(x, 17)) == got
    if float(_stored(x, 16)) == x:
        assert values.parse_decimal(_stored(x, 16)) == got
    assert len(got.normalize().as_tuple().digits) <= 15
    digits = shortest.lstrip("-").replace(".", "").lstrip("0")
    if len(digits) == 16 and digits.endswith("5"):
        unit = D(1).scaleb(D(shortest).adjusted() - 14)  # the 15th digit's place
        assert abs(got - D(shortest)) == unit / 2 and (got / unit) % 2 == 0  # a tie goes to the even digit
    else:
        assert got == D("%.15g" % x)


def _sheet_with_errors(path, rows, errors):
    """An .xlsx as Excel writes error cells (`t="e"`, the value `#N/A`); openpyxl writes the
    rest. `errors`: cell reference -> error value, with `=FORMULA` or without."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sales"
    for r in rows:
        sheet.append(r)
    for ref in errors:
        sheet[ref] = "PLACEHOLDER"
    book.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, (value, formula) in errors.items():
        f = f"<f>{formula}</f>" if formula else ""
        xml = re.sub(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', f'<c r="{ref}" t="e">{f}<v>{value}</v></c>', xml)
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    # as Excel saves it: values calculated (openpyxl asks for a recalculation on opening)
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'fullCalcOnLoad="1"', b"")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


HEADER = ["invoice_id", "line_no", "invoice_date", "partner_id", "customer_name", "customer_type", "product_sku",
          "quantity", "net_amount", "currency"]


def test_a_sheet_names_each_bad_number_cell(tmp_path):
    path = tmp_path / "s.xlsx"
    day = dt.date(2026, 7, 1)
    _sheet_with_errors(path, [
        HEADER,
        ["I1", 1, day, "P1", "C", "end_user", "S", 1, 3703701.3000000003, "KZT"],  # a number cell, 17 digits
        ["I2", None, day, "P1", "C", "end_user", "S", 1, "-３０００００0", "KZT"],
        ["I3", 2, day, None, "C", "end_user", "S", 1, "١٠٠٠٠٠٠", "KZT"],
        ["I4", 3, day, "P1", "C", "end_user", "S", 1, "1e999999999", "KZT"],
        ["I5", 4, day, "P1", "C", "end_user", "S", 1, None, "KZT"],
    ], {"B3": ("#N/A", "NA()"), "D4": ("#N/A", None), "I6": ("#DIV/0!", "1/0")})
    table, problems = read_table(open_book(path, "sales/s.xlsx"), schema.SALES)
    assert [str(p) for p in sorted(problems, key=Problem.sort_key)] == [
        'sales/s.xlsx:Sales!B3: line_no "#N/A" is an error value #N/A, not a whole number '
        "(correct the formula that gives it, or type the value)",
        'sales/s.xlsx:Sales!I3: net_amount "-３０００００0" holds the character "３" (FULLWIDTH DIGIT THREE): only '
        "the digits 0-9 make a number (retype the value with the digits 0-9)",
        'sales/s.xlsx:Sales!D4: partner_id "#N/A" is an error value #N/A, not text '
        "(correct the formula that gives it, or type the value)",
        'sales/s.xlsx:Sales!I4: net_amount "١٠٠٠٠٠٠" holds the character "١" (ARABIC-INDIC DIGIT ONE): only '
        "the digits 0-9 make a number (retype the value with the digits 0-9)",
        'sales/s.xlsx:Sales!I5: net_amount "1e999999999" is too large: numbers must be below 10^15 '
        "(1 000 000 000 000 000), as Excel keeps 15 digits (check the cell; split a larger amount)",
        'sales/s.xlsx:Sales!I6: net_amount "#DIV/0!" is an error value #DIV/0!, not a number '
        "(correct the formula that gives it, or type the value)",
    ]
    assert table.frame["net_amount"][0] == D("3703701.3")


def _invoke(*args):
    from click.testing import CliRunner

    from incentives.cli import main
    return CliRunner().invoke(main, [str(a) for a in args])


def _set_cell(path, sheet, ref, value):
    book = openpyxl.load_workbook(path)
    book[sheet][ref] = value
    book.save(path)


def test_foreign_digits_in_fx_rates_and_rate_bands_are_located_errors(tmp_path):
    """They crashed with exit 3 before; now exit 1, each naming its cell."""
    from tests.builders import line, make_inputs
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-07-01", 10, currency="USD")]},
                         fx=[("USD", "2026-07", "480")])
    _set_cell(folder / "fx_rates.xlsx", "Rates", "C2", "٤٨٠")
    _set_cell(folder / "program.xlsx", "RateBands", "C2", "０.02")
    result = _invoke("run", folder, "--period", "2026Q3", "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert 'fx_rates.xlsx:Rates!C2: rate "٤٨٠" holds the character "٤" (ARABIC-INDIC DIGIT FOUR)' in result.output
    assert 'program.xlsx:RateBands!C2: rate "０.02" holds the character "０" (FULLWIDTH DIGIT ZERO)' in result.output
    assert not (tmp_path / "out").exists()


def test_the_ledger_read_back_follows_the_same_rule(tmp_path):
    from tests.builders import line, make_inputs
    folder = make_inputs(tmp_path / "in", {"a.xlsx": [line("A", "2026-02-01", 1000), line("B", "2026-07-01", 10)]})
    q1 = tmp_path / "q1"
    assert _invoke("run", folder, "--period", "2026Q1", "--out", q1).exit_code == 0
    header = [c.value for c in openpyxl.load_workbook(q1 / "ledger.xlsx")["Ledger"][1]]
    accrual = openpyxl.utils.get_column_letter(header.index("accrual") + 1)
    _set_cell(q1 / "ledger.xlsx", "Ledger", f"{accrual}2", "２0")
    result = _invoke("run", folder, "--period", "2026Q2", "--out", tmp_path / "q2", "--ledger", q1)
    assert result.exit_code == 1, result.output
    assert f'ledger.xlsx:Ledger!{accrual}2: accrual "２0" holds the character "２" (FULLWIDTH DIGIT TWO)' \
        in result.output


def test_error_cells_are_found_where_cells_have_no_address(tmp_path):
    """Cells written without `r=` (some exporters do) send the guard to its exact scan,
    which must find error values too."""
    path = tmp_path / "s.xlsx"
    day = dt.date(2026, 7, 1)
    _sheet_with_errors(path, [HEADER, ["I1", None, day, "P1", "C", "end_user", "S", 1, 5, "KZT"]],
                       {"B2": ("#N/A", None)})
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    _, problems = read_table(open_book(path, "sales/s.xlsx"), schema.SALES)
    assert [str(p) for p in problems] == [
        'sales/s.xlsx:Sales!B2: line_no "#N/A" is an error value #N/A, not a whole number '
        "(correct the formula that gives it, or type the value)"]
