"""Robustness: whatever a user feeds in, the answer is a result or an SlaError.

Ruleset text (arbitrary, generated from the grammar with from_lark, printed
from any tree the grammar can express, or a valid ruleset with a few words
cut, repeated or swapped) parses to a Ruleset or raises SlaError; check()
then returns its diagnostics without raising, and a ruleset with no error
compiles. Data text (arbitrary, CSV-like or JSON-like) reads to a History or
raises SlaError, and values of any type and sign evaluate to an Outcome or
raise SlaError. Magnitudes beyond what exact decimal money can carry are
pinned by their own test.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from slarules import History, Outcome, SlaError, Source, check, compile_ruleset, parse
from slarules.formats.kpi_data import parse_history
from slarules.language.grammar import parser
from slarules.language.printer import to_source

from strategies import DataModel, compiled, histories, plain_text, rulesets, syntax_trees


def assert_reported(err: SlaError, *families: str, places=()) -> None:
    """An SlaError a user can act on: at least one diagnostic, each of one of the code
    families and naming where the problem is: a span in a file, a location (such as
    "data.json: periods[3]"), or in its message one of `places` (the data file's name, or
    a period label or input name of data passed as a mapping)."""
    assert err.diagnostics
    for d in err.diagnostics:
        assert d.code.startswith(families), d.render()
        assert d.span is not None or d.location or any(repr(str(p)) in d.message or
                                                       str(p) in d.message.split() for p in places), d.render()


def parse_check_compile(text: str):
    """The passes a ruleset goes through; only SlaError may escape, and only from parse."""
    try:
        tree = parse(Source("fuzz.sla", text))
    except SlaError as err:
        assert_reported(err, "SLA0", "SLA1")
        return None
    diagnostics = check(tree)
    assert all(d.code.startswith("SLA2") for d in diagnostics)
    if any(d.is_error for d in diagnostics):
        return None
    return tree, compile_ruleset(tree)


@given(st.text())
def test_any_text_parses_or_raises_a_syntax_error(text):
    parse_check_compile(text)


@given(from_lark(parser(strict=True)))  # the parser built from the grammar: from_lark reads it
def test_text_from_the_grammar_parses_or_raises_a_syntax_error(text):
    parse_check_compile(text)


@given(data=st.data())
def test_any_printed_tree_checks_without_raising_and_evaluates_if_clean(data):
    passed = parse_check_compile(to_source(data.draw(syntax_trees)))
    if passed is not None:
        tree, program = passed
        history = data.draw(histories(DataModel.of(tree)))
        try:
            assert isinstance(program.evaluate(history), Outcome)
        except SlaError as err:
            assert_reported(err, "SLA3", "SLA4")


@st.composite
def edited_rulesets(draw) -> str:
    """A valid ruleset with a few of its words deleted, repeated or exchanged."""
    words = to_source(draw(rulesets(max_service_levels=2))).split(" ")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(words) - 1))
        edit = draw(st.sampled_from(("delete", "repeat", "swap")))
        if edit == "delete":
            del words[i]
        elif edit == "repeat":
            words.insert(i, words[i])
        else:
            j = draw(st.integers(0, len(words) - 1))
            words[i], words[j] = words[j], words[i]
    return " ".join(words)


@given(data=st.data())
def test_an_edited_valid_ruleset_parses_checks_and_evaluates_or_reports(data):
    passed = parse_check_compile(data.draw(edited_rulesets()))
    if passed is not None:
        tree, program = passed
        try:
            program.evaluate(data.draw(histories(DataModel.of(tree))))
        except SlaError as err:
            assert_reported(err, "SLA3", "SLA4")


# ------------------------------------------------------------------ data

def a_subject():
    return rulesets(max_service_levels=2).map(lambda r: compiled("generated.sla", to_source(r)))


numbers_as_text = st.one_of(
    st.decimals(min_value=-10 ** 12, max_value=10 ** 12, allow_nan=False, allow_infinity=False).map(lambda d: f"{d:f}"),
    st.integers(-10 ** 12, 10 ** 12).map(str),
    st.sampled_from(("", " ", "1e5", "NaN", "inf", "-0", "12%", "100.5%", "1,000", ".5", "5.", "0x10", "½", "١٢")),
    plain_text(8))


@st.composite
def csv_like(draw, program) -> str:
    columns = ["period"] + [spec.name for spec in program.inputs]
    header = draw(st.lists(st.sampled_from(columns) | st.text(max_size=6), max_size=len(columns) + 1))
    if draw(st.booleans()):
        header = columns if draw(st.booleans()) else ["period", "input", "value"]
    labels = st.sampled_from(("2026-01", "2026-02", "2026-13", "2025-12", "2026-Q1", "2026", "")) | st.text(max_size=8)
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 4))):
        cells = [draw(labels)] + [draw(numbers_as_text) for _ in header[1:]]
        lines.append(",".join(cells[: draw(st.integers(0, len(cells) + 1))] if draw(st.booleans()) else cells))
    return "\n".join(lines) + draw(st.sampled_from(("", "\n", "\r\n")))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10 ** 12, 10 ** 12) | st.floats(-1e12, 1e12) | numbers_as_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)


@st.composite
def json_like(draw, program) -> str:
    keys = st.sampled_from(["period"] + [spec.name for spec in program.inputs]) | st.text(max_size=6)
    periods = draw(st.lists(st.dictionaries(keys, json_values | st.sampled_from(("2026-01", "2026-02"))), max_size=4))
    document = draw(st.sampled_from(({"periods": periods}, periods, {"periods": draw(json_values)})))
    return json.dumps(document, default=str)


def without_lone_carriage_returns(text: str) -> bool:
    """A carriage return not ending a line is pinned by its own test below."""
    return "\r" not in text.replace("\r\n", "")


@given(data=st.data())
def test_any_data_text_reads_to_a_history_or_raises_data_errors(data):
    program = data.draw(a_subject()).program
    text = data.draw((st.text() | csv_like(program) | json_like(program)).filter(without_lone_carriage_returns))
    path = data.draw(st.sampled_from(("data.csv", "data.json", "data.txt")))
    try:
        history = parse_history(program, Source(path, text))
    except SlaError as err:
        assert_reported(err, "SLA3", places=[path])
        return
    assert isinstance(history, History)
    try:
        program.evaluate(history)
    except SlaError as err:
        assert_reported(err, "SLA4")


any_values = st.one_of(
    st.decimals(min_value=-10 ** 15, max_value=10 ** 15, allow_nan=False, allow_infinity=False, places=4),
    st.integers(-10 ** 15, 10 ** 15),
    st.sampled_from((Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("-0"))),
    st.floats(), st.booleans(), st.none(), numbers_as_text, st.lists(st.integers(), max_size=2))


@given(data=st.data())
def test_any_values_evaluate_to_an_outcome_or_raise_data_errors(data):
    program = data.draw(a_subject()).program
    names = [spec.name for spec in program.inputs]
    labels = st.sampled_from(("2026-01", "2026-02", "2026-03", "2031-12", "2026-1", "x")) | st.text(max_size=7)
    mapping = data.draw(st.dictionaries(labels, st.dictionaries(st.sampled_from(names), any_values), max_size=4))
    try:
        outcome = program.evaluate(mapping)
    except SlaError as err:
        assert_reported(err, "SLA3", "SLA4", places=[*mapping, *(n for row in mapping.values() for n in row)])
        return
    assert isinstance(outcome, Outcome)
    outcome.to_json()


CLOUD = """contract "T" currency EUR, starts 2026-01
inputs
  monthly_fee     money
  monthly_uptime  percent
