"""Properties of service levels assessed less often than the contract (issue 14, item 4),
over generated rulesets (those of test_spanning_properties with one more service level,
`assessed quarterly` or `yearly`, from sums of counts or the average of the monthly
values, with cure, free passes, earn-back and termination over it) and histories with
waivers and exclusions, from contracts that start inside a calendar quarter:

- incremental = batch: a billing run cut anywhere, its state saved and read back at
  each cut (the quarter's partial sums in it), gives the batch outcome and state;
- a period inside its quarter is pending; a quarter with a month excluded is excluded;
  the quarter's value is the ratio of its months' sums (or the average of their values),
  worked out here from the data in exact fractions.
"""
from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import given, strategies as st

from test_spanning_properties import compile_spec, evaluate_in_parts, generated_case

MONTHS = {"quarterly": 3, "yearly": 12}
NOUN = {"quarterly": "quarter", "yearly": "year"}


@st.composite
def quarterly_cases(draw):
    spec, rows, events = draw(generated_case())
    every = draw(st.sampled_from(["quarterly", "quarterly", "yearly"]))
    noun = NOUN[every]
    averaged = draw(st.booleans())
    volume = not averaged and draw(st.booleans())
    target = draw(st.integers(50, 95))
    lines = ["service level q", f"  assessed {every}",
             "  measured as the average of the monthly values of vq" if averaged
             else "  measured as qok / qall, in percent",
             f"  target: at least {target}%", f"  credit: {draw(st.integers(1, 10))}% of fee"]
    if volume:
        lines.append("  measured only when qall is at least 10")
    if draw(st.booleans()):
        lines.append(f"  cure: within 1 {noun}")
    if draw(st.integers(0, 2)) == 0:
        lines.append("  free passes: the first 1 miss in each contract year")
    if draw(st.booleans()):
        k = draw(st.integers(1, 2))
        lines.append(f"  earn back: 50% of its credits after {k} consecutive met {noun}{'s' * (k != 1)}")
    triggers = []
    if draw(st.booleans()):
        triggers.append(f"terminate when q is missed 2 {noun}s in a row\n")
    if draw(st.booleans()):
        triggers.append(f"terminate when q is missed 2 times in any {2 * MONTHS[every]} months\n")
    if draw(st.booleans()):
        triggers.append(f"terminate when q is below {target - 10}% in any month\n")
    start = draw(st.sampled_from(["2025-11", "2025-12", "2026-01"]))  # data from 2026-01: inside a quarter
    text = spec["text"].replace("starts 2026-01", f"starts {start}").replace(
        "inputs\n", "inputs\n  qall count\n  qok count\n  vq percent\n", 1)
    spec = {**spec, "text": text + "".join(triggers) + "\n".join(lines) + "\n",
            "q": {"every": every, "averaged": averaged, "volume": volume, "start": start}}
    for row in rows.values():
        qall = draw(st.integers(0 if volume else 1, 40))
        row.update(qall=str(qall), qok=str(draw(st.integers(0, qall))), vq=str(draw(st.integers(0, 100))))
    labels = list(rows)
    for _ in range(draw(st.integers(0, 3))):
        label = draw(st.sampled_from(labels))
        if (label, "q") not in {(e["period"], e["service_level"]) for e in events}:
            events.append({"period": label, "service_level": "q", "event": draw(st.sampled_from(["waive", "exclude"])),
                           "reason": ""})
    return spec, rows, events


@given(quarterly_cases(), st.lists(st.integers(0, 16), max_size=4))
def test_incremental_equals_batch_with_a_quarterly_service_level(case, cuts):
    spec, rows, events = case
    program = compile_spec(spec)
    batch = program.evaluate(rows, events=events)
    periods, state = evaluate_in_parts(program, rows, events, [c for c in cuts if c < len(rows)])
    assert periods == json.loads(batch.to_json())["periods"]
    assert state.to_json() == batch.state_json()


def _month(label: str) -> int:
    year, month = map(int, label.split("-"))
    return year * 12 + month - 1


@given(quarterly_cases())
def test_a_quarter_is_pending_until_its_last_month_then_measured_over_its_months(case):
    spec, rows, events = case
    q = spec["q"]
    outcome = compile_spec(spec).evaluate(rows, events=events)
    excluded = {e["period"] for e in events if e["service_level"] == "q" and e["event"] == "exclude"}
    length, start = MONTHS[q["every"]], _month(q["start"])
    months = []  # the quarter's months so far, within the data
    for period in outcome.periods:
        months.append(period.period)
        result = period.results[-1]
        if (_month(period.period) + 1 - start) % length:
            assert (result.status, result.value) == ("pending", None), period.period
            continue
        counted = months
        months = []
        if any(m in excluded for m in counted):  # an exclusion excludes the quarter
            assert result.status == "excluded"
            continue
        if q["averaged"]:
            expected = sum((Fraction(rows[m]["vq"]) for m in counted), Fraction(0)) / len(counted)
        else:
            total = sum(int(rows[m]["qall"]) for m in counted)
            if q["volume"] and total < 10:
                assert result.status == "not measured", period.period
                continue
            expected = Fraction(100 * sum(int(rows[m]["qok"]) for m in counted), total)
        assert abs(Fraction(result.value) - expected) < Fraction(1, 10 ** 30), period.period
        base = "met" if Fraction(result.value) >= int(spec["text"].split("target: at least ")[-1].split("%")[0]) \
            else "missed"
        assert {"cured": "met", "in cure": "missed", "waived": "missed"}.get(result.status, result.status) == base
