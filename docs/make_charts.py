"""Regenerate the README's chart gallery in docs/img/ (one small PNG per chart).

Run from anywhere: ``python docs/make_charts.py``. Uses the public API and the bundled tariffs
only, fixed seeds and a fixed date, so the images change only when the code or the tariffs do.

The examples:

- an 18,000 RUB phone that arrived broken, posted back from Russia for a counter quote of
  1,450 RUB (the project's starting case): Monte Carlo, tornado, Sobol, and a sweep of the
  partial refund;
- returns from the US to China priced with the USPS tariff: the decision map over
  price × weight.
"""

from __future__ import annotations

import datetime
import sys
import warnings
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calculator import charts, sensitivity, uncertainty  # noqa: E402
from calculator.tariffs import TariffWarning, load_tariffs  # noqa: E402

TODAY = datetime.date(2026, 11, 26)
OUT = ROOT / "docs" / "img"
SIZE = (6.4, 4.2)  # inches; at 100 dpi each PNG stays well under 150 KB
DPI = 100


def save(draw, name: str) -> Path:
    fig = Figure(figsize=SIZE, layout="constrained")
    draw(fig.subplots())
    path = OUT / name
    fig.savefig(path, dpi=DPI)
    return path


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffWarning)
        tariffs = tuple(load_tariffs(use_env=False, today=TODAY).values())
    phone = uncertainty.uncertain_order(price=18000, currency="RUB", origin="RU", postage=1450,
                                        reason="damaged", tariffs=tariffs, today=TODAY)
    mc = uncertainty.monte_carlo(phone, draws=100_000, seed=1)
    weights = np.linspace(50, 2000, 200)
    route = sensitivity.route_order(weights, origin="US", destination="CN", currency="USD", reason="damaged",
                                    tariffs=tariffs, today=TODAY)
    written = [
        save(lambda ax: charts.monte_carlo_chart(mc, ax), "montecarlo.png"),
        save(lambda ax: charts.tornado_chart(sensitivity.tornado(phone), ax), "tornado.png"),
        save(lambda ax: charts.sobol_chart(sensitivity.sobol(phone, seed=1), ax), "sobol.png"),
        save(lambda ax: charts.sweep_chart(sensitivity.sweep(phone, "partial_refund"), ax), "sweep.png"),
        save(lambda ax: charts.decision_map_chart(
            sensitivity.decision_map(route, np.linspace(5, 500, 200), weights), ax), "decision_map.png"),
    ]
    for p in written:
        print(f"{p.relative_to(ROOT)}  {p.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
