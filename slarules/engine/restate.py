"""Restatement: billed periods evaluated again with corrected inputs, as adjustment lines.

Input: the terms, a saved state with its ledger (ledger.py), and the corrected
periods as a History (each period whole: its inputs and its waivers and
exclusions replace those billed). Output: a Restatement: one Adjustment per
billed period whose figures changed (a credit note when more is owed to the
client on balance, a debit note when less, "restated" when only the split of
the same balance changed), with the change in what is due to each side, the
figures billed and restated, the reason, and the contract clauses its changed lines cite (the lines billed
are the ledger's inputs evaluated again); the restated Outcome of every ledger period; and the new state, whose
ledger records each revision (nothing billed is overwritten) and whose carry
is the one the corrected history leaves. Errors: SLA407 for a corrected period
the ledger has not billed, SLA408 when there is no saved state.

Every ledger period is evaluated again from the ledger's opening carry, so
what carries across periods (cure windows, earn-back, caps over windows,
triggers) is recomputed after the corrected period exactly as a whole-history
run over the corrected data computes it: billed + adjustments = restated.
Restating the same corrections again finds nothing to adjust. The deliveries billed
come from the state (they are no period's events); the holidays are those given with
the corrections, as with any run.
"""
from __future__ import annotations

import attrs

from ..core.days import parse_date
from ..core.diagnostics import Diagnostic, SlaError
from ..core.money import format_number
from .compile import Terms
from .evaluate import evaluate
from .history import Delivery, History, PeriodData
from .ledger import LedgerPeriod, Revision
from .outcome import Outcome, Totals
from .state import Carry

CREDIT_NOTE = "credit note"  # more is owed to the client, on balance, than was billed
DEBIT_NOTE = "debit note"  # less is
RESTATED = "restated"  # the same balance, split otherwise (bonuses paid separately: credits and bonuses both moved)


@attrs.frozen
class Adjustment:
    """A billed period's figures restated: `amount` is the change in the net (positive: owed to the client),
    `to_client` and `to_vendor` the changes in what is due to each under the contract's netting."""

    period: str
    kind: str  # CREDIT_NOTE | DEBIT_NOTE | RESTATED
    amount: object  # Decimal
    to_client: object
    to_vendor: object
    billed: Totals
    restated: Totals
    reason: str
    # Under `credits are applied to the next invoice` (invoicing.py): the invoice the adjustment lands on,
    # the next one the state has not billed; None otherwise.
    invoice_period: str | None = None
    # The signed contract's clauses of the line items that changed (added, removed or of another amount),
    # each once, in the order the lines come: what the credit or debit note cites.
    contract_clauses: tuple[str, ...] = ()


@attrs.frozen
class Restatement:
    adjustments: tuple[Adjustment, ...]
    outcome: Outcome  # every ledger period, restated
    state: Carry  # after the last billed period, its ledger revised
    currency: str
    digits: int
    fingerprint: str


