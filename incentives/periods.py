"""Settlement periods: a quarter (2026Q3), a month (2026-09) or a year (2026); and the
supplementary runs of a year's last period after it is closed (2026Q4-S1, 2026Q4-S2, ...)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_FORMS = {
    "quarter": re.compile(r"(\d{4})\s*-?\s*[Qq]([1-4])"),
    "month": re.compile(r"(\d{4})-(\d{1,2})"),
    "year": re.compile(r"(\d{4})"),
}
_SUPPLEMENT = re.compile(r"(.*?)\s*-\s*[Ss](\d+)")
_PER_YEAR = {"quarter": 4, "month": 12, "year": 1}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str
    index: int  # quarter 1-4, month 1-12, 1 for a year
    # n of a supplementary run `-Sn` of the year's last period (same dates, settled after it
    # was closed); 0 for the period itself
    supplement: int = 0

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            label = f"{self.year}Q{self.index}"
        elif self.kind == "month":
            label = f"{self.year}-{self.index:02d}"
        else:
            label = str(self.year)
        return f"{label}-S{self.supplement}" if self.supplement else label

    @property
    def base(self) -> Period:
        """The period itself, without a supplement's number."""
        return self.supplemented(0)

    def supplemented(self, number: int) -> Period:
        return Period(self.year, self.kind, self.index, number)

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

    def year_periods(self) -> tuple[Period, ...]:
        """Every period of this one's kind in its year."""
        return tuple(Period(self.year, self.kind, i) for i in range(1, _PER_YEAR[self.kind] + 1))

    def of_year_so_far(self) -> tuple[Period, ...]:
        """This year's periods of the same kind, up to and including this one."""
        return self.year_periods()[:self.index]

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def parse_period(text: str) -> Period:
    """`2026Q3`, `2026-09` or `2026`, or a supplement's label `2026Q4-S1`; raises ValueError
    naming the accepted forms."""
    raw = text.strip()
    supplement = 0
    if (m := _SUPPLEMENT.fullmatch(raw)) and int(m[2]) > 0:
        raw, supplement = m[1], int(m[2])
    for kind, form in _FORMS.items():
        if m := form.fullmatch(raw):
            index = int(m[2]) if kind != "year" else 1
            if kind == "month" and not 1 <= index <= 12:
                break
            period = Period(int(m[1]), kind, index, supplement)
            if supplement and not period.is_last_of_year:
                break
            return period
    raise ValueError(f"period {text!r} is not a quarter (2026Q3), a month (2026-09), a year (2026) or a "
                     "supplement of the year's last period (2026Q4-S1)")


def period_of(day: dt.date, kind: str) -> Period:
    index = {"quarter": (day.month - 1) // 3 + 1, "month": day.month, "year": 1}[kind]
    return Period(day.year, kind, index)
