"""Small pyarrow helpers of the batch: contiguous text arrays, byte lengths, quoting values for problem texts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


_SHOW = 40  # characters of a bad value quoted in a problem text


def _string(a: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous string array (nulls kept)."""
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks() if a.num_chunks != 1 else a.chunk(0)
    return a if pa.types.is_string(a.type) else a.cast(pa.string())


def _offsets(a: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (n+1) and data bytes of a string/binary array, without copying."""
    bufs = a.buffers()
    wide = pa.types.is_large_string(a.type) or pa.types.is_large_binary(a.type)
    off = np.frombuffer(bufs[1], np.int64 if wide else np.int32)[a.offset : a.offset + len(a) + 1]
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return off, data


def _valid(a: pa.Array) -> np.ndarray | None:
    """Validity of each value from the bitmap (None when there are no nulls)."""
    if a.null_count == 0:
        return None
    bits = np.unpackbits(np.frombuffer(a.buffers()[0], np.uint8), bitorder="little")
    return bits[a.offset : a.offset + len(a)].astype(bool)


def _lengths(a: pa.Array, rows: np.ndarray | None = None) -> np.ndarray:
    """Byte length of each value (0 for null), or of the values at ``rows``."""
    off, _ = _offsets(a)
    n = np.diff(off) if rows is None else off[rows + 1] - off[rows]
    valid = _valid(a)
    return n if valid is None else np.where(valid if rows is None else valid[rows], n, 0)


def _first_bytes(a: pa.Array) -> np.ndarray:
    """First byte of each value (0 for empty or null)."""
    off, data = _offsets(a)
    if data.size == 0:
        return np.zeros(len(a), np.uint8)
    start = off[:-1]
    first = np.where(off[1:] > start, data[np.minimum(start, data.size - 1)], 0)
    valid = _valid(a)
    return first if valid is None else np.where(valid, first, 0)


def _encode(col: pa.Array | pa.ChunkedArray, clean: Callable[[str], str] = str.strip,
            default: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (cleaned; ``default`` where empty) and each row's index into them: text is
    handled once per distinct value, not once per row. A dictionary array is taken as it is."""
    col = _contiguous(col)
    enc = col if pa.types.is_dictionary(col.type) else pc.dictionary_encode(_string(col))
    words = np.array([clean("" if w is None else w) for w in enc.dictionary.to_pylist()] + [""], dtype=object)
    if default is not None:
        words[words == ""] = default
    return words, _indices(enc, len(words) - 1)


def _indices(a: pa.DictionaryArray, null: int) -> np.ndarray:
    """The indices of a dictionary array, ``null`` where the value is null."""
    ind = a.indices
    idx = np.frombuffer(ind.buffers()[1], f"i{ind.type.bit_width // 8}")[ind.offset : ind.offset + len(ind)]
    valid = _valid(ind)
    return idx.astype(np.intp) if valid is None else np.where(valid, idx, null).astype(np.intp)


def _text_lengths(a: pa.Array) -> np.ndarray:
    """Byte length of each value of a text or dictionary-of-text array (0 for null)."""
    if pa.types.is_dictionary(a.type):
        return np.append(_lengths(_string(a.dictionary)), 0)[_indices(a, len(a.dictionary))]
    return _lengths(_string(a))


def _contiguous(c: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(c, pa.ChunkedArray):
        return c.chunk(0) if c.num_chunks == 1 else (c.combine_chunks() if c.num_chunks else pa.array([], c.type))
    return c


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t)


def _rows_with(a: pa.Array, byte_set: np.ndarray) -> np.ndarray:
    """Rows of a string array that hold at least one byte of ``byte_set`` (a 256-entry mask)."""
    off, data = _offsets(a)
    hit = np.flatnonzero(byte_set[data[off[0] : off[-1]]]) + off[0]
    rows = np.zeros(len(a), bool)
    if hit.size:
        rows[np.searchsorted(off, hit, side="right") - 1] = True
    return rows


def _empty_rows(t: pa.Table, rows: np.ndarray | None = None) -> np.ndarray:
    """Which rows (all, or those at ``rows``) have no value in any column."""
    nonempty = np.zeros(t.num_rows if rows is None else len(rows), bool)
    for c in t.columns:
        c = _contiguous(c)
        if _is_text(c.type):
            nonempty |= _lengths(c, rows) > 0
        else:  # a typed column (Parquet, a DataFrame): empty means null
            valid = np.asarray(c.is_valid())
            nonempty |= valid if rows is None else valid[rows]
    return ~nonempty


def _code(word: str) -> str:
    return word.strip().upper()


def _quote(values: pa.Array) -> pa.Array:
    """Values for a problem text: one line, at most _SHOW characters, in quotes."""
    v = pc.replace_substring_regex(pc.fill_null(values, ""), r"[\r\n\t]+", " ")
    long = pc.greater(pc.utf8_length(v), _SHOW)
    v = pc.if_else(long, pc.binary_join_element_wise(pc.utf8_slice_codeunits(v, 0, _SHOW - 1), "…", ""), v)
    return pc.binary_join_element_wise("'", v, "'", "")


def _texts(*parts: object) -> np.ndarray:
    """Join scalars and arrays of equal length into problem texts (numpy object array)."""
    arrays = [p if isinstance(p, (pa.Array, pa.ChunkedArray)) else pa.scalar(str(p)) for p in parts]
    return pc.binary_join_element_wise(*arrays, "").to_numpy(zero_copy_only=False).astype(object)
