"""Explain pass: every construct of the language has its plain-English clause,
ending with its source reference, and the subtle points of the semantics are
said in words.

Each example ruleset in rulesets/ is compared as a whole with its golden
explanation (tests/golden/explain/); the small rulesets below pin the exact
sentence of one construct at a time. The sentences were checked against
compile.py and evaluate.py, not just copied from the output.
"""
from __future__ import annotations

import html.parser
import re
from pathlib import Path

import pytest

from slarules import Source, check, parse
from slarules.tools.explain import FORMATS, document, explain

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted((ROOT / "rulesets").glob("*.sla"))
GOLDEN = ROOT / "tests" / "golden" / "explain"
MARKS = re.compile("[\x01-\x04]")

HEADER = 'contract "T" currency USD, assessed monthly, rounding half up to cents, starts 2026-01\n'
INPUTS = """
inputs
  fee       money
  calls     count
  answered  count
  sl        percent
  wait      seconds
  score     score
"""


def source(path: Path) -> Source:
    """Named from the repository root, as tests/test_rulesets.py names them."""
    return Source(f"rulesets/{path.name}", path.read_text(encoding="utf-8"))


def ruleset(body: str, header: str = HEADER, inputs: str = INPUTS):
    """Parse a small ruleset and insist it checks without an error, so every
    sentence tested here is about a ruleset the language accepts."""
    tree = parse(Source("t.sla", header + inputs + body))
    errors = [d.render() for d in check(tree) if d.is_error]
    assert errors == []
    return tree


def clauses(tree) -> dict[str, str]:
    """Clause number -> `Heading. Body [refs]`, as the text format prints it (unwrapped)."""
    return {c.number: MARKS.sub("", f"{c.heading}. {c.body} [{', '.join(c.refs)}]")
            for part in document(tree).parts for c in part.clauses}


def find(tree, heading: str) -> str:
    """The one clause whose heading starts with `heading`."""
    found = [text for text in clauses(tree).values() if text.startswith(heading + ".")]
    assert len(found) == 1, (heading, list(clauses(tree).values()))
    return found[0]


# ---------------------------------------------------------------- the examples, whole

@pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])
def test_every_example_ruleset_matches_its_golden_explanation(path, golden):
    golden(explain(parse(source(path))), GOLDEN / f"{path.stem}.txt")


@pytest.mark.parametrize("fmt, suffix", [("markdown", ".md"), ("html", ".html")])
def test_the_contact_center_example_matches_its_golden_markdown_and_html(fmt, suffix, golden):
    path = ROOT / "rulesets" / "acme_contact_center.sla"
    golden(explain(parse(source(path)), fmt), GOLDEN / f"acme_contact_center{suffix}")


@pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])
def test_every_clause_ends_with_its_source_line_or_says_it_is_a_default(path):
    tree = parse(source(path))
    for part in document(tree).parts:
        for clause in part.clauses:
            assert clause.refs, clause.number
            for ref in clause.refs:
                assert re.fullmatch(rf"(contract clause .+, )?rulesets/{path.name}:\d+"
                                    rf"|default; not stated in rulesets/{path.name}", ref)


@pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])
def test_a_clause_reference_points_at_the_line_that_states_it(path):
    """The source line a clause cites holds the keyword of its construct."""
    tree = parse(source(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    keyword = {"Measurement": "measured as", "Minimum volume": "measured only when", "Target": "target:",
               "Service credit": "credit", "Bonus": "bonus", "Condition on the bonus": "bonus only if",
               "Cure period": "cure", "Free passes": "free passes", "Earn-back": "earn back",
               "Allocation": "allocation:", "Amount at risk": "at risk", "Netting": "bonuses"}
    for part in document(tree).parts:
        for clause in part.clauses:
            heading = MARKS.sub("", clause.heading)
            if heading in keyword and not clause.refs[0].startswith("default"):
                line = lines[int(clause.refs[0].rsplit(":", 1)[1]) - 1]
                assert keyword[heading] in line, (clause.number, line)


def test_every_service_level_clause_is_explained_once():
    path = ROOT / "rulesets" / "acme_contact_center.sla"
    tree = parse(source(path))
    numbers = clauses(tree)
    for i, sl in enumerate(tree.service_levels, 1):
        own = [n for n in numbers if n.startswith(f"3.{i}.")]
        assert len(own) == len(sl.clauses), sl.name.text


# ---------------------------------------------------------------- header

def test_header_terms_each_have_a_clause_with_their_line():
    tree = ruleset("service level s measured as sl target: at least 80%\n")
    text = clauses(tree)
    assert text["1.1"] == "Currency. All amounts are in USD. [t.sla:1]"
    assert text["1.2"] == ("Rounding. Each credit, bonus, cap, earn-back and forfeit is worked out exactly and "
                           "rounded once, where it is worked out, to the nearest cent (0.01 USD), an amount exactly "
                           "halfway rounded up. Totals are the plain sums of those rounded amounts and are not "
                           "rounded again. [t.sla:1]")
    assert text["1.3"] == ("Assessment period. Performance is assessed monthly: every service level is measured, and "
                           "every credit and bonus is worked out, for each calendar month. [t.sla:1]")
    assert text["1.4"] == ("Start and contract years. The contract starts in January 2026. Contract year 1 runs from "
                           "January 2026 to December 2026, and each later contract year is the twelve months after "
                           "the one before. Terms stated per contract year run by these years, not by calendar "
                           "years. [t.sla:1]")


def test_terms_left_unsaid_are_stated_as_defaults():
    tree = ruleset("service level s measured as sl target: at least 80%\n",
                   header='contract "T" starts 2026-07, currency EUR\n')
    text = clauses(tree)
    assert text["1.2"].startswith("Rounding. The ruleset states no rounding, so the default applies.")
    assert text["1.2"].endswith("[default; not stated in t.sla]")
    assert text["1.3"].startswith("Assessment period. The ruleset states no assessment period, so the default "
                                  "applies. Performance is assessed monthly")
    assert "Contract year 1 runs from July 2026 to June 2027" in text["1.4"]


@pytest.mark.parametrize("rounding, currency, words", [
    ("rounding half even", "EUR", "to the nearest cent (0.01 EUR), an amount exactly halfway rounded to the even "
                                  "one (banker's rounding)"),
    ("rounding half down", "EUR", "to the nearest cent (0.01 EUR), an amount exactly halfway rounded down"),
    ("rounding up", "EUR", "up to the cent (0.01 EUR): any part of a cent counts as a whole one"),
    ("rounding down to whole units", "EUR", "down to whole EUR: any part of a whole EUR is dropped"),
    ("rounding half up", "JPY", "to the nearest whole JPY, an amount exactly halfway rounded up"),
    ("rounding half up", "BHD", "to the nearest 0.001 BHD, an amount exactly halfway rounded up"),
])
def test_each_rounding_mode_and_minor_unit_in_words(rounding, currency, words):
    tree = ruleset("service level s measured as sl target: at least 80%\n",
                   header=f'contract "T" currency {currency}, {rounding}, starts 2026-01\n')
    assert f"rounded once, where it is worked out, {words}. Totals" in clauses(tree)["1.2"]


def test_a_quarterly_contract_speaks_of_quarters():
    tree = ruleset("at risk: 10% of fee each quarter\n"
                   "service level s measured as sl target: at least 80%\n  credit: 1% of fee\n  cure: within 6 months\n"
                   "credits in any 12 months at most 5% of fee in those months\n",
                   header='contract "T" currency USD, assessed quarterly, starts 2026-01\n')
    text = clauses(tree)
    assert "for each calendar quarter (January to March, April to June, July to September, October to December)" \
        in text["1.3"]
    assert "it opens a cure window of 6 months (2 quarters). If s is met in any of the 2 quarters after the miss" \
        in find(tree, "Cure period")
    assert find(tree, "Limit on credits over several quarters").startswith(
        "Limit on credits over several quarters. Over any 12 consecutive months (4 quarters), credits together "
        "never exceed 5% of the fee of those quarters. In each quarter the window is the 4 quarters ending with it")


# ---------------------------------------------------------------- inputs

def test_an_input_no_term_reads_is_said_to_be_unused():
    tree = ruleset("service level s measured as sl target: at least 80%\n")
    assert clauses(tree)["2.1"] == "fee. An amount of money in USD; required. No term below uses it. [t.sla:4]"


def test_each_missing_data_rule_of_an_input():
    tree = ruleset("service level s measured as sl target: at least 80%\n  credit: 1% of fee\n"
                   "service level t measured as n target: at most 5\n  measured only when calls is at least 1\n",
                   inputs='inputs\n  fee money "fees invoiced"\n  calls count, default 0\n'
                          '  sl percent, missing counts as a miss\n  n ratio\n')
    text = clauses(tree)
    assert text["2.1"] == "fee. \u201cfees invoiced\u201d: an amount of money in USD; required. [t.sla:3]"
    assert text["2.2"] == "calls. A count. If it is not reported for a month, 0 is used. [t.sla:4]"
    assert text["2.3"] == ("sl. A percentage. If it is not reported for a month, that is not an error: the service "
                           "level that reads it, s (3.1), counts as missed that month, and its credit is the most "
                           "its clause allows. [t.sla:5]")


# ---------------------------------------------------------------- measurement, volume, target

@pytest.mark.parametrize("measured, target, expected", [
    ("answered / calls, in percent", "5%", "Measured each month as answered divided by calls, as a percentage."),
    ("sl", "5%", "Measured each month as the reported value of sl, a percentage."),
    ("wait", "20 seconds", "Measured each month as the reported value of wait, in seconds."),
    ("(calls - answered) / (calls + 1) * 100", "5%",
     "Measured each month as ((calls minus answered) divided by (calls plus 1)) times 100, a percentage."),
    # A count minus a count is a count (issue 10.1: it was called whatever its target's unit was).
    ("calls - answered - 1", "5", "Measured each month as calls minus answered minus 1, a count."),
    ("(calls - answered) / calls", "0.05", "Measured each month as (calls minus answered) divided by calls, a ratio."),
])
def test_measurement_reads_left_to_right_without_ambiguity(measured, target, expected):
    tree = ruleset(f"service level s measured as {measured}\n  target: at most {target}\n  "
                   "measured only when calls is at least 1\n")
    assert find(tree, "Measurement").startswith(f"Measurement. {expected}")


def test_a_division_the_contract_leaves_unguarded_is_pointed_out():
    unguarded = ruleset("service level s measured as answered / calls, in percent\n  target: at least 80%\n")
    assert find(unguarded, "Measurement") == (
        "Measurement. Measured each month as answered divided by calls, as a percentage. In a month in which calls "
        "is zero the value cannot be worked out, and the ruleset gives no rule for it: such a month cannot be "
        "assessed unless it is excluded for this service level. [t.sla:10]")
    guarded = ruleset("service level s measured as answered / calls, in percent\n  target: at least 80%\n"
                      "  measured only when calls is at least 500\n")
    assert "cannot be worked out" not in find(guarded, "Measurement")


def test_minimum_volume_says_what_an_unmeasured_month_is():
    tree = ruleset("service level s measured as answered / calls, in percent\n  target: at least 80%\n"
                   "  measured only when calls is at least 500\n  credit: 1% of fee\n  cure: within 1 month\n"
                   "terminate when s is missed 3 months in a row\n")
    assert find(tree, "Minimum volume") == (
        "Minimum volume. Measured only in months in which calls is at least 500. In any other month, s is not "
        "measured: it is neither met nor missed and carries no credit and no bonus. Such a month is not a miss "
        "toward termination and does not interrupt a run of misses; it neither cures an open cure window nor "
        "extends it. [t.sla:12]")


@pytest.mark.parametrize("target, expected", [
    ("at least 80%", "At least 80%; higher is better. The target is met by a value of 80% or more, so exactly 80% "
                     "meets it, and missed by any value below 80%: 79.99% misses it."),
    ("above 99.95%", "Above 99.95%; higher is better. The target is met only by a value above 99.95%: exactly "
                     "99.95% misses it, 99.951% meets it."),
    ("at most 5%", "At most 5%; lower is better. The target is met by a value of 5% or less, so exactly 5% meets "
                   "it, and missed by any value above 5%: 5.01% misses it."),
    ("below 5%", "Below 5%; lower is better. The target is met only by a value below 5%: exactly 5% misses it, "
                 "4.99% meets it."),
])
def test_the_target_says_on_which_side_the_boundary_falls(target, expected):
    tree = ruleset(f"service level s measured as sl target: {target}\n")
    assert find(tree, "Target") == (f"Target. {expected} Values are compared exactly as measured, without "
                                     "rounding. [t.sla:10]")


# ---------------------------------------------------------------- credits and bonuses

def test_most_severe_row_says_only_the_furthest_row_applies():
    tree = ruleset("service level s measured as sl target: at least 80%\n"
                   "  credit, the most severe row applies:\n    below 80%: 2% of fee\n    below 75%: 5% of fee\n"
                   "    below 70%: 10% of fee\n")
    assert find(tree, "Service credit") == (
        "Service credit. If the target is missed, the vendor owes the client the service credit of the most "
        "severe row that applies: below 80%, 2% of fee; below 75%, 5% of fee; below 70%, 10% of fee. Of the rows "
        "whose band contains the value, only the one furthest from the target applies; rows are never added "
        "together. For example, 72.5% falls in the rows \u201cbelow 80%\u201d and \u201cbelow 75%\u201d; only the "
        "more severe applies: 5% of fee. [t.sla:11]")


def test_best_row_and_the_dead_band_between_target_and_first_bonus():
    tree = ruleset("service level s measured as sl target: at least 80%\n"
                   "  bonus, the best row applies:\n    at least 85%: 1% of fee\n    at least 90%: 2% of fee\n")
    assert find(tree, "Bonus") == (
        "Bonus. In a month in which the target is met, the client owes the vendor the bonus of the best row that "
        "applies: at least 85%, 1% of fee; at least 90%, 2% of fee. Of the rows whose band contains the value, only "
        "the one furthest beyond the target applies; rows are never added together. For example, 91% falls in the "
        "rows \u201cat least 85%\u201d and \u201cat least 90%\u201d; only the better applies: 2% of fee. A value "
        "from 80% to below 85% meets the target but earns no bonus. A month in which s is missed, waived, excluded "
        "or not measured earns no bonus. [t.sla:11]")


def test_ranges_are_spelled_out_with_their_ends():
    tree = ruleset("service level s measured as wait target: at most 40 seconds\n"
                   "  credit by range:\n    above 40 to 45 seconds: 1% of fee\n"
                   "    above 45 to 50 seconds: 2% of fee\n    above 50 seconds: 4% of fee\n")
    assert find(tree, "Service credit") == (
        "Service credit. If the target is missed, the vendor owes the client the service credit of the one row whose "
        "range contains the value: above 40 seconds up to 45 seconds inclusive, 1% of fee; above 45 seconds up to 50 "
        "seconds inclusive, 2% of fee; above 50 seconds, 4% of fee. The ranges do not overlap, so no value falls in "
        "two rows. [t.sla:11]")
    closed = ruleset("service level s measured as sl target: at least 80%\n"
                     "  credit by range:\n    from 75 to below 80%: 1% of fee\n    below 75%: 3% of fee\n"
                     "  bonus by range:\n    from 85 to 90%: 1% of fee\n    above 90%: 2% of fee\n")
    assert ("the one row whose range contains the value: from 75% to below 80%, 1% of fee; below 75%, 3% of fee."
            ) in find(closed, "Service credit")
    assert find(closed, "Bonus").startswith(
        "Bonus. In a month in which the target is met, the client owes the vendor the bonus of the one row whose "
        "range contains the value: from 85% to 90% inclusive, 1% of fee; above 90%, 2% of fee. The ranges do not "
        "overlap, so no value falls in two rows. A value from 80% to below 85% meets the target but earns no bonus.")


def test_flat_and_single_row_forms():
    tree = ruleset("service level s measured as sl target: at least 80%\n  credit: below 75%: USD 1,500\n"
                   "  bonus: 1% of fee\n")
    assert find(tree, "Service credit") == (
        "Service credit. If the target is missed and the value is below 75%, the vendor owes the client a service "
        "credit of USD 1,500. A value from 75% to below 80% misses the target but carries no credit. [t.sla:11]")
    assert find(tree, "Bonus").startswith(
        "Bonus. In a month in which the target is met, the client owes the vendor a bonus of 1% of fee, whatever "
        "the margin.")
    flat = ruleset("service level s measured as sl target: at least 80%\n  credit: 5% of fee\n")
    assert find(flat, "Service credit") == (
        "Service credit. If the target is missed, the vendor owes the client a service credit of 5% of fee, "
        "whatever the size of the miss. [t.sla:11]")


def test_part_points_count_as_whole_with_a_worked_example_and_the_cap_as_its_own_line():
    tree = ruleset("service level s measured as sl target: at most 5%\n"
                   "  credit: 1% of fee per point above 5%, part points count as whole, at most 4% of fee\n")
    assert find(tree, "Service credit") == (
        "Service credit. If the target is missed, the vendor owes the client 1% of fee for each percentage point by "
        "which the value is above 5%, a part of a percentage point counting as a whole one. For example, at 6.2% "
        "the value is 1.2 points above 5%, counted as 2 points: 2% of fee. The credit for a month is at most 4% of "
        "fee: if the amount worked out is more, a separate line reduces it to that cap, so both figures are shown. "
        "[t.sla:11]")


def test_only_whole_units_leaves_a_dead_band_and_a_step_counts_in_steps():
    tree = ruleset("service level s measured as wait target: at most 30 seconds\n"
                   "  credit: USD 250 per 10 seconds above 30 seconds, only whole seconds count\n")
    assert find(tree, "Service credit") == (
        "Service credit. If the target is missed, the vendor owes the client USD 250 for each 10 seconds by which "
        "the value is above 30 seconds, only whole steps of 10 seconds counting (a part of a step is dropped). For "
        "example, at 42 seconds the value is 12 seconds above 30 seconds, 1.2 steps of 10 seconds, counted as 1 "
        "step: USD 250. A value above 30 seconds and below 40 seconds misses the target but carries no credit. "
        "[t.sla:11]")


def test_pro_rata_bonus_per_unit_beyond_the_target():
    tree = ruleset("service level s measured as wait target: at most 30 seconds\n"
                   "  bonus: USD 100 per second below 30 seconds, pro rata\n")
    assert find(tree, "Bonus") == (
        "Bonus. In a month in which the target is met, the client owes the vendor USD 100 for each second by which "
        "the value is below 30 seconds, a part of a second counting in proportion. For example, at 28.8 seconds the "
        "value is 1.2 seconds below 30 seconds: USD 120. A value of exactly 30 seconds meets the target but earns "
        "no bonus. A month in which s is missed, waived, excluded or not measured earns no bonus. [t.sla:11]")


def test_a_score_counts_in_units_and_a_worked_example_is_cut_to_its_cap():
    tree = ruleset("service level s measured as score target: at least 4.2\n"
                   "  credit: 2% of fee per unit below 4.2, part units count as whole, at most 3% of fee\n")
    assert ("For example, at 3 the value is 1.2 units below 4.2, counted as 2 units: 4% of fee, cut to the cap of "
            "3% of fee.") in find(tree, "Service credit")


def test_shortfall_in_points_both_ways_and_its_zero_point():
    higher = ruleset("service level s measured as sl target: at least 97%\n"
                     "  credit: the shortfall in points as a percentage of fee, at most 10% of fee\n")
    assert find(higher, "Service credit") == (
        "Service credit. If the target is missed, the vendor owes the client a percentage of fee equal to the "
        "shortfall: the number of percentage points by which the value is below the target of 97%, a part of a "
        "point counting in proportion. For example, 94.5% is 2.5 points below the target and gives 2.5% of fee. The "
        "credit for a month is at most 10% of fee: if the amount worked out is more, a separate line reduces it to "
        "that cap, so both figures are shown. [t.sla:11]")
    strict = ruleset("service level s measured as sl target: below 3%\n"
                     "  credit: the shortfall in points as a percentage of fee\n")
    text = find(strict, "Service credit")
    assert "by which the value is above the target of 3%" in text
    assert "A value of exactly 3% misses the target but carries no credit." in text


@pytest.mark.parametrize("credit, maximum", [
    ("credit: 5% of fee", "5% of fee"),
    ("credit, the most severe row applies:\n    below 80%: 2% of fee\n    below 70%: 8% of fee",
     "the row furthest from the target, below 70%, 8% of fee"),
    ("credit: USD 500 per point below 80%, part points count as whole, at most USD 3,000", "USD 3,000, its cap"),
    ("credit: USD 500 per point below 80%, pro rata", "the credit for a value of 0%, USD 40,000"),
    ("credit: the shortfall in points as a percentage of fee", "the credit for a value of 0%, 80% of fee"),
])
def test_missing_data_counted_as_a_miss_charges_the_maximum_credit(credit, maximum):
    tree = ruleset(f"service level s measured as q target: at least 80%\n  {credit}\n",
                   inputs="inputs\n  fee money\n  q percent, missing counts as a miss\n")
    assert find(tree, "Service credit").endswith(
        f"In a month in which q is not reported, the target counts as missed and the credit is its maximum: "
        f"{maximum}. [t.sla:6]")
    assert find(tree, "Measurement").endswith("A month in which q (2.2) is not reported counts as a miss. [t.sla:5]")


def test_allocation_is_resolved_to_a_share_of_the_fee():
    tree = ruleset("at risk: 10% of fee each month\n"
                   "critical service level s measured as sl target: at least 99%\n"
                   "  allocation: 40% of the amount at risk\n"
                   "  credit: 50% of the allocation\n"
                   "service level t measured as sl target: at least 99%\n  allocation: 80% of the amount at risk\n"
                   "  credit: 1% of fee\n")
    text = clauses(tree)
    assert text["3.1.3"] == ("Allocation. The allocation of s is 40% of the amount at risk (4.1), that is 4% of fee. "
                             "The service credit below is stated as a share of it. [t.sla:12]")
    assert text["3.1.4"] == ("Service credit. If the target is missed, the vendor owes the client a service credit of "
                             "50% of the allocation (2% of fee), whatever the size of the miss. [t.sla:13]")
    assert text["3.2.3"].endswith("No credit or bonus of this service level refers to it, so it has no effect. "
                                  "[t.sla:15]")
    assert text["4.1"].endswith("It is also the pool from which the allocations of 3.1 and 3.2 are taken; they total "
                                "120% of it, and this cap keeps the credits of a month within the amount at risk "
                                "however many of them are missed. [t.sla:10]")


# ---------------------------------------------------------------- gates and the critical flag

def test_the_three_gates_and_what_withholds_a_bonus():
    tree = ruleset("critical service level a measured as sl target: at least 80%\n  credit: 1% of fee\n"
                   "service level b measured as sl target: at least 80%\n  bonus: 1% of fee\n"
                   "  bonus only if no critical service level is missed\n"
                   "service level c measured as sl target: at least 80%\n  bonus: 1% of fee\n"
                   "  bonus only if all service levels are met\n"
                   "service level d measured as sl target: at least 80%\n  bonus: 1% of fee\n"
                   "  bonus only if a and b are met\n")
    text = clauses(tree)
    assert text["3.2.4"] == (
        "Condition on the bonus. The bonus is paid only in a month in which no critical service level is missed; "
        "the critical one is a (3.1). A critical service level that is waived or excluded that month does not "
        "withhold the bonus. [t.sla:14]")
    assert text["3.3.4"].startswith(
        "Condition on the bonus. The bonus is paid only in a month in which every service level of the contract is "
        "met, those that carry no credit included. A service level that is missed, waived, excluded or not measured "
        "that month withholds it")
    assert text["3.4.4"].startswith(
        "Condition on the bonus. The bonus is paid only in a month in which a (3.1) and b (3.2) are both met.")
    assert text["3.1"] == (
        "a. The service level a, critical. In a month in which it is missed, every bonus paid "
        "only if no critical service level is missed (3.2.4) is withheld. Its target is at least 80% (3.1.2); a "
        "miss can cost a service credit (3.1.3). [t.sla:10]")


def test_a_critical_flag_nothing_turns_on_is_said_to_have_no_effect():
    tree = ruleset("critical service level a measured as sl target: at least 80%\n  credit: 1% of fee\n")
    assert ("That has no effect here: being critical only matters to a bonus paid only if no critical service level "
            "is missed, and this ruleset has none.") in clauses(tree)["3.1"]


# ---------------------------------------------------------------- terms that span periods

def test_cure_says_a_met_period_cures_every_open_window():
    tree = ruleset("service level s measured as sl target: at least 80%\n  credit: 1% of fee\n  cure: within 1 month\n")
    assert find(tree, "Cure period") == (
        "Cure period. A miss is not charged at once: it opens a cure window of 1 month. If s is met in the month "
        "after the miss, the miss is cured and no credit is due for it. If it is not, the credit worked out for the "
        "month of the miss (at that month's value and figures, with its own cap) is charged in the month after the "
        "miss, when the window closes, and counts toward the limits of that month. A met month cures every miss "
        "whose window is still open, not only the oldest. A month in which s is not measured neither cures a miss "
        "nor extends its window; a month excluded for it cures open misses as a met month does. [t.sla:12]")


def test_free_passes_are_warnings_that_still_count_toward_termination():
    tree = ruleset("service level s measured as sl target: at least 80%\n  credit: 1% of fee\n"
                   "  free passes: the first 2 misses in each contract year\n"
                   "terminate when s is missed 3 months in a row\n")
    assert find(tree, "Free passes") == (
        "Free passes. The first 2 misses of s in each contract year are warnings only: no credit is due for them. "
        "They still count as misses toward termination. Unused free passes do not carry over into the next contract "
        "year. A waived miss, or a month excluded for s, uses none. [t.sla:12]")


def test_earn_back_after_a_run_is_worked_out_after_the_caps():
    tree = ruleset("at risk: 10% of fee each month\n"
                   "service level s measured as sl target: at least 80%\n  credit: 1% of fee\n"
                   "  earn back: 50% of its credits after 3 consecutive met months\n")
    assert find(tree, "Earn-back") == (
        "Earn-back. Once s has been met 3 months in a row, 50% of its credits not yet earned back are returned to "
        "the vendor, as a separate line in the third of those months; the other 50% is final. After a return the "
        "count starts again. A month in which s is missed or waived ends the run; a month excluded for it counts "
        "toward the run, as a met one does; a month in which it is not measured neither counts toward the run nor "
        "ends it. Only credits actually charged come back, "
        "worked out after the limits: when the "
        "amount at risk (4.1) cuts a month's credits, each service level's credits that month count in the same "
        "proportion. The return is not itself limited by them. [t.sla:13]")
    assert "Earn-back (3.1.4) is worked out on the credits as capped." in clauses(tree)["4.1"]


def test_earn_back_on_the_contract_year_average():
    tree = ruleset("service level s measured as sl target: at least 80%\n  credit: 1% of fee\n"
                   "  earn back: 100% of its credits when the contract year average meets the target\n")
    assert find(tree, "Earn-back") == (
        "Earn-back. At the end of each contract year, if the average of the values of s in that year meets the "
        "target (at least 80%), all of its credits charged in that contract year are returned to the vendor, as a "
        "separate line in the last month of the contract year. The average is the simple average of the monthly "
        "values, each month weighing the same whatever its volume; months in which it is not measured or is "
        "excluded, and those without a reported value, are left out of it. [t.sla:12]")


# ---------------------------------------------------------------- period-wide terms

def test_caps_are_their_own_lines():
    tree = ruleset("at risk: 12% of fee each month\nbonuses at most 3% of fee each month\n"
                   "service level s measured as sl target: at least 80%\n  credit: 1% of fee\n  bonus: 1% of fee\n")
    assert find(tree, "Amount at risk") == (
        "Amount at risk. The credits of a month, from all service levels together, never exceed 12% of fee for that "
        "month: the amount at risk. If they would, a separate line removes the excess, so each service level's "
        "credit is still shown in full. The cap applies after each service level's own cap; it does not limit "
        "bonuses. [t.sla:10]")
    assert find(tree, "Limit on bonuses") == (
        "Limit on bonuses. The bonuses of a month, from all service levels together, never exceed 3% of fee for that "
        "month. If they would, a separate line removes the excess, so each bonus is still shown in full. The limit "
        "applies before netting (4.3). [t.sla:11]")


def test_no_overall_cap_is_stated_as_such():
    tree = ruleset("service level s measured as sl target: at least 80%\n  credit: 1% of fee\n  bonus: 1% of fee\n")
    text = clauses(tree)
    assert text["4.1"].startswith("No overall cap on credits. The ruleset sets no limit on the credits of a month")
    assert text["4.2"].startswith("No overall limit on bonuses.")
    assert text["4.3"] == (
        "Netting. The ruleset does not say how bonuses meet credits, so the default applies. Bonuses are paid "
        "separately: the credits and the bonuses of a month are each settled in full; a bonus does not reduce a "
        "credit, nor a credit a bonus. [default; not stated in t.sla]")


@pytest.mark.parametrize("netting, expected", [
    ("bonuses offset credits", "Bonuses offset credits: only the net of a month is settled, its credits less any "
                               "credits earned back and less its bonuses. If the net is positive the vendor owes it to "
                               "the client; if negative the client owes it to the vendor."),
    ("bonuses only offset credits", "Bonuses only offset credits: they reduce the credits of the same month but are "
                                    "never paid out. Bonuses above that month's credits, both taken after their "
                                    "limits, are forfeited, as a separate line."),
])
def test_netting_policies(netting, expected):
    tree = ruleset(f"{netting}\nservice level s measured as sl target: at least 80%\n  credit: 1% of fee\n"
                   "  bonus: 1% of fee\n")
    assert find(tree, "Netting") == f"Netting. {expected} [t.sla:10]"


def test_window_caps_rolling_and_contract_year():
    tree = ruleset("credits in any 12 months at most 10% of fee in those months\n"
                   "credits in each contract year at most 8% of fee in that year\n"
                   "credits in any 3 months at most USD 250,000\n"
                   "service level s measured as sl target: at least 80%\n  credit: 1% of fee\n")
    text = clauses(tree)
    assert text["4.2"] == (
        "Limit on credits over several months. Over any 12 consecutive months, credits together never exceed 10% of "
        "the fee of those months. In each month the window is the 12 months ending with it; if that month's credits "
        "would take the window over its limit, a separate line cuts that month's credits, never an earlier month's. "
        "Until 12 months have passed, the window is the months so far, and the limit is worked out on their figures "
        "only. [t.sla:10]")
    assert text["4.3"] == (
        "Limit on credits in each contract year. In each contract year (1.4), credits together never exceed 8% of "
        "the fee of that contract year, counted on the year so far: if a month's credits would take the year's "
        "credits over the limit, a separate line cuts that month's credits, never an earlier month's. In each month "
        "the limit is worked out on the fee of the year's months up to and including that one, so it is small "
        "early in the year and grows as the year goes on. [t.sla:11]")
    assert text["4.4"].startswith("Limit on credits over several months. Over any 3 consecutive months, credits "
                                  "together never exceed USD 250,000.")


# ---------------------------------------------------------------- termination

TRIGGERS = """
service level s measured as answered / calls, in percent
  target: at least 80%
  measured only when calls is at least 500
  credit: 1% of fee
  cure: within 1 month
service level k measured as sl target: at least 90%
terminate when s is missed 3 months in a row
terminate when s is missed 4 times in any 12 months
terminate when s is below 70% in any month
terminate when credits in any 6 months exceed USD 100,000
terminate when credits in any 3 months exceed 20% of fee in those months
terminate when 2 or more service levels are missed in one month
"""


def test_all_five_termination_triggers():
    text = clauses(ruleset(TRIGGERS))
    assert text["5.1"] == (
        "Repeated misses in a row. When s (3.1) is missed in 3 consecutive months, the right arises in the month of "
        "the third consecutive miss. Every month in which s is missed counts, whether its credit is charged, held in "
        "a cure window (even if later cured). A month in which it is not measured neither counts nor interrupts the "
        "run. For waived and excluded months, see 5.7 and 5.8. [t.sla:17]")
    assert text["5.2"] == (
        "Repeated misses within a window. When s (3.1) is missed 4 times within any 12 consecutive months, the right "
        "arises in the month of the fourth such miss; the misses need not be consecutive. Every month in which s is "
        "missed counts, whether its credit is charged, held in a cure window (even if later cured). A month in "
        "which it is not measured does not count. For waived and excluded months, see 5.7 and 5.8. [t.sla:18]")
    assert text["5.3"] == (
        "Performance below a floor. When the value of s (3.1) in any month is below 70% (exactly 70% is not), the "
        "right arises in that month, whatever the credits. A waiver does not prevent it; an excluded month, or one "
        "without a reported value, does not give rise to it. Nor does a month in which s is not measured (3.1.2), "
        "whatever its value. [t.sla:19]")
    assert text["5.4"] == (
        "Credits above a limit. When the credits of any 6 consecutive months together exceed USD 100,000, the right "
        "arises in the first month in which they do. Credits are counted as charged, after the limits on credits in "
        "part 4; credits earned back do not reduce them. Until 6 months have passed, the window is the months so far. "
        "[t.sla:20]")
    assert text["5.5"].startswith("Credits above a limit. When the credits of any 3 consecutive months together "
                                  "exceed 20% of the fee of those months")
    assert text["5.6"] == (
        "Several service levels missed at once. When 2 or more service levels are missed in the same month, the "
        "right arises in that month. Every service level counts, including one that carries no credit: k (3.2). A "
        "miss counts whether it is charged, held in a cure window or forgiven by a free pass; a service level not "
        "measured that month does not count. For waived and excluded months, see 5.7 and 5.8. [t.sla:22]")


def test_the_two_streak_policies_by_default_and_as_stated():
    default = clauses(ruleset(TRIGGERS))
    assert default["5.7"] == ("Waived misses. A miss whose credit the client has waived still counts toward "
                              "termination: the waiver forgives the credit, not the failure. "
                              "[default; not stated in t.sla]")
    assert default["5.8"] == ("Excluded months. A month excluded for a service level (a relief event) neither counts "
                              "as a miss nor interrupts a run of misses: the months either side of it count as "
                              "consecutive. [default; not stated in t.sla]")
    stated = clauses(ruleset(TRIGGERS + "waived misses do not count toward termination\n"
                                        "excluded months break streaks\n"))
    assert stated["5.7"] == ("Waived misses. A miss whose credit the client has waived does not count toward "
                             "termination: it neither counts as a miss nor interrupts a run of misses, and its value "
                             "is not held against a floor. [t.sla:23]")
    assert stated["5.8"] == ("Excluded months. A month excluded for a service level (a relief event) interrupts a "
                             "run of misses, as a met month does; it does not count as a miss. [t.sla:24]")


def test_no_trigger_means_no_right_to_terminate():
    text = clauses(ruleset("service level s measured as sl target: at least 80%\n  credit: 1% of fee\n"))
    assert text["5.1"] == ("No right to terminate. The ruleset gives the client no right to terminate for service "
                           "level failures. [default; not stated in t.sla]")


# ---------------------------------------------------------------- amendments

AMENDED = """
at risk: 10% of fee each month
service level s measured as sl
  target: at least 80%
  allocation: 50% of the amount at risk
  credit: 100% of the allocation
service level t measured as sl
  target: at least 97%
  credit: the shortfall in points as a percentage of fee
amendment effective 2026-07
  at risk: 15% of fee each month
  service level t
    target: at least 98%
    cure: within 1 month
amendment effective 2027-01
  service level t
    target: at least 99%
"""


def test_an_amendment_replaces_clauses_and_restates_what_follows_from_them():
    text = clauses(ruleset(AMENDED))
    assert text["6.1"].startswith("Amendment effective July 2026. From July 2026, the terms below replace those "
                                  "stated above; every other term stays as agreed.")
    assert text["6.1.1"].startswith("Amount at risk (replacing 4.1). The credits of a month, from all service levels "
                                    "together, never exceed 15% of fee for that month")
    assert text["6.1.2"].startswith("t, target (replacing 3.2.2). At least 98%;")
    assert text["6.1.3"].startswith("t, cure period (added). A miss is not charged at once")
    # The allocation of s and its credit now come to 7.5% of the fee: said where they are, without restating.
    assert text["6.1.4"] == (
        "s, allocation (3.1.3), as it reads from July 2026. Not restated by the amendment, but its meaning follows "
        "the terms the amendment changes. From July 2026 it reads: \u201cThe allocation of s is 50% of the amount at "
        "risk (4.1), that is 7.5% of fee. The service credit below is stated as a share of it.\u201d [t.sla:14]")
    assert "100% of the allocation (7.5% of fee)" in text["6.1.5"]
    assert "below the target of 98%" in text["6.1.6"]
    # A second amendment replaces the clause as the first left it.
    assert text["6.2.1"].startswith("t, target (replacing 6.1.2). At least 99%;")
    assert "below the target of 99%" in text["6.2.2"]


def test_amendment_on_a_quarterly_contract_names_the_first_quarter():
    tree = ruleset("at risk: 10% of fee each quarter\nservice level s measured as sl target: at least 80%\n"
                   "  credit: 1% of fee\namendment effective 2026-07\n  at risk: 12% of fee each quarter\n",
                   header='contract "T" currency USD, assessed quarterly, starts 2026-01\n')
    assert "From July 2026 (the quarter 2026-Q3), the terms below replace" in clauses(tree)["6.1"]


# ---------------------------------------------------------------- formats

def test_formats_and_unknown_format():
    tree = parse(source(RULESETS[0]))
    assert FORMATS == ("text", "markdown", "html")
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        explain(tree, "pdf")


def test_markdown_puts_names_in_code_and_escapes_the_rest():
    tree = ruleset("service level s_1 \"Calls *answered* <fast> [x]\" measured as sl target: at least 80%\n")
    text = explain(tree, "markdown")
    assert "**3.1 Calls \\*answered\\* \\<fast\\> \\[x\\].** The service level `s_1`." in text
    assert "(`t.sla:10`)" in text


class _Balance(html.parser.HTMLParser):
    VOID = {"meta", "br"}

    def __init__(self):
        super().__init__()
        self.stack, self.problems, self.ids, self.links = [], [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a":
            self.links.append(attrs.get("href"))
        for name in ("src", "href"):
            if name in attrs and not str(attrs[name]).startswith("#"):
                self.problems.append(f"external resource {attrs[name]}")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")


@pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])
def test_html_is_a_self_contained_balanced_page_whose_links_resolve(path):
    page = explain(parse(source(path)), "html")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    checker = _Balance()
    checker.feed(page)
    assert checker.problems == [] and checker.stack == []
    assert checker.links and all(link[1:] in checker.ids for link in checker.links)
    assert "http" not in page and "<script" not in page and "@import" not in page


def test_html_escapes_text_from_the_ruleset():
    tree = ruleset("service level s \"<script>alert('x') & co</script>\" measured as sl target: at least 80%\n",
                   inputs='inputs\n  sl percent "a <b>bold</b> claim"\n')
    page = explain(tree, "html")
    assert "<script>" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;) &amp; co&lt;/script&gt;" in page


