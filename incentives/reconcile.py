"""Stage: every line read is accounted for, per input file and in total.

Lines and base-currency amounts read = included + excluded. A difference is a
bug, never a rounding: the run fails rather than write an output that does not
balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from incentives.classify import INCLUDED
from incentives.problems import Problem, Source, error

TOTAL = "(total)"


@dataclass(frozen=True)
class Balance:
    file: str
    lines_read: int
    amount_read: Decimal
    included_lines: int
    included_amount: Decimal
    excluded_lines: int
    excluded_amount: Decimal

    @property
    def balanced(self) -> bool:
        return (self.lines_read == self.included_lines + self.excluded_lines
                and self.amount_read == self.included_amount + self.excluded_amount)


def balances(lines: pl.DataFrame, files: list[str]) -> tuple[Balance, ...]:
    """One balance per sales file (files with no line too), then the total."""
    included = pl.col("outcome") == INCLUDED
    amount = pl.col("base_amount")
    zero = pl.lit(Decimal(0), dtype=lines.schema["base_amount"])
    grouped = {r["file"]: r for r in lines.group_by("file").agg(
        pl.len().alias("lines_read"), amount.sum().alias("amount_read"),
        included.sum().alias("included_lines"), pl.when(included).then(amount).otherwise(zero).sum()
        .alias("included_amount"),
        (~included).sum().alias("excluded_lines"), pl.when(~included).then(amount).otherwise(zero).sum()
        .alias("excluded_amount"),
    ).iter_rows(named=True)}
    empty = dict(lines_read=0, amount_read=Decimal(0), included_lines=0, included_amount=Decimal(0),
                 excluded_lines=0, excluded_amount=Decimal(0))
    rows = [Balance(f, **{k: v for k, v in grouped.get(f, empty).items() if k != "file"}) for f in sorted(files)]
    total = Balance(TOTAL, lines.height, lines["base_amount"].sum(), int(lines.select(included.sum()).item()),
                    sum((b.included_amount for b in rows), Decimal(0)),
                    int(lines.select((~included).sum()).item()), sum((b.excluded_amount for b in rows), Decimal(0)))
    return (*rows, total)


def check(rows: tuple[Balance, ...]) -> list[Problem]:
    return [error(Source(b.file), f"lines or amounts do not balance: read {b.lines_read} lines / {b.amount_read}, "
                  f"included {b.included_lines} / {b.included_amount}, excluded {b.excluded_lines} / "
                  f"{b.excluded_amount}", "this is a bug in calc: please report it with the input file")
            for b in rows if not b.balanced]
