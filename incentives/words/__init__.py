"""Every word a reader sees, one catalogue per language; numbers and dates in sentences by babel.

One module per language (`en.py`, `ru.py`), each with two catalogues: `WORDS`, the words
of statements, summaries and the terminal, and `MESSAGES`, every error, note and hint calc
reports. A catalogue maps a key to a template. The keys of the English catalogues are the
keys every catalogue has (a test holds them to it, placeholders included), so adding a
language, Kazakh say, is adding `kk.py` and its name to `LANGUAGES`: no code.

A message is rendered late, when it is printed or written (`say`): a problem keeps its
key and values (`problems.Said`), and each reader gets it in their language. English
messages show numbers and dates as the cells and the contract write them (3000000.00,
2026-09-30); the other languages by babel and their `message_date` («3 000 000,00»,
«30.09.2026»). Cell references stay as Excel writes them (Sales!K2).

Two kinds of placeholders: `{name}` in the words of statements, summaries and messages
(`Words.__call__`), and `{}` in the words a line gets in its `detail` and `flag` columns
(`line_` keys), which polars fills column-wise (`classify.Context.say`).

Codes a reader would otherwise see (reason codes, customer types, roles, opportunity
statuses, the unit `points`) have their words under `<kind>:<code>`; a code with no
words stays as it is (`Words.code`).

Numbers, percents and dates inside sentences go through babel with the catalogue's
`locale`: «1 987 400,00», «30.09.2026». Numbers in cells stay numbers, shown by their
Excel format in the reader's own separators. A date in a line's words is made by polars
for all lines at once (`date_strftime`), never one line at a time in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from importlib import import_module

from babel import Locale
from babel.dates import format_date, get_month_names
from babel.numbers import get_decimal_symbol, get_group_symbol, parse_pattern

LANGUAGES: tuple[str, ...] = ("en", "ru")  # one module each; English first: the words of the data columns
_MODULES = {language: import_module(f"{__name__}.{language}") for language in LANGUAGES}
CATALOGUES: dict[str, dict[str, str]] = {language: m.WORDS for language, m in _MODULES.items()}
MESSAGES: dict[str, dict[str, str]] = {language: m.MESSAGES for language, m in _MODULES.items()}
EN, RU = CATALOGUES["en"], CATALOGUES["ru"]
ROMAN = ("I", "II", "III", "IV")
# Parsed once: a statement writes some twenty numbers in words, thousands of statements a run.
LOCALES = {language: Locale.parse(said["locale"]) for language, said in CATALOGUES.items()}
AMOUNT, COUNT, PERCENT = parse_pattern("#,##0.00"), parse_pattern("#,##0"), parse_pattern("#,##0.##########")
# Each language's group and decimal symbols, as babel writes them: "," and "." in English.
SYMBOLS = {language: {ord(","): get_group_symbol(locale), ord("."): get_decimal_symbol(locale)}
           for language, locale in LOCALES.items()}
QUANTA = {places: Decimal(10) ** -places for places in range(30)}


def _fixed(value, places: int, language: str) -> str | None:
    """`value` with `places` decimals, grouped by thousands, as babel's pattern `#,##0.00` (as
    many zeros as `places`) writes it, in its steps: the sign apart, the absolute value
    normalized and quantized in the current decimal context; without babel's parsing of the
    pattern and its look-ups of the symbols, number by number. None for what is not a finite
    number of at most 29 decimals (babel writes those)."""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if not value.is_finite() or places not in QUANTA:
        return None
    text = format(abs(value).normalize().quantize(QUANTA[places]), ",f").translate(
        SYMBOLS.get(language, SYMBOLS["en"]))
    return "-" + text if value.is_signed() else text


def catalogue(language: str) -> dict[str, str]:
    """The words of `language`; English for a language without a catalogue."""
    return CATALOGUES.get(language, EN)


def code_words(kind: str, language: str) -> dict[str, str]:
    """{code: words} of one kind of code ("reason", "customer_type", ...) in `language`."""
    prefix = kind + ":"
    return {k[len(prefix):]: v for k, v in catalogue(language).items() if k.startswith(prefix)}


def header_notes(language: str) -> dict[str, str]:
    """{data column: its name in `language`}, for the notes of a data sheet's header."""
    return code_words("col", language)


def month_names(language: str) -> dict[int, str]:
    """The months as a period's label names them: September, сентябрь."""
    return dict(get_month_names("wide", "stand-alone", catalogue(language)["locale"]))


