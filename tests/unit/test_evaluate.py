"""Evaluate pass: each construct's money on small contracts, computed by hand.

Every expected amount below is derived in its comment from the clause wording;
the fee is 60,000.00 unless a test says otherwise.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from slarules import SlaError, Source, compile_source

HEADER = 'contract "T" currency USD, assessed monthly, rounding half up to cents, starts 2026-01\n'


def run(body: str, periods: dict, header: str = HEADER):
    program = compile_source(Source("t.sla", header + body))
    return program.evaluate(periods)


def amounts(outcome, period=0):
    return [(line.service_level, line.kind, str(line.amount)) for line in outcome.periods[period].lines]


SOA = """
inputs
  fee money
  sl percent
service level soa
  measured as sl
  target: at least 80%
  credit, the most severe row applies:
    below 80%: 2% of fee
    below 75%: 5% of fee
    below 70%: 10% of fee
"""


@pytest.mark.parametrize("value, status, credit", [
    ("80", "met", None),            # exactly 80.00 meets "at least 80%"
    ("79.99", "missed", "1200.00"),  # row 'below 80%': 2% of 60,000.00
    ("75", "missed", "1200.00"),     # 75 is not below 75: still the 2% row
    ("74.99", "missed", "3000.00"),  # 'below 75%' is the most severe matching row: 5%
    ("12", "missed", "6000.00"),     # every row matches; the most severe, 10%, applies
])
def test_most_severe_row_applies_with_exact_boundaries(value, status, credit):
    outcome = run(SOA, {"2026-01": {"fee": "60000", "sl": value}})
    assert outcome.periods[0].results[0].status == status
    assert amounts(outcome) == ([("soa", "credit", credit)] if credit else [])


def test_above_target_is_missed_at_the_boundary():
    body = "inputs fee money\n sl percent\nservice level s measured as sl target: above 80% credit: 1% of fee"
    outcome = run(body, {"2026-01": {"fee": "60000", "sl": "80"}})
    assert outcome.periods[0].results[0].status == "missed"
    assert amounts(outcome) == [("s", "credit", "600.00")]  # 1% of 60,000.00


def test_range_table_picks_the_one_row_containing_the_value():
    body = """inputs fee money
  wait seconds
service level asa measured as wait target: at most 40 seconds
  credit by range:
    above 40 to 45 seconds: 20% of fee
    above 45 to 50 seconds: 40% of fee
    above 50 seconds: 60% of fee
"""
    periods = {"2026-01": {"fee": "1000", "wait": "45"},     # (40, 45]: 20% of 1,000.00 = 200.00
               "2026-02": {"fee": "1000", "wait": "45.5"},   # (45, 50]: 40% = 400.00
               "2026-03": {"fee": "1000", "wait": "90"}}     # above 50: 60% = 600.00
    outcome = run(body, periods)
    assert [amounts(outcome, i) for i in range(3)] == [
        [("asa", "credit", "200.00")], [("asa", "credit", "400.00")], [("asa", "credit", "600.00")]]


@pytest.mark.parametrize("rounding, credit", [
    ("part points count as whole", "1800.00"),  # 7.3 - 5 = 2.3 points -> 3 x 1% x 60,000.00
    ("only whole points count", "1200.00"),     # 2.3 -> 2 x 600.00
    ("pro rata", "1380.00"),                    # 2.3 x 600.00
])
def test_linear_credit_rounds_units_as_written(rounding, credit):
    body = f"inputs fee money\n ab percent\nservice level ab_rate measured as ab target: at most 5%\n" \
           f"credit: 1% of fee per point above 5%, {rounding}"
    outcome = run(body, {"2026-01": {"fee": "60000", "ab": "7.3"}})
    assert amounts(outcome) == [("ab_rate", "credit", credit)]


def test_linear_step_and_cap_produce_a_separate_cap_line():
    # USD 250 per 0.5 second above 40 s, part units count as whole: 43.2 s is 3.2 s
    # = 6.4 half-seconds -> 7 x 250.00 = 1,750.00; capped at USD 1,000 -> cap line -750.00.
    body = """inputs wait seconds
