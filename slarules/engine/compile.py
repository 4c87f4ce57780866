"""Compile pass: a checked Ruleset -> Terms, the contract's terms as closures.

Input: a nodes.Ruleset that check() passed with no error. Output: Terms,
plain Python closures that capture the node they came from (for the clause
reference and the sentence explaining each figure). Nothing a ruleset wrote is
ever turned into source text or eval'd. Problems here are bugs, not user errors.

A service level's measurement, minimum-volume condition and target compile to
one closure, `judge(env) -> (value, status, note, as measured)`, the first thing
evaluation runs for each service level in each period (compile_judge). A KPI the
contract reports on a grid (`reported to 2 decimals`) is rounded to it first: the
value every comparison, tier and amount sees is the value on the grid, and the
value as measured is kept to be shown next to it (reported.py).

Each credit and bonus form compiles to an object with `assess(value, env)`
returning (exact amount, source, detail) or None when it does not apply, and
`worst(env)` for a period whose data was not reported and counts as a miss. The
source is the form or table row that applied: its `clause` is the line item's
clause and `source.explain(env, detail)` the sentence, built only when read;
detail is what that sentence needs beyond env (the units counted), or None.
`env` maps input names (and the per-period pools, under keys no input can
have) to exact Decimals.

A measured value is never rounded before it is compared (compile_measure): one
input is its own value, a single division is rounded once to 34 digits, any
other expression is computed as one exact fraction and divided once, rounded to
odd, so that its comparisons with thresholds are those of the exact value. Turned
into money in proportion to it (a shortfall, units counted pro rata), a rounded
ratio could still put an amount exactly on half a cent the wrong way: those forms
take the measurement as an exact fraction (compile_fraction) and divide once,
rounding the last of 34 digits with ROUND_05UP, so that rounding the quotient to
cents, in any mode, gives what rounding the exact amount would.
"""
from __future__ import annotations

import decimal
import hashlib
import operator
from decimal import ROUND_05UP, ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Callable

import attrs

from ..core.money import CONTEXT, HUNDRED, Rounding, format_given, format_number, minor_unit_digits
from ..core.periods import Calendar
from ..core.source import Span
from ..language import nodes, printer
from ..language.printer import to_source
from ..language.semantics import (
    Interval,
    amended,
    band_interval,
    describe_band,
    describe_comparison,
    format_quantity,
    higher_is_better,
    kpi_table,
    kpi_unit,
)
from .reported import compile_reported

AT_RISK_KEY = " the amount at risk"  # leading space: no input name can collide

# Statuses of a service level in a period, grouped by what they mean for gates and streaks.
MET = frozenset({"met", "cured"})
MISSED = frozenset({"missed", "in cure"})  # "waived" counts toward termination unless the contract says not


def allocation_key(service_level: str) -> str:
    return f" the allocation of {service_level}"


# ---------------------------------------------------------------- amounts

@attrs.frozen
class CompiledAmount:
    """`2% of monthly_fee` or `USD 1,500`: value(env) and a phrase showing the base."""

    value: Callable[[dict], Decimal]
    describe: Callable[[dict], str]
    span: Span | None


def compile_amount(amount: nodes.Amount, service_level: str | None, digits: int) -> CompiledAmount:
    if isinstance(amount, nodes.FixedMoney):
        fixed = amount.value
        text = f"{amount.currency} {format_given(fixed, digits)}"
        return CompiledAmount(lambda env: fixed, lambda env: text, amount.span)
    base = amount.base
    if isinstance(base, nodes.InputBase):
        key, label = base.name.text, base.name.text
    elif isinstance(base, nodes.AtRiskBase):
        key, label = AT_RISK_KEY, "the amount at risk"
    else:
        key, label = allocation_key(service_level), "the allocation"
    rate = CONTEXT.divide(amount.percent, HUNDRED)
    percent = format_number(amount.percent)

    def value(env: dict) -> Decimal:
        return env[key] * rate

    def describe(env: dict) -> str:
        return f"{percent}% of {label} {format_given(env[key], digits)}"

    return CompiledAmount(value, describe, amount.span)


# ---------------------------------------------------------------- expressions

# Numerators and denominators of an exact fraction: products and sums of exact decimals, never rounded.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, traps=[decimal.InvalidOperation, decimal.Overflow])
# One division of exact decimals rounded to odd (ROUND_05UP): rounding the quotient to cents afterwards,
# in any mode, gives what rounding the exact quotient would; and comparing it with a number of at most
# 33 significant digits (every threshold) gives what comparing the exact quotient would, since an inexact
# quotient never ends in the 0 such a number ends in at the 34th digit.
_QUOTIENT = decimal.Context(prec=CONTEXT.prec, rounding=ROUND_05UP, traps=[decimal.InvalidOperation])
_ONE = Decimal(1)


