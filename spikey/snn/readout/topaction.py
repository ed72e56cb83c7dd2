"""Index of the most active action pool."""

from __future__ import annotations

import numpy as np

from spikey.snn.readout.population_vector import PopulationVector

__all__ = ["TopAction"]


class TopAction(PopulationVector):
    """The index of the pool with the largest population-vector share.

    Ties are broken at random with the readout's own generator.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.readout import TopAction
    >>> r = TopAction(n_outputs=4, n_actions=2, seed=0)
    >>> train = np.zeros((30, 4), dtype=bool); train[5:, 3] = True
    >>> r(train)
    1
    """

    def __call__(self, output_spike_train: np.ndarray) -> int:
        """The chosen action index."""
        pv = super().__call__(output_spike_train)
        best = np.flatnonzero(pv == pv.max())
        return int(best[0] if best.size == 1 else self.rng.choice(best))
