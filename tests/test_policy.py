"""Tests of calculator.policy and calculator.timeline: bundled marketplace profiles, loading errors, the timeline.

Figures come from the project's source notes calculator/data/sources/policies.md (A1 AliExpress,
A2 Temu, A3 eBay, and the starting guide at its top); the return transit time from
tariffs/kz-kazpost/SOURCES.md (Kazpost's transit norm to China).
"""

from __future__ import annotations

import dataclasses
import datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator.errors import CalculatorError, InputError
from calculator.policy import (
    CONFIDENCE,
    Marketplace,
    get_marketplace,
    load_marketplaces,
    marketplaces,
)
from calculator.timeline import timeline


def day(text: str) -> np.datetime64:
    return np.datetime64(text, "D")


# --- bundled profiles -----------------------------------------------------------------------


def test_every_bundled_profile_loads_with_a_source_for_every_figure():
    profiles = marketplaces()
    assert sorted(profiles) == ["aliexpress", "ebay", "temu"]
    for mid, market in profiles.items():
        assert market.id == mid
        assert set(market.sources) == set(market.confidence)
        assert "refund_days" in market.sources and "return_transit_days" in market.sources
        assert set(market.confidence.values()) <= set(CONFIDENCE)
        for key, line in market.sources.items():
            assert "confidence" in line and line.strip(), (mid, key)


def test_aliexpress_profile_figures():
    ae = get_marketplace("aliexpress")
    # calculator/data/sources/policies.md A1 and the starting guide
    assert (ae.dispute_window_days, ae.dispute_window_from) == (15, "receipt")
    assert (ae.seller_response_days, ae.seller_response_days_older) == (5, 10)
    assert ae.escalation_days == 7
    assert ae.ship_by_days == 10
    assert ae.auto_refund_days == 30 and ae.confidence["auto_refund_days"] == "unverified"
    assert (ae.refund_days_min, ae.refund_days_max, ae.refund_business_days) == (3, 20, True)
    assert ae.escalated_refund_days_max == 45
    assert ae.postage_refunded is False
    assert ae.wins_in_a_row_risk == 3
    assert ae.free_return_window_days == 15 and ae.free_return_one_per_order is True
    assert "mobile phones" in ae.free_return_exclusions
    assert ae.free_return_refund_after == "the local warehouse confirms receipt"
    assert ae.return_transit_days == (10, 17) and ae.confidence["return_transit_days"] == "low"
    assert any("no exchange" in n for n in ae.notes)
    assert any('"Mall" items' in n for n in ae.notes)
    # the older figure is the starting guide's, whose notes are in the package's policies.md
    assert ae.sources["seller_response_days_older"].startswith("starting guide (calculator/data/sources/policies.md")
    # Decision v2: the free-return programme's figures and who pays the postage (policies.md A1)
    assert ae.free_return_by_default is False  # only items labelled for Free Return
    assert ae.free_return_price_cap_usd == 1000  # items over US$1,000 are excluded
    assert ae.free_return_win_probability == 1.0 and ae.confidence["free_return_win_probability"] == "low"
    assert ae.seller_pays_postage_for == ()  # the buyer's cost unless the seller agrees
    assert ae.partial_refund_available is True


def test_temu_and_ebay_figures():
    temu, ebay = get_marketplace("temu"), get_marketplace("ebay")
    # Temu return-and-refund policy, last updated 2022-11-02 (policies.md A2)
    assert (temu.dispute_window_days, temu.dispute_window_from) == (90, "purchase")
    assert temu.ship_by_days == 14 and temu.refund_processing_days == 7
    assert (temu.refund_days_min, temu.refund_days_max) == (5, 14)
    # eBay Money Back Guarantee (policies.md A3)
    assert (ebay.dispute_window_days, ebay.dispute_window_from) == (30, "receipt")
    assert (ebay.seller_response_days, ebay.seller_response_business_days) == (3, True)
    assert (ebay.ship_by_days, ebay.ship_by_business_days) == (5, True)
    assert ebay.free_return_window_days is None


