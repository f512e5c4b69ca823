"""What ``returncost`` does for the terminal it runs in: the one handler of signals, and control
characters shown as escapes in everything printed there (text, warnings, decisions written to ``-o -``).

The standard library only (and :mod:`calculator.i18n` for the words of an interrupted run): every
run imports this module.
"""

from __future__ import annotations

import io
import re
import sys
from contextlib import contextmanager
from typing import Any, TextIO

__all__ = ["Signals", "printable", "PrintableText", "PrintableBytes", "is_terminal", "show_warning"]


class Signals:
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

    def __enter__(self) -> Signals:
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
        """Say so (in the current language, after the ``returncost:`` prefix) and give the exit code
        of an interrupted run."""
        import signal

        from ..i18n import _

        num = self.received or signal.SIGINT
        text = _("interrupted") if num == signal.SIGINT else _("stopped by {signal}").format(
            signal=signal.Signals(num).name)
        print(f"returncost: {text}", file=sys.stderr)
        return 128 + int(num)


def is_terminal(stream: object) -> bool:
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


class PrintableText:
    """A text stream that escapes control characters (for standard output on a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text, lines=True))

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


class PrintableBytes(io.RawIOBase):
    """A binary stream that escapes control characters, for decisions written to a terminal (bytes
    are decoded as they come, a character split between two writes included)."""

    def __init__(self, stream: Any) -> None:
        import codecs

        self._stream = stream
        self._text = codecs.getincrementaldecoder("utf-8")(errors="backslashreplace")

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._stream.write(printable(self._text.decode(bytes(data)), lines=True).encode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self._stream.flush()


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning is one line on stderr, like an error (its text is in the language it was issued in;
    the ``returncost: warning:`` prefix stays English)."""
    print(f"returncost: warning: {printable(str(message))}", file=sys.stderr)
