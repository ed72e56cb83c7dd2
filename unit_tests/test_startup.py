"""Start-up cost: lazy re-exports of the public API, and no heavy imports before they are needed."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import pytest

import spikey

HEAVY = ("ray", "pandas", "numba")


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _loaded_after(code: str) -> list[str]:
    out = _run(
        textwrap.dedent(code) + f"\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    return eval(out.splitlines()[-1])  # noqa: S307 - our own subprocess's list of names


def test_import_spikey_imports_no_ray_pandas_or_numba():
    """`import spikey` leaves ray, pandas and numba unimported."""
    assert _loaded_after("import spikey") == []


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"], ["series", "--help"], ["list"]])
def test_cli_help_imports_no_ray_pandas_or_numba(argv):
    """`spikey --help`, `spikey run --help`, `spikey series --help`, `spikey list` import none of them."""
    code = f"""
    import contextlib, io
    from spikey.cli import main
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main({argv!r})
        except SystemExit:
            pass
    """
    assert _loaded_after(code) == []


def test_reading_and_writing_a_log_imports_no_pandas(tmp_path):
    """spikey.logging.log and read_log (the `spikey run` summary) work without pandas; Reader.df loads it."""
    code = f"""
    import sys
    import numpy as np
    from spikey.logging import log, read_log
    path = log(None, None, {{"accuracy": 1.0}}, {{"x": np.arange(3)}}, folder={str(tmp_path)!r})
    assert read_log(path)["info"]["x"].tolist() == [0, 1, 2]
    assert "pandas" not in sys.modules
    from spikey.logging import Reader
    assert "pandas" not in sys.modules
    assert Reader({str(tmp_path)!r}).df["accuracy"].tolist() == [1.0]
    assert "pandas" in sys.modules
    """
    _run(code)


def test_meta_names_resolve_lazily():
    """spikey.meta.Series is imported (with pandas) on first access, not by `import spikey.meta`."""
    code = """
    import sys
    import spikey.meta
    assert "spikey.meta.series" not in sys.modules and "pandas" not in sys.modules
    from spikey.meta import Series
    assert Series.__module__ == "spikey.meta.series" and "pandas" in sys.modules
    assert spikey.meta.Series is Series
    print("ok")
    """
    assert _run(code) == "ok"


@pytest.mark.parametrize(
    "package", ["spikey", "spikey.core", "spikey.logging", "spikey.meta", "spikey.games", "spikey.snn"]
)
def test_public_api_listed_and_reachable(package):
    """Every name of a package's __all__ is in dir() and reachable as an attribute."""
    import importlib

    module = importlib.import_module(package)
    names = dir(module)
    for name in module.__all__:
        assert name in names, name
        assert getattr(module, name) is not None, name


def test_public_api_of_design_doc():
    """The README's import paths keep working (spikey.meta.Series, from spikey.logging import Reader, ...)."""
    from spikey.core import ExperimentCallback, GenericLoop, RLCallback, TrainingLoop  # noqa: F401
    from spikey.logging import MultiLogger, Reader, log  # noqa: F401
    from spikey.meta import Population, Series  # noqa: F401
    from spikey.MetaRL import EvolveNetwork, MetaRL  # noqa: F401

    assert spikey.meta.Series is Series and spikey.logging.Reader is Reader
    assert callable(spikey.logging.log)  # the function, not the module spikey.logging.log
    assert spikey.MetaRL.MetaRL is spikey.meta.MetaRL
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        spikey.meta.Nope  # noqa: B018


def test_lazily_imported_classes_pickle():
    """A class reached through a lazy re-export pickles by its defining module (Ray workers)."""
    from spikey.meta import Checkpoint, Series

    assert pickle.loads(pickle.dumps(Series)) is Series
    assert pickle.loads(pickle.dumps(Checkpoint)) is Checkpoint


def test_active_hook_is_none_for_untracked_hooks():
    """active_hook: None for a no-op hook (so a per-step replay can be skipped), the hook when tracked or defined."""
    from spikey.core import ExperimentCallback, RLCallback
    from spikey.core.callback import active_hook

    cb = RLCallback()
    assert active_hook(None, "network_continuous_reward") is None
    assert active_hook(cb, "network_continuous_reward") is None
    assert active_hook(cb, "network_tick") is not None
    cb.track("network_continuous_reward", "info", "step_rewards", ["arg", 2], "list")
    cb.reset()
    hook = active_hook(cb, "network_continuous_reward")
    hook((0, 1), None, 0.5)
    assert cb.info["step_rewards"] == [0.5]

    class Listens(ExperimentCallback):
        def network_continuous_reward(self, state, action, reward):
            self.results["seen"] = reward

    assert active_hook(Listens(), "network_continuous_reward") is not None
