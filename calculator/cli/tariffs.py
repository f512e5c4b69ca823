"""Subcommands ``quote`` (every postal offer for one parcel) and ``tariffs list|show|validate``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from . import options
from .output import emit_csv, emit_json

__all__ = ["add_commands"]


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``quote`` and ``tariffs`` (with its actions ``list``, ``show``, ``validate``)."""
    p = sub.add_parser("quote", help="every postal offer for one parcel, cheapest tracked marked",
                       description="List every postal offer for one parcel on a route, with the cheapest tracked "
                                   "offer marked.")
    options.add_input_flags(p, options.PARCEL, required=("origin", "weight_g"))
    p.add_argument("--currency", dest="show_in", metavar="CUR",
                   help="also show prices converted to this currency (e.g. EUR)")
    options.add_as_of(p, "the day the parcel is posted: the price lists in force that day answer")
    options.add_fx(p)
    options.add_common(p)
    p.set_defaults(func=_cmd_quote)

    pt = sub.add_parser("tariffs", help="list, show or validate tariff files")
    tsub = pt.add_subparsers(dest="tariffs_command", required=True, metavar="ACTION")
    in_force = "show the price lists in force on this day"
    p = tsub.add_parser("list", help="the tariffs, each with the version in force and how many versions it has")
    options.add_as_of(p, in_force)
    options.add_common(p)
    p.set_defaults(func=_cmd_tariffs_list)
    p = tsub.add_parser("show", help="one tariff's services, zones and prices (the version in force)")
    p.add_argument("name", help="tariff name, e.g. us-usps")
    options.add_as_of(p, in_force)
    options.add_common(p)
    p.set_defaults(func=_cmd_tariffs_show)
    p = tsub.add_parser("validate", help="check tariff files, folders and rules; exit 2 with located errors")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="version files, tariff folders (their versions must not overlap), folders of tariffs, "
                        "rules.yaml")
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
    rows = [{**r, "in_force": r["in_force"] or "", "valid_from": str(r["valid_from"] or ""),
             "valid_until": str(r["valid_until"] or ""), "oldest": str(r["oldest"])} for r in ts.rows()]
    if args.format == "json":
        emit_json(rows, out)
    elif args.format == "csv":
        emit_csv(rows, out)
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

    ts = options.tariffs(args)
    t = ts.at(args.name, ts.as_of)
    versions = ts.versions(args.name)
    if args.format == "json":
        emit_json({**tariff_to_dict(t), "versions": [v.version for v in versions]}, out)
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

    def report(t) -> None:
        until = f" to {t.valid_until}" if t.valid_until else " onward"
        out.write(f"ok  {t.label}: {t.carrier} from {t.origin}, valid {t.valid_from}{until}, "
                  f"{len(t.services)} services, {price_bands(t)} price bands\n")

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
                found, rules_file = scan_folder(arg)
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
