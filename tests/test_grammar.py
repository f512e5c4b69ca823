"""One input grammar (issue 12): the same text means the same in a CLI flag, a Python keyword and a
CSV cell.

The grammar is data in :mod:`calculator.units`; two engines read it: the value engine there
(``re``: flags, keywords, defaults) and the column engine of :mod:`calculator.batch.cells`
(``pyarrow.compute``: CSV cells). The first tests hold every example to its expected reading (the
value, or the refusal in the words of ``units.MESSAGES``) in both engines; a property test throws
random text at both. The last test runs every example through every entry point: ``returncost
estimate`` (a flag), ``returncost batch`` (a CSV cell and a flag for a missing column) and
``calculator.assess`` (a keyword).
"""

from __future__ import annotations

import csv
import datetime
import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator import assess, i18n
from calculator.batch import cells
from calculator.cli import main
from calculator.errors import InputError
from calculator.i18n import language
from calculator.inputs import field
from calculator.units import GRAMS_PER, message, parse_weight, read_date, read_number, read_yes_no

from conftest import TODAY

pytestmark = pytest.mark.usefixtures("bundled_only")

OZ = float(GRAMS_PER["oz"] * 8)  # 226.796185 g, exactly 8 oz
LB = float(GRAMS_PER["lb"] * 2 + GRAMS_PER["lb"] / 2)  # 2.5 lb


def refused(key, **parts):
    return ("refused", key, parts)


# (kind, text, decimal mark, expected): the value in the input's unit (g, cm, a fraction, hours)
# and the currency sign written, or the refusal of units.MESSAGES. Each expected value is what
# the text says, worked out by hand.
NUMBERS = [
    ("money", "12.99", ".", (12.99, "")),
    ("money", "$12.99", ".", (12.99, "$")),
    ("money", "12,99 €", ".", (12.99, "€")),  # a lone comma before two digits: a decimal comma
    ("money", "1 450 ₽", ".", (1450.0, "₽")),  # thousands space
    ("money", "1\u00a0450,50", ".", (1450.5, "")),  # no-break space between thousands
    ("money", "1,450.50", ".", (1450.5, "")),  # commas group, the point is the decimal mark
    ("money", "1.450,50", ".", (1450.5, "")),  # points group, the comma is the decimal mark
    ("money", "1,200", ".", refused("ambiguous")),  # 1.2 or 1200?
    ("money", "1.200", ".", (1.2, "")),  # the file's own decimal mark
    ("money", "1.200", ",", refused("ambiguous")),
    ("money", "12,99", ",", (12.99, "")),
    ("money", "1,5e3", ",", (1500.0, "")),  # an exponent, as allowed today: plain numbers only
    ("money", "1_000", ".", (1000.0, "")),  # underscores group thousands, as in Python
    ("money", "1_00", ".", refused("not_a_number", example="12.99")),  # but only in threes
    ("money", "١٢", ".", (12.0, "")),  # Arabic-Indic digits
    ("money", "１２.５", ".", (12.5, "")),  # full-width digits
    ("money", "−5", ".", (-5.0, "")),  # a minus sign, not a hyphen (the range refuses it later)
    ("money", "+5", ".", (5.0, "")),
    ("money", "-$5", ".", (-5.0, "$")),
    ("money", "1e3", ".", (1000.0, "")),
    ("money", "1e999", ".", refused("not_finite", example="12.99")),
    ("money", "nan", ".", refused("not_finite", example="12.99")),
    ("money", "-Infinity", ".", refused("not_finite", example="12.99")),
    ("money", "", ".", (math.nan, "")),  # not given
    ("money", "   ", ".", (math.nan, "")),
    ("money", "abc", ".", refused("not_a_number", example="12.99")),
    ("money", "12 XYZ", ".", refused("unknown_currency", unit="xyz")),
    ("money", "5 USD", ".", (5.0, "usd")),  # an ISO code names its currency
    ("money", "¥300", ".", (300.0, "¥")),
    ("money", "$12 USD", ".", refused("not_a_number", example="12.99")),  # two currencies
    ("money", "--5", ".", refused("not_a_number", example="12.99")),
    ("money", "1.2.3", ".", refused("not_a_number", example="12.99")),
    ("weight", "1 450 g", ".", (1450.0, "")),
    ("weight", "1,2 kg", ".", (1200.0, "")),
    ("weight", "1.1 kg", ".", (1100.0, "")),  # exactly: band limits are inclusive
    ("weight", "8oz", ".", (OZ, "")),
    ("weight", "2.5 lbs", ".", (LB, "")),
    ("weight", "0,45 кг", ".", (450.0, "")),  # a Cyrillic alias
    ("weight", "12 stone", ".", refused("unknown_unit", unit="stone", noun="weight unit", fix="use g, kg, oz or lb")),
    ("weight", "0,1234567890123456789 kg", ".", (123.4567890123456789, "")),  # more digits than a float
    ("length", "24in", ".", (60.96, "")),
    ("length", "600 мм", ".", (60.0, "")),
    ("fraction", "40%", ".", (0.4, "")),
    ("fraction", "40 %", ".", (0.4, "")),
    ("fraction", "0,4", ".", (0.4, "")),
    ("fraction", "140%", ".", (1.4, "")),  # read; the range refuses it (below)
    ("number", "0.5 h", ".", (0.5, "")),
    ("int", "2", ".", (2.0, "")),
]


