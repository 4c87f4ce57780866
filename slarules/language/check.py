"""Check pass: static checks on a parsed Ruleset.

Input: nodes.Ruleset straight from parse(). Output: every Diagnostic found, in
source order; never raises for a user's error. After a check with no error,
compile.py may assume: the header has a currency and a start; every name
resolves; units agree; amounts have money bases in the contract's currency;
each service level has one measurement and one target; tier rows lie on the
miss side (credits) or the met side (bonuses) of the target, are ordered by
severity (rows on different bases, such as a share of the fee and fixed money,
only get a warning: their order depends on the fee), and explicit ranges
neither overlap, leave gaps, nor stop short of the end of the scale.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import attrs

from ..core.diagnostics import Diagnostic, did_you_mean, nearest
from ..core.money import CONTEXT, HUNDRED, format_money, format_number, minor_unit_digits
from ..core.periods import MONTHS_IN, MONTHS_PER_PERIOD, PERIOD_NOUN
from . import nodes, printer
from .semantics import (
    HIGHER_IS_BETTER_OPS,
    QUANTITY_UNIT_FOR,
    Interval,
    amended,
    band_interval,
    band_quantities,
    grid_points,
    grid_step,
    higher_is_better,
    kpi_unit,
    met_interval,
    step_units,
)


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


# How a sentence says what a KPI or an input is: "'sla' is measured in percent", "'calls' is a count".
_UNIT_PHRASE = {"percent": "measured in percent", "seconds": "measured in seconds", "minutes": "measured in minutes",
                "count": "a count", "score": "a score", "ratio": "a ratio", "money": "money"}


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
        if not any(d.is_error for d in self.found):
            self.caps_that_never_bind()
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
                first = next(i for i in self.ruleset.inputs if i.name.text == inp.name.text)
                self.error("SLA202", f"input '{inp.name.text}' is declared twice", inp.name.span,
                           f"the first is at line {first.name.span.line}")
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
        if sl.target is not None and _never_missed(sl, kpi_unit(sl, self.units)) and not isinstance(t, nodes.BelowFloor):
            self.warning("SLA226", f"'{sl.name.text}' can never be missed (target "
                         f"'{_target_text(sl)}'), so this right can never arise", span)
        if isinstance(t, nodes.MissedInARow):
            self.periods(t.count, t.unit, span, "a streak")
        elif isinstance(t, nodes.MissedInWindow):
            self.periods(t.length, t.unit, span, "a window")
            if t.times != t.times.to_integral_value() or t.times < 1:
                self.error("SLA221", "a number of misses must be a whole number, at least 1", span)
            elif t.times > t.length * (1 if t.unit == "period" else MONTHS_IN[t.unit]) / MONTHS_PER_PERIOD[self.periodicity]:
                self.error("SLA222", f"{t.times.normalize():f} misses can never fall within any "
                           f"{t.length.normalize():f} {t.unit}{'s' * (t.length != 1)}", span)
        elif isinstance(t, nodes.BelowFloor):
            self.periods(Decimal(1), t.unit, span, "'in any ...'")
            unit = kpi_unit(sl, self.units)
            if unit is not None:
                self.quantity_unit(t.comparison.quantity, unit, sl)

    # ---------------------------------------------------------------- caps that can never bind
    def caps_that_never_bind(self):
        """A clause's cap no value can reach, or an at-risk amount all credits together cannot."""
        for sl in self.ruleset.service_levels:
            form = sl.credit.form if sl.credit is not None else None
            if isinstance(form, (nodes.Linear, nodes.Shortfall)) and form.cap is not None:
                most = _uncapped_maximum(sl, form, self.units)
                if most is not None and _at_most(most, form.cap):
                    self.warning("SLA225", f"this cap can never bind: the most the credit can reach is "
                                 f"{_reached(most)}", form.cap.span)
        at_risk = self.ruleset.of_type(nodes.AtRisk)
        if at_risk and isinstance(at_risk[0].amount, nodes.PercentOf):
            shares = [_share_of_at_risk(sl, at_risk[0].amount, self.units) for sl in self.ruleset.service_levels
                      if sl.credit is not None]
            if shares and None not in shares and sum(shares) <= 1:
                self.warning("SLA225", f"the amount at risk can never bind: all credits together reach at most "
                             f"{_about(sum(shares) * 100)}% of it", at_risk[0].span)

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

    def name_known(self, name: nodes.Name, known, what: str) -> bool:
        if name.text in known:
            return True
        meant = nearest(name.text, known)
        if meant is not None and known is self.units:
            self.used_inputs.add(meant)  # the author meant it: do not also call it unused
        notes = did_you_mean(name.text, known) or (f"the {what}s are: {', '.join(known)}",)
        self.error("SLA201", f"unknown {what} '{name.text}'", name.span, *notes)
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
        missing = [w for w, c in (("measured as ...", sl.measured), ("target: ...", sl.target)) if c is None]
        if missing:
            self.error("SLA205", f"service level '{sl.name.text}' has no "
                       f"{' and no '.join(repr(m) for m in missing)} clause", sl.name.span)
        if sl.measured is not None:
            self.expression(sl.measured.expr)
        unit = kpi_unit(sl, self.units)
        if sl.measured is not None and sl.measured.reported is not None and unit is not None:
            self.reporting_grid(sl.measured.reported, unit)
        target_ok = False
        if sl.target is not None and unit is not None:
            target_ok = self.quantity_unit(sl.target.comparison.quantity, unit, f"'{sl.name.text}'")
            self.target_in_range(sl, unit)
        if sl.volume is not None and self.name_known(sl.volume.input, self.units, "input"):
            self.used_inputs.add(sl.volume.input.text)
            self.quantity_unit(sl.volume.comparison.quantity, self.units[sl.volume.input.text],
                               f"'{sl.volume.input.text}'")
        if sl.allocation is not None:
            self.amount(sl.allocation.amount, sl, allow_allocation=False)
        for award in (sl.credit, sl.bonus):
            if award is None:
                continue
            if sl.target is not None and unit is not None:
                self.award(award, sl, unit, target_ok)
            else:  # nothing to compare the bands with; still resolve what the amounts name
                for amount in _award_amounts(award):
                    self.amount(amount, sl)
        if sl.gate is not None:
            self.gate(sl)
        self.missing_policy(sl, unit)
        self.spanning_clauses(sl)

    def reporting_grid(self, reported: nodes.Reported, unit: str):
        """`reported to whole seconds` in the KPI's own unit; `reported to N decimals` with N whole, at most 9."""
        if reported.whole is not None and reported.whole not in step_units(unit):
            self.error("SLA229", f"'whole {reported.whole}' for a KPI {_UNIT_PHRASE.get(unit, unit)}", reported.span,
                       f"write 'reported to whole {step_units(unit)[1]}'"
                       + (" or 'reported to N decimals'" if unit == "percent" else ""))
        decimals = reported.decimals
        if decimals != decimals.to_integral_value() or decimals > 9:
            self.error("SLA229", f"a value cannot be reported to {_edge(decimals)} decimals", reported.span,
                       "write a whole number of decimals from 0 to 9, or 'whole ...'")

    def target_in_range(self, sl: nodes.ServiceLevel, unit: str):
        """A percentage is never above 100: a target beyond it is never met, or always met."""
        op, value = sl.target.comparison.op, sl.target.comparison.quantity.value
        if unit != "percent" or not (value > 100 or (value == 100 and op == "above")):
            return
        outcome = "can never be met" if higher_is_better(sl.target) else "is always met"
        self.error("SLA213", f"a percentage is never above 100%, so the target '{_target_text(sl)}' {outcome}",
                   sl.target.span)

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

    def award(self, award: nodes.Award, sl: nodes.ServiceLevel, unit: str, target_ok: bool):
        form = award.form
        credit = award.kind == "credit"
        higher = higher_is_better(sl.target)
        target = met_interval(sl.target)
        if isinstance(form, nodes.Flat):
            self.amount(form.amount, sl)
        elif isinstance(form, nodes.Table):
            units_ok = target_ok
            for row in form.rows:
                self.amount(row.amount, sl)
                units_ok = self.two_sided(row.band) and units_ok
                quantities = band_quantities(row.band)
                for i, q in enumerate(quantities):
                    ok = self.quantity_unit(q, unit, f"'{sl.name.text}'", bare_ok=(i == 0 and len(quantities) == 2))
                    units_ok = units_ok and ok
            if not units_ok:  # a value in the wrong unit cannot be compared with the others
                return
            sided = [row for row in form.rows if self.row_side(row, credit, higher, target, sl)]
            if form.rule == "range":
                self.range_coverage(sided, credit, higher, target, sl, unit)
            self.row_order(sided, credit, higher, sl)
        elif isinstance(form, nodes.Linear):
            self.amount(form.amount, sl)
            if form.cap is not None:
                self.amount(form.cap, sl)
            self.quantity_unit(form.threshold, unit, f"'{sl.name.text}'")
            if form.step_unit not in step_units(unit):
                self.error("SLA203", f"'per {form.step_unit}' for a KPI measured in {unit}", award.span,
                           f"write 'per {step_units(unit)[0]}'")
            if form.step is not None and form.step <= 0:
                self.error("SLA220", f"'per {_edge(form.step)} {form.step_unit}' counts in steps of "
                           f"{_edge(form.step)}; the step must be above zero", award.span,
                           f"write 'per {form.step_unit.removesuffix('s')}' for steps of one")
            bad_side = "below" if higher else "above"
            wanted = bad_side if credit else ("above" if higher else "below")
            if form.side != wanted:
                self.error("SLA218", f"a {award.kind} per {form.step_unit.removesuffix('s')} {form.side} "
                           f"{_quantity_text(form.threshold)} pays for {'better' if credit else 'worse'} performance: "
                           f"the target is '{_target_text(sl)}'",
                           form.threshold.span, f"write '{wanted} {_quantity_text(form.threshold)}'")
        elif isinstance(form, nodes.Shortfall):
            if unit != "percent":
                self.error("SLA203", f"'the shortfall in points' needs a KPI in percent; '{sl.name.text}' is in {unit}",
                           award.span)
            self.amount(nodes.PercentOf(Decimal(1), form.base, award.span), sl)
            if form.cap is not None:
                self.amount(form.cap, sl)

    def two_sided(self, band: nodes.Band) -> bool:
        """`below 99.95% and at least 99.5%`: of the two comparisons, one bounds the row from below
        and the other from above, in either order."""
        if band.kind != "and":
            return True
        lower = [c.op in HIGHER_IS_BETTER_OPS for c in (band.first, band.second)]
        if lower[0] != lower[1]:
            return True
        side = "below" if lower[0] else "above"
        self.error("SLA230", f"both comparisons bound this row from {side}", band.span,
                   "write one bound from each side, as in 'below 99.95% and at least 99.5%' "
                   "or 'above 2 and below 4'")
        return False

    def row_side(self, row: nodes.Row, credit: bool, higher: bool, met: Interval, sl) -> bool:
        """Report a row on the wrong side of the target; False if it cannot apply as written,
        so that it is left out of the coverage and order checks of its table."""
        band = band_interval(row.band)
        toward_target = band.high if higher == credit else band.low
        kind, other_zone = ("credit", "meet") if credit else ("bonus", "miss")
        if toward_target is None:
            self.error("SLA207", f"this {kind} row is open toward the values that {other_zone} the target "
                       f"'{_target_text(sl)}'", row.band.span,
                       f"a {kind} row should read '{_side_example(credit, higher)} ...'")
            return False
        wrong_side = [met.contains(v) == credit for v in _interval_points(band)]
        if band.low is not None and band.high is not None and all(wrong_side):
            self.error("SLA207", f"this {kind} row can never apply: every value in it would "
                       f"{other_zone} the target '{_target_text(sl)}'", row.band.span,
                       f"a {kind} applies only where the target is {'missed' if credit else 'met'}")
            return False
        if any(wrong_side):
            self.warning("SLA207", f"this row reaches into values that {other_zone} the target "
                         f"'{_target_text(sl)}'; it applies only where the target is {'missed' if credit else 'met'}",
                         row.band.span)
        return True

    def row_order(self, rows, credit: bool, higher: bool, sl: nodes.ServiceLevel):
        """Rows from the mildest to the most extreme (of two on one threshold, the one including it
        is the milder: `at most 75%` before `below 75%`, as compile.py applies them); no row may earn
        less than a milder one. Amounts are compared as shares of an input or fixed money: on one
        base, a row earning less is an error; on two (a share of the fee against fixed money), it
        earns less only for some values of the input, which a warning states."""
        def mildness(row):
            band = band_interval(row.band)
            if higher == credit:
                return (-band.high, not band.high_included)
            return (band.low, not band.low_included)
        ordered = sorted(rows, key=mildness)
        for i, harsher in enumerate(ordered):
            worse = _on_one_base(harsher.amount, self.ruleset, sl)
            if worse is None:
                continue
            most: dict[str | None, tuple[Decimal, nodes.Row]] = {}  # base -> the milder row earning most on it
            for milder in ordered[:i]:
                on_base = _on_one_base(milder.amount, self.ruleset, sl)
                if on_base is not None and (on_base[0] not in most or on_base[1] > most[on_base[0]][0]):
                    most[on_base[0]] = (on_base[1], milder)
            for base, (share, milder) in most.items():
                self.compare_rows(harsher, worse, milder, (base, share), credit)

    def compare_rows(self, harsher: nodes.Row, worse, milder: nodes.Row, better, credit: bool):
        """Report where the harsher row earns less than the milder one; `worse` and `better` are
        their amounts as (input or None for money, share of the input or money)."""
        (worse_base, worse_share), (better_base, better_share) = worse, better
        what, verb = ("worse", "pays") if credit else ("better", "earns")
        if better_share == 0 or (worse_base == better_base and worse_share >= better_share):
            return
        resolved = [f"{printer.amount(row.amount)} is " + (f"{format_number(share * 100)}% of {base}" if base
                                                          else f"{self.currency} {self.money_text(share)}")
                    for row, (base, share) in ((harsher, worse), (milder, better))
                    if _through_the_pool(row.amount)]
        if worse_base == better_base or worse_share == 0:  # less whatever the inputs (above zero)
            self.error("SLA208", f"a {what} band earns less ({self.amount_text(harsher.amount)}) than the row "
                       f"at line {milder.span.line} ({self.amount_text(milder.amount)})", harsher.span,
                       *resolved, "rows must not pay less as performance moves further from the target")
            return
        if worse_base is None:  # fixed money against a share of an input: less once the input is large
            when = f"{better_base} is above {self.money_text(CONTEXT.divide(worse_share, better_share))}"
        elif better_base is None:  # a share of an input against fixed money: less while the input is small
            when = f"{worse_base} is below {self.money_text(CONTEXT.divide(better_share, worse_share))}"
        else:  # shares of two inputs: less while the one is small beside the other
            ratio = format_number(CONTEXT.divide(better_share, worse_share))
            when = f"{worse_base} is below {ratio} times {better_base}"
        self.warning("SLA208", f"a {what} band {verb} {self.amount_text(harsher.amount)}, less than "
                     f"{self.amount_text(milder.amount)} (line {milder.span.line}) whenever {when}", harsher.span,
                     *resolved, "rows on different bases compare only for some values of the base; "
                     "check the table at the values the contract expects")

    def money_text(self, value: Decimal) -> str:
        """An amount of money to the contract's minor unit; 'about' when it has more decimals."""
        shown = value.quantize(Decimal(1).scaleb(-self.money_digits), context=CONTEXT)
        return ("" if shown == value else "about ") + format_money(shown, self.money_digits)

    def amount_text(self, amount: nodes.Amount) -> str:
        """An amount as written, money to the contract's minor unit: 'USD 300.00', '5% of fee'."""
        if isinstance(amount, nodes.PercentOf):
            return printer.amount(amount)
        digits = max(self.money_digits, -amount.value.as_tuple().exponent)
        return f"{amount.currency} {format_money(amount.value, digits)}"

    @property
    def money_digits(self) -> int:
        return minor_unit_digits(self.currency) if self.currency else 2

    def range_coverage(self, rows, credit: bool, higher: bool, met: Interval, sl, unit):
        """Sweep the rows from low to high values; `reach` is the row that reaches highest so far,
        so a row nested inside a wide one is an overlap and not mistaken for a gap. On a KPI the
        contract reports on a grid (`reported to whole seconds`), only the grid's values count:
        `from 21 to 25 seconds` then follows `at most 20 seconds` with no gap."""
        step = grid_step(sl.measured)
        on_grid = []
        for row in rows:
            points = grid_points(band_interval(row.band), step)
            if points is None:
                self.error("SLA229", f"no value reported to {_grid_words(sl.measured.reported)} falls in this row",
                           row.band.span, "write the row's ends on the reporting grid")
            else:
                on_grid.append((points, row))
        if not on_grid:
            return
        met = grid_points(met, step) or met
        intervals = sorted(on_grid, key=lambda p: _low_key(p[0]))
        reach, reach_row = intervals[0]
        for b, rb in intervals[1:]:
            if reach.overlaps(b):
                self.error("SLA210", f"this range and the row at line {reach_row.span.line} both contain "
                           f"{_values(_intersection(reach, b), unit)[0]}", rb.band.span,
                           "in a 'by range' table each value must fall in exactly one row")
            else:
                gap = grid_points(reach.gap_to(b), step) if reach.gap_to(b) is not None else None
                if gap is not None:
                    start = (f"from {_edge(reach.high + step)} to ..." if step is not None else
                             ("above" if reach.high_included else "from") + f" {_edge(reach.high)} to ...")
                    values, plural = _values(gap, unit)
                    self.error("SLA209", f"{values} {'fall' if plural else 'falls'} in no row", rb.band.span,
                               f"start this row where the row at line {reach_row.span.line} ends: '{start}'")
            if _high_key(b) > _high_key(reach):
                reach, reach_row = b, rb
        runs_down = higher == credit
        far, far_row = intervals[0] if runs_down else (reach, reach_row)
        beyond = _beyond(far, runs_down, unit)
        beyond = grid_points(beyond, step) if beyond is not None else None
        if beyond is not None:
            values, plural = _values(beyond, unit)
            award = "no credit" if credit else "no bonus"
            open_band = (f"{'at most' if far.high_included else 'below'} {_unit_text(far.high, unit)}" if runs_down
                         else f"{'at least' if far.low_included else 'above'} {_unit_text(far.low, unit)}")
            self.error("SLA209", f"{values} {'fall' if plural else 'falls'} in no row: "
                       f"{'worse' if credit else 'better'} than this row, {'they earn' if plural else 'it earns'} "
                       f"{award}", far_row.band.span, f"write '{open_band}' to take this row to the end of the "
                       f"scale, or add a row for {'them' if plural else 'it'}")
        # A credit table should start where the target is missed, as a gap between rows is an
        # error. (A bonus table may well start above the target: that dead band, which earns
        # neither, is a common term.)
        if credit:
            dead = reach.gap_to(met) if higher else met.gap_to(intervals[0][0])
            dead = grid_points(dead, step) if dead is not None else None
            if dead is not None:
                values, plural = _values(dead, unit)
                self.error("SLA209", f"{values} {'miss' if plural else 'misses'} the target '{_target_text(sl)}' "
                           f"but {'are' if plural else 'is'} in no credit row, so {'they earn' if plural else 'it earns'} "
                           "no credit",
                           (reach_row if higher else intervals[0][1]).band.span,
                           "start the first row where the target is missed"
                           + ("" if step is not None else ", or, if the contract reports the value on a grid, "
                              f"state it: '{_grid_example(unit)}' after 'measured as ...'"))

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


