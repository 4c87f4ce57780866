"""The service tests' fixtures: one server for the whole session (each test bills its own
subjects), a client per test."""
from __future__ import annotations

import pytest

httpx = pytest.importorskip("httpx")

from serving import HOSTING, ROOT, Server  # noqa: E402  (only once httpx is known to be there)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("service")
    (folder / "states").mkdir()
    (folder / "rulesets").mkdir()
    (folder / "rulesets" / "hosting.sla").write_text(HOSTING, encoding="utf-8")
    for name in ("acme_contact_center.sla", "cloud_hosting.sla", "acme_schedule_c.sla.md"):
        (folder / "rulesets" / name).write_text((ROOT / "rulesets" / name).read_text(encoding="utf-8"),
                                                encoding="utf-8")
    running = Server(folder / "states", folder / "rulesets")
    yield running
    running.stop()
    log = running.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log  # no request of these tests is a bug


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as session:
        yield session
