"""KPI data: CSV and JSON files -> History, checked against a Program's inputs.

Input: a data file (or a mapping from the Python API) and the Program it is
for. Output: a History, periods in calendar order, each input an exact Decimal
(absent when the period did not report it). Errors: SlaError with SLA3xx
diagnostics naming file, row and column (JSON: the period and key), all of
them collected; nothing is silently dropped.

Accepted layouts:
  CSV, wide:  period,monthly_fee,calls_offered,...   one row per period
  CSV, long:  period,input,value                     one row per value
A period may say when its report arrived: a `reported_on` column (wide), a
`reported_on` row in place of an input (long) or key (JSON), an ISO date
(report_date), unless an input has that name.
  JSON:       {"periods": [{"period": "2026-01", "monthly_fee": "60000.00", ...}],
               "events": [{"period": "2026-03", "service_level": "uptime",
                           "event": "exclude", "reason": "client outage"}]}
Waivers and exclusions (events) come in the JSON's "events" or in a CSV of
their own, `period,service_level,event,reason`, where event is `waive` (the
client waives the period's credit) or `exclude` (the period does not count
for that service level). An event for an unknown service level or a period
outside the history is an error. The same file (or list) gives the days that are
not business days, `2026-12-25,,holiday,Christmas Day`, and the day a deliverable
was delivered or accepted, `2026-05-08,go_live,delivered,Release 1.0 installed`:
for these the period column holds a date, YYYY-MM-DD (SLA313 if it is not one);
a deliverable takes the kind of date it counts to, once (SLA314), dated inside
the data's periods (SLA315). A holiday may fall on any day, data or not.
Values are plain decimals (`60000.00`; a percentage may carry a `%`), at most
15 digits before the decimal point and 34 after; an empty cell or a JSON null
means "not reported", which the input's missing-data rule then governs. A zero
written with a minus sign (`-0`, `-0.00`) is zero, in CSV and JSON alike; any
other negative value is an error (SLA303).

Reading a CSV file streams it: the csv module reads the open file a record at a
time, and no file text or row is kept beyond the record at hand (a diagnostic
keeps the line it quotes). read_history(..., stream=True) checks the whole file
in that one pass, every diagnostic collected as above, and returns a History
whose periods are a PeriodStream: each pass over them reads the file again
(SLA309 if it changed in between), so evaluating a million rows holds one row
at a time. That needs a file in calendar order (as every export writes one);
a file out of order, or a long file whose periods' rows are not together, is
read whole and sorted instead. A JSON file is always read whole.

A file with a subject column (subject,period,...) is many subjects' data:
subject_data.py reads it a subject at a time, through csv_records,
history_of_records and history_of_document here, so that a subject's
diagnostics are exactly those of its own file.
"""
from __future__ import annotations

import bisect
import csv
import datetime
import io
import json
import math
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Iterator, Mapping

import attrs

from ..core.days import LAST_DAY_COUNTED, parse_date, period_of as day_period, too_late_to_count
from ..core.diagnostics import Diagnostic, SlaError, did_you_mean, quoted_text
from ..core.money import CONTEXT, MAX_DECIMALS, MAX_WHOLE_DIGITS, digits_of
from ..core.periods import EXAMPLE_LABEL
from ..core.source import Source, Span, span_at
from ..engine.compile import Terms
from ..engine.history import DELIVERY_KINDS, EVENT_KINDS, Delivery, Event, History, PeriodData
from ..engine.reporting import period_end

REPORTED_ON = "reported_on"  # the column or key of the date a period's report arrived
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")


EVENT_COLUMNS = ["period", "service_level", "event", "reason"]


