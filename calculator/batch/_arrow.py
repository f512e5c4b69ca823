"""Small pyarrow helpers of the batch: contiguous text arrays, lengths, distinct values, problem texts.

Two read an array's buffers instead of calling :mod:`pyarrow.compute`, because they pay where the
batch spends its time (measured per 50,000-row chunk, issue 12): :func:`rows_with` (which cells
hold a byte of a set: the number reader's split between plain numbers and the rest, 2.3x faster
than a regular expression over the 7 number columns) and :func:`first_bytes` (the writer's check
for text a spreadsheet would run as a formula, 1.8x faster for the whole preparation of a chunk).
The other buffer helpers the batch had (lengths, validity, dictionary indices, a cast behind a new
validity bitmap) were no faster than pyarrow.compute, or slower, and are gone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..units import SHOW


def string(a: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous string array (nulls kept)."""
    a = contiguous(a)
    return a if pa.types.is_string(a.type) else a.cast(pa.string())


def contiguous(c: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(c, pa.ChunkedArray):
        return c.chunk(0) if c.num_chunks == 1 else (c.combine_chunks() if c.num_chunks else pa.array([], c.type))
    return c


def is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t)


def lengths(a: pa.Array) -> np.ndarray:
    """Byte length of each value of a text, bytes or dictionary-of-text array (0 for null)."""
    if pa.types.is_dictionary(a.type):
        return np.append(lengths(a.dictionary), 0)[indices(a, len(a.dictionary))]
    return pc.fill_null(pc.binary_length(a), 0).to_numpy()


def indices(a: pa.DictionaryArray, null: int) -> np.ndarray:
    """The indices of a dictionary array, ``null`` where the value is null."""
    return pc.fill_null(a.indices, null).to_numpy().astype(np.intp)


def encode(col: pa.Array | pa.ChunkedArray, clean: Callable[[str], str] = str.strip,
           default: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (cleaned; ``default`` where empty) and each row's index into them: text is
    handled once per distinct value, not once per row. A dictionary array is taken as it is."""
    col = contiguous(col)
    enc = col if pa.types.is_dictionary(col.type) else pc.dictionary_encode(string(col))
    words = np.array([clean("" if w is None else w) for w in enc.dictionary.to_pylist()] + [""], dtype=object)
    if default is not None:
        words[words == ""] = default
    return words, indices(enc, len(words) - 1)


def dictionary(words: np.ndarray, idx: np.ndarray) -> pa.DictionaryArray:
    """A dictionary array of text from the distinct ``words`` and each row's index into them."""
    return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), pa.array(words, pa.string()))


def code(word: str) -> str:
    """A country or currency code as the evaluation reads it."""
    return word.strip().upper()


def buffers(a: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Offsets (n+1), data bytes and validity (None: no nulls) of a string array, not copied."""
    bufs = a.buffers()
    wide = pa.types.is_large_string(a.type) or pa.types.is_large_binary(a.type)
    off = np.frombuffer(bufs[1], np.int64 if wide else np.int32)[a.offset : a.offset + len(a) + 1]
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    valid = None
    if a.null_count:
        bits = np.unpackbits(np.frombuffer(bufs[0], np.uint8), bitorder="little")
        valid = bits[a.offset : a.offset + len(a)].astype(bool)
    return off, data, valid


def rows_with(a: pa.Array, byte_set: np.ndarray) -> np.ndarray:
    """Rows of a string array that hold at least one byte of ``byte_set`` (a 256-entry mask)."""
    off, data, _ = buffers(a)
    hit = np.flatnonzero(byte_set[data[off[0] : off[-1]]]) + off[0]
    rows = np.zeros(len(a), bool)
    if hit.size:
        rows[np.searchsorted(off, hit, side="right") - 1] = True
    return rows


def first_bytes(a: pa.Array) -> np.ndarray:
    """First byte of each value (0 for empty or null)."""
    off, data, valid = buffers(a)
    if data.size == 0:
        return np.zeros(len(a), np.uint8)
    start = off[:-1]
    first = np.where(off[1:] > start, data[np.minimum(start, data.size - 1)], 0)
    return first if valid is None else np.where(valid, first, 0)


def empty_rows(t: pa.Table, rows: np.ndarray | None = None) -> np.ndarray:
    """Which rows (all, or those at ``rows``) have no value in any column."""
    nonempty = np.zeros(t.num_rows if rows is None else len(rows), bool)
    take = pa.array(rows, pa.int64()) if rows is not None else None
    for c in t.columns:
        c = contiguous(c)
        if take is not None:
            c = c.take(take)
        if is_text(c.type):
            nonempty |= lengths(c) > 0
        else:  # a typed column (Parquet, a DataFrame): empty means null
            nonempty |= np.asarray(c.is_valid())
    return ~nonempty


def quote(values: pa.Array) -> pa.Array:
    """Values as a refusal shows them (:func:`calculator.units.quote`): one line, at most
    :data:`~calculator.units.SHOW` characters, in quotes."""
    v = pc.replace_substring_regex(pc.fill_null(values, ""), r"[\r\n\t]+", " ")
    long = pc.greater(pc.utf8_length(v), SHOW)
    v = pc.if_else(long, pc.binary_join_element_wise(pc.utf8_slice_codeunits(v, 0, SHOW - 1), "…", ""), v)
    return pc.binary_join_element_wise("'", v, "'", "")


def texts(*parts: object) -> np.ndarray:
    """Join scalars and arrays of equal length into problem texts (numpy object array)."""
    arrays = [p if isinstance(p, (pa.Array, pa.ChunkedArray)) else pa.scalar(str(p)) for p in parts]
    return pc.binary_join_element_wise(*arrays, "").to_numpy(zero_copy_only=False).astype(object)


def fill(template: str, **parts: object) -> np.ndarray:
    """A template of :data:`calculator.units.MESSAGES` filled row by row: each ``{part}`` is a
    scalar or an array (one value per problem row)."""
    pieces: list[object] = []
    for i, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if i % 2:
            value = parts[piece]
            pieces.append(pa.array(np.asarray(value, dtype=str)) if isinstance(value, np.ndarray) else value)
        elif piece:
            pieces.append(piece)
    return texts(*pieces)
