"""Regenerate the golden batch output: ``python tests/data/regenerate_golden.py``.

Reads ``batch_orders.csv`` and writes ``batch_decisions.csv`` next to it with the bundled tariffs
only (``$RETURNCOST_TARIFFS`` is ignored) and the fixed date 2026-11-26. Review the diff before
committing it: a change in the golden file is a change in what users get.
"""

from __future__ import annotations

import datetime
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

TODAY = datetime.date(2026, 11, 26)
INPUT = HERE / "batch_orders.csv"
OUTPUT = HERE / "batch_decisions.csv"


def golden(dest: Path) -> None:
    """Run the batch on the golden input exactly as the test does."""
    from calculator.batch import run_batch
    from calculator.tariffs import TariffWarning, load_tariffs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffWarning)
        tariffs = load_tariffs(use_env=False, today=TODAY).values()
        run_batch(INPUT, dest, tariffs=tariffs, today=TODAY, chunk_rows=7)


if __name__ == "__main__":
    golden(OUTPUT)
    print(f"wrote {OUTPUT.relative_to(Path.cwd()) if OUTPUT.is_relative_to(Path.cwd()) else OUTPUT}")
