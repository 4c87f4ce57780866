"""Failures the fuzz harness knows about, each being fixed on another branch.

A failure matched here does not fail tests/fuzz/test_fuzz.py; each entry has
reproducers under found/ that are strict xfails, so when the fix is merged
they pass, fail as XPASS, and say to delete the entry here and their xfail
marks. An empty KNOWN is the goal: then every failure fails the fuzz test.
"""
from __future__ import annotations

import re

# (branch fixing it, issue 11 item, category or None for any, regex over the problems and stderr)
KNOWN: tuple[tuple[str, str, str | None, str], ...] = (
    ("units", "item 7 (found/literal_29_digits, found/report_huge_target)", "ruleset",
     r"exit 3 \((InvalidOperation|DivisionImpossible|Overflow|OverflowError)\)"),
)


def known_owner(case, problems: list[str], result) -> str | None:
    """The branch fixing this failure, or None when nobody is known to."""
    text = "\n".join(problems) + "\n" + result.stderr
    for branch, item, category, pattern in KNOWN:
        if (category is None or category == case.category) and re.search(pattern, text, re.S):
            return f"{branch}: {item}"
    return None
