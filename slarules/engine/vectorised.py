"""Vectorised money-only evaluation: Terms x many histories -> each period's money, with NumPy.

Input: a compiled Terms and Columns, every input's values over runs x periods
(the same periods, from the calendar index `first`, in every run) as integers
scaled by a power of ten, with a mask where an input is not reported. Output:
MoneyOutcome, per run and period the credits, credits earned back, bonuses and
withheld charges in integer minor units, and per run the period in which each
termination trigger first fires. No line items, no sentences, no state: this is
for simulation, where only the money and the termination rights are read.

Exact, as evaluate.py: money is integer minor units (int64) from exact scaled
products, rounded once per line with the contract's mode (half up, half even,
half down, up, down: integer division, the remainder compared with half the
divisor); a measured value is an exact fraction of integers, and every threshold
comparison, tier, unit count and pro rata amount is decided by cross-multiplying
integers, never by binary floating point. Every product and sum is guarded: when
one could leave int64 (magnitudes multiplied beforehand as exact Python integers,
against 2**61: two bits of margin), the whole batch is evaluated by the exact evaluator instead.

Vectorised: inputs with defaults and `missing counts as a miss`, measurements
(any + - * / of inputs and numbers, in percent or not, on a reporting grid or
not), volume conditions, targets, every credit and bonus form (flat, tables, linear up/down/pro rata,
shortfall), award caps, allocations and the amount at risk as bases, bonus
gates, the at-risk cap, the bonus limit, netting, free passes, cure windows,
earn-back after N met periods, a critical failure (the withhold, the credits
replaced), caps on credits over several periods (rolling, or the contract year),
and every termination trigger (`in a row`, `in any N`, below a floor, `N or more
service levels missed`, credits over a window, a critical failure).

Falls back to the exact evaluator (evaluate.py), and says so in `exact_runs`:
  * for every run, when the terms have amendments, earn-back on the contract
    year's average, or a threshold that is a share of another input (`at most 3%
    of opened`); or when a figure could leave int64;
  * for one run, when it needs what only the exact evaluator does: a required
    input not reported or a measurement dividing by zero (the exact evaluator
    then raises its SLA401 or SLA402).
Earn-back keeps the credits outstanding as Decimals (of minor units), run by run
in the periods that have credits, as evaluate.py does: a period-wide cap makes
the share that counts a quotient rounded to 34 digits, which integers would not
repeat. Waivers and exclusions are not taken (simulated histories have none).
"""
from __future__ import annotations

import decimal
from decimal import Decimal

import attrs
import numpy as np

from ..core.money import CONTEXT
from ..language import nodes
from ..language.semantics import grid_step
from .compile import Terms
from .evaluate import evaluate
from .forms import AT_RISK_KEY, FlatForm, LinearForm, TableForm, allocation_key
from .measure import PERIOD_LENGTH_KEYS, period_lengths
from .history import History, PeriodData

ZERO, _ONE = Decimal(0), Decimal(1)
_LIMIT = 2 ** 61  # every intermediate stays below this in magnitude: 2r < d in rounding stays in int64
MET, MISSED, NOT_MEASURED = 0, 1, 2


class Overflow(Exception):
    """A figure could leave int64: evaluate_money then evaluates the batch with the exact
    evaluator; columns_of raises it for a value too large or too fine to be held."""


@attrs.frozen
class Column:
    """One input over runs x periods: value x 10**scale as int64; `present` False where not reported."""

    values: np.ndarray
    scale: int
    present: np.ndarray | None = None  # None: reported in every period


@attrs.frozen
class MoneyOutcome:
    """Per run (rows) and period (columns), amounts in minor units (10**-digits of the currency);
    terminations[r, t]: the period (0 = the first) in which program.triggers[t] first fires in
    run r, -1 if it does not; exact_runs: how many runs the exact evaluator evaluated."""

    digits: int
    credits: np.ndarray
    earned_back: np.ndarray
    bonuses: np.ndarray
    withheld: np.ndarray
    terminations: np.ndarray
    exact_runs: int

    @property
    def net(self) -> np.ndarray:
        """credits + withheld - earned back - bonuses, per run and period."""
        return self.credits + self.withheld - self.earned_back - self.bonuses

    def decimal(self, minor_units: int) -> Decimal:
        return Decimal(int(minor_units)).scaleb(-self.digits)


