"""Beyond one machine: the batch's per-partition function under Spark and under a dask cluster.

Both run for real (pyspark in local mode with two cores, a ``distributed.LocalCluster`` with two
worker processes) on a few thousand orders, and every output cell is compared with what
``returncost batch`` writes on one machine. pyspark and distributed are in the ``test`` extra,
so these tests run wherever the tests run; a missing package is an error, not a skip.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from calculator.batch import evaluate_frame, output_ddl, output_meta, run_batch

from conftest import TODAY

DATA = Path(__file__).parent / "data"


# workers inherit the environment: bundled tariffs only, on both sides of the comparison
pytestmark = pytest.mark.usefixtures("bundled_only")


@pytest.fixture(scope="module")
def orders(tmp_path_factory) -> Path:
    """About 3,400 orders: the golden orders (good ones, bad cells, a quoted newline, a formula)
    repeated with their own ids and prices, as a clean CSV that Spark and pandas read alike."""
    frame = pd.read_csv(DATA / "batch_orders.csv", dtype=str, keep_default_na=False)
    parts = []
    for k in range(200):
        f = frame.copy()
        f["order_id"] = [f"{i}-{k:03d}" for i in frame["order_id"]]
        plain = f["price"].str.fullmatch(r"\d+(\.\d+)?")
        f.loc[plain, "price"] = [f"{float(p) * (1 + k / 100):.2f}" for p in f.loc[plain, "price"]]
        parts.append(f)
    path = tmp_path_factory.mktemp("orders") / "orders.csv"
    pd.concat(parts).to_csv(path, index=False)
    return path


def _reference(orders: Path, tmp_path: Path) -> pd.DataFrame:
    """What the single-machine batch writes, as plain values by order id."""
    run_batch(orders, tmp_path / "local.parquet", today=TODAY)
    return _cells(pq.read_table(tmp_path / "local.parquet").to_pandas())


def _cells(df: pd.DataFrame) -> dict[str, list[object]]:
    """Every cell as a plain value, column by column, rows by order id: empty text, NaN, NaT and
    None all mean 'no value'; dates as dates."""
    def plain(v: object) -> object:
        if v is None or (not isinstance(v, (str, bytes)) and pd.isna(v)) or v == "":
            return None
        if isinstance(v, pd.Timestamp):
            return v.date()
        return v.item() if hasattr(v, "item") else v

    df = df.sort_values("order_id", kind="stable")
    return {c: [plain(v) for v in df[c].astype(object)] for c in df.columns}


def _same(got: dict[str, list[object]], want: dict[str, list[object]]) -> None:
    assert list(got) == list(want)
    assert len(got["order_id"]) == len(want["order_id"]) > 3000
    for col in want:  # cell by cell, each column named when it differs
        assert got[col] == want[col], col


def test_spark_map_in_pandas_gives_the_single_machine_output(orders, tmp_path, monkeypatch):
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # the workers run this Python, with this package
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master("local[2]").appName("returncost-test")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    try:
        today = TODAY

        def decide(frames):
            for frame in frames:
                yield evaluate_frame(frame, today=today)

        # every column as text; quoted newlines and doubled quotes as a spreadsheet writes them
        df = spark.read.csv(str(orders), header=True, multiLine=True, escape='"').repartition(4)
        assert df.rdd.getNumPartitions() == 4
        got = df.mapInPandas(decide, schema=output_ddl(df.columns)).toPandas()
    finally:
        spark.stop()
    _same(_cells(got), _reference(orders, tmp_path))


def test_dask_on_a_local_cluster_gives_the_single_machine_output(orders, tmp_path, bundled):
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    frame = pd.read_csv(orders, dtype=str, keep_default_na=False)
    kw = dict(tariffs=tuple(bundled.values()), today=TODAY, fx={"KZT": 520.0})
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        ddf = dd.from_pandas(frame, npartitions=6)
        out = ddf.map_partitions(evaluate_frame, **kw, meta=output_meta(ddf._meta, **kw))
        got = out.compute()
        workers = client.run(lambda: os.getpid())
    assert len(set(workers.values())) == 2 and os.getpid() not in workers.values()
    run_batch(orders, tmp_path / "local.parquet", **kw)
    _same(_cells(got), _cells(pq.read_table(tmp_path / "local.parquet").to_pandas()))


def test_output_ddl_matches_what_evaluate_frame_returns():
    frame = pd.DataFrame({"order_id": ["A"], "price": ["30"], "origin": ["DE"], "postage": ["6"],
                          "reason": ["damaged"]})
    out = pa.Table.from_pandas(evaluate_frame(frame, today=datetime.date(2026, 11, 26)), preserve_index=False)
    ddl = dict(part.rsplit(" ", 1) for part in output_ddl(frame.columns).split(", "))
    spark = {pa.string(): "string", pa.large_string(): "string", pa.float64(): "double", pa.bool_(): "boolean",
             pa.date32(): "date"}
    assert {f"`{f.name}`": spark.get(f.type, str(f.type)) for f in out.schema} == ddl