def compile_fraction(measured: nodes.Measured) -> Callable[[dict], tuple[Decimal, Decimal]] | None:
    """The service level's value as an exact fraction, env -> (numerator, denominator),
    for a measurement that computes (None for one input or number: its value is already exact).
    A division by zero anywhere in it raises ZeroDivisionError."""
    if isinstance(measured.expr, (nodes.Reference, nodes.Number)):
        return None
    fraction = _fraction(measured.expr)
    if not measured.in_percent:
        return fraction

    def percent(env):
        numerator, denominator = fraction(env)
        return _EXACT.multiply(numerator, HUNDRED), denominator
    return percent


def _fraction(expr: nodes.Expr) -> Callable[[dict], tuple[Decimal, Decimal]]:
    if isinstance(expr, nodes.Number):
        constant = (expr.value, _ONE)
        return lambda env: constant
    if isinstance(expr, nodes.Reference):
        name = expr.name.text
        return lambda env: (env[name], _ONE)
    left, right, op = _fraction(expr.left), _fraction(expr.right), expr.op
    times = _EXACT.multiply

    def combine(env):
        (ln, ld), (rn, rd) = left(env), right(env)
        if op == "*":
            return times(ln, rn), times(ld, rd)
        if op == "/":
            if not rn:  # every denominator so far is a product of non-zero divisors
                raise ZeroDivisionError
            return times(ln, rd), times(ld, rn)
        across = _EXACT.add if op == "+" else _EXACT.subtract
        return across(times(ln, rd), times(rn, ld)), times(ld, rd)
    return combine


def exact_distance_amount(fraction, env, threshold: Decimal, per: Decimal, unit: Decimal) -> Decimal:
    """|threshold - value| / unit × per, for the value `fraction` measures in env: exact
    numerators, one division rounded so that rounding it to cents is exact."""
    numerator, denominator = fraction(env)
    distance = abs(_EXACT.subtract(_EXACT.multiply(threshold, denominator), numerator))
    return _QUOTIENT.divide(_EXACT.multiply(distance, per), abs(_EXACT.multiply(denominator, unit)))


# `value >= threshold` is `threshold <= value`: the threshold's own comparison, bound to it.
_REVERSED = {"at least": "__le__", "at most": "__ge__", "above": "__lt__", "below": "__gt__"}


def compile_comparison(comparison: nodes.Comparison) -> Callable[[Decimal], bool]:
    """value -> whether it satisfies the comparison (values and thresholds are Decimals)."""
    return getattr(comparison.quantity.value, _REVERSED[comparison.op])


def compile_measure(measured: nodes.Measured) -> Callable[[dict], Decimal]:
    """The service level's value: the expression, times 100 if `in percent`, never rounded
    before it is compared. One input is its own value; one division of two inputs (or
    numbers), the common `a / b, in percent`, is one Decimal division, rounded once. Any
    other expression is computed as one exact fraction (compile_fraction) and divided once,
    rounded to odd (_QUOTIENT), so that `a / b + a / b + a / b` is exactly 3 × a / b and its
    comparisons with the thresholds are those of the exact value. A division by zero raises
    ZeroDivisionError."""
    expr = measured.expr
    if _is_operand(expr):
        value = _operand(expr)
        if measured.in_percent:
            return lambda env: _EXACT.multiply(value(env), HUNDRED)
        return value
    if (measured.in_percent and expr.op == "/" and isinstance(expr.left, nodes.Reference)
            and isinstance(expr.right, nodes.Reference)):
        return _percentage(expr.left.name.text, expr.right.name.text)
    if expr.op == "/" and _is_operand(expr.left) and _is_operand(expr.right):
        return _single_division(_operand(expr.left), _operand(expr.right), measured.in_percent)
    fraction = compile_fraction(measured)
    divide = _QUOTIENT.divide

    def exact_then_divided(env):
        return divide(*fraction(env))
    return exact_then_divided


def _is_operand(expr: nodes.Expr) -> bool:
    return isinstance(expr, (nodes.Reference, nodes.Number))


def _operand(expr: nodes.Reference | nodes.Number) -> Callable[[dict], Decimal]:
    if isinstance(expr, nodes.Number):
        constant = expr.value
        return lambda env: constant
    return operator.itemgetter(expr.name.text)


def _percentage(numerator: str, denominator: str) -> Callable[[dict], Decimal]:
    """The most common measurement, `a / b, in percent`, with its inputs looked up in place."""
    def percentage(env):
        divisor = env[denominator]
        if not divisor:
            raise ZeroDivisionError
        return env[numerator] / divisor * HUNDRED
    return percentage


