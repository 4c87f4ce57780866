"""The engine against the brute-force references in reference.py and reference_history.py.

Every status, line item, right to terminate and due of every period, and the
history's dues, for generated rulesets and every rulesets/*.sla file the
reference understands; the terms over several periods (cure, free passes,
earn-back, window caps, amendments, critical failure, termination) again over
histories of up to 14 periods, on generated rulesets with and without a critical
failure and the example files that state such terms; earn-back under each
netting policy and rolling window caps over changing fees, focused; then two
more focused runs: tier
tables (which row applies: every row is tried) and linear amounts (units
counted one step at a time, rounded up, down or pro rata), on rulesets that
use only those forms, over longer histories. Two once-known engine gaps keep
their own tests: a shortfall credit computed from a ratio must not be rounded
to 34 digits before the money is rounded, and an unreported period costs what
its worst value costs (a capped linear credit whose worst value earns nothing
is not charged the cap); both are compared like any other period.
"""
from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import assume, event, example, given
from hypothesis import strategies as st

from slarules import SlaError, Source, compile_source, parse
from slarules.language import nodes
from slarules.language.printer import to_source

import reference
import reference_history
from strategies import (FEE, GENERATED, GENERATED_CRITICAL, ROOT, RULESET_FILES, compiled, file_subject, histories,
                        rulesets, subjects, window_limit)


def reference_params():
    """Every subject, each file skipped if it uses a construct the reference does not know."""
    params = [GENERATED]
    for path in RULESET_FILES:
        try:
            text = (ROOT / path).read_text(encoding="utf-8")
            unknown = reference_history.unknown_constructs(parse(Source(path, text)))
        except SlaError:
            unknown = []  # the fairness tests report the syntax error
        marks = [pytest.mark.skip(reason=f"the reference does not model {', '.join(unknown)}")] if unknown else []
        params.append(pytest.param(path, marks=marks))
    return params


def assert_matches_reference(subject, history):
    """Each period's statuses, line items, rights to terminate and dues, then the history's
    dues, as the reference computes them; from the first period whose exact amount lies on a
    rounding boundary (from an inexact ratio) on, nothing is compared."""
    outcome = subject.evaluate(history)
    expected_periods = reference_history.evaluate(subject.ruleset, history)
    compared = []
    for p, expected in zip(outcome.periods, expected_periods):
        if expected.ambiguous:
            event("an exact amount on a rounding boundary, from an inexact ratio: not compared")
            return
        assert {r.service_level: r.status for r in p.results} == expected.statuses, p.period
        actual = [(line.service_level, line.kind, line.amount) for line in p.lines]
        assert actual == [(e.service_level, e.kind, e.amount) for e in expected.lines], (p.period, history)
        assert tuple(sorted(t.clause.line for t in p.terminations)) == expected.terminations, p.period
        assert (p.totals.due_to_client, p.totals.due_to_vendor) == (expected.due_to_client, expected.due_to_vendor), (
            p.period, p.lines)
        compared.append(expected)
    assert (outcome.totals.due_to_client, outcome.totals.due_to_vendor) == (
        sum((e.due_to_client for e in compared), Decimal(0)), sum((e.due_to_vendor for e in compared), Decimal(0)))


@pytest.mark.parametrize("which", reference_params())
@given(data=st.data())
def test_every_status_and_line_item_matches_the_reference(which, data):
    subject = data.draw(subjects(which))
    assert_matches_reference(subject, data.draw(histories(subject.model)))


def generated(forms):
    return rulesets(max_service_levels=2, forms=forms).map(lambda r: compiled("generated.sla", to_source(r)))


@given(data=st.data())
def test_tier_table_selection_matches_trying_every_row(data):
    subject = data.draw(generated(("single", "ranked", "range")))
    assert_matches_reference(subject, data.draw(histories(subject.model, max_periods=12)))


@given(data=st.data())
def test_linear_units_match_counting_them_one_step_at_a_time(data):
    subject = data.draw(generated(("linear",)))
    assert_matches_reference(subject, data.draw(histories(subject.model, max_periods=12)))


def spans_periods(ruleset: nodes.Ruleset) -> bool:
    """Whether the ruleset states a term over several periods."""
    return bool(reference_history.SPANNING_NODES & {type(n) for n in reference.walk(ruleset)})


SPANNING_FILES = [path for path in RULESET_FILES if spans_periods(file_subject(path).ruleset)
                  and not reference_history.unknown_constructs(file_subject(path).ruleset)]


@pytest.mark.parametrize("which", [GENERATED, GENERATED_CRITICAL, *SPANNING_FILES])
@given(data=st.data())
def test_terms_over_several_periods_match_the_reference_over_a_year(which, data):
    """Cure windows, free passes, earn-back, window caps, amendments, critical failures and
    termination over histories long enough to close windows, complete runs and cross a
    contract year."""
    subject = data.draw(subjects(which))
    assume(spans_periods(subject.ruleset))
    assert_matches_reference(subject, data.draw(histories(subject.model, max_periods=14)))


def service_levels_with_credits(ruleset: nodes.Ruleset) -> list[str]:
    return [sl.name.text for sl in ruleset.service_levels if sl.credit is not None]