def test_marketplace_money_rules():
    temu, ebay = get_marketplace("temu"), get_marketplace("ebay")
    # Temu: the first return of every order is free (prepaid label), refunded without a seller step;
    # no partial-refund procedure was found (policies.md A2)
    assert temu.free_return_by_default is True and temu.free_return_window_days == 90
    assert temu.free_return_price_cap_usd is None and temu.free_return_win_probability == 1.0
    assert temu.partial_refund_available is None and temu.seller_pays_postage_for == ()
    # Temu's exclusions are Temu's own, not AliExpress's (issue 10, item 4)
    assert "mobile phones" not in temu.free_return_exclusions
    assert "free gifts" in temu.free_return_exclusions
    # eBay Money Back Guarantee: the seller pays the return label for the seller-fault reasons,
    # not for a change of mind (policies.md A3); no marketplace-wide free-return programme
    assert ebay.seller_pays_postage_for == ("damaged", "defective", "wrong_item", "not_as_described")
    assert "changed_mind" not in ebay.seller_pays_postage_for
    assert ebay.free_return_by_default is False
    assert ebay.free_return_price_cap_usd is None and ebay.free_return_win_probability is None


def test_get_marketplace_is_case_insensitive_and_cached():
    assert get_marketplace(" AliExpress ") is get_marketplace("aliexpress")
    assert marketplaces() is marketplaces()


def test_unknown_marketplace():
    with pytest.raises(InputError) as info:
        get_marketplace("amazon")
    assert str(info.value) == "marketplace: 'amazon' unknown; choose aliexpress, ebay, temu"


def test_profiles_are_frozen():
    ae = get_marketplace("aliexpress")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ae.dispute_window_days = 30
    with pytest.raises(TypeError):
        ae.sources["x"] = "y"


def test_replace_checks_the_new_values():
    ae = get_marketplace("aliexpress")
    assert dataclasses.replace(ae, seller_response_days=10).seller_response_days == 10
    with pytest.raises(InputError, match=r"marketplace 'aliexpress': refund_days: min 30 > max 20"):
        dataclasses.replace(ae, refund_days_min=30)
    with pytest.raises(InputError, match=r"ship_by_days: -1 is not a whole number"):
        dataclasses.replace(ae, ship_by_days=-1)


# --- the timeline ---------------------------------------------------------------------------


def test_aliexpress_deadline_is_received_plus_15_days():
    # 15 days after the buyer confirms receipt (calculator/data/sources/policies.md A1; the starting guide)
    ae = get_marketplace("aliexpress")
    t = timeline(ae, "2025-12-01", "2025-12-01")
    assert t.dispute_deadline == day("2025-12-16")
    assert t.opened_on == day("2025-12-01")
    # seller 5 days, then 10 days to post the return
    assert t.seller_answer_by == day("2025-12-06")
    assert t.ship_by == day("2025-12-16")


def test_escalated_refund_latest_is_45_days_after_the_sellers_answer_date():
    # A seller who refuses or stays silent is escalated on seller_answer_by; an escalated dispute
    # can take "up to 45 days or more" (starting guide, AliExpress profile escalated_refund_days_max).
    t = timeline(get_marketplace("aliexpress"), "2025-12-01", "2025-12-05")
    assert t.seller_answer_by == day("2025-12-10")  # opened Fri 12-05 + 5 calendar days
    assert t.escalated_refund_latest == day("2026-01-24")  # 12-10 + 45 calendar days
    # arrays: the same offset for every order
    t = timeline(get_marketplace("aliexpress"), ["2025-12-01", "2025-11-20"], "2025-12-05")
    assert (t.escalated_refund_latest - t.seller_answer_by == np.timedelta64(45, "D")).all()


