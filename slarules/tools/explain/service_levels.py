"""Part 3 of the document, the service levels: each one's summary, and its
measurement (the expression in words, divisions by zero no term covers,
inputs whose absence is a miss), minimum volume, target (which side of the
boundary meets it) and allocation. The sub-clauses of each service level are
written by the clause families: credits and bonuses (awards.py), cure, free
passes and earn-back (spanning.py).
"""
from __future__ import annotations

from decimal import Decimal

from ...language import nodes, printer
from ...language.semantics import allowance_bases, comparison_interval, grid_step
from .clauses import Clause
from .terms import Terms, _node_of
from .words import _and, _code, _num, _or, _plain, _qty, _xref


_SUB_HEADING = {"measured": "Measurement", "volume": "Minimum volume", "target": "Target",
                "allocation": "Allocation", "credit": "Service credit", "bonus": "Bonus",
                "gate": "Condition on the bonus", "cure": "Cure period", "free passes": "Free passes",
                "earn back": "Earn-back", "accountable": "Accountable party", "late report": "Late reports"}
_UNIT_PHRASE = {"percent": "a percentage", "seconds": "in seconds", "minutes": "in minutes", "count": "a count",
                "score": "a score", "ratio": "a ratio", "money": "an amount of money"}
_OP_WORDS = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}


