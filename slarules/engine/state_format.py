"""A saved state's JSON form: the formats slarules writes (`slarules.state/3`, its
ledger inside; `/4`, its ledger's records in the file beside it) and still reads
(`/1`, `/2`), the versions of the terms whose prints it names, its checksum, and
reading it back with every field checked against its type, its range and the
ruleset: SLA404 naming the first field at fault, SLA403 when the terms it billed
under have changed. The reader builds the carry class it is given (state.Carry,
which reads itself through it), so that this module does not import state.py.
"""
from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal
from typing import Callable

from ..core.diagnostics import Diagnostic, SlaError
from ..core.days import parse_date
from ..core.periods import EXAMPLE_LABEL
from ..core.source import Span
from .carry import Partial, Pending, PendingLine, ServiceLevelCarry, TriggerCarry, WindowEntry, held_clauses
from .history import EVENT_KINDS, Event
from .ledger import FIGURES, GENESIS, Ledger, LedgerPeriod, Revision, Stored, chained
from .outcome import Totals

STATE_FORMAT = "slarules.state/3"  # a state with its ledger inside (Outcome.state_json())
FILE_FORMAT = "slarules.state/4"  # a state whose ledger records are in the file beside it (a billing run's)
# /1 was written before states carried a checksum, /2 before the terms' prints and the ledger: still read
# (checked field by field, and their ruleset by its text's SHA-256), saved back as /3 or /4.
READABLE_FORMATS = ("slarules.state/1", "slarules.state/2", STATE_FORMAT, FILE_FORMAT)
_STORED_FIELDS = ("opening", "records", "size", "digest", "first")  # a /4 state's ledger
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
        data = json.loads(text.removeprefix("\ufeff"), parse_int=_whole_literal,
                          parse_float=_Literal, parse_constant=_Literal)
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


class _Literal(str):
    """A JSON number no state holds (a fraction, NaN, Infinity, a whole number of
    more digits than any counter), kept as its text so the error can name it."""


def _whole_literal(text: str):
    return int(text) if len(text.lstrip("-")) <= _MAX_DIGITS else _Literal(text)


_MAX_DIGITS = 18  # of a counter or a period index
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?(?:E[+-]?\d+)?")  # as str(Decimal) writes a finite one
_MAX_DECIMAL = 80  # characters
_CARRY_FIELDS = ("next_period", "service_levels", "windows", "triggers")
_WHEN_NEEDED = ("next_invoice", "index_values")  # carry fields a state has only under the clauses needing them
_HELD_KINDS = ("credit", "credit cap")  # the lines a cure window holds
_DAMAGED_NOTE = ("a state is written only by slarules: restore the copy saved with the last billing run, "
                 "or evaluate the whole history again to make a new one",)


