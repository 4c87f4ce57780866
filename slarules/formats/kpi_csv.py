"""KPI data in CSV, wide (`period,monthly_fee,calls_offered,...`, one row per
period) or long (`period,input,value`, one row per value), read a record at a
time: each record with the lines it was read from, kept only while it is at
hand. A long file's rows are gathered into periods; read in calendar order
(streaming), a period is added once the next label starts.
"""
from __future__ import annotations

import csv
import io
from typing import Iterator

from ..core.diagnostics import quoted_text
from ..core.source import Source, Span, span_at
from ..engine.history import PeriodData
from .kpi_reader import DataFile, DataReader, InOrder, NotInOrder


def _lines_of(source: Source) -> Iterator[str]:
    return source.lines() if isinstance(source, DataFile) else iter(io.StringIO(source.text, newline=None))


class CsvReading(DataReader):
    """A wide or long CSV file's periods; the records of any CSV file (events too)."""

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
        groups = _LongForm(self, streaming=isinstance(self.periods, InOrder))
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


class _LongForm:
    """A long CSV file's rows gathered into periods: all of a label's rows, wherever they are;
    or, reading in calendar order (`streaming`), each run of rows of one label, a period
    once the next label starts (NotInOrder if a label comes back)."""

    def __init__(self, reader: CsvReading, streaming: bool):
        self.reader, self.streaming = reader, streaming
        self.by_label: dict[str, tuple[Span, list]] = {}
        self.lines: dict[int, str] = {}  # the gathered rows' lines, for their cells' diagnostics
        self.refused: set[str] = set()  # labels read and refused (not a period, before the start)

    def row(self, label: str, number: int, row: list[str]) -> Iterator[PeriodData]:
        reader = self.reader
        if self.streaming and label not in self.by_label:
            yield from self.end()
            if label in self.refused:
                raise NotInOrder
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
