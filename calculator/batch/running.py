"""Running a batch: read chunk n+1 and write chunk n-1 while chunk n is evaluated.

Each step's result, or its error, comes back through a :class:`concurrent.futures.Future`, and
``stop`` (set by a signal handler or another thread) is looked at while waiting for one. Writing
runs in a one-thread pool, so chunks are written in the order they were handed over. Reading runs
in :class:`_DaemonExecutor`, the same with a daemon thread: reading standard input can block for
ever, and Python waits for a pool's threads when it exits.
"""

from __future__ import annotations

import datetime as _dt
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from concurrent.futures import TimeoutError as _Timeout
from contextlib import suppress
from dataclasses import replace
from typing import IO, Any, TypeVar

import pyarrow as pa

from ..errors import InputError
from ..i18n import _, ngettext
from .columns import check_columns, read_defaults
from .opening import output_dialect
from .reading import DEFAULT_CHUNK_ROWS, Chunk, Source, read_chunks
from .summary import BatchSummary, summary_of
from .table import Evaluated, evaluate
from .writing import Output, ChunkWriter, atomic_write
from .writing import output_format as _format_of  # run_batch's parameter has the name

_T = TypeVar("_T")


def run_batch(
    source: str | os.PathLike[str] | IO[bytes],
    dest: str | os.PathLike[str] | IO[bytes] | Output,
    *,
    tariffs: Iterable[Any] | Callable[[], Iterable[Any]] | None = None,
    fx: Any = None,
    today: _dt.date | None = None,
    defaults: Mapping[str, object] | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    input_format: str | None = None,
    output_format: str | None = None,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
    bom: bool | None = None,
) -> BatchSummary:
    """Evaluate every order of ``source`` into ``dest``, chunk by chunk.

    Parameters
    ----------
    source
        A ``.csv`` or ``.parquet`` path (``.csv.gz``, ``.csv.bz2``, ``.csv.zst`` are decompressed),
        or a binary stream (stdin); Parquet is recognised by its first bytes.
    dest
        A path (``.parquet``/``.pq`` → Parquet, anything else → CSV), ``-`` for standard output, a
        binary stream, or an :class:`Output` of :func:`atomic_write`. A path is written through
        :func:`atomic_write`: an interrupted or failed run leaves no partial output and an
        existing file untouched; the input itself, a folder or a system folder are refused.
    tariffs, fx, today, defaults
        As for :func:`evaluate_frame`; ``tariffs`` may also be a function that returns them, called
        once the reader has started (so that reading and loading overlap).
    delimiter, decimal
        Force the CSV dialect of the input (detected otherwise) and of a CSV output. A CSV output
        otherwise uses the delimiter and decimal mark the input CSV shows, so a file from a
        spreadsheet goes back to it as it came; where the input shows none (Parquet, a header of
        one column, numbers without a decimal mark) the current language decides: ``;`` and decimal
        commas in Russian, ``,`` and points in English (:func:`~calculator.batch.opening.output_dialect`).
        Dates stay ISO (YYYY-MM-DD) in every language.
    encoding
        The text encoding of a CSV that is not UTF-8 (``cp1251``, ``latin-1``, ...).
    chunk_rows
        Rows evaluated at once; memory grows with this, not with the file.
    progress
        Called with the number of rows done after each chunk.
    bom
        Start a CSV output with a UTF-8 byte order mark (Excel's "CSV UTF-8"); None: when the input
        CSV starts with one. The command line gives False for decisions shown on a terminal.
    stop
        When set (by a signal handler or another thread), the run stops after the chunk at hand,
        writes nothing and raises ``KeyboardInterrupt``.

    Returns
    -------
    BatchSummary
    """
    check_options(chunk_rows=chunk_rows, decimal=decimal, encoding=encoding, defaults=defaults)
    today = today or _dt.date.today()  # one date for every chunk, even across midnight
    stop = stop or threading.Event()
    # The input is opened, and its first chunk read, in a thread of its own from now on: it parses
    # (without the GIL) while the tariffs load and pandas imports, and a stream that stalls (stdin)
    # cannot keep this thread from seeing `stop`. The header is checked as soon as it is read.
    opened: Future[tuple[Source, Iterator[Chunk]]] = Future()
    opened.set_running_or_notify_cancel()

    def open_input() -> Chunk | None:
        try:
            info, chunks = read_chunks(source, delimiter=delimiter, decimal=decimal, encoding=encoding,
                                       chunk_rows=chunk_rows, input_format=input_format)
        except BaseException as exc:
            opened.set_exception(exc)
            raise
        opened.set_result((info, chunks))
        return next(chunks, None)

    reads = _DaemonExecutor()
    try:
        first = reads.submit(open_input)
        tset = _load_tariffs(tariffs, today)
        info, chunks = _result(opened, stop)
        check_columns(info.columns, defaults,
                      where=_("{path}, line 1").format(path=info.name) if info.format == "csv"
                      else _("{path}, columns").format(path=info.name))
        _preload(output_format == "parquet" or info.format == "parquet")
        run = dict(stop=stop, tariffs=tset, fx=fx, today=today, defaults=defaults, progress=progress)
        dialect = output_dialect(info.dialect, delimiter, decimal)
        with_bom = info.dialect is not None and info.dialect.bom if bom is None else bom
        if isinstance(dest, Output):
            fmt = _format_of(dest.name if isinstance(dest.sink, str) else None, output_format)
            writer = ChunkWriter(dest.sink, fmt, *dialect, bom=with_bom)
            return _pipeline(info, first, chunks, reads, writer, **run)
        fmt = _format_of(dest if isinstance(dest, (str, os.PathLike)) else None, output_format)
        with atomic_write(dest, inputs=(source,), stop=stop) as out:
            return _pipeline(info, first, chunks, reads, ChunkWriter(out.sink, fmt, *dialect, bom=with_bom), **run)
    finally:
        # A read in progress when the run stops finishes first: pyarrow must not be parsing while
        # Python shuts down. One blocked on a stream that stalls (stdin) is left behind.
        reads.shutdown(wait=False)
        wait(reads.running(), timeout=_READ_GRACE)


