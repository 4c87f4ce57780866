"""The package's layers, as slarules/__init__.py lists them: every import in
slarules/ (at the top of a module or inside a function) goes to the module's
own layer or a lower one, no modules import each other in a circle, and no
module is over 800 lines (a longer one is split by what its parts are about).
Each check is also run on a toy package, to show it can fail."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "slarules"
LAYERS = ("core", "language", "engine", "formats", "tools", "interfaces")  # lowest first
MAX_LINES = 800
GENERATED = {"language/parser_tables.py"}  # written by a tool from the grammar, never read by a person


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path) -> dict[str, set[str]]:
    """Each module of the package under `root` -> the package's modules it imports."""
    modules = {module_name(path, root): path for path in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def long_modules(root: Path) -> list[str]:
    """The modules under `root`, as paths relative to it, of more than MAX_LINES lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        with path.open(encoding="utf-8") as file:
            if sum(1 for _ in file) > MAX_LINES:
                found.append(path.relative_to(root).as_posix())
    return found


def layer(module: str) -> int:
    """Where a module stands; the package's own __init__ is the Python API."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] not in LAYERS:
        return LAYERS.index("interfaces")
    return LAYERS.index(parts[1])


def upward(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} ({LAYERS[layer(a)]}) imports {b} ({LAYERS[layer(b)]})"
                  for a, targets in graph.items() for b in targets if layer(b) > layer(a))


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_layer_imports_a_higher_one():
    assert upward(imports(PACKAGE)) == []


def test_no_modules_import_each_other_in_a_circle():
    assert circles(imports(PACKAGE)) == []


def test_no_module_is_over_800_lines():
    assert sorted(set(long_modules(PACKAGE)) - GENERATED) == []


def test_every_module_stands_in_a_layer():
    strays = [name for name in imports(PACKAGE)
              if name.count(".") >= 1 and name.split(".")[1] not in LAYERS
              and name not in ("slarules.__main__",)]
    assert strays == []


def test_the_layers_listed_in_the_package_docstring_are_the_folders():
    doc = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert folders == sorted(LAYERS)
    for name in LAYERS:
        assert f"    {name}/" in doc


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    """A package with one upward import and one circle, to prove the checks can fail."""
    root = tmp_path / "slarules"
    for folder in ("core", "engine"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "core" / "money.py").write_text("def f():\n    from ..engine import evaluate\n")
    (root / "engine" / "compile.py").write_text("from . import evaluate\n")
    (root / "engine" / "evaluate.py").write_text("from .compile import x\n")
    return root


def test_the_checks_find_an_upward_import_and_a_circle(toy: Path):
    graph = imports(toy)
    assert upward(graph) == ["slarules.core.money (core) imports slarules.engine (engine)",
                             "slarules.core.money (core) imports slarules.engine.evaluate (engine)"]
    assert circles(graph) == [["slarules.engine.compile", "slarules.engine.evaluate"]]


def test_the_line_count_finds_a_module_over_800_lines(toy: Path):
    (toy / "engine" / "evaluate.py").write_text("x = 1\n" * (MAX_LINES + 1))
    (toy / "engine" / "compile.py").write_text("x = 1\n" * MAX_LINES)
    assert long_modules(toy) == ["engine/evaluate.py"]
