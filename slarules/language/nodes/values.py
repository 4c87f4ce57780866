"""What terms are built from: names, the contract clause a term cites, quantities,
comparisons and bands, amounts and their bases, and the expressions of `measured as`.

Also the two fields every node module shares: span_field() (where a node is
written) and cites_field() (the contract clause a term cites).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Union

import attrs

from ...core.source import Span


def span_field():
    """Where a node is written: no part of equality, so a ruleset printed and parsed again
    compares equal to the original."""
    return attrs.field(eq=False, repr=False, default=None)


def cites_field():
    """The `contract_clause` field of a term that may name its contract clause."""
    return attrs.field(default=None, kw_only=True)


# ------------------------------------------------------------------ names

@attrs.frozen
class Name:
    """An identifier as written, with its own span so carets underline just it."""

    text: str
    span: Span | None = span_field()


@attrs.frozen
class ContractClause:
    """`clause "C.2.1(b)"`: the signed contract's clause a term encodes, free text as the
    contract numbers it (quotes and backslashes written \\" and \\\\). `written` is the
    string as it stands in the source, escapes and all: a spelling, like a span."""

    text: str
    written: str | None = attrs.field(eq=False, repr=False, default=None)
    span: Span | None = span_field()


# ------------------------------------------------------------------ values

@attrs.frozen
class Quantity:
    """A number with the unit written after it: 80%, 20 seconds, 500."""

    value: Decimal
    unit: str | None  # "percent", "seconds", "minutes", "points" (of a shortfall) or None for a bare number
    span: Span | None = span_field()


@attrs.frozen
class Share:
    """`3% of opened`: an allowance worked out each period as a share of another input
    ("3% of the tickets opened in the period"). It has no value of its own: a target or
    a linear amount's threshold written so compares with `percent`% of the input's value
    in each period. Nothing else may hold one (the grammar sees to it)."""

    percent: Decimal
    unit: str | None  # the unit written after the number, as for a Quantity; only "percent" is accepted
    base: Name
    span: Span | None = span_field()


@attrs.frozen
class Comparison:
    """`at least 80%`, `at most 5%`, `above 40 seconds`, `below 75%`; a target's may
    compare with a share of another input: `at most 3% of opened`."""

    op: str  # "at least" | "at most" | "above" | "below"
    quantity: Quantity | Share
    span: Span | None = span_field()


@attrs.frozen
class Band:
    """The KPI values a tier row covers.

    `kind` is one of "open" (a single comparison in `first`), "from to"
    (first..second, both included), "from to below" (second excluded),
    "above to" (first excluded), "above to below" (both excluded) and "and"
    (two comparisons in `first` and `second`, in the order written:
    `below 99.95% and at least 99.5%`).
    """

    kind: str
    first: Comparison | Quantity
    second: Comparison | Quantity | None = None
    span: Span | None = span_field()


@attrs.frozen
class InputBase:
    """An amount's base that is a declared money input: `of monthly_fee`."""

    name: Name


@attrs.frozen
class AtRiskBase:
    """`of the amount at risk`: the period's at-risk amount."""


@attrs.frozen
class AllocationBase:
    """`of the allocation`: the service level's share of the amount at risk."""


Base = Union[InputBase, AtRiskBase, AllocationBase]


@attrs.frozen
class PercentOf:
    """`2% of monthly_fee`."""

    percent: Decimal
    base: Base
    span: Span | None = span_field()


@attrs.frozen
class FixedMoney:
    """`USD 1,500`."""

    currency: str
    value: Decimal
    span: Span | None = span_field()


Amount = Union[PercentOf, FixedMoney]


# ------------------------------------------------------------------ expressions

@attrs.frozen
class Number:
    value: Decimal
    span: Span | None = span_field()


@attrs.frozen
class Reference:
    """A use of a declared input inside `measured as`."""

    name: Name


@attrs.frozen
class BinaryOp:
    op: str  # "+", "-", "*", "/"
    left: "Expr"
    right: "Expr"
    span: Span | None = span_field()


@attrs.frozen
class PeriodLength:
    """The period's length, a built-in quantity: `minutes in the month`, `days in the period`.
    `unit` is days, hours, minutes or seconds; `period_word` the word written after `in the`
    (period, month, quarter or year)."""

    unit: str
    period_word: str
    span: Span | None = span_field()


Expr = Union[Number, Reference, PeriodLength, BinaryOp]
