"""KPI data: CSV and JSON files -> History, checked against a Program's inputs.

Input: a data file (or a mapping from the Python API) and the Program it is
for. Output: a History, periods in calendar order, each input an exact Decimal
(absent when the period did not report it). Errors: SlaError with SLA3xx
diagnostics naming file, row and column (JSON: the period and key), all of
them collected; nothing is silently dropped.

Accepted layouts:
  CSV, wide:  period,monthly_fee,calls_offered,...   one row per period
  CSV, long:  period,input,value                     one row per value
  JSON:       {"periods": [{"period": "2026-01", "monthly_fee": "60000.00", ...}],
               "events": [{"period": "2026-03", "service_level": "uptime",
                           "event": "exclude", "reason": "client outage"}]}
Waivers and exclusions (events) come in the JSON's "events" or in a CSV of
their own, `period,service_level,event,reason`, where event is `waive` (the
client waives the period's credit) or `exclude` (the period does not count
for that service level). An event for an unknown service level or a period
outside the history is an error.
Values are plain decimals (`60000.00`; a percentage may carry a `%`), at most
15 digits before the decimal point and 34 after; an empty cell or a JSON null
means "not reported", which the input's missing-data rule then governs.
"""
from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Mapping

from ..core.diagnostics import Diagnostic, SlaError, did_you_mean
from ..core.money import CONTEXT, MAX_DECIMALS, MAX_WHOLE_DIGITS, digits_of
from ..core.periods import EXAMPLE_LABEL
from ..core.source import Source, Span, span_at
from ..engine.history import EVENT_KINDS, Event, History, PeriodData

_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")


EVENT_COLUMNS = ["period", "service_level", "event", "reason"]


