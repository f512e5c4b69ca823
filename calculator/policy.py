"""Marketplace dispute rules and the timeline of a return or a partial refund.

Rules are data: ``calculator/data/marketplaces.yaml`` holds one profile per marketplace
(``aliexpress``, ``temu``, ``ebay``), each figure with its source, the source's date and a
confidence. They are validated once, when loaded, into frozen :class:`Marketplace` objects.

:func:`timeline` turns a profile and the day the item was received into deadlines and the range
of days on which the money can arrive, for arrays of orders at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _yaml
from .errors import DataFileError, InputError
from .i18n import N_, _, ngettext
from .inputs import REASONS

__all__ = [
    "Marketplace",
    "Timeline",
    "marketplaces",
    "load_marketplaces",
    "get_marketplace",
    "timeline",
]

CONFIDENCE = ("high", "medium", "low", "unverified", "none")


@dataclass(frozen=True, slots=True, kw_only=True)
class Marketplace:
    """The dispute and return rules of one marketplace.

    Day counts are calendar days unless the matching ``*_business_days`` flag is set (then
    Monday to Friday). ``None`` means no figure was found.

    Parameters
    ----------
    id
        Short name used on the command line (``aliexpress``).
    name
        Display name.
    dispute_window_days
        Last day to open a dispute, counted from ``dispute_window_from``. [d]
    dispute_window_from
        ``"receipt"`` (the day the buyer received the item) or ``"purchase"``.
    seller_response_days
        Days the seller has to answer a dispute; on AliExpress silence executes the buyer's
        requested amount. [d]
    seller_response_business_days
        True if ``seller_response_days`` are business days.
    seller_response_days_older
        The figure in older guidance, where sources differ (AliExpress: 10). [d]
    escalation_days
        Days after the dispute is opened when the marketplace steps in or can be asked to. [d]
    escalation_business_days
        True if ``escalation_days`` are business days.
    ship_by_days
        Days the buyer has to post the return after the seller accepts it. [d]
    ship_by_business_days
        True if ``ship_by_days`` are business days.
    auto_refund_days
        Days after the buyer posts the return when the refund is issued even if the seller does
        not confirm receipt (AliExpress: 30, unverified). [d]
    refund_processing_days
        Days after the return arrives until the refund is issued. [d]
    refund_processing_business_days
        True if ``refund_processing_days`` are business days.
    refund_days_min, refund_days_max
        Days from the refund being issued until the money arrives. [d]
    refund_business_days
        True if the refund days are business days.
    escalated_refund_days_max
        Upper bound on the refund when the dispute is escalated. [d]
    postage_refunded
        True if the marketplace or seller normally pays the return postage.
    partial_refund_available
        True if a partial refund with the item kept is a documented procedure.
    wins_in_a_row_risk
        Number of disputes won in a row from which the account is at risk. [disputes]
    free_return_window_days
        Window of the free-return programme, counted like the dispute window. [d]
    free_return_one_per_order
        True if only one free return per order is allowed.
    free_return_exclusions
        Item kinds the free-return programme excludes.
    free_return_refund_after
        The event after which a free return is refunded.
    free_return_by_default
        True if every order gets the free-return programme unless the buyer says otherwise
        (Temu: the first return of each order is free).
    free_return_price_cap_usd
        Items dearer than this are excluded from the free-return programme. [USD]
    free_return_win_probability
        Chance a free return is refunded (a drop-off refunded on the warehouse's scan). [0..1]
    seller_pays_postage_for
        Reasons for which the seller pays the return postage (eBay: the seller-fault reasons).
    return_transit_days
        (min, max) days a return parcel takes to reach the seller. [d]
    notes
        Rules that are not numbers (no exchange; Mall items differ), each with its source.
    sources
        For each field above, a one-line source with its date and confidence.
    confidence
        For each field above: high, medium, low, unverified or none.

    Examples
    --------
    >>> ae = get_marketplace("aliexpress")
    >>> ae.dispute_window_days, ae.dispute_window_from, ae.seller_response_days
    (15, 'receipt', 5)
    >>> ae.confidence["auto_refund_days"]
    'unverified'
    """

    id: str
    name: str
    dispute_window_days: int
    dispute_window_from: str = "receipt"
    seller_response_days: int
    seller_response_business_days: bool = False
    seller_response_days_older: int | None = None
    escalation_days: int | None = None
    escalation_business_days: bool = False
    ship_by_days: int
    ship_by_business_days: bool = False
    auto_refund_days: int | None = None
    refund_processing_days: int | None = None
    refund_processing_business_days: bool = False
    refund_days_min: int
    refund_days_max: int
    refund_business_days: bool = False
    escalated_refund_days_max: int | None = None
    postage_refunded: bool = False
    partial_refund_available: bool | None = None
    wins_in_a_row_risk: int | None = None
    free_return_window_days: int | None = None
    free_return_one_per_order: bool | None = None
    free_return_exclusions: tuple[str, ...] = ()
    free_return_refund_after: str | None = None
    free_return_by_default: bool = False
    free_return_price_cap_usd: float | None = None
    free_return_win_probability: float | None = None
    seller_pays_postage_for: tuple[str, ...] = ()
    return_transit_days: tuple[int, int]
    notes: tuple[str, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)
    confidence: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        set_ = functools.partial(object.__setattr__, self)
        set_("return_transit_days", tuple(self.return_transit_days))
        set_("free_return_exclusions", tuple(self.free_return_exclusions))
        set_("seller_pays_postage_for", tuple(self.seller_pays_postage_for))
        set_("notes", tuple(self.notes))
        set_("sources", MappingProxyType(dict(self.sources)))
        set_("confidence", MappingProxyType(dict(self.confidence)))
        problems = _problems(self)
        if problems:
            key, what = problems[0]
            raise InputError(_("marketplace {id!r}: {key}: {problem}").format(id=self.id, key=key, problem=what))


_DAY_FIELDS = (
    "dispute_window_days", "seller_response_days", "ship_by_days", "refund_days_min",
    "refund_days_max",
)
_OPTIONAL_DAY_FIELDS = (
    "seller_response_days_older", "escalation_days", "auto_refund_days", "refund_processing_days",
    "escalated_refund_days_max", "wins_in_a_row_risk", "free_return_window_days",
)


def _is_count(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 0


def _problems(m: Marketplace) -> list[tuple[str, str]]:
    """Each (field, what is wrong) of a profile, in the current language; empty if it is consistent."""
    out = []
    for name in _DAY_FIELDS:
        if not _is_count(getattr(m, name)):
            out.append((name, _("{value!r} is not a whole number of days >= 0").format(value=getattr(m, name))))
    for name in _OPTIONAL_DAY_FIELDS:
        value = getattr(m, name)
        if value is not None and not _is_count(value):
            out.append((name, _("{value!r} is not a whole number >= 0 or null").format(value=value)))
    if m.dispute_window_from not in ("receipt", "purchase"):
        out.append(("dispute_window_from",
                    _("{value!r}; choose receipt or purchase").format(value=m.dispute_window_from)))
    if not out and m.refund_days_min > m.refund_days_max:
        out.append(("refund_days", _("min {low} > max {high}").format(low=m.refund_days_min, high=m.refund_days_max)))
    cap = m.free_return_price_cap_usd
    if cap is not None and not (isinstance(cap, (int, float)) and not isinstance(cap, bool) and cap > 0):
        out.append(("free_return_price_cap_usd", _("{value!r} is not a positive amount or null").format(value=cap)))
    fw = m.free_return_win_probability
    if fw is not None and not (isinstance(fw, (int, float)) and not isinstance(fw, bool) and 0 <= fw <= 1):
        out.append(("free_return_win_probability",
                    _("{value!r} is not a probability between 0 and 1 or null").format(value=fw)))
    unknown = [r for r in m.seller_pays_postage_for if r not in REASONS]
    if unknown:
        out.append(("seller_pays_postage_for", _("{value!r} is not a reason; reasons: {reasons}").format(
            value=unknown[0], reasons=", ".join(REASONS))))
    transit = m.return_transit_days
    if len(transit) != 2 or not all(_is_count(x) for x in transit) or transit[0] > transit[1]:
        out.append(("return_transit_days", _("{value!r}; give [min, max] days, min <= max").format(value=transit)))
    return out


# --------------------------------------------------------------------------------------------
# loading


class _Doc:
    """A YAML document (read by :mod:`calculator._yaml`) plus the line of every key, so errors
    point at the line."""

    def __init__(self, text: str, name: str, path: str | Path | None = None) -> None:
        self.name = name
        self._doc = _yaml.parse(text, label=name, path=path)
        self.data = self._doc.data
        self.lines = self._doc.lines

    def error(self, path: tuple[str, ...], what: str, *,
              line: int | None = None) -> DataFileError:
        if line is None:
            probe = path
            while probe and probe not in self.lines:
                probe = probe[:-1]
            line = self.lines.get(probe)
        return self._doc.error(what, line=line, key=".".join(path) if path else _("top level"))

    def mapping(self, path: tuple[str, ...], node: Any, required: set[str],
                optional: set[str] = frozenset()) -> Mapping[str, Any]:
        if not isinstance(node, Mapping):
            raise self.error(path, _("expected a mapping with keys {keys}").format(keys=", ".join(sorted(required))))
        unknown = sorted(str(k) for k in set(node) - required - optional)
        if unknown:
            raise self.error((*path, unknown[0]), _("unknown key; allowed here: {keys}").format(
                keys=", ".join(sorted(required | optional))))
        absent = sorted(required - set(node))
        if absent:
            raise self.error(path, ngettext("missing key {keys}", "missing keys {keys}", len(absent)).format(
                keys=", ".join(repr(k) for k in absent)))
        return node


# yaml key -> (kind of value, may be null, extra keys allowed in the figure)
_FIGURES: dict[str, tuple[str, bool, frozenset[str]]] = {
    "dispute_window_days": ("count", False, frozenset({"counted_from"})),
    "seller_response_days": ("count", False, frozenset({"unit"})),
    "seller_response_days_older": ("count", True, frozenset()),
    "escalation_days": ("count", True, frozenset({"unit"})),
    "ship_by_days": ("count", False, frozenset({"unit"})),
    "auto_refund_days": ("count", True, frozenset()),
    "refund_processing_days": ("count", True, frozenset({"unit"})),
    "refund_days": ("range", False, frozenset({"unit"})),
    "escalated_refund_days_max": ("count", True, frozenset()),
    "postage_refunded": ("bool", False, frozenset()),
    "partial_refund_available": ("bool", True, frozenset()),
    "wins_in_a_row_risk": ("count", True, frozenset()),
    "free_return_window_days": ("count", True, frozenset()),
    "free_return_one_per_order": ("bool", True, frozenset()),
    "free_return_exclusions": ("texts", False, frozenset()),
    "free_return_refund_after": ("text", True, frozenset()),
    "free_return_by_default": ("bool", False, frozenset()),
    "free_return_price_cap_usd": ("positive", True, frozenset()),
    "free_return_win_probability": ("probability", True, frozenset()),
    "seller_pays_postage_for": ("reasons", False, frozenset()),
    "return_transit_days": ("range", False, frozenset()),
}
_FIGURE_KEYS = {"value", "source", "source_date", "confidence"}
_UNITS = {"days": False, "business_days": True}
_ID = re.compile(r"^[a-z0-9_-]+$")


def _value_ok(kind: str, value: Any) -> str | None:
    """None if ``value`` fits ``kind``, else what is expected (in the current language)."""
    if kind == "count":
        return None if _is_count(value) else _("a whole number >= 0")
    if kind == "range":
        ok = (isinstance(value, list) and len(value) == 2 and all(_is_count(x) for x in value)
              and value[0] <= value[1])
        return None if ok else _("[min, max], whole numbers >= 0, min <= max")
    if kind == "bool":
        return None if isinstance(value, bool) else _("true or false")
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "positive":
        return None if number and value > 0 else _("a number > 0")
    if kind == "probability":
        return None if number and 0 <= value <= 1 else _("a probability between 0 and 1")
    if kind == "reasons":
        ok = isinstance(value, list) and all(x in REASONS for x in value)
        return None if ok else _("a list of reasons ({reasons})").format(reasons=", ".join(REASONS))
    if kind == "text":
        return None if isinstance(value, str) and value.strip() else _("a text")
    ok = isinstance(value, list) and all(isinstance(x, str) for x in value)
    return None if ok else _("a list of texts")


def _figure(doc: _Doc, path: tuple[str, ...], node: Any, kind: str, nullable: bool,
            extra: frozenset[str]) -> tuple[Any, Mapping[str, Any]]:
    fig = doc.mapping(path, node, _FIGURE_KEYS, {"note", "other"} | extra)
    if fig["confidence"] not in CONFIDENCE:
        raise doc.error((*path, "confidence"), _("{value!r}; choose {choices}").format(
            value=fig["confidence"], choices=", ".join(CONFIDENCE)))
    value = fig["value"]
    if value is None:
        if not nullable:
            raise doc.error((*path, "value"), _("null, but this figure is required; give {expected}").format(
                expected=_value_ok(kind, None)))
    elif (expected := _value_ok(kind, value)) is not None:
        raise doc.error((*path, "value"), _("{value!r}; expected {expected}").format(value=value, expected=expected))
    for i, other in enumerate(fig.get("other") or []):
        doc.mapping((*path, "other", str(i)), other, _FIGURE_KEYS, {"note"})
    if "unit" in fig and fig["unit"] not in _UNITS:
        raise doc.error((*path, "unit"), _("{value!r}; choose {choices}").format(value=fig["unit"],
                                                                                   choices=", ".join(_UNITS)))
    if "counted_from" in extra and fig.get("counted_from") not in ("receipt", "purchase"):
        raise doc.error((*path, "counted_from"), _("{value!r}; choose receipt or purchase").format(
            value=fig.get("counted_from")))
    return value, fig


def _profile(doc: _Doc, mid: str, node: Any) -> Marketplace:
    path = ("marketplaces", mid)
    if not _ID.match(mid):
        raise doc.error(path, _("an id is lower-case letters, digits, '-' or '_'"))
    prof = doc.mapping(path, node, {"name", "notes", *_FIGURES})
    kwargs: dict[str, Any] = {"id": mid, "name": str(prof["name"])}
    sources: dict[str, str] = {}
    confidence: dict[str, str] = {}
    for key, (kind, nullable, extra) in _FIGURES.items():
        value, fig = _figure(doc, (*path, key), prof[key], kind, nullable, extra)
        line = " ".join(str(fig["source"]).split())
        sources[key] = f"{line} ({fig['source_date']}; confidence {fig['confidence']})"
        confidence[key] = fig["confidence"]
        if key == "refund_days":
            kwargs["refund_days_min"], kwargs["refund_days_max"] = value
        elif key in ("return_transit_days", "free_return_exclusions", "seller_pays_postage_for"):
            kwargs[key] = tuple(value)
        else:
            kwargs[key] = value
        if key == "dispute_window_days":
            kwargs["dispute_window_from"] = fig["counted_from"]
        elif "unit" in extra:  # refund_days -> refund_business_days, ship_by_days -> ship_by_...
            kwargs[key.removesuffix("_days") + "_business_days"] = _UNITS[fig.get("unit", "days")]
    notes = prof["notes"]
    if not isinstance(notes, list):
        raise doc.error((*path, "notes"), _("expected a list of {keys}").format(
            keys="{text, source, source_date, confidence}"))
    texts = []
    for i, note in enumerate(notes):
        note_path = (*path, "notes", str(i))
        entry = doc.mapping(note_path, note, {"text", "source", "source_date", "confidence"})
        if entry["confidence"] not in CONFIDENCE:
            raise doc.error((*note_path, "confidence"), _("{value!r}; choose {choices}").format(
                value=entry["confidence"], choices=", ".join(CONFIDENCE)))
        texts.append(" ".join(str(entry["text"]).split()))
    kwargs["notes"] = tuple(texts)
    kwargs["sources"] = sources
    kwargs["confidence"] = confidence
    try:
        return Marketplace(**kwargs)
    except InputError as exc:
        raise doc.error(path, str(exc)) from None


def _parse_marketplaces(text: str, name: str, path: str | Path | None = None) -> Mapping[str, Marketplace]:
    doc = _Doc(text, name, path)
    top = doc.mapping((), doc.data, {"marketplaces"}, {"note"})
    profiles = top["marketplaces"]
    if not isinstance(profiles, Mapping) or not profiles:
        raise doc.error(("marketplaces",), _("expected a mapping of marketplace id to profile"))
    return MappingProxyType({str(mid): _profile(doc, str(mid), node)
                             for mid, node in profiles.items()})


def load_marketplaces(path: str | Path) -> Mapping[str, Marketplace]:
    """Load marketplace profiles from a file in the format of ``data/marketplaces.yaml``.

    Parameters
    ----------
    path
        The YAML file.

    Returns
    -------
    Mapping of str to Marketplace
        Keyed by marketplace id, in file order.

    Raises
    ------
    DataFileError
        ``<file>, line <n>: <key path>: <what>``: syntax errors, unknown or missing keys, values
        of the wrong kind, inconsistent ranges.
    """
    text = _yaml.read_text(path, what=N_("the marketplace file"))
    return _parse_marketplaces(text, str(path), path)


@functools.cache
def marketplaces() -> Mapping[str, Marketplace]:
    """The bundled profiles (``aliexpress``, ``temu``, ``ebay``), loaded and validated once.

    Examples
    --------
    >>> sorted(marketplaces())
    ['aliexpress', 'ebay', 'temu']
    """
    text = (resources.files(__package__) / "data" / "marketplaces.yaml").read_text(encoding="utf-8")
    return _parse_marketplaces(text, "calculator/data/marketplaces.yaml")


def get_marketplace(name: str) -> Marketplace:
    """The bundled profile called ``name`` (case-insensitive).

    Raises
    ------
    InputError
        ``marketplace: 'amazon' unknown; choose aliexpress, ebay, temu``.

    Examples
    --------
    >>> get_marketplace("Temu").dispute_window_from
    'purchase'
    """
    profiles = marketplaces()
    key = str(name).strip().lower()
    if key not in profiles:
        raise InputError(_("marketplace: {value!r} unknown; choose {choices}").format(
            value=name, choices=", ".join(sorted(profiles))))
    return profiles[key]


# --------------------------------------------------------------------------------------------
# the timeline


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Timeline:
    """Deadlines and money-arrival dates of one dispute, per order (datetime64[D] arrays).

    All arrays have the broadcast shape of the inputs (0-d for scalar inputs); NaT where an input
    date is NaT or the marketplace has no figure for a step (``window_closed`` is False there).

    Attributes
    ----------
    opened_on
        Assumed day the dispute or return is opened: the later of today and the day received.
    dispute_deadline
        Last day to open a dispute (or a free return).
    seller_answer_by
        Last day of the seller's answer period; if the seller has refused or not answered by
        then, the buyer escalates to the marketplace that day.
    escalated_refund_latest
        Latest day an escalated dispute is expected to end (NaT where the marketplace states no
        figure; AliExpress: 45 days or more, starting guide).
    ship_by
        Latest day to post the return if the seller answers on the last day.
    refund_return_earliest, refund_return_latest
        Range of days the full refund of a return arrives.
    refund_partial_earliest, refund_partial_latest
        Range of days an agreed partial refund arrives.
    window_closed
        True where today is after ``dispute_deadline``.
    """

    opened_on: NDArray[np.datetime64]
    dispute_deadline: NDArray[np.datetime64]
    seller_answer_by: NDArray[np.datetime64]
    escalated_refund_latest: NDArray[np.datetime64]
    ship_by: NDArray[np.datetime64]
    refund_return_earliest: NDArray[np.datetime64]
    refund_return_latest: NDArray[np.datetime64]
    refund_partial_earliest: NDArray[np.datetime64]
    refund_partial_latest: NDArray[np.datetime64]
    window_closed: NDArray[np.bool_]


_NAT = np.datetime64("NaT", "D")


def _dates(value: ArrayLike, name: str) -> NDArray[np.datetime64]:
    try:
        return np.asarray(value, dtype="datetime64[D]")
    except (TypeError, ValueError):
        raise InputError(_("{field}: {value!r} is not a date; write YYYY-MM-DD").format(
            field=name, value=value)) from None


def _after(dates: NDArray[np.datetime64], days: int | None, business: bool = False
           ) -> NDArray[np.datetime64]:
    """The day ``days`` days after each date; business days are the n-th Monday-to-Friday after.

    ``roll="backward"`` first moves a weekend date to the Friday before, so 3 business days after
    a Saturday is the Wednesday, as after the Friday. Public holidays are not known.
    """
    if days is None:
        return np.full(dates.shape, _NAT)
    if business and days:
        return np.asarray(np.busday_offset(dates, days, roll="backward"))
    return dates + np.timedelta64(days, "D")


def timeline(
    market: Marketplace,
    received_on: ArrayLike,
    today: ArrayLike,
    *,
    purchased_on: ArrayLike | None = None,
    free_return: bool = False,
) -> Timeline:
    """Deadlines and money-arrival dates for orders on one marketplace.

    Parameters
    ----------
    market
        The marketplace's rules (:func:`get_marketplace`).
    received_on
        Day the buyer received the item; a date, ``YYYY-MM-DD`` text or array. [date]
    today
        Day of the estimate (the dispute is assumed opened then, or on receipt if later);
        broadcasts against ``received_on``. [date]
    purchased_on
        Day of purchase; required for a marketplace whose window counts from the purchase
        (Temu), ignored otherwise. [date]
    free_return
        Use the free-return programme's window instead of the dispute window.

    Returns
    -------
    Timeline
        datetime64[D] arrays (0-d for scalar inputs) and the boolean ``window_closed``.

    Raises
    ------
    InputError
        A date that cannot be read; ``purchased_on`` missing for a window counted from purchase,
        or later than ``received_on``; ``free_return`` on a marketplace without the programme.

    Notes
    -----
    The dates are estimates from the limits the marketplace states (see the sources on
    ``market.sources``); real disputes often end sooner, and a seller who disputes the facts or
    an escalation can take longer (AliExpress: up to ``escalated_refund_days_max`` = 45 days or
    more, starting guidance). Write ``d + n`` for the n-th calendar day after d, and
    ``d +b n`` for the n-th Monday-to-Friday after d (the figure's unit in the YAML decides which;
    public holidays are not skipped). With the profile's figures:

    - ``opened = max(today, received_on)``.
    - ``dispute_deadline = start + dispute_window_days``, where start is ``received_on`` or, for
      a window counted from purchase, ``purchased_on`` (AliExpress 15 days after receipt, eBay
      30 after delivery, Temu 90 after purchase; policies.md A1-A3). With ``free_return`` the
      window is ``free_return_window_days`` (AliExpress 15, Temu 90).
    - ``window_closed = today > dispute_deadline``: the dates below are still computed, as if
      the dispute were opened today.
    - ``seller_answer_by = opened + seller_response_days`` (AliExpress 5, eBay 3 business,
      Temu 0: no seller step).
    - ``escalated_refund_latest = seller_answer_by + escalated_refund_days_max``: a seller who
      refuses or stays silent is escalated on ``seller_answer_by``; an escalated dispute can take
      this long or more (AliExpress 45 days, starting guide).
    - ``ship_by = seller_answer_by + ship_by_days`` (AliExpress 10, eBay 5 business, Temu 14):
      the latest day to post the return if the seller answers on the last day.
    - ``refund_return_earliest = (opened + transit_min) +b refund_days_min``: the seller accepts
      at once, the buyer posts the same day, the parcel takes the shortest transit (Kazpost to
      China 10 days, low confidence) and the refund arrives as fast as stated. With
      ``free_return`` the parcel goes to a local warehouse, for which no transit figure exists,
      so the transit term is dropped (0).
    - ``refund_return_latest = (ship_by + auto_refund_days) +b refund_days_max``: the buyer
      posts on the last day, the seller never confirms, the refund is automatic (AliExpress 30
      days after dispatch, unverified). For a marketplace without an auto-refund rule (Temu,
      eBay): ``((ship_by + transit_max) + refund_processing_days) +b refund_days_max`` (transit
      17 days; Temu processes within 7 days, eBay sellers refund within 2 business days).
    - ``refund_partial_earliest = opened +b refund_days_min``: the seller agrees the same day.
    - ``refund_partial_latest = seller_answer_by +b refund_days_max``: the seller agrees on the
      last day, or stays silent and the buyer's amount is executed (AliExpress rule).

    Refund days are business days on all three profiles (AliExpress 3-20, Temu 5-14, eBay 3-5).
    To see the older AliExpress guidance, pass
    ``dataclasses.replace(market, seller_response_days=market.seller_response_days_older)``.

    Examples
    --------
    Received Monday 2025-12-01, estimated on Friday 2025-12-05 (AliExpress: 15-day window, seller
    answers within 5 days, return posted within 10, refund 3-20 business days):

    >>> ae = get_marketplace("aliexpress")
    >>> t = timeline(ae, "2025-12-01", "2025-12-05")
    >>> str(t.dispute_deadline), str(t.seller_answer_by), str(t.ship_by), bool(t.window_closed)
    ('2025-12-16', '2025-12-10', '2025-12-20', False)
    >>> str(t.refund_return_earliest), str(t.refund_return_latest)
    ('2025-12-18', '2026-02-16')
    >>> str(t.refund_partial_earliest), str(t.refund_partial_latest)
    ('2025-12-10', '2026-01-07')

    The same with arrays (the second order is past its deadline):

    >>> t = timeline(ae, ["2025-12-01", "2025-11-01"], "2025-12-05")
    >>> t.dispute_deadline
    array(['2025-12-16', '2025-11-16'], dtype='datetime64[D]')
    >>> t.window_closed
    array([False,  True])
    """
    received = _dates(received_on, "received_on")
    now = _dates(today, "today")
    if market.dispute_window_from == "purchase":
        if purchased_on is None:
            raise InputError(_("purchased_on: {marketplace}'s return window counts from the purchase date; pass the "
                               "purchase date (purchased_on, --purchased-on)").format(marketplace=market.name))
        start = _dates(purchased_on, "purchased_on")
        late = np.broadcast_to(start > received, np.broadcast_shapes(start.shape, received.shape))
        if late.any():
            rows = np.flatnonzero(late.ravel())
            shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if rows.size > 5 else "")
            raise InputError(ngettext("purchased_on: later than received_on in row {rows}; check the two dates",
                                      "purchased_on: later than received_on in rows {rows}; check the two dates",
                                      int(rows.size)).format(rows=shown))
    else:
        start = received
    if free_return:
        if market.free_return_window_days is None:
            raise InputError(_("free_return: {marketplace} has no free-return programme in the bundled rules; leave out "
                               "free_return (--free-return)").format(marketplace=market.name))
        window = market.free_return_window_days
    else:
        window = market.dispute_window_days

    shape = np.broadcast_shapes(start.shape, received.shape, now.shape)
    start, received, now = (np.broadcast_to(a, shape) for a in (start, received, now))
    deadline = start + np.timedelta64(window, "D")
    opened = np.maximum(now, received)
    answer_by = _after(opened, market.seller_response_days, market.seller_response_business_days)
    ship_by = _after(answer_by, market.ship_by_days, market.ship_by_business_days)

    transit_min, transit_max = market.return_transit_days
    posted_arrives = opened if free_return else _after(opened, transit_min)
    return_earliest = _after(posted_arrives, market.refund_days_min, market.refund_business_days)
    if market.auto_refund_days is not None:
        issued_by = _after(ship_by, market.auto_refund_days)
    else:
        issued_by = _after(_after(ship_by, transit_max), market.refund_processing_days,
                           market.refund_processing_business_days)
    return_latest = _after(issued_by, market.refund_days_max, market.refund_business_days)

    return Timeline(
        opened_on=opened,
        dispute_deadline=deadline,
        seller_answer_by=answer_by,
        escalated_refund_latest=_after(answer_by, market.escalated_refund_days_max),
        ship_by=ship_by,
        refund_return_earliest=return_earliest,
        refund_return_latest=return_latest,
        refund_partial_earliest=_after(opened, market.refund_days_min,
                                       market.refund_business_days),
        refund_partial_latest=_after(answer_by, market.refund_days_max,
                                     market.refund_business_days),
        window_closed=np.asarray(now > deadline),
    )

