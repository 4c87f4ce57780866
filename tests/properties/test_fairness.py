"""Fairness invariants 1, 2, 3, 4, 7 and 8 of the brief, on generated rulesets and on
every rulesets/*.sla file (each file found when the tests are collected).

1 Monotone: one KPI input made better in one period never raises credits and
  charges withheld together (a critical failure replaces credits with a heavier
  withhold), never withholds more, and never lowers the bonuses earned (nor
  raises what the vendor owes net).
2 Bounded: a period's credits stay within the amount at risk, its bonuses within
  the bonus limit, a service level's capped credit or bonus within its cap, and
  a withhold stays within the input it is a share of; no total is negative.
3 Every target met in every period: no credit at all.
4 No service level earns a credit and a bonus in the same period.
7 Exactness: line items add up to the period totals, periods to the history,
  the contract years and the service levels; amounts carry the currency's
  minor-unit digits; a percent-of-fee line scales with the fee.
8 Determinism: the same ruleset and data give the same bytes of JSON, whatever
  the order of the data rows, columns or periods.
"""
from __future__ import annotations

import functools
import json
import re
from decimal import Decimal

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from slarules import Program, Source, compile_source
from slarules.language import nodes
from slarules.formats.kpi_data import parse_history
from slarules.engine.outcome import BONUS_KINDS, CREDIT_KINDS, EARN_BACK, WITHHOLD

import reference
from strategies import SUBJECT_NAMES, histories, input_value, met_histories, subjects

ZERO = Decimal(0)
EVERY_SUBJECT = pytest.mark.parametrize("which", SUBJECT_NAMES)


def earned_bonuses(outcome) -> Decimal:
    """Bonuses after the caps but before any forfeit under 'bonuses only offset credits'."""
    return sum((line.amount for line in outcome.lines if line.kind in BONUS_KINDS and line.kind != "bonus forfeit"),
               ZERO)


def lines_of(period, kinds, service_level=None) -> Decimal:
    return sum((line.amount for line in period.lines
                if line.kind in kinds and (service_level is None or line.service_level == service_level)), ZERO)


def assessed_in(line, period: str) -> str:
    """The period whose performance a line prices: the miss's own period for a credit held in a
    cure window ("kpi_1 missed in 2020-02, not cured by 2020-03"), otherwise the line's period."""
    held = re.match(r"\S+ missed in (\S+), not cured by ", line.explanation)
    return held.group(1) if held else period


# ------------------------------------------------------------------ 1 monotone

def earns_back_under_a_cap(ruleset: nodes.Ruleset) -> bool:
    capped = ruleset.of_type(nodes.AtRisk) or ruleset.of_type(nodes.WindowCap)
    return bool(capped) and any(sl.earn_back is not None for sl in ruleset.service_levels)


@EVERY_SUBJECT
@given(data=st.data())
def test_monotone_a_better_kpi_value_never_costs_the_vendor_more(which, data):
    subject = data.draw(subjects(which))
    history = data.draw(histories(subject.model))
    label = data.draw(st.sampled_from(sorted(history)))
    period = history[label]
    candidates = [n for n in subject.model.kpi_inputs if n in period]
    assume(candidates)
    changed_input = data.draw(st.sampled_from(candidates))
    models = {m.name: m for m in subject.model.inputs}
    rest = {k: v for k, v in period.items() if k != changed_input}
    new_value = data.draw(input_value(models[changed_input], rest))
    changed = dict(history, **{label: dict(period, **{changed_input: new_value})})
    # The reference decides which history performs better; a change that helps one
    # service level and hurts another (a shared denominator) proves nothing.
    order = reference.better_period(subject.ruleset, changed[label], period, label)
    assume(order is not None)
    better, worse = (changed, history) if order == "a" else (history, changed)
    good, bad = subject.evaluate(better), subject.evaluate(worse)
    assert good.totals.credits + good.totals.withheld <= bad.totals.credits + bad.totals.withheld
    assert good.totals.withheld <= bad.totals.withheld
    assert earned_bonuses(good) >= earned_bonuses(bad)
    if earns_back_under_a_cap(subject.ruleset):
        # Earn-back returns each service level's share of the credits a cap cut: a milder miss
        # may earn back less (docs/reference.md section 10), so what is owed net need not fall.
        return
    assert good.totals.net <= bad.totals.net
    assert good.totals.due_to_client <= bad.totals.due_to_client
    if not any(sl.earn_back is not None for sl in subject.ruleset.service_levels):
        # What is paid to the vendor includes credits earned back, returns of what it was charged:
        # a history with fewer misses has less to return (a miss in January, its credit earned back
        # in March: USD 0.03 paid to the vendor against 0.10 charged), and only the net must fall.
        assert good.totals.due_to_vendor >= bad.totals.due_to_vendor


