"""What one period leaves to the next: the carry, and its JSON form.

Cure windows, free passes used, streaks of met periods and credits not yet
earned back, credits inside rolling windows, and the progress of every
termination trigger. Batch evaluation threads a Carry through the periods;
a billing run saves it after one period and loads it before the next, and gets
exactly the batch result, because both go through the same JSON form (the
batch starts from `Carry.initial(program)` read back through `from_data`).

The JSON is versioned (`format`) and names the ruleset it belongs to by the
SHA-256 of its text; loading it for another ruleset is an error (SLA403).
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Callable

import attrs

from ..core.diagnostics import Diagnostic, SlaError

STATE_FORMAT = "slarules.state/1"


@attrs.define
class PendingLine:
    """A line of a missed period's credit, held until its cure window closes. Its
    sentence is built when first read (most windows close cured, unread)."""

    kind: str
    amount: Decimal
    line: int  # of the clause in the ruleset
    _text: str | Callable[[], str] = attrs.field(alias="text")  # the sentence, or what builds it

    @property
    def text(self) -> str:
        if not isinstance(self._text, str):
            self._text = self._text()
        return self._text


@attrs.define
class Pending:
    """An open cure window: the miss of `missed_in`, cured if the service level is
    met by period index `deadline`, otherwise its lines are assessed then."""

    deadline: int
    missed_in: str
    lines: list[PendingLine]


@attrs.define
class ServiceLevelCarry:
    pending: list[Pending] = attrs.Factory(list)
    contract_year: int = 0  # the year the counters below belong to
    passes_used: int = 0
    met_streak: int = 0
    outstanding: Decimal = Decimal(0)  # credits not yet earned back
    year_sum: Decimal = Decimal(0)  # of measured values, for the contract-year average
    year_count: int = 0
    year_credits: Decimal = Decimal(0)


@attrs.define
class WindowEntry:
    """A past period as a window sees it: its credits and the window's base input."""

    index: int
    label: str
    contract_year: int
    credits: Decimal
    base: Decimal
    missed: bool


@attrs.define
class TriggerCarry:
    fired: str | None = None  # the period the right arose
    run: list[str] = attrs.Factory(list)  # consecutive misses so far
    recent: list[WindowEntry] = attrs.Factory(list)


@attrs.define
class Carry:
    fingerprint: str
    next_period: str | None
    service_levels: dict[str, ServiceLevelCarry]
    windows: list[list[WindowEntry]]
    triggers: list[TriggerCarry]

    @classmethod
    def initial(cls, program) -> "Carry":
        return cls(
            program.fingerprint,
            None,
            {sl.name: ServiceLevelCarry() for sl in program.service_levels},
            [[] for _ in program.window_caps],
            [TriggerCarry() for _ in program.triggers],
        )

    def to_data(self) -> dict:
        data = attrs.asdict(self, value_serializer=_to_json_value)
        data["ruleset"] = data.pop("fingerprint")
        return {"format": STATE_FORMAT, **data}

    def to_json(self) -> str:
        return json.dumps(self.to_data(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_data(cls, data, program, where: str = "<state>") -> "Carry":
        def fail(message, *notes):
            raise SlaError([Diagnostic("SLA404", message, None, notes, location=where)])

        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            fail(f"not a slarules state of format {STATE_FORMAT}")
        if data.get("ruleset") != program.fingerprint:
            raise SlaError([Diagnostic(
                "SLA403", f"this state was saved for another ruleset, not {program.path}", None,
                ("a state belongs to the exact ruleset text it was made with; "
                 "evaluate the whole history again to start a new state",), location=where)])
        try:
            carry = cls(
                program.fingerprint,
                data["next_period"],
                {name: ServiceLevelCarry(
                    [Pending(p["deadline"], p["missed_in"], [PendingLine(**line) for line in p["lines"]])
                     for p in sl["pending"]],
                    sl["contract_year"], sl["passes_used"], sl["met_streak"], sl["outstanding"],
                    sl["year_sum"], sl["year_count"], sl["year_credits"])
                 for name, sl in data["service_levels"].items()},
                [[WindowEntry(**entry) for entry in window] for window in data["windows"]],
                [TriggerCarry(t["fired"], t["run"], [WindowEntry(**e) for e in t["recent"]]) for t in data["triggers"]],
            )
            _decimals(carry)
        except KeyError as err:
            fail(f"the state file is damaged: it has no {err}")
        except (TypeError, ValueError, InvalidOperation, AttributeError) as err:
            fail(f"the state file is damaged: {err}")
        return carry

    @classmethod
    def from_json(cls, text: str, program, where: str) -> "Carry":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise SlaError([Diagnostic("SLA404", f"not valid JSON: {err.msg} at line {err.lineno}",
                                       location=where)]) from None
        return cls.from_data(data, program, where)


def _to_json_value(instance, field, value):
    if isinstance(instance, Pending) and field.name == "lines":
        return [{"kind": line.kind, "amount": str(line.amount), "line": line.line, "text": line.text}
                for line in value]
    return str(value) if isinstance(value, Decimal) else value


def _decimals(carry: Carry) -> None:
    """Turn the decimal strings of a loaded state back into Decimals."""
    for sl in carry.service_levels.values():
        sl.outstanding, sl.year_sum, sl.year_credits = (Decimal(sl.outstanding), Decimal(sl.year_sum),
                                                        Decimal(sl.year_credits))
        for pending in sl.pending:
            for line in pending.lines:
                line.amount = Decimal(line.amount)
    for entries in carry.windows + [t.recent for t in carry.triggers]:
        for entry in entries:
            entry.credits, entry.base = Decimal(entry.credits), Decimal(entry.base)
