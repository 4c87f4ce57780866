"""Amounts that move each contract year (issue 14, item 6): `amounts indexed to cpi, base
2026-01, adjusted each contract year`. The factor is the index at the contract year's start /
the index in the base month, applied exactly and rounded as the clause says; an amendment's
amounts are indexed from the start of the contract year it takes effect in; the index values a
later run needs travel in the state; a missing or zero index value names its row."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

import slarules
from slarules import Source
from slarules.core.diagnostics import SlaError
from slarules.engine.vectorised import unsupported
from slarules.tools.explain import explain

TEXT = """contract "Indexed" currency USD, starts 2026-01
inputs
  late count
  cpi index "consumer price index"
amounts indexed to cpi, base 2026-01, adjusted each contract year{rounded}
service level resolution
  measured as late
  target: at most 0
  credit: USD 100 per ticket above 0, only whole tickets count, at most USD 250
"""


def program(rounded="", extra=""):
    return slarules.compile_source(Source("indexed.sla", TEXT.format(rounded=rounded) + extra))


def credits(outcome):
    return {p.period: p.totals.credits for p in outcome.periods}


# cpi 300 in the base month; 2027-01 is 310: factor 310 / 300 = 1.0333...; 2028-01 is 330: 1.1.
HISTORY = {"2026-01": {"late": "1", "cpi": "300"}, "2026-12": {"late": "1"},
           "2027-01": {"late": "1", "cpi": "310"}, "2027-02": {"late": "5", "cpi": "999"},
           "2028-01": {"late": "1", "cpi": "330"}}


def history(**changed):
    months = [f"{y}-{m:02d}" for y in (2026, 2027, 2028) for m in range(1, 13)][:25]
    data = {label: {"late": "0"} for label in months}
    for label, values in HISTORY.items():
        data[label] = dict(values)
    for label, values in changed.items():
        data[label.replace("_", "-")] = values
    return data


def test_amounts_move_by_the_index_at_each_contract_year_start():
    outcome = program().evaluate(history())
    # Year 1: USD 100 as written. Year 2: 100 x 310 / 300 = 103.333... -> 103.33 (the contract's
    # cents, half up), the cap 250 x 310 / 300 = 258.333... -> 258.33; February's 999 is not read.
    # Year 3: 100 x 330 / 300 = 110.00.
    got = credits(outcome)
    assert (got["2026-01"], got["2026-12"], got["2027-01"], got["2028-01"]) == (
        Decimal("100.00"), Decimal("100.00"), Decimal("103.33"), Decimal("110.00"))
    # 5 tickets x 103.33 = 516.65, capped at 258.33.
    assert got["2027-02"] == Decimal("258.33")
    (line,) = [line for line in outcome.periods[12].lines]
    assert line.explanation.endswith("× USD 103.33 (USD 100.00 × cpi 310 in 2027-01 / 300 in 2026-01) = 103.33")


def test_rounded_to_whole_units():
    got = credits(program(", rounded to whole units").evaluate(history()))
    assert got["2027-01"] == Decimal("103.00")  # 103.333... to whole dollars


def test_month_by_month_equals_the_whole_history():
    terms = program()
    data = history()
    whole = credits(terms.evaluate(data))
    state, run = None, {}
    for label, values in data.items():
        outcome = terms.evaluate({label: values}, state)
        state = terms.load_state(outcome.state_json())
        run.update(credits(outcome))
    assert run == whole
    # The state keeps the base and the latest contract year's start, nothing older.
    assert json.loads(outcome.state_json())["index_values"] == {"2026-01": "300", "2028-01": "330"}


def test_a_missing_index_value_at_a_contract_year_start_names_the_row():
    with pytest.raises(SlaError) as err:
        program().evaluate(history(**{"2027_01": {"late": "1"}}))
    assert "error[SLA316]: period 2027-01 has no value for the index 'cpi'" in str(err.value)


def test_a_zero_index_is_a_data_error():
    with pytest.raises(SlaError) as err:
        program().evaluate(history(**{"2026_01": {"late": "1", "cpi": "0"}}))
    assert "error[SLA317]: period 2026-01: the index 'cpi' is 0" in str(err.value)


def test_data_starting_after_the_base_without_a_state_cannot_be_indexed():
    with pytest.raises(SlaError) as err:
        program().evaluate({"2027-01": {"late": "1", "cpi": "310"}})
    assert "error[SLA316]: the value of the index 'cpi' in 2026-01 is not known" in str(err.value)
    # In the base's contract year no factor is needed.
    assert credits(program().evaluate({"2026-05": {"late": "1"}})) == {"2026-05": Decimal("100.00")}


def test_an_amendment_is_indexed_from_the_contract_year_it_takes_effect_in():
    amended = program(extra="""amendment effective 2027-06
  service level resolution
    credit: USD 120 per ticket above 0, only whole tickets count, at most USD 300
""")
    got = credits(amended.evaluate(history(**{"2027_06": {"late": "1"}})))
    # 2027-06: USD 120 as written (its base is 2027-01, the start of its contract year);
    # 2028-01: 120 x 330 / 310 = 127.741... -> 127.74.
    assert (got["2027-01"], got["2027-06"], got["2028-01"]) == (
        Decimal("103.33"), Decimal("120.00"), Decimal("127.74"))


def test_indexation_goes_to_the_exact_evaluator():
    assert unsupported(program()) == "amounts indexed to a price index"


@pytest.mark.parametrize("text, code, message", [
    ("amounts indexed to late, base 2026-01, adjusted each contract year",
     "SLA250", "'late' is declared count, not index"),
    ("amounts indexed to cpi, base 2025-12, adjusted each contract year",
     "SLA252", "the base month 2025-12 is before the contract starts (2026-01)"),
])
def test_check_errors(text, code, message):
    source = TEXT.format(rounded="").replace(
        "amounts indexed to cpi, base 2026-01, adjusted each contract year", text)
    with pytest.raises(SlaError) as err:
        slarules.compile_source(Source("bad.sla", source))
    assert f"error[{code}]: {message}" in str(err.value)


def test_an_index_named_in_a_measurement_is_an_error():
    source = TEXT.format(rounded="").replace("measured as late", "measured as late + cpi")
    with pytest.raises(SlaError) as err:
        slarules.compile_source(Source("bad.sla", source))
    assert "error[SLA251]: input 'cpi' is an index" in str(err.value)


def test_nothing_to_index_is_a_warning():
    source = TEXT.format(rounded="").replace(
        "credit: USD 100 per ticket above 0, only whole tickets count, at most USD 250",
        "credit: 1% of fee").replace("  late count", "  late count\n  fee money")
    program = slarules.compile_source(Source("nothing.sla", source))
    assert [w.code for w in program.warnings] == ["SLA253"]


def test_explain_names_the_index_and_the_base_with_a_worked_example():
    text = explain(slarules.parse(Source("indexed.sla", TEXT.format(rounded=""))))
    assert "4.2 Indexation. Every fixed amount of money" in text
    assert "The base is cpi in January 2026." in text
    # The worked example indexes the ruleset's first fixed amount by a factor of 1.03.
    assert "the factor is 103 / 100 = 1.03, and USD 100 is USD 103.00 in that year" in " ".join(text.split())
