"""The reader: CSV or Parquet in chunks of rows, every row kept in its place (a ragged line, an
empty line, a cell that is not UTF-8 becomes a row with a problem), lines of any length."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..formatting import number
from ..i18n import N_, _, ngettext
from ._arrow import buffers, empty_rows, rows_with
from .columns import BatchError
from .opening import STDIN_NAMES, Dialect, Input, legacy_code, legacy_encoding, open_input, sniff, stdin


#: Rows evaluated at once. The whole run stays near 380 MB with 50,000 (benchmarks/batch.py);
#: 100k and 200k rows per chunk were measured no faster on 1M rows, and use more memory.
DEFAULT_CHUNK_ROWS = 50_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """What the reader found out about the input."""

    name: str
    format: str  # csv | parquet
    columns: tuple[str, ...]
    dialect: Dialect | None = None  # CSV: how it is written (Parquet: None)

    @property
    def delimiter(self) -> str:
        return self.dialect.delimiter if self.dialect is not None else ","

    @property
    def decimal(self) -> str:
        """The decimal mark the input's text cells are read with."""
        return self.dialect.decimal if self.dialect is not None else "."


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Chunk:
    """A run of consecutive input rows, as text columns named by the header (CSV) or as stored
    (Parquet)."""

    table: pa.Table
    lines: np.ndarray  # line of each row in the file (CSV, header = line 1) or row number (Parquet)
    problems: np.ndarray | None = None  # what the reader found wrong per row ("" none)
    ignored_empty_lines: int = 0  # empty lines after the last row (only on the last chunk)


_FIRST_CHUNK_ROWS = 5_000


#: The CSV reader's block: a line must fit in one. It starts small (the first rows come quickly)
#: and grows when a line does not fit (a cell of several MiB, a long header), up to the last size.
_BLOCK_SIZES = (1 << 22, 1 << 25, 1 << 28)


#: Columns read at most: a spreadsheet has 16,384; a header beyond this is not a table of orders.
_MAX_COLUMNS = 65_536


def read_chunks(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    delimiter: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    input_format: str | None = None,
) -> tuple[Source, Iterator[Chunk]]:
    """Open a CSV or Parquet file and stream it in chunks of about ``chunk_rows`` rows.

    CSV: UTF-8 with or without BOM (or ``encoding``), any line ends, quoted fields with delimiters
    and newlines, values of any length; ``delimiter`` (``,``, ``;``, tab, ``|``) and ``decimal``
    are detected from the first 64 KiB unless given. Every cell is read as text, so no value can
    stop the reader. A line with too few or too many fields, or an empty line between rows, stays
    in its place with a problem; a cell that is not UTF-8 or holds a NUL byte becomes a problem
    too. Empty lines after the last row are not rows. Parquet is recognised by its first bytes,
    whatever the name; gzip, bzip2 and zstd files (``.csv.gz``, ...) are decompressed.

    Returns
    -------
    (Source, iterator of Chunk)
        At least one chunk (with no rows for a file with only a header).

    Raises
    ------
    BatchError
        The file is missing, empty, binary, an archive, or not UTF-8 (without ``encoding``).
    """
    if isinstance(source, (str, os.PathLike)) and os.fspath(source) in STDIN_NAMES:
        source = stdin()
    name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else "<stdin>"
    inp = open_input(source, name)
    fmt = input_format or ("parquet" if inp.head.startswith(b"PAR1") else "csv")
    if fmt == "parquet":
        src = inp.again()
        if not isinstance(src, str):  # Parquet needs to seek: a stream is read into memory
            src = pa.BufferReader(src.read())
        return _read_parquet(src, name, chunk_rows)
    return _read_csv(inp, name, sniff(inp.head, name, delimiter, decimal, encoding), encoding, chunk_rows)


