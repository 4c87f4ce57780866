"""Contract clauses (`clause "C.2.1(a)"`): written on terms, checked, printed, fingerprinted, and
cited by every line item, termination right, explanation and finding that comes from the term."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from slarules import Source, SlaError, check, compile_source, parse
from slarules.engine.history import History, PeriodData
from slarules.language.fingerprint import fingerprint, term_prints
from slarules.language.printer import to_source
from slarules.tools.explain import explain

HEAD = """contract "T"
  currency USD, assessed monthly, starts 2026-01
inputs
  fee money
  ok count
  all count
"""

RULESET = HEAD + """at risk clause "C.3": 10% of fee each month

critical service level soa "Speed" clause "C.2.1"
  measured as ok / all, in percent
  target: at least 80%
  credit clause "C.2.1(a)", the most severe row applies:
    below 80%: 2% of fee
    below 70%: 5% of fee
  bonus: at least 90%: 1% of fee

service level quiet
  measured as ok / all, in percent
  target: at least 50%
  credit: 1% of fee

terminate when soa is missed 2 months in a row clause "C.5(a)"
"""


def program(text: str = RULESET, path: str = "t.sla"):
    return compile_source(Source(path, text))


def months(*shares: int) -> History:
    """One period per share, from 2026-01: a fee of 1,000.00 and `share` of 100 calls answered (the KPI, in %)."""
    return History(tuple(PeriodData(f"2026-{n:02d}", {"fee": Decimal(1000), "ok": Decimal(share),
                                                        "all": Decimal(100)})
                         for n, share in enumerate(shares, start=1)))


def parsed(text: str):
    return parse(Source("t.sla", text))


# ---------------------------------------------------------------- the language

def test_a_reference_round_trips_through_the_printer_with_quotes_backslashes_and_unicode():
    text = HEAD + 'service level a "A" clause "§ 4.2(b) \\"Speed\\" \\\\ annexe é"\n' \
        "  measured as ok / all, in percent\n  target: at least 80%\n"
    tree = parsed(text)
    assert tree.service_levels[0].contract_clause.text == '§ 4.2(b) "Speed" \\ annexe é'
    assert parsed(to_source(tree)) == tree
    assert 'clause "§ 4.2(b) \\"Speed\\" \\\\ annexe é"' in to_source(tree)


def test_a_comment_sign_inside_a_reference_is_not_a_comment():
    from slarules.language.fmt import format_source
    text = HEAD + 'at risk clause "C.3 \\" # not a comment": 10% of fee each month  # a comment\n'
    formatted = format_source(Source("t.sla", text))
    assert 'at risk clause "C.3 \\" # not a comment": 10% of fee each month  # a comment' in formatted


def test_clause_is_still_a_name_where_a_name_is_expected():
    tree = parsed(HEAD.replace("  ok count", "  clause count") + "at risk: 10% of clause each month\n")
    assert tree.inputs[1].name.text == "clause"


@pytest.mark.parametrize("written, code", [('""', "SLA230"), ('"   "', "SLA230"), ('"C.3\\q"', "SLA231"),
                                           ('"C.3\tb"', "SLA231")])
def test_an_empty_reference_or_a_bad_escape_is_a_check_error(written, code):
    diagnostics = check(parsed(HEAD + f"at risk clause {written}: 10% of fee each month\n"))
    assert [(d.code, d.span.line, d.span.column) for d in diagnostics if d.is_error] == [(code, 7, 16)]


def test_two_terms_may_cite_one_clause():
    text = HEAD + 'at risk clause "C.3": 10% of fee each month\nbonuses at most 1% of fee each month clause "C.3"\n'
    assert [d for d in check(parsed(text)) if d.is_error] == []


def test_the_fingerprint_changes_with_a_reference_but_a_state_stays_valid():
    renumbered = RULESET.replace('"C.2.1(a)"', '"C.2.1(b)"')
    assert fingerprint(parsed(renumbered)) != fingerprint(parsed(RULESET))
    # The term prints a saved state keeps leave references out: they decide no money.
    assert [p.digest for p in term_prints(parsed(renumbered))] == [p.digest for p in term_prints(parsed(RULESET))]


# ---------------------------------------------------------------- what the engine cites

def test_lines_cite_their_terms_clause_and_rows_inherit_from_the_award_or_the_service_level():
    # soa 60% (below 70%: 5% of 1,000 = 50.00, cites the award's C.2.1(a)); quiet 60% met.
    # Month 2: soa 75% (below 80%: 2% = 20.00); the 2-in-a-row trigger fires and cites C.5(a).
    outcome = program().evaluate(months(60, 75))
    first, second = outcome.periods
    assert [(l.kind, l.amount, l.contract_clause) for l in first.lines] == [("credit", Decimal("50.00"), "C.2.1(a)")]
    assert [(l.kind, l.amount, l.contract_clause) for l in second.lines] == [("credit", Decimal("20.00"), "C.2.1(a)")]
    assert [(t.period, t.contract_clause) for t in outcome.terminations] == [("2026-02", "C.5(a)")]


def test_a_line_of_a_term_that_cites_nothing_has_no_clause_and_a_bonus_inherits_the_service_levels():
    # soa 95%: bonus 1% of 1,000 = 10.00 (the bonus names no clause: the service level's C.2.1);
    # quiet is the same measurement, met. Month 2 at 40%: quiet 1% = 10.00 (no clause anywhere),
    # soa 5% = 50.00.
    outcome = program().evaluate(months(95, 40))
    assert [(l.service_level, l.kind, l.contract_clause) for l in outcome.periods[0].lines] == [
        ("soa", "bonus", "C.2.1")]
    assert [(l.service_level, l.amount, l.contract_clause) for l in outcome.periods[1].lines] == [
        ("soa", Decimal("50.00"), "C.2.1(a)"), ("quiet", Decimal("10.00"), None)]


def test_a_cap_line_cites_the_cap():
    # at risk 5% of 1,000 = 50.00; soa 60% costs 50.00, quiet 40% 10.00: the cap cuts 10.00, citing C.3.
    text = RULESET.replace("10% of fee each month", "5% of fee each month")
    outcome = program(text).evaluate(months(40))
    cap = [l for l in outcome.periods[0].lines if l.kind == "credit cap"]
    assert [(l.amount, l.contract_clause) for l in cap] == [(Decimal("-10.00"), "C.3")]


def test_an_amended_term_cites_the_amendment_unless_it_names_its_own():
    text = RULESET + """
