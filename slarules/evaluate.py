"""Evaluate pass: Program x History -> Outcome.

Input: a compiled Program and a History of periods (data.py), each period's
inputs as exact Decimals. Output: an Outcome with, per period and in the order
the ruleset declares them, each service level's value and status and the line
items it produced, then the period-wide caps and netting, then totals.
Errors: SlaError with an SLA4xx diagnostic pointing at the data row, when a
required input is missing or a measurement divides by zero.

Order within a period: inputs (defaults applied) -> the amount at risk ->
every service level's value and status -> credits (with per-clause caps) and
bonuses (gates see every status) -> the at-risk cap on credits -> the limit
on bonuses -> netting. Money is rounded once per line, where it is produced.
"""
from __future__ import annotations

import decimal
from functools import partial
from decimal import Decimal

from .compile import AT_RISK_KEY, CompiledAward, Program, allocation_key
from .diagnostics import Diagnostic, SlaError
from .money import CONTEXT, format_money, format_number
from .outcome import (
    BONUS_KINDS,
    CREDIT_KINDS,
    ZERO_TOTALS,
    KpiResult,
    Line,
    Outcome,
    PeriodOutcome,
    ServiceLevelTotals,
    Totals,
    YearTotals,
)

ZERO = Decimal(0)


def evaluate(program: Program, history) -> Outcome:
    """Evaluate every period of the history; see the module docstring for the order."""
    from .data import History, history_from_mapping

    if not isinstance(history, History):
        history = history_from_mapping(program, history)
    with decimal.localcontext(CONTEXT):
        periods = tuple(_Period(program, data).evaluate() for data in history.periods)
    return summarize(program, periods)


class _Period:
    """One period's evaluation; a class only to keep its working values together."""

    def __init__(self, program: Program, data):
        self.program = program
        self.data = data
        self.label = data.label
        self.money = program.rounding.round
        self.digits = program.rounding.digits
        self.lines: list[Line] = []

    def evaluate(self) -> PeriodOutcome:
        program = self.program
        env, unreported = self.inputs()
        if program.at_risk is not None:
            env[AT_RISK_KEY] = program.at_risk.amount.value(env)
        measured = [self.measure(sl, env, unreported) for sl in program.service_levels]
        statuses = {sl.name: (result.status, sl.critical) for sl, result in zip(program.service_levels, measured)}
        results = []
        for sl, result in zip(program.service_levels, measured):
            if sl.allocation is not None:
                env[allocation_key(sl.name)] = sl.allocation.value(env)
            if result.status == "missed" and sl.credit is not None:
                self.award(sl, sl.credit, result, env)
            elif result.status == "met" and sl.bonus is not None:
                withheld = sl.gate(statuses) if sl.gate is not None else None
                if withheld is not None:
                    result = KpiResult(result.service_level, result.value, result.unit, result.status,
                                       f"bonus {withheld}")
                else:
                    self.award(sl, sl.bonus, result, env)
            results.append(result)
        credits = self.period_cap(program.at_risk, CREDIT_KINDS, "credit cap", "credits", "the amount at risk", env)
        bonuses = self.period_cap(program.bonus_limit, BONUS_KINDS, "bonus cap", "bonuses", "the bonus limit", env)
        if program.netting == "only offset" and bonuses > credits:
            excess = bonuses - credits
            self.add_line(None, "bonus forfeit", -excess, program.netting_clause,
                          partial(self.forfeit_text, bonuses, credits, excess))
            bonuses = credits
        return PeriodOutcome(
            self.label,
            program.calendar.contract_year(self.label),
            tuple(results),
            tuple(self.lines),
            _totals(program.netting, credits, bonuses),
        )

    def inputs(self):
        env: dict[str, Decimal] = {}
        unreported: set[str] = set()
        values = self.data.values
        for spec in self.program.inputs:
            value = values.get(spec.name)
            if value is None:
                if spec.missing == "default":
                    value = spec.default
                elif spec.missing == "miss":
                    unreported.add(spec.name)
                    continue
                else:
                    raise SlaError([Diagnostic(
                        "SLA401",
                        f"period {self.label} has no value for input '{spec.name}'",
                        self.data.span,
                        (f"'{spec.name}' is declared at {spec.span.where} with no rule for missing data; "
                         "if the contract says how missing data counts, add ', default N' or "
                         "', missing counts as a miss' there",),
                    )])
            env[spec.name] = value
        return env, unreported

    def measure(self, sl, env, unreported) -> KpiResult:
        missing = sorted(sl.reads & unreported)
        if missing:
            return KpiResult(sl.name, None, sl.unit, "missed",
                             f"{', '.join(missing)} not reported; missing counts as a miss")
        try:
            value = sl.measure(env)
        except ZeroDivisionError:
            value = None
        if sl.counted is not None and not sl.counted(env):
            return KpiResult(sl.name, value, sl.unit, "not measured", f"measured only when {sl.volume_text}")
        if value is None:
            raise SlaError([Diagnostic(
                "SLA402",
                f"period {self.label}: measuring '{sl.name}' divides by zero",
                self.data.span,
                (f"the measurement is at {sl.measure_clause.where}; a minimum-volume condition "
                 "('measured only when ... is at least N') makes such periods not measured",),
            )])
        return KpiResult(sl.name, value, sl.unit, "met" if sl.met(value) else "missed")

    def award(self, sl, award: CompiledAward, result: KpiResult, env):
        form = award.form
        assessed = form.assess(result.value, env) if result.value is not None else form.worst(env)
        if result.value is None:
            head = f"{sl.name} {result.note}; the maximum {award.kind} applies"
        else:
            head = f"{sl.name} {format_number(result.value)}{_unit_suffix(sl.unit)} {result.status} target {sl.target_text}"
        if assessed is None and result.value is None and award.cap is not None:
            # An unbounded linear credit for an unreported period: its cap is the maximum.
            amount = self.money(award.cap.value(env))
            self.add_line(sl.name, award.kind, amount, award.cap_clause,
                          lambda: f"{head}: {award.cap.describe(env)} = {self.fmt(amount)}")
            return
        if assessed is None:
            return
        exact, clause, explain = assessed
        amount = self.money(exact)
        self.add_line(sl.name, award.kind, amount, clause,
                      lambda: f"{head}; {explain(env)} = {self.fmt(amount)}")
        if award.cap is not None:
            limit = self.money(award.cap.value(env))
            if amount > limit:
                self.add_line(sl.name, f"{award.kind} cap", limit - amount, award.cap_clause,
                              lambda: f"{sl.name} {award.kind} {self.fmt(amount)} capped at "
                                      f"{award.cap.describe(env)} = {self.fmt(limit)}")

    def period_cap(self, cap, kinds, cap_kind, what, cap_name, env) -> Decimal:
        total = sum((line.amount for line in self.lines if line.kind in kinds), ZERO)
        if cap is None:
            return total
        limit = self.money(cap.amount.value(env))
        if total <= limit:
            return total
        self.add_line(None, cap_kind, limit - total, cap.clause,
                      lambda: f"{what} {self.fmt(total)} exceed {cap_name}, "
                              f"{cap.amount.describe(env)} = {self.fmt(limit)}")
        return limit

    def forfeit_text(self, bonuses, credits, excess) -> str:
        return (f"bonuses {self.fmt(bonuses)} exceed credits {self.fmt(credits)}; "
                f"bonuses only offset credits, so {self.fmt(excess)} is forfeited")

    def add_line(self, service_level, kind, amount, clause, explain):
        self.lines.append(Line(self.label, service_level, kind, amount, clause, explain))

    def fmt(self, amount: Decimal) -> str:
        return format_money(amount, self.digits)


