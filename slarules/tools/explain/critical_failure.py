"""The critical service level failure: the clause in part 4 that says when a
period is one, what happens to its credits and what the client withholds, and
the clause in part 5 for the right to terminate it gives.
"""
from __future__ import annotations

from ...language import nodes
from .terms import Terms
from .words import _and, _code, _num, _or, _qty, _xref


class CriticalFailureTerms(Terms):
    """`critical failure when ...`: its conditions, credits replaced, withhold, right to terminate."""

    def critical_failure_text(self, node: nodes.CriticalFailure) -> str:
        conditions = []
        for c in node.conditions:
            if isinstance(c, nodes.FailureFloor):
                sl = self.by_name.get(c.service_level.text)
                q = _qty(c.comparison.quantity.value, self.unit_of(sl) if sl is not None else None)
                condition = {"below": f"below {q} (exactly {q} is not)", "above": f"above {q} (exactly {q} is not)",
                             "at most": f"{q} or less", "at least": f"{q} or more"}[c.comparison.op]
                conditions.append(f"the value of {self.sl_ref(c.service_level.text)} is {condition}")
            else:
                conditions.append(f"{int(c.count)} or more service levels are missed in it (counted as for "
                                  "termination: whether charged, held in a cure window or forgiven by a free pass)")
        text = f"A {self.noun} is a critical service level failure when {_or(conditions)}."
        floors = [self.by_name[c.service_level.text] for c in node.conditions
                  if isinstance(c, nodes.FailureFloor) and c.service_level.text in self.by_name]
        for sl in floors:
            counts = self.floor_counts(sl)
            text += f" Against the floor of {_code(sl.name.text)}: {counts[0].lower()}{counts[1:]}"
        text += self.credits_replaced_text(node)
        withhold, base = node.withhold, _code(node.withhold.base.text)
        share = "all" if withhold.percent == 100 else f"{_num(withhold.percent)}%"
        text += (f" The client withholds {share} of the {base} of that {self.noun}, as a separate line, never more "
                 f"than the {base} itself. The sum withheld is not a service credit and is never earned back")
        netting = self.numbers.get(("netting",))
        text += f", but it counts with the credits in what is invoiced ({_xref(netting)})." if netting else "."
        if node.may_terminate is not None:
            text += f" It gives the client a right to terminate ({_xref(self.numbers[('critical failure right',)])})."
        return text

    def credits_replaced_text(self, node: nodes.CriticalFailure) -> str:
        if node.credits_not_accrued is None:
            return f" The credits of such a {self.noun} accrue as in any other."
        caps = [f"the amount at risk ({_xref(self.numbers[('at risk',)])})"] if self.ruleset.of_type(nodes.AtRisk) \
            else []
        caps += [f"the limits over several {self.nouns}"] if self.ruleset.of_type(nodes.WindowCap) else []
        text = (f" In such a {self.noun}, the service credits that would otherwise accrue in it do not accrue: "
                "each service level's credit is still shown as assessed (after its own cap")
        if any(sl.cure is not None for sl in self.ruleset.service_levels):
            text += f", and with the credits of cure windows closing unmet that {self.noun}"
        text += "), and one separate line takes them all back to zero"
        text += f", before {_and(caps)} {'apply' if len(caps) > 1 else 'applies'}." if caps else "."
        if any(sl.earn_back is not None for sl in self.ruleset.service_levels):
            text += " Credits that never accrued are never earned back."
        return text

    def critical_failure_right_text(self) -> str:
        return (f"In the first {self.noun} that is a critical service level failure "
                f"({_xref(self.numbers[('critical failure',)])}), the right to terminate arises in that {self.noun}; "
                "later critical failures do not give it again.")
