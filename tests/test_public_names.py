"""Every ``tfp`` name the docs and the README reference still imports (the public API).

Dotted names (``tfp.results.Summary``, ``tfp.ACFOptions.prodest``) and ``from tfp.x import a``
lines are collected from ``README.md`` and ``docs/**/*.md`` and resolved like client code.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
DOTTED = re.compile(r"(?<![\w./-])tfp(?:\.[A-Za-z_]\w*)+")
FROM_IMPORT = re.compile(
    r"^\s*from (tfp(?:\.\w+)*) import \(?([\w, \n]+?)\)?\s*$", re.M
)
#: Dotted words that name files, not Python objects (``tfp.toml``).
FILE_SUFFIXES = {
    "toml",
    "py",
    "md",
    "csv",
    "json",
    "yaml",
    "html",
    "xlsx",
    "pdf",
    "log",
}


def _referenced() -> dict[str, str]:
    """Name -> first page that references it."""
    found: dict[str, str] = {}
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        names = set(DOTTED.findall(text))
        for module, items in FROM_IMPORT.findall(text):
            names.update(f"{module}.{i.strip()}" for i in items.split(",") if i.strip())
        for name in names:
            if name.rsplit(".", 1)[-1] not in FILE_SUFFIXES:
                found.setdefault(name, str(page.relative_to(ROOT)))
    return found


def _resolve(name: str) -> object:
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(name)


REFERENCED = _referenced()


def test_the_docs_reference_public_names() -> None:
    assert len(REFERENCED) > 30


@pytest.mark.parametrize("name", sorted(REFERENCED))
def test_referenced_name_imports(name: str) -> None:
    try:
        _resolve(name)
    except (ImportError, AttributeError) as exc:
        pytest.fail(
            f"{REFERENCED[name]} references {name}, which does not import: {exc}"
        )
