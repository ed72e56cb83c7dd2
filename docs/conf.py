"""Sphinx configuration of the spikey documentation.

Build (from the repository root), warnings are errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Works offline: MathJax is served from the build (``_ext/offline_math.py``). The
example notebooks (``examples/*.ipynb``) are copied into ``gallery/`` and executed
by myst-nb at build time (cached in ``_build/.jupyter_cache``), so the gallery shows
their figures as the code draws them today.
"""

from __future__ import annotations

import os
import shutil
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
    "offline_math",  # sphinx.ext.mathjax with MathJax served from _static (no CDN)
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "spikey_docs",
    "spikey_figures",  # draws the guide's figures at build time (docs/_generated)
    "sphinx_copybutton",  # a copy button on code blocks; >>> and ... prompts are left out
    "spikey_thumbnails",  # the gallery's thumbnails: each notebook's first figure
]

# copy only the input of ">>> " / "... " doctest lines and "$ " shell lines, not their output
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True

root_doc = "index"
exclude_patterns = ["_build", "_generated", "requirements.txt", "Thumbs.db", ".DS_Store", "guide/_*.rst", "**.ipynb_checkpoints"]
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

# -- notebook gallery (myst-nb) -------------------------------------------------------
EXAMPLES = HERE.parent / "examples"
GALLERY = HERE / "gallery"  # generated: copies of examples/*.ipynb (git-ignored)


def _sync_gallery() -> None:
    """Copy the example notebooks into ``gallery/`` (only those that changed)."""
    GALLERY.mkdir(exist_ok=True)
    wanted = {nb.name for nb in EXAMPLES.glob("*.ipynb")}
    for old in GALLERY.glob("*.ipynb"):
        if old.name not in wanted:
            old.unlink()
    for nb in sorted(EXAMPLES.glob("*.ipynb")):
        target = GALLERY / nb.name
        if not target.exists() or target.read_bytes() != nb.read_bytes():
            shutil.copyfile(nb, target)


_sync_gallery()

# The notebooks draw with Jupyter's inline backend, so that their figures end up in the
# pages; a headless CI's MPLBACKEND=Agg (meant for pytest) would leave them blank.
if os.environ.get("MPLBACKEND", "").lower() == "agg":
    del os.environ["MPLBACKEND"]

nb_execution_mode = "cache"  # execute at build; unchanged notebooks come from the cache
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True  # a notebook that fails fails the build
nb_execution_in_temp = True
nb_merge_streams = True
nb_execution_show_tb = True
