"""What would change the answer: tornado, one-way sweeps, Sobol indices; decision maps, thresholds.

Every function takes an :class:`~calculator.uncertainty.UncertainOrder` (one order resolved once,
with distributions on its uncertain inputs) and evaluates it through
:meth:`UncertainOrder.evaluate <calculator.uncertainty.UncertainOrder.evaluate>`, i.e. the one
money model :func:`calculator.model.evaluate`, in a single vectorized call:

- :func:`tornado`: each uncertain input alone at its low and high value; the swing in the
  *return advantage* (EV of returning minus the best alternative's), sorted by swing;
- :func:`sweep`: the EV of each option over a range of one input, with the break-even points
  where the recommendation changes;
- :func:`sobol`: first-order and total Sobol indices of the return advantage
  (:func:`scipy.stats.sobol_indices`) over the uncertain inputs' distributions;
- :func:`decision_map`: the best option over a price × weight grid on the order's route, with the
  postage looked up once per weight on the real tariff step functions;
- :func:`threshold_table`: per weight band of the cheapest tracked offer on a route, the item price
  from which returning pays.

The first three live here; the route analyses (:func:`decision_map`, :func:`threshold_table` and
:func:`route_order`, the order they start from) live in :mod:`calculator.routes` and are handed on
from here. scipy is imported by :func:`sobol` only.
"""

from __future__ import annotations

import html
import inspect
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import model as _model
from .errors import InputError
from .formatting import html_table, money, number, significant
from .i18n import N_, Views, _
from .inputs import field as _field
from .routes import DecisionMap, ThresholdTable, decision_map, route_order, threshold_table
from .uncertainty import UNCERTAIN_INPUTS, UncertainOrder, input_label

__all__ = [
    "SWEEPABLE",
    "Tornado",
    "tornado",
    "Sweep",
    "sweep",
    "sweep_range",
    "DecisionMap",
    "decision_map",
    "SobolIndices",
    "sobol",
    "ThresholdTable",
    "threshold_table",
    "route_order",
]

#: Inputs :func:`sweep` can vary (``postage`` in the order currency; ``weight_g`` re-looks up
#: the postage through the rate engine).
SWEEPABLE: tuple[str, ...] = UNCERTAIN_INPUTS


def _native(order: UncertainOrder, name: str) -> float:
    """The base value of an input in the unit its distribution is written in."""
    return float(order.assessment.values[name][0])


def _option(code: str) -> str:
    """An option in a few words, in the current language (``""`` for none)."""
    return _(_model.OPTION_LABELS[code]) if code in _model.OPTION_LABELS else code


def _aligned(rows: list[list[str]], right: tuple[int, ...] = ()) -> list[str]:
    """Rows of cells as lines indented by two spaces, columns aligned (``right``: right-aligned)."""
    widths = [max(len(r[j]) for r in rows if j < len(r)) for j in range(max(map(len, rows)))]
    return ["  " + "  ".join(c.rjust(widths[j]) if j in right else c.ljust(widths[j]) for j, c in enumerate(r)).rstrip()
            for r in rows]


