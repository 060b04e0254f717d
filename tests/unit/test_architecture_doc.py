"""docs/explanation/architecture.md maps every module of the package in one line each."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "explanation" / "architecture.md"
PACKAGE = ROOT / "src" / "tfp"


def documented_modules(text: str) -> set[str]:
    """Module paths named in the map's first column; ``b.py`` after ``tfp/x/a.py`` is ``tfp/x/b.py``."""
    names: set[str] = set()
    for line in text.splitlines():
        if not line.startswith("| `tfp/"):
            continue
        paths = re.findall(r"`([^`]+\.py)`", line.split("|")[1])
        folder = str(Path(paths[0]).parent)
        names.update(p if "/" in p else f"{folder}/{p}" for p in paths)
    return names


def package_modules() -> set[str]:
    return {str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")}


def test_every_module_is_on_the_map() -> None:
    documented = documented_modules(DOC.read_text(encoding="utf-8"))
    modules = package_modules()
    missing, stale = sorted(modules - documented), sorted(documented - modules)
    assert not missing, f"add these modules to {DOC.name}: {missing}"
    assert not stale, f"these modules on the map of {DOC.name} no longer exist: {stale}"


def test_the_reader_sees_a_missing_module() -> None:
    text = "| `tfp/x/a.py`, `b.py` | holds | imports |\n| not a row |\n"
    assert documented_modules(text) == {"tfp/x/a.py", "tfp/x/b.py"}
