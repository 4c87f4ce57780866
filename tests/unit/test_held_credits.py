"""Credits held in a cure window survive an edit that moves the ruleset's lines.

A held credit names the clause it came from (the service level's credit clause, a row of
its table, or its cap), not a line of the ruleset, so a comment or blank lines added or
removed above the clause keep the saved state valid and the closing credit cites the clause
where the edited ruleset has it.

The ruleset: a fee of 10,000.00, one month to cure each miss. soa (at least 80%) credits by
range: below 50% is 10% of the fee (1,000.00). late (at most 3 tickets) credits USD 200 per
ticket above 3, at most 5% of the fee (500.00). January is missed on both (40%: 1,000.00;
10 tickets, 7 above: 1,400.00 cut by its cap to 500.00, a -900.00 cap line), all held;
February is missed too, so January's windows close unmet in February: 1,000.00 + 500.00 =
1,500.00, cited at the row, the linear clause and its cap.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from slarules import compile_source
from slarules.core.source import Source

RULESET = '''contract "T" currency USD, starts 2026-01
inputs fee money
  sl percent
  late count "tickets"

service level soa measured as sl target: at least 80%
  cure: within 1 month
  credit by range:
    below 50%: 10% of fee
    at least 50% and below 80%: 3% of fee

service level late measured as late target: at most 3
  cure: within 1 month
  credit: USD 200 per ticket above 3, only whole tickets count,
          at most 5% of fee
'''


def program(text):
    return compile_source(Source("t.sla", text))


def month(label, value):
    return {label: {"fee": "10000", "sl": value, "late": "10"}}


def line_of(text, fragment):
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def bill_january(tmp_path):
    path = tmp_path / "st.json"
    with program(RULESET).billing_run(path) as run:
        january = run.evaluate(month("2026-01", "40"))
    assert january.periods[0].totals.credits == 0  # held, not charged
    return path


def february_under(tmp_path, edited):
    path = bill_january(tmp_path)
    with program(edited).billing_run(path) as run:
        return run.evaluate(month("2026-02", "40")).periods[0]


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("service level soa", "# clause 4.2, as agreed\n# (and reviewed)\n\nservice level soa"),
    lambda t: t.replace("\n\n", "\n"),  # a shorter file: the held lines stood below its end
])
def test_a_held_credit_closes_at_its_clause_after_lines_move(tmp_path, edit):
    edited = edit(RULESET)
    assert edited != RULESET
    february = february_under(tmp_path, edited)
    held = [line for line in february.lines if "missed in 2026-01" in line.explanation]
    # January's soa row (10% of 10,000.00), late's 7 × 200.00 and its cap (5% = 500.00: -900.00).
    assert [(line.kind, line.amount) for line in held] == [
        ("credit", Decimal("1000.00")), ("credit", Decimal("1400.00")), ("credit cap", Decimal("-900.00"))]
    assert [line.clause.line for line in held] == [
        line_of(edited, "below 50%"), line_of(edited, "per ticket"), line_of(edited, "at most 5%")]
    # February's own misses are held in turn; January's 1,000.00 + 500.00 is what February bills.
    assert february.totals.credits == Decimal("1500.00")


def test_a_state_names_the_clause_of_each_held_line(tmp_path):
    levels = json.loads(bill_january(tmp_path).read_text())["service_levels"]
    held = {name: [(line["kind"], line["clause"]) for p in levels[name]["pending"] for line in p["lines"]]
            for name in levels}
    assert held == {"soa": [("credit", "credit row 1")], "late": [("credit", "credit"), ("credit cap", "credit cap")]}
    assert all("line" not in line for name in levels for p in levels[name]["pending"] for line in p["lines"])
