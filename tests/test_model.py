"""The money model (design section 2, version 2): hand-checked cases, the closed-form break-evens
against brute force, availability, and the model's properties."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.model import OPTIONS, ModelInputs, evaluate

# 'damaged' defaults (calculator/inputs.py): w = q = 0.84, u = 0, r = 0.10; 10 EUR is 920.94 RUB
# at the bundled reference rates (calculator/data/sources/fx.md).
DAMAGED = dict(win_probability=0.84, partial_probability=0.84, use_value=0.0, resale_value=0.10)


def test_the_guides_broken_phone_is_worth_returning():
    # 18,000 RUB phone, arrived broken, postage 1,450 RUB (the guide the project started from).
    # Sold locally it brings R = 0.10·18000 = 1800 ≥ 920.94, so K = 1800.
    # EV_return = 0.84·(18000 − 1450) + 0.16·1800 = 13902 + 288 = 14190
    # EV_partial_resell = 0.84·0.5·18000 + 1800 = 9360; partial_keep = 7560; keep = 1800
    e = evaluate(ModelInputs(price=18000, postage=1450, min_resale=920.94, **DAMAGED))
    assert str(e.recommended) == "return"
    assert e.ev.tolist() == [1800.0, 7560.0, 9360.0, 14190.0]
    assert float(e.margin) == 4830.0


def test_cheap_socks_take_the_partial_refund():
    # 300 RUB socks, damaged, postage 600 RUB: R = 30 < 920.94, so no sale and K = 0.
    # EV_return = 0.84·(300 − 600) + 0 = −252; partial_keep = 0.84·0.5·300 = 126; keep = 0
    e = evaluate(ModelInputs(price=300, postage=600, min_resale=920.94, **DAMAGED))
    assert str(e.recommended) == "partial_keep"
    assert e.ev_return.item() == pytest.approx(-252.0)
    assert e.ev_partial_keep.item() == pytest.approx(126.0)
    assert np.isnan(e.ev_partial_resell) and not bool(e.resale_open)


def test_a_refused_dispute_leaves_the_buyer_holding_the_item():
    # The 800 USD defective laptop (issue 10): w = q = 0.84, u = 0.25, r = 0.15, postage 87.20.
    # K = max(0.25·800, 0.15·800) = 200.
    # v1 charged a lost dispute postage and item: 0.84·800 − 87.20 = 584.80 < partial 600.
    # v2: EV_return = 0.84·(800 − 87.20) + 0.16·200 = 598.752 + 32 = 630.752;
    #     partial_keep = 0.84·0.5·800 + 200 = 536
    e = evaluate(ModelInputs(price=800, postage=87.20, win_probability=0.84, partial_probability=0.84,
                             use_value=0.25, resale_value=0.15, min_resale=11.75))
    assert str(e.recommended) == "return"
    assert e.ev_return.item() == pytest.approx(630.752)
    assert e.ev_partial_keep.item() == pytest.approx(536.0)


def test_closed_options_have_no_value_and_are_never_recommended():
    # Window closed: only keep is left, whatever returning would have been worth.
    e = evaluate(ModelInputs(price=18000, postage=0, min_resale=920.94, return_open=False, partial_open=False,
                             **DAMAGED))
    assert str(e.recommended) == "keep"
    assert np.isnan(e.ev[1:]).all() and e.ev_keep.item() == 1800.0
    assert np.isnan(e.margin) and np.isnan(e.break_even_price) and np.isnan(e.max_postage)
    assert np.isnan(e.min_partial_refund)


def test_ties_go_to_the_less_effortful_option():
    # q = 0: partial_keep = u·P = keep exactly -> keep; w = 0: EV_return = K = keep -> keep
    e = evaluate(ModelInputs(price=100, postage=10, win_probability=0.0, partial_probability=0.0, use_value=0.5,
                             resale_value=0.5))
    assert str(e.recommended) == "keep" and float(e.margin) == 0.0
    # u·P = 50 = R: partial_keep and partial_resell tie -> partial_keep
    e = evaluate(ModelInputs(price=100, postage=10, win_probability=0.0, partial_probability=1.0, use_value=0.5,
                             resale_value=0.5, partial_refund=0.3))
    assert str(e.recommended) == "partial_keep"


def test_keeping_means_selling_only_when_the_sale_is_worth_it():
    # R = 0.5·100 − 5 = 45 > u·P = 30 and ≥ m = 10: keep means sell it
    kw = dict(price=100, postage=10, win_probability=0.5, partial_probability=0.5, use_value=0.3, resale_value=0.5,
              resale_cost=5)
    assert bool(evaluate(ModelInputs(**kw, min_resale=10)).keep_sells)
    # m = 50 > R: the sale is not worth it; keep is u·P = 30
    e = evaluate(ModelInputs(**kw, min_resale=50))
    assert not bool(e.keep_sells) and e.ev_keep.item() == 30.0 and np.isnan(e.ev_partial_resell)


def test_the_seller_paying_the_postage_makes_the_postage_irrelevant():
    e = evaluate(ModelInputs(price=100, postage=[0, 1e6], seller_pays_postage=1.0, **DAMAGED))
    assert e.ev_return[0] == e.ev_return[1]
    assert np.isinf(e.max_postage[0]) and e.max_postage[0] > 0


def test_scalar_list_ndarray_and_series_agree():
    import pandas as pd

    prices = [18000.0, 300.0, 5000.0]
    as_list = evaluate(ModelInputs(price=prices, postage=1450, min_resale=920.94, **DAMAGED))
    as_array = evaluate(ModelInputs(price=np.array(prices), postage=1450, min_resale=920.94, **DAMAGED))
    as_series = evaluate(ModelInputs(price=pd.Series(prices), postage=1450, min_resale=920.94, **DAMAGED))
    scalars = [evaluate(ModelInputs(price=p, postage=1450, min_resale=920.94, **DAMAGED)) for p in prices]
    for other in (as_array, as_series):
        np.testing.assert_array_equal(as_list.ev, other.ev)
    np.testing.assert_array_equal(as_list.ev, np.stack([s.ev for s in scalars], axis=1))


def test_replace_varies_one_input_as_monte_carlo_does():
    base = ModelInputs(price=18000, postage=1450, min_resale=920.94, **DAMAGED)
    draws = replace(base, partial_refund=np.array([0.2, 0.5, 0.9]))
    e = evaluate(draws)
    # partial_resell = 0.84·f·18000 + 1800
    np.testing.assert_allclose(e.ev_partial_resell, 0.84 * np.array([0.2, 0.5, 0.9]) * 18000 + 1800)


def test_incomplete_inputs_give_no_recommendation():
    e = evaluate(ModelInputs(price=[100, np.nan], postage=10, **DAMAGED))
    assert e.recommendation.tolist()[1] == -1 and e.recommended.tolist()[1] == ""
    assert np.isnan(e.margin[1]) and np.isnan(e.break_even_price[1])


def test_options_order_is_the_tie_break_order():
    assert OPTIONS == ("keep", "partial_keep", "partial_resell", "return")


# --------------------------------------------------------------------------------------------
# the closed forms against brute force

fraction = st.floats(0, 1, allow_nan=False)
# probabilities of 0 or at least 1e-4: a chance of 1e-38 moves an EV below float resolution
chance = st.one_of(st.just(0.0), st.floats(1e-4, 1))


@st.composite
def model_inputs(draw):
    """Random orders, including closed options, resale thresholds and seller-paid postage."""
    return ModelInputs(
        price=draw(st.floats(0.5, 5e4)), postage=draw(st.floats(0, 5e3)),
        win_probability=draw(chance), partial_probability=draw(chance), partial_refund=draw(fraction),
        use_value=draw(fraction), resale_value=draw(fraction), resale_fee=draw(st.sampled_from([0.0, 0.13, 0.5])),
        resale_cost=draw(st.sampled_from([0.0, 3.0, 40.0])),
        seller_pays_postage=draw(st.sampled_from([0.0, 0.5, 1.0])),
        packaging_cost=draw(st.sampled_from([0.0, 2.0])), hassle_hours=draw(st.sampled_from([0.0, 1.5])),
        hourly_value=draw(st.sampled_from([0.0, 12.0])), min_resale=draw(st.sampled_from([0.0, 10.0, 500.0])),
        return_open=True, partial_open=draw(st.booleans()),
    )


def _return_beats_all(x: ModelInputs) -> np.ndarray:
    """Brute force: returning strictly beats every open alternative (no tie tolerance)."""
    e = evaluate(x)
    alt = np.fmax.reduce(e.ev[:3], axis=0)
    return e.ev_return - alt


@settings(max_examples=400, deadline=None)
@given(model_inputs())
def test_break_even_price_agrees_with_brute_force(x):
    p_star = float(evaluate(x).break_even_price)
    grid = np.unique(np.concatenate([np.geomspace(0.01, 1e7, 3000), [p_star * (1 + 1e-6) + 1e-6]]))
    grid = grid[np.isfinite(grid)]
    gap = _return_beats_all(replace(x, price=grid))
    if np.isinf(p_star):
        # returning does not win for dear items: it loses somewhere at the top of the grid
        assert (gap[grid > 1e6] <= 1e-6 * grid[grid > 1e6]).any()
        return
    above = grid > p_star * (1 + 1e-6) + 1e-6
    assert (gap[above] > -1e-7 * grid[above]).all(), "returning must win everywhere above the break-even"
    if p_star > 0:
        just_below = max(p_star * (1 - 1e-7) - 1e-9, 0.0)
        assert float(_return_beats_all(replace(x, price=just_below))) <= 1e-6 * max(p_star, 1.0)


@settings(max_examples=400, deadline=None)
@given(model_inputs())
def test_max_postage_agrees_with_brute_force(x):
    s_max = float(evaluate(x).max_postage)
    if not np.isfinite(s_max) or s_max < 0:
        grid = np.geomspace(0.01, 1e7, 200)
        gap = _return_beats_all(replace(x, postage=grid))
        if s_max == np.inf:
            assert (gap > 0).all()
        else:
            assert (gap <= 1e-9 * float(x.price) + 1e-9).all()
        return
    lo, hi = replace(x, postage=s_max * 0.999 - 1e-6), replace(x, postage=s_max * 1.001 + 1e-6)
    if s_max * 0.999 - 1e-6 >= 0:
        assert float(_return_beats_all(lo)) > 0
    assert float(_return_beats_all(hi)) < 0


@settings(max_examples=400, deadline=None)
@given(model_inputs())
def test_min_partial_refund_agrees_with_brute_force(x):
    x = replace(x, partial_open=True)
    e = evaluate(x)
    f_min = float(e.min_partial_refund)
    K = float(e.ev_keep)
    P = float(x.price)
    # an offered partial refund f is certain: its best use is f·P + K
    offered = np.linspace(0, 1.2, 1201)
    better = offered * P + K >= float(e.ev_return)
    if f_min == 0:
        assert better.all()
    else:
        assert not better[offered < f_min - 1e-3].any() and better[offered > f_min + 1e-3].all()


@settings(max_examples=300, deadline=None)
@given(model_inputs())
def test_recommended_option_is_open_and_has_the_largest_ev(x):
    e = evaluate(x)
    rec = int(e.recommendation)
    assert not np.isnan(e.ev[rec])
    assert e.ev[rec] >= np.nanmax(e.ev) - 0.005
    assert np.isnan(e.margin) or float(e.margin) >= 0


@settings(max_examples=300, deadline=None)
@given(model_inputs(), st.floats(0, 1e4))
def test_more_postage_never_makes_returning_more_attractive(x, extra):
    e = evaluate(replace(x, postage=np.array([float(x.postage), float(x.postage) + extra])))
    a, b = e.return_advantage
    assert b <= a + 1e-9
    ra, rb = e.recommended.tolist()
    assert not (ra != "return" and rb == "return")


@settings(max_examples=300, deadline=None)
@given(model_inputs(), chance)
def test_a_refused_dispute_costs_nothing_but_the_chance(x, w):
    # EV_return lies between K (refused: keep the item) and P − (1−σ)S − c (accepted).
    e = evaluate(replace(x, win_probability=w))
    K = float(e.ev_keep)
    won = float(x.price) - (1 - float(x.seller_pays_postage)) * float(x.postage) - (
        float(x.packaging_cost) + float(x.hassle_hours) * float(x.hourly_value))
    r = float(e.ev_return)
    assert min(K, won) - 1e-6 <= r <= max(K, won) + 1e-6


def test_closing_an_option_never_helps_it():
    x = ModelInputs(price=[10, 100, 1000, 10000], postage=50, **DAMAGED, min_resale=10)
    open_, closed = evaluate(x), evaluate(replace(x, partial_open=False))
    assert not (closed.recommended == "partial_keep").any() and not (closed.recommended == "partial_resell").any()
    # keep and return do not change when partial refunds close
    np.testing.assert_array_equal(open_.ev[[0, 3]], closed.ev[[0, 3]])