def _read(path: str | Path) -> Source:
    path = str(path)
    try:
        return Source(path, Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as err:
        raise SlaError([Diagnostic("SLA301", f"cannot read data file {path}: {err}")]) from None


def read_history(program, path: str | Path, events: str | Path | None = None) -> History:
    """Read a CSV or JSON data file for this program, and optionally a CSV of events."""
    return parse_history(program, _read(path), _read(events) if events is not None else None)


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
        for name in values:
            if name not in reader.units:
                reader.unknown_input(str(name), None, f"{label}.{name}")
        reader.add_period(str(label), None, [(name, value, None, f"{label}.{name}")
                                             for name, value in values.items() if name in reader.units])
    return reader.finish()


def with_events(program, history: History, events) -> History:
    """The Python API's form of events: [{"period", "service_level", "event", "reason"}, ...]."""
    reader = _Reader(program, Source("<events>", ""))
    reader.periods = {program.calendar.index(p.label): p for p in history.periods}
    for number, entry in enumerate(events):
        reader.add_event(entry, None, f"events[{number}]")
    return reader.finish()


class _Reader:
    """Collects periods and events, and every problem found, for one History.
    A reader for an events file shares the data reader's periods and problems."""

    def __init__(self, program, source: Source, data_reader: "_Reader | None" = None):
        self.program = program
        self.source = source
        self.units = {spec.name: spec.unit for spec in program.inputs}
        self.service_levels = [sl.name for sl in program.service_levels]
        self.calendar = program.calendar
        self.found: list[Diagnostic] = data_reader.found if data_reader else []
        self.periods: dict[int, PeriodData] = data_reader.periods if data_reader else {}
        self.events: list[Event] = data_reader.events if data_reader else []

    def error(self, code, message, span=None, *notes, place=None):
        location = f"{self.source.path}: {place}" if span is None and place else None
        self.found.append(Diagnostic(code, message, span, tuple(notes), location=location))

    # ---- CSV
    def records(self) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
        """The text's lines, and each CSV record with the line it starts on. Line ends are read as
        from a file on disk: `\r\n` and a lone `\r` (classic Mac) end a line, as `\n` does.
        None, with an SLA301 naming the line, when the csv module cannot read a record."""
        lines = self.source.text.splitlines()
        reader = csv.reader(io.StringIO(self.source.text.replace("\r\n", "\n").replace("\r", "\n")))
        found: list[tuple[int, list[str]]] = []
        first_line = 1
        try:
            for row in reader:
                found.append((first_line, row))
                first_line = reader.line_num + 1
        except csv.Error as err:
            self.error("SLA301", f"this line cannot be read as CSV: {err}",
                       self.cell_span(lines, reader.line_num, None))
            return None
        return lines, found

    def csv(self) -> None:
        read = self.records()
        if read is None:
            return
        lines, records = read
        if not records or not any(cell.strip() for cell in records[0][1]):
            self.error("SLA301", f"{self.source.path} is empty: expected a header row starting with 'period'")
            return
        header = [cell.strip() for cell in records[0][1]]
        if header[:1] != ["period"]:
            self.error("SLA308", "the first column must be 'period'", self.cell_span(lines, 1, 0),
                       "a wide file has one column per input: period,monthly_fee,...; "
                       "a long file has period,input,value")
            return
        long_form = header == ["period", "input", "value"]
        if not long_form:
            self.header_columns(header, lines)
        by_label: dict[str, tuple[int, list]] = {}
        for number, row in records[1:]:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                self.error("SLA308", f"row has {len(row)} cells but the header has {len(header)}",
                           self.cell_span(lines, number, None))
                continue
            label = row[0].strip()
            if long_form:
                name = row[1].strip()
                entry = by_label.setdefault(label, (number, []))
                if name not in self.units:
                    self.unknown_input(name, self.cell_span(lines, number, 1))
                    continue
                entry[1].append((name, row[2], self.cell_span(lines, number, 2), None))
            else:
                cells = [(header[i], row[i], self.cell_span(lines, number, i), None)
                         for i in range(1, len(row)) if header[i] in self.units]
                self.add_period(label, self.cell_span(lines, number, 0), cells)
        for label, (number, cells) in by_label.items():
            self.add_period(label, self.cell_span(lines, number, 0), cells)

    def events_csv(self) -> None:
        read = self.records()
        if read is None:
            return
        lines, records = read
        if not records or [cell.strip() for cell in records[0][1]] != EVENT_COLUMNS:
            self.error("SLA308", f"an events file starts with the header {','.join(EVENT_COLUMNS)}",
                       self.cell_span(lines, 1, None) if lines else None, place="header")
            return
        for number, row in records[1:]:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(EVENT_COLUMNS):
                self.error("SLA308", f"row has {len(row)} cells but the header has {len(EVENT_COLUMNS)}",
                           self.cell_span(lines, number, None))
                continue
            entry = dict(zip(EVENT_COLUMNS, (cell.strip() for cell in row)))
            self.add_event(entry, lambda column: self.cell_span(lines, number, EVENT_COLUMNS.index(column)), None)

    def add_event(self, entry, span_of, place) -> None:
        """Validate one event; span_of(column) gives a CSV cell's span, place a JSON path."""
        def span(column):
            return span_of(column) if span_of else None

        if not isinstance(entry, dict) or not all(isinstance(entry.get(c), str) for c in EVENT_COLUMNS[:3]):
            self.error("SLA308", "an event needs the strings period, service_level and event", place=place)
            return
        ok = True
        if entry["service_level"] not in self.service_levels:
            self.error("SLA304", f"'{entry['service_level']}' is not a service level of this contract",
                       span("service_level"), *did_you_mean(entry["service_level"], self.service_levels),
                       place=place)
            ok = False
        if entry["event"] not in EVENT_KINDS:
            self.error("SLA304", f"unknown event '{entry['event']}'", span("event"),
                       "an event is 'waive' (the client waives the credit) or 'exclude' (the period does not count)",
                       place=place)
            ok = False
        index = self.calendar.index(entry["period"])
        if index not in self.periods:
            self.error("SLA306", f"event for {entry['period']}, which is not a period of the data", span("period"),
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

    def header_columns(self, header, lines):
        seen = set()
        for i, name in enumerate(header[1:], start=1):
            if name in seen:
                self.error("SLA304", f"column '{name}' appears twice", self.cell_span(lines, 1, i))
            seen.add(name)
            if name not in self.units:
                self.unknown_input(name, self.cell_span(lines, 1, i))
        for spec in self.program.inputs:
            if spec.name not in seen and spec.missing == "required":
                self.error("SLA308", f"no column for input '{spec.name}', which every period must report",
                           self.cell_span(lines, 1, None),
                           f"'{spec.name}' is declared at {spec.span.where}")

    def unknown_input(self, name, span, place=None):
        self.error("SLA304", f"'{name}' is not an input of this contract", span,
                   *did_you_mean(name, self.units), f"the inputs are: {', '.join(self.units)}", place=place)

    def cell_span(self, lines, line_number, column_index) -> Span:
        """The cell's characters on its line (the whole line if the row has quoted commas)."""
        text = lines[line_number - 1] if line_number <= len(lines) else ""
        if column_index is None or '"' in text:
            return span_at(self.source, line_number, 1, len(text))
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
        periods = document.get("periods") if isinstance(document, dict) else None
        if not isinstance(periods, list):
            self.error("SLA301", 'expected an object {"periods": [...]} with one object per period',
                       place="top level")
            return
        unknown = sorted(set(document) - {"periods", "events"})
        if unknown:
            self.error("SLA304", f"unknown key '{unknown[0]}'; the top level has \"periods\" and \"events\"",
                       place="top level")
        for index, entry in enumerate(periods):
            place = f"periods[{index}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("period"), str):
                self.error("SLA308", 'each period must be an object with a "period" label', place=place)
                continue
            cells = []
            for name, value in entry.items():
                if name == "period":
                    continue
                if name not in self.units:
                    self.unknown_input(name, None, place)
                    continue
                cells.append((name, value, None, f"{place}.{name}"))
            self.add_period(entry["period"], None, cells, place=place)
        events = document.get("events", [])
        if not isinstance(events, list):
            self.error("SLA308", '"events" must be a list of objects', place="events")
            return
        for number, entry in enumerate(events):
            self.add_event(entry, None, f"events[{number}]")

    # ---- shared
    def add_period(self, label, span, cells, place=None):
        place = place or label
        index = self.calendar.index(label)
        if index is None:
            self.error("SLA306", f"'{label}' is not a {self.calendar.periodicity} period label", span,
                       f"write periods like {EXAMPLE_LABEL[self.calendar.periodicity]}", place=place)
            return
        if self.calendar.starts_before_contract(label):
            self.error("SLA306", f"period {label} is before the contract starts ({self.calendar.start_month})",
                       span, place=place)
            return
        if index in self.periods:
            first = self.periods[index].span
            self.error("SLA305", f"period {label} appears twice", span,
                       *((f"first at line {first.line}",) if first else ()), place=place)
            return
        values: dict[str, Decimal] = {}
        for name, raw, cell_span, cell_place in cells:
            if name in values:
                self.error("SLA305", f"period {label} reports '{name}' twice", cell_span, place=cell_place)
                continue
            value = self.value(name, raw, cell_span, cell_place)
            if value is not None:
                values[name] = value
        self.periods[index] = PeriodData(label, values, span)

    def value(self, name, raw, span, place) -> Decimal | None:
        unit = self.units[name]
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
                self.error("SLA302", f"'{name}' is {raw}, not a finite number", span, place=place)
                return None
        elif _DECIMAL.fullmatch(text):
            value = Decimal(text)
        else:
            hint = "a plain decimal such as 60000.00 (no currency sign or thousands separator)"
            if text.startswith("-"):
                self.error("SLA303", f"'{name}' is {text}: a {unit} cannot be negative", span, place=place)
            else:
                self.error("SLA302", f"'{name}' is '{_shown(str(raw))}', not a number", span, f"expected {hint}",
                           place=place)
            return None
        if value < 0:
            self.error("SLA303", f"'{name}' is {text}: a {unit} cannot be negative", span, place=place)
            return None
        if unit == "percent" and value > 100:
            self.error("SLA303", f"'{name}' is {text}%, above 100%", span, place=place)
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

    def finish(self) -> History:
        ordered = sorted(self.periods.items())
        for (a, pa), (b, pb) in zip(ordered, ordered[1:]):
            if b != a + 1:
                missing = self.calendar.label(a + 1)
                more = f" to {self.calendar.label(b - 1)}" if b - 1 > a + 1 else ""
                self.error("SLA307", f"no data for {missing}{more}, between {pa.label} and {pb.label}", pb.span,
                           "every period from the first to the last must be present", place=pb.label)
        if self.found:
            raise SlaError(sorted(self.found, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0)))
        return History(tuple(p for _, p in ordered), tuple(self.events))


def _shown(cell: str, width: int = 40) -> str:
    """A cell as a message quotes it: on one line (a line break or tab written as \\n, \\t),
    cut to `width` characters."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cell)
    return text if len(text) <= width else text[:width - 3] + "..."
