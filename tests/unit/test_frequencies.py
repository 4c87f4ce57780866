"""Service levels assessed less often than the contract (issue 14, item 4): `assessed
quarterly` in a monthly contract, its value from the quarter's sums or the average of
the monthly values, its lines in the quarter's last month, pending months, missing,
excluded and waived months, contract quarters from the start month, what counts
quarters (termination, earn-back, cure), and a billing run month by month that
carries the quarter's partial sums in its state and equals the batch."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

import slarules
from slarules import Source
from slarules.core.diagnostics import SlaError
from slarules.engine.state import checksum

ROOT = Path(__file__).resolve().parents[2]
STATE_SCHEMA = json.loads((ROOT / "slarules" / "formats" / "schema" / "state.schema.json").read_text())

HEAD = """contract "Q" currency GBP, assessed {period}, starts {start}
inputs
  fee money
  complaints count
  resolved count, {missing}
"""
RESOLUTION = """service level resolution
  assessed {every}
  measured as resolved / complaints, in percent
  target: at least 95%
  credit: 5% of fee
"""


def program(body: str = "", every="quarterly", start="2026-01", period="monthly", missing="default 0"):
    text = HEAD.format(period=period, start=start, missing=missing) + RESOLUTION.format(every=every) + body
    return slarules.compile_source(Source("q.sla", text))


def months(first: str, *rows):
    """{label: {fee, complaints, resolved}} for consecutive months from `first`."""
    year, month = map(int, first.split("-"))
    history = {}
    for fee, complaints, resolved in rows:
        history[f"{year:04d}-{month:02d}"] = {"fee": str(fee), "complaints": str(complaints),
                                                "resolved": str(resolved)}
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return history


def statuses(outcome):
    return [p.results[0].status for p in outcome.periods]


def credits(outcome):
    return [str(p.totals.credits) for p in outcome.periods]


def test_the_quarter_is_measured_over_its_sums_and_charged_in_its_last_month():
    # 8 + 99 + 10 = 117 of 10 + 100 + 10 = 120: 97.5%, met although the monthly values
    # (80%, 99%, 100%) average 93%. Next quarter 36 + 38 + 19 = 93 of 100: missed, 5% of
    # the quarter's fees 1,000 + 1,000 + 1,200 = 3,200.00 -> 160.00, in June.
    outcome = program().evaluate(months("2026-01", (1000, 10, 8), (1000, 100, 99), (1000, 10, 10),
                                        (1000, 40, 36), (1000, 40, 38), (1200, 20, 19)))
    assert statuses(outcome) == ["pending", "pending", "met", "pending", "pending", "missed"]
    assert credits(outcome) == ["0.00"] * 5 + ["160.00"]
    assert outcome.periods[2].results[0].value == Decimal("97.5")
    assert outcome.periods[5].lines[0].explanation == (
        "resolution 93% missed target at least 95%; 5% of fee 3,200.00 = 160.00")
    assert outcome.periods[0].results[0].value is None
    # pending months count neither as met nor as missed
    (totals,) = outcome.by_service_level
    assert (totals.periods_met, totals.periods_missed) == (1, 1)


def test_the_average_of_the_monthly_values_when_the_clause_says_so():
    text = HEAD.format(period="monthly", start="2026-01", missing="default 0") + """  score score
service level satisfaction
  assessed quarterly
  measured as the average of the monthly values of score
  target: at least 4
  credit: 1% of fee
