"""From an order to a decision: inputs → postage → currency → money model → deadlines → warnings.

:func:`assess` does this for any number of orders at once (columns in, columns out) and is what
the batch, the sensitivity tools and the notebooks call; :func:`estimate` is one order, with a
readable answer. Both go through the one money model, :func:`calculator.model.evaluate`.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import model as _model
from .errors import InputError, RouteError
from .fx import FxRates, reference_rates
from .inputs import FIELDS, REASON_DEFAULTS, REASONS, Coded, field as _field
from .inputs import groups as group_rows
from .rates import Offer, cheapest_postage, factorize
from .tariffs import EXPIRED, OLD, Tariff, is_country, is_currency, resolve

__all__ = ["WARNINGS", "Assessment", "Estimate", "assess", "estimate"]

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
}

#: Every output column: (unit, meaning). The README's output table is generated from this. A name
#: that would clash with an input (postage, service, ...) ends in ``_used``, so a batch can keep
#: the input column next to the output.
OUTPUTS: dict[str, tuple[str, str]] = {
    "recommendation": ("option", "the option with the largest expected value: keep, partial_keep, partial_resell or return"),
    "margin": ("order currency", "expected value of the recommendation minus the runner-up's (0 for a tie)"),
    "ev_return": ("order currency", "EV_return = w·P − (1 − σ)·S − c"),
    "ev_partial_keep": ("order currency", "EV_partial_keep = f·P + u·P"),
    "ev_partial_resell": ("order currency", "EV_partial_resell = f·P + r·(1 − φ)·P − k"),
    "ev_keep": ("order currency", "EV_keep = max(u·P, r·(1 − φ)·P − k)"),
    "price_used": ("order currency", "price P as read (units and currency symbols removed)"),
    "postage_used": ("order currency", "return postage S used in the model"),
    "postage_native": ("postage currency", "the same postage in the currency it was priced or given in"),
    "postage_currency_used": ("ISO 4217", "currency of postage_native"),
    "postage_source": ("code", "tariff (looked up), given (postage input) or free_return"),
    "service_used": ("text", "carrier, service and add-on of the looked-up postage"),
    "tracked": ("yes/no", "the postage buys a tracking number (needed to prove a return)"),
    "chargeable_weight_g": ("g", "weight the carrier charges: actual or volumetric, whichever is larger"),
    "break_even_price": ("order currency", "returning beats the best alternative for prices above this (inf: never)"),
    "max_postage": ("order currency", "returning wins while the postage is below this"),
    "min_partial_refund": ("fraction of price", "the smallest partial refund worth accepting instead of returning"),
    "win_probability_used": ("0..1", "w after reason defaults"),
    "use_value_used": ("fraction of price", "u after reason defaults"),
    "resale_value_used": ("fraction of price", "r after reason defaults"),
    "dispute_deadline": ("date", "last day to open a dispute"),
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
                 "postage_native", "break_even_price", "max_postage")
FRACTION_COLUMNS = ("min_partial_refund", "win_probability_used", "use_value_used", "resale_value_used")

#: Where the postage of an order comes from (Assessment.source_code indexes this).
SOURCES = ("", "given", "free_return", "tariff")
_GIVEN, _FREE, _TARIFF = (SOURCES.index(s) for s in ("given", "free_return", "tariff"))

_FRACTIONS = ("win_probability", "partial_refund", "use_value", "resale_value", "resale_fee", "seller_pays_postage")
_MONEY = ("price", "postage", "packaging_cost", "hourly_value", "resale_cost")
_NUMERIC = _FRACTIONS + _MONEY + ("weight_g", "length_cm", "width_cm", "height_cm", "hassle_hours")
_TEXT = ("currency", "origin", "destination", "zone", "service", "postage_currency", "reason", "marketplace")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Assessment:
    """Decisions for ``n`` orders, as columns (numpy arrays of length ``n``).

    ``values`` holds every input after defaults; ``assumed`` says, per input, which orders took the
    default. Money is in each order's currency unless the name says otherwise.
    """

    n: int
    values: dict[str, NDArray]
    assumed: dict[str, NDArray[np.bool_]]
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
    warnings: NDArray[np.int32]
    problem: NDArray[np.object_]  # "" where the order was evaluated
    today: _dt.date
    tariff_info: dict[str, Tariff] = field(default_factory=dict)

    @property
    def recommendation(self) -> NDArray[np.str_]:
        return self.evaluation.recommended

    @property
    def postage_currency(self) -> NDArray[np.object_]:
        """Currency of ``postage_native`` per order (None where there is no postage)."""
        return _decode(self._coded_currency())

    @property
    def postage_source(self) -> NDArray[np.object_]:
        """tariff, given, free_return or "" per order."""
        return np.array(SOURCES, dtype=object)[self.source_code]

    def _per_offer(self, text: Callable[[Offer], str]) -> Coded:
        """A text of each order's offer ("" where none), as one text per offer + codes."""
        texts = np.array([text(o) for o in self.offers] + [""], dtype=object)
        return Coded(texts, np.where(self.offer < 0, len(self.offers), self.offer))

    @property
    def service(self) -> NDArray[np.object_]:
        """Carrier, service and add-on of the looked-up postage ("" where none)."""
        return _decode(self._per_offer(lambda o: o.label))

    @property
    def offer_key(self) -> NDArray[np.object_]:
        """The looked-up offer's key, e.g. ``us-usps/fcpis+registered`` ("" where none)."""
        return _decode(self._per_offer(lambda o: o.key))

    @property
    def tariff(self) -> NDArray[np.object_]:
        """Name of the tariff the postage comes from ("" where none)."""
        return _decode(self._per_offer(lambda o: o.tariff.name))

    def warning_codes(self) -> NDArray[np.object_]:
        """Warning codes per order, joined with ``;`` (``""`` when none)."""
        return self._warning_codes(False)  # type: ignore[return-value]

    def _warning_codes(self, coded: bool) -> NDArray[np.object_] | Coded:
        masks, inverse = group_rows(self.warnings, 2 * max(WARNINGS))
        texts = np.array([";".join(c for bit, c in WARNINGS.items() if m & bit) for m in masks.tolist()] + [""],
                         dtype=object)
        if coded:
            return Coded(texts, inverse)
        return texts[inverse] if self.n else np.full(0, "", dtype=object)

    def columns(self, *, coded: bool = False) -> dict[str, NDArray | Coded]:
        """Every output as a column: the batch writes these next to the input columns.

        With ``coded=True``, text columns with few distinct values (recommendation, warnings,
        postage source, postage currency and service) come as :class:`Coded` (distinct values +
        per-row codes),
        which a writer turns into dictionary arrays without touching each row's string.
        """
        e = self.evaluation
        options = np.array(_model.OPTIONS + ("",), dtype=object)  # -1 (not evaluated) → ""
        rec: NDArray | Coded = Coded(options, np.where(e.recommendation < 0, len(_model.OPTIONS), e.recommendation))
        cols: dict[str, NDArray | Coded] = {
            "recommendation": rec if coded else e.recommended.astype(object),
            "margin": e.margin,
            "ev_return": e.ev_return,
            "ev_partial_keep": e.ev_partial_keep,
            "ev_partial_resell": e.ev_partial_resell,
            "ev_keep": e.ev_keep,
            "price_used": self.values["price"],
            "postage_used": self.postage,
            "postage_native": self.postage_native,
            "postage_currency_used": self._coded_currency() if coded else self.postage_currency,
            "postage_source": Coded(np.array(SOURCES, dtype=object), self.source_code) if coded else self.postage_source,
            "service_used": self._per_offer(lambda o: o.label) if coded else self.service,
            "tracked": self.tracked,
            "chargeable_weight_g": self.chargeable_g,
            "break_even_price": e.break_even_price,
            "max_postage": e.max_postage,
            "min_partial_refund": e.min_partial_refund,
            "win_probability_used": self.values["win_probability"],
            "use_value_used": self.values["use_value"],
            "resale_value_used": self.values["resale_value"],
        }
        for name, d in self.dates.items():
            cols[name] = d
        cols["warnings"] = self._warning_codes(coded)
        cols["problem"] = self.problem
        return cols

    def _coded_currency(self) -> Coded:
        c = self.postage_currencies
        return Coded(np.where(c == "", None, c.astype(object)), self.postage_currency_index)

    def to_frame(self):  # -> pandas.DataFrame
        """The outputs as a pandas DataFrame, one row per order."""
        import pandas as pd

        return pd.DataFrame(self.columns())


