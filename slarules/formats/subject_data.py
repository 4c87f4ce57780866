"""KPI data for many subjects under one ruleset: a file -> one History per subject, one at a time.

A subject is what the ruleset applies to separately: a customer, a region, an
instance, one contract of a portfolio on one template. The layouts are those of
kpi_data.py with the subject first:

  CSV, wide:   subject,period,monthly_fee,calls_offered,...
  CSV, long:   subject,period,input,value
  JSON:        {"subjects": [{"subject": "acme-emea", "periods": [...], "events": [...]}, ...]}
  events CSV:  subject,period,service_level,event,reason

A CSV file is one of these when its first column is `subject`; a JSON file when
its top level has "subjects". Input: the data file, an optional events file and
the Program. Output: read_subjects() gives None for a file without subjects, else
Subjects, whose iteration yields a SubjectData per subject in the order of the
file, each read when it is reached, so that a portfolio is evaluated and written
a subject at a time. Errors: what concerns the whole file (it cannot be read, a
bad header, a row or entry naming no subject, an events file without a subject
column) is SlaError before any subject is read; what concerns one subject (its
rows, values and events: SLA3xx) is that SubjectData's `diagnostics`, and the
other subjects are read.

Rules. A subject's name is 1 to 64 letters, digits, `_` or `-`, starting with a
letter or digit (the service's rule for a subject, so a subject has one name
everywhere): SLA311 otherwise. A CSV file's rows of one subject must be together
(in any order of subjects, not necessarily sorted): a subject whose rows come
back after another subject's is SLA310 naming the row, and is not evaluated,
never merged; a JSON subject listed twice is SLA310. An event for a subject that
has no data is SLA312. A CSV file is read twice: first its subject column alone
(holding the names seen, to find a subject that comes back), then a subject's
rows at a time; SLA309 if it changed in between. A JSON file is read whole.
"""
from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Collection, Iterator

import attrs

from ..core.diagnostics import Diagnostic, SlaError, quoted_text
from ..core.source import Source, span_at
from ..engine.history import History
from .kpi_data import (EVENT_COLUMNS, DataFile, csv_records, history_from_mapping, history_of_document,
                       history_of_records,
                       looks_like_json, read_source)

SUBJECT_COLUMN = "subject"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # as the service's subject ids (interfaces/service.py)
_NAME_RULE = "a subject is named by 1 to 64 letters, digits, '_' or '-', starting with a letter or digit"


@attrs.frozen
class SubjectData:
    """One subject's data: its History, or (None and) the diagnostics that stop it being evaluated."""

    name: str
    history: History | None
    diagnostics: tuple[Diagnostic, ...] = ()


def read_subjects(program, path: str | Path, events: str | Path | None = None) -> "Subjects | None":
    """The subjects of a data file for this program, or None if the file has no subject
    column (then it is one subject's data, for kpi_data.read_history). Checks what
    concerns the whole file at once (SlaError); each subject is read when iterated."""
    path = str(path)
    if looks_like_json(path):
        source = read_source(path)
        if '"subjects"' not in source.text:
            return None
        try:
            document = json.loads(source.text, parse_float=Decimal, parse_int=Decimal)
        except (json.JSONDecodeError, RecursionError):
            return None  # the data reader says what is wrong with it
        if not isinstance(document, dict) or "subjects" not in document:
            return None
        subjects: Subjects = _JsonSubjects(program, source, document)
    else:
        source = DataFile(path, "")
        try:
            first = next(csv_records(program, source), None)
        except (UnicodeDecodeError, SlaError):
            return None  # the data reader says what is wrong with it
        if first is None or [cell.strip() for cell in first[1]][:1] != [SUBJECT_COLUMN]:
            return None
        subjects = _CsvSubjects(program, source, first)
    subjects.events = _Events(program, read_source(events)) if events is not None else None
    subjects.survey()
    return subjects


