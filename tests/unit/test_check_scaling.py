"""`check` does work in proportion to the ruleset (issue 11.13: 8,000 service levels took
10.9 s, 16,000 took 34.9 s, as every service level scanned every section again).

No timing: the test counts the function calls `check` makes (sys.setprofile sees
each Python and C call, the same count on every machine) on rulesets of 25, 50 and
100 service levels using every kind of clause, and asserts that doubling the service
levels from 50 to 100 adds twice the calls that going from 25 to 50 did (to within 1%);
work per service level that grows with their number adds more.
"""
from __future__ import annotations

import sys

import pytest

from slarules import Source, check, parse


def ruleset(count: int, critical: bool) -> Source:
    lines = ['contract "Scale" currency USD, starts 2026-01', "inputs", "  fee money", "  good count",
             "  total count, missing counts as a miss", "  wait seconds", "",
             "at risk: 12% of fee each month", "bonuses at most 5% of fee each month", ""]
    for i in range(count):
        lines += [f"{'critical ' if critical and i % 2 else ''}service level s{i}",
                  "  measured as good / total, in percent", "  target: at least 80%",
                  "  measured only when total is at least 10",
                  "  allocation: 1% of the amount at risk",
                  "  credit, the most severe row applies:", "    below 80%: 10% of the allocation",
                  "    below 70%: 2% of the amount at risk",
                  "  bonus: at least 90%: 0.1% of fee", "  bonus only if no critical service level is missed",
                  "  cure: within 1 month", "  earn back: 50% of its credits after 3 consecutive met months", "",
                  f"service level w{i}", "  measured as wait", "  target: at most 30 seconds",
                  "  credit: 0.1% of fee per second above 30 seconds, part seconds count as whole, at most 1% of fee",
                  "  free passes: the first 1 miss in each contract year", "",
                  f"terminate when s{i} is missed 3 months in a row",
                  f"terminate when w{i} is missed 4 times in any 12 months", ""]
    return Source("scale.sla", "\n".join(lines) + "\n")


def calls_to_check(count: int, critical: bool) -> int:
    tree = parse(ruleset(count, critical))
    calls = 0

    def profile(frame, event, arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1
    sys.setprofile(profile)
    try:
        found = check(tree)
    finally:
        sys.setprofile(None)
    assert [d for d in found if d.is_error] == []
    return calls


@pytest.mark.parametrize("critical", [True, False], ids=["some critical", "none critical"])
def test_check_does_the_same_work_for_each_service_level_however_many_there_are(critical):
    small, medium, large = (calls_to_check(count, critical) for count in (25, 50, 100))
    # Linear work doubles (2.0003 with some service levels critical, 2.0 with none);
    # one scan of every service level per gate, when none is critical, made it 2.097.
    assert (large - medium) / (medium - small) < 2.02