def _single_division(numerator, denominator, in_percent: bool) -> Callable[[dict], Decimal]:
    """numerator / denominator (× 100), in the evaluation's context (money.CONTEXT)."""
    def percentage(env):
        divisor = denominator(env)
        if not divisor:
            raise ZeroDivisionError
        return numerator(env) / divisor * HUNDRED

    def ratio(env):
        divisor = denominator(env)
        if not divisor:
            raise ZeroDivisionError
        return numerator(env) / divisor
    return percentage if in_percent else ratio


def compile_judge(measure, volume: tuple[str, Callable, str] | None, met, reported=None) -> Callable[[dict], tuple]:
    """measure, volume condition and target in one closure, run once per service level and
    period: env -> (value, status, note, as measured), status "met", "missed" or "not
    measured" (with the volume condition's note). `volume`: (input, test of its value, note),
    or None. `reported`: for a KPI the contract reports on a grid, env -> (the value on the
    grid, the value as measured) (compile_reported); the value on the grid is the one judged
    and returned first, the value as measured last (None without a grid). A period not
    measured keeps the value it would have had (None when it divides by zero); a measured
    period that divides by zero raises ZeroDivisionError."""
    if volume is None and reported is None:
        def judge(env):
            value = measure(env)
            return (value, "met", None, None) if met(value) else (value, "missed", None, None)
        return judge
    both = reported or (lambda env: (measure(env), None))
    volume_input, counted, note = volume or (None, None, None)

    def judge_volume(env):
        try:
            value, as_measured = both(env)
        except ZeroDivisionError:
            value = as_measured = None
        if counted is not None and not counted(env[volume_input]):
            return value, "not measured", note, as_measured
        if value is None:
            raise ZeroDivisionError
        return (value, "met", None, as_measured) if met(value) else (value, "missed", None, as_measured)
    return judge_volume


def compile_interval(interval: Interval) -> Callable[[Decimal], bool]:
    """value -> whether the interval contains it, as Interval.contains, with the ends bound."""
    above_low = above_high = None
    if interval.low is not None:
        above_low = getattr(interval.low, "__le__" if interval.low_included else "__lt__")
    if interval.high is not None:
        above_high = getattr(interval.high, "__ge__" if interval.high_included else "__gt__")
    if above_low is None or above_high is None:
        return above_low or above_high or (lambda value: True)
    return lambda value: above_low(value) and above_high(value)


# ---------------------------------------------------------------- credit and bonus forms

@attrs.frozen
class FlatForm:
    unbounded = False  # an unreported value has a worst value that bounds the credit

    amount: CompiledAmount
    clause: Span

    def assess(self, value, env):
        return self.amount.value(env), self, None

    def worst(self, env):
        return self.assess(None, env)

    def explain(self, env, detail=None) -> str:
        return self.amount.describe(env)


@attrs.frozen
class TierRow:
    interval: Interval
    amount: CompiledAmount
    clause: Span
    band: str
    contains: Callable[[Decimal], bool] = attrs.field(init=False, eq=False, repr=False)

    @contains.default
    def _contains(self):
        return compile_interval(self.interval)

    def explain(self, env, detail=None) -> str:
        return f"row '{self.band}': {self.amount.describe(env)}"


@attrs.frozen
class TableForm:
    """Rows most extreme first, so the first row that contains the value applies:
    the most severe (credits), the best (bonuses), or the only one (ranges)."""
    unbounded = False  # an unreported value has a worst value that bounds the credit


    rows: tuple[TierRow, ...]

    def assess(self, value, env):
        for row in self.rows:
            if row.contains(value):
                return row.amount.value(env), row, None
        return None

    def worst(self, env):
        row = self.rows[0]
        return row.amount.value(env), row, None


