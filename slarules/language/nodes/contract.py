"""The contract's frame: its header (currency, periods, rounding, start), the
inputs it declares, the parties, their reporting duties and the reviews, and
the billing terms (credits on the next invoice, amounts indexed to a price index).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Union

import attrs

from ...core.source import Span
from .values import Name, span_field


# ------------------------------------------------------------------ header

@attrs.frozen
class Currency:
    code: str
    span: Span | None = span_field()


@attrs.frozen
class Assessed:
    periodicity: str  # "monthly" | "quarterly" | "yearly"
    span: Span | None = span_field()


@attrs.frozen
class Rounding:
    """`rounding half up to cents`."""

    mode: str  # "half up" | "half even" | "half down" | "up" | "down"
    minor_unit: str | None  # "cents" | "whole units" | None (the currency's own)
    span: Span | None = span_field()


@attrs.frozen
class Starts:
    month: str  # "2026-01"
    span: Span | None = span_field()


HeaderTerm = Union[Currency, Assessed, Rounding, Starts]


@attrs.frozen
class Contract:
    """`contract "Name" currency USD, assessed monthly, ...`."""

    title: str
    terms: tuple[HeaderTerm, ...]
    span: Span | None = span_field()


# ------------------------------------------------------------------ inputs

@attrs.frozen
class DefaultValue:
    """`, default 0`: the value used for a period that does not report the input."""

    value: Decimal


@attrs.frozen
class MissingIsMiss:
    """`, missing counts as a miss`: service levels reading it are missed."""


@attrs.frozen
class Input:
    """One declared per-period number: `monthly_fee money "fees invoiced"`."""

    name: Name
    unit: str
    description: str | None = None
    missing: DefaultValue | MissingIsMiss | None = None
    span: Span | None = span_field()
    reporting: "ReportingDuty | None" = None


@attrs.frozen
class Inputs:
    inputs: tuple[Input, ...]
    span: Span | None = span_field()


# ------------------------------------------------------------------ parties, duties, reviews

@attrs.frozen
class Party:
    """`vendor "Contoso Managed Services Ltd"[, may waive]`: a party and the name the ruleset
    calls it by; `may_waive` if it may waive a service level's credit."""

    name: Name
    title: str
    may_waive: bool = False
    span: Span | None = span_field()


@attrs.frozen
class Parties:
    """`parties` and the parties the contract binds."""

    parties: tuple[Party, ...]
    span: Span | None = span_field()


@attrs.frozen
class ReportingDuty:
    """`reported by vendor[, due the 10th business day of the following month]` on an input:
    who reports it and, if the contract says, by which business day after the period ends
    (`ordinal` as written, `10th`; `following` the period word written after it)."""

    party: Name
    ordinal: str | None = None
    following: str | None = None  # "month" | "quarter" | "year" | "period" (singular)
    span: Span | None = span_field()
    ordinal_span: Span | None = span_field()  # where `10th` is written

    @property
    def due_day(self) -> int | None:
        """The business day's rank: 10 for `10th`."""
        return None if self.ordinal is None else int(self.ordinal.rstrip("stndrh"))


@attrs.frozen
class Review:
    """`monthly operational review`, `annual review of targets`: a review and how often it meets."""

    cadence: str  # "monthly" | "quarterly" | "yearly" | "annual" as written
    name: str  # the words after the cadence: "operational review", "review of targets"
    span: Span | None = span_field()


@attrs.frozen
class Reviews:
    """`reviews` and the reviews the contract schedules."""

    reviews: tuple[Review, ...]
    span: Span | None = span_field()


# ------------------------------------------------------------------ billing


@attrs.frozen
class Invoicing:
    """`credits are applied to the next invoice`: a period's lines land on the next period's invoice."""

    span: Span | None = span_field()


@attrs.frozen
class Indexation:
    """`amounts indexed to cpi, base 2026-01, adjusted each contract year, rounded to cents`:
    the fixed amounts move each contract year with the index input; `minor_unit` as in Rounding
    (None: the contract's minor unit)."""

    index: Name
    base: str  # the base month, "2026-01"
    minor_unit: str | None = None
    span: Span | None = span_field()
