"""Hostile and damaged input (issue 9): snapshots that try to run code, logs that try to
allocate gigabytes or hang the reader, specs that expand without bound, values that used
to pass validation and fail deep in the stack, and fuzzed logs and snapshot manifests."""

from __future__ import annotations

import base64
import json
import math
import os
import stat
import sys
import time
import warnings
import zipfile

import numpy as np
import pytest
from conftest import KEYS, SmallRL, TinyRL, run_python, run_ticks, xor_expected
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import spikey
from spikey.errors import ConfigError, MissingKeyError, SpikeyError
from spikey.files import TMP_SUFFIX, atomic_write, remove_stale_tmp
from spikey.logging import CorruptLogWarning, MetaReader, Reader, log
from spikey.logging.reader import DuplicateKeyWarning
from spikey.meta import EvolveNetwork, Population, Series
from spikey.snn.registry import register_part, resolve
from spikey.snn.snapshot import SnapshotError

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# --------------------------------------------------------------------------- helpers


def _saved_net(tmp_path, ticks: int = 3) -> str:
    net = SmallRL(seed=7, strict=True)
    net.reset()
    run_ticks(net, ticks)
    return str(net.save(tmp_path / "net.npz"))


def _read_npz(path: str) -> tuple[dict, dict]:
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return json.loads(str(arrays.pop("__manifest__"))), arrays


def _write_npz(path: str, manifest, arrays: dict, text: str | None = None) -> str:
    np.savez(path, __manifest__=np.array(text if text is not None else json.dumps(manifest)), **arrays)
    return path


def _array_entry(dtype: str, shape: list, **payload) -> dict:
    return {"__spikey__": "ndarray", "dtype": dtype, "shape": shape, **payload}


def _write_log(folder, name: str, data) -> str:
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(data if isinstance(data, str) else json.dumps(data))
    return path


def _good_log(folder, name: str = "good.json", accuracy: float = 0.75) -> str:
    return log({"n_neurons": 3}, None, {"accuracy": accuracy}, {"rates": np.arange(3.0)}, folder=str(folder), filename=name)


# --------------------------------------------------------------------------- 1. snapshots run no code


def test_crafted_snapshot_runs_no_command_and_imports_no_module(tmp_path, monkeypatch):
    """A manifest naming os.system / importlib.import_module through spikey's globals calls nothing."""
    path = _saved_net(tmp_path)
    manifest, arrays = _read_npz(path)
    marker = tmp_path / "PWNED"
    # a module on sys.path whose import would leave a marker file
    (tmp_path / "evil_spikey_payload.py").write_text(f"open({str(tmp_path / 'IMPORTED')!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    attempts = [
        ("spikey.snn.snapshot:os.system", {"command": f"touch {marker}"}),
        ("spikey.snn.registry:importlib.import_module", {"name": "evil_spikey_payload"}),
        ("spikey.snn.snapshot:np.load", {"file": str(path)}),
        ("spikey.__main__:main", {}),
    ]
    for target, params in attempts:
        manifest["modifiers"] = [{"class": {"__import__": target}, "params": {"__dict__": params}}]
        crafted = _write_npz(str(tmp_path / "crafted.npz"), manifest, arrays)
        with pytest.raises(ConfigError, match=r"crafted\.npz: cannot restore modifier classes"):
            SmallRL.load(crafted, expected_value=xor_expected)
    assert not marker.exists()
    assert not (tmp_path / "IMPORTED").exists()
    assert "evil_spikey_payload" not in sys.modules
    assert "spikey.__main__" not in sys.modules


def test_snapshot_class_of_the_wrong_family_is_never_called(tmp_path):
    """A spikey function (or a part of another family) named as a modifier or part class is refused uncalled."""
    path = _saved_net(tmp_path)
    manifest, arrays = _read_npz(path)
    marker = tmp_path / "WRITTEN"
    manifest["modifiers"] = [
        {
            "class": {"__import__": "spikey.files:atomic_write"},
            "params": {"__dict__": {"path": str(marker), "text": "x"}},
        }
    ]
    crafted = _write_npz(str(tmp_path / "crafted.npz"), manifest, arrays)
    with pytest.raises(ConfigError, match=r"modifier 0 must be a .*Modifier subclass.*Nothing was called"):
        SmallRL.load(crafted, expected_value=xor_expected)
    assert not marker.exists()
    manifest, arrays = _read_npz(path)
    manifest["parts"]["inputs"]["class"] = {"__import__": "spikey.snn.neuron.template:Neuron"}
    crafted = _write_npz(str(tmp_path / "crafted2.npz"), manifest, arrays)
    with pytest.raises(ConfigError, match=r"class of part 'inputs' must be a .*Input subclass"):
        SmallRL.load(crafted, expected_value=xor_expected)


