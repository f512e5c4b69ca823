"""Distributions on inputs and Monte Carlo (calculator.uncertainty)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from calculator.errors import InputError, RouteError
from calculator import estimate
from calculator.assessment import assess
from calculator.model import OPTION_LABELS, OPTIONS
from calculator.uncertainty import (
    DISTRIBUTION_FORMS,
    Distribution,
    beta,
    default_distribution,
    draw,
    monte_carlo,
    normal,
    parse_distribution,
    triangular,
    uncertain_order,
    uniform,
)

from conftest import TODAY, phone

RETURN = OPTIONS.index("return")


# --------------------------------------------------------------------------------------------
# distributions


@pytest.mark.parametrize(
    "text, name, kind, params",
    [
        ("tri:0.3,0.5,0.7", "partial_refund", "triangular", (0.3, 0.5, 0.7)),
        ("triangular:30%,50%,70%", "partial_refund", "triangular", (0.3, 0.5, 0.7)),
        ("uni:0.1,0.4", "resale_value", "uniform", (0.1, 0.4)),
        ("beta:8,2", "win_probability", "beta", (8.0, 2.0, 0.0, 1.0)),
        ("beta:2,5,100,500", "postage", "beta", (2.0, 5.0, 100.0, 500.0)),
        ("norm:1500,200", "postage", "normal", (1500.0, 200.0)),
        ("normal:0,5", "price", "normal", (0.0, 5.0)),
        ("0.4", "partial_refund", "fixed", (0.4,)),
        (" tri: 1 , 2 , 3 ", "hassle_hours", "triangular", (1.0, 2.0, 3.0)),
    ],
)
def test_parse_every_form(text, name, kind, params):
    d = parse_distribution(text, name=name)
    assert d.kind == kind
    assert d.params == pytest.approx(params)


def test_valid_range_comes_from_the_input_kind():
    assert (parse_distribution("norm:0.9,0.2", name="win_probability").lower,
            parse_distribution("norm:0.9,0.2", name="win_probability").upper) == (0.0, 1.0)
    d = parse_distribution("norm:100,80", name="price")
    assert (d.lower, d.upper) == (0.0, math.inf)


@pytest.mark.parametrize(
    "text, name, fragment",
    [
        ("tria:0.3,0.5,0.7", "partial_refund", "unknown distribution 'tria'"),
        ("tri:0.3,0.5", "partial_refund", "takes 3 numbers, got 2"),
        ("tri:0.7,0.5,0.3", "partial_refund", "MIN ≤ LIKELY ≤ MAX"),
        ("uni:0.5,1.3", "win_probability", "outside the valid range 0 to 1"),
        ("tri:-10,5,20", "postage", "outside the valid range: 0 or more"),
        ("tri:a,b,c", "resale_value", "is not a number"),
        ("beta:2,3", "price", "not a fraction"),
        ("beta:0,3", "resale_value", "greater than 0"),
        ("norm:0.5,-1", "resale_value", "zero or more"),
        ("norm:50,1", "win_probability", "6 standard deviations"),
        ("tri:10%,20%,30%", "price", "only for fractions"),
        ("abc", "partial_refund", "neither a number nor a distribution"),
    ],
)
def test_parse_errors_name_the_flag_the_text_and_the_forms(text, name, fragment):
    with pytest.raises(InputError) as exc:
        parse_distribution(text, name=name)
    msg = str(exc.value)
    assert msg.startswith("--" + name.replace("_", "-") + ": ")
    assert repr(text.strip()) in msg
    assert fragment in msg
    assert DISTRIBUTION_FORMS in msg


def test_an_input_that_cannot_vary_is_refused():
    with pytest.raises(InputError, match="reason: cannot take a distribution"):
        parse_distribution("tri:1,2,3", name="reason")


def test_triangular_ppf_is_the_closed_form_inverse_cdf():
    d = triangular(1.0, 2.0, 5.0)
    x = np.linspace(1, 5, 101)
    # CDF of tri(a, m, b): (x−a)²/((b−a)(m−a)) left of m, 1 − (b−x)²/((b−a)(b−m)) right of it
    cdf = np.where(x <= 2, (x - 1) ** 2 / (4 * 1), 1 - (5 - x) ** 2 / (4 * 3))
    assert d.ppf(cdf) == pytest.approx(x, abs=1e-12)


def test_sample_moments_match_the_distributions():
    rng = np.random.default_rng(0)
    n = 200_000
    assert triangular(0.2, 0.5, 0.7).sample(n, rng).mean() == pytest.approx((0.2 + 0.5 + 0.7) / 3, abs=0.002)
    assert uniform(10, 20).sample(n, rng).mean() == pytest.approx(15, abs=0.05)
    assert beta(8, 2).sample(n, rng).mean() == pytest.approx(0.8, abs=0.002)
    x = beta(2, 2, 100, 300).sample(n, rng)
    assert x.min() >= 100 and x.max() <= 300 and x.mean() == pytest.approx(200, abs=0.5)


def test_normal_is_truncated_not_clipped():
    d = normal(0.9, 0.2, lower=0.0, upper=1.0)
    x = d.sample(100_000, np.random.default_rng(1))
    assert x.max() <= 1.0 and x.min() >= 0.0
    # clipping would pile ~31 % of the draws on exactly 1.0; truncation puts none there
    assert np.mean(x == 1.0) < 1e-3
    # the ppf covers the truncated range exactly
    assert d.ppf([0.0, 1.0]) == pytest.approx([0.0, 1.0], abs=1e-9)


def test_degenerate_distributions_are_single_values():
    for d in (triangular(0.4, 0.4, 0.4), uniform(3, 3), normal(5, 0)):
        assert d.is_degenerate
        assert np.all(d.sample(10, np.random.default_rng(0)) == d.center)


def test_range_is_the_ends_or_the_5_95_percentiles():
    assert triangular(0.2, 0.5, 0.7).range == (0.2, 0.7)
    lo, hi = normal(100, 10).range
    assert (lo, hi) == pytest.approx((100 - 16.4485, 100 + 16.4485), abs=1e-3)


def test_default_distributions_center_on_the_reason_default():
    assert default_distribution("partial_refund", 0.5).params == (0.2, 0.5, 0.7)
    assert default_distribution("win_probability", 0.84).params == pytest.approx((0.69, 0.84, 0.99))
    assert default_distribution("partial_probability", 0.84).params == pytest.approx((0.69, 0.84, 0.99))
    assert default_distribution("win_probability", 0.91).params == pytest.approx((0.76, 0.91, 1.0))  # clipped
    assert default_distribution("resale_value", 0.5).params == pytest.approx((0.3, 0.5, 0.7))  # policies.md B2
    assert default_distribution("resale_value", 0.1).params == pytest.approx((0.0, 0.1, 0.3))


def test_only_assumed_inputs_get_default_distributions(tariffs):
    # damaged: q = w = 0.84 by default; q now gets its default distribution as w does
    o = phone(tariffs, win_probability=0.9, resale_value="uni:0.05,0.2")
    assert set(o.distributions) == {"partial_probability", "partial_refund", "use_value", "resale_value"}
    assert str(o.distributions["resale_value"]) == "uni(0.05, 0.2)"
    assert str(o.distributions["partial_probability"]) == "tri(0.69, 0.84, 0.99)"
    assert o.value("win_probability") == 0.9
    o = phone(tariffs, partial_probability=0.5)
    assert "partial_probability" not in o.distributions and o.value("partial_probability") == 0.5
    o = phone(tariffs, defaults=False)
    assert dict(o.distributions) == {}


def test_no_default_distribution_on_a_value_a_rule_sets(tariffs):
    # After 3 disputes won in a row AliExpress refuses the next one: w = q = 0 by the rule, not a
    # guess, so they stay fixed; the other assumed inputs still get their distributions.
    o = phone(tariffs, disputes_won_in_a_row=3)
    assert bool(o.assessment.win_streak[0])
    assert o.value("win_probability") == 0.0 and o.value("partial_probability") == 0.0
    assert set(o.distributions) == {"partial_refund", "use_value", "resale_value"}
    # ... but a probability the user gives as a distribution is the user's
    o = phone(tariffs, disputes_won_in_a_row=3, win_probability="tri:0,0.1,0.2")
    assert str(o.distributions["win_probability"]) == "tri(0, 0.1, 0.2)"
    # A free return is refunded on the warehouse's scan: w is the programme's (AliExpress 1.0), fixed.
    o = uncertain_order(price=40, currency="USD", origin="US", reason="wrong_item", free_return=True,
                        tariffs=tariffs, today=TODAY)
    assert bool(o.assessment.free_return[0]) and o.value("postage") == 0.0
    assert o.value("win_probability") == 1.0 and "win_probability" not in o.distributions
    assert "partial_probability" in o.distributions  # a partial refund is still argued with the seller
    # Temu: the first return is free by default, w fixed the same way
    o = uncertain_order(price=40, currency="USD", origin="US", reason="wrong_item", marketplace="temu",
                        purchased_on="2026-11-01", tariffs=tariffs, today=TODAY)
    assert bool(o.assessment.free_return[0]) and "win_probability" not in o.distributions
    # changed mind: no dispute asks for a partial refund, q = 0 is a rule, not a guess; w is a guess
    o = phone(tariffs, reason="changed_mind")
    assert o.value("partial_probability") == 0.0 and "partial_probability" not in o.distributions
    assert str(o.distributions["win_probability"]) == "tri(0, 0.15, 0.3)"
    # with q = 0 asking for a partial refund gets nothing: EV_partial_keep = 0·f·P + u·P in every draw
    mc = monte_carlo(o, draws=500, seed=1)
    u = draw(o, 500, seed=1)["use_value"]
    assert mc.ev[OPTIONS.index("partial_keep")] == pytest.approx(u * 18000)


def test_distribution_objects_are_accepted(tariffs):
    o = phone(tariffs, partial_refund=triangular(0.3, 0.4, 0.6), defaults=False)
    assert isinstance(o.distributions["partial_refund"], Distribution)
    assert o.distributions["partial_refund"].upper == 1.0
    assert o.value("partial_refund") == 0.4  # the order is assessed at the mode


def test_the_order_fails_like_an_estimate(tariffs):
    with pytest.raises(RouteError, match="RU → CN"):
        uncertain_order(price=18000, currency="RUB", origin="RU", weight_g=500, reason="damaged", tariffs=tariffs,
                        today=TODAY)
    with pytest.raises(InputError, match="price"):
        phone(tariffs, price=-5)
    # the reason is required: the answer depends on it
    with pytest.raises(InputError, match=r"^reason: missing; one of damaged \(arrived broken\), defective"):
        uncertain_order(price=18000, currency="RUB", origin="RU", postage=1450, tariffs=tariffs, today=TODAY)
    with pytest.raises(InputError, match=r"partial_probability: 1.5 is out of range; give 0 to 1"):
        phone(tariffs, partial_probability=1.5)


# --------------------------------------------------------------------------------------------
# Monte Carlo


def test_same_seed_same_numbers(tariffs):
    o = phone(tariffs)
    a, b = monte_carlo(o, draws=5000, seed=7), monte_carlo(o, draws=5000, seed=7)
    # NaN marks a draw in which an option is closed (a sale below min_resale): equal where NaN too
    assert np.array_equal(a.ev, b.ev, equal_nan=True)
    assert np.array_equal(a.p_best, b.p_best) and a.p_return_loses == b.p_return_loses
    c = monte_carlo(o, draws=5000, seed=8)
    assert not np.array_equal(a.ev, c.ev, equal_nan=True)


def test_without_a_seed_the_run_reports_one_that_repeats_it(tariffs):
    o = phone(tariffs)
    a = monte_carlo(o, draws=1000)
    assert np.array_equal(a.ev, monte_carlo(o, draws=1000, seed=a.seed).ev, equal_nan=True)


@pytest.mark.parametrize(
    "order_kw",
    [
        # postage given
        dict(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged"),
        # postage looked up in the USPS tariff, converted to EUR, the weight a degenerate distribution
        dict(price=80, currency="EUR", origin="US", weight_g=300, reason="wrong_item",
             resale_fee=0.1, resale_cost=3, packaging_cost=1, hassle_hours=0.5, hourly_value=12),
    ],
)
def test_degenerate_distributions_reproduce_the_single_estimate_exactly(tariffs, order_kw):
    e = estimate(tariffs=tariffs, today=TODAY, **order_kw)
    kw = dict(order_kw)
    for name in ("win_probability", "partial_probability", "partial_refund", "use_value", "resale_value"):
        v = float(e.assessment.values[name][0])
        kw[name] = f"tri:{v!r},{v!r},{v!r}"
    if "weight_g" in kw:
        kw["weight_g"] = triangular(300, 300, 300)
    o = uncertain_order(tariffs=tariffs, today=TODAY, **kw)
    mc = monte_carlo(o, draws=1000, seed=3)
    expected = np.array([e.ev[opt] for opt in OPTIONS])
    assert np.array_equal(mc.ev, np.repeat(expected[:, None], 1000, axis=1))  # bit for bit
    assert mc.p_best[OPTIONS.index(e.recommendation)] == 1.0
    assert mc.ev_mean == pytest.approx(expected, rel=1e-12)  # a mean of equal floats rounds


def test_p_best_matches_the_closed_form_for_a_uniform_win_probability(tariffs):
    # P = 100 USD, S = 10 (given), damaged, u = 0, r = 0.1, f = 0.5, q = 0.9 (given), σ = c = φ = k = 0,
    # w ~ U(0, 1). A sale would bring R = 0.1·100 = 10 USD, below min_resale = 10 EUR = 11.75 USD,
    # so it is not an option: K = u·P = 0 and partial_resell is closed (NaN) in every draw.
    # The alternatives do not depend on w: keep = 0, partial_keep = q·f·P + u·P = 0.9·0.5·100 = 45.
    # EV_return = w·(P − S) + (1 − w)·K = 90·w. Returning is best when 90·w > 45, i.e. w > 0.5: for
    # w ~ U(0, 1) that has probability 0.5; partial_keep the other 0.5. A refused dispute costs
    # nothing (the buyer posts only after the seller accepts), so returning never loses money here.
    o = uncertain_order(price=100, currency="USD", origin="US", postage=10, reason="damaged", use_value=0,
                        resale_value=0.1, partial_refund=0.5, partial_probability=0.9, win_probability="uni:0,1",
                        tariffs=tariffs, today=TODAY)
    assert list(o.distributions) == ["win_probability"]
    assert o.value("min_resale") == 11.75
    n = 100_000
    mc = monte_carlo(o, draws=n, seed=11)
    se = math.sqrt(0.5 * 0.5 / n)
    assert abs(mc.p_best[RETURN] - 0.5) < 4 * se
    assert abs(mc.p_best[OPTIONS.index("partial_keep")] - 0.5) < 4 * se
    assert mc.p_best[OPTIONS.index("partial_resell")] == 0 and np.isnan(mc.ev[OPTIONS.index("partial_resell")]).all()
    assert mc.p_return_loses == 0.0
    # percentiles of EV_return = 90·w are 90·q: 4.5, 45, 85.5
    assert mc.ev_percentiles[:, RETURN] == pytest.approx([4.5, 45, 85.5], abs=1.0)


def test_p_best_matches_the_closed_form_for_a_uniform_partial_refund(tariffs):
    # damaged: w = q = 0.84, u = 0, r = 0.1; P = 100, S = 30; min_resale = 0 so the sale counts:
    # R = 10, K = max(0, 10) = 10. EV_return = 0.84·(100 − 30) + 0.16·10 = 58.8 + 1.6 = 60.4 is fixed;
    # partial_resell = q·f·P + R = 84·f + 10 beats it when f > 50.4/84 = 0.6.
    # For f ~ U(0.2, 0.7), P(return best) = (0.6 − 0.2)/0.5 = 0.8.
    o = uncertain_order(price=100, currency="USD", origin="US", postage=30, reason="damaged", min_resale=0,
                        partial_refund="uni:0.2,0.7", defaults=False, tariffs=tariffs, today=TODAY)
    n = 100_000
    mc = monte_carlo(o, draws=n, seed=5)
    assert mc.ev[RETURN] == pytest.approx(np.full(n, 60.4))
    assert abs(mc.p_best[RETURN] - 0.8) < 4 * math.sqrt(0.8 * 0.2 / n)
    assert abs(mc.p_best[OPTIONS.index("partial_resell")] - 0.2) < 4 * math.sqrt(0.8 * 0.2 / n)


def test_weight_draws_re_look_up_the_postage(tariffs):
    o = uncertain_order(price=200, currency="USD", origin="US", reason="damaged", weight_g="uni:50,3000",
                        defaults=False, tariffs=tariffs, today=TODAY)
    mc = monte_carlo(o, draws=2000, seed=2)
    w = draw(o, 2000, seed=2)["weight_g"]
    postage = o.postage_for_weight(w)
    assert np.unique(postage).size > 1  # the weights cross band limits
    # damaged: R = 0.1·200 = 20 ≥ min_resale 11.75, so K = 20:
    # EV_return = 0.84·(200 − S) + 0.16·20 = 0.84·(200 − S) + 3.2
    assert mc.ev[RETURN] == pytest.approx(0.84 * (200 - postage) + 3.2)
    # each draw is what the estimate of an order of that weight gives, bit for bit
    a = assess(price=200, currency="USD", origin="US", reason="damaged", weight_g=w, tariffs=tariffs, today=TODAY,
               errors="raise")
    assert np.array_equal(a.postage, postage)
    assert np.array_equal(a.evaluation.ev, mc.ev, equal_nan=True)


@pytest.mark.parametrize(
    "route",
    [
        dict(origin="US", currency="USD"),  # USPS, no conversion
        dict(origin="US", currency="EUR"),  # USD → EUR
        dict(origin="GB", currency="RUB"),  # GBP → RUB
        dict(origin="DE", currency="GBP", destination="CN"),  # EUR → GBP
        dict(origin="GB", currency="EUR", length_cm=30, width_cm=20, height_cm=10),  # size checked
    ],
)
def test_postage_for_weight_is_the_estimates_postage_to_the_cent(tariffs, route):
    # One order, one postage in every path (issue 10): the Monte Carlo / sweep / map look-up equals
    # the estimate's for the same weight, converted and rounded once.
    w = np.array([20, 100, 250, 251, 450, 500, 999, 1000, 1500, 1999, 2000])
    o = uncertain_order(price=80, weight_g=300, reason="wrong_item", tariffs=tariffs, today=TODAY, defaults=False,
                        **route)
    a = assess(price=80, weight_g=w, reason="wrong_item", tariffs=tariffs, today=TODAY, **route)
    assert np.isfinite(a.postage).all()
    assert np.array_equal(o.postage_for_weight(w), a.postage)
    # and the order's own postage (its estimate, at 300 g) is the look-up's at 300 g
    assert o.value("postage") == float(o.postage_for_weight([300.0])[0])


def test_postage_for_weight_uses_the_posting_day_of_the_order(tariffs):
    # The tariff version is the one in force on the day the return is posted (posted_on), not the
    # day of the estimate: the estimate of a return posted in autumn 2025 uses the 2025 USPS list,
    # and so must every analysis of that order.
    kw = dict(price=80, currency="USD", origin="US", reason="wrong_item", posted_on="2025-11-01")
    w = np.array([100.0, 300.0, 1000.0, 2000.0])
    a = assess(weight_g=w, tariffs=tariffs, today=TODAY, errors="raise", **kw)
    now = assess(weight_g=w, tariffs=tariffs, today=TODAY, errors="raise", **{**kw, "posted_on": None})
    assert not np.array_equal(a.postage, now.postage)  # the two lists differ: the test can tell them apart
    o = uncertain_order(weight_g=300, tariffs=tariffs, today=TODAY, defaults=False, **kw)
    assert o.value("postage") == float(a.postage[1])
    assert np.array_equal(o.postage_for_weight(w), a.postage)


def test_postage_draws_are_in_the_postage_currency(tariffs):
    o = uncertain_order(price=300, currency="USD", origin="DE", postage="uni:10,20", postage_currency="EUR",
                        reason="damaged", defaults=False, tariffs=tariffs, today=TODAY)
    mc = monte_carlo(o, draws=500, seed=4)
    x = draw(o, 500, seed=4)["postage"]
    factor = o.fx.factor("EUR", "USD")
    # damaged: R = 0.1·300 = 30 USD ≥ min_resale 11.75, K = 30; S in USD to the cent:
    # EV_return = 0.84·(300 − S) + 0.16·30 = 0.84·(300 − S) + 4.8
    S = np.round(x * factor, 2)
    assert mc.ev[RETURN] == pytest.approx(0.84 * (300 - S) + 4.8)
    # converted as the estimate converts a given postage
    a = assess(price=300, currency="USD", origin="DE", postage=x, postage_currency="EUR", reason="damaged",
               tariffs=tariffs, today=TODAY, errors="raise")
    assert np.array_equal(a.postage, o.postage_in_order_currency(x))


def test_hundred_thousand_draws_are_evaluated_in_one_call(tariffs, monkeypatch):
    import calculator.model as model

    calls = []
    real = model.evaluate

    def spy(*a, **k):
        calls.append(1)
        return real(*a, **k)

    o = phone(tariffs)
    monkeypatch.setattr(model, "evaluate", spy)
    mc = monte_carlo(o, draws=100_000, seed=1)
    assert len(calls) == 1 and mc.ev.shape == (4, 100_000)


def test_summary_numbers_are_those_of_the_draws(tariffs):
    # min_resale = 0: a sale is an option in every draw, so every EV is a number
    mc = monte_carlo(phone(tariffs, min_resale=0), draws=20_000, seed=9)
    assert np.isfinite(mc.ev).all()
    assert mc.p_best.sum() == pytest.approx(1.0)
    assert mc.ev_mean == pytest.approx(mc.ev.mean(axis=1))
    assert mc.ev_percentiles == pytest.approx(np.percentile(mc.ev, [5, 50, 95], axis=1))
    assert mc.p_return_loses == np.mean(mc.ev[RETURN] < 0)
    assert mc.best == OPTIONS[int(np.argmax(np.bincount(mc.recommendation, minlength=4)))]


def test_result_formats(tariffs):
    mc = monte_carlo(phone(tariffs), draws=2000, seed=1)
    d = json.loads(json.dumps(mc.to_dict()))
    assert d["seed"] == 1 and d["draws"] == 2000 and d["currency"] == "RUB"
    assert [r["option"] for r in d["options"]][0] == mc.best
    assert set(d["distributions"]) == {"win_probability", "partial_probability", "partial_refund", "use_value",
                                       "resale_value"}
    df = mc.to_frame()
    assert list(df.index)[0] == mc.best and set(df.index) == set(OPTIONS)
    assert list(df.columns) == ["p_best", "ev_mean", "ev_p5", "ev_p50", "ev_p95"]
    text = str(mc)
    assert "best in" in text and "seed 1" in text and "Returning loses money" in text
    # the options in words, not codes; the inputs too
    assert all(OPTION_LABELS[o] in text for o in OPTIONS) and "partial_keep" not in text
    assert "partial refund ~ tri(0.2, 0.5, 0.7)" in text and "win_probability" not in text
    page = mc._repr_html_()
    assert page.count("<tr>") == 5 and "RUB" in page


def test_an_option_closed_in_some_draws_is_summarised_over_the_draws_where_it_is_open(tariffs):
    # The phone: r ~ tri(0, 0.1, 0.3), and a sale under min_resale = 10 EUR = 920.94 RUB is not worth
    # it (r < 920.94/18000 = 0.0512), so partial_resell is closed (NaN) in some draws and open in the
    # others, where it is sometimes the best option. Its mean EV and percentiles are those of the
    # draws in which it can be taken, not NaN; and the JSON has no NaN (null where an option is
    # closed in every draw).
    o = phone(tariffs)
    assert o.value("min_resale") == 920.94
    mc = monte_carlo(o, draws=20_000, seed=9)
    pr = OPTIONS.index("partial_resell")
    closed = np.isnan(mc.ev[pr])
    assert closed.any() and not closed.all() and mc.p_best[pr] > 0
    assert mc.ev_mean == pytest.approx(np.nanmean(mc.ev, axis=1))
    assert mc.ev_percentiles == pytest.approx(np.nanpercentile(mc.ev, [5, 50, 95], axis=1))
    json.dumps(mc.to_dict(), allow_nan=False)  # strict JSON
    assert "nan" not in str(mc)


def test_closed_window_monte_carlo_keeps_the_dispute_options_closed(tariffs):
    # Received 2026-10-01, AliExpress window of 15 days closed on 10-16: only keeping is left, in
    # every draw. EV_keep = K = max(u·P, R) = R = r·18000 (R ≥ 920.94) or u·P.
    o = phone(tariffs, received_on="2026-10-01")
    assert not bool(o.assessment.return_open[0]) and not bool(o.assessment.partial_open[0])
    mc = monte_carlo(o, draws=1000, seed=2)
    assert mc.p_best[OPTIONS.index("keep")] == 1.0 and mc.best == "keep"
    assert np.isnan(mc.ev[1:]).all() and np.isfinite(mc.ev[0]).all()
    assert mc.p_return_loses == 0.0


@pytest.mark.parametrize("draws", [0, -5, 2.5])
def test_bad_draw_counts(tariffs, draws):
    with pytest.raises(InputError, match="draws"):
        monte_carlo(phone(tariffs), draws=draws)


def test_bad_seed(tariffs):
    with pytest.raises(InputError, match="seed"):
        monte_carlo(phone(tariffs), draws=10, seed=-1)


# --------------------------------------------------------------------------------------------
# properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=3, max_size=3), st.lists(st.floats(0, 1), min_size=5, max_size=50))
def test_triangular_ppf_is_monotone_and_bounded(abc, qs):
    a, m, b = sorted(abc)
    d = triangular(a, m, b, lower=0, upper=1)
    q = np.sort(np.asarray(qs))
    x = d.ppf(q)
    assert np.all(np.diff(x) >= -1e-12)
    assert np.all((x >= a - 1e-12) & (x <= b + 1e-12))


@settings(max_examples=100, deadline=None)
@given(st.floats(-2, 3), st.floats(0.01, 2))
def test_truncated_normal_stays_in_the_fraction_range(mean, sd):
    try:
        d = parse_distribution(f"norm:{mean!r},{sd!r}", name="partial_refund")
    except InputError:
        return  # more than 6 sd outside 0..1: refused, not sampled
    x = d.sample(500, np.random.default_rng(0))
    assert np.all((x >= 0) & (x <= 1))
