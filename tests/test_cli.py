"""The command line as a whole, in-process: one generator of input flags shared by every command,
the route flags and their aliases, and ``--lang``."""

from __future__ import annotations

import argparse
import gettext
import json
import subprocess
import sys
from pathlib import Path

import pytest

from calculator import i18n
from calculator.cli import build_parser, given_language, main
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
    out: dict[str, argparse.Action] = {}
    for a in command(name)._actions:  # the first flag of a dest (--mall, not --no-mall)
        if a.dest in names:
            out.setdefault(a.dest, a)
    return out


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
                  "--hassle-hours HOURS", "--disputes-won-in-a-row N", "--mall [yes|no]", "--no-mall"):
        assert shown in text, shown
    assert "RESALE" not in text and "{damaged" not in text


def test_help_gives_unit_valid_range_and_default():
    a = input_actions("estimate")
    assert a["partial_refund"].help == ("partial refund to ask for if you keep the item [fraction of price; 0 to 1]; "
                                        "default: 0.5")
    assert a["price"].help == "refundable amount paid for the item [order currency; more than 0 to 1,000,000,000]"
    assert a["win_probability"].help.endswith("[0 to 1]; default: by reason")  # the unit "0..1" is the range
    assert a["mall"].help.endswith("[yes/no]; default: no") and a["mall"].const == "yes"  # --mall alone: yes
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
                                                                       "--lang", "xx"],
                                  ["--lang=xx", "tariffs", "list"],
                                  ["tariffs", "list", "--lang", "ru", "--lang", "xx"]])
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
# --lang reaches every text: a pseudo-translation (every message of the catalog wrapped in « »)
# shows which lines went through the catalog, until the Russian catalog is filled in


class Wrapped:
    """A stand-in for the Russian catalog: each message wrapped in « »."""

    def gettext(self, message: str) -> str:
        return f"«{message}»"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"«{singular if n == 1 else plural}»"


@pytest.fixture
def pseudo(monkeypatch, environment):
    """Russian as the pseudo-translation, English as it is; no language in the environment."""
    monkeypatch.setattr(i18n, "_translations", lambda lang: Wrapped() if lang == "ru" else gettext.NullTranslations())


ORDER = ["--price", "18000", "--currency", "RUB", "--from", "RU", "--postage", "1450", "--reason", "damaged", *AS_OF]


def _orders(tmp_path: Path) -> Path:
    src = tmp_path / "orders.csv"
    src.write_text("price,postage\n18000,1450\n300,1450\n", encoding="utf-8")
    return src


#: Each command of the brief with the lines it prints that are not texts: the data of a tariff (its
#: footnotes, quoted from the tariff files, start with "[n]").
COMMANDS = {
    "estimate": ["estimate", *ORDER],
    "quote": ["quote", "--from", "GB", "--to", "CN", "--weight", "300g", "--dims", "20x15x5cm", "--currency", "EUR",
              "--as-of", "2026-11-29"],
    "tariffs list": ["tariffs", "list", "--as-of", "2025-11-01"],  # one tariff with no list in force, one expired
    "sensitivity": ["sensitivity", *ORDER, "--seed", "1", "--draws", "500", "--sweep", "partial_refund"],
    "thresholds": ["thresholds", "--from", "US", "--reason", "damaged", *AS_OF],
}


