"""Bounds on the numbers a ruleset writes.

Input: a parsed nodes.Ruleset. Output: one SLA235 Diagnostic for each number
written in it (a percentage, an amount of money, a threshold, a step, a
constant in a measurement, a count of periods, misses or passes, a default)
with more than MAX_WHOLE_DIGITS digits before the decimal point or more than
MAX_DECIMALS after it: the bounds data values have (formats/kpi_data.py), so
that every amount made from them stays exact to the cent in 34 significant
digits. The checker runs this first and skips its other checks when it finds
one, so no later computation ever meets such a number.

The walk is generic (every Decimal field of every node), so a number a new
construct adds is bounded too; WHAT names the common ones for the message.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator

import attrs

from ..core.diagnostics import Diagnostic
from ..core.money import MAX_DECIMALS, MAX_WHOLE_DIGITS, digits_of
from ..core.source import Source, Span
from . import nodes

# What a number is, by the node and field that hold it.
WHAT = {
    (nodes.Quantity, "value"): "the value",
    (nodes.PercentOf, "percent"): "the percentage",
    (nodes.Share, "percent"): "the share",
    (nodes.WindowShare, "percent"): "the percentage",
    (nodes.EarnBack, "percent"): "the percentage",
    (nodes.FixedMoney, "value"): "the amount",
    (nodes.Number, "value"): "the constant",
    (nodes.Linear, "step"): "the step",
    (nodes.Window, "length"): "the length of the window",
    (nodes.CreditsExceed, "length"): "the length of the window",
    (nodes.MissedInWindow, "length"): "the length of the window",
    (nodes.MissedInWindow, "times"): "the number of misses",
    (nodes.MissedInARow, "count"): "the number of periods in a row",
    (nodes.ManyMissed, "count"): "the number of service levels",
    (nodes.FailureManyMissed, "count"): "the number of service levels",
    (nodes.Withhold, "percent"): "the percentage",
    (nodes.Cure, "periods"): "the length of the cure period",
    (nodes.FreePasses, "count"): "the number of free passes",
    (nodes.EarnBack, "after"): "the length of the earn-back streak",
    (nodes.DefaultValue, "value"): "the default",
    (nodes.Reported, "decimals"): "the number of decimals reported",
    (nodes.Notice, "days"): "the number of days of notice",
    (nodes.Deliverable, "cap_percent"): "the share of the price",
}


def literal_problems(ruleset: nodes.Ruleset) -> list[Diagnostic]:
    """An SLA235 error for every number in the ruleset beyond the exact range."""
    found = []
    for value, what, span in _numbers(ruleset):
        whole, decimals = digits_of(value)
        if whole > MAX_WHOLE_DIGITS:
            excess = f"{whole:,} digits before the decimal point; a number in a ruleset has at most {MAX_WHOLE_DIGITS}"
        elif decimals > MAX_DECIMALS:
            excess = f"{decimals:,} digits after the decimal point; a number in a ruleset has at most {MAX_DECIMALS}"
        else:
            continue
        found.append(Diagnostic("SLA235", f"{what} {_shortened(value)} has {excess}", span,
                                ("every amount is computed exactly, to 34 significant digits, and must stay "
                                 "exact to the cent",)))
    return found


def _numbers(root) -> Iterator[tuple[Decimal, str, Span | None]]:
    """(number, what it is, the span of the nearest node that has one) for every Decimal in the
    tree, in source order (a stack, not recursion: an expression may nest deep)."""
    stack = [(root, None)]
    while stack:
        node, span = stack.pop()
        if isinstance(node, (tuple, list)):
            stack.extend((item, span) for item in reversed(node))
            continue
        if not attrs.has(type(node)) or isinstance(node, Source):
            continue
        span = getattr(node, "span", None) or span
        children = []
        for field in attrs.fields(type(node)):
            value = getattr(node, field.name)
            if isinstance(value, Decimal):
                yield value, WHAT.get((type(node), field.name), "the number"), span
            elif field.name != "span":
                children.append((value, span))
        stack.extend(reversed(children))


def _shortened(value: Decimal) -> str:
    """The number as written, its middle left out when long: 1000000000...000000."""
    text = f"{value:f}"
    return text if len(text) <= 24 else f"{text[:10]}...{text[-6:]}"
