"""Hostile input (issue 11, items 8-11, 16): every such input is an SLA error naming the
place and the limit, never a Python traceback, and no diagnostic grows with its input."""
from __future__ import annotations

import json

import pytest

from slarules import SlaError, load, read_history

ACME = "rulesets/acme_contact_center.sla"
HEADER = "period,monthly_fee,calls_offered,answered_in_20s,abandoned,resolved_first_call,quality_score\n"
HUGE_YEAR = "9" * 5000 + "-01"


@pytest.fixture(scope="module")
def acme():
    return load(ACME)


def codes(raised) -> list[str]:
    return [d.code for d in raised.value.diagnostics]


@pytest.mark.parametrize("name, text", [
    ("d.csv", HEADER + HUGE_YEAR + ",60000,1000,900,10,800,95\n"),
    ("d.json", json.dumps({"periods": [{"period": HUGE_YEAR}]})),
])
def test_a_5000_digit_year_is_not_a_period_label(acme, tmp_path, name, text):
    data = tmp_path / name
    data.write_text(text)
    with pytest.raises(SlaError) as raised:
        read_history(acme, data)
    assert codes(raised) == ["SLA306"]
    assert len(str(raised.value)) < 1000


def test_an_event_in_a_5000_digit_year_is_not_a_period_of_the_data(acme, tmp_path):
    data, events = tmp_path / "d.csv", tmp_path / "e.csv"
    data.write_text(HEADER + "2026-01,60000,1000,900,10,800,95\n")
    events.write_text(f"period,service_level,event,reason\n{HUGE_YEAR},quality,waive,x\n")
    with pytest.raises(SlaError) as raised:
        read_history(acme, data, events)
    assert codes(raised) == ["SLA306"]
    assert len(str(raised.value)) < 1000


def test_a_5000_digit_year_given_to_the_api_is_an_error(acme):
    with pytest.raises(SlaError) as raised:
        acme.evaluate({HUGE_YEAR: {"monthly_fee": "1"}})
    assert "SLA306" in codes(raised)
    assert len(str(raised.value)) < 2000


TEN_MB = 10_000_000


def test_a_10_mb_json_cell_gives_a_short_diagnostic(acme, tmp_path):
    data = tmp_path / "d.json"
    big = "9" * TEN_MB
    data.write_text('{"periods": [{"period": "2026-01", "monthly_fee": ' + big + ', "calls_offered": "-' + big
                    + '", "abandoned": "' + big + 'x", "' + "q" * TEN_MB + '": 1}]}')
    with pytest.raises(SlaError) as raised:
        read_history(acme, data)
    assert codes(raised) == ["SLA304", "SLA303", "SLA303", "SLA302"]
    assert len(str(raised.value)) < 2000


