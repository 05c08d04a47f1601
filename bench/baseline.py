"""The reference: calc's core job written the way a finance analyst would, with pandas and openpyxl.

    python bench/baseline.py INPUT_DIR OUT_DIR [--sample-partners N]

Reads every workbook with `pandas.read_excel(engine="openpyxl")`, classifies the lines
(duplicate, unknown partner, out of period, before membership, excluded product,
channel conflict, no valid opportunity) with vectorized pandas, converts foreign
lines at the month's rate, sums the year to the end of Q3 and of Q2 per partner,
applies the 2% / 4% bands over 3,000,000, and writes one workbook per partner with
openpyxl (a summary sheet and every line of the partner, as calc's statements do)
plus a ledger. Floats for money, as such a script would have them: this is a
reference for speed, not for results.

Built for the folders of `bench/workload.py` (one layout, sales reports named
`<month>_<distributor>.xlsx`). `--sample-partners N` does the job for the partners of
the first distributors only, reading only their reports, so the time can be scaled
up by lines; the last line printed is JSON with the times and the lines covered.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

YEAR = 2026
PERIOD_END = pd.Timestamp(2026, 9, 30)
PREVIOUS_END = pd.Timestamp(2026, 6, 30)
LINE_COLUMNS = ["file", "row", "invoice_date", "invoice_id", "line_no", "customer_name", "customer_type",
                "opportunity_id", "product_sku", "quantity", "net_amount", "currency", "fx_rate", "base_amount",
                "outcome"]


def read(path: Path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, engine="openpyxl")


def outcome(sales: pd.DataFrame, end: pd.Timestamp, exclusions, channel) -> pd.Series:
    """The first reason that applies, or included."""
    conditions = [
        sales["duplicate"],
        sales["registered_on"].isna(),
        (sales["invoice_date"] > end) | (sales["invoice_date"].dt.year != YEAR),
        sales["invoice_date"] < sales["registered_on"],
        sales["product_category"].isin(exclusions),
        sales["role"].eq(channel[0]) & sales["customer_type"].eq(channel[1]),
        sales["status"].ne("approved") | sales["o_partner_id"].ne(sales["partner_id"])
        | (sales["invoice_date"] < sales["o_registered_on"]) | (sales["invoice_date"] > sales["expires_on"]),
    ]
    names = ["DUPLICATE", "UNKNOWN_PARTNER", "OUT_OF_PERIOD", "OUTSIDE_MEMBERSHIP", "PRODUCT_EXCLUDED",
             "CHANNEL_CONFLICT", "NOT_REGISTERED"]
    return pd.Series(np.select([c.fillna(False).astype(bool) for c in conditions], names, "included"),
                     index=sales.index)


def entitlement(base: float) -> tuple[float, float]:
    rate = 0.04 if base > 3_000_000 else 0.02 if base > 0 else 0.0
    return rate, round(base * rate, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--sample-partners", type=int, default=0)
    args = parser.parse_args(argv)
    folder, out = args.input, args.out
    started = time.perf_counter()

    program = pd.read_excel(folder / "program.xlsx", sheet_name=None, engine="openpyxl")
    exclusions = program["Exclusions"]["value"].tolist()
    rule = program["ChannelRules"].iloc[0]
    channel = (rule["role"], rule["customer_type"])
    partners = read(folder / "partners.xlsx", "Partners")
    fx = read(folder / "fx_rates.xlsx", "Rates")
    opps = pd.concat([read(f, "Opportunities") for f in sorted((folder / "opportunities").glob("*.xlsx"))])
    reports = sorted((folder / "sales").glob("*.xlsx"))
    chosen = partners
    if args.sample_partners:
        distributors = sorted(partners.loc[partners["role"] == "distributor", "partner_id"])
        kept: list[str] = []
        for d in distributors:
            kept.append(d)
            if (partners["parent_id"].isin(kept) | partners["partner_id"].isin(kept)).sum() >= args.sample_partners:
                break
        reports = [f for f in reports if f.stem.split("_")[-1] in kept]
        chosen = partners[partners["partner_id"].isin(kept) | partners["parent_id"].isin(kept)]
    frames = []
    for f in reports:
        df = read(f, "Sales")
        df["file"] = f"sales/{f.name}"
        df["row"] = df.index + 2
        frames.append(df)
    sales = pd.concat(frames, ignore_index=True)
    read_done = time.perf_counter()

    sales["duplicate"] = sales.duplicated(["partner_id", "invoice_id", "line_no"])
    sales = sales.merge(partners[["partner_id", "registered_on", "role"]], on="partner_id", how="left")
    sales["month"] = sales["invoice_date"].dt.strftime("%Y-%m")
    sales = sales.merge(fx.rename(columns={"rate": "fx_rate"}), on=["currency", "month"], how="left")
    sales.loc[sales["currency"] == "KZT", "fx_rate"] = 1.0
    sales["base_amount"] = (sales["net_amount"] * sales["fx_rate"]).round(2)
    o = opps.rename(columns={"partner_id": "o_partner_id", "registered_on": "o_registered_on"})
    sales = sales.merge(o[["opportunity_id", "o_partner_id", "o_registered_on", "expires_on", "status"]],
                        on="opportunity_id", how="left")
    sales["outcome"] = outcome(sales, PERIOD_END, exclusions, channel)
    previous = outcome(sales, PREVIOUS_END, exclusions, channel)
    included = sales["outcome"] == "included"
    ytd = sales[included].groupby("partner_id")["base_amount"].sum()
    period = sales[included & (sales["invoice_date"] > PREVIOUS_END)].groupby("partner_id")["base_amount"].sum()
    before = sales[previous == "included"].groupby("partner_id")["base_amount"].sum()
    ledger = []
    for p in chosen.itertuples(index=False):
        base = float(ytd.get(p.partner_id, 0.0))
        rate, owed = entitlement(base)
        settled = entitlement(float(before.get(p.partner_id, 0.0)))[1]
        ledger.append([p.partner_id, p.partner_name, p.tier, float(period.get(p.partner_id, 0.0)), base, rate,
                       owed, settled, round(owed - settled, 2)])
    compute_done = time.perf_counter()

    (out / "statements").mkdir(parents=True, exist_ok=True)
    by_partner = dict(tuple(sales.groupby("partner_id", sort=False)))
    header = ["partner_id", "partner_name", "tier", "period_base", "ytd_base", "ytd_rate", "ytd_entitlement",
              "previously_settled", "accrual"]
    lines_written = 0
    for row in ledger:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Statement"
        for name, value in zip(header, row):
            ws.append([name, value])
        ws2 = wb.create_sheet("Lines")
        ws2.append(LINE_COLUMNS)
        lines = by_partner.get(row[0])
        if lines is not None:
            for values in lines[LINE_COLUMNS].itertuples(index=False):
                ws2.append([None if pd.isna(v) else v for v in values])
            ws2.append(["Total", None, None, None, None, None, None, None, None, None, None, None, None,
                        float(lines["base_amount"].sum())])
            lines_written += len(lines)
        wb.save(out / "statements" / f"{row[0]}.xlsx")
    pd.DataFrame(ledger, columns=header).to_excel(out / "ledger.xlsx", sheet_name="Ledger", index=False,
                                                  engine="openpyxl")
    done = time.perf_counter()
    print(json.dumps({"read": read_done - started, "compute": compute_done - read_done, "write": done - compute_done,
                      "total": done - started, "lines": int(len(sales)), "files": len(reports),
                      "partners": len(ledger), "lines_written": lines_written}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
