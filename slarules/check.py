"""Check pass: static checks on a parsed Ruleset.

Input: nodes.Ruleset straight from parse(). Output: every Diagnostic found, in
source order; never raises for a user's error. After a check with no error,
compile.py may assume: the header has a currency and a start; every name
resolves; units agree; amounts have money bases in the contract's currency;
each service level has one measurement and one target; tier rows lie on the
miss side (credits) or the met side (bonuses) of the target, are ordered by
severity, and explicit ranges neither overlap nor leave gaps.
"""
from __future__ import annotations

from decimal import Decimal

from . import nodes
from .diagnostics import Diagnostic, did_you_mean
from .semantics import (
    amended,
    QUANTITY_UNIT_FOR,
    Interval,
    band_interval,
    band_quantities,
    higher_is_better,
    kpi_unit,
    met_interval,
    step_units,
)
from .periods import MONTHS_IN, MONTHS_PER_PERIOD, PERIOD_NOUN


def check(ruleset: nodes.Ruleset) -> list[Diagnostic]:
    """All problems in the ruleset, errors and warnings, in source order.
    Each amendment is checked as the whole ruleset in force from its date."""
    checker = _Checker(ruleset)
    checker.run()
    found = checker.found
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


def _unit_word(unit: str | None) -> str:
    return {"percent": "a percentage (%)", "seconds": "seconds", "minutes": "minutes", None: "a bare number"}.get(unit, unit)


