"""bench/linearity.py times each size in its own process and prints the bend (run here at small sizes)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "linearity.py"


def test_each_size_is_timed_and_the_bend_printed():
    done = subprocess.run([sys.executable, str(BENCH), "--sizes", "240", "24", "--repeat", "1"],
                          capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert [line.split(" months:")[0].strip() for line in lines[:2]] == ["24", "240"]  # smallest first
    assert re.fullmatch(r"bend \d+\.\d\d", lines[2])


def test_a_size_of_no_months_is_refused():
    done = subprocess.run([sys.executable, str(BENCH), "--sizes", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--sizes and --repeat must be at least 1" in done.stderr
