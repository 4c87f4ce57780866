"""A brute-force reference for what the terms of a ruleset mean, written from the brief.

Straight-line code over the syntax tree in exact rational arithmetic
(fractions.Fraction), sharing nothing with slarules but the node classes:
a service level's value and status, which tier row applies (every row is
tried; the one reaching furthest from the target wins), how many units a
linear amount counts (counted one step at a time), and every line item of a
period. The property tests compare the engine with it and use it to tell which
of two periods performs better. It knows the constructs in KNOWN_NODES;
unknown_constructs() names any others, so a test can skip what it cannot judge.
The period's length (`minutes in the month`) it knows only where a caller names
the period's label (environment, better_period): its days from the calendar.
reference_history.py builds the terms over several periods on its pieces
(own_lines, at_risk_cap, bonus_limit_and_forfeit).
"""
from __future__ import annotations

import calendar
from decimal import Decimal
from fractions import Fraction

import attrs

from slarules.language import nodes

KNOWN_NODES = {
    nodes.Name, nodes.Quantity, nodes.Comparison, nodes.Band, nodes.InputBase, nodes.AtRiskBase,
    nodes.AllocationBase, nodes.PercentOf, nodes.FixedMoney, nodes.Number, nodes.Reference, nodes.BinaryOp,
    nodes.Currency, nodes.Assessed, nodes.Rounding, nodes.Starts, nodes.Contract, nodes.DefaultValue,
    nodes.MissingIsMiss, nodes.Input, nodes.Inputs, nodes.AtRisk, nodes.BonusLimit, nodes.Netting, nodes.Row,
    nodes.Flat, nodes.Table, nodes.Linear, nodes.Shortfall, nodes.Award, nodes.Gate, nodes.Measured,
    nodes.Target, nodes.Volume, nodes.Allocation, nodes.ServiceLevel, nodes.Ruleset, nodes.Reported,
}

# ISO 4217 currencies whose minor unit is not two digits.
ISO_MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
    "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}
HIGHER_IS_BETTER = ("at least", "above")
CREDIT_LINES = ("credit", "credit cap", "credits replaced")
BONUS_LINES = ("bonus", "bonus cap", "bonus forfeit")


# ------------------------------------------------------------------ the tree

def walk(node):
    """Every node under `node` (itself included), depth first, in field order."""
    if isinstance(node, tuple):
        for item in node:
            yield from walk(item)
    elif attrs.has(type(node)):
        yield node
        for field in attrs.fields(type(node)):
            if field.name not in ("span", "source"):
                yield from walk(getattr(node, field.name))


def references(expr) -> set[str]:
    return {n.name.text for n in walk(expr) if isinstance(n, nodes.Reference)}


def divisions(expr) -> list[tuple[set[str], str]]:
    """(inputs read above the line, the input below it) of each `x / input` in the expression."""
    return [(references(n.left), n.right.name.text) for n in walk(expr)
            if isinstance(n, nodes.BinaryOp) and n.op == "/" and isinstance(n.right, nodes.Reference)]


def divisors(expr) -> set[str]:
    return {bottom for _, bottom in divisions(expr)}


def quantities(sl: nodes.ServiceLevel) -> list[nodes.Quantity]:
    """Every quantity the service level compares its own value with (not its volume condition)."""
    return [q for clause in sl.clauses if not isinstance(clause, nodes.Volume)
            for q in walk(clause) if isinstance(q, nodes.Quantity)]


def unit_of(sl: nodes.ServiceLevel, units: dict[str, str]) -> str:
    """The KPI's unit: percent when `in percent`, a lone input's unit, else the target's unit."""
    if sl.measured.in_percent:
        return "percent"
    if isinstance(sl.measured.expr, nodes.Reference):
        return units[sl.measured.expr.name.text]
    return sl.target.comparison.quantity.unit or "ratio"


def simple_ratio(sl: nodes.ServiceLevel) -> tuple[str, str, Fraction] | None:
    """(top, bottom, scale) when the value is top * scale / bottom: `a / b, in percent`,
    `a / b * 100` or `a / b`; None for any other measurement."""
    expr, scale = sl.measured.expr, Fraction(100 if sl.measured.in_percent else 1)
    if isinstance(expr, nodes.BinaryOp) and expr.op == "*" and isinstance(expr.right, nodes.Number):
        expr, scale = expr.left, scale * Fraction(expr.right.value)
    if (isinstance(expr, nodes.BinaryOp) and expr.op == "/" and isinstance(expr.left, nodes.Reference)
            and isinstance(expr.right, nodes.Reference)):
        return expr.left.name.text, expr.right.name.text, scale
    return None


