"""Evaluate pass: Program x History (x a saved state) -> Outcome.

Input: a compiled Program, a History of periods (data.py) with its waivers and
exclusions, and optionally the state a previous evaluation ended with. Output:
an Outcome with, per period and in the order the ruleset declares them, each
service level's value and status and the line items it produced, the
period-wide caps, netting and totals, the termination rights that arose, and
the state after the last period. Errors: SlaError with an SLA4xx diagnostic
pointing at the data row (a required input missing, a measurement dividing by
zero) or at the state (SLA403-405).

Order within a period:
 1. inputs (defaults applied), the amount at risk;
 2. every service level's value and status: excluded, not reported (a miss),
    not measured, met or missed; a waived miss is "waived";
 3. what a miss costs now: a free pass (a warning), a cure window ("in cure",
    its credit computed now and held), or the credit; a met (or excluded)
    period cures every open window ("cured");
 4. credits with their caps, credits of cure windows closing unmet, bonuses
    whose gates are open (gates see every status), earn-backs;
 5. the at-risk cap, the window caps, the bonus limit, netting;
 6. termination triggers: each reports the first period its condition holds.
Money is rounded once per line, where it is produced, with
amount.quantize(quantum, mode): evaluation runs in money.CONTEXT. Sentences
explaining a line are built only when read (functools.partial binds what they
need), except for credits held in a cure window, whose sentence travels with
the state.
"""
from __future__ import annotations

import decimal
import gc
from contextlib import contextmanager
from decimal import Decimal
from functools import partial

from .compile import AT_RISK_KEY, MET, MISSED, CompiledAward, CompiledServiceLevel, Program, allocation_key
from .diagnostics import Diagnostic, SlaError
from .money import CONTEXT, format_money, format_number
from .periods import PERIOD_NOUN
from .outcome import (
    BONUS_KINDS,
    CREDIT_KINDS,
    EARN_BACK,
    ZERO_TOTALS,
    KpiResult,
    Line,
    Outcome,
    PeriodOutcome,
    ServiceLevelTotals,
    TerminationRight,
    Totals,
    YearTotals,
)
from .source import Span
from .state import Carry, Pending, PendingLine, WindowEntry

ZERO = Decimal(0)
_UNIT_SUFFIX = {"percent": "%", "seconds": " seconds", "minutes": " minutes"}


