"""Reporting duties and owners, piece by piece: business days counted by hand, the
`reported_on` date in every data layout, what a late report costs beside a waiver,
and the accountable party in the JSON, the CSV and the table."""
from __future__ import annotations

import csv
import datetime
import io
import json

import pytest

from slarules import SlaError, Source, compile_source
from slarules.engine.reporting import nth_business_day_after
from slarules.formats.kpi_data import parse_history

RULESET = """contract "Duties" currency USD, starts 2026-01
parties
  client  "Northwind Bank plc", may waive
  vendor  "Contoso Services Ltd"
inputs
  fee  money, reported by vendor
  sl   percent, reported by vendor, due the 5th business day of the following month
service level speed
  accountable: vendor
  measured as sl
  target: at least 80%
  late report: credit USD 300
  credit: 2% of fee
terminate when speed is missed 2 months in a row
"""


def program(text=RULESET):
    return compile_source(Source("duties.sla", text))


def history(text: str, path="data.csv", terms=None):
    return parse_history(terms or program(), Source(path, text))


def test_business_days_are_monday_to_friday_counted_after_the_day():
    # 2026-02-28 is a Saturday: Mon 2, Tue 3, Wed 4, Thu 5, Fri 6 March.
    assert nth_business_day_after(datetime.date(2026, 2, 28), 5) == datetime.date(2026, 3, 6)
    # 2026-04-30 is a Thursday: Fri 1 May is the 1st, Thu 14 May the 10th.
    assert nth_business_day_after(datetime.date(2026, 4, 30), 1) == datetime.date(2026, 5, 1)
    assert nth_business_day_after(datetime.date(2026, 4, 30), 10) == datetime.date(2026, 5, 14)


def test_the_report_date_is_read_from_wide_and_long_csv_and_json():
    wide = history("period,fee,sl,reported_on\n2026-01,1000,85,2026-02-09\n")
    long = history("period,input,value\n2026-01,fee,1000\n2026-01,sl,85\n2026-01,reported_on,2026-02-09\n")
    doc = history(json.dumps({"periods": [{"period": "2026-01", "fee": "1000", "sl": 85,
                                           "reported_on": "2026-02-09"}]}), "data.json")
    assert [h.periods[0].reported_on for h in (wide, long, doc)] == [datetime.date(2026, 2, 9)] * 3


def test_an_input_called_reported_on_stays_an_input():
    terms = program('contract "X" currency USD, starts 2026-01\ninputs\n  fee money\n  reported_on count\n'
                    'service level s\n  measured as reported_on\n  target: at least 1\n  credit: 1% of fee\n')
    period = history("period,fee,reported_on\n2026-01,1000,3\n", terms=terms).periods[0]
    assert (period.values["reported_on"], period.reported_on) == (3, None)


def test_a_late_report_costs_its_credit_unless_the_period_is_waived():
    terms = program()
    # January is due on Fri 2026-02-06: the 9th is 3 days late; February's is due on 2026-03-06.
    rows = "period,fee,sl,reported_on\n2026-01,1000,85,2026-02-09\n2026-02,1000,70,2026-03-09\n"
    outcome = terms.evaluate(history(rows))
    january, february = outcome.periods
    assert [(r.input, r.due, r.days_late) for r in january.late_reports] == [("sl", datetime.date(2026, 2, 6), 3)]
    assert [(line.kind, line.amount) for line in january.lines] == [("late report", 300)]
    # February: missed (70% below 80%: 2% of 1,000.00 = 20.00) and late: both lines.
    assert [(line.kind, line.amount) for line in february.lines] == [("credit", 20), ("late report", 300)]
    waived = terms.evaluate(history(rows), events=[{"period": "2026-02", "service_level": "speed",
                                                    "event": "waive", "reason": ""}])
    assert waived.periods[1].lines == () and waived.periods[1].late_reports == february.late_reports


def test_owners_are_in_the_json_the_csv_and_the_table():
    rows = "period,fee,sl\n2026-01,1000,70\n2026-02,1000,70\n"
    outcome = program().evaluate(history(rows))
    data = json.loads(outcome.to_json())
    assert {r["accountable"] for p in data["periods"] for r in p["service_levels"]} == {"vendor"}
    assert {line["accountable"] for p in data["periods"] for line in p["lines"]} == {"vendor"}
    assert [t["accountable"] for t in data["terminations"]] == ["vendor"]
    assert {row["accountable"] for row in csv.DictReader(io.StringIO(outcome.to_csv()))} == {"vendor"}
    assert "accountable: vendor" in outcome.to_text()


def test_without_parties_the_owner_is_empty_and_the_csv_column_stays():
    terms = program('contract "X" currency USD, starts 2026-01\ninputs\n  fee money\n  sl percent\n'
                    'service level s\n  measured as sl\n  target: at least 80%\n  credit: 1% of fee\n')
    outcome = terms.evaluate(history("period,fee,sl\n2026-01,1000,70\n", terms=terms))
    data = json.loads(outcome.to_json())
    assert data["periods"][0]["lines"][0]["accountable"] is None
    assert data["periods"][0]["late_reports"] == []
    rows = list(csv.DictReader(io.StringIO(outcome.to_csv())))
    assert [row["accountable"] for row in rows] == [""]
    assert "accountable" not in outcome.to_text()


def test_a_period_beyond_the_calendar_of_dates_has_no_late_report_and_no_crash():
    terms = program()
    # A label may have up to nine digits of year; no date can be after such a period ends.
    rows = "period,fee,sl,reported_on\n2026-01,1000,85,2026-02-02\n"
    assert terms.evaluate(history(rows)).periods[0].late_reports == ()
    far = program(RULESET.replace("starts 2026-01", "starts 9999-12"))
    outcome = far.evaluate(history("period,fee,sl,reported_on\n9999-12,1000,85,9999-12-31\n", terms=far))
    assert outcome.periods[0].late_reports == ()
    with pytest.raises(SlaError) as info:  # every date is before the year 10000's January ends
        history("period,fee,sl,reported_on\n10000-01,1000,85,9999-12-31\n", terms=far)
    assert [d.code for d in info.value.diagnostics] == ["SLA319"]
