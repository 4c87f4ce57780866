"""What one period leaves to the next, for each service level, window cap and
termination trigger: open cure windows and the credit lines they hold, free
passes used, streaks of met periods, credits not yet earned back, a quarter under
way, the past periods a window or a trigger still sees; and the JSON data of
each, written and read back (checked field by field, as state_fields.py reads a
field). state.py gathers them in the whole carry (Carry) and writes and reads its
JSON form (through state_format.py).
"""
from __future__ import annotations

from bisect import bisect_right
from decimal import Decimal
from operator import attrgetter
from typing import Callable, NamedTuple

import attrs

from ..core.source import Span
from .state_fields import FieldReader, shown

_HELD_KINDS = ("credit", "credit cap")  # the lines a cure window holds


class PendingLine(NamedTuple):
    """A line of a missed period's credit, held until its cure window closes. It names
    its clause as held_clauses() does (the state keeps the name, not a line of the ruleset,
    so an edit that moves lines keeps it true); `span` is where that clause is in the
    ruleset being run. Its sentence is built when read (most windows close cured, unread):
    `sentence` is the text read back from a state, or what builds it."""

    kind: str
    amount: Decimal
    clause: str
    span: Span
    sentence: str | Callable[[], str]

    @property
    def text(self) -> str:
        return self.sentence if isinstance(self.sentence, str) else self.sentence()


def held_clauses(sl) -> dict[str, Span]:
    """The clauses a held line of the compiled service level `sl` can cite, by name:
    "credit" (the clause), "credit row N" (the Nth row of its table as compiled, most
    severe first) and "credit cap". The terms' prints fix them for billed periods."""
    form, named = sl.credit.form, {}
    rows = getattr(form, "rows", None)
    if rows is None:
        named["credit"] = form.clause
    else:
        named.update((f"credit row {n}", row.clause) for n, row in enumerate(rows, 1))
    if sl.credit.cap_clause is not None:
        named["credit cap"] = sl.credit.cap_clause
    return named


class Pending(NamedTuple):
    """An open cure window: the miss of `missed_in`, cured if the service level is
    met by period index `cure_by` (None: `deadline`), otherwise its lines are assessed
    in period `deadline`. A window in days (cure_days.py) may close inside a period
    whose own result does not count: then cure_by is the period before the deadline.
    A service level's open windows are kept in order of deadline (see `opened`), so
    whether one closes in a period is a look at the first."""

    deadline: int
    missed_in: str
    lines: list[PendingLine]
    cure_by: int | None = None

    def cures_in(self, index: int) -> bool:
        """Whether the result of the period `index` counts toward this window."""
        return index <= (self.deadline if self.cure_by is None else self.cure_by)


def opened(pending: list[Pending], window: Pending) -> None:
    """Add a window to a service level's open windows, kept in order of deadline; windows
    with the same deadline in the order they opened (then their lines fall due in that order).
    A later window closes first only when an amendment shortened the cure period."""
    if pending and pending[-1].deadline > window.deadline:
        pending.insert(bisect_right(pending, window.deadline, key=attrgetter("deadline")), window)
    else:
        pending.append(window)


@attrs.define
class Partial:
    """A quarter (or year) under way for a service level assessed less often than the contract
    (frequencies.py): its first period, the periods seen, the sums of their inputs, the sum
    and count of their values (for an average), the inputs not reported, the periods
    excluded, and the reason of a waiver given for one of them (None: none)."""

    first: str
    periods: int = 0
    sums: dict[str, Decimal] = attrs.Factory(dict)
    values_sum: Decimal = Decimal(0)
    values_count: int = 0
    unreported: list[str] = attrs.Factory(list)
    excluded: list[str] = attrs.Factory(list)
    waived: str | None = None


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
    partial: Partial | None = None  # a quarter under way, for a service level assessed quarterly