def evaluate(program: Program, history, state: Carry | None = None, events=None) -> Outcome:
    """Evaluate every period of the history, continuing from `state` if given."""
    from .data import History, history_from_mapping, with_events

    if not isinstance(history, History):
        history = history_from_mapping(program, history)
    if events is not None:
        history = with_events(program, history, events)
    # Start from a copy made through the JSON form, exactly as a saved state is read back.
    carry = Carry.from_data((state or Carry.initial(program)).to_data(), program)
    if carry.next_period is not None and history.periods and history.periods[0].label != carry.next_period:
        raise SlaError([Diagnostic(
            "SLA405", f"the data starts at {history.periods[0].label}, but the state continues from "
                      f"{carry.next_period}", history.periods[0].span,
            ("give the periods from the one after the state's last period, in order",),
            location=None if history.periods[0].span else "data")])
    evaluators = {id(terms): PeriodEvaluator(terms, carry, history.events)
                  for terms in (program, *(version for _, version in program.amendments))}

    def evaluate_period(data):
        index = program.calendar.index(data.label)
        return evaluators[id(program.in_force(index))](data, index)

    with decimal.localcontext(CONTEXT), _collector_paused():
        periods = tuple(map(evaluate_period, history.periods))
    if periods:
        carry.next_period = program.calendar.label(program.calendar.index(periods[-1].period) + 1)
    return summarize(program, periods, carry)


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
    """Evaluates one period at a time, updating the carry it was given."""

    def __init__(self, program: Program, carry: Carry, events=()):
        self.program = program
        self.carry = carry
        self.quantum, self.mode = program.rounding.quantum, program.rounding.decimal_mode
        self.digits = program.rounding.digits
        self.zero = program.rounding.rounder()(ZERO)  # 0.00: totals carry the currency's digits even when empty
        self.defaults = [(s.name, s.default) for s in program.inputs if s.missing == "default"]
        self.required = [s for s in program.inputs if s.missing == "required"]
        self.required_names = frozenset(s.name for s in self.required)
        self.counted_as_miss = frozenset(s.name for s in program.inputs if s.missing == "miss")
        self.has_gates = any(sl.gate is not None for sl in program.service_levels)
        self.earn_backs = any(sl.earn_back is not None for sl in program.service_levels)
        self.period_noun = PERIOD_NOUN[program.calendar.periodicity]
        self.events: dict[str, dict[str, object]] = {}
        for event in events:
            self.events.setdefault(event.period, {})[event.service_level] = event

    def __call__(self, data, index: int) -> PeriodOutcome:
        program, calendar = self.program, self.program.calendar
        label = data.label
        year = calendar.contract_year_of(index)
        year_ends = calendar.contract_year_of(index + 1) != year
        env = self.inputs(data)
        if program.at_risk is not None:
            env[AT_RISK_KEY] = program.at_risk.amount.value(env)
        unreported = (self.counted_as_miss.difference(env)
                      if self.counted_as_miss and not env.keys() >= self.counted_as_miss else frozenset())
        events = self.events.get(label, {})
        results = [self.status(sl, env, unreported, data, events.get(sl.name)) for sl in program.service_levels]
        measured = tuple(results) if self.has_gates else None  # what bonus gates see
        lines: list[Line] = []
        for position, sl in enumerate(program.service_levels):
            if sl.allocation is not None:
                env[allocation_key(sl.name)] = sl.allocation.value(env)
            results[position] = self.service_level(sl, results[position], env, measured, lines,
                                                    label, index, year, year_ends)
        # The service levels' own lines, summed once: credits and bonuses, and each one's credits.
        own_credits = bonuses = self.zero
        credits_of: dict[str, Decimal] = {}
        for line in lines:
            if line.kind in CREDIT_KINDS:
                own_credits += line.amount
                credits_of[line.service_level] = credits_of.get(line.service_level, ZERO) + line.amount
            elif line.kind in BONUS_KINDS:
                bonuses += line.amount
        credits = self.period_cap(label, program.at_risk, own_credits, "credit cap", "credits",
                                  "the amount at risk", env, lines)
        credits = self.window_caps(label, index, year, credits, env, lines)
        if self.earn_backs:
            self.earn_backs_due(results, own_credits, credits_of, credits, lines, label, year_ends)
        bonuses = self.period_cap(label, program.bonus_limit, bonuses, "bonus cap", "bonuses",
                                  "the bonus limit", env, lines)
        if program.netting == "only offset" and bonuses > credits:
            excess = bonuses - credits
            lines.append(Line(label, None, "bonus forfeit", -excess, program.netting_clause,
                              partial(self.forfeit_text, bonuses, credits, excess)))
            bonuses = credits
        earned_back = -sum([line.amount for line in lines if line.kind == EARN_BACK], self.zero)
        terminations = self.terminations(label, index, year, results, credits, env) if program.triggers else ()
        return PeriodOutcome(label, year, tuple(results), tuple(lines),
                             _totals(program.netting, credits, earned_back, bonuses), terminations)

    # ---- 1. inputs
    def inputs(self, data) -> dict[str, Decimal]:
        env = dict(data.values)
        for name, default in self.defaults:
            if name not in env:
                env[name] = default
        if env.keys() >= self.required_names:
            return env
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

    # ---- 2. status
    def status(self, sl: CompiledServiceLevel, env, unreported, data, event) -> KpiResult:
        if unreported and sl.reads & unreported:
            missing = ", ".join(sorted(sl.reads & unreported))
            result = KpiResult(sl.name, None, sl.unit, "missed", f"{missing} not reported; missing counts as a miss")
        else:
            result = self.measure(sl, env, data, excluded=event is not None and event.kind == "exclude")
        if event is None:
            return result
        reason = f": {event.reason}" if event.reason else ""
        if event.kind == "exclude":
            return KpiResult(sl.name, result.value, sl.unit, "excluded", f"excluded{reason}")
        if result.status == "missed":
            return KpiResult(sl.name, result.value, sl.unit, "waived", f"credit waived{reason}")
        return KpiResult(sl.name, result.value, sl.unit, result.status,
                         f"waiver not needed: {result.status}{reason}")

    def measure(self, sl: CompiledServiceLevel, env, data, excluded: bool) -> KpiResult:
        try:
            value = sl.measure(env)
        except ZeroDivisionError:
            value = None
        if sl.counted is not None and not sl.counted(env):
            return KpiResult(sl.name, value, sl.unit, "not measured", sl.volume_note)
        if value is None and not excluded:
            raise SlaError([Diagnostic(
                "SLA402",
                f"period {data.label}: measuring '{sl.name}' divides by zero",
                data.span,
                (f"the measurement is at {sl.measure_clause.where}; a minimum-volume condition "
                 "('measured only when ... is at least N') makes such periods not measured",),
                location=None if data.span else f"period {data.label}",
            )])
        if value is None:
            return KpiResult(sl.name, None, sl.unit, "excluded")
        return KpiResult(sl.name, value, sl.unit, "met" if sl.met(value) else "missed")

    # ---- 3 and 4. what the status costs or earns
    def service_level(self, sl, result: KpiResult, env, measured, lines, label, index, year, year_ends) -> KpiResult:
        carry = self.carry.service_levels[sl.name]
        if carry.contract_year != year:
            carry.contract_year, carry.passes_used = year, 0
            carry.year_sum, carry.year_count, carry.year_credits = ZERO, 0, ZERO
        status = result.status
        if status == "missed":
            if sl.free_passes is not None and carry.passes_used < sl.free_passes:
                carry.passes_used += 1
                result = _with(result, note=_join(result.note, f"free pass {carry.passes_used} of {sl.free_passes} "
                                                              f"in contract year {year}: a warning, no credit"))
            elif sl.cure is not None and sl.credit is not None:
                deadline = index + sl.cure
                held = self.award(label, sl, sl.credit, result, env)
                carry.pending.append(Pending(deadline, label, [
                    PendingLine(line.kind, line.amount, line.clause.line, line.explanation) for line in held]))
                result = _with(result, "in cure", _join(result.note, f"in cure until "
                                                                     f"{self.program.calendar.label(deadline)} "
                                                                     f"({sl.cure_text})"))
            elif sl.credit is not None:
                lines += self.award(label, sl, sl.credit, result, env)
        elif status in ("met", "excluded") and carry.pending:
            cured = ", ".join(p.missed_in for p in carry.pending)
            carry.pending.clear()
            result = _with(result, "cured" if status == "met" else status,
                           _join(result.note, f"cures the miss of {cured}"))
        if status == "met" and sl.bonus is not None:
            bonus = self.award(label, sl, sl.bonus, result, env)
            withheld = sl.gate(self.statuses(measured)) if bonus and sl.gate is not None else None
            if withheld is None:
                lines += bonus
            else:
                result = _with(result, note=_join(result.note, f"bonus {withheld}"))
        if carry.pending:
            self.close_cure_windows(sl, carry, lines, label, index)
        return result

    def statuses(self, measured) -> dict[str, tuple[str, bool]]:
        """What a bonus gate sees: each service level's status before cures, and whether it is critical."""
        return {sl.name: (r.status, sl.critical) for sl, r in zip(self.program.service_levels, measured)}

    def award(self, label, sl, award: CompiledAward, result: KpiResult, env) -> list[Line]:
        """The lines a credit or bonus clause produces: the amount, and a cap line if its cap binds."""
        form = award.form
        if result.value is not None:
            assessed = form.assess(result.value, env)
        elif award.cap is not None:
            # Not reported, counted as a miss: the clause's maximum, one line: what the worst
            # value earns, or the cap when that is less or the unit has no worst value.
            limit = award.cap.value(env).quantize(self.quantum, self.mode)
            worst = form.worst(env)
            if worst is None and not form.unbounded:
                return []
            if worst is None or worst[0].quantize(self.quantum, self.mode) >= limit:
                return [Line(label, sl.name, award.kind, limit, award.cap_clause,
                             partial(self.award_text, sl, award, result, None, None, env, limit))]
            assessed = worst
        else:
            assessed = form.worst(env)
        if assessed is None:
            return []
        exact, source, detail = assessed
        amount = exact.quantize(self.quantum, self.mode)
        lines = [Line(label, sl.name, award.kind, amount, source.clause,
                      partial(self.award_text, sl, award, result, source, detail, env, amount))]
        if award.cap is not None:
            limit = award.cap.value(env).quantize(self.quantum, self.mode)
            if amount > limit:
                lines.append(Line(label, sl.name, f"{award.kind} cap", limit - amount, award.cap_clause,
                                  partial(self.cap_text, sl, award, env, amount, limit)))
        return lines

    def close_cure_windows(self, sl, carry, lines, label, index) -> None:
        closing = [p for p in carry.pending if p.deadline == index]
        carry.pending = [p for p in carry.pending if p.deadline != index]
        source = sl.span.source
        for pending in closing:
            for held in pending.lines:
                clause = Span(source, held.line, 1, held.line, 1)
                text = f"{sl.name} missed in {pending.missed_in}, not cured by {label}: {held.text}"
                lines.append(Line(label, sl.name, held.kind, held.amount, clause, partial(str, text)))

    def earn_backs_due(self, results, own_credits, credits_of, credits, lines, label, year_ends) -> None:
        """Earn-back returns only credits actually charged: when period-wide caps cut the
        period's credits (`own_credits`, the service levels' own lines, to `credits`), each
        service level's credits (`credits_of`) count in the same proportion."""
        kept = credits / own_credits if own_credits else Decimal(1)
        for sl, result in zip(self.program.service_levels, results):
            if sl.earn_back is not None:
                own = credits_of.get(sl.name, ZERO)
                self.earn_back(sl, self.carry.service_levels[sl.name], result, own * kept, lines, label, year_ends)

    def earn_back(self, sl, carry, result, own, lines, label, year_ends) -> None:
        rule = sl.earn_back
        carry.outstanding += own
        carry.year_credits += own
        if result.status in MET or result.status == "excluded":
            # An excluded period counts for the vendor, as it cures a cure window: excluding
            # a period must never cost the vendor an earn-back.
            carry.met_streak += 1
        elif result.status in MISSED or result.status == "waived":
            carry.met_streak = 0
        if result.value is not None and result.status not in ("excluded", "not measured"):
            carry.year_sum += result.value
            carry.year_count += 1
        if rule.after is not None:
            if carry.met_streak >= rule.after and carry.outstanding > 0:
                returned = (carry.outstanding * rule.rate).quantize(self.quantum, self.mode)
                reason = f"met {self.periods_text(carry.met_streak)} in a row"
                basis = carry.outstanding
                carry.outstanding, carry.met_streak = ZERO, 0
                self.add_earn_back(lines, label, sl, rule, returned, basis, reason)
        elif year_ends:
            average = carry.year_sum / carry.year_count if carry.year_count else None
            if average is not None and sl.met(average) and carry.year_credits > 0:
                returned = (carry.year_credits * rule.rate).quantize(self.quantum, self.mode)
                reason = f"the contract year average {format_number(average)} meets the target {sl.target_text}"
                self.add_earn_back(lines, label, sl, rule, returned, carry.year_credits, reason)

    def add_earn_back(self, lines, label, sl, rule, returned, basis, reason) -> None:
        if returned:
            text = (f"{sl.name} {reason}: {rule.text}; credits of {self.fmt(basis)} "
                    f"-> {self.fmt(returned)} returned")
            lines.append(Line(label, sl.name, EARN_BACK, -returned, rule.clause, partial(str, text)))

    # ---- 5. period-wide caps
    def period_cap(self, label, cap, total, cap_kind, what, cap_name, env, lines) -> Decimal:
        """`total` after the cap, adding a cap line when the cap binds."""
        if cap is None:
            return total
        limit = cap.amount.value(env).quantize(self.quantum, self.mode)
        if total <= limit:
            return total
        lines.append(Line(label, None, cap_kind, limit - total, cap.clause,
                          partial(self.period_cap_text, what, cap_name, cap, env, total, limit)))
        return limit

    def window_caps(self, label, index, year, credits, env, lines) -> Decimal:
        rules = self.program.window_caps
        for rule, entries in zip(rules, self.carry.windows):
            entries[:] = _in_window(entries, rule.length, index, year)
            earlier = sum([e.credits for e in entries], ZERO)
            bases = [e.base for e in entries] + ([env[rule.base]] if rule.base else [])
            limit = rule.limit(bases).quantize(self.quantum, self.mode)
            if earlier + credits > limit:
                cut = min(earlier + credits - limit, credits)
                first = entries[0].label if entries else label
                lines.append(Line(label, None, "credit cap", -cut, rule.clause,
                                  partial(self.window_cap_text, rule, first, label, earlier, credits, limit)))
                credits -= cut
        for rule, entries in zip(rules, self.carry.windows):
            entries.append(WindowEntry(index, label, year, credits, env[rule.base] if rule.base else ZERO, False))
        return credits

    # ---- 6. termination
    def terminations(self, label, index, year, results, credits, env) -> tuple[TerminationRight, ...]:
        program = self.program
        by_name = {r.service_level: r for r in results}
        rights = []
        for rule, carry in zip(program.triggers, self.carry.triggers):
            if carry.fired is not None:
                continue
            fired = None
            if rule.kind in ("in a row", "in window", "floor"):
                result = by_name[rule.service_level]
                missed = self.counts_as_miss(result)
            if rule.kind == "in a row":
                if missed:
                    carry.run.append(label)
                elif missed is False:
                    carry.run.clear()
                if len(carry.run) >= rule.count:
                    fired = (f"{rule.service_level} missed {self.periods_text(rule.count)} in a row",
                             tuple(carry.run))
            elif rule.kind == "in window":
                carry.recent[:] = _in_window(carry.recent, rule.length, index, year)
                carry.recent.append(WindowEntry(index, label, year, ZERO, ZERO, bool(missed)))
                misses = tuple(e.label for e in carry.recent if e.missed)
                if len(misses) >= rule.count:
                    fired = (f"{rule.service_level} missed {len(misses)} times from {carry.recent[0].label} "
                             f"to {label}", misses)
            elif rule.kind == "floor":
                # Only a value that counts: not one of a period excluded, not measured or (by the
                # contract's word) waived.
                if (result.value is not None and missed is not None and result.status != "excluded"
                        and rule.floor(result.value)):
                    shown = format_number(result.value) + _UNIT_SUFFIX.get(result.unit, "")
                    fired = (f"{rule.service_level} was {shown}", (label,))
            elif rule.kind == "credits":
                window = rule.window
                carry.recent[:] = _in_window(carry.recent, window.length, index, year)
                carry.recent.append(WindowEntry(index, label, year, credits,
                                                env[window.base] if window.base else ZERO, False))
                total = sum([e.credits for e in carry.recent], ZERO)
                limit = window.limit([e.base for e in carry.recent]).quantize(self.quantum, self.mode)
                if total > limit:
                    fired = (f"credits of {self.fmt(total)} over {carry.recent[0].label} to {label} exceed "
                             f"{window.text} = {self.fmt(limit)}", tuple(e.label for e in carry.recent))
            else:
                missed_now = [r.service_level for r in results if self.counts_as_miss(r)]
                if len(missed_now) >= rule.count:
                    fired = (f"{len(missed_now)} service levels missed: {', '.join(missed_now)}", (label,))
            if fired is not None:
                carry.fired = label
                rights.append(TerminationRight(label, rule.text, rule.clause, fired[0], fired[1]))
        return tuple(rights)

    def counts_as_miss(self, result: KpiResult) -> bool | None:
        """True: a miss; False: breaks a streak of misses; None: neither (skipped)."""
        status = result.status
        if status in MISSED:
            return True
        if status == "waived":
            return True if self.program.waived_misses_count else None
        if status == "excluded":
            return False if self.program.excluded_periods_break_streaks else None
        if status == "not measured":
            return None
        return False

    # ---- sentences, built when a line's explanation is read
    def periods_text(self, count: int) -> str:
        return f"{count} {self.period_noun}{'s' * (count != 1)}"

    def fmt(self, amount: Decimal) -> str:
        return format_money(amount, self.digits)

    def award_text(self, sl, award, result, source, detail, env, amount) -> str:
        if result.value is None:
            head = f"{sl.name} {result.note.split('; ')[0]}; counts as a miss: the maximum {award.kind} applies"
        else:
            shown = format_number(result.value) + _UNIT_SUFFIX.get(sl.unit, "")
            status = "met" if award.kind == "bonus" else "missed"
            head = f"{sl.name} {shown} {status} target {sl.target_text}"
        # No source: the data was not reported and the award's cap applies.
        explained = source.explain(env, detail) if source is not None else f"its cap, {award.cap.describe(env)}"
        return f"{head}; {explained} = {self.fmt(amount)}"

    def cap_text(self, sl, award, env, amount, limit) -> str:
        return f"{sl.name} {award.kind} {self.fmt(amount)} capped at {award.cap.describe(env)} = {self.fmt(limit)}"

    def period_cap_text(self, what, cap_name, cap, env, total, limit) -> str:
        return f"{what} {self.fmt(total)} exceed {cap_name}, {cap.amount.describe(env)} = {self.fmt(limit)}"

    def window_cap_text(self, rule, first, label, earlier, credits, limit) -> str:
        return (f"credits from {first} to {label}, {self.fmt(earlier)} before this period and {self.fmt(credits)} "
                f"in it, exceed {rule.text} = {self.fmt(limit)}")

    def forfeit_text(self, bonuses, credits, excess) -> str:
        return (f"bonuses {self.fmt(bonuses)} exceed credits {self.fmt(credits)}; "
                f"bonuses only offset credits, so {self.fmt(excess)} is forfeited")