service level asa measured as wait target: at most 40 seconds
  credit: USD 250 per 0.5 second above 40 seconds, part seconds count as whole, at most USD 1,000
"""
    outcome = run(body, {"2026-01": {"wait": "43.2"}})
    assert amounts(outcome) == [("asa", "credit", "1750.00"), ("asa", "credit cap", "-750.00")]
    assert outcome.periods[0].totals.credits == Decimal("1000.00")


def test_shortfall_in_points_is_a_percentage_of_the_base():
    # target 97%, actual 90%: shortfall 7 points -> 7% of 60,000.00 = 4,200.00
    body = "inputs fee money\n av percent\nservice level av_rate measured as av target: at least 97%\n" \
           "credit: the shortfall in points as a percentage of fee"
    outcome = run(body, {"2026-01": {"fee": "60000", "av": "90"}})
    assert amounts(outcome) == [("av_rate", "credit", "4200.00")]


RATIO = """inputs fee money
  good count
  total count
service level s measured as good / total, in percent
  target: at least 80%
"""


@pytest.mark.parametrize("credit, explanation", [
    # 239/300 = 79.66...%: shortfall 1/3 point of 1% of 1,501.50 = 5.005 exactly, half up 5.01
    ("credit: the shortfall in points as a percentage of fee",
     "shortfall ≈0.3333 points = ≈0.3333% of fee 1,501.50 = 5.01"),
    # the same 1/3 point, pro rata, at 1% of the fee per point: 5.005, half up 5.01
    ("credit: 1% of fee per point below 80%, pro rata",
     "≈0.3333 points below 80% (pro rata) × 1% of fee 1,501.50 = 5.01"),
])
def test_money_in_proportion_to_a_ratio_is_exact_at_half_a_cent(credit, explanation):
    outcome = run(RATIO + credit, {"2026-01": {"fee": "1501.50", "good": "239", "total": "300"}})
    assert amounts(outcome) == [("s", "credit", "5.01")]
    assert outcome.periods[0].lines[0].explanation.endswith(explanation)


POOL = """inputs charges money
  a percent
  b percent
  c percent
at risk: 10% of charges each month
critical service level sa measured as a target: at least 99%
  allocation: 50% of the amount at risk
  credit: 100% of the allocation
critical service level sb measured as b target: at least 99%
  allocation: 40% of the amount at risk
  credit, the most severe row applies:
    below 99%: 50% of the allocation
    below 95%: 100% of the allocation
critical service level sc measured as c target: at least 99%
  allocation: 30% of the amount at risk
  credit: 100% of the allocation
"""


def test_pool_allocation_and_the_at_risk_cap():
    # Charges 100,000.00; at risk 10% = 10,000.00.
    # 2026-01: only sb missed at 97%: 50% of its allocation (40% of 10,000.00 = 4,000.00) = 2,000.00.
    # 2026-02: all missed, sb at 90%: 5,000.00 + 4,000.00 + 3,000.00 = 12,000.00 > 10,000.00
    #          -> a period-wide cap line of -2,000.00, credits 10,000.00.
    outcome = run(POOL, {"2026-01": {"charges": "100000", "a": "99.5", "b": "97", "c": "99"},
                         "2026-02": {"charges": "100000", "a": "98", "b": "90", "c": "50"}})
    assert amounts(outcome, 0) == [("sb", "credit", "2000.00")]
    assert amounts(outcome, 1) == [("sa", "credit", "5000.00"), ("sb", "credit", "4000.00"),
                                   ("sc", "credit", "3000.00"), (None, "credit cap", "-2000.00")]
    assert outcome.periods[1].totals.credits == Decimal("10000.00")
    assert outcome.totals.credits == Decimal("12000.00")


BONUS = """inputs fee money
  sl percent
  q percent
bonuses at most 1.5% of fee each month
{netting}
critical service level soa measured as sl target: at least 80%
  credit: 2% of fee
  bonus, the best row applies:
    at least 85%: 1% of fee
    at least 90%: 2% of fee
service level quality measured as q target: at least 90%
  credit: 1% of fee
  bonus: at least 95%: USD 100
  bonus only if no critical service level is missed
