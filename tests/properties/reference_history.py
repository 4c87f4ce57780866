"""A brute-force reference for the terms that span periods, written from docs/reference.md.

Sections 9-14 of the reference manual, read period by period over a whole history
in exact rational arithmetic, sharing nothing with slarules but the node classes:
amendments (the terms in force in each period), free passes, cure windows (a
miss costs nothing if met within N periods, else its own month's credit is
charged when the window closes), a critical failure (credits replaced, the
withhold, a right to terminate), the at-risk cap, caps over rolling windows and
contract years (the period that would cross the limit is cut, down to zero at
most), earn-back (a share of the credits actually charged, after K consecutive
met periods or when the contract year's average meets the target), the bonus
limit, netting and what is due to each side, and termination triggers (a right
arises in each period its condition holds, counting only the periods after the
one the same trigger's right last arose in). Single-period money
(values, statuses, tier rows, linear units, own caps) comes from reference.py.
Waivers and exclusions are not modelled: the histories compared carry no events.
"""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import attrs

from slarules.language import nodes

import reference
from reference import BONUS_LINES, CREDIT_LINES, Line, total

MISSES = ("missed", "in cure")  # statuses that count as a miss for termination and critical failure
MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
SPANNING_NODES = {
    nodes.Cure, nodes.FreePasses, nodes.EarnBack, nodes.Window, nodes.WindowShare, nodes.WindowCap,
    nodes.MissedInARow, nodes.MissedInWindow, nodes.BelowFloor, nodes.CreditsExceed, nodes.ManyMissed,
    nodes.Termination, nodes.StreakPolicy, nodes.Amendment, nodes.AmendedServiceLevel, nodes.CriticalFailure,
    nodes.FailureFloor, nodes.FailureManyMissed, nodes.CreditsNotAccrued, nodes.Withhold, nodes.MayTerminate,
}
KNOWN_NODES = reference.KNOWN_NODES | SPANNING_NODES
# What moves no money, so the reference may ignore it: a citation of the signed contract's clause,
# and the parties, who reports and who answers for a figure, the reviews (a late report's
# consequence, LateReport, does move money, and stays unknown).
MONEYLESS_NODES = {nodes.ContractClause, nodes.Parties, nodes.Party, nodes.Accountable, nodes.Reviews, nodes.Review,
                   nodes.ReportingDuty}


def unknown_constructs(ruleset: nodes.Ruleset) -> list[str]:
    """The constructs the reference does not model (it counts periods, not days: a cure window
    in days, a notice and a deliverable are judged by tests/properties/test_day_properties.py)."""
    found = {type(n).__name__ for n in reference.walk(ruleset) if type(n) not in KNOWN_NODES | MONEYLESS_NODES}
    found |= {"Cure in days" for n in reference.walk(ruleset) if isinstance(n, nodes.Cure) and n.in_days}
    return sorted(found)


# ------------------------------------------------------------------ periods and the terms in force

def first_month(label: str) -> int:
    """The period's first month, counted from year 0: `2026-04`, `2026-Q2` and `2026-04`... alike."""
    if "-Q" in label:
        year, quarter = label.split("-Q")
        return int(year) * 12 + (int(quarter) - 1) * 3
    if "-" in label:
        year, month = label.split("-")
        return int(year) * 12 + int(month) - 1
    return int(label) * 12


def start_month(ruleset: nodes.Ruleset) -> int:
    return first_month(reference.header(ruleset, nodes.Starts).month)


def period_months(ruleset: nodes.Ruleset) -> int:
    assessed = reference.header(ruleset, nodes.Assessed)
    return MONTHS[assessed.periodicity if assessed is not None else "monthly"]


def periods(ruleset: nodes.Ruleset, count: Decimal, unit: str) -> int:
    """How many assessment periods `3 months` (or `1 quarter`, `2 periods`) is."""
    return int(count) if unit == "period" else int(count) * MONTHS_IN[unit] // period_months(ruleset)


def contract_year(ruleset: nodes.Ruleset, label: str) -> int:
    return (first_month(label) - start_month(ruleset)) // 12 + 1


def clause_kind(clause) -> tuple:
    """What an amendment's clause replaces: the service level's clause of the same kind."""
    return (type(clause), clause.kind) if isinstance(clause, nodes.Award) else (type(clause),)


