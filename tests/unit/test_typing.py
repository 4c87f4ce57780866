"""mypy on the public API (pyproject's [tool.mypy]: slarules/__init__.py and
interfaces/api.py, the modules they import followed silently) and on a billing
script written against it (tests/typed/billing_script.py), which also runs."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import slarules

if os.environ.get("CI"):  # CI installs the test extra, so there a missing mypy is a packaging bug
    import mypy.api as mypy_api
else:
    mypy_api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "typed" / "billing_script.py"
CACHE = ["--cache-dir", str(ROOT / ".mypy_cache")]


def _mypy(*args: str) -> tuple[str, int]:
    out, err, status = mypy_api.run([*CACHE, *args])
    return out + err, status


def test_the_public_api_type_checks(monkeypatch):
    monkeypatch.chdir(ROOT)  # mypy reads pyproject.toml's [tool.mypy] from here
    report, status = _mypy()
    assert status == 0, report


def test_a_billing_script_using_the_api_type_checks_strictly_and_runs():
    report, status = _mypy("--strict", str(SCRIPT))
    assert status == 0, report
    done = subprocess.run([sys.executable, str(SCRIPT), str(ROOT / "rulesets" / "acme_contact_center.sla"),
                           str(ROOT / "rulesets" / "acme_contact_center.csv")], capture_output=True, text=True,
                          timeout=120)
    version, invoice_lines = done.stdout.split()
    assert (done.returncode, version) == (0, slarules.__version__) and int(invoice_lines) > 0, done.stderr


def test_the_api_types_are_precise_enough_to_catch_a_mistake(tmp_path):
    """The annotations are checked, not Any: money is a Decimal, not an int."""
    wrong = tmp_path / "wrong.py"
    wrong.write_text("import slarules\n"
                     "def fee(path: str) -> int:\n"
                     "    return slarules.load(path).evaluate({}).totals.credits\n", encoding="utf-8")
    report, status = _mypy("--strict", str(wrong))
    assert status == 1 and 'Incompatible return value type (got "Decimal", expected "int")' in report
