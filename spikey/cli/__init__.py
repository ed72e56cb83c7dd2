"""The ``spikey`` command: run an experiment, print a summary, write its log.

Usage::

    spikey run xor --report             # a built-in experiment; log + HTML report
    spikey report log/                  # HTML report of a log, a folder, a Series/Population
    spikey run xor-temporal --seed 3 --episodes 50
    spikey run cartpole --out runs/ --quiet
    spikey run xor --set learning_rate=0.05 --set n_episodes=2   # override keys (YAML values)
    spikey run diehl-cook --n-neurons 100 --n-train 4000 --n-test 1000   # Diehl & Cook 2015
    spikey run cartpole-es --seed 1     # CartPole-v1 by evolving a spiking network's weights
    spikey run cartpole-es --show-config            # its options and defaults
    spikey run cartpole-es --out runs/ --resume     # continue a killed run (same result)
    spikey run my_experiment.py         # network_template, game_template, training_params
    spikey run my_experiment.yaml       # names an experiment and overrides
    spikey list                         # the built-in experiments
    spikey series my_series.py --backend ray   # a Series (spikey.cli.meta)
    spikey population my_search.py      # a Population (genetic algorithm)

An experiment is a Python module (or ``.py`` file) defining

- ``network_template``: the network class;
- ``game_template``: the game class;
- ``training_params``: dict of the loop's keys (``n_episodes``, ``len_episode``, ...)
  and overrides for the network and game;

and optionally ``training_loop`` (a :class:`spikey.core.TrainingLoop` subclass,
default :class:`spikey.core.GenericLoop`), ``callback`` (class or instance, default
:class:`spikey.core.RLCallback`) and ``evaluate(network, game)`` (a frozen-weight
evaluation returning an accuracy or a dict of scalars, reported and logged as
``frozen_*``).

A YAML (or JSON) experiment file is data only, read with ``yaml.safe_load`` (PyYAML
must be installed for YAML)::

    experiment: xor            # built-in name, module path, or .py file (relative to this file)
    overrides:                 # merged over the experiment's training_params
      n_episodes: 20
      learning_rate: 0.05

Exit status: 0 on success, 2 for a bad experiment or configuration (the message names
the problem).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

from spikey.errors import ConfigError, SpikeyError
from spikey.files import NotAModuleError, import_file
from spikey.module import suggest

__all__ = ["EXPERIMENTS", "main", "load_experiment", "parse_set", "run_experiment", "summary_rows"]

#: Built-in training-loop experiments: name -> module (the registry's loop modules;
#: ``spikey.experiments.registry`` holds every entry, :func:`spikey.experiments.make`
#: makes the others).
EXPERIMENTS = {
    "xor": "spikey.experiments.florian_rate",
    "xor-temporal": "spikey.experiments.florian_temporal",
    "cartpole": "spikey.experiments.cartpole",
}

#: Flags kept for ``spikey run diehl-cook`` (dest names): options of a registry
#: experiment, the same as ``--set name=value``.
_OPTION_FLAGS = ("n_neurons", "n_train", "n_test", "n_assign", "epochs", "data")

_REQUIRED = ("network_template", "game_template", "training_params")
_YAML_KEYS = ("experiment", "overrides")


def _builtin_experiments() -> dict[str, str]:
    """Built-in training-loop experiments: the registry's loop modules (plus
    ``spikey.experiments.EXPERIMENTS`` if a user module defines it)."""
    from spikey.experiments.registry import registry

    out = dict(EXPERIMENTS)
    out.update({name: entry.module for name, entry in registry().items() if entry.is_loop_module})
    try:
        pkg = importlib.import_module("spikey.experiments")
    except ImportError:
        return out
    extra = getattr(pkg, "EXPERIMENTS", None)
    if isinstance(extra, dict):
        for name, mod in extra.items():
            out[str(name)] = mod if isinstance(mod, str) else getattr(mod, "__name__", str(mod))
    return out


def _registry_entry(name: str) -> Any:
    """The registry entry of an :class:`~spikey.experiments.registry.Experiment` called ``name``, or None."""
    from spikey.experiments.registry import registry

    entry = registry().get(name)
    return entry if entry is not None and not entry.is_loop_module else None


def _load_py(path: str) -> types.ModuleType:
    stem = os.path.splitext(os.path.basename(path))[0]
    name = "spikey_experiment_" + "".join(c if c.isalnum() else "_" for c in stem)
    try:
        return import_file(name, path)
    except NotAModuleError as e:
        raise ConfigError(f"spikey run: {e}.") from None


def _read_data_file(path: str) -> Any:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.lower().endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError(f"spikey run: {path}: not valid JSON: {e}.") from None
    try:
        import yaml
    except ImportError:
        raise ConfigError(
            f"spikey run: reading {path} needs PyYAML, which is not installed; "
            "install it with 'pip install pyyaml', or write the file as JSON (.json) or Python (.py)."
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"spikey run: {path}: not valid YAML: {e}") from None


def _check_module(module: types.ModuleType, where: str) -> types.ModuleType:
    missing = [name for name in _REQUIRED if not hasattr(module, name)]
    if missing:
        raise ConfigError(
            f"spikey run: {where} does not define {', '.join(missing)}; an experiment defines "
            f"{', '.join(_REQUIRED)} (and optionally training_loop, callback, evaluate)."
        )
    if not isinstance(module.training_params, dict):
        raise ConfigError(
            f"spikey run: {where}.training_params: expected a dict; got {type(module.training_params).__name__}."
        )
    return module


def load_experiment(spec: str) -> tuple[types.ModuleType, dict[str, Any], str]:
    """Find an experiment by built-in name, module path, ``.py`` or ``.yaml``/``.json`` file.

    Parameters
    ----------
    spec : str
        ``"xor"``, ``"spikey.experiments.cartpole"``, ``"path/to/exp.py"`` or
        ``"path/to/exp.yaml"``.

    Returns
    -------
    module : module
        Defines ``network_template``, ``game_template``, ``training_params``.
    overrides : dict
        Overrides from a YAML/JSON file (empty otherwise).
    name : str
        What was loaded, for the summary.

    Raises
    ------
    ConfigError
        For an unknown name, a missing file or definition, or a bad YAML file.

    Examples
    --------
    >>> from spikey.cli import load_experiment
    >>> load_experiment("xorr")
    Traceback (most recent call last):
    ...
    spikey.errors.ConfigError: spikey run: no experiment 'xorr' (did you mean 'xor'?); ...
    """
    builtins = _builtin_experiments()
    lower = spec.lower()
    if lower.endswith((".yaml", ".yml", ".json")):
        if not os.path.isfile(spec):
            raise ConfigError(f"spikey run: no such file {spec!r}.")
        data = _read_data_file(spec)
        if not isinstance(data, dict) or "experiment" not in data:
            raise ConfigError(
                f"spikey run: {spec}: expected a mapping with 'experiment' (a built-in name, a module "
                f"or a .py file) and optionally 'overrides' (a mapping); got {type(data).__name__}."
            )
        unknown = [k for k in data if k not in _YAML_KEYS]
        if unknown:
            raise ConfigError(
                f"spikey run: {spec}: unknown entry {unknown[0]!r}{suggest(str(unknown[0]), _YAML_KEYS)}; "
                f"entries are {list(_YAML_KEYS)}."
            )
        overrides = data.get("overrides") or {}
        if not isinstance(overrides, dict):
            raise ConfigError(
                f"spikey run: {spec}: 'overrides' must be a mapping; got {type(overrides).__name__}."
            )
        target = str(data["experiment"])
        if target.endswith(".py") and not os.path.isabs(target):
            target = os.path.join(os.path.dirname(os.path.abspath(spec)), target)
        if target.lower().endswith((".yaml", ".yml", ".json")):
            raise ConfigError(
                f"spikey run: {spec}: 'experiment' must name a module or a .py file; got {target!r}."
            )
        module, _, name = load_experiment(target)
        return module, dict(overrides), f"{name} via {os.path.basename(spec)}"
    if lower.endswith(".py"):
        if not os.path.isfile(spec):
            raise ConfigError(f"spikey run: no such file {spec!r}.")
        return _check_module(_load_py(spec), spec), {}, spec
    module_name = builtins.get(spec, spec)
    if spec not in builtins and "." not in spec:
        raise ConfigError(
            f"spikey run: no experiment {spec!r}{suggest(spec, builtins)}; built-in experiments are "
            f"{sorted(builtins)}; or give a .py, .yaml or .json file or a module path."
        )
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and module_name.startswith(e.name):
            raise ConfigError(
                f"spikey run: experiment {spec!r} needs module {module_name!r}, which is not available."
            ) from None
        raise
    label = spec if spec == module_name else f"{spec} ({module_name})"
    return _check_module(module, module_name), {}, label


def _call_evaluate(fn: Any, network: Any, game: Any) -> Any:
    """Call ``evaluate(network[, game=...])`` on detached copies, binding arguments by name.

    ``game`` is passed when the function has a parameter of that name, and a required
    ``n_presentations`` gets 100.

    The copies have no callback, so the evaluation never adds to the run's results.
    """
    net = network.copy() if callable(getattr(network, "copy", None)) else network
    g = game.copy() if callable(getattr(game, "copy", None)) else game
    for obj in (net, g):
        if obj is not network and obj is not game and hasattr(obj, "callback"):
            obj.callback = None
    try:
        params = list(inspect.signature(fn).parameters.values())[1:]
    except (TypeError, ValueError):
        return fn(net, g)
    kwargs: dict[str, Any] = {}
    for p in params:
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            continue
        if p.name == "game":
            kwargs["game"] = g
        elif p.name == "n_presentations" and p.default is inspect.Parameter.empty:
            kwargs[p.name] = 100
    return fn(net, **kwargs)


def _evaluation_results(value: Any) -> dict[str, Any]:
    """``frozen_*`` scalars from an evaluation's return value."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            try:
                out[f"frozen_{k}"] = float(v)
            except (TypeError, ValueError):
                continue
        return out
    try:
        return {"frozen_accuracy": float(value)}
    except (TypeError, ValueError):
        return {}


