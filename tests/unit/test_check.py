"""Check pass: each code fires when it should, and not on the valid variants next to it.

The wording and carets are pinned by the golden files (test_diagnostics.py); these
tests pin the semantics: which rulesets are accepted, which are not, and whether a
problem is an error or a warning.
"""
from __future__ import annotations

import pytest

from slarules import SlaError, Source, check, compile_source, parse

HEAD = 'contract "C" currency USD, starts 2026-01\n'
INPUTS = "inputs\n  fee money\n  sla percent\n  secs seconds\n  calls count\n"


def found(body: str, inputs: str = INPUTS, head: str = HEAD, unused: bool = False):
    """Every diagnostic; without `unused`, not the warnings for inputs a small example leaves unused."""
    return [d for d in check(parse(Source("t.sla", head + inputs + body))) if unused or d.code != "SLA217"]


def codes(body: str, **kw) -> list[tuple[str, str]]:
    return [(d.code, d.severity) for d in found(body, **kw)]


def errors(body: str, **kw) -> list[str]:
    return [c for c, severity in codes(body, **kw) if severity == "error"]


def warnings(body: str, **kw) -> list[str]:
    return [c for c, severity in codes(body, **kw) if severity == "warning"]


SLA = "service level s\n  measured as sla\n  target: at least 80%\n"
SECS = "service level s\n  measured as secs\n  target: at most 40 seconds\n"


# ---------------------------------------------------------------- valid rulesets

def test_a_complete_ruleset_has_no_diagnostic():
    assert found(SLA + "  credit: 2% of fee\n", inputs="inputs\n  fee money\n  sla percent\n") == []


@pytest.mark.parametrize("body", [
    SLA + "  credit: 2% of fee\n  bonus: at least 90%: USD 1,000\n",
    SLA + "  credit, the most severe row applies:\n    below 80%: 2% of fee\n    below 70%: 5% of fee\n",
    SLA + "  credit, the most severe row applies:\n    below 70%: 5% of fee\n    below 80%: 2% of fee\n",
    SLA + "  credit, the most severe row applies:\n    below 80%: 2% of fee\n    below 70%: 2% of fee\n",
    SLA + "  bonus, the best row applies:\n    at least 85%: 1% of fee\n    at least 90%: 2% of fee\n",
    SLA + "  credit: 1% of fee per point below 80%, part points count as whole, at most 5% of fee\n",
    SLA + "  credit: 1% of fee per 0.5 point below 80%, pro rata\n",
    SLA + "  credit: the shortfall in points as a percentage of fee, at most 10% of fee\n",
    SLA + "  measured only when calls is at least 500\n  credit: 2% of fee\n",
    SECS + "  credit: USD 250 per second above 40 seconds, only whole seconds count\n",
    SECS + "  bonus: USD 100 per second below 30 seconds, pro rata, at most USD 1,000\n",
    SECS + "  credit by range:\n    above 40 to 45 seconds: 2% of fee\n    above 45 seconds: 5% of fee\n",
    "service level s\n  measured as calls\n  target: at most 100\n  credit: USD 50 per unit above 100, pro rata\n",
    "service level s\n  measured as calls / calls * 100\n  target: at least 80%\n  credit: 2% of fee\n",
    "service level s\n  measured as secs + secs\n  target: at most 80 seconds\n  credit: 2% of fee\n",
    "service level s\n  measured as secs * calls\n  target: at most 80 seconds\n  credit: 2% of fee\n",
])
def test_valid_service_levels_have_no_error_or_warning(body):
    assert codes(body) == []


# ---------------------------------------------------------------- tier ranges: gaps and overlaps

FCR = "service level s\n  measured as sla\n  target: at least 70%\n  credit by range:\n"


def test_adjacent_ranges_meeting_at_an_end_leave_no_gap():
    assert codes(FCR + "    from 65 to below 70%: 1% of fee\n    from 60 to below 65%: 2% of fee\n"
                       "    below 60%: 3% of fee\n") == []


def test_adjacent_ranges_give_no_gap_whatever_order_they_are_written_in():
    assert codes(FCR + "    below 60%: 3% of fee\n    from 65 to below 70%: 1% of fee\n"
                       "    from 60 to below 65%: 2% of fee\n") == []


def test_whole_number_ranges_leave_a_gap_between_them():
    assert errors(SECS + "  credit by range:\n    above 40 to 45 seconds: 20% of fee\n"
                         "    from 46 to 50 seconds: 40% of fee\n    above 50 seconds: 60% of fee\n") == ["SLA209"]


