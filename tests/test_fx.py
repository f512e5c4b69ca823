"""Tests of calculator.fx: reference rates, overrides, vectorized conversion, missing rates.

Expected values come from the snapshot of 2025-12-31 whose sources are in
calculator/data/sources/fx.md: ECB reference rates (confidence high), Bank of Russia EUR rate
(medium), NBU (medium-high), NBRB (medium); KZT is a gap.
"""

from __future__ import annotations

import datetime
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator.assessment import assess
from calculator.errors import CalculatorError, FxError, InputError
from calculator.fx import (
    FxRates,
    FxWarning,
    convert,
    load_rates,
    parse_override,
    reference_rates,
    require,
)

# (code, units per 1 EUR, source) for 2025-12-31, as in calculator/data/sources/fx.md.
REFERENCE = [
    ("USD", 1.175, "ECB 2025-12-31 (sources/fx.md, ECB)"),
    ("GBP", 0.8726, "ECB 2025-12-31 (sources/fx.md, ECB)"),
    ("CNY", 8.2262, "ECB 2025-12-31 (sources/fx.md, ECB)"),
    ("JPY", 184.09, "ECB 2025-12-31 (sources/fx.md, ECB)"),
    ("BGN", 1.9558, "ECB 2025-12-31, last day with BGN (sources/fx.md, ECB)"),
    ("IDR", 19640.83, "ECB 2025-12-31 (sources/fx.md, ECB)"),
    ("RUB", 92.0938, "CBR via RBC, valid 2025-12-31..2026-01-12 (sources/fx.md, Bank of Russia)"),
    ("UAH", 49.8565, "NBU archive, effective 2025-12-31 (sources/fx.md, NBU)"),
    ("BYN", 3.4170, "NBRB via news.mail.ru, for 2025-12-31 (sources/fx.md, NBRB)"),
]

ECB_CODES = """USD JPY BGN CZK DKK GBP HUF PLN RON SEK CHF ISK NOK TRY AUD BRL CAD CNY HKD IDR ILS
INR KRW MXN MYR NZD PHP SGD THB ZAR""".split()


@pytest.fixture
def small() -> FxRates:
    return FxRates(per_eur={"USD": 1.175, "GBP": 0.8726, "RUB": 92.0938}, date=None)


# --- the bundled snapshot ------------------------------------------------------------------


def test_reference_snapshot_has_every_currency_of_fx_md():
    rates = reference_rates()
    assert rates.date == datetime.date(2025, 12, 31)
    assert len(ECB_CODES) == 30
    assert set(rates.per_eur) == set(ECB_CODES) | {"RUB", "UAH", "BYN", "EUR"}
    assert rates.per_eur["EUR"] == 1.0
    assert "KZT" not in rates.per_eur  # gap: sources/fx.md, Kazakhstan


@pytest.mark.parametrize(("code", "per_eur", "source"), REFERENCE)
def test_reference_values(code, per_eur, source):
    assert reference_rates().per_eur[code] == per_eur, source


def test_every_rate_has_a_source():
    rates = reference_rates()
    assert set(rates.sources) == set(rates.per_eur)
    assert rates.sources["USD"] == "ECB reference rate 2025-12-31, confidence high"
    assert rates.sources["UAH"] == "NBU official rate 2025-12-31, confidence medium-high"
    assert rates.sources["BYN"] == "NBRB official rate 2025-12-31, confidence medium"


def test_reference_rates_is_loaded_once():
    assert reference_rates() is reference_rates()


# --- conversion values with provenance ------------------------------------------------------


def test_usd_to_gbp_ecb():
    # 100 USD -> GBP = 100 * 0.8726 / 1.1750 (ECB 2025-12-31) = 74.2638...
    assert convert(100, "USD", "GBP") == pytest.approx(100 * 0.8726 / 1.175, rel=1e-15)
    assert round(float(convert(100, "USD", "GBP")), 4) == 74.2638