# --------------------------------------------------------------------------------------------
# tornado


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Tornado(Views):
    """Results of :func:`tornado`, one entry per uncertain input, largest swing first.

    Attributes
    ----------
    names
        Inputs.
    low, high
        The input's low and high values. [input unit]
    advantage_low, advantage_high
        Return advantage with the input at its low / high value. [order currency]
    base_advantage
        Return advantage of the single estimate. [order currency]
    best_low, best_high
        Best option with the input at its low / high value.
    """

    currency: str
    names: tuple[str, ...]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    advantage_low: NDArray[np.float64]
    advantage_high: NDArray[np.float64]
    base_advantage: float
    base_best: str
    best_low: tuple[str, ...]
    best_high: tuple[str, ...]

    @property
    def swing(self) -> NDArray[np.float64]:
        """|advantage_high − advantage_low|. [order currency]"""
        return np.abs(self.advantage_high - self.advantage_low)

    def flips(self, i: int) -> bool:
        """Does input ``i`` alone change the recommendation somewhere in its range?"""
        return self.best_low[i] != self.base_best or self.best_high[i] != self.base_best

    def rows(self) -> list[dict[str, object]]:
        return [
            {"input": n, "low": float(self.low[i]), "high": float(self.high[i]),
             "advantage_low": round(float(self.advantage_low[i]), 2),
             "advantage_high": round(float(self.advantage_high[i]), 2),
             "swing": round(float(self.swing[i]), 2), "best_low": self.best_low[i],
             "best_high": self.best_high[i]}
            for i, n in enumerate(self.names)
        ]

    def to_dict(self) -> dict[str, object]:
        return {"currency": self.currency, "base_advantage": round(self.base_advantage, 2),
                "base_best": self.base_best, "bars": self.rows()}

    def to_frame(self):  # -> pandas.DataFrame
        import pandas as pd

        return pd.DataFrame(self.rows()).set_index("input")

    def _flip(self, i: int) -> str:
        """The option input ``i`` alone flips the answer to, in words ("" when none)."""
        if not self.flips(i):
            return ""
        other = self.best_low[i] if self.best_low[i] != self.base_best else self.best_high[i]
        return _("→ flips to: {option}").format(option=_option(other))

    def __str__(self) -> str:
        """The inputs' swings in the current language: a heading, then one line per input."""
        cur = self.currency
        lines = [_("What moves the advantage of returning (now {amount}; positive = returning pays), each input "
                   "alone from low to high:").format(amount=money(self.base_advantage, cur))]
        if not self.names:
            lines.append("  " + _("nothing is uncertain"))
        rows = [[_field(n).words, significant(float(self.low[i])), "…", significant(float(self.high[i])),
                 money(float(self.advantage_low[i]), cur), "…", money(float(self.advantage_high[i]), cur),
                 _("swing {amount}").format(amount=money(float(self.swing[i]), cur)), self._flip(i)]
                for i, n in enumerate(self.names)]
        if rows:
            lines += _aligned(rows, right=(1, 4))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e, cur = html.escape, self.currency
        rows = "".join(
            f"<tr><td>{e(_field(n).words)}</td><td>{e(significant(float(self.low[i])))} … "
            f"{e(significant(float(self.high[i])))}</td><td>{e(money(float(self.advantage_low[i]), cur))} … "
            f"{e(money(float(self.advantage_high[i]), cur))}</td><td>{e(money(float(self.swing[i]), cur))}</td>"
            f"<td>{e(self._flip(i))}</td></tr>"
            for i, n in enumerate(self.names))
        head = "".join(f"<th>{e(h)}</th>" for h in (
            _("input"), _("low … high"), _("advantage of returning"), _("swing"), _("answer")))
        return f"<table><tr>{head}</tr>{rows}</table>"


