"""Terms counted in days over WHOLE HISTORIES: cure windows of N calendar or business
days, termination on N days' notice, deliverables late by the calendar (BRIEF.md
invariant 9, incremental = batch; docs/reference.md sections 10, 12-14).

The rulesets are test_spanning_properties' generated ones with each `cure: within N
months` turned into a window in days, a notice added to triggers at random, and up to
two deliverables; the data carries random holidays and delivery dates. A billing run
is given every holiday (a window or notice may run past its data) and the deliveries
dated in its own periods, as a billing system would give them. A late-delivery line and
a cure window in days are also recomputed here from the calendar, independently of the
engine's date arithmetic.
"""
from __future__ import annotations

import datetime
import json
import re
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.properties.test_spanning_properties import MAX_PERIODS, compile_spec, generated_case

START = datetime.date(2026, 1, 1)


@st.composite
def day_cases(draw):
    spec, rows, events = draw(generated_case())
    text = re.sub(r"cure: within \d+ months?", lambda _: draw(st.sampled_from([
        f"cure: within {draw(st.integers(1, 100))} days",
        f"cure within {draw(st.integers(1, 70))} business days"])), spec["text"])
    text = re.sub(r"(terminate when [^\n]*)\n", lambda m: m.group(1) + draw(st.sampled_from([
        "", f", on {draw(st.integers(1, 90))} days' notice",
        f", on {draw(st.integers(1, 40))} business days' notice"])) + "\n", text)
    span = 31 * len(rows)
    deliveries = []
    for i in range(draw(st.integers(0, 2))):
        due = START + datetime.timedelta(days=draw(st.integers(0, span)))
        unit = draw(st.sampled_from(["calendar", "business"]))
        cap = draw(st.sampled_from(["", ", at most USD 2,000", ", at most 25% of its price"]))
        text += (f"deliverable d{i}\n  due {due}\n  price USD 10,000\n"
                 f"  credit: USD {draw(st.integers(1, 900))} per {unit} day late{cap}\n")
        if draw(st.booleans()):
            day = START + datetime.timedelta(days=draw(st.integers(0, span)))
            label = f"{day.year}-{day.month:02d}"
            if label in rows:
                deliveries.append({"period": day.isoformat(), "service_level": f"d{i}", "event": "delivered",
                                   "reason": ""})
    holidays = [{"period": (START + datetime.timedelta(days=d)).isoformat(), "service_level": "",
                 "event": "holiday", "reason": ""}
                for d in draw(st.lists(st.integers(0, 31 * MAX_PERIODS + 400), max_size=12, unique=True))]
    return {**spec, "text": text}, rows, events, deliveries, holidays


def _month(event) -> str:
    return event["period"][:7]


@given(day_cases(), st.lists(st.integers(0, MAX_PERIODS), max_size=4))
def test_incremental_equals_batch_with_days(case, cuts):
    spec, rows, events, deliveries, holidays = case
    program = compile_spec(spec)
    batch = program.evaluate(rows, events=events + deliveries + holidays)
    labels = list(rows)
    bounds = [0, *sorted({c for c in cuts if c < len(labels)}), len(labels)]
    state, periods, last = None, [], None
    for a, b in zip(bounds, bounds[1:]):
        if a == b:
            continue
        part = {label: rows[label] for label in labels[a:b]}
        given_now = [e for e in events if e["period"] in part] + [e for e in deliveries if _month(e) in part]
        last = program.evaluate(part, state, events=given_now + holidays)
        state = program.load_state(last.state_json())
        periods += json.loads(last.to_json())["periods"]
    assert periods == json.loads(batch.to_json())["periods"]
    assert state.to_json() == batch.state_json()
    assert last.deliverables == batch.deliverables


