"""Marketplace dispute rules.

Rules are data: ``calculator/data/marketplaces.yaml`` holds one profile per marketplace
(``aliexpress``, ``temu``, ``ebay``), each figure with its source, the source's date and a
confidence. They are validated once, when loaded, into frozen :class:`Marketplace` objects.
:func:`calculator.timeline.timeline` turns a profile into deadlines and money-arrival dates.
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

from . import _yaml
from .errors import DataFileError, InputError
from .i18n import N_, _, ngettext
from .inputs import REASONS

__all__ = [
    "Marketplace",
    "marketplaces",
    "load_marketplaces",
    "get_marketplace",
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
