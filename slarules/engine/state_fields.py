"""How a saved state's fields are read: JSON numbers no state holds kept as
written (so an error can name them), and each kind of field checked: an object
and its fields, a list, a whole number, a decimal written as a string, a period
label on the contract's calendar. The first fault is SLA404 naming the field.
carry.py and state_format.py read what the fields hold.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal

from ..core.diagnostics import Diagnostic, SlaError
from ..core.periods import EXAMPLE_LABEL

_MAX_DIGITS = 18  # of a counter or a period index
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?(?:E[+-]?\d+)?")  # as str(Decimal) writes a finite one
_MAX_DECIMAL = 80  # characters
_DAMAGED_NOTE = ("a state is written only by slarules: restore the copy saved with the last billing run, "
                 "or evaluate the whole history again to make a new one",)


class Literal(str):
    """A JSON number no state holds (a fraction, NaN, Infinity, a whole number of
    more digits than any counter), kept as its text so the error can name it."""


def whole_literal(text: str):
    """A whole JSON number as an int, or, longer than any counter, as a Literal."""
    return int(text) if len(text.lstrip("-")) <= _MAX_DIGITS else Literal(text)


class FieldReader:
    """The kinds of field of a state's JSON data, each read and checked for the ruleset's
    `program`; `where` names the state in every diagnostic."""

    def __init__(self, program, where: str):
        self.program, self.where, self.calendar = program, where, program.calendar
        self.next_index: int | None = None  # the period the state continues from, once read
        self.indices: dict[str, int | None] = {}  # of the labels read

    def index_of(self, label: str) -> int | None:
        if label not in self.indices:
            self.indices[label] = self.calendar.index(label)
        return self.indices[label]

    def fail(self, message: str):
        raise SlaError([Diagnostic("SLA404", f"the state file is damaged: {message}", None, _DAMAGED_NOTE,
                                   location=self.where)])

    def record(self, data, path: str, fields: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        if not isinstance(data, dict):
            self.fail(f"{path} must be an object, not {shown(data)}")
        for name in fields:
            if name not in data:
                self.fail(f"{path} has no {name!r}")
        for name in data:
            if name not in fields and name not in optional:
                self.fail(f"{path} has an unknown field {name!r}")

    def mapping(self, data, path: str, names: list[str]) -> dict:
        if not isinstance(data, dict):
            self.fail(f"{path} must be an object, not {shown(data)}")
        for name in names:
            if name not in data:
                self.fail(f"{path} has no {name!r}: the ruleset has that service level")
        for name in data:
            if name not in names:
                self.fail(f"{path} has {name!r}, which the ruleset has no service level of")
        return {name: data[name] for name in names}

    def items(self, data, path: str, count: int | None = None, what: str = "") -> list:
        if not isinstance(data, list):
            self.fail(f"{path} must be a list, not {shown(data)}")
        if count is not None and len(data) != count:
            self.fail(f"{path} has {len(data)} entries, but the ruleset has {count} {what}")
        return data

    def whole(self, data, path: str, low: int = 0, high: int = 10 ** _MAX_DIGITS) -> int:
        if isinstance(data, Literal) and data.lstrip("-").isdigit():
            self.fail(f"{path} is {shown(data)}, out of its range {low} to {high}")
        if type(data) is not int:
            self.fail(f"{path} must be a whole number, not {shown(data)}")
        if not low <= data <= high:
            self.fail(f"{path} is {data}, out of its range {low} to {high}")
        return data

    def decimal(self, data, path: str, at_least_zero: bool = False) -> Decimal:
        if type(data) is not str or len(data) > _MAX_DECIMAL or not _DECIMAL.fullmatch(data):
            self.fail(f"{path} must be a decimal number written as a string (\"1200.00\"), not {shown(data)}")
        value = Decimal(data)
        if at_least_zero and value < 0:
            self.fail(f"{path} is {data}, but it is never negative")
        return value

    def label(self, data, path: str) -> str:
        if type(data) is not str or len(data) > 16 or self.index_of(data) is None:
            self.fail(f"{path} must be a period label like {EXAMPLE_LABEL[self.calendar.periodicity]!r}, "
                      f"not {shown(data)}")
        return data


def shown(value) -> str:
    """A value as an error message names it: its JSON type, and a short view of it."""
    if isinstance(value, Literal):
        digits = len(value.lstrip("-"))
        return f"a number of {digits} digits" if value.lstrip("-").isdigit() else f"the number {value[:40]}"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        return "the string " + json.dumps(value if len(value) <= 40 else value[:40] + "...")
    if isinstance(value, int):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "an object"
