"""The one YAML reader of data files (calculator._yaml): what it refuses, where it says it is, and
that refusing happens before anything is built or run (issue 14 items 7-9)."""

from __future__ import annotations

import os
import time

import pytest

from calculator import _yaml
from calculator.errors import CalculatorError, DataFileError

# "Billion laughs": 9 levels of 9 aliases, 4 KB of text that would expand to 9**9 strings.
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))


def _refused(text: str) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        _yaml.parse(text, label="x.yaml").data
    return info.value


def test_alias_bomb_is_refused_at_once_on_one_line():
    t0 = time.perf_counter()
    err = _refused(BOMB)
    assert time.perf_counter() - t0 < 0.5
    assert str(err) == "x.yaml, line 1: a: an anchor (&a) is not allowed in data files; write the value out"
    assert "\n" not in str(err)


def test_an_alias_without_its_anchor_in_view_is_refused_too():
    # a merge key (<<) needs an alias; refused like any alias
    text = "base: {x: 1}\nother:\n  <<: *base\n"
    err = _refused(text)
    assert "alias (*base) is not allowed" in str(err) and err.line == 3


@pytest.mark.parametrize("tag, shown", [("!!python/object/apply:os.system", "!!python/object/apply:os.system"),
                                        ("!!python/name:os.system", "!!python/name:os.system"),
                                        ("!custom", "!custom"), ("!!binary", "!!binary")])
def test_tags_other_than_plain_values_are_refused_and_nothing_runs(tmp_path, tag, shown):
    marker = tmp_path / "ran"
    text = f"carrier: Post\nvalid_from: {tag} ['touch {marker}']\n"
    err = _refused(text)
    assert str(err) == (f"x.yaml, line 2: valid_from: the tag {shown} is not allowed in data files; "
                        "remove it (plain values only)")
    assert not marker.exists()


def test_plain_explicit_tags_are_fine():
    assert _yaml.parse("a: !!str 5\nb: !!int '7'\n", label="x.yaml").data == {"a": "5", "b": 7}


def test_impossible_date_is_located_not_a_traceback():
    err = _refused("carrier: Post\nversions:\n  - valid_from: 2023-02-30\n")
    assert err.line == 3 and err.key == "versions[0].valid_from"
    assert "'2023-02-30' is not a date" in str(err)


def test_duplicate_key_is_located():
    err = _refused("services:\n  - id: a\n    name: A\n    name: B\n")
    assert (err.line, err.key, err.message) == (4, "services[0].name", "duplicate key; keep one")


def test_the_error_is_one_class_with_the_place_as_attributes(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("a: [1\n")
    with pytest.raises(DataFileError) as info:
        _yaml.load(path)
    e = info.value
    assert isinstance(e, CalculatorError) and isinstance(e, ValueError)
    assert (e.path, e.line) == (path, 2) and str(e).startswith(f"{path}, line 2: not valid YAML")


def test_only_regular_files_are_read_and_a_pipe_does_not_block(tmp_path):
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    t0 = time.perf_counter()
    with pytest.raises(DataFileError, match="a named pipe, not a regular file"):
        _yaml.load(fifo)
    assert time.perf_counter() - t0 < 1


def test_a_link_to_a_device_and_a_link_loop_are_one_line_errors(tmp_path):
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    with pytest.raises(DataFileError, match="a character device, not a regular file"):
        _yaml.load(zero)
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(DataFileError, match="a loop of symbolic links"):
        _yaml.load(a)


def test_files_over_the_size_cap_are_refused_before_reading(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(_yaml.MAX_BYTES + 1)  # sparse: nothing is written, the size is what counts
    with pytest.raises(DataFileError, match="over the 5 MB limit"):
        _yaml.load(big)


def test_not_utf8_is_named(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes("carrier: Почта\n".encode("cp1251"))
    with pytest.raises(DataFileError, match="not UTF-8 text"):
        _yaml.load(path)


def test_lines_of_key_paths_for_plain_data_readers():
    doc = _yaml.parse("top:\n  a: 1\n  b:\n    - x\n    - y\n", label="x.yaml")
    assert doc.data == {"top": {"a": 1, "b": ["x", "y"]}}
    assert doc.lines[("top", "a")] == 2 and doc.lines[("top", "b", "1")] == 5