class ServiceLevelTerms(Terms):
    """The service levels, their measurement, volume, target and allocation."""

    def service_levels_intro(self) -> str:
        return (f"Each {self.noun} every service level is met, missed or not measured. A service credit is owed "
                "to the client only when a target is missed, and a bonus to the vendor only when it is met. With "
                f"the data, the client may also waive the credit of a missed service level for a {self.noun}, or a "
                f"{self.noun} may be excluded for a service level (force majeure, a client-caused outage); either "
                "way it carries no credit and no bonus, and a waived miss opens no cure window and uses no free "
                "pass.")

    def service_level_clauses(self) -> list[Clause]:
        clauses = []
        for sl in self.ruleset.service_levels:
            name = sl.name.text
            heading = _plain(sl.title) if sl.title else _code(name)
            clauses.append(Clause(self.numbers[("sl", name)], heading, self.service_level_text(sl), (self.ref(sl),)))
            for key in self._sub_keys_of(sl):
                sub_heading, body = self.sub_clause(sl, key)
                clauses.append(Clause(self.numbers[("sl", name, key)], sub_heading, body,
                                      (self.ref(_node_of(sl, key)),)))
        return clauses

    def sub_clause(self, sl: nodes.ServiceLevel, key: str) -> tuple[str, str]:
        writer = {"measured": self.measured_text, "volume": self.volume_text, "target": self.target_text,
                  "allocation": self.allocation_text, "credit": self.credit_text, "bonus": self.bonus_text,
                  "gate": self.gate_text, "cure": self.cure_text, "free passes": self.free_passes_text,
                  "earn back": self.earn_back_text, "accountable": self.accountable_text,
                  "late report": self.late_report_text}[key]
        return _SUB_HEADING[key], writer(sl)

    def critical_gates(self) -> list[str]:
        return [self.numbers[("sl", sl.name.text, "gate")] for sl in self.ruleset.service_levels
                if sl.gate is not None and sl.gate.kind == "no critical missed"
                and ("sl", sl.name.text, "gate") in self.numbers]

    def service_level_text(self, sl: nodes.ServiceLevel) -> str:
        name = sl.name.text
        sentences = [f"The service level {_code(name)}{', critical' if sl.critical else ''}."]
        if sl.critical:
            gates = self.critical_gates()
            if gates:
                sentences.append(
                    f"In a {self.noun} in which it is missed, every bonus paid only if no critical service level is "
                    f"missed ({_and([_xref(g) for g in gates])}) is withheld.")
            else:
                sentences.append(
                    "That has no effect here: being critical only matters to a bonus paid only if no critical "
                    "service level is missed, and this ruleset has none.")
        target = sl.target.comparison
        threshold = (self.share_words(target.quantity) if isinstance(target.quantity, nodes.Share)
                     else _qty(target.quantity.value, self.unit_of(sl)))
        summary = (f"Its target is {target.op} {threshold} "
                   f"({_xref(self.numbers[('sl', name, 'target')])})")
        awards = []
        if sl.credit is not None:
            awards.append(f"a miss can cost a service credit ({_xref(self.numbers[('sl', name, 'credit')])})")
        if sl.bonus is not None:
            awards.append(f"meeting it can earn a bonus ({_xref(self.numbers[('sl', name, 'bonus')])})")
        if awards:
            sentences.append(f"{summary}; {_and(awards)}.")
        else:
            sentences.append(summary + ".")
        if sl.credit is None and sl.bonus is None:
            uses = []
            many = [t for t in self.ruleset.of_type(nodes.Termination) if isinstance(t.trigger, nodes.ManyMissed)]
            if many:
                uses.append(f"the right to terminate in {_and([_xref(self.trigger_number(t)) for t in many])}")
            all_met = [self.numbers[("sl", other.name.text, "gate")] for other in self.ruleset.service_levels
                       if other.gate is not None and other.gate.kind == "all met"]
            named = [self.numbers[("sl", other.name.text, "gate")] for other in self.ruleset.service_levels
                     if other.gate is not None and other.gate.kind == "named met"
                     and name in {n.text for n in other.gate.names}]
            if all_met or named:
                uses.append(f"the conditions on bonuses in {_and([_xref(g) for g in all_met + named])}")
            own = [t for t in self.ruleset.of_type(nodes.Termination)
                   if getattr(t.trigger, "service_level", None) is not None and t.trigger.service_level.text == name]
            if own:
                uses.append(f"termination under {_and([_xref(self.trigger_number(t)) for t in own])}")
            text = "It carries no service credit and no bonus"
            text += f"; it counts for {_and(uses)}." if uses else ": it is measured and reported only."
            sentences.append(text)
        return " ".join(sentences)

    @staticmethod
    def reads(sl: nodes.ServiceLevel) -> set[str]:
        reads = (_references(sl.measured.expr) | allowance_bases(sl)) if sl.measured else set()
        if sl.volume is not None:
            reads.add(sl.volume.input.text)
        return reads

    def frequency_text(self, sl: nodes.ServiceLevel, text: str) -> str:
        """`assessed quarterly` in a monthly contract (engine/frequencies.py): when, and from what."""
        noun = {"quarterly": "quarter", "yearly": "year"}[sl.frequency.periodicity]
        length = {"quarter": "three", "year": "twelve"}[noun]
        head = (f"Assessed once a {noun}, in the last {self.noun} of each contract {noun} ({length} months from "
                f"the contract's start month); the {self.nouns} before it in the {noun} are pending, neither met "
                f"nor missed. Measured over the {noun} as")
        text = text.replace(f"Measured each {self.noun} as", head, 1)
        if sl.measured.averaged is not None:
            text = text.replace(f"over the {noun} as", f"over the {noun} as the average of the {self.noun}ly "
                                "values of", 1)
            return text + f" Each {self.noun}'s value is computed from its own inputs, then averaged."
        return text + (f" The {noun}'s value is computed from the sums of its {self.nouns}' inputs, and its amounts "
                       f"from those sums: a share of a fee is a share of the {noun}'s fees.")

    def measured_text(self, sl: nodes.ServiceLevel) -> str:
        measured, unit = sl.measured, self.unit_of(sl)
        expr = measured.expr
        if measured.in_percent:
            text = f"Measured each {self.noun} as {_expr(expr)}, as a percentage."
        elif isinstance(expr, nodes.Reference):
            text = (f"Measured each {self.noun} as the reported value of {_code(expr.name.text)}, "
                    f"{_UNIT_PHRASE.get(unit, 'a number')}.")
        else:
            text = f"Measured each {self.noun} as {_expr(expr)}, {_UNIT_PHRASE.get(unit, 'a number')}."
        if sl.frequency is not None:
            text = self.frequency_text(sl, text)
        if measured.reported is not None:  # the reporting grid (issue 10, item 3)
            text += (f" The value is {printer.reported(measured.reported)}"
                     f"{'' if measured.reported.mode else ', rounding half up'}, and every comparison below is "
                     "made with the value as reported.")
        volume = sl.volume
        unguarded = []
        text += "".join(_period_length_sentence(length, self.noun) for length in _period_lengths(expr))
        for divisor in _divisors(expr):
            if isinstance(divisor, nodes.PeriodLength):  # never zero
                continue
            guarded = (volume is not None and isinstance(divisor, nodes.Reference)
                       and divisor.name.text == volume.input.text
                       and not comparison_interval(volume.comparison).contains(Decimal(0)))
            if not guarded and _expr(divisor) not in unguarded:
                unguarded.append(_expr(divisor))
        if unguarded:
            text += (f" In a {self.noun} in which {_or(unguarded)} is zero the value cannot be worked out, and the "
                     f"ruleset gives no rule for it: such a {self.noun} cannot be assessed unless it is excluded for "
                     "this service level.")
        missing = sorted(self.reads(sl) & self.miss_inputs)
        if missing:
            refs = _and([f"{_code(m)} ({_xref(self.input_number(m))})" for m in missing])
            text += f" A {self.noun} in which {refs} is not reported counts as a miss."
        return text

    def input_number(self, name: str) -> str:
        names = [i.name.text for i in self.ruleset.inputs]
        return f"2.{names.index(name) + 1}"

    def volume_text(self, sl: nodes.ServiceLevel) -> str:
        volume = sl.volume
        unit = self.units.get(volume.input.text)
        comparison = f"{volume.comparison.op} {_qty(volume.comparison.quantity.value, unit)}"
        text = (f"Measured only in {self.nouns} in which {_code(volume.input.text)} is {comparison}. In any other "
                f"{self.noun}, {_code(sl.name.text)} is not measured: it is neither met nor missed and carries no "
                "credit and no bonus.")
        effects = []
        if self.ruleset.of_type(nodes.Termination):
            effects.append("is not a miss toward termination and does not interrupt a run of misses")
        if sl.cure is not None:
            effects.append("neither cures an open cure window nor extends it")
        if sl.earn_back is not None:
            effects.append(f"neither counts toward nor ends a run of met {self.nouns} for earn-back")
        if effects:
            text += f" Such a {self.noun} {'; it '.join(effects)}."
        return text

    def target_text(self, sl: nodes.ServiceLevel) -> str:
        comparison, unit = sl.target.comparison, self.unit_of(sl)
        if isinstance(comparison.quantity, nodes.Share):
            return self.allowance_target_text(sl)
        x = comparison.quantity.value
        q = _qty(x, unit)
        # The next value that can be compared: on the grid, if any; the next whole number for a count.
        step = grid_step(sl.measured) or (Decimal(1) if self.whole_valued(sl) else _near(x))
        below, above = _qty(x - step, unit, True), _qty(x + step, unit, True)
        text = {
            "at least": f"At least {q}; higher is better. The target is met by a value of {q} or more, so exactly "
                        f"{q} meets it, and missed by any value below {q}: {below} misses it.",
            "above": f"Above {q}; higher is better. The target is met only by a value above {q}: exactly {q} "
                     f"misses it, {above} meets it.",
            "at most": f"At most {q}; lower is better. The target is met by a value of {q} or less, so exactly "
                       f"{q} meets it, and missed by any value above {q}: {above} misses it.",
            "below": f"Below {q}; lower is better. The target is met only by a value below {q}: exactly {q} "
                     f"misses it, {below} meets it.",
        }[comparison.op]
        if sl.measured is not None and sl.measured.reported is not None:
            return text + f" Values are compared as reported ({_xref(self.numbers[('sl', sl.name.text, 'measured')])})."
        return text + " Values are compared exactly as measured, without rounding."

    def allocation_text(self, sl: nodes.ServiceLevel) -> str:
        amount = sl.allocation.amount
        at_risk = self.numbers.get(("at risk",))
        if isinstance(amount, nodes.PercentOf) and isinstance(amount.base, nodes.AtRiskBase):
            resolved = self.resolve(amount, sl)
            text = (f"The allocation of {_code(sl.name.text)} is {_num(amount.percent)}% of the amount at risk"
                    f"{f' ({_xref(at_risk)})' if at_risk else ''}"
                    f"{f', that is {self.resolved_text(resolved)}' if resolved else ''}.")
        else:
            text = f"The allocation of {_code(sl.name.text)} is {self.amount(amount, sl)}."
        uses = [award for award in (sl.credit, sl.bonus) if award is not None and _uses_allocation(award.form)]
        if uses:
            what = _and(["the bonus" if a.kind == "bonus" else "the service credit" for a in uses])
            text += (f" {what[0].upper()}{what[1:]} below {'is' if len(uses) == 1 else 'are'} stated as "
                     f"{'a share' if len(uses) == 1 else 'shares'} of it.")
        else:
            text += " No credit or bonus of this service level refers to it, so it has no effect."
        return text


