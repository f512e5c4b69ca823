"""The options the subcommands share, and the one generator of the order's input flags.

Declaring:

- :func:`add_input_flags`: one flag per input of :data:`calculator.inputs.FIELDS`, for the inputs
  a command names (``partial_refund`` → ``--partial-refund FRACTION``, with the unit, the valid
  range and the default in its help). ``estimate``, ``sensitivity``, ``map``, ``thresholds``,
  ``quote`` (the parcel) and ``batch`` (values for missing columns) all declare their inputs with it.
- :func:`add_common` (``--tariffs``, ``--format``, ``--traceback``, ``--lang``), :func:`add_fx`,
  :func:`add_as_of`; :func:`add_lang` (``--lang``, before the command or after it);
  :func:`add_order_options`: all of them and the inputs, for a command about one order.

Reading: :func:`order_inputs` (the flags as keywords of :func:`calculator.estimate`, units parsed),
:func:`input_texts` (the flags as typed, for the batch, which reads them like cells), :func:`route`,
:func:`parcel`, :func:`tariffs`, :func:`fx`, :func:`as_of`; :func:`flag` is the spelling of an
input's flag that the user typed, for messages.

Every help text and message is in the current language (:mod:`calculator.i18n`), read when the
parser is built: ``returncost`` builds it in the language of ``--lang`` (see
:func:`calculator.cli.main`). The metavars (``AMOUNT``, ``YYYY-MM-DD``) stay as they are.

Every run imports this module: argparse, the standard library and :mod:`calculator.i18n` only at
module level.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Collection, Iterable
from typing import Any

from ..errors import InputError
from ..i18n import N_, _

__all__ = ["METAVARS", "DIMS", "PARCEL", "flags", "add_input_flags", "add_order_options", "add_common", "add_fx",
           "add_as_of", "add_lang", "flag", "escape",
           "order_inputs", "input_texts", "route", "parcel", "country", "tariffs", "fx", "as_of"]

#: What an input flag's value looks like, by the kind of input (``--resale-fee FRACTION``).
METAVARS = {"money": "AMOUNT", "fraction": "FRACTION", "number": "HOURS", "int": "N", "currency": "CUR",
            "choice": "CODE", "date": "YYYY-MM-DD", "text": "TEXT", "weight": "WEIGHT", "length": "CM",
            "country": "CC"}

#: Inputs whose flag is not spelled like their name: the name shown first, then the aliases.
#: Every other input's flag is its name with dashes (``partial_refund`` → ``--partial-refund``).
_SPELLINGS = {"origin": ("--origin", "--from"), "destination": ("--destination", "--to"),
              "weight_g": ("--weight", "--weight-g")}

#: The three sides of the parcel, given together as ``--dims LxWxH``.
DIMS = ("length_cm", "width_cm", "height_cm")

#: The inputs of one parcel on one route (``returncost quote``).
PARCEL = ("origin", "destination", "weight_g", *DIMS, "zone")

#: What a range of an input looks like (``returncost map --price 5..500``).
_RANGE_EXAMPLES = {"money": "5..500", "weight": "50..2000g"}

#: A pointer to where the values of an input are listed.
_SEE = {"zone": N_("see `returncost tariffs show NAME`")}


def flags(name: str) -> tuple[str, ...]:
    """The flag of the input ``name`` and its aliases; ``--dims`` for each side of the parcel.

    Examples
    --------
    >>> flags("origin"), flags("partial_refund"), flags("width_cm")
    (('--origin', '--from'), ('--partial-refund',), ('--dims',))
    """
    if name in DIMS:
        return ("--dims",)
    return _SPELLINGS.get(name, ("--" + name.replace("_", "-"),))


def add_input_flags(parser: Any, names: Iterable[str] | None = None, *, required: Collection[str] = (),
                    ranges: Collection[str] = ()) -> None:
    """Declare one flag per input named (default: every input of :data:`~calculator.inputs.FIELDS`,
    in its order) on ``parser`` (a parser or an argument group).

    Each flag's destination is the input's name (``args.partial_refund``; ``args.dims`` for the
    three sides); its value is the text as typed, read later by :func:`order_inputs` or
    :func:`input_texts`. The metavar says the kind of value (:data:`METAVARS`), the help gives the
    unit, the valid range and the default. A yes/no input has ``--mall [yes|no]`` (alone: yes; any
    spelling of :data:`calculator.units.YES_WORDS` and ``NO_WORDS``) and ``--no-mall``; a choice
    is matched without regard to case. A flag not given is ``None``.

    Parameters
    ----------
    names
        The inputs the command takes.
    required
        Inputs the command cannot run without: argparse refuses a command line that lacks them.
    ranges
        Inputs given as a range ``LOW..HIGH`` (``returncost map --price 5..500``).
    """
    from ..inputs import FIELDS, field

    chosen = [field(n) for n in names] if names is not None else list(FIELDS)
    done_dims = False
    for f in chosen:
        if f.name in DIMS:
            if not done_dims:
                parser.add_argument("--dims", dest="dims", metavar="LxWxH", action=_Store, help=escape(
                    _("parcel size: 20x15x8cm or 8x6x3in (bare numbers: cm); default: {default}").format(
                        default=_(field("length_cm").default_text))))
                done_dims = True
            continue
        if f.kind == "bool":
            yes, = flags(f.name)
            parser.add_argument(yes, dest=f.name, metavar="yes|no", nargs="?", const="yes", action=_Store,
                                help=escape(_help(f)))
            parser.add_argument("--no-" + yes[2:], dest=f.name, action="store_const", const="no",
                                help=escape(_("same as {flag} no").format(flag=yes)))
        elif f.name in ranges:
            parser.add_argument(*flags(f.name), dest=f.name, metavar="LOW..HIGH", action=_Store,
                                required=f.name in required,
                                help=escape(_("{help}: a range, e.g. {example} [{unit}]").format(
                                    help=_(f.help), example=_RANGE_EXAMPLES[f.kind], unit=_unit(f))))
        else:
            parser.add_argument(*flags(f.name), dest=f.name, metavar=METAVARS.get(f.kind, "VALUE"), action=_Store,
                                required=f.name in required, type=_lower if f.choices else None,
                                choices=f.choices or None, help=escape(_help(f)))


def add_order_options(p: argparse.ArgumentParser, *, required: Collection[str] = ("origin", "price"),
                      ranges: Collection[str] = ()) -> None:
    """The options of a command about one order (``estimate``, ``sensitivity``, ``map``,
    ``thresholds``): ``--as-of``, ``--fx``, the common ones, and every input in a group of its own.
    ``required`` and ``ranges`` are as for :func:`add_input_flags`."""
    add_as_of(p)
    add_fx(p)
    add_common(p)
    add_input_flags(p.add_argument_group(_("the order"), _("one flag per input; see the README's nomenclature")),
                    required=required, ranges=ranges)


def _help(f: Any) -> str:
    """A flag's help, in the current language: what the input is (the codes of a choice where it
    does not name them), its unit and valid range in brackets, its default."""
    text = _(f.help)
    if f.choices and not all(c in f.help for c in f.choices):
        text += f" ({', '.join(f.choices)})"  # codes the user types: as they are
    if f.name in _SEE:
        text += f" ({_(_SEE[f.name])})"
    bounds = "; ".join(x for x in (_unit(f), f.range_text) if x)
    text += f" [{bounds}]" if bounds else ""
    if f.default_text.startswith("required"):  # the English text (the catalog's key) says so
        return f"{text}; {_(f.default_text)}"
    default = _(f.default_text) if f.default_text else _plain(f.default)
    return _("{help}; default: {default}").format(help=text, default=default) if default else text


def _unit(f: Any) -> str:
    """An input's unit in the current language; empty where it only repeats the valid range
    (``0..1``) or the metavar (``YYYY-MM-DD``)."""
    if not f.unit or f.unit == METAVARS.get(f.kind):
        return ""
    if f.range is not None and f.unit == "..".join(f"{x:g}" for x in f.range):
        return ""
    return _(f.unit)


def _plain(value: object) -> str:
    """A default as a person writes it, in the current language: ``0`` (not ``0.0``), ``0.5``
    (``0,5`` in Russian), ``no`` (not ``False``); codes (``USD``, ``CN``) as they are."""
    from ..formatting import number

    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float)):
        return number(float(value), 6)
    return str(value)


def escape(text: str) -> str:
    """A help text as argparse takes it (it formats help texts with ``%``; a translation may write
    ``40 %``)."""
    return text.replace("%", "%%")



def _lower(text: str) -> str:
    return text.strip().lower()


class _Store(argparse.Action):
    """Store the value, and remember which spelling of the flag gave it (``--from`` or
    ``--origin``): a message about the value names the flag the user typed (:func:`flag`)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, values)
        namespace.given_as = {**getattr(namespace, "given_as", {}), self.dest: option_string}


