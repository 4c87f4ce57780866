"""The checker's driver: `check()` bounds every number the ruleset writes
(literals.py; nothing else is checked while one is out of range), runs every
part over the ruleset and over the ruleset as each amendment leaves it in
force, adds what is wrong with the amendments themselves (dates, names) and
with the contract clauses terms cite (citations.py), and
returns the diagnostics once each, in source order.
"""
from __future__ import annotations

from ...core.diagnostics import Diagnostic, did_you_mean
from ...core.periods import MONTHS_PER_PERIOD, PERIOD_NOUN
from .. import nodes
from ..citations import citation_problems
from ..literals import literal_problems
from ..semantics import amended
from .allowances import AllowanceChecks
from .billing_terms import BillingTermChecks
from .critical_failure import CriticalFailureChecks
from .days import DayChecks
from .frequencies import FrequencyChecks
from .header import HeaderChecks
from .measurements import MeasurementChecks
from .parties import PartyChecks
from .quantities import QuantityChecks
from .rows import RowChecks
from .service_levels import ServiceLevelChecks
from .window_caps import WindowCapChecks


def check(ruleset: nodes.Ruleset) -> list[Diagnostic]:
    """All problems in the ruleset, errors and warnings, in source order.
    Each amendment is checked as the whole ruleset in force from its date.
    TypeError if `ruleset` is not what parse() returns."""
    if not isinstance(ruleset, nodes.Ruleset):
        raise TypeError(f"check(): ruleset must be what slarules.parse() returns, not {type(ruleset).__name__}")
    out_of_range = literal_problems(ruleset)
    if out_of_range:  # no other check computes with a number it cannot hold exactly
        return out_of_range
    checker = _Checker(ruleset)
    checker.run()
    found = checker.found + citation_problems(ruleset)
    in_force = ruleset
    for amendment in ruleset.amendments:
        found += _amendment_problems(ruleset, amendment, checker)
        in_force = amended(in_force, amendment)
        more = _Checker(in_force)
        more.run()
        found += [d for d in more.found if d.code != "SLA217"]
    unique = {(d.code, d.message, _position(d)): d for d in found}
    return sorted(unique.values(), key=_position)


def _amendment_problems(ruleset, amendment: nodes.Amendment, checker: "_Checker") -> list[Diagnostic]:
    found = []
    header = {type(t): t for t in ruleset.contract.terms}
    calendar_ok = nodes.Starts in header
    if calendar_ok:
        start = header[nodes.Starts].month
        months = MONTHS_PER_PERIOD[checker.periodicity]
        year, month = map(int, amendment.effective.split("-"))
        start_year, start_month = map(int, start.split("-"))
        offset = (year * 12 + month) - (start_year * 12 + start_month)
        if offset <= 0:
            found.append(Diagnostic("SLA224", f"the amendment takes effect {amendment.effective}, not after the "
                                    f"contract starts ({start})", amendment.span))
        elif (month - 1) % months:
            found.append(Diagnostic("SLA224", f"{amendment.effective} is not the first month of a "
                                    f"{PERIOD_NOUN[checker.periodicity]}", amendment.span))
    earlier = [a.effective for a in ruleset.amendments[:ruleset.amendments.index(amendment)]]
    if earlier and max(earlier) >= amendment.effective:
        found.append(Diagnostic("SLA224", f"amendments must come in date order; {amendment.effective} follows "
                                f"{max(earlier)}", amendment.span))
    for item in amendment.items:
        if isinstance(item, nodes.AmendedServiceLevel) and item.name.text not in checker.service_levels:
            found.append(Diagnostic("SLA201", f"unknown service level '{item.name.text}'", item.name.span,
                                    did_you_mean(item.name.text, checker.service_levels)))
    return found


def _position(d: Diagnostic):
    return (d.span.line, d.span.column) if d.span else (0, 0)


class _Checker(HeaderChecks, QuantityChecks, MeasurementChecks, ServiceLevelChecks, AllowanceChecks, RowChecks,
               WindowCapChecks, CriticalFailureChecks, FrequencyChecks, PartyChecks, BillingTermChecks,
               DayChecks):
    """Every part of the check, run over one ruleset in order."""

    def run(self):
        self.header(self.ruleset.contract)
        self.inputs()
        self.parties_and_duties()
        for sl in self.ruleset.service_levels:
            if sl.name.text in self.service_levels:
                self.error("SLA202", f"service level '{sl.name.text}' is declared twice", sl.name.span,
                           f"the first is at line {self.service_levels[sl.name.text].name.span.line}")
            else:
                self.service_levels[sl.name.text] = sl
        self.period_terms()
        self.terms_over_periods()
        for sl in self.ruleset.service_levels:
            self.service_level(sl)
            self.frequency(sl)
        for amendment in self.ruleset.amendments:
            self.amended_frequencies(amendment)
        self.critical_failures()
        self.billing_terms()
        self.days_terms()
        if not any(d.is_error for d in self.found):
            self.caps_that_never_bind()
            self.window_caps_that_never_bind()
        for inp in self.ruleset.inputs:
            if inp.name.text not in self.used_inputs:
                self.warning("SLA217", f"input '{inp.name.text}' is declared but no term uses it", inp.name.span)
