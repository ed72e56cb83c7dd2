"""Weight template: the synaptic weight matrix and its connectivity.

``matrix`` has shape ``(n_inputs + n_neurons, n_neurons)``: row ``i`` is the
presynaptic neuron (inputs first, then body neurons), column ``j`` the postsynaptic
body neuron. Values are magnitudes in ``[0, max_weight]``; the sign of a synapse comes
from its presynaptic neuron's polarity (and, optionally, ``inh_weight_mask``).
Connectivity is the explicit boolean ``mask``: learning never creates or touches a
synapse outside it.

Storage (key ``storage``) is dense (an ``(n_pre, n_post)`` array) or sparse: per
presynaptic row, the columns and values of the synapses that exist (CSR: ``indptr``,
``indices``, ``values``), so that memory grows with the number of synapses, not with
``n_pre * n_post``. ``"auto"`` stores sparsely when the matrix is large
(``n_pre * n_post >= SPARSE_MIN_SIZE``) and its density low (``<= SPARSE_MAX_DENSITY``).
"""

from __future__ import annotations

import copy as _copy
from typing import Any

import numpy as np
import scipy.sparse as sp

from spikey.compat.weights import OriginalWeightAPI
from spikey.errors import ConfigError, ShapeError
from spikey.module import Interval, Key, OneOf
from spikey.snn.part import Part

__all__ = ["Weight", "SPARSE_MIN_SIZE", "SPARSE_MAX_DENSITY", "STORAGES"]

#: ``storage="auto"`` stores sparsely only matrices with at least this many entries ...
SPARSE_MIN_SIZE = 1_000_000
#: ... and at most this fraction of them present.
SPARSE_MAX_DENSITY = 0.1
#: Values of the key ``storage``.
STORAGES = ("auto", "dense", "sparse")
#: Matrices and masks accepted in keys: dense arrays or scipy.sparse matrices/arrays.
SPARSE_TYPES = (sp.sparray, sp.spmatrix)
_INDEX = np.int32
_MAX_INDEX = np.iinfo(np.int32).max


