"""Reward when the action matches the expected one."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Key
from spikey.snn.engine.kernel import PartKernel, kernel
from spikey.snn.reward.template import Reward

__all__ = ["MatchExpected"]


class MatchExpected(Reward):
    """``reward_mult`` for each action element equal to ``expected_value(state)``,
    ``-punish_mult`` for each that differs (summed).

    Examples
    --------
    >>> from spikey.snn.reward import MatchExpected
    >>> r = MatchExpected(expected_value=lambda s: sum(s) % 2, punish_mult=2.0)
    >>> r((1, 0), 1), r((1, 1), 1)
    (1.0, -2.0)
    """

    NECESSARY_KEYS = Reward.extend_keys([Key("expected_value", "f(state) -> the correct action.", callable)])

    def __call__(self, state: Any, action: Any, state_next: Any = None) -> float:
        """Reward for ``action`` (see class docstring)."""
        expected = self._expected_value(state)
        match = np.asarray(action) == np.asarray(expected)
        return float(np.sum(np.where(match, self._reward_mult, -self._punish_mult)))

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """:func:`match_expected_step` against ``expected_value(state)`` per output."""
        n_out = network._n_outputs
        expected = np.broadcast_to(np.asarray(self._expected_value(state), dtype=np.float64), (n_out,))
        return PartKernel(
            {"step": match_expected_step},
            params=(np.ascontiguousarray(expected), float(self._reward_mult), float(self._punish_mult)),
        )


@kernel
def match_expected_step(P, fired):  # noqa: N803 - kernel signature
    """``sum_k (a if fired_k == expected_k else -b)`` (``MatchExpected.__call__``)."""
    expected, a, b = P
    r = 0.0
    for k in range(fired.shape[0]):
        r += a if (1.0 if fired[k] else 0.0) == expected[k] else -b
    return r