"""
    p = slarules.compile_source(Source("q.sla", text))
    history = {f"2026-0{m}": {"fee": "1000", "complaints": "1", "resolved": "1", "score": s}
               for m, s in zip((1, 2, 3), ("4.5", "3.9", "3.5"))}
    # (4.5 + 3.9 + 3.5) / 3 = 3.966...: missed; 1% of 3,000.00 = 30.00
    outcome = p.evaluate(history)
    assert [p.results[0].status for p in outcome.periods] == ["pending", "pending", "missed"]
    assert outcome.periods[2].results[0].value.quantize(Decimal("0.0001")) == Decimal("3.9667")
    assert credits(outcome) == ["0.00", "0.00", "30.00"]


def test_quarters_are_contract_quarters_from_the_start_month():
    # Starting in February: Feb-Apr, May-Jul; April and July are the quarters' last months.
    outcome = program(start="2026-02").evaluate(months("2026-02", *[(1000, 10, 9)] * 6))
    assert statuses(outcome) == ["pending", "pending", "missed", "pending", "pending", "missed"]


def test_data_that_ends_inside_a_quarter_leaves_it_pending_with_its_sums_in_the_state():
    outcome = program().evaluate(months("2026-01", (1000, 10, 9), (1000, 10, 10)))
    assert statuses(outcome) == ["pending", "pending"]
    partial = json.loads(outcome.state_json())["service_levels"]["resolution"]["partial"]
    assert (partial["first"], partial["periods"], partial["sums"]["resolved"]) == ("2026-01", 2, "19")
    jsonschema.Draft202012Validator(STATE_SCHEMA).validate(json.loads(outcome.state_json()))


def test_a_billing_run_month_by_month_equals_the_batch():
    body = ("terminate when resolution is missed 2 quarters in a row\n"
            "terminate when resolution is missed 2 times in any 9 months\n")
    p = program(body)
    rows = [(1000, 10, 9), (1100, 10, 10), (1000, 30, 28), (1000, 10, 10), (900, 10, 10), (1000, 10, 9),
            (1000, 20, 20), (1000, 10, 9), (1000, 10, 8), (1000, 5, 5)]
    history = months("2026-01", *rows)
    batch = p.evaluate(history)
    state, periods, rights = None, [], []
    for label, values in history.items():
        one = p.evaluate({label: values}, state=state)
        state = p.load_state(one.state_json())
        periods += one.periods
        rights += one.terminations
    assert [(q.period, q.results, q.lines, q.totals) for q in periods] == [
        (q.period, q.results, q.lines, q.totals) for q in batch.periods]
    assert rights == batch.terminations
    # 47/50 = 94% (Q1), 29/30 (Q2) 96.67% met, 37/40 = 92.5% (Q3) missed: not in a row; in 9 months, yes
    assert statuses(batch)[2::3] == ["missed", "met", "missed"]
    assert [(r.period, r.trigger.split(" is ")[1]) for r in batch.terminations] == [
        ("2026-09", "missed 2 times in any 9 months")]


def test_a_month_excluded_excludes_its_quarter_so_it_never_raises_what_the_vendor_owes():
    p = program()
    # Each quarter: 10 + 10 + 10 resolved of 10 + 10 + 10 in the first, met; in the second
    # 10 + 9 + 9 = 28 of 30, 93.3%, missed. Leaving April (10 of 10) out of the sums would
    # give 18 of 20 = 90%, no better; leaving out a good month can only make a quarter worse.
    history = months("2026-01", *[(1000, 10, 10)] * 3 + [(1000, 10, 10), (1000, 10, 9), (1000, 10, 9)])
    events = [{"period": "2026-01", "service_level": "resolution", "event": "exclude", "reason": "outage"},
              {"period": "2026-04", "service_level": "resolution", "event": "exclude", "reason": "strike"}]
    outcome = p.evaluate(history, events=events)
    assert statuses(outcome)[2::3] == ["excluded", "excluded"]
    assert outcome.periods[5].results[0].note.startswith("excluded: 2026-04 excluded")
    assert credits(outcome) == ["0.00"] * 6
    assert credits(p.evaluate(history))[5] == "150.00"  # without the exclusion, Q2 is charged


def test_a_waiver_in_any_month_of_the_quarter_waives_its_miss():
    events = [{"period": "2026-02", "service_level": "resolution", "event": "waive", "reason": "goodwill"}]
    outcome = program().evaluate(months("2026-01", *[(1000, 10, 9)] * 3), events=events)
    assert statuses(outcome) == ["pending", "pending", "waived"]
    assert credits(outcome) == ["0.00"] * 3


def test_an_unreported_input_counting_as_a_miss_makes_the_quarter_a_miss():
    p = program(missing="missing counts as a miss")
    history = months("2026-01", *[(1000, 10, 10)] * 3)
    del history["2026-02"]["resolved"]
    outcome = p.evaluate(history)
    # not reported: the clause's maximum, 5% of the quarter's fees 3,000.00 = 150.00
    assert statuses(outcome) == ["pending", "pending", "missed"]
    assert "resolved (2026-02) not reported" in outcome.periods[2].results[0].note
    assert credits(outcome) == ["0.00", "0.00", "150.00"]


def test_a_quarter_dividing_by_zero_names_the_quarter():
    with pytest.raises(SlaError) as err:
        program().evaluate(months("2026-01", *[(1000, 0, 0)] * 3))
    assert err.value.diagnostics[0].code == "SLA402"
    assert "over the quarter 2026-01 to 2026-03" in err.value.diagnostics[0].message


def test_yearly_in_a_monthly_contract_and_in_a_quarterly_one():
    outcome = program(every="yearly").evaluate(months("2026-01", *[(1000, 10, 9)] * 12))
    assert statuses(outcome) == ["pending"] * 11 + ["missed"]
    assert credits(outcome)[-1] == "600.00"  # 5% of 12 x 1,000.00
    p = program(every="yearly", period="quarterly")
    history = {f"2026-Q{q}": {"fee": "3000", "complaints": "10", "resolved": "10"} for q in (1, 2, 3, 4)}
    assert statuses(p.evaluate(history)) == ["pending", "pending", "pending", "met"]


def test_earn_back_and_cure_count_quarters():
    body = "  earn back: 100% of its credits after 2 consecutive met quarters\n"
    p = program(body)
    rows = [(1000, 10, 9)] * 3 + [(1000, 10, 10)] * 6
    outcome = p.evaluate(months("2026-01", *rows))
    # Q1 missed: 150.00; Q2 and Q3 met: two met quarters in a row, returned in September
    assert credits(outcome)[2] == "150.00"
    assert [str(p.totals.earned_back) for p in outcome.periods] == ["0.00"] * 8 + ["150.00"]
    cure = program("  cure: within 1 quarter\n").evaluate(months("2026-01", *rows))
    assert statuses(cure)[2::3] == ["in cure", "cured", "met"]
    assert credits(cure) == ["0.00"] * 9


def test_the_quarter_s_length_in_minutes():
    text = """contract "Cloud" currency USD, starts 2028-01
