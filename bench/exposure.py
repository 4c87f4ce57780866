"""Benchmark lines for `slarules exposure` (tools/exposure.py), printed by bench/run.py.

The example rulesets of rulesets/ with their data, as one portfolio folder,
simulated for runs of YEARS contract years, each line with its wall time, its
CPU time (of this process: the in-process lines only) and its throughput in
contract-years per minute (contracts x runs x years / minutes):

  * the contracts the vectorised evaluator takes whole, on one worker in this
    process (Dask's synchronous scheduler), VECTORISED_RUNS runs;
  * the contracts whose terms the vectorised evaluator does not take
    (engine/vectorised.py unsupported(): amendments, indexation, quarterly
    service levels, days...), run by run by the exact one, the same way;
  * all of them on Dask's local process scheduler, one worker per core (the
    command's default, process start-up included), ALL_RUNS runs.
"""
from __future__ import annotations

import os
import time

import dask  # noqa: F401  (the exposure line runs on Dask: without the `dask` extra, run.py skips it)

from slarules.engine.vectorised import unsupported
from slarules.tools.exposure import exposure, prepare
from slarules.tools.portfolio import read_portfolio

VECTORISED_RUNS = 20_000
EXACT_RUNS = 1_000
ALL_RUNS = 4_000
YEARS = 2


def _line(label: str, entries, runs: int, workers: int | None) -> None:
    exposure(entries, min(runs, 500), seed=0, years=YEARS, workers=1)  # compiled once, as a worker does
    cpu, start = time.process_time(), time.perf_counter()
    exposure(entries, runs, seed=1, years=YEARS, workers=workers)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    work = len(entries) * runs * YEARS
    in_process = f", CPU {cpu:.2f} s: {work / cpu * 60:,.0f} contract-years per CPU minute" if workers == 1 else ""
    print(f"exposure, {label}: {len(entries)} contracts x {runs:,} runs x {YEARS} years: {wall:.2f} s wall, "
          f"{work / wall * 60:,.0f} contract-years per minute{in_process}")


def report(root) -> None:
    entries, _ = read_portfolio(root / "rulesets")
    exact = [e for e in entries if unsupported(prepare(e).program)]  # amendments, indexation, quarters, days...
    _line("vectorised, 1 worker", [e for e in entries if e not in exact], VECTORISED_RUNS, 1)
    _line("by the exact evaluator (terms it alone takes), 1 worker", exact, EXACT_RUNS, 1)
    _line(f"all, {os.cpu_count()} local worker processes", entries, ALL_RUNS, None)
