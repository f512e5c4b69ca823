"""Opening an input: a file, a named pipe or standard input, compressed or not; refusing what is
not CSV text, naming what it is; and the CSV's delimiter and decimal mark, from its first bytes."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pyarrow as pa

from ..formatting import decimal_mark, number
from ..i18n import N_, _
from .columns import FIELD, BatchError, norm_name


#: Names of standard input: read from the stream this process was given, never opened by name.
STDIN_NAMES = ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")


_SNIFF_BYTES = 1 << 16


#: First bytes of files that are not CSV text, and what to do about them. Compressed CSV that
#: pyarrow reads (gzip, bzip2, zstd) is decompressed instead.
_NOT_CSV = (
    (b"PK\x03\x04", N_("a zip archive: unpack it first")),
    (b"\xd0\xcf\x11\xe0", N_("an Excel 97-2003 workbook (.xls): save it as 'CSV UTF-8' first")),
    (b"\xfd7zXZ\x00", N_("an xz-compressed file: decompress it first (unxz), or compress with gzip, bzip2 or zstd")),
    (b"7z\xbc\xaf\x27\x1c", N_("a 7-Zip archive: unpack it first")),
    (b"Rar!\x1a\x07", N_("a RAR archive: unpack it first")),
    (b"%PDF", N_("a PDF document: export the orders as CSV")),
)


_COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\x28\xb5\x2f\xfd", "zstd"))


def stdin() -> IO[bytes]:
    """Standard input for the reader: its file descriptor unbuffered (a reader thread blocked on it
    holds no lock that Python needs when it exits), else ``sys.stdin.buffer``."""
    try:
        return open(os.dup(sys.stdin.fileno()), "rb", buffering=0)  # noqa: SIM115
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return sys.stdin.buffer


class _Replay(io.RawIOBase):
    """A byte stream that first returns ``head`` and then the rest of ``stream`` (stdin). While
    ``recording``, what it returns is kept, so that a reader that failed at the start (a block too
    small for the header) can start again from byte 0 with :meth:`again`."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._stream = stream
        self.recording = True
        self._seen = bytearray()

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._head:
            k = min(len(b), len(self._head))
            b[:k] = self._head[:k]
            self._head = self._head[k:]
        else:
            data = self._stream.read(len(b))
            k = len(data)
            b[:k] = data
        if self.recording:
            self._seen += bytes(b[:k])
        return k

    def again(self) -> _Replay:
        """A new stream from the first byte (what was read so far, then the rest)."""
        return _Replay(bytes(self._seen) + bytes(self._head), self._stream)


def _check_text(head: bytes, name: str, encoding: str | None) -> None:
    """Refuse what is not CSV text, naming what it is and what to do."""
    for magic, what in _NOT_CSV:
        if head.startswith(magic):
            if magic == b"PK\x03\x04" and b"[Content_Types].xml" in head[:4096]:
                what = N_("an Excel or OpenDocument workbook (a zip archive): save it as 'CSV UTF-8' first")
            raise BatchError(_("{path}: {problem}").format(path=name, problem=_(what)))
    if encoding is not None:
        return
    even, odd = head[0::2], head[1::2]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            len(head) >= 8 and max(even.count(0), odd.count(0)) > 0.4 * len(head) / 2):
        raise BatchError(_("{path}: UTF-16 text: save it as UTF-8 ('CSV UTF-8'), or give --encoding utf-16").format(
            path=name))
    # Binary data has NUL bytes all over; a text file may have one in a cell or two, anywhere:
    # those rows get a problem (see _decode), the file is read.
    if head.count(0) > max(8, len(head) // 1000):
        raise BatchError(_("{path}: not a text file (binary data: a NUL byte at byte {byte}, and {more} more); give a "
                           "CSV file or a .parquet file").format(path=name, byte=head.index(0) + 1,
                                                                 more=number(head.count(0) - 1, 0)))
    # An 8-bit encoding (Windows-1251, Latin-1) has many bytes that are not UTF-8 and no UTF-8
    # letters; a UTF-8 file with a damaged cell or two is read, and those rows get a problem.
    text = head[: len(head) - 4 if len(head) >= _SNIFF_BYTES else len(head)].decode("utf-8", "replace")
    wrong = text.count("\ufffd")
    right = sum(1 for ch in text if ord(ch) > 127) - wrong
    if wrong >= 3 and wrong > right:
        code = legacy_code(head)
        raise BatchError(_("{path}: not UTF-8 text; it looks like {encoding}: give --encoding {code}, or save it as "
                           "'CSV UTF-8'").format(path=name, encoding=legacy_encoding(code), code=code))


def legacy_code(data: bytes) -> str:
    """The 8-bit encoding a text not in UTF-8 most likely has: Cyrillic words are runs of bytes
    from 0xC0 up in Windows-1251, Latin-1 has single accented letters between ASCII ones."""
    high = np.frombuffer(data, np.uint8) >= 0xC0
    if not high.any():
        return "cp1252"
    runs = high[1:] & high[:-1]
    return "cp1251" if runs.sum() >= 0.5 * high.sum() else "cp1252"


#: The 8-bit encodings :func:`legacy_code` tells apart, by name.
_LEGACY = {"cp1251": N_("Windows-1251, Cyrillic"), "cp1252": N_("Latin-1 / Windows-1252")}


def legacy_encoding(code: str) -> str:
    return _(_LEGACY[code])


_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True, kw_only=True)
class Dialect:
    """How a CSV input is written, from its first bytes: the ``delimiter`` and ``decimal`` mark it is
    read with, whether it starts with a UTF-8 byte order mark (``bom``: what Excel's "CSV UTF-8"
    writes), and which of the two the file shows or the options gave (``shows_delimiter``: the
    delimiter splits the header into columns; ``shows_decimal``: its numbers have a decimal mark).
    What it does not show is left to the language of the output (:func:`output_dialect`)."""

    delimiter: str = ","
    decimal: str = "."
    bom: bool = False
    shows_delimiter: bool = False
    shows_decimal: bool = False


