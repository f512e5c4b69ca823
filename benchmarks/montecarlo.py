"""How fast Monte Carlo evaluates draws of one order.

    python benchmarks/montecarlo.py [--draws 100000] [--repeat 7]

One order (the project's starting case: an 18,000 RUB phone that arrived broken, counter quote
1,450 RUB) with the four assumed inputs drawn from their default triangular distributions, then the
same order with the parcel weight drawn too, so that every draw re-looks up the postage in the USPS
tariff (US → CN). Prints the best of ``--repeat`` runs and draws per second. The target (issue 4):
100,000 draws well under a second. Numbers vary with the machine and its load: compare runs made
on the same machine, in one sitting, and read the ratio, not the absolute time.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core

from _common import TODAY, best_of, bundled_tariffs  # noqa: E402
from calculator.uncertainty import monte_carlo, uncertain_order  # noqa: E402

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    tariffs = bundled_tariffs()
    n = args.draws

    phone = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged",
                            tariffs=tariffs, today=TODAY)
    parcel = uncertain_order(price=120, currency="USD", origin="US", weight_g="tri:100,300,1500",
                             reason="damaged", tariffs=tariffs, today=TODAY)
    monte_carlo(phone, draws=1000, seed=0)  # warm-up (first calls allocate)

    t_fixed = best_of(args.repeat, lambda: monte_carlo(phone, draws=n, seed=1))
    t_weight = best_of(args.repeat, lambda: monte_carlo(parcel, draws=n, seed=1))
    t0 = time.perf_counter()
    order = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged",
                            tariffs=tariffs, today=TODAY)
    t_setup = time.perf_counter() - t0

    print(f"draws: {n:,} of one order, best of {args.repeat} runs")
    print(f"4 inputs drawn, postage given:           {t_fixed:.3f} s  {n / t_fixed:,.0f} draws/s")
    print(f"5 inputs drawn, postage per drawn weight: {t_weight:.3f} s  {n / t_weight:,.0f} draws/s "
          f"({t_weight / t_fixed:.1f}× the first: one rate-engine lookup per draw)")
    print(f"resolving the order once (assess):       {t_setup * 1000:.1f} ms")
    print(f"target: {n:,} draws well under 1 s -> {'met' if max(t_fixed, t_weight) < 0.5 else 'NOT met'}")
    del order


if __name__ == "__main__":
    main()
