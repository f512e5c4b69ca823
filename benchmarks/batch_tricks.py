"""Does each speed trick of the batch still pay? Each one against the plain way, on real chunks.

A speed trick lives privately where it pays and is measured again before it spreads (issue 12).
Comparing short codes as integers (``factorize``: 1.01x) and counting small integer keys instead
of sorting them (``groups``: 0.99x) did not pay and are gone; what remains:

- **dictionary-encoded text inputs**: the batch hands ``assess`` each text input as a
  :class:`pyarrow.DictionaryArray` (distinct values and per-row indices,
  :func:`calculator.batch._arrow.dictionary`), which the core reads once per distinct value,
  against one string per row;
- **rows_with**: the number reader finds the cells that are not plain numbers from the Arrow
  buffers (:func:`calculator.batch._arrow.rows_with`), against a regular expression;
- **first_bytes**: the writer finds text a spreadsheet would run as a formula from the buffers
  (:func:`calculator.batch._arrow.first_bytes`), against a regular expression.

Each is timed on chunks of 50,000 orders from ``benchmarks/make_orders.py``, in this process, as
CPU seconds per chunk of the step it speeds up, with and without the trick in turn (pairs, so
that a drift of the shared machine's speed cancels); the ratio without/with is reported per pair.

Usage::

    python benchmarks/batch_tricks.py [--pairs 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

AS_OF = "2026-11-26"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=9, help="timings with and without each trick (default 9)")
    p.add_argument("--chunks", type=int, default=4, help="chunks of 50,000 orders timed (default 4)")
    a = p.parse_args(argv)

    import datetime as _dt

    import pyarrow as pa
    import pyarrow.compute as pc

    from calculator.batch import cells, read_chunks, schema, table, writing
    from calculator.tariffs import load_tariffs, resolve

    sys.path.insert(0, str(HERE))
    from make_orders import make_orders

    warnings.simplefilter("ignore")
    today = _dt.date.fromisoformat(AS_OF)
    tariffs = resolve(tuple(load_tariffs(today=today).values()), today=today)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "orders.csv"
        import pyarrow.csv as pacsv

        pacsv.write_csv(make_orders(50_000 * (a.chunks + 1), seed=1), src)
        _, chunks = read_chunks(src)
        tables = [c.table for _, c in zip(range(a.chunks + 1), chunks)][1:]  # the first chunk is small

    def evaluate() -> float:
        t = time.process_time()
        for tb in tables:
            table.evaluate(tb, tariffs=tariffs, fx=None, today=today, defaults=None, decimal=".", problems=None)
        return (time.process_time() - t) / len(tables)

    outs = [table.evaluate(tb, tariffs=tariffs, fx=None, today=today, defaults=None, decimal=".",
                           problems=None).table for tb in tables]

    def prepare() -> float:
        t = time.process_time()
        for o in outs:
            writing.ChunkWriter("/dev/null", "csv", ",", ".").prepare(o)
        return (time.process_time() - t) / len(outs)

    numeric = ["price", "weight_g", "length_cm", "width_cm", "height_cm", "postage", "partial_refund"]
    kinds = {"price": "money", "postage": "money", "weight_g": "weight", "partial_refund": "fraction"}

    def read_numbers() -> float:
        t = time.process_time()
        for tb in tables:
            for name in numeric:
                cells.read_numbers(tb.column(name), name, kinds.get(name, "length"), ".")
        return (time.process_time() - t) / len(tables)

    # the plain ways
    def per_row(words, idx):  # type: ignore[no-untyped-def]  # one string per row
        return np.asarray(words, dtype=object)[idx]

    def regex_rows_with(col, byte_set):  # type: ignore[no-untyped-def]
        allowed = "".join(chr(i) for i in range(128) if not byte_set[i])
        pattern = "[^" + "".join("\\" + ch if ch in "\\]^-" else ch for ch in allowed) + "]"
        return np.asarray(pc.fill_null(pc.match_substring_regex(col, pattern), False))

    real_neutralise = schema._neutralise

    def regex_neutralise(col):  # type: ignore[no-untyped-def]
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            return col
        arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        risky = np.asarray(pc.fill_null(pc.match_substring_regex(arr, "^[=+\\-@\t\r]"), False)).copy()
        if not risky.any():
            return arr
        idx = np.flatnonzero(risky)
        risky[idx[np.asarray(pc.match_substring_regex(arr.take(pa.array(idx)), schema._NUMBER_LIKE))]] = False
        return pc.if_else(pa.array(risky), pc.binary_join_element_wise("'", arr, ""), arr) if risky.any() else arr

    def swap(module, name: str, plain: object) -> Callable[[bool], None]:
        real = getattr(module, name)
        return lambda on: setattr(module, name, plain if on else real)

    tricks = [
        ("dictionary text inputs", "evaluate a chunk", evaluate, swap(table, "dictionary", per_row)),
        ("rows_with", "read 7 number columns", read_numbers, swap(cells, "rows_with", regex_rows_with)),
        ("first_bytes", "prepare a chunk for CSV", prepare, swap(schema, "_neutralise", regex_neutralise)),
    ]
    assert real_neutralise is schema._neutralise
    print(f"{a.chunks} chunks of 50,000 orders; CPU seconds per chunk; {a.pairs} pairs each")
    for trick, step, timed, plain in tricks:
        timed()  # warm-up
        with_, without, ratios = [], [], []
        for _ in range(a.pairs):
            x = timed()
            plain(True)
            try:
                y = timed()
            finally:
                plain(False)
            with_.append(x)
            without.append(y)
            ratios.append(y / x)
        print(f"  {trick:24s} {step:26s} with {statistics.median(with_) * 1e3:7.1f} ms, without "
              f"{statistics.median(without) * 1e3:7.1f} ms; without/with median {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
