"""Generate realistic marketplace orders for the batch benchmark (and for trying the batch by hand).

The orders look like a reseller's export: an order id, a free-text title (some with commas and
quotes), price and currency of the origin country, parcel weight, a size for about half the
parcels, a counter quote (``postage``) for every Russian parcel (the bundled tariffs have no RU → CN
price) and for some others, a reason, the day the item arrived and, now and then, a partial refund
the seller offered. About ``bad_fraction`` of the rows are broken the ways real exports are: a
price that is not a number, a negative weight, an unknown country code, a Russian parcel without a
quote, a date in the future, an empty price.

Usage::

    python benchmarks/make_orders.py 1000000 orders.csv [--seed 1]

Everything is vectorized numpy; files are written in chunks with pyarrow, so 5,000,000 rows take
little memory.
"""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path

import numpy as np

#: Origin countries with their currency, share of orders, typical price range (order currency).
ORIGINS = {
    "US": ("USD", 0.20, (3.0, 150.0)),
    "GB": ("GBP", 0.12, (2.0, 120.0)),
    "DE": ("EUR", 0.12, (2.0, 130.0)),
    "FR": ("EUR", 0.10, (2.0, 130.0)),
    "BY": ("BYN", 0.08, (8.0, 400.0)),
    "UA": ("UAH", 0.10, (80.0, 5000.0)),
    "KZ": ("KZT", 0.08, (1500.0, 60000.0)),
    "RU": ("RUB", 0.20, (200.0, 15000.0)),
}
REASONS = ("damaged", "defective", "wrong_item", "not_as_described", "changed_mind")
REASON_P = (0.2, 0.15, 0.15, 0.35, 0.15)
TITLES = ("Phone case", "USB-C cable, 2 m", 'Bluetooth speaker "mini"', "Wireless earbuds",
          "LED strip, 5 m", "Kids' sneakers", "Winter jacket, size L", "Watch band", "Desk lamp",
          "Screen protector (2 pcs)", "Power bank 10000 mAh", "Socks, 5 pairs")
TODAY = _dt.date(2026, 11, 26)


def make_orders(n: int, *, seed: int = 1, bad_fraction: float = 0.03, start: int = 0):
    """``n`` orders as a :class:`pyarrow.Table` of text columns (as a CSV export holds them).

    ``start`` offsets the order ids so that chunks of one file get distinct ids.
    """
    import pyarrow as pa

    rng = np.random.default_rng([seed, start])
    codes = np.array(list(ORIGINS))
    share = np.array([v[1] for v in ORIGINS.values()])
    oi = rng.choice(len(codes), n, p=share / share.sum())
    origin = codes[oi]
    currency = np.array([v[0] for v in ORIGINS.values()])[oi]
    lo = np.array([v[2][0] for v in ORIGINS.values()])[oi]
    hi = np.array([v[2][1] for v in ORIGINS.values()])[oi]
    # prices are log-uniform: many cheap items, a few dear ones; .99 endings are common
    price = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    price = np.where(rng.random(n) < 0.5, np.floor(price) + 0.99, np.round(price, 2))
    weight = np.round(np.exp(rng.uniform(np.log(40), np.log(2500), n)))
    sized = rng.random(n) < 0.5
    dims = np.sort(np.round(rng.uniform(2, 32, (3, n)), 0), axis=0)[::-1]
    # a counter quote for every Russian parcel (no RU → CN tariff) and for 10% of the others
    quoted = (origin == "RU") | (rng.random(n) < 0.10)
    quote = np.round(np.where(origin == "RU", rng.uniform(900, 2600, n), price * rng.uniform(0.2, 0.6, n)), 2)
    reason = np.array(REASONS)[rng.choice(len(REASONS), n, p=REASON_P)]
    received = np.datetime64(TODAY, "D") - rng.integers(0, 25, n).astype("timedelta64[D]")
    offered = rng.random(n) < 0.2
    partial = np.round(rng.uniform(0.2, 0.7, n), 2)

    def text(a, mask=None):
        s = a.astype(str)
        return s if mask is None else np.where(mask, s, "")

    cols = {
        "order_id": np.char.add("AE-", np.char.zfill((np.arange(n) + start + 1).astype(str), 10)),
        "title": np.array(TITLES)[rng.integers(0, len(TITLES), n)],
        "price": text(price),
        "currency": currency,
        "origin": origin,
        "weight_g": text(weight.astype(np.int64)),
        "length_cm": text(dims[0].astype(np.int64), sized),
        "width_cm": text(dims[1].astype(np.int64), sized),
        "height_cm": text(dims[2].astype(np.int64), sized),
        "postage": text(quote, quoted),
        "reason": reason,
        "received_on": received.astype(str),
        "partial_refund": text(partial, offered),
    }
    # the broken rows, spread evenly over the kinds
    bad = np.flatnonzero(rng.random(n) < bad_fraction)
    kind = rng.integers(0, 6, len(bad))
    cols["price"][bad[kind == 0]] = "n/a"
    cols["weight_g"][bad[kind == 1]] = "-120"
    cols["origin"][bad[kind == 2]] = "XX"
    ru = bad[kind == 3]
    cols["origin"][ru], cols["currency"][ru], cols["postage"][ru] = "RU", "RUB", ""
    cols["received_on"][bad[kind == 4]] = "2027-01-15"
    cols["price"][bad[kind == 5]] = ""
    return pa.table({k: pa.array(v, type=pa.string()) for k, v in cols.items()})


#: The input columns only (no order id, no title): the 11 columns of the batch benchmark.
INPUT_COLUMNS = ("price", "currency", "origin", "weight_g", "length_cm", "width_cm", "height_cm", "postage",
                 "reason", "received_on", "partial_refund")


def write_orders(path: str | Path, n: int, *, seed: int = 1, bad_fraction: float = 0.03,
                 chunk: int = 500_000, columns: tuple[str, ...] | None = None) -> Path:
    """Write ``n`` orders to a CSV file in chunks (memory does not grow with ``n``); ``columns``
    picks some of them (default: all)."""
    import pyarrow.csv as pacsv

    def part(k: int, start: int = 0):
        t = make_orders(k, seed=seed, bad_fraction=bad_fraction, start=start)
        return t.select(list(columns)) if columns else t

    path = Path(path)
    first = part(min(n, chunk))
    with pacsv.CSVWriter(path, first.schema) as w:
        w.write_table(first)
        for start in range(chunk, n, chunk):
            w.write_table(part(min(chunk, n - start), start))
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("rows", type=int)
    p.add_argument("path")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--bad-fraction", type=float, default=0.03)
    p.add_argument("--inputs-only", action="store_true", help="only the 11 input columns (no order id, no title)")
    a = p.parse_args(argv)
    write_orders(a.path, a.rows, seed=a.seed, bad_fraction=a.bad_fraction,
                 columns=INPUT_COLUMNS if a.inputs_only else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
