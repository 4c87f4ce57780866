"""Benchmark lines for the money-only path (engine/vectorised.py), printed by bench/run.py.

The benchmark's generated months are cut into runs of RUN_MONTHS consecutive
months, each run starting at the contract's start (as a simulated history does),
and evaluated at once by slarules.engine.vectorised.evaluate_money and by
`hand_numpy` below, the Acme contract's Schedule C written by hand with NumPy
over the same arrays; both must give the same credits, earned back and bonuses
in every run and month. Then: `slarules dry-run --simulate 10000 --years 2` on
the README's example, wall time of the whole command in a fresh process; the
exact evaluator's bytes retained per period (tracemalloc, the Outcome kept);
and the money-only path's bytes retained per period at two sizes.
"""
from __future__ import annotations

import decimal
import gc
import subprocess
import sys
import time
import tracemalloc
from decimal import Decimal

import numpy as np

from slarules.core.money import CONTEXT
from slarules.engine.vectorised import columns_of, evaluate_money

RUN_MONTHS = 120
INPUTS = ("monthly_fee", "calls_offered", "answered_in_20s", "abandoned", "resolved_first_call", "quality_score")


def _half_up(n, d: int):
    """n / d rounded half up, for n >= 0."""
    return (n + d // 2) // d


def hand_numpy(c: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Schedule C of the Acme contract over runs x months of integer columns (fee in cents,
    counts, quality in tenths with a mask): (credits, earned back, bonuses) in cents."""
    fee, calls, answered = c["monthly_fee"], c["calls_offered"], c["answered_in_20s"]
    abandoned, resolved = c["abandoned"], c["resolved_first_call"]
    quality, reported = c["quality_score"], c["quality_present"]
    runs, months = fee.shape
    measured = calls >= 500
    # C.2.4 quality: USD 500 per point below 90, part points whole, at most USD 3,000; unreported: the cap.
    quality_missed = ~reported | (quality < 900)
    points = np.maximum(-(-(900 - quality) // 10), 0)
    quality_credit = np.where(reported, np.minimum(points * 500, 3000), 3000) * 100 * quality_missed
    quality_bonus = np.where(reported & (quality >= 950), 100_000, 0)
    # C.2.1 speed of answer: most severe row; bonus rows unless a critical service level is missed.
    speed = answered * 100
    soa_missed = measured & (speed < 80 * calls)
    soa_met = measured & ~soa_missed
    soa_rate = np.where(speed < 70 * calls, 8, np.where(speed < 75 * calls, 5, 2))
    soa_credit = np.where(soa_missed, _half_up(fee * soa_rate, 100), 0)
    soa_bonus_rate = np.where(speed >= 90 * calls, 2, np.where(speed >= 85 * calls, 1, 0))
    soa_bonus = np.where(soa_met & ~quality_missed, _half_up(fee * soa_bonus_rate, 100), 0)
    # C.2.2 abandonment: 1% per point above 5, part points whole, at most 4%.
    over = abandoned * 100 - 5 * calls
    units = np.where(over > 0, -(-over // np.maximum(calls, 1)), 0)
    abandonment = np.where(measured & (over > 0),
                           np.minimum(_half_up(fee * units, 100), _half_up(fee * 4, 100)), 0)
    # C.2.3 first contact resolution by range, cured by meeting it next month, else due then.
    fcr = resolved * 100
    fcr_missed = measured & (fcr < 70 * calls)
    fcr_rate = np.where(fcr < 60 * calls, 3, np.where(fcr < 65 * calls, 2, 1))
    held = np.where(fcr_missed, _half_up(fee * fcr_rate, 100), 0)
    due = np.zeros_like(held)
    due[:, 1:] = np.where(measured[:, 1:] & ~fcr_missed[:, 1:], 0, held[:, :-1])
    own = soa_credit + abandonment + quality_credit + due
    credits = np.minimum(own, _half_up(fee * 12, 100))  # C.3
    bonuses = np.minimum(soa_bonus + quality_bonus, _half_up(fee * 3, 100))  # C.4
    # C.2.1(b) earn-back: half the outstanding credits after 3 met months in a row, scanned month by month;
    # a month whose credits the at-risk cap cut counts its share as a 34-digit quotient, as the engine does.
    earned_back = np.zeros_like(credits)
    outstanding = [Decimal(0)] * runs
    streak = np.zeros(runs, dtype=np.int64)
    with decimal.localcontext(CONTEXT):  # Decimals of cents: 34 significant digits wherever the point is
        for m in range(months):
            runs_credited = np.flatnonzero(soa_credit[:, m])
            for r, share, charged, total in zip(runs_credited.tolist(), soa_credit[runs_credited, m].tolist(),
                                                credits[runs_credited, m].tolist(), own[runs_credited, m].tolist()):
                share = Decimal(share)
                if charged != total:
                    share = share * Decimal(charged) / Decimal(total)
                outstanding[r] += share
            streak = np.where(soa_met[:, m], streak + 1, np.where(soa_missed[:, m], 0, streak))
            for r in np.flatnonzero(streak >= 3).tolist():
                if outstanding[r] > 0:
                    earned_back[r, m] = int((outstanding[r] / 2).quantize(Decimal(1), decimal.ROUND_HALF_UP))
                    outstanding[r], streak[r] = Decimal(0), 0
    return credits, earned_back, bonuses


def _hand_columns(columns) -> dict:
    out = {name: columns[name].values for name in INPUTS}
    assert columns["monthly_fee"].scale == 2 and columns["quality_score"].scale == 1
    present = columns["quality_score"].present
    out["quality_present"] = np.ones(out["monthly_fee"].shape, dtype=bool) if present is None else present
    return out


def _best(repeat: int, run):
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def report(program, history, repeat: int, root) -> int:
    """Print the money-only lines; 1 if the two sides differ anywhere."""
    months = [p.values for p in history.periods]
    runs = len(months) // RUN_MONTHS
    if runs < 1:
        print(f"vectorised: fewer than {RUN_MONTHS} months, skipped")
        return 0
    batch = [months[r * RUN_MONTHS:(r + 1) * RUN_MONTHS] for r in range(runs)]
    columns = columns_of(batch, INPUTS)
    first = program.calendar.index(program.calendar.label_of_month(program.calendar.start_month))
    hand_input = _hand_columns(columns)
    ours_time = hand_time = float("inf")
    for _ in range(repeat):  # alternate, as run.py does
        seconds, money = _best(1, lambda: evaluate_money(program, columns, first))
        ours_time = min(ours_time, seconds)
        seconds, by_hand = _best(1, lambda: hand_numpy(hand_input))
        hand_time = min(hand_time, seconds)
    for name, ours, theirs in zip(("credits", "earned back", "bonuses"),
                                  (money.credits, money.earned_back, money.bonuses), by_hand):
        if not np.array_equal(ours, theirs):
            r, m = map(int, np.argwhere(ours != theirs)[0])
            print(f"MISMATCH vectorised {name} in run {r} month {m}: {ours[r, m]} against hand-written NumPy "
                  f"{theirs[r, m]} (cents)", file=sys.stderr)
            return 1
    periods = runs * RUN_MONTHS
    print(f"\nmoney-only, {runs} runs of {RUN_MONTHS} months from the contract start ({periods} periods), "
          f"best of {repeat}; {money.exact_runs} runs by the exact evaluator:")
    for name, seconds in (("vectorised", ours_time), ("hand NumPy", hand_time)):
        print(f"  {name:14} {seconds:8.3f} s {periods / seconds:14,.0f} periods/s")
    print(f"identical credits ({int(money.credits.sum()):,} cents), earned back ({int(money.earned_back.sum()):,}) "
          f"and bonuses ({int(money.bonuses.sum()):,}) in all {periods} periods")
    print(f"ratio-vectorised {ours_time / hand_time:.2f}")
    _dry_run_line(root)
    _memory_lines(program, history, columns, first)
    return 0


def _dry_run_line(root) -> None:
    command = [sys.executable, "-m", "slarules.interfaces.cli", "dry-run", "tests/golden/dryrun/acme_proposed.sla",
               "--against", "rulesets/acme_contact_center.sla", "rulesets/acme_contact_center.csv",
               "--simulate", "10000", "--years", "2", "--seed", "1"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    state = "" if done.returncode == 0 else f" (exit {done.returncode}: {done.stderr.strip()[:200]})"
    print(f"dry-run --simulate 10000 --years 2 (the README's example, a fresh process): {seconds:.2f} s wall{state}")


def _retained(run) -> tuple[int, object]:
    """Bytes still allocated after run() returns, its result kept."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = run()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, result


def _memory_lines(program, history, columns, first) -> None:
    from slarules import History

    some = History(history.periods[:20_000])
    retained, outcome = _retained(lambda: program.evaluate(some))
    print(f"exact evaluator: {retained / len(some.periods):,.0f} bytes retained per period "
          f"({len(some.periods)} periods, the Outcome kept)")
    del outcome
    lines = []
    for runs in (100, 1000):
        cut = {name: type(c)(c.values[:runs], c.scale, None if c.present is None else c.present[:runs])
               for name, c in columns.items()}
        if cut["monthly_fee"].values.shape[0] < runs:
            break
        retained, money = _retained(lambda: evaluate_money(program, cut, first))
        periods = runs * RUN_MONTHS
        lines.append(f"{retained / periods:,.0f} at {periods:,} periods")
        del money
    print("money-only path: bytes retained per period, " + "; ".join(lines))
