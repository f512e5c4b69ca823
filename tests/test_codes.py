"""Text as distinct values + codes: text inputs given dictionary-encoded (a pyarrow DictionaryArray,
a pandas Categorical) are read once per distinct value and decide exactly as plain text does, and
the coded output columns decode to the plain ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.assessment import assess
from calculator.errors import InputError
from calculator.order_columns import dictionary_encoded

from conftest import TODAY

#: Orders whose text inputs hold repeats, missing values, case and spaces to clean, a bad code.
ORDERS = {
    "price": [120.0, 35.5, 18000.0, 40.0, 12.0, 60.0],
    "currency": ["USD", "usd", "RUB", None, "GBP", "QQQ"],
    "origin": ["US", " us", "RU", "US", "GB", "GB"],
    "postage": [np.nan, np.nan, 1450.0, np.nan, np.nan, 5.0],
    "weight_g": [300.0, 450.0, np.nan, 120.0, 200.0, 100.0],
    "reason": ["damaged", "changed_mind", "damaged", "wrong_item", None, "defective"],
    "service": ["", None, "", "us-usps/pmi", "", ""],
}
TEXT = ("currency", "origin", "reason", "service")


def _same(a, b) -> None:
    ca, cb = a.columns(), b.columns()
    assert ca.keys() == cb.keys()
    for k in ca:
        x, y = np.asarray(ca[k]), np.asarray(cb[k])
        if x.dtype.kind == "f":
            np.testing.assert_array_equal(x, y, err_msg=k)
        else:
            assert x.tolist() == y.tolist(), k


def test_dictionary_arrays_decide_as_plain_text(tariffs):
    plain = assess(ORDERS, tariffs=tariffs, today=TODAY)
    encoded = {k: (pa.array(v, pa.string()).dictionary_encode() if k in TEXT else v) for k, v in ORDERS.items()}
    assert isinstance(encoded["origin"], pa.DictionaryArray)
    _same(assess(encoded, tariffs=tariffs, today=TODAY), plain)
    # the rows read what the text says: a problem for the missing reason and the unknown currency
    assert [bool(p) for p in plain.problem] == [False, False, False, False, True, True]


def test_pandas_categoricals_decide_as_plain_text(tariffs):
    plain = assess(ORDERS, tariffs=tariffs, today=TODAY)
    frame = pd.DataFrame(ORDERS).astype({k: "category" for k in TEXT})
    _same(assess(frame, tariffs=tariffs, today=TODAY), plain)
    keywords = {k: pd.Categorical(ORDERS[k]) for k in TEXT}
    _same(assess({k: v for k, v in ORDERS.items() if k not in TEXT}, tariffs=tariffs, today=TODAY, **keywords), plain)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["US", "GB", "DE", "", " de", None, "RU"]), min_size=1, max_size=40))
def test_dictionary_encoded_gives_each_rows_value(values):
    for column in (pa.array(values, pa.string()).dictionary_encode(), pd.Categorical(values),
                   pd.Series(values, dtype="category")):
        distinct, codes = dictionary_encoded(column)
        assert len(codes) == len(values)
        assert [None if c == len(distinct) else distinct[c] for c in codes] == values
    assert dictionary_encoded(np.array(values, dtype=object)) is None
    assert dictionary_encoded(values) is None


def test_a_dictionary_array_of_another_length_is_refused():
    with pytest.raises(InputError, match="different lengths"):
        assess(price=[1.0, 2.0, 3.0], origin=pa.array(["US", "GB"]).dictionary_encode(), reason="damaged",
               currency="USD", postage=1.0, today=TODAY)


def test_coded_output_columns_decode_to_the_plain_ones(tariffs):
    a = assess(ORDERS, tariffs=tariffs, today=TODAY)
    plain, coded = a.columns(), a.columns(coded=True)
    pairs = {k for k, v in coded.items() if isinstance(v, tuple)}
    assert pairs == {"recommendation", "postage_currency_used", "postage_source", "service_used", "warnings"}
    for k in pairs:
        values, codes = coded[k]
        assert codes.dtype.kind == "i" and len(codes) == a.n
        assert values[codes].tolist() == plain[k].tolist(), k
    # the codes are the assessment's own fields
    assert coded["postage_source"][1].tolist() == a.source_code.tolist()
    assert coded["postage_currency_used"][1].tolist() == a.postage_currency_index.tolist()


@given(st.lists(st.integers(0, 5000), min_size=1, max_size=300))
def test_the_summarys_counting_finds_what_np_unique_finds(keys):
    """The batch summary counts small integer keys and short codes instead of sorting them; the
    distinct values and each row's index are np.unique's."""
    from calculator.batch._codes import distinct_codes, distinct_ints

    key = np.array(keys)
    uniq, inverse = distinct_ints(key)
    want, want_inverse = np.unique(key, return_inverse=True)
    assert uniq.tolist() == want.tolist() and inverse.tolist() == want_inverse.ravel().tolist()
    codes = np.array([f"{chr(65 + k % 26)}{chr(65 + k // 26 % 26)}" for k in keys])  # two letters, U2
    uniq, inverse = distinct_codes(codes)
    want, want_inverse = np.unique(codes, return_inverse=True)
    assert uniq.tolist() == want.tolist() and inverse.tolist() == want_inverse.ravel().tolist()
