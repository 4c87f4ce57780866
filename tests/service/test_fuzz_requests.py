"""The service under damaged requests: rulesets, data and states mutated by the fuzz
harness's mutators (tests/fuzz/mutators.py), sent in-process to the ASGI app. Every answer
is JSON; none is a 500 (a bug) or carries a traceback. SLARULES_FUZZ_CASES sets how many
(default 120), SLARULES_FUZZ_SEED the seed."""
from __future__ import annotations

import asyncio
import json
import os
import random
import sys

import httpx

from slarules.interfaces.service import create_app

from serving import ROOT

sys.path.insert(0, str(ROOT / "tests" / "fuzz"))
from mutators import mutate_json, mutate_ruleset, mutate_state  # noqa: E402

RULESET = (ROOT / "rulesets" / "cloud_hosting.sla").read_text(encoding="utf-8")
DATA = (ROOT / "rulesets" / "cloud_hosting.json").read_text(encoding="utf-8")
CASES = int(os.environ.get("SLARULES_FUZZ_CASES", "120"))
SEED = int(os.environ.get("SLARULES_FUZZ_SEED", "0"))


def request_text(rng: random.Random, state: str) -> str:
    """A request to /evaluate with one of its parts damaged (its text spliced in as it is)."""
    part = rng.choice(("ruleset", "data", "data", "state", "state"))
    ruleset = mutate_ruleset(RULESET, rng) if part == "ruleset" else RULESET
    data = mutate_json(DATA, rng) if part == "data" else DATA
    text = '{"ruleset": ' + json.dumps(ruleset) + ', "data": ' + data
    if part == "state":
        text += ', "state": ' + mutate_state(state, rng)
    return text + "}"


def test_damaged_requests_are_answered_with_diagnostics_never_a_bug(tmp_path):
    app = create_app(state_dir=tmp_path)

    async def run() -> list[tuple[str, httpx.Response]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=120) as session:
            whole = await session.post("/evaluate", json={"ruleset": RULESET, "data": json.loads(DATA)})
            state = json.dumps(whole.json()["state"])
            answers = []
            for index in range(CASES):
                text = request_text(random.Random(f"{SEED}:{index}"), state)
                answers.append((text, await session.post("/evaluate", content=text.encode("utf-8", "surrogatepass"))))
            return answers
    for text, answer in asyncio.run(run()):
        assert answer.status_code in (200, 400, 409, 413, 422), (answer.status_code, answer.text, text[:2000])
        assert "Traceback" not in answer.text
        body = answer.json()
        assert body["outcome"] if answer.status_code == 200 else body["diagnostics"], body