class _Checker:
    def __init__(self, ruleset: nodes.Ruleset):
        self.ruleset = ruleset
        self.found: list[Diagnostic] = []
        self.units: dict[str, str] = {}
        self.used_inputs: set[str] = set()
        self.currency: str | None = None
        self.periodicity = "monthly"
        self.service_levels: dict[str, nodes.ServiceLevel] = {}

    def error(self, code, message, span, *notes):
        self.found.append(Diagnostic(code, message, span, tuple(notes)))

    def warning(self, code, message, span, *notes):
        self.found.append(Diagnostic(code, message, span, tuple(notes), severity="warning"))

    def run(self):
        self.header(self.ruleset.contract)
        self.inputs()
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
        for inp in self.ruleset.inputs:
            if inp.name.text not in self.used_inputs:
                self.warning("SLA217", f"input '{inp.name.text}' is declared but no term uses it", inp.name.span)

    # ---------------------------------------------------------------- header
    def header(self, contract: nodes.Contract):
        seen: dict[type, nodes.HeaderTerm] = {}
        for term in contract.terms:
            if type(term) in seen:
                self.error("SLA204", f"the contract states its {_TERM_WORDS[type(term)]} twice", term.span)
            seen[type(term)] = term
        for kind in (nodes.Currency, nodes.Starts):
            if kind not in seen:
                self.error("SLA204", f"the contract does not state its {_TERM_WORDS[kind]}", contract.span,
                           f"add {_TERM_EXAMPLES[kind]} to the contract line")
        if nodes.Currency in seen:
            self.currency = seen[nodes.Currency].code
        if nodes.Assessed in seen:
            self.periodicity = seen[nodes.Assessed].periodicity

    def inputs(self):
        for inp in self.ruleset.inputs:
            if inp.name.text in self.units:
                self.error("SLA202", f"input '{inp.name.text}' is declared twice", inp.name.span)
                continue
            self.units[inp.name.text] = inp.unit
            if isinstance(inp.missing, nodes.DefaultValue) and inp.unit == "percent" and inp.missing.value > 100:
                self.error("SLA213", f"default {inp.missing.value} for a percentage is above 100", inp.span)

    def period_terms(self):
        for kind in (nodes.AtRisk, nodes.BonusLimit, nodes.Netting):
            terms = self.ruleset.of_type(kind)
            for extra in terms[1:]:
                self.error("SLA204", f"the contract states {_TERM_WORDS[kind]} twice", extra.span,
                           f"the first is at line {terms[0].span.line}")
        for term in self.ruleset.of_type(nodes.AtRisk) + self.ruleset.of_type(nodes.BonusLimit):
            expected = PERIOD_NOUN[self.periodicity]
            if term.per != expected:
                self.error("SLA216", f"'each {term.per}' but the contract is assessed {self.periodicity}",
                           term.span, f"write 'each {expected}'")
            self.amount(term.amount, None, allow_at_risk=False)

    def periods(self, count: Decimal, unit: str, span, what: str) -> None:
        """`count` `unit`s must make a whole number of assessment periods, at least one."""
        per_period = MONTHS_PER_PERIOD[self.periodicity]
        months = count * (1 if unit == "period" else MONTHS_IN[unit])
        whole = count == count.to_integral_value() and count >= 1
        if unit != "period":
            whole = whole and months % per_period == 0
        if not whole:
            self.error("SLA221", f"{what} of {count.normalize():f} {unit}{'s' * (count != 1)} is not a whole number of "
                       f"{PERIOD_NOUN[self.periodicity]}s, the period this contract is assessed in", span)

    def terms_over_periods(self):
        for cap in self.ruleset.of_type(nodes.WindowCap):
            if cap.window.kind == "rolling":
                self.periods(cap.window.length, cap.window.unit, cap.window.span, "a window")
            self.window_limit(cap.limit, cap.span)
        for extra in self.ruleset.of_type(nodes.StreakPolicy):
            if [p.policy for p in self.ruleset.of_type(nodes.StreakPolicy)].count(extra.policy) > 1:
                self.error("SLA204", "the contract states this twice", extra.span)
        for termination in self.ruleset.of_type(nodes.Termination):
            self.trigger(termination)

    def window_limit(self, limit, span):
        if isinstance(limit, nodes.FixedMoney):
            self.amount(limit, None)
        else:
            self.amount(nodes.PercentOf(limit.percent, nodes.InputBase(limit.base), limit.span), None)

    def trigger(self, termination: nodes.Termination):
        t, span = termination.trigger, termination.span
        if isinstance(t, nodes.CreditsExceed):
            self.periods(t.length, t.unit, span, "a window")
            self.window_limit(t.limit, span)
            return
        if isinstance(t, nodes.ManyMissed):
            self.periods(Decimal(1), t.unit, span, "'in one ...'")
            if not 1 <= t.count <= len(self.service_levels) or t.count != t.count.to_integral_value():
                self.error("SLA222", f"{t.count.normalize():f} service levels can never be missed at once: "
                           f"the contract has {len(self.service_levels)}", span)
            return
        if not self.name_known(t.service_level, self.service_levels, "service level"):
            return
        sl = self.service_levels[t.service_level.text]
        if isinstance(t, nodes.MissedInARow):
            self.periods(t.count, t.unit, span, "a streak")
        elif isinstance(t, nodes.MissedInWindow):
            self.periods(t.length, t.unit, span, "a window")
            if t.times != t.times.to_integral_value() or t.times < 1:
                self.error("SLA221", "a number of misses must be a whole number, at least 1", span)
            elif t.times > t.length * (1 if t.unit == "period" else MONTHS_IN[t.unit]) / MONTHS_PER_PERIOD[self.periodicity]:
                self.error("SLA222", f"{t.times.normalize():f} misses can never fit in the window", span)
        elif isinstance(t, nodes.BelowFloor):
            self.periods(Decimal(1), t.unit, span, "'in any ...'")
            unit = kpi_unit(sl, self.units)
            if unit is not None:
                self.quantity_unit(t.comparison.quantity, unit, sl)

    def spanning_clauses(self, sl: nodes.ServiceLevel):
        for clause, count, unit, what in ((sl.cure, "periods", "unit", "a cure period"),
                                          (sl.earn_back, "after", "unit", "an earn-back streak")):
            if clause is not None and getattr(clause, count) is not None:
                self.periods(getattr(clause, count), getattr(clause, unit), clause.span, what)
        if sl.free_passes is not None:
            count = sl.free_passes.count
            if count != count.to_integral_value() or count < 1:
                self.error("SLA221", "a number of free passes must be a whole number, at least 1", sl.free_passes.span)
        if sl.earn_back is not None and sl.earn_back.percent > 100:
            self.error("SLA213", "an earn-back cannot return more than 100% of the credits", sl.earn_back.span)
        for clause in (sl.cure, sl.earn_back, sl.free_passes):
            if clause is not None and sl.credit is None:
                self.warning("SLA223", f"'{sl.name.text}' has no credit, so this clause has no effect", clause.span)

    # ---------------------------------------------------------------- amounts
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
                    self.error("SLA211", f"'{name}' is {self.units[name]}, not money: an amount must be a share of money",
                               base.name.span, f"declare '{name}' as money, or take the percentage of a money input")
        elif isinstance(base, nodes.AtRiskBase):
            if not allow_at_risk or not self.ruleset.of_type(nodes.AtRisk):
                why = "is not defined: add 'at risk: ...'" if allow_at_risk else "cannot be a share of itself"
                self.error("SLA214", f"'the amount at risk' {why}", amount.span)
        elif isinstance(base, nodes.AllocationBase):
            if not allow_allocation or sl is None or sl.allocation is None:
                self.error("SLA214", "'the allocation' is not defined for this service level", amount.span,
                           "add 'allocation: N% of the amount at risk' to the service level")

    def name_known(self, name: nodes.Name, known, what: str) -> bool:
        if name.text in known:
            return True
        self.error("SLA201", f"unknown {what} '{name.text}'", name.span, *did_you_mean(name.text, known))
        return False

    # ---------------------------------------------------------------- service levels
    def service_level(self, sl: nodes.ServiceLevel):
        seen: dict[object, nodes.Clause] = {}
        for clause in sl.clauses:
            key = (type(clause), getattr(clause, "kind", None) if isinstance(clause, nodes.Award) else None)
            if key in seen:
                self.error("SLA206", f"service level '{sl.name.text}' has two {_clause_word(clause)} clauses",
                           clause.span, f"the first is at line {seen[key].span.line}")
            seen.setdefault(key, clause)
        if sl.measured is None or sl.target is None:
            missing = "measured as ..." if sl.measured is None else "target: ..."
            self.error("SLA205", f"service level '{sl.name.text}' has no '{missing}' clause", sl.name.span)
        if sl.measured is not None:
            self.expression(sl.measured.expr)
        unit = kpi_unit(sl, self.units)
        if sl.target is not None and unit is not None:
            self.quantity_unit(sl.target.comparison.quantity, unit, sl)
            if unit == "percent" and sl.target.comparison.quantity.value > 100:
                self.error("SLA213", "a percentage target above 100% can never be met", sl.target.span)
        if sl.volume is not None and self.name_known(sl.volume.input, self.units, "input"):
            self.used_inputs.add(sl.volume.input.text)
            self.quantity_unit(sl.volume.comparison.quantity, self.units[sl.volume.input.text], sl)
        if sl.allocation is not None:
            self.amount(sl.allocation.amount, sl, allow_allocation=False)
        for award in (sl.credit, sl.bonus):
            if award is not None and sl.target is not None and unit is not None:
                self.award(award, sl, unit)
        if sl.gate is not None:
            self.gate(sl)
        self.missing_policy(sl, unit)
        self.spanning_clauses(sl)

    def expression(self, expr: nodes.Expr) -> str | None:
        """Check names and units; return the unit of the expression (None for a bare number)."""
        if isinstance(expr, nodes.Number):
            return None
        if isinstance(expr, nodes.Reference):
            if self.name_known(expr.name, self.units, "input"):
                self.used_inputs.add(expr.name.text)
                return self.units[expr.name.text]
            return None
        left, right = self.expression(expr.left), self.expression(expr.right)
        if expr.op in "+-" and left is not None and right is not None and left != right:
            self.error("SLA203", f"'{expr.op}' combines {left} with {right}", expr.span,
                       "only quantities of the same unit can be added or subtracted")
        return left or right

    def quantity_unit(self, quantity: nodes.Quantity, unit: str, sl: nodes.ServiceLevel, bare_ok=False):
        expected = QUANTITY_UNIT_FOR.get(unit)
        if quantity.unit == expected or (bare_ok and quantity.unit is None):
            return
        self.error("SLA203", f"{_unit_word(quantity.unit)} where '{sl.name.text}' is measured in {unit}",
                   quantity.span, f"write the value as {_unit_word(expected)}")

    def award(self, award: nodes.Award, sl: nodes.ServiceLevel, unit: str):
        form = award.form
        credit = award.kind == "credit"
        zone = "miss" if credit else "met"
        higher = higher_is_better(sl.target)
        target = met_interval(sl.target)
        if isinstance(form, nodes.Flat):
            self.amount(form.amount, sl)
        elif isinstance(form, nodes.Table):
            for row in form.rows:
                self.amount(row.amount, sl)
                quantities = band_quantities(row.band)
                for i, q in enumerate(quantities):
                    self.quantity_unit(q, unit, sl, bare_ok=(i == 0 and len(quantities) == 2))
                self.row_side(row, credit, higher, target, sl)
            if form.rule == "range":
                self.range_coverage(form.rows, credit, higher, target)
            self.row_order(form.rows, credit, higher)
        elif isinstance(form, nodes.Linear):
            self.amount(form.amount, sl)
            if form.cap is not None:
                self.amount(form.cap, sl)
            self.quantity_unit(form.threshold, unit, sl)
            if form.step_unit not in step_units(unit):
                self.error("SLA203", f"'per {form.step_unit}' for a KPI measured in {unit}", award.span,
                           f"write 'per {step_units(unit)[0]}'")
            if form.step is not None and form.step <= 0:
                self.error("SLA220", "the step of a linear amount must be above zero", award.span)
            bad_side = "below" if higher else "above"
            wanted = bad_side if credit else ("above" if higher else "below")
            if form.side != wanted:
                self.error("SLA218", f"a {award.kind} counted per {form.step_unit} {form.side} the threshold "
                           f"pays for {'better' if credit else 'worse'} performance",
                           form.threshold.span, f"write '{wanted} {_quantity_text(form.threshold)}'")
        elif isinstance(form, nodes.Shortfall):
            if unit != "percent":
                self.error("SLA203", f"'the shortfall in points' needs a KPI in percent; '{sl.name.text}' is in {unit}",
                           award.span)
            self.amount(nodes.PercentOf(Decimal(1), form.base, award.span), sl)
            if form.cap is not None:
                self.amount(form.cap, sl)

    def row_side(self, row: nodes.Row, credit: bool, higher: bool, met: Interval, sl):
        band = band_interval(row.band)
        toward_target = band.high if higher == credit else band.low
        if toward_target is None:
            self.error("SLA207", f"this {('credit' if credit else 'bonus')} row is open toward the "
                       f"{'met' if credit else 'miss'} zone of target '{_target_text(sl)}'", row.band.span,
                       f"a {'credit' if credit else 'bonus'} row should read '{_side_example(credit, higher)} ...'")
            return
        probe_inside = any(met.contains(v) != (not credit) for v in _interval_points(band))
        if probe_inside:
            self.warning("SLA207", f"this row reaches into values that {'meet' if credit else 'miss'} the target "
                         f"'{_target_text(sl)}'; it applies only where the target is {'missed' if credit else 'met'}",
                         row.band.span)

    def row_order(self, rows, credit: bool, higher: bool):
        """A more extreme row must not earn less than a milder one with a comparable amount."""
        def extremity(row):
            band = band_interval(row.band)
            edge = band.high if higher == credit else band.low
            return -edge if higher == credit else edge
        ordered = sorted(rows, key=extremity)
        for milder, harsher in zip(ordered, ordered[1:]):
            a, b = _comparable(milder.amount), _comparable(harsher.amount)
            if a is not None and b is not None and a[0] == b[0] and b[1] < a[1]:
                what = "worse" if credit else "better"
                self.error("SLA208", f"a {what} band earns less ({_amount_text(harsher.amount)}) than the row "
                           f"at line {milder.span.line} ({_amount_text(milder.amount)})", harsher.span,
                           "rows must not pay less as performance moves further from the target")

    def range_coverage(self, rows, credit: bool, higher: bool, met: Interval):
        intervals = sorted(((band_interval(r.band), r) for r in rows), key=lambda p: (p[0].low is not None, p[0].low or 0))
        for (a, ra), (b, rb) in zip(intervals, intervals[1:]):
            if a.overlaps(b):
                self.error("SLA210", f"this range overlaps the row at line {ra.span.line}", rb.band.span,
                           "in a 'by range' table each value must fall in one row")
            else:
                gap = a.gap_to(b)
                if gap is not None:
                    self.error("SLA209", f"values between {_edge(gap.low)} and {_edge(gap.high)} fall in no row",
                               rb.band.span, f"start this row where the row at line {ra.span.line} ends "
                               f"(for example 'above {_edge(gap.low)} to ...')")
        # The zone the table should cover starts at the target's boundary.
        edge_row = intervals[0] if (higher != credit) else intervals[-1]
        boundary = met.low if met.low is not None else met.high
        inner = edge_row[0].low if higher != credit else edge_row[0].high
        if inner is not None and boundary is not None and inner != boundary:
            self.warning("SLA209", f"values between the target {_edge(boundary)} and {_edge(inner)} "
                         f"{'miss the target but earn no credit' if credit else 'meet the target but earn no bonus'}",
                         edge_row[1].band.span)

    def gate(self, sl: nodes.ServiceLevel):
        gate = sl.gate
        if sl.bonus is None:
            self.error("SLA206", f"'bonus only if' but service level '{sl.name.text}' has no bonus", gate.span)
        for name in gate.names:
            self.name_known(name, self.service_levels, "service level")
        if gate.kind == "no critical missed" and not any(s.critical for s in self.service_levels.values()):
            self.warning("SLA219", "no service level is marked critical, so this condition always holds", gate.span,
                         "write 'critical service level NAME' for the critical ones")

    def missing_policy(self, sl: nodes.ServiceLevel, unit: str | None):
        misses = {i.name.text for i in self.ruleset.inputs if isinstance(i.missing, nodes.MissingIsMiss)}
        reads = _references(sl.measured.expr) if sl.measured else set()
        if not (reads & misses) or sl.credit is None:
            return
        form = sl.credit.form
        unbounded = isinstance(form, (nodes.Linear, nodes.Shortfall)) and form.cap is None and unit != "percent"
        if unbounded:
            self.error("SLA215", f"'{sl.name.text}' counts a missing input as a miss, but its credit has no maximum",
                       sl.credit.span, "add ', at most AMOUNT' so an unreported period has a definite credit")