def header(ruleset: nodes.Ruleset, kind):
    return next((t for t in ruleset.contract.terms if isinstance(t, kind)), None)


# ------------------------------------------------------------------ values and statuses

def value_of(expr, env) -> Fraction | None:
    """The expression's exact value; None if it divides by zero."""
    if isinstance(expr, nodes.Number):
        return Fraction(expr.value)
    if isinstance(expr, nodes.Reference):
        return Fraction(env[expr.name.text])
    if isinstance(expr, nodes.PeriodLength):
        per_day = {"days": 1, "hours": 24, "minutes": 24 * 60, "seconds": 24 * 3600}[expr.unit]
        return Fraction(env[PERIOD_DAYS] * per_day)
    left, right = value_of(expr.left, env), value_of(expr.right, env)
    if left is None or right is None:
        return None
    if expr.op == "/":
        return None if right == 0 else left / right
    return {"+": left + right, "-": left - right, "*": left * right}[expr.op]


def measured_value(sl: nodes.ServiceLevel, env) -> Fraction | None:
    """The value every comparison sees: as measured, or rounded to the grid the contract reports it on."""
    value = value_of(sl.measured.expr, env)
    value = value * 100 if value is not None and sl.measured.in_percent else value
    reported = sl.measured.reported
    if value is None or reported is None:
        return value
    digits = int(reported.decimals)
    rounded = Fraction(round_money(abs(value), digits, reported.mode or "half up"))
    return -rounded if value < 0 else rounded


def meets(comparison: nodes.Comparison, value: Fraction) -> bool:
    bound = Fraction(comparison.quantity.value)
    return {"at least": value >= bound, "at most": value <= bound,
            "above": value > bound, "below": value < bound}[comparison.op]


def higher_is_better(sl: nodes.ServiceLevel) -> bool:
    return sl.target.comparison.op in HIGHER_IS_BETTER


def reads(sl: nodes.ServiceLevel) -> set[str]:
    return references(sl.measured.expr) | ({sl.volume.input.text} if sl.volume else set())


PERIOD_DAYS = ("days in the period",)  # a key no input name can be


def days_of(label: str) -> int:
    """Calendar days of the period labelled `2028-02`, `2028-Q1` or `2028`."""
    year, _, rest = label.partition("-")
    months = (range(1, 13) if not rest else range(3 * int(rest[1]) - 2, 3 * int(rest[1]) + 1) if rest[0] == "Q"
              else [int(rest)])
    return sum(calendar.monthrange(int(year), month)[1] for month in months)


def environment(ruleset: nodes.Ruleset, values, label: str | None = None) -> dict[str, Decimal]:
    """The period's values with the declared defaults filled in (and, given its label, its length)."""
    env = dict(values)
    if label is not None:
        env[PERIOD_DAYS] = days_of(label)
    for inp in ruleset.inputs:
        if isinstance(inp.missing, nodes.DefaultValue) and inp.name.text not in env:
            env[inp.name.text] = inp.missing.value
    return env


def unreported(ruleset: nodes.Ruleset, values) -> frozenset[str]:
    return frozenset(i.name.text for i in ruleset.inputs
                     if isinstance(i.missing, nodes.MissingIsMiss) and i.name.text not in values)


def status(sl: nodes.ServiceLevel, env, missing: frozenset[str]) -> str:
    """met, missed, not measured (volume condition), or undefined (divides by zero)."""
    if reads(sl) & missing:
        return "missed"
    value = measured_value(sl, env)
    if sl.volume is not None and not meets(sl.volume.comparison, Fraction(env[sl.volume.input.text])):
        return "not measured"
    if value is None:
        return "undefined"
    return "met" if meets(sl.target.comparison, value) else "missed"


def at_least_as_good(sl: nodes.ServiceLevel, better: Fraction, worse: Fraction) -> bool:
    return better >= worse if higher_is_better(sl) else better <= worse


# ------------------------------------------------------------------ money

def money_digits(ruleset: nodes.Ruleset) -> int:
    rounding = header(ruleset, nodes.Rounding)
    if rounding is not None and rounding.minor_unit is not None:
        return {"cents": 2, "whole units": 0}[rounding.minor_unit]
    return ISO_MINOR_UNITS.get(header(ruleset, nodes.Currency).code, 2)


