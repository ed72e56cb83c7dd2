"""Experiment logs: typed JSON writers and a pandas reader that execute nothing.

``log`` writes one run, ``MultiLogger`` many runs plus a summary, ``Reader`` and
``MetaReader`` turn folders of logs into DataFrames.
"""

from spikey._lazy import lazy_exports
from spikey.logging.log import log, sanitize
from spikey.logging.multilogger import MultiLogger
from spikey.logging.serialize import ImportPath, Repr, decode, encode

# The readers (and pandas, which their tables need) are imported on first use (PEP 562),
# so writing a log does not import pandas.
_LAZY = {
    name: "spikey.logging.reader"
    for name in (
        "Reader",
        "MetaReader",
        "read_log",
        "CorruptLogWarning",
        "DuplicateKeyWarning",
        "uncompressnd",
    )
}
# the original Spikey's helpers (spikey.compat.logging); reading them imports pandas
_LAZY.update(dict.fromkeys(("compressnd", "sanitize_dictionary", "dejsonize"), "spikey.compat.logging"))
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "log",
    "MultiLogger",
    "Reader",
    "MetaReader",
    "read_log",
    "CorruptLogWarning",
    "DuplicateKeyWarning",
    "encode",
    "decode",
    "ImportPath",
    "Repr",
    "sanitize",
    "uncompressnd",
    "compressnd",
    "sanitize_dictionary",
    "dejsonize",
]
