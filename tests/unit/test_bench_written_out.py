"""bench/written_out.py, the Acme contract written out by hand with the outcome slarules keeps,
is a yardstick only while it computes that outcome: held to an evaluation period by period
(values to the last digit, statuses, notes, every line's amount in order, the money, the
termination rights) over bench/run.py's generated months."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from slarules import Source, compile_source

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        import run
        import written_out
        yield run, written_out
    finally:
        sys.path.remove(str(BENCH))


def test_the_written_out_contract_keeps_what_an_evaluation_keeps(bench):
    run, written_out = bench
    program = compile_source(Source("acme_contact_center.sla", run.CONTRACT.read_text(encoding="utf-8")))
    history = run.generate(1200)
    outcome = program.evaluate(history)
    by_hand = written_out.written_out(history.periods)
    assert len(by_hand) == len(outcome.periods) == 1200
    for kept, period in zip(by_hand, outcome.periods):
        label, year, lines, rights, credits, earned_back, bonuses, *results = kept
        totals = period.totals
        # repr: the same digits (2,500.00 is not 2500), not only the same number
        assert repr((label, year, credits, earned_back, bonuses)) == repr(
            (period.period, period.contract_year, totals.credits, totals.earned_back, totals.bonuses))
        assert repr(results) == repr([field for r in period.results for field in (r.value, r.status, r.note)])
        assert repr([line[1] for line in lines]) == repr([line.amount for line in period.lines])
        assert rights == tuple((r.period, r.reason, r.periods, r.occurrence) for r in period.terminations)
    # the months reach every clause (a held line inside the line of its falling due), both
    # rights, a cure window opened and one cured
    kinds = {line[0] for kept in by_hand for line in kept[2]}
    kinds |= {line[4][0] for kept in by_hand for line in kept[2] if line[0] == written_out.FCR_DUE}
    assert kinds == {value for name, value in vars(written_out).items()
                     if name.isupper() and isinstance(value, str) and value.startswith("C.")}
    reasons = {reason for kept in by_hand for _, reason, _, _ in kept[3]}
    assert any("3 months in a row" in reason for reason in reasons) and any(" times from " in r for r in reasons)
    assert {"cured", "in cure", "not measured"} <= {status for kept in by_hand for status in kept[8::3]}
