"""A critical service level failure: the credits it replaces, the withhold, netting,
caps, cure windows, earn-back, the right to terminate and a saved state, each on a
small contract computed by hand. Charges are 100,000.00 unless a test says otherwise.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from slarules import Source, compile_source

HEADER = 'contract "T" currency GBP, starts 2026-01\n'
TWO = """
inputs
  charges money
  up      percent
  calls   percent
service level availability
  measured as up
  target: at least 99.5%
  credit: 5% of charges
service level answering
  measured as calls
  target: at least 90%
  credit: 2% of charges
"""
FAILURE = """
critical failure when availability is below 97% or when 2 or more service levels are missed in one month:
  credits of that month do not accrue
  withhold 100% of charges
  the client may terminate
"""


def program(body: str):
    return compile_source(Source("t.sla", HEADER + body))


def lines(outcome, index=0):
    return [(line.service_level, line.kind, str(line.amount)) for line in outcome.periods[index].lines]


def month(up, calls, charges="100000"):
    return {"charges": charges, "up": str(up), "calls": str(calls)}


@pytest.mark.parametrize("up, calls, failure", [
    ("97", "95", False),  # exactly on the floor: 'below 97%' does not hold
    ("96.99", "95", True),  # just below it
    ("99", "95", False),  # one service level missed: N - 1
    ("99", "85", True),  # two missed: N
    ("99.5", "90", False),  # every target met exactly
])
def test_the_floor_and_the_count_hold_exactly_as_written(up, calls, failure):
    outcome = program(TWO + FAILURE).evaluate({"2026-01": month(up, calls)})
    assert (outcome.periods[0].totals.withheld == Decimal("100000.00")) is failure
    assert bool(outcome.terminations) is failure


def test_the_credits_stay_visible_and_a_replacement_line_takes_them_back():
    # 99% misses availability (5% = 5,000.00), 85% misses answering (2% = 2,000.00): two
    # missed, a critical failure. 7,000.00 replaced; 100% of 100,000.00 withheld.
    outcome = program(TWO + FAILURE).evaluate({"2026-01": month(99, 85)})
    assert lines(outcome) == [("availability", "credit", "5000.00"), ("answering", "credit", "2000.00"),
                              (None, "credits replaced", "-7000.00"), (None, "withhold", "100000.00")]
    totals = outcome.periods[0].totals
    assert (totals.credits, totals.withheld, totals.net, totals.due_to_client) == (
        Decimal("0.00"), Decimal("100000.00"), Decimal("100000.00"), Decimal("100000.00"))
    replaced, withhold = outcome.periods[0].lines[2:]
    assert replaced.explanation == ("critical failure (2 service levels missed: availability, answering): "
                                    "credits of 7,000.00 of this month do not accrue")
    assert withhold.explanation == ("critical failure (2 service levels missed: availability, answering): "
                                    "100% of charges 100,000.00 withheld = 100,000.00")
    assert (replaced.clause_ref, withhold.clause_ref) == ("t.sla:17", "t.sla:18")


def test_without_the_replacement_the_credits_accrue_as_well():
    body = TWO + FAILURE.replace("  credits of that month do not accrue\n", "").replace("100%", "50%")
    outcome = program(body).evaluate({"2026-01": month(96, 95)})
    # 96% misses availability: 5,000.00, and is below the floor: 50% of 100,000.00 = 50,000.00.
    assert lines(outcome) == [("availability", "credit", "5000.00"), (None, "withhold", "50000.00")]
    assert outcome.periods[0].totals.net == Decimal("55000.00")


def test_the_right_to_terminate_arises_in_each_failure_naming_the_month_and_why():
    outcome = program(TWO + FAILURE).evaluate({"2026-01": month(99.6, 95), "2026-02": month("96.5", 95),
                                               "2026-03": month(99, 80)})
    # February: 96.5% below 97%; March: both service levels missed (99% < 99.5%, 80% < 90%)
    right, again = outcome.terminations
    assert (right.period, right.reason, right.periods, right.clause_ref, right.occurrence) == (
        "2026-02", "availability was 96.5%, below 97%", ("2026-02",), "t.sla:19", 1)
    assert (again.period, again.occurrence) == ("2026-03", 2)
    assert right.trigger == ("critical failure when availability is below 97% or when 2 or more service levels "
                             "are missed in one month: the client may terminate")
    assert [p.totals.withheld for p in outcome.periods] == [Decimal("0.00"), Decimal("100000.00"),
                                                            Decimal("100000.00")]


def test_no_right_to_terminate_unless_the_clause_gives_it():
    body = TWO + FAILURE.replace("  the client may terminate\n", "")
    assert program(body).evaluate({"2026-01": month(90, 80)}).terminations == []


def test_replaced_credits_leave_nothing_for_the_at_risk_cap():
    # Without the failure, 5% + 2% = 7,000.00 would be cut to the 6% at risk (6,000.00).
    body = TWO + "at risk: 6% of charges each month\n" + FAILURE
    outcome = program(body).evaluate({"2026-01": month(99, 85), "2026-02": month(99.6, 85)})
    assert [kind for _, kind, _ in lines(outcome)] == ["credit", "credit", "credits replaced", "withhold"]
    assert lines(outcome, 1) == [("answering", "credit", "2000.00")]


def test_replaced_credits_are_never_earned_back():
    body = TWO.replace("  credit: 5% of charges\n",
                       "  credit: 5% of charges\n  earn back: 100% of its credits after 1 consecutive met month\n")
    outcome = program(body + FAILURE).evaluate({"2026-01": month(96, 95), "2026-02": month(99.9, 95),
                                                "2026-03": month(99, 95), "2026-04": month(99.9, 95)})
    # January: availability's 5,000.00 replaced: nothing charged, nothing to earn back in
    # February. March: 99% is a plain miss, 5,000.00 charged, all of it back in April.
    assert [p.totals.earned_back for p in outcome.periods] == [Decimal(0), Decimal(0), Decimal(0),
                                                               Decimal("5000.00")]


def test_a_cure_window_closing_in_a_critical_month_is_replaced_too():
    body = TWO.replace("  credit: 2% of charges\n", "  cure: within 1 month\n  credit: 2% of charges\n")
    outcome = program(body + FAILURE).evaluate({"2026-01": month(99.9, 85), "2026-02": month(96, 85)})
    # January's answering miss is held (2,000.00); February does not cure it, so it would be
    # charged in February, with February's availability credit (5,000.00): both replaced.
    assert lines(outcome, 0) == []
    assert lines(outcome, 1) == [("availability", "credit", "5000.00"), ("answering", "credit", "2000.00"),
                                 (None, "credits replaced", "-7000.00"), (None, "withhold", "100000.00")]


@pytest.mark.parametrize("netting, due_to_client, due_to_vendor", [
    # A bonus of 1,000.00 in a critical month whose credits (5,000.00) are replaced.
    ("bonuses are paid separately", "100000.00", "1000.00"),
    ("bonuses offset credits", "99000.00", "0.00"),  # the withheld sum counts with the credits
    ("bonuses only offset credits", "100000.00", "0.00"),  # no credit left to offset: forfeited
])
def test_withheld_charges_count_with_the_credits_for_what_is_invoiced(netting, due_to_client, due_to_vendor):
    body = TWO.replace("  credit: 2% of charges\n", "  credit: 2% of charges\n  bonus: 1% of charges\n")
    outcome = program(body + netting + "\n" + FAILURE).evaluate({"2026-01": month(96, 95)})
    totals = outcome.periods[0].totals
    assert (totals.due_to_client, totals.due_to_vendor) == (Decimal(due_to_client), Decimal(due_to_vendor))
    assert totals.due_to_client - totals.due_to_vendor == totals.net


def test_a_withhold_is_never_more_than_the_charges():
    # 100% of 1,000.005 rounds half up to 1,000.01: more than the charges, so 1,000.00.
    outcome = program(TWO + FAILURE).evaluate({"2026-01": month(90, 95, charges="1000.005")})
    assert outcome.periods[0].totals.withheld == Decimal("1000.00")


def test_a_month_not_measured_never_holds_the_floor():
    body = TWO.replace("  target: at least 99.5%\n", "  target: at least 99.5%\n  measured only when calls is above 50%\n")
    outcome = program(body + FAILURE).evaluate({"2026-01": month(50, 50)})
    assert (outcome.periods[0].results[0].status, outcome.periods[0].totals.withheld) == ("not measured", 0)


def test_a_saved_state_carries_the_rights_to_terminate_already_given():
    whole = program(TWO + FAILURE)
    history = {"2026-01": month(96, 95), "2026-02": month(96, 95)}
    batch = whole.evaluate(history)
    first = whole.evaluate({"2026-01": history["2026-01"]})
    state = whole.load_state(first.state_json())
    second = whole.evaluate({"2026-02": history["2026-02"]}, state=state)
    assert [(t.period, t.occurrence) for t in first.terminations + second.terminations] == [
        ("2026-01", 1), ("2026-02", 2)] == [(t.period, t.occurrence) for t in batch.terminations]
    assert second.periods[0].totals == batch.periods[1].totals


def test_csv_line_items_carry_the_replacement_and_the_withhold_and_add_up_to_the_net():
    outcome = program(TWO + FAILURE).evaluate({"2026-01": month(99, 85), "2026-02": month(99.9, 85)})
    rows = [line.split(",")[:2] + line.split(",")[3:5] for line in outcome.to_csv().splitlines()[1:]]  # not `accountable`
    # January: 5,000.00 + 2,000.00 replaced, 100,000.00 withheld; February: answering's 2,000.00.
    assert rows == [["2026-01", "availability", "credit", "5000.00"], ["2026-01", "answering", "credit", "2000.00"],
                    ["2026-01", "", "credits replaced", "-7000.00"], ["2026-01", "", "withhold", "100000.00"],
                    ["2026-02", "answering", "credit", "2000.00"]]
    assert sum(Decimal(amount) for *_, amount in rows) == outcome.totals.net == Decimal("102000.00")
