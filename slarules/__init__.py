"""slarules: service level agreement terms as exact, explainable money.

The public API, one function per step and `load` for all of them:

    program = slarules.load("rulesets/acme_contact_center.sla")
    history = slarules.read_history(program, "rulesets/acme_contact_center.csv")
    outcome = program.evaluate(history)
    print(outcome.to_json())

Every user error is raised as SlaError, whose `.diagnostics` are rendered
`path:line:col: error[CODE]: message` with the source line and a caret.
"""
from __future__ import annotations

from pathlib import Path

from .check import check
from .compile import Program, compile_ruleset
from .data import History, PeriodData, read_history
from .diagnostics import Diagnostic, SlaError
from .outcome import Outcome
from .parse import parse
from .source import Source

__all__ = [
    "Diagnostic", "History", "Outcome", "PeriodData", "Program", "SlaError", "Source",
    "check", "compile_ruleset", "compile_source", "load", "parse", "read_history",
]


def compile_source(source: Source, strict: bool = False) -> Program:
    """Parse, check and compile; raise SlaError if check finds an error
    (or, with strict, a warning). Warnings are otherwise not raised."""
    ruleset = parse(source)
    problems = [d for d in check(ruleset) if d.is_error or strict]
    if problems:
        raise SlaError(problems)
    return compile_ruleset(ruleset)


def load(path: str | Path, strict: bool = False) -> Program:
    """Read, parse, check and compile a ruleset file."""
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SlaError([Diagnostic("SLA301", f"cannot read ruleset {path}: {err}")]) from None
    return compile_source(Source(path, text), strict)
