"""Terms that span periods: cure, free passes, earn-back, window caps,
termination, waivers and exclusions, amendments, and the saved state.

Each history is small enough to follow by hand; the comment above each
expectation derives it from the clause wording. Fee 60,000.00 throughout, so a
credit of 2% of fee is 1,200.00.
"""
from __future__ import annotations

import json

import pytest

from slarules import SlaError, Source, compile_source
from decimal import Decimal

HEADER = 'contract "T" currency USD, starts 2026-01\ninputs fee money\n sl percent\n'
SOA = "service level soa measured as sl target: at least 80%\n  credit: 2% of fee\n"


def program(body: str):
    return compile_source(Source("t.sla", HEADER + body))


def months(*values, start_year=2026):
    """{"2026-01": {...}, ...}: one month per value of sl, fee 60,000."""
    return {f"{start_year + i // 12}-{i % 12 + 1:02d}": {"fee": "60000", "sl": str(v)} for i, v in enumerate(values)}


def statuses(outcome, name="soa"):
    return [r.status for p in outcome.periods for r in p.results if r.service_level == name]


def credits(outcome):
    return [str(p.totals.credits) for p in outcome.periods]


# ---------------------------------------------------------------- cure

CURE_1 = SOA + "  cure: within 1 month\n"
CURE_2 = SOA + "  cure: within 2 months\n"


def test_a_miss_met_again_within_the_cure_period_costs_nothing():
    outcome = program(CURE_1).evaluate(months(70, 85, 85))
    assert statuses(outcome) == ["in cure", "cured", "met"]
    assert credits(outcome) == ["0.00", "0.00", "0.00"]
    assert outcome.periods[1].results[0].note == "cures the miss of 2026-01"


def test_an_uncured_miss_is_charged_when_its_window_closes_at_its_own_months_value():
    # Jan 70% misses (credit computed from Jan: 2% = 1,200.00); Feb 75% misses too:
    # Jan's window closes in Feb uncured -> 1,200.00 charged in Feb; Feb opens its own window,
    # cured by March.
    outcome = program(CURE_1).evaluate(months(70, 75, 90))
    assert statuses(outcome) == ["in cure", "in cure", "cured"]
    assert credits(outcome) == ["0.00", "1200.00", "0.00"]
    (line,) = outcome.periods[1].lines
    assert line.explanation.startswith("soa missed in 2026-01, not cured by 2026-02: soa 70% missed target")


def test_overlapping_windows_are_cured_together_by_one_met_period():
    # cure within 2 months: Jan and Feb miss, March meets: both windows (to Mar, to Apr) cured.
    outcome = program(CURE_2).evaluate(months(70, 70, 85))
    assert statuses(outcome) == ["in cure", "in cure", "cured"]
    assert credits(outcome) == ["0.00", "0.00", "0.00"]
    assert outcome.periods[2].results[0].note == "cures the miss of 2026-01, 2026-02"


def test_overlapping_windows_each_close_in_their_own_period():
    # Jan, Feb, Mar, Apr miss with cure within 2 months: Jan's window closes in March,
    # Feb's in April, each charging 1,200.00; Mar and Apr are still in cure at the end.
    outcome = program(CURE_2).evaluate(months(70, 70, 70, 70))
    assert credits(outcome) == ["0.00", "0.00", "1200.00", "1200.00"]
    assert [p.missed_in for p in outcome.state.service_levels["soa"].pending] == ["2026-03", "2026-04"]


