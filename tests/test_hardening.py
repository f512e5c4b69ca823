"""Issue 14: nothing an input, an option or a signal does loses data, hangs or lies.

Each test is one of the issue's cases, tried as a hostile user would. The hostile files are made
here (large ones at run time), never stored.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from calculator import batch
from calculator.batch import running, table
from calculator.batch import BatchError, evaluate_frame, run_batch
from calculator.cli import main

from conftest import TODAY, csv_rows, write_file

DATA = Path(__file__).parent / "data"
ORDERS = DATA / "batch_orders.csv"
ROW = "A1,30,EUR,DE,300,,damaged,2026-11-20\n"
HEADER = "order_id,price,currency,origin,weight_g,postage,reason,received_on\n"


pytestmark = pytest.mark.usefixtures("bundled_only")
write, rows_of = write_file, csv_rows


def batch_cli(*args: str) -> int:
    return main(["batch", *args, "--as-of", str(TODAY)])


# --------------------------------------------------------------------------------------------
# 1. the output is never the input


@pytest.mark.parametrize("spelling", ["same", "dot", "absolute", "symlink", "hardlink"])
def test_output_that_is_the_input_is_refused(tmp_path, monkeypatch, capsys, spelling):
    monkeypatch.chdir(tmp_path)
    src = write(tmp_path, ORDERS.read_bytes())
    before = src.read_bytes()
    out = {"same": "orders.csv", "dot": "./orders.csv", "absolute": str(src), "symlink": "link.csv",
           "hardlink": "hard.csv"}[spelling]
    if spelling == "symlink":
        os.symlink("orders.csv", "link.csv")
    if spelling == "hardlink":
        os.link("orders.csv", "hard.csv")
    listing = sorted(os.listdir(tmp_path))
    assert batch_cli("orders.csv", "-o", out) == 2
    err = capsys.readouterr().err
    assert err == f"returncost: error: {out}: is the input file (orders.csv); write the output to another file\n"
    assert src.read_bytes() == before and sorted(os.listdir(tmp_path)) == listing


def test_output_that_is_standard_input_is_refused(tmp_path, monkeypatch, capsys):
    src = write(tmp_path, ORDERS.read_bytes())
    with open(src, "rb") as fh:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(fh))
        assert batch_cli("-", "-o", str(src)) == 2
    assert "is the input file (standard input)" in capsys.readouterr().err
    assert src.read_bytes() == ORDERS.read_bytes()


# --------------------------------------------------------------------------------------------
# 2. standard output, symbolic links, system folders


def test_dev_stdout_redirected_to_a_file_is_written_there(tmp_path):
    # `-o /dev/stdout > file` as root used to rename a temporary file over the /dev/stdout link
    out = tmp_path / "redirected.csv"
    with open(out, "wb") as fh:
        r = subprocess.run([sys.executable, "-m", "calculator", "batch", str(ORDERS), "-o", "/dev/stdout",
                            "--as-of", str(TODAY), "-q"], stdout=fh, stderr=subprocess.PIPE)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == (DATA / "batch_decisions.csv").read_bytes()
    assert os.path.islink("/dev/stdout")
    assert not [n for n in os.listdir("/dev") if n.startswith(".stdout")]


def test_a_symbolic_link_is_written_through(tmp_path):
    target = write(tmp_path, "old decisions\n", "target.csv")
    os.symlink("target.csv", tmp_path / "link.csv")
    os.symlink("new.csv", tmp_path / "dangling.csv")
    assert batch_cli(str(ORDERS), "-o", str(tmp_path / "link.csv"), "-q") == 0
    assert batch_cli(str(ORDERS), "-o", str(tmp_path / "dangling.csv"), "-q") == 0
    assert os.readlink(tmp_path / "link.csv") == "target.csv"  # still a link ...
    assert len(rows_of(target)) == 17  # ... to the decisions
    assert os.readlink(tmp_path / "dangling.csv") == "new.csv" and len(rows_of(tmp_path / "new.csv")) == 17
    assert sorted(os.listdir(tmp_path)) == ["dangling.csv", "link.csv", "new.csv", "target.csv"]


@pytest.mark.parametrize("dest, words", [
    ("/dev/returncost-test.csv", "/dev is a system folder; write the output elsewhere"),
    ("/proc/self/returncost-test.csv", "is a system folder; write the output elsewhere"),
    ("/etc/returncost-test.csv", "/etc is a system folder; write the output elsewhere"),
])
def test_system_folders_are_refused(capsys, dest, words):
    before = set(os.listdir(os.path.dirname(dest))) if os.path.isdir(os.path.dirname(dest)) else None
    assert batch_cli(str(ORDERS), "-o", dest) == 2
    assert words in capsys.readouterr().err
    assert not os.path.exists(dest)
    if before is not None and not dest.startswith("/proc"):
        assert set(os.listdir(os.path.dirname(dest))) == before


def test_devices_are_written_in_place(capsys):
    assert batch_cli(str(ORDERS), "-o", "/dev/null", "-q") == 0
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


# --------------------------------------------------------------------------------------------
# 3, 4. Ctrl-C, SIGTERM and SIGKILL at any moment


@pytest.fixture(scope="module")
def big_orders(tmp_path_factory) -> Path:
    """About 600,000 orders (a few seconds of work): long enough to interrupt at any moment."""
    body = ORDERS.read_bytes().split(b"\n", 1)[1]
    path = tmp_path_factory.mktemp("big") / "orders.csv"
    path.write_bytes(ORDERS.read_bytes().split(b"\n", 1)[0] + b"\n" + body * 35_000)
    return path


def _entry_point() -> list[str]:
    exe = Path(sys.executable).parent / "returncost"
    assert exe.exists(), "the returncost command is installed with the package"
    return [str(exe)]


def _interrupt(folder: Path, src: Path, sig: int, after: float) -> tuple[int, str]:
    p = subprocess.Popen([*_entry_point(), "batch", str(src), "-o", str(folder / "decisions.csv"),
                          "--summary", str(folder / "summary.json"), "--as-of", str(TODAY)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=folder)
    time.sleep(after)
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    return p.returncode, err.decode()


_EXIT = {signal.SIGINT: (130, "returncost: interrupted\n"), signal.SIGTERM: (143, "returncost: stopped by SIGTERM\n")}


def _before_our_code(sig: int, rc: int, err: str) -> bool:
    """The signal came before any code of this project ran: while Python started, or in the few
    lines of the wrapper script pip writes (``import re``, ``import sys``). Python's default then
    applies: the process ends by the signal, for SIGINT with Python's report of where it was."""
    # a frame of the project's own code (not the editable install's finder, whose name has the
    # project's name in it)
    ours = re.search(r'File "[^"]*(?:[/\\]calculator[/\\]|_returncost\.py)', err) is not None
    if sig == signal.SIGINT and rc == 1 and err.startswith("Fatal Python error: init_import_site"):
        return not ours  # Python was still importing its site packages (.pth files)
    if rc != -sig:
        return False
    return err == "" or (sig == signal.SIGINT and err.startswith("Traceback") and not ours
                         and err.endswith("KeyboardInterrupt\n"))


