"""Every input of an estimate: its name, unit, default and where the default comes from.

This table is the single place for defaults. The same name is the Python keyword, the CSV column
and the CLI flag (``partial_refund`` ↔ ``--partial-refund``); the README's nomenclature is checked
against it by the tests.

Defaults are assumptions, not facts. ``win_probability``, ``use_value`` and ``resale_value`` depend
on what is wrong with the item (``reason``) because they move together: a broken item is worth
nothing kept and its dispute is easy to win; a usable item in the wrong colour is worth much of its
price kept and the seller argues harder. Sources are in ``shared/reference/policies.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Field", "FIELDS", "REASON_DEFAULTS", "REASONS", "DEFAULT_REASON", "Coded", "factorize", "field", "groups"]


@dataclass(frozen=True, slots=True, eq=False)
class Coded:
    """A text column given as its distinct ``values`` and each row's index into them (``codes``),
    as a CSV reader's dictionary encoding or a pandas Categorical has it. :func:`calculator.assess`
    and the rate engine accept it for any text input and work once per distinct value."""

    values: ArrayLike
    codes: ArrayLike


def factorize(values: ArrayLike) -> tuple[NDArray[np.str_], NDArray[np.intp]]:
    """Distinct values of a text column and each row's index into them.

    Country and currency codes are short, so they are compared as integers (a ``U2`` string is
    8 bytes): sorting a million of them as numbers is several times faster than as text.
    """
    if isinstance(values, Coded):  # already factorized; distinct values may repeat after cleaning
        uniq, codes = np.asarray(values.values).astype(str), np.asarray(values.codes, dtype=np.intp)
        clean, remap = np.unique(uniq, return_inverse=True)
        return clean, remap.ravel()[codes]
    a = np.asarray(values)
    if a.dtype.kind != "U":
        a = np.where(np.equal(a, None), "", a).astype(str)
    a = np.ascontiguousarray(a)
    size = a.dtype.itemsize
    if size in (4, 8) and a.ndim == 1:
        ints = a.view(np.uint32 if size == 4 else np.uint64)
    elif size == 12 and a.ndim == 1:
        # three characters (a currency code): 21 bits each hold any code point, 63 bits in all
        c = a.view(np.uint32).reshape(-1, 3).astype(np.uint64)
        ints = (c[:, 0] << np.uint64(42)) | (c[:, 1] << np.uint64(21)) | c[:, 2]
    else:
        uniq, inverse = np.unique(a, return_inverse=True)
        return uniq, inverse.ravel()
    _, first, inverse = np.unique(ints, return_index=True, return_inverse=True)
    return a[first], inverse.ravel()


def groups(key: NDArray[np.integer], size: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Distinct values of ``key`` (non-negative integers below ``size``) and each row's index
    into them, as ``np.unique(key, return_inverse=True)`` gives, but counted instead of sorted
    when ``size`` is small next to the number of rows."""
    key = np.asarray(key, dtype=np.intp)
    if size > 4 * len(key) + 1024:
        uniq, inverse = np.unique(key, return_inverse=True)
        return uniq, inverse.ravel()
    present = np.bincount(key, minlength=size) > 0
    uniq = np.flatnonzero(present)
    rank = np.cumsum(present) - 1
    return uniq, rank[key]


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One input."""

    name: str
    kind: str  # money | fraction | weight | length | country | currency | date | choice | int | bool | text
    unit: str
    help: str
    default: object = None  # None: required, looked up, or by reason (see `default_text`)
    default_text: str = ""  # how the default is shown in docs
    source: str = ""  # where the default comes from
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def range(self) -> tuple[float, float] | None:
        """The values a numeric input may take, both ends included (``None`` for text); money and
        sizes have a generous upper end so that a typo (``1e308``) is refused, not priced."""
        return _RANGES.get(self.kind)


#: Valid ranges of numeric inputs by kind (the README's nomenclature shows them).
_RANGES: dict[str, tuple[float, float]] = {
    "money": (0.0, 1e9),
    "fraction": (0.0, 1.0),
    "weight": (0.0, 1e6),  # grams: a tonne is beyond any postal service
    "length": (0.0, 1e4),  # centimetres: 100 m
    "number": (0.0, 1e4),  # hours
    "int": (0.0, 1e6),
}

_POLICIES = "shared/reference/policies.md"

#: What is wrong with the item, in the reason codes returns platforms use.
REASONS: tuple[str, ...] = ("damaged", "defective", "wrong_item", "not_as_described", "changed_mind")

#: The reason assumed when none is given: the most common complaint in the project's starting
#: guidance (wrong size, colour or quality, but usable).
DEFAULT_REASON = "not_as_described"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReasonDefaults:
    win_probability: float
    use_value: float
    resale_value: float
    why: str


#: Defaults of w, u and r by reason, each with its source or reasoning.
REASON_DEFAULTS: dict[str, ReasonDefaults] = {
    "damaged": ReasonDefaults(
        win_probability=0.84, use_value=0.0, resale_value=0.10,
        why="w: 84% of 'damaged' disputes refunded in one writer's six-month AliExpress sample "
            f"(orientdeck.com, low confidence; {_POLICIES} C). u: a broken item is worth nothing kept "
            "(assumption). r: liquidated returns recover 10–20% of retail; the low end for a broken item "
            f"({_POLICIES} B2).",
    ),
    "defective": ReasonDefaults(
        win_probability=0.84, use_value=0.25, resale_value=0.15,
        why="w: no separate figure; a seller-fault claim like 'damaged' (84%, same sample) — assumption. "
            "u: works partly or misses parts, some use left (assumption). r: middle of the 10–20% "
            f"liquidation recovery ({_POLICIES} B2).",
    ),
    "wrong_item": ReasonDefaults(
        win_probability=0.91, use_value=0.30, resale_value=0.50,
        why="w: 91% of 'wrong item' disputes refunded (orientdeck.com sample, low confidence). u: a different "
            "item than ordered is of limited use (assumption). r: new and unused; consignment prices are "
            f"30–70% below retail, midpoint 50% ({_POLICIES} B2).",
    ),
    "not_as_described": ReasonDefaults(
        win_probability=0.74, use_value=0.50, resale_value=0.50,
        why="w: no published figure; between 'damaged' (84%) and 'changed mind' (63%) in the same sample, "
            "because the seller argues harder for a usable item (assumption). u: usable, wrong size or "
            f"colour (assumption). r: new, unused; 30–70% below retail, midpoint ({_POLICIES} B2).",
    ),
    "changed_mind": ReasonDefaults(
        win_probability=0.63, use_value=0.50, resale_value=0.50,
        why="w: 63% of 'changed mind' disputes refunded (orientdeck.com sample, low confidence). u: nothing "
            "is wrong with it; worth half its price to a buyer who no longer wants it (assumption). "
            f"r: new, unused; 30–70% below retail, midpoint ({_POLICIES} B2).",
    ),
}

_BY_REASON = "by reason"

FIELDS: tuple[Field, ...] = (
    Field(name="price", kind="money", unit="order currency", help="refundable amount paid for the item (P)"),
    Field(name="currency", kind="currency", unit="ISO 4217", help="currency the order was paid in",
          default="USD", source="assumption; give the order's currency"),
    Field(name="origin", kind="country", unit="ISO 3166-1", help="country the return is posted from"),
    Field(name="destination", kind="country", unit="ISO 3166-1", default="CN",
          help="country of the seller's return address", source="design: the return address is usually in China"),
    Field(name="weight_g", kind="weight", unit="g", help="parcel weight (accepts 450g, 0.45kg, 8oz, 1lb)"),
    Field(name="length_cm", kind="length", unit="cm", help="parcel length (or --dims LxWxH)",
          default_text="unknown: size limits not checked"),
    Field(name="width_cm", kind="length", unit="cm", help="parcel width", default_text="unknown"),
    Field(name="height_cm", kind="length", unit="cm", help="parcel height", default_text="unknown"),
    Field(name="zone", kind="text", unit="zone id", default="",
          help="zone of a domestic service priced by distance", default_text="the tariff's default_zone"),
    Field(name="service", kind="text", unit="offer key", default="",
          help="use this postal service (e.g. fcpis+registered or us-usps/pmi) instead of the cheapest tracked one",
          default_text="cheapest tracked offer"),
    Field(name="postage", kind="money", unit="postage currency",
          help="known return postage (a post-office counter quote); skips the tariff lookup (S)",
          default_text="looked up: cheapest tracked offer"),
    Field(name="postage_currency", kind="currency", unit="ISO 4217", default="",
          help="currency of --postage", default_text="the order currency"),
    Field(name="free_return", kind="bool", unit="yes/no", default=False,
          help="the item qualifies for a free-return programme (AliExpress Free Return, Temu's first return): postage 0",
          source=f"AliExpress Free Return, Temu policy ({_POLICIES} A1, A2)"),
    Field(name="seller_pays_postage", kind="fraction", unit="0..1", default=0.0,
          help="share of the postage the seller reimburses (σ)",
          source=f"AliExpress: return postage is the buyer's cost and not refunded ({_POLICIES} A1; design §4)"),
    Field(name="packaging_cost", kind="money", unit="order currency", default=0.0, help="cost of packing the return"),
    Field(name="hassle_hours", kind="number", unit="h", default=0.0, help="hours spent packing and posting the return"),
    Field(name="hourly_value", kind="money", unit="order currency per h", default=0.0,
          help="what an hour of the buyer's time is worth"),
    Field(name="reason", kind="choice", unit="code", default=DEFAULT_REASON, choices=REASONS,
          help="what is wrong with the item; sets the defaults of win_probability, use_value, resale_value",
          source="the most common complaint in the project's starting guidance (assumption)"),
    Field(name="win_probability", kind="fraction", unit="0..1", default_text=_BY_REASON,
          help="chance the return dispute ends in a full refund (w)", source="REASON_DEFAULTS"),
    Field(name="partial_refund", kind="fraction", unit="fraction of price", default=0.5,
          help="partial refund offered if you keep the item (f)",
          source="no published statistic (policies.md C); 0.5 from the project's starting guidance, "
                 "sensitivity range 0.2–0.7"),
    Field(name="use_value", kind="fraction", unit="fraction of price", default_text=_BY_REASON,
          help="what keeping the item is worth to you (u)", source="REASON_DEFAULTS"),
    Field(name="resale_value", kind="fraction", unit="fraction of price", default_text=_BY_REASON,
          help="what the item would sell for locally (r)", source="REASON_DEFAULTS"),
    Field(name="resale_fee", kind="fraction", unit="fraction of sale", default=0.0,
          help="resale platform fee (φ)",
          source=f"~0% seller fee on Vinted, eBay UK private, Kleinanzeigen, Craigslist, local pickup ({_POLICIES} B1)"),
    Field(name="resale_cost", kind="money", unit="order currency", default=0.0,
          help="fixed cost of reselling: local postage, listing (k)"),
    Field(name="marketplace", kind="choice", unit="profile", default="aliexpress",
          choices=("aliexpress", "temu", "ebay"), help="marketplace whose dispute rules apply"),
    Field(name="received_on", kind="date", unit="YYYY-MM-DD", help="date the item was received",
          default_text="today"),
    Field(name="purchased_on", kind="date", unit="YYYY-MM-DD",
          help="date the order was placed (Temu counts its return window from it)",
          default_text="not needed for aliexpress and ebay"),
    Field(name="disputes_won_in_a_row", kind="int", unit="count", default=0,
          help="disputes you have won in a row on this marketplace (risk of being refused or blacklisted)"),
    Field(name="mall", kind="bool", unit="yes/no", default=False,
          help="the item is an AliExpress 'Mall' item (different return procedure)"),
)

_BY_NAME = {f.name: f for f in FIELDS}


def field(name: str) -> Field:
    """The :class:`Field` called ``name``."""
    return _BY_NAME[name]