def rounding_mode(ruleset: nodes.Ruleset) -> str:
    rounding = header(ruleset, nodes.Rounding)
    return rounding.mode if rounding is not None else "half up"


def round_money(value: Fraction, digits: int, mode: str) -> Decimal:
    """A non-negative exact amount rounded to `digits` decimals with the contract's mode."""
    assert value >= 0, value
    scaled = value * 10 ** digits
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    rest = Fraction(rest, scaled.denominator)
    half = Fraction(1, 2)
    up = {"up": rest > 0, "down": False, "half up": rest >= half, "half down": rest > half,
          "half even": rest > half or (rest == half and whole % 2 == 1)}[mode]
    return Decimal(whole + up).scaleb(-digits)


def on_rounding_boundary(value: Fraction, digits: int, mode: str) -> bool:
    """Whether an approximation of `value`, however close, may round differently."""
    rest = (value * 10 ** digits) % 1
    return rest == (0 if mode in ("up", "down") else Fraction(1, 2))


def terminates(value: Fraction) -> bool:
    """Whether the value is a finite decimal (its denominator has no prime but 2 and 5)."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


@attrs.frozen
class Pools:
    """A period's amounts every `of ...` base may refer to."""

    env: dict
    at_risk: Fraction | None
    allocations: dict


def amount_value(amount: nodes.Amount, pools: Pools, sl_name: str | None) -> Fraction:
    if isinstance(amount, nodes.FixedMoney):
        return Fraction(amount.value)
    return Fraction(amount.percent) / 100 * base_value(amount.base, pools, sl_name)


def period_pools(ruleset: nodes.Ruleset, values) -> Pools:
    """The period's inputs (defaults applied), amount at risk and allocations."""
    env = environment(ruleset, values)
    at_risk_terms = ruleset.of_type(nodes.AtRisk)
    found = Pools(env, None, {})
    if at_risk_terms:
        found = Pools(env, amount_value(at_risk_terms[0].amount, found, None), {})
    for sl in ruleset.service_levels:
        if sl.allocation is not None:
            found.allocations[sl.name.text] = amount_value(sl.allocation.amount, found, sl.name.text)
    return found


def base_value(base: nodes.Base, pools: Pools, sl_name: str | None) -> Fraction:
    if isinstance(base, nodes.InputBase):
        return Fraction(pools.env[base.name.text])
    if isinstance(base, nodes.AtRiskBase):
        return pools.at_risk
    return pools.allocations[sl_name]


# ------------------------------------------------------------------ tier rows and linear units

def zone_direction(sl: nodes.ServiceLevel, kind: str) -> int:
    """-1 where the award's zone runs toward lower values, +1 toward higher ones."""
    return -1 if higher_is_better(sl) == (kind == "credit") else 1


def band_contains(band: nodes.Band, value: Fraction) -> bool:
    if band.kind == "open":
        return meets(band.first, value)
    if band.kind == "and":
        return meets(band.first, value) and meets(band.second, value)
    low, high = Fraction(band.first.value), Fraction(band.second.value)
    return {"from to": low <= value <= high, "from to below": low <= value < high,
            "above to": low < value <= high, "above to below": low < value < high}[band.kind]


def reach(band: nodes.Band, direction: int) -> tuple[Fraction, int]:
    """How far into the zone the band starts: its edge nearest the target, signed
    so that larger is further, an excluded edge a hair further than an included one."""
    if band.kind == "open":
        op, edge = band.first.op, Fraction(band.first.quantity.value)
        faces_up = op in ("below", "at most")  # the band's finite edge is its upper end
        assert faces_up == (direction < 0), "a row open toward the target"
        return direction * edge, int(op in ("below", "above"))
    if band.kind == "and":  # the comparison bounding it toward the target gives its edge
        toward = "below", "at most"
        near = next(c for c in (band.first, band.second) if (c.op in toward) == (direction < 0))
        return reach(nodes.Band("open", near), direction)
    low, high = Fraction(band.first.value), Fraction(band.second.value)
    if direction < 0:
        return -high, int(band.kind in ("from to below", "above to below"))
    return low, int(band.kind in ("above to", "above to below"))