def _read_parquet(src: Any, name: str, chunk_rows: int) -> tuple[Source, Iterator[Chunk]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(src)
    except (pa.ArrowInvalid, OSError) as exc:
        raise BatchError(_("{path}: not a readable Parquet file ({error})").format(path=name, error=exc)) from None
    info = Source(name=name, format="parquet", columns=tuple(pf.schema_arrow.names))

    def chunks() -> Iterator[Chunk]:
        row = 1
        for b in pf.iter_batches(batch_size=chunk_rows):
            yield Chunk(table=pa.Table.from_batches([b]), lines=np.arange(row, row + b.num_rows))
            row += b.num_rows
        if row == 1:
            yield Chunk(table=pf.schema_arrow.empty_table(), lines=np.zeros(0, np.int64))

    return info, chunks()


def _read_csv(inp: Input, name: str, dialect: Dialect, encoding: str | None,
              chunk_rows: int) -> tuple[Source, Iterator[Chunk]]:
    """The CSV reader. Cells are read as bytes (no type guessing from the first block, no failure
    on a cell that is not UTF-8) and decoded per column. Rows the parser rejects (ragged) are
    numbered by the parser; they are put back in their place with a problem. A line longer than
    the reader's block makes it start again with a larger block, after the rows already read."""
    import pyarrow.csv as pacsv

    delimiter = dialect.delimiter
    rejected: list[tuple[int, str]] = []

    def on_invalid(row) -> str:
        rejected.append((row.number, row.text))
        return "skip"

    def open_reader(block: int, columns: int, skip: int = 0):
        return pacsv.open_csv(
            inp.again(),
            # one thread: the parser then numbers rejected rows, which puts them back in place
            read_options=pacsv.ReadOptions(use_threads=False, autogenerate_column_names=True, block_size=block,
                                           skip_rows_after_names=skip, encoding=encoding or "utf8"),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys((f"f{i}" for i in range(columns)),
                                                                            pa.binary()),
                                                 strings_can_be_null=True, null_values=[""],
                                                 quoted_strings_can_be_null=True),
        )

    block = 0  # index into _BLOCK_SIZES
    columns = 1024
    while True:
        try:
            reader = open_reader(_BLOCK_SIZES[block], columns)
            k = len(reader.schema)
            if k > columns:  # every column must be read as bytes: open again knowing how many there are
                if k > _MAX_COLUMNS:
                    raise BatchError(_("{path}: the header has {columns} columns; at most {most} are read (is the "
                                       "delimiter right?)").format(path=name, columns=number(k, 0),
                                                                   most=number(_MAX_COLUMNS, 0)))
                columns = k
                continue
            first = reader.read_next_batch()
            break
        except StopIteration:
            raise BatchError(_("{path}: the file is empty; its first line must name the columns").format(
                path=name)) from None
        except pa.ArrowInvalid as exc:
            rejected.clear()
            if _too_long(exc) and block + 1 < len(_BLOCK_SIZES):
                block += 1
                continue
            raise BatchError(_("{path}: {problem}").format(
                path=name, problem=_cause(exc, block, _("the header or the first lines")))) from None
    inp.settle()
    header = [(v or b"").decode("utf-8", "replace") for v in first.slice(0, 1).to_pylist()[0].values()]
    k = len(header)
    info = Source(name=name, format="csv", columns=tuple(header), dialect=dialect)

    def merge(batch: pa.RecordBatch, record: int, last: bool) -> tuple[pa.Table, np.ndarray | None, np.ndarray]:
        """``batch`` with the rejected rows that belong among (or right after) its rows put back;
        returns (table, problems or None, line breaks inside each row)."""
        t = pa.Table.from_batches([_pad(batch, k)])
        extra = _newlines_in_row(t)
        inserts: list[tuple[int, str]] = []
        while rejected and (last or rejected[0][0] - record <= t.num_rows + len(inserts)):
            number, text = rejected.pop(0)
            inserts.append((min(max(number - record, len(inserts)), t.num_rows + len(inserts)), text))
        if not inserts:
            return t, None, extra
        total = t.num_rows + len(inserts)
        at = np.array([p for p, _ in inserts])
        is_bad = np.zeros(total, bool)
        is_bad[at] = True
        split = [_split_line(text, delimiter, k) for _, text in inserts]
        bad_tab = pa.table({f"f{j}": pa.array([cells[j] for cells, _, _ in split], pa.binary()) for j in range(k)})
        order = np.empty(total, np.int64)
        order[~is_bad] = np.arange(t.num_rows)
        order[is_bad] = t.num_rows + np.arange(len(inserts))
        merged = pa.concat_tables([t, bad_tab]).take(pa.array(order))
        problems = np.full(total, "", dtype=object)
        # extra fields that are all empty are what spreadsheets write after a trailing delimiter
        problems[is_bad] = ["" if got > k and not any(rest) else
                            ngettext("{fields} field but the header has {columns} columns; check the delimiter "
                                     "({delimiter}) and the quotes on this line",
                                     "{fields} fields but the header has {columns} columns; check the delimiter "
                                     "({delimiter}) and the quotes on this line", got).format(
                                fields=got, columns=k, delimiter=_show_delim(delimiter))
                            for _n, got, rest in split]
        all_extra = np.zeros(total, np.int64)
        all_extra[~is_bad] = extra
        all_extra[is_bad] = [text.count("\n") for _, text in inserts]
        return merged, problems, all_extra

    def chunks() -> Iterator[Chunk]:
        record = 2  # the parser's number of the next row (the header is 1)
        line = int(_newlines_in_row(first.slice(0, 1))[0]) + 1  # last line of the header
        pending: list[tuple[pa.Table, np.ndarray, np.ndarray | None]] = []
        pending_rows = 0
        held = 0  # empty rows after the last non-empty one read so far: rows only if data follows
        held_lines: list[int] = []
        # a small first chunk: evaluating it, and so writing, starts while the reader goes on
        size = min(chunk_rows, _FIRST_CHUNK_ROWS)

        def batches() -> Iterator[tuple[pa.RecordBatch, bool]]:
            nonlocal reader, block
            yield first.slice(1), False
            while True:
                try:
                    b = reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as exc:
                    if not (_too_long(exc) and inp.reopens and block + 1 < len(_BLOCK_SIZES)):
                        where = _("a line after line {line}").format(line=line)
                        raise BatchError(_("{path}: {problem}").format(
                            path=name, problem=_cause(exc, block, where, not inp.reopens))) from None
                    # a line longer than the block: read again with a larger one, after the
                    # records (header included) the parser has numbered so far
                    rejected.clear()
                    block += 1
                    reader = open_reader(_BLOCK_SIZES[block], k, skip=record - 1)
                    continue
                yield b, False
            yield _pad(first.slice(0, 0), k), True

        for batch, last in batches():
            t, problems, extra = merge(batch, record, last)
            n = t.num_rows
            if n == 0:
                continue
            record += n
            lines = line + 1 + np.concatenate([[0], np.cumsum(extra[:-1] + 1)])
            line = int(lines[-1] + extra[-1])
            tail = _trailing_empty(t, problems)
            if held and tail < n:
                t = pa.concat_tables([_empty_binary(k, held), t])
                lines = np.concatenate([np.asarray(held_lines, np.int64), lines])
                if problems is not None:
                    problems = np.concatenate([np.full(held, "", dtype=object), problems])
                held, held_lines = 0, []
            keep = t.num_rows - tail
            if tail:
                held += tail
                held_lines += lines[keep:].tolist()
                t, lines = t.slice(0, keep), lines[:keep]
                problems = problems[:keep] if problems is not None else None
            if keep:
                pending.append((t, lines, problems))
                pending_rows += keep
            while pending_rows >= size:
                t, lines, problems = _concat(pending)
                yield _decoded(t.slice(0, size), lines[:size], problems[:size] if problems is not None else None,
                               header)
                pending_rows -= size
                pending = [(t.slice(size), lines[size:],
                            problems[size:] if problems is not None else None)] if pending_rows else []
                size = chunk_rows
        t, lines, problems = _concat(pending) if pending else (_empty_binary(k), np.zeros(0, np.int64), None)
        yield replace(_decoded(t, lines, problems, header), ignored_empty_lines=held)

    return info, chunks()


