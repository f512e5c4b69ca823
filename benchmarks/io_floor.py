"""The I/O floor of a batch, as a process of its own: what pyarrow alone needs to read the orders
and write a table of the batch output's exact shape.

    python benchmarks/io_floor.py ORDERS.csv OUTPUT.arrow FLOOR.csv

Reads ``ORDERS.csv`` with ``pyarrow.csv.read_csv`` (default options: all cores, types inferred),
loads ``OUTPUT.arrow`` (the batch's output, written by ``benchmarks/batch.py`` as an Arrow file with
the output's columns and types; memory-mapped, so loading costs nothing) and writes it to
``FLOOR.csv`` with ``pyarrow.csv.write_csv``. Nothing else is imported.
"""

import sys

import pyarrow as pa
import pyarrow.csv as pacsv


def main(src: str, table_file: str, dest: str) -> None:
    pacsv.read_csv(src)
    with pa.memory_map(table_file) as f:
        table = pa.ipc.open_file(f).read_all()
    pacsv.write_csv(table, dest)


if __name__ == "__main__":
    main(*sys.argv[1:4])
