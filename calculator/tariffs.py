"""Tariff files: find them, validate them once, and hold them as frozen objects.

A tariff is one carrier's price list for parcels posted from one origin country. The file format is
documented in ``tariffs/README.md``. Validation keeps the YAML node tree so that a wrong value is
reported at its own line::

    us-usps.yaml, line 41: services[0].zones[0] 'group14': 3 prices but 4 weight limits

After loading, the rate engine (:mod:`calculator.rates`) trusts these objects.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import yaml
from numpy.typing import NDArray

from .errors import TariffError
from .units import CM_PER, GRAMS_PER

__all__ = [
    "Source",
    "Limits",
    "Volumetric",
    "Surcharge",
    "Addon",
    "Zone",
    "Service",
    "Tariff",
    "TariffSet",
    "TariffWarning",
    "load_tariff",
    "load_tariffs",
    "tariff_dirs",
    "bundled_dir",
    "is_country",
    "is_currency",
    "resolve",
]

ENV_VAR = "RETURNCOST_TARIFFS"


class TariffWarning(UserWarning):
    """A tariff loads but its prices may no longer apply (past ``valid_until``)."""


# --------------------------------------------------------------------------------------------
# value objects


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where the numbers of a tariff come from."""

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
class Tariff:
    name: str
    path: Path
    carrier: str
    origin: str
    currency: str
    valid_from: _dt.date
    valid_until: _dt.date | None
    source: Source
    services: tuple[Service, ...]

    def destinations(self) -> list[str]:
        """Countries listed in any zone (``*`` shown as is)."""
        out: set[str] = set()
        for s in self.services:
            for z in s.zones:
                out.update(z.countries)
        return sorted(out)

    def expired(self, on: _dt.date) -> bool:
        return self.valid_until is not None and on > self.valid_until

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