def test_a_window_opened_under_a_shorter_cure_period_closes_first_and_is_saved_in_that_order():
    # Cure within 3 months; from February, within 1 month. Jan misses (window to April), Feb
    # misses (window to March): after February the state holds Feb's window first, as it
    # closes first. Nothing meets: Feb's 1,200.00 falls due in March; in April, Jan's and
    # March's (window to April too, opened later) 1,200.00 each, Jan's line first.
    body = SOA + "  cure: within 3 months\n" + \
        "amendment effective 2026-02\n  service level soa\n    cure: within 1 month\n"
    two = program(body).evaluate(months(70, 70))
    assert [p.missed_in for p in two.state.service_levels["soa"].pending] == ["2026-02", "2026-01"]
    whole = program(body).evaluate(months(70, 70, 70, 70))
    assert credits(whole) == ["0.00", "0.00", "1200.00", "2400.00"]
    assert [line.explanation.split(",")[0] for line in whole.periods[2].lines] == ["soa missed in 2026-02"]
    assert [line.explanation.split(",")[0] for line in whole.periods[3].lines] == [
        "soa missed in 2026-01", "soa missed in 2026-03"]
    # Billed month by month from the saved state, the same money and lines.
    state = None
    for label, inputs in months(70, 70, 70, 70).items():
        run = program(body).evaluate({label: inputs}, state=state)
        state = type(run.state).from_data(json.loads(json.dumps(run.state.to_data())), program(body))
        assert run.periods[0].lines == whole.periods[int(label[-2:]) - 1].lines


def test_only_a_service_level_with_a_cure_period_in_some_version_looks_at_cure_windows():
    # The generated code of a service level no version lets cure has no cure-window code at
    # all; one that an amendment gives a cure period looks at its windows under every version.
    from slarules.engine.codegen import period_source
    assert "pending" not in period_source(program(SOA))
    assert "carry0.pending" in period_source(program(CURE_1))
    body = SOA + "amendment effective 2026-03\n  service level soa\n    cure: within 1 month\n"
    terms = program(body)
    assert all("carry0.pending" in period_source(version) for version in (terms, terms.amendments[0][1]))
    # Feb misses under the first terms: charged at once. March misses under the amendment:
    # held, and April (met) cures it; May misses, June does not cure it: 1,200.00 in June.
    outcome = program(body).evaluate(months(90, 70, 70, 90, 70, 70))
    assert statuses(outcome) == ["met", "missed", "in cure", "cured", "in cure", "in cure"]
    assert credits(outcome) == ["0.00", "1200.00", "0.00", "0.00", "0.00", "1200.00"]


# ---------------------------------------------------------------- free passes

def test_the_first_misses_of_each_contract_year_are_warnings():
    body = SOA + "  free passes: the first 2 misses in each contract year\n"
    # 13 months: misses in Jan, Mar, May 2026 and Jan 2027. The third miss of year 1 (May)
    # costs 1,200.00; Jan 2027 is the first miss of year 2, a warning again.
    values = [70, 90, 70, 90, 70] + [90] * 7 + [70]
    outcome = program(body).evaluate(months(*values))
    charged = [p.period for p in outcome.periods if p.totals.credits]
    assert charged == ["2026-05"]
    assert "free pass 1 of 2 in contract year 2" in outcome.periods[12].results[0].note


# ---------------------------------------------------------------- earn-back

def test_credits_are_returned_after_consecutive_met_periods():
    body = SOA + "  earn back: 100% of its credits after 3 consecutive met months\n"
    # Jan, Feb miss: 1,200.00 each. Mar, Apr, May met: in May the 2,400.00 outstanding is returned.
    outcome = program(body).evaluate(months(70, 70, 90, 90, 90, 90))
    assert [str(p.totals.earned_back) for p in outcome.periods] == ["0.00"] * 4 + ["2400.00", "0.00"]
    assert outcome.totals.net == Decimal("0.00")


def test_a_partial_earn_back_returns_its_share_once():
    body = SOA + "  earn back: 50% of its credits after 2 consecutive met months\n"
    # Jan miss 1,200.00; Feb, Mar met -> 600.00 back in March; the rest is final.
    # Apr miss 1,200.00; May met; Jun miss breaks the streak (another 1,200.00); Jul, Aug met
    # -> 50% of 2,400.00 outstanding = 1,200.00 back in August.
    outcome = program(body).evaluate(months(70, 90, 90, 70, 90, 70, 90, 90))
    earned = {p.period: str(p.totals.earned_back) for p in outcome.periods if p.totals.earned_back}
    assert earned == {"2026-03": "600.00", "2026-08": "1200.00"}


