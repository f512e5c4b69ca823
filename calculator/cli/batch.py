"""Subcommand ``batch`` (issue 5): decide every order of a CSV or Parquet file.

The help and the lines on stderr (the run's count and time, ``--strict``) are in the current
language; the summary's own lines come from :meth:`calculator.batch.BatchSummary.text`.

Imported by every ``returncost`` run, so only argparse, the standard library, :mod:`calculator.i18n`
and its siblings are imported at module level; :mod:`calculator.batch`, pandas, pyarrow and tqdm load
when a batch actually runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from typing import Any, TextIO

from ..errors import InputError
from ..i18n import N_, _, ngettext
from . import options
from .options import escape
from .output import chart_path, figure
from .terminal import PrintableBytes, is_terminal, printable

__all__ = ["add_commands"]

_EPILOG = N_("""\
input columns are the input names of `returncost estimate` (price, currency, origin, weight_g,
length_cm, width_cm, height_cm, postage, reason, partial_refund, received_on, ...); other columns
pass through. A missing column or an empty cell takes the value given here (e.g. --from RU,
--partial-refund 0.4), else the model's default. Cells may carry units and signs: 450 g, 1,2 kg,
$12.99, 1 450 ₽, 40%.

exit status: 0 done (rows with problems are in the output with a `problem` text); 2 the input
cannot be read or an option is wrong (no output is written), or --strict and a row has a problem
(the output is still written); 130 interrupted by Ctrl-C, 143 stopped by SIGTERM (no output is
written; existing files stay as they were).

example:
  returncost batch orders.csv -o decisions.csv --as-of 2026-11-26 --summary summary.json
""")

_DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\\t": "\t", "\t": "\t", "|": "|"}


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``returncost batch``."""
    p = sub.add_parser(
        "batch", help=escape(_("decide every order of a CSV or Parquet file (thousands to millions of rows)")),
        description=_("Decide every order of a CSV or Parquet file: one output row per input row, in order, "
                      "with the expected value of each option, the recommendation, break-evens, the refund "
                      "dates and a `problem` text for rows that cannot be evaluated."),
        epilog=_(_EPILOG), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", metavar="INPUT",
                   help=escape(_("orders: .csv or .parquet file (.csv.gz, .bz2, .zst are decompressed), or - for "
                                 "stdin")))
    p.add_argument("-o", "--output", default="-", metavar="OUTPUT",
                   help=escape(_("decisions: .csv or .parquet (by the name), or - for stdout (default: -); never "
                                 "the input")))
    p.add_argument("--output-format", choices=("csv", "parquet"),
                   help=escape(_("format of OUTPUT when its name does not say (default: csv)")))
    p.add_argument("--strict", action="store_true",
                   help=escape(_("exit with status 2 if any row has a problem (the output is still written)")))
    p.add_argument("--delimiter", metavar="D",
                   help=escape(_("CSV field delimiter of the input and the output: ',' ';' tab '|' (default: "
                                 "detected from the header; an output whose input shows none: ';' in Russian, ',' "
                                 "in English)")))
    p.add_argument("--decimal", choices=(".", ","), metavar="MARK",
                   help=escape(_("decimal mark of numbers in the CSV input and output, '.' or ',' (default: "
                                 "detected; an output whose input shows none: ',' in Russian unless the delimiter "
                                 "is ',', else '.')")))
    p.add_argument("--summary", metavar="PATH", help=escape(_("write counts and money totals as JSON")))
    p.add_argument("--chart", metavar="PATH",
                   help=escape(_("save a chart of recommendation counts and savings by origin country (.png or "
                                 ".svg)")))
    p.add_argument("--encoding", metavar="NAME",
                   help=escape(_("text encoding of a CSV that is not UTF-8: cp1251, latin-1, utf-16, ... (default: "
                                 "UTF-8)")))
    p.add_argument("--chunk-rows", type=int, default=None, metavar="N",
                   help=escape(_("rows evaluated at once; memory grows with this, not with the file (default: "
                                 "{rows})").format(rows=50000)))
    options.add_as_of(p, N_("date of the assessment, for deadlines"))
    p.add_argument("-q", "--quiet", action="store_true", help=escape(_("no summary on stderr")))
    g = p.add_argument_group(_("values for missing columns and empty cells"),
                             _("each fills its column where the column is absent or a cell is empty"))
    options.add_input_flags(g)
    options.add_fx(p)
    options.add_common(p, formats=())
    p.set_defaults(func=_cmd_batch)


