"""Frames of spikey's games as RGB arrays (numpy only, no drawing library).

:class:`~spikey.games.CartPole` and :class:`~spikey.games.Logic` draw their current
state with :meth:`render_frame`, which :class:`~spikey.games.GymnasiumEnv` serves as
Gymnasium's ``render_mode="rgb_array"`` (and shows in a window for ``"human"``).

Examples
--------
>>> from spikey.games.render import Canvas
>>> c = Canvas(4, 6)
>>> c.rect(1, 1, 3, 2, (255, 0, 0))
>>> c.pixels[1, 1].tolist(), c.pixels[0, 0].tolist()
([255, 0, 0], [255, 255, 255])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Canvas"]

Color = Sequence[int]


class Canvas:
    """An RGB image ``(height, width, 3)`` of uint8, white, with vectorised shape drawing.

    Coordinates are pixels: ``x`` to the right, ``y`` down from the top-left corner.
    """

    def __init__(self, height: int, width: int, background: Color = (255, 255, 255)):
        self.pixels = np.empty((int(height), int(width), 3), dtype=np.uint8)
        self.pixels[:] = np.asarray(background, dtype=np.uint8)
        self._y, self._x = np.mgrid[0 : self.pixels.shape[0], 0 : self.pixels.shape[1]]

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: Color) -> None:
        """Fill the pixels with ``x0 <= x < x1`` and ``y0 <= y < y1`` (clipped to the image)."""
        h, w = self.pixels.shape[:2]
        xa, xb = int(max(0, round(min(x0, x1)))), int(min(w, round(max(x0, x1))))
        ya, yb = int(max(0, round(min(y0, y1)))), int(min(h, round(max(y0, y1))))
        if xa < xb and ya < yb:
            self.pixels[ya:yb, xa:xb] = np.asarray(color, dtype=np.uint8)

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float, color: Color) -> None:
        """A segment of ``width`` pixels from ``(x0, y0)`` to ``(x1, y1)`` (round caps)."""
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        t = np.zeros(self._x.shape) if length2 == 0 else ((self._x - x0) * dx + (self._y - y0) * dy) / length2
        t = np.clip(t, 0.0, 1.0)
        dist2 = (self._x - (x0 + t * dx)) ** 2 + (self._y - (y0 + t * dy)) ** 2
        self.pixels[dist2 <= (width / 2.0) ** 2] = np.asarray(color, dtype=np.uint8)

    def circle(self, x: float, y: float, radius: float, color: Color) -> None:
        """Fill a disc of ``radius`` pixels centred on ``(x, y)``."""
        self.pixels[(self._x - x) ** 2 + (self._y - y) ** 2 <= radius**2] = np.asarray(color, dtype=np.uint8)
