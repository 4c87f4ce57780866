"""Vectorised money-only evaluation: Terms x many histories -> each period's money, with NumPy.

Input: a compiled Terms and Columns, every input's values over runs x periods
(the same periods, from the calendar index `first`, in every run) as integers
scaled by a power of ten, with a mask where an input is not reported. Output:
MoneyOutcome, per run and period the credits, credits earned back, bonuses and
withheld charges in integer minor units, and per run the period in which each
termination trigger first fires. No line items, no sentences, no state: this is
for simulation, where only the money and the termination rights are read.

Exact, as evaluate.py: money is integer minor units (int64) from exact scaled
products, rounded once per line with the contract's mode (vectorised_integers.py:
integer division, the remainder compared with half the divisor); a measured value
is an exact fraction of integers, and every threshold comparison, tier, unit count
and pro rata amount is decided by cross-multiplying integers, never by binary
floating point. Every product and sum is guarded: when one could leave int64, the
whole batch is evaluated by the exact evaluator instead. The guards read each
array's largest magnitude from Bounds (vectorised_integers.py: an input's found
by one pass per batch, a product's from its operands'), not from a pass over
every operand. Each quantity is held in the type it needs: statuses and flags in
int8 and bool, a table's factor in the smallest integer type that holds it, counts
of misses in int8 to int32, money in int64.

Vectorised: inputs with defaults and `missing counts as a miss`, measurements
(any + - * / of inputs and numbers, in percent or not, on a reporting grid or
not), volume conditions, targets, every credit and bonus form (flat, tables, linear up/down/pro rata,
shortfall), award caps, allocations and the amount at risk as bases, bonus
gates, the at-risk cap, the bonus limit, netting, free passes, cure windows,
a critical failure (the withhold, the credits replaced), and every termination
trigger (`in a row`, `in any N`, below a floor, `N or more service levels
missed`, credits over a window, a critical failure) over all runs and periods at
once; caps on credits over several periods (rolling, or the contract year) and
earn-back after N met periods (vectorised_earn_back.py) one period after the
other, each over all runs at once. Runs are taken in batches of at most CHUNK
periods, the runs shared evenly: each array then stays in cache and reuses the
allocator's pages, and the fixed cost of a batch (about 1 ms of Python and NumPy
calls) is paid a few times per call: 10,000 runs of 24 months go in four
batches of 2,500 runs. Selections are arithmetic (pick, int8 status codes),
never np.where, which costs ten times as much on random conditions.

Falls back to the exact evaluator (evaluate.py), and says so in `exact_runs`:
  * for every run, when the terms have amendments, earn-back on the contract
    year's average, or a threshold that is a share of another input (`at most 3%
    of opened`); or when a figure could leave int64;
  * for one run, when it needs what only the exact evaluator does: a required
    input not reported or a measurement dividing by zero (the exact evaluator
    then raises its SLA401 or SLA402).
Earn-back replays a few runs with evaluate.py's Decimals (vectorised_earn_back.py
says which); those runs are not counted in `exact_runs`. Waivers and exclusions
are not taken (simulated histories have none).
"""
from __future__ import annotations

import functools
from decimal import Decimal

import attrs
import numpy as np

from ..language import nodes
from ..language.semantics import grid_step
from .compile import Terms
from .evaluate import evaluate
from .forms import AT_RISK_KEY, FlatForm, LinearForm, TableForm, allocation_key
from .history import History, PeriodData
from .measure import PERIOD_LENGTH_KEYS, period_lengths
from .vectorised_earn_back import earned_back
from .vectorised_integers import (LIMIT, Bounds, Overflow, holding, int64_array, largest, mul, pick, round_div, scaled,
                                  to_minor)

__all__ = ["Column", "MoneyOutcome", "Overflow", "columns_of", "evaluate_money", "int64_array", "round_div",
           "scaled", "unsupported"]