def test_a_gap_names_the_values_it_leaves_and_where_the_next_row_should_start():
    (d,) = found(FCR + "    from 65 to below 70%: 1% of fee\n    from 61 to below 65%: 2% of fee\n"
                       "    below 60%: 3% of fee\n")
    assert d.code == "SLA209" and "from 60 to below 61%" in d.message
    assert d.notes[0].startswith("start this row where the row at line 13 ends: 'from 60 to ...'")


def test_a_gap_after_a_row_that_includes_its_end_starts_the_next_row_above_it():
    (d,) = found(FCR + "    from 65 to below 70%: 1% of fee\n    from 61 to below 65%: 2% of fee\n"
                       "    from 60 to 60.5%: 3% of fee\n    below 60%: 4% of fee\n")
    assert d.code == "SLA209" and "above 60.5 and below 61%" in d.message
    assert "'above 60.5 to ...'" in d.notes[0]


def test_ranges_sharing_an_included_end_overlap():
    (d,) = found(FCR + "    from 65 to below 70%: 1% of fee\n    from 60 to 65%: 2% of fee\n    below 60%: 3% of fee\n")
    assert d.code == "SLA210" and "the value 65%" in d.message


def test_a_range_nested_in_a_wider_one_is_an_overlap_not_a_gap():
    found_codes = errors(FCR + "    from 50 to below 70%: 1% of fee\n    from 55 to below 60%: 2% of fee\n"
                               "    from 60.5 to below 65%: 2% of fee\n    below 50%: 3% of fee\n")
    assert found_codes == ["SLA210", "SLA210"]


def test_credit_ranges_starting_below_the_target_are_an_error_like_a_gap_between_rows():
    # The values from 68 to below 70% miss the target but earn nothing: as serious as a gap between rows.
    assert codes(FCR + "    from 65 to below 68%: 1% of fee\n    below 65%: 2% of fee\n") == [("SLA209", "error")]


def test_an_above_target_leaves_its_boundary_value_uncovered_by_a_to_below_row():
    (d,) = found("service level s\n  measured as sla\n  target: above 70%\n  credit by range:\n"
                 "    from 65 to below 70%: 1% of fee\n    below 65%: 2% of fee\n")
    assert (d.code, d.severity) == ("SLA209", "error") and "the value 70%" in d.message


def test_bonus_ranges_starting_above_the_target_are_a_dead_band_not_a_problem():
    assert codes(SLA + "  credit: 2% of fee\n  bonus by range:\n    from 85 to below 90%: 1% of fee\n"
                       "    at least 90%: 2% of fee\n") == []


@pytest.mark.parametrize("body, stretch", [
    (FCR + "    from 65 to below 70%: 1% of fee\n    from 60 to below 65%: 2% of fee\n", "the values from 0 to below 60%"),
    ("service level s\n  measured as sla\n  target: above 70%\n  credit by range:\n    above 0 to 70%: 2% of fee\n",
     "the value 0%"),
    (SLA + "  credit: 1% of fee\n  bonus by range:\n    from 85 to below 90%: 1% of fee\n    from 90 to 99%: 2% of fee\n",
     "the values above 99 to 100%"),
    (SLA + "  credit: 1% of fee\n  bonus by range:\n    from 85 to below 90%: 1% of fee\n"
           "    from 90 to below 100%: 2% of fee\n", "the value 100%"),
    (SECS + "  credit by range:\n    above 40 to 45 seconds: 2% of fee\n    above 45 to 600 seconds: 5% of fee\n",
     "the values above 600 seconds"),
])
def test_ranges_stopping_short_of_the_end_of_the_scale_leave_the_worst_or_best_values_earning_nothing(body, stretch):
    (d,) = found(body)
    assert (d.code, d.severity) == ("SLA209", "error") and d.message.startswith(stretch + " fall")


@pytest.mark.parametrize("body", [
    FCR + "    from 65 to below 70%: 1% of fee\n    from 0 to below 65%: 2% of fee\n",
    SLA + "  credit: 1% of fee\n  bonus by range:\n    from 85 to below 90%: 1% of fee\n    from 90 to 100%: 2% of fee\n",
    SLA + "  credit: 1% of fee\n  bonus by range:\n    from 85 to below 90%: 1% of fee\n    at least 90%: 2% of fee\n",
    "service level s\n  measured as sla\n  target: at most 20%\n  credit by range:\n"
    "    above 20 to 50%: 1% of fee\n    above 50 to 100%: 2% of fee\n",
])
def test_ranges_reaching_the_end_of_the_scale_leave_nothing_uncovered(body):
    assert codes(body) == []


def test_gaps_are_only_checked_in_range_tables():
    # In a 'most severe row' table an open band covers everything below it.
    assert codes(SLA + "  credit, the most severe row applies:\n    below 75%: 2% of fee\n    below 70%: 5% of fee\n") == []


# ---------------------------------------------------------------- tier rows: side and order

