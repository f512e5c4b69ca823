"""Subcommand ``estimate``: what to do with one order, and why."""

from __future__ import annotations

import argparse
from typing import TextIO

from ..i18n import _
from . import options
from .analysis import estimate_charts
from .output import emit_csv, emit_json

__all__ = ["add_commands"]


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``estimate``."""
    p = sub.add_parser("estimate", help=options.escape(_("what to do with one order: return, partial refund, or keep")),
                       description=_("Decide one order: which option leaves you best off, by how much, when the "
                                     "money comes back, and where the answer would flip."))
    p.add_argument("--chart", metavar="PATH",
                   help=options.escape(_("save a tornado chart of what would change the answer (.png or .svg)")))
    p.add_argument("--charts", metavar="DIR", help=options.escape(_("save every chart of this estimate into DIR")))
    p.add_argument("--exchange", action="store_true",
                   help=options.escape(_("also show what an exchange costs (a return plus a new order) and when the "
                                         "money is back")))
    options.add_order_options(p)
    p.set_defaults(func=_cmd_estimate)


def _cmd_estimate(args: argparse.Namespace, out: TextIO) -> int:
    from ..advice import estimate

    e = estimate(tariffs=options.tariffs(args), fx=options.fx(args), today=options.as_of(args),
                 exchange=args.exchange, **options.order_inputs(args))
    if args.chart or args.charts:
        estimate_charts(e, args, out)
    if args.format == "json":
        emit_json(e.to_dict(), out)
    elif args.format == "csv":
        emit_csv([e.to_dict()["outputs"]], out)  # type: ignore[list-item]
    else:
        out.write(str(e) + "\n")
    return 0
