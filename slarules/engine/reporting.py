"""Roles and reporting duties at evaluation: who answers for each figure, which reports
came late, and what a late report costs.

Input: the checked ruleset (compile_roles) and, per period, the date the period's report
arrived (PeriodData.reported_on, from the data file's `reported_on`). Output: Roles, which
the evaluator asks for each service level's accountable party, the period's LateReports
(an input whose due day passed before the report arrived), and the late reports'
consequences the contract states per service level: `counts as a miss` (the service
level is missed as if its inputs were not reported: the credit is the clause's maximum,
as for `missing counts as a miss`), `credit AMOUNT` (a `late report` credit line, capped
with the period's other credits) or `no consequence` (shown, nothing more). A waived or
excluded service level is left as the event says. Nothing here carries from one period
to the next, so evaluating month by month gives what evaluating at once does.

Business days are Monday to Friday (no holidays): the due date of `the 10th business day
of the following month` is the 10th such day after the period's last day. Days late are
calendar days from the due date to the arrival.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

import attrs

from ..core.days import add_days
from ..core.periods import MONTHS_PER_PERIOD, Calendar, days_in_month
from ..core.source import Span
from ..language import nodes, printer
from .forms import CompiledAmount, compile_amount
from .outcome import LATE_REPORT


def nth_business_day_after(day: datetime.date, rank: int) -> datetime.date:
    """The `rank`-th day after `day` that is a Monday to Friday (rank >= 1); date.max if that
    is beyond the calendar (a period of the year 9999 or later: no report is late)."""
    try:
        return add_days(day, rank, business=True)
    except OverflowError:
        return datetime.date.max


def period_end(calendar: Calendar, label: str) -> datetime.date | None:
    """The last day of the period with this label; None for a period after the year 9999
    (labels may have up to nine digits of year: such a period ends after every date)."""
    last = calendar.first_month(label) + MONTHS_PER_PERIOD[calendar.periodicity] - 1  # its last month
    year, number = divmod(last, 12)
    if year > datetime.MAXYEAR:
        return None
    return datetime.date(year, number + 1, days_in_month(last))


@attrs.frozen
class Duty:
    """An input's reporting duty with a due day: `party` reports `input` by the `due_day`-th
    business day after the period ends."""

    input: str
    party: str
    due_day: int
    clause: Span
    text: str  # "reported by vendor, due the 10th business day of the following month"


@attrs.frozen
class LateRule:
    """A service level's `late report:` clause: consequence "miss", "credit" or "none"."""

    consequence: str
    amount: CompiledAmount | None
    clause: Span
    text: str


@attrs.frozen
class LateReport:
    """A report that arrived after its due date."""

    period: str
    input: str
    reported_by: str
    due: datetime.date
    arrived: datetime.date

    @property
    def days_late(self) -> int:
        return (self.arrived - self.due).days


@attrs.frozen
class Roles:
    """The parties, who answers for each service level, the reporting duties with a due
    day, each service level's late-report rule and the reviews. `accountable` maps a service
    level's name to its party, and None (a period-wide line or right) to the party every
    service level shares, if they share one."""

    parties: tuple[tuple[str, str, bool], ...] = ()  # (name, legal name, may waive)
    accountable: dict = attrs.field(factory=dict)
    duties: tuple[Duty, ...] = ()
    late_rules: dict = attrs.field(factory=dict)  # service level -> LateRule
    reviews: tuple[tuple[str, str], ...] = ()  # (cadence, name) as written

    def late_in(self, calendar: Calendar, label: str, arrived: datetime.date | None) -> tuple[LateReport, ...]:
        """The reports of period `label` that arrived after their due day."""
        end = None if arrived is None or not self.duties else period_end(calendar, label)
        if end is None:
            return ()
        late = []
        for duty in self.duties:
            due = nth_business_day_after(end, duty.due_day)
            if arrived > due:
                late.append(LateReport(label, duty.input, duty.party, due, arrived))
        return tuple(late)


NO_ROLES = Roles()


