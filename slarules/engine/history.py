"""What evaluation takes in: each period's reported inputs, the waivers and exclusions,
the holidays (for business days) and the dates deliverables were delivered or accepted.

Values only; formats/kpi_data.py reads them from files and Python mappings, checked
against the terms' inputs (a History it returns is consecutive, in calendar order,
every value an exact Decimal in range).
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Iterable, Mapping

import attrs

from ..core.source import Span


@attrs.frozen
class PeriodData:
    """One period's reported inputs (and the date its report arrived, `reported_on`); `span` is where the period is in the data file, or,
    in a file without line positions (JSON), `location` is: "data.json: periods[3]"."""

    label: str
    values: Mapping[str, Decimal]
    span: Span | None = attrs.field(default=None, eq=False)
    location: str | None = attrs.field(default=None, eq=False)
    reported_on: datetime.date | None = None  # when the period's report arrived, if the data says

    def place(self) -> str | None:
        """A diagnostic's location when it has no span: the file and entry, else the period."""
        return None if self.span else self.location or f"period {self.label}"


@attrs.frozen
class Event:
    """A waiver or exclusion of one service level in one period."""

    period: str
    service_level: str
    kind: str  # "waive" | "exclude"
    reason: str
    span: Span | None = attrs.field(default=None, eq=False)


EVENT_KINDS = ("waive", "exclude")
DELIVERY_KINDS = ("delivered", "accepted")


@attrs.frozen
class Delivery:
    """The day a deliverable was delivered (or accepted), in the period `period`."""

    deliverable: str
    kind: str  # "delivered" | "accepted"
    day: datetime.date
    period: str
    reason: str
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class History:
    """Periods in calendar order, consecutive, no duplicates; events by period. The periods
    are a tuple, or (kpi_data.read_history(..., stream=True)) a PeriodStream that reads
    its file again on each pass and has a length but no indexing: evaluation reads them
    once, in order."""

    periods: tuple[PeriodData, ...] | Iterable[PeriodData]
    events: tuple[Event, ...] = ()
    holidays: frozenset[datetime.date] = frozenset()  # days that are not business days
    deliveries: tuple[Delivery, ...] = ()
