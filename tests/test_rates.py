"""The rate engine against the carriers' own price lists, band by band, and its edge cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator import load_tariff
from calculator.rates import cheapest_postage, explain, price_route

from conftest import MINIMAL

OZ = 28.349523125  # g, 1/16 of 453.59237 g
LB = 453.59237


def _offer(q, key):
    i = [o.key for o in q.offers].index(key)
    return i


def _price(tariffs, origin, dest, key, weight, dims=(np.nan,) * 3, **kw):
    q = price_route(tariffs, origin, dest, weight, *dims, **kw)
    i = _offer(q, key)
    return q.price[i], q


# USPS Notice 123, effective 2025-10-05, First-Class Package International Service, retail,
# price group 14 (China): 1-8 oz 19.90, 9-32 oz 32.05, 33-48 oz 48.80, 49-64 oz 66.70
# (shared/tariff-sources/us-usps.md section 1). Registered Mail for FCPIS: 21.75 (same notice).
FCPIS_CN = [(8, 19.90), (32, 32.05), (48, 48.80), (64, 66.70)]


@pytest.mark.parametrize("limit_oz, price", FCPIS_CN)
def test_usps_fcpis_group14_every_band_at_its_edge_and_just_above(bundled, limit_oz, price):
    ts = bundled.values()
    w = np.array([limit_oz * OZ, limit_oz * OZ + 0.5])
    p, q = _price(ts, "US", "CN", "us-usps/fcpis", w)
    assert p[0] == price  # exactly at the limit: "weight not over"
    following = [pr for lim, pr in FCPIS_CN if lim > limit_oz]
    if following:
        assert p[1] == following[0]  # half a gram more: next band
    else:
        assert np.isnan(p[1])  # above 64 oz: over the 4 lb maximum
        assert explain(q, _offer(q, "us-usps/fcpis"), 1) == "over 1.81437 kg max"
    reg, _ = _price(ts, "US", "CN", "us-usps/fcpis+registered", w[:1])
    assert reg[0] == round(price + 21.75, 2)


def test_usps_weights_given_in_ounces_hit_the_same_band_as_grams(bundled):
    from calculator.units import parse_weight

    p, _ = _price(bundled.values(), "US", "CN", "us-usps/fcpis", [parse_weight("8oz"), parse_weight("226.796185g"), parse_weight("0.5lb")])
    assert p.tolist() == [19.90, 19.90, 19.90]


def test_the_issue_example_us_to_cn_300g(bundled):
    q = price_route(bundled.values(), "US", "CN", 300, 20, 15, 5)
    assert q.price[_offer(q, "us-usps/fcpis"), 0] == 32.05
    assert q.price[_offer(q, "us-usps/fcpis+registered"), 0] == 53.80
    # Priority Mail International, group 14, up to 1 lb: 61.50 (Notice 123)
    assert q.price[_offer(q, "us-usps/pmi"), 0] == 61.50
    best = q.offers[q.best[0]]
    assert best.tracked and q.price[q.best[0], 0] == np.nanmin(
        np.where([o.tracked for o in q.offers], q.price[:, 0], np.nan))


# USPS PMI group 14: 1 lb 61.50 ... 20 lb 166.50 copied; 21-48 lb are not in the notes (gap);
# 49 lb 287.40, 50 lb 292.15, 66 lb 367.45 (us-usps.md section 2).
def test_usps_pmi_gap_says_no_price_instead_of_guessing(bundled):
    w = np.array([20 * LB, 20 * LB + 1, 49 * LB, 66 * LB, 66 * LB + 1])
    p, q = _price(bundled.values(), "US", "CN", "us-usps/pmi", w)
    assert p[0] == 166.50 and p[2] == 287.40 and p[3] == 367.45
    assert np.isnan(p[1]) and explain(q, _offer(q, "us-usps/pmi"), 1) == "no price in source"
    assert np.isnan(p[4])


# Royal Mail Post Office prices from 7 April 2025, World Zone 1 (China), small parcel; two
# secondary sources agree (verbb/shippy and brittainmark/BigRoyalMail; gb-royal-mail.md sections 1-2).
RM_LIMITS_G = [100, 250, 500, 750, 1000, 1250, 1500, 2000]
RM_STANDARD = [13.05, 14.05, 19.30, 22.70, 26.20, 29.25, 32.00, 33.55]
RM_SIGNED = [18.95, 18.95, 23.50, 26.25, 29.35, 31.65, 33.30, 33.80]


@pytest.mark.parametrize("key, prices", [("gb-royal-mail/intl_standard", RM_STANDARD),
                                         ("gb-royal-mail/intl_signed", RM_SIGNED)])
def test_royal_mail_world_zone_1_every_band(bundled, key, prices):
    w = np.array(RM_LIMITS_G, float)
    at, q = _price(bundled.values(), "GB", "CN", key, w, (20, 15, 5))
    assert at.tolist() == prices
    above, _ = _price(bundled.values(), "GB", "CN", key, w + 1, (20, 15, 5))
    assert above[:-1].tolist() == prices[1:]
    assert np.isnan(above[-1])  # 2001 g: over the 2 kg small-parcel maximum


def test_royal_mail_size_limits(bundled):
    # International small parcel: L+W+D <= 900 mm, no side over 600 mm (Royal Mail International
    # Business Parcels User Guide, via gb-royal-mail.md).
    key = "gb-royal-mail/intl_signed"
    L = np.array([60, 65, 50])
    W = np.array([20, 10, 30])
    H = np.array([10, 5, 15])
    p, q = _price(bundled.values(), "GB", "CN", key, 500, (L, W, H))
    i = _offer(q, key)
    assert p[0] == 23.50
    assert explain(q, i, 1) == "longest side 65 cm > 60 cm"
    assert explain(q, i, 2) == "length + width + height 95 cm > 90 cm"


def test_unknown_route_and_unknown_origin(bundled):
    q = price_route(bundled.values(), "US", "CN", 300)
    i = _offer(q, "us-usps/ground_advantage")
    assert q.reason[i, 0] != 0 and explain(q, i, 0) == "no route to CN"
    p = cheapest_postage(bundled.values(), ["PL", "US"], "CN", 300)
    assert np.isnan(p.amount[0]) and p.status[0] == "no tariff for parcels posted in PL"
    assert p.amount[1] > 0 and p.status[1] == ""


def test_russia_to_china_has_no_price_and_says_so(bundled):
    p = cheapest_postage(bundled.values(), "RU", "CN", 300, 20, 15, 5)
    assert np.isnan(p.amount[0])
    assert "no price in source" in p.status[0]


# --- the engine's rules on a small fixture ---------------------------------------------------


def test_fixture_bands_gap_addon_and_reasons(write_tariff):
    t = load_tariff(write_tariff(MINIMAL))
    w = np.array([0, 500, 500.001, 1000, 1500, 2000, 2001, np.nan])
    q = price_route([t], "DE", "CN", w, 20, 15, 5)
    plain, reg = _offer(q, "test-post/packet"), _offer(q, "test-post/packet+registered")
    np.testing.assert_array_equal(q.price[plain][:6], [6.0, 6.0, np.nan, np.nan, 14.0, 14.0])
    assert explain(q, plain, 2) == "no price in source"  # null band in the source
    assert q.price[reg, 0] == 9.50 and q.offers[reg].tracked and not q.offers[plain].tracked
    assert explain(q, plain, 6) == "over 2 kg max"
    assert explain(q, plain, 7) == "weight missing or negative"
    # the "*" zone serves other countries, but not the origin itself
    assert price_route([t], "DE", "US", 500).price[0, 0] == 5.0
    assert explain(price_route([t], "DE", "DE", 500), 0, 0) == "no route to DE"


def test_minimum_sizes_are_checked_only_when_known(write_tariff):
    t = load_tariff(write_tariff(MINIMAL))
    q = price_route([t], "DE", "US", 100, [10, 20, np.nan], [8, 10, np.nan], [1, 1, np.nan])
    assert explain(q, 0, 0) == "smaller than the minimum 14×9 cm"
    assert q.price[0, 1] == 5.0 and q.price[0, 2] == 5.0
    assert q.size_known.tolist() == [True, True, False]


FORMULAS = """
carrier: Formula Post
origin: RU
currency: RUB
valid_from: 2017-11-15
source: {url: https://example.org, kind: secondary, confidence: low}
services:
  - id: parcel
    name: Parcel
    tracked: true
    min_charge: 200
    surcharges:
      - {name: heavy, percent: 40, over: 10 kg}
      - {name: fee, fixed: 5}
    weight_limits: [500 g, 20 kg]
    zones:
      - id: belt1
        countries: [RU]
        prices: [173, {base: 173, rate: 21, per: 500 g, above: 500 g, step: 500 g}]
  - id: packet
    name: Packet per kg
    tracked: false
    min_chargeable: 1 kg
    weight_limits: [2 kg]
    zones:
      - id: cn
        countries: [CN]
        prices: [{base: 4.50, rate: 23.50, per: 1 kg, step: 100 g}]
"""


def test_formula_prices_min_charge_and_surcharges(write_tariff):
    t = load_tariff(write_tariff(FORMULAS))
    # first 500 g 173 -> raised to the 200 minimum; +5 fixed fee
    # 501 g: 173 + 21 x 1 started step = 194 -> 200 minimum; 1000 g: 194 -> 200; 1001 g: 215
    # 10 kg: 173 + 21 x 19 = 572; 10.001 kg: (173 + 21 x 20 + 5) x 1.4 = 837.2
    q = price_route([t], "RU", "RU", [500, 501, 1000, 1001, 10000, 10001])
    assert q.price[0].tolist() == [205.0, 205.0, 205.0, 220.0, 577.0, 837.2]


def test_per_kg_formula_rounds_up_to_steps_and_minimum_chargeable(write_tariff):
    t = load_tariff(write_tariff(FORMULAS))
    q = price_route([t], "RU", "CN", [300, 1000, 1001, 1100, 1101])
    i = [o.key for o in q.offers].index("test-post/packet")
    # charged at least 1 kg: 4.50 + 23.50 = 28.00; 1001 g -> 1.1 kg: 4.50 + 25.85 = 30.35
    assert q.price[i].tolist() == [28.0, 28.0, 30.35, 30.35, 32.70]


VOLUMETRIC = """
carrier: Dim Post
origin: US
currency: USD
valid_from: 2025-10-05
units: {weight: lb, length: in}
source: {url: https://example.org, kind: primary, confidence: high}
services:
  - id: ground
    name: Ground
    tracked: true
    volumetric: {divisor: 166 in3/lb, above: 1728 in3}
    limits: {max_length_girth: 130 in, max_dims: [30, 20, 20]}
    weight_limits: [1, 2, 10, 20]
    zones:
      - {id: us, countries: [US], prices: [5, 6, 10, 20]}
"""


def test_volumetric_weight_only_above_its_threshold(write_tariff):
    t = load_tariff(write_tariff(VOLUMETRIC))
    inch = 2.54
    # 12x12x12 in = 1728 in3, exactly one cubic foot: not above the threshold -> actual 1 lb
    # 12x12x12.5 in = 1800 in3 > 1728: 1800/166 = 10.84 lb -> 20 lb band
    q = price_route([t], "US", "US", LB, [12 * inch, 12 * inch], 12 * inch, [12 * inch, 12.5 * inch])
    assert q.price[0].tolist() == [5.0, 20.0]
    assert q.chargeable_g[0, 1] == pytest.approx(1800 / 166 * LB, rel=1e-12)


def test_length_girth_and_box_fit(write_tariff):
    t = load_tariff(write_tariff(VOLUMETRIC.replace("    volumetric: {divisor: 166 in3/lb, above: 1728 in3}\n", "")
                                 .replace("max_dims: [30, 20, 20]", "max_dims: [60, 20, 20]")))
    inch = 2.54
    # length + 2 x (width + height) <= 130 in: 50 + 2 x (20 + 20) = 130 is allowed, 50.5 is not
    q = price_route([t], "US", "US", LB, [50 * inch, 50.5 * inch, 61 * inch, 20 * inch],
                    [20 * inch, 20 * inch, 5 * inch, 21 * inch], [20 * inch, 20 * inch, 5 * inch, 21 * inch])
    assert q.price[0, 0] == 5.0
    assert explain(q, 0, 1) == "length + girth 331.5 cm > 330.2 cm"
    assert explain(q, 0, 2) == "does not fit 152.4×50.8×50.8 cm"
    assert explain(q, 0, 3) == "does not fit 152.4×50.8×50.8 cm"  # 21x21x20 in: the second side, 21 in, is over 20 in


def test_vectorized_equals_one_by_one(bundled):
    rng = np.random.default_rng(1)
    w = rng.uniform(1, 2500, 200)
    L, W, H = rng.uniform(5, 70, (3, 200))
    q = price_route(bundled.values(), "GB", "CN", w, L, W, H)
    for j in range(0, 200, 17):
        one = price_route(bundled.values(), "GB", "CN", w[j], L[j], W[j], H[j])
        np.testing.assert_array_equal(one.price[:, 0], q.price[:, j])
        assert one.best[0] == q.best[j]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 40000, allow_nan=False), min_size=2, max_size=30),
       st.sampled_from(["US", "GB", "DE", "FR", "BY", "UA", "KZ", "RU"]))
def test_postage_never_decreases_with_weight_within_one_offer(bundled, weights, origin):
    w = np.sort(np.array(weights))
    for dest in ("CN", origin):
        q = price_route(bundled.values(), origin, dest, w)
        for i in range(len(q.offers)):
            p = q.price[i]
            ok = ~np.isnan(p)
            # among the weights an offer accepts, heavier never costs less
            assert np.all(np.diff(p[ok]) >= -1e-9), q.offers[i].key


# Other bundled tariffs, by hand from the research notes (shared/tariff-sources/):
FORMULA_CASES = [
    # Belpost order №1146, from 2026-01-01, China row: priority small packet 4.50 per item +
    # 27.25 per kg, weight rounded up to 100 g, tracked fee 5.05; individuals pay + 20 % VAT
    # (ru-pochta.md §5a). 450 g -> 0.5 kg: (4.50 + 13.625 + 5.05) x 1.2 = 27.81
    ("BY", "CN", "by-belpost/small_packet_priority+tracked", 450, 27.81),
    # Russian Post domestic parcel, tariff as of 15 Nov 2017, belt V: first 500 g 330, each further
    # started 500 g 55; +40 % over 10 kg (ru-pochta.md §3a, §3b).
    # 11 kg: (330 + 21 x 55) x 1.4 = 2079.00
    ("RU", "RU", "ru-pochta/parcel", 11000, 2079.00),
    ("RU", "RU", "ru-pochta/parcel", 500, 330.00),
    ("RU", "RU", "ru-pochta/parcel", 501, 385.00),
    # Kazpost air parcel, zone 5 (CN): up to 10 kg 120,600; each further kg 11,325
    # (ru-pochta.md §5d). 12.3 kg -> 3 started kg: 120,600 + 33,975 = 154,575
    ("KZ", "CN", "kz-kazpost/parcel_air", 12300, 154575.00),
    # Ukrposhta parcel to China over 10 kg: 35.50 per parcel + 6.50 per kg (ru-pochta.md §5c).
    # 12 kg: 35.50 + 78.00 = 113.50
    ("UA", "CN", "ua-ukrposhta/parcel_air_heavy", 12000, 113.50),
    # Colissimo International 2017 guide, zone C (China): up to 2 kg 36.70 (fr-la-poste.md §1)
    ("FR", "CN", "fr-la-poste/colissimo_intl", 2000, 36.70),
    # Kazpost small packet air, worldwide: over 500 g up to 1 kg 15,400 (kz-kazpost.md §1)
    ("KZ", "CN", "kz-kazpost/small_packet_air", 501, 15400.00),
]


@pytest.mark.parametrize("origin, dest, key, weight, expected", FORMULA_CASES)
def test_other_bundled_tariffs_by_hand(bundled, origin, dest, key, weight, expected):
    p, _ = _price(bundled.values(), origin, dest, key, [weight])
    assert p[0] == expected


def test_domestic_zone_by_distance_defaults_to_the_dearest_and_can_be_chosen(bundled):
    # Russian Post belts: belt I 173 / belt V 330 for the first 500 g (ru-pochta.md §3a).
    q = price_route(bundled.values(), "RU", "RU", [400, 400, 400], zone=[None, "belt1", "belt9"])
    i = _offer(q, "ru-pochta/parcel")
    assert q.price[i, 0] == 330.0 and q.price[i, 1] == 173.0
    assert explain(q, i, 2).startswith("unknown zone; this service's zones are belt1")


def test_a_service_for_heavy_parcels_only_refuses_light_ones(bundled):
    # Ukrposhta parcels to China: a separate rate "over 10 kg" (ru-pochta.md §5c); 9 kg is refused.
    p, q = _price(bundled.values(), "UA", "CN", "ua-ukrposhta/parcel_air_heavy", [9000, 10000, 10001])
    i = [o.key for o in q.offers].index("ua-ukrposhta/parcel_air_heavy")
    assert explain(q, i, 0) == "only for parcels over 10 kg" and explain(q, i, 1) == "only for parcels over 10 kg"
    assert p[2] == round(35.50 + 6.50 * 10.001, 2)  # 35.50 per parcel + 6.50 per kg, no rounding stated
