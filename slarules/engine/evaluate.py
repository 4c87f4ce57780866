"""Evaluate pass: Terms x History (x a saved state) -> Outcome.

Input: a compiled Terms, a History of periods (history.py; read once, in order,
so they may be a stream that never holds them all) with its waivers and
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
    not measured, met or missed; a waived miss is "waived"; one assessed
    quarterly "pending" until its quarter's last period (frequencies.py);
 3. what a miss costs now: a free pass (a warning), a cure window ("in cure",
    its credit computed now and held), or the credit; a met (or excluded)
    period cures every open window ("cured");
 4. credits with their caps, credits of cure windows closing unmet, bonuses
    whose gates are open (gates see every status), earn-backs;
 5. a critical failure: the withhold, and the credits of 3 and 4 replaced;
 6. the at-risk cap, the window caps, late deliverables' credits (deliverables.py),
    the bonus limit, netting;
 7. termination triggers: a right arises in each period a trigger's condition
    holds, counting only the periods after the one its right last arose in.
Money is rounded once per line, where it is produced, with
amount.quantize(quantum, mode): evaluation runs in money.CONTEXT.

A long history is a billing run's bulk, so a period costs as little as it can:
steps 1 to 7 are Python generated for the version of the terms in force
(codegen.py: only the constructs the ruleset uses, each service level's
measurement, volume condition and target one generated judge), calling this
module's PeriodEvaluator for the rare ones; a period keeps a flat record, from which
its KpiResults, Lines and Totals are built each time they are read, as a
sentence is, from what the record keeps (a held credit's sentence travels
with the state as text); each period adds its money to its contract year's
running totals (RunningYear) as it ends, and summarize counts the periods
missed and met from the records by Counter; and CPython's full collections, which rescan
everything alive, are held off while the records pile up (outcome.no_full_collections).
"""
from __future__ import annotations

import decimal
from collections import Counter
from decimal import ROUND_FLOOR, Decimal
from functools import cached_property
from itertools import repeat
from operator import itemgetter
from types import MethodType

import attrs

from ..core.diagnostics import Diagnostic, SlaError
from ..core.money import CONTEXT, format_number
from .codegen import period_binder, results_reader, wording_of
from .compile import MISSED, CompiledServiceLevel, Terms
from .deliverables import LateDeliveries
from .forms import CompiledAward
from .frequencies import PENDING, assessed_later
from .history import History
from .reporting import LateReports
from .indexation import Indexer
from .invoicing import carried_invoice, invoice_period_of, next_invoice_data
from .outcome import (
    CREDITS_REPLACED,
    WITHHOLD,
    Invoice,
    ZERO_TOTALS,
    RECORD_RESULTS,
    RESULT_FIELDS,
    Line,
    Outcome,
    PeriodOutcome,
    ServiceLevelTotals,
    TerminationRight,
    Totals,
    YearTotals,
    made,
    no_full_collections,
)
from .state import Carry, WindowEntry
from .wording import UNIT_SUFFIX, sentence

ZERO = Decimal(0)
_COUNTED_MISSED = frozenset(("missed", "in cure", "waived"))  # a service level's periods missed, in its totals
_COUNTED_MET = frozenset(("met", "cured"))


