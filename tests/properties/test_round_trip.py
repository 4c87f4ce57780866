"""Printer round trip: parse(to_source(tree)) == tree.

For generated well-formed rulesets (which also check clean, as the strategy
claims), for any tree the grammar can express, and for every rulesets/*.sla
file; printing what was parsed back gives the same text again.
"""
from __future__ import annotations

import pytest
from hypothesis import given

from slarules import Source, check, parse
from slarules.language.printer import to_source

from strategies import ROOT, RULESET_FILES, rulesets, syntax_trees


def reparsed(tree):
    return parse(Source("printed.sla", to_source(tree)))


@given(rulesets())
def test_generated_rulesets_round_trip_and_check_clean(tree):
    again = reparsed(tree)
    assert again == tree
    assert [d.render() for d in check(again) if d.is_error] == []


@given(syntax_trees)
def test_any_syntax_tree_round_trips(tree):
    again = reparsed(tree)
    assert again == tree
    assert to_source(again) == to_source(tree)


@pytest.mark.parametrize("path", RULESET_FILES)
def test_ruleset_files_round_trip(path):
    tree = parse(Source(path, (ROOT / path).read_text(encoding="utf-8")))
    assert reparsed(tree) == tree
