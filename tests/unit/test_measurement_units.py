"""The unit of a `measured as` expression (language/dimensions.py) and what check makes of it
(issue 10.1: `(minutes - down) / minutes` against `at least 99.9%` passed check --strict and
charged the 25% row for 99.98% uptime); and bounds on every number a ruleset writes (issue
11.7: a 29-digit percentage passed check and crashed evaluate; in an earn-back, check itself)."""
from __future__ import annotations

import inspect
from decimal import Decimal

import attrs
import pytest

from slarules import SlaError, Source, check, compile_source, parse
from slarules.language import dimensions, nodes
from slarules.language.literals import WHAT

UNITS = {"fee": "money", "calls": "count", "answered": "count", "mins": "minutes", "down": "minutes",
         "secs": "seconds", "up": "percent", "r": "ratio", "qa": "score"}
INPUTS = "inputs\n" + "".join(f"  {name} {unit}\n" for name, unit in UNITS.items())
HEAD = 'contract "C" currency USD, starts 2026-01\n'


def measured(text: str):
    tree = parse(Source("t.sla", HEAD + INPUTS + f"service level s\n  measured as {text}\n  target: at most 1\n"))
    return dimensions.measured(tree.service_levels[0].measured, UNITS)


@pytest.mark.parametrize("text, unit", [
    ("(mins - down) / mins", "ratio"),
    ("(mins - down) / mins, in percent", "percent"),
    ("answered / calls * 100", "percent"),        # the conversion contracts write
    ("100 * answered / calls", "percent"),
    ("up / 100", "ratio"),
    ("r * 100", "percent"),
    ("calls - answered", "count"),               # not a ratio, whatever the target says
    ("calls * 0.05", "count"),                   # a constant multiplier keeps the unit
    ("calls - calls * 0.05", "count"),
    ("mins / calls", "minutes"),                 # an average per item
    ("secs * calls", "seconds"),
    ("fee / calls", "money"),
    ("mins * 60 - secs", "seconds"),             # minutes times 60 are seconds
    ("secs / 60 + mins", "minutes"),
    ("down + 5", "minutes"),                     # a constant added takes the other side's unit
    ("1 - answered / calls", "ratio"),
    ("(up + up) / 2", "percent"),
    ("up * calls / 100", "count"),               # a percentage of a count, converted
    ("qa", "score"),
])
def test_the_unit_of_a_measurement(text, unit):
    dimension, mismatches = measured(text)
    assert mismatches == [] and dimension.unit == unit


@pytest.mark.parametrize("text, described", [
    ("fee / mins", "money per minute"),
    ("fee * mins", "money × minutes"),
    ("calls / mins", "count per minute"),
    ("up * calls", "count × percent"),
])
def test_a_compound_unit_is_described_not_named(text, described):
    dimension, mismatches = measured(text)
    assert mismatches == [] and dimension.unit is None and dimension.describe() == described


@pytest.mark.parametrize("text, message", [
    ("mins - secs", "'-' combines minutes with seconds"),
    ("fee + calls", "'+' combines money with a count"),
    ("answered / calls * 100 + r", "'+' combines a percentage with a ratio"),
    ("mins / secs", "'/' combines minutes with seconds"),
    ("up, in percent", "', in percent' multiplies by 100 a value that is already a percentage"),
    ("mins, in percent", "', in percent' multiplies by 100 minutes, not a ratio"),
    ("answered / calls * 100, in percent", "', in percent' multiplies by 100 a value that is already a percentage"),
])
def test_units_that_do_not_fit_are_a_mismatch(text, message):
    dimension, mismatches = measured(text)
    assert dimension is None and [m.message for m in mismatches] == [message]


def diagnostics(measured_as: str, target: str, credit="  credit: 2% of fee\n"):
    text = HEAD + INPUTS + f"service level s\n  measured as {measured_as}\n  target: {target}\n" + credit
    return [(d.code, d.severity) for d in check(parse(Source("t.sla", text))) if d.code != "SLA217"]


@pytest.mark.parametrize("measured_as, target", [
    ("(mins - down) / mins", "at least 99.9%"),   # issue 10.1's trap
    ("answered / calls", "at least 80%"),
    ("calls - answered", "at most 5%"),
    ("mins / calls", "at most 5400 seconds"),
    ("secs / calls", "at most 90 minutes"),
    ("mins / calls", "at most 90"),
    ("answered / calls * 100", "at least 0.8"),
    ("fee / calls", "at most 5 minutes"),
])
def test_a_target_in_another_unit_than_the_measurement_is_an_error(measured_as, target):
    assert diagnostics(measured_as, target) == [("SLA233", "error")]


