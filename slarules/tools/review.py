"""Review scorecard: what a scheduled review (`monthly operational review`, `quarterly
business review`, `annual review of targets`) looks at, from the terms and their data.

Input: compiled Terms whose ruleset schedules reviews, a History, the review (its name, a
word of it or its cadence: `business`, `quarterly`) and optionally the last period to
look at (default: the data's last). Output: a Scorecard for the review's latest whole
window of periods in the data, counted from the contract's start month (a quarterly
review on a contract starting in January covers January to March, April to June, ...):
each service level's value and status per period against its target, with the party
accountable, its credits and bonuses and whether it got better or worse; the window's
totals; the rights to terminate that arose in it; the reports that came late; the cure
windows still open at its end; and when the next review is due (the period after the
next window ends). Rendered as a table (to_text), JSON (to_data) or a self-contained
HTML page (to_html). Errors: SlaError SLA320 when the ruleset schedules no such review,
or the data holds no whole window of it.
"""
from __future__ import annotations

import html
from decimal import Decimal

import attrs

from ..core.diagnostics import Diagnostic, SlaError
from ..core.money import format_money, format_number, plain_money
from ..core.periods import MONTHS_PER_PERIOD
from ..engine.compile import Terms
from ..engine.evaluate import evaluate
from ..engine.history import History
from ..engine.outcome import BONUS_KINDS, CREDIT_KINDS, Totals
from ..language.check.parties import REVIEW_MONTHS
_UNIT_SUFFIX = {"percent": "%", "seconds": " s", "minutes": " min"}
JSON_FORMAT = "slarules.review/1"


@attrs.frozen
class LevelCard:
    """A service level over the window."""

    name: str
    accountable: str | None
    target: str
    unit: str
    values: tuple[tuple[str, Decimal | None, str], ...]  # (period, value, status)
    credits: Decimal
    bonuses: Decimal
    trend: str  # "better" | "worse" | "steady" | "not enough values"


@attrs.frozen
class Scorecard:
    contract: str
    currency: str
    digits: int
    review: str  # "quarterly business review"
    first: str
    last: str
    levels: tuple[LevelCard, ...]
    totals: Totals
    rights: tuple  # TerminationRight
    late_reports: tuple  # reporting.LateReport
    open_cures: tuple[tuple[str, str, str], ...]  # (service level, missed in, cure deadline)
    next_window: tuple[str, str]  # the first and last period the next review looks at
    next_due: str  # the period after the next window, in which that review is due


def pick_review(program: Terms, wanted: str) -> tuple[str, str]:
    """The (cadence, name) of the review `wanted` names: its name, a word of it or its cadence."""
    reviews = program.roles.reviews
    matches = [r for r in reviews if wanted in (r[0], r[1], f"{r[0]} {r[1]}") or wanted in r[1].split()]
    if len(matches) != 1:
        known = ", ".join(f"{cadence} {name}" for cadence, name in reviews) or "none"
        raise SlaError([Diagnostic(
            "SLA320", f"the ruleset schedules {'no' if not matches else 'more than one'} review '{wanted}'", None,
            (f"the reviews it schedules: {known}",), location=program.path)])
    return matches[0]


