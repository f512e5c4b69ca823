"""From orders to decisions: read → validate → the marketplace's process → postage → money model.

:func:`assess` does this for any number of orders at once (columns in, columns out) and is what
the batch, the sensitivity tools and the notebooks call; :func:`calculator.estimate` is one order,
with a readable answer (:mod:`calculator.advice`). Both go through the one money model,
:func:`calculator.model.evaluate`, with the :class:`~calculator.model.ModelInputs` that
:func:`assess` builds.

The steps, each a function:

1. :func:`~calculator.order_columns.read_columns` (:mod:`calculator.order_columns`): every input
   as a column, defaults not yet applied (``assumed`` marks the gaps);
2. :func:`~calculator.order_columns.validate_columns` (same module): ranges, codes and the
   reason, as problems per order;
3. :func:`~calculator.process.marketplace_process` (:mod:`calculator.process`): the marketplace's
   dispute process per order: deadlines, whether the dispute window (or a free-return programme's)
   is still open, the programme's conditions, partial refunds, the win-streak rule, who pays the
   postage;
4. :func:`_defaults` (here): the reason's and the marketplace's defaults for what was not given;
5. :func:`_postage` (here): the return postage (given, free, or looked up where a return is still
   possible) in the order currency;
6. the model, then the warnings (here, in :func:`assess`).

This module also holds the outputs: :class:`Assessment`, :data:`OUTPUTS` and :data:`WARNINGS`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import model as _model
from .errors import InputError, RouteError
from .formatting import round_output
from .fx import FxRates, reference_rates
from .i18n import _
from .inputs import BY_REASON, FIELDS, MIN_RESALE_EUR, REASON_DEFAULTS
from .order_columns import Columns, Problems, as_column, input_length, read_columns, validate_columns
from .process import DATES, FREE_NOT, Process, marketplace_process
from .rates import Offer, cheapest_postage
from .tariffs import EXPIRED, OLD, Tariff, resolve

__all__ = ["WARNINGS", "OUTPUTS", "Assessment", "assess", "round_output"]

# Warning flags (a bit mask per order) and their codes.
WINDOW_CLOSED = 1
POSTAGE_OVER_PRICE = 2
NO_TRACKED = 4
WIN_STREAK = 8
MALL = 16
TARIFF_EXPIRED = 32
TARIFF_OLD = 64
SIZE_NOT_CHECKED = 128
FREE_RETURN_LIMITS = 256
FREE_RETURN_NOT_APPLICABLE = 512
NO_PARTIAL_PROCEDURE = 1024
NO_MIN_RESALE = 2048

WARNINGS: dict[int, str] = {
    WINDOW_CLOSED: "dispute_window_closed",
    POSTAGE_OVER_PRICE: "postage_exceeds_price",
    NO_TRACKED: "no_tracked_service",
    WIN_STREAK: "disputes_won_in_a_row",
    MALL: "mall_item",
    TARIFF_EXPIRED: "tariff_expired",
    TARIFF_OLD: "tariff_over_a_year_old",
    SIZE_NOT_CHECKED: "size_not_checked",
    FREE_RETURN_LIMITS: "free_return_conditions",
    FREE_RETURN_NOT_APPLICABLE: "free_return_not_applicable",
    NO_PARTIAL_PROCEDURE: "no_partial_refund_procedure",
    NO_MIN_RESALE: "min_resale_not_converted",
}

#: Every output column: (unit, meaning). The README's output table is generated from this. A name
#: that would clash with an input (postage, service, ...) ends in ``_used``, so a batch can keep
#: the input column next to the output. An option that cannot be taken has an empty EV.
OUTPUTS: dict[str, tuple[str, str]] = {
    "recommendation": ("option", "the open option with the largest expected value: keep, partial_keep, partial_resell or return"),
    "margin": ("order currency", "expected value of the recommendation minus the runner-up's (0 for a tie; empty when no other option is open)"),
    "ev_return": ("order currency", "EV_return = w·(P − (1 − σ)·S − c) + (1 − w)·K; empty once the window has closed"),
    "ev_partial_keep": ("order currency", "EV_partial_keep = q·f·P + u·P; empty once the window has closed or without a partial-refund procedure"),
    "ev_partial_resell": ("order currency", "EV_partial_resell = q·f·P + R; empty as partial_keep, or when R < min_resale"),
    "ev_keep": ("order currency", "EV_keep = K = max(u·P, R), R = r·(1 − φ)·P − k counted only when R ≥ min_resale"),
    "price_used": ("order currency", "price P as read (units and currency symbols removed)"),
    "postage_used": ("order currency", "return postage S used in the model (empty when no return is possible)"),
    "postage_native": ("postage currency", "the same postage in the currency it was priced or given in"),
    "postage_currency_used": ("ISO 4217", "currency of postage_native"),
    "postage_source": ("code", "tariff (looked up), given (postage input) or free_return"),
    "service_used": ("text", "carrier, service and add-on of the looked-up postage"),
    "tracked": ("yes/no", "the postage buys a tracking number (needed to prove a return)"),
    "chargeable_weight_g": ("g", "weight the carrier charges: actual or volumetric, whichever is larger"),
    "break_even_price": ("order currency", "returning beats every open alternative for prices above this (inf: not for dear items)"),
    "max_postage": ("order currency", "returning wins while the postage is below this"),
    "min_partial_refund": ("fraction of price", "the smallest partial refund offered that is worth accepting instead of returning"),
    "win_probability_used": ("0..1", "w: chance the return is accepted, after reason, marketplace and free-return defaults"),
    "partial_probability_used": ("0..1", "q: chance the partial refund is granted, after defaults"),
    "use_value_used": ("fraction of price", "u after reason defaults"),
    "resale_value_used": ("fraction of price", "r after reason defaults"),
    "seller_pays_postage_used": ("0..1", "σ: share of the postage the seller pays, after marketplace rules"),
    "min_resale_used": ("order currency", "m: the smallest sale worth the effort"),
    "free_return_used": ("yes/no", "a free-return programme prices this return (postage 0)"),
    "dispute_deadline": ("date", "last day to open a dispute (or start the free return)"),
    "seller_answer_by": ("date", "last day of the seller's answer; if refused or silent, escalate then"),
    "escalated_refund_latest": ("date", "latest day an escalated dispute is expected to end (or later)"),
    "ship_by": ("date", "last day to post the return if the seller accepts it on the last day allowed"),
    "refund_return_earliest": ("date", "earliest day the money arrives if you return"),
    "refund_return_latest": ("date", "latest day the money arrives if you return (auto-refund, slowest payment)"),
    "refund_partial_earliest": ("date", "earliest day a partial refund arrives"),
    "refund_partial_latest": ("date", "latest day a partial refund arrives"),
    "warnings": ("codes", "semicolon-separated warning codes (see README)"),
    "problem": ("text", "why the order could not be evaluated (empty when it was)"),
}

#: Output columns that are money (rounded to cents when written) and fractions (4 decimals).
MONEY_COLUMNS = ("margin", "price_used", "ev_return", "ev_partial_keep", "ev_partial_resell", "ev_keep", "postage_used",
                 "postage_native", "break_even_price", "max_postage", "min_resale_used")
FRACTION_COLUMNS = ("min_partial_refund", "win_probability_used", "partial_probability_used", "use_value_used",
                    "resale_value_used", "seller_pays_postage_used")

#: Where the postage of an order comes from (Assessment.source_code indexes this).
SOURCES = ("", "given", "free_return", "tariff")
_GIVEN, _FREE, _TARIFF = (SOURCES.index(s) for s in ("given", "free_return", "tariff"))

_NAT = np.datetime64("NaT", "D")

#: A text column as its distinct values (objects) and each order's index into them (integers).
_Codes = tuple[NDArray[np.object_], NDArray[np.intp]]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Assessment:
    """Decisions for ``n`` orders, as columns (numpy arrays of length ``n``).

    ``values`` holds every input after defaults; ``assumed`` says, per input, which orders took the
    default. ``inputs`` is what went into the money model (pass it to
    :func:`calculator.model.evaluate`, replacing fields to vary them). Money is in each order's
    currency unless the name says otherwise.

    The text outputs with few distinct values are kept as integer codes per order, each an index
    into a short sequence, and the texts are made from them: ``offer`` into ``offers`` (the
    service, offer key and tariff of the looked-up postage; -1 for none), ``source_code`` into
    :data:`SOURCES` (the postage source), ``postage_currency_index`` into ``postage_currencies``,
    ``evaluation.recommendation`` into :data:`calculator.model.OPTIONS` (-1: not evaluated) and
    ``warnings``, a bit mask of :data:`WARNINGS`. :meth:`columns` gives them as codes with
    ``coded=True``.
    """

    n: int
    values: dict[str, NDArray]
    assumed: dict[str, NDArray[np.bool_]]
    inputs: _model.ModelInputs
    postage: NDArray[np.float64]  # in the order currency
    postage_native: NDArray[np.float64]  # in postage_currency
    postage_currencies: NDArray[np.str_]  # ISO codes of postage_native ("" for none) ...
    postage_currency_index: NDArray[np.intp]  # ... and each order's index into them
    source_code: NDArray[np.int8]  # index into SOURCES
    offers: tuple[Offer, ...]  # the tariff offers chosen for some order
    offer: NDArray[np.intp]  # index into offers, -1 where the postage was not looked up
    tracked: NDArray[np.bool_]
    chargeable_g: NDArray[np.float64]
    evaluation: _model.Evaluation
    dates: dict[str, NDArray[np.datetime64]]
    caveat: NDArray[np.object_]  # what a buyer must check about the looked-up offer ("" when nothing)
    free_return: NDArray[np.bool_]  # a free-return programme prices the return
    free_return_why_not: NDArray[np.int8]  # index into FREE_NOT where one was wanted and does not apply
    win_streak: NDArray[np.bool_]  # the marketplace's limit of disputes won in a row is reached
    warnings: NDArray[np.int32]
    problem: NDArray[np.object_]  # "" where the order was evaluated
    today: _dt.date
    tariff_info: dict[str, Tariff] = field(default_factory=dict)

    @property
    def recommendation(self) -> NDArray[np.str_]:
        return self.evaluation.recommended

    @property
    def return_open(self) -> NDArray[np.bool_]:
        return np.broadcast_to(self.inputs.return_open, (self.n,))

    @property
    def partial_open(self) -> NDArray[np.bool_]:
        return np.broadcast_to(self.inputs.partial_open, (self.n,))

    @property
    def postage_currency(self) -> NDArray[np.object_]:
        """Currency of ``postage_native`` per order (None where there is no postage)."""
        return _decode(self._coded_currency())

    @property
    def postage_source(self) -> NDArray[np.object_]:
        """tariff, given, free_return or "" per order."""
        return np.array(SOURCES, dtype=object)[self.source_code]

    def _per_offer(self, text) -> _Codes:
        """A text of each order's offer ("" where none), as one text per offer + codes."""
        texts = np.array([text(o) for o in self.offers] + [""], dtype=object)
        return texts, np.where(self.offer < 0, len(self.offers), self.offer)

    @property
    def service(self) -> NDArray[np.object_]:
        """Carrier, service and add-on of the looked-up postage ("" where none)."""
        return _decode(self._per_offer(lambda o: o.label))

    @property
    def shown_service(self) -> NDArray[np.object_]:
        """:attr:`service` as texts in the current language show it (Russian names in Russian)."""
        return _decode(self._per_offer(lambda o: o.shown_label))

    @property
    def offer_key(self) -> NDArray[np.object_]:
        """The looked-up offer's key, e.g. ``us-usps/pmi`` ("" where none)."""
        return _decode(self._per_offer(lambda o: o.key))

    @property
    def tariff(self) -> NDArray[np.object_]:
        """Name of the tariff the postage comes from ("" where none)."""
        return _decode(self._per_offer(lambda o: o.tariff.name))

    def warning_codes(self) -> NDArray[np.object_]:
        """Warning codes per order, joined with ``;`` (``""`` when none)."""
        return _decode(self._warning_codes())

    def _warning_codes(self) -> _Codes:
        """The warning codes of each order joined with ``;``, as one text per distinct mask + codes."""
        masks, inverse = np.unique(self.warnings, return_inverse=True)
        texts = np.array([";".join(c for bit, c in WARNINGS.items() if m & bit) for m in masks.tolist()],
                         dtype=object)
        return texts, inverse.ravel()

    def columns(self, *, coded: bool = False) -> dict[str, NDArray | _Codes]:
        """Every output as a column (:data:`OUTPUTS`): the batch writes these next to the inputs.

        Parameters
        ----------
        coded
            Give the text columns with few distinct values (recommendation, postage source,
            postage currency, service and warnings) as a pair of arrays: the distinct texts
            (objects, None for no value) and each order's index into them (integers). A writer
            turns such a pair into a dictionary array without touching each row's string.

        Returns
        -------
        dict
            Output name → column of length ``n`` (or, with ``coded``, a pair as above).
        """
        e = self.evaluation
        x = self.inputs
        options = np.array(_model.OPTIONS + ("",), dtype=object)  # -1 (not evaluated) → ""
        rec = options, np.where(e.recommendation < 0, len(_model.OPTIONS), e.recommendation)

        def col(v: ArrayLike) -> NDArray:
            return np.broadcast_to(v, (self.n,))

        def text(c: _Codes) -> NDArray | _Codes:
            return c if coded else _decode(c)

        cols: dict[str, NDArray | _Codes] = {
            "recommendation": text(rec),
            "margin": e.margin,
            "ev_return": e.ev_return,
            "ev_partial_keep": e.ev_partial_keep,
            "ev_partial_resell": e.ev_partial_resell,
            "ev_keep": e.ev_keep,
            "price_used": self.values["price"],
            "postage_used": self.postage,
            "postage_native": self.postage_native,
            "postage_currency_used": text(self._coded_currency()),
            "postage_source": text((np.array(SOURCES, dtype=object), self.source_code)),
            "service_used": text(self._per_offer(lambda o: o.label)),
            "tracked": self.tracked,
            "chargeable_weight_g": self.chargeable_g,
            "break_even_price": e.break_even_price,
            "max_postage": e.max_postage,
            "min_partial_refund": e.min_partial_refund,
            "win_probability_used": col(x.win_probability),
            "partial_probability_used": col(x.partial_probability),
            "use_value_used": col(x.use_value),
            "resale_value_used": col(x.resale_value),
            "seller_pays_postage_used": col(x.seller_pays_postage),
            "min_resale_used": col(x.min_resale),
            "free_return_used": self.free_return,
        }
        for name in DATES:
            cols[name] = self.dates[name]
        cols["warnings"] = text(self._warning_codes())
        cols["problem"] = self.problem
        return cols

    def _coded_currency(self) -> _Codes:
        c = self.postage_currencies
        return np.where(c == "", None, c.astype(object)), self.postage_currency_index

    def to_frame(self):  # -> pandas.DataFrame
        """The outputs as a pandas DataFrame, one row per order."""
        import pandas as pd

        return pd.DataFrame(self.columns())