def flag(args: argparse.Namespace, name: str) -> str:
    """The flag of input ``name`` as the user typed it (``--from``), else its first spelling."""
    dest = "dims" if name in DIMS else name
    return getattr(args, "given_as", {}).get(dest) or flags(name)[0]


# --------------------------------------------------------------------------------------------
# the options every command shares


def add_common(p: argparse.ArgumentParser, *, formats: tuple[str, ...] = ("text", "json", "csv")) -> None:
    """``--tariffs``, ``--format`` (when the command writes text or data: ``formats``), ``--traceback``
    and ``--lang``."""
    p.add_argument("--tariffs", action="append", default=[], metavar="DIR",
                   help=escape(_("folder of tariff YAML files searched before $RETURNCOST_TARIFFS and the bundled "
                                  "ones (repeatable)")))
    if formats:
        p.add_argument("--format", choices=formats, default=formats[0],
                       help=escape(_("output format (default: {format})").format(format=formats[0])))
    p.add_argument("--traceback", action="store_true", help=escape(_("show the full Python traceback on errors")))
    add_lang(p, default=argparse.SUPPRESS)


def add_fx(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fx", action="append", default=[], metavar="PAIR=RATE",
                   help=escape(_("exchange-rate override: USD/RUB=78.4 (1 USD = 78.4 RUB, as quote screens write it) "
                                  "or RUB=92.1 (units per 1 EUR); repeatable")))


