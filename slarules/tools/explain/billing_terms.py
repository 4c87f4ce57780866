"""Part 4 of the document, the terms about billing: which invoice a period's
amounts are on (`credits are applied to the next invoice`) and how fixed amounts
move with a price index each contract year (`amounts indexed to ...`), with a
worked example of the factor.
"""
from __future__ import annotations

from decimal import Decimal

from ...core.money import CONTEXT, ROUNDING_MODES
from ...language import nodes
from .terms import Terms
from .words import _code, _month

_EXAMPLE_BASE, _EXAMPLE_NOW = Decimal(100), Decimal(103)  # the worked example's index values: a factor of 1.03


class BillingTerms(Terms):
    """The invoicing and indexation clauses."""

    def billing_clause(self, kind: str, node) -> tuple[str, str]:
        if kind == "invoicing":
            return "Credits on the next invoice", self.invoicing_text()
        return "Indexation", self.indexation_text(node)

    def invoicing_text(self) -> str:
        return (f"Every amount of a {self.noun} (its credits, caps, bonuses, withholds and earn-backs) is "
                f"applied to the invoice of the next {self.noun}: each line keeps the {self.noun} it was "
                f"assessed in and names the invoice it is on, so December's credit is on January's invoice, "
                f"across the end of a contract year. Netting and the amounts due are worked out per invoice, "
                f"which settles the one {self.noun} before it; the totals of a contract year stay those of the "
                f"{self.nouns} assessed in it. The last {self.noun} evaluated is shown as due on the next "
                f"invoice, and a saved state carries it to the next billing run, which bills it first.")

    def indexation_text(self, node: nodes.Indexation) -> str:
        index, base = _code(node.index.text), _month(node.base)
        rounding = self.header.get(nodes.Rounding)
        mode = rounding.mode if rounding is not None else "half up"
        unit = node.minor_unit or (rounding.minor_unit if rounding is not None and rounding.minor_unit else None)
        to = {"whole units": "whole units", "cents": "the cent", None: f"the {self.currency} minor unit"}[unit]
        text = (f"Every fixed amount of money in these terms (an amount in a credit or a bonus, a tier row, a "
                f"per-unit amount, a cap, the amount at risk, a limit over several {self.nouns}) moves with "
                f"{index}, an index reported with the data. The base is {index} in {base}. In the contract year "
                f"that holds {base}, and any before it, the amounts are as written; from the next contract year "
                f"on, each amount is multiplied by {index} in the first {self.noun} of the contract year divided "
                f"by {index} in {base}, worked out exactly and rounded {mode} to {to} once; the indexed amount is "
                f"then used as if written so. {index} is read only in those {self.nouns}: one missing there is "
                f"an error naming the row. Shares of an input (such as a percentage of the fee) are not indexed: "
                f"they move with the input.")
        example = next(_fixed_amounts(self.ruleset), None)
        written = example.value if example is not None else Decimal(1000)
        quantum = Decimal(1) if unit == "whole units" else Decimal("0.01")
        indexed = CONTEXT.divide(written * _EXAMPLE_NOW, _EXAMPLE_BASE).quantize(quantum, ROUNDING_MODES[mode])
        text += (f" For example, if {index} is {_EXAMPLE_BASE} in {base} and {_EXAMPLE_NOW} at the start of the "
                 f"next contract year, the factor is {_EXAMPLE_NOW} / {_EXAMPLE_BASE} = 1.03, and "
                 f"{self.money(written)} is {self.currency} {indexed:,f} in that year. The amounts an amendment "
                 f"writes are in the money of the contract year it takes effect in: their base is that year's "
                 f"first {self.noun}, so they are as written until the next contract year; the amounts it leaves "
                 f"alone keep the base above.")
        return text


def _fixed_amounts(node):
    """The fixed amounts of money (`USD 500`) under a node, in source order."""
    if isinstance(node, nodes.FixedMoney):
        yield node
    elif isinstance(node, (tuple, list)):
        for item in node:
            yield from _fixed_amounts(item)
    elif isinstance(node, nodes.Ruleset):
        yield from _fixed_amounts(node.sections)
    elif hasattr(type(node), "__attrs_attrs__"):
        for field in type(node).__attrs_attrs__:
            if field.name not in ("span", "source"):
                yield from _fixed_amounts(getattr(node, field.name))
