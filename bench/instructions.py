"""The exact evaluator's ratios counted in machine instructions, which a shared machine cannot disturb.

    python bench/instructions.py [--periods N]

bench/run.py times slarules and the hand-written Decimal function of the Acme
contract (`hand_written`) on the same months; on a machine other jobs share, its
`ratio` moves by a third from run to run. This counts instead, under valgrind's
cachegrind (`valgrind` on the PATH; exit 2 without it), the instructions the
Python process executes: once for the set-up alone (compile, N generated
months, a warm-up of each side), then for the set-up and one phase: the
evaluation, the evaluation and reading every period's results, lines and
totals once (bench/run.py's `read_everything`), the hand-written function, and
the same contract written out by hand with the outcome an evaluation keeps
(bench/written_out.py: values, statuses, notes, line records, rights).
A phase's count is the difference with the set-up's, per period (each process
ends without its teardown: freeing what a phase made is not counted, as
bench/run.py's timings leave it out). It prints those counts, `ratio R`
(evaluation / hand-written) and `ratio with reading R` ((evaluation + reading) /
hand-written): the ratios bench/run.py times, with every instruction weighed
alike (a cache miss costs no more than an addition, so they are a guide to the
time, not the time); then `written out R` (written out / hand-written: what
keeping the outcome costs) and `evaluation over written out R` (what being an
evaluator of any ruleset costs beyond that). Default 4,000 months (each of the
six runs takes seconds under valgrind).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("set-up", "evaluation", "reading", "hand-written", "written out")


def phase(name: str, periods: int) -> None:
    """Run the set-up and, unless `name` is the set-up, the phase (in the process valgrind counts)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import run  # bench/run.py: the contract, the months, the hand-written function, the reading
    import written_out  # bench/written_out.py: the same contract, with the outcome an evaluation keeps
    from slarules import Source, compile_source

    program = compile_source(Source(str(run.CONTRACT.relative_to(ROOT)), run.CONTRACT.read_text(encoding="utf-8")))
    history = run.generate(periods)
    months = [period.values for period in history.periods]
    run.read_everything(program.evaluate(run.generate(3)))  # warm-up: each side's first calls
    run.hand_written(months[:3])
    written_out.written_out(history.periods[:3])
    if name in ("evaluation", "reading"):
        outcome = program.evaluate(history)
        if name == "reading":
            run.read_everything(outcome)
    elif name == "hand-written":
        run.hand_written(months)
    elif name == "written out":
        written_out.written_out(history.periods)


def counted(name: str, periods: int) -> int:
    """Instructions of a fresh process running `phase(name)`, counted by cachegrind."""
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, __file__, "--phase", name, "--periods", str(periods)],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode or found is None:
        sys.exit(f"valgrind failed ({name}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--periods", type=int, default=4000, help="months to evaluate (default 4000)")
    options.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)  # the process valgrind counts
    args = options.parse_args()
    if args.periods < 1:
        options.error("--periods must be at least 1")
    if args.phase is not None:
        phase(args.phase, args.periods)
        os._exit(0)  # no teardown: freeing the outcome at exit is no part of any phase
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: this benchmark counts instructions under valgrind's cachegrind",
              file=sys.stderr)
        return 2
    counts = {name: counted(name, args.periods) for name in PHASES}
    per_period = {name: (counts[name] - counts["set-up"]) / args.periods for name in PHASES[1:]}
    evaluation, hand, written = per_period["evaluation"], per_period["hand-written"], per_period["written out"]
    reading = per_period["reading"] - evaluation
    print(f"instructions per period, {args.periods} months (valgrind cachegrind):")
    print(f"  slarules evaluation  {evaluation:12,.0f}")
    print(f"  reading every period's results, lines and totals once  {reading:12,.0f}")
    print(f"  hand-written         {hand:12,.0f}")
    print(f"  written out with the outcome kept (bench/written_out.py)  {written:12,.0f}")
    print(f"ratio {evaluation / hand:.2f}")
    print(f"ratio with reading {(evaluation + reading) / hand:.2f}")
    print(f"written out {written / hand:.2f}")
    print(f"evaluation over written out {evaluation / written:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