#: Seconds a run that stops waits for a read in progress.
_READ_GRACE = 1.0


def check_options(*, chunk_rows: int = DEFAULT_CHUNK_ROWS, decimal: str | None = None, encoding: str | None = None,
                  defaults: Mapping[str, object] | None = None) -> None:
    """Refuse options that cannot work, before anything is read; raises :class:`InputError` naming
    the option (values for missing columns are read like cells and must be in range)."""
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise InputError(_("{flag}: {value} must be at least 1").format(flag="--chunk-rows", value=chunk_rows))
    if decimal not in (None, ".", ","):
        raise InputError(_("{flag}: {value!r} must be '.' or ','").format(flag="--decimal", value=decimal))
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(_("{flag}: {value!r} is not a text encoding (e.g. cp1251, latin-1)").format(
                flag="--encoding", value=encoding)) from None
    read_defaults(defaults, decimal or ".")


def _load_tariffs(tariffs: Iterable[Any] | Callable[[], Iterable[Any]] | None, today: _dt.date) -> tuple:
    """Every version of the tariffs: each row is priced with the list in force on its posting day."""
    from ..tariffs import resolve

    return resolve(tariffs() if callable(tariffs) else tariffs, today=today)


def _preload(parquet: bool) -> None:
    """Import now what the batch would import on its way (pyarrow imports pandas the first time it
    builds an array; the Parquet writer loads on its first table), so that no import happens while
    chunks are in flight."""
    import pandas  # noqa: F401
    import pyarrow.csv  # noqa: F401

    pa.array([0.0])  # pyarrow's own lazy look for pandas
    if parquet:
        import pyarrow.parquet  # noqa: F401