def _grid_example(unit: str | None) -> str:
    return ", reported to 2 decimals" if unit == "percent" else f", reported to whole {step_units(unit)[1]}"


def _grid_words(reported: nodes.Reported) -> str:
    """`whole seconds`, `2 decimals`: the grid as the clause states it."""
    return printer.reported(reported).removeprefix("reported to ").split(",")[0]


def _never_missed(sl: nodes.ServiceLevel, unit: str | None) -> bool:
    """A target every value meets: at least 0, or at most 100% for a percentage."""
    c = sl.target.comparison
    return ((c.op == "at least" and c.quantity.value <= 0)
            or (unit == "percent" and c.op == "at most" and c.quantity.value >= 100))


def _worst_percent(sl: nodes.ServiceLevel, unit: str | None) -> Decimal | None:
    """The far end of a percentage on the miss side; None when the unit has no far end."""
    if unit != "percent":
        return None
    return Decimal(0) if higher_is_better(sl.target) else Decimal(100)


def _uncapped_maximum(sl, form, units) -> nodes.Amount | None:
    """The most a linear or shortfall credit gives before its cap, as an amount, if bounded."""
    worst = _worst_percent(sl, kpi_unit(sl, units))
    if worst is None:
        return None
    if isinstance(form, nodes.Shortfall):
        points = abs(sl.target.comparison.quantity.value - worst)
        return nodes.PercentOf(points, form.base)
    distance = abs(form.threshold.value - worst) / (form.step or 1)
    steps = distance.to_integral_value(rounding=ROUND_CEILING if form.rounding == "up" else ROUND_FLOOR)
    steps = distance if form.rounding == "pro rata" else steps
    if isinstance(form.amount, nodes.FixedMoney):
        return nodes.FixedMoney(form.amount.currency, form.amount.value * steps)
    return nodes.PercentOf(form.amount.percent * steps, form.amount.base)