# ------------------------------------------------------------------ 2 bounded

@EVERY_SUBJECT
@given(data=st.data())
def test_bounded_credits_and_bonuses_stay_within_their_caps_and_nothing_is_negative(which, data):
    subject = data.draw(subjects(which))
    history = data.draw(histories(subject.model))
    outcome = subject.evaluate(history)
    ruleset = subject.ruleset
    digits, mode = reference.money_digits(ruleset), reference.rounding_mode(ruleset)
    at_risk, limit = ruleset.of_type(nodes.AtRisk), ruleset.of_type(nodes.BonusLimit)
    values_of = dict(history)
    for p, values in zip(outcome.periods, history.values()):
        pools = reference.period_pools(ruleset, values)
        if at_risk:
            assert p.totals.credits <= reference.round_money(pools.at_risk, digits, mode)
        if limit:
            cap = reference.amount_value(limit[0].amount, pools, None)
            assert p.totals.bonuses <= reference.round_money(cap, digits, mode)
        for sl in ruleset.service_levels:
            for award, kinds in ((sl.credit, CREDIT_KINDS), (sl.bonus, BONUS_KINDS)):
                cap = getattr(award.form, "cap", None) if award is not None else None
                if cap is not None:
                    # A credit held in a cure window and charged when it closes unmet was assessed (and
                    # capped) in the period of the miss, at that period's fee: bound each line by the cap
                    # of the period it was assessed in.
                    own = [line for line in p.lines if line.kind in kinds and line.service_level == sl.name.text]
                    assessed = {assessed_in(line, p.period) for line in own if line.amount > 0}
                    bound = sum((reference.round_money(reference.amount_value(
                        cap, reference.period_pools(ruleset, values_of[q]), sl.name.text), digits, mode)
                        for q in assessed), ZERO)
                    assert sum((line.amount for line in own), ZERO) <= bound
        assert all(line.amount >= 0 for line in p.lines if line.kind in ("credit", "bonus", WITHHOLD))
        for clause in ruleset.of_type(nodes.CriticalFailure):
            assert p.totals.withheld <= values[clause.withhold.base.text]
    every_totals = ([p.totals for p in outcome.periods] + [y.totals for y in outcome.by_contract_year]
                    + [outcome.totals])
    for totals in every_totals:
        assert min(totals.credits, totals.bonuses, totals.due_to_client, totals.due_to_vendor) >= 0
    assert all(s.credits >= 0 and s.bonuses >= 0 for s in outcome.by_service_level)


# ------------------------------------------------------------------ 3 all met

@EVERY_SUBJECT
@given(data=st.data())
def test_every_target_met_in_every_period_means_no_credit(which, data):
    subject = data.draw(subjects(which))
    history = data.draw(met_histories(subject))
    outcome = subject.evaluate(history)
    # a quarter of months each met is met (by its sums, or its average); inside it, pending
    assert {r.status for p in outcome.periods for r in p.results} <= {"met", "not measured", "pending"}
    assert [line for line in outcome.lines if line.kind in CREDIT_KINDS] == []
    assert outcome.totals.credits == 0 and outcome.totals.due_to_client == 0


# ------------------------------------------------------------------ 4 credit or bonus, never both

@EVERY_SUBJECT
@given(data=st.data())
def test_no_service_level_earns_a_credit_and_a_bonus_in_one_period(which, data):
    subject = data.draw(subjects(which))
    outcome = subject.evaluate(data.draw(histories(subject.model)))
    for p in outcome.periods:
        status = {r.service_level: r.status for r in p.results}
        credited = {line.service_level for line in p.lines if line.kind == "credit"}
        rewarded = {line.service_level for line in p.lines if line.kind == "bonus"}
        assert credited & rewarded == set()
        # A credit of this period's own miss; a cure window closing unmet charges an earlier month's.
        charged_now = {line.service_level for line in p.lines
                       if line.kind == "credit" and "not cured by" not in line.explanation}
        assert all(status[s] == "missed" for s in charged_now)
        assert all(status[s] in ("met", "cured") for s in rewarded)  # cured: met, closing a cure window


# ------------------------------------------------------------------ 7 exactness

