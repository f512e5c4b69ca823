"""Tariffs for people: a zones × weight-limits table in text, HTML or a dict.

This module reads :class:`~calculator.tariff_types.Tariff` objects (and their ``Service`` and
``Zone``) without importing the module that defines them, which imports this one to print itself:
the names ``Tariff``, ``Service`` and ``Zone`` in annotations are strings only (``from __future__
import annotations``), never looked up.
"""

from __future__ import annotations

import html
import math

import numpy as np

from .units import format_weight

__all__ = ["describe_tariff", "tariff_to_dict", "zone_table", "tariff_html", "tariff_frame", "price_bands"]


def _price_cell(z: Zone, i: int) -> str:
    if math.isnan(z.base[i]):
        return "—"
    if z.rate[i] == 0:
        return f"{z.base[i]:,.2f}"
    step = f", per started {format_weight(z.step_g[i])}" if z.step_g[i] > 0 else ""
    above = f" above {format_weight(z.above_g[i])}" if z.above_g[i] > 0 else ""
    return f"{z.base[i]:,.2f} + {z.rate[i]:,.2f}/{format_weight(z.per_g[i])}{above}{step}"


def zone_table(s: Service) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per weight limit, one column per zone."""
    priced = [z for z in s.zones if z.available and not z.gap]
    limits = sorted({float(x) for z in priced for x in z.limits_g})
    header = ["up to"] + [f"{z.id} ({', '.join(z.countries)})" for z in priced]
    rows = []
    for lim in limits:
        row = [format_weight(lim)]
        for z in priced:
            hit = np.flatnonzero(np.isclose(z.limits_g, lim, rtol=1e-12))
            row.append(_price_cell(z, int(hit[0])) if len(hit) else "")
        rows.append(row)
    return header, rows


def _limits_text(s: Service) -> str:
    lim = s.limits
    parts = []
    if math.isfinite(lim.max_weight_g):
        parts.append(f"max {format_weight(lim.max_weight_g)}")
    if lim.min_weight_g > 0:
        parts.append(f"over {format_weight(lim.min_weight_g)} only")
    if math.isfinite(lim.max_length_cm):
        parts.append(f"longest side ≤ {lim.max_length_cm:.4g} cm")
    if math.isfinite(lim.max_sum_cm):
        parts.append(f"L+W+H ≤ {lim.max_sum_cm:.4g} cm")
    if math.isfinite(lim.max_length_girth_cm):
        parts.append(f"length + girth ≤ {lim.max_length_girth_cm:.4g} cm")
    if lim.max_dims_cm:
        parts.append("fits " + "×".join(f"{x:.4g}" for x in lim.max_dims_cm) + " cm")
    if lim.min_dims_cm:
        parts.append("at least " + "×".join(f"{x:.4g}" for x in lim.min_dims_cm) + " cm")
    if s.volumetric:
        parts.append(f"volumetric weight L×W×H/{s.volumetric.divisor_cm3_per_kg:.5g} cm³/kg"
                     + (f" above {s.volumetric.above_cm3:.6g} cm³" if s.volumetric.above_cm3 else ""))
    if s.min_chargeable_g:
        parts.append(f"charged at least {format_weight(s.min_chargeable_g)}")
    return "; ".join(parts) or "no limits in source"


def price_bands(t: Tariff) -> int:
    """How many prices a version lists: one per weight band of each zone of each service."""
    return sum(len(z.limits_g) for s in t.services for z in s.zones)


def describe_tariff(t: Tariff) -> str:
    """Readable text of one version of a tariff (``returncost tariffs show``)."""
    until = f" to {t.valid_until}" if t.valid_until else ""
    out = [
        f"{t.name}: {t.carrier}, parcels from {t.origin}, prices in {t.currency}, valid from {t.valid_from}{until}",
        f"source: {t.source.title + ' — ' if t.source.title else ''}{t.source.url} ({t.source.kind}, {t.source.confidence} confidence)",
    ]
    if t.source.obtained:
        out.append(f"obtained: {t.source.obtained}")
    if t.source.notes:
        out.append(f"notes: {t.source.notes}")
    if t.notes_file is not None:
        out.append(f"source notes of every version: {t.notes_file}")
    for r in t.rules:
        sources = "Sources: " + "; ".join(s.title or s.url for s in r.sources)
        out.append(" ".join(x for x in (f"rule from {r.since}: {r.text}.", r.note, sources) if x))
    for s in t.services:
        out += ["", f"[{s.id}] {s.name} — {'tracked' if s.tracked else 'untracked'}"]
        out.append(f"  limits: {_limits_text(s)}")
        for label, text in (("tracking", s.tracking_note), ("note", s.note), ("check", s.caveat),
                            ("zones", s.zone_note)):
            if text:
                out.append(f"  {label}: {text}")
        for a in s.addons:
            out.append(f"  add-on [{a.id}] {a.name}: +{a.fee:,.2f}{' (tracked)' if a.tracked else ''}")
        for sc in s.surcharges:
            what = f"+{sc.fixed:,.2f}" if sc.fixed else f"+{sc.percent:g} %"
            cond = f" over {format_weight(sc.over_g)}" if sc.over_g else ""
            out.append(f"  surcharge {sc.name}: {what}{cond}")
        if s.min_charge:
            out.append(f"  minimum charge {s.min_charge:,.2f}")
        for z in s.zones:
            if not z.available:
                out.append(f"  zone {z.id} ({', '.join(z.countries)}): not served. {z.note}".rstrip())
            elif z.gap:
                out.append(f"  zone {z.id} ({', '.join(z.countries)}): no price in source. {z.note}".rstrip())
            if z.caveat:
                out.append(f"  check, zone {z.id}: {z.caveat}")
        header, rows = zone_table(s)
        if rows:
            table = [header] + rows
            widths = [max(len(r[i]) for r in table) for i in range(len(header))]
            for r in table:
                out.append("  " + "  ".join(c.rjust(widths[i]) if i else c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())
    return "\n".join(out)


def tariff_html(t: Tariff) -> str:
    """HTML for Jupyter: one zones × weight-limits table per service."""
    out = [f"<p><b>{html.escape(t.name)}</b>: {html.escape(t.carrier)} from {t.origin}, {t.currency}, "
           f"valid from {t.valid_from} ({t.source.kind}, {t.source.confidence} confidence)</p>"]
    for s in t.services:
        header, rows = zone_table(s)
        out.append(f"<p>{html.escape(s.name)} — {'tracked' if s.tracked else 'untracked'}; {html.escape(_limits_text(s))}</p>")
        if rows:
            out.append("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows]
            out.append("</table>")
    return "".join(out)


def tariff_to_dict(t: Tariff) -> dict[str, object]:
    """The tariff as plain data (``returncost tariffs show --format json``); weights in g, sizes in cm."""

    def nums(a: np.ndarray) -> list[float | None]:
        return [None if math.isnan(x) else float(x) for x in a]

    def finite(x: float) -> float | None:
        return x if math.isfinite(x) else None

    return {
        "name": t.name, "carrier": t.carrier, "origin": t.origin, "currency": t.currency,
        "version": t.version,
        "valid_from": str(t.valid_from), "valid_until": str(t.valid_until) if t.valid_until else None,
        "source": {k: getattr(t.source, k) for k in ("url", "title", "kind", "confidence", "obtained", "notes")},
        "source_notes": str(t.notes_file) if t.notes_file else None,
        "rules": [{"id": r.id, "text": r.text, "from": str(r.since), "note": r.note, "addons": list(r.addons),
                   "services": list(r.services), "sources": [x.url for x in r.sources]} for r in t.rules],
        "services": [
            {
                "id": s.id, "name": s.name, "tracked": s.tracked, "tracking_note": s.tracking_note, "note": s.note,
                "caveat": s.caveat,
                "limits": {
                    "max_weight_g": finite(s.limits.max_weight_g), "min_weight_g": s.limits.min_weight_g,
                    "max_length_cm": finite(s.limits.max_length_cm), "max_sum_cm": finite(s.limits.max_sum_cm),
                    "max_length_girth_cm": finite(s.limits.max_length_girth_cm),
                    "max_dims_cm": s.limits.max_dims_cm, "min_dims_cm": s.limits.min_dims_cm,
                },
                "volumetric": None if s.volumetric is None else {
                    "divisor_cm3_per_kg": s.volumetric.divisor_cm3_per_kg, "above_cm3": s.volumetric.above_cm3},
                "min_chargeable_g": s.min_chargeable_g, "min_charge": s.min_charge,
                "surcharges": [{"name": x.name, "fixed": x.fixed, "percent": x.percent, "over_g": x.over_g} for x in s.surcharges],
                "addons": [{"id": a.id, "name": a.name, "fee": a.fee, "tracked": a.tracked} for a in s.addons],
                "default_zone": s.default_zone,
                "zones": [
                    {"id": z.id, "countries": list(z.countries), "available": z.available, "gap": z.gap, "note": z.note,
                     "caveat": z.caveat,
                     "weight_limits_g": nums(z.limits_g), "base": nums(z.base), "rate": nums(z.rate),
                     "per_g": nums(z.per_g), "above_g": nums(z.above_g), "step_g": nums(z.step_g)}
                    for z in s.zones
                ],
            }
            for s in t.services
        ],
    }


def tariff_frame(t: Tariff):  # -> pandas.DataFrame
    """One row per price band: service, zone, countries, weight limit and price terms."""
    import pandas as pd

    rows = []
    for s in t.services:
        for z in s.zones:
            if not z.available or z.gap:
                rows.append({"service": s.id, "zone": z.id, "countries": " ".join(z.countries),
                             "tracked": s.tracked, "up_to_g": np.nan, "base": np.nan, "rate": np.nan,
                             "per_g": np.nan, "above_g": np.nan, "step_g": np.nan,
                             "note": "not served" if not z.available else "no price in source"})
                continue
            for i, lim in enumerate(z.limits_g):
                rows.append({"service": s.id, "zone": z.id, "countries": " ".join(z.countries),
                             "tracked": s.tracked, "up_to_g": float(lim), "base": float(z.base[i]),
                             "rate": float(z.rate[i]), "per_g": float(z.per_g[i]), "above_g": float(z.above_g[i]),
                             "step_g": float(z.step_g[i]), "note": "" if z.base[i] == z.base[i] else "no price in source"})
    return pd.DataFrame(rows)