@st.composite
def earning_back_under_a_netting(draw):
    """A ruleset whose service levels with a credit earn back a share of it after 1 or 2 met
    periods, under a netting policy drawn, with bonuses as drawn."""
    ruleset = draw(rulesets(max_service_levels=2, forms=("flat", "single", "ranked"), spanning=False))
    assume(service_levels_with_credits(ruleset))
    sections = []
    for section in ruleset.sections:
        if isinstance(section, nodes.ServiceLevel) and section.credit is not None:
            earn = nodes.EarnBack(Decimal(draw(st.sampled_from((25, 50, 100)))), Decimal(draw(st.integers(1, 2))),
                                  "period")
            section = attrs.evolve(section, clauses=section.clauses + (earn,))
        if not isinstance(section, nodes.Netting):
            sections.append(section)
    policy = draw(st.sampled_from(("paid separately", "offset", "only offset")))
    return compiled("generated.sla", to_source(attrs.evolve(ruleset, sections=(*sections, nodes.Netting(policy)))))


@given(data=st.data())
def test_earn_back_under_every_netting_matches_the_reference(data):
    """What is due each period and over the history, net of earn-back, under each netting."""
    subject = data.draw(earning_back_under_a_netting())
    assert_matches_reference(subject, data.draw(histories(subject.model, allow_missing=False, max_periods=10)))


@st.composite
def capped_over_windows(draw):
    """A ruleset with a cap over rolling windows of 2 to 4 periods of 1% to 5% of the fee summed
    over the window (a limit that falls with the fee, below the credits of a month), and maybe
    a second cap of money or of a share of the fee."""
    ruleset = draw(rulesets(max_service_levels=2, forms=("flat",), spanning=False))
    assume(service_levels_with_credits(ruleset))
    currency = reference.header(ruleset, nodes.Currency).code
    sections = list(ruleset.sections)
    for second in range(draw(st.integers(1, 2))):
        window = nodes.Window("rolling", Decimal(draw(st.integers(2, 4))), "period")
        share = nodes.WindowShare(Decimal(draw(st.integers(1, 5))), nodes.Name(FEE))
        sections.append(nodes.WindowCap(window, window_limit(draw, currency) if second else share))
    return compiled("generated.sla", to_source(attrs.evolve(ruleset, sections=tuple(sections))))


LARGE_FEE, SMALL_FEE = Decimal("100000.00"), Decimal("1000.00")


def fees_falling_after_credits(ruleset: nodes.Ruleset, history: dict) -> dict:
    """The history with a large fee in every period but those charged a credit right after a
    period charged one, which get a small fee: after a met period and a miss at the large fee,
    a share of the fee over the window falls below what the window already holds while the
    period has credits of its own to cut."""
    credited = [any(status == "missed" and sl.credit is not None for sl, status in zip(
        ruleset.service_levels, reference.base_statuses(ruleset, values).values())) for values in history.values()]
    return {label: dict(values, **{FEE: SMALL_FEE if i and credited[i] and credited[i - 1] else LARGE_FEE})
            for i, (label, values) in enumerate(history.items())}


@given(data=st.data())
def test_window_caps_over_changing_fees_match_the_reference(data):
    """Which periods a window holds and how far a cut goes: the credits of every window of
    N periods, a cut never beyond the period's own credits when the limit falls."""
    subject = data.draw(capped_over_windows())
    history = data.draw(histories(subject.model, allow_missing=False, min_periods=6, max_periods=12))
    assert_matches_reference(subject, fees_falling_after_credits(subject.ruleset, history))


SHORTFALL_ON_A_RATIO = """contract "T" currency USD, starts 2026-01
inputs
  fee    money
  good   count
  total  count
service level s
  measured as good / total, in percent
  target: at least 80%
  credit: the shortfall in points as a percentage of fee
"""


@example(good=239, total=300, fee=Decimal("1501.50"))
@given(good=st.integers(0, 1000), total=st.integers(1, 1000), fee=st.decimals("0", "100000", places=2))
def test_shortfall_on_a_ratio_rounds_the_exact_amount(good, total, fee):
    program = compile_source(Source("t.sla", SHORTFALL_ON_A_RATIO))
    ruleset = parse(Source("t.sla", SHORTFALL_ON_A_RATIO))
    values = {"fee": fee, "good": Decimal(min(good, total)), "total": Decimal(total)}
    outcome = program.evaluate({"2026-01": values})
    expected = reference.period(ruleset, values)
    assert [line.amount for line in outcome.periods[0].lines] == [line.amount for line in expected.lines]


UNREPORTED_LINEAR = """contract "T" currency USD, starts 2026-01
inputs
  fee  money
  up   percent, missing counts as a miss
service level s
  measured as up
  target: at least 99%
  credit: 1% of fee per {step} points below {threshold}%, {rounding}, at most 10% of fee
"""


@example(step=5, threshold=Decimal(3), rounding="only whole points count")
@given(st.integers(1, 10), st.decimals("0", "99", places=2),
       st.sampled_from(("only whole points count", "part points count as whole", "pro rata")))
def test_an_unreported_value_costs_what_the_worst_value_costs(step, threshold, rounding):
    """Missing counts as a miss: the credit of the worst value the unit allows (0%)."""
    program = compile_source(Source("t.sla", UNREPORTED_LINEAR.format(step=step, threshold=threshold,
                                                                     rounding=rounding)))
    unreported, worst = program.evaluate({"2026-01": {"fee": "1000"}, "2026-02": {"fee": "1000", "up": "0"}}).periods
    assert unreported.totals.credits == worst.totals.credits