class Weight(Part, OriginalWeightAPI):
    """Synaptic weights (template).

    Subclasses build the weights in ``__init__`` by calling :meth:`_set_matrix`
    (dense arrays) or :meth:`_set_sparse` (per-row synapse lists); either one stores
    them as key ``storage`` says.

    Attributes
    ----------
    matrix : ndarray or scipy.sparse.csr_array, shape (n_inputs + n_neurons, n_neurons)
        Weight magnitudes; zero outside ``mask``. For sparse storage a
        ``csr_array`` whose ``data`` *is* :attr:`values` (no copy: writing
        ``matrix.data`` changes the weights; changing its structure does not): read it
        with ``matrix[i, j]``, ``matrix[rows, cols]``, ``matrix.toarray()`` (which
        allocates ``n_pre * n_post`` floats, as any dense view would).
    mask : ndarray of bool, or csr_array of bool
        Which synapses exist (sparse: every stored entry, built on access).
    signs : ndarray of float, csr_array of float, or None
        ``-1`` where ``inh_weight_mask`` marks a synapse inhibitory, else ``+1``;
        None when no mask was given.
    sparse : bool
        Whether the weights are stored sparsely.
    indptr, indices, values : ndarray
        Sparse storage only (else None): the synapses of presynaptic row ``i`` are
        ``indices[indptr[i]:indptr[i + 1]]`` (int32 post columns, sorted) with
        magnitudes ``values[...]`` (float64). ``indptr`` and ``indices`` are read-only
        (the structure changes only through :meth:`_set_sparse`, e.g. a new ``matrix``). ``synapse_signs`` (int8, +1/-1, aligned
        with ``values``) exists only when ``inh_weight_mask`` was given.
    """

    FAMILY = "weights"
    RNG_STREAM = "weights"
    STATE = ("matrix", "mask")
    #: ``STATE`` of a weight part with sparse storage.
    SPARSE_STATE = ("indptr", "indices", "values", "synapse_signs")

    NECESSARY_KEYS = [
        Key("n_inputs", "Number of input neurons.", int, constraint=Interval(0, None)),
        Key("n_neurons", "Number of body neurons.", int, constraint=Interval(1, None)),
        Key(
            "max_weight",
            "Largest weight magnitude; learning clips to [0, max_weight].",
            float,
            default=1.0,
            constraint=Interval(0, None, low_closed=False),
        ),
        Key(
            "inh_weight_mask",
            "Optional bool (n_inputs + n_neurons, n_neurons): synapses that inhibit.",
            (np.ndarray, *SPARSE_TYPES),
            default=None,
        ),
        Key(
            "storage",
            "How synapses are stored: 'dense' array, 'sparse' (per-row synapse lists, memory per "
            "synapse), or 'auto' (sparse when large and at most 10% dense).",
            str,
            default="auto",
            constraint=OneOf(*STORAGES),
        ),
    ]

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.sparse = False
        self.indptr = self.indices = self.values = self.synapse_signs = None
        self._dense_mask = self._dense_signs = None
        if self._storage == "sparse" or (self._storage == "auto" and self.size >= SPARSE_MIN_SIZE):
            # may become sparse: allocate nothing of size n_pre * n_post yet
            self._dense_matrix = None
            return
        self._dense_matrix = np.zeros(self.shape)
        self._dense_mask = np.zeros(self.shape, dtype=bool)
        self._dense_signs = self._dense_sign_matrix()

    # ------------------------------------------------------------------ shape & storage
    @property
    def shape(self) -> tuple[int, int]:
        """``(n_inputs + n_neurons, n_neurons)``."""
        return (self._n_inputs + self._n_neurons, self._n_neurons)

    @property
    def size(self) -> int:
        """``n_pre * n_post``: entries of the dense matrix."""
        return int(self.shape[0]) * int(self.shape[1])

    @property
    def n_synapses(self) -> int:
        """Number of synapses that exist."""
        return int(self.indptr[-1]) if self.sparse else int(np.count_nonzero(self.mask))

    @property
    def max_weight(self) -> float:
        """Largest allowed weight magnitude."""
        return self._max_weight

    def wants_sparse(self, density: float) -> bool:
        """Whether weights of this ``density`` (fraction of entries present) are stored
        sparsely under the key ``storage``."""
        if self._storage != "auto":
            return self._storage == "sparse"
        return self.size >= SPARSE_MIN_SIZE and density <= SPARSE_MAX_DENSITY

    def _mark_sparse(self, flag: bool) -> None:
        """Switch the storage flag (and the instance's ``STATE`` with it)."""
        self.sparse = flag
        self._columns = self._checked_structure = None
        if flag:
            self.STATE = self.SPARSE_STATE
            self._dense_matrix = self._dense_mask = self._dense_signs = None
        else:
            self.__dict__.pop("STATE", None)
            self.indptr = self.indices = self.values = self.synapse_signs = None

    def _check_shape(self, array: Any, key: str) -> np.ndarray:
        arr = array if isinstance(array, SPARSE_TYPES) else np.asarray(array)
        if arr.shape != self.shape:
            raise ShapeError(
                f"{type(self).__name__}.{key}: expected shape {self.shape} "
                f"(n_inputs + n_neurons, n_neurons) = ({self._n_inputs} + "
                f"{self._n_neurons}, {self._n_neurons}); got shape {arr.shape}."
            )
        return arr

    def _dense_sign_matrix(self) -> np.ndarray | None:
        if self._inh_weight_mask is None:
            return None
        inh = self._check_shape(self._inh_weight_mask, "inh_weight_mask")
        inh = inh.toarray() if isinstance(inh, SPARSE_TYPES) else inh
        return np.where(inh.astype(bool), -1.0, 1.0)

    def _set_matrix(self, matrix: np.ndarray, mask: np.ndarray) -> None:
        """Store dense weights ``matrix`` on the synapses of ``mask`` (both ``shape``);
        sparsely when :meth:`wants_sparse` says so."""
        mask = np.asarray(mask, dtype=bool)
        if self.wants_sparse(np.count_nonzero(mask) / max(self.size, 1)):
            rows, cols = mask.nonzero()
            self._set_sparse(rows, cols, np.asarray(matrix, dtype=np.float64)[rows, cols])
            return
        self._mark_sparse(False)
        self._dense_matrix = np.where(mask, np.asarray(matrix, dtype=np.float64), 0.0)
        self._dense_mask = mask.copy()
        self._dense_signs = self._dense_sign_matrix()

    def _set_sparse(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        """Store synapses ``(rows[k], cols[k])`` with magnitudes ``values[k]``, sparsely
        (or densely when ``storage='dense'``). Pairs must be distinct; ``rows`` sorted
        ascending (columns are sorted within each row here)."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        values = np.asarray(values, dtype=np.float64)
        name = type(self).__name__
        if not (rows.shape == cols.shape == values.shape and rows.ndim == 1):
            raise ShapeError(f"{name}: rows, cols and values of the synapses must be 1-d and of one length.")
        n_pre, n_post = self.shape
        if rows.size and (rows.min() < 0 or rows.max() >= n_pre or cols.min() < 0 or cols.max() >= n_post):
            raise ShapeError(f"{name}: a synapse lies outside the matrix {self.shape}.")
        if rows.size > _MAX_INDEX:
            raise ConfigError(f"{name}.storage: at most {_MAX_INDEX} synapses; got {rows.size}.")
        if self._storage == "dense":
            m = np.zeros(self.shape)
            mask = np.zeros(self.shape, dtype=bool)
            m[rows, cols] = values
            mask[rows, cols] = True
            self._set_matrix(m, mask)
            return
        order = np.lexsort((cols, rows))
        rows, cols, values = rows[order], cols[order], values[order]
        if rows.size > 1 and np.any((rows[1:] == rows[:-1]) & (cols[1:] == cols[:-1])):
            raise ConfigError(f"{name}: a synapse (row, column) appears twice.")
        self._mark_sparse(True)
        self.indptr = np.zeros(n_pre + 1, dtype=_INDEX)
        np.cumsum(np.bincount(rows, minlength=n_pre), out=self.indptr[1:])
        self.indices = cols.astype(_INDEX)
        self.indptr.flags.writeable = self.indices.flags.writeable = False  # structure is immutable
        self.values = values.copy()
        self.synapse_signs = None
        if self._inh_weight_mask is not None:
            inh = self._check_shape(self._inh_weight_mask, "inh_weight_mask")
            if isinstance(inh, SPARSE_TYPES):
                hit = np.asarray(sp.csr_array(inh, dtype=bool)[rows, cols]).ravel()
            else:
                hit = np.asarray(inh, dtype=bool)[rows, cols]
            self.synapse_signs = np.where(hit, -1, 1).astype(np.int8)

    _STORAGE_ATTRS = (
        "sparse", "STATE", "indptr", "indices", "values", "synapse_signs",
        "_dense_matrix", "_dense_mask", "_dense_signs",
    )

    def _storage_state(self) -> dict[str, Any]:
        """The attributes that hold the weights (to restore them after a failed change)."""
        return {k: self.__dict__[k] for k in self._STORAGE_ATTRS if k in self.__dict__}

    def _restore_storage(self, saved: dict[str, Any]) -> None:
        for k in self._STORAGE_ATTRS:
            self.__dict__.pop(k, None)
        self.__dict__.update(saved)

    def column_index(self) -> tuple[np.ndarray, np.ndarray]:
        """Sparse storage: per post column, the positions of its synapses.

        Built on first use and kept until the structure changes (4 bytes per synapse
        plus ``n_post + 1`` pointers); learning rules use it to reach the synapses of a
        post spike without scanning every row.

        Returns
        -------
        colptr : ndarray of int32, shape (n_post + 1,)
        perm : ndarray of int32, shape (nnz,)
            Synapses of column ``j`` are ``values[perm[colptr[j]:colptr[j + 1]]]``, in
            ascending row order.
        """
        cached = self.__dict__.get("_columns")
        if cached is None or cached[1].shape != self.indices.shape:
            perm = np.argsort(self.indices, kind="stable").astype(_INDEX)
            colptr = np.zeros(self.shape[1] + 1, dtype=_INDEX)
            np.cumsum(np.bincount(self.indices, minlength=self.shape[1]), out=colptr[1:])
            cached = self._columns = (colptr, perm)
        return cached

    def synapse_rows(self) -> np.ndarray:
        """Sparse storage: the presynaptic row of each stored synapse (int32, nnz)."""
        return np.repeat(np.arange(self.shape[0], dtype=_INDEX), np.diff(self.indptr))

    def _csr(self, data: np.ndarray) -> sp.csr_array:
        return sp.csr_array((data, self.indices, self.indptr), shape=self.shape, copy=False)

    # ------------------------------------------------------------------ views
    @property
    def matrix(self) -> Any:
        """Weight magnitudes ``(n_pre, n_post)``: an ndarray (dense) or a csr_array
        sharing :attr:`values` (sparse)."""
        if self.__dict__.get("sparse", False):
            return self._csr(self.values)
        return self.__dict__.get("_dense_matrix")

    @matrix.setter
    def matrix(self, value: Any) -> None:
        if self.__dict__.get("sparse", False):
            value = self._check_shape(value, "matrix")
            if isinstance(value, SPARSE_TYPES):
                c = sp.csr_array(value)
                if np.array_equal(c.indptr, self.indptr) and np.array_equal(c.indices, self.indices):
                    self.values[:] = c.data
                    return
                c.sum_duplicates()
                coo = c.tocoo()
                self._set_sparse(coo.row, coo.col, coo.data)
            else:  # a dense array for a sparse part: keep the structure, take its values there
                value = np.asarray(value, dtype=np.float64)
                self.values[:] = value[self.synapse_rows(), self.indices]
            return
        self.__dict__["_dense_matrix"] = value

    @property
    def mask(self) -> Any:
        """Which synapses exist: bool ndarray (dense) or csr_array of bool (sparse,
        built on access)."""
        if self.__dict__.get("sparse", False):
            return self._csr(np.ones(self.values.size, dtype=bool))
        return self.__dict__.get("_dense_mask")

    @mask.setter
    def mask(self, value: Any) -> None:
        if self.__dict__.get("sparse", False):
            raise ConfigError(
                f"{type(self).__name__}.mask: the connectivity of sparse weights is their structure; "
                "set new weights with matrix=<scipy.sparse matrix> instead."
            )
        self.__dict__["_dense_mask"] = value

    @property
    def signs(self) -> Any:
        """Signs from ``inh_weight_mask`` (None when not given): float ndarray (dense)
        or csr_array of float (sparse, built on access)."""
        if self.__dict__.get("sparse", False):
            if self.synapse_signs is None:
                return None
            return self._csr(self.synapse_signs.astype(np.float64))
        return self.__dict__.get("_dense_signs")

    @signs.setter
    def signs(self, value: Any) -> None:
        if self.__dict__.get("sparse", False):
            raise ConfigError(f"{type(self).__name__}.signs: sparse weights take signs from inh_weight_mask.")
        self.__dict__["_dense_signs"] = value

    @property
    def effective(self) -> Any:
        """Weights with ``inh_weight_mask`` signs applied (``matrix`` when unsigned)."""
        if self.sparse:
            if self.synapse_signs is None:
                return self.matrix
            return self._csr(self.values * self.synapse_signs)
        return self.matrix if self.signs is None else self.matrix * self.signs

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """As :meth:`Part.state_dict`; sparse storage saves its structure and values
        (``SPARSE_STATE``) plus ``"__storage__": "sparse"``."""
        out = super().state_dict()
        out["__storage__"] = "sparse" if self.sparse else "dense"
        return out

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (checked: a sparse structure must
        fit ``shape``; see :func:`check_csr`)."""
        storage = state.get("__storage__", "dense")
        if storage == "sparse":
            indptr, indices, values = (state.get(k) for k in ("indptr", "indices", "values"))
            signs = state.get("synapse_signs")
            check_csr(indptr, indices, values, self.shape, type(self).__name__, signs)
            self._mark_sparse(True)
            self.indptr = np.array(indptr, dtype=_INDEX)
            self.indices = np.array(indices, dtype=_INDEX)
            self.indptr.flags.writeable = self.indices.flags.writeable = False
            self.values = np.array(values, dtype=np.float64)
            self.synapse_signs = None if signs is None else np.array(signs, dtype=np.int8)
            if "__rng__" in state:
                self.rng.bit_generator.state = _copy.deepcopy(state["__rng__"])
            return
        if self.sparse and "matrix" in state:
            m = self._check_shape(state["matrix"], "matrix")
            mask = self._check_shape(state.get("mask", m != 0), "mask")
            storage_key, self._storage = self._storage, "dense"
            try:
                self._set_matrix(m, mask)
            finally:
                self._storage = storage_key
            state = {k: v for k, v in state.items() if k not in ("matrix", "mask")}
        super().load_state_dict(state)

    # ------------------------------------------------------------------ operations
    def clip(self) -> None:
        """Clip to ``[0, max_weight]`` in place."""
        target = self.values if self.sparse else self.matrix
        np.clip(target, 0.0, self._max_weight, out=target)

    def __getitem__(self, index: Any) -> Any:
        return self.matrix[index]

    def __mul__(self, spikes: np.ndarray) -> np.ndarray:
        """Input to the body neurons from presynaptic ``spikes``: ``spikes @ matrix``."""
        spikes = np.asarray(spikes, dtype=float)
        if self.sparse:
            from spikey.snn.synapse.sparse import propagate_rows

            return propagate_rows(self, spikes)
        return spikes @ self.effective

    def __array__(self, dtype=None, copy=None):
        if self.sparse:
            raise ConfigError(
                f"{type(self).__name__}: sparse weights ({self.n_synapses} synapses in a {self.shape} "
                "matrix) are not converted to a dense array implicitly; use weights.matrix.toarray() "
                "if you mean to allocate it."
            )
        return self.matrix if dtype is None else self.matrix.astype(dtype)


def check_csr(
    indptr: Any, indices: Any, values: Any, shape: tuple[int, int], owner: str, signs: Any = None
) -> None:
    """Check a CSR structure read from a file or given by a user against ``shape``.

    Raises
    ------
    ShapeError
        Wrong lengths, dimensions or dtypes, an index outside ``shape``, a
        decreasing ``indptr`` or unsorted / repeated columns within a row.
    """
    n_pre, n_post = shape
    where = f"{owner}: sparse weights"
    for name, arr, kinds in (("indptr", indptr, "iu"), ("indices", indices, "iu"), ("values", values, "f")):
        if not isinstance(arr, np.ndarray) or arr.ndim != 1 or arr.dtype.kind not in kinds:
            raise ShapeError(f"{where}: {name} must be a 1-d {'int' if kinds == 'iu' else 'float'} array; got {arr!r:.80}.")
    if indptr.shape != (n_pre + 1,):
        raise ShapeError(f"{where}: indptr must have n_pre + 1 = {n_pre + 1} entries; got {indptr.shape[0]}.")
    nnz = indices.shape[0]
    if indptr[0] != 0 or indptr[-1] != nnz or np.any(np.diff(indptr) < 0):
        raise ShapeError(
            f"{where}: indptr must rise from 0 to the number of synapses {nnz}; got {int(indptr[0])}..{int(indptr[-1])}."
        )
    if values.shape != (nnz,) or (signs is not None and np.shape(signs) != (nnz,)):
        raise ShapeError(f"{where}: values (and synapse_signs) must have one entry per synapse ({nnz}).")
    if nnz and (indices.min() < 0 or indices.max() >= n_post):
        raise ShapeError(f"{where}: a column index lies outside 0..{n_post - 1}.")
    if nnz > 1:
        step = np.diff(indices.astype(np.int64))
        row_start = np.zeros(nnz, dtype=bool)
        row_start[indptr[1:-1][indptr[1:-1] < nnz]] = True
        if np.any((step <= 0) & ~row_start[1:]):
            raise ShapeError(f"{where}: columns within a row must be strictly increasing.")
    if signs is not None and not np.all(np.isin(signs, (-1, 1))):
        raise ShapeError(f"{where}: synapse_signs must be +1 or -1.")