# ---------------------------------------------------------------- columns

def scaled(value: Decimal) -> tuple[int, int]:
    """(n, k) with value == n / 10**k, k >= 0."""
    exponent = value.as_tuple().exponent
    k = max(0, -exponent)
    return int(value.scaleb(k)), k


def columns_of(runs: list[list[dict[str, Decimal]]], names) -> dict[str, Column]:
    """Columns from runs of periods of {input: value} (every run as long as the first)."""
    columns = {}
    for name in names:
        cells = [[period.get(name) for period in run] for run in runs]
        scale = max((scaled(v)[1] for row in cells for v in row if v is not None), default=0)
        values = int64_array([[0 if v is None else int(v.scaleb(scale)) for v in row] for row in cells])
        present = np.array([[v is not None for v in row] for row in cells], dtype=bool)
        columns[name] = Column(values, scale, None if present.all() else present)
    return columns


def int64_array(rows) -> np.ndarray:
    """Python ints (lists, nested) as an int64 array; Overflow if one is too large."""
    values = np.array(rows, dtype=object)
    if values.size and max(abs(int(values.max())), abs(int(values.min()))) >= _LIMIT:
        raise Overflow
    return values.astype(np.int64)


# ---------------------------------------------------------------- guarded integer arithmetic

def _largest(a) -> int:
    """The largest magnitude in a (an int or an int64 array), as an exact Python int."""
    if isinstance(a, int):
        return abs(a)
    if not np.size(a):
        return 0
    return max(int(np.max(a)), -int(np.min(a)))


def _mul(a, b):
    if _largest(a) * _largest(b) >= _LIMIT:
        raise Overflow
    return np.multiply(a, b, dtype=np.int64)


def _add(a, b):
    if _largest(a) + _largest(b) >= _LIMIT:
        raise Overflow
    return np.add(a, b, dtype=np.int64)