def test_explaining_is_deterministic_and_leaves_the_tree_alone():
    tree = parse(source(RULESETS[0]))
    before = repr(tree)
    assert explain(tree) == explain(tree)
    assert repr(tree) == before


# ---------------------------------------------------------------- the reporting grid (issue 10, item 3)

GRID = """
service level speed
  measured as wait, reported to whole seconds
  target: at most 20 seconds
  credit by range:
    from 21 to 25 seconds: 10% of fee
    from 26 to 30 seconds: 30% of fee
    at least 31 seconds: 60% of fee
"""


def test_the_measurement_states_the_grid_and_its_rounding():
    assert ("The value is reported to whole seconds, rounding half up, and every comparison below is made with "
            "the value as reported.") in find(ruleset(GRID), "Measurement")


def test_the_target_gives_the_next_value_on_the_grid_and_says_values_are_compared_as_reported():
    text = find(ruleset(GRID), "Target")
    assert "missed by any value above 20 seconds: 21 seconds misses it. Values are compared as reported (3.1.1)." in text


def test_rows_complete_on_the_grid_leave_no_value_without_a_credit():
    assert "carries no credit" not in find(ruleset(GRID), "Service credit")


def test_the_preface_says_which_values_are_rounded_before_they_are_compared():
    preface = " ".join(explain(ruleset(GRID)).split())  # unwrapped
    assert "rounded before it is compared (except to the grid a service level states its value is reported on)" in preface
