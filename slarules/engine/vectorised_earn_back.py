"""Earn-back after N met periods over many runs, for the vectorised evaluator (vectorised.py).

Input: one service level's EarnBackRule and, per run (rows) and period (columns),
its own credits, the period's credits after the period-wide caps (`charged`) and
before them (`total`), all in minor units, and where it was met and missed.
Output: the credits returned, per run and period, in minor units: those of
evaluate.py to the minor unit.

evaluate.py keeps the credits outstanding as a Decimal: each period adds the
service level's credits or, when a period-wide cap cut the period's credits, the
share own x charged / total (multiplied first, the quotient rounded to 34
significant digits); after N met periods in a row with credits outstanding it
returns outstanding x rate, rounded to the minor unit with the contract's mode.

Here every share is an exact quotient and remainder of integers, its fraction of
a minor unit kept to 2**-40 (truncated: two long-division steps of 20 bits); the
running sums are cumulative sums, and only the met streak is scanned period by
period, with array operations over all runs. When the shares since the last
return were whole amounts, the return is an integer division rounded with the
mode's remainder test: exact. Otherwise the sum is below the true one by less
than 2**-40 per share, and evaluate.py's Decimal is off the true sum by less than
(2 x periods + 1) x 10**-33 x 2**61 (its 34-digit roundings, every amount below
2**61); the return is decided from the sum unless a rounding boundary (a half
minor unit for the half modes, a whole one for up and down) lies within
rate x (2 x periods + 2) x 2**-40 of it.

Replayed run by run with evaluate.py's Decimals (replay_run), so the money is still
evaluate.py's: a run whose return lies that close to a boundary (about 10**-9 of a
minor unit: a true tie such as three shares of a third); a run with a negative
amount; a run past a bound: own x charged or own x periods x the rate's numerator at
or above 2**61, or a period's credits at or above 2**43 (the long division's
operands stay below 2**63). Every run when the rate's numerator is 2**20 or more,
its denominator above 10**6, or the runs are 2**22 periods long or more.
"""
from __future__ import annotations

import decimal
from decimal import Decimal

import numpy as np

from ..core.money import CONTEXT
from .vectorised_integers import LIMIT, holding, pick, round_div, scaled

FRACTION_BITS = 40
_STEP = FRACTION_BITS // 2
_MASK = (1 << FRACTION_BITS) - 1
TOTAL_LIMIT = 2 ** 43  # r < total: r << 20 stays below 2**63
RATE_LIMIT = 2 ** 20  # frac x rate numerator stays below 2**60
DENOMINATOR_LIMIT = 10 ** 6  # remainder << 40 stays below 2**60
LENGTH_LIMIT = 2 ** 22  # periods x 2**40 (the summed fractions) stays below 2**63


def earned_back(rule, own, charged, total, met, missed, mode: str, decimal_mode: str) -> np.ndarray:
    """The credits returned per run and period (see the module's docstring)."""
    runs, length = own.shape
    returned = np.zeros((runs, length), dtype=np.int64)
    rn, rk = scaled(rule.rate)
    if rn >= RATE_LIMIT or 10 ** rk > DENOMINATOR_LIMIT or length >= LENGTH_LIMIT:
        replay = np.ones(runs, dtype=bool)
    else:
        replay = beyond_bounds(own, charged, total, rn)
        scanned = own * ~replay[:, None] if replay.any() else own
        _scan(rule.after, scanned, charged, total, met, missed, rn, rk, mode, returned, replay)
    for run in np.flatnonzero(replay).tolist():
        returned[run] = replay_run(rule, own_row=own[run].tolist(), charged_row=charged[run].tolist(),
                                   total_row=total[run].tolist(), met_row=met[run].tolist(),
                                   missed_row=missed[run].tolist(), decimal_mode=decimal_mode)
    return returned


def beyond_bounds(own, charged, total, rn: int) -> np.ndarray:
    """Per run: whether an amount is negative or a product of the scan could reach its bound
    (over the whole batch first: reductions along a run cost twenty times as much)."""
    runs, length = own.shape
    if not own.size or (min(own.min(), charged.min(), total.min()) >= 0 and total.max() < TOTAL_LIMIT
                        and int(own.max()) * max(int(charged.max()), max(length, 1) * rn) < LIMIT):
        return np.zeros(runs, dtype=bool)
    own_max, charged_max, total_max = (a.max(axis=1, initial=0) for a in (own, charged, total))
    negative = (own.min(axis=1, initial=0) < 0) | (charged.min(axis=1, initial=0) < 0) | (
        total.min(axis=1, initial=0) < 0)
    return (negative | _reaches(own_max, charged_max) | (total_max >= TOTAL_LIMIT)
            | _reaches(own_max, max(length, 1) * rn))


