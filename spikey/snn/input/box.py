"""Population coding of Box observations (Gymnasium ``Box`` spaces) with radial-basis fields."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key, OneOf
from spikey.snn.input.rbf import RBF

__all__ = ["BoxRBF", "box_ranges"]


def box_ranges(space: Any, given: Any = None, owner: str = "BoxRBF") -> list[tuple[float, float]]:
    """The ``(low, high)`` of every dimension of a Box observation space.

    A dimension's range comes from ``given`` when it gives one for that dimension
    (a pair, or None to use the space's bound), else from the space. Unbounded
    dimensions (``inf`` in the space, e.g. CartPole's velocities) need a given range.

    Parameters
    ----------
    space : gymnasium.spaces.Box or object with ``low``, ``high`` and ``shape``
        The observation space.
    given : sequence of (low, high) or None, optional
        One entry per dimension (``None`` entries take the space's bound).
    owner : str
        Name used in error messages.

    Returns
    -------
    list of (float, float)

    Raises
    ------
    ConfigError
        For a space that is not a Box, a ``given`` of the wrong length, a pair with
        ``low >= high``, or an unbounded dimension without a given range (the message
        names the key ``state_ranges`` and the dimension).

    Examples
    --------
    >>> import gymnasium
    >>> from spikey.snn.input import box_ranges
    >>> space = gymnasium.make("MountainCar-v0").observation_space
    >>> [(round(lo, 2), round(hi, 2)) for lo, hi in box_ranges(space)]
    [(-1.2, 0.6), (-0.07, 0.07)]
    """
    low = getattr(space, "low", None)
    high = getattr(space, "high", None)
    if low is None or high is None:
        raise ConfigError(
            f"{owner}.state_ranges: expected a Box observation space (with low and high); got "
            f"{type(space).__name__} {space!r}."
        )
    low = np.asarray(low, dtype=float).ravel()
    high = np.asarray(high, dtype=float).ravel()
    if given is not None:
        given = list(given)
        if len(given) != low.size:
            raise ConfigError(
                f"{owner}.state_ranges: expected {low.size} entries (one per observation dimension, None "
                f"for the space's bound); got {len(given)}."
            )
    out = []
    for k in range(low.size):
        pair = None if given is None else given[k]
        if pair is None:
            lo, hi = float(low[k]), float(high[k])
            if not (np.isfinite(lo) and np.isfinite(hi)):
                raise ConfigError(
                    f"{owner}.state_ranges: observation dimension {k} is unbounded ({lo:g}, {hi:g}) in the "
                    f"space; give its (low, high) in state_ranges (e.g. state_ranges[{k}] = (-2.0, 2.0))."
                )
        else:
            try:
                lo, hi = (float(v) for v in pair)
            except (TypeError, ValueError):
                raise ConfigError(
                    f"{owner}.state_ranges[{k}]: expected a (low, high) pair of numbers or None; got {pair!r}."
                ) from None
        if not lo < hi:
            raise ConfigError(f"{owner}.state_ranges[{k}]: expected low < high; got ({lo:g}, {hi:g}).")
        out.append((lo, hi))
    return out


class BoxRBF(RBF):
    """Radial-basis population coding of a Box observation, regular or Poisson spikes.

    Each of the ``d`` observation dimensions is covered by ``n_inputs / d`` Gaussian
    fields (as :class:`~spikey.snn.input.RBF`): in dimension ``k`` with range
    ``(low, high)`` the centres are ``linspace(low, high, m)``, the width
    ``sigma = rbf_width * (high - low) / (m - 1)``, and field ``j`` has the rate

    .. math:: p_j = \\text{rbf\\_rate}\\, \\exp(-(\\text{clip}(x_k) - c_j)^2 / 2\\sigma^2)

    spikes per network step, with :math:`x_k` clipped into its range (so values beyond
    the range still drive the outermost field). ``state_ranges`` is derived from a
    Gymnasium space with :func:`box_ranges` (which names unbounded dimensions).

    ``spike_mode``:

    - ``"regular"`` (default): deterministic spike trains; field ``j`` spikes at
      network step ``t`` of a game step when ``floor((t + 1) p_j + 1/2)`` exceeds
      ``floor(t p_j + 1/2)``, i.e. ``round(T p_j)`` spikes in ``T`` steps, evenly
      spaced. A network of deterministic neurons is then a deterministic policy, which
      evolution strategies score with less noise.
    - ``"poisson"``: a spike with probability :math:`p_j` at each step (as RBF).

    Examples
    --------
    >>> from spikey.snn.input import BoxRBF
    >>> enc = BoxRBF(n_inputs=6, magnitude=1.0, state_ranges=[(-1, 1), (0, 2)], rbf_rate=1.0)
    >>> enc.reset(); enc.update([5.0, 1.0])
    >>> enc._fire_block(4).sum(axis=0).tolist()     # x_0 = 5 is clipped to 1, the last field of dim 0
    [1, 2, 4, 2, 4, 2]
    """

    NECESSARY_KEYS = RBF.extend_keys(
        [
            Key(
                "spike_mode",
                "'regular' (deterministic, evenly spaced spikes at each field's rate) or 'poisson'.",
                str,
                default="regular",
                constraint=OneOf("regular", "poisson"),
            ),
            Key(
                "rbf_rate",
                "Spikes per network step at a field's centre.",
                float,
                default=0.5,
                constraint=Interval(0, 1),
            ),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        ranges = np.asarray(self._state_ranges, dtype=float)
        self._low = ranges[:, 0]
        self._high = ranges[:, 1]

    def update(self, state: Any) -> None:
        """Compute each field's rate for ``state`` (clipped into ``state_ranges``)."""
        x = np.asarray(state, dtype=float).ravel()
        if x.size != self._n_dims:
            raise ConfigError(
                f"{type(self).__name__}: expected an observation with {self._n_dims} values (one per "
                f"state_ranges entry); got {x.size}."
            )
        if not np.all(np.isfinite(x)):
            raise ConfigError(f"{type(self).__name__}: the observation is not finite: {x.tolist()}.")
        super().update(np.clip(x, self._low, self._high))

    def _counts(self, t: np.ndarray) -> np.ndarray:
        return np.floor(np.multiply.outer(t, self.values) + 0.5)

    def _fire(self) -> np.ndarray:
        if self._spike_mode == "poisson":
            return super()._fire()
        t = self.network_time
        return self._counts(np.array([t + 1.0]))[0] > self._counts(np.array([float(t)]))[0]

    def _fire_block(self, n_steps: int) -> np.ndarray:
        if self._spike_mode == "poisson":
            return super()._fire_block(n_steps)
        t0 = float(self.network_time)
        counts = self._counts(t0 + np.arange(n_steps + 1, dtype=float))
        return np.diff(counts, axis=0) > 0
