"""Sphinx extension for the spikey docs: key tables generated from the code.

Directives
----------
``.. spikey-keys:: spikey.snn.neuron.Neuron``
    A table of the class's ``NECESSARY_KEYS`` (option ``:attr: NECESSARY_PARTS`` for
    another list of keys): name, what a valid value is (:meth:`spikey.module.Key.expected`:
    type, constraint and units), default, description.
``.. spikey-package:: spikey.snn.neuron``
    ``autoclass`` / ``autoexception`` / ``autofunction`` / ``autodata`` for every name
    in the package's ``__all__``, in order; a second name for the same object is shown as an alias. New stock parts
    appear in the docs without editing them.
``.. spikey-if-module:: spikey.testing.parts``
    Its content if the module exists, else a placeholder note.

Autodoc hooks
-------------
- Every documented class that declares keys (a :class:`spikey.module.Module` subclass)
  gets a "Keys" table (and a "Parts" table for networks) inserted into its docstring,
  so the tables cannot drift from the code.
- Base classes are shown under the public name that the docs document them by (e.g.
  ``spikey.snn.synapse.LTP`` rather than ``spikey.snn.synapse.ltp.LTP``).
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import re
import types
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

#: Class attributes holding key lists, and the rubric each table gets.
KEY_LISTS = (("NECESSARY_KEYS", "Keys"), ("NECESSARY_PARTS", "Parts"))

#: numpydoc rubrics before which the key table is inserted (else it is appended).
_LATE_RUBRICS = re.compile(r"^\.\. rubric:: (Notes|References|Examples)\s*$")

_PACKAGE_DIRECTIVE = re.compile(r"^\.\. spikey-package::\s+(\S+)\s*$", re.MULTILINE)

#: id(class) -> the public path it is documented under; filled at builder-inited.
_PUBLIC: dict[int, str] = {}


def import_object(path: str) -> Any:
    """Import ``'pkg.mod.Name'`` or ``'pkg.mod:Qual.Name'``."""
    if ":" in path:
        module, _, qualname = path.partition(":")
        obj: Any = importlib.import_module(module)
        for attr in qualname.split("."):
            obj = getattr(obj, attr)
        return obj
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"cannot import {path!r}")


def _keys_of(obj: Any, attr: str) -> list:
    keys = getattr(obj, attr, None)
    if not isinstance(keys, (list, tuple)) or not keys:
        return []
    return [k for k in keys if hasattr(k, "expected") and hasattr(k, "name")]


def format_default(key: Any) -> str | None:
    """Text of a key's default, or None when the key is required."""
    if getattr(key, "required", False):
        return None
    value = key.default
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
        return getattr(value, "__qualname__", repr(value))
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class KeysDirective(SphinxDirective):
    """``.. spikey-keys:: dotted.path.Class`` renders the class's key table."""

    required_arguments = 1
    option_spec = {"attr": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        path = self.arguments[0]
        attr = self.options.get("attr", "NECESSARY_KEYS")
        try:
            obj = import_object(path)
        except (ImportError, AttributeError) as e:
            raise self.error(f"spikey-keys: cannot import {path!r}: {e}") from None
        keys = _keys_of(obj, attr)
        if not keys:
            raise self.error(f"spikey-keys: {path}.{attr} declares no keys.")
        return [key_table(keys, first="Slot" if attr == "NECESSARY_PARTS" else "Key")]


def key_table(keys: list, first: str = "Key") -> nodes.table:
    """A docutils table of ``keys``: name, expected value, default, description.

    The expected-value column is left out when no key restricts its values.
    """
    show_expected = any(k.type is not builtins.any for k in keys)
    header = (first, "Expected value", "Default", "Description")
    widths = (20, 26, 12, 42)
    if not show_expected:
        header, widths = (header[0], *header[2:]), (widths[0], *widths[2:])
    table = nodes.table(classes=["spikey-keys"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for w in widths:
        group += nodes.colspec(colwidth=w)
    thead = nodes.thead()
    group += thead
    thead += _row([nodes.paragraph(text=h) for h in header])
    tbody = nodes.tbody()
    group += tbody
    for key in keys:
        name = nodes.paragraph()
        name += nodes.literal(text=key.name)
        expected = nodes.paragraph(text=key.expected())
        default_text = format_default(key)
        default = nodes.paragraph()
        if default_text is None:
            default += nodes.emphasis(text="required")
        else:
            default += nodes.literal(text=default_text)
        description = nodes.paragraph(text=key.description or "")
        cells = [name, expected, default, description] if show_expected else [name, default, description]
        tbody += _row(cells)
    return table


def _row(cells: list[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += cell
        row += entry
    return row


class PackageDirective(SphinxDirective):
    """``.. spikey-package:: pkg`` documents every public name of ``pkg`` in order."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        pkg_name = self.arguments[0]
        try:
            pkg = importlib.import_module(pkg_name)
        except ImportError as e:
            raise self.error(f"spikey-package: cannot import {pkg_name!r}: {e}") from None
        names = getattr(pkg, "__all__", None)
        if not names:
            raise self.error(f"spikey-package: {pkg_name} has no __all__ to document.")
        lines = [f".. currentmodule:: {pkg_name}", ""]
        seen: dict[int, str] = {}
        for name in names:
            obj = getattr(pkg, name, None)
            if obj is None:
                raise self.error(f"spikey-package: {pkg_name}.__all__ names {name!r}, which does not exist.")
            if isinstance(obj, types.ModuleType):
                continue
            if id(obj) in seen:
                lines += [
                    f".. py:data:: {name}",
                    "",
                    f"   Alias of :class:`~{pkg_name}.{seen[id(obj)]}`.",
                    "",
                ]
                continue
            seen[id(obj)] = name
            if isinstance(obj, type):
                kind = "autoexception" if issubclass(obj, BaseException) else "autoclass"
                lines += [f".. {kind}:: {pkg_name}.{name}", "   :members:", "   :show-inheritance:"]
                # methods defined in a private base (not documented on its own) are shown
                # on the public class; those of public bases stay on the base's own entry
                ancestors = obj.__mro__[1:]
                if any(c.__name__.startswith("_") for c in ancestors):
                    public = ", ".join(c.__name__ for c in ancestors if not c.__name__.startswith("_"))
                    lines.append(f"   :inherited-members: {public}")
                lines.append("")
            elif callable(obj):
                lines += [f".. autofunction:: {pkg_name}.{name}", ""]
            else:  # data: its documentation comment, not its (possibly huge) value
                lines += [f".. autodata:: {pkg_name}.{name}", "   :no-value:", ""]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=f"<spikey-package {pkg_name}>"), 0, container)
        return container.children


class IfModuleDirective(SphinxDirective):
    """``.. spikey-if-module:: mod`` renders its content only if ``mod`` exists."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        module = self.arguments[0]
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        container = nodes.container()
        if found:
            self.state.nested_parse(self.content, self.content_offset, container)
        else:
            text = [
                ".. note::",
                "",
                f"   **Placeholder:** ``{module}`` is not part of this build yet; this",
                "   section fills in by itself once the module exists.",
            ]
            self.state.nested_parse(StringList(text, source="<spikey-if-module>"), 0, container)
        return container.children


# --------------------------------------------------------------------------- autodoc hooks


def insert_key_tables(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Insert key tables into the docstring of every class that declares keys."""
    if what != "class" or not isinstance(obj, type):
        return
    if name.rpartition(".")[2] != obj.__name__:  # an alias: documented under its own name
        return
    block: list[str] = []
    for attr, title in KEY_LISTS:
        if _keys_of(obj, attr):
            block += ["", f".. rubric:: {title}", "", f".. spikey-keys:: {_import_path(obj)}"]
            if attr != "NECESSARY_KEYS":
                block.append(f"   :attr: {attr}")
            block.append("")
    if not block:
        return
    at = next((i for i, line in enumerate(lines) if _LATE_RUBRICS.match(line)), len(lines))
    lines[at:at] = block


def _import_path(obj: type) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def _public_names(app: Sphinx) -> None:
    """Map classes to the public path they are documented under (``spikey-package``)."""
    public: dict[int, str] = {}
    for rst in Path(app.srcdir).rglob("*.rst"):
        if "_build" in rst.parts:
            continue
        for pkg_name in _PACKAGE_DIRECTIVE.findall(rst.read_text(encoding="utf-8")):
            try:
                pkg = importlib.import_module(pkg_name)
            except ImportError:
                continue
            for name in getattr(pkg, "__all__", []):
                obj = getattr(pkg, name, None)
                if isinstance(obj, type) and obj.__name__ == name:
                    public.setdefault(id(obj), f"{pkg_name}.{name}")
    _PUBLIC.clear()
    _PUBLIC.update(public)


def public_bases(app: Sphinx, name: str, obj: Any, options: Any, bases: list) -> None:
    """Show base classes by their documented public path.

    A private base (``_EligibilitySTDP``) is shown as its nearest documented ancestor.
    """
    for i, base in enumerate(bases):
        if not isinstance(base, type):
            continue
        candidates = base.__mro__ if base.__name__.startswith("_") else (base,)
        path = next((_PUBLIC[id(c)] for c in candidates if id(c) in _PUBLIC), None)
        if path:
            bases[i] = f":py:class:`~{path}`"


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives and hooks."""
    app.setup_extension("sphinx.ext.autodoc")
    app.add_directive("spikey-keys", KeysDirective)
    app.add_directive("spikey-package", PackageDirective)
    app.add_directive("spikey-if-module", IfModuleDirective)
    # after numpydoc (priority 500) has turned the docstring into reST
    app.connect("autodoc-process-docstring", insert_key_tables, priority=600)
    app.connect("builder-inited", _public_names)
    app.connect("autodoc-process-bases", public_bases)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
