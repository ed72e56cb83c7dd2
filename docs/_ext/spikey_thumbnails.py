"""Sphinx extension: a grid of thumbnails for the gallery (``.. spikey-thumbnails::``).

Each example notebook (``examples/*.ipynb``) gets a card: its title (the first
heading) and the first figure it drew when the docs were built, linking to its page.
The figures are taken from myst-nb's execution cache once every notebook has run
(``env-updated``) and written to ``_static/thumbs/`` of the output; a notebook that
drew no figure gets a card without an image.
"""

from __future__ import annotations

import base64
import html
import json
import os
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive

THUMBS = "_static/thumbs"


def _title(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", [])).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem.replace("_", " ")


class Thumbnails(Directive):
    """``.. spikey-thumbnails::``: one card per notebook of ``examples/``."""

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        examples = Path(env.srcdir).parent / "examples"
        cards = []
        for nb in sorted(examples.glob("*.ipynb")):
            stem = html.escape(nb.stem)
            cards.append(
                f"<a class='spikey-thumb' href='gallery/{stem}.html'>"
                f"<img src='{THUMBS}/{stem}.png' alt='' onerror=\"this.style.display='none'\">"
                f"<span>{html.escape(_title(nb))}</span></a>"
            )
        return [nodes.raw("", "<div class='spikey-thumbs'>" + "".join(cards) + "</div>", format="html")]


def _write_thumbnails(app: Any, env: Any) -> None:
    """After every notebook ran: the first PNG each drew, from the execution cache."""
    if app.builder.format != "html":
        return
    try:
        from jupyter_cache import get_cache
    except ImportError:
        return
    path = app.config.nb_execution_cache_path
    if not path or not os.path.isdir(path):
        return
    out = Path(app.outdir) / THUMBS
    out.mkdir(parents=True, exist_ok=True)
    cache = get_cache(path)
    for record in cache.list_cache_records():
        stem = Path(record.uri).stem
        nb = cache.get_cache_bundle(record.pk).nb
        png = next(
            (
                o["data"]["image/png"]
                for c in nb.cells
                if c.cell_type == "code"
                for o in c.get("outputs", [])
                if "image/png" in o.get("data", {})
            ),
            None,
        )
        if png is not None:
            (out / f"{stem}.png").write_bytes(base64.b64decode(png))


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("spikey-thumbnails", Thumbnails)
    app.connect("env-updated", _write_thumbnails)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