def tier_row(table: nodes.Table, value: Fraction | None, direction: int,
             target: nodes.Comparison | None = None) -> nodes.Row | None:
    """The row that applies: try every row; of those containing the value, the one
    reaching furthest from the target (a range table has at most one). With no
    value (unreported), the furthest row of all. A `by shortfall` table's rows hold
    distances from the target into the miss side."""
    if table.rule == "shortfall":
        if value is None:  # the row holding the largest shortfalls
            return next(r for r in table.rows if band_contains(r.band, Fraction(10) ** 9))
        shortfall = abs(value - Fraction(target.quantity.value))
        return next((r for r in table.rows if band_contains(r.band, shortfall)), None)
    rows = list(table.rows) if value is None else [r for r in table.rows if band_contains(r.band, value)]
    if table.rule == "range" and value is not None:
        assert len(rows) <= 1, "overlapping ranges"
    best = None
    for row in rows:
        if best is None or reach(row.band, direction) > reach(best.band, direction):
            best = row
    return best


def linear_units(form: nodes.Linear, value: Fraction) -> Fraction:
    """Steps beyond the threshold, counted one at a time (part steps as the contract says)."""
    threshold, step = Fraction(form.threshold.value), Fraction(form.step if form.step is not None else 1)
    distance = threshold - value if form.side == "below" else value - threshold
    if distance <= 0:
        return Fraction(0)
    if form.rounding == "pro rata":
        return distance / step
    units = 0
    if form.rounding == "up":
        while units * step < distance:
            units += 1
    else:
        while (units + 1) * step <= distance:
            units += 1
    return Fraction(units)


# ------------------------------------------------------------------ a period's line items

@attrs.frozen
class Line:
    service_level: str | None
    kind: str
    amount: Decimal
    ambiguous: bool = False  # an inexact value put the exact amount on a rounding boundary


@attrs.frozen
class PeriodResult:
    statuses: dict
    lines: tuple[Line, ...]

    @property
    def ambiguous(self) -> bool:
        return any(line.ambiguous for line in self.lines)


def gate_open(gate: nodes.Gate | None, statuses: dict, critical: dict) -> bool:
    if gate is None:
        return True
    if gate.kind == "all met":
        return all(s == "met" for s in statuses.values())
    if gate.kind == "named met":
        return all(statuses[n.text] == "met" for n in gate.names)
    return not any(critical[n] and s == "missed" for n, s in statuses.items())


def award_exact(sl: nodes.ServiceLevel, award: nodes.Award, value: Fraction | None, pools: Pools):
    """(exact amount or None when nothing is earned, whether it came from an inexact quotient)."""
    form, name = award.form, sl.name.text
    direction = zone_direction(sl, award.kind)
    if isinstance(form, nodes.Flat):
        return amount_value(form.amount, pools, name), False
    if isinstance(form, nodes.Table):
        row = tier_row(form, value, direction, sl.target.comparison)
        return (None, False) if row is None else (amount_value(row.amount, pools, name), False)
    if isinstance(form, nodes.Linear):
        if value is None:  # unreported and missing counts as a miss: the far end of the unit
            percent = form.threshold.unit == "percent"
            value = Fraction(0) if form.side == "below" else (Fraction(100) if percent else None)
            if value is None:
                return (amount_value(form.cap, pools, name), False) if form.cap is not None else (None, False)
        units = linear_units(form, value)
        if not units:
            return None, False
        return units * amount_value(form.amount, pools, name), not terminates(units)
    if value is None:
        value = Fraction(0) if higher_is_better(sl) else Fraction(100)
    points = abs(Fraction(sl.target.comparison.quantity.value) - value)
    if not points:
        return None, False
    return points / 100 * base_value(form.base, pools, name), not terminates(value)


def base_statuses(ruleset: nodes.Ruleset, values) -> dict[str, str]:
    """Each service level's status from its own value alone (before cures and free passes)."""
    env, missing = environment(ruleset, values), unreported(ruleset, values)
    return {sl.name.text: status(sl, env, missing) for sl in ruleset.service_levels}


