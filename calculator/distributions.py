"""Distributions on inputs: what a guess looks like, how it is written, and the default ones.

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

:mod:`calculator.uncertainty` puts these on one order and draws them (Monte Carlo); it hands on
every name defined here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InputError
from .formatting import significant
from .i18n import N_, _
from .inputs import FIELDS, field as _field
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
    "DEFAULT_SPREAD",
    "PARTIAL_REFUND_RANGE",
]

#: The accepted spellings, quoted in every parse error (English; shown as ``_(DISTRIBUTION_FORMS)``).
DISTRIBUTION_FORMS = N_("tri:MIN,LIKELY,MAX (e.g. tri:0.3,0.5,0.7), uni:LOW,HIGH, beta:A,B (fractions) or "
                        "beta:A,B,LOW,HIGH, norm:MEAN,SD")

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


def _n(x: float) -> str:
    """A parameter as the current language writes it, to 6 significant digits."""
    return significant(x, 6)


def _check_range(kind: str, values: Iterable[float], lower: float, upper: float) -> None:
    for x in values:
        if not (lower <= x <= upper):
            if math.isfinite(upper):
                raise InputError(_("{what}: {value} is outside the valid range {low} to {high}").format(
                    what=kind, value=_n(x), low=_n(lower), high=_n(upper)))
            raise InputError(_("{what}: {value} is outside the valid range: {low} or more").format(
                what=kind, value=_n(x), low=_n(lower)))


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
        raise InputError(_("triangular: need MIN ≤ LIKELY ≤ MAX, got {values}").format(
            values=", ".join(map(_n, (a, m, b)))))
    _check_range(_("triangular"), (a, b), lower, upper)
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
        raise InputError(_("uniform: need LOW ≤ HIGH, got {values}").format(values=", ".join(map(_n, (a, b)))))
    _check_range(_("uniform"), (a, b), lower, upper)
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
        raise InputError(_("beta: shape parameters must be greater than 0, got {values}").format(
            values=", ".join(map(_n, (a, b)))))
    if not lo <= hi:
        raise InputError(_("beta: need LOW ≤ HIGH, got {values}").format(values=", ".join(map(_n, (lo, hi)))))
    _check_range(_("beta"), (lo, hi), lower, upper)
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
        raise InputError(_("normal: the standard deviation must be zero or more, got {value}").format(value=_n(sd)))
    if sd == 0 or not (math.isfinite(lower) or math.isfinite(upper)):
        if sd == 0:
            _check_range(_("normal"), (mu,), lower, upper)
    else:
        lo_z = (lower - mu) / sd
        hi_z = (upper - mu) / sd
        if lo_z > 6 or hi_z < -6:
            raise InputError(_("normal: mean {mean} is more than 6 standard deviations outside the valid range {low} "
                               "to {high}; almost no draw would be valid").format(mean=_n(mu), low=_n(lower),
                                                                                   high=_n(upper)))
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
        raise InputError(_("{field}: cannot take a distribution; inputs that can: {inputs}").format(
            field=name, inputs=", ".join(UNCERTAIN_INPUTS)))
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
    forms = _(DISTRIBUTION_FORMS)
    if ":" not in raw:
        try:
            return parse_distribution(_number(raw, f.kind, where), name=name)
        except InputError:
            raise InputError(_("{flag} is neither a number nor a distribution; write {forms}").format(
                flag=where, forms=forms)) from None
    head, body = raw.partition(":")[::2]
    kind = _KINDS.get(head.strip().lower())
    if kind is None:
        raise InputError(_("{flag}: unknown distribution {name!r}; write {forms}").format(flag=where, name=head,
                                                                                          forms=forms))
    parts = [s for s in body.split(",")]
    values = [_number(s, f.kind, where) for s in parts]
    need = {"triangular": (3,), "uniform": (2,), "beta": (2, 4), "normal": (2,)}[kind]
    if len(values) not in need:
        if len(need) == 2:
            text_ = _("{flag}: {name} takes {one} or {other} numbers, got {count}; write {forms}")
        else:
            text_ = _("{flag}: {name} takes {one} numbers, got {count}; write {forms}")
        raise InputError(text_.format(flag=where, name=head, one=need[0], other=need[-1], count=len(values),
                                      forms=forms))
    try:
        if kind == "triangular":
            return triangular(*values, lower=lower, upper=upper)
        if kind == "uniform":
            return uniform(*values, lower=lower, upper=upper)
        if kind == "normal":
            return normal(*values, lower=lower, upper=upper)
        if len(values) == 2 and f.kind != "fraction":
            raise InputError(_("beta: {field} is not a fraction; give its range as beta:A,B,LOW,HIGH").format(
                field=f.name))
        return beta(*values, lower=lower, upper=upper)
    except InputError as exc:
        raise InputError(_("{flag}: {problem}; accepted forms: {forms}").format(flag=where, problem=exc,
                                                                                forms=forms)) from None


def _number(s: str, kind: str, where: str) -> float:
    s = s.strip()
    pct = s.endswith("%")
    if pct and kind != "fraction":
        raise InputError(_("{flag}: '%' is only for fractions; write plain numbers in {forms}").format(
            flag=where, forms=_(DISTRIBUTION_FORMS)))
    try:
        v = float(parse_number(s.rstrip("%"), field=where))
    except InputError:
        raise InputError(_("{flag}: {value!r} is not a number; write {forms}").format(
            flag=where, value=s, forms=_(DISTRIBUTION_FORMS))) from None
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
        raise InputError(_("{field}: has no default distribution; give one, e.g. tri:MIN,LIKELY,MAX").format(
            field=name))
    h = DEFAULT_SPREAD[name]
    # round() keeps 0.84 − 0.15 from printing as 0.69000000000000006
    return triangular(max(0.0, round(value - h, 10)), value, min(1.0, round(value + h, 10)), lower=0.0, upper=1.0)