def test_earn_back_when_the_contract_year_average_meets_the_target():
    body = SOA + "  earn back: 50% of its credits when the contract year average meets the target\n"
    # Twelve months averaging (70 + 11 x 90) / 12 = 88.33% >= 80%: in December 50% of the
    # year's 1,200.00 credit (January) comes back: 600.00.
    outcome = program(body).evaluate(months(70, *[90] * 11))
    assert [(p.period, str(p.totals.earned_back)) for p in outcome.periods if p.totals.earned_back] == [
        ("2026-12", "600.00")]


YEAR_AVERAGE = SOA + "  earn back: 50% of its credits when the contract year average meets the target\n"


def test_the_year_average_counts_every_month_of_the_year_once():
    # Jan 20% (1,200.00 credit) and eleven months of 85%: (20 + 11 x 85) / 12 = 955 / 12 = 79.58%,
    # below 80%: nothing comes back. (Leaving out January, or any month, would give 85% or
    # more; dividing by 13 would still miss: the case ending on the target below catches that.)
    outcome = program(YEAR_AVERAGE).evaluate(months(20, *[85] * 11))
    assert outcome.totals.earned_back == 0


def test_each_contract_year_earns_back_its_own_credits_in_its_last_month():
    # Year 1: Jan misses (1,200.00), average (70 + 11 x 90) / 12 = 88.33%: 50% of 1,200.00 =
    # 600.00 back in December 2026. Year 2: Jan and Feb miss (2,400.00), average
    # (2 x 70 + 10 x 90) / 12 = 86.67%: 50% of 2,400.00 = 1,200.00 back in December 2027
    # (not of the 3,600.00 of both years, and not in any other month).
    values = [70, *[90] * 11, 70, 70, *[90] * 10]
    outcome = program(YEAR_AVERAGE).evaluate(months(*values))
    earned = [(p.period, str(p.totals.earned_back)) for p in outcome.periods if p.totals.earned_back]
    assert earned == [("2026-12", "600.00"), ("2027-12", "1200.00")]


def test_a_year_whose_average_ends_on_the_target_earns_back():
    # "meets the target" (at least 80%): Jan 68% (1,200.00), Mar 82%, ten months of 81%:
    # 68 + 82 + 10 x 81 = 960; 960 / 12 = 80.00% exactly, which meets: 600.00 back in December.
    values = [68, 81, 82, *[81] * 9]
    outcome = program(YEAR_AVERAGE).evaluate(months(*values))
    assert [str(p.totals.earned_back) for p in outcome.periods][-1] == "600.00"


def test_an_earn_back_keeps_only_the_counters_it_reads_in_some_version():
    # A streak earn-back keeps the credits outstanding, a contract-year one the year's credits
    # and values; the generated code of each has no code for the other's.
    from slarules.engine.codegen import period_source
    streak = period_source(program(SOA + "  earn back: 50% of its credits after 3 consecutive met months\n"))
    assert "outstanding" in streak and "year_sum" not in streak and "year_credits" not in streak
    yearly = period_source(program(YEAR_AVERAGE))
    assert "year_sum" in yearly and "year_credits" in yearly and "outstanding +=" not in yearly
    # An amendment in July turns a streak earn-back into a contract-year one: the year's counters
    # were kept from January on. Jan misses (1,200.00, no 12-month streak follows); the year
    # averages (70 + 11 x 90) / 12 = 88.33% >= 80%: 50% of 1,200.00 = 600.00 back in December
    # (counting from July only, the year would have no credits to return).
    body = (SOA + "  earn back: 50% of its credits after 12 consecutive met months\n"
            "amendment effective 2026-07\n  service level soa\n"
            "    earn back: 50% of its credits when the contract year average meets the target\n")
    outcome = program(body).evaluate(months(70, *[90] * 11))
    assert [(p.period, str(p.totals.earned_back)) for p in outcome.periods if p.totals.earned_back] == [
        ("2026-12", "600.00")]