def tornado(order: UncertainOrder) -> Tornado:
    """Move each uncertain input alone to its low and high value.

    The low and high values are :attr:`Distribution.range
    <calculator.uncertainty.Distribution.range>` (ends of a triangular or uniform, 5th/95th
    percentiles of a beta or normal); inputs whose distribution is a single value are left out.
    All 2 × inputs cases go through the model in one call.

    Parameters
    ----------
    order
        From :func:`~calculator.uncertainty.uncertain_order`.

    Returns
    -------
    Tornado

    Examples
    --------
    >>> import datetime
    >>> from calculator.uncertainty import uncertain_order
    >>> o = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1500, reason="damaged",
    ...                     today=datetime.date(2026, 11, 26))
    >>> t = tornado(o)
    >>> t.names[0], float(t.swing[0])
    ('partial_refund', 7560.0)
    """
    order.require_return_open("tornado")
    names = [n for n, d in order.distributions.items() if not d.is_degenerate]
    m = len(names)
    lo = np.array([order.distributions[n].range[0] for n in names])
    hi = np.array([order.distributions[n].range[1] for n in names])
    over: dict[str, NDArray[np.float64]] = {}
    for i, n in enumerate(names):
        col = np.full(2 * m, _native(order, n))
        col[2 * i], col[2 * i + 1] = lo[i], hi[i]
        over[n] = col
    base = order.base
    if m:
        e = order.evaluate_draws(over)
        adv = np.broadcast_to(e.return_advantage, (2 * m,))
        best = np.broadcast_to(e.recommended, (2 * m,))
    else:
        adv = np.empty(0)
        best = np.empty(0, dtype=str)
    a_lo, a_hi = adv[0::2], adv[1::2]
    order_ = np.argsort(-np.abs(a_hi - a_lo), kind="stable")
    return Tornado(
        currency=order.currency, names=tuple(names[i] for i in order_), low=lo[order_], high=hi[order_],
        advantage_low=a_lo[order_], advantage_high=a_hi[order_],
        base_advantage=float(base.return_advantage[0]), base_best=str(base.recommended[0]),
        best_low=tuple(str(best[0::2][i]) for i in order_), best_high=tuple(str(best[1::2][i]) for i in order_),
    )


# --------------------------------------------------------------------------------------------
# one-way sweep


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Sweep(Views):
    """Results of :func:`sweep`.

    Attributes
    ----------
    name
        The swept input.
    values
        Its values. [input unit; postage: order currency]
    ev
        EV of each option (rows in :data:`calculator.model.OPTIONS` order) at each value, shape
        (4, n). [order currency]
    recommendation
        Best option at each value (index into ``options``; −1 where unpriced).
    break_even
        Values where the recommendation changes. [input unit]
    before, after
        The best option just below and just above each break-even.
    base_value
        The value the single estimate uses. [input unit]
    """

    currency: str
    name: str
    values: NDArray[np.float64]
    ev: NDArray[np.float64]
    recommendation: NDArray[np.intp]
    break_even: NDArray[np.float64]
    before: tuple[str, ...]
    after: tuple[str, ...]
    base_value: float
    options: tuple[str, ...] = _model.OPTIONS

    @property
    def label(self) -> str:
        """Axis label of the swept input with its unit, in the current language."""
        return input_label(self.name, self.currency)

    def rows(self) -> list[dict[str, object]]:
        return [{"value": float(x), "from": b, "to": a} for x, b, a in zip(self.break_even, self.before, self.after)]

    def to_dict(self) -> dict[str, object]:
        return {"input": self.name, "currency": self.currency, "base_value": self.base_value,
                "break_even": self.rows(),
                "values": self.values.tolist(),
                "ev": {o: np.round(self.ev[i], 2).tolist() for i, o in enumerate(self.options)}}

    def to_frame(self):  # -> pandas.DataFrame
        """EV of each option (columns) at each value (index)."""
        import pandas as pd

        df = pd.DataFrame(self.ev.T, columns=list(self.options), index=pd.Index(self.values, name=self.name))
        df["best"] = np.array(self.options + ("",))[self.recommendation]
        return df

    def _repr_html_(self) -> str:
        rows = [{"value": float(x), "from": _option(b), "to": _option(a)}
                for x, b, a in zip(self.break_even, self.before, self.after)]
        return html_table(rows, _("Break-evens of {input}").format(input=self.label),
                          {"value": self.label, "from": _("best below"), "to": _("best above")})

    def __str__(self) -> str:
        """The break-evens in the current language: a heading, then one line per break-even."""
        lines = [_("Sweep of {input} over {low} … {high} (the estimate uses {value}):").format(
            input=self.label, low=significant(float(self.values[0]), 6), high=significant(float(self.values[-1]), 6),
            value=significant(self.base_value, 6))]
        if not len(self.break_even):
            rec = self.recommendation[self.recommendation >= 0]
            # the last value: a sweep that starts on a tie (every option 0 at price 0) names the
            # tie-break there, not the best option
            if len(rec):
                lines.append("  " + _("{option} is best over the whole range").format(
                    option=_option(self.options[int(rec[-1])])))
            else:
                lines.append("  " + _("no option can be taken anywhere in the range"))
        for x, b, a in zip(self.break_even, self.before, self.after):
            lines.append("  " + _("at {value}: {before} → {after}").format(value=significant(float(x)),
                                                                          before=_option(b), after=_option(a)))
        return "\n".join(lines)


