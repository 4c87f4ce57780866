"""The language server under test: `python -m slarules lsp` in a subprocess, driven over its pipes."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_client import LspClient  # noqa: E402  (a sibling module)

ROOT = Path(__file__).resolve().parents[2]


def start_server() -> LspClient:
    client = LspClient([sys.executable, "-m", "slarules", "lsp"], cwd=ROOT)
    client.initialize(ROOT)
    return client


@pytest.fixture(scope="module")
def server():
    """One server for a test module; each test opens its documents under its own URIs."""
    client = start_server()
    yield client
    client.kill()