def read_source(path: str | Path) -> Source:
    """A file's whole text (SLA301 if it cannot be read)."""
    path = str(path)
    try:
        return Source(path, Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as err:
        raise SlaError([Diagnostic("SLA301", f"cannot read data file {path}: {err}")]) from None


@attrs.frozen
class DataFile(Source):
    """A CSV data file read as a stream: its text is not kept. `line(n)` gives the lines
    that diagnostics quote, kept as the reader meets them, or reads the file again."""

    known: dict = attrs.field(factory=dict, eq=False, repr=False)

    def lines(self) -> Iterator[str]:
        """The file's lines, ends translated to \n as a text file's are, without the
        byte-order mark (SLA301 if the file cannot be opened)."""
        try:
            file = open(self.path, encoding="utf-8-sig", newline=None)
        except OSError as err:
            raise SlaError([Diagnostic("SLA301", f"cannot read data file {self.path}: {err}")]) from None
        with file:
            first = next(file, None)
            if first is not None:
                yield first.removeprefix("\ufeff")  # a second mark, as Source drops it
                yield from file

    def line(self, number: int) -> str:
        if number not in self.known:
            text = ""
            try:
                for count, line in enumerate(self.lines(), start=1):
                    if count == number:
                        text = line.removesuffix("\n")
                        break
            except (SlaError, UnicodeDecodeError):
                pass
            self.known[number] = text
        return self.known[number]


def _lines_of(source: Source) -> Iterator[str]:
    return source.lines() if isinstance(source, DataFile) else iter(io.StringIO(source.text, newline=None))


def looks_like_json(path: str) -> bool:
    """A `.json` name, or a first character other than white space that is { or [."""
    if path.lower().endswith(".json"):
        return True
    for line in DataFile(path, "").lines():
        start = line.lstrip()
        if start:
            return start.startswith(("{", "["))
    return False


def read_history(program, path: str | Path, events: str | Path | None = None, *, stream: bool = False) -> History:
    """Read a CSV or JSON data file for this program, and optionally a CSV of events. With
    `stream`, a CSV file's periods are a PeriodStream, read again on each pass (see above)."""
    if not isinstance(program, Terms):
        raise TypeError(f"read_history(): program must be a Program (slarules.load), not {type(program).__name__}")
    path = str(path)
    try:
        if looks_like_json(path):
            return parse_history(program, read_source(path), read_source(events) if events is not None else None)
        if stream:
            try:
                return _checked_stream(program, path, events)
            except _NotInOrder:
                pass
        reader = _Reader(program, DataFile(path, ""))
        reader.csv()
    except UnicodeDecodeError:
        read_source(path)  # reads it whole, to name the byte as it always has
        raise
    if events is not None:
        _Reader(program, read_source(events), reader).events_csv()
    return reader.finish()


def _checked_stream(program, path: str, events) -> History:
    """Check a CSV file in one pass, holding no period; the History's periods read it again."""
    source = DataFile(path, "")
    reader = _Reader(program, source, in_order=True)
    reader.csv()
    if events is not None:
        _Reader(program, read_source(events), reader).events_csv()
    history = reader.finish()
    return History(PeriodStream(program, source, reader.periods.count), history.events, history.holidays,
                   history.deliveries)


class PeriodStream:
    """A checked CSV file's periods, in calendar order, read from the file on each pass."""

    def __init__(self, program, source: "DataFile", count: int):
        self.program, self.source, self.count = program, source, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[PeriodData]:
        reader = _Reader(self.program, self.source, in_order=True)
        try:
            for period in reader.csv_periods():
                if reader.found:
                    break
                yield period
            changed = bool(reader.found) or reader.periods.count != self.count
        except (_NotInOrder, UnicodeDecodeError, SlaError):
            changed = True
        if changed:
            raise SlaError([Diagnostic("SLA309", f"data file {self.source.path} changed while it was being read",
                                       None, ("nothing was evaluated; run it again",),
                                       location=self.source.path)])


class _NotInOrder(Exception):
    """A period at or before the last one read: the file is not in calendar order."""


class _InOrder:
    """The periods of a file read in calendar order, as runs of consecutive calendar
    indices (one run unless periods are missing): whether an index was read, and how
    many were. Holds nothing per period."""

    def __init__(self):
        self.runs: list[list[int]] = []  # [first, last] of each run, ascending
        self.count = 0

    def __contains__(self, index) -> bool:
        if index is None:
            return False
        at = bisect.bisect_right(self.runs, [index, math.inf]) - 1
        return at >= 0 and self.runs[at][0] <= index <= self.runs[at][1]

    def add(self, index: int) -> None:
        """Add the next period; _NotInOrder if it is not after the last one."""
        if self.runs and index <= self.runs[-1][1]:
            raise _NotInOrder
        if self.runs and index == self.runs[-1][1] + 1:
            self.runs[-1][1] = index
        else:
            self.runs.append([index, index])
        self.count += 1


def parse_history(program, source: Source, events: Source | None = None) -> History:
    reader = _Reader(program, source)
    if source.path.lower().endswith(".json") or source.text.lstrip().startswith(("{", "[")):
        reader.json()
    else:
        reader.csv()
    if events is not None:
        _Reader(program, events, reader).events_csv()
    return reader.finish()


def history_from_mapping(program, mapping: Mapping[str, Mapping[str, object]]) -> History:
    """The Python API's form: {"2026-01": {"monthly_fee": "60000", ...}, ...}."""
    reader = _Reader(program, Source("<data>", ""))
    for label, values in mapping.items():
        if not isinstance(values, Mapping):
            reader.error("SLA308", f"a period's values must be a mapping {{input: value}}, not {type(values).__name__}",
                         place=quoted_text(str(label)))
            continue
        for name in values:
            if name not in reader.columns:
                reader.unknown_input(str(name), None, f"{label}.{name}")
        reader.add_period(str(label), None, [(name, value, None, f"{label}.{name}")
                                             for name, value in values.items() if name in reader.columns])
    return reader.finish()


def checked_history(program, history: History) -> History:
    """A History built by hand, read as the data reader reads a file: every period a PeriodData
    with a label of the program's calendar and values in range, consecutive, events included."""
    reader = _Reader(program, Source("<history>", ""))
    for number, data in enumerate(history.periods):
        place = f"history.periods[{number}]"
        if not isinstance(data, PeriodData) or not isinstance(data.label, str) or not isinstance(data.values, Mapping):
            reader.error("SLA308", "each period must be a PeriodData(label, {input: Decimal})", place=place)
            continue
        unknown = [name for name in data.values if name not in reader.units]
        for name in unknown:
            reader.unknown_input(str(name), None, f"{place}.{name}")
        arrived = [] if data.reported_on is None else [(REPORTED_ON, str(data.reported_on), None, place)]
        reader.add_period(data.label, None, [(name, value, None, f"{place}.{name}")
                                             for name, value in data.values.items() if name in reader.units] + arrived,
                          place=place)
    for number, event in enumerate(history.events):
        entry = attrs.asdict(event) if isinstance(event, Event) else event
        if isinstance(entry, dict) and "kind" in entry:
            entry["event"] = entry.pop("kind")
        reader.add_event(entry, None, f"history.events[{number}]")
    return reader.finish()


def with_events(program, history: History, events) -> History:
    """The Python API's form of events: [{"period", "service_level", "event", "reason"}, ...]."""
    reader = _Reader(program, Source("<events>", ""))
    reader.periods = {program.calendar.index(p.label): p for p in history.periods}
    for number, entry in enumerate(events):
        reader.add_event(entry, None, f"events[{number}]")
    return reader.finish()


def csv_records(program, source: Source) -> Iterator[tuple[int, list[str], dict[int, str]]]:
    """A CSV file's records, one at a time: (line number, cells, the lines the record was read
    from, by number). SlaError (SLA301) at a record the csv module cannot read."""
    reader = _Reader(program, source)
    for number, cells in reader.records():
        yield number, cells, dict(reader.record_lines)
    if reader.found:
        raise SlaError(reader.found)


def history_of_records(program, source: Source, records, events: tuple[Source, list] | None = None,
                       column_offset: int = 1) -> History:
    """One History from records of a CSV file (as csv_records gives them, header first) whose first
    `column_offset` cells were cut off, and `events`, an events file and its records cut the same
    way: the periods of one subject of a file with a subject column (subject_data.py).
    Diagnostics name the file's own lines and columns."""
    reader = _Reader(program, source)
    reader.column_offset = column_offset
    for _ in reader.csv_periods(_fed(reader, records)):
        pass
    return _finished(reader, events, column_offset)


def history_of_document(program, source: Source, document, where: str,
                        events: tuple[Source, list] | None = None) -> History:
    """One History from a JSON data document nested in a file at `where` (`subjects[2].`), and
    `events` as for history_of_records."""
    reader = _Reader(program, source)
    reader.json_document(document, where)
    return _finished(reader, events, 1)


def _finished(reader: "_Reader", events: tuple[Source, list] | None, column_offset: int) -> History:
    if events is not None:
        events_reader = _Reader(reader.program, events[0], reader)
        events_reader.column_offset = column_offset
        events_reader.events_csv(_fed(events_reader, events[1]))
    return reader.finish()


def _fed(reader: "_Reader", records) -> Iterator[tuple[int, list[str]]]:
    for number, cells, lines in records:
        reader.record_lines.clear()
        reader.record_lines.update(lines)
        yield number, cells


class _Reader:
    """Collects periods and events, and every problem found, for one History.
    A reader for an events file shares the data reader's periods and problems."""

    def __init__(self, program, source: Source, data_reader: "_Reader | None" = None, in_order: bool = False):
        self.program = program
        self.source = source
        self.units = {spec.name: spec.unit for spec in program.inputs}
        # The columns and keys a period may have: the inputs and, unless an input has the name, the
        # date the period's report arrived.
        self.columns = self.units if REPORTED_ON in self.units else {**self.units, REPORTED_ON: "date"}
        self.service_levels = [sl.name for sl in program.service_levels]
        self.calendar = program.calendar
        self.found: list[Diagnostic] = data_reader.found if data_reader else []
        # Every period read, by calendar index; or, reading a file in calendar order, which ones were.
        self.periods: dict[int, PeriodData] | _InOrder = (data_reader.periods if data_reader else
                                                           _InOrder() if in_order else {})
        self.last: tuple[int, PeriodData] | None = None  # the last period read, in calendar order, and its index
        self.events: list[Event] = data_reader.events if data_reader else []
        self.holidays: set = data_reader.holidays if data_reader else set()
        self.deliveries: list[Delivery] = data_reader.deliveries if data_reader else []
        self.counts_days = bool(program.deliverables) or any(sl.cure_days for sl in program.service_levels) or any(
            rule.notice for rule in program.triggers)
        self.record_lines: dict[int, str] = {}  # the lines of the CSV record at hand, by number
        self.column_offset = 0  # columns before `period` (1 in a file with a subject column: subject_data.py)

    def error(self, code, message, span=None, *notes, place=None):
        """Record a problem; `span` is a Span, or a CSV cell as (line number, column index)."""
        if isinstance(span, tuple):
            span = self.cell_span(*span)
        if span is not None and isinstance(span.source, DataFile) and span.line in self.record_lines:
            span.source.known[span.line] = self.record_lines[span.line]
        location = f"{self.source.path}: {quoted_text(place, 80)}" if span is None and place else None
        self.found.append(Diagnostic(code, message, span, tuple(notes), location=location))

    # ---- CSV
    def records(self):
        """Each CSV record with the line it starts on, read one at a time. Line ends are read
        as from a file on disk: `\r\n` and a lone `\r` (classic Mac) end a line, as `\n`
        does. Stops, with an SLA301 naming the line, when the csv module cannot read a record."""
        reader = csv.reader(self.numbered(_lines_of(self.source)))
        first_line = 1
        try:
            for row in reader:
                yield first_line, row
                self.record_lines.clear()
                first_line = reader.line_num + 1
        except csv.Error as err:
            self.error("SLA301", f"this line cannot be read as CSV: {err}", (reader.line_num, None))

    def numbered(self, lines: Iterator[str]) -> Iterator[str]:
        """The lines, each kept in record_lines while its record is at hand."""
        for number, line in enumerate(lines, start=1):
            self.record_lines[number] = line.removesuffix("\n")
            yield line

    def csv(self) -> None:
        for _ in self.csv_periods():
            pass

    def csv_periods(self, records=None) -> Iterator[PeriodData]:
        """Check a wide or long CSV file, yielding each period it adds as it is read; `records`
        (the header, then rows: (line number, cells after column_offset)) instead of the file's."""
        records = self.records() if records is None else records
        first = next(records, None)
        if first is None or not any(cell.strip() for cell in first[1]):
            if not self.found:
                self.error("SLA301", "the file is empty: expected a header row starting with 'period'",
                           span_at(self.source, 1, 1))
            return
        header = [cell.strip() for cell in first[1]]
        if header[:1] != ["period"]:
            self.error("SLA308", "the first column must be 'period'", (1, 0),
                       "a wide file has one column per input: period,monthly_fee,...; "
                       "a long file has period,input,value")
            return
        long_form = header == ["period", "input", "value"]
        if not long_form:
            self.header_columns(header)
        columns = [(i, name) for i, name in enumerate(header) if i and name in self.columns]
        groups = _LongForm(self, streaming=isinstance(self.periods, _InOrder))
        for number, row in records:
            if len(row) != len(header):
                if any(cell.strip() for cell in row):
                    self.error("SLA308", f"row has {len(row) + self.column_offset} cells but the header has "
                               f"{len(header) + self.column_offset}", (number, None))
                continue
            label = row[0].strip()
            if not label and not any(cell.strip() for cell in row):
                continue
            if long_form:
                yield from groups.row(label, number, row)
            else:
                label_span = (self.cell_span(number, 0) if self.column_offset else
                              span_at(self.source, number, 1, len(row[0])))
                period = self.add_period(label, label_span,
                                         [(name, row[i], (number, i), None) for i, name in columns])
                if period is not None:
                    yield period
        yield from groups.end()

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

    def header_columns(self, header):
        seen = set()
        for i, name in enumerate(header[1:], start=1):
            if name in seen:
                self.error("SLA304", f"column '{quoted_text(name)}' appears twice", (1, i))
            seen.add(name)
            if name not in self.columns:
                self.unknown_input(name, (1, i))
        for spec in self.program.inputs:
            if spec.name not in seen and spec.missing == "required":
                self.error("SLA308", f"no column for input '{spec.name}', which every period must report",
                           (1, None), f"'{spec.name}' is declared at {spec.span.where}")

    def unknown_input(self, name, span, place=None):
        self.error("SLA304", f"'{quoted_text(name)}' is not an input of this contract", span,
                   *did_you_mean(name, self.units), f"the inputs are: {', '.join(self.units)}", place=place)

    def cell_span(self, line_number, column_index) -> Span:
        """The cell's characters on its line (the whole line if the row has quoted commas)."""
        text = self.record_lines.get(line_number)
        if text is None:
            text = self.source.line(line_number)
        if column_index is None or '"' in text:
            return span_at(self.source, line_number, 1, len(text))
        column_index += self.column_offset
        cells = text.split(",")
        start = sum(len(c) + 1 for c in cells[:column_index]) + 1
        return span_at(self.source, line_number, start, len(cells[column_index]) if column_index < len(cells) else 1)

    # ---- JSON
    def json(self) -> None:
        try:
            document = json.loads(self.source.text, parse_float=Decimal, parse_int=Decimal)
        except json.JSONDecodeError as err:
            self.error("SLA301", f"not valid JSON: {err.msg}", span_at(self.source, err.lineno, err.colno))
            return
        except RecursionError:
            self.error("SLA301", f"brackets nest deeper than the JSON reader follows (about {sys.getrecursionlimit():,} "
                       "levels)", None, 'a data file nests three: {"periods": [{"period": ...}]}', place="top level")
            return
        self.json_document(document)

    def json_document(self, document, where: str = "") -> None:
        """Check a data document's periods and events; `where` (`subjects[2].`) prefixes every place."""
        periods = document.get("periods") if isinstance(document, dict) else None
        if not isinstance(periods, list):
            self.error("SLA301", 'expected an object {"periods": [...]} with one object per period',
                       place=where.removesuffix(".") or "top level")
            return
        unknown = sorted(set(document) - {"periods", "events"})
        if unknown:
            self.error("SLA304", f"unknown key '{unknown[0]}'; the top level has \"periods\" and \"events\"",
                       place=where.removesuffix(".") or "top level")
        for index, entry in enumerate(periods):
            place = f"{where}periods[{index}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("period"), str):
                self.error("SLA308", 'each period must be an object with a "period" label', place=place)
                continue
            cells = []
            for name, value in entry.items():
                if name == "period":
                    continue
                if name not in self.columns:
                    self.unknown_input(name, None, place)
                    continue
                cells.append((name, value, None, f"{place}.{name}"))
            self.add_period(entry["period"], None, cells, place=place)
        events = document.get("events", [])
        if not isinstance(events, list):
            self.error("SLA308", '"events" must be a list of objects', place=f"{where}events")
            return
        for number, entry in enumerate(events):
            self.add_event(entry, None, f"{where}events[{number}]")

    # ---- shared
    def add_period(self, label, span, cells, place=None) -> PeriodData | None:
        """Check and add one period, and return it (None if its label is wrong); `span` (a Span
        or a CSV cell) is where its label is, `place` (without a span) where it is in a JSON
        document or a mapping."""
        if isinstance(span, tuple):
            span = self.cell_span(*span)
        location = f"{self.source.path}: {place}" if span is None and place else None
        place = place or label
        index = self.calendar.index(label)
        if index is None:
            self.error("SLA306", f"'{quoted_text(label)}' is not a {self.calendar.periodicity} period label", span,
                       f"write periods like {EXAMPLE_LABEL[self.calendar.periodicity]}", place=place)
            return
        if self.calendar.starts_before_contract(label):
            self.error("SLA306", f"period {label} is before the contract starts ({self.calendar.start_month})",
                       span, place=place)
            return
        if self.counts_days and too_late_to_count(self.calendar, label):
            self.error("SLA313", f"period {label} is too late to count days in", span,
                       f"this contract counts days (a cure window or notice in days, or deliverables), and "
                       f"days are counted up to {LAST_DAY_COUNTED}", place=place)
            return
        if isinstance(self.periods, _InOrder):
            self.periods.add(index)  # a period twice, or out of order: read the file whole instead
        elif index in self.periods:
            first = self.periods[index].span
            self.error("SLA305", f"period {label} appears twice", span,
                       *((f"first at line {first.line}",) if first else ()), place=place)
            return
        values: dict[str, Decimal] = {}
        arrived = None
        for name, raw, cell_span, cell_place in cells:
            if name in values:
                self.error("SLA305", f"period {label} reports '{name}' twice", cell_span, place=cell_place)
                continue
            if name not in self.units:  # the date the report arrived
                arrived = report_date(self, label, raw, cell_span, cell_place)
                continue
            value = self.value(name, raw, cell_span, cell_place)
            if value is not None:
                values[name] = value
        period = PeriodData(label, values, span, location, arrived)
        if isinstance(self.periods, _InOrder):
            if self.last is not None and index != self.last[0] + 1:
                self.missing_between(self.last[0], index, self.last[1], period)
            self.last = index, period
        else:
            self.periods[index] = period
        return period

    def value(self, name, raw, span, place) -> Decimal | None:
        unit = self.units[name]
        if type(raw) is str and len(raw) <= MAX_WHOLE_DIGITS and _PLAIN.fullmatch(raw):
            # The common cell, `60000.00`: a plain decimal too short to be out of range.
            value = Decimal(raw)
            if (unit != "percent" or value <= 100) and (unit != "count" or value == value.to_integral_value()):
                return value
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, (str, Decimal, int)):
            self.error("SLA302", f"'{name}' must be a number written as a string or a JSON number", span, place=place)
            return None
        if isinstance(raw, int):
            raw = Decimal(raw)  # str() of an int above 4,300 digits raises; a Decimal's does not
        text = str(raw).strip()
        if text == "":
            return None
        if unit == "percent" and text.endswith("%"):
            text = text[:-1].strip()
        if isinstance(raw, Decimal):
            value = raw
            if not value.is_finite():
                self.error("SLA302", f"'{name}' is {quoted_text(str(raw))}, not a finite number", span, place=place)
                return None
        elif _DECIMAL.fullmatch(text.removeprefix("-")) and (not text.startswith("-") or not Decimal(text[1:])):
            value = Decimal(text.removeprefix("-"))  # a zero written with a minus sign is zero
        else:
            hint = "a plain decimal such as 60000.00 (no currency sign or thousands separator)"
            if text.startswith("-"):
                self.error("SLA303", f"'{name}' is {quoted_text(text)}: a {unit} cannot be negative", span,
                           place=place)
            else:
                self.error("SLA302", f"'{name}' is '{quoted_text(str(raw))}', not a number", span, f"expected {hint}",
                           place=place)
            return None
        if value.is_zero():
            value = value.copy_abs()  # -0 in JSON is zero, as in CSV
        elif value < 0:
            self.error("SLA303", f"'{name}' is {quoted_text(text)}: a {unit} cannot be negative", span,
                       place=place)
            return None
        if unit == "percent" and value > 100:
            self.error("SLA303", f"'{name}' is {quoted_text(text)}%, above 100%", span, place=place)
            return None
        if not self.in_exact_range(name, value, span, place):
            return None
        if unit == "count" and value != value.to_integral_value():
            self.error("SLA303", f"'{name}' is {text}, but a count is a whole number", span, place=place)
            return None
        return value

    def in_exact_range(self, name, value: Decimal, span, place) -> bool:
        """Whether a non-negative value has at most MAX_WHOLE_DIGITS digits before the decimal point
        and MAX_DECIMALS after it (trailing zeros aside); report it if not."""
        whole, decimals = digits_of(value)
        if whole > MAX_WHOLE_DIGITS:
            self.error("SLA303", f"'{name}' has {whole:,} digits before the decimal point; a value has at most "
                       f"{MAX_WHOLE_DIGITS}", span, f"every amount is computed exactly, to {CONTEXT.prec} "
                       "significant digits, and must stay exact to the cent", place=place)
            return False
        if decimals > MAX_DECIMALS:
            self.error("SLA303", f"'{name}' has {decimals:,} digits after the decimal point; a value has at most "
                       f"{MAX_DECIMALS}", span, f"round it to {MAX_DECIMALS} decimals or fewer", place=place)
            return False
        return True

    def missing_between(self, a: int, b: int, before: PeriodData, after: PeriodData) -> None:
        """SLA307 for the periods missing between `before` (index a) and `after` (index b)."""
        missing = self.calendar.label(a + 1)
        more = f" to {self.calendar.label(b - 1)}" if b - 1 > a + 1 else ""
        self.error("SLA307", f"no data for {missing}{more}, between {before.label} and {after.label}", after.span,
                   "every period from the first to the last must be present", place=after.label)

    def finish(self) -> History:
        """The History read, or SlaError with every problem found, in the order of the file."""
        ordered = sorted(self.periods.items()) if isinstance(self.periods, dict) else []
        for (a, pa), (b, pb) in zip(ordered, ordered[1:]):
            if b != a + 1:
                self.missing_between(a, b, pa, pb)
        if self.found:
            raise SlaError(sorted(self.found, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0)))
        return History(tuple(p for _, p in ordered), tuple(self.events), frozenset(self.holidays),
                       tuple(self.deliveries))


