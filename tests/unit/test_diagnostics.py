"""Diagnostics: every problem a user can make, rendered exactly as `slarules` prints it.

Golden files hold the whole rendered text (first line, source line, caret, notes),
so a change to a message, a caret or the format shows up as a diff to read:

  golden/diagnostics/NAME.sla       one small ruleset per problem (NAME.sla.md: a literate one);
                                    its first line is a `#` comment naming the code(s) and what it tests
  golden/diagnostics/NAME.expected  what `parse` + `check` report for it
  golden/data_errors/ruleset.sla    the ruleset every data file there is read against
  golden/data_errors/NAME.csv|json  one bad data file per problem (SLA3xx, SLA4xx)
  golden/data_errors/NAME.expected  what reading and evaluating it reports

Paths are shown relative to tests/, so the output is the same on every machine.
`pytest --update-golden` rewrites the .expected files; read the diff before committing.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import lark
import pytest

from slarules import SlaError, Source, check, compile_source, parse
from slarules.formats.kpi_data import parse_history
from slarules.core.diagnostics import CODES, Diagnostic, did_you_mean, render
from slarules.language.grammar import parser
from slarules.language.syntax_errors import _EXAMPLES, _WHERE, _examples_for, _parse_example
from slarules.core.source import Span

TESTS = Path(__file__).resolve().parents[1]
PACKAGE = TESTS.parent / "slarules"
DIAGNOSTICS = TESTS / "golden" / "diagnostics"
DATA_ERRORS = TESTS / "golden" / "data_errors"
RULESET_CASES = sorted([*DIAGNOSTICS.glob("*.sla"), *DIAGNOSTICS.glob("*.sla.md")])  # .sla.md: literate
DATA_CASES = sorted(p for p in DATA_ERRORS.iterdir() if p.suffix in (".csv", ".json"))
STATE_ERRORS = TESTS / "golden" / "state_errors"
EVALUATION_ERRORS = TESTS / "golden" / "evaluation_errors"
CODE = re.compile(r"SLA\d\d\d")


def _source(path: Path) -> Source:
    return Source(path.relative_to(TESTS).as_posix(), path.read_text(encoding="utf-8"))


def ruleset_diagnostics(path: Path) -> list[Diagnostic]:
    try:
        return check(parse(_source(path)))
    except SlaError as err:
        return list(err.diagnostics)


def data_diagnostics(path: Path) -> list[Diagnostic]:
    program = compile_source(_source(DATA_ERRORS / "ruleset.sla"))
    try:
        program.evaluate(parse_history(program, _source(path)))
    except SlaError as err:
        return list(err.diagnostics)
    return []


def rendered(diagnostics: list[Diagnostic]) -> str:
    return render(diagnostics) + "\n"


def _codes(diagnostics) -> set[str]:
    return {d.code for d in diagnostics}


# ---------------------------------------------------------------- golden rulesets

@pytest.mark.parametrize("case", RULESET_CASES, ids=lambda p: p.stem)
def test_ruleset_diagnostics_match_their_golden_file(case, golden):
    golden(rendered(ruleset_diagnostics(case)), case.with_suffix(".expected"))


@pytest.mark.parametrize("case", RULESET_CASES, ids=lambda p: p.stem)
def test_each_golden_ruleset_names_the_codes_it_tests_and_gets_them(case):
    first = case.read_text(encoding="utf-8").splitlines()[0]
    assert re.match(r"# SLA\d\d\d\b", first), f"{case.name}: the first line should be '# SLAxxx: what it tests'"
    found = ruleset_diagnostics(case)
    assert set(CODE.findall(first)) <= _codes(found)


# ---------------------------------------------------------------- golden data files

def test_the_data_error_ruleset_itself_checks_clean():
    assert check(parse(_source(DATA_ERRORS / "ruleset.sla"))) == []


@pytest.mark.parametrize("case", DATA_CASES, ids=lambda p: p.name)
def test_data_file_diagnostics_match_their_golden_file(case, golden):
    found = data_diagnostics(case)
    assert found, f"{case.name} should be rejected"
    golden(rendered(found), case.with_suffix(".expected"))


# ---------------------------------------------------------------- saved states

# Each case turns the state saved after January (state_errors/january.csv, read
# against data_errors/ruleset.sla) into what a billing run might wrongly be given.
STATE_CASES = {
    # Saved under terms that credited speed_of_answer otherwise: the state names the clause that changed.
    "state_of_another_ruleset": lambda state: {**state, "terms": [{"from": None, "terms": {
        **state["terms"][0]["terms"], "service level speed_of_answer: credit": "sha256:" + "0" * 64}}]},
    "damaged_state": lambda state: {key: value for key, value in state.items() if key != "windows"},
    "not_a_state": lambda state: ["not", "a", "state"],
    "data_does_not_continue_the_state": lambda state: state,  # march.csv skips February
}


@pytest.mark.parametrize("case", sorted(STATE_CASES))
def test_state_diagnostics_match_their_golden_file(case, golden):
    program = compile_source(_source(DATA_ERRORS / "ruleset.sla"))
    january = program.evaluate(parse_history(program, _source(STATE_ERRORS / "january.csv")))
    given = json.dumps(STATE_CASES[case](json.loads(january.state_json())))
    with pytest.raises(SlaError) as info:
        state = program.load_state(given, f"golden/state_errors/{case}.state.json")
        program.evaluate(parse_history(program, _source(STATE_ERRORS / "march.csv")), state)
    golden(rendered(list(info.value.diagnostics)), STATE_ERRORS / f"{case}.expected")


# ---------------------------------------------------------------- evaluation

@pytest.mark.parametrize("case", sorted(EVALUATION_ERRORS.glob("*.sla")), ids=lambda p: p.stem)
def test_evaluation_diagnostics_match_their_golden_file(case, golden):
    """Rulesets that check clean but cannot be evaluated over their data file."""
    program = compile_source(_source(case))
    assert [d for d in check(parse(_source(case))) if d.severity == "error"] == []
    with pytest.raises(SlaError) as info:
        program.evaluate(parse_history(program, _source(case.with_suffix(".csv"))))
    golden(rendered(list(info.value.diagnostics)), case.with_suffix(".expected"))


# ---------------------------------------------------------------- the codes

def _codes_written_in_package() -> set[str]:
    """Every code the package can emit: SLAxxx in its source, outside the CODES table."""
    used = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "diagnostics.py":
            text = re.sub(r"CODES: dict\[str, str\] = \{.*?\n\}", "", text, flags=re.DOTALL)
        used |= set(CODE.findall(text))
    return used


def test_every_code_in_the_package_is_listed_in_codes_and_every_listed_code_is_used():
    used = _codes_written_in_package()
    assert sorted(used - set(CODES)) == [], "codes emitted but not listed in diagnostics.CODES"
    assert sorted(set(CODES) - used) == [], "codes listed in diagnostics.CODES that nothing emits"


def test_every_code_has_a_golden_file_that_produces_it():
    produced = set()
    for expected in [*DIAGNOSTICS.glob("*.expected"), *DATA_ERRORS.glob("*.expected"),
                     *STATE_ERRORS.glob("*.expected"), *EVALUATION_ERRORS.glob("*.expected"),
                     *(TESTS / "golden" / "file_errors").glob("*.expected"),  # test_billing_files.py, test_streaming.py
                     *(TESTS / "golden" / "service").glob("*.expected"),  # from tests/service/test_errors.py
                     *(TESTS / "golden" / "review").glob("*.expected"),  # from tests/unit/test_review.py
                     *(TESTS / "golden" / "subject_errors").glob("*.expected")]:  # test_subjects.py
        produced |= set(re.findall(r"(?:error|warning|note)\[(SLA\d\d\d)\]", expected.read_text(encoding="utf-8")))
    assert sorted(set(CODES) - produced) == []


def test_codes_are_grouped_by_pass():
    for code in CODES:
        assert code[3] in "023456", (f"{code}: SLA0xx syntax, SLA2xx check, SLA3xx data, SLA4xx evaluation, "
                                     "SLA5xx files written, SLA6xx service requests")


# ---------------------------------------------------------------- syntax examples

@pytest.mark.parametrize("label", list(_EXAMPLES), ids=lambda label: label.split(" ", 1)[0])
def test_each_syntax_example_fails_where_it_should_and_matches_its_own_label(label):
    """Each example is tried after several prefixes; the error must come after the prefix,
    not in it, or the label would attach to an unrelated state."""
    for place, example in _EXAMPLES[label]:
        for where in _WHERE[place]:
            text = where + example
            with pytest.raises(lark.UnexpectedInput) as info:
                parser().parse(text)
            err = info.value
            assert err.column > len(where) or getattr(err, "token", None) == "", text
            # As parse.py matches: examples in the same state but with other acceptable tokens left out
            # (a band's `below 80%` may go on with 'and', a `from 1 to 2%` may not).
            assert err.match_examples(_parse_example, _examples_for(err), use_accepts=True) == label, text


def test_a_clause_keyword_as_an_input_name_is_not_mistaken_for_a_missing_clause():
    # 'credit' is a fine input name: only 'credit' followed by ':' etc. means a misplaced clause.
    ruleset = parse(Source("t.sla", 'contract "C" currency USD, starts 2026-01\ninputs\n  credit money\n'))
    assert ruleset.inputs[0].name.text == "credit"


def test_a_syntax_error_never_reports_a_code_outside_the_syntax_range():
    for case in RULESET_CASES:
        try:
            parse(_source(case))
        except SlaError as err:
            # A Markdown file with no ```sla block has no ruleset text to have a syntax error in.
            assert all(d.code.startswith("SLA0") or d.code == "SLA260" for d in err.diagnostics), case.name


# ---------------------------------------------------------------- rendering

def _span(text: str, line: int, column: int, end_column: int, end_line: int | None = None) -> Span:
    return Span(Source("r.sla", text), line, column, end_line or line, end_column)


def test_render_puts_a_caret_the_width_of_the_span_under_the_source_line():
    d = Diagnostic("SLA201", "unknown input 'fe'", _span("a\ncredit: 2% of fe\n", 2, 15, 17), ("did you mean 'fee'?",))
    assert d.render() == (
        "r.sla:2:15: error[SLA201]: unknown input 'fe'\n"
        "  |\n"
        "2 | credit: 2% of fe\n"
        "  |               ^^\n"
        "  = note: did you mean 'fee'?"
    )


def test_render_expands_tabs_to_one_space_so_the_caret_lines_up():
    d = Diagnostic("SLA201", "m", _span("\tcredit: 2% of fe", 1, 15, 17))
    assert d.render().splitlines()[2:] == ["1 |  credit: 2% of fe", "  |               ^^"]


def test_render_widens_the_gutter_for_line_numbers_of_several_digits():
    text = "\n" * 99 + "target: at least 80\n"
    lines = Diagnostic("SLA203", "m", _span(text, 100, 18, 20), ("n",), severity="warning").render().splitlines()
    assert lines == ["r.sla:100:18: warning[SLA203]: m", "    |", "100 | target: at least 80",
                     "    |                  ^^", "    = note: n"]


def test_render_of_a_span_over_several_lines_underlines_to_the_end_of_the_first():
    d = Diagnostic("SLA215", "m", _span("  credit: 1% of fee per point below 80%,\n  pro rata\n", 1, 3, 11, end_line=2))
    assert d.render().splitlines()[3] == "  |   " + "^" * len("credit: 1% of fee per point below 80%,")


def test_render_of_an_empty_span_still_shows_one_caret():
    d = Diagnostic("SLA004", "m", _span("target: at least", 1, 17, 17))
    assert d.render().splitlines()[3] == "  |                 ^"


def test_render_without_a_span_names_the_location_when_there_is_one():
    assert Diagnostic("SLA304", "m", location="d.json: periods[1]", notes=("n",)).render() == (
        "d.json: periods[1]: error[SLA304]: m\n  = note: n")
    assert Diagnostic("SLA301", "m").render() == "error[SLA301]: m"


def test_did_you_mean_suggests_only_a_close_name():
    assert did_you_mean("monthy_fee", ["monthly_fee", "uptime"]) == ("did you mean 'monthly_fee'?",)
    assert did_you_mean("calls", ["monthly_fee", "uptime"]) == ()


def test_sla_error_message_is_the_rendered_diagnostics():
    d = Diagnostic("SLA301", "cannot read")
    assert str(SlaError([d, d])) == "error[SLA301]: cannot read\nerror[SLA301]: cannot read"


def test_the_quoted_line_is_the_line_the_position_counts():
    # A form feed or a Unicode line separator inside a line does not start a new one
    # (str.splitlines would say it does, and quote the wrong text under the caret).
    source = Source("t.csv", "period,fee\x0c,sl\n2026-01,\u20281,x\r2026-02,2,y\r\n2026-03,3,z")
    assert [source.line(n) for n in (1, 2, 3, 4, 5)] == [
        "period,fee\x0c,sl", "2026-01,\u20281,x", "2026-02,2,y", "2026-03,3,z", ""]
