"""Running a batch: read, evaluate and write chunk by chunk."""

from __future__ import annotations

import datetime as _dt
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import replace
from typing import IO, Any

import pyarrow as pa

from ..errors import InputError
from .columns import _check_defaults, check_columns
from .reading import Chunk, DEFAULT_CHUNK_ROWS, Source, read_chunks
from .summary import BatchSummary, summarize
from .table import _evaluate
from .writing import Output, _Writer, _format_for, atomic_write


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
        Force the CSV dialect of the input (detected otherwise). CSV output uses the input's
        delimiter and decimal mark, so a file from a spreadsheet goes back to it unchanged.
    encoding
        The text encoding of a CSV that is not UTF-8 (``cp1251``, ``latin-1``, ...).
    chunk_rows
        Rows evaluated at once; memory grows with this, not with the file.
    progress
        Called with the number of rows done after each chunk.
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
    # The input is opened and read in a thread of its own, from now on: it parses (without the
    # GIL) while the tariffs load and pandas imports, and a stream that stalls (stdin) cannot keep
    # this thread from seeing `stop`.
    reader = _ReadAhead(lambda: read_chunks(source, delimiter=delimiter, decimal=decimal, encoding=encoding,
                                            chunk_rows=chunk_rows, input_format=input_format), stop)
    try:
        tset = _load_tariffs(tariffs, today)
        info = reader.info()
        check_columns(info.columns, defaults,
                      where=f"{info.name}, {'line 1' if info.format == 'csv' else 'columns'}")
        _preload(output_format == "parquet" or info.format == "parquet")
        run = dict(stop=stop, tariffs=tset, fx=fx, today=today, defaults=defaults, progress=progress)
        if isinstance(dest, Output):
            fmt = _format_for(dest.name if isinstance(dest.sink, str) else None, output_format)
            return _pipeline(info, reader.chunks(), _Writer(dest.sink, fmt, info.delimiter, info.decimal), **run)
        fmt = _format_for(dest if isinstance(dest, (str, os.PathLike)) else None, output_format)
        with atomic_write(dest, inputs=(source,), stop=stop) as out:
            return _pipeline(info, reader.chunks(), _Writer(out.sink, fmt, info.delimiter, info.decimal), **run)
    finally:
        reader.close()


def check_options(*, chunk_rows: int = DEFAULT_CHUNK_ROWS, decimal: str | None = None, encoding: str | None = None,
                  defaults: Mapping[str, object] | None = None) -> None:
    """Refuse options that cannot work, before anything is read; raises :class:`InputError` naming
    the option (values for missing columns are read like cells and must be in range)."""
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise InputError(f"--chunk-rows: {chunk_rows} must be at least 1")
    if decimal not in (None, ".", ","):
        raise InputError(f"--decimal: {decimal!r} must be '.' or ','")
    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"--encoding: {encoding!r} is not a text encoding (e.g. cp1251, latin-1)") from None
    _check_defaults(defaults or {}, decimal or ".")


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


#: Output chunks evaluated but not yet written, at most (memory stays flat).
_IN_FLIGHT = 1


def _pipeline(info: Source, rows: Iterator[Chunk], writer: _Writer, *, stop: threading.Event,
              tariffs: tuple, fx: Any, today: _dt.date, defaults: Mapping[str, object] | None,
              progress: Callable[[int], None] | None) -> BatchSummary:
    """Read (a thread), evaluate (this thread), prepare and write (a thread, in order).

    pyarrow parses and writes CSV without the GIL, so the three share the cores; the threads
    that read and write need the GIL only a few times per chunk, so they do not wait for this
    one. ``stop`` is looked at between chunks and while waiting.
    """
    from concurrent.futures import ThreadPoolExecutor

    unit = "line" if info.format == "csv" else "row"
    summary = BatchSummary(unit=unit)
    done = ignored = 0
    # one worker: chunks are written in the order they were handed over
    writes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="returncost-write")
    pending: deque[Future] = deque()
    ok = False
    try:
        for chunk in rows:
            ignored += chunk.ignored_empty_lines
            out = _evaluate_chunk(chunk.table, tariffs=tariffs, fx=fx, today=today, defaults=defaults,
                                  decimal=info.decimal, problems=chunk.problems)
            if writer.schema is None:
                writer.start(out)
            pending.append(writes.submit(writer.write, out))
            summary = summary + summarize(out, lines=chunk.lines, defaults=defaults, unit=unit)
            done += chunk.table.num_rows
            if progress is not None:
                progress(done)
            while pending and (pending[0].done() or len(pending) > _IN_FLIGHT):
                _result(pending.popleft(), stop)
        while pending:
            _result(pending.popleft(), stop)
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
            f"{ignored} empty line{'s' if ignored > 1 else ''} at the end of the file ignored",))
    return summary


def _result(f: Future, stop: threading.Event) -> Any:
    """The result of ``f``, looking at ``stop`` while waiting."""
    from concurrent.futures import TimeoutError as Timeout

    while True:
        if stop.is_set():
            raise KeyboardInterrupt
        try:
            return f.result(timeout=0.05)
        except Timeout:
            continue


_END = object()


#: Chunks the reader may read ahead: it runs ahead while the tariffs load and pandas imports.
_READ_AHEAD = 4


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class _ReadAhead:
    """The input, opened and read ahead in a thread that starts at once: first its
    :class:`Source` (:meth:`info`), then its chunks (:meth:`chunks`); the reader's errors are
    raised in the consumer, who looks at ``stop`` while waiting. A plain daemon thread, not a
    pool: reading standard input can block for ever, and a pool's threads are waited for when
    Python exits."""

    def __init__(self, open_: Callable[[], tuple[Source, Iterator[Chunk]]], stop: threading.Event) -> None:
        self._q: queue.Queue = queue.Queue(maxsize=_READ_AHEAD)
        self._done = threading.Event()
        self._stop = stop
        self._info: Source | None = None
        self._thread = threading.Thread(target=self._run, args=(open_,), name="returncost-read", daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._done.is_set():
            try:
                self._q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, open_: Callable[[], tuple[Source, Iterator[Chunk]]]) -> None:
        try:
            info, items = open_()
            if not self._put(info):
                return
            for it in items:
                if not self._put(it):
                    return
            self._put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self._put(_Failed(exc))

    def _get(self) -> Any:
        while True:
            if self._stop.is_set():
                raise KeyboardInterrupt
            try:
                item = self._q.get(timeout=0.05)
            except queue.Empty:
                continue
            if isinstance(item, _Failed):
                raise item.exc
            return item

    def info(self) -> Source:
        if self._info is None:
            self._info = self._get()
        return self._info

    def chunks(self) -> Iterator[Chunk]:
        self.info()
        while (item := self._get()) is not _END:
            yield item

    def close(self) -> None:
        self._done.set()
        self._thread.join(timeout=0.25)  # a reader blocked on standard input is left behind


def _evaluate_chunk(table: pa.Table, **kwargs: Any) -> pa.Table:
    """The per-chunk step of :func:`run_batch` (a seam for tests); the writer finishes the table."""
    return _evaluate(table, **kwargs)
