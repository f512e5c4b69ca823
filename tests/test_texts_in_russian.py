"""Quotes, tariffs, analyses, charts and errors in Russian (issue 13).

Until the catalog is translated the words are English, so these tests check structure: every text is
built in Russian without an error, money, numbers, weights and dates come out in Russian form, the
tariffs' Russian service names are shown, and machine outputs (``to_dict``) do not change with the
language. A pseudo-translation (every message wrapped in « ») checks that the texts a person reads
go through the catalog at all. The lead adds checks of the Russian words once they exist.
"""

from __future__ import annotations

import datetime
import json
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from calculator import charts, i18n  # noqa: E402
from calculator.errors import FxError, InputError, TariffError  # noqa: E402
from calculator.fx import require  # noqa: E402
from calculator.i18n import language  # noqa: E402
from calculator.quote import quote  # noqa: E402
from calculator.rates import explain, price_route  # noqa: E402
from calculator.sensitivity import decision_map, route_order, sobol, sweep, threshold_table, tornado  # noqa: E402
from calculator.tariff_view import tariff_to_dict  # noqa: E402
from calculator.tariffs import load_tariff  # noqa: E402
from calculator.uncertainty import monte_carlo, parse_distribution  # noqa: E402

import conftest  # noqa: E402
from conftest import MINIMAL, TODAY  # noqa: E402

NOW = datetime.date(2026, 11, 29)
NBSP = "\u00a0"  # CLDR's Russian grouping and currency separator


def test_a_quote_in_russian(bundled):
    def make():
        return quote("GB", "CN", 300, (20, 15, 5), currency="EUR", tariffs=bundled, posted_on=NOW)

    en = make()
    with language("ru"):
        ru = make()
        text, page = str(ru), ru._repr_html_()
    # money as Russian writes it: 25,90 £ and the conversion 29,68 € (see README's English quote)
    assert f"25,90{NBSP}£" in text and f"(29,68{NBSP}€)" in text
    assert "29 ноября 2026\u202fг." in text and "31 декабря 2025\u202fг." in text  # dates in words
    assert "300 г" in text and "20 × 15 × 5 см" in text  # the parcel in Russian units
    # the tariff's Russian name for the service (name_ru), glossed: a Russian reader is not left with English only
    assert "International Tracked (международное отправление с трек-номером, малая посылка)" in text
    assert page.startswith("<p><b>") and page.count("<tr") == len(ru.rows) + 1
    # machine output: the same in both languages but for the reasons (texts for people)
    def data(q):
        d = q.to_dict()
        return json.dumps({**d, "offers": [{k: v for k, v in r.items() if k != "reason"} for r in d["offers"]]})

    assert data(en) == data(ru)


def test_limits_and_rules_in_russian(bundled):
    with language("ru"):
        q = quote("US", "CN", 1900, (65, 20, 10), tariffs=bundled, posted_on=NOW)
        reasons = {r.key: r.reason for r in q.rows}
        # 4 lb = 1,814.37 g: in kilograms to 0.01 with the carrier's pounds after it
        assert reasons["us-usps/fcpis"] == "превышен максимальный вес 1,81 кг (4 фнт)"
        # the box that does not fit: the parcel's longest side against the box's, in centimetres
        assert reasons["us-usps/pmi_fr_medium_box_1"] == ("не помещается: самая длинная сторона — 65 см, допустимо "
                                                          "не больше 27,9 см (11 дюйм.)")
        # a dated rule shows its Russian text (text_ru in tariffs/rules.yaml)
        q = price_route(bundled, "US", "CN", 300, posted_on=datetime.date(2026, 1, 10))
        i = next(k for k, o in enumerate(q.offers) if o.key == "us-usps/fcpis+registered")
        assert explain(q, i) == "с 1 января 2026 г. заказные отправления — только для документов"
        assert q.offers[i].shown_label.endswith("+ Registered Mail (заказное отправление)")
    # the offer's label for machines stays the carrier's
    assert q.offers[i].label == "USPS First-Class Package International Service + Registered Mail"


