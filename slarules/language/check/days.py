"""Terms counted in days: a cure window of N (business) days, a termination's notice,
and deliverables (due date, price, per-day credit, cap).

A count of days is a whole number from 1 to MAX_DAYS (SLA243). A cure window too short
for the next period to end inside it can never be cured by a period's result: only its
credit is deferred (SLA244, a warning). A deliverable's due date is a calendar date
(SLA245); its name is its own, apart from the service levels' (the events name either);
`at most N% of its price` needs a price (SLA246). Dates end with the year 9999, so a
contract that counts days starts by 9899 (SLA247).
"""
from __future__ import annotations

from decimal import Decimal

from ...core.days import parse_date
from .. import nodes, printer

LAST_START_YEAR = 9899  # days are counted up to 9989-12-31 (core/days.py): a contract counting them starts by then
MAX_DAYS = 3660  # ten years of days: a count beyond is a typing slip, and bounds the business-day walk
# The fewest days (calendar, business) a period has: a window shorter than that can end no period.
_SHORTEST = {"monthly": (28, 20), "quarterly": (90, 64), "yearly": (365, 260)}
_NOUN = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}


class DayChecks:
    """Cure windows and notices in days; deliverables."""

    def day_count(self, count: Decimal, span, what: str) -> bool:
        if count != count.to_integral_value() or not 1 <= count <= MAX_DAYS:
            self.error("SLA243", f"{what} must be a whole number of days from 1 to {MAX_DAYS:,}", span)
            return False
        return True

    def days_terms(self):
        for sl in self.ruleset.service_levels:
            cure = sl.cure
            if cure is not None and cure.in_days and self.day_count(cure.periods, cure.span, "a cure window"):
                business = cure.unit == "business day"
                shortest = _SHORTEST[self.periodicity][business]
                if cure.periods < shortest:
                    noun = _NOUN[self.periodicity]
                    self.warning("SLA244", f"a cure window of {printer.days(cure.periods, business)} ends before "
                                 f"any {noun} after the miss does: no {noun}'s result can cure a miss, only the "
                                 "credit is deferred", cure.span,
                                 f"a {noun} has at least {shortest} {'business ' * business}days; results come "
                                 f"once a {noun}, at its end")
        for termination in self.ruleset.of_type(nodes.Termination):
            if termination.notice is not None:
                self.day_count(termination.notice.days, termination.notice.span, "a notice")
        self.deliverables()
        self.start_for_days()

    def start_for_days(self):
        """Dates end with the year 9999: a contract that counts days starts early enough to count them."""
        ruleset = self.ruleset
        counts_days = ruleset.deliverables or any(sl.cure is not None and sl.cure.in_days
                                                  for sl in ruleset.service_levels) or any(
            t.notice is not None for t in ruleset.of_type(nodes.Termination))
        starts = [t for t in ruleset.contract.terms if isinstance(t, nodes.Starts)]
        if counts_days and starts and int(starts[0].month[:4]) > LAST_START_YEAR:
            self.error("SLA247", f"the contract counts days but starts in {starts[0].month}", starts[0].span,
                       f"days are counted up to 9989-12-31: a contract that counts them (a cure window or a notice "
                       f"in days, deliverables) starts in {LAST_START_YEAR} at the latest")

    def deliverables(self):
        seen: dict[str, nodes.Deliverable] = {}
        for d in self.ruleset.deliverables:
            name = d.name.text
            if name in seen or name in self.service_levels:
                first = seen[name] if name in seen else self.service_levels[name]
                self.error("SLA202", f"'{name}' is declared twice", d.name.span,
                           f"the first is at line {first.name.span.line}; a deliverable's name is its own, "
                           "apart from the service levels', since events name either")
            seen[name] = d
            if parse_date(d.due) is None:
                self.error("SLA245", f"{d.due} is not a calendar date", d.due_span,
                           "a due date is written YYYY-MM-DD, a day that exists (2028-02-29, not 2027-02-29)")
            for money in (d.price, d.per_day, d.cap_money):
                if money is not None:
                    self.amount(money, None)
            if d.cap_percent is not None:
                if d.price is None:
                    self.error("SLA246", f"'{name}' caps its credit at a share of its price, but states no price",
                               d.credit_span, "add 'price USD N' after the due date, or cap it at fixed money")
                elif d.cap_percent > 100:
                    self.error("SLA213", "a late-delivery credit cannot exceed 100% of the price", d.credit_span)
