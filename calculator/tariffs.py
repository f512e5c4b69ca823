"""Tariff files: find them, validate them once, and hold them as frozen objects.

A *tariff* is one carrier's price lists for parcels posted from one origin country; each price list
is a *version* with the day it starts (``valid_from``) and, when known, its last day
(``valid_until``). The bundled tariffs live one folder per tariff, one file per version
(``tariffs/us-usps/2026-04-26.yaml``); a single file (``us-usps.yaml``) is a tariff with one
version. The format and the layout are documented in ``tariffs/README.md``.

A :class:`Tariff` object is one version. :class:`TariffSet` holds every version of every tariff
found, and maps each name to the version in force on its date; the rate engine
(:mod:`calculator.rates`) picks, for each parcel, the version in force on the day it is posted.

Rules that hold whatever the price list says (since 2026-01-01 the UPU allows registered items for
documents only) are data too: ``tariffs/rules.yaml``, bound to the versions they concern at load.

Validation keeps the YAML node tree (:mod:`calculator._yaml`) so that a wrong value is reported at
its own line::

    us-usps/2026-04-26.yaml, line 41: services[0] 'fcpis'.zones[0] 'group14'.prices: 3 prices but 5 weight limits
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _yaml
from ._yaml import Node
from .errors import TariffError
from .units import is_country, is_currency, CM_PER, GRAMS_PER

__all__ = [
    "Source",
    "Limits",
    "Volumetric",
    "Surcharge",
    "Addon",
    "Zone",
    "Service",
    "Rule",
    "Tariff",
    "TariffSet",
    "TariffWarning",
    "STALE_AFTER_DAYS",
    "FRESH",
    "EXPIRED",
    "OLD",
    "staleness",
    "load_tariff",
    "load_tariffs",
    "load_rules",
    "check_versions",
    "in_force",
    "not_in_force",
    "tariff_dirs",
    "bundled_dir",
    "is_country",
    "is_currency",
    "resolve",
]

ENV_VAR = "RETURNCOST_TARIFFS"
RULES_FILE = "rules.yaml"
SOURCES_FILE = "SOURCES.md"

#: A version without ``valid_until`` whose ``valid_from`` is more than this many days before the
#: posting date is flagged as old (``tariff_over_a_year_old``).
STALE_AFTER_DAYS = 365
#: Staleness codes of a version on a posting date (:func:`staleness`).
FRESH, EXPIRED, OLD = 0, 1, 2


class TariffWarning(UserWarning):
    """Prices were used from a version past its ``valid_until``, or over a year old."""


# --------------------------------------------------------------------------------------------
# value objects


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where the numbers of a tariff version (or a rule) come from."""

    url: str
    title: str = ""
    kind: str  # primary | secondary
    confidence: str  # high | medium | low
    obtained: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Size and weight limits of a service; ``inf`` or ``0`` where the source sets none.

    Weights in grams, lengths in centimetres; ``max_dims``/``min_dims`` are sorted longest first.
    """

    max_weight_g: float = math.inf
    min_weight_g: float = 0.0  # exclusive: the service takes parcels over this weight
    max_length_cm: float = math.inf
    max_sum_cm: float = math.inf
    max_length_girth_cm: float = math.inf
    max_dims_cm: tuple[float, ...] | None = None  # 2 sides (envelope) or 3 (box)
    min_dims_cm: tuple[float, ...] | None = None

    @property
    def has_size_limits(self) -> bool:
        return (
            math.isfinite(self.max_length_cm)
            or math.isfinite(self.max_sum_cm)
            or math.isfinite(self.max_length_girth_cm)
            or self.max_dims_cm is not None
            or self.min_dims_cm is not None
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Volumetric:
    """Dimensional weight: L×W×H / divisor, for parcels whose volume is over ``above_cm3``."""

    divisor_cm3_per_kg: float
    above_cm3: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Surcharge:
    name: str
    fixed: float = 0.0
    percent: float = 0.0
    over_g: float = 0.0  # applies to parcels heavier than this (0: all)


@dataclass(frozen=True, slots=True, kw_only=True)
class Addon:
    id: str
    name: str
    fee: float
    tracked: bool = False


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Zone:
    """Prices of one service to a group of destination countries.

    Band ``i`` covers chargeable weights above ``limits_g[i-1]`` up to and including
    ``limits_g[i]``. Its price is ``base + rate * W / per_g`` where ``W`` is the weight above
    ``above_g`` rounded up to whole ``step_g`` (no rounding where ``step_g`` is 0). A NaN base is a
    band without a price in the source.
    """

    id: str
    countries: tuple[str, ...]
    available: bool = True
    gap: bool = False  # the source has no price at all for this zone
    note: str = ""
    caveat: str = ""  # what a buyer must know before posting this way (an open question)
    line: int = 0
    limits_g: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    base: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    rate: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    per_g: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    above_g: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    step_g: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))

    @property
    def is_flat(self) -> bool:
        """True when every band is a plain price (no per-weight formula)."""
        return bool(np.all(self.rate == 0))


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    id: str
    name: str
    tracked: bool
    tracking_note: str = ""
    note: str = ""
    caveat: str = ""  # what a buyer must know (business customers only, thickness not checked)
    limits: Limits = Limits()
    volumetric: Volumetric | None = None
    min_chargeable_g: float = 0.0
    min_charge: float = 0.0
    surcharges: tuple[Surcharge, ...] = ()
    addons: tuple[Addon, ...] = ()
    zones: tuple[Zone, ...] = ()
    default_zone: str | None = None
    zone_note: str = ""

    def zones_for(self, country: str, origin: str) -> tuple[Zone, ...]:
        """Zones that serve ``country``: listed explicitly, else the ``*`` zone (not the origin)."""
        listed = tuple(z for z in self.zones if country in z.countries)
        if listed:
            return listed
        if country != origin:
            return tuple(z for z in self.zones if "*" in z.countries)
        return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A dated rule that holds whatever the price list says: from ``since`` on, goods cannot be
    posted with the named add-ons (any tariff, any version) or services (``tariff/service``).

    ``text`` is what a quote shows in place of the price (``registered is for documents only since
    2026-01-01``).
    """

    id: str
    text: str
    since: _dt.date
    addons: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    note: str = ""  # why the rule holds, in a sentence or two
    label: str = ""  # the rules file, as messages name it
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # target -> line

    def applies(self, tariff: str, service: str, addon: str | None) -> bool:
        """Does the rule concern the offer ``tariff/service[+addon]``?"""
        if addon is not None:
            return addon in self.addons
        return f"{tariff}/{service}" in self.services

    def in_force(self, on: ArrayLike) -> NDArray[np.bool_]:
        """True where goods posted on ``on`` fall under the rule."""
        return np.asarray(on, "datetime64[D]") >= np.datetime64(self.since, "D")