def sweep_range(order: UncertainOrder, name: str) -> tuple[float, float]:
    """A default range to sweep ``name`` over, wide enough to show the break-even.

    Fractions: 0..1. Price: 0 to twice the price, stretched to 1.25 × the break-even price when
    that is larger (at most 10 × the price). Postage (order currency): 0 to twice the postage,
    stretched to 1.25 × the largest postage at which returning wins (at most twice the price).
    Weight: 10 g to 2 kg (or twice the weight). Other money: 0 to twice the value or a quarter of
    the price. Hours: 0 to max(2 × value, 5 h). [input unit]

    Examples
    --------
    >>> import datetime
    >>> from calculator.uncertainty import uncertain_order
    >>> o = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1500, reason="damaged",
    ...                     today=datetime.date(2026, 11, 26))
    >>> sweep_range(o, "price"), sweep_range(o, "partial_refund")
    ((0.0, 36000.0), (0.0, 1.0))
    """
    from .inputs import field

    _check_sweepable(name)
    P = order.value("price")
    if name == "price":
        bep = float(order.base.break_even_price[0])
        hi = 2 * P
        if math.isfinite(bep) and 1.25 * bep > hi:
            hi = min(1.25 * bep, 10 * P)
        return 0.0, hi
    if name == "postage":
        S = order.value("postage")
        mp = float(order.base.max_postage[0])
        hi = max(2 * S, P / 4)
        if math.isfinite(mp) and 1.25 * mp > hi:
            hi = min(1.25 * mp, 2 * P)
        return 0.0, hi
    if name == "weight_g":
        w = order.value("weight_g")
        return 10.0, max(2000.0, 2 * w) if math.isfinite(w) else 2000.0
    kind = field(name).kind
    if kind == "fraction":
        return 0.0, 1.0
    x = order.value(name)
    if kind == "number":
        return 0.0, max(2 * x, 5.0)
    return 0.0, max(2 * x, P / 4)


def _check_sweepable(name: str) -> None:
    if name not in SWEEPABLE:
        raise InputError(_("sweep: {value!r} is not an input that can be swept; choose one of {inputs}").format(
            value=name, inputs=", ".join(SWEEPABLE)))


