"""The money model: the expected value of each option, the recommendation and the break-evens.

One vectorized function, :func:`evaluate`, serves every caller: a single estimate (arrays of
length 1), a batch (columns), Monte Carlo (one order's inputs replaced by N draws) and decision maps
(a grid). All money is in the order's currency; postage must already be converted.

Symbols (design section 2): P price, S postage, σ seller's share of the postage, c the buyer's own
costs of returning, w win probability, f partial refund, u use value, r resale value, φ resale fee,
k fixed resale cost::

    EV_return         = w·P − (1 − σ)·S − c
    EV_partial_keep   = f·P + u·P
    EV_partial_resell = f·P + r·(1 − φ)·P − k
    EV_keep           = max(u·P, r·(1 − φ)·P − k)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["OPTIONS", "Evaluation", "evaluate"]

#: The options, in the order ties are broken: the less effortful option wins a tie.
OPTIONS: tuple[str, ...] = ("keep", "partial_keep", "partial_resell", "return")

# Two EVs closer than this (in the order currency) are a tie: half a cent cannot decide anything,
# and it keeps float noise (0.1 + 0.2) from flipping a recommendation.
_TIE = 0.005


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Evaluation:
    """Results of :func:`evaluate`, each an array broadcast to the inputs' common shape.

    ``ev`` has a leading axis of length 4 in the order of :data:`OPTIONS`.
    """

    ev: NDArray[np.float64]
    recommendation: NDArray[np.intp]  # index into OPTIONS; -1 where any input is NaN
    margin: NDArray[np.float64]
    break_even_price: NDArray[np.float64]
    max_postage: NDArray[np.float64]
    min_partial_refund: NDArray[np.float64]

    @property
    def ev_keep(self) -> NDArray[np.float64]:
        return self.ev[0]

    @property
    def ev_partial_keep(self) -> NDArray[np.float64]:
        return self.ev[1]

    @property
    def ev_partial_resell(self) -> NDArray[np.float64]:
        return self.ev[2]

    @property
    def ev_return(self) -> NDArray[np.float64]:
        return self.ev[3]

    @property
    def return_advantage(self) -> NDArray[np.float64]:
        """EV of returning minus the best alternative's (positive: returning pays)."""
        return self.ev[3] - self.ev[:3].max(axis=0)

    @property
    def recommended(self) -> NDArray[np.str_]:
        """The recommendation as option names ("" where it cannot be computed)."""
        names = np.array(OPTIONS + ("",))
        return names[self.recommendation]


