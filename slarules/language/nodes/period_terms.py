"""Terms over a period or several, beside the service levels: the amount at
risk and the bonus limit, netting, caps over windows of periods, termination
triggers and their notice, the critical service level failure, and credits for
late deliverables.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Union

import attrs

from ...core.source import Span
from .values import Amount, Comparison, ContractClause, FixedMoney, Name, cites_field, span_field


# ------------------------------------------------------------------ period-wide terms

@attrs.frozen
class AtRisk:
    """`at risk: 12% of monthly_fee each month`: the period cap on all credits, also
    written `credits at most 12% of monthly_fee each month` (`as_credits_at_most`)."""

    amount: Amount
    per: str  # "month" | "quarter" | "year"
    span: Span | None = span_field()
    as_credits_at_most: bool = False
    contract_clause: ContractClause | None = cites_field()


@attrs.frozen
class BonusLimit:
    """`bonuses at most 3% of monthly_fee each month`: the period cap on bonuses."""

    amount: Amount
    per: str
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()


@attrs.frozen
class Netting:
    """How bonuses meet credits: "paid separately", "offset", "only offset"."""

    policy: str
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()


@attrs.frozen
class Window:
    """`any 12 months` (rolling, `length` periods) or `each contract year`."""

    kind: str  # "rolling" | "contract year"
    length: Decimal | None = None
    unit: str | None = None  # the period word as a singular noun: "month", "quarter", "year", "period"
    span: Span | None = span_field()


@attrs.frozen
class WindowShare:
    """`10% of monthly_fee in those months`: a share of an input summed over the window."""

    percent: Decimal
    base: Name
    span: Span | None = span_field()


WindowLimit = Union[WindowShare, "FixedMoney"]


@attrs.frozen
class WindowCap:
    """`credits in any 12 months at most ...`: a cap on credits over several periods."""

    window: Window
    limit: WindowLimit
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()


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
    span: Span | None = span_field()


@attrs.frozen
class Termination:
    """`terminate when ...`: when the client's right to terminate arises, and on what notice."""

    trigger: Trigger
    span: Span | None = span_field()
    notice: Notice | None = None
    contract_clause: ContractClause | None = cites_field()


@attrs.frozen
class StreakPolicy:
    """How waived and excluded periods count toward termination:
    "waived misses do not count" or "excluded periods break streaks"."""

    policy: str
    span: Span | None = span_field()


# ------------------------------------------------------------------ critical service level failure

@attrs.frozen
class FailureFloor:
    """`availability is below 95%`: one service level's value beyond a floor in the period."""

    service_level: Name
    comparison: "Comparison"
    span: Span | None = span_field()


@attrs.frozen
class FailureManyMissed:
    """`3 or more service levels are missed in one month`."""

    count: Decimal
    unit: str
    span: Span | None = span_field()


FailureCondition = Union[FailureFloor, FailureManyMissed]


@attrs.frozen
class CreditsNotAccrued:
    """`credits of that month do not accrue`: the period's credits give way to the withhold."""

    unit: str
    span: Span | None = span_field()


@attrs.frozen
class Withhold:
    """`withhold 100% of monthly_charges`: the share of a money input the client retains."""

    percent: Decimal
    base: Name
    span: Span | None = span_field()


@attrs.frozen
class MayTerminate:
    """`the client may terminate`: a critical failure gives the client a right to terminate."""

    span: Span | None = span_field()


@attrs.frozen
class CriticalFailure:
    """`critical failure when CONDITION or when CONDITION: ...`: in a period where any
    condition holds, the withhold applies, the credits are replaced if the clause says
    so, and the right to terminate arises if it says so."""

    conditions: tuple[FailureCondition, ...]
    credits_not_accrued: CreditsNotAccrued | None
    withhold: Withhold
    may_terminate: MayTerminate | None = None
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()


# ------------------------------------------------------------------ deliverables


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
    span: Span | None = span_field()
    credit_span: Span | None = span_field()
    due_span: Span | None = span_field()