def staleness(valid_from: ArrayLike, valid_until: ArrayLike, on: ArrayLike) -> NDArray[np.int8]:
    """How stale a version is on a posting date: :data:`FRESH`, :data:`EXPIRED` (posted after its
    ``valid_until``) or :data:`OLD` (no ``valid_until`` and ``valid_from`` more than
    :data:`STALE_AFTER_DAYS` before the posting date). Arrays broadcast; NaT ``valid_until`` means
    none.

    Examples
    --------
    >>> import datetime as dt
    >>> int(staleness(dt.date(2025, 10, 5), dt.date(2026, 1, 17), dt.date(2026, 2, 1))) == EXPIRED
    True
    >>> staleness("2025-01-01", "NaT", ["2025-06-01", "2026-11-29"]).tolist()
    [0, 2]
    """
    d = np.asarray(on, "datetime64[D]")
    vf = np.asarray(valid_from, "datetime64[D]")
    vu = np.asarray(valid_until, "datetime64[D]")
    expired = ~np.isnat(vu) & (d > vu)
    old = np.isnat(vu) & ((d - vf) > np.timedelta64(STALE_AFTER_DAYS, "D"))
    return np.where(expired, EXPIRED, np.where(old, OLD, FRESH)).astype(np.int8)


@dataclass(frozen=True, slots=True, kw_only=True)
class Tariff:
    """One version (price list) of a tariff: ``name`` is the tariff, ``valid_from`` the version."""

    name: str
    path: Path
    carrier: str
    origin: str
    currency: str
    valid_from: _dt.date
    valid_until: _dt.date | None
    source: Source
    services: tuple[Service, ...]
    rules: tuple[Rule, ...] = ()  # the rules that concern this version's offers
    label: str = ""  # the file as messages name it: "us-usps/2026-04-26.yaml"
    lines: tuple[int, int] = field(default=(0, 0), compare=False)  # valid_from, valid_until lines

    @property
    def version(self) -> str:
        """The version's id: its first day, ``2026-04-26``."""
        return self.valid_from.isoformat()

    @property
    def notes_file(self) -> Path | None:
        """The tariff folder's source notes (``SOURCES.md``), when it has one."""
        p = self.path.parent / SOURCES_FILE
        return p if self.path.parent.name == self.name and p.is_file() else None

    def destinations(self) -> list[str]:
        """Countries listed in any zone (``*`` shown as is)."""
        out: set[str] = set()
        for s in self.services:
            for z in s.zones:
                out.update(z.countries)
        return sorted(out)

    def expired(self, on: _dt.date) -> bool:
        return self.valid_until is not None and on > self.valid_until

    def stale(self, on: _dt.date) -> int:
        """:data:`FRESH`, :data:`EXPIRED` or :data:`OLD` for goods posted on ``on``."""
        return int(staleness(self.valid_from, self.valid_until or "NaT", on))

    def stale_note(self, on: _dt.date) -> str:
        """A sentence for a user when the version is stale on ``on`` ("" when it is not)."""
        code = self.stale(on)
        if code == EXPIRED:
            return (f"{self.name}: the price list of {self.valid_from} was valid until {self.valid_until}; "
                    f"prices on {on} may be higher")
        if code == OLD:
            return (f"{self.name}: the price list is from {self.valid_from}, more than a year before {on}; "
                    "prices may have changed")
        return ""

    def __str__(self) -> str:
        from .tariff_view import describe_tariff

        return describe_tariff(self)

    def _repr_html_(self) -> str:
        """In Jupyter: one zones × weight-limits table per service."""
        from .tariff_view import tariff_html

        return tariff_html(self)

    def to_frame(self):  # -> pandas.DataFrame
        """Every price band as a row: service, zone, countries, weight limit [g], price formula."""
        from .tariff_view import tariff_frame

        return tariff_frame(self)


