"""The ledger: what a state has billed, period by period, so billed periods can be restated.

A saved state carries its ledger (state.py reads and checks it; restate.py
uses it). Per billed period it keeps the inputs and the waivers and exclusions
the period was evaluated with (the latest, corrected ones), the figures first
billed, and each revision since: what a restatement changed (the inputs and
events before it) and the figures after it. Nothing billed is overwritten: the
figures in force are the last revision's, or those first billed.

`opening` is the carry the ledger starts from: None for the contract's initial
carry (a state made from the first period billed), else the carry fields of a
state saved before states kept a ledger (format /1 or /2), from which its
later periods are replayed.

Why in the state and not in a store beside it: the carry and the ledger are
then written by the same atomic replace under the same lock and checksum, so
no crash or concurrent run can leave a carry that disagrees with what was
billed, and a billing system keeps one file per contract as before. The cost is
size: about 0.5 KB a period for a contract of six inputs (the Acme example),
60 KB for ten years of months, read and checked on every billing run.

Evaluation only appends: `billed()` keeps the history and the period outcomes
and builds the entries when they are first read (a batch of many periods that
is never saved pays nothing).
"""
from __future__ import annotations

from decimal import Decimal

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


@attrs.frozen
class Ledger:
    opening: dict | None = None  # carry fields, or None for the contract's initial carry
    _entries: tuple[LedgerPeriod, ...] = attrs.field(default=(), alias="entries")
    _pending: tuple = attrs.field(default=(), alias="pending", eq=False)  # (History, period outcomes) not built yet

    @property
    def periods(self) -> tuple[LedgerPeriod, ...]:
        if self._pending:
            built = [*self._entries]
            for history, outcomes in self._pending:
                events: dict[str, list[Event]] = {}
                for event in history.events:
                    events.setdefault(event.period, []).append(event)
                built += [LedgerPeriod(data.label, dict(data.values), tuple(events.get(data.label, ())), p.totals)
                          for data, p in zip(history.periods, outcomes)]
            object.__setattr__(self, "_entries", tuple(built))
            object.__setattr__(self, "_pending", ())
        return self._entries

    def billed(self, history: History, outcomes) -> "Ledger":
        """This ledger with the periods of an evaluation added (built when first read)."""
        if not outcomes:
            return self
        return Ledger(self.opening, self._entries, (*self._pending, (history, tuple(outcomes))))

    def revised(self, periods: tuple[LedgerPeriod, ...]) -> "Ledger":
        return Ledger(self.opening, periods)

    def to_data(self) -> dict:
        return {"opening": self.opening, "periods": [_period_data(p) for p in self.periods]}


def figures_data(totals: Totals) -> dict:
    return {name: str(getattr(totals, name)) for name in FIGURES}


def _events_data(events) -> list:
    return [{"service_level": e.service_level, "event": e.kind, "reason": e.reason} for e in events]


def _period_data(p: LedgerPeriod) -> dict:
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
