"""Subcommands ``quote`` (every postal offer for one parcel) and ``tariffs list|show|validate``.

The texts are in the current language, dates in them as the language writes them (``26 Apr 2026``);
``--format json`` and ``csv`` keep ISO dates and codes. ``tariffs validate`` starts each good file's
line with ``ok`` (and an error with ``returncost: error:``) in every language: scripts look for them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from ..i18n import N_, _, ngettext
from . import options
from .options import escape
from .output import emit_csv, emit_json

__all__ = ["add_commands"]


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``quote`` and ``tariffs`` (with its actions ``list``, ``show``, ``validate``)."""
    p = sub.add_parser("quote", help=escape(_("every postal offer for one parcel, cheapest tracked marked")),
                       description=_("List every postal offer for one parcel on a route, with the cheapest tracked "
                                     "offer marked."))
    options.add_input_flags(p, options.PARCEL, required=("origin", "weight_g"))
    p.add_argument("--currency", dest="show_in", metavar="CUR",
                   help=escape(_("also show prices converted to this currency (e.g. EUR)")))
    options.add_as_of(p, N_("the day the parcel is posted: the price lists in force that day answer"))
    options.add_fx(p)
    options.add_common(p)
    p.set_defaults(func=_cmd_quote)

    pt = sub.add_parser("tariffs", help=escape(_("list, show or validate tariff files")),
                        description=_("List, show or validate tariff files."))
    tsub = pt.add_subparsers(dest="tariffs_command", required=True, metavar="ACTION")
    in_force = N_("show the price lists in force on this day")
    p = tsub.add_parser("list", help=escape(_("the tariffs, each with the version in force and how many versions "
                                              "it has")))
    options.add_as_of(p, in_force)
    options.add_common(p)
    p.set_defaults(func=_cmd_tariffs_list)
    p = tsub.add_parser("show", help=escape(_("one tariff's services, zones and prices (the version in force)")))
    p.add_argument("name", help=escape(_("tariff name, e.g. us-usps")))
    options.add_as_of(p, in_force)
    options.add_common(p)
    p.set_defaults(func=_cmd_tariffs_show)
    p = tsub.add_parser("validate", help=escape(_("check tariff files, folders and rules; exit 2 with located "
                                                  "errors")))
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help=escape(_("version files, tariff folders (their versions must not overlap), folders of "
                                 "tariffs, rules.yaml")))
    options.add_common(p)
    p.set_defaults(func=_cmd_tariffs_validate)


# --------------------------------------------------------------------------------------------
# quote


def _cmd_quote(args: argparse.Namespace, out: TextIO) -> int:
    from ..quote import format_quote, quote

    origin, destination = options.route(args)
    weight, dims = options.parcel(args)
    q = quote(origin, destination, weight, dims, currency=args.show_in, zone=args.zone,
              tariffs=options.tariffs(args), fx=options.fx(args), posted_on=options.as_of(args))
    if args.format == "json":
        emit_json(q.to_dict(), out)
    elif args.format == "csv":
        emit_csv(q.to_dict()["offers"], out)  # type: ignore[arg-type]
    else:
        out.write(format_quote(q) + "\n")
    return 0


# --------------------------------------------------------------------------------------------
# tariffs


def _cmd_tariffs_list(args: argparse.Namespace, out: TextIO) -> int:
    ts = options.tariffs(args)
    data = ts.rows()
    rows = [{**r, "in_force": r["in_force"] or "", "valid_from": str(r["valid_from"] or ""),
             "valid_until": str(r["valid_until"] or ""), "oldest": str(r["oldest"])} for r in data]
    if args.format == "json":
        emit_json(rows, out)
    elif args.format == "csv":
        emit_csv(rows, out)
    else:
        from ..formatting import day, number, table
        from ..tariff_view import CONFIDENCE_WORDS

        # the words of the notebook's table of tariffs (calculator.tariff_view), and its dates
        cols = [_("name"), _("carrier"), _("origin"), _("in force"), _("valid until"), _("versions"), _("services"),
                _("confidence"), _("source")]
        cells = [[r["name"], r["carrier"], r["origin"],
                  day(r["valid_from"]) if r["in_force"] else _("none (oldest {day})").format(day=day(r["oldest"])),
                  day(r["valid_until"]) if r["valid_until"] else "", str(r["versions"]), str(r["services"]),
                  _(CONFIDENCE_WORDS[r["confidence"]]) if r["confidence"] in CONFIDENCE_WORDS else r["confidence"],
                  r["source"]] for r in data]
        for line in table([cols, *cells]):
            out.write(line + "\n")
        n = len(rows)
        out.write("\n" + ngettext("{count} tariff, price lists in force on {day}, from: {folders}",
                                  "{count} tariffs, price lists in force on {day}, from: {folders}", n).format(
            count=number(n, 0), day=day(ts.as_of), folders=", ".join(str(d) for d in ts.dirs)) + "\n")
    return 0


