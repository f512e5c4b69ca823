"""Tornado, sweeps, decision maps, Sobol indices and threshold tables (calculator.sensitivity)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from dataclasses import replace

from calculator.errors import InputError, RouteError
from calculator.assessment import assess
from calculator.model import OPTION_LABELS, OPTIONS, ModelInputs, evaluate
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
KEEP, PARTIAL_KEEP, PARTIAL_RESELL = (OPTIONS.index(o) for o in ("keep", "partial_keep", "partial_resell"))

# The phone (conftest.phone): P = 18,000 RUB, S = 1,450, damaged: w = q = 0.84, u = 0, r = 0.10,
# f = 0.5; a local sale must bring min_resale = 10 EUR = 10 · 92.0938 = 920.94 RUB.
#   R = 0.10 · 18000 = 1800 ≥ 920.94, so K = max(u·P, R) = 1800
#   EV_keep = 1800; EV_partial_keep = q·f·P + u·P = 0.84 · 0.5 · 18000 = 7560
#   EV_partial_resell = 7560 + 1800 = 9360
#   EV_return = 0.84 · (18000 − 1450) + 0.16 · 1800 = 13902 + 288 = 14190; advantage 14190 − 9360 = 4830
# Break-even price: under P_sale = 920.94/0.10 = 9209.40 a sale is not worth it (K = 0) and the best
# alternative is partial_keep: 0.84·(P − 1450) > 0.42·P ⇔ P > 0.84·1450/0.42 = 2900; above P_sale,
# 0.84·(P − 1450) + 0.016·P > 0.52·P ⇔ P > 1218/0.336 = 3625 holds already. So P* = 2900.
PHONE_BREAK_EVEN = 0.84 * 1450 / (0.84 - 0.42)  # 2900


# --------------------------------------------------------------------------------------------
# tornado


def test_tornado_swings_follow_the_linear_model(tariffs):
    o = phone(tariffs)
    t = tornado(o)
    # (numbers of the phone at the top of this file) The best alternative is partial_resell = 9360.
    # w ∈ 0.69..0.99 moves EV_return = w·16550 + (1 − w)·1800 = 1800 + 14750·w: swing 14750 · 0.30 = 4425.
    # f ∈ 0.2..0.7 moves partial_resell = 0.84·f·18000 + 1800 = 15120·f + 1800: swing 15120 · 0.5 = 7560.
    # q ∈ 0.69..0.99 moves partial_resell = 9000·q + 1800: swing 9000 · 0.30 = 2700.
    # r = 0: R = 0 < 920.94, no sale, K = 0: EV_return = 13902, best alternative partial_keep 7560 → 6342;
    # r = 0.3: R = K = 5400: EV_return = 13902 + 0.16·5400 = 14766, partial_resell 12960 → 1806; swing 4536.
    # u = 0.2: K = u·P = 3600 > R: EV_return = 13902 + 576 = 14478, partial_keep 11160 → 3318; swing 1512.
    swings = dict(zip(t.names, t.swing))
    assert swings == pytest.approx({"partial_refund": 7560, "resale_value": 4536, "win_probability": 4425,
                                    "partial_probability": 2700, "use_value": 1512})
    assert t.names == ("partial_refund", "resale_value", "win_probability", "partial_probability", "use_value")
    assert list(t.swing) == sorted(t.swing, reverse=True)
    assert t.base_advantage == pytest.approx(4830)
    i = t.names.index("partial_refund")
    assert (t.low[i], t.high[i]) == (0.2, 0.7)
    assert (t.advantage_low[i], t.advantage_high[i]) == pytest.approx((14190 - 4824, 14190 - 12384))  # 9366, 1806
    j = t.names.index("resale_value")
    assert (t.advantage_low[j], t.advantage_high[j]) == pytest.approx((6342, 1806))
    # the smallest advantage at any end is 1806 > 0: no input alone changes the answer
    assert t.base_best == "return" and not any(t.flips(k) for k in range(len(t.names)))


def test_tornado_flips_for_a_cheaper_phone(tariffs):
    # P = 4000: R = 400 < 920.94, no sale, K = 0. EV_return = 0.84·(4000 − 1450) = 2142; the best
    # alternative is partial_keep = 0.84·0.5·4000 = 1680: advantage 462.
    # f = 0.7: partial_keep = 0.84·0.7·4000 = 2352 → advantage −210: flips to partial_keep.
    # r = 0.3: R = 1200 ≥ 920.94 makes a sale worth it: K = 1200, EV_return = 2142 + 0.16·1200 = 2334,
    # partial_resell = 1680 + 1200 = 2880 → advantage −546: flips to partial_resell.
    t = tornado(phone(tariffs, price=4000))
    assert t.base_advantage == pytest.approx(462) and t.base_best == "return"
    i, j = t.names.index("partial_refund"), t.names.index("resale_value")
    assert t.advantage_high[i] == pytest.approx(-210) and t.best_high[i] == "partial_keep" and t.flips(i)
    assert t.advantage_high[j] == pytest.approx(-546) and t.best_high[j] == "partial_resell" and t.flips(j)
    # the options in words: "partial refund, resell the item", "partial refund, keep the item"
    text = str(t)
    assert f"→ flips to: {OPTION_LABELS['partial_resell']}" in text
    assert f"→ flips to: {OPTION_LABELS['partial_keep']}" in text
    assert "partial_resell" not in text and "resale_value" not in text and "local resale price" in text


def test_tornado_leaves_out_known_inputs(tariffs):
    o = phone(tariffs, win_probability="tri:0.84,0.84,0.84", partial_refund=0.5)
    t = tornado(o)
    assert set(t.names) == {"partial_probability", "use_value", "resale_value"}
    assert len(tornado(phone(tariffs, defaults=False)).names) == 0


# --------------------------------------------------------------------------------------------
# sweeps


def test_price_sweep_break_even_is_the_models_break_even_price(tariffs):
    o = phone(tariffs)
    s = sweep(o, "price")
    # below 2900 a partial refund (kept: the broken phone is not worth selling) beats returning
    assert s.before == ("partial_keep",) and s.after == ("return",)
    assert s.break_even[0] == pytest.approx(float(o.base.break_even_price[0]), rel=1e-9)
    assert s.break_even[0] == pytest.approx(PHONE_BREAK_EVEN)  # 0.84·1450/0.42 = 2900
    assert s.ev.shape == (4, 201) and s.values[0] == 0 and s.values[-1] == 36000
    # partial_resell opens where a sale brings min_resale: 0.10·P ≥ 920.94 ⇔ P ≥ 9209.40
    opened = s.values[np.isfinite(s.ev[PARTIAL_RESELL])]
    assert opened.min() >= 9209.4 and s.values[s.values >= 9209.4].min() == opened.min()


def test_partial_refund_sweep_break_even_is_the_models_min_partial_refund(tariffs):
    # min_partial_refund is the smallest partial refund the seller *offers* (certain, q = 1) that beats
    # returning: f·P + K > EV_return ⇔ f > (14190 − 1800)/18000 = 0.68833. A sweep with q = 1 finds it.
    o = phone(tariffs, partial_probability=1)
    s = sweep(o, "partial_refund")
    assert len(s.break_even) == 1 and (s.before, s.after) == (("return",), ("partial_resell",))
    assert s.break_even[0] == pytest.approx(float(o.base.min_partial_refund[0]), rel=1e-9)
    assert s.break_even[0] == pytest.approx((14190 - 1800) / 18000)
    # Asked for in a dispute the refund is granted with q = 0.84 only, so a larger one is needed:
    # 0.84·f·18000 + 1800 > 14190 ⇔ f > 12390/15120 = 0.81944; min_partial_refund does not move.
    o = phone(tariffs)
    s = sweep(o, "partial_refund")
    assert s.break_even[0] == pytest.approx(12390 / 15120, rel=1e-9)
    assert float(o.base.min_partial_refund[0]) == pytest.approx(12390 / 18000)


def test_postage_sweep_break_even_is_the_models_max_postage(tariffs):
    o = phone(tariffs)
    s = sweep(o, "postage", np.linspace(0, 10000, 101))
    assert s.break_even[0] == pytest.approx(float(o.base.max_postage[0]), rel=1e-9)
    # 0.84·(18000 − S) + 0.16·1800 > 9360 ⇔ S < 18000 − (9360 − 288)/0.84 = 7200
    assert s.break_even[0] == pytest.approx(7200)
    assert s.ev[RETURN] == pytest.approx(0.84 * (18000 - s.values) + 0.16 * 1800)


def test_win_probability_sweep_break_even(tariffs):
    o = phone(tariffs)
    s = sweep(o, "win_probability")
    # w·(P − S) + (1 − w)·K = A  ⇒  w* = (A − K)/(P − S − K) = (9360 − 1800)/(16550 − 1800) = 7560/14750
    assert s.break_even[0] == pytest.approx(7560 / 14750, rel=1e-9)
    assert (s.before, s.after) == (("partial_resell",), ("return",))


def test_weight_sweep_re_looks_up_the_postage(tariffs):
    o = uncertain_order(price=250, currency="USD", origin="US", weight_g=300, reason="damaged",
                        tariffs=tariffs, today=TODAY)
    w = np.linspace(10, 2000, 200)
    s = sweep(o, "weight_g", w)
    p = cheapest_postage(tariffs, "US", "CN", w, posted_on=TODAY)
    assert np.array_equal(o.postage_for_weight(w), p.amount)  # USD, already in cents
    # damaged: R = 0.1·250 = 25 ≥ min_resale 11.75, K = 25: EV_return = 0.84·(250 − S) + 0.16·25
    assert s.ev[RETURN] == pytest.approx(0.84 * (250 - p.amount) + 4)
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
    o = phone(tariffs, price=1000)  # break-even 2,900 > 2 × price
    assert float(o.base.break_even_price[0]) == pytest.approx(PHONE_BREAK_EVEN)
    lo, hi = sweep_range(o, "price")
    assert lo == 0 and hi == pytest.approx(1.25 * PHONE_BREAK_EVEN)


def test_sweep_formats(tariffs):
    s = sweep(phone(tariffs), "price")
    d = json.loads(json.dumps(s.to_dict()))
    assert d["break_even"][0]["from"] == "partial_keep" and len(d["values"]) == 201
    df = s.to_frame()
    assert list(df.columns) == list(OPTIONS) + ["best"] and df["best"].iloc[-1] == "return"
    assert "at 2,900: partial refund, keep the item → return it (dispute + post back)" in str(s)
    assert "<td>partial refund, keep the item</td><td>return it (dispute + post back)</td>" in s._repr_html_()


def test_sweep_text_names_the_option_best_over_the_range(tariffs):
    # A free return (AliExpress Free Return, 40 USD, under the US$1,000 cap): w = 1, S = 0, so
    # EV_return = P beats keep = max(0.3·P, 0.5·P) and the partial options (q·f·P + …) at every price
    # above 0; at 0 every option is worth 0 (a tie, which goes to keep). The text must say returning.
    o = uncertain_order(price=40, currency="USD", origin="US", reason="wrong_item", free_return=True,
                        tariffs=tariffs, today=TODAY)
    assert str(o.base.recommended[0]) == "return" and float(o.base.break_even_price[0]) == 0
    s = sweep(o, "price")
    assert (s.recommendation[1:] == RETURN).all() and len(s.break_even) == 0
    text = str(s)
    assert f"{OPTION_LABELS['keep']} is best" not in text and f"{OPTION_LABELS['return']} is best" in text


# --------------------------------------------------------------------------------------------
# decision map


def test_decision_map_boundary_is_the_break_even_formula(tariffs):
    w = np.linspace(50, 2500, 120)
    prices = np.linspace(5, 600, 150)
    o = route_order(w, origin="US", destination="CN", currency="USD", reason="damaged", tariffs=tariffs, today=TODAY)
    m = decision_map(o, prices, w)
    assert m.best.shape == (120, 150)
    # Postage per weight: the cheapest tracked offer from the rate engine.
    S = cheapest_postage(tariffs, "US", "CN", w, posted_on=TODAY).amount
    assert m.postage == pytest.approx(S)
    bep = _us_damaged_break_even(S)
    assert m.break_even_price == pytest.approx(bep)
    P = prices[None, :]
    above = P > bep[:, None] + 0.05
    below = P < bep[:, None] - 0.05
    priced = np.isfinite(S)[:, None]
    assert np.all(m.best[above & priced] == RETURN)
    # below the break-even: a partial refund, kept under 117.50 USD (a sale is not worth it), sold above
    assert np.all(m.best[below & priced & (P < 117.45)] == PARTIAL_KEEP)
    assert np.all(m.best[below & priced & (P > 117.55)] == PARTIAL_RESELL)
    assert np.all(m.best[~np.isfinite(S)] == -1)  # no tracked price → no answer, not a guess
    assert above.any() and (below & (P < 117.45)).any() and (below & (P > 117.55)).any()


def _us_damaged_break_even(S):
    """Break-even price of a damaged item in USD at postage S (design §2, version 2).

    damaged: w = q = 0.84, f = 0.5, u = 0, r = 0.10; min_resale = 10 EUR = 11.75 USD, so a sale is
    worth it from P_sale = 11.75/0.10 = 117.50 USD. Below P_sale, K = 0 and the best alternative is
    partial_keep = 0.42·P: 0.84·(P − S) > 0.42·P ⇔ P > 2·S. Above, K = R = 0.1·P and the best is
    partial_resell = 0.52·P: 0.84·(P − S) + 0.16·0.1·P > 0.52·P ⇔ P > 0.84·S/0.336 = 2.5·S. Returning
    wins for every price above P* when both hold: P* = 2.5·S if 2.5·S > 117.50, else 2·S.
    """
    S = np.asarray(S, dtype=float)
    return np.where(2.5 * S > 117.5, 2.5 * S, 2 * S)


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
    assert all(r["break_even_price"] == pytest.approx(float(_us_damaged_break_even(r["postage"]))) for r in steps)
    d = json.loads(json.dumps(m.to_dict()))
    assert len(d["best"]) == 50 and len(d["best"][0]) == 40
    assert len(m.to_frame()) == 2000
    text = str(m)
    assert "US → CN" in text and "returning pays above" in text


def test_decision_map_with_a_given_postage_holds_it_for_every_weight(tariffs):
    # A counter quote (RU → CN has no tariff): 1,450 RUB at every weight; the break-even is the
    # phone's, 2900 (top of this file), at every weight.
    w = np.array([50.0, 450.0, 2000.0])
    o = route_order(w, origin="RU", destination="CN", currency="RUB", postage=1450, reason="damaged",
                    tariffs=tariffs, today=TODAY)
    m = decision_map(o, [1000, 2899, 2901, 9000, 20000], w)
    assert m.postage.tolist() == [1450.0] * 3 and set(m.offer) == {"postage as given"}
    assert m.break_even_price == pytest.approx([PHONE_BREAK_EVEN] * 3)
    assert m.best.tolist() == [[PARTIAL_KEEP, PARTIAL_KEEP, RETURN, RETURN, RETURN]] * 3
    # the model's own break-even at that postage, inputs built by hand
    e = evaluate(ModelInputs(price=18000, postage=1450, win_probability=0.84, partial_probability=0.84,
                             use_value=0.0, resale_value=0.10, min_resale=920.94))
    assert m.break_even_price[0] == pytest.approx(float(e.break_even_price))
    # the phone's own order (postage given) maps the same way
    assert decision_map(phone(tariffs), [1000, 2901], [100, 200]).best.tolist() == [[PARTIAL_KEEP, RETURN]] * 2
    text = str(m)
    # weights from 50 g to 2 kg; money as CLDR writes it in English, the code and a no-break space
    assert "50 g–2 kg: postage RUB\u00a01,450.00, returning pays above RUB\u00a02,900.00" in text


def test_decision_map_of_a_closed_window_does_not_blame_the_post(tariffs):
    # Received 2026-10-01 on AliExpress: the window closed on 2026-10-16, so only keeping is left at
    # every price and weight (K = max(u·P, R)). USPS does take these parcels: the map must not say
    # that no tracked offer can take them.
    w = np.array([100.0, 1000.0])
    o = route_order(w, origin="US", currency="USD", reason="damaged", received_on="2026-10-01",
                    tariffs=tariffs, today=TODAY)
    with pytest.raises(InputError) as info:
        decision_map(o, [50, 500], w)
    assert "the dispute window closed on 16 Oct 2026" in str(info.value)
    assert "a route analysis needs an open window: leave out --received-on" in str(info.value)


def test_route_without_prices_fails_like_an_estimate(tariffs):
    with pytest.raises(RouteError) as exc:
        route_order(np.linspace(50, 2000, 10), origin="RU", currency="RUB", reason="damaged", tariffs=tariffs,
                    today=TODAY)
    msg = str(exc.value)
    assert msg.startswith("postage RU → CN") and "--postage AMOUNT" in msg


# --------------------------------------------------------------------------------------------
# Sobol


def test_sobol_indices_match_the_analytic_variance_shares(tariffs):
    # P = 100, S = 10, u = r = 0 (no sale: R = 0 < min_resale, K = 0), q = 0.9 given:
    # EV_return = w·(100 − 10) = 90·w; the best alternative is partial_keep = 0.9·f·100 = 90·f (≥ 18 > 0 = keep),
    # so advantage = 90·(w − f), additive in w and f. Var(90·w) = 90²/12 for w ~ U(0, 1);
    # Var(90·f) = 90²·0.5²/12 for f ~ U(0.2, 0.7): the first-order (= total, no interaction) indices
    # are 1/1.25 = 0.8 and 0.25/1.25 = 0.2, and std = 90·sqrt(1.25/12) = 29.05.
    o = uncertain_order(price=100, currency="USD", origin="US", postage=10, reason="damaged", use_value=0,
                        resale_value=0, partial_probability=0.9, win_probability="uni:0,1",
                        partial_refund="uni:0.2,0.7", tariffs=tariffs, today=TODAY)
    s = sobol(o, n=2**13, seed=1)
    assert s.names == ("win_probability", "partial_refund")
    assert s.first_order == pytest.approx([0.8, 0.2], abs=0.03)
    assert s.total_order == pytest.approx([0.8, 0.2], abs=0.03)
    assert s.std == pytest.approx(90 * math.sqrt(1 / 12 + 0.25 / 12), rel=0.03)


def test_sobol_single_input_explains_everything(tariffs):
    o = phone(tariffs, partial_refund="tri:0.3,0.5,0.7", defaults=False)
    s = sobol(o, n=1024, seed=0)
    assert s.names == ("partial_refund",)
    assert s.first_order[0] == 1.0 and s.total_order[0] == 1.0
    # advantage = EV_return − partial_resell = 14190 − (0.84·f·18000 + 1800): its std is 15120·std(f);
    # for tri(a, m, b) the variance is (a² + m² + b² − am − ab − mb)/18 = 0.12/18
    assert s.std == pytest.approx(0.84 * 18000 * math.sqrt(0.12 / 18), rel=0.01)


def test_sobol_of_an_order_whose_window_has_closed_does_not_blame_the_post(tariffs):
    # the phone received 2026-10-01: the window closed on 2026-10-16, returning has no EV (NaN) in any
    # draw. The postage was given, so "some draws cannot be priced (no postal offer at that weight)"
    # would send the buyer after the wrong problem.
    o = phone(tariffs, received_on="2026-10-01")
    try:
        sobol(o, n=64, seed=1)
    except InputError as exc:
        assert "window" in str(exc) and "postal offer" not in str(exc), str(exc)


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
    assert "returning pays above" in str(t) and "win_probability" not in str(t)
    assert "(assuming chance the return is accepted 0.84, chance the partial refund is granted 0.84" in str(t)
    assert t._repr_html_().count("<tr>") == len(t.weight_to_g) + 1


def test_threshold_table_with_a_given_postage_is_one_band(tariffs):
    # a counter quote holds for every weight: one band, the model's break-even at that postage (2900)
    o = phone(tariffs)
    t = threshold_table(o)
    assert (t.weight_from_g.tolist(), t.weight_to_g.tolist()) == ([0.0], [2000.0])
    assert t.postage.tolist() == [1450.0] and t.postage_currency.tolist() == ["RUB"]
    assert t.break_even_price == pytest.approx([float(o.base.break_even_price[0])])
    assert t.break_even_price == pytest.approx([PHONE_BREAK_EVEN])
    # US, 10 USD given: 0.84·(P − 10) > 0.42·P ⇔ P > 20 (under 117.50 USD a sale is not worth it;
    # above it, 0.336·P > 8.4 ⇔ P > 25 holds too): 20 USD
    o = route_order([100], origin="US", postage=10, reason="damaged", tariffs=tariffs, today=TODAY)
    t = threshold_table(o)
    assert t.postage.tolist() == [10.0] and t.break_even_price == pytest.approx([20.0])
    a = assess(price=[19.9, 20.1], origin="US", postage=10, reason="damaged", tariffs=tariffs, today=TODAY)
    assert a.recommendation.tolist() == ["partial_keep", "return"]


def test_decision_map_takes_lists_and_arrays_alike(tariffs):
    o = route_order([100.0, 900.0], origin="US", currency="USD", reason="damaged", tariffs=tariffs, today=TODAY)
    a = decision_map(o, [50, 150, 400], [100, 900])
    b = decision_map(o, np.array([50.0, 150.0, 400.0]), np.array([100.0, 900.0]))
    assert np.array_equal(a.best, b.best) and np.array_equal(a.advantage, b.advantage)
