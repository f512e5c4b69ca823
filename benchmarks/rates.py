"""How fast the rate engine prices parcels.

    python benchmarks/rates.py [--parcels 1000000]

Prices N random parcels on 6 routes with the bundled tariffs, all offers of every route, and prints
parcels per second and offers priced per second. The target (issue 2) is at least 5 million offers
priced per second on one core. Numbers vary with the machine and its load: compare runs made on the
same machine, in one sitting.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

import numpy as np  # noqa: E402

from calculator.rates import cheapest_postage, price_route  # noqa: E402
from _common import bundled_tariffs  # noqa: E402

ROUTES = [("US", "CN"), ("GB", "CN"), ("DE", "CN"), ("FR", "CN"), ("BY", "CN"), ("UA", "CN")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    tariffs = bundled_tariffs()

    rng = np.random.default_rng(args.seed)
    n = args.parcels
    w = rng.lognormal(np.log(400), 0.9, n).clip(5, 30000)
    dims = rng.uniform(2, 45, (3, n))
    route = rng.integers(0, len(ROUTES), n)

    # 1. the core lookup: every offer of a route for that route's parcels
    offers = 0
    t0 = time.perf_counter()
    for r, (o, d) in enumerate(ROUTES):
        sel = route == r
        q = price_route(tariffs, o, d, w[sel], dims[0, sel], dims[1, sel], dims[2, sel])
        offers += q.price.size
    t_core = time.perf_counter() - t0

    # 2. cheapest tracked postage per parcel, rows on mixed routes (what a batch calls)
    origins = np.array([o for o, _ in ROUTES])[route]
    t0 = time.perf_counter()
    p = cheapest_postage(tariffs, origins, "CN", w, dims[0], dims[1], dims[2])
    t_mixed = time.perf_counter() - t0

    print(f"parcels: {n:,} on {len(ROUTES)} routes; offers priced: {offers:,}")
    print(f"price_route (all offers):   {t_core:.3f} s  {n / t_core:,.0f} parcels/s  {offers / t_core:,.0f} offers/s")
    print(f"cheapest_postage (mixed):   {t_mixed:.3f} s  {n / t_mixed:,.0f} parcels/s "
          f"({np.isfinite(p.amount).mean():.1%} priced)")
    print(f"target: >= 5,000,000 offers/s on one core -> {'met' if offers / t_core >= 5e6 else 'NOT met'}")


if __name__ == "__main__":
    main()
