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
from slarules.formats.report import CSV_COLUMNS

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
    assert tuple(rows[0]) == CSV_COLUMNS
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
