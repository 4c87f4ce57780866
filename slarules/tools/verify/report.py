"""What verify reports, and how one check is run to it: a CheckResult per
invariant or finding, the VerifyReport and its text; the runner that runs a
property with hypothesis (seeded, no database) and, when it breaks, writes the
counterexample as a data CSV (and an events CSV) that `slarules evaluate`
accepts, into the out_dir (with none, the files are only named).
"""
from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import attrs
import hypothesis
from hypothesis import HealthCheck, Phase, given, settings

try:  # hypothesis' internals, to keep a seed's search independent of our source (_seed_alone)
    from hypothesis.internal.conjecture import providers as _providers
    from hypothesis.internal.constants_ast import Constants as _Constants
except ImportError:  # a hypothesis without source constants: nothing to hold off
    _providers = _Constants = None

from ...core.diagnostics import SlaError
from ...formats.files import write_atomically


@attrs.frozen
class CheckResult:
    name: str
    status: str  # "held" | "violated" | "finding" | "ok" | "inconclusive"
    summary: str
    details: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    contract_clauses: tuple[str, ...] = ()  # the signed contract's clauses the terms it is about cite


@attrs.frozen
class VerifyReport:
    ruleset: str
    seed: int
    effort: str
    examples: int
    checks: tuple[CheckResult, ...]
    written: bool = True  # whether the files named were written (to an out_dir), or only named

    @property
    def ok(self) -> bool:
        return not any(c.status == "violated" for c in self.checks)

    def check(self, name: str) -> CheckResult:
        return next(c for c in self.checks if c.name == name)

    def to_text(self) -> str:
        out = [f"verify {self.ruleset} (seed {self.seed}, effort {self.effort}: "
               f"{self.examples} histories per property)", ""]
        for c in self.checks:
            out.append(f"{c.status.upper():<12} {c.name}: {c.summary}")
            out.extend(f"             {d}" for d in c.details)
            if c.contract_clauses:
                out.append(f"             contract clause{'s' * (len(c.contract_clauses) > 1)} "
                           f"{', '.join(c.contract_clauses)}")
            out.extend(f"             {'events' if f.endswith('.events.csv') else 'file'}: {f}"
                       + ("" if self.written else " (not written)") for f in c.files)
        invariants = [c for c in self.checks if c.status in ("held", "violated", "inconclusive")]
        bad = sum(c.status == "violated" for c in invariants)
        findings = sum(c.status == "finding" for c in self.checks)
        out += ["", f"{len(invariants) - bad} of {len(invariants)} invariants held, {bad} violated; "
                    f"{findings} finding{'s' if findings != 1 else ''}"]
        if any(c.files for c in self.checks) and self.written:
            out.append(f"re-run a file: slarules evaluate {self.ruleset} FILE [--events EVENTS]")
        elif any(c.files for c in self.checks):  # the same seed and effort find the same histories
            out.append(f"write the files: slarules verify {self.ruleset} --seed {self.seed} --effort {self.effort} "
                       "--out DIR")
        return "\n".join(out) + "\n"


class _Violation(Exception):
    def __init__(self, message: str, histories: dict, outcomes: tuple[str, ...] = ()):
        super().__init__(message)
        self.message, self.histories, self.outcomes = message, histories, outcomes


@contextmanager
def _seed_alone():
    """Hypothesis also draws, now and then, numbers it finds written in the source of
    "local" modules: slarules itself when it is not installed in site-packages. Then
    what a seed finds would change with any literal in slarules' code, and differ
    between a checkout and an install; held off here, a run depends on its seed alone."""
    original = getattr(_providers, "_get_local_constants", None)
    if original is None:
        yield
        return
    _providers._get_local_constants = _Constants
    try:
        yield
    finally:
        _providers._get_local_constants = original


class _Runner:
    def __init__(self, program, model, seed, examples, out_dir, evaluate):
        self.program, self.model, self.seed, self.examples = program, model, seed, examples
        self.out_dir = out_dir
        self.evaluate = evaluate
        self.written: list[Path] = []
        self.worst_share = Decimal(0)
        self.worst_rows = None

    def settings(self):
        return settings(database=None, derandomize=False, max_examples=self.examples, deadline=None,
                        phases=[Phase.generate, Phase.target, Phase.shrink], report_multiple_bugs=False,
                        suppress_health_check=list(HealthCheck), print_blob=False,
                        verbosity=hypothesis.Verbosity.quiet)

    def run(self, name: str, title: str, strategy, body) -> CheckResult:
        @self.settings()
        @hypothesis.seed(self.seed)
        @given(strategy)
        def test(drawn):
            body(drawn)

        try:
            with _seed_alone():
                test()
        except _Violation as v:
            files = []
            for key, history in v.histories.items():
                rows, events = history if isinstance(history, tuple) else (history, ())
                stem = f"{name}{'.' + key if key else ''}"
                files.append(str(self.write(f"{stem}.csv", rows)))
                if events:
                    files.append(str(self.write(f"{stem}.events.csv", rows, events)))
            return CheckResult(name, "violated", title, (v.message, *v.outcomes), tuple(files))
        except hypothesis.errors.Unsatisfiable:
            return CheckResult(name, "inconclusive", title + " (too few valid histories generated)")
        return CheckResult(name, "held", title)

    def write(self, filename: str, rows, events=None) -> Path:
        """Write the rows as a data file, or (events given) the events file that goes with them;
        with no out_dir, only name it (nothing is left behind, and two runs print the same)."""
        if self.out_dir is None:
            return Path(filename)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / filename
        text = self.model.csv_text(rows) if events is None else self.model.events_csv_text(rows, events)
        write_atomically(path, text)
        self.written.append(path)
        return path

    def outcome(self, rows, what: str, events=(), state=None, offset: int = 0):
        history = (rows, tuple(events)) if events else rows
        try:
            return self.evaluate(self.program, self.model.history(rows, events, offset), state)
        except SlaError as err:
            raise _Violation(f"evaluation of a generated {what} history failed: {err}", {"": history}) from None
        except Exception as err:  # the evaluator crashed: that is a finding in itself
            raise _Violation(f"evaluation crashed: {type(err).__name__}: {err}", {"": history}) from None
