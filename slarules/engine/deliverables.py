"""Deliverables: one-off obligations with a due date and a credit per day late.

    deliverable go_live "Production go-live"
      due 2026-04-15
      price USD 400,000
      credit: USD 750 per calendar day late, at most 50% of its price

The data gives the day each deliverable was delivered (or, when the clause says
`late until accepted`, accepted): an event dated YYYY-MM-DD (history.Delivery). Days
late are the calendar days (or business days: Monday to Friday, the holidays given
with the data excepted) after the due date up to and including that day: due
2026-04-15, delivered 2026-05-02, 17 calendar days late. The credit, per-day amount x
days late, rounded as the contract rounds, at most the cap, is a `late delivery` line
in the period of that day. It counts with the period's credits (and so toward a
termination right on credits) but stands apart from the service credits: its own cap
bounds it, not the amount at risk nor a cap over a window, and a critical failure does
not replace it; nor is it earned back. Delivered on or before its due date: on time,
no line.

A deliverable not delivered by the last day of the data is not billed: the outcome
shows it as accruing, with the days late so far and the credit it would be if it were
delivered on that last day. One not yet due is shown as such. The state keeps each
delivered deliverable's day, period, days late and credit, so a billing run knows
what an earlier one billed and never bills a deliverable twice: a later run's data dating
it again is SLA314 (a correction of what was billed is a restatement).
"""
from __future__ import annotations

import datetime
from decimal import Decimal

import attrs

from ..core.days import day_noun, days_after, parse_date, period_end
from ..core.diagnostics import Diagnostic, SlaError
from ..core.money import CONTEXT, HUNDRED, format_money, format_number
from ..core.source import Span
from ..language import nodes, printer
from .outcome import LATE_DELIVERY



@attrs.frozen
class DeliverableRule:
    """A compiled deliverable: due date, per-day credit, and its cap as money (None: none)."""

    name: str
    title: str | None
    due: datetime.date
    until_accepted: bool
    per_day: Decimal
    business: bool
    cap: Decimal | None
    cap_text: str | None  # "50% of its price USD 400,000.00", "USD 20,000"
    clause: Span | None
    text: str  # the credit clause as written

    @property
    def counted_until(self) -> str:
        return "accepted" if self.until_accepted else "delivered"


@attrs.frozen
class DeliverableStatus:
    """Where a deliverable stands after the last period evaluated. status: "on time",
    "late" (billed in `period`), "accruing" (late, not delivered by `as_of`: `credit` is
    what it would be if delivered that day, not billed) or "not yet due"."""

    name: str
    due: str
    status: str
    day: str | None  # delivered (or accepted) on
    period: str | None  # billed in
    days_late: int
    credit: Decimal
    as_of: str
    explanation: str


def compile_deliverables(ruleset: nodes.Ruleset) -> tuple[DeliverableRule, ...]:
    rules = []
    for d in ruleset.deliverables:
        cap, cap_text = None, None
        if d.cap_percent is not None:
            cap = CONTEXT.divide(d.cap_percent * d.price.value, HUNDRED)
            cap_text = f"{format_number(d.cap_percent)}% of its price {printer.amount(d.price)}"
        elif d.cap_money is not None:
            cap, cap_text = d.cap_money.value, printer.amount(d.cap_money)
        rules.append(DeliverableRule(d.name.text, d.title, parse_date(d.due), d.until_accepted, d.per_day.value,
                                     d.business, cap, cap_text, d.credit_span, printer.late_credit(d)))
    return tuple(rules)


