"""Stage: convert each line's amount into the base currency at its invoice month's rate.

Rounded to 2 decimals per line, in the program's rounding mode. A missing rate is
an input error caught by validation, never a guess.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from incentives.model import Inputs
from incentives.money import POLARS_MODES, round_money

BASE = pl.Decimal(38, 2)
RATE = pl.Decimal(38, 10)


def to_base(inputs: Inputs) -> pl.DataFrame:
    """The sales lines with `fx_rate` and `base_amount` added."""
    program = inputs.program
    rates = pl.DataFrame(
        {"currency": [r.currency for r in inputs.fx_rates], "month": [r.month for r in inputs.fx_rates],
         "fx_rate": [r.rate for r in inputs.fx_rates]},
        schema={"currency": pl.String, "month": pl.String, "fx_rate": RATE},
    ).unique(["currency", "month"], keep="first", maintain_order=True)
    sales = (inputs.sales
             .with_columns(pl.col("invoice_date").dt.strftime("%Y-%m").alias("month"))
             .join(rates, on=["currency", "month"], how="left", maintain_order="left")
             .with_columns(pl.when(pl.col("currency") == program.base_currency).then(pl.lit(Decimal(1), RATE))
                           .otherwise(pl.col("fx_rate")).alias("fx_rate"))
             .drop("month"))
    base = sales["currency"] == program.base_currency
    # Base-currency lines round as a column; foreign ones need exact products, so Decimal in Python.
    same = sales["net_amount"].round(2, mode=POLARS_MODES[program.rounding]).cast(BASE)
    foreign = [None if b else round_money(a * r, program.rounding)
               for a, r, b in zip(sales["net_amount"], sales["fx_rate"], base)] if not base.all() else None
    amount = same if foreign is None else pl.select(
        pl.when(base).then(same).otherwise(pl.Series(foreign, dtype=BASE))).to_series()
    return sales.with_columns(amount.alias("base_amount"))