def test_rub_to_cny_crosses_two_publishers():
    # 1000 RUB -> CNY = 1000 * 8.2262 (ECB) / 92.0938 (CBR) = 89.3241...; sources/fx.md (last
    # section) warns that cross rates between publishers differ by up to ~0.2 %.
    assert convert(1000, "RUB", "CNY") == pytest.approx(1000 * 8.2262 / 92.0938, rel=1e-15)


def test_eur_amounts_multiply_by_the_rate():
    # 10 EUR -> UAH = 10 * 49.8565 (NBU 2025-12-31)
    assert convert(10, "EUR", "UAH") == pytest.approx(498.565, rel=1e-15)
    assert convert(498.565, "UAH", "EUR") == pytest.approx(10, rel=1e-15)


def test_identity_is_exactly_one_without_round_trip():
    rates = reference_rates()
    for code in [*ECB_CODES, "RUB", "UAH", "BYN", "EUR"]:
        assert rates.factor(code, code) == 1.0
    # 0.1 JPY -> JPY is 0.1 exactly, not 0.1 / 184.09 * 184.09
    assert convert(0.1, "JPY", "JPY") == 0.1
    codes = ["IDR", "KRW", "BYN"]
    assert convert(np.full(3, 0.1), codes, codes).tolist() == [0.1] * 3


def test_identity_needs_no_rate():
    # KZT has no rate, but KZT -> KZT needs none.
    assert convert(5000, "KZT", "KZT") == 5000


def test_codes_are_case_and_space_insensitive():
    assert convert(100, " usd", "Gbp ") == convert(100, "USD", "GBP")
    assert convert([100], ["usd"], ["GBP"])[0] == convert(100, "USD", "GBP")


def test_scalar_returns_scalar_and_arrays_keep_shape():
    assert np.ndim(convert(1, "USD", "GBP")) == 0
    assert isinstance(reference_rates().factor("USD", "GBP"), float)
    out = convert(np.ones((2, 3)), np.array([["USD"], ["RUB"]]), ["GBP", "EUR", "CNY"])
    assert out.shape == (2, 3)
    assert out[1, 1] == pytest.approx(1 / 92.0938)


# --- vectorization --------------------------------------------------------------------------

CODES = ["USD", "GBP", "RUB", "KZT", "EUR", "cny", "UAH", "XXX"]


@given(
    st.lists(
        st.tuples(st.sampled_from(CODES), st.sampled_from(CODES),
                  st.floats(-1e9, 1e9, allow_nan=False)),
        min_size=1, max_size=40,
    )
)
def test_vectorized_equals_scalar_calls(rows):
    src, dst, amount = (list(x) for x in zip(*rows))
    vector = convert(amount, np.array(src), np.array(dst, dtype=object))
    scalar = [convert(a, s, d) for s, d, a in rows]
    np.testing.assert_array_equal(vector, np.array(scalar, dtype=float))


def test_million_rows_with_an_array_of_codes():
    rng = np.random.default_rng(1)
    codes = rng.choice(np.array(["USD", "GBP", "RUB", "KZT"]), 1_000_000)
    out = convert(np.ones(codes.size), codes, "EUR")
    for code in ["USD", "GBP", "RUB"]:
        assert np.all(out[codes == code] == 1 / reference_rates().per_eur[code])
    assert np.all(np.isnan(out[codes == "KZT"]))


def test_empty_arrays():
    assert convert([], np.array([], dtype=str), "EUR").shape == (0,)
    assert reference_rates().missing([]) == []


# --- missing rates --------------------------------------------------------------------------


def test_missing_kzt_gives_nan():
    assert math.isnan(convert(100, "KZT", "EUR"))
    assert math.isnan(reference_rates().factor("EUR", "KZT"))
    out = convert([1, 1], ["KZT", "USD"], "RUB")
    assert math.isnan(out[0]) and out[1] == pytest.approx(92.0938 / 1.175)


