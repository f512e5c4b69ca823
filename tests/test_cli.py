"""The command line as a whole, in-process: one generator of input flags shared by every command,
the route flags and their aliases, and ``--lang``."""

from __future__ import annotations

import argparse
import json

import pytest

from calculator import i18n
from calculator.cli import build_parser, main
from calculator.inputs import FIELDS

AS_OF = ["--as-of", "2026-11-26"]
PHONE = ["--price", "18000", "--currency", "RUB", "--postage", "1450", "--reason", "damaged"]
LOCALE_VARS = ("RETURNCOST_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([*argv])
    out, err = capsys.readouterr()
    return code, out, err


def command(name: str) -> argparse.ArgumentParser:
    return build_parser()._subparsers._group_actions[0].choices[name]


def input_actions(name: str) -> dict[str, argparse.Action]:
    """The flags of a command that carry an input of FIELDS (``dims`` for the three sides)."""
    names = {f.name for f in FIELDS} | {"dims"}
    return {a.dest: a for a in command(name)._actions if a.dest in names}


# --------------------------------------------------------------------------------------------
# one generator of input flags


@pytest.mark.parametrize("name", ["sensitivity", "thresholds", "batch"])
def test_every_command_declares_the_inputs_as_estimate_does(name):
    estimate = input_actions("estimate")
    other = input_actions(name)
    assert set(other) == set(estimate) == ({f.name for f in FIELDS} - {"length_cm", "width_cm", "height_cm"}) | {"dims"}
    for dest, a in estimate.items():
        b = other[dest]
        shown = (a.option_strings, a.metavar, a.help, a.choices)
        assert (b.option_strings, b.metavar, b.help, b.choices) == shown, dest


def test_quote_declares_the_parcel_as_estimate_does():
    estimate, quote = input_actions("estimate"), input_actions("quote")
    assert set(quote) == {"origin", "destination", "weight_g", "dims", "zone"}  # its --currency converts
    for dest in ("origin", "destination", "weight_g", "dims", "zone"):
        assert (quote[dest].option_strings, quote[dest].help) == (estimate[dest].option_strings, estimate[dest].help)
    assert quote["weight_g"].required and not estimate["weight_g"].required


@pytest.mark.parametrize("name", ["estimate", "batch"])
def test_metavars_say_the_kind_of_value(name):
    text = command(name).format_help()
    for shown in ("--resale-fee FRACTION", "--price AMOUNT", "--received-on YYYY-MM-DD", "--currency CUR",
                  "--origin CC, --from CC", "--weight WEIGHT, --weight-g WEIGHT", "--dims LxWxH", "--reason CODE",
                  "--hassle-hours HOURS", "--disputes-won-in-a-row N", "--mall, --no-mall"):
        assert shown in text, shown
    assert "RESALE" not in text and "{damaged" not in text


def test_help_gives_unit_valid_range_and_default():
    a = input_actions("estimate")
    assert a["partial_refund"].help == ("partial refund to ask for if you keep the item [fraction of price; 0 to 1]; "
                                        "default: 0.5")
    assert a["price"].help == "refundable amount paid for the item [order currency; more than 0 to 1,000,000,000]"
    assert a["win_probability"].help.endswith("[0 to 1]; default: by reason")  # the unit "0..1" is the range
    assert a["mall"].help.endswith("[yes/no]; default: no")
    assert a["destination"].help.endswith("[ISO 3166-1]; default: CN")
    assert a["marketplace"].help.endswith("(aliexpress, temu, ebay) [profile]; default: aliexpress")
    assert a["reason"].help.endswith("[code]; required: the answer depends on it")
    assert a["received_on"].help == "date the item was received; default: today"


def test_map_takes_ranges_of_price_and_weight():
    a = input_actions("map")
    assert a["price"].metavar == a["weight_g"].metavar == "LOW..HIGH"
    assert "a range, e.g. 5..500" in a["price"].help and "a range, e.g. 50..2000g" in a["weight_g"].help
    assert a["partial_refund"].help == input_actions("estimate")["partial_refund"].help


def test_a_choice_is_read_without_regard_to_case_by_estimate_and_batch(capsys, tmp_path):
    code, out, _ = run(capsys, "estimate", *PHONE, "--from", "RU", "--reason", "DAMAGED", *AS_OF, "--format", "json")
    assert code == 0 and json.loads(out)["inputs"]["reason"] == "damaged"
    src = tmp_path / "o.csv"
    src.write_text("price,postage\n18000,1450\n", encoding="utf-8")
    dest = tmp_path / "d.csv"
    assert main(["batch", str(src), "-o", str(dest), "--from", "RU", "--currency", "RUB", "--reason", "Damaged",
                 *AS_OF, "-q"]) == 0
    assert "14190" in dest.read_text(encoding="utf-8")  # 0.84 · (18000 − 1450) + 0.16 · 1800


def test_batch_takes_no_as_well_as_yes_for_a_missing_yes_no_column(capsys, tmp_path):
    import csv

    src = tmp_path / "o.csv"
    src.write_text("price,weight_g,marketplace,purchased_on\n20,120,temu,2026-11-20\n", encoding="utf-8")
    used = {}
    for flag in ((), ("--free-return",), ("--no-free-return",)):
        dest = tmp_path / f"d{len(used)}.csv"
        assert main(["batch", str(src), "-o", str(dest), "--from", "US", "--currency", "USD", "--reason", "damaged",
                     *flag, *AS_OF, "-q"]) == 0
        with open(dest, encoding="utf-8") as fh:
            used[flag] = next(csv.DictReader(fh))["free_return_used"]
    # Temu's first return is free by default; --no-free-return says this one is not
    assert used == {(): "yes", ("--free-return",): "yes", ("--no-free-return",): "no"}


# --------------------------------------------------------------------------------------------
# --origin/--destination, with --from/--to as aliases


def test_origin_and_from_are_the_same_flag(capsys):
    outs = []
    for route in (["--from", "RU", "--to", "CN"], ["--origin", "RU", "--destination", "CN"], ["--origin", "RU"]):
        code, out, _ = run(capsys, "estimate", *PHONE, *route, *AS_OF)
        assert code == 0
        outs.append(out)
    assert outs[0] == outs[1] == outs[2]
    no_postage = ["--price", "18000", "--currency", "RUB", "--weight", "450g", "--reason", "damaged"]
    assert "postage RU → CN" in run(capsys, "estimate", *no_postage, "--origin", "RU", *AS_OF)[2]


@pytest.mark.parametrize("flag", ["--from", "--origin", "--to", "--destination"])
def test_a_wrong_country_is_named_by_the_flag_typed(capsys, flag):
    route = ["--from", "RU"] if flag in ("--to", "--destination") else []
    code, _, err = run(capsys, "estimate", *PHONE, *route, flag, "XX", *AS_OF)
    assert code == 2 and err.startswith(f"returncost: error: {flag}: 'XX' is not an ISO 3166-1")


def test_weight_errors_name_the_flag_typed(capsys):
    for flag in ("--weight", "--weight-g"):
        code, _, err = run(capsys, "quote", "--from", "US", flag, "12zz")
        assert code == 2 and err.startswith(f"returncost: error: {flag}: unknown weight unit 'zz'")


def test_quote_and_batch_take_the_route_by_either_name(capsys, tmp_path):
    a = run(capsys, "quote", "--from", "GB", "--to", "CN", "--weight", "300g", "--as-of", "2025-11-01")
    b = run(capsys, "quote", "--origin", "GB", "--destination", "CN", "--weight", "300g", "--as-of", "2025-11-01")
    assert a == b and a[0] == 0
    src = tmp_path / "o.csv"
    src.write_text("price,postage\n18000,1450\n", encoding="utf-8")
    for route in (["--from", "RU"], ["--origin", "RU"]):
        dest = tmp_path / f"{route[0]}.csv"
        assert main(["batch", str(src), "-o", str(dest), *route, "--currency", "RUB", "--reason", "damaged",
                     *AS_OF, "-q"]) == 0
    assert (tmp_path / "--from.csv").read_bytes() == (tmp_path / "--origin.csv").read_bytes()


# --------------------------------------------------------------------------------------------
# --lang


@pytest.fixture
def environment(monkeypatch):
    """No language in the environment; returns a setter."""
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch.setenv


@pytest.fixture
def language_seen(monkeypatch):
    """The language in force while a command works: recorded when it loads the tariffs."""
    from calculator import tariffs

    seen: list[str] = []
    load = tariffs.load_tariffs

    def recording(*args, **kwargs):
        seen.append(i18n.get_language())
        return load(*args, **kwargs)

    monkeypatch.setattr(tariffs, "load_tariffs", recording)
    return seen


@pytest.mark.parametrize("argv", [["--lang", "ru", "tariffs", "list"], ["tariffs", "list", "--lang", "ru"],
                                  ["--lang=ru", "tariffs", "list"],
                                  ["--lang", "en", "tariffs", "list", "--lang", "ru"]])  # the last one given
def test_lang_before_or_after_the_command(capsys, environment, language_seen, argv):
    assert run(capsys, *argv)[0] == 0
    assert language_seen == ["ru"]
    assert i18n.get_language() == "en"  # the choice ends with the run


@pytest.mark.parametrize("env, expected", [
    ({}, "en"),
    ({"RETURNCOST_LANG": "ru"}, "ru"),
    ({"LANG": "ru_RU.UTF-8"}, "ru"),
    ({"LC_ALL": "ru_RU.UTF-8", "LANG": "en_GB.UTF-8"}, "ru"),
    ({"RETURNCOST_LANG": "en", "LANG": "ru_RU.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),  # a language the tool does not speak
])
def test_without_lang_the_environment_chooses(capsys, environment, language_seen, env, expected):
    for name, value in env.items():
        environment(name, value)
    code, _, err = run(capsys, "tariffs", "list")
    assert (code, err, language_seen) == (0, "", [expected])


def test_lang_wins_over_the_environment(capsys, environment, language_seen):
    environment("RETURNCOST_LANG", "ru")
    environment("LANG", "ru_RU.UTF-8")
    assert run(capsys, "--lang", "en", "tariffs", "list")[0] == 0
    assert language_seen == ["en"]


@pytest.mark.parametrize("value", ["ru_RU.UTF-8@@!!", "\x1b[31m", "ru..", "42"])
def test_a_malformed_locale_means_english_without_an_error(capsys, environment, language_seen, value):
    environment("LANG", value)
    code, out, err = run(capsys, "tariffs", "list")
    assert (code, err, language_seen) == (0, "", ["en"])
    assert "us-usps" in out


@pytest.mark.parametrize("argv", [["--lang", "xx", "tariffs", "list"], ["estimate", *PHONE, "--from", "RU",
                                                                       "--lang", "xx"]])
def test_an_unknown_language_is_one_line_listing_the_languages(capsys, environment, language_seen, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and language_seen == []
    assert err == ("returncost: error: --lang: 'xx' is not a language of this tool; choose en (English), "
                   "ru (русский)\n")


def test_lang_help_lists_the_languages_and_the_fallbacks():
    for parser in (build_parser(), command("estimate"), command("batch")):
        text = " ".join(parser.format_help().split())
        assert ("--lang LANG language of the texts: en (English), ru (русский); default: $RETURNCOST_LANG, "
                "else the locale ($LC_ALL, $LC_MESSAGES, $LANG), else English") in text


# --------------------------------------------------------------------------------------------
# tariffs validate, through the public names of the tariff modules


def test_validate_counts_the_price_bands_of_each_version(capsys, write_tariff):
    from conftest import MINIMAL

    path = write_tariff(MINIMAL)
    code, out, _ = run(capsys, "tariffs", "validate", str(path))
    # one service, two zones of three weight bands each; the date as the text writes it (formatting.day)
    assert code == 0
    assert out == "ok  test-post.yaml: Test Post from DE, valid from 1 Jan 2025 onward, 1 service, 6 price bands\n"


def test_validate_a_folder_of_tariffs_reports_each_and_goes_on_after_an_error(capsys, tmp_path, write_tariff):
    from conftest import MINIMAL

    write_tariff(MINIMAL)
    write_tariff(MINIMAL.replace("prices: [5.00, 8.00, 12.00]", "prices: [5.00, 8.00]"), name="broken-post")
    code, out, err = run(capsys, "tariffs", "validate", str(tmp_path))
    assert code == 2
    assert out.startswith("ok  test-post.yaml: Test Post from DE")
    assert err.startswith("returncost: error: broken-post.yaml, line ") and err.count("\n") == 1