def test_a_credit_row_open_toward_the_met_zone_is_an_error():
    assert errors(SLA + "  credit, the most severe row applies:\n    below 80%: 2% of fee\n"
                        "    above 70%: 5% of fee\n") == ["SLA207"]


def test_a_bonus_row_open_toward_the_miss_zone_is_an_error_and_does_not_crash_the_order_check():
    assert errors(SECS + "  bonus, the best row applies:\n    at most 30 seconds: 1% of fee\n"
                         "    at least 20 seconds: 2% of fee\n") == ["SLA207"]


def test_a_credit_row_entirely_in_the_met_zone_can_never_apply():
    assert codes(SLA + "  credit by range:\n    from 85 to 90%: 2% of fee\n    below 80%: 5% of fee\n") == [
        ("SLA207", "error")]


def test_a_bonus_row_entirely_in_the_miss_zone_can_never_apply():
    assert codes(SLA + "  bonus by range:\n    from 70 to 75%: 2% of fee\n    at least 80%: 5% of fee\n") == [
        ("SLA207", "error")]


def test_a_credit_row_reaching_into_the_met_zone_is_a_warning():
    assert codes(FCR + "    from 65 to 70%: 1% of fee\n    below 65%: 2% of fee\n") == [("SLA207", "warning")]


def test_a_worse_band_earning_less_is_an_error_for_credits_and_bonuses():
    assert errors(SLA + "  credit, the most severe row applies:\n    below 80%: 5% of fee\n    below 70%: 2% of fee\n") \
        == ["SLA208"]
    assert errors(SLA + "  bonus, the best row applies:\n    at least 85%: USD 2,000\n    at least 90%: USD 1,000\n") \
        == ["SLA208"]


@pytest.mark.parametrize("rows, expected", [
    ("    below 75%: 5% of fee\n    at most 75%: 3% of fee\n", []),
    ("    at most 75%: 3% of fee\n    below 75%: 5% of fee\n", []),
    ("    below 75%: 3% of fee\n    at most 75%: 5% of fee\n", [(11, "SLA208")]),
    ("    at most 75%: 5% of fee\n    below 75%: 3% of fee\n", [(12, "SLA208")]),
])
def test_of_two_rows_on_one_threshold_the_exclusive_one_reaches_further_wherever_it_is_written(rows, expected):
    assert [(d.span.line, d.code) for d in found(SLA + "  credit, the most severe row applies:\n" + rows)] == expected


def test_of_two_bonus_rows_on_one_threshold_above_reaches_further_than_at_least():
    assert errors(SLA + "  bonus, the best row applies:\n    above 90%: 1% of fee\n    at least 90%: 2% of fee\n") \
        == ["SLA208"]
    assert codes(SLA + "  bonus, the best row applies:\n    at least 90%: 1% of fee\n    above 90%: 2% of fee\n") == []


def test_a_fixed_amount_below_a_share_of_the_fee_warns_of_the_fee_above_which_it_pays_less():
    (d,) = found(SLA + "  credit, the most severe row applies:\n    below 80%: 5% of fee\n    below 70%: USD 300\n")
    assert (d.code, d.severity, d.span.line) == ("SLA208", "warning", 12)
    assert d.message == "a worse band pays USD 300.00, less than 5% of fee (line 11) whenever fee is above 6,000.00"


def test_a_share_of_the_fee_below_a_fixed_amount_warns_of_the_fee_below_which_it_pays_less():
    (d,) = found(SLA + "  credit, the most severe row applies:\n    below 80%: USD 1,000\n    below 70%: 3% of fee\n")
    assert (d.code, d.severity) == ("SLA208", "warning")
    assert d.message.endswith("whenever fee is below about 33,333.33")


def test_rows_on_different_bases_are_compared_with_the_milder_row_that_pays_most_on_each_base():
    diagnostics = found(SLA + "  credit, the most severe row applies:\n    below 80%: 2% of fee\n"
                              "    below 75%: 5% of fee\n    below 70%: USD 100\n    below 65%: USD 200\n")
    assert [(d.span.line, d.severity, d.message.split(" whenever ")[1]) for d in diagnostics] == [
        (13, "warning", "fee is above 2,000.00"), (14, "warning", "fee is above 4,000.00")]


def test_a_zero_amount_further_from_the_target_pays_less_whatever_the_fee():
    assert codes(SLA + "  credit, the most severe row applies:\n    below 80%: 5% of fee\n    below 70%: USD 0\n") \
        == [("SLA208", "error")]
    assert codes(SLA + "  credit, the most severe row applies:\n    below 80%: USD 0\n    below 70%: 0% of fee\n") == []


