"""Restatement report: the adjustment lines of a restatement as a table, JSON or CSV.

Input: an engine Restatement. Output: a string; never raises. One adjustment
line per billed period whose figures changed: a credit note (more is owed to
the client, on balance, than was billed), a debit note (less) or "restated"
(the same balance split otherwise), the change in the net and in what is due
to each side, the net billed and restated, the reason, and the contract clauses of the line
items that changed. The JSON also holds every figure
billed and restated (formats/schema/restatement.schema.json); all three
state the ruleset's fingerprint and the slarules version.
"""
from __future__ import annotations

import io
import json
from decimal import Decimal

from ..core.money import format_money, plain_money
from ..engine.restate import Restatement
from .csv_cells import csv_writer
from .report import identity, identity_text

JSON_FORMAT = "slarules.restatement/1"
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
                         "contract_clauses": list(a.contract_clauses)}
                        for a in restatement.adjustments],
        "total": plain_money(sum((a.amount for a in restatement.adjustments), Decimal(0)), d),
    }


def to_json(restatement: Restatement) -> str:
    return json.dumps(to_data(restatement), indent=2, ensure_ascii=False) + "\n"


def to_csv(restatement: Restatement) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    stated = list(identity(restatement.fingerprint).values())
    d = restatement.digits
    for a in restatement.adjustments:
        writer.writerow([a.period, a.kind, plain_money(a.amount, d), plain_money(a.to_client, d),
                         plain_money(a.to_vendor, d), restatement.currency,
                         plain_money(a.billed.net, d), plain_money(a.restated.net, d), a.reason,
                         "; ".join(a.contract_clauses), *stated])
    return out.getvalue()


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
        if a.contract_clauses:
            out.append(f"      contract clause{'s' * (len(a.contract_clauses) > 1)} {', '.join(a.contract_clauses)}")
    if restatement.adjustments:
        total = sum((a.amount for a in restatement.adjustments), Decimal(0))
        out += ["", f"Total adjustment {money(total)} (positive: owed to the client)"]
    return "\n".join(out) + "\n"
