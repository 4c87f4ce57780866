"""Properties of the unit check (language/dimensions.py) over generated expressions.

- Scaling: the unit check reports is the one the value has. For expressions on
  money, seconds, minutes, scores, percentages and ratios without constants,
  multiplying every input of one unit by 3 multiplies the exact value by 3 to
  the power that unit has in the reported dimension (a ratio is a pure number:
  scaling it is no change of unit, so it is never scaled). This is
  what a unit means, checked by evaluation, independently of how the
  dimension is worked out.
- check never raises on a measurement, whatever its inputs, constants (the
  conversions 100 and 60, 0, numbers at and beyond the bounds), `, in
  percent` and target unit; when it finds no error the ruleset compiles and
  evaluates to an outcome or an SlaError.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from slarules import SlaError, Source, check, compile_source, parse
from slarules.language import dimensions, nodes

import reference

SCALED = {"m": "money", "s": "seconds", "n": "minutes", "q": "score", "p": "percent", "r": "ratio"}
ALL = {**SCALED, "c": "count", "d": "count"}
CONSTANTS = ["100", "60", "0", "0.05", "2", "999,999,999,999,999", "0.0000000000000000000000000000000001",
             "1" + "0" * 30]


def expressions(names, constants=()):
    leaves = st.sampled_from(names).map(lambda n: nodes.Reference(nodes.Name(n)))
    if constants:
        leaves = leaves | st.sampled_from(constants).map(lambda c: nodes.Number(Decimal(c.replace(",", ""))))
    return st.recursive(leaves, lambda inner: st.builds(nodes.BinaryOp, st.sampled_from("+-*/"), inner, inner),
                        max_leaves=6)


def text(expr) -> str:
    if isinstance(expr, nodes.Reference):
        return expr.name.text
    if isinstance(expr, nodes.Number):
        return f"{expr.value:f}"
    return f"({text(expr.left)} {expr.op} {text(expr.right)})"


@given(expressions(list(SCALED)), st.dictionaries(st.sampled_from(list(SCALED)), st.integers(1, 1000),
                                                  min_size=len(SCALED)), st.sampled_from(dimensions.QUANTITIES + ("percent",)))
def test_the_reported_unit_scales_as_the_value_does(expr, values, scaled_unit):
    dimension, mismatches = dimensions.analyse(expr, SCALED)
    if dimension is None:
        assert mismatches  # a dimension is only ever withheld for a reason
        return
    env = {name: Fraction(v) for name, v in values.items()}
    before = reference.value_of(expr, env)
    after = reference.value_of(expr, {n: v * 3 if SCALED[n] == scaled_unit else v for n, v in env.items()})
    if before is None or after is None:  # a division by zero
        return
    power = dict(dimension.powers).get(scaled_unit, 0)
    assert after == before * Fraction(3) ** power


HEAD = 'contract "C" currency USD, starts 2026-01\ninputs\n' + "".join(f"  {n} {u}\n" for n, u in ALL.items())


@given(expressions(list(ALL), CONSTANTS), st.booleans(),
       st.sampled_from(["80%", "80", "30 seconds", "2 minutes", "999,999,999,999,999", "1" + "0" * 30]),
       st.lists(st.integers(0, 1000), min_size=len(ALL), max_size=len(ALL)))
def test_check_never_raises_and_a_clean_measurement_evaluates(expr, in_percent, target, values):
    source = Source("t.sla", HEAD + f"service level k\n  measured as {text(expr)}{', in percent' * in_percent}\n"
                    f"  target: at most {target}\n  credit: 2% of m\n")
    found = check(parse(source))
    assert all(d.code.startswith("SLA2") for d in found)
    if any(d.is_error for d in found):
        return
    program = compile_source(source)
    try:
        program.evaluate({"2026-01": {name: str(v) for name, v in zip(ALL, values)}})
    except SlaError:
        pass