# ---------------------------------------------------------------- window caps

def test_rolling_window_cap_cuts_the_period_that_crosses_it():
    body = "credits in any 3 months at most 3% of fee in those months\n" + SOA
    # Each miss is 1,200.00. The cap over 3 months of fees is 3% of 180,000.00 = 5,400.00
    # (in the first two months, of 60,000.00 and 120,000.00: 1,800.00 and 3,600.00).
    # Jan 1,200.00 <= 1,800.00; Feb 2,400.00 <= 3,600.00; Mar 3,600.00 <= 5,400.00;
    # no month ever exceeds: widen the credit to 4% to make it bind.
    body = body.replace("2% of fee", "4% of fee")
    # 4% = 2,400.00 a month. Jan: 2,400.00 > 1,800.00 -> cut 600.00, credits 1,800.00.
    # Feb: 1,800.00 + 2,400.00 = 4,200.00 > 3,600.00 -> cut 600.00, 1,800.00.
    # Mar: 3,600.00 + 2,400.00 = 6,000.00 > 5,400.00 -> cut 600.00, 1,800.00.
    # Apr: window Feb..Apr: 3,600.00 + 2,400.00 > 5,400.00 -> 1,800.00 again.
    outcome = program(body).evaluate(months(70, 70, 70, 70))
    assert credits(outcome) == ["1800.00"] * 4
    assert outcome.periods[0].lines[-1].kind == "credit cap"


# A miss every month is 1,200.00 and a window of N months may hold at most 2,000.00. Each month
# is cut to what its window (itself and the N - 1 months before it) leaves:
#   N = 1: every month alone, 1,200.00 <= 2,000.00: never cut.
#   N = 2: Jan 1,200.00; Feb 1,200.00 + 1,200.00 > 2,000.00 -> 800.00; Mar: Feb's 800.00 leaves
#          1,200.00; Apr: Mar's 1,200.00 leaves 800.00; and so on.
#   N = 3: Jan 1,200.00, Feb 800.00, Mar: Jan + Feb = 2,000.00 leave 0.00; Apr: Feb + Mar = 800.00
#          leave 1,200.00; May: Mar + Apr = 1,200.00 leave 800.00; Jun: 2,000.00 leave 0.00.
#   N = 4, 5, 6: 1,200.00, 800.00, then 0.00 until Jan and Feb leave the window (after N months).
# Every window length gives different money, so a window one month short or long is seen.
WINDOW_MONEY = {
    1: ["1200.00"] * 6,
    2: ["1200.00", "800.00", "1200.00", "800.00", "1200.00", "800.00"],
    3: ["1200.00", "800.00", "0.00", "1200.00", "800.00", "0.00"],
    4: ["1200.00", "800.00", "0.00", "0.00", "1200.00", "800.00"],
    5: ["1200.00", "800.00", "0.00", "0.00", "0.00", "1200.00"],
    6: ["1200.00", "800.00", "0.00", "0.00", "0.00", "0.00"],
}


@pytest.mark.parametrize("length", WINDOW_MONEY)
def test_a_rolling_window_holds_exactly_its_number_of_months(length):
    body = f"credits in any {length} months at most USD 2,000\n" + SOA
    outcome = program(body).evaluate(months(*[70] * 6))
    assert credits(outcome) == WINDOW_MONEY[length]


