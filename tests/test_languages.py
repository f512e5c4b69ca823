"""The estimate and the batch in Russian, as the buyer in Russia reads them (issue 13): words, money
and dates in Russian, machine outputs unchanged; a batch's CSV as the user's spreadsheet expects it
(a BOM back where one came in; semicolons and decimal commas in Russian where the input shows no
dialect; dates ISO)."""

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


# --------------------------------------------------------------------------------------------
# a batch in Russian, and CSV as the user's spreadsheet expects it

BOM = b"\xef\xbb\xbf"
#: What Excel in Russian saves as "CSV UTF-8": a byte order mark, semicolons, decimal commas,
#: thousands spaces, dates as DD.MM.YYYY, Cyrillic text (a comma inside a cell needs no quotes).
EXCEL_RU = BOM + (
    "№;price;currency;origin;weight_g;postage;reason;received_on;товар\r\n"
    "1;18 000;RUB;RU;450;1 450,00;damaged;20.11.2026;Смартфон\r\n"
    "2;2 499,90;RUB;RU;0,3 кг;350,5;not_as_described;2026-11-21;Чехол, синий\r\n"
    "3;500;RUB;RU;12 stone;;damaged;2026-11-20;Зарядка\r\n"
    "4;abc;RUB;RU;100;300;damaged;2026-11-20;Кабель\r\n").encode("utf-8")


def _batch(capsys, tmp_path, data: bytes, *flags: str, output: str = "out.csv") -> tuple[bytes, str]:
    src = tmp_path / ("in.parquet" if data.startswith(b"PAR1") else "in.csv")
    src.write_bytes(data)
    dest = tmp_path / output
    assert main([*flags, "batch", str(src), "-o", str(dest), "--as-of", "2026-11-29"]) == 0
    return dest.read_bytes(), capsys.readouterr().err


def _cells(data: bytes, delimiter: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(data.removeprefix(BOM).decode("utf-8"), newline=""), delimiter=delimiter))


def test_a_batch_from_excel_in_russian_goes_back_to_excel_in_russian(capsys, tmp_path):
    data, err = _batch(capsys, tmp_path, EXCEL_RU, "--lang", "ru")
    # byte for byte what Excel-RU opens cleanly: one BOM, then semicolons
    assert data.startswith(BOM + '"№";"price";"currency"'.encode()) and data.count(BOM) == 1
    rows = _cells(data, ";")
    phone, cover = rows[0], rows[1]
    # the guide's phone: 0.84·(18,000 − 1,450) + 0.16·1,800 = 14,190 RUB; numbers plain, decimal commas
    assert phone["ev_return"] == "14190" and phone["win_probability_used"] == "0,84"
    assert cover["price_used"] == "2499,9" and cover["postage_used"] == "350,5"
    assert not any(" " in v or "." in v for k, v in phone.items() if k.startswith(("ev_", "margin", "break_even")))
    assert phone["товар"] == "Смартфон" and cover["товар"] == "Чехол, синий"  # Cyrillic text kept
    assert phone["dispute_deadline"] == "2026-12-05" and "2026-12-05" in data.decode("utf-8")  # dates stay ISO
    assert phone["recommendation"] == "return"  # codes stay codes
    # problems in Russian, in the grammar's words
    assert rows[2]["problem"] == ("weight_g: неизвестная единица веса 'stone' в '12 stone'; "
                                  "используйте г, кг, oz или lb")
    assert rows[3]["problem"] == "price: 'abc' — не число; пишите, например, 12,99"
    # the summary in Russian
    assert "строк: 4; рассчитано: 2; с проблемами: 2" in err
    assert "проблемы в строках 4, 5 (см. столбец 'problem')" in err
    assert "первая: строка 4: weight_g: неизвестная единица веса" in err
    assert "рекомендации: return 1 (50,0\u00a0%) · partial_keep 1 (50,0\u00a0%)" in err