# ---------------------------------------------------------------- critical service level failure

CRITICAL_FAILURE = """service level s
  measured as sl
  target: at least 80%
  measured only when calls is at least 100
  cure: within 1 month
  credit: 2% of fee
  earn back: 50% of its credits after 2 consecutive met months
at risk: 10% of fee each month
critical failure when s is below 50% or when 1 or more service levels are missed in one month:
  credits of that month do not accrue
  withhold 100% of fee
  the client may terminate
"""


def test_a_critical_failure_says_what_holds_what_is_replaced_and_what_is_withheld():
    text = clauses(ruleset(CRITICAL_FAILURE))
    assert text["4.2"] == (
        "Critical service level failure. A month is a critical service level failure when the value of s (3.1) is "
        "below 50% (exactly 50% is not) or 1 or more service levels are missed in it (counted as for termination: "
        "whether charged, held in a cure window or forgiven by a free pass). Against the floor of s: a waiver does "
        "not prevent it; an excluded month, or one without a reported value, does not give rise to it. Nor does a "
        "month in which s is not measured (3.1.2), whatever its value. In such a month, the service credits that "
        "would otherwise accrue in it do not accrue: each service level's credit is still shown as assessed (after "
        "its own cap, and with the credits of cure windows closing unmet that month), and one separate line takes "
        "them all back to zero, before the amount at risk (4.1) applies. Credits that never accrued are never "
        "earned back. The client withholds all of the fee of that month, as a separate line, never more than the "
        "fee itself. The sum withheld is not a service credit and is never earned back. It gives the client a "
        "right to terminate (5.1). [t.sla:18]")
    assert text["5.1"] == (
        "Critical service level failure. In the first month that is a critical service level failure (4.2), the "
        "right to terminate arises in that month; later critical failures do not give it again. [t.sla:21]")


