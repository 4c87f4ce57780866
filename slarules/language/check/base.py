"""What every part of the checker shares: the state one pass builds up (the
ruleset, the diagnostics found, the inputs' units, the currency, the
periodicity, the service levels by name), how a part reports a problem or
looks a name up, and how a message writes a value or a target.
"""
from __future__ import annotations

import functools
from decimal import Decimal

import attrs

from ...core.diagnostics import Diagnostic, did_you_mean, nearest
from .. import nodes, printer


class Checks:
    """The state one pass over a ruleset builds up, and how its parts report."""

    def __init__(self, ruleset: nodes.Ruleset):
        self.ruleset = ruleset
        self.found: list[Diagnostic] = []
        self.units: dict[str, str] = {}
        self.missing_is_a_miss: set[str] = set()  # inputs whose absence is a miss
        self.used_inputs: set[str] = set()
        self.currency: str | None = None
        self.periodicity = "monthly"
        self.service_levels: dict[str, nodes.ServiceLevel] = {}

    def error(self, code, message, span, *notes):
        self.found.append(Diagnostic(code, message, span, tuple(notes)))

    def warning(self, code, message, span, *notes):
        self.found.append(Diagnostic(code, message, span, tuple(notes), severity="warning"))

    def note(self, code, message, span, *notes):
        self.found.append(Diagnostic(code, message, span, tuple(notes), severity="note"))

    @functools.cached_property
    def any_critical(self) -> bool:
        """Whether a service level is marked critical (asked per gate: found once)."""
        return any(sl.critical for sl in self.ruleset.service_levels)

    def name_known(self, name: nodes.Name, known, what: str) -> bool:
        if name.text in known:
            return True
        meant = nearest(name.text, known)
        if meant is not None and known is self.units:
            self.used_inputs.add(meant)  # the author meant it: do not also call it unused
        notes = did_you_mean(name.text, known) or (f"the {what}s are: {', '.join(known)}",)
        self.error("SLA201", f"unknown {what} '{name.text}'", name.span, *notes)
        return False


def _edge(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _exact_enough(value: Decimal) -> bool:
    return value == value.quantize(Decimal("0.0001"))


def _about(value: Decimal) -> str:
    """A computed figure for a message: exact up to four decimals, else 'about' it to two."""
    return _edge(value) if _exact_enough(value) else f"about {value.quantize(Decimal('0.01'))}"


def _reached(most: nodes.Amount) -> str:
    """The most a clause can reach, computed: a share of its base ('about' it when long), or money."""
    if isinstance(most, nodes.FixedMoney) or _exact_enough(most.percent):
        return printer.amount(most)
    return "about " + printer.amount(attrs.evolve(most, percent=most.percent.quantize(Decimal("0.01"))))


def _quantity_text(q: nodes.Quantity | nodes.Share) -> str:
    if isinstance(q, nodes.Share):
        return printer.quantity(q)
    if q.unit == "percent":
        return f"{_edge(q.value)}%"
    unit = q.unit.removesuffix("s") if q.unit and q.value == 1 else q.unit  # 1 second, 2 seconds
    return f"{_edge(q.value)} {unit}" if unit else _edge(q.value)


def _target_text(sl: nodes.ServiceLevel) -> str:
    c = sl.target.comparison
    return f"{c.op} {_quantity_text(c.quantity)}"