def add_lang(p: argparse.ArgumentParser, *, default: object = None) -> None:
    """``--lang``: the language of the texts, given to :func:`calculator.i18n.set_language` before
    the command runs (a wrong one is a user error listing the languages).

    ``returncost`` takes it before the command (``default=None``) and every command after its name
    (``default=argparse.SUPPRESS``, so that a command's own default does not overwrite a ``--lang``
    given before it).
    """
    from ..i18n import LANGUAGES

    names = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
    p.add_argument("--lang", metavar="LANG", default=default,
                   help=escape(_("language of the texts: {languages}; default: $RETURNCOST_LANG, else the locale "
                                  "($LC_ALL, $LC_MESSAGES, $LANG), else English").format(languages=names)))


def add_as_of(p: argparse.ArgumentParser, what: str = N_("date of the estimate, for deadlines")) -> None:
    """``--as-of``; ``what`` says what the date is for (English, marked with ``N_``; shown translated)."""
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help=escape(_("{what} (default: today)").format(what=_(what))))


# --------------------------------------------------------------------------------------------
# reading the flags


def order_inputs(args: argparse.Namespace, *, distributions: bool = False) -> dict[str, object]:
    """Turn the input flags into :func:`calculator.estimate` keywords.

    A flag's text goes to the Python API as typed, which reads it with the one input grammar of
    :mod:`calculator.units` (``--price '$12.99'``, ``--weight '1 450 g'``, ``--mall да``), as a CSV
    cell is read. It is read here first only to refuse it naming the flag the user typed; the
    route is checked and the sides of ``--dims`` parsed. With ``distributions=True``, a flag
    written as a distribution (``tri:0.3,0.5,0.7``, anything with a ``:``) is passed through for
    :mod:`calculator.uncertainty`.
    """
    from ..inputs import FIELDS
    from ..units import parse_dims, read_date, read_input, read_yes_no

    out: dict[str, object] = dict(zip(("origin", "destination"), route(args)))
    if getattr(args, "dims", None):
        out.update(zip(DIMS, parse_dims(args.dims, field=flag(args, "dims"))))
    for f in FIELDS:
        raw = getattr(args, f.name, None)
        if f.name in out or raw is None:
            continue
        name = flag(args, f.name)
        text = str(raw)
        if distributions and ":" in text and f.kind not in ("date", "bool", "country", "currency", "choice"):
            out[f.name] = text
            continue
        if f.kind == "bool":
            problem = read_yes_no(text, name=name)[1]
        elif f.kind == "date":
            problem = read_date(text, name=name)[1]
        elif f.kind in ("currency", "choice", "country", "text"):
            problem, text = "", text.strip()
        else:
            problem = read_input(text, f.name, label=name).problem
        if problem:
            raise InputError(problem)
        out[f.name] = text.upper() if f.kind == "currency" else text
    return out