@attrs.frozen
class LinearForm:
    """An amount per unit of distance beyond a threshold, units rounded as written."""

    amount: CompiledAmount
    step: Decimal
    threshold: Decimal
    below: bool  # counts units below the threshold (else above)
    rounding: str  # "up" | "down" | "pro rata"
    worst_value: Decimal | None  # the unit's far end on the counted side, if bounded
    clause: Span
    step_text: str  # "point", "0.5 point"
    threshold_text: str
    rounding_text: str
    fraction: Callable[[dict], tuple[Decimal, Decimal]] | None = None  # the measurement, exactly, if pro rata

    @property
    def unbounded(self) -> bool:
        """Counting away from a threshold toward a unit with no far end (seconds above 40)."""
        return self.worst_value is None

    def units(self, value: Decimal) -> Decimal:
        distance = self.threshold - value if self.below else value - self.threshold
        if distance <= 0:
            return Decimal(0)
        units = distance / self.step if self.step != 1 else distance  # the same Decimal, without dividing
        if self.rounding == "up":
            return units.to_integral_value(ROUND_CEILING)
        if self.rounding == "down":
            return units.to_integral_value(ROUND_FLOOR)
        return units

    def assess(self, value, env):
        """What the measured `value` earns (the measurement is in env, for its exact fraction)."""
        units = self.units(value)
        if not units:
            return None
        if self.fraction is not None:
            amount = exact_distance_amount(self.fraction, env, self.threshold, self.amount.value(env), self.step)
            return amount, self, units
        return units * self.amount.value(env), self, units

    def worst(self, env):
        # No worst value: the check requires a cap for such a clause, and the cap applies.
        if self.worst_value is None:
            return None
        units = self.units(self.worst_value)
        return (units * self.amount.value(env), self, units) if units else None

    def explain(self, env, units) -> str:
        side = "below" if self.below else "above"
        step = self.step_text if units != 1 else self.step_text.removesuffix("s")
        return (f"{format_number(units)} {step} {side} {self.threshold_text} "
                f"({self.rounding_text}) × {self.amount.describe(env)}")


@attrs.frozen
class ShortfallForm:
    """`the shortfall in points as a percentage of BASE`: 97% target, 90% actual -> 7%."""
    unbounded = False  # an unreported value has a worst value that bounds the credit


    base: CompiledAmount  # 1% of the base, so shortfall × base.value is the credit
    target: Decimal
    clause: Span
    worst_value: Decimal
    fraction: Callable[[dict], tuple[Decimal, Decimal]] | None = None  # the measurement, exactly, if it divides

    def assess(self, value, env):
        """What the measured `value` earns (the measurement is in env, for its exact fraction)."""
        points = abs(self.target - value)
        if not points:
            return None
        if self.fraction is not None:
            return exact_distance_amount(self.fraction, env, self.target, self.base.value(env), _ONE), self, points
        return points * self.base.value(env), self, points

    def worst(self, env):
        points = abs(self.target - self.worst_value)
        return (points * self.base.value(env), self, points) if points else None

    def explain(self, env, points) -> str:
        base = self.base.describe(env).replace("1% of ", "", 1)
        return f"shortfall {format_number(points)} points = {format_number(points)}% of {base}"


Form = FlatForm | TableForm | LinearForm | ShortfallForm


@attrs.frozen
class CompiledAward:
    kind: str  # "credit" | "bonus"
    form: Form
    cap: CompiledAmount | None
    cap_clause: Span | None


@attrs.frozen
class EarnBackRule:
    """Return `rate` of a service level's outstanding credits after `after`
    consecutive met periods, or (after is None) at the end of a contract year
    whose average value meets the target."""

    rate: Decimal
    after: int | None
    clause: Span
    text: str


@attrs.frozen
class CompiledServiceLevel:
    name: str
    title: str | None
    critical: bool
    unit: str
    target_text: str  # "at least 80%"
    target: Decimal  # the threshold of the target
    higher_is_better: bool
    measure: Callable[[dict], Decimal]  # the value compared: on the reporting grid, if the contract states one
    measure_clause: Span
    met: Callable[[Decimal], bool]
    judge: Callable[[dict], tuple]  # env -> (value, status, note, as measured): see compile_judge
    counted: Callable[[dict], bool] | None  # the minimum-volume condition
    volume_note: str | None  # "measured only when calls_offered is at least 500"
    volume_input: str | None
    volume_threshold: Decimal | None
    measured_inputs: tuple[str, ...]  # the inputs `measured as` names, in source order, repeats kept
    reads: frozenset[str]  # inputs the measurement and volume condition read
    allocation: CompiledAmount | None
    credit: CompiledAward | None
    bonus: CompiledAward | None
    gate: Callable[[dict], str | None] | None  # {name: status before cures} -> why the bonus is withheld, or None
    cure: int | None  # periods within which a miss may be cured
    cure_text: str | None
    free_passes: int | None  # misses per contract year that are only warnings
    earn_back: EarnBackRule | None
    span: Span
    reported_text: str | None = None  # "reported to whole seconds": the grid its value is compared on


@attrs.frozen
class InputSpec:
    """A declared input and what happens when a period does not report it."""

    name: str
    unit: str
    missing: str  # "required" | "default" | "miss"
    default: Decimal | None
    span: Span


@attrs.frozen
class PeriodCap:
    """`at risk: ...` or `bonuses at most ...`: a cap on a period's credits or bonuses."""

    amount: CompiledAmount
    clause: Span