def test_escalated_refund_latest_is_nat_without_a_figure():
    # eBay and Temu state no figure for an escalated refund (policies.md A2, A3): no date is made up
    for mid in ("ebay", "temu"):
        t = timeline(get_marketplace(mid), "2025-12-12", "2025-12-12", purchased_on="2025-12-01")
        assert np.isnat(t.escalated_refund_latest), mid
        assert not np.isnat(t.seller_answer_by), mid


def test_aliexpress_money_dates():
    ae = get_marketplace("aliexpress")
    t = timeline(ae, "2025-12-01", "2025-12-05")  # opened Friday 2025-12-05
    # earliest: +10 transit days (Kazpost->China min) = Mon 12-15, +3 business days = Thu 12-18
    assert t.refund_return_earliest == day("2025-12-18")
    # latest: ship_by 12-20 + 30 auto-refund days = Mon 2026-01-19, +20 business days = 02-16
    assert t.refund_return_latest == day("2026-02-16")
    # partial: agreed at once (Fri + 3 business = Wed 12-10) to silence on day 5 (Wed 12-10)
    # + 20 business days = Wed 2026-01-07
    assert t.refund_partial_earliest == day("2025-12-10")
    assert t.refund_partial_latest == day("2026-01-07")


def test_business_days_skip_the_weekend():
    ebay = get_marketplace("ebay")  # seller 3 business days, ship within 5 business days
    # opened Friday 2025-12-12: Mon, Tue, Wed -> Wed 12-17
    assert timeline(ebay, "2025-12-12", "2025-12-12").seller_answer_by == day("2025-12-17")
    # opened Saturday and Sunday: counted as from Friday, so also Wed 12-17
    assert timeline(ebay, "2025-12-13", "2025-12-13").seller_answer_by == day("2025-12-17")
    assert timeline(ebay, "2025-12-14", "2025-12-14").seller_answer_by == day("2025-12-17")
    # opened Monday 12-15: Tue, Wed, Thu
    assert timeline(ebay, "2025-12-15", "2025-12-15").seller_answer_by == day("2025-12-18")
    # ship_by = Wed 12-17 + 5 business days = Wed 12-24
    assert timeline(ebay, "2025-12-12", "2025-12-12").ship_by == day("2025-12-24")


def test_calendar_days_do_not_skip_the_weekend():
    # AliExpress seller response is 5 calendar days: Fri 12-12 -> Wed 12-17 as well, but
    # Sat 12-13 -> Thu 12-18 (not the business-day Wed)
    ae = get_marketplace("aliexpress")
    assert timeline(ae, "2025-12-13", "2025-12-13").seller_answer_by == day("2025-12-18")


def test_latest_without_auto_refund_uses_transit_and_processing():
    # eBay has no auto-refund: ship_by + 17 transit days + 2 business days + 5 business days.
    ebay = get_marketplace("ebay")
    t = timeline(ebay, "2025-12-13", "2025-12-13")
    # ship_by Wed 12-24; + 17 = Sat 2026-01-10; + 2 business = Tue 01-13; + 5 business = Tue 01-20
    assert t.refund_return_latest == day("2026-01-20")


def test_window_closed_flips_the_day_after_the_deadline():
    ae = get_marketplace("aliexpress")
    received = day("2025-12-01")  # deadline 2025-12-16
    today = received + np.arange(14, 18)  # 12-15 .. 12-18
    t = timeline(ae, received, today)
    assert t.window_closed.tolist() == [False, False, True, True]
    assert (t.dispute_deadline == day("2025-12-16")).all()
    # still computed when closed, as if opened today
    assert t.seller_answer_by[-1] == day("2025-12-23")


def test_opened_on_is_receipt_when_today_is_earlier():
    ae = get_marketplace("aliexpress")
    t = timeline(ae, "2025-12-10", "2025-12-01")
    assert t.opened_on == day("2025-12-10")
    assert not t.window_closed


