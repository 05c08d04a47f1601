"""Settlement periods: a quarter (2026Q3), a month (2026-09) or a year (2026)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_FORMS = {
    "quarter": re.compile(r"(\d{4})\s*-?\s*[Qq]([1-4])"),
    "month": re.compile(r"(\d{4})-(\d{1,2})"),
    "year": re.compile(r"(\d{4})"),
}
_PER_YEAR = {"quarter": 4, "month": 12, "year": 1}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str
    index: int  # quarter 1-4, month 1-12, 1 for a year

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"{self.year}Q{self.index}"
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        return str(self.year)

    @property
    def months(self) -> int:
        return 12 // _PER_YEAR[self.kind]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, (self.index - 1) * self.months + 1, 1)

    @property
    def end(self) -> dt.date:
        last_month = self.index * self.months
        if last_month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, last_month + 1, 1) - dt.timedelta(days=1)

    @property
    def is_last_of_year(self) -> bool:
        return self.index == _PER_YEAR[self.kind]

    def of_year_so_far(self) -> tuple[Period, ...]:
        """This year's periods of the same kind, up to and including this one."""
        return tuple(Period(self.year, self.kind, i) for i in range(1, self.index + 1))

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def parse_period(text: str) -> Period:
    """`2026Q3`, `2026-09` or `2026`; raises ValueError naming the accepted forms."""
    raw = text.strip()
    for kind, form in _FORMS.items():
        if m := form.fullmatch(raw):
            index = int(m[2]) if kind != "year" else 1
            if kind == "month" and not 1 <= index <= 12:
                break
            return Period(int(m[1]), kind, index)
    raise ValueError(f"period {text!r} is not a quarter (2026Q3), a month (2026-09) or a year (2026)")


def period_of(day: dt.date, kind: str) -> Period:
    index = {"quarter": (day.month - 1) // 3 + 1, "month": day.month, "year": 1}[kind]
    return Period(day.year, kind, index)
