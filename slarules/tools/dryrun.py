"""Dry run: proposed terms against current terms, over the same KPI history.

Input: two Programs and one History, read with reading_terms(): data that
holds the inputs of both rulesets, each side taking the inputs it declares (a
proposal that adds an input compares); and optionally the service levels
renamed, {current name: proposed name}, so that a renamed service level is one
row rather than absent on one side and new on the other. Output: a Comparison, period by period and in total: per
service level the credits, earn-back and bonuses under each ruleset and the
difference (proposed - current), the totals of each side, and the termination
rights each ruleset would have given. A service level only one ruleset has is
absent (None) on the other side and counts as zero in the difference; a
renamed one is shown under its proposed name, and a waiver or exclusion of its
current name applies to it on both sides.

Errors: SlaError, as for any evaluation: a period label one program cannot
read (SLA306), a required input a program needs and the history lacks
(SLA401), currencies that differ (SLA212). Waivers and exclusions in the
history apply to the service levels of that name in each ruleset; an event
for a service level a ruleset does not have is ignored for that ruleset.

Rendering: `to_text()` for people (thousands separators), `to_json()` for
programs (decimal strings with the currency's minor-unit digits, keys in a
fixed order, deterministic).
"""
from __future__ import annotations

import json
from decimal import Decimal

import attrs

from ..core.diagnostics import Diagnostic, SlaError
from ..core.money import format_money, plain_money
from ..engine.compile import Terms
from ..engine.evaluate import evaluate
from ..engine.history import History
from ..engine.outcome import BONUS_KINDS, CREDIT_KINDS, EARN_BACK, WITHHOLD, Outcome, Totals

JSON_FORMAT = "slarules.dryrun/1"
ZERO = Decimal(0)
PERIOD_WIDE = "(period-wide lines)"  # the label of lines that belong to no service level: caps, withholds


@attrs.frozen
class Amounts:
    """Credits (after caps), credits earned back, bonuses (after caps and forfeits),
    charges withheld on a critical failure; net = credits + withheld - earned_back -
    bonuses (positive: owed to the client)."""

    credits: Decimal
    earned_back: Decimal
    bonuses: Decimal
    withheld: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.credits + self.withheld - self.earned_back - self.bonuses

    def __add__(self, other: "Amounts") -> "Amounts":
        return Amounts(self.credits + other.credits, self.earned_back + other.earned_back,
                       self.bonuses + other.bonuses, self.withheld + other.withheld)

    def __sub__(self, other: "Amounts") -> "Amounts":
        return Amounts(self.credits - other.credits, self.earned_back - other.earned_back,
                       self.bonuses - other.bonuses, self.withheld - other.withheld)

    @classmethod
    def of_totals(cls, totals: Totals) -> "Amounts":
        return cls(totals.credits, totals.earned_back, totals.bonuses, totals.withheld)


NONE = Amounts(ZERO, ZERO, ZERO)


@attrs.frozen
class Row:
    """One service level (None: lines of no service level: period-wide caps, withholds)
    on both sides; a side is None when its ruleset has no such service level."""

    service_level: str | None
    proposed: Amounts | None
    current: Amounts | None

    @property
    def difference(self) -> Amounts:
        return (self.proposed or NONE) - (self.current or NONE)


@attrs.frozen
class Right:
    """A termination right one side would have given."""

    period: str
    trigger: str
    clause: str  # file:line


@attrs.frozen
class PeriodComparison:
    period: str
    rows: tuple[Row, ...]
    proposed: Amounts
    current: Amounts
    proposed_terminations: tuple[Right, ...]
    current_terminations: tuple[Right, ...]

    @property
    def difference(self) -> Amounts:
        return self.proposed - self.current


class RenameError(ValueError):
    """A --rename that names no service level of its side."""


def reading_terms(proposed: Terms, current: Terms) -> Terms:
    """The terms a dry run reads its data and events with: the current terms, with the inputs and
    service levels that only the proposal declares added (a column of either side is known)."""
    names = {spec.name for spec in current.inputs}
    levels = {sl.name for sl in current.service_levels}
    return attrs.evolve(
        current,
        inputs=current.inputs + tuple(spec for spec in proposed.inputs if spec.name not in names),
        service_levels=current.service_levels + tuple(sl for sl in proposed.service_levels
                                                      if sl.name not in levels))


