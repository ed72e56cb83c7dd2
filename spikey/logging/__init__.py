"""Experiment logs: typed JSON writers and a pandas reader that execute nothing.

``log`` writes one run, ``MultiLogger`` many runs plus a summary, ``Reader`` and
``MetaReader`` turn folders of logs into DataFrames.
"""

from spikey.logging.log import log, sanitize
from spikey.logging.multilogger import MultiLogger
from spikey.logging.reader import CorruptLogWarning, MetaReader, Reader, read_log, uncompressnd
from spikey.logging.serialize import ImportPath, Repr, decode, encode

__all__ = [
    "log",
    "MultiLogger",
    "Reader",
    "MetaReader",
    "read_log",
    "CorruptLogWarning",
    "encode",
    "decode",
    "ImportPath",
    "Repr",
    "sanitize",
    "uncompressnd",
]