def _decode(c: _Codes) -> NDArray[np.object_]:
    """A coded text column as one value per row."""
    values, codes = c
    return values[codes]


def order_postage(native: ArrayLike, factor: ArrayLike) -> NDArray[np.float64]:
    """Postage in the order currency: the native amount times the exchange factor, to the cent.

    The one conversion of a postage: :func:`assess` and every analysis that re-prices a parcel
    (Monte Carlo over the weight, decision maps) use it, so one order has one postage everywhere.

    Examples
    --------
    >>> order_postage([0.25, 1450], [0.5, 1 / 80]).tolist()
    [0.13, 18.13]
    """
    return round_output(np.asarray(native, dtype=np.float64) * np.asarray(factor, dtype=np.float64), 2)


# --------------------------------------------------------------------------------------------
# 4. defaults


def _defaults(r: Columns, proc: Process, rates: FxRates) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Apply the reason's and the marketplace's defaults to what was not given; return
    (return_open, partial_open, win_streak)."""
    vals, assumed = r.vals, r.assumed
    r_uniq, r_codes = r.texts["reason"]
    for name in BY_REASON:
        per_reason = np.array([getattr(REASON_DEFAULTS[x], name) if x in REASON_DEFAULTS else np.nan for x in r_uniq])
        vals[name] = np.where(assumed[name], per_reason[r_codes], vals[name])
    # a free return is refunded on the warehouse's scan: the programme's chance, not the dispute's
    programme = assumed["win_probability"] & proc.free & np.isfinite(proc.free_win)
    vals["win_probability"] = np.where(programme, proc.free_win, vals["win_probability"])
    # the next dispute after the marketplace's limit of wins in a row is refused (not a free return)
    streak = (proc.streak_limit > 0) & (vals["disputes_won_in_a_row"] >= proc.streak_limit)
    vals["win_probability"] = np.where(streak & ~proc.free & assumed["win_probability"], 0.0, vals["win_probability"])
    vals["partial_probability"] = np.where(streak & assumed["partial_probability"], 0.0, vals["partial_probability"])
    vals["seller_pays_postage"] = np.where(assumed["seller_pays_postage"], proc.seller_pays, vals["seller_pays_postage"])
    vals["free_return"] = proc.free
    c_uniq, c_codes = r.texts["currency"]
    per_eur = np.asarray(rates.factor("EUR", c_uniq.astype(str)), dtype=np.float64)
    vals["min_resale"] = np.where(assumed["min_resale"], order_postage(MIN_RESALE_EUR, per_eur[c_codes]),
                                  vals["min_resale"])
    # without a rate for the order currency the 10 EUR cannot be converted: no threshold, said in a warning
    proc.no_min_resale = np.isnan(vals["min_resale"])
    vals["min_resale"] = np.where(proc.no_min_resale, 0.0, vals["min_resale"])
    return_open = proc.free | ~proc.dispute_closed
    partial_open = ~proc.dispute_closed & (proc.partial_procedure | ~assumed["partial_refund"])
    return return_open, partial_open, streak


# --------------------------------------------------------------------------------------------
# 5. postage


@dataclass(slots=True)
class _Postage:
    postage: NDArray[np.float64]
    native: NDArray[np.float64]
    currencies: NDArray[np.str_]
    currency_index: NDArray[np.intp]
    source: NDArray[np.int8]
    offers: tuple[Offer, ...]
    offer: NDArray[np.intp]
    tariff_index: NDArray[np.intp]
    stale: NDArray[np.int8]  # staleness of the tariff version used, on the posting day
    caveat: NDArray[np.object_]  # what a buyer must check about the chosen offer ("" when nothing)
    tracked: NDArray[np.bool_]
    chargeable_g: NDArray[np.float64]
    size_checked: NDArray[np.bool_]


def _postage(r: Columns, p: Problems, tset: tuple[Tariff, ...], rates: FxRates, free: NDArray[np.bool_],
             return_open: NDArray[np.bool_], errors: str) -> _Postage:
    """The return postage per order: given, free, or looked up where a return is possible."""
    vals, texts, n = r.vals, r.texts, len(r.vals["price"])
    native = vals["postage"].copy()
    # The currency of each postage, as an index into `words`: the order currency, the given
    # postage currency, or (below) the looked-up offer's; codes, not a string per order.
    cur_words, cur_code = texts["currency"]
    pc_words, pc_code = texts["postage_currency"]
    words = [*cur_words, *pc_words]
    pcur = np.where(r.assumed["postage_currency"], cur_code, len(cur_words) + pc_code)
    source = np.where(np.isfinite(native), _GIVEN, 0).astype(np.int8)
    native[free] = 0.0
    source[free] = _FREE
    pcur[free] = cur_code[free]
    offers: tuple[Offer, ...] = ()
    offer = np.full(n, -1, np.intp)
    tariff_index = np.full(n, -1, np.intp)
    stale = np.zeros(n, np.int8)
    caveat = np.full(n, "", dtype=object)
    tracked = source != 0
    charge = np.full(n, np.nan)
    size_checked = np.ones(n, bool)
    look = (source == 0) & ~p.any & return_open
    p.flag(look & np.isnan(vals["weight_g"]), "weight_g", _("missing; give the parcel weight or a known --postage"))
    look &= ~p.any
    if look.any():
        idx = np.flatnonzero(look)

        def text(name: str) -> NDArray[np.str_] | str:
            """A text input of the orders looked up: one text where every order has the same."""
            one = np.unique(texts[name][0].astype(str))
            return str(one[0]) if len(one) == 1 else vals[name][idx]

        q = cheapest_postage(
            tset, text("origin"), text("destination"), vals["weight_g"][idx],
            vals["length_cm"][idx], vals["width_cm"][idx], vals["height_cm"][idx],
            zone=vals["zone"][idx], service=text("service"), fx=rates, posted_on=vals["posted_on"][idx],
        )
        native[idx] = q.amount
        pcur[idx] = len(words) + np.where(q.offer < 0, len(q.offers), q.offer)
        words += [o.currency for o in q.offers] + [""]
        source[idx] = np.where(np.isfinite(q.amount), _TARIFF, 0)
        offers, offer[idx] = q.offers, q.offer
        tariff_index[idx] = q.tariff_index
        stale[idx] = q.stale
        caveat[idx] = q.caveat
        tracked[idx] = q.tracked
        charge[idx] = q.chargeable_g
        size_checked[idx] = q.size_checked
        unpriced = np.zeros(n, bool)
        unpriced[idx] = ~np.isfinite(q.amount)
        if unpriced.any():
            status = np.full(n, "", dtype=object)
            status[idx] = q.status
            if errors == "raise":
                raise RouteError(_route_help(tset, vals, int(np.flatnonzero(unpriced)[0]), status))
            p.flag(unpriced, "postage", lambda m: np.char.add(status[m].astype(str),
                                                              _("; give a known postage (a counter quote)")))

    uniq, remap = np.unique(np.array(words + [""], dtype=str), return_inverse=True)
    pcur = remap.ravel()[pcur]
    # factors on the small grid (postage currency x order currency), then taken per order
    grid = rates.factor(np.where(uniq == "", cur_words[:, None], uniq), cur_words[:, None]).T
    factor = grid[pcur, cur_code]
    no_rate = ~np.isfinite(factor) & np.isfinite(native)
    if no_rate.any():
        missing = rates.missing(np.concatenate([uniq[pcur[no_rate]], cur_words[cur_code[no_rate]].astype(str)]))
        p.flag(no_rate, "currency", _("no exchange rate for {codes}; pass --fx {code}=<units per 1 EUR>").format(
            codes=", ".join(missing), code=missing[0] if missing else "CUR"))
    return _Postage(postage=order_postage(native, factor), native=native, currencies=uniq, currency_index=pcur,
                    source=source, offers=offers, offer=offer, tariff_index=tariff_index, stale=stale,
                    caveat=caveat, tracked=tracked,
                    chargeable_g=charge, size_checked=size_checked)


def _route_help(tariffs: tuple[Tariff, ...], vals: dict[str, NDArray], i: int, status: NDArray) -> str:
    origin, dest = vals["origin"][i], vals["destination"][i]
    have = list({t.name: t for t in tariffs if t.origin == origin}.values())  # the newest version of each
    if have:
        listed = "; ".join(_("{name} ({carrier}, to {countries})").format(
            name=t.name, carrier=t.carrier, countries=", ".join(t.destinations())) for t in have)
        what = _("{status}. Tariffs for {origin}: {tariffs}").format(status=status[i], origin=origin, tariffs=listed)
    else:
        origins = sorted({t.origin for t in tariffs})
        what = _("no tariff for parcels posted in {origin} (tariffs exist for {origins})").format(
            origin=origin, origins=", ".join(origins))
    return _("postage {origin} → {destination}: {what}; give the price the post office quoted with --postage AMOUNT "
             "[--postage-currency CUR], or add a tariff file with --tariffs DIR").format(
        origin=origin, destination=dest, what=what)


# --------------------------------------------------------------------------------------------
# assess


def assess(
    orders: Mapping[str, ArrayLike] | None = None,
    /,
    *,
    tariffs: Iterable[Tariff] | None = None,
    fx: FxRates | None = None,
    today: _dt.date | None = None,
    errors: str = "mark",
    problems: ArrayLike | None = None,
    **inputs: ArrayLike,
) -> Assessment:
    """Decide many orders at once.

    Parameters
    ----------
    orders
        A mapping of input name → column (a dict of arrays, or a pandas DataFrame); keywords add
        to or override it. Names and units are those of :data:`calculator.inputs.FIELDS`; a
        missing optional input takes its default, NaN or "" in a column means "not given".
        ``reason`` is required for every order. A text input may be dictionary-encoded (a
        :class:`pyarrow.DictionaryArray`, a :class:`pandas.Categorical` or a column of the
        category dtype): it is then read once per distinct value
        (:func:`calculator.order_columns.dictionary_encoded`).
    tariffs
        Tariffs for the postage look-up (default: :func:`calculator.load_tariffs`).
    fx
        Exchange rates (default: the bundled reference rates).
    today
        The date of the assessment, for deadlines and tariff validity (default: today).
    errors
        ``"mark"``: an invalid or unpriceable order gets NaN results and a ``problem`` text;
        ``"raise"``: raise :class:`InputError` / :class:`RouteError` for the first one.
    problems
        Problems the caller already knows per order (e.g. a CSV line with too few fields), as
        texts; a non-empty text marks the order as not evaluated, with that text.

    Returns
    -------
    Assessment

    Examples
    --------
    The guide's 18,000 RUB phone that arrived broken (postage 1,450 RUB), and 300 RUB socks whose
    return would cost 600 RUB:

    >>> import datetime
    >>> a = assess(price=[18000, 300], postage=[1450, 600], currency="RUB", origin="RU", reason="damaged",
    ...            received_on="2026-11-20", today=datetime.date(2026, 11, 26))
    >>> a.recommendation.tolist(), a.evaluation.ev_return.tolist()
    (['return', 'partial_keep'], [14190.0, -252.0])
    """
    if errors not in ("mark", "raise"):
        raise InputError(_("errors: {value!r}; choose 'mark' (a problem text per order) or 'raise'").format(value=errors))
    today = today or _dt.date.today()
    given: dict[str, object] = {}
    if orders is not None:
        given.update({k: as_column(orders[k]) for k in orders})
    given.update(inputs)
    known = {f.name for f in FIELDS}
    unknown = sorted(set(given) - known)
    if unknown:
        raise InputError(_("unknown input {name!r}; inputs are: {names}").format(name=unknown[0],
                                                                                   names=", ".join(sorted(known))))
    n = input_length(given)
    p = Problems(n, errors)
    if problems is not None:
        known_text = np.broadcast_to(np.asarray(problems, dtype=object), (n,))
        p.flag(~np.equal(known_text, None) & (known_text != ""), "", lambda m: known_text[m])

    r = read_columns(given, n, today)
    validate_columns(r, p, today)
    rates = fx or reference_rates()
    proc = marketplace_process(r, p, today, rates)
    return_open, partial_open, streak = _defaults(r, proc, rates)
    tset = resolve(tariffs, today=today)
    post = _postage(r, p, tset, rates, proc.free, return_open, errors)

    vals, bad = r.vals, p.any
    inputs_ = _model.ModelInputs(
        price=np.where(bad, np.nan, vals["price"]), postage=post.postage,
        win_probability=vals["win_probability"], partial_probability=vals["partial_probability"],
        partial_refund=vals["partial_refund"], use_value=vals["use_value"], resale_value=vals["resale_value"],
        resale_fee=vals["resale_fee"], resale_cost=vals["resale_cost"],
        seller_pays_postage=vals["seller_pays_postage"], packaging_cost=vals["packaging_cost"],
        hassle_hours=vals["hassle_hours"], hourly_value=vals["hourly_value"], min_resale=vals["min_resale"],
        return_open=return_open, partial_open=partial_open,
    )
    e = _model.evaluate(inputs_)

    dates = proc.dates
    for k in ("ship_by", "refund_return_earliest", "refund_return_latest"):
        np.copyto(dates[k], _NAT, where=~return_open)
    for k in ("refund_partial_earliest", "refund_partial_latest"):
        np.copyto(dates[k], _NAT, where=~partial_open)
    warn = np.zeros(n, np.int32)

    def add(mask: NDArray[np.bool_], bit: int) -> None:
        np.bitwise_or(warn, bit, out=warn, where=mask)

    add(proc.dispute_closed & ~proc.free, WINDOW_CLOSED)
    add(return_open & (post.postage > vals["price"]), POSTAGE_OVER_PRICE)
    add((post.source == _TARIFF) & ~post.tracked, NO_TRACKED)
    add(streak, WIN_STREAK)
    add(vals["mall"], MALL)
    add((post.source == _TARIFF) & ~post.size_checked, SIZE_NOT_CHECKED)
    add(proc.free, FREE_RETURN_LIMITS)
    add(np.isin(proc.free_why_not, [FREE_NOT.index(x) for x in ("over_price_cap", "window_passed")])
        | ((proc.free_why_not == FREE_NOT.index("postage_given")) & ~r.assumed["free_return"]),
        FREE_RETURN_NOT_APPLICABLE)
    add(~proc.partial_procedure & r.assumed["partial_refund"] & ~proc.dispute_closed, NO_PARTIAL_PROCEDURE)
    add(proc.no_min_resale, NO_MIN_RESALE)
    counts = np.bincount(post.tariff_index + 1, minlength=len(tset) + 1)[1:]
    used = {t.name: t for i, t in enumerate(tset) if counts[i]}
    warn |= np.select([post.stale == EXPIRED, post.stale == OLD], [TARIFF_EXPIRED, TARIFF_OLD], 0).astype(np.int32)
    warn[bad] = 0

    empty = np.flatnonzero(post.currencies == "")[0]
    unused = bad | ~return_open  # no postage is used where no return can be started
    return Assessment(
        n=n, values=vals, assumed=r.assumed, inputs=inputs_, postage=np.where(unused, np.nan, post.postage),
        postage_native=np.where(unused, np.nan, post.native),
        postage_currencies=post.currencies, postage_currency_index=np.where(unused, empty, post.currency_index),
        source_code=np.where(unused, 0, post.source).astype(np.int8),
        offers=post.offers, offer=post.offer, tracked=post.tracked & ~unused,
        chargeable_g=post.chargeable_g, evaluation=e, dates=dates, caveat=post.caveat, free_return=proc.free & ~bad,
        free_return_why_not=proc.free_why_not, win_streak=streak & ~bad, warnings=warn, problem=p.text,
        today=today, tariff_info=used,
    )
