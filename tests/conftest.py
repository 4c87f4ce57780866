"""Shared test fixtures: golden files and hypothesis profiles.

`pytest --update-golden` rewrites golden files from the current output; read
the `git diff` before committing. Hypothesis runs the fast "default" profile
unless HYPOTHESIS_PROFILE=thorough is set (many more examples, for a deep run).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


@pytest.fixture
def golden(request):
    def check(actual: str, expected_path: Path) -> None:
        if request.config.getoption("--update-golden"):
            expected_path.parent.mkdir(parents=True, exist_ok=True)
            expected_path.write_text(actual, encoding="utf-8")
        assert expected_path.exists(), f"no golden file {expected_path}; run pytest --update-golden and read the diff"
        assert actual == expected_path.read_text(encoding="utf-8")

    return check