def parse_set(items: Sequence[str]) -> dict[str, Any]:
    """``["key=value", ...]`` (the ``--set`` options) as a dict; values read as YAML.

    ``1`` is an int, ``0.5`` a float, ``true`` a bool, ``null`` None, ``[0, 0.3]`` a
    list, anything else a string; a later ``--set`` of the same key wins.

    Raises
    ------
    ConfigError
        For an item without ``=`` or with an empty key, or a value that is not valid YAML.

    Examples
    --------
    >>> from spikey.cli import parse_set
    >>> parse_set(["learning_rate=0.05", "n_episodes=3", "preset=XOR", "progress=false"])
    {'learning_rate': 0.05, 'n_episodes': 3, 'preset': 'XOR', 'progress': False}
    """
    out: dict[str, Any] = {}
    if not items:
        return out
    import yaml

    for item in items:
        key, sep, text = str(item).partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"spikey run --set: expected KEY=VALUE (e.g. learning_rate=0.05); got {item!r}.")
        try:
            value = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError as e:
            raise ConfigError(f"spikey run --set {key}: value {text!r} is not valid YAML: {e}") from None
        if isinstance(value, dict):
            raise ConfigError(
                f"spikey run --set {key}: expected a scalar or a list; got a mapping {text!r}."
            )
        out[key] = value
    return out


