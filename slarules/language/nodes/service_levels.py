"""A service level and its clauses: how it is measured and reported, its target,
volume condition and allocation, its credit and bonus (flat, tier tables,
linear, shortfall) and bonus gate, cure, free passes and earn-back, who is
accountable for it and what a late report costs; and a service level as an
amendment restates it.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Union

import attrs

from ...core.source import Span
from .values import Amount, Band, Base, Comparison, ContractClause, Expr, Name, Quantity, Share, cites_field, span_field

DAY_UNITS = ("day", "business day")  # a Cure's unit when it counts days


# ------------------------------------------------------------------ credits and bonuses

@attrs.frozen
class Row:
    """One row of a tier table: `below 75%: 5% of monthly_fee`."""

    band: Band
    amount: Amount
    span: Span | None = span_field()


@attrs.frozen
class Flat:
    """`credit: 5% of monthly_fee`: one amount whenever the target is missed (met, for a bonus)."""

    amount: Amount


@attrs.frozen
class Table:
    """Tier rows. `rule` is "most severe" or "best" (the matching row furthest
    from the target applies) or "range" (rows must not overlap; the one that
    matches applies), or "shortfall" (ranges of the shortfall from the target,
    `credit by shortfall:`; semantics.kpi_table gives the ranges of the KPI they
    stand for). A one-row table is written `bonus: at least 85%: ...`."""

    rule: str
    rows: tuple[Row, ...]


@attrs.frozen
class Linear:
    """`1% of monthly_fee per point above 5%, part points count as whole, at most ...`.

    The unit is a step word or the noun the contract uses, of one or more words
    (`per ticket resolved late`); the counting phrase names it again, usually in the
    plural (`only whole tickets resolved late count`), and that is the plural explain
    and the printer use. `pro rata` names no noun (counted is None)."""

    amount: Amount
    step: Decimal | None  # `per 0.5 point`; None means one unit
    step_unit: str  # as written: "point", "seconds", "ticket resolved late", ...
    side: str  # "below" | "above"
    threshold: Quantity | Share  # `above 3% of opened`: a share of an input each period
    rounding: str  # "up" (part units count as whole) | "down" | "pro rata"
    cap: Amount | None = None
    # The noun of the counting phrase as written ("tickets resolved late"): a spelling, like a
    # span, so it takes no part in equality (the check makes sure it names the unit's noun).
    counted: str | None = attrs.field(eq=False, default=None)


@attrs.frozen
class Shortfall:
    """`the shortfall in points as a percentage of monthly_fee`: target 97%, actual 90% -> 7%."""

    base: Base
    cap: Amount | None = None


Form = Union[Flat, Table, Linear, Shortfall]


@attrs.frozen
class Award:
    """A `credit` or `bonus` clause of a service level."""

    kind: str  # "credit" | "bonus"
    form: Form
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()


@attrs.frozen
class Gate:
    """`bonus only if ...`: kind is "no critical missed", "all met" or "named met"."""

    kind: str
    names: tuple[Name, ...] = ()
    span: Span | None = span_field()


# ------------------------------------------------------------------ service levels

@attrs.frozen
class Cure:
    """`cure: within 1 month`: a miss met again within N periods costs nothing.
    `cure within 10 business days`: unit "day" or "business day" (see engine/cure_days.py)."""

    periods: Decimal
    unit: str
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()

    @property
    def in_days(self) -> bool:
        return self.unit in DAY_UNITS


@attrs.frozen
class FreePasses:
    """`free passes: the first 2 misses in each contract year` are warnings."""

    count: Decimal
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()


@attrs.frozen
class EarnBack:
    """`earn back: 100% of its credits after 3 consecutive met months`, or
    `... when the contract year average meets the target` (after is None)."""

    percent: Decimal
    after: Decimal | None
    unit: str | None
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()


# ------------------------------------------------------------------ accountability


@attrs.frozen
class Accountable:
    """`accountable: vendor`: the party that answers for a service level."""

    party: Name
    span: Span | None = span_field()


@attrs.frozen
class LateReport:
    """`late report: counts as a miss | credit AMOUNT | no consequence`: what a late report of
    the service level's inputs costs (`consequence` "miss", "credit" or "none")."""

    consequence: str
    amount: Amount | None = None
    span: Span | None = span_field()


# ------------------------------------------------------------------ reporting precision

@attrs.frozen
class Reported:
    """`reported to whole seconds`, `reported to 2 decimals, rounding half up`: the grid
    the contract reports the KPI on; the value is rounded to it before any comparison."""

    decimals: Decimal  # 0 for `whole ...`
    whole: str | None  # the unit word of `whole seconds` as written; None for `N decimals`
    mode: str | None  # the rounding mode as written; None: half up
    span: Span | None = span_field()


@attrs.frozen
class Measured:
    """`measured as answered_in_20s / calls_offered, in percent[, reported to ...]`; `averaged`
    names the periodicity of `the average of the monthly values of ...` (None: not averaged)."""

    expr: Expr
    in_percent: bool
    span: Span | None = span_field()
    reported: Reported | None = None
    averaged: str | None = None


@attrs.frozen
class Frequency:
    """`assessed quarterly` inside a service level: assessed less often than the contract."""

    periodicity: str  # "monthly" | "quarterly" | "yearly"
    span: Span | None = span_field()


@attrs.frozen
class Target:
    comparison: Comparison
    span: Span | None = span_field()


@attrs.frozen
class Volume:
    """`measured only when calls_offered is at least 500`."""

    input: Name
    comparison: Comparison
    span: Span | None = span_field()


@attrs.frozen
class Allocation:
    """`allocation: 20% of the amount at risk` (pool allocation)."""

    amount: Amount
    span: Span | None = span_field()


Clause = Union[Measured, Target, Volume, Allocation, Award, Gate, Cure, FreePasses, EarnBack, Frequency,
               Accountable, LateReport]


@attrs.frozen
class ServiceLevel:
    """`[critical] service level NAME "title"` and its clauses, in source order."""

    name: Name
    title: str | None
    critical: bool
    clauses: tuple[Clause, ...]
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()

    def _first(self, kind, award: str | None = None):
        for clause in self.clauses:
            if isinstance(clause, kind) and (award is None or clause.kind == award):
                return clause
        return None

    @property
    def measured(self) -> Measured | None:
        return self._first(Measured)

    @property
    def target(self) -> Target | None:
        return self._first(Target)

    @property
    def volume(self) -> Volume | None:
        return self._first(Volume)

    @property
    def allocation(self) -> Allocation | None:
        return self._first(Allocation)

    @property
    def credit(self) -> Award | None:
        return self._first(Award, "credit")

    @property
    def bonus(self) -> Award | None:
        return self._first(Award, "bonus")

    @property
    def gate(self) -> Gate | None:
        return self._first(Gate)

    @property
    def cure(self) -> Cure | None:
        return self._first(Cure)

    @property
    def free_passes(self) -> FreePasses | None:
        return self._first(FreePasses)

    @property
    def earn_back(self) -> EarnBack | None:
        return self._first(EarnBack)

    @property
    def frequency(self) -> Frequency | None:
        return self._first(Frequency)

    @property
    def accountable(self) -> Accountable | None:
        return self._first(Accountable)

    @property
    def late_report(self) -> LateReport | None:
        return self._first(LateReport)


@attrs.frozen
class AmendedServiceLevel:
    """Inside an amendment: `service level NAME` and the clauses that replace its own."""

    name: Name
    clauses: tuple[Clause, ...]
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()
