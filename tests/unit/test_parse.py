"""Parse pass: grammar coverage, the nodes built, spans, and syntax errors."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import lark
import pytest

from slarules import SlaError, Source
from slarules.language import nodes
from slarules.language import grammar, parser_tables
from slarules.language.grammar import parser
from slarules.language.parse import _ToAst, parse_text
from slarules.language.printer import to_source

ROOT = Path(__file__).resolve().parents[2]
HEADER = 'contract "C" currency USD, assessed monthly, rounding half even to cents, starts 2026-01\n'


def test_every_grammar_rule_has_an_ast_builder():
    built = {str(r.alias or r.origin.name) for r in parser().rules
             if not str(r.origin.name).startswith("_") and (r.alias or not r.options.expand1)}
    assert sorted(n for n in built if not hasattr(_ToAst, n)) == []


def test_grammar_has_no_conflicts_or_terminal_collisions_in_strict_mode():
    assert parser(strict=True).options.strict


def test_the_shipped_parser_tables_are_made_from_this_grammar(request):
    """parser_tables.py (loaded at start-up instead of building the parser) is stale once
    grammar/slarules.lark changes: `pytest --update-golden` makes it again. (The text is
    rewritten only when stale: Lark's serialisation order changes with the hash seed.)"""
    text = grammar._grammar_text()
    stale = parser_tables.GRAMMAR_SHA256 != grammar.grammar_digest(text) or parser_tables.LARK_VERSION != lark.__version__
    if stale and request.config.getoption("--update-golden"):
        grammar.TABLES.write_text(grammar.tables_text(), encoding="utf-8")
        return
    assert parser_tables.GRAMMAR_SHA256 == grammar.grammar_digest(text), \
        "slarules/language/parser_tables.py is stale: run pytest --update-golden"
    if parser_tables.LARK_VERSION != lark.__version__:
        pytest.skip(f"parser_tables.py was made with Lark {parser_tables.LARK_VERSION}, this is {lark.__version__}: "
                    "the parser is built at start-up; pytest --update-golden makes the tables for it")
    assert parser() is not parser(strict=True) and parser().source_path == "<deserialized>"  # loaded, not built


@pytest.mark.parametrize("path", sorted((ROOT / "rulesets").glob("*.sla")), ids=lambda p: p.name)
def test_the_loaded_tables_parse_as_the_grammar_does(path):
    text = path.read_text(encoding="utf-8")
    source = Source(path.name, text)
    # The same nodes with the same spans (the names Lark gives anonymous terminals vary with the hash seed)
    assert _ToAst(source).transform(parser().parse(text)) == _ToAst(source).transform(parser(strict=True).parse(text))
    broken = re.sub(r"(?m)^(\s+target):", r"\1", text, count=1)  # a colon missing: the same error from both
    assert _lark_error(parser(), broken) == _lark_error(parser(strict=True), broken) != ("no error",)


def _lark_error(lark_parser: lark.Lark, text: str) -> tuple:
    try:
        lark_parser.parse(text)
    except lark.UnexpectedInput as err:
        return type(err).__name__, err.line, err.column, str(getattr(err, "token", ""))
    return ("no error",)


def test_header_terms_in_any_order_with_or_without_commas():
    ruleset = parse_text('contract "Acme" starts 2026-04 rounding half   up currency EUR assessed quarterly')
    assert ruleset.contract.title == "Acme"
    assert ruleset.contract.terms == (
        nodes.Starts("2026-04"), nodes.Rounding("half up", None), nodes.Currency("EUR"), nodes.Assessed("quarterly"),
    )


def test_inputs_with_descriptions_and_missing_data_rules():
    ruleset = parse_text(HEADER + '''
inputs
  fee money "monthly fee"
  calls count, default 0
  qa percent, missing counts as a miss
''')
    assert ruleset.inputs == [
        nodes.Input(nodes.Name("fee"), "money", "monthly fee", None),
        nodes.Input(nodes.Name("calls"), "count", None, nodes.DefaultValue(Decimal(0))),
        nodes.Input(nodes.Name("qa"), "percent", None, nodes.MissingIsMiss()),
    ]


def test_numbers_keep_exact_decimals_and_thousands_separators():
    ruleset = parse_text(HEADER + '''
service level s
  measured as x
  target: at least 99.95%
  credit: USD 1,500.50 per 0.1 point below 99.95%, pro rata
''')
    sl = ruleset.service_levels[0]
    assert sl.target.comparison == nodes.Comparison("at least", nodes.Quantity(Decimal("99.95"), "percent"))
    linear = sl.credit.form
    assert linear.amount == nodes.FixedMoney("USD", Decimal("1500.50"))
    assert linear.step == Decimal("0.1")
    assert linear.rounding == "pro rata"


def test_arithmetic_is_left_associative_with_usual_precedence():
    sl = parse_text(HEADER + "service level s measured as a - b - c * d / e target: at least 1").service_levels[0]
    a, b, c, d, e = (nodes.Reference(nodes.Name(n)) for n in "abcde")
    assert sl.measured.expr == nodes.BinaryOp("-", nodes.BinaryOp("-", a, b),
                                              nodes.BinaryOp("/", nodes.BinaryOp("*", c, d), e))


@pytest.mark.parametrize("band, kind", [
    ("below 80%", "open"),
    ("from 41 to 45 seconds", "from to"),
    ("from 60 to below 65%", "from to below"),
    ("above 45 to 50 seconds", "above to"),
])
def test_tier_row_bands(band, kind):
    text = HEADER + f"service level s measured as x target: at least 1 credit by range: {band}: 1% of fee"
    row = parse_text(text).service_levels[0].credit.form.rows[0]
    assert row.band.kind == kind


def test_layout_is_free_so_clauses_may_wrap_like_the_signed_document():
    one_line = HEADER + "service level s measured as x target: at most 5% credit: 1% of fee per point above 5%, pro rata"
    wrapped = HEADER + "service level s\n  measured as x\n  target:\n    at most 5%\n  credit: 1% of fee\n    per point above 5%,\n    pro rata\n"
    assert parse_text(one_line) == parse_text(wrapped)


def test_names_have_their_own_spans_for_precise_carets():
    ruleset = parse_text(HEADER + "service level s\n  measured as x\n  target: at least 80%\n  credit: 2% of monthly_fee\n")
    base = ruleset.service_levels[0].credit.form.amount.base
    assert (base.name.span.line, base.name.span.column, base.name.span.end_column) == (5, 17, 28)


def test_printer_output_parses_back_to_the_same_tree():
    text = (HEADER + "inputs fee money\nat risk: 10% of fee each month\nbonuses offset credits\n"
            "critical service level s \"S\" measured as (a + b) / c, in percent target: above 90%\n"
            "allocation: 25% of the amount at risk\n"
            "credit, the most severe row applies: below 90%: 50% of the allocation below 80%: 100% of the allocation\n"
            "bonus: at least 95%: USD 1,000 bonus only if no critical service level is missed\n")
    tree = parse_text(text)
    assert parse_text(to_source(tree)) == tree


def _syntax_error(text: str):
    with pytest.raises(SlaError) as info:
        parse_text(text, "t.sla")
    (diagnostic,) = info.value.diagnostics
    return diagnostic


def test_end_of_input_is_reported_after_the_last_character():
    d = _syntax_error(HEADER + "service level s measured as x target: at least")
    assert d.code == "SLA004"
    assert (d.span.line, d.span.column) == (2, len("service level s measured as x target: at least") + 1)


def test_an_unexpected_character_is_quoted_with_what_could_stand_there():
    d = _syntax_error(HEADER + "inputs fee money $")
    assert "unexpected '$'" in d.message and "a name (lower case, like monthly_fee)" in d.message
    assert (d.span.line, d.span.column) == (2, len("inputs fee money $"))


def test_expected_tokens_are_described_in_words_not_terminal_names():
    d = _syntax_error(HEADER + "inputs fee dollars")
    assert "a unit (money, percent, seconds, minutes, count, score, ratio)" in d.message
    assert "UNIT" not in d.message


def test_empty_file_gets_a_diagnostic_not_a_crash():
    d = _syntax_error("")
    assert d.code == "SLA004" and (d.span.line, d.span.column) == (1, 1)
