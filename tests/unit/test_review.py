"""The review scorecard (tools/review.py, `slarules report --review`) on the workplace
outsourcing example, whose figures tests/test_rulesets.py computes by hand: its
quarterly business review of October to December 2026 shows the November late
report (as a miss of ticket_resolution, 6,000.00, and a EUR 2,500 credit of
user_satisfaction: 8,500.00), the December miss still in cure, and the next review
due in April 2027; the monthly review of June shows the termination right."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from slarules import SlaError, Source, compile_source, read_history
from slarules.interfaces.cli import main
from slarules.tools import review

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "review"
RULESET = ROOT / "rulesets" / "workplace_outsourcing.sla"
DATA = ROOT / "rulesets" / "workplace_outsourcing.csv"


def program_and_history():
    program = compile_source(Source("rulesets/workplace_outsourcing.sla", RULESET.read_text(encoding="utf-8")))
    return program, read_history(program, DATA)


def card(wanted: str, as_of: str | None = None) -> review.Scorecard:
    program, history = program_and_history()
    return review.scorecard(program, history, wanted, as_of)


def test_the_business_review_matches_its_golden_table_and_json(golden):
    business = card("business")
    golden(review.to_text(business), GOLDEN / "business_review.txt")
    golden(json.dumps(review.to_data(business), indent=2) + "\n", GOLDEN / "business_review.json")


def test_the_business_review_looks_at_the_last_quarter_and_says_when_the_next_is_due():
    business = card("quarterly")
    assert (business.first, business.last) == ("2026-10", "2026-12")
    # November: ticket_resolution 6,000.00 (late: counted as a miss) + EUR 2,500 late-report credit.
    assert business.totals.credits == 8500
    assert [(r.period, r.input) for r in business.late_reports] == [
        ("2026-11", name) for name in ("scheduled_minutes", "outage_minutes", "tickets_resolved", "resolved_in_8h",
                                       "survey_score")]
    assert business.open_cures == (("user_satisfaction", "2026-12", "2027-01"),)
    assert (business.next_window, business.next_due) == (("2027-01", "2027-03"), "2027-04")
    assert [level.accountable for level in business.levels] == ["vendor"] * 3


def test_the_operational_review_of_june_shows_the_termination_right():
    june = card("operational", as_of="2026-06")
    assert (june.first, june.last, june.next_due) == ("2026-06", "2026-06", "2026-08")
    assert [(r.period, r.accountable) for r in june.rights] == [("2026-06", "vendor")]
    assert june.totals.credits == 6000  # tickets 78%: 6% of 100,000.00
    assert june.open_cures == ()  # May's satisfaction miss is cured in June


def test_the_annual_review_of_targets_covers_the_contract_year():
    year = card("review of targets")
    assert (year.first, year.last, year.totals.credits) == ("2026-01", "2026-12", 42000)
    # ticket_resolution went from 95% in January to 93.5% in December: worse.
    assert {level.name: level.trend for level in year.levels}["ticket_resolution"] == "worse"


def test_a_review_the_ruleset_does_not_schedule_or_cannot_fill_is_sla320(golden):
    found = []
    for wanted, as_of in (("weekly", None), ("review", None), ("business", "2026-02")):
        with pytest.raises(SlaError) as info:
            card(wanted, as_of)
        found += info.value.diagnostics
    assert {d.code for d in found} == {"SLA320"}
    golden("".join(d.render() + "\n" for d in found), GOLDEN / "errors.expected")


def test_the_command_prints_the_scorecard_or_writes_the_page(tmp_path, capsys):
    assert main(["report", str(RULESET), str(DATA), "--review", "business", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["next_review"]["due"] == "2027-04"
    page = tmp_path / "review.html"
    assert main(["report", str(RULESET), str(DATA), "--review", "business", "--format", "html",
                 "--out", str(page)]) == 0
    assert "quarterly business review" in page.read_text(encoding="utf-8")
    assert main(["report", str(RULESET), str(DATA)]) == 2  # neither --out nor --review
