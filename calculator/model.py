"""The money model: the expected value of each option, the recommendation and the break-evens.

One vectorized function, :func:`evaluate`, serves every caller: a single estimate (arrays of
length 1), a batch (columns), Monte Carlo (one order's inputs replaced by N draws) and decision maps
(a grid). Its inputs are one frozen value, :class:`ModelInputs`, which
:func:`calculator.assess` produces; an analysis varies an input with
``dataclasses.replace(inputs, price=grid)``. All money is in the order's currency; the postage is
converted once, before it gets here.

The model follows the dispute process step by step (design section 2, version 2). The buyer posts
the item back only *after* the seller (or the marketplace, on escalation) has accepted the return
in the dispute, so a refused return dispute leaves the buyer holding the item, postage unspent. A
partial refund is argued in a dispute too, and can be refused. Symbols: P price, S postage,
σ the seller's share of the postage, c the buyer's own costs of returning (packaging + hours ·
hourly value), w the chance the return is accepted, q the chance the partial refund is granted,
f the partial refund, u the use value, r the resale value, φ the resale fee, k the fixed cost of
selling, m the least net proceeds worth the effort of a local sale::

    R                 = r·(1 − φ)·P − k          net proceeds of a local sale; open only where R ≥ m
    K                 = max(u·P, R)               what the buyer has without a dispute
    EV_keep           = K
    EV_partial_keep   = q·f·P + u·P
    EV_partial_resell = q·f·P + R               (only where R ≥ m)
    EV_return         = w·(P − (1 − σ)·S − c) + (1 − w)·K

Availability comes before value: an option that cannot be taken (the dispute window has closed,
the marketplace has no partial refund, a sale would not be worth the effort) has no EV (NaN) and is
never recommended.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .i18n import N_

__all__ = ["OPTIONS", "OPTION_WORDS", "OPTION_LABELS", "ModelInputs", "Evaluation", "evaluate"]

#: The options, in the order ties are broken: the less effortful option wins a tie.
OPTIONS: tuple[str, ...] = ("keep", "partial_keep", "partial_resell", "return")

#: What each option means, in the words every text uses (English; shown as ``_(OPTION_WORDS[o])``).
OPTION_WORDS: dict[str, str] = {
    "keep": N_("keep the item without a dispute"),
    "partial_keep": N_("accept a partial refund and keep the item"),
    "partial_resell": N_("accept a partial refund and sell the item locally"),
    "return": N_("dispute for a full refund and post the item back"),
}
#: The options in a few words, for table cells, chart legends and short lines
#: (English; shown as ``_(OPTION_LABELS[o])``).
OPTION_LABELS: dict[str, str] = {
    "keep": N_("keep it, no dispute"),
    "partial_keep": N_("partial refund, keep the item"),
    "partial_resell": N_("partial refund, resell the item"),
    "return": N_("return it (dispute + post back)"),
}

# Two EVs closer than this (in the order currency) are a tie: half a cent cannot decide anything,
# and it keeps float noise (0.1 + 0.2) from flipping a recommendation.
_TIE = 0.005

_KEEP, _PARTIAL_KEEP, _PARTIAL_RESELL, _RETURN = range(4)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ModelInputs:
    """Everything the money model needs, as arrays that broadcast against each other.

    :func:`calculator.assess` builds one per call (defaults applied, postage looked up and
    converted, availability decided); Monte Carlo, sweeps and decision maps replace some fields
    with arrays (``dataclasses.replace(inputs, partial_refund=draws)``) and call :func:`evaluate`.
    Values are converted to float arrays (the two ``*_open`` flags to bool) on construction and
    are not range-checked here: the callers that take user input do that.

    Parameters
    ----------
    price
        Refundable amount paid, P. [order currency]
    postage
        Return postage, S, already in the order currency. [order currency]
    win_probability
        Chance the return dispute is accepted (by the seller or on escalation), w. [0..1]
    partial_probability
        Chance the partial refund asked for is granted, q. [0..1]
    partial_refund
        Partial refund asked for, f. [fraction of P]
    use_value
        What keeping the item is worth to the buyer, u. [fraction of P]
    resale_value
        Local resale price, r. [fraction of P]
    resale_fee
        Resale platform fee, φ. [fraction of the sale]
    resale_cost
        Fixed cost of selling, k (local postage, listing). [order currency]
    seller_pays_postage
        Share of the postage the seller reimburses, σ. [0..1]
    packaging_cost
        Cost of packing the return. [order currency]
    hassle_hours
        Hours spent packing and posting the return. [h]
    hourly_value
        What an hour of the buyer's time is worth; c = packaging_cost + hassle_hours ·
        hourly_value. [order currency per h]
    min_resale
        The least net proceeds worth the effort of a local sale, m; below it, selling is not an
        option. [order currency]
    return_open
        The return can still be started (the dispute or free-return window is open).
    partial_open
        A partial refund can still be asked for (window open, and the marketplace has the
        procedure).
    """

    price: ArrayLike
    postage: ArrayLike
    win_probability: ArrayLike
    partial_probability: ArrayLike
    partial_refund: ArrayLike = 0.5
    use_value: ArrayLike
    resale_value: ArrayLike
    resale_fee: ArrayLike = 0.0
    resale_cost: ArrayLike = 0.0
    seller_pays_postage: ArrayLike = 0.0
    packaging_cost: ArrayLike = 0.0
    hassle_hours: ArrayLike = 0.0
    hourly_value: ArrayLike = 0.0
    min_resale: ArrayLike = 0.0
    return_open: ArrayLike = True
    partial_open: ArrayLike = True

    def __post_init__(self) -> None:
        for f in fields(self):
            kind = np.bool_ if f.name.endswith("_open") else np.float64
            object.__setattr__(self, f.name, np.asarray(getattr(self, f.name), dtype=kind))


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Evaluation:
    """Results of :func:`evaluate`, each an array broadcast to the inputs' common shape.

    ``ev`` has a leading axis of length 4 in the order of :data:`OPTIONS`; NaN marks an option
    that cannot be taken.
    """

    ev: NDArray[np.float64]
    recommendation: NDArray[np.intp]  # index into OPTIONS; -1 where the inputs are incomplete
    margin: NDArray[np.float64]  # NaN where no other option is open
    break_even_price: NDArray[np.float64]
    max_postage: NDArray[np.float64]
    min_partial_refund: NDArray[np.float64]
    resale_open: NDArray[np.bool_]  # a local sale is worth the effort (R ≥ m)
    keep_sells: NDArray[np.bool_]  # keeping means selling it locally (R ≥ m and R > u·P)

    @property
    def ev_keep(self) -> NDArray[np.float64]:
        return self.ev[_KEEP]

    @property
    def ev_partial_keep(self) -> NDArray[np.float64]:
        return self.ev[_PARTIAL_KEEP]

    @property
    def ev_partial_resell(self) -> NDArray[np.float64]:
        return self.ev[_PARTIAL_RESELL]

    @property
    def ev_return(self) -> NDArray[np.float64]:
        return self.ev[_RETURN]

    @property
    def return_advantage(self) -> NDArray[np.float64]:
        """EV of returning minus the best open alternative's (positive: returning pays; NaN where
        returning is closed)."""
        return self.ev[_RETURN] - np.fmax.reduce(self.ev[:_RETURN], axis=0)

    @property
    def recommended(self) -> NDArray[np.str_]:
        """The recommendation as option names ("" where it cannot be computed)."""
        names = np.array(OPTIONS + ("",))
        return names[self.recommendation]


def evaluate(inputs: ModelInputs) -> Evaluation:
    """Expected value of each option, the best open option and where the answer would flip.

    Parameters
    ----------
    inputs
        The order(s), see :class:`ModelInputs`.

    Returns
    -------
    Evaluation

    Notes
    -----
    ``recommendation`` is the open option with the largest EV; EVs within half a cent tie, and a
    tie goes to the less effortful option (keep > partial_keep > partial_resell > return).
    ``margin`` is the best EV minus the runner-up's (0 for a tie, NaN when only one option is
    open).

    The break-evens each vary one input and hold the rest; they are NaN where returning is closed.

    ``max_postage``: only EV_return depends on S. Returning beats the best open alternative A when
    w·(P − (1 − σ)·S − c) + (1 − w)·K > A, i.e. for
    S < (P − c − (A − (1 − w)·K)/w) / (1 − σ). With w = 0 returning never wins (−∞); with σ = 1
    the postage does not matter (+∞ or −∞ by whether returning wins).

    ``min_partial_refund``: a partial refund the seller *offers* is certain, and its best use is
    f·P + K (keep or sell, whichever is worth more), so it beats returning when
    f > (EV_return − K)/P; the value is max(0, that) (NaN where partial refunds are closed, 0 where
    returning is).

    ``break_even_price``: the smallest P* ≥ 0 such that returning beats every open alternative
    for *every* price above P* (∞ when it does not win for dear items). As functions of P with
    everything else fixed, each gap g_i(P) = EV_return − alt_i is linear between at most two
    breakpoints: P_sale = (m + k)/a, where a local sale becomes worth it (a = r·(1 − φ); K and
    EV_partial_resell jump there), and P_cross = k/(a − u), where selling starts to beat using the
    item. Returning wins above P* exactly when every g_i is positive above P*, so
    P* = max_i P*_i, where P*_i is the supremum of the prices at which g_i ≤ 0 (0 if there are
    none): on each piece the linear g_i is ≤ 0 on an interval ending at its root or at the piece's
    edge, so each piece gives its supremum in closed form. No numeric root finding is involved.

    Examples
    --------
    An 18,000 RUB phone that arrived broken, return postage 1,450 RUB (the guide the project
    started from): w = q = 0.84 (damaged), u = 0, r = 0.10, and a sale of at least 930 RUB is
    worth the effort. Returning is worth 0.84·(18000 − 1450) + 0.16·1800:

    >>> e = evaluate(ModelInputs(price=18000, postage=1450, win_probability=0.84,
    ...                          partial_probability=0.84, use_value=0.0, resale_value=0.10,
    ...                          min_resale=930))
    >>> str(e.recommended), float(e.ev_return), float(e.margin)
    ('return', 14190.0, 4830.0)

    The same call with arrays, for two prices (300 RUB socks: selling them is not worth it, and
    posting them back costs more than they did):

    >>> e = evaluate(ModelInputs(price=[18000, 300], postage=[1450, 600], win_probability=0.84,
    ...                          partial_probability=0.84, use_value=0.0, resale_value=0.10,
    ...                          min_resale=930))
    >>> e.recommended.tolist(), e.ev_partial_resell.tolist()
    (['return', 'partial_keep'], [9360.0, nan])
    """
    shape = np.broadcast_shapes(*(getattr(inputs, f.name).shape for f in fields(inputs)))
    if len(shape) == 1 and shape[0] > 2 * _BLOCK:
        # a long column in even blocks: each step's temporaries then stay in the CPU cache (same numbers)
        n = shape[0]
        step = -(-n // -(-n // _BLOCK))
        parts = [_evaluate(_rows(inputs, start, start + step)) for start in range(0, n, step)]
        return Evaluation(**{f.name: np.concatenate([getattr(p, f.name) for p in parts], axis=-1)
                             for f in fields(Evaluation)})
    return _evaluate(inputs)


# Rows per block of a long column in :func:`evaluate`.
_BLOCK = 16384


def _rows(inputs: ModelInputs, start: int, stop: int) -> ModelInputs:
    """The orders ``start:stop`` of 1-d inputs (an input of one value holds for every order)."""
    return ModelInputs(**{f.name: v[start:stop] if (v := getattr(inputs, f.name)).size > 1 else v
                          for f in fields(inputs)})


def _evaluate(inputs: ModelInputs) -> Evaluation:
    """:func:`evaluate` on inputs as given."""
    x = inputs
    P, S, w, q, f = x.price, x.postage, x.win_probability, x.partial_probability, x.partial_refund
    u, phi, k, sigma, m = x.use_value, x.resale_fee, x.resale_cost, x.seller_pays_postage, x.min_resale
    a = x.resale_value * (1.0 - phi)  # share of P the buyer keeps from a sale, before k
    c = x.packaging_cost + x.hassle_hours * x.hourly_value
    S_own = (1.0 - sigma) * S

    R = a * P - k
    resale_open = R >= m
    K = np.where(resale_open, np.maximum(u * P, R), u * P)
    keep_sells = resale_open & (R > u * P)
    partial = q * f * P
    nan = np.nan
    ev_keep = K
    ev_pk = np.where(x.partial_open, partial + u * P, nan)
    ev_pr = np.where(x.partial_open & resale_open, partial + R, nan)
    ev_return = np.where(x.return_open, w * (P - S_own - c) + (1.0 - w) * K, nan)
    ev = np.stack(np.broadcast_arrays(ev_keep, ev_pk, ev_pr, ev_return))
    shape = ev.shape[1:]
    return_open = np.broadcast_to(x.return_open, shape)
    partial_open = np.broadcast_to(x.partial_open, shape)

    # Incomplete inputs: the keep value, or an open option's EV, is NaN.
    incomplete = np.isnan(ev[_KEEP]) | (return_open & np.isnan(ev[_RETURN])) | (partial_open & np.isnan(ev[_PARTIAL_KEEP]))
    scored = np.where(np.isnan(ev), -np.inf, ev)
    best = scored.max(axis=0)
    rec = np.argmax(scored >= best - _TIE, axis=0)  # first True = least effortful among the tied
    rec = np.where(incomplete, -1, rec)
    others = scored.copy()
    np.put_along_axis(others, np.maximum(rec, 0)[None], -np.inf, axis=0)
    runner = others.max(axis=0)
    with np.errstate(invalid="ignore"):
        margin = np.where(incomplete | ~np.isfinite(runner), nan, np.maximum(best - runner, 0.0))

    alt = np.fmax.reduce(ev[:_RETURN], axis=0)  # the best open alternative (keep is always open)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        own = (P - c - (alt - (1.0 - w) * K) / np.where(w > 0, w, 1.0)) / np.where(sigma < 1.0, 1.0 - sigma, 1.0)
        wins_anyway = np.where(w > 0, w * (P - c) + (1.0 - w) * K > alt, False)
        max_postage = np.where(w <= 0, -np.inf, np.where(sigma < 1.0, own, np.where(wins_anyway, np.inf, -np.inf)))
        min_partial = np.where(P > 0, np.maximum(0.0, (ev_return - K) / np.where(P > 0, P, 1.0)), nan)
        min_partial = np.where(return_open, min_partial, 0.0)
        args = (P, S_own, c, w, q, f, u, a, k, m, x.partial_open)
        shown = return_open & ~incomplete  # elsewhere the break-even price is NaN (below)
        if len(shape) == 1 and np.count_nonzero(shown) < 0.8 * shape[0]:  # only the rows that show it
            at = np.flatnonzero(shown)
            break_even = np.full(shape, nan)
            break_even[at] = _break_even_price(*(np.broadcast_to(v, shape)[at] for v in args))
        else:
            break_even = _break_even_price(*args)

    def closed(v, open_):
        return np.where(incomplete | ~open_, nan, np.broadcast_to(v, shape))

    return Evaluation(
        ev=ev,
        recommendation=rec,
        margin=margin,
        break_even_price=closed(break_even, return_open),
        max_postage=closed(max_postage, return_open),
        min_partial_refund=closed(min_partial, partial_open),
        resale_open=np.broadcast_to(resale_open, shape),
        keep_sells=np.broadcast_to(keep_sells, shape),
    )


def _break_even_price(P, S_own, c, w, q, f, u, a, k, m, partial_open) -> NDArray[np.float64]:
    """The smallest price above which returning beats every open alternative (Notes of
    :func:`evaluate`); ``P`` only sets the shape.

    For each alternative i, P*_i is the supremum of the prices where g_i = EV_return − alt_i ≤ 0
    (0 when there are none); on a piece [lo, hi) where g_i = α + β·P that set is [lo, root] for
    β > 0, [root, hi) for β < 0 and the whole piece or nothing for β = 0, so each piece gives its
    supremum directly and P*_i is their maximum.
    """
    shape = np.broadcast_shapes(*(np.shape(v) for v in (P, S_own, c, w, q, f, u, a, k, m, partial_open)))
    inf = np.inf
    p_sale = np.where(a > 0, (m + k) / np.where(a > 0, a, 1.0), inf)
    p_cross = np.where(a > u, k / np.where(a > u, a - u, 1.0), inf)
    b1 = np.clip(np.minimum(p_sale, p_cross), 0.0, inf)
    b2 = np.clip(np.maximum(p_sale, p_cross), 0.0, inf)
    edges = [np.zeros(shape), b1, b2, np.full(shape, inf)]
    w_own = w * (S_own + c)
    one_w = 1.0 - w
    qf = q * f
    result = np.zeros(shape)  # ≥ 0, so a supremum of −∞ or an inactive option (0) cannot raise it
    for j in range(3):
        lo, hi = edges[j], edges[j + 1]
        bounded = np.isfinite(hi)
        # a point inside the piece decides which branch of K and which options hold there
        mid = np.where(bounded, (lo + hi) / 2, lo + np.maximum(1.0, lo))
        sale = a * mid - k >= m
        sells = sale & (a * mid - k > u * mid)
        kslope = np.where(sells, a, u)
        kicpt = np.where(sells, -k, 0.0)
        r_slope = w + one_w * kslope  # EV_return = r_slope·P + r_icpt on this piece
        r_icpt = one_w * kicpt - w_own
        live = hi > lo
        for a_slope, a_icpt, active in ((kslope, kicpt, live),
                                        (qf + u, 0.0, live & partial_open),
                                        (qf + a, -k, live & partial_open & sale)):
            beta = r_slope - a_slope
            alpha = r_icpt - a_icpt
            root = -alpha / beta  # used only where β ≠ 0
            rising = beta > 0
            # β > 0: g ≤ 0 up to the root (if it is in the piece); β < 0: from the root to hi;
            # β = 0: the whole piece where α ≤ 0
            np.maximum(result, np.minimum(root, hi), out=result, where=active & rising & (root >= lo))
            falling = beta < 0
            np.maximum(result, hi, out=result, where=active & np.where(falling, root < hi, ~rising & (alpha <= 0)))
    return result
