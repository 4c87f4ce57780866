"""Formatter: the canonical layout of every example, the messy golden, and where comments go."""
from __future__ import annotations

from pathlib import Path

import pytest

from slarules import SlaError
from slarules.language.fmt import comments, format_source
from slarules.language.parse import parse, parse_text
from slarules.language.printer import clause, to_source
from slarules.core.source import Source

ROOT = Path(__file__).resolve().parents[2]
RULESETS = sorted((ROOT / "rulesets").glob("*.sla"))
GOLDEN = ROOT / "tests" / "golden" / "fmt"
HEADER = 'contract "C" currency USD, starts 2026-01\n'

each_ruleset = pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])


def fmt(text: str) -> str:
    return format_source(Source("t.sla", text))


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- goldens

@each_ruleset
def test_every_example_ruleset_formats_to_its_golden(path, golden):
    golden(fmt(read(path)), GOLDEN / path.name)


def test_a_messy_ruleset_formats_to_its_golden(golden):
    golden(fmt(read(GOLDEN / "messy.in.sla")), GOLDEN / "messy.sla")


@each_ruleset
def test_every_comment_of_an_example_appears_in_the_output_in_order(path):
    output = fmt(read(path))
    position = 0
    for comment in comments(read(path)):
        found = output.find(comment.text, position)
        assert found >= 0, f"lost or moved back: {comment.text!r}"
        position = found + len(comment.text)


@pytest.mark.parametrize("path", [*RULESETS, GOLDEN / "messy.in.sla"], ids=lambda p: p.name)
def test_formatting_keeps_the_meaning_and_is_idempotent(path):
    text = read(path)
    once = fmt(text)
    assert parse(Source("t.sla", once)) == parse(Source("t.sla", text))
    assert fmt(once) == once


# ---------------------------------------------------------------- finding comments

def test_a_hash_inside_a_string_does_not_start_a_comment():
    found = comments('contract "No #1" currency USD # one\n  # two "quoted"\n')
    assert [(c.line, c.column, c.text, c.own_line) for c in found] == [
        (1, 31, "# one", False), (2, 3, '# two "quoted"', True)]


def test_a_syntax_error_is_raised_as_sla_error():
    with pytest.raises(SlaError) as info:
        fmt(HEADER + "service level s target at least 80%  # no colon\n")
    assert info.value.diagnostics[0].code == "SLA001"


# ---------------------------------------------------------------- layout

def test_clauses_run_together_get_a_line_each_and_rows_go_under_their_clause():
    text = HEADER + ("service level s measured as x target: at least 80% "
                     "credit, the most severe row applies: below 80%: 1% of fee below 70%: 2% of fee")
    assert fmt(text) == HEADER.replace(" currency", "\n  currency") + (
        "\n"
        "service level s\n"
        "  measured as x\n"
        "  target: at least 80%\n"
        "  credit, the most severe row applies:\n"
        "    below 80%: 1% of fee\n"
        "    below 70%: 2% of fee\n")


def test_inputs_are_aligned_and_a_missing_data_rule_after_a_description_continues_under_the_units():
    text = HEADER + 'inputs fee money "monthly fee" calls count, default 0 qa percent "score", missing counts as a miss'
    assert fmt(text).split("\n\n")[1] == (
        "inputs\n"
        '  fee    money   "monthly fee"\n'
        "  calls  count, default 0\n"
        '  qa     percent "score",\n'
        "         missing counts as a miss\n")


def test_a_cap_continues_under_the_amount_of_its_clause():
    text = HEADER + ("service level s measured as x target: at most 5%\n"
                     "  bonus: 1% of fee per point below 5%, pro rata, at most 2% of fee\n"
                     "  credit: the shortfall in points as a percentage of fee, at most 3% of fee\n")
    assert fmt(text).endswith(
        "  bonus: 1% of fee per point below 5%, pro rata,\n"
        "         at most 2% of fee\n"
        "  credit: the shortfall in points as a percentage of fee,\n"
        "          at most 3% of fee\n")


def test_one_line_terms_written_together_stay_together_and_others_get_a_blank_line():
    text = HEADER + ("at risk: 10% of fee each month\nbonuses offset credits\n\n"
                     "terminate when s is missed 2 months in a row\n"
                     "service level s measured as x target: at least 1\n")
    assert fmt(text).split("starts 2026-01\n")[1] == (
        "\n"
        "at risk: 10% of fee each month\n"
        "bonuses offset credits\n"
        "\n"
        "terminate when s is missed 2 months in a row\n"
        "\n"
        "service level s\n"
        "  measured as x\n"
        "  target: at least 1\n")


def test_to_source_separates_every_section_and_prints_the_same_clauses():
    tree = parse_text(read(ROOT / "rulesets" / "acme_contact_center.sla"))
    assert parse_text(to_source(tree)) == tree
    assert '\n\nbonuses are paid separately clause "C.4"\n' in to_source(tree)
    assert clause(tree.service_levels[2].cure) == "cure: within 1 month"


