"""Money at the edge (issue 11, items 5, 6, 12): measurements compared exactly, sentences
that add up, and no negative zero anywhere.

Every expected amount is derived in its comment from the clause wording.
"""
from __future__ import annotations

import re
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


ZERO_FEE = "inputs fee money\n sl percent\nservice level s measured as sl target: at least 80% credit: 1% of fee"


def test_minus_zero_is_zero_in_json_and_csv_alike(tmp_path):
    from slarules import read_history
    zero_fee = program(ZERO_FEE)
    as_json = tmp_path / "d.json"
    as_json.write_text('{"periods": [{"period": "2026-01", "fee": -0, "sl": -0.0}]}')
    as_csv = tmp_path / "d.csv"
    as_csv.write_text("period,fee,sl\n2026-01,-0,-0.0\n")
    outcomes = [zero_fee.evaluate(read_history(zero_fee, path)) for path in (as_json, as_csv)]
    # 0% misses "at least 80%"; 1% of a fee of 0 is a credit of 0.00, never -0.00.
    for outcome in outcomes:
        for text in (outcome.to_csv(), outcome.to_json(), outcome.to_text()):
            assert not re.search(r"(?<!\d)-0(\.0*)?(?!\d)", text)  # -0, -0.00 (not 2026-01)
        assert outcome.periods[0].results[0].value == 0
        assert [str(line.amount) for line in outcome.periods[0].lines] == ["0.00"]
    assert outcomes[0].to_json() == outcomes[1].to_json()


def test_a_negative_value_other_than_zero_is_still_rejected(tmp_path):
    from slarules import SlaError, read_history
    data = tmp_path / "d.csv"
    data.write_text("period,fee,sl\n2026-01,-0.01,50\n")
    with pytest.raises(SlaError) as raised:
        read_history(program(ZERO_FEE), data)
    assert raised.value.diagnostics[0].code == "SLA303"


@pytest.mark.parametrize("amount, expected", [("-0.00", "0.00"), ("-0.001", "0.00"), ("-0.01", "-0.01")])
def test_money_is_never_shown_as_minus_zero(amount, expected):
    from slarules.core.money import format_money, plain_money
    assert plain_money(Decimal(amount), 2) == expected
    assert format_money(Decimal(amount), 2) == expected


def test_a_fixed_amount_is_shown_as_the_contract_writes_it():
    # USD 0.125 per point below 80%, 10 points below: 1.25 exactly; the sentence shows 0.125, not 0.13.
    body = ("inputs fee money\n sl percent\nservice level s measured as sl target: at least 80% "
            "credit: USD 0.125 per point below 80%, pro rata")
    outcome = program(body).evaluate({"2026-01": {"fee": "100", "sl": "70"}})
    line = outcome.periods[0].lines[0]
    assert line.amount == Decimal("1.25")
    assert "× USD 0.125 = 1.25" in line.explanation
