"""The ``returncost`` command. Each subcommand builds inputs, calls one API function and formats it.

User mistakes print one line, ``returncost: error: <where>: <what>; <fix>``, and exit with 2;
``--traceback`` shows the full trace instead.

Languages: every text a person reads is in the language of ``--lang``, else of the environment
(:mod:`calculator.i18n`), the help included: the parser's help texts are read when it is built, so
:func:`main` looks for ``--lang`` in the command line first (:func:`given_language`) and builds the
parser in that language. The prefixes ``returncost: error:`` and ``returncost: warning:`` stay
English (scripts look for them), and so do argparse's own words and its usage errors.

The package, from the ground up (no module imports one above it, and nothing outside it imports it):

- :mod:`.terminal`: the one handler of signals; control characters escaped on a terminal;
- :mod:`.options`: the options the subcommands share and the one generator of input flags
  (:data:`calculator.inputs.FIELDS` → ``--partial-refund FRACTION``), and their reading;
- :mod:`.output`: JSON, CSV and charts;
- :mod:`.analysis` (``sensitivity``, ``map``, ``thresholds``, the charts of ``estimate``),
  :mod:`.estimate`, :mod:`.tariffs` (``quote``, ``tariffs``), :mod:`.batch`: the subcommands;
- here: the parser and :func:`main`, which runs a subcommand and turns what goes wrong into one line.

Every run imports all of them, so none imports anything heavy at module level.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import warnings
from collections.abc import Sequence

from .. import __version__
from ..errors import CalculatorError, InputError
from ..i18n import _, language
from . import analysis, batch, estimate, options, tariffs
from .terminal import PrintableText, Signals, is_terminal, printable, show_warning

__all__ = ["main", "build_parser", "given_language", "printable"]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (``returncost: error: ...``) and exit code 2.

    The line stays as argparse words it, in English (argparse's own messages are not in the
    catalog), and so does the pointer to the help that ends it."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"returncost: error: {message}; see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``returncost`` parser, its help texts in the current language."""
    parser = _Parser(
        prog="returncost",
        description=_("Should you return a marketplace order, take a partial refund, or keep it?"),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    options.add_lang(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (estimate, tariffs, analysis, batch):  # in the order the README lists them
        group.add_commands(sub)
    return parser


#: ``--lang``, and the abbreviations of it that argparse accepts (no other option starts with ``--l``).
_LANG_FLAG = re.compile(r"--l(?:a(?:ng?)?)?(?:=(.*))?", re.S)


def given_language(argv: Sequence[str]) -> str | None:
    """The language the command line asks for with ``--lang`` (the last one given, before the
    command or after it), or None when it asks for none or for one the tool does not speak (the
    parser then reports that as a user error).

    The parser's help texts are written when it is built, before it reads ``--lang``: this look
    ahead lets ``returncost --lang ru estimate --help`` be in Russian.

    Examples
    --------
    >>> given_language(["--lang", "ru", "estimate", "--help"]), given_language(["estimate", "--lang=ru_RU"])
    ('ru', 'ru')
    >>> given_language(["--lang", "xx", "tariffs", "list"]), given_language(["batch", "--", "--lang"])
    (None, None)
    """
    value = None
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        m = _LANG_FLAG.fullmatch(arg)
        if m:
            value = m.group(1) if m.group(1) is not None else (args[i + 1] if i + 1 < len(args) else None)
    if value is None:
        return None
    try:
        with language(value) as lang:
            return lang
    except InputError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``returncost`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Ctrl-C (SIGINT), SIGTERM and SIGHUP are handled here, in one place: the command stops, leaves
    no output behind and exits with 128 + the signal's number (130, 143, 129), without a traceback.
    Text printed to a terminal has its control characters escaped. The texts are in the language of
    ``--lang``, else of the environment (:mod:`calculator.i18n`), ``--help`` included; the choice
    ends with the run.
    """
    with Signals() as signals:
        argv = list(sys.argv[1:] if argv is None else argv)
        with language(given_language(argv)):
            try:
                return _main(argv, signals)
            except SystemExit:
                raise
            except BaseException:
                if signals.received:
                    return signals.report()
                raise


def _main(argv: Sequence[str], signals: Signals) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.signals = signals
    out = PrintableText(sys.stdout) if is_terminal(sys.stdout) else sys.stdout
    try:
        with language(args.lang), warnings.catch_warnings():
            # Tariff warnings (an expired price list) are reported in the output itself; any other
            # is one line on stderr.
            from ..tariffs import TariffWarning

            warnings.filterwarnings("default", category=UserWarning)
            warnings.simplefilter("ignore", TariffWarning)
            warnings.showwarning = show_warning
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
        print("returncost: error: " + _("{path}: {problem}; check the path").format(path=where, problem=exc.strerror),
              file=sys.stderr)
        return 2
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
