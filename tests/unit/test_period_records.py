"""Evaluate pass internals a caller can see: a period's figures are built from a compact
record each time they are read, yet behave as the frozen values the README documents;
sentences held in a cure window travel with the saved state; each period is placed on the
calendar however the history writes its label; the collector's settings are restored.
"""
from __future__ import annotations

import gc
import json
import threading
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slarules import History, PeriodData, Source, compile_source
from slarules.engine.evaluate import _due
from slarules.engine.outcome import KpiResult, Line, TerminationRight, Totals, made, no_full_collections

HEADER = 'contract "T" currency USD, assessed monthly, rounding half up to cents, starts 2026-01\n'
CURED = HEADER + """
inputs
  fee money
  sl percent
service level soa
  measured as sl
  target: at least 80%
  credit, the most severe row applies:
    below 80%: 2% of fee
  bonus: at least 90%: 1% of fee
  cure: within 1 month
"""


def evaluate(*values, state=None):
    program = compile_source(Source("t.sla", CURED))
    months = {f"2026-{m:02d}": {"fee": "60000", "sl": str(v)} for m, v in enumerate(values, start=1)}
    return program, program.evaluate(months, state)


def test_a_period_is_a_frozen_value_whose_figures_are_built_each_time_they_are_read():
    _, first = evaluate(70, 75, 95)
    _, again = evaluate(70, 75, 95)
    period = first.periods[1]
    assert period == again.periods[1] and hash(period) == hash(again.periods[1])
    assert not period != again.periods[1]  # another evaluation's record, the same period
    assert period != tuple(period)
    assert period != first.periods[0]
    assert period.lines == period.lines and period.results == period.results and period.totals == period.totals
    assert period.lines is not period.lines  # built again: nothing is kept
    assert [r.status for r in period.results] == ["in cure"]
    assert repr(period).startswith("PeriodOutcome(period='2026-02', contract_year=1, results=(KpiResult(")
    with pytest.raises(AttributeError):  # a tuple underneath, its fields read-only
        period.period = "2026-03"


def test_reading_every_period_leaves_nothing_behind_for_the_collector():
    # Kept figures would pile up as a long history is read, and CPython's full collections,
    # which rescan everything alive, would come more often (bench/run.py's reading line).
    def read(outcome):
        for period in outcome.periods:
            period.results, period.totals, [line.explanation for line in period.lines]  # noqa: B018

    program, warm_up = evaluate(70, 75, 95, 70, 85, 60)
    read(warm_up)  # what a first reading sets up once: each clause's citation
    outcome = program.evaluate(History(tuple(PeriodData(p.period, {"fee": Decimal(60000), "sl": r.value})
                                             for p in warm_up.periods for r in p.results)))
    gc.collect()
    alive = len(gc.get_objects())
    read(outcome)
    gc.collect()
    assert len(gc.get_objects()) <= alive


@pytest.mark.parametrize("cls", [Line, KpiResult, Totals, TerminationRight])
def test_a_figure_made_in_one_step_is_the_value_its_class_makes(cls):
    values = [f"{name}-value" for name in cls._fields]  # each field told apart
    made_by_name = cls(**dict(zip(cls._fields, values)))
    in_one_step = made(cls, tuple(values))
    assert type(in_one_step) is cls and in_one_step == made_by_name and hash(in_one_step) == hash(made_by_name)
    assert repr(in_one_step) == repr(made_by_name) and tuple(in_one_step) == tuple(values)
    with pytest.raises(AttributeError):
        setattr(in_one_step, cls._fields[0], "changed")


def test_a_line_is_compared_by_what_is_billed_not_by_where_or_how_it_is_worded():
    line = Line("2026-01", "soa", "credit", Decimal("1.00"), "line 3", lambda: "one sentence")
    moved = Line("2026-01", "soa", "credit", Decimal("1.00"), "line 9", lambda: "another")
    assert line == moved and hash(line) == hash(moved) and not line != moved
    assert line != line._replace(amount=Decimal("2.00")) and line != tuple(line)
    assert "one sentence" not in repr(line) and line.explanation == "one sentence"


def test_a_termination_right_is_compared_by_what_it_grants_not_by_where_its_clause_is():
    right = TerminationRight("2026-03", "terminate when soa is missed 3 months in a row", "line 12",
                             "soa missed 3 months in a row", ("2026-01", "2026-02", "2026-03"))
    moved = right._replace(clause="line 20")  # the same ruleset, its clause further down
    assert right == moved and hash(right) == hash(moved) and not right != moved
    assert right != right._replace(occurrence=2) and right != right._replace(contract_clause="C.5(a)")
    assert right != tuple(right)


