"""Properties of the billing terms (issue 14, items 3 and 6) over generated rulesets
(billing_strategies.py): a billing run period by period, each run continuing from the
state the last one saved, gives the whole history's outcome and state, and bills the
same invoices with the same figures; under invoicing, each invoice settles exactly the
period before it; under indexation, the money is what the terms without indexation give
when the data keeps the index unchanged (a factor of 1; rounding to cents, which no amount
written in cents changes)."""
from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from slarules import Source, compile_source

from billing_strategies import INDEX, billing_cases


def _program(case):
    return compile_source(Source("generated.sla", case.text))


@given(billing_cases(), st.lists(st.integers(1, 27), max_size=4))
def test_billing_in_parts_equals_the_whole_history(case, cuts):
    program = _program(case)
    batch = program.evaluate(case.rows)
    labels = list(case.rows)
    bounds = [0, *sorted({c for c in cuts if c < len(labels)}), len(labels)]
    state, periods, billed, last = None, [], [], None
    for a, b in zip(bounds, bounds[1:]):
        step = program.evaluate({label: case.rows[label] for label in labels[a:b]}, state)
        state = program.load_state(step.state_json())
        periods += json.loads(step.to_json())["periods"]
        billed += [i for i in step.invoices if i.status == "billed"]
        last = step.invoices[-1] if step.invoices else None
    assert periods == json.loads(batch.to_json())["periods"]
    assert state.to_json() == batch.state_json()
    if case.invoicing:
        assert billed + [last] == list(batch.invoices)


@given(billing_cases())
def test_each_invoice_settles_the_period_before_it(case):
    outcome = _program(case).evaluate(case.rows)
    if not case.invoicing:
        assert outcome.invoices == ()
        return
    labels = list(case.rows)
    assert [(i.assessed_period, i.totals) for i in outcome.invoices] == [(p.period, p.totals)
                                                                         for p in outcome.periods]
    assert [i.invoice_period for i in outcome.invoices] == [*labels[1:], outcome.invoices[-1].invoice_period]
    assert [i.status for i in outcome.invoices] == ["billed"] * (len(labels) - 1) + ["next invoice"]
    for period in outcome.periods:
        assert {line.invoice_period for line in period.lines} <= {period.invoice_period}


@given(billing_cases())
def test_an_unchanged_index_leaves_the_money_as_written(case):
    if not case.indexed or "whole units" in case.text:  # to whole units, USD 0.01 x 1 is 0: rightly
        return
    steady = {label: {**values, INDEX: Decimal(100)} for label, values in case.rows.items()}
    plain = compile_source(Source("plain.sla", case.unindexed)).evaluate(
        {label: {k: v for k, v in values.items() if k != INDEX} for label, values in steady.items()})
    indexed = _program(case).evaluate(steady)
    assert [p.totals for p in indexed.periods] == [p.totals for p in plain.periods]
