"""What a tariff is once loaded: frozen value objects, and the set of every version.

A *tariff* is one carrier's price lists for parcels posted from one origin country; each price list
is a *version* with the day it starts (``valid_from``) and, when known, its last day
(``valid_until``). A :class:`Tariff` object is one version: its :class:`Service` objects, each with
:class:`Limits`, :class:`Zone` price bands (numpy arrays), :class:`Surcharge` and :class:`Addon`
objects, and the dated :class:`Rule` objects that concern it. :class:`TariffSet` holds every version
of every tariff found, and maps each name to the version in force on its date (:func:`in_force`,
:func:`staleness`).

These objects are built and validated once, by the loader (:mod:`calculator.tariffs`, which reads
the files with :mod:`calculator.tariff_files`); after that the rate engine trusts them. They are
shown to people by :mod:`calculator.tariff_view`. Import them from :mod:`calculator.tariffs`.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import TariffError
from .formatting import day
from .i18n import Views, _, get_language

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
    "in_force",
    "not_in_force",
]

#: The source notes of a tariff folder (``tariffs/us-usps/SOURCES.md``).
SOURCES_FILE = "SOURCES.md"
#: A version without ``valid_until`` whose ``valid_from`` is more than this many days before the
#: posting date is flagged as old (``tariff_over_a_year_old``).
STALE_AFTER_DAYS = 365
#: Staleness codes of a version on a posting date (:func:`staleness`).
FRESH, EXPIRED, OLD = 0, 1, 2


def in_language(text: str, text_ru: str) -> str:
    """``text_ru`` when the texts are in Russian and the tariff file gives one, else ``text``: a
    service's or add-on's name (``name_ru``), a rule's text (``text_ru``)."""
    return text_ru if text_ru and get_language() == "ru" else text


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
    name_ru: str = ""  # the name as Russian texts show it ("" : the name)

    @property
    def shown_name(self) -> str:
        """The name in the current language (``name_ru`` in Russian, where the file gives one)."""
        return in_language(self.name, self.name_ru)


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
    name_ru: str = ""  # the name as Russian texts show it ("": the name)

    @property
    def shown_name(self) -> str:
        """The name in the current language (``name_ru`` in Russian, where the file gives one)."""
        return in_language(self.name, self.name_ru)

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
    2026-01-01``); ``text_ru`` the same in Russian (:attr:`shown_text` picks one).
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
    text_ru: str = ""

    @property
    def shown_text(self) -> str:
        """The text in the current language (``text_ru`` in Russian, where the file gives one)."""
        return in_language(self.text, self.text_ru)

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
class Tariff(Views):
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
            return _("{tariff}: the price list of {start} was valid until {end}; prices on {day} may be higher").format(
                tariff=self.name, start=day(self.valid_from), end=day(self.valid_until), day=day(on))
        if code == OLD:
            return _("{tariff}: the price list is from {start}, more than a year before {day}; prices may have "
                     "changed").format(tariff=self.name, start=day(self.valid_from), day=day(on))
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


def _not_in_force(versions: Sequence[Tariff], on: _dt.date | np.datetime64) -> str:
    return _("no price list of {tariff} in force on {day}; the oldest is from {start}").format(
        tariff=versions[0].name, day=day(on), start=day(versions[0].valid_from))


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


class TariffSet(Mapping[str, Tariff], Views):
    """Every version of every tariff found, and the folders they were found in.

    As a mapping, a name gives the version in force on ``as_of`` (the date it was loaded for,
    default today); names with no version in force then are not keys, and asking for one says so
    ("no price list of NAME in force on DATE"). :meth:`versions` gives all versions (history),
    :meth:`at` the version in force on another day. The rate engine takes the set itself and picks
    per parcel (see :func:`calculator.tariffs.resolve`).
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
        if not self._versions:
            raise TariffError(_("tariff {name!r} not found; there are no tariffs").format(name=name))
        raise TariffError(_("tariff {name!r} not found; known tariffs: {known}").format(
            name=name, known=", ".join(sorted(self._versions))))

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
        return [self._current[n] for n in sorted(self._current) if self._current[n].origin == origin]

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
        from .tariff_view import tariff_set_html

        return tariff_set_html(self)
