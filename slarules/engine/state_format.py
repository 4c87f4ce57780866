"""A saved state's JSON form: the formats slarules writes (`slarules.state/3`, its
ledger inside; `/4`, its ledger's records in the file beside it) and still reads
(`/1`, `/2`), the versions of the terms whose prints it names, its checksum, and
reading it back with every field checked against its type, its range and the
ruleset: SLA404 naming the first field at fault, SLA403 when the terms it billed
under have changed. The reader reads the state's own fields, its terms and its
ledger; what it carries per service level, window and trigger it reads as
carry.py's CarryReading, each field as state_fields.py's FieldReader. It builds
the carry class it is given (state.Carry, which reads itself through it), so
that this module does not import state.py.
"""
from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from typing import Callable

from ..core.diagnostics import Diagnostic, SlaError
from ..core.days import parse_date
from .carry import CarryReading
from .history import EVENT_KINDS, Event
from .ledger import FIGURES, GENESIS, Ledger, LedgerPeriod, Revision, Stored, chained
from .outcome import Totals
from .state_fields import Literal, shown, whole_literal

STATE_FORMAT = "slarules.state/3"  # a state with its ledger inside (Outcome.state_json())
FILE_FORMAT = "slarules.state/4"  # a state whose ledger records are in the file beside it (a billing run's)
# /1 was written before states carried a checksum, /2 before the terms' prints and the ledger: still read
# (checked field by field, and their ruleset by its text's SHA-256), saved back as /3 or /4.
READABLE_FORMATS = ("slarules.state/1", "slarules.state/2", STATE_FORMAT, FILE_FORMAT)
_STORED_FIELDS = ("opening", "records", "size", "digest", "first")  # a /4 state's ledger
_CARRY_FIELDS = ("next_period", "service_levels", "windows", "triggers")
_WHEN_NEEDED = ("next_invoice", "index_values")  # carry fields a state has only under the clauses needing them
AS_SIGNED = -1  # the position, among the versions of the terms, of the terms as signed (before any amendment)


def versions_before(program, next_period: str | None) -> list[tuple[int, object]]:
    """The versions of the terms in force before `next_period` (none before any period):
    (AS_SIGNED, the terms as signed), then (first period index, terms) per amendment."""
    if next_period is None:
        return []
    before = program.calendar.index(next_period)
    return [(AS_SIGNED, program), *((first, terms) for first, terms in program.amendments if first < before)]


def checksum(data: dict) -> str:
    """SHA-256 of the state's content written canonically (keys sorted, no spaces), so
    the layout of the file does not matter, only what it says."""
    return sha256_of(canonical_json(data))


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def sha256_of(canonical: str) -> str:
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def read_json(carry_type, text: str, program, where: str,
              read_ledger: Callable[[int], bytes] | None = None):
    """A saved state's text -> the carry it holds, a `carry_type` (Carry.from_json says how)."""
    try:
        data = json.loads(text.removeprefix("\ufeff"), parse_int=whole_literal,
                          parse_float=Literal, parse_constant=Literal)
    except json.JSONDecodeError as err:
        raise SlaError([Diagnostic("SLA404", f"not valid JSON: {err.msg} at line {err.lineno}",
                                   location=where)]) from None
    except RecursionError:
        raise SlaError([Diagnostic("SLA404", "not a slarules state: its JSON is nested too deeply",
                                   location=where)]) from None
    if isinstance(data, dict) and data.get("format") in (STATE_FORMAT, FILE_FORMAT):
        for name in ("terms", "ledger"):
            if name not in data:
                StateReader(carry_type, program, where).fail(f"the state has no {name!r}")
    carry = StateReader(carry_type, program, where, read_ledger).carry(data)
    if data["format"] != "slarules.state/1":
        saved = {key: value for key, value in data.items() if key != "checksum"}
        if "checksum" not in data:
            StateReader(carry_type, program, where).fail("the state has no 'checksum'")
        if data["checksum"] != checksum(saved):
            StateReader(carry_type, program, where).fail(
                "its checksum does not match its content: it was changed after slarules saved it")
    return carry


