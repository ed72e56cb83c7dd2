"""The common base of every network part (neuron, synapse, input, ...)."""

from __future__ import annotations

import copy as _copy
from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Module, describe_value

__all__ = ["Part", "polarities_from"]


class Part(Module):
    """Base of all part templates: state handling and train/eval.

    The contract every part family follows:

    - ``__init__`` validates and stores keys, and makes the one-off structural draws
      (e.g. polarities) from :meth:`init_rng`;
    - :meth:`reset` allocates the dynamic state listed in ``STATE``;
    - random draws during simulation come from ``self.rng`` only;
    - :meth:`state_dict` / :meth:`load_state_dict` save and restore ``STATE`` and the
      generator, so a run continues bit-identically after a restore.
    """

    #: Names of attributes that change while the network runs.
    STATE: tuple[str, ...] = ()
    #: Names in ``STATE`` that :meth:`reset` keeps on purpose (learned parameters, e.g. a
    #: critic's weights); a replay after ``seed(s)`` + ``reset()`` restores them first.
    LEARNED: tuple[str, ...] = ()
    #: Family of the part ("neurons", "synapses", ...), used in messages and streams.
    FAMILY: str = "part"

    #: Rows of uniform numbers drawn at once by :meth:`_uniforms`.
    RANDOM_BLOCK = 64

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.training = True

    def seed(self, seed: int | None = None, stream: str | None = None) -> int:
        """(Re)seed ``self.rng`` and drop uniforms drawn in advance."""
        self._ubuf, self._upos = None, 0
        return super().seed(seed, stream)

    def _uniforms(self, n: int) -> np.ndarray:
        """``n`` uniform numbers in [0, 1) from ``self.rng``, drawn in blocks.

        The same seed gives the same sequence; the block buffer is part of the state.
        """
        buf, pos = self._ubuf, self._upos
        if buf is None or pos >= len(buf) or buf.shape[1] != n:
            buf = self._ubuf = self.rng.random((self.RANDOM_BLOCK, n))
            pos = 0
        self._upos = pos + 1
        return buf[pos]

    def _uniform_rows(self, k: int, n: int) -> np.ndarray:
        """``k`` rows of :meth:`_uniforms` at once, ``(k, n)``: the same numbers, from the
        same stream and block buffer, as ``k`` calls of ``_uniforms(n)``."""
        out = np.empty((k, n))
        i = 0
        while i < k:
            buf, pos = self._ubuf, self._upos
            if buf is None or pos >= len(buf) or buf.shape[1] != n:
                buf = self._ubuf = self.rng.random((self.RANDOM_BLOCK, n))
                pos = 0
            take = min(k - i, len(buf) - pos)
            out[i : i + take] = buf[pos : pos + take]
            self._upos = pos + take
            i += take
        return out

    def set_params(self, **params: Any) -> Part:
        """Validate and set keys by name, then refresh values derived from them."""
        super().set_params(**params)
        self._params_changed(set(params))
        return self

    def _params_changed(self, names: set[str]) -> None:
        """Recompute values derived from keys after :meth:`set_params` (hook)."""

    def reset(self) -> None:
        """Set the dynamic state to its initial value."""

    def train(self, mode: bool = True) -> Part:
        """Switch learning on (``mode=True``) or off; returns ``self``."""
        self.training = bool(mode)
        return self

    def eval(self) -> Part:
        """Switch learning off; returns ``self``."""
        return self.train(False)

    def state_dict(self) -> dict[str, Any]:
        """Copies of the ``STATE`` attributes plus the generator state.

        Returns
        -------
        dict
            ``{name: value}`` for each name in ``STATE`` and ``"__rng__"`` for the
            state of ``self.rng``.
        """
        names = self.STATE + ("_ubuf", "_upos")
        out = {name: _copy.deepcopy(getattr(self, name, None)) for name in names}
        out["__rng__"] = _copy.deepcopy(self.rng.bit_generator.state)
        return out

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        for name in self.STATE + ("_ubuf", "_upos"):
            if name in state:
                value = state[name]
                if isinstance(value, np.ndarray):
                    value = value.copy()
                setattr(self, name, _copy.deepcopy(value))
        if "__rng__" in state:
            self.rng.bit_generator.state = _copy.deepcopy(state["__rng__"])


def polarities_from(
    given: np.ndarray | None, pct_inhibitory: float, n: int, rng: np.random.Generator, part: Any, key: str
) -> np.ndarray:
    """Polarities (+1/-1 per neuron): the ``given`` array, checked, or drawn from ``rng``
    so that each neuron is inhibitory with probability ``pct_inhibitory``."""
    if given is not None:
        pol = np.asarray(given, dtype=float)
        if pol.shape != (n,) or not np.all(np.isin(pol, (-1.0, 1.0))):
            raise ConfigError(
                f"{type(part).__name__}.{key}: expected an array of shape ({n},) with values "
                f"+1 or -1; got {describe_value(given)}."
            )
        return pol.copy()
    return np.where(rng.random(n) < pct_inhibitory, -1.0, 1.0)