def _unit_suffix(unit: str) -> str:
    return {"percent": "%", "seconds": " seconds", "minutes": " minutes"}.get(unit, "")


def _totals(netting: str, credits: Decimal, bonuses: Decimal) -> Totals:
    if netting == "paid separately":
        return Totals(credits, bonuses, credits, bonuses)
    net = credits - bonuses
    return Totals(credits, bonuses, max(net, ZERO), max(-net, ZERO))


def summarize(program: Program, periods: tuple[PeriodOutcome, ...]) -> Outcome:
    """History totals, per service level and per contract year, from the periods."""
    totals = sum((p.totals for p in periods), ZERO_TOTALS)
    by_sl = []
    for sl in program.service_levels:
        own = [line for p in periods for line in p.lines if line.service_level == sl.name]
        statuses = [r.status for p in periods for r in p.results if r.service_level == sl.name]
        by_sl.append(ServiceLevelTotals(
            sl.name,
            sum((l.amount for l in own if l.kind in CREDIT_KINDS), ZERO),
            sum((l.amount for l in own if l.kind in BONUS_KINDS), ZERO),
            statuses.count("missed"),
            statuses.count("met"),
        ))
    years: dict[int, list[PeriodOutcome]] = {}
    for p in periods:
        years.setdefault(p.contract_year, []).append(p)
    by_year = tuple(
        YearTotals(year, ps[0].period, ps[-1].period, sum((p.totals for p in ps), ZERO_TOTALS))
        for year, ps in sorted(years.items())
    )
    return Outcome(
        contract=program.title,
        currency=program.currency,
        digits=program.rounding.digits,
        ruleset=program.path,
        netting=program.netting,
        periods=periods,
        totals=totals,
        by_service_level=tuple(by_sl),
        by_contract_year=by_year,
    )