inputs
  fee money
  downtime minutes
service level uptime
  assessed quarterly
  measured as (minutes in the quarter - downtime) / minutes in the quarter, in percent
  target: at least 99.9%
  credit: 10% of fee
"""
    p = slarules.compile_source(Source("u.sla", text))
    # Q1 2028 has 31 + 29 + 31 = 91 days, 131,040 minutes; 0.1% is 131.04: 131 minutes down meet it
    history = {f"2028-0{m}": {"fee": "100", "downtime": d} for m, d in zip((1, 2, 3), ("100", "31", "0"))}
    assert [q.results[0].status for q in p.evaluate(history).periods] == ["pending", "pending", "met"]
    history["2028-03"]["downtime"] = "0.05"
    assert p.evaluate(history).periods[2].results[0].status == "missed"


@pytest.mark.parametrize("body, code", [
    (RESOLUTION.format(every="monthly"), "SLA255"),
    (RESOLUTION.format(every="quarterly") + "terminate when resolution is missed 4 months in a row\n", "SLA257"),
    (RESOLUTION.format(every="quarterly").replace("target", "  cure: within 1 month\n  target"), "SLA257"),
])
def test_the_check_rejects_what_a_quarter_cannot_mean(body, code):
    text = HEAD.format(period="monthly", start="2026-01", missing="default 0") + body
    codes = [d.code for d in slarules.check(slarules.parse(Source("q.sla", text)))]
    assert code in codes


def test_a_damaged_partial_quarter_in_a_state_is_sla404():
    outcome = program().evaluate(months("2026-01", (1000, 10, 9)))
    data = json.loads(outcome.state_json())
    data["service_levels"]["resolution"]["partial"]["sums"]["resolved"] = 9
    data["checksum"] = checksum({key: value for key, value in data.items() if key != "checksum"})
    with pytest.raises(SlaError) as err:
        program().load_state(json.dumps(data))
    assert err.value.diagnostics[0].code == "SLA404"
    assert "service_levels.resolution.partial.sums.resolved" in err.value.diagnostics[0].message


def test_an_amendment_inside_a_quarter_and_the_terms_in_force_in_its_last_month():
    # From 2026-03 the target is 90%: the quarter Jan-Mar, 27 of 30 = 90%, is assessed in March
    # under the amended target, so met.
    body = "amendment effective 2026-03\n  service level resolution\n    target: at least 90%\n"
    outcome = program(body).evaluate(months("2026-01", *[(1000, 10, 9)] * 3))
    assert statuses(outcome) == ["pending", "pending", "met"]


def test_the_month_s_at_risk_cap_applies_to_the_quarter_s_credit_in_it():
    # 5% of the quarter's fees 3,000.00 = 150.00, in March; at risk 4% of March's 1,000.00 = 40.00
    outcome = program("at risk: 4% of fee each month\n").evaluate(months("2026-01", *[(1000, 10, 9)] * 3))
    assert [(line.kind, str(line.amount)) for line in outcome.periods[2].lines] == [
        ("credit", "150.00"), ("credit cap", "-110.00")]
