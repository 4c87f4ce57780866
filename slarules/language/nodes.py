"""The syntax tree of a ruleset: frozen attrs classes, one per contract construct.

parse.py builds these from the Lark tree; nothing else sees Lark. Spans do not
take part in equality, so a ruleset printed and parsed again compares equal to
the original. Nodes hold what was written, not what it means: the check decides
whether it makes sense, compile.py what it does.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Union

import attrs

from ..core.source import Source, Span


DAY_UNITS = ("day", "business day")  # a Cure's unit when it counts days


def _span():
    return attrs.field(eq=False, repr=False, default=None)


@attrs.frozen
class Name:
    """An identifier as written, with its own span so carets underline just it."""

    text: str
    span: Span | None = _span()


@attrs.frozen
class ContractClause:
    """`clause "C.2.1(b)"`: the signed contract's clause a term encodes, free text as the
    contract numbers it (quotes and backslashes written \\" and \\\\). `written` is the
    string as it stands in the source, escapes and all: a spelling, like a span."""

    text: str
    written: str | None = attrs.field(eq=False, repr=False, default=None)
    span: Span | None = _span()


def _cites():
    """The `contract_clause` field of a term that may name its contract clause."""
    return attrs.field(default=None, kw_only=True)


# ------------------------------------------------------------------ values

@attrs.frozen
class Quantity:
    """A number with the unit written after it: 80%, 20 seconds, 500."""

    value: Decimal
    unit: str | None  # "percent", "seconds", "minutes", "points" (of a shortfall) or None for a bare number
    span: Span | None = _span()


@attrs.frozen
class Share:
    """`3% of opened`: an allowance worked out each period as a share of another input
    ("3% of the tickets opened in the period"). It has no value of its own: a target or
    a linear amount's threshold written so compares with `percent`% of the input's value
    in each period. Nothing else may hold one (the grammar sees to it)."""

    percent: Decimal
    unit: str | None  # the unit written after the number, as for a Quantity; only "percent" is accepted
    base: Name
    span: Span | None = _span()


@attrs.frozen
class Comparison:
    """`at least 80%`, `at most 5%`, `above 40 seconds`, `below 75%`; a target's may
    compare with a share of another input: `at most 3% of opened`."""

    op: str  # "at least" | "at most" | "above" | "below"
    quantity: Quantity | Share
    span: Span | None = _span()


@attrs.frozen
class Band:
    """The KPI values a tier row covers.

    `kind` is one of "open" (a single comparison in `first`), "from to"
    (first..second, both included), "from to below" (second excluded),
    "above to" (first excluded), "above to below" (both excluded) and "and"
    (two comparisons in `first` and `second`, in the order written:
    `below 99.95% and at least 99.5%`).
    """

    kind: str
    first: Comparison | Quantity
    second: Comparison | Quantity | None = None
    span: Span | None = _span()


@attrs.frozen
class InputBase:
    """An amount's base that is a declared money input: `of monthly_fee`."""

    name: Name


@attrs.frozen
class AtRiskBase:
    """`of the amount at risk`: the period's at-risk amount."""


@attrs.frozen
class AllocationBase:
    """`of the allocation`: the service level's share of the amount at risk."""


Base = Union[InputBase, AtRiskBase, AllocationBase]


@attrs.frozen
class PercentOf:
    """`2% of monthly_fee`."""

    percent: Decimal
    base: Base
    span: Span | None = _span()


@attrs.frozen
class FixedMoney:
    """`USD 1,500`."""

    currency: str
    value: Decimal
    span: Span | None = _span()


Amount = Union[PercentOf, FixedMoney]


# ------------------------------------------------------------------ expressions

@attrs.frozen
class Number:
    value: Decimal
    span: Span | None = _span()


@attrs.frozen
class Reference:
    """A use of a declared input inside `measured as`."""

    name: Name


@attrs.frozen
class BinaryOp:
    op: str  # "+", "-", "*", "/"
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@attrs.frozen
class PeriodLength:
    """The period's length, a built-in quantity: `minutes in the month`, `days in the period`.
    `unit` is days, hours, minutes or seconds; `period_word` the word written after `in the`
    (period, month, quarter or year)."""

    unit: str
    period_word: str
    span: Span | None = _span()


Expr = Union[Number, Reference, PeriodLength, BinaryOp]


# ------------------------------------------------------------------ header

@attrs.frozen
class Currency:
    code: str
    span: Span | None = _span()


@attrs.frozen
class Assessed:
    periodicity: str  # "monthly" | "quarterly" | "yearly"
    span: Span | None = _span()


@attrs.frozen
class Rounding:
    """`rounding half up to cents`."""

    mode: str  # "half up" | "half even" | "half down" | "up" | "down"
    minor_unit: str | None  # "cents" | "whole units" | None (the currency's own)
    span: Span | None = _span()


@attrs.frozen
class Starts:
    month: str  # "2026-01"
    span: Span | None = _span()


HeaderTerm = Union[Currency, Assessed, Rounding, Starts]


@attrs.frozen
class Contract:
    """`contract "Name" currency USD, assessed monthly, ...`."""

    title: str
    terms: tuple[HeaderTerm, ...]
    span: Span | None = _span()


# ------------------------------------------------------------------ inputs

@attrs.frozen
class DefaultValue:
    """`, default 0`: the value used for a period that does not report the input."""

    value: Decimal


@attrs.frozen
class MissingIsMiss:
    """`, missing counts as a miss`: service levels reading it are missed."""


@attrs.frozen
class Input:
    """One declared per-period number: `monthly_fee money "fees invoiced"`."""

    name: Name
    unit: str
    description: str | None = None
    missing: DefaultValue | MissingIsMiss | None = None
    span: Span | None = _span()
    reporting: "ReportingDuty | None" = None


@attrs.frozen
class Inputs:
    inputs: tuple[Input, ...]
    span: Span | None = _span()


# ------------------------------------------------------------------ period-wide terms

@attrs.frozen
class AtRisk:
    """`at risk: 12% of monthly_fee each month`: the period cap on all credits, also
    written `credits at most 12% of monthly_fee each month` (`as_credits_at_most`)."""

    amount: Amount
    per: str  # "month" | "quarter" | "year"
    span: Span | None = _span()
    as_credits_at_most: bool = False
    contract_clause: ContractClause | None = _cites()


@attrs.frozen
class BonusLimit:
    """`bonuses at most 3% of monthly_fee each month`: the period cap on bonuses."""

    amount: Amount
    per: str
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()


@attrs.frozen
class Netting:
    """How bonuses meet credits: "paid separately", "offset", "only offset"."""

    policy: str
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()


@attrs.frozen
class Invoicing:
    """`credits are applied to the next invoice`: a period's lines land on the next period's invoice."""

    span: Span | None = _span()


@attrs.frozen
class Indexation:
    """`amounts indexed to cpi, base 2026-01, adjusted each contract year, rounded to cents`:
    the fixed amounts move each contract year with the index input; `minor_unit` as in Rounding
    (None: the contract's minor unit)."""

    index: Name
    base: str  # the base month, "2026-01"
    minor_unit: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Window:
    """`any 12 months` (rolling, `length` periods) or `each contract year`."""

    kind: str  # "rolling" | "contract year"
    length: Decimal | None = None
    unit: str | None = None  # the period word as a singular noun: "month", "quarter", "year", "period"
    span: Span | None = _span()


@attrs.frozen
class WindowShare:
    """`10% of monthly_fee in those months`: a share of an input summed over the window."""

    percent: Decimal
    base: Name
    span: Span | None = _span()


WindowLimit = Union[WindowShare, "FixedMoney"]


@attrs.frozen
class WindowCap:
    """`credits in any 12 months at most ...`: a cap on credits over several periods."""

    window: Window
    limit: WindowLimit
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()


@attrs.frozen
class MissedInARow:
    """`terminate when NAME is missed 3 months in a row`."""

    service_level: Name
    count: Decimal
    unit: str


@attrs.frozen
class MissedInWindow:
    """`terminate when NAME is missed 4 times in any 12 months`."""

    service_level: Name
    times: Decimal
    length: Decimal
    unit: str


@attrs.frozen
class BelowFloor:
    """`terminate when NAME is below 70% in any month`: a floor under a (critical) KPI."""

    service_level: Name
    comparison: "Comparison"
    unit: str


@attrs.frozen
class CreditsExceed:
    """`terminate when credits in any 6 months exceed USD 100,000`."""

    length: Decimal
    unit: str
    limit: WindowLimit


@attrs.frozen
class ManyMissed:
    """`terminate when 3 or more service levels are missed in one month`."""

    count: Decimal
    unit: str


Trigger = Union[MissedInARow, MissedInWindow, BelowFloor, CreditsExceed, ManyMissed]


@attrs.frozen
class Notice:
    """`on 30 days' notice`: the right takes effect that many (business) days later."""

    days: Decimal
    business: bool
    span: Span | None = _span()


@attrs.frozen
class Termination:
    """`terminate when ...`: when the client's right to terminate arises, and on what notice."""

    trigger: Trigger
    span: Span | None = _span()
    notice: Notice | None = None
    contract_clause: ContractClause | None = _cites()


@attrs.frozen
class StreakPolicy:
    """How waived and excluded periods count toward termination:
    "waived misses do not count" or "excluded periods break streaks"."""

    policy: str
    span: Span | None = _span()


# ------------------------------------------------------------------ critical service level failure

@attrs.frozen
class FailureFloor:
    """`availability is below 95%`: one service level's value beyond a floor in the period."""

    service_level: Name
    comparison: "Comparison"
    span: Span | None = _span()


@attrs.frozen
class FailureManyMissed:
    """`3 or more service levels are missed in one month`."""

    count: Decimal
    unit: str
    span: Span | None = _span()


FailureCondition = Union[FailureFloor, FailureManyMissed]


@attrs.frozen
class CreditsNotAccrued:
    """`credits of that month do not accrue`: the period's credits give way to the withhold."""

    unit: str
    span: Span | None = _span()


@attrs.frozen
class Withhold:
    """`withhold 100% of monthly_charges`: the share of a money input the client retains."""

    percent: Decimal
    base: Name
    span: Span | None = _span()


@attrs.frozen
class MayTerminate:
    """`the client may terminate`: a critical failure gives the client a right to terminate."""

    span: Span | None = _span()


@attrs.frozen
class CriticalFailure:
    """`critical failure when CONDITION or when CONDITION: ...`: in a period where any
    condition holds, the withhold applies, the credits are replaced if the clause says
    so, and the right to terminate arises if it says so."""

    conditions: tuple[FailureCondition, ...]
    credits_not_accrued: CreditsNotAccrued | None
    withhold: Withhold
    may_terminate: MayTerminate | None = None
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()


# ------------------------------------------------------------------ credits and bonuses

@attrs.frozen
class Row:
    """One row of a tier table: `below 75%: 5% of monthly_fee`."""

    band: Band
    amount: Amount
    span: Span | None = _span()


@attrs.frozen
class Flat:
    """`credit: 5% of monthly_fee`: one amount whenever the target is missed (met, for a bonus)."""

    amount: Amount


@attrs.frozen
class Table:
    """Tier rows. `rule` is "most severe" or "best" (the matching row furthest
    from the target applies) or "range" (rows must not overlap; the one that
    matches applies), or "shortfall" (ranges of the shortfall from the target,
    `credit by shortfall:`; semantics.kpi_table gives the ranges of the KPI they
    stand for). A one-row table is written `bonus: at least 85%: ...`."""

    rule: str
    rows: tuple[Row, ...]


@attrs.frozen
class Linear:
    """`1% of monthly_fee per point above 5%, part points count as whole, at most ...`.

    The unit is a step word or the noun the contract uses, of one or more words
    (`per ticket resolved late`); the counting phrase names it again, usually in the
    plural (`only whole tickets resolved late count`), and that is the plural explain
    and the printer use. `pro rata` names no noun (counted is None)."""

    amount: Amount
    step: Decimal | None  # `per 0.5 point`; None means one unit
    step_unit: str  # as written: "point", "seconds", "ticket resolved late", ...
    side: str  # "below" | "above"
    threshold: Quantity | Share  # `above 3% of opened`: a share of an input each period
    rounding: str  # "up" (part units count as whole) | "down" | "pro rata"
    cap: Amount | None = None
    # The noun of the counting phrase as written ("tickets resolved late"): a spelling, like a
    # span, so it takes no part in equality (the check makes sure it names the unit's noun).
    counted: str | None = attrs.field(eq=False, default=None)


@attrs.frozen
class Shortfall:
    """`the shortfall in points as a percentage of monthly_fee`: target 97%, actual 90% -> 7%."""

    base: Base
    cap: Amount | None = None


Form = Union[Flat, Table, Linear, Shortfall]


@attrs.frozen
class Award:
    """A `credit` or `bonus` clause of a service level."""

    kind: str  # "credit" | "bonus"
    form: Form
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()


@attrs.frozen
class Gate:
    """`bonus only if ...`: kind is "no critical missed", "all met" or "named met"."""

    kind: str
    names: tuple[Name, ...] = ()
    span: Span | None = _span()


# ------------------------------------------------------------------ service levels

@attrs.frozen
class Cure:
    """`cure: within 1 month`: a miss met again within N periods costs nothing.
    `cure within 10 business days`: unit "day" or "business day" (see engine/cure_days.py)."""

    periods: Decimal
    unit: str
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()

    @property
    def in_days(self) -> bool:
        return self.unit in DAY_UNITS


@attrs.frozen
class FreePasses:
    """`free passes: the first 2 misses in each contract year` are warnings."""

    count: Decimal
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()


@attrs.frozen
class EarnBack:
    """`earn back: 100% of its credits after 3 consecutive met months`, or
    `... when the contract year average meets the target` (after is None)."""

    percent: Decimal
    after: Decimal | None
    unit: str | None
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()


# ------------------------------------------------------------------ parties, duties, reviews

@attrs.frozen
class Party:
    """`vendor "Contoso Managed Services Ltd"[, may waive]`: a party and the name the ruleset
    calls it by; `may_waive` if it may waive a service level's credit."""

    name: Name
    title: str
    may_waive: bool = False
    span: Span | None = _span()


@attrs.frozen
class Parties:
    """`parties` and the parties the contract binds."""

    parties: tuple[Party, ...]
    span: Span | None = _span()


@attrs.frozen
class ReportingDuty:
    """`reported by vendor[, due the 10th business day of the following month]` on an input:
    who reports it and, if the contract says, by which business day after the period ends
    (`ordinal` as written, `10th`; `following` the period word written after it)."""

    party: Name
    ordinal: str | None = None
    following: str | None = None  # "month" | "quarter" | "year" | "period" (singular)
    span: Span | None = _span()
    ordinal_span: Span | None = _span()  # where `10th` is written

    @property
    def due_day(self) -> int | None:
        """The business day's rank: 10 for `10th`."""
        return None if self.ordinal is None else int(self.ordinal.rstrip("stndrh"))


@attrs.frozen
class Review:
    """`monthly operational review`, `annual review of targets`: a review and how often it meets."""

    cadence: str  # "monthly" | "quarterly" | "yearly" | "annual" as written
    name: str  # the words after the cadence: "operational review", "review of targets"
    span: Span | None = _span()


@attrs.frozen
class Reviews:
    """`reviews` and the reviews the contract schedules."""

    reviews: tuple[Review, ...]
    span: Span | None = _span()


@attrs.frozen
class Accountable:
    """`accountable: vendor`: the party that answers for a service level."""

    party: Name
    span: Span | None = _span()


@attrs.frozen
class LateReport:
    """`late report: counts as a miss | credit AMOUNT | no consequence`: what a late report of
    the service level's inputs costs (`consequence` "miss", "credit" or "none")."""

    consequence: str
    amount: Amount | None = None
    span: Span | None = _span()


# ------------------------------------------------------------------ reporting precision

@attrs.frozen
class Reported:
    """`reported to whole seconds`, `reported to 2 decimals, rounding half up`: the grid
    the contract reports the KPI on; the value is rounded to it before any comparison."""

    decimals: Decimal  # 0 for `whole ...`
    whole: str | None  # the unit word of `whole seconds` as written; None for `N decimals`
    mode: str | None  # the rounding mode as written; None: half up
    span: Span | None = _span()


@attrs.frozen
class Measured:
    """`measured as answered_in_20s / calls_offered, in percent[, reported to ...]`; `averaged`
    names the periodicity of `the average of the monthly values of ...` (None: not averaged)."""

    expr: Expr
    in_percent: bool
    span: Span | None = _span()
    reported: Reported | None = None
    averaged: str | None = None


@attrs.frozen
class Frequency:
    """`assessed quarterly` inside a service level: assessed less often than the contract."""

    periodicity: str  # "monthly" | "quarterly" | "yearly"
    span: Span | None = _span()


@attrs.frozen
class Target:
    comparison: Comparison
    span: Span | None = _span()


@attrs.frozen
class Volume:
    """`measured only when calls_offered is at least 500`."""

    input: Name
    comparison: Comparison
    span: Span | None = _span()


@attrs.frozen
class Allocation:
    """`allocation: 20% of the amount at risk` (pool allocation)."""

    amount: Amount
    span: Span | None = _span()


Clause = Union[Measured, Target, Volume, Allocation, Award, Gate, Cure, FreePasses, EarnBack, Frequency,
               Accountable, LateReport]


@attrs.frozen
class ServiceLevel:
    """`[critical] service level NAME "title"` and its clauses, in source order."""

    name: Name
    title: str | None
    critical: bool
    clauses: tuple[Clause, ...]
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()

    def _first(self, kind, award: str | None = None):
        for clause in self.clauses:
            if isinstance(clause, kind) and (award is None or clause.kind == award):
                return clause
        return None

    @property
    def measured(self) -> Measured | None:
        return self._first(Measured)

    @property
    def target(self) -> Target | None:
        return self._first(Target)

    @property
    def volume(self) -> Volume | None:
        return self._first(Volume)

    @property
    def allocation(self) -> Allocation | None:
        return self._first(Allocation)

    @property
    def credit(self) -> Award | None:
        return self._first(Award, "credit")

    @property
    def bonus(self) -> Award | None:
        return self._first(Award, "bonus")

    @property
    def gate(self) -> Gate | None:
        return self._first(Gate)

    @property
    def cure(self) -> Cure | None:
        return self._first(Cure)

    @property
    def free_passes(self) -> FreePasses | None:
        return self._first(FreePasses)

    @property
    def earn_back(self) -> EarnBack | None:
        return self._first(EarnBack)

    @property
    def frequency(self) -> Frequency | None:
        return self._first(Frequency)

    @property
    def accountable(self) -> Accountable | None:
        return self._first(Accountable)

    @property
    def late_report(self) -> LateReport | None:
        return self._first(LateReport)


@attrs.frozen
class AmendedServiceLevel:
    """Inside an amendment: `service level NAME` and the clauses that replace its own."""

    name: Name
    clauses: tuple[Clause, ...]
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()


@attrs.frozen
class Amendment:
    """`amendment effective 2026-07`: terms in force from that month on."""

    effective: str
    items: tuple[Union[AtRisk, BonusLimit, AmendedServiceLevel], ...]
    span: Span | None = _span()
    contract_clause: ContractClause | None = _cites()


@attrs.frozen
class Deliverable:
    """`deliverable go_live "title" due 2026-04-15 price USD 400,000 late until accepted
    credit: USD 750 per calendar day late, at most 50% of its price`. cap_percent (of the
    price) or cap_money, or neither."""

    name: Name
    title: str | None
    due: str
    price: FixedMoney | None
    until_accepted: bool
    per_day: FixedMoney
    business: bool
    cap_percent: Decimal | None
    cap_money: FixedMoney | None
    span: Span | None = _span()
    credit_span: Span | None = _span()
    due_span: Span | None = _span()


Section = Union[Inputs, AtRisk, BonusLimit, Netting, WindowCap, Termination, StreakPolicy, ServiceLevel,
                CriticalFailure, Parties, Reviews, Invoicing, Indexation, Deliverable]


@attrs.frozen
class Ruleset:
    """A whole `.sla` file."""

    contract: Contract
    sections: tuple[Section, ...]
    source: Source | None = attrs.field(eq=False, repr=False, default=None)
    amendments: tuple[Amendment, ...] = ()
    _of_type: dict = attrs.field(init=False, eq=False, repr=False, factory=dict)

    def of_type(self, kind) -> list:
        """The sections of a kind, in source order: found once per kind, since a pass may ask
        for them per service level (a scan each time made `check` quadratic)."""
        found = self._of_type.get(kind)
        if found is None:
            found = self._of_type[kind] = tuple(s for s in self.sections if isinstance(s, kind))
        return list(found)

    @property
    def inputs(self) -> list[Input]:
        return [i for block in self.of_type(Inputs) for i in block.inputs]

    @property
    def service_levels(self) -> list[ServiceLevel]:
        return self.of_type(ServiceLevel)

    @property
    def parties(self) -> list[Party]:
        return [p for block in self.of_type(Parties) for p in block.parties]

    @property
    def reviews(self) -> list[Review]:
        return [r for block in self.of_type(Reviews) for r in block.reviews]

    @property
    def deliverables(self) -> list[Deliverable]:
        return self.of_type(Deliverable)