@attrs.frozen
class WindowRule:
    """A limit on credits over a window: `length` periods (None: the contract
    year so far), as money or as a share of an input summed over the window."""

    length: int | None
    money: Decimal | None
    rate: Decimal | None
    base: str | None
    clause: Span
    text: str  # the limit as written: "10% of monthly_fee in those months"

    def limit(self, bases: list[Decimal]) -> Decimal:
        return self.money if self.money is not None else sum(bases, Decimal(0)) * self.rate


@attrs.frozen
class TriggerRule:
    """When a right to terminate arises. kind: "in a row" (count consecutive
    misses), "in window" (count misses in any `length` periods), "floor" (the
    value beyond `floor` in one period), "credits" (credits over `window`
    above its limit), "many" (count or more service levels missed at once),
    "critical failure" (the period is a critical failure: see CriticalFailureRule)."""

    kind: str
    service_level: str | None
    count: int
    length: int | None
    floor: Callable[[Decimal], bool] | None
    window: WindowRule | None
    clause: Span
    text: str


# ---------------------------------------------------------------- critical service level failure

@attrs.frozen
class FailureTest:
    """One condition of a critical failure: kind "floor" (the service level at `position`
    with a counted value for which `floor` holds) or "many" (`count` or more service
    levels missed in the period)."""

    kind: str
    position: int | None
    floor: Callable[[Decimal], bool] | None
    count: int
    text: str  # a floor's comparison ("below 95%"), or the condition as written ("3 or more service ...")
    threshold: Decimal | None = None  # a floor's value


@attrs.frozen
class CriticalFailureRule:
    """`critical failure when ...`: in a period where any condition holds, `withhold` of
    the `base` input is withheld (never more than the input), the period's credits are
    replaced when `replaces_credits`, and a right to terminate arises when the clause
    says so (a TriggerRule of kind "critical failure" among the Terms' triggers)."""

    conditions: tuple[FailureTest, ...]
    withhold: CompiledAmount
    base: str
    replaces_credits: bool
    clause: Span
    withhold_clause: Span
    replace_clause: Span | None
    text: str  # the head as written: "critical failure when availability is below 95%"
    withhold_text: str  # "withhold 100% of monthly_charges"


@attrs.frozen
class Terms:
    """A compiled ruleset: everything evaluate() needs, nothing it must re-derive."""

    title: str
    currency: str
    calendar: Calendar
    rounding: Rounding
    inputs: tuple[InputSpec, ...]
    service_levels: tuple[CompiledServiceLevel, ...]
    at_risk: PeriodCap | None
    bonus_limit: PeriodCap | None
    netting: str
    netting_clause: Span | None
    window_caps: tuple[WindowRule, ...]
    triggers: tuple[TriggerRule, ...]
    critical_failure: CriticalFailureRule | None
    waived_misses_count: bool  # toward termination
    excluded_periods_break_streaks: bool
    path: str
    fingerprint: str  # sha256 of the ruleset text: a saved state belongs to exactly this ruleset
    amendments: tuple[tuple[int, "Terms"], ...] = ()  # (first period index, terms in force from it)

    def in_force(self, index: int) -> "Terms":
        """The terms in force in the period with this calendar index."""
        terms = self
        for first, program in self.amendments:
            if index >= first:
                terms = program
        return terms

    def without_cures(self) -> "Terms":
        """These terms with every cure window set aside, so a miss is charged in its own period.

        In a run of identical periods each period charges the credit of the miss
        one cure period before it, computed from that month: the same credit,
        under the same caps, as a miss charged at once. Tools that sweep one
        typical period (report curves, verify's cliff scan) evaluate these
        terms, in one period whatever the length of the cure window."""
        levels = tuple(attrs.evolve(sl, cure=None, cure_text=None) for sl in self.service_levels)
        return attrs.evolve(self, service_levels=levels,
                            amendments=tuple((first, terms.without_cures()) for first, terms in self.amendments))


def compile_terms(ruleset: nodes.Ruleset) -> Terms:
    program = _terms(ruleset)
    versions = []
    in_force = ruleset
    for amendment in ruleset.amendments:
        in_force = amended(in_force, amendment)
        versions.append((program.calendar.index(program.calendar.label_of_month(amendment.effective)),
                         _terms(in_force, program.fingerprint)))
    return attrs.evolve(program, amendments=tuple(versions))


