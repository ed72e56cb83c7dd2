"""The Izhikevich (2003) and COBA networks in Brian2, for ``benchmarks/engines.py``.

Runs in a separate virtual environment that has Brian2 (made by
``benchmarks/brian2_env.sh``; spikey does not depend on Brian2). Written from the papers
(Izhikevich 2003, net.m; Brette et al. 2007 benchmark 1 in the variant of
``spikey.experiments.coba``), in Brian2's equation language. Prints one JSON line:
``{"model", "target", "seconds", "loop_s", "spikes", "rate_hz"}`` where ``loop_s`` is the
time of the simulation loop alone (``device._last_run_time`` for C++ standalone, the
timed ``run()`` after a 1-step warm-up run that compiles the code for cython).

Usage::

    python brian2_models.py izhikevich cython 1.0 CACHE_DIR
    python brian2_models.py coba cpp_standalone 1.0 BUILD_DIR
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np


def izhikevich(b2, seconds: float) -> tuple:
    """net.m: 800 excitatory + 200 inhibitory Izhikevich neurons, all-to-all, 1 ms steps."""
    ms = b2.ms
    ne, ni = 800, 200
    rng = np.random.default_rng(0)
    re, ri = rng.random(ne), rng.random(ni)
    eqs = """
    dv/dt = (0.04*v**2 + 5*v + 140 - u + I) / ms : 1
    du/dt = a*(b*v - u) / ms : 1
    I : 1
    a : 1
    b : 1
    c : 1
    d : 1
    sigma : 1
    """
    g = b2.NeuronGroup(ne + ni, eqs, threshold="v >= 30", reset="v = c; u += d", method="euler", dt=0.5 * ms)
    g.a = np.r_[np.full(ne, 0.02), 0.02 + 0.08 * ri]
    g.b = np.r_[np.full(ne, 0.2), 0.25 - 0.05 * ri]
    g.c = np.r_[-65 + 15 * re**2, np.full(ni, -65.0)]
    g.d = np.r_[8 - 6 * re**2, np.full(ni, 2.0)]
    g.sigma = np.r_[np.full(ne, 5.0), np.full(ni, 2.0)]
    g.v = -65.0
    g.u = g.b * -65.0
    # thalamic input, new every ms (held over both half-steps)
    g.run_regularly("I = sigma * randn()", dt=1 * ms)
    w = np.vstack([0.5 * rng.random((ne, ne + ni)), -rng.random((ni, ne + ni))])
    s = b2.Synapses(g, g, "w : 1", on_pre="v_post += w", dt=0.5 * ms)
    s.connect()
    s.w = w.ravel()  # (pre, post) in row-major order: Brian2's i, j order for connect()
    mon = b2.SpikeMonitor(g)
    return b2.Network(g, s, mon), mon, ne + ni


def coba(b2, seconds: float) -> tuple:
    """COBA: 4000 conductance LIF (80 % excitatory), 2 % connectivity, 20 mV drive, 0.1 ms."""
    ms, mV = b2.ms, b2.mV  # noqa: F841 - mV is read by Brian2 from this frame (the equations)
    n = 4000
    eqs = """
    dv/dt = ((-60*mV - v) + ge*(0*mV - v) + gi*(-80*mV - v) + 20*mV) / (20*ms) : volt (unless refractory)
    dge/dt = -ge / (5*ms) : 1
    dgi/dt = -gi / (10*ms) : 1
    """
    g = b2.NeuronGroup(
        n, eqs, threshold="v > -50*mV", reset="v = -60*mV", refractory=5 * ms, method="euler", dt=0.1 * ms
    )
    g.v = "-60*mV + rand() * 10*mV"
    exc = b2.Synapses(g[:3200], g, on_pre="ge += 0.6", dt=0.1 * ms)
    inh = b2.Synapses(g[3200:], g, on_pre="gi += 6.7", dt=0.1 * ms)
    exc.connect(p=0.02)
    inh.connect(p=0.02)
    mon = b2.SpikeMonitor(g)
    return b2.Network(g, exc, inh, mon), mon, n


def main() -> None:
    model, target, seconds, folder = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    t0 = time.perf_counter()
    import brian2 as b2

    b2.seed(0)
    if target == "cpp_standalone":
        b2.set_device("cpp_standalone", directory=folder, build_on_run=True)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0
    else:
        b2.prefs.codegen.target = target
        if target == "cython":
            b2.prefs.codegen.runtime.cython.cache_dir = folder
    net, mon, n = (izhikevich if model == "izhikevich" else coba)(b2, seconds)
    if target == "cpp_standalone":
        net.run(seconds * b2.second)
        loop = float(b2.device._last_run_time)
    else:
        net.run(0.5 * b2.ms)  # compiles (or loads) the generated code
        start = time.perf_counter()
        net.run(seconds * b2.second)
        loop = time.perf_counter() - start
    spikes = int(mon.num_spikes)
    print(
        json.dumps(
            {
                "model": model,
                "target": target,
                "seconds": seconds,
                "loop_s": loop,
                "inside_process_s": time.perf_counter() - t0,
                "spikes": spikes,
                "rate_hz": spikes / n / seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
