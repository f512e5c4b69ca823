"""How long one `returncost estimate` takes, start to finish, as a user runs it.

    python benchmarks/estimate_time.py [--runs 15]

Runs the command in fresh processes and prints the median and best wall time, next to the time of
`python -c pass` (the interpreter's own start-up) measured in the same run. Target (issue 3): well
under half a second. It also checks that pandas, scipy and matplotlib were not imported.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CMD = ["-m", "calculator", "estimate", "--price", "12.99", "--currency", "USD", "--from", "US",
       "--weight", "120g", "--dims", "20x15x3cm", "--reason", "damaged"]


def wall(args: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    n = ap.parse_args().runs
    base = wall(["-c", "pass"], n)
    est = wall(CMD, n)
    probe = ("import sys, runpy; sys.argv = ['returncost'] + " + repr(CMD[2:]) + "\n"
             "from calculator.cli import main; main(sys.argv[1:])\n"
             "print('HEAVY', sorted(m for m in ('pandas', 'scipy', 'matplotlib', 'pyarrow') if m in sys.modules))")
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.split("HEAVY")[-1].strip()
    print(f"python -c pass:       median {statistics.median(base):.3f} s  best {min(base):.3f} s")
    print(f"returncost estimate:  median {statistics.median(est):.3f} s  best {min(est):.3f} s  ({n} runs)")
    print(f"heavy modules imported by the estimate: {heavy}")
    print(f"target: well under 0.5 s -> {'met' if statistics.median(est) < 0.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
