"""Dimensions of measurements: what a `measured as` expression is a quantity of.

Input: an expression (nodes.Expr) and the unit each input is declared in.
Output: a Dimension (the units the value is in, as written: `minutes`, `money
per minute`, a ratio, a percentage) and every Mismatch found on the way (an
addition of unlike quantities, a quotient of minutes by seconds). The checker
turns mismatches into diagnostics and compares the dimension with the target;
semantics.kpi_unit reads the unit a checked measurement is in from it.

The rules (docs/reference.md, section 4, says them to users):

- an input is in its declared unit; `ratio` is a pure number, `percent` is a
  number of hundredths;
- the period's length (nodes.PeriodLength) is in its own unit: `minutes in
  the month` is minutes, `seconds in the period` seconds; `days` and `hours in
  the period`, for which the language has no unit, are counts (of days, of hours);
- `*` and `/` multiply and divide units: minutes / minutes is a ratio;
- a count multiplying or dividing another quantity counts items of it:
  `resolution_minutes / incidents` is minutes (an average per incident),
  `price * tickets` is money; a count by a count is a ratio; a count per
  minute stays a rate;
- `+` and `-` need like units (minutes - seconds, money + count are
  mismatches); a constant added takes the other side's unit (`down + 5`);
- a constant multiplier (`calls * 0.05`) keeps the unit, except the two
  conversions contracts write: a ratio times exactly 100 is a percentage (and
  a percentage divided by 100 a ratio); minutes times 60 are seconds (and
  seconds divided by 60 minutes);
- `, in percent` (Measured.in_percent) turns a ratio into a percentage; on
  anything else it is a mismatch.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import attrs

from . import nodes

# The units that are quantities of something; a count beside one of them counts items of it.
QUANTITIES = ("money", "seconds", "minutes", "score")
# The declared units with a dimension of their own (ratio is none: a pure number).
BASES = QUANTITIES + ("count", "percent")
# A literal too long to take part in unit conversions (check bounds literals far below this).
_FACTOR_DIGITS = 40

_HUNDRED, _SIXTY = Fraction(100), Fraction(60)
# The unit each of the period's lengths is in.
PERIOD_LENGTH_UNIT = {"minutes": "minutes", "seconds": "seconds", "days": "count", "hours": "count"}


@attrs.frozen
class Dimension:
    """A product of declared units with whole exponents, as written: minutes / count is
    (("minutes", 1),) once the count is read as 'per item'; {} is a pure number (a ratio).

    `factor` is the product of the constants multiplied in (None when unknown), kept only to
    tell a conversion (`* 100`, `* 60`) from a multiplier; `constant` marks a bare literal."""

    powers: tuple[tuple[str, int], ...] = ()
    factor: Fraction | None = Fraction(1)
    constant: bool = False

    @property
    def unit(self) -> str | None:
        """The declared unit it is in ('ratio' for a pure number), or None for a compound."""
        if not self.powers:
            return "ratio"
        if len(self.powers) == 1 and self.powers[0][1] == 1:
            return self.powers[0][0]
        return None

    @property
    def is_rate(self) -> bool:
        """One unit per another (calls per minute, money per second): a quotient the language accepts."""
        exponents = sorted(e for _, e in self.powers)
        return exponents == [-1, 1]

    def describe(self) -> str:
        """`minutes`, `a ratio`, `money per minute`, `money × minutes`."""
        unit = self.unit
        if unit is not None:
            return UNIT_WORDS[unit]
        above = [_power_word(b, e) for b, e in self.powers if e > 0]
        below = [_power_word(b, -e, singular=True) for b, e in self.powers if e < 0]
        text = " × ".join(above) if above else "1"
        return text + "".join(f" per {b}" for b in below)


UNIT_WORDS = {"ratio": "a ratio", "percent": "a percentage", "money": "money", "seconds": "seconds",
              "minutes": "minutes", "count": "a count", "score": "a score", "index": "an index"}
_SINGULAR = {"money": "unit of money", "seconds": "second", "minutes": "minute", "count": "item",
             "score": "point of score", "percent": "percent", "index": "point of index"}
_PLAIN = {"money": "money", "seconds": "seconds", "minutes": "minutes", "count": "count", "score": "score",
          "percent": "percent", "index": "index"}


def _power_word(base: str, exponent: int, singular=False) -> str:
    word = _SINGULAR[base] if singular else _PLAIN[base]
    return word if exponent == 1 else f"{word}^{exponent}"


@attrs.frozen
class Mismatch:
    """An operation whose units do not fit: `node` is the BinaryOp (or the Measured clause for
    `, in percent`), `message` says what it combines, `note` how to fix it."""

    node: object
    message: str
    note: str


def of_unit(unit: str) -> Dimension:
    """The dimension of an input declared in `unit`."""
    return Dimension(((unit, 1),)) if unit in BASES else Dimension()


def analyse(expr: nodes.Expr, units: dict[str, str]) -> tuple[Dimension | None, list[Mismatch]]:
    """The expression's dimension (None if a name is unknown or an operation mismatched)
    and every mismatch, innermost first."""
    found: list[Mismatch] = []
    return _dimension(expr, units, found), found


def measured(measured: nodes.Measured, units: dict[str, str]) -> tuple[Dimension | None, list[Mismatch]]:
    """A `measured as` clause's dimension, `, in percent` applied."""
    dimension, found = analyse(measured.expr, units)
    if dimension is None or not measured.in_percent:
        return dimension, found
    if dimension.unit == "ratio":
        return Dimension((("percent", 1),)), found
    if dimension.unit == "percent":
        note = "leave out ', in percent'"
        message = "', in percent' multiplies by 100 a value that is already a percentage"
    else:
        note = "', in percent' turns a ratio (such as a count divided by a count) into a percentage"
        message = f"', in percent' multiplies by 100 {dimension.describe()}, not a ratio"
    found.append(Mismatch(measured, message, note))
    return None, found