def test_missing_lists_sorted_unique_upper_case_codes():
    assert reference_rates().missing(np.array(["kzt", "USD", "XYZ", "KZT", "AMD"])) == [
        "AMD", "KZT", "XYZ"]
    assert reference_rates().missing("usd") == []


def test_require_names_the_code_and_the_fix():
    with pytest.raises(FxError) as info:
        require(["USD", "KZT", "kzt"])
    assert str(info.value) == (
        "no exchange rate for KZT (the reference rates of 31 Dec 2025 have none); "
        "pass --fx KZT=<units per 1 EUR>"
    )
    assert isinstance(info.value, LookupError)


def test_require_names_each_missing_code():
    with pytest.raises(FxError, match=r"for AMD, KZT \(.*--fx AMD=<units per 1 EUR> --fx KZT="):
        require(["KZT", "AMD", "EUR"])


def test_require_passes_and_user_rates_have_no_date(small):
    require(np.array(["USD", "RUB", "EUR"]))
    with pytest.raises(FxError, match=r"for CNY \(the rates given have none\)"):
        require("CNY", small)


# --- overrides ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RUB=92.5", ("RUB", 92.5)),
        ("rub=92.5", ("RUB", 92.5)),
        (" KZT = 600 ", ("KZT", 600.0)),
        ("KZT=600,5", ("KZT", 600.5)),
        # market notation BASE/QUOTE=x: 1 BASE = x QUOTE, kept as a pair until the rates are known
        ("USD/RUB=78.2", ("USD/RUB", 78.2)),
        ("kzt/rub=0.18", ("KZT/RUB", 0.18)),
        # a pair with EUR is units of the other currency per EUR either way round:
        # EUR/RUB=92.0938 is 1 EUR = 92.0938 RUB; RUB/EUR=0.0125 is 1 RUB = 0.0125 EUR = 1/80 → 80 RUB per EUR
        ("EUR/RUB=92.0938", ("RUB", 92.0938)),
        ("EUR/USD=1.175", ("USD", 1.175)),
        ("RUB/EUR=0.0125", ("RUB", pytest.approx(80.0, rel=1e-15))),
        ("rub/eur=0,0108", ("RUB", pytest.approx(1 / 0.0108, rel=1e-15))),  # 92.59 RUB per EUR
    ],
)
def test_parse_override(text, expected):
    assert parse_override(text) == expected


def test_eur_pairs_both_ways_set_the_same_rate():
    # EUR/RUB=92 and RUB/EUR=1/92 say the same thing in market notation: 92 RUB per 1 EUR
    a = reference_rates().with_overrides(["EUR/RUB=92"])
    b = reference_rates().with_overrides([f"RUB/EUR={1 / 92!r}"])
    assert a.per_eur["RUB"] == 92.0
    assert b.per_eur["RUB"] == pytest.approx(92.0, rel=1e-12)
    assert a.per_eur["USD"] == b.per_eur["USD"] == 1.175  # nothing else moves


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("RUB=abc", "not a number"),
        ("RUB=-1", "must be positive"),
        ("RUB=0", "must be positive"),
        ("RUB=nan", "not a finite number"),
        ("XX=1", "'XX' is not a currency code"),
        ("RUB1=1", "'RUB1' is not a currency code"),
        ("RUB", "no single '='"),
        ("RUB=1=2", "no single '='"),
        ("RUB/USD/CNY=1", "more than one '/'"),
        ("EUR=1.1", "EUR is the base"),
        ("USD/USD=2", "against itself"),
        # a pair: codes and rates are checked as for CODE=x
        ("USD/RU=80", "'RU' is not a currency code"),
        ("USD/RUBL=80", "'RUBL' is not a currency code"),
        # three letters but no ISO 4217 currency: refused rather than given a rate
        ("USD/XYZ=80", "'XYZ' is not a currency code"),
        ("QQQ=5", "'QQQ' is not a currency code"),
        ("USD/RUB=0", "must be positive"),
        ("USD/RUB=-80", "must be positive"),
        ("EUR/RUB=0", "must be positive"),
        ("USD/RUB=", "not a number"),
    ],
)
def test_bad_override_names_text_and_form(text, problem):
    with pytest.raises(InputError) as info:
        parse_override(text)
    message = str(info.value)
    assert message.startswith(f"--fx {text!r}: ")
    assert problem in message
    assert "expected CODE=<units per 1 EUR>" in message


