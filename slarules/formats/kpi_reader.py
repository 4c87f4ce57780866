"""What every layout of KPI data shares: the reader's state (the periods read,
the events, every problem found), a problem as a diagnostic at a CSV cell or a
JSON path, and the checks of one period: its label on the contract's calendar,
each value (a plain decimal, in range for its unit), the date its report
arrived; then the History, with every missing period named. kpi_csv.py,
kpi_json.py and kpi_events.py read each layout into it; kpi_data.py is where
they are put together and read from.
"""
from __future__ import annotations

import bisect
import datetime
import math
import re
from decimal import Decimal
from typing import Iterator

import attrs

from ..core.days import LAST_DAY_COUNTED, too_late_to_count
from ..core.diagnostics import Diagnostic, SlaError, did_you_mean, quoted_text
from ..core.money import CONTEXT, MAX_DECIMALS, MAX_WHOLE_DIGITS, digits_of
from ..core.periods import EXAMPLE_LABEL
from ..core.source import Source, Span, span_at
from ..engine.history import Delivery, Event, History, PeriodData
from ..engine.reporting import period_end

REPORTED_ON = "reported_on"  # the column or key of the date a period's report arrived
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")


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


class NotInOrder(Exception):
    """A period at or before the last one read: the file is not in calendar order."""


class InOrder:
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
        """Add the next period; NotInOrder if it is not after the last one."""
        if self.runs and index <= self.runs[-1][1]:
            raise NotInOrder
        if self.runs and index == self.runs[-1][1] + 1:
            self.runs[-1][1] = index
        else:
            self.runs.append([index, index])
        self.count += 1


class DataReader:
    """Collects periods and events, and every problem found, for one History.
    A reader for an events file shares the data reader's periods and problems. The
    layouts are mixins of it (kpi_csv.py, kpi_json.py, kpi_events.py)."""

    def __init__(self, program, source: Source, data_reader: "DataReader | None" = None, in_order: bool = False):
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
        self.periods: dict[int, PeriodData] | InOrder = (data_reader.periods if data_reader else
                                                          InOrder() if in_order else {})
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

    # ---- where a problem is
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

    # ---- one period
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
        if isinstance(self.periods, InOrder):
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
        if isinstance(self.periods, InOrder):
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


def report_date(reader: DataReader, label: str, raw, span, place) -> datetime.date | None:
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
