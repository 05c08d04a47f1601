"""Stage: every line read is accounted for, per input file and in total.

A double entry: on one side what the reader counted in each sales file before any
other stage saw its lines (`InputFile.rows`, and `counted`: net_amount summed per
currency); on the other the classified lines, included plus excluded. A line lost,
duplicated or changed anywhere between the two is a bug, never a rounding: the run
fails rather than write an output that does not balance. The base-currency amounts
(read = included + excluded) are the Reconciliation sheet's columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

import polars as pl

from incentives.classify import INCLUDED, REASONS
from incentives.model import InputFile
from incentives.money import plain
from incentives.problems import Problem, Said, Source, error, said
from incentives.words import Joined, Number

TOTAL = "(total)"
ZERO = Decimal(0)


@dataclass(frozen=True)
class Balance:
    file: str
    lines_read: int  # as the reader counted them
    amount_read: Decimal  # base currency, of the classified lines
    included_lines: int
    included_amount: Decimal
    excluded_lines: int
    excluded_amount: Decimal
    # (currency, net_amount the reader counted, net_amount of the classified lines)
    currencies: tuple[tuple[str, Decimal, Decimal], ...] = ()

    @property
    def balanced(self) -> bool:
        return (self.lines_read == self.included_lines + self.excluded_lines
                and self.amount_read == self.included_amount + self.excluded_amount
                and all(read == accounted for _, read, accounted in self.currencies))


def _sums(pairs: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for currency, amount in pairs:
        out[currency] = out.get(currency, ZERO) + amount
    return out


def _currencies(read: dict[str, Decimal], accounted: dict[str, Decimal]) -> tuple[tuple[str, Decimal, Decimal], ...]:
    return tuple((c, read.get(c, ZERO), accounted.get(c, ZERO)) for c in sorted(read.keys() | accounted.keys()))


def balances(lines: pl.DataFrame, files: Iterable[InputFile]) -> tuple[Balance, ...]:
    """One balance per sales file (files with no line too), then the total: the reader's
    counts against the classified `lines`."""
    included = pl.col("outcome") == INCLUDED
    amount = pl.col("base_amount")
    zero = pl.lit(ZERO, dtype=lines.schema["base_amount"])
    grouped = {r["file"]: r for r in lines.group_by("file").agg(
        pl.len().alias("lines"), amount.sum().alias("amount_read"),
        included.sum().alias("included_lines"), pl.when(included).then(amount).otherwise(zero).sum()
        .alias("included_amount"),
        (~included).sum().alias("excluded_lines"), pl.when(~included).then(amount).otherwise(zero).sum()
        .alias("excluded_amount"),
    ).iter_rows(named=True)}
    native: dict[str, dict[str, Decimal]] = {}
    for file, currency, total in lines.group_by("file", "currency").agg(
            pl.col("net_amount").sum()).iter_rows():
        native.setdefault(file, {})[currency] = total if total is not None else ZERO
    files = sorted(files, key=lambda f: f.path)
    names = {f.path for f in files}
    empty = dict(amount_read=ZERO, included_lines=0, included_amount=ZERO, excluded_lines=0, excluded_amount=ZERO)
    rows = []
    for f in files:
        got = grouped.get(f.path, empty)
        rows.append(Balance(f.path, f.rows, got["amount_read"], got["included_lines"], got["included_amount"],
                            got["excluded_lines"], got["excluded_amount"],
                            _currencies(dict(f.counted), native.get(f.path, {}))))
    for file in sorted(grouped.keys() - names):  # lines of a file the reader never counted
        got = grouped[file]
        rows.append(Balance(file, 0, got["amount_read"], got["included_lines"], got["included_amount"],
                            got["excluded_lines"], got["excluded_amount"], _currencies({}, native[file])))
    total = Balance(TOTAL, sum(b.lines_read for b in rows), sum((b.amount_read for b in rows), ZERO),
                    sum(b.included_lines for b in rows), sum((b.included_amount for b in rows), ZERO),
                    sum(b.excluded_lines for b in rows), sum((b.excluded_amount for b in rows), ZERO),
                    _currencies(_sums((c, r) for b in rows for c, r, _ in b.currencies),
                                _sums((c, a) for b in rows for c, _, a in b.currencies)))
    return (*rows, total)


def check(rows: tuple[Balance, ...]) -> list[Problem]:
    problems = []
    for b in rows:
        if b.balanced:
            continue
        differ = "; ".join(f"{c} read {plain(r)}, accounted {plain(a)}" for c, r, a in b.currencies if r != a)
        problems.append(error(
            Source(b.file), f"lines or amounts do not balance: read {b.lines_read} lines, accounted "
            f"{b.included_lines + b.excluded_lines} (included {b.included_lines} / {plain(b.included_amount)}, "
            f"excluded {b.excluded_lines} / {plain(b.excluded_amount)})" + (f"; net_amount {differ}" if differ else ""),
            "this is a bug in calc: please report it with the input file"))
    return problems


def excluded_words(lines: pl.DataFrame, currency: str) -> str:
    """The excluded lines in a few English words, reasons in the contract's order, or "" when
    every line is included: "14 lines, 17,434.95 KZT excluded: UNKNOWN_PARTNER 14"."""
    said_ = excluded_said(lines, currency)
    return said_.text() if said_ else ""


def excluded_said(lines: pl.DataFrame, currency: str) -> Said | None:
    """`excluded_words` as a message, to be told in the reader's language; None when every
    line is included."""
    out = lines.filter(pl.col("outcome") != INCLUDED)
    if not out.height:
        return None
    counts = dict(out.group_by("outcome").len().iter_rows())
    amount = out["base_amount"].sum()
    by_reason = tuple(said("reconcile.reason", code=code, count=Number(counts[code]))
                      for code, _ in REASONS if code in counts)
    return said("reconcile.excluded_one" if out.height == 1 else "reconcile.excluded", count=Number(out.height),
                amount=Number(amount if amount is not None else ZERO, 2), currency=currency, reasons=Joined(by_reason))