# ---------------------------------------------------------------- where comments go

def test_a_comment_on_its_own_line_goes_before_the_next_item_at_its_indentation():
    text = HEADER + ("service level s\n"
                     "# on the target\n"
                     "    measured as x target: at least 80%\n"
                     "credit, the most severe row applies:\n"
                     "        # on the first row\n"
                     "below 80%: 1% of fee\n")
    assert fmt(text).endswith(
        "service level s\n"
        "  # on the target\n"
        "  measured as x\n"
        "  target: at least 80%\n"
        "  credit, the most severe row applies:\n"
        "    # on the first row\n"
        "    below 80%: 1% of fee\n")


def test_a_trailing_comment_stays_with_the_item_before_it():
    text = HEADER + ("service level s # head\n"
                     "  measured as x target: at least 80% # after the target, not the measure\n"
                     "  credit, the most severe row applies: # the table\n"
                     "    below 80%: 1% of fee# glued\n")
    assert fmt(text).endswith(
        "service level s  # head\n"
        "  measured as x\n"
        "  target: at least 80%  # after the target, not the measure\n"
        "  credit, the most severe row applies:  # the table\n"
        "    below 80%: 1% of fee  # glued\n")


def test_a_trailing_comment_on_a_wrapped_item_goes_to_the_line_that_prints_its_part():
    text = HEADER + ("service level s measured as x target: at most 5%\n"
                     "  credit: 1% of fee per point above 5%, # the steps\n"
                     "    pro rata,\n"
                     "    # the cap\n"
                     "    at most 4% of fee # capped\n"
                     "service level t measured as x target: at most 5%\n"
                     "  credit: 1% of fee per point above 5%, pro rata, at most 4% of fee # one line\n")
    assert fmt(text).split("starts 2026-01\n\n")[1] == (
        "service level s\n"
        "  measured as x\n"
        "  target: at most 5%\n"
        "  credit: 1% of fee per point above 5%, pro rata,  # the steps\n"
        "          # the cap\n"
        "          at most 4% of fee  # capped\n"
        "\n"
        "service level t\n"
        "  measured as x\n"
        "  target: at most 5%\n"
        "  credit: 1% of fee per point above 5%, pro rata,\n"
        "          at most 4% of fee  # one line\n")


def test_comments_inside_a_line_the_layout_joins_are_joined_in_order():
    text = ('contract "C"\n'
            "  currency USD,  # first\n"
            "  # second\n"
            "  starts 2026-01  # third\n")
    assert fmt(text) == 'contract "C"\n  currency USD, starts 2026-01  # first  # second  # third\n'


def test_trailing_comments_of_inputs_are_aligned():
    text = HEADER + "inputs fee money # the fee\n  calls count, default 0 # offered\n  qa percent\n"
    assert fmt(text).split("\n\n")[1] == (
        "inputs\n"
        "  fee    money             # the fee\n"
        "  calls  count, default 0  # offered\n"
        "  qa     percent\n")


def test_a_preamble_keeps_its_blank_lines_and_comments_lose_their_indentation():
    text = "   # one\n\n\n  # two\n# three\n\n" + HEADER
    assert fmt(text).startswith('# one\n\n# two\n# three\n\ncontract "C"\n')


def test_comments_after_the_last_item_stay_under_it_unless_a_blank_line_comes_first():
    text = HEADER + "service level s measured as x\n  target: at least 1\n# under the target\n\n\n   # the end\n"
    assert fmt(text).endswith("  target: at least 1\n  # under the target\n\n# the end\n")


def test_comments_between_sections_stay_with_the_section_after_them():
    text = HEADER + "at risk: 10% of fee each month\n# on the terms\nbonuses offset credits\n\n# on s\n\nservice level s measured as x target: at least 1\n"
    assert fmt(text).split("starts 2026-01\n")[1] == (
        "\n"
        "at risk: 10% of fee each month\n"
        "# on the terms\n"
        "bonuses offset credits\n"
        "\n"
        "# on s\n"
        "\n"
        "service level s\n"
        "  measured as x\n"
        "  target: at least 1\n")


def test_comments_in_an_amendment_go_before_its_items():
    text = HEADER + ("service level s measured as x target: at least 1\n"
                     "amendment effective 2027-01 # from January\n"
                     "# the new pool\n"
                     "at risk: 12% of fee each month\n"
                     "# s is raised\n"
                     "service level s target: at least 2 # raised\n")
    assert fmt(text).endswith(
        "amendment effective 2027-01  # from January\n"
        "  # the new pool\n"
        "  at risk: 12% of fee each month\n"
        "  # s is raised\n"
        "  service level s\n"
        "    target: at least 2  # raised\n")
