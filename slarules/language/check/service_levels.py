"""Service levels, their targets and awards: one measurement and one target
each, no clause twice; a target a percentage can reach; the credit and bonus
forms (flat, table, linear, shortfall) against the target; bonus gates;
missing inputs counted as a miss; cure, free passes and earn-back; and caps or
an amount at risk that no credit can reach.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from .. import nodes
from ..nouns import same_noun
from ..semantics import (
    SHORTFALL_UNIT_FOR,
    STEP_UNITS_FOR,
    allowance_bases,
    band_quantities,
    higher_is_better,
    kpi_table,
    kpi_unit,
    met_interval,
    step_units,
)
from .base import Checks, _about, _edge, _quantity_text, _reached, _target_text
from .quantities import _UNIT_PHRASE

# The step words that belong to a KPI's own unit: a count cannot be counted in points or seconds.
_KPI_STEP_WORDS = {word for words in STEP_UNITS_FOR.values() for word in words}


class ServiceLevelChecks(Checks):
    """Each service level: its clauses, target and awards."""

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
        unit = self.measurement(sl)
        if sl.measured is not None and sl.measured.reported is not None and unit is not None:
            self.reporting_grid(sl.measured.reported, unit)
        target_ok = False
        if sl.target is not None and unit is not None:
            if isinstance(sl.target.comparison.quantity, nodes.Share):
                target_ok = self.share(sl.target.comparison.quantity, unit, sl, sl.target)
            else:
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
        if sl.target is not None and unit is not None:
            self.shares_fit(sl)
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

    def shortfall_unit(self, quantity: nodes.Quantity, unit: str, sl: nodes.ServiceLevel, bare_ok: bool) -> bool:
        """A row of `credit by shortfall:` is written in the shortfall's unit: points for a percentage."""
        expected = SHORTFALL_UNIT_FOR.get(unit)
        if quantity.unit == expected or (bare_ok and quantity.unit is None):
            return True
        written = f"{_edge(quantity.value)} {expected}" if expected else _edge(quantity.value)
        self.error("SLA203", f"a shortfall of '{sl.name.text}' is measured in {expected or 'plain numbers'}",
                   quantity.span, f"write '{written}'")
        return False

    def target_in_range(self, sl: nodes.ServiceLevel, unit: str):
        """A percentage is never above 100: a target beyond it is never met, or always met."""
        op, value = sl.target.comparison.op, sl.target.comparison.quantity.value
        if unit != "percent" or not (value > 100 or (value == 100 and op == "above")):
            return
        outcome = "can never be met" if higher_is_better(sl.target) else "is always met"
        self.error("SLA213", f"a percentage is never above 100%, so the target '{_target_text(sl)}' {outcome}",
                   sl.target.span)

    def award(self, award: nodes.Award, sl: nodes.ServiceLevel, unit: str, target_ok: bool):
        form = award.form
        credit = award.kind == "credit"
        higher = higher_is_better(sl.target)
        if isinstance(form, nodes.Flat):
            self.amount(form.amount, sl)
        elif isinstance(form, nodes.Table) and not isinstance(sl.target.comparison.quantity, nodes.Share):
            target = met_interval(sl.target)
            units_ok = target_ok
            for row in form.rows:
                self.amount(row.amount, sl)
                units_ok = self.two_sided(row.band) and units_ok
                quantities = band_quantities(row.band)
                for i, q in enumerate(quantities):
                    bare_ok = i == 0 and len(quantities) == 2
                    if form.rule == "shortfall":
                        ok = self.shortfall_unit(q, unit, sl, bare_ok)
                    else:
                        ok = self.quantity_unit(q, unit, f"'{sl.name.text}'", bare_ok=bare_ok)
                    units_ok = units_ok and ok
            if not units_ok:  # a value in the wrong unit cannot be compared with the others
                return
            form = kpi_table(form, sl.target)  # bands on the shortfall: checked as the ranges of the KPI they are
            sided = [row for row in form.rows if self.row_side(row, credit, higher, target, sl)]
            if form.rule == "range":
                self.range_coverage(sided, credit, higher, target, sl, unit)
            self.row_order(sided, credit, higher, sl)
        elif isinstance(form, nodes.Linear):
            self.amount(form.amount, sl)
            if form.cap is not None:
                self.amount(form.cap, sl)
            if isinstance(form.threshold, nodes.Share):
                self.share(form.threshold, unit, sl, award)
            else:
                self.quantity_unit(form.threshold, unit, f"'{sl.name.text}'")
            # A percentage counts points, a time its seconds or minutes; a count, score or ratio
            # counts in the noun the contract uses (`per ticket`), any but another KPI's unit.
            if form.step_unit not in step_units(unit) and (unit in STEP_UNITS_FOR or form.step_unit in _KPI_STEP_WORDS):
                self.error("SLA203", f"'per {form.step_unit}' for a KPI measured in {unit}", award.span,
                           f"write 'per {step_units(unit)[0]}'")
            if form.counted is not None and not same_noun(form.step_unit, form.counted):
                self.error("SLA236", f"the amount is per '{form.step_unit}' but the counting phrase counts "
                           f"'{form.counted}'", award.span,
                           "the counting phrase names the unit again, in the singular or in the plural the "
                           "contract uses: 'per ticket resolved late ..., only whole tickets resolved late count'")
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
        elif isinstance(form, nodes.Table):  # against a share target: SLA238 (allowances.py)
            for row in form.rows:
                self.amount(row.amount, sl)
        elif isinstance(form, nodes.Shortfall):
            if unit != "percent":
                self.error("SLA203", f"'the shortfall in points' needs a KPI in percent; '{sl.name.text}' is in {unit}",
                           award.span)
            self.amount(nodes.PercentOf(Decimal(1), form.base, award.span), sl)
            if form.cap is not None:
                self.amount(form.cap, sl)

    def gate(self, sl: nodes.ServiceLevel):
        gate = sl.gate
        if sl.bonus is None:
            self.error("SLA206", f"'bonus only if' but service level '{sl.name.text}' has no bonus", gate.span)
        for name in gate.names:
            self.name_known(name, self.service_levels, "service level")
        if gate.kind == "no critical missed" and not self.any_critical:
            self.warning("SLA219", "no service level is marked critical, so this condition always holds", gate.span,
                         "write 'critical service level NAME' for the critical ones")

    def missing_policy(self, sl: nodes.ServiceLevel, unit: str | None):
        misses = self.missing_is_a_miss
        reads = (_references(sl.measured.expr) | allowance_bases(sl)) if sl.measured else set()
        if not (reads & misses) or sl.credit is None:
            return
        form = sl.credit.form
        unbounded = isinstance(form, (nodes.Linear, nodes.Shortfall)) and form.cap is None and (
            unit != "percent" or isinstance(getattr(form, "threshold", None), nodes.Share))
        if unbounded:
            self.error("SLA215", f"'{sl.name.text}' counts a missing input as a miss, but its credit has no maximum",
                       sl.credit.span, "add ', at most AMOUNT' so an unreported period has a definite credit")

    def spanning_clauses(self, sl: nodes.ServiceLevel):
        for clause, count, unit, what in ((sl.cure, "periods", "unit", "a cure period"),
                                          (sl.earn_back, "after", "unit", "an earn-back streak")):
            if clause is not None and getattr(clause, count) is not None and getattr(clause, unit) not in nodes.DAY_UNITS:
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

    def caps_that_never_bind(self):
        """A clause's cap no value can reach, or an at-risk amount all credits together cannot."""
        for sl in self.ruleset.service_levels:
            form = sl.credit.form if sl.credit is not None else None
            if isinstance(form, (nodes.Linear, nodes.Shortfall)) and form.cap is not None:
                most = _uncapped_maximum(sl, form, self.units)
                if most is not None and _at_most(most, form.cap):
                    self.note("SLA225", f"this cap can never bind: the most the credit can reach is "
                              f"{_reached(most)}", form.cap.span)
        at_risk = self.ruleset.of_type(nodes.AtRisk)
        if at_risk and isinstance(at_risk[0].amount, nodes.PercentOf):
            shares = [_share_of_at_risk(sl, at_risk[0].amount, self.units) for sl in self.ruleset.service_levels
                      if sl.credit is not None]
            if shares and None not in shares and sum(shares) <= 1:
                self.note("SLA225", f"the amount at risk can never bind: all credits together reach at most "
                          f"{_about(sum(shares) * 100)}% of it", at_risk[0].span)