def evaluate(
    price: ArrayLike,
    postage: ArrayLike,
    *,
    win_probability: ArrayLike,
    use_value: ArrayLike,
    resale_value: ArrayLike,
    partial_refund: ArrayLike = 0.5,
    seller_pays_postage: ArrayLike = 0.0,
    packaging_cost: ArrayLike = 0.0,
    hassle_hours: ArrayLike = 0.0,
    hourly_value: ArrayLike = 0.0,
    resale_fee: ArrayLike = 0.0,
    resale_cost: ArrayLike = 0.0,
) -> Evaluation:
    """Expected value of each option, the best option and where it would flip.

    All arguments broadcast against each other. The function does not validate ranges; the
    callers that take user input (:mod:`calculator.assessment`) do.

    Parameters
    ----------
    price
        Refundable amount paid, P. [order currency]
    postage
        Return postage, S. [order currency]
    win_probability
        Chance the return dispute ends in a full refund, w. [0..1]
    use_value
        What keeping the item is worth to the buyer, u. [fraction of P]
    resale_value
        Local resale price, r. [fraction of P]
    partial_refund
        Partial refund, f. [fraction of P]
    seller_pays_postage
        Share of the postage the seller reimburses, σ. [0..1]
    packaging_cost
        Cost of packing the return. [order currency]
    hassle_hours
        Hours spent packing and posting the return. [h]
    hourly_value
        What an hour of the buyer's time is worth; c = packaging_cost + hassle_hours · hourly_value.
        [order currency per h]
    resale_fee
        Resale platform fee, φ. [fraction of the sale]
    resale_cost
        Fixed cost of reselling, k (local postage, listing). [order currency]

    Returns
    -------
    Evaluation

    Notes
    -----
    With K = (1 − σ)·S + c, the keep value V = max(u·P, r·(1 − φ)·P − k) and the best
    alternative A = max(EV_partial_keep, EV_partial_resell, EV_keep):

    - ``recommendation`` is the option with the largest EV; EVs within half a cent tie, and a tie
      goes to the less effortful option (keep > partial_keep > partial_resell > return);
    - ``margin`` = best EV − the runner-up's EV (0 for a tie);
    - ``break_even_price``: returning beats A for prices above it. Returning beats partial_keep
      when (w − f − u)·P > K and partial_resell when (w − f − r(1−φ))·P > K − k; each gives a
      threshold K'/(w − a) when w > a (0 if K' ≤ 0) and ∞ otherwise; the break-even is the larger.
      (EV_keep ≤ the partial options whenever f ≥ 0, so it sets no threshold of its own.)
    - ``max_postage`` = (w·P − c − A) / (1 − σ): returning wins for postage below it (±∞ when the
      seller pays all of it, by the sign of the numerator);
    - ``min_partial_refund`` = max(0, (EV_return − V) / P): the smallest partial refund worth
      accepting instead of returning (NaN when P = 0).

    Examples
    --------
    An 18,000 RUB phone that arrived broken, return postage 1,500 RUB (the project's starting
    guidance): w = 0.84 (damaged), u = 0, r = 0.10.

    >>> e = evaluate(18000, 1500, win_probability=0.84, use_value=0.0, resale_value=0.10)
    >>> str(e.recommended), float(e.ev_return), float(e.margin)
    ('return', 13620.0, 2820.0)

    The same call with arrays, for two prices:

    >>> e = evaluate([18000, 300], 1500, win_probability=0.84, use_value=0.0, resale_value=0.10)
    >>> e.recommended.tolist()
    ['return', 'partial_resell']
    """
    P = np.asarray(price, dtype=np.float64)
    S = np.asarray(postage, dtype=np.float64)
    w = np.asarray(win_probability, dtype=np.float64)
    u = np.asarray(use_value, dtype=np.float64)
    r = np.asarray(resale_value, dtype=np.float64)
    f = np.asarray(partial_refund, dtype=np.float64)
    sigma = np.asarray(seller_pays_postage, dtype=np.float64)
    c = np.asarray(packaging_cost, dtype=np.float64) + np.asarray(hassle_hours, dtype=np.float64) * np.asarray(
        hourly_value, dtype=np.float64
    )
    phi = np.asarray(resale_fee, dtype=np.float64)
    k = np.asarray(resale_cost, dtype=np.float64)

    K = (1.0 - sigma) * S + c
    net_resale = r * (1.0 - phi)  # share of P the buyer keeps from a sale, before k
    keep_use = u * P
    keep_sell = net_resale * P - k
    ev_return = w * P - K
    ev_pk = f * P + keep_use
    ev_pr = f * P + keep_sell
    ev_keep = np.maximum(keep_use, keep_sell)
    ev = np.stack(np.broadcast_arrays(ev_keep, ev_pk, ev_pr, ev_return))

    nan = np.isnan(ev).any(axis=0)
    best = np.max(ev, axis=0)
    is_best = ev >= best - _TIE
    rec = np.argmax(is_best, axis=0)  # first True = least effortful among the tied
    rec = np.where(nan, -1, rec)
    chosen = np.take_along_axis(ev, np.maximum(rec, 0)[None], axis=0)[0]
    others = ev.copy()
    np.put_along_axis(others, np.maximum(rec, 0)[None], -np.inf, axis=0)
    margin = np.where(nan, np.nan, np.maximum(chosen - others.max(axis=0), 0.0))  # 0 for a tie

    alt = np.max(ev[:3], axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_pk = _threshold(w - f - u, K)
        t_pr = _threshold(w - f - net_resale, K - k)
        break_even = np.maximum(t_pk, t_pr)
        num = w * P - c - alt
        max_postage = np.where(
            sigma < 1.0, num / (1.0 - sigma), np.where(num > 0, np.inf, -np.inf)
        )
        min_partial = np.where(P > 0, np.maximum(0.0, (ev_return - ev_keep) / P), np.nan)
    shape = ev.shape[1:]
    return Evaluation(
        ev=ev,
        recommendation=rec,
        margin=margin,
        break_even_price=np.where(nan, np.nan, np.broadcast_to(break_even, shape)),
        max_postage=np.where(nan, np.nan, np.broadcast_to(max_postage, shape)),
        min_partial_refund=np.where(nan, np.nan, np.broadcast_to(min_partial, shape)),
    )


def _threshold(slope: NDArray[np.float64], cost: NDArray[np.float64]) -> NDArray[np.float64]:
    """Smallest P ≥ 0 above which slope·P > cost holds for all larger P (∞ if never)."""
    with np.errstate(over="ignore"):  # a tiny positive slope gives a huge (correct) threshold
        return np.where(slope > 0, np.maximum(cost / np.where(slope > 0, slope, 1.0), 0.0), np.inf)