def test_a_window_cap_never_cuts_more_than_the_months_own_credits_when_the_fee_falls():
    body = "credits in any 2 months at most 3% of fee in those months\n" + SOA.replace("2% of fee", "4% of fee")
    fees = ["60000", "60000", "6000", "6000"]
    history = {f"2026-0{i + 1}": {"fee": fee, "sl": sl} for i, (fee, sl) in enumerate(zip(fees, ["90", "70", "70", "70"]))}
    # Jan met: 0.00. Feb misses: 4% of 60,000.00 = 2,400.00; its window (Jan, Feb) may hold
    # 3% of 120,000.00 = 3,600.00: stands. Mar misses: 4% of 6,000.00 = 240.00; its window
    # (Feb, Mar) may hold 3% of 66,000.00 = 1,980.00 but Feb alone holds 2,400.00: the excess
    # 2,400.00 + 240.00 - 1,980.00 = 660.00 is cut only down to Mar's own 240.00 -> 0.00 (Feb's
    # credit is never reversed). Apr: window (Mar, Apr) 0.00 + 240.00 <= 3% of 12,000.00 = 360.00.
    outcome = program(body).evaluate(history)
    assert credits(outcome) == ["0.00", "2400.00", "0.00", "240.00"]
    (cap,) = outcome.periods[2].lines[1:]
    assert (cap.kind, str(cap.amount)) == ("credit cap", "-240.00")


def test_a_window_cap_adds_no_line_to_a_month_without_credits():
    body = "credits in any 2 months at most 10% of fee in those months\n" + SOA.replace("2% of fee", "USD 1,000")
    fees = ["20000", "1000", "1000"]
    history = {f"2026-0{i + 1}": {"fee": fee, "sl": sl} for i, (fee, sl) in enumerate(zip(fees, ["90", "70", "90"]))}
    # Jan met: 0.00. Feb misses: USD 1,000.00; its window (Jan, Feb) may hold 10% of 21,000.00 =
    # 2,100.00: stands. Mar met: no credit; its window (Feb, Mar) may hold 10% of 2,000.00 = 200.00
    # and Feb alone holds 1,000.00, but Mar adds nothing, so nothing crosses the limit and there is
    # nothing to cut: no line at all (a 'credit cap' of 0.00 was written here).
    outcome = program(body).evaluate(history)
    assert credits(outcome) == ["0.00", "1000.00", "0.00"]
    assert outcome.periods[2].lines == ()


def test_contract_year_cap_resets_with_the_year():
    body = "credits in each contract year at most USD 2,000\n" + SOA
    # 1,200.00 + 1,200.00 = 2,400.00 > 2,000.00 in Feb: cut 400.00; later months of year 1 cut
    # to zero; January 2027 starts a new year: 1,200.00.
    values = [70] * 13
    outcome = program(body).evaluate(months(*values))
    assert credits(outcome)[:3] == ["1200.00", "800.00", "0.00"]
    assert credits(outcome)[12] == "1200.00"


# ---------------------------------------------------------------- termination

TERMINATE = {
    "in a row": "terminate when soa is missed 3 months in a row\n",
    "in window": "terminate when soa is missed 3 times in any 6 months\n",
    "floor": "terminate when soa is below 50% in any month\n",
    "credits": "terminate when credits in any 3 months exceed USD 3,000\n",
    "many": "terminate when 2 or more service levels are missed in one month\n",
}


@pytest.mark.parametrize("kind, values, arises", [
    # misses Jan, Feb, (Mar met breaks), Apr, May, Jun: three in a row first in June; July is
    # the first miss of a new run, which counts afresh after June
    ("in a row", [70, 70, 90, 70, 70, 70, 70], ["2026-06"]),
    # misses Jan, Mar, May: the third within any 6 months comes in May; after it the window
    # counts afresh: Jul, Sep, Nov are the next three (Jun..Nov)
    ("in window", [70, 90, 70, 90, 70, 90, 70, 90, 70, 90, 70], ["2026-05", "2026-11"]),
    # 50% is not below 50%; 49.99% is, and so is 20% the month after: a floor holds each month
    ("floor", [70, 50, 49.99, 20], ["2026-03", "2026-04"]),
    # 1,200.00 a month: Jan..Mar 3,600.00 > 3,000.00 in March; afresh from April: Apr..Jun
    # 3,600.00 in June
    ("credits", [70, 70, 70, 70, 70, 70], ["2026-03", "2026-06"]),
])
def test_each_trigger_arises_exactly_when_its_condition_holds_counting_afresh(kind, values, arises):
    outcome = program(TERMINATE[kind] + SOA).evaluate(months(*values))
    rights = outcome.terminations
    assert [(r.period, r.occurrence) for r in rights] == [(period, n) for n, period in enumerate(arises, 1)]
    assert rights[0].trigger == TERMINATE[kind].strip()


