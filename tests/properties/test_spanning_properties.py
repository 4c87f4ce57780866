"""Properties of terms that span periods, over WHOLE HISTORIES (BRIEF.md,
fairness invariants 1, 2, 5, 6, 9, 10; docs/reference.md sections 10-13).

Subjects: rulesets generated as TEXT from random choices (one to three service
levels measured directly from percent inputs, random targets in all four
forms, a flat or most-severe-row credit as a % of the money input `fee`, and
at random a bonus, `cure`, `free passes`, both forms of `earn back`, `at risk`,
rolling and contract-year window caps, every kind of termination trigger, a
critical failure withholding a share of the fee, every netting and both streak
policies), compiled with compile_source (so `check` found no
error); and every rulesets/*.sla, with histories generated from its inputs and
units (counts consistent: a numerator never above its denominator).

Each reference below is recomputed in this file from the documented semantics
(period statuses, values, the clause parameters), never by calling the engine's
own helpers. The default hypothesis profile (tests/conftest.py) applies.
"""
from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from slarules import Source, compile_source, load

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted((ROOT / "rulesets").glob("*.sla"))
D = Decimal
CENT = D("0.01")
MAX_PERIODS = 16


# ------------------------------------------------------------------ generated rulesets

def _pct(x) -> str:
    return f"{x}%"


@st.composite
def specs(draw):
    """A random ruleset, as a spec (what the tests need to know) and its text."""
    n = draw(st.integers(1, 3))
    sls = []
    for i in range(n):
        op = draw(st.sampled_from(["at least", "above", "at most", "below"]))
        higher = op in ("at least", "above")
        target = draw(st.integers(20, 80))
        sl = {"name": f"s{i}", "input": f"v{i}", "op": op, "higher": higher, "target": target}
        lines = [f"service level s{i}", f"  measured as v{i}", f"  target: {op} {target}%"]
        if draw(st.booleans()):
            amount = draw(st.integers(1, 10))
            lines.append(f"  credit: {amount}% of fee")
        else:
            a = draw(st.integers(1, 6))
            b = a + draw(st.integers(0, 6))
            # the first row is exactly the miss region of the target
            first = {"at least": "below", "above": "at most", "at most": "above", "below": "at least"}[op]
            severe = (target - 10) if higher else (target + 10)
            second = "below" if higher else "above"
            lines += ["  credit, the most severe row applies:",
                      f"    {first} {target}%: {a}% of fee",
                      f"    {second} {severe}%: {b}% of fee"]
        if draw(st.booleans()):
            level = target + 5 if higher else target - 5
            lines.append(f"  bonus: {'at least' if higher else 'at most'} {level}%: 1% of fee")
        if draw(st.booleans()):
            sl["cure"] = draw(st.integers(1, 3))
            lines.append(f"  cure: within {sl['cure']} month{'s' * (sl['cure'] != 1)}")
        if draw(st.integers(0, 3)) == 0:
            k = draw(st.integers(1, 2))
            lines.append(f"  free passes: the first {k} miss{'es' * (k != 1)} in each contract year")
        earn = draw(st.integers(0, 3))
        if earn == 1:
            k = draw(st.integers(1, 3))
            lines.append(f"  earn back: {draw(st.sampled_from([25, 50, 100]))}% of its credits after "
                         f"{k} consecutive met month{'s' * (k != 1)}")
        elif earn == 2:
            lines.append(f"  earn back: {draw(st.sampled_from([50, 100]))}% of its credits when the "
                         "contract year average meets the target")
        sls.append(sl)
        sl["text"] = "\n".join(lines) + "\n"
    sections = []
    if draw(st.booleans()):
        sections.append(f"at risk: {draw(st.integers(1, 12))}% of fee each month\n")
    for _ in range(draw(st.integers(0, 2))):
        window = draw(st.one_of(st.integers(1, 4).map(lambda k: f"any {k} month{'s' * (k != 1)}"),
                                st.just("each contract year")))
        if draw(st.booleans()):
            limit = f"USD {draw(st.sampled_from([500, 2000, 10000]))}"
        else:
            limit = f"{draw(st.integers(1, 10))}% of fee in " + (
                "that year" if window == "each contract year" else ("those months" if window != "any 1 month"
                                                                    else "those months"))
        sections.append(f"credits in {window} at most {limit}\n")
    triggers = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["in a row", "in window", "floor", "credits", "many"]))
        sl = draw(st.sampled_from(sls))
        if kind == "in a row":
            k = draw(st.integers(2, 4))
            triggers.append(f"terminate when {sl['name']} is missed {k} months in a row\n")
        elif kind == "in window":
            m = draw(st.integers(2, 3))
            k = draw(st.integers(m, 6))
            triggers.append(f"terminate when {sl['name']} is missed {m} times in any {k} months\n")
        elif kind == "floor":
            if sl["higher"]:
                cmp_ = draw(st.sampled_from(["below", "at most"]))
                floor = sl["target"] - draw(st.integers(1, 15))
            else:
                cmp_ = draw(st.sampled_from(["above", "at least"]))
                floor = sl["target"] + draw(st.integers(1, 15))
            triggers.append(f"terminate when {sl['name']} is {cmp_} {floor}% in any month\n")
        elif kind == "credits":
            k = draw(st.integers(1, 4))
            limit = draw(st.one_of(st.sampled_from(["USD 1000", "USD 5000"]),
                                   st.integers(1, 10).map(lambda x: f"{x}% of fee in those months")))
            triggers.append(f"terminate when credits in any {k} month{'s' * (k != 1)} exceed {limit}\n")
        else:
            triggers.append(f"terminate when {draw(st.integers(1, n))} or more service levels are missed "
                            "in one month\n")
    if draw(st.integers(0, 3)) == 0:  # a critical failure: a share of the fee withheld, with the bonuses netted
        sl = draw(st.sampled_from(sls))
        floor = f"{sl['name']} is {'below' if sl['higher'] else 'above'} " \
                f"{sl['target'] - 10 if sl['higher'] else sl['target'] + 10}%"
        condition = draw(st.sampled_from([floor, f"{draw(st.integers(1, n))} or more service levels are missed "
                                                 "in one month"]))
        accrue = "  credits of that month do not accrue\n" if draw(st.booleans()) else ""
        sections.append(f"critical failure when {condition}:\n{accrue}  withhold {draw(st.integers(1, 20))}% of fee\n")
    netting = draw(st.sampled_from([None, "paid separately", "offset", "only offset"]))
    if netting is not None:  # combined with earn-back and bonuses drawn above
        sections.append({"paid separately": "bonuses are paid separately\n", "offset": "bonuses offset credits\n",
                         "only offset": "bonuses only offset credits\n"}[netting])
    if draw(st.booleans()):
        sections.append("waived misses do not count toward termination\n")
    if draw(st.booleans()):
        sections.append("excluded periods break streaks\n")
    body = sections + triggers + [sl["text"] for sl in sls]
    order = draw(st.permutations(range(len(body))))
    text = ('contract "Generated" currency USD, starts 2026-01\ninputs\n  fee money\n'
            + "".join(f"  v{i} percent\n" for i in range(n))
            + "".join(body[i] for i in order))
    return {"sls": sls, "text": text}


