"""Input currents for driving neurons: steps, pulses, ramps and noise.

Each function returns an array of shape ``(T,)`` with ``T = round(duration / dt)``
steps (value of step ``k`` = the current during ``[k dt, (k + 1) dt)``), or
``(T, n_neurons)`` when ``n_neurons`` is given or an amplitude is an array of one value
per neuron. Times are in ms; amplitudes in the units of the driven model (Izhikevich:
the paper's units; AdEx: pA; Hodgkin-Huxley: µA/cm²; LIF: nA). Use them with
:func:`spikey.snn.neuron.simulate` or step a neuron part with ``neurons += I[k]``.

Examples
--------
>>> from spikey.snn import currents
>>> currents.pulse(5.0, 2.0, start=1.0, stop=3.0, dt=1.0).tolist()
[0.0, 2.0, 2.0, 0.0, 0.0]
>>> currents.step(4.0, [1.0, 3.0], onset=2.0).shape
(4, 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.rng import make_rng

__all__ = ["n_steps", "times", "constant", "step", "pulse", "ramp", "noise", "combine"]


def n_steps(duration: float, dt: float = 1.0) -> int:
    """Number of steps of ``dt`` ms in ``duration`` ms (rounded to the nearest step).

    Raises
    ------
    ConfigError
        When ``duration < 0`` or ``dt <= 0``.
    """
    if not dt > 0:
        raise ConfigError(f"currents.dt: expected a float > 0 [ms]; got {dt!r}.")
    if not duration >= 0:
        raise ConfigError(f"currents.duration: expected a float >= 0 [ms]; got {duration!r}.")
    return int(round(duration / dt))


def times(duration: float, dt: float = 1.0) -> np.ndarray:
    """Start time [ms] of each step: ``0, dt, 2 dt, ...``, shape (T,)."""
    return np.arange(n_steps(duration, dt)) * dt


def _shape(duration: float, dt: float, n_neurons: int | None, *amplitudes: Any) -> tuple[int, ...]:
    T = n_steps(duration, dt)
    widths = {np.size(a) for a in amplitudes if np.ndim(a) > 0}
    if any(np.ndim(a) > 1 for a in amplitudes) or len(widths) > 1:
        raise ConfigError(
            f"currents: amplitudes must be floats or 1-D arrays of one length; got shapes "
            f"{[np.shape(a) for a in amplitudes]}."
        )
    if n_neurons is not None:
        if widths and widths != {n_neurons}:
            raise ConfigError(f"currents: amplitudes of length {widths.pop()} but n_neurons={n_neurons}.")
        return (T, n_neurons)
    return (T, widths.pop()) if widths else (T,)


def _window(duration: float, dt: float, start: float, stop: float | None) -> np.ndarray:
    t = times(duration, dt)
    stop = np.inf if stop is None else stop
    return (t >= start - 1e-9 * dt) & (t < stop - 1e-9 * dt)


def _fill(shape: tuple[int, ...], mask: np.ndarray, value: Any) -> np.ndarray:
    out = np.zeros(shape)
    mask = mask if len(shape) == 1 else mask[:, None]
    return np.where(mask, np.asarray(value, dtype=np.float64), out)


def constant(duration: float, amplitude: Any, *, dt: float = 1.0, n_neurons: int | None = None) -> np.ndarray:
    """``amplitude`` at every step."""
    shape = _shape(duration, dt, n_neurons, amplitude)
    return _fill(shape, np.ones(shape[0], dtype=bool), amplitude)


def step(
    duration: float, amplitude: Any, *, onset: float = 0.0, dt: float = 1.0, n_neurons: int | None = None
) -> np.ndarray:
    """0 before ``onset`` [ms], ``amplitude`` from then on.

    Examples
    --------
    >>> step(4.0, 5.0, onset=2.0).tolist()
    [0.0, 0.0, 5.0, 5.0]
    """
    return _fill(_shape(duration, dt, n_neurons, amplitude), _window(duration, dt, onset, None), amplitude)


def pulse(
    duration: float,
    amplitude: Any,
    *,
    start: float,
    stop: float,
    dt: float = 1.0,
    n_neurons: int | None = None,
) -> np.ndarray:
    """A square pulse: ``amplitude`` for ``start <= t < stop`` [ms], else 0.

    Raises
    ------
    ConfigError
        When ``stop < start``.
    """
    if stop < start:
        raise ConfigError(f"currents.pulse: expected start <= stop; got start={start!r}, stop={stop!r}.")
    return _fill(_shape(duration, dt, n_neurons, amplitude), _window(duration, dt, start, stop), amplitude)


def ramp(
    duration: float,
    amplitude_start: Any,
    amplitude_stop: Any,
    *,
    start: float = 0.0,
    stop: float | None = None,
    dt: float = 1.0,
    n_neurons: int | None = None,
) -> np.ndarray:
    """A linear ramp from ``amplitude_start`` (at ``start``) to ``amplitude_stop`` (at
    ``stop``, default the end); 0 before ``start`` and ``amplitude_stop`` after ``stop``.

    Examples
    --------
    >>> ramp(5.0, 0.0, 4.0, dt=1.0).tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0]
    """
    shape = _shape(duration, dt, n_neurons, amplitude_start, amplitude_stop)
    t = times(duration, dt)
    last = t[-1] if len(t) else 0.0
    stop = last if stop is None else stop
    if stop < start:
        raise ConfigError(f"currents.ramp: expected start <= stop; got start={start!r}, stop={stop!r}.")
    frac = np.clip((t - start) / (stop - start), 0.0, 1.0) if stop > start else (t >= start).astype(float)
    if len(shape) == 2:
        frac = frac[:, None]
    a0 = np.asarray(amplitude_start, dtype=np.float64)
    a1 = np.asarray(amplitude_stop, dtype=np.float64)
    out = a0 + (a1 - a0) * frac
    before = t < start - 1e-9 * dt
    return np.where(before if len(shape) == 1 else before[:, None], 0.0, np.broadcast_to(out, shape))


def noise(
    duration: float,
    mean: Any = 0.0,
    std: Any = 1.0,
    *,
    rng: np.random.Generator | int,
    dt: float = 1.0,
    n_neurons: int | None = None,
) -> np.ndarray:
    """Gaussian white noise: each step an independent draw from ``N(mean, std**2)``.

    Parameters
    ----------
    rng : numpy Generator or int
        Source of the draws; an int seeds a generator (``spikey.rng.make_rng(seed,
        "currents")``), so the same seed gives the same current.

    Notes
    -----
    ``std`` is per step. For noise of a given strength independent of ``dt`` (a
    diffusion), scale it with ``1 / sqrt(dt)``.
    """
    shape = _shape(duration, dt, n_neurons, mean, std)
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        rng = make_rng(int(rng), "currents")
    if not isinstance(rng, np.random.Generator):
        raise ConfigError(f"currents.noise.rng: expected a numpy Generator or an int seed; got {rng!r}.")
    if np.any(np.asarray(std) < 0):
        raise ConfigError(f"currents.noise.std: expected values >= 0; got {std!r}.")
    return np.asarray(mean, dtype=np.float64) + np.asarray(std, dtype=np.float64) * rng.standard_normal(shape)


def combine(*currents: np.ndarray) -> np.ndarray:
    """Sum of currents of the same number of steps (broadcast over neurons).

    Examples
    --------
    >>> combine(step(3.0, 1.0), pulse(3.0, 2.0, start=1.0, stop=2.0)).tolist()
    [1.0, 3.0, 1.0]
    """
    lengths = {len(c) for c in currents}
    if len(lengths) > 1:
        raise ConfigError(
            f"currents.combine: expected currents of one length; got lengths {sorted(lengths)}."
        )
    arrays = [np.asarray(c, dtype=np.float64) for c in currents]
    if any(a.ndim == 2 for a in arrays):
        arrays = [a[:, None] if a.ndim == 1 else a for a in arrays]
    return np.sum(np.broadcast_arrays(*arrays), axis=0)