def test_override_per_eur_adds_and_replaces():
    rates = reference_rates().with_overrides(["KZT=600", "rub=95"])
    assert rates.per_eur["KZT"] == 600.0
    assert rates.per_eur["RUB"] == 95.0
    assert rates.per_eur["USD"] == 1.175
    assert rates.date == datetime.date(2025, 12, 31)
    assert rates.sources["KZT"] == "user override --fx KZT=600.0"
    assert convert(600, "KZT", "EUR", rates) == 1.0
    # the cached reference rates are unchanged
    assert "KZT" not in reference_rates().per_eur
    assert reference_rates().per_eur["RUB"] == 92.0938


def test_override_market_pair_moves_the_quote():
    # USD/RUB=78.2267 (CBR: 1 USD = 78.2267 RUB, sources/fx.md) * USD 1.175 per EUR (ECB) = 91.9164 RUB
    # per EUR, a cross-source figure, about 0.19 % below the CBR's own 92.0938 (sources/fx.md, last
    # section). USD keeps its rate.
    rates = reference_rates().with_overrides(["USD/RUB=78.2267"])
    assert rates.per_eur["RUB"] == pytest.approx(78.2267 * 1.175, rel=1e-15)
    assert round(rates.per_eur["RUB"], 4) == 91.9164
    assert rates.per_eur["USD"] == 1.175
    assert convert(1, "USD", "RUB", rates) == pytest.approx(78.2267, rel=1e-15)
    assert rates.sources["RUB"].startswith("user override --fx USD/RUB=78.2267, with USD 1.175 per EUR (ECB")


def test_usd_rub_80_is_80_rub_per_usd():
    # issue 10, item 9: --fx USD/RUB=80 used to be read backwards (1,450 RUB became 116,000 USD).
    # 1 USD = 80 RUB: RUB per EUR = 80 · 1.175 = 94; 1,450 RUB = 1450 · 1.175/94 = 1450/80 = 18.125 USD.
    rates = reference_rates().with_overrides(["USD/RUB=80"])
    assert rates.per_eur["RUB"] == pytest.approx(94.0, rel=1e-15)
    assert convert(1450, "RUB", "USD", rates) == pytest.approx(18.125, rel=1e-12)
    # the assessment converts the postage once and rounds half a cent away from zero: 18.13 USD
    a = assess(price=100, currency="USD", origin="RU", postage=1450, postage_currency="RUB", reason="damaged",
               fx=rates, today=datetime.date(2026, 11, 29), errors="raise")
    assert a.postage.tolist() == [18.13] and a.postage_native.tolist() == [1450.0]
    assert a.postage_currency.tolist() == ["RUB"]


def test_override_market_pair_moves_the_base_when_only_the_quote_has_a_rate():
    # KZT/RUB=0.2: 1 KZT = 0.2 RUB; KZT has no reference rate, so KZT moves:
    # KZT per EUR = 92.0938 / 0.2 = 460.469. RUB/KZT=5 (1 RUB = 5 KZT) says the same.
    a = reference_rates().with_overrides(["KZT/RUB=0.2"])
    b = reference_rates().with_overrides(["RUB/KZT=5"])
    assert a.per_eur["KZT"] == pytest.approx(460.469, rel=1e-12)
    assert b.per_eur["KZT"] == pytest.approx(460.469, rel=1e-12)
    assert a.per_eur["RUB"] == b.per_eur["RUB"] == 92.0938
    assert a.sources["KZT"].startswith("user override --fx KZT/RUB=0.2, with RUB 92.0938 per EUR")
    assert convert(5000, "KZT", "RUB", a) == pytest.approx(1000.0, rel=1e-12)


