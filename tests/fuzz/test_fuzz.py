"""The fuzz harness: mutated rulesets, data files and states through the CLI (see cases.py).

Fast by default (a few hundred cases, seed 0, every run the same cases); on demand:

    SLARULES_FUZZ_CASES=100000 SLARULES_FUZZ_SEED=7 python -m pytest tests/fuzz -q

SLARULES_FUZZ_CASES is the total over the three categories (half rulesets, three
tenths data files, a fifth states). A failing test lists each distinct failure
with the command that replays one case of it. Failures already known and being
fixed on another branch are in known.py with a reproducer under found/;
they do not fail this test (their reproducers are strict xfails instead).
SLARULES_FUZZ_SUMMARY=FILE appends a JSON line per category with the figures.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cases  # noqa: E402
from known import known_owner  # noqa: E402

TOTAL = int(os.environ.get("SLARULES_FUZZ_CASES", "360"))
SEED = int(os.environ.get("SLARULES_FUZZ_SEED", "0"))
START = int(os.environ.get("SLARULES_FUZZ_START", "0"))  # the first case's index: to go on after a fatal hang
SHARE = {"ruleset": 0.5, "data": 0.3, "state": 0.2}
SCRIPT_CASES = 4  # per category, through the installed script


def _watchdog(case: cases.Case) -> threading.Timer:
    """Kill the whole run if a case outlives its timer (a loop in C the timer cannot interrupt), saying which."""
    limit = 10 * cases.TIME_LIMIT.get(case.argv[0], cases.DEFAULT_TIME_LIMIT) + 60  # wall time, on a busy machine

    def fire():
        said = f"fuzz: case {case.replay()} still running after {limit:.0f} s: a hang"
        if os.environ.get("SLARULES_FUZZ_SUMMARY"):
            with open(os.environ["SLARULES_FUZZ_SUMMARY"], "a", encoding="utf-8") as out:
                out.write(json.dumps({"fatal hang": case.replay(), "seconds": limit}) + "\n")
        os.write(sys.__stderr__.fileno(), f"\n{said}\n".encode())
        os._exit(70)

    timer = threading.Timer(limit, fire)
    timer.daemon = True
    timer.start()
    return timer


def _run(category: str, count: int, runner) -> tuple[dict, dict]:
    """Run `count` cases; returns (unknown failures, known failures), each {signature: (how many, first case)}."""
    unknown, known = {}, {}
    started = time.perf_counter()
    for index in range(START, START + count):
        case = cases.make_case(category, SEED, index)
        with tempfile.TemporaryDirectory(prefix="slarules-fuzz-", dir=cases.SCRATCH) as folder:
            timer = _watchdog(case)
            try:
                result = runner(case, Path(folder))
            finally:
                timer.cancel()
            problems = cases.judge(case, result, Path(folder))
        if problems:
            signature = cases.signature(case, problems, result)
            owner = known_owner(case, problems, result)
            found = known if owner else unknown
            key = f"{signature} [{owner}]" if owner else signature
            found[key] = (found[key][0] + 1, found[key][1]) if key in found else (1, case.replay())
        if (index + 1 - START) % 2500 == 0 and index + 1 - START < count:
            _summarise(category, index + 1 - START, unknown, known, time.perf_counter() - started, runner.__name__)
    _summarise(category, count, unknown, known, time.perf_counter() - started, runner.__name__)
    return unknown, known


def _summarise(category, count, unknown, known, seconds, runner) -> None:
    path = os.environ.get("SLARULES_FUZZ_SUMMARY")
    if not path:
        return
    line = {"category": category, "runner": runner, "seed": SEED, "start": START, "cases": count, "seconds": round(seconds, 1),
            "unknown": unknown, "known": known}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def _message(unknown: dict) -> str:
    return "\n".join(f"{count} case(s): {signature}\n    replay: {replay}"
                     for signature, (count, replay) in sorted(unknown.items()))


@pytest.mark.parametrize("category", cases.CATEGORIES)
def test_mutated_input_never_crashes_hangs_or_hides_the_place(category):
    unknown, _ = _run(category, max(1, round(TOTAL * SHARE[category])), cases.run_in_process)
    if unknown:
        pytest.fail(f"seed {SEED}:\n" + _message(unknown), pytrace=False)


@pytest.mark.parametrize("category", cases.CATEGORIES)
def test_mutated_input_through_the_installed_script(category):
    """A few cases through the real `slarules` script: a traceback here would reach a user's terminal."""
    unknown, _ = _run(category, SCRIPT_CASES, cases.run_script)
    if unknown:
        pytest.fail(f"seed {SEED}:\n" + _message(unknown), pytrace=False)


def test_the_oracle_catches_an_internal_error_and_an_unnamed_place():
    """The judge must be able to fail: an exit 3, a traceback and a diagnostic without a place are each caught."""
    case = cases.make_case("data", 0, 0)
    folder = Path("/x")
    assert cases.judge(case, cases.Result(3, "", "slarules: internal error: KeyError: 'a'"), folder) == [
        "exit 3 (KeyError)"]
    assert cases.judge(case, cases.Result(1, "", "Traceback (most recent call last):\n"), folder) == ["traceback"]
    assert cases.judge(case, cases.Result("hang", "", ""), folder) == ["hang: no answer within the time limit"]
    assert cases.judge(case, cases.Result(1, "", "error[SLA302]: not a number\n"), folder)[0].startswith(
        "unnamed place")
    assert cases.judge(case, cases.Result(1, "", "/x/r.sla:3:4: error[SLA000]: unexpected text\n"), folder) == []


def test_a_case_is_the_same_every_time():
    assert cases.make_case("ruleset", 3, 17) == cases.make_case("ruleset", 3, 17)
    assert cases.make_case("state", 3, 17) != cases.make_case("state", 3, 18)
