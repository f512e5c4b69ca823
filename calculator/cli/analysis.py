"""Subcommands for uncertainty and sensitivity: ``sensitivity``, ``map``, ``thresholds`` (issue 4),
and the charts of ``returncost estimate --chart/--charts``.

Each command builds an :class:`~calculator.uncertainty.UncertainOrder` from the order flags, calls
the API (:mod:`calculator.uncertainty`, :mod:`calculator.sensitivity`) and formats the result;
charts come from :mod:`calculator.charts`, drawn on a bare :class:`matplotlib.figure.Figure`.

The texts are in the current language: the analyses' own texts come translated from their
modules; the lines written here (the single estimate, the charts saved, the errors) are marked
here, money through :func:`calculator.formatting.money` and options in words
(:data:`calculator.model.OPTION_LABELS`).

Every ``returncost`` run imports this module, so at module level it imports argparse, the standard
library, :mod:`calculator.i18n` and its siblings only; numpy, matplotlib and the analysis modules
are imported inside the functions that use them.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TextIO

from ..errors import InputError
from ..i18n import N_, _
from . import options
from .options import escape
from .output import chart_path, emit_csv, emit_json, save_chart

__all__ = ["add_commands", "estimate_charts", "parse_range"]

# --------------------------------------------------------------------------------------------
# helpers


def parse_range(text: str, *, flag: str, kind: str) -> tuple[float, float]:
    """Read ``LO..HI``: a price range (``100..20000``) or a weight range (``50..2000g``,
    ``0.05..2kg``, ``50g..2kg``; a bare low end takes the high end's unit).

    Examples
    --------
    >>> parse_range("0.05..2kg", flag="--weight", kind="weight")
    (50.0, 2000.0)
    >>> parse_range("50..2000g", flag="--weight", kind="weight")
    (50.0, 2000.0)
    >>> parse_range("100..20000", flag="--price", kind="money")
    (100.0, 20000.0)
    """
    from ..units import parse_number, parse_weight

    example = "50..2000g" if kind == "weight" else "100..20000"
    s = str(text).strip()
    if ".." not in s:
        raise InputError(_("{flag}: {value!r} is not a range; write LOW..HIGH, e.g. {example}").format(
            flag=flag, value=text, example=example))
    a, b = (x.strip() for x in s.split("..", 1))
    if kind == "weight":
        unit = re.search(r"[^\d\s.,+-][^\s]*$", b)
        if unit and re.fullmatch(r"[+-]?[\d.,]+", a):
            a += unit.group(0)
        lo, hi = parse_weight(a, field=flag), parse_weight(b, field=flag)
    else:
        lo, hi = float(parse_number(a, field=flag)), float(parse_number(b, field=flag))
        if lo < 0:
            raise InputError(_("{flag}: {value!r} starts below zero; a price must be zero or more").format(
                flag=flag, value=text))
    if not lo < hi:
        raise InputError(_("{flag}: {value!r} must go from a lower to a higher value, e.g. {example}").format(
            flag=flag, value=text, example=example))
    return lo, hi


def _without(args: argparse.Namespace, *names: str) -> argparse.Namespace:
    ns = argparse.Namespace(**vars(args))
    for n in names:
        setattr(ns, n, None)
    return ns


def _stale_tariffs(order, weights, args: argparse.Namespace, out: TextIO) -> None:
    """Say which price lists used for ``weights`` were past their ``valid_until`` or over a year
    old on the as-of day: in the text, or on stderr beside machine formats."""
    postage = order.lookup_postage(weights)[1]
    for note in postage.stale_notes():
        if args.format == "text":
            out.write(_("Warning: {note}").format(note=note) + "\n")
        else:
            print(f"returncost: warning: {note}", file=sys.stderr)


def _monte_carlo_text(mc) -> str:
    """The Monte Carlo's text, and how to draw the same numbers again (a line of its own)."""
    return str(mc) + "\n" + _("To draw the same numbers again, add --seed {seed}.").format(seed=mc.seed)


def _option(code: str) -> str:
    """An option in a few words (the rows of the Monte Carlo's table say the same)."""
    from ..model import OPTION_LABELS

    return _(OPTION_LABELS[code])


def _saved(path: object, what: str) -> str:
    return _("Chart saved: {path} ({what})").format(path=path, what=what)


# --------------------------------------------------------------------------------------------
# returncost estimate --chart / --charts


def estimate_charts(estimate, args: argparse.Namespace, out: TextIO) -> None:
    """Draw the charts of ``returncost estimate --chart PATH`` (a tornado of what would change the
    answer) or ``--charts DIR`` (every chart of the estimate: tornado, Monte Carlo, Sobol, sweeps
    of price and partial refund, and for a tariff-priced postage a sweep of the weight and a
    price × weight map). Inputs left at their defaults get their default distributions
    (:mod:`calculator.uncertainty`); the Monte Carlo uses seed 0 so the charts are repeatable.

    In text format, one line per chart file says what it shows (followed by the tornado's text).
    """
    from .. import charts, sensitivity
    from ..uncertainty import from_assessment, monte_carlo

    order = from_assessment(estimate.assessment, tariffs=options.tariffs(args), fx=options.fx(args))
    if order.closed_reason:  # the estimate itself stands; only the charts cannot be drawn
        print("returncost: warning: " + _("no charts: {reason}").format(reason=order.closed_reason), file=sys.stderr)
        return
    t = sensitivity.tornado(order)
    written: list[tuple[Path, str]] = []
    if args.chart:
        path = chart_path(args.chart, "--chart")
        save_chart(lambda ax: charts.tornado_chart(t, ax), path, "--chart")
        written.append((path, _("tornado: each assumed input alone at its low and high value")))
    if args.charts:
        import numpy as np

        from ..formatting import number

        folder = Path(args.charts)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(_("{flag}: cannot create folder {path!r}: {problem}").format(
                flag="--charts", path=args.charts, problem=exc.strerror or exc)) from None
        draws = 20_000
        mc = monte_carlo(order, draws=draws, seed=0)
        jobs = [
            ("tornado.png", lambda ax: charts.tornado_chart(t, ax),
             _("each assumed input alone at its low and high value")),
            ("montecarlo.png", lambda ax: charts.monte_carlo_chart(mc, ax),
             _("expected value of each option over {draws} draws").format(draws=number(draws, 0))),
            ("sobol.png", lambda ax: charts.sobol_chart(sensitivity.sobol(order, seed=0), ax),
             _("which uncertain input explains the most variance")),
            ("sweep-price.png", lambda ax: charts.sweep_chart(sensitivity.sweep(order, "price"), ax),
             _("expected value of each option over the item price")),
            ("sweep-partial_refund.png", lambda ax: charts.sweep_chart(sensitivity.sweep(order, "partial_refund"), ax),
             _("expected value of each option over the partial refund")),
        ]
        if order.postage_from_tariff:
            lo, hi = sensitivity.sweep_range(order, "weight_g")
            weights = np.linspace(lo, hi, 200)
            top = sensitivity.sweep_range(order, "price")[1]
            prices = np.linspace(top / 200, top, 200)  # from above 0: at price 0 every option ties at 0
            jobs += [
                ("sweep-weight_g.png", lambda ax: charts.sweep_chart(sensitivity.sweep(order, "weight_g", weights), ax),
                 _("expected value of each option over the parcel weight (postage from the tariff)")),
                ("map.png", lambda ax: charts.decision_map_chart(sensitivity.decision_map(order, prices, weights), ax),
                 _("best option by price and weight on this route")),
            ]
        for name, draw, what in jobs:
            path = folder / name
            save_chart(draw, path, "--charts")
            written.append((path, what))
    if args.format == "text":
        for path, what in written:
            out.write(_saved(path, what) + "\n")
        out.write(str(t) + "\n\n")


# --------------------------------------------------------------------------------------------
# returncost sensitivity


def _cmd_sensitivity(args: argparse.Namespace, out: TextIO) -> int:
    from .. import charts, sensitivity
    from ..uncertainty import monte_carlo, uncertain_order

    name, _eq, rng = args.sweep.partition("=")
    name = name.strip().replace("-", "_")
    if name == "weight":
        name = "weight_g"
    if name not in sensitivity.SWEEPABLE:
        raise InputError(_("{flag}: {value!r} is not an input; choose one of {inputs}").format(
            flag="--sweep", value=name, inputs=", ".join(sensitivity.SWEEPABLE)))
    order = uncertain_order(tariffs=options.tariffs(args), fx=options.fx(args), today=options.as_of(args),
                            defaults=not args.no_defaults, **options.order_inputs(args, distributions=True))
    if args.draws < 1:
        raise InputError(_("{flag}: {value} must be 1 or more").format(flag="--draws", value=args.draws))
    if args.seed is not None and args.seed < 0:
        raise InputError(_("{flag}: {value} must be 0 or more").format(flag="--seed", value=args.seed))
    mc = monte_carlo(order, draws=args.draws, seed=args.seed)
    if order.closed_reason:
        return _closed_sensitivity(order, mc, args, out)
    t = sensitivity.tornado(order)
    s = sensitivity.sobol(order, seed=mc.seed)
    values = None
    if rng:
        import numpy as np

        lo, hi = parse_range(rng, flag="--sweep", kind="weight" if name == "weight_g" else "money")
        values = np.linspace(lo, hi, 201)
    if name == "weight_g" and not order.postage_from_tariff:
        raise InputError(_("--sweep weight: the postage is given (--postage), so the weight changes nothing; "
                           "leave out --postage to sweep the weight through the tariffs"))
    sw = sensitivity.sweep(order, name, values)
    if args.chart:
        path = chart_path(args.chart, "--chart")

        def draw(axes) -> None:
            charts.monte_carlo_chart(mc, axes[0, 0])
            charts.tornado_chart(t, axes[0, 1])
            charts.sobol_chart(s, axes[1, 0])
            charts.sweep_chart(sw, axes[1, 1])

        save_chart(draw, path, "--chart", size=(13.0, 9.0), panels=(2, 2))
    if args.format == "json":
        emit_json({"recommendation": str(order.base.recommended[0]), "monte_carlo": mc.to_dict(),
                    "tornado": t.to_dict(), "sobol": s.to_dict(),
                    "sweep": {k: v for k, v in sw.to_dict().items() if k in ("input", "base_value", "break_even")}}, out)
        return 0
    if args.format == "csv":
        emit_csv(mc.rows(), out)
        return 0
    from ..formatting import money, share

    base = order.base
    rec = str(base.recommended[0])
    out.write(_("Single estimate: {option}; the advantage of returning is {amount}.").format(
        option=_option(rec), amount=money(float(base.return_advantage[0]), order.currency)) + "\n\n")
    out.write(_monte_carlo_text(mc) + "\n")
    agree = float(mc.p_best[list(mc.options).index(rec)])
    out.write(_("The single estimate's answer, {option}, is best in {share} of draws.").format(
        option=_option(rec), share=share(agree)) + "\n\n")
    top = min(5, len(t.names))
    lines = str(t).splitlines()
    out.write("\n".join(lines[: 1 + top]) + "\n\n")
    out.write(str(s) + "\n\n")
    out.write(str(sw) + "\n")
    if args.chart:
        from ..inputs import field

        out.write("\n" + _saved(args.chart, _("expected values over the draws, tornado, Sobol indices, sweep of the "
                                               "{input}").format(input=field(name).words)) + "\n")
    return 0


def _closed_sensitivity(order, mc, args: argparse.Namespace, out: TextIO) -> int:
    """``returncost sensitivity`` for an order whose window has closed: the Monte Carlo, and why
    there is nothing else to show."""
    from .. import charts

    if args.chart:
        path = chart_path(args.chart, "--chart")
        save_chart(lambda ax: charts.monte_carlo_chart(mc, ax), path, "--chart")
    if args.format == "json":
        emit_json({"recommendation": str(order.base.recommended[0]), "monte_carlo": mc.to_dict(),
                    "tornado": None, "sobol": None, "sweep": None, "why_not": order.closed_reason}, out)
    elif args.format == "csv":
        emit_csv(mc.rows(), out)
    else:
        out.write(_("Single estimate: {option}; {reason}.").format(
            option=_option(str(order.base.recommended[0])), reason=order.closed_reason) + "\n\n")
        out.write(_monte_carlo_text(mc) + "\n")
        if args.chart:
            out.write("\n" + _saved(args.chart, _("expected values over the draws")) + "\n")
    return 0


# --------------------------------------------------------------------------------------------
# returncost map


def _cmd_map(args: argparse.Namespace, out: TextIO) -> int:
    import numpy as np

    from .. import charts, sensitivity

    if args.price is None or args.weight_g is None:
        raise InputError(_("map: give a price range and a weight range, e.g. --price 100..20000 --weight 50..2000g"))
    plo, phi = parse_range(args.price, flag=options.flag(args, "price"), kind="money")
    wlo, whi = parse_range(args.weight_g, flag=options.flag(args, "weight_g"), kind="weight")
    if not 2 <= args.steps <= 2000:
        raise InputError(_("{flag}: {value} must be between {low} and {high}").format(
            flag="--steps", value=args.steps, low=2, high=2000))
    prices = np.linspace(plo, phi, args.steps)
    weights = np.linspace(wlo, whi, args.steps)
    inputs = options.order_inputs(_without(args, "price", "weight_g"))
    order = sensitivity.route_order(weights, tariffs=options.tariffs(args), fx=options.fx(args),
                                    today=options.as_of(args), **inputs)
    m = sensitivity.decision_map(order, prices, weights)
    if args.chart:
        path = chart_path(args.chart, "--chart")
        save_chart(lambda ax: charts.decision_map_chart(m, ax), path, "--chart")
    if args.format == "json":
        emit_json(m.to_dict(), out)
    elif args.format == "csv":
        m.to_frame().to_csv(out, index=False, lineterminator="\n")
    else:
        out.write(str(m) + "\n")
        if args.chart:
            out.write(_saved(args.chart, _("colour = best option; black line = break-even price")) + "\n")
    _stale_tariffs(order, weights, args, out)
    return 0


# --------------------------------------------------------------------------------------------
# returncost thresholds


def _cmd_thresholds(args: argparse.Namespace, out: TextIO) -> int:
    from .. import sensitivity
    from ..units import parse_weight

    if args.price is not None:
        raise InputError(_("--price: the threshold table computes the price from which returning pays; leave it out"))
    if args.weight_g is not None:
        raise InputError(_("{flag}: the table covers every weight band; use --max-weight to set the heaviest").format(
            flag=options.flag(args, "weight_g")))
    max_w = parse_weight(args.max_weight, field="--max-weight")
    order = sensitivity.route_order([1.0, max_w], tariffs=options.tariffs(args), fx=options.fx(args),
                                    today=options.as_of(args), **options.order_inputs(args))
    table = sensitivity.threshold_table(order, max_weight_g=max_w)
    if args.format == "json":
        emit_json(table.to_dict(), out)
    elif args.format == "csv":
        emit_csv(table.rows(), out)
    else:
        out.write(str(table) + "\n")
    _stale_tariffs(order, table.weight_to_g, args, out)
    return 0


# --------------------------------------------------------------------------------------------


_DIST_HELP = N_("Any numeric order flag also takes a distribution: tri:MIN,LIKELY,MAX, uni:LOW,HIGH, beta:A,B "
                "(fractions) or beta:A,B,LOW,HIGH, norm:MEAN,SD (truncated to the valid range); fractions may use %. "
                "Inputs you leave out get default distributions: partial refund tri:0.2,0.5,0.7; win probability "
                "the reason default ±0.15; use and resale value the reason default ±0.20.")


def _example(command: str) -> str:
    return _("example: {command}").format(command=command)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``sensitivity``, ``map`` and ``thresholds``."""
    from ..formatting import number

    p = sub.add_parser(
        "sensitivity",
        help=escape(_("how sure the answer is and what would change it (Monte Carlo, tornado, Sobol, sweep)")),
        description=" ".join((
            _("Monte Carlo over the uncertain inputs of one order: probability that each option is best, "
              "percentiles of each option's expected value, probability that returning loses money; a tornado of "
              "each input alone; Sobol indices; a one-way sweep with break-evens."),
            _(_DIST_HELP))),
        epilog=_example("returncost sensitivity --price 18000 --currency RUB --from RU --postage 1450 "
                        "--reason damaged --partial-refund tri:0.3,0.5,0.7 --seed 1 --chart sensitivity.png"))
    p.add_argument("--draws", type=int, default=10_000, metavar="N",
                   help=escape(_("Monte Carlo draws (default: {draws})").format(draws=number(10_000, 0))))
    p.add_argument("--seed", type=int, metavar="S",
                   help=escape(_("random seed; the same seed repeats the numbers (default: a fresh one, printed)")))
    p.add_argument("--sweep", default="price", metavar="INPUT[=LOW..HIGH]",
                   help=escape(_("input to sweep, e.g. partial_refund or weight=50..2000g (default: price)")))
    p.add_argument("--no-defaults", action="store_true",
                   help=escape(_("treat inputs you left out as known (no default distributions)")))
    p.add_argument("--chart", metavar="PATH", help=escape(_("save a 4-panel chart (.png, .svg or .pdf)")))
    options.add_order_options(p)
    p.set_defaults(func=_cmd_sensitivity)

    p = sub.add_parser(
        "map", help=escape(_("best option over a grid of item price × parcel weight on one route")),
        description=_("The best option for every item price × parcel weight on one route, with the postage "
                      "looked up per weight in the tariffs (cheapest tracked offer). --price and --weight take "
                      "ranges LOW..HIGH."),
        epilog=_example("returncost map --from US --to CN --price 5..500 --weight 50..2000g --reason damaged "
                        "--chart map.png"))
    p.add_argument("--steps", type=int, default=200, metavar="N",
                   help=escape(_("grid points per axis (default: {steps})").format(steps=number(200, 0))))
    p.add_argument("--chart", metavar="PATH", help=escape(_("save the map (.png, .svg or .pdf)")))
    options.add_order_options(p, ranges=("price", "weight_g"))
    p.set_defaults(func=_cmd_map)

    p = sub.add_parser(
        "thresholds", help=escape(_("per weight band on a route, the item price from which returning pays")),
        description=_("For a route, per weight band of the cheapest tracked postage, the minimum item price from "
                      "which returning pays, given the other inputs (reason, partial refund, ...)."),
        epilog=_example("returncost thresholds --from US --to CN --reason damaged --format csv"))
    p.add_argument("--max-weight", default="2kg", metavar="WEIGHT",
                   help=escape(_("heaviest parcel in the table (default: {weight})").format(weight="2kg")))
    options.add_order_options(p, required=("origin",))
    p.set_defaults(func=_cmd_thresholds)