def _pick(versions: Sequence[Tariff], on: _dt.date) -> Tariff | None:
    """The version in force on ``on``: the latest ``valid_from`` not after it (versions sorted)."""
    hit = None
    for v in versions:
        if v.valid_from <= on:
            hit = v
        else:
            break
    return hit


def _not_in_force(versions: Sequence[Tariff], on: object) -> str:
    return f"no price list of {versions[0].name} in force on {on}; the oldest is from {versions[0].valid_from}"


def not_in_force(tariffs: Iterable[Tariff], on: _dt.date) -> list[str]:
    """One sentence for each tariff among ``tariffs`` with no version in force on ``on``:
    ``no price list of NAME in force on DATE; the oldest is from DATE``."""
    return [_not_in_force(vs, on) for vs in _by_name(tariffs).values() if _pick(vs, on) is None]


def _by_name(tariffs: Iterable[Tariff]) -> dict[str, tuple[Tariff, ...]]:
    out: dict[str, list[Tariff]] = {}
    for t in tariffs:
        out.setdefault(t.name, []).append(t)
    return {n: tuple(sorted(vs, key=lambda t: t.valid_from)) for n, vs in out.items()}


def in_force(tariffs: Iterable[Tariff], on: _dt.date) -> tuple[Tariff, ...]:
    """The version of each tariff in force on ``on`` (tariffs with none then are left out).

    ``tariffs`` may hold several versions of each tariff (``TariffSet.versions()``); for each name
    the version with the latest ``valid_from`` not after ``on`` is in force.
    """
    picked = (_pick(vs, on) for vs in _by_name(tariffs).values())
    return tuple(t for t in picked if t is not None)


class TariffSet(Mapping[str, Tariff]):
    """Every version of every tariff found, and the folders they were found in.

    As a mapping, a name gives the version in force on ``as_of`` (the date it was loaded for,
    default today); names with no version in force then are not keys, and asking for one says so
    ("no price list of NAME in force on DATE"). :meth:`versions` gives all versions (history),
    :meth:`at` the version in force on another day. The rate engine takes the set itself and picks
    per parcel (see :func:`resolve`).
    """

    __slots__ = ("_versions", "_current", "dirs", "as_of", "rules")

    def __init__(self, tariffs: Iterable[Tariff], dirs: Iterable[Path] = (), *, as_of: _dt.date | None = None,
                 rules: Iterable[Rule] = ()) -> None:
        self._versions = _by_name(tariffs)
        self.as_of = as_of or _dt.date.today()
        self._current = {n: t for n, vs in self._versions.items() if (t := _pick(vs, self.as_of)) is not None}
        self.dirs = tuple(dirs)
        self.rules = tuple(rules)

    def __getitem__(self, name: str) -> Tariff:
        if name in self._current:
            return self._current[name]
        if name in self._versions:
            raise TariffError(_not_in_force(self._versions[name], self.as_of))
        known = ", ".join(sorted(self._versions)) or "none"
        raise TariffError(f"tariff {name!r} not found; known tariffs: {known}")

    def __contains__(self, name: object) -> bool:
        return name in self._current

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._current))

    def __len__(self) -> int:
        return len(self._current)

    def names(self) -> list[str]:
        """Every tariff name, whether or not a version is in force on ``as_of``."""
        return sorted(self._versions)

    def versions(self, name: str | None = None) -> tuple[Tariff, ...]:
        """The versions of ``name`` (oldest first), or of every tariff when None."""
        if name is None:
            return tuple(t for n in sorted(self._versions) for t in self._versions[n])
        if name not in self._versions:
            self[name]  # raises "not found" with the known names
        return self._versions[name]

    def at(self, name: str, on: _dt.date) -> Tariff:
        """The version of ``name`` in force on ``on``.

        Raises
        ------
        TariffError
            ``no price list of NAME in force on DATE; the oldest is from DATE``.
        """
        versions = self.versions(name)
        hit = _pick(versions, on)
        if hit is None:
            raise TariffError(_not_in_force(versions, on))
        return hit

    def for_origin(self, origin: str) -> list[Tariff]:
        return [t for _, t in sorted(self._current.items()) if t.origin == origin]

    def origins(self) -> list[str]:
        return sorted({t.origin for t in self._current.values()})

    def __repr__(self) -> str:
        return f"TariffSet({', '.join(self.names())}; as of {self.as_of})"

    def rows(self) -> list[dict[str, object]]:
        """One dict per tariff (every name): the version in force on ``as_of`` (None when none),
        how many versions there are, the oldest day, source and confidence."""
        rows = []
        for name in self.names():
            vs = self._versions[name]
            t = self._current.get(name)
            shown = t or vs[-1]
            rows.append({"name": name, "carrier": shown.carrier, "origin": shown.origin, "currency": shown.currency,
                         "services": len(shown.services), "versions": len(vs),
                         "in_force": t.version if t else None,
                         "valid_from": t.valid_from if t else None, "valid_until": t.valid_until if t else None,
                         "oldest": vs[0].valid_from, "kind": shown.source.kind,
                         "confidence": shown.source.confidence, "source": shown.source.url, "path": str(shown.path)})
        return rows

    def to_frame(self):  # -> pandas.DataFrame
        """One row per tariff: what ``returncost tariffs list`` shows (the version in force on
        ``as_of`` and how many versions there are)."""
        import pandas as pd

        return pd.DataFrame(self.rows()).set_index("name")

    def _repr_html_(self) -> str:
        import html

        head = ("<tr><th>name</th><th>carrier</th><th>origin</th><th>in force</th><th>valid until</th>"
                "<th>versions</th><th>confidence</th></tr>")
        rows = "".join(
            f"<tr><td>{html.escape(r['name'])}</td><td>{html.escape(r['carrier'])}</td><td>{r['origin']}</td>"
            f"<td>{r['in_force'] or 'none'}</td><td>{r['valid_until'] or ''}</td><td>{r['versions']}</td>"
            f"<td>{r['confidence']}</td></tr>"
            for r in self.rows()
        )
        return f"<p>Tariffs as of {self.as_of}</p><table>{head}{rows}</table>"