def test_shares_of_the_amount_at_risk_and_the_allocation_compare_with_shares_of_the_fee_they_come_from():
    pool = "at risk: 10% of fee each month\n" + SLA + "  allocation: 50% of the amount at risk\n"
    (d,) = found(pool + "  credit, the most severe row applies:\n    below 80%: 4% of fee\n"
                        "    below 70%: 60% of the allocation\n")
    assert (d.code, d.severity) == ("SLA208", "error") and d.notes[0] == "60% of the allocation is 3% of fee"
    assert "SLA208" not in [d.code for d in found(pool + "  credit, the most severe row applies:\n"
                                                "    below 80%: 4% of fee\n    below 70%: 100% of the allocation\n")]


def test_shares_of_two_inputs_warn_of_the_ratio_below_which_the_worse_row_pays_less():
    (d,) = found(SLA + "  credit, the most severe row applies:\n    below 80%: 3% of fee\n    below 70%: 2% of other\n",
                 inputs=INPUTS + "  other money\n")
    assert d.message.endswith("whenever other is below 1.5 times fee") and d.severity == "warning"


def test_rows_in_the_wrong_unit_are_reported_once_not_as_a_cascade():
    assert codes(SECS + "  credit, the most severe row applies:\n    above 40 seconds: 2% of fee\n"
                        "    above 1 minute: 5% of fee\n") == [("SLA203", "error")]


def test_a_target_in_the_wrong_unit_is_reported_once_not_as_a_cascade():
    assert codes("service level s\n  measured as sla\n  target: at least 30 seconds\n"
                 "  credit, the most severe row applies:\n    below 80%: 2% of fee\n") == [("SLA203", "error")]


# ---------------------------------------------------------------- names

def test_unknown_names_are_reported_with_a_suggestion_when_one_is_close():
    (d,) = found(SLA + "  credit: 2% of fe\n")
    assert d.code == "SLA201" and d.notes == ("did you mean 'fee'?",)


def test_unknown_name_without_a_close_match_lists_the_known_ones():
    (d,) = found("service level s\n  measured as uptime\n  target: at least 80%\n  credit: 2% of fee\n",
                 inputs="inputs\n  fee money\n")
    assert d.code == "SLA201" and d.notes == ("the inputs are: fee",)


def test_a_misspelled_input_is_not_also_reported_as_unused():
    assert [d.code for d in found(SLA + "  credit: 2% of fe\n", inputs="inputs\n  fee money\n  sla percent\n",
                                  unused=True)] == ["SLA201"]


def test_inputs_named_only_by_an_award_of_a_service_level_without_target_are_still_used():
    assert [d.code for d in found("service level s\n  measured as sla\n  credit: 2% of fee\n",
                                  inputs="inputs\n  fee money\n  sla percent\n", unused=True)] == ["SLA205"]


def test_every_kind_of_name_is_resolved():
    assert errors("service level s\n  measured as nope\n  target: at least 80%\n") == ["SLA201"]
    assert errors(SLA + "  measured only when nope is at least 1\n  credit: 2% of fee\n") == ["SLA201"]
    assert errors(SLA + "  credit: 2% of nope\n") == ["SLA201"]
    assert errors(SLA + "  bonus: at least 90%: 1% of fee\n  bonus only if nope is met\n") == ["SLA201"]


def test_a_bonus_gate_may_name_any_service_level_even_one_declared_later():
    assert codes(SLA + "  bonus: at least 90%: 1% of fee\n  bonus only if s and t are met\n"
                 "service level t\n  measured as secs\n  target: at most 40 seconds\n") == []


def test_duplicates_are_errors():
    assert errors(SLA, inputs=INPUTS + "  sla percent\n") == ["SLA202"]
    assert errors(SLA + SLA) == ["SLA202"]


def test_an_unused_input_is_a_warning():
    assert [(d.code, d.severity, d.is_error) for d in found(SLA + "  credit: 2% of fee\n",
                                                            inputs="inputs\n  fee money\n  sla percent\n  x count\n",
                                                            unused=True)] == [("SLA217", "warning", False)]


# ---------------------------------------------------------------- units

@pytest.mark.parametrize("body", [
    "service level s\n  measured as sla\n  target: at least 80\n",
    "service level s\n  measured as sla\n  target: at least 30 seconds\n",
    "service level s\n  measured as secs\n  target: at most 40\n",
    "service level s\n  measured as calls\n  target: at most 40%\n",
    "service level s\n  measured as secs + calls\n  target: at most 40 seconds\n",
    SLA + "  measured only when calls is at least 500%\n",
    SLA + "  credit: 1% of fee per second below 80%, pro rata\n",
    SLA + "  credit: 1% of fee per point below 80 seconds, pro rata\n",
    SECS + "  credit: the shortfall in points as a percentage of fee\n",
    SLA + "  credit, the most severe row applies:\n    below 80: 2% of fee\n",
])
def test_a_quantity_in_the_wrong_unit_is_an_error(body):
    assert errors(body) == ["SLA203"]


