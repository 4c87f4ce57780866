"""Benchmark: reading a large KPI data file, alone and within `slarules evaluate`.

    python bench/read_data.py [--rows N] [--format csv|json] [--only read|stream|evaluate]

End to end at a million rows, one command:  python bench/read_data.py --only evaluate

Writes rulesets/acme_contact_center.sla's data for N consecutive months (default
1,000,000, seeded, so every run reads the same file) to a temporary folder, then
runs, each in a fresh Python process so that its peak memory is its own:
`read`, slarules.read_history of the file (a History holding every period);
`stream`, read_history(..., stream=True), which checks the file in one pass and
holds no period, then one pass over its periods; `evaluate`, `slarules evaluate
RULESET FILE --format csv` with its output thrown away (it streams). Prints each one's seconds, its CPU
seconds (user + system, the fairer figure on a busy machine) and peak resident
memory (the child's ru_maxrss). Kept out of the test suite: a million rows
take minutes.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULESET = ROOT / "rulesets" / "acme_contact_center.sla"
COLUMNS = ["monthly_fee", "calls_offered", "answered_in_20s", "abandoned", "resolved_first_call", "quality_score"]

# Each child prints its own peak resident memory (KB on Linux) and CPU seconds last, on stderr.
USAGE = ("r = resource.getrusage(resource.RUSAGE_SELF); "
         "print(r.ru_maxrss, r.ru_utime + r.ru_stime, file=sys.stderr)")
READ = """
import resource, sys
from slarules import load, read_history
history = read_history(load(sys.argv[1]), sys.argv[2])
""" + USAGE + "\n"
STREAM = """
import resource, sys
from slarules import load, read_history
history = read_history(load(sys.argv[1]), sys.argv[2], stream=True)
assert sum(1 for period in history.periods) == len(history.periods)
""" + USAGE + "\n"
EVALUATE = """
import resource, sys
from slarules.interfaces.cli import main
status = main(["evaluate", sys.argv[1], sys.argv[2], "--format", "csv"])
""" + USAGE + "\nsys.exit(status)\n"


def rows(count: int, seed: int = 2026):
    rng = random.Random(seed)
    for index in range(count):
        year, month = divmod(index, 12)
        calls = rng.randint(300, 12_000)
        yield [f"{2026 + year}-{month + 1:02d}", f"{rng.randint(5_800_000, 6_200_000) / 100:.2f}", str(calls),
               str(round(calls * rng.uniform(0.65, 0.95))), str(round(calls * rng.uniform(0.01, 0.12))),
               str(round(calls * rng.uniform(0.55, 0.80))), f"{rng.randint(800, 1000) / 10:.1f}"]


def write(path: Path, count: int, form: str) -> None:
    with path.open("w", encoding="utf-8") as out:
        if form == "csv":
            out.write(",".join(["period", *COLUMNS]) + "\n")
            for row in rows(count):
                out.write(",".join(row) + "\n")
            return
        out.write('{"periods": [\n')
        for number, row in enumerate(rows(count)):
            entry = json.dumps(dict(zip(["period", *COLUMNS], row)))
            out.write(("," if number else "") + entry + "\n")
        out.write("]}\n")


def measure(script: str, data: Path) -> tuple[float, float, float, int]:
    """Seconds, CPU seconds and peak resident MB (as the child reports them), and the exit
    status, of a child running `script`."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, str(RULESET), str(data)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=data.parent)
    seconds = time.perf_counter() - start
    last = (done.stderr.strip().splitlines()[-1:] or [""])[0].split()
    if done.returncode or len(last) != 2:
        print(done.stderr[-2000:], file=sys.stderr)
        return seconds, 0.0, 0.0, done.returncode
    return seconds, float(last[1]), int(last[0]) / 1024, done.returncode


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rows", type=int, default=1_000_000)
    options.add_argument("--format", choices=("csv", "json"), default="csv")
    options.add_argument("--only", choices=("read", "stream", "evaluate"))
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / f"data.{args.format}"
        write(data, args.rows, args.format)
        print(f"{args.rows:,} rows, {data.stat().st_size / 1e6:,.1f} MB of {args.format.upper()}")
        for name, script in (("read", READ), ("stream", STREAM), ("evaluate", EVALUATE)):
            if args.only in (None, name):
                seconds, cpu, megabytes, status = measure(script, data)
                print(f"  {name:9} {seconds:8.1f} s   CPU {cpu:8.1f} s   peak RSS {megabytes:8,.0f} MB   exit {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
