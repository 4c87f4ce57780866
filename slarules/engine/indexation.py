"""Indexation: fixed amounts that move each contract year with a published price index.

`amounts indexed to cpi, base 2026-01, adjusted each contract year, rounded to cents`,
`cpi` an input of unit `index`. compile.py hands the ruleset to `indexed_ruleset`, which
replaces every fixed amount (`USD 500` in a credit, a bonus, a tier row, a per-unit
amount, a cap, the amount at risk, a limit over a window) by an IndexedMoney naming its
base period; forms.compile_amount compiles one to `indexed_value`, `indexed_text`.

The factor of a contract year is the index in the year's first period divided by the
index in the base period; in the contract year of the base, and any before it, the
amounts are as written. An indexed amount is the amount × the index now / the base
index, worked out exactly (the division is the last step, so the rounding sees the
exact quotient) and rounded once, to the unit the clause names (its cents or whole
units; else the contract's), with the contract's rounding mode; the amounts are then
used as if written so (a per-unit amount times the units, a cap as the cap).

An amendment re-types figures in the money of its day: the amounts an amendment writes
have as their base the first period of the contract year it takes effect in (indexed
from the next contract year on); the amounts it leaves alone keep the contract's base.

Each period, evaluate.py puts the index values the amounts need into env under
INDEX_KEY (`Indexer.values_for`): per base period, (index now, its period, base index).
The values are read from the data's rows of the base period and of each contract
year's first period (the index may be given every period; only those rows are read)
and kept in the carry (`index_values`), so a billing run that starts mid-year has
them. A tool that evaluates a typical period without them (verify, simulate, the
report's curves) gets the amounts as written. Errors, naming the data row: SLA316
for an index value a needed row lacks, or one not known (the data starts after the
base and no state carries it); SLA317 for an index value of zero.
"""
from __future__ import annotations

from decimal import Decimal

import attrs

from ..core.diagnostics import Diagnostic, SlaError
from ..core.money import CONTEXT, format_given, format_number
from ..core.periods import Calendar
from ..language import nodes

INDEX_KEY = " the index values"  # leading space: no input name can collide


@attrs.frozen
class IndexedMoney(nodes.FixedMoney):
    """A fixed amount the indexation moves: `base` is its base period's label, `quantum`
    and `mode` how an indexed amount is rounded."""

    base: str = ""
    index: str = ""  # the index input's name
    quantum: Decimal = Decimal("0.01")
    mode: str = "ROUND_HALF_UP"


@attrs.frozen
class IndexationRule:
    """The compiled clause: the index input, the contract's base period, the clause."""

    index: str
    base: str  # label of the base period
    bases: tuple[str, ...]  # every base period an amount names (the contract's, each amendment's)
    clause: object


def indexed_ruleset(ruleset: nodes.Ruleset, calendar: Calendar, quantum: Decimal, mode: str):
    """(the ruleset with every fixed amount an IndexedMoney, the IndexationRule), or
    (the ruleset, None) when it states no indexation."""
    found = ruleset.of_type(nodes.Indexation)
    if not found:
        return ruleset, None
    clause = found[0]
    if clause.minor_unit is not None:
        quantum = Decimal(1) if clause.minor_unit == "whole units" else Decimal("0.01")
    base = calendar.label_of_month(clause.base)
    bases = [base]

    def with_base(label):
        def make(money: nodes.FixedMoney) -> IndexedMoney:
            return IndexedMoney(money.currency, money.value, money.span, label, clause.index.text, quantum, mode)
        return make

    sections = _replaced(ruleset.sections, with_base(base))
    amendments = []
    for amendment in ruleset.amendments:
        label = _year_start(calendar, calendar.index(calendar.label_of_month(amendment.effective)))
        bases.append(label)
        amendments.append(_replaced(amendment, with_base(label)))
    rule = IndexationRule(clause.index.text, base, tuple(dict.fromkeys(bases)), clause.span)
    return attrs.evolve(ruleset, sections=sections, amendments=tuple(amendments)), rule