def scorecard(program: Terms, history: History, wanted: str, as_of: str | None = None) -> Scorecard:
    cadence, name = pick_review(program, wanted)
    calendar = program.calendar
    periods = list(history.periods)
    indices = [calendar.index(p.label) for p in periods]
    last = calendar.index(as_of) if as_of is not None else indices[-1] if indices else None
    size = max(REVIEW_MONTHS[cadence] // MONTHS_PER_PERIOD[calendar.periodicity], 1)
    start = calendar.index(calendar.label_of_month(calendar.start_month))
    if last is None or last - start + 1 < size:
        raise SlaError([Diagnostic("SLA320", f"the data holds no whole {cadence} window for the {name}", None,
                                   ("a review looks at whole windows counted from the contract's start",),
                                   location=program.path)])
    window_end = start + ((last - start + 1) // size) * size - 1
    window = range(window_end - size + 1, window_end + 1)
    upto = [p for p, i in zip(periods, indices) if i <= window_end]
    labels = {p.label for p, i in zip(periods, indices) if i in window}
    events = tuple(e for e in history.events if e.period in {p.label for p in upto})
    outcome = evaluate(program, History(tuple(upto), events))
    inside = [p for p in outcome.periods if p.period in labels]
    levels = []
    for position, sl in enumerate(program.in_force(window_end).service_levels):
        results = [(p.period, p.results[position]) for p in inside if position < len(p.results)]
        own = [line for p in inside for line in p.lines if line.service_level == sl.name]
        values = tuple((period, r.compared, r.status) for period, r in results)
        levels.append(LevelCard(
            sl.name, program.roles.accountable.get(sl.name), sl.target_text, sl.unit, values,
            sum((line.amount for line in own if line.kind in CREDIT_KINDS), Decimal(0)),
            sum((line.amount for line in own if line.kind in BONUS_KINDS), Decimal(0)),
            _trend([v for _, v, _ in values if v is not None], sl.higher_is_better)))
    totals = sum((p.totals for p in inside), Totals(*(Decimal(0),) * 6))
    open_cures = tuple((name_, pending.missed_in, calendar.label(pending.deadline))
                       for name_, carry in outcome.state.service_levels.items() for pending in carry.pending)
    return Scorecard(
        program.title, program.currency, program.rounding.digits, f"{cadence} {name}",
        calendar.label(window[0]), calendar.label(window_end), tuple(levels), totals,
        tuple(t for p in inside for t in p.terminations), tuple(r for p in inside for r in p.late_reports),
        open_cures, (calendar.label(window_end + 1), calendar.label(window_end + size)),
        calendar.label(window_end + size + 1))


def _trend(values: list[Decimal], higher_is_better: bool) -> str:
    if len(values) < 2:
        return "not enough values"
    if values[-1] == values[0]:
        return "steady"
    return "better" if (values[-1] > values[0]) == higher_is_better else "worse"


def _shown(value: Decimal | None, unit: str) -> str:
    return "—" if value is None else format_number(value) + _UNIT_SUFFIX.get(unit, "")


def to_text(card: Scorecard) -> str:
    money = lambda amount: format_money(amount, card.digits)  # noqa: E731
    out = [f"{card.contract}: {card.review}, {card.first} to {card.last}, amounts in {card.currency}", ""]
    out.append("Service levels")
    for level in card.levels:
        owner = f", accountable: {level.accountable}" if level.accountable else ""
        out.append(f"  {level.name} (target {level.target}{owner}): {level.trend}; credits {money(level.credits)}, "
                   f"bonuses {money(level.bonuses)}")
        for period, value, status in level.values:
            out.append(f"    {period}  {_shown(value, level.unit):>12}  {status}")
    t = card.totals
    out += ["", f"Money: credits {money(t.credits)}  earned back {money(t.earned_back)}  bonuses {money(t.bonuses)}"
                f"  withheld {money(t.withheld)}  net {money(t.net)}", ""]
    out.append("Rights to terminate that arose" + ("" if card.rights else ": none"))
    for right in card.rights:
        owner = f" (accountable: {right.accountable})" if right.accountable else ""
        out.append(f"  {right.period}: {right.trigger}{owner}")
    out.append("Late reports" + ("" if card.late_reports else ": none"))
    for late in card.late_reports:
        out.append(f"  {late.period}: {late.input} by {late.reported_by}, due {late.due.isoformat()}, arrived "
                   f"{late.arrived.isoformat()} ({late.days_late} day{'s' * (late.days_late != 1)} late)")
    out.append("Open cure windows" + ("" if card.open_cures else ": none"))
    for name, missed_in, deadline in card.open_cures:
        out.append(f"  {name}: the miss of {missed_in}, cured if met by {deadline}")
    out += ["", f"Next {card.review}: due in {card.next_due}, on {card.next_window[0]} to {card.next_window[1]}"]
    return "\n".join(out) + "\n"


def to_data(card: Scorecard) -> dict:
    d = card.digits
    t = card.totals
    return {
        "format": JSON_FORMAT, "contract": card.contract, "currency": card.currency, "review": card.review,
        "first_period": card.first, "last_period": card.last,
        "service_levels": [
            {"name": level.name, "accountable": level.accountable, "target": level.target, "trend": level.trend,
             "credits": plain_money(level.credits, d), "bonuses": plain_money(level.bonuses, d),
             "periods": [{"period": period, "value": None if value is None else format(value.normalize(), "f"),
                          "status": status} for period, value, status in level.values]}
            for level in card.levels],
        "totals": {"credits": plain_money(t.credits, d), "earned_back": plain_money(t.earned_back, d),
                   "bonuses": plain_money(t.bonuses, d), "withheld": plain_money(t.withheld, d),
                   "net": plain_money(t.net, d)},
        "terminations": [{"period": r.period, "trigger": r.trigger, "accountable": r.accountable}
                         for r in card.rights],
        "late_reports": [{"period": r.period, "input": r.input, "reported_by": r.reported_by,
                          "due": r.due.isoformat(), "arrived": r.arrived.isoformat(), "days_late": r.days_late}
                         for r in card.late_reports],
        "open_cure_windows": [{"service_level": name, "missed_in": missed_in, "cured_if_met_by": deadline}
                              for name, missed_in, deadline in card.open_cures],
        "next_review": {"due": card.next_due, "first_period": card.next_window[0],
                        "last_period": card.next_window[1]},
    }


def to_html(card: Scorecard) -> str:
    """The scorecard as one self-contained page: the table's sections as HTML tables."""
    e = html.escape
    money = lambda amount: e(format_money(amount, card.digits))  # noqa: E731
    rows = []
    for level in card.levels:
        cells = "".join(f"<td>{e(period)}<br>{e(_shown(value, level.unit))}<br><i>{e(status)}</i></td>"
                        for period, value, status in level.values)
        rows.append(f"<tr><th>{e(level.name)}</th><td>{e(level.accountable or '')}</td><td>{e(level.target)}</td>"
                    f"{cells}<td>{e(level.trend)}</td><td>{money(level.credits)}</td><td>{money(level.bonuses)}</td>"
                    "</tr>")
    t = card.totals

    def items(title, entries):
        body = "".join(f"<li>{e(entry)}</li>" for entry in entries) or "<li>none</li>"
        return f"<h2>{e(title)}</h2><ul>{body}</ul>"

    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(card.contract)}: {e(card.review)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #bbb;padding:4px 8px;"
        "text-align:left;vertical-align:top}table{border-collapse:collapse}</style></head><body>"
        f"<h1>{e(card.contract)}: {e(card.review)}</h1><p>{e(card.first)} to {e(card.last)}, amounts in "
        f"{e(card.currency)}</p><h2>Service levels</h2><table><tr><th>service level</th><th>accountable</th>"
        f"<th>target</th>{''.join('<th>period</th>' for _ in card.levels[0].values) if card.levels else ''}"
        f"<th>trend</th><th>credits</th><th>bonuses</th></tr>{''.join(rows)}</table>"
        f"<p>Credits {money(t.credits)}, earned back {money(t.earned_back)}, bonuses {money(t.bonuses)}, "
        f"withheld {money(t.withheld)}, net {money(t.net)}.</p>"
        + items("Rights to terminate that arose", [f"{r.period}: {r.trigger}" for r in card.rights])
        + items("Late reports", [f"{r.period}: {r.input} by {r.reported_by}, due {r.due.isoformat()}, arrived "
                                 f"{r.arrived.isoformat()} ({r.days_late} days late)" for r in card.late_reports])
        + items("Open cure windows", [f"{n}: the miss of {m}, cured if met by {d}" for n, m, d in card.open_cures])
        + f"<p>Next {e(card.review)}: due in {e(card.next_due)}, on {e(card.next_window[0])} to "
        f"{e(card.next_window[1])}.</p></body></html>\n")