def test_a_signal_at_any_moment_leaves_the_old_outputs(tmp_path, big_orders):
    # every 45 ms of the first 1.3 s (start-up, imports, tariffs, the first chunks, the writers),
    # Ctrl-C and SIGTERM in turn
    old = {"decisions.csv": b"previous decisions\n", "summary.json": b"{}\n"}
    for i in range(28):
        delay, sig = 0.02 + 0.045 * i, (signal.SIGINT, signal.SIGTERM)[i % 2]
        for name, content in old.items():
            (tmp_path / name).write_bytes(content)
        rc, err = _interrupt(tmp_path, big_orders, sig, delay)
        assert (rc, err) == _EXIT[sig] or _before_our_code(sig, rc, err), \
            f"{sig.name} after {delay:.3f} s: exit {rc}, stderr {err!r}"
        assert {n: (tmp_path / n).read_bytes() for n in old} == old, f"{sig.name} after {delay:.3f} s"
        assert sorted(os.listdir(tmp_path)) == sorted(old), f"{sig.name} after {delay:.3f} s"


def test_a_signal_that_library_code_swallows_still_stops_the_run(tmp_path, monkeypatch, capsys):
    # Ctrl-C while pyarrow runs Python code from C (its lazy pandas import, a parser callback)
    # raises KeyboardInterrupt where C code cannot pass it on: it is printed and lost, and the run
    # used to go on and replace the old output. Here the signal arrives inside such a place.
    real = running._evaluate_chunk
    calls = []

    def chunk(table, **kw):
        calls.append(table.num_rows)
        if len(calls) == 2:
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.2)  # the handler runs here
            except BaseException:  # noqa: BLE001 - what C code does with an exception it cannot raise
                pass
        return real(table, **kw)

    monkeypatch.setattr(running, "_evaluate_chunk", chunk)
    dest = write(tmp_path, "previous decisions\n", "decisions.csv")
    assert batch_cli(str(ORDERS), "-o", str(dest), "--chunk-rows", "4") == 130
    assert capsys.readouterr().err == "returncost: interrupted\n"
    assert dest.read_text() == "previous decisions\n" and os.listdir(tmp_path) == ["decisions.csv"]
    assert len(calls) < 5  # stopped after the chunk at hand


