"""Cure windows measured in days: `cure: within 30 days`, `cure within 10 business days`.

A period's results are known at its end, so a miss is assessed on the period's last
day. Its cure window runs from the day after, for N calendar days (or N business days:
Monday to Friday, the holidays given with the data excepted), and closes on the last of
them. The periods that end inside the window (on or before the day it closes) count:
the first of them in which the service level is met (or excluded) cures the miss. If
none does, the credit, worked out from the period of the miss, falls due in the period
in which the window closes. Missed on 2026-01-31 with 30 days to cure: the window closes
on 2026-03-02; February (ending 2026-02-28) can cure it; if it does not, the credit is
charged in March, whatever March's own result. A window shorter than the next period
can be cured by no period: its credit is only deferred (check warns, SLA244).

The window is worked out when the miss is assessed, with the holidays known then, and
saved in the state as its deadline (the period the credit falls due in) and cure_by
(the last period whose result counts), so a billing run continues it unchanged.
"""
from __future__ import annotations

import datetime
from typing import AbstractSet

import attrs

from ..core.days import add_days, day_noun, period_end, period_of
from ..core.periods import Calendar


@attrs.frozen
class DayCure:
    """A cure window of `count` calendar (or business) days after the period of a miss ends;
    also a termination's notice (`on 30 days' notice`), which runs from the same day."""

    count: int
    business: bool

    def window(self, calendar: Calendar, index: int,
               holidays: AbstractSet[datetime.date]) -> tuple[int, int, datetime.date]:
        """(deadline, cure_by, closes) of a miss in the period `index`: the period the credit
        falls due in, the last period whose result can cure the miss, and the day the window
        closes."""
        closes = add_days(period_end(calendar, index), self.count, self.business, holidays)
        deadline = period_of(calendar, closes)
        cure_by = deadline if period_end(calendar, deadline) == closes else deadline - 1
        return deadline, cure_by, closes

    def effective(self, calendar: Calendar, index: int, holidays: AbstractSet[datetime.date]) -> str:
        """A notice of these days given at the end of the period `index`: the day it takes effect."""
        return add_days(period_end(calendar, index), self.count, self.business, holidays).isoformat()

    @property
    def text(self) -> str:
        return day_noun(self.count, self.business)


def cure_window(sl, index: int, calendar: Calendar, holidays: AbstractSet[datetime.date]) -> tuple[int, int | None, str]:
    """A miss in the period `index` of the compiled service level `sl`, with a cure period in
    periods or in days: (the period its credit falls due in, the last period whose result
    cures it when that is an earlier one, else None; when the window closes, as a note says it)."""
    if sl.cure_days is None:
        return index + sl.cure, None, calendar.label(index + sl.cure)
    deadline, cure_by, closes = sl.cure_days.window(calendar, index, holidays)
    return deadline, None if cure_by == deadline else cure_by, closes.isoformat()
