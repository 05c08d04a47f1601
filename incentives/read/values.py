"""Parsing one cell into a typed value, at the edge, once; and each column kind declared once.

These functions are the only place where a cell's text becomes a Decimal, a date, a
choice or a yes/no; each returns the value or raises `BadValue` with what is wrong.
`KINDS` declares every column kind in one place, as beangulp's column specs do: its
parser, its polars dtype, the texts polars may cast as they are (the vectorized path),
whether the reader takes its cells typed (numbers as doubles, date cells as dates) and
the template's cell format. `table.py`, `load.py` and `templates.py` read them there;
the words a user is told about a kind are the catalogues' (`kind.expected:<kind>`, `kind.what:<kind>`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext, ROUND_HALF_EVEN

import polars as pl

from incentives.problems import Told, hint_of, said
from incentives.schema import Column, Kind, NO_WORDS, YES_WORDS, normalize_word

# Excel shows and keeps 15 significant digits; a double's extra digits are noise
# from formulas (0.1 + 0.2 = 0.30000000000000004), dropped when the cell is read.
EXCEL_DIGITS = 15
# Decimals kept from a cell: amounts, quantities and fx rates alike.
SCALE = 10
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_SERIAL = 2958465  # 9999-12-31
LIMIT = Decimal(10) ** EXCEL_DIGITS  # from here on Excel no longer holds every unit
# What Excel shows in a cell whose formula failed (and writes into a CSV for it).
ERROR_VALUES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
                "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!", "#PYTHON!", "#EXTERNAL!")

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_PLAIN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_GROUPED = re.compile(r"[0-9]{1,3}([ .,][0-9]{3})+", re.ASCII)
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?")
_DOT_DATE = re.compile(r"([0-9]{1,2})[./]([0-9]{1,2})[./]([0-9]{4})")
_SERIAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
_DOT_MONTH = re.compile(r"([0-9]{1,2})[./]([0-9]{4})")
_NOT_A_NUMBER = "value.not_a_number/hint"


class BadValue(ValueError, Told):
    """What is wrong with a cell's text: a message of the catalogues, said after the cell's
    column and text (`net_amount "3 000 тг" is not a number`), and its hint."""

    def __init__(self, key: str, hint: str = "", **values):
        self.said = said(key, **values)
        self.hinted = hint_of(self.said, hint)
        super().__init__(key)  # told when read (`__str__`): a column of bad cells makes thousands

    def __str__(self) -> str:
        return self.said.text()


def error_value(text: str) -> str | None:
    """The Excel error value a cell shows (`#N/A`, `#DIV/0!`, ...), or None."""
    word = text.strip()
    return word if word in ERROR_VALUES else None


def check_digits(text: str) -> None:
    """Only ASCII digits make a number: `３` (fullwidth) or `٣` (Arabic-Indic) would be
    read as 3 by Python and as nothing by Excel."""
    for ch in text:
        if not ch.isascii() and (ch.isdigit() or ch.isnumeric()):
            name = unicodedata.name(ch, f"U+{ord(ch):04X}")
            raise BadValue("value.odd_digit", char=ch, name=name)


def excel_number(value: Decimal) -> Decimal:
    """A number as Excel shows it: rounded half-even to 15 significant digits."""
    if len(value.as_tuple().digits) <= EXCEL_DIGITS:
        return value
    with localcontext() as ctx:
        ctx.prec = EXCEL_DIGITS
        ctx.rounding = ROUND_HALF_EVEN
        return +value


def _significant(value: Decimal) -> int:
    digits = "".join(map(str, value.as_tuple().digits)).strip("0")
    return len(digits) or 1


# A number cell's text as a writer stores it: Excel writes up to 17 significant digits
# (3703701.3000000003), xlsxwriter 16 (8719891.939999999 for 8719891.94). More than
# that is typed text, never a stored double.
DOUBLE_DIGITS = 17


def shortest(text: str) -> Decimal:
    """The shortest decimal that reads back as the double `text` stands for."""
    return Decimal(repr(float(text)))


def parse_decimal(text: str) -> Decimal:
    """The number of a cell's text: the one number rule, for number cells (as the reader
    hands them over: the text the file stores, up to 17 significant digits) and number
    text alike. The vectorized path of `table.convert` takes only texts this function
    reads as they are (at most 15 significant digits)."""
    check_digits(text)
    raw = text.strip()
    negative = raw.startswith("(") and raw.endswith(")")
    if negative:
        raw = raw[1:-1]
    compact = _SPACES.sub("", raw)
    plain = bool(_PLAIN.fullmatch(compact))
    if not plain:
        compact = _ungroup(raw)
    try:
        value = Decimal(compact)
    except InvalidOperation:
        raise BadValue("value.not_a_number") from None
    if not value.is_finite():
        raise BadValue("value.not_finite", _NOT_A_NUMBER)
    if value.adjusted() < EXCEL_DIGITS and (digits := _significant(value)) > EXCEL_DIGITS:
        # a stored double's digits beyond the 15th are binary noise: read as Excel shows it
        if not plain or digits > DOUBLE_DIGITS:
            raise BadValue("value.too_many_digits", digits=digits, most=EXCEL_DIGITS)
        value = excel_number(shortest(compact))
    if value and value.adjusted() >= EXCEL_DIGITS:  # abs(value) >= 10^15; abs() would overflow on 1e999999999
        raise BadValue("value.too_large")
    with localcontext() as ctx:
        ctx.prec = 60
        if value != value.quantize(Decimal(1).scaleb(-SCALE), rounding=ROUND_HALF_EVEN):
            raise BadValue("value.too_many_decimals", most=SCALE)
        value = (-value if negative else value) + 0  # + 0 folds -0 into 0
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _ungroup(raw: str) -> str:
    """`1 200 000,00`, `1.200.000,00`, `1,200,000.00`: one reading, or an error."""
    text = raw.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ").replace("'", " ")
    sign = ""
    if text[:1] in "+-":
        sign, text = text[0], text[1:].strip()
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
    elif commas == 1 and not dots:
        whole, frac = text.split(",")
        if len(frac) == 3 and "," not in whole and " " not in whole and len(whole.strip()) <= 3:
            raise BadValue("value.ambiguous_comma")
        decimal_sep = ","
    elif dots == 1 and not commas:
        decimal_sep = "."
    else:
        decimal_sep = ""
    if decimal_sep:
        whole, frac = text.rsplit(decimal_sep, 1)
    else:
        whole, frac = text, ""
    if not (frac == "" or frac.isascii() and frac.isdigit()):
        raise BadValue("value.not_a_number")
    whole = whole.strip()
    if not (whole.isascii() and whole.isdigit() or _GROUPED.fullmatch(whole)):
        raise BadValue("value.not_a_number")
    separators = set(re.sub(r"[0-9]", "", whole))
    if len(separators) > 1:
        raise BadValue("value.mixed_separators")
    digits = re.sub(r"[^0-9]", "", whole)
    return f"{sign}{digits}.{frac}" if frac else f"{sign}{digits}"


def parse_integer(text: str) -> int:
    try:
        value = parse_decimal(text)
    except BadValue:
        raise BadValue("value.not_whole") from None
    if value != value.to_integral_value():
        raise BadValue("value.not_whole")
    return int(value)


def serial_to_date(serial: Decimal) -> dt.date:
    if not 0 < serial <= MAX_SERIAL:
        raise BadValue("value.not_a_date", "value.serial_range/hint")
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(text: str) -> dt.date:
    raw = text.strip()
    try:
        if m := _ISO_DATE.fullmatch(raw):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DOT_DATE.fullmatch(raw):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        raise BadValue("value.invalid_date") from None
    if _SERIAL.fullmatch(raw):
        return serial_to_date(Decimal(raw))
    raise BadValue("value.not_a_date")


def parse_month(text: str) -> str:
    raw = text.strip()
    year = month = None
    if m := _MONTH.fullmatch(raw):
        year, month = int(m[1]), int(m[2])
    elif m := _DOT_MONTH.fullmatch(raw):
        year, month = int(m[2]), int(m[1])
    else:
        try:
            day = parse_date(raw)
        except BadValue:
            raise BadValue("value.not_a_month") from None
        year, month = day.year, day.month
    if not 1 <= month <= 12:
        raise BadValue("value.not_a_month")
    return f"{year:04d}-{month:02d}"


def parse_choice(text: str, column: Column) -> str:
    words = column.choice_words()
    found = words.get(normalize_word(text))
    if found is None:
        raise BadValue("value.not_a_choice", choices=", ".join(column.choices))
    return found


def parse_yesno(text: str) -> bool:
    word = normalize_word(text)
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise BadValue("value.not_yesno")


def parse_text(text: str) -> str:
    return text.strip()


@dataclass(frozen=True)
class ColumnKind:
    """What a kind of column is, everywhere it matters: a declaration, like beangulp's
    `csvbase.Column`, so a new kind is one entry of `KINDS`."""

    parse: Callable[[str, Column], object]  # one non-blank cell's text -> its value, or BadValue
    dtype: pl.DataType  # of the typed column
    number_format: str  # of a template's blank cells: "@" (text) keeps ids such as 007 from Excel's guesses
    width: int = 14  # a template column's least width
    plain: str | None = None  # texts polars casts to `dtype` as they are (the vectorized path); others parse
    digits: bool = False  # only ASCII digits make one (a number, a date, a month)
    serial: bool = False  # a plain number is an Excel serial date, counted from 1904 in such a workbook
    verbatim: bool = False  # a cell is its trimmed text, but for an Excel error value
    # What its cells may be read as besides text (`workbook.Book.body`): a double, a date cell;
    # empty: read as text. A column read as any other type is read as text, and judged there.
    typed: tuple[pl.DataType, ...] = ()
    listed: tuple[str, ...] = ()  # a template's drop-down, when the kind has its own words


# Number text polars reads as it is: ASCII digits (polars' \d takes any script's), at most
# SCALE decimals and 15 digits in all (leading zeros counted: that only sends a cell the
# slow way); anything else goes to `parse_decimal`, the one number rule. One alternative
# per count of decimals: one pass, as fast as a plain pattern.
PLAIN_NUMBER = "^-?(?:" + "|".join(
    [rf"[0-9]{{1,{EXCEL_DIGITS}}}"]
    + [rf"[0-9]{{1,{EXCEL_DIGITS - k}}}\.[0-9]{{{k}}}" for k in range(1, SCALE + 1)]) + ")$"

# Amounts show two decimals, but rates such as 0.025 or an fx rate of 0.0021 must not
# display rounded in a template, hence the optional digits after them.
KINDS: dict[Kind, ColumnKind] = {
    Kind.TEXT: ColumnKind(lambda text, column: parse_text(text), pl.String, "@", verbatim=True),
    Kind.INTEGER: ColumnKind(lambda text, column: parse_integer(text), pl.Int64, "0", 10, digits=True,
                             typed=(pl.Float64,)),
    Kind.DECIMAL: ColumnKind(lambda text, column: parse_decimal(text), pl.Decimal(38, SCALE), "#,##0.00########",
                             18, plain=PLAIN_NUMBER, digits=True, typed=(pl.Float64,)),
    Kind.DATE: ColumnKind(lambda text, column: parse_date(text), pl.Date, "yyyy-mm-dd", 12, digits=True,
                          serial=True, typed=(pl.Datetime("ms"), pl.Date)),
    Kind.MONTH: ColumnKind(lambda text, column: parse_month(text), pl.String, "@", 10, digits=True, serial=True),
    Kind.ENUM: ColumnKind(parse_choice, pl.String, "@"),
    Kind.YESNO: ColumnKind(lambda text, column: parse_yesno(text), pl.Boolean, "@", listed=("yes", "no")),
}


def parse(text: str, column: Column):
    """The typed value of one non-blank cell of `column`."""
    kind = column.kind
    if found := error_value(text):
        raise BadValue("value.error_value", found=found, what=said("kind.what:" + kind.value))
    declared = KINDS[kind]
    if declared.digits:
        check_digits(text)
    return declared.parse(text, column)