def _references(expr) -> set[str]:
    if isinstance(expr, nodes.Reference):
        return {expr.name.text}
    if isinstance(expr, nodes.BinaryOp):
        return _references(expr.left) | _references(expr.right)
    return set()


def _interval_points(interval: Interval):
    """Finite probe points of an interval's closed ends (where a zone overlap shows first)."""
    points = []
    if interval.low is not None:
        points.append(interval.low if interval.low_included else interval.low + Decimal("1e-9"))
    if interval.high is not None:
        points.append(interval.high if interval.high_included else interval.high - Decimal("1e-9"))
    return points


def _comparable(amount: nodes.Amount):
    if isinstance(amount, nodes.FixedMoney):
        return ("money", amount.value)
    return (repr(amount.base), amount.percent)


def _amount_text(amount: nodes.Amount) -> str:
    if isinstance(amount, nodes.FixedMoney):
        return f"{amount.currency} {amount.value}"
    return f"{amount.percent}%"


def _edge(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _quantity_text(q: nodes.Quantity) -> str:
    return f"{_edge(q.value)}{'%' if q.unit == 'percent' else (' ' + q.unit if q.unit else '')}"


def _target_text(sl: nodes.ServiceLevel) -> str:
    c = sl.target.comparison
    return f"{c.op} {_quantity_text(c.quantity)}"


def _side_example(credit: bool, higher: bool) -> str:
    return ("below" if higher else "above") if credit else ("at least" if higher else "at most")


def _clause_word(clause) -> str:
    if isinstance(clause, nodes.Award):
        return f"'{clause.kind}'"
    return {nodes.Measured: "'measured as'", nodes.Target: "'target'", nodes.Volume: "'measured only when'",
            nodes.Allocation: "'allocation'", nodes.Gate: "'bonus only if'", nodes.Cure: "'cure'",
            nodes.FreePasses: "'free passes'", nodes.EarnBack: "'earn back'"}[type(clause)]


_TERM_WORDS = {
    nodes.Currency: "currency", nodes.Assessed: "assessment period", nodes.Rounding: "rounding",
    nodes.Starts: "start month", nodes.AtRisk: "the amount at risk", nodes.BonusLimit: "a limit on bonuses",
    nodes.Netting: "how bonuses meet credits",
    nodes.Cure: "cure", nodes.FreePasses: "free passes", nodes.EarnBack: "earn back",
}
_TERM_EXAMPLES = {nodes.Currency: "'currency USD'", nodes.Starts: "'starts 2026-01'"}
