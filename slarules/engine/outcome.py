"""The result of an evaluation: frozen values, every figure traceable.

An Outcome holds one PeriodOutcome per period: each service level's value
and status, and the line items (credits, bonuses, caps) each with its clause
(`file.sla:line`, the file's name without its folders), the signed contract's
clause its term cites (language/citations.py; None if it cites none) and a
sentence a person can check by hand. A period's results, lines and totals,
like a line's sentence, are built from the evaluator's record of the period
each time they are read, never during evaluation and never kept: a billing run
over many periods pays only for the money, an Outcome holds only the records,
and reading every period leaves nothing behind for CPython's collector to
rescan (bench/run.py's reading line). Totals are sums of line items, so they
add up to the cent by construction. The Outcome and its summaries are frozen
attrs objects; a period (PeriodOutcome) and its figures (KpiResult, Line,
Totals) are named tuples, each made in one step when it is read. Rendering
lives in formats/report.py.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from decimal import Decimal
from operator import itemgetter
from typing import Callable, NamedTuple

import attrs

from ..core.source import Span


_held = 0  # how many no_full_collections blocks are running (threads: the service evaluates in a pool)
_held_lock = threading.Lock()
_thresholds = gc.get_threshold()  # the collector's thresholds when the first of them began


@contextmanager
def no_full_collections():
    """Hold off CPython's full collections while many result objects are built at once
    (an evaluation, a period's figures for every period, a report), and restore the
    collector's thresholds. The objects are in no reference cycle, and each full
    collection rescans everything alive; they come more often as the objects pile up
    and doubled the time of a long history (bench/run.py). The young generations,
    collected while their objects are fresh, cost little and go on. Blocks may overlap
    in threads: the first to begin holds full collections off, the last to end restores
    the thresholds it found (each block restoring its own could leave them off for good)."""
    global _held, _thresholds
    with _held_lock:
        if _held == 0:
            _thresholds = gc.get_threshold()
            gc.set_threshold(_thresholds[0], _thresholds[1], 2**31 - 1)
        _held += 1
    try:
        yield
    finally:
        with _held_lock:
            _held -= 1
            if _held == 0:
                gc.set_threshold(*_thresholds)


CREDITS_REPLACED = "credits replaced"  # a critical failure's credits that do not accrue: a negative credit line
LATE_REPORT = "late report"  # the credit a contract gives for a late report (reporting.py)
LATE_DELIVERY = "late delivery"  # a deliverable's credit (deliverables.py): service_level names the deliverable
CREDIT_KINDS = ("credit", "credit cap", CREDITS_REPLACED, LATE_REPORT, LATE_DELIVERY)
BONUS_KINDS = ("bonus", "bonus cap", "bonus forfeit")
# Statuses of a service level in a period, grouped by what they mean for gates and streaks.
MET = frozenset({"met", "cured"})
MISSED = frozenset({"missed", "in cure"})  # "waived" counts toward termination unless the contract says not
EARN_BACK = "earn back"
WITHHOLD = "withhold"  # the share of the charges a critical failure lets the client withhold


def _compared_by(compared: Callable[[tuple], tuple]) -> tuple[Callable, Callable, Callable]:
    """__eq__, __ne__ and __hash__ of a named tuple whose equality leaves some fields out:
    `compared(record)` is what counts. Never equal to another type, a plain tuple included
    (its contents would compare)."""
    def __eq__(self, other) -> bool:
        return type(other) is type(self) and compared(self) == compared(other)

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(compared(self))
    return __eq__, __ne__, __hash__


class Line(NamedTuple):
    """One line item. Credits, bonuses and withholds are positive; caps, forfeits,
    credits replaced by a critical failure and earn-backs (credits returned to the
    vendor) negative. Equality and hash leave out where the clause is in the ruleset
    and the sentence (what is billed is compared, not how it is worded)."""

    period: str
    service_level: str | None  # None for a period-wide line (the at-risk cap); a late delivery's deliverable
    kind: str  # "credit" | "credit cap" | "credits replaced" | "earn back" | "bonus" | "bonus cap"
    #            | "bonus forfeit" | "withhold" | "late report" | "late delivery"
    amount: Decimal
    clause: Span
    explain: Callable[[], str]  # builds the sentence: read `explanation`
    accountable: str | None = None  # the party that answers for it (None: the ruleset names none)
    # The period whose invoice the line is on, when the contract applies credits to the next invoice
    # (invoicing.py); None: the period it was assessed in.
    invoice_period: str | None = None
    contract_clause: str | None = None  # the signed contract's: "C.2.1(a)"

    @property
    def explanation(self) -> str:
        return self.explain()

    @property
    def clause_ref(self) -> str:
        return self.clause.reference

    __eq__, __ne__, __hash__ = _compared_by(lambda line: line[:4] + line[6:])  # not clause, explain

    def __repr__(self) -> str:
        shown = ("period", "service_level", "kind", "amount", "clause", "accountable", "invoice_period",
                 "contract_clause")
        return f"Line({', '.join(f'{name}={getattr(self, name)!r}' for name in shown)})"


class LineHead(NamedTuple):
    """What every line item of one kind from one clause shares: a line's record is
    (its head, amount, *what its sentence reads), and its sentence is
    `head.text(*head.fixed, amount, *the rest)`. Each is made once per clause and kind
    (wording.Wording.line_head), so a line item keeps only what varies, and reading it
    looks nothing up."""

    service_level: str | None
    kind: str
    clause: Span
    accountable: str | None
    contract_clause: str | None
    text: Callable[..., str]
    fixed: tuple


class KpiResult(NamedTuple):
    """A service level's measurement in one period."""

    service_level: str
    value: Decimal | None  # as measured; None when not reported
    unit: str
    status: str  # "met" | "missed" | "not measured" | "in cure" | "cured" | "waived" | "excluded"
    note: str | None = None
    reported: Decimal | None = None  # the value on the contract's reporting grid, if it states one
    accountable: str | None = None  # the party that answers for the service level

    @property
    def compared(self) -> Decimal | None:
        """The value the target and the tiers were compared with: as reported, else as measured."""
        return self.value if self.reported is None else self.reported


class Totals(NamedTuple):
    """Credits and bonuses after every cap, credits earned back, charges withheld on a
    critical failure, and net = credits + withheld - earned_back - bonuses (positive:
    owed to the client).

    due_to_client and due_to_vendor are what is invoiced under the contract's netting:
    paid separately, each in full (an earn-back beyond the period's credits is
    paid to the vendor); offset, only the net, on whichever side it falls. The
    withheld charges are not a service credit (they are never earned back, and
    `bonuses only offset credits` forfeits bonuses beyond the credits alone), but
    for what is invoiced they count with the credits.
    """

    credits: Decimal
    earned_back: Decimal
    bonuses: Decimal
    withheld: Decimal
    due_to_client: Decimal
    due_to_vendor: Decimal

    @property
    def net(self) -> Decimal:
        return self.credits + self.withheld - self.earned_back - self.bonuses

    def __add__(self, other: "Totals") -> "Totals":  # type: ignore[override]  # figure by figure
        return Totals(self.credits + other.credits, self.earned_back + other.earned_back,
                      self.bonuses + other.bonuses, self.withheld + other.withheld,
                      self.due_to_client + other.due_to_client, self.due_to_vendor + other.due_to_vendor)


# A figure (Line, KpiResult, Totals) from its values in field order, made in one step: how a
# period's figures are built each time they are read.
made = tuple.__new__


ZERO_TOTALS = Totals(Decimal(0), Decimal(0), Decimal(0), Decimal(0), Decimal(0), Decimal(0))


class TerminationRight(NamedTuple):
    """The client's right to terminate, arising in `period` under a trigger: its
    `occurrence`-th (1 the first time; the trigger counts afresh after each). Made in
    one step as a Line is; equality and hash leave out where the clause is in the ruleset."""

    period: str
    trigger: str  # the clause as written: "terminate when soa is missed 3 months in a row"
    clause: Span
    reason: str
    periods: tuple[str, ...]  # the periods that caused it
    occurrence: int = 1
    accountable: str | None = None  # the party whose misses gave the right
    # `on 30 days' notice`: the day the right takes effect, that many days after the period ends
    effective: str | None = None
    contract_clause: str | None = None  # the signed contract's: "C.5(a)"

    @property
    def clause_ref(self) -> str:
        return self.clause.reference

    __eq__, __ne__, __hash__ = _compared_by(lambda right: right[:2] + right[3:])  # not clause


# Where a period's record (PeriodOutcome) has its service levels' results, and how many
# fields each has: value (on the reporting grid, if any), status, note, value as measured.
RECORD_RESULTS = 10
RESULT_FIELDS = 4


class PeriodOutcome(tuple):
    """One period: each service level's result, the line items, the totals and the
    termination rights that arose.

    Underneath (as a namedtuple is) it is the compact record the evaluator wrote
    of the period, made in one step: (period, contract year, late reports, the
    object that reads the rest, which has `results(record)`, `lines(period,
    record)`, `totals(record)` and `terminations(record)`, then what those read).
    Read it by its attributes. `results`, `lines` and `totals` are built from it
    each time they are read (equal each time, not the same objects), so a
    billing run over many periods does not pay for objects nobody reads, and a
    reader that lets them go keeps the Outcome as small as evaluation left it.
    Equality, hash and repr are those of the public attributes.
    """

    __slots__ = ()

    period: str = property(itemgetter(0))
    contract_year: int = property(itemgetter(1))
    # reporting.LateReport: the period's reports that came after their due day
    late_reports: tuple = property(itemgetter(2))

    @property
    def results(self) -> tuple[KpiResult, ...]:
        return self[3].results(self)

    @property
    def lines(self) -> tuple[Line, ...]:
        return self[3].lines(self[0], self)

    @property
    def totals(self) -> Totals:
        return self[3].totals(self)

    @property
    def terminations(self) -> tuple[TerminationRight, ...]:
        return self[3].terminations(self)

    @property
    def invoice_period(self) -> str | None:
        """The period whose invoice this period's lines are on (None: this period's own)."""
        return self[3].invoice_period_of(self[0])

    def _public(self) -> tuple:
        return (self.period, self.contract_year, self.results, self.lines, self.totals, self.terminations,
                self.late_reports)

    # Never equal to another type, a plain tuple included (the records would compare).
    def __eq__(self, other) -> bool:
        return type(other) is PeriodOutcome and self._public() == other._public()

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._public())

    def __repr__(self) -> str:
        fields = ("period", "contract_year", "results", "lines", "totals", "terminations", "late_reports")
        return f"PeriodOutcome({', '.join(f'{name}={value!r}' for name, value in zip(fields, self._public()))})"