def test_a_range_may_leave_its_first_number_bare():
    assert codes(FCR + "    from 65 to below 70%: 1% of fee\n    below 65%: 2% of fee\n") == []


def test_an_amount_must_be_a_share_of_money():
    assert errors(SLA + "  credit: 2% of calls\n") == ["SLA211"]


def test_a_fixed_amount_must_be_in_the_contract_currency():
    assert errors(SLA + "  credit: EUR 100\n") == ["SLA212"]
    assert errors(SLA + "  credit: USD 100\n") == []


@pytest.mark.parametrize("target, bad", [
    ("at least 100%", False), ("at least 100.01%", True), ("above 100%", True), ("above 99.9%", False),
    ("at most 100%", False), ("at most 101%", True), ("below 100%", False),
])
def test_a_percentage_target_beyond_100_is_an_error(target, bad):
    assert errors(f"service level s\n  measured as sla\n  target: {target}\n") == (["SLA213"] if bad else [])


def test_a_percentage_default_above_100_is_an_error():
    assert errors(SLA, inputs="inputs\n  sla percent, default 101\n") == ["SLA213"]
    assert errors(SLA, inputs="inputs\n  sla percent, default 100\n") == []


# ---------------------------------------------------------------- contract terms

def test_the_contract_must_state_currency_and_start_once():
    assert errors(SLA, head='contract "C" starts 2026-01\n') == ["SLA204"]
    assert errors(SLA, head='contract "C" currency USD\n') == ["SLA204"]
    assert errors(SLA, head='contract "C"  currency USD, starts 2026-01, starts 2026-02\n') == ["SLA204"]
    assert errors("at risk: 1% of fee each month\nat risk: 2% of fee each month\n" + SLA) == ["SLA204"]
    assert errors("bonuses offset credits\nbonuses offset credits\n" + SLA) == ["SLA204"]


def test_period_terms_use_the_assessment_period():
    assert errors("at risk: 10% of fee each quarter\n" + SLA) == ["SLA216"]
    assert errors("bonuses at most 3% of fee each year\n" + SLA) == ["SLA216"]
    assert errors("at risk: 10% of fee each month\n" + SLA) == []
    assert errors("at risk: 10% of fee each quarter\n" + SLA,
                  head='contract "C" currency USD, assessed quarterly, starts 2026-01\n') == []


def test_a_service_level_needs_a_measurement_and_a_target():
    assert errors("service level s\n  measured as sla\n") == ["SLA205"]
    assert errors("service level s\n  target: at least 80%\n") == ["SLA205"]
    (d,) = [d for d in found("service level s\n  credit: 2% of fee\n") if d.code == "SLA205"]
    assert "'measured as ...' and no 'target: ...'" in d.message


def test_each_clause_at_most_once_and_a_gate_needs_a_bonus():
    assert errors(SLA + "  target: at least 90%\n") == ["SLA206"]
    assert errors(SLA + "  credit: 1% of fee\n  credit: 2% of fee\n") == ["SLA206"]
    assert errors(SLA + "  credit: 1% of fee\n  bonus: at least 90%: 1% of fee\n") == []
    assert errors(SLA + "  bonus only if all service levels are met\n") == ["SLA206"]


# ---------------------------------------------------------------- at risk and allocation

def test_the_amount_at_risk_and_the_allocation_must_be_defined_and_not_circular():
    assert errors(SLA + "  credit: 50% of the amount at risk\n") == ["SLA214"]
    assert errors("at risk: 10% of fee each month\n" + SLA + "  credit: 50% of the amount at risk\n") == []
    assert errors("at risk: 10% of the amount at risk each month\n" + SLA) == ["SLA214"]
    assert errors("at risk: 10% of fee each month\n" + SLA + "  credit: 100% of the allocation\n") == ["SLA214"]
    assert errors("at risk: 10% of fee each month\n" + SLA + "  allocation: 20% of the allocation\n") == ["SLA214"]
    assert errors("at risk: 10% of fee each month\n" + SLA + "  allocation: 20% of the amount at risk\n"
                  "  credit: 100% of the allocation\n") == []


# ---------------------------------------------------------------- missing data

MISS_SECS = "inputs\n  fee money\n  secs seconds, missing counts as a miss\n"


