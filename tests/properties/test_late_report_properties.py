"""Late reports, on generated rulesets and histories: a ruleset with parties, inputs whose
reports are due on a drawn business day of the following month, service levels whose late
report counts as a miss, costs a fixed credit or has no consequence (with cure windows,
an at-risk cap and a termination trigger beside them), and a history whose reports
arrive on drawn dates, some late.

1. Evaluating month by month from saved states gives what one evaluation gives
   (incremental = batch), late reports and their consequences included.
2. A report is late exactly when it arrives after the due day, counted here with the
   calendar by hand (weekdays from the day after the month's end); every late report
   is listed with its days late.
3. Its consequence is the one the ruleset states: a late `counts as a miss` service level
   is missed with no value, a `credit` one has its late-report line of that amount, a
   `no consequence` one is judged on its value alone (as with the report on time).
"""
from __future__ import annotations

import calendar
import datetime
import json
from decimal import Decimal

from hypothesis import given, note
from hypothesis import strategies as st

from slarules import Source, compile_source

CONSEQUENCES = {"miss": "counts as a miss", "credit": "credit USD 250", "none": "no consequence"}


def months(n):
    return [f"{2026 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def due_by_hand(label: str, rank: int) -> datetime.date:
    """The `rank`-th Monday-to-Friday day after the month's last day, a day at a time."""
    year, month = map(int, label.split("-"))
    day = datetime.date(year, month, calendar.monthrange(year, month)[1])
    while rank:
        day += datetime.timedelta(days=1)
        rank -= day.weekday() < 5
    return day


@st.composite
def late_cases(draw):
    """(ruleset text, the service levels' (name, input, due day, consequence), rows)."""
    count = draw(st.integers(1, 3))
    levels = []
    inputs = ["  fee money, reported by vendor"]
    blocks = []
    for i in range(count):
        name, kpi = f"sl{i}", f"kpi{i}"
        due = draw(st.integers(1, 20))
        consequence = draw(st.sampled_from(sorted(CONSEQUENCES)))
        inputs.append(f"  {kpi} percent, reported by vendor, due the {due}{_suffix(due)} business day of the "
                      "following month")
        lines = [f"service level {name}", "  accountable: vendor", f"  measured as {kpi}", "  target: at least 90%",
                 f"  late report: {CONSEQUENCES[consequence]}", "  credit, the most severe row applies:",
                 "    below 90%: 2% of fee", "    below 50%: 5% of fee"]
        if draw(st.booleans()):
            lines.append("  cure: within 1 month")
        blocks.append("\n".join(lines))
        levels.append((name, kpi, due, consequence))
    text = "\n\n".join([
        'contract "Late" currency USD, assessed monthly, starts 2026-01',
        'parties\n  client "Client plc", may waive\n  vendor "Vendor Ltd"',
        "inputs\n" + "\n".join(inputs),
        *([f"at risk: {draw(st.sampled_from(['3', '6', '100']))}% of fee each month"] if draw(st.booleans()) else []),
        *blocks,
        f"terminate when sl0 is missed {draw(st.integers(2, 3))} months in a row",
    ]) + "\n"
    rows = {}
    for label in months(draw(st.integers(1, 14))):
        year, month = map(int, label.split("-"))
        end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        row = {"fee": draw(st.sampled_from(["10000", "12345.67"]))}
        for _, kpi, _, _ in levels:
            row[kpi] = draw(st.sampled_from(["95", "90", "89.99", "60", "40"]))
        arrival = draw(st.none() | st.integers(0, 40))
        if arrival is not None:
            row["reported_on"] = (end + datetime.timedelta(days=arrival)).isoformat()
        rows[label] = row
    return text, levels, rows


def _suffix(rank: int) -> str:
    return "th" if rank in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")


def evaluate_in_parts(program, rows, cuts):
    labels = list(rows)
    bounds = [0, *sorted(set(cuts)), len(labels)]
    state, periods = None, []
    for a, b in zip(bounds, bounds[1:]):
        if a == b:
            continue
        step = program.evaluate({label: rows[label] for label in labels[a:b]}, state)
        state = program.load_state(step.state_json())
        periods += json.loads(step.to_json())["periods"]
    return periods, state


@given(late_cases(), st.lists(st.integers(0, 14), max_size=4))
def test_incremental_equals_batch_with_late_reports(case, cuts):
    text, _, rows = case
    note(text)
    program = compile_source(Source("late.sla", text))
    batch = program.evaluate(rows)
    periods, state = evaluate_in_parts(program, rows, [c for c in cuts if c < len(rows)])
    assert periods == json.loads(batch.to_json())["periods"]
    assert state.to_json() == batch.state_json()


@given(late_cases())
def test_a_late_report_is_found_and_costs_what_the_ruleset_says(case):
    text, levels, rows = case
    note(text)
    program = compile_source(Source("late.sla", text))
    on_time = {label: {k: v for k, v in row.items() if k != "reported_on"} for label, row in rows.items()}
    outcome, baseline = program.evaluate(rows), program.evaluate(on_time)
    for period, before in zip(outcome.periods, baseline.periods):
        arrived = rows[period.period].get("reported_on")
        late = {(r.input, r.due, r.arrived, r.days_late) for r in period.late_reports}
        expected = set()
        for _, kpi, due, _ in levels:
            due_day = due_by_hand(period.period, due)
            if arrived is not None and datetime.date.fromisoformat(arrived) > due_day:
                day = datetime.date.fromisoformat(arrived)
                expected.add((kpi, due_day, day, (day - due_day).days))
        assert late == expected
        late_inputs = {entry[0] for entry in late}
        for position, (name, kpi, _, consequence) in enumerate(levels):
            result, alone = period.results[position], before.results[position]
            assert result.accountable == "vendor"
            late_lines = [line for line in period.lines if line.service_level == name and line.kind == "late report"]
            if kpi in late_inputs and consequence == "miss":
                assert result.value is None and result.status in ("missed", "in cure")
            elif kpi in late_inputs and consequence == "credit":
                assert [line.amount for line in late_lines] == [Decimal("250.00")]
            else:
                assert late_lines == []
                assert result.value == alone.value