def test_resolve_returns_only_objects_defined_in_spikey_or_registered():
    """resolve: spikey-defined classes/functions and registered objects; no module-global walk."""
    from spikey.snn.neuron.lif import LIF

    assert resolve("spikey.snn.neuron.lif:LIF") is LIF
    assert resolve("spikey.neuron:Neuron") is spikey.neuron.Neuron  # a re-export of a spikey class
    for path in [
        "spikey.snn.snapshot:os.system",
        "spikey.snn.registry:importlib.import_module",
        "spikey.snn.snapshot:np.load",  # a foreign function bound in a spikey module
        "spikey.snn.snapshot:os",  # a module
        "spikey.snn.registry:_REGISTRY",  # an instance
        "spikey.snn.neuron.lif:LIF.__init__.__globals__",
        "spikey.__main__:main",
        "os:system",
        "spikey.snn.neuron.lif:LIF.__class__",
    ]:
        assert resolve(path) is None, path
    assert resolve("spikey.snn.neuron.lif:LIF", expected=spikey.input.template.Input) is None

    class MyReadout(spikey.readout.Threshold):
        pass

    register_part(MyReadout)
    assert resolve(f"{MyReadout.__module__}:{MyReadout.__qualname__}") is MyReadout
    with pytest.raises(ConfigError, match="register_part: expected a class or function"):
        register_part(os.path)


# --------------------------------------------------------------------------- 2. memory bounded by the file