def test_missing_counts_as_a_miss_needs_a_bounded_credit():
    assert errors(SECS + "  credit: USD 250 per second above 40 seconds, pro rata\n", inputs=MISS_SECS) == ["SLA215"]
    assert errors(SECS + "  credit: USD 250 per second above 40 seconds, pro rata, at most USD 5,000\n",
                  inputs=MISS_SECS) == []
    assert errors(SECS + "  credit: 2% of fee\n", inputs=MISS_SECS) == []
    # A percentage is bounded by 0 and 100, so its linear credit is bounded too.
    assert errors(SLA + "  credit: 1% of fee per point below 80%, pro rata\n",
                  inputs="inputs\n  fee money\n  sla percent, missing counts as a miss\n") == []


# ---------------------------------------------------------------- linear awards

def test_a_linear_award_counts_on_the_side_it_pays_for():
    assert errors(SLA + "  credit: 1% of fee per point above 80%, pro rata\n") == ["SLA218"]
    assert errors(SLA + "  bonus: 1% of fee per point below 90%, pro rata\n") == ["SLA218"]
    assert errors(SLA + "  bonus: 1% of fee per point above 90%, pro rata\n") == []
    assert errors(SECS + "  credit: USD 1 per second below 40 seconds, pro rata\n") == ["SLA218"]
    assert errors(SECS + "  bonus: USD 1 per second above 30 seconds, pro rata\n") == ["SLA218"]


def test_a_linear_step_must_be_positive():
    assert errors(SLA + "  credit: 1% of fee per 0 points below 80%, pro rata\n") == ["SLA220"]
    assert errors(SLA + "  credit: 1% of fee per 0.0 points below 80%, pro rata\n") == ["SLA220"]
    assert errors(SLA + "  credit: 1% of fee per 0.1 points below 80%, pro rata\n") == []


# ---------------------------------------------------------------- gates

def test_no_critical_missed_without_any_critical_service_level_is_a_warning():
    body = SLA + "  bonus: at least 90%: 1% of fee\n  bonus only if no critical service level is missed\n"
    assert codes(body) == [("SLA219", "warning")]
    assert codes("critical " + body) == []


# ---------------------------------------------------------------- the pass as a whole

def test_check_collects_every_problem_in_source_order():
    found_here = found("service level s\n  measured as nope\n  target: at least 80%\n  credit: 2% of fee\n"
                       "service level s\n  measured as sla\n  target: at least 101%\n",
                       inputs="inputs\n  fee money\n  sla percent\n  x count\n", unused=True)
    assert [(d.code, d.span.line) for d in found_here] == [
        ("SLA217", 5), ("SLA201", 7), ("SLA202", 10), ("SLA213", 12)]


def test_warnings_do_not_stop_compilation_unless_strict():
    text = HEAD + "inputs\n  fee money\n  sla percent\n  unused count\n" + SLA + "  credit: 2% of fee\n"
    compile_source(Source("t.sla", text))
    with pytest.raises(SlaError) as info:
        compile_source(Source("t.sla", text), strict=True)
    assert [(d.code, d.severity) for d in info.value.diagnostics] == [("SLA217", "warning")]


def test_errors_stop_compilation_and_carry_only_the_errors():
    text = HEAD + "inputs\n  fee money\n  sla percent\n  unused count\n" + SLA + "  credit: 2% of fe\n"
    with pytest.raises(SlaError) as info:
        compile_source(Source("t.sla", text))
    assert [d.code for d in info.value.diagnostics] == ["SLA201"]


def test_check_never_raises_on_a_ruleset_full_of_problems():
    messy = (HEAD + INPUTS + "at risk: 10% of the amount at risk each year\n"
             "critical service level s\n  credit, the most severe row applies:\n    above 1%: 1% of the allocation\n"
             "  bonus by range:\n    below 5 seconds: EUR 1\n    from 1 to 2: 2% of calls\n"
             "  bonus only if t is met\n  allocation: 10% of the allocation\n"
             "service level t\n  measured as secs - sla\n  target: above 100%\n"
             "  credit: 1% of nope per 0 minutes above 1 second, pro rata\n"
             "  bonus: the shortfall in points as a percentage of fee\n".replace("  bonus: the", "  credit: the"))
    assert all(d.code.startswith("SLA2") for d in check(parse(Source("t.sla", messy))))


@pytest.mark.parametrize("credit, reached", [
    # 80 points / 0.3 per unit x 5% = 1,333.33...% of fee: a long figure is given to two places
    ("5% of fee per 0.3 point below 80%, pro rata, at most 2000% of fee", "about 1333.33% of fee"),
    # 80 points / 0.5 x 5% = 800% exactly: given as it is
    ("5% of fee per 0.5 point below 80%, pro rata, at most 2000% of fee", "800% of fee"),
])
def test_a_cap_that_can_never_bind_names_what_the_credit_reaches(credit, reached):
    (warning,) = found(SLA + f"  credit: {credit}\n")
    assert warning.code == "SLA225"
    assert warning.message == f"this cap can never bind: the most the credit can reach is {reached}"


