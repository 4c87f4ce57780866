"""`verify()`: the model of the program, a runner with the seed and effort,
every invariant then every finding (a finding that cannot be computed is
reported as inconclusive, never hiding the invariants), as one VerifyReport.
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Callable

from ...engine.compile import Terms
from ...engine.evaluate import evaluate as exact_evaluate
from .findings import FINDINGS
from .invariants import INVARIANTS
from .model import _Model
from .report import CheckResult, VerifyReport, _Runner


EFFORT = {"quick": 25, "normal": 100, "thorough": 400}


def verify(program: Terms, seed: int = 0, effort: str = "normal", out_dir: Path | None = None,
           *, vary_fees: bool = False, evaluate=None, only=None,
           progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    """Run the fairness invariants and findings against `program`.

    `out_dir` receives the counterexample CSVs (made only if there is something
    to write); with None nothing is written and the report names the files, so
    a run leaves nothing behind and two runs print the same text. `only` names the invariants
    and findings to run (keys of INVARIANTS and FINDINGS; all when None).
    `evaluate(program, history, state)` replaces the evaluator (tests use it to
    prove the property machinery finds a broken one). `progress(done, total)` is
    called after each invariant and finding."""
    if effort not in EFFORT:
        raise ValueError(f"effort is one of {', '.join(EFFORT)}, not {effort!r}")
    unknown = sorted(set(only or ()) - INVARIANTS.keys() - FINDINGS.keys())
    if unknown:
        raise ValueError(f"no check named {unknown[0]!r}; the checks are {', '.join([*INVARIANTS, *FINDINGS])}")
    random.seed(seed)
    model = _Model(program, vary_fees)
    runner = _Runner(program, model, seed, EFFORT[effort], Path(out_dir) if out_dir is not None else None,
                     evaluate or exact_evaluate)
    invariants = [check for name, check in INVARIANTS.items() if only is None or name in only]
    findings = [(name, finder) for name, finder in FINDINGS.items() if only is None or name in only]
    total = len(invariants) + len(findings)
    checks: list[CheckResult] = []
    for done, check in enumerate(invariants, start=1):
        checks.append(check(runner))
        if progress is not None:
            progress(done, total)
    for done, (name, finder) in enumerate(findings, start=len(invariants) + 1):
        try:
            checks.extend(finder(runner))
        except Exception as err:  # a finding that cannot be computed must not hide the invariants
            checks.append(CheckResult(name, "inconclusive", f"could not compute: {type(err).__name__}: {err}"))
        if progress is not None:
            progress(done, total)
    return VerifyReport(program.path, seed, effort, EFFORT[effort], tuple(checks), written=out_dir is not None)
