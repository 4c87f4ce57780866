"""Caps over several periods that can never bind: `credits in any 12 months at
most 100% of fee in those months` when every period's credits together reach
at most 30% of the fee, or a money limit above what the most each period can
charge adds up to over the window. Contracts state such caps (cloud SLAs
commonly do), so this is a note (SLA225), as for a clause's cap or the amount
at risk that cannot bind (service_levels.py), never a warning.

The most a period can charge is worked out only when it is bounded on one
base: every credit's amounts a share of one money input (through the amount
at risk and allocations) or all fixed money, and no cure clause (a cure
window charges an earlier period's credit later, so a period may charge more
than its own).
"""
from __future__ import annotations

from decimal import Decimal

from ...core.money import CONTEXT, format_money, format_number
from ...core.periods import MONTHS_IN, MONTHS_PER_PERIOD, PERIOD_NOUN
from .. import nodes
from .base import Checks
from .rows import _on_one_base
from .service_levels import _credit_maxima


class WindowCapChecks(Checks):
    """Caps on credits over a window of periods or a contract year."""

    def window_caps_that_never_bind(self):
        caps = self.ruleset.of_type(nodes.WindowCap)
        most = self.most_per_period() if caps else None
        if most is None:
            return
        base, share = most
        for cap in caps:
            limit = cap.limit
            if isinstance(limit, nodes.WindowShare) and base == limit.base.text:
                if share <= CONTEXT.divide(limit.percent, 100):
                    self.note("SLA225", f"this cap can never bind: each {PERIOD_NOUN[self.periodicity]}'s credits "
                              f"together reach at most {format_number(share * 100)}% of {base}", cap.span)
            elif isinstance(limit, nodes.FixedMoney) and base is None:
                periods = self.periods_in_window(cap.window)
                if share * periods <= limit.value:
                    self.note("SLA225", f"this cap can never bind: credits reach at most "
                              f"{format_money(share, self.money_digits)} a {PERIOD_NOUN[self.periodicity]}, "
                              f"{format_money(share * periods, self.money_digits)} over the window", cap.span)

    def periods_in_window(self, window: nodes.Window) -> Decimal:
        per_period = MONTHS_PER_PERIOD[self.periodicity]
        if window.kind == "contract year":
            return Decimal(12) / per_period
        if window.unit == "period":
            return window.length
        return window.length * MONTHS_IN[window.unit] / per_period

    def most_per_period(self) -> tuple[str | None, Decimal] | None:
        """The most all credits of one period can reach together, as (money input, share of it)
        or (None, money); None when it is not bounded on one base (see the module's docstring)."""
        total: dict[str | None, Decimal] = {}
        for sl in self.ruleset.service_levels:
            if sl.credit is None:
                continue
            if sl.cure is not None:
                return None
            most = _most_credit(sl, self.ruleset, self.units)
            if most is None:
                return None
            total[most[0]] = total.get(most[0], Decimal(0)) + most[1]
        if not total:
            return None
        at_risk = self.ruleset.of_type(nodes.AtRisk)
        pool = _on_one_base(at_risk[0].amount, self.ruleset, None, ()) if at_risk else None
        if pool is not None and set(total) <= {pool[0]}:
            return pool[0], min(total[pool[0]], pool[1])
        if len(total) != 1:
            return None
        return next(iter(total.items()))


def _most_credit(sl: nodes.ServiceLevel, ruleset: nodes.Ruleset, units) -> tuple[str | None, Decimal] | None:
    """The most one service level's credit reaches in a period, on one base; None if unknown."""
    amounts = _credit_maxima(sl, units)
    if amounts is None:
        return None
    on_base = [_on_one_base(a, ruleset, sl) for a in amounts]
    if None in on_base or len({b for b, _ in on_base}) != 1:
        return None
    return on_base[0][0], max(share for _, share in on_base)