def _terms(ruleset: nodes.Ruleset, fingerprint: str | None = None) -> Terms:
    header = {type(term): term for term in ruleset.contract.terms}
    currency = header[nodes.Currency].code
    rounding_node = header.get(nodes.Rounding)
    digits = minor_unit_digits(currency)
    if rounding_node is not None and rounding_node.minor_unit is not None:
        digits = 2 if rounding_node.minor_unit == "cents" else 0
    rounding = Rounding(rounding_node.mode if rounding_node else "half up", digits)
    periodicity = header[nodes.Assessed].periodicity if nodes.Assessed in header else "monthly"
    units = {i.name.text: i.unit for i in ruleset.inputs}
    inputs = tuple(_input_spec(i) for i in ruleset.inputs)
    netting = ruleset.of_type(nodes.Netting)
    calendar = Calendar(periodicity, header[nodes.Starts].month)
    policies = {p.policy for p in ruleset.of_type(nodes.StreakPolicy)}
    critical = tuple(sl.name.text for sl in ruleset.service_levels if sl.critical)
    service_levels = tuple(_service_level(sl, units, digits, calendar, critical) for sl in ruleset.service_levels)
    return Terms(
        title=ruleset.contract.title,
        currency=currency,
        calendar=calendar,
        rounding=rounding,
        inputs=inputs,
        service_levels=service_levels,
        at_risk=_period_cap(ruleset.of_type(nodes.AtRisk), digits),
        bonus_limit=_period_cap(ruleset.of_type(nodes.BonusLimit), digits),
        netting=netting[0].policy if netting else "paid separately",
        netting_clause=netting[0].span if netting else None,
        window_caps=tuple(_window(c.window, c.limit, c.span, calendar) for c in ruleset.of_type(nodes.WindowCap)),
        triggers=_triggers(ruleset, calendar, units),
        critical_failure=_critical_failure(ruleset, digits),
        waived_misses_count="waived misses do not count" not in policies,
        excluded_periods_break_streaks="excluded periods break streaks" in policies,
        path=ruleset.source.path if ruleset.source else "<string>",
        fingerprint=fingerprint or hashlib.sha256(
            (ruleset.source.text if ruleset.source else to_source(ruleset)).encode()).hexdigest(),
    )


def _window(window: nodes.Window, limit, clause: Span, calendar: Calendar) -> WindowRule:
    length = None if window.kind == "contract year" else calendar.periods_in(window.length, window.unit)
    those = "that year" if window.kind == "contract year" else f"those {window.unit}s"
    text = printer.window_limit(limit, those)
    if isinstance(limit, nodes.FixedMoney):
        return WindowRule(length, limit.value, None, None, clause, text)
    return WindowRule(length, None, CONTEXT.divide(limit.percent, HUNDRED), limit.base.text, clause, text)


def _triggers(ruleset: nodes.Ruleset, calendar: Calendar, units) -> tuple[TriggerRule, ...]:
    """The termination triggers in source order, a critical failure's right to terminate among them."""
    triggers = []
    for section in ruleset.sections:
        if isinstance(section, nodes.Termination):
            triggers.append(_trigger(section, calendar, units))
        elif isinstance(section, nodes.CriticalFailure) and section.may_terminate is not None:
            triggers.append(TriggerRule("critical failure", None, 1, None, None, None, section.may_terminate.span,
                                        f"{printer.critical_failure_head(section)}: the client may terminate"))
    return tuple(triggers)


def _critical_failure(ruleset: nodes.Ruleset, digits: int) -> CriticalFailureRule | None:
    found = ruleset.of_type(nodes.CriticalFailure)
    if not found:
        return None
    cf = found[0]  # check.py allows one
    position = {sl.name.text: i for i, sl in enumerate(ruleset.service_levels)}
    units = {i.name.text: i.unit for i in ruleset.inputs}
    tests = []
    for c in cf.conditions:
        if isinstance(c, nodes.FailureFloor):
            at = position[c.service_level.text]
            unit = kpi_unit(ruleset.service_levels[at], units)
            tests.append(FailureTest("floor", at, compile_comparison(c.comparison), 1,
                                     describe_comparison(c.comparison, unit), c.comparison.quantity.value))
        else:
            tests.append(FailureTest("many", None, None, int(c.count), printer.failure_condition(c)))
    withhold = cf.withhold
    share = nodes.PercentOf(withhold.percent, nodes.InputBase(withhold.base), withhold.span)
    not_accrued = cf.credits_not_accrued
    return CriticalFailureRule(
        conditions=tuple(tests),
        withhold=compile_amount(share, None, digits),
        base=withhold.base.text,
        replaces_credits=not_accrued is not None,
        clause=cf.span,
        withhold_clause=withhold.span,
        replace_clause=not_accrued.span if not_accrued is not None else None,
        text=printer.critical_failure_head(cf),
        withhold_text=printer.withhold(withhold),
    )


