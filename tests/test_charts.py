"""Chart structure (calculator.charts): labels, bars, lines and legend entries, on a bare Figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from calculator import InputError, charts  # noqa: E402
from calculator.model import OPTIONS  # noqa: E402
from calculator.sensitivity import decision_map, route_order, sobol, sweep, tornado  # noqa: E402
from calculator.uncertainty import monte_carlo, uncertain_order  # noqa: E402

import conftest  # noqa: E402
from conftest import AUTUMN_2025, TODAY  # noqa: E402


@pytest.fixture
def phone(tariffs):
    return conftest.phone(tariffs)


def axis():
    return Figure().subplots()


def legend_texts(ax) -> list[str]:
    leg = ax.get_legend()
    assert leg is not None, "chart has no legend"
    return [t.get_text() for t in leg.get_texts()]


def test_tornado_chart(phone):
    t = tornado(phone)
    ax = axis()
    assert charts.tornado_chart(t, ax) is ax
    # five assumed inputs (w, q, f, u, r), a low and a high bar each
    assert len(ax.patches) == 2 * len(t.names) == 10
    assert ax.get_xlabel() == "advantage of returning over the best alternative [RUB]"
    assert ax.get_title()
    labels = [x.get_text() for x in ax.get_yticklabels()]
    assert labels[0].startswith("partial refund") and "0.2 – 0.7" in labels[0]  # widest swing first
    assert labels[3].startswith("chance the partial refund is granted")  # the inputs in words, not their names
    texts = legend_texts(ax)
    assert len(texts) == 4
    # the estimate's advantage: EV_return 14,190 − EV_partial_resell 9,360 = 4,830 (test_sensitivity.py)
    assert texts[0].startswith("break-even") and texts[1] == "this estimate (RUB\u00a04,830.00)"
    assert texts[2:] == ["input at its low value", "input at its high value"]
    # the bars start at the estimate and end at the advantage with the input moved
    widths = sorted(round(p.get_x() + p.get_width(), 6) for p in ax.patches)
    assert widths == sorted(round(x, 6) for x in np.r_[t.advantage_low, t.advantage_high])


def test_no_tornado_for_an_order_whose_window_has_closed(tariffs):
    # Received 2026-10-01: the AliExpress window closed on 2026-10-16, returning is not an option and
    # nothing can change the answer; the tornado says so instead of drawing NaN bars.
    with pytest.raises(InputError, match=r"^tornado: the dispute window closed on 16 Oct 2026: only keeping"):
        tornado(conftest.phone(tariffs, received_on="2026-10-01"))


def test_tornado_chart_top(phone):
    ax = charts.tornado_chart(tornado(phone), axis(), top=2)
    assert len(ax.patches) == 4 and len(ax.get_yticklabels()) == 2


def test_sweep_chart_marks_every_break_even(phone):
    s = sweep(phone, "partial_refund")
    ax = charts.sweep_chart(s, axis())
    assert ax.get_xlabel() == "partial refund [fraction of price]"
    assert ax.get_ylabel() == "expected value of the option [RUB]"
    assert ax.get_title()
    option_lines = [ln for ln in ax.get_lines() if ln.get_label() in charts.OPTION_LABELS.values()]
    assert len(option_lines) == 4
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == len(s.break_even) == 1
    assert dashed[0].get_xdata()[0] == pytest.approx(s.break_even[0])
    texts = legend_texts(ax)
    assert len(texts) == 4 + 1 + 1  # options, break-even, this estimate
    assert "break-even: the best option changes" in texts and "this estimate (0.5)" in texts
    # asked for with q = 0.84: 0.84·f·18000 + 1800 > 14190 ⇔ f > 0.819 (test_sensitivity.py)
    assert s.break_even[0] == pytest.approx(12390 / 15120)
    assert any("0.8194: return it (dispute + post back) → partial refund, resell the item" in t.get_text()
               for t in ax.texts)


def test_sweep_chart_without_break_even_has_no_break_even_entry(tariffs):
    o = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged",
                        tariffs=tariffs, today=TODAY)
    s = sweep(o, "win_probability", np.linspace(0.9, 1.0, 11))  # return stays best
    ax = charts.sweep_chart(s, axis())
    assert len(s.break_even) == 0
    assert len(legend_texts(ax)) == 5
    assert not [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]


def test_decision_map_chart(tariffs):
    w = np.linspace(50, 3000, 60)
    # Royal Mail's 2025 lists: small parcels only, up to 2 kg (heavier weights are unpriced)
    o = route_order(w, origin="GB", currency="GBP", reason="damaged", tariffs=tariffs, today=AUTUMN_2025)
    m = decision_map(o, np.linspace(5, 400, 80), w)
    ax = charts.decision_map_chart(m, axis())
    assert ax.get_xlabel() == "item price [GBP]" and ax.get_ylabel() == "parcel weight [g]"
    assert "GB → CN" in ax.get_title()
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(mesh) == 1 and mesh[0].get_array().size == 60 * 80
    texts = legend_texts(ax)
    present = sorted(set(m.best.ravel().tolist()))
    assert -1 in present  # Royal Mail small parcels stop at 2 kg
    # one entry per option on the map, one for the unpriced weights, one for the break-even line
    assert len(texts) == len(present) + 1
    assert "no postal offer takes this weight" in texts
    assert texts[-1].startswith("break-even price")
    line = ax.get_lines()[0]
    assert np.allclose(line.get_xdata(), np.where(np.isfinite(m.break_even_price), m.break_even_price, np.nan),
                       equal_nan=True)


def test_monte_carlo_chart(phone):
    mc = monte_carlo(phone, draws=5000, seed=1)
    ax = charts.monte_carlo_chart(mc, axis(), bins=30)
    assert ax.get_xlabel() == "expected value of the option [RUB]"
    assert ax.get_ylabel() == "share of draws [%]"
    assert "5,000" in ax.get_title()
    texts = legend_texts(ax)
    assert len(texts) == 5
    assert texts[0] == f"{charts.OPTION_LABELS[mc.best]}: best in {mc.p_best.max():.0%} of draws"
    assert texts[-1].startswith("zero (returning loses money in")
    # two histogram artists per option (filled + outline), each of 30 bins summing to ~100 %
    assert len(ax.patches) == 8
    assert any("varied: chance the return is accepted tri(0.69, 0.84, 0.99)" in t.get_text() for t in ax.texts)


def test_sobol_chart(phone):
    s = sobol(phone, n=512, seed=0)
    ax = charts.sobol_chart(s, axis())
    assert len(ax.patches) == 2 * len(s.names) == 10
    assert legend_texts(ax) == ["first order: the input alone", "total: with its interactions"]
    assert ax.get_xlabel() == "share of the variance of the return advantage [0–1]"
    assert [x.get_text() for x in ax.get_yticklabels()][0] == s.names[0].replace("_", " ")


def test_without_an_axis_a_pyplot_axis_is_made(phone):
    import matplotlib.pyplot as plt

    ax = charts.tornado_chart(tornado(phone))
    try:
        assert ax.figure in [plt.figure(n) for n in plt.get_fignums()]
    finally:
        plt.close("all")


def test_option_colours_are_distinct_and_complete():
    assert set(charts.OPTION_COLORS) == set(OPTIONS) == set(charts.OPTION_LABELS)
    assert len(set(charts.OPTION_COLORS.values())) == 4
