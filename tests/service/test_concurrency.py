"""Concurrent requests for one subject, sent to two servers sharing one state folder (so
both the in-process lock and the file lock are exercised): no period is lost or billed twice."""
from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

import httpx
import pytest

from serving import HOSTING, YEAR, Server


@pytest.fixture(scope="session")
def second_server(server):
    """Another process serving the same state folder."""
    running = Server(server.state_dir, server.state_dir.parent / "rulesets")
    yield running
    running.stop()


def clients(server, second_server, count: int) -> list[httpx.AsyncClient]:
    return [httpx.AsyncClient(base_url=(server.url, second_server.url)[number % 2], timeout=120)
            for number in range(count)]


async def close(sessions) -> None:
    for session in sessions:
        await session.aclose()


def test_many_requests_for_the_same_month_bill_it_once(server, second_server):
    body = {"ruleset_name": "hosting", "data": {"periods": [YEAR[1]]}}

    async def race():
        sessions = clients(server, second_server, 24)
        try:
            return await asyncio.gather(*(session.post("/state/same-month", json=body) for session in sessions))
        finally:
            await close(sessions)
    answers = asyncio.run(race())
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {200: 1, 409: 23}, [answer.text for answer in answers if answer.status_code not in (200, 409)]
    assert {a.json()["diagnostics"][0]["code"] for a in answers if a.status_code == 409} == {"SLA606"}
    # The one bill: 99.5% is below 99.9%, 5% of 1000.00.
    (billed,) = [answer.json() for answer in answers if answer.status_code == 200]
    assert billed["outcome"]["totals"]["credits"] == "50.00"
    assert httpx.get(f"{server.url}/state/same-month").json()["next_period"] == "2026-03"


def test_consecutive_months_from_many_clients_are_each_billed_once(server, second_server):
    """Eight clients each walk the year in order: a month is billed (200) by one of them and
    found billed (409) by the rest, so together they bill every month exactly once."""
    async def walk(session) -> list[tuple[str, dict]]:
        billed = []
        for one in YEAR:
            answer = await session.post("/state/year", json={"ruleset_name": "hosting", "data": {"periods": [one]}})
            assert answer.status_code in (200, 409), answer.text
            if answer.status_code == 200:
                billed.append((one["period"], answer.json()))
        return billed

    async def walks():
        sessions = clients(server, second_server, 8)
        try:
            return await asyncio.gather(*(walk(session) for session in sessions))
        finally:
            await close(sessions)
    billed = [bill for walked in asyncio.run(walks()) for bill in walked]
    assert sorted(period for period, _ in billed) == [one["period"] for one in YEAR]
    whole = httpx.post(f"{server.url}/evaluate", json={"ruleset": HOSTING, "data": {"periods": YEAR}}).json()
    credits = sum(Decimal(bill["outcome"]["totals"]["credits"]) for _, bill in billed)
    assert credits == Decimal(whole["outcome"]["totals"]["credits"])
    # By hand: below 99.9% (5% of 1000.00 = 50.00) in 02, 05, 09 and 12 (99.0 is not below 99);
    # below 99% (10% = 100.00) in 03, 07 and 11: 4 * 50.00 + 3 * 100.00 = 500.00.
    assert credits == Decimal("500.00")
    assert httpx.get(f"{server.url}/state/year").json()["state"] == whole["state"]