def in_force(ruleset: nodes.Ruleset, label: str) -> nodes.Ruleset:
    """The terms in force in the period: each amendment effective by its first month replaces
    the period-wide terms it states, and each service level's clauses of the kinds it states."""
    sections = list(ruleset.sections)
    for amendment in ruleset.amendments:
        if first_month(amendment.effective) > first_month(label):
            continue
        for item in amendment.items:
            if isinstance(item, nodes.AmendedServiceLevel):
                stated = {clause_kind(c) for c in item.clauses}
                sections = [attrs.evolve(s, clauses=tuple(c for c in s.clauses if clause_kind(c) not in stated)
                                         + item.clauses)
                            if isinstance(s, nodes.ServiceLevel) and s.name.text == item.name.text else s
                            for s in sections]
            else:
                sections = [s for s in sections if not isinstance(s, type(item))] + [item]
    return nodes.Ruleset(ruleset.contract, tuple(sections))


# ------------------------------------------------------------------ what a history's periods hold

@attrs.frozen
class PeriodResult:
    label: str
    statuses: dict
    lines: tuple[Line, ...]
    terminations: tuple[int, ...]  # the source lines of the clauses whose right arises in this period
    due_to_client: Decimal
    due_to_vendor: Decimal
    ambiguous: bool


@attrs.frozen
class Window:
    """A miss under a cure clause: its period's index and the credit lines it will charge unmet."""

    opened: int
    lines: tuple[Line, ...]


@attrs.define
class Carry:
    """What one service level carries from period to period."""

    passes: dict = attrs.Factory(dict)  # contract year -> free passes used
    windows: list = attrs.Factory(list)  # open cure windows
    run: int = 0  # consecutive met periods
    outstanding: Fraction = Fraction(0)  # credits charged since the last earn-back


def limit_value(limit, values_over: list[dict], digits: int, mode: str) -> Decimal:
    """A window's limit: money, or a share of an input summed over the window's periods."""
    if isinstance(limit, nodes.FixedMoney):
        return Decimal(limit.value)
    summed = sum((Fraction(v[limit.base.text]) for v in values_over), Fraction(0))
    return reference.round_money(Fraction(limit.percent) / 100 * summed, digits, mode)


def window_start(ruleset, labels: list[str], index: int, window: nodes.Window) -> int:
    """The index of the first period of the window ending at `index`, within the history."""
    if window.kind == "rolling":
        return max(0, index - periods(ruleset, window.length, window.unit) + 1)
    year = contract_year(ruleset, labels[index])
    first = index
    while first > 0 and contract_year(ruleset, labels[first - 1]) == year:
        first -= 1
    return first


def floor_holds(sl: nodes.ServiceLevel, comparison: nodes.Comparison, status: str, env, missing) -> bool:
    """A reported value beyond the floor, in a period that is measured."""
    if status == "not measured" or reference.reads(sl) & missing:
        return False
    value = reference.measured_value(sl, env)
    return value is not None and reference.meets(comparison, value)


def evaluate(ruleset: nodes.Ruleset, history: dict[str, dict]) -> list[PeriodResult]:
    """Every period of a history of consecutive periods, in order."""
    return History(ruleset, history).periods()


def dues(terms: nodes.Ruleset, lines: list[Line]) -> tuple[Decimal, Decimal]:
    """(due to the client, due to the vendor): charges withheld are invoiced with the credits,
    earn-back returns credits; bonuses paid separately or offset against the rest."""
    credits, bonuses = total(lines, CREDIT_LINES), total(lines, BONUS_LINES)
    owed = credits + total(lines, ("withhold",)) + total(lines, ("earn back",))  # earn-back lines are negative
    netting = terms.of_type(nodes.Netting)
    if not netting or netting[0].policy == "paid separately":
        return max(owed, Decimal(0)), bonuses + max(-owed, Decimal(0))
    net = owed - bonuses
    return max(net, Decimal(0)), max(-net, Decimal(0))


