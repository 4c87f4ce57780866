"""The layout as written is the layout of the code: each package's docstring
names every module and subpackage in it (and none that is not there), and the
README's Layout section names every module and subpackage of every layer."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "slarules"
PACKAGES = sorted(p.parent for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE)
NAMED = re.compile(r"(?<![\w/.])([a-z_]+(?:\.py|/))")


def members(package: Path) -> set[str]:
    """What a package holds: its modules as `name.py`, its folders (subpackages, data) as `name/`."""
    found = {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
    found |= {p.name + "/" for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"}
    return found


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_package_docstring_names_what_the_package_holds(package: Path):
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")), clean=False) or ""
    listed = {m.group(1) for line in doc.splitlines() if line.startswith("    ") for m in [NAMED.search(line)] if m}
    assert listed == members(package)


def test_the_readme_layout_names_every_module_of_every_layer():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout"):]
    layers = [p for p in PACKAGES if p.parent == PACKAGE]
    missing = [f"{layer.name}/{name}" for layer in layers for name in sorted(members(layer))
               if not re.search(rf"(?<![\w/.]){re.escape(name)}", layout)]
    assert missing == []
