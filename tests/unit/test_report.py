"""Report pass: the JSON matches its published schema, CSV is billing-ready, and
all three renderings carry the same figures."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema

from slarules import Source, compile_source
from slarules.formats.report import CSV_COLUMNS, IDENTITY_COLUMNS

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "slarules" / "formats" / "schema" / "outcome.schema.json").read_text())

SOURCE = Source("t.sla", '''contract "T" currency USD, starts 2026-01
inputs fee money
  sl percent
at risk: 3% of fee each month
service level s measured as sl target: at least 80%
  credit: 1% of fee per point below 80%, part points count as whole
  bonus: at least 90%: USD 99.99
''')
HISTORY = {"2026-01": {"fee": "60000", "sl": "75.5"},  # 5 points x 600.00 = 3,000.00, over the 1,800.00 cap
           "2026-02": {"fee": "60000", "sl": "95"}}    # bonus USD 99.99
OUTCOME = compile_source(SOURCE).evaluate(HISTORY)


def test_json_validates_against_the_published_schema():
    jsonschema.validate(json.loads(OUTCOME.to_json()), SCHEMA)


def test_json_amounts_are_exact_decimal_strings():
    data = json.loads(OUTCOME.to_json())
    lines = [(line["kind"], line["amount"]) for p in data["periods"] for line in p["lines"]]
    assert lines == [("credit", "3000.00"), ("credit cap", "-1200.00"), ("bonus", "99.99")]
    assert data["totals"] == {"credits": "1800.00", "earned_back": "0.00", "bonuses": "99.99", "withheld": "0.00",
                              "net": "1700.01",
                              "due_to_client": "1800.00", "due_to_vendor": "99.99"}
    assert data["periods"][0]["service_levels"][0]["value"] == "75.5"


def test_csv_has_one_signed_row_per_line_item_that_sums_to_the_totals():
    rows = list(csv.DictReader(io.StringIO(OUTCOME.to_csv())))
    assert tuple(rows[0]) == CSV_COLUMNS + IDENTITY_COLUMNS
    assert [(r["period"], r["kind"], r["amount"], r["clause"]) for r in rows] == [
        ("2026-01", "credit", "3000.00", "t.sla:6"),
        ("2026-01", "credit cap", "-1200.00", "t.sla:4"),
        ("2026-02", "bonus", "99.99", "t.sla:7"),
    ]
    credits = sum(Decimal(r["amount"]) for r in rows if r["kind"].startswith("credit"))
    assert credits == OUTCOME.totals.credits


def test_table_shows_each_figure_with_its_clause_and_sentence():
    text = OUTCOME.to_text()
    assert "credit cap         -1,200.00  t.sla:4" in text
    assert "credits 3,000.00 exceed the amount at risk, 3% of fee 60,000.00 = 1,800.00" in text
    assert "Whole history: credits 1,800.00  bonuses 99.99  net 1,700.01" in text


def test_renderings_are_byte_for_byte_deterministic():
    again = compile_source(SOURCE).evaluate(dict(reversed(HISTORY.items())))
    assert (again.to_json(), again.to_csv(), again.to_text()) == (OUTCOME.to_json(), OUTCOME.to_csv(), OUTCOME.to_text())


# ---------------------------------------------------------------- the reporting grid (issue 10, item 3)

GRID = compile_source(Source("g.sla", '''contract "G" currency USD, starts 2026-01
inputs fee money
  good count
  offered count
service level speed
  measured as good / offered, in percent, reported to 1 decimal, rounding half even
  target: at least 80%
  credit: the shortfall in points as a percentage of fee
''')).evaluate({
    # 7,995 / 10,000 = 79.95% exactly: half even to one decimal gives 80.0 (the 0 before the 5 is even): met.
    "2026-01": {"fee": "1000", "good": "7995", "offered": "10000"},
    # 7,985 / 10,000 = 79.85% -> 79.8 (8 is even): shortfall 0.2 points = 0.2% of 1,000.00 = 2.00,
    # computed from the reported value, not from 0.15 points measured.
    "2026-02": {"fee": "1000", "good": "7985", "offered": "10000"},
    # 2 / 3 = 66.666...% -> 66.7: shortfall 13.3 points = 133.00.
    "2026-03": {"fee": "1000", "good": "2", "offered": "3"},
})


def test_the_value_as_reported_is_judged_and_shown_next_to_the_value_as_measured():
    data = json.loads(GRID.to_json())
    jsonschema.validate(data, SCHEMA)
    shown = [(r["value"], r["reported"], r["status"]) for p in data["periods"] for r in p["service_levels"]]
    assert shown[:2] == [("79.95", "80.0", "met"), ("79.85", "79.8", "missed")]
    assert shown[2][1:] == ("66.7", "missed")
    assert [p["totals"]["credits"] for p in data["periods"]] == ["0.00", "2.00", "133.00"]
    assert "79.85%  reported 79.8%  missed" in GRID.to_text()
    assert "speed 79.8% (reported to 1 decimal, rounding half even) missed target at least 80%" in GRID.to_csv()


def test_a_value_without_a_grid_has_no_reported_field():
    data = json.loads(OUTCOME.to_json())
    assert all("reported" not in r for p in data["periods"] for r in p["service_levels"])


def test_the_per_service_level_totals_say_they_are_before_the_period_wide_caps():
    # January: the service level's own credit is 3,000.00, cut to 1,800.00 by the at-risk cap.
    assert OUTCOME.by_service_level[0].credits == Decimal("3000.00") and OUTCOME.totals.credits == Decimal("1800.00")
    assert "Totals by service level (each one's own lines, before the period-wide caps and netting)" in OUTCOME.to_text()
    description = SCHEMA["properties"]["by_service_level"]["description"]
    assert "before the period-wide caps" in description


def test_a_value_a_hair_from_the_target_is_shown_with_the_digits_that_tell_them_apart():
    outcome = compile_source(Source("h.sla", '''contract "H" currency USD, starts 2026-01
inputs fee money
  up percent
service level availability
  measured as up
  target: at least 99.5%
  credit, the most severe row applies:
    below 99.5%: 10% of fee
    below 95.0%: 25% of fee
''')).evaluate({"2026-01": {"fee": "1000", "up": "99.499999"}, "2026-02": {"fee": "1000", "up": "94.99"}})
    sentences = [line.explanation for line in outcome.lines]
    # Four decimals would show '≈99.5%', the target itself: six are shown.
    assert sentences[0].startswith("availability 99.499999% missed target at least 99.5%; row 'below 99.5%'")
    # The row as the contract writes it: 'below 95.0%', not 'below 95%'.
    assert "row 'below 95.0%': 25% of fee 1,000.00 = 250.00" in sentences[1]