def compile_spec(spec):
    note(spec["text"])
    return compile_source(Source("generated.sla", spec["text"]))


VALUE = st.one_of(st.integers(0, 100).map(str), st.sampled_from(["0", "100", "49.99", "80.01", "50.5"]))
FEE = st.sampled_from(["60000", "1000", "12345.67", "999.99"])


def months(n):
    return [f"{2026 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


@st.composite
def generated_case(draw, with_events=True):
    spec = draw(specs())
    n = draw(st.integers(1, MAX_PERIODS))
    labels = months(n)
    rows = {}
    for label in labels:
        row = {"fee": draw(FEE)}
        for sl in spec["sls"]:
            row[sl["input"]] = draw(VALUE)
        rows[label] = row
    events = []
    if with_events:
        used = set()
        for _ in range(draw(st.integers(0, 3))):
            key = (draw(st.sampled_from(labels)), draw(st.sampled_from(spec["sls"]))["name"])
            if key not in used:
                used.add(key)
                events.append({"period": key[0], "service_level": key[1],
                               "event": draw(st.sampled_from(["waive", "exclude"])), "reason": ""})
    return spec, rows, events


def raw_met(sl, value: str) -> bool:
    v, t = D(value), D(sl["target"])
    return {"at least": v >= t, "above": v > t, "at most": v <= t, "below": v < t}[sl["op"]]


# ------------------------------------------------------------------ the example rulesets' histories

# Counts that are the numerator of a ratio, with their denominator; denominators
# with their range (0 allowed only where a volume condition covers it).
PAIRS = {
    "answered_in_20s": "calls_offered", "abandoned": "calls_offered", "resolved_first_call": "calls_offered",
    "responded_in_30m": "priority_tickets", "outage_minutes": "scheduled_minutes",
    "severity_1_resolved": "severity_1", "calls_answered": "desk_calls",
    "backups_completed": "backups_scheduled", "successful_changes": "changes",
    "triaged_in_15m": "critical_alerts", "answered_in_30s": "calls", "resolved_in_10_days": "complaints",
    "resolved_in_8h": "tickets_resolved",
    "p1_within_4h": "p1_incidents",
}
DENOMINATORS = {
    "calls_offered": (0, 2000), "priority_tickets": (0, 40), "scheduled_minutes": (1, 50000),
    "backups_scheduled": (1, 400), "changes": (1, 100), "critical_alerts": (1, 400),
    "p1_incidents": (0, 8), "confirmed_incidents": (0, 8), "survey_responses": (0, 120), "severity_1": (0, 8),
    "desk_calls": (1, 2000), "calls": (1, 2000), "complaints": (1, 100), "tickets_resolved": (1, 2000),
}
# Inputs whose increase (+1) or decrease (-1) makes the one service level reading them better.
BETTER = {
    "answered_in_20s": 1, "abandoned": -1, "resolved_first_call": 1, "quality_score": 1,
    "monthly_uptime": 1, "responded_in_30m": 1,
    "outage_minutes": -1, "p1_resolution_minutes": -1, "speed_of_answer": -1, "satisfaction_score": 1,
    "backups_completed": 1, "successful_changes": 1,
    "triaged_in_15m": 1, "containment_minutes": -1, "patch_compliance": 1,
    "severity_1_resolved": 1, "calls_answered": 1, "patches_on_time": 1, "downtime_minutes": -1,
    "answered_in_30s": 1, "resolved_in_10_days": 1, "satisfaction": 1, "resolved_in_8h": 1, "survey_score": 1,
    "uptime": 1, "tickets_late": -1,
    "p1_within_4h": 1,
}
PROGRAMS = {path.name: load(path) for path in RULESETS}


def percent_value():
    return st.one_of(st.integers(0, 100).map(str),
                     st.sampled_from(["99.95", "99.94", "99", "98.99", "95", "94.9", "90", "89.5", "98", "97.5",
                                      "99.5"]))


@st.composite
def ruleset_history(draw, program):
    n = draw(st.integers(1, 14))
    start = program.calendar.index(program.calendar.label_of_month(max("2026-01", program.calendar.start_month)))
    labels = [program.calendar.label(start + i) for i in range(n)]
    rows = {}
    for label in labels:
        row = {}
        for spec in program.inputs:
            name, unit = spec.name, spec.unit
            if name in PAIRS:
                continue
            if unit == "index":  # a price index (amounts indexed to it): positive, given every period
                row[name] = str(draw(st.integers(100, 400)))
                continue
            if spec.missing != "required" and draw(st.integers(0, 9)) == 0:
                continue  # not reported
            if name in DENOMINATORS:
                lo, hi = DENOMINATORS[name]
                row[name] = str(draw(st.one_of(st.integers(lo, hi), st.sampled_from([lo, hi]))))
            elif unit == "money":
                row[name] = draw(FEE)
            elif unit == "percent":
                row[name] = draw(percent_value())
            elif unit == "score":
                row[name] = draw(st.sampled_from(["1", "3.9", "4", "4.5", "5"]))
            elif unit == "seconds":
                row[name] = str(draw(st.integers(0, 90)))
            elif unit == "minutes":
                row[name] = str(draw(st.integers(0, 3000)))
            else:
                row[name] = str(draw(st.integers(0, 1000)))
        for name, denominator in PAIRS.items():
            if any(spec.name == name for spec in program.inputs):
                whole = int(row[denominator])
                share = draw(st.one_of(st.integers(0, 1000), st.sampled_from([1000, 995, 950, 900, 800, 700])))
                row[name] = str(whole * share // 1000)
        rows[label] = row
    events = []
    used = set()
    for _ in range(draw(st.integers(0, 2))):
        key = (draw(st.sampled_from(labels)), draw(st.sampled_from([sl.name for sl in program.service_levels])))
        if key not in used:
            used.add(key)
            events.append({"period": key[0], "service_level": key[1],
                           "event": draw(st.sampled_from(["waive", "exclude"])), "reason": ""})
    return rows, events


def _bounds(value: D, unit: str, name: str, rows_row) -> bool:
    if unit == "percent":
        return D(0) <= value <= D(100)
    if name in PAIRS:
        return value <= D(rows_row[PAIRS[name]]) and value >= 0
    return value >= 0


# ------------------------------------------------------------------ helpers

def net(outcome) -> D:
    """Credits and charges withheld on a critical failure, net of earn-back."""
    return outcome.totals.credits + outcome.totals.withheld - outcome.totals.earned_back


def owed(outcome) -> D:
    """Credits and charges withheld: a critical failure replaces a month's credits by its withhold."""
    return outcome.totals.credits + outcome.totals.withheld


def statuses(outcome, name):
    return [next(r for r in p.results if r.service_level == name) for p in outcome.periods]


def counts_as_miss(status: str, program):
    """Section 12: a miss counts whether charged, in cure or a free pass; not measured
    periods, and those inside a quarter not yet assessed (pending), are skipped; waived and
    excluded per the contract's streak policy."""
    if status in ("missed", "in cure"):
        return True
    if status == "waived":
        return True if program.waived_misses_count else None
    if status == "excluded":
        return False if program.excluded_periods_break_streaks else None
    if status in ("not measured", "pending"):
        return None
    assert status in ("met", "cured"), status
    return False


def rounder(program):
    digits = program.rounding.digits
    return lambda x: x.quantize(D(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def window_limit(rule, rows_window):
    if rule.money is not None:
        return rule.money
    return sum((D(row[rule.base]) for row in rows_window), D(0)) * rule.rate


def window_starts(program, labels, t, length):
    """The index of the first period of the window ending at t (length None: the contract year)."""
    if length is not None:
        return max(0, t - length + 1)
    cal = program.calendar
    year = cal.contract_year_of(cal.index(labels[t]))
    s = t
    while s > 0 and cal.contract_year_of(cal.index(labels[s - 1])) == year:
        s -= 1
    return s


def reference_fires(program, rule, outcome, rows, floor_of):
    """Brute-force periods in which a trigger's right arises, from the statuses, values and
    credits: each period its condition holds over the periods after the one it last arose in."""
    labels = [p.period for p in outcome.periods]
    if rule.kind in ("in a row", "in window", "floor"):
        results = statuses(outcome, rule.service_level)
        miss = [counts_as_miss(r.status, program) for r in results]
    fires, since = [], 0  # since: the first period counted after the right last arose
    for t in range(len(labels)):
        if rule.kind == "in a row":
            run = 0
            for m in miss[since:t + 1]:
                run = run + 1 if m else (0 if m is False else run)
            holds = run >= rule.count
        elif rule.kind == "in window":
            holds = sum(1 for m in miss[max(since, t - rule.length + 1):t + 1] if m) >= rule.count
        elif rule.kind == "floor":
            r = results[t]
            # a value that counts: reported, not excluded (whatever the streak policy), not
            # waived unless waived misses count
            holds = r.value is not None and miss[t] is not None and r.status != "excluded" and floor_of(rule)(r.value)
        elif rule.kind == "critical failure":
            holds = critical_failure_holds(program, outcome.periods[t])
        elif rule.kind == "credits":
            s = max(since, window_starts(program, labels, t, rule.window.length))
            total = sum((p.totals.credits for p in outcome.periods[s:t + 1]), D(0))
            limit = rounder(program)(window_limit(rule.window, [rows[l] for l in labels[s:t + 1]]))
            holds = total > limit
        else:
            holds = sum(1 for r in outcome.periods[t].results if counts_as_miss(r.status, program)) >= rule.count
        if holds:
            fires.append(labels[t])
            since = t + 1
    return fires


def critical_failure_holds(program, period) -> bool:
    """Section 12: a critical failure's floor beyond a value that counts as a floor trigger's
    does, or that many service levels missed (counted as for termination)."""
    rule = program.in_force(program.calendar.index(period.period)).critical_failure
    for test in rule.conditions:
        if test.kind == "floor":
            r = period.results[test.position]
            op = re.match(r"(below|above|at least|at most) ", test.text).group(1)
            beyond = {"below": D.__lt__, "above": D.__gt__, "at least": D.__ge__, "at most": D.__le__}[op]
            if (r.value is not None and counts_as_miss(r.status, program) is not None and r.status != "excluded"
                    and beyond(r.value, test.threshold)):
                return True
        elif sum(1 for r in period.results if counts_as_miss(r.status, program)) >= test.count:
            return True
    return False


def floor_from_text(rule):
    m = re.search(r" is (below|above|at least|at most) ([\d.,]+)", rule.text)
    op, x = m.group(1), D(m.group(2).replace(",", ""))
    return {"below": lambda v: v < x, "above": lambda v: v > x,
            "at least": lambda v: v >= x, "at most": lambda v: v <= x}[op]


def check_termination(program, outcome, rows):
    """Each trigger's right is reported in each period its reference condition holds,
    numbered from 1 in order."""
    got = sorted((right.trigger, right.period, right.occurrence) for right in outcome.terminations)
    expected = sorted((rule.text, period, number) for rule in program.triggers
                      for number, period in enumerate(reference_fires(program, rule, outcome, rows,
                                                                      floor_from_text), 1))
    assert got == expected


def check_dues(program, outcome):
    """What each side is owed, from the netting wording: paid separately, the credits less
    earned back go to the client and the bonuses (with any earn-back beyond the period's
    credits) to the vendor; offset, only the net credits - earned back - bonuses, on its
    side; only offset, as offset after bonuses beyond the credits are forfeit. The history
    and each contract year owe the sums of their periods' dues."""
    zero = D(0)
    for p in outcome.periods:
        t, netting = p.totals, program.in_force(program.calendar.index(p.period)).netting
        owed = t.credits + t.withheld - t.earned_back  # withheld charges are invoiced with the credits
        if netting == "paid separately":
            expected = (max(owed, zero), t.bonuses + max(-owed, zero))
        else:
            if netting == "only offset":
                assert t.bonuses <= t.credits, p.period
            net = owed - t.bonuses
            expected = (max(net, zero), max(-net, zero))
        assert (t.due_to_client, t.due_to_vendor) == expected, (netting, p.period)
    for totals, periods in [(outcome.totals, outcome.periods)] + [
            (y.totals, [p for p in outcome.periods if p.contract_year == y.contract_year]) for y in outcome.by_contract_year]:
        assert totals.due_to_client == sum((p.totals.due_to_client for p in periods), zero)
        assert totals.due_to_vendor == sum((p.totals.due_to_vendor for p in periods), zero)


@given(generated_case())
def test_what_is_due_follows_the_netting_with_earn_back_and_bonuses(case):
    spec, rows, events = case
    program = compile_spec(spec)
    check_dues(program, program.evaluate(rows, events=events))


def check_bounds(program, outcome, rows):
    labels = [p.period for p in outcome.periods]
    rnd = rounder(program)
    for p in outcome.periods:
        t = p.totals
        for amount in (t.credits, t.earned_back, t.bonuses, t.due_to_client, t.due_to_vendor):
            assert amount >= 0, p.period
        for line in p.lines:
            if line.kind in ("credit", "bonus"):
                assert line.amount >= 0
        terms = program.in_force(program.calendar.index(p.period))
        if terms.at_risk is not None and program.indexation is None:  # indexed: tests/properties/test_billing_terms*
            env = {k: D(v) for k, v in rows[p.period].items()}
            assert t.credits <= rnd(terms.at_risk.amount.value(env)), p.period
    for rule in program.window_caps:
        for t in range(len(labels)):
            s = window_starts(program, labels, t, rule.length)
            total = sum((p.totals.credits for p in outcome.periods[s:t + 1]), D(0))
            limit = rnd(window_limit(rule, [rows[l] for l in labels[s:t + 1]]))
            # Finding (see report): a share-of-fee limit can shrink below what earlier periods
            # already charged (the fee dropped); the cut cannot reach back, so then the period is
            # cut to zero and the window stays above its limit.
            assert total <= limit or outcome.periods[t].totals.credits == 0, (rule.text, labels[t])
    assert outcome.totals.earned_back <= outcome.totals.credits


def evaluate_in_parts(program, rows, events, cuts, through_json=True):
    """Evaluate the history in parts, each from the state the part before saved (read back
    from its JSON, or, not `through_json`, the live state the outcome holds)."""
    labels = list(rows)
    bounds = [0, *sorted(set(cuts)), len(labels)]
    state, periods = None, []
    for a, b in zip(bounds, bounds[1:]):
        if a == b:
            continue
        part = {l: rows[l] for l in labels[a:b]}
        part_events = [e for e in events if e["period"] in part]
        step = program.evaluate(part, state, events=part_events)
        state = program.load_state(step.state_json()) if through_json else step.state
        periods += json.loads(step.to_json())["periods"]
    return periods, state


# ------------------------------------------------------------------ 5. cure

@given(generated_case())
def test_a_miss_met_within_its_cure_window_is_never_charged(case):
    spec, rows, events = case
    program = compile_spec(spec)
    outcome = program.evaluate(rows, events=events)
    labels = list(rows)
    by_event = {(e["period"], e["service_level"]): e["event"] for e in events}
    explanations = [(line.service_level, line.explanation) for p in outcome.periods for line in p.lines]
    for sl in spec["sls"]:
        if "cure" not in sl:
            continue
        n = sl["cure"]
        results = statuses(outcome, sl["name"])
        for t, label in enumerate(labels):
            if results[t].status != "in cure":
                continue
            assert not raw_met(sl, rows[label][sl["input"]])
            assert not any(l.service_level == sl["name"] and l.kind == "credit"
                           for l in outcome.periods[t].lines if not l.explanation.startswith(f"{sl['name']} missed in"))
            later = range(t + 1, min(t + n, len(labels) - 1) + 1)
            cured = [u for u in later if by_event.get((labels[u], sl["name"])) == "exclude"
                     or (by_event.get((labels[u], sl["name"])) is None or by_event.get((labels[u], sl["name"])) == "waive")
                     and raw_met(sl, rows[labels[u]][sl["input"]])]
            charged = [e for s, e in explanations if s == sl["name"] and e.startswith(f"{sl['name']} missed in {label},")]
            if cured:
                assert not charged, (label, charged)
                assert results[cured[0]].status in ("cured", "excluded")
            elif t + n < len(labels):
                # the window closed unmet in t+n: the held credit is charged there, and only there
                closing = [l.explanation for l in outcome.periods[t + n].lines
                           if l.explanation.startswith(f"{sl['name']} missed in {label}, not cured by {labels[t + n]}")]
                assert closing and len(closing) == len(charged)


# ------------------------------------------------------------------ 6. termination

@given(generated_case())
def test_termination_arises_exactly_when_its_condition_holds(case):
    spec, rows, events = case
    program = compile_spec(spec)
    outcome = program.evaluate(rows, events=events)
    # the statuses the reference reads agree with the raw data and the events
    by_event = {(e["period"], e["service_level"]): e["event"] for e in events}
    for sl in spec["sls"]:
        for label, r in zip(rows, statuses(outcome, sl["name"])):
            event = by_event.get((label, sl["name"]))
            met = raw_met(sl, rows[label][sl["input"]])
            expected = "excluded" if event == "exclude" else ("met" if met else ("waived" if event else "missed"))
            got = {"cured": "met", "in cure": "missed"}.get(r.status, r.status)
            assert got == expected, (label, sl["name"], r.status)
    check_termination(program, outcome, rows)


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
@settings(max_examples=15)
@given(data=st.data())
def test_termination_on_the_example_rulesets(path, data):
    program = PROGRAMS[path.name]
    rows, events = data.draw(ruleset_history(program))
    outcome = program.evaluate(rows, events=events)
    check_termination(program, outcome, rows)


# ------------------------------------------------------------------ 9. incremental = batch

@given(generated_case(), st.lists(st.integers(0, MAX_PERIODS), max_size=4))
def test_incremental_equals_batch_on_generated_rulesets(case, cuts):
    spec, rows, events = case
    program = compile_spec(spec)
    batch = program.evaluate(rows, events=events)
    periods, state = evaluate_in_parts(program, rows, events, [c for c in cuts if c < len(rows)])
    assert periods == json.loads(batch.to_json())["periods"]
    assert state.to_json() == batch.state_json()


@given(generated_case(), st.lists(st.integers(0, MAX_PERIODS), max_size=4))
def test_incremental_from_live_states_equals_batch_on_generated_rulesets(case, cuts):
    """A state passed on as the outcome holds it (copied object by object, not through
    its JSON form) continues exactly as one read back from its JSON."""
    spec, rows, events = case
    program = compile_spec(spec)
    batch = program.evaluate(rows, events=events)
    periods, state = evaluate_in_parts(program, rows, events, [c for c in cuts if c < len(rows)], False)
    assert periods == json.loads(batch.to_json())["periods"]
    assert state.to_json() == batch.state_json()


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
@settings(max_examples=15)
@given(data=st.data())
def test_incremental_equals_batch_on_the_example_rulesets(path, data):
    program = PROGRAMS[path.name]
    rows, events = data.draw(ruleset_history(program))
    cuts = data.draw(st.lists(st.integers(0, len(rows) - 1), max_size=4))
    batch = program.evaluate(rows, events=events)
    periods, state = evaluate_in_parts(program, rows, events, cuts)
    assert periods == json.loads(batch.to_json())["periods"]
    assert state.to_json() == batch.state_json()


# ------------------------------------------------------------------ 10. waivers and exclusions

def _add_event(data, rows, events, names):
    label = data.draw(st.sampled_from(list(rows)))
    name = data.draw(st.sampled_from(names))
    assume((label, name) not in {(e["period"], e["service_level"]) for e in events})
    kind = data.draw(st.sampled_from(["waive", "exclude"]))
    return {"period": label, "service_level": name, "event": kind, "reason": ""}


@given(generated_case(), st.data())
def test_a_waiver_or_exclusion_never_raises_what_the_vendor_owes(case, data):
    spec, rows, events = case
    program = compile_spec(spec)
    extra = _add_event(data, rows, events, [sl["name"] for sl in spec["sls"]])
    sl = next(s for s in spec["sls"] if s["name"] == extra["service_level"])
    # Left out (reference section 10): the contract-year average leaves an excluded period's
    # value out, which can lower the average and so withhold a year-end earn-back.
    assume(not (extra["event"] == "exclude" and "contract year average" in sl["text"]))
    # Left out too: with a period-wide or window cap, earn-back returns each service level's share
    # of the credits charged, so an event on one service level moves another's share (the same
    # documented behaviour as test_under_a_binding_cap_a_milder_miss_earns_back_less).
    assume(not ("earn back" in spec["text"] and ("at risk" in spec["text"] or "credits in" in spec["text"])))
    before = program.evaluate(rows, events=events)
    after = program.evaluate(rows, events=[*events, extra])
    assert net(after) <= net(before)
    assert owed(after) <= owed(before)


def capped(*outcomes):
    return any(line.kind == "credit cap" and line.service_level is None
               for o in outcomes for p in o.periods for line in p.lines)


def program_text(spec):
    return spec["text"]


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
@settings(max_examples=15)
@given(data=st.data())
def test_a_waiver_or_exclusion_never_raises_what_the_vendor_owes_on_the_example_rulesets(path, data):
    program = PROGRAMS[path.name]
    rows, events = data.draw(ruleset_history(program))
    extra = _add_event(data, rows, events, [sl.name for sl in program.service_levels])
    sl = next(s for s in program.service_levels if s.name == extra["service_level"])
    assume(not (extra["event"] == "exclude" and sl.earn_back is not None and sl.earn_back.after is None))
    before = program.evaluate(rows, events=events)
    after = program.evaluate(rows, events=[*events, extra])
    assert owed(after) <= owed(before)
    # With a cap and earn-back, an event on one service level moves another's share of the
    # credits earned back (test_under_a_binding_cap_a_milder_miss_earns_back_less): only credits.
    if not (any(s.earn_back for s in program.service_levels) and (program.at_risk or program.window_caps)):
        assert net(after) <= net(before)


# ------------------------------------------------------------------ 1 and 2. monotone and bounded
def assert_better_costs_no_more(program, rows, better, events):
    """Invariants 1 and 2 over whole histories: `better` differs from `rows` by one better value."""
    before = program.evaluate(rows, events=events)
    after = program.evaluate(better, events=events)
    check_bounds(program, before, rows)
    check_bounds(program, after, better)
    # With a period-wide cap line and earn-back, a smaller own credit returns a smaller share
    # (test_under_a_binding_cap_a_milder_miss_earns_back_less): then only credits and bonuses.
    if not (any(sl.earn_back for sl in program.service_levels) and capped(before, after)):
        assert net(after) <= net(before)
    assert owed(after) <= owed(before)
    assert after.totals.withheld <= before.totals.withheld
    # Under "bonuses only offset credits" a better value that lowers the credits also lowers the
    # bonus they can offset (the rest is forfeit): there bonuses need not rise.
    if program.netting != "only offset":
        assert after.totals.bonuses >= before.totals.bonuses


@given(generated_case(), st.data())
def test_a_better_value_never_raises_what_the_vendor_owes(case, data):
    spec, rows, events = case
    program = compile_spec(spec)
    label = data.draw(st.sampled_from(list(rows)))
    sl = data.draw(st.sampled_from(spec["sls"]))
    old = D(rows[label][sl["input"]])
    new = data.draw(VALUE.filter(lambda v: (D(v) > old) if sl["higher"] else (D(v) < old)))
    better = {l: dict(r) for l, r in rows.items()}
    better[label][sl["input"]] = new
    assert_better_costs_no_more(program, rows, better, events)


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
@settings(max_examples=15)
@given(data=st.data())
def test_a_better_value_never_raises_what_the_vendor_owes_on_the_example_rulesets(path, data):
    program = PROGRAMS[path.name]
    rows, events = data.draw(ruleset_history(program))
    label = data.draw(st.sampled_from(list(rows)))
    row = rows[label]
    candidates = sorted(n for n in BETTER if n in row)
    name = data.draw(st.sampled_from(candidates))
    unit = next(s.unit for s in program.inputs if s.name == name)
    old = D(row[name])
    step = D(data.draw(st.sampled_from(["0.5", "1", "5", "30", "100"]))) * BETTER[name]
    new = old + step
    if unit == "count" or name in PAIRS:
        new = new.to_integral_value()
    assume(new != old and _bounds(new, unit, name, row))
    better = {l: dict(r) for l, r in rows.items()}
    better[label][name] = str(new)
    assert_better_costs_no_more(program, rows, better, events)


# ------------------------------------------------------------------ minimal reproducers of known conflicts

HEADER = 'contract "T" currency USD, starts 2026-01\ninputs fee money\n a percent\n b percent\n'


def test_under_a_binding_cap_a_milder_miss_earns_back_less():
    """Invariant 1 holds for credits and bonuses; what the vendor owes after earn-back is not
    monotone when an at-risk cap binds, because earn-back returns each service level's share of
    the credits actually charged (reference section 10). This pins that documented behaviour."""
    program = compile_source(Source("t.sla", HEADER + """at risk: 2% of fee each month
service level sa measured as a target: at least 80%
  credit, the most severe row applies:
    below 80%: 5% of fee
    below 50%: 10% of fee
  earn back: 100% of its credits after 1 consecutive met month
service level sb measured as b target: at least 80%
  credit: 5% of fee
"""))

    def owed(a):
        o = program.evaluate({"2026-01": {"fee": "60000", "a": a, "b": "0"},
                              "2026-02": {"fee": "60000", "a": "90", "b": "90"}})
        return o.totals.credits, net(o)

    # a = 40: sa 6,000 + sb 3,000 capped at 1,200.00; sa's share 6/9 -> 800.00 back, owed 400.00.
    # a = 60 (better): sa 3,000 + sb 3,000 capped at 1,200.00; share 3/6 -> 600.00 back, owed 600.00.
    assert owed("40") == (Decimal("1200.00"), Decimal("400.00"))
    assert owed("60") == (Decimal("1200.00"), Decimal("600.00"))


def test_excluding_a_met_period_never_withholds_an_earn_back():
    program = compile_source(Source("t.sla", HEADER.replace(" b percent\n", "") + """service level sa measured as a
  target: at least 80%
  credit: 2% of fee
  earn back: 100% of its credits after 1 consecutive met month
"""))
    rows = {"2026-01": {"fee": "60000", "a": "70"}, "2026-02": {"fee": "60000", "a": "90"}}
    before = program.evaluate(rows)  # 1,200.00 charged, 1,200.00 back in February
    after = program.evaluate(rows, events=[{"period": "2026-02", "service_level": "sa", "event": "exclude",
                                            "reason": ""}])  # the excluded February still counts for the run
    assert net(after) <= net(before)
