"""A real `slarules serve` on the loopback address for the service tests (uvicorn in a
subprocess on a free port, waited for until GET /health answers), and what the tests share."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
MAX_BODY = 1_000_000  # the servers' body limit in these tests, so that a test of it sends 1 MB, not 10
# A ruleset small enough to hand-compute: a month under 99.9% uptime credits 5% of the fee,
# under 99% 10% (the most severe row applies).
HOSTING = """\
contract "Hosting" currency USD, starts 2026-01
inputs
  monthly_fee money
  uptime percent
service level availability "Monthly uptime"
  measured as uptime
  target: at least 99.9%
  credit, the most severe row applies:
    below 99.9%: 5% of monthly_fee
    below 99%: 10% of monthly_fee
"""


def month(label: str, uptime: str, fee: str = "1000.00") -> dict:
    return {"period": label, "monthly_fee": fee, "uptime": uptime}


UPTIMES = ["99.95", "99.5", "98.7", "99.9", "99.2", "100", "97", "99.91", "99.89", "99.99", "98.99", "99.0"]
YEAR = [month(f"2026-{number:02d}", uptime) for number, uptime in enumerate(UPTIMES, 1)]


class Server:
    def __init__(self, state_dir: Path, rulesets_dir: Path, env: dict | None = None):
        self.state_dir = state_dir
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = state_dir.parent / "server.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "slarules", "serve", "--port", str(self.port), "--state-dir", str(state_dir),
             "--rulesets", str(rulesets_dir), "--max-body", str(MAX_BODY), "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=self.log.open("wb"), cwd=ROOT, env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"slarules serve did not start: {self.log.read_text()}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