class Subjects:
    """The subjects of a file, read one at a time when iterated."""

    def __init__(self, program, source: Source):
        self.program, self.source = program, source
        self.events: _Events | None = None
        self.with_data: Collection[str] = ()  # the subjects the data names, for the events' check

    def survey(self) -> None:
        """Check what concerns the whole file, and find the subjects that are listed twice."""
        raise NotImplementedError

    def data(self) -> Iterator[SubjectData]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[SubjectData]:
        yield from self.data()
        if self.events is not None:
            for name, line in self.events.first_lines.items():
                if name not in self.with_data:
                    yield SubjectData(name, None, (Diagnostic(
                        "SLA312", f"events for subject '{name}', which has no data",
                        span_at(self.events.source, line, 1, len(name)),
                        ("an event waives or excludes a period of a subject's data",)),))

    def _events_of(self, name: str) -> tuple[Source, list] | None:
        return None if self.events is None else (self.events.source, [self.events.header, *self.events.rows(name)])


def _bad_name(name: str, span, place: str | None, where: str) -> Diagnostic:
    return Diagnostic("SLA311", f"'{quoted_text(name)}' is not a subject name", span, (_NAME_RULE,),
                      location=f"{where}: {place}" if span is None and place else None)


class _CsvSubjects(Subjects):
    def __init__(self, program, source: DataFile, header):
        super().__init__(program, source)
        number, cells, lines = header
        self.header = (number, cells[1:], lines)
        self.failed: dict[str, Diagnostic] = {}  # subjects not evaluated: a bad name, rows not together
        self.groups = ""  # the SHA-256 of where each run of one subject's rows starts, to see a change

    def survey(self) -> None:
        # The header alone, as every subject's reader would check it: once, for the whole file.
        history_of_records(self.program, self.source, [self.header])
        problems, seen, digest = [], {}, hashlib.sha256()
        for number, name in self._runs():
            if not name:
                problems.append(Diagnostic("SLA311", "a row without a subject", span_at(self.source, number, 1, 1),
                                           ("every row names the subject it is for in its first column",)))
            elif name in seen and name not in self.failed:
                self.failed[name] = Diagnostic(
                    "SLA310", f"the rows of subject '{name}' are not together: they come back at line {number}, "
                              "after another subject's", span_at(self.source, number, 1, len(name)),
                    (f"its rows start at line {seen[name]}; put each subject's rows together (any order of "
                     "subjects); nothing of this subject was evaluated",))
            elif not NAME.fullmatch(name) and name not in self.failed:
                self.failed[name] = _bad_name(name, span_at(self.source, number, 1, len(name)), None, "")
            seen.setdefault(name, number)
            digest.update(f"{number}:{name}\n".encode())
        if problems:
            raise SlaError(problems)
        self.with_data = seen.keys()
        self.groups = digest.hexdigest()

    def _runs(self) -> Iterator[tuple[int, str]]:
        """Where each run of one subject's rows starts: (line number, subject)."""
        current = None
        for number, cells, _ in self._rows():
            name = cells[0].strip()
            if name != current:
                yield number, name
                current = name

    def _rows(self):
        rows = csv_records(self.program, self.source)
        next(rows, None)
        for record in rows:
            if any(cell.strip() for cell in record[1]):
                yield record

    def data(self) -> Iterator[SubjectData]:
        digest = hashlib.sha256()
        group: list = []
        reported = set()
        for record in self._rows_and_end():
            name = record[1][0].strip() if record is not None else None
            if group and name != group[0][1][0].strip():
                subject = group[0][1][0].strip()
                if subject not in reported:  # (a subject's rows are together unless it failed)
                    if subject in self.failed:
                        reported.add(subject)
                    yield self._subject(subject, group)
                group = []
            if record is not None:
                if not group:
                    digest.update(f"{record[0]}:{name}\n".encode())
                group.append(record)
        if digest.hexdigest() != self.groups:
            raise SlaError([Diagnostic("SLA309", f"data file {self.source.path} changed while it was being read",
                                       None, ("the subjects before the change were written, no state was saved; "
                                              "run it again",), location=self.source.path)])

    def _rows_and_end(self):
        """The rows, then None: the end of the last subject's rows."""
        yield from self._rows()
        yield None

    def _subject(self, name: str, group: list) -> SubjectData:
        if name in self.failed:
            return SubjectData(name, None, (self.failed[name],))
        rows = [self.header, *((number, cells[1:], lines) for number, cells, lines in group)]
        try:
            return SubjectData(name, history_of_records(self.program, self.source, rows, self._events_of(name)))
        except SlaError as err:
            return SubjectData(name, None, tuple(err.diagnostics))