def _decode(c: Coded) -> NDArray[np.object_]:
    """A coded text column as one value per row."""
    return np.asarray(c.values, dtype=object)[np.asarray(c.codes)]


def round_output(v: ArrayLike, digits: int) -> NDArray[np.float64]:
    """Money to cents (``digits=2``) or fractions to 4 decimals, for output.

    Commercial rounding: half a cent goes away from zero. The float of an amount such as
    24.5 × 0.65 = 15.925 may sit a few units in the last place below the half cent, so values within
    a relative 1e-14 of it count as the half: 15.925 is written 15.93. One rule serves the batch's columns and a
    single estimate's JSON, so the two agree to the cent. ``-0.0`` becomes ``0.0``.

    Examples
    --------
    >>> round_output([15.925, -0.125, 2.675, 0.004999], 2).tolist()
    [15.93, -0.13, 2.68, 0.0]
    """
    x = np.asarray(v, dtype=np.float64)
    scale = 10.0**digits
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.abs(x) * scale
        r = np.copysign(np.floor(s + 0.5 + s * 1e-14), x) / scale
    # from 2**52 up, a scaled float has no fraction left to round (and scaling could overflow)
    return np.where(s < 2.0**52, r, x) + 0.0


# --------------------------------------------------------------------------------------------
# assess: many orders


def _missing_text(x: object) -> bool:
    return x is None or (isinstance(x, float) and x != x) or str(x).strip() in ("", "nan", "None", "NaN")


