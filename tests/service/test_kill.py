"""The service killed with SIGKILL while clients bill a subject month after month, then
started again on the same state folder, three times: no month is billed twice (never two
200s for one month), none is lost (the clients, retrying, end with the whole year), and the
state kept is that of the whole year evaluated at once, with no temporary file left over."""
from __future__ import annotations

import asyncio
import random
from collections import Counter

import httpx

from serving import HOSTING, YEAR, Server


async def walk(url: str, billed: Counter) -> None:
    """Bill the year in order; stop when the server goes away."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as session:
        for one in YEAR:
            try:
                answer = await session.post("/state/killed", json={"ruleset_name": "hosting",
                                                                    "data": {"periods": [one]}})
            except httpx.TransportError:
                return
            assert answer.status_code in (200, 409), answer.text
            if answer.status_code == 200:
                billed[one["period"]] += 1


async def round_of(server: Server, billed: Counter, kill_after: float | None) -> None:
    async def killer():
        await asyncio.sleep(kill_after)
        server.process.kill()
    tasks = [walk(server.url, billed) for _ in range(4)]
    await asyncio.gather(*tasks, *([killer()] if kill_after is not None else []))


def test_kill_9_loses_no_period_and_bills_none_twice(server, tmp_path):
    states, rulesets = tmp_path / "states", server.state_dir.parent / "rulesets"
    states.mkdir()
    billed: Counter = Counter()
    rng = random.Random(7)
    for kill_after in (rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4), None):
        running = Server(states, rulesets)
        try:
            asyncio.run(round_of(running, billed, kill_after))
        finally:
            running.stop()
    assert max(billed.values()) == 1, billed
    final = Server(states, rulesets)
    try:
        kept = httpx.get(f"{final.url}/state/killed").json()
        whole = httpx.post(f"{final.url}/evaluate", json={"ruleset": HOSTING, "data": {"periods": YEAR}}).json()
    finally:
        final.stop()
    assert kept["next_period"] == "2027-01"
    assert kept["state"] == whole["state"]
    assert sorted(p.name for p in states.iterdir()) == ["killed.state.json", "killed.state.json.ledger"]