@pytest.mark.parametrize("delay", [0.5, 2.0])
def test_ctrl_c_while_standard_input_stalls_ends_at_once(tmp_path, delay):
    # a producer that sends the header and a row, then nothing: the reader waits on the pipe
    feeder = subprocess.Popen(["sh", "-c", "printf 'price,origin,postage,reason\\n10,DE,3,damaged\\n'; sleep 30"],
                              stdout=subprocess.PIPE)
    try:
        p = subprocess.Popen([*_entry_point(), "batch", "-", "-o", str(tmp_path / "d.csv"), "--as-of", str(TODAY)],
                             stdin=feeder.stdout, stderr=subprocess.PIPE)
        time.sleep(delay)
        sent = time.monotonic()
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=20)
        assert (p.returncode, err.decode()) == (130, "returncost: interrupted\n")
        assert time.monotonic() - sent < 5  # not when the producer is done
        assert os.listdir(tmp_path) == []
    finally:
        feeder.kill()
        feeder.wait()


def test_leftovers_of_a_killed_run_are_removed_by_the_next_run(tmp_path, big_orders):
    dest = tmp_path / "decisions.csv"
    p = subprocess.Popen([*_entry_point(), "batch", str(big_orders), "-o", str(dest), "--as-of", str(TODAY)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (left := [n for n in os.listdir(tmp_path) if n.startswith(".decisions.csv.")]):
        assert time.monotonic() < deadline and p.poll() is None
        time.sleep(0.02)
    p.kill()
    p.wait()
    assert left[0].startswith(f".decisions.csv.returncost-{p.pid}-") and left[0].endswith(".part")
    assert (tmp_path / left[0]).exists()
    assert batch_cli(str(ORDERS), "-o", str(dest), "-q") == 0
    assert os.listdir(tmp_path) == ["decisions.csv"] and len(rows_of(dest)) == 17


def test_a_run_still_writing_the_same_output_is_warned_about_and_left_alone(tmp_path, capsys):
    dest = tmp_path / "decisions.csv"
    # another run: a process holding the lock of its temporary file, as a batch does while writing
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time; p = f'{sys.argv[1]}/.decisions.csv.returncost-{os.getpid()}-x.part'; "
        "fd = os.open(p, os.O_CREAT | os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX); print(p, flush=True); "
        "time.sleep(60)"), str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        other = holder.stdout.readline().strip()
        assert batch_cli(str(ORDERS), "-o", str(dest), "-q") == 0
        err = capsys.readouterr().err
        assert (f"returncost: warning: {dest}: another run (process {holder.pid}) is writing this output right "
                "now; whichever finishes last replaces the other's output") in err
        assert os.path.exists(other) and len(rows_of(dest)) == 17
    finally:
        holder.kill()
        holder.wait()
    assert batch_cli(str(ORDERS), "-o", str(dest), "-q") == 0  # its process is gone: removed
    assert "warning" not in capsys.readouterr().err and os.listdir(tmp_path) == ["decisions.csv"]


def test_a_leftover_of_a_live_process_is_not_removed(tmp_path, tariffs):
    # the process id is alive (this test's parent): the file may be someone's, it stays
    mine = tmp_path / f".decisions.csv.returncost-{os.getppid()}-abc.part"
    gone = tmp_path / f".decisions.csv.returncost-{_dead_pid()}-def.part"
    other = tmp_path / ".other.csv.returncost-1-ghi.part"
    for f in (mine, gone, other):
        f.write_text("half")
    run_batch(ORDERS, tmp_path / "decisions.csv", tariffs=tariffs, today=TODAY)
    assert sorted(os.listdir(tmp_path)) == sorted(["decisions.csv", mine.name, other.name])


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_stop_set_from_another_thread_stops_the_run_and_writes_nothing(tmp_path, tariffs):
    import threading

    stop = threading.Event()
    dest = write(tmp_path, "old\n", "decisions.csv")
    seen = []

    def progress(done: int) -> None:
        seen.append(done)
        stop.set()

    with pytest.raises(KeyboardInterrupt):
        run_batch(ORDERS, dest, tariffs=tariffs, today=TODAY, chunk_rows=4, progress=progress, stop=stop)
    assert seen == [4] and dest.read_text() == "old\n" and os.listdir(tmp_path) == ["decisions.csv"]


# --------------------------------------------------------------------------------------------
# 5, 6. impossible dates; input columns named like an output


def test_impossible_dates_are_problems_not_moved(tariffs):
    days = ["2026-02-30", "2026-04-31", "30.02.2026", "31.11.2026", "2024-02-29", "29.02.2024", "2026-11-20 10:30"]
    frame = pd.DataFrame({"price": "30", "currency": "EUR", "origin": "DE", "postage": "6", "reason": "damaged",
                          "received_on": days})
    out = evaluate_frame(frame, tariffs=tariffs, today=TODAY)
    assert out["problem"].tolist()[:4] == [
        f"received_on: '{d}' is not a date; write YYYY-MM-DD (or DD.MM.YYYY)" for d in days[:4]]
    assert out["problem"].tolist()[4:] == ["", "", ""]
    assert [str(d) for d in out["dispute_deadline"][4:]] == ["2024-03-15", "2024-03-15", "2026-12-05"]


def test_input_columns_named_like_outputs_are_kept_renamed(tmp_path, tariffs):
    src = write(tmp_path, "price,currency,origin,postage,reason,margin,problem,warnings,recommendation,margin_input\n"
                          "30,EUR,DE,6,damaged,my margin,my problem,my warnings,my pick,taken\n")
    run_batch(src, tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    (row,) = rows_of(tmp_path / "d.csv")
    assert [row[k] for k in ("margin_input2", "problem_input", "warnings_input", "recommendation_input",
                             "margin_input")] == ["my margin", "my problem", "my warnings", "my pick", "taken"]
    plain = evaluate_frame(pd.DataFrame({"price": ["30"], "currency": "EUR", "origin": "DE", "postage": "6",
                                         "reason": "damaged"}), tariffs=tariffs, today=TODAY)
    assert row["recommendation"] == plain["recommendation"][0] and row["problem"] == ""
    assert float(row["margin"]) == plain["margin"][0]
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text().split())
    assert "named like an output (`margin`, `problem`, `recommendation`, the results of an earlier run) is kept " \
           "as `margin_input`" in readme


# --------------------------------------------------------------------------------------------
# 10. answers that are not numbers


def test_infinite_amounts_are_refused_in_csv_and_parquet(tmp_path, tariffs):
    table = pa.table({"price": pa.array([math.inf, 30.0, -math.inf, math.nan, 1e308]),
                      "currency": ["EUR"] * 5, "origin": ["DE"] * 5, "postage": [6.0] * 5,
                      "reason": ["damaged"] * 5})
    pq.write_table(table, tmp_path / "o.parquet")
    s = run_batch(tmp_path / "o.parquet", tmp_path / "d.parquet", tariffs=tariffs, today=TODAY)
    out = pq.read_table(tmp_path / "d.parquet").to_pydict()
    assert out["problem"] == ["price: 'inf' is out of range; give more than 0 to 1,000,000,000 [order currency]", "",
                              "price: '-inf' is out of range; give more than 0 to 1,000,000,000 [order currency]",
                              "price: missing; give the amount paid for the item",
                              "price: '1e+308' is out of range; give more than 0 to 1,000,000,000 [order currency]"]
    assert [r is None for r in out["recommendation"]] == [True, False, True, True, True]
    assert s.problem_rows == 4
    csv_in = write(tmp_path, "price,currency,origin,postage,reason\ninf,EUR,DE,6,damaged\n1e999,EUR,DE,6,damaged\n")
    run_batch(csv_in, tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    assert [r["problem"] for r in rows_of(tmp_path / "d.csv")] == [
        "price: 'inf' is not a finite number; write e.g. 12.99", "price: '1e999' is not a finite number; write e.g. 12.99"]


def test_an_answer_that_overflows_is_a_problem_and_the_summary_stays_json(tmp_path, monkeypatch, capsys):
    real = table.assess

    def overflowing(*a, **kw):  # what a model overflow would give: an infinite EV for order 2
        result = real(*a, **kw)
        result.evaluation.ev_return[1] = np.inf
        return result

    monkeypatch.setattr(table, "assess", overflowing)
    src = write(tmp_path, HEADER + ROW + ROW.replace("A1", "A2") + ROW.replace("A1", "A3"))
    assert batch_cli(str(src), "-o", str(tmp_path / "d.csv"), "--summary", str(tmp_path / "s.json"), "-q") == 0
    rows = rows_of(tmp_path / "d.csv")
    assert rows[1]["problem"] == "the amounts are too large to compute with; check the price and the postage"
    assert rows[1]["recommendation"] == rows[1]["ev_return"] == "" and rows[0]["recommendation"] != ""

    def no_constants(name):
        raise AssertionError(f"{name} in the summary")

    s = json.loads((tmp_path / "s.json").read_text(), parse_constant=no_constants)
    assert (s["rows"], s["problem_rows"]) == (3, 1)


def test_summary_is_valid_json_even_with_non_finite_totals(tmp_path, monkeypatch):
    from calculator.cli.batch import _finite

    assert json.dumps(_finite({"a": [math.inf, 1.5, math.nan], "b": {"c": -math.inf}}), allow_nan=False) == \
        '{"a": [null, 1.5, null], "b": {"c": null}}'


# --------------------------------------------------------------------------------------------
# 11. ordinary inputs that gave tracebacks


def test_parquet_integers_beyond_2_to_the_53_are_a_problem(tmp_path, tariffs):
    pq.write_table(pa.table({"price": pa.array([2**53 + 1, 30], pa.int64()), "origin": ["DE", "DE"],
                             "currency": ["EUR", "EUR"], "postage": pa.array([6, 2**62], pa.int64()),
                             "reason": ["damaged", "damaged"]}), tmp_path / "o.parquet")
    run_batch(tmp_path / "o.parquet", tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    assert [r["problem"] for r in rows_of(tmp_path / "d.csv")] == [
        "price: '9007199254740993' is out of range; give more than 0 to 1,000,000,000 [order currency]",
        "postage: '4611686018427387904' is out of range; give 0 to 1,000,000,000 [postage currency]"]


def test_list_struct_and_map_columns_as_inputs_and_passed_through(tmp_path, tariffs):
    table = pa.table({
        "price": pa.array([[30.0], None, [1.0, 2.0]], pa.list_(pa.float64())),
        "origin": ["DE", "DE", "DE"], "currency": ["EUR"] * 3, "postage": [6.0] * 3, "reason": ["damaged"] * 3,
        "tags": pa.array([{"a": 1, "b": "x"}, None, {"a": 2, "b": "y"}]),
        "extra": pa.array([[("k", 1)], [], None], pa.map_(pa.string(), pa.int64())),
    })
    pq.write_table(table, tmp_path / "o.parquet")
    s = run_batch(tmp_path / "o.parquet", tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    rows = rows_of(tmp_path / "d.csv")
    assert s.rows == 3
    assert rows[0]["problem"].startswith("price: holds list<") and rows[0]["problem"].endswith(
        "double> values, not one value per cell; give plain numbers or text")
    assert rows[1]["problem"] == "price: missing; give the amount paid for the item"
    assert [r["price"] for r in rows] == ["[30.0]", "", "[1.0, 2.0]"]
    assert [r["tags"] for r in rows] == ['{"a": 1, "b": "x"}', "", '{"a": 2, "b": "y"}']
    assert [r["extra"] for r in rows] == ['[["k", 1]]', "[]", ""]
    pq.write_table(table.drop(["price"]).append_column("price", pa.array([30.0, 31.0, 32.0])), tmp_path / "p.parquet")
    run_batch(tmp_path / "p.parquet", tmp_path / "e.csv", tariffs=tariffs, today=TODAY)
    assert [r["problem"] for r in rows_of(tmp_path / "e.csv")] == ["", "", ""]


def test_more_than_4096_csv_columns(tmp_path, tariffs):
    names = ["price", "origin", "postage", "currency", "reason"] + [f"c{i}" for i in range(5000)]
    values = ["30", "DE", "6", "EUR", "damaged"] + [str(i) for i in range(5000)]
    src = write(tmp_path, ",".join(names) + "\n" + ",".join(values) + "\n")
    s = run_batch(src, tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    (row,) = rows_of(tmp_path / "d.csv")
    assert s.problem_rows == 0 and row["c4999"] == "4999" and row["recommendation"] == "return"


def test_too_many_columns_are_refused_with_the_reason(tmp_path, capsys):
    src = write(tmp_path, "price,origin," + ",".join("x" * 70_000) + "\n1,DE\n")
    assert batch_cli(str(src), "-o", str(tmp_path / "d.csv")) == 2
    assert "the header has 70,002 columns; at most 65,536 are read" in capsys.readouterr().err


def test_summary_or_chart_on_the_output_is_refused(tmp_path, capsys):
    out = str(tmp_path / "d.csv")
    assert batch_cli(str(ORDERS), "-o", out, "--summary", out) == 2
    assert f"--summary: '{out}' is the file given to --output; name another file" in capsys.readouterr().err
    assert batch_cli(str(ORDERS), "-o", out, "--summary", str(tmp_path / "s.png"), "--chart",
                     str(tmp_path / "s.png")) == 2
    assert "--chart:" in capsys.readouterr().err and os.listdir(tmp_path) == []


def test_an_unknown_chart_format_is_refused_before_the_run(tmp_path, capsys):
    assert batch_cli(str(ORDERS), "-o", str(tmp_path / "d.csv"), "--chart", str(tmp_path / "x.xyz")) == 2
    err = capsys.readouterr().err
    assert err == (f"returncost: error: --chart: '{tmp_path / 'x.xyz'}' has no chart format suffix; end it in "
                   ".png, .svg, .pdf\n")
    assert os.listdir(tmp_path) == []  # the batch did not run


def test_hostile_cells_print_no_numpy_warnings(tmp_path):
    cells = ["0", "-0", "1e-320", "1e9", "0.0001", "", "1e308", "nan", "inf", "-inf", "5e-324"]
    lines = [f"{p},EUR,DE,{w},{s},damaged,{f},{h},{v}" for p in cells for w, s, f, h, v in
             zip(cells, reversed(cells), cells[3:] + cells[:3], cells[5:] + cells[:5], cells[7:] + cells[:7])]
    src = write(tmp_path, "price,currency,origin,weight_g,postage,reason,partial_refund,hassle_hours,hourly_value\n"
                + "\n".join(lines) + "\n")
    r = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", "calculator", "batch", str(src), "-o",
                        str(tmp_path / "d.csv"), "--as-of", str(TODAY)], capture_output=True, text=True)
    assert r.returncode == 0 and "Warning" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert len(rows_of(tmp_path / "d.csv")) == len(lines)


# --------------------------------------------------------------------------------------------
# 12. a huge cell, a huge header


def test_a_cell_longer_than_the_readers_block_is_read(tmp_path, tariffs):
    huge = "y" * (5 << 20)  # the first block is 4 MiB
    src = write(tmp_path, "price,currency,origin,postage,reason,note\n" + "30,EUR,DE,6,damaged,a\n" * 2000
                + f'31,EUR,DE,6,damaged,"{huge}"\n' + "32,EUR,DE,6,damaged,z\n" * 2000)
    s = run_batch(src, tmp_path / "d.parquet", tariffs=tariffs, today=TODAY)
    out = pq.read_table(tmp_path / "d.parquet")
    assert s.rows == out.num_rows == 4001 and s.problem_rows == 0
    assert out.column("note")[2000].as_py() == huge and out.column("price_used").to_pylist()[1999:2002] == [30, 31, 32]


def test_a_header_of_40_mib_is_read(tmp_path, tariffs):
    src = write(tmp_path, f"price,currency,origin,postage,reason,{'n' * (40 << 20)}\n30,EUR,DE,6,damaged,x\n")
    s = run_batch(src, tmp_path / "d.parquet", tariffs=tariffs, today=TODAY)
    assert s.rows == 1 and s.problem_rows == 0


def test_an_unclosed_quote_says_so(tmp_path, capsys):
    # the rest of the file is one value: longer than the largest block on standard input
    src = write(tmp_path, "price,origin,note\n1,DE,\"never closed\n" + "2,DE,x\n" * 800_000)
    with open(src, "rb") as fh:
        with pytest.raises(BatchError, match=r"<stdin>: a line after line 1 is longer than 4 MiB \(a huge value, "
                                             r"or a quote that is never closed\); a stream is read once: give the "
                                             r"file by name to read longer lines"):
            run_batch(fh, tmp_path / "d.csv", tariffs=(), today=TODAY)
    assert os.listdir(tmp_path) == ["orders.csv"]


# --------------------------------------------------------------------------------------------
# smaller but real


@pytest.mark.parametrize("option, words", [
    (["--partial-refund", "2"], "--partial-refund: '2' is out of range; give 0 to 1 [fraction of price]"),
    (["--win-probability", "-1"], "--win-probability: '-1' is out of range; give 0 to 1 [0..1]"),
    (["--hassle-hours", "-3"], "--hassle-hours: '-3' is out of range; give 0 to 10,000 [h]"),
    (["--price", "1e308"], "--price: '1e308' is out of range; give more than 0 to 1,000,000,000 [order currency]"),
    (["--disputes-won-in-a-row", "2.5"], "--disputes-won-in-a-row: '2.5' is not a whole number"),
    (["--received-on", "2026-02-30"], "--received-on: '2026-02-30' is not a date"),
    (["--encoding", "klingon"], "--encoding: 'klingon' is not a text encoding"),
])
def test_out_of_range_options_are_usage_errors_before_reading(tmp_path, capsys, option, words):
    # the input does not even exist: the option is refused first
    assert batch_cli(str(tmp_path / "missing.csv"), "-o", str(tmp_path / "d.csv"), *option) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"returncost: error: {words}") and err.count("\n") == 1
    assert os.listdir(tmp_path) == []


def test_control_characters_are_escaped_on_the_terminal(tmp_path, capsys, monkeypatch):
    src = write(tmp_path, "price,origin,currency,postage,reason\n\x1b[2J\x1b]0;pwned\x07,DE,EUR,6,damaged\n")
    assert batch_cli(str(src), "-o", str(tmp_path / "d.csv")) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "first: line 2: price: '\\x1b[2J\\x1b]0;pwned\\x07' is not a number" in err
    assert batch_cli(str(src), "-o", str(tmp_path / "d.csv"), "--from", "\x1b[31mXX") == 2
    assert capsys.readouterr().err == "returncost: error: --from: '\\x1b[31mXX' is not an ISO 3166-1 alpha-2 " \
                                      "country code (e.g. US, GB, DE, RU, CN)\n"


def test_decisions_printed_on_a_terminal_are_escaped(tmp_path, capsysbinary, monkeypatch):
    src = write(tmp_path, "order_id,price,origin,currency,postage,reason\n\x1b]0;pwned\x07Ц,30,DE,EUR,6,damaged\n")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert batch_cli(str(src), "-q") == 0
    out = capsysbinary.readouterr().out
    assert b"\x1b" not in out and b"\x07" not in out and "\\x1b]0;pwned\\x07Ц".encode() in out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)  # to a file or a pipe: the data as it is
    assert batch_cli(str(src), "-q") == 0
    assert "\x1b]0;pwned\x07Ц".encode() in capsysbinary.readouterr().out


def test_control_characters_from_a_tariff_are_escaped_on_a_terminal(tmp_path, capsys, monkeypatch, write_tariff):
    from conftest import MINIMAL

    write_tariff(MINIMAL.replace("carrier: Test Post", 'carrier: "Evil\\e[2J Post\\a"'))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["tariffs", "list", "--tariffs", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Evil\\x1b[2J Post\\x07" in out and "\x1b" not in out and "\x07" not in out


@pytest.mark.parametrize("suffix, compress", [(".gz", gzip.compress), (".bz2", bz2.compress),
                                              (".zst", None), ("", gzip.compress)])
def test_compressed_inputs_are_read(tmp_path, suffix, compress, tariffs):
    raw = ORDERS.read_bytes()
    if compress is None:
        buf = pa.BufferOutputStream()
        with pa.CompressedOutputStream(buf, "zstd") as z:
            z.write(raw)
        data = buf.getvalue().to_pybytes()
    else:
        data = compress(raw)
    src = write(tmp_path, data, "orders.csv" + suffix)
    run_batch(src, tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    assert (tmp_path / "d.csv").read_bytes() == (DATA / "batch_decisions.csv").read_bytes()
    with open(src, "rb") as fh:  # compressed standard input too
        run_batch(fh, tmp_path / "e.csv", tariffs=tariffs, today=TODAY)
    assert (tmp_path / "e.csv").read_bytes() == (DATA / "batch_decisions.csv").read_bytes()


@pytest.mark.parametrize("content, words", [
    (b"PK\x03\x04" + b"\x00" * 100, "a zip archive: unpack it first"),
    (b"PK\x03\x04\x14\x00[Content_Types].xml" + b"\x00" * 100, "an Excel or OpenDocument workbook"),
    ("price,origin\n1,DE\n".encode("utf-16"), "UTF-16 text: save it as UTF-8 ('CSV UTF-8'), or give --encoding utf-16"),
    ("price,origin\n1,DE\n".encode("utf-16-le"), "UTF-16 text"),
    ("price,origin,title\n" + "1,RU,Чехол для телефона\n" * 20, "it looks like Windows-1251, Cyrillic: give "
                                                                 "--encoding cp1251"),
    ("price,origin,title\n" + "1,FR,Café crème brûlée\n" * 20, "it looks like Latin-1 / Windows-1252: give "
                                                               "--encoding cp1252"),
])
def test_what_is_not_utf8_csv_is_named(tmp_path, capsys, content, words):
    if isinstance(content, str):
        content = content.encode("cp1251" if "Чехол" in content else "cp1252")
    src = write(tmp_path, content)
    assert batch_cli(str(src), "-o", str(tmp_path / "d.csv")) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"returncost: error: {src}: ") and words in err and err.count("\n") == 1


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16"])
def test_other_encodings_are_read_when_named(tmp_path, capsys, encoding):
    text = "order_id,price,currency,origin,postage,reason\nЧехол,30,EUR,DE,6,damaged\nЖ2,31,EUR,DE,6,damaged\n"
    src = write(tmp_path, text.encode(encoding))
    assert batch_cli(str(src), "-o", str(tmp_path / "d.csv"), "--encoding", encoding, "-q") == 0
    rows = rows_of(tmp_path / "d.csv")
    assert [r["order_id"] for r in rows] == ["Чехол", "Ж2"] and [r["problem"] for r in rows] == ["", ""]


def test_a_nul_byte_is_a_row_problem_wherever_it_is(tmp_path, tariffs):
    rows = [f"A{i},30,EUR,DE,300,,damaged,2026-11-20\n" for i in range(3000)]  # ~100 KiB
    rows[1] = rows[1].replace("A1,", "A\x001,")
    rows[2900] = rows[2900].replace("damaged", "dam\x00aged")
    src = write(tmp_path, HEADER + "".join(rows))
    s = run_batch(src, tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    assert s.rows == 3000 and s.problem_rows == 2
    assert [n for n, _ in s.first_problems] == [3, 2902]
    assert [p for _, p in s.first_problems] == ["order_id: the cell holds a NUL byte, which is not text; remove it",
                                                "reason: the cell holds a NUL byte, which is not text; remove it"]


def test_a_binary_file_is_still_refused(tmp_path, capsys):
    src = write(tmp_path, bytes(range(256)) * 40)
    assert batch_cli(str(src), "-o", str(tmp_path / "d.csv")) == 2
    assert "not a text file (binary data: a NUL byte at byte 1, and 39 more)" in capsys.readouterr().err


def test_parquet_boolean_postage_is_a_problem_not_one(tmp_path, tariffs):
    pq.write_table(pa.table({"price": [30.0, 30.0, 30.0], "origin": ["DE"] * 3, "currency": ["EUR"] * 3,
                             "reason": ["damaged"] * 3, "weight_g": [300.0] * 3,
                             "postage": pa.array([True, None, False]), "mall": pa.array([True, False, None])}),
                   tmp_path / "o.parquet")
    run_batch(tmp_path / "o.parquet", tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    rows = rows_of(tmp_path / "d.csv")
    assert rows[0]["problem"] == "postage: 'true' is yes/no, not a number; write e.g. 12.99"
    assert rows[2]["problem"] == "postage: 'false' is yes/no, not a number; write e.g. 12.99"
    assert rows[1]["problem"] == "" and rows[1]["postage_source"] == "tariff"  # empty: looked up
    assert [r["mall"] for r in rows] == ["yes", "no", ""]  # booleans passed through as yes/no


def test_negative_zero_is_zero(tmp_path, tariffs):
    src = write(tmp_path, "price,currency,origin,weight_g,reason,packaging_cost\n30,EUR,DE,-0,damaged,-0.0\n")
    run_batch(src, tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    (row,) = rows_of(tmp_path / "d.csv")
    assert row["problem"] == "" and row["chargeable_weight_g"] == "0"
    assert not [k for k, v in row.items() if v.startswith("-0") and k not in ("weight_g", "packaging_cost")]


def test_tracked_is_written_yes_or_no_as_the_readme_says(tmp_path, tariffs):
    run_batch(ORDERS, tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    assert {r["tracked"] for r in rows_of(tmp_path / "d.csv")} == {"yes", "no", ""}
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "| `tracked` | yes/no |" in readme
    run_batch(ORDERS, tmp_path / "d.parquet", tariffs=tariffs, today=TODAY)
    assert pq.read_table(tmp_path / "d.parquet").schema.field("tracked").type == pa.bool_()


@pytest.mark.parametrize("column, value", [("length_cm", "1e308"), ("weight_g", "2e6"), ("height_cm", "10001"),
                                           ("hassle_hours", "1e5")])
def test_absurd_sizes_are_problems(tmp_path, tariffs, column, value):
    src = write(tmp_path, "price,currency,origin,weight_g,length_cm,width_cm,height_cm,reason,hassle_hours\n"
                          "30,EUR,DE,300,20,15,8,damaged,0\n")
    text = src.read_text().splitlines()
    names = text[0].split(",")
    cells = text[1].split(",")
    cells[names.index(column)] = value
    src.write_text(text[0] + "\n" + ",".join(cells) + "\n")
    run_batch(src, tmp_path / "d.csv", tariffs=tariffs, today=TODAY)
    (row,) = rows_of(tmp_path / "d.csv")
    assert row["problem"].startswith(f"{column}: '{value}' is out of range; give 0 to ")
    assert row["recommendation"] == "" and row["postage_used"] == ""