def _coded(raw: object, n: int) -> tuple[NDArray[np.object_], NDArray[np.intp]]:
    """Distinct values (cleaned: missing → "") and per-row codes of a text input."""
    if isinstance(raw, Coded):
        uniq, codes = np.asarray(raw.values, dtype=object), np.asarray(raw.codes, dtype=np.intp)
    else:
        a = np.asarray("" if raw is None else raw, dtype=object)
        if a.ndim == 0:
            uniq, codes = np.array([a.item()], dtype=object), np.zeros(n, np.intp)
        else:
            uniq, codes = factorize(np.broadcast_to(a, (n,)) if a.shape != (n,) else a)
            uniq = uniq.astype(object)
    clean = np.array(["" if _missing_text(x) else str(x).strip() for x in uniq] + [""], dtype=object)
    return clean, (codes if len(codes) == n else np.broadcast_to(codes, (n,)))


def _num_array(v: object, n: int) -> NDArray[np.float64]:
    a = np.asarray(v, dtype=np.float64)
    return np.broadcast_to(a, (n,)) if a.shape != (n,) else a


def _date_array(v: object, n: int, today: _dt.date | None, name: str = "received_on") -> NDArray[np.datetime64]:
    """Dates per order; missing ones become ``today`` (or NaT when ``today`` is None)."""
    fill = np.datetime64("NaT") if today is None else np.datetime64(today, "D")
    if v is None:
        return np.full(n, fill, dtype="datetime64[D]")
    a = np.asarray(v)
    if a.dtype.kind in "OU":
        if a.dtype.kind == "O":
            a = np.where(np.equal(a, None), "", a).astype(str)
        try:
            a = a.astype("datetime64[D]")  # ISO dates, parsed in C; "" becomes NaT
        except ValueError:
            raise InputError(f"{name}: {v!r} is not a date; write YYYY-MM-DD") from None
    a = a.astype("datetime64[D]")
    a = np.broadcast_to(a, (n,)) if a.shape != (n,) else a
    return np.where(np.isnat(a), fill, a)