def test_scalar_inputs_give_0d_arrays():
    t = timeline(get_marketplace("ebay"), datetime.date(2025, 12, 1), "2025-12-01")
    assert t.dispute_deadline.shape == () and t.dispute_deadline.dtype == np.dtype("datetime64[D]")
    assert t.window_closed.dtype == bool


DATES = st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31))


@given(st.sampled_from(["aliexpress", "temu", "ebay"]), st.booleans(),
       st.lists(st.tuples(DATES, st.integers(0, 200), st.integers(-30, 200)), min_size=1,
                max_size=20))
def test_vectorized_equals_scalar(mid, free_return, rows):
    market = get_marketplace(mid)
    if free_return and market.free_return_window_days is None:
        free_return = False
    purchased = np.array([p for p, _, _ in rows], dtype="datetime64[D]")
    received = purchased + np.array([r for _, r, _ in rows])
    today = received + np.array([t for _, _, t in rows])
    vector = timeline(market, received, today, purchased_on=purchased, free_return=free_return)
    for i in range(len(rows)):
        one = timeline(market, received[i], today[i], purchased_on=purchased[i],
                       free_return=free_return)
        for f in dataclasses.fields(vector):
            a, b = getattr(vector, f.name)[i], getattr(one, f.name)
            # NaT != NaT: a date the marketplace has no figure for (Temu's and eBay's escalated
            # refund) is NaT in both
            same = (np.isnat(a) and np.isnat(b)) if f.name != "window_closed" and np.isnat(b) else a == b
            assert same, (f.name, i)
    # dates are ordered as the process is
    assert (vector.seller_answer_by >= vector.opened_on).all()
    assert (vector.ship_by >= vector.seller_answer_by).all()
    assert (vector.refund_return_latest >= vector.refund_return_earliest).all()
    assert (vector.refund_partial_latest >= vector.refund_partial_earliest).all()
    escalated = vector.escalated_refund_latest
    if market.escalated_refund_days_max is None:
        assert np.isnat(escalated).all()
    else:
        assert (escalated >= vector.seller_answer_by).all()


def test_broadcasting_received_against_today():
    ae = get_marketplace("aliexpress")
    t = timeline(ae, np.array(["2025-12-01", "2025-12-02"], dtype="datetime64[D]")[:, None],
                 np.array(["2025-12-16", "2025-12-17", "2025-12-18"], dtype="datetime64[D]"))
    assert t.window_closed.shape == (2, 3)
    assert t.window_closed.tolist() == [[False, True, True], [False, False, True]]


def test_nat_rows_stay_nat():
    ae = get_marketplace("aliexpress")
    t = timeline(ae, np.array(["2025-12-01", "NaT"], dtype="datetime64[D]"), "2025-12-05")
    assert np.isnat(t.dispute_deadline[1]) and np.isnat(t.refund_return_latest[1])
    assert t.window_closed.tolist() == [False, False]
    assert t.refund_return_latest[0] == day("2026-02-16")


def test_free_return_uses_its_window_and_drops_transit():
    ae = dataclasses.replace(get_marketplace("aliexpress"), free_return_window_days=20)
    normal = timeline(ae, "2025-12-01", "2025-12-05")
    free = timeline(ae, "2025-12-01", "2025-12-05", free_return=True)
    assert free.dispute_deadline == day("2025-12-21")
    assert normal.dispute_deadline == day("2025-12-16")
    # Fri 12-05 + 3 business days, no transit to a local warehouse figure
    assert free.refund_return_earliest == day("2025-12-10")
    assert free.refund_return_latest == normal.refund_return_latest


def test_free_return_on_a_marketplace_without_the_programme():
    with pytest.raises(InputError, match=r"free_return: eBay has no free-return programme"):
        timeline(get_marketplace("ebay"), "2025-12-01", "2025-12-05", free_return=True)


# --- Temu counts from purchase --------------------------------------------------------------