@pytest.mark.parametrize(
    "entry",
    [
        _array_entry("<U500000000", [1], items=["a"]),  # 2 GB from 100 bytes
        _array_entry("<U536870911", [8], items=["a"] * 8),  # 16 GiB
    ],
    ids=["U500000000", "U536870911x8"],
)
def test_reader_under_memory_limit_skips_log_that_declares_gigabytes(tmp_path, entry):
    """Under RLIMIT_AS (+400 MB), a tiny log declaring GBs of strings is skipped with a warning."""
    _good_log(tmp_path)
    _write_log(tmp_path, "huge.json", {"results": {}, "info": {"x": entry}})
    result = run_python(
        f"""
        import json, warnings
        from spikey.logging import Reader, CorruptLogWarning
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            reader = Reader({str(tmp_path)!r})
        print(json.dumps({{"files": reader.filenames,
                           "warnings": [str(x.message) for x in w if issubclass(x.category, CorruptLogWarning)]}}))
        """,
        memory_mb=400,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["files"] == ["good.json"]
    assert len(out["warnings"]) == 1 and "huge.json" in out["warnings"][0] and "far more than" in out["warnings"][0]


def test_string_array_padding_that_fits_its_payload_still_reads(tmp_path):
    """The string bound does not refuse ordinary padded arrays (exact round trip)."""
    arr = np.array(["a", "bb", ""], dtype="<U40")
    log({}, None, {}, {"names": arr, "raw": np.array([b"x\xff"], dtype="S4")}, folder=str(tmp_path), filename="a.json")
    back = Reader(str(tmp_path), strict=True).logs[0]["info"]
    assert back["names"].dtype == arr.dtype and back["names"].tolist() == arr.tolist()
    assert back["raw"].dtype == np.dtype("S4") and back["raw"].tolist() == [b"x\xff"]


# --------------------------------------------------------------------------- 3. one bad file, good ones still read


def test_bad_files_are_skipped_and_the_good_ones_returned(tmp_path):
    """Object dtype from bytes, a 0-size shape with huge dims, a 1000-deep summary: warnings, not raises."""
    sub = tmp_path / "run"
    sub.mkdir()
    _good_log(sub, "good.json")
    bad = {
        "object.json": _array_entry("O", [1], b64=base64.b64encode(b"\0" * 8).decode()),
        "object2.json": _array_entry("|O", [1], b64=base64.b64encode(b"\0" * 8).decode()),
        "zero.json": _array_entry("<f8", [0, 2**40, 2**40], b64=""),
    }
    for name, entry in bad.items():
        _write_log(sub, name, {"results": {}, "info": {"x": entry}})
    _write_log(sub, "x~SUMMARY.json", "[" * 1000 + "]" * 1000)
    _write_log(sub, "deep.json", '{"results": ' + '{"a": ' * 1000 + "1" + "}" * 1001)
    with pytest.warns(CorruptLogWarning) as record:
        reader = MetaReader(str(tmp_path))
    assert reader.filenames == [os.path.join("run", "good.json")]
    messages = " ".join(str(w.message) for w in record)
    for name in [*bad, "x~SUMMARY.json", "deep.json"]:
        assert name in messages, name
    with pytest.raises(SpikeyError, match="object.json"):
        Reader(str(sub), ["object.json"], strict=True)


# --------------------------------------------------------------------------- 4. special files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_device_in_a_log_folder_do_not_block_or_read_unbounded(tmp_path):
    """A FIFO named x.json and a symlink to /dev/zero are skipped with warnings (timeout 60 s)."""
    _good_log(tmp_path)
    os.mkfifo(tmp_path / "x.json")
    os.symlink("/dev/zero", tmp_path / "zero.json")
    result = run_python(
        f"""
        import json, warnings
        from spikey.logging import Reader, CorruptLogWarning
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            reader = Reader({str(tmp_path)!r})
        print(json.dumps({{"files": reader.filenames, "warnings": [str(x.message) for x in w]}}))
        """,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["files"] == ["good.json"]
    assert any("x.json" in m and "not a regular file" in m for m in out["warnings"])
    assert any("zero.json" in m and "not a regular file" in m for m in out["warnings"])


def test_reader_size_cap_is_configurable(tmp_path):
    """A log larger than max_bytes is skipped with a warning naming it and the cap."""
    _good_log(tmp_path, "small.json")
    log({}, None, {}, {"big": np.zeros(20_000)}, folder=str(tmp_path), filename="big.json")
    with pytest.warns(CorruptLogWarning, match=r"big\.json: \d+ bytes, more than max_bytes=100000"):
        reader = Reader(str(tmp_path), max_bytes=100_000)
    assert reader.filenames == ["small.json"]
    assert Reader(str(tmp_path)).filenames == ["big.json", "small.json"]


# --------------------------------------------------------------------------- 5. bounded work from a small spec


def _series(spec, **kw):
    kw.setdefault("logging", False)
    return Series(
        TinyRL,
        spikey.games.Logic,
        spikey.core.GenericLoop,
        spec,
        training_params={"n_episodes": 1, "len_episode": 2},
        **kw,
    )


@pytest.mark.parametrize(
    "spec, kw, message",
    [
        (("learning_rate", 10**9), {}, r"1,000,000,000 values in the range, more than the limit of 100,000"),
        (("learning_rate", [0.1]), {"n_repeats": 10**9}, r"n_repeats=1,000,000,000 is more than max_jobs=100,000"),
        (
            {"learning_rate": list(np.linspace(0, 1, 1000)), "magnitude": list(np.linspace(0.5, 2, 1000))},
            {"product": True},
            r"1,000,000 configurations x 1 repeats = 1,000,000 jobs, more than max_jobs=100,000",
        ),
        (("learning_rate", (v / 10 for v in range(10**12))), {}, r"100,001 values or more from the iterable"),
        (("learning_rate", [0.1, 0.2, 0.3]), {"n_repeats": 4, "max_jobs": 10}, r"3 configurations x 4 repeats = 12"),
    ],
    ids=["range", "repeats", "grid", "generator", "max_jobs"],
)
def test_series_counts_jobs_before_expanding(spec, kw, message):
    """Too many jobs raise a ConfigError stating the count, in well under a second."""
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match=message):
        _series(spec, **kw)
    assert time.perf_counter() - t0 < 2.0


def test_large_series_builds_one_configuration_per_structure(monkeypatch):
    """Above BUILD_EACH configurations, one build per structure; every value is still key-checked."""
    import spikey.meta.series as series_mod

    calls = []
    real = series_mod.check_build
    monkeypatch.setattr(series_mod, "check_build", lambda *a, **k: (calls.append(a[1]), real(*a, **k)))
    class OtherNeuron(spikey.neuron.Neuron):
        pass

    rates = list(np.linspace(0.01, 1.0, 400))
    s = _series({"learning_rate": rates, "neurons": [spikey.neuron.Neuron] * 399 + [OtherNeuron]})
    assert len(s) == 400 and len(calls) == 2  # two structures (neuron classes), not 400 builds
    small = _series(("learning_rate", rates[:5]))
    assert len(small) == 5 and len(calls) == 2 + 5  # few configurations: each one is built
    with pytest.raises(ConfigError, match=r"Series config 321 \(learning_rate=-1.0\).*learning_rate"):
        _series(("learning_rate", rates[:321] + [-1.0] + rates[322:]))


# --------------------------------------------------------------------------- 6. snapshots that fail later or raw


def _tamper(tmp_path, how: str) -> str:
    path = _saved_net(tmp_path)
    manifest, arrays = _read_npz(path)
    out = str(tmp_path / f"{how}.npz")
    if how == "shape":
        arrays["state.neurons.potentials"] = np.zeros(5)
    elif how == "dtype":
        arrays["state.weights.mask"] = np.zeros(arrays["state.weights.mask"].shape, dtype="<U2")
    elif how == "missing-array":
        del arrays["state.weights.matrix"]
    elif how == "missing-keys":
        del manifest["state"]
    elif how == "parts-list":
        manifest["parts"] = list(manifest["parts"].values())
    elif how == "not-json":
        return _write_npz(out, None, arrays, text="{not json")
    elif how == "deep":
        return _write_npz(out, None, arrays, text='{"format": ' + "[" * 5000 + "]" * 5000 + "}")
    elif how == "deep-values":
        manifest["params"]["__dict__"]["x"] = json.loads("[" * 500 + "]" * 500)
    elif how == "rng":
        manifest["state"]["__dict__"]["neurons"]["__dict__"]["__rng__"]["__dict__"]["bit_generator"] = "Nope"
    elif how == "rng-type":
        manifest["state"]["__dict__"]["network"]["__dict__"]["__rng__"]["__dict__"]["state"] = "x"
    elif how == "state-scalar":
        manifest["state"]["__dict__"]["network"]["__dict__"]["internal_time"] = "soon"
    elif how == "n-neurons":
        manifest["params"]["__dict__"]["n_neurons"] = 40_000
    elif how == "truncated":
        with open(path, "rb") as f:
            data = f.read()
        with open(out, "wb") as f:
            f.write(data[: len(data) // 2])
        return out
    elif how == "npy-header":
        # an array member whose header declares 2**40 floats over a few bytes
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr("__manifest__.npy", _npy_bytes(np.array(json.dumps(manifest))))
            header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
            header["shape"] = (2**40,)
            import io

            buf = io.BytesIO()
            np.lib.format.write_array_header_1_0(buf, header)
            zf.writestr("state.weights.matrix.npy", buf.getvalue() + b"\0" * 8)
        return out
    elif how == "object-member":
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr("__manifest__.npy", _npy_bytes(np.array(json.dumps(manifest))))
            zf.writestr("x.npy", _npy_bytes(np.array([None], dtype=object), allow_pickle=True))
        return out
    return _write_npz(out, manifest, arrays)


def _npy_bytes(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    import io

    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


@pytest.mark.parametrize(
    "how, message",
    [
        ("shape", r"state \.neurons\.potentials: expected shape \(12,\)"),
        ("dtype", r"state \.weights\.mask: expected shape \(22, 12\) of bool"),
        ("missing-array", r"refers to array 'state\.weights\.matrix', which the file lacks"),
        ("missing-keys", r"the manifest must be a mapping with keys"),
        ("parts-list", r"'parts' must map slot names to parts; got list"),
        ("not-json", r"the manifest is not valid JSON"),
        ("deep", r"nested too deeply"),
        ("deep-values", r"nested deeper than 64 levels"),
        ("rng", r"cannot restore the state|corrupt snapshot"),
        ("rng-type", r"state \.network\.__rng__\.state: expected a mapping"),
        ("state-scalar", r"state \.network\.internal_time: expected int"),
        ("n-neurons", r"n_neurons=40000 need a \(40010, 40000\) weight matrix; the file holds \(22, 12\)"),
        ("truncated", r"damaged snapshot archive"),
        ("npy-header", r"declares shape \(1099511627776,\)"),
        ("object-member", r"dtype object, which is not allowed"),
    ],
)
def test_damaged_snapshot_raises_spikey_error_naming_file(tmp_path, how, message):
    """Every damaged or tampered snapshot raises a SnapshotError from load naming the file and the fault."""
    path = _tamper(tmp_path, how)
    with pytest.raises(SnapshotError, match=message) as info:
        SmallRL.load(path, expected_value=xor_expected)
    assert path in str(info.value)


def test_snapshot_special_files_are_refused(tmp_path):
    """A FIFO or a directory given to load raises at once (no blocking read)."""
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.npz")
        with pytest.raises(SnapshotError, match="not a regular file"):
            SmallRL.load(str(tmp_path / "fifo.npz"))
    with pytest.raises(SnapshotError, match="not a regular file"):
        SmallRL.load(str(tmp_path))


def test_intact_snapshot_still_continues_identically(tmp_path):
    """The checks refuse nothing a real save writes: load continues bit-identically."""
    net = SmallRL(seed=7, strict=True)
    net.reset()
    run_ticks(net, 5)
    loaded = SmallRL.load(net.save(tmp_path / "n"), expected_value=xor_expected)
    a, b = run_ticks(net, 4, start=5), run_ticks(loaded, 4, start=5)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    fresh = SmallRL(seed=3, strict=True)  # never reset: state not allocated yet
    assert SmallRL.load(fresh.save(tmp_path / "fresh"), expected_value=xor_expected).internal_time == 0


# --------------------------------------------------------------------------- 7. checked at construction


def _net_kwargs(**kw):
    return {**KEYS, "seed": 0, "expected_value": xor_expected, **kw}


def test_loop_seed_must_be_non_negative():
    """seed=-1 is refused when the loop is built and per call, not by numpy at run time."""
    with pytest.raises(ConfigError, match=r"GenericLoop.seed: expected an int >= 0 or None; got -1"):
        spikey.core.GenericLoop(TinyRL, spikey.games.Logic, training_params={"n_episodes": 1, "len_episode": 1, "seed": -1})
    loop = spikey.core.GenericLoop(TinyRL, spikey.games.Logic, training_params={"n_episodes": 1, "len_episode": 1})
    with pytest.raises(ConfigError, match="seed: expected an int >= 0"):
        loop(seed=-5)


def test_misspelt_loop_key_gets_did_you_mean():
    """n_episdes is named as the likely misspelling of the missing n_episodes."""
    with pytest.raises(MissingKeyError, match=r"missing required key 'n_episodes'.*'n_episdes' looks like a misspelling of 'n_episodes'"):
        spikey.core.GenericLoop(TinyRL, spikey.games.Logic, training_params={"n_episdes": 3, "len_episode": 2})


def test_huge_network_says_how_much_memory_before_allocating():
    """n_neurons=10**12 raises a ConfigError stating the memory needed, at once."""
    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match=r"n_neurons=1000000000000 need at least [\d,.]+ GiB .* of memory"):
        TinyRL(**_net_kwargs(n_neurons=10**12))
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("state", [None, "ab", [object()]])
def test_tick_with_a_non_numeric_state_is_a_clear_error(state):
    """tick(None) / tick('ab'): a ConfigError naming the input part and the state."""
    net = TinyRL(**_net_kwargs())
    with pytest.raises(ConfigError, match=r"RateMap: expected the game state as numbers that index state_rate_map"):
        net.tick(state)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"firing_threshold": math.nan}, r"firing_threshold: expected a float \[mV\]; got nan .*NaN is not a valid value"),
        ({"learning_rate": float("nan")}, r"learning_rate: .*got nan"),
        ({"state_rate_map": [0.0]}, r"state_rate_map: expected a sequence of at least 2 probabilities per step in \[0, 1\].*; got \[0.0\]"),
        ({"state_rate_map": [-1, 5]}, r"state_rate_map: expected a sequence of at least 2 probabilities"),
        ({"state_rate_map": {0: 0.5, 1: 2.0}}, r"state_rate_map: expected a sequence of at least 2 probabilities"),
    ],
)
def test_invalid_network_values_are_rejected_at_construction(kw, message):
    """NaN, bad rate maps and n_outputs=0 with a readout fail when the network is built."""
    with pytest.raises(ConfigError, match=message):
        TinyRL(**_net_kwargs(**kw))