"""


def test_best_bonus_row_and_the_bonus_limit():
    # soa 92% -> best row 'at least 90%': 2% of 60,000.00 = 1,200.00; quality 96% -> USD 100.
    # Bonuses 1,300.00 exceed the limit 1.5% = 900.00 -> bonus cap -400.00.
    outcome = run(BONUS.format(netting=""), {"2026-01": {"fee": "60000", "sl": "92", "q": "96"}})
    assert amounts(outcome) == [("soa", "bonus", "1200.00"), ("quality", "bonus", "100.00"),
                                (None, "bonus cap", "-400.00")]
    assert outcome.periods[0].totals.bonuses == Decimal("900.00")


def test_gate_withholds_a_bonus_and_says_why():
    # soa 79% is a critical miss: credit 2% = 1,200.00; quality's bonus is withheld.
    outcome = run(BONUS.format(netting=""), {"2026-01": {"fee": "60000", "sl": "79", "q": "96"}})
    assert amounts(outcome) == [("soa", "credit", "1200.00")]
    assert outcome.periods[0].results[1].note == "bonus withheld: critical soa missed"


@pytest.mark.parametrize("netting, due_to_client, due_to_vendor, forfeit", [
    ("bonuses are paid separately", "600.00", "600.00", None),
    ("bonuses offset credits", "0.00", "0.00", None),
    ("bonuses only offset credits", "0.00", "0.00", None),  # bonuses equal credits: nothing to forfeit
])
def test_netting_policies(netting, due_to_client, due_to_vendor, forfeit):
    # soa 86% -> bonus 1% = 600.00; quality 85% missed -> credit 1% = 600.00.
    outcome = run(BONUS.format(netting=netting), {"2026-01": {"fee": "60000", "sl": "86", "q": "85"}})
    totals = outcome.periods[0].totals
    assert (str(totals.due_to_client), str(totals.due_to_vendor)) == (due_to_client, due_to_vendor)
    forfeits = [str(line.amount) for line in outcome.periods[0].lines if line.kind == "bonus forfeit"]
    assert forfeits == ([forfeit] if forfeit else [])


def test_only_offset_forfeits_the_bonus_beyond_the_credits():
    # soa 92% -> 1,200.00 bonus (limit 900.00); quality 85% -> 600.00 credit.
    # Bonuses 900.00 after the limit exceed credits 600.00: 300.00 forfeited, net 0.00.
    outcome = run(BONUS.format(netting="bonuses only offset credits"),
                  {"2026-01": {"fee": "60000", "sl": "92", "q": "85"}})
    assert amounts(outcome)[-1] == (None, "bonus forfeit", "-300.00")
    assert outcome.periods[0].totals.net == Decimal("0.00")


def test_each_contract_years_totals_add_up_its_periods_across_an_amendment():
    # Bonuses offset credits. 2026-12 (contract year 1): soa 92% -> 2% of 60,000.00 = 1,200.00,
    # quality 96% -> 100.00; 1,300.00 over the limit of 1.5% = 900.00: bonuses 900.00, no credits,
    # so the vendor is owed 900.00 on balance.
    # 2027-01 (year 2): soa 79%, a critical miss -> credit 2% = 1,200.00; quality's bonus withheld.
    # 2027-02 (year 2, amended: bonuses at most 0.5% = 300.00): soa 86% -> bonus 1% = 600.00,
    # limited to 300.00; quality 85% -> credit 1% = 600.00; net 300.00 due to the client.
    # Year 2: credits 1,800.00, bonuses 300.00, due to the client 1,200.00 + 300.00 = 1,500.00.
    body = BONUS.format(netting="bonuses offset credits") + """
amendment effective 2027-02
  bonuses at most 0.5% of fee each month