MET, MISSED, NOT_MEASURED = np.int8(0), np.int8(1), np.int8(2)
CHUNK = 2 ** 16  # periods evaluated at once at most (runs x periods), the runs shared evenly between batches.
# A sweep at both of bench/vectorised.py's shapes (CPU time, best of 8 to 12, other jobs on the machine), in
# million periods/s for 8,192 / 16,384 / 32,768 / 40,000 / 49,152 / 65,536 / 98,304 / 131,072 periods a batch:
#   10,000 runs x 24 months: 6.1 / 8.5 / 7.9 / 8.7 / 8.7 / 8.8 / 9.5 / 7.7
#   416 runs x 120 months:   3.5 / 5.7 / 8.0 / 7.9 / 7.8 / 9.5 / 9.6 / 9.4
# Flat within the noise (about 10%) from 40,000 to 98,304. Below, the fixed cost of a batch (about 1 ms of
# Python and NumPy calls) dominates; above, the arrays (480 KiB of int64 at 60,000) leave the cache, and a
# call page-faults its working set in (about 150 bytes a period).


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


# ---------------------------------------------------------------- one batch

class _Batch:
    """The arrays of one evaluation: inputs with defaults applied, and exact money bases."""

    def __init__(self, program: Terms, columns: dict[str, Column], shape, first: int):
        self.program = program
        self.ints = Bounds()  # the largest magnitudes, an input's found when first asked (the batch is in cache then)
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
                reported, default = self.ints.mul(column.values, 10 ** (scale - column.scale)), mul(n, 10 ** (scale - k))
                values = self.ints.note(pick(column.present, reported, default),
                                        max(self.ints.largest(reported), abs(default)))
                column = Column(values, scale, None)
            elif spec.missing == "required" and column.present is not None:
                self.bad |= ~column.present.all(axis=1)  # SLA401 comes from the exact evaluator
            self.columns[spec.name] = column
        self.money: dict[str, tuple] = {}  # the exact bases of amounts: (n, k)
        self.rounded: dict[tuple, np.ndarray] = {}  # minor(), by (factor, base)
        self._flags: dict[tuple, tuple] = {}  # flags(), by (id of the status array, code)
        self._volumes: dict[tuple, np.ndarray] = {}  # volume_holds(), by (input, comparison, quantity)

    def volume_holds(self, volume) -> np.ndarray:
        """Where a volume condition holds, found once per condition (service levels often share one)."""
        comparison = volume.comparison
        key = (volume.input.text, comparison.op, comparison.quantity.value)
        if key not in self._volumes:
            column = self.columns[volume.input.text]
            self._volumes[key] = _spread_to(_holds(self.ints, comparison, column.values, 10 ** column.scale),
                                            self.shape)
        return self._volumes[key]

    @functools.cached_property
    def year_start(self) -> np.ndarray:
        """Per period, the first period of its contract year (0: the first period), for free passes
        and caps over the contract year."""
        years = [self.program.calendar.contract_year_of(self.first + p) for p in range(self.shape[1])]
        return np.array([years.index(year) for year in years], dtype=np.int64)

    def flags(self, status, code) -> np.ndarray:
        """Where a status array has `code` (MET, MISSED), found once per array and code."""
        key = (id(status), int(code))
        known = self._flags.get(key)
        if known is None or known[0] is not status:
            known = self._flags[key] = (status, status == code)
        return known[1]

    def spread(self, a) -> np.ndarray:
        """a (an int or an array) broadcast to runs x periods, its bound noted."""
        return self.ints.note(_spread_to(a, self.shape), self.ints.largest(a))

    def base(self, key: str) -> tuple:
        """A base of amounts as (n, k): n / 10**k, over runs x periods."""
        if key == AT_RISK_KEY and key not in self.money:  # made when an amount is a share of it
            self.money[key] = self.exact(self.program.at_risk.amount)
        if key in self.money:
            return self.money[key]
        column = self.columns[key]
        return column.values, column.scale

    def exact(self, amount) -> tuple:
        """An amount's exact value as (n, k): n / 10**k, over runs x periods (or a constant)."""
        fn, fk = scaled(amount.factor)
        if amount.base_key is None:
            return fn, fk
        n, k = self.base(amount.base_key)
        return self.ints.mul(n, fn), k + fk

    def minor(self, amount) -> np.ndarray:
        """An amount rounded to minor units, over runs x periods (computed once per amount)."""
        key = (amount.factor, amount.base_key)
        if key not in self.rounded:
            self.rounded[key] = _spread_to(self.ints.to_minor(*self.exact(amount), self.digits, self.mode), self.shape)
        return self.rounded[key]

    def table(self, rows, num, den) -> tuple:
        """(applies, minor units) of the first of the rows whose interval holds num / den. Amounts
        of one base are chosen as factors, in the smallest integer type that holds them (int8
        for the usual few percent: an eighth of the bytes of int64 per pass), and rounded once:
        n x f / 10**k is the same number whichever power of ten f and k share."""
        amounts = [row.amount for row in rows]
        bases = {amount.base_key for amount in amounts}
        if len(bases) > 1:
            applies, chosen = False, 0
            for row, amount in reversed(list(zip(rows, amounts))):  # the first row that holds the value applies
                inside = _contains(self.ints, row.interval, num, den)
                applies, chosen = applies | inside, pick(inside, self.minor(amount), chosen)
            return _spread_to(applies, self.shape), _spread_to(chosen, self.shape)
        factors = [scaled(amount.factor) for amount in amounts]
        k = max(fk for _, fk in factors)
        values = [fn * 10 ** (k - fk) for fn, fk in factors]
        largest_value = max(abs(value) for value in values)
        dtype = holding(2 * largest_value)  # a difference of two factors fits too
        applies, chosen = np.zeros(self.shape, dtype=bool), np.zeros(self.shape, dtype=dtype)
        step = np.empty(self.shape, dtype=dtype)
        for row, value in reversed(list(zip(rows, values))):  # the first row that holds the value applies
            inside = _spread_to(_contains(self.ints, row.interval, num, den), self.shape)
            applies |= inside
            np.subtract(value, chosen, out=step)  # chosen = value where inside, by arithmetic
            step *= inside.view(np.int8) if dtype == np.int8 else inside
            chosen += step
        self.ints.note(chosen, largest_value)
        (base,) = bases
        n, bk = (0, 0) if base is None else self.base(base)
        exact = chosen.astype(np.int64)  # int64 x int8 costs twice the cast and an int64 product
        if base is not None:
            exact = self.ints.mul(n, self.ints.note(exact, largest_value))
        return applies, _spread_to(self.ints.to_minor(exact, bk + k, self.digits, self.mode), self.shape)

    def present(self, names) -> np.ndarray | None:
        """Where every one of `names` is reported; None: everywhere."""
        masks = [self.columns[name].present for name in names if self.columns[name].present is not None]
        return np.logical_and.reduce(masks) if masks else None

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
        ints = self.ints
        if expr.op == "*":
            return ints.mul(ln, rn), ints.mul(ld, rd), lz | rz
        if expr.op == "/":
            zero = False if _positive(rn) else np.asarray(rn) == 0  # one pass, not a mask, for a count
            return ints.mul(ln, rd), ints.mul(ld, rn), lz | rz | zero
        cross = ints.mul(rn, ld)
        return ints.add(ints.mul(ln, rd), cross if expr.op == "+" else ints.note(-cross, ints.largest(cross))), \
            ints.mul(ld, rd), lz | rz