def test_temu_window_counts_from_purchase():
    # 90 days from the purchase date, not delivery (temu.com policy 2022-11-02; policies.md A2)
    temu = get_marketplace("temu")
    t = timeline(temu, "2025-12-10", "2025-12-12", purchased_on="2025-12-01")
    assert t.dispute_deadline == day("2026-03-01")
    assert t.opened_on == day("2025-12-12")
    # no seller step; 14 days to post the return
    assert t.seller_answer_by == day("2025-12-12")
    assert t.ship_by == day("2025-12-26")


def test_temu_requires_the_purchase_date():
    # Falling back to the receipt date would move the deadline later than it really is, so the
    # purchase date is required.
    with pytest.raises(InputError, match=r"purchased_on: Temu's return window counts from the "
                                         r"purchase date; pass the purchase date"):
        timeline(get_marketplace("temu"), "2025-12-10", "2025-12-12")


def test_purchase_after_receipt_is_rejected_with_rows():
    with pytest.raises(InputError, match=r"purchased_on: later than received_on in row 1;"):
        timeline(get_marketplace("temu"), ["2025-12-10", "2025-12-10"], "2025-12-12",
                 purchased_on=["2025-12-01", "2025-12-11"])
    with pytest.raises(InputError, match=r"purchased_on: later than received_on in rows 0, 1;"):
        timeline(get_marketplace("temu"), ["2025-12-10", "2025-12-10"], "2025-12-12",
                 purchased_on=["2025-12-11", "2025-12-11"])


def test_purchase_date_is_ignored_when_counting_from_receipt():
    ae = get_marketplace("aliexpress")
    t = timeline(ae, "2025-12-01", "2025-12-01", purchased_on="2025-11-01")
    assert t.dispute_deadline == day("2025-12-16")


def test_bad_date_names_the_field():
    with pytest.raises(InputError, match=r"received_on: '2025-13-01' is not a date; write YYYY-"):
        timeline(get_marketplace("aliexpress"), "2025-13-01", "2025-12-01")


def test_dates_are_read_by_the_input_grammar():
    """The timeline reads a date as a flag or a CSV cell is read (calculator.units.read_date): a
    day-first date is that day, and a day that does not exist is refused, not moved into March."""
    ae = get_marketplace("aliexpress")
    t = timeline(ae, np.array(["01.12.2025", "2025-12-01 10:00"]), "2025-12-05")
    assert t.dispute_deadline.tolist() == [day("2025-12-16")] * 2  # received + 15 days
    with pytest.raises(InputError, match=r"received_on: '2026-02-30' is not a date"):
        timeline(ae, "2026-02-30", "2026-03-05")


# --- loading files --------------------------------------------------------------------------

MINIMAL = """\
note: test profile
marketplaces:
  shop:
    name: Shop
    dispute_window_days: {value: 15, counted_from: receipt, source: s, source_date: n.d., confidence: medium}
    seller_response_days: {value: 5, unit: business_days, source: s, source_date: n.d., confidence: medium}
    seller_response_days_older: {value: null, source: s, source_date: n.a., confidence: none}
    escalation_days: {value: 7, source: s, source_date: n.d., confidence: medium}
    ship_by_days: {value: 10, source: s, source_date: n.d., confidence: medium}
    auto_refund_days: {value: 30, source: s, source_date: n.d., confidence: unverified}
    refund_processing_days: {value: null, source: s, source_date: n.a., confidence: none}
    refund_days: {value: [3, 20], unit: business_days, source: s, source_date: n.d., confidence: medium}
    escalated_refund_days_max: {value: 45, source: s, source_date: n.d., confidence: low}
    postage_refunded: {value: false, source: s, source_date: n.d., confidence: low}
    partial_refund_available: {value: true, source: s, source_date: n.d., confidence: medium}
    wins_in_a_row_risk: {value: 3, source: s, source_date: n.d., confidence: low}
    free_return_window_days: {value: null, source: s, source_date: n.a., confidence: none}
    free_return_one_per_order: {value: null, source: s, source_date: n.a., confidence: none}
    free_return_exclusions: {value: [], source: s, source_date: n.a., confidence: none}
    free_return_refund_after: {value: null, source: s, source_date: n.a., confidence: none}
    free_return_by_default: {value: false, source: s, source_date: n.d., confidence: high}
    free_return_price_cap_usd: {value: 1000, source: s, source_date: n.d., confidence: high}
    free_return_win_probability: {value: 0.95, source: s, source_date: n.d., confidence: low}
    seller_pays_postage_for: {value: [damaged, wrong_item], source: s, source_date: n.d., confidence: medium}
    return_transit_days: {value: [10, 17], source: s, source_date: 2023-05-16, confidence: low}
    notes:
      - {text: a note, source: s, source_date: n.d., confidence: low}
"""