def evaluate(program: Terms, history: History, state: Carry | None = None) -> Outcome:
    """Evaluate every period of the history, continuing from `state` if given."""
    carry = (state or Carry.initial(program)).copy_for(program)
    arriving = iter(history.periods)  # read once, as they arrive: a long history may be a stream
    first = next(arriving, None)
    if carry.next_period is not None and first is not None and first.label != carry.next_period:
        raise SlaError([Diagnostic(
            "SLA405", f"the data starts at {first.label}, but the state continues from "
                      f"{carry.next_period}", first.span,
            ("give the periods from the one after the state's last period, in order",),
            location=None if first.span else first.location or "data")])
    money: dict[str, list[Decimal]] = {}  # per service level: credits, credits earned back (negative), bonuses
    years: dict[int, RunningYear] = {}  # per contract year, its totals as the periods are evaluated
    carried = carry.next_invoice  # an invoice the state carries in, billed now (invoicing.py)
    indexer = Indexer(program.indexation, program.calendar, carry.index_values) if program.indexation else None
    late = LateDeliveries.for_run(program, history, carry.deliverables)
    evaluators = {id(terms): PeriodEvaluator(terms, carry, money, years, history.events, indexer,
                                             history.holidays, late)
                  for terms in (program, *(version for _, version in program.amendments))}

    if program.amendments:
        def evaluator(data, index, year):  # the terms in force
            return evaluators[id(program.in_force(index))].period(data, index, year)
    else:
        evaluator = evaluators[id(program)].period
    with decimal.localcontext(CONTEXT), no_full_collections():
        evaluated = []
        calendar = program.calendar
        data = first
        try:
            while data is not None:  # the first period, or one not the next: placed by its label
                index = calendar.index(data.label)
                evaluated.append(evaluator(data, index, calendar.contract_year_of(index)))
                # then each period the calendar expects next, (index, label, contract year)
                for data, (index, label, year) in zip(arriving, calendar.following(index)):
                    if data.label != label:
                        break
                    evaluated.append(evaluator(data, index, year))
                else:
                    data = None
        except (decimal.InvalidOperation, decimal.Overflow):
            raise _beyond_exact_range(data) from None
        periods = tuple(evaluated)
        if periods:
            carry.next_period = program.calendar.label(program.calendar.index(periods[-1].period) + 1)
            if program.invoicing is not None:
                carry.next_invoice = next_invoice_data(periods[-1], program.calendar)
        carry.ledger = (state or carry).ledger.billed(history, periods)
        outcome = summarize(program, periods, carry, money, years, carried_invoice(carried))
        return outcome if late is None else late.shown_in(outcome, program.calendar)


def _beyond_exact_range(data) -> SlaError:
    return SlaError([Diagnostic(
        "SLA406", f"period {data.label}: a figure is beyond the {CONTEXT.prec} significant digits "
                  "evaluation keeps exactly", data.span,
        ("the ruleset's amounts, or this period's values, are too large or too fine to be multiplied "
         "out and rounded to the currency's minor unit; check the figures of the clauses this period reaches",),
        location=data.place())])