def _length(inputs: Mapping[str, object]) -> int:
    sizes = {np.size(v) for v in inputs.values() if v is not None and np.ndim(v) > 0}
    sizes.discard(1)
    if len(sizes) > 1:
        raise InputError(f"inputs have different lengths {sorted(sizes)}; give one value or one per order")
    return sizes.pop() if sizes else 1


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
    >>> import datetime
    >>> a = assess(price=[18000, 300], currency="RUB", origin="RU", postage=1500, reason="damaged",
    ...            received_on="2026-11-20", today=datetime.date(2026, 11, 26))
    >>> a.recommendation.tolist(), a.evaluation.ev_return.tolist()
    (['return', 'partial_resell'], [13620.0, -1248.0])
    """
    today = today or _dt.date.today()
    given: dict[str, object] = {}
    if orders is not None:
        given.update({k: (orders[k].to_numpy() if hasattr(orders[k], "to_numpy") else orders[k]) for k in orders})
    given.update(inputs)
    known = {f.name for f in FIELDS}
    unknown = sorted(set(given) - known)
    if unknown:
        raise InputError(f"unknown input {unknown[0]!r}; inputs are: {', '.join(sorted(known))}")
    n = _length(given)
    problem = np.full(n, "", dtype=object)
    has_problem = np.zeros(n, bool)

    def flag(mask: NDArray[np.bool_], name: str, what) -> None:
        """Record a problem (the first per order wins). ``what`` is a text, or a function that
        returns the texts of the masked rows only: texts are built for bad rows, not for all."""
        mask = mask & ~has_problem
        if not mask.any():
            return
        text = what(mask) if callable(what) else what
        text = np.char.add(f"{name}: " if name else "", np.asarray(text, dtype=str))
        if errors == "raise":
            rows = np.flatnonzero(mask)
            at = f" (order {rows[0] + 1})" if n > 1 else ""
            raise InputError(f"{text.flat[0]}{at}")
        problem[mask] = text
        has_problem[mask] = True

    if problems is not None:
        known = np.broadcast_to(np.asarray(problems, dtype=object), (n,))
        known_mask = ~np.equal(known, None) & (known != "")
        flag(known_mask, "", lambda m: known[m])

    def numbers(a: NDArray, tail: str):
        return lambda m: np.char.add(a[m].astype(str), tail)

    vals: dict[str, NDArray] = {}
    assumed: dict[str, NDArray[np.bool_]] = {}
    texts: dict[str, tuple[NDArray[np.object_], NDArray[np.intp]]] = {}  # text inputs as (distinct, codes)
    for f in FIELDS:
        if f.kind == "date":
            continue
        raw = given.get(f.name)
        if f.kind in ("money", "fraction", "weight", "length", "number"):
            a = _num_array(np.nan if raw is None else raw, n)
            default = f.default if isinstance(f.default, (int, float)) else np.nan
            assumed[f.name] = np.isnan(a)
            vals[f.name] = np.where(np.isnan(a), default, a)
        elif f.kind in ("bool",):
            a = np.asarray(False if raw is None else raw)
            if a.dtype.kind != "b":  # text or objects: None counts as no
                a = a.astype(object)
                a = a.astype(bool) & ~np.equal(a, None)
            vals[f.name] = np.array(np.broadcast_to(a, (n,)))
        elif f.kind == "int":
            a = _num_array(0 if raw is None else raw, n)
            vals[f.name] = np.where(np.isnan(a), 0, a)
        else:
            uniq, codes = _coded(raw, n)
            if f.kind in ("country", "currency"):
                uniq = np.array([x.upper() for x in uniq], dtype=object)
            empty = uniq == ""
            assumed[f.name] = empty[codes]
            default = f.default if isinstance(f.default, str) else ""
            uniq = np.where(empty, default, uniq)
            texts[f.name] = (uniq, codes)
            vals[f.name] = uniq.astype(str)[codes]  # fixed-width text: fast to take, compare and group
    vals["received_on"] = _date_array(given.get("received_on"), n, today)
    assumed["received_on"] = np.full(n, given.get("received_on") is None)
    vals["purchased_on"] = _date_array(given.get("purchased_on"), n, None, "purchased_on")

    # the postage is in the order currency unless its own currency is given
    pc_empty = assumed["postage_currency"]
    vals["postage_currency"] = np.where(pc_empty, vals["currency"], vals["postage_currency"])

    # --- validation (ranges, codes) -------------------------------------------------------
    price = vals["price"]
    flag(np.isnan(price), "price", "missing; give the amount paid for the item")
    flag(price <= 0, "price", numbers(price, " must be greater than zero"))
    for name in _FRACTIONS:
        a = vals[name]
        flag((a < 0) | (a > 1), name, numbers(a, " must be between 0 and 1"))
    for name in ("packaging_cost", "hourly_value", "resale_cost", "hassle_hours", "postage"):
        flag(vals[name] < 0, name, numbers(vals[name], " is negative; give zero or more"))
    for name in ("weight_g", "length_cm", "width_cm", "height_cm"):
        flag(vals[name] < 0, name, numbers(vals[name], " is negative; a size must be zero or more"))
    flag(vals["disputes_won_in_a_row"] < 0, "disputes_won_in_a_row", "must be zero or more")
    checks = (
        ("origin", is_country, "is not an ISO country code (e.g. US, GB, DE, RU)"),
        ("destination", is_country, "is not an ISO country code (e.g. CN)"),
        ("currency", is_currency, "is not an ISO currency code (e.g. USD, EUR, RUB)"),
        ("postage_currency", is_currency, "is not an ISO currency code (e.g. USD)"),
        ("reason", REASONS.__contains__, f"is not one of {', '.join(REASONS)}"),
        ("marketplace", _field("marketplace").choices.__contains__,
         f"is not one of {', '.join(_field('marketplace').choices)}"),
    )
    for name, check, what in checks:
        uniq, codes = texts[name]
        ok = np.array([check(x) for x in uniq], dtype=bool)
        if name == "postage_currency":
            ok |= uniq == ""  # empty: the order currency, checked above
        msg = np.array([f"'{x}' {what}" for x in uniq], dtype=object)
        flag(~ok[codes], name, lambda m, msg=msg, codes=codes: msg[codes[m]])
    flag(vals["received_on"] > np.datetime64(today, "D"), "received_on",
         lambda m: np.char.add(vals["received_on"][m].astype(str), f" is after today ({today})"))
    flag(vals["purchased_on"] > vals["received_on"], "purchased_on",
         lambda m: np.char.add(vals["purchased_on"][m].astype(str), " is after the day the item was received"))
    _check_marketplace_rules(vals, texts["marketplace"], flag)

    # --- reason defaults --------------------------------------------------------------------
    r_uniq, r_codes = texts["reason"]
    for name in ("win_probability", "use_value", "resale_value"):
        per_reason = np.array([getattr(REASON_DEFAULTS[x], name) if x in REASON_DEFAULTS else np.nan
                               for x in r_uniq])
        vals[name] = np.where(assumed[name], per_reason[r_codes], vals[name])

    # --- postage ------------------------------------------------------------------------------
    rates = fx or reference_rates()
    postage_native = vals["postage"].copy()
    # The currency of each postage, as an index into `pcur_words`: the order currency, the given
    # postage currency, or (below) the looked-up offer's; codes, not a string per order.
    cur_words, cur_code = texts["currency"]
    pc_words, pc_code = texts["postage_currency"]
    pcur_words = [*cur_words, *pc_words]
    pcur = np.where(pc_empty, cur_code, len(cur_words) + pc_code)
    source = np.where(np.isfinite(postage_native), _GIVEN, 0).astype(np.int8)
    free = vals["free_return"] & ~np.isfinite(postage_native)
    postage_native[free] = 0.0
    source[free] = _FREE
    pcur[free] = cur_code[free]
    offers: tuple[Offer, ...] = ()
    offer = np.full(n, -1, np.intp)
    tariff_index = np.full(n, -1, np.intp)
    stale = np.zeros(n, np.int8)  # staleness of the tariff version used, on the posting day
    tracked = source != 0
    charge = np.full(n, np.nan)
    size_checked = np.ones(n, bool)
    look = (source == 0) & ~has_problem
    flag(look & np.isnan(vals["weight_g"]), "weight_g", "missing; give the parcel weight or a known --postage")
    look &= ~has_problem
    tset = resolve(tariffs, today=today)
    if look.any():
        idx = np.flatnonzero(look)
        sub = {k: Coded(texts[k][0], texts[k][1][idx]) for k in ("origin", "destination", "service")}
        p = cheapest_postage(
            tset, sub["origin"], sub["destination"], vals["weight_g"][idx],
            vals["length_cm"][idx], vals["width_cm"][idx], vals["height_cm"][idx],
            zone=vals["zone"][idx], service=sub["service"], fx=rates, posted_on=today,
        )
        postage_native[idx] = p.amount
        pcur[idx] = len(pcur_words) + np.where(p.offer < 0, len(p.offers), p.offer)
        pcur_words += [o.currency for o in p.offers] + [""]
        source[idx] = np.where(np.isfinite(p.amount), _TARIFF, 0)
        offers, offer[idx] = p.offers, p.offer
        tariff_index[idx] = p.tariff_index
        stale[idx] = p.stale
        tracked[idx] = p.tracked
        charge[idx] = p.chargeable_g
        size_checked[idx] = p.size_checked
        unpriced = np.zeros(n, bool)
        unpriced[idx] = ~np.isfinite(p.amount)
        if unpriced.any():
            status = np.full(n, "", dtype=object)
            status[idx] = p.status
            if errors == "raise":
                raise RouteError(_route_help(tset, vals, int(np.flatnonzero(unpriced)[0]), status))
            flag(unpriced, "postage", lambda m: np.char.add(status[m].astype(str),
                                                            "; give a known postage (a counter quote)"))

    words, remap = np.unique(np.array(pcur_words + [""], dtype=str), return_inverse=True)
    pcur = remap.ravel()[pcur]
    # factors on the small grid (postage currency x order currency), then taken per order
    grid = rates.factor(np.where(words == "", cur_words[:, None], words), cur_words[:, None]).T
    factor = grid[pcur, cur_code]
    no_rate = ~np.isfinite(factor) & np.isfinite(postage_native)
    if no_rate.any():
        missing = rates.missing(np.concatenate([words[pcur[no_rate]], cur_words[cur_code[no_rate]].astype(str)]))
        flag(no_rate, "currency",
             f"no exchange rate for {', '.join(missing)}; pass --fx {missing[0] if missing else 'CUR'}=<units per 1 EUR>")
    postage = round_output(postage_native * factor, 2)

    # --- the model -----------------------------------------------------------------------------
    bad = has_problem
    e = _model.evaluate(
        np.where(bad, np.nan, price),
        postage,
        win_probability=vals["win_probability"],
        use_value=vals["use_value"],
        resale_value=vals["resale_value"],
        partial_refund=vals["partial_refund"],
        seller_pays_postage=vals["seller_pays_postage"],
        packaging_cost=vals["packaging_cost"],
        hassle_hours=vals["hassle_hours"],
        hourly_value=vals["hourly_value"],
        resale_fee=vals["resale_fee"],
        resale_cost=vals["resale_cost"],
    )

    # --- deadlines and warnings ----------------------------------------------------------------
    dates, window_closed, streak_limit = _dates(vals, texts["marketplace"], today)
    warn = np.zeros(n, np.int32)
    warn |= np.where(window_closed, WINDOW_CLOSED, 0).astype(np.int32)
    warn |= np.where(postage > price, POSTAGE_OVER_PRICE, 0).astype(np.int32)
    warn |= np.where((source == _TARIFF) & ~tracked, NO_TRACKED, 0).astype(np.int32)
    warn |= np.where((streak_limit > 0) & (vals["disputes_won_in_a_row"] >= streak_limit), WIN_STREAK, 0).astype(np.int32)
    warn |= np.where(vals["mall"], MALL, 0).astype(np.int32)
    warn |= np.where((source == _TARIFF) & ~size_checked, SIZE_NOT_CHECKED, 0).astype(np.int32)
    warn |= np.where(free, FREE_RETURN_LIMITS, 0).astype(np.int32)
    counts = np.bincount(tariff_index + 1, minlength=len(tset) + 1)[1:]
    used = {t.name: t for i, t in enumerate(tset) if counts[i]}
    warn |= np.select([stale == EXPIRED, stale == OLD], [TARIFF_EXPIRED, TARIFF_OLD], 0).astype(np.int32)
    warn[bad] = 0

    return Assessment(
        n=n, values=vals, assumed=assumed, postage=np.where(bad, np.nan, postage),
        postage_native=np.where(bad, np.nan, postage_native),
        postage_currencies=words, postage_currency_index=np.where(bad, np.flatnonzero(words == "")[0], pcur),
        source_code=np.where(bad, 0, source).astype(np.int8),
        offers=offers, offer=offer, tracked=tracked & ~bad,
        chargeable_g=charge, evaluation=e, dates=dates, warnings=warn, problem=problem,
        today=today, tariff_info=used,
    )


def _markets(coded: tuple[NDArray[np.object_], NDArray[np.intp]]):
    """Each known marketplace among the orders, with the mask of its rows."""
    from .policy import get_marketplace

    uniq, codes = coded
    for m in sorted(set(uniq) & set(_field("marketplace").choices)):
        yield m, get_marketplace(m), (uniq == m)[codes]


def _check_marketplace_rules(vals: dict[str, NDArray], market_codes, flag) -> None:
    """Inputs a marketplace's rules need: Temu counts from purchase; not every one has free returns."""
    for m, market, rows in _markets(market_codes):
        if market.dispute_window_from == "purchase":
            flag(rows & np.isnat(vals["purchased_on"]), "purchased_on",
                 f"missing; {m} counts its return window from the purchase date (give --purchased-on)")
        if market.free_return_window_days is None:
            flag(rows & vals["free_return"], "free_return", f"{m} has no free-return programme")