@pytest.mark.parametrize("kind, text, decimal, expected", NUMBERS)
def test_numbers_read_the_same_by_both_engines(kind, text, decimal, expected):
    value = read_number(text, kind, name="x", decimal=decimal)
    column = cells.read_numbers(pa.array([text, "7"]), "x", kind, decimal)  # a neighbour that reads
    got_column = (column.values[0], column.signs[0] if column.signs is not None else "",
                  column.text[0] if column.text is not None else "")
    assert (np.isnan(value.value) and np.isnan(got_column[0])) or value.value == got_column[0]
    assert (value.sign, value.problem) == got_column[1:]
    assert column.values[1] == 7 and not column.bad[1]
    if expected[0] == "refused":
        _, key, parts = expected
        assert value.problem == message(key, name="x", value=text, **parts) and math.isnan(value.value)
    else:
        number, sign = expected
        assert value.problem == "" and value.sign == sign
        assert value.value == number or (math.isnan(number) and math.isnan(value.value))


DATES = [
    ("2026-11-20", datetime.date(2026, 11, 20)),
    ("20.11.2026", datetime.date(2026, 11, 20)),
    ("1.2.2026", datetime.date(2026, 2, 1)),
    ("2026-11-20 10:00", datetime.date(2026, 11, 20)),  # a time of day, as spreadsheets export it
    ("2026-11-20T10:00:00Z", datetime.date(2026, 11, 20)),
    ("20.11.2026 10:00:00", datetime.date(2026, 11, 20)),
    ("2024-02-29", datetime.date(2024, 2, 29)),  # a leap day
    (" 2026-11-20 ", datetime.date(2026, 11, 20)),
    ("2026-02-30", "refused"),  # no such day: refused, not moved into March
    ("2025-02-29", "refused"),
    ("30.02.2026", "refused"),
    ("2026-13-01", "refused"),
    ("0000-01-01", "refused"),
    ("11/20/2026", "refused"),
    ("26.11.26", "refused"),  # a two-digit year is not read as the year 26
    ("2026-11-20 noon", "refused"),
    ("", None),
]


@pytest.mark.parametrize("text, expected", DATES)
def test_dates_read_the_same_by_both_engines(text, expected):
    day, problem = read_date(text, name="x")
    v, bad, texts = cells.read_dates(pa.array([text]), "x")
    if expected == "refused":
        assert day is None and problem == message("not_a_date", name="x", value=text)
    else:
        assert (day, problem) == (expected, "")
    assert (None if np.isnat(v[0]) else v[0].astype(object)) == day
    assert (bool(bad[0]), texts[0]) == (problem != "", problem)


def test_a_column_of_iso_dates_is_read_by_one_cast_the_same():
    """The column engine casts a column that is all YYYY-MM-DD at once; it reads what the grammar does."""
    texts = ["2026-11-20", "2024-02-29", "0000-01-01", None, "2026-11-21"]
    v, bad, _ = cells.read_dates(pa.array(texts), "x")
    assert [None if np.isnat(d) else d.astype(object) for d in v] == [read_date(t)[0] for t in texts]
    assert bad.tolist() == [False, False, True, False, False]