def write(tmp_path, text):
    path = tmp_path / "markets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_a_profile_file(tmp_path):
    shop = load_marketplaces(write(tmp_path, MINIMAL))["shop"]
    assert shop.seller_response_business_days is True
    assert shop.ship_by_business_days is False
    assert shop.refund_business_days is True
    assert shop.notes == ("a note",)
    assert shop.sources["return_transit_days"] == "s (2023-05-16; confidence low)"
    # the Decision v2 figures
    assert shop.free_return_by_default is False
    assert shop.free_return_price_cap_usd == 1000
    assert shop.free_return_win_probability == 0.95
    assert shop.seller_pays_postage_for == ("damaged", "wrong_item")
    assert shop.confidence["seller_pays_postage_for"] == "medium"


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        # unknown key (a typo) in a profile
        ("    name: Shop", "    nmae: Shop", 4, "marketplaces.shop.nmae: unknown key"),
        # missing figure
        ("    ship_by_days: {value: 10, source: s, source_date: n.d., confidence: medium}\n", "",
         3, "marketplaces.shop: missing key 'ship_by_days'"),
        # missing key in a figure
        ("{value: 7, source: s, source_date: n.d., confidence: medium}",
         "{value: 7, source: s, confidence: medium}",
         8, "marketplaces.shop.escalation_days: missing key 'source_date'"),
        # wrong kind of value
        ("{value: 10, source: s", "{value: ten, source: s",
         9, "marketplaces.shop.ship_by_days.value: 'ten'; expected a whole number >= 0"),
        ("value: [3, 20]", "value: [20, 3]",
         12, "marketplaces.shop.refund_days.value: [20, 3]; expected [min, max]"),
        ("value: false, source", "value: no-way, source",
         14, "marketplaces.shop.postage_refunded.value: 'no-way'; expected true or false"),
        # required figure null
        ("{value: 15, counted_from", "{value: null, counted_from",
         5, "marketplaces.shop.dispute_window_days.value: null, but this figure is required"),
        # bad enumerations
        ("counted_from: receipt", "counted_from: delivery",
         5, "dispute_window_days.counted_from: 'delivery'; choose receipt or purchase"),
        ("{value: 5, unit: business_days", "{value: 5, unit: weeks",
         6, "seller_response_days.unit: 'weeks'; choose days, business_days"),
        ("confidence: unverified}", "confidence: sure}",
         10, "auto_refund_days.confidence: 'sure'; choose high, medium, low, unverified, none"),
        # unit where the figure has no business-day flag
        ("{value: 30, source", "{value: 30, unit: days, source",
         10, "marketplaces.shop.auto_refund_days.unit: unknown key"),
        # top level
        ("note: test profile", "notes: test profile", 1, "notes: unknown key"),
        ("  shop:", "  Shop!:", 3, "marketplaces.Shop!: an id is lower-case letters"),
        # duplicate key
        ("    name: Shop\n", "    name: Shop\n    name: Shop2\n", 5,
         "marketplaces.shop.name: duplicate key"),
        # a note without a source
        ("{text: a note, source: s, source_date: n.d., confidence: low}", "{text: a note}",
         27, "marketplaces.shop.notes.0: missing keys 'confidence', 'source', 'source_date'"),
        # the Decision v2 figures are required like the others
        ("    free_return_by_default: {value: false, source: s, source_date: n.d., confidence: high}\n", "",
         3, "marketplaces.shop: missing key 'free_return_by_default'"),
        ("{value: false, source: s, source_date: n.d., confidence: high}",
         "{value: sometimes, source: s, source_date: n.d., confidence: high}",
         21, "marketplaces.shop.free_return_by_default.value: 'sometimes'; expected true or false"),
        # a negative price cap
        ("{value: 1000, source", "{value: -5, source",
         22, "marketplaces.shop.free_return_price_cap_usd.value: -5"),
        # reasons are a list of reason codes
        ("value: [damaged, wrong_item]", "value: damaged",
         24, "marketplaces.shop.seller_pays_postage_for.value: 'damaged'; expected a list of reasons (damaged, defective, wrong_item, not_as_described, changed_mind)"),
    ],
)
def test_malformed_file_names_file_line_and_key(tmp_path, old, new, line, message):
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(CalculatorError) as info:
        load_marketplaces(path)
    text = str(info.value)
    assert text.startswith(f"{path}, line {line}: "), text
    assert message in text


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "what"),
    [
        # a reason code that does not exist (a typo): the figure's line, the bad code, the codes
        ("value: [damaged, wrong_item]", "value: [damaged, broken]", 24, "seller_pays_postage_for",
         "['damaged', 'broken']; expected a list of reasons (damaged, defective, wrong_item, not_as_described, changed_mind)"),
        # a probability above 1
        ("{value: 0.95, source", "{value: 1.5, source", 23, "free_return_win_probability",
         "1.5; expected a probability between 0 and 1"),
    ],
)
def test_bad_new_figure_points_at_its_line(tmp_path, old, new, line, key, what):
    # Like every other figure, a value that is wrong in itself is reported at its own line (not at
    # the first line of the profile), with the key path and what is wrong.
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(CalculatorError) as info:
        load_marketplaces(path)
    text = str(info.value)
    assert text.startswith(f"{path}, line {line}: "), text
    assert key in text and what in text


