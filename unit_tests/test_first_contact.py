"""First contact (issue 13): progress, env returns, notebooks, offline docs, Gymnasium details."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import socket
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import spikey
from spikey.cli import main as cli_main
from spikey.cli import parse_set, run_experiment, summary_rows
from spikey.core import GenericLoop, RLCallback
from spikey.errors import ActionError, ConfigError, EpisodeError, SpikeyError, UnclaimedKeyWarning
from spikey.experiments import cartpole, florian_rate
from spikey.games import CartPole, GymnasiumEnv, Logic, gym_template
from spikey.games.gym_adapter import DEFAULT_MAX_EPISODE_STEPS
from spikey.meta.backends import RayBackend
from spikey.meta.backends.ray import check_address

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def free_port() -> int:
    """A localhost TCP port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def xor_loop(**params):
    """The rate XOR experiment's loop (one episode), with overrides."""
    config = {**florian_rate.training_params, "seed": 0, **params}
    return GenericLoop(
        florian_rate.network_template, florian_rate.game_template, RLCallback(reduced=True), config
    )


# --------------------------------------------------------------------------- 1. progress


def test_single_episode_progress_bar_counts_game_steps_with_running_accuracy(capsys):
    """One episode: the bar goes over its game steps (not 0/1 episodes) with acc and reward."""
    xor_loop(len_episode=12, progress=True)()
    err = capsys.readouterr().err
    assert "12/12" in err and "step" in err and "0/1 " not in err
    postfix = re.findall(r"acc=(\d\.\d\d) reward=(-?[\d.e+]+)", err)
    assert postfix, err
    assert 0.0 <= float(postfix[-1][0]) <= 1.0


def test_several_episodes_show_an_episode_bar_and_a_step_bar(capsys):
    """Several episodes: a bar over episodes (last episode's steps in its postfix) and one over steps."""
    loop = GenericLoop(
        cartpole.network_template,
        cartpole.game_template,
        RLCallback(reduced=True),
        {**cartpole.training_params, "n_episodes": 3, "seed": 0, "progress": True},
    )
    _, _, _, info = loop()
    err = capsys.readouterr().err
    assert re.search(r"GenericLoop: 100%.*3/3", err), err
    assert f"last: steps={info['episode_lens'][-1]}" in err
    assert "/500" in err  # the step bar of an episode of at most 500 steps


