"""Fingerprint properties: a ruleset's fingerprint is that of its fmt output and of the
ruleset with comments, line breaks and indentation changed (the edits of
test_fmt_properties.py), and a changed amount of money changes it.
So is each term's print (what a saved state keeps): layout and comments never change
it, and a changed amount changes the print of exactly the clause that holds it."""
from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st
from test_fmt_properties import SEEDS, edited_rulesets

from slarules import SlaError
from slarules.core.source import Source
from slarules.language.fingerprint import fingerprint, term_prints
from slarules.language.fmt import format_source
from slarules.language.parse import parse


def tree(text: str):
    return parse(Source("r.sla", text))


def prints(text: str) -> dict:
    return {p.key: p.digest for p in term_prints(tree(text))}


@given(edited_rulesets())
def test_layout_and_comments_change_no_fingerprint_and_no_term_print(text):
    try:
        original = tree(text)
    except SlaError:
        assume(False)
    formatted = format_source(Source("r.sla", text))
    assert fingerprint(tree(formatted)) == fingerprint(original)
    assert prints(formatted) == prints(text)


AMOUNT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)% of (?:monthly_fee|monthly_charges|fee)")


@given(st.sampled_from([s for s in SEEDS if AMOUNT.search(s)]), st.data())
def test_a_changed_amount_changes_the_fingerprint_and_the_print_of_its_clause(seed, data):
    found = list(AMOUNT.finditer(seed))
    match = data.draw(st.sampled_from(found))
    changed = seed[:match.start(1)] + str(Decimal(match.group(1)) * 100 + 1) + seed[match.end(1):]
    try:
        before, after = tree(seed), tree(changed)
    except SlaError:
        assume(False)
    assert fingerprint(after) != fingerprint(before)
    old, new = prints(seed), prints(changed)  # of the terms as signed, amendments aside
    differing = [key for key in old if old[key] != new.get(key)]
    amendments = seed.find("\namendment effective")
    in_amendment = amendments != -1 and match.start() > amendments
    assert len(differing) == (0 if in_amendment else 1), differing  # the clause holding the amount, no other
