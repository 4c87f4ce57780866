"""Generated Python (engine/codegen.py): what it may contain, checked on every example and on
rulesets written to break out of it, and `slarules compile --emit python`.

The rules (README "Generated code"): the code is emitted from compiled nodes, never from ruleset
text; every object it uses is a global named by codegen; every number a `D_` global made from
the Decimal's canonical string; input names only as dictionary keys, service level names only in
comments. The test reads the generated text with `ast` and fails on any name, string or number
that the rules do not allow, so a ruleset's text reaching a code position would fail it."""
from __future__ import annotations

import ast
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slarules import History, PeriodData, Source, compile_source, load
from slarules.core.money import CONTEXT
from slarules.engine.codegen import IDENTIFIER, listing, period_source
from slarules.interfaces.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "rulesets").iterdir() if p.name.endswith((".sla", ".sla.md")))

# Names the emitter writes itself: its globals (objects and numbers) and its locals.
OWN_NAME = re.compile(r"(Decimal|PeriodOutcome|KpiResult|MethodType|ZeroDivisionError|SL\d+(_[A-Z]+(\d+)?)*|TRIGGER\d+|D_[0-9A-Za-z_]+|[A-Z_]+|"
                      r"[a-z_]+\d*)\Z")
# The only strings the emitter writes besides input names: statuses, line kinds, fixed sentence parts.
OWN_STRINGS = {"missed", "met", "excluded", "not measured", "waived", "credit", "bonus", "credit cap", "bonus cap",
               "bonus forfeit", "credits", "bonuses", "the amount at risk", "the bonus limit", "bonus ",
               "in cure", "in cure until ", "; in cure until ", " (", ")"}

HOSTILE = '''contract "Evil \\"\\"\\" \\n import os; os.system('rm -rf /') #"
  currency USD, starts 2026-01
inputs
  fee money "'; __import__('os').system('x') #"
  print percent "a name that is a builtin"
  d_80 count "a name like the generated code's numbers"
  env count
  ev count
service level exec "\\"\\"\\"\\nraise SystemExit\\n" measured as print
  target: at least 99.9999999999999999999999999%
  measured only when d_80 is at least 100000000000000
  credit: 12.3456789012345678901234567890% of fee
service level eval measured as env / ev, in percent
  target: at most 5%
  credit, the most severe row applies:
    above 5%: 1% of fee
    above 10%: USD 123456789012345.12
'''