def test_override_mapping_accepts_both_spellings():
    # KZT=600 first (direct overrides apply first); KZT/RUB=0.2: 1 KZT = 0.2 RUB → RUB = 0.2 · 600 = 120 per EUR
    by_text = reference_rates().with_overrides(["KZT=600", "KZT/RUB=0.2"])
    by_map = reference_rates().with_overrides({"KZT": 600, "kzt/rub": 0.2})
    assert by_map.per_eur == by_text.per_eur
    assert by_map.per_eur["RUB"] == pytest.approx(120.0)
    assert by_map.per_eur["KZT"] == 600.0


def test_override_cross_rate_after_direct_override_of_its_base():
    # direct overrides apply first, whatever their order in the list: USD = 1.2 per EUR, then
    # USD/RUB=80 → RUB = 80 · 1.2 = 96 per EUR
    rates = reference_rates().with_overrides(["USD/RUB=80", "USD=1.2"])
    assert rates.per_eur["RUB"] == pytest.approx(96.0)
    assert rates.per_eur["USD"] == 1.2


def test_single_text_is_one_override():
    assert reference_rates().with_overrides("KZT=600").per_eur["KZT"] == 600.0


def test_cross_override_where_neither_currency_has_a_rate():
    with pytest.raises(FxError, match=r"--fx KZT/AMD=5.0: neither KZT nor AMD has a rate against the euro; "
                                      r"pass --fx KZT=<units per 1 EUR> as well"):
        reference_rates().with_overrides(["KZT/AMD=5"])


# --- the sanity check against the reference rate -------------------------------------------


def _warned(overrides) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reference_rates().with_overrides(overrides)
    return [str(w.message) for w in caught if issubclass(w.category, FxWarning)]


def test_pair_written_the_wrong_way_round_warns_with_both_rates():
    # RUB/USD=80 says 1 RUB = 80 USD; the reference is 1.175/92.0938 = 0.0127587 USD per RUB, and
    # 1/80 = 0.0125 is within 50 % of it: most likely USD/RUB was meant.
    [msg] = _warned(["RUB/USD=80"])
    assert "RUB/USD = 80 " in msg and "reference rate 0.0127587" in msg
    assert "more than 50% away" in msg and "wrong way round" in msg


def test_per_eur_override_far_off_warns_with_both_rates():
    # RUB=9.2 (a lost digit): reference 92.0938 RUB per EUR; 1/9.2 is no closer, so no "wrong way" hint
    [msg] = _warned(["RUB=9.2"])
    assert "9.2" in msg and "92.0938" in msg and "wrong way round" not in msg
    # EUR/RUB=0.0108 is the EUR per RUB figure typed as RUB per EUR: the hint says so
    [msg] = _warned(["EUR/RUB=0.0108"])
    assert "92.0938" in msg and "wrong way round" in msg


@pytest.mark.parametrize("text", ["USD/RUB=80", "USD/RUB=60", "EUR/RUB=92", "RUB/EUR=0.0108", "RUB=100",
                                  "USD/KZT=520", "KZT=600"])
def test_plausible_overrides_do_not_warn(text):
    # within 50 % of the reference (USD/RUB reference 92.0938/1.175 = 78.38), or no reference to check
    assert _warned([text]) == []


def test_warning_boundary_is_50_percent():
    # USD/RUB reference 78.3777; 50 % is 39.19 either side
    ref = 92.0938 / 1.175
    assert _warned([f"USD/RUB={ref * 1.49!r}"]) == []
    assert len(_warned([f"USD/RUB={ref * 1.51!r}"])) == 1
    assert len(_warned([f"USD/RUB={ref * 0.49!r}"])) == 1


