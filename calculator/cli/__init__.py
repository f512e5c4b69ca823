"""The ``returncost`` command. Each subcommand builds inputs, calls one API function and formats it.

User mistakes print one line, ``returncost: error: <where>: <what>; <fix>``, and exit with 2;
``--traceback`` shows the full trace instead.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import warnings
from collections.abc import Sequence
from contextlib import contextmanager
from typing import TextIO

from .. import __version__
from ..errors import CalculatorError, InputError

__all__ = ["main", "build_parser", "printable"]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (``returncost: error: ...``) and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"returncost: error: {message}; see `{self.prog} --help`\n")


# --------------------------------------------------------------------------------------------
# shared options


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tariffs", action="append", default=[], metavar="DIR",
                   help="folder of tariff YAML files searched before $RETURNCOST_TARIFFS and the bundled ones (repeatable)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text", help="output format (default: text)")
    p.add_argument("--traceback", action="store_true", help="show the full Python traceback on errors")


def _add_fx(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fx", action="append", default=[], metavar="PAIR=RATE",
                   help="exchange-rate override: USD/RUB=78.4 (1 USD = 78.4 RUB, as quote screens write it) or RUB=92.1 "
                        "(units per 1 EUR); repeatable")


def _add_parcel(p: argparse.ArgumentParser, *, weight_required: bool) -> None:
    p.add_argument("--from", dest="origin", required=True, metavar="CC", help="country the return is posted from (ISO code, e.g. US)")
    p.add_argument("--to", dest="destination", default="CN", metavar="CC", help="country of the seller's return address (default: CN)")
    p.add_argument("--weight", "--weight-g", dest="weight", required=weight_required, metavar="W",
                   help="parcel weight: 450g, 0.45kg, 8oz, 1lb (bare number: grams)")
    p.add_argument("--dims", metavar="LxWxH", help="parcel size: 20x15x8cm or 8x6x3in (bare numbers: cm)")
    p.add_argument("--zone", help="zone id for domestic services priced by distance (see `returncost tariffs show`)")


def _tariffs(args: argparse.Namespace):
    """Every tariff version on the search path; as a mapping, the versions in force on --as-of."""
    from ..tariffs import load_tariffs

    return load_tariffs(args.tariffs, today=_as_of(args))


def _fx(args: argparse.Namespace):
    from ..fx import reference_rates

    rates = reference_rates()
    return rates.with_overrides(args.fx) if getattr(args, "fx", None) else rates


def _parcel(args: argparse.Namespace) -> tuple[float, tuple[float, float, float] | None]:
    from ..units import parse_dims, parse_weight

    weight = parse_weight(args.weight, field="--weight") if args.weight is not None else math.nan
    dims = parse_dims(args.dims, field="--dims") if args.dims else None
    return weight, dims


def _country(code: str, flag: str) -> str:
    from ..tariffs import is_country

    c = code.strip().upper()
    if not is_country(c):
        raise InputError(f"{flag}: {code!r} is not an ISO 3166-1 alpha-2 country code (e.g. US, GB, DE, RU, CN)")
    return c


def _emit_json(obj: object, out: TextIO) -> None:
    json.dump(obj, out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


def _emit_csv(rows: list[dict[str, object]], out: TextIO) -> None:
    import csv

    if not rows:
        return
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)


# --------------------------------------------------------------------------------------------
# quote


def _cmd_quote(args: argparse.Namespace, out: TextIO) -> int:
    from ..quote import format_quote, quote

    weight, dims = _parcel(args)
    q = quote(
        _country(args.origin, "--from"), _country(args.destination, "--to"), weight, dims,
        currency=args.currency, zone=args.zone, tariffs=_tariffs(args), fx=_fx(args), posted_on=_as_of(args),
    )
    if args.format == "json":
        _emit_json(q.to_dict(), out)
    elif args.format == "csv":
        _emit_csv(q.to_dict()["offers"], out)  # type: ignore[arg-type]
    else:
        out.write(format_quote(q) + "\n")
    return 0


# --------------------------------------------------------------------------------------------
# tariffs


def _cmd_tariffs_list(args: argparse.Namespace, out: TextIO) -> int:
    ts = _tariffs(args)
    rows = [{**r, "in_force": r["in_force"] or "", "valid_from": str(r["valid_from"] or ""),
             "valid_until": str(r["valid_until"] or ""), "oldest": str(r["oldest"])} for r in ts.rows()]
    if args.format == "json":
        _emit_json(rows, out)
    elif args.format == "csv":
        _emit_csv(rows, out)
    else:
        cols = ["name", "carrier", "origin", "in force", "valid until", "versions", "services", "confidence", "source"]
        table = [cols] + [[r["name"], r["carrier"], r["origin"], r["in_force"] or f"none (oldest {r['oldest']})",
                           r["valid_until"], str(r["versions"]), str(r["services"]), r["confidence"], r["source"]]
                          for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(cols))]
        for row in table:
            out.write("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip() + "\n")
        out.write(f"\n{len(rows)} tariffs, price lists in force on {ts.as_of}, from: "
                  f"{', '.join(str(d) for d in ts.dirs)}\n")
    return 0


def _cmd_tariffs_show(args: argparse.Namespace, out: TextIO) -> int:
    from ..tariff_view import describe_tariff, tariff_to_dict

    ts = _tariffs(args)
    t = ts.at(args.name, ts.as_of)
    versions = ts.versions(args.name)
    if args.format == "json":
        _emit_json({**tariff_to_dict(t), "versions": [v.version for v in versions]}, out)
        return 0
    out.write(describe_tariff(t) + "\n")
    others = [f"{v.valid_from}{' to ' + str(v.valid_until) if v.valid_until else ''}" for v in versions if v is not t]
    out.write(f"\nPrice list in force on {ts.as_of}: the one valid from {t.valid_from} "
              f"({versions.index(t) + 1} of {len(versions)}"
              + (f"; others: {', '.join(others)}; see one with --as-of DATE" if others else "") + ").\n")
    if t.stale(ts.as_of):
        out.write(f"Warning: {t.stale_note(ts.as_of)}\n")
    return 0


def _validate_targets(paths: Sequence[str]) -> list[tuple[str, object]]:
    """What ``tariffs validate`` checks for each PATH, as (kind, what) pairs.

    A file is one version, checked with its sibling versions when it sits in a tariff folder (so
    overlaps are caught), or a rules file; a folder is one tariff's versions, or a folder of tariffs.
    """
    from pathlib import Path

    from ..tariffs import _DATE_NAME, _ID, RULES_FILE

    out: list[tuple[str, object]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            if _ID.match(p.name) and any(_DATE_NAME.match(f.stem) for f in p.glob("*.yaml")):
                out.append(("family", tuple(sorted(p.glob("*.yaml")))))
            else:
                out.append(("folder", p))
        elif p.name == RULES_FILE:
            out.append(("rules", p))
        elif _DATE_NAME.match(p.stem) and _ID.match(p.parent.name):
            out.append(("family", tuple(sorted(p.parent.glob("*.yaml")))))
        else:
            out.append(("family", (p,)))
    return list(dict.fromkeys(out))  # each once, in order


def _cmd_tariffs_validate(args: argparse.Namespace, out: TextIO) -> int:
    from ..errors import TariffError
    from ..tariffs import _scan, check_versions, load_rules, load_tariff

    def report(t) -> None:
        bands = sum(len(z.limits_g) for s in t.services for z in s.zones)
        until = f" to {t.valid_until}" if t.valid_until else " onward"
        out.write(f"ok  {t.label}: {t.carrier} from {t.origin}, valid {t.valid_from}{until}, "
                  f"{len(t.services)} services, {bands} price bands\n")

    def check(files) -> None:
        family = [load_tariff(f) for f in files]
        check_versions(family)
        for t in family:
            report(t)

    failed = 0
    for what, arg in _validate_targets(args.paths):
        try:
            if what == "rules":
                rules = load_rules(arg)
                out.write(f"ok  {arg}: {len(rules)} rules\n")
            elif what == "family":
                check(arg)
            else:
                found, rules_file = _scan(arg)
                for files in found.values():
                    try:
                        check(files)
                    except TariffError as exc:
                        failed += 1
                        print(f"returncost: error: {exc}", file=sys.stderr)
                if rules_file is not None:
                    out.write(f"ok  {rules_file}: {len(load_rules(rules_file))} rules\n")
        except TariffError as exc:
            failed += 1
            print(f"returncost: error: {exc}", file=sys.stderr)
    return 2 if failed else 0


# --------------------------------------------------------------------------------------------
# estimate


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

    _add_parcel(p, weight_required=False)
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
    out["origin"] = _country(args.origin, "--from")
    out["destination"] = _country(args.destination, "--to")
    if distributions and args.weight is not None and ":" in args.weight:
        out["weight_g"] = args.weight  # a distribution, e.g. tri:200,450,600 (grams)
        args = argparse.Namespace(**{**vars(args), "weight": None})
    weight, dims = _parcel(args)
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


def _as_of(args: argparse.Namespace):
    import datetime

    if not getattr(args, "as_of", None):
        return None
    try:
        return datetime.date.fromisoformat(args.as_of)
    except ValueError:
        raise InputError(f"--as-of: {args.as_of!r} is not a date; write YYYY-MM-DD") from None


def _cmd_estimate(args: argparse.Namespace, out: TextIO) -> int:
    from ..advice import estimate

    e = estimate(tariffs=_tariffs(args), fx=_fx(args), today=_as_of(args), exchange=args.exchange,
                 **order_inputs(args))
    if args.chart or args.charts:
        from .analysis import estimate_charts

        estimate_charts(e, args, out)
    if args.format == "json":
        _emit_json(e.to_dict(), out)
    elif args.format == "csv":
        _emit_csv([e.to_dict()["outputs"]], out)  # type: ignore[list-item]
    else:
        out.write(str(e) + "\n")
    return 0


# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="returncost",
        description="Should you return a marketplace order, take a partial refund, or keep it?",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("quote", help="every postal offer for one parcel, cheapest tracked marked",
                       description="List every postal offer for one parcel on a route, with the cheapest tracked offer marked.")
    _add_parcel(p, weight_required=True)
    p.add_argument("--currency", metavar="CUR", help="also show prices converted to this currency (e.g. EUR)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day the parcel is posted: the price lists in force "
                                                        "that day answer (default: today)")
    _add_fx(p)
    _add_common(p)
    p.set_defaults(func=_cmd_quote)

    p = sub.add_parser("estimate", help="what to do with one order: return, partial refund, or keep",
                       description="Decide one order: which option leaves you best off, by how much, when the "
                                   "money comes back, and where the answer would flip.")
    add_order_options(p)
    p.add_argument("--chart", metavar="PATH", help="save a tornado chart of what would change the answer (.png or .svg)")
    p.add_argument("--charts", metavar="DIR", help="save every chart of this estimate into DIR")
    p.add_argument("--exchange", action="store_true",
                   help="also show what an exchange costs (a return plus a new order) and when the money is back")
    _add_fx(p)
    _add_common(p)
    p.set_defaults(func=_cmd_estimate)

    pt = sub.add_parser("tariffs", help="list, show or validate tariff files")
    tsub = pt.add_subparsers(dest="tariffs_command", required=True, metavar="ACTION")
    as_of = dict(metavar="YYYY-MM-DD", help="show the price lists in force on this day (default: today)")
    p = tsub.add_parser("list", help="the tariffs, each with the version in force and how many versions it has")
    p.add_argument("--as-of", **as_of)
    _add_common(p)
    p.set_defaults(func=_cmd_tariffs_list)
    p = tsub.add_parser("show", help="one tariff's services, zones and prices (the version in force)")
    p.add_argument("name", help="tariff name, e.g. us-usps")
    p.add_argument("--as-of", **as_of)
    _add_common(p)
    p.set_defaults(func=_cmd_tariffs_show)
    p = tsub.add_parser("validate", help="check tariff files, folders and rules; exit 2 with located errors")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="version files, tariff folders (their versions must not overlap), folders of tariffs, rules.yaml")
    _add_common(p)
    p.set_defaults(func=_cmd_tariffs_validate)

    # Subcommands that live in sibling modules; imported here (not at the top) so that a plain
    # `returncost estimate` stays light. Those modules import nothing heavy at module level.
    from . import analysis, batch

    analysis.add_commands(sub)
    batch.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``returncost`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Ctrl-C (SIGINT), SIGTERM and SIGHUP are handled here, in one place: the command stops, leaves
    no output behind and exits with 128 + the signal's number (130, 143, 129), without a traceback.
    Text printed to a terminal has its control characters escaped.
    """
    with _Signals() as signals:
        try:
            return _main(argv, signals)
        except SystemExit:
            raise
        except BaseException:
            if signals.received:
                return signals.report()
            raise