def parse_renames(specs, proposed: Terms, current: Terms) -> dict[str, str]:
    """`old=new` specs -> {current name: proposed name}; RenameError if one cannot be read or names
    a service level its side does not have."""
    renamed: dict[str, str] = {}
    for spec in specs:
        old, sep, new = (part.strip() for part in spec.partition("="))
        if not sep or not old or not new:
            raise RenameError(f"cannot read '{spec}': write OLD=NEW, the current name then the proposed one")
        for name, terms, side in ((old, current, "current"), (new, proposed, "proposed")):
            known = _service_level_names(terms)
            if name not in known:
                raise RenameError(f"'{name}' is not a service level of the {side} terms ({terms.path}); "
                                  f"they are: {', '.join(sorted(known))}")
        if old in renamed:
            raise RenameError(f"'{old}' is renamed twice")
        renamed[old] = new
    return renamed


def _service_level_names(terms: Terms) -> set[str]:
    return {sl.name for version in (terms, *(v for _, v in terms.amendments)) for sl in version.service_levels}


@attrs.frozen
class Comparison:
    """Everything compare() found; proposed_outcome and current_outcome are the full evaluations."""

    proposed_name: str
    current_name: str
    proposed_ruleset: str
    current_ruleset: str
    currency: str
    digits: int
    service_levels: tuple[str, ...]  # union, the proposed ruleset's order, then the current-only ones
    periods: tuple[PeriodComparison, ...]
    rows: tuple[Row, ...]  # per service level over the whole history
    proposed: Amounts
    current: Amounts
    proposed_outcome: Outcome = attrs.field(eq=False, repr=False)
    current_outcome: Outcome = attrs.field(eq=False, repr=False)
    renamed: tuple[tuple[str, str], ...] = ()  # (current name, proposed name)

    @property
    def difference(self) -> Amounts:
        return self.proposed - self.current

    @property
    def proposed_terminations(self) -> list[Right]:
        return [r for p in self.periods for r in p.proposed_terminations]

    @property
    def current_terminations(self) -> list[Right]:
        return [r for p in self.periods for r in p.current_terminations]

    def to_data(self) -> dict:
        return to_data(self)

    def to_json(self) -> str:
        return json.dumps(to_data(self), indent=2, ensure_ascii=False) + "\n"

    def to_text(self) -> str:
        return to_text(self)


# ---------------------------------------------------------------- compare

def compare(proposed: Terms, current: Terms, history: History,
            proposed_name: str = "proposed", current_name: str = "current",
            renamed: dict[str, str] | None = None) -> Comparison:
    """Evaluate both rulesets over the same history and set them side by side; `renamed`:
    {current name: proposed name} of service levels (see parse_renames)."""
    renamed = dict(renamed or {})
    if proposed.currency != current.currency:
        raise SlaError([Diagnostic(
            "SLA212", f"{proposed_name} terms are in {proposed.currency} but {current_name} terms are in "
                      f"{current.currency}; amounts in different currencies cannot be compared",
            location=proposed.path)])
    outcomes = []
    for program, rename in ((proposed, renamed), (current, {})):
        _check_labels(program, history)
        names = _service_level_names(program)
        events = tuple(attrs.evolve(e, service_level=rename.get(e.service_level, e.service_level))
                       for e in history.events)
        own = attrs.evolve(history, events=tuple(e for e in events if e.service_level in names))
        outcomes.append(evaluate(program, own))
    p_out, c_out = outcomes

    def as_proposed(name):
        return renamed.get(name, name)
    names = _union([s.service_level for s in p_out.by_service_level],
                   [as_proposed(s.service_level) for s in c_out.by_service_level])
    p_names = {s.service_level for s in p_out.by_service_level}
    c_names = {as_proposed(s.service_level) for s in c_out.by_service_level}

    periods = []
    for pp, cp in zip(p_out.periods, c_out.periods):
        p_rows = _by_service_level(pp.lines)
        c_rows = {as_proposed(name): amounts for name, amounts in _by_service_level(cp.lines).items()}
        rows = [Row(name, p_rows.get(name, NONE) if name in p_names else None,
                    c_rows.get(name, NONE) if name in c_names else None) for name in names]
        if None in p_rows or None in c_rows:
            rows.append(Row(None, p_rows.get(None, NONE), c_rows.get(None, NONE)))
        periods.append(PeriodComparison(
            pp.period, tuple(rows), Amounts.of_totals(pp.totals), Amounts.of_totals(cp.totals),
            tuple(Right(t.period, t.trigger, t.clause_ref) for t in pp.terminations),
            tuple(Right(t.period, t.trigger, t.clause_ref) for t in cp.terminations)))

    def total(side: str, name) -> Amounts | None:
        amounts = [getattr(r, side) for p in periods for r in p.rows if r.service_level == name]
        if not amounts or all(a is None for a in amounts):
            return None
        return sum((a for a in amounts if a is not None), NONE)

    rows = [Row(name, total("proposed", name), total("current", name)) for name in names]
    if any(r.service_level is None for p in periods for r in p.rows):
        rows.append(Row(None, total("proposed", None) or NONE, total("current", None) or NONE))
    return Comparison(
        proposed_name, current_name, proposed.path, current.path, proposed.currency,
        max(proposed.rounding.digits, current.rounding.digits), tuple(names), tuple(periods), tuple(rows),
        Amounts.of_totals(p_out.totals), Amounts.of_totals(c_out.totals), p_out, c_out, tuple(renamed.items()))