def _unclaimed_set_keys(caught: list, sets: dict[str, Any], loop_keys: Sequence[str]) -> None:
    """Turn a network's unclaimed-key warning about a ``--set`` key into an error; re-warn the rest."""
    import warnings

    from spikey.errors import UnclaimedKeyWarning

    for w in caught:
        message = str(w.message)
        if issubclass(w.category, UnclaimedKeyWarning):
            for key in sets:
                if f"key {key!r}" in message:
                    if "did you mean" not in message and suggest(key, loop_keys):
                        message = message.rstrip(".") + f"; nor by the training loop{suggest(key, loop_keys)}."
                    raise ConfigError(f"spikey run --set {key}={sets[key]!r}: {message}")
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def run_experiment(
    spec: str,
    seed: int | None = None,
    episodes: int | None = None,
    out: str = "log",
    quiet: bool = False,
    sets: dict[str, Any] | None = None,
    tensorboard: str | None = None,
) -> tuple[dict[str, Any], str, str]:
    """Run an experiment once and write its log.

    Parameters
    ----------
    spec : str
        See :func:`load_experiment`.
    seed : int, optional
        Seed of the run (overrides the experiment's).
    episodes : int, optional
        Number of training episodes (overrides ``n_episodes``).
    out : str
        Folder of the log file.
    quiet : bool
        No progress bar.
    sets : dict, optional
        Overrides of ``--set key=value`` (see :func:`parse_set`), merged last. A key
        that neither the loop, the game nor a part of the network declares raises
        :class:`~spikey.errors.ConfigError` (with a did-you-mean), instead of the
        warning a misspelt key in an experiment file gets.
    tensorboard : str, optional
        Also write the run to TensorBoard event files in this folder (one run, named
        ``seed=<seed>``; see :mod:`spikey.core.loggers`).

    Returns
    -------
    results : dict
        The run's scalars (with ``frozen_*`` from the experiment's ``evaluate``).
    log_path : str
        Path of the log file.
    name : str
        What was run.
    """
    from spikey.core import GenericLoop, RLCallback, TrainingLoop

    module, overrides, name = load_experiment(spec)
    params = dict(module.training_params)
    params.update(overrides)
    if seed is not None:
        params["seed"] = seed
    if episodes is not None:
        params["n_episodes"] = episodes
    sets = dict(sets or {})
    params.update(sets)
    if quiet:
        params["progress"] = False
    loop_cls = getattr(module, "training_loop", GenericLoop)
    if not (isinstance(loop_cls, type) and issubclass(loop_cls, TrainingLoop)):
        raise ConfigError(
            f"spikey run: {name}.training_loop: expected a spikey.core.TrainingLoop subclass; got {loop_cls!r}."
        )
    callback = getattr(module, "callback", None)
    if callback is None:
        callback = RLCallback()
    if tensorboard is not None:
        from spikey.core.loggers import with_tensorboard

        callback = with_tensorboard(callback, tensorboard)
    if sets:
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loop = loop_cls(module.network_template, module.game_template, callback, params)
        _unclaimed_set_keys(caught, sets, loop_cls.key_names())
    else:
        loop = loop_cls(module.network_template, module.game_template, callback, params)
    network, game, results, _ = loop()
    evaluate = getattr(module, "evaluate", None)
    if callable(evaluate):
        frozen = _evaluation_results(_call_evaluate(evaluate, network, game))
        loop.callback.results.update(frozen)
        results.update(frozen)
    path = loop.log(folder=out)
    return results, path, name


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