def test_progress_off_when_stderr_is_not_a_terminal_and_with_quiet(capsys, monkeypatch, tmp_path):
    """No bar on a non-terminal stderr (auto), and none with --quiet even when forced on."""
    xor_loop(len_episode=5, progress=None)()
    assert "step" not in capsys.readouterr().err
    monkeypatch.setenv("SPIKEY_PROGRESS", "1")
    argv = ["run", "cartpole", "--set", "n_episodes=1", "--set", "len_episode=5", "--out", str(tmp_path)]
    assert cli_main([*argv, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "step" not in captured.err and captured.out.strip().endswith(".json")


@pytest.mark.ray
def test_ray_start_prints_cpus_and_time(capsys):
    """Starting a local Ray runtime prints 'starting Ray (N CPUs) ... ready in T s' on stderr."""
    import ray

    if ray.is_initialized():
        pytest.skip("a Ray runtime is already running in this process")
    with RayBackend(num_cpus=1):
        pass
    err = capsys.readouterr().err
    assert re.search(r"spikey: starting Ray \(1 CPU\) \.\.\. ready in \d+\.\d s", err), err


def test_unreachable_ray_address_is_a_clear_error_within_15_s():
    """A cluster address where nothing listens fails fast with a spikey error naming it."""
    address = f"127.0.0.1:{free_port()}"
    start = time.perf_counter()
    with pytest.raises(SpikeyError, match=rf"cannot join Ray cluster at {address}: nothing answers there"):
        RayBackend(address=address, verbose=False).start()
    assert time.perf_counter() - start < 15
    with pytest.raises(SpikeyError, match=r"expected 'host:port'"):
        check_address("localhost")


def test_cli_series_with_unreachable_address_exits_2_quickly(tmp_path, capsys):
    """`spikey series FILE --address host:port` with no cluster there: exit 2, message, < 15 s."""
    path = tmp_path / "s.py"
    path.write_text(
        textwrap.dedent(
            """
            from spikey.experiments.florian_rate import game_template, network_template
            training_params = {"n_episodes": 1, "len_episode": 2}
            spec = ("learning_rate", [0.1])
            """
        )
    )
    address = f"127.0.0.1:{free_port()}"
    start = time.perf_counter()
    code = cli_main(["series", str(path), "--address", address, "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 2 and time.perf_counter() - start < 15
    assert f"cannot join Ray cluster at {address}" in capsys.readouterr().err


# --------------------------------------------------------------------------- 2. env return


def test_gymnasium_env_return_is_logged_next_to_the_networks_shaped_reward():
    """A network with its own reward() on a Gymnasium env: the env's return is logged per episode."""
    loop = GenericLoop(
        cartpole.network_template,
        gym_template("CartPole-v1"),
        RLCallback(reduced=True),
        {"n_episodes": 3, "len_episode": 500, "eval_episodes": 1, "seed": 0, "progress": False},
    )
    _, _, results, info = loop()
    # CartPole-v1 pays 1 per step: the env's return is the number of steps balanced
    assert info["episode_env_returns"] == [float(n) for n in info["episode_lens"]]
    assert info["eval_episode_env_returns"] == [float(n) for n in info["eval_episode_lens"]]
    assert info["episode_rewards"] != info["episode_env_returns"]
    assert results["mean_env_return"] == pytest.approx(np.mean(info["episode_lens"]))
    assert results["final_env_return"] == info["episode_lens"][-1]
    assert results["eval_mean_env_return"] == info["eval_episode_lens"][0]
    rows = dict(summary_rows(results))
    assert float(rows["mean env return"]) == pytest.approx(results["mean_env_return"], rel=1e-3)


def test_env_return_of_logic_counts_its_correct_answers():
    """Logic pays 1 per correct answer: its return is accuracy x steps, whatever the network's reward."""
    _, _, results, info = xor_loop(len_episode=8)()
    assert info["episode_env_returns"] == [round(results["accuracy"] * 8)]
    assert info["episode_rewards"] != info["episode_env_returns"]


# --------------------------------------------------------------------------- 3. notebooks


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_forces_no_matplotlib_backend(path):
    """No notebook calls matplotlib.use (so Jupyter draws its figures inline)."""
    nb = json.loads(path.read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "matplotlib.use(" not in code and '"Agg"' not in code and "'Agg'" not in code


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_with_its_figures(path):
    """A notebook that plots is committed with its outputs, figures (PNG) included."""
    nb = json.loads(path.read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert outputs, f"{path.name} has no outputs"
    if "plt." in code or "spikey.viz" in code:
        assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name} shows no figure"


def test_xor_rate_notebook_ends_well_above_chance_and_states_the_full_run_time():
    """xor_rate.ipynb's committed result is well above chance and it says how long the full run takes."""
    nb = json.loads((ROOT / "examples" / "xor_rate.ipynb").read_text())
    text = "".join(
        "".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
    )
    accuracy = float(re.search(r"frozen-weight accuracy: ([\d.]+)", text).group(1))
    assert accuracy >= 0.8
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert re.search(r"`spikey run xor`.*takes about \d+", markdown, flags=re.S)


# --------------------------------------------------------------------------- 4. docs


def _readme_first_command() -> str:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", readme, flags=re.S).group(1)
    return next(line for line in block.splitlines() if line.strip() and not line.startswith("#"))


def test_index_quick_start_is_the_readmes_first_command_and_wraps():
    """docs/index.rst's quick start is the README's first command, and long code lines wrap."""
    index = (ROOT / "docs" / "index.rst").read_text()
    blocks = re.findall(r"\.\. code-block:: bash\n\n((?:   .*\n)+)", index)
    assert blocks and blocks[0].strip() == _readme_first_command().strip()
    css = (ROOT / "docs" / "_static" / "spikey.css").read_text()
    assert re.search(r"div\.highlight pre\s*\{[^}]*white-space:\s*pre-wrap", css)


@pytest.mark.parametrize("page", ["cli", "gymnasium", "meta", "logs"])
def test_guide_page_exists_is_listed_and_has_doctests(page):
    """Guide pages for the CLI, Gymnasium, Series/Population/Ray and logs exist with runnable examples."""
    path = ROOT / "docs" / "guide" / f"{page}.rst"
    index = (ROOT / "docs" / "index.rst").read_text()
    assert f"guide/{page}" in index and "gallery" in index
    assert path.read_text().count(">>> ") >= 5


#: Distributions of the docs extra that the docs build needs.
DOCS_PACKAGES = ("sphinx", "numpydoc", "myst-nb", "sphinx-mathjax-offline")


def _installed(dist: str) -> bool:
    try:
        importlib.metadata.distribution(dist)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True



@pytest.mark.docs
def test_docs_serve_mathjax_locally(tmp_path):
    """The HTML loads MathJax from _static (shipped with the build), not from a CDN."""
    missing = [m for m in DOCS_PACKAGES if not _installed(m)]
    if missing:
        pytest.skip(f"builds the docs: needs the docs extra (pip install -e '.[docs]'); missing {missing}")
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.rst").write_text("Math\n====\n\n.. math::\n\n   V(t) = V_{rest} + \\int I \\, dt\n")
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-c", str(ROOT / "docs"), str(src), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    html = (out / "index.html").read_text()
    sources = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', html, flags=re.I)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources), sources
    assert "cdn" not in " ".join(sources)
    for s in sources:
        assert (out / s.split("?")[0]).is_file(), s
    assert (out / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_docstrings_do_not_say_misspelt_keys_are_ignored():
    """No docstring says extra keys are ignored; a misspelt key warns, as the README says."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "spikey").rglob("*.py")
        if "extra keys are ignored" in p.read_text()
    ]
    assert not offenders
    keys = {**florian_rate.network_template.keys, "firing_treshold": 1.0}
    with pytest.warns(UnclaimedKeyWarning, match=r"'firing_treshold'.*did you mean 'firing_threshold'"):
        florian_rate.network_template(game=florian_rate.game_template(), **keys)


# --------------------------------------------------------------------------- 5. Gymnasium details

STOCK = [(Logic, {"preset": p}) for p in Logic.PRESETS] + [
    (CartPole, {"preset": p}) for p in CartPole.PRESETS
]
STOCK += [(CartPole, {"action_type": "push"}), (CartPole, {"action_type": "force"})]


@pytest.mark.parametrize(("cls", "config"), STOCK, ids=[f"{c.__name__}-{cfg}" for c, cfg in STOCK])
def test_check_env_passes_without_any_warning(cls, config):
    """gymnasium's check_env gives no warning at all for every stock game as an env."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(GymnasiumEnv(cls(**config)))
    assert [str(w.message) for w in caught] == []


def test_endless_game_as_env_ends_after_the_default_episode_length():
    """GymnasiumEnv(Logic, preset='XOR') without max_steps truncates after 1000 steps."""
    env = GymnasiumEnv(Logic, preset="XOR")
    env.reset(seed=0)
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated) and steps < 5 * DEFAULT_MAX_EPISODE_STEPS:
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        steps += 1
    assert (steps, terminated, truncated) == (DEFAULT_MAX_EPISODE_STEPS, False, True)
    with pytest.raises(EpisodeError, match=r"truncated after max_episode_steps=1000\); call reset"):
        env.step(0)
    env.reset()
    assert env.step(0)[3] is False  # a new episode counts from 0 again


def test_env_episode_length_follows_max_steps_or_the_argument():
    """max_episode_steps: the game's max_steps, an explicit value, or None for endless."""
    assert GymnasiumEnv(CartPole, preset="CartPole-v1").max_episode_steps == 500
    assert GymnasiumEnv(Logic, preset="XOR", max_steps=7).max_episode_steps == 7
    short = GymnasiumEnv(Logic, preset="XOR", max_episode_steps=3)
    short.reset(seed=0)
    assert [short.step(0)[3] for _ in range(3)] == [False, False, True]
    endless = GymnasiumEnv(Logic, preset="XOR", max_episode_steps=None)
    endless.reset(seed=0)
    assert not any(endless.step(0)[3] for _ in range(DEFAULT_MAX_EPISODE_STEPS + 10))
    with pytest.raises(
        ConfigError, match=r"GymnasiumEnv.max_episode_steps: expected an int >= 1 or None; got 0"
    ):
        GymnasiumEnv(Logic, preset="XOR", max_episode_steps=0)


def test_cartpole_observation_space_matches_gymnasium_cartpole_v1():
    """float32, finite bounds; x and theta bounds equal to CartPole-v1's; observations float32 like it."""
    ours = CartPole(preset="CartPole-v1").observation_space.to_gymnasium()
    theirs = gymnasium.make("CartPole-v1").observation_space
    assert ours.dtype == theirs.dtype == np.float32 and ours.shape == theirs.shape
    assert np.isfinite(ours.low).all() and np.isfinite(ours.high).all()
    assert np.array_equal(ours.high[[0, 2]], theirs.high[[0, 2]]) and np.array_equal(ours.low, -ours.high)
    assert np.all(ours.high[[1, 3]] == np.finfo(np.float32).max)
    env = GymnasiumEnv(CartPole, preset="CartPole-v1")
    obs, _ = env.reset(seed=0)
    ref = gymnasium.make("CartPole-v1")
    ref.reset(seed=0)
    ref.unwrapped.state = env.game.state.copy()
    for action in (0, 1, 1, 0):
        obs, *_ = env.step(action)
        obs_g, *_ = ref.step(action)
        assert obs.dtype == obs_g.dtype == np.float32 and np.array_equal(obs, obs_g)
        assert obs in env.observation_space


def test_force_actions_are_rescaled_from_minus_one_one():
    """CartPole's force action is [-1, 1] as an env, mapped onto [-Force_Mag, Force_Mag]."""
    env = GymnasiumEnv(CartPole, Force_Mag=10.0)
    assert env.action_space == gymnasium.spaces.Box(-1.0, 1.0, (1,), np.float32)
    env.reset(seed=0)
    _, _, _, _, info = env.step(np.array([1.0], dtype=np.float32))
    assert info["force"] == 10.0
    _, _, _, _, info = env.step(np.array([-0.5], dtype=np.float32))
    assert info["force"] == -5.0
    with pytest.raises(ActionError, match=r"action .* is not in the action space Box\(-1.0, 1.0"):
        env.step(np.array([2.0]))
    assert GymnasiumEnv(CartPole, rescale_actions=False).action_space.high[0] == 10.0


def test_env_spec_builds_a_fresh_copy():
    """env.spec makes an independent env via gymnasium.make (as check_env's close check does)."""
    env = GymnasiumEnv(Logic, preset="XOR", max_episode_steps=5)
    copy = gymnasium.make(env.spec)
    assert copy.unwrapped.game is not env.game and copy.unwrapped.max_episode_steps == 5
    assert env.spec.id == "spikey/XOR-v0"  # a registered id: gymnasium.make(env.spec.id) gives XOR too
    assert gymnasium.make(env.spec.id).unwrapped.game.params["name"] == "XOR"


def test_viz_is_reachable_lazily_and_matplotlib_only_loads_for_a_plot():
    """spikey.viz works after `import spikey`; matplotlib is imported only when a plot is drawn."""
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        import spikey
        assert "matplotlib" not in sys.modules and "spikey.viz" not in sys.modules
        raster = spikey.viz.raster
        assert "spikey.viz" in sys.modules and "matplotlib" not in sys.modules
        raster(np.eye(5, dtype=bool))
        assert "matplotlib" in sys.modules
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"MPLBACKEND": "Agg", "PATH": ""},
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
    assert "viz" in spikey.__all__


def test_parse_set_reads_yaml_scalars():
    """--set values are YAML: ints, floats, bools, null, lists, strings; the last one wins."""
    assert parse_set(["a=3", "b=0.5", "c=true", "d=null", "e=[0, 0.3]", "f=XOR", "a=4", "g="]) == {
        "a": 4,
        "b": 0.5,
        "c": True,
        "d": None,
        "e": [0, 0.3],
        "f": "XOR",
        "g": "",
    }
    with pytest.raises(ConfigError, match=r"--set: expected KEY=VALUE .*; got 'learning_rate'"):
        parse_set(["learning_rate"])
    with pytest.raises(ConfigError, match=r"--set x: expected a scalar or a list; got a mapping"):
        parse_set(["x={a: 1}"])


def test_run_with_set_overrides_loop_and_network_keys(tmp_path):
    """`spikey run NAME --set ...` changes the loop's and the network's keys (logged)."""
    sets = {"n_episodes": 2, "len_episode": 6, "learning_rate": 0.01}
    results, path, _ = run_experiment("cartpole", seed=0, out=str(tmp_path), quiet=True, sets=sets)
    log = spikey.logging.read_log(path)
    assert results["n_episodes"] == 2 and results["len_episode"] == 6 and results["n_steps"] <= 12
    assert log["network"]["learning_rate"] == 0.01


def test_run_with_a_misspelt_set_key_is_an_error_with_did_you_mean(tmp_path, capsys):
    """A --set key no part, game or loop declares: exit 2 with a did-you-mean, before training."""
    code = cli_main(["run", "xor", "--set", "lerning_rate=0.1", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert (
        code == 2 and "key 'lerning_rate' is used by no part" in err and "did you mean 'learning_rate'" in err
    )
    with pytest.raises(
        ConfigError, match=r"n_episode.*nor by the training loop \(did you mean 'n_episodes'\?\)"
    ):
        run_experiment("xor", out=str(tmp_path), sets={"n_episode": 2})
    assert not list(tmp_path.iterdir())  # nothing ran, nothing was written
