"""Hostile and damaged data, round 2: logs that blind a folder's table or ask for memory far
beyond their size, snapshots naming any spikey function or holding damaged buffers,
checkpoints nested 100,000 deep or with records of the wrong type, two processes on one
output folder, Ctrl-C and a full disk in a Series, and a resumed run's changed source file."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest
from conftest import run_python
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spikey.logging import CorruptLogWarning, MetaReader, Reader, log
from spikey.logging.serialize import MAX_STRING_EXPANSION, STRING_SLACK
from spikey.viz.report import write_report

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _good_log(folder, name: str = "good.json", accuracy: float = 0.75, n: int = 3) -> str:
    return log(
        {"n_neurons": n}, None, {"accuracy": accuracy, "steps": 10}, {}, folder=str(folder), filename=name
    )


def _write(folder, name: str, text: str) -> str:
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def _corrupt(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, CorruptLogWarning)]


# --------------------------------------------------------------------------- one log must not blind a folder

BAD_LOGS = {
    "surrogate": '{"network": {"n_neurons": 3}, "results": {"accuracy": 0.5, "name": "\\ud800"}}',
    "surrogate_key": '{"network": {"n_neurons": 3}, "results": {"\\udfff": 1}}',
    "surrogate_in_array": (
        '{"results": {}, "info": {"s": {"__spikey__": "ndarray", "dtype": "<U4", "shape": [1], "items": ["\\ud800"]}}}'
    ),
}


@pytest.mark.parametrize("bad", sorted(BAD_LOGS))
def test_lone_surrogate_skips_its_log_naming_it_and_keeps_the_others(tmp_path, bad):
    """A string that is not valid Unicode skips its file (warning names it); table and report still build."""
    _good_log(tmp_path, "a.json")
    _good_log(tmp_path, "c.json", accuracy=0.5)
    _write(tmp_path, "b.json", BAD_LOGS[bad])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        df = Reader(str(tmp_path)).df
        meta = MetaReader(str(tmp_path)).df
    assert df["filename"].tolist() == ["a.json", "c.json"] and meta["filename"].tolist() == [
        "a.json",
        "c.json",
    ]
    messages = _corrupt(record)
    assert messages and all("b.json" in m and "surrogate" in m for m in messages)
    page = write_report(str(tmp_path))
    text = open(page, encoding="utf-8").read()
    assert "b.json" in text and "a.json" in text


def test_int_beyond_int64_widens_its_column_with_a_warning_naming_the_file(tmp_path):
    """An int beyond int64 keeps the column as Python ints; the warning names the file; all logs returned."""
    _good_log(tmp_path, "a.json")
    big = 2**70
    _write(
        tmp_path,
        "b.json",
        json.dumps({"network": {"n_neurons": 4}, "results": {"steps": big, "accuracy": 1.0}}),
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        df = Reader(str(tmp_path)).df
        meta = MetaReader(str(tmp_path)).df
    assert df["steps"].tolist() == [10, big] and meta["steps"].tolist() == [10, big]
    assert df["n_neurons"].dtype == np.int64  # the other int columns keep their dtype
    messages = _corrupt(record)
    assert messages and all("b.json" in m and "'steps'" in m and "int64" in m for m in messages)
    page = open(write_report(str(tmp_path)), encoding="utf-8").read()
    assert "a.json" in page and "b.json" in page and "Runs (2)" in page


# --------------------------------------------------------------------------- decoded size bounded by file size


def _string_log(folder, name: str, n_items: int, itemsize: int) -> str:
    entry = {"__spikey__": "ndarray", "dtype": f"<U{itemsize}", "shape": [n_items], "items": ["a"] * n_items}
    return _write(folder, name, json.dumps({"results": {}, "info": {"s": entry}}))


def test_string_array_decodes_to_at_most_eight_times_its_text():
    """A U-array may take 8x its items' text (+ slack); ASCII is not counted as 4 bytes a character."""
    from spikey.logging.serialize import DecodeError, decode

    n = 100_000  # text present: 4 bytes an item ("a" plus quotes and comma)
    fits = {"__spikey__": "ndarray", "dtype": "<U8", "shape": [n], "items": ["a"] * n}  # 32 bytes an item
    assert decode(fits).shape == (n,)
    too_much = dict(fits, dtype=f"<U{(MAX_STRING_EXPANSION * 4 * n + STRING_SLACK) // (4 * n) + 1}")
    with pytest.raises(DecodeError, match="far more than"):
        decode(too_much)