@pytest.mark.parametrize("text, expected", [
    ("yes", True), ("Yes", True), ("X", True), ("да", True), ("1", True), ("no", False), ("нет", False),
    ("0", False), (" n ", False), ("", None), ("maybe", "refused"), ("2", "refused"),
])
def test_yes_and_no_read_the_same_by_both_engines(text, expected):
    answer, problem = read_yes_no(text, name="x")
    yes, given_, bad, texts = cells.read_yes_no(pa.array([text]), "x")
    if expected == "refused":
        assert answer is None and problem == message("not_yes_no", name="x", value=text)
    else:
        assert (answer, problem) == (expected, "")
    assert (bool(given_[0]), bool(bad[0]), texts[0]) == (answer is not None, problem != "", problem)
    assert not given_[0] or bool(yes[0]) == answer


# Refusals in Russian: (kind, text, decimal mark, words of the Russian text)
IN_RUSSIAN = [
    ("money", "abc", ".", "x: 'abc' — не число; пишите, например, 12,99"),
    ("money", "1,200", ".", "'1,200' можно прочитать двояко (разделитель тысяч или десятичный знак?)"),
    ("money", "1e999", ".", "'1e999' — не конечное число"),
    ("money", "12 XYZ", ".", "неизвестная валюта 'xyz' в '12 XYZ'; валюту указывайте в столбце currency"),
    ("weight", "12 stone", ".", "x: неизвестная единица веса 'stone' в '12 stone'; используйте г, кг, oz или lb"),
    ("length", "3 ft", ",", "неизвестная единица длины 'ft' в '3 ft'; используйте мм, см, m или in"),
    ("fraction", "40 pct", ".", "неизвестная единица 'pct' в '40 pct'; пишите, например, 0,4 или 40 %"),
    ("int", "2 pcs", ",", "неизвестная единица 'pcs' в '2 pcs'; пишите целое число"),
]


@pytest.mark.parametrize("kind, text, decimal, words", IN_RUSSIAN)
def test_both_engines_refuse_in_the_same_russian_words(kind, text, decimal, words):
    with language("ru"):
        value = read_number(text, kind, name="x", decimal=decimal)
        column = cells.read_numbers(pa.array([text, "7", text]), "x", kind, decimal)
    assert words in value.problem
    assert column.text[0] == column.text[2] == value.problem and column.text[1] == ""
    english = read_number(text, kind, name="x", decimal=decimal).problem
    assert english.startswith("x: ") and english != value.problem  # and back in English outside the block


def test_dates_yes_no_and_the_raising_engine_in_russian():
    with language("ru"):
        day, problem = read_date("2026-02-30", name="x")
        _, _, texts = cells.read_dates(pa.array(["2026-02-30"]), "x")
        answer, no_answer = read_yes_no("maybe", name="x")
        *_, yes_no = cells.read_yes_no(pa.array(["maybe"]), "x")
        with pytest.raises(InputError) as info:
            parse_weight("12 stone", field="--weight")
    assert problem == texts[0] == "x: '2026-02-30' — не дата; пишите ГГГГ-ММ-ДД (или ДД.ММ.ГГГГ)"
    assert no_answer == yes_no[0] == "x: 'maybe' — не «да» и не «нет»; пишите да/нет, yes/no или 1/0"
    assert str(info.value) == "--weight: неизвестная единица веса 'stone' в '12 stone'; используйте г, кг, oz или lb"


def test_the_column_engine_translates_once_per_message_not_per_row(monkeypatch):
    """A column of 3,000 refused cells: the message and its words are looked up in the catalog
    a few times, not 3,000 times."""
    looked_up = []

    class Counting:
        def gettext(self, message: str) -> str:
            looked_up.append(message)
            return message

        def ngettext(self, singular: str, plural: str, n: int) -> str:
            return singular if n == 1 else plural

    monkeypatch.setattr(i18n, "_translations", lambda lang: Counting())
    column = cells.read_numbers(pa.array(["12 stone", "abc", "1,200"] * 1000), "x", "weight", ".")
    assert column.bad.all() and len(looked_up) <= 8, looked_up


_TEXT = st.text(alphabet=st.sampled_from(list("0123456789 .,+-eE'_$€%kgoz руб\u00a0\u2212١٢")), max_size=12)


@given(st.lists(_TEXT, min_size=1, max_size=8), st.sampled_from(["money", "weight", "fraction", "int"]),
       st.sampled_from([".", ","]))