def own_lines(ruleset: nodes.Ruleset, values, statuses: dict | None = None) -> list[Line]:
    """Each service level's credit (if missed) or bonus (if met and its gate open) and
    that clause's own cap, in declaration order: the lines before any period-wide term.
    `statuses`, when given, are what the gates see (the base statuses by default)."""
    digits, mode = money_digits(ruleset), rounding_mode(ruleset)
    amounts, missing = period_pools(ruleset, values), unreported(ruleset, values)
    env = amounts.env
    statuses = base_statuses(ruleset, values) if statuses is None else statuses
    critical = {sl.name.text: sl.critical for sl in ruleset.service_levels}
    lines: list[Line] = []
    for sl in ruleset.service_levels:
        name = sl.name.text
        earned = None
        if statuses[name] == "missed" and sl.credit is not None:
            earned = sl.credit
        elif statuses[name] == "met" and sl.bonus is not None and gate_open(sl.gate, statuses, critical):
            earned = sl.bonus
        if earned is None:
            continue
        value = None if reads(sl) & missing else measured_value(sl, env)
        exact, inexact = award_exact(sl, earned, value, amounts)
        if exact is None:
            continue
        amount = round_money(exact, digits, mode)
        cap = getattr(earned.form, "cap", None)
        limit = round_money(amount_value(cap, amounts, name), digits, mode) if cap is not None else None
        if value is None and limit is not None:
            # Not reported: one line, the most the clause can give (never above its cap).
            lines.append(Line(name, earned.kind, min(amount, limit)))
            continue
        lines.append(Line(name, earned.kind, amount, inexact and on_rounding_boundary(exact, digits, mode)))
        if limit is not None and amount > limit:
            lines.append(Line(name, f"{earned.kind} cap", limit - amount))
    return lines


def total(lines, kinds) -> Decimal:
    return sum((line.amount for line in lines if line.kind in kinds), Decimal(0))


def at_risk_cap(ruleset: nodes.Ruleset, values, lines: list[Line]) -> list[Line]:
    """The `credit cap` line keeping the period's credits to the amount at risk, if they exceed it."""
    if not ruleset.of_type(nodes.AtRisk):
        return []
    limit = round_money(period_pools(ruleset, values).at_risk, money_digits(ruleset), rounding_mode(ruleset))
    credits = total(lines, CREDIT_LINES)
    return [Line(None, "credit cap", limit - credits)] if credits > limit else []


def bonus_limit_and_forfeit(ruleset: nodes.Ruleset, values, lines: list[Line]) -> list[Line]:
    """The bonus limit's `bonus cap` line, then the `bonus forfeit` line of bonuses beyond
    the credits where bonuses only offset credits."""
    found: list[Line] = []
    bonuses = total(lines, BONUS_LINES)
    limit_terms = ruleset.of_type(nodes.BonusLimit)
    if limit_terms:
        limit = round_money(amount_value(limit_terms[0].amount, period_pools(ruleset, values), None),
                            money_digits(ruleset), rounding_mode(ruleset))
        if bonuses > limit:
            found.append(Line(None, "bonus cap", limit - bonuses))
            bonuses = limit
    credits = total(lines, CREDIT_LINES)
    netting = ruleset.of_type(nodes.Netting)
    if netting and netting[0].policy == "only offset" and bonuses > credits:
        found.append(Line(None, "bonus forfeit", credits - bonuses))
    return found


def period(ruleset: nodes.Ruleset, values) -> PeriodResult:
    """Every line item of one period, in the order the brief gives: each service
    level's credit or bonus and its own cap, in declaration order; the at-risk cap;
    the bonus limit; bonuses forfeited where they only offset credits."""
    lines = own_lines(ruleset, values)
    lines += at_risk_cap(ruleset, values, lines)
    lines += bonus_limit_and_forfeit(ruleset, values, lines)
    return PeriodResult(base_statuses(ruleset, values), tuple(lines))


def better_period(ruleset: nodes.Ruleset, a, b, label: str | None = None) -> str | None:
    """"a" if period values `a` perform at least as well as `b` on every service level,
    "b" if the reverse holds, None if neither (or a volume condition changes), both in
    the period `label`."""
    missing = unreported(ruleset, a)
    assert missing == unreported(ruleset, b)
    env_a, env_b = environment(ruleset, a, label), environment(ruleset, b, label)
    a_good = b_good = True
    for sl in ruleset.service_levels:
        status_a, status_b = status(sl, env_a, missing), status(sl, env_b, missing)
        if "not measured" in (status_a, status_b) or reads(sl) & missing:
            if status_a != status_b:
                return None
            continue
        value_a, value_b = measured_value(sl, env_a), measured_value(sl, env_b)
        a_good = a_good and at_least_as_good(sl, value_a, value_b)
        b_good = b_good and at_least_as_good(sl, value_b, value_a)
    return "a" if a_good else "b" if b_good else None