service level uptime
  measured as monthly_uptime
  target: at least 99.95%
  credit: 10% of monthly_fee
"""


def read_or_errors(program, text: str):
    """The history read from CSV text, or the (code, line, column) of each data error."""
    try:
        return parse_history(program, Source("data.csv", text))
    except SlaError as err:
        return [(d.code, d.span and d.span.line, d.span and d.span.column) for d in err.diagnostics]


@example(lines=["period,monthly_fee,monthly_uptime", "2026-01,1000,99", ""], end="\r")
@given(st.lists(st.sampled_from(("period,monthly_fee,monthly_uptime", "2026-01,1000,99", "2026-02,1000,100",
                                 "2026-02,10\r00,100", "")), min_size=1, max_size=4),
       st.sampled_from(("\r", "\r\n")))
def test_carriage_return_line_endings_read_as_newlines_do(lines, end):
    """Classic Mac (a lone \\r) and Windows line ends read as a file on disk reads them:
    the same history, or the same data errors on the same lines and columns, as with \\n."""
    program = compiled("cloud.sla", CLOUD).program
    assert read_or_errors(program, end.join(lines)) == read_or_errors(program, "\n".join(lines))


@example(extra="montly_fee")
@given(st.text(max_size=12).filter(lambda n: n not in ("monthly_fee", "monthly_uptime")))
def test_an_unknown_input_in_a_mapping_is_a_data_error(extra):
    program = compiled("cloud.sla", CLOUD).program
    values = {"monthly_fee": "1000", "monthly_uptime": "99.99", extra: "5"}
    with pytest.raises(SlaError) as raised:
        program.evaluate({"2026-01": values})
    assert [d.code for d in raised.value.diagnostics] == ["SLA304"]


HUGE = """contract "T" currency USD, starts 2026-01
inputs
  fee  money
  up   percent
service level s
  measured as up
  target: at least 99%
  credit: 5% of fee
"""


@example(text='{"periods": [{"period": "2026-01", "fee": 1e999999999, "up": 50}]}')
@example(text="period,fee,up\n2026-01,1" + "0" * 40 + ",50\n")
@given(st.builds(lambda digits, exponent: f"period,fee,up\n2026-01,{digits}{'0' * exponent},50\n",
                 st.integers(1, 9), st.integers(20, 60)))
def test_money_too_large_for_exact_arithmetic_is_reported_not_crashed(text):
    program = compiled("huge.sla", HUGE).program
    try:
        program.evaluate(parse_history(program, Source("data.json" if text.startswith("{") else "data.csv", text)))
    except SlaError as err:
        assert_reported(err, "SLA3", "SLA4")