@dataclass(frozen=True)
class Words:
    """One language's words, and how it writes numbers, percents, dates and periods in text.

    Dates and periods, the same for every statement of a run, are worked out once for each
    `Words` (`memo`); write one `Words` for all the statements of a language."""

    language: str
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def words(self) -> dict[str, str]:
        return catalogue(self.language)

    @property
    def locale(self) -> Locale:
        return LOCALES.get(self.language, LOCALES["en"])

    def __call__(self, key: str, **values) -> str:
        return CATALOGUES.get(self.language, EN)[key].format(**values)

    def code(self, kind: str, code: str) -> str:
        """A code's words: `code("reason", "DUPLICATE")` is "duplicate line"; the code itself if it has none."""
        return self.words.get(f"{kind}:{code}", code)

    def number(self, value: Decimal) -> str:
        """Two decimals, grouped: 1,987,400.00 / 1 987 400,00."""
        return _fixed(value, 2, self.language) or AMOUNT.apply(value, self.locale)

    def exact(self, value: Decimal) -> str:
        """Two decimals, or every decimal when an exact product has more."""
        places = max(2, -value.normalize().as_tuple().exponent)
        return _fixed(value, places, self.language) or parse_pattern("#,##0." + "0" * places).apply(
            value, self.locale, decimal_quantization=False)

    def count(self, value: int) -> str:
        return _fixed(value, 0, self.language) or COUNT.apply(value, self.locale)

    def percent(self, rate: Decimal) -> str:
        return PERCENT.apply((rate * 100).normalize(), self.locale) + "%"

    def date(self, day: dt.date) -> str:
        key = ("date", day)
        if key not in self.memo:
            self.memo[key] = format_date(day, self.words["date_format"], locale=self.locale)
        return self.memo[key]

    def day(self, day: dt.date) -> str:
        """A day of the year, short: 1 Jul, 1 июл."""
        key = ("day", day)
        if key not in self.memo:
            self.memo[key] = format_date(day, "d MMM", locale=self.locale)
        return self.memo[key]

    def period(self, period) -> str:
        """A period as a reader names it: Q3 2026, III квартал 2026, September 2026, 2026 год."""
        key = ("period", period)
        if key not in self.memo:
            self.memo[key] = self._period(period)
        return self.memo[key]

    def _period(self, period) -> str:
        values = {"year": period.year, "index": period.index}
        if period.kind == "quarter":
            values["roman"] = ROMAN[period.index - 1]
        elif period.kind == "month":
            values["month"] = month_names(self.language)[period.index]
        label = self(f"period:{period.kind}", **values)
        return self("period:supplement", period=label, n=period.supplement) if period.supplement else label


def language_of(*choices: str | None) -> str:
    """The first of `choices` that is a language calc speaks (`--lang`, then the program's
    `language`), else English."""
    return next((c for c in choices if c in CATALOGUES), LANGUAGES[0])


def shown(value, language: str) -> str | object:
    """A message's value as `language` writes it: a phrase or a place in its words, a number
    and a date by the language's rules, a list one item after the other; text as it is (so
    that English `{value!r}` still quotes it)."""
    if hasattr(value, "text"):
        return value.text(language)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(shown(v, language)) for v in value)
    if language == LANGUAGES[0]:
        return value
    if isinstance(value, Decimal):
        places = max(0, -value.as_tuple().exponent) if value.is_finite() else 0
        return _fixed(value, places, language) or str(value)
    if isinstance(value, dt.date):
        return value.strftime(MESSAGES.get(language, MESSAGES["en"])["message_date"])
    return value


def say(key: str, values: dict, language: str) -> str:
    """The message `key` in `language` (else in English), its values filled in. A key no
    catalogue has is text some code wrote itself: shown as it is."""
    template = MESSAGES.get(language, MESSAGES["en"]).get(key) or MESSAGES["en"].get(key)
    if template is None:
        return key
    return template.format(**{name: shown(value, language) for name, value in values.items()})


def has_message(key: str) -> bool:
    return key in MESSAGES["en"]


@dataclass(frozen=True, slots=True)
class Quoted:
    """Names shown in quotes, the language's way: 'Sales', 'Data' / «Sales», «Data»."""

    names: tuple[str, ...]

    def text(self, language: str) -> str:
        quote = MESSAGES.get(language, MESSAGES["en"])["quote"]
        return ", ".join(quote.format(name) for name in self.names) or say("none", {}, language)


@dataclass(frozen=True, slots=True)
class Number:
    """A count or a size in a message, grouped the language's way: 4,000,000,000 / 4 000 000 000."""

    value: int | Decimal
    places: int = 0

    def text(self, language: str) -> str:
        return _fixed(Decimal(self.value), self.places, language) or str(self.value)


@dataclass(frozen=True, slots=True)
class Joined:
    """Values one after the other, each in the language's words, or its word for none:
    «program_id, year» / «нет»."""

    items: tuple
    separator: object = ", "  # text, or a phrase in the language's words (" and ")

    def text(self, language: str) -> str:
        return str(shown(self.separator, language)).join(str(shown(i, language)) for i in self.items) or say(
            "none", {}, language)


@dataclass(frozen=True, slots=True)
class Header:
    """A contract column named in a message, as the contract spells it, with the header the
    Russian template gives it beside it for a Russian reader: net_amount (Сумма без НДС)."""

    name: str
    ru: str = ""

    def text(self, language: str) -> str:
        if not self.ru or self.ru == self.name:
            return self.name
        return say("column", {"name": self.name, "ru": self.ru}, language)
