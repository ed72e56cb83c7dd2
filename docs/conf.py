"""Sphinx configuration of the spikey documentation.

Build (from the repository root), warnings are errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))  # document the source tree, installed or not

import spikey  # noqa: E402

project = "spikey"
author = "the spikey developers"
copyright = "the spikey developers"
version = release = spikey.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "spikey_docs",
    "spikey_figures",  # draws the guide's figures at build time (docs/_generated)
]

root_doc = "index"
exclude_patterns = ["_build", "_generated", "requirements.txt", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []
html_static_path = ["_static"]
html_css_files = ["spikey.css"]
html_theme = "alabaster"
html_theme_options = {
    "description": "Spiking neural networks trained with reinforcement learning",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "240px",
}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}
default_role = "py:obj"
pygments_style = "sphinx"

# -- autodoc ------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autodoc_default_options = {
    "special-members": "__call__, __iadd__",
}
add_module_names = False

# -- numpydoc -----------------------------------------------------------------------
# Members are listed by autodoc (``:members:``), not by numpydoc's autosummary tables.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
# numpydoc loads autosummary; nothing here uses stub generation, and its source scan
# would import every ``automodule`` target, even one behind ``spikey-if-module``.
autosummary_generate = False