def _positive(a) -> bool:
    """Whether every value of a (an int or an array) is above 0."""
    return a > 0 if isinstance(a, int) else (not np.size(a) or bool(np.min(a) > 0))


def _spread_to(a, shape) -> np.ndarray:
    """a as runs x periods: itself when it has that shape (np.broadcast_to costs a few µs of Python)."""
    return a if isinstance(a, np.ndarray) and a.shape == shape else np.broadcast_to(a, shape)


def _sides(ints: Bounds, num, den, threshold: Decimal):
    """(num x 10**k, den x n) for the threshold n / 10**k: compared as num / den is with it (den > 0)."""
    tn, tk = scaled(threshold)
    return ints.mul(num, 10 ** tk), ints.mul(den, tn)


_HOLDS = {"at least": np.greater_equal, "at most": np.less_equal, "above": np.greater, "below": np.less}


def _holds(ints: Bounds, comparison: nodes.Comparison, num, den):
    return _HOLDS[comparison.op](*_sides(ints, num, den, comparison.quantity.value))


def _threshold_of(compiled_comparison) -> nodes.Comparison:
    """The comparison a compile_comparison closure tests (a Decimal's bound comparison method)."""
    ops = {"__le__": "at least", "__ge__": "at most", "__lt__": "above", "__gt__": "below"}
    return nodes.Comparison(ops[compiled_comparison.__name__], nodes.Quantity(compiled_comparison.__self__, None))


