"""The options the subcommands share, and the flags of the order's inputs.

Declaring: :func:`add_common` (``--tariffs``, ``--format``, ``--traceback``), :func:`add_fx`,
:func:`add_parcel` and :func:`add_order_options` (one flag per input of
:data:`calculator.inputs.FIELDS`). Reading: :func:`order_inputs` (the flags as keywords of
:func:`calculator.estimate`), :func:`tariffs`, :func:`fx`, :func:`as_of`, :func:`country`.

Every run imports this module: argparse and the standard library only at module level.
"""

from __future__ import annotations

import argparse
import math

from ..errors import InputError

__all__ = ["add_common", "add_fx", "add_parcel", "add_order_options", "order_inputs", "tariffs", "fx", "as_of",
           "country", "parcel"]


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tariffs", action="append", default=[], metavar="DIR",
                   help="folder of tariff YAML files searched before $RETURNCOST_TARIFFS and the bundled ones (repeatable)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text", help="output format (default: text)")
    p.add_argument("--traceback", action="store_true", help="show the full Python traceback on errors")


def add_fx(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fx", action="append", default=[], metavar="PAIR=RATE",
                   help="exchange-rate override: USD/RUB=78.4 (1 USD = 78.4 RUB, as quote screens write it) or RUB=92.1 "
                        "(units per 1 EUR); repeatable")


def add_parcel(p: argparse.ArgumentParser, *, weight_required: bool) -> None:
    p.add_argument("--from", dest="origin", required=True, metavar="CC", help="country the return is posted from (ISO code, e.g. US)")
    p.add_argument("--to", dest="destination", default="CN", metavar="CC", help="country of the seller's return address (default: CN)")
    p.add_argument("--weight", "--weight-g", dest="weight", required=weight_required, metavar="W",
                   help="parcel weight: 450g, 0.45kg, 8oz, 1lb (bare number: grams)")
    p.add_argument("--dims", metavar="LxWxH", help="parcel size: 20x15x8cm or 8x6x3in (bare numbers: cm)")
    p.add_argument("--zone", help="zone id for domestic services priced by distance (see `returncost tariffs show`)")


def tariffs(args: argparse.Namespace):
    """Every tariff version on the search path; as a mapping, the versions in force on --as-of."""
    from ..tariffs import load_tariffs

    return load_tariffs(args.tariffs, today=as_of(args))


def fx(args: argparse.Namespace):
    from ..fx import reference_rates

    rates = reference_rates()
    return rates.with_overrides(args.fx) if getattr(args, "fx", None) else rates


def parcel(args: argparse.Namespace) -> tuple[float, tuple[float, float, float] | None]:
    from ..units import parse_dims, parse_weight

    weight = parse_weight(args.weight, field="--weight") if args.weight is not None else math.nan
    dims = parse_dims(args.dims, field="--dims") if args.dims else None
    return weight, dims


def country(code: str, flag: str) -> str:
    from ..tariffs import is_country

    c = code.strip().upper()
    if not is_country(c):
        raise InputError(f"{flag}: {code!r} is not an ISO 3166-1 alpha-2 country code (e.g. US, GB, DE, RU, CN)")
    return c


#: What a flag's value looks like, by the kind of input.
_METAVARS = {"money": "AMOUNT", "fraction": "FRACTION", "number": "HOURS", "int": "N", "currency": "CUR",
             "choice": "CODE", "date": "YYYY-MM-DD", "text": "TEXT", "weight": "W", "length": "CM",
             "country": "CC"}

# Inputs with a flag of their own, spelled as in the design; the rest follow FIELDS.
_SPECIAL = {"origin", "destination", "weight_g", "length_cm", "width_cm", "height_cm", "zone"}


def _lower(text: str) -> str:
    return text.strip().lower()


def add_order_options(p: argparse.ArgumentParser, *, price_required: bool = True) -> None:
    """One flag per input of :data:`calculator.inputs.FIELDS` (``partial_refund`` → ``--partial-refund``)."""
    from ..inputs import FIELDS

    add_parcel(p, weight_required=False)
    for f in FIELDS:
        if f.name in _SPECIAL:
            continue
        unit = f" [{f.unit}]" if f.unit else ""
        default = f.default_text or (f"default {f.default}" if f.default not in (None, "") else "")
        choices = f" ({', '.join(f.choices)})" if f.choices and f.name != "reason" else ""
        text = f"{f.help}{choices}{unit}" + (f"; {default}" if default else "")
        if f.kind == "bool":
            p.add_argument(f.flag, dest=f.name, action=argparse.BooleanOptionalAction, default=None, help=text)
        else:
            p.add_argument(f.flag, dest=f.name, metavar=_METAVARS.get(f.kind, "VALUE"),
                           required=(f.name == "price" and price_required), type=_lower if f.choices else None,
                           choices=f.choices or None, help=text)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="date of the estimate, for deadlines (default: today)")


def order_inputs(args: argparse.Namespace, *, distributions: bool = False) -> dict[str, object]:
    """Turn the order flags into :func:`calculator.estimate` keywords, parsing units.

    With ``distributions=True``, a numeric flag written as a distribution (``tri:0.3,0.5,0.7``,
    anything with a ``:``) is passed through as text for :mod:`calculator.uncertainty` to parse.
    """
    from ..inputs import FIELDS
    from ..units import parse_length, parse_number, parse_weight

    out: dict[str, object] = {}
    out["origin"] = country(args.origin, "--from")
    out["destination"] = country(args.destination, "--to")
    if distributions and args.weight is not None and ":" in args.weight:
        out["weight_g"] = args.weight  # a distribution, e.g. tri:200,450,600 (grams)
        args = argparse.Namespace(**{**vars(args), "weight": None})
    weight, dims = parcel(args)
    if not math.isnan(weight):
        out["weight_g"] = weight
    if dims:
        out["length_cm"], out["width_cm"], out["height_cm"] = dims
    if args.zone:
        out["zone"] = args.zone
    for f in FIELDS:
        if f.name in _SPECIAL:
            continue
        raw = getattr(args, f.name, None)
        if raw is None:
            continue
        if distributions and isinstance(raw, str) and ":" in raw and f.kind in ("money", "number", "fraction"):
            out[f.name] = raw
            continue
        if f.kind in ("money", "number"):
            out[f.name] = float(parse_number(raw, field=f.flag))
        elif f.kind == "fraction":
            text = str(raw).strip()
            pct = text.endswith("%")
            value = float(parse_number(text.rstrip("%"), field=f.flag))
            out[f.name] = value / 100 if pct else value
        elif f.kind == "weight":
            out[f.name] = parse_weight(raw, field=f.flag)
        elif f.kind == "length":
            out[f.name] = parse_length(raw, field=f.flag)
        elif f.kind == "int":
            try:
                out[f.name] = int(raw)
            except ValueError:
                raise InputError(f"{f.flag}: {raw!r} is not a whole number") from None
        elif f.kind in ("currency",):
            out[f.name] = str(raw).strip().upper()
        elif f.kind == "choice":
            out[f.name] = str(raw).strip().lower()
        else:
            out[f.name] = raw
    return out


def as_of(args: argparse.Namespace):
    import datetime

    if not getattr(args, "as_of", None):
        return None
    try:
        return datetime.date.fromisoformat(args.as_of)
    except ValueError:
        raise InputError(f"--as-of: {args.as_of!r} is not a date; write YYYY-MM-DD") from None