def _trigger(termination: nodes.Termination, calendar: Calendar, units) -> TriggerRule:
    t = termination.trigger
    text = printer.termination(termination)
    clause = termination.span
    if isinstance(t, nodes.MissedInARow):
        return TriggerRule("in a row", t.service_level.text, calendar.periods_in(t.count, t.unit), None, None, None,
                           clause, text)
    if isinstance(t, nodes.MissedInWindow):
        return TriggerRule("in window", t.service_level.text, int(t.times), calendar.periods_in(t.length, t.unit),
                           None, None, clause, text)
    if isinstance(t, nodes.BelowFloor):
        return TriggerRule("floor", t.service_level.text, 1, None, compile_comparison(t.comparison), None,
                           clause, text)
    if isinstance(t, nodes.CreditsExceed):
        window = nodes.Window("rolling", t.length, t.unit)
        return TriggerRule("credits", None, 1, None, None, _window(window, t.limit, clause, calendar), clause, text)
    return TriggerRule("many", None, int(t.count), None, None, None, clause, text)


def _input_spec(inp: nodes.Input) -> InputSpec:
    if isinstance(inp.missing, nodes.DefaultValue):
        return InputSpec(inp.name.text, inp.unit, "default", inp.missing.value, inp.span)
    if isinstance(inp.missing, nodes.MissingIsMiss):
        return InputSpec(inp.name.text, inp.unit, "miss", None, inp.span)
    return InputSpec(inp.name.text, inp.unit, "required", None, inp.span)


def _period_cap(terms, digits) -> PeriodCap | None:
    if not terms:
        return None
    return PeriodCap(compile_amount(terms[0].amount, None, digits), terms[0].span)


def _names_in(expr) -> list[str]:
    if isinstance(expr, nodes.Reference):
        return [expr.name.text]
    if isinstance(expr, nodes.BinaryOp):
        return _names_in(expr.left) + _names_in(expr.right)
    return []


def _references(expr) -> frozenset[str]:
    if isinstance(expr, nodes.Reference):
        return frozenset({expr.name.text})
    if isinstance(expr, nodes.BinaryOp):
        return _references(expr.left) | _references(expr.right)
    return frozenset()


def _service_level(sl: nodes.ServiceLevel, units: dict[str, str], digits: int, calendar: Calendar,
                   critical: tuple[str, ...]) -> CompiledServiceLevel:
    unit = kpi_unit(sl, units)
    expr = compile_measure(sl.measured)
    reported = None
    if sl.measured.reported is not None:  # every comparison sees the value on the reporting grid
        reported = compile_reported(sl.measured, expr, compile_fraction(sl.measured))
        expr = lambda env: reported(env)[0]  # noqa: E731
    higher = higher_is_better(sl.target)
    reads = _references(sl.measured.expr)
    counted = volume_note = volume = None
    if sl.volume is not None:
        test = compile_comparison(sl.volume.comparison)
        volume_input = sl.volume.input.text
        counted = lambda env: test(env[volume_input])  # noqa: E731
        volume_note = f"measured only when {volume_input} is {describe_comparison(sl.volume.comparison, units[volume_input])}"
        volume = (volume_input, test, volume_note)
        reads |= {volume_input}
    name = sl.name.text
    met = compile_comparison(sl.target.comparison)
    return CompiledServiceLevel(
        name=name,
        title=sl.title,
        critical=sl.critical,
        unit=unit,
        target_text=describe_comparison(sl.target.comparison, unit),
        target=sl.target.comparison.quantity.value,
        higher_is_better=higher,
        measure=expr,
        measure_clause=sl.measured.span,
        met=met,
        judge=compile_judge(expr, volume, met, reported),
        counted=counted,
        volume_note=volume_note,
        volume_input=sl.volume.input.text if sl.volume else None,
        volume_threshold=sl.volume.comparison.quantity.value if sl.volume else None,
        measured_inputs=tuple(_names_in(sl.measured.expr)),
        reads=reads,
        allocation=compile_amount(sl.allocation.amount, name, digits) if sl.allocation else None,
        credit=_award(sl.credit, sl, unit, higher, digits),
        bonus=_award(sl.bonus, sl, unit, higher, digits),
        gate=_gate(sl.gate, critical) if sl.gate else None,
        cure=calendar.periods_in(sl.cure.periods, sl.cure.unit) if sl.cure else None,
        cure_text=printer.clause(sl.cure) if sl.cure else None,
        free_passes=int(sl.free_passes.count) if sl.free_passes else None,
        earn_back=_earn_back(sl.earn_back, calendar) if sl.earn_back else None,
        span=sl.span,
        reported_text=printer.reported(sl.measured.reported) if sl.measured.reported else None,
    )