def _expr(expr: nodes.Expr) -> str:
    """`(scheduled_minutes minus outage_minutes) divided by scheduled_minutes`: words read left to
    right, with parentheses wherever reading left to right would be ambiguous."""
    if isinstance(expr, nodes.Number):
        return _num(expr.value)
    if isinstance(expr, nodes.Reference):
        return _code(expr.name.text)
    if isinstance(expr, nodes.PeriodLength):
        return f"the {expr.unit} in the {expr.period_word}"
    left, right = _expr(expr.left), _expr(expr.right)
    if isinstance(expr.left, nodes.BinaryOp):
        same_reading = (expr.left.op in "+-" and expr.op in "+-") or (expr.left.op == "*" and expr.op == "*")
        if not same_reading:
            left = f"({left})"
    if isinstance(expr.right, nodes.BinaryOp):
        right = f"({right})"
    return f"{left} {_OP_WORDS[expr.op]} {right}"


# Examples of the period's length, by period noun: (days, where such a period has them).
_LENGTH_EXAMPLES = {
    "month": ((31, "a 31-day month"), (30, "a 30-day month"), (28, "February"), (29, "February of a leap year")),
    "quarter": ((90, "January to March"), (91, "April to June (and January to March of a leap year)"),
                (92, "July to September or October to December")),
    "year": ((365, "a year of 365 days"), (366, "a leap year")),
}
_PER_DAY = {"days": 1, "hours": 24, "minutes": 1440, "seconds": 86400}


