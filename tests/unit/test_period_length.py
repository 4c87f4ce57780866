"""The period's length as built-in quantities (issue 14, item 2): `minutes in the month`,
`days in the period`, ... read from the calendar, not from a data column; checked for
their unit and period word, printed back as written, explained in words, vectorised,
and fixed by the period in verify's model."""
from __future__ import annotations

from decimal import Decimal

import pytest

import slarules
from slarules import Source
from slarules.core.diagnostics import SlaError
from slarules.core.periods import Calendar
from slarules.language import nodes, printer
from slarules.tools.explain import explain

UPTIME = """contract "Cloud" currency USD, assessed {period}, rounding half up to cents, starts {start}
inputs
  fee money
  downtime minutes
service level uptime
  measured as (minutes in the {word} - downtime) / minutes in the {word}, in percent
  target: at least 99.9%
  credit by range:
    below 99.9%: 10% of fee
"""


def program(period="monthly", start="2027-01", word="month", text=UPTIME):
    return slarules.compile_source(Source("uptime.sla", text.format(period=period, start=start, word=word)))


@pytest.mark.parametrize("periodicity, label, days", [
    ("monthly", "2027-04", 30), ("monthly", "2027-01", 31), ("monthly", "2027-02", 28), ("monthly", "2028-02", 29),
    ("monthly", "2100-02", 28), ("monthly", "2000-02", 29),  # Gregorian: 2100 is no leap year, 2000 is
    ("quarterly", "2028-Q1", 91), ("quarterly", "2027-Q1", 90), ("quarterly", "2027-Q3", 92),
    ("yearly", "2027", 365), ("yearly", "2028", 366)])
def test_days_in_a_period_follow_the_calendar(periodicity, label, days):
    assert Calendar(periodicity, "2026-01").days_in(label) == days


# Downtime of 43.2 minutes, the credit 10% of a fee of 1,000.00 = 100.00 whenever uptime is below 99.9%.
# 30-day month (April 2027): 43,200 minutes; (43,200 - 43.2) / 43,200 = 99.9% exactly: met, no credit.
# 31-day month (January 2027): 44,640 minutes; 44.64 minutes is its 0.1%: 45 down is 99.8992..%: 100.00.
# February 2027: 40,320 minutes; 40.32 is 0.1%: 40.33 down misses (100.00), 40.32 meets.
# February 2028 (leap): 41,760 minutes; 41.76 is 0.1%: 41.76 meets, 41.77 misses.
@pytest.mark.parametrize("label, downtime, credit", [
    ("2027-04", "43.2", "0.00"), ("2027-04", "43.21", "100.00"),
    ("2027-01", "44.64", "0.00"), ("2027-01", "45", "100.00"),
    ("2027-02", "40.32", "0.00"), ("2027-02", "40.33", "100.00"),
    ("2028-02", "41.76", "0.00"), ("2028-02", "41.77", "100.00"),
    # The same 41.77 minutes in February 2027 would be a miss too, but 41.76 in 2027 is a miss (above 40.32)
    ("2027-02", "41.76", "100.00")])
def test_uptime_from_the_minutes_in_the_month(label, downtime, credit):
    outcome = program().evaluate({label: {"fee": Decimal("1000.00"), "downtime": Decimal(downtime)}})
    assert outcome.periods[0].totals.credits == Decimal(credit)


def test_a_quarter_has_its_own_length():
    # 2028-Q1 (a leap year): 31 + 29 + 31 = 91 days = 131,040 minutes; its 0.1% is 131.04 minutes.
    quarterly = program("quarterly", "2028-01", "quarter")
    met = quarterly.evaluate({"2028-Q1": {"fee": Decimal("3000.00"), "downtime": Decimal("131.04")}})
    missed = quarterly.evaluate({"2028-Q1": {"fee": Decimal("3000.00"), "downtime": Decimal("131.05")}})
    assert met.periods[0].totals.credits == Decimal("0.00")
    assert missed.periods[0].totals.credits == Decimal("300.00")  # 10% of 3,000.00
    # The value itself: (131,040 - 131.05) / 131,040 = 99.89999..%, exactly below 99.9%.
    assert missed.periods[0].results[0].value < Decimal("99.9")