@EVERY_SUBJECT
@given(data=st.data())
def test_exact_line_items_add_up_to_every_total(which, data):
    subject = data.draw(subjects(which))
    outcome = subject.evaluate(data.draw(histories(subject.model)))
    netting = outcome.netting
    for p in outcome.periods:
        assert all(line.kind in CREDIT_KINDS + BONUS_KINDS + (EARN_BACK, WITHHOLD) for line in p.lines)
        credits, bonuses = lines_of(p, CREDIT_KINDS), lines_of(p, BONUS_KINDS)
        earned_back, withheld = -lines_of(p, (EARN_BACK,)), lines_of(p, (WITHHOLD,))
        assert (p.totals.credits, p.totals.earned_back, p.totals.bonuses, p.totals.withheld) == (
            credits, earned_back, bonuses, withheld)
        assert p.totals.net == credits + withheld - earned_back - bonuses
        # For what is invoiced, charges withheld on a critical failure count with the credits.
        owed = credits + withheld - earned_back
        if netting == "paid separately":  # an earn-back beyond the period's credits is paid to the vendor
            assert (p.totals.due_to_client, p.totals.due_to_vendor) == (max(owed, ZERO), bonuses + max(-owed, ZERO))
        else:
            net = owed - bonuses
            assert (p.totals.due_to_client, p.totals.due_to_vendor) == (max(net, ZERO), max(-net, ZERO))
    fields = ("credits", "earned_back", "bonuses", "withheld", "due_to_client", "due_to_vendor")
    for field in fields:
        assert getattr(outcome.totals, field) == sum((getattr(p.totals, field) for p in outcome.periods), ZERO)
        assert getattr(outcome.totals, field) == sum((getattr(y.totals, field) for y in outcome.by_contract_year),
                                                     ZERO)
    for year in outcome.by_contract_year:
        inside = [p for p in outcome.periods if p.contract_year == year.contract_year]
        assert (year.first_period, year.last_period) == (inside[0].period, inside[-1].period)
    for s in outcome.by_service_level:
        assert s.credits == sum((lines_of(p, CREDIT_KINDS, s.service_level) for p in outcome.periods), ZERO)
        assert s.bonuses == sum((lines_of(p, BONUS_KINDS, s.service_level) for p in outcome.periods), ZERO)


@EVERY_SUBJECT
@given(data=st.data())
def test_exact_amounts_have_the_currency_minor_unit_digits(which, data):
    subject = data.draw(subjects(which))
    outcome = subject.evaluate(data.draw(histories(subject.model)))
    digits = reference.money_digits(subject.ruleset)
    assert outcome.digits == digits
    assert all(line.amount.as_tuple().exponent == -digits for line in outcome.lines)
    shape = re.compile(r"-?[0-9]+" + (rf"\.[0-9]{{{digits}}}" if digits else ""))
    document = json.loads(outcome.to_json())
    totals = [document["totals"]] + [p["totals"] for p in document["periods"]]
    totals += [y["totals"] for y in document["by_contract_year"]]
    amounts = [v for t in totals for v in t.values()]
    amounts += [line["amount"] for p in document["periods"] for line in p["lines"]]
    amounts += [s[k] for s in document["by_service_level"] for k in ("credits", "bonuses")]
    assert [a for a in amounts if not shape.fullmatch(a)] == []
    python_lines = [line.amount for line in outcome.lines]
    assert [Decimal(line["amount"]) for p in document["periods"] for line in p["lines"]] == python_lines


ONE_CREDIT = """contract "T" currency {currency}, starts 2026-01
inputs
  fee  money
  up   percent
service level s
  measured as up
  target: at least 99%
  credit: 3.3333% of fee
"""


@example(currency="XOF")
@given(st.sampled_from(sorted(reference.ISO_MINOR_UNITS)))
def test_exact_every_iso_currency_rounds_to_its_minor_unit(currency):
    program = compile_source(Source("t.sla", ONE_CREDIT.format(currency=currency)))
    outcome = program.evaluate({"2026-01": {"fee": "123457", "up": "50"}})
    digits = reference.ISO_MINOR_UNITS[currency]
    assert (outcome.digits, outcome.lines[0].amount.as_tuple().exponent) == (digits, -digits)


def scales_with(amount: nodes.Amount, fee: str, ruleset: nodes.Ruleset, sl: nodes.ServiceLevel | None) -> bool:
    """Whether the amount is a percentage of the fee input, directly or through the
    amount at risk or the service level's allocation."""
    if not isinstance(amount, nodes.PercentOf):
        return False
    base = amount.base
    if isinstance(base, nodes.InputBase):
        return base.name.text == fee
    if isinstance(base, nodes.AtRiskBase):
        return scales_with(ruleset.of_type(nodes.AtRisk)[0].amount, fee, ruleset, None)
    return scales_with(sl.allocation.amount, fee, ruleset, sl)