def _never_missed(sl: nodes.ServiceLevel, unit: str | None) -> bool:
    """A target every value meets: at least 0, or at most 100% for a percentage."""
    c = sl.target.comparison
    if isinstance(c.quantity, nodes.Share):  # `at least 0% of INPUT`: a share of what is never below 0
        return c.op == "at least" and c.quantity.percent <= 0
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
    if worst is None or isinstance(sl.target.comparison.quantity, nodes.Share):
        return None  # no far end, or a threshold worked out each period
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


def _credit_maxima(sl: nodes.ServiceLevel, units) -> list[nodes.Amount] | None:
    """The amounts a service level's credit can reach at most (one per row of a table); None if unknown."""
    form = sl.credit.form
    if isinstance(form, nodes.Flat):
        return [form.amount]
    if isinstance(form, nodes.Table):
        return [row.amount for row in form.rows]
    most = _uncapped_maximum(sl, form, units)
    if most is None and form.cap is None:
        return None
    return [form.cap if most is None or (form.cap is not None and _at_most(form.cap, most)) else most]


def _share_of_at_risk(sl, at_risk: nodes.PercentOf, units) -> Decimal | None:
    """The most a service level's credit can be, as a share of the amount at risk; None if unknown."""
    amounts = _credit_maxima(sl, units)
    if amounts is None:
        return None
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


def _clause_word(clause) -> str:
    if isinstance(clause, nodes.Award):
        return f"'{clause.kind}'"
    return {nodes.Measured: "'measured as'", nodes.Target: "'target'", nodes.Volume: "'measured only when'",
            nodes.Allocation: "'allocation'", nodes.Gate: "'bonus only if'", nodes.Cure: "'cure'",
            nodes.FreePasses: "'free passes'", nodes.EarnBack: "'earn back'",
            nodes.Frequency: "'assessed'", nodes.Accountable: "'accountable'",
            nodes.LateReport: "'late report'"}[type(clause)]
