"""Targets and per-unit amounts whose threshold is a share of another input
(`target: at most 3% of opened`, `credit: USD 8 per ticket above 3% of opened`):
the allowance in words, worked out for an example period (1,000 opened: 30), for a
fractional allowance (1,010 opened: 30.3) and for a base of 0, as evaluate.py
works it out each period.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from ...language import nodes
from ...language.nouns import linear_nouns
from ...language.semantics import higher_is_better
from .awards import _round_units
from .terms import Terms
from .words import _code, _computed, _num, _qty

# The example bases: a round one, and one whose share is seldom whole (3% of 1,010 = 30.3).
_ROUND_BASE, _ODD_BASE = Decimal(1000), Decimal(1010)


class AllowanceTerms(Terms):
    """Thresholds worked out each period as a share of another input."""

    def share_words(self, share: nodes.Share) -> str:
        """`3% of opened`, with the input marked as code."""
        return f"{_num(share.percent)}% of {_code(share.base.text)}"

    def allowance_at(self, share: nodes.Share, base: Decimal) -> Decimal:
        return share.percent * base / 100

    def allowance_target_text(self, sl: nodes.ServiceLevel) -> str:
        """The target clause of a service level whose target is a share of an input."""
        comparison, unit = sl.target.comparison, self.unit_of(sl)
        share = comparison.quantity
        base = _code(share.base.text)
        higher = higher_is_better(sl.target)
        better = "higher is better" if higher else "lower is better"
        text = [f"{comparison.op.capitalize()} {self.share_words(share)}, worked out each {self.noun} from that "
                f"{self.noun}'s {base} (the allowance); {better}."]
        for base_value, lead in self._example_bases(sl, share):
            allowance = self.allowance_at(share, base_value)
            meets, misses = self._either_side(sl, comparison.op, allowance)
            text.append(f"{lead} {_num(base_value)} {base} the allowance is {_qty(allowance, unit, True)}: "
                        f"{_qty(meets, unit, True)} meets the target and {_qty(misses, unit, True)} misses it.")
        at_zero = {"at most": "a value of 0 meets the target and any value above 0 misses it",
                   "below": "every value misses the target", "at least": "every value meets the target",
                   "above": "any value above 0 meets the target and 0 misses it"}[comparison.op]
        text.append(f"In a {self.noun} in which {base} is 0 the allowance is 0: {at_zero}.")
        text.append(self._base_missing(share))
        return " ".join(text)

    def _example_bases(self, sl, share: nodes.Share) -> list[tuple[Decimal, str]]:
        """(base, lead) for the worked examples: a round base, and, for a whole-valued KPI, one whose
        allowance falls between two whole values, if the round one's does not."""
        examples = [(_ROUND_BASE, "For example, for")]
        round_whole = self.allowance_at(share, _ROUND_BASE) == self.allowance_at(share, _ROUND_BASE).to_integral_value()
        odd = self.allowance_at(share, _ODD_BASE)
        if self.whole_valued(sl) and round_whole and odd != odd.to_integral_value():
            examples.append((_ODD_BASE, "The allowance need not be whole: for"))
        return examples

    def _either_side(self, sl, op: str, allowance: Decimal) -> tuple[Decimal, Decimal]:
        """A value that meets a target `op allowance` and the nearest one that misses it: whole
        values for a count (30 and 31 for at most 30.3), else a tenth either side."""
        if self.whole_valued(sl):
            floor, ceiling = allowance.to_integral_value(ROUND_FLOOR), allowance.to_integral_value(ROUND_CEILING)
            return {"at most": (floor, floor + 1), "below": (ceiling - 1, ceiling),
                    "at least": (ceiling, ceiling - 1), "above": (floor + 1, floor)}[op]
        tenth = Decimal("0.1")
        return {"at most": (allowance, allowance + tenth), "below": (allowance - tenth, allowance),
                "at least": (allowance, allowance - tenth), "above": (allowance + tenth, allowance)}[op]

    def _base_missing(self, share: nodes.Share) -> str:
        name = share.base.text
        inp = next((i for i in self.ruleset.inputs if i.name.text == name), None)
        if inp is not None and isinstance(inp.missing, nodes.DefaultValue):
            return f"If {_code(name)} is not reported, its default of {_num(inp.missing.value)} is used."
        if inp is not None and isinstance(inp.missing, nodes.MissingIsMiss):
            return f"If {_code(name)} is not reported, the target counts as missed."
        return f"The input {_code(name)} must be reported for every {self.noun}, as the measurement's inputs must."

    def allowance_linear_sentences(self, sl, award: nodes.Award, form: nodes.Linear, when, who) -> list[str]:
        """A per-unit amount counted from the allowance: the rule, then a worked example for each example base."""
        unit, share = self.unit_of(sl), form.threshold
        noun, nouns = linear_nouns(form)
        step = form.step if form.step is not None else Decimal(1)
        each = f"each {noun}" if form.step is None else f"each {_num(form.step)} {nouns}"
        rounding = {"up": f"a part of a {noun} counting as a whole one",
                    "down": f"only whole {nouns} counting (a part of a {noun} is dropped)",
                    "pro rata": f"a part of a {noun} counting in proportion"}[form.rounding]
        sentences = [f"{when}, {who} {self.amount(form.amount, sl)} for {each} by which the value is {form.side} "
                     f"{self.share_words(share)} (the allowance of that {self.noun}), {rounding}."]
        for base_value, lead in self._example_bases(sl, share):
            allowance = self.allowance_at(share, base_value)
            if self.whole_valued(sl):
                value = (allowance.to_integral_value(ROUND_FLOOR) + 2 * step if form.side == "above"
                         else allowance.to_integral_value(ROUND_CEILING) - 2 * step)
            else:
                value = allowance + step * Decimal("1.2") if form.side == "above" else allowance - step * Decimal("1.2")
            if value < 0:
                continue
            distance = abs(value - allowance)
            units = _round_units(distance / step, form.rounding)
            counted = "" if form.rounding == "pro rata" else f", counted as {_num(units)}"
            text = (f"{lead} {_num(base_value)} {_code(share.base.text)} the allowance is "
                    f"{_qty(allowance, unit, True)}: at {_qty(value, unit, True)} the value is {_computed(distance)} "
                    f"{noun if distance == 1 else nouns} {form.side} it{counted}: "
                    f"{self.times(units, form.amount, sl)}")
            if self.exceeds(units, form.amount, form.cap, sl):
                text += f", cut to the cap of {self.amount(form.cap, sl)}"
            sentences.append(text + ".")
        if form.cap is not None:
            sentences.append(self.cap_sentence(form.cap, sl, award.kind))
        return sentences