def test_no_output_neurons_with_a_stock_readout_fails_before_a_game_is_played():
    """n_outputs=0 with Threshold: the loop refuses it when built (its action would be constant)."""
    with pytest.raises(ConfigError, match=r"TinyRL.n_outputs: expected >= 1 with readout Threshold when playing a game"):
        spikey.core.GenericLoop(TinyRL, spikey.games.Logic, training_params={"n_episodes": 1, "len_episode": 1, "n_outputs": 0})


def test_meta_values_fail_before_any_work(tmp_path):
    """inf genotype bounds, folder=<file>, tournament_size > n_agents, a fitness_getter typo."""
    from conftest import TinyRL as Net

    def metagame(**kw):
        return EvolveNetwork(
            training_loop=spikey.core.GenericLoop,
            network_template=Net,
            game_template=spikey.games.Logic,
            training_params={"n_episodes": 5, "len_episode": 4},
            genotype_constraints=kw.pop("genes", {"learning_rate": (0.0, 0.5)}),
            n_reruns=1,
            **kw,
        )

    with pytest.raises(ConfigError, match=r"\['learning_rate'\]: expected finite numbers .* got \(0.0, inf\)"):
        Population(metagame(genes={"learning_rate": (0.0, math.inf)}), n_agents=4, n_epoch=1, logging=False)
    with pytest.raises(ConfigError, match=r"tournament_size: expected at most n_agents=4; got 5"):
        Population(metagame(), n_agents=4, n_epoch=1, tournament_size=5, logging=False)
    calls = []
    game = metagame(fitness_getter="mean_acuracy")
    game.get_fitness = lambda g: calls.append(g)  # would record every evaluation
    with pytest.raises(ConfigError, match=r"fitness_getter: a run's results have no 'mean_acuracy' \(did you mean 'mean_accuracy'\?\)"):
        Population(game, n_agents=4, n_epoch=1, logging=False)
    assert calls == []
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(ConfigError, match=r"Population.folder: .*afile' exists and is not a folder"):
        Population(metagame(), n_agents=4, n_epoch=1, folder=str(afile))
    with pytest.raises(ConfigError, match=r"Series.folder: .*afile' exists and is not a folder"):
        _series(None, folder=str(afile), logging=True)