class StateReader(CarryReading):
    """Reads a state's JSON data into a Carry, checking each field: its type, its range,
    and that it fits the ruleset (its service levels, window caps and triggers, its
    calendar, its cure periods and its lines). The first fault is SLA404 naming it.
    The state's own fields, its terms and its ledger are read here; what it carries for
    each service level, window and trigger by CarryReading (carry.py)."""

    def __init__(self, carry_type, program, where: str, read_ledger: Callable[[int], bytes] | None = None):
        super().__init__(program, where)
        self.carry_type = carry_type  # state.Carry, which reads itself through this reader
        self.read_ledger = read_ledger

    def carry(self, data):
        program = self.program
        if not isinstance(data, dict) or data.get("format") not in READABLE_FORMATS:
            raise SlaError([Diagnostic("SLA404", f"not a slarules state of format {STATE_FORMAT}",
                                       location=self.where)])
        current = data["format"] in (STATE_FORMAT, FILE_FORMAT)
        if not current and data.get("ruleset") != program.text_sha256:
            raise SlaError([Diagnostic(
                "SLA403", f"this state was saved for another ruleset, not {program.path}", None,
                (f"a state of format {data['format']} belongs to the exact ruleset text it was made with; "
                 "evaluate the whole history again to start a new state",), location=self.where)])
        optional = (("checksum", "terms", "ledger", *_WHEN_NEEDED) if current
                    else ("checksum",) if data["format"].endswith("/2") else ())
        self.record(data, "the state", ("format", "ruleset", "next_period", "service_levels", "windows", "triggers"),
                    (*optional, "deliverables"))
        if current and not (isinstance(data["ruleset"], str) and re.fullmatch(r"sha256:[0-9a-f]{64}", data["ruleset"])):
            self.fail(f"ruleset must be 'sha256:' and 64 hexadecimal digits, not {shown(data['ruleset'])}")
        if "checksum" in data and not (isinstance(data["checksum"], str)
                                       and re.fullmatch(r"sha256:[0-9a-f]{64}", data["checksum"])):
            self.fail(f"checksum must be 'sha256:' and 64 hexadecimal digits, not {shown(data['checksum'])}")
        if "terms" in data:
            self.terms(data["terms"], data["next_period"], data.get("ledger"))
        carry = self.carry_fields(data, "")
        carry.ledger = (self.stored_ledger(data["ledger"]) if data["format"] == FILE_FORMAT
                        else self.ledger(data["ledger"]) if "ledger" in data
                        else Ledger(None if carry.next_period is None else self.opening_of(carry)))
        return carry

    def carry_fields(self, data, path: str):
        """The carry's own fields (a state's, or its ledger's opening carry at `path`)."""
        program = self.program
        next_period = None if data["next_period"] is None else self.label(data["next_period"], path + "next_period")
        self.next_index = None if next_period is None else self.calendar.index(next_period)
        levels = self.mapping(data["service_levels"], path + "service_levels",
                              [sl.name for sl in program.service_levels])
        windows = self.items(data["windows"], path + "windows", len(program.window_caps), "window caps")
        triggers = self.items(data["triggers"], path + "triggers", len(program.triggers), "termination triggers")
        return self.carry_type(
            program.fingerprint, next_period,
            {name: self.service_level(levels[name], f"{path}service_levels.{name}", name) for name in levels},
            [[self.entry(entry, f"{path}windows[{i}][{j}]")
              for j, entry in enumerate(self.items(window, f"{path}windows[{i}]"))]
             for i, window in enumerate(windows)],
            [self.trigger(trigger, f"{path}triggers[{i}]") for i, trigger in enumerate(triggers)],
            self.deliverables(data.get("deliverables", {}), f"{path}deliverables"),
            program=program,
            next_invoice=self.next_invoice(data["next_invoice"], path + "next_invoice") if "next_invoice" in data
            else None,
            index_values=self.index_values(data.get("index_values", {}), path + "index_values")
            if program.indexation is not None else None)

    def next_invoice(self, data, path: str) -> dict:
        """The last billed period's invoice, due on the next run's (invoicing.py)."""
        self.record(data, path, ("assessed_period", "invoice_period", *FIGURES))
        return {"assessed_period": self.label(data["assessed_period"], path + ".assessed_period"),
                "invoice_period": self.label(data["invoice_period"], path + ".invoice_period"),
                **{name: self.decimal(data[name], f"{path}.{name}") for name in FIGURES}}

    def index_values(self, data, path: str) -> dict[str, Decimal]:
        """The index values indexation has read, by period (indexation.py)."""
        if not isinstance(data, dict):
            self.fail(f"{path} must be an object, not {shown(data)}")
        return {self.label(label, f"{path}.{label}"): self.decimal(value, f"{path}.{label}", at_least_zero=True)
                for label, value in data.items()}

    def deliverables(self, data, path: str) -> dict[str, dict]:
        """The deliverables delivered: each a deliverable of the ruleset, with its day, the period it
        was billed in, its days late and credit."""
        names = {rule.name for rule in self.program.deliverables}
        if not isinstance(data, dict):
            self.fail(f"{path} must be an object, not {shown(data)}")
        for name, record in data.items():
            where = f"{path}.{name}"
            if name not in names:
                self.fail(f"{where}: the ruleset has no deliverable {name!r}")
            self.record(record, where, ("day", "period", "days_late", "credit"))
            if not isinstance(record["day"], str) or parse_date(record["day"]) is None:
                self.fail(f"{where}.day must be a date YYYY-MM-DD, not {shown(record['day'])}")
            self.label(record["period"], f"{where}.period")
            self.whole(record["days_late"], f"{where}.days_late")
            self.decimal(record["credit"], f"{where}.credit", at_least_zero=True)
        return {name: dict(record) for name, record in data.items()}

    @staticmethod
    def opening_of(carry) -> dict:
        data = carry.to_data()
        return {name: data[name] for name in _CARRY_FIELDS}

    # ---- the terms in force for the periods billed
    def terms(self, data, next_period, ledger) -> None:
        """SLA403 naming the first clause whose print differs between the state's terms and
        the ruleset's, in a version in force before the state's next period."""
        stated = []
        for i, version in enumerate(self.items(data, "terms")):
            self.record(version, f"terms[{i}]", ("from", "terms"))
            prints = version["terms"]
            if not isinstance(prints, dict) or not all(
                    isinstance(v, str) and re.fullmatch(r"sha256:[0-9a-f]{64}", v) for v in prints.values()):
                self.fail(f"terms[{i}].terms must map each term to 'sha256:' and 64 hexadecimal digits")
            stated.append((version["from"], prints))
        if not stated:
            return
        if stated[0][0] is not None:
            self.fail(f"terms[0].from must be null (the terms as signed), not {shown(stated[0][0])}")
        first_billed = _first_billed(ledger, self.calendar)
        header = next(p for p in self.program.term_prints if p.key == "contract")
        if stated[0][1].get("contract") != header.digest:  # a changed calendar: its labels mean other periods
            self.changed(header, "changed", first_billed, next_period)
        next_label = self.label(next_period, "next_period")
        versions = [(AS_SIGNED, stated[0][1])]
        for i, (first, prints) in enumerate(stated[1:], 1):
            index = self.calendar.index(self.label(first, f"terms[{i}].from"))
            if index <= versions[-1][0] or index >= self.calendar.index(next_label):
                self.fail(f"terms[{i}].from is {first}: the versions must be in order, each before {next_label}")
            versions.append((index, prints))
        ours = versions_before(self.program, next_label)
        for start in sorted({first for first, _ in versions} | {first for first, _ in ours}):
            theirs = next(prints for first, prints in reversed(versions) if first <= start)
            terms = next(terms for first, terms in reversed(ours) if first <= start)
            affected = first_billed if start == AS_SIGNED else self.calendar.label(start)
            for term in terms.term_prints:
                if theirs.get(term.key) != term.digest:
                    self.changed(term, "was added" if term.key not in theirs else "changed", affected, next_period)
            keys = {term.key for term in terms.term_prints}
            for key in theirs:
                if key not in keys:
                    self.changed(None, f"{key} was removed", affected, next_period)

    def changed(self, term, what: str, affected: str | None, next_period: str) -> None:
        shown = f"{term.shown} {what}" if term is not None else what
        billed_to = self.calendar.label(self.calendar.index(next_period) - 1) if self.calendar.index(
            next_period) is not None else None
        since = f"from {affected}" if affected else "from the first period it billed"
        upto = f" up to {billed_to}" if billed_to else ""
        raise SlaError([Diagnostic(
            "SLA403", f"{shown}: the state {self.where} billed{upto} under the earlier terms, and this change "
                      f"applies {since}", term.span if term is not None else None,
            (f"a change to terms already billed goes in an amendment effective from {next_period} or later; "
             "or evaluate the whole history again to start a new state",),
            location=None if term is not None and term.span is not None else self.where)])

    # ---- the ledger
    def ledger(self, data) -> Ledger:
        """A /3 state's ledger, held whole."""
        self.record(data, "ledger", ("opening", "periods"))
        opening = self.opening(data["opening"])
        periods = tuple(self.ledger_period(p, f"ledger.periods[{i}]")
                        for i, p in enumerate(self.items(data["periods"], "ledger.periods")))
        self.consecutive(periods, opening, "ledger.periods")
        return Ledger(opening, added=periods)

    def stored_ledger(self, data) -> Ledger:
        """A /4 state's ledger: its opening, and the records of the ledger file it names, read
        and checked when first needed."""
        self.record(data, "ledger", _STORED_FIELDS)
        opening = self.opening(data["opening"])
        records, size = self.whole(data["records"], "ledger.records"), self.whole(data["size"], "ledger.size")
        if not (isinstance(data["digest"], str) and re.fullmatch(r"sha256:[0-9a-f]{64}", data["digest"])):
            self.fail(f"ledger.digest must be 'sha256:' and 64 hexadecimal digits, not {shown(data['digest'])}")
        first = None if data["first"] is None else self.label(data["first"], "ledger.first")
        if (records == 0) != (first is None) or (records == 0) != (size == 0) or (
                records == 0 and data["digest"] != GENESIS):
            self.fail("ledger.records, size, digest and first must all say the ledger file holds no record, or none")
        next_index = self.next_index

        def read() -> tuple[LedgerPeriod, ...]:
            if self.read_ledger is None:
                raise SlaError([Diagnostic(
                    "SLA404", "this state keeps its ledger in the file beside its state file: read it from there",
                    None, ("give the state file's path (a billing run, --state), not its text",),
                    location=self.where)])
            self.next_index = next_index
            return self.stored_records(self.read_ledger(size), records, data["digest"], opening)
        return Ledger(opening, Stored(records, size, data["digest"], first, read))

    def stored_records(self, data: bytes, records: int, digest: str, opening) -> tuple[LedgerPeriod, ...]:
        """The records of a ledger file, checked: their count and chained digest those the state
        names, each a ledger entry of the ruleset, a period's later record keeping what the earlier
        one billed and its revisions, the periods consecutive (SLA404 naming the record)."""
        where = "the ledger file beside it"
        lines = data.splitlines(keepends=True)
        chain = GENESIS
        for line in lines:
            chain = chained(chain, line)
        if len(lines) != records or chain != digest or (lines and not lines[-1].endswith(b"\n")):
            self.fail(f"{where} does not hold the {records} records the state names: it was changed after "
                      "slarules wrote it")
        result, latest = [], {}
        for number, line in enumerate(lines, 1):
            path = f"{where}, record {number}"
            try:
                entry = json.loads(line, parse_int=whole_literal, parse_float=Literal, parse_constant=Literal)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
                self.fail(f"{path} is not a JSON object")
            record = self.ledger_period(entry, path)
            earlier = latest.get(record.period)
            if earlier is not None and (record.billed != earlier.billed
                                        or record.revisions[:len(earlier.revisions)] != earlier.revisions
                                        or len(record.revisions) <= len(earlier.revisions)):
                self.fail(f"{path} restates {record.period} without keeping what was billed and revised before")
            latest[record.period] = record
            result.append(record)
        self.consecutive(tuple(latest.values()), opening, f"the records of {where}")
        return tuple(result)

    def opening(self, data) -> dict | None:
        """A ledger's opening carry (None: the contract's initial carry)."""
        if data is None:
            return None
        next_index = self.next_index
        self.record(data, "ledger.opening", _CARRY_FIELDS)
        opening = self.opening_of(self.carry_fields(data, "ledger.opening."))
        self.next_index = next_index
        return opening

    def consecutive(self, periods: tuple[LedgerPeriod, ...], opening: dict | None, path: str) -> None:
        """The periods of a ledger are those billed, from its opening to the one before next_period."""
        start = None if opening is None else self.calendar.index(opening["next_period"])
        indices = [self.calendar.index(p.period) for p in periods]
        expected = list(range(indices[0], indices[0] + len(indices))) if indices else []
        if indices != expected or (start is not None and indices and indices[0] != start) or (
                indices and (self.next_index is None or indices[-1] != self.next_index - 1)):
            self.fail(f"{path} must be the consecutive periods billed, from the ledger's opening "
                      "to the one before next_period")

    def ledger_period(self, data, path: str) -> LedgerPeriod:
        self.record(data, path, ("period", "inputs", "events", "billed", "revisions"))
        revisions = []
        for i, r in enumerate(self.items(data["revisions"], f"{path}.revisions")):
            where = f"{path}.revisions[{i}]"
            self.record(r, where, ("reason", "inputs_before", "events_before", "billed"))
            if type(r["reason"]) is not str:
                self.fail(f"{where}.reason must be a string, not {shown(r['reason'])}")
            revisions.append(Revision(
                r["reason"], self.values(r["inputs_before"], f"{where}.inputs_before", missing=True),
                None if r["events_before"] is None else self.events(r["events_before"], f"{where}.events_before",
                                                                    data["period"]),
                self.figures(r["billed"], f"{where}.billed")))
        period = self.label(data["period"], f"{path}.period")
        return LedgerPeriod(period, self.values(data["inputs"], f"{path}.inputs"),
                            self.events(data["events"], f"{path}.events", period),
                            self.figures(data["billed"], f"{path}.billed"), tuple(revisions))

    def values(self, data, path: str, missing: bool = False) -> dict:
        if not isinstance(data, dict):
            self.fail(f"{path} must be an object, not {shown(data)}")
        names = {i.name for i in self.program.inputs}
        for name in data:
            if name not in names:
                self.fail(f"{path} has {name!r}, which the ruleset has no input of")
        return {name: None if missing and value is None else self.decimal(value, f"{path}.{name}")
                for name, value in data.items()}

    def events(self, data, path: str, period) -> tuple[Event, ...]:
        events = []
        names = [sl.name for sl in self.program.service_levels]
        for i, e in enumerate(self.items(data, path)):
            self.record(e, f"{path}[{i}]", ("service_level", "event", "reason"))
            if e["service_level"] not in names or e["event"] not in EVENT_KINDS or type(e["reason"]) is not str:
                self.fail(f"{path}[{i}] must name a service level of the ruleset, an event "
                          f"({' or '.join(EVENT_KINDS)}) and a reason")
            events.append(Event(period, e["service_level"], e["event"], e["reason"]))
        return tuple(events)

    def figures(self, data, path: str) -> Totals:
        self.record(data, path, FIGURES)
        return Totals(*(self.decimal(data[name], f"{path}.{name}") for name in FIGURES))


def _first_billed(ledger, calendar) -> str | None:
    """The first period a state's ledger data holds (or opens at), if it can be read."""
    if not isinstance(ledger, dict):
        return None
    opening, periods = ledger.get("opening"), ledger.get("periods")
    label = (opening.get("next_period") if isinstance(opening, dict)
             else periods[0].get("period") if isinstance(periods, list) and periods and isinstance(periods[0], dict)
             else ledger.get("first"))
    return label if isinstance(label, str) and calendar.index(label) is not None else None