"""
    outcome = run(body, {"2026-12": {"fee": "60000", "sl": "92", "q": "96"},
                         "2027-01": {"fee": "60000", "sl": "79", "q": "96"},
                         "2027-02": {"fee": "60000", "sl": "86", "q": "85"}})
    years = [(y.contract_year, y.first_period, y.last_period, str(y.totals.credits), str(y.totals.bonuses),
              str(y.totals.due_to_client), str(y.totals.due_to_vendor)) for y in outcome.by_contract_year]
    assert years == [(1, "2026-12", "2026-12", "0.00", "900.00", "0.00", "900.00"),
                     (2, "2027-01", "2027-02", "1800.00", "300.00", "1500.00", "0.00")]
    totals = outcome.totals
    assert (str(totals.credits), str(totals.bonuses), str(totals.due_to_client), str(totals.due_to_vendor)) == (
        "1800.00", "1200.00", "1500.00", "900.00")


def test_withheld_charges_count_with_the_credits_in_a_years_dues():
    # Bonuses offset credits; quality below 80% is a critical failure: 1% of 60,000.00 = 600.00
    # withheld. 2026-01: soa 95% -> bonus USD 1,000.00; quality 70%, no credit clause. Net =
    # credits 0.00 + withheld 600.00 - bonuses 1,000.00 = -400.00: 400.00 due to the vendor, none
    # to the client, in the period, its contract year and the history.
    outcome = run("""inputs fee money
  sl percent
  q percent
critical failure when quality is below 80%:
  withhold 1% of fee
bonuses offset credits
service level soa measured as sl target: at least 80%
  bonus: at least 90%: USD 1000
service level quality measured as q target: at least 90%
""", {"2026-01": {"fee": "60000", "sl": "95", "q": "70"}})
    for totals in (outcome.periods[0].totals, outcome.by_contract_year[0].totals, outcome.totals):
        assert (totals.withheld, totals.bonuses, totals.due_to_client, totals.due_to_vendor) == (
            Decimal("600.00"), Decimal("1000.00"), 0, Decimal("400.00"))


def test_volume_condition_makes_a_period_not_measured():
    body = """inputs fee money
  calls count
  fast count
service level soa measured as fast / calls, in percent target: at least 80%
  measured only when calls is at least 500
  credit: 2% of fee