@pytest.mark.parametrize("how", ["--lang", "LANG"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_line_a_command_prints_goes_through_the_catalog(capsys, pseudo, environment, name, how):
    argv = COMMANDS[name]
    if how == "--lang":
        argv = ["--lang", "ru", *argv]
    else:
        environment("LANG", "ru_RU.UTF-8")
    code, out, err = run(capsys, *argv)
    assert code == 0 and err == ""
    lines = [line for line in out.splitlines() if line.strip() and not line.startswith("[")]
    assert lines and all("«" in line for line in lines), [line for line in lines if "«" not in line]


def test_the_lines_of_a_batch_go_through_the_catalog(capsys, pseudo, tmp_path):
    src = _orders(tmp_path)
    code, out, err = run(capsys, "--lang", "ru", "batch", str(src), "-o", str(tmp_path / "d.csv"), "--from", "RU",
                         "--currency", "RUB", "--reason", "damaged", *AS_OF, "--strict")
    assert code == 0 and out == ""
    lines = err.splitlines()
    # the command's own line; the summary's lines under it are calculator.batch's (BatchSummary.text)
    assert lines[0].startswith(f"returncost batch: «{src} → {tmp_path / 'd.csv'}: 2 rows in ")
    assert lines[0].endswith(" rows/s)»")
    src.write_text("price,postage\n18000,1450\n-5,1450\n", encoding="utf-8")
    code, _, err = run(capsys, "--lang", "ru", "batch", str(src), "-o", str(tmp_path / "d.csv"), "--from", "RU",
                       "--currency", "RUB", "--reason", "damaged", *AS_OF, "--strict", "-q")
    # the prefix stays English (scripts look for it), the words after it are translated
    assert code == 2 and err == ("returncost: error: «1 row has a problem (--strict); see the 'problem' column of "
                                 "the output»\n")


def test_english_is_unchanged_by_the_pseudo_translation(capsys, pseudo, tmp_path):
    for argv in COMMANDS.values():
        code, out, err = run(capsys, *argv)
        assert code == 0 and "«" not in out + err


@pytest.mark.parametrize("argv", [
    ["tariffs", "list", "--format", "json"], ["tariffs", "list", "--format", "csv"],
    ["sensitivity", *ORDER, "--seed", "1", "--draws", "300", "--format", "json"],
    ["sensitivity", *ORDER, "--seed", "1", "--draws", "300", "--format", "csv"],
    ["thresholds", "--from", "US", "--reason", "damaged", *AS_OF, "--format", "csv"],
    ["map", "--from", "US", "--price", "5..500", "--weight", "50..2000g", "--steps", "4", "--reason", "damaged",
     *AS_OF, "--format", "json"],
])
def test_machine_outputs_do_not_change_with_the_language(capsys, pseudo, argv):
    english = run(capsys, *argv)
    russian = run(capsys, "--lang", "ru", *argv)
    assert english == russian and english[0] == 0


def test_a_quote_for_machines_changes_only_its_reasons(capsys, pseudo):
    # the `reason` cell is a text for a person (why an offer is not eligible): in the language; the rest is data
    import csv
    import io

    argv = ["quote", "--from", "US", "--weight", "1900g", "--dims", "65x20x10", "--as-of", "2026-11-29", "--format",
            "csv"]
    english, russian = (list(csv.DictReader(io.StringIO(run(capsys, *lang, *argv)[1])))
                        for lang in ([], ["--lang", "ru"]))
    assert [r.pop("reason") for r in russian] != [r.pop("reason") for r in english]
    assert english == russian and len(english) > 3


def test_a_batch_writes_the_same_decisions_in_every_language(capsys, pseudo, tmp_path):
    src = _orders(tmp_path)
    for lang in ("en", "ru"):
        assert main(["--lang", lang, "batch", str(src), "-o", str(tmp_path / f"{lang}.csv"), "--from", "RU",
                     "--currency", "RUB", "--reason", "damaged", *AS_OF, "-q"]) == 0
    assert (tmp_path / "en.csv").read_bytes() == (tmp_path / "ru.csv").read_bytes()


@pytest.mark.parametrize("argv, env", [
    (["--lang", "ru", "estimate", "--help"], {}),
    (["estimate", "--help", "--lang", "ru"], {}),  # --help before --lang: still the language asked for
    (["estimate", "--lang=ru", "--help"], {}),
    (["--lan", "ru", "estimate", "--help"], {}),  # an abbreviation argparse takes
    (["estimate", "--help"], {"RETURNCOST_LANG": "ru"}),
    (["estimate", "--help"], {"LANG": "ru_RU.UTF-8"}),
    (["--lang", "en", "estimate", "--help", "--lang", "ru"], {"LANG": "en_GB.UTF-8"}),  # the last --lang
])
def test_help_is_in_the_language_asked_for(capsys, pseudo, environment, argv, env):
    for name, value in env.items():
        environment(name, value)
    with pytest.raises(SystemExit) as info:
        main(argv)
    out = capsys.readouterr().out
    assert info.value.code == 0
    assert "«Decide one order:" in out and "«refundable amount paid for the item»" in out
    # the numbers in it as Russian writes them (CLDR), whatever the catalog says
    assert "1\u00a0000\u00a0000\u00a0000" in out and "«default: {default}»" not in out
    assert "usage: returncost estimate" in out and "show this help message and exit" in out  # argparse's: English


def test_every_help_text_of_every_command_goes_through_the_catalog(pseudo):
    with i18n.language("ru"):
        parser = build_parser()
    parsers = [parser]
    while parsers:
        p = parsers.pop()
        assert p.description is None or p.description.startswith("«"), p.prog
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                parsers += a.choices.values()
                assert all("«" in c.help for c in a._choices_actions), p.prog
            elif a.help not in (None, argparse.SUPPRESS) and a.dest not in ("help", "version"):
                assert "«" in a.help, (p.prog, a.dest, a.help)
        for g in p._action_groups[2:]:  # groups of the commands' own ("the order"): their titles
            assert g.title.startswith("«"), (p.prog, g.title)
        assert p.epilog is None or p.epilog.startswith("«"), p.prog


def test_help_without_a_language_or_with_a_malformed_locale_is_english(capsys, pseudo, environment):
    for env in ({}, {"LANG": "ru_RU.UTF-8@@!!"}, {"LC_ALL": "\x1b[31m"}):
        for name, value in env.items():
            environment(name, value)
        with pytest.raises(SystemExit) as info:
            main(["estimate", "--help"])
        out, err = capsys.readouterr()
        assert (info.value.code, err) == (0, "")
        assert "Decide one order:" in out and "«" not in out and "1,000,000,000" in out


def test_a_malformed_locale_means_english_texts(capsys, pseudo, environment):
    environment("LANG", "ru..")
    code, out, err = run(capsys, *COMMANDS["estimate"])
    assert (code, err) == (0, "") and "«" not in out and "Recommendation:" in out


def test_the_installed_command_speaks_the_language_of_lang(tmp_path):
    # `returncost --lang ru estimate --help` as a user types it: the help is built in Russian (until the
    # catalog is translated, the numbers show it: 1 000 000 000 with no-break spaces, 0,5)
    exe = Path(sys.executable).with_name("returncost")
    res = subprocess.run([str(exe), "--lang", "ru", "estimate", "--help"], capture_output=True, text=True,
                         cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert res.returncode == 0 and res.stderr == ""
    assert "1\u00a0000\u00a0000\u00a0000" in res.stdout and "0,5" in res.stdout


def test_usage_errors_stay_as_argparse_words_them(capsys, pseudo):
    with pytest.raises(SystemExit) as info:
        main(["--lang", "ru", "estimate", "--price", "10"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "«" not in err
    assert err == ("returncost: error: the following arguments are required: --origin/--from; "
                   "see `returncost estimate --help`\n")


def test_errors_of_the_command_line_are_translated_after_the_english_prefix(capsys, pseudo):
    code, out, err = run(capsys, "--lang", "ru", "sensitivity", *ORDER, "--draws", "0")
    assert (code, out) == (2, "")
    assert err == "returncost: error: «--draws: 0 must be 1 or more»\n"
    code, _, err = run(capsys, "--lang", "ru", "tariffs", "list", "--as-of", "26.11.2026")
    assert (code, err) == (2, "returncost: error: «--as-of: '26.11.2026' is not a date; write YYYY-MM-DD»\n")


def test_an_interruption_and_a_missing_file_are_said_in_the_language(capsys, pseudo, monkeypatch):
    from calculator import tariffs

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(tariffs, "load_tariffs", interrupted)
    assert run(capsys, "--lang", "ru", "tariffs", "list") == (130, "", "returncost: «interrupted»\n")
    assert run(capsys, "tariffs", "list") == (130, "", "returncost: interrupted\n")

    def missing(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", "prices.yaml")

    monkeypatch.setattr(tariffs, "load_tariffs", missing)
    assert run(capsys, "--lang", "ru", "tariffs", "list") == (
        2, "", "returncost: error: «prices.yaml: No such file or directory; check the path»\n")


@pytest.mark.parametrize("argv, expected", [
    (["--lang", "ru", "estimate"], "ru"),
    (["estimate", "--lang=ru_RU.UTF-8"], "ru"),
    (["--la", "ru", "tariffs", "list"], "ru"),
    (["--lang", "ru", "estimate", "--lang", "en"], "en"),  # the last one, as argparse reads it
    (["--lang", "xx", "estimate"], None),  # the parser says what is wrong
    (["estimate", "--lang"], None),  # no value: argparse says so
    (["batch", "--", "--lang", "ru"], None),  # after --, a file name
    (["estimate", "--language-of-nothing", "ru"], None),
    (["estimate"], None),
])
def test_given_language_looks_ahead_for_lang(argv, expected):
    assert given_language(argv) == expected


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