def sweep(order: UncertainOrder, name: str, values: ArrayLike | None = None, *, steps: int = 201) -> Sweep:
    """EV of each option over a range of one input, the others at the estimate's values.

    Parameters
    ----------
    order
        From :func:`~calculator.uncertainty.uncertain_order`.
    name
        The input to vary, one of :data:`SWEEPABLE` (``price``, ``weight_g``, ``postage``,
        ``partial_refund``, ``win_probability``, ...).
    values
        Values to evaluate, increasing (default: ``steps`` values over :func:`sweep_range`).
        [input unit; ``postage`` in the order currency; ``weight_g`` in g]
    steps
        Number of values when ``values`` is not given. [1]

    Returns
    -------
    Sweep

    Notes
    -----
    A break-even is where the best option changes between two neighbouring values. The model is
    linear in every input except the weight, so the crossing of the two options' EVs is found by
    linear interpolation (exact unless a kink of EV_keep lies between the two values). Postage is a
    step function of the weight, so for ``weight_g`` the break-even is the first grid weight with
    the new best option (within one grid step of the tariff's band limit).

    Examples
    --------
    >>> import datetime
    >>> from calculator.uncertainty import uncertain_order
    >>> o = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1500, reason="damaged",
    ...                     today=datetime.date(2026, 11, 26))
    >>> s = sweep(o, "price", np.arange(0, 20001, 250))
    >>> [round(float(x), 2) for x in s.break_even], s.before, s.after
    ([3000.0], ('partial_keep',), ('return',))
    """
    order.require_return_open("sweep")
    _check_sweepable(name)
    if values is None:
        lo, hi = sweep_range(order, name)
        values = np.linspace(lo, hi, int(steps))
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size < 2 or np.any(np.diff(x) <= 0):
        raise InputError(_("sweep: the values of {input} must be at least two, increasing").format(input=name))
    if name == "weight_g" and not order.postage_from_tariff:
        raise InputError(_("sweep weight_g: the postage was given (--postage) or is a free return, so the weight does "
                           "not change the answer; leave out --postage to look it up per weight"))
    e = order.evaluate(**{name: x})
    n = x.size
    ev = np.broadcast_to(e.ev.reshape(4, -1), (4, n)) if e.ev.ndim == 1 else e.ev
    rec = np.broadcast_to(e.recommendation, (n,))
    i = np.flatnonzero((rec[1:] != rec[:-1]) & (rec[1:] >= 0) & (rec[:-1] >= 0))
    # A sweep that starts on a tie (every option is worth 0 at price 0) changes its best option at
    # once; that is the tie-break, not a break-even.
    if i.size and i[0] == 0 and abs(ev[rec[0], 0] - ev[rec[1], 0]) <= _model._TIE:
        i = i[1:]
    a, b = rec[i], rec[i + 1]
    if name == "weight_g":
        xs = x[i + 1]
    else:
        d0 = ev[a, i] - ev[b, i]
        d1 = ev[a, i + 1] - ev[b, i + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(d0 != d1, d0 / (d0 - d1), 1.0)
        xs = x[i] + np.clip(t, 0.0, 1.0) * (x[i + 1] - x[i])
    base = order.value(name)
    return Sweep(currency=order.currency, name=name, values=x, ev=np.array(ev), recommendation=np.array(rec),
                 break_even=xs, before=tuple(_model.OPTIONS[k] for k in a), after=tuple(_model.OPTIONS[k] for k in b),
                 base_value=base)



# --------------------------------------------------------------------------------------------
# Sobol indices


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SobolIndices(Views):
    """Results of :func:`sobol`: the share of the variance of the return advantage each input
    explains alone (``first_order``) and with its interactions (``total_order``). [0..1]"""

    names: tuple[str, ...]
    first_order: NDArray[np.float64]
    total_order: NDArray[np.float64]
    n: int
    seed: int | None
    std: float  # standard deviation of the return advantage [order currency]
    currency: str

    def rows(self) -> list[dict[str, object]]:
        return [{"input": n, "first_order": round(float(self.first_order[i]), 4),
                 "total_order": round(float(self.total_order[i]), 4)} for i, n in enumerate(self.names)]

    def to_dict(self) -> dict[str, object]:
        return {"output": "return advantage", "n": self.n, "seed": self.seed,
                "std": round(self.std, 2), "currency": self.currency, "indices": self.rows()}

    def to_frame(self):  # -> pandas.DataFrame
        import pandas as pd

        return pd.DataFrame(self.rows()).set_index("input")

    def _repr_html_(self) -> str:
        rows = [{"input": _field(n).words, "first_order": round(float(self.first_order[i]), 4),
                 "total_order": round(float(self.total_order[i]), 4)} for i, n in enumerate(self.names)]
        return html_table(rows, _("Sobol indices of the return advantage"),
                          {"input": _("input"), "first_order": _("alone"), "total_order": _("with interactions")})

    def __str__(self) -> str:
        """The indices in the current language: a heading, then one line per input."""
        lines = [_("Sobol indices of the return advantage (standard deviation {amount}; share of its variance, "
                   "alone / with interactions):").format(amount=money(self.std, self.currency))]
        if not self.names:
            lines.append("  " + _("nothing is uncertain"))
        rows = [[_field(n).words, number(float(self.first_order[i]), 2), "/", number(float(self.total_order[i]), 2)]
                for i, n in enumerate(self.names)]
        if rows:
            lines += _aligned(rows, right=(1,))
        return "\n".join(lines)


def sobol(order: UncertainOrder, *, n: int = 4096, seed: int | None = None) -> SobolIndices:
    """Global (variance-based) sensitivity of the return advantage to the uncertain inputs.

    Parameters
    ----------
    order
        From :func:`~calculator.uncertainty.uncertain_order`; inputs with a single-value
        distribution are left out.
    n
        Base sample size, a power of 2; the model is evaluated n × (inputs + 2) times, in one
        call per sample matrix. [1]
    seed
        Seed of the quasi-random sampling (``numpy.random.default_rng``).

    Returns
    -------
    SobolIndices
        Sorted by total index, largest first. Estimates carry sampling noise of a few hundredths;
        a slightly negative index means zero.

    Notes
    -----
    :func:`scipy.stats.sobol_indices` (Saltelli 2010 estimators) with the inputs' own
    distributions (their ``ppf``); inputs are assumed independent.

    Examples
    --------
    >>> import datetime
    >>> from calculator.uncertainty import uncertain_order
    >>> o = uncertain_order(price=100, currency="USD", origin="US", postage=10, reason="damaged", use_value=0,
    ...                     resale_value=0, partial_probability=1, win_probability="uni:0,1",
    ...                     partial_refund="uni:0.2,0.7", today=datetime.date(2026, 11, 26))
    >>> s = sobol(o, n=2**13, seed=1)
    >>> s.names, s.first_order.round(1).tolist()
    (('win_probability', 'partial_refund'), [0.8, 0.2])
    """
    order.require_return_open("sobol")
    from scipy.stats import sobol_indices

    if n < 2 or n & (n - 1):
        raise InputError(_("sobol: n={n} must be a power of 2 (e.g. 1024, 4096)").format(n=n))
    names = [k for k, d in order.distributions.items() if not d.is_degenerate]
    if not names:
        return SobolIndices(names=(), first_order=np.empty(0), total_order=np.empty(0), n=n, seed=seed,
                            std=0.0, currency=order.currency)
    dists = [order.distributions[k] for k in names]
    spread: list[float] = []

    def func(x: NDArray[np.float64]) -> NDArray[np.float64]:
        e = order.evaluate_draws({k: x[i] for i, k in enumerate(names)})
        adv = np.broadcast_to(e.return_advantage, (x.shape[1],))
        if not np.isfinite(adv).all():
            raise InputError(_("sobol: some draws cannot be priced (no postal offer at that weight); narrow the weight "
                               "distribution"))
        spread.append(float(adv.std()))
        return np.array(adv, dtype=np.float64)[None, :]  # a writable copy: scipy centres it in place

    if len(names) == 1:
        # One input explains all of the variance (and scipy's estimator fails for d = 1).
        q = (np.arange(n) + 0.5) / n
        func(dists[0].ppf(q)[None, :])
        one = np.array([1.0 if spread[0] > 0 else 0.0])
        return SobolIndices(names=tuple(names), first_order=one, total_order=one.copy(), n=n, seed=seed,
                            std=spread[0], currency=order.currency)
    kw = {"rng" if "rng" in inspect.signature(sobol_indices).parameters else "random_state": np.random.default_rng(seed)}
    with np.errstate(divide="ignore", invalid="ignore"):
        res = sobol_indices(func=func, n=n, dists=dists, **kw)
    first = np.nan_to_num(np.asarray(res.first_order, dtype=np.float64).reshape(-1))
    total = np.nan_to_num(np.asarray(res.total_order, dtype=np.float64).reshape(-1))
    o = np.argsort(-total, kind="stable")
    return SobolIndices(names=tuple(names[i] for i in o), first_order=first[o], total_order=total[o], n=n,
                        seed=seed, std=spread[0] if spread else 0.0, currency=order.currency)
