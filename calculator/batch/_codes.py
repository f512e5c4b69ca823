"""The batch summary's ``np.unique(values, return_inverse=True)`` for the columns it groups by, without sorting the
rows: small non-negative integers are counted (``np.bincount``), and short ASCII codes (a country
``U2``, a currency ``U3``) become integers first. Same distinct values, same order, same indices."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def distinct_ints(key: NDArray[np.integer]) -> tuple[NDArray[np.integer], NDArray[np.intp]]:
    """The distinct values of the integers ``key`` (sorted) and each one's index into them."""
    key = np.asarray(key)
    if key.ndim == 1 and key.size and key.min() >= 0 and (top := int(key.max())) < 4 * key.size + 1024:
        seen = np.bincount(key, minlength=top + 1) > 0
        return np.flatnonzero(seen), (np.cumsum(seen) - 1)[key]
    uniq, inverse = np.unique(key, return_inverse=True)
    return uniq, inverse.ravel()


def distinct_codes(codes: NDArray[np.str_]) -> tuple[NDArray[np.str_], NDArray[np.intp]]:
    """The distinct texts of ``codes`` (sorted) and each one's index into them; codes of up to
    four ASCII characters are numbers in base 128 meanwhile (which sort as the texts do)."""
    codes = np.asarray(codes)
    width = codes.dtype.itemsize // 4 if codes.dtype.kind == "U" else 0
    if 0 < width <= 4 and codes.ndim == 1 and codes.size and codes.flags.c_contiguous:
        chars = codes.view(np.uint32).reshape(-1, width)
        if int(chars.max()) < 128:
            key = np.zeros(len(codes), np.intp)
            for i in range(width):
                key = key * 128 + chars[:, i]
            uniq, inverse = distinct_ints(key)
            digits = [(uniq // 128 ** (width - 1 - i)) % 128 for i in range(width)]
            return np.stack(digits, axis=1).astype(np.uint32).view(codes.dtype).ravel(), inverse
    uniq, inverse = np.unique(codes, return_inverse=True)
    return uniq, inverse.ravel()
