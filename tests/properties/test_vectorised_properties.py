"""The vectorised money-only evaluator (engine/vectorised.py) gives the exact evaluator's money.

Generated rulesets (strategies.rulesets: every credit and bonus form, gates, caps,
allocations, netting, reporting grids, a critical failure), with cure windows, free passes, earn-back,
caps over several periods and termination triggers added here, and the rulesets in rulesets/, over several runs of generated histories
biased toward the thresholds (values exactly on a target, a tier edge, a ratio's
crossing point, so amounts land on half cents too): per run and period the
credits, earned back, bonuses and withheld are those of evaluate(), to the cent,
and each trigger first fires in the same period.
"""
from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from slarules import SlaError, check, parse
from slarules.language import nodes
from slarules.language.printer import to_source
from slarules.core.source import Source

from strategies import GENERATED, GENERATED_CRITICAL, RULESET_FILES, compiled, draw_period, file_subject, flip, histories, rulesets

np = pytest.importorskip("numpy")
vectorised = pytest.importorskip("slarules.engine.vectorised")

NOUN = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}


@st.composite
def with_carried_terms(draw, ruleset: nodes.Ruleset) -> nodes.Ruleset:
    """The ruleset with, drawn for each service level, a cure window, free passes and earn-back,
    termination triggers on its service levels and on credits, and caps on credits over
    several periods."""
    header = {type(t): t for t in ruleset.contract.terms}
    noun = NOUN[header[nodes.Assessed].periodicity if nodes.Assessed in header else "monthly"]
    sections = []
    names = []
    for section in ruleset.sections:
        if isinstance(section, nodes.ServiceLevel):
            clauses = list(section.clauses)
            has_credit = any(isinstance(c, nodes.Award) and c.kind == "credit" for c in clauses)
            if has_credit and flip(draw):
                clauses.append(nodes.Cure(Decimal(draw(st.integers(1, 2))), noun))
            if has_credit and flip(draw):
                clauses.append(nodes.FreePasses(Decimal(draw(st.integers(1, 2)))))
            if has_credit and flip(draw):
                clauses.append(nodes.EarnBack(Decimal(draw(st.sampled_from((25, 50, 100, 33)))),
                                              Decimal(draw(st.integers(1, 3))), noun))
            section = attrs.evolve(section, clauses=tuple(clauses))
            names.append(section.name)
        sections.append(section)
    for sl_name in names:
        if flip(draw):
            sections.append(nodes.Termination(nodes.MissedInARow(sl_name, Decimal(draw(st.integers(1, 3))), noun)))
        if flip(draw):
            sections.append(nodes.Termination(nodes.MissedInWindow(
                sl_name, Decimal(draw(st.integers(2, 3))), Decimal(draw(st.integers(3, 4))), noun)))
    if len(names) > 1 and flip(draw):
        sections.append(nodes.Termination(nodes.ManyMissed(Decimal(2), noun)))
    fee = nodes.Name("monthly_fee")
    currency = next(t.code for t in ruleset.contract.terms if isinstance(t, nodes.Currency))
    for _ in range(draw(st.integers(0, 2))):  # caps on credits over several periods
        window = (nodes.Window("contract year") if flip(draw)
                  else nodes.Window("rolling", Decimal(draw(st.integers(2, 4))), noun))
        limit = (nodes.WindowShare(Decimal(draw(st.sampled_from(("2.5", "5", "12.35")))), fee) if flip(draw)
                 else nodes.FixedMoney(currency, Decimal(draw(st.sampled_from(("100", "1000.50", "25000"))))))
        sections.append(nodes.WindowCap(window, limit))
    if flip(draw):
        limit = (nodes.WindowShare(Decimal(draw(st.sampled_from(("3", "7.5")))), fee) if flip(draw)
                 else nodes.FixedMoney(currency, Decimal(draw(st.sampled_from(("200", "5000"))))))
        sections.append(nodes.Termination(nodes.CreditsExceed(Decimal(draw(st.integers(2, 3))), noun, limit)))
    return attrs.evolve(ruleset, sections=tuple(sections))


@st.composite
def batches(draw, which: str):
    if which in (GENERATED, GENERATED_CRITICAL):
        drawn = rulesets(max_service_levels=3, critical_failure_clause=which == GENERATED_CRITICAL)
        ruleset = draw(with_carried_terms(draw(drawn)))
        text = to_source(ruleset)
        if any(d.is_error for d in check(parse(Source("generated.sla", text)))):
            reject()
        subject = compiled("generated.sla", text)
    else:
        subject = file_subject(which)
    first = draw(histories(subject.model, max_periods=8))
    labels = list(first)
    runs = [first] + [{label: draw_period(draw, subject.model, True) for label in labels}
                      for _ in range(draw(st.integers(0, 3)))]
    return subject, runs


def _minor(amount: Decimal, digits: int) -> int:
    return int(amount.scaleb(digits))



@given(data=st.data())
def test_vectorised_money_is_the_exact_money(data):
    _same_money(*data.draw(batches(GENERATED)))


@settings(max_examples=max(settings.default.max_examples // 2, 10))
@given(data=st.data())
def test_vectorised_money_is_the_exact_money_with_a_critical_failure(data):
    _same_money(*data.draw(batches(GENERATED_CRITICAL)))


@pytest.mark.parametrize("which", RULESET_FILES)
@settings(max_examples=max(settings.default.max_examples // 4, 10))
@given(data=st.data())
def test_vectorised_money_is_the_exact_money_of_the_example_rulesets(which, data):
    _same_money(*data.draw(batches(which)))


def _same_money(subject, runs):
    program = subject.program
    try:
        outcomes = [program.evaluate(run) for run in runs]
    except SlaError:
        reject()
    labels = list(runs[0])
    first = program.calendar.index(labels[0])
    names = [spec.name for spec in program.inputs]
    columns = vectorised.columns_of([list(run.values()) for run in runs], names)
    money = vectorised.evaluate_money(program, columns, first)
    digits = program.rounding.digits
    for r, outcome in enumerate(outcomes):
        for p, period in enumerate(outcome.periods):
            t = period.totals
            assert (money.credits[r, p], money.earned_back[r, p], money.bonuses[r, p], money.withheld[r, p]) == (
                _minor(t.credits, digits), _minor(t.earned_back, digits), _minor(t.bonuses, digits),
                _minor(t.withheld, digits)), (subject.text, r, period.period, dict(runs[r][period.period]))
        expected = [-1] * len(program.triggers)
        for right in (r for r in outcome.terminations if r.occurrence == 1):  # the vectorised: the first only
            number = next(i for i, rule in enumerate(program.triggers)
                          if rule.text == right.trigger and expected[i] < 0)
            expected[number] = labels.index(right.period)
        assert list(money.terminations[r]) == expected, (subject.text, r)
