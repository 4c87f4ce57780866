"""Hypothesis strategies for the billing terms (issue 14, items 3 and 6): a generated
ruleset (strategies.rulesets(), every form and, in half of them, the terms over
several periods) given `credits are applied to the next invoice` and/or `amounts
indexed to cpi, base MONTH, adjusted each contract year` (with an input `cpi` of unit
index), and a history of it long enough to cross a contract year, with cpi reported
in every period (any positive value, one decimal) or only where indexation reads it.
"""
from __future__ import annotations

from decimal import Decimal

import attrs
from hypothesis import strategies as st

from slarules.language import nodes
from slarules.language.printer import to_source

from strategies import MONTHS, DataModel, draw_decimal, flip, histories, name, pick, rulesets

INDEX = "cpi"


@attrs.frozen
class BillingCase:
    text: str  # the ruleset, what a failing example shows
    unindexed: str  # the same without the indexation clause and the index input
    rows: dict[str, dict]  # {period: {input: value}}
    invoicing: bool
    indexed: bool


@st.composite
def billing_cases(draw, max_periods: int = 28) -> BillingCase:
    ruleset = draw(rulesets(max_service_levels=3))
    model = DataModel.of(ruleset)
    rows = draw(histories(model, max_periods=max_periods, min_periods=2))
    invoicing, indexed = pick(draw, ((True, False), (False, True), (True, True)))
    sections = list(ruleset.sections)
    if invoicing:
        sections.append(nodes.Invoicing())
    unindexed = to_source(attrs.evolve(ruleset, sections=tuple(sections)))
    if indexed:
        labels = list(rows)
        months = MONTHS[model.periodicity]
        start = next(t.month for t in ruleset.contract.terms if isinstance(t, nodes.Starts))
        firsts = [_first_month(label, months) for label in labels]
        base = pick(draw, [month for month in firsts if month >= start])
        sections.append(nodes.Indexation(name(INDEX), base, pick(draw, (None, "cents", "whole units"))))
        sections.insert(0, nodes.Inputs((nodes.Input(name(INDEX), "index"),)))
        every_period = flip(draw)
        for label, first in zip(labels, firsts):
            if every_period or first == base or first[5:] == start[5:]:  # a contract year's start
                rows[label] = {**rows[label], INDEX: draw_decimal(draw, Decimal(50), Decimal(500), 1)}
    text = to_source(attrs.evolve(ruleset, sections=tuple(sections)))
    return BillingCase(text, unindexed, rows, invoicing, indexed)


def _first_month(label: str, months: int) -> str:
    """The first month of the period a label names: `2026-Q3` -> `2026-07`, `2027` -> `2027-01`."""
    if months == 1:
        return label
    if months == 3:
        return f"{label[:4]}-{(int(label[-1]) - 1) * 3 + 1:02d}"
    return f"{label}-01"
