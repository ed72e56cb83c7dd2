"""Input template: turns a game state into input spikes.

Protocol: ``inputs.update(state)`` once per game step, then ``inputs()`` once per
network step, returning ``(n_inputs,)`` floats: ``magnitude * polarity`` where an input
neuron spikes, else 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.engine.kernel import PartKernel
from spikey.snn.part import Part, polarities_from

__all__ = ["Input"]


class Input(Part):
    """Spike-based encoding of the game state (template).

    Subclasses implement :meth:`_fire` (which inputs spike this step, as a boolean
    array) and usually :meth:`update` (how a state sets the firing pattern). The
    template applies ``input_firing_steps``, magnitudes and polarities.

    Parameters
    ----------
    **kwargs
        Values for the keys below.
    """

    FAMILY = "inputs"
    RNG_STREAM = "inputs"
    STATE = ("values", "network_time")

    NECESSARY_KEYS = [
        Key("n_inputs", "Number of input neurons.", int, constraint=Interval(0, None)),
        Key("magnitude", "Size of an input spike.", float, constraint=Interval(0, None)),
        Key(
            "input_firing_steps",
            "Network steps per game step during which inputs fire; -1 for all.",
            int,
            default=-1,
            constraint=Interval(-1, None),
        ),
        Key(
            "input_pct_inhibitory",
            "Fraction of inhibitory inputs (polarity -1).",
            float,
            default=0.0,
            constraint=Interval(0, 1),
        ),
        Key(
            "input_polarities",
            "Optional fixed polarities, +1/-1 per input; drawn from input_pct_inhibitory when None.",
            np.ndarray,
            default=None,
        ),
    ]

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.polarities = polarities_from(
            self._input_polarities,
            self._input_pct_inhibitory,
            self._n_inputs,
            self.init_rng(),
            self,
            "input_polarities",
        )
        self._spike_values = self.polarities * self._magnitude
        self.values = None
        self.network_time = 0

    def _params_changed(self, names: set[str]) -> None:
        self._spike_values = self.polarities * self._magnitude

    def __len__(self) -> int:
        return self._n_inputs

    def reset(self) -> None:
        """Forget the current state."""
        self.values = None
        self.network_time = 0

    def update(self, state: Any) -> None:
        """Take the game state to encode during the next network steps.

        Parameters
        ----------
        state : object
            The game state, in a form this input understands.
        """
        self.network_time = 0
        try:
            self.values = tuple(state)
        except TypeError:
            self.values = state

    def _fire(self) -> np.ndarray:
        """Boolean ``(n_inputs,)``: which inputs spike at this network step."""
        raise NotImplementedError(f"{type(self).__name__} must implement _fire() or __call__().")

    def __call__(self) -> np.ndarray:
        """Spikes of this network step.

        Returns
        -------
        ndarray, shape (n_inputs,), float
            ``magnitude * polarity`` where an input spikes, else 0.
        """
        steps = self._input_firing_steps
        if steps != -1 and self.network_time >= steps:
            out = np.zeros(self._n_inputs)
        else:
            out = self._fire() * self._spike_values
        self.network_time += 1
        return out

    #: Methods through which a class gives its compiled-engine kernel, and the Python
    #: step methods it stands in for (see :func:`spikey.snn.engine.kernel.kernel_owner`).
    KERNEL_PROVIDERS = ("_numba_kernel", "_fire_block")
    KERNEL_REPLACES = ("__call__", "_fire", "_emit_block")

    def _fire_block(self, n_steps: int) -> np.ndarray:
        """Boolean ``(n_steps, n_inputs)``: :meth:`_fire` for ``n_steps`` steps at once.

        Subclasses that implement it (with the same random draws as ``n_steps`` calls of
        ``_fire``) run on the compiled engine.
        """
        raise NotImplementedError

    def _emit_block(self, n_steps: int) -> np.ndarray:
        """Spikes of the next ``n_steps`` network steps, ``(n_steps, n_inputs)``: what
        ``n_steps`` calls of :meth:`__call__` return, in one vectorised call."""
        steps = self._input_firing_steps
        active = n_steps if steps == -1 else min(n_steps, max(0, steps - self.network_time))
        out = np.zeros((n_steps, self._n_inputs))
        if active:
            out[:active] = self._fire_block(active) * self._spike_values
        self.network_time += n_steps
        return out

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """An input's kernel is its spike block for the tick: ``params = (block,)``."""
        return PartKernel({}, params=(self._emit_block(n_steps),))