# ---------------------------------------------------------------- the reporting grid (issue 10, item 3)

GRID = ("service level s\n  measured as secs, reported to whole seconds\n  target: at most 20 seconds\n"
        "  credit by range:\n    from 21 to 25 seconds: 10% of fee\n")


def test_a_table_in_whole_seconds_complete_on_the_grid_is_accepted():
    assert codes(GRID + "    from 26 to 30 seconds: 30% of fee\n    at least 31 seconds: 60% of fee\n") == []


def test_the_same_table_compared_exactly_has_gaps_between_the_whole_seconds():
    body = GRID.replace(", reported to whole seconds", "") + ("    from 26 to 30 seconds: 30% of fee\n"
                                                              "    at least 31 seconds: 60% of fee\n")
    assert errors(body) == ["SLA209", "SLA209", "SLA209"]


def test_a_real_gap_on_the_grid_is_still_an_error_naming_the_values():
    (d,) = found(GRID + "    from 27 to 30 seconds: 30% of fee\n    at least 31 seconds: 60% of fee\n")
    assert (d.code, d.severity) == ("SLA209", "error") and d.message == "the value 26 seconds falls in no row"
    assert d.notes == ("start this row where the row at line 11 ends: 'from 26 to ...'",)


def test_two_decimals_leave_no_gap_between_2_and_2_01_percent():
    body = ("service level s\n  measured as sla, reported to 2 decimals, rounding half even\n  target: at most 2%\n"
            "  credit by range:\n    from 2.01 to 2.50%: 10% of fee\n    at least 2.51%: 20% of fee\n")
    assert codes(body) == []


def test_a_row_holding_no_value_of_the_grid_is_an_error():
    assert "SLA229" in errors(GRID + "    above 25 to below 26 seconds: 20% of fee\n"
                                     "    at least 26 seconds: 60% of fee\n")


@pytest.mark.parametrize("grid", ["whole minutes", "whole points", "2.5 decimals", "12 decimals"])
def test_a_grid_that_does_not_fit_the_kpi_is_an_error(grid):
    body = GRID.replace("whole seconds", grid) + "    at least 26 seconds: 60% of fee\n"
    assert "SLA229" in errors(body)


# ---------------------------------------------------------------- rows as contracts word them (issue 10, item 4)

def test_rows_written_upper_bound_first_and_open_ranges_are_accepted_in_any_order():
    body = ("service level s\n  measured as sla\n  target: at least 99.95%\n  credit by range:\n"
            "    below 99.95% and at least 99.5%: 10% of fee\n    below 99% : 30% of fee\n"
            "    at least 99% and below 99.5%: 25% of fee\n"
            "service level t\n  measured as sla\n  target: at most 2%\n  credit by range:\n"
            "    above 2 to below 4%: 10% of fee\n    at least 4%: 20% of fee\n")
    assert codes(body) == []


def test_two_comparisons_bounding_a_row_from_one_side_are_an_error():
    body = ("service level s\n  measured as sla\n  target: at least 80%\n  credit by range:\n"
            "    below 80% and below 70%: 10% of fee\n    below 70%: 20% of fee\n")
    assert errors(body) == ["SLA228"]


def test_credits_at_most_is_the_amount_at_risk():
    # The cap binds: two service levels may each take all of it.
    twice = SLA + "  credit: 100% of the amount at risk\n" + SLA.replace("level s", "level t")
    assert codes("credits at most 50% of fee each month\n" + twice + "  credit: 100% of the amount at risk\n") == []


BANDS = ("service level s\n  measured as sla, reported to 2 decimals\n  target: at least 99.5%\n  credit by shortfall:\n"
         "    at most 2 points: 3% of fee\n")


def test_bands_on_the_shortfall_tiling_every_shortfall_are_accepted():
    assert codes(BANDS + "    above 2 to below 6 points: 8% of fee\n    at least 6 points: 12% of fee\n") == []


def test_a_gap_between_shortfall_bands_is_named_in_values_of_the_kpi():
    (d,) = found(BANDS + "    above 3 to below 6 points: 8% of fee\n    at least 6 points: 12% of fee\n")
    # Shortfalls above 2 up to 3 points are the values from 96.5% to below 97.5%: on two decimals, 96.50 to 97.49.
    assert (d.code, d.message) == ("SLA209", "the values from 96.5 to 97.49% fall in no row")


def test_a_shortfall_band_in_percent_is_a_unit_error():
    (d,) = found(BANDS + "    above 2%: 8% of fee\n")
    assert d.code == "SLA203" and d.notes == ("write '2 points'",)


