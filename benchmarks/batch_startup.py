"""Where the start-up of ``returncost batch`` goes: a 3-row batch against ``import pyarrow``.

- **whole processes**: the median wall time of ``returncost batch three.csv -o out.csv`` and of
  ``python -c "import pyarrow"``, in turn.
- **imports**: ``python -X importtime`` of the same batch, the time of each top-level package
  (its own modules, not those it imports from other packages).
- **work**: the functions that run after the imports (tariffs loaded, the parser built, the batch
  itself), from ``cProfile``.

Usage::

    python benchmarks/batch_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from batch import AS_OF, returncost  # noqa: E402

THREE = "price,currency,origin,postage,reason\n30,EUR,DE,6,damaged\n120,BYN,BY,9,wrong_item\n18000,RUB,RU,1450,damaged\n"


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7)
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "three.csv", Path(tmp) / "out.csv"
        src.write_text(THREE)
        batch = [*returncost(), "batch", str(src), "-o", str(out), "--as-of", AS_OF, "-q"]
        floor = [sys.executable, "-c", "import pyarrow"]
        wall(batch), wall(floor)  # warm-up
        times = [(wall(batch), wall(floor)) for _ in range(a.runs)]
        b, f = (statistics.median(x) for x in zip(*times))
        print(f"3-row batch {b:.2f} s; import pyarrow {f:.2f} s (medians of {a.runs}, whole processes; "
              f"load {os.getloadavg()[0]:.2f})")

        # imports, by top-level package (self time: a module's own code, not what it imports)
        r = subprocess.run([sys.executable, "-X", "importtime", "-m", "calculator", *batch[1:]],
                           capture_output=True, text=True, env=dict(os.environ, PYTHONWARNINGS="ignore"))
        own: Counter[str] = Counter()
        for line in r.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
            if m:
                own[m.group(2).split(".")[0]] += int(m.group(1))
        total = sum(own.values())
        print(f"imports: {total / 1e6:.2f} s in all")
        for pkg, us in own.most_common(10):
            print(f"  {pkg:24s} {us / 1e6:6.3f} s")

        # the work after the imports, in this process (imports done first, so they do not count)
        import pandas  # noqa: F401 - imported by pyarrow in a batch; out of the way here

        from calculator.cli import main as returncost_main

        prof = cProfile.Profile()
        prof.runcall(returncost_main, batch[len(returncost()):])
        stats = pstats.Stats(prof)
        wanted = {"build_parser": "argument parser", "load_tariffs": "tariffs loaded and checked",
                  "reference_rates": "exchange rates", "_pipeline": "the batch itself (read, evaluate, write)",
                  "read_chunks": "input opened and sniffed"}
        print("work after the imports:")
        for (file, _, func), row in stats.stats.items():  # type: ignore[attr-defined]
            if func in wanted and "calculator" in file:
                print(f"  {wanted[func]:44s} {row[3]:6.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
