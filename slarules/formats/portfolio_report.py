"""Portfolio report: many subjects' outcomes -> one table, JSON document or CSV, and its totals CSV.

Input: the Program, the subjects' results one at a time (engine/portfolio.py's
SubjectOutcome, each an Outcome or the diagnostics that stopped it) and the
PortfolioTotals they add up to. Output: written to open text files as the subjects
come, a subject at a time, then the portfolio's totals, so that a portfolio of any
size is written in the memory of one subject; never raises but what the files
raise. Each subject's part is exactly what report.py writes for its outcome:

- table: `Subject NAME` over its table; a subject not evaluated, with its errors;
  then the portfolio's totals per period and in all, and its termination rights.
- JSON (`slarules.portfolio/1`, formats/schema/portfolio.schema.json): the
  ruleset's identity, `subjects` (each `{"subject", "outcome"}` with the
  `slarules.outcome/1` document, or `{"subject", "diagnostics"}`), then `totals`.
- CSV: the line items with a `subject` column first; a subject not evaluated has no
  rows (its errors are on stderr, and the exit status says so).
- totals CSV: each subject's totals rows (report.to_totals_csv's) with a `subject`
  column first, then the portfolio's, whose subject is `all subjects` (not a
  subject name, which has no space): per period and `total`.
"""
from __future__ import annotations

import json
from typing import Iterable, TextIO

from ..core.money import format_money
from ..engine.portfolio import PortfolioTotals, SubjectOutcome
from . import report
from .csv_cells import csv_writer

PORTFOLIO_FORMAT = "slarules.portfolio/1"
ALL_SUBJECTS = "all subjects"  # the subject column of the portfolio's totals rows


def write(program, results: Iterable[SubjectOutcome], totals: PortfolioTotals, out: TextIO, fmt: str,
          totals_out: TextIO | None = None) -> None:
    """Write each subject as it comes, in `fmt` (table, json or csv) to `out` and its totals rows to
    `totals_out`, then the portfolio's totals (`totals`, which the results add up to as they come)."""
    writer = {"table": _Text, "json": _Json, "csv": _Csv}[fmt](program, out)
    totals_writer = _TotalsCsv(program, totals_out) if totals_out is not None else None
    # Not under outcome.no_full_collections() as a whole (each subject's writing is): the collector
    # must free each subject once written, or a portfolio would hold every subject until its end.
    for result in results:
        writer.subject(result)
        if totals_writer is not None and result.outcome is not None:
            totals_writer.subject(result)
    writer.end(totals)
    if totals_writer is not None:
        totals_writer.end(totals)


class _Text:
    def __init__(self, program, out: TextIO):
        self.program, self.out = program, out
        self.money = lambda amount: format_money(amount, program.rounding.digits)  # noqa: E731
        out.write(f"Portfolio: {program.title} ({program.path}), amounts in {program.currency}\n\n")

    def subject(self, result: SubjectOutcome) -> None:
        if result.outcome is None:
            errors = sum(d.is_error for d in result.diagnostics)
            self.out.write(f"Subject {result.subject}: NOT EVALUATED ({errors} error{'s' * (errors != 1)})\n")
            for d in result.diagnostics:
                self.out.write(f"  {d.code}: {d.message}\n")
            self.out.write("\n")
            return
        self.out.write(f"Subject {result.subject}\n")
        report.write_text(result.outcome, self.out)
        self.out.write("\n")

    def end(self, totals: PortfolioTotals) -> None:
        out, money = self.out, self.money
        failed = f", {len(totals.failed)} not evaluated: {', '.join(totals.failed)}" if totals.failed else ""
        out.write(f"Portfolio totals ({totals.evaluated} subject{'s' * (totals.evaluated != 1)} evaluated{failed})\n")
        for p in totals.by_period:
            t = p.totals
            out.write(f"  {p.period}  ({p.subjects} subject{'s' * (p.subjects != 1)}): {report.totals_text(t, money)}"
                      f"  due to the client {money(t.due_to_client)}, to the vendor {money(t.due_to_vendor)}\n")
        t = totals.totals
        out.write(f"Whole portfolio: {report.totals_text(t, money)}\n"
                  f"  invoiced: due to the client {money(t.due_to_client)}, due to the vendor "
                  f"{money(t.due_to_vendor)} (each subject invoiced on its own, bonuses {self.program.netting})\n")
        for number, (subject, right) in enumerate(totals.terminations):
            out.write(("\nTermination rights\n" if number == 0 else "")
                      + f"  {subject} {right.period}: {right.trigger} ({right.clause_ref}): {right.reason}\n")


