"""The contract calendar: period labels, their order, and contract years.

Periods are labelled as billing systems label them: `2026-03` for a month,
`2026-Q1` for a quarter, `2026` for a year. Each label maps to an index that
counts periods, so consecutive periods have consecutive indices. A contract
year is the twelve months from the contract's start month. A period's length
in calendar days (Calendar.days_in) follows the Gregorian calendar: February
has 29 days in a leap year.
"""
from __future__ import annotations

import calendar
import re
from typing import Iterator

import attrs

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "yearly": 12}
PERIOD_NOUN = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
# A year has four to nine ASCII digits: a label of more is not a period (and a 5,000-digit
# year would exceed Python's limit on converting digits to an int).
_YEAR = r"([0-9]{4,9})"
_PATTERNS = {
    "monthly": re.compile(_YEAR + r"-(0[1-9]|1[0-2])"),
    "quarterly": re.compile(_YEAR + r"-Q([1-4])"),
    "yearly": re.compile(_YEAR),
}
# What follows a year's digits in the label of each period of the year, in order.
_SUFFIXES = {
    "monthly": tuple(f"-{month:02d}" for month in range(1, 13)),
    "quarterly": ("-Q1", "-Q2", "-Q3", "-Q4"),
    "yearly": ("",),
}
EXAMPLE_LABEL = {"monthly": "2026-03", "quarterly": "2026-Q1", "yearly": "2026"}
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(month_index: int) -> int:
    """Calendar days in the month with this index (year*12 + month-1): 28 to 31."""
    year, month = divmod(month_index, 12)
    return 29 if month == 1 and calendar.isleap(year) else _MONTH_DAYS[month]


@attrs.frozen
class Calendar:
    """The assessment period and the contract's start month (`2026-01`)."""

    periodicity: str
    start_month: str
    # The start month's index (year*12 + month-1), read once: contract_year_of runs every period.
    _start_index: int = attrs.field(init=False, eq=False, repr=False)

    @_start_index.default
    def _start_month_index(self) -> int:
        year, month = self.start_month.split("-")
        return int(year) * 12 + int(month) - 1

    def first_month(self, label: str) -> int | None:
        """Month index (year*12 + month-1) of the period's first month, or None if not a label."""
        match = _PATTERNS[self.periodicity].fullmatch(label)
        if match is None:
            return None
        year = int(match.group(1))
        if self.periodicity == "monthly":
            return year * 12 + int(match.group(2)) - 1
        if self.periodicity == "quarterly":
            return year * 12 + (int(match.group(2)) - 1) * 3
        return year * 12

    def index(self, label: str) -> int | None:
        """Position of the period on the calendar; consecutive periods differ by one."""
        month = self.first_month(label)
        return None if month is None else month // MONTHS_PER_PERIOD[self.periodicity]

    def label_of_month(self, month: str) -> str:
        """The label of the period that contains a month (`2026-07` -> `2026-Q3`)."""
        year, number = map(int, month.split("-"))
        return self.label((year * 12 + number - 1) // MONTHS_PER_PERIOD[self.periodicity])

    def periods_in(self, count, unit: str) -> int:
        """How many periods `count` units make: 12 months on a quarterly contract are 4.
        the check makes sure the result is a whole number of at least one."""
        if unit == "period":
            return int(count)
        return int(count * MONTHS_IN[unit] / MONTHS_PER_PERIOD[self.periodicity])

    def label(self, index: int) -> str:
        months = MONTHS_PER_PERIOD[self.periodicity]
        year, month = divmod(index * months, 12)
        return "%04d" % year + _SUFFIXES[self.periodicity][month // months]  # %: a third of an f-string's time

    def days_in(self, label: str) -> int:
        """Calendar days in the period: 28 to 31 in a month, 90 to 92 in a quarter, 365 or 366
        in a year (2028-Q1 has 91: January 31, February 29, March 31)."""
        first = self.first_month(label)
        return sum(days_in_month(first + k) for k in range(MONTHS_PER_PERIOD[self.periodicity]))

    def starts_before_contract(self, label: str) -> bool:
        """True if the whole period ends before the contract's start month."""
        last_month = self.first_month(label) + MONTHS_PER_PERIOD[self.periodicity] - 1
        return last_month < self._start_index

    def contract_year(self, label: str) -> int:
        """1 for the twelve months from the start month, 2 for the next twelve, ..."""
        return self.contract_year_of(self.index(label))

    def following(self, index: int) -> Iterator[tuple[int, str, int]]:
        """(index, label, contract year) of each period after the one with this index, in
        order, without end: what evaluation expects next (each label as `label` writes it)."""
        months = MONTHS_PER_PERIOD[self.periodicity]
        suffixes = _SUFFIXES[self.periodicity]
        index += 1
        since_start = index * months - self._start_index  # months from the contract's start to the period's
        while True:
            year, month = divmod(index * months, 12)
            prefix = "%04d" % year
            for suffix in suffixes[month // months:]:
                yield index, prefix + suffix, since_start // 12 + 1 if since_start > 0 else 1  # as contract_year_of
                index += 1
                since_start += months

    def contract_year_of(self, index: int) -> int:
        """The contract year of the period with this index."""
        first_month = index * MONTHS_PER_PERIOD[self.periodicity]
        return max(first_month - self._start_index, 0) // 12 + 1
