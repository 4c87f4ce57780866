"""Generated Python's common part: the Emitter, and a service level's judge.

The Emitter writes a module's text and the namespace it runs in: globals by
names of its own (an object the compiler built, `SL0_MEASURE`; a number,
`D_80` = `Decimal('80')`, its string the Decimal's canonical form checked
against NUMBER), code lines, and a header listing them. codegen.py's period
module is one; `judge_function` is the other: a service level's measurement,
volume condition and target as one generated function `judge(env) -> (value,
status, note, as measured)`, compiled when the ruleset is (compile.py), whose
lines the period module writes out again in its own names (`judging`). Input
names appear only as dictionary keys (`input_key`: checked against IDENTIFIER,
written with repr()); codegen.py's docstring states the rules in full.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Callable

import attrs

from ..language import nodes

# `value OP threshold` for a comparison as written (the threshold on the right)
_OPERATOR = {"at least": ">=", "at most": "<=", "above": ">", "below": "<"}

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?(E[+-]?[0-9]+)?\Z")


@attrs.frozen
class Measurement:
    """What a service level's judge is generated from (see judge_function). `measured`: the
    `measured as` node; `plain`: `measure` is its value as measure.compile_measure computes it
    (not averaged over a quarter, not on a reporting grid), so the common `a / b, in percent`
    and a single input are written out, any other measurement calls `measure`. `volume`:
    (input, comparison node, note) or None; `target`: the target's comparison node, compared
    in the code when fixed, through `meets(value, env)` when a share of an input. `reported`:
    for a KPI on a reporting grid, env -> (the value on the grid, the value as measured)
    (reported.py)."""

    measured: nodes.Measured
    plain: bool
    measure: Callable
    volume: tuple | None
    target: nodes.Comparison
    meets: Callable
    reported: Callable | None


def judge_source(measurement: Measurement) -> tuple[str, dict]:
    """The generated `judge(env) -> (value, status, note, as measured)` of one service level
    and the objects it names; see judge_function."""
    emitter = Emitter()
    emitter.line(0, "def judge(env):")
    emitter.line(1, '"""(value, status, note, as measured) of the service level in the period env."""')
    emitter.judging(1, "", measurement, "value", "status", "note", "as_measured")
    emitter.line(1, "return value, status, note, as_measured")
    return emitter.text("a service level's measurement, volume condition and target"), emitter.namespace


def judge_function(measurement: Measurement) -> Callable[[dict], tuple]:
    """A service level's measurement, volume condition and target in one generated function:
    env -> (value, status, note, as measured), status "met", "missed" or "not measured" (with
    the volume condition's note). The value on a reporting grid is judged and returned first,
    the value as measured last (None without a grid). A period not measured keeps the value
    it would have had (None when it divides by zero); a measured period that divides by zero
    raises ZeroDivisionError. The period's generated code writes the same lines out in its
    own names (`measurement` is kept on the function for it, the text as `source`)."""
    source, namespace = judge_source(measurement)
    exec(compile(source, "<slarules: a service level's judge>", "exec"), namespace)  # see the module docstring
    judge = namespace["judge"]
    judge.source, judge.measurement = source, measurement
    return judge


def whole_number(count) -> str:
    """A whole number of periods, as a literal."""
    if int(count) != count or count < 0:
        raise ValueError(f"not a whole number: {count!r}")
    return str(int(count))


def _nonzero(comparison: nodes.Comparison) -> bool:
    """Whether a volume condition holds only for a positive volume (at least 500, above 0)."""
    threshold = comparison.quantity.value
    return comparison.op == "at least" and threshold > 0 or comparison.op == "above" and threshold >= 0


def input_key(name: str) -> str:
    """An input's name as a dictionary key literal."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"not an identifier: {name!r}")
    return repr(name)


class Emitter:
    """Writes a module: globals (objects and numbers, by names of its own) and code lines."""

    def __init__(self) -> None:
        self.namespace: dict[str, object] = {"Decimal": Decimal}
        self.numbers: dict[str, str] = {}  # name -> canonical string
        self.objects: list[tuple[str, str]] = []  # (name, what it is), for the module's header
        self.code: list[str] = []
        self.shared_tests: dict[str, str] = {}  # a volume condition's expression -> the local holding it

    # ---- globals and lines
    def number(self, value: Decimal) -> str:
        """The global naming a number: D_80, D_0_02, D_minus_1E3."""
        text = str(value)
        if not isinstance(value, Decimal) or not NUMBER.match(text):
            raise ValueError(f"not a canonical decimal: {text!r}")
        name = "D_" + text.replace("-", "minus_").replace(".", "_").replace("+", "")
        if self.numbers.setdefault(name, text) != text:
            raise ValueError(f"two numbers named {name}: {self.numbers[name]!r} and {text!r}")
        self.namespace[name] = Decimal(text)
        return name

    def object(self, name: str, value: object, what: str) -> str:
        """The global `name` (this module's own) bound to an object the compiler built."""
        if name not in self.namespace:
            self.namespace[name] = value
            self.objects.append((name, what))
        return name

    def line(self, depth: int, text: str) -> None:
        self.code.append("    " * depth + text)

    def sl_name(self, sl) -> str:
        """A service level's name, for comments: an identifier, checked again."""
        if not IDENTIFIER.match(sl.name):
            raise ValueError(f"not an identifier: {sl.name!r}")
        return sl.name

    def text(self, what: str) -> str:
        header = [
            f"# Generated by slarules from the compiled terms: {what}.",
            "# Its globals are objects the compiler built from checked clauses; D_ names are numbers.",
            "#",
        ]
        header += [f"#   {name}: {what}" for name, what in self.objects]
        header += [f"{name} = Decimal({text!r})" for name, text in sorted(self.numbers.items())]
        return "\n".join(header + ["", ""] + self.code) + "\n"

    # ---- a service level's judge
    def judging(self, d: int, prefix: str, measurement: Measurement, value: str, status: str, note: str,
                as_measured: str) -> None:
        """Lines setting `value`, `status`, `note` and `as_measured` from env, naming the
        judge's objects with `prefix` (SL0_VOLUME_NOTE)."""
        measured, volume = measurement.measured, measurement.volume
        expr = measured.expr
        ratio = (measurement.plain and measured.in_percent and isinstance(expr, nodes.BinaryOp) and expr.op == "/"
                 and isinstance(expr.left, nodes.Reference) and isinstance(expr.right, nodes.Reference))
        if ratio and volume is not None and volume[0] == expr.right.name.text and _nonzero(volume[1]):
            # `a / b, in percent` measured only when b is at least (above) some positive volume:
            # the volume condition is tested first, and a period measured has a b to divide by
            left, right = input_key(expr.left.name.text), input_key(expr.right.name.text)
            self.line(d, f"if {self.volume_test(volume)}:")
            self.line(d + 1, f"{value}, {as_measured} = env[{left}] / env[{right}] * {self.number(Decimal(100))}, None")
            self.target(d + 1, prefix, measurement, value, status, note, "if")
            self.line(d, "else:  # not measured: the value it would have had (None: nothing to divide)")
            self.line(d + 1, f"divisor = env[{right}]")
            self.line(d + 1, f"{value}, {as_measured} = env[{left}] / divisor * {self.number(Decimal(100))} "
                             "if divisor else None, None")
            self.line(d + 1, f"{status}, {note} = 'not measured', {self.volume_note(prefix, volume)}")
            return
        if volume is not None:
            self.line(d, "try:")
        inner = d + (volume is not None)
        if measured.reported is not None:
            reported = self.object(f"{prefix}REPORTED", measurement.reported, "the value on the reporting grid")
            self.line(inner, f"{value}, {as_measured} = {reported}(env)")
        elif ratio:
            self.line(inner, f"divisor = env[{input_key(expr.right.name.text)}]")
            self.line(inner, "if not divisor:")
            self.line(inner + 1, "raise ZeroDivisionError")
            self.line(inner, f"{value}, {as_measured} = env[{input_key(expr.left.name.text)}] / divisor * "
                             f"{self.number(Decimal(100))}, None")
        elif measurement.plain and isinstance(expr, nodes.Reference) and not measured.in_percent:
            self.line(inner, f"{value}, {as_measured} = env[{input_key(expr.name.text)}], None")
        else:
            measure = self.object(f"{prefix}MEASURE", measurement.measure, "its measurement, as compiled")
            self.line(inner, f"{value}, {as_measured} = {measure}(env), None")
        test = "if"
        if volume is not None:
            self.line(d, "except ZeroDivisionError:")
            self.line(d + 1, f"{value} = {as_measured} = None")
            self.line(d, f"if not ({self.volume_test(volume)}):")
            self.line(d + 1, f"{status}, {note} = 'not measured', {self.volume_note(prefix, volume)}")
            self.line(d, f"elif {value} is None:")
            self.line(d + 1, "raise ZeroDivisionError")
            test = "elif"
        self.target(d, prefix, measurement, value, status, note, test)

    def volume_test(self, volume: tuple) -> str:
        """A volume condition (input, comparison node, note), as an expression, or the local
        holding it when several service levels share it (see shared_tests)."""
        comparison = volume[1]
        test = f"env[{input_key(volume[0])}] {_OPERATOR[comparison.op]} {self.number(comparison.quantity.value)}"
        return self.shared_tests.get(test, test)

    def volume_note(self, prefix: str, volume: tuple) -> str:
        return self.object(f"{prefix}VOLUME_NOTE", volume[2], "the volume condition, as a note")

    def target(self, d: int, prefix: str, measurement: Measurement, value: str, status: str, note: str,
               test: str) -> None:
        """`test` ("if" or "elif") `value` meets its target: met, else missed."""
        target = measurement.target
        if isinstance(target.quantity, nodes.Share):
            meets = self.object(f"{prefix}MEETS", measurement.meets, "whether a value meets its target")
            self.line(d, f"{test} {meets}({value}, env):")
        else:
            self.line(d, f"{test} {value} {_OPERATOR[target.op]} {self.number(target.quantity.value)}:")
        self.line(d + 1, f"{status}, {note} = 'met', None")
        self.line(d, "else:")
        self.line(d + 1, f"{status}, {note} = 'missed', None")