def _dates(vals: dict[str, NDArray], market_codes, today: _dt.date) -> tuple[dict[str, NDArray], NDArray, NDArray]:
    """Deadlines and money-arrival ranges per order, from the marketplace profiles."""
    from .policy import timeline

    n = len(vals["price"])
    names = ("dispute_deadline", "ship_by", "refund_return_earliest", "refund_return_latest",
             "refund_partial_earliest", "refund_partial_latest")
    out = {k: np.full(n, np.datetime64("NaT"), dtype="datetime64[D]") for k in names}
    closed = np.zeros(n, bool)
    streak = np.zeros(n, np.int64)
    for m, market, rows in _markets(market_codes):
        for fr in (False, True):
            sel = rows & (vals["free_return"] == fr)
            if not sel.any():
                continue
            if fr and market.free_return_window_days is None:
                continue  # already a problem row
            need = market.dispute_window_from == "purchase"
            sel &= ~(need & np.isnat(vals["purchased_on"]))
            if not sel.any():
                continue
            tl = timeline(market, vals["received_on"][sel], np.datetime64(today, "D"),
                          purchased_on=vals["purchased_on"][sel] if need else None, free_return=fr)
            for k in names:
                out[k][sel] = getattr(tl, k)
            closed[sel] = tl.window_closed
        streak[rows] = market.wins_in_a_row_risk or 0
    return out, closed, streak


