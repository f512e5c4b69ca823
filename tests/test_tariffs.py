"""Loading and validating tariff files: every bundled file loads; every malformed one is located."""

from __future__ import annotations

import datetime
import warnings

import numpy as np
import pytest

from calculator import TariffError, load_tariff, load_tariffs
from calculator.cli import main
from calculator.tariffs import TariffWarning, bundled_dir

from conftest import MINIMAL, TODAY

BUNDLED = sorted(bundled_dir().glob("*.yaml"))


def test_there_are_bundled_tariffs_for_the_issue_routes():
    names = {p.stem for p in BUNDLED}
    assert {"us-usps", "gb-royal-mail", "de-deutsche-post", "fr-la-poste", "by-belpost",
            "ua-ukrposhta", "kz-kazpost", "ru-pochta"} <= names


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_tariff_loads_with_source_and_confidence(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffWarning)
        t = load_tariff(path, today=TODAY)
    assert t.name == path.stem
    assert t.source.url.startswith("http")
    assert t.source.kind in ("primary", "secondary")
    assert t.source.confidence in ("high", "medium", "low")
    assert t.services, "a tariff needs services"
    for s in t.services:
        for z in s.zones:
            if z.available and not z.gap:
                assert np.all(np.diff(z.limits_g) > 0)
                priced = ~np.isnan(z.base)
                assert np.all(z.base[priced] >= 0)


def test_minimal_file_loads_with_units_converted(write_tariff):
    t = load_tariff(write_tariff(MINIMAL))
    s = t.services[0]
    assert (t.name, t.carrier, t.origin, t.currency) == ("test-post", "Test Post", "DE", "EUR")
    assert s.limits.max_weight_g == 2000.0
    assert s.limits.min_dims_cm == (14.0, 9.0)
    assert s.zones[1].limits_g.tolist() == [500.0, 1000.0, 2000.0]
    assert np.isnan(s.zones[1].base[1])  # null = no price in source


def test_carrier_units_are_converted_exactly(write_tariff):
    text = MINIMAL.replace("weight_limits: [500 g, 1 kg, 2 kg]", "weight_limits: [8 oz, 2 lb, 4 lb]")
    s = load_tariff(write_tariff(text)).services[0]
    # 1 lb = 453.59237 g exactly, 1 oz = 1/16 lb (International Yard and Pound Agreement, 1959)
    assert s.zones[0].limits_g.tolist() == [226.796185, 907.18474, 1814.36948]


def _error(write_tariff, text: str) -> str:
    with pytest.raises(TariffError) as info:
        load_tariff(write_tariff(text))
    return str(info.value)


def _line_of(text: str, needle: str) -> int:
    import textwrap

    lines = textwrap.dedent(text).lstrip().splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_typo_key_names_file_line_and_suggestion(write_tariff):
    text = MINIMAL.replace("    tracked: false\n", "    tracekd: false\n")
    msg = _error(write_tariff, text)
    assert msg.startswith(f"test-post.yaml, line {_line_of(text, 'tracekd')}: ")
    assert "unknown key 'tracekd'" in msg and "did you mean 'tracked'" in msg


def test_price_count_mismatch_is_located(write_tariff):
    text = MINIMAL.replace("prices: [5.00, 8.00, 12.00]", "prices: [5.00, 8.00]")
    msg = _error(write_tariff, text)
    assert msg == (f"test-post.yaml, line {_line_of(text, 'prices: [5.00, 8.00]')}: "
                   "services[0] 'packet'.zones[0] 'world'.prices: 2 prices but 3 weight limits")


def test_negative_price_is_located(write_tariff):
    text = MINIMAL.replace("prices: [5.00, 8.00, 12.00]", "prices: [5.00, -8.00, 12.00]")
    msg = _error(write_tariff, text)
    assert f"line {_line_of(text, '-8.00')}" in msg and "negative" in msg


@pytest.mark.parametrize("bad", [".nan", ".inf"])
def test_non_finite_price_is_rejected(write_tariff, bad):
    msg = _error(write_tariff, MINIMAL.replace("prices: [5.00, 8.00, 12.00]", f"prices: [5.00, {bad}, 12.00]"))
    assert "not a finite number" in msg


def test_non_increasing_limits_are_rejected(write_tariff):
    text = MINIMAL.replace("[500 g, 1 kg, 2 kg]", "[500 g, 500 g, 2 kg]")
    msg = _error(write_tariff, text)
    assert "weight limits must increase" in msg and f"line {_line_of(text, '[500 g, 500 g')}" in msg


def test_bad_country_and_currency_codes(write_tariff):
    assert "'XX' is not an ISO 3166-1 alpha-2 country code" in _error(write_tariff, MINIMAL.replace("countries: [CN]", "countries: [XX]"))
    assert "'EURO' is not an ISO 4217 currency code" in _error(write_tariff, MINIMAL.replace("currency: EUR", "currency: EURO"))
    assert "'ZZ' is not an ISO 3166-1" in _error(write_tariff, MINIMAL.replace("origin: DE", "origin: ZZ"))


