"""Unsupervised digit recognition with STDP (Diehl & Cook 2015), built from spikey's parts.

The network of the paper, as a :class:`~spikey.snn.populations.PopulationNetwork`:

- ``inputs``: one Poisson spike train per pixel, rate = intensity / 4 Hz (intensities
  0-255, so at most 63.75 Hz);
- ``exc``: ``n_neurons`` conductance-based LIF neurons with an adaptive threshold
  ``theta`` (:class:`~spikey.snn.neuron.LIF`, ``input_mode='conductance'``);
- ``inh``: as many conductance-based LIF neurons; each excitatory neuron excites one
  inhibitory neuron, each inhibitory neuron inhibits every excitatory neuron but its
  partner (lateral inhibition: soft winner-take-all);
- input -> excitatory synapses learn with the trace-based STDP of the paper's code
  (:class:`~spikey.snn.synapse.DiehlCook`); before every training image each excitatory
  neuron's input weights are rescaled to a fixed sum (:meth:`DiehlCookNetwork.normalize_weights`);
- an image is shown for 350 ms, then the inputs are silent for 150 ms so the network's
  variables decay; if the excitatory neurons fired fewer than 5 spikes, the image is
  shown again with the input rates raised (:meth:`DiehlCookNetwork.present`).

After training, learning and the thresholds are frozen, every excitatory neuron is
labelled with the digit it responded to most (:func:`assign_labels`) and a test image is
classified as the digit whose neurons fired most on average (:func:`classify`).

**Constants and where they come from.** "Paper" is Diehl & Cook (2015); "code" is the Brian simulation the authors published
with it (``Diehl&Cook_spiking_MNIST.py`` and its weight generator). Where both give a
value they agree unless noted.

==============================  =================  ===========================================
constant                        value              source
==============================  =================  ===========================================
time step ``dt``                0.5 ms             code
presentation / rest             350 ms / 150 ms    paper, code
input rate                      intensity / 4 Hz   paper (code: ``intensity * 2 / 8``)
rate boost when < 5 spikes      intensity/8 more   code (``input_intensity += 1``): the
                                per boost          maximum rate rises by 31.875 Hz; the
                                                   paper rounds it to 32 Hz
exc: tau_m, E_rest, v_reset     100, -65, -65      paper, code [ms, mV]
exc: threshold                  -52 mV + theta     paper; the code writes
                                                   ``v > theta - 20 mV + v_thresh`` with
                                                   theta starting at 20 mV, the same
                                                   threshold; we start theta at 0
exc: refractory period          5 ms               paper, code (``refractory=5 ms``; the
                                                   code's threshold also asks
                                                   ``timer > 5 ms`` with a timer that
                                                   runs at 0.1 ms per ms, so it cannot
                                                   fire again for 50 ms; we follow
                                                   the paper)
exc: E_exc, E_inh               0, -100 mV         paper, code
theta_plus, tau_theta           0.05 mV, 1e7 ms    code (paper: "small increase")
inh: tau_m, E_rest, v_reset     10, -60, -45       paper, code [ms, mV]
inh: threshold, refractory      -40 mV, 2 ms       paper, code
inh: E_exc, E_inh               0, -85 mV          paper, code
tau_ge, tau_gi                  1 ms, 2 ms         paper, code (both populations)
initial potentials              E_rest - 40 mV     code
input -> exc initial weights    (U(0,1) + 0.01)    code (weight generator)
                                * 0.3
w_max (input -> exc)            1                  code
weight sum per exc neuron       78                 code (``weight['ee_input'] = 78``)
exc -> inh (one-to-one)         10.4               code (weight generator)
inh -> exc (all but partner)    17                 code (weight generator)
STDP nu_pre, nu_post            1e-4, 1e-2         code (paper: eta_pre, eta_post)
STDP tau_pre, tau_post1/2       20, 20 / 40 ms     code
synaptic delays                 none               paper; the code draws input -> exc
                                                   delays uniformly in 0-10 ms, which we
                                                   leave out
label assignment                class of highest   paper: responses to the training
                                mean response      set, frozen (the code: the last
                                                   10,000 frozen training responses)
passes over the training set    1 (``epochs``)     paper: one pass over 60,000 for
                                                   100 and 400 neurons (code: 3)
==============================  =================  ===========================================

Weights are conductance increments in units of the leak conductance. spikey stores one
weight matrix with one ``max_weight``, while the paper bounds the learned weights by 1
and uses fixed weights of 10.4 and 17; so the body neurons' spikes carry
:data:`G_INH` = 17 (``magnitude``) and the stored fixed weights are 10.4 / 17 and 1,
while input spikes carry ``input_magnitude`` (:class:`PixelInputs`): every stored
weight is then in ``[0, 1]`` and the conductances are the paper's. Images smaller than
28 x 28 (scikit-learn's 8 x 8 digits) keep the paper's total input drive: each input
spike counts ``784 / n_pixels`` times (``input_magnitude``), as if each pixel stood
for that many MNIST pixels, and the stored weights keep the paper's per-pixel values.

Examples
--------
.. code-block:: python

    from spikey.experiments import diehl_cook

    result = diehl_cook.run(n_neurons=100, n_train=4000, n_test=1000, seed=0)
    result["results"]["accuracy"]

References
----------
P. U. Diehl and M. Cook, "Unsupervised learning of digit recognition using
spike-timing-dependent plasticity", Front. Comput. Neurosci. 9:99, 2015.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any, ClassVar

import numpy as np

from spikey.errors import ConfigError, ShapeError
from spikey.experiments.digits_data import DigitsData, load_digits
from spikey.experiments.registry import Experiment
from spikey.module import Interval, Key, OneOf
from spikey.snn.input.poisson import Poisson
from spikey.snn.neuron.lif import LIF
from spikey.snn.populations import (
    INPUTS,
    Population,
    PopulationNetwork,
    PopulationNeurons,
    Projection,
    SpikeCounts,
)
from spikey.snn.synapse.diehl_cook import DiehlCook
from spikey.snn.weight.manual import Manual

__all__ = [
    "DT",
    "PRESENT_TIME",
    "REST_TIME",
    "RATE_SCALE",
    "RATE_BOOST",
    "MIN_SPIKES",
    "MAX_BOOSTS",
    "EXC_PARAMS",
    "INH_PARAMS",
    "STDP_PARAMS",
    "W_INIT",
    "W_MAX",
    "WEIGHT_SUM",
    "W_EXC_INH",
    "G_INH",
    "MNIST_PIXELS",
    "PixelInputs",
    "DiehlCookNetwork",
    "build_network",
    "assign_labels",
    "classify",
    "confusion_matrix",
    "present_images",
    "train",
    "evaluate",
    "run",
    "write_run",
    "plot_receptive_fields",
    "plot_confusion",
    "DiehlCookExperiment",
]

# ---------------------------------------------------------------------------- constants
#: Network step [ms] (code).
DT = 0.5
#: Presentation and rest of each image [ms] (paper, code).
PRESENT_TIME = 350.0
REST_TIME = 150.0
#: Input rate per unit of pixel intensity [Hz]: intensity / 4 (paper).
RATE_SCALE = 0.25
#: Rate added per boost, per unit of intensity [Hz]: intensity / 8, i.e. +31.875 Hz at the
#: brightest pixel (code's ``input_intensity += 1``; the paper's "+32 Hz").
RATE_BOOST = 0.125
#: A presentation with fewer excitatory spikes is repeated with boosted rates (paper, code).
MIN_SPIKES = 5
#: Boosts before giving up on an image (the code has no limit; 10 boosts = 5 times the rate).
MAX_BOOSTS = 10
#: Pixels of an MNIST image.
MNIST_PIXELS = 784

#: Excitatory neurons (LIF keys): paper and code, threshold -52 mV + theta (see module notes).
EXC_PARAMS = {
    "input_mode": "conductance",
    "tau_m": 100.0,
    "resting_mv": -65.0,
    "v_reset": -65.0,
    "firing_threshold": -52.0,
    "refractory_period": 5.0,
    "e_exc": 0.0,
    "e_inh": -100.0,
    "tau_ge": 1.0,
    "tau_gi": 2.0,
    "theta_plus": 0.05,
    "tau_theta": 1e7,
    "v_init": -105.0,
}
#: Inhibitory neurons (LIF keys): paper and code.
INH_PARAMS = {
    "input_mode": "conductance",
    "tau_m": 10.0,
    "resting_mv": -60.0,
    "v_reset": -45.0,
    "firing_threshold": -40.0,
    "refractory_period": 2.0,
    "e_exc": 0.0,
    "e_inh": -85.0,
    "tau_ge": 1.0,
    "tau_gi": 2.0,
    "theta_plus": 0.0,
    "tau_theta": 1e7,
    "v_init": -100.0,
}
#: STDP of the input -> excitatory synapses (DiehlCook keys): code.
STDP_PARAMS = {
    "nu_pre": 1e-4,
    "nu_post": 1e-2,
    "tau_pre": 20.0,
    "tau_post1": 20.0,
    "tau_post2": 40.0,
    "mu": 0.0,
    "plastic": "inputs",
}
#: Initial input -> excitatory weights: (U(0, 1) + 0.01) * W_INIT (code).
W_INIT = 0.3
#: Upper bound of the learned weights (code).
W_MAX = 1.0
#: Sum of each excitatory neuron's input weights for a 784-pixel image (code).
WEIGHT_SUM = 78.0
#: Excitatory -> inhibitory weight, one-to-one (code).
W_EXC_INH = 10.4
#: Inhibitory -> excitatory weight onto all but the partner (code); also the size of a
#: body neuron's spike in this network (see the module notes).
G_INH = 17.0


# ---------------------------------------------------------------------------- parts
class PixelInputs(Poisson):
    """Poisson inputs whose spikes have their own size, ``input_magnitude``.

    :class:`~spikey.snn.input.Poisson` with one change: an input spike is worth
    ``input_magnitude`` (instead of the network-wide ``magnitude``, which sizes the
    body neurons' spikes). Firing is the parent's.

    Parameters
    ----------
    **kwargs
        Values for the keys of :class:`~spikey.snn.input.Poisson` and the key below.
    """

    NECESSARY_KEYS = Poisson.extend_keys(
        [
            Key(
                "input_magnitude",
                "Size of an input spike (the body neurons' spikes have size 'magnitude').",
                float,
                default=1.0,
                constraint=Interval(0, None),
            )
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._spike_values = self.polarities * self._input_magnitude

    def _params_changed(self, names: set[str]) -> None:
        self._spike_values = self.polarities * self._input_magnitude

    # Only pixels with a positive rate draw random numbers: a pixel of rate 0 never fires,
    # so the spike trains have the parent's distribution, and a blank image (the rest
    # between images) or MNIST's background (about 80% of the pixels) costs nothing.
    # Both engines go through these two methods, so they consume the same stream.
    def _fire(self) -> np.ndarray:
        out = np.zeros(self._n_inputs, dtype=bool)
        on = np.flatnonzero(self.values)
        if on.size:
            out[on] = self._uniforms(on.size) < self.values[on]
        return out

    def _fire_block(self, n_steps: int) -> np.ndarray:
        out = np.zeros((n_steps, self._n_inputs), dtype=bool)
        on = np.flatnonzero(self.values)
        if on.size:
            out[:, on] = self._uniform_rows(n_steps, on.size) < self.values[on]
        return out


def _int_steps(value: float, dt: float, name: str) -> int:
    steps = value / dt
    if abs(steps - round(steps)) > 1e-9:
        raise ConfigError(f"DiehlCookNetwork.{name}: expected a multiple of dt={dt:g} ms; got {value:g} ms.")
    return int(round(steps))


class DiehlCookNetwork(PopulationNetwork):
    """The network of Diehl & Cook (2015): Poisson pixels -> excitatory <-> inhibitory.

    Build it with :func:`build_network`. Besides the :class:`PopulationNetwork` API it
    has :meth:`normalize_weights` and :meth:`present` (one image with rest and rate
    boosts). ``processing_time`` (steps per :meth:`tick`) is the greatest common divisor
    of the presentation and rest steps, so both are whole numbers of ticks.

    Parameters
    ----------
    **kwargs
        Keys of :class:`~spikey.snn.populations.PopulationNetwork`, its parts and the
        keys below.
    """

    NECESSARY_KEYS = PopulationNetwork.extend_keys(
        [
            Key(
                "present_time",
                "Presentation of an image.",
                float,
                PRESENT_TIME,
                constraint=Interval(0, None, low_closed=False),
                units="ms",
            ),
            Key(
                "rest_time",
                "Silent input after each presentation.",
                float,
                REST_TIME,
                constraint=Interval(0, None),
                units="ms",
            ),
            Key(
                "min_spikes",
                "Fewest excitatory spikes that end an image's presentations.",
                int,
                MIN_SPIKES,
                constraint=Interval(0, None),
            ),
            Key(
                "max_boosts",
                "Rate boosts before an image is given up.",
                int,
                MAX_BOOSTS,
                constraint=Interval(0, None),
            ),
            Key(
                "rate_boost",
                "Input rate added per boost, per unit of intensity.",
                float,
                RATE_BOOST,
                constraint=Interval(0, None),
                units="Hz",
            ),
            Key(
                "weight_sum",
                "Sum of each excitatory neuron's input weights after normalisation (0: off).",
                float,
                WEIGHT_SUM,
                constraint=Interval(0, None),
            ),
        ]
    )
    parts = {
        "inputs": PixelInputs,
        "neurons": PopulationNeurons,
        "weights": Manual,
        "synapses": DiehlCook,
        "readout": SpikeCounts,
    }

    def __init__(self, callback: Any = None, game: Any = None, **kwargs: Any):
        super().__init__(callback, game, **kwargs)
        dt = float(self._params.get("dt", 1.0))
        self.present_steps = _int_steps(self._present_time, dt, "present_time")
        self.rest_steps = _int_steps(self._rest_time, dt, "rest_time")
        tick = self._processing_time
        if self.present_steps % tick or self.rest_steps % tick:
            raise ConfigError(
                f"DiehlCookNetwork.processing_time: expected a divisor of the presentation "
                f"({self.present_steps}) and rest ({self.rest_steps}) steps; got {tick}."
            )
        self._blank = np.zeros(self._n_inputs)
        self.n_boosts = 0

    @property
    def input_weights(self) -> np.ndarray:
        """Input -> excitatory weights, a view (n_inputs, n_exc) of the weight matrix."""
        return self.weights.matrix[self.rows(INPUTS), self.slice("exc")]

    def normalize_weights(self) -> None:
        """Scale each excitatory neuron's input weights to sum ``weight_sum``.

        Weights are then clipped to ``[0, max_weight]`` (the paper's code does not clip
        here; its STDP clips at the next spike of the synapse). A neuron whose input
        weights are all 0 is left alone. Does nothing with ``weight_sum = 0``.
        """
        target = self._weight_sum
        if not target:
            return
        w = self.input_weights
        sums = w.sum(axis=0)
        factor = np.divide(target, sums, out=np.ones_like(sums), where=sums > 0)
        w *= factor[None, :]
        np.clip(w, 0.0, self.weights.max_weight, out=w)

    def present(self, image: np.ndarray) -> np.ndarray:
        """Show one image: presentation, rest, and repeats with boosted rates.

        While training, the input weights are normalised before each presentation
        (as in the paper's code). After each presentation the inputs are silent for
        ``rest_time``. If the excitatory neurons fired fewer than ``min_spikes`` spikes,
        the image is shown again with ``rate_boost`` added to the rate per unit of
        intensity, up to ``max_boosts`` times; the number of boosts is in
        :attr:`n_boosts`.

        Parameters
        ----------
        image : ndarray, shape (n_inputs,) or image shape
            Pixel intensities (0-255).

        Returns
        -------
        ndarray of int, shape (n_exc,)
            Spikes of each excitatory neuron during the last presentation.
        """
        x = np.asarray(image, dtype=np.float64).ravel()
        if x.size != self._n_inputs:
            raise ShapeError(
                f"DiehlCookNetwork.present: expected an image of {self._n_inputs} pixels; got {x.size}."
            )
        scale = float(self._params["rate_scale"])
        n_present = self.present_steps // self._processing_time
        n_rest = self.rest_steps // self._processing_time
        counts = np.zeros(self._n_outputs, dtype=np.int64)
        for boost in range(self._max_boosts + 1):
            if self.training:
                self.normalize_weights()
            state = x * ((scale + boost * self._rate_boost) / scale) if boost else x
            counts[:] = 0
            for _ in range(n_present):
                counts += self.tick(state)
            for _ in range(n_rest):
                self.tick(self._blank)
            self.n_boosts = boost
            if counts.sum() >= self._min_spikes:
                break
        return counts


def build_network(
    n_neurons: int = 100,
    n_inputs: int = MNIST_PIXELS,
    seed: int | None = 0,
    *,
    stdp: bool = True,
    inhibition: bool = True,
    **overrides: Any,
) -> DiehlCookNetwork:
    """The network of the paper for images of ``n_inputs`` pixels.

    Parameters
    ----------
    n_neurons : int
        Excitatory neurons (as many inhibitory ones are added).
    n_inputs : int
        Pixels per image; for fewer than 784 each input spike is worth
        ``784 / n_inputs`` (see the module notes).
    seed : int, optional
        Seed of the network (initial weights, Poisson inputs).
    stdp : bool
        Learning on; ``False`` keeps the initial (normalised) random weights (ablation).
    inhibition : bool
        Lateral inhibition on; ``False`` sets the inhibitory -> excitatory weights to 0
        (ablation).
    **overrides
        Keys of the network and its parts, e.g. ``present_time=100.0``, or
        ``exc={...}`` / ``inh={...}`` to change LIF keys of a population.

    Returns
    -------
    DiehlCookNetwork
    """
    if isinstance(n_neurons, bool) or not isinstance(n_neurons, (int, np.integer)) or n_neurons < 1:
        raise ConfigError(f"diehl_cook.build_network.n_neurons: expected an int >= 1; got {n_neurons!r}.")
    if isinstance(n_inputs, bool) or not isinstance(n_inputs, (int, np.integer)) or n_inputs < 1:
        raise ConfigError(f"diehl_cook.build_network.n_inputs: expected an int >= 1; got {n_inputs!r}.")
    n = int(n_neurons)
    exc = {**EXC_PARAMS, **overrides.pop("exc", {})}
    inh = {**INH_PARAMS, **overrides.pop("inh", {})}
    gain = MNIST_PIXELS / n_inputs
    eye = np.eye(n, dtype=bool)
    keys: dict[str, Any] = {
        "n_inputs": int(n_inputs),
        "dt": DT,
        "magnitude": G_INH,
        "input_magnitude": W_MAX * gain,
        "rate_scale": RATE_SCALE,
        "max_weight": 1.0,
        "weight_sum": WEIGHT_SUM / MNIST_PIXELS * n_inputs,
        "learning_rate": 1.0 if stdp else 0.0,
        **STDP_PARAMS,
    }
    keys.update(overrides)
    dt = float(keys["dt"])
    present = _int_steps(float(keys.get("present_time", PRESENT_TIME)), dt, "present_time")
    rest = _int_steps(float(keys.get("rest_time", REST_TIME)), dt, "rest_time")
    keys.setdefault("processing_time", math.gcd(present, rest))
    return DiehlCookNetwork(
        populations=[Population("inh", n, LIF, inhibitory=True, **inh), Population("exc", n, LIF, **exc)],
        projections=[
            Projection(INPUTS, "exc", weight=lambda rng, shape: (rng.random(shape) + 0.01) * W_INIT),
            Projection("exc", "inh", weight=W_EXC_INH / G_INH, mask=eye),
            Projection("inh", "exc", weight=1.0 if inhibition else 0.0, mask=~eye),
        ],
        outputs="exc",
        seed=seed,
        strict=True,
        **keys,
    )


# ---------------------------------------------------------------------------- labels
def _responses(responses: Any, name: str) -> np.ndarray:
    r = np.asarray(responses, dtype=np.float64)
    if r.ndim != 2:
        raise ShapeError(
            f"diehl_cook.{name}: expected responses of shape (n_images, n_neurons); got {r.shape}."
        )
    return r


def assign_labels(responses: Any, labels: Any, n_classes: int = 10) -> np.ndarray:
    """Label each neuron with the class it responded to most (Diehl & Cook 2015).

    Parameters
    ----------
    responses : array_like, shape (n_images, n_neurons)
        Spike counts of each neuron for each image.
    labels : array_like of int, shape (n_images,)
        Class of each image, in ``0 .. n_classes - 1``.
    n_classes : int
        Number of classes.

    Returns
    -------
    ndarray of int, shape (n_neurons,)
        The class with the highest mean response of the neuron over the images of that
        class (classes without images are skipped; ties go to the lower class); -1 for
        a neuron that never fired.

    Examples
    --------
    >>> assign_labels([[3, 0, 0], [0, 2, 0], [1, 0, 0]], [0, 1, 1], n_classes=2).tolist()
    [0, 1, -1]
    """
    r = _responses(responses, "assign_labels")
    y = np.asarray(labels)
    if y.shape != (r.shape[0],):
        raise ShapeError(f"diehl_cook.assign_labels: expected {r.shape[0]} labels; got shape {y.shape}.")
    if y.size and (y.min() < 0 or y.max() >= n_classes or not np.issubdtype(y.dtype, np.integer)):
        raise ConfigError(
            f"diehl_cook.assign_labels: expected integer labels in [0, {n_classes}); got {y.min()} to {y.max()}."
        )
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    sums = np.zeros((n_classes, r.shape[1]))
    np.add.at(sums, y, r)
    present = counts > 0
    means = np.full((n_classes, r.shape[1]), -np.inf)
    means[present] = sums[present] / counts[present, None]
    out = np.argmax(means, axis=0).astype(np.int64)
    out[~(np.max(means, axis=0) > 0)] = -1
    return out


def classify(responses: Any, assignments: Any, n_classes: int = 10) -> np.ndarray:
    """Class of each image: the label whose neurons fired most on average (Diehl & Cook 2015).

    Parameters
    ----------
    responses : array_like, shape (n_images, n_neurons)
        Spike counts of each neuron for each image.
    assignments : array_like of int, shape (n_neurons,)
        Label of each neuron (:func:`assign_labels`); -1 for none.
    n_classes : int
        Number of classes.

    Returns
    -------
    ndarray of int, shape (n_images,)
        For each image the class with the highest mean spike count over the neurons
        assigned to it (classes without neurons score 0; ties go to the lower class);
        -1 when no assigned neuron fired.

    Examples
    --------
    >>> classify([[5, 1, 0], [0, 0, 9], [0, 0, 0]], [0, 1, 1], n_classes=2).tolist()
    [0, 1, -1]
    """
    r = _responses(responses, "classify")
    a = np.asarray(assignments)
    if a.shape != (r.shape[1],):
        raise ShapeError(f"diehl_cook.classify: expected {r.shape[1]} assignments; got shape {a.shape}.")
    onehot = (a[:, None] == np.arange(n_classes)[None, :]).astype(np.float64)
    per_class = onehot.sum(axis=0)
    scores = (r @ onehot) / np.maximum(per_class, 1.0)
    out = np.argmax(scores, axis=1).astype(np.int64)
    out[~(scores.max(axis=1, initial=0.0) > 0)] = -1
    return out


def confusion_matrix(labels: Any, predictions: Any, n_classes: int = 10) -> np.ndarray:
    """Counts of (true class, predicted class).

    Parameters
    ----------
    labels, predictions : array_like of int, shape (n,)
        True and predicted classes; a prediction of -1 (none) is counted in an extra
        last column.
    n_classes : int
        Number of classes.

    Returns
    -------
    ndarray of int, shape (n_classes, n_classes + 1)
        Row: true class; column: predicted class, then "none".
    """
    y = np.asarray(labels, dtype=np.int64)
    p = np.asarray(predictions, dtype=np.int64)
    if y.shape != p.shape:
        raise ShapeError(f"diehl_cook.confusion_matrix: labels {y.shape} and predictions {p.shape} differ.")
    p = np.where(p < 0, n_classes, p)
    out = np.zeros((n_classes, n_classes + 1), dtype=np.int64)
    np.add.at(out, (y, p), 1)
    return out


# ---------------------------------------------------------------------------- running
class _Bar:
    """tqdm bar over images showing the running accuracy (or nothing when off)."""

    def __init__(self, total: int, desc: str, enabled: bool):
        self.bar = None
        if enabled:
            import sys

            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="img", file=sys.stderr, dynamic_ncols=True)

    def step(self, accuracy: float | None) -> None:
        if self.bar is not None:
            if accuracy is not None:
                self.bar.set_postfix(acc=f"{accuracy:.3f}", refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def present_images(
    network: DiehlCookNetwork,
    images: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    assignments: np.ndarray | None = None,
    order: np.ndarray | None = None,
    update_interval: int | None = None,
    progress: bool | None = None,
    desc: str = "images",
) -> dict[str, np.ndarray]:
    """Show images one after another (learning as the network's mode says).

    Parameters
    ----------
    network : DiehlCookNetwork
    images : ndarray, shape (n, n_pixels)
    labels : ndarray of int, shape (n,), optional
        Needed for the running accuracy.
    assignments : ndarray of int, shape (n_exc,), optional
        Fixed neuron labels to classify with (test phase).
    order : ndarray of int, shape (m,), optional
        Indices of the images to show, in this order (default: each once, in order);
        the results have one row per presentation.
    update_interval : int, optional
        Without ``assignments``: relabel the neurons every ``update_interval`` images
        from the responses to the previous ``update_interval`` images, and classify
        each image with the labels of the time (the paper's code does this during
        training with 10,000 images). Images before the first relabelling count as
        not classified.
    progress : bool, optional
        Progress bar with the running accuracy (None: only on a terminal).
    desc : str
        Title of the bar.

    Returns
    -------
    dict
        ``responses`` (n, n_exc) int, ``predictions`` (n,) int (-1: none),
        ``boosts`` (n,) int, ``seconds`` and ``cpu_seconds`` (n,) float (wall and
        process CPU time per image).
    """
    from spikey.core.training_loop import progress_enabled

    x = np.asarray(images, dtype=np.float64)
    index = np.arange(x.shape[0]) if order is None else np.asarray(order, dtype=np.int64)
    if labels is not None:
        labels = np.asarray(labels)[index]
    n = len(index)
    responses = np.zeros((n, network._n_outputs), dtype=np.int64)
    predictions = np.full(n, -1, dtype=np.int64)
    boosts = np.zeros(n, dtype=np.int64)
    seconds = np.zeros(n)
    cpu = np.zeros(n)
    correct = 0
    scored = 0
    current = assignments
    bar = _Bar(n, desc, progress_enabled(progress))
    try:
        for i in range(n):
            if (
                assignments is None
                and labels is not None
                and update_interval
                and i
                and i % update_interval == 0
            ):
                lo = i - update_interval
                current = assign_labels(responses[lo:i], labels[lo:i])
            t0, c0 = time.perf_counter(), time.process_time()
            responses[i] = network.present(x[index[i]])
            seconds[i] = time.perf_counter() - t0
            cpu[i] = time.process_time() - c0
            boosts[i] = network.n_boosts
            if current is not None:
                predictions[i] = classify(responses[i : i + 1], current)[0]
                if labels is not None:
                    scored += 1
                    correct += int(predictions[i] == labels[i])
            bar.step(correct / scored if scored else None)
    finally:
        bar.close()
    return {
        "responses": responses,
        "predictions": predictions,
        "boosts": boosts,
        "seconds": seconds,
        "cpu_seconds": cpu,
    }


def train(
    network: DiehlCookNetwork,
    images: np.ndarray,
    labels: np.ndarray | None = None,
    *,
    epochs: int = 1,
    update_interval: int | None = None,
    progress: bool | None = None,
) -> dict[str, np.ndarray]:
    """Train ``network`` (in place) on ``images``, ``epochs`` times over, in order.

    See :func:`present_images` for the parameters and the result (one row per
    presentation: ``epochs * len(images)`` rows); the network is put in training mode.
    Each epoch shows the images in the same order, as the paper's code does when it
    runs more examples than the data set holds (``j % 60000``). ``update_interval``
    defaults to a tenth of the images (at least 10).
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ConfigError(f"diehl_cook.train.epochs: expected an int >= 1; got {epochs!r}.")
    network.train()
    if update_interval is None:
        update_interval = max(10, len(images) // 10)
    x = np.asarray(images)
    y = None if labels is None else np.asarray(labels)
    if epochs > 1:  # index views, not copies of the images
        order = np.tile(np.arange(len(x)), int(epochs))
    else:
        order = None
    return present_images(
        network,
        x,
        y,
        order=order,
        update_interval=update_interval,
        progress=progress,
        desc="train",
    )


def evaluate(
    network: DiehlCookNetwork,
    assign_images: np.ndarray,
    assign_labels_: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
    *,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Freeze learning, label the neurons, classify the test images (the paper's test).

    The network is switched to :meth:`~spikey.snn.network.Network.eval` (no STDP, no
    threshold adaptation, no weight normalisation); its neurons are labelled from their
    responses to ``assign_images`` (:func:`assign_labels`) and ``test_images`` are
    classified by :func:`classify`.

    Returns
    -------
    dict
        ``accuracy``, ``assignments`` (n_exc,), ``predictions``, ``confusion``
        (:func:`confusion_matrix`), ``test_responses``, ``assign_responses``,
        ``test_seconds`` (per image).
    """
    network.eval()
    labelled = present_images(network, assign_images, assign_labels_, progress=progress, desc="label")
    assignments = assign_labels(labelled["responses"], assign_labels_)
    tested = present_images(
        network, test_images, test_labels, assignments=assignments, progress=progress, desc="test"
    )
    predictions = tested["predictions"]
    return {
        "accuracy": float(np.mean(predictions == np.asarray(test_labels)))
        if len(predictions)
        else float("nan"),
        "assignments": assignments,
        "predictions": predictions,
        "confusion": confusion_matrix(test_labels, predictions),
        "test_responses": tested["responses"],
        "assign_responses": labelled["responses"],
        "test_seconds": tested["seconds"],
    }


def run(
    n_neurons: int = 100,
    n_train: int | None = None,
    n_test: int | None = None,
    seed: int = 0,
    *,
    source: str = "auto",
    n_assign: int | None = None,
    epochs: int = 1,
    data: DigitsData | None = None,
    progress: bool | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Load data, train, label the neurons with frozen weights and test.

    Parameters
    ----------
    n_neurons : int
        Excitatory neurons.
    n_train, n_test : int, optional
        Training and test images (defaults of :func:`~spikey.experiments.digits_data.load_digits`).
    seed : int
        Seed of the data split and of the network.
    source : {'auto', 'mnist', 'digits'}
        Data source (ignored with ``data``).
    n_assign : int, optional
        Training images shown again, frozen, to label the neurons (default: all of
        them, as in the paper).
    epochs : int
        Passes over the training images (:func:`train`). The paper trains 100 and 400
        neurons with one pass over 60,000 images; with a smaller training set, several
        passes give the network a comparable number of presentations.
    data : DigitsData, optional
        Use these images instead of loading.
    progress : bool, optional
        Progress bars (None: only on a terminal).
    **overrides
        For :func:`build_network` (``stdp=False``, ``present_time=...``, ...).

    Returns
    -------
    dict
        ``network`` (trained), ``results`` (scalars: ``accuracy``, ``train_accuracy``
        (running, during training), ``seconds_per_train_image``, ...), ``info``
        (arrays: assignments, confusion, responses, ...) and ``shape`` (image shape).
    """
    if data is None:
        data = load_digits(source, n_train, n_test, seed)
    network = build_network(n_neurons, data.n_pixels, seed, **overrides)
    t0 = time.perf_counter()
    trained = train(network, data.train_images, data.train_labels, epochs=epochs, progress=progress)
    t1 = time.perf_counter()
    k = len(data.train_labels) if n_assign is None else min(int(n_assign), len(data.train_labels))
    tested = evaluate(
        network,
        data.train_images[:k],
        data.train_labels[:k],
        data.test_images,
        data.test_labels,
        progress=progress,
    )
    t2 = time.perf_counter()
    scored = trained["predictions"] >= 0
    train_labels = np.tile(data.train_labels, int(epochs))
    last = np.zeros_like(scored)
    last[-len(data.train_labels) :] = True  # the last epoch
    last &= scored
    results = {
        "experiment": "diehl-cook",
        "source": data.source,
        "seed": int(seed),
        "n_neurons": int(n_neurons),
        "n_train": len(data.train_labels),
        "n_test": len(data.test_labels),
        "n_assign": k,
        "epochs": int(epochs),
        "accuracy": tested["accuracy"],
        "train_accuracy": float(np.mean(trained["predictions"][scored] == train_labels[scored]))
        if scored.any()
        else float("nan"),
        "last_epoch_train_accuracy": float(np.mean(trained["predictions"][last] == train_labels[last]))
        if last.any()
        else float("nan"),
        "neurons_assigned": int(np.sum(tested["assignments"] >= 0)),
        "mean_boosts": float(np.mean(trained["boosts"])) if len(trained["boosts"]) else 0.0,
        "seconds_per_train_image": float(np.mean(trained["seconds"])) if len(trained["seconds"]) else 0.0,
        "cpu_seconds_per_train_image": float(np.mean(trained["cpu_seconds"]))
        if len(trained["cpu_seconds"])
        else 0.0,
        "seconds_per_test_image": float(np.mean(tested["test_seconds"]))
        if len(tested["test_seconds"])
        else 0.0,
        "train_time": t1 - t0,
        "eval_time": t2 - t1,
    }
    info = {
        "assignments": tested["assignments"],
        "confusion": tested["confusion"],
        "test_predictions": tested["predictions"],
        "test_labels": data.test_labels,
        "test_index": data.test_index,
        "train_index": data.train_index,
        "train_responses": trained["responses"],
        "train_boosts": trained["boosts"],
        "test_responses": tested["test_responses"],
        "input_weights": network.input_weights.copy(),
        "theta": network.neurons.state_variable("theta")[network.slice("exc")].copy(),
    }
    return {"network": network, "results": results, "info": info, "shape": data.shape}


# ---------------------------------------------------------------------------- plots
def plot_receptive_fields(weights: Any, shape: tuple[int, int], ax: Any = None, cmap: str = "hot_r") -> Any:
    """Each excitatory neuron's input weights as an image, in a square grid.

    Parameters
    ----------
    weights : DiehlCookNetwork or ndarray, shape (n_pixels, n_exc)
        The network (its :attr:`~DiehlCookNetwork.input_weights`) or the weights.
    shape : tuple of int
        Image shape, e.g. ``(28, 28)``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    w = weights.input_weights if isinstance(weights, DiehlCookNetwork) else np.asarray(weights)
    h, wd = shape
    if w.ndim != 2 or w.shape[0] != h * wd:
        raise ShapeError(f"diehl_cook.plot_receptive_fields: expected weights ({h * wd}, n); got {w.shape}.")
    n = w.shape[1]
    side = math.ceil(math.sqrt(n))
    rows = math.ceil(n / side)
    grid = np.full((rows * h, side * wd), np.nan)
    for k in range(n):  # one image per neuron (plotting only)
        r, c = divmod(k, side)
        grid[r * h : (r + 1) * h, c * wd : (c + 1) * wd] = w[:, k].reshape(h, wd)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6))
    im = ax.imshow(grid, cmap=cmap, interpolation="nearest")
    ax.set_xticks(np.arange(1, side) * wd - 0.5, labels=[])
    ax.set_yticks(np.arange(1, rows) * h - 0.5, labels=[])
    ax.grid(True, color="0.6", linewidth=0.5)
    ax.tick_params(length=0)
    ax.set_title(f"receptive fields of {n} excitatory neurons")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="weight")
    return ax


def plot_confusion(confusion: Any, ax: Any = None) -> Any:
    """The confusion matrix as an image with counts (rows: true digit).

    Parameters
    ----------
    confusion : ndarray of int, shape (n_classes, n_classes + 1)
        From :func:`confusion_matrix` (last column: not classified).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    cm = np.asarray(confusion)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    n = cm.shape[0]
    im = ax.imshow(cm, cmap="Blues")
    for (i, j), v in np.ndenumerate(cm):
        if v:
            ax.text(
                j,
                i,
                str(v),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if v > cm.max() / 2 else "black",
            )
    ax.set_xticks(range(cm.shape[1]), labels=[str(k) for k in range(n)] + ["none"][: cm.shape[1] - n])
    ax.set_yticks(range(n))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    total = cm.sum()
    acc = np.trace(cm[:, :n]) / total if total else float("nan")
    ax.set_title(f"confusion matrix (accuracy {acc:.3f})")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return ax


def write_run(result: dict[str, Any], folder: str = "log") -> dict[str, str]:
    """Write a :func:`run` result: JSON log (:func:`spikey.logging.log`) and plots beside it.

    Returns
    -------
    dict
        Paths: ``log``, ``confusion`` and ``receptive_fields`` (PNG files named after
        the log).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from spikey.logging import log

    network = result["network"]
    params = network.params
    params.pop("matrix", None)  # the learned weights are in info['input_weights']
    params.pop("matrix_mask", None)
    params["projections"] = [  # drawn initial weights: re-drawn from the seed, not logged
        {k: v for k, v in p.items() if k != "weight" or np.ndim(v) == 0}
        for p in params.get("projections", [])
    ]
    path = log(params, None, result["results"], result["info"], folder=folder)
    stem = os.path.splitext(path)[0]
    out = {"log": path}
    for name, draw in (
        ("confusion", lambda ax: plot_confusion(result["info"]["confusion"], ax)),
        (
            "receptive_fields",
            lambda ax: plot_receptive_fields(result["info"]["input_weights"], result["shape"], ax),
        ),
    ):
        fig, ax = plt.subplots(figsize=(7, 6))
        draw(ax)
        fig.tight_layout()
        file = f"{stem}_{name}.png"
        fig.savefig(file, dpi=100)
        plt.close(fig)
        out[name] = file
    return out


class DiehlCookExperiment(Experiment):
    """``spikey run diehl-cook``: Diehl & Cook (2015) through the experiment registry.

    Options (``--set``, or the ``--n-neurons`` ... flags): ``n_neurons``, ``n_train``,
    ``n_test``, ``n_assign``, ``epochs``, ``data``; the run writes the log and the
    confusion-matrix and receptive-field plots into ``--out``.
    """

    OPTIONS: ClassVar[list[Key]] = [
        Key("n_neurons", "Excitatory neurons.", int, 100, constraint=Interval(1, None)),
        Key(
            "n_train",
            "Training images (None: 4000 MNIST, 80% of the 8x8 digits).",
            int,
            None,
            constraint=Interval(1, None),
        ),
        Key(
            "n_test",
            "Test images (None: 1000 MNIST, 20% of the 8x8 digits).",
            int,
            None,
            constraint=Interval(1, None),
        ),
        Key(
            "n_assign",
            "Training images used to label neurons (None: all).",
            int,
            None,
            constraint=Interval(1, None),
        ),
        Key("epochs", "Passes over the training images.", int, 1, constraint=Interval(1, None)),
        Key("data", "Image source.", str, "auto", constraint=OneOf("auto", "mnist", "digits")),
    ]

    def run(
        self, seed: int = 0, out: str = "log", progress: bool | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Load the images, train, test frozen, write the log and plots; return the results."""
        from spikey.experiments.digits_data import available_sources

        c = self.config
        source = c["data"]
        n_train, n_test = c["n_train"], c["n_test"]
        chosen = source if source != "auto" else (available_sources() or ["auto"])[0]
        if chosen == "mnist":
            n_train = 4000 if n_train is None else n_train
            n_test = 1000 if n_test is None else n_test
        images = load_digits(source, n_train, n_test, seed)
        result = run(
            c["n_neurons"],
            seed=seed,
            data=images,
            n_assign=c["n_assign"],
            epochs=c["epochs"],
            progress=progress,
        )
        paths = write_run(result, out)
        return {**result["results"], "paths": paths}

    def summary_rows(self, results: dict[str, Any]) -> list[tuple[str, str]]:
        """Data, network, frozen test accuracy, timing, and the files written."""
        r = results
        rows = [
            ("data", f"{r['source']} ({r['n_train']} train, {r['n_test']} test, {r['n_assign']} to label)"),
            ("excitatory neurons", str(r["n_neurons"])),
            ("epochs", str(r["epochs"])),
            ("seed", str(r["seed"])),
            ("accuracy (test, frozen)", f"{r['accuracy']:.4f}"),
            ("accuracy (running, training)", f"{r['train_accuracy']:.4f}"),
            ("neurons labelled", f"{r['neurons_assigned']} / {r['n_neurons']}"),
            (
                "s per training image",
                f"{r['seconds_per_train_image']:.4g} (CPU {r['cpu_seconds_per_train_image']:.4g})",
            ),
            ("time [s]", f"{r['train_time'] + r['eval_time']:.4g}"),
        ]
        rows += [(name, r["paths"][name]) for name in ("log", "confusion", "receptive_fields")]
        return rows