def _cmd_tariffs_show(args: argparse.Namespace, out: TextIO) -> int:
    from ..tariff_view import describe_tariff, tariff_to_dict

    ts = options.tariffs(args)
    t = ts.at(args.name, ts.as_of)
    versions = ts.versions(args.name)
    if args.format == "json":
        emit_json({**tariff_to_dict(t), "versions": [v.version for v in versions]}, out)
        return 0
    from ..formatting import day

    out.write(describe_tariff(t) + "\n")
    others = [_("{start} to {end}").format(start=day(v.valid_from), end=day(v.valid_until)) if v.valid_until
              else day(v.valid_from) for v in versions if v is not t]
    if others:
        text = _("Price list in force on {day}: the one valid from {start} ({number} of {count}; others: {others}; "
                 "see one with --as-of DATE).")
    else:
        text = _("Price list in force on {day}: the one valid from {start} ({number} of {count}).")
    out.write("\n" + text.format(day=day(ts.as_of), start=day(t.valid_from), number=versions.index(t) + 1,
                                 count=len(versions), others=", ".join(others)) + "\n")
    if t.stale(ts.as_of):
        out.write(_("Warning: {note}").format(note=t.stale_note(ts.as_of)) + "\n")
    return 0


def _validate_targets(paths: Sequence[str]) -> list[tuple[str, object]]:
    """What ``tariffs validate`` checks for each PATH, as (kind, what) pairs.

    A file is one version, checked with its sibling versions when it sits in a tariff folder (so
    overlaps are caught), or a rules file; a folder is one tariff's versions, or a folder of tariffs.
    """
    from pathlib import Path

    from ..tariff_files import ID_PATTERN, VERSION_NAME
    from ..tariffs import RULES_FILE

    out: list[tuple[str, object]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            if ID_PATTERN.match(p.name) and any(VERSION_NAME.match(f.stem) for f in p.glob("*.yaml")):
                out.append(("family", tuple(sorted(p.glob("*.yaml")))))
            else:
                out.append(("folder", p))
        elif p.name == RULES_FILE:
            out.append(("rules", p))
        elif VERSION_NAME.match(p.stem) and ID_PATTERN.match(p.parent.name):
            out.append(("family", tuple(sorted(p.parent.glob("*.yaml")))))
        else:
            out.append(("family", (p,)))
    return list(dict.fromkeys(out))  # each once, in order


def _cmd_tariffs_validate(args: argparse.Namespace, out: TextIO) -> int:
    from ..errors import TariffError
    from ..tariff_view import price_bands
    from ..tariffs import check_versions, load_rules, load_tariff, scan_folder

    from ..formatting import day, number

    def ok(text: str) -> None:
        out.write(f"ok  {text}\n")  # "ok" in every language, like "returncost: error:"

    def report(t) -> None:
        services, bands = len(t.services), price_bands(t)
        if t.valid_until:
            text = _("{file}: {carrier} from {origin}, valid from {start} to {end}, {services}, {bands}")
        else:
            text = _("{file}: {carrier} from {origin}, valid from {start} onward, {services}, {bands}")
        ok(text.format(file=t.label, carrier=t.carrier, origin=t.origin, start=day(t.valid_from),
                       end=day(t.valid_until), bands=ngettext("{count} price band", "{count} price bands",
                                                              bands).format(count=number(bands, 0)),
                       services=ngettext("{count} service", "{count} services", services).format(
                           count=number(services, 0))))

    def rules_line(path, count: int) -> None:
        ok(ngettext("{file}: {count} rule", "{file}: {count} rules", count).format(file=path, count=number(count, 0)))

    def check(files) -> None:
        family = [load_tariff(f) for f in files]
        check_versions(family)
        for t in family:
            report(t)

    failed = 0
    for what, arg in _validate_targets(args.paths):
        try:
            if what == "rules":
                rules_line(arg, len(load_rules(arg)))
            elif what == "family":
                check(arg)
            else:
                found, rules_file = scan_folder(arg)
                for files in found.values():
                    try:
                        check(files)
                    except TariffError as exc:
                        failed += 1
                        print(f"returncost: error: {exc}", file=sys.stderr)
                if rules_file is not None:
                    rules_line(rules_file, len(load_rules(rules_file)))
        except TariffError as exc:
            failed += 1
            print(f"returncost: error: {exc}", file=sys.stderr)
    return 2 if failed else 0