def output_dialect(dialect: Dialect | None, delimiter: str | None = None, decimal: str | None = None
                   ) -> tuple[str, str]:
    """The delimiter and decimal mark of a CSV output, so that the spreadsheet the input came from
    opens it as it opened the input.

    The options (``delimiter``, ``decimal``) win; then what the input CSV shows (``dialect``; None
    for Parquet, which shows nothing); then the current language: its decimal mark (CLDR: ``.`` in
    English, ``,`` in Russian), with ``;`` between cells where that mark is a comma, as Excel does
    in those languages. A comma-separated output keeps the decimal point unless told otherwise
    (a decimal comma would need quotes around every number). An English run writes ``,`` and
    ``.`` wherever the input does not say.

    Examples
    --------
    >>> from calculator.i18n import language
    >>> excel_ru = Dialect(delimiter=";", decimal=",", bom=True, shows_delimiter=True, shows_decimal=True)
    >>> with language("ru"):
    ...     output_dialect(None), output_dialect(excel_ru), output_dialect(None, ",")
    ((';', ','), (';', ','), (',', '.'))
    >>> output_dialect(None), output_dialect(excel_ru), output_dialect(Dialect(delimiter=";", shows_delimiter=True))
    ((',', '.'), (';', ','), (';', '.'))
    """
    mark = decimal_mark()
    if delimiter is None:
        delimiter = dialect.delimiter if dialect is not None and dialect.shows_delimiter else (
            ";" if mark == "," else ",")
    if decimal is None:
        if dialect is not None and dialect.shows_decimal:
            decimal = dialect.decimal
        else:
            decimal = "." if delimiter == "," else mark
    return delimiter, decimal


