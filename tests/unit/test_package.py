"""The package as a user installs it: one version, the names the README promises,
the licence pyproject declares, type information, and warnings that reach the caller."""
from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

import slarules
from slarules import Source, compile_source

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[2]
GOOD = 'contract "C" currency USD, starts 2026-01\ninputs\n  fee money\n  sla percent\n' \
       "service level s\n  measured as sla\n  target: at least 80%\n  credit: 2% of fee\n"
WARNING_ONLY = GOOD.replace("  sla percent\n", "  sla percent\n  unused count\n")


def test_the_version_is_one_number_from_the_package_to_the_installed_metadata():
    assert re.fullmatch(r"\d+\.\d+\.\d+", slarules.__version__)
    assert importlib.metadata.version("slarules") == slarules.__version__
    if tomllib is not None:
        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        assert "version" in project["project"]["dynamic"] and "version" not in project["project"]
        assert project["tool"]["hatch"]["version"]["path"] == "slarules/__init__.py"


def test_the_outcome_classes_the_readme_names_are_importable_from_slarules():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("Outcome", "PeriodOutcome", "Line", "KpiResult", "TerminationRight"):
        assert f"`{name}`" in readme and name in slarules.__all__
        assert isinstance(getattr(slarules, name), type)


def test_the_licence_file_is_the_mit_licence_pyproject_declares():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_package_says_it_is_typed():
    assert (ROOT / "slarules" / "py.typed").is_file()


def test_the_rulesets_warnings_reach_the_program_and_every_outcome():
    program = compile_source(Source("warn.sla", WARNING_ONLY))
    assert [(d.code, d.severity, d.span.line) for d in program.warnings] == [("SLA217", "warning", 5)]
    outcome = program.evaluate({"2026-01": {"fee": "100", "sla": "90", "unused": "1"}})
    assert outcome.warnings == program.warnings
    assert compile_source(Source("good.sla", GOOD)).warnings == ()


def test_notes_are_not_warnings():
    # A cap that can never bind is a note (SLA225): true and worth knowing, not a warning
    noted = GOOD.replace("  credit: 2% of fee\n", "  credit: 2% of fee\ncredits at most 50% of fee each month\n")
    assert [d.code for d in slarules.check(slarules.parse(Source("noted.sla", noted)))] == ["SLA225"]
    assert compile_source(Source("noted.sla", noted)).warnings == ()


def test_the_files_the_readmes_commands_write_are_ignored_by_git():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    written = re.findall(r"--(?:out|report|totals) ([a-z][\w.]*)", readme)
    assert {"cex", "exposure.html"} <= set(written)
    ignored = {line.strip().rstrip("/") for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()}
    assert [name for name in written if name not in ignored] == []