def _pipeline(info: Source, first: Future[Chunk | None], chunks: Iterator[Chunk], reads: Executor, writer: ChunkWriter,
              *, stop: threading.Event, tariffs: tuple, fx: Any, today: _dt.date,
              defaults: Mapping[str, object] | None, progress: Callable[[int], None] | None) -> BatchSummary:
    """Evaluate chunk n here while chunk n+1 is read and chunk n-1 written, each in a thread.

    pyarrow parses and writes CSV without the GIL, so the three share the cores; the threads
    that read and write need the GIL only a few times per chunk, so they do not wait for this
    one. At most three chunks are in memory, whatever the size of the file. ``first`` is the
    read of the first chunk; ``reads`` reads the next ones.
    """
    unit = "line" if info.format == "csv" else "row"
    summary = BatchSummary(unit=unit)
    done = ignored = 0
    writes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="returncost-write")
    written: Future | None = None  # chunk n-1
    ok = False
    try:
        chunk = _result(first, stop)
        while chunk is not None:
            reading = reads.submit(next, chunks, None)  # chunk n+1
            ignored += chunk.ignored_empty_lines
            out = _evaluate_chunk(chunk.table, tariffs=tariffs, fx=fx, today=today, defaults=defaults,
                                  decimal=info.decimal, problems=chunk.problems)
            if writer.schema is None:
                writer.start(out.table)
            if written is not None:
                _result(written, stop)  # its error, if any, stops the run here
            written = writes.submit(writer.write, out.table)
            summary = summary + summary_of(out, chunk.lines, unit)
            done += chunk.table.num_rows
            if progress is not None:
                progress(done)
            chunk = _result(reading, stop)
        if written is not None:
            _result(written, stop)
        writer.close()
        ok = True
    finally:
        writes.shutdown(wait=True, cancel_futures=not ok)
        if not ok:
            with suppress(Exception):
                writer.close()
    if stop.is_set():
        raise KeyboardInterrupt
    if ignored:
        summary = replace(summary, notes=summary.notes + (
            ngettext("{lines} empty line at the end of the file ignored",
                     "{lines} empty lines at the end of the file ignored", ignored).format(lines=ignored),))
    return summary


class _DaemonExecutor(Executor):
    """An executor of one daemon thread: its work is done in order, each result or error comes back
    through a future, and a thread blocked for ever (on standard input) does not keep Python from
    exiting, as a pool's thread would. It holds a future only until it is done (a done one holds
    its chunk: keeping them all would keep the whole file in memory)."""

    def __init__(self) -> None:
        self._pending: set[Future] = set()
        self._lock = threading.Lock()
        self._work: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="returncost-read", daemon=True).start()

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        f: Future[_T] = Future()
        with self._lock:
            self._pending.add(f)
        f.add_done_callback(self._forget)
        self._work.put((f, fn, args, kwargs))
        return f

    def _forget(self, f: Future) -> None:
        with self._lock:
            self._pending.discard(f)

    def running(self) -> list[Future]:
        """The futures given out and not done yet."""
        with self._lock:
            return list(self._pending)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """No more work: the thread ends after what it was given (``wait`` is not waited for)."""
        self._work.put(None)

    def _serve(self) -> None:
        while (item := self._work.get()) is not None:
            f, fn, args, kwargs = item
            if not f.set_running_or_notify_cancel():
                continue
            try:
                f.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for the future
                f.set_exception(exc)


def _result(f: Future[_T], stop: threading.Event) -> _T:
    """The result of ``f`` (or its error, raised here), looking at ``stop`` while waiting."""
    while True:
        if stop.is_set():
            raise KeyboardInterrupt
        try:
            return f.result(timeout=0.05)
        except _Timeout:
            continue


def _evaluate_chunk(table: pa.Table, **kwargs: Any) -> Evaluated:
    """The per-chunk step of :func:`run_batch` (a seam for tests); the writer finishes the table."""
    return evaluate(table, **kwargs)
