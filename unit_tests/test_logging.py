"""Logs: exact typed round trips, durable writes, safe reading."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import spikey
from spikey.logging import CorruptLogWarning, ImportPath, MetaReader, MultiLogger, Reader, decode, encode, log
from spikey.logging.serialize import DecodeError


def roundtrip(value):
    return decode(json.loads(json.dumps(encode(value), allow_nan=False)))


def same(a, b) -> bool:
    """Equal including types, dtypes, shapes and NaN positions."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


dtypes = st.sampled_from(
    [np.bool_, np.int8, np.int32, np.int64, np.uint16, np.float16, np.float32, np.float64, np.complex128]
)
arrays = dtypes.flatmap(lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    arrays.filter(lambda a: a.ndim == 0).map(lambda a: a[()]),
)
values = st.recursive(
    st.one_of(scalars, arrays),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=6), children, max_size=4),
        st.dictionaries(
            st.one_of(st.integers(), st.tuples(st.integers(), st.integers())), children, max_size=3
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(values)
def test_roundtrip_is_exact_for_nested_supported_types(value):
    """Any nesting of the supported types comes back equal, with types and dtypes."""
    assert same(roundtrip(value), value)


def test_dtypes_shapes_and_special_values_preserved():
    """Arrays keep dtype and shape; NaN/inf, numpy scalars, bools, None and tuples survive."""
    value = {
        "f32": np.array([[1.5, np.nan], [np.inf, -0.0]], dtype=np.float32),
        "i8": np.arange(-3, 3, dtype=np.int8),
        "b": np.array([True, False]),
        "empty": np.zeros((0, 3)),
        "scalar": np.float32(0.1),
        "int": np.int64(2**40),
        "flags": (True, None, 3, -math.inf),
    }
    back = roundtrip(value)
    assert same(back, value)
    assert back["scalar"].dtype == np.float32 and back["i8"].dtype == np.int8


def test_callables_are_stored_as_paths_never_imported():
    """Classes and functions become ImportPath strings; reading imports nothing."""
    back = roundtrip({"f": math.sqrt, "cls": spikey.neuron.Neuron})
    assert back == {"f": "math:sqrt", "cls": "spikey.snn.neuron.template:Neuron"}
    assert isinstance(back["f"], ImportPath)
    crafted = {"__spikey__": "import", "path": "os:system"}
    assert decode(crafted) == "os:system" and isinstance(decode(crafted), str)


def test_eval_like_strings_stay_strings(tmp_path):
    """Strings that would run under eval are read back as plain strings."""
    payload = "__import__('os').system('touch PWNED')"
    log({"x": payload}, None, {"r": payload}, {"i": [payload]}, folder=str(tmp_path), filename="a.json")
    reader = Reader(str(tmp_path))
    assert reader.df["x"][0] == payload and reader["i"].iloc[0] == [payload]
    assert not (tmp_path / "PWNED").exists() and not os.path.exists("PWNED")


@pytest.mark.parametrize(
    "bad",
    [
        {"__spikey__": "ndarray", "dtype": "<f8", "shape": [10**9], "b64": "AAAAAAAAAAA="},
        {"__spikey__": "ndarray", "dtype": "<f8", "shape": [2**31, 2**31], "b64": ""},
        {"__spikey__": "ndarray", "dtype": "<f8", "shape": [-1], "b64": ""},
        {"__spikey__": "ndarray", "dtype": "|O", "shape": [1], "b64": "AA=="},
        {"__spikey__": "ndarray", "dtype": "V8", "shape": [1], "b64": "AAAAAAAAAAA="},
        {"__spikey__": "ndarray", "dtype": "object", "shape": [10**8], "items": []},
        {"__spikey__": "scalar", "dtype": "<i2", "value": 10**6},
        {"__spikey__": "nope"},
    ],
)
def test_crafted_values_rejected_without_big_allocations(bad):
    """Declared shapes are checked against the payload before anything is allocated."""
    with pytest.raises(DecodeError):
        decode(bad)


def test_corrupt_and_truncated_files_skipped_with_warning(tmp_path):
    """A corrupt file is skipped with a warning naming it; strict=True raises."""
    log({"n": 1}, None, {"r": 1.0}, {}, folder=str(tmp_path), filename="good.json")
    (tmp_path / "truncated.json").write_text('{"network": {"n": 1}, "results": {"r"')
    (tmp_path / "crafted.json").write_text(
        json.dumps({"results": {"a": {"__spikey__": "ndarray", "dtype": "<f8", "shape": [99], "b64": ""}}})
    )
    (tmp_path / "nan.json").write_text('{"results": {"a": NaN}}')
    (tmp_path / "other.json").write_text("[1, 2]")
    with pytest.warns(CorruptLogWarning) as caught:
        reader = Reader(str(tmp_path))
    assert reader.filenames == ["good.json"]
    names = " ".join(str(w.message) for w in caught)
    for name in ("truncated.json", "crafted.json", "nan.json", "other.json"):
        assert name in names
    with pytest.raises(spikey.SpikeyError, match="crafted.json"):
        Reader(str(tmp_path), strict=True)


def test_log_sections_and_reader_df(tmp_path, small_net):
    """A log has format_version, seed and the four sections; the df is flat with dtypes kept."""
    small_net.tick((1, 0))
    path = log(
        small_net,
        {"preset": "XOR"},
        {"acc": 0.75, "n": 3, "ok": True},
        {"w": small_net.weights.matrix},
        folder=str(tmp_path),
    )
    assert os.path.basename(path).count("-") == 4 and path.endswith(".json")
    raw = json.loads(open(path).read())
    assert raw["format_version"] == 1 and raw["seed"] == small_net.params["seed"]
    assert set(raw) >= {"network", "game", "results", "info", "spikey_version", "timestamps"}
    reader = Reader(str(tmp_path))
    df = reader.df
    assert df["acc"].dtype == np.float64 and df["n"].dtype == np.int64 and df["ok"].dtype == bool
    assert df["n_neurons"][0] == 12 and df["preset"][0] == "XOR"
    assert df["neurons"][0] == "spikey.snn.neuron.template:Neuron"
    np.testing.assert_array_equal(reader.read_info("w")[0], small_net.weights.matrix)
    with pytest.raises(KeyError, match="no log has key 'nope'"):
        reader["nope"]


def test_log_never_overwrites(tmp_path):
    """Two logs in the same minute get distinct names."""
    a = log({}, None, {"i": 1}, {}, folder=str(tmp_path))
    b = log({}, None, {"i": 2}, {}, folder=str(tmp_path))
    assert a != b and sorted(Reader(str(tmp_path)).df["i"]) == [1, 2]


def test_multilogger_names_and_summary(tmp_path):
    """MultiLogger names are date-<5 letters> and unique; summarize writes ~SUMMARY stats."""
    logger = MultiLogger(folder=str(tmp_path))
    for i in range(20):
        logger.log({"seed": i, "lr": 0.1}, None, {"acc": i / 20, "label": "x"}, {})
    names = [n for n in os.listdir(tmp_path)]
    assert len(set(names)) == 20
    for name in names:
        stem = name[: -len(".json")]
        assert stem.startswith(logger.prefix + "-") and len(stem) == len(logger.prefix) + 6
    summary = json.loads(open(logger.summarize()).read())
    assert summary["n_runs"] == 20 and summary["results"]["acc"]["mean"] == pytest.approx(
        np.mean(np.arange(20) / 20)
    )
    assert "label" not in summary["results"] and summary["varying_params"]["network"] == ["seed"]
    assert len(Reader(str(tmp_path))) == 20  # the summary is not read as a log


def test_metareader_reads_subfolders(tmp_path):
    """MetaReader reads logs below a folder with their subfolder and the summaries."""
    for sub in ("a", "b"):
        logger = MultiLogger(folder=str(tmp_path / sub))
        logger.log({"k": sub}, None, {"r": 1}, {})
        logger.summarize()
    meta = MetaReader(str(tmp_path))
    assert sorted(meta.df["subfolder"]) == ["a", "b"] and len(meta.summaries) == 2


WRITER = """
import sys, numpy as np
from spikey.logging import log
folder = sys.argv[1]
data = np.arange(200_000, dtype=np.float64)
print("ready", flush=True)
i = 0
while True:
    log({"i": i}, None, {"i": i}, {"big": data + i}, folder=folder, filename=f"run{i % 3}.json")
    i += 1
"""


def test_kill_during_writes_leaves_no_partial_log(tmp_path):
    """A process killed with SIGKILL while writing leaves only complete logs."""
    for attempt in range(3):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.5 + 0.2 * attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    logs = [f for f in os.listdir(tmp_path) if f.endswith(".json")]
    assert logs, "the writer never finished a log"
    reader = Reader(str(tmp_path), strict=True)  # raises on any partial file
    for data in reader.logs:
        np.testing.assert_array_equal(data["info"]["big"], np.arange(200_000) + data["results"]["i"])
