"""The period's length as built-in quantities (`minutes in the month`, `seconds in the
quarter`, ...; issue 14 item 2) over GENERATED rulesets and histories.

Subjects: uptime-style rulesets generated as text (assessed monthly, quarterly or yearly;
one or two service levels `(U in the W - downtime) / U in the W, in percent`, U minutes or
seconds and W the contract's period word or `period`; a target of 99% to 99.99%; credit
rows by range; at random a cure window, an earn-back and a contract-year cap), starting in
years around leap-year edges (1999 -> 2000 is leap, 2099 -> 2100 is not, 2027 -> 2028 is).
Downtime is drawn at the exact threshold of the period's own length, one unit either side,
zero, and at random.

Properties:
1. each period's value is (length - downtime) / length x 100 with the length counted by
   Python's `calendar` module, independently of slarules' Calendar, and its status met
   exactly when that rational value meets the target;
2. incremental = batch: billing the history in parts through saved states gives the same
   periods and the same final state as one evaluation of the whole;
3. with NumPy installed, the vectorised money-only evaluator gives the exact money.
"""
from __future__ import annotations

import calendar
import functools
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from slarules import Source, compile_source
from test_spanning_properties import evaluate_in_parts

NOUN = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}
SECONDS = {"minutes": 60, "seconds": 1}
TARGETS = ("99", "99.5", "99.9", "99.95", "99.99")


@st.composite
def uptime_rulesets(draw) -> dict:
    periodicity = draw(st.sampled_from(sorted(NOUN)))
    noun = NOUN[periodicity]
    start = f"{draw(st.sampled_from([1999, 2027, 2099]))}-01"
    levels, text = [], []
    for i in range(draw(st.integers(1, 2))):
        unit = draw(st.sampled_from(sorted(SECONDS)))
        word = draw(st.sampled_from([noun, "period"]))
        target = draw(st.sampled_from(TARGETS))
        severe = draw(st.sampled_from(["95", "97", "98.5"]))
        lines = [f"service level up{i}",
                 f"  measured as ({unit} in the {word} - down{i}) / {unit} in the {word}, in percent",
                 f"  target: at least {target}%",
                 "  credit by range:",
                 f"    from {severe}% to below {target}%: {draw(st.integers(1, 10))}% of fee",
                 f"    below {severe}%: {draw(st.integers(11, 30))}% of fee"]
        if draw(st.booleans()):
            lines.append(f"  cure: within 1 {noun}")
        if draw(st.booleans()):
            lines.append(f"  earn back: 50% of its credits after 2 consecutive met {noun}s")
        levels.append({"name": f"up{i}", "input": f"down{i}", "unit": unit, "target": Decimal(target)})
        text.append("\n".join(lines) + "\n")
    if draw(st.booleans()):
        text.append("credits in each contract year at most 15% of fee in that year\n")
    source = (f'contract "Uptime" currency USD, assessed {periodicity}, rounding half up to cents, starts {start}\n'
              "inputs\n  fee money\n"
              + "".join(f"  {sl['input']} {sl['unit']}\n" for sl in levels) + "".join(text))
    return {"text": source, "levels": levels}


def seconds_in(label: str) -> int:
    """The period's length in seconds, from the label alone (`2028-02`, `2100-Q1`, `2000`)."""
    if "-Q" in label:
        year, quarter = int(label[:4]), int(label[-1])
        months = [(year, m) for m in range(3 * quarter - 2, 3 * quarter + 1)]
    elif "-" in label:
        months = [(int(label[:4]), int(label[5:]))]
    else:
        months = [(int(label), m) for m in range(1, 13)]
    return sum(calendar.monthrange(year, month)[1] for year, month in months) * 86_400


@st.composite
def cases(draw):
    spec = draw(uptime_rulesets())
    note(spec["text"])
    program = compiled(spec["text"])
    first = program.calendar.index(program.calendar.label_of_month(program.calendar.start_month))
    count = draw(st.integers(1, 14 if program.calendar.periodicity == "monthly" else 6))
    rows = {}
    for label in (program.calendar.label(first + i) for i in range(count)):
        row = {"fee": draw(st.sampled_from(["1000.00", "2500.50", "99999.99"]))}
        for sl in spec["levels"]:
            length = Fraction(seconds_in(label), SECONDS[sl["unit"]])
            threshold = length * (100 - Fraction(sl["target"])) / 100  # downtime that just meets the target
            whole = threshold.numerator // threshold.denominator
            down = draw(st.sampled_from([0, whole, whole + 1, max(whole - 1, 0), int(length)])
                        | st.integers(0, int(length)))
            row[sl["input"]] = str(down)
        rows[label] = row
    return spec, rows


@functools.lru_cache(maxsize=256)
def compiled(text: str):
    return compile_source(Source("uptime.sla", text))


@given(cases())
def test_the_value_is_the_share_of_the_periods_own_length(case):
    spec, rows = case
    program = compiled(spec["text"])
    outcome = json.loads(program.evaluate(rows).to_json())
    for period in outcome["periods"]:
        for result, sl in zip(period["service_levels"], spec["levels"]):
            length = Fraction(seconds_in(period["period"]), SECONDS[sl["unit"]])
            exact = (length - int(rows[period["period"]][sl["input"]])) / length * 100
            assert abs(Fraction(Decimal(result["value"])) - exact) < Fraction(1, 10 ** 25)
            # met (or met again, closing a cure window) exactly when the rational value meets the target
            met = exact >= Fraction(sl["target"])
            assert result["status"] in (("met", "cured") if met else ("missed", "in cure")), (period["period"], result)


@given(cases(), st.lists(st.integers(1, 13), max_size=3))
def test_incremental_equals_batch_over_period_lengths(case, cuts):
    spec, rows = case
    program = compiled(spec["text"])
    periods, state = evaluate_in_parts(program, rows, [], [c for c in cuts if c < len(rows)])
    batch = program.evaluate(rows)
    assert periods == json.loads(batch.to_json())["periods"]
    assert state.to_json() == batch.state_json()


@given(cases())
def test_the_vectorised_money_is_the_exact_money_over_period_lengths(case):
    vectorised = pytest.importorskip("slarules.engine.vectorised")
    spec, rows = case
    program = compiled(spec["text"])
    outcome = program.evaluate(rows)
    names = [spec.name for spec in program.inputs]
    columns = vectorised.columns_of([[{k: Decimal(v) for k, v in row.items()} for row in rows.values()]], names)
    money = vectorised.evaluate_money(program, columns, program.calendar.index(next(iter(rows))))
    assert money.exact_runs == 0  # the period's length is vectorised, not sent back to the exact evaluator
    for p, period in enumerate(outcome.periods):
        t = period.totals
        assert [int(a) for a in (money.credits[0, p], money.earned_back[0, p], money.bonuses[0, p])] == [
            int(x.scaleb(2)) for x in (t.credits, t.earned_back, t.bonuses)], period.period
