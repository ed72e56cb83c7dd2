"""Readouts for Gymnasium action spaces: discrete action pools and a continuous population code."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key, OneOf
from spikey.snn.readout.neuron_rates import pool_bounds
from spikey.snn.readout.template import Readout

__all__ = ["ActionPools", "PopulationCode"]


class ActionPools(Readout):
    """Discrete action: the pool of output neurons that fired most in the game step.

    The ``n_outputs`` output neurons are split into ``n_actions`` consecutive pools
    (as near-equal as possible); the action is the index of the pool with the most
    spikes during the game step. Ties (e.g. no spike at all) go to ``tie_action``
    when it is set, else to a pool drawn from the readout's own generator.

    :meth:`check_action_space` rejects a Gymnasium action space that this readout
    cannot serve (anything but ``Discrete(n_actions)``).

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.readout import ActionPools
    >>> r = ActionPools(n_outputs=4, n_actions=2, tie_action=0)
    >>> train = np.zeros((5, 4), dtype=bool); train[1:, 3] = True
    >>> r(train), r(np.zeros((5, 4), dtype=bool))
    (1, 0)
    """

    NECESSARY_KEYS = Readout.extend_keys(
        [
            Key(
                "n_actions", "Number of discrete actions (one pool each).", int, constraint=Interval(1, None)
            ),
            Key(
                "tie_action",
                "Action taken on a tie between pools (None: drawn at random).",
                int,
                default=None,
                constraint=Interval(0, None),
            ),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        name = type(self).__name__
        if self._n_outputs < self._n_actions:
            raise ConfigError(
                f"{name}.n_outputs: expected at least one output neuron per action (n_actions="
                f"{self._n_actions}); got {self._n_outputs}."
            )
        if self._tie_action is not None and self._tie_action >= self._n_actions:
            raise ConfigError(
                f"{name}.tie_action: expected an action in [0, {self._n_actions - 1}] or None; got {self._tie_action}."
            )
        self._bounds = pool_bounds(self._n_outputs, self._n_actions)

    def check_action_space(self, space: Any) -> None:
        """Raise :class:`~spikey.errors.ConfigError` unless ``space`` is ``Discrete(n_actions)``."""
        n = getattr(space, "n", None)
        name = type(self).__name__
        if n is None or getattr(space, "shape", None) not in ((), None):
            raise ConfigError(
                f"{name}.n_actions: this readout serves a Discrete action space; got {space!r} "
                "(use PopulationCode for a Box space)."
            )
        if int(n) != self._n_actions:
            raise ConfigError(
                f"{name}.n_actions: the action space has {int(n)} actions; got n_actions={self._n_actions}."
            )
        if int(getattr(space, "start", 0)) != 0:
            raise ConfigError(
                f"{name}.n_actions: expected actions numbered from 0; the space starts at {space.start}."
            )

    def counts(self, output_spike_train: np.ndarray) -> np.ndarray:
        """Spikes per pool in the game step, shape (n_actions,)."""
        per_neuron = np.count_nonzero(np.asarray(output_spike_train), axis=0)
        return np.add.reduceat(per_neuron, self._bounds[:-1])

    def __call__(self, output_spike_train: np.ndarray) -> int:
        """The chosen action index."""
        counts = self.counts(output_spike_train)
        best = np.flatnonzero(counts == counts.max())
        if best.size == 1:
            return int(best[0])
        if self._tie_action is not None:
            return int(self._tie_action)
        return int(self.rng.choice(best))


class PopulationCode(Readout):
    """Continuous action from a population vector over output neurons with preferred values.

    The outputs are split into ``n_action_dims`` pools of ``m`` neurons; neuron ``i``
    of a pool prefers the value :math:`u_i` = ``linspace(action_low, action_high, m)[i]``.
    With :math:`c_i` the neuron's spike count in the game step, the action is

    .. math:: a = \\sum_i c_i u_i \\Big/ \\sum_i c_i,

    or the middle of the range when the pool is silent (``rule="vector"``). With
    ``rule="difference"`` and ``m = 2`` (a push-pull pair), the action is
    :math:`\\text{mid} + \\text{half} \\cdot \\tanh((c_1 - c_0)/\\text{action\\_scale})`,
    which can reach the ends of the range without the other neuron being silent.

    Returns a float32 array of shape ``(n_action_dims,)`` (Gymnasium's Box dtype).

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.readout import PopulationCode
    >>> r = PopulationCode(n_outputs=3, n_action_dims=1, action_low=-2.0, action_high=2.0)
    >>> train = np.zeros((4, 3), dtype=bool); train[:, 2] = True; train[0, 1] = True
    >>> r(train).tolist()
    [1.600000023841858]
    """

    NECESSARY_KEYS = Readout.extend_keys(
        [
            Key(
                "n_action_dims",
                "Dimensions of the continuous action.",
                int,
                default=1,
                constraint=Interval(1, None),
            ),
            Key("action_low", "Lowest action value.", float, default=-1.0),
            Key("action_high", "Highest action value.", float, default=1.0),
            Key(
                "rule",
                "'vector' (spike-count-weighted mean of preferred values) or 'difference' (tanh of the "
                "count difference of a push-pull pair).",
                str,
                default="vector",
                constraint=OneOf("vector", "difference"),
            ),
            Key(
                "action_scale",
                "Spike-count difference giving tanh(1) of the half range (rule='difference').",
                float,
                default=5.0,
                constraint=Interval(0, None, low_closed=False),
            ),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        name = type(self).__name__
        if not self._action_low < self._action_high:
            raise ConfigError(
                f"{name}.action_high: expected action_low < action_high; got ({self._action_low}, {self._action_high})."
            )
        d = self._n_action_dims
        if self._n_outputs % d or self._n_outputs // d < 2:
            raise ConfigError(
                f"{name}.n_outputs: expected a multiple of n_action_dims={d} with at least 2 neurons per "
                f"dimension; got {self._n_outputs}."
            )
        m = self._n_outputs // d
        if self._rule == "difference" and m != 2:
            raise ConfigError(f"{name}.rule: 'difference' needs 2 output neurons per dimension; got {m}.")
        self._m = m
        self._preferred = np.linspace(self._action_low, self._action_high, m)

    def check_action_space(self, space: Any) -> None:
        """Raise :class:`~spikey.errors.ConfigError` unless ``space`` is a Box this readout serves."""
        name = type(self).__name__
        low, high = getattr(space, "low", None), getattr(space, "high", None)
        if low is None or high is None:
            raise ConfigError(f"{name}.n_action_dims: this readout serves a Box action space; got {space!r}.")
        low, high = np.ravel(low), np.ravel(high)
        if low.size != self._n_action_dims:
            raise ConfigError(
                f"{name}.n_action_dims: the action space has {low.size} dimension(s); got {self._n_action_dims}."
            )
        if np.any(self._action_low < low) or np.any(self._action_high > high):
            raise ConfigError(
                f"{name}.action_low: the range ({self._action_low}, {self._action_high}) leaves the action "
                f"space's bounds ({low.tolist()}, {high.tolist()})."
            )

    def __call__(self, output_spike_train: np.ndarray) -> np.ndarray:
        """The action, float32 array of shape (n_action_dims,)."""
        counts = np.count_nonzero(np.asarray(output_spike_train), axis=0).reshape(
            self._n_action_dims, self._m
        )
        mid = 0.5 * (self._action_low + self._action_high)
        if self._rule == "difference":
            half = 0.5 * (self._action_high - self._action_low)
            out = mid + half * np.tanh((counts[:, 1] - counts[:, 0]) / self._action_scale)
        else:
            total = counts.sum(axis=1)
            weighted = counts @ self._preferred
            out = np.where(total > 0, weighted / np.maximum(total, 1), mid)
        return out.astype(np.float32)
