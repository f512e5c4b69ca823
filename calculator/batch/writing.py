"""Writing outputs: whole or not at all, and never over the input."""

from __future__ import annotations

import io
import os
import re
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from ..i18n import _
from .cells import nested
from .columns import BatchError
from .opening import STDIN_NAMES
from .schema import finish


class BatchWarning(UserWarning):
    """A run goes ahead, but the user should know something (another run writes the same output)."""


#: Names of standard output and input: written to (read from) the stream this process was given,
#: never opened by name (opening /dev/stdout reopens a redirect target at byte 0).
_STDOUT_NAMES = ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")


#: Folders of the operating system: an output is never renamed into them. Devices there (/dev/null)
#: are written in place; /dev/shm is an ordinary memory-backed folder.
_SYSTEM_TREES = ("/dev", "/proc", "/sys")


_SYSTEM_FOLDERS = ("/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64", "/sbin", "/usr/bin", "/usr/lib", "/usr/sbin")


_FD_PATH = re.compile(r"/(?:dev/fd|proc/(?:self|\d+)/fd)/(\d+)")


#: Temporary files are named ``.NAME.returncost-PID-XXXXXXXX.part``: recognisable, and the process
#: id says whether the run that made one may still be writing it.
_TEMP_TAG = ".returncost-"


_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.returncost-(?P<pid>\d+)-[^.]+\.part")


@dataclass(frozen=True, slots=True, kw_only=True)
class Output:
    """An output being written (from :func:`atomic_write`).

    ``name`` is the path as the user gave it; ``sink`` is where the bytes go meanwhile: a temporary
    file in the same folder that becomes ``name`` when the writing succeeds, a device or named
    pipe written in place, or a binary stream (standard output).
    """

    name: str
    sink: str | IO[bytes]


