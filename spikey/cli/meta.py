"""``spikey series`` and ``spikey population``: run a Series or a Population from a file.

A *series file* is a Python file (or module path) defining ``network_template``,
``game_template``, ``training_params`` and ``spec`` (the Series spec; missing: one
configuration), and optionally ``training_loop``, ``callback``, ``n_repeats``,
``product``, ``seed`` and ``backend``::

    spikey series my_series.py --backend ray --out log/lr
    spikey series --resume log/lr              # after a crash: finish the missing jobs

A *population file* defines either ``metagame`` (a MetaRL instance, e.g.
``MetaNQueens()``) or ``network_template``, ``game_template``, ``training_params`` and
``GENOTYPE_CONSTRAINTS`` (then scored by :class:`~spikey.meta.EvolveNetwork` with the
file's optional ``fitness_getter``, ``n_reruns``, ``win_fitness``, ``training_loop``,
``callback``), plus ``population_params`` (``n_agents``, ``n_epoch``, ...) and
optionally ``seed`` and ``backend``::

    spikey population my_search.py --epochs 10 --out log/search
    spikey population --resume log/search

While a run (or resume) writes its output folder it holds the folder's lock: a second
``spikey series --resume DIR`` on the same folder is refused ("in use by PID n"). Ctrl-C
stops a run with one line, ``interrupted after 4/12 jobs; resume with `spikey series
--resume DIR```, and exit status 130; the checkpoint holds every finished job.

``--resume DIR`` runs the file the checkpoint names (the path is shown first). The
file's SHA-256 is stored when the run starts; a file changed since is refused unless
given explicitly with ``--source FILE`` (the code in it is what runs).

Exit status: 0 when every job succeeded, 1 when some failed (recorded in the output
folder) or the output folder could not be written (e.g. a full disk: the checkpoint
stays valid and the message gives the resume command), 2 for a bad file or
configuration, 130 after Ctrl-C.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import os
import sys
import types
from typing import Any

from spikey.core.loggers import PopulationWriter, TensorBoardLogger, with_tensorboard
from spikey.errors import ConfigError, SpikeyError

__all__ = ["add_parsers", "run_command", "load_module", "source_digest"]


class _Interrupted(Exception):
    """Ctrl-C during a run; the message is the one line to print."""


def source_digest(spec: str) -> str | None:
    """SHA-256 of a series or population file (a ``.py`` path, or a module's file); None if unknown."""
    path = spec
    if not spec.lower().endswith(".py"):
        try:
            found = importlib.util.find_spec(spec)
        except (ImportError, ValueError):
            return None
        path = getattr(found, "origin", None) or ""
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


def load_module(spec: str, command: str, code: bytes | None = None) -> types.ModuleType:
    """Load a ``.py`` file or import a module path (user code: it is executed).

    Parameters
    ----------
    spec : str
        A ``.py`` path or a module path.
    command : str
        The command, for messages.
    code : bytes, optional
        The file's content as already read (and checked): exactly these bytes run.
    """
    from spikey.cli import _load_py

    if spec.lower().endswith(".py"):
        if not os.path.isfile(spec):
            raise ConfigError(f"spikey {command}: no such file {spec!r}.")
        return _load_py(spec) if code is None else _exec_py(spec, code)
    try:
        return importlib.import_module(spec)
    except ModuleNotFoundError as e:
        if e.name and spec.startswith(e.name):
            raise ConfigError(f"spikey {command}: no file or module {spec!r}.") from None
        raise


def _exec_py(path: str, code: bytes) -> types.ModuleType:
    """The module of the ``.py`` file at ``path`` run from ``code`` (its bytes, read once)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    name = "spikey_experiment_" + "".join(c if c.isalnum() else "_" for c in stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise ConfigError(f"spikey: cannot load {path!r} as a Python module.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so classes defined there can be found again (copy, pickle)
    try:
        exec(compile(code, path, "exec"), module.__dict__)  # noqa: S102 - the user's own series file
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _load_source(args: argparse.Namespace) -> tuple[types.ModuleType, str, str | None, bool, str | None]:
    """(module, file, folder, resume, SHA-256 of the code run) from the arguments.

    A ``.py`` file is read once: its hash is checked (on a resume, against the
    checkpoint's) and exactly those bytes run.
    """
    source, folder, resume, expected = _files(args)
    code = None
    if source.lower().endswith(".py") and os.path.isfile(source):
        with open(source, "rb") as f:
            code = f.read()
    digest = hashlib.sha256(code).hexdigest() if code is not None else source_digest(source)
    if expected is not None and digest != expected:
        if digest is None:
            raise ConfigError(
                f"spikey {args.command} --resume: {source}, the file the run in {folder} started from, is gone."
            )
        raise ConfigError(
            f"spikey {args.command} --resume: {source} has changed since the run in {folder} started (sha256 "
            f"{expected[:12]}... then, {digest[:12]}... now), and resuming runs its code. Check it, then pass "
            f"it explicitly: spikey {args.command} --resume {folder} --source {source}"
        )
    return load_module(source, args.command, code), source, folder, resume, digest


def _backend(args: argparse.Namespace, default: Any) -> Any:
    """The backend from the options, else the file's ``backend``, else single."""
    from spikey.meta.backends import RayBackend, get_backend

    owner = f"spikey {args.command}"
    if args.address or args.cpus or args.backend == "ray" or (args.backend is None and default == "ray"):
        return RayBackend(address=args.address, num_cpus=args.cpus, verbose=not getattr(args, "quiet", False))
    return get_backend(args.backend or default or "single", owner=owner)


def _source_from(folder: str, command: str) -> tuple[str, str | None]:
    """(the file the checkpoint's run started from, its SHA-256 then, if stored)."""
    from spikey.logging.serialize import decode
    from spikey.meta.checkpoint import Checkpoint

    if not Checkpoint.exists(folder):
        raise ConfigError(f"spikey {command} --resume: no checkpoint in {folder!r}.")
    meta = decode(Checkpoint.read_header(folder).get("metadata") or {})
    source = meta.get("source") if isinstance(meta, dict) else None
    if not isinstance(source, str) or not source:
        raise ConfigError(
            f"spikey {command} --resume: the checkpoint in {folder} does not name its file; give it: "
            f"spikey {command} --resume {folder} --source FILE."
        )
    stored = meta.get("source_sha256")
    print(f"spikey {command} --resume {folder}: running {source} (named by the checkpoint)", file=sys.stderr)
    return source, stored if isinstance(stored, str) else None


def _stored_settings(folder: str | None) -> dict:
    """Header entries of a checkpoint to resume (empty if there is none)."""
    from spikey.meta.checkpoint import Checkpoint

    if folder is None or not Checkpoint.exists(folder):
        return {}
    header = Checkpoint.read_header(folder)
    return {k: header[k] for k in ("n_repeats", "product", "seed") if k in header}


def _files(args: argparse.Namespace) -> tuple[str, str | None, bool, str | None]:
    """(file, folder, resume, the SHA-256 the file must have) from the arguments."""
    if args.resume:
        from spikey.meta.checkpoint import Checkpoint

        if Checkpoint.exists(args.resume):
            tool = Checkpoint.read_header(args.resume).get("tool")
            if tool != args.command.capitalize():
                raise ConfigError(
                    f"spikey {args.command} --resume: {args.resume} holds a {tool} run; use "
                    f"spikey {str(tool).lower()} --resume {args.resume}."
                )
        given = getattr(args, "source", None)
        if given and args.file and _source_path(given) != _source_path(args.file):
            raise ConfigError(f"spikey {args.command}: give the file once (FILE or --source FILE), not both.")
        source = given or args.file
        if source:
            print(
                f"spikey {args.command} --resume {args.resume}: running {_source_path(source)}",
                file=sys.stderr,
            )
            return source, args.resume, True, None
        source, expected = _source_from(args.resume, args.command)
        return source, args.resume, True, expected
    if not args.file:
        raise ConfigError(f"spikey {args.command}: give a FILE (or --resume DIR).")
    return args.file, args.out, False, None


def _source_path(path: str) -> str:
    return os.path.abspath(path) if path.lower().endswith(".py") else path


def _metadata(source: str, digest: str | None) -> dict:
    """What the checkpoint header keeps about the file: its path and SHA-256."""
    return {"source": _source_path(source), "source_sha256": digest}


def _print_series(df: Any, attrs: list[str]) -> None:
    import pandas as pd

    metric = next((m for m in ("accuracy", "mean_accuracy", "mean_reward") if m in df.columns), None)
    ok = df[df["status"] == "ok"]
    if metric is None or ok.empty:
        print(df[["job", *attrs, "status"]].to_string(index=False))
        return
    keys = [a for a in attrs if a in ok.columns]
    if keys:
        table = ok.groupby(keys, dropna=False)[metric].agg(["mean", "std", "count"])
        table = table.sort_values("mean", ascending=False)
        n = len(table)
        table = table.head(5)
        what = f"best configurations by mean {metric} over repeats" + (f" (5 of {n})" if n > 5 else "")
    else:
        table = pd.DataFrame({"mean": [ok[metric].mean()], "std": [ok[metric].std()], "count": [len(ok)]})
        what = f"{metric} over repeats"
    table = table.rename(columns={"count": "runs"})
    print(f"{what}:")
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))


