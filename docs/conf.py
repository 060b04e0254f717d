"""Sphinx configuration of the tfp documentation (``make docs``).

The build is warnings-as-errors (``sphinx-build -W``). Two things are generated at build
time, never typed in:

* ``reference/generated/<module>.rst``: one autosummary page per public module, listing the
  module's ``__all__`` (so the reference grows with every capability);
* the comparison page's numbers, computed by its code cells on ``../shared/data``.

The tutorials are the notebooks of ``notebooks/`` themselves: ``tutorials/notebooks`` is a
symbolic link to that folder (one source; myst-nb runs them with the jupyter-cache execution
cache).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
from pathlib import Path

import tfp

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

project = "tfp"
author = "tfp developers"
copyright = "tfp developers, GPL-3.0-or-later"
release = tfp.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "sphinx_design",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = [
    "_build",
    "jupyter_execute",
    "**.ipynb_checkpoints",
    ".jupyter_cache",
]
templates_path = ["_templates"]

html_theme = "pydata_sphinx_theme"
html_title = f"tfp {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
}

# --- autodoc / autosummary / numpydoc ---------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False  # autosummary lists members; avoids duplicate stubs
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False


# --- myst / myst-nb -----------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "cache"  # re-run a notebook only when its code changed


def _source_digest() -> str:
    """Hash of the package's files: jupyter-cache keys on cell code only, so the cache lives
    in a folder per library state and a change in tfp re-executes every page."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "src" / "tfp").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache" / _source_digest())
nb_execution_timeout = 600
nb_execution_raise_on_error = True  # a failing example fails the build
nb_execution_show_tb = True
nb_merge_streams = True

# --- public modules of the API reference --------------------------------------------------
#: module -> title of its reference page
PUBLIC_MODULES: dict[str, str] = {
    "tfp": "Estimation: tfp",
    "tfp.options": "Options: tfp.options",
    "tfp.results": "Results: tfp.results",
    "tfp.productivity": "Productivity indices: tfp.productivity",
    "tfp.peru": "Peru definitions: tfp.peru",
    "tfp.program": "PP 0093 results layer: tfp.program",
    "tfp.datasets": "Data sets and simulators: tfp.datasets",
    "tfp.exceptions": "Errors and warnings: tfp.exceptions",
    "tfp.panel": "Panels: tfp.panel",
    "tfp.ene": "ENE files: tfp.ene",
    "tfp.report": "Report: tfp.report",
    "tfp.app": "Application (tfp report): tfp.app",
}


# every other submodule that ``tfp`` exports gets a page too, titled by its name
for _name in tfp.__all__:
    if (
        inspect.ismodule(getattr(tfp, _name, None))
        and f"tfp.{_name}" not in PUBLIC_MODULES
    ):
        PUBLIC_MODULES[f"tfp.{_name}"] = f"tfp.{_name}"


def _public_names(modname: str) -> list[str]:
    mod = importlib.import_module(modname)
    names = [n for n in getattr(mod, "__all__", []) if not n.startswith("_")]
    # the package's __all__ also lists its submodules (documented on their own pages)
    return sorted(n for n in names if not inspect.ismodule(getattr(mod, n)))


def _home(name: str, obj: object) -> str | None:
    """The other documented module that exports ``obj`` under ``name`` (its canonical page)."""
    for modname in PUBLIC_MODULES:
        if modname == "tfp":
            continue
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        if name in getattr(mod, "__all__", ()) and getattr(mod, name, None) is obj:
            return modname
    return None


def _autosummary(names: list[str]) -> list[str]:
    return [
        ".. autosummary::",
        "   :toctree: ../api/",
        "",
        *(f"   {n}" for n in names),
        "",
    ]


def _package_page(title: str) -> list[str]:
    """``tfp`` itself: its own functions get stubs; re-exports link to their home page (one
    description per object, as Sphinx requires)."""
    own, links = [], []
    for name in _public_names("tfp"):
        obj = getattr(tfp, name)
        home = _home(name, obj)
        if home is None:
            own.append(name)
        else:
            role = "class" if inspect.isclass(obj) else "func"
            links.append(f"* :{role}:`tfp.{name} <{home}.{name}>` (from :mod:`{home}`)")
    lines = [title, "=" * len(title), "", ".. automodule:: tfp", "   :no-members:", ""]
    lines += [".. currentmodule:: tfp", "", *_autosummary(own)]
    if links:
        lines += ["Also importable from ``tfp``:", "", *links, ""]
    return lines


def _write_reference() -> list[str]:
    out = DOCS / "reference" / "generated"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for modname, title in PUBLIC_MODULES.items():
        try:
            names = _public_names(modname)
        except ImportError:
            continue
        if not names:  # a subpackage that has not landed yet (e.g. tfp.ene)
            continue
        if modname == "tfp":
            lines = _package_page(title)
        else:
            lines = [title, "=" * len(title), "", f".. automodule:: {modname}"]
            lines += ["   :no-members:", "", f".. currentmodule:: {modname}", ""]
            lines += _autosummary(names)
        text = "\n".join(lines)
        path = out / f"{modname}.rst"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        written.append(modname)
    index = DOCS / "reference" / "generated" / "modules.rst"
    toc = ["Modules", "=======", "", ".. toctree::", "   :maxdepth: 1", ""]
    toc += [f"   {m}" for m in written]
    text = "\n".join([*toc, ""])
    if not index.exists() or index.read_text() != text:
        index.write_text(text)
    return written


_write_reference()
