"""Reading one tariff file: a version file or the rules file, validated, as frozen objects.

:func:`read_tariff` reads one version file (``tariffs/us-usps/2026-04-26.yaml``, or a single-version
``NAME.yaml``) into a :class:`~calculator.tariff_types.Tariff` and binds the rules that concern its
offers; :func:`load_rules` reads ``tariffs/rules.yaml``. The format is documented in
``tariffs/README.md``. Validation keeps the YAML node tree (:mod:`calculator._yaml`) so that a wrong
value is reported at its own line::

    us-usps/2026-04-26.yaml, line 41: services[0] 'fcpis'.zones[0] 'group14'.prices: 3 prices but 5 weight limits

Finding the files, the bundled rules, caching and the checks across versions are the loader's
(:mod:`calculator.tariffs`), whose :func:`~calculator.tariffs.load_tariff` is the public way to
read one version file.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np

from . import _yaml
from ._yaml import Node
from .errors import TariffError
from .i18n import N_, _
from .tariff_types import Addon, Limits, Rule, Service, Source, Surcharge, Tariff, Volumetric, Zone
from .units import CM_PER, GRAMS_PER, is_country, is_currency

__all__ = ["ID_PATTERN", "VERSION_NAME", "read_tariff", "load_rules"]

#: An id of a tariff, service, zone, add-on or rule (also a tariff folder's name).
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: The name of a version file in a tariff folder: its ``valid_from`` (``2026-04-26``).
VERSION_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A Russian name or text has at least one Cyrillic letter.
_CYRILLIC = re.compile("[\u0400-\u04ff]")

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
    return n.quantity(GRAMS_PER, u.weight, N_("weight"))


def _cm(n: Node, u: _Units) -> float:
    return n.quantity(CM_PER, u.length, N_("length"))


def _ident(n: Node) -> str:
    v = n.value()
    v = str(v) if isinstance(v, (str, int)) and not isinstance(v, bool) else v
    if not isinstance(v, str) or not ID_PATTERN.match(v):
        raise n.error(_("{value!r} is not an id; use lower-case letters, digits, '-' and '_'").format(value=v))
    return v


def _russian(m: dict[str, Node], key: str) -> str:
    """The optional Russian form of a name or text (``name_ru``, ``text_ru``): text with at least one
    Cyrillic letter ("" when absent)."""
    if key not in m:
        return ""
    text = m[key].text()
    if not _CYRILLIC.search(text):
        raise m[key].error(_("{value!r} has no Russian word; write it as Russian texts show it, e.g. "
                             "'Priority Mail International (международная приоритетная почта)'").format(value=text))
    return text


def _source(n: Node) -> Source:
    src = n.mapping(("url", "title", "kind", "confidence", "obtained", "notes"), ("url", "kind", "confidence"))
    kind = src["kind"].text()
    if kind not in ("primary", "secondary"):
        raise src["kind"].error(_("{value!r} must be primary or secondary").format(value=kind))
    confidence = src["confidence"].text()
    if confidence not in ("high", "medium", "low"):
        raise src["confidence"].error(_("{value!r} must be high, medium or low").format(value=confidence))
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
    if VERSION_NAME.match(path.stem) and ID_PATTERN.match(path.parent.name):
        return path.parent.name, f"{path.parent.name}/{path.name}", True
    return path.stem, path.name, False


def read_tariff(path: str | os.PathLike[str], rules: Iterable[Rule]) -> Tariff:
    """Read and validate one version file, binding the ``rules`` that concern its offers: what
    :func:`calculator.tariffs.load_tariff` does (which passes the bundled ``rules.yaml`` by
    default; its docs say which files and errors)."""
    path = Path(path)
    name, label, versioned = _naming(path)
    doc = _yaml.load(path, what=N_("the tariff file"), label=label, error=TariffError)
    if doc.root is None:
        raise doc.error(_("the file is empty; see tariffs/README.md for the format"), line=1)
    top = doc.root.mapping(
        ("carrier", "origin", "currency", "valid_from", "valid_until", "source", "units", "services"),
        ("carrier", "origin", "currency", "valid_from", "source", "services"),
    )
    origin = top["origin"].text()
    if not is_country(origin):
        raise top["origin"].error(_("{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. US, GB, CN)").format(
            value=origin))
    currency = top["currency"].text()
    if not is_currency(currency):
        raise top["currency"].error(_("{value!r} is not an ISO 4217 currency code (e.g. USD, EUR, RUB)").format(
            value=currency))
    valid_from = top["valid_from"].date()
    if versioned and path.stem != valid_from.isoformat():
        raise top["valid_from"].error(
            _("{date} differs from the file name {file}; a version file is named by its valid_from").format(
                date=valid_from, file=path.name))
    valid_until = None
    until_line = 0
    if "valid_until" in top and not top["valid_until"].is_null():
        valid_until = top["valid_until"].date()
        until_line = top["valid_until"].line
        if valid_until < valid_from:
            raise top["valid_until"].error(_("{end} is before valid_from {start}").format(end=valid_until,
                                                                                          start=valid_from))
    source = _source(top["source"])

    units = _Units()
    if "units" in top:
        um = top["units"].mapping(("weight", "length"))
        if "weight" in um:
            units.weight = um["weight"].text()
            if units.weight not in GRAMS_PER:
                raise um["weight"].error(_("unknown weight unit {unit!r}; use {units}").format(
                    unit=units.weight, units=", ".join(GRAMS_PER)))
        if "length" in um:
            units.length = um["length"].text()
            if units.length not in CM_PER:
                raise um["length"].error(_("unknown length unit {unit!r}; use {units}").format(
                    unit=units.length, units=", ".join(CM_PER)))

    services: list[Service] = []
    seen: set[str] = set()
    snodes = top["services"].sequence()
    if not snodes:
        raise top["services"].error(_("a tariff needs at least one service"))
    for sn in snodes:
        svc = _service(sn, units, origin)
        if svc.id in seen:
            raise sn.error(_("service id {id!r} is used twice").format(id=svc.id))
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
    return _bind(tariff, tuple(rules))


def _bind(t: Tariff, rules: tuple[Rule, ...]) -> Tariff:
    """``t`` with the rules that concern one of its offers."""
    mine = tuple(r for r in rules if any(
        r.applies(t.name, s.id, None) or any(r.applies(t.name, s.id, a.id) for a in s.addons) for s in t.services))
    return replace(t, rules=mine) if mine != t.rules else t


_SERVICE_KEYS = (
    "id", "name", "name_ru", "tracked", "tracking_note", "note", "caveat", "limits", "volumetric", "min_chargeable",
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
            divisor_cm3_per_kg=vm["divisor"].quantity(_VOLUME_PER, "cm3/kg", N_("volumetric divisor")),
            above_cm3=vm["above"].quantity(_VOLUME, "cm3", N_("volume")) if "above" in vm else 0.0,
        )
        if vol.divisor_cm3_per_kg <= 0:
            raise vm["divisor"].error(_("the divisor must be greater than zero"))
    surcharges = []
    for n in m["surcharges"].sequence() if "surcharges" in m else []:
        sm = n.mapping(("name", "fixed", "percent", "over"), ("name",))
        if "fixed" not in sm and "percent" not in sm:
            raise n.error(_("a surcharge needs 'fixed' or 'percent'"))
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
        am = n.mapping(("id", "name", "name_ru", "fee", "tracked"), ("id", "name", "fee"))
        addon = Addon(
            id=_ident(am["id"]),
            name=am["name"].text(),
            fee=am["fee"].number(),
            tracked=am["tracked"].boolean() if "tracked" in am else False,
            name_ru=_russian(am, "name_ru"),
        )
        if any(a.id == addon.id for a in addons):
            raise am["id"].error(_("add-on id {id!r} is used twice").format(id=addon.id))
        addons.append(addon)

    shared_limits = _weight_limits(m["weight_limits"], u) if "weight_limits" in m else None
    zones: list[Zone] = []
    country_zone: dict[str, str] = {}
    multi = False
    znodes = m["zones"].sequence()
    if not znodes:
        raise m["zones"].error(_("a service needs at least one zone"))
    for zn in znodes:
        z = _zone(zn, u, shared_limits, m.get("weight_limits"))
        if any(o.id == z.id for o in zones):
            raise zn.error(_("zone id {id!r} is used twice").format(id=z.id))
        for c in z.countries:
            if c in country_zone:
                multi = True
                if "default_zone" not in m:
                    raise zn.error(_("country {country} is in zones {first!r} and {second!r}; add 'default_zone' if "
                                     "the zone depends on distance, else list it once").format(
                        country=c, first=country_zone[c], second=z.id))
            country_zone.setdefault(c, z.id)
        zones.append(z)
    default_zone = None
    if "default_zone" in m:
        default_zone = _ident(m["default_zone"])
        if default_zone not in {z.id for z in zones}:
            raise m["default_zone"].error(_("{value!r} is not one of this service's zones").format(value=default_zone))
        if not multi:
            raise m["default_zone"].error(_("default_zone is only for a country listed in several zones"))

    return Service(
        id=sid,
        name=m["name"].text(),
        name_ru=_russian(m, "name_ru"),
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
                _("max_dims needs 2 sides (an envelope) or 3 (a box), got {count}; use max_length for one").format(
                    count=len(items)))
        kw["max_dims_cm"] = tuple(sorted((_cm(i, u) for i in items), reverse=True))
    if "min_dims" in m:
        items = m["min_dims"].sequence()
        if not 1 <= len(items) <= 3:
            raise m["min_dims"].error(_("min_dims needs 1 to 3 sides, got {count}").format(count=len(items)))
        kw["min_dims_cm"] = tuple(sorted((_cm(i, u) for i in items), reverse=True))
    return Limits(**kw)  # type: ignore[arg-type]


def _weight_limits(n: Node, u: _Units) -> tuple[np.ndarray, list[Node]]:
    items = n.sequence()
    if not items:
        raise n.error(_("weight_limits is empty"))
    values = []
    for k, i in enumerate(items):
        if i.raw == "no limit":
            # The source states no maximum: the last band is open-ended (only a formula band
            # makes sense there; a maximum weight, if known, belongs in limits.max_weight).
            if k != len(items) - 1:
                raise i.error(_("'no limit' can only be the last weight limit"))
            values.append(math.inf)
        else:
            values.append(_grams(i, u))
    for prev, cur, node in zip(values, values[1:], items[1:]):
        if not cur > prev:
            raise node.error(_("weight limits must increase: {value!r} is not above the previous limit").format(
                value=node.value()))
    if values[0] <= 0:
        raise items[0].error(_("the first weight limit must be greater than zero"))
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
            raise cn.error(_("{value!r} is not an ISO 3166-1 alpha-2 country code (or '*' for all others)").format(
                value=c))
        countries.append(c)
    if not countries:
        raise m["countries"].error(_("a zone needs at least one country"))
    available = m["available"].boolean() if "available" in m else True
    note = m["note"].text() if "note" in m else ""
    caveat = m["caveat"].text() if "caveat" in m else ""
    common = dict(id=zid, countries=tuple(countries), available=available, note=note, caveat=caveat, line=zn.line)
    if not available:
        if "prices" in m:
            raise m["prices"].error(_("a zone with available: false takes no prices"))
        return Zone(**common)
    if "prices" not in m:
        raise zn.error(_("missing required key 'prices' (a list, or 'gap' when the source has none)"))
    pn = m["prices"]
    if pn.raw == "gap":
        return Zone(gap=True, **common)

    limits = _weight_limits(m["weight_limits"], u) if "weight_limits" in m else shared
    if limits is None:
        raise zn.error(_("no weight_limits: give them on the service or on the zone"))
    limit_values = limits[0]
    items = pn.sequence()
    if len(items) != len(limit_values):
        raise pn.error(_("{prices} prices but {limits} weight limits").format(prices=len(items),
                                                                              limits=len(limit_values)))
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
                raise fm["per"].error(_("'per' must be a weight greater than zero"))
            above[i] = _grams(fm["above"], u) if "above" in fm else 0.0
            step[i] = _grams(fm["step"], u) if "step" in fm else 0.0
        else:
            base[i] = item.number()
    if np.all(np.isnan(base)):
        raise pn.error(_("every price is null; write 'prices: gap' when the source has no price for the zone"))
    if math.isinf(limit_values[-1]) and rate[-1] == 0 and not np.isnan(base[-1]):
        raise items[-1].error(_("a band with 'no limit' needs a formula price ({formula}), not a flat price").format(
            formula="{base, rate, per}"))
    return Zone(limits_g=limit_values, base=base, rate=rate, per_g=per, above_g=above, step_g=step, **common)




# --------------------------------------------------------------------------------------------
# the rules file


def load_rules(path: str | os.PathLike[str]) -> tuple[Rule, ...]:
    """Load and validate a rules file (``tariffs/rules.yaml``; format in ``tariffs/README.md``).

    Whether each named add-on and service exists is checked by :func:`calculator.tariffs.load_tariffs`, against the
    tariffs it loads.

    Raises
    ------
    TariffError
        With file, line and key of the first problem found.
    """
    path = Path(path)
    label = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    doc = _yaml.load(path, what=N_("the rules file"), label=label, error=TariffError)
    if doc.root is None:
        return ()
    top = doc.root.mapping(("rules",), ("rules",))
    out: list[Rule] = []
    for rn in top["rules"].sequence():
        m = rn.mapping(("id", "text", "text_ru", "from", "addons", "services", "sources", "note"),
                       ("id", "text", "from", "sources"))
        rid = _ident(m["id"])
        if any(r.id == rid for r in out):
            raise m["id"].error(_("rule id {id!r} is used twice").format(id=rid))
        lines: dict[str, int] = {}
        addons: list[str] = []
        for n in m["addons"].sequence() if "addons" in m else []:
            addons.append(_ident(n))
            lines["+" + addons[-1]] = n.line
        services: list[str] = []
        for n in m["services"].sequence() if "services" in m else []:
            key = n.text()
            tname, sid = key.partition("/")[::2]
            if not (ID_PATTERN.match(tname) and ID_PATTERN.match(sid)):
                raise n.error(_("{value!r} is not a service key; write tariff/service, e.g. "
                                "it-poste-italiane/raccomandata").format(value=key))
            services.append(key)
            lines[key] = n.line
        if not addons and not services:
            raise rn.error(_("a rule needs 'addons' or 'services' to apply to"))
        sources = tuple(_source(n) for n in m["sources"].sequence())
        if not sources:
            raise m["sources"].error(_("a rule needs at least one source"))
        out.append(Rule(id=rid, text=m["text"].text(), since=m["from"].date(), addons=tuple(addons),
                        services=tuple(services), sources=sources, note=m["note"].text() if "note" in m else "",
                        label=label, lines=lines, text_ru=_russian(m, "text_ru")))
    return tuple(out)
