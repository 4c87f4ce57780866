"""Days as contracts count them: calendar days, and business days (Monday to Friday,
the holidays given with the data excepted).

A count of days runs from the day after a start date: "within 10 business days" of a
month ending on Friday 2026-01-30 closes on Friday 2026-02-13 (Monday 2 to Friday 13
February, ten weekdays), a holiday inside the run pushing it one business day later.
`days_after` counts the days of (start, end]: a deliverable due 2026-04-15 and
delivered 2026-04-18 is 3 calendar days late; 1 business day when the 16th is a
Thursday and the 17th a holiday. Dates are datetime.date; nothing here reads a file.
"""
from __future__ import annotations

import datetime
from typing import AbstractSet

from .periods import MONTHS_PER_PERIOD, Calendar, days_in_month

ONE_DAY = datetime.timedelta(days=1)
# The last day a period may end on when days are counted from it: a window or a notice runs
# at most 3,660 days (check's bound), and dates end with the year 9999.
LAST_DAY_COUNTED = datetime.date(9989, 12, 31)
_SATURDAY = 5  # date.weekday(): Monday 0 ... Sunday 6


def period_end(calendar: Calendar, index: int) -> datetime.date:
    """The last calendar day of the period with this index (2026-02: 2026-02-28)."""
    last_month = (index + 1) * MONTHS_PER_PERIOD[calendar.periodicity] - 1
    year, month = divmod(last_month, 12)
    return datetime.date(year, month + 1, days_in_month(last_month))


def too_late_to_count(calendar: Calendar, label: str) -> bool:
    """Whether the period ends after LAST_DAY_COUNTED (months are compared: no date past 9999 exists)."""
    last_month = calendar.first_month(label) + MONTHS_PER_PERIOD[calendar.periodicity] - 1
    return last_month > LAST_DAY_COUNTED.year * 12 + LAST_DAY_COUNTED.month - 1


def period_of(calendar: Calendar, day: datetime.date) -> int:
    """The index of the period containing the day."""
    return (day.year * 12 + day.month - 1) // MONTHS_PER_PERIOD[calendar.periodicity]


def is_business_day(day: datetime.date, holidays: AbstractSet[datetime.date]) -> bool:
    return day.weekday() < _SATURDAY and day not in holidays


def add_days(start: datetime.date, count: int, business: bool,
             holidays: AbstractSet[datetime.date] = frozenset()) -> datetime.date:
    """The `count`th calendar (or business) day after `start`."""
    if not business:
        return start + datetime.timedelta(days=count)
    day, left = start, count
    while left > 0:
        day += ONE_DAY
        if is_business_day(day, holidays):
            left -= 1
    return day


def days_after(start: datetime.date, end: datetime.date, business: bool,
               holidays: AbstractSet[datetime.date] = frozenset()) -> int:
    """How many calendar (or business) days of (start, end] there are; 0 when end <= start."""
    if end <= start:
        return 0
    if not business:
        return (end - start).days
    whole_weeks, rest = divmod((end - start).days, 7)
    count = whole_weeks * 5  # every run of seven days has five weekdays
    day = start + datetime.timedelta(days=whole_weeks * 7)
    for _ in range(rest):
        day += ONE_DAY
        count += day.weekday() < _SATURDAY
    return count - sum(1 for h in holidays if start < h <= end and h.weekday() < _SATURDAY)


def parse_date(text: str) -> datetime.date | None:
    """A date written YYYY-MM-DD (2026-02-29 is not one), or None."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def day_noun(count: int, business: bool) -> str:
    """`1 business day`, `30 days`."""
    return f"{count} {'business ' if business else ''}day{'s' if count != 1 else ''}"