def _main(argv: Sequence[str] | None, signals: _Signals) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.signals = signals
    out = _Printable(sys.stdout) if _is_terminal(sys.stdout) else sys.stdout
    try:
        with warnings.catch_warnings():
            # Tariff warnings (an expired price list) are reported in the output itself; any other
            # is one line on stderr.
            from ..tariffs import TariffWarning

            warnings.filterwarnings("default", category=UserWarning)
            warnings.simplefilter("ignore", TariffWarning)
            warnings.showwarning = _show_warning
            return int(args.func(args, out) or 0)
    except CalculatorError as exc:
        if signals.received:
            return signals.report()
        if args.traceback:
            raise
        print(f"returncost: error: {printable(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return signals.report()
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        if signals.received:
            return signals.report()
        if args.traceback:
            raise
        where = printable(str(exc.filename or ""))
        print(f"returncost: error: {where}: {exc.strerror}; check the path", file=sys.stderr)
        return 2
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


class _Signals:
    """The one handler of SIGINT, SIGTERM and SIGHUP while ``returncost`` runs.

    A signal sets :attr:`stop` and raises ``KeyboardInterrupt`` in the main thread, except while
    :meth:`deferred` is in force: then only :attr:`stop` is set, and the work in progress (a batch
    and its outputs) looks at it between chunks and before each output is put in place, so that no
    exception lands inside a library call or a rename. A second signal while deferred raises.
    Signals that are ignored when the process starts (``nohup``, a background job) stay ignored.
    """

    _NAMES = ("SIGINT", "SIGTERM", "SIGHUP")

    def __init__(self) -> None:
        import threading

        self.stop = threading.Event()
        self.received = 0  # the first signal's number
        self._defer = 0
        self._old: dict[int, object] = {}

    def __enter__(self) -> _Signals:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for name in self._NAMES:
                num = getattr(signal, name, None)
                if num is None:
                    continue
                old = signal.getsignal(num)
                if old is signal.SIG_IGN:
                    continue
                self._old[num] = old
                signal.signal(num, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for num, old in self._old.items():
            signal.signal(num, old)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: object) -> None:
        first = not self.stop.is_set()
        self.received = self.received or signum
        self.stop.set()
        if not self._defer or not first:
            raise KeyboardInterrupt

    @contextmanager
    def deferred(self):
        """Signals only set :attr:`stop` inside this block (the code in it looks at it)."""
        self._defer += 1
        try:
            yield self.stop
        finally:
            self._defer -= 1
        if self.stop.is_set():
            raise KeyboardInterrupt

    def report(self) -> int:
        """Say so and give the exit code of an interrupted run."""
        import signal

        num = self.received or signal.SIGINT
        print("returncost: interrupted" if num == signal.SIGINT else
              f"returncost: stopped by {signal.Signals(num).name}", file=sys.stderr)
        return 128 + int(num)


def _is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


#: Characters that move the cursor, change colours or the title, ring the bell, or reorder text
#: on a terminal: C0 controls but tab and line feed, DEL, C1 controls, bidirectional overrides.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, lines: bool = False) -> str:
    r"""``text`` with control characters shown as escapes (``\x1b``), so that nothing a file says
    can act on the terminal; line feeds too, unless ``lines``.

    Examples
    --------
    >>> printable("red \x1b[31mtext\x07")
    'red \\x1b[31mtext\\x07'
    """
    out = _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return out if lines else out.replace("\n", "\\n")


class _Printable:
    """A text stream that escapes control characters (for standard output on a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text, lines=True))

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning is one line on stderr, like an error."""
    print(f"returncost: warning: {printable(str(message))}", file=sys.stderr)
