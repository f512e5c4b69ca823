"""Text columns as distinct values + codes (calculator.inputs.factorize and groups): the batch and
the rate engine group a million rows with these, so they must agree with numpy's np.unique."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from calculator.inputs import Coded, factorize, groups

codes = st.lists(st.sampled_from(["US", "GB", "DE", "", "RU", "CN", "KZ", "RUB", "USD", "eur", "Mall"]),
                 min_size=1, max_size=60)


@given(codes)
def test_factorize_gives_the_distinct_values_and_each_rows_index(values):
    a = np.array(values)
    uniq, idx = factorize(a)
    assert uniq[idx].tolist() == values
    assert sorted(uniq.tolist()) == sorted(set(values))


@given(codes)
def test_factorize_a_coded_column_merges_repeated_values(values):
    # a dictionary may hold the same word twice after cleaning ("" from a null and from an empty cell)
    words = np.array(list(dict.fromkeys(values)) + [""], dtype=object)
    rows = np.array([list(words).index(v) for v in values] + [len(words) - 1])
    uniq, idx = factorize(Coded(words, rows))
    assert uniq[idx].tolist() == values + [""]
    assert len(set(uniq.tolist())) == len(uniq)


@given(st.lists(st.integers(0, 40), min_size=1, max_size=200), st.sampled_from([41, 10**6]))
def test_groups_agree_with_np_unique_both_when_counted_and_when_sorted(key, size):
    # size 41: counted with bincount; size 10**6 (far more than the rows): sorted by np.unique
    uniq, inverse = groups(np.array(key), size)
    want_uniq, want_inverse = np.unique(key, return_inverse=True)
    assert uniq.tolist() == want_uniq.tolist()
    assert inverse.tolist() == want_inverse.ravel().tolist()
