"""The result of an evaluation: frozen attrs objects, every figure traceable.

An Outcome holds one PeriodOutcome per period: each service level's value
and status, and the line items (credits, bonuses, caps) each with its clause
(`file:line`) and a sentence a person can check by hand. Sentences are built
when first read, not during evaluation, so a billing run over many periods
pays only for the money. Totals are sums of line items, so they add up to the
cent by construction. Rendering lives in report.py.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

import attrs

from .source import Span

CREDIT_KINDS = ("credit", "credit cap")
BONUS_KINDS = ("bonus", "bonus cap", "bonus forfeit")


@attrs.frozen
class Line:
    """One line item. Credits and bonuses are positive; caps and forfeits negative."""

    period: str
    service_level: str | None  # None for a period-wide line (the at-risk cap)
    kind: str  # "credit" | "credit cap" | "bonus" | "bonus cap" | "bonus forfeit"
    amount: Decimal
    clause: Span = attrs.field(eq=False)
    _explain: Callable[[], str] = attrs.field(eq=False, repr=False, alias="explain")

    @property
    def explanation(self) -> str:
        return self._explain()

    @property
    def clause_ref(self) -> str:
        return self.clause.where


@attrs.frozen
class KpiResult:
    """A service level's measurement in one period."""

    service_level: str
    value: Decimal | None  # None when not reported
    unit: str
    status: str  # "met" | "missed" | "not measured"
    note: str | None = None


@attrs.frozen
class Totals:
    """Credits and bonuses after every cap; net = credits - bonuses (owed to the client).

    credit_due and bonus_due are what is invoiced under the contract's netting:
    paid separately, both in full; offset, only the net, on whichever side it falls.
    """

    credits: Decimal
    bonuses: Decimal
    credit_due: Decimal
    bonus_due: Decimal

    @property
    def net(self) -> Decimal:
        return self.credits - self.bonuses

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(self.credits + other.credits, self.bonuses + other.bonuses,
                      self.credit_due + other.credit_due, self.bonus_due + other.bonus_due)


ZERO_TOTALS = Totals(Decimal(0), Decimal(0), Decimal(0), Decimal(0))


@attrs.frozen
class PeriodOutcome:
    period: str
    contract_year: int
    results: tuple[KpiResult, ...]
    lines: tuple[Line, ...]
    totals: Totals


@attrs.frozen
class ServiceLevelTotals:
    """A service level's own lines over the history (period-wide caps not included)."""

    service_level: str
    credits: Decimal
    bonuses: Decimal
    periods_missed: int
    periods_met: int


@attrs.frozen
class YearTotals:
    contract_year: int
    first_period: str
    last_period: str
    totals: Totals


@attrs.frozen
class Outcome:
    """Everything an evaluation found, in period order."""

    contract: str
    currency: str
    digits: int  # decimals of the currency's minor unit, for rendering
    ruleset: str
    netting: str
    periods: tuple[PeriodOutcome, ...]
    totals: Totals
    by_service_level: tuple[ServiceLevelTotals, ...]
    by_contract_year: tuple[YearTotals, ...]

    @property
    def lines(self) -> list[Line]:
        return [line for period in self.periods for line in period.lines]

    def to_json(self) -> str:
        from .report import to_json

        return to_json(self)

    def to_text(self) -> str:
        from .report import to_text

        return to_text(self)

    def to_csv(self) -> str:
        from .report import to_csv

        return to_csv(self)