@settings(max_examples=400, deadline=None)
def test_both_engines_agree_on_any_text(texts, kind, decimal):
    """Whatever the text, the two engines give the same value, sign and problem, cell by cell."""
    column = cells.read_numbers(pa.array(texts), "x", kind, decimal)
    for i, text in enumerate(texts):
        value = read_number(text, kind, name="x", decimal=decimal)
        got = column.values[i]
        assert (np.isnan(value.value) and np.isnan(got)) or value.value == got, text
        assert value.sign == (column.signs[i] if column.signs is not None else ""), text
        assert value.problem == (column.text[i] if column.text is not None else ""), text


@given(st.lists(st.text(alphabet=st.sampled_from(list("0123456789-.: TZ+")), max_size=20), min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_both_engines_agree_on_any_date_text(texts):
    v, bad, problems = cells.read_dates(pa.array(texts), "x")
    for i, text in enumerate(texts):
        day, problem = read_date(text, name="x")
        assert (None if np.isnat(v[i]) else v[i].astype(object)) == day, text
        assert problems[i] == problem, text


# --------------------------------------------------------------------------------------------
# every entry point: estimate (a flag), batch (a cell, a flag), assess (a keyword)

#: An order whose postage is looked up (US -> CN, 450 g), so that weights reach the outputs.
BASE = {"origin": "US", "reason": "damaged", "price": "30", "weight_g": "450"}
FLAGS = {"origin": "--from", "weight_g": "--weight"}
#: Outputs compared across the entry points when all of them accept the text.
COMPARED = ("recommendation", "ev_return", "ev_partial_keep", "ev_keep", "price_used", "postage_native",
            "postage_currency_used", "chargeable_weight_g", "dispute_deadline", "warnings")

# (input, text, other inputs): the examples above as an order's input, and more
ORDERS = [
    ("price", "12.99", {}), ("price", "$12.99", {}), ("price", "$12.99", {"currency": "EUR"}),
    ("price", "12,99 €", {"currency": "EUR"}), ("price", "12,99 €", {}), ("price", "1 450,50", {}),
    ("price", "1,200", {}), ("price", "1_000", {}), ("price", "١٢", {}), ("price", "5 USD", {}),
    ("price", "¥300", {"currency": "CNY"}), ("price", "¥300", {}), ("price", "−5", {}), ("price", "nan", {}),
    ("price", "inf", {}), ("price", "abc", {}), ("price", "", {}),
    ("postage", "5 USD", {"currency": "EUR"}), ("postage", "5", {}), ("postage", "1 450 ₽", {"currency": "RUB"}),
    ("postage", "5 kr", {}),
    ("weight_g", "1 450 g", {}), ("weight_g", "1,2 kg", {}), ("weight_g", "8oz", {}), ("weight_g", "12 stone", {}),
    ("weight_g", "-120", {}),
    ("partial_refund", "40%", {}), ("partial_refund", "0,4", {}), ("partial_refund", "140%", {}),
    ("hassle_hours", "0.5 h", {}), ("hassle_hours", "2", {}),
    ("disputes_won_in_a_row", "2", {}), ("disputes_won_in_a_row", "2.0", {}), ("disputes_won_in_a_row", "2.5", {}),
    ("received_on", "2026-11-20", {}), ("received_on", "20.11.2026", {}), ("received_on", "26.11.2026", {}),
    ("received_on", "2026-11-20 10:00", {}), ("received_on", "2026-02-30", {}), ("received_on", "11/20/2026", {}),
    ("received_on", "", {}),
    ("mall", "yes", {}), ("mall", "нет", {}), ("mall", "maybe", {}),
]

def _flag(name: str) -> str:
    return FLAGS.get(name, field(name).flag)


def _order(name, text, others):
    order = {**BASE, **others}
    order[name] = text
    return order


def _outputs(row: dict) -> dict[str, str]:
    """The compared outputs as text, numbers rounded to cents (as the CSV writes them)."""
    def show(v):
        if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, (float, int, np.floating)) and not isinstance(v, bool):
            return f"{round(float(v), 2):g}"
        try:
            return f"{round(float(v), 2):g}"
        except (TypeError, ValueError):
            return str(v)
    return {k: show(row[k]) for k in COMPARED}


def _problem_words(text: str) -> str:
    """A refusal without the name of the input (a column, a flag or a keyword)."""
    return text.split(": ", 1)[1] if ": " in text else text


def via_assess(name, text, others):
    a = assess(**_order(name, text, others), today=TODAY)
    problem = str(a.problem[0])
    try:
        assess(**_order(name, text, others), today=TODAY, errors="raise")
        raised = ""
    except InputError as exc:
        raised = str(exc)
    if problem:  # errors="raise" raises the same words, naming the input
        assert raised.startswith(f"{name}: ") or raised == problem, raised
    frame = a.to_frame()
    return problem, _outputs({**frame.iloc[0].to_dict(), "postage_currency_used": a.postage_currency[0],
                              "dispute_deadline": a.dates["dispute_deadline"][0].astype(object),
                              "warnings": a.warning_codes()[0]})


def _batch_row(path: Path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return next(csv.DictReader(fh))


def via_batch_cell(tmp_path, capsys, name, text, others):
    order = _order(name, text, others)
    src, dest = tmp_path / "cell.csv", tmp_path / "cell_out.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(order)
        w.writerow(order.values())
    assert main(["batch", str(src), "-o", str(dest), "--as-of", str(TODAY), "-q"]) == 0
    capsys.readouterr()
    row = _batch_row(dest)
    return row["problem"], _outputs(row)


def via_batch_flag(tmp_path, capsys, name, text, others):
    order = _order(name, text, others)
    cells_ = {k: v for k, v in order.items() if k != name}
    src, dest = tmp_path / "flag.csv", tmp_path / "flag_out.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cells_)
        w.writerow(cells_.values())
    code = _main(["batch", str(src), "-o", str(dest), "--as-of", str(TODAY), "-q", _flag(name), text])
    err = capsys.readouterr().err
    if code != 0:
        return _cli_refusal(err, name), {}
    row = _batch_row(dest)
    return row["problem"], _outputs(row)


def via_estimate(capsys, name, text, others):
    order = _order(name, text, others)
    argv = ["estimate", "--as-of", str(TODAY), "--format", "json"]
    for k, v in order.items():
        argv += [_flag(k), v]
    code = _main(argv)
    out, err = capsys.readouterr()
    if code != 0:
        return _cli_refusal(err, name), {}
    return "", _outputs(json.loads(out)["outputs"])


def _main(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse: a usage error, printed
        return int(exc.code or 0)


def _cli_refusal(err: str, name: str) -> str:
    """A refusal on the command line must be the one-line error naming the input or its flag
    (an argparse usage error is not a reading of the text)."""
    line = err.strip().splitlines()[-1]
    prefix = "returncost: error: "
    assert line.startswith(prefix), err
    problem = line[len(prefix):]
    if not problem.startswith((f"{name}: ", f"{_flag(name)}: ", f"{field(name).flag}: ")) and "no 'price'" not in problem:
        return f"(not a reading of the text) {problem}"
    return problem


def _id(case):
    name, text, others = case
    return f"{name}={text!r}" + "".join(f",{k}={v}" for k, v in others.items())


@pytest.mark.parametrize("name, text, others", [pytest.param(*c, id=_id(c)) for c in ORDERS])
def test_every_entry_point_accepts_or_refuses_the_same_text_alike(tmp_path, capsys, name, text, others):
    """Python keyword, CSV cell, batch flag, estimate flag: the same text is read or refused alike;
    read, it gives the same decision; refused, the batch (cell or flag) and the API say so in the
    same words."""
    got = {
        "assess": via_assess(name, text, others),
        "batch cell": via_batch_cell(tmp_path, capsys, name, text, others),
        "batch flag": via_batch_flag(tmp_path, capsys, name, text, others),
        "estimate": via_estimate(capsys, name, text, others),
    }
    refused_by = {k for k, (problem, _) in got.items() if problem}
    assert refused_by in (set(), set(got)), {k: p for k, (p, _) in got.items()}
    if refused_by:
        assert "(not a reading of the text)" not in " ".join(p for p, _ in got.values()), got
        words = {k: _problem_words(p) for k, (p, _) in got.items()
                 if k in ("assess", "batch cell", "batch flag") and "no 'price' column" not in p}
        assert len(set(words.values())) == 1, words
    else:
        outputs = {k: o for k, (_, o) in got.items()}
        assert all(o == outputs["assess"] for o in outputs.values()), outputs
