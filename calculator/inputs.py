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

from .formatting import number
from .i18n import N_, _

__all__ = ["Field", "FIELDS", "REASON_DEFAULTS", "REASONS", "REASON_WORDS", "BY_REASON", "SELLER_FAULT",
           "MIN_RESALE_EUR", "SOURCES_FILE", "field", "reason_help"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One input.

    ``unit`` (where it is a word), ``help``, ``default_text`` and ``label`` are English, marked for
    translation: show them as ``_(f.help)``.
    """

    name: str
    kind: str  # money | fraction | weight | length | country | currency | date | choice | int | bool | text
    unit: str
    help: str
    default: object = None  # None: required, looked up, or by reason (see `default_text`)
    default_text: str = ""  # how the default is shown in docs
    source: str = ""  # where the default comes from
    choices: tuple[str, ...] = ()
    label: str = ""  # the input in a few words, for table rows and chart axes ("" for the name's words)

    @property
    def words(self) -> str:
        """:attr:`label` in the current language (the name's words where there is none)."""
        return _(self.label) if self.label else self.name.replace("_", " ")

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
        """The valid range in words, in the current language: ``0 to 1``, ``0 to 1,000,000`` (empty
        for text)."""
        if self.range is None:
            return ""
        low, high = (number(x, 0 if x == int(x) else 6) for x in self.range)
        if self.name == "price":
            return _("more than 0 to {high}").format(high=high)
        return _("{low} to {high}").format(low=low, high=high)


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
#: English, marked for translation: show them as ``_(REASON_WORDS[code])``.
REASON_WORDS: dict[str, str] = {
    "damaged": N_("arrived broken"),
    "defective": N_("works partly or has parts missing"),
    "wrong_item": N_("a different item than ordered"),
    "not_as_described": N_("wrong size, colour or quality, but usable"),
    "changed_mind": N_("nothing wrong, you no longer want it"),
}
REASONS: tuple[str, ...] = tuple(REASON_WORDS)

#: The reasons for which the seller is at fault (a marketplace may make the seller pay the return).
SELLER_FAULT: tuple[str, ...] = ("damaged", "defective", "wrong_item", "not_as_described")


def reason_help() -> str:
    """The reason codes with a few words each (in the current language), for help texts and the
    error of a missing reason.

    Examples
    --------
    >>> reason_help().split(", ")[:2]
    ['damaged (arrived broken)', 'defective (works partly or has parts missing)']
    """
    return ", ".join(f"{code} ({_(words)})" for code, words in REASON_WORDS.items())


@dataclass(frozen=True, slots=True, kw_only=True)
class ReasonDefaults:
    """The inputs a reason sets, each with why (plain words, the source in brackets; English,
    marked for translation: show them as ``_(why[name])``)."""

    win_probability: float
    partial_probability: float
    use_value: float
    resale_value: float
    why: dict[str, str]


# The texts below spell out calculator/data/sources/policies.md (SOURCES_FILE) and repeat their
# shared parts: each is one whole message for translators.
_PARTIAL_LIKE_RETURN = N_("the same dispute for a smaller sum; no statistic on partial refunds exists, so it is taken as "
                          "likely as the full refund (assumption; calculator/data/sources/policies.md C, D)")
_CONSIGNMENT = N_("new and unused: consignment prices are 30–70 % below retail, midpoint "
                  "(calculator/data/sources/policies.md B2)")

#: Defaults of the inputs that move with the reason, each with its source or reasoning.
REASON_DEFAULTS: dict[str, ReasonDefaults] = {
    "damaged": ReasonDefaults(
        win_probability=0.84, partial_probability=0.84, use_value=0.0, resale_value=0.10,
        why={"win_probability": N_("84 % of 'damaged' disputes were refunded in one writer's six-month AliExpress "
                                   "sample, orientdeck.com, low confidence; calculator/data/sources/policies.md C"),
             "partial_probability": _PARTIAL_LIKE_RETURN,
             "use_value": N_("a broken item is worth nothing kept (assumption)"),
             "resale_value": N_("liquidated returns recover 10–20 % of retail; the low end for a broken item "
                                "(calculator/data/sources/policies.md B2)")},
    ),
    "defective": ReasonDefaults(
        win_probability=0.84, partial_probability=0.84, use_value=0.25, resale_value=0.15,
        why={"win_probability": N_("no separate figure; a seller-fault claim like 'damaged' (84 %, same sample; "
                                   "assumption)"),
             "partial_probability": _PARTIAL_LIKE_RETURN,
             "use_value": N_("it works partly or misses parts, so some use is left (assumption)"),
             "resale_value": N_("liquidated returns recover 10–20 % of retail; the middle for a defective item "
                                "(calculator/data/sources/policies.md B2)")},
    ),
    "wrong_item": ReasonDefaults(
        win_probability=0.91, partial_probability=0.91, use_value=0.30, resale_value=0.50,
        why={"win_probability": N_("91 % of 'wrong item' disputes were refunded in one writer's six-month AliExpress "
                                   "sample, orientdeck.com, low confidence; calculator/data/sources/policies.md C"),
             "partial_probability": _PARTIAL_LIKE_RETURN,
             "use_value": N_("a different item than ordered is of limited use (assumption)"),
             "resale_value": _CONSIGNMENT},
    ),
    "not_as_described": ReasonDefaults(
        win_probability=0.74, partial_probability=0.74, use_value=0.50, resale_value=0.50,
        why={"win_probability": N_("no published figure; between 'damaged' (84 %) and 'changed mind' (63 %) in the "
                                   "same sample, because a seller argues harder over a usable item (assumption)"),
             "partial_probability": _PARTIAL_LIKE_RETURN,
             "use_value": N_("usable, only the wrong size, colour or quality (assumption)"),
             "resale_value": _CONSIGNMENT},
    ),
    "changed_mind": ReasonDefaults(
        win_probability=0.15, partial_probability=0.0, use_value=0.50, resale_value=0.50,
        why={"win_probability": N_("buyer protection covers items not received or not as described, not a change of "
                                   "mind; a seller who takes it back does so out of goodwill (assumption; "
                                   "calculator/data/sources/policies.md A1, D)"),
             "partial_probability": N_("a dispute cannot ask for a partial refund because you changed your mind"),
             "use_value": N_("nothing is wrong with it; worth half its price to a buyer who no longer wants it "
                             "(assumption)"),
             "resale_value": _CONSIGNMENT},
    ),
}

#: The inputs whose defaults depend on the reason.
BY_REASON: tuple[str, ...] = ("win_probability", "partial_probability", "use_value", "resale_value")

#: The smallest local sale worth the effort, in EUR; converted to the order currency (assumption).
MIN_RESALE_EUR = 10.0

_BY_REASON = N_("by reason")
_ORDER_CURRENCY = N_("order currency")
_FRACTION_OF_PRICE = N_("fraction of price")
_YES_NO = N_("yes/no")

FIELDS: tuple[Field, ...] = (
    Field(name="price", kind="money", unit=_ORDER_CURRENCY, help=N_("refundable amount paid for the item"),
          label=N_("item price")),
    Field(name="currency", kind="currency", unit="ISO 4217", help=N_("currency the order was paid in"),
          default="USD", source="assumption; give the order's currency"),
    Field(name="origin", kind="country", unit="ISO 3166-1", help=N_("country the return is posted from")),
    Field(name="destination", kind="country", unit="ISO 3166-1", default="CN",
          help=N_("country of the seller's return address"), source="design: the return address is usually in China"),
    Field(name="weight_g", kind="weight", unit=N_("g"), help=N_("parcel weight (accepts 450g, 0.45kg, 8oz, 1lb)"),
          label=N_("parcel weight")),
    Field(name="length_cm", kind="length", unit=N_("cm"), help=N_("parcel length (or --dims LxWxH)"),
          default_text=N_("unknown: size limits not checked")),
    Field(name="width_cm", kind="length", unit=N_("cm"), help=N_("parcel width"), default_text=N_("unknown")),
    Field(name="height_cm", kind="length", unit=N_("cm"), help=N_("parcel height"), default_text=N_("unknown")),
    Field(name="zone", kind="text", unit=N_("zone id"), default="",
          help=N_("zone of a domestic service priced by distance"), default_text=N_("the tariff's default_zone")),
    Field(name="service", kind="text", unit=N_("offer key"), default="",
          help=N_("use this postal service (e.g. us-usps/pmi) instead of the cheapest tracked one"),
          default_text=N_("cheapest tracked offer")),
    Field(name="postage", kind="money", unit=N_("postage currency"),
          help=N_("known return postage (a post-office counter quote); skips the tariff lookup"),
          default_text=N_("looked up: cheapest tracked offer"), label=N_("return postage")),
    Field(name="postage_currency", kind="currency", unit="ISO 4217", default="",
          help=N_("currency of --postage"), default_text=N_("the order currency")),
    Field(name="free_return", kind="bool", unit=_YES_NO,
          help=N_("the item qualifies for the marketplace's free-return programme (AliExpress Free Return, "
                  "Temu's free first return): a drop-off refunded on the warehouse's scan, no postage"),
          default_text=N_("Temu: yes (the first return of an order is free); others: no"),
          source=f"AliExpress Free Return, Temu policy ({_POLICIES} A1, A2)"),
    Field(name="seller_pays_postage", kind="fraction", unit="0..1",
          help=N_("share of the return postage the seller reimburses"),
          default_text=N_("eBay: 1 when the seller is at fault; otherwise 0"),
          source=f"AliExpress: the buyer's cost; eBay: the seller pays for seller-fault reasons ({_POLICIES} A1, A3, D)",
          label=N_("seller's share of the postage")),
    Field(name="packaging_cost", kind="money", unit=_ORDER_CURRENCY, default=0.0,
          help=N_("cost of packing the return"), label=N_("packaging")),
    Field(name="hassle_hours", kind="number", unit=N_("h"), default=0.0,
          help=N_("hours spent packing and posting the return"), label=N_("hours spent on the return")),
    Field(name="hourly_value", kind="money", unit=N_("order currency per h"), default=0.0,
          help=N_("what an hour of the buyer's time is worth"), label=N_("value of an hour")),
    Field(name="reason", kind="choice", unit=N_("code"), choices=REASONS,
          # the reason codes with REASON_WORDS, written out so that the whole help is one message
          help=N_("what is wrong with the item (required): damaged = arrived broken, defective = works partly or has "
                  "parts missing, wrong_item = a different item than ordered, not_as_described = wrong size, colour "
                  "or quality, but usable, changed_mind = nothing wrong, you no longer want it"),
          default_text=N_("required: the answer depends on it")),
    Field(name="win_probability", kind="fraction", unit="0..1", default_text=_BY_REASON,
          help=N_("chance the return dispute is accepted (by the seller, or by the marketplace on escalation)"),
          source="REASON_DEFAULTS", label=N_("chance the return is accepted")),
    Field(name="partial_probability", kind="fraction", unit="0..1", default_text=_BY_REASON,
          help=N_("chance the partial refund you ask for is granted"),
          source="REASON_DEFAULTS; 0 where the marketplace has no partial-refund procedure",
          label=N_("chance the partial refund is granted")),
    Field(name="partial_refund", kind="fraction", unit=_FRACTION_OF_PRICE, default=0.5,
          help=N_("partial refund to ask for if you keep the item"),
          source=f"no published statistic ({_POLICIES} C); 0.5 from the starting guide, sensitivity range 0.2–0.7",
          label=N_("partial refund")),
    Field(name="use_value", kind="fraction", unit=_FRACTION_OF_PRICE, default_text=_BY_REASON,
          help=N_("what keeping the item is worth to you"), source="REASON_DEFAULTS",
          label=N_("worth of the item to you")),
    Field(name="resale_value", kind="fraction", unit=_FRACTION_OF_PRICE, default_text=_BY_REASON,
          help=N_("what the item would sell for locally"), source="REASON_DEFAULTS", label=N_("local resale price")),
    Field(name="resale_fee", kind="fraction", unit=N_("fraction of sale"), default=0.0,
          help=N_("resale platform fee"),
          source=f"~0 % seller fee on Vinted, eBay UK private, Kleinanzeigen, Craigslist, local pickup ({_POLICIES} B1)",
          label=N_("resale fee")),
    Field(name="resale_cost", kind="money", unit=_ORDER_CURRENCY, default=0.0,
          help=N_("fixed cost of reselling: local postage, listing"), label=N_("cost of selling")),
    Field(name="min_resale", kind="money", unit=_ORDER_CURRENCY,
          help=N_("the smallest sale worth the effort; below it, selling locally is not an option"),
          # MIN_RESALE_EUR
          default_text=N_("10 EUR converted to the order currency"),
          source=f"assumption ({_POLICIES} D)", label=N_("smallest sale worth the effort")),
    Field(name="marketplace", kind="choice", unit=N_("profile"), default="aliexpress",
          choices=("aliexpress", "temu", "ebay"), help=N_("marketplace whose dispute rules apply")),
    Field(name="received_on", kind="date", unit="YYYY-MM-DD", help=N_("date the item was received"),
          default_text=N_("today")),
    Field(name="purchased_on", kind="date", unit="YYYY-MM-DD",
          help=N_("date the order was placed (Temu counts its return window from it)"),
          default_text=N_("not needed for aliexpress and ebay")),
    Field(name="posted_on", kind="date", unit="YYYY-MM-DD",
          help=N_("date the return is posted: the tariff version in force that day prices it"),
          default_text=N_("today")),
    Field(name="disputes_won_in_a_row", kind="int", unit=N_("count"), default=0,
          help=N_("disputes you have won in a row on this marketplace (AliExpress refuses the next after 3)")),
    Field(name="mall", kind="bool", unit=_YES_NO, default=False,
          help=N_("the item is an AliExpress 'Mall' item (different return procedure)")),
)

_BY_NAME = {f.name: f for f in FIELDS}


def field(name: str) -> Field:
    """The :class:`Field` called ``name``."""
    return _BY_NAME[name]