def _period_lengths(expr: nodes.Expr) -> list[nodes.PeriodLength]:
    """The distinct period's lengths an expression reads, left to right."""
    if isinstance(expr, nodes.PeriodLength):
        return [expr]
    if not isinstance(expr, nodes.BinaryOp):
        return []
    left = _period_lengths(expr.left)
    return left + [e for e in _period_lengths(expr.right) if e.unit not in {x.unit for x in left}]


def _period_length_sentence(length: nodes.PeriodLength, noun: str) -> str:
    """`The minutes in the month are not an input: the calendar gives them, 44,640 in a 31-day month, ...`"""
    examples = _and([f"{_num(Decimal(days * _PER_DAY[length.unit]))} in {where}"
                     for days, where in _LENGTH_EXAMPLES[noun]])
    return (f" The {length.unit} in the {length.period_word} are not an input: the calendar gives them, the "
            f"{noun}'s length in {length.unit}: {examples}.")


def _divisors(expr: nodes.Expr) -> list[nodes.Expr]:
    if not isinstance(expr, nodes.BinaryOp):
        return []
    own = [expr.right] if expr.op == "/" else []
    return _divisors(expr.left) + _divisors(expr.right) + own


def _references(expr: nodes.Expr) -> set[str]:
    if isinstance(expr, nodes.Reference):
        return {expr.name.text}
    if isinstance(expr, nodes.BinaryOp):
        return _references(expr.left) | _references(expr.right)
    return set()


def _near(value: Decimal) -> Decimal:
    """The step to a value just beside `value` in its written precision: 80 -> 0.01, 99.95 -> 0.001."""
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(min(exponent, 0) - (1 if exponent < 0 else 2))


def _uses_allocation(form) -> bool:
    amounts = []
    if isinstance(form, nodes.Flat):
        amounts = [form.amount]
    elif isinstance(form, nodes.Table):
        amounts = [r.amount for r in form.rows]
    elif isinstance(form, nodes.Linear):
        amounts = [form.amount, form.cap]
    elif isinstance(form, nodes.Shortfall):
        return isinstance(form.base, nodes.AllocationBase) or (
            form.cap is not None and isinstance(form.cap, nodes.PercentOf)
            and isinstance(form.cap.base, nodes.AllocationBase))
    return any(isinstance(a, nodes.PercentOf) and isinstance(a.base, nodes.AllocationBase) for a in amounts)
