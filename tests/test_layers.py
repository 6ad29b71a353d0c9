"""The package's layers import only downward: spec <- engine <- surfaces; the emulator stands apart.

Read from the source (every import statement, at any depth, type-checking ones included),
so a wrong arrow fails here before it turns into an import cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "aacflow_hex"
LAYERS = ("spec", "engine", "surfaces")  # each may import those before it
EMULATOR = "emulator"  # imports nothing of the client; only surfaces may start it


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "aacflow_hex" else None


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool) -> list[str]:
    """Absolute names of the aacflow_hex modules a source file imports."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            if node.module is None:
                found += [f"{target}.{alias.name}" for alias in node.names]
            else:
                found.append(target)
    return [name for name in found if name.split(".")[0] == "aacflow_hex"]


def upward_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    here = layer_of(module)
    if here not in (*LAYERS, EMULATOR):
        return []  # the package root and __main__ may use every layer
    wrong = []
    for target in imported_modules(source, module, is_package):
        there = layer_of(target)
        if there is None or there == here:
            continue  # the package root itself (for __version__) or the same layer
        if points_up(here, there):
            wrong.append(target)
    return wrong


def points_up(here: str, there: str) -> bool:
    if here == EMULATOR or there == EMULATOR:
        return not (there == EMULATOR and here == "surfaces")
    return there in LAYERS and LAYERS.index(there) > LAYERS.index(here)


def test_every_module_lives_in_a_layer() -> None:
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert loose == [], f"modules outside the layer folders: {loose}"


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_imports_point_down(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    wrong = upward_imports(source, module_name(path), path.name == "__init__.py")
    assert wrong == [], f"{module_name(path)} imports from a layer above it: {wrong}"


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("aacflow_hex.engine.handlers.context", "from ...surfaces.cli import main"),
        ("aacflow_hex.spec.registry", "from ..engine.mapping import compile_fields"),
        ("aacflow_hex.engine.executor", "import aacflow_hex.surfaces.block"),
        ("aacflow_hex.engine.transport", "from ..emulator import run_emulator"),
        ("aacflow_hex.emulator.app", "from ..spec import specs"),
        ("aacflow_hex.spec.specs", "def f():\n    from ..surfaces import agents\n"),
    ],
)
def test_the_check_sees_an_upward_import(module: str, source: str) -> None:
    assert upward_imports(source, module) != []


def test_the_check_allows_downward_imports() -> None:
    source = "from ..spec.registry import Registry\nfrom ..emulator import run_emulator\n"
    assert upward_imports(source, "aacflow_hex.surfaces.demo") == []


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = imported_modules(
            path.read_text(encoding="utf-8"), name, path.name == "__init__.py"
        )
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph, or [] (a depth-first search for a back edge)."""
    done: set[str] = set()
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        if node in stack:
            return [*stack[stack.index(node) :], node]
        if node in done:
            return []
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        stack.pop()
        done.add(node)
        return []

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return []


def test_no_module_imports_itself_round_a_circle() -> None:
    # The package root re-exports the public API from every layer, and modules read its
    # __version__: edges into the root are left out, every other edge counts.
    graph = {
        name: targets - {"aacflow_hex"}
        for name, targets in import_graph().items()
        if name != "aacflow_hex"
    }
    assert find_cycle(graph) == []


def test_the_cycle_search_finds_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
