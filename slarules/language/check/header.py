"""The contract's header and the terms over periods: currency, start and
periodicity stated once; the amount at risk, the bonus limit and netting;
counts of months or periods that must make whole assessment periods; caps over
windows; and the triggers of a right to terminate.
"""
from __future__ import annotations

from decimal import Decimal

from ...core.periods import MONTHS_IN, MONTHS_PER_PERIOD, PERIOD_NOUN
from .. import nodes
from ..semantics import kpi_unit
from .base import Checks, _target_text
from .service_levels import _never_missed


class HeaderChecks(Checks):
    """The contract header and the terms that span periods."""

    def header(self, contract: nodes.Contract):
        seen: dict[type, nodes.HeaderTerm] = {}
        for term in contract.terms:
            if type(term) in seen:
                self.error("SLA204", f"the contract states its {_TERM_WORDS[type(term)]} twice", term.span)
            seen[type(term)] = term
        for kind in (nodes.Currency, nodes.Starts):
            if kind not in seen:
                self.error("SLA204", f"the contract does not state its {_TERM_WORDS[kind]}", contract.span,
                           f"add {_TERM_EXAMPLES[kind]} to the contract line")
        if nodes.Currency in seen:
            self.currency = seen[nodes.Currency].code
        if nodes.Assessed in seen:
            self.periodicity = seen[nodes.Assessed].periodicity

    def period_terms(self):
        for kind in (nodes.AtRisk, nodes.BonusLimit, nodes.Netting):
            terms = self.ruleset.of_type(kind)
            for extra in terms[1:]:
                self.error("SLA204", f"the contract states {_TERM_WORDS[kind]} twice", extra.span,
                           f"the first is at line {terms[0].span.line}")
        for term in self.ruleset.of_type(nodes.AtRisk) + self.ruleset.of_type(nodes.BonusLimit):
            expected = PERIOD_NOUN[self.periodicity]
            if term.per != expected:
                self.error("SLA216", f"'each {term.per}' but the contract is assessed {self.periodicity}",
                           term.span, f"write 'each {expected}'")
            self.amount(term.amount, None, allow_at_risk=False)

    def periods(self, count: Decimal, unit: str, span, what: str) -> None:
        """`count` `unit`s must make a whole number of assessment periods, at least one."""
        per_period = MONTHS_PER_PERIOD[self.periodicity]
        months = count * (1 if unit == "period" else MONTHS_IN[unit])
        whole = count == count.to_integral_value() and count >= 1
        if unit != "period":
            whole = whole and months % per_period == 0
        if not whole:
            self.error("SLA221", f"{what} of {count.normalize():f} {unit}{'s' * (count != 1)} is not a whole number of "
                       f"{PERIOD_NOUN[self.periodicity]}s, the period this contract is assessed in", span)

    def terms_over_periods(self):
        for cap in self.ruleset.of_type(nodes.WindowCap):
            if cap.window.kind == "rolling":
                self.periods(cap.window.length, cap.window.unit, cap.window.span, "a window")
            self.window_limit(cap.limit, cap.span)
        for extra in self.ruleset.of_type(nodes.StreakPolicy):
            if [p.policy for p in self.ruleset.of_type(nodes.StreakPolicy)].count(extra.policy) > 1:
                self.error("SLA204", "the contract states this twice", extra.span)
        for termination in self.ruleset.of_type(nodes.Termination):
            self.trigger(termination)

    def window_limit(self, limit, span):
        if isinstance(limit, nodes.FixedMoney):
            self.amount(limit, None)
        else:
            self.amount(nodes.PercentOf(limit.percent, nodes.InputBase(limit.base), limit.span), None)

    def trigger(self, termination: nodes.Termination):
        t, span = termination.trigger, termination.span
        if isinstance(t, nodes.CreditsExceed):
            self.periods(t.length, t.unit, span, "a window")
            self.window_limit(t.limit, span)
            return
        if isinstance(t, nodes.ManyMissed):
            self.periods(Decimal(1), t.unit, span, "'in one ...'")
            if not 1 <= t.count <= len(self.service_levels) or t.count != t.count.to_integral_value():
                self.error("SLA222", f"{t.count.normalize():f} service levels can never be missed at once: "
                           f"the contract has {len(self.service_levels)}", span)
            return
        if not self.name_known(t.service_level, self.service_levels, "service level"):
            return
        sl = self.service_levels[t.service_level.text]
        if sl.target is not None and _never_missed(sl, kpi_unit(sl, self.units)) and not isinstance(t, nodes.BelowFloor):
            self.warning("SLA226", f"'{sl.name.text}' can never be missed (target "
                         f"'{_target_text(sl)}'), so this right can never arise", span)
        if isinstance(t, nodes.MissedInARow):
            self.periods(t.count, t.unit, span, "a streak")
        elif isinstance(t, nodes.MissedInWindow):
            self.periods(t.length, t.unit, span, "a window")
            if t.times != t.times.to_integral_value() or t.times < 1:
                self.error("SLA221", "a number of misses must be a whole number, at least 1", span)
            elif t.times > t.length * (1 if t.unit == "period" else MONTHS_IN[t.unit]) / MONTHS_PER_PERIOD[self.periodicity]:
                self.error("SLA222", f"{t.times.normalize():f} misses can never fall within any "
                           f"{t.length.normalize():f} {t.unit}{'s' * (t.length != 1)}", span)
        elif isinstance(t, nodes.BelowFloor):
            self.periods(Decimal(1), t.unit, span, "'in any ...'")
            unit = kpi_unit(sl, self.units)
            if unit is not None:
                self.quantity_unit(t.comparison.quantity, unit, sl)


_TERM_WORDS = {
    nodes.Currency: "currency", nodes.Assessed: "assessment period", nodes.Rounding: "rounding",
    nodes.Starts: "start month", nodes.AtRisk: "the amount at risk", nodes.BonusLimit: "a limit on bonuses",
    nodes.Netting: "how bonuses meet credits",
    nodes.Cure: "cure", nodes.FreePasses: "free passes", nodes.EarnBack: "earn back",
}


_TERM_EXAMPLES = {nodes.Currency: "'currency USD'", nodes.Starts: "'starts 2026-01'"}
