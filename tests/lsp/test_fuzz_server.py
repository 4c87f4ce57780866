"""No text crashes the language server: mutated rulesets (tests/fuzz/mutators.py), each opened and
asked every question an editor asks, at random places and past the end; every request gets an
answer that is not an error, and the server never logs an internal error."""
from __future__ import annotations

import random
import sys

from conftest import ROOT
from helpers import Doc

sys.path.insert(0, str(ROOT / "tests" / "fuzz"))
import mutators  # noqa: E402  (the fuzz harness's mutators)

RULESETS = sorted((ROOT / "rulesets").glob("*.sla"))
CASES = 40
MAX_CHARS = 20_000  # the fuzz harness judges big files; here, the many questions asked of each text


def positions(text: str, rng: random.Random) -> list[dict]:
    lines = text.split("\n")
    found = [{"line": len(lines) + 5, "character": 3}, {"line": 0, "character": 10_000}]
    for _ in range(3):
        line = rng.randrange(len(lines))
        found.append({"line": line, "character": rng.randrange(len(lines[line]) + 2)})
    return found


def test_every_request_on_mutated_rulesets_is_answered(server):
    rng = random.Random(15)
    doc = Doc(server, RULESETS[0].read_text(encoding="utf-8"), "fuzz.sla")
    doc.diagnostics()
    for case in range(CASES):
        text = mutators.mutate_ruleset(rng.choice(RULESETS).read_text(encoding="utf-8"), rng)[:MAX_CHARS]
        doc.change(text)
        for diagnostic in doc.diagnostics():
            assert diagnostic["code"].startswith("SLA"), (case, diagnostic)
        for position in positions(text, rng):
            doc.ask("textDocument/hover", position)
            doc.ask("textDocument/definition", position)
            doc.ask("textDocument/references", position, context={"includeDeclaration": True})
            doc.ask("textDocument/completion", position)
            everything = {"start": {"line": 0, "character": 0}, "end": position}
            doc.ask("textDocument/codeAction", range=everything, context={"diagnostics": []})
        doc.ask("textDocument/formatting", options={"tabSize": 2, "insertSpaces": True})
        doc.ask("textDocument/documentSymbol")
    logged = [n["params"]["message"] for n in server.notifications
              if n["method"] == "window/logMessage" and n["params"]["type"] == 1]
    assert logged == []