def _earn_back(earn_back: nodes.EarnBack, calendar: Calendar) -> EarnBackRule:
    after = calendar.periods_in(earn_back.after, earn_back.unit) if earn_back.after is not None else None
    return EarnBackRule(CONTEXT.divide(earn_back.percent, HUNDRED), after, earn_back.span, printer.clause(earn_back))


def _award(award: nodes.Award | None, sl, unit, higher, digits) -> CompiledAward | None:
    if award is None:
        return None
    name = sl.name.text
    credit = award.kind == "credit"
    form = award.form
    cap = None
    if isinstance(form, nodes.Flat):
        compiled = FlatForm(compile_amount(form.amount, name, digits), award.span)
    elif isinstance(form, nodes.Table):
        compiled = _table(form, sl.target, name, credit == higher, digits)
    elif isinstance(form, nodes.Linear):
        below = form.side == "below"
        worst = None
        if unit == "percent":
            worst = Decimal(0) if below else HUNDRED
        elif below:
            worst = Decimal(0)
        step = form.step if form.step is not None else Decimal(1)
        plural = form.step_unit if form.step_unit.endswith("s") else form.step_unit + "s"
        step_text = plural if form.step is None else f"× {format_number(step)} {plural}"
        compiled = LinearForm(
            amount=compile_amount(form.amount, name, digits),
            step=step,
            threshold=form.threshold.value,
            below=below,
            rounding=form.rounding,
            worst_value=worst,
            clause=award.span,
            step_text=step_text,
            threshold_text=format_quantity(form.threshold.value, unit),
            rounding_text={"up": f"part {plural} count as whole",
                           "down": f"only whole {plural} count",
                           "pro rata": "pro rata"}[form.rounding],
            # Whole units (up, down) of a rounded ratio are exact: a quotient of counts is never
            # within 34 digits of a whole number it does not equal.
            fraction=_exact_fraction(sl.measured) if form.rounding == "pro rata" else None,
        )
        cap = form.cap
    else:
        one_percent = nodes.PercentOf(Decimal(1), form.base, award.span)
        compiled = ShortfallForm(
            compile_amount(one_percent, name, digits),
            sl.target.comparison.quantity.value,
            award.span,
            Decimal(0) if higher else HUNDRED,
            _exact_fraction(sl.measured),
        )
        cap = form.cap
    return CompiledAward(
        award.kind,
        compiled,
        compile_amount(cap, name, digits) if cap is not None else None,
        cap.span if cap is not None else None,
    )


def _exact_fraction(measured: nodes.Measured):
    """The measurement as an exact fraction for money in proportion to it, or None when the
    value is exact already: it does not divide, or it is rounded to the reporting grid."""
    return compile_fraction(measured) if measured.reported is None else None


def _table(form: nodes.Table, target: nodes.Target, name: str, upper_edge: bool, digits: int) -> TableForm:
    """Order rows most extreme first. `upper_edge`: the rows' upper ends face the target
    (credits on a higher-is-better KPI, bonuses on a lower-is-better one). Bands on the
    shortfall compare the KPI values they stand for, and read as written."""
    rows = []
    prefix = "shortfall " if form.rule == "shortfall" else ""
    for written, row in zip(form.rows, kpi_table(form, target).rows):
        interval = band_interval(row.band)
        rows.append(TierRow(interval, compile_amount(row.amount, name, digits), row.span,
                            prefix + describe_band(written.band)))

    def extremity(row: TierRow):
        edge = row.interval.high if upper_edge else row.interval.low
        closed = row.interval.high_included if upper_edge else row.interval.low_included
        return (edge, closed) if upper_edge else (-edge, closed)

    return TableForm(tuple(sorted(rows, key=extremity)))


def _gate(gate: nodes.Gate, critical: tuple[str, ...]) -> Callable[[dict], str | None]:
    """statuses -> why the bonus is withheld, or None; `critical`: the critical service
    levels, in declaration order."""
    if gate.kind == "named met":
        names = tuple(n.text for n in gate.names)

        def named(statuses):
            unmet = [n for n in names if statuses[n] not in MET]
            return f"withheld: {', '.join(unmet)} not met" if unmet else None
        return named
    if gate.kind == "all met":
        def all_met(statuses):
            unmet = [n for n, status in statuses.items() if status not in MET]
            return f"withheld: {', '.join(unmet)} not met" if unmet else None
        return all_met

    def no_critical_missed(statuses):
        missed = [n for n in critical if statuses[n] in MISSED]
        return f"withheld: critical {', '.join(missed)} missed" if missed else None
    return no_critical_missed