def test_price_cap_must_be_positive(tmp_path):
    # a cap of 0 would exclude every item: refused, naming the figure
    path = write(tmp_path, MINIMAL.replace("{value: 1000, source", "{value: 0, source", 1))
    with pytest.raises(CalculatorError, match=r"line 22: marketplaces.shop.free_return_price_cap_usd.value: 0; "
                                              r"expected a number > 0"):
        load_marketplaces(path)
    ae = get_marketplace("aliexpress")
    with pytest.raises(InputError, match=r"free_return_price_cap_usd: -1 is not a positive amount"):
        dataclasses.replace(ae, free_return_price_cap_usd=-1)
    with pytest.raises(InputError, match=r"seller_pays_postage_for: 'late' is not a reason"):
        dataclasses.replace(ae, seller_pays_postage_for=("late",))


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, MINIMAL.replace("    name: Shop", "    name: [Shop"))
    with pytest.raises(CalculatorError, match=rf"^{path}, line \d+: not valid YAML"):
        load_marketplaces(path)


def test_missing_file(tmp_path):
    with pytest.raises(CalculatorError, match=r"cannot read the marketplace file"):
        load_marketplaces(tmp_path / "absent.yaml")


def test_marketplace_rejects_bad_window_origin():
    ae = get_marketplace("aliexpress")
    with pytest.raises(InputError, match=r"dispute_window_from: 'delivery'"):
        dataclasses.replace(ae, dispute_window_from="delivery")
    assert isinstance(ae, Marketplace)