def test_a_second_run_of_misses_after_the_first_right_is_a_second_right():
    # misses Jan..Mar: the first right (Mar); Apr..Jun is a new run of three: the second (Jun).
    # Misses Jan..May would give only one: Apr and May are two of the new run.
    outcome = program(TERMINATE["in a row"] + SOA).evaluate(months(*[70] * 6))
    assert [(r.period, r.occurrence, r.periods) for r in outcome.terminations] == [
        ("2026-03", 1, ("2026-01", "2026-02", "2026-03")), ("2026-06", 2, ("2026-04", "2026-05", "2026-06"))]
    assert outcome.state.triggers[0].fired == "2026-03" and outcome.state.triggers[0].arisen == 2


def test_many_service_levels_missed_in_one_period():
    body = TERMINATE["many"] + SOA + "service level other measured as sl target: at least 60%\n credit: 1% of fee\n"
    outcome = program(body).evaluate(months(70, 55, 50))
    # Feb (55%) and Mar (50%) miss both; Jan (70%) only soa: a right in Feb and another in Mar
    right, again = outcome.terminations
    assert (right.period, right.periods) == ("2026-02", ("2026-02",))
    assert (again.period, again.occurrence) == ("2026-03", 2)
    assert right.reason == "2 service levels missed: soa, other"


def test_a_floor_right_arises_each_month_below_it_and_evaluation_goes_on():
    outcome = program(TERMINATE["floor"] + SOA).evaluate(months(10, 10, 90))
    assert [len(p.terminations) for p in outcome.periods] == [1, 1, 0]
    assert [r.occurrence for r in outcome.terminations] == [1, 2]
    assert credits(outcome) == ["1200.00", "1200.00", "0.00"]


# ---------------------------------------------------------------- waivers and exclusions

def test_waived_miss_carries_no_credit_but_still_counts_toward_termination():
    p = program(TERMINATE["in a row"] + SOA)
    events = [{"period": "2026-02", "service_level": "soa", "event": "waive", "reason": "goodwill"}]
    outcome = p.evaluate(months(70, 70, 70), events=events)
    assert statuses(outcome) == ["missed", "waived", "missed"]
    assert credits(outcome) == ["1200.00", "0.00", "1200.00"]
    assert [r.period for r in outcome.terminations] == ["2026-03"]


def test_the_contract_can_say_waived_misses_do_not_count():
    p = program("waived misses do not count toward termination\n" + TERMINATE["in a row"] + SOA)
    events = [{"period": "2026-02", "service_level": "soa", "event": "waive", "reason": ""}]
    # The waived February neither counts nor breaks: Jan, (Feb), Mar, Apr is three in a row in April.
    outcome = p.evaluate(months(70, 70, 70, 70), events=events)
    assert [r.period for r in outcome.terminations] == ["2026-04"]
    assert outcome.terminations[0].periods == ("2026-01", "2026-03", "2026-04")


