"""Sphinx extension: MathJax served from the built docs, so equations render offline.

``sphinx.ext.mathjax`` loads MathJax from a CDN by default; without a network every
equation then shows as raw TeX. This extension takes MathJax 3 from the pip package
``sphinx-mathjax-offline`` (a ``docs`` requirement, no system tools needed), copies
the files the ``tex-chtml`` component loads (the component, its TeX extensions, the
CommonHTML output with its fonts, the menu and the accessibility modules) into
``_static/mathjax`` of the HTML output, and points ``mathjax_path`` there.

A missing package is a build error naming it, not a silent fall-back to the CDN.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

#: The pip package shipping MathJax (its import name has hyphens).
PACKAGE = "sphinx-mathjax-offline"

#: What ``tex-chtml.js`` loads, relative to the MathJax folder.
FILES = ("tex-chtml.js", "input", "output/chtml.js", "output/chtml", "ui", "a11y", "sre")

#: Where MathJax lands, relative to the HTML output's ``_static``.
TARGET = "mathjax"


def mathjax_source() -> Path:
    """The MathJax folder of the installed :data:`PACKAGE`.

    Raises
    ------
    ExtensionError
        When the package is not installed or has no ``tex-chtml.js``.
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            f"offline_math: the package {PACKAGE!r} (MathJax for offline docs) is not installed; "
            'install the docs requirements: pip install -e ".[docs]".'
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"
    if not (folder / "tex-chtml.js").is_file():
        raise ExtensionError(f"offline_math: no tex-chtml.js in {folder}.")
    return folder


def _config_inited(app: Sphinx, config: Any) -> None:
    mathjax_source()  # fail early, before reading any page
    config.mathjax_path = f"{TARGET}/tex-chtml.js"


def _copy(app: Sphinx, exc: Exception | None) -> None:
    if exc is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / TARGET
    for name in FILES:
        src, dst = source / name, target / name
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        elif src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx.ext.mathjax")
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("build-finished", _copy)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