def test_yaml_syntax_error_gives_the_line(write_tariff):
    text = MINIMAL.replace("    name: Packet\n", "    name: [Packet\n")
    msg = _error(write_tariff, text)
    assert msg.startswith("test-post.yaml, line ") and "YAML syntax error" in msg


def test_unknown_unit_and_missing_key(write_tariff):
    assert "unknown weight unit 'stone'" in _error(write_tariff, MINIMAL.replace("max_weight: 2 kg", "max_weight: 2 stone"))
    assert "missing required key 'carrier'" in _error(write_tariff, MINIMAL.replace("carrier: Test Post\n", ""))


def test_country_in_two_zones_needs_default_zone(write_tariff):
    msg = _error(write_tariff, MINIMAL.replace('countries: ["*"]', "countries: [CN]"))
    assert "country CN is in zones 'world' and 'china'" in msg and "default_zone" in msg


def test_expired_tariff_loads_with_warning(write_tariff):
    path = write_tariff(MINIMAL.replace("valid_from: 2025-01-01", "valid_from: 2025-01-01\nvalid_until: 2025-06-30"))
    with pytest.warns(TariffWarning, match="valid until 2025-06-30"):
        t = load_tariff(path, today=datetime.date(2025, 7, 1))
    assert t.expired(datetime.date(2025, 7, 1)) and not t.expired(datetime.date(2025, 6, 30))


def test_user_folder_overrides_bundled_by_name(tmp_path, monkeypatch):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "us-usps.yaml").write_text(MINIMAL.replace("origin: DE", "origin: US").replace("Test Post", "My USPS copy"))
    monkeypatch.setenv("RETURNCOST_TARIFFS", str(own))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TariffWarning)
        assert load_tariffs(today=TODAY)["us-usps"].carrier == "My USPS copy"
        assert load_tariffs([own], use_env=False, today=TODAY)["us-usps"].carrier == "My USPS copy"
        assert load_tariffs(use_env=False, today=TODAY)["us-usps"].carrier == "USPS"


def test_missing_user_folder_is_an_error(tmp_path):
    with pytest.raises(TariffError, match="tariff folder not found"):
        load_tariffs([tmp_path / "nope"], use_env=False)


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, expected",
    [
        (("    name: Packet\n", "    name: [Packet\n"), "YAML syntax error"),
        (("    tracked: false\n", "    tracekd: false\n"), "unknown key 'tracekd'"),
        (("[5.00, 8.00, 12.00]", "[5.00, 8.00]"), "2 prices but 3 weight limits"),
        (("[5.00, 8.00, 12.00]", "[5.00, -8.00, 12.00]"), "negative"),
        (("countries: [CN]", "countries: [XX]"), "'XX' is not an ISO 3166-1"),
    ],
)
def test_validate_command_reports_one_located_line_and_exits_2(write_tariff, capsys, change, expected):
    path = write_tariff(MINIMAL.replace(*change))
    assert main(["tariffs", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("returncost: error: test-post.yaml, line ") and expected in err


def test_validate_command_accepts_good_files(write_tariff, capsys):
    assert main(["tariffs", "validate", str(write_tariff(MINIMAL))]) == 0
    assert "ok" in capsys.readouterr().out


def test_tariffs_list_and_show(capsys):
    assert main(["tariffs", "list"]) == 0
    out = capsys.readouterr().out
    for name in ("us-usps", "gb-royal-mail", "ru-pochta"):
        assert name in out
    assert main(["tariffs", "show", "us-usps"]) == 0
    shown = capsys.readouterr().out
    assert "First-Class Package International Service" in shown and "32.05" in shown
    assert main(["tariffs", "show", "nope"]) == 2
    assert "tariff 'nope' not found" in capsys.readouterr().err


def test_open_ended_last_band_needs_a_formula(write_tariff):
    text = MINIMAL.replace("weight_limits: [500 g, 1 kg, 2 kg]", "weight_limits: [500 g, 1 kg, no limit]")
    assert "needs a formula price" in _error(write_tariff, text)
    formula = text.replace("prices: [5.00, 8.00, 12.00]", "prices: [5.00, 8.00, {base: 8, rate: 2, per: 1 kg, above: 1 kg}]")
    formula = formula.replace("prices: [6.00, null, 14.00]", "prices: [6.00, null, {base: 9, rate: 2, per: 1 kg}]")
    formula = formula.replace("max_weight: 2 kg, ", "")
    t = load_tariff(write_tariff(formula))
    assert np.isinf(t.services[0].zones[0].limits_g[-1])
    assert "'no limit' can only be the last" in _error(write_tariff, MINIMAL.replace("[500 g, 1 kg, 2 kg]", "[500 g, no limit, 2 kg]"))


def test_tariff_renders_for_notebooks(bundled):
    t = bundled["gb-royal-mail"]
    html = t._repr_html_()
    assert html.count("<table>") >= 3 and "13.05" in html  # International Standard W1, 100 g
    frame = t.to_frame()
    row = frame[(frame.service == "intl_signed") & (frame.up_to_g == 500.0)]
    assert row.base.tolist() == [23.50]
    assert "International Signed" in str(t)
