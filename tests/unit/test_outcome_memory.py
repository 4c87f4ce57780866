"""What an Outcome keeps per period (issue 13 asks for the exact evaluator's bytes per
period): measured with tracemalloc as bench/vectorised.py measures it, the History held
by the caller and not counted, and bounded at about twice what it is now, so that a change
that makes every period heavier fails here rather than in a billing run's memory."""
from __future__ import annotations

import gc
import random
import tracemalloc
from decimal import Decimal
from pathlib import Path

from slarules import History, PeriodData, load

ACME = Path(__file__).resolve().parents[2] / "rulesets" / "acme_contact_center.sla"
MONTHS = 2_000


def _months(count: int) -> History:
    """Months reaching every clause of the Acme terms, as bench/run.py generates them."""
    rng = random.Random(2026)
    months = []
    for index in range(count):
        calls = rng.randint(300, 12_000)
        values = {
            "monthly_fee": Decimal(rng.randint(5_800_000, 6_200_000)).scaleb(-2),
            "calls_offered": Decimal(calls),
            "answered_in_20s": Decimal(round(calls * rng.uniform(0.65, 0.95))),
            "abandoned": Decimal(round(calls * rng.uniform(0.01, 0.12))),
            "resolved_first_call": Decimal(round(calls * rng.uniform(0.55, 0.80))),
        }
        if rng.random() >= 0.03:
            values["quality_score"] = Decimal(rng.randint(800, 1000)).scaleb(-1)
        year, month = divmod(index, 12)
        months.append(PeriodData(f"{2026 + year}-{month + 1:02d}", values))
    return History(tuple(months))


def _per_period(run) -> tuple[float, object]:
    """Bytes still allocated per month after run() returns, its result kept."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = run()
        gc.collect()
        return (tracemalloc.get_traced_memory()[0] - before) / MONTHS, result
    finally:
        tracemalloc.stop()


def test_an_outcome_keeps_a_bounded_number_of_bytes_per_period():
    program, history = load(ACME), _months(MONTHS)
    kept, outcome = _per_period(lambda: program.evaluate(history))
    # Measured 2,570 bytes a month (2026-12): the period's record, its line items' records, the
    # Decimals they hold and the copy of the inputs the line items' sentences read.
    assert 1_000 < kept < 5_200, f"{kept:,.0f} bytes a period"
    read, _ = _per_period(lambda: [(p.results, p.lines, p.totals) for p in outcome.periods] and None)
    assert read < 8, f"reading every period's figures kept {read:,.0f} bytes a period"


def test_the_ledger_shares_each_periods_inputs_with_the_history():
    program, history = load(ACME), _months(MONTHS)
    outcome = program.evaluate(history)
    built, periods = _per_period(lambda: outcome.state.ledger.periods)
    assert all(entry.inputs is data.values for entry, data in zip(periods, history.periods))
    # Measured 387 bytes a month: each record and its totals; a copy of the inputs made it 656.
    assert built < 520, f"{built:,.0f} bytes a period"
