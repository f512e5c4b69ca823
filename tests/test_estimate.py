"""One order end to end: inputs, postage, currency, model, deadlines, warnings, the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from calculator import InputError, RouteError
from calculator.cli import main
from calculator import assess, estimate
from calculator.inputs import FIELDS, REASON_DEFAULTS

from conftest import AUTUMN_2025, TODAY


def test_broken_phone_from_russia_with_a_counter_quote(bundled):
    # Starting guidance: 18,000 RUB phone, arrived broken, ~1,500 RUB to post back -> return.
    e = estimate(price=18000, currency="RUB", origin="RU", weight_g=450, length_cm=20, width_cm=15,
                 height_cm=8, postage=1450, reason="damaged", received_on="2026-11-20",
                 tariffs=bundled.values(), today=TODAY)
    assert e.recommendation == "return"
    # 0.84·(18,000 − 1,450) + 0.16·1,800 (a refused dispute leaves the phone, sold locally)
    assert e.ev["return"] == pytest.approx(0.84 * (18000 - 1450) + 0.16 * 1800)
    assert e.postage == 1450.0
    assert e.assessment.postage_source[0] == "given"
    # AliExpress: a dispute can be opened until 15 days after receipt (policies.md A1)
    assert str(e.assessment.dates["dispute_deadline"][0]) == "2026-12-05"
    assert "win_probability" in e.assumptions() and "reason" not in e.assumptions()
    assert "orientdeck.com" in e.assumptions()["win_probability"]["why"]


def test_cheap_item_postage_above_price_takes_partial_refund(bundled):
    e = estimate(price=300, currency="RUB", origin="RU", postage=1450, reason="not_as_described",
                 tariffs=bundled.values(), today=TODAY)
    assert e.recommendation.startswith("partial")
    assert "postage_exceeds_price" in e.warnings


def test_postage_is_looked_up_and_converted_to_the_order_currency(bundled):
    # US -> CN, 120 g, 20x15x3 cm, posted in autumn 2025: cheapest tracked is FCPIS + Registered
    # Mail, 19.90 + 21.75 = 41.65 USD (USPS Notice 123 of 2025-10-05, price group 14, 1-8 oz;
    # Registered Mail fee). In EUR at the ECB reference rate of 2025-12-31 (1 EUR = 1.1750 USD):
    # 41.65 / 1.175 = 35.45.
    e = estimate(price=30, currency="EUR", origin="US", weight_g=120, length_cm=20, width_cm=15, height_cm=3,
                 reason="not_as_described", tariffs=bundled, today=AUTUMN_2025)
    a = e.assessment
    assert a.postage_native[0] == 41.65 and a.postage_currency[0] == "USD"
    assert e.postage == round(41.65 / 1.175, 2)
    assert a.offer_key[0] == "us-usps/fcpis+registered" and a.tracked[0]


def test_explicit_inputs_override_reason_defaults(bundled):
    base = dict(price=100, currency="GBP", origin="GB", weight_g=300, tariffs=bundled.values(), today=TODAY)
    e = estimate(reason="changed_mind", **base)
    assert e.assessment.values["win_probability"][0] == REASON_DEFAULTS["changed_mind"].win_probability
    e = estimate(reason="changed_mind", win_probability=0.2, **base)
    assert e.assessment.values["win_probability"][0] == 0.2
    assert "win_probability" not in e.assumptions()


def test_free_return_costs_nothing_and_uses_its_window(bundled):
    e = estimate(price=20, currency="EUR", origin="DE", weight_g=300, free_return=True, reason="changed_mind",
                 received_on="2026-11-20", tariffs=bundled.values(), today=TODAY)
    assert e.postage == 0.0 and e.assessment.postage_source[0] == "free_return"
    assert "free_return_conditions" in e.warnings


@pytest.mark.parametrize(
    "kw, field",
    [
        (dict(price=-3), "price"),
        (dict(partial_refund=1.3), "partial_refund"),
        (dict(win_probability=-0.1), "win_probability"),
        (dict(origin="XX"), "origin"),
        (dict(currency="EURO"), "currency"),
        (dict(reason="broken"), "reason"),
        (dict(marketplace="amazon"), "marketplace"),
        (dict(received_on="2027-01-01"), "received_on"),
    ],
)
def test_invalid_input_names_the_field(bundled, kw, field):
    order = dict(price=10, currency="USD", origin="US", weight_g=100, reason="damaged", tariffs=bundled.values(),
                 today=TODAY)
    order.update(kw)
    with pytest.raises(InputError) as info:
        estimate(**order)
    assert str(info.value).startswith(f"{field}: ")


def test_unknown_route_lists_tariffs_and_the_counter_quote(bundled):
    with pytest.raises(RouteError) as info:
        estimate(price=18000, currency="RUB", origin="RU", weight_g=450, reason="damaged", tariffs=bundled.values(),
                 today=TODAY)
    msg = str(info.value)
    assert "RU → CN" in msg and "ru-pochta" in msg and "--postage" in msg
    with pytest.raises(RouteError, match="no tariff for parcels posted in PL"):
        estimate(price=50, currency="PLN", origin="PL", weight_g=450, reason="damaged", tariffs=bundled.values(),
                 today=TODAY)


def test_temu_needs_the_purchase_date(bundled):
    base = dict(price=10, currency="USD", origin="US", weight_g=100, marketplace="temu", reason="damaged",
                tariffs=bundled.values(), today=TODAY)
    with pytest.raises(InputError, match="purchased_on: missing; Temu counts"):
        estimate(**base)
    e = estimate(purchased_on="2026-11-01", received_on="2026-11-15", **base)
    # Temu: 90 days from the purchase date (policies.md A2)
    assert str(e.assessment.dates["dispute_deadline"][0]) == "2027-01-30"


def test_a_thousand_orders_in_one_call_match_a_thousand_single_calls(bundled):
    rng = np.random.default_rng(7)
    n = 1000
    origins = rng.choice(["US", "GB", "DE", "FR", "BY", "UA"], n)
    cur = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "BY": "BYN", "UA": "UAH"}
    orders = dict(
        price=np.round(rng.uniform(5, 500, n), 2),
        currency=np.array([cur[o] for o in origins]),
        origin=origins,
        weight_g=np.round(rng.uniform(20, 1900, n)),
        length_cm=rng.integers(15, 40, n).astype(float),
        width_cm=rng.integers(10, 25, n).astype(float),
        height_cm=rng.integers(1, 10, n).astype(float),
        reason=rng.choice(list(REASON_DEFAULTS), n),
        partial_refund=np.round(rng.uniform(0.2, 0.7, n), 2),
    )
    many = assess(orders, tariffs=bundled.values(), today=TODAY)
    assert (many.problem == "").all()
    for i in range(n):
        one = estimate(tariffs=bundled.values(), today=TODAY, local_return=False,
                       **{k: v[i].item() for k, v in orders.items()})
        assert one.recommendation == many.recommendation[i]
        np.testing.assert_array_equal(one.assessment.evaluation.ev[:, 0], many.evaluation.ev[:, i])
        assert one.postage == many.postage[i]


def test_problems_are_marked_per_order_in_mark_mode(bundled):
    a = assess(price=[10, -1, 10], currency="USD", origin=["US", "US", "ZZ"], weight_g=100, reason="damaged",
               tariffs=bundled.values(), today=TODAY)
    assert a.problem[0] == ""
    assert a.problem[1].startswith("price: -1.0 must be greater than zero")
    assert a.problem[2] == "origin: 'ZZ' is not an ISO country code (e.g. US, GB, DE, RU)"
    assert np.isnan(a.evaluation.ev[:, 1:]).all() and a.recommendation.tolist()[1:] == ["", ""]


def test_result_objects_for_notebooks(bundled):
    e = estimate(price=18000, currency="RUB", origin="RU", postage=1450, reason="damaged",
                 tariffs=bundled.values(), today=TODAY)
    html = e._repr_html_()
    assert "<table>" in html and "►" in html and "return" in html
    frame = e.to_frame()
    assert frame.loc["return", "recommended"] and frame["ev"].idxmax() == "return"
    d = e.to_dict()
    json.dumps(d)
    assert d["recommendation"] == "return" and d["outputs"]["postage_used"] == 1450.0


# --- the command line ----------------------------------------------------------------------


def test_cli_estimate_text_starts_with_the_recommendation(capsys):
    code = main(["estimate", "--price", "18000", "--currency", "RUB", "--from", "RU", "--weight", "450g",
                 "--dims", "20x15x8cm", "--postage", "1450", "--reason", "damaged", "--as-of", "2026-11-26"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Recommendation: dispute for a full refund and post the item back. It is worth RUB\u00a014,190.00")
    assert "returning pays for items dearer than" in out and "if the seller offers a partial refund, accept" in out
    assert "open the dispute by 11 Dec 2026" in out  # received today (2026-11-26) + 15 days


def test_cli_estimate_json_has_every_number(capsys):
    assert main(["estimate", "--price", "12.99", "--currency", "USD", "--from", "US", "--weight", "120g",
                 "--reason", "not_as_described", "--format", "json", "--as-of", str(AUTUMN_2025)]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["outputs"]["postage_used"] == 41.65  # FCPIS 19.90 + Registered Mail 21.75 (Notice 123 of 2025-10-05)
    assert set(d["ev"]) == {"keep", "partial_keep", "partial_resell", "return"}
    assert {w["code"] for w in d["warnings"]} >= {"postage_exceeds_price", "size_not_checked"}


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--price", "-3"], "returncost: error: --price: '-3' is out of range; give more than 0 to 1,000,000,000 "
                            "[order currency]"),
        (["--price", "10", "--weight", "12zz"], "returncost: error: --weight: unknown weight unit 'zz'"),
        (["--price", "10", "--from", "XX"], "returncost: error: --from: 'XX' is not an ISO 3166-1"),
        (["--price", "10", "--partial-refund", "140%"],
         "returncost: error: --partial-refund: '140%' is out of range; give 0 to 1 [fraction of price]"),
    ],
)
def test_cli_bad_values_print_one_line_and_exit_2(capsys, args, expected):
    base = ["estimate", "--currency", "USD", "--from", "US", "--weight", "100g", "--reason", "damaged"]
    assert main(base + args) == 2
    err = capsys.readouterr().err
    assert err.startswith(expected) and err.count("\n") == 1


def test_cli_unknown_route_explains_the_counter_quote(capsys):
    assert main(["estimate", "--price", "18000", "--currency", "RUB", "--from", "RU", "--weight", "450g",
                 "--reason", "damaged"]) == 2
    err = capsys.readouterr().err
    assert "postage RU → CN" in err and "--postage AMOUNT" in err and err.count("\n") == 1


def test_every_input_has_a_flag_and_the_readme_documents_it():
    from pathlib import Path

    from calculator.cli import build_parser

    root = Path(__file__).parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    sys.path.insert(0, str(root / "docs"))
    try:
        import nomenclature
    finally:
        sys.path.pop(0)
    # The README's tables are exactly what the code defines (regenerate: python docs/nomenclature.py).
    for table in (nomenclature.inputs_table(), nomenclature.reasons_table(), nomenclature.outputs_table()):
        assert table in readme
    help_text = build_parser()._subparsers._group_actions[0].choices["estimate"].format_help()
    from calculator.cli.options import flags

    for f in FIELDS:
        assert f"`{f.name}`" in readme, f.name
        flag = flags(f.name)[0]
        if f.name not in ("width_cm", "height_cm"):
            assert flag in help_text, flag
    import datetime

    cols = assess(price=1, currency="USD", origin="US", postage=1, reason="damaged",
                  today=datetime.date(2026, 1, 1)).columns()
    for name in cols:
        assert f"`{name}`" in readme, name


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_import_and_a_single_estimate_stay_light():
    heavy = {"pandas", "scipy", "matplotlib", "pyarrow"}
    assert not heavy & _modules_after("import calculator")
    code = ("from calculator.cli import main\n"
            "main(['estimate', '--price', '12.99', '--currency', 'USD', '--from', 'US', '--weight', '120g', "
            "'--reason', 'damaged'])")
    assert not heavy & _modules_after(code)


def test_installed_entry_point_runs_from_any_directory(tmp_path):
    # The console script of the installed package, run away from the checkout: the bundled
    # tariffs must come from inside the installed package.
    from pathlib import Path

    exe = Path(sys.executable).with_name("returncost")
    assert exe.exists(), "install the package (pip install .) to get the returncost command"
    out = subprocess.run([str(exe), "quote", "--from", "GB", "--to", "CN", "--weight", "300g", "--dims", "20x15x5cm",
                          "--as-of", str(AUTUMN_2025)], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "£23.50" in out.stdout  # Royal Mail International Signed, World Zone 1, 250-500 g (2025 prices)
    listed = subprocess.run([str(exe), "tariffs", "list"], capture_output=True, text=True, cwd=tmp_path)
    assert "us-usps" in listed.stdout and "ru-pochta" in listed.stdout


@pytest.mark.parametrize("argv", [["estimate", "--price", "3", "--from", "US", "--marketplace", "amazon"],
                                  ["estimat"], ["estimate", "--from", "US"]])
def test_cli_usage_mistakes_are_one_line_too(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("returncost: error: ") and err.count("\n") == 1


def test_known_problems_are_kept_and_those_orders_not_evaluated(bundled):
    a = assess(price=[10, 10], currency="USD", origin="US", postage=5, reason="damaged", today=TODAY,
               tariffs=bundled.values(), problems=["", "line 3: 2 fields, the header has 3"])
    assert a.problem.tolist() == ["", "line 3: 2 fields, the header has 3"]
    assert a.recommendation.tolist()[1] == "" and np.isnan(a.evaluation.ev[:, 1]).all()
    assert a.recommendation.tolist()[0] != ""
    with pytest.raises(InputError, match="line 3: 2 fields"):
        assess(price=[10, 10], currency="USD", origin="US", postage=5, reason="damaged", today=TODAY,
               tariffs=bundled.values(), problems=["", "line 3: 2 fields, the header has 3"], errors="raise")