class PeriodEvaluator:
    """Evaluates one period at a time with `period(data, index, year)`, the generated code of
    its terms (codegen.py) bound to it, updating the carry it was given and the running
    credits, credits earned back and bonuses of each service level (`money`, by
    name: amendments change a service level's clauses, never which service levels
    there are); its methods are what that code calls for the rare constructs; builds a
    PeriodOutcome's results, lines, totals and terminations from its record when they
    are read.

    A period's record (the PeriodOutcome itself) is (period, contract year, late
    reports, this evaluator, lines, terminations, credits, earned back, bonuses,
    withheld, *results): per line item, (its LineHead, amount, *what its sentence
    reads), read by wording.sentence; per service level, in declaration order,
    value (on the reporting grid, if any), status, note, value as measured (None
    when the contract states no reporting grid)."""

    def __init__(self, program: Terms, carry: Carry, money: dict[str, list[Decimal]],
                 years: dict[int, "RunningYear"], events=(), indexer=None, holidays=frozenset(),
                 late: LateDeliveries | None = None):
        self.program = program
        self.indexer = indexer  # the index values of `amounts indexed to` (indexation.py), or None
        self.late_deliveries = late  # the deliverables' credits, in the period each is delivered
        self.holidays = holidays  # not business days: for cure windows and notices in business days
        self.carry = carry
        self.service_levels = program.service_levels
        self.carries = [carry.service_levels[sl.name] for sl in program.service_levels]
        self.money_of = {sl.name: money.setdefault(sl.name, [ZERO, ZERO, ZERO]) for sl in program.service_levels}
        self.years = years  # contract year -> its RunningYear, shared with the other versions' evaluators
        # `minutes in the month`: the period's length from the calendar, put in env each period
        self.days_in = program.calendar.days_in if any(sl.reads_period_length for sl in program.service_levels) \
            else None
        self.year = None  # the contract year the carries' counters were last seen in
        self.year_totals: RunningYear | None = None  # that year's running totals
        self.quantum, self.mode = program.rounding.quantum, program.rounding.decimal_mode
        self.owner = program.roles.accountable  # service level (None: period-wide) -> accountable party
        self.wording = wording_of(program)  # the line items' heads and sentences
        self.late_reports = LateReports.of(program, self.wording.fmt)  # None: no input has a due day
        self.zero = program.rounding.rounder()(ZERO)  # 0.00: totals carry the currency's digits even when empty
        self.required = [s for s in program.inputs if s.missing == "required"]
        self.counted_as_miss = frozenset(s.name for s in program.inputs if s.missing == "miss")
        self.contract_year_of = program.calendar.contract_year_of
        self.events: dict[str, dict[str, object]] = {}
        for event in events:
            self.events.setdefault(event.period, {})[event.service_level] = event
        position = {sl.name: i for i, sl in enumerate(program.service_levels)}
        # The triggers, with their carries and service levels.
        self.triggers = [(rule, trigger, position.get(rule.service_level))
                         for rule, trigger in zip(program.triggers, carry.triggers)]
        self.period = period_binder(program)(self)  # period(data, index, year) -> PeriodOutcome: codegen.py
        self.results = results_reader(program)  # a record -> its KpiResults, also written out there

    # Built when first needed: most one-period evaluations from a saved state need neither.
    @cached_property
    def miss_of(self) -> dict[str, bool | None]:
        """What each status means for a termination streak (see counts_as_miss)."""
        return {status: self.counts_as_miss(status) for status in
                ("met", "cured", "missed", "in cure", "waived", "excluded", "not measured", PENDING)}

    # ---- a period's public figures, built from its record each time they are read (never kept)
    def lines(self, period: str, record) -> tuple[Line, ...]:
        invoice, lines = self.invoice_period_of(period), []
        for line in record[4]:
            head = line[0]
            lines.append(made(Line, (period, head.service_level, head.kind, line[1], head.clause,
                                     MethodType(sentence, line), head.accountable, invoice, head.contract_clause)))
        return tuple(lines)

    def invoice_period_of(self, period: str) -> str | None:
        return None if self.program.invoicing is None else invoice_period_of(self.program.calendar, period)

    def totals(self, record) -> Totals:
        credits, earned_back, bonuses, withheld = record[6:RECORD_RESULTS]
        due_to_client, due_to_vendor = _due(self.program.netting, credits, earned_back, bonuses, withheld)
        return made(Totals, (credits, earned_back, bonuses, withheld, due_to_client, due_to_vendor))

    def terminations(self, record) -> tuple[TerminationRight, ...]:
        return record[5]

    # ---- 1. inputs
    def missing_input(self, data, env) -> None:
        for spec in self.required:
            if spec.name not in env:
                raise SlaError([Diagnostic(
                    "SLA401",
                    f"period {data.label} has no value for input '{spec.name}'",
                    data.span,
                    (f"'{spec.name}' is declared at {spec.span.where} with no rule for missing data; "
                     "if the contract says how missing data counts, add ', default N' or "
                     "', missing counts as a miss' there",),
                    location=data.place(),
                )])

    # ---- 2. status
    def status(self, sl: CompiledServiceLevel, env, unreported, data, event) -> tuple:
        """(value, status, note, as measured) of a service level, with what is not reported and the
        period's event."""
        if sl.assessment is not None:
            return assessed_later(env)
        excluded = event is not None and event.kind == "exclude"
        if unreported and sl.reads & unreported:
            missing = ", ".join(sorted(sl.reads & unreported))
            value, status, note, as_measured = None, "missed", f"{missing} not reported; missing counts as a miss", None
        else:
            try:
                value, status, note, as_measured = sl.judge(env)
            except ZeroDivisionError:
                if not excluded:
                    raise SlaError([Diagnostic(
                        "SLA402",
                        f"period {data.label}: measuring '{sl.name}' divides by zero",
                        data.span,
                        (f"the measurement is at {sl.measure_clause.where}; a minimum-volume condition "
                         "('measured only when ... is at least N') makes such periods not measured",),
                        location=data.place(),
                    )]) from None
                value, status, note, as_measured = None, "excluded", None, None
        if event is None:
            return value, status, note, as_measured
        reason = f": {event.reason}" if event.reason else ""
        if excluded:
            return value, "excluded", f"excluded{reason}", as_measured
        if status == "missed":
            return value, "waived", f"credit waived{reason}", as_measured
        return value, status, f"waiver not needed: {status}{reason}", as_measured

    def unjudged(self, env, data) -> list[tuple]:
        """Every service level's (value, status, note, as measured) in a period with an input
        not reported, an event, or a measurement dividing by zero (status names which)."""
        unreported = self.counted_as_miss.difference(env)
        events = self.events.get(data.label, {})
        return [self.status(sl, env, unreported, data, events.get(sl.name)) for sl in self.service_levels]

    # ---- 3 and 4. what the status costs or earns: the generated period's calls (codegen.py)
    def new_contract_year(self, year: int, label: str) -> None:
        """The period `label` is in another contract year than the last one these terms
        evaluated: the counters of each service level restart if it begins one, and the
        year's running totals are `year_totals`, begun by this period unless another version's
        periods began them."""
        for carry in self.carries:
            if carry.contract_year != year:
                carry.contract_year, carry.passes_used = year, 0
                carry.year_sum, carry.year_count, carry.year_credits = ZERO, 0, ZERO
        self.year = year
        self.year_totals = self.years.get(year)
        if self.year_totals is None:
            self.year_totals = self.years[year] = RunningYear(label, label, *repeat(self.zero, 5))

    def free_pass(self, sl, carry, note, year) -> str:
        """A miss within the contract year's free passes: a warning; returns the note."""
        carry.passes_used += 1
        return _join(note, f"free pass {carry.passes_used} of {sl.free_passes} in contract year {year}: "
                           "a warning, no credit")

    def cure(self, carry, status, note, index) -> tuple[str, str]:
        """A met or excluded period cures every open window it counts toward."""
        curing, still_open = [], []
        for window in carry.pending:
            (curing if window.cures_in(index) else still_open).append(window)
        if not curing:
            return status, note
        carry.pending = still_open
        note = _join(note, f"cures the miss of {', '.join([window.missed_in for window in curing])}")
        return ("cured" if status == "met" else status), note

    @staticmethod
    def joined(note: str | None, more: str) -> str:
        return _join(note, more)

    def unreported_award(self, sl, award: CompiledAward, note, env, lines) -> Decimal | None:
        """Not reported, counted as a miss: the clause's maximum, one line: what the worst
        value earns, or the cap when that is less or the unit has no worst value."""
        form = award.form
        if award.cap is None:
            worst = form.worst(env)
            if worst is None:
                return None
            exact, source, detail = worst
            amount = exact.quantize(self.quantum, self.mode)
        else:
            limit = award.cap.value(env).quantize(self.quantum, self.mode)
            worst = form.worst(env)
            if worst is None and not form.unbounded:
                return None
            amount = None if worst is None else worst[0].quantize(self.quantum, self.mode)
            if amount is None or amount >= limit:
                amount, source, detail = limit, None, None
            else:
                _, source, detail = worst
        lines.append((self.wording.award_head(sl, award, source), amount, None, note, detail, env))
        return amount

    def close_cure_windows(self, sl, carry, lines, label, index) -> Decimal | None:
        """Add the held lines of the cure windows closing unmet now (the first ones: they are
        kept in order of deadline); returns their sum (None: they hold no line)."""
        pending, total = carry.pending, None
        while pending and pending[0].deadline == index:
            window = pending.pop(0)
            for held in window.lines:
                lines.append((self.wording.held_head(sl.name, held), held.amount, window.missed_in, label, held))
                total = held.amount if total is None else total + held.amount
        return total

    def streak_earn_back(self, sl, carry, lines) -> Decimal:
        """`after N consecutive met periods`, now met: the outstanding credits' share returned."""
        rule = sl.earn_back
        returned = (carry.outstanding * rule.rate).quantize(self.quantum, self.mode)
        basis, streak = carry.outstanding, carry.met_streak
        carry.outstanding, carry.met_streak = ZERO, 0
        return self.add_earn_back(lines, sl, rule, returned, basis, streak, None)

    def year_earn_back(self, sl, carry, lines) -> Decimal:
        """The contract year ends: its credits' share returned if the year's average meets the target."""
        rule = sl.earn_back
        average = carry.year_sum / carry.year_count if carry.year_count else None
        if average is None or not sl.met(average) or carry.year_credits <= 0:
            return ZERO
        returned = (carry.year_credits * rule.rate).quantize(self.quantum, self.mode)
        return self.add_earn_back(lines, sl, rule, returned, carry.year_credits, None, average)

    def add_earn_back(self, lines, sl, rule, returned, basis, streak, average) -> Decimal:
        """An earn-back line, unless nothing is returned: for `streak` met periods in a row,
        or (streak None) for the contract year's `average`."""
        if returned:
            lines.append((self.wording.earn_back_head(sl), -returned, returned, basis, streak, average))
            self.money_of[sl.name][1] -= returned
        return returned

    # ---- 5. critical failure
    def critical_failure(self, results) -> str | None:
        """Why the period is a critical failure ("availability was 94.5%, below 95%"), or None."""
        reasons = []
        for test in self.program.critical_failure.conditions:
            if test.kind == "floor":
                value, status = results[test.position][:2]
                if self.counts_for_floor(value, status) and test.floor(value):
                    sl = self.service_levels[test.position]
                    reasons.append(f"{sl.name} was {_shown(value, sl.unit)}, {test.text}")
            else:
                missed_now = self.missed_now(results)
                if len(missed_now) >= test.count:
                    reasons.append(f"{len(missed_now)} service levels missed: {', '.join(missed_now)}")
        return "; ".join(reasons) if reasons else None

    def critical_failure_lines(self, rule, failure, own_credits, env, lines) -> tuple[Decimal, Decimal]:
        """The lines of a critical failure: the service levels' credits replaced (when the
        clause says they do not accrue and there are any), and the withhold, never more than
        the input it is a share of. Returns (the credits that still accrue, the withheld)."""
        accrued = own_credits
        if rule.replaces_credits and own_credits:
            lines.append((self.wording.line_head(None, CREDITS_REPLACED, rule.replace_clause,
                                                 self.wording.replaced_text, rule),
                          -own_credits, failure, own_credits))
            accrued = self.zero
        charges = env[rule.base].quantize(self.quantum, ROUND_FLOOR)  # the most a line can be, not above them
        withheld = min(rule.withhold.value(env).quantize(self.quantum, self.mode), charges)
        lines.append((self.wording.line_head(None, WITHHOLD, rule.withhold_clause, self.wording.withhold_text, rule),
                      withheld, failure, env))
        return accrued, withheld

    # ---- 6. period-wide caps (the at-risk cap and the bonus limit are written out: codegen.py)
    def window_caps(self, label, index, year, credits, env, lines) -> Decimal:
        rules = self.program.window_caps
        for rule, entries in zip(rules, self.carry.windows):
            _trim(entries, rule.length, index, year)
            earlier = sum([e.credits for e in entries], ZERO)
            bases = [e.base for e in entries] + ([env[rule.base]] if rule.base else [])
            limit = rule.limit(bases, env).quantize(self.quantum, self.mode)
            if credits > 0 and earlier + credits > limit:  # a period with no credits crosses nothing
                cut = min(earlier + credits - limit, credits)
                first = entries[0].label if entries else label
                head = self.wording.line_head(None, "credit cap", rule.clause, self.wording.window_cap_text, rule)
                lines.append((head, -cut, first, label, earlier, credits, limit))
                credits -= cut
        for rule, entries in zip(rules, self.carry.windows):
            entries.append(WindowEntry(index, label, year, credits, env[rule.base] if rule.base else ZERO, False))
        return credits

    # ---- 7. termination: each trigger's test (codegen.py counts runs and windows of misses);
    # a test returns (why the right arises, the periods that caused it), or None
    def in_a_row(self, rule, carry, position):
        """The right of `N in a row` arises: why, and the periods of the run."""
        quarterly = self.service_levels[position].assessment
        return (f"{rule.service_level} missed {self.wording.periods_text(rule.count, quarterly)} in a row",
                tuple(carry.run))

    def in_window(self, rule, carry, label):
        """The right of `N times in any M periods` arises: why, and the periods missed."""
        misses = [e.label for e in carry.recent if e.missed]
        return f"{rule.service_level} missed {len(misses)} times from {carry.recent[0].label} to {label}", tuple(misses)

    def below_floor(self, rule, position, value, status, label):
        if not (self.counts_for_floor(value, status) and rule.floor(value)):
            return None
        return f"{rule.service_level} was {_shown(value, self.service_levels[position].unit)}", (label,)

    def over_credits(self, rule, carry, label, index, year, credits, env):
        window = rule.window
        _trim(carry.recent, window.length, index, year)
        carry.recent.append(WindowEntry(index, label, year, credits, env[window.base] if window.base else ZERO, False))
        total = sum([e.credits for e in carry.recent], ZERO)
        limit = window.limit([e.base for e in carry.recent], env).quantize(self.quantum, self.mode)
        if total <= limit:
            return None
        return (f"credits of {self.wording.fmt(total)} over {carry.recent[0].label} to {label} exceed "
                f"{window.text} = {self.wording.fmt(limit)}", tuple(e.label for e in carry.recent))

    def many_missed(self, rule, results, label):
        missed_now = self.missed_now(results)
        if len(missed_now) < rule.count:
            return None
        return f"{len(missed_now)} service levels missed: {', '.join(missed_now)}", (label,)

    def arise(self, rule, carry, label, index, fired) -> TerminationRight:
        """The right a trigger gives in the period. Once it has arisen, the trigger counts afresh
        from the next period: its run of misses and its window start empty."""
        carry.fired = carry.fired or label  # the first time
        carry.arisen += 1
        carry.run.clear()
        carry.recent.clear()
        carry.misses = 0
        effective = rule.notice.effective(self.program.calendar, index, self.holidays) if rule.notice else None
        return made(TerminationRight, (label, rule.text, rule.clause, fired[0], fired[1], carry.arisen,
                                       self.owner.get(rule.service_level), effective, self.program.cited(rule.clause)))

    def counts_for_floor(self, value, status: str) -> bool:
        """Whether a value is held against a floor: a reported value of a period not excluded,
        not measured nor (by the contract's word) waived."""
        return value is not None and self.miss_of[status] is not None and status != "excluded"

    def missed_now(self, results) -> list[str]:
        """The service levels whose status counts as a miss toward termination in this period."""
        return [sl.name for sl, result in zip(self.service_levels, results) if self.miss_of[result[1]]]

    def counts_as_miss(self, status: str) -> bool | None:
        """For a termination streak, True: a miss; False: breaks a streak of misses; None: neither (skipped)."""
        if status in MISSED:
            return True
        if status == "waived":
            return True if self.program.waived_misses_count else None
        if status == "excluded":
            return False if self.program.excluded_periods_break_streaks else None
        if status == "not measured" or status == PENDING:
            return None
        return False