def _replaced(node, make):
    """The node with each FixedMoney under it replaced by make(it); the node itself if none is."""
    if isinstance(node, nodes.FixedMoney):
        return make(node)
    if isinstance(node, tuple):
        new = tuple(_replaced(item, make) for item in node)
        return node if all(a is b for a, b in zip(new, node)) else new
    if isinstance(node, nodes.Ruleset) or not attrs.has(type(node)) or isinstance(node, nodes.Name):
        return node
    changes = {}
    for field in attrs.fields(type(node)):
        if field.init and field.name != "span":
            value = getattr(node, field.name)
            new = _replaced(value, make)
            if new is not value:
                changes[field.alias] = new
    return attrs.evolve(node, **changes) if changes else node


def _year_start(calendar: Calendar, index: int) -> str:
    """The label of the first period of the contract year of the period `index`."""
    year = calendar.contract_year_of(index)
    start = calendar.index(calendar.label_of_month(calendar.start_month))
    return calendar.label(start + (year - 1) * calendar.periods_in(Decimal(12), "month"))


def indexed_value(money: IndexedMoney):
    """value(env) of an indexed amount (see the module docstring)."""
    fixed, base, quantum, mode = money.value, money.base, money.quantum, money.mode

    def value(env: dict) -> Decimal:
        values = env.get(INDEX_KEY)
        if values is None or values[base][1] == base:  # as written: no factor yet
            return fixed
        now, _, base_value = values[base]
        return CONTEXT.divide(fixed * now, base_value).quantize(quantum, mode, CONTEXT)
    return value


def indexed_text(money: IndexedMoney, digits: int):
    """describe(env) of an indexed amount: `USD 515.52 (USD 500.00 × cpi 322.2 in 2027-01 / 312.5 in 2026-01)`."""
    written = f"{money.currency} {format_given(money.value, digits)}"
    value = indexed_value(money)

    def describe(env: dict) -> str:
        values = env.get(INDEX_KEY)
        if values is None or values[money.base][1] == money.base:
            return written
        now, label, base_value = values[money.base]
        return (f"{money.currency} {format_given(value(env), digits)} ({written} × {money.index} "
                f"{format_number(now)} in {label} / {format_number(base_value)} in {money.base})")
    return describe


class Indexer:
    """Each period's index values (`values_for`), read from the rows that hold them and
    kept in `known` (the carry's index_values, label -> value, updated in place)."""

    def __init__(self, rule: IndexationRule, calendar: Calendar, known: dict[str, Decimal]):
        self.rule, self.calendar, self.known = rule, calendar, known
        self.base_years = {base: calendar.contract_year_of(calendar.index(base)) for base in rule.bases}
        self.year = None
        self.values = None

    def values_for(self, data, index: int, year: int) -> dict:
        label = data.label
        start = _year_start(self.calendar, index)
        if label == start and year > min(self.base_years.values()) or label in self.base_years:
            value = data.values.get(self.rule.index)
            if value is None:
                raise _index_error(data, f"period {label} has no value for the index '{self.rule.index}'",
                                   f"amounts are indexed to {self.rule.index}: its value is needed in the base "
                                   "period and in the first period of each later contract year")
            if value == 0:
                raise _index_error(data, f"period {label}: the index '{self.rule.index}' is 0", "an index "
                                   "divides the amounts' base values: it must be above zero", code="SLA317")
            self.known[label] = value
        if year != self.year:
            self.year, self.values = year, {base: self.factor(data, base, start, year) for base in self.rule.bases}
            self.kept()
        return self.values

    def factor(self, data, base: str, start: str, year: int) -> tuple[Decimal, str, Decimal]:
        """(index now, the period it is of, base index): (1, base, 1) up to the base's contract year."""
        if year <= self.base_years[base]:
            return Decimal(1), base, Decimal(1)
        for needed in (base, start):
            if needed not in self.known:
                raise _index_error(data, f"the value of the index '{self.rule.index}' in {needed} is not known",
                                   f"the data starts after {needed} and no saved state carries it: start from "
                                   f"{needed}, or continue from the state saved by the run that billed it")
        return self.known[start], start, self.known[base]

    def kept(self) -> None:
        """Drop the values no later period needs (at a new contract year): all but the bases and
        the latest year start."""
        latest = max((label for label in self.known if label not in self.base_years),
                     key=self.calendar.index, default=None)
        for label in [label for label in self.known if label not in self.base_years and label != latest]:
            del self.known[label]


def _index_error(data, message: str, note: str, code: str = "SLA316") -> SlaError:
    return SlaError([Diagnostic(code, message, data.span, (note,), location=data.place())])