def test_bad_mapping_override():
    with pytest.raises(InputError, match=r"--fx 'RUB=-2': the rate must be positive"):
        reference_rates().with_overrides({"RUB": -2})


# --- FxRates construction -------------------------------------------------------------------


def test_fxrates_adds_eur_and_upper_cases(small):
    rates = FxRates(per_eur={"usd": 1.175}, date=None)
    assert dict(rates.per_eur) == {"USD": 1.175, "EUR": 1.0}
    assert small.per_eur["EUR"] == 1.0


@pytest.mark.parametrize(
    ("per_eur", "problem"),
    [
        ({"EUR": 2.0}, "EUR must be 1"),
        ({"USD": 0}, "rate of USD is 0"),
        ({"USD": float("inf")}, "rate of USD is inf"),
        ({"USD": "x"}, "rate of USD is 'x'"),
        ({"US": 1.0}, "'US' is not a currency code"),
    ],
)
def test_fxrates_rejects_bad_tables(per_eur, problem):
    with pytest.raises(InputError, match=problem):
        FxRates(per_eur=per_eur, date=None)


def test_fxrates_is_frozen(small):
    with pytest.raises(AttributeError):
        small.date = datetime.date(2026, 1, 1)
    with pytest.raises(TypeError):
        small.per_eur["USD"] = 2.0


# --- loading a rates file -------------------------------------------------------------------

GOOD = """\
date: 2025-12-31
base: EUR
note: test file
publishers:
  ecb: {publisher: ECB, label: ECB reference rate, url: u, copy: c, how: h, confidence: high}
rates:
  USD: {per_eur: 1.175, publisher: ecb}
gaps:
  KZT: {publisher: NBK, reason: not found, verify: v}
"""


def test_load_rates_file(tmp_path):
    path = tmp_path / "fx.yaml"
    path.write_text(GOOD)
    rates = load_rates(path)
    assert dict(rates.per_eur) == {"USD": 1.175, "EUR": 1.0}
    assert rates.sources["USD"] == "ECB reference rate 2025-12-31, confidence high"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  USD: {per_eur: 1.175, publisher: ecb}", "  USD: {per_eur: 1.175, publisher: ecx}",
         "rates.USD.publisher: 'ecx' is not under publishers"),
        ("  USD: {per_eur: 1.175, publisher: ecb}", "  USD: {per_eur: 1.175}",
         "rates.USD: missing required key 'publisher'"),
        ("  USD: {per_eur: 1.175, publisher: ecb}", "  USD: {per_eur: -1, publisher: ecb}",
         "rates.USD.per_eur: -1; give a positive number"),
        ("note: test file", "notes: test file", "notes: unknown key 'notes' (did you mean 'note'?)"),
        ("confidence: high}", "confidence: sure}", "publishers.ecb.confidence: 'sure'"),
        ("base: EUR", "base: USD", "base: 'USD'"),
        ("  KZT: {", "  USD: {", "gaps.USD: listed as a gap but also has a rate"),
    ],
)
def test_malformed_rates_file_names_file_and_key(tmp_path, old, new, message):
    path = tmp_path / "fx.yaml"
    path.write_text(GOOD.replace(old, new))
    with pytest.raises(CalculatorError) as info:
        load_rates(path)
    assert str(info.value).startswith(f"{path}, line {info.value.line}: ")
    assert message in str(info.value)
    assert isinstance(info.value, ValueError) and info.value.path == path


def test_rates_pickle_for_dask_and_spark_workers():
    import pickle

    rates = reference_rates().with_overrides(["KZT=520"])
    back = pickle.loads(pickle.dumps(rates))
    assert back.per_eur == rates.per_eur and back.date == rates.date and back.sources == rates.sources
    assert back.factor("KZT", "EUR") == rates.factor("KZT", "EUR") == 1 / 520