class WindowEntry(NamedTuple):
    """A past period as a window sees it: its credits and the window's base input."""

    index: int
    label: str
    contract_year: int
    credits: Decimal
    base: Decimal
    missed: bool


@attrs.define
class TriggerCarry:
    fired: str | None = None  # the period the right first arose
    run: list[str] = attrs.Factory(list)  # consecutive misses so far, since the right last arose
    recent: list[WindowEntry] = attrs.Factory(list)  # the window's periods since the right last arose
    arisen: int = 0  # how many times the right has arisen
    # How many of `recent` count as missed: kept as the window moves (not saved; a state read
    # back counts them), so a trigger of N misses in any M periods does not count each period.
    misses: int = attrs.field()

    @misses.default
    def _counted(self) -> int:
        return sum(entry.missed for entry in self.recent)


def level_data(level: ServiceLevelCarry) -> dict:
    """A service level's carry as JSON data; `partial` only while a quarter is under way (the
    states of contracts without a quarterly service level stay as they were)."""
    data = {"pending": [{"deadline": p.deadline, "missed_in": p.missed_in,
                         "lines": [{"kind": line.kind, "amount": str(line.amount), "clause": line.clause,
                                    "text": line.text} for line in p.lines],
                         **({} if p.cure_by is None else {"cure_by": p.cure_by})}
                        for p in level.pending],
            "contract_year": level.contract_year, "passes_used": level.passes_used, "met_streak": level.met_streak,
            "outstanding": str(level.outstanding), "year_sum": str(level.year_sum), "year_count": level.year_count,
            "year_credits": str(level.year_credits)}
    if level.partial is not None:
        q = level.partial
        data["partial"] = {"first": q.first, "periods": q.periods, "sums": {k: str(v) for k, v in q.sums.items()},
                           "values_sum": str(q.values_sum), "values_count": q.values_count,
                           "unreported": list(q.unreported), "excluded": list(q.excluded), "waived": q.waived}
    return data


def copied(partial: Partial | None) -> Partial | None:
    """A quarter under way, its sums and lists copied (a period adds to them)."""
    if partial is None:
        return None
    return attrs.evolve(partial, sums=dict(partial.sums), unreported=list(partial.unreported),
                        excluded=list(partial.excluded))


def entry_data(entry: WindowEntry) -> dict:
    return {"index": entry.index, "label": entry.label, "contract_year": entry.contract_year,
            "credits": str(entry.credits), "base": str(entry.base), "missed": entry.missed}