def test_the_english_run_of_the_same_file_differs_only_in_the_words(capsys, tmp_path):
    russian, _ = _batch(capsys, tmp_path, EXCEL_RU, "--lang", "ru", output="ru.csv")
    english, err = _batch(capsys, tmp_path, EXCEL_RU, "--lang", "en", output="en.csv")
    assert english.startswith(BOM + b'"') and english.splitlines()[0] == russian.splitlines()[0]
    en, ru = _cells(english, ";"), _cells(russian, ";")
    assert [{k: v for k, v in r.items() if k != "problem"} for r in en] == \
           [{k: v for k, v in r.items() if k != "problem"} for r in ru]
    assert en[2]["problem"] == "weight_g: unknown weight unit 'stone' in '12 stone'; use g, kg, oz or lb"
    assert en[3]["problem"] == "price: 'abc' is not a number; write e.g. 12.99"
    assert "rows: 4; evaluated: 2; with problems: 2" in err
    assert "problems on lines 4, 5 (see the 'problem' column)" in err
    assert "recommendations: return 1 (50.0%) · partial_keep 1 (50.0%) · partial_resell 0 (0.0%)" in err


def _parquet() -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table({"price": [18000.0], "currency": ["RUB"], "origin": ["RU"], "weight_g": [450.0],
                             "postage": [1450.0], "reason": ["damaged"], "received_on": ["2026-11-20"]}), buf)
    return buf.getvalue()


PLAIN = "price;currency;origin;weight_g;postage;reason;received_on\n18000;RUB;RU;450;1450;damaged;2026-11-20\n"


@pytest.mark.parametrize("data, flags, delimiter, mark", [
    # no hints in the input (Parquet; a semicolon CSV whose numbers have no decimal mark): the language
    (_parquet(), ["--lang", "ru"], ";", ","),
    (_parquet(), ["--lang", "en"], ",", "."),
    (PLAIN.encode(), ["--lang", "ru"], ";", ","),
    (PLAIN.encode(), ["--lang", "en"], ";", "."),
    # a comma CSV keeps the decimal point in Russian too (a decimal comma would need quotes everywhere)
    (PLAIN.replace(";", ",").encode(), ["--lang", "ru"], ",", "."),
    # the options win
    (_parquet(), ["--lang", "ru", "batch", "--delimiter", ",", "--decimal", "."], ",", "."),
    (PLAIN.encode(), ["--lang", "en", "batch", "--decimal", ","], ";", ","),
])
def test_without_hints_a_russian_run_writes_semicolons_and_decimal_commas(capsys, tmp_path, data, flags, delimiter,
                                                                          mark):
    if "batch" in flags:  # options after the subcommand
        at = flags.index("batch")
        before, after = flags[:at], flags[at + 1:]
        src = tmp_path / ("in.parquet" if data.startswith(b"PAR1") else "in.csv")
        src.write_bytes(data)
        assert main([*before, "batch", str(src), "-o", str(tmp_path / "out.csv"), "--as-of", "2026-11-29",
                     *after]) == 0
        out = (tmp_path / "out.csv").read_bytes()
    else:
        out, _ = _batch(capsys, tmp_path, data, *flags)
    assert not out.startswith(BOM)  # no BOM in, none out
    row = _cells(out, delimiter)[0]
    assert row["ev_keep"] == "1800" and row["ev_return"] == "14190"  # whole: no mark, no thousands separator
    assert row["win_probability_used"] == f"0{mark}84" and row["dispute_deadline"] == "2026-12-05"


def test_a_bom_goes_to_a_piped_standard_output_but_never_into_parquet(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(EXCEL_RU)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    piped = subprocess.run([sys.executable, "-m", "calculator", "--lang", "ru", "batch", str(src), "-q",
                            "--as-of", "2026-11-29"], capture_output=True, env=env, cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith(BOM + '"№";"price"'.encode())
    assert main(["batch", str(src), "-o", str(tmp_path / "out.parquet"), "-q", "--as-of", "2026-11-29"]) == 0
    assert (tmp_path / "out.parquet").read_bytes().startswith(b"PAR1")
