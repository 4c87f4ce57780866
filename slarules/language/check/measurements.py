"""Measurements and their units: every name a `measured as` expression reads
resolves; its units fit together (dimensions.py: no minutes - seconds, no
money + count, `, in percent` only on a ratio); and the unit it comes out in
is the unit its target is written in: a ratio such as `(minutes - down) /
minutes` against `at least 99.9%` would be missed by every value, so it is an
error whose note offers `, in percent`. A measurement in a unit the language
has no word for (money × minutes) is a warning. The period's length names the
contract's period (`minutes in the month` in a monthly contract), or the
service level's own (`minutes in the quarter` if it is `assessed quarterly`), or
says `period`; another period word is an error (SLA242).
"""
from __future__ import annotations

import attrs

from ...core.periods import PERIOD_NOUN
from .. import dimensions, nodes, printer
from ..semantics import QUANTITY_UNIT_FOR, kpi_unit
from .base import Checks, _quantity_text

_TARGET_WORDS = {"percent": "a percentage", "seconds": "in seconds", "minutes": "in minutes", None: "a bare number"}
_KPI_WORDS = {"ratio": "a ratio", "percent": "a percentage", "seconds": "in seconds", "minutes": "in minutes",
              "money": "money", "count": "a count", "score": "a score"}


class MeasurementChecks(Checks):
    """A service level's measurement: names, units, and the unit against the target's."""

    def measurement(self, sl: nodes.ServiceLevel) -> str | None:
        """The KPI's unit once the measurement is checked; None when the target and the bands
        cannot be compared with it (a mismatch is reported instead)."""
        if sl.measured is None:
            return None
        for name in _names(sl.measured.expr):
            if self.name_known(name, self.units, "input"):
                self.used_inputs.add(name.text)
        assessed = sl.frequency.periodicity if sl.frequency is not None else self.periodicity
        expected = PERIOD_NOUN[assessed]  # `assessed quarterly`: the quarter's length
        for length in _period_lengths(sl.measured.expr):
            if length.period_word not in (expected, "period"):
                whose = "the contract is" if sl.frequency is None else f"'{sl.name.text}' is"
                self.error("SLA242", f"'{length.unit} in the {length.period_word}' but {whose} assessed "
                           f"{assessed}", length.span,
                           f"write '{length.unit} in the {expected}' or '{length.unit} in the period'")
        dimension, mismatches = dimensions.measured(sl.measured, self.units)
        for mismatch in mismatches:
            span = mismatch.node.span if isinstance(mismatch.node, nodes.BinaryOp) else sl.measured.span
            self.error("SLA203", mismatch.message, span, mismatch.note)
        if mismatches:
            return None
        if dimension is None:  # a name is unknown (reported): compare with the target as written
            return kpi_unit(sl, self.units)
        unit = dimension.unit or "ratio"
        if dimension.unit is None and not dimension.is_rate:
            self.warning("SLA234", f"'{sl.name.text}' is in {dimension.describe()}, a unit the language "
                         "has no word for", sl.measured.span,
                         "a measurement is usually one input, a ratio of like quantities ('late / total'), or an "
                         "average ('minutes / incidents'); check the expression")
        if (isinstance(sl.measured.expr, nodes.Reference) or sl.target is None
                or isinstance(sl.target.comparison.quantity, nodes.Share)):
            return unit  # one input, or a share of one: its target is checked like any quantity compared with it
        written = sl.target.comparison.quantity.unit
        if QUANTITY_UNIT_FOR.get(unit) == written:
            return unit
        self.error("SLA233", f"'{sl.name.text}' is {_KPI_WORDS.get(unit, 'in ' + dimension.describe())}, but its target "
                   f"'{printer.comparison(sl.target.comparison)}' is {_TARGET_WORDS[written]}",
                   sl.measured.span, _fix(sl, unit, written))
        return None


def _fix(sl: nodes.ServiceLevel, unit: str, written: str | None) -> str:
    """How to make the measurement and the target agree."""
    quantity = sl.target.comparison.quantity
    if unit == "ratio" and written == "percent":
        return (f"a ratio is 0.999 where a percentage is 99.9%: write "
                f"'{printer.clause(attrs.evolve(sl.measured, in_percent=True))}'")
    if unit in ("seconds", "minutes"):
        value = quantity.value
        if written in ("seconds", "minutes"):
            value = value * 60 if unit == "seconds" else value / 60
        return f"write the target in {unit}: '{sl.target.comparison.op} {_quantity_text(nodes.Quantity(value, unit))}'"
    if unit == "percent":
        return "write the target with a '%' sign, or leave out the conversion to a percentage"
    if written == "percent":
        return "a percentage target needs a ratio measured in percent, such as 'late / total, in percent'"
    return f"a target {_TARGET_WORDS[written]} needs a measurement {_TARGET_WORDS[written]}"


def _period_lengths(expr: nodes.Expr) -> list[nodes.PeriodLength]:
    """The period's lengths an expression reads, left to right."""
    if isinstance(expr, nodes.PeriodLength):
        return [expr]
    if isinstance(expr, nodes.BinaryOp):
        return _period_lengths(expr.left) + _period_lengths(expr.right)
    return []


def _names(expr: nodes.Expr) -> list[nodes.Name]:
    """The input names an expression reads, left to right."""
    if isinstance(expr, nodes.Reference):
        return [expr.name]
    if isinstance(expr, nodes.BinaryOp):
        return _names(expr.left) + _names(expr.right)
    return []