def test_reader_under_memory_limit_bounds_a_log_by_eight_times_its_size(tmp_path):
    """Under RLIMIT_AS, an 8 MB log asking for 512 MB of strings is skipped by the bound (not MemoryError)."""
    _good_log(tmp_path, "a.json")
    path = _string_log(tmp_path, "b.json", n_items=2_000_000, itemsize=64)  # 8 MB -> 512 MB
    size = os.path.getsize(path)
    result = run_python(
        f"""
        import json, resource, warnings
        from spikey.logging import Reader, CorruptLogWarning
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            reader = Reader({str(tmp_path)!r})
            df = reader.df
        grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(json.dumps({{"files": reader.filenames, "grew_kb": grew,
                           "warnings": [str(x.message) for x in w if issubclass(x.category, CorruptLogWarning)]}}))
        """,
        memory_mb=700,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["files"] == ["a.json"]
    assert len(out["warnings"]) == 1 and "b.json" in out["warnings"][0]
    assert "MemoryError" not in out["warnings"][0] and f"{MAX_STRING_EXPANSION}x" in out["warnings"][0]
    # parsing the JSON costs a small factor of the file; nothing near the 512 MB asked for
    assert out["grew_kb"] * 1024 < 20 * size


def test_folder_total_bounds_many_small_logs_each_within_its_own_limit(tmp_path):
    """Logs each spending the 1 MiB slack: the folder's shared budget skips the ones beyond it, naming them."""
    n_files = 6
    for i in range(n_files):  # 1 item of U(slack/4): about 1 MiB each from a ~100-byte file
        _string_log(tmp_path, f"s{i}.json", n_items=1, itemsize=STRING_SLACK // 4)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        reader = Reader(str(tmp_path))
    # a single file reads alone, but the folder shares one slack: only the first fits
    assert Reader(str(tmp_path), filenames=["s3.json"], strict=True).filenames == ["s3.json"]
    assert reader.filenames == ["s0.json"]
    messages = _corrupt(record)
    assert len(messages) == n_files - 1 and all(f"s{i}.json" in m for i, m in enumerate(messages, 1))


# --------------------------------------------------------------------------- checkpoints, locks, interrupts

SLOW_SERIES = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {here!r})
    from test_meta import SlowLoop as training_loop, network_template, game_template

    training_params = {{"n_episodes": 1, "len_episode": 2, "sleep": {sleep}}}
    spec = ("learning_rate", [0.05, 0.1, 0.2])
    n_repeats = 2
    seed = 3
    """
)


def _series_file(tmp_path, sleep: float = 0.0) -> str:
    path = tmp_path / "slow_series.py"
    path.write_text(SLOW_SERIES.format(here=HERE, sleep=sleep))
    return str(path)


def _spikey(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen(
        [sys.executable, "-m", "spikey", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
        # a shell's background jobs inherit SIGINT ignored: give the child Python's default Ctrl-C
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_records(folder: str, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    from spikey.meta.checkpoint import Checkpoint

    path = Checkpoint.path_in(folder)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and open(path, "rb").read().count(b"\n") >= n + 1:
            return
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        time.sleep(0.05)
    raise AssertionError(f"{n} records did not appear in {path}")


def test_second_process_on_a_running_folder_is_refused_naming_the_pid(tmp_path):
    """A run holds its folder: a concurrent --resume exits 2 naming the PID; every job is recorded once."""
    from spikey.meta.checkpoint import LOCK_NAME, Checkpoint

    source, out = _series_file(tmp_path, sleep=1.5), str(tmp_path / "out")  # 9 s: outlasts the second's start
    first = _spikey("series", source, "--out", out, "--quiet")
    try:
        _wait_for_records(out, 1, first)
        second = _spikey("series", "--resume", out, "--quiet")
        _, err = second.communicate(timeout=120)
        assert second.returncode == 2, err[-2000:]
        assert f"in use by PID {first.pid}" in err
        _, err = first.communicate(timeout=180)
        assert first.returncode == 0, err[-2000:]
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    _, records, _ = Checkpoint.read(out)
    assert sorted(r["job"] for r in records) == list(range(6))
    assert not os.path.exists(os.path.join(out, LOCK_NAME))  # released at the end


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    """A lock file naming a PID that no longer runs does not block a resume (a warning says so)."""
    from spikey.cli import main as cli_main
    from spikey.meta.checkpoint import LOCK_NAME, Checkpoint, CheckpointWarning

    source, out = _series_file(tmp_path), str(tmp_path / "out")
    assert cli_main(["series", source, "--out", out, "--quiet"]) == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with open(os.path.join(out, LOCK_NAME), "w") as f:
        f.write(f"{dead.pid}\n")
    with pytest.warns(CheckpointWarning, match=f"taking over the lock of PID {dead.pid}"):
        assert cli_main(["series", "--resume", out, "--quiet"]) == 0
    assert len(Checkpoint.read(out)[1]) == 6


def test_ctrl_c_prints_one_line_with_the_resume_command_and_exits_130(tmp_path):
    """SIGINT mid-series: exit 130, one line 'interrupted after i/n jobs; resume with ...', no traceback."""
    source, out = _series_file(tmp_path, sleep=0.4), str(tmp_path / "out")
    proc = _spikey("series", source, "--out", out, "--quiet")
    try:
        _wait_for_records(out, 2, proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    match = re.fullmatch(
        r"interrupted after (\d)/6 jobs; resume with `spikey series --resume (.+)`", lines[-1]
    )
    assert match and match.group(2) == out and int(match.group(1)) >= 2
    from spikey.cli import main as cli_main

    assert cli_main(["series", "--resume", out, "--quiet"]) == 0


def test_full_disk_says_the_checkpoint_is_valid_and_prints_the_resume_command(tmp_path, monkeypatch, capsys):
    """ENOSPC while writing a log: exit 1, the message names the folder and resume command; resume finishes."""
    import errno

    from spikey.cli import main as cli_main
    from spikey.meta.checkpoint import Checkpoint, JobLogger

    source, out = _series_file(tmp_path), str(tmp_path / "out")
    calls = {"n": 0}
    write = JobLogger.write

    def full_disk(self, index, data, results):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device", os.path.join(out, "x.json.tmp"))
        return write(self, index, data, results)

    monkeypatch.setattr(JobLogger, "write", full_disk)
    assert cli_main(["series", source, "--out", out, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "is valid and holds the 2 of 6 jobs" in err
    assert f"spikey series --resume {out}" in err and "Traceback" not in err
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the checkpoint reads without a dropped line
        assert len(Checkpoint.read(out)[1]) == 2
    monkeypatch.setattr(JobLogger, "write", write)
    assert cli_main(["series", "--resume", out, "--quiet"]) == 0
    assert sorted(r["job"] for r in Checkpoint.read(out)[1]) == list(range(6))


def test_resume_shows_the_source_and_refuses_a_changed_file_unless_given(tmp_path, capsys):
    """--resume prints the file it runs; a file changed since the start is refused without --source."""
    from spikey.cli import main as cli_main

    source, out = _series_file(tmp_path), str(tmp_path / "out")
    assert cli_main(["series", source, "--out", out, "--quiet"]) == 0
    capsys.readouterr()
    assert cli_main(["series", "--resume", out, "--quiet"]) == 0
    assert f"running {source}" in capsys.readouterr().err
    with open(source, "a") as f:
        f.write("\nimport os  # changed after the run started\n")
    assert cli_main(["series", "--resume", out, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{source} has changed since the run in {out} started" in err and f"--source {source}" in err
    assert cli_main(["series", "--resume", out, "--source", source, "--quiet"]) == 0


def _checkpoint_lines(out: str) -> list[bytes]:
    from spikey.meta.checkpoint import Checkpoint

    with open(Checkpoint.path_in(out), "rb") as f:
        return f.read().splitlines(keepends=True)


@pytest.mark.parametrize(
    "line",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"job": "x", "status": "ok", "results": {}}',
        b'{"job": 1, "log": "../x.json"}',
    ],
    ids=["nested_100000", "job_x", "log_path"],
)
def test_damaged_checkpoint_line_is_dropped_naming_the_file_in_report_and_resume(tmp_path, capsys, line):
    """A record nested 100,000 deep or with a wrong-typed field: report and resume warn and go on."""
    from spikey.cli import main as cli_main
    from spikey.meta.checkpoint import Checkpoint, CheckpointWarning

    source, out = _series_file(tmp_path), str(tmp_path / "out")
    assert cli_main(["series", source, "--out", out, "--quiet"]) == 0
    lines = _checkpoint_lines(out)
    with open(Checkpoint.path_in(out), "wb") as f:  # job 1's record replaced by the damaged line
        f.writelines([lines[0], lines[1], line + b"\n", *lines[3:]])
    assert cli_main(["report", out]) == 0  # the report lists the dropped line under Skipped
    page = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    assert "checkpoint.jsonl" in page and "Runs (6)" in page
    with pytest.warns(CheckpointWarning, match="checkpoint.jsonl: line 3"):
        assert cli_main(["series", "--resume", out, "--quiet"]) == 0
    jobs = sorted(r["job"] for r in Checkpoint.read(out)[1] if isinstance(r.get("job"), int))
    assert jobs == list(range(6))  # the dropped job ran again


# --------------------------------------------------------------------------- snapshots


def _saved(tmp_path, ticks: int = 3) -> tuple[str, dict, dict]:
    from conftest import SmallRL, run_ticks

    net = SmallRL(seed=7, strict=True)
    net.reset()
    run_ticks(net, ticks)
    path = str(net.save(tmp_path / "net.npz"))
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return path, json.loads(str(arrays.pop("__manifest__"))), arrays


def _rewrite(path: str, manifest: dict, arrays: dict) -> str:
    np.savez(path, __manifest__=np.array(json.dumps(manifest)), **arrays)
    return path


def _set_key(manifest: dict, key: str, value) -> None:
    manifest["params"]["__dict__"][key] = value
    manifest["parts"]["rewarder"]["params"]["__dict__"][key] = value


def test_callable_key_naming_an_unmarked_spikey_function_is_refused_at_load(tmp_path):
    """expected_value -> spikey.cli:main: load raises a ConfigError naming it; nothing is called."""
    from conftest import SmallRL

    from spikey.errors import ConfigError

    path, manifest, arrays = _saved(tmp_path)
    _set_key(manifest, "expected_value", {"__import__": "spikey.cli:main"})
    _rewrite(path, manifest, arrays)
    with pytest.raises(ConfigError, match=r"spikey\.cli:main.*not key functions") as info:
        SmallRL.load(path)
    assert path in str(info.value) and "expected_value" in str(info.value)


def test_callable_key_resolves_to_a_marked_key_function_or_a_registered_one(tmp_path, monkeypatch):
    """A stock gate marked with key_function, or a registered user function, loads and is used."""
    from conftest import SmallRL, xor_expected

    from spikey.games.logic import xor_gate
    from spikey.snn import registry
    from spikey.snn.registry import register_part, resolve_value

    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))

    path, manifest, arrays = _saved(tmp_path)
    _set_key(manifest, "expected_value", {"__import__": "spikey.games.logic:xor_gate"})
    net = SmallRL.load(_rewrite(path, manifest, arrays))
    assert net.rewarder._expected_value is xor_gate
    assert resolve_value("spikey.snn.neuron.lif:LIF") is not None  # a Module class may be a value
    assert resolve_value("spikey.cli.meta:run_command") is None
    assert resolve_value("conftest:xor_expected") is None
    register_part(xor_expected)  # the registry is restored after the test (monkeypatch)
    assert resolve_value("conftest:xor_expected") is xor_expected


@pytest.mark.parametrize(
    ("slot", "name", "value", "message"),
    [
        ("inputs", "_ubuf", np.zeros(64), "expected a 2-d array"),
        ("inputs", "_ubuf", np.full((64, 10), 2.0), r"uniforms must lie in \[0, 1\)"),
        ("inputs", "_ubuf", np.full((64, 10), np.nan), "expected finite floats"),
        ("inputs", "_upos", -5, r"expected an int in \[0, 64\]"),
        ("neurons", "_upos", 10**6, r"expected an int in \[0, 64\]"),
        ("synapses", "_n_buf", 256, r"expected an int in \[0, 255\]"),
        ("synapses", "_n_buf", -1, r"expected an int in \[0, 255\]"),
        ("neurons", "_schedule_pos", 10**30, "does not fit a 64-bit int"),
    ],
    ids=[
        "ubuf_1d",
        "ubuf_2",
        "ubuf_nan",
        "upos_negative",
        "upos_huge",
        "n_buf_full",
        "n_buf_negative",
        "int_huge",
    ],
)
def test_damaged_private_buffers_fail_at_load_naming_file_and_entry(tmp_path, slot, name, value, message):
    """_ubuf, _upos, _n_buf out of range: SnapshotError at load naming the file and slot.key (not at tick)."""
    from conftest import SmallRL, xor_expected

    from spikey.snn.snapshot import SnapshotError

    path, manifest, arrays = _saved(tmp_path)
    entry = manifest["state"]["__dict__"][slot]["__dict__"]
    if isinstance(value, np.ndarray):
        arrays[f"state.{slot}.{name}"] = value
        entry[name] = {"__array__": f"state.{slot}.{name}"}
    else:
        entry[name] = value
    _rewrite(path, manifest, arrays)
    with pytest.raises(SnapshotError, match=message) as info:
        SmallRL.load(path, expected_value=xor_expected)
    assert path in str(info.value) and f"{slot}.{name}" in str(info.value)


def test_zip_with_the_encryption_flag_is_a_snapshot_error_naming_the_file(tmp_path):
    """A member with the encryption bit set: SnapshotError naming the file (not NotImplementedError)."""
    from conftest import SmallRL

    from spikey.snn.snapshot import SnapshotError

    path, _, _ = _saved(tmp_path)
    data = bytearray(open(path, "rb").read())
    # set bit 0 of the general purpose flags in every local and central header
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            data[i + offset] |= 0x01
            start = i + 4
    with open(path, "wb") as f:
        f.write(bytes(data))
    with pytest.raises(SnapshotError, match="encrypted") as info:
        SmallRL.load(path)
    assert path in str(info.value)


# --------------------------------------------------------------------------- fuzz: tables and checkpoints

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=6)  # lone surrogates included
_MARKED = st.sampled_from(
    [
        {"__spikey__": "scalar", "dtype": "<i8", "value": 3},
        {"__spikey__": "scalar", "dtype": "<i4", "value": 2},
        {"__spikey__": "scalar", "dtype": "<f8", "value": "nan"},
        {"__spikey__": "tuple", "items": [1, None]},
        {"__spikey__": "ndarray", "dtype": "<U3", "shape": [2], "items": ["a", "bc"]},
        {"__spikey__": "ndarray", "dtype": "<f8", "shape": [1], "b64": "AAAAAAAA8D8="},
        {"__spikey__": "dict", "items": [[1, 2]]},
        {"__spikey__": "import", "path": "os:system"},
        {"__spikey__": "set", "items": [1, 2]},
    ]
)
_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # beyond int64 too
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    _TEXT,
    _MARKED,
    st.sampled_from([2**63, -(2**63) - 1, 2**70, "\ud800", "x\udfff"]),  # the edges seen in the wild
)
_VALUE = st.recursive(
    _LEAF, lambda c: st.lists(c, max_size=3) | st.dictionaries(_TEXT, c, max_size=3), max_leaves=5
)
_SECTION = st.dictionaries(
    st.one_of(st.sampled_from(["filename", "subfolder", "accuracy", "n_neurons", "steps"]), _TEXT),
    _VALUE,
    max_size=4,
)
_LOG = st.fixed_dictionaries({}, optional={s: _SECTION for s in ("network", "game", "results", "info")})


@FUZZ
@given(logs=st.lists(_LOG, min_size=1, max_size=3))
def test_fuzzed_logs_never_blind_the_table_or_the_report(tmp_path_factory, logs):
    """Any logs next to a good one: Reader.df, MetaReader.df and the report build; the good log is there."""
    from spikey.errors import SpikeyError
    from spikey.logging.reader import read_log

    folder = tmp_path_factory.mktemp("tab")
    sub = folder / "sub"
    sub.mkdir()
    _good_log(folder, "a.json")
    readable = ["a.json"]
    for i, data in enumerate(logs):
        name = f"f{i}.json"
        _write(sub if i % 2 else folder, name, json.dumps(data))  # ASCII: a surrogate is a \\u escape
        try:
            read_log(os.path.join(sub if i % 2 else folder, name))
            readable.append(name if i % 2 == 0 else f"sub/{name}")
        except SpikeyError:
            pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flat = Reader(str(folder)).df
        meta = MetaReader(str(folder)).df
        page = write_report(str(folder))
    assert "a.json" in flat["filename"].tolist() and len(flat) == len([r for r in readable if "/" not in r])
    assert sorted(meta["filename"]) == sorted(readable)
    assert os.path.getsize(page) > 0


@pytest.fixture(scope="module")
def finished_series(tmp_path_factory):
    """A small finished Series folder (its checkpoint is fuzzed by copies)."""
    from spikey.cli import main as cli_main

    folder = tmp_path_factory.mktemp("fseries")
    source, out = _series_file(folder), str(folder / "out")
    assert cli_main(["series", source, "--out", out, "--quiet"]) == 0
    return source, out


def _mutate_checkpoint(lines: list[bytes], ops) -> bytes:
    lines = list(lines)
    for op, pick, value in ops:
        i = pick % len(lines)
        if op == "replace_line":
            lines[i] = json.dumps(value).encode() + b"\n"
        elif op == "set_field":
            try:
                obj = json.loads(lines[i])
            except (ValueError, RecursionError):  # a line an earlier op nested too deep
                continue
            if isinstance(obj, dict) and obj:
                key = sorted(obj)[pick % len(obj)]
                obj[key] = value
                lines[i] = json.dumps(obj).encode() + b"\n"
        elif op == "nest":
            lines[i] = b"[" * (1000 + pick % 200_000) + b"]" * (1000 + pick % 200_000) + b"\n"
        elif op == "cut":
            text = b"".join(lines)
            return text[: pick % (len(text) + 1)]
        elif op == "bytes":
            lines[i] = (
                lines[i][: pick % (len(lines[i]) + 1)] + b"\xff\x00{" + lines[i][pick % (len(lines[i]) + 1) :]
            )
    return b"".join(lines)


@settings(FUZZ, max_examples=12)  # each example runs a report and a resume (about 2.5 s)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["replace_line", "set_field", "nest", "cut", "bytes"]),
            st.integers(0, 10**6),
            _VALUE,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_fuzzed_checkpoint_reads_reports_and_resumes_or_names_the_file(
    tmp_path_factory, finished_series, ops
):
    """A damaged checkpoint: read/report/resume either work (bad lines dropped with a warning) or name the file."""
    import shutil

    from spikey.cli import main as cli_main
    from spikey.errors import SpikeyError
    from spikey.meta.checkpoint import Checkpoint

    _, original = finished_series
    out = str(tmp_path_factory.mktemp("fck") / "out")
    shutil.copytree(original, out)
    path = Checkpoint.path_in(out)
    with open(path, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    with open(path, "wb") as f:
        f.write(_mutate_checkpoint(lines, ops))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            header, records, _ = Checkpoint.read(out)
        except SpikeyError as e:
            assert path in str(e)
            header = None
        assert cli_main(["report", out]) == 0
        code = cli_main(["series", "--resume", out, "--quiet"])
    if header is None:
        assert code == 2  # the header is damaged: refused, naming the file
        return
    assert code in (0, 2)  # 2: the header now describes another run (refused with a message)
    if code == 0:
        jobs = sorted(r["job"] for r in Checkpoint.read(out)[1] if "job" in r)
        assert set(jobs) == set(range(6))


class _InterruptedQueens:
    """Calls of MetaNQueens.get_fitness left before a KeyboardInterrupt (None: never)."""

    left: int | None = None


def test_population_refuses_a_folder_in_use_and_lets_go_of_it_when_interrupted(tmp_path, monkeypatch):
    """A held folder refuses a Population naming the PID; Ctrl-C mid-run releases it and resume finishes."""
    from spikey.meta import MetaNQueens, Population
    from spikey.meta.checkpoint import LOCK_NAME, Checkpoint, FolderInUseError, FolderLock

    folder = str(tmp_path / "pop")
    os.makedirs(folder)
    kwargs = dict(n_agents=6, n_epoch=3, seed=0, folder=folder, progress=False)
    with FolderLock(folder, "another run"):
        with pytest.raises(FolderInUseError, match=f"in use by PID {os.getpid()}"):
            Population(MetaNQueens(n_queens=4), "single", **kwargs)
    fitness = MetaNQueens.get_fitness

    def interrupting(self, genotype):
        if _InterruptedQueens.left is not None:
            _InterruptedQueens.left -= 1
            if _InterruptedQueens.left < 0:
                raise KeyboardInterrupt
        return fitness(self, genotype)

    monkeypatch.setattr(MetaNQueens, "get_fitness", interrupting)
    _InterruptedQueens.left = 8
    with pytest.raises(KeyboardInterrupt):
        Population(MetaNQueens(n_queens=4), "single", **kwargs).run()
    assert not os.path.exists(os.path.join(folder, LOCK_NAME))  # released on the way out
    assert len(Checkpoint.read(folder)[1]) == 8
    _InterruptedQueens.left = None
    resumed = Population(MetaNQueens(n_queens=4), "single", resume=True, **kwargs)
    resumed.run()
    assert resumed.terminated and len(resumed.history) == 3


def test_report_counts_the_folder_total_as_the_reader_does(tmp_path):
    """spikey report shares one budget over a folder's logs: the ones beyond it are listed as skipped."""
    for i in range(4):
        _string_log(tmp_path, f"s{i}.json", n_items=1, itemsize=STRING_SLACK // 4)
    page = open(write_report(str(tmp_path)), encoding="utf-8").read()
    assert all(f"s{i}.json" in page for i in range(4))
    assert page.count(f"{MAX_STRING_EXPANSION}x the size of") == 3  # s1..s3 skipped, each with the bound


def test_series_summary_with_a_lone_surrogate_is_skipped_by_the_report(tmp_path):
    """A ~SUMMARY.json holding '\\ud800' is listed as skipped; the page is written (valid UTF-8)."""
    import glob

    from spikey.cli import main as cli_main

    source, out = _series_file(tmp_path), str(tmp_path / "out")
    assert cli_main(["series", source, "--out", out, "--quiet"]) == 0
    summary = glob.glob(os.path.join(out, "*~SUMMARY.json"))[0]
    data = json.load(open(summary, encoding="utf-8"))
    data["series"]["attrs"] = ["\ud800"]
    _write(out, os.path.basename(summary), json.dumps(data))
    assert cli_main(["report", out]) == 0
    page = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    assert "SUMMARY.json" in page and "not a readable summary" in page


def test_lock_file_planted_as_a_symlink_is_refused_and_its_target_untouched(tmp_path, capsys):
    """A symlink at DIR/.spikey.lock: the resume exits 2 naming the lock file; the target is not written."""
    from spikey.cli import main as cli_main
    from spikey.meta.checkpoint import LOCK_NAME

    source, out = _series_file(tmp_path), str(tmp_path / "out")
    assert cli_main(["series", source, "--out", out, "--quiet"]) == 0
    target = tmp_path / "victim.txt"
    target.write_text("keep")
    os.symlink(target, os.path.join(out, LOCK_NAME))
    capsys.readouterr()
    assert cli_main(["series", "--resume", out, "--quiet"]) == 2
    assert f"cannot open the lock file {os.path.join(out, LOCK_NAME)}" in capsys.readouterr().err
    assert target.read_text() == "keep"


def test_output_folder_that_cannot_be_created_is_a_clear_error(tmp_path, capsys):
    """--out under a regular file: exit 2 naming the folder, no traceback and no job run."""
    from spikey.cli import main as cli_main

    blocker = tmp_path / "file"
    blocker.write_text("")
    out = str(blocker / "out")
    assert cli_main(["series", _series_file(tmp_path), "--out", out, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"cannot create the output folder {out}" in err and "Traceback" not in err
