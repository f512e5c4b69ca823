"""Tornado, sweeps, decision maps, Sobol indices and threshold tables (calculator.sensitivity)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from calculator.errors import InputError, RouteError
from calculator.assessment import assess
from calculator.model import OPTIONS
from calculator.rates import cheapest_postage, offers_for_route
from calculator.sensitivity import (
    decision_map,
    route_order,
    sobol,
    sweep,
    sweep_range,
    threshold_table,
    tornado,
)
from calculator.uncertainty import uncertain_order

from conftest import AUTUMN_2025, TODAY, phone

RETURN = OPTIONS.index("return")


# --------------------------------------------------------------------------------------------
# tornado


def test_tornado_swings_follow_the_linear_model(tariffs):
    o = phone(tariffs)
    t = tornado(o)
    P = 18000
    # damaged: w 0.84, u 0, r 0.10, f 0.5; the best alternative is partial_resell = (f + r)·P.
    # w only moves EV_return: swing = P·(0.99 − 0.69). f moves the alternative: swing = P·(0.7 − 0.2).
    swings = dict(zip(t.names, t.swing))
    assert swings["win_probability"] == pytest.approx(P * 0.30)
    assert swings["partial_refund"] == pytest.approx(P * 0.50)
    assert swings["resale_value"] == pytest.approx(P * 0.30)
    assert list(t.swing) == sorted(t.swing, reverse=True)
    assert t.names[0] == "partial_refund"
    assert t.base_advantage == pytest.approx(0.84 * P - 1450 - 0.6 * P)
    i = t.names.index("partial_refund")
    assert (t.low[i], t.high[i]) == (0.2, 0.7)
    assert t.advantage_low[i] == pytest.approx(0.84 * P - 1450 - 0.3 * P)
    assert t.flips(i) and t.best_high[i] == "partial_resell" and t.best_low[i] == "return"
    assert not t.flips(t.names.index("win_probability"))


def test_tornado_leaves_out_known_inputs(tariffs):
    o = phone(tariffs, win_probability="tri:0.84,0.84,0.84", partial_refund=0.5)
    t = tornado(o)
    assert set(t.names) == {"use_value", "resale_value"}
    assert len(tornado(phone(tariffs, defaults=False)).names) == 0


# --------------------------------------------------------------------------------------------
# sweeps


def test_price_sweep_break_even_is_the_models_break_even_price(tariffs):
    o = phone(tariffs)
    s = sweep(o, "price")
    assert s.before == ("partial_resell",) and s.after == ("return",)
    assert s.break_even[0] == pytest.approx(float(o.base.break_even_price[0]), rel=1e-9)
    # 1450 / (0.84 − 0.5 − 0.10)
    assert s.break_even[0] == pytest.approx(1450 / 0.24)
    assert s.ev.shape == (4, 201) and s.values[0] == 0 and s.values[-1] == 36000


def test_partial_refund_sweep_break_even_is_the_models_min_partial_refund(tariffs):
    o = phone(tariffs)
    s = sweep(o, "partial_refund")
    assert len(s.break_even) == 1
    assert s.break_even[0] == pytest.approx(float(o.base.min_partial_refund[0]), rel=1e-9)


def test_postage_sweep_break_even_is_the_models_max_postage(tariffs):
    o = phone(tariffs)
    s = sweep(o, "postage", np.linspace(0, 10000, 101))
    assert s.break_even[0] == pytest.approx(float(o.base.max_postage[0]), rel=1e-9)
    assert s.ev[RETURN] == pytest.approx(0.84 * 18000 - s.values)


def test_win_probability_sweep_break_even(tariffs):
    o = phone(tariffs)
    s = sweep(o, "win_probability")
    # w·P − S = (f + r)·P  ⇒  w* = (0.6·18000 + 1450)/18000
    assert s.break_even[0] == pytest.approx((0.6 * 18000 + 1450) / 18000, rel=1e-9)


def test_weight_sweep_re_looks_up_the_postage(tariffs):
    o = uncertain_order(price=250, currency="USD", origin="US", weight_g=300, reason="damaged",
                        tariffs=tariffs, today=TODAY)
    w = np.linspace(10, 2000, 200)
    s = sweep(o, "weight_g", w)
    p = cheapest_postage(tariffs, "US", "CN", w)
    assert s.ev[RETURN] == pytest.approx(0.84 * 250 - p.amount)
    for x, before, after in zip(s.break_even, s.before, s.after):
        j = int(np.searchsorted(w, x))
        assert w[j] == x  # a grid weight: the first one with the new best option
        assert OPTIONS[s.recommendation[j - 1]] == before and OPTIONS[s.recommendation[j]] == after


def test_sweep_errors(tariffs):
    o = phone(tariffs)
    with pytest.raises(InputError, match="'reason' is not an input that can be swept"):
        sweep(o, "reason")
    with pytest.raises(InputError, match="weight does not change the answer"):
        sweep(o, "weight_g")
    with pytest.raises(InputError, match="increasing"):
        sweep(o, "price", [3, 2, 1])


def test_sweep_range_reaches_past_the_break_even(tariffs):
    o = phone(tariffs, price=3000)  # break-even 6,041.67 > 2 × price
    lo, hi = sweep_range(o, "price")
    assert lo == 0 and hi == pytest.approx(1.25 * 1450 / 0.24)


def test_sweep_formats(tariffs):
    s = sweep(phone(tariffs), "price")
    d = json.loads(json.dumps(s.to_dict()))
    assert d["break_even"][0]["from"] == "partial_resell" and len(d["values"]) == 201
    df = s.to_frame()
    assert list(df.columns) == list(OPTIONS) + ["best"] and df["best"].iloc[-1] == "return"
    assert "at 6,042: partial_resell → return" in str(s)
    assert "<td>partial_resell</td><td>return</td>" in s._repr_html_()


# --------------------------------------------------------------------------------------------
# decision map


def test_decision_map_boundary_is_the_break_even_formula(tariffs):
    w = np.linspace(50, 2500, 120)
    prices = np.linspace(5, 600, 150)
    o = route_order(w, origin="US", destination="CN", currency="USD", reason="damaged", tariffs=tariffs, today=TODAY)
    m = decision_map(o, prices, w)
    assert m.best.shape == (120, 150)
    # Postage per weight: the cheapest tracked offer from the rate engine.
    S = cheapest_postage(tariffs, "US", "CN", w).amount
    assert m.postage == pytest.approx(S)
    # damaged: w = 0.84, f = 0.5, u = 0, r = 0.10. The best alternative is partial_resell = 0.6·P,
    # so returning wins when 0.84·P − S > 0.6·P + ½ cent, i.e. P > S / 0.24 (design §2).
    bep = S / (0.84 - 0.5 - 0.10)
    assert m.break_even_price == pytest.approx(bep)
    above = prices[None, :] > bep[:, None] + 0.05
    below = prices[None, :] < bep[:, None] - 0.05
    priced = np.isfinite(S)[:, None]
    assert np.all(m.best[above & priced] == RETURN)
    assert np.all(m.best[below & priced] == OPTIONS.index("partial_resell"))
    assert np.all(m.best[~np.isfinite(S)] == -1)  # no tracked price → no answer, not a guess
    assert above.any() and below.any()


def test_decision_map_marks_weights_nothing_can_post(tariffs):
    w = np.array([100.0, 1000.0, 40000.0])  # Royal Mail small parcels stop at 2 kg
    o = route_order(w, origin="GB", currency="GBP", reason="damaged", tariffs=tariffs, today=TODAY)
    m = decision_map(o, [50, 500], w)
    assert m.best[2].tolist() == [-1, -1]
    assert m.share()["no price"] == pytest.approx(2 / 6)
    assert "no tracked offer" in str(m)


def test_decision_map_summary_and_formats(tariffs):
    w = np.linspace(50, 2000, 50)
    o = route_order(w, origin="US", currency="USD", reason="damaged", tariffs=tariffs, today=TODAY)
    m = decision_map(o, np.linspace(5, 500, 40), w)
    share = m.share()
    assert sum(share.values()) == pytest.approx(1.0)
    steps = m.steps()
    assert steps[0]["weight_from_g"] == 50 and steps[-1]["weight_to_g"] == 2000
    assert all(r["break_even_price"] == pytest.approx(r["postage"] / 0.24) for r in steps)
    d = json.loads(json.dumps(m.to_dict()))
    assert len(d["best"]) == 50 and len(d["best"][0]) == 40
    assert len(m.to_frame()) == 2000
    text = str(m)
    assert "US → CN" in text and "returning pays above" in text


def test_decision_map_needs_a_tariff_postage(tariffs):
    with pytest.raises(InputError, match="leave out --postage"):
        decision_map(phone(tariffs), [100, 200], [100, 200])


def test_route_without_prices_fails_like_an_estimate(tariffs):
    with pytest.raises(RouteError) as exc:
        route_order(np.linspace(50, 2000, 10), origin="RU", currency="RUB", tariffs=tariffs, today=TODAY)
    msg = str(exc.value)
    assert msg.startswith("postage RU → CN") and "--postage AMOUNT" in msg


# --------------------------------------------------------------------------------------------
# Sobol


def test_sobol_indices_match_the_analytic_variance_shares(tariffs):
    # u = r = 0 so every alternative is f·P (or 0): advantage = w·P − S − f·P, additive in w and f.
    # Var(w·P) = P²/12 for w ~ U(0, 1); Var(f·P) = P²·0.5²/12 for f ~ U(0.2, 0.7): the first-order
    # (= total, no interaction) indices are 1/1.25 = 0.8 and 0.25/1.25 = 0.2.
    o = uncertain_order(price=100, currency="USD", origin="US", postage=10, use_value=0, resale_value=0,
                        win_probability="uni:0,1", partial_refund="uni:0.2,0.7", tariffs=tariffs, today=TODAY)
    s = sobol(o, n=2**13, seed=1)
    assert s.names == ("win_probability", "partial_refund")
    assert s.first_order == pytest.approx([0.8, 0.2], abs=0.03)
    assert s.total_order == pytest.approx([0.8, 0.2], abs=0.03)
    assert s.std == pytest.approx(100 * math.sqrt(1 / 12 + 0.25 / 12), rel=0.03)


def test_sobol_single_input_explains_everything(tariffs):
    o = phone(tariffs, partial_refund="tri:0.3,0.5,0.7", defaults=False)
    s = sobol(o, n=1024, seed=0)
    assert s.names == ("partial_refund",)
    assert s.first_order[0] == 1.0 and s.total_order[0] == 1.0
    # advantage = 0.84·P − S − (f + 0.1)·P: its std is P·std(f); for tri(a, m, b) the variance is
    # (a² + m² + b² − am − ab − mb)/18 = 0.12/18
    assert s.std == pytest.approx(18000 * math.sqrt(0.12 / 18), rel=0.01)


def test_sobol_is_reproducible_and_checks_n(tariffs):
    o = phone(tariffs)
    a, b = sobol(o, n=512, seed=3), sobol(o, n=512, seed=3)
    assert np.array_equal(a.first_order, b.first_order)
    with pytest.raises(InputError, match="power of 2"):
        sobol(o, n=1000)
    assert sobol(phone(tariffs, defaults=False)).names == ()


# --------------------------------------------------------------------------------------------
# threshold table


@pytest.mark.parametrize(
    "route",
    [
        dict(origin="US", currency="USD", reason="damaged"),
        dict(origin="GB", currency="EUR", reason="defective"),
        dict(origin="DE", currency="EUR", reason="damaged", partial_refund=0.3, resale_fee=0.1),
    ],
)
def test_threshold_entries_flip_the_recommendation(tariffs, route):
    o = route_order([1.0, 2000.0], tariffs=tariffs, today=TODAY, **route)
    t = threshold_table(o, max_weight_g=2000)
    assert len(t.weight_to_g) >= 1
    assert np.all(t.weight_from_g[1:] == t.weight_to_g[:-1]) and t.weight_from_g[0] == 0
    finite = np.isfinite(t.break_even_price) & (t.break_even_price > 0)
    assert finite.any()
    for i in np.flatnonzero(finite):
        x = float(t.break_even_price[i])
        d = max(0.005 * x, 0.10)
        # at the band's top weight and just inside its bottom, just below and just above the threshold
        for weight in (float(t.weight_to_g[i]), float(t.weight_from_g[i]) + 0.5):
            a = assess(price=[x - d, x + d], weight_g=weight, destination="CN", tariffs=tariffs, today=TODAY,
                       errors="raise", **route)
            if t.varies_in_band[i] and weight != t.weight_to_g[i]:
                continue  # per-kg bands: the threshold is for the top weight only
            assert a.recommendation.tolist()[1] == "return", (i, weight, x)
            assert a.recommendation.tolist()[0] != "return", (i, weight, x)
            assert a.postage[0] == pytest.approx(t.postage[i])


def test_threshold_bands_are_the_tariff_band_limits(tariffs):
    # Royal Mail's list of 2025-10-06: International Signed, small parcels up to 2 kg
    o = route_order([1.0, 2000.0], origin="GB", currency="GBP", reason="damaged", tariffs=tariffs, today=AUTUMN_2025)
    t = threshold_table(o, max_weight_g=3000)
    svc = {"gb-royal-mail/intl_signed"}
    rows = [r for r in t.rows() if r["offer_key"] in svc]
    offer = next(of for of in offers_for_route(tariffs, "GB", "CN") if of.key == "gb-royal-mail/intl_signed")
    limits = set(offer.zones[0].limits_g.tolist())
    assert {r["weight_to_g"] for r in rows} <= limits  # every band ends on a limit of the tariff
    # above the service's 2 kg maximum nothing takes the parcel: a gap, not a guess
    assert t.rows()[-1]["postage"] == "" and t.rows()[-1]["weight_to_g"] == 3000


def test_threshold_table_formats(tariffs):
    o = route_order([1.0, 2000.0], origin="US", currency="USD", reason="damaged", tariffs=tariffs, today=TODAY)
    t = threshold_table(o)
    d = json.loads(json.dumps(t.to_dict()))
    assert d["given"]["win_probability"] == 0.84 and d["origin"] == "US"
    assert len(d["bands"]) == len(t.weight_to_g)
    assert list(t.to_frame().columns)[:3] == ["weight_from_g", "weight_to_g", "service"]
    assert "return pays above" in str(t)
    assert t._repr_html_().count("<tr>") == len(t.weight_to_g) + 1


def test_threshold_table_needs_a_tariff_postage(tariffs):
    with pytest.raises(InputError, match="leave out --postage"):
        threshold_table(phone(tariffs))
    with pytest.raises(InputError, match="leave out --postage"):
        route_order([100], origin="US", postage=10, tariffs=tariffs, today=TODAY)


def test_decision_map_takes_lists_and_arrays_alike(tariffs):
    o = route_order([100.0, 900.0], origin="US", currency="USD", reason="damaged", tariffs=tariffs, today=TODAY)
    a = decision_map(o, [50, 150, 400], [100, 900])
    b = decision_map(o, np.array([50.0, 150.0, 400.0]), np.array([100.0, 900.0]))
    assert np.array_equal(a.best, b.best) and np.array_equal(a.advantage, b.advantage)
