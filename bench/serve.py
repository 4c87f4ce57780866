"""Benchmark: `slarules serve` answering one-month evaluations at 8 concurrent clients.

    python bench/serve.py [--requests N] [--clients C]

Starts `slarules serve` (uvicorn, one process, access log off) on a free port of
127.0.0.1 with rulesets/ as its rulesets folder and a fresh state folder, then:

- baseline: the same one-month evaluation in this process through the Python API
  (the ruleset loaded once; evaluate, then the outcome and the state as the compact
  JSON the service answers), best of 3 runs of N calls: calls per second on one
  core and the time per call;
- POST /evaluate: N requests (default 2,000) of one month of
  rulesets/acme_contact_center.sla by name, from C clients (default 8) at once,
  each a thread with its own keep-alive connection: requests per second over the
  whole run, p50 and p99 latency;
- POST /state/SUBJECT: the same, each client billing its own subject month after
  month, so each request also reads the subject's state and commits the new one
  (lock, fsync, rename).

Ends with `ratio R`: /evaluate requests per second over in-process calls per second.
Every answer must be 200 (exit 1 otherwise). The clients run on the same machine
as the server, so they share its cores: the figures are a floor, not a ceiling.
"""
from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import slarules  # noqa: E402
from slarules.formats import report  # noqa: E402

MONTH = {"monthly_fee": "60000.00", "calls_offered": "10000", "answered_in_20s": "7840", "abandoned": "410",
         "resolved_first_call": "7000", "quality_score": "93.5"}


def label(index: int) -> str:
    return f"{2026 + index // 12}-{index % 12 + 1:02d}"


def one_month(index: int = 0) -> dict:
    return {"periods": [{"period": label(index), **MONTH}]}


def baseline(calls: int) -> float:
    """Seconds per in-process one-month evaluation through the Python API, with the JSON
    the service answers (outcome and state, compact), best of 3."""
    program = slarules.load(ROOT / "rulesets" / "acme_contact_center.sla")
    month = {period.pop("period"): period for period in one_month()["periods"]}
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            outcome = program.evaluate(month)
            body = {"outcome": report.to_data(outcome), "state": json.loads(outcome.state_json())}
            json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        best = min(best, time.perf_counter() - start)
    return best / calls


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(state_dir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "slarules", "serve", "--port", str(port),
                                "--state-dir", state_dir, "--rulesets", str(ROOT / "rulesets"),
                                "--log-level", "warning"], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    sys.exit("slarules serve did not start")


def load(url: str, requests: int, clients: int, request) -> tuple[float, list[float]]:
    """Wall seconds and per-request latencies of `requests` calls of request(session, client, n)
    shared among `clients` threads."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        mine = []
        with httpx.Client(base_url=url, timeout=60) as session:
            for n in range(requests // clients):
                start = time.perf_counter()
                answer = request(session, number, n)
                mine.append(time.perf_counter() - start)
                if answer.status_code != 200:
                    failures.append(answer.text)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if failures:
        sys.exit(f"{len(failures)} requests failed, the first: {failures[0]}")
    return wall, latencies


def show(name: str, wall: float, latencies: list[float]) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{name:<34} {len(latencies) / wall:8.0f} requests/s   p50 {cuts[49] * 1000:6.2f} ms"
          f"   p99 {cuts[98] * 1000:6.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    per_call = baseline(args.requests)
    print(f"{'in-process evaluation (baseline)':<34} {1 / per_call:8.0f} calls/s      "
          f"{per_call * 1e6:.0f} us a call, one core")
    with tempfile.TemporaryDirectory() as state_dir:
        process, url = start_server(state_dir)
        try:
            def evaluate(session, client, n):
                return session.post("/evaluate", json={"ruleset_name": "acme_contact_center", "data": one_month()})

            def bill(session, client, n):
                return session.post(f"/state/subject-{client}",
                                    json={"ruleset_name": "acme_contact_center", "data": one_month(n)})
            load(url, args.clients * 10, args.clients, evaluate)  # warm up: compile, connections
            wall, latencies = load(url, args.requests, args.clients, evaluate)
            show(f"POST /evaluate, {args.clients} clients", wall, latencies)
            served = len(latencies) / wall
            wall, latencies = load(url, args.requests, args.clients, bill)
            show(f"POST /state/SUBJECT, {args.clients} clients", wall, latencies)
        finally:
            process.terminate()
            process.wait()
    print(f"ratio {served * per_call:.2f} (POST /evaluate requests/s over in-process calls/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
