"""COBA: Brette et al. (2007) benchmark 1, conductance-based integrate-and-fire network.

4000 leaky integrate-and-fire neurons (3200 excitatory, 800 inhibitory), each pair
connected with probability 2 %, conductance-based synapses with exponentially decaying
conductances, no external input: the network sustains its own irregular activity from
random initial potentials. It is the standard benchmark of spiking simulators (Brian2,
NEST, NEURON ...), used here to compare engines and tools (``benchmarks/``).

The constants are those of the paper's benchmark 1 (Brette et al. 2007): membrane time
constant 20 ms, rest and reset -60 mV, threshold -50 mV, refractory period 5 ms,
excitatory and inhibitory reversal potentials 0 and -80 mV, conductance time constants
5 and 10 ms, initial potentials uniform in [-60, -50] mV, time step 0.1 ms, with the
choices of the version that simulator comparisons run (Brian2's and GeNN's benchmark
suites), so that figures can be set side by side:

- conductance jumps of 0.6 (excitatory) and 6.7 (inhibitory) in units of the leak
  conductance (6 nS and 67 nS with a 10 nS leak). With ten times smaller jumps
  (0.6 nS, 6.7 nS) the network falls silent after its first 100 ms;
- forward Euler steps for the membrane potential (``integration='euler'`` on
  :class:`~spikey.snn.neuron.LIF`; the conductances decay exactly), as Brian2's COBA
  benchmark integrates it (``method='euler'``); the exact step costs an exponential per
  neuron and step and gives the same rates within a few percent;
- a constant drive of 20 mV (``i_ext=20`` with ``resistance=1``), which keeps it in the
  asynchronous irregular state at about 22 Hz (measured here: 22-24 Hz per 100 ms with
  seed 0). Without a drive, activity dies out at rest.

In spikey's terms: :class:`~spikey.snn.neuron.LIF` in conductance mode (conductances in
units of the leak conductance, so the weights are 0.06 and 0.67), static synapses
(:class:`~spikey.snn.synapse.Synapse`) whose positive input drives ``g_e`` and negative
input ``g_i``, and random weights drawn once from the network's seed. One
:meth:`~spikey.snn.network.Network.tick` is ``processing_time`` steps (default 1 s).

References
----------
R. Brette et al., "Simulation of networks of spiking neurons: a review of tools and
strategies", J. Comput. Neurosci. 23:349-398, 2007.

Examples
--------
>>> from spikey.experiments import coba
>>> net = coba.network(seed=0, n_neurons=400, processing_time=100)  # 10 ms, a small copy
>>> net.reset(); _ = net.tick(None)
>>> net.spike_log.shape
(100, 400)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from spikey.snn import neuron, readout, synapse, weight
from spikey.snn.network import Network
from spikey.snn.populations import Silent
from spikey.snn.registry import key_function
from spikey.snn.weight.random import bernoulli_synapses

__all__ = ["N_NEURONS", "COBANetwork", "network", "coba_weights", "KEYS", "mean_rate"]

N_NEURONS = 4000
#: Fraction of excitatory neurons (3200 of 4000).
EXCITATORY = 0.8
#: Connection probability.
DENSITY = 0.02
#: Weights in units of the leak conductance (10 nS): 0.6 nS and 6.7 nS.
W_EXC, W_INH = 6.0 / 10.0, 67.0 / 10.0
#: Constant drive R I [mV].
DRIVE = 20.0

KEYS: dict[str, Any] = {
    "n_inputs": 0,
    "n_outputs": 0,
    "dt": 0.1,
    "input_mode": "conductance",
    "integration": "euler",
    "tau_m": 20.0,
    "resting_mv": -60.0,
    "v_reset": -60.0,
    "firing_threshold": -50.0,
    "refractory_period": 5.0,
    "e_exc": 0.0,
    "e_inh": -80.0,
    "tau_ge": 5.0,
    "tau_gi": 10.0,
    "i_ext": DRIVE,
    "resistance": 1.0,
    "magnitude": 1.0,
    "max_weight": 10.0,
}


@key_function
def coba_weights(weights: Any) -> sp.csr_array:
    """Weight magnitudes: 0.6 from excitatory, 6.7 from inhibitory neurons, where a
    synapse exists (each with probability 2 %, no autapses), drawn from the part's
    generator as a sparse matrix: memory grows with the synapses, not with n^2."""
    n = weights._n_neurons
    rows, cols = bernoulli_synapses(weights.init_rng(), (n, n), DENSITY)
    keep = rows != cols
    rows, cols = rows[keep], cols[keep]
    n_exc = int(round(EXCITATORY * n))
    values = np.where(rows < n_exc, W_EXC, W_INH)
    return sp.csr_array((values, (rows, cols)), shape=(n, n))


def polarities(n: int) -> np.ndarray:
    """+1 for the first 80 % (excitatory), -1 for the rest."""
    return np.where(np.arange(n) < int(round(EXCITATORY * n)), 1.0, -1.0)


class COBANetwork(Network):
    """The COBA network: a :class:`~spikey.snn.network.Network` whose :meth:`reset` also
    draws the initial potentials, uniform in [-60, -50] mV, from the network's seed."""

    def reset(self) -> None:
        """Reset the parts, then draw the initial potentials."""
        super().reset()
        rng = np.random.default_rng(np.random.SeedSequence(self._seed, spawn_key=(4000,)))
        self.neurons.potentials[:] = rng.uniform(-60.0, -50.0, self._n_neurons)


def network(
    seed: int | None = 0, n_neurons: int = N_NEURONS, processing_time: int = 10_000, **keys: Any
) -> Network:
    """The COBA network (``processing_time`` steps of 0.1 ms per tick; 10,000 = 1 s).

    Parameters
    ----------
    seed : int or None
        Seed of the connectivity, the initial potentials and everything else.
    n_neurons : int
        Network size (4000 in the benchmark); 80 % excitatory.
    processing_time : int
        Network steps per :meth:`~spikey.snn.network.Network.tick`.
    **keys
        Overrides of :data:`KEYS` (e.g. ``engine="reference"``).
    """
    config = dict(KEYS)
    config.update(
        n_neurons=n_neurons,
        processing_time=processing_time,
        polarities=polarities(n_neurons),
        matrix=coba_weights,
    )
    config.update(keys)
    return COBANetwork(
        strict=True,
        seed=seed,
        inputs=Silent,
        neurons=neuron.LIF,
        weights=weight.Manual,
        synapses=synapse.Synapse,
        readout=readout.Threshold,
        action_threshold=0.0,
        **config,
    )


def mean_rate(network: Network) -> float:
    """Mean firing rate [Hz] over the last tick."""
    log = network.spike_log[:, network._n_inputs :]
    seconds = log.shape[0] * float(network.neurons._dt) / 1000.0
    return float(log.sum() / log.shape[1] / seconds)
