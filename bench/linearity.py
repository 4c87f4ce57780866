"""Whether the exact evaluator's time per period stays flat from 100,000 to 1,000,000 periods.

    python bench/linearity.py [--sizes 100000 1000000] [--repeat R]

Evaluates rulesets/acme_contact_center.sla over each number of generated
months (bench/run.py's `generate`: seeded, one History from 2026-01), once per
fresh process (a heap left by an earlier run would weigh on the next), the
sizes taking turns R times (default 3: a noisy spell on a shared machine hits
each size), keeping the best of each; prints the CPU time per period of each
size (process time, which other jobs disturb less than the wall clock) and the
peak memory of its process, and ends with `bend R`: the largest size's time
per period over the smallest's (1.00 is linear).
"""
from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(periods: int) -> dict:
    """In this process: the CPU seconds of evaluating `periods` months, and the peak memory."""
    sys.path.insert(0, str(ROOT / "bench"))
    import run  # bench/run.py: the contract and the months
    from slarules import Source, compile_source

    program = compile_source(Source(str(run.CONTRACT.relative_to(ROOT)), run.CONTRACT.read_text(encoding="utf-8")))
    history = run.generate(periods)
    program.evaluate(run.generate(3))  # warm-up: the generated module compiled
    gc.collect()
    start = time.process_time()
    outcome = program.evaluate(history)
    seconds = time.process_time() - start
    assert len(outcome.periods) == periods
    return {"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000],
                         help="months to evaluate, each in its own process (default 100000 1000000)")
    options.add_argument("--repeat", type=int, default=3, help="timed runs of each size (default 3)")
    options.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the process that times one size
    args = options.parse_args()
    if args.repeat < 1 or min(args.sizes) < 1:
        options.error("--sizes and --repeat must be at least 1")
    if args.one is not None:
        print(json.dumps(timed(args.one)))
        return 0
    sizes = sorted(set(args.sizes))
    best = {size: {"seconds": float("inf")} for size in sizes}
    for _ in range(args.repeat):
        for size in sizes:
            done = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True,
                                  cwd=ROOT)
            if done.returncode:
                sys.exit(f"evaluating {size} months failed:\n{done.stderr[-2000:]}")
            result = json.loads(done.stdout)
            best[size] = min(best[size], result, key=lambda r: r["seconds"])
    per_period = {size: best[size]["seconds"] / size for size in sizes}
    for size in sizes:
        print(f"{size:>10,} months: {per_period[size] * 1e6:6.2f} µs a period (CPU, best of {args.repeat}), "
              f"peak {best[size]['peak_mb']:,.0f} MB")
    smallest, largest = sizes[0], sizes[-1]
    print(f"bend {per_period[largest] / per_period[smallest]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
