"""The critical service level failure and the floors a volume condition can stop:
one `critical failure` clause at most; its floors name a service level, in
its unit, on the miss side of its target; `N or more service levels` can
happen; its period words are the assessment period; the withhold is a share
of a money input, at most 100% (never more than the charges), and not less
than the credits it replaces whenever that can be worked out from the terms.
A floor, of a critical failure or of a termination trigger, on a service level
whose volume condition reads an input the measurement does not is a warning:
such a period is not measured and never held against the floor.
"""
from __future__ import annotations

from decimal import Decimal

from ...core.periods import PERIOD_NOUN
from .. import nodes
from ..semantics import comparison_interval, describe_comparison, kpi_unit, met_interval
from .base import Checks, _about, _edge, _target_text
from .service_levels import _references, _share_of_at_risk


class CriticalFailureChecks(Checks):
    """The `critical failure` clause, and floors stopped by a volume condition."""

    def critical_failures(self):
        clauses = self.ruleset.of_type(nodes.CriticalFailure)
        for extra in clauses[1:]:
            self.error("SLA204", "the contract states a critical failure twice", extra.span,
                       f"the first is at line {clauses[0].span.line}; join the conditions with 'or when'")
        for clause in clauses:
            for condition in clause.conditions:
                if isinstance(condition, nodes.FailureFloor):
                    self.failure_floor(condition)
                else:
                    self.period_word(condition.unit, condition.span, "in one")
                    count, levels = condition.count, len(self.service_levels)
                    if not 1 <= count <= levels or count != count.to_integral_value():
                        self.error("SLA222", f"{_edge(count)} service levels can never be missed at once: "
                                   f"the contract has {levels}", condition.span)
            if clause.credits_not_accrued is not None:
                self.period_word(clause.credits_not_accrued.unit, clause.credits_not_accrued.span, "credits of that")
            self.withhold(clause)
        for termination in self.ruleset.of_type(nodes.Termination):
            if isinstance(termination.trigger, nodes.BelowFloor):
                self.floor_stopped_by_volume(termination.trigger.service_level, termination.span)

    def period_word(self, unit: str, span, words: str):
        """A critical failure is judged period by period: its period words name the assessment period."""
        expected = PERIOD_NOUN[self.periodicity]
        if unit not in (expected, "period"):
            self.error("SLA216", f"'{words} {unit}' but the contract is assessed {self.periodicity}", span,
                       f"write '{words} {expected}'")

    def failure_floor(self, condition: nodes.FailureFloor):
        if not self.name_known(condition.service_level, self.service_levels, "service level"):
            return
        sl = self.service_levels[condition.service_level.text]
        unit = kpi_unit(sl, self.units)
        if sl.target is None or unit is None:
            return
        if not self.quantity_unit(condition.comparison.quantity, unit, f"'{sl.name.text}'"):
            return
        if comparison_interval(condition.comparison).overlaps(met_interval(sl.target)):
            self.error("SLA207", f"a value {describe_comparison(condition.comparison, unit)} can meet the target "
                       f"'{_target_text(sl)}', so a month that meets it could be a critical failure",
                       condition.span, "a critical failure's floor lies beyond the target, on the miss side")
        self.floor_stopped_by_volume(condition.service_level, condition.span)

    def floor_stopped_by_volume(self, name: nodes.Name, span):
        """SLA240: a volume condition on an input the measurement does not read makes periods
        not measured whatever the measurement, and such a period never holds the floor."""
        sl = self.service_levels.get(name.text)
        if sl is None or sl.volume is None or sl.measured is None:
            return
        volume = sl.volume.input.text
        if volume in _references(sl.measured.expr) or volume not in self.units:
            return
        condition = describe_comparison(sl.volume.comparison, self.units[volume])
        self.warning("SLA240", f"'{sl.name.text}' is not measured unless {volume} is {condition}, and a month "
                     "not measured is never held against this floor", span,
                     f"{volume} is not part of the measurement of '{sl.name.text}' (line {sl.measured.span.line}); "
                     "if it marks months of a critical failure, write 'critical failure when ...' instead: "
                     "its floors see every measured value")

    def withhold(self, clause: nodes.CriticalFailure):
        withhold = clause.withhold
        share = nodes.PercentOf(withhold.percent, nodes.InputBase(withhold.base), withhold.span)
        self.amount(share, None)
        if withhold.percent > 100:
            self.error("SLA213", f"a withhold of {_edge(withhold.percent)}% of {withhold.base.text} is more than "
                       "the charges it is taken from", withhold.span, "a withhold is at most 100% of its input")
        elif not withhold.percent:
            self.warning("SLA223", "a withhold of 0% has no effect", withhold.span)
        elif clause.credits_not_accrued is not None and self.units.get(withhold.base.text) == "money":
            self.withhold_below_credits(clause)

    def withhold_below_credits(self, clause: nodes.CriticalFailure):
        """SLA241: the credits a critical failure replaces can reach more than the withhold,
        so a worse month would cost the vendor less (worked out where every credit is a
        known share of the withheld input)."""
        withhold = clause.withhold
        withheld = nodes.PercentOf(withhold.percent, nodes.InputBase(withhold.base))
        at_risk = self.ruleset.of_type(nodes.AtRisk)
        pool = at_risk[0].amount if at_risk else withheld
        if not isinstance(pool, nodes.PercentOf) or not isinstance(pool.base, nodes.InputBase) \
                or pool.base.name.text != withhold.base.text:
            return
        shares = [_share_of_at_risk(sl, pool, self.units) for sl in self.ruleset.service_levels
                  if sl.credit is not None and sl.target is not None]
        if not shares or None in shares:
            return
        most = sum(shares, Decimal(0))
        if at_risk:
            most = min(most, Decimal(1))
        most_percent = most * pool.percent
        if most_percent > withhold.percent:
            self.warning("SLA241", f"the credits a critical failure replaces reach {_about(most_percent)}% of "
                         f"{withhold.base.text}, more than the {_edge(withhold.percent)}% withheld: a worse month "
                         "would cost the vendor less", withhold.span,
                         "withhold at least as much as the credits can reach, or let them accrue as well")