def input_texts(args: argparse.Namespace) -> dict[str, object]:
    """The input flags as typed, for the batch, which reads them like cells; countries and
    currencies are checked here, the sides of ``--dims`` parsed."""
    from ..inputs import FIELDS
    from ..tariffs import is_currency
    from ..units import parse_dims

    out: dict[str, object] = {}
    for f in FIELDS:
        raw = getattr(args, f.name, None)
        if raw is None:
            continue
        if f.kind == "country":
            raw = country(raw, flag(args, f.name))
        elif f.kind == "currency":
            raw = str(raw).strip().upper()
            if not is_currency(raw):
                raise InputError(_("{flag}: {value!r} is not an ISO 4217 currency code (e.g. USD, EUR, RUB)").format(
                    flag=flag(args, f.name), value=raw))
        out[f.name] = raw
    if getattr(args, "dims", None):
        out.update(zip(DIMS, parse_dims(args.dims, field=flag(args, "dims"))))
    return out


def route(args: argparse.Namespace) -> tuple[str, str]:
    """Origin and destination (the input's default when not given), checked country codes."""
    from ..inputs import field

    destination = args.destination if args.destination is not None else str(field("destination").default)
    return country(args.origin, flag(args, "origin")), country(destination, flag(args, "destination"))


def parcel(args: argparse.Namespace) -> tuple[float, tuple[float, float, float] | None]:
    """The weight (NaN when not given) and the sides of the parcel (None), parsed. [g], [cm]"""
    from ..units import parse_dims, parse_weight

    weight = parse_weight(args.weight_g, field=flag(args, "weight_g")) if args.weight_g is not None else math.nan
    dims = parse_dims(args.dims, field=flag(args, "dims")) if args.dims else None
    return weight, dims


def country(code: str, where: str) -> str:
    """``code`` as an upper-case ISO country code; refused, naming ``where``, when it is none."""
    from ..tariffs import is_country

    c = code.strip().upper()
    if not is_country(c):
        raise InputError(_("{flag}: {value!r} is not an ISO 3166-1 alpha-2 country code (e.g. US, GB, DE, RU, "
                           "CN)").format(flag=where, value=code))
    return c


def tariffs(args: argparse.Namespace):
    """Every tariff version on the search path; as a mapping, the versions in force on --as-of."""
    from ..tariffs import load_tariffs

    return load_tariffs(args.tariffs, today=as_of(args))


def fx(args: argparse.Namespace):
    from ..fx import reference_rates

    rates = reference_rates()
    return rates.with_overrides(args.fx) if getattr(args, "fx", None) else rates


def as_of(args: argparse.Namespace):
    import datetime

    if not getattr(args, "as_of", None):
        return None
    try:
        return datetime.date.fromisoformat(args.as_of)
    except ValueError:
        raise InputError(_("{flag}: {value!r} is not a date; write YYYY-MM-DD").format(flag="--as-of",
                                                                                       value=args.as_of)) from None