class _JsonSubjects(Subjects):
    def __init__(self, program, source: Source, document: dict):
        super().__init__(program, source)
        self.document = document
        self.failed: dict[str, Diagnostic] = {}

    def survey(self) -> None:
        problems = []
        unknown = sorted(set(self.document) - {"subjects"})
        if unknown:
            problems.append(Diagnostic("SLA304", f"unknown key '{quoted_text(unknown[0])}'; the top level of a "
                                                 'file of subjects has "subjects" alone',
                                       location=f"{self.source.path}: top level"))
        entries = self.document["subjects"]
        if not isinstance(entries, list):
            raise SlaError([*problems, Diagnostic("SLA308", '"subjects" must be a list of objects',
                                                  location=f"{self.source.path}: subjects")])
        first: dict[str, int] = {}
        for index, entry in enumerate(entries):
            place = f"subjects[{index}]"
            name = entry.get(SUBJECT_COLUMN) if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name:
                problems.append(Diagnostic("SLA311", 'each subject must be an object with a "subject" name',
                                           location=f"{self.source.path}: {place}"))
            elif name in first and name not in self.failed:
                self.failed[name] = Diagnostic(
                    "SLA310", f"subject '{quoted_text(name)}' is listed twice", None,
                    (f"first as subjects[{first[name]}]; nothing of this subject was evaluated",),
                    location=f"{self.source.path}: {place}")
            elif not NAME.fullmatch(name) and name not in self.failed:
                self.failed[name] = _bad_name(name, None, place, self.source.path)
            if isinstance(name, str):
                first.setdefault(name, index)
        if problems:
            raise SlaError(problems)
        self.with_data = first.keys()

    def data(self) -> Iterator[SubjectData]:
        reported = set()
        for index, entry in enumerate(self.document["subjects"]):
            name = entry[SUBJECT_COLUMN]
            if name in reported:
                continue
            reported.add(name)
            if name in self.failed:
                yield SubjectData(name, None, (self.failed[name],))
                continue
            document = {key: value for key, value in entry.items() if key != SUBJECT_COLUMN}
            try:
                history = history_of_document(self.program, self.source, document, f"subjects[{index}].",
                                              self._events_of(name))
                yield SubjectData(name, history)
            except SlaError as err:
                yield SubjectData(name, None, tuple(err.diagnostics))


class _Events:
    """An events file with a subject column, read whole (events are few): its rows by subject."""

    def __init__(self, program, source: Source):
        self.source = source
        records = list(csv_records(program, source))
        header = [cell.strip() for cell in records[0][1]] if records else []
        if header != [SUBJECT_COLUMN, *EVENT_COLUMNS]:
            raise SlaError([Diagnostic(
                "SLA312", f"the events of a file of subjects start with the header "
                          f"{SUBJECT_COLUMN},{','.join(EVENT_COLUMNS)}",
                span_at(source, 1, 1, max(1, len(source.text.partition("\n")[0]))) if source.text else None,
                location=None if source.text else source.path)])
        number, cells, lines = records[0]
        self.header = (number, cells[1:], lines)
        self.by_subject: dict[str, list] = {}
        self.first_lines: dict[str, int] = {}
        problems = []
        for number, cells, lines in records[1:]:
            if not any(cell.strip() for cell in cells):
                continue
            name = cells[0].strip()
            if not name:
                problems.append(Diagnostic("SLA311", "an event without a subject", span_at(source, number, 1, 1)))
                continue
            self.first_lines.setdefault(name, number)
            self.by_subject.setdefault(name, []).append((number, cells[1:], lines))
        if problems:
            raise SlaError(problems)

    def rows(self, name: str) -> list:
        return self.by_subject.get(name, [])


def subjects_of_mapping(program, mapping) -> Iterator[SubjectData]:
    """The Python API's form: {"acme-emea": History or {period: {input: value}}, ...}, a subject
    at a time (each read when reached, as a file's)."""
    for name, data in mapping.items():
        if not isinstance(name, str) or not NAME.fullmatch(name):
            yield SubjectData(str(name), None, (_bad_name(str(name), None, "subjects", "<subjects>"),))
            continue
        try:
            yield SubjectData(name, data if isinstance(data, History) else history_from_mapping(program, data))
        except SlaError as err:
            yield SubjectData(name, None, tuple(err.diagnostics))