class _Json:
    """The document written a subject at a time; each part is what json.dumps(..., indent=2) gives."""

    def __init__(self, program, out: TextIO):
        self.program, self.out = program, out
        head = {"format": PORTFOLIO_FORMAT, "contract": program.title, "currency": program.currency,
                "ruleset": program.path, **report.identity(program.fingerprint), "netting": program.netting}
        out.write(_nested(head)[:-2] + ',\n  "subjects": [')
        self.first = True

    def subject(self, result: SubjectOutcome) -> None:
        item = ({"subject": result.subject, "outcome": report.to_data(result.outcome)} if result.outcome is not None
                else {"subject": result.subject,
                      "diagnostics": [report.diagnostic_data(d) for d in result.diagnostics]})
        self.out.write(("\n    " if self.first else ",\n    ") + _nested(item, "\n    "))
        self.first = False

    def end(self, totals: PortfolioTotals) -> None:
        d = self.program.rounding.digits
        data = {
            "subjects_evaluated": totals.evaluated,
            "subjects_not_evaluated": list(totals.failed),
            "by_period": [{"period": p.period, "contract_year": p.contract_year, "subjects": p.subjects,
                           "totals": report.totals_data(p.totals, d)} for p in totals.by_period],
            "whole": report.totals_data(totals.totals, d),
            "terminations": [{"subject": subject, **report.termination_data(right)}
                             for subject, right in totals.terminations],
        }
        self.out.write(("]" if self.first else "\n  ]") + ',\n  "totals": ' + _nested(data, "\n  ") + "\n}\n")


def _nested(value, new_line: str = "\n") -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", new_line)


class _Csv:
    def __init__(self, program, out: TextIO):
        self.out = out
        csv_writer(out).writerow(report.csv_header(program.invoicing is not None, subject=True))

    def subject(self, result: SubjectOutcome) -> None:
        if result.outcome is not None:
            report.write_csv(result.outcome, self.out, subject=result.subject, header=False)

    def end(self, totals: PortfolioTotals) -> None:
        pass


class _TotalsCsv:
    def __init__(self, program, out: TextIO):
        self.program, self.out = program, out
        self.writer = csv_writer(out)
        self.invoice = [""] if program.invoicing is not None else []  # the portfolio's rows: by assessed period
        self.writer.writerow(report.totals_header(program.invoicing is not None, subject=True))

    def subject(self, result: SubjectOutcome) -> None:
        report.write_totals_csv(result.outcome, self.out, subject=result.subject, header=False)

    def end(self, totals: PortfolioTotals) -> None:
        program = self.program
        cells = lambda t: report.totals_cells(program.currency, program.rounding.digits, program.netting, t)  # noqa
        for p in totals.by_period:
            rights = [(subject, right) for subject, right in totals.terminations if right.period == p.period]
            self.writer.writerow([ALL_SUBJECTS, p.period, *self.invoice, p.contract_year, *cells(p.totals),
                                  _rights(rights)])
        self.writer.writerow([ALL_SUBJECTS, report.WHOLE_HISTORY, *self.invoice, "", *cells(totals.totals),
                              _rights(totals.terminations)])


def _rights(rights) -> str:
    return "; ".join(f"{subject} {right.clause_ref} {right.trigger}" for subject, right in rights)

