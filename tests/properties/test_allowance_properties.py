"""Fairness properties over generated rulesets whose target and per-unit threshold are a
share of another input (`target: at most 3% of opened`, `credit: USD 8 per ticket resolved
late above 4% of opened, only whole tickets resolved late count`), in the contract's nouns.

The generator is this file's own (`allowance_rulesets`): a count measured against a
share of a count, lower or higher being better, a flat or per-unit credit counting from
a share of the same input no nearer the met side, every rounding of part units, steps,
caps, a flat bonus, and a base input that is required, defaulted or counts as a miss.
Its data go through 0 opened and allowances that fall between whole values.

1 Exact: each period's status and credit are what an independent reading of the
  wording gives, worked out in Fractions here (allowance = P/100 x base).
2 Monotone: a worse measured value, with the other inputs fixed, never lowers the
  credits nor raises the bonuses; a larger base does the same as the measured value
  moving the better way (lower is better: more opened is more allowance).
3 Bounded: a capped credit stays within its cap; nothing is negative.
4 Every target met: no credit.
5 The ruleset prints and parses back to the same tree.
6 `slarules verify` finds the generated terms monotone and free of credits when met.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import attrs
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from slarules import Source, check, compile_source, parse
from slarules.language.printer import to_source
from slarules.tools.verify import verify

NOUNS = (("ticket", "tickets"), ("incident", "incidents"), ("missed response", "missed responses"),
         ("ticket resolved late", "tickets resolved late"))
ROUNDING_PHRASE = {"up": "part {} count as whole", "down": "only whole {} count", "pro rata": "pro rata"}


@attrs.frozen
class Terms:
    """What was drawn, for the reference reading: percents, forms and amounts."""

    text: str
    higher: bool
    op: str
    percent: Fraction  # the target's share of `opened`
    derived: bool  # measured as `late_a + late_b` rather than `late`
    form: str  # "flat" | "linear"
    amount: Fraction  # USD per unit (linear) or the flat credit in USD
    step: Fraction
    from_percent: Fraction  # the share the per-unit credit counts from
    rounding: str
    cap: Fraction | None  # a share of the fee, in percent
    bonus: Fraction | None  # a flat bonus, in percent of the fee
    missing: str  # "required" | "default" | "miss"
    default: Fraction


def _percent(draw, low: int, high: int) -> Fraction:
    return Fraction(draw(st.integers(low * 10, high * 10)), 10)


def _text(value: Fraction) -> str:
    return f"{Decimal(value.numerator) / Decimal(value.denominator):f}"


@st.composite
def allowance_rulesets(draw) -> Terms:
    higher = draw(st.booleans())
    op = draw(st.sampled_from(("at least", "above") if higher else ("at most", "below")))
    percent = _percent(draw, 80, 99) if higher else _percent(draw, 0, 20)
    if op == "below" and percent == 0:  # a target no period can meet: verify's all-met finds no history
        percent = Fraction(1, 10)
    derived = draw(st.booleans())
    form = draw(st.sampled_from(("flat", "linear")))
    missing = draw(st.sampled_from(("required", "default", "miss")))
    default = Fraction(draw(st.integers(0, 3000)))
    cap = Fraction(draw(st.integers(1, 20))) if (draw(st.booleans()) or (missing == "miss" and form == "linear")) \
        else None
    bonus = Fraction(draw(st.integers(1, 5))) if draw(st.booleans()) else None
    amount = Fraction(draw(st.integers(1, 100)))
    step = Fraction(draw(st.sampled_from((1, 1, 2, 5))))
    written_step = draw(st.booleans()) or step != 1
    nearer = Fraction(draw(st.integers(0, 50)), 10)
    from_percent = percent - nearer if higher else percent + nearer
    rounding = draw(st.sampled_from(("up", "down", "pro rata")))
    singular, plural = draw(st.sampled_from(NOUNS))
    base_policy = {"required": "", "default": f", default {default}", "miss": ", missing counts as a miss"}[missing]
    kpi = ("late_a  count\n  late_b  count" if derived else "late  count")
    lines = ['contract "Generated" currency USD, rounding half up to cents, starts 2026-01',
             "inputs", "  fee  money", f'  opened  count "tickets opened"{base_policy}', "  " + kpi,
             "service level tickets", f"  measured as {'late_a + late_b' if derived else 'late'}",
             f"  target: {op} {_text(percent)}% of opened"]
    if form == "flat":
        lines.append(f"  credit: USD {amount}")
        cap = None  # a flat credit takes no cap
    else:
        side = "below" if higher else "above"
        unit = (f"{step} {plural}" if step != 1 else singular) if written_step else singular
        lines.append(f"  credit: USD {amount} per {unit} {side} {_text(from_percent)}% of opened, "
                     + ROUNDING_PHRASE[rounding].format(plural)
                     + (f", at most {cap}% of fee" if cap is not None else ""))
    if bonus is not None:
        lines.append(f"  bonus: {bonus}% of fee")
    text = "\n".join(lines) + "\n"
    return Terms(text, higher, op, percent, derived, form, amount, step, from_percent, rounding, cap, bonus,
                 missing, default)


@st.composite
def histories(draw, terms: Terms, met: bool = False) -> dict[str, dict[str, Decimal]]:
    periods = {}
    for month in range(1, draw(st.integers(1, 4)) + 1):
        opened = draw(st.sampled_from((0, 1000, 1010, 1015)) | st.integers(0, 5000))
        row = {"fee": Decimal(draw(st.integers(10, 1000)) * 100), "opened": Decimal(opened)}
        allowance = terms.percent * opened / 100
        if met:
            late = _meeting(terms, allowance)
            if late is None:
                assume(False)
        else:
            near = [math.floor(allowance) + d for d in (-2, -1, 0, 1, 2)]
            late = draw(st.sampled_from([n for n in near if n >= 0] or [0]) | st.integers(0, 5000))
        if terms.derived:
            part = draw(st.integers(0, late))
            row.update(late_a=Decimal(part), late_b=Decimal(late - part))
        else:
            row["late"] = Decimal(late)
        if terms.missing != "required" and not met and draw(st.integers(0, 5)) == 0:
            del row["opened"]
        periods[f"2026-{month:02d}"] = row
    return periods


def _meeting(terms: Terms, allowance: Fraction) -> int | None:
    """A whole measured value that meets the target, if one does."""
    best = {"at most": math.floor(allowance), "below": math.ceil(allowance) - 1,
            "at least": math.ceil(allowance), "above": math.floor(allowance) + 1}[terms.op]
    return best if best >= 0 else None


def _cents(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def reference(terms: Terms, row: dict[str, Decimal]) -> tuple[str, Decimal, Decimal]:
    """(status, credits, bonuses) of a period, read from the wording with Fractions."""
    fee = Fraction(row["fee"])
    if "opened" not in row and terms.missing == "miss":
        cap = _cents(terms.cap * fee / 100) if terms.cap is not None else None
        return "missed", (cap if terms.form == "linear" else _cents(terms.amount)), Decimal("0.00")
    opened = Fraction(row["opened"]) if "opened" in row else terms.default
    late = Fraction(row["late"]) if "late" in row else Fraction(row["late_a"] + row["late_b"])
    allowance = terms.percent * opened / 100
    met = {"at most": late <= allowance, "below": late < allowance,
           "at least": late >= allowance, "above": late > allowance}[terms.op]
    if met:
        return "met", Decimal("0.00"), _cents(terms.bonus * fee / 100) if terms.bonus is not None else Decimal("0.00")
    if terms.form == "flat":
        return "missed", _cents(terms.amount), Decimal("0.00")
    start = terms.from_percent * opened / 100
    distance = max(start - late if terms.higher else late - start, Fraction(0)) / terms.step
    units = {"up": math.ceil(distance), "down": math.floor(distance), "pro rata": distance}[terms.rounding]
    credit = _cents(units * terms.amount)
    if terms.cap is not None:
        credit = min(credit, _cents(terms.cap * fee / 100))
    return "missed", credit, Decimal("0.00")


def _evaluate(terms: Terms, history):
    return compile_source(Source("generated.sla", terms.text)).evaluate(history)


def _credits(outcome) -> list[Decimal]:
    return [p.totals.credits for p in outcome.periods]


@given(data=st.data())
def test_each_period_is_what_the_wording_gives(data):
    terms = data.draw(allowance_rulesets())
    assert [d.render() for d in check(parse(Source("generated.sla", terms.text))) if d.is_error] == []
    history = data.draw(histories(terms))
    outcome = _evaluate(terms, history)
    for period in outcome.periods:
        status, credits, bonuses = reference(terms, history[period.period])
        assert (period.results[0].status, period.totals.credits, period.totals.bonuses) == (status, credits, bonuses), \
            (terms.text, history[period.period])


@given(data=st.data())
def test_a_worse_value_or_a_smaller_allowance_never_costs_the_vendor_less(data):
    terms = data.draw(allowance_rulesets())
    history = data.draw(histories(terms))
    label = data.draw(st.sampled_from(sorted(history)))
    row = history[label]
    name = data.draw(st.sampled_from([n for n in ("late", "late_a", "opened") if n in row]))
    bump = Decimal(data.draw(st.integers(1, 300)))
    worse_when_raised = (name != "opened") != terms.higher  # more late is worse when lower is better
    raised = dict(history, **{label: dict(row, **{name: row[name] + bump})})
    worse, better = (raised, history) if worse_when_raised else (history, raised)
    bad, good = _evaluate(terms, worse), _evaluate(terms, better)
    assert bad.totals.credits >= good.totals.credits
    assert bad.totals.bonuses <= good.totals.bonuses


@given(data=st.data())
def test_credits_stay_within_the_cap_and_are_never_negative(data):
    terms = data.draw(allowance_rulesets())
    history = data.draw(histories(terms))
    for period in _evaluate(terms, history).periods:
        assert period.totals.credits >= 0 and period.totals.bonuses >= 0
        if terms.cap is not None:
            assert period.totals.credits <= _cents(terms.cap * Fraction(history[period.period]["fee"]) / 100)


@given(data=st.data())
def test_every_allowance_met_means_no_credit(data):
    terms = data.draw(allowance_rulesets())
    history = data.draw(histories(terms, met=True))
    outcome = _evaluate(terms, history)
    assert {p.results[0].status for p in outcome.periods} == {"met"}
    assert outcome.totals.credits == 0


@given(terms=allowance_rulesets())
def test_prints_and_parses_back_to_the_same_tree(terms):
    tree = parse(Source("generated.sla", terms.text))
    printed = to_source(tree)
    assert parse(Source("printed.sla", printed)) == tree
    assert to_source(parse(Source("printed.sla", printed))) == printed


# verify draws its own histories with hypothesis: a few rulesets, each searched in full.
@settings(max_examples=3, suppress_health_check=[HealthCheck.nested_given])
@given(terms=allowance_rulesets())
def test_verify_finds_the_generated_terms_monotone_and_free_when_met(terms):
    report = verify(compile_source(Source("generated.sla", terms.text)), effort="quick", only=("monotone", "all-met"))
    assert {c.name: c.status for c in report.checks} == {"monotone": "held", "all-met": "held"}