def _contains(ints: Bounds, interval, num, den):
    inside = True
    if interval.low is not None:
        inside = (np.greater_equal if interval.low_included else np.greater)(*_sides(ints, num, den, interval.low))
    if interval.high is not None:
        inside = inside & (np.less_equal if interval.high_included else np.less)(
            *_sides(ints, num, den, interval.high))
    return inside


# ---------------------------------------------------------------- awards

def _assess(batch: _Batch, form, num, den, shape):
    """(applies, minor units) of what a form pays for the value num / den."""
    digits, mode = batch.digits, batch.mode
    if isinstance(form, FlatForm):
        return np.ones(shape, dtype=bool), batch.minor(form.amount)
    if isinstance(form, TableForm):
        return batch.table(form.rows, num, den)
    per_n, per_k = batch.exact(form.amount if isinstance(form, LinearForm) else form.base)
    ints = batch.ints
    if isinstance(form, LinearForm):
        tn, tk = scaled(form.threshold)
        threshold, value = ints.mul(den, tn), ints.mul(num, 10 ** tk)  # both x den x 10**tk
        # the distance beyond the threshold: (threshold - value) below it, (value - threshold) above it
        distance = ints.sub(threshold, value) if form.below else ints.sub(value, threshold)
        sn, sk = scaled(form.step)
        unit_num, unit_den = ints.mul(distance, 10 ** sk), ints.mul(ints.mul(den, 10 ** tk), sn)  # units = num / den
        applies = _spread_to(unit_num > 0, shape)
        if form.rounding == "pro rata":
            amount = ints.round_div(ints.mul(ints.mul(unit_num, per_n), 10 ** digits),
                                    ints.mul(unit_den, 10 ** per_k), mode)
            return applies, _spread_to(amount, shape)
        whole = -(-unit_num // unit_den) if form.rounding == "up" else unit_num // unit_den
        ints.note(whole, ints.largest(unit_num))  # unit_den >= 1
        if form.rounding != "up" or sn <= 0:  # rounded up, a whole unit or more wherever unit_num > 0
            applies = applies & _spread_to(whole > 0, shape)
        return applies, _spread_to(ints.to_minor(ints.mul(whole, per_n), per_k, digits, mode), shape)
    # Shortfall: |target - value| points x 1% of the base
    tn, tk = scaled(form.target)
    distance = ints.sub(ints.mul(den, tn), ints.mul(num, 10 ** tk))  # x den x 10**tk
    distance = ints.note(np.abs(distance), ints.largest(distance))
    applies = _spread_to(distance > 0, shape)
    amount = ints.round_div(ints.mul(ints.mul(distance, per_n), 10 ** digits),
                            ints.mul(ints.mul(den, 10 ** tk), 10 ** per_k), mode)
    return applies, _spread_to(amount, shape)


def _award(batch: _Batch, award, num, den, reported):
    """(applies, minor units) of a credit or bonus clause, its cap applied; where the value is
    not reported (`reported` False), the clause's maximum (evaluate.py: unreported_award)."""
    shape = batch.shape
    form = award.form
    applies, amount = _assess(batch, form, num, den, shape)
    limit = batch.minor(award.cap) if award.cap is not None else None
    if limit is not None:
        amount = np.minimum(amount, limit)
    if reported is None:
        return applies, amount
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
    if limit is not None:
        unbounded = isinstance(form, LinearForm) and form.unbounded
        worst = ((np.ones(shape, dtype=bool), limit) if unbounded
                 else (worst[0], np.minimum(worst[1], limit)))
    return (reported & applies) | (~reported & worst[0]), pick(reported, amount, worst[1])


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
    runs, length = shape
    # the four amounts as rows of one block: from 4 MiB NumPy asks the kernel for huge pages, so a
    # dry-run's outputs fault in a few hundred pages instead of some 1,900
    out = tuple(np.zeros((4, runs, length), dtype=np.int64)) + (
        np.full((runs, len(program.triggers)), -1, dtype=np.int64),)
    bad = np.ones(runs, dtype=bool)
    if unsupported(program) is None:
        try:
            batches = -(-runs * max(length, 1) // CHUNK)
            step = max(1, -(-runs // max(batches, 1)))  # e.g. 10,000 runs of 24 months: 4 batches of 2,500 runs
            for start in range(0, runs, step):
                part = slice(start, start + step)
                money, bad[part] = _vectorised(program, {name: _rows(c, part) for name, c in columns.items()},
                                               (min(step, runs - start), length), first)
                for target, source in zip(out, money):
                    if source is not None:  # None: zeros, as `out` already is (its pages never touched)
                        target[part] = source
        except Overflow:
            bad[:] = True
    for run in np.flatnonzero(bad):
        _exact_run(program, columns, int(run), first, out)
    return MoneyOutcome(program.rounding.digits, *out, int(bad.sum()))


def _rows(column: Column, rows: slice) -> Column:
    return Column(column.values[rows], column.scale, None if column.present is None else column.present[rows])


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


def _measure(batch: _Batch, sl):
    """(status, reported or None, numerator, denominator) of a service level over runs x periods."""
    shape, node = batch.shape, sl.node
    reported = batch.present(sl.reads)
    ints = batch.ints
    num, den, zero = batch.fraction(node.measured.expr)
    num, den = batch.spread(num), batch.spread(den)
    if node.measured.in_percent:
        num = ints.mul(num, 100)
    positive = zero is False and _positive(den)  # the usual count below the line: one pass, not four
    zero = _spread_to(False if positive else zero | (den == 0), shape)
    negative = False if positive else den < 0
    if not positive and negative.any():
        num, den = ints.note(num - 2 * num * negative, ints.largest(num)), ints.note(np.abs(den), ints.largest(den))
    if not positive and zero.any():
        den = ints.note(den + (1 - den) * zero, max(ints.largest(den), 1))
    if node.measured.reported is not None:  # every comparison sees the value on the grid (reported.py)
        qn, qk = scaled(grid_step(node.measured))
        steps = ints.round_div(ints.mul(num, 10 ** qk), ints.mul(den, qn), node.measured.reported.mode or "half up")
        num, den = ints.mul(steps, qn), batch.spread(10 ** qk)
    met = _spread_to(_holds(ints, node.target.comparison, num, den), shape)
    counted = _spread_to(True, shape)
    if node.volume is not None:
        counted = batch.volume_holds(node.volume)
    if reported is not None:  # not reported, counted as a miss
        met, counted = met & reported, counted | ~reported
    if not positive and zero.any():  # SLA402 comes from the exact evaluator
        batch.bad |= (zero & counted & _reported(reported)).any(axis=1)
    # MET 0, MISSED 1, NOT_MEASURED 2: 2 - counted - (met and counted), by arithmetic on int8 (np.where
    # costs ten times as much)
    status = np.subtract(2, _spread_to(counted, shape).view(np.int8), dtype=np.int8)
    status -= _spread_to(met & counted, shape).view(np.int8)
    return status, reported, num, den


def _vectorised(program: Terms, columns, shape, first: int):
    batch = _Batch(program, columns, shape, first)
    runs, length = shape
    levels = program.service_levels
    status, present, nums, dens = zip(*(_measure(batch, sl) for sl in levels)) if levels else ((),) * 4

    names = [sl.name for sl in levels]
    own_of, bonuses = {}, np.zeros(shape, dtype=np.int64)  # own_of: a service level's credits, for its earn-back
    own = np.zeros(shape, dtype=np.int64)
    for position, sl in enumerate(levels):
        if sl.allocation is not None:
            batch.money[allocation_key(sl.name)] = batch.exact(sl.allocation)
        if sl.credit is not None:
            applies, amount = _award(batch, sl.credit, nums[position], dens[position], present[position])
            charged = _charged(batch, sl, status[position], applies, amount)
            own += charged
            if sl.earn_back is not None:
                own_of[position] = charged
        if sl.bonus is not None:
            applies, amount = _award(batch, sl.bonus, nums[position], dens[position], present[position])
            applies = applies & batch.flags(status[position], MET)
            if sl.gate is not None:
                applies = applies & _gate_open(batch, sl.node, status, names, levels)
            bonuses += amount * applies
    at_risk = batch.minor(program.at_risk.amount) if program.at_risk is not None else None
    bonus_limit = batch.minor(program.bonus_limit.amount) if program.bonus_limit is not None else None

    failure, withheld, replaced = _critical_failure(batch, program, status, nums, dens, present)
    accrued = own * ~replaced if replaced is not None else own
    credits = accrued if at_risk is None else np.minimum(accrued, at_risk)
    if program.window_caps:
        credits = _window_capped(batch, program, credits)
    earned = None  # None, as withheld without a critical failure: zeros, left as evaluate_money made them
    for position, sl in enumerate(levels):
        if sl.earn_back is not None:
            own_credits = own_of[position] if position in own_of else np.zeros(shape, dtype=np.int64)
            returned = earned_back(sl.earn_back, own_credits, credits, own, batch.flags(status[position], MET),
                                   batch.flags(status[position], MISSED), batch.mode, program.rounding.decimal_mode)
            earned = returned if earned is None else earned + returned
    if bonus_limit is not None:
        bonuses = np.minimum(bonuses, bonus_limit)
    if program.netting == "only offset":
        bonuses = np.minimum(bonuses, credits)
    terminations = _terminations(program, status, nums, dens, present, failure, credits, batch, first)
    return (np.ascontiguousarray(credits), earned, np.ascontiguousarray(bonuses), withheld, terminations), batch.bad


def _charged(batch: _Batch, sl, status, applies, amount) -> np.ndarray:
    """The credits a service level charges in each period before period-wide caps: its misses
    (where its credit clause `applies`, `amount`), less the first free passes of each contract
    year, each held for its cure window and due when the window closes unless a met period in
    it cured the miss. The conditions are combined as booleans, the amounts multiplied once."""
    charged = applies & batch.flags(status, MISSED)
    if sl.free_passes is not None:  # the first misses of each contract year pass
        missed = batch.flags(status, MISSED)
        counted = np.cumsum(missed, axis=1)  # misses so far
        start = batch.year_start
        before = counted[:, np.maximum(start - 1, 0)] * (start > 0)  # misses before the year
        charged &= counted - before > sl.free_passes
    if sl.cure is None:
        return amount * charged
    length, cure = batch.shape[1], sl.cure
    due = np.zeros(batch.shape, dtype=np.int64)
    if cure < length:  # a miss in period p falls due in p + cure unless met in p + 1 to p + cure
        uncured = _in_last(batch.flags(status, MET), cure)[:, cure:] == 0
        due[:, cure:] = amount[:, :length - cure] * (charged[:, :length - cure] & uncured)
    return due


def _in_last(flags, width: int) -> np.ndarray:
    """How many of the last `width` periods (to each period, itself included) have the flag, per
    run. Counted along the periods of a transposed copy (periods x runs), where each shifted
    sum is one contiguous pass: in int8 when the window is below 128 periods (eight times
    cheaper than shifted sums along runs x periods rows of 24), else in int32 by the
    difference of running sums."""
    runs, length = flags.shape
    if width == 1:
        return flags.view(np.int8)
    by_period = np.ascontiguousarray(flags.T).view(np.int8)
    if width < 128:
        counts = by_period.copy()
        for back in range(1, min(width, length)):
            counts[back:] += by_period[:length - back]
    else:
        counts = np.cumsum(by_period, axis=0, dtype=np.int32)
        counts[width:] -= counts[:length - width].copy()
    return counts.T


def _in_a_row(status) -> np.ndarray:
    """The misses since the last met period (to each period, itself included), per run: the
    misses counted so far less those counted at the last met period (the running maximum of
    the counts at met periods, as the counts never fall), without a step per period."""
    by_period = np.ascontiguousarray(status.T)
    dtype = holding(by_period.shape[0])
    counted = np.cumsum(by_period == MISSED, axis=0, dtype=dtype)
    at_met = counted * (by_period == MET)
    np.maximum.accumulate(at_met, axis=0, out=at_met)
    counted -= at_met
    return counted.T


def _critical_failure(batch: _Batch, program: Terms, status, nums, dens, present):
    """(a critical failure, the charges withheld, the credits replaced) over runs x periods;
    (all False, None, None) without a critical failure clause."""
    shape = batch.shape
    rule = program.critical_failure
    if rule is None:
        return np.zeros(shape, dtype=bool), None, None
    failure = np.zeros(shape, dtype=bool)
    for test in rule.conditions:
        if test.kind == "floor":
            i = test.position
            failure |= _reported(present[i]) & (status[i] != NOT_MEASURED) & _holds(
                batch.ints, _threshold_of(test.floor), nums[i], dens[i])
        else:
            failure |= sum(batch.flags(s, MISSED).astype(np.int64) for s in status) >= test.count
    base = batch.columns[rule.base]  # the withhold is never more than the charges, to the minor unit below
    charges = (batch.ints.mul(base.values, 10 ** (batch.digits - base.scale)) if base.scale <= batch.digits
               else np.floor_divide(base.values, 10 ** (base.scale - batch.digits)))
    withheld = np.minimum(batch.minor(rule.withhold), charges) * failure
    return failure, withheld, failure & rule.replaces_credits


def _reported(present):
    return True if present is None else present


def _gate_open(batch: _Batch, node: nodes.ServiceLevel, status, names, levels):
    gate = node.gate
    if gate.kind == "named met":
        watched = [names.index(n.text) for n in gate.names]
        return np.logical_and.reduce([batch.flags(status[i], MET) for i in watched])
    if gate.kind == "all met":
        return np.logical_and.reduce([batch.flags(s, MET) for s in status])
    critical = [s for s, sl in zip(status, levels) if sl.critical]
    return np.logical_and.reduce([~batch.flags(s, MISSED) for s in critical]) if critical else True


# ---------------------------------------------------------------- caps and triggers over several periods

class _Window:
    """A limit on credits over a window of periods: where the window ending at each period
    starts (0 = the first period), and its limit there in minor units (runs x periods, or one
    number for a fixed amount)."""

    def __init__(self, batch: _Batch, rule):
        runs, length = batch.shape
        if rule.length is None:  # the contract year so far
            self.start = batch.year_start
        else:
            self.start = np.maximum(np.arange(length) - rule.length + 1, 0)
        if rule.money is not None:
            self.limits = to_minor(*scaled(rule.money), batch.digits, batch.mode)
        else:
            base = batch.columns[rule.base]
            if batch.ints.largest(base.values) * max(length, 1) >= LIMIT:
                raise Overflow
            summed = np.concatenate([np.zeros((runs, 1), dtype=np.int64), np.cumsum(base.values, axis=1)], axis=1)
            rn, rk = scaled(rule.rate)
            bases = summed[:, 1:] - summed[:, self.start]
            self.limits = to_minor(mul(bases, rn), base.scale + rk, batch.digits, batch.mode)

    def limit(self, p: int):
        """The limit of the window that ends at period p (each run), as evaluate.py rounds it."""
        return self.limits if np.ndim(self.limits) == 0 else self.limits[:, p]


def _running_sums(credits) -> np.ndarray:
    """0, then the credits summed to each period, per run (runs x periods + 1); Overflow if a sum could leave int64."""
    if largest(credits) * max(credits.shape[1], 1) >= LIMIT:
        raise Overflow
    return np.concatenate([np.zeros((credits.shape[0], 1), dtype=np.int64), np.cumsum(credits, axis=1)], axis=1)


def _window_capped(batch: _Batch, program: Terms, capped) -> np.ndarray:
    """The credits after the caps over several periods, one period after the other (each cap
    sees the credits charged in the earlier periods of its window)."""
    runs, length = batch.shape
    windows = [_Window(batch, rule) for rule in program.window_caps]
    _running_sums(capped)  # the capped credits are never more: their sums stay in int64 too
    credits = np.zeros((runs, length), dtype=np.int64)
    summed = np.zeros((runs, length + 1), dtype=np.int64)
    for p in range(length):
        charged = capped[:, p]
        for window in windows:
            over = summed[:, p] - summed[:, window.start[p]] + charged - window.limit(p)
            charged = charged - np.where(over > 0, np.minimum(over, charged), 0)
        credits[:, p] = charged
        summed[:, p + 1] = summed[:, p] + charged
    return credits


def _terminations(program: Terms, status, nums, dens, present, failure, credits, batch: _Batch,
                  first: int) -> np.ndarray:
    """The first period of each trigger per run (-1: never). A period not measured neither
    counts nor breaks a run of misses."""
    runs, length = batch.shape
    position = {sl.name: i for i, sl in enumerate(program.service_levels)}
    out = np.full((runs, len(program.triggers)), -1, dtype=np.int64)
    if not length:
        return out
    for number, rule in enumerate(program.triggers):
        if rule.kind == "in a row":
            fires = _in_a_row(status[position[rule.service_level]]) >= rule.count
        elif rule.kind == "in window":
            fires = _in_last(batch.flags(status[position[rule.service_level]], MISSED), rule.length) >= rule.count
        elif rule.kind == "floor":
            i = position[rule.service_level]
            fires = _reported(present[i]) & (status[i] != NOT_MEASURED) & _holds(
                batch.ints, _threshold_of(rule.floor), nums[i], dens[i])
        elif rule.kind == "critical failure":
            fires = failure
        elif rule.kind == "credits":
            window = _Window(batch, rule.window)
            summed = _running_sums(credits)
            fires = summed[:, 1:] - summed[:, window.start] > (
                window.limits if np.ndim(window.limits) == 0 else window.limits)
        else:  # "many"
            fires = sum(batch.flags(s, MISSED).astype(np.int64) for s in status) >= rule.count
        fires = np.ascontiguousarray(_spread_to(fires, (runs, length)))  # rows of periods: argmax per row is fast
        first_fire = np.argmax(fires, axis=1)
        out[:, number] = np.where(fires[np.arange(runs), first_fire], first_fire, -1)  # it fires there, or never
    return out