def _shown(value: Decimal, unit: str) -> str:
    """A measured value with its unit, as sentences show it: 94.5%."""
    return format_number(value) + UNIT_SUFFIX.get(unit, "")


def _join(note: str | None, more: str) -> str:
    return f"{note}; {more}" if note else more


def _trim(entries: list[WindowEntry], length: int | None, index: int, year: int) -> None:
    """Drop the earlier entries no longer inside a window that ends at `index` (of `length`
    periods, or the contract year). Entries are in period order, so those are the first ones."""
    keep = 0
    if length is None:
        while keep < len(entries) and entries[keep].contract_year != year:
            keep += 1
    else:
        while keep < len(entries) and entries[keep].index <= index - length:
            keep += 1
    del entries[:keep]


def _due(netting: str, credits: Decimal, earned_back: Decimal, bonuses: Decimal,
         withheld: Decimal) -> tuple[Decimal, Decimal]:
    """(due to the client, due to the vendor) in a period, under the contract's netting (see
    Totals); for what is invoiced, withheld charges count with the credits."""
    owed = credits + withheld - earned_back
    if netting == "paid separately":  # (max(owed, 0), bonuses + max(-owed, 0)), with max's ties
        return (owed, bonuses + ZERO) if owed > 0 else (ZERO if owed else owed, bonuses + -owed)
    net = owed - bonuses  # (max(net, 0), max(-net, 0)): on a tie max keeps its first argument
    return (net, ZERO) if net > 0 else (ZERO if net else net, -net)