@pytest.mark.parametrize("policy, fires", [("", "2026-04"), ("excluded periods break streaks\n", None)])
def test_excluded_periods_neither_count_nor_break_a_streak_unless_the_contract_says(policy, fires):
    p = program(policy + TERMINATE["in a row"] + SOA)
    events = [{"period": "2026-03", "service_level": "soa", "event": "exclude", "reason": "client outage"}]
    outcome = p.evaluate(months(70, 70, 95, 70), events=events)
    assert statuses(outcome) == ["missed", "missed", "excluded", "missed"]
    assert credits(outcome) == ["1200.00", "1200.00", "0.00", "1200.00"]
    assert [r.period for r in outcome.terminations] == ([fires] if fires else [])


@pytest.mark.parametrize("policy", ["", "excluded periods break streaks\n"])
def test_an_excluded_periods_value_never_reaches_a_floor(policy):
    # Found by `slarules verify` (termination): with "excluded periods break streaks" an excluded
    # period's 40% fired "below 50% in any month", though the exclusion takes the value out.
    p = program(policy + "terminate when soa is below 50% in any month\n" + SOA)
    events = [{"period": "2026-02", "service_level": "soa", "event": "exclude", "reason": "force majeure"}]
    outcome = p.evaluate(months(70, 40, 45), events=events)
    assert statuses(outcome) == ["missed", "excluded", "missed"]
    assert [r.period for r in outcome.terminations] == ["2026-03"]  # 45%, the first value that counts


def test_an_excluded_period_inside_a_cure_window_cures_it():
    events = [{"period": "2026-02", "service_level": "soa", "event": "exclude", "reason": "force majeure"}]
    outcome = program(CURE_1).evaluate(months(70, 60), events=events)
    assert statuses(outcome) == ["in cure", "excluded"]
    assert credits(outcome) == ["0.00", "0.00"]


def test_events_for_unknown_service_levels_or_periods_are_errors():
    p = program(SOA)
    with pytest.raises(SlaError) as info:
        p.evaluate(months(70), events=[{"period": "2026-05", "service_level": "sao", "event": "waive"}])
    assert [d.code for d in info.value.diagnostics] == ["SLA304", "SLA306"]


# ---------------------------------------------------------------- amendments

def test_terms_change_from_the_amendments_month():
    body = SOA + "amendment effective 2026-03\n  service level soa\n    target: at least 85%\n"
    # 82% meets 80% in Jan and Feb; from March the target is 85%: 82% misses.
    outcome = program(body).evaluate(months(82, 82, 82))
    assert statuses(outcome) == ["met", "met", "missed"]
    assert credits(outcome) == ["0.00", "0.00", "1200.00"]
    assert outcome.periods[2].lines[0].explanation.startswith("soa 82% missed target at least 85%")


def test_an_amendment_before_the_start_is_an_error():
    from slarules import check, parse

    ruleset = parse(Source("t.sla", HEADER + SOA + "amendment effective 2025-12\n  at risk: 1% of fee each month\n"))
    assert [d.code for d in check(ruleset) if d.is_error] == ["SLA224"]


# ---------------------------------------------------------------- saved state

def _month_by_month_equals_batch(p, history):
    """Evaluate one month at a time through the saved state's JSON; the periods and the last
    state must equal the whole history evaluated at once, which is returned."""
    batch = p.evaluate(history)
    state, periods = None, []
    for label, values in history.items():
        step = p.evaluate({label: values}, state)
        state = p.load_state(step.state_json())
        periods += json.loads(step.to_json())["periods"]
    assert periods == json.loads(batch.to_json())["periods"]
    assert state.to_json() == batch.state_json()
    return batch


def test_month_by_month_with_a_saved_state_equals_the_whole_history():
    p = program(TERMINATE["in window"] + CURE_1 + "  earn back: 50% of its credits after 2 consecutive met months\n")
    history = months(70, 75, 90, 90, 60, 60, 90, 70, 90)
    _month_by_month_equals_batch(p, history)