def round_div(n, d, mode: str):
    """n / d (d > 0) rounded to an integer with the contract's rounding mode, as Decimal.quantize would."""
    if _largest(d) >= _LIMIT:
        raise Overflow
    n = np.asarray(n, dtype=np.int64)
    magnitude = np.abs(n)  # with d, below 2**61: their sum stays in int64
    if mode == "down":
        q = magnitude // d
    elif mode == "up":
        q = (magnitude + (d - 1)) // d
    elif mode == "half up":  # up exactly when the remainder r has 2r >= d, d odd or even
        q = (magnitude + d // 2) // d
    else:
        q, r = np.divmod(magnitude, d)
        if mode == "half down":
            q = q + (2 * r > d)
        else:  # half even
            q = q + ((2 * r > d) | ((2 * r == d) & (q % 2 == 1)))
    return np.where(n < 0, -q, q)


def _to_minor(n, k: int, digits: int, mode: str):
    """The exact decimal n / 10**k in minor units (10**-digits), rounded with `mode`."""
    if k <= digits:
        return _mul(n, 10 ** (digits - k))
    return round_div(n, 10 ** (k - digits), mode)


# ---------------------------------------------------------------- one batch

class _Batch:
    """The arrays of one evaluation: inputs with defaults applied, and exact money bases."""

    def __init__(self, program: Terms, columns: dict[str, Column], shape, first: int):
        self.program = program
        self.shape = shape
        self.first = first  # the calendar index of the first period
        self.digits = program.rounding.digits
        self.mode = program.rounding.mode
        self.bad = np.zeros(shape[0], dtype=bool)  # runs for the exact evaluator
        self.columns = {}
        for spec in program.inputs:
            column = columns.get(spec.name)
            if column is None:
                column = Column(np.zeros(shape, dtype=np.int64), 0, np.zeros(shape, dtype=bool))
            if spec.missing == "default" and column.present is not None:
                n, k = scaled(spec.default)
                scale = max(k, column.scale)
                values = np.where(column.present, _mul(column.values, 10 ** (scale - column.scale)),
                                  _mul(n, 10 ** (scale - k)))
                column = Column(values, scale, None)
            elif spec.missing == "required" and column.present is not None:
                self.bad |= ~column.present.all(axis=1)  # SLA401 comes from the exact evaluator
            self.columns[spec.name] = column
        self.money: dict[str, tuple] = {}  # the exact bases of amounts: (n, k)
        self.rounded: dict[tuple, np.ndarray] = {}  # minor(), by (factor, base)
        if program.at_risk is not None:
            self.money[AT_RISK_KEY] = self.exact(program.at_risk.amount)

    def exact(self, amount) -> tuple:
        """An amount's exact value as (n, k): n / 10**k, over runs x periods (or a constant)."""
        fn, fk = scaled(amount.factor)
        if amount.base_key is None:
            return fn, fk
        if amount.base_key in self.money:
            n, k = self.money[amount.base_key]
        else:
            column = self.columns[amount.base_key]
            n, k = column.values, column.scale
        return _mul(n, fn), k + fk

    def minor(self, amount) -> np.ndarray:
        """An amount rounded to minor units, over runs x periods (computed once per amount)."""
        key = (amount.factor, amount.base_key)
        if key not in self.rounded:
            self.rounded[key] = np.broadcast_to(_to_minor(*self.exact(amount), self.digits, self.mode), self.shape)
        return self.rounded[key]

    def present(self, names) -> np.ndarray:
        out = np.ones(self.shape, dtype=bool)
        for name in names:
            if self.columns[name].present is not None:
                out &= self.columns[name].present
        return out

    # ---- measurements as exact fractions
    def fraction(self, expr) -> tuple:
        """(numerator, denominator, divides by zero) of an expression."""
        if isinstance(expr, nodes.Number):
            n, k = scaled(expr.value)
            return n, 10 ** k, False
        if isinstance(expr, nodes.Reference):
            column = self.columns[expr.name.text]
            return column.values, 10 ** column.scale, False
        if isinstance(expr, nodes.PeriodLength):  # one whole number per period, the same in every run
            key, calendar = PERIOD_LENGTH_KEYS[expr.unit], self.program.calendar
            lengths = [int(period_lengths(calendar.days_in(calendar.label(self.first + p)))[key])
                       for p in range(self.shape[1])]
            return np.array(lengths, dtype=np.int64), 1, False
        (ln, ld, lz), (rn, rd, rz) = self.fraction(expr.left), self.fraction(expr.right)
        if expr.op == "*":
            return _mul(ln, rn), _mul(ld, rd), lz | rz
        if expr.op == "/":
            return _mul(ln, rd), _mul(ld, rn), lz | rz | (np.asarray(rn) == 0)
        cross = _mul(rn, ld) if expr.op == "+" else -_mul(rn, ld)
        return _add(_mul(ln, rd), cross), _mul(ld, rd), lz | rz


def _compare(num, den, threshold: Decimal):
    """sign(num / den - threshold), den > 0."""
    tn, tk = scaled(threshold)
    return np.sign(_add(_mul(num, 10 ** tk), -_mul(den, tn)))


_HOLDS = {"at least": lambda s: s >= 0, "at most": lambda s: s <= 0, "above": lambda s: s > 0,
          "below": lambda s: s < 0}


def _holds(comparison: nodes.Comparison, num, den):
    return _HOLDS[comparison.op](_compare(num, den, comparison.quantity.value))


def _threshold_of(compiled_comparison) -> nodes.Comparison:
    """The comparison a compile_comparison closure tests (a Decimal's bound comparison method)."""
    ops = {"__le__": "at least", "__ge__": "at most", "__lt__": "above", "__gt__": "below"}
    return nodes.Comparison(ops[compiled_comparison.__name__], nodes.Quantity(compiled_comparison.__self__, None))


def _contains(interval, num, den):
    inside = np.ones(np.shape(num), dtype=bool) if np.ndim(num) else np.array(True)
    if interval.low is not None:
        s = _compare(num, den, interval.low)
        inside = inside & ((s >= 0) if interval.low_included else (s > 0))
    if interval.high is not None:
        s = _compare(num, den, interval.high)
        inside = inside & ((s <= 0) if interval.high_included else (s < 0))
    return inside


# ---------------------------------------------------------------- awards

def _assess(batch: _Batch, form, num, den, shape):
    """(applies, minor units) of what a form pays for the value num / den."""
    digits, mode = batch.digits, batch.mode
    if isinstance(form, FlatForm):
        return np.ones(shape, dtype=bool), batch.minor(form.amount)
    if isinstance(form, TableForm):
        applies = np.zeros(shape, dtype=bool)
        amount = np.zeros(shape, dtype=np.int64)
        for row in reversed(form.rows):  # the first row that contains the value applies
            inside = np.broadcast_to(_contains(row.interval, num, den), shape)
            applies = applies | inside
            amount = np.where(inside, batch.minor(row.amount), amount)
        return applies, amount
    per_n, per_k = batch.exact(form.amount if isinstance(form, LinearForm) else form.base)
    if isinstance(form, LinearForm):
        tn, tk = scaled(form.threshold)
        distance = _add(_mul(den, tn), -_mul(num, 10 ** tk))  # (threshold - value) x den x 10**tk
        if not form.below:
            distance = -distance
        sn, sk = scaled(form.step)
        unit_num, unit_den = _mul(distance, 10 ** sk), _mul(_mul(den, 10 ** tk), sn)  # units = num / den
        applies = np.broadcast_to(unit_num > 0, shape)
        if form.rounding == "pro rata":
            amount = round_div(_mul(_mul(unit_num, per_n), 10 ** digits), _mul(unit_den, 10 ** per_k), mode)
            return applies, np.broadcast_to(amount, shape)
        whole = np.floor_divide(unit_num, unit_den)
        if form.rounding == "up":
            whole = whole + (np.remainder(unit_num, unit_den) > 0)
        applies = applies & np.broadcast_to(whole > 0, shape)
        return applies, np.broadcast_to(_to_minor(_mul(whole, per_n), per_k, digits, mode), shape)
    # Shortfall: |target - value| points x 1% of the base
    tn, tk = scaled(form.target)
    distance = np.abs(_add(_mul(den, tn), -_mul(num, 10 ** tk)))  # x den x 10**tk
    applies = np.broadcast_to(distance > 0, shape)
    amount = round_div(_mul(_mul(distance, per_n), 10 ** digits), _mul(_mul(den, 10 ** tk), 10 ** per_k), mode)
    return applies, np.broadcast_to(amount, shape)


def _award(batch: _Batch, award, num, den, reported):
    """(applies, minor units) of a credit or bonus clause, its cap applied; where the value is
    not reported (`reported` False), the clause's maximum (evaluate.py: unreported_award)."""
    shape = batch.shape
    form = award.form
    applies, amount = _assess(batch, form, num, den, shape)
    worst_value = None if isinstance(form, (FlatForm, TableForm)) else form.worst_value
    if isinstance(form, FlatForm):
        worst = (np.ones(shape, dtype=bool), amount)
    elif isinstance(form, TableForm):
        worst = (np.ones(shape, dtype=bool), batch.minor(form.rows[0].amount))
    elif worst_value is None:
        worst = (np.zeros(shape, dtype=bool), np.zeros(shape, dtype=np.int64))
    else:
        wn, wk = scaled(worst_value)
        worst = _assess(batch, form, wn, 10 ** wk, shape)
    if award.cap is not None:
        limit = batch.minor(award.cap)
        amount = np.minimum(amount, limit)
        unbounded = isinstance(form, LinearForm) and form.unbounded
        worst = ((np.ones(shape, dtype=bool), limit) if unbounded
                 else (worst[0], np.minimum(worst[1], limit)))
    return np.where(reported, applies, worst[0]), np.where(reported, amount, worst[1])


# ---------------------------------------------------------------- support

def unsupported(program: Terms) -> str | None:
    """Why these terms go to the exact evaluator for every run, or None."""
    if program.amendments:
        return "amendments"
    if program.indexation is not None:
        return "amounts indexed to a price index"
    for sl in program.service_levels:
        if sl.node is None:
            return "service levels compiled without their clauses"
        if sl.earn_back is not None and sl.earn_back.after is None:
            return "earn-back on the contract year's average"
        if sl.assessment is not None:
            return "a service level assessed less often than the contract"
        if sl.cure_days is not None:
            return "a cure window in days"
        if sl.allowance is not None or any(
                award is not None and isinstance(award.form, LinearForm) and award.form.allowance is not None
                for award in (sl.credit, sl.bonus)):
            return "a threshold that is a share of another input"
    return None


# ---------------------------------------------------------------- evaluate

def evaluate_money(program: Terms, columns: dict[str, Column], first: int) -> MoneyOutcome:
    """Evaluate runs x periods of inputs from the calendar index `first`, without saved state."""
    shape = next(iter(columns.values())).values.shape if columns else (0, 0)
    runs = shape[0]
    if unsupported(program) is None:
        try:
            out, bad = _vectorised(program, columns, shape, first)
        except Overflow:
            out, bad = None, np.ones(runs, dtype=bool)
    else:
        out, bad = None, np.ones(runs, dtype=bool)
    if out is None:
        out = (np.zeros(shape, dtype=np.int64),) * 4 + (np.full((runs, len(program.triggers)), -1),)
        out = tuple(a.copy() for a in out)
    for run in np.flatnonzero(bad):
        _exact_run(program, columns, int(run), first, out)
    return MoneyOutcome(program.rounding.digits, *out, int(bad.sum()))


def _exact_run(program: Terms, columns: dict[str, Column], run: int, first: int, out) -> None:
    """Evaluate one run with evaluate.py and write its money into `out` (raises its SlaError)."""
    periods = []
    length = next(iter(columns.values())).values.shape[1]
    for p in range(length):
        values = {name: Decimal(int(c.values[run, p])).scaleb(-c.scale) for name, c in columns.items()
                  if c.present is None or c.present[run, p]}
        periods.append(PeriodData(program.calendar.label(first + p), values))
    outcome = evaluate(program, History(tuple(periods)))
    digits = program.rounding.digits
    credits, earned_back, bonuses, withheld, terminations = out
    for p, period in enumerate(outcome.periods):
        t = period.totals
        for target, amount in ((credits, t.credits), (earned_back, t.earned_back), (bonuses, t.bonuses),
                               (withheld, t.withheld)):
            target[run, p] = int(amount.scaleb(digits))
    terminations[run] = -1
    labels = {program.calendar.label(first + p): p for p in range(length)}
    for right in outcome.terminations:
        for number, rule in enumerate(program.triggers):
            if rule.text == right.trigger and rule.clause == right.clause and terminations[run, number] < 0:
                terminations[run, number] = labels[right.period]
                break


def _vectorised(program: Terms, columns, shape, first: int):
    batch = _Batch(program, columns, shape, first)
    runs, length = shape
    levels = program.service_levels
    status, present, nums, dens = [], [], [], []
    for sl in levels:
        node = sl.node
        reported = batch.present(sl.reads)
        num, den, zero = batch.fraction(node.measured.expr)
        num, den = np.broadcast_to(num, shape), np.broadcast_to(den, shape)
        zero = np.broadcast_to(zero | (den == 0), shape)
        if node.measured.in_percent:
            num = _mul(num, 100)
        negative = den < 0
        num, den = np.where(negative, -num, num), np.where(negative | zero, np.abs(den) + zero, den)
        if node.measured.reported is not None:  # every comparison sees the value on the grid (reported.py)
            qn, qk = scaled(grid_step(node.measured))
            steps = round_div(_mul(num, 10 ** qk), _mul(den, qn), node.measured.reported.mode or "half up")
            num, den = _mul(steps, qn), np.full(shape, 10 ** qk, dtype=np.int64)
        met = np.broadcast_to(_holds(node.target.comparison, num, den), shape)
        code = np.where(met, MET, MISSED)
        if node.volume is not None:
            v = batch.columns[node.volume.input.text]
            counted = np.broadcast_to(_holds(node.volume.comparison, v.values, 10 ** v.scale), shape)
            code = np.where(counted, code, NOT_MEASURED)
        else:
            counted = np.ones(shape, dtype=bool)
        batch.bad |= (reported & counted & zero).any(axis=1)  # SLA402 comes from the exact evaluator
        code = np.where(reported, code, MISSED)  # not reported, counted as a miss
        status.append(code)
        present.append(reported)
        nums.append(num)
        dens.append(den)

    names = [sl.name for sl in levels]
    credit_of, bonus_of = [], []
    for position, sl in enumerate(levels):
        if sl.allocation is not None:
            batch.money[allocation_key(sl.name)] = batch.exact(sl.allocation)
        credit_of.append(None if sl.credit is None else
                         _award(batch, sl.credit, nums[position], dens[position], present[position]))
        bonus = None
        if sl.bonus is not None:
            applies, amount = _award(batch, sl.bonus, nums[position], dens[position], present[position])
            applies = applies & (status[position] == MET)
            if sl.gate is not None:
                applies = applies & _gate_open(sl.node, status, names, levels)
            bonus = np.where(applies, amount, 0)
        bonus_of.append(bonus)
    at_risk = batch.minor(program.at_risk.amount) if program.at_risk is not None else None
    bonus_limit = batch.minor(program.bonus_limit.amount) if program.bonus_limit is not None else None

    credits = np.zeros(shape, dtype=np.int64)
    earned_back = np.zeros(shape, dtype=np.int64)
    bonuses = np.zeros(shape, dtype=np.int64)
    for bonus in bonus_of:
        if bonus is not None:
            bonuses += bonus
    failure, withheld, replaced = _critical_failure(batch, program, status, nums, dens, present)
    carried = [_Carry(sl, runs) for sl in levels]
    simple = all(c.simple for c in carried) and not any(sl.earn_back for sl in levels) and not program.window_caps
    windows = [_Window(batch, rule, program, first, length) for rule in program.window_caps]
    if simple:  # no state carried between periods: every period at once
        own = sum((np.where(s == MISSED, c[1], 0) * c[0] for s, c in zip(status, credit_of) if c is not None),
                  np.zeros(shape, dtype=np.int64))
        accrued = np.where(replaced, 0, own)
        credits = accrued if at_risk is None else np.minimum(accrued, at_risk)
    else:
        year = None
        for p in range(length):
            this_year = program.calendar.contract_year_of(first + p)
            own = np.zeros(runs, dtype=np.int64)
            own_of = []
            for position, carry in enumerate(carried):
                if this_year != year:
                    carry.passes_used[:] = 0
                credit = credit_of[position]
                charged = carry.period(p, status[position][:, p], None if credit is None else
                                       np.where(credit[0][:, p], credit[1][:, p], 0))
                own_of.append(charged)
                own += charged
            year = this_year
            accrued = np.where(replaced[:, p], 0, own)
            capped = accrued if at_risk is None else np.minimum(accrued, at_risk[:, p])
            for window in windows:
                earlier = credits[:, window.start[p]:p].sum(axis=1)
                over = earlier + capped - window.limit(p)
                capped = capped - np.where(over > 0, np.minimum(over, capped), 0)
            credits[:, p] = capped
            for position, sl in enumerate(levels):
                if sl.earn_back is not None:
                    earned_back[:, p] += carried[position].earn_back(status[position][:, p], own_of[position],
                                                                     own, capped, batch)
    if bonus_limit is not None:
        bonuses = np.minimum(bonuses, bonus_limit)
    if program.netting == "only offset":
        bonuses = np.minimum(bonuses, credits)
    terminations = _terminations(program, status, nums, dens, present, failure, credits, batch, first)
    return (credits, earned_back, bonuses, withheld, terminations), batch.bad


def _critical_failure(batch: _Batch, program: Terms, status, nums, dens, present):
    """(a critical failure, the charges withheld, the credits replaced), over runs x periods."""
    shape = batch.shape
    rule = program.critical_failure
    if rule is None:
        no = np.zeros(shape, dtype=bool)
        return no, np.zeros(shape, dtype=np.int64), no
    failure = np.zeros(shape, dtype=bool)
    for test in rule.conditions:
        if test.kind == "floor":
            i = test.position
            failure |= present[i] & (status[i] != NOT_MEASURED) & _holds(_threshold_of(test.floor), nums[i], dens[i])
        else:
            failure |= sum((s == MISSED).astype(np.int64) for s in status) >= test.count
    base = batch.columns[rule.base]  # the withhold is never more than the charges, to the minor unit below
    charges = (_mul(base.values, 10 ** (batch.digits - base.scale)) if base.scale <= batch.digits
               else np.floor_divide(base.values, 10 ** (base.scale - batch.digits)))
    withheld = np.where(failure, np.minimum(batch.minor(rule.withhold), charges), 0)
    return failure, withheld, failure & rule.replaces_credits


def _gate_open(node: nodes.ServiceLevel, status, names, levels):
    gate = node.gate
    if gate.kind == "named met":
        watched = [names.index(n.text) for n in gate.names]
        return np.logical_and.reduce([status[i] == MET for i in watched])
    if gate.kind == "all met":
        return np.logical_and.reduce([s == MET for s in status])
    critical = [s for s, sl in zip(status, levels) if sl.critical]
    return np.logical_and.reduce([s != MISSED for s in critical]) if critical else True


class _Carry:
    """What one service level carries from period to period, over every run."""

    def __init__(self, sl, runs: int):
        self.sl = sl
        self.cure = sl.cure if sl.credit is not None else None
        self.simple = self.cure is None and sl.free_passes is None
        self.passes_used = np.zeros(runs, dtype=np.int64)
        self.held = np.zeros((runs, (self.cure or 0) + 1), dtype=np.int64)  # by deadline modulo cure + 1
        self.outstanding = [ZERO] * runs if sl.earn_back is not None else None
        self.streak = np.zeros(runs, dtype=np.int64)

    def period(self, p: int, status, credit):
        """The credits this service level charges in period p (before period-wide caps)."""
        missed = status == MISSED
        if self.sl.free_passes is not None:
            passing = missed & (self.passes_used < self.sl.free_passes)
            self.passes_used += passing
            missed = missed & ~passing
        if credit is None:
            return np.zeros_like(status, dtype=np.int64)
        if self.cure is None:
            return np.where(missed, credit, 0)
        slots = self.cure + 1
        self.held[:, (p + self.cure) % slots] = np.where(missed, credit, 0)
        self.held[status == MET] = 0  # a met period cures every open window
        due = self.held[:, p % slots].copy()
        self.held[:, p % slots] = 0
        return due

    def earn_back(self, status, own, own_total, capped_total, batch: _Batch):
        """Credits earned back this period. What is outstanding is kept as Decimals, as evaluate.py
        keeps it: when a period-wide cap cut the period's credits, the share of this service level's
        credits that counts is own x capped / total, rounded to 34 digits there, and so it is here. The Decimals
        count minor units (rounding to 34 significant digits does not depend on where the point is)."""
        rule = self.sl.earn_back
        outstanding = self.outstanding
        with decimal.localcontext(CONTEXT):
            runs = np.flatnonzero(own > 0)
            for run, amount, capped, total in zip(runs.tolist(), own[runs].tolist(), capped_total[runs].tolist(),
                                                  own_total[runs].tolist()):
                share = Decimal(amount)
                if capped != total:
                    share = share * Decimal(capped) / Decimal(total)
                outstanding[run] += share
            self.streak = np.where(status == MET, self.streak + 1, np.where(status == MISSED, 0, self.streak))
            returned = np.zeros(len(status), dtype=np.int64)
            mode = batch.program.rounding.decimal_mode
            for run in np.flatnonzero(self.streak >= rule.after).tolist():
                if outstanding[run] > 0:
                    returned[run] = int((outstanding[run] * rule.rate).quantize(_ONE, mode))
                    outstanding[run] = ZERO
                    self.streak[run] = 0
        return returned


class _Window:
    """A limit on credits over a window of periods: where the window ending at each period
    starts (0 = the first period), and its limit there in minor units."""

    def __init__(self, batch: _Batch, rule, program: Terms, first: int, length: int):
        self.batch, self.rule = batch, rule
        if rule.length is None:  # the contract year so far
            years = [program.calendar.contract_year_of(first + p) for p in range(length)]
            self.start = [years.index(year) for year in years]
        else:
            self.start = [max(0, p - rule.length + 1) for p in range(length)]
        if rule.money is not None:
            self.fixed = _to_minor(*scaled(rule.money), batch.digits, batch.mode)
        else:
            base = batch.columns[rule.base]
            if _largest(base.values) * max(length, 1) >= _LIMIT:
                raise Overflow
            self.summed = np.concatenate([np.zeros((batch.shape[0], 1), dtype=np.int64),
                                          np.cumsum(base.values, axis=1)], axis=1)
            self.scale = base.scale

    def limit(self, p: int):
        """The limit of the window that ends at period p (each run), as evaluate.py rounds it."""
        if self.rule.money is not None:
            return self.fixed
        bases = self.summed[:, p + 1] - self.summed[:, self.start[p]]
        rn, rk = scaled(self.rule.rate)
        return _to_minor(_mul(bases, rn), self.scale + rk, self.batch.digits, self.batch.mode)


def _terminations(program: Terms, status, nums, dens, present, failure, credits, batch: _Batch,
                  first: int) -> np.ndarray:
    """The first period of each trigger per run (-1: never). A period not measured neither
    counts nor breaks a run of misses."""
    runs, length = batch.shape
    position = {sl.name: i for i, sl in enumerate(program.service_levels)}
    out = np.full((runs, len(program.triggers)), -1, dtype=np.int64)
    for number, rule in enumerate(program.triggers):
        if rule.kind == "in a row":
            s = status[position[rule.service_level]]
            streak = np.zeros(runs, dtype=np.int64)
            fires = np.zeros((runs, length), dtype=bool)
            for p in range(length):
                streak = np.where(s[:, p] == MISSED, streak + 1, np.where(s[:, p] == MET, 0, streak))
                fires[:, p] = streak >= rule.count
        elif rule.kind == "in window":
            misses = np.cumsum(status[position[rule.service_level]] == MISSED, axis=1)
            before = np.zeros_like(misses)
            before[:, rule.length:] = misses[:, :-rule.length] if rule.length < length else 0
            fires = misses - before >= rule.count
        elif rule.kind == "floor":
            i = position[rule.service_level]
            fires = present[i] & (status[i] != NOT_MEASURED) & _holds(_threshold_of(rule.floor), nums[i], dens[i])
        elif rule.kind == "critical failure":
            fires = failure
        elif rule.kind == "credits":
            window = _Window(batch, rule.window, program, first, length)
            summed = np.concatenate([np.zeros((runs, 1), dtype=np.int64), np.cumsum(credits, axis=1)], axis=1)
            fires = np.stack([summed[:, p + 1] - summed[:, window.start[p]] > window.limit(p)
                              for p in range(length)], axis=1) if length else np.zeros((runs, 0), dtype=bool)
        else:  # "many"
            fires = sum((s == MISSED).astype(np.int64) for s in status) >= rule.count
        any_fire = fires.any(axis=1)
        out[:, number] = np.where(any_fire, np.argmax(fires, axis=1), -1)
    return out