amendment effective 2026-02 clause "Amendment 1"
  service level soa
    credit: 3% of fee
  service level quiet clause "A1.2"
    credit: 2% of fee
"""
    # Month 2 at 40%: soa's amended flat credit 3% = 30.00 cites the amendment; quiet's 2% = 20.00 cites A1.2.
    outcome = program(text).evaluate(months(95, 40))
    assert [(l.service_level, l.amount, l.contract_clause) for l in outcome.periods[1].lines] == [
        ("soa", Decimal("30.00"), "Amendment 1"), ("quiet", Decimal("20.00"), "A1.2")]


def test_every_output_carries_the_clause():
    outcome = program().evaluate(months(60, 75))
    data = json.loads(outcome.to_json())
    assert [l["contract_clause"] for p in data["periods"] for l in p["lines"]] == ["C.2.1(a)", "C.2.1(a)"]
    assert [t["contract_clause"] for t in data["terminations"]] == ["C.5(a)"]
    rows = list(csv.DictReader(io.StringIO(outcome.to_csv())))
    assert [r["contract_clause"] for r in rows] == ["C.2.1(a)", "C.2.1(a)"]
    assert "t.sla:14 clause C.2.1(a)" in outcome.to_text()  # the row `below 70%` of the credit
    from slarules.formats.report import to_totals_csv
    assert "t.sla:22 clause C.5(a) terminate when soa is missed 2 months in a row" in to_totals_csv(outcome)


def test_explain_cites_the_contract_clause_in_every_format():
    tree = parsed(RULESET)
    assert "[contract clause C.2.1(a), t.sla:12]" in explain(tree).replace("\n    ", " ")
    assert "`contract clause C.3, t.sla:7`" in explain(tree, "markdown")
    html = explain(parsed(RULESET.replace('"C.3"', '"C.3 <b>&"')), "html")
    assert "contract clause C.3 &lt;b&gt;&amp;, t.sla:7" in html and "<b>&" not in html


def test_a_reference_never_reaches_code():
    # Free text is data: a reference that reads like code is quoted back as text, nothing more.
    text = RULESET.replace('"C.3"', '"__import__(\'os\').system(\'false\')"')
    outcome = program(text).evaluate(months(40))
    assert {l.contract_clause for l in outcome.periods[0].lines if l.kind == "credit cap"} <= {
        "__import__('os').system('false')"}


def test_verify_findings_name_the_clauses():
    from slarules.tools.verify import verify
    alone = RULESET.replace("""service level quiet
  measured as ok / all, in percent
  target: at least 50%
  credit: 1% of fee
""", "")
    report = verify(program(alone), seed=1, effort="quick", only=("cliff", "exposure", "reward"))
    cited = {c.name: c.contract_clauses for c in report.checks}
    # the credit cites C.2.1(a), the bonus its service level's C.2.1
    assert cited == {"reward": ("C.2.1",), "cliff soa": ("C.2.1(a)", "C.2.1"), "exposure": ("C.3",)}
    assert "contract clauses C.2.1(a), C.2.1" in report.to_text()
    uncited = verify(program(HEAD + alone[len(HEAD):].replace(' clause "C.3"', "")), seed=1, effort="quick",
                     only=("exposure",))
    assert uncited.check("exposure").contract_clauses == ()


def test_a_parse_error_is_still_a_diagnostic():
    with pytest.raises(SlaError) as err:
        parsed(HEAD + 'at risk clause C.3: 10% of fee each month\n')
    assert err.value.diagnostics[0].span.line == 7


def test_a_restatement_names_the_clauses_of_the_lines_it_changes():
    from slarules.engine.restate import restate
    from slarules.formats.kpi_data import history_from_mapping
    from slarules.formats.restatement import to_csv, to_data

    compiled = program()
    billed = compiled.evaluate(months(85, 60))  # 2026-01 met (no line); 2026-02: soa 5% = 50.00 under C.2.1(a)
    state = compiled.load_state(billed.state_json())
    # January corrected to 75%: a new credit of 2% = 20.00 under C.2.1(a), and February's 60% is now the second
    # miss in a row: the right to terminate (C.5(a)) moves no money, so only January's note cites a clause.
    corrected = history_from_mapping(compiled, {"2026-01": {"fee": "1000", "ok": "75", "all": "100"}})
    result = restate(compiled, state, corrected)
    assert [(a.period, a.amount, a.contract_clauses) for a in result.adjustments] == [
        ("2026-01", Decimal("20.00"), ("C.2.1(a)",))]
    assert to_data(result)["adjustments"][0]["contract_clauses"] == ["C.2.1(a)"]
    assert list(csv.DictReader(io.StringIO(to_csv(result))))[0]["contract_clauses"] == "C.2.1(a)"
