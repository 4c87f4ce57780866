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
Sentences explaining each line are built only when read (functools.partial
binds the values they need), so a billing run pays only for the money.
"""
from __future__ import annotations

import decimal
import gc
from contextlib import contextmanager
from decimal import Decimal
from functools import partial

from .compile import AT_RISK_KEY, CompiledAward, CompiledServiceLevel, PeriodCap, Program, allocation_key
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
_UNIT_SUFFIX = {"percent": "%", "seconds": " seconds", "minutes": " minutes"}


def evaluate(program: Program, history) -> Outcome:
    """Evaluate every period of the history; see the module docstring for the order."""
    from .data import History, history_from_mapping

    if not isinstance(history, History):
        history = history_from_mapping(program, history)
    evaluate_period = PeriodEvaluator(program)
    with decimal.localcontext(CONTEXT), _collector_paused():
        periods = tuple(map(evaluate_period, history.periods))
    return summarize(program, periods)


@contextmanager
def _collector_paused():
    """Evaluation allocates many small result objects and no reference cycles;
    CPython's cyclic collector rescanning them doubled the time of a long
    history (bench/run.py). Pause it, and restore whatever state it had."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class PeriodEvaluator:
    """Evaluates one period at a time; built once per Program and history."""

    def __init__(self, program: Program):
        self.program = program
        self.round = program.rounding.rounder()
        self.digits = program.rounding.digits
        self.defaults = [(s.name, s.default) for s in program.inputs if s.missing == "default"]
        self.required = [s for s in program.inputs if s.missing == "required"]
        self.counted_as_miss = frozenset(s.name for s in program.inputs if s.missing == "miss")
        self.has_gates = any(sl.gate is not None for sl in program.service_levels)

    def __call__(self, data) -> PeriodOutcome:
        program = self.program
        label = data.label
        env = self.inputs(data)
        unreported = self.counted_as_miss.difference(env) if self.counted_as_miss else frozenset()
        if program.at_risk is not None:
            env[AT_RISK_KEY] = program.at_risk.amount.value(env)
        results = [self.measure(sl, env, unreported, data) for sl in program.service_levels]
        statuses = ({sl.name: (r.status, sl.critical) for sl, r in zip(program.service_levels, results)}
                    if self.has_gates else None)
        lines: list[Line] = []
        for index, sl in enumerate(program.service_levels):
            result = results[index]
            if sl.allocation is not None:
                env[allocation_key(sl.name)] = sl.allocation.value(env)
            if result.status == "missed":
                if sl.credit is not None:
                    self.award(label, sl, sl.credit, result, env, lines)
            elif result.status == "met" and sl.bonus is not None:
                withheld = sl.gate(statuses) if sl.gate is not None else None
                if withheld is None:
                    self.award(label, sl, sl.bonus, result, env, lines)
                else:
                    results[index] = KpiResult(sl.name, result.value, sl.unit, "met", f"bonus {withheld}")
        credits = self.period_cap(label, program.at_risk, CREDIT_KINDS, "credit cap", "credits",
                                  "the amount at risk", env, lines)
        bonuses = self.period_cap(label, program.bonus_limit, BONUS_KINDS, "bonus cap", "bonuses",
                                  "the bonus limit", env, lines)
        if program.netting == "only offset" and bonuses > credits:
            excess = bonuses - credits
            lines.append(Line(label, None, "bonus forfeit", -excess, program.netting_clause,
                              partial(self.forfeit_text, bonuses, credits, excess)))
            bonuses = credits
        return PeriodOutcome(label, program.calendar.contract_year(label), tuple(results), tuple(lines),
                             _totals(program.netting, credits, bonuses))

    def inputs(self, data) -> dict[str, Decimal]:
        env = dict(data.values)
        for name, default in self.defaults:
            if name not in env:
                env[name] = default
        for spec in self.required:
            if spec.name not in env:
                raise SlaError([Diagnostic(
                    "SLA401",
                    f"period {data.label} has no value for input '{spec.name}'",
                    data.span,
                    (f"'{spec.name}' is declared at {spec.span.where} with no rule for missing data; "
                     "if the contract says how missing data counts, add ', default N' or "
                     "', missing counts as a miss' there",),
                    location=None if data.span else f"period {data.label}",
                )])
        return env

    def measure(self, sl: CompiledServiceLevel, env, unreported, data) -> KpiResult:
        if unreported and sl.reads & unreported:
            missing = ", ".join(sorted(sl.reads & unreported))
            return KpiResult(sl.name, None, sl.unit, "missed", f"{missing} not reported; missing counts as a miss")
        try:
            value = sl.measure(env)
        except ZeroDivisionError:
            value = None
        if sl.counted is not None and not sl.counted(env):
            return KpiResult(sl.name, value, sl.unit, "not measured", sl.volume_note)
        if value is None:
            raise SlaError([Diagnostic(
                "SLA402",
                f"period {data.label}: measuring '{sl.name}' divides by zero",
                data.span,
                (f"the measurement is at {sl.measure_clause.where}; a minimum-volume condition "
                 "('measured only when ... is at least N') makes such periods not measured",),
                location=None if data.span else f"period {data.label}",
            )])
        return KpiResult(sl.name, value, sl.unit, "met" if sl.met(value) else "missed")

    def award(self, label, sl, award: CompiledAward, result: KpiResult, env, lines):
        form = award.form
        if result.value is not None:
            assessed = form.assess(result.value, env)
        else:
            assessed = form.worst(env)
            if assessed is None and award.cap is not None:
                # An unbounded linear credit for an unreported period: its cap is the maximum.
                amount = self.round(award.cap.value(env))
                lines.append(Line(label, sl.name, award.kind, amount, award.cap_clause,
                                  partial(self.award_text, sl, award, result, award.cap.describe, env, amount)))
                return
        if assessed is None:
            return
        exact, clause, explain = assessed
        amount = self.round(exact)
        lines.append(Line(label, sl.name, award.kind, amount, clause,
                          partial(self.award_text, sl, award, result, explain, env, amount)))
        if award.cap is not None:
            limit = self.round(award.cap.value(env))
            if amount > limit:
                lines.append(Line(label, sl.name, f"{award.kind} cap", limit - amount, award.cap_clause,
                                  partial(self.cap_text, sl, award, env, amount, limit)))

    def period_cap(self, label, cap: PeriodCap | None, kinds, cap_kind, what, cap_name, env, lines) -> Decimal:
        total = sum([line.amount for line in lines if line.kind in kinds], ZERO)
        if cap is None:
            return total
        limit = self.round(cap.amount.value(env))
        if total <= limit:
            return total
        lines.append(Line(label, None, cap_kind, limit - total, cap.clause,
                          partial(self.period_cap_text, what, cap_name, cap, env, total, limit)))
        return limit

    # ---- sentences, built when a line's explanation is read
    def fmt(self, amount: Decimal) -> str:
        return format_money(amount, self.digits)

    def award_text(self, sl, award, result, explain, env, amount) -> str:
        if result.value is None:
            head = f"{sl.name} {result.note}; the maximum {award.kind} applies"
        else:
            shown = format_number(result.value) + _UNIT_SUFFIX.get(sl.unit, "")
            head = f"{sl.name} {shown} {result.status} target {sl.target_text}"
        return f"{head}; {explain(env)} = {self.fmt(amount)}"

    def cap_text(self, sl, award, env, amount, limit) -> str:
        return f"{sl.name} {award.kind} {self.fmt(amount)} capped at {award.cap.describe(env)} = {self.fmt(limit)}"

    def period_cap_text(self, what, cap_name, cap, env, total, limit) -> str:
        return f"{what} {self.fmt(total)} exceed {cap_name}, {cap.amount.describe(env)} = {self.fmt(limit)}"

    def forfeit_text(self, bonuses, credits, excess) -> str:
        return (f"bonuses {self.fmt(bonuses)} exceed credits {self.fmt(credits)}; "
                f"bonuses only offset credits, so {self.fmt(excess)} is forfeited")


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
            sum((line.amount for line in own if line.kind in CREDIT_KINDS), ZERO),
            sum((line.amount for line in own if line.kind in BONUS_KINDS), ZERO),
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