def test_a_tariff_in_russian(bundled):
    t = bundled["us-usps"]
    with language("ru"):
        text, page, stale = str(t), t._repr_html_(), t.stale_note(datetime.date(2027, 6, 1))
        listing = bundled._repr_html_()
    assert "26 апреля 2026\u202fг." in text and "Priority Mail International (международная приоритетная почта)" in text
    assert "65,20" in text and "1,81 кг (4 фнт)" in text  # prices and band limits in Russian form
    assert "<table>" in page and "26 апреля 2026" in stale and "1 июня 2027" in stale
    assert "<table>" in listing
    with language("ru"):
        ru = tariff_to_dict(t)
    assert ru == tariff_to_dict(t)  # data: the same in every language
    assert ru["services"][1]["name_ru"] == "Priority Mail International (международная приоритетная почта)"


def test_analyses_in_russian(tariffs):
    o = conftest.phone(tariffs)
    with language("ru"):
        t, s = tornado(o), sweep(o, "price")
        mc = monte_carlo(o, draws=2000, seed=1)
        si = sobol(o, n=256, seed=0)
        texts = [str(x) for x in (t, s, mc, si)] + [x._repr_html_() for x in (t, s, mc, si)]
        w = np.array([100.0, 1000.0])
        r = route_order(w, origin="RU", currency="RUB", postage=1450, reason="damaged", tariffs=tariffs, today=TODAY)
        m, th = decision_map(r, [1000, 5000], w), threshold_table(r)
        texts += [str(m), m._repr_html_(), str(th), th._repr_html_()]
    assert all(texts)
    tornado_text, sweep_text, map_text, table_text = texts[0], texts[1], texts[8], texts[10]
    # the phone's return advantage, 4,830 RUB (tests/test_sensitivity.py has the arithmetic)
    assert f"4{NBSP}830,00{NBSP}₽" in tornado_text and "0,2" in tornado_text  # the partial refund's low end
    assert f"2{NBSP}900:" in sweep_text  # the break-even price
    assert f"1{NBSP}450,00{NBSP}₽" in table_text and f"2{NBSP}900,00{NBSP}₽" in table_text
    assert "100 г–1 кг" in map_text
    # machine outputs do not change with the language
    assert mc.to_dict() == monte_carlo(o, draws=2000, seed=1).to_dict()
    assert th.to_dict() == threshold_table(r).to_dict() and m.to_dict() == decision_map(r, [1000, 5000], w).to_dict()
    assert t.to_dict() == tornado(o).to_dict()
    assert json.dumps(s.to_dict()) == json.dumps(sweep(o, "price").to_dict())  # NaN where an option is closed


def test_charts_draw_in_russian(tariffs):
    o = conftest.phone(tariffs)
    w = np.linspace(100, 2000, 5)
    r = route_order(w, origin="GB", currency="GBP", reason="damaged", tariffs=tariffs, today=TODAY)
    with language("ru"):
        axes = [charts.tornado_chart(tornado(o), Figure().subplots()),
                charts.sweep_chart(sweep(o, "partial_refund"), Figure().subplots()),
                charts.monte_carlo_chart(monte_carlo(o, draws=500, seed=1), Figure().subplots()),
                charts.sobol_chart(sobol(o, n=128, seed=0), Figure().subplots()),
                charts.decision_map_chart(decision_map(r, np.linspace(10, 400, 5), w), Figure().subplots())]
        for ax in axes:
            ax.figure.canvas.draw()  # the fonts can draw every character
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_legend() for ax in axes)
    assert "₽" in axes[0].get_legend().get_texts()[1].get_text()  # "this estimate (4 830,00 ₽)"
    # the words are Russian: the title, the axis and the legend of every chart (the README's tornado_ru.png)
    cyrillic = re.compile("[а-яё]", re.IGNORECASE)
    for ax in axes:
        words = [ax.get_title(), ax.get_xlabel(), *(t.get_text() for t in ax.get_legend().get_texts())]
        assert all(cyrillic.search(w) for w in words if w), words
    assert axes[0].get_title() == "Что может изменить ответ: каждый параметр отдельно"
    assert "частичный возврат средств\n0,2 – 0,7" in [t.get_text() for t in axes[0].get_yticklabels()]
    # tick numbers as Russian writes them: a no-break space between thousands (the tornado's
    # axis runs past 4 830 ₽, the phone's advantage)
    ticks = [t.get_text() for t in axes[0].get_xticklabels()]
    assert "4\u00a0000" in ticks and "4000" not in ticks, ticks
    english = charts.tornado_chart(tornado(o), Figure().subplots())
    english.figure.canvas.draw()
    assert english.get_title() == "What would change the answer: each input alone, low to high"
    assert "4,000" in [t.get_text() for t in english.get_xticklabels()]


