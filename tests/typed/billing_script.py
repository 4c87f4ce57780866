"""A billing system's script, as a user writes it against the public API: mypy checks it
(tests/unit/test_typing.py), with every annotation a promise the API keeps."""
from __future__ import annotations

import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import slarules
from slarules import KpiResult, Line, Outcome, PeriodOutcome, Program, SlaError, TerminationRight


def invoice(ruleset: str, data: str) -> list[tuple[str, str, Decimal]]:
    program: Program = slarules.load(ruleset)
    warnings: tuple[slarules.Diagnostic, ...] = program.warnings
    history: slarules.History = slarules.read_history(program, data)
    outcome: Outcome = program.evaluate(history)
    first: PeriodOutcome = outcome.periods[0]
    results: tuple[KpiResult, ...] = first.results
    values: list[Decimal | None] = [result.value for result in results]
    rights: list[TerminationRight] = outcome.terminations
    lines: list[Line] = outcome.lines
    net: Decimal = outcome.totals.net
    with program.billing_run(Path(tempfile.mkdtemp()) / "state.json") as run:
        billed: Outcome = run.evaluate(history)
    print(len(warnings), len(values), len(rights), net, billed.to_csv()[:0], file=sys.stderr)
    return [(line.period, line.kind, line.amount) for line in lines]


def portfolio(ruleset: str, data: str) -> dict[str, str]:
    """Each subject's invoice lines (CSV) from its stored state, and who was not evaluated."""
    program: Program = slarules.load(ruleset)
    subjects = slarules.read_subjects(program, data)
    if subjects is None:
        return {}
    invoices: dict[str, str] = {}
    with program.portfolio_run(Path(tempfile.mkdtemp()) / "states.db") as run:
        billed: slarules.Portfolio = run.evaluate(subjects)
        for result in billed:
            outcome: Outcome | None = result.outcome
            invoices[result.subject] = outcome.to_csv() if outcome is not None else result.diagnostics[0].render()
    net: Decimal = billed.totals.totals.net
    print(net, billed.totals.failed, file=sys.stderr)
    return invoices


def main() -> int:
    try:
        rows = invoice(sys.argv[1], sys.argv[2])
    except SlaError as err:
        for diagnostic in err.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
        return 1
    print(slarules.__version__, len(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