class History:
    """One history, period by period: what each service level carries, and each period's
    credits, shares of them charged per service level, values and statuses."""

    def __init__(self, ruleset: nodes.Ruleset, history: dict[str, dict]):
        self.ruleset = ruleset
        self.labels, self.values = list(history), list(history.values())
        self.carry = {sl.name.text: Carry() for sl in ruleset.service_levels}
        self.credits: list[Decimal] = []  # each period's credits after every cap
        self.shares: list[dict] = []  # each period's credits charged, per service level (exact)
        self.measured: list[dict] = []  # each period's values as compared, per service level (None: none)
        self.statuses: list[dict] = []
        self.since: dict[int, int] = {}  # a clause's line -> the first period counted since its right last arose

    def periods(self) -> list[PeriodResult]:
        results, ambiguous = [], False
        for index, (label, values) in enumerate(zip(self.labels, self.values)):
            terms = in_force(self.ruleset, label)
            env, missing = reference.environment(terms, values), reference.unreported(terms, values)
            base = reference.base_statuses(terms, values)
            own = reference.own_lines(terms, values, base)
            ambiguous = ambiguous or any(line.ambiguous for line in own)
            statuses, lines = self.costs(terms, index, base, own)
            accrued = {sl.name.text: total([x for x in lines if x.service_level == sl.name.text], CREDIT_LINES)
                       for sl in terms.service_levels}
            rights = self.critical_failure(terms, statuses, lines, env, missing)
            lines += reference.at_risk_cap(terms, values, lines)
            lines += self.window_caps(terms, index, lines)
            credits, before_caps = total(lines, CREDIT_LINES), sum(accrued.values(), Decimal(0))
            self.credits.append(credits)
            self.shares.append({n: Fraction(a) * Fraction(credits) / Fraction(before_caps) if before_caps
                                else Fraction(0) for n, a in accrued.items()})
            self.measured.append({sl.name.text: None if base[sl.name.text] == "not measured" or reference.reads(sl)
                                  & missing else reference.measured_value(sl, env) for sl in terms.service_levels})
            self.statuses.append(statuses)
            lines += self.earn_backs(terms, index)
            lines += reference.bonus_limit_and_forfeit(terms, values, lines)
            rights += self.triggers(terms, index, env, missing)
            self.since.update((line, index + 1) for line in rights)
            results.append(PeriodResult(label, statuses, tuple(lines), tuple(sorted(rights)), *dues(terms, lines),
                                        ambiguous))
        return results

    def costs(self, terms, index: int, base: dict, own: list[Line]) -> tuple[dict, list[Line]]:
        """What each status costs: a free pass, a cure window, or the credit; a met period
        cures every open window; windows closing unmet charge their own month's credit
        (after the service level's own lines)."""
        year = contract_year(terms, self.labels[index])
        statuses, lines = dict(base), []
        for sl in terms.service_levels:
            name, state = sl.name.text, self.carry[sl.name.text]
            length = periods(terms, sl.cure.periods, sl.cure.unit) if sl.cure is not None else 0
            closing = [w for w in state.windows if w.opened + length == index]
            mine = [line for line in own if line.service_level == name]
            credit_lines = [line for line in mine if line.kind in CREDIT_LINES]
            if base[name] == "missed":
                if sl.free_passes is not None and state.passes.get(year, 0) < int(sl.free_passes.count):
                    state.passes[year] = state.passes.get(year, 0) + 1
                    credit_lines = []
                elif sl.cure is not None and sl.credit is not None:  # a window holds a credit to charge
                    state.windows.append(Window(index, tuple(credit_lines)))
                    statuses[name] = "in cure"
                    credit_lines = []
            elif base[name] == "met" and state.windows:
                state.windows, closing = [], []
                statuses[name] = "cured"
            state.windows = [w for w in state.windows if w not in closing]
            lines += credit_lines + [line for line in mine if line.kind in BONUS_LINES]
            lines += [line for window in closing for line in window.lines]
        return statuses, lines

    def critical_failure(self, terms, statuses: dict, lines: list[Line], env, missing) -> list[int]:
        """In a period where a condition holds: the credits replaced (if the clause says so),
        the withhold; returns the line of the right to terminate, if it gives one."""
        digits, mode = reference.money_digits(terms), reference.rounding_mode(terms)
        by_name = {sl.name.text: sl for sl in terms.service_levels}
        rights = []
        for clause in terms.of_type(nodes.CriticalFailure):
            holds = False
            for condition in clause.conditions:
                if isinstance(condition, nodes.FailureFloor):
                    sl = by_name[condition.service_level.text]
                    holds = holds or floor_holds(sl, condition.comparison, statuses[sl.name.text], env, missing)
                else:
                    holds = holds or sum(s in MISSES for s in statuses.values()) >= int(condition.count)
            if not holds:
                continue
            credits = total(lines, CREDIT_LINES)
            if clause.credits_not_accrued is not None and credits > 0:
                lines.append(Line(None, "credits replaced", -credits))
            charges = Fraction(env[clause.withhold.base.text])
            withheld = reference.round_money(Fraction(clause.withhold.percent) / 100 * charges, digits, mode)
            # "never more than the input": a line is in whole minor units, so at most the charges
            # rounded down to the unit (100% of JPY 1,887.50 withholds 1,887, not 1,888 nor 1,887.50)
            most = Decimal(math.floor(charges * 10 ** digits)).scaleb(-digits)
            lines.append(Line(None, "withhold", min(withheld, most)))
            if clause.may_terminate is not None:  # the right is the clause's `the client may terminate`
                rights.append(clause.may_terminate.span.line)
        return rights

    def window_caps(self, terms, index: int, lines: list[Line]) -> list[Line]:
        """Each window cap in turn cuts the period's credits to what its window has room for."""
        digits, mode = reference.money_digits(terms), reference.rounding_mode(terms)
        found: list[Line] = []
        for cap in terms.of_type(nodes.WindowCap):
            first = window_start(terms, self.labels, index, cap.window)
            limit = limit_value(cap.limit, self.values[first:index + 1], digits, mode)
            room = max(limit - sum(self.credits[first:index], Decimal(0)), Decimal(0))
            credits = total(lines + found, CREDIT_LINES)
            if credits > room:
                found.append(Line(None, "credit cap", room - credits))
        return found

    def earn_backs(self, terms, index: int) -> list[Line]:
        """Each service level's earn-back: after K consecutive met periods, the share of the
        credits charged since the last one; in the last period of a contract year whose average
        meets the target, the share of the year's credits."""
        digits, mode = reference.money_digits(terms), reference.rounding_mode(terms)
        label, statuses = self.labels[index], self.statuses[index]
        year = contract_year(terms, label)
        found: list[Line] = []
        for sl in terms.service_levels:
            name, state, earn = sl.name.text, self.carry[sl.name.text], sl.earn_back
            state.outstanding += self.shares[index].get(name, Fraction(0))
            if statuses[name] in ("met", "cured"):
                state.run += 1
            elif statuses[name] in MISSES:
                state.run = 0
            if earn is None:
                continue
            returned = None
            if earn.after is not None and state.run >= periods(terms, earn.after, earn.unit) and state.outstanding:
                returned, state.outstanding = state.outstanding, Fraction(0)
            if earn.after is None and year_complete(terms, label):
                this_year = [i for i in range(index + 1) if contract_year(terms, self.labels[i]) == year]
                seen = [self.measured[i][name] for i in this_year if self.measured[i].get(name) is not None]
                if seen and reference.meets(sl.target.comparison, sum(seen, Fraction(0)) / len(seen)):
                    returned = sum((self.shares[i].get(name, Fraction(0)) for i in this_year), Fraction(0))
            if returned:
                amount = reference.round_money(Fraction(earn.percent) / 100 * returned, digits, mode)
                if amount:
                    found.append(Line(name, "earn back", -amount))
        return found

    def triggers(self, terms, index: int, env, missing) -> list[int]:
        """The lines of the termination clauses whose condition holds in the period, each
        counting only the periods after the one its right last arose in."""
        return [clause.span.line for clause in terms.of_type(nodes.Termination)
                if self.trigger_holds(terms, clause.trigger, index, env, missing, self.since.get(clause.span.line, 0))]

    def trigger_holds(self, terms, trigger, index: int, env, missing, since: int) -> bool:
        statuses = self.statuses[index]
        if isinstance(trigger, nodes.MissedInARow):
            name, streak = trigger.service_level.text, 0
            for earlier in reversed(self.statuses[since:index + 1]):  # the misses in a row ending now
                if earlier[name] in MISSES:
                    streak += 1
                elif earlier[name] != "not measured":
                    break
            return streak >= periods(terms, trigger.count, trigger.unit)
        if isinstance(trigger, nodes.MissedInWindow):
            first = max(since, index - periods(terms, trigger.length, trigger.unit) + 1)
            name = trigger.service_level.text
            return sum(s[name] in MISSES for s in self.statuses[first:index + 1]) >= int(trigger.times)
        if isinstance(trigger, nodes.BelowFloor):
            sl = next(s for s in terms.service_levels if s.name.text == trigger.service_level.text)
            return floor_holds(sl, trigger.comparison, statuses[sl.name.text], env, missing)
        if isinstance(trigger, nodes.CreditsExceed):
            first = max(since, index - periods(terms, trigger.length, trigger.unit) + 1)
            limit = limit_value(trigger.limit, self.values[first:index + 1], reference.money_digits(terms),
                                reference.rounding_mode(terms))
            return sum(self.credits[first:index + 1], Decimal(0)) > limit
        return sum(s in MISSES for s in statuses.values()) >= int(trigger.count)


def year_complete(ruleset: nodes.Ruleset, label: str) -> bool:
    """Whether the period is the last of its contract year."""
    return (first_month(label) + period_months(ruleset) - start_month(ruleset)) % 12 == 0
