"""The money model: hand-checked cases, break-evens checked on both sides, and its properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.model import OPTIONS, evaluate


def test_broken_phone_is_worth_returning():
    # Starting guidance of the project: an 18,000 RUB phone arrived broken, return postage about
    # 1,500 RUB -> dispute and return. With the 'damaged' defaults w = 0.84, u = 0, r = 0.10:
    # EV_return = 0.84 * 18000 - 1500 = 13,620; partial_resell = 0.5 * 18000 + 0.1 * 18000 = 10,800.
    e = evaluate(18000, 1500, win_probability=0.84, use_value=0.0, resale_value=0.10)
    assert str(e.recommended) == "return"
    assert e.ev.tolist() == [1800.0, 9000.0, 10800.0, 13620.0]
    assert float(e.margin) == 2820.0


def test_cheap_item_where_postage_exceeds_price_takes_the_partial_refund():
    # Same guidance: socks, tea, freezer bags at a few hundred RUB; postage 1,500 RUB is more than
    # the price -> accept the partial refund. 'not_as_described' defaults w = 0.74, u = 0.5, r = 0.5.
    e = evaluate([150, 300, 450], 1500, win_probability=0.74, use_value=0.5, resale_value=0.5)
    assert e.recommended.tolist() == ["partial_keep"] * 3
    assert np.all(e.ev_return < 0)


def test_ties_go_to_the_less_effortful_option():
    # f = 0: partial_keep = keep exactly -> keep; u = r and no fee -> partial_keep before partial_resell
    e = evaluate(100, 10, win_probability=0.0, use_value=0.5, resale_value=0.5, partial_refund=0.0)
    assert str(e.recommended) == "keep" and float(e.margin) == 0.0
    e = evaluate(100, 10, win_probability=0.0, use_value=0.5, resale_value=0.5, partial_refund=0.3)
    assert str(e.recommended) == "partial_keep"


CASES = [
    dict(postage=1500, win_probability=0.84, use_value=0.0, resale_value=0.10),
    dict(postage=40, win_probability=0.91, use_value=0.1, resale_value=0.3, resale_fee=0.13, resale_cost=5),
    dict(postage=25, win_probability=0.74, use_value=0.1, resale_value=0.2, partial_refund=0.3, packaging_cost=2, hassle_hours=0.5, hourly_value=12,
         seller_pays_postage=0.5),
]


@pytest.mark.parametrize("kw", CASES)
def test_break_even_price_flips_the_answer(kw):
    be = float(evaluate(1000, **kw).break_even_price)
    assert np.isfinite(be) and be > 0
    below, above = evaluate([be * 0.99, be * 1.01], **kw).recommended.tolist()
    assert below != "return" and above == "return"


@pytest.mark.parametrize("kw", CASES)
def test_max_postage_flips_the_answer(kw):
    kw = dict(kw)
    price = 5000.0
    mp = float(evaluate(price, **kw).max_postage)
    assert mp > 0
    kw.pop("postage")
    below, above = evaluate(price, [mp * 0.99, mp * 1.01], **kw).recommended.tolist()
    assert below == "return" and above != "return"


@pytest.mark.parametrize("kw", CASES)
def test_min_partial_refund_flips_the_answer(kw):
    kw = dict(kw)
    kw.pop("partial_refund", None)
    price = 5000.0
    f = float(evaluate(price, **kw).min_partial_refund)
    assert 0 < f < 1
    below, above = evaluate(price, partial_refund=[f - 0.01, f + 0.01], **kw).recommended.tolist()
    assert below == "return" and above.startswith("partial")


def test_never_worth_returning_gives_infinite_break_even():
    e = evaluate(100, 10, win_probability=0.5, use_value=0.5, resale_value=0.5, partial_refund=0.5)
    assert np.isinf(e.break_even_price) and str(e.recommended) != "return"


def test_nan_input_gives_nan_not_a_guess():
    e = evaluate([100, np.nan], 10, win_probability=0.8, use_value=0.2, resale_value=0.2)
    assert e.recommendation.tolist()[1] == -1 and e.recommended.tolist()[1] == ""
    assert np.isnan(e.margin[1]) and np.isnan(e.break_even_price[1])


def test_scalar_list_ndarray_and_series_agree():
    import pandas as pd

    kw = dict(win_probability=0.84, use_value=0.0, resale_value=0.10)
    prices = [18000.0, 300.0, 5000.0]
    as_list = evaluate(prices, 1500, **kw)
    as_array = evaluate(np.array(prices), 1500, **kw)
    as_series = evaluate(pd.Series(prices), 1500, **kw)
    scalars = [evaluate(p, 1500, **kw) for p in prices]
    for other in (as_array, as_series):
        np.testing.assert_array_equal(as_list.ev, other.ev)
    np.testing.assert_array_equal(as_list.ev, np.stack([s.ev for s in scalars], axis=1))


fraction = st.floats(0, 1, allow_nan=False)
money = st.floats(0.01, 1e6, allow_nan=False)


@st.composite
def orders(draw):
    return dict(
        price=draw(money), postage=draw(st.floats(0, 1e5)), win_probability=draw(fraction),
        use_value=draw(fraction), resale_value=draw(fraction), partial_refund=draw(fraction),
        seller_pays_postage=draw(fraction), packaging_cost=draw(st.floats(0, 1e4)),
        hassle_hours=draw(st.floats(0, 20)), hourly_value=draw(st.floats(0, 500)),
        resale_fee=draw(fraction), resale_cost=draw(st.floats(0, 1e4)),
    )


@settings(max_examples=300, deadline=None)
@given(orders())
def test_recommended_option_has_the_largest_ev(o):
    kw = dict(o)
    e = evaluate(kw.pop("price"), kw.pop("postage"), **kw)
    rec = int(e.recommendation)
    assert e.ev[rec] >= e.ev.max() - 0.005
    assert float(e.margin) >= 0


@settings(max_examples=300, deadline=None)
@given(orders(), st.floats(0, 1e4))
def test_more_postage_never_makes_returning_more_attractive(o, extra):
    kw = dict(o)
    price, postage = kw.pop("price"), kw.pop("postage")
    a, b = evaluate(price, [postage, postage + extra], **kw).return_advantage
    assert b <= a + 1e-9
    ra, rb = evaluate(price, [postage, postage + extra], **kw).recommended.tolist()
    assert not (ra != "return" and rb == "return")


@settings(max_examples=300, deadline=None)
@given(orders(), st.floats(0, 1))
def test_larger_partial_refund_never_makes_partial_options_less_attractive(o, more):
    kw = dict(o)
    price, postage = kw.pop("price"), kw.pop("postage")
    f = kw.pop("partial_refund")
    g = min(1.0, f + more)
    e = evaluate(price, postage, partial_refund=np.array([f, g]), **kw)
    assert np.all(e.ev[1:3, 1] >= e.ev[1:3, 0] - 1e-9)
    before, after = e.recommended.tolist()
    assert not (before.startswith("partial") and after == "return")


def test_options_order_is_the_tie_break_order():
    assert OPTIONS == ("keep", "partial_keep", "partial_resell", "return")
