"""Allowances that are a share of another input (`target: at most 3% of opened`,
`credit: USD 8 per ticket above 3% of opened`) and the nouns a contract counts in
(`per ticket resolved late`), end to end: parse, check, fmt and printer round trip,
evaluate (hand-computed money), explain and verify.

The rulesets and data are in tests/golden/allowances/; each outcome is also pinned
as a golden table, and each amount below is worked out by hand from the wording.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from slarules import SlaError, Source, check, compile_source, parse, read_history
from slarules.formats.kpi_data import parse_history
from slarules.formats.report import to_text
from slarules.language.fmt import format_source
from slarules.language.printer import to_source
from slarules.tools.explain import explain
from slarules.tools.htmlreport import credit_curve
from slarules.tools.verify import verify

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "allowances"
CASES = ("late_tickets", "resolved_in_time", "missed_responses")


def source(stem: str) -> Source:
    return Source(f"golden/allowances/{stem}.sla", (GOLDEN / f"{stem}.sla").read_text(encoding="utf-8"))


def outcome(stem: str):
    program = compile_source(source(stem))
    return program.evaluate(read_history(program, GOLDEN / f"{stem}.csv"))


def credits_by_period(stem: str) -> dict[str, tuple[str, Decimal]]:
    return {p.period: (p.results[0].status, p.totals.credits) for p in outcome(stem).periods}


def test_late_tickets_beyond_three_percent_of_those_opened():
    # target: at most 3% of opened; USD 8 per whole ticket above it; at most 5% of 10,000.00 = 500.00.
    assert credits_by_period("late_tickets") == {
        "2026-01": ("met", Decimal("0.00")),      # 30 of 1,000: exactly on the allowance of 30
        "2026-02": ("missed", Decimal("8.00")),   # 31 of 1,000: 1 above: 1 x 8
        "2026-03": ("met", Decimal("0.00")),      # 30 of 1,010: the allowance is 30.3
        "2026-04": ("missed", Decimal("0.00")),   # 31 of 1,010: 0.7 above, no whole ticket: missed, nothing owed
        "2026-05": ("missed", Decimal("8.00")),   # 32 of 1,010: 1.7 above, 1 whole ticket: 8
        "2026-06": ("met", Decimal("0.00")),      # none opened, none late: 0 is at most 0
        "2026-07": ("missed", Decimal("24.00")),  # none opened, 3 late: the allowance is 0, 3 x 8
        "2026-08": ("missed", Decimal("16.00")),  # opened not reported: its default 0, 2 late: 2 x 8
        "2026-09": ("missed", Decimal("500.00")),  # 200 of 2,000: 140 above 60: 1,120.00, capped at 500.00
    }


def test_the_mirror_at_least_97_percent_resolved_part_tickets_count_as_whole():
    # target: at least 97% of opened; USD 50 per ticket below it, a part ticket counting as a whole one.
    assert credits_by_period("resolved_in_time") == {
        "2026-01": ("met", Decimal("0.00")),      # 970 of 1,000: exactly on 970
        "2026-02": ("missed", Decimal("50.00")),  # 969: 1 below: 50
        "2026-03": ("met", Decimal("0.00")),      # 980 of 1,010: the allowance is 979.7
        "2026-04": ("missed", Decimal("50.00")),  # 979 of 1,010: 0.7 below, counted as 1: 50
        "2026-05": ("met", Decimal("0.00")),      # none opened, none resolved: 0 is at least 0
    }


def test_missed_responses_pro_rata_and_a_base_that_counts_as_a_miss():
    # target: below 2% of offered; USD 20 per missed response above it, pro rata; cap 10% of 10,000.00.
    assert credits_by_period("missed_responses") == {
        "2026-01": ("met", Decimal("0.00")),       # 19 of 1,000: below 20
        "2026-02": ("missed", Decimal("0.00")),    # 20 of 1,000: not below 20, but 0 above it
        "2026-03": ("missed", Decimal("14.00")),   # 21 of 1,015: 0.7 above 20.3: 0.7 x 20
        "2026-04": ("missed", Decimal("1000.00")),  # offered not reported, counts as a miss: the cap
    }


@pytest.mark.parametrize("stem", CASES)
def test_outcome_table_matches_its_golden(stem, golden):
    golden(to_text(outcome(stem)), GOLDEN / f"{stem}.txt")


@pytest.mark.parametrize("stem", CASES)
def test_explanation_matches_its_golden(stem, golden):
    golden(explain(parse(source(stem))), GOLDEN / f"{stem}.explain.txt")


@pytest.mark.parametrize("stem", CASES)
def test_checks_clean_and_prints_back_to_the_same_tree(stem):
    tree = parse(source(stem))
    assert check(tree) == []
    printed = to_source(tree)
    again = parse(Source("printed.sla", printed))
    assert again == tree
    assert to_source(again) == printed


def test_fmt_keeps_the_noun_and_its_plural_as_written():
    text = format_source(source("late_tickets"))
    assert "per ticket resolved late above 3% of opened" in text
    assert "only whole tickets resolved late count" in text
    assert "target: at most 3% of opened" in text


def test_the_allowance_is_explained_in_words_with_a_worked_example():
    text = " ".join(explain(parse(source("late_tickets"))).split())
    assert ("At most 3% of opened, worked out each month from that month's opened (the allowance); lower is "
            "better. For example, for 1,000 opened the allowance is 30: 30 meets the target and 31 misses it."
            in text)
    assert "for 1,010 opened the allowance is 30.3: 30 meets the target and 31 misses it." in text
    assert "In a month in which opened is 0 the allowance is 0" in text
    assert "If opened is not reported, its default of 0 is used." in text
    assert ("at 32 the value is 1.7 tickets resolved late above it, counted as 1: USD 8" in text)


def test_the_noun_is_used_in_the_line_explanation():
    lines = [line for line in outcome("late_tickets").lines if line.period == "2026-05"]
    assert lines[0].explanation == (
        "late_tickets 32 missed target at most 3% of opened (30.3); 1 ticket resolved late above 3% of opened "
        "(30.3) (only whole tickets resolved late count) × USD 8.00 = 8.00")


@pytest.mark.parametrize("stem", CASES)
def test_verify_finds_every_invariant_held(stem):
    program = compile_source(source(stem))
    report = verify(program, effort="quick")
    assert [c.name for c in report.checks if c.status == "violated"] == []


# ---------------------------------------------------------------- nouns of one or more words

NOUN_RULESET = '''contract "Nouns" currency USD, starts 2026-01
inputs
  fee     money
  missed  count "responses not given in time"
service level responses
  measured as missed
  target: at most 5
  credit: USD 20 per missed response above 5, {rounding}, at most 10% of fee
'''


@pytest.mark.parametrize("rounding, plural", [("only whole missed responses count", "missed responses"),
                                              ("part missed responses count as whole", "missed responses"),
                                              ("pro rata", "missed responses")])
def test_a_two_word_noun_reads_with_the_side_word_after_it(rounding, plural):
    text = NOUN_RULESET.format(rounding=rounding)
    tree = parse(Source("n.sla", text))
    assert check(tree) == []
    form = tree.service_levels[0].credit.form
    assert (form.step_unit, form.side) == ("missed response", "above")
    assert to_source(tree).count(f"per missed response above 5, {rounding}") == 1
    explained = " ".join(explain(tree).split())
    # 7 missed is 2 above 5: 2 x USD 20 (the whole-count example explain picks for a count).
    assert f"at 7 the value is 2 {plural} above 5" in explained


def test_the_counting_phrase_states_a_plural_that_is_not_formed_on_the_last_word():
    text = NOUN_RULESET.replace("per missed response above 5, {rounding}",
                                "per ticket resolved late above 5, only whole tickets resolved late count")
    tree = parse(Source("n.sla", text))
    assert check(tree) == []
    assert "only whole tickets resolved late counting" in " ".join(explain(tree).split())
    program = compile_source(Source("n.sla", text))
    history = parse_history(program, Source("n.csv", "period,fee,missed\n2026-01,1000,6\n2026-02,1000,8\n"))
    lines = program.evaluate(history).lines
    # 6 is 1 above 5: USD 20 for 1 ticket resolved late; 8 is 3 above: 3 x 20 = 60.00.
    assert [str(line.amount) for line in lines] == ["20.00", "60.00"]
    assert "1 ticket resolved late above 5" in lines[0].explanation
    assert "3 tickets resolved late above 5" in lines[1].explanation


def test_a_counting_phrase_in_the_singular_names_the_same_noun():
    text = NOUN_RULESET.format(rounding="only whole missed response count")
    assert check(parse(Source("n.sla", text))) == []


@pytest.mark.parametrize("clause", ["measured only when missed is at least 3% of fee",
                                    "credit by range:\n    above 3% of fee: 1% of fee"])
def test_a_share_where_only_a_fixed_number_goes_names_the_accepted_form(clause):
    text = NOUN_RULESET.format(rounding="pro rata").replace("  target: at most 5\n", f"  target: at most 5\n  {clause}\n")
    with pytest.raises(SlaError) as info:
        parse(Source("n.sla", text))
    assert info.value.diagnostics[0].code == "SLA011"


@pytest.mark.parametrize("credit, message", [
    ("credit: the shortfall in points as a percentage of fee", "is worked out each period"),
    ("credit: USD 8 per ticket above 2% of opened, only whole tickets count", "on the met side"),
    ("credit: USD 8 per ticket above 3% of other, only whole tickets count", "a share of 'other'"),
])
def test_a_share_target_is_kept_throughout_the_service_level(credit, message):
    text = ('contract "A" currency USD, starts 2026-01\ninputs\n  fee money\n  opened count\n  other count\n'
            f"  late count\nservice level s\n  measured as late\n  target: at most 3% of opened\n  {credit}\n")
    found = [d for d in check(parse(Source("a.sla", text))) if d.code == "SLA238"]
    assert len(found) == 1 and message in found[0].message


def test_year_average_earn_back_needs_a_fixed_target():
    text = ('contract "A" currency USD, starts 2026-01\ninputs\n  fee money\n  opened count\n  late count\n'
            "service level s\n  measured as late\n  target: at most 3% of opened\n  credit: 1% of fee\n"
            "  earn back: 100% of its credits when the contract year average meets the target\n")
    assert [d.code for d in check(parse(Source("a.sla", text))) if d.is_error] == ["SLA238"]


def test_a_missing_base_counted_as_a_miss_needs_a_capped_per_unit_credit():
    text = ('contract "A" currency USD, starts 2026-01\ninputs\n  fee money\n  opened count, missing counts as a '
            "miss\n  resolved count\nservice level s\n  measured as resolved\n  target: at least 97% of opened\n"
            "  credit: USD 50 per ticket below 97% of opened, part tickets count as whole\n")
    assert [d.code for d in check(parse(Source("a.sla", text))) if d.is_error] == ["SLA215"]


def test_the_report_curve_marks_the_allowance_of_a_typical_period():
    program = compile_source(source("late_tickets"))
    curve = credit_curve(program, read_history(program, GOLDEN / "late_tickets.csv"), "late_tickets")
    # The median of opened over the months that report it (0, 0, 1,000, 1,000, 1,010, 1,010, 1,010,
    # 2,000) is 1,005: the allowance there is 3% of 1,005 = 30.15.
    assert curve.target == Decimal("30.15")


def test_a_share_of_a_count_against_a_percentage_kpi_suggests_the_plain_percentage():
    text = ('contract "C" currency USD, starts 2026-01\ninputs\n  fee money\n  opened count\n  late count\n'
            "service level s\n  measured as late / opened, in percent\n  target: at most 3% of opened\n"
            "  credit: 1% of fee\n")
    [found] = [d for d in check(parse(Source("c.sla", text))) if d.is_error]
    assert found.code == "SLA237" and "'3% of opened' is a count, but 's' is measured in percent" in found.message
    assert found.notes[-1] == "a KPI measured in percent compares with a plain percentage: write '3%'"
