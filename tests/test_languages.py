"""The estimate in Russian, as the buyer in Russia reads it (issue 13): words, money and dates in
Russian, machine outputs unchanged."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from calculator.cli import main
from calculator.formatting import money
from calculator.i18n import language

PHONE = ["estimate", "--price", "18000", "--currency", "RUB", "--from", "RU", "--weight", "450g", "--postage", "1450",
         "--reason", "damaged", "--received-on", "2026-11-20", "--as-of", "2026-11-29"]


def test_the_guides_phone_in_russian(capsys):
    # 0.84·(18,000 − 1,450) + 0.16·1,800 = 14,190 RUB, written as Russians write money
    assert main(["--lang", "ru", *PHONE]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Рекомендация: открыть спор на полный возврат средств и отправить товар продавцу.")
    assert "14\u00a0190,00\u00a0₽" in out and "5 декабря 2026\u202fг." in out and "трек-номер" in out
    # no English sentence is left: every line with Latin words is a code, a flag, a path or a name
    english = re.compile(r"\b(the|and|you|your|dispute|return|refund|seller|postage)\b")
    for line in out.splitlines():
        words = re.sub(r"--[a-z-]+|https?://\S+|calculator/\S+|\b(return|partial_keep|partial_resell|keep)\b", "",
                       line)
        assert not english.search(words.replace("damaged", "")), line


def test_the_locale_chooses_russian_without_a_flag(tmp_path):
    env = {"LANG": "ru_RU.UTF-8", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "calculator", *PHONE], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "14\u00a0190,00\u00a0₽" in out.stdout and out.stdout.startswith("Рекомендация:")


def test_machine_outputs_do_not_change_with_the_language(capsys):
    main([*PHONE, "--format", "json"])
    english = json.loads(capsys.readouterr().out)
    main(["--lang", "ru", *PHONE, "--format", "json"])
    russian = json.loads(capsys.readouterr().out)
    for key in ("recommendation", "currency", "ev", "outputs", "inputs", "today"):
        assert english[key] == russian[key], key
    assert [w["code"] for w in english["warnings"]] == [w["code"] for w in russian["warnings"]]


@pytest.mark.parametrize("lang, cases", [
    ("en", [(1800, "JPY", "¥1,800"), (25000, "KRW", "₩25,000"), (12.99, "USD", "$12.99")]),
    ("ru", [(1800, "JPY", "1\u00a0800\u00a0¥"), (25000, "KRW", "25\u00a0000\u00a0₩"),
            (14190, "RUB", "14\u00a0190,00\u00a0₽")]),
])
def test_money_has_the_currencys_own_minor_unit(lang, cases):
    # JPY and KRW have no minor unit (ISO 4217 exponent 0): no decimals, in either language
    with language(lang):
        for amount, currency, text in cases:
            assert money(amount, currency) == text


def test_an_unknown_language_is_one_line(capsys):
    assert main(["--lang", "xx", *PHONE]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "en (English)" in err and "ru (русский)" in err


def test_the_language_is_set_from_the_package_as_the_readme_says():
    """README: ``calculator.set_language("ru")``; the estimate's text follows, ``None`` goes back."""
    import datetime

    import calculator

    order = dict(price=18000, currency="RUB", origin="RU", weight_g=450, postage=1450, reason="damaged",
                 today=datetime.date(2026, 11, 26))
    try:
        calculator.set_language("ru")
        assert calculator.get_language() == "ru"
        assert calculator.estimate(**order).text().startswith("Рекомендация:")
    finally:
        calculator.set_language(None)
    with calculator.language("en"):
        e = calculator.estimate(**order)
        assert str(e).startswith("Recommendation:")
        # a lang= on the text and HTML views, the language around them unchanged
        assert e.text("ru").startswith("Рекомендация:") and "Рекомендация" in e.html("ru")
        assert e.text().startswith("Recommendation:") and calculator.get_language() == "en"
        q = calculator.quote("DE", "CN", weight_g=350, dims_cm=(20, 18, 8), currency="EUR")
        assert "Warenpost" in q.text("ru") and q.text("ru") != q.text("en")
