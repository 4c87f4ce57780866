"""language/editing.py: every name of a ruleset found with its kind, the terms around a point,
and the words the grammar takes next."""
from __future__ import annotations

from pathlib import Path

import pytest

from slarules import SlaError, Source, check, parse
from slarules.language.editing import INPUT, SERVICE_LEVEL, enclosing, expected_at, occurrences, words_of

ROOT = Path(__file__).resolve().parents[2]


def _checked_clean(path: Path):
    try:
        ruleset = parse(Source(path.name, path.read_text(encoding="utf-8")))
    except SlaError:
        return None
    return ruleset if not any(d.is_error for d in check(ruleset)) else None


# The examples and every golden ruleset with no error (warnings and notes allowed).
CLEAN = [p for p in sorted((ROOT / "rulesets").glob("*.sla")) + sorted((ROOT / "tests" / "golden").rglob("*.sla"))
         if _checked_clean(p) is not None]


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.stem)
def test_every_name_has_the_kind_of_what_it_names(path: Path):
    ruleset = _checked_clean(path)
    inputs = {i.name.text for i in ruleset.inputs}
    service_levels = {sl.name.text for sl in ruleset.service_levels}
    found = occurrences(ruleset)
    assert found == sorted(found, key=lambda o: (o.name.span.line, o.name.span.column))
    for o in found:
        assert o.name.text in (inputs if o.kind == INPUT else service_levels), (o.kind, o.name.text)
        text = ruleset.source.line(o.name.span.line)[o.name.span.column - 1:o.name.span.end_column - 1]
        assert text == o.name.text
    assert sum(o.declaration for o in found) == len(inputs) + len(service_levels)
    assert {o.name.text for o in found if o.kind == SERVICE_LEVEL and o.declaration} == service_levels


def test_enclosing_is_innermost_first():
    text = (ROOT / "rulesets" / "acme_contact_center.sla").read_text(encoding="utf-8")
    ruleset = parse(Source("acme.sla", text))
    line = text.split("\n").index("    below 75%: 5% of monthly_fee") + 1
    kinds = [type(n).__name__ for n in enclosing(ruleset, line, 20)]
    assert kinds == ["PercentOf", "Row", "Award", "ServiceLevel"]
    assert enclosing(ruleset, 1, 1) == []  # a comment


def test_expected_at_names_what_may_follow_and_words_of_spells_it():
    expected = expected_at('contract "X" currency USD, ')
    assert {"ASSESSED", "ROUNDING", "STARTS"} <= expected.terminals
    assert expected_at('contract "X" currency USD, ,,') is None
    after_service = expected_at('contract "X" currency USD, starts 2026-01\n').then("SERVICE", "service")
    assert after_service.terminals == {"LEVEL"}
    assert words_of("ROUNDING_MODE") == ("half up", "half even", "half down", "down", "up")
    assert words_of("AT_RISK") == ("at risk",)
    assert words_of("NAME") == () and words_of("COLON") == () and words_of("NO_SUCH_TERMINAL") == ()