def test_a_critical_failure_whose_credits_accrue_and_that_gives_no_right_to_terminate():
    body = ("service level s\n  measured as sl\n  target: at least 80%\n  credit: 2% of fee\n"
            "critical failure when s is at most 40%:\n  withhold 25% of fee\n")
    text = clauses(ruleset(body))
    assert "The credits of such a month accrue as in any other. The client withholds 25% of the fee" in text["4.2"]
    assert "right to terminate" not in text["4.2"]
    assert text["5.1"].startswith("No right to terminate.")


def test_examples_for_a_count_use_whole_numbers():
    """Issue 10.5: a count's examples read "5.01 misses it" and "at 6.2 the value is 1.2 units above
    5". A count is a whole number: the first miss above at most 5 calls is 6; USD 100 per call above 5,
    part calls counting as whole, at 7 calls is 2 calls above: USD 200; a value in both rows "above 2"
    and "above 4" is the first whole number above 4, 5."""
    tree = ruleset(
        "service level dropped\n  measured as calls\n  target: at most 5\n"
        "  credit: USD 100 per unit above 5, part units count as whole, at most USD 2,000\n"
        "service level escalations\n  measured as calls - answered\n  target: at most 2\n"
        "  credit, the most severe row applies:\n    above 2: 1% of fee\n    above 4: 3% of fee\n")
    text = clauses(tree)
    dropped = text["3.1.2"] + text["3.1.3"]
    assert "6 misses it" in dropped and "at 7 the value is 2 units above 5, counted as 2 units: USD 200" in dropped
    escalations = text["3.2.2"] + text["3.2.3"]
    assert "3 misses it" in escalations and "For example, 5 falls in the rows" in escalations
    numbers = re.findall(r"\b\d+\.\d+\b", dropped + escalations)
    assert numbers == [], numbers