class LateDeliveries:
    """The late-delivery lines of each period, and the deliverables' statuses at the end.
    `delivered` is the state's record, by name: {"day", "period", "days_late", "credit"}."""

    def __init__(self, rules, deliveries, holidays, delivered: dict, rounder, digits: int):
        self.rules = {rule.name: rule for rule in rules}
        self.by_period: dict[str, list] = {}
        for delivery in deliveries:
            self.by_period.setdefault(delivery.period, []).append(delivery)
        self.holidays, self.delivered, self.rounder, self.digits = holidays, delivered, rounder, digits

    @classmethod
    def for_run(cls, program, history, delivered: dict) -> "LateDeliveries | None":
        """The deliverables of the terms as signed, for one evaluation (None: the terms have none)."""
        if not program.deliverables:
            return None
        return cls(program.deliverables, history.deliveries, history.holidays, delivered,
                   program.rounding.rounder(), program.rounding.digits)

    def shown_in(self, outcome, calendar):
        """The outcome with each deliverable's status after its last period."""
        last = calendar.index(outcome.periods[-1].period) if outcome.periods else None
        return attrs.evolve(outcome, deliverables=self.statuses(calendar, last))

    def lines(self, label: str, lines: list, line_head) -> Decimal:
        """Add the period's late-delivery lines, their heads made by `line_head`
        (PeriodEvaluator.line_head); returns their sum."""
        total = Decimal(0)
        for delivery in self.by_period.get(label, ()):
            rule = self.rules[delivery.deliverable]
            billed = self.delivered.get(delivery.deliverable)
            if billed is not None:  # by an earlier run: the same day again is the same event
                if billed["day"] != delivery.day.isoformat():
                    raise SlaError([Diagnostic(
                        "SLA314", f"{rule.name} was billed as {delivery.kind} on {billed['day']} (in "
                                  f"{billed['period']}) by an earlier run, but this data says {delivery.day}",
                        delivery.span, ("a late-delivery credit is billed once; a correction of what was billed "
                                        "is a restatement",), location=None if delivery.span else "events")])
                continue
            days, _, amount = self.credit(rule, delivery.day)
            self.delivered[rule.name] = {"day": delivery.day.isoformat(), "period": label, "days_late": days,
                                         "credit": str(amount)}
            if amount:
                lines.append((line_head(rule.name, LATE_DELIVERY, rule.clause, _line_text, self, rule),
                              amount, delivery.day, days))
                total += amount
        return total

    def credit(self, rule: DeliverableRule, day: datetime.date) -> tuple[int, Decimal, Decimal]:
        """(days late, per-day amount x days, the credit after rounding and the cap) if delivered on `day`."""
        days = days_after(rule.due, day, rule.business, self.holidays)
        exact = rule.per_day * days
        amount = self.rounder(exact)
        if rule.cap is not None:
            amount = min(amount, self.rounder(rule.cap))
        return days, exact, amount

    def statuses(self, calendar, last_index: int | None) -> tuple[DeliverableStatus, ...]:
        """Each deliverable as it stands on the last day of the period `last_index`."""
        if last_index is None:
            return ()
        as_of = period_end(calendar, last_index)
        found = []
        for rule in self.rules.values():
            record = self.delivered.get(rule.name)
            if record is not None:
                days, amount = record["days_late"], Decimal(record["credit"])
                status = "late" if days else "on time"
                text = (f"{rule.name} {rule.counted_until} {record['day']}, due {rule.due}: "
                        + (self.late_text(rule, days, amount) + f", charged in {record['period']}" if days
                           else "on time, no credit"))
                found.append(DeliverableStatus(rule.name, rule.due.isoformat(), status, record["day"],
                                               record["period"], days, amount, as_of.isoformat(), text))
            elif as_of > rule.due:
                days, _, amount = self.credit(rule, as_of)
                text = (f"{rule.name} due {rule.due}, not {rule.counted_until} by {as_of}: "
                        f"{self.late_text(rule, days, amount)} so far, not billed until it is {rule.counted_until}")
                found.append(DeliverableStatus(rule.name, rule.due.isoformat(), "accruing", None, None, days, amount,
                                               as_of.isoformat(), text))
            else:
                found.append(DeliverableStatus(rule.name, rule.due.isoformat(), "not yet due", None, None, 0,
                                               self.rounder(Decimal(0)), as_of.isoformat(),
                                               f"{rule.name} due {rule.due}, not yet due on {as_of}"))
        return tuple(found)

    def late_text(self, rule: DeliverableRule, days: int, amount: Decimal) -> str:
        per_day = format_money(rule.per_day, self.digits)
        text = f"{day_noun(days, rule.business)} late x {per_day} = {format_money(rule.per_day * days, self.digits)}"
        if rule.cap is not None and amount < self.rounder(rule.per_day * days):
            text += f", capped at {rule.cap_text} = {format_money(amount, self.digits)}"
        return text


def _line_text(late: LateDeliveries, rule: DeliverableRule, amount, day, days) -> str:
    return (f"{rule.name} due {rule.due}, {rule.counted_until} {day}: {late.late_text(rule, days, amount)}"
            f" ({rule.text})")
