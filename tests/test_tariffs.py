"""Loading and validating tariff files and their versions: every bundled version loads with its
source notes; every malformed file, overlapping version or bad rule is located; hostile files in a
tariff folder are refused on one line without hanging."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

from calculator import TariffError, load_tariff, load_tariffs
from calculator.cli import main
from calculator.tariffs import EXPIRED, FRESH, OLD, TariffSet, bundled_dir, load_rules

from conftest import MINIMAL, TODAY

BUNDLED = sorted(bundled_dir().glob("*/*.yaml"))


def test_there_are_bundled_tariffs_for_the_issue_routes():
    names = {p.parent.name for p in BUNDLED}
    assert {"us-usps", "gb-royal-mail", "de-deutsche-post", "de-dhl-domestic", "fr-la-poste", "by-belpost",
            "ua-ukrposhta", "kz-kazpost", "ru-pochta", "it-poste-italiane"} <= names


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_bundled_version_loads_with_source_and_notes(path):
    t = load_tariff(path)
    assert t.name == path.parent.name and t.version == path.stem and t.label == f"{t.name}/{path.name}"
    assert t.source.url.startswith("http")
    assert t.source.kind in ("primary", "secondary")
    assert t.source.confidence in ("high", "medium", "low")
    assert t.notes_file == path.parent / "SOURCES.md"  # the project's own source notes ship with it
    text = t.notes_file.read_text(encoding="utf-8") + path.read_text(encoding="utf-8")
    research = "/".join(("shared", ""))  # the team's research folder, which users do not have
    assert research not in text and "the notes" not in text
    assert t.services, "a tariff needs services"
    for s in t.services:
        for z in s.zones:
            if z.available and not z.gap:
                assert np.all(np.diff(z.limits_g) > 0)
                priced = ~np.isnan(z.base)
                assert np.all(z.base[priced] >= 0)


def test_bundled_versions_do_not_overlap_and_the_2026_lists_are_in_force():
    ts = load_tariffs(use_env=False, today=datetime.date(2026, 11, 29))
    assert [v.version for v in ts.versions("us-usps")] == ["2025-10-05", "2026-04-26"]
    assert [v.version for v in ts.versions("gb-royal-mail")] == ["2025-04-07", "2025-10-06", "2026-04-07"]
    assert ts["us-usps"].version == "2026-04-26" and ts["gb-royal-mail"].version == "2026-04-07"
    # issue 11: no US or GB price list is past its valid_until or over a year old on 2026-11-29
    for name in ("us-usps", "gb-royal-mail", "by-belpost"):
        assert ts[name].stale(ts.as_of) == FRESH, name
    assert ts.at("us-usps", datetime.date(2025, 11, 1)).version == "2025-10-05"


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
    assert msg.startswith("test-post.yaml, line ") and "not valid YAML" in msg


def test_unknown_unit_and_missing_key(write_tariff):
    assert "unknown weight unit 'stone'" in _error(write_tariff, MINIMAL.replace("max_weight: 2 kg", "max_weight: 2 stone"))
    assert "missing required key 'carrier'" in _error(write_tariff, MINIMAL.replace("carrier: Test Post\n", ""))


def test_country_in_two_zones_needs_default_zone(write_tariff):
    msg = _error(write_tariff, MINIMAL.replace('countries: ["*"]', "countries: [CN]"))
    assert "country CN is in zones 'world' and 'china'" in msg and "default_zone" in msg


def test_staleness_is_judged_on_the_posting_day_and_loading_does_not_warn(write_tariff):
    path = write_tariff(MINIMAL.replace("valid_from: 2025-01-01", "valid_from: 2025-01-01\nvalid_until: 2025-06-30"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # loading a version that is out of date is not a warning
        t = load_tariff(path)
    assert t.expired(datetime.date(2025, 7, 1)) and not t.expired(datetime.date(2025, 6, 30))
    assert t.stale(datetime.date(2025, 6, 30)) == FRESH and t.stale(datetime.date(2025, 7, 1)) == EXPIRED
    assert t.stale_note(datetime.date(2025, 7, 1)) == (
        "test-post: the price list of 1 Jan 2025 was valid until 30 Jun 2025; prices on 1 Jul 2025 may be higher")
    open_ended = load_tariff(write_tariff(MINIMAL, "other"))
    assert open_ended.stale(datetime.date(2026, 1, 1)) == FRESH  # 365 days: not yet over a year
    assert open_ended.stale(datetime.date(2026, 1, 2)) == OLD


def test_user_folder_overrides_bundled_by_name(tmp_path, monkeypatch):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "us-usps.yaml").write_text(MINIMAL.replace("origin: DE", "origin: US").replace("Test Post", "My USPS copy"))
    monkeypatch.setenv("RETURNCOST_TARIFFS", str(own))
    # a flat file is a tariff with one version; it replaces every bundled version of that name
    assert load_tariffs(today=TODAY)["us-usps"].carrier == "My USPS copy"
    assert len(load_tariffs(today=TODAY).versions("us-usps")) == 1
    assert load_tariffs([own], use_env=False, today=TODAY)["us-usps"].carrier == "My USPS copy"
    assert load_tariffs(use_env=False, today=TODAY)["us-usps"].carrier == "USPS"


def test_missing_user_folder_is_an_error(tmp_path):
    with pytest.raises(TariffError, match="tariff folder not found"):
        load_tariffs([tmp_path / "nope"], use_env=False)


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, expected",
    [
        (("    name: Packet\n", "    name: [Packet\n"), "not valid YAML"),
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
    assert main(["tariffs", "list", "--as-of", "2026-11-29"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("us-usps "))
    # in force (the date as the text writes it, formatting.day: "26 Apr 2026"), versions, services
    assert row.split()[3:8] == ["26", "Apr", "2026", "2", "9"]
    assert "ru-pochta" in out and "price lists in force on 29 Nov 2026" in out
    assert main(["tariffs", "list", "--as-of", "2025-11-01"]) == 0
    out = capsys.readouterr().out
    assert "none (oldest 1 Jan 2026)" in next(line for line in out.splitlines() if line.startswith("by-belpost"))
    assert main(["tariffs", "show", "us-usps", "--as-of", "2026-11-29"]) == 0
    shown = capsys.readouterr().out
    assert "First-Class Package International Service" in shown and "22.40" in shown
    assert "Price list in force on 29 Nov 2026: the one valid from 26 Apr 2026 (2 of 2" in shown
    assert "source notes of every version:" in shown and "SOURCES.md" in shown
    assert main(["tariffs", "show", "us-usps", "--as-of", "2025-11-01"]) == 0
    assert "19.90" in capsys.readouterr().out  # the October 2025 list
    assert main(["tariffs", "show", "us-usps", "--as-of", "2024-01-01"]) == 2
    assert capsys.readouterr().err == (
        "returncost: error: no price list of us-usps in force on 1 Jan 2024; the oldest is from 5 Oct 2025\n")
    assert main(["tariffs", "show", "nope"]) == 2
    assert "tariff 'nope' not found" in capsys.readouterr().err


def test_validate_command_checks_the_bundled_folder(capsys):
    assert main(["tariffs", "validate", str(bundled_dir())]) == 0
    out = capsys.readouterr().out
    assert "ok  us-usps/2026-04-26.yaml: USPS from US, valid from 26 Apr 2026 onward" in out
    assert "rules.yaml: 1 rule\n" in out


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
    t = bundled["gb-royal-mail"]  # as of TODAY: the list of 2026-04-07
    html = t._repr_html_()
    assert html.count("<table>") >= 3 and "19.90" in html  # International Tracked W1, 250 g
    frame = t.to_frame()
    row = frame[(frame.service == "intl_tracked") & (frame.up_to_g == 500.0)]
    assert row.base.tolist() == [25.90]
    assert "International Tracked" in str(t)
    assert "<td>7 Apr 2026</td>" in bundled._repr_html_() and bundled.to_frame().loc["us-usps", "versions"] == 2


# --- versions of one tariff --------------------------------------------------------------------


def _folder(tmp_path, name: str, versions: dict[str, str]):
    d = tmp_path / name
    d.mkdir(parents=True)
    for day, text in versions.items():
        (d / f"{day}.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return d


def _version(start: str, until: str | None = None, price: str = "5.00") -> str:
    text = MINIMAL.replace("valid_from: 2025-01-01", f"valid_from: {start}" + (f"\nvalid_until: {until}" if until else ""))
    return text.replace("prices: [5.00, 8.00, 12.00]", f"prices: [{price}, 8.00, 12.00]")


def test_a_folder_holds_dated_versions_and_the_set_answers_by_date(tmp_path):
    _folder(tmp_path / "mine", "de-post", {"2025-01-01": _version("2025-01-01", "2025-06-30"),
                                           "2025-07-01": _version("2025-07-01", price="5.50")})
    ts = load_tariffs([tmp_path / "mine"], use_env=False, today=datetime.date(2025, 8, 1))
    assert isinstance(ts, TariffSet) and ts["de-post"].version == "2025-07-01"
    assert ts.at("de-post", datetime.date(2025, 3, 1)).version == "2025-01-01"
    with pytest.raises(TariffError, match="no price list of de-post in force on 31 Dec 2024; the oldest is from 1 Jan 2025"):
        ts.at("de-post", datetime.date(2024, 12, 31))
    early = load_tariffs([tmp_path / "mine"], use_env=False, today=datetime.date(2024, 12, 31))
    assert "de-post" not in early and "de-post" in early.names()
    with pytest.raises(TariffError, match="no price list of de-post in force on 31 Dec 2024"):
        early["de-post"]


def test_overlapping_versions_are_located_and_validate_exits_2(tmp_path, capsys):
    d = _folder(tmp_path, "de-post", {"2025-01-01": _version("2025-01-01", "2025-07-15"),
                                      "2025-07-01": _version("2025-07-01")})
    assert main(["tariffs", "validate", str(d)]) == 2
    err = capsys.readouterr().err
    assert err == ("returncost: error: de-post/2025-01-01.yaml, line 5: valid_until: 2025-07-15 overlaps the next "
                   "version, de-post/2025-07-01.yaml, valid from 2025-07-01; end this version on 2025-06-30 at the "
                   "latest\n")
    assert main(["tariffs", "validate", str(d / "2025-07-01.yaml")]) == 2  # a file is checked with its siblings
    capsys.readouterr()
    with pytest.raises(TariffError, match="overlaps the next version") as info:
        load_tariffs([tmp_path], use_env=False)
    assert info.value.line == 5 and info.value.key == "valid_until"


@pytest.mark.parametrize("change, expected", [
    (("valid_from: 2025-01-01", "valid_from: 2025-01-01\nvalid_until: 2024-12-31"),
     "line 5: valid_until: 2024-12-31 is before valid_from 2025-01-01"),
    (("valid_from: 2025-01-01", "valid_from: 2025-01-02"),
     "line 4: valid_from: 2025-01-02 differs from the file name 2025-01-01.yaml"),
    (("valid_from: 2025-01-01", "valid_from: 2025-02-30"),
     "line 4: valid_from: '2025-02-30' is not a date"),
])
def test_version_dates_are_checked_with_their_line(tmp_path, capsys, change, expected):
    d = _folder(tmp_path, "de-post", {"2025-01-01": MINIMAL.replace(*change)})
    assert main(["tariffs", "validate", str(d)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("returncost: error: de-post/2025-01-01.yaml, ") and expected in err and err.count("\n") == 1


def test_a_file_and_a_folder_of_one_name_are_refused(tmp_path):
    _folder(tmp_path, "de-post", {"2025-01-01": MINIMAL})
    (tmp_path / "de-post.yaml").write_text(MINIMAL)
    with pytest.raises(TariffError, match="both de-post.yaml and a folder de-post/"):
        load_tariffs([tmp_path], use_env=False)


# --- rules -------------------------------------------------------------------------------------

RULES = """
rules:
  - id: no-registered-goods
    text: registered is for documents only since 2026-01-01
    from: 2026-01-01
    addons: [registered]
    sources:
      - {url: https://example.org/upu, kind: primary, confidence: high}
"""


def test_a_rule_applies_to_every_version_from_its_day(tmp_path):
    from calculator.rates import BY_RULE, price_route

    _folder(tmp_path, "de-post", {"2025-01-01": _version("2025-01-01")})
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(RULES).lstrip())
    ts = load_tariffs([tmp_path], use_env=False)
    rule = next(r for r in ts["de-post"].rules if r.id == "no-registered-goods")
    assert rule.since == datetime.date(2026, 1, 1) and rule.addons == ("registered",)
    mine = [v for v in ts.versions() if v.name == "de-post"]
    q = price_route(mine, "DE", "US", 500, posted_on="2025-12-31")
    keys = [o.key for o in q.offers]
    assert keys == ["de-post/packet", "de-post/packet+registered"]
    assert q.price[1, 0] == 8.50  # 5.00 + 3.50 registered, the day before
    q = price_route(mine, "DE", "US", 500, posted_on="2026-01-01")
    assert q.reason[1, 0] == BY_RULE and np.isnan(q.price[1, 0])


@pytest.mark.parametrize("change, expected", [
    (("addons: [registered]", "addons: [registred]"),
     "rules.yaml, line 5: rules 'no-registered-goods'.addons: unknown add-on 'registred'; the tariffs' add-ons are"),
    (("from: 2026-01-01", "from: 2026-02-30"), "line 4: rules[0].from: '2026-02-30' is not a date"),
    (("from: 2026-01-01", "from: soon"), "line 4: rules[0].from: expected a date like 2025-10-05, got 'soon'"),
    (("    addons: [registered]\n", ""), "line 2: rules[0]: a rule needs 'addons' or 'services' to apply to"),
])
def test_bad_rule_entries_are_located_and_exit_2(tmp_path, capsys, change, expected):
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(RULES).lstrip().replace(*change))
    _folder(tmp_path, "de-post", {"2025-01-01": MINIMAL})
    code = main(["quote", "--from", "DE", "--to", "US", "--weight", "300g", "--tariffs", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and expected in err, err


def test_bundled_rule_has_its_sources():
    rule, = load_rules(bundled_dir() / "rules.yaml")
    assert rule.since == datetime.date(2026, 1, 1) and "registered" in rule.addons
    assert "it-poste-italiane/raccomandata_intl" in rule.services
    titles = " ".join(s.title for s in rule.sources)
    assert "Neuerungen ab 01.2026" in titles and "MC2026-21" in titles and "CF-71/21/2025-CF-DOP" in titles


# --- hostile files in a tariff folder (issue 14, items 7-9) ---------------------------------------


def _cli(*args: str, timeout: float = 20) -> tuple[int, str, float]:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "calculator", *args], capture_output=True, text=True, timeout=timeout)
    return out.returncode, out.stderr, time.perf_counter() - t0


BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))


def test_alias_bomb_in_a_tariff_folder_is_one_line_and_fast(tmp_path):
    (tmp_path / "bomb.yaml").write_text(BOMB)
    code, err, took = _cli("tariffs", "list", "--tariffs", str(tmp_path))
    assert code == 2 and took < 5
    assert err == "returncost: error: bomb.yaml, line 1: a: an anchor (&a) is not allowed in data files; write the value out\n"


def test_python_tags_are_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    text = MINIMAL.replace("carrier: Test Post", f"carrier: !!python/object/apply:os.system ['touch {marker}']")
    (tmp_path / "evil.yaml").write_text(textwrap.dedent(text).lstrip())
    code, err, _ = _cli("tariffs", "validate", str(tmp_path / "evil.yaml"))
    assert code == 2 and "evil.yaml, line 1: carrier: the tag !!python/object/apply:os.system is not allowed" in err
    assert not marker.exists()


def test_a_pipe_a_device_link_and_a_link_loop_are_refused_without_hanging(tmp_path):
    fifo = tmp_path / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / "x.yaml")
    code, err, took = _cli("quote", "--from", "US", "--weight", "1", "--tariffs", str(fifo), timeout=10)
    assert code == 2 and took < 5 and "x.yaml: cannot read the tariff file: a named pipe, not a regular file" in err
    zero = tmp_path / "zero"
    zero.mkdir()
    (zero / "z.yaml").symlink_to("/dev/zero")
    code, err, _ = _cli("tariffs", "list", "--tariffs", str(zero), timeout=10)
    assert code == 2 and "a character device, not a regular file" in err and err.count("\n") == 1
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "a.yaml").symlink_to(loop / "b.yaml")
    (loop / "b.yaml").symlink_to(loop / "a.yaml")
    code, err, _ = _cli("tariffs", "list", "--tariffs", str(loop), timeout=10)
    assert code == 2 and "a loop of symbolic links" in err and "Traceback" not in err


def test_a_huge_tariff_is_refused_by_size(tmp_path):
    with open(tmp_path / "big.yaml", "wb") as f:
        f.truncate(6 * 2**20)
    code, err, took = _cli("tariffs", "list", "--tariffs", str(tmp_path))
    assert code == 2 and took < 5 and "over the 5 MB limit for data files" in err


# --- staleness where it matters: the commands that use a price list say so ------------------------


def test_quote_map_and_thresholds_warn_about_the_version_they_used(capsys):
    # La Poste's only list is the 2017 guide (valid to 2017-12-31); USPS's 2026 list is current.
    assert main(["quote", "--from", "FR", "--weight", "300g", "--as-of", "2026-11-29"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("Warning: fr-la-poste: the price list of 1 Jan 2017 was valid until 31 Dec 2017; "
                                 "prices on 29 Nov 2026 may be higher")
    assert main(["quote", "--from", "US", "--weight", "300g", "--as-of", "2026-11-29"]) == 0
    assert "Warning" not in capsys.readouterr().out
    assert main(["thresholds", "--from", "DE", "--reason", "damaged", "--as-of", "2026-11-29"]) == 0
    assert ("Warning: de-deutsche-post: the price list is from 5 Jan 2021, more than a year before 29 Nov 2026"
            in capsys.readouterr().out)
    assert main(["map", "--from", "FR", "--price", "5..100", "--weight", "50..2000g", "--steps", "4",
                 "--reason", "damaged", "--as-of", "2026-11-29", "--format", "json"]) == 0
    captured = capsys.readouterr()
    json_text, err = captured.out, captured.err
    assert err == ("returncost: warning: fr-la-poste: the price list of 1 Jan 2017 was valid until 31 Dec 2017; "
                   "prices on 29 Nov 2026 may be higher\n") and json_text.startswith("{")
    assert main(["map", "--from", "GB", "--price", "5..100", "--weight", "50..2000g", "--steps", "4",
                 "--reason", "damaged", "--as-of", "2026-11-29"]) == 0
    assert "Warning" not in capsys.readouterr().out


def test_loading_does_not_warn_about_tariffs_a_command_does_not_use(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_tariffs(use_env=False, today=datetime.date(2026, 11, 29))  # fr-la-poste is from 2017
    assert main(["quote", "--from", "GB", "--weight", "300g", "--as-of", "2026-11-29"]) == 0
    assert "fr-la-poste" not in capsys.readouterr().out
