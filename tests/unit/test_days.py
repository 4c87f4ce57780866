"""Days as contracts count them (core/days.py), cure windows in days (engine/cure_days.py)
across month ends, leap years and billing runs, notices, and deliverables across billing
runs. Each expected date or amount is worked out in the comment beside it."""
from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from slarules import SlaError, compile_source
from slarules.core.days import add_days, days_after, period_end
from slarules.core.periods import Calendar
from slarules.core.source import Source
from slarules.engine.cure_days import DayCure
from slarules.engine.state import checksum

D = datetime.date
MONTHLY = Calendar("monthly", "2026-01")


def test_business_days_skip_weekends_and_holidays():
    # Friday 2026-05-22 + 5 business days: Monday 25 is a holiday, so 26, 27, 28, 29 and Monday 1 June.
    assert add_days(D(2026, 5, 22), 5, True, {D(2026, 5, 25)}) == D(2026, 6, 1)
    assert add_days(D(2026, 5, 22), 5, True) == D(2026, 5, 29)  # no holiday: 25 to 29 May
    # (22 May, 3 June]: 25 (holiday), 26-29, 1-3 June: 7 business days; 12 calendar days.
    assert days_after(D(2026, 5, 22), D(2026, 6, 3), True, {D(2026, 5, 25)}) == 7
    assert days_after(D(2026, 5, 22), D(2026, 6, 3), False) == 12
    # A holiday on a Saturday takes nothing away; nothing is late on or before the due date.
    assert days_after(D(2026, 5, 22), D(2026, 6, 3), True, {D(2026, 5, 30)}) == 8
    assert days_after(D(2026, 5, 22), D(2026, 5, 22), True) == 0


@pytest.mark.parametrize("month, count, business, closes, deadline, cure_by", [
    # 31 January + 30 days = 2 March: February ends inside the window and counts; due in March.
    ("2026-01", 30, False, D(2026, 3, 2), "2026-03", "2026-02"),
    # 28 February + 30 days = 30 March: March ends after it; no month counts; due in March.
    ("2026-02", 30, False, D(2026, 3, 30), "2026-03", "2026-02"),
    # 31 March + 30 days = 30 April, April's last day: April counts and the credit is due then.
    ("2026-03", 30, False, D(2026, 4, 30), "2026-04", "2026-04"),
    # Leap year: 31 January 2028 + 30 days = 1 March (February has 29 days): February counts.
    ("2028-01", 30, False, D(2028, 3, 1), "2028-03", "2028-02"),
    # 29 February 2028 + 31 days = 31 March: March counts.
    ("2028-02", 31, False, D(2028, 3, 31), "2028-03", "2028-03"),
    # Friday 30 January 2026 + 10 business days = Friday 13 February: due in February, none counts.
    ("2026-01", 10, True, D(2026, 2, 13), "2026-02", "2026-01"),
])
def test_a_cure_window_in_days_closes_where_the_calendar_says(month, count, business, closes, deadline, cure_by):
    index = MONTHLY.index(month)
    window = DayCure(count, business).window(MONTHLY, index, frozenset())
    assert (MONTHLY.label(window[0]), MONTHLY.label(window[1]), window[2]) == (deadline, cure_by, closes)
    assert period_end(MONTHLY, index) < closes


RULESET = """contract "Days" currency USD, starts 2026-01
inputs fee money
  sl percent
service level speed
  measured as sl
  target: at least 80%
  cure: within 30 days
  credit: 2% of fee
terminate when speed is missed 2 months in a row, on 10 business days' notice
deliverable go_live
  due 2026-01-15
  credit: USD 100 per calendar day late, at most USD 2,000
"""
PROGRAM = compile_source(Source("days.sla", RULESET))
ROWS = {"2026-01": {"fee": "60000", "sl": "70"}, "2026-02": {"fee": "60000", "sl": "70"},
        "2026-03": {"fee": "60000", "sl": "90"}}


def test_a_window_open_at_the_end_of_a_billing_run_continues_in_the_next():
    """January's miss (window to 2 March, February counts) is still open when a run ends
    with January: the state keeps its deadline (March) and the last period that can cure
    it (February), and the next run charges it in March as the whole history does."""
    batch = PROGRAM.evaluate(ROWS)
    january = PROGRAM.evaluate({"2026-01": ROWS["2026-01"]})
    saved = json.loads(january.state_json())
    (pending,) = saved["service_levels"]["speed"]["pending"]
    assert (pending["missed_in"], pending["deadline"], pending["cure_by"]) == (
        "2026-01", MONTHLY.index("2026-03"), MONTHLY.index("2026-02"))
    rest = PROGRAM.evaluate({k: ROWS[k] for k in ("2026-02", "2026-03")}, PROGRAM.load_state(january.state_json()))
    assert json.loads(rest.to_json())["periods"] == json.loads(batch.to_json())["periods"][1:]
    assert rest.state_json() == batch.state_json()
    # March charges both misses: 2% of 60,000.00 = 1,200.00 each.
    assert batch.periods[2].totals.credits == Decimal("2400.00")