def test_a_long_csv_line_is_quoted_around_the_problem(acme, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(HEADER + "2026-01," + "9" * 100_000 + ",1000,900,10,800,101\n")
    with pytest.raises(SlaError) as raised:
        read_history(acme, data)
    shown = str(raised.value)
    assert codes(raised) == ["SLA303", "SLA303"]  # a fee of 100,000 digits; a score above 100%
    assert len(shown) < 2000
    # the second quotes the line from a little before its cell, and its caret still points at it
    second = shown.splitlines()[raised.value.diagnostics[0].render().count("\n") + 1:]
    quoted, caret = second[2], second[3]
    assert quoted.startswith("2 | ...") and quoted.endswith(",800,101")
    assert caret.index("^") == quoted.index(",101") + 1 and caret.endswith("^^^")


def test_json_nested_100000_brackets_deep_is_an_error_naming_the_limit(acme, tmp_path):
    data = tmp_path / "d.json"
    data.write_text('{"periods": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(SlaError) as raised:
        read_history(acme, data)
    assert codes(raised) == ["SLA301"]
    assert "brackets nest deeper than the JSON reader follows" in str(raised.value)


@pytest.mark.parametrize("terms, code", [(201, None), (202, "SLA008"), (500, "SLA008"), (5000, "SLA008")])
def test_a_measurement_of_hundreds_of_terms_is_an_error_naming_the_limit(terms, code):
    from slarules import Source, compile_source
    text = ('contract "T" currency USD, starts 2026-01\ninputs\n fee money\n a count\nservice level s\n'
            f" measured as {' + '.join(['a'] * terms)}\n target: at least 1\n credit: 1% of fee\n")
    if code is None:  # 200 operators: compiled and evaluated (201 × 1 = 201 meets "at least 1")
        outcome = compile_source(Source("t.sla", text)).evaluate({"2026-01": {"fee": "1", "a": "1"}})
        assert outcome.periods[0].results[0].value == terms
        return
    with pytest.raises(SlaError) as raised:
        compile_source(Source("t.sla", text))
    assert codes(raised) == [code]
    assert "more than 200 operations deep" in str(raised.value)


def test_a_ruleset_with_a_byte_order_mark_is_read(tmp_path):
    from slarules.interfaces.cli import main
    ruleset = tmp_path / "bom.sla"
    ruleset.write_bytes(b"\xef\xbb\xbf" + open(ACME, "rb").read())
    assert load(ruleset).title == load(ACME).title
    for command in (["check", str(ruleset)], ["explain", str(ruleset)], ["fmt", "--check", str(ruleset)]):
        assert main(command) == 0, command


# ---------------------------------------------------------------- the Python API's parameters
# A value of the wrong Python type is a TypeError naming the parameter (a programming error);
# a value of the right type that says something wrong (a label, a value, an event) is an SlaError.

def _history(acme):
    return read_history(acme, "rulesets/acme_contact_center.csv")


@pytest.mark.parametrize("call, parameter", [
    (lambda p, h: load(None), "path"),
    (lambda p, h: load(b"rulesets/acme_contact_center.sla"), "path"),
    (lambda p, h: __import__("slarules").compile_source("contract ..."), "source"),
    (lambda p, h: __import__("slarules").parse(None), "source"),
    (lambda p, h: __import__("slarules").check("x"), "ruleset"),
    (lambda p, h: read_history(None, "rulesets/acme_contact_center.csv"), "program"),
    (lambda p, h: p.evaluate(None), "history"),
    (lambda p, h: p.evaluate([]), "history"),
    (lambda p, h: p.evaluate(h, state="{}"), "state"),
    (lambda p, h: p.evaluate(h, state={}), "state"),
    (lambda p, h: p.evaluate(h, events=1), "events"),
    (lambda p, h: p.evaluate(h, events="waive"), "events"),
    (lambda p, h: p.load_state(None), "text"),
    (lambda p, h: p.load_state(b"{}"), "text"),
    (lambda p, h: __import__("slarules").Source("x.sla", None), "text"),
])
def test_a_parameter_of_the_wrong_type_is_a_type_error_naming_it(acme, call, parameter):
    with pytest.raises(TypeError, match=rf"\b{parameter} must be"):
        call(acme, _history(acme))


@pytest.mark.parametrize("history, code", [
    ({"2026-01": 5}, "SLA308"),                        # a period's values are no mapping
    ({"2026-01": None}, "SLA308"),
    ({"2026-01": {"monthly_fee": 1.5}}, "SLA302"),     # a float is no exact number
    ({1: {}}, "SLA306"),                               # 1 is no period label
])
def test_a_mapping_that_says_something_wrong_is_an_sla_error(acme, history, code):
    with pytest.raises(SlaError) as raised:
        acme.evaluate(history)
    assert code in codes(raised)


def test_a_history_built_by_hand_that_evaluation_cannot_read_is_an_sla_error(acme):
    from slarules import History, PeriodData
    for history, code in [(History(("2026-01",)), "SLA308"), (History((PeriodData("zz", {}),)), "SLA306")]:
        with pytest.raises(SlaError) as raised:
            acme.evaluate(history)
        assert code in codes(raised)


def test_an_event_that_is_no_mapping_is_an_sla_error(acme):
    with pytest.raises(SlaError) as raised:
        acme.evaluate(_history(acme), events=["waive"])
    assert codes(raised) == ["SLA308"]
