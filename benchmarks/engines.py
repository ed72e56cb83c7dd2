"""Reference vs compiled engine, and spikey vs Brian2, in one sitting.

Sections (``--only`` picks some, comma-separated):

``xor``         Florian (2007) rate XOR (``spikey.experiments.florian_rate``): microseconds
                per network step (tick + per-step reward), learning on and off, per engine.
``process``     the whole ``spikey run xor`` process, per engine; for numba with an empty
                compile cache (first run) and with the cache filled (warm).
``izhikevich``  Izhikevich (2003) net.m network, 1000 neurons all-to-all: ms per
                simulated second over 1 s and 10 s, per engine.
``coba``        COBA (``spikey.experiments.coba``): ms per simulated second, per engine.
``brian2``      the same Izhikevich and COBA models in Brian2 (``benchmarks/brian2_models.py``,
                run in the venv of ``benchmarks/brian2_env.sh``): cython target with an empty
                and a warm cache, C++ standalone; loop time and whole process, with ours
                (whole process: compile or cache load included) side by side.
``scaling``     100 -> 10,000 neurons at a fixed fan-in of about 100 synapses: ns per
                synaptic event on the compiled engine.
``population``  a README-sized Population run (10 agents, 6 epochs, XOR), per engine.

Every figure is printed with the machine's load average at the time. Usage::

    python benchmarks/engines.py                       # all sections (~10-20 minutes)
    python benchmarks/engines.py --only xor,process
    python benchmarks/engines.py --brian2-venv ~/.cache/spikey/brian2-venv
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

ROWS: list[tuple[str, str, str]] = []


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def row(what: str, figure: str, note: str = "") -> None:
    ROWS.append((what, figure, note))
    print(f"  {what:<58} {figure:>14}  {note}  [{load()}]", flush=True)


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# --------------------------------------------------------------------------- a) xor
def bench_xor(quick: bool) -> dict:
    from spikey.experiments import florian_rate as fr

    patterns = [(0, 0), (0, 1), (1, 0), (1, 1)]
    out = {}
    n_ticks = 10 if quick else 40
    for learning in (True, False):
        for engine in ("reference", "numba"):
            net = fr.network_template(seed=0, engine=engine)
            if not learning:
                net.eval()
            net.reset()
            for k in range(3):  # warm-up (compile or cache load)
                s = patterns[k % 4]
                net.reward(s, net.tick(s))

            def ticks(net=net):
                for k in range(n_ticks):
                    s = patterns[k % 4]
                    net.reward(s, net.tick(s))

            us = median_time(ticks, 3) / (n_ticks * fr.PROCESSING_TIME) * 1e6
            out[(learning, engine)] = us
            row(f"XOR µs/step, learning {'on' if learning else 'off'}, {engine}", f"{us:.2f} µs")
        ratio = out[(learning, "reference")] / out[(learning, "numba")]
        row(
            f"XOR speed-up numba / reference, learning {'on' if learning else 'off'}",
            f"{ratio:.1f}x",
            "target <= 5 µs",
        )
    return out


def bench_process(quick: bool) -> dict:
    out = {}
    # a new, empty cache folder: the first numba run compiles everything into it, the
    # second loads it (the reference run compiles nothing)
    cache = tempfile.mkdtemp(prefix="spikey-cache-")
    for label, engine in (
        ("reference", "reference"),
        ("numba, empty cache (first run)", "numba"),
        ("numba, warm cache", "numba"),
    ):
        env = dict(
            os.environ,
            SPIKEY_ENGINE=engine,
            SPIKEY_CACHE_DIR=cache,
            NUMBA_CACHE_DIR=os.path.join(cache, "numba"),
        )
        logdir = tempfile.mkdtemp(prefix="spikey-log-")
        cmd = [sys.executable, "-m", "spikey", "run", "xor", "--seed", "0", "--out", logdir]
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True, cwd=ROOT)
        out[label] = time.perf_counter() - t0
        row(
            f"`spikey run xor` whole process, {label}",
            f"{out[label]:.2f} s",
            "target warm <= 5 s" if "warm" in label else "",
        )
    return out


# --------------------------------------------------------------------------- b) izhikevich
def bench_izhikevich(quick: bool) -> dict:
    import izhikevich_network as iz

    out = {}
    for engine in ("reference", "numba"):
        os.environ["SPIKEY_ENGINE"] = engine
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                net = iz.network(0)
        finally:
            os.environ.pop("SPIKEY_ENGINE", None)
        ran = net.engine.name
        net.reset()
        net.tick(None)  # warm-up second (compile or cache load)
        for seconds in (1, 10) if not quick else (1,):
            each = []
            spikes = 0
            for _ in range(seconds):
                t0 = time.perf_counter()
                net.tick(None)
                each.append(time.perf_counter() - t0)
                spikes += int(net.spike_log.sum())
            ms = sum(each) / seconds * 1000
            out[(engine, seconds)] = ms
            rate = spikes / 1000 / seconds
            best = f"; fastest second {min(each) * 1000:.1f}" if seconds > 1 else ""
            row(
                f"Izhikevich 2003, {seconds} s, engine {engine} (ran: {ran})",
                f"{ms:.1f} ms/s",
                f"rate {rate:.1f} Hz{best}; target <= 10",
            )
    return out


# --------------------------------------------------------------------------- c) coba
def bench_coba(quick: bool) -> dict:
    from spikey.experiments import coba

    out = {}
    steps = 2000 if quick else 10_000
    for engine in ("reference", "numba"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = coba.network(seed=0, processing_time=steps, engine=engine)
        ran = net.engine.name
        net.reset()
        warm = coba.network(seed=0, processing_time=10, engine=engine)
        warm.reset()
        warm.tick(None)  # compile / load outside the timing
        t0 = time.perf_counter()
        net.tick(None)
        ms = (time.perf_counter() - t0) * 1000 * (10_000 / steps)
        rate = coba.mean_rate(net)
        # the next seconds (the first one starts from cold caches and initial potentials)
        later = []
        for _ in range(1 if engine == "reference" else 5):
            t0 = time.perf_counter()
            net.tick(None)
            later.append((time.perf_counter() - t0) * 1000 * (10_000 / steps))
        out[engine] = ms
        out[engine + " later"] = float(np.median(later))
        row(
            f"COBA 4000 neurons, engine {engine} (ran: {ran})",
            f"{ms:.0f} ms/s",
            f"first second; rate {rate:.1f} Hz; target <= 50",
        )
        row(
            f"COBA 4000 neurons, engine {engine}, later seconds",
            f"{out[engine + ' later']:.0f} ms/s",
            f"median of {len(later)}, fastest {min(later):.0f}; rate {coba.mean_rate(net):.1f} Hz",
        )
    return out


# --------------------------------------------------------------------------- d) brian2
OURS_PROCESS = {
    "izhikevich": "import sys; sys.path.insert(0, {here!r}); import izhikevich_network as iz; "
    "n = iz.network(0); n.reset(); n.tick(None); print(int(n.spike_log.sum()))",
    "coba": "from spikey.experiments import coba; n = coba.network(seed=0); n.reset(); n.tick(None); "
    "print(round(coba.mean_rate(n), 2))",
}


def bench_brian2(venv: str | None, quick: bool) -> dict:
    py = (
        Path(venv or os.environ.get("BRIAN2_VENV", Path.home() / ".cache/spikey/brian2-venv"))
        / "bin"
        / "python"
    )
    if not py.exists():
        row("Brian2", "skipped", f"no venv at {py.parent.parent}: run benchmarks/brian2_env.sh")
        return {}
    out = {}
    for model in ("izhikevich", "coba"):
        cython_cache = tempfile.mkdtemp(prefix="b2-cython-")
        for label, target, folder in (
            ("cython, empty cache", "cython", cython_cache),
            ("cython, warm cache", "cython", cython_cache),
            ("C++ standalone", "cpp_standalone", tempfile.mkdtemp(prefix="b2-cpp-")),
        ):
            t0 = time.perf_counter()
            res = subprocess.run(
                [str(py), str(HERE / "brian2_models.py"), model, target, "1.0", folder],
                capture_output=True,
                text=True,
            )
            wall = time.perf_counter() - t0
            if res.returncode:
                row(f"Brian2 {model} {label}", "failed", res.stderr.strip().splitlines()[-1][:80])
                continue
            info = json.loads(res.stdout.strip().splitlines()[-1])
            out[(model, label)] = (info["loop_s"], wall)
            row(
                f"Brian2 {model} {label}: loop",
                f"{info['loop_s'] * 1000:.0f} ms/s",
                f"rate {info['rate_hz']:.1f} Hz",
            )
            row(f"Brian2 {model} {label}: whole process", f"{wall:.1f} s")
        for label, fresh in (("empty cache", True), ("warm cache", False)):
            cache = (
                tempfile.mkdtemp(prefix="spikey-cold-")
                if fresh
                else str(Path(tempfile.gettempdir()) / "spikey-bench-warm")
            )
            env = dict(os.environ, SPIKEY_CACHE_DIR=cache, NUMBA_CACHE_DIR=os.path.join(cache, "numba"))
            code = OURS_PROCESS[model].format(here=str(HERE))
            if not fresh:  # fill the cache first
                subprocess.run(
                    [sys.executable, "-c", code], env=env, check=True, capture_output=True, cwd=ROOT
                )
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, cwd=ROOT)
            wall = time.perf_counter() - t0
            out[(model, "spikey " + label)] = wall
            row(f"spikey {model} 1 s whole process, numba {label}", f"{wall:.1f} s")
    return out


# --------------------------------------------------------------------------- e) scaling
def scaling_network(n: int, fan_in: int = 100, steps: int = 1000):
    import spikey

    keys = dict(
        n_inputs=0,
        n_neurons=n,
        n_outputs=0,
        processing_time=steps,
        magnitude=1.0,
        firing_threshold=1.0,
        potential_decay=0.1,
        refractory_period=2,
        prob_rand_fire=0.01,
        density=min(1.0, fan_in / n),
        max_weight=0.01,
        action_threshold=0.0,
        neuron_pct_inhibitory=0.2,
    )
    from spikey.snn.populations import Silent

    return spikey.network.Network(
        inputs=Silent,
        neurons=spikey.neuron.Neuron,
        weights=spikey.weight.Random,
        synapses=spikey.synapse.Synapse,
        readout=spikey.readout.Threshold,
        seed=0,
        engine="numba",
        **keys,
    )


def bench_scaling(quick: bool) -> dict:
    out = {}
    sizes = (100, 300, 1000, 3000) if quick else (100, 300, 1000, 3000, 10_000)
    for n in sizes:
        try:
            net = scaling_network(n)
        except MemoryError:
            row(f"scaling n={n}", "skipped", "memory")
            continue
        net.reset()
        net.tick(None)
        t0 = time.perf_counter()
        net.tick(None)
        dt = time.perf_counter() - t0
        events = (
            float(net.spike_log.sum()) * net.weights.mask.sum() / n if hasattr(net.weights, "mask") else 0
        )
        ns = dt / max(events, 1) * 1e9
        out[n] = ns
        row(
            f"scaling n={n}, fan-in ~100, {events / 1e6:.2f}M events",
            f"{ns:.1f} ns/event",
            f"{dt * 1e3:.0f} ms per 1000 steps",
        )
    return out


# --------------------------------------------------------------------------- f) population
def bench_population(quick: bool) -> dict:
    import spikey
    from spikey.meta import EvolveNetwork, Population

    def xor(state):
        return int(sum(state) % 2)

    class network_template(spikey.RLNetwork):
        parts = {
            "inputs": spikey.input.RateMap,
            "neurons": spikey.neuron.Neuron,
            "weights": spikey.weight.Random,
            "synapses": spikey.synapse.MSTDPET,
            "readout": spikey.readout.Threshold,
            "rewarder": spikey.reward.MatchExpected,
        }
        keys = {
            "n_inputs": 60,
            "n_neurons": 61,
            "n_outputs": 1,
            "processing_time": 500,
            "magnitude": 1.0,
            "firing_threshold": 16.0,
            "potential_decay": 0.05,
            "refractory_period": 1,
            "state_rate_map": [0.0, 0.04],
            "learning_rate": 0.1,
            "action_threshold": 0.02,
            "expected_value": xor,
            "max_weight": 5.0,
        }

    class game_template(spikey.games.Logic):
        config = spikey.games.Logic.PRESETS["XOR"]

    out = {}
    for engine in ("reference", "numba"):
        os.environ["SPIKEY_ENGINE"] = engine
        try:
            metagame = EvolveNetwork(
                training_loop=spikey.core.GenericLoop,
                network_template=network_template,
                game_template=game_template,
                training_params={"n_episodes": 2 if quick else 5, "len_episode": 8},
                genotype_constraints={"learning_rate": (0.0, 0.5), "firing_threshold": [8.0, 16.0, 24.0]},
                fitness_getter="mean_accuracy",
            )
            population = Population(
                metagame, "single", n_agents=10, n_epoch=6, seed=0, logging=False, progress=False
            )
            t0 = time.perf_counter()
            while not population.terminated:
                population.update(population.evaluate())
            out[engine] = time.perf_counter() - t0
        finally:
            os.environ.pop("SPIKEY_ENGINE", None)
        row(f"Population 10 agents x 6 epochs, XOR 60/61/1, engine {engine}", f"{out[engine]:.1f} s")
    row("Population speed-up numba / reference", f"{out['reference'] / out['numba']:.1f}x")
    return out


SECTIONS = {
    "xor": bench_xor,
    "process": bench_process,
    "izhikevich": bench_izhikevich,
    "coba": bench_coba,
    "scaling": bench_scaling,
    "population": bench_population,
}


def main(argv: list[str] | None = None) -> list[tuple[str, str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="xor,process,izhikevich,coba,brian2,scaling,population")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and shorter runs")
    parser.add_argument("--brian2-venv", default=None, help="venv with Brian2 (benchmarks/brian2_env.sh)")
    args = parser.parse_args(argv)
    import numba

    print(
        f"spikey engines benchmark: python {sys.version.split()[0]}, numpy {np.__version__}, numba {numba.__version__}, "
        f"{os.cpu_count()} CPUs, {load()}"
    )
    for name in args.only.split(","):
        name = name.strip()
        print(f"\n[{name}]", flush=True)
        if name == "brian2":
            bench_brian2(args.brian2_venv, args.quick)
        else:
            SECTIONS[name](args.quick)
    print("\n| what | figure | note |\n| --- | --- | --- |")
    for what, fig, note in ROWS:
        print(f"| {what} | {fig} | {note} |")
    return ROWS


if __name__ == "__main__":
    main()
