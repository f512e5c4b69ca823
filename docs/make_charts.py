"""Regenerate the README's chart gallery in docs/img/ (one small PNG per chart).

Run from anywhere: ``python docs/make_charts.py`` (every chart), or ``python docs/make_charts.py
tornado_ru.png ...`` (only those). Uses the public API and the bundled tariffs only, fixed seeds and
a fixed date, so the images change only when the code or the tariffs do.

The examples:

- an 18,000 RUB phone that arrived broken, posted back from Russia for a counter quote of
  1,450 RUB (the project's starting case): Monte Carlo, tornado, Sobol, and a sweep of the
  partial refund; and the tornado again drawn in Russian (``tornado_ru.png``: titles, labels and
  money as a Russian reader sees them);
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
from calculator.i18n import language  # noqa: E402
from calculator.tariffs import TariffWarning, load_tariffs  # noqa: E402

TODAY = datetime.date(2026, 11, 26)
OUT = ROOT / "docs" / "img"
SIZE = (6.4, 4.2)  # inches; at 100 dpi each PNG stays well under 150 KB
SIZE_RU = (9.0, 4.6)  # Russian words are longer: the same chart a little wider
DPI = 100


def save(draw, name: str, lang: str = "en") -> Path:
    with language(lang):
        fig = Figure(figsize=SIZE if lang == "en" else SIZE_RU, layout="constrained")
        draw(fig.subplots())
        path = OUT / name
        fig.savefig(path, dpi=DPI)
    return path


def main(names: list[str]) -> int:
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
    gallery = {
        "montecarlo.png": lambda ax: charts.monte_carlo_chart(mc, ax),
        "tornado.png": lambda ax: charts.tornado_chart(sensitivity.tornado(phone), ax),
        "sobol.png": lambda ax: charts.sobol_chart(sensitivity.sobol(phone, seed=1), ax),
        "sweep.png": lambda ax: charts.sweep_chart(sensitivity.sweep(phone, "partial_refund"), ax),
        "decision_map.png": lambda ax: charts.decision_map_chart(
            sensitivity.decision_map(route, np.linspace(5, 500, 200), weights), ax),
        # the same tornado, drawn in Russian: the tornado is computed inside the language too
        "tornado_ru.png": lambda ax: charts.tornado_chart(sensitivity.tornado(phone), ax),
    }
    unknown = sorted(set(names) - set(gallery))
    if unknown:
        print(f"no such chart: {', '.join(unknown)}; charts: {', '.join(gallery)}", file=sys.stderr)
        return 2
    written = [save(draw, name, "ru" if name.endswith("_ru.png") else "en")
               for name, draw in gallery.items() if not names or name in names]
    for p in written:
        print(f"{p.relative_to(ROOT)}  {p.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
