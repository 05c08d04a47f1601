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
    # Base-currency lines round as a column; foreign ones need exact products, so Decimal in
    # Python, for those lines only.
    amount = sales["net_amount"].round(2, mode=POLARS_MODES[program.rounding]).cast(BASE)
    at = (sales["currency"] != program.base_currency).fill_null(True).arg_true()
    if at.len():
        foreign = sales.select(pl.col("net_amount", "fx_rate").gather(at))
        amount = amount.scatter(at, pl.Series([None if a is None or r is None else round_money(a * r, program.rounding)
                                               for a, r in foreign.iter_rows()], dtype=BASE))
    return sales.with_columns(amount.alias("base_amount"))
