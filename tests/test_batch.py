"""The batch: every row out, in order; hostile CSV; units in cells; atomic output; dask; the CLI."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.assessment import OUTPUTS
from calculator.batch import (OUTPUT_SCHEMA, BatchError, BatchSummary, evaluate_frame, evaluate_table, output_ddl,
                              output_meta, read_chunks, run_batch, summarize)
from calculator.batch import cells, running, table, writing
from calculator.cli import main
from calculator.errors import InputError, RouteError
from calculator.formatting import round_output
from calculator import estimate
from calculator.units import parse_weight

from conftest import TODAY, csv_rows, write_file

DATA = Path(__file__).parent / "data"
HEADER = "order_id,price,currency,origin,weight_g,postage,reason,received_on\n"


pytestmark = pytest.mark.usefixtures("bundled_only")
write, read_out = write_file, csv_rows


def run(tmp_path: Path, content: str | bytes, tariffs, **kw) -> tuple[BatchSummary, list[dict[str, str]]]:
    src = write(tmp_path, content)
    dest = tmp_path / "decisions.csv"
    summary = run_batch(src, dest, tariffs=tariffs, today=TODAY, **kw)
    return summary, read_out(dest, kw.get("delimiter") or ",")


# --------------------------------------------------------------------------------------------
# golden file


def test_golden_output(tmp_path):
    """The golden pair: regenerate with tests/data/regenerate_golden.py and review the diff."""
    sys.path.insert(0, str(DATA))
    try:
        import regenerate_golden
    finally:
        sys.path.remove(str(DATA))
    out = tmp_path / "decisions.csv"
    regenerate_golden.golden(out)
    assert out.read_bytes() == (DATA / "batch_decisions.csv").read_bytes()


def test_golden_rows_in_order_with_named_problems():
    rows = read_out(DATA / "batch_decisions.csv")
    inp = read_out(DATA / "batch_orders.csv")
    assert [r["order_id"] for r in rows] == [r["order_id"] for r in inp]
    by_id = {r["order_id"]: r for r in rows}
    assert by_id["A-011"]["problem"] == "price: 'n/a' is not a number; write e.g. 12.99"
    assert by_id["A-012"]["problem"] == "weight_g: '-120' is out of range; give 0 to 1,000,000 [g]"
    assert by_id["A-013"]["problem"].startswith("origin: 'XX' is not an ISO country code")
    assert "no price in source" in by_id["A-009"]["problem"]  # RU -> CN without a counter quote
    for r in rows:
        if r["problem"]:
            assert r["recommendation"] == r["ev_return"] == r["dispute_deadline"] == ""
        else:
            assert r["recommendation"] in ("return", "partial_keep", "partial_resell", "keep")
    # units and signs in cells were read: 18 000 ₽, 450 g, $19.99, 8oz, 40%
    assert by_id["A-008"]["ev_return"] == "14190"  # 0.84 · (18000 − 1450) + 0.16 · 1800
    assert by_id["A-010"]["chargeable_weight_g"] == "226.796185"  # 8 oz
    assert by_id["A-010"]["title"] == "'=HYPERLINK(\"http://x\")"  # neutralised
    assert by_id["A-016"]["title"] == "Scarf\n(two lines)"
    assert by_id["A-008"]["chargeable_weight_g"] == ""  # not looked up: empty, never "nan"
    assert not any(v in ("nan", "NaN", "NaT", "None") for r in rows for v in r.values())


# --------------------------------------------------------------------------------------------
# cells as people write them


@pytest.mark.parametrize("text, grams", [
    ("450", 450.0), ("450 g", 450.0), ("450g", 450.0), ("1,2 kg", 1200.0), ("1.2kg", 1200.0),
    ("1.1 kg", 1100.0), ("8oz", parse_weight("8oz")), ("1 lb", parse_weight("1lb")), ("0,45 кг", 450.0),
    ("1 450 g", 1450.0), ("  300  ", 300.0), ("2.5 lbs", parse_weight("2.5lb")), ("", math.nan),
])
def test_weights_with_units(text, grams):
    p = cells.read_numbers(pa.array([text, "100"]), "weight_g", "weight", ".")
    assert not p.bad[0]
    assert p.values[0] == grams or (math.isnan(grams) and math.isnan(p.values[0]))


@given(st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False),
       st.sampled_from(["g", "kg", "oz", "lb", " g", " kg"]))
@settings(max_examples=200, deadline=None)
def test_vectorized_weights_equal_parse_weight(value, unit):
    """Band limits are inclusive: the batch must read 1.1 kg as exactly 1100 g, like the CLI."""
    text = f"{value}{unit}"
    p = cells.read_numbers(pa.array([text]), "weight_g", "weight", ".")
    assert p.values[0] == parse_weight(text)


@pytest.mark.parametrize("text, decimal, value", [
    ("12.99", ".", 12.99), ("12,99", ".", 12.99), ("12,99", ",", 12.99), ("1 450,50", ",", 1450.5),
    ("1\u00a0450,50", ",", 1450.5), ("1,450.50", ".", 1450.5), ("1.450,50", ",", 1450.5),
    ("1.450", ".", 1.45), ("1,450", ",", 1.45), ("−5", ".", -5.0), ("1,234,567", ".", 1234567.0),
])
def test_decimal_marks_and_thousands_separators(text, decimal, value):
    p = cells.read_numbers(pa.array([text]), "price", "money", decimal)
    assert not p.bad[0] and p.values[0] == value


@pytest.mark.parametrize("text, decimal, words", [
    ("1,200", ".", "ambiguous"), ("1.200", ",", "ambiguous"), ("abc", ".", "is not a number"),
    ("nan", ".", "is not a finite number"), ("inf", ".", "is not a finite number"),
    ("12 stone", ".", "unknown weight unit 'stone'"), ("1e400", ".", "is not a finite number"),
    ("1.2.3", ".", "is not a number"), ("--5", ".", "is not a number"),
])
def test_numbers_that_are_refused_say_why(text, decimal, words):
    p = cells.read_numbers(pa.array([text]), "weight_g", "weight", decimal)
    assert p.bad[0] and math.isnan(p.values[0])
    assert p.text[0].startswith("weight_g: ") and words in p.text[0]


def test_currency_signs_must_agree_with_the_order_currency(tariffs):
    frame = pd.DataFrame({
        "price": ["$12.99", "12,99 €", "1 450 ₽", "$5", "5 USD", "¥300"],
        "currency": ["USD", "EUR", "RUB", "RUB", "USD", "CNY"],
        "origin": ["US", "DE", "RU", "RU", "US", "DE"],
        "postage": ["5", "5", "500 ₽", "500", "5", "5 €"],
        "reason": "damaged",
    })
    out = evaluate_frame(frame, tariffs=tariffs, today=TODAY)
    assert out["problem"].tolist()[:3] == ["", "", ""]
    assert out["ev_return"].notna().tolist() == [True, True, True, False, True, True]
    assert out["problem"][3] == "price: '$5' is in '$' but the currency is RUB; fix the currency column or the amount"
    # a sign on the postage names its currency: 5 EUR on a CNY order
    assert out["postage_currency_used"][5] == "EUR"


def test_percentages_dates_and_yes_no(tariffs):
    frame = pd.DataFrame({
        "price": ["100"] * 7, "currency": "EUR", "origin": "DE", "postage": "6",
        "partial_refund": ["40%", "0,4", "0.4", "140%", "x", "", ""],
        "received_on": ["2026-11-20", "20.11.2026", "", "2026-11-20", "2026-11-20", "11/20/2026", ""],
        "mall": ["yes", "нет", "", "", "", "", "maybe"], "reason": "not_as_described",
    })
    out = evaluate_frame(frame, tariffs=tariffs, today=TODAY, decimal=",")
    # not_as_described: q = 0.74, u = 0.5: 0.74 · 0.4 · 100 + 0.5 · 100 = 79.6
    assert out["ev_partial_keep"][:3].tolist() == [79.6, 79.6, 79.6]
    assert out["problem"][3] == "partial_refund: '140%' is out of range; give 0 to 1 [fraction of price]"
    assert out["problem"][4] == "partial_refund: 'x' is not a number; write e.g. 0.4 or 40%"
    assert out["problem"][5] == "received_on: '11/20/2026' is not a date; write YYYY-MM-DD (or DD.MM.YYYY)"
    assert out["problem"][6] == "mall: 'maybe' is not yes or no; write yes/no, true/false or 1/0"
    assert str(out["dispute_deadline"][1]) == "2026-12-05"  # received 20.11.2026 + 15 days
    assert str(out["dispute_deadline"][2]) == str(np.datetime64(TODAY) + 15)  # empty: received today
    assert "mall_item" in out["warnings"][0] and "mall_item" not in out["warnings"][1]


@given(st.lists(st.one_of(st.floats(min_value=-1e12, max_value=1e12, width=64),
                          st.decimals(min_value=-10**7, max_value=10**7, places=5).map(float),
                          st.integers(-10**6, 10**6).map(lambda i: i / 8)), min_size=1, max_size=50),
       st.sampled_from([2, 4]))
@settings(max_examples=300, deadline=None)
def test_money_is_rounded_to_cents_and_fractions_to_four_decimals(values, digits):
    """Output values are within half a unit of the last digit, with no more digits than that."""
    v = np.array(values)
    got = round_output(v, digits)
    scale = 10.0 ** digits
    assert np.all(np.abs(got - v) <= 0.5 / scale * (1 + 1e-9) + np.abs(v) * 1e-13)
    assert np.all(np.abs(got * scale - np.round(got * scale)) <= np.abs(got * scale) * 1e-12 + 1e-9)
    assert not np.any(np.signbit(got) & (got == 0))  # no "-0.0" in a CSV


# --------------------------------------------------------------------------------------------
# hostile files


def test_bom_and_crlf(tmp_path, tariffs):
    s, rows = run(tmp_path, b"\xef\xbb\xbf" + HEADER.replace("\n", "\r\n").encode()
                  + b"A1,30,EUR,DE,300,,damaged,2026-11-20\r\nA2,40,EUR,DE,300,,damaged,2026-11-20\r\n", tariffs)
    assert list(rows[0])[0] == "order_id"  # no BOM glued to the first name
    assert [r["order_id"] for r in rows] == ["A1", "A2"]
    # written back with the BOM (Excel's "CSV UTF-8"), once, before the header
    assert (tmp_path / "decisions.csv").read_bytes().startswith(b'\xef\xbb\xbf"order_id"')
    assert s.rows == 2 and s.problem_rows == 0


def test_semicolons_with_decimal_commas_are_detected_and_kept(tmp_path, tariffs):
    text = ("price;currency;origin;weight_g;postage;note;reason\n"
            "12,99;EUR;DE;0,45 kg;6,05;a;not_as_described\n"
            "\"1 450,50\";RUB;RU;1,2 кг;1450;b;not_as_described\n")
    s, rows = run(tmp_path, text, tariffs)
    assert s.problem_rows == 0
    out = (tmp_path / "decisions.csv").read_text(encoding="utf-8")
    assert out.splitlines()[0].startswith('"price";"currency"')  # written back with semicolons
    rows = read_out(tmp_path / "decisions.csv", ";")
    assert rows[0]["price"] == "12,99" and rows[0]["postage_used"] == "6,05"  # decimal comma kept
    assert rows[1]["ev_partial_keep"] == "1261,94"  # (q 0.74 · f 0.5 + u 0.5) · 1450.50 = 1261.935


def test_forced_delimiter_and_decimal(tmp_path, tariffs):
    text = "price|currency|origin|postage|reason\n12,5|EUR|DE|6|not_as_described\n"
    s, rows = run(tmp_path, text, tariffs, delimiter="|", decimal=",")
    assert s.problem_rows == 0
    assert rows[0]["price"] == "12,5" and rows[0]["ev_keep"] == "6,25"  # u 0.5 · 12.5 (a 6.25 sale < 10 EUR)


def test_quoted_commas_newlines_and_true_line_numbers(tmp_path, tariffs):
    text = (HEADER.rstrip("\n") + ",title\n"
            'A1,30,EUR,DE,300,,damaged,2026-11-20,"a, b\nc\nd"\n'
            "A2,oops,EUR,DE,300,,damaged,2026-11-20,x\n"
            'A3,30,EUR,DE,300,,damaged,2026-11-20,"e\r\nf"\n'
            "A4,-1,EUR,DE,300,,damaged,2026-11-20,y\n")
    s, rows = run(tmp_path, text, tariffs)
    assert [r["title"] for r in rows] == ["a, b\nc\nd", "x", "e\r\nf", "y"]
    # header = line 1, A1 = lines 2-4, A2 = line 5, A3 = lines 6-7, A4 = line 8
    assert [n for n, _ in s.first_problems] == [5, 8]


def test_formula_like_text_is_neutralised_but_numbers_are_not(tmp_path, tariffs):
    text = ("price,currency,origin,postage,title,phone,delta\n"
            '30,EUR,DE,6,=1+2,+7 999 123-45-67,-5\n'
            '30,EUR,DE,6,@SUM(A1),-2+3,+3.5\n'
            '-30,EUR,DE,6,"\tcmd",ok,-1 450,5\n')
    s, rows = run(tmp_path, text.replace("-1 450,5", '"-1 450,5"'), tariffs)
    assert [r["title"] for r in rows] == ["'=1+2", "'@SUM(A1)", "'\tcmd"]
    assert [r["phone"] for r in rows] == ["'+7 999 123-45-67", "'-2+3", "ok"]
    assert [r["delta"] for r in rows] == ["-5", "+3.5", "-1 450,5"]
    assert rows[2]["price"] == "-30" and rows[2]["problem"].startswith("price: '-30' is out of range")


def test_parquet_output_is_not_neutralised(tmp_path, tariffs):
    src = write(tmp_path, "price,currency,origin,postage,title\n30,EUR,DE,6,=1+2\n")
    run_batch(src, tmp_path / "out.parquet", tariffs=tariffs, today=TODAY)
    t = pq.read_table(tmp_path / "out.parquet")
    assert t.column("title").to_pylist() == ["=1+2"]
    assert t.schema.field("dispute_deadline").type == pa.date32()
    assert t.schema.field("ev_return").type == pa.float64()


def test_ragged_rows_stay_in_place_with_a_problem(tmp_path, tariffs):
    text = (HEADER
            + "A1,30,EUR,DE,300,,damaged,2026-11-20\n"
            + "A2,30,EUR,DE\n"
            + "A3,30,EUR,DE,300,,damaged,2026-11-20\n"
            + "A4,30,EUR,DE,300,,damaged,2026-11-20,extra,more\n"
            + "A5,30,EUR,DE,300,,damaged,2026-11-20\n")
    s, rows = run(tmp_path, text, tariffs)
    assert [r["order_id"] for r in rows] == ["A1", "A2", "A3", "A4", "A5"]
    assert rows[1]["problem"] == ("4 fields but the header has 8 columns; check the delimiter (comma) "
                                  "and the quotes on this line")
    assert rows[3]["problem"].startswith("10 fields but the header has 8 columns")
    assert rows[1]["currency"] == "EUR" and rows[1]["weight_g"] == ""  # what there was, in its columns
    assert rows[0]["problem"] == rows[2]["problem"] == rows[4]["problem"] == ""
    assert [n for n, _ in s.first_problems] == [3, 5]


def test_a_trailing_delimiter_on_some_lines_is_not_a_ragged_row(tmp_path, tariffs):
    # what spreadsheets write when a column to the right was once used
    run(tmp_path, "price;origin;postage;note\n30;DE;5;;\n40;DE;5;x;;;\n50;DE;5;x;y\n", tariffs,
        defaults={"reason": "damaged"})
    rows = read_out(tmp_path / "decisions.csv", ";")
    assert [r["problem"] for r in rows][:2] == ["", ""] and rows[1]["note"] == "x"
    assert rows[2]["problem"].startswith("5 fields but the header has 4 columns")


def test_ragged_rows_across_reader_blocks(tmp_path, tariffs):
    good = "A{},30,EUR,DE,300,,damaged,2026-11-20,{}\n"
    lines = [good.format(i, "x" * 50) if i % 997 else f"A{i},30\n" for i in range(1, 60000)]
    s, rows = run(tmp_path, HEADER.rstrip("\n") + ",pad\n" + "".join(lines), tariffs, chunk_rows=7000)
    assert [r["order_id"] for r in rows] == [f"A{i}" for i in range(1, 60000)]
    bad = [i for i in range(1, 60000) if i % 997 == 0]
    assert [n for n, _ in s.first_problems] == [i + 1 for i in bad[:10]]
    assert s.problem_rows == len(bad)


def test_empty_lines_inside_the_data_are_rows_and_at_the_end_are_not(tmp_path, tariffs):
    text = (HEADER + "\n" + "A1,30,EUR,DE,300,,damaged,2026-11-20\n" + "\n,,,,,,,\n"
            + "A2,30,EUR,DE,300,,damaged,2026-11-20\n" + "\n\n,,,,,,,\n\n")
    s, rows = run(tmp_path, text, tariffs)
    assert [r["order_id"] for r in rows] == ["", "A1", "", "", "A2"]
    assert [r["problem"] for r in rows] == ["empty row: no values", "", "empty row: no values",
                                            "empty row: no values", ""]
    assert [n for n, _ in s.first_problems] == [2, 4, 5]
    assert s.notes == ("4 empty lines at the end of the file ignored",)


def test_invalid_utf8_in_a_cell_is_a_problem_not_a_failure(tmp_path, tariffs):
    content = (HEADER + "A1,30,EUR,DE,300,,damaged,2026-11-20\n").encode() + \
        "A2,30,EUR,DE,300,,damaged,2026-11-20\n".replace("A2", "Ц2").encode("cp1251") + b"A3,30,EUR,DE,300,,damaged,\n"
    s, rows = run(tmp_path, content, tariffs)
    assert len(rows) == 3
    assert rows[1]["problem"] == ("order_id: the cell is not UTF-8 text (Latin-1 / Windows-1252?); save the file "
                                  "as 'CSV UTF-8' or give --encoding cp1252")
    assert rows[0]["problem"] == rows[2]["problem"] == ""


@pytest.mark.parametrize("content, words", [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf\r\n\r\n", "the file is empty"),
    (bytes(range(256)) * 40, "not a text file"),
    ("Ц,Ж,Ш\n".encode("cp1251") * 400, "not UTF-8 text"),
    (b"a,b,c\n1,2,3\n", "no 'price' column"),
    (b"price;currency;origin\n1;2;3\n", None),  # fine: semicolons detected
    (b"price currency origin\n1 2 3\n", "the header is one column 'price currency origin'"),
])
def test_files_that_cannot_be_read_fail_politely(tmp_path, capsys, content, words):
    src = write(tmp_path, content)
    code = main(["batch", str(src), "-o", str(tmp_path / "out.csv"), "--as-of", str(TODAY)])
    err = capsys.readouterr().err
    if words is None:
        assert code == 0
        return
    assert code == 2
    assert err.startswith(f"returncost: error: {src}") and words in err
    assert "Traceback" not in err
    assert sorted(os.listdir(tmp_path)) == ["orders.csv"]  # no output, no temporary file


def test_reader_refuses_an_empty_stream():
    with pytest.raises(BatchError, match="<stdin>: the file is empty"):
        read_chunks(io.BytesIO(b""))


def test_header_only_gives_a_header_only_output(tmp_path, capsys, tariffs):
    s, rows = run(tmp_path, HEADER, tariffs)
    assert s.rows == 0 and rows == []
    header = (tmp_path / "decisions.csv").read_text().splitlines()
    assert len(header) == 1 and header[0].startswith('"order_id","price"') and '"problem"' in header[0]


def test_unknown_columns_pass_through_untouched_and_in_order(tmp_path, tariffs):
    text = "zeta,price,Alpha,origin,currency,postage,  spaced  ,service\n007, 30 ,x;y,de,eur,6,keep me,\n"
    s, rows = run(tmp_path, text, tariffs, defaults={"reason": "damaged"})
    assert list(rows[0])[:8] == ["zeta", "price", "Alpha", "origin", "currency", "postage", "  spaced  ", "service"]
    assert [rows[0][k] for k in ("zeta", "price", "Alpha", "origin", "  spaced  ")] == ["007", " 30 ", "x;y", "de", "keep me"]
    assert rows[0]["problem"] == "" and rows[0]["postage_used"] == "6" and rows[0]["postage"] == "6"


def test_a_previous_output_can_be_fed_back(tmp_path, tariffs):
    first = tmp_path / "first.csv"
    run_batch(DATA / "batch_orders.csv", first, tariffs=tariffs, today=TODAY)
    again = tmp_path / "again.csv"
    run_batch(first, again, tariffs=tariffs, today=TODAY)
    a, b = read_out(first), read_out(again)
    inputs = list(a[0])[: list(a[0]).index("recommendation")]
    outputs = list(a[0])[len(inputs):]
    # the first run's results are kept, renamed, before this run's (issue 14, item 6)
    assert len(a) == len(b) and list(b[0]) == inputs + [f"{o}_input" for o in outputs] + outputs
    assert [r["recommendation_input"] for r in b] == [r["recommendation"] for r in a]
    assert [r["recommendation"] for r in a] == [r["recommendation"] for r in b]


def test_the_declared_output_schema_is_what_evaluation_gives(tariffs):
    """OUTPUT_SCHEMA is declared, not found by evaluating: it must be what a real chunk gives, with
    evaluated rows, problem rows and no rows at all, and the Spark schema must follow it."""
    orders = next(read_chunks(DATA / "batch_orders.csv")[1]).table
    full = evaluate_table(orders, tariffs=tariffs, today=TODAY)
    empty = evaluate_table(orders.slice(0, 0), tariffs=tariffs, today=TODAY)
    outputs = pa.schema(list(full.schema)[orders.num_columns:])
    assert outputs.names == list(OUTPUTS)
    assert outputs == OUTPUT_SCHEMA and empty.schema == full.schema
    problems = full.column("problem").to_pylist()
    assert "" in problems and any(problems)  # both kinds of row were there
    spark = {pa.string(): "string", pa.float64(): "double", pa.bool_(): "boolean", pa.date32(): "date"}
    ddl = output_ddl(["order_id", "margin", "price"])
    assert ddl.split(", ")[:3] == ["`order_id` string", "`margin_input` string", "`price` string"]
    assert ddl.split(", ")[3:] == [f"`{f.name}` {spark[f.type]}" for f in full.schema][orders.num_columns:]


def test_duplicate_input_columns_are_refused(tmp_path, capsys):
    src = write(tmp_path, "price,origin,Price\n1,DE,2\n")
    assert main(["batch", str(src), "-o", str(tmp_path / "o.csv")]) == 2
    assert "columns 1 ('price') and 3 ('Price') are both 'price'" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# every row comes out, whatever the input


_CELLS = st.one_of(
    st.sampled_from(["", "30", "12,99", "$5", "450 g", "-1", "DE", "RU", "XX", "n/a", "=1+2", "2026-11-20",
                     "damaged", "1,200", " ", '"', "a,b", "x\ny", "\r\n", "ü€₽"]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)
_HEADER = ["id", "price", "origin", "weight_g", "postage", "currency"]


def _is_empty(row: list[str]) -> bool:
    return (len(row) in (0, len(_HEADER))) and all(c == "" for c in row)


@given(rows=st.lists(st.one_of(st.lists(_CELLS, min_size=0, max_size=8),
                               st.lists(_CELLS, min_size=5, max_size=5)), max_size=30),
       delimiter=st.sampled_from([",", ";"]), crlf=st.booleans(), bom=st.booleans())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_batch_returns_as_many_rows_as_it_was_given(rows, delimiter, crlf, bom, bundled):
    rows = [[f"#{i}"] + r for i, r in enumerate(rows)] if rows else []
    rows += [[]] * (len(rows) % 3)  # sometimes empty lines at the end
    end = "\r\n" if crlf else "\n"

    def line(cells: list[str]) -> str:
        if len(cells) == 1 and cells[0] == "":
            return '""' + end
        return delimiter.join(f'"{c.replace(chr(34), chr(34) * 2)}"' if any(x in c for x in f'{delimiter}"\r\n') else c
                              for c in cells) + end

    expected = list(rows)
    while expected and _is_empty(expected[-1]):
        expected.pop()
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.csv"
        text = line(_HEADER) + "".join(line(r) for r in rows)
        src.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        s = run_batch(src, Path(d) / "out.parquet", tariffs=bundled.values(), today=TODAY, chunk_rows=4,
                      delimiter=delimiter)
        out = pq.read_table(Path(d) / "out.parquet")
    assert s.rows == out.num_rows == len(expected)
    ids = out.column("id").to_pylist()
    assert [i for i in ids if i and i.startswith("#")] == [r[0] for r in expected if r and r[0].startswith("#")]
    problems = out.column("problem").to_pylist()
    recs = out.column("recommendation").to_pylist()
    assert all((p == "") == (r is not None) for p, r in zip(problems, recs))  # a result or a reason


@given(cells=st.lists(st.tuples(_CELLS, _CELLS, _CELLS, _CELLS), min_size=1, max_size=20))
@settings(max_examples=60, deadline=None)
def test_evaluate_frame_keeps_every_row_whatever_the_cells(cells, bundled):
    frame = pd.DataFrame(cells, columns=["price", "origin", "weight_g", "partial_refund"],
                         index=pd.RangeIndex(100, 100 + len(cells)))
    out = evaluate_frame(frame, tariffs=bundled.values(), today=TODAY)
    assert len(out) == len(frame) and out.index.equals(frame.index)
    assert (out["problem"].fillna("") != "").equals(out["recommendation"].isna())


# --------------------------------------------------------------------------------------------
# the batch agrees with single estimates


def test_batch_and_single_estimates_agree_row_by_row(tmp_path, tariffs):
    rng = np.random.default_rng(7)
    origins = {"US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "BY": "BYN", "UA": "UAH", "KZ": "KZT", "RU": "RUB"}
    rows = []
    for i in range(40):
        o = list(origins)[i % len(origins)]
        rows.append({"price": round(float(rng.uniform(5, 300)) * (90 if o in ("RU", "KZ", "UA") else 1), 2),
                     "currency": origins[o], "origin": o, "weight_g": float(rng.integers(50, 2500)),
                     "postage": 1450.0 if o == "RU" and i % 3 else None,
                     "reason": ["damaged", "wrong_item", "changed_mind", "not_as_described"][i % 4],
                     "partial_refund": 0.3 if i % 5 == 0 else None, "received_on": "2026-11-20"})
    frame = pd.DataFrame(rows)
    src = tmp_path / "orders.csv"
    frame.to_csv(src, index=False)
    run_batch(src, tmp_path / "out.parquet", tariffs=tariffs, today=TODAY)
    out = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert len(out) == len(rows)
    compared = 0
    for row, got in zip(rows, out):
        kwargs = {k: v for k, v in row.items() if v is not None}
        try:
            e = estimate(tariffs=tariffs, today=TODAY, **kwargs)
        except (InputError, RouteError) as exc:
            assert got["problem"] and got["recommendation"] is None, (row, str(exc))
            continue
        compared += 1
        assert got["problem"] == ""
        assert got["recommendation"] == e.recommendation
        single = e.to_dict()  # what `returncost estimate --format json` prints
        for opt, ev in single["ev"].items():
            assert got[f"ev_{opt}"] == ev
        assert got["postage_used"] == single["outputs"]["postage_used"]
        assert got["margin"] == single["outputs"]["margin"]
        assert str(got["refund_return_latest"]) == str(e.assessment.dates["refund_return_latest"][0])
    assert compared >= 25


# --------------------------------------------------------------------------------------------
# interruptions leave nothing behind


def _interrupt_on_second_chunk(monkeypatch, exc: BaseException):
    calls = []
    real = running._evaluate_chunk

    def chunk(table, **kw):
        calls.append(table.num_rows)
        if len(calls) == 2:
            raise exc
        return real(table, **kw)

    monkeypatch.setattr(running, "_evaluate_chunk", chunk)
    return calls


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_interrupted_batch_leaves_no_output(tmp_path, monkeypatch, tariffs, suffix):
    calls = _interrupt_on_second_chunk(monkeypatch, KeyboardInterrupt())
    dest = tmp_path / f"decisions{suffix}"
    with pytest.raises(KeyboardInterrupt):
        run_batch(DATA / "batch_orders.csv", dest, tariffs=tariffs, today=TODAY, chunk_rows=5)
    assert calls == [5, 5]
    assert os.listdir(tmp_path) == []  # neither the output nor a temporary file


def test_failed_batch_keeps_the_previous_output(tmp_path, monkeypatch, capsys):
    dest = tmp_path / "decisions.csv"
    dest.write_text("previous run\n")
    _interrupt_on_second_chunk(monkeypatch, MemoryError("boom"))
    with pytest.raises(MemoryError):
        main(["batch", str(DATA / "batch_orders.csv"), "-o", str(dest), "--chunk-rows", "4"])
    assert dest.read_text() == "previous run\n" and os.listdir(tmp_path) == ["decisions.csv"]


def test_ctrl_c_on_the_command_line(tmp_path, monkeypatch, capsys):
    _interrupt_on_second_chunk(monkeypatch, KeyboardInterrupt())
    code = main(["batch", str(DATA / "batch_orders.csv"), "-o", str(tmp_path / "d.csv"), "--chunk-rows", "4"])
    assert code == 130 and "interrupted" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_a_writer_error_leaves_no_output(tmp_path, monkeypatch, tariffs):
    def fail(self, t):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writing.ChunkWriter, "write", fail)
    with pytest.raises(OSError):
        run_batch(DATA / "batch_orders.csv", tmp_path / "d.csv", tariffs=tariffs, today=TODAY, chunk_rows=4)
    assert os.listdir(tmp_path) == []


def test_output_file_gets_normal_permissions(tmp_path, tariffs):
    dest = tmp_path / "d.csv"
    run_batch(DATA / "batch_orders.csv", dest, tariffs=tariffs, today=TODAY)
    umask = os.umask(0)
    os.umask(umask)
    assert dest.stat().st_mode & 0o777 == 0o666 & ~umask


# --------------------------------------------------------------------------------------------
# beyond one machine: dask


def _normalise(df: pd.DataFrame) -> list[list[object]]:
    """Rows as plain values; empty text, NaN and None all mean 'no value'."""
    out = []
    for row in df.astype(object).itertuples(index=False):
        out.append([None if (v is None or pd.isna(v) or v == "") else str(v) for v in row])
    return out


def _local(src: Path, tmp_path: Path, tariffs) -> pd.DataFrame:
    run_batch(src, tmp_path / "local.parquet", tariffs=tariffs, today=TODAY)
    return table.to_pandas(pq.read_table(tmp_path / "local.parquet"))


def test_dask_over_csv_gives_the_same_output(tmp_path, tariffs):
    import dask.dataframe as dd
    import dask

    lines = [x for x in (DATA / "batch_orders.csv").read_text().splitlines(keepends=True)
             if "Scarf" not in x and "(two lines)" not in x]  # dask splits files at newlines
    src = write(tmp_path, lines[0] + "".join(lines[1:] * 20))
    local = _local(src, tmp_path, tariffs)
    ddf = dd.read_csv(src, dtype=str, keep_default_na=False, blocksize=1500)
    assert ddf.npartitions > 1
    kw = dict(tariffs=tariffs, today=TODAY)
    out = ddf.map_partitions(evaluate_frame, **kw, meta=output_meta(ddf._meta, **kw))
    with dask.config.set(scheduler="synchronous"):
        got = out.compute()
    assert list(got.columns) == list(local.columns)
    assert _normalise(got) == _normalise(local)


def test_dask_over_parquet_gives_the_same_output(tmp_path, tariffs):
    import dask.dataframe as dd
    import dask

    src = DATA / "batch_orders.csv"
    local = _local(src, tmp_path, tariffs)
    _, chunks = read_chunks(src)
    pq.write_table(next(chunks).table, tmp_path / "orders.parquet", row_group_size=5)
    ddf = dd.read_parquet(tmp_path / "orders.parquet", split_row_groups=True)
    kw = dict(tariffs=tariffs, today=TODAY)
    with dask.config.set(scheduler="synchronous"):
        got = ddf.map_partitions(evaluate_frame, **kw, meta=output_meta(ddf._meta, **kw)).compute()
    assert ddf.npartitions > 1
    assert _normalise(got.reset_index(drop=True)) == _normalise(local)


def test_rate_overrides_as_a_mapping_travel_to_workers(tariffs):
    import pickle

    frame = pd.DataFrame({"price": ["20000"], "currency": ["KZT"], "origin": ["KZ"], "weight_g": ["300"],
                          "reason": ["damaged"]})
    kw = pickle.loads(pickle.dumps(dict(fx={"KZT": 520.0}, today=TODAY)))
    assert evaluate_frame(frame, tariffs=tariffs, **kw)["problem"][0] == ""
    out = evaluate_frame(frame.assign(currency="EUR"), tariffs=tariffs, **kw)  # KZT postage -> EUR
    assert out["postage_currency_used"][0] == "KZT" and out["postage_used"][0] == round(8960 / 520, 2)


def test_summaries_of_partitions_add_up(tmp_path, tariffs):
    src = DATA / "batch_orders.csv"
    whole = run_batch(src, tmp_path / "o.csv", tariffs=tariffs, today=TODAY)
    _, chunks = read_chunks(src, chunk_rows=4)
    parts = BatchSummary()
    for c in chunks:
        out = evaluate_frame(table.to_pandas(c.table), tariffs=tariffs, today=TODAY, problems=c.problems)
        parts = parts + summarize(out, lines=c.lines)
    assert parts.rows == whole.rows and parts.problem_rows == whole.problem_rows
    assert parts.recommendations == whole.recommendations
    assert parts.first_problems == whole.first_problems
    # the run groups by what the evaluation read, summarize() by what the table says: the same
    assert {k: v[0] for k, v in parts.groups.items()} == {k: v[0] for k, v in whole.groups.items()}
    a, b = parts.totals()["eur"], whole.totals()["eur"]
    assert a["currencies_without_rate"] == b["currencies_without_rate"] == ["KZT"]
    for key in ("orders", "recommended", "always_return", "always_partial_refund"):
        assert a[key] == pytest.approx(b[key])


def test_a_run_summary_groups_by_the_codes_the_evaluation_read(tmp_path, tariffs):
    """Origin and currency as the evaluation read them: trimmed, upper case, the default where no
    column gives them; summarize() of the written table finds the same groups."""
    src = write(tmp_path, "price,origin,postage,reason\n30, de ,6,damaged\n40,DE,6,damaged\n50,fr,6,wrong_item\n"
                          "x,fr,6,damaged\n")
    s = run_batch(src, tmp_path / "o.csv", tariffs=tariffs, today=TODAY, defaults={"currency": "EUR"})
    assert {(o, c) for o, c, _ in s.groups} == {("DE", "EUR"), ("FR", "EUR")}
    assert sum(v[0] for v in s.groups.values()) == 3 and s.problem_rows == 1
    out = pd.read_csv(tmp_path / "o.csv", dtype={"origin": str, "problem": str}, keep_default_na=False, na_values=[""])
    again = summarize(out, defaults={"currency": "EUR"})
    assert again.groups.keys() == s.groups.keys()
    assert [v[0] for v in again.groups.values()] == [v[0] for v in s.groups.values()]


# --------------------------------------------------------------------------------------------
# the command line


def test_cli_summary_on_stderr(tmp_path, capsys):
    code = main(["batch", str(DATA / "batch_orders.csv"), "-o", str(tmp_path / "d.csv"), "--as-of", str(TODAY)])
    err = capsys.readouterr().err
    assert code == 0
    assert "17 rows in" in err
    assert "rows: 17; evaluated: 11; with problems: 6" in err
    assert "problems on lines 10, 12, 13, 14, 15, 16 (see the 'problem' column)" in err
    assert "recommendations: return 4 (36.4%) · partial_keep 6 (54.5%) · partial_resell 1 (9.1%) · keep 0 (0.0%)" in err


def test_cli_strict_exits_2_and_still_writes(tmp_path, capsys):
    dest = tmp_path / "d.csv"
    code = main(["batch", str(DATA / "batch_orders.csv"), "-o", str(dest), "--strict", "--as-of", str(TODAY)])
    assert code == 2 and len(read_out(dest)) == 17
    assert "returncost: error: 6 rows have a problem (--strict)" in capsys.readouterr().err
    clean = write(tmp_path, "price,currency,origin,postage,reason\n30,EUR,DE,6,damaged\n")
    assert main(["batch", str(clean), "-o", str(tmp_path / "c.csv"), "--strict", "-q"]) == 0


def test_cli_values_fill_missing_columns_and_empty_cells(tmp_path, capsys):
    src = write(tmp_path, "price,postage,partial_refund\n18000,1450,\n300,1450,0.2\n500,,\n")
    dest = tmp_path / "d.csv"
    code = main(["batch", str(src), "-o", str(dest), "--from", "RU", "--currency", "rub",
                 "--partial-refund", "40%", "--postage", "1 450 ₽", "--reason", "damaged", "--as-of", str(TODAY), "-q"])
    assert code == 0
    rows = read_out(dest)
    # damaged: q = 0.84, u = 0: 0.84 · f · P with f = 0.4, 0.2 (the cell wins), 0.4
    assert [r["ev_partial_keep"] for r in rows] == ["6048", "50.4", "168"]
    # 0.84 · (18000 − 1450) + 0.16 · 1800 (the broken item sold locally if the dispute is refused)
    assert rows[0]["ev_return"] == "14190" and rows[2]["postage_used"] == "1450"
    assert rows[0]["postage_currency_used"] == "RUB"


@pytest.mark.parametrize("args, words", [
    (["--partial-refund", "abc"], "--partial-refund: 'abc' is not a number"),
    (["--from", "XX"], "--from: 'XX' is not an ISO 3166-1 alpha-2 country code"),
    (["--currency", "RUBLES"], "--currency: 'RUBLES' is not an ISO 4217 currency code"),
    (["--delimiter", "x"], "--delimiter: 'x' is not one of , ; tab |"),
    (["--as-of", "tomorrow"], "--as-of: 'tomorrow' is not a date"),
    (["--chunk-rows", "0"], "--chunk-rows: 0 must be at least 1"),
])
def test_cli_wrong_options_fail_politely(tmp_path, capsys, args, words):
    code = main(["batch", str(DATA / "batch_orders.csv"), "-o", str(tmp_path / "d.csv"), *args])
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err
    assert os.listdir(tmp_path) == []


def test_cli_output_folder_missing(tmp_path, capsys):
    dest = tmp_path / "no" / "d.csv"
    assert main(["batch", str(DATA / "batch_orders.csv"), "-o", str(dest)]) == 2
    assert f"returncost: error: {dest}: there is no folder" in capsys.readouterr().err


def test_cli_missing_input(tmp_path, capsys):
    assert main(["batch", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "d.csv")]) == 2
    assert f"returncost: error: {tmp_path / 'nope.csv'}: no such file" in capsys.readouterr().err


def test_cli_summary_json_and_chart(tmp_path, capsys):
    dest = tmp_path / "d.csv"
    code = main(["batch", str(DATA / "batch_orders.csv"), "-o", str(dest), "--as-of", str(TODAY), "-q",
                 "--summary", str(tmp_path / "s.json"), "--chart", str(tmp_path / "s.png")])
    assert code == 0
    s = json.loads((tmp_path / "s.json").read_text())
    assert (s["rows"], s["evaluated"], s["problem_rows"]) == (17, 11, 6)
    assert s["first_problem_lines"] == [10, 12, 13, 14, 15, 16]
    assert s["recommendations"] == {"return": 4, "partial_keep": 6, "partial_resell": 1, "keep": 0}
    rows = [r for r in read_out(dest) if not r["problem"]]
    eur = [r for r in rows if r["currency"] == "EUR"]
    best = sum(float(r[f"ev_{r['recommendation']}"]) for r in eur)
    money = s["money_recovered"]["by_currency"]["EUR"]
    assert money["orders"] == len(eur)
    assert money["recommended"] == pytest.approx(best)
    # a blanket policy keeps the orders for which its option is closed (none here: every window is open)
    assert money["always_return"] == pytest.approx(sum(float(r["ev_return"]) for r in eur))
    assert money["always_partial_refund"] == pytest.approx(sum(float(r["ev_partial_keep"]) for r in eur))
    assert money["saving_vs_always_return"] == pytest.approx(best - money["always_return"])
    assert s["money_recovered"]["eur"]["currencies_without_rate"] == ["KZT"]
    assert "expected value" in s["money_recovered"]["definition"]
    assert s["by_origin"]["DE"]["orders"] == 3
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_parquet_in_and_out(tmp_path, capsys):
    pq_out = tmp_path / "d.parquet"
    assert main(["batch", str(DATA / "batch_orders.csv"), "-o", str(pq_out), "--as-of", str(TODAY), "-q"]) == 0
    assert pq.read_table(pq_out).num_rows == 17
    back = tmp_path / "back.csv"
    assert main(["batch", str(pq_out), "-o", str(back), "--as-of", str(TODAY)]) == 0
    assert "problems on rows 9, 11, 12, 13, 14, 15" in capsys.readouterr().err  # Parquet: row numbers
    assert len(read_out(back)) == 17


def test_cli_stdin_to_stdout(tmp_path, monkeypatch, capsysbinary):
    data = (DATA / "batch_orders.csv").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["batch", "-", "-o", "-", "--as-of", str(TODAY)]) == 0
    out = capsysbinary.readouterr()
    assert out.out == (DATA / "batch_decisions.csv").read_bytes()
    assert b"rows: 17" in out.err


def test_cli_stdin_parquet(tmp_path, monkeypatch, capsysbinary):
    _, chunks = read_chunks(DATA / "batch_orders.csv")
    buf = io.BytesIO()
    pq.write_table(next(chunks).table, buf)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(buf.getvalue())))
    assert main(["batch", "-", "-o", str(tmp_path / "d.csv"), "--as-of", str(TODAY), "-q"]) == 0
    assert len(read_out(tmp_path / "d.csv")) == 17


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, capsys):
    main(["batch", str(DATA / "batch_orders.csv"), "-o", str(tmp_path / "d.csv")])
    err = capsys.readouterr().err
    assert "rows/s]" not in err and "\r" not in err


def test_progress_bar_on_a_terminal_counts_rows(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    main(["batch", str(DATA / "batch_orders.csv"), "-o", str(tmp_path / "d.csv"), "--chunk-rows", "5"])
    err = capsys.readouterr().err
    assert "\rreturncost batch: 0.00 rows [00:00, ? rows/s]" in err  # a tqdm bar counting rows


def test_batch_command_imports_nothing_heavy():
    code = ("import argparse, sys; from calculator.cli import batch as cli_batch; p = argparse.ArgumentParser();"
            "cli_batch.add_commands(p.add_subparsers()); "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'matplotlib', 'tqdm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[1])
    assert out.stdout.strip() == "[]"


def test_installed_entry_point_runs_a_batch(tmp_path):
    exe = Path(sys.executable).parent / "returncost"
    assert exe.exists(), "pip install puts the returncost command next to python"
    out = subprocess.run([str(exe), "batch", str(DATA / "batch_orders.csv"), "-o", str(tmp_path / "d.csv"),
                          "--as-of", str(TODAY)], capture_output=True, text=True)
    assert out.returncode == 0 and "rows: 17" in out.stderr


# --------------------------------------------------------------------------------------------
# chart


def test_summary_charts_have_bars_labels_and_legends():
    from matplotlib.figure import Figure

    from calculator.charts import recommendations_chart, savings_chart

    s = BatchSummary(rows=4, groups={("US", "USD", "return"): (2, 10.0, 10.0, 4.0),
                                     ("DE", "EUR", "keep"): (1, 3.0, -1.0, 2.0),
                                     ("KZ", "KZT", "keep"): (1, 300.0, -100.0, 200.0)})
    ax = recommendations_chart(s, Figure().subplots())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["DE", "KZ", "US"]
    assert len(ax.patches) == 3 * 4 and ax.get_legend() is not None
    assert ax.get_ylabel() == "orders evaluated" and "Recommendation" in ax.get_title()
    ax = savings_chart(s, Figure().subplots())
    heights = [round(p.get_height(), 2) for p in ax.patches]
    assert heights[:3] == [4.0, 0.0, 0.0] and len(heights) == 6  # DE: 3 - (-1); KZ: no EUR rate
    assert "[EUR]" in ax.get_ylabel() and "no EUR rate: KZ" in ax.get_xlabel()
    assert ax.get_legend() is not None


def test_typed_columns_with_missing_values_keep_their_rows():
    # A DataFrame (or Parquet file) with float columns, where a missing price is NaN/null.
    frame = pd.DataFrame({"price": [18000.0, np.nan], "currency": ["RUB", "RUB"], "origin": ["RU", "RU"],
                          "postage": [1450.0, 1450.0], "reason": ["damaged", "damaged"]})
    out = evaluate_frame(frame, today=TODAY)
    assert len(out) == 2
    assert out["recommendation"].tolist()[0] == "return"
    assert out["problem"].tolist()[1].startswith("price: missing")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_output_to_a_named_pipe_is_written_in_place(tmp_path, tariffs):
    # a device or a pipe (/dev/null, `-o >(gzip > d.csv.gz)`) must not be renamed over
    import stat
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()))
    reader.start()
    run_batch(DATA / "batch_orders.csv", pipe, tariffs=tariffs, today=TODAY, output_format="csv")
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    rows = list(csv.reader(io.StringIO(got[0].decode())))
    with open(DATA / "batch_orders.csv", newline="", encoding="utf-8-sig") as f:
        assert len(rows) == len(list(csv.reader(f)))
    assert sorted(os.listdir(tmp_path)) == ["pipe"]


def test_the_read_executor_lets_go_of_each_chunk_once_it_is_taken():
    """The reading thread's executor keeps a future only while it runs: a done future holds its
    chunk, and keeping them all kept the whole file in memory (855 MiB at 5M rows, 409 MiB at 1M)."""
    import gc
    import weakref

    from calculator.batch.running import _DaemonExecutor

    class Chunk:  # a stand-in for a chunk of rows
        pass

    reads = _DaemonExecutor()
    refs = []
    for _ in range(5):
        f = reads.submit(Chunk)
        refs.append(weakref.ref(f.result(timeout=5)))
        del f
    reads.shutdown()
    gc.collect()
    assert reads.running() == []
    assert [r() for r in refs] == [None] * 5
