"""Credit and bonus forms as objects that assess a period's value, and the amounts they pay.

Input: a service level's checked `credit` or `bonus` clause. Output: a
CompiledAward whose form has `assess(value, env)` returning (exact amount,
source, detail) or None when it does not apply, and `worst(env)` for a period
whose data was not reported and counts as a miss. The source is the form or
table row that applied: its `clause` is the line item's clause and
`source.explain(env, detail)` the sentence, built only when read; detail is
what that sentence needs beyond env (the units counted), or None. `env` maps
input names (and the per-period pools, under keys no input can have: AT_RISK_KEY,
allocation_key) to exact Decimals. Amounts are `2% of monthly_fee` or `USD 1,500`
(CompiledAmount); money is rounded later, where evaluation makes a line of it.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Callable

import attrs

from ..core.money import CONTEXT, HUNDRED, format_given, format_number
from ..core.source import Span
from ..language import nodes, printer
from ..language.nouns import linear_nouns
from ..language.semantics import Interval, band_interval, describe_band, format_quantity, kpi_table
from .indexation import IndexedMoney, indexed_text, indexed_value
from .measure import compile_allowance, compile_fraction, compile_interval, exact_distance_amount

AT_RISK_KEY = " the amount at risk"  # leading space: no input name can collide


def allocation_key(service_level: str) -> str:
    return f" the allocation of {service_level}"



# ---------------------------------------------------------------- amounts

@attrs.frozen
class CompiledAmount:
    """`2% of monthly_fee` or `USD 1,500`: value(env) and a phrase showing the base."""

    value: Callable[[dict], Decimal]
    describe: Callable[[dict], str]
    span: Span | None
    factor: Decimal = Decimal(1)  # value(env) is factor × env[base_key], or factor when base_key is None
    base_key: str | None = None
    indexed: bool = False  # moved by indexation: value(env) is the factor indexed (indexation.py)


def compile_amount(amount: nodes.Amount, service_level: str | None, digits: int) -> CompiledAmount:
    if isinstance(amount, IndexedMoney):  # `amounts indexed to cpi, ...`: indexation.py
        return CompiledAmount(indexed_value(amount), indexed_text(amount, digits), amount.span, amount.value, None,
                              indexed=True)
    if isinstance(amount, nodes.FixedMoney):
        fixed = amount.value
        text = f"{amount.currency} {format_given(fixed, digits)}"
        return CompiledAmount(lambda env: fixed, lambda env: text, amount.span, fixed, None)
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

    return CompiledAmount(value, describe, amount.span, rate, key)


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
    threshold: Decimal | None  # None: a share of an input, worked out each period by `allowance`
    below: bool  # counts units below the threshold (else above)
    rounding: str  # "up" | "down" | "pro rata"
    worst_value: Decimal | None  # the unit's far end on the counted side, if bounded
    clause: Span
    step_text: str  # "point", "0.5 point"
    threshold_text: str
    rounding_text: str
    fraction: Callable[[dict], tuple[Decimal, Decimal]] | None = None  # the measurement, exactly, if pro rata
    step_text_one: str = ""  # step_text for one unit: "ticket resolved late", "× 0.5 point"
    allowance: Callable[[dict], Decimal] | None = None  # env -> the threshold `above 3% of opened` stands for

    @property
    def unbounded(self) -> bool:
        """Counting away from a threshold toward a unit with no far end (seconds above 40), or
        from an allowance, which a period with an input missing cannot work out: its most is the cap."""
        return self.worst_value is None or self.allowance is not None

    def threshold_in(self, env) -> Decimal:
        """The threshold in the period env: fixed, or the allowance worked out from its inputs."""
        return self.threshold if self.allowance is None else self.allowance(env)

    def units(self, value: Decimal, threshold: Decimal) -> Decimal:
        distance = threshold - value if self.below else value - threshold
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
        threshold = self.threshold_in(env)
        units = self.units(value, threshold)
        if not units:
            return None
        if self.fraction is not None:
            amount = exact_distance_amount(self.fraction, env, threshold, self.amount.value(env), self.step)
            return amount, self, units
        return units * self.amount.value(env), self, units

    def worst(self, env):
        # No worst value, or an allowance: the check requires a cap for such a clause, and the cap applies.
        if self.unbounded:
            return None
        units = self.units(self.worst_value, self.threshold_in(env))
        return (units * self.amount.value(env), self, units) if units else None

    def explain(self, env, units) -> str:
        side = "below" if self.below else "above"
        step = self.step_text if units != 1 else self.step_text_one
        threshold = self.threshold_text
        if self.allowance is not None:  # the allowance worked out: "3% of opened (30.3)"
            threshold += f" ({format_number(self.allowance(env))})"
        return (f"{format_number(units)} {step} {side} {threshold} "
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
            return exact_distance_amount(self.fraction, env, self.target, self.base.value(env), Decimal(1)), self, points
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


def compile_award(award: nodes.Award | None, sl, unit, higher, digits) -> CompiledAward | None:
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
        singular, plural = linear_nouns(form)
        share = form.threshold if isinstance(form.threshold, nodes.Share) else None
        compiled = LinearForm(
            amount=compile_amount(form.amount, name, digits),
            step=step,
            threshold=form.threshold.value if share is None else None,
            below=below,
            rounding=form.rounding,
            worst_value=worst,
            clause=award.span,
            step_text=plural if form.step is None else f"× {format_number(step)} {plural}",
            step_text_one=singular if form.step is None else f"× {format_number(step)} {singular}",
            threshold_text=(format_quantity(form.threshold.value, unit) if share is None
                            else printer.quantity(share)),
            rounding_text={"up": f"part {plural} count as whole",
                           "down": f"only whole {plural} count",
                           "pro rata": "pro rata"}[form.rounding],
            allowance=compile_allowance(share) if share is not None else None,
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
    return TableForm(tuple(sorted(rows, key=lambda row: row.interval.extremity_key(upper_edge))))