"""
    outcome = run(body, {"2026-01": {"fee": "60000", "calls": "499", "fast": "10"},
                         "2026-02": {"fee": "60000", "calls": "0", "fast": "0"}})
    for period in outcome.periods:
        assert period.results[0].status == "not measured"
        assert period.lines == ()
    # 10 / 499 x 100, exact to the engine's 34 significant digits
    assert outcome.periods[0].results[0].value == Decimal("2.004008016032064128256513026052104")


def test_missing_input_counted_as_a_miss_takes_the_most_severe_row():
    body = SOA.replace("sl percent", "sl percent, missing counts as a miss")
    outcome = run(body, {"2026-01": {"fee": "60000"}})
    result = outcome.periods[0].results[0]
    assert (result.value, result.status) == (None, "missed")
    assert amounts(outcome) == [("soa", "credit", "6000.00")]  # most severe row: 10% of 60,000.00
    assert "not reported" in outcome.periods[0].lines[0].explanation


def test_default_value_stands_in_for_a_missing_input():
    body = SOA.replace("sl percent", "sl percent, default 0")
    outcome = run(body, {"2026-01": {"fee": "60000"}})
    assert outcome.periods[0].results[0].value == 0
    assert amounts(outcome) == [("soa", "credit", "6000.00")]


def test_missing_required_input_names_the_period_and_input():
    with pytest.raises(SlaError) as info:
        run(SOA, {"2026-01": {"fee": "60000", "sl": "90"}, "2026-02": {"fee": "60000"}})
    (d,) = info.value.diagnostics
    assert d.code == "SLA401" and "2026-02" in d.message and "'sl'" in d.message


def test_division_by_zero_without_a_volume_condition_is_an_error():
    body = "inputs fee money\n a count\n b count\nservice level r measured as a / b, in percent target: at least 1%"
    with pytest.raises(SlaError) as info:
        run(body, {"2026-01": {"fee": "1", "a": "1", "b": "0"}})
    assert info.value.diagnostics[0].code == "SLA402"


@pytest.mark.parametrize("mode, expected", [
    ("half up", "0.13"), ("half even", "0.12"), ("half down", "0.12"), ("up", "0.13"), ("down", "0.12"),
])
def test_rounding_modes_apply_where_the_line_is_produced(mode, expected):
    # 1% of 12.50 = 0.125 exactly: the mode decides the cent.
    header = f'contract "T" currency USD, rounding {mode}, starts 2026-01\n'
    body = "inputs fee money\n sl percent\nservice level s measured as sl target: at least 80% credit: 1% of fee"
    outcome = run(body, {"2026-01": {"fee": "12.50", "sl": "1"}}, header)
    assert str(outcome.periods[0].lines[0].amount) == expected


def test_whole_units_currency_rounds_to_whole_yen():
    header = 'contract "T" currency JPY, starts 2026-01\n'
    body = "inputs fee money\n sl percent\nservice level s measured as sl target: at least 80% credit: 2.5% of fee"
    outcome = run(body, {"2026-01": {"fee": "12345", "sl": "1"}}, header)
    assert str(outcome.periods[0].lines[0].amount) == "309"  # 308.625 half up -> 309


def test_every_line_names_its_clause_and_explains_itself():
    outcome = run(SOA, {"2026-01": {"fee": "60000", "sl": "74"}})
    (line,) = outcome.periods[0].lines
    assert line.clause_ref == "t.sla:11"  # the row 'below 75%'
    assert line.explanation == ("soa 74% missed target at least 80%; row 'below 75%': "
                                "5% of fee 60,000.00 = 3,000.00")


def test_contract_years_and_history_totals():
    history = {f"2026-{m:02d}": {"fee": "60000", "sl": "79"} for m in range(1, 13)}
    history["2027-01"] = {"fee": "60000", "sl": "79"}
    outcome = run(SOA, history)
    assert [(y.contract_year, y.first_period, y.last_period, str(y.totals.credits))
            for y in outcome.by_contract_year] == [(1, "2026-01", "2026-12", "14400.00"),  # 12 x 1,200.00
                                                  (2, "2027-01", "2027-01", "1200.00")]
    assert outcome.totals.credits == Decimal("15600.00")
    assert outcome.by_service_level[0].periods_missed == 13


@pytest.mark.parametrize("periodicity, start", [("monthly", "2026-01"), ("monthly", "2025-07"),
                                                ("quarterly", "2026-04"), ("yearly", "2026-01")])
def test_the_periods_the_calendar_expects_next_are_labelled_and_counted_as_each_alone(periodicity, start):
    """Evaluation compares each period's label with the one Calendar.following expects and parses it
    only when it differs: the expected ones must be exactly what label() and contract_year_of() say,
    across year ends and past year 9999."""
    from itertools import islice

    from slarules.core.periods import Calendar
    calendar = Calendar(periodicity, start)
    for first in (calendar.index("2025" if periodicity == "yearly" else "2025-Q4" if periodicity == "quarterly"
                                 else "2025-11"), calendar.index("9998" if periodicity == "yearly" else "9998-Q1"
                                                                 if periodicity == "quarterly" else "9998-01")):
        expected = [(i, calendar.label(i), calendar.contract_year_of(i)) for i in range(first + 1, first + 40)]
        assert list(islice(calendar.following(first), 39)) == expected


def test_a_history_with_a_gap_is_placed_by_its_labels():
    """A History built in Python need not be consecutive: a period the calendar does not expect next
    is placed by its own label (its contract year, the windows it counts in)."""
    program = compile_source(Source("t.sla", '''contract "T" currency USD, starts 2026-01
inputs fee money
  uptime percent
service level up measured as uptime
  target: at least 99%
  credit: 5% of fee
terminate when up is missed 2 times in any 3 months
'''))
    from slarules import History, PeriodData
    months = ("2026-12", "2027-01", "2027-06", "2028-01")
    outcome = program.evaluate(History(tuple(PeriodData(m, {"fee": Decimal(1000), "uptime": Decimal(90)})
                                             for m in months)))
    assert [p.contract_year for p in outcome.periods] == [1, 2, 2, 3]
    # 2026-12 and 2027-01 are two misses in 3 months; 2027-06 and 2028-01 are each alone in theirs.
    assert [len(p.terminations) for p in outcome.periods] == [0, 1, 0, 0]
