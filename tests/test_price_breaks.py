"""Where a route's postage can step (calculator.rates.price_breaks), and tariffs resolved once per call.

The fixture tariffs below are made up for the tests (no carrier's prices); the bundled tariffs are
checked against the rate engine itself: between two breaks no offer's price moves, except in a band
priced per weight.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from calculator import load_tariff
from calculator.errors import InputError
from calculator.rates import price_breaks, price_route

from conftest import TODAY

TWO_SERVICES = """
carrier: Test Post
origin: DE
currency: EUR
valid_from: {valid_from}
source: {{url: https://example.org/prices, kind: primary, confidence: high}}
services:
  - id: packet
    name: Packet
    tracked: true
    limits: {{max_weight: 2 kg}}
    surcharges:
      - {{name: heavy, fixed: 1.00, over: 1500 g}}
    weight_limits: [{first_limit}, 1 kg, 2 kg]
    zones:
      - id: world
        countries: ["*"]
        prices: [5.00, 8.00, {{base: 8.00, rate: 2.00, per: 1 kg, above: 1 kg, step: 250 g}}]
  - id: parcel
    name: Parcel
    tracked: true
    limits: {{min_weight: 300 g, max_weight: 10 kg}}
    weight_limits: [5 kg, 10 kg]
    zones:
      - id: world
        countries: ["*"]
        prices: [15.00, 20.00]
"""


@pytest.fixture
def versions(tmp_path):
    """Two versions of one made-up tariff: from 2025 its first packet band ends at 500 g, from
    2026 at 250 g."""
    folder = tmp_path / "test-post"
    folder.mkdir()
    out = []
    for day, first in (("2025-01-01", "500 g"), ("2026-01-01", "250 g")):
        path = folder / f"{day}.yaml"
        path.write_text(textwrap.dedent(TWO_SERVICES.format(valid_from=day, first_limit=first)).lstrip(), "utf-8")
        out.append(load_tariff(path, rules=()))
    return tuple(out)


def test_breaks_are_band_limits_weight_limits_and_surcharge_thresholds(versions):
    b = price_breaks(versions, "DE", "CN", 3000, posted_on="2025-06-01")
    # packet: bands to 500 g, 1 kg, 2 kg (also its maximum), heavy surcharge over 1,500 g;
    # parcel: only over 300 g (its bands, 5 and 10 kg, lie above 3 kg); and the 3 kg asked for
    assert b.weight_g.tolist() == [300.0, 500.0, 1000.0, 1500.0, 2000.0, 3000.0]
    assert b.graded_g.tolist() == [[1000.0, 2000.0]]  # 8.00 + 2.00 per kg above 1 kg, per 250 g


def test_the_version_in_force_on_the_posting_day_sets_the_breaks(versions):
    assert 500.0 in price_breaks(versions, "DE", "CN", 3000, posted_on="2025-06-01").weight_g
    later = price_breaks(versions, "DE", "CN", 3000, posted_on="2026-06-01").weight_g
    assert 250.0 in later and 500.0 not in later


def test_graded_says_which_ranges_overlap_a_band_priced_per_weight(versions):
    b = price_breaks(versions, "DE", "CN", 3000, posted_on="2025-06-01")
    # (500, 1000] is one flat price; (1000, 1500] and (1500, 2000] lie inside the graded band;
    # (2000, 3000] starts at its top, exclusive
    assert b.graded([500, 1000, 1500, 2000], [1000, 1500, 2000, 3000]).tolist() == [False, True, True, False]


def test_the_heaviest_weight_asked_for_ends_the_list_and_cuts_it(versions):
    b = price_breaks(versions, "DE", "CN", 1000, posted_on="2025-06-01")
    assert b.weight_g.tolist() == [300.0, 500.0, 1000.0]
    assert price_breaks(versions, "DE", "CN", 777, posted_on="2025-06-01").weight_g[-1] == 777.0


def test_a_route_without_offers_has_only_the_heaviest_weight(versions):
    b = price_breaks(versions, "FR", "CN", 2000, posted_on="2025-06-01")
    assert b.weight_g.tolist() == [2000.0] and b.graded_g.shape == (0, 2)


@pytest.mark.parametrize("bad", [0, -5, float("nan")])
def test_a_weight_that_is_not_above_zero_is_refused(versions, bad):
    with pytest.raises(InputError, match="max_weight_g"):
        price_breaks(versions, "DE", "CN", bad, posted_on="2025-06-01")


def _moves_only_at_breaks(tariffs, origin, destination, posted_on, max_weight_g=5000.0):
    """Price every offer of the route on a 1 g grid; each change of any offer's price must lie at a
    break (between the last weight at the old price and the first at the new one) or inside a
    band priced per weight. Returns the number of price changes checked."""
    b = price_breaks(tariffs, origin, destination, max_weight_g, posted_on=posted_on)
    grid = np.arange(1.0, max_weight_g + 1)
    q = price_route(tariffs, origin, destination, grid, posted_on=posted_on)
    price = np.nan_to_num(q.price, nan=-1.0)
    changes = 0
    for i in range(len(q.offers)):
        k = np.flatnonzero(price[i, 1:] != price[i, :-1])
        lo, hi = grid[k], grid[k + 1]
        at_break = ((b.weight_g[None, :] >= lo[:, None]) & (b.weight_g[None, :] < hi[:, None])).any(axis=1)
        unexplained = ~at_break & ~b.graded(lo, hi)
        assert not unexplained.any(), (q.offers[i].key, lo[unexplained][:5])
        changes += k.size
    return changes


def test_fixture_prices_move_only_at_breaks(versions):
    assert _moves_only_at_breaks(versions, "DE", "CN", "2025-06-01", 3000) > 5


def test_bundled_prices_move_only_at_breaks(bundled):
    checked = 0
    for origin in bundled.origins():
        for destination in {"CN", origin}:
            checked += _moves_only_at_breaks(bundled, origin, destination, TODAY)
    assert checked > 50  # the bundled routes have many steps below 5 kg


def test_default_tariffs_are_read_once_per_call(monkeypatch):
    """A call without ``tariffs=`` reads the tariff folders once, however many steps use them."""
    import calculator.tariffs as tariffs_module
    from calculator import estimate
    from calculator.sensitivity import route_order, threshold_table
    from calculator.uncertainty import monte_carlo, uncertain_order

    monkeypatch.delenv("RETURNCOST_TARIFFS", raising=False)
    calls = []
    real = tariffs_module.load_tariffs

    def counting(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(tariffs_module, "load_tariffs", counting)
    order = dict(price=120, currency="USD", origin="US", reason="damaged", today=TODAY)
    estimate(weight_g=300, **order)
    assert len(calls) == 1
    mc = monte_carlo(uncertain_order(weight_g="tri:100,300,1500", **order), draws=100, seed=1)
    assert len(calls) == 2 and mc.p_unpriced == 0.0
    threshold_table(route_order([100, 2000], **order), max_weight_g=2000)
    assert len(calls) == 3
