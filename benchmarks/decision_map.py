"""How fast the decision map fills a price × weight grid on a real route.

    python benchmarks/decision_map.py [--steps 200] [--repeat 7]

A ``--steps`` × ``--steps`` map of item price (5–500 USD) × parcel weight (50–2,000 g) for returns
posted from the US to China with the bundled USPS tariff: one postage lookup per weight, then one
model call for every cell. Prints the best of ``--repeat`` runs, cells per second, and how the time
splits between the postage lookup and the model. Also times a 1,000 × 1,000 map to show how it
scales. Numbers vary with the machine and its load: compare runs made on the same machine, in one
sitting.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core

import numpy as np  # noqa: E402

from calculator.sensitivity import decision_map, route_order  # noqa: E402
from _common import TODAY, best_of, bundled_tariffs  # noqa: E402

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    tariffs = bundled_tariffs()

    def grid(k: int) -> tuple[np.ndarray, np.ndarray]:
        return np.linspace(5, 500, k), np.linspace(50, 2000, k)

    prices, weights = grid(args.steps)
    order = route_order(weights, origin="US", destination="CN", currency="USD", reason="damaged",
                        tariffs=tariffs, today=TODAY)
    decision_map(order, prices, weights)  # warm-up

    cells = prices.size * weights.size
    t_map = best_of(args.repeat, lambda: decision_map(order, prices, weights))
    t_lookup = best_of(args.repeat, lambda: order.postage_for_weight(weights))
    big_p, big_w = grid(1000)
    t_big = best_of(max(1, args.repeat // 3), lambda: decision_map(order, big_p, big_w))

    m = decision_map(order, prices, weights)
    share = ", ".join(f"{k} {v:.0%}" for k, v in m.share().items() if v)
    print(f"map: {weights.size} weights × {prices.size} prices = {cells:,} cells, US → CN, best of {args.repeat} runs")
    print(f"decision_map:           {t_map * 1000:.1f} ms  {cells / t_map:,.0f} cells/s  ({share})")
    print(f"  of which the lookup:  {t_lookup * 1000:.1f} ms  ({weights.size} weights, one cheapest_postage call)")
    print(f"1000 × 1000 map:        {t_big * 1000:.1f} ms  {1e6 / t_big:,.0f} cells/s")


if __name__ == "__main__":
    main()