def _at_most(amount: nodes.Amount, cap: nodes.Amount) -> bool:
    a, b = _comparable(amount), _comparable(cap)
    return a is not None and b is not None and a[0] == b[0] and a[1] <= b[1]


def _share_of_at_risk(sl, at_risk: nodes.PercentOf, units) -> Decimal | None:
    """The most a service level's credit can be, as a share of the amount at risk; None if unknown."""
    form = sl.credit.form
    if isinstance(form, nodes.Flat):
        amounts = [form.amount]
    elif isinstance(form, nodes.Table):
        amounts = [row.amount for row in form.rows]
    else:
        most = _uncapped_maximum(sl, form, units)
        if most is None and form.cap is None:
            return None
        amounts = [form.cap if most is None or (form.cap is not None and _at_most(form.cap, most)) else most]
    shares = [_as_share(a, sl, at_risk) for a in amounts]
    return None if None in shares else max(shares)


def _as_share(amount, sl, at_risk: nodes.PercentOf) -> Decimal | None:
    if not isinstance(amount, nodes.PercentOf):
        return None
    base = amount.base
    if isinstance(base, nodes.AtRiskBase):
        return amount.percent / 100
    if isinstance(base, nodes.AllocationBase) and sl.allocation is not None:
        allocation = _as_share(sl.allocation.amount, sl, at_risk)
        return None if allocation is None else amount.percent / 100 * allocation
    if isinstance(base, nodes.InputBase) and isinstance(at_risk.base, nodes.InputBase) \
            and base.name.text == at_risk.base.name.text and at_risk.percent:
        return amount.percent / at_risk.percent
    return None


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