def test_month_by_month_carries_the_year_average_and_the_window_caps():
    # Year-average earn-back and a rolling window cap keep running sums in the state (the year's
    # credits, the sum and count of its values, the window's entries): a field dropped or misread
    # on the way through the state file changes December's earn-back or a capped month.
    body = "credits in any 3 months at most USD 2,000\n" + YEAR_AVERAGE
    p = program(body)
    history = months(70, 70, 90, 70, *[90] * 8, 70, 90)
    batch = _month_by_month_equals_batch(p, history)
    # Jan 1,200.00, Feb 800.00 (window cap 2,000.00), Apr: window Feb..Apr holds 800.00 -> 1,200.00;
    # year average (3 x 70 + 9 x 90) / 12 = 85%: 50% of 3,200.00 = 1,600.00 back in December.
    assert credits(batch)[:4] == ["1200.00", "800.00", "0.00", "1200.00"]
    assert str(batch.periods[11].totals.earned_back) == "1600.00"


def test_a_state_belongs_to_its_ruleset():
    saved = program(SOA).evaluate(months(70)).state_json()
    with pytest.raises(SlaError) as info:
        program(CURE_1).load_state(saved)
    assert info.value.diagnostics[0].code == "SLA403"


def test_the_data_must_continue_the_state():
    p = program(SOA)
    state = p.load_state(p.evaluate(months(70)).state_json())
    with pytest.raises(SlaError) as info:
        p.evaluate(months(70), state)  # 2026-01 again, but the state expects 2026-02
    assert info.value.diagnostics[0].code == "SLA405"


def test_a_damaged_state_is_reported_not_raised():
    p = program(SOA)
    data = json.loads(p.evaluate(months(70)).state_json())
    del data["windows"]
    with pytest.raises(SlaError) as info:
        p.load_state(json.dumps(data))
    assert info.value.diagnostics[0].code == "SLA404"


def test_earn_back_returns_only_credits_the_caps_left_charged():
    body = ("at risk: 2% of fee each month\n" + SOA.replace("2% of fee", "5% of fee") +
            "  earn back: 100% of its credits after 1 consecutive met month\n")
    # Jan: 5% = 3,000.00 cut to the 1,200.00 at risk; Feb met: 1,200.00 back, not 3,000.00.
    outcome = program(body).evaluate(months(70, 90))
    assert [str(p.totals.earned_back) for p in outcome.periods] == ["0.00", "1200.00"]
    assert outcome.totals.net == Decimal("0.00")


def test_every_occurrence_of_a_right_in_the_json_table_and_totals_csv():
    outcome = program(TERMINATE["in a row"] + SOA).evaluate(months(*[70] * 6))
    rights = json.loads(outcome.to_json())["terminations"]
    assert [(r["period"], r["occurrence"]) for r in rights] == [("2026-03", 1), ("2026-06", 2)]
    rows = outcome.totals_csv().splitlines()
    assert rows[3].endswith("terminate when soa is missed 3 months in a row")
    assert rows[6].endswith("terminate when soa is missed 3 months in a row (occurrence 2)")
    assert "TERMINATION RIGHT  t.sla:" in outcome.to_text() and "(occurrence 2)" in outcome.to_text()


def test_a_bonus_condition_sees_a_critical_miss_held_in_a_cure_window():
    # The critical service level comes first and its miss opens a cure window ("in cure" by the
    # time q's bonus is weighed): a miss held in a cure window is still a miss for the bonus's
    # condition. January's bonus of q (1% of fee = 600.00) is withheld because soa missed;
    # February's (soa met, curing January) is paid.
    body = ("critical service level soa measured as sl target: at least 80%\n  credit: 2% of fee\n"
            "  cure: within 1 month\n"
            "service level q measured as sl target: at least 50%\n  bonus: 1% of fee\n"
            "  bonus only if no critical service level is missed\n")
    outcome = program(body).evaluate(months(70, 90))
    assert statuses(outcome) == ["in cure", "cured"]
    assert [str(p.totals.bonuses) for p in outcome.periods] == ["0.00", "600.00"]
    assert outcome.periods[0].results[1].note == "bonus withheld: critical soa missed"