def resolve(tariffs: Iterable[Tariff] | Mapping[str, Tariff] | None, *, today: _dt.date | None = None) -> tuple[Tariff, ...]:
    """The tariff versions to use: every version of the loaded default set when None, or of a
    :class:`TariffSet`; the values of any other mapping of name → tariff; or an iterable of
    :class:`Tariff` as given. The rate engine then picks, per parcel, the version in force on the
    day it is posted, among these."""
    if tariffs is None:
        tariffs = load_tariffs(today=today)
    if isinstance(tariffs, TariffSet):
        return tariffs.versions()
    if isinstance(tariffs, Mapping):
        tariffs = tariffs.values()
    return tuple(tariffs)


# --------------------------------------------------------------------------------------------
# codes


# --------------------------------------------------------------------------------------------
# loading one version file


_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DATE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VOLUME_PER: dict[str, Decimal] = {
    "cm3/kg": Decimal(1),
    "in3/lb": CM_PER["in"] ** 3 / (GRAMS_PER["lb"] / 1000),
}
_VOLUME: dict[str, Decimal] = {"cm3": Decimal(1), "in3": CM_PER["in"] ** 3, "m3": Decimal(10) ** 6}


class _Units:
    __slots__ = ("weight", "length")

    def __init__(self, weight: str = "g", length: str = "cm") -> None:
        self.weight, self.length = weight, length


def _grams(n: Node, u: _Units) -> float:
    return n.quantity(GRAMS_PER, u.weight, "weight")


def _cm(n: Node, u: _Units) -> float:
    return n.quantity(CM_PER, u.length, "length")


def _ident(n: Node) -> str:
    v = n.value()
    v = str(v) if isinstance(v, (str, int)) and not isinstance(v, bool) else v
    if not isinstance(v, str) or not _ID.match(v):
        raise n.error(f"{v!r} is not an id; use lower-case letters, digits, '-' and '_'")
    return v


def _source(n: Node) -> Source:
    src = n.mapping(("url", "title", "kind", "confidence", "obtained", "notes"), ("url", "kind", "confidence"))
    kind = src["kind"].text()
    if kind not in ("primary", "secondary"):
        raise src["kind"].error(f"{kind!r} must be primary or secondary")
    confidence = src["confidence"].text()
    if confidence not in ("high", "medium", "low"):
        raise src["confidence"].error(f"{confidence!r} must be high, medium or low")
    return Source(
        url=src["url"].text(),
        title=src["title"].text() if "title" in src else "",
        kind=kind,
        confidence=confidence,
        obtained=src["obtained"].text() if "obtained" in src else "",
        notes=src["notes"].text() if "notes" in src else "",
    )


def _naming(path: Path) -> tuple[str, str, bool]:
    """(tariff name, label for messages, is a version file in a tariff folder)."""
    if _DATE_NAME.match(path.stem) and _ID.match(path.parent.name):
        return path.parent.name, f"{path.parent.name}/{path.name}", True
    return path.stem, path.name, False


def load_tariff(path: str | os.PathLike[str], *, rules: Iterable[Rule] | None = None) -> Tariff:
    """Load and validate one version file.

    Parameters
    ----------
    path
        The YAML file: ``NAME/YYYY-MM-DD.yaml`` in a tariff folder (named by its ``valid_from``),
        or a single-version ``NAME.yaml``.
    rules
        Rules to bind to the version's offers (default: the bundled ``rules.yaml``).

    Returns
    -------
    Tariff

    Raises
    ------
    TariffError
        With file, line and key of the first problem found.
    """
    path = Path(path)
    name, label, versioned = _naming(path)
    doc = _yaml.load(path, what="the tariff file", label=label, error=TariffError)
    if doc.root is None:
        raise doc.error("the file is empty; see tariffs/README.md for the format", line=1)
    top = doc.root.mapping(
        ("carrier", "origin", "currency", "valid_from", "valid_until", "source", "units", "services"),
        ("carrier", "origin", "currency", "valid_from", "source", "services"),
    )
    origin = top["origin"].text()
    if not is_country(origin):
        raise top["origin"].error(f"{origin!r} is not an ISO 3166-1 alpha-2 country code (e.g. US, GB, CN)")
    currency = top["currency"].text()
    if not is_currency(currency):
        raise top["currency"].error(f"{currency!r} is not an ISO 4217 currency code (e.g. USD, EUR, RUB)")
    valid_from = top["valid_from"].date()
    if versioned and path.stem != valid_from.isoformat():
        raise top["valid_from"].error(
            f"{valid_from} differs from the file name {path.name}; a version file is named by its valid_from")
    valid_until = None
    until_line = 0
    if "valid_until" in top and not top["valid_until"].is_null():
        valid_until = top["valid_until"].date()
        until_line = top["valid_until"].line
        if valid_until < valid_from:
            raise top["valid_until"].error(f"{valid_until} is before valid_from {valid_from}")
    source = _source(top["source"])

    units = _Units()
    if "units" in top:
        um = top["units"].mapping(("weight", "length"))
        if "weight" in um:
            units.weight = um["weight"].text()
            if units.weight not in GRAMS_PER:
                raise um["weight"].error(f"unknown weight unit {units.weight!r}; use {', '.join(GRAMS_PER)}")
        if "length" in um:
            units.length = um["length"].text()
            if units.length not in CM_PER:
                raise um["length"].error(f"unknown length unit {units.length!r}; use {', '.join(CM_PER)}")

    services: list[Service] = []
    seen: set[str] = set()
    snodes = top["services"].sequence()
    if not snodes:
        raise top["services"].error("a tariff needs at least one service")
    for sn in snodes:
        svc = _service(sn, units, origin)
        if svc.id in seen:
            raise sn.error(f"service id {svc.id!r} is used twice")
        seen.add(svc.id)
        services.append(svc)

    tariff = Tariff(
        name=name,
        path=path,
        carrier=top["carrier"].text(),
        origin=origin,
        currency=currency,
        valid_from=valid_from,
        valid_until=valid_until,
        source=source,
        services=tuple(services),
        label=label,
        lines=(top["valid_from"].line, until_line),
    )
    return _bind(tariff, _bundled_rules() if rules is None else tuple(rules))


