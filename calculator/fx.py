"""Currency conversion with official reference rates.

Every rate is stored as units of a currency per 1 EUR, the way the ECB publishes them. A factor
from currency A to currency B is ``per_eur[B] / per_eur[A]``; a currency converted to itself is
exactly 1, without a round trip through EUR, and needs no rate at all.

The bundled snapshot (``calculator/data/fx.yaml``) holds the rates of 2025-12-31, each with its
source (``calculator/data/sources/fx.md`` says where every rate was read and how it was checked):
the 30 ECB reference rates, plus the
Bank of Russia (RUB), National Bank of Ukraine (UAH) and National Bank of Belarus (BYN) official
EUR rates. KZT is a gap. A user adds or replaces a rate with an override: ``RUB=92.5`` (units per
1 EUR) or ``USD/RUB=78.2`` (market notation: 1 USD = 78.2 RUB).

A code without a rate never raises inside a calculation: the factor is NaN there, and
:func:`require` turns missing codes into one error that says how to pass them.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _yaml
from .errors import FxError, InputError
from .formatting import day, share, significant
from .i18n import N_, _
from .units import is_currency, parse_number

__all__ = [
    "FxRates",
    "FxWarning",
    "reference_rates",
    "load_rates",
    "parse_override",
    "convert",
    "require",
]

BASE = "EUR"
_CODE = re.compile(r"^[A-Z]{3}$")
_FORMS = N_("expected CODE=<units per 1 EUR> (e.g. RUB=92.0938) or BASE/QUOTE=<units of QUOTE per 1 BASE>, as quote "
            "screens write it (e.g. USD/RUB=78.38: 1 USD = 78.38 RUB)")

#: An override further than this from the bundled reference rate of the same pair is warned about.
SANITY_RATIO = 0.5


class FxWarning(UserWarning):
    """An exchange-rate override far from the bundled reference rate (a typo, or a pair written
    the wrong way round)."""
_CONFIDENCE = ("high", "medium-high", "medium", "low")


def _norm(code: object) -> str:
    return str(code).strip().upper()


def _code_array(codes: ArrayLike) -> NDArray[np.str_]:
    arr = np.asarray(codes)
    # Object arrays (pandas columns) and bytes become str once, so np.unique compares fast.
    return arr if arr.dtype.kind == "U" else arr.astype(str)


def _rebuild_rates(per_eur: dict[str, float], date: datetime.date | None, sources: dict[str, str]) -> "FxRates":
    return FxRates(per_eur=per_eur, date=date, sources=sources)


@dataclass(frozen=True, slots=True, kw_only=True)
class FxRates:
    """A table of exchange rates against the euro.

    Parameters
    ----------
    per_eur
        Units of each currency per 1 EUR, keyed by ISO 4217 code (upper or lower case). ``EUR``
        is added as 1.0 if absent and must be 1.0 if given. [currency/EUR]
    date
        The day the rates apply to; None for rates that are purely user given.
    sources
        For each currency, a one-line source, e.g. ``"ECB reference rate 2025-12-31"``.

    Raises
    ------
    InputError
        A code that is not three letters, or a rate that is not a finite positive number.

    Examples
    --------
    >>> rates = FxRates(per_eur={"USD": 1.175, "GBP": 0.8726}, date=None)
    >>> rates.factor("GBP", "GBP")
    1.0
    >>> rates.missing(["USD", "KZT", "kzt", "EUR"])
    ['KZT']
    """

    per_eur: Mapping[str, float]
    date: datetime.date | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    _codes: NDArray[np.str_] = field(init=False, repr=False, compare=False)
    _table: NDArray[np.float64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        per_eur: dict[str, float] = {}
        for code, value in self.per_eur.items():
            key = _norm(code)
            if not _CODE.match(key):
                raise InputError(_("per_eur: {code!r} is not a currency code; use the three-letter ISO 4217 "
                                   "code").format(code=code))
            try:
                rate = float(value)
            except (TypeError, ValueError):
                rate = math.nan
            if not (math.isfinite(rate) and rate > 0):
                raise InputError(_("per_eur: rate of {code} is {value!r}; give a positive number of {code} per 1 "
                                   "EUR").format(code=key, value=value))
            per_eur[key] = rate
        if per_eur.setdefault(BASE, 1.0) != 1.0:
            raise InputError(_("per_eur: EUR is {value!r}; rates are per 1 EUR, so EUR must be 1").format(
                value=per_eur[BASE]))
        sources = {_norm(code): str(text) for code, text in self.sources.items()}
        sources.setdefault(BASE, "base currency (rates are per 1 EUR)")
        codes = sorted(per_eur)
        object.__setattr__(self, "per_eur", MappingProxyType(per_eur))
        object.__setattr__(self, "sources", MappingProxyType(sources))
        object.__setattr__(self, "_codes", np.array(codes, dtype="U3"))
        object.__setattr__(self, "_table", np.array([per_eur[c] for c in codes], dtype=np.float64))

    def __reduce__(self):
        # Pickle the plain data (the read-only views cannot be pickled), so rates travel to dask
        # or Spark workers; __post_init__ rebuilds the lookup table.
        return (_rebuild_rates, (dict(self.per_eur), self.date, dict(self.sources)))

    def _ids(self, codes: ArrayLike, unknown: dict[str, int]) -> NDArray[np.intp]:
        """Map codes to row numbers of ``_table``; unknown codes get numbers past its end.

        ``np.unique`` reduces a million rows to the few distinct codes, so the only Python loop
        runs over distinct codes without a rate.
        """
        arr = _code_array(codes)
        uniq, inverse = np.unique(arr.ravel(), return_inverse=True)
        norm = np.char.upper(np.char.strip(uniq))
        pos = np.minimum(np.searchsorted(self._codes, norm), self._codes.size - 1)
        known = self._codes[pos] == norm
        ids = np.where(known, pos, -1)
        for i in np.flatnonzero(~known):
            ids[i] = unknown.setdefault(str(norm[i]), self._codes.size + len(unknown))
        return ids[inverse.ravel()].reshape(arr.shape)

    def factor(
        self, from_currency: ArrayLike, to_currency: ArrayLike
    ) -> NDArray[np.float64] | float:
        """Multiply an amount in ``from_currency`` by this to get ``to_currency``.

        Parameters
        ----------
        from_currency
            ISO 4217 code or array of codes the amount is in (case-insensitive).
        to_currency
            ISO 4217 code or array of codes wanted; broadcasts against ``from_currency``.

        Returns
        -------
        float or ndarray
            ``per_eur[to] / per_eur[from]``; exactly 1 where the codes are equal (even for a code
            without a rate); NaN where a rate is missing. A float when both codes are scalars.
            [to-currency per from-currency]

        Examples
        --------
        >>> rates = FxRates(per_eur={"USD": 1.175, "GBP": 0.8726}, date=None)
        >>> round(rates.factor("USD", "GBP"), 6)
        0.742638
        >>> rates.factor(["USD", "gbp", "KZT", "KZT"], ["GBP", "GBP", "GBP", "KZT"]).round(6)
        array([0.742638, 1.      ,      nan, 1.      ])
        """
        if isinstance(from_currency, str) and isinstance(to_currency, str):
            src, dst = _norm(from_currency), _norm(to_currency)
            if src == dst:
                return 1.0
            return self.per_eur.get(dst, math.nan) / self.per_eur.get(src, math.nan)
        unknown: dict[str, int] = {}
        src_ids = self._ids(from_currency, unknown)
        dst_ids = self._ids(to_currency, unknown)
        table = np.concatenate([self._table, np.full(len(unknown), np.nan)])
        out = np.where(src_ids == dst_ids, 1.0, table[dst_ids] / table[src_ids])
        return float(out) if out.ndim == 0 else out

    def missing(self, codes: ArrayLike) -> list[str]:
        """Sorted unique codes (upper case) that have no rate.

        Examples
        --------
        >>> reference_rates().missing(["usd", "KZT", "RUB", "KZT"])
        ['KZT']
        """
        uniq = np.unique(_code_array(codes).ravel())
        return sorted({_norm(c) for c in uniq} - set(self.per_eur))

    def with_overrides(self, overrides: Iterable[str] | Mapping[str, float]) -> FxRates:
        """A copy with rates added or replaced.

        Parameters
        ----------
        overrides
            Texts as typed after ``--fx`` (``"RUB=92.5"``, ``"USD/RUB=80"``; a single text is
            also accepted), or a mapping from ``"RUB"`` or ``"USD/RUB"`` to a number. Two
            spellings:

            - ``CODE=x``: x units of CODE per 1 EUR. [CODE/EUR]
            - ``BASE/QUOTE=x``: market notation, 1 BASE = x QUOTE. The currency that moves is
              QUOTE, re-based on BASE's rate (so ``USD/RUB=80`` keeps USD's rate against the
              euro and sets RUB to 80 per USD); when only QUOTE has a rate, BASE moves instead.
              Applied after the ``CODE=x`` overrides of the same call, in the order given.
              [QUOTE/BASE]

        Returns
        -------
        FxRates
            Same date; the source of each overridden code says it is a user override.

        Raises
        ------
        InputError
            A text not of either form, a rate that is not a positive number, EUR alone.
        FxError
            ``BASE/QUOTE`` where neither currency has a rate.

        Warns
        -----
        FxWarning
            An override more than 50 % away from the bundled reference rate of the same pair:
            both rates are named (a typo, or a pair written the wrong way round).

        Examples
        --------
        >>> rates = reference_rates().with_overrides(["KZT=600", "USD/RUB=78"])
        >>> rates.per_eur["KZT"], round(rates.per_eur["RUB"], 4)
        (600.0, 91.65)
        >>> round(rates.factor("RUB", "USD") * 1450, 2)
        18.59
        >>> rates.sources["KZT"]
        'user override --fx KZT=600.0'
        >>> rates.sources["RUB"][:52]
        'user override --fx USD/RUB=78.0, with USD 1.175 per '
        """
        if isinstance(overrides, str):
            texts = [overrides]
        elif isinstance(overrides, Mapping):
            texts = [f"{key}={value}" for key, value in overrides.items()]
        else:
            texts = list(overrides)
        pairs = [(*parse_override(text), text) for text in texts]
        per_eur = dict(self.per_eur)
        sources = dict(self.sources)
        for key, value, text in [p for p in pairs if "/" not in p[0]]:
            per_eur[key] = value
            sources[key] = f"user override --fx {key}={value!r}"
            _sanity(_("{code} per 1 EUR").format(code=key), value, _reference_cross(BASE, key), f"--fx {text.strip()}")
        for key, value, text in [p for p in pairs if "/" in p[0]]:
            base, quote = key.split("/")
            _sanity(f"{base}/{quote}", value, _reference_cross(base, quote), f"--fx {text.strip()}")
            if base in per_eur:
                per_eur[quote] = value * per_eur[base]
                moved, anchor = quote, base
            elif quote in per_eur:
                per_eur[base] = per_eur[quote] / value
                moved, anchor = base, quote
            else:
                raise FxError(_("--fx {pair}={value!r}: neither {base} nor {quote} has a rate against the euro; pass "
                                "--fx {base}=<units per 1 EUR> as well").format(pair=key, value=value, base=base,
                                                                                 quote=quote))
            sources[moved] = (
                f"user override --fx {key}={value!r}, with {anchor} {per_eur[anchor]!r} per EUR "
                f"({sources.get(anchor, 'no source')})"
            )
        return FxRates(per_eur=per_eur, date=self.date, sources=sources)


def _reference_cross(base: str, quote: str) -> float:
    """Units of ``quote`` per 1 ``base`` in the bundled reference rates (NaN where unknown)."""
    ref = reference_rates().per_eur
    return ref[quote] / ref[base] if base in ref and quote in ref else math.nan


def _sanity(pair: str, value: float, reference: float, where: str) -> None:
    """Warn when an override is more than :data:`SANITY_RATIO` away from the reference rate."""
    if math.isfinite(reference) and abs(value - reference) > SANITY_RATIO * reference:
        if abs(1 / value - reference) <= SANITY_RATIO * reference:
            text = _("{flag}: {pair} = {value} is more than {share} away from the bundled reference rate {reference} "
                     "(written the wrong way round?)")
        else:
            text = _("{flag}: {pair} = {value} is more than {share} away from the bundled reference rate {reference}")
        shown = text.format(flag=where, pair=pair, value=significant(value, 6), share=share(SANITY_RATIO),
                            reference=significant(reference, 6))
        warnings.warn(FxWarning(shown), stacklevel=3)



def parse_override(text: str) -> tuple[str, float]:
    """Read one ``--fx`` override.

    Parameters
    ----------
    text
        ``CODE=x`` (x units of CODE per 1 EUR) or ``BASE/QUOTE=x`` in market notation: 1 BASE
        costs x QUOTE (``USD/RUB=80``: 1 USD = 80 RUB). Codes may be lower case; the number
        may use a decimal comma.

    Returns
    -------
    tuple of (str, float)
        ``("RUB", 92.5)`` or ``("USD/RUB", 80.0)``; a pair with EUR comes back as units of the
        other currency per EUR (``EUR/RUB=92`` and ``RUB/EUR=0.0108`` both as ``RUB``).
        :meth:`FxRates.with_overrides` turns the second form into units per EUR.

    Raises
    ------
    InputError
        The text, what is wrong with it and the expected forms.

    Examples
    --------
    >>> parse_override("RUB=92.5")
    ('RUB', 92.5)
    >>> parse_override(" usd/rub = 78,2 ")
    ('USD/RUB', 78.2)
    >>> parse_override("EUR/RUB=92.0938")
    ('RUB', 92.0938)
    >>> parse_override("RUB/EUR=0.0125")
    ('RUB', 80.0)
    """
    where = f"--fx {text!r}"
    forms = _(_FORMS)
    left, sep, right = str(text).partition("=")
    if not sep or "=" in right:
        raise InputError(_("{flag}: no single '='; {forms}").format(flag=where, forms=forms))
    codes = [_norm(part) for part in left.split("/")]
    if len(codes) > 2:
        raise InputError(_("{flag}: more than one '/'; {forms}").format(flag=where, forms=forms))
    for code in codes:
        if not _CODE.match(code) or not is_currency(code):
            raise InputError(_("{flag}: {code!r} is not a currency code (three letters, ISO 4217); {forms}").format(
                flag=where, code=code, forms=forms))
    try:
        value = float(parse_number(right, field="rate"))
    except InputError as exc:
        raise InputError(_("{flag}: {problem}; {forms}").format(flag=where, problem=exc, forms=forms)) from None
    if not value > 0:
        raise InputError(_("{flag}: the rate must be positive; {forms}").format(flag=where, forms=forms))
    if len(codes) == 2 and codes[1] == codes[0]:
        raise InputError(_("{flag}: a currency against itself is always 1; {forms}").format(flag=where, forms=forms))
    if len(codes) == 1:
        if codes[0] == BASE:
            raise InputError(_("{flag}: EUR is the base and always 1; set the other currency, e.g. USD=<USD per 1 "
                               "EUR>; {forms}").format(flag=where, forms=forms))
        return codes[0], value
    if codes[0] == BASE:  # EUR/RUB=92: RUB per EUR
        return codes[1], value
    if codes[1] == BASE:  # RUB/EUR=0.0108: EUR per RUB
        return codes[0], 1.0 / value
    return f"{codes[0]}/{codes[1]}", value


def _parse_rates(doc: _yaml.Document) -> FxRates:
    if doc.root is None:
        raise doc.error(_("the file is empty; see calculator/data/fx.yaml for the format"))
    top = doc.root.mapping(("date", "base", "note", "publishers", "rates", "gaps"),
                           ("date", "base", "note", "publishers", "rates"))
    if top["base"].value() != BASE:
        raise top["base"].error(_("{value!r}; the rates must be per 1 EUR (base: EUR)").format(
            value=top["base"].value()))
    date = top["date"].date()
    publishers: dict[str, dict[str, _yaml.Node]] = {}
    for pid, node in top["publishers"].items():
        pub = node.mapping(("publisher", "label", "url", "copy", "how", "confidence", "verify"),
                           ("publisher", "label", "url", "copy", "how", "confidence"))
        if pub["confidence"].value() not in _CONFIDENCE:
            raise pub["confidence"].error(_("{value!r}; choose {choices}").format(
                value=pub["confidence"].value(), choices=", ".join(_CONFIDENCE)))
        publishers[pid] = pub
    per_eur: dict[str, float] = {}
    sources: dict[str, str] = {}
    for code, node in top["rates"].items():
        entry = node.mapping(("per_eur", "publisher"), ("per_eur", "publisher"))
        pid = entry["publisher"].value()
        pub = publishers.get(pid)
        if pub is None:
            raise entry["publisher"].error(_("{value!r} is not under publishers; choose {choices}").format(
                value=pid, choices=", ".join(publishers)))
        value = entry["per_eur"].value()
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise entry["per_eur"].error(_("{value!r}; give a positive number").format(value=value))
        per_eur[code] = float(value)
        sources[code] = f"{pub['label'].text()} {date.isoformat()}, confidence {pub['confidence'].text()}"
    for code, node in top["gaps"].items() if "gaps" in top else []:
        node.mapping(("publisher", "reason", "verify"), ("publisher", "reason", "verify"))
        if code in per_eur:
            raise node.error(_("listed as a gap but also has a rate; keep one"))
    try:
        return FxRates(per_eur=per_eur, date=date, sources=sources)
    except InputError as exc:
        raise top["rates"].error(str(exc)) from None


def load_rates(path: str | Path) -> FxRates:
    """Load a rates file in the format of the bundled ``data/fx.yaml``.

    Raises
    ------
    DataFileError
        ``<file>, line <n>: <key>: <what>``: the place and what is wrong.
    """
    return _parse_rates(_yaml.load(path, what=N_("the rates file")))


@functools.cache
def reference_rates() -> FxRates:
    """The bundled reference rates of 2025-12-31, loaded once.

    Sources per currency are in ``rates.sources``, ``calculator/data/fx.yaml`` and, with how each
    was checked, ``calculator/data/sources/fx.md``.

    Examples
    --------
    >>> rates = reference_rates()
    >>> rates.date, rates.per_eur["USD"], rates.per_eur["RUB"]
    (datetime.date(2025, 12, 31), 1.175, 92.0938)
    >>> rates.sources["RUB"]
    'Bank of Russia official rate 2025-12-31, confidence medium'
    """
    text = (resources.files(__package__) / "data" / "fx.yaml").read_text(encoding="utf-8")
    return _parse_rates(_yaml.parse(text, label="calculator/data/fx.yaml"))


def convert(
    amount: ArrayLike,
    from_currency: ArrayLike,
    to_currency: ArrayLike,
    rates: FxRates | None = None,
) -> NDArray[np.float64]:
    """Convert amounts between currencies.

    Parameters
    ----------
    amount
        Amount or amounts in ``from_currency``. [from-currency]
    from_currency
        ISO 4217 code or array of codes; broadcasts against ``amount``.
    to_currency
        ISO 4217 code or array of codes; broadcasts too.
    rates
        Rates to use; the bundled :func:`reference_rates` if None.

    Returns
    -------
    ndarray
        ``amount * factor(from, to)`` in the broadcast shape (a numpy scalar when every input is a
        scalar); NaN where a rate is missing. [to-currency]

    Notes
    -----
    ``convert(a, A, B) = a * per_eur[B] / per_eur[A]``, and exactly ``a`` when A equals B.

    Examples
    --------
    100 USD in GBP with the ECB rates of 2025-12-31 (100 * 0.8726 / 1.175):

    >>> round(float(convert(100, "USD", "GBP")), 4)
    74.2638
    >>> convert([100, 100, 100], ["USD", "EUR", "KZT"], "GBP").round(4)
    array([74.2638, 87.26  ,     nan])
    """
    try:
        values = np.asarray(amount, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(_("amount: {value!r} is not a number or an array of numbers").format(value=amount)) from None
    if rates is None:
        rates = reference_rates()
    return np.multiply(values, rates.factor(from_currency, to_currency))


def require(codes: ArrayLike, rates: FxRates | None = None) -> None:
    """Raise if any of ``codes`` has no rate.

    Raises
    ------
    FxError
        Naming each missing code and the ``--fx`` override that supplies it.

    Examples
    --------
    >>> require(["USD", "RUB"])
    >>> require(["USD", "KZT"])  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    calculator.errors.FxError: no exchange rate for KZT (the reference rates of 31 Dec 2025 have
    none); pass --fx KZT=<units per 1 EUR>
    """
    if rates is None:
        rates = reference_rates()
    missing = rates.missing(codes)
    if not missing:
        return
    fixes = " ".join(_("--fx {code}=<units per 1 EUR>").format(code=code) for code in missing)
    if rates.date:
        raise FxError(_("no exchange rate for {codes} (the reference rates of {day} have none); pass {fixes}").format(
            codes=", ".join(missing), day=day(rates.date), fixes=fixes))
    raise FxError(_("no exchange rate for {codes} (the rates given have none); pass {fixes}").format(
        codes=", ".join(missing), fixes=fixes))