# --------------------------------------------------------------------------- 8. smaller


def test_log_content_cannot_spoof_file_columns(tmp_path):
    """A log's own 'filename' / 'subfolder' keys never replace the file system's columns."""
    sub = tmp_path / "a"
    log({"filename": "fake.json"}, None, {"subfolder": "", "acc": 1}, {}, folder=str(sub), filename="real.json")
    log({}, None, {"acc": 2}, {}, folder=str(sub), filename="other.json")
    df = MetaReader(str(tmp_path)).df.sort_values("acc")
    assert df["filename"].tolist() == [os.path.join("a", "real.json"), os.path.join("a", "other.json")]
    assert df["subfolder"].tolist() == ["a", "a"]
    assert df["network.filename"].tolist()[0] == "fake.json" and df["results.subfolder"].tolist()[0] == ""
    assert Reader(str(sub)).df.set_index("filename").loc["real.json", "network.filename"] == "fake.json"


def test_duplicate_keys_warn_and_non_finite_literals_are_refused_like_nan(tmp_path):
    """Duplicate JSON keys warn (last one wins); 1e400 is refused as NaN tokens are."""
    _write_log(tmp_path, "dup.json", '{"results": {"acc": 1, "acc": 2}}')
    _write_log(tmp_path, "inf.json", '{"results": {"acc": 1e400}}')
    _write_log(tmp_path, "nan.json", '{"results": {"acc": NaN}}')
    with pytest.warns(DuplicateKeyWarning, match=r"dup\.json: duplicate JSON keys \['acc'\]"):
        with pytest.warns(CorruptLogWarning) as record:
            reader = Reader(str(tmp_path))
    assert reader.filenames == ["dup.json"] and reader.df["acc"].tolist() == [2]
    messages = " ".join(str(w.message) for w in record if issubclass(w.category, CorruptLogWarning))
    assert "inf.json" in messages and "overflows a float" in messages
    assert "nan.json" in messages and "non-standard JSON constant NaN" in messages