def _dimension(expr, units, found) -> Dimension | None:
    if isinstance(expr, nodes.Number):
        return Dimension(factor=_factor(expr.value), constant=True)
    if isinstance(expr, nodes.Reference):
        unit = units.get(expr.name.text)
        return None if unit is None else of_unit(unit)
    if isinstance(expr, nodes.PeriodLength):
        return of_unit(PERIOD_LENGTH_UNIT[expr.unit])
    left, right = _dimension(expr.left, units, found), _dimension(expr.right, units, found)
    if left is None or right is None:
        return None
    if expr.op in "+-":
        return _sum(expr, left, right, found)
    sign = 1 if expr.op == "*" else -1
    powers = dict(left.powers)
    for base, exponent in right.powers:
        powers[base] = powers.get(base, 0) + sign * exponent
    factor = _combine(left.factor, right.factor, expr.op)
    result = _converted(powers, factor, left.constant and right.constant)
    if not result.constant and {"seconds", "minutes"} <= {b for b, e in result.powers}:
        found.append(Mismatch(expr, f"'{expr.op}' combines minutes with seconds",
                              "write the durations in one unit: 'minutes * 60' is in seconds, "
                              "'seconds / 60' in minutes"))
        return None
    return result


def _sum(expr, left: Dimension, right: Dimension, found) -> Dimension | None:
    if left.constant and right.constant:
        both = None if left.factor is None or right.factor is None else (
            left.factor + right.factor if expr.op == "+" else left.factor - right.factor)
        return Dimension(factor=both, constant=True)
    if left.constant or right.constant:  # a number added to a quantity is in its unit
        return right if left.constant else left
    if left.powers != right.powers:
        note = "only quantities of the same unit can be added or subtracted"
        pair = {left.unit, right.unit}
        if pair == {"seconds", "minutes"}:
            note = "write both in one unit: 'minutes * 60' is in seconds, 'seconds / 60' in minutes"
        elif pair == {"ratio", "percent"}:
            note = "write both as percentages ('a / b * 100') or both as ratios ('p / 100')"
        found.append(Mismatch(expr, f"'{expr.op}' combines {left.describe()} with {right.describe()}", note))
        return None
    return Dimension(left.powers, left.factor if left.factor == right.factor else Fraction(1))


def _combine(left: Fraction | None, right: Fraction | None, op: str) -> Fraction | None:
    if left is None or right is None:
        return None
    if op == "*":
        return left * right
    return left / right if right else None


def _converted(powers: dict[str, int], factor: Fraction | None, constant: bool) -> Dimension:
    """The product read as contracts write it: the conversions by 100 and by 60, and a count
    beside a quantity (in its numerator) read as items of it."""
    if not constant:
        if factor == _HUNDRED and not any(powers.values()):
            powers, factor = {"percent": 1}, Fraction(1)
        elif factor == 1 / _HUNDRED and powers.get("percent", 0) >= 1:
            powers, factor = {**powers, "percent": powers["percent"] - 1}, Fraction(1)
        elif factor == _SIXTY and powers.get("minutes") == 1:
            powers, factor = {**powers, "minutes": 0, "seconds": powers.get("seconds", 0) + 1}, Fraction(1)
        elif factor == 1 / _SIXTY and powers.get("seconds") == 1:
            powers, factor = {**powers, "seconds": 0, "minutes": powers.get("minutes", 0) + 1}, Fraction(1)
    if any(powers.get(q, 0) > 0 for q in QUANTITIES):  # minutes per incident, money for all tickets
        powers = {**powers, "count": 0}
    return Dimension(tuple(sorted(((b, e) for b, e in powers.items() if e), key=lambda p: BASES.index(p[0]))),
                     factor, constant)


def _factor(value: Decimal) -> Fraction | None:
    """The literal as an exact fraction; None for one too long to be a conversion."""
    if not value.is_finite() or value.adjusted() > _FACTOR_DIGITS or len(value.as_tuple().digits) > _FACTOR_DIGITS:
        return None
    return Fraction(value)