def _bind(t: Tariff, rules: tuple[Rule, ...]) -> Tariff:
    """``t`` with the rules that concern one of its offers."""
    mine = tuple(r for r in rules if any(
        r.applies(t.name, s.id, None) or any(r.applies(t.name, s.id, a.id) for a in s.addons) for s in t.services))
    return replace(t, rules=mine) if mine != t.rules else t


_SERVICE_KEYS = (
    "id", "name", "tracked", "tracking_note", "note", "caveat", "limits", "volumetric", "min_chargeable",
    "min_charge", "surcharges", "addons", "weight_limits", "default_zone", "zone_note", "zones",
)


def _service(sn: Node, u: _Units, origin: str) -> Service:
    m = sn.mapping(_SERVICE_KEYS, ("id", "name", "tracked", "zones"))
    sid = _ident(m["id"])
    _rename(sn, m, f"{sn.where} {sid!r}")
    limits = _limits(m["limits"], u) if "limits" in m else Limits()
    vol = None
    if "volumetric" in m:
        vm = m["volumetric"].mapping(("divisor", "above"), ("divisor",))
        vol = Volumetric(
            divisor_cm3_per_kg=vm["divisor"].quantity(_VOLUME_PER, "cm3/kg", "volumetric divisor"),
            above_cm3=vm["above"].quantity(_VOLUME, "cm3", "volume") if "above" in vm else 0.0,
        )
        if vol.divisor_cm3_per_kg <= 0:
            raise vm["divisor"].error("the divisor must be greater than zero")
    surcharges = []
    for n in m["surcharges"].sequence() if "surcharges" in m else []:
        sm = n.mapping(("name", "fixed", "percent", "over"), ("name",))
        if "fixed" not in sm and "percent" not in sm:
            raise n.error("a surcharge needs 'fixed' or 'percent'")
        surcharges.append(
            Surcharge(
                name=sm["name"].text(),
                fixed=sm["fixed"].number() if "fixed" in sm else 0.0,
                percent=sm["percent"].number() if "percent" in sm else 0.0,
                over_g=_grams(sm["over"], u) if "over" in sm else 0.0,
            )
        )
    addons = []
    for n in m["addons"].sequence() if "addons" in m else []:
        am = n.mapping(("id", "name", "fee", "tracked"), ("id", "name", "fee"))
        addon = Addon(
            id=_ident(am["id"]),
            name=am["name"].text(),
            fee=am["fee"].number(),
            tracked=am["tracked"].boolean() if "tracked" in am else False,
        )
        if any(a.id == addon.id for a in addons):
            raise am["id"].error(f"add-on id {addon.id!r} is used twice")
        addons.append(addon)

    shared_limits = _weight_limits(m["weight_limits"], u) if "weight_limits" in m else None
    zones: list[Zone] = []
    country_zone: dict[str, str] = {}
    multi = False
    znodes = m["zones"].sequence()
    if not znodes:
        raise m["zones"].error("a service needs at least one zone")
    for zn in znodes:
        z = _zone(zn, u, shared_limits, m.get("weight_limits"))
        if any(o.id == z.id for o in zones):
            raise zn.error(f"zone id {z.id!r} is used twice")
        for c in z.countries:
            if c in country_zone:
                multi = True
                if "default_zone" not in m:
                    raise zn.error(
                        f"country {c} is in zones {country_zone[c]!r} and {z.id!r}; "
                        "add 'default_zone' if the zone depends on distance, else list it once"
                    )
            country_zone.setdefault(c, z.id)
        zones.append(z)
    default_zone = None
    if "default_zone" in m:
        default_zone = _ident(m["default_zone"])
        if default_zone not in {z.id for z in zones}:
            raise m["default_zone"].error(f"{default_zone!r} is not one of this service's zones")
        if not multi:
            raise m["default_zone"].error("default_zone is only for a country listed in several zones")

    return Service(
        id=sid,
        name=m["name"].text(),
        tracked=m["tracked"].boolean(),
        tracking_note=m["tracking_note"].text() if "tracking_note" in m else "",
        note=m["note"].text() if "note" in m else "",
        caveat=m["caveat"].text() if "caveat" in m else "",
        limits=limits,
        volumetric=vol,
        min_chargeable_g=_grams(m["min_chargeable"], u) if "min_chargeable" in m else 0.0,
        min_charge=m["min_charge"].number() if "min_charge" in m else 0.0,
        surcharges=tuple(surcharges),
        addons=tuple(addons),
        zones=tuple(zones),
        default_zone=default_zone,
        zone_note=m["zone_note"].text() if "zone_note" in m else "",
    )