def _delimiter(text: str | None) -> str | None:
    if text is None:
        return None
    if text not in _DELIMITERS:
        raise InputError(_("{flag}: {value!r} is not one of , ; tab |").format(flag="--delimiter", value=text))
    return _DELIMITERS[text]


def _cmd_batch(args: argparse.Namespace, out: TextIO) -> int:
    from contextlib import ExitStack

    from .. import batch

    # Everything that can be wrong with the options is found before the input is read.
    today = options.as_of(args)
    defaults = options.input_texts(args)
    delimiter = _delimiter(args.delimiter)
    chunk_rows = batch.DEFAULT_CHUNK_ROWS if args.chunk_rows is None else args.chunk_rows
    batch.check_options(chunk_rows=chunk_rows, decimal=args.decimal, encoding=args.encoding, defaults=defaults)
    chart_format = chart_path(args.chart, "--chart").suffix.lower().lstrip(".") if args.chart else None
    _distinct_outputs(args)
    fx = options.fx(args)
    source: Any = batch.stdin() if args.input in batch.STDIN_NAMES else args.input
    fmt = batch.output_format(args.output, args.output_format)
    bar = _progress_bar()
    started = time.perf_counter()
    signals = args.signals
    # The outputs are written to temporary files and put in place together at the end, after the
    # last check for Ctrl-C: an interrupted run leaves every earlier output as it was.
    try:
        with signals.deferred() as stop, ExitStack() as outputs:
            dest = outputs.enter_context(batch.atomic_write(args.output, inputs=[args.input], stop=stop))
            bom = None  # a CSV output starts with a byte order mark when the input does ...
            if dest.sink is sys.stdout.buffer and is_terminal(sys.stdout):
                dest = batch.Output(name=dest.name, sink=PrintableBytes(sys.stdout.buffer))
                bom = False  # ... but not on a terminal, where it is no use to a spreadsheet
            summary = batch.run_batch(
                source, dest, tariffs=lambda: options.tariffs(args), fx=fx, today=today, defaults=defaults,
                delimiter=delimiter, decimal=args.decimal, encoding=args.encoding, chunk_rows=chunk_rows,
                output_format=fmt, progress=bar.update if bar else None, stop=stop, bom=bom,
            )
            elapsed = time.perf_counter() - started
            if args.summary:
                report = summary.to_dict(fx)
                report = {"input": args.input, "output": args.output, "as_of": str(today or _today()),
                          "seconds": round(elapsed, 2), **report}
                text = json.dumps(_finite(report), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
                _write_text(outputs.enter_context(batch.atomic_write(
                    args.summary, inputs=[args.input, args.output], stop=stop)), text)
            if args.chart:
                _save_chart(summary, fx, outputs.enter_context(batch.atomic_write(
                    args.chart, inputs=[args.input, args.output], stop=stop)), chart_format)
    except BrokenPipeError:
        raise  # `returncost batch ... | head`: main() ends quietly
    except OSError as exc:
        if args.traceback:
            raise
        # the reader reports its own errors; what is left happened while writing an output
        where = args.output if not exc.filename or str(exc.filename).endswith(".part") else exc.filename
        raise batch.BatchError(_("{path}: {problem}; check the path, its permissions and the free space").format(
            path=where, problem=exc.strerror or exc)) from None
    finally:
        if bar:
            bar.close()
        if source is not args.input and source is not sys.stdin.buffer:
            source.close()
    if not isinstance(dest.sink, str):
        dest.sink.flush()
        sys.stdout.flush()
    if not args.quiet:
        print(printable("returncost batch: " + _run_line(args.input, args.output, summary.rows, elapsed)),
              file=sys.stderr)
        print(printable(summary.text(), lines=True), file=sys.stderr)
    if args.strict and summary.problem_rows:
        from ..formatting import number

        n = summary.problem_rows
        print("returncost: error: " + ngettext(
            "{rows} row has a problem (--strict); see the 'problem' column of the output",
            "{rows} rows have a problem (--strict); see the 'problem' column of the output", n).format(
            rows=number(n, 0)), file=sys.stderr)
        return 2
    return 0


def _run_line(source: str, output: str, rows: int, seconds: float) -> str:
    """What a batch did, after ``returncost batch:``: ``in.csv → out.csv: 3,000 rows in 0.4 s
    (7,500 rows/s)``, in the current language.

    Examples
    --------
    >>> _run_line("in.csv", "-", 3000, 0.4), _run_line("-", "out.csv", 1, 0.0)
    ('in.csv → -: 3,000 rows in 0.4 s (7,500 rows/s)', '- → out.csv: 1 row in 0 s')
    """
    from ..formatting import number

    words = dict(input=source, output=output, rows=number(rows, 0), seconds=number(seconds, 1))
    if seconds > 0 and rows:
        return ngettext("{input} → {output}: {rows} row in {seconds} s ({rate} rows/s)",
                        "{input} → {output}: {rows} rows in {seconds} s ({rate} rows/s)", rows).format(
            rate=number(rows / seconds, 0), **words)
    return ngettext("{input} → {output}: {rows} row in {seconds} s",
                    "{input} → {output}: {rows} rows in {seconds} s", rows).format(**words)


def _distinct_outputs(args: argparse.Namespace) -> None:
    """The output, the summary and the chart are three files (one would replace another)."""
    seen: dict[str, str] = {}
    for flag, path in (("--output", args.output), ("--summary", args.summary), ("--chart", args.chart)):
        if not path or path == "-":
            continue
        real = os.path.realpath(path)
        if real in seen:
            raise InputError(_("{flag}: {path!r} is the file given to {other}; name another file").format(
                flag=flag, path=path, other=seen[real]))
        seen[real] = flag


def _finite(obj: Any) -> Any:
    """``obj`` with non-finite numbers as null: a summary is valid JSON whatever the data."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _today():
    import datetime

    return datetime.date.today()


def _progress_bar():
    """A tqdm bar of rows and rows/s on a terminal; None when stderr is not one (pipes, CI)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    class _Rows:
        def __init__(self) -> None:
            # TRANSLATORS: the unit of the batch's progress bar on a terminal: "1.2k rows [00:03, 400 rows/s]"
            self.bar = tqdm(unit=" " + _("rows"), unit_scale=True, file=sys.stderr, desc="returncost batch",
                            leave=False)
            self.done = 0

        def update(self, done: int) -> None:
            self.bar.update(done - self.done)
            self.done = done

        def close(self) -> None:
            self.bar.close()

    return _Rows()


def _write_text(out: Any, text: str) -> None:
    """Write ``text`` to an output of :func:`calculator.batch.atomic_write`."""
    if isinstance(out.sink, str):
        with open(out.sink, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        out.sink.write(text.encode("utf-8"))


def _save_chart(summary, fx, out: Any, fmt: str) -> None:
    from ..charts import recommendations_chart, savings_chart

    fig, (left, right) = figure((11, 4.5), (1, 2))
    recommendations_chart(summary, ax=left)
    savings_chart(summary, right, fx=fx)
    fig.savefig(out.sink, dpi=120, format=fmt)