#: Per-episode lists whose first and last tenth the summary compares.
_TRENDS = (
    ("episode_env_returns", "env return, first -> last tenth of training"),
    ("episode_lens", "steps per episode, first -> last tenth of training"),
)


def _first_last(values: Any) -> str | None:
    """``"87 -> 279"``: mean of the first and of the last tenth of a per-episode list (2+ episodes)."""
    if values is None or len(values) < 2:
        return None
    k = max(1, len(values) // 10)
    first = sum(float(v) for v in values[:k]) / k
    last = sum(float(v) for v in values[-k:]) / k
    return f"{_fmt(first)} -> {_fmt(last)}"


def summary_rows(results: dict[str, Any], log: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """The rows of the summary table for a run's ``results``, in plain words.

    Shows what was trained (from the run's ``log``, when given) and for how long,
    accuracy during training and with frozen weights (games with an expected answer,
    e.g. Logic) or steps per episode (e.g. CartPole: steps balanced; with the ``log``,
    the mean of the first and of the last tenth of training), the game's own return
    per episode when recorded (a Gymnasium env's), the mean reward
    per game step (total reward / game steps, not a sum over the run), and the run time.

    Examples
    --------
    >>> from spikey.cli import summary_rows
    >>> summary_rows({"n_episodes": 5, "mean_reward": 1.5, "mean_steps": 20.0, "final_steps": 31, "total_time": 0.5})
    [('episodes', '5'), ('mean steps', '20'), ('final steps', '31'), ('mean reward per game step', '0.075'), ('time [s]', '0.5')]
    """
    r = results
    rows = []
    if log is not None:
        net, game = log.get("network") or {}, log.get("game") or {}
        what = []
        if net.get("n_neurons") is not None:
            what.append(f"{net.get('n_inputs', '?')} inputs, {net['n_neurons']} neurons")
        if game.get("name") or isinstance(game.get("env"), str):
            what.append(f"game {game.get('name') or game['env']}")
        if what:
            rows.append(("trained", " on ".join(what)))
    episodes = _fmt(r.get("n_episodes", "?"))
    if r.get("eval_episodes"):
        episodes += f" (+{r['eval_episodes']} eval)"
    if r.get("len_episode") is not None and r.get("mean_steps") == r.get("len_episode"):
        episodes += f" x {_fmt(r['len_episode'])} game steps"
    elif r.get("n_steps"):
        episodes += f", {_fmt(r['n_steps'])} game steps in all"
    ticks = (log or {}).get("network", {}).get("processing_time")
    if isinstance(ticks, (int, float)) and ticks:
        dt = (log or {}).get("network", {}).get("dt") or 1.0
        episodes += f" ({_fmt(float(ticks) * float(dt))} ms of network time per game step)"
    rows.append(("episodes", episodes))
    if "seed" in r:
        rows.append(("seed", _fmt(r["seed"])))
    info = (log or {}).get("info") or {}
    trends = [(k, label, _first_last(info.get(k))) for k, label in _TRENDS]
    if "mean_env_return" in r:  # the game's own return per episode (a Gymnasium env's return)
        rows.append(("mean env return", _fmt(r["mean_env_return"])))
        if trends[0][2]:
            rows.append((trends[0][1], trends[0][2]))
        if "eval_mean_env_return" in r:
            rows.append(("eval mean env return (frozen weights)", _fmt(r["eval_mean_env_return"])))
    if "accuracy" in r or "mean_accuracy" in r:
        if "mean_accuracy" in r:
            rows.append(("accuracy (during training)", _fmt(r["mean_accuracy"])))
        if "accuracy" in r and (r.get("n_episodes") != 1 or "mean_accuracy" not in r):
            rows.append(("accuracy (final episode)", _fmt(r["accuracy"])))
        if "eval_accuracy" in r:
            rows.append(("accuracy (eval episodes, frozen weights)", _fmt(r["eval_accuracy"])))
    elif "mean_steps" in r:
        rows.append(("mean steps", _fmt(r["mean_steps"])))
        if trends[1][2]:
            rows.append((trends[1][1], trends[1][2]))
        elif "final_steps" in r:
            rows.append(("final steps", _fmt(r["final_steps"])))
        if "eval_mean_steps" in r:
            rows.append(("eval mean steps (frozen weights)", _fmt(r["eval_mean_steps"])))
    for key, value in r.items():
        if key == "frozen_accuracy":
            rows.append(("accuracy (frozen weights)", _fmt(value)))
        elif key.startswith("frozen_") and not key.startswith("frozen_n_") and not key.endswith("_threshold"):
            rows.append((key[len("frozen_") :].replace("_", " ") + " (frozen weights)", _fmt(value)))
    if r.get("mean_reward") is not None and r.get("mean_steps"):
        rows.append(("mean reward per game step", _fmt(float(r["mean_reward"]) / float(r["mean_steps"]))))
    elif "mean_reward" in r:
        rows.append(("mean reward per episode", _fmt(r["mean_reward"])))
    if r.get("eval_mean_reward") is not None and r.get("eval_mean_steps"):
        rows.append(
            ("eval mean reward per game step", _fmt(float(r["eval_mean_reward"]) / float(r["eval_mean_steps"])))
        )
    if "total_time" in r:
        rows.append(("time [s]", _fmt(r["total_time"])))
    return rows


def _print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows) if rows else 0
    print(title)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")


def _parser() -> argparse.ArgumentParser:
    from spikey import __version__

    parser = argparse.ArgumentParser(
        prog="spikey", description="Spiking neural networks trained with reinforcement learning."
    )
    parser.add_argument("--version", action="version", version=f"spikey {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="run an experiment and write its log",
        description="Run an experiment once, print a summary and write its log (JSON).",
    )
    run.add_argument(
        "experiment",
        metavar="EXPERIMENT",
        help="built-in name (spikey list), a .py file, a .yaml/.json file or a module path",
    )
    run.add_argument("--seed", type=int, default=None, help="seed of the run (same seed, same results)")
    run.add_argument("--episodes", type=int, default=None, help="number of training episodes")
    run.add_argument("--out", default="log", metavar="DIR", help="folder of the log file (default: log)")
    run.add_argument(
        "--quiet", action="store_true", help="no progress bar and no table; print the log path only"
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="sets",
        help="override a key of the loop, game or network (repeatable; VALUE is read as YAML: "
        "0.05, 3, true, null, [0, 0.3], XOR)",
    )
    run.add_argument(
        "--report", action="store_true", help="also write an HTML report next to the log (spikey report)"
    )
    run.add_argument("--tensorboard", metavar="DIR", default=None, help=_TENSORBOARD_HELP)
    run.add_argument(
        "--show-config", action="store_true", help="print the experiment's options and their defaults, and exit"
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="continue the run whose checkpoint is in the output folder (registry experiments such as cartpole-es)",
    )
    group = run.add_argument_group("diehl-cook", "options of spikey run diehl-cook (Diehl & Cook 2015)")
    group.add_argument("--n-neurons", type=int, default=None, help="excitatory neurons (default 100)")
    group.add_argument("--n-train", type=int, default=None, help="training images (default 4000)")
    group.add_argument("--n-test", type=int, default=None, help="test images (default 1000)")
    group.add_argument(
        "--n-assign", type=int, default=None, help="training images used to label neurons (default: all)"
    )
    group.add_argument(
        "--epochs", type=int, default=None, help="passes over the training images (default 1)"
    )
    group.add_argument(
        "--data", default=None, choices=("auto", "mnist", "digits"), help="image source (default auto)"
    )
    sub.add_parser("list", help="list the built-in experiments")
    rep = sub.add_parser(
        "report",
        help="write an HTML report of a log or an output folder",
        description="Write one self-contained HTML page (figures, runs, failures) about a log file, a "
        "folder of logs, or a Series or Population output folder; print its path.",
    )
    rep.add_argument("path", metavar="PATH", help="a log file (.json) or a folder")
    rep.add_argument("--out", metavar="FILE", help="where to write (default: next to the logs)")
    rep.add_argument(
        "--quiet", action="store_true", help="print only the page's path (as without it; accepted as by run)"
    )
    cache = sub.add_parser(
        "cache",
        help="show, clear or fill the compile caches",
        description="The compiled engine keeps generated tick modules and numba's machine code on disk "
        "(see the engines guide). `path` prints the folders and whether spikey trusts them, `clear` "
        "deletes them, `warm` compiles the kernels of every stock network into them.",
    )
    cache.add_argument("action", choices=("path", "clear", "warm"), help="what to do")
    from spikey.cli.meta import add_parsers

    add_parsers(sub)
    for name in ("series", "population"):
        if name in sub.choices and "--tensorboard" not in sub.choices[name]._option_string_actions:
            sub.choices[name].add_argument("--tensorboard", metavar="DIR", default=None, help=_TENSORBOARD_HELP)
    return parser


def _cache_command(action: str) -> int:
    """``spikey cache path|clear|warm``."""
    from spikey.snn.engine import cache

    if action == "clear":
        removed = cache.clear()
        for folder in removed:
            print(f"removed {folder}")
        if not removed:
            print("nothing to remove (no trusted cache folder exists)")
        return 0
    if action == "path":
        for what, folder in cache.asked_folders().items():
            if not folder.exists():
                status = "not created yet"
            else:
                problem = cache.folder_problem(folder)
                status = "trusted" if problem is None else f"refused: it {problem}"
            print(f"{what:<7} {folder}  ({status})")
        return 0
    import time

    from tqdm.auto import tqdm

    from spikey.rng import make_rng
    from spikey.testing.networks import STOCK_NETWORKS

    t0 = time.perf_counter()
    rng = make_rng(0, "cli/cache-warm")
    for name in tqdm(sorted(STOCK_NETWORKS), desc="compiling stock networks", unit="network"):
        spec = STOCK_NETWORKS[name]
        net = spec.build(0, "numba")
        net.reset()
        net.tick(spec.states(rng, 0))
    print(f"compiled {len(STOCK_NETWORKS)} stock networks in {time.perf_counter() - t0:.1f} s into "
          f"{cache.cache_dir()} and {cache.numba_cache_dir()}")
    return 0


#: Help of ``--tensorboard`` (run, series, population).
_TENSORBOARD_HELP = (
    "also write TensorBoard event files into DIR (per-episode return, length, accuracy, weight "
    "histograms, parameters as hparams; one run per Series job; a Population or an evolution experiment writes each generation as it ends): tensorboard --logdir DIR"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``spikey`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 for a bad experiment or configuration.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command in ("series", "population"):
        from spikey.cli.meta import run_command

        return run_command(args)
    if args.command == "list":
        from spikey.experiments.registry import registry

        for name, entry in sorted(registry().items()):
            status = _status(str(entry.entry_point).split(":")[0]) if isinstance(entry.entry_point, str) else ""
            print(f"{name:<15} {entry.description or entry.entry_point}" + (f"  ({status})" if status else ""))
        return 0
    if args.command == "report":
        return _report_command(args.path, args.out)
    if args.command == "cache":
        return _cache_command(args.action)
    flag_opts = {k: getattr(args, k, None) for k in _OPTION_FLAGS if getattr(args, k, None) is not None}
    entry = _registry_entry(args.experiment)
    if getattr(args, "show_config", False):
        return _show_config(args.experiment)
    if entry is not None:
        return _run_registered(args, flag_opts)
    if flag_opts or getattr(args, "resume", False):
        opts = ", ".join("--" + k.replace("_", "-") for k in flag_opts) or "--resume"
        print(f"spikey: error: {opts} only apply to diehl-cook (and registry experiments declaring them).",
              file=sys.stderr)
        return 2
    try:
        results, path, name = run_experiment(
            args.experiment,
            seed=args.seed,
            episodes=args.episodes,
            out=args.out,
            quiet=args.quiet,
            sets=parse_set(args.sets),
            tensorboard=args.tensorboard,
        )
    except (SpikeyError, FileNotFoundError) as e:
        print(f"spikey: error: {e}", file=sys.stderr)
        return 2
    report = _write_report(path) if getattr(args, "report", False) else None
    if not args.quiet:
        _print_table(f"spikey run {name}", summary_rows(results, _read_quietly(path)))
        status = _status(_builtin_experiments().get(args.experiment, ""))
        if status:
            print(f"note: {args.experiment} {status}")
        print(f"log: {path}")
        if report is not None:
            print(f"report: {report}")
        else:
            print(f"(for figures: spikey report {path})")
    else:
        print(path)
        if report:
            print(report)
    return 0 if report != "" else 1


def _status(module_name: str) -> str:
    """A built-in experiment's ``STATUS`` (e.g. that it does not learn yet), read without importing it."""
    if not module_name.startswith("spikey.experiments."):
        return ""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        return ""
    import ast

    with open(spec.origin, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "STATUS" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return ""
            return value if isinstance(value, str) else ""
    return ""


def _show_config(name: str) -> int:
    """``spikey run NAME --show-config``: the experiment's options, defaults and meanings."""
    from spikey.experiments.registry import show_config

    try:
        rows = show_config(name)
    except SpikeyError as e:
        print(f"spikey: error: {e}", file=sys.stderr)
        return 2
    width = max((len(r[0]) for r in rows), default=0)
    dwidth = max((len(r[1]) for r in rows), default=0)
    print(f"spikey run {name}: options (--set NAME=VALUE)")
    for key, default, what in rows:
        print(f"  {key:<{width}}  {default:<{dwidth}}  {what}")
    return 0


def _run_registered(args: argparse.Namespace, flag_opts: dict[str, Any]) -> int:
    """``spikey run NAME`` for a registry :class:`~spikey.experiments.registry.Experiment`."""
    from spikey.experiments.registry import make

    name = args.experiment
    if args.episodes is not None:
        print(f"spikey: error: {name} takes no --episodes; see spikey run {name} --show-config and use --set.",
              file=sys.stderr)
        return 2
    report = bool(getattr(args, "report", False))
    try:
        options = {**parse_set(args.sets), **flag_opts}
        experiment = make(name, **options)
        extra = {}
        if args.tensorboard:
            if "tensorboard" not in inspect.signature(experiment.train).parameters:
                print(f"spikey: error: {name} takes no --tensorboard.", file=sys.stderr)
                return 2
            extra["tensorboard"] = args.tensorboard
        results = experiment.run(
            seed=0 if args.seed is None else args.seed,
            out=args.out,
            progress=False if args.quiet else None,
            resume=getattr(args, "resume", False),
            report=report,
            **extra,
        )
    except (SpikeyError, FileNotFoundError) as e:
        print(f"spikey: error: {e}", file=sys.stderr)
        return 2
    if args.quiet:
        print(results.get("summary_path") or (results.get("paths") or {}).get("log", ""))
        if results.get("report_path"):
            print(results["report_path"])
        return 0
    _print_table(f"spikey run {name}", experiment.summary_rows(results))
    if results.get("summary_path"):
        print(f"summary: {results['summary_path']}")
    if results.get("report_path"):
        print(f"report: {results['report_path']}")
    elif report:
        print(f"({name} writes no HTML report)")
    return 0


def _read_quietly(path: str) -> dict[str, Any] | None:
    """The log just written, for the summary (None if it cannot be read)."""
    from spikey.logging.reader import read_log

    try:
        return read_log(path)
    except SpikeyError:
        return None


def _write_report(path: str) -> str:
    """Write the report of ``path``; return its path ("" after printing the error)."""
    from spikey.viz.report import write_report

    try:
        return write_report(path)
    except SpikeyError as e:
        print(f"spikey: error: {e}", file=sys.stderr)
        return ""


def _report_command(path: str, out: str | None) -> int:
    """``spikey report PATH``: exit 0 with the page's path printed, 2 when there is nothing to report."""
    from spikey.viz.report import write_report

    try:
        page = write_report(path, out)
    except SpikeyError as e:
        print(f"spikey: error: {e}", file=sys.stderr)
        return 2
    print(page)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