def _rename(node: Node, children: dict[str, Node], where: str) -> None:
    """Name a list item by its id in messages: ``services[0] 'fcpis'.zones[1] 'group14'``."""
    node.where = where
    for key, child in children.items():
        child.where = f"{where}.{key}"


def _limits(n: Node, u: _Units) -> Limits:
    m = n.mapping(
        ("max_weight", "min_weight", "max_length", "max_sum", "max_length_girth", "max_dims", "min_dims")
    )
    kw: dict[str, object] = {}
    if "max_weight" in m:
        kw["max_weight_g"] = _grams(m["max_weight"], u)
    if "min_weight" in m:
        kw["min_weight_g"] = _grams(m["min_weight"], u)
    for key in ("max_length", "max_sum", "max_length_girth"):
        if key in m:
            kw[f"{key}_cm"] = _cm(m[key], u)
    if "max_dims" in m:
        items = m["max_dims"].sequence()
        if len(items) not in (2, 3):
            raise m["max_dims"].error(
                f"max_dims needs 2 sides (an envelope) or 3 (a box), got {len(items)}; use max_length for one"
            )
        kw["max_dims_cm"] = tuple(sorted((_cm(i, u) for i in items), reverse=True))
    if "min_dims" in m:
        items = m["min_dims"].sequence()
        if not 1 <= len(items) <= 3:
            raise m["min_dims"].error(f"min_dims needs 1 to 3 sides, got {len(items)}")
        kw["min_dims_cm"] = tuple(sorted((_cm(i, u) for i in items), reverse=True))
    return Limits(**kw)  # type: ignore[arg-type]


def _weight_limits(n: Node, u: _Units) -> tuple[np.ndarray, list[Node]]:
    items = n.sequence()
    if not items:
        raise n.error("weight_limits is empty")
    values = []
    for k, i in enumerate(items):
        if i.raw == "no limit":
            # The source states no maximum: the last band is open-ended (only a formula band
            # makes sense there; a maximum weight, if known, belongs in limits.max_weight).
            if k != len(items) - 1:
                raise i.error("'no limit' can only be the last weight limit")
            values.append(math.inf)
        else:
            values.append(_grams(i, u))
    for prev, cur, node in zip(values, values[1:], items[1:]):
        if not cur > prev:
            raise node.error(f"weight limits must increase: {node.value()!r} is not above the previous limit")
    if values[0] <= 0:
        raise items[0].error("the first weight limit must be greater than zero")
    return np.array(values), items


_ZONE_KEYS = ("id", "countries", "available", "note", "caveat", "weight_limits", "prices")


def _zone(zn: Node, u: _Units, shared: tuple[np.ndarray, list[Node]] | None, shared_node: Node | None) -> Zone:
    m = zn.mapping(_ZONE_KEYS, ("id", "countries"))
    zid = _ident(m["id"])
    _rename(zn, m, f"{zn.where} {zid!r}")
    countries = []
    for cn in m["countries"].sequence():
        # The raw scalar, not the constructed value: YAML 1.1 reads Norway's code NO as false.
        c = cn.raw if cn.raw is not None else cn.value()
        if c != "*" and not is_country(c):
            raise cn.error(f"{c!r} is not an ISO 3166-1 alpha-2 country code (or '*' for all others)")
        countries.append(c)
    if not countries:
        raise m["countries"].error("a zone needs at least one country")
    available = m["available"].boolean() if "available" in m else True
    note = m["note"].text() if "note" in m else ""
    caveat = m["caveat"].text() if "caveat" in m else ""
    common = dict(id=zid, countries=tuple(countries), available=available, note=note, caveat=caveat, line=zn.line)
    if not available:
        if "prices" in m:
            raise m["prices"].error("a zone with available: false takes no prices")
        return Zone(**common)
    if "prices" not in m:
        raise zn.error("missing required key 'prices' (a list, or 'gap' when the source has none)")
    pn = m["prices"]
    if pn.raw == "gap":
        return Zone(gap=True, **common)

    limits = _weight_limits(m["weight_limits"], u) if "weight_limits" in m else shared
    if limits is None:
        raise zn.error("no weight_limits: give them on the service or on the zone")
    limit_values, _ = limits
    items = pn.sequence()
    if len(items) != len(limit_values):
        raise pn.error(f"{len(items)} prices but {len(limit_values)} weight limits")
    nb = len(items)
    base = np.full(nb, np.nan)
    rate, per, above, step = np.zeros(nb), np.ones(nb), np.zeros(nb), np.zeros(nb)
    for i, item in enumerate(items):
        if item.is_null():
            continue
        if item.raw is None:  # a mapping: a formula price
            fm = item.mapping(("base", "rate", "per", "above", "step"), ("base", "rate", "per"))
            base[i] = fm["base"].number()
            rate[i] = fm["rate"].number()
            per[i] = _grams(fm["per"], u)
            if per[i] <= 0:
                raise fm["per"].error("'per' must be a weight greater than zero")
            above[i] = _grams(fm["above"], u) if "above" in fm else 0.0
            step[i] = _grams(fm["step"], u) if "step" in fm else 0.0
        else:
            base[i] = item.number()
    if np.all(np.isnan(base)):
        raise pn.error("every price is null; write 'prices: gap' when the source has no price for the zone")
    if math.isinf(limit_values[-1]) and rate[-1] == 0 and not np.isnan(base[-1]):
        raise items[-1].error("a band with 'no limit' needs a formula price ({base, rate, per}), not a flat price")
    return Zone(limits_g=limit_values, base=base, rate=rate, per_g=per, above_g=above, step_g=step, **common)


