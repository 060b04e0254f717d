"""The layer contract: data flows one way through the package, and no two units import each other.

The layers, bottom to top, are written down once here (:data:`LAYERS`). A module may import from
its own layer or any layer below, never from one above: not at the top of the file and not inside
a function (such imports run too). Only ``if TYPE_CHECKING:`` blocks are exempt, because they never
run. Between the package's top-level units (``tfp.api``, ``tfp.results``, ``tfp.estimators`` …)
there must be no import cycle at all, even inside one layer.

``docs/explanation/architecture.md`` shows the same order as a diagram.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

#: Bottom to top. Each entry: layer name -> top-level units (``tfp.<name>``) it holds. The
#: package root ``tfp`` is the public façade: it may import anything lazily, nothing imports it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "tfp._version",
            "tfp._frozen",
            "tfp.exceptions",
            "tfp._literals",
            "tfp._checks",
            "tfp._labels",
            "tfp._json",
            "tfp._kernels",
            "tfp._frames",
            "tfp._optional",
            "tfp._progress",
        ),
    ),
    ("data", ("tfp.panel", "tfp.peru", "tfp.ene", "tfp.datasets")),
    (
        "estimation",
        (
            "tfp.spec",
            "tfp.options",
            "tfp.numerics",
            "tfp.estimators",
            "tfp.bootstrap",
            "tfp.diagnostics",
            "tfp.results",
            "tfp.api",
            "tfp.by_group",
            "tfp.groups",
            "tfp.montecarlo",
        ),
    ),
    ("productivity", ("tfp.productivity",)),
    ("program", ("tfp.program",)),
    ("report", ("tfp.report",)),
    ("application", ("tfp.app", "tfp.cli")),
)

FACADE = "tfp"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package_module(name: str, src: Path) -> bool:
    base = src.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported_modules(path: Path, src: Path) -> set[str]:
    """Every ``tfp`` module that ``path`` imports and that runs (``TYPE_CHECKING`` excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path, src)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if _is_type_checking(node.test):
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(a.name for a in node.names if a.name.split(".")[0] == FACADE)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module.split(".")[0] != FACADE:
                return
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                found.add(sub if _is_package_module(sub, src) else module)

    Visitor().visit(tree)
    return found


def unit_of(module: str) -> str:
    """The top-level unit of a module: ``tfp.estimators.acf`` -> ``tfp.estimators``."""
    parts = module.split(".")
    return ".".join(parts[:2])


def unit_graph(src: Path) -> dict[str, set[str]]:
    """Imports between top-level units (edges inside one unit left out)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in sorted((src / FACADE).rglob("*.py")):
        unit = unit_of(_module_name(path, src))
        graph[unit]
        for module in imported_modules(path, src):
            target = unit_of(module)
            if target != unit:
                graph[unit].add(target)
    return dict(graph)


def layer_index(layers: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, int]:
    return {unit: i for i, (_, units) in enumerate(layers) for unit in units}


def upward_imports(
    graph: Mapping[str, set[str]], layers: Iterable[tuple[str, tuple[str, ...]]]
) -> set[tuple[str, str]]:
    """Edges from a unit to a unit of a higher layer, or to the façade."""
    rank = layer_index(layers)
    bad = set()
    for unit, targets in graph.items():
        if unit == FACADE:
            continue
        for target in targets:
            if target == FACADE or rank[target] > rank[unit]:
                bad.add((unit, target))
    return bad


def cycle_edges(graph: Mapping[str, set[str]]) -> set[tuple[str, str]]:
    """Edges that lie on a cycle (both ends in one strongly connected component)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    component: dict[str, int] = {}
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component[w] = index[v]
                if w == v:
                    break

    for v in list(graph):
        if v not in index:
            visit(v)
    return {
        (v, w)
        for v, targets in graph.items()
        for w in targets
        if w in component and component[v] == component[w]
    }


def contract_violations(src: Path) -> set[tuple[str, str]]:
    graph = unit_graph(src)
    return upward_imports(graph, LAYERS) | cycle_edges(graph)


def test_every_unit_has_a_layer() -> None:
    ranked = layer_index(LAYERS)
    units = set(unit_graph(SRC)) - {FACADE}
    missing = sorted(units - set(ranked))
    assert not missing, f"add these units to LAYERS in {__file__}: {missing}"


def test_no_import_goes_up_a_layer_or_round_a_cycle() -> None:
    found = sorted(contract_violations(SRC))
    assert not found, f"imports that break the layer contract: {found}"


def _write(root: Path, module: str, body: str) -> None:
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(root).parents:
        init = root / parent / "__init__.py"
        if parent != Path(".") and not init.exists():
            init.write_text("")
    path.write_text(body)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # an upward import inside a function still runs: caught
        ("def f():\n    from tfp.report import x\n", {("tfp.panel", "tfp.report")}),
        # the façade is above everything
        ("import tfp\n", {("tfp.panel", "tfp")}),
        # TYPE_CHECKING imports never run: allowed
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import tfp.report\n",
            set(),
        ),
        # downward imports are fine
        ("from tfp.exceptions import TFPError\n", set()),
    ],
)
def test_checker_catches_an_upward_import(
    tmp_path: Path, body: str, expected: set[tuple[str, str]]
) -> None:
    _write(tmp_path, "tfp.exceptions", "class TFPError(Exception):\n    pass\n")
    _write(tmp_path, "tfp.report.x", "")
    _write(tmp_path, "tfp.panel", body)
    graph = unit_graph(tmp_path)
    assert upward_imports(graph, LAYERS) == expected


def test_checker_catches_a_cycle_within_a_layer(tmp_path: Path) -> None:
    _write(tmp_path, "tfp.api", "from tfp.results import R\n")
    _write(tmp_path, "tfp.results", "def f():\n    from tfp.api import estimate\n")
    assert cycle_edges(unit_graph(tmp_path)) == {
        ("tfp.api", "tfp.results"),
        ("tfp.results", "tfp.api"),
    }
