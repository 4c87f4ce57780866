"""What every clause family shares: the Terms of one version of the ruleset (as
signed, or as amended) with the clause numbers fixed for the whole document,
references to source lines (with the contract clause a term cites) and to other clauses, lengths in periods, and
amounts resolved down to a share of a money input or to money.
"""
from __future__ import annotations

from decimal import Decimal

import attrs

from ...core.money import CONTEXT, HUNDRED, format_number
from ...core.periods import MONTHS_IN, MONTHS_PER_PERIOD, PERIOD_NOUN
from ...language import nodes
from ...language.citations import SpanKey, span_key
from ...language.semantics import kpi_unit
from .words import _code, _computed, _count, _num, _xref


# Service level clauses, in the order they are explained (not the order written).
_SUB_ORDER = ("accountable", "measured", "volume", "target", "allocation", "credit", "bonus", "gate", "cure",
              "free passes", "earn back", "late report")


@attrs.frozen
class _Money:
    """An amount resolved down to a share of a money input, or to money."""

    percent: Decimal | None
    base: str | None
    money: Decimal | None

    def scaled(self, rate: Decimal) -> "_Money":
        if self.money is not None:
            return _Money(None, None, self.money * rate)
        return _Money(self.percent * rate, self.base, None)


class Terms:
    """The sentences for one version of the terms (as signed, or as amended)."""

    def __init__(self, ruleset: nodes.Ruleset, path: str, numbers: dict[tuple, str],
                 cited: dict[SpanKey, str] | None = None):
        self.ruleset = ruleset
        self.cited = cited or {}  # the contract clause of each node, by its span (language/citations.py)
        self.path = path
        self.numbers = numbers
        header = {type(term): term for term in ruleset.contract.terms}
        self.header = header
        self.currency = header[nodes.Currency].code if nodes.Currency in header else "?"
        self.periodicity = header[nodes.Assessed].periodicity if nodes.Assessed in header else "monthly"
        self.noun = PERIOD_NOUN[self.periodicity]
        self.nouns = self.noun + "s"
        self.units = {i.name.text: i.unit for i in ruleset.inputs}
        self.by_name = {sl.name.text: sl for sl in ruleset.service_levels}
        self.miss_inputs = {i.name.text for i in ruleset.inputs if isinstance(i.missing, nodes.MissingIsMiss)}

    def ref(self, node) -> str:
        """`path:line` of the node, after the signed contract's clause its term cites, if any:
        `contract clause C.2.1, rulesets/acme.sla:31`."""
        span = getattr(node, "span", None)
        if span is None:
            return self.path
        cited = self.cited.get(span_key(span))
        return f"contract clause {cited}, {span.where}" if cited is not None else span.where

    def default_ref(self) -> str:
        return f"default; not stated in {self.path}"

    def sl_ref(self, name: str) -> str:
        """`speed_of_answer (3.1)`."""
        number = self.numbers.get(("sl", name))
        return f"{_code(name)} ({_xref(number)})" if number else _code(name)

    def service_level(self, name: str) -> nodes.ServiceLevel:
        return self.by_name[name]

    @staticmethod
    def _sub_keys_of(sl: nodes.ServiceLevel) -> list[str]:
        present = {_clause_name(c) for c in sl.clauses}
        return [key for key in _SUB_ORDER if key in present]

    def unit_of(self, sl: nodes.ServiceLevel) -> str | None:
        return kpi_unit(sl, self.units)

    def whole_valued(self, sl: nodes.ServiceLevel) -> bool:
        """Whether the measurement can only be a whole number (counts added, subtracted or
        multiplied by whole numbers, not reported on a finer grid): its examples use whole values."""
        def whole(expr) -> bool:
            if isinstance(expr, nodes.Number):
                return expr.value == expr.value.to_integral_value()
            if isinstance(expr, nodes.Reference):
                return self.units.get(expr.name.text) == "count"
            if isinstance(expr, nodes.PeriodLength):
                return expr.unit in ("days", "hours")  # counts, like the count inputs
            return expr.op in "+-*" and whole(expr.left) and whole(expr.right)
        return sl.measured is not None and whole(sl.measured.expr)

    def periods_in(self, count: Decimal, unit: str) -> int:
        if unit == "period":
            return int(count)
        return int(count * MONTHS_IN[unit] / MONTHS_PER_PERIOD[self.periodicity])

    def length(self, count: Decimal, unit: str) -> str:
        """`3 months`, or `12 months (4 quarters)` when the contract is assessed in quarters."""
        periods = self.periods_in(count, unit)
        if unit in ("period", self.noun):
            return _count(periods, self.noun)
        return f"{_count(count, unit)} ({_count(periods, self.noun)})"

    def resolve(self, amount: nodes.Amount, sl: nodes.ServiceLevel | None) -> _Money | None:
        if isinstance(amount, nodes.FixedMoney):
            return _Money(None, None, amount.value)
        base = amount.base
        rate = CONTEXT.divide(amount.percent, HUNDRED)
        if isinstance(base, nodes.InputBase):
            return _Money(amount.percent, base.name.text, None)
        if isinstance(base, nodes.AtRiskBase):
            at_risk = self.ruleset.of_type(nodes.AtRisk)
            inner = self.resolve(at_risk[0].amount, None) if at_risk else None
        else:
            inner = self.resolve(sl.allocation.amount, sl) if sl is not None and sl.allocation else None
        return inner.scaled(rate) if inner is not None else None

    def money(self, value: Decimal, computed: bool = False) -> str:
        return f"{self.currency} {format_number(value) if computed else _num(value)}"

    def resolved_text(self, money: _Money) -> str:
        if money.money is not None:
            return self.money(money.money, computed=True)
        return f"{_computed(money.percent)}% of {_code(money.base)}"

    def amount(self, amount: nodes.Amount, sl: nodes.ServiceLevel | None) -> str:
        """`2% of monthly_fee`, `USD 1,500`, `50% of the allocation (2% of monthly_charges)`."""
        if isinstance(amount, nodes.FixedMoney):
            return self.money(amount.value)
        base = amount.base
        if isinstance(base, nodes.InputBase):
            return f"{_num(amount.percent)}% of {_code(base.name.text)}"
        words = "the amount at risk" if isinstance(base, nodes.AtRiskBase) else "the allocation"
        resolved = self.resolve(amount, sl)
        extra = f" ({self.resolved_text(resolved)})" if resolved is not None else ""
        return f"{_num(amount.percent)}% of {words}{extra}"

    def times(self, units: Decimal, amount: nodes.Amount, sl: nodes.ServiceLevel) -> str:
        """`units` times an amount, as one amount: `2% of monthly_fee`, `USD 1,000`."""
        resolved = self.resolve(amount, sl)
        if isinstance(amount, nodes.FixedMoney):
            return self.money(amount.value * units, computed=True)
        base = amount.base
        if isinstance(base, nodes.InputBase):
            return f"{_computed(amount.percent * units)}% of {_code(base.name.text)}"
        words = "the amount at risk" if isinstance(base, nodes.AtRiskBase) else "the allocation"
        extra = f" ({self.resolved_text(resolved.scaled(units))})" if resolved is not None else ""
        return f"{_computed(amount.percent * units)}% of {words}{extra}"

    def exceeds(self, units: Decimal, amount: nodes.Amount, cap: nodes.Amount | None, sl) -> bool:
        """Whether `units` times the amount is certainly above the cap (same base, or both money)."""
        if cap is None:
            return False
        a, c = self.resolve(amount, sl), self.resolve(cap, sl)
        if a is None or c is None:
            return False
        if a.money is not None and c.money is not None:
            return a.money * units > c.money
        if a.base is not None and a.base == c.base:
            return a.percent * units > c.percent
        return False


def _clause_name(clause: nodes.Clause) -> str:
    if isinstance(clause, nodes.Award):
        return clause.kind
    return {nodes.Measured: "measured", nodes.Volume: "volume", nodes.Target: "target",
            nodes.Allocation: "allocation", nodes.Gate: "gate", nodes.Cure: "cure",
            nodes.FreePasses: "free passes", nodes.EarnBack: "earn back", nodes.Frequency: "frequency",
            nodes.Accountable: "accountable", nodes.LateReport: "late report"}[type(clause)]


def _node_of(sl: nodes.ServiceLevel, key: str):
    for clause in sl.clauses:
        if _clause_name(clause) == key:
            return clause
    return None