class CarryReading(FieldReader):
    """What a state's JSON data holds for each service level, window cap and trigger, read
    back and checked against the ruleset: its cure periods, its credit clauses, its calendar."""

    def service_level(self, data, path: str, name: str) -> ServiceLevelCarry:
        self.record(data, path, ("pending", "contract_year", "passes_used", "met_streak", "outstanding",
                                 "year_sum", "year_count", "year_credits"), ("partial",))
        pending = self.items(data["pending"], f"{path}.pending")
        versions = [version_sl for version in (self.program, *(terms for _, terms in self.program.amendments))
                    for version_sl in version.service_levels if version_sl.name == name] if pending else []
        # A window in days (None): how many periods it spans depends on the holidays.
        cure = None if any(v.cure_days for v in versions) else max((v.cure for v in versions if v.cure), default=0)
        windows: list[Pending] = []
        for i, p in enumerate(pending):  # in order of deadline (a state saved before kept them as opened)
            opened(windows, self.pending(p, f"{path}.pending[{i}]", name, cure))
        return ServiceLevelCarry(
            windows,
            self.whole(data["contract_year"], f"{path}.contract_year"),
            self.whole(data["passes_used"], f"{path}.passes_used"),
            self.whole(data["met_streak"], f"{path}.met_streak"),
            self.decimal(data["outstanding"], f"{path}.outstanding", at_least_zero=True),
            self.decimal(data["year_sum"], f"{path}.year_sum"),
            self.whole(data["year_count"], f"{path}.year_count"),
            self.decimal(data["year_credits"], f"{path}.year_credits", at_least_zero=True),
            None if data.get("partial") is None else self.partial(data["partial"], f"{path}.partial"))

    def partial(self, data, path: str) -> Partial:
        """A quarter under way (frequencies.py): its labels on the calendar, its sums decimal numbers."""
        self.record(data, path, ("first", "periods", "sums", "values_sum", "values_count", "unreported",
                                 "excluded", "waived"))
        sums = data["sums"]
        if not isinstance(sums, dict) or not all(isinstance(name, str) for name in sums):
            self.fail(f"{path}.sums must be an object of sums, not {shown(sums)}")
        for field in ("unreported", "excluded"):
            if not all(type(item) is str for item in self.items(data[field], f"{path}.{field}")):
                self.fail(f"{path}.{field} must be a list of strings")
        if data["waived"] is not None and type(data["waived"]) is not str:
            self.fail(f"{path}.waived must be a string or null, not {shown(data['waived'])}")
        return Partial(self.label(data["first"], f"{path}.first"), self.whole(data["periods"], f"{path}.periods"),
                       {name: self.decimal(value, f"{path}.sums.{name}") for name, value in sums.items()},
                       self.decimal(data["values_sum"], f"{path}.values_sum"),
                       self.whole(data["values_count"], f"{path}.values_count"),
                       list(data["unreported"]), [self.label(x, f"{path}.excluded") for x in data["excluded"]],
                       data["waived"])

    def pending(self, data, path: str, name: str, cure: int | None) -> Pending:
        """An open window; `cure`: the most periods a window spans (None: a window in days)."""
        self.record(data, path, ("deadline", "missed_in", "lines"), ("cure_by",))
        missed_in = self.label(data["missed_in"], f"{path}.missed_in")
        deadline = self.whole(data["deadline"], f"{path}.deadline")
        missed = self.calendar.index(missed_in)
        cure_by = None
        if cure is None:
            cure = deadline - missed  # any span: the holidays decided it
            if "cure_by" in data:
                cure_by = self.whole(data["cure_by"], f"{path}.cure_by")
                if not missed <= cure_by < deadline:
                    self.fail(f"{path}.cure_by is {cure_by}: a window in days that closes inside its deadline's "
                              f"period is cured by {missed} to {deadline - 1}")
        elif "cure_by" in data:
            self.fail(f"{path} has cure_by, but {name}'s cure period counts periods, not days")
        if not missed < deadline <= missed + cure:
            closes = f"between {missed + 1} and {missed + cure}" if cure else "never: the ruleset has no cure period"
            self.fail(f"{path}.deadline is {deadline}, but a cure window opened in {missed_in} closes {closes}")
        if self.next_index is not None and deadline < self.next_index:
            self.fail(f"{path}.deadline is {deadline}, before {self.next_index}, the period the state continues "
                      "from: the window would never close")
        lines = self.items(data["lines"], f"{path}.lines")
        missed_under = next((sl for sl in self.program.in_force(missed).service_levels
                             if sl.name == name and sl.credit is not None), None)
        if lines and missed_under is None:
            self.fail(f"{path}.lines: {name} has no credit clause in the terms in force in {missed_in}")
        clauses = held_clauses(missed_under) if lines else {}
        return Pending(deadline, missed_in, [self.held_line(line, f"{path}.lines[{i}]", clauses)
                                             for i, line in enumerate(lines)], cure_by)

    def held_line(self, data, path: str, clauses: dict[str, Span]) -> PendingLine:
        """A held line, its clause resolved among `clauses` (those of its service level's terms
        when it was missed). States saved before held lines named their clause give its line;
        the clause that starts on it is taken (exact: those states were read only for the
        ruleset text they were made with), or, if the ruleset was edited since, the clause
        of the line's kind."""
        self.record(data, path, ("kind", "amount", "text"), ("clause", "line"))
        kind = data["kind"]
        if kind not in _HELD_KINDS:
            self.fail(f"{path}.kind must be {' or '.join(map(repr, _HELD_KINDS))}, not {shown(kind)}")
        amount = self.decimal(data["amount"], f"{path}.amount")
        if amount < 0 if kind == "credit" else amount > 0:  # a credit is owed, its cap cuts it
            self.fail(f"{path}.amount {amount} has the wrong sign for a {kind} line")
        if ("clause" in data) == ("line" in data):
            self.fail(f"{path} must have either 'clause' or 'line' (as saved before held lines named their clause)")
        if "clause" in data:
            clause = data["clause"]
            if type(clause) is not str or clause not in clauses or (kind == "credit cap" and clause != "credit cap"):
                self.fail(f"{path}.clause must name the clause of a {kind} line, one of "
                          f"{', '.join(map(repr, clauses))}, not {shown(clause)}")
        else:
            line = self.whole(data["line"], f"{path}.line", low=1)
            on_line = sorted((name for name, span in clauses.items() if span.line == line),
                             key=lambda name: (name == "credit cap") != (kind == "credit cap"))
            of_kind = "credit cap" if kind == "credit cap" and "credit cap" in clauses else next(iter(clauses))
            clause = on_line[0] if on_line else of_kind
        if type(data["text"]) is not str:
            self.fail(f"{path}.text must be a string, not {shown(data['text'])}")
        return PendingLine(kind, amount, clause, clauses[clause], data["text"])

    def trigger(self, data, path: str) -> TriggerCarry:
        """A trigger's progress. A state saved before rights arose more than once has no
        'arisen': a trigger that had fired then stopped counting, so it counts afresh now."""
        self.record(data, path, ("fired", "run", "recent"), ("arisen",))
        fired = None if data["fired"] is None else self.label(data["fired"], f"{path}.fired")
        if "arisen" not in data:
            return TriggerCarry(fired, [], [], 1) if fired is not None else TriggerCarry(
                None, *self.progress(data, path), 0)
        arisen = self.whole(data["arisen"], f"{path}.arisen")
        if (fired is None) != (arisen == 0):
            self.fail(f"{path}.arisen is {arisen}, but fired is {shown(data['fired'])}")
        return TriggerCarry(fired, *self.progress(data, path), arisen)

    def progress(self, data, path: str) -> tuple[list[str], list[WindowEntry]]:
        """A trigger's run of misses and its window's periods."""
        return ([self.label(label, f"{path}.run[{i}]")
                 for i, label in enumerate(self.items(data["run"], f"{path}.run"))],
                [self.entry(entry, f"{path}.recent[{i}]")
                 for i, entry in enumerate(self.items(data["recent"], f"{path}.recent"))])

    def entry(self, data, path: str) -> WindowEntry:
        self.record(data, path, ("index", "label", "contract_year", "credits", "base", "missed"))
        label = self.label(data["label"], f"{path}.label")
        index = self.whole(data["index"], f"{path}.index")
        if index != self.index_of(label):
            self.fail(f"{path}.index is {index}, but the index of {label} is {self.calendar.index(label)}")
        if self.next_index is not None and index >= self.next_index:
            self.fail(f"{path}.label {label} is not before {self.calendar.label(self.next_index)}, "
                      "the period the state continues from")
        year = self.whole(data["contract_year"], f"{path}.contract_year")
        if year != self.calendar.contract_year_of(index):
            self.fail(f"{path}.contract_year is {year}, but {label} is in contract year "
                      f"{self.calendar.contract_year_of(index)}")
        if not isinstance(data["missed"], bool):
            self.fail(f"{path}.missed must be true or false, not {shown(data['missed'])}")
        return WindowEntry(index, label, year, self.decimal(data["credits"], f"{path}.credits", at_least_zero=True),
                           self.decimal(data["base"], f"{path}.base", at_least_zero=True), data["missed"])
