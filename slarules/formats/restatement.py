"""Restatement report: the adjustment lines of a restatement as a table, JSON or CSV.

Input: an engine Restatement. Output: a string; never raises. One adjustment
line per billed period whose figures changed: a credit note (more is owed to
the client, on balance, than was billed), a debit note (less) or "restated"
(the same balance split otherwise), the change in the net and in what is due
to each side, the net billed and restated, the reason, the contract clauses of the line
items that changed (and, when the contract applies credits to the next invoice, in the
JSON and the table, the invoice it lands on). The JSON also holds every figure
billed and restated (formats/schema/restatement.schema.json); all three
state the ruleset's fingerprint and the slarules version.
"""
from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Iterable, Iterator, TextIO

from ..core.money import format_money, plain_money
from ..engine.restate import Restatement
from .csv_cells import csv_writer
from .report import SUBJECT_COLUMN, diagnostic_data, identity, identity_text

JSON_FORMAT = "slarules.restatement/1"
SUBJECTS_FORMAT = "slarules.restatements/1"  # many subjects' restatements (write_subjects)
CSV_COLUMNS = ("period", "kind", "amount", "due_to_client_change", "due_to_vendor_change", "currency", "billed_net",
               "restated_net", "reason", "contract_clauses", "fingerprint", "slarules_version")
_FIGURES = ("credits", "earned_back", "bonuses", "withheld", "net", "due_to_client", "due_to_vendor")


def to_data(restatement: Restatement) -> dict:
    d = restatement.digits
    figures = lambda totals: {name: plain_money(getattr(totals, name), d) for name in _FIGURES}  # noqa: E731
    return {
        "format": JSON_FORMAT,
        "currency": restatement.currency,
        **identity(restatement.fingerprint),
        "adjustments": [{"period": a.period, "kind": a.kind, "amount": plain_money(a.amount, d),
                         "due_to_client_change": plain_money(a.to_client, d),
                         "due_to_vendor_change": plain_money(a.to_vendor, d),
                         "billed": figures(a.billed), "restated": figures(a.restated), "reason": a.reason,
                         "contract_clauses": list(a.contract_clauses),
                         **({"invoice_period": a.invoice_period} if a.invoice_period is not None else {})}
                        for a in restatement.adjustments],
        "total": plain_money(sum((a.amount for a in restatement.adjustments), Decimal(0)), d),
    }


def to_json(restatement: Restatement) -> str:
    return json.dumps(to_data(restatement), indent=2, ensure_ascii=False) + "\n"


def to_csv(restatement: Restatement) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in _csv_rows(restatement):
        writer.writerow(row)
    return out.getvalue()


def _csv_rows(restatement: Restatement) -> Iterator[list[str]]:
    stated = list(identity(restatement.fingerprint).values())
    d = restatement.digits
    for a in restatement.adjustments:  # the invoice an adjustment lands on: in the JSON and the table
        yield [a.period, a.kind, plain_money(a.amount, d), plain_money(a.to_client, d),
               plain_money(a.to_vendor, d), restatement.currency,
               plain_money(a.billed.net, d), plain_money(a.restated.net, d), a.reason,
               "; ".join(a.contract_clauses), *stated]


def to_text(restatement: Restatement) -> str:
    money = lambda amount: format_money(amount, restatement.digits)  # noqa: E731
    out = [f"Restatement, amounts in {restatement.currency}", identity_text(restatement.fingerprint), ""]
    if not restatement.adjustments:
        out.append("No billed period changed: nothing to adjust.")
    for a in restatement.adjustments:
        out.append(f"{a.period}  {a.kind:<11} {money(a.amount):>14}  (net billed {money(a.billed.net)}, "
                   f"restated {money(a.restated.net)}; due to the client {money(a.to_client)}, "
                   f"to the vendor {money(a.to_vendor)})")
        out.append(f"      {a.reason}")
        if a.invoice_period is not None:
            out.append(f"      on the invoice of {a.invoice_period}")
        if a.contract_clauses:
            out.append(f"      contract clause{'s' * (len(a.contract_clauses) > 1)} {', '.join(a.contract_clauses)}")
    if restatement.adjustments:
        total = sum((a.amount for a in restatement.adjustments), Decimal(0))
        out += ["", f"Total adjustment {money(total)} (positive: owed to the client)"]
    return "\n".join(out) + "\n"


def write_subjects(results: Iterable, out: TextIO, fmt: str) -> None:
    """Many subjects' restatements (api.SubjectRestatement: `subject`, `restatement` or None and
    `diagnostics`), written as they come: a table per subject under `Subject NAME`; JSON
    {"format", "subjects": [{"subject", "restatement"} or {"subject", "diagnostics"}]}; or the
    CSV with a `subject` column first (a subject not restated has no rows)."""
    if fmt == "csv":
        writer = csv_writer(out)
        writer.writerow((SUBJECT_COLUMN,) + CSV_COLUMNS)
        for result in results:
            if result.restatement is not None:
                for row in _csv_rows(result.restatement):
                    writer.writerow([result.subject, *row])
        return
    if fmt == "json":
        out.write(f'{{\n  "format": "{SUBJECTS_FORMAT}",\n  "subjects": [')
        first = True
        for result in results:
            item = ({"subject": result.subject, "restatement": to_data(result.restatement)}
                    if result.restatement is not None else
                    {"subject": result.subject, "diagnostics": [diagnostic_data(d) for d in result.diagnostics]})
            text = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            out.write(("\n    " if first else ",\n    ") + text)
            first = False
        out.write(("]" if first else "\n  ]") + "\n}\n")
        return
    for result in results:
        if result.restatement is None:
            out.write(f"Subject {result.subject}: NOT RESTATED\n")
            out.writelines(f"  {d.code}: {d.message}\n" for d in result.diagnostics)
            out.write("\n")
        else:
            out.write(f"Subject {result.subject}\n{to_text(result.restatement)}\n")
