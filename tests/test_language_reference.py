"""docs/reference.md cannot drift from the language: every `sla` block checks
clean, and every `outcome` block is what evaluation gives for the `csv` block
before it (with the `events` block between them, if any)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from slarules import Source, check, compile_source, parse
from slarules.formats.kpi_data import parse_history

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(sla|csv|events|outcome)\n(.*?)```", REFERENCE, re.DOTALL)
RULESETS = [text for kind, text in BLOCKS if kind == "sla"]


def examples():
    """(ruleset, data, events, outcome) for each outcome block, with the blocks before it."""
    ruleset = data = events = None
    for kind, text in BLOCKS:
        if kind == "sla":
            ruleset, data, events = text, None, None
        elif kind == "csv":
            data, events = text, None
        elif kind == "events":
            events = text
        else:
            yield ruleset, data, events, text


def rendered(outcome) -> str:
    lines = []
    for p in outcome.periods:
        statuses = "".join(f"  {r.service_level} {r.status}" for r in p.results)
        line = f"{p.period}{statuses}  credits {p.totals.credits}  bonuses {p.totals.bonuses}"
        if p.totals.earned_back:
            line += f"  earned back {p.totals.earned_back}"
        if p.totals.withheld:
            line += f"  withheld {p.totals.withheld}"
        if p.terminations:
            line += "  terminate"
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text", RULESETS, ids=[f"sla{i}" for i in range(len(RULESETS))])
def test_every_example_ruleset_checks_without_a_diagnostic(text):
    assert check(parse(Source("reference.sla", text))) == []


@pytest.mark.parametrize("ruleset, data, events, expected", list(examples()))
def test_every_example_outcome_is_what_evaluation_gives(ruleset, data, events, expected):
    program = compile_source(Source("reference.sla", ruleset))
    outcome = program.evaluate(parse_history(program, Source("reference.csv", data),
                                             None if events is None else Source("reference.events.csv", events)))
    assert rendered(outcome) == expected


def test_the_reference_has_examples_of_every_section():
    assert len(RULESETS) >= 14 and len(list(examples())) >= 12