def _on_one_base(amount: nodes.Amount, ruleset: nodes.Ruleset, sl: nodes.ServiceLevel | None,
                 through=(nodes.AtRiskBase, nodes.AllocationBase)) -> tuple[str | None, Decimal] | None:
    """The amount as (input, share of it), or (None, money) for fixed money: `50% of the allocation`
    with an allocation of 20% of the amount at risk, at risk 12% of fee, is ('fee', 0.012).
    None when it names an amount at risk or an allocation that is not defined (reported elsewhere)."""
    if isinstance(amount, nodes.FixedMoney):
        return None, amount.value
    share, base = CONTEXT.divide(amount.percent, HUNDRED), amount.base
    if isinstance(base, nodes.InputBase):
        return base.name.text, share
    inner = None
    if isinstance(base, nodes.AtRiskBase) and nodes.AtRiskBase in through and ruleset.of_type(nodes.AtRisk):
        inner = _on_one_base(ruleset.of_type(nodes.AtRisk)[0].amount, ruleset, sl, ())
    elif isinstance(base, nodes.AllocationBase) and nodes.AllocationBase in through \
            and sl is not None and sl.allocation is not None:
        inner = _on_one_base(sl.allocation.amount, ruleset, sl, (nodes.AtRiskBase,))
    return None if inner is None else (inner[0], CONTEXT.multiply(share, inner[1]))


