"""``returncost batch`` against the I/O floor, as whole processes; and its memory at 1M and 5M rows.

Targets (issue 14): batch / floor <= 1.2; peak memory at 5,000,000 rows within 1.3x that at
1,000,000.

- **batch**: the process ``returncost batch orders.csv -o decisions.csv`` of 1,000,000 orders with
  the 11 input columns (``benchmarks/make_orders.py``), start-up included.
- **floor**: the process ``benchmarks/io_floor.py``: pyarrow reads the same CSV
  (``pyarrow.csv.read_csv``, all cores) and writes a table of the batch output's exact shape (its
  columns and types, the batch's own output loaded from a memory-mapped Arrow file, so loading
  costs nothing) with ``pyarrow.csv.write_csv``.
- The two run in turn, A B A B ..., each after ``sync`` with the input in the page cache; the
  ratio is taken pair by pair (so a drift of the shared machine's speed cancels) and its median
  reported, with every pair printed. Wall time, CPU time and peak memory come from the kernel's
  accounting of each finished process (``wait4``), as ``/usr/bin/time -v`` gives them.
- **memory**: peak resident memory of the batch process at 1M rows (the median of the timed
  runs) and at 5M rows (one run). This script stays small (the files are made by processes of
  their own), so the kernel's peak of a child is the child's own.

Usage::

    python benchmarks/batch.py                                   # 1M rows, 5 pairs, 5M memory
    python benchmarks/batch.py --rows 200000 --pairs 3 --memory-rows 0   # a quick look
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from make_orders import INPUT_COLUMNS  # noqa: E402

AS_OF = "2026-11-26"


def returncost() -> list[str]:
    """The installed ``returncost`` command (as a user runs it), else ``python -m calculator``."""
    exe = shutil.which("returncost", path=str(Path(sys.executable).parent)) or shutil.which("returncost")
    return [exe] if exe else [sys.executable, "-m", "calculator"]


def measure(cmd: list[str]) -> dict[str, float]:
    """Run ``cmd`` as a process of its own; its wall and CPU seconds and peak memory (bytes)."""
    os.sync()  # the previous run's output is on disk, not written back during this one
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    err = p.stderr.read() if p.stderr else b""
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {p.returncode}\n{err.decode(errors='replace')}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss * 1024}


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def output_table(src: Path, out_csv: Path, arrow: Path) -> None:
    """The batch's output as an Arrow file with the output's exact columns and types."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from calculator.batch import evaluate_table, read_chunks

    _, chunks = read_chunks(src, chunk_rows=1000)
    schema = evaluate_table(next(chunks).table.slice(0, 200), today=_dt.date.fromisoformat(AS_OF)).schema
    # the CSV writes yes/no for booleans; read them back as such
    table = pacsv.read_csv(out_csv, convert_options=pacsv.ConvertOptions(
        column_types=schema, strings_can_be_null=True, null_values=[""], true_values=["yes"],
        false_values=["no"]))
    assert table.schema.equals(schema), "output schema differs from the evaluated one"
    with pa.OSFile(str(arrow), "wb") as f, pa.ipc.new_file(f, table.schema) as w:
        w.write_table(table, max_chunksize=50_000)


def make_orders(path: Path, rows: int, seed: int) -> None:
    """``rows`` orders with the 11 input columns, written by a process of its own."""
    subprocess.run([sys.executable, str(HERE / "make_orders.py"), str(rows), str(path), "--seed", str(seed),
                    "--inputs-only"], check=True, env=_env())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000, help="orders in the timed file (default 1,000,000)")
    p.add_argument("--memory-rows", type=int, default=5_000_000,
                   help="orders for the memory comparison against --rows; 0 skips it (default 5,000,000)")
    p.add_argument("--pairs", type=int, default=5, help="batch/floor pairs timed (default 5)")
    p.add_argument("--workdir", help="folder for the generated files (default: a temporary folder)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--output-table", nargs=3, metavar=("ORDERS", "DECISIONS", "ARROW"), help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.output_table:
        output_table(*map(Path, a.output_table))
        return 0

    import warnings

    warnings.simplefilter("ignore")  # expired-tariff warnings are part of the output, not news here
    with tempfile.TemporaryDirectory(dir=a.workdir) as tmp:
        d = Path(tmp)
        src, out, arrow = d / "orders.csv", d / "decisions.csv", d / "decisions.arrow"
        make_orders(src, a.rows, a.seed)
        batch = [*returncost(), "batch", str(src), "-o", str(out), "--as-of", AS_OF, "-q"]
        floor = [sys.executable, str(HERE / "io_floor.py"), str(src), str(arrow), str(d / "floor.csv")]
        measure(batch)  # the output whose shape the floor writes; also a warm-up
        subprocess.run([sys.executable, __file__, "--output-table", str(src), str(out), str(arrow)], check=True,
                       env=_env())
        print(f"orders: {a.rows:,} rows x {len(INPUT_COLUMNS)} columns, {src.stat().st_size / 1e6:,.1f} MB; "
              f"output {out.stat().st_size / 1e6:,.1f} MB; {os.cpu_count()} cores; load "
              f"{os.getloadavg()[0]:.2f}")
        print(f"batch: {' '.join(batch[:2])} ...  floor: benchmarks/io_floor.py")
        measure(floor)  # warm-up
        pairs = []
        for i in range(a.pairs):
            b, f = measure(batch), measure(floor)
            pairs.append((b, f))
            print(f"  pair {i + 1}: batch {b['wall']:.2f} s (cpu {b['cpu']:.2f} s, {b['rss'] / 2**20:,.0f} MiB), "
                  f"floor {f['wall']:.2f} s (cpu {f['cpu']:.2f} s, {f['rss'] / 2**20:,.0f} MiB), "
                  f"ratio {b['wall'] / f['wall']:.2f}")
        ratios = [b["wall"] / f["wall"] for b, f in pairs]
        bw = statistics.median(b["wall"] for b, _ in pairs)
        fw = statistics.median(f["wall"] for _, f in pairs)
        print(f"median: batch {bw:.2f} s ({a.rows / bw:,.0f} rows/s), floor {fw:.2f} s")
        print(f"ratio batch / floor, whole processes: median {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f}; target <= 1.2)")
        rss = statistics.median(b["rss"] for b, _ in pairs)
        if a.memory_rows:
            big = d / "orders_big.csv"
            for f in (d / "floor.csv", arrow):
                f.unlink()
            make_orders(big, a.memory_rows, a.seed)
            m = measure([*returncost(), "batch", str(big), "-o", str(d / "decisions_big.csv"), "--as-of", AS_OF, "-q"])
            print(f"peak memory: {a.rows:,} rows {rss / 2**20:,.0f} MiB; {a.memory_rows:,} rows "
                  f"{m['rss'] / 2**20:,.0f} MiB ({m['wall']:.1f} s); ratio {m['rss'] / rss:.2f} (target <= 1.3)")
        else:
            print(f"peak memory: {a.rows:,} rows {rss / 2**20:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