@pytest.mark.parametrize("measured_as, target", [
    ("(mins - down) / mins, in percent", "at least 99.9%"),
    ("(mins - down) / mins", "at least 0.999"),
    ("answered / calls * 100", "at least 80%"),
    ("calls - answered", "at most 50"),
    ("mins / calls", "at most 90 minutes"),
    ("mins * 60 / calls", "at most 5400 seconds"),
    ("calls / mins", "at most 12"),               # a rate: one unit per another
])
def test_a_target_in_the_measurement_unit_is_accepted(measured_as, target):
    assert diagnostics(measured_as, target) == []


def test_a_measurement_in_no_named_unit_is_a_warning():
    assert diagnostics("fee * mins", "at most 1000") == [("SLA234", "warning")]


def test_the_trap_of_issue_10_is_refused_and_its_fix_meets_the_target():
    """Without ', in percent' the ruleset does not compile (SLA233); with it (the fix SLA233
    offers), 99.98% uptime meets 99.9%: no credit, where the ratio 0.9998 earned the 25% row.
    43,200 minutes in the month, 8.64 down: (43,200 - 8.64) / 43,200 = 99.98%."""
    text = (HEAD + "inputs\n  fee money\n  mins minutes\n  down minutes\n"
            "service level uptime\n  measured as (mins - down) / mins{}\n"
            "  target: at least 99.9%\n  credit, the most severe row applies:\n"
            "    below 99.9%: 10% of fee\n    below 99%: 25% of fee\n")
    with pytest.raises(SlaError) as refused:
        compile_source(Source("t.sla", text.format("")))
    assert [d.code for d in refused.value.diagnostics] == ["SLA233"]
    program = compile_source(Source("t.sla", text.format(", in percent")))
    outcome = program.evaluate({"2026-01": {"fee": "1000", "mins": "43200", "down": "8.64"}})
    assert [(r.status, Decimal(r.value)) for r in outcome.periods[0].results] == [("met", Decimal("99.98"))]
    assert outcome.periods[0].totals.credits == 0


# ---------------------------------------------------------------- numbers beyond the exact range

HUGE = "1" + "0" * 28  # 29 digits, as in issue 11.7
SLA = "service level s\n  measured as up\n  target: at least 80%\n"


@pytest.mark.parametrize("body", [
    SLA + f"  credit: {HUGE}% of fee\n",
    SLA + f"  credit: USD {HUGE}\n",
    SLA + f"  credit: 1% of fee per {HUGE} point below 80%, pro rata\n",
    SLA + "  credit: 1% of fee per 0.00000000000000000000000000000000001 point below 80%, pro rata\n",
    SLA + f"  credit: 1% of fee per point below 80%, pro rata, at most USD {HUGE}\n",
    SLA + f"  credit: 2% of fee\n  cure: within {HUGE} months\n",
    SLA + f"  credit: 2% of fee\n  earn back: 50% of its credits after {HUGE} consecutive met months\n",
    SLA + f"  credit: 2% of fee\n  free passes: the first {HUGE} misses in each contract year\n",
    SLA + f"  measured only when calls is at least {HUGE}\n  credit: 2% of fee\n",
    f"service level s\n  measured as calls * {HUGE}\n  target: at most 5\n  credit: 2% of fee\n",
    SLA + f"  credit: 2% of fee\nterminate when s is missed {HUGE} months in a row\n",
    SLA + f"  credit: 2% of fee\nterminate when s is missed 2 times in any {HUGE} months\n",
    SLA + f"  credit: 2% of fee\nat risk: {HUGE}% of fee each month\n",
])
def test_a_number_beyond_the_exact_range_is_an_error_naming_it_and_check_does_not_crash(body):
    found = check(parse(Source("t.sla", HEAD + INPUTS + body)))
    assert [(d.code, d.severity) for d in found] == [("SLA235", "error")]
    assert "digits" in found[0].message


def test_numbers_at_the_bounds_are_accepted():
    body = SLA + "  credit: 999,999,999,999,999% of fee\n" + "bonuses at most USD 0.0000000000000000000000000000000001 each month\n"
    assert [d.code for d in check(parse(Source("t.sla", HEAD + INPUTS + body))) if d.is_error] == []


def test_every_number_a_node_holds_has_a_name_for_the_message():
    """A new construct's number is bounded whatever (the walk is generic); this keeps its name."""
    unnamed = [(cls.__name__, field.name) for _, cls in inspect.getmembers(nodes, inspect.isclass) if attrs.has(cls)
               for field in attrs.fields(cls) if "Decimal" in str(field.type) and (cls, field.name) not in WHAT]
    assert unnamed == []
