"""What one period leaves to the next, for each service level, window cap and
termination trigger: open cure windows and the credit lines they hold, free
passes used, streaks of met periods, credits not yet earned back, a quarter under
way, the past periods a window or a trigger still sees; and the JSON data of
each. state.py gathers them in the whole carry (Carry) and writes and reads its
JSON form (through state_format.py).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

import attrs

from ..core.source import Span


@attrs.define
class PendingLine:
    """A line of a missed period's credit, held until its cure window closes. It names
    its clause as held_clauses() does (the state keeps the name, not a line of the ruleset,
    so an edit that moves lines keeps it true); `span` is where that clause is in the
    ruleset being run. Its sentence is built when first read (most windows close cured, unread)."""

    kind: str
    amount: Decimal
    clause: str
    span: Span = attrs.field(eq=False, repr=False)
    _text: str | Callable[[], str] = attrs.field(alias="text")  # the sentence, or what builds it

    @property
    def text(self) -> str:
        if not isinstance(self._text, str):
            self._text = self._text()
        return self._text


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


@attrs.define
class Pending:
    """An open cure window: the miss of `missed_in`, cured if the service level is
    met by period index `cure_by` (None: `deadline`), otherwise its lines are assessed
    in period `deadline`. A window in days (cure_days.py) may close inside a period
    whose own result does not count: then cure_by is the period before the deadline."""

    deadline: int
    missed_in: str
    lines: list[PendingLine]
    cure_by: int | None = None

    def cures_in(self, index: int) -> bool:
        """Whether the result of the period `index` counts toward this window."""
        return index <= (self.deadline if self.cure_by is None else self.cure_by)


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
    fired: str | None = None  # the period the right first arose
    run: list[str] = attrs.Factory(list)  # consecutive misses so far, since the right last arose
    recent: list[WindowEntry] = attrs.Factory(list)  # the window's periods since the right last arose
    arisen: int = 0  # how many times the right has arisen


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