def _too_long(exc: Exception) -> bool:
    """The parser's error for a line that does not fit in one block."""
    text = str(exc)
    return "straddl" in text or "Empty CSV file or block" in text


def _cause(exc: Exception, size: int, where: str, once: bool = False) -> str:
    """What went wrong, in the user's words (``once``: the input cannot be read again)."""
    if _too_long(exc):
        mib = _BLOCK_SIZES[size] >> 20
        if once and size + 1 < len(_BLOCK_SIZES):
            return _("{where} is longer than {mib} MiB (a huge value, or a quote that is never closed); a stream is "
                     "read once: give the file by name to read longer lines").format(where=where, mib=mib)
        return _("{where} is longer than {mib} MiB (a huge value, or a quote that is never closed); check the quotes "
                 "there").format(where=where, mib=mib)
    return _("cannot be read as CSV at {where} ({error}); check the quotes and the delimiter there").format(
        where=where, error=exc)


#: The delimiters by name, for a problem text.
_DELIMITER_NAMES = {"\t": N_("tab"), ",": N_("comma"), ";": N_("semicolon")}


def _show_delim(d: str) -> str:
    return _(_DELIMITER_NAMES[d]) if d in _DELIMITER_NAMES else d if d == "|" else repr(d)


def _split_line(text: str, delimiter: str, k: int) -> tuple[list[bytes | None], int, list[str]]:
    """A rejected line split as the CSV parser would: its first ``k`` fields (padded), how many
    fields it has, and the fields beyond ``k``."""
    try:
        fields = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        fields = text.split(delimiter)
    cells = [f.encode("utf-8", "surrogateescape") if f != "" else None for f in fields[:k]]
    return cells + [None] * (k - len(cells)), len(fields), [f for f in fields[k:] if f.strip()]