def run_series(args: argparse.Namespace) -> int:
    """``spikey series``: returns the exit status."""
    from spikey.meta import Series

    module, source, folder, resume, digest = _load_source(args)
    missing = [n for n in ("network_template", "game_template", "training_params") if not hasattr(module, n)]
    if missing:
        raise ConfigError(
            f"spikey series: {source} does not define {', '.join(missing)}; a series file defines "
            "network_template, game_template, training_params and spec."
        )
    stored = _stored_settings(folder) if resume else {}
    n_repeats = (
        args.repeats if args.repeats is not None else stored.get("n_repeats", getattr(module, "n_repeats", 1))
    )
    kwargs: dict[str, Any] = {
        "training_params": dict(module.training_params),
        "n_repeats": n_repeats,
        "product": args.product or bool(stored.get("product", getattr(module, "product", False))),
        "seed": args.seed if args.seed is not None else getattr(module, "seed", None),
        "backend": _backend(args, getattr(module, "backend", None)),
        "folder": folder,
        "resume": resume,
        "progress": False if args.quiet else None,
        "metadata": _metadata(source, digest),
    }
    from spikey.core import GenericLoop

    series = Series(
        module.network_template,
        module.game_template,
        getattr(module, "training_loop", GenericLoop),
        getattr(module, "spec", None),
        getattr(module, "callback", None),
        **kwargs,
    )
    if getattr(args, "tensorboard", None):  # one TensorBoard run per job, named by its varied values
        name = "-".join([*(f"{a}={{{a}}}" for a in series.attrs if a != "seed"), "seed={seed}"])
        series.callback = with_tensorboard(series.callback, args.tensorboard, name)
    try:
        df = series.run()
    except KeyboardInterrupt:
        raise _Interrupted(
            f"interrupted after {series.jobs_done}/{series.jobs_total} jobs; resume with "
            f"`spikey series --resume {series.folder}`"
        ) from None
    n_bad = int((df["status"] != "ok").sum())
    report = _report(series.folder, args)
    if not args.quiet:
        _print_series(df, series.attrs)
        if n_bad:
            print(f"{n_bad} of {len(df)} jobs did not finish (see {series.folder}/checkpoint.jsonl)")
        print(f"logs: {series.folder}")
        if report:
            print(f"report: {report}")
    else:
        print(series.folder)
    return 1 if n_bad or report == "" else 0


