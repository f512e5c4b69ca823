"""The ``returncost`` command's entry point.

It lives outside the ``calculator`` package so that it runs before the package is imported: a
Ctrl-C while Python still loads numpy and the tariffs ends the command as quietly as one while it
works (``calculator.cli.main`` handles signals from its first line on): one line, exit 130.
"""

import sys


def main() -> int:
    try:
        from calculator.cli import main as returncost

        return returncost()
    except KeyboardInterrupt:  # before calculator.cli.main took the signals over
        sys.stderr.write("returncost: interrupted\n")
        return 130