@contextmanager
def atomic_write(dest: str | os.PathLike[str] | IO[bytes], *, inputs: Sequence[object] = (),
                 stop: threading.Event | None = None) -> Iterator[Output]:
    """Write an output whole or not at all.

    A path gets a temporary file in its folder, renamed over the path when the ``with`` block ends
    without an error (and ``stop`` is not set); on any error, ``KeyboardInterrupt`` included, the
    temporary file is removed and an existing file stays untouched. The file keeps the permissions
    of the file it replaces, or gets those of a new file.

    - ``-`` and ``/dev/stdout`` are standard output; a binary stream is written as it is.
    - A symbolic link is written through: its target gets the data, the link stays.
    - A device or named pipe (``/dev/null``, ``>(gzip > d.csv.gz)``) is written in place.
    - Refused (:class:`BatchError`, nothing written): a path that is one of ``inputs`` (by inode,
      whatever the spelling), a folder, a path in a system folder, a missing folder.
    - Temporary files of earlier runs that were killed (their process is gone) are removed; one
      of a run still writing the same path gives a :class:`BatchWarning`.
    """
    if not isinstance(dest, (str, os.PathLike)):
        yield Output(name="<stream>", sink=dest)
        return
    name = os.fspath(dest)
    if _fd_number(name) == 1:
        _refuse_input(name, _fstat(sys.stdout), inputs)
        yield Output(name=name, sink=sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    path, in_place = _target(name, inputs)
    if in_place:
        yield Output(name=name, sink=path)
        return
    folder, base = os.path.split(path)
    _clear_leftovers(folder, base, name)
    fd, tmp = -1, ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{_temp_base(base)}{_TEMP_TAG}{os.getpid()}-", suffix=".part", dir=folder)
        _lock(fd)  # held until the end: tells other runs that this temporary file is alive
        yield Output(name=name, sink=tmp)
        if stop is not None and stop.is_set():
            raise KeyboardInterrupt
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
        tmp = ""
    except FileNotFoundError as exc:
        if exc.filename not in (tmp, folder):
            raise
        raise BatchError(_("{path}: the folder {folder!r} went away while writing; write elsewhere").format(
            path=name, folder=folder)) from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp:
            with suppress(FileNotFoundError):
                os.unlink(tmp)


def _fd_number(name: str) -> int | None:
    """The file descriptor of this process that ``name`` stands for (``-``, /dev/stdout,
    /dev/fd/N, /proc/self/fd/N, or a link to one of them), else None."""
    if name in _STDOUT_NAMES:
        return 1
    seen = 0
    while seen < 40:
        m = _FD_PATH.fullmatch(name)
        if m and (not name.startswith("/proc/") or name.split("/")[2] in ("self", str(os.getpid()))):
            return int(m.group(1))
        try:
            link = os.readlink(name)
        except OSError:
            return None
        name = os.path.join(os.path.dirname(name), link)
        seen += 1
    return None


def _fstat(stream: Any) -> os.stat_result | None:
    try:
        return os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _target(name: str, inputs: Sequence[object]) -> tuple[str, bool]:
    """(path to write, written in place) for an output path; raises BatchError for a path that
    must not be written."""
    try:
        st: os.stat_result | None = os.stat(name)  # through symbolic links
    except FileNotFoundError:
        st = None  # not there yet (or a link to a file not there yet)
    except OSError as exc:  # a link loop, a file used as a folder, no permission
        raise BatchError(_("{path}: {problem}; check the path").format(path=name, problem=exc.strerror)) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise BatchError(_("{path}: is a folder; give a file name for the output").format(path=name))
    if st is not None and stat.S_ISREG(st.st_mode):
        _refuse_input(name, st, inputs)
    if _fd_number(name) is not None or (st is not None and not stat.S_ISREG(st.st_mode)):
        return name, True  # a device, a named pipe, an open file descriptor: a rename would replace it
    path = os.path.realpath(name)  # a link stays a link; its target gets the data
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        given = os.path.dirname(name) or "."
        raise BatchError(_("{path}: there is no folder {folder!r}; create it or write elsewhere").format(
            path=name, folder=given))
    if _system_folder(folder):
        raise BatchError(_("{path}: {folder} is a system folder; write the output elsewhere").format(
            path=name, folder=folder))
    return path, False


def _system_folder(folder: str) -> bool:
    if folder in _SYSTEM_FOLDERS:
        return True
    inside = [t for t in _SYSTEM_TREES if folder == t or folder.startswith(t + "/")]
    return bool(inside) and not (folder == "/dev/shm" or folder.startswith("/dev/shm/"))


def _refuse_input(name: str, st: os.stat_result | None, inputs: Sequence[object]) -> None:
    """An output that is one of the inputs (the same file by device and inode) is refused."""
    if st is None or not stat.S_ISREG(st.st_mode):
        return
    for src in inputs:
        if isinstance(src, (str, os.PathLike)) and os.fspath(src) not in STDIN_NAMES:
            try:
                other = os.stat(src)
            except OSError:
                continue
            shown = os.fspath(src)
        else:
            other = _fstat(sys.stdin if isinstance(src, (str, os.PathLike)) else src)
            shown = _("standard input")
        if other is not None and (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            raise BatchError(_("{path}: is the input file ({input}); write the output to another file").format(
                path=name, input=shown))


def _temp_base(base: str) -> str:
    """The output's name as it appears in its temporary files (shortened: a name has at most 255 bytes)."""
    return base if len(base.encode()) <= 180 else base[:60]


def _clear_leftovers(folder: str, base: str, name: str) -> None:
    """Remove the temporary files of earlier runs to the same output whose process is gone (killed
    with SIGKILL or by the kernel, so they could not clean up); warn about a run still writing."""
    prefix = f".{_temp_base(base)}{_TEMP_TAG}"
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(prefix) and e.name.endswith(".part")]
    except OSError:
        return
    for e in entries:
        m = _TEMP_NAME.fullmatch(e.name)
        if not m:
            continue
        pid = int(m.group("pid"))
        locked = _locked(e.path)
        if locked or (locked is None and _running(pid)):
            if pid != os.getpid():
                warnings.warn(BatchWarning(_(
                    "{path}: another run (process {pid}) is writing this output right now; whichever finishes last "
                    "replaces the other's output").format(path=name, pid=pid)), stacklevel=3)
        elif not _running(pid):
            with suppress(OSError):
                os.unlink(e.path)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _lock(fd: int) -> None:
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (ImportError, OSError):
        pass  # no locks here (Windows, some network folders): the process id is the only sign


def _locked(path: str) -> bool | None:
    """Whether a live process holds the lock of a temporary file; None where locks are unknown."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)
    return False


def _mode_for(path: str) -> int:
    """The permissions of the file being replaced, else those a new file gets."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def output_format(dest: str | os.PathLike[str] | None, given: str | None = None) -> str:
    """The format an output is written in: ``given``, else by the name (``.parquet``, ``.pq``:
    Parquet; anything else, and standard output: CSV)."""
    if given:
        return given
    if dest is None or os.fspath(dest) in _STDOUT_NAMES:
        return "csv"
    suffix = Path(dest).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    return "csv"


#: The UTF-8 byte order mark: Excel reads a CSV that starts with it as UTF-8 ("CSV UTF-8").
BOM = b"\xef\xbb\xbf"


class ChunkWriter:
    """Writes output chunks as CSV or Parquet, in order, one schema for the whole run.

    :meth:`write` turns an evaluated chunk into the table written (:meth:`prepare`: text decoded,
    formulas neutralised, yes/no) and writes it, mostly in pyarrow without the GIL, so a thread of
    its own can write while the next chunk is evaluated. A CSV has ``delimiter`` between cells,
    ``decimal`` as the mark of its numbers (plain, without thousands separators), and starts with
    a UTF-8 byte order mark when ``bom`` is set (Parquet never has one).
    """

    def __init__(self, sink: str | IO[bytes], fmt: str, delimiter: str, decimal: str, *, bom: bool = False) -> None:
        self.sink, self.fmt, self.delimiter, self.decimal = sink, fmt, delimiter, decimal
        self.bom = bom and fmt == "csv"
        self.schema: pa.Schema | None = None
        self._w: Any = None
        self._file: Any = None  # the file this writer opened (a CSV with a BOM written to a path)

    def start(self, first: pa.Table) -> None:
        """Fix the schema of the whole run from the first chunk."""
        self.schema = self.prepare(first.slice(0, 0)).schema

    def prepare(self, t: pa.Table) -> pa.Table:
        if self.fmt == "csv":
            t = pa.Table.from_arrays([_csv_column(c) for c in t.columns], names=t.column_names)
        t = finish(t, spreadsheet_safe=self.fmt == "csv")
        if self.fmt == "csv" and self.decimal == ",":
            cols = [pc.replace_substring(pc.cast(c, pa.string()), ".", ",") if pa.types.is_floating(c.type) else c
                    for c in t.columns]
            t = pa.Table.from_arrays(cols, names=t.column_names)
        if self.schema is None:
            self.schema = t.schema
        elif t.schema != self.schema:
            t = t.cast(self.schema)
        return t

    def write(self, t: pa.Table) -> None:
        t = self.prepare(t)
        if self._w is None:
            if self.fmt == "parquet":
                import pyarrow.parquet as pq

                self._w = pq.ParquetWriter(self.sink, self.schema)
            else:
                import pyarrow.csv as pacsv

                sink: Any = self.sink
                if self.bom:
                    if isinstance(sink, str):
                        sink = self._file = pa.OSFile(sink, "wb")
                    sink.write(BOM)
                self._w = pacsv.CSVWriter(sink, self.schema,
                                          write_options=pacsv.WriteOptions(delimiter=self.delimiter))
        self._w.write_table(t)

    def close(self) -> None:
        if self._w is not None:
            self._w.close()
        if self._file is not None:
            self._file.close()
            self._file = None
        if not isinstance(self.sink, str):
            self.sink.flush()


def _csv_column(c: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A column as CSV text holds it: yes/no for booleans (as the inputs are written), JSON for
    lists, structures and maps, escapes for bytes that are not UTF-8."""
    t = c.type
    if pa.types.is_boolean(t):
        return pc.if_else(c, "yes", "no")
    if nested(t):
        import json

        return pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                         for v in c.to_pylist()], pa.string())
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        try:
            return c.cast(pa.string())
        except pa.ArrowInvalid:
            return pa.array([None if v is None else v.decode("utf-8", "backslashreplace") for v in c.to_pylist()],
                            pa.string())
    return c
