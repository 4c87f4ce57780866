"""How the sentences write things: inline marks for a name from the ruleset
(code) and a reference to another clause (a link in HTML), numbers as written
or as worked out, counts, ordinals, lists joined by 'and' or 'or', months and
KPI values with their units.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ...core.money import format_number


# Inline marks inside a sentence: a name from the ruleset (rendered as code) and
# a reference to another clause (a link in HTML). Control characters cannot come
# from a ruleset's own strings: _plain() strips them.
_CODE, _END_CODE, _XREF, _END_XREF = "\x01", "\x02", "\x03", "\x04"
_MARKS = re.compile("[\x01-\x04]")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
             "tenth", "eleventh", "twelfth")


def _code(name: str) -> str:
    return f"{_CODE}{name}{_END_CODE}"


def _xref(number: str) -> str:
    return f"{_XREF}{number}{_END_XREF}"


def _plain(text: str) -> str:
    """A string written in the ruleset (a title, a description), with no control characters."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)


def _num(value: Decimal) -> str:
    """A number as written in the ruleset, with thousands separators: `99.0`, `3,000`."""
    return f"{value:,f}"


def _computed(value: Decimal) -> str:
    """A number the explanation worked out: normalized, `≈` when longer than four decimals."""
    return format_number(value)


def _plural(count: Decimal | int, noun: str) -> str:
    return noun if count == 1 else noun + "s"


def _count(count: Decimal | int, noun: str) -> str:
    """`1 month`, `3 months`."""
    return f"{_num(Decimal(count))} {_plural(count, noun)}"


def _ordinal(n: int) -> str:
    if n < len(_ORDINALS):
        return _ORDINALS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _or(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _month(month: str) -> str:
    """`2026-01` -> `January 2026`."""
    year, number = month.split("-")
    return f"{_MONTH_NAMES[int(number) - 1]} {year}"


def _qty(value: Decimal, unit: str | None, computed: bool = False) -> str:
    """A KPI value with its unit: `80%`, `20 seconds`, `1 minute`, `500`."""
    text = _computed(value) if computed else _num(value)
    if unit == "percent":
        return text + "%"
    if unit in ("seconds", "minutes"):
        return f"{text} {unit.removesuffix('s') if value == 1 else unit}"
    return text
