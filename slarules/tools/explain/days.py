"""Terms counted in days: a cure window of N (business) days, a termination's notice,
and deliverables (part 3, after the service levels), in the words engine/cure_days.py
and engine/deliverables.py act on.
"""
from __future__ import annotations

from ...language import nodes
from .clauses import Clause
from .terms import Terms
from .words import _code, _count, _plain

_BUSINESS = ("Business days are Monday to Friday, except the holidays given with the data (events of kind "
             f"{_code('holiday')}, dated YYYY-MM-DD).")


def _days(count, business: bool) -> str:
    return _count(count, "business day" if business else "calendar day")


class DayTerms(Terms):
    """Cure windows and notices in days; deliverables."""

    def cure_days_text(self, sl: nodes.ServiceLevel) -> str:
        cure, name = sl.cure, _code(sl.name.text)
        business = cure.unit == "business day"
        text = (f"A miss is not charged at once. Results are known at the end of each {self.noun}, so a miss is "
                f"assessed on the last day of its {self.noun}; it opens a cure window of {_days(cure.periods, business)} "
                f"that starts the day after and closes on the last of those days. The {self.nouns} that end inside "
                f"the window (on or before the day it closes) count toward it: if {name} is met (or the {self.noun} is "
                f"excluded for it) in any of them, the miss is cured and no credit is due for it. If none does, the "
                f"credit worked out for the {self.noun} of the miss (at that {self.noun}'s value and figures, with its "
                f"own cap) is charged in the {self.noun} in which the window closes, whatever that {self.noun}'s own "
                f"result, and counts toward the limits of that {self.noun}. A {self.noun} in which {name} is not "
                f"measured neither cures a miss nor extends its window.")
        if business:
            text += " " + _BUSINESS
        if self.ruleset.of_type(nodes.Termination):
            text += " A miss counts toward termination even if it is later cured."
        return text

    def notice_text(self, notice: nodes.Notice) -> str:
        text = (f" The right takes effect on {_days(notice.days, notice.business)}' notice: the outcome gives the "
                f"day it takes effect, that many days after the last day of the {self.noun} in which it arises.")
        return text + (" " + _BUSINESS if notice.business else "")

    def deliverable_clauses(self) -> list[Clause]:
        """The rules all deliverables share, then each deliverable."""
        deliverables = self.ruleset.deliverables
        if not deliverables:
            return []
        business = any(d.business for d in deliverables)
        common = (f"Each deliverable below is due on a date. The day it is delivered (or, where its clause says "
                  f"{_code('late until accepted')}, accepted) is given with the data, as an event of that kind. For "
                  "each day after the due date up to and including that day the vendor credits the amount its clause "
                  "states, up to its cap; delivered on or before the due date, it is on time and no credit is due. "
                  f"The credit is a line of its own ({_code('late delivery')}) in the {self.noun} of that day, and "
                  f"counts with that {self.noun}'s credits. It stands apart from the service credits: its own cap "
                  "bounds it, not the limits of part 4; a critical failure does not replace it, and it is never "
                  "earned back. While a deliverable is late and not yet delivered nothing is charged: the outcome "
                  "shows it as accruing, with the days late so far and the credit it would be if it were delivered "
                  "on the last day of the data." + (" " + _BUSINESS if business else ""))
        clauses = [Clause(self.numbers[("deliverables",)], "Deliverables", common, (self.ref(deliverables[0]),))]
        return clauses + [Clause(self.numbers[("deliverable", d.name.text)],
                                 _plain(d.title) if d.title else f"Deliverable {_code(d.name.text)}",
                                 self.deliverable_text(d), (self.ref(d),))
                          for d in deliverables]

    def deliverable_text(self, d: nodes.Deliverable) -> str:
        until = "accepted" if d.until_accepted else "delivered"
        text = (f"{_code(d.name.text)} is due on {d.due}"
                + (f"; its price is {self.money(d.price.value)}" if d.price else "")
                + f". For each {'business' if d.business else 'calendar'} day it is late, until it is {until}, "
                f"the vendor credits {self.money(d.per_day.value)}")
        if d.cap_percent is not None:
            cap = d.cap_percent * d.price.value / 100
            text += f", at most {d.cap_percent.normalize():f}% of its price ({self.money(cap, computed=True)}) in all"
        elif d.cap_money is not None:
            text += f", at most {self.money(d.cap_money.value)} in all"
        return text + "."