# --------------------------------------------------------------------------------------------
# rules


def load_rules(path: str | os.PathLike[str]) -> tuple[Rule, ...]:
    """Load and validate a rules file (``tariffs/rules.yaml``; format in ``tariffs/README.md``).

    Whether each named add-on and service exists is checked by :func:`load_tariffs`, against the
    tariffs it loads.

    Raises
    ------
    TariffError
        With file, line and key of the first problem found.
    """
    path = Path(path)
    label = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    doc = _yaml.load(path, what="the rules file", label=label, error=TariffError)
    if doc.root is None:
        return ()
    top = doc.root.mapping(("rules",), ("rules",))
    out: list[Rule] = []
    for rn in top["rules"].sequence():
        m = rn.mapping(("id", "text", "from", "addons", "services", "sources", "note"), ("id", "text", "from", "sources"))
        rid = _ident(m["id"])
        if any(r.id == rid for r in out):
            raise m["id"].error(f"rule id {rid!r} is used twice")
        lines: dict[str, int] = {}
        addons: list[str] = []
        for n in m["addons"].sequence() if "addons" in m else []:
            addons.append(_ident(n))
            lines["+" + addons[-1]] = n.line
        services: list[str] = []
        for n in m["services"].sequence() if "services" in m else []:
            key = n.text()
            tname, _, sid = key.partition("/")
            if not (_ID.match(tname) and _ID.match(sid)):
                raise n.error(f"{key!r} is not a service key; write tariff/service, e.g. it-poste-italiane/raccomandata")
            services.append(key)
            lines[key] = n.line
        if not addons and not services:
            raise rn.error("a rule needs 'addons' or 'services' to apply to")
        sources = tuple(_source(n) for n in m["sources"].sequence())
        if not sources:
            raise m["sources"].error("a rule needs at least one source")
        out.append(Rule(id=rid, text=m["text"].text(), since=m["from"].date(), addons=tuple(addons),
                        services=tuple(services), sources=sources, note=m["note"].text() if "note" in m else "",
                        label=label, lines=lines))
    return tuple(out)


def _check_rule_targets(rules: Iterable[Rule], versions: Iterable[Tariff], path_of: Mapping[str, Path]) -> None:
    """Every add-on and service a rule names must exist in some loaded tariff version."""
    versions = tuple(versions)
    addons = {a.id for t in versions for s in t.services for a in s.addons}
    services = {f"{t.name}/{s.id}" for t in versions for s in t.services}
    for r in rules:
        for a in r.addons:
            if a not in addons:
                raise TariffError(f"unknown add-on {a!r}; the tariffs' add-ons are {', '.join(sorted(addons))}",
                                  path=path_of.get(r.label), label=r.label, line=r.lines.get("+" + a),
                                  key=f"rules '{r.id}'.addons")
        for key in r.services:
            if key not in services:
                raise TariffError(f"unknown service {key!r}; no loaded tariff has it",
                                  path=path_of.get(r.label), label=r.label, line=r.lines.get(key),
                                  key=f"rules '{r.id}'.services")


@functools.lru_cache(maxsize=4)
def _rules_cached(path: str, mtime: int) -> tuple[Rule, ...]:
    return load_rules(path)


def _bundled_rules() -> tuple[Rule, ...]:
    p = bundled_dir() / RULES_FILE
    return _rules_cached(str(p), _mtime(p)) if p.is_file() else ()


# --------------------------------------------------------------------------------------------
# versions


def check_versions(versions: Sequence[Tariff]) -> None:
    """Check that the versions of one tariff have one origin and do not overlap in time.

    Raises
    ------
    TariffError
        At the earlier version's ``valid_until`` line: ``... overlaps the next version ...``.
    """
    vs = sorted(versions, key=lambda t: t.valid_from)
    for a, b in zip(vs, vs[1:]):
        if b.origin != a.origin:
            raise TariffError(f"origin {b.origin} differs from {a.origin} in {a.label}; all versions of a "
                              "tariff are posted from one country", path=b.path, label=b.label, line=b.lines[0] or None,
                              key="origin")
        if a.valid_from == b.valid_from:
            raise TariffError(f"{b.label} starts on the same day, {a.valid_from}; keep one version per day",
                              path=a.path, label=a.label, line=a.lines[0] or None, key="valid_from")
        if a.valid_until is not None and a.valid_until >= b.valid_from:
            last = b.valid_from - _dt.timedelta(days=1)
            raise TariffError(f"{a.valid_until} overlaps the next version, {b.label}, valid from {b.valid_from}; "
                              f"end this version on {last} at the latest", path=a.path, label=a.label,
                              line=a.lines[1] or None, key="valid_until")


