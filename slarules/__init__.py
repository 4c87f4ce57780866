"""slarules: service level agreement terms as exact, explainable money.

The public API, one function per step and `load` for all of them:

    program = slarules.load("rulesets/acme_contact_center.sla")
    history = slarules.read_history(program, "rulesets/acme_contact_center.csv")
    outcome = program.evaluate(history)
    print(outcome.to_json())

Every user error is raised as SlaError, whose `.diagnostics` are rendered
`path:line:col: error[CODE]: message` with the source line and a caret.

The package is layered; each layer imports only the ones below it
(tests/unit/test_layers.py holds it to that):

    core/        where text is, what an error says, exact money, the calendar
    language/    ruleset text -> a checked tree: parse, nodes, check, semantics,
                 printer, fmt
    engine/      checked tree -> money: compile, evaluate, outcome, state
    formats/     data in and out: KPI and event files; table, JSON and CSV
                 outcomes; the JSON Schema
    tools/       built on the engine: explain, verify, dry-run, simulate, the
                 HTML report
    interfaces/  how people and programs reach it: the Python API (api.py,
                 re-exported here), the command line (cli.py), the
                 language server for editors (lsp/) and the HTTP JSON
                 service (service.py)
"""
from __future__ import annotations

from .core.diagnostics import Diagnostic, SlaError
from .core.source import Source
from .engine.history import History, PeriodData
from .engine.outcome import KpiResult, Line, PeriodOutcome, TerminationRight
from .engine.portfolio import SubjectOutcome
from .formats.kpi_data import read_history
from .formats.subject_data import read_subjects
from .interfaces.api import Outcome, Portfolio, Program, compile_ruleset, compile_source, load
from .language.check import check
from .language.parse import parse

__version__ = "0.1.0"  # the package's version; pyproject.toml reads it from here

__all__ = [
    "Diagnostic", "History", "KpiResult", "Line", "Outcome", "PeriodData", "PeriodOutcome", "Portfolio", "Program",
    "SlaError", "Source", "SubjectOutcome", "TerminationRight", "__version__",
    "check", "compile_ruleset", "compile_source", "load", "parse", "read_history", "read_subjects",
]
