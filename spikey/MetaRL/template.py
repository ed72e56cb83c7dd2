"""The original Spikey's ``spikey.MetaRL.template``: the :class:`~spikey.meta.MetaRL` template."""

from spikey.meta.metagames import MetaRL

__all__ = ["MetaRL"]