def compile_roles(ruleset: nodes.Ruleset, digits: int) -> Roles:
    """The Roles a checked ruleset states (NO_ROLES if it states none); `digits`, of the
    currency's minor unit, for a late-report credit's amount as sentences show it."""
    parties = tuple((p.name.text, p.title, p.may_waive) for p in ruleset.parties)
    accountable = {sl.name.text: sl.accountable.party.text for sl in ruleset.service_levels
                   if sl.accountable is not None}
    shared = set(accountable.values())
    if len(shared) == 1 and len(accountable) == len(ruleset.service_levels):
        accountable[None] = shared.pop()
    duties = tuple(Duty(i.name.text, i.reporting.party.text, i.reporting.due_day, i.reporting.span,
                        printer.reporting_duty(i.reporting))
                   for i in ruleset.inputs if i.reporting is not None and i.reporting.ordinal is not None)
    late_rules = {}
    for sl in ruleset.service_levels:
        rule = sl.late_report
        if rule is not None:
            amount = None if rule.amount is None else compile_amount(rule.amount, sl.name.text, digits)
            late_rules[sl.name.text] = LateRule(rule.consequence, amount, rule.span, printer.clause(rule))
    reviews = tuple((r.cadence, r.name) for r in ruleset.reviews)
    if not (parties or accountable or duties or late_rules or reviews):
        return NO_ROLES
    return Roles(parties, accountable, duties, late_rules, reviews)


class LateReports:
    """A period's late reports and their consequences, for one version of the terms."""

    def __init__(self, roles: Roles, calendar: Calendar, service_levels, quantum, mode, fmt):
        self.roles, self.calendar = roles, calendar
        self.quantum, self.mode, self.fmt = quantum, mode, fmt
        self.levels = [(position, sl, roles.late_rules.get(sl.name)) for position, sl in enumerate(service_levels)]

    @classmethod
    def of(cls, program, fmt) -> "LateReports | None":
        """For compiled Terms, with `fmt` writing money in sentences; None if no input has a due day."""
        if not program.roles.duties:
            return None
        rounding = program.rounding
        return cls(program.roles, program.calendar, program.service_levels, rounding.quantum,
                   rounding.decimal_mode, fmt)

    def judged(self, data, results) -> tuple[LateReport, ...]:
        """The period's late reports, each service level whose late report counts as a miss judged so."""
        late = self.roles.late_in(self.calendar, data.label, data.reported_on)
        if late:
            self.judge(late, results)
        return late

    def affected(self, late: tuple[LateReport, ...]):
        """(position, service level, rule, the late inputs it reads) of each service level
        whose contract gives a late report a consequence and reads a late input."""
        names = {report.input: report for report in late}
        for position, sl, rule in self.levels:
            if rule is None or rule.consequence == "none":
                continue
            hit = sorted(sl.reads & names.keys())
            if hit:
                yield position, sl, rule, [names[name] for name in hit]

    def judge(self, late, results) -> None:
        """`counts as a miss`: a service level reading a late input is missed, as if not reported."""
        for position, sl, rule, reports in self.affected(late):
            value, status, note, as_measured = results[position]
            if rule.consequence == "miss" and status in ("met", "missed", "not measured"):
                results[position] = None, "missed", _late_note(reports) + "; a late report counts as a miss", None

    def credits(self, late, results, env, lines, money_of, line_head) -> Decimal:
        """`credit AMOUNT`: a `late report` line per service level reading a late input (not
        for a waived or excluded one), its head made by `line_head` (PeriodEvaluator.line_head);
        returns their sum."""
        total = Decimal(0)
        for position, sl, rule, reports in self.affected(late):
            if rule.consequence != "credit" or results[position][1] in ("waived", "excluded"):
                continue
            amount = rule.amount.value(env).quantize(self.quantum, self.mode)
            text = f"{_late_note(reports)}; {rule.text}: {self.fmt(amount)}"
            lines.append((line_head(sl.name, LATE_REPORT, rule.clause, _text), amount, text))
            money_of[sl.name][0] += amount
            total += amount
        return total


def _text(amount, text: str) -> str:
    return text


def _late_note(reports) -> str:
    """`tickets_resolved, resolved_in_8h reported by vendor on 2026-05-18, due 2026-05-14 (4 days late)`:
    one clause (no `;`, which ends the part of a note a credit's sentence quotes)."""
    groups: dict[tuple, list[str]] = {}
    for r in reports:
        groups.setdefault((r.reported_by, r.arrived, r.due, r.days_late), []).append(r.input)
    return " and ".join(f"{', '.join(inputs)} reported by {party} on {arrived.isoformat()}, due {due.isoformat()} "
                        f"({late} day{'s' * (late != 1)} late)" for (party, arrived, due, late), inputs in groups.items())