def _with(result: KpiResult, status: str | None = None, note: str | None = None) -> KpiResult:
    return KpiResult(result.service_level, result.value, result.unit, status or result.status,
                     note if note is not None else result.note)


def _join(note: str | None, more: str) -> str:
    return f"{note}; {more}" if note else more


def _in_window(entries, length: int | None, index: int, year: int) -> list[WindowEntry]:
    """The earlier entries still inside a window that ends at `index`."""
    if length is None:
        return [e for e in entries if e.contract_year == year]
    return [e for e in entries if e.index > index - length]


def _totals(netting: str, credits: Decimal, earned_back: Decimal, bonuses: Decimal) -> Totals:
    if netting == "paid separately":
        owed = credits - earned_back
        return Totals(credits, earned_back, bonuses, max(owed, ZERO), bonuses + max(-owed, ZERO))
    net = credits - earned_back - bonuses
    return Totals(credits, earned_back, bonuses, max(net, ZERO), max(-net, ZERO))


def summarize(program: Program, periods: tuple[PeriodOutcome, ...], carry: Carry) -> Outcome:
    """History totals, per service level and per contract year, from the periods (one pass)."""
    # Per service level name (an amendment may add one; only the ruleset's own are reported).
    credits: dict[str, Decimal] = {}
    earn_backs: dict[str, Decimal] = {}
    bonuses: dict[str, Decimal] = {}
    missed: dict[str, int] = {}
    met: dict[str, int] = {}
    years: dict[int, list] = {}  # contract year -> [first period, last period, totals]
    for p in periods:
        for r in p.results:
            if r.status in ("missed", "in cure", "waived"):
                missed[r.service_level] = missed.get(r.service_level, 0) + 1
            elif r.status in MET:
                met[r.service_level] = met.get(r.service_level, 0) + 1
        for line in p.lines:
            name = line.service_level
            if name is not None:
                if line.kind in CREDIT_KINDS:
                    credits[name] = credits.get(name, ZERO) + line.amount
                elif line.kind == EARN_BACK:
                    earn_backs[name] = earn_backs.get(name, ZERO) + line.amount
                elif line.kind in BONUS_KINDS:
                    bonuses[name] = bonuses.get(name, ZERO) + line.amount
        year = years.get(p.contract_year)
        if year is None:
            years[p.contract_year] = [p.period, p.period, ZERO_TOTALS + p.totals]
        else:
            year[1], year[2] = p.period, year[2] + p.totals
    by_sl = tuple(ServiceLevelTotals(sl.name, credits.get(sl.name, ZERO), -earn_backs.get(sl.name, ZERO),
                                     bonuses.get(sl.name, ZERO), missed.get(sl.name, 0), met.get(sl.name, 0))
                  for sl in program.service_levels)
    by_year = tuple(YearTotals(year, first, last, year_totals)
                    for year, (first, last, year_totals) in sorted(years.items()))
    # Sums of cents are exact, so adding up the years gives the sum of the periods.
    totals = sum((y.totals for y in by_year), ZERO_TOTALS)
    return Outcome(
        contract=program.title,
        currency=program.currency,
        digits=program.rounding.digits,
        ruleset=program.path,
        netting=program.netting,
        periods=periods,
        totals=totals,
        by_service_level=by_sl,
        by_contract_year=by_year,
        state=carry,
    )
