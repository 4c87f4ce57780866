"""Events beside the KPI data: waivers (`waive`, the client waives the period's
credit) and exclusions (`exclude`, the period does not count for a service
level), holidays (days that are not business days) and the day a deliverable
was delivered or accepted; from a CSV file of their own,
`period,service_level,event,reason`, or a JSON data file's "events".
"""
from __future__ import annotations

from ..core.days import parse_date, period_of as day_period
from ..core.diagnostics import did_you_mean, quoted_text
from ..engine.history import DELIVERY_KINDS, EVENT_KINDS, Delivery, Event
from .kpi_reader import DataReader

EVENT_COLUMNS = ["period", "service_level", "event", "reason"]


class EventReading(DataReader):
    """Events, each checked against the contract and the periods of the data. An events
    file is read with the records of CsvReading (the reader has both)."""

    def events_csv(self, records=None) -> None:
        records = self.records() if records is None else records
        first = next(records, None)
        if first is None or [cell.strip() for cell in first[1]] != EVENT_COLUMNS:
            self.error("SLA308", f"an events file starts with the header {','.join(EVENT_COLUMNS)}",
                       (1, None) if self.source.text else None, place="header")
            return
        for number, row in records:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(EVENT_COLUMNS):
                self.error("SLA308", f"row has {len(row)} cells but the header has {len(EVENT_COLUMNS)}",
                           (number, None))
                continue
            entry = dict(zip(EVENT_COLUMNS, (cell.strip() for cell in row)))
            self.add_event(entry, lambda column, number=number: (number, EVENT_COLUMNS.index(column)), None)

    def add_event(self, entry, span_of, place) -> None:
        """Validate one event; span_of(column) gives a CSV cell's span, place a JSON path."""
        def span(column):
            return span_of(column) if span_of else None

        if isinstance(entry, dict) and entry.get("event") == "holiday" and isinstance(entry.get("period"), str):
            self.add_holiday(entry, span, place)
            return
        if not isinstance(entry, dict) or not all(isinstance(entry.get(c), str) for c in EVENT_COLUMNS[:3]):
            self.error("SLA308", "an event needs the strings period, service_level and event", place=place)
            return
        if entry["event"] in DELIVERY_KINDS:
            self.add_delivery(entry, span, place)
            return
        ok = True
        if entry["service_level"] not in self.service_levels:
            self.error("SLA304", f"'{quoted_text(entry['service_level'])}' is not a service level of this contract",
                       span("service_level"), *did_you_mean(entry["service_level"], self.service_levels),
                       place=place)
            ok = False
        if entry["event"] not in EVENT_KINDS:
            self.error("SLA304", f"unknown event '{quoted_text(entry['event'])}'", span("event"),
                       "an event is 'waive' (the client waives the credit) or 'exclude' (the period does not count)",
                       place=place)
            ok = False
        index = self.calendar.index(entry["period"])
        if index not in self.periods:
            self.error("SLA306", f"event for {quoted_text(entry['period'])}, which is not a period of the data", span("period"),
                       place=place)
            ok = False
        for other in self.events:
            if (other.period, other.service_level) == (entry["period"], entry["service_level"]):
                self.error("SLA305", f"a second event for {entry['service_level']} in {entry['period']}",
                           span("period"), place=place)
                ok = False
        if ok:
            self.events.append(Event(entry["period"], entry["service_level"], entry["event"],
                                     str(entry.get("reason") or ""), span("period")))

    def dated(self, entry, span, place):
        """The event's date (in the period column), or None after an SLA313."""
        day = parse_date(entry["period"])
        if day is None:
            self.error("SLA313", f"'{quoted_text(entry['period'])}' is not a date", span("period"),
                       f"a {entry['event']} event is dated YYYY-MM-DD, a day that exists", place=place)
        return day

    def add_holiday(self, entry, span, place) -> None:
        day = self.dated(entry, span, place)
        if day is not None:
            self.holidays.add(day)

    def add_delivery(self, entry, span, place) -> None:
        """A deliverable's delivered or accepted date: the kind its clause counts to, once, inside the data."""
        name, kind = entry["service_level"], entry["event"]
        deliverables = {d.name: d for d in self.program.deliverables}
        day = self.dated(entry, span, place)
        if name not in deliverables:
            self.error("SLA314", f"'{quoted_text(name)}' is not a deliverable of this contract",
                       span("service_level"), *(did_you_mean(name, list(deliverables)) or
                                                (f"the deliverables are: {', '.join(deliverables) or 'none'}",)),
                       place=place)
            return
        wanted = "accepted" if deliverables[name].until_accepted else "delivered"
        if kind != wanted:
            self.error("SLA314", f"{name} counts the days late until it is {wanted}, so it takes a '{wanted}' "
                       f"event, not '{kind}'", span("event"), place=place)
            return
        if any(other.deliverable == name for other in self.deliveries):
            self.error("SLA314", f"a second '{kind}' event for {name}", span("period"), place=place)
            return
        if day is None:
            return
        index = day_period(self.calendar, day)
        label = self.calendar.label(index)
        if index not in self.periods:
            self.error("SLA315", f"{name} was {kind} on {day}, in {label}, which is not a period of the data",
                       span("period"), "its credit is charged in the period it was delivered in: give that "
                       "period's data, or give the event with the run that bills it", place=place)
            return
        self.deliveries.append(Delivery(name, kind, day, label, str(entry.get("reason") or ""), span("period")))