def _through_the_pool(amount: nodes.Amount) -> bool:
    """A share of the amount at risk or of the allocation: what it comes to is worked out, not written."""
    return isinstance(amount, nodes.PercentOf) and isinstance(amount.base, (nodes.AtRiskBase, nodes.AllocationBase))


def _comparable(amount: nodes.Amount):
    if isinstance(amount, nodes.FixedMoney):
        return ("money", amount.value)
    return (repr(amount.base), amount.percent)


def _award_amounts(award: nodes.Award) -> list[nodes.Amount]:
    """Every amount an award names (the shortfall formula names its base as 1% of it)."""
    form = award.form
    if isinstance(form, nodes.Flat):
        return [form.amount]
    if isinstance(form, nodes.Table):
        return [row.amount for row in form.rows]
    if isinstance(form, nodes.Linear):
        return [form.amount] + ([form.cap] if form.cap is not None else [])
    return [nodes.PercentOf(Decimal(1), form.base, award.span)] + ([form.cap] if form.cap is not None else [])


def _beyond(far: Interval, runs_down: bool, unit: str | None) -> Interval | None:
    """The values past the far end of a table's furthest row, up to the end of the scale: 0 below
    (no value is negative), 100% above for a percentage, nothing above for any other unit."""
    if runs_down:
        if far.low is None or far.low < 0 or (far.low == 0 and far.low_included):
            return None
        return Interval(Decimal(0), True, far.low, not far.low_included)
    if far.high is None:
        return None
    if unit != "percent":
        return Interval(far.high, not far.high_included, None, False)
    if far.high > 100 or (far.high == 100 and far.high_included):
        return None
    return Interval(far.high, not far.high_included, HUNDRED, True)


