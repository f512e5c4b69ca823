"""Throughput of the batch's per-partition function under Spark and on a dask cluster, next to
``returncost batch`` on one machine.

- **Spark**: ``pyspark`` in local mode with every core (``local[*]``), the CSV read as text,
  ``mapInPandas(evaluate_frame)``, the decisions written as Parquet. The session's start-up (about
  ten seconds of JVM) is timed apart.
- **dask**: a ``distributed.LocalCluster`` with 2 worker processes of one thread each,
  ``dd.read_csv(..., dtype=str)`` in blocks, ``map_partitions(evaluate_frame)``, Parquet out. The
  cluster's start-up is timed apart.
- **one machine**: the ``returncost batch`` process, CSV in, Parquet out.

Orders are those of ``benchmarks/make_orders.py`` with the 11 input columns. Needs the ``test``
extra (pyspark, distributed) and Java 17.

Usage::

    python benchmarks/batch_cluster.py                 # 1,000,000 orders
    python benchmarks/batch_cluster.py --rows 200000
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from batch import AS_OF, make_orders, returncost  # noqa: E402

TODAY = _dt.date.fromisoformat(AS_OF)


def spark(src: Path, dest: Path) -> tuple[float, float, int]:
    """(session start-up s, run s, partitions) of Spark local mode on ``src``."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    from calculator.batch import evaluate_frame, output_ddl

    t = time.perf_counter()
    session = (SparkSession.builder.master("local[*]").appName("returncost-benchmark")
               .config("spark.ui.enabled", "false")
               # as many rows per call as the batch's own chunks (Spark's default is 10,000)
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "50000").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    start = time.perf_counter() - t

    def decide(frames):
        for frame in frames:
            yield evaluate_frame(frame, today=TODAY)

    try:
        t = time.perf_counter()
        orders = session.read.csv(str(src), header=True)
        orders.mapInPandas(decide, schema=output_ddl(orders.columns)).write.parquet(str(dest))
        run = time.perf_counter() - t
        parts = orders.rdd.getNumPartitions()
    finally:
        session.stop()
    return start, run, parts


def dask(src: Path, dest: Path) -> tuple[float, float, int]:
    """(cluster start-up s, run s, partitions) of a two-worker dask cluster on ``src``."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from calculator.batch import evaluate_frame, output_meta

    t = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        start = time.perf_counter() - t
        t = time.perf_counter()
        orders = dd.read_csv(src, dtype=str, keep_default_na=False, blocksize="8MB")
        kw = dict(today=TODAY)
        orders.map_partitions(evaluate_frame, **kw, meta=output_meta(orders._meta, **kw)).to_parquet(dest)
        run = time.perf_counter() - t
    return start, run, orders.npartitions


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000, help="orders (default 1,000,000)")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        src = d / "orders.csv"
        make_orders(src, a.rows, a.seed)
        print(f"orders: {a.rows:,} rows, {src.stat().st_size / 1e6:,.1f} MB; {os.cpu_count()} cores; "
              f"load {os.getloadavg()[0]:.2f}")
        t = time.perf_counter()
        subprocess.run([*returncost(), "batch", str(src), "-o", str(d / "one.parquet"), "--as-of", AS_OF, "-q"],
                       check=True)
        one = time.perf_counter() - t
        print(f"one machine (returncost batch, whole process): {one:.1f} s, {a.rows / one:,.0f} rows/s")
        start, run, parts = spark(src, d / "spark")
        print(f"Spark local mode: {run:.1f} s over {parts} partitions, {a.rows / run:,.0f} rows/s "
              f"(+ {start:.1f} s session start-up)")
        start, run, parts = dask(src, d / "dask")
        print(f"dask LocalCluster, 2 workers: {run:.1f} s over {parts} partitions, {a.rows / run:,.0f} rows/s "
              f"(+ {start:.1f} s cluster start-up)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
