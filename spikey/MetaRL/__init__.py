"""The original Spikey's name of the meta games: ``from spikey.MetaRL import *``.

The same classes as :mod:`spikey.meta.metagames`: :class:`~spikey.meta.MetaRL` (the
template), :class:`~spikey.meta.EvolveNetwork` and :class:`~spikey.meta.MetaNQueens`.
"""

from spikey.meta.metagames import EvolveNetwork, MetaNQueens, MetaRL
from spikey.MetaRL import template

__all__ = ["MetaRL", "EvolveNetwork", "MetaNQueens", "template"]
