"""What one period leaves to the next: the carry, and its JSON form.

Cure windows, free passes used, streaks of met periods and credits not yet
earned back, credits inside rolling windows, and the progress of every
termination trigger. Batch evaluation threads a Carry through the periods; an
evaluation from a saved state starts from a copy of it (`copy_for`): object by
object for a carry made for the same program, through the JSON form, checked,
for any other. A billing run saves it after one period and loads it before the
next and gets exactly the batch result, because the JSON form round-trips
(tests/properties/test_spanning_properties.py, incremental = batch).

The JSON is versioned (`format`) and keyed on what it depends on: the prints
(language/fingerprint.py) of the terms in force for the periods it has billed,
the terms as signed and each amendment effective before its next period. An
edit that leaves those alone (comments, layout, titles, an amendment effective
later) keeps the state valid; one that changes them is SLA403 naming the clause
and the first billed period it affects. A credit held in a cure window names its
clause (held_clauses), never a line of the ruleset, and is cited where the
ruleset being run has that clause. It also carries its ledger (ledger.py): what
each period billed, for restatements: inside the state (`slarules.state/3`,
to_json(), what Outcome.state_json() gives), or, in a billing run's state file
(`slarules.state/4`, file_json(), one canonical line), as the count, size and
chained digest of the records appended to the ledger file beside it
(formats/ledger_file.py), read when first needed, so that a run's cost does not
grow with the periods billed. `/2` and `/1` states (from before the prints, `/1`
from before the checksum) name their ruleset by the SHA-256 of its text and
load only if it matches; they are saved back as `/3` or `/4`, their ledger
starting at the carry they held. Reading checks every field against its type,
its range and the ruleset (each service level, window cap and trigger present,
labels on the contract's calendar, cure deadlines inside their cure period),
then a SHA-256 checksum over the content: a damaged or edited state is SLA404
naming the field, never wrong money. formats/schema/state.schema.json publishes
the layout.

Here: Carry, the whole carry, and its JSON written out. What it holds for each
service level, window cap and trigger is in carry.py; the formats, the checksum
and the reading back in state_format.py, each kind of field in state_fields.py.
The rest of slarules imports all of it from here.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Callable

import attrs

from .carry import (Partial, Pending, PendingLine, ServiceLevelCarry, TriggerCarry, WindowEntry, copied, entry_data,
                    opened,
                    held_clauses, level_data)
from .ledger import Ledger
from .state_format import (AS_SIGNED, FILE_FORMAT, STATE_FORMAT, StateReader, canonical_json, checksum, read_json,
                           sha256_of, versions_before)

# The one import place of the state: the carry, what it holds (carry.py), the format's names and checksum.
__all__ = ["FILE_FORMAT", "STATE_FORMAT", "Carry", "Partial", "Pending", "PendingLine", "ServiceLevelCarry",
           "TriggerCarry", "WindowEntry", "checksum", "held_clauses", "opened"]


@attrs.define
class Carry:
    """The whole carry: each service level's, window cap's and trigger's (carry.py), the deliverables
    delivered, the ledger, and the invoice and index values some clauses carry on."""

    fingerprint: str
    next_period: str | None
    service_levels: dict[str, ServiceLevelCarry]
    windows: list[list[WindowEntry]]
    triggers: list[TriggerCarry]
    # Deliverables delivered, by name: {"day", "period", "days_late", "credit"} (deliverables.py)
    deliverables: dict[str, dict] = attrs.Factory(dict)
    ledger: Ledger = attrs.field(factory=Ledger, eq=False)
    program: object = attrs.field(default=None, eq=False, repr=False)  # the Terms it was made for
    # Kept only under the clauses that need them (absent from the JSON otherwise): the last period's
    # invoice, due on the next run's (invoicing.py), and the index values indexation reads (indexation.py).
    next_invoice: dict | None = None
    index_values: dict[str, Decimal] | None = None

    @classmethod
    def initial(cls, program) -> "Carry":
        return cls(
            program.fingerprint,
            None,
            {sl.name: ServiceLevelCarry() for sl in program.service_levels},
            [[] for _ in program.window_caps],
            [TriggerCarry() for _ in program.triggers],
            program=program,
            index_values={} if program.indexation is not None else None,
        )

    def copy_for(self, program) -> "Carry":
        """A carry an evaluation of `program` may update, this one left as it is. A carry
        made for `program` is copied object by object (the lists a period changes are copied,
        what it never changes is shared): it continues as the carry read back from its JSON
        form would (tests/properties/test_spanning_properties.py, incremental = batch). Any
        other carry goes through the JSON form, checked against `program` as a saved state is."""
        if self.program is not program:
            return Carry.from_data(self.to_data(), program)
        return Carry(
            self.fingerprint, self.next_period,
            {name: ServiceLevelCarry(list(level.pending), level.contract_year, level.passes_used, level.met_streak,
                                     level.outstanding, level.year_sum, level.year_count, level.year_credits,
                                     copied(level.partial))
             for name, level in self.service_levels.items()},
            [list(window) for window in self.windows],
            [TriggerCarry(trigger.fired, list(trigger.run), list(trigger.recent), trigger.arisen, trigger.misses)
             for trigger in self.triggers],
            {name: dict(record) for name, record in self.deliverables.items()}, self.ledger, program,
            None if self.next_invoice is None else dict(self.next_invoice),
            None if self.index_values is None else dict(self.index_values))

    def to_data(self) -> dict:
        """The carry as JSON data, without the terms' prints and the ledger; the fields only some
        clauses need (`deliverables` once one was delivered, `next_invoice`, `index_values`) only
        while they are in use."""
        data = {"format": STATE_FORMAT, "ruleset": self.fingerprint, "next_period": self.next_period,
                "service_levels": {name: level_data(level) for name, level in self.service_levels.items()},
                "windows": [[entry_data(entry) for entry in window] for window in self.windows],
                "triggers": [{"fired": t.fired, "run": list(t.run), "recent": [entry_data(e) for e in t.recent],
                              "arisen": t.arisen} for t in self.triggers]}
        if self.deliverables:
            data["deliverables"] = {name: dict(record) for name, record in self.deliverables.items()}
        if self.next_invoice is not None:
            data["next_invoice"] = {key: str(value) for key, value in self.next_invoice.items()}
        if self.index_values is not None:
            data["index_values"] = {label: str(value) for label, value in self.index_values.items()}
        return data

    def to_json(self) -> str:
        """The state whole (format /3): its carry, the terms' prints, its ledger and a checksum."""
        data = {**self.to_data(), "terms": self.terms_data(), "ledger": self.ledger.to_data()}
        return json.dumps({**data, "checksum": checksum(data)}, indent=2, sort_keys=True) + "\n"

    def file_json(self, records: int, size: int, digest: str, first: str | None) -> str:
        """The state as a billing run's state file holds it (format /4): as to_json(), but its
        ledger names the records of the ledger file beside it (their count, size, chained
        digest and first period: Ledger.to_append()) instead of holding them."""
        ledger = {"opening": self.ledger.opening, "records": records, "size": size, "digest": digest, "first": first}
        data = {**self.to_data(), "format": FILE_FORMAT, "terms": self.terms_data(), "ledger": ledger}
        # One line, canonical: what the checksum is taken over, with the checksum (the first key) put in.
        canonical = canonical_json(data)
        return f'{{"checksum":"{sha256_of(canonical)}",{canonical[1:]}\n'

    def terms_data(self) -> list[dict]:
        """The prints of each version of the terms in force before the next period."""
        return [{"from": None if first == AS_SIGNED else self.program.calendar.label(first),
                 "terms": {p.key: p.digest for p in terms.term_prints}}
                for first, terms in versions_before(self.program, self.next_period)]

    @classmethod
    def from_data(cls, data, program, where: str = "<state>") -> "Carry":
        """The carry a state's JSON data describes, every field read and checked
        against its type, its range and the ruleset (SLA404 naming the field)."""
        return StateReader(cls, program, where).carry(data)

    @classmethod
    def from_json(cls, text: str, program, where: str,
                  read_ledger: Callable[[int], bytes] | None = None) -> "Carry":
        """Read a saved state (a leading byte-order mark is ignored); its checksum
        must match its content (SLA404), since a state is written only by slarules.
        A /4 state's ledger records are read, when first needed, by `read_ledger(size)`
        (the first `size` bytes of the ledger file beside it)."""
        return read_json(cls, text, program, where, read_ledger)