def _route_help(tariffs: tuple[Tariff, ...], vals: dict[str, NDArray], i: int, status: NDArray) -> str:
    origin, dest = vals["origin"][i], vals["destination"][i]
    have = list({t.name: t for t in tariffs if t.origin == origin}.values())  # the newest version of each
    if have:
        listed = "; ".join(f"{t.name} ({t.carrier}, to {', '.join(t.destinations())})" for t in have)
        what = f"{status[i]}. Tariffs for {origin}: {listed}"
    else:
        origins = sorted({t.origin for t in tariffs})
        what = f"no tariff for parcels posted in {origin} (tariffs exist for {', '.join(origins)})"
    return (f"postage {origin} → {dest}: {what}; give the price the post office quoted with "
            f"--postage AMOUNT [--postage-currency CUR], or add a tariff file with --tariffs DIR")


# --------------------------------------------------------------------------------------------
# estimate: one order


_OPTION_WORDS = {
    "return": "dispute for a full refund and post the item back",
    "partial_keep": "accept a partial refund and keep the item",
    "partial_resell": "accept a partial refund and sell the item locally",
    "keep": "keep the item without a dispute",
}


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Estimate:
    """The answer for one order: what to do, by how much, how sure, when the money comes, and
    where the answer would flip. ``print()`` it for the text, or use :meth:`to_dict`."""

    assessment: Assessment

    def _get(self, a: NDArray) -> object:
        v = a[0]
        return v.item() if hasattr(v, "item") else v

    @property
    def currency(self) -> str:
        return str(self.assessment.values["currency"][0])

    @property
    def recommendation(self) -> str:
        return str(self.assessment.recommendation[0])

    @property
    def ev(self) -> dict[str, float]:
        """Expected value of each option. [order currency]"""
        return {o: float(self.assessment.evaluation.ev[i, 0]) for i, o in enumerate(_model.OPTIONS)}

    @property
    def margin(self) -> float:
        return float(self.assessment.evaluation.margin[0])

    @property
    def postage(self) -> float:
        return float(self.assessment.postage[0])

    @property
    def break_even_price(self) -> float:
        return float(self.assessment.evaluation.break_even_price[0])

    @property
    def max_postage(self) -> float:
        return float(self.assessment.evaluation.max_postage[0])

    @property
    def min_partial_refund(self) -> float:
        return float(self.assessment.evaluation.min_partial_refund[0])

    @property
    def warnings(self) -> list[str]:
        return [w for w in str(self.assessment.warning_codes()[0]).split(";") if w]

    def assumptions(self) -> dict[str, object]:
        """Inputs that took their default, with the value used."""
        a = self.assessment
        out = {}
        for name, mask in a.assumed.items():
            if mask[0] and name not in ("postage", "length_cm", "width_cm", "height_cm", "zone", "service",
                                        "postage_currency", "weight_g", "price", "origin"):
                out[name] = self._get(a.values[name])
        return out

    def to_dict(self) -> dict[str, object]:
        """Every number of the estimate, JSON-ready."""
        a = self.assessment

        def clean(v: object) -> object:
            if isinstance(v, float):
                return None if math.isnan(v) else (str(v) if math.isinf(v) else v)
            if isinstance(v, np.datetime64):
                return None if np.isnat(v) else str(v)
            if isinstance(v, (_dt.date,)):
                return str(v)
            return v

        cols = {k: clean(self._get(v)) for k, v in a.columns().items()}
        for k in MONEY_COLUMNS:
            if isinstance(cols[k], float):
                cols[k] = float(round_output(cols[k], 2))
        for k in FRACTION_COLUMNS:
            if isinstance(cols[k], float):
                cols[k] = float(round_output(cols[k], 4))
        inputs = {k: clean(self._get(v)) for k, v in a.values.items()}
        return {
            "recommendation": self.recommendation,
            "currency": self.currency,
            "ev": {k: clean(float(round_output(v, 2))) for k, v in self.ev.items()},
            "outputs": cols,
            "inputs": inputs,
            "assumed": sorted(self.assumptions()),
            "warnings": [{"code": c, "text": t} for c, t in zip(self.warnings, self._warning_texts())],
            "today": str(a.today),
        }

    def timeline(self) -> dict[str, _dt.date | None]:
        """Deadlines and the dates the money can arrive (``None`` where unknown)."""
        out = {}
        for k, v in self.assessment.dates.items():
            d = v[0]
            out[k] = None if np.isnat(d) else d.astype(object)
        return out

    def to_frame(self):  # -> pandas.DataFrame
        """One row per option: EV and whether it is recommended."""
        import pandas as pd

        return pd.DataFrame(
            {"option": list(self.ev), "ev": list(self.ev.values()),
             "recommended": [o == self.recommendation for o in self.ev]}
        ).set_index("option")

    # -- words ---------------------------------------------------------------------------------

    def _money(self, x: float) -> str:
        if math.isnan(x):
            return "?"
        if math.isinf(x):
            return "never" if x > 0 else "−∞"
        return f"{x:,.2f} {self.currency}"

    def _warning_texts(self) -> list[str]:
        a = self.assessment
        v = a.values
        texts = {
            "dispute_window_closed": f"the dispute window closed on {a.dates['dispute_deadline'][0]}; "
                                     "the options that need a dispute may no longer be open",
            "postage_exceeds_price": f"the postage ({self._money(self.postage)}) is more than the price",
            "no_tracked_service": "no tracked service can take this parcel on this route: an untracked return "
                                  "cannot be proven in a dispute",
            "disputes_won_in_a_row": f"you have won {int(v['disputes_won_in_a_row'][0])} disputes in a row; buyers "
                                     "who win several in a row risk being refused or blacklisted",
            "mall_item": "'Mall' items follow a different return procedure; check the item's own return terms",
            "tariff_expired": self._tariff_text("expired"),
            "tariff_over_a_year_old": self._tariff_text("old"),
            "size_not_checked": "no parcel size given (--dims): size limits and volumetric weight were not checked",
            "free_return_conditions": "free return: only one free return per order, items must be new and unused; "
                                      "phones, underwear, food, custom items and items over US$1,000 are excluded",
        }
        return [texts[c] for c in self.warnings]

    def _tariff_text(self, kind: str) -> str:
        t = self.assessment.tariff_info.get(str(self.assessment.tariff[0]))
        if t is None:
            return "the tariff may be out of date"
        if kind == "expired":
            return f"tariff {t.name} was valid until {t.valid_until}; current prices may be higher"
        return f"tariff {t.name} dates from {t.valid_from}; current prices may differ"

    def summary(self) -> str:
        """The recommendation in one plain sentence with the numbers behind it."""
        if self.assessment.problem[0]:
            return f"Cannot estimate: {self.assessment.problem[0]}"
        ev = self.ev
        rec = self.recommendation
        runner = max((o for o in ev if o != rec), key=lambda o: ev[o])
        return (f"Recommendation: {_OPTION_WORDS[rec]} ({rec}). It is worth {self._money(ev[rec])} to you, "
                f"{self._money(self.margin)} more than the next best option, {runner} ({self._money(ev[runner])}).")

    def __str__(self) -> str:
        a = self.assessment
        v = a.values
        lines = [self.summary()]
        if a.problem[0]:
            return lines[0]
        lines.append("")
        lines.append("Expected value of each option:")
        for o, x in sorted(self.ev.items(), key=lambda kv: -kv[1]):
            mark = "►" if o == self.recommendation else " "
            lines.append(f"  {mark} {o:<15} {self._money(x):>18}   {_OPTION_WORDS[o]}")
        src = str(a.postage_source[0])
        native = f"{a.postage_native[0]:,.2f} {a.postage_currency[0]}"
        conv = f" = {self._money(self.postage)}" if a.postage_currency[0] != self.currency else ""
        if src == "tariff":
            how = f"{a.service[0]} ({a.offer_key[0]}), {'tracked' if a.tracked[0] else 'UNTRACKED'}"
            if np.isfinite(a.chargeable_g[0]):
                how += f", charged as {a.chargeable_g[0]:,.6g} g"
        elif src == "free_return":
            how = "free-return programme"
        else:
            how = "as given"
        lines.append(f"Return postage: {native}{conv} — {how}.")
        lines.append("")
        lines.append("Where the answer flips:")
        bep = self.break_even_price
        if math.isinf(bep):
            lines.append("  returning never beats the alternatives at this postage, whatever the price")
        else:
            lines.append(f"  returning pays for items above {self._money(bep)} at this postage")
        mp = self.max_postage
        if math.isinf(mp) and mp > 0:
            lines.append("  returning wins at any postage (the seller pays it)")
        elif mp <= 0:
            lines.append("  returning does not pay even with free postage")
        else:
            lines.append(f"  returning pays while the postage is below {self._money(mp)}")
        mpr = self.min_partial_refund
        if mpr == 0:
            lines.append("  any partial refund beats returning (returning is worth no more than keeping the item)")
        elif mpr > 1:
            lines.append("  no partial refund is worth accepting instead of returning (it would have to exceed the price)")
        else:
            lines.append(f"  accept a partial refund of at least {mpr:.0%} of the price ({self._money(mpr * float(v['price'][0]))})")
        d = a.dates
        lines.append("")
        lines.append(f"Timeline ({v['marketplace'][0]}, item received {v['received_on'][0]}):")
        lines.append(f"  last day to open a dispute: {d['dispute_deadline'][0]}")
        lines.append(f"  if the seller accepts a return, post it by about {d['ship_by'][0]} and enter the tracking number")
        lines.append(f"  money back if you return: {d['refund_return_earliest'][0]} to {d['refund_return_latest'][0]}")
        lines.append(f"  money back for a partial refund: {d['refund_partial_earliest'][0]} to {d['refund_partial_latest'][0]}")
        assumed = self.assumptions()
        if assumed:
            lines.append("")
            rsn = str(v["reason"][0])
            by_reason = [k for k in ("win_probability", "use_value", "resale_value") if k in assumed]
            zero = [k for k, val in assumed.items() if val == 0 and k not in by_reason]
            rest = [k for k in assumed if k not in by_reason and k not in zero]
            parts = []
            if by_reason:
                parts.append(", ".join(f"{k}={_fmt(assumed[k])}" for k in by_reason) + f" (defaults for reason {rsn})")
            parts += [f"{k}={_fmt(assumed[k])}" for k in rest]
            if zero:
                parts.append("0 for " + ", ".join(zero))
            lines.append("Assumed: " + "; ".join(parts) + ". Each has an option to override it (e.g. --"
                         + (by_reason or rest or zero)[0].replace("_", "-") + ").")
            if by_reason:
                lines.append(f"  Why: {REASON_DEFAULTS[rsn].why}")
        ws = self._warning_texts()
        if ws:
            lines.append("")
            lines += [f"Warning: {w}." for w in ws]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Estimate {self.recommendation}: margin {self._money(self.margin)}>\n{self}"

    def _repr_html_(self) -> str:
        bold = ' style="font-weight:bold"'
        rows = "".join(
            f"<tr{bold if o == self.recommendation else ''}>"
            f"<td>{'►' if o == self.recommendation else ''}</td><td>{o}</td>"
            f"<td style='text-align:right'>{html.escape(self._money(x))}</td>"
            f"<td>{html.escape(_OPTION_WORDS[o])}</td></tr>"
            for o, x in sorted(self.ev.items(), key=lambda kv: -kv[1])
        )
        warn = "".join(f"<li>{html.escape(w)}</li>" for w in self._warning_texts())
        tl = self.timeline()
        facts = [
            ("returning pays for prices above", self._money(self.break_even_price)),
            ("returning pays while the postage is below", self._money(self.max_postage)),
            ("smallest partial refund worth accepting", f"{self.min_partial_refund:.0%}"),
            ("last day to open a dispute", str(tl["dispute_deadline"])),
            ("money back if you return", f"{tl['refund_return_earliest']} to {tl['refund_return_latest']}"),
            ("money back for a partial refund", f"{tl['refund_partial_earliest']} to {tl['refund_partial_latest']}"),
            ("assumed", ", ".join(f"{k}={_fmt(v)}" for k, v in self.assumptions().items())),
        ]
        extra = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in facts)
        return (f"<p>{html.escape(self.summary())}</p><table><tr><th></th><th>option</th><th>expected value</th>"
                f"<th>what it means</th></tr>{rows}</table><table>{extra}</table>"
                + (f"<ul>{warn}</ul>" if warn else ""))


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def estimate(
    *,
    tariffs: Iterable[Tariff] | None = None,
    fx: FxRates | None = None,
    today: _dt.date | None = None,
    **inputs: object,
) -> Estimate:
    """Decide one order: return it, accept a partial refund, or keep it.

    Parameters
    ----------
    **inputs
        The order, by the names of :data:`calculator.inputs.FIELDS` (``price``, ``currency``,
        ``origin``, ``weight_g``, ``length_cm``, ...). Scalars only; use :func:`assess` for many
        orders.
    tariffs, fx, today
        As for :func:`assess`.

    Returns
    -------
    Estimate

    Raises
    ------
    InputError
        For an invalid value, naming the input.
    RouteError
        When no tariff prices the route and no ``postage`` is given; the message lists the
        tariffs for the origin and how to pass a counter quote.

    Examples
    --------
    >>> e = estimate(price=18000, currency="RUB", origin="RU", postage=1500, reason="damaged")
    >>> e.recommendation, e.ev["return"]
    ('return', 13620.0)
    """
    for k, v in inputs.items():
        if np.ndim(v) > 0:
            raise InputError(f"{k}: estimate() takes one order; use assess() for many")
    a = assess(tariffs=tariffs, fx=fx, today=today, errors="raise", **inputs)  # type: ignore[arg-type]
    return Estimate(assessment=a)