@attrs.frozen
class ServiceLevelTotals:
    """A service level's own lines over the history (period-wide lines, caps, replaced credits
    and withholds, not included)."""

    service_level: str
    credits: Decimal
    earned_back: Decimal
    bonuses: Decimal
    periods_missed: int
    periods_met: int


@attrs.frozen
class YearTotals:
    contract_year: int
    first_period: str
    last_period: str
    totals: Totals


@attrs.frozen
class Invoice:
    """What one invoice settles when the contract applies credits to the next invoice
    (invoicing.py): the totals of the period assessed before it. `status` is "billed" for
    the invoice of a period this evaluation covers (the first one carried in the state
    when it continues one), "next invoice" for the one after its last period, due on the
    next billing run's invoice."""

    invoice_period: str
    assessed_period: str
    totals: Totals
    status: str  # "billed" | "next invoice"


@attrs.frozen
class Outcome:
    """Everything an evaluation found, in period order."""

    contract: str
    currency: str
    digits: int  # decimals of the currency's minor unit, for rendering
    ruleset: str
    netting: str
    periods: tuple[PeriodOutcome, ...]
    totals: Totals
    by_service_level: tuple[ServiceLevelTotals, ...]
    by_contract_year: tuple[YearTotals, ...]
    state: object = attrs.field(eq=False, repr=False)  # state.Carry after the last period
    fingerprint: str = ""  # of the ruleset (language/fingerprint.py), "" for an Outcome built by hand
    deliverables: tuple = ()  # deliverables.DeliverableStatus of each deliverable after the last period
    invoicing: bool = False  # the contract applies credits to the next invoice (invoicing.py)
    carried_invoice: Invoice | None = None  # the invoice the state carried in, billed by this evaluation

    @property
    def invoices(self) -> tuple[Invoice, ...]:
        """Per invoice period, what it settles (empty unless the contract applies credits to the
        next invoice): the invoice carried in, one per period, the last one due on the next invoice."""
        if not self.invoicing:
            return ()
        last = len(self.periods) - 1
        own = (Invoice(p.invoice_period, p.period, p.totals, "next invoice" if i == last else "billed")
               for i, p in enumerate(self.periods))
        return (*((self.carried_invoice,) if self.carried_invoice is not None else ()), *own)

    @property
    def terminations(self) -> list[TerminationRight]:
        return [t for period in self.periods for t in period.terminations]

    @property
    def lines(self) -> list[Line]:
        """Every period's lines, in order (built at once, kept by the list)."""
        with no_full_collections():
            return [line for period in self.periods for line in period.lines]

    def state_json(self) -> str:
        """The state after the last period, to evaluate the next one from (`--state`)."""
        return self.state.to_json()