def test_errors_in_russian(write_tariff):
    with language("ru"):
        with pytest.raises(FxError, match="31 декабря 2025"):
            require(["KZT"])
        with pytest.raises(InputError) as info:
            parse_distribution("uni:0.5,1.3", name="win_probability")
        assert "1,3" in str(info.value)  # the number as Russian writes it
        with pytest.raises(TariffError) as info:
            load_tariff(write_tariff(MINIMAL.replace("prices: [5.00, 8.00, 12.00]", "prices: [5.00, 8.00]")))
        assert info.value.line and "2" in info.value.message and "3" in info.value.message


def test_a_russian_name_must_be_russian(write_tariff):
    ok = load_tariff(write_tariff(MINIMAL.replace("    name: Packet\n", "    name: Packet\n    name_ru: Пакет\n")))
    assert ok.services[0].shown_name == "Packet"
    with language("ru"):
        assert ok.services[0].shown_name == "Пакет"
    with pytest.raises(TariffError) as info:
        load_tariff(write_tariff(MINIMAL.replace("    name: Packet\n", "    name: Packet\n    name_ru: Paket\n")))
    assert info.value.key.endswith("name_ru") and info.value.line == 9 and "Russian" in info.value.message


def test_every_text_goes_through_the_catalog(tariffs, bundled, monkeypatch):
    """A pseudo-translation wraps every message in « »: a text a person reads that does not show it
    was not marked for translation."""

    class Wrapped:
        def gettext(self, message: str) -> str:
            return f"«{message}»"

        def ngettext(self, singular: str, plural: str, n: int) -> str:
            return f"«{singular if n == 1 else plural}»"

    monkeypatch.setattr(i18n, "_translations", lambda lang: Wrapped())
    q = quote("GB", "CN", 300, (20, 15, 5), currency="EUR", tariffs=bundled, posted_on=NOW)
    lines = str(q).splitlines()
    assert lines[0].startswith("«Postage from") and "«carrier»" in lines[1] and "«price»" in lines[1]
    assert all("«" in r.reason for r in q.rows if r.reason)
    assert all("«" in line for line in lines[2:] if line and not line.startswith("["))
    o = conftest.phone(tariffs)
    w = np.array([100.0, 1000.0])
    r = route_order(w, origin="RU", currency="RUB", postage=1450, reason="damaged", tariffs=tariffs, today=TODAY)
    for view in (tornado(o), sweep(o, "price"), monte_carlo(o, draws=500, seed=1), sobol(o, n=128, seed=0),
                 decision_map(r, [1000, 5000], w), threshold_table(r)):
        assert all("«" in line for line in str(view).splitlines()), str(view)
    ax = charts.tornado_chart(tornado(o), Figure().subplots())
    texts = [ax.get_title(), ax.get_xlabel(), *(t.get_text() for t in ax.get_legend().get_texts()),
             *(t.get_text() for t in ax.get_yticklabels())]
    assert all("«" in t for t in texts), texts
    description = str(bundled["gb-royal-mail"]).splitlines()
    assert all("«" in line for line in description[:3])