def run_population(args: argparse.Namespace) -> int:
    """``spikey population``: returns the exit status."""
    from spikey.meta import EvolveNetwork, MetaRL, Population

    module, source, folder, resume, digest = _load_source(args)
    metagame = getattr(module, "metagame", None)
    if metagame is None:
        missing = [
            n
            for n in ("network_template", "game_template", "training_params", "GENOTYPE_CONSTRAINTS")
            if not hasattr(module, n)
        ]
        if missing:
            raise ConfigError(
                f"spikey population: {source} does not define {', '.join(missing)}; a population file "
                "defines metagame, or network_template, game_template, training_params and "
                "GENOTYPE_CONSTRAINTS."
            )
        from spikey.core import GenericLoop

        metagame = EvolveNetwork(
            training_loop=getattr(module, "training_loop", GenericLoop),
            network_template=module.network_template,
            game_template=module.game_template,
            training_params=dict(module.training_params),
            callback=getattr(module, "callback", None),
            genotype_constraints=dict(module.GENOTYPE_CONSTRAINTS),
            **{
                k: getattr(module, k)
                for k in ("fitness_getter", "n_reruns", "win_fitness")
                if hasattr(module, k)
            },
        )
    elif not isinstance(metagame, MetaRL) and not callable(getattr(metagame, "get_fitness", None)):
        raise ConfigError(f"spikey population: {source}.metagame: expected a MetaRL game; got {metagame!r}.")
    params = dict(getattr(module, "population_params", {}) or {})
    if resume:
        from spikey.logging.serialize import decode
        from spikey.meta.checkpoint import Checkpoint

        if Checkpoint.exists(folder):  # the run's own settings, unless given again here
            params.update(decode(Checkpoint.read_header(folder).get("config") or {}))
    if args.epochs is not None:
        params["n_epoch"] = args.epochs
    if args.agents is not None:
        params["n_agents"] = args.agents
    writer = PopulationWriter(TensorBoardLogger(args.tensorboard)) if getattr(args, "tensorboard", None) else None
    population = Population(
        metagame,
        _backend(args, getattr(module, "backend", None)),
        seed=args.seed if args.seed is not None else getattr(module, "seed", None),
        folder=folder,
        resume=resume,
        progress=False if args.quiet else None,
        metadata=_metadata(source, digest),
        on_epoch=writer,  # TensorBoard: each epoch as it ends
        **params,
    )
    try:
        population.run()
    except KeyboardInterrupt:
        raise _Interrupted(
            f"interrupted after {len(population.history)}/{population._n_epoch} epochs; resume with "
            f"`spikey population --resume {population.folder}`"
        ) from None
    finally:
        if writer is not None:
            writer.close()
    table = population.fitness_per_epoch()
    n_failed = sum(1 for r in population.records if r.get("status") != "ok")
    report = _report(population.folder, args)
    if not args.quiet:
        print("fitness per epoch:")
        print(table.to_string(index=False))
        agents = population.to_dataframe()
        if not agents.empty:
            genes = [c for c in agents.columns if c not in ("epoch", "agent", "fitness", "repeated")]
            best = agents.sort_values("fitness", ascending=False).drop_duplicates(genes).head(5)
            print("best genotypes:")
            print(
                best[[*genes, "fitness", "epoch"]].to_string(index=False, float_format=lambda v: f"{v:.4g}")
            )
        if population.best is not None:
            genotype, fitness = population.best
            print(f"best: {genotype} (fitness {fitness:.4g})")
        if n_failed:
            print(f"{n_failed} evaluations failed (see {population.folder}/checkpoint.jsonl)")
        print(f"logs: {population.folder}")
        if report:
            print(f"report: {report}")
    else:
        print(population.folder)
    return 1 if n_failed or report == "" else 0