def _checked(source: str, inputs: set[str], service_levels: set[str]) -> None:
    """Every name, string and number of the generated module is one the rules allow."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert OWN_NAME.match(node.id), node.id
            assert node.id not in service_levels | {"__import__", "exec", "eval"}, node.id
        elif isinstance(node, ast.Attribute):
            assert IDENTIFIER.match(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value in inputs or node.value in OWN_STRINGS or re.fullmatch(r"-?[0-9.E+-]+", node.value) \
                or node.value.startswith(("(value, status", "period(data", "(KpiResult, ...)")), node.value
        elif isinstance(node, ast.Constant) and node.value is not None and not isinstance(node.value, bool):
            assert isinstance(node.value, int) and 0 <= node.value < 1000, node.value  # positions, counts
        elif isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Lambda)):
            raise AssertionError(f"{type(node).__name__} in generated code")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"eval", "exec", "compile", "__import__", "open", "getattr"}
    for line in source.splitlines():  # a comment names only what the rules allow
        if "#" in line:
            comment = line[line.index("#"):]
            assert "\n" not in comment and '"' not in comment, line


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_generated_code_of_every_example_is_made_only_of_what_the_rules_allow(path):
    program = load(str(path))
    for terms in (program, *(version for _, version in program.amendments)):
        inputs = {spec.name for spec in terms.inputs}
        service_levels = {sl.name for sl in terms.service_levels}
        _checked(listing(terms), inputs, service_levels)


def test_a_ruleset_written_to_break_out_of_the_generated_code_stays_data():
    program = compile_source(Source("evil.sla", HOSTILE))
    source = listing(program)
    _checked(source, {"fee", "print", "d_80", "env", "ev"}, {"exec", "eval"})
    # The ruleset's strings are nowhere in the code, not even in comments; its numbers are there exactly.
    for text in ("import os", "SystemExit", "rm -rf", "system("):
        assert text not in source
    assert "D_99_9999999999999999999999999 = Decimal('99.9999999999999999999999999')" in source
    assert "Decimal('123456789012345.12')" in source
    # And it evaluates: 99.99...% of a 100000000000000-volume period is a miss of
    # 12.3456789012345678901234567890% of fee 1000.00 = 123.456789... -> 123.46 (half up, cents);
    # env / ev = 20 / 100 = 20% is above 10%: the USD 123456789012345.12 row.
    outcome = program.evaluate({"2026-01": {"fee": Decimal("1000.00"), "print": Decimal("99.99"),
                                            "d_80": Decimal("1E+14"), "env": Decimal(20), "ev": Decimal(100)}})
    amounts = {(line.service_level, line.kind): line.amount for line in outcome.lines}
    assert amounts == {("exec", "credit"): Decimal("123.46"),
                       ("eval", "credit"): Decimal("123456789012345.12")}


def soa_contract(target: str, credit: str):
    """A contract of one service level, soa, the percent input sl held to `at least target`, with `credit`."""
    return compile_source(Source("t.sla", f'''contract "T" currency USD, starts 2026-01
inputs fee money
  sl percent
service level soa measured as sl target: at least {target}
  credit: {credit}
'''))


def test_a_number_is_written_from_its_canonical_string_and_nothing_else():
    program = soa_contract("80.50%", "0.00000000000000000000000001% of fee")
    source = period_source(program)
    judge = program.service_levels[0].judge.source
    assert "D_80_50 = Decimal('80.50')" in judge
    assert "D_1E_minus_28 = Decimal('1E-28')" in source or "Decimal('1E-28')" in source


def test_compile_emit_python_prints_the_code_the_evaluation_runs(capsys):
    assert main(["compile", str(ROOT / "rulesets" / "acme_contact_center.sla"), "--emit", "python"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# ---- the ruleset's terms\n")
    assert "# service level speed_of_answer (line 17)" in out
    assert "elif value0 < D_70:\n" in out and "D_70 = Decimal('70')" in out  # C.2.1(a)'s most severe row
    assert "def bind(ev):" in out and out.count("def judge(env):") == 4
    ast.parse(out.split("# ---- the ruleset's terms\n", 1)[1].replace("def judge(env):", "def judge_(env):"))


def test_compile_emit_python_shows_each_amendment(capsys):
    path = ROOT / "rulesets" / "managed_security_quarterly.sla"  # amended from a later quarter
    assert main(["compile", str(path), "--emit", "python"]) == 0
    assert "# ---- as amended from " in capsys.readouterr().out


def test_compile_of_a_ruleset_with_an_error_points_at_it(tmp_path, capsys):
    bad = tmp_path / "bad.sla"
    bad.write_text('contract "T" currency USD, starts 2026-01\ninputs fee money\n'
                   'service level soa measured as nothing target: at least 80%\n')
    assert main(["compile", str(bad), "--emit", "python"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3:" in err and "error[SLA" in err


@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**6), st.integers(0, 10**6))
def test_a_judge_written_out_measures_what_the_measurement_closure_does(numerator, denominator, volume, calls):
    """The generated judge writes `a / b, in percent` and a single input out; measure.py's closure
    (what explain, verify and the report sample) must give the same value, and the judge the status
    the target's comparison gives it: with the volume condition on the divisor (tested first) and
    on another input (the division tried first)."""
    program = compile_source(Source("t.sla", '''contract "T" currency USD, starts 2026-01
inputs fee money
  good count
  total count
  calls count
service level share measured as good / total, in percent
  target: at least 80%
  measured only when total is at least 1000
service level raw measured as good
  target: at most 5000
service level other measured as good / total, in percent
  target: at least 80%
  measured only when calls is at least 1000
'''))
    env = {"fee": Decimal(1), "good": Decimal(numerator), "total": Decimal(denominator + volume),
           "calls": Decimal(calls)}
    share, raw, other = program.service_levels
    assert "divisor" not in share.judge.source.split("else:")[0]  # measured: no zero test
    with localcontext(CONTEXT):
        if env["total"] == 0:  # below the volume: not measured, and no value (it divides by zero)
            assert share.judge(env) == (None, "not measured", "measured only when total is at least 1,000", None)
        else:
            value, status, _, _ = share.judge(env)
            assert value == share.measure(env)
            assert status == ("not measured" if env["total"] < 1000 else "met" if share.met(value) else "missed")
        assert raw.judge(env)[:2] == (raw.measure(env), "met" if raw.met(raw.measure(env)) else "missed")
        if env["calls"] < 1000:
            value = None if env["total"] == 0 else other.measure(env)
            assert other.judge(env) == (value, "not measured", "measured only when calls is at least 1,000", None)
        elif env["total"] == 0:  # measured, and nothing to divide by: an error the evaluation reports
            with pytest.raises(ZeroDivisionError):
                other.judge(env)
        else:
            assert other.judge(env)[:2] == (other.measure(env), "met" if other.met(other.measure(env)) else "missed")


@given(st.sampled_from(("above", "below")), st.sampled_from(("1", "0.5", "2.5")),
       st.sampled_from(("part points count as whole", "only whole points count")),
       st.integers(0, 10000), st.integers(1, 10**7))
def test_a_per_unit_credit_written_out_earns_what_the_compiled_form_assesses(side, step, rounding, tenths, fee):
    """The generated period writes a per-unit credit beyond a fixed threshold out (rounded up or
    down, in steps); forms.LinearForm.assess (what explain and verify use) must give the same
    amount, and no line where it counts no whole unit."""
    target = "at most 50%" if side == "above" else "at least 50%"
    program = compile_source(Source("t.sla", f'''contract "T" currency USD, rounding half up to cents, starts 2026-01
inputs fee money
  score percent
service level score measured as score
  target: {target}
  credit: 0.3% of fee per {"" if step == "1" else step + " "}point {side} 50%, {rounding}
'''))
    value = Decimal(tenths) / 100  # 0.00 to 100.00, on and off the steps
    env = {"fee": Decimal(fee), "score": value}
    outcome = program.evaluate(History((PeriodData("2026-01", env),)))
    form = program.service_levels[0].credit.form
    with localcontext(CONTEXT):
        assessed = form.assess(value, env) if (value > 50 if side == "above" else value < 50) else None
        expected = None if assessed is None else assessed[0].quantize(Decimal("0.01"), ROUND_HALF_UP)
    credits = [line.amount for line in outcome.periods[0].lines if line.kind == "credit"]
    assert credits == ([] if expected is None else [expected])


def test_a_fixed_cap_is_rounded_once_when_the_module_is_made():
    # "USD 500 per point below 80%, at most USD 3000": the cap is written as its rounded value,
    # 3000.00, not rounded each period. 70%: 10 points x 500 = 5,000.00, capped at 3,000.00.
    program = soa_contract("80%", "USD 500 per point below 80%, part points count as whole, at most USD 3000")
    source = period_source(program)
    assert "limit = D_3000_00" in source and "D_3000_00 = Decimal('3000.00')" in source
    outcome = program.evaluate({"2026-01": {"fee": "1000", "sl": "70"}})
    assert [(line.kind, str(line.amount)) for line in outcome.lines] == [("credit", "5000.00"),
                                                                        ("credit cap", "-2000.00")]


def test_a_volume_condition_several_service_levels_share_is_tested_once():
    # Acme's speed of answer, abandonment and first contact resolution are each "measured only
    # when calls_offered is at least 500": one test, volume0, read by the three judgings.
    program = load(ROOT / "rulesets" / "acme_contact_center.sla")
    source = period_source(program)
    assert source.count("env['calls_offered'] >= D_500") == 1
    assert "volume0 = env['calls_offered'] >= D_500  # the volume condition of speed_of_answer, abandonment, " \
           "first_contact_resolution" in source
    assert source.count("if volume0:") == 3
    # 400 calls: none of the three is measured, each with its own note; quality still is.
    outcome = program.evaluate({"2026-01": {"monthly_fee": "60000", "calls_offered": "400", "answered_in_20s": "380",
                                            "abandoned": "4", "resolved_first_call": "300", "quality_score": "92"}})
    assert [(r.status, r.note) for r in outcome.periods[0].results] == [
        ("not measured", "measured only when calls_offered is at least 500")] * 3 + [("met", None)]


def test_a_period_adds_to_its_contract_years_totals_only_the_figures_its_terms_make():
    # No bonus, no earn-back, no critical failure, bonuses paid separately: only the credits
    # are added up (and the year's last period noted); nothing can leave the vendor owed.
    program = soa_contract("80%", "2% of fee")
    source = period_source(program)
    totals = [line.strip() for line in source.splitlines() if "year_totals." in line]
    assert totals == ["year_totals.last = label", "year_totals.credits += credits"]