def _low_key(interval: Interval):
    """Sort key of an interval's low end: unbounded first, then by value, an included end first."""
    return (interval.low is not None, interval.low or 0, not interval.low_included)


def _high_key(interval: Interval):
    """Sort key of an interval's high end: by value, an included end after an excluded one, unbounded last."""
    return (interval.high is None, interval.high or 0, interval.high_included)


def _intersection(a: Interval, b: Interval) -> Interval:
    low = max(a, b, key=_low_key)
    high = min(a, b, key=_high_key)
    return Interval(low.low, low.low_included, high.high, high.high_included)


def _values(interval: Interval, unit: str | None) -> tuple[str, bool]:
    """The values of an interval as the language writes a band ('the values from 60 to below 61%',
    'the value 65%'), and whether that is plural."""
    low, high = interval.low, interval.high
    if low is not None and low == high:
        return f"the value {_unit_text(low, unit)}", False
    if low is None:
        text = f"{'at most' if interval.high_included else 'below'} {_unit_text(high, unit)}"
    elif high is None:
        text = f"{'at least' if interval.low_included else 'above'} {_unit_text(low, unit)}"
    elif not interval.low_included and not interval.high_included:
        text = f"above {_edge(low)} and below {_unit_text(high, unit)}"
    else:
        text = (f"{'from' if interval.low_included else 'above'} {_edge(low)} to "
                f"{'' if interval.high_included else 'below '}{_unit_text(high, unit)}")
    return f"the values {text}", True


def _unit_text(value: Decimal, unit: str | None) -> str:
    return _quantity_text(nodes.Quantity(value, QUANTITY_UNIT_FOR.get(unit)))


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


def _quantity_text(q: nodes.Quantity) -> str:
    if q.unit == "percent":
        return f"{_edge(q.value)}%"
    unit = q.unit.removesuffix("s") if q.unit and q.value == 1 else q.unit  # 1 second, 2 seconds
    return f"{_edge(q.value)} {unit}" if unit else _edge(q.value)


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
