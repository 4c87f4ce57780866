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

Here: every way in (a file, its text, a mapping, a History built by hand). The
reader is put together from one part per layout: kpi_csv.py (wide and long
CSV), kpi_json.py, kpi_events.py, on kpi_reader.py (what they share: a
period's checks, its values, the diagnostics).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Mapping

import attrs

from ..core.diagnostics import Diagnostic, SlaError, quoted_text
from ..core.source import Source
from ..engine.compile import Terms
from ..engine.history import Event, History, PeriodData
from .kpi_csv import CsvReading
from .kpi_events import EVENT_COLUMNS, EventReading
from .kpi_json import JsonReading
from .kpi_reader import REPORTED_ON, DataFile, NotInOrder

# Imported from here by the rest of slarules: the readers below and the names data files are written with.
__all__ = ["EVENT_COLUMNS", "REPORTED_ON", "DataFile", "PeriodStream", "checked_history", "csv_records",
           "history_from_mapping", "history_of_document", "history_of_records", "looks_like_json", "parse_history",
           "read_history", "read_source", "with_events"]


class _Reader(CsvReading, JsonReading, EventReading):
    """The reader of KPI data and events in every layout: the parts, each a mixin of
    kpi_reader.DataReader, use each other's methods (a JSON document's events, an events
    file's CSV records)."""


def read_source(path: str | Path) -> Source:
    """A file's whole text (SLA301 if it cannot be read)."""
    path = str(path)
    try:
        return Source(path, Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as err:
        raise SlaError([Diagnostic("SLA301", f"cannot read data file {path}: {err}")]) from None


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
            except NotInOrder:
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
        except (NotInOrder, UnicodeDecodeError, SlaError):
            changed = True
        if changed:
            raise SlaError([Diagnostic("SLA309", f"data file {self.source.path} changed while it was being read",
                                       None, ("nothing was evaluated; run it again",),
                                       location=self.source.path)])


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