def test_a_held_credit_keeps_its_sentence_in_the_saved_state():
    # January misses (70%): its credit, 2% of 60,000.00 = 1,200.00, is held until February.
    program, january = evaluate(70)
    saved = json.loads(january.state_json())
    (held,) = saved["service_levels"]["soa"]["pending"][0]["lines"]
    assert held["text"] == "soa 70% missed target at least 80%; row 'below 80%': 2% of fee 60,000.00 = 1,200.00"
    # February misses too: January's window closes unmet, with the sentence the state carried.
    february = program.evaluate({"2026-02": {"fee": "60000", "sl": "75"}}, program.load_state(january.state_json()))
    (line,) = february.periods[0].lines
    assert line.explanation == f"soa missed in 2026-01, not cured by 2026-02: {held['text']}"


def test_periods_are_placed_on_the_calendar_however_the_history_writes_their_labels():
    # Each label is compared with the one the calendar expects next and read only when it
    # differs: a year written with five digits reads as 2026, and keeps its own label.
    program = compile_source(Source("t.sla", CURED))
    labels = ["02026-11", "02026-12", "02027-01"]
    outcome = program.evaluate(History(tuple(PeriodData(label, {"fee": Decimal(60000), "sl": Decimal(70)})
                                             for label in labels)))
    assert [p.period for p in outcome.periods] == labels
    assert [p.contract_year for p in outcome.periods] == [1, 1, 2]
    # Each miss is held until the next month, named as the calendar names it; each falls due a month on.
    assert [r.note for p in outcome.periods for r in p.results] == [
        "in cure until 2026-12 (cure: within 1 month)", "in cure until 2027-01 (cure: within 1 month)",
        "in cure until 2027-02 (cure: within 1 month)"]
    assert [len(p.lines) for p in outcome.periods] == [0, 1, 1]


def test_a_hand_built_history_evaluates_as_the_same_data_read_from_a_mapping():
    program = compile_source(Source("t.sla", CURED))
    months = {f"2026-{m:02d}": {"fee": "60000", "sl": str(v)} for m, v in enumerate((70, 75, 95, 70), start=1)}
    built = History(tuple(PeriodData(label, {k: Decimal(v) for k, v in values.items()})
                          for label, values in months.items()))
    assert program.evaluate(built).to_json() == program.evaluate(months).to_json()


def test_evaluation_restores_the_collector_settings():
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    evaluate(70, 75, 95)
    assert (gc.get_threshold(), gc.isenabled()) == (thresholds, enabled)


def test_overlapping_evaluations_in_threads_give_the_collector_back_as_it_was():
    # The service evaluates in a thread pool: A begins, B begins, A ends (B still running: full
    # collections stay off), B ends (the thresholds back). Saving and restoring per block would
    # leave them as B found them, full collections off for good.
    began_a, began_b, ended_a = threading.Event(), threading.Event(), threading.Event()
    thresholds, seen = gc.get_threshold(), []

    def first():
        with no_full_collections():
            began_a.set()
            began_b.wait()
        ended_a.set()

    def second():
        began_a.wait()
        with no_full_collections():
            began_b.set()
            ended_a.wait()
            seen.append(gc.get_threshold())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [(thresholds[0], thresholds[1], 2**31 - 1)] and gc.get_threshold() == thresholds


def _due_by_max(netting, credits, earned_back, bonuses, withheld):
    """Totals' dues as their docstring defines them, with max (the definition _due keeps)."""
    owed = credits + withheld - earned_back
    if netting == "paid separately":
        return max(owed, Decimal(0)), bonuses + max(-owed, Decimal(0))
    net = owed - bonuses
    return max(net, Decimal(0)), max(-net, Decimal(0))


money = st.one_of(st.sampled_from([Decimal(0), Decimal("0.00"), Decimal("0E+1")]),
                  st.decimals(min_value=0, max_value=10**6, places=2))


@given(st.sampled_from(["paid separately", "offset", "only offset"]), money, money, money, money)
def test_the_dues_are_those_of_max_to_the_last_digit_and_sign(netting, credits, earned_back, bonuses, withheld):
    ours = _due(netting, credits, earned_back, bonuses, withheld)
    assert [d.as_tuple() for d in ours] == [d.as_tuple() for d in _due_by_max(netting, credits, earned_back,
                                                                             bonuses, withheld)]
