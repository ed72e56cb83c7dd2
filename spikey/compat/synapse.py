"""The original Spikey's ``RLSTDPET`` learning rule, as it computed (opt-in).

spikey's :class:`spikey.snn.synapse.RLSTDPET` is Florian's (2007) MSTDPET. The
original Spikey's rule of that name was a different one; code whose learning rates were
tuned for it (e.g. the original's ``florian2007_XOR`` notebook) gets its results back
with ``spikey.compat.RLSTDPET`` in the ``synapses`` slot. It runs on the reference
engine (it keeps a window of past spikes, which the compiled engine does not model).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.synapse.template import Synapse

__all__ = ["RLSTDPET", "window_credit"]


def window_credit(window: np.ndarray) -> np.ndarray:
    """STDP credit of every neuron for the spikes in a window (oldest row first).

    A spike ``d`` steps before the window's last row earns ``stdp_window + 1 - d``
    (``stdp_window`` = the window's length); the last row earns nothing.

    Parameters
    ----------
    window : ndarray of bool, shape (stdp_window, n_pre)

    Returns
    -------
    ndarray, shape (n_pre,)

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.compat.synapse import window_credit
    >>> w = np.zeros((4, 2), bool); w[2, 0] = w[0, 0] = w[1, 1] = True
    >>> window_credit(w).tolist()   # window 4: d=1 -> 4, d=3 -> 2; d=2 -> 3
    [6.0, 3.0]
    """
    n = window.shape[0]
    credit = np.arange(2, n + 1, dtype=float)  # row r (d = n - 1 - r) earns r + 2 = n + 1 - d
    return credit @ window[:-1]


class RLSTDPET(Synapse):
    """The original Spikey's reward-modulated STDP with a reward trace (2021-2022).

    Each network step, with :math:`W` = ``stdp_window`` and the last :math:`W` steps'
    spikes (ending with the previous step; the original updated from the spike log
    before the current step's row), :math:`c_i = \\sum_{d} (W + 1 - d)` summed over
    neuron :math:`i`'s spikes :math:`d = 1 .. W - 1` steps before the newest row
    (:func:`window_credit`), and :math:`p_i` the polarity of presynaptic neuron :math:`i`:

    1. the reward trace decays: :math:`T \\leftarrow (1 - \\text{trace\\_decay}) T`;
    2. if some neuron spiked in the older rows and some in the newest row, with
       :math:`m = \\eta T / W`:

       - potentiation: :math:`w_{ij} \\mathrel{+}= p_i c_i m` for every neuron
         :math:`i` that spiked in the older rows and body neuron :math:`j` in the newest;
       - depression: :math:`w_{kq} \\mathrel{-}= p_k c_q m` for every neuron :math:`k`
         (row index, inputs included) in the newest row and body neuron :math:`q` in the
         older rows, where :math:`c_q` is the credit of neuron *index* :math:`q` counted
         from 0 over all neurons (the original used the body index there, not
         ``n_inputs + q``; kept as it computed);
       - all weights are clipped to ``[0, max_weight]``; absent synapses stay absent.

    A reward adds to the trace: :math:`T \\mathrel{+}= r`.

    Notes
    -----
    Use it where results of the original Spikey must be reproduced; new code should use
    :class:`spikey.snn.synapse.RLSTDPET` (Florian's MSTDPET), whose rates differ (see
    the guide page "Coming from Spikey" for retuned rates). ``inh_weight_mask`` signs
    are not applied (the original had none).
    """

    STATE = ("trace", "_window")

    NECESSARY_KEYS = Synapse.extend_keys(
        [
            Key(
                "learning_rate",
                "Scale of weight changes (divided by stdp_window).",
                float,
                constraint=Interval(0, None),
            ),
            Key(
                "stdp_window",
                "Steps of spike history the rule looks back over.",
                int,
                constraint=Interval(2, None),
            ),
            Key(
                "trace_decay",
                "Fraction of the reward trace lost each step.",
                float,
                constraint=Interval(0, 1),
            ),
        ]
    )

    def __init__(self, w: Any, **kwargs: Any):
        super().__init__(w, **kwargs)
        if getattr(w, "sparse", False):
            from spikey.errors import ConfigError

            raise ConfigError(f"{type(self).__name__}: expected dense weights; got sparse storage.")
        self.trace = 0.0
        self._window: np.ndarray | None = None

    def reset(self) -> None:
        """Zero the reward trace and the spike window."""
        self.trace = 0.0
        self._window = np.zeros((self._stdp_window, self.n_pre), dtype=bool)

    def update(self, fired: np.ndarray, polarities: np.ndarray) -> None:
        """One step of the rule (see the class docstring); then remember ``fired``."""
        if self._window is None:
            self.reset()
        self.trace *= 1.0 - self._trace_decay
        self._learn(self._window, np.asarray(polarities, dtype=float))
        self._window[:-1] = self._window[1:]
        self._window[-1] = fired

    def _learn(self, window: np.ndarray, pol: np.ndarray) -> None:
        pre_idx = np.flatnonzero(window[:-1].any(axis=0))
        post_idx = np.flatnonzero(window[-1])
        if not pre_idx.size or not post_idx.size:
            return
        n_in = self._n_inputs
        credit = window_credit(window)
        scale = self._learning_rate / self._stdp_window * self.trace
        m = self.weights.matrix
        body_post = post_idx[post_idx >= n_in] - n_in
        m[np.ix_(pre_idx, body_post)] += (pol[pre_idx] * credit[pre_idx] * scale)[:, None]
        body_pre = pre_idx[pre_idx >= n_in] - n_in
        m[np.ix_(post_idx, body_pre)] -= pol[post_idx][:, None] * credit[body_pre][None, :] * scale
        np.clip(m, 0.0, self.weights.max_weight, out=m)
        m[~self.weights.mask] = 0.0

    def reward(self, rwd: float) -> None:
        """Add the reward to the trace (while training)."""
        if self.training:
            self.trace += float(rwd)
