"""Distributions on inputs, and Monte Carlo over one order.

A buyer's inputs are guesses: will the seller agree, what will the item fetch second-hand, how much
will the partial refund be? Any numeric input can be a :class:`Distribution` instead of a number:

- ``tri:MIN,LIKELY,MAX`` (:func:`triangular`): a minimum, a most likely value and a maximum,
  the way people guess;
- ``uni:LOW,HIGH`` (:func:`uniform`): every value between LOW and HIGH equally likely;
- ``beta:A,B`` (:func:`beta`): beta(A, B) on 0..1, for fractions; ``beta:A,B,LOW,HIGH`` on LOW..HIGH;
- ``norm:MEAN,SD`` (:func:`normal`): normal(MEAN, SD) truncated to the input's valid range.

Fractions may be written with ``%`` (``tri:30%,50%,70%``). Valid ranges: fractions 0..1, money,
hours and weights 0 or more. A triangular or uniform range outside them is an error; a normal is
truncated to them (a fraction ``norm:0.9,0.2`` never draws above 1).

:func:`uncertain_order` resolves one order once with :func:`calculator.assessment.assess` (postage
lookup, currency conversion, reason defaults, validation) at the distributions' central values, and
keeps the distributions next to it. :func:`monte_carlo` then replaces the uncertain inputs by N
seeded draws and evaluates all of them with :func:`calculator.model.evaluate` in one call.

Default distributions
---------------------
An input the user did not give is an assumption, so by default (``defaults=True``) the assumed
inputs of the money model get a triangular distribution around the value the estimate uses
(sources in ``calculator/data/sources/policies.md``, cited by section):

- ``partial_refund``: tri(0.2, 0.5, 0.7). No published statistic on the size of partial refunds
  exists (section A1, "Typical partial-refund percentage: no published figure"); 0.5 is the
  starting guide's and 0.2–0.7 the sensitivity range of section C.
- ``win_probability`` and ``partial_probability``: the reason default ± 0.15, clipped to 0..1.
  The only sample of dispute outcomes (section C, one writer's six months, low confidence) gives
  63–91 % refunded across reasons; ±0.15 is about half that spread on either side of each
  reason's own figure, because one small sample cannot pin a rate down more finely than the
  spread between its categories. A value set by a rule rather than a guess stays fixed: a free
  return's refund chance, a dispute refused after the marketplace's limit of wins in a row, and no
  partial refund for a change of mind.
- ``resale_value``: the reason default r ± 0.20, clipped to 0..1. For new, unused items
  (r = 0.5) this is exactly the 30–70 %-below-retail consignment range (section B2); for
  broken items (r = 0.10, 0.15) it runs from 0 (unsellable) to above the 10–20 % that liquidated
  returns recover (B2).
- ``use_value``: the reason default u ± 0.20, clipped to 0..1: a stated assumption with no
  source, given the same width as the resale value it is usually compared with.

An input given as a number is taken as known and stays fixed; give it as a distribution to make it
uncertain.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import model as _model
from .errors import InputError
from .assessment import Assessment, assess, order_postage
from .fx import FxRates, reference_rates
from .inputs import FIELDS, field as _field
from .rates import cheapest_postage
from .tariffs import Tariff, resolve
from .units import parse_number

__all__ = [
    "Distribution",
    "fixed",
    "triangular",
    "uniform",
    "beta",
    "normal",
    "parse_distribution",
    "default_distribution",
    "DISTRIBUTION_FORMS",
    "UNCERTAIN_INPUTS",
    "UncertainOrder",
    "uncertain_order",
    "from_assessment",
    "MonteCarlo",
    "monte_carlo",
    "draw",
    "input_label",
    "PERCENTILES",
]

#: The accepted spellings, quoted in every parse error.
DISTRIBUTION_FORMS = (
    "tri:MIN,LIKELY,MAX (e.g. tri:0.3,0.5,0.7), uni:LOW,HIGH, beta:A,B (fractions) or "
    "beta:A,B,LOW,HIGH, norm:MEAN,SD"
)

#: Inputs that may take a distribution (the numeric inputs of the money model, and the weight,
#: whose postage is then looked up per draw).
UNCERTAIN_INPUTS: tuple[str, ...] = tuple(
    f.name for f in FIELDS if f.kind in ("money", "fraction", "number", "weight")
)

#: Half-widths of the default triangular distributions around the reason default (module docs).
DEFAULT_SPREAD: dict[str, float] = {"win_probability": 0.15, "partial_probability": 0.15, "resale_value": 0.20,
                                    "use_value": 0.20}

#: Default partial refund: (min, likely, max) as fractions of the price (module docs).
PARTIAL_REFUND_RANGE: tuple[float, float, float] = (0.2, 0.5, 0.7)

#: Percentiles reported by :func:`monte_carlo`. [%]
PERCENTILES: tuple[int, int, int] = (5, 50, 95)

_KINDS = {"tri": "triangular", "triangular": "triangular", "uni": "uniform", "uniform": "uniform",
          "beta": "beta", "norm": "normal", "normal": "normal"}
_SHORT = {"triangular": "tri", "uniform": "uni", "beta": "beta", "normal": "norm", "fixed": "fixed"}


# --------------------------------------------------------------------------------------------
# distributions


@dataclass(frozen=True, slots=True, kw_only=True)
class Distribution:
    """A distribution of one input, with the input's valid range.

    Build one with :func:`triangular`, :func:`uniform`, :func:`beta`, :func:`normal`,
    :func:`fixed` or :func:`parse_distribution`; the constructors check the parameters.

    Attributes
    ----------
    kind
        ``"triangular"``, ``"uniform"``, ``"beta"``, ``"normal"`` or ``"fixed"``.
    params
        triangular (min, likely, max); uniform (low, high); beta (α, β, low, high); normal
        (mean, sd); fixed (value,). [input unit]
    lower, upper
        The input's valid range; a normal is truncated to it. [input unit]
    """

    kind: str
    params: tuple[float, ...]
    lower: float = -math.inf
    upper: float = math.inf

    @property
    def center(self) -> float:
        """The value a single estimate uses: the mode of a triangular, the middle of a uniform,
        the mean of a beta, the mean of a normal (clipped to the valid range). [input unit]"""
        p = self.params
        if self.kind in ("fixed", "triangular"):
            return p[0] if self.kind == "fixed" else p[1]
        if self.kind == "uniform":
            return (p[0] + p[1]) / 2
        if self.kind == "beta":
            return p[2] + (p[3] - p[2]) * p[0] / (p[0] + p[1])
        return min(max(p[0], self.lower), self.upper)

    @property
    def range(self) -> tuple[float, float]:
        """The low and high values a tornado uses: the ends of a triangular or uniform, the
        5th and 95th percentiles of a beta or normal (which have no useful ends). [input unit]"""
        p = self.params
        if self.kind == "fixed":
            return p[0], p[0]
        if self.kind == "triangular":
            return p[0], p[2]
        if self.kind == "uniform":
            return p[0], p[1]
        lo, hi = self.ppf(np.array([0.05, 0.95]))
        return float(lo), float(hi)

    @property
    def is_degenerate(self) -> bool:
        """True when every draw is the same value."""
        lo, hi = self.range
        return lo == hi

    def ppf(self, q: ArrayLike) -> NDArray[np.float64]:
        """Inverse cumulative distribution: the value below which a share ``q`` of draws falls.

        Parameters
        ----------
        q
            Probabilities. [0..1]

        Returns
        -------
        ndarray
            Values. [input unit]

        Notes
        -----
        Triangular (a, m, b), with F_m = (m − a)/(b − a)::

            x = a + sqrt(q (b − a)(m − a))            for q < F_m
            x = b − sqrt((1 − q)(b − a)(b − m))       otherwise

        A normal truncated to [L, U] maps q into [Φ(L'), Φ(U')] (standardised bounds) and inverts
        Φ there (``scipy.special``: numpy has no inverse normal CDF).

        Examples
        --------
        >>> d = triangular(0.2, 0.5, 0.7)
        >>> float(d.ppf(0.6))
        0.5
        >>> d.ppf([0.0, 0.6, 1.0]).tolist()
        [0.2, 0.5, 0.7]
        """
        q = np.asarray(q, dtype=np.float64)
        p = self.params
        if self.kind == "fixed":
            return np.full(q.shape, p[0])
        if self.kind == "uniform":
            return p[0] + q * (p[1] - p[0])
        if self.kind == "triangular":
            a, m, b = p
            if a == b:
                return np.full(q.shape, m)
            fm = (m - a) / (b - a)
            left = a + np.sqrt(q * (b - a) * (m - a))
            right = b - np.sqrt((1.0 - q) * (b - a) * (b - m))
            return np.where(q < fm, left, right)
        from scipy import special

        if self.kind == "beta":
            a, b, lo, hi = p
            return lo + (hi - lo) * special.betaincinv(a, b, q)
        mean, sd = p
        if sd == 0:
            return np.full(q.shape, self.center)
        cdf_lo = special.ndtr((self.lower - mean) / sd)
        cdf_hi = special.ndtr((self.upper - mean) / sd)
        x = mean + sd * special.ndtri(cdf_lo + q * (cdf_hi - cdf_lo))
        return np.clip(x, self.lower, self.upper)  # guard the last ulp at the bounds

    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """``n`` independent draws. [input unit]

        Examples
        --------
        >>> d = uniform(0.2, 0.7)
        >>> x = d.sample(1000, np.random.default_rng(1))
        >>> bool(x.min() >= 0.2 and x.max() <= 0.7)
        True
        """
        if self.kind == "beta":
            a, b, lo, hi = self.params
            return lo + (hi - lo) * rng.beta(a, b, n)
        if self.kind == "fixed":
            return np.full(n, self.params[0])
        return self.ppf(rng.random(n))

    def __str__(self) -> str:
        p = self.params
        if self.kind == "beta" and (p[2], p[3]) == (0.0, 1.0):
            p = p[:2]
        return f"{_SHORT[self.kind]}({', '.join(f'{x:g}' for x in p)})"


def _check_range(kind: str, values: Iterable[float], lower: float, upper: float) -> None:
    for x in values:
        if not (lower <= x <= upper):
            rng = f"{lower:g}..{upper:g}" if math.isfinite(upper) else f"{lower:g} or more"
            raise InputError(f"{kind}: {x:g} is outside the valid range {rng}")


def fixed(value: float) -> Distribution:
    """A known value (every draw is the same).

    Examples
    --------
    >>> str(fixed(0.5))
    'fixed(0.5)'
    """
    return Distribution(kind="fixed", params=(float(value),))


def triangular(minimum: float, likely: float, maximum: float, *, lower: float = -math.inf,
               upper: float = math.inf) -> Distribution:
    """Triangular distribution: a minimum, a most likely value and a maximum.

    Parameters
    ----------
    minimum, likely, maximum
        The range and its mode; ``minimum == likely == maximum`` is a fixed value. [input unit]
    lower, upper
        The input's valid range; the three values must lie inside it. [input unit]

    Examples
    --------
    >>> d = triangular(0.2, 0.5, 0.7, lower=0, upper=1)
    >>> d.center, d.range
    (0.5, (0.2, 0.7))
    """
    a, m, b = float(minimum), float(likely), float(maximum)
    if not (a <= m <= b):
        raise InputError(f"triangular: need MIN ≤ LIKELY ≤ MAX, got {a:g}, {m:g}, {b:g}")
    _check_range("triangular", (a, b), lower, upper)
    return Distribution(kind="triangular", params=(a, m, b), lower=float(lower), upper=float(upper))


def uniform(low: float, high: float, *, lower: float = -math.inf, upper: float = math.inf) -> Distribution:
    """Uniform distribution between ``low`` and ``high``.

    Examples
    --------
    >>> uniform(0, 1).center
    0.5
    """
    a, b = float(low), float(high)
    if not a <= b:
        raise InputError(f"uniform: need LOW ≤ HIGH, got {a:g}, {b:g}")
    _check_range("uniform", (a, b), lower, upper)
    return Distribution(kind="uniform", params=(a, b), lower=float(lower), upper=float(upper))


def beta(a: float, b: float, low: float = 0.0, high: float = 1.0, *, lower: float = -math.inf,
         upper: float = math.inf) -> Distribution:
    """Beta(a, b) distribution scaled to ``low..high`` (default 0..1, for fractions).

    Parameters
    ----------
    a, b
        Shape parameters, both > 0; the mean is a / (a + b). [1]
    low, high
        The ends of the scaled range. [input unit]

    Examples
    --------
    >>> beta(8, 2).center
    0.8
    """
    a, b, lo, hi = float(a), float(b), float(low), float(high)
    if not (a > 0 and b > 0):
        raise InputError(f"beta: shape parameters must be greater than 0, got {a:g}, {b:g}")
    if not lo <= hi:
        raise InputError(f"beta: need LOW ≤ HIGH, got {lo:g}, {hi:g}")
    _check_range("beta", (lo, hi), lower, upper)
    return Distribution(kind="beta", params=(a, b, lo, hi), lower=float(lower), upper=float(upper))


def normal(mean: float, sd: float, *, lower: float = -math.inf, upper: float = math.inf) -> Distribution:
    """Normal(mean, sd) truncated to ``lower..upper`` (the input's valid range).

    Examples
    --------
    >>> d = normal(0.9, 0.2, lower=0, upper=1)
    >>> bool(d.ppf(0.999) <= 1.0), d.center
    (True, 0.9)
    """
    mu, sd = float(mean), float(sd)
    if not sd >= 0:
        raise InputError(f"normal: the standard deviation must be zero or more, got {sd:g}")
    if sd == 0 or not (math.isfinite(lower) or math.isfinite(upper)):
        if sd == 0:
            _check_range("normal", (mu,), lower, upper)
    else:
        lo_z = (lower - mu) / sd
        hi_z = (upper - mu) / sd
        if lo_z > 6 or hi_z < -6:
            raise InputError(f"normal: mean {mu:g} is more than 6 standard deviations outside the valid "
                             f"range {lower:g}..{upper:g}; almost no draw would be valid")
    return Distribution(kind="normal", params=(mu, sd), lower=float(lower), upper=float(upper))


def _bounds(name: str) -> tuple[float, float]:
    kind = _field(name).kind
    return (0.0, 1.0) if kind == "fraction" else (0.0, math.inf)


def parse_distribution(text: str | float | Distribution, *, name: str) -> Distribution:
    """Read a distribution as typed on the command line (``tri:0.3,0.5,0.7``).

    Parameters
    ----------
    text
        ``tri:MIN,LIKELY,MAX``, ``uni:LOW,HIGH``, ``beta:A,B[,LOW,HIGH]``, ``norm:MEAN,SD``
        (long names ``triangular``, ``uniform``, ``normal`` also work), or a plain number for a
        fixed value. Fractions may carry ``%``. A :class:`Distribution` is returned with the
        input's valid range.
    name
        The input, as in :data:`calculator.inputs.FIELDS` (``partial_refund``); it sets the valid
        range and names the flag in errors.

    Returns
    -------
    Distribution

    Raises
    ------
    InputError
        Naming the flag, the text and the accepted forms.

    Examples
    --------
    >>> str(parse_distribution("tri:30%,50%,70%", name="partial_refund"))
    'tri(0.3, 0.5, 0.7)'
    >>> parse_distribution("norm:0.9,0.2", name="win_probability").upper
    1.0
    """
    if name not in UNCERTAIN_INPUTS:
        raise InputError(f"{name}: cannot take a distribution; inputs that can: {', '.join(UNCERTAIN_INPUTS)}")
    f = _field(name)
    lower, upper = _bounds(name)
    if isinstance(text, Distribution):
        d = text
        ends = {"beta": d.params[2:]}.get(d.kind, () if d.kind == "normal" else d.range)
        _check_range(f"{f.flag} {d}", ends, lower, upper)
        return Distribution(kind=d.kind, params=d.params, lower=max(d.lower, lower), upper=min(d.upper, upper))
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        _check_range(f.flag, (float(text),), lower, upper)
        return fixed(float(text))
    raw = str(text).strip()
    where = f"{f.flag}: {raw!r}"
    if ":" not in raw:
        try:
            return parse_distribution(_number(raw, f.kind, where), name=name)
        except InputError:
            raise InputError(f"{where} is neither a number nor a distribution; write {DISTRIBUTION_FORMS}") from None
    head, _, body = raw.partition(":")
    kind = _KINDS.get(head.strip().lower())
    if kind is None:
        raise InputError(f"{where}: unknown distribution {head!r}; write {DISTRIBUTION_FORMS}")
    parts = [s for s in body.split(",")]
    values = [_number(s, f.kind, where) for s in parts]
    need = {"triangular": (3,), "uniform": (2,), "beta": (2, 4), "normal": (2,)}[kind]
    if len(values) not in need:
        counts = " or ".join(str(k) for k in need)
        raise InputError(f"{where}: {head} takes {counts} numbers, got {len(values)}; write {DISTRIBUTION_FORMS}")
    try:
        if kind == "triangular":
            return triangular(*values, lower=lower, upper=upper)
        if kind == "uniform":
            return uniform(*values, lower=lower, upper=upper)
        if kind == "normal":
            return normal(*values, lower=lower, upper=upper)
        if len(values) == 2 and f.kind != "fraction":
            raise InputError(f"beta: {f.name} is not a fraction; give its range as beta:A,B,LOW,HIGH")
        return beta(*values, lower=lower, upper=upper)
    except InputError as exc:
        raise InputError(f"{where}: {exc}; accepted forms: {DISTRIBUTION_FORMS}") from None


def _number(s: str, kind: str, where: str) -> float:
    s = s.strip()
    pct = s.endswith("%")
    if pct and kind != "fraction":
        raise InputError(f"{where}: '%' is only for fractions; write plain numbers in {DISTRIBUTION_FORMS}")
    try:
        v = float(parse_number(s.rstrip("%"), field=where))
    except InputError:
        raise InputError(f"{where}: {s!r} is not a number; write {DISTRIBUTION_FORMS}") from None
    return v / 100 if pct else v


def default_distribution(name: str, value: float) -> Distribution:
    """The distribution an assumed input gets when the user did not give it (module docs).

    Parameters
    ----------
    name
        ``partial_refund``, ``win_probability``, ``partial_probability``, ``resale_value`` or
        ``use_value``.
    value
        The value the estimate assumed (the reason default). [fraction]

    Examples
    --------
    >>> str(default_distribution("win_probability", 0.84))
    'tri(0.69, 0.84, 0.99)'
    >>> str(default_distribution("partial_refund", 0.5))
    'tri(0.2, 0.5, 0.7)'
    """
    if name == "partial_refund":
        lo, m, hi = PARTIAL_REFUND_RANGE
        return triangular(min(lo, value), value, max(hi, value), lower=0.0, upper=1.0)
    if name not in DEFAULT_SPREAD:
        raise InputError(f"{name}: has no default distribution; give one, e.g. tri:MIN,LIKELY,MAX")
    h = DEFAULT_SPREAD[name]
    # round() keeps 0.84 − 0.15 from printing as 0.69000000000000006
    return triangular(max(0.0, round(value - h, 10)), value, min(1.0, round(value + h, 10)), lower=0.0, upper=1.0)


def input_label(name: str, currency: str) -> str:
    """Axis label of an input with its unit: ``"partial refund [fraction of price]"``.

    Examples
    --------
    >>> input_label("price", "RUB"), input_label("weight_g", "RUB")
    ('price [RUB]', 'parcel weight [g]')
    """
    if name == "weight_g":
        return "parcel weight [g]"
    if name == "postage":
        return f"return postage [{currency}]"
    f = _field(name)
    unit = currency if f.unit in ("order currency", "postage currency") else f.unit
    unit = f"{currency} per h" if f.unit == "order currency per h" else unit
    return f"{name.replace('_', ' ')} [{unit}]"


# --------------------------------------------------------------------------------------------
# one order with uncertain inputs


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class UncertainOrder:
    """One order resolved once by :func:`~calculator.assessment.assess`, and the distributions of
    its uncertain inputs.

    :meth:`evaluate` is the one door to the money model for every analysis (Monte Carlo,
    tornado, sweeps, maps, Sobol, threshold tables): it takes the resolved inputs and replaces
    the ones given as keywords by arrays.
    """

    assessment: Assessment
    distributions: Mapping[str, Distribution]
    tariffs: tuple[Tariff, ...]
    fx: FxRates

    def value(self, name: str) -> float:
        """The resolved value of an input (after defaults). [input unit; postage: order currency]"""
        if name == "postage":
            return float(self.assessment.postage[0])
        return float(self.assessment.values[name][0])

    @property
    def currency(self) -> str:
        return str(self.assessment.values["currency"][0])

    @property
    def route(self) -> tuple[str, str]:
        v = self.assessment.values
        return str(v["origin"][0]), str(v["destination"][0])

    @property
    def closed_reason(self) -> str | None:
        """Why returning cannot be analysed for this order (its window has closed), or None."""
        a = self.assessment
        if bool(a.return_open[0]):
            return None
        deadline = a.dates["dispute_deadline"][0]
        return (f"the dispute window closed on {deadline}: only keeping the item is left, so nothing would change "
                "the answer")

    def require_return_open(self, what: str) -> None:
        """Raise :class:`InputError` naming ``what`` when returning is closed for this order."""
        if self.closed_reason:
            fix = ("; a route analysis needs an open window: leave out --received-on (or give a later day)"
                   if what in ("map", "thresholds") else "")
            raise InputError(f"{what}: {self.closed_reason}{fix}")

    @property
    def postage_from_tariff(self) -> bool:
        """True when the postage was looked up (so it changes with the weight)."""
        return str(self.assessment.postage_source[0]) == "tariff"

    @property
    def base(self) -> _model.Evaluation:
        """The single estimate's evaluation (length-1 arrays)."""
        return self.assessment.evaluation

    def postage_for_weight(self, weight_g: ArrayLike) -> NDArray[np.float64]:
        """Cheapest tracked postage of this order's route at each weight, in the order currency,
        rounded to cents as :func:`~calculator.assessment.assess` does; NaN where unpriced.

        One :func:`~calculator.rates.cheapest_postage` call; the parcel's size, zone and chosen
        service are the order's.
        """
        return self.lookup_postage(weight_g)[0]

    def lookup_postage(self, weight_g: ArrayLike):  # -> tuple[NDArray, calculator.rates.Postage]
        """:meth:`postage_for_weight` and the :class:`~calculator.rates.Postage` it came from
        (offer, native amount and currency per weight)."""
        v = self.assessment.values
        w = np.asarray(weight_g, dtype=np.float64)
        flat = w.ravel()
        origin, dest = self.route
        p = cheapest_postage(self.tariffs, origin, dest, flat, v["length_cm"][0], v["width_cm"][0],
                             v["height_cm"][0], zone=v["zone"][0], service=v["service"][0], fx=self.fx,
                             posted_on=self.assessment.values["posted_on"][0])
        cur = np.where(p.currency == "", self.currency, p.currency).astype(str)
        factor = np.asarray(self.fx.factor(cur, self.currency), dtype=np.float64)
        return order_postage(p.amount, factor).reshape(w.shape), p

    def postage_in_order_currency(self, postage: ArrayLike) -> NDArray[np.float64]:
        """Convert postage given in the postage currency (``--postage-currency``) to the order
        currency, rounded to cents as :func:`~calculator.assessment.assess` does."""
        pcur = str(self.assessment.values["postage_currency"][0])
        return order_postage(postage, float(self.fx.factor(pcur, self.currency)))

    def evaluate(self, **overrides: ArrayLike) -> _model.Evaluation:
        """Evaluate the order with some inputs replaced by arrays (broadcast together).

        The order's :class:`~calculator.model.ModelInputs` (from its assessment) with the given
        fields replaced: ``dataclasses.replace(inputs, **overrides)``.

        Parameters
        ----------
        **overrides
            Inputs by name (:data:`UNCERTAIN_INPUTS`). ``postage`` is in the order currency
            here; ``weight_g`` re-looks up the postage through the rate engine unless the
            postage was given or is a free return.

        Returns
        -------
        Evaluation
        """
        unknown = sorted(set(overrides) - set(UNCERTAIN_INPUTS))
        if unknown:
            raise InputError(f"{unknown[0]}: not an input that can vary; inputs that can: {', '.join(UNCERTAIN_INPUTS)}")
        over = dict(overrides)
        weight = over.pop("weight_g", None)
        if weight is not None and "postage" not in over and self.postage_from_tariff:
            over["postage"] = self.postage_for_weight(weight)
        return _model.evaluate(replace(self.assessment.inputs, **over))

    def evaluate_draws(self, draws: Mapping[str, ArrayLike]) -> _model.Evaluation:
        """Evaluate draws of the uncertain inputs, each in its own unit (``postage`` in the
        postage currency, as the user gave it; converted here)."""
        over = dict(draws)
        if "postage" in over:
            over["postage"] = self.postage_in_order_currency(over["postage"])
        return self.evaluate(**over)


def _ordered(dists: Mapping[str, Distribution]) -> dict[str, Distribution]:
    """Distributions in FIELDS order, so draws do not depend on the order keywords were given."""
    return {name: dists[name] for name in UNCERTAIN_INPUTS if name in dists}


def from_assessment(
    assessment: Assessment,
    distributions: Mapping[str, Distribution | str] | None = None,
    *,
    defaults: bool = True,
    tariffs: Iterable[Tariff] | None = None,
    fx: FxRates | None = None,
) -> UncertainOrder:
    """An :class:`UncertainOrder` from a one-order assessment (e.g. ``Estimate.assessment``).

    Parameters
    ----------
    assessment
        An assessment of exactly one order, without a problem.
    distributions
        Distributions of inputs, by name; texts are parsed with :func:`parse_distribution`.
    defaults
        Give the assumed inputs their default distributions (module docs).
    tariffs, fx
        Those the assessment was made with (default: bundled tariffs and reference rates).
    """
    if assessment.n != 1:
        raise InputError(f"an uncertain order is one order; this assessment has {assessment.n}")
    if assessment.problem[0]:
        raise InputError(str(assessment.problem[0]))
    dists = {k: parse_distribution(d, name=k) for k, d in (distributions or {}).items()}
    if defaults:
        # values a rule sets (module docs) are not guesses: they stay fixed
        # and an input of an option that cannot be taken changes nothing
        no_return = not bool(assessment.return_open[0])
        no_partial = not bool(assessment.partial_open[0])
        ruled = {"win_probability": bool(assessment.win_streak[0] or assessment.free_return[0]) or no_return,
                 "partial_probability": bool(assessment.win_streak[0]) or no_partial
                 or float(assessment.values["partial_probability"][0]) == 0.0,
                 "partial_refund": no_partial}
        for name in ("win_probability", "partial_probability", "partial_refund", "use_value", "resale_value"):
            if name not in dists and bool(assessment.assumed[name][0]) and not ruled.get(name, False):
                dists[name] = default_distribution(name, float(assessment.values[name][0]))
    tset = resolve(tariffs, today=assessment.today)
    return UncertainOrder(assessment=assessment, distributions=_ordered(dists), tariffs=tset,
                          fx=fx or reference_rates())


def uncertain_order(
    *,
    tariffs: Iterable[Tariff] | None = None,
    fx: FxRates | None = None,
    today: _dt.date | None = None,
    defaults: bool = True,
    **inputs: object,
) -> UncertainOrder:
    """Resolve one order whose inputs may be distributions.

    Parameters
    ----------
    **inputs
        As for :func:`calculator.assessment.estimate`; a numeric input may also be a
        :class:`Distribution` or its text (``partial_refund="tri:0.3,0.5,0.7"``). The order is
        assessed once at the distributions' central values.
    tariffs, fx, today
        As for :func:`calculator.assessment.assess`.
    defaults
        Give the assumed inputs (not given at all) their default distributions (module docs).

    Returns
    -------
    UncertainOrder

    Raises
    ------
    InputError, RouteError
        As :func:`calculator.assessment.estimate` does, or for a bad distribution.

    Examples
    --------
    >>> import datetime
    >>> o = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1500, reason="damaged",
    ...                     partial_refund="tri:0.3,0.5,0.7", today=datetime.date(2026, 11, 26))
    >>> {k: str(d) for k, d in o.distributions.items()}
    {'win_probability': 'tri(0.69, 0.84, 0.99)', 'partial_probability': 'tri(0.69, 0.84, 0.99)', 'partial_refund': 'tri(0.3, 0.5, 0.7)', 'use_value': 'tri(0, 0, 0.2)', 'resale_value': 'tri(0, 0.1, 0.3)'}
    """
    central: dict[str, object] = {}
    dists: dict[str, Distribution] = {}
    for k, v in inputs.items():
        if isinstance(v, Distribution) or (isinstance(v, str) and ":" in v and k in UNCERTAIN_INPUTS):
            d = parse_distribution(v, name=k)
            dists[k] = d
            central[k] = d.center
        else:
            if np.ndim(v) > 0:  # type: ignore[arg-type]
                raise InputError(f"{k}: one order takes one value; give a distribution for an uncertain value")
            central[k] = v
    tset = resolve(tariffs, today=today)
    rates = fx or reference_rates()
    a = assess(tariffs=tset, fx=rates, today=today, errors="raise", **central)  # type: ignore[arg-type]
    return from_assessment(a, dists, defaults=defaults, tariffs=tset, fx=rates)


# --------------------------------------------------------------------------------------------
# Monte Carlo


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MonteCarlo:
    """Results of :func:`monte_carlo`. Arrays over options follow :data:`calculator.model.OPTIONS`.

    Attributes
    ----------
    ev
        Expected value of each option in each draw, shape (4, draws). [order currency]
    recommendation
        Best option per draw (index into ``options``; −1 where a draw could not be priced).
    p_best
        Share of draws in which each option is best. [0..1]
    ev_mean, ev_percentiles
        Mean and the :data:`PERCENTILES` (rows) of each option's EV. [order currency]
    p_return_loses
        Share of draws in which returning loses money (EV_return < 0). [0..1]
    """

    currency: str
    draws: int
    seed: int
    distributions: Mapping[str, Distribution]
    options: tuple[str, ...]
    ev: NDArray[np.float64]
    recommendation: NDArray[np.intp]
    p_best: NDArray[np.float64]
    ev_mean: NDArray[np.float64]
    ev_percentiles: NDArray[np.float64]
    p_return_loses: float
    p_unpriced: float
    base_recommendation: str
    base_ev: NDArray[np.float64]
    percentiles: tuple[int, ...] = field(default=PERCENTILES)

    @property
    def best(self) -> str:
        """The option best in the most draws."""
        return self.options[int(np.argmax(self.p_best))]

    def rows(self) -> list[dict[str, object]]:
        """One row per option, best first: p_best, ev_mean, ev_p5, ev_p50, ev_p95."""
        out = []
        for i in np.argsort(-self.p_best, kind="stable"):
            row: dict[str, object] = {"option": self.options[i], "p_best": round(float(self.p_best[i]), 4),
                                      "ev_mean": _stat(self.ev_mean[i])}
            for j, q in enumerate(self.percentiles):
                row[f"ev_p{q}"] = _stat(self.ev_percentiles[j, i])
            out.append(row)
        return out

    def to_dict(self) -> dict[str, object]:
        """Every summary number, JSON-ready (the draws themselves are left out)."""
        return {
            "draws": self.draws, "seed": self.seed, "currency": self.currency,
            "distributions": {k: str(d) for k, d in self.distributions.items()},
            "options": self.rows(),
            "p_return_loses_money": round(self.p_return_loses, 4),
            "p_unpriced": round(self.p_unpriced, 4),
            "single_estimate": self.base_recommendation,
        }

    def to_frame(self):  # -> pandas.DataFrame
        """The per-option summary as a pandas DataFrame indexed by option."""
        import pandas as pd

        return pd.DataFrame(self.rows()).set_index("option")

    def _inputs_text(self) -> str:
        if not self.distributions:
            return "nothing uncertain (every input is fixed)"
        return ", ".join(f"{k} ~ {d}" for k, d in self.distributions.items())

    def __str__(self) -> str:
        cur = self.currency
        lines = [f"Monte Carlo: {self.draws:,} draws (seed {self.seed}) of {self._inputs_text()}."]
        head = f"  {'option':<16}{'P(best)':>8}{'mean EV':>14}" + "".join(
            f"{f'{q}%' if q != 50 else 'median':>14}" for q in self.percentiles)
        lines.append(head + f"   [{cur}]")
        for r in self.rows():
            mark = "►" if r["option"] == self.best else " "
            pct = "".join(_cell(r[f"ev_p{q}"]) for q in self.percentiles)
            lines.append(f"{mark} {r['option']:<16}{r['p_best']:>8.1%}{_cell(r['ev_mean'])}{pct}")
        lines.append(f"Returning loses money (EV < 0) in {self.p_return_loses:.1%} of draws.")
        if self.p_unpriced:
            lines.append(f"{self.p_unpriced:.1%} of draws could not be priced (no offer at that weight).")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<MonteCarlo {self.draws} draws: {self.best} best in {self.p_best.max():.0%}>"

    def _repr_html_(self) -> str:
        cells = "".join(f"<th>{'median' if q == 50 else f'{q}%'}</th>" for q in self.percentiles)
        rows = "".join(
            f"<tr><td>{html.escape(str(r['option']))}</td><td>{r['p_best']:.1%}</td>"
            f"<td>{r['ev_mean']:,.2f}</td>"
            + "".join(f"<td>{r[f'ev_p{q}']:,.2f}</td>" for q in self.percentiles) + "</tr>"
            for r in self.rows()
        )
        return (f"<p>Monte Carlo, {self.draws:,} draws (seed {self.seed}): "
                f"{html.escape(self._inputs_text())}</p>"
                f"<table><tr><th>option</th><th>P(best)</th><th>mean EV [{html.escape(self.currency)}]</th>"
                f"{cells}</tr>{rows}</table>"
                f"<p>P(returning loses money) = {self.p_return_loses:.1%}</p>")


def _stat(x: float) -> float | None:
    """A statistic for output: rounded to cents, None (JSON null) where the option was never open."""
    return None if np.isnan(x) else round(float(x), 2)


def _cell(x: float | None) -> str:
    return f"{'closed':>14}" if x is None else f"{x:>14,.2f}"


def _seed(seed: int | None) -> int:
    """The seed to use and report: a fresh 32-bit one from the OS when none is given, so that any
    run can be repeated with ``--seed``."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed: {seed!r} must be a whole number, 0 or more")
    return int(seed)


def draw(order: UncertainOrder, n: int, seed: int | None = None) -> dict[str, NDArray[np.float64]]:
    """``n`` seeded draws of each uncertain input of ``order``, in the input's own unit."""
    rng = np.random.default_rng(seed)
    return {name: d.sample(n, rng) for name, d in order.distributions.items()}


def monte_carlo(order: UncertainOrder, *, draws: int = 10_000, seed: int | None = None) -> MonteCarlo:
    """Draw the uncertain inputs ``draws`` times and evaluate every draw in one model call.

    Parameters
    ----------
    order
        From :func:`uncertain_order` or :func:`from_assessment`.
    draws
        Number of draws. [1]
    seed
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same numbers. None
        draws a fresh seed, reported in the result so the run can be repeated.

    Returns
    -------
    MonteCarlo

    Notes
    -----
    Draws of different inputs are independent. ``p_best`` counts ties as the model breaks them
    (toward the less effortful option). The Monte Carlo standard error of a share p is
    sqrt(p (1 − p) / draws): about 0.5 percentage points at 10,000 draws.

    Examples
    --------
    >>> import datetime
    >>> o = uncertain_order(price=18000, currency="RUB", origin="RU", postage=1500, reason="damaged",
    ...                     today=datetime.date(2026, 11, 26))
    >>> mc = monte_carlo(o, draws=10_000, seed=1)
    >>> mc.best, round(float(mc.p_best[3]), 2), mc.p_return_loses
    ('return', 0.99, 0.0)
    """
    if not isinstance(draws, (int, np.integer)) or draws < 1:
        raise InputError(f"draws: {draws!r} must be a whole number, 1 or more")
    seed = _seed(seed)
    samples = draw(order, int(draws), seed)
    e = order.evaluate_draws(samples)
    n = int(draws)
    ev = np.broadcast_to(e.ev.reshape(4, -1), (4, n))
    rec = np.broadcast_to(e.recommendation.reshape(-1), (n,))
    ok = rec >= 0
    p_best = np.bincount(rec[ok], minlength=4)[:4] / n
    # each option's statistics over the draws where it could be taken (a closed option has NaN EVs:
    # NaN statistics when it is closed in every draw)
    vals = np.where(ok, ev, np.nan)
    if not np.isnan(vals).any():
        mean = vals.mean(axis=1)
        pct = np.percentile(vals, PERCENTILES, axis=1)
    else:
        mean = np.full(4, np.nan)
        pct = np.full((len(PERCENTILES), 4), np.nan)
        for i in range(4):
            row = vals[i][~np.isnan(vals[i])]
            if row.size:
                mean[i] = row.mean()
                pct[:, i] = np.percentile(row, PERCENTILES)
    return MonteCarlo(
        currency=order.currency, draws=n, seed=seed, distributions=order.distributions,
        options=_model.OPTIONS, ev=ev, recommendation=rec, p_best=p_best, ev_mean=mean,
        ev_percentiles=pct, p_return_loses=float(np.mean(ev[3] < 0)), p_unpriced=float(np.mean(~ok)),
        base_recommendation=str(order.base.recommended[0]), base_ev=order.base.ev[:, 0].copy(),
    )
