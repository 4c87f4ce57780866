"""bench/instructions.py runs each phase it counts (under valgrind when the benchmark is run;
here without, so that the phases stay runnable where valgrind is not installed)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "instructions.py"


@pytest.mark.parametrize("phase", ["set-up", "evaluation", "reading", "hand-written", "written out"])
def test_each_counted_phase_runs_on_its_own(phase):
    done = subprocess.run([sys.executable, str(BENCH), "--phase", phase, "--periods", "24"],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")


def test_a_count_of_no_months_is_refused():
    done = subprocess.run([sys.executable, str(BENCH), "--periods", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--periods must be at least 1" in done.stderr