def _check_labels(program: Terms, history: History) -> None:
    """Every period label must be one of this program's periods, on or after its start."""
    found = []
    for data in history.periods:
        where = None if data.span else f"period {data.label}"
        if program.calendar.index(data.label) is None:
            found.append(Diagnostic("SLA306", f"'{data.label}' is not a {program.calendar.periodicity} period "
                                              f"label, as {program.path} assesses", data.span, location=where))
        elif program.calendar.starts_before_contract(data.label):
            found.append(Diagnostic("SLA306", f"period {data.label} is before {program.path} starts "
                                              f"({program.calendar.start_month})", data.span, location=where))
    if found:
        raise SlaError(found)


def _union(first: list[str], second: list[str]) -> list[str]:
    return first + [name for name in second if name not in first]


def _by_service_level(lines) -> dict[str | None, Amounts]:
    out: dict[str | None, Amounts] = {}
    for line in lines:
        if line.kind in CREDIT_KINDS:
            add = Amounts(line.amount, ZERO, ZERO)
        elif line.kind in BONUS_KINDS:
            add = Amounts(ZERO, ZERO, line.amount)
        elif line.kind == EARN_BACK:
            add = Amounts(ZERO, -line.amount, ZERO)
        elif line.kind == WITHHOLD:
            add = Amounts(ZERO, ZERO, ZERO, line.amount)
        else:  # pragma: no cover - every kind is one of the above
            continue
        out[line.service_level] = out.get(line.service_level, NONE) + add
    return out


# ---------------------------------------------------------------- rendering

def _amounts(a: Amounts | None, digits: int) -> dict | None:
    if a is None:
        return None
    return {"credits": plain_money(a.credits, digits), "earned_back": plain_money(a.earned_back, digits),
            "bonuses": plain_money(a.bonuses, digits), "withheld": plain_money(a.withheld, digits),
            "net": plain_money(a.net, digits)}


def _row(r: Row, digits: int) -> dict:
    return {"service_level": r.service_level, "proposed": _amounts(r.proposed, digits),
            "current": _amounts(r.current, digits), "difference": _amounts(r.difference, digits)}


def _right(r: Right) -> dict:
    return {"period": r.period, "trigger": r.trigger, "clause": r.clause}


def to_data(c: Comparison) -> dict:
    """The JSON document as Python data. "proposed"/"current" are the roles; the
    names given to compare() are under "names". A side that is null is a service
    level absent from that ruleset; the difference counts it as zero."""
    d = c.digits
    return {
        "format": JSON_FORMAT,
        "currency": c.currency,
        "names": {"proposed": c.proposed_name, "current": c.current_name},
        "rulesets": {"proposed": c.proposed_ruleset, "current": c.current_ruleset},
        "service_levels": list(c.service_levels),
        "renamed": [{"current": old, "proposed": new} for old, new in c.renamed],
        "periods": [
            {"period": p.period,
             "service_levels": [_row(r, d) for r in p.rows],
             "totals": {"proposed": _amounts(p.proposed, d), "current": _amounts(p.current, d),
                        "difference": _amounts(p.difference, d)},
             "terminations": {"proposed": [_right(t) for t in p.proposed_terminations],
                              "current": [_right(t) for t in p.current_terminations]}}
            for p in c.periods
        ],
        "by_service_level": [_row(r, d) for r in c.rows],
        "totals": {"proposed": _amounts(c.proposed, d), "current": _amounts(c.current, d),
                   "difference": _amounts(c.difference, d)},
        "terminations": {"proposed": [_right(t) for t in c.proposed_terminations],
                         "current": [_right(t) for t in c.current_terminations]},
    }