def test_stale_temporary_files_are_removed_on_the_next_write(tmp_path):
    """A .spikey-tmp older than an hour is removed by the next write; a fresh one (a live writer) stays."""
    old = tmp_path / f".killed{TMP_SUFFIX}"
    young = tmp_path / f".live{TMP_SUFFIX}"
    old.write_text("partial")
    young.write_text("partial")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    remove_stale_tmp(str(tmp_path), force=True)  # reset the scan clock of this folder
    old.write_text("partial")
    os.utime(old, (two_hours_ago, two_hours_ago))
    from spikey import files

    files._last_scan.clear()
    log({}, None, {"acc": 1}, {}, folder=str(tmp_path), filename="a.json")
    assert not old.exists() and young.exists()
    assert sorted(os.listdir(tmp_path)) == [f".live{TMP_SUFFIX}", "a.json"]


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_logs_and_snapshots_get_the_umask_mode(tmp_path, umask):
    """Log files and snapshots are created 0o666 & ~umask, like any file (not mkstemp's 0o600)."""
    old = os.umask(umask)
    try:
        path = atomic_write(str(tmp_path / "a.json"), "{}")
        snap = SmallRL(seed=1).save(str(tmp_path / "n.npz"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(os.stat(snap).st_mode) == 0o666 & ~umask


# --------------------------------------------------------------------------- fuzz


def _mutations():
    json_leaf = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 40),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.text(max_size=8),
        st.sampled_from(["<f8", "|b1", "O", "<U99999999", "nan", "__spikey__", "ndarray", "AAAA"]),
    )
    value = st.recursive(
        json_leaf, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=6
    )
    return st.lists(st.tuples(st.sampled_from(["replace", "delete", "insert"]), st.integers(0, 10**6), value), min_size=1, max_size=4)


