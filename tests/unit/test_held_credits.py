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
from slarules.engine.state import checksum

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


def as_saved_before_clauses(path):
    """The state at `path` as slarules wrote it before held lines named their clause: each
    gave its clause's line in RULESET instead (and the checksum covered that)."""
    data = json.loads(path.read_text())
    del data["checksum"]
    for level in data["service_levels"].values():
        for pending in level["pending"]:
            for line in pending["lines"]:
                line["line"] = line_of(RULESET, {"credit row 1": "below 50%", "credit": "per ticket",
                                                 "credit cap": "at most 5%"}[line.pop("clause")])
    path.write_text(json.dumps({**data, "checksum": checksum(data)}))


@pytest.mark.parametrize("edited", [RULESET, RULESET.replace("\n\n", "\n")])
def test_a_state_saved_with_held_lines_still_loads(tmp_path, edited):
    path = bill_january(tmp_path)
    as_saved_before_clauses(path)
    with program(edited).billing_run(path) as run:
        february = run.evaluate(month("2026-02", "40")).periods[0]
    # The money is what the state held (1,000.00 + 1,400.00 - 900.00, as above), whatever the lines.
    assert february.totals.credits == Decimal("1500.00")
    held = [line.clause.line for line in february.lines if "missed in 2026-01" in line.explanation]
    if edited == RULESET:  # its clauses are where the lines say: cited exactly as before
        assert held == [line_of(RULESET, "below 50%"), line_of(RULESET, "per ticket"), line_of(RULESET, "at most 5%")]
    else:  # late's lines 14 and 15 are past the end of the 13-line file: the clause of the line's kind (soa's
        # line 9 is now its other row's: a line cannot say which clause it meant once the file was edited)
        assert held[1:] == [line_of(edited, "per ticket"), line_of(edited, "at most 5%")]
    # Saved back, each held line of February names its clause.
    saved = json.loads(path.read_text())["service_levels"]
    assert [line["clause"] for p in saved["late"]["pending"] for line in p["lines"]] == ["credit", "credit cap"]


def test_a_held_credit_is_priced_and_capped_at_the_fee_of_the_month_of_the_miss():
    """Found by the fairness property (bounded caps, generated rulesets, varying fees): the held
    credit is assessed in the month of the miss, at that month's fee, and its cap is that month's.

    late (at most 3 tickets): USD 200 per ticket above 3, at most 5% of the fee. January, fee
    10,000.00, 10 tickets: 7 above = 1,400.00, cut by the cap of 500.00 (5% of 10,000.00), held.
    February, fee 100.00, also missed (held in its turn): January's window closes unmet and
    charges January's 500.00, though 5% of February's fee would be 5.00."""
    from slarules.formats.kpi_data import history_from_mapping

    terms = program(RULESET)
    history = history_from_mapping(terms, {"2026-01": {"fee": "10000", "sl": "90", "late": "10"},
                                           "2026-02": {"fee": "100", "sl": "90", "late": "10"}})
    february = terms.evaluate(history).periods[1]
    late = [(line.kind, line.amount) for line in february.lines if line.service_level == "late"]
    assert late == [("credit", Decimal("1400.00")), ("credit cap", Decimal("-900.00"))]
    assert february.totals.credits == Decimal("500.00")