class TariffSet(Mapping[str, Tariff]):
    """The tariffs in effect: name → :class:`Tariff`, plus the folders they were found in."""

    __slots__ = ("_by_name", "dirs")

    def __init__(self, tariffs: Iterable[Tariff], dirs: Iterable[Path] = ()) -> None:
        self._by_name = {t.name: t for t in tariffs}
        self.dirs = tuple(dirs)

    def __getitem__(self, name: str) -> Tariff:
        try:
            return self._by_name[name]
        except KeyError:
            known = ", ".join(sorted(self._by_name)) or "none"
            raise TariffError(f"tariff {name!r} not found; known tariffs: {known}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._by_name))

    def __len__(self) -> int:
        return len(self._by_name)

    def for_origin(self, origin: str) -> list[Tariff]:
        return [t for n, t in sorted(self._by_name.items()) if t.origin == origin]

    def origins(self) -> list[str]:
        return sorted({t.origin for t in self._by_name.values()})

    def __repr__(self) -> str:
        return f"TariffSet({', '.join(self)})"

    def to_frame(self):  # -> pandas.DataFrame
        """One row per tariff: what ``returncost tariffs list`` shows."""
        import pandas as pd

        return pd.DataFrame(
            [{"name": t.name, "carrier": t.carrier, "origin": t.origin, "currency": t.currency,
              "services": len(t.services), "valid_from": t.valid_from, "valid_until": t.valid_until,
              "kind": t.source.kind, "confidence": t.source.confidence, "source": t.source.url}
             for t in self.values()]
        ).set_index("name")

    def _repr_html_(self) -> str:
        import html

        head = "<tr><th>name</th><th>carrier</th><th>origin</th><th>valid from</th><th>valid until</th><th>confidence</th></tr>"
        rows = "".join(
            f"<tr><td>{html.escape(t.name)}</td><td>{html.escape(t.carrier)}</td><td>{t.origin}</td>"
            f"<td>{t.valid_from}</td><td>{t.valid_until or ''}</td><td>{t.source.confidence}</td></tr>"
            for t in self.values()
        )
        return f"<table>{head}{rows}</table>"


def resolve(tariffs: Iterable[Tariff] | Mapping[str, Tariff] | None, *, today: _dt.date | None = None) -> tuple[Tariff, ...]:
    """The tariffs to use: the loaded default set when None; a :class:`TariffSet` or any mapping
    of name → tariff; or an iterable of :class:`Tariff`."""
    if tariffs is None:
        tariffs = load_tariffs(today=today)
    if isinstance(tariffs, Mapping):
        tariffs = tariffs.values()
    return tuple(tariffs)


# --------------------------------------------------------------------------------------------
# codes


@functools.cache
def _countries() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


@functools.cache
def _currencies() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_country(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code such as ``CN``."""
    return isinstance(code, str) and code in _countries()


def is_currency(code: str) -> bool:
    """True for an ISO 4217 code such as ``USD``."""
    return isinstance(code, str) and code in _currencies()


# --------------------------------------------------------------------------------------------
# reading the YAML node tree with line numbers


class _Node:
    """A YAML node with the path of keys that led to it, for error messages."""

    __slots__ = ("node", "where", "file")

    def __init__(self, node: yaml.Node, where: str, file: str) -> None:
        self.node, self.where, self.file = node, where, file

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def error(self, message: str) -> TariffError:
        where = f"{self.where}: " if self.where else ""
        return TariffError(f"{self.file}, line {self.line}: {where}{message}")

    def mapping(self, allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, _Node]:
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"expected a mapping of keys, got {self._kind()}")
        allowed = tuple(allowed)
        out: dict[str, _Node] = {}
        for knode, vnode in self.node.value:
            key = knode.value
            sub = f"{self.where}.{key}" if self.where else str(key)
            if key not in allowed:
                hint = _close(key, allowed)
                raise _Node(knode, sub, self.file).error(
                    f"unknown key {key!r}" + (f" (did you mean {hint!r}?)" if hint else "")
                    + f"; allowed: {', '.join(allowed)}"
                )
            if key in out:
                raise _Node(knode, sub, self.file).error(f"key {key!r} given twice")
            out[key] = _Node(vnode, sub, self.file)
        for key in required:
            if key not in out:
                raise self.error(f"missing required key {key!r}")
        return out

    def sequence(self) -> list[_Node]:
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error(f"expected a list, got {self._kind()}")
        return [_Node(n, f"{self.where}[{i}]", self.file) for i, n in enumerate(self.node.value)]

    def value(self) -> object:
        return yaml.SafeLoader("").construct_object(self.node, deep=True)

    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag.endswith(":null")

    def text(self) -> str:
        v = self.value()
        if not isinstance(v, str) or not v.strip():
            raise self.error(f"expected text, got {v!r}")
        return v.strip()

    def boolean(self) -> bool:
        v = self.value()
        if not isinstance(v, bool):
            raise self.error(f"expected true or false, got {v!r}")
        return v

    def number(self, *, minimum: float | None = 0.0, positive: bool = False) -> float:
        v = self.value()
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.error(f"expected a number, got {v!r}")
        v = float(v)
        if not math.isfinite(v):
            raise self.error(f"{v!r} is not a finite number")
        if positive and v <= 0:
            raise self.error(f"{v!r} must be greater than zero")
        if minimum is not None and v < minimum:
            raise self.error(f"{v!r} is negative; prices and sizes must be zero or more")
        return v

    def date(self) -> _dt.date:
        v = self.value()
        if isinstance(v, _dt.datetime):
            v = v.date()
        if not isinstance(v, _dt.date):
            raise self.error(f"expected a date like 2025-10-05, got {v!r}")
        return v

    def quantity(self, table: Mapping[str, Decimal], default_unit: str, what: str) -> float:
        """A number with an optional unit from ``table`` (``500 g``, ``24 in``); in base units."""
        v = self.value()
        if isinstance(v, bool):
            raise self.error(f"expected a {what} such as 500 g, got {v!r}")
        if isinstance(v, (int, float)):
            num, unit = Decimal(repr(v)) if isinstance(v, float) else Decimal(v), default_unit
        elif isinstance(v, str):
            m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?\d+)?)\s*([A-Za-z0-9/]+)?\s*", v)
            if not m:
                raise self.error(f"{v!r} is not a {what}; write a number and a unit, e.g. 500 g")
            num, unit = Decimal(m.group(1)), (m.group(2) or default_unit)
        else:
            raise self.error(f"expected a {what} such as 500 g, got {v!r}")
        if unit not in table:
            raise self.error(f"unknown {what} unit {unit!r}; use {', '.join(table)}")
        if num < 0:
            raise self.error(f"{v!r} is negative")
        return float(num * table[unit])

    def _kind(self) -> str:
        if isinstance(self.node, yaml.MappingNode):
            return "a mapping"
        if isinstance(self.node, yaml.SequenceNode):
            return "a list"
        return repr(self.node.value)


def _close(key: str, allowed: Iterable[str]) -> str | None:
    import difflib

    hits = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.6)
    return hits[0] if hits else None


# --------------------------------------------------------------------------------------------
# loading one file


_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_VOLUME_PER: dict[str, Decimal] = {
    "cm3/kg": Decimal(1),
    "in3/lb": CM_PER["in"] ** 3 / (GRAMS_PER["lb"] / 1000),
}
_VOLUME: dict[str, Decimal] = {"cm3": Decimal(1), "in3": CM_PER["in"] ** 3, "m3": Decimal(10) ** 6}


class _Units:
    __slots__ = ("weight", "length")

    def __init__(self, weight: str = "g", length: str = "cm") -> None:
        self.weight, self.length = weight, length


def _grams(n: _Node, u: _Units) -> float:
    return n.quantity(GRAMS_PER, u.weight, "weight")


def _cm(n: _Node, u: _Units) -> float:
    return n.quantity(CM_PER, u.length, "length")


def _ident(n: _Node) -> str:
    v = n.value()
    v = str(v) if isinstance(v, (str, int)) and not isinstance(v, bool) else v
    if not isinstance(v, str) or not _ID.match(v):
        raise n.error(f"{v!r} is not an id; use lower-case letters, digits, '-' and '_'")
    return v


def load_tariff(path: str | os.PathLike[str], *, today: _dt.date | None = None) -> Tariff:
    """Load and validate one tariff file.

    Parameters
    ----------
    path
        The YAML file; its name without ``.yaml`` is the tariff's name.
    today
        Date against which ``valid_until`` is checked (default: today).

    Returns
    -------
    Tariff

    Raises
    ------
    TariffError
        With file, line and key of the first problem found.
    """
    path = Path(path)
    name = path.stem
    fname = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TariffError(f"{path}: cannot read tariff file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise TariffError(f"{fname}: not a UTF-8 text file") from None
    try:
        loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        root = yaml.compose(text, Loader=loader_cls)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        raise TariffError(f"{fname}{line}: YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise TariffError(f"{fname}: YAML syntax error: {exc}") from None
    if root is None:
        raise TariffError(f"{fname}, line 1: the file is empty; see tariffs/README.md for the format")

    top = _Node(root, "", fname).mapping(
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
    valid_until = None
    if "valid_until" in top and not top["valid_until"].is_null():
        valid_until = top["valid_until"].date()
        if valid_until < valid_from:
            raise top["valid_until"].error(f"{valid_until} is before valid_from {valid_from}")

    src = top["source"].mapping(
        ("url", "title", "kind", "confidence", "obtained", "notes"), ("url", "kind", "confidence")
    )
    kind = src["kind"].text()
    if kind not in ("primary", "secondary"):
        raise src["kind"].error(f"{kind!r} must be primary or secondary")
    confidence = src["confidence"].text()
    if confidence not in ("high", "medium", "low"):
        raise src["confidence"].error(f"{confidence!r} must be high, medium or low")
    source = Source(
        url=src["url"].text(),
        title=src["title"].text() if "title" in src else "",
        kind=kind,
        confidence=confidence,
        obtained=src["obtained"].text() if "obtained" in src else "",
        notes=src["notes"].text() if "notes" in src else "",
    )

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
    )
    on = today or _dt.date.today()
    if tariff.expired(on):
        # Point the warning at the tariff file's own `valid_until` line, not at this module.
        warnings.warn_explicit(
            f"{fname}: prices valid until {valid_until}; they may be out of date on {on}",
            TariffWarning,
            filename=str(path),
            lineno=top["valid_until"].line,
        )
    return tariff


_SERVICE_KEYS = (
    "id", "name", "tracked", "tracking_note", "note", "limits", "volumetric", "min_chargeable",
    "min_charge", "surcharges", "addons", "weight_limits", "default_zone", "zone_note", "zones",
)


def _service(sn: _Node, u: _Units, origin: str) -> Service:
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


def _rename(node: _Node, children: dict[str, _Node], where: str) -> None:
    """Name a list item by its id in messages: ``services[0] 'fcpis'.zones[1] 'group14'``."""
    node.where = where
    for key, child in children.items():
        child.where = f"{where}.{key}"


def _limits(n: _Node, u: _Units) -> Limits:
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


def _weight_limits(n: _Node, u: _Units) -> tuple[np.ndarray, list[_Node]]:
    items = n.sequence()
    if not items:
        raise n.error("weight_limits is empty")
    values = []
    for k, i in enumerate(items):
        if isinstance(i.node, yaml.ScalarNode) and i.node.value == "no limit":
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


_ZONE_KEYS = ("id", "countries", "available", "note", "weight_limits", "prices")


def _zone(zn: _Node, u: _Units, shared: tuple[np.ndarray, list[_Node]] | None, shared_node: _Node | None) -> Zone:
    m = zn.mapping(_ZONE_KEYS, ("id", "countries"))
    zid = _ident(m["id"])
    _rename(zn, m, f"{zn.where} {zid!r}")
    countries = []
    for cn in m["countries"].sequence():
        # The raw scalar, not the constructed value: YAML 1.1 reads Norway's code NO as false.
        c = cn.node.value if isinstance(cn.node, yaml.ScalarNode) else cn.value()
        if c != "*" and not is_country(c):
            raise cn.error(f"{c!r} is not an ISO 3166-1 alpha-2 country code (or '*' for all others)")
        countries.append(c)
    if not countries:
        raise m["countries"].error("a zone needs at least one country")
    available = m["available"].boolean() if "available" in m else True
    note = m["note"].text() if "note" in m else ""
    common = dict(id=zid, countries=tuple(countries), available=available, note=note, line=zn.line)
    if not available:
        if "prices" in m:
            raise m["prices"].error("a zone with available: false takes no prices")
        return Zone(**common)
    if "prices" not in m:
        raise zn.error("missing required key 'prices' (a list, or 'gap' when the source has none)")
    pn = m["prices"]
    if isinstance(pn.node, yaml.ScalarNode) and pn.value() == "gap":
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
        if isinstance(item.node, yaml.MappingNode):
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


def load_tariffs(
    dirs: Iterable[str | os.PathLike[str]] = (),
    *,
    use_env: bool = True,
    today: _dt.date | None = None,
) -> TariffSet:
    """Load every tariff on the search path; an earlier folder's file replaces a later one's.

    Parameters
    ----------
    dirs
        Extra folders searched first (the CLI's ``--tariffs DIR``).
    use_env
        Also search the folders in ``$RETURNCOST_TARIFFS``.
    today
        Date for the ``valid_until`` check (default: today).

    Examples
    --------
    >>> tariffs = load_tariffs(use_env=False)
    >>> tariffs["us-usps"].carrier
    'USPS'
    """
    search = tariff_dirs(dirs, use_env=use_env)
    files: dict[str, Path] = {}
    for d in search:
        if not d.is_dir():
            if d != search[-1]:
                raise TariffError(f"{d}: tariff folder not found (from --tariffs or ${ENV_VAR})")
            continue
        for p in sorted(d.glob("*.yaml")):
            files.setdefault(p.stem, p)
    key = tuple((str(p), p.stat().st_mtime_ns) for p in files.values())
    return _load_cached(key, today or _dt.date.today(), tuple(search))


@functools.lru_cache(maxsize=16)
def _load_cached(key: tuple[tuple[str, int], ...], today: _dt.date, dirs: tuple[Path, ...]) -> TariffSet:
    return TariffSet((load_tariff(p, today=today) for p, _ in key), dirs)