def _signed(amount: Decimal, digits: int) -> str:
    text = format_money(amount, digits)
    return text if amount < 0 else ("+" + text if amount > 0 else text)


def to_text(c: Comparison) -> str:
    """Per period a table (one row per service level: credits, earned back,
    bonuses and net of each side, and the difference in net), then the totals
    and the termination rights."""
    d = c.digits
    m = lambda a: format_money(a, d)  # noqa: E731
    width = max([len(n) for n in c.service_levels] + [len(PERIOD_WIDE), len("service level"), len("total")])
    amounts = [x for r in c.rows for side in (r.proposed, r.current, r.difference) if side is not None
               for x in (side.credits, side.earned_back, side.bonuses, side.withheld, side.net)]
    col = max([len("earned back"), len("difference")] + [len(_signed(x, d)) for x in amounts])
    has_earn_back = any(r.proposed and r.proposed.earned_back or r.current and r.current.earned_back
                        for r in c.rows)
    has_withheld = bool(c.proposed.withheld or c.current.withheld)
    fields = (["credits"] + ["earned back"] * has_earn_back + ["bonuses"] + ["withheld"] * has_withheld
              + ["net"])

    def cells(a: Amounts | None) -> list[str]:
        if a is None:
            return [f"{'absent':>{col}}"] + [" " * col] * (len(fields) - 1)
        values = ([a.credits] + [a.earned_back] * has_earn_back + [a.bonuses] + [a.withheld] * has_withheld
                  + [a.net])
        return [f"{m(v):>{col}}" for v in values]

    p_name, c_name = c.proposed_name, c.current_name
    group = len(fields) * (col + 2) - 2
    head1 = f"  {'':<{width}}  {p_name:^{group}}  |  {c_name:^{group}}  |  {'difference':>{col}}"
    head2 = (f"  {'service level':<{width}}  " + "  ".join(f"{f:>{col}}" for f in fields) + "  |  "
             + "  ".join(f"{f:>{col}}" for f in fields) + f"  |  {'net':>{col}}")

    def line(label: str, p: Amounts | None, cu: Amounts | None, diff: Amounts) -> str:
        return (f"  {label:<{width}}  " + "  ".join(cells(p)) + "  |  " + "  ".join(cells(cu))
                + f"  |  {_signed(diff.net, d):>{col}}")

    out = [f"Dry run: {p_name} ({c.proposed_ruleset}) against {c_name} ({c.current_ruleset}), "
           f"amounts in {c.currency}",
           f"  net = credits{' + withheld' * has_withheld} - earned back - bonuses (positive: owed to the client); "
           f"difference = {p_name} - {c_name}; 'absent': the ruleset has no such service level",
           *(f"  {new} is {old} renamed: {c_name}'s {old} is shown as {new}" for old, new in c.renamed),
           ""]
    for p in c.periods:
        out.append(p.period)
        out.append(head1)
        out.append(head2)
        for r in p.rows:
            out.append(line(r.service_level or PERIOD_WIDE, r.proposed, r.current, r.difference))
        out.append(line("total", p.proposed, p.current, p.difference))
        for name, rights in ((p_name, p.proposed_terminations), (c_name, p.current_terminations)):
            for t in rights:
                out.append(f"  TERMINATION RIGHT under {name}: {t.trigger} ({t.clause})")
        out.append("")
    out.append(f"Whole history ({c.periods[0].period} to {c.periods[-1].period})" if c.periods else "Whole history")
    out.append(head1)
    out.append(head2)
    for r in c.rows:
        out.append(line(r.service_level or PERIOD_WIDE, r.proposed, r.current, r.difference))
    out.append(line("total", c.proposed, c.current, c.difference))
    out.append("")
    diff = c.difference
    out.append(f"{p_name} - {c_name}: credits {_signed(diff.credits, d)}"
               + (f"  earned back {_signed(diff.earned_back, d)}" if has_earn_back else "")
               + f"  bonuses {_signed(diff.bonuses, d)}"
               + (f"  withheld {_signed(diff.withheld, d)}" if has_withheld else "")
               + f"  net {_signed(diff.net, d)}")
    out.append("")
    out.append("Termination rights")
    for name, rights in ((p_name, c.proposed_terminations), (c_name, c.current_terminations)):
        if not rights:
            out.append(f"  {name}: none")
        for t in rights:
            out.append(f"  {name}: {t.period}: {t.trigger} ({t.clause})")
    return "\n".join(out) + "\n"
