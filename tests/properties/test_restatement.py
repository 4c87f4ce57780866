"""Restatement = batch over the corrected history.

Bill a history month by month (each month from the state the month before saved,
through its JSON), then restate any subset of the billed periods with corrected
inputs and events, once or twice: what was billed plus the adjustment lines is,
period by period, what one evaluation of the whole corrected history gives; the
state carries on exactly as that evaluation's; restating the same corrections
again adjusts nothing. On generated rulesets (cure windows, earn-back, caps over
windows, triggers) and on the example rulesets."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_spanning_properties import FEE, PROGRAMS, RULESETS, VALUE, compile_spec, generated_case, ruleset_history

from slarules.engine.ledger import figures_data
from slarules.engine.restate import restate
from slarules.formats.kpi_data import history_from_mapping, with_events


def billed_month_by_month(program, rows, events):
    state, first = None, {}
    for label, row in rows.items():
        outcome = program.evaluate({label: row}, state, events=[e for e in events if e["period"] == label])
        first[label] = outcome.periods[0].totals.net
        state = program.load_state(outcome.state_json())
    return state, first


def restated(program, state, rows, events, labels):
    corrected = history_from_mapping(program, {label: rows[label] for label in labels})
    corrected = with_events(program, corrected, [e for e in events if e["period"] in labels])
    result = restate(program, state, corrected)
    return result, program.load_state(result.state.to_json())


def check(program, rows, events, rounds):
    """`rounds`: [(corrected rows, corrected events, labels corrected)], applied in order."""
    state, net = billed_month_by_month(program, rows, events)
    first = dict(net)  # the nets as first billed
    final_rows, final_events = dict(rows), list(events)
    for new_rows, new_events, labels in rounds:
        final_rows.update({label: new_rows[label] for label in labels})
        final_events = [e for e in final_events if e["period"] not in labels] + \
                       [e for e in new_events if e["period"] in labels]
        result, state = restated(program, state, final_rows, final_events, labels)
        for adjustment in result.adjustments:
            assert (adjustment.amount != 0) == (adjustment.kind != "restated")
            assert adjustment.billed.net == net[adjustment.period]
            net[adjustment.period] += adjustment.amount
        # The same corrections again: nothing to adjust, the state as it was.
        again, state_again = restated(program, state, final_rows, final_events, labels)
        assert again.adjustments == () and state_again.to_json() == state.to_json()
    batch = program.evaluate(final_rows, events=sorted(final_events, key=lambda e: e["period"]))
    assert net == {p.period: p.totals.net for p in batch.periods}
    ledger = json.loads(state.to_json())["ledger"]["periods"]
    # The ledger's figures in force (the last revision's, or those first billed) are the batch's.
    assert [(p["revisions"] or [p])[-1]["billed"] for p in ledger] == [figures_data(p.totals) for p in batch.periods]
    # Under `credits are applied to the next invoice` the last period's invoice is not billed yet
    # but keeps the figures first computed, its adjustment landing on it (engine/invoicing.py).
    carry = lambda text: {k: v for k, v in json.loads(text).items()  # noqa: E731
                          if k not in ("ledger", "checksum", "next_invoice")}
    assert carry(state.to_json()) == carry(batch.state_json())
    if program.invoicing is not None:
        invoice = json.loads(state.to_json())["next_invoice"]
        assert Decimal(invoice["credits"]) - Decimal(invoice["bonuses"]) + Decimal(invoice["withheld"]) - Decimal(
            invoice["earned_back"]) == first[invoice["assessed_period"]]


@st.composite
def corrections(draw, labels, inputs, value_of, events_of):
    # A correction gives consecutive periods (data files have no gaps): the unchanged ones
    # between two corrected periods come again as they were.
    first = draw(st.integers(0, len(labels) - 1))
    chosen = labels[first:draw(st.integers(first + 1, len(labels)))]
    rows = {label: {name: draw(value_of(name)) for name in inputs} for label in chosen}
    events = [e for e in events_of if draw(st.booleans())]
    return rows, events, chosen


@given(data=st.data())
def test_billed_plus_adjustments_is_the_corrected_batch_on_generated_rulesets(data):
    spec, rows, events = data.draw(generated_case())
    program = compile_spec(spec)
    labels, inputs = list(rows), list(next(iter(rows.values())))
    value = lambda name: FEE if name == "fee" else VALUE  # noqa: E731
    rounds = [data.draw(corrections(labels, inputs, value, events)) for _ in range(data.draw(st.integers(1, 2)))]
    check(program, rows, events, rounds)


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
@settings(max_examples=10)
@given(data=st.data())
def test_billed_plus_adjustments_is_the_corrected_batch_on_the_example_rulesets(path, data):
    program = PROGRAMS[path.name]
    rows, events = data.draw(ruleset_history(program))
    fixed, fixed_events = data.draw(ruleset_history(program))  # a whole other history of the same periods
    labels = [label for label in rows if label in fixed]
    first = data.draw(st.integers(0, len(labels) - 1))
    chosen = labels[first:data.draw(st.integers(first + 1, len(labels)))]
    check(program, rows, events, [(fixed, fixed_events, chosen)])


def test_a_correction_the_money_does_not_see_is_recorded_without_an_adjustment():
    program = PROGRAMS["acme_contact_center.sla"]
    rows = {"2026-01": {"monthly_fee": "100000", "calls_offered": "10000", "answered_in_20s": "9000",
                        "abandoned": "100", "resolved_first_call": "8000", "quality_score": "95"}}
    state, _ = billed_month_by_month(program, rows, [])
    fixed = {"2026-01": {**rows["2026-01"], "answered_in_20s": "9001"}}  # 90.01%: met as before
    result, state = restated(program, state, fixed, [], ["2026-01"])
    (period,) = json.loads(state.to_json())["ledger"]["periods"]
    assert result.adjustments == () and period["revisions"][0]["inputs_before"] == {"answered_in_20s": "9000"}
    assert Decimal(period["inputs"]["answered_in_20s"]) == 9001