def sniff(head: bytes, name: str, delimiter: str | None, decimal: str | None,
          encoding: str | None = None) -> Dialect:
    """The dialect of a CSV from its first bytes (``delimiter`` and ``decimal``, when given, are
    taken as they are); refuses empty files and what is not CSV text (binary, archives, UTF-16, an
    8-bit encoding without ``encoding``)."""
    bom = head.startswith(_BOM) and encoding is None
    shows_delimiter, shows_decimal = delimiter is not None, decimal is not None
    body = head[3:] if bom else head
    if not body.strip(b" \t\r\n\x00\xff\xfe"):
        raise BatchError(_("{path}: the file is empty; its first line must name the columns "
                           "(price,currency,origin,weight_g,...)").format(path=name))
    _check_text(body, name, encoding)
    text = body.decode(encoding or "utf-8", "replace")
    lines = text.splitlines()
    if len(head) >= _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    sample = "\n".join(lines[:200])
    if delimiter is None:
        best = (-1, -1)
        delimiter = ","
        for d in (",", ";", "\t", "|"):
            try:
                header = next(csv.reader(io.StringIO(sample), delimiter=d), [])
            except csv.Error:
                continue
            score = (sum(norm_name(h) in FIELD for h in header), len(header))
            if score > best:
                best, delimiter = score, d
        shows_delimiter = best[1] > 1  # a header of one column shows no delimiter
    if decimal is None:
        decimal = "."
        if delimiter != ",":
            try:
                cells = [c.strip() for r in list(csv.reader(io.StringIO(sample), delimiter=delimiter))[1:] for c in r]
            except csv.Error:
                cells = []
            commas = sum(bool(re.fullmatch(r"[+-]?\d+,\d+", c)) for c in cells)
            points = sum(bool(re.fullmatch(r"[+-]?\d+\.\d+", c)) for c in cells)
            decimal = "," if commas > points else "."
            shows_decimal = commas + points > 0
    return Dialect(delimiter=delimiter, decimal=decimal, bom=bom, shows_delimiter=shows_delimiter,
                   shows_decimal=shows_decimal)


class Input:
    """The input for pyarrow, from its first byte, as often as asked: a path (``again`` at any time),
    a decompressing stream (opened anew), or a stream read once (standard input, a named pipe)
    that can start again only until :meth:`settle` (the bytes read so far are kept until then)."""

    def __init__(self, head: bytes, open_: Callable[[], Any] | None = None, stream: _Replay | None = None) -> None:
        self.head = head
        self._open = open_
        self._stream = stream
        self._used = False

    @property
    def reopens(self) -> bool:
        return self._open is not None

    def again(self) -> Any:
        if self._open is not None:
            return self._open()
        assert self._stream is not None
        if self._used:
            self._stream = self._stream.again()
        self._used = True
        return self._stream

    def settle(self) -> None:
        if self._stream is not None:
            self._stream.recording = False


def open_input(source: str | os.PathLike[str] | IO[bytes], name: str) -> Input:
    """The input's first bytes and a way to read it all; compressed input is decompressed."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, "rb") as fh:
                magic = fh.read(8)
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except FileNotFoundError:
            raise BatchError(_("{path}: no such file").format(path=name)) from None
        except IsADirectoryError:
            raise BatchError(_("{path}: is a folder; give a .csv or .parquet file").format(path=name)) from None
        except OSError as exc:
            raise BatchError(_("{path}: {problem}; check the path and its permissions").format(
                path=name, problem=exc.strerror)) from None
        codec = next((c for m, c in _COMPRESSED if magic.startswith(m)), None)
        if regular and codec is None:
            with open(path, "rb") as fh:
                return Input(fh.read(_SNIFF_BYTES), lambda: path)
        if regular:
            def decompressed() -> Any:
                return pa.input_stream(path, compression=codec)

            try:
                head = decompressed().read(_SNIFF_BYTES)
            except (OSError, pa.ArrowInvalid) as exc:
                raise BatchError(_("{path}: a damaged {codec} file ({error})").format(
                    path=name, codec=codec, error=exc)) from None
            return Input(head, decompressed)
        source = open(path, "rb")  # a named pipe or a device: read once, like stdin  # noqa: SIM115
    raw: Any = source
    magic = _read_some(raw, 8, 8)
    codec = next((c for m, c in _COMPRESSED if magic.startswith(m)), None)
    if codec is not None:
        raw = pa.CompressedInputStream(pa.PythonFile(_Replay(magic, raw), mode="r"), codec)
        magic = b""
    try:
        head = magic + _read_some(raw, _SNIFF_BYTES - len(magic), 20)
    except (OSError, pa.ArrowInvalid) as exc:
        raise BatchError(_("{path}: a damaged {codec} stream ({error})").format(
            path=name, codec=codec, error=exc)) from None
    return Input(head, stream=_Replay(head, raw))


def _read_some(stream: Any, size: int, lines: int) -> bytes:
    """Up to ``size`` bytes of a stream, but no more than it takes to get ``lines`` line breaks:
    a pipe that delivers a header and then waits is sniffed without waiting for 64 KiB."""
    got = bytearray()
    while len(got) < size and got.count(b"\n") < lines:
        data = stream.read(size - len(got))
        if not data:
            break
        got += data
    return bytes(got)