@attrs.define
class RunningYear:
    """A contract year's totals while its periods are evaluated: the generated period adds
    each period's money to them (codegen.py), summarize makes them the year's Totals.
    `excess` adds up what the vendor was owed on balance in the periods where it was (see
    _due): max(earned_back - credits - withheld, 0) where bonuses are paid separately, with
    the bonuses added to earned_back where they offset the credits."""

    first: str  # the year's first period evaluated, and its last
    last: str
    credits: Decimal
    earned_back: Decimal
    bonuses: Decimal
    withheld: Decimal
    excess: Decimal

    def totals(self, netting: str) -> Totals:
        """The year's Totals under the contract's netting (amendments do not change it): the
        dues of _due added up over its periods, each a balance plus the excess, as max(x, 0)
        is x + max(-x, 0)."""
        owed = self.credits + self.withheld - self.earned_back
        if netting == "paid separately":
            due = owed + self.excess, self.bonuses + self.excess
        else:
            due = owed - self.bonuses + self.excess, self.excess
        return Totals(self.credits, self.earned_back, self.bonuses, self.withheld, *due)


def summarize(program: Terms, periods: tuple[PeriodOutcome, ...], carry: Carry, money: dict[str, list[Decimal]],
              years: dict[int, RunningYear], carried: Invoice | None = None) -> Outcome:
    """The Outcome: the periods, and the history totals per service level and per contract
    year, which the periods added up as they were evaluated; the periods missed and met, from
    the periods' records by Counter."""
    by_sl = []
    # How many periods had each combination of the service levels' statuses, in one pass.
    combinations = Counter(map(itemgetter(slice(RECORD_RESULTS + 1, None, RESULT_FIELDS)), periods))
    missed, met = [0] * len(program.service_levels), [0] * len(program.service_levels)
    for combination, count in combinations.items():
        for position, status in enumerate(combination):
            if status in _COUNTED_MISSED:
                missed[position] += count
            elif status in _COUNTED_MET:
                met[position] += count
    for position, sl in enumerate(program.service_levels):
        credits, earned_back, bonuses = money[sl.name]
        by_sl.append(ServiceLevelTotals(sl.name, credits, -earned_back, bonuses, missed[position], met[position]))
    by_year = tuple(YearTotals(year, running.first, running.last, running.totals(program.netting))
                    for year, running in sorted(years.items()))
    # Sums of cents are exact, so adding up the years gives the sum of the periods: each
    # figure is the sum of its zero and every year's.
    totals = Totals(*map(sum, zip(ZERO_TOTALS, *(y.totals for y in by_year))))
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
        state=carry,
        fingerprint=program.fingerprint,
        invoicing=program.invoicing is not None,
        carried_invoice=carried,
    )