def _nodes(data, path=()):
    yield path, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _nodes(v, (*path, i))


def _mutate(data, mutations):
    for op, pick, value in mutations:
        nodes = list(_nodes(data))
        path, node = nodes[pick % len(nodes)]
        if not path:
            continue
        parent = data
        for p in path[:-1]:
            parent = parent[p]
        key = path[-1]
        if op == "replace":
            parent[key] = value
        elif op == "delete":
            del parent[key]
        elif isinstance(parent, dict):
            parent[f"k{pick % 7}"] = value
        else:
            parent.insert(pick % (len(parent) + 1), value)
    return data


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(mutations=_mutations(), cut=st.one_of(st.none(), st.integers(0, 4000)))
def test_fuzzed_log_reads_correctly_or_warns_naming_the_file(tmp_path_factory, mutations, cut):
    """A mutated (or cut) valid log is either read, or skipped with a CorruptLogWarning naming it."""
    folder = tmp_path_factory.mktemp("fuzz")
    path = log(
        {"n_neurons": 3, "rate": np.float32(0.5)},
        {"preset": "XOR"},
        {"acc": 0.5, "n": np.int64(3), "ok": True, "t": (1, None)},
        {"w": np.arange(6.0).reshape(2, 3), "s": np.array(["a", "b"]), "m": {1: {2, 3}}, "inf": math.inf},
        folder=str(folder),
        filename="f.json",
    )
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    text = json.dumps(_mutate(data, mutations))
    if cut is not None:
        text = text[:cut]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        reader = Reader(str(folder))
    corrupt = [w for w in record if issubclass(w.category, CorruptLogWarning)]
    if reader.filenames:
        assert reader.filenames == ["f.json"] and not corrupt
        assert isinstance(reader.df, object) and len(reader.df) == 1
    else:
        assert len(corrupt) == 1 and "f.json" in str(corrupt[0].message)


@pytest.fixture(scope="module")
def saved_snapshot(tmp_path_factory):
    folder = tmp_path_factory.mktemp("snap")
    net = SmallRL(seed=7, strict=True)
    net.reset()
    run_ticks(net, 2)
    path = str(net.save(folder / "net.npz"))
    return _read_npz(path)


@FUZZ
@given(mutations=_mutations())
def test_fuzzed_snapshot_manifest_loads_or_raises_spikey_error_naming_file(tmp_path_factory, saved_snapshot, mutations):
    """A mutated manifest either loads into a network that ticks, or load raises a SpikeyError naming the file."""
    manifest, arrays = saved_snapshot
    manifest = _mutate(json.loads(json.dumps(manifest)), mutations)
    path = str(tmp_path_factory.mktemp("fz") / "m.npz")
    _write_npz(path, manifest, arrays)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = SmallRL.load(path, expected_value=xor_expected)
    except SpikeyError as e:
        assert path in str(e)
        return
    assert isinstance(net, SmallRL)