def test_days_and_hours_are_counts_and_seconds_seconds():
    text = UPTIME.replace("downtime minutes", "downtime count").replace("minutes in the {word}", "hours in the {word}")
    # 30-day month: 720 hours; 1 whole hour down is 719 / 720 = 99.86..%: 100.00; none down is met.
    hours = program(text=text)
    assert hours.evaluate({"2027-04": {"fee": Decimal("1000"), "downtime": Decimal("1")}}).totals.credits == 100
    assert hours.evaluate({"2027-04": {"fee": Decimal("1000"), "downtime": Decimal("0")}}).totals.credits == 0
    seconds = UPTIME.replace("downtime minutes", "downtime seconds").replace("minutes in the", "seconds in the")
    # 31-day month: 2,678,400 seconds; 0.1% is 2,678.4 seconds.
    assert program(text=seconds).evaluate(
        {"2027-01": {"fee": Decimal("1000"), "downtime": Decimal("2678.4")}}).totals.credits == 0


def _errors(text: str) -> list[str]:
    with pytest.raises(SlaError) as raised:
        slarules.compile_source(Source("bad.sla", text))
    return [d.code for d in raised.value.diagnostics]


def test_another_period_word_than_the_contracts_is_an_error():
    text = UPTIME.format(period="monthly", start="2027-01", word="quarter")
    assert _errors(text) == ["SLA242", "SLA242"]
    # `period` always names the contract's period
    assert program(word="period").evaluate(
        {"2027-01": {"fee": Decimal("1000"), "downtime": Decimal("45")}}).totals.credits == Decimal("100.00")


def test_units_are_still_checked():
    seconds_down = UPTIME.replace("downtime minutes", "downtime seconds").format(
        period="monthly", start="2027-01", word="month")
    assert "SLA203" in _errors(seconds_down)  # minutes - seconds
    ratio = UPTIME.replace(", in percent", "").format(period="monthly", start="2027-01", word="month")
    assert "SLA233" in _errors(ratio)  # a ratio against a percent target


def test_an_input_may_be_called_minutes():
    # `minutes in the month` is one token: an input named `minutes` stays an input.
    text = (UPTIME.replace("downtime minutes", "minutes minutes")
            .replace("- downtime)", "- minutes)"))
    outcome = program(text=text).evaluate({"2027-04": {"fee": Decimal("1000"), "minutes": Decimal("43.21")}})
    assert outcome.totals.credits == Decimal("100.00")


def test_printed_as_written_and_reparsed_alike():
    source = Source("uptime.sla", UPTIME.format(period="monthly", start="2027-01", word="month")
                    .replace("(minutes in the month", "(minutes   in\n    the month"))
    ruleset = slarules.parse(source)
    expr = ruleset.service_levels[0].measured.expr
    assert isinstance(expr.right, nodes.PeriodLength) and expr.right.unit == "minutes"
    text = printer.to_source(ruleset)
    assert "measured as (minutes in the month - downtime) / minutes in the month, in percent" in text
    assert printer.to_source(slarules.parse(Source("again.sla", text))) == text


def test_explain_says_it_in_words():
    ruleset = slarules.parse(Source("uptime.sla", UPTIME.format(period="monthly", start="2027-01", word="month")))
    text = " ".join(explain(ruleset).split())
    assert "(the minutes in the month minus downtime) divided by the minutes in the month" in text
    assert "44,640 in a 31-day month, 43,200 in a 30-day month, 40,320 in February and 41,760 in February" in text


def test_vectorised_agrees_with_the_exact_evaluator():
    np = pytest.importorskip("numpy")
    from slarules.engine import vectorised
    compiled = program()
    assert vectorised.unsupported(compiled) is None
    # Months 2027-01 to 2027-04 (index 24324 = 2027 * 12): 45 of 44,640 misses, 40.32 of 40,320 meets,
    # 44.64 of 44,640 meets, 43.21 of 43,200 misses.
    downs = ["45", "40.32", "44.64", "43.21"]
    runs = [[{"fee": Decimal("1000.00"), "downtime": Decimal(d)} for d in downs]]
    money = vectorised.evaluate_money(compiled, vectorised.columns_of(runs, ["fee", "downtime"]), 2027 * 12)
    assert np.asarray(money.credits).tolist() == [[10000, 0, 0, 10000]] and money.exact_runs == 0


def test_verify_treats_the_length_as_fixed_by_the_period():
    from slarules.tools.verify import verify
    # From January 2028: a history of months of 31, 29 (leap February), 31, 30 ... days. A driver solved
    # for a met uptime in one month's length and judged in another's would break "all met".
    report = verify(program(start="2028-01"), seed=0, effort="quick")
    assert report.ok and report.check("all-met").status == "held"
