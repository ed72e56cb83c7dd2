"""``python -m spikey``: the ``spikey`` command."""

from spikey.cli import main

raise SystemExit(main())