def _empty_binary(k: int, rows: int = 0) -> pa.Table:
    return pa.table({f"f{j}": pa.nulls(rows, pa.binary()) for j in range(k)})


def _pad(batch: pa.RecordBatch, k: int) -> pa.RecordBatch:
    """Batches always have the header's ``k`` binary columns."""
    if batch.num_columns == k and all(pa.types.is_binary(t) for t in batch.schema.types):
        return batch
    cols = [batch.column(j).cast(pa.binary()) if j < batch.num_columns else pa.nulls(batch.num_rows, pa.binary())
            for j in range(k)]
    return pa.RecordBatch.from_arrays(cols, names=[f"f{j}" for j in range(k)])


def _newlines_in_row(t: pa.Table | pa.RecordBatch) -> np.ndarray:
    """Line breaks inside quoted values of each row (so that line numbers stay true)."""
    extra = np.zeros(t.num_rows, np.int64)
    for c in t.columns:
        c = c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c
        off, data, _valid = buffers(c)
        if data.size == 0 or not (data[off[0] : off[-1]] == 10).any():
            continue
        extra += np.asarray(pc.fill_null(pc.count_substring(c, b"\n"), 0), dtype=np.int64)
    return extra


def _trailing_empty(t: pa.Table, problems: np.ndarray | None) -> int:
    """How many rows at the end of ``t`` are empty (looked at from the end, in growing steps)."""
    n = t.num_rows
    size = 8
    while True:
        start = max(0, n - size)
        empty = empty_rows(t.slice(start))
        if problems is not None:
            empty &= problems[start:] == ""
        if not empty.all():
            return int(len(empty) - 1 - np.flatnonzero(~empty)[-1])
        if start == 0:
            return n
        size *= 8


def _concat(pending: list[tuple[pa.Table, np.ndarray, np.ndarray | None]]
            ) -> tuple[pa.Table, np.ndarray, np.ndarray | None]:
    table = pa.concat_tables([p[0] for p in pending]) if len(pending) > 1 else pending[0][0]
    lines = np.concatenate([p[1] for p in pending])
    problems = None
    if any(p[2] is not None for p in pending):
        problems = np.concatenate([p[2] if p[2] is not None else np.full(p[0].num_rows, "", dtype=object)
                                   for p in pending])
    return table, lines, problems


def _decoded(table: pa.Table, lines: np.ndarray, problems: np.ndarray | None, header: Sequence[str]) -> Chunk:
    """A chunk of text columns named by the header."""
    table, bad_utf8 = _decode(table, header)
    if bad_utf8 is not None:
        problems = bad_utf8 if problems is None else np.where(problems != "", problems, bad_utf8)
    return Chunk(table=table, lines=lines, problems=problems)


def _decode(table: pa.Table, header: Sequence[str]) -> tuple[pa.Table, np.ndarray | None]:
    """Binary CSV columns → UTF-8 text named by the header. A cell that is not UTF-8 (decoded with
    replacement characters) or holds a NUL byte becomes a problem instead of failing the file,
    wherever it is in the file."""
    cols = []
    problems: np.ndarray | None = None

    def note(rows: Iterable[int], text: str) -> None:
        nonlocal problems
        if problems is None:
            problems = np.full(table.num_rows, "", dtype=object)
        for i in rows:
            if not problems[i]:
                problems[i] = text

    for j, nm in enumerate(header):
        c = table.column(j).combine_chunks()
        off, data, _valid = buffers(c)
        if np.count_nonzero(data[off[0] : off[-1]]) != off[-1] - off[0]:
            note(np.flatnonzero(rows_with(c, _NUL)),
                 _("{name}: the cell holds a NUL byte, which is not text; remove it").format(name=nm))
        try:
            cols.append(c.cast(pa.string()))
            continue
        except pa.ArrowInvalid:
            pass
        fixed, bad = [], []
        for i, v in enumerate(c.to_pylist()):  # rare path: a column holding bytes that are not UTF-8
            try:
                fixed.append(None if v is None else v.decode("utf-8"))
            except UnicodeDecodeError:
                fixed.append(v.decode("utf-8", "replace"))
                bad.append(i)
        cols.append(pa.array(fixed, pa.string()))
        code = legacy_code(b"".join(c.take(pa.array(bad)).to_pylist()))
        note(bad, _("{name}: the cell is not UTF-8 text ({encoding}?); save the file as 'CSV UTF-8' or give --encoding "
                    "{code}").format(name=nm, encoding=legacy_encoding(code), code=code))
    return pa.Table.from_arrays(cols, names=list(header)), problems


_NUL = np.zeros(256, bool)
_NUL[0] = True
