"""Batch evaluation: CSV or Parquet in, one decision per order out, every row kept (issue 5).

Three layers, each usable on its own:

- :func:`evaluate_frame` decides one chunk of orders: a pandas DataFrame in, a DataFrame out (the
  input columns, then the results). It is what runs under ``dask.dataframe.map_partitions`` and
  Spark's ``mapInPandas``. :func:`evaluate_table` is the same function on a ``pyarrow.Table``.
- :func:`read_chunks` streams a CSV or Parquet file in chunks with pyarrow, keeping rows that a
  CSV parser would drop (ragged rows, empty lines) as rows with a problem, in their place.
- :func:`run_batch` reads, evaluates and writes chunk by chunk into a temporary file that is
  renamed over the output only at the end, and returns a :class:`BatchSummary`.

A cell is read the way a person wrote it: ``450 g``, ``1,2 kg``, ``$12.99``, ``1 450 ₽``,
``40%``, decimal commas, ``26.11.2026``. A row that cannot be evaluated gets NaN results and a
``problem`` text naming the column and the value; nothing is dropped, reordered or duplicated.
Parsing is vectorized with :mod:`pyarrow.compute` and numpy; the only Python loops run over
distinct values (units, currency symbols) or over rows the CSV parser rejected.
"""

from __future__ import annotations

from .columns import BatchError, check_columns
from .opening import STDIN_NAMES, stdin
from .reading import DEFAULT_CHUNK_ROWS, Chunk, Source, read_chunks
from .running import check_options, run_batch
from .schema import OUTPUT_SCHEMA, output_ddl
from .summary import MONEY_RECOVERED, BatchSummary, summarize
from .table import evaluate_frame, evaluate_table, output_meta
from .writing import BatchWarning, Output, atomic_write, output_format

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "MONEY_RECOVERED",
    "OUTPUT_SCHEMA",
    "STDIN_NAMES",
    "BatchError",
    "BatchSummary",
    "BatchWarning",
    "Chunk",
    "Output",
    "Source",
    "atomic_write",
    "check_columns",
    "check_options",
    "evaluate_frame",
    "evaluate_table",
    "output_ddl",
    "output_format",
    "output_meta",
    "read_chunks",
    "run_batch",
    "stdin",
    "summarize",
]
