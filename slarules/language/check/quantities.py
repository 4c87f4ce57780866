"""Inputs, amounts and the units of quantities: each input declared once,
with a default its unit allows; every name an amount reads resolves, and an
amount is money in the contract's currency or a share of a money input, the
amount at risk or the allocation; quantities are written in the unit of what
they are compared with. (Measurements: measurements.py.)
"""
from __future__ import annotations

from .. import nodes
from ..semantics import QUANTITY_UNIT_FOR
from .base import Checks, _quantity_text


def _unit_word(unit: str | None) -> str:
    return {"percent": "a percentage (%)", "seconds": "seconds", "minutes": "minutes", None: "a bare number"}.get(unit, unit)


# How a sentence says what a KPI or an input is: "'sla' is measured in percent", "'calls' is a count".
_UNIT_PHRASE = {"percent": "measured in percent", "seconds": "measured in seconds", "minutes": "measured in minutes",
                "count": "a count", "score": "a score", "ratio": "a ratio", "money": "money",
                "index": "an index"}


class QuantityChecks(Checks):
    """Inputs, names, amounts and the units of quantities."""

    def inputs(self):
        for inp in self.ruleset.inputs:
            if inp.name.text in self.units:
                first = next(i for i in self.ruleset.inputs if i.name.text == inp.name.text)
                self.error("SLA202", f"input '{inp.name.text}' is declared twice", inp.name.span,
                           f"the first is at line {first.name.span.line}")
                continue
            self.units[inp.name.text] = inp.unit
            if isinstance(inp.missing, nodes.MissingIsMiss):
                self.missing_is_a_miss.add(inp.name.text)
            if isinstance(inp.missing, nodes.DefaultValue) and inp.unit == "percent" and inp.missing.value > 100:
                self.error("SLA213", f"default {inp.missing.value} for a percentage is above 100", inp.span)

    def amount(self, amount: nodes.Amount, sl: nodes.ServiceLevel | None, allow_at_risk=True, allow_allocation=True):
        if isinstance(amount, nodes.FixedMoney):
            if self.currency and amount.currency != self.currency:
                self.error("SLA212", f"amount in {amount.currency} but the contract's currency is {self.currency}",
                           amount.span)
            return
        base = amount.base
        if isinstance(base, nodes.InputBase):
            name = base.name.text
            if self.name_known(base.name, self.units, "input"):
                self.used_inputs.add(name)
                if self.units[name] != "money":
                    self.error("SLA211", f"'{name}' is {_UNIT_PHRASE[self.units[name]]}, not money: "
                               "an amount must be a share of money",
                               base.name.span, f"declare '{name}' as money, or take the percentage of a money input")
        elif isinstance(base, nodes.AtRiskBase):
            if not allow_at_risk:
                self.error("SLA214", "'the amount at risk' cannot be a share of itself", amount.span,
                           "state it as a share of a money input, for example 'at risk: 12% of monthly_fee each month'")
            elif not self.ruleset.of_type(nodes.AtRisk):
                self.error("SLA214", "'the amount at risk' is used but the contract does not define it", amount.span,
                           "add 'at risk: N% of monthly_fee each month' to the contract")
        elif isinstance(base, nodes.AllocationBase):
            if not allow_allocation:
                self.error("SLA214", "'the allocation' cannot be a share of itself", amount.span,
                           "write 'allocation: N% of the amount at risk'")
            elif sl is None or sl.allocation is None:
                self.error("SLA214", "'the allocation' is used but this service level has no allocation", amount.span,
                           "add 'allocation: N% of the amount at risk' to the service level")

    def quantity_unit(self, quantity: nodes.Quantity, unit: str, subject: str, bare_ok=False) -> bool:
        """Is the quantity written in the unit of `subject` (a KPI or an input measured in `unit`)?"""
        expected = QUANTITY_UNIT_FOR.get(unit)
        if quantity.unit == expected or (bare_ok and quantity.unit is None):
            return True
        value = quantity.value
        if {quantity.unit, expected} == {"seconds", "minutes"}:
            value = value * 60 if expected == "seconds" else value / 60
        if quantity.unit is None or expected is None or {quantity.unit, expected} == {"seconds", "minutes"}:
            note = f"write '{_quantity_text(nodes.Quantity(value, expected))}'"
        else:
            note = f"write the value as {_unit_word(expected)}"
        self.error("SLA203", f"{_unit_word(quantity.unit)} where {subject} is {_UNIT_PHRASE.get(unit, unit)}",
                   quantity.span, note)
        return False
