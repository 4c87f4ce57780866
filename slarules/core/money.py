"""Money: exact decimals and the contract's rounding.

Amounts stay exact Decimals through every computation and are quantized only
where a line item is produced, to the currency's minor unit with the contract's
rounding mode. All arithmetic runs in CONTEXT, never the caller's global
decimal context, so a host application cannot change our results.
"""
from __future__ import annotations

import decimal
import re
from decimal import Decimal

import attrs

# Enough digits that a ratio of two KPI counts keeps all its significance.
CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

ROUNDING_MODES = {
    "half up": decimal.ROUND_HALF_UP,
    "half even": decimal.ROUND_HALF_EVEN,
    "half down": decimal.ROUND_HALF_DOWN,
    "up": decimal.ROUND_UP,
    "down": decimal.ROUND_DOWN,
}

# ISO 4217 (list one, current codes) minor units for every currency whose minor unit is not
# two digits. Codes ISO gives no minor unit (XAU, XDR, XTS, XXX, ...) keep the default of two.
_MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def minor_unit_digits(currency: str) -> int:
    """The decimals of the currency's minor unit: 2 for USD, 0 for JPY, 3 for KWD, 4 for CLF."""
    return _MINOR_UNITS.get(currency, 2)


@attrs.frozen
class Rounding:
    """How the contract rounds a line item: a mode and a number of decimals."""

    mode: str = "half up"
    digits: int = 2

    @property
    def quantum(self) -> Decimal:
        """The minor unit as a Decimal exponent: 0.01 for two digits."""
        return Decimal(1).scaleb(-self.digits)

    @property
    def decimal_mode(self) -> str:
        """The decimal module's rounding constant for `mode`."""
        return ROUNDING_MODES[self.mode]

    def rounder(self):
        """A function rounding an amount to a line item's precision (built once: it runs per line).
        Code already running in CONTEXT (evaluate.py) calls amount.quantize(quantum, decimal_mode)."""
        quantum, mode = self.quantum, self.decimal_mode
        return lambda amount: amount.quantize(quantum, rounding=mode, context=CONTEXT)

    def describe(self) -> str:
        unit = "cents" if self.digits == 2 else f"{self.digits} decimals"
        return f"{self.mode} to {unit}"


_NON_ZERO_DIGITS = re.compile(r"[1-9]")


def unsigned_zero(text: str) -> str:
    """A formatted number with the sign of a zero dropped: nothing shows -0 or -0.00."""
    return text[1:] if text.startswith("-") and not _NON_ZERO_DIGITS.search(text) else text


def plain_money(amount: Decimal, digits: int) -> str:
    """`1200.00`: exactly `digits` decimals, no separators (JSON and CSV; never `-0.00`)."""
    return unsigned_zero(f"{amount:.{digits}f}")


def format_money(amount: Decimal, digits: int) -> str:
    """`1,200.00`: thousands separated, exactly `digits` decimals (never `-0.00`)."""
    return unsigned_zero(f"{amount:,.{digits}f}")


def format_given(amount: Decimal, digits: int) -> str:
    """An input or a base as given, for a sentence: like format_money, but never fewer
    decimals than the value has, so `1% of fee 149.6` is not shown as `1% of fee 150`."""
    _, figures, exponent = amount.as_tuple()
    if not isinstance(exponent, int):
        return format_money(amount, digits)
    significant = "".join(map(str, figures)).rstrip("0")
    decimals = max(digits, -(exponent + len(figures) - len(significant))) if significant else digits
    return unsigned_zero(f"{amount:,.{decimals}f}")


def format_number(value: Decimal) -> str:
    """A KPI value or a rate for a sentence: exact, without exponent or needless zeros.

    Values with more than four decimals (a ratio such as 2/3) are shown to four
    decimals with a leading '≈', so a reader is never misled into thinking the
    shown digits are the whole value.
    """
    if value == value.to_integral_value():
        return unsigned_zero(f"{value.quantize(Decimal(1)):,}")
    exponent = value.normalize(CONTEXT).as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -4:
        return f"{value.normalize(CONTEXT):,f}"
    return "≈" + unsigned_zero(f"{value.quantize(Decimal('0.0001'), context=CONTEXT).normalize(CONTEXT):,f}")


def format_beside(value: Decimal, threshold: Decimal) -> str:
    """format_number, with as many more decimals as it takes not to show a value that
    differs from `threshold` as equal to it: '99.49999%' beside a target of 99.5%, not '≈99.5%'."""
    text = format_number(value)
    if value == threshold or Decimal(text.lstrip("≈").replace(",", "")) != threshold:
        return text
    for places in range(5, CONTEXT.prec):
        shown = value.quantize(Decimal(1).scaleb(-places), context=CONTEXT)
        if shown != threshold:
            return ("" if shown == value else "≈") + f"{shown.normalize(CONTEXT):,f}"
    return f"{value.normalize(CONTEXT):,f}"