# ---------------------------------------------------------------- the noun a contract counts in (issue 10, item 4)

def test_a_count_is_counted_in_the_noun_the_contract_uses():
    body = "service level s\n  measured as calls\n  target: at most 3\n  credit: USD 8 per ticket above 3, only whole tickets count\n"
    assert codes(body) == []


@pytest.mark.parametrize("kpi, unit", [("calls", "point"), ("sla", "ticket")])
def test_a_percentage_counts_points_and_a_count_not_another_kpis_unit(kpi, unit):
    target = "at most 3" if kpi == "calls" else "at most 3%"
    threshold = "3" if kpi == "calls" else "3%"
    body = (f"service level s\n  measured as {kpi}\n  target: {target}\n"
            f"  credit: USD 8 per {unit} above {threshold}, pro rata, at most 10% of fee\n")
    assert errors(body) == ["SLA203"]
# ---------------------------------------------------------------- critical service level failure

CRITICAL = SLA + "  credit: 2% of fee\n"


def failure(conditions: str = "s is below 50%", body: str = "  withhold 100% of fee\n",
            services: str = CRITICAL) -> str:
    return services + f"critical failure when {conditions}:\n" + body


@pytest.mark.parametrize("ruleset", [
    failure(),
    failure("s is at most 50%"),
    failure("1 or more service levels are missed in one month"),
    failure("s is below 50% or when 1 or more service levels are missed in one period"),
    failure(body="  credits of that month do not accrue\n  withhold 100% of fee\n  the client may terminate\n"),
    failure(body="  withhold 2% of fee\n"),  # credits accrue as well: nothing to compare
])
def test_valid_critical_failures_have_no_diagnostic(ruleset):
    assert codes(ruleset) == []


@pytest.mark.parametrize("ruleset, code", [
    (failure("t is below 50%"), "SLA201"),  # an unknown service level
    (failure("s is below 50 seconds"), "SLA203"),  # not the service level's unit
    (failure("s is below 90%"), "SLA207"),  # a month meeting 'at least 80%' could be a failure
    (failure("s is at most 80%"), "SLA207"),  # 80% exactly meets the target
    (failure(body="  withhold 100% of calls\n"), "SLA211"),  # a withhold of a count, not money
    (failure(body="  withhold 100% of nothing\n"), "SLA201"),
    (failure(body="  withhold 101% of fee\n"), "SLA213"),  # more than the charges
    (failure("2 or more service levels are missed in one month"), "SLA222"),  # one service level
    (failure("1 or more service levels are missed in one quarter"), "SLA216"),
    (failure(body="  credits of that quarter do not accrue\n  withhold 100% of fee\n"), "SLA216"),
    (failure() + "critical failure when s is below 10%:\n  withhold 100% of fee\n", "SLA204"),  # twice
])
def test_a_critical_failure_that_cannot_mean_what_it_says_is_an_error(ruleset, code):
    assert errors(ruleset) == [code]


def test_a_withhold_of_0_percent_is_a_clause_with_no_effect():
    assert codes(failure(body="  withhold 0% of fee\n")) == [("SLA223", "warning")]


def test_a_withhold_smaller_than_the_credits_it_replaces_is_a_warning():
    replaces = "  credits of that month do not accrue\n  withhold {}% of fee\n"
    five_percent = SLA + "  credit: 5% of fee\n"
    # The credit reaches 5% of the fee: a 4% withhold in its place would cost the vendor less.
    assert codes(failure(body=replaces.format(4), services=five_percent)) == [("SLA241", "warning")]
    assert codes(failure(body=replaces.format(5), services=five_percent)) == []
    # With an amount at risk of 3%, the credits never reach more than 3%: a 4% withhold is heavier.
    capped = "at risk: 3% of fee each month\n" + five_percent
    assert codes(failure(body=replaces.format(4), services=capped)) == []


FLAGGED = "service level s\n  measured as sla\n  target: at least 80%\n  measured only when calls is at most 0\n" \
          "  credit: 2% of fee\n"
COUNTED = ("service level s\n  measured as sla * calls / calls\n  target: at least 80%\n"
           "  measured only when calls is at least 500\n  credit: 2% of fee\n")


def test_a_floor_on_a_service_level_gated_by_another_input_is_a_warning():
    # The old workaround: a flag input marks the month not measured, which silently stops the floor.
    assert codes(failure(services=FLAGGED)) == [("SLA240", "warning")]
    assert codes(FLAGGED + "terminate when s is below 50% in any month\n") == [("SLA240", "warning")]
    # A minimum volume of the measurement's own count is the contract's own rule: no warning.
    assert codes(failure(services=COUNTED)) == []
    assert codes(COUNTED + "terminate when s is below 50% in any month\n") == []