def _report(folder: str | None, args: argparse.Namespace) -> str | None:
    """With ``--report``: write the folder's HTML report (its path; "" after an error)."""
    if not getattr(args, "report", False) or folder is None:
        return None
    from spikey.viz.report import write_report

    try:
        return write_report(folder)
    except SpikeyError as e:
        print(f"spikey: error: {e}", file=sys.stderr)
        return ""


def add_parsers(sub: Any) -> None:
    """Add the ``series`` and ``population`` subcommands to the ``spikey`` parser."""
    for name, what in (("series", "a Series"), ("population", "a Population (genetic algorithm)")):
        p = sub.add_parser(
            name,
            help=f"run {what} from a file; resumable",
            description=f"Run {what} defined in a Python file or module; see spikey.cli.meta.",
        )
        p.add_argument("file", nargs="?", metavar="FILE", help="a .py file or module path")
        p.add_argument(
            "--resume",
            metavar="DIR",
            help="continue the run in DIR with the file it started from (refused if that file changed)",
        )
        p.add_argument(
            "--source",
            metavar="FILE",
            help="with --resume: run FILE (e.g. the changed file, after checking it)",
        )
        p.add_argument("--out", metavar="DIR", help="output folder (default: log/<kind>-<date>-<id>)")
        p.add_argument(
            "--backend", choices=["single", "ray"], help="where jobs run (default: the file's or single)"
        )
        p.add_argument("--address", help="Ray cluster to join (host:port); implies --backend ray")
        p.add_argument("--cpus", type=int, help="CPUs of a local Ray runtime; implies --backend ray")
        p.add_argument("--seed", type=int, help="seed (default: the file's, else drawn and logged)")
        p.add_argument("--quiet", action="store_true", help="no progress bar and no table; print the folder")
        p.add_argument(
            "--report", action="store_true", help="write an HTML report into the folder at the end"
        )
        if name == "series":
            p.add_argument(
                "--repeats", type=int, help="runs per configuration (default: the file's n_repeats or 1)"
            )
            p.add_argument("--product", action="store_true", help="cross the spec's entries (a grid)")
        else:
            p.add_argument("--epochs", type=int, help="number of epochs (overrides population_params)")
            p.add_argument("--agents", type=int, help="agents per epoch (overrides population_params)")


def run_command(args: argparse.Namespace) -> int:
    """Run ``spikey series`` or ``spikey population``; errors become exit status 2."""
    from spikey.meta.checkpoint import OutputError

    try:
        if args.command == "series":
            return run_series(args)
        return run_population(args)
    except _Interrupted as e:
        print(str(e), file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print(f"interrupted before any job ran (spikey {args.command})", file=sys.stderr)
        return 130
    except OutputError as e:
        print(f"spikey: error: {e}", file=sys.stderr)
        return 1
    except (SpikeyError, FileNotFoundError) as e:
        print(f"spikey: error: {e}", file=sys.stderr)
        return 2