def award_scales_with(award: nodes.Award | None, fee: str, ruleset, sl) -> bool:
    """Whether every amount the award may pay is a percentage of the fee. A capped amount
    (linear or shortfall) may be paid its cap, reported or not, so the cap must scale too:
    `at most 1.04% of the amount at risk` under a fixed `at risk: USD 100` does not."""
    if award is None:
        return False
    form = award.form
    if isinstance(form, nodes.Shortfall):
        found = [nodes.PercentOf(Decimal(1), form.base)]
    elif isinstance(form, (nodes.Flat, nodes.Linear)):
        found = [form.amount]
    else:
        found = [row.amount for row in form.rows]
    if isinstance(form, (nodes.Linear, nodes.Shortfall)) and form.cap is not None:
        found.append(form.cap)
    return all(scales_with(a, fee, ruleset, sl) for a in found)


@EVERY_SUBJECT
@given(data=st.data())
def test_exact_a_percent_of_fee_line_doubles_with_the_fee(which, data):
    subject = data.draw(subjects(which))
    ruleset = subject.ruleset
    read = set().union(*(reference.reads(sl) for sl in ruleset.service_levels))
    fees = [i.name.text for i in ruleset.inputs if i.unit == "money" and i.name.text not in read]
    assume(fees)
    fee = data.draw(st.sampled_from(fees))
    history = data.draw(histories(subject.model))
    assume(all(fee in values for values in history.values()))
    doubled = {label: dict(values, **{fee: values[fee] * 2}) for label, values in history.items()}
    once, twice = subject.evaluate(history), subject.evaluate(doubled)
    unit = Decimal(1).scaleb(-reference.money_digits(ruleset))
    for p, q, values in zip(once.periods, twice.periods, history.values()):
        awards = {(line.service_level, line.kind): line.amount for line in p.lines if line.kind in ("credit", "bonus")}
        doubled_awards = {(line.service_level, line.kind): line.amount
                          for line in q.lines if line.kind in ("credit", "bonus")}
        assert awards.keys() == doubled_awards.keys()
        for sl in ruleset.service_levels:
            for kind, award in (("credit", sl.credit), ("bonus", sl.bonus)):
                key = (sl.name.text, kind)
                if key in awards and award_scales_with(award, fee, ruleset, sl):
                    assert abs(doubled_awards[key] - 2 * awards[key]) <= unit, key


# ------------------------------------------------------------------ 8 determinism

def cell(value: Decimal) -> str:
    return f"{value:f}"


@functools.lru_cache(maxsize=None)
def compiled_again(path: str, text: str) -> Program:
    """A second, independent compile of the same source."""
    return compile_source(Source(path, text))


@EVERY_SUBJECT
@given(data=st.data())
def test_determinism_same_ruleset_and_data_give_the_same_bytes(which, data):
    subject = data.draw(subjects(which))
    history = data.draw(histories(subject.model))
    first = subject.evaluate(history).to_json()
    assert subject.evaluate(history).to_json() == first
    as_text = {label: {k: cell(v) for k, v in values.items()} for label, values in history.items()}
    assert compiled_again(subject.path, subject.text).evaluate(as_text).to_json() == first


@EVERY_SUBJECT
@given(data=st.data())
def test_determinism_data_row_order_does_not_matter(which, data):
    subject = data.draw(subjects(which))
    history = data.draw(histories(subject.model))
    expected = subject.evaluate(history).to_json()
    program, names = subject.program, [m.name for m in subject.model.inputs]
    rng = data.draw(st.randoms(use_true_random=True))

    def shuffle(items) -> list:
        items = list(items)
        rng.shuffle(items)
        return items

    columns = shuffle(names)
    rows = [",".join([label] + [cell(values[c]) if c in values else "" for c in columns])
            for label, values in history.items()]
    wide = "\n".join([",".join(["period"] + columns)] + shuffle(rows)) + "\n"
    long_rows = [f"{label},{n},{cell(v)}" for label, values in history.items() for n, v in values.items()]
    long = "\n".join(["period,input,value"] + shuffle(long_rows)) + "\n"
    entries = []
    for label, values in shuffle(history.items()):
        pairs = [f'"{n}": ' + (f'"{cell(v)}"' if rng.random() < 0.5 else cell(v)) for n, v in values.items()]
        entries.append("{" + ", ".join([f'"period": "{label}"'] + shuffle(pairs)) + "}")
    document = '{"periods": [' + ", ".join(entries) + "]}"

    for text, path in ((wide, "data.csv"), (long, "data.csv"), (document, "data.json")):
        assert program.evaluate(parse_history(program, Source(path, text))).to_json() == expected, text
    assert program.evaluate(dict(shuffle(history.items()))).to_json() == expected
