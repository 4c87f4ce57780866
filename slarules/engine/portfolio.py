"""Many subjects under one ruleset: each subject's result, and the portfolio's totals.

Input: each subject's evaluated Outcome (or the diagnostics that stopped it),
one at a time. Output: SubjectOutcome, and PortfolioTotals, which adds each
evaluated subject's totals into the portfolio's, per period and in all, as the
subjects come: it holds one Totals per period label and the names of the
subjects that failed, never a subject's outcome, so a portfolio of any size is
evaluated in the memory of one subject. Totals are sums of the subjects' totals
(themselves sums of line items), so they add up to the cent by construction;
each subject is invoiced on its own, so the amounts due are the subjects' amounts
due added up (netting applies within a subject, never across subjects).
"""
from __future__ import annotations

from typing import Generic, TypeVar

import attrs

from ..core.diagnostics import Diagnostic
from .outcome import ZERO_TOTALS, Outcome, TerminationRight, Totals


AnOutcome = TypeVar("AnOutcome", bound=Outcome, covariant=True)


@attrs.frozen
class SubjectOutcome(Generic[AnOutcome]):
    """One subject's result: its Outcome, or None and the diagnostics that stopped it (its data
    or its saved state: SLA3xx, SLA4xx). A subject with diagnostics was not evaluated at all.
    Generic in the kind of Outcome (the API's renders itself)."""

    subject: str
    outcome: AnOutcome | None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome is not None


@attrs.frozen
class PeriodTotals:
    """The portfolio's totals for one period: the sum over the subjects that reported it."""

    period: str
    contract_year: int
    subjects: int
    totals: Totals


class PortfolioTotals:
    """The running totals of a portfolio, added to a subject at a time (add())."""

    def __init__(self) -> None:
        self.totals: Totals = ZERO_TOTALS
        self.evaluated = 0
        self.failed: list[str] = []
        self.terminations: list[tuple[str, TerminationRight]] = []  # (subject, right), in the order they came
        self._by_period: dict[str, PeriodTotals] = {}

    def add(self, result: SubjectOutcome[Outcome]) -> None:
        if result.outcome is None:
            self.failed.append(result.subject)
            return
        self.evaluated += 1
        self.totals = self.totals + result.outcome.totals
        for period in result.outcome.periods:
            known = self._by_period.get(period.period)
            self._by_period[period.period] = PeriodTotals(
                period.period, period.contract_year, (known.subjects if known else 0) + 1,
                (known.totals if known else ZERO_TOTALS) + period.totals)
            self.terminations += [(result.subject, right) for right in period.terminations]

    @property
    def by_period(self) -> list[PeriodTotals]:
        """Per period, in calendar order (labels of one calendar sort as their periods do)."""
        return [self._by_period[label] for label in sorted(self._by_period)]
