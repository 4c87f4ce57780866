"""A service level's measurement as closures: its value, its target's comparison.

Input: the checked nodes of one service level's `measured as` and target.
Output: the value env -> Decimal (compile_measure), which codegen.judge_function
puts together with the volume condition and the target into the service level's
judge, the comparisons of targets and table rows, and the exact fraction of a
measurement for money in proportion to it (compile_fraction). A KPI the contract reports on a grid
(`reported to 2 decimals`) is rounded to it first: the value every comparison,
tier and amount sees is the value on the grid, and the value as measured is
kept to be shown next to it (reported.py).

A measured value is never rounded before it is compared (compile_measure): one
input is its own value, a single division is rounded once to 34 digits, any
other expression is computed as one exact fraction and divided once, rounded to
odd, so that its comparisons with thresholds are those of the exact value. Turned
into money in proportion to it (a shortfall, units counted pro rata), a rounded
ratio could still put an amount exactly on half a cent the wrong way: those forms
take the measurement as an exact fraction (compile_fraction) and divide once,
rounding the last of 34 digits with ROUND_05UP, so that rounding the quotient to
cents, in any mode, gives what rounding the exact amount would.

The period's length (`minutes in the month`) is read from env under a key no
input can have (PERIOD_LENGTH_KEYS): evaluation puts period_lengths(days) there
for each period, from the calendar, before it measures.
"""
from __future__ import annotations

import decimal
import operator
from decimal import ROUND_05UP, Decimal
from typing import Callable

from ..core.money import CONTEXT, HUNDRED
from ..language import nodes
from ..language.semantics import Interval

# ---------------------------------------------------------------- expressions

# Numerators and denominators of an exact fraction: products and sums of exact decimals, never rounded.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, traps=[decimal.InvalidOperation, decimal.Overflow])
# One division of exact decimals rounded to odd (ROUND_05UP): rounding the quotient to cents afterwards,
# in any mode, gives what rounding the exact quotient would; and comparing it with a number of at most
# 33 significant digits (every threshold) gives what comparing the exact quotient would, since an inexact
# quotient never ends in the 0 such a number ends in at the 34th digit.
_QUOTIENT = decimal.Context(prec=CONTEXT.prec, rounding=ROUND_05UP, traps=[decimal.InvalidOperation])
_ONE = Decimal(1)

# The env keys of the period's lengths (a leading space: no input name can collide), and each one's
# size in the period's calendar days: a day has 24 hours, 1,440 minutes, 86,400 seconds.
PERIOD_LENGTH_KEYS = {unit: f" {unit} in the period" for unit in ("days", "hours", "minutes", "seconds")}
_PER_DAY = {"days": 1, "hours": 24, "minutes": 1440, "seconds": 86400}


def period_lengths(days: int) -> dict[str, Decimal]:
    """The env entries of a period of `days` calendar days: a 31-day month has 44,640 minutes."""
    return {PERIOD_LENGTH_KEYS[unit]: Decimal(days * per_day) for unit, per_day in _PER_DAY.items()}


def reads_period_length(expr: nodes.Expr) -> bool:
    """Whether the expression reads the period's length."""
    if isinstance(expr, nodes.PeriodLength):
        return True
    if isinstance(expr, nodes.BinaryOp):
        return reads_period_length(expr.left) or reads_period_length(expr.right)
    return False


def compile_fraction(measured: nodes.Measured) -> Callable[[dict], tuple[Decimal, Decimal]] | None:
    """The service level's value as an exact fraction, env -> (numerator, denominator),
    for a measurement that computes (None for one input or number: its value is already exact).
    A division by zero anywhere in it raises ZeroDivisionError."""
    if _is_operand(measured.expr):
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
    if isinstance(expr, (nodes.Reference, nodes.PeriodLength)):
        value = _operand(expr)
        return lambda env: (value(env), _ONE)
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


# ---------------------------------------------------------------- allowances: shares of another input

def compile_allowance(share: nodes.Share) -> Callable[[dict], Decimal]:
    """env -> the threshold `N% of INPUT` stands for in the period: N/100 × the input's value,
    exactly (a product of exact decimals, shifted two places). 3% of 1,010 tickets is 30.3."""
    base, percent = share.base.text, share.percent

    def allowance(env):
        return _EXACT.multiply(env[base], percent).scaleb(-2)
    return allowance


def compile_target(comparison: nodes.Comparison) -> Callable[[Decimal, dict], bool]:
    """(value, env) -> whether the value meets the target in the period env: against a fixed
    threshold, or against the allowance a share target (`at most 3% of opened`) works out
    from that period's inputs."""
    if not isinstance(comparison.quantity, nodes.Share):
        test = compile_comparison(comparison)
        return lambda value, env: test(value)
    allowance, reversed_op = compile_allowance(comparison.quantity), _REVERSED[comparison.op]

    def meets_allowance(value, env):
        return getattr(allowance(env), reversed_op)(value)
    return meets_allowance


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
    return isinstance(expr, (nodes.Reference, nodes.Number, nodes.PeriodLength))


def _operand(expr: nodes.Reference | nodes.Number | nodes.PeriodLength) -> Callable[[dict], Decimal]:
    if isinstance(expr, nodes.Number):
        constant = expr.value
        return lambda env: constant
    if isinstance(expr, nodes.PeriodLength):
        return operator.itemgetter(PERIOD_LENGTH_KEYS[expr.unit])
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


