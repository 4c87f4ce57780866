"""Benchmark: slarules next to a hand-written Decimal function of the same contract.

    /tmp/v/bin/python bench/run.py [--periods N] [--repeat R]

Prints the compile time (parse + check + compile, best of 5, the cached Lark
parser built beforehand) of each rulesets/*.sla; then evaluates
rulesets/acme_contact_center.sla over N generated months (default 100,000,
seeded, so every run sees the same data) with slarules and with
`hand_written` below, alternating the two R times (default 3) and keeping the
best time of each; checks both give the same credits and bonuses in every
period (exit 1 naming the first period that differs); prints how often each
service level was met, missed and not measured and how many line items each
clause produced (so the data is seen to reach every clause and cap), then
periods per second for each side; and ends with `ratio R`, slarules time /
hand-written time.

The History is built from PeriodData objects, so file reading is not timed.
slarules.periods reads only four-digit years (`10000-01` is not a label), so
the months are evaluated as consecutive histories from 2026-01 of at most
95,688 months (to 9999-12) each.
"""
from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections import Counter
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path

from slarules import History, PeriodData, SlaError, Source, compile_source
from slarules.parse import parser

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "rulesets" / "acme_contact_center.sla"
FIRST_YEAR = 2026
MONTHS_TO_9999 = (9999 - FIRST_YEAR + 1) * 12

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


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def hand_written(values) -> tuple[Decimal, Decimal]:
    """Schedule C of the Acme contract for one month: (credits, bonuses) after the caps."""
    fee = values["monthly_fee"]
    calls = values["calls_offered"]
    quality = values.get("quality_score")
    credits = Decimal(0)
    bonuses = Decimal(0)

    # C.2.4 quality (critical, always measured): a month without a score is a miss at the cap.
    quality_missed = quality is None or quality < 90
    if quality is None:
        credits += QUALITY_CAP
    elif quality < 90:
        points = (90 - quality).to_integral_value(ROUND_CEILING)  # part points count as whole
        credits += min(points * QUALITY_PER_POINT, QUALITY_CAP)  # whole dollars: nothing to round
    elif quality >= 95:
        bonuses += QUALITY_BONUS

    if calls >= 500:  # C.2.1 to C.2.3 are measured only from 500 calls
        # Percentages of calls in the default 28-digit context: a ratio of counts is never
        # within 28 digits of a threshold it does not equal, so every comparison is exact.
        # C.2.1 speed of answer (critical): the most severe credit row, the best bonus row,
        # the bonus only if no critical service level is missed (here: quality).
        speed = values["answered_in_20s"] * HUNDRED / calls
        if speed < 70:
            credits += cents(fee * SOA_CREDIT_BELOW_70)
        elif speed < 75:
            credits += cents(fee * SOA_CREDIT_BELOW_75)
        elif speed < 80:
            credits += cents(fee * SOA_CREDIT_BELOW_80)
        elif not quality_missed:
            if speed >= 90:
                bonuses += cents(fee * SOA_BONUS_AT_90)
            elif speed >= 85:
                bonuses += cents(fee * SOA_BONUS_AT_85)

        # C.2.2 abandonment: 1% of the fee per point above 5%, part points whole, at most 4%.
        abandonment = values["abandoned"] * HUNDRED / calls
        if abandonment > 5:
            points = (abandonment - 5).to_integral_value(ROUND_CEILING)
            credits += min(cents(fee * points / HUNDRED), cents(fee * ABANDONMENT_CAP))

        # C.2.3 first contact resolution, by range.
        resolution = values["resolved_first_call"] * HUNDRED / calls
        if resolution < 60:
            credits += cents(fee * FCR_CREDIT_BELOW_60)
        elif resolution < 65:
            credits += cents(fee * FCR_CREDIT_BELOW_65)
        elif resolution < 70:
            credits += cents(fee * FCR_CREDIT_BELOW_70)

    return min(credits, cents(fee * AT_RISK)), min(bonuses, cents(fee * BONUS_LIMIT))


# ---------------------------------------------------------------- data

def generate(periods: int, seed: int = 2026) -> list[History]:
    """`periods` months of KPI values, as consecutive histories from 2026-01 up to 9999-12."""
    rng = random.Random(seed)
    histories = []
    for start in range(0, periods, MONTHS_TO_9999):
        months = []
        for index in range(min(MONTHS_TO_9999, periods - start)):
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
        histories.append(History(tuple(months)))
    return histories


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


def timed(run):
    gc.collect()
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--periods", type=int, default=100_000, help="months to evaluate (default 100000)")
    options.add_argument("--repeat", type=int, default=3, help="timed runs of each side (default 3)")
    args = options.parse_args()
    if args.periods < 1 or args.repeat < 1:
        options.error("--periods and --repeat must be at least 1")

    parser()  # the Lark parser is built once per process: keep it out of the compile times
    print("compile (parse + check + compile), best of 5:")
    for path in sorted((ROOT / "rulesets").glob("*.sla")):
        print(f"  {path.name:28} {best_compile_ms(path)}")

    program = compile_source(Source(str(CONTRACT.relative_to(ROOT)), CONTRACT.read_text(encoding="utf-8")))
    histories = generate(args.periods)
    months = [period for history in histories for period in history.periods]

    engine_time = hand_time = float("inf")
    for _ in range(args.repeat):  # alternate the two sides, so a noisy spell hits both
        outcomes = None  # the previous run's objects would otherwise weigh on this run's collector
        seconds, outcomes = timed(lambda: [program.evaluate(history) for history in histories])
        engine_time = min(engine_time, seconds)
        by_hand = None
        seconds, by_hand = timed(lambda: [hand_written(period.values) for period in months])
        hand_time = min(hand_time, seconds)

    engine = [(p.totals.credits, p.totals.bonuses) for outcome in outcomes for p in outcome.periods]
    for number, (period, ours, theirs) in enumerate(zip(months, engine, by_hand), start=1):
        if ours != theirs:
            print(f"MISMATCH in month {number} ({period.label}): slarules credits {ours[0]} bonuses {ours[1]}, "
                  f"hand-written credits {theirs[0]} bonuses {theirs[1]}; inputs {dict(period.values)}",
                  file=sys.stderr)
            return 1

    print(f"\n{len(months)} months in {len(histories)} {'history' if len(histories) == 1 else 'histories'} "
          f"from {FIRST_YEAR}-01; service levels:")
    met, missed = Counter(), Counter()
    for outcome in outcomes:
        for level in outcome.by_service_level:
            met[level.service_level] += level.periods_met
            missed[level.service_level] += level.periods_missed
    for name in met:
        print(f"  {name:26} met {met[name]:7}  missed {missed[name]:7}  "
              f"not measured {len(months) - met[name] - missed[name]:7}")
    print("line items by clause:")
    clauses = Counter((line.clause_ref, line.kind) for outcome in outcomes for line in outcome.lines)
    for (clause, kind), count in sorted(clauses.items(), key=lambda item: int(item[0][0].rsplit(":", 1)[1])):
        print(f"  {clause:40} {kind:10} {count:7}")
    print(f"time, best of {args.repeat}:")
    for name, seconds in (("slarules", engine_time), ("hand-written", hand_time)):
        print(f"  {name:14} {seconds:8.3f} s {len(months) / seconds:12,.0f} periods/s")
    print(f"identical credits ({sum(c for c, _ in engine):,}) and bonuses ({sum(b for _, b in engine):,}) "
          f"in all {len(months)} periods")
    print(f"ratio {engine_time / hand_time:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