def _reaches(a, b):
    """a x b >= LIMIT, for a, b >= 0 (b an array or an int), without forming the product."""
    b = np.maximum(b, 1)
    return a >= -(-LIMIT // b)


def _scan(after: int, own, charged, total, met, missed, rn: int, rk: int, mode: str, returned, replay) -> None:
    """The periods in which each run returns its credits (the met streak scanned period by
    period, each step a few operations over all runs), then every return's amount at once."""
    runs, length = own.shape
    met_by_period, kept_by_period, positive_by_period = (
        np.ascontiguousarray(a.T) for a in (met, ~missed, (own > 0) & (charged > 0)))
    streak = np.zeros(runs, dtype=holding(length))
    pending = np.zeros(runs, dtype=bool)  # pending: a share above 0
    returns = np.empty((length, runs), dtype=bool)
    kept = np.empty(runs, dtype=bool)
    for p in range(length):  # in place: the fixed cost of each step is most of it
        streak += met_by_period[p]
        streak *= kept_by_period[p]
        pending |= positive_by_period[p]
        due = returns[p]
        np.greater_equal(streak, after, out=due)
        due &= pending
        np.invert(due, out=kept)
        streak *= kept
        pending &= kept
    # in order of run, then period (np.nonzero over the transposed view costs eight times this)
    at, period = np.divmod(np.flatnonzero(np.ascontiguousarray(returns.T)), length)
    if not at.size:
        return
    start = np.zeros_like(period)  # the period after the run's last return
    again = at[1:] == at[:-1]
    start[1:] = (period[:-1] + 1) * again
    first, last = at * length + start, at * length + period + 1  # the flat positions the return covers
    whole = _between(own.ravel(), first, last)
    # where a period-wide cap cut the period's credits, the share is own x charged / total
    is_cut = ((charged != total) & (own != 0)).ravel()
    cut = np.flatnonzero(is_cut)
    lost, fraction, fractional = _cut_shares(own.ravel()[cut], charged.ravel()[cut], total.ravel()[cut])
    before = np.zeros(is_cut.size + 1, dtype=np.int64)  # the cut positions before each flat position
    np.cumsum(is_cut, out=before[1:])
    first, last = before[first], before[last]
    amounts, ambiguous = _returned(whole - _between(lost, first, last), _between(fraction, first, last),
                                   _between(fractional, first, last) > 0, rn, rk, rn * (2 * length + 2), mode)
    returned[at, period] = amounts
    replay[at[ambiguous]] = True


def _cut_shares(own, charged, total):
    """For shares own x charged / total: own less the whole minor units of the share, its
    fraction of a minor unit in 2**-40 (truncated), and 1 where it has one."""
    q, r = np.divmod(own * charged, total)
    high, rest = np.divmod(r << _STEP, total)
    return own - q, (high << _STEP) | ((rest << _STEP) // total), (r > 0).astype(np.int64)


def _between(values, first, last):
    """values[first:last] summed, for each pair (first, last) within one run: exact even where the
    running sum over many runs wraps around int64, as the difference is taken modulo 2**64 and
    the sum within a run stays in int64 (beyond_bounds)."""
    summed = np.empty(values.size + 1, dtype=np.int64)
    summed[0] = 0
    np.cumsum(values, dtype=np.int64, out=summed[1:])
    return summed[last] - summed[first]


def _returned(whole, fraction, inexact, rn: int, rk: int, margin: int, mode: str):
    """(outstanding x rn / 10**rk rounded with `mode`, whether that is too close to call), for
    outstanding = whole + fraction x 2**-40 (`inexact`: below the true sum by up to the margin)."""
    whole = whole + (fraction >> FRACTION_BITS)
    z_whole, z_fraction = whole * rn, (fraction & _MASK) * rn
    z_whole, z_fraction = z_whole + (z_fraction >> FRACTION_BITS), z_fraction & _MASK
    d = 10 ** rk
    q, remainder = np.divmod(z_whole, d)
    position = (remainder << FRACTION_BITS) | z_fraction  # where in [q, q + 1) the value lies, in 2**-40 of d
    full = d << FRACTION_BITS
    if mode in ("down", "up"):
        amounts = q + (position > 0) if mode == "up" else q
        ambiguous = inexact & ((position <= margin) | (full - position <= margin))
    else:
        amounts = q + (position > full // 2)
        ambiguous = inexact & (np.abs(position - full // 2) <= margin)
    exact = ~inexact  # whole minor units: z_fraction is 0, the remainder test decides
    amounts = pick(exact, round_div(z_whole, d, mode), amounts)
    return amounts, ambiguous


def replay_run(rule, own_row, charged_row, total_row, met_row, missed_row, decimal_mode: str) -> list[int]:
    """One run's returns as evaluate.py computes them, with Decimals of minor units (34
    significant digits round alike wherever the point is)."""
    returned = [0] * len(own_row)
    outstanding, streak = Decimal(0), 0
    with decimal.localcontext(CONTEXT):
        for p, (own, charged, total, met, missed) in enumerate(zip(own_row, charged_row, total_row, met_row,
                                                                   missed_row)):
            share = Decimal(own)
            if own and charged != total:
                share = share * Decimal(charged) / Decimal(total)
            outstanding += share
            streak = 0 if missed else streak + met
            if streak >= rule.after and outstanding > 0:
                returned[p] = int((outstanding * rule.rate).quantize(Decimal(1), decimal_mode))
                outstanding, streak = Decimal(0), 0
    return returned
