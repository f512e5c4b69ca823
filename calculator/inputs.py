"""Every input of an estimate: its name, unit, default and where the default comes from.

This table is the single place for defaults. The same name is the Python keyword, the CSV column
and the CLI flag (``partial_refund`` ↔ ``--partial-refund``); the README's nomenclature is checked
against it by the tests.

Defaults are assumptions, not facts. ``win_probability``, ``partial_probability``, ``use_value``
and ``resale_value`` depend on what is wrong with the item (``reason``) because they move together:
a broken item is worth nothing kept and its dispute is easy to win; a usable item in the wrong
colour is worth much of its price kept and the seller argues harder. The reason is therefore
required. Sources are in ``calculator/data/sources/policies.md``, which ships with the package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Field", "FIELDS", "REASON_DEFAULTS", "REASONS", "REASON_WORDS", "BY_REASON", "SELLER_FAULT",
           "MIN_RESALE_EUR", "SOURCES_FILE", "Coded", "factorize", "field", "groups", "reason_help"]


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

    @property
    def range_text(self) -> str:
        """The valid range in words: ``0 to 1``, ``0 to 1,000,000`` (empty for text)."""
        if self.range is None:
            return ""
        low, high = (f"{x:,.0f}" if x >= 1000 and x == int(x) else f"{x:g}" for x in self.range)
        return f"more than 0 to {high}" if self.name == "price" else f"{low} to {high}"


#: Valid ranges of numeric inputs by kind (the README's nomenclature shows them).
_RANGES: dict[str, tuple[float, float]] = {
    "money": (0.0, 1e9),
    "fraction": (0.0, 1.0),
    "weight": (0.0, 1e6),  # grams: a tonne is beyond any postal service
    "length": (0.0, 1e4),  # centimetres: 100 m
    "number": (0.0, 1e4),  # hours
    "int": (0.0, 1e6),
}


#: Where every default and marketplace rule comes from; ships with the package.
SOURCES_FILE = "calculator/data/sources/policies.md"
_POLICIES = SOURCES_FILE

#: What is wrong with the item, in the reason codes returns platforms use, with a few words each.
REASON_WORDS: dict[str, str] = {
    "damaged": "arrived broken",
    "defective": "works partly or has parts missing",
    "wrong_item": "a different item than ordered",
    "not_as_described": "wrong size, colour or quality, but usable",
    "changed_mind": "nothing wrong, you no longer want it",
}
REASONS: tuple[str, ...] = tuple(REASON_WORDS)

#: The reasons for which the seller is at fault (a marketplace may make the seller pay the return).
SELLER_FAULT: tuple[str, ...] = ("damaged", "defective", "wrong_item", "not_as_described")


def reason_help() -> str:
    """The reason codes with a few words each, for help texts and the error of a missing reason.

    Examples
    --------
    >>> reason_help().split(", ")[:2]
    ['damaged (arrived broken)', 'defective (works partly or has parts missing)']
    """
    return ", ".join(f"{code} ({words})" for code, words in REASON_WORDS.items())


@dataclass(frozen=True, slots=True, kw_only=True)
class ReasonDefaults:
    """The inputs a reason sets, each with why (plain words, the source in brackets)."""

    win_probability: float
    partial_probability: float
    use_value: float
    resale_value: float
    why: dict[str, str]


_SAMPLE = f"one writer's six-month AliExpress sample, orientdeck.com, low confidence; {_POLICIES} C"
_CONSIGNMENT = f"new and unused: consignment prices are 30–70 % below retail, midpoint ({_POLICIES} B2)"
_LIQUIDATION = "liquidated returns recover 10–20 % of retail"
_PARTIAL_LIKE_RETURN = ("the same dispute for a smaller sum; no statistic on partial refunds exists, so it is "
                        f"taken as likely as the full refund (assumption; {_POLICIES} C, D)")

#: Defaults of the inputs that move with the reason, each with its source or reasoning.
REASON_DEFAULTS: dict[str, ReasonDefaults] = {
    "damaged": ReasonDefaults(
        win_probability=0.84, partial_probability=0.84, use_value=0.0, resale_value=0.10,
        why={"win_probability": f"84 % of 'damaged' disputes were refunded in {_SAMPLE}",
             "partial_probability": _PARTIAL_LIKE_RETURN,
             "use_value": "a broken item is worth nothing kept (assumption)",
             "resale_value": f"{_LIQUIDATION}; the low end for a broken item ({_POLICIES} B2)"},
    ),
    "defective": ReasonDefaults(
        win_probability=0.84, partial_probability=0.84, use_value=0.25, resale_value=0.15,
        why={"win_probability": "no separate figure; a seller-fault claim like 'damaged' (84 %, same sample; assumption)",
             "partial_probability": _PARTIAL_LIKE_RETURN,
             "use_value": "it works partly or misses parts, so some use is left (assumption)",
             "resale_value": f"{_LIQUIDATION}; the middle for a defective item ({_POLICIES} B2)"},
    ),
    "wrong_item": ReasonDefaults(
        win_probability=0.91, partial_probability=0.91, use_value=0.30, resale_value=0.50,
        why={"win_probability": f"91 % of 'wrong item' disputes were refunded in {_SAMPLE}",
             "partial_probability": _PARTIAL_LIKE_RETURN,
             "use_value": "a different item than ordered is of limited use (assumption)",
             "resale_value": _CONSIGNMENT},
    ),
    "not_as_described": ReasonDefaults(
        win_probability=0.74, partial_probability=0.74, use_value=0.50, resale_value=0.50,
        why={"win_probability": "no published figure; between 'damaged' (84 %) and 'changed mind' (63 %) in the same "
                                "sample, because a seller argues harder over a usable item (assumption)",
             "partial_probability": _PARTIAL_LIKE_RETURN,
             "use_value": "usable, only the wrong size, colour or quality (assumption)",
             "resale_value": _CONSIGNMENT},
    ),
    "changed_mind": ReasonDefaults(
        win_probability=0.15, partial_probability=0.0, use_value=0.50, resale_value=0.50,
        why={"win_probability": "buyer protection covers items not received or not as described, not a change of "
                                "mind; a seller who takes it back does so out of goodwill (assumption; "
                                f"{_POLICIES} A1, D)",
             "partial_probability": "a dispute cannot ask for a partial refund because you changed your mind",
             "use_value": "nothing is wrong with it; worth half its price to a buyer who no longer wants it "
                          "(assumption)",
             "resale_value": _CONSIGNMENT},
    ),
}

#: The inputs whose defaults depend on the reason.
BY_REASON: tuple[str, ...] = ("win_probability", "partial_probability", "use_value", "resale_value")

#: The smallest local sale worth the effort, in EUR; converted to the order currency (assumption).
MIN_RESALE_EUR = 10.0

_BY_REASON = "by reason"
_BY_MARKETPLACE = "by marketplace"

FIELDS: tuple[Field, ...] = (
    Field(name="price", kind="money", unit="order currency", help="refundable amount paid for the item"),
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
          help="use this postal service (e.g. us-usps/pmi) instead of the cheapest tracked one",
          default_text="cheapest tracked offer"),
    Field(name="postage", kind="money", unit="postage currency",
          help="known return postage (a post-office counter quote); skips the tariff lookup",
          default_text="looked up: cheapest tracked offer"),
    Field(name="postage_currency", kind="currency", unit="ISO 4217", default="",
          help="currency of --postage", default_text="the order currency"),
    Field(name="free_return", kind="bool", unit="yes/no",
          help="the item qualifies for the marketplace's free-return programme (AliExpress Free Return, "
               "Temu's free first return): a drop-off refunded on the warehouse's scan, no postage",
          default_text="Temu: yes (the first return of an order is free); others: no",
          source=f"AliExpress Free Return, Temu policy ({_POLICIES} A1, A2)"),
    Field(name="seller_pays_postage", kind="fraction", unit="0..1",
          help="share of the return postage the seller reimburses",
          default_text="eBay: 1 when the seller is at fault; otherwise 0",
          source=f"AliExpress: the buyer's cost; eBay: the seller pays for seller-fault reasons ({_POLICIES} A1, A3, D)"),
    Field(name="packaging_cost", kind="money", unit="order currency", default=0.0, help="cost of packing the return"),
    Field(name="hassle_hours", kind="number", unit="h", default=0.0, help="hours spent packing and posting the return"),
    Field(name="hourly_value", kind="money", unit="order currency per h", default=0.0,
          help="what an hour of the buyer's time is worth"),
    Field(name="reason", kind="choice", unit="code", choices=REASONS,
          help="what is wrong with the item (required): " + ", ".join(
              f"{code} = {words}" for code, words in REASON_WORDS.items()),
          default_text="required: the answer depends on it"),
    Field(name="win_probability", kind="fraction", unit="0..1", default_text=_BY_REASON,
          help="chance the return dispute is accepted (by the seller, or by the marketplace on escalation)",
          source="REASON_DEFAULTS"),
    Field(name="partial_probability", kind="fraction", unit="0..1", default_text=_BY_REASON,
          help="chance the partial refund you ask for is granted",
          source="REASON_DEFAULTS; 0 where the marketplace has no partial-refund procedure"),
    Field(name="partial_refund", kind="fraction", unit="fraction of price", default=0.5,
          help="partial refund to ask for if you keep the item",
          source=f"no published statistic ({_POLICIES} C); 0.5 from the starting guide, sensitivity range 0.2–0.7"),
    Field(name="use_value", kind="fraction", unit="fraction of price", default_text=_BY_REASON,
          help="what keeping the item is worth to you", source="REASON_DEFAULTS"),
    Field(name="resale_value", kind="fraction", unit="fraction of price", default_text=_BY_REASON,
          help="what the item would sell for locally", source="REASON_DEFAULTS"),
    Field(name="resale_fee", kind="fraction", unit="fraction of sale", default=0.0,
          help="resale platform fee",
          source=f"~0 % seller fee on Vinted, eBay UK private, Kleinanzeigen, Craigslist, local pickup ({_POLICIES} B1)"),
    Field(name="resale_cost", kind="money", unit="order currency", default=0.0,
          help="fixed cost of reselling: local postage, listing"),
    Field(name="min_resale", kind="money", unit="order currency",
          help="the smallest sale worth the effort; below it, selling locally is not an option",
          default_text=f"{MIN_RESALE_EUR:g} EUR converted to the order currency",
          source=f"assumption ({_POLICIES} D)"),
    Field(name="marketplace", kind="choice", unit="profile", default="aliexpress",
          choices=("aliexpress", "temu", "ebay"), help="marketplace whose dispute rules apply"),
    Field(name="received_on", kind="date", unit="YYYY-MM-DD", help="date the item was received",
          default_text="today"),
    Field(name="purchased_on", kind="date", unit="YYYY-MM-DD",
          help="date the order was placed (Temu counts its return window from it)",
          default_text="not needed for aliexpress and ebay"),
    Field(name="posted_on", kind="date", unit="YYYY-MM-DD",
          help="date the return is posted: the tariff version in force that day prices it", default_text="today"),
    Field(name="disputes_won_in_a_row", kind="int", unit="count", default=0,
          help="disputes you have won in a row on this marketplace (AliExpress refuses the next after 3)"),
    Field(name="mall", kind="bool", unit="yes/no", default=False,
          help="the item is an AliExpress 'Mall' item (different return procedure)"),
)

_BY_NAME = {f.name: f for f in FIELDS}


def field(name: str) -> Field:
    """The :class:`Field` called ``name``."""
    return _BY_NAME[name]
