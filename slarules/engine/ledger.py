"""The ledger: what a state has billed, period by period, so billed periods can be restated.

A saved state carries its ledger (state_format.py reads and checks it; restate.py
uses it). Per billed period it keeps the inputs and the waivers and exclusions
the period was evaluated with (the latest, corrected ones), the figures first
billed, and each revision since: what a restatement changed (the inputs and
events before it) and the figures after it. Nothing billed is overwritten: the
figures in force are the last revision's, or those first billed.

`opening` is the carry the ledger starts from: None for the contract's initial
carry (a state made from the first period billed), else the carry fields of a
state saved before states kept a ledger (format /1 or /2), from which its
later periods are replayed.

A ledger is a list of records, one LedgerPeriod each, oldest first: a period
billed, or a period restated (its whole entry again, its new revision last). A
later record of a period supersedes the earlier one, which stays: nothing billed
is overwritten, and a record is only ever added. A saved state either holds its
ledger whole (`slarules.state/3`, what Outcome.state_json() writes), or, as a
billing run's state file does (`slarules.state/4`), names the records it has
stored in an append-only file beside it (formats/ledger_file.py) by their count,
their size and a chained SHA-256 digest (`Stored`), so that a billing run reads,
checks and writes only the records it adds: its cost does not grow with the
periods billed. The stored records are read (and checked) only when the
periods are (a restatement, the state written whole).

Why the ledger is bound to the state: the state's checksum covers the stored
records' digest, and the state is replaced under the same lock after they are
appended, so no crash or concurrent run can leave a carry that disagrees with
what was billed; records appended by a run that never committed lie beyond the
size the state names, and the next run cuts them off.

Evaluation only appends: `billed()` keeps the history and the period outcomes
and builds the records when they are first read (a batch of many periods that
is never saved pays nothing, and a chain of one-month calls adds a link each).
"""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Callable

import attrs

from .history import Event, History
from .outcome import Totals

FIGURES = ("credits", "earned_back", "bonuses", "withheld", "due_to_client", "due_to_vendor")


@attrs.frozen
class Revision:
    """A restatement of one period: why, what the inputs and events were before it
    (only the inputs it changed; the events only if it changed them), and the figures after it."""

    reason: str
    inputs_before: dict[str, Decimal | None]  # None: the input was not reported
    events_before: tuple[Event, ...] | None
    billed: Totals


@attrs.frozen
class LedgerPeriod:
    period: str
    inputs: dict[str, Decimal]
    events: tuple[Event, ...]
    billed: Totals  # as first billed
    revisions: tuple[Revision, ...] = ()

    @property
    def current(self) -> Totals:
        """The figures in force: the last revision's, or those first billed."""
        return self.revisions[-1].billed if self.revisions else self.billed


GENESIS = "sha256:" + "0" * 64  # the digest of no records


@attrs.frozen
class Stored:
    """The first `records` records of the ledger file beside a state, in its first `size`
    bytes, chained to `digest`; `first` is the period of the first one (None: no record).
    `read()` gives them, checked (SLA404 if the file does not hold them)."""

    records: int
    size: int
    digest: str
    first: str | None
    read: Callable[[], tuple[LedgerPeriod, ...]] = attrs.field(eq=False, repr=False)


@attrs.frozen(eq=False)
class Ledger:
    opening: dict | None = None  # carry fields, or None for the contract's initial carry
    stored: Stored | None = None  # the records in the file beside the state
    _added: tuple[LedgerPeriod, ...] = attrs.field(default=(), alias="added")  # records since, oldest first
    _pending: tuple = attrs.field(default=(), alias="pending")  # (earlier link, History, outcomes): not built yet
    _periods: tuple[LedgerPeriod, ...] | None = attrs.field(default=None, init=False)

    @property
    def added(self) -> tuple[LedgerPeriod, ...]:
        """The records since the stored ones, oldest first (those of evaluations built now)."""
        if self._pending:
            batches, link = [], self._pending
            while link:
                link, history, outcomes = link
                batches.append((history, outcomes))
            built = [*self._added]
            for history, outcomes in reversed(batches):
                events: dict[str, list[Event]] = {}
                for event in history.events:
                    events.setdefault(event.period, []).append(event)
                built += [LedgerPeriod(data.label, _shared(data.values), tuple(events.get(data.label, ())), p.totals)
                          for data, p in zip(history.periods, outcomes)]
            object.__setattr__(self, "_added", tuple(built))
            object.__setattr__(self, "_pending", ())
        return self._added

    @property
    def periods(self) -> tuple[LedgerPeriod, ...]:
        """Each billed period's entry as it stands (its last record), in period order."""
        if self._periods is None:
            records = (*(self.stored.read() if self.stored is not None else ()), *self.added)
            object.__setattr__(self, "_periods", tuple({p.period: p for p in records}.values()))
        return self._periods

    def billed(self, history: History, outcomes) -> "Ledger":
        """This ledger with the periods of an evaluation added (built when first read)."""
        if not outcomes:
            return self
        return Ledger(self.opening, self.stored, self._added, (self._pending, history, tuple(outcomes)))

    def revised(self, periods: tuple[LedgerPeriod, ...]) -> "Ledger":
        """This ledger with a record added for each of `periods` that is not its entry already."""
        current = {p.period: p for p in self.periods}
        return Ledger(self.opening, self.stored, (*self.added, *(p for p in periods if current.get(p.period) is not p)))

    def to_data(self) -> dict:
        """The ledger whole, as a /3 state holds it."""
        return {"opening": self.opening, "periods": [period_data(p) for p in self.periods]}

    def to_append(self) -> tuple[bytes, int, str, str | None]:
        """What the ledger file gets after the stored records: the added records as lines
        of JSON, and then the count of records, their digest and the first one's period."""
        stored = self.stored
        records, digest = (stored.records, stored.digest) if stored is not None else (0, GENESIS)
        first = stored.first if stored is not None else None
        lines = []
        for p in self.added:
            line = record_line(p)
            digest = chained(digest, line)
            lines.append(line)
            first = first or p.period
        return b"".join(lines), records + len(lines), digest, first


def _shared(values) -> dict[str, Decimal]:
    """A period's inputs as its record keeps them: the History's own dict (evaluation only reads
    it, and the records are built from the History when first read anyway), not a copy of it."""
    return values if type(values) is dict else dict(values)


def record_line(p: LedgerPeriod) -> bytes:
    """A ledger record as the ledger file holds it: one line of canonical JSON."""
    return json.dumps(period_data(p), sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii") + b"\n"


def chained(digest: str, line: bytes) -> str:
    """The digest of the records up to `line`, from `digest`, that of the records before it."""
    return "sha256:" + hashlib.sha256(digest.encode("ascii") + line).hexdigest()


def figures_data(totals: Totals) -> dict:
    return {name: str(getattr(totals, name)) for name in FIGURES}


def _events_data(events) -> list:
    return [{"service_level": e.service_level, "event": e.kind, "reason": e.reason} for e in events]


def period_data(p: LedgerPeriod) -> dict:
    return {
        "period": p.period,
        "inputs": {name: str(value) for name, value in p.inputs.items()},
        "events": _events_data(p.events),
        "billed": figures_data(p.billed),
        "revisions": [{"reason": r.reason,
                       "inputs_before": {name: None if v is None else str(v) for name, v in r.inputs_before.items()},
                       "events_before": None if r.events_before is None else _events_data(r.events_before),
                       "billed": figures_data(r.billed)}
                      for r in p.revisions],
    }