class _LongForm:
    """A long CSV file's rows gathered into periods: all of a label's rows, wherever they are;
    or, reading in calendar order (`streaming`), each run of rows of one label, a period
    once the next label starts (_NotInOrder if a label comes back)."""

    def __init__(self, reader: _Reader, streaming: bool):
        self.reader, self.streaming = reader, streaming
        self.by_label: dict[str, tuple[Span, list]] = {}
        self.lines: dict[int, str] = {}  # the gathered rows' lines, for their cells' diagnostics
        self.refused: set[str] = set()  # labels read and refused (not a period, before the start)

    def row(self, label: str, number: int, row: list[str]) -> Iterator[PeriodData]:
        reader = self.reader
        if self.streaming and label not in self.by_label:
            yield from self.end()
            if label in self.refused:
                raise _NotInOrder
        entry = self.by_label.setdefault(label, (reader.cell_span(number, 0), []))
        self.lines[number] = reader.record_lines[number]
        name = row[1].strip()
        if name not in reader.columns:
            reader.unknown_input(name, (number, 1))
            return
        entry[1].append((name, row[2], (number, 2), None))

    def end(self) -> Iterator[PeriodData]:
        """Add the periods gathered so far."""
        self.reader.record_lines.update(self.lines)
        for label, (span, cells) in self.by_label.items():
            period = self.reader.add_period(label, span, cells)
            if period is None:
                self.refused.add(label)
            else:
                yield period
        self.by_label.clear()
        self.lines.clear()


def report_date(reader: _Reader, label: str, raw, span, place) -> datetime.date | None:
    """The date a period's report arrived, from a cell or JSON value `2026-02-13` (empty: not
    said); SLA318 if it is no date, SLA319 if it is before the period ended."""
    if raw is None or isinstance(raw, str) and not raw.strip():
        return None
    text = raw.strip() if isinstance(raw, str) else None
    try:
        arrived = datetime.date.fromisoformat(text) if text and _DATE.fullmatch(text) else None
    except ValueError:
        arrived = None
    if arrived is None:
        reader.error("SLA318", f"'{quoted_text(str(raw))}' is not a date", span,
                     f"write when period {label}'s report arrived as a date: 2026-02-13", place=place)
        return None
    end = period_end(reader.calendar, label)
    if end is None or arrived < end:
        reader.error("SLA319", f"period {label}'s report is dated {arrived.isoformat()}, before the period ended "
                     f"({end.isoformat() if end else 'after 9999-12-31'})", span, place=place)
        return None
    return arrived
