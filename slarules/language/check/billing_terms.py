"""Terms about billing rather than service: `credits are applied to the next invoice`
(stated at most once) and `amounts indexed to cpi, base 2026-01, adjusted each
contract year` (at most once; the index an input of unit `index` that nothing
else names; the base month a first month of a period, from the contract's start;
a warning when no fixed amount is there to index).
"""
from __future__ import annotations

from ...core.periods import MONTHS_PER_PERIOD, PERIOD_NOUN
from .. import nodes
from .base import Checks


class BillingTermChecks(Checks):
    """The invoicing and indexation clauses."""

    def billing_terms(self):
        for kind, what in ((nodes.Invoicing, "which invoice credits are applied to"),
                           (nodes.Indexation, "how amounts are indexed")):
            terms = self.ruleset.of_type(kind)
            for extra in terms[1:]:
                self.error("SLA204", f"the contract states {what} twice", extra.span,
                           f"the first is at line {terms[0].span.line}")
        named_elsewhere = {name for name, unit in self.units.items() if unit == "index"} & self.used_inputs
        for inp in self.ruleset.inputs:
            if inp.name.text in named_elsewhere:
                self.error("SLA251", f"input '{inp.name.text}' is an index: only an `amounts indexed to` clause "
                           "may name it", inp.name.span,
                           "an index moves fixed amounts each contract year; it is not a measurement nor money")
                named_elsewhere.discard(inp.name.text)
        for indexation in self.ruleset.of_type(nodes.Indexation)[:1]:
            self.indexation(indexation)

    def indexation(self, indexation: nodes.Indexation):
        name = indexation.index
        if self.name_known(name, self.units, "input"):
            self.used_inputs.add(name.text)
            if self.units[name.text] != "index":
                self.error("SLA250", f"'{name.text}' is declared {self.units[name.text]}, not index: amounts are "
                           "indexed to an input of unit index", name.span,
                           f"declare it as `{name.text} index \"the published price index\"`")
        starts = next((t.month for t in self.ruleset.contract.terms if isinstance(t, nodes.Starts)), None)
        year, month = map(int, indexation.base.split("-"))
        if starts is not None and indexation.base < starts:
            self.error("SLA252", f"the base month {indexation.base} is before the contract starts ({starts})",
                       indexation.span, "the base index is read from the data of that month: give a month the "
                       "contract assesses, usually its start")
        elif (month - 1) % MONTHS_PER_PERIOD[self.periodicity]:
            self.error("SLA252", f"the base month {indexation.base} is not the first month of a "
                       f"{PERIOD_NOUN[self.periodicity]}", indexation.span)
        if not _has_fixed_money(self.ruleset):
            self.warning("SLA253", "no amount of the contract is in money, so indexation changes nothing",
                         indexation.span, "indexation moves fixed amounts such as `USD 500`; shares of an input "
                         "move with the input")


def _has_fixed_money(node) -> bool:
    """Whether a fixed amount of money (`USD 500`) is anywhere under the node."""
    if isinstance(node, nodes.FixedMoney):
        return True
    if isinstance(node, (tuple, list)):
        return any(_has_fixed_money(item) for item in node)
    if hasattr(type(node), "__attrs_attrs__"):
        return any(_has_fixed_money(getattr(node, a.name)) for a in type(node).__attrs_attrs__
                   if a.name not in ("span", "source", "_of_type"))
    return False
