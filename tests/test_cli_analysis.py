"""``returncost sensitivity``, ``map``, ``thresholds`` and ``estimate --chart/--charts``, in-process."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from calculator.cli import main
from calculator.cli.analysis import parse_range
from calculator.errors import InputError
from calculator.model import OPTION_LABELS, OPTIONS, ModelInputs, evaluate

AS_OF = ["--as-of", "2026-11-26"]
PHONE = ["--price", "18000", "--currency", "RUB", "--from", "RU", "--postage", "1450", "--reason", "damaged"]
PNG = b"\x89PNG\r\n\x1a\n"
# RU → CN has no tariff: the guide's counter quote, 1,450 RUB, for every weight
RU_CN = ["--from", "RU", "--to", "CN", "--postage", "1450", "--currency", "RUB", "--reason", "damaged"]


def phone_break_even(postage: float = 1450.0) -> float:
    """The model's break-even price of the damaged phone (RUB) at a postage: w = q = 0.84, u = 0,
    r = 0.10, f = 0.5, min_resale = 10 EUR = 920.94 RUB. Below 9,209.40 RUB a sale is not worth it and
    the best alternative is partial_keep = 0.42·P, so returning pays above 0.84·1450/0.42 = 2,900."""
    e = evaluate(ModelInputs(price=18000, postage=postage, win_probability=0.84, partial_probability=0.84,
                             use_value=0.0, resale_value=0.10, min_resale=920.94))
    return float(e.break_even_price)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([*argv])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------------------------
# sensitivity


def test_sensitivity_text_summarises_every_view(capsys):
    code, out, err = run(capsys, "sensitivity", *PHONE, *AS_OF, "--seed", "1", "--draws", "5000")
    assert code == 0 and err == ""
    # the Monte Carlo's own text, then how to repeat it: a line of the command's, not a patch of the text
    assert "Monte Carlo: 5,000 draws (seed 1) of " in out
    assert "Returning loses money in 0% of draws.\nTo draw the same numbers again, add --seed 1.\n" in out
    assert "best in" in out and all(OPTION_LABELS[o] in out for o in OPTIONS)
    # EV_return 14190 − EV_partial_resell 9360 (tests/test_sensitivity.py has the arithmetic); the option in
    # words and the money as formatting.money writes it (CLDR's English: "RUB" and a no-break space)
    assert (f"Single estimate: {OPTION_LABELS['return']}; the advantage of returning is RUB\u00a04,830.00.\n"
            in out)
    assert f"The single estimate's answer, {OPTION_LABELS['return']}, is best in 9" in out  # 99.2% with seed 1
    assert "What moves the advantage of returning" in out
    # the widest swing: f from 0.2 to 0.7 moves partial_resell by 0.84·0.5·18000 = 7,560; no input
    # alone changes the answer (the smallest advantage at any end is 1,806 RUB)
    assert "partial refund" in out and "swing RUB\u00a07,560.00" in out and "flips" not in out
    assert "Sobol indices of the return advantage" in out
    assert "Sweep of item price [RUB]" in out
    assert "at 2,900: partial refund, keep the item → return it (dispute + post back)" in out


def test_sensitivity_same_seed_same_output(capsys):
    args = ["sensitivity", *PHONE, *AS_OF, "--seed", "42", "--draws", "2000", "--format", "json"]
    _, a, _ = run(capsys, *args)
    _, b, _ = run(capsys, *args)
    assert a == b
    d = json.loads(a)
    assert d["monte_carlo"]["seed"] == 42
    assert sum(r["p_best"] for r in d["monte_carlo"]["options"]) == pytest.approx(1.0, abs=1e-3)
    assert d["tornado"]["bars"][0]["input"] == "partial_refund"
    assert {r["input"] for r in d["sobol"]["indices"]} == {"win_probability", "partial_probability", "partial_refund",
                                                          "use_value", "resale_value"}
    assert d["sweep"]["break_even"][0] == {"value": pytest.approx(2900), "from": "partial_keep", "to": "return"}


def test_sensitivity_json_is_strict_json(capsys):
    # JSON has no NaN: an option closed in some draws (the phone's sale is worth it only when
    # r ≥ 920.94/18000) is summarised over the draws where it is open, and one closed in every draw is null
    _, out, _ = run(capsys, "sensitivity", *PHONE, *AS_OF, "--seed", "42", "--draws", "2000", "--format", "json")

    def refuse(token):
        raise ValueError(f"not JSON: {token}")

    d = json.loads(out, parse_constant=refuse)
    assert {r["option"] for r in d["monte_carlo"]["options"]} == set(OPTIONS)


def test_sensitivity_distributions_from_flags(capsys):
    code, out, _ = run(capsys, "sensitivity", *PHONE, *AS_OF, "--seed", "1", "--draws", "1000",
                       "--partial-refund", "tri:0.3,0.5,0.7", "--resale-value", "tri:10%,30%,50%",
                       "--win-probability", "0.8", "--format", "json")
    d = json.loads(out)
    dist = d["monte_carlo"]["distributions"]
    assert dist["partial_refund"] == "tri(0.3, 0.5, 0.7)" and dist["resale_value"] == "tri(0.1, 0.3, 0.5)"
    assert "win_probability" not in dist  # given as a number: known
    assert "use_value" in dist  # left out: default distribution


def test_sensitivity_no_defaults_and_csv(capsys):
    code, out, _ = run(capsys, "sensitivity", *PHONE, *AS_OF, "--seed", "1", "--draws", "100", "--no-defaults",
                       "--partial-refund", "uni:0.2,0.7", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["option"] for r in rows][0] == "return"
    assert set(rows[0]) == {"option", "p_best", "ev_mean", "ev_p5", "ev_p50", "ev_p95"}


def test_sensitivity_sweep_option_and_chart(capsys, tmp_path):
    path = tmp_path / "s.svg"
    code, out, _ = run(capsys, "sensitivity", "--price", "250", "--from", "US", "--weight", "300g",
                       "--reason", "damaged", *AS_OF, "--seed", "2", "--draws", "1000",
                       "--sweep", "weight=50..2000g", "--chart", str(path))
    assert code == 0
    assert "Sweep of parcel weight [g] over 50 … 2,000" in out
    assert path.read_text().lstrip().startswith("<?xml") and "<svg" in path.read_text()[:500]
    assert f"Chart saved: {path}" in out


@pytest.mark.parametrize(
    "flags, fragment",
    [
        (["--partial-refund", "tria:0.3,0.5,0.7"], "--partial-refund: 'tria:0.3,0.5,0.7': unknown distribution"),
        (["--resale-value", "tri:0.1,0.3"], "--resale-value: 'tri:0.1,0.3': tri takes 3 numbers, got 2"),
        (["--win-probability", "uni:0.5,1.3"], "outside the valid range 0 to 1"),
        (["--sweep", "colour"], "--sweep: 'colour' is not an input"),
        (["--draws", "0"], "--draws: 0 must be 1 or more"),
        (["--chart", "out.jpg"], "--chart: 'out.jpg' has no chart format suffix"),
    ],
)
def test_sensitivity_user_mistakes_are_one_line(capsys, flags, fragment):
    code, out, err = run(capsys, "sensitivity", *PHONE, *AS_OF, "--draws", "10", *flags)
    assert code == 2 and out == ""
    assert err.startswith("returncost: error: ") and err.count("\n") == 1
    assert fragment in err
    if "distribution" in fragment or "takes 3" in fragment or "valid range" in fragment:
        assert "tri:MIN,LIKELY,MAX" in err  # the accepted forms


# --------------------------------------------------------------------------------------------
# map


def test_map_text_and_chart(capsys, tmp_path):
    path = tmp_path / "map.png"
    code, out, err = run(capsys, "map", "--from", "US", "--to", "CN", "--price", "5..500", "--weight", "50..2000g",
                         "--reason", "damaged", *AS_OF, "--chart", str(path))
    assert code == 0 and err == ""
    assert out.startswith("Best option for 200 weights × 200 prices, US → CN")
    assert "returning pays above" in out
    assert path.read_bytes()[:8] == PNG and path.stat().st_size < 300_000


def test_map_csv_has_one_row_per_cell(capsys):
    code, out, _ = run(capsys, "map", "--from", "US", "--price", "10..300", "--weight", "0.1..1kg", "--steps", "12",
                       "--reason", "damaged", *AS_OF, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 144 and set(rows[0]) == {"weight_g", "price", "best", "advantage"}
    assert float(rows[0]["weight_g"]) == 100.0 and float(rows[-1]["weight_g"]) == 1000.0
    assert {r["best"] for r in rows} <= set(OPTIONS)


def test_map_json(capsys):
    # Royal Mail's 2025 lists have small parcels only (up to 2 kg): the heavier weights have no price
    code, out, _ = run(capsys, "map", "--from", "GB", "--currency", "GBP", "--price", "10..300", "--weight",
                       "100..3000", "--steps", "20", "--reason", "damaged", "--as-of", "2025-11-01", "--format", "json")
    d = json.loads(out)
    assert d["origin"] == "GB" and len(d["best"]) == 20 and "no price" in d["share"]


def test_map_route_without_prices_fails_like_estimate(capsys):
    code, out, err = run(capsys, "map", "--from", "RU", "--to", "CN", "--price", "100..20000", "--weight",
                         "50..2000g", "--currency", "RUB", "--reason", "damaged", *AS_OF)
    assert code == 2 and out == ""
    assert err.startswith("returncost: error: postage RU → CN:") and err.count("\n") == 1
    assert "--postage AMOUNT" in err
    code, _, err2 = run(capsys, "estimate", "--from", "RU", "--price", "18000", "--currency", "RUB", "--weight",
                        "50g", "--reason", "damaged", *AS_OF)
    assert err2 == err  # the same message as the estimate


def test_map_with_a_counter_quote_on_a_route_without_a_tariff(capsys):
    # issue 10, item 10: RU → CN (the guide's own market) with --postage: the postage holds for every
    # weight and the boundary is the model's break-even at that postage (2,900 RUB)
    code, out, err = run(capsys, "map", *RU_CN, "--price", "100..20000", "--weight", "50..2000g", *AS_OF)
    assert code == 0 and err == ""
    assert phone_break_even() == pytest.approx(2900)
    assert out.startswith("Best option for 200 weights × 200 prices, RU → CN")
    assert "50 g–2 kg: postage RUB\u00a01,450.00, returning pays above RUB\u00a02,900.00" in out
    assert "leave out --postage" not in out and "pass --postage" not in out
    code, out, _ = run(capsys, "map", *RU_CN, "--price", "100..20000", "--weight", "50..2000g", "--steps", "5",
                       *AS_OF, "--format", "json")
    d = json.loads(out)
    assert [r["break_even_price"] for r in d["steps"]] == [pytest.approx(phone_break_even())]
    assert [r["postage"] for r in d["steps"]] == [1450.0]
    # prices 100, 5075, 10050, 15025, 20000: a partial refund (kept) below 2,900, returning above
    assert d["best"] == [[OPTIONS.index("partial_keep")] + [OPTIONS.index("return")] * 4] * 5


def test_map_with_a_counter_quote_on_a_route_with_a_tariff(capsys):
    # US, 10 USD at the counter: 0.84·(P − 10) > 0.42·P ⇔ P > 20 (under 117.50 USD a sale is not
    # worth it; above, 0.336·P > 8.4 ⇔ P > 25 holds too)
    code, out, err = run(capsys, "map", "--from", "US", "--postage", "10", "--price", "10..100", "--weight",
                         "50..2000g", "--reason", "damaged", "--steps", "5", *AS_OF)
    assert code == 0 and err == ""
    assert "postage $10.00, returning pays above $20.00" in out


@pytest.mark.parametrize(
    "flags, fragment",
    [
        (["--price", "100", "--weight", "50..2000g"], "--price: '100' is not a range"),
        (["--price", "500..100", "--weight", "50..2000g"], "from a lower to a higher value"),
        (["--price", "10..100", "--weight", "50..2000q"], "unknown weight unit"),
        (["--price", "10..100", "--weight", "50..2000g", "--steps", "1"], "--steps"),
        (["--price", "10..100", "--weight", "50..2000g", "--fx", "USD/RUB=0"], "the rate must be positive"),
    ],
)
def test_map_user_mistakes(capsys, flags, fragment):
    code, out, err = run(capsys, "map", "--from", "US", "--reason", "damaged", *flags, *AS_OF)
    assert code == 2 and err.startswith("returncost: error: ") and fragment in err


def test_parse_range():
    assert parse_range("50g..2kg", flag="--weight", kind="weight") == (50.0, 2000.0)
    assert parse_range("1..2 lb", flag="--weight", kind="weight") == pytest.approx((453.59237, 907.18474))
    with pytest.raises(InputError, match="below zero"):
        parse_range("-5..10", flag="--price", kind="money")


# --------------------------------------------------------------------------------------------
# thresholds


def test_thresholds_text(capsys):
    code, out, err = run(capsys, "thresholds", "--from", "US", "--to", "CN", "--reason", "damaged", *AS_OF)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Returning pays from these item prices, US → CN")
    assert "chance the return is accepted 0.84" in lines[0] and "win_probability" not in lines[0]
    assert lines[1].split() == ["weight", "postage", "returning", "pays", "above", "service"]
    assert lines[2].lstrip().startswith("0 g–") and "$" in lines[2]


def test_thresholds_csv_matches_the_api(capsys, bundled):
    code, out, _ = run(capsys, "thresholds", "--from", "GB", "--currency", "EUR", "--reason", "defective",
                       "--max-weight", "3kg", "--as-of", "2025-11-01", "--format", "csv")  # 2025 lists: up to 2 kg
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:3] == ["weight_from_g", "weight_to_g", "service"]
    assert float(rows[-1]["weight_to_g"]) == 3000.0 and rows[-1]["postage"] == ""  # nothing over 2 kg: a gap
    x = float(rows[0]["return_pays_above"])
    # defective: w = q = 0.84, f 0.5, u 0.25, r 0.15. Using the item (0.25·P) is worth more than
    # selling it (0.15·P), so K = 0.25·P and the best alternative is partial_keep = 0.42·P + 0.25·P =
    # 0.67·P. EV_return = 0.84·(P − S) + 0.16·0.25·P = 0.88·P − 0.84·S > 0.67·P ⇔ P > 0.84·S/0.21 = 4·S
    # (Royal Mail 18.95 GBP = 21.72 EUR → 86.88 EUR)
    assert x == pytest.approx(4 * float(rows[0]["postage"]), abs=0.01)
    assert (float(rows[0]["postage"]), x) == (21.72, 86.88)


def test_thresholds_json(capsys):
    code, out, _ = run(capsys, "thresholds", "--from", "US", "--reason", "damaged", *AS_OF, "--format", "json")
    d = json.loads(out)
    assert d["destination"] == "CN" and d["bands"][0]["weight_from_g"] == 0.0


@pytest.mark.parametrize(
    "flags, fragment",
    [
        (["--price", "100"], "--price: the threshold table computes the price"),
        (["--weight", "100g"], "--weight: the table covers every weight band"),
        (["--max-weight", "heavy"], "--max-weight"),
        ([], "reason: missing; one of damaged (arrived broken)"),
        (["--reason", "damaged", "--fx", "USD/XX=80"], "--fx 'USD/XX=80': 'XX' is not a currency code"),
        (["--reason", "damaged", "--fx", "USD/XYZ=80"], "--fx 'USD/XYZ=80': 'XYZ' is not a currency code"),
        (["--reason", "damaged", "--fx", "USD/RUB=-80"], "--fx 'USD/RUB=-80': the rate must be positive"),
    ],
)
def test_thresholds_user_mistakes(capsys, flags, fragment):
    code, _, err = run(capsys, "thresholds", "--from", "US", *flags, *AS_OF)
    assert code == 2 and fragment in err
    assert err.startswith("returncost: error: ") and err.count("\n") == 1


def test_thresholds_route_without_prices(capsys):
    code, _, err = run(capsys, "thresholds", "--from", "RU", "--currency", "RUB", "--reason", "damaged", *AS_OF)
    assert code == 2 and err.startswith("returncost: error: postage RU → CN:")
    assert "--postage AMOUNT" in err


def test_thresholds_with_a_counter_quote_on_a_route_without_a_tariff(capsys):
    # issue 10, item 10: `thresholds --from RU --to CN --postage 1450` works: one band for every
    # weight, at the model's break-even for that postage (2,900 RUB)
    code, out, err = run(capsys, "thresholds", *RU_CN, *AS_OF)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Returning pays from these item prices, RU → CN")
    assert "chance the return is accepted 0.84" in lines[0] and "chance the partial refund is granted 0.84" in lines[0]
    # 0 g to 2 kg; RUB 1,450.00 and RUB 2,900.00, CLDR's English money (split() splits at its no-break space)
    assert lines[2].split() == ["0", "g–2", "kg", "RUB", "1,450.00", "RUB", "2,900.00", "postage", "as", "given"]
    assert "RUB\u00a01,450.00" in lines[2]
    assert "leave out --postage" not in out and "pass --postage" not in out
    code, out, _ = run(capsys, "thresholds", *RU_CN, *AS_OF, "--format", "json")
    [band] = json.loads(out)["bands"]
    assert band["postage"] == 1450.0 and band["postage_currency"] == "RUB"
    assert band["return_pays_above"] == pytest.approx(phone_break_even())


def test_thresholds_price_the_return_on_its_posting_day(capsys, bundled):
    # --posted-on picks the tariff version in force that day (USPS list of 2025-10-05 for 2025-11-01),
    # as the estimate of the same order does; the table's postage for the band holding 300 g is the
    # estimate's postage at 300 g.
    from calculator.assessment import assess
    from conftest import TODAY

    code, out, err = run(capsys, "thresholds", "--from", "US", "--reason", "damaged", "--posted-on", "2025-11-01",
                         *AS_OF, "--format", "json")
    assert code == 0, err
    bands = json.loads(out)["bands"]
    band = next(b for b in bands if b["weight_from_g"] < 300 <= b["weight_to_g"])
    a = assess(price=100, origin="US", weight_g=300, reason="damaged", posted_on="2025-11-01",
               tariffs=bundled.versions(), today=TODAY, errors="raise")
    assert band["postage"] == float(a.postage[0])


def test_thresholds_counter_quote_text_does_not_claim_a_tariff_look_up(capsys):
    # The table's heading says where its postage comes from: with --postage it is the counter quote
    # ("postage as given" in the row), not "the cheapest tracked postage" of a tariff.
    code, out, _ = run(capsys, "thresholds", *RU_CN, *AS_OF)
    assert code == 0 and "postage as given" in out
    assert "cheapest tracked postage" not in out


def test_thresholds_counter_quote_in_another_currency_with_a_market_fx_pair(capsys):
    # --fx USD/RUB=80: 1 USD = 80 RUB, so the 1,450 RUB quote is 18.125 → 18.13 USD. In USD, damaged,
    # min_resale = 10 EUR = 11.75 USD: a sale is worth it from 117.50 USD; 0.84·(P − 18.13) > 0.42·P ⇔
    # P > 36.26, which is below 117.50, and above 117.50 returning still wins (0.336·P > 15.23):
    # 36.26 USD.
    code, out, err = run(capsys, "thresholds", "--from", "RU", "--to", "CN", "--currency", "USD", "--postage", "1450",
                         "--postage-currency", "RUB", "--fx", "USD/RUB=80", "--reason", "damaged", *AS_OF)
    assert code == 0 and err == ""  # 80 is within 50 % of the reference 78.38: no warning
    assert "RUB\u00a01,450.00 = $18.13" in out and "$36.26" in out
    # written the wrong way round: a warning on stderr naming both rates
    code, out, err = run(capsys, "thresholds", "--from", "RU", "--currency", "USD", "--postage", "1450",
                         "--postage-currency", "RUB", "--fx", "RUB/USD=80", "--reason", "damaged", *AS_OF)
    assert code == 0
    assert err.startswith("returncost: warning: --fx RUB/USD=80: RUB/USD = 80 is more than 50% away")
    assert "0.0127587" in err and "wrong way round" in err


# --------------------------------------------------------------------------------------------
# estimate --chart / --charts


def test_estimate_chart_writes_a_tornado(capsys, tmp_path):
    path = tmp_path / "tornado.png"
    code, out, _ = run(capsys, "estimate", *PHONE, *AS_OF, "--chart", str(path))
    assert code == 0 and path.read_bytes()[:8] == PNG
    assert out.startswith(f"Chart saved: {path} (tornado")
    assert "What moves the advantage of returning" in out
    assert "Recommendation: dispute for a full refund" in out


def test_estimate_chart_after_the_window_closed(capsys, tmp_path):
    # received 2026-10-01, window closed 2026-10-16: only keeping is left; the estimate answers, and
    # one line on stderr says why there is no chart (nothing would change the answer)
    path = tmp_path / "tornado.png"
    code, out, err = run(capsys, "estimate", *PHONE, "--received-on", "2026-10-01", "--as-of", "2026-11-29",
                         "--chart", str(path))
    assert code == 0 and not path.exists()
    assert "The dispute window closed on 16 Oct 2026" in out
    assert err == ("returncost: warning: no charts: the dispute window closed on 16 Oct 2026: only keeping the "
                   "item is left, so nothing would change the answer\n")


def test_sensitivity_after_the_window_closed_does_not_blame_the_post(capsys):
    # the postage was given: no draw lacks a postal offer; the only thing closed is the dispute window
    code, out, err = run(capsys, "sensitivity", *PHONE, "--received-on", "2026-10-01", "--as-of", "2026-11-29",
                         "--seed", "1", "--draws", "500")
    assert code == 0 and "postal offer" not in err
    assert out.startswith(f"Single estimate: {OPTION_LABELS['keep']}; the dispute window closed on 16 Oct 2026")
    assert out.endswith("\nTo draw the same numbers again, add --seed 1.\n")
    row = next(line for line in out.splitlines() if OPTION_LABELS["return"] in line)
    assert row.split()[-5:] == ["0%"] + ["closed"] * 4  # never best; its mean and three percentiles: closed


def test_estimate_charts_writes_every_chart(capsys, tmp_path):
    folder = tmp_path / "charts"
    code, out, _ = run(capsys, "estimate", "--price", "250", "--from", "US", "--weight", "300g", "--reason",
                       "damaged", *AS_OF, "--charts", str(folder))
    assert code == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["map.png", "montecarlo.png", "sobol.png", "sweep-partial_refund.png", "sweep-price.png",
                     "sweep-weight_g.png", "tornado.png"]
    assert all((folder / n).read_bytes()[:8] == PNG for n in names)
    assert out.count("Chart saved:") == 7


def test_estimate_charts_without_tariff_postage_skip_weight_charts(capsys, tmp_path):
    code, out, _ = run(capsys, "estimate", *PHONE, *AS_OF, "--charts", str(tmp_path), "--format", "json")
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["montecarlo.png", "sobol.png", "sweep-partial_refund.png",
                                                         "sweep-price.png", "tornado.png"]
    assert json.loads(out)["recommendation"] == "return"  # nothing but JSON was printed


def test_estimate_json_stays_json_with_a_chart(capsys, tmp_path):
    code, out, _ = run(capsys, "estimate", *PHONE, *AS_OF, "--chart", str(tmp_path / "t.png"), "--format", "json")
    assert json.loads(out)["recommendation"] == "return"


def test_unwritable_chart_path_is_a_user_error(capsys, tmp_path):
    code, _, err = run(capsys, "estimate", *PHONE, *AS_OF, "--chart", str(tmp_path / "missing" / "t.png"))
    assert code == 2 and err.startswith("returncost: error: --chart: cannot write")


# --------------------------------------------------------------------------------------------
# import weight


def test_estimate_and_the_analysis_modules_import_nothing_heavy():
    code = textwrap.dedent(
        """
        import sys
        import calculator, calculator.uncertainty, calculator.sensitivity, calculator.cli.analysis, calculator.charts
        from calculator.cli import build_parser, main
        build_parser()
        rc = main(["estimate", "--price", "18000", "--currency", "RUB", "--from", "RU", "--postage", "1450",
                   "--reason", "damaged", "--as-of", "2026-11-26"])
        heavy = sorted(m for m in ("pandas", "scipy", "matplotlib") if m in sys.modules)
        print("HEAVY", rc, heavy)
        """
    )
    root = Path(__file__).resolve().parents[1]
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert "HEAVY 0 []" in res.stdout
