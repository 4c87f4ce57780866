"""Benchmark: slarules next to a hand-written Decimal function of the same contract.

    /tmp/v/bin/python bench/run.py [--periods N] [--repeat R]

Prints the start-up time (the wall time of `slarules evaluate` on the
contact-center example in a fresh process, best and median of 5), then the
compile time (parse + check + compile, best of 5, the cached Lark parser
loaded beforehand) of each rulesets/*.sla; then evaluates
rulesets/acme_contact_center.sla over N generated months (default 100,000,
seeded, so every run sees the same data) with slarules and with
`hand_written` below, alternating the two R times (default 3) and keeping the
best time of each; checks both give the same credits, credits earned back and
bonuses in every period (exit 1 naming the first period that differs); prints
how often each service level was met, missed and not measured and how many
line items each clause produced (so the data is seen to reach every clause and
cap), then periods per second for each side; then the time of the same contract
written out by hand keeping what an evaluation keeps (bench/written_out.py, timed in
turn with the others): its ratio to the hand-written function is what keeping the
outcome costs a function that does nothing else, and the evaluation's over it what
being an evaluator of any ruleset costs; and ends with `ratio R`, slarules
time / hand-written time, then, with NumPy installed, the money-only lines of
bench/vectorised.py (ending in `ratio-vectorised R`). An Outcome builds a period's results, line items and
totals each time they are read: the lines before the ratio give the time of
reading them all once after an evaluation (best of R), and the ratio with it; then
the same with every line's sentence built as well.

`hand_written` carries what the contract carries from month to month: a first
contact resolution credit held for its cure window (C.2.3(b)), and the speed of
answer credits outstanding and met months in a row for the earn-back (C.2.1(b)).
It starts from the contract's start, as an evaluation without a saved state does.

Then the cost of billing month by month (`per-call:` lines), from a state of 1 and of 24
billed months (the figures must not grow): the fixed cost of a one-month call from a saved
state beyond the month's own work (12 chained one-month calls against one call over the
same 12 months, best of R x 20), beside the copy through the state's JSON form each call
made before (the baseline, timed in the same run); the time to read a billing run's state
file (format /4) and to write it (its ledger records appended beside it, not rewritten),
beside writing the state whole with its ledger inside (format /3, what a run wrote before).
The termination triggers (C.5) move no money, so it leaves them out.

The months form one History from 2026-01 (labels run past 9999-12: 100,000
months end in 10359-04), built from PeriodData objects, so file reading is not
timed.
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path

from slarules import History, PeriodData, SlaError, Source, compile_source
from slarules.engine.state import Carry
from slarules.formats.ledger_file import LedgerFile
from slarules.language.grammar import parser

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "rulesets" / "acme_contact_center.sla"
FIRST_YEAR = 2026

# ---------------------------------------------------------------- the contract, by hand

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
AT_RISK = Decimal("0.12")  # C.3
BONUS_LIMIT = Decimal("0.03")  # C.4
SOA_CREDIT_BELOW_70, SOA_CREDIT_BELOW_75, SOA_CREDIT_BELOW_80 = Decimal("0.08"), Decimal("0.05"), Decimal("0.02")
SOA_BONUS_AT_90, SOA_BONUS_AT_85 = Decimal("0.02"), Decimal("0.01")
ABANDONMENT_CAP = Decimal("0.04")
FCR_CREDIT_BELOW_60, FCR_CREDIT_BELOW_65, FCR_CREDIT_BELOW_70 = Decimal("0.03"), Decimal("0.02"), Decimal("0.01")
QUALITY_PER_POINT, QUALITY_CAP, QUALITY_BONUS = Decimal(500), Decimal(3000), Decimal(1000)
EARN_BACK_RATE = Decimal("0.5")  # C.2.1(b)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def hand_written(months) -> list[tuple[Decimal, Decimal, Decimal]]:
    """Schedule C of the Acme contract over consecutive months, from the contract's start:
    per month (credits after the caps, credits earned back, bonuses after the limit)."""
    results = []
    fcr_held = None  # C.2.3(b): last month's first contact resolution credit, if that month missed
    soa_outstanding = Decimal(0)  # C.2.1(b): speed of answer credits charged since the last earn-back
    soa_met_run = 0  # consecutive met months of speed of answer (months not measured do not count)

    for values in months:
        fee = values["monthly_fee"]
        calls = values["calls_offered"]
        quality = values.get("quality_score")
        credits = Decimal(0)  # the service levels' own credits, before the at-risk cap
        bonuses = Decimal(0)
        soa_credit = Decimal(0)

        # C.2.4 quality (critical, always measured): a month without a score is a miss at the cap.
        quality_missed = quality is None or quality < 90
        if quality is None:
            credits += QUALITY_CAP
        elif quality < 90:
            points = (90 - quality).to_integral_value(ROUND_CEILING)  # part points count as whole
            credits += min(points * QUALITY_PER_POINT, QUALITY_CAP)  # whole dollars: nothing to round
        elif quality >= 95:
            bonuses += QUALITY_BONUS

        fcr_due = fcr_held  # a held credit falls due this month unless this month cures it
        fcr_held = None
        if calls >= 500:  # C.2.1 to C.2.3 are measured only from 500 calls
            # Percentages of calls in the default 28-digit context: a ratio of counts is never
            # within 28 digits of a threshold it does not equal, so every comparison is exact.
            # C.2.1 speed of answer (critical): the most severe credit row, the best bonus row,
            # the bonus only if no critical service level is missed (here: quality).
            speed = values["answered_in_20s"] * HUNDRED / calls
            if speed < 70:
                soa_credit = cents(fee * SOA_CREDIT_BELOW_70)
            elif speed < 75:
                soa_credit = cents(fee * SOA_CREDIT_BELOW_75)
            elif speed < 80:
                soa_credit = cents(fee * SOA_CREDIT_BELOW_80)
            elif not quality_missed:
                if speed >= 90:
                    bonuses += cents(fee * SOA_BONUS_AT_90)
                elif speed >= 85:
                    bonuses += cents(fee * SOA_BONUS_AT_85)
            credits += soa_credit
            if speed < 80:
                soa_met_run = 0
            else:
                soa_met_run += 1

            # C.2.2 abandonment: 1% of the fee per point above 5%, part points whole, at most 4%.
            abandonment = values["abandoned"] * HUNDRED / calls
            if abandonment > 5:
                points = (abandonment - 5).to_integral_value(ROUND_CEILING)
                credits += min(cents(fee * points / HUNDRED), cents(fee * ABANDONMENT_CAP))

            # C.2.3 first contact resolution, by range; a miss is cured by meeting it next month,
            # its credit (of the month of the miss) is otherwise due next month.
            resolution = values["resolved_first_call"] * HUNDRED / calls
            if resolution < 60:
                fcr_held = cents(fee * FCR_CREDIT_BELOW_60)
            elif resolution < 65:
                fcr_held = cents(fee * FCR_CREDIT_BELOW_65)
            elif resolution < 70:
                fcr_held = cents(fee * FCR_CREDIT_BELOW_70)
            else:
                fcr_due = None  # met: last month's miss is cured
        if fcr_due is not None:
            credits += fcr_due

        # C.3 at-risk cap on the month's credits (including a credit falling due from a cure window).
        charged = min(credits, cents(fee * AT_RISK))

        # C.2.1(b) earn-back: half of the speed of answer credits charged since the last earn-back,
        # a month's credit counted in the proportion the at-risk cap left of the month's credits.
        if soa_credit:
            soa_outstanding += soa_credit * charged / credits
        earned_back = Decimal(0)
        if soa_met_run >= 3 and soa_outstanding > 0:
            earned_back = cents(soa_outstanding * EARN_BACK_RATE)
            soa_outstanding, soa_met_run = Decimal(0), 0

        results.append((charged, earned_back, min(bonuses, cents(fee * BONUS_LIMIT))))
    return results


# ---------------------------------------------------------------- data

def generate(periods: int, seed: int = 2026) -> History:
    """`periods` months of KPI values, one history from 2026-01."""
    rng = random.Random(seed)
    months = []
    for index in range(periods):
        year, month = divmod(index, 12)
        calls = rng.randint(300, 12_000)
        values = {
            "monthly_fee": Decimal(rng.randint(5_800_000, 6_200_000)).scaleb(-2),  # 58,000.00 to 62,000.00
            "calls_offered": Decimal(calls),
            "answered_in_20s": Decimal(round(calls * rng.uniform(0.65, 0.95))),
            "abandoned": Decimal(round(calls * rng.uniform(0.01, 0.12))),
            "resolved_first_call": Decimal(round(calls * rng.uniform(0.55, 0.80))),
        }
        if rng.random() >= 0.03:  # 3% of months report no quality score
            values["quality_score"] = Decimal(rng.randint(800, 1000)).scaleb(-1)  # 80.0 to 100.0
        months.append(PeriodData(f"{FIRST_YEAR + year}-{month + 1:02d}", values))
    return History(tuple(months))


# ---------------------------------------------------------------- measurements

def best_compile_ms(path: Path, repeat: int = 5) -> str:
    source = Source(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            compile_source(source)
        except SlaError as err:
            return f"does not compile: {err.diagnostics[0].message}"
        best = min(best, time.perf_counter() - start)
    return f"{best * 1000:8.2f} ms"


def startup_seconds(repeat: int = 5) -> tuple[float, float, float]:
    """Wall time of `slarules evaluate` on the contact-center example in a fresh process
    (best and median of `repeat`, after one warm-up run), and its best CPU time (user +
    system, which a busy machine inflates less): what every billing run pays before
    its first period. Byte-code is written and read as in an installation (pip
    compiles it at install), whatever PYTHONDONTWRITEBYTECODE says here."""
    script = Path(sys.executable).with_name("slarules")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "slarules"]
    command += ["evaluate", str(ROOT / "rulesets" / "acme_contact_center.sla"),
                str(ROOT / "rulesets" / "acme_contact_center.csv")]
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    times, cpu = [], []
    for _ in range(repeat + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return min(times[1:]), statistics.median(times[1:]), min(cpu[1:])


def read_everything(outcome) -> None:
    """Read what an Outcome builds when read: every period's results, lines and totals
    (not the lines' sentences)."""
    for period in outcome.periods:
        period.results, period.lines, period.totals  # noqa: B018


def read_with_sentences(outcome) -> None:
    """read_everything, and every line's sentence built (what a table or JSON report pays)."""
    for period in outcome.periods:
        period.results, period.totals  # noqa: B018
        for line in period.lines:
            line.explanation  # noqa: B018


def timed(run):
    gc.collect()
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def best_us(runs, repeat: int) -> list[float]:
    """The best time of each of `runs` in µs, taking turns `repeat` times (a noisy spell hits all)."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for i, run in enumerate(runs):
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return [seconds * 1e6 for seconds in best]


def per_call(program, billed: int, repeat: int) -> None:
    """The `per-call:` lines for a state of `billed` months (see the module's docstring)."""
    months, chained = generate(billed + 12).periods, 12
    with tempfile.TemporaryDirectory() as folder:  # a billing run's state file of `billed` months
        path = os.path.join(folder, "acme.state.json")
        with program.billing_run(path) as run:
            run.evaluate(History(months[:billed]))
        with program.billing_run(path) as run:
            state, text = run.state, Path(path).read_text(encoding="utf-8")
            read_ledger = LedgerFile(os.path.realpath(path), path).read
    singles, batch = [History((m,)) for m in months[billed:]], History(months[billed:])

    def one_by_one():
        carry = state
        for history in singles:
            carry = program.evaluate(history, carry).state
    calls, together, json_copy = best_us(
        [one_by_one, lambda: program.evaluate(batch, state), lambda: Carry.from_data(state.to_data(), program)],
        repeat)
    fixed = (calls - together) / chained
    after = program.evaluate(singles[0], state).state  # what the next run writes

    def write():
        records, count, digest, first = after.ledger.to_append()
        return after.file_json(count, state.ledger.stored.size + len(records), digest, first), records
    whole = program.evaluate(History(months[:billed + 1])).state  # its ledger inside, as a run wrote it before
    whole.ledger.periods  # noqa: B018  (built, as a state read from a file has it)
    read, written, written_whole = best_us(
        [lambda: Carry.from_json(text, program, path, read_ledger), write, whole.to_json], repeat)
    print(f"per-call: {billed:2} billed months: fixed cost of a one-month call {fixed:5.1f} us beyond its own "
          f"work ({together / chained:.1f} us); a copy through the JSON form alone (each call made one before) "
          f"{json_copy:5.1f} us, ratio {fixed / json_copy:.2f}")
    print(f"per-call: {billed:2} billed months: state file read {read:6.1f} us, written {written:6.1f} us "
          f"({len(text)} bytes, {len(write()[1])} appended beside it); written whole with its ledger inside "
          f"{written_whole:7.1f} us ({len(whole.to_json())} bytes), ratio {written / written_whole:.2f}")


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--periods", type=int, default=100_000, help="months to evaluate (default 100000)")
    options.add_argument("--repeat", type=int, default=3, help="timed runs of each side (default 3)")
    args = options.parse_args()
    if args.periods < 1 or args.repeat < 1:
        options.error("--periods and --repeat must be at least 1")

    best, median, cpu = startup_seconds()
    print(f"start-up: slarules evaluate on the example, wall, best of 5: {best:.3f} s "
          f"(median {median:.3f} s; CPU {cpu:.3f} s)")
    parser()  # the Lark parser is loaded once per process: keep it out of the compile times
    print("compile (parse + check + compile), best of 5:")
    for path in sorted((ROOT / "rulesets").glob("*.sla")):
        print(f"  {path.name:28} {best_compile_ms(path)}")

    program = compile_source(Source(str(CONTRACT.relative_to(ROOT)), CONTRACT.read_text(encoding="utf-8")))
    for billed in (1, 24):
        per_call(program, billed, args.repeat * 20)
    history = generate(args.periods)
    months = history.periods

    import written_out  # bench/written_out.py: the same contract written out, keeping what an evaluation keeps

    engine_time = hand_time = reading_time = sentences_time = written_time = float("inf")
    for _ in range(args.repeat):  # alternate the sides, so a noisy spell hits all
        outcome = None  # the previous run's objects would otherwise weigh on this run's collector
        seconds, outcome = timed(lambda: program.evaluate(history))
        engine_time = min(engine_time, seconds)
        reading_time = min(reading_time, timed(lambda: read_everything(outcome))[0])
        sentences_time = min(sentences_time, timed(lambda: read_with_sentences(outcome))[0])
        by_hand = None
        seconds, by_hand = timed(lambda: hand_written([period.values for period in months]))
        hand_time = min(hand_time, seconds)
        written_time = min(written_time, timed(lambda: written_out.written_out(months))[0])

    engine = [(p.totals.credits, p.totals.earned_back, p.totals.bonuses) for p in outcome.periods]
    for number, (period, ours, theirs) in enumerate(zip(months, engine, by_hand), start=1):
        if ours != theirs:
            print(f"MISMATCH in month {number} ({period.label}): slarules credits {ours[0]} earned back {ours[1]} "
                  f"bonuses {ours[2]}, hand-written credits {theirs[0]} earned back {theirs[1]} bonuses {theirs[2]}; "
                  f"inputs {dict(period.values)}",
                  file=sys.stderr)
            return 1

    print(f"\n{len(months)} months from {months[0].label} to {months[-1].label}; service levels:")
    for level in outcome.by_service_level:
        met, missed = level.periods_met, level.periods_missed
        print(f"  {level.service_level:26} met {met:7}  missed {missed:7}  "
              f"not measured {len(months) - met - missed:7}")
    print("line items by clause:")
    clauses = Counter((line.clause_ref, line.kind) for line in outcome.lines)
    for (clause, kind), count in sorted(clauses.items(), key=lambda item: int(item[0][0].rsplit(":", 1)[1])):
        print(f"  {clause:40} {kind:10} {count:7}")
    print(f"time, best of {args.repeat}:")
    for name, seconds in (("slarules", engine_time), ("hand-written", hand_time)):
        print(f"  {name:14} {seconds:8.3f} s {len(months) / seconds:12,.0f} periods/s")
    print(f"identical credits ({sum(c for c, _, _ in engine):,}), earned back ({sum(e for _, e, _ in engine):,}) "
          f"and bonuses ({sum(b for _, _, b in engine):,}) in all {len(months)} periods")
    print(f"reading every period's results, line items and totals afterwards: {reading_time:.3f} s "
          f"(ratio with it {(engine_time + reading_time) / hand_time:.2f})")
    print(f"reading them and building every line's sentence afterwards: {sentences_time:.3f} s "
          f"(ratio with it {(engine_time + sentences_time) / hand_time:.2f})")
    print(f"the same contract written out by hand, keeping what an evaluation keeps (bench/written_out.py): "
          f"{written_time:.3f} s, {written_time / hand_time:.2f} times the hand-written function; "
          f"evaluation over written out {engine_time / written_time:.2f}")
    print(f"ratio {engine_time / hand_time:.2f}")
    try:
        import vectorised  # bench/vectorised.py: needs NumPy (the `fast` extra)
    except ImportError as err:
        print(f"money-only lines skipped: {err}")
        return 0
    status = vectorised.report(program, history, args.repeat, ROOT)
    try:
        import exposure  # bench/exposure.py: needs Dask (the `dask` extra)
    except ImportError as err:
        print(f"exposure line skipped: {err}")
        return status
    exposure.report(ROOT)
    return status


if __name__ == "__main__":
    sys.exit(main())