def test_a_state_whose_window_is_cured_after_its_deadline_is_damaged():
    saved = json.loads(PROGRAM.evaluate({"2026-01": ROWS["2026-01"]}).state_json())
    saved["service_levels"]["speed"]["pending"][0]["cure_by"] = MONTHLY.index("2026-03")
    del saved["checksum"]
    saved["checksum"] = checksum(saved)
    with pytest.raises(SlaError) as info:
        PROGRAM.load_state(json.dumps(saved), "st.json")
    assert info.value.diagnostics[0].code == "SLA404" and "cure_by" in info.value.diagnostics[0].message


def test_the_notice_runs_from_the_last_day_of_the_period_the_right_arises_in():
    # The right arises in February (two misses in a row); Saturday 28 February + 10
    # business days: 2-6 and 9-13 March, so Friday 13 March.
    (right,) = PROGRAM.evaluate(ROWS).terminations
    assert (right.period, right.effective) == ("2026-02", "2026-03-13")


def test_a_deliverable_is_billed_once_across_billing_runs():
    """Due 15 January, delivered 3 February: 19 days x 100.00 = 1,900.00, in February. A run
    ending in January shows it accruing (16 days to 31 January: 1,600.00), not billed; the
    next run bills it; the run after knows it was billed."""
    delivered = [{"period": "2026-02-03", "service_level": "go_live", "event": "delivered", "reason": ""}]
    january = PROGRAM.evaluate({"2026-01": ROWS["2026-01"]})
    (status,) = january.deliverables
    assert (status.status, status.days_late, status.credit) == ("accruing", 16, Decimal("1600.00"))
    assert not [line for line in january.lines if line.kind == "late delivery"]
    february = PROGRAM.evaluate({"2026-02": ROWS["2026-02"]}, PROGRAM.load_state(january.state_json()),
                                events=delivered)
    late = [(line.period, line.amount) for line in february.lines if line.kind == "late delivery"]
    assert late == [("2026-02", Decimal("1900.00"))]
    march = PROGRAM.evaluate({"2026-03": ROWS["2026-03"]}, PROGRAM.load_state(february.state_json()))
    assert not [line for line in march.lines if line.kind == "late delivery"]
    (status,) = march.deliverables
    assert (status.status, status.period, status.days_late, status.credit) == ("late", "2026-02", 19,
                                                                              Decimal("1900.00"))


def test_a_restatement_keeps_the_deliveries_billed(tmp_path):
    """Restating February (70% -> 90%: met): February ends inside January's window, so it
    now cures January's miss, and has none of its own; March, which charged both misses
    (2 x 1,200.00), gets a debit note of 2,400.00. Go-live's 1,900.00, billed in February,
    stays: the state recorded its delivery, so no adjustment takes it back."""
    delivered = [{"period": "2026-02-03", "service_level": "go_live", "event": "delivered", "reason": ""}]
    with PROGRAM.billing_run(tmp_path / "st.json") as run:
        run.evaluate(ROWS, events=delivered)
    with PROGRAM.billing_run(tmp_path / "st.json") as run:
        result = run.restate({"2026-02": {"fee": "60000", "sl": "90"}})
    assert [(a.period, a.amount) for a in result.adjustments] == [("2026-03", Decimal("-2400.00"))]
    late = [(line.period, line.amount) for line in result.outcome.lines if line.kind == "late delivery"]
    assert late == [("2026-02", Decimal("1900.00"))]


def test_a_delivery_billed_by_an_earlier_run_dated_again_is_an_error():
    """Go-live was billed as delivered on 3 February; a later run's data dating it again (2 March)
    is SLA314, not a second credit: what was billed is corrected by a restatement."""
    def delivered(day):
        return [{"period": day, "service_level": "go_live", "event": "delivered", "reason": ""}]
    february = PROGRAM.evaluate({k: ROWS[k] for k in ("2026-01", "2026-02")}, events=delivered("2026-02-03"))
    with pytest.raises(SlaError) as info:
        PROGRAM.evaluate({"2026-03": ROWS["2026-03"]}, PROGRAM.load_state(february.state_json()),
                         events=delivered("2026-03-02"))
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.code == "SLA314" and "billed as delivered on 2026-02-03 (in 2026-02)" in diagnostic.message