# --------------------------------------------------------------------------------------------
# finding tariffs


def bundled_dir() -> Path:
    """The folder of bundled tariffs: inside the installed package, or ``tariffs/`` of a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "_bundled_tariffs"
    if installed.is_dir():
        return installed
    return here.parent / "tariffs"


def tariff_dirs(extra: Iterable[str | os.PathLike[str]] = (), *, use_env: bool = True) -> list[Path]:
    """Search order: ``extra`` folders, then ``$RETURNCOST_TARIFFS``, then the bundled folder."""
    dirs = [Path(d).expanduser() for d in extra]
    if use_env:
        env = os.environ.get(ENV_VAR, "")
        dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    dirs.append(bundled_dir())
    return dirs


def _mtime(p: Path) -> int:
    """The file's modification time for the cache key; -1 when it cannot be read (the loader then
    says why)."""
    try:
        return os.stat(p).st_mtime_ns
    except OSError:
        return -1


def _scan(folder: Path) -> tuple[dict[str, tuple[Path, ...]], Path | None]:
    """The tariffs of one search folder: name -> version files, and its rules file."""
    found: dict[str, tuple[Path, ...]] = {}
    rules = None
    kinds: dict[str, str] = {}
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        if p.name == RULES_FILE:
            rules = p
        elif p.suffix == ".yaml":
            if kinds.get(p.stem) == "folder":
                raise TariffError(f"both {p.name} and a folder {p.stem}/ are here; keep one (a folder holds "
                                  "the versions)", path=folder)
            found[p.stem], kinds[p.stem] = (p,), "file"
        elif _ID.match(p.name) and p.is_dir():
            files = tuple(sorted(p.glob("*.yaml")))
            if not files:
                continue
            if kinds.get(p.name) == "file":
                raise TariffError(f"both {p.name}.yaml and a folder {p.name}/ are here; keep one (a folder holds "
                                  "the versions)", path=folder)
            for f in files:
                if not _DATE_NAME.match(f.stem):
                    raise TariffError(f"in a tariff folder each file is one version named by its valid_from, "
                                      f"e.g. 2026-04-26.yaml, not {f.name}", path=f, label=f"{p.name}/{f.name}")
            found[p.name], kinds[p.name] = files, "folder"
    return found, rules


def load_tariffs(
    dirs: Iterable[str | os.PathLike[str]] = (),
    *,
    use_env: bool = True,
    today: _dt.date | None = None,
) -> TariffSet:
    """Load every tariff (all versions) and the rules on the search path.

    A tariff found in an earlier folder replaces one of the same name found later, with all its
    versions; rules merge by id, the earlier folder's winning.

    Parameters
    ----------
    dirs
        Extra folders searched first (the CLI's ``--tariffs DIR``).
    use_env
        Also search the folders in ``$RETURNCOST_TARIFFS``.
    today
        The set's ``as_of``: the day whose versions the mapping shows (default: today). Every
        version is loaded whatever the day.

    Raises
    ------
    TariffError
        A malformed file, versions that overlap, a rule naming an unknown add-on: file, line, key.

    Examples
    --------
    >>> import datetime
    >>> tariffs = load_tariffs(use_env=False, today=datetime.date(2026, 11, 29))
    >>> tariffs["us-usps"].carrier, tariffs["us-usps"].version, len(tariffs.versions("us-usps"))
    ('USPS', '2026-04-26', 2)
    >>> tariffs.at("us-usps", datetime.date(2025, 11, 1)).version
    '2025-10-05'
    """
    search = tariff_dirs(dirs, use_env=use_env)
    files: dict[str, tuple[Path, ...]] = {}
    rules_files: list[Path] = []
    for d in search:
        if not d.is_dir():
            if d != search[-1]:
                raise TariffError(f"{d}: tariff folder not found (from --tariffs or ${ENV_VAR})")
            continue
        found, rules = _scan(d)
        for name, paths in found.items():
            files.setdefault(name, paths)
        if rules is not None:
            rules_files.append(rules)
    key = tuple((name, tuple((str(p), _mtime(p)) for p in paths)) for name, paths in sorted(files.items()))
    rkey = tuple((str(p), _mtime(p)) for p in rules_files)
    return _load_cached(key, rkey, today or _dt.date.today(), tuple(search))


@functools.lru_cache(maxsize=16)
def _load_cached(key: tuple, rkey: tuple, today: _dt.date, dirs: tuple[Path, ...]) -> TariffSet:
    rules: dict[str, Rule] = {}
    path_of: dict[str, Path] = {}
    for p, mtime in rkey:
        for r in _rules_cached(p, mtime):
            rules.setdefault(r.id, r)
            path_of[r.label] = Path(p)
    merged = tuple(rules.values())
    versions: list[Tariff] = []
    for _, paths in key:
        family = [load_tariff(p, rules=merged) for p, _ in paths]
        check_versions(family)
        versions += family
    _check_rule_targets(merged, versions, path_of)
    return TariffSet(versions, dirs, as_of=today, rules=merged)
