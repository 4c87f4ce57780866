"""Money at the edge (issue 11, items 5, 6, 12): measurements compared exactly, sentences
that add up, and no negative zero anywhere.

Every expected amount is derived in its comment from the clause wording.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from slarules import Source, compile_source

HEADER = 'contract "T" currency USD, starts 2026-01\n'


def program(body: str, header: str = HEADER):
    return compile_source(Source("t.sla", header + body))


THIRDS = """
inputs
  fee money
  a count
  b count
service level s
  measured as a / b + a / b + a / b, in percent
  target: at least 100%
  credit: 1% of fee
"""


def test_a_sum_of_thirds_is_exactly_the_whole():
    # 1/3 + 1/3 + 1/3 is exactly 1, i.e. 100%: "at least 100%" is met and nothing is credited.
    outcome = program(THIRDS).evaluate({"2026-01": {"fee": "100", "a": "1", "b": "3"}})
    result = outcome.periods[0].results[0]
    assert (result.value, result.status) == (Decimal(100), "met")
    assert outcome.periods[0].lines == ()


@pytest.mark.parametrize("expression, target, a, b, status", [
    ("a / b * b", "at least 2", "2", "3", "met"),                     # 2/3 × 3 is exactly 2
    ("(a / b) * (b / a) + 1", "above 2", "7", "9", "missed"),          # exactly 2, not above 2
    ("a / (b / a) - a / b", "at most 0.5", "2", "4", "met"),           # 2/2 - 2/4 is exactly 0.5
    # 1 - 1/3 = 2/3 is below 0.666...667 (34 digits): missed; rounded half-even to 34 digits
    # it would equal the threshold and be met.
    ("a * b / 3 - a / b", "at least 0.6666666666666666666666666666666667", "1", "3", "missed"),
])
def test_compound_measurements_compare_exactly(expression, target, a, b, status):
    body = (f"inputs fee money\n a count\n b count\nservice level s measured as {expression} "
            f"target: {target} credit: 1% of fee")
    outcome = program(body).evaluate({"2026-01": {"fee": "100", "a": a, "b": b}})
    assert outcome.periods[0].results[0].status == status


def test_a_division_by_zero_inside_a_compound_measurement_is_not_measured_or_an_error():
    body = ("inputs fee money\n a count\n b count\nservice level s measured as a / (b / a) + 1 "
            "target: at least 1 measured only when b is at least 1 credit: 1% of fee")
    outcome = program(body).evaluate({"2026-01": {"fee": "100", "a": "0", "b": "0"}})
    assert outcome.periods[0].results[0].status == "not measured"


def test_a_base_is_shown_as_given_not_rounded_to_the_currency():
    # 1% of 149.6 = 1.496, rounded to whole units: 1. The sentence shows the fee as given.
    header = 'contract "T" currency USD, rounding half up to whole units, starts 2026-01\n'
    body = "inputs fee money\n sl percent\nservice level s measured as sl target: at least 80% credit: 1% of fee"
    outcome = program(body, header).evaluate({"2026-01": {"fee": "149.6", "sl": "70"}})
    line = outcome.periods[0].lines[0]
    assert line.amount == Decimal(1)
    assert "1% of fee 149.6 = 1" in line.explanation