def restate(program: Terms, state: Carry | None, corrected: History, where: str = "<state>") -> Restatement:
    """The adjustments the corrected periods make to what `state`'s ledger billed."""
    if state is None:
        raise SlaError([Diagnostic("SLA408", "there is no saved state, so nothing has been billed to restate",
                                   location=where)])
    ledger = state.ledger
    billed = {p.period: p for p in ledger.periods}
    for data in corrected.periods:
        if data.label not in billed:
            before = ledger.opening is not None and program.calendar.index(data.label) < program.calendar.index(
                ledger.opening["next_period"])
            raise SlaError([Diagnostic(
                "SLA407", f"period {data.label} " + (
                    "was billed before this state kept a ledger (by slarules before state format /3), so it "
                    "cannot be restated from it" if before else "has not been billed from this state, so it "
                    "cannot be restated"), data.span,
                ("a restatement corrects periods already billed; bill a new period with an ordinary run",),
                location=None if data.span else data.place())])
    fixes = {data.label: data for data in corrected.periods}
    fixed_events = {data.label: tuple(e for e in corrected.events if e.period == data.label)
                    for data in corrected.periods}
    periods = ledger.periods
    history = History(
        tuple(fixes.get(p.period) or PeriodData(p.period, p.inputs) for p in periods),
        tuple(event for p in periods for event in fixed_events.get(p.period, p.events)),
        corrected.holidays, _deliveries(program, state, corrected, {p.period for p in periods}))

    def opening() -> Carry:
        return Carry.initial(program) if ledger.opening is None else Carry.from_data(
            {**Carry.initial(program).to_data(), **ledger.opening}, program, where)
    outcome = evaluate(program, history, opening())
    billed_history = History(tuple(PeriodData(p.period, p.inputs) for p in periods),
                             tuple(event for p in periods for event in p.events), corrected.holidays,
                             _deliveries(program, state, History(()), {p.period for p in periods}))
    as_billed = evaluate(program, billed_history, opening()) if program.contract_clauses else None
    adjustments, revised = [], []
    first_fix = min((program.calendar.index(label) for label in fixes), default=None)
    for number, (entry, data, restated) in enumerate(zip(periods, history.periods, outcome.periods)):
        changed = {name: entry.inputs.get(name) for name in {*entry.inputs, *data.values}
                   if entry.inputs.get(name) != data.values.get(name)}
        events = fixed_events.get(entry.period, entry.events)
        events_changed = _event_set(events) != _event_set(entry.events)
        money_changed = restated.totals != entry.current
        if not (changed or events_changed or money_changed):
            revised.append(entry)
            continue
        reason = _reason(entry, data, changed, events, events_changed, program, first_fix)
        revision = Revision(reason, changed, entry.events if events_changed else None, restated.totals)
        revised.append(LedgerPeriod(entry.period, dict(data.values), events, entry.billed,
                                    (*entry.revisions, revision)))
        if money_changed:
            before, after = entry.current, restated.totals
            amount = after.net - before.net
            adjustments.append(Adjustment(
                entry.period, CREDIT_NOTE if amount > 0 else DEBIT_NOTE if amount < 0 else RESTATED, amount,
                after.due_to_client - before.due_to_client, after.due_to_vendor - before.due_to_vendor,
                before, after, reason, state.next_period if program.invoicing is not None else None,
                _changed_clauses(as_billed.periods[number].lines, restated.lines) if as_billed else ()))
    new_state = outcome.state
    if program.invoicing is not None:
        # The last period's invoice is not billed yet but keeps the figures as first computed:
        # its adjustment lands on that same invoice, so the invoice bills each change once.
        new_state.next_invoice = state.next_invoice
    new_state.ledger = ledger.revised(tuple(revised))
    return Restatement(tuple(adjustments), outcome, new_state, program.currency, program.rounding.digits,
                       program.fingerprint)


def _deliveries(program: Terms, state: Carry, corrected: History, billed: set) -> tuple[Delivery, ...]:
    """The deliverables delivered in the billed periods, as the state recorded them, unless the
    corrections date them again (deliveries are not part of a ledger period's events)."""
    again = {d.deliverable for d in corrected.deliveries}
    kinds = {rule.name: rule.counted_until for rule in program.deliverables}
    recorded = tuple(Delivery(name, kinds[name], parse_date(record["day"]), record["period"], "")
                     for name, record in state.deliverables.items()
                     if name not in again and name in kinds and record["period"] in billed)
    return recorded + corrected.deliveries


def _changed_clauses(billed, restated) -> tuple[str, ...]:
    """The contract clauses of the lines in one list and not the other, each once, in order."""
    def key(line):
        return line.service_level, line.kind, line.amount, line.clause_ref
    kept = {key(line) for line in billed} & {key(line) for line in restated}
    changed = [line.contract_clause for line in (*restated, *billed) if key(line) not in kept]
    return tuple(dict.fromkeys(c for c in changed if c is not None))


def _event_set(events) -> set:
    return {(e.service_level, e.kind, e.reason) for e in events}


def _reason(entry: LedgerPeriod, data: PeriodData, changed: dict, events, events_changed: bool,
            program: Terms, first_fix: int | None) -> str:
    """Why a period changed: its corrected inputs and events, or a correction before it that carries into it."""
    parts = []
    if changed:
        parts.append("corrected " + ", ".join(
            f"{name} {_shown(entry.inputs.get(name))} -> {_shown(data.values.get(name))}" for name in sorted(changed)))
    if events_changed:
        before, after = _event_set(entry.events), _event_set(events)
        parts += [f"{kind} of {sl} removed" for sl, kind, _ in sorted(before - after)]
        parts += [f"{kind} of {sl} added ({reason})" for sl, kind, reason in sorted(after - before)]
    if not parts:
        first = program.calendar.label(first_fix) if first_fix is not None else "an earlier period"
        parts.append(f"carried from the correction of {first} (a cure window, earn-back, a cap over several "
                     "periods or a termination trigger reaches this period)")
    return "; ".join(parts)


def _shown(value) -> str:
    return "not reported" if value is None else format_number(value)