class StateReader:
    """Reads a state's JSON data into a Carry, checking each field: its type, its range,
    and that it fits the ruleset (its service levels, window caps and triggers, its
    calendar, its cure periods and its lines). The first fault is SLA404 naming it."""

    def __init__(self, carry_type, program, where: str, read_ledger: Callable[[int], bytes] | None = None):
        self.carry_type = carry_type  # state.Carry, which reads itself through this reader
        self.program, self.where, self.calendar = program, where, program.calendar
        self.next_index: int | None = None
        self.read_ledger = read_ledger
        self.indices: dict[str, int | None] = {}  # of the labels read

    def index_of(self, label: str) -> int | None:
        if label not in self.indices:
            self.indices[label] = self.calendar.index(label)
        return self.indices[label]

    def fail(self, message: str):
        raise SlaError([Diagnostic("SLA404", f"the state file is damaged: {message}", None, _DAMAGED_NOTE,
                                   location=self.where)])

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
            self.fail(f"ruleset must be 'sha256:' and 64 hexadecimal digits, not {_shown(data['ruleset'])}")
        if "checksum" in data and not (isinstance(data["checksum"], str)
                                       and re.fullmatch(r"sha256:[0-9a-f]{64}", data["checksum"])):
            self.fail(f"checksum must be 'sha256:' and 64 hexadecimal digits, not {_shown(data['checksum'])}")
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
            self.fail(f"{path} must be an object, not {_shown(data)}")
        return {self.label(label, f"{path}.{label}"): self.decimal(value, f"{path}.{label}", at_least_zero=True)
                for label, value in data.items()}

    def deliverables(self, data, path: str) -> dict[str, dict]:
        """The deliverables delivered: each a deliverable of the ruleset, with its day, the period it
        was billed in, its days late and credit."""
        names = {rule.name for rule in self.program.deliverables}
        if not isinstance(data, dict):
            self.fail(f"{path} must be an object, not {_shown(data)}")
        for name, record in data.items():
            where = f"{path}.{name}"
            if name not in names:
                self.fail(f"{where}: the ruleset has no deliverable {name!r}")
            self.record(record, where, ("day", "period", "days_late", "credit"))
            if not isinstance(record["day"], str) or parse_date(record["day"]) is None:
                self.fail(f"{where}.day must be a date YYYY-MM-DD, not {_shown(record['day'])}")
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
            self.fail(f"terms[0].from must be null (the terms as signed), not {_shown(stated[0][0])}")
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
            self.fail(f"ledger.digest must be 'sha256:' and 64 hexadecimal digits, not {_shown(data['digest'])}")
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
                entry = json.loads(line, parse_int=_whole_literal, parse_float=_Literal, parse_constant=_Literal)
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
                self.fail(f"{where}.reason must be a string, not {_shown(r['reason'])}")
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
            self.fail(f"{path} must be an object, not {_shown(data)}")
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

    def service_level(self, data, path: str, name: str) -> ServiceLevelCarry:
        self.record(data, path, ("pending", "contract_year", "passes_used", "met_streak", "outstanding",
                                 "year_sum", "year_count", "year_credits"), ("partial",))
        pending = self.items(data["pending"], f"{path}.pending")
        versions = [version_sl for version in (self.program, *(terms for _, terms in self.program.amendments))
                    for version_sl in version.service_levels if version_sl.name == name] if pending else []
        # A window in days (None): how many periods it spans depends on the holidays.
        cure = None if any(v.cure_days for v in versions) else max((v.cure for v in versions if v.cure), default=0)
        return ServiceLevelCarry(
            [self.pending(p, f"{path}.pending[{i}]", name, cure) for i, p in enumerate(pending)],
            self.whole(data["contract_year"], f"{path}.contract_year"),
            self.whole(data["passes_used"], f"{path}.passes_used"),
            self.whole(data["met_streak"], f"{path}.met_streak"),
            self.decimal(data["outstanding"], f"{path}.outstanding", at_least_zero=True),
            self.decimal(data["year_sum"], f"{path}.year_sum"),
            self.whole(data["year_count"], f"{path}.year_count"),
            self.decimal(data["year_credits"], f"{path}.year_credits", at_least_zero=True),
            None if data.get("partial") is None else self.partial(data["partial"], f"{path}.partial"))

    def partial(self, data, path: str) -> Partial:
        """A quarter under way (frequencies.py): its labels on the calendar, its sums decimal numbers."""
        self.record(data, path, ("first", "periods", "sums", "values_sum", "values_count", "unreported",
                                 "excluded", "waived"))
        sums = data["sums"]
        if not isinstance(sums, dict) or not all(isinstance(name, str) for name in sums):
            self.fail(f"{path}.sums must be an object of sums, not {_shown(sums)}")
        for field in ("unreported", "excluded"):
            if not all(type(item) is str for item in self.items(data[field], f"{path}.{field}")):
                self.fail(f"{path}.{field} must be a list of strings")
        if data["waived"] is not None and type(data["waived"]) is not str:
            self.fail(f"{path}.waived must be a string or null, not {_shown(data['waived'])}")
        return Partial(self.label(data["first"], f"{path}.first"), self.whole(data["periods"], f"{path}.periods"),
                       {name: self.decimal(value, f"{path}.sums.{name}") for name, value in sums.items()},
                       self.decimal(data["values_sum"], f"{path}.values_sum"),
                       self.whole(data["values_count"], f"{path}.values_count"),
                       list(data["unreported"]), [self.label(x, f"{path}.excluded") for x in data["excluded"]],
                       data["waived"])

    def pending(self, data, path: str, name: str, cure: int | None) -> Pending:
        """An open window; `cure`: the most periods a window spans (None: a window in days)."""
        self.record(data, path, ("deadline", "missed_in", "lines"), ("cure_by",))
        missed_in = self.label(data["missed_in"], f"{path}.missed_in")
        deadline = self.whole(data["deadline"], f"{path}.deadline")
        missed = self.calendar.index(missed_in)
        cure_by = None
        if cure is None:
            cure = deadline - missed  # any span: the holidays decided it
            if "cure_by" in data:
                cure_by = self.whole(data["cure_by"], f"{path}.cure_by")
                if not missed <= cure_by < deadline:
                    self.fail(f"{path}.cure_by is {cure_by}: a window in days that closes inside its deadline's "
                              f"period is cured by {missed} to {deadline - 1}")
        elif "cure_by" in data:
            self.fail(f"{path} has cure_by, but {name}'s cure period counts periods, not days")
        if not missed < deadline <= missed + cure:
            closes = f"between {missed + 1} and {missed + cure}" if cure else "never: the ruleset has no cure period"
            self.fail(f"{path}.deadline is {deadline}, but a cure window opened in {missed_in} closes {closes}")
        if self.next_index is not None and deadline < self.next_index:
            self.fail(f"{path}.deadline is {deadline}, before {self.next_index}, the period the state continues "
                      "from: the window would never close")
        lines = self.items(data["lines"], f"{path}.lines")
        missed_under = next((sl for sl in self.program.in_force(missed).service_levels
                             if sl.name == name and sl.credit is not None), None)
        if lines and missed_under is None:
            self.fail(f"{path}.lines: {name} has no credit clause in the terms in force in {missed_in}")
        clauses = held_clauses(missed_under) if lines else {}
        return Pending(deadline, missed_in, [self.held_line(line, f"{path}.lines[{i}]", clauses)
                                             for i, line in enumerate(lines)], cure_by)

    def held_line(self, data, path: str, clauses: dict[str, Span]) -> PendingLine:
        """A held line, its clause resolved among `clauses` (those of its service level's terms
        when it was missed). States saved before held lines named their clause give its line;
        the clause that starts on it is taken (exact: those states were read only for the
        ruleset text they were made with), or, if the ruleset was edited since, the clause
        of the line's kind."""
        self.record(data, path, ("kind", "amount", "text"), ("clause", "line"))
        kind = data["kind"]
        if kind not in _HELD_KINDS:
            self.fail(f"{path}.kind must be {' or '.join(map(repr, _HELD_KINDS))}, not {_shown(kind)}")
        amount = self.decimal(data["amount"], f"{path}.amount")
        if amount < 0 if kind == "credit" else amount > 0:  # a credit is owed, its cap cuts it
            self.fail(f"{path}.amount {amount} has the wrong sign for a {kind} line")
        if ("clause" in data) == ("line" in data):
            self.fail(f"{path} must have either 'clause' or 'line' (as saved before held lines named their clause)")
        if "clause" in data:
            clause = data["clause"]
            if type(clause) is not str or clause not in clauses or (kind == "credit cap" and clause != "credit cap"):
                self.fail(f"{path}.clause must name the clause of a {kind} line, one of "
                          f"{', '.join(map(repr, clauses))}, not {_shown(clause)}")
        else:
            line = self.whole(data["line"], f"{path}.line", low=1)
            on_line = sorted((name for name, span in clauses.items() if span.line == line),
                             key=lambda name: (name == "credit cap") != (kind == "credit cap"))
            of_kind = "credit cap" if kind == "credit cap" and "credit cap" in clauses else next(iter(clauses))
            clause = on_line[0] if on_line else of_kind
        if type(data["text"]) is not str:
            self.fail(f"{path}.text must be a string, not {_shown(data['text'])}")
        return PendingLine(kind, amount, clause, clauses[clause], data["text"])

    def trigger(self, data, path: str) -> TriggerCarry:
        """A trigger's progress. A state saved before rights arose more than once has no
        'arisen': a trigger that had fired then stopped counting, so it counts afresh now."""
        self.record(data, path, ("fired", "run", "recent"), ("arisen",))
        fired = None if data["fired"] is None else self.label(data["fired"], f"{path}.fired")
        if "arisen" not in data:
            return TriggerCarry(fired, [], [], 1) if fired is not None else TriggerCarry(
                None, *self.progress(data, path), 0)
        arisen = self.whole(data["arisen"], f"{path}.arisen")
        if (fired is None) != (arisen == 0):
            self.fail(f"{path}.arisen is {arisen}, but fired is {_shown(data['fired'])}")
        return TriggerCarry(fired, *self.progress(data, path), arisen)

    def progress(self, data, path: str) -> tuple[list[str], list[WindowEntry]]:
        """A trigger's run of misses and its window's periods."""
        return ([self.label(label, f"{path}.run[{i}]")
                 for i, label in enumerate(self.items(data["run"], f"{path}.run"))],
                [self.entry(entry, f"{path}.recent[{i}]")
                 for i, entry in enumerate(self.items(data["recent"], f"{path}.recent"))])

    def entry(self, data, path: str) -> WindowEntry:
        self.record(data, path, ("index", "label", "contract_year", "credits", "base", "missed"))
        label = self.label(data["label"], f"{path}.label")
        index = self.whole(data["index"], f"{path}.index")
        if index != self.index_of(label):
            self.fail(f"{path}.index is {index}, but the index of {label} is {self.calendar.index(label)}")
        if self.next_index is not None and index >= self.next_index:
            self.fail(f"{path}.label {label} is not before {self.calendar.label(self.next_index)}, "
                      "the period the state continues from")
        year = self.whole(data["contract_year"], f"{path}.contract_year")
        if year != self.calendar.contract_year_of(index):
            self.fail(f"{path}.contract_year is {year}, but {label} is in contract year "
                      f"{self.calendar.contract_year_of(index)}")
        if not isinstance(data["missed"], bool):
            self.fail(f"{path}.missed must be true or false, not {_shown(data['missed'])}")
        return WindowEntry(index, label, year, self.decimal(data["credits"], f"{path}.credits", at_least_zero=True),
                           self.decimal(data["base"], f"{path}.base", at_least_zero=True), data["missed"])

    # ---- the kinds of field
    def record(self, data, path: str, fields: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        if not isinstance(data, dict):
            self.fail(f"{path} must be an object, not {_shown(data)}")
        for name in fields:
            if name not in data:
                self.fail(f"{path} has no {name!r}")
        for name in data:
            if name not in fields and name not in optional:
                self.fail(f"{path} has an unknown field {name!r}")

    def mapping(self, data, path: str, names: list[str]) -> dict:
        if not isinstance(data, dict):
            self.fail(f"{path} must be an object, not {_shown(data)}")
        for name in names:
            if name not in data:
                self.fail(f"{path} has no {name!r}: the ruleset has that service level")
        for name in data:
            if name not in names:
                self.fail(f"{path} has {name!r}, which the ruleset has no service level of")
        return {name: data[name] for name in names}

    def items(self, data, path: str, count: int | None = None, what: str = "") -> list:
        if not isinstance(data, list):
            self.fail(f"{path} must be a list, not {_shown(data)}")
        if count is not None and len(data) != count:
            self.fail(f"{path} has {len(data)} entries, but the ruleset has {count} {what}")
        return data

    def whole(self, data, path: str, low: int = 0, high: int = 10 ** _MAX_DIGITS) -> int:
        if isinstance(data, _Literal) and data.lstrip("-").isdigit():
            self.fail(f"{path} is {_shown(data)}, out of its range {low} to {high}")
        if type(data) is not int:
            self.fail(f"{path} must be a whole number, not {_shown(data)}")
        if not low <= data <= high:
            self.fail(f"{path} is {data}, out of its range {low} to {high}")
        return data

    def decimal(self, data, path: str, at_least_zero: bool = False) -> Decimal:
        if type(data) is not str or len(data) > _MAX_DECIMAL or not _DECIMAL.fullmatch(data):
            self.fail(f"{path} must be a decimal number written as a string (\"1200.00\"), not {_shown(data)}")
        value = Decimal(data)
        if at_least_zero and value < 0:
            self.fail(f"{path} is {data}, but it is never negative")
        return value

    def label(self, data, path: str) -> str:
        if type(data) is not str or len(data) > 16 or self.index_of(data) is None:
            self.fail(f"{path} must be a period label like {EXAMPLE_LABEL[self.calendar.periodicity]!r}, "
                      f"not {_shown(data)}")
        return data


def _first_billed(ledger, calendar) -> str | None:
    """The first period a state's ledger data holds (or opens at), if it can be read."""
    if not isinstance(ledger, dict):
        return None
    opening, periods = ledger.get("opening"), ledger.get("periods")
    label = (opening.get("next_period") if isinstance(opening, dict)
             else periods[0].get("period") if isinstance(periods, list) and periods and isinstance(periods[0], dict)
             else ledger.get("first"))
    return label if isinstance(label, str) and calendar.index(label) is not None else None


def _shown(value) -> str:
    """A value as an error message names it: its JSON type, and a short view of it."""
    if isinstance(value, _Literal):
        digits = len(value.lstrip("-"))
        return f"a number of {digits} digits" if value.lstrip("-").isdigit() else f"the number {value[:40]}"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        return "the string " + json.dumps(value if len(value) <= 40 else value[:40] + "...")
    if isinstance(value, int):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "an object"