@given(day_cases())
def test_late_delivery_credits_are_the_days_late_times_the_rate_under_the_cap(case):
    """Each late-delivery line: per-day amount x the days after the due date up to the day
    delivered (calendar days, or weekdays that are not holidays), at most the cap."""
    spec, rows, events, deliveries, holidays = case
    program = compile_spec(spec)
    outcome = program.evaluate(rows, events=events + deliveries + holidays)
    off = {datetime.date.fromisoformat(h["period"]) for h in holidays}
    rules = {rule.name: rule for rule in program.deliverables}
    expected = {}
    for delivery in deliveries:
        rule = rules[delivery["service_level"]]
        day = datetime.date.fromisoformat(delivery["period"])
        days = [rule.due + datetime.timedelta(days=k) for k in range(1, (day - rule.due).days + 1)]
        if rule.business:
            days = [d for d in days if d.weekday() < 5 and d not in off]
        amount = rule.per_day * len(days)
        if rule.cap is not None:
            amount = min(amount, rule.cap)
        if amount:
            expected[rule.name] = (_month(delivery), amount.quantize(Decimal("0.01")))
    lines = {line.service_level: (line.period, line.amount) for line in outcome.lines if line.kind == "late delivery"}
    assert lines == expected


@st.composite
def one_cure_in_days(draw):
    """One service level, `at least T%`, a flat credit, a cure window of N calendar or business
    days; a history of up to 16 months from 2026-01 and random holidays."""
    target, rate = draw(st.integers(20, 80)), draw(st.integers(1, 10))
    business = draw(st.booleans())
    count = draw(st.integers(1, 70 if business else 100))
    text = ('contract "Days" currency USD, starts 2026-01\ninputs\n  fee money\n  v percent\n'
            f"service level s\n  measured as v\n  target: at least {target}%\n"
            f"  cure: within {count} {'business ' if business else ''}day{'s' * (count != 1)}\n"
            f"  credit: {rate}% of fee\n")
    n = draw(st.integers(1, MAX_PERIODS))
    labels = [f"{2026 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]
    rows = {label: {"fee": draw(st.sampled_from(["60000", "1234.56"])), "v": str(draw(st.integers(0, 100)))}
            for label in labels}
    holidays = {START + datetime.timedelta(days=d) for d in draw(st.lists(st.integers(0, 800), max_size=15))}
    return text, rows, (target, rate, count, business), holidays


def _last_day(year: int, month: int) -> datetime.date:
    return datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)


@given(one_cure_in_days())
def test_a_cure_window_in_days_charges_as_the_reference_says(case):
    """Independently of the engine: a miss in month i opens a window from the day after the
    month's last day for N calendar days (or N weekdays not holidays); the months ending on or
    before its last day cure it if met; uncured, its credit (rate% of month i's fee, half up
    to cents) is charged in the month containing that last day."""
    text, rows, (target, rate, count, business), holidays = case
    program = compile_spec({"text": text})
    outcome = program.evaluate(rows, events=[{"period": h.isoformat(), "service_level": "", "event": "holiday",
                                              "reason": ""} for h in holidays])
    open_windows, expected = [], []
    for i, (label, row) in enumerate(rows.items()):
        year, month = map(int, label.split("-"))
        end = _last_day(year, month)
        closes, left = end, count
        while left:
            closes += datetime.timedelta(days=1)
            if not business or (closes.weekday() < 5 and closes not in holidays):
                left -= 1
        months_after = (closes.year - year) * 12 + closes.month - month
        met = Decimal(row["v"]) >= target
        if met:
            open_windows = [w for w in open_windows if w["cure_by"] < i]
        else:
            last_counted = months_after if closes == _last_day(closes.year, closes.month) else months_after - 1
            credit = (Decimal(row["fee"]) * rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
            open_windows.append({"deadline": i + months_after, "cure_by": i + last_counted, "credit": credit})
        expected.append(sum((w["credit"] for w in open_windows if w["deadline"] == i), Decimal("0.00")))
        open_windows = [w for w in open_windows if w["deadline"] != i]
    assert [p.totals.credits for p in outcome.periods] == expected
