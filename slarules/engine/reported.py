"""The reporting grid: a KPI's value rounded as the contract reports it.

`measured as wait, reported to whole seconds` or `reported to 2 decimals, rounding half
even`: compile.py builds, for such a service level, one closure env -> (the value on the
grid, the value as measured); every comparison, tier and amount sees the first, the
outcome shows both. Rounding is exact: a Decimal value is quantized, a measurement that
divides is rounded from its exact fraction by integer arithmetic, never from a 34-digit
approximation, so a value a hair under a half-way point is not rounded as if it were on it.
"""
from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction
from typing import Callable

from ..core.money import ROUNDING_MODES
from ..language import nodes
from ..language.semantics import grid_step

# Quantizing and scaling values on the grid: exact, whatever their digits.
_EXACT = decimal.Context(prec=decimal.MAX_PREC, traps=[decimal.InvalidOperation, decimal.Overflow])


def compile_reported(measured: nodes.Measured, measure: Callable[[dict], Decimal],
                     fraction: Callable[[dict], tuple[Decimal, Decimal]] | None) -> Callable[[dict], tuple]:
    """env -> (the value rounded to the grid `measured.reported` states, the value as measured).
    `fraction`: the measurement as an exact fraction when it divides (compile.compile_fraction)."""
    quantum, mode = grid_step(measured), ROUNDING_MODES[measured.reported.mode or "half up"]

    def on_grid(env):
        value = measure(env)
        if fraction is None:
            return value.quantize(quantum, rounding=mode, context=_EXACT), value
        numerator, denominator = fraction(env)
        return round_exact(Fraction(numerator) / Fraction(denominator), quantum, mode), value
    return on_grid


def round_exact(value: Fraction, quantum: Decimal, mode: str) -> Decimal:
    """An exact rational rounded to a multiple of `quantum` with a decimal rounding mode
    (a measurement made exact elsewhere is rounded here the same way)."""
    steps = abs(value) / Fraction(quantum)
    whole, rest = divmod(steps.numerator, steps.denominator)
    rest = Fraction(rest, steps.denominator)
    half = Fraction(1, 2)
    away = {decimal.ROUND_HALF_UP: rest >= half, decimal.ROUND_HALF_DOWN: rest > half,
            decimal.ROUND_HALF_EVEN: rest > half or (rest == half and whole % 2 == 1),
            decimal.ROUND_UP: rest > 0, decimal.ROUND_DOWN: False}[mode]
    whole += away
    return _EXACT.multiply(Decimal(-whole if value < 0 else whole), quantum)
