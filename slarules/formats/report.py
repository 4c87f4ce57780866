"""Report pass: Outcome -> text for people, JSON for programs, CSV for billing.

Input: an Outcome. Output: a string (to_text, to_json, to_csv), or the same
text written piece by piece to an open text file (write_text, write_json,
write_csv), a period at a time, so that a long history is never rendered whole;
never raises but what the file raises. Every rendering is a view
of the same line items, in the same order, so the table, the JSON and the CSV
always agree. The CSV is two tables, each a file of its own, as billing imports
read one rectangular table per file: the line items (to_csv) and the period
totals with the amounts due and the termination rights (to_totals_csv). JSON amounts are decimal strings with exactly the currency's
minor-unit digits; KPI values are exact decimal strings. The JSON and every CSV
row state the ruleset's fingerprint and the slarules version (`identity`), so
that the terms billed can be matched to the explanation reviewed; every line item
and termination right also names the signed contract's clause its term cites
(`contract_clause`, null or an empty cell when it cites none), so that an
invoice line cites the contract. The JSON layout is
published as slarules/formats/schema/outcome.schema.json. Diagnostics have a
JSON form too (`check --format json`, the service's error responses).
"""
from __future__ import annotations

import io
import json
import types
from decimal import Decimal
from typing import Callable, Iterator, TextIO

from ..core.diagnostics import Diagnostic
from ..core.money import CONTEXT, format_money, format_number, plain_money, unsigned_zero
from ..core.version import version
from ..engine.outcome import Outcome, PeriodOutcome, Totals, no_full_collections
from .csv_cells import csv_writer

JSON_FORMAT = "slarules.outcome/1"
DIAGNOSTICS_FORMAT = "slarules.diagnostics/1"
_UNIT_SUFFIX = {"percent": "%", "seconds": " s", "minutes": " min"}


def _value(value: Decimal | None) -> str | None:
    return None if value is None else unsigned_zero(f"{value.normalize(CONTEXT):f}")


def totals_data(totals: Totals, digits: int) -> dict:
    return {
        "credits": plain_money(totals.credits, digits),
        "earned_back": plain_money(totals.earned_back, digits),
        "bonuses": plain_money(totals.bonuses, digits),
        "withheld": plain_money(totals.withheld, digits),
        "net": plain_money(totals.net, digits),
        "due_to_client": plain_money(totals.due_to_client, digits),
        "due_to_vendor": plain_money(totals.due_to_vendor, digits),
    }


def to_data(outcome: Outcome) -> dict:
    """The JSON document as Python data (strings, lists, dicts, ints, None)."""
    with no_full_collections():
        return {key: list(value) if isinstance(value, types.GeneratorType) else value
                for key, value in _data(outcome).items()}


def _data(outcome: Outcome) -> dict:
    """The document, each list that grows with the periods as an iterator of its items."""
    d = outcome.digits
    return {
        "format": JSON_FORMAT,
        "contract": outcome.contract,
        "currency": outcome.currency,
        "ruleset": outcome.ruleset,
        **identity(outcome.fingerprint),
        "netting": outcome.netting,
        "periods": (_period(p, d) for p in outcome.periods),
        "totals": totals_data(outcome.totals, d),
        "by_service_level": [
            {"name": s.service_level, "credits": plain_money(s.credits, d),
             "earned_back": plain_money(s.earned_back, d), "bonuses": plain_money(s.bonuses, d),
             "periods_met": s.periods_met, "periods_missed": s.periods_missed}
            for s in outcome.by_service_level
        ],
        "by_contract_year": (
            {"contract_year": y.contract_year, "first_period": y.first_period, "last_period": y.last_period,
             "totals": totals_data(y.totals, d)}
            for y in outcome.by_contract_year
        ),
        "terminations": (termination_data(t) for p in outcome.periods for t in p.terminations),
        **({"invoices": (_invoice(i, d) for i in outcome.invoices)} if outcome.invoicing else {}),
        **({"deliverables": [_deliverable(s, d) for s in outcome.deliverables]} if outcome.deliverables else {}),
    }


def _invoice(invoice, d: int) -> dict:
    """An invoice under `credits are applied to the next invoice` (engine/invoicing.py)."""
    return {"invoice_period": invoice.invoice_period, "assessed_period": invoice.assessed_period,
            "status": invoice.status, "totals": totals_data(invoice.totals, d)}


def _deliverable(s, d: int) -> dict:
    """A deliverable after the last period: on time, late (billed in `period`), accruing (`credit` is
    what it would be if delivered on `as_of`, not billed) or not yet due."""
    return {"name": s.name, "due": s.due, "status": s.status, "delivered": s.day, "period": s.period,
            "days_late": s.days_late, "credit": plain_money(s.credit, d), "as_of": s.as_of,
            "explanation": s.explanation}


def _period(p: PeriodOutcome, d: int) -> dict:
    invoice = {"invoice_period": p.invoice_period} if p.invoice_period is not None else {}
    return {
        "period": p.period,
        **invoice,
        "contract_year": p.contract_year,
        "service_levels": [_result(r) for r in p.results],
        "lines": [
            {"service_level": line.service_level, "kind": line.kind, "amount": plain_money(line.amount, d),
             "clause": line.clause_ref, "contract_clause": line.contract_clause, "explanation": line.explanation,
             "accountable": line.accountable, **invoice}
            for line in p.lines
        ],
        "totals": totals_data(p.totals, d),
        "terminations": [termination_data(t) for t in p.terminations],
        "late_reports": [_late_report(r) for r in p.late_reports],
    }


def _late_report(r) -> dict:
    return {"input": r.input, "reported_by": r.reported_by, "due": r.due.isoformat(),
            "arrived": r.arrived.isoformat(), "days_late": r.days_late}


def _result(r) -> dict:
    """A service level's result; `reported` only where the contract states a reporting grid."""
    result = {"name": r.service_level, "value": _value(r.value), "unit": r.unit, "status": r.status, "note": r.note,
              "accountable": r.accountable}
    if r.reported is not None:
        result["reported"] = f"{r.reported:f}"  # with the grid's digits: "80.0"
    return result


def termination_data(t) -> dict:
    """A termination right; `effective` only where the trigger states a notice."""
    right = {"period": t.period, "trigger": t.trigger, "clause": t.clause_ref, "contract_clause": t.contract_clause,
             "reason": t.reason, "periods": list(t.periods), "occurrence": t.occurrence, "accountable": t.accountable}
    if t.effective is not None:
        right["effective"] = t.effective
    return right


def to_json(outcome: Outcome) -> str:
    return _rendered(write_json, outcome)


def write_json(outcome: Outcome, out: TextIO) -> None:
    """to_json's text, written an item at a time: json.dumps(to_data(outcome), indent=2)
    with each value nested in place (its lines indented two spaces per level)."""
    with no_full_collections():
        for number, (key, value) in enumerate(_data(outcome).items()):
            out.write(("{\n" if number == 0 else ",\n") + f"  {_json(key)}: ")
            if not isinstance(value, types.GeneratorType):
                out.write(_json(value, "\n  "))
                continue
            empty = True
            for item in value:
                out.write(("[\n    " if empty else ",\n    ") + _json(item, "\n    "))
                empty = False
            out.write("[]" if empty else "\n  ]")
        out.write("\n}\n")


def _json(value, new_line: str = "\n") -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", new_line)


def identity(fingerprint: str) -> dict:
    """The ruleset's fingerprint and the slarules version, as every output states them."""
    return {"fingerprint": fingerprint, "slarules_version": version()}


def identity_text(fingerprint: str) -> str:
    return f"ruleset fingerprint {fingerprint}, slarules {version()}"


SUBJECT_COLUMN = "subject"  # first in a portfolio's CSV files, when many subjects are evaluated at once
# `accountable` is the party that answers for the line (empty when the ruleset names none): always
# there, so that a billing import reads the same columns from every ruleset.
CSV_COLUMNS = ("period", "service_level", "accountable", "kind", "amount", "currency", "clause", "contract_clause",
               "explanation")
IDENTITY_COLUMNS = ("fingerprint", "slarules_version")  # last on every row: each line item names its terms
INVOICE_COLUMN = ("invoice_period",)  # after `period`, when the contract applies credits to the next invoice


def csv_header(invoiced: bool, subject: bool = False) -> tuple[str, ...]:
    """The line items' columns: `subject` first for many subjects, `invoice_period` after
    `period` when the contract applies credits to the next invoice."""
    return (SUBJECT_COLUMN,) * subject + CSV_COLUMNS[:1] + INVOICE_COLUMN * invoiced + CSV_COLUMNS[1:] + IDENTITY_COLUMNS


def to_csv(outcome: Outcome) -> str:
    """Billing line items: one row per line, amounts signed (caps negative)."""
    return _rendered(write_csv, outcome)


def write_csv(outcome: Outcome, out: TextIO, subject: str | None = None, header: bool = True) -> None:
    """The line items; with `subject`, each row starts with it (a `subject` column: portfolio.py);
    under `credits are applied to the next invoice`, an `invoice_period` column after `period`
    names the invoice each line is on."""
    writer = csv_writer(out)
    first = [] if subject is None else [subject]
    invoiced = outcome.invoicing
    if header:
        writer.writerow(csv_header(invoiced, subject is not None))
    stated = list(identity(outcome.fingerprint).values())
    with no_full_collections():
        for period in outcome.periods:
            invoice = [period.invoice_period] if invoiced else []
            for line in period.lines:
                writer.writerow([*first, line.period, *invoice, line.service_level or "", line.accountable or "",
                                 line.kind,
                                 plain_money(line.amount, outcome.digits), outcome.currency, line.clause_ref,
                                 line.contract_clause or "", line.explanation, *stated])


TOTALS_COLUMNS = ("period", "contract_year", "currency", "credits", "earned_back", "bonuses", "withheld", "net",
                  "due_to_client", "due_to_vendor", "netting", "termination_rights")
WHOLE_HISTORY = "total"  # the period column of the last row, the whole history's


def totals_header(invoiced: bool, subject: bool = False) -> tuple[str, ...]:
    """The totals file's columns, as csv_header places `subject` and `invoice_period`."""
    return (SUBJECT_COLUMN,) * subject + TOTALS_COLUMNS[:1] + INVOICE_COLUMN * invoiced + TOTALS_COLUMNS[1:]


def to_totals_csv(outcome: Outcome) -> str:
    """What is invoiced, beside the line items: one row per period and a last row
    `total` for the whole history, each with its totals, the amounts due under the
    contract's netting, and the termination rights that arose (`clause trigger`,
    `; `-separated, each `clause trigger` with the contract clause it cites, if any:
    `acme.sla:80 clause C.5(a) terminate when ...`; the total row lists them all).

    Under `credits are applied to the next invoice`, an `invoice_period` column after
    `period` names the invoice each period's totals are on, and a first row is the
    period a saved state carried in, billed on this run's first invoice (its contract
    year and rights blank): the rows of an invoice period are what a billing run bills."""
    return _rendered(write_totals_csv, outcome)


def write_totals_csv(outcome: Outcome, out: TextIO, subject: str | None = None, header: bool = True) -> None:
    """to_totals_csv's rows; with `subject`, each starts with it (a `subject` column)."""
    writer = csv_writer(out)
    first = [] if subject is None else [subject]
    invoiced = outcome.invoicing
    if header:
        writer.writerow(totals_header(invoiced, subject is not None))
    cells = lambda t: totals_cells(outcome.currency, outcome.digits, outcome.netting, t)  # noqa: E731
    with no_full_collections():
        carried = outcome.carried_invoice
        if carried is not None:
            writer.writerow([*first, carried.assessed_period, carried.invoice_period, "", *cells(carried.totals), ""])
        for p in outcome.periods:
            writer.writerow([*first, p.period, *([p.invoice_period] if invoiced else []), p.contract_year,
                             *cells(p.totals), rights_cell(p.terminations)])
        writer.writerow([*first, WHOLE_HISTORY, *([""] if invoiced else []), "", *cells(outcome.totals),
                         rights_cell(outcome.terminations)])


def totals_cells(currency: str, digits: int, netting: str, t: Totals) -> list[str]:
    """A totals row's cells from `currency` to `netting`."""
    return [currency, *(plain_money(amount, digits) for amount in (
        t.credits, t.earned_back, t.bonuses, t.withheld, t.net, t.due_to_client, t.due_to_vendor)), netting]


def rights_cell(rights) -> str:
    return "; ".join(f"{_cited(right)} {right.trigger}{_occurrence(right)}{_effective(right)}" for right in rights)


def _occurrence(right) -> str:
    """A later occurrence of a right, as the table and the totals CSV name it: " (occurrence 2)"."""
    return f" (occurrence {right.occurrence})" if right.occurrence > 1 else ""


def _effective(right) -> str:
    """`, effective 2026-04-30` for a right that takes effect on notice, else nothing."""
    return f", effective {right.effective}" if right.effective is not None else ""


def _cited(item) -> str:
    """`acme.sla:80`, and the contract clause its term cites: `acme.sla:80 clause C.5(a)`."""
    return item.clause_ref + (f" clause {item.contract_clause}" if item.contract_clause is not None else "")


def _shown(value: Decimal | None, unit: str) -> str:
    return "—" if value is None else format_number(value) + _UNIT_SUFFIX.get(unit, "")


def to_text(outcome: Outcome) -> str:
    """A table per period, each line with its clause and sentence, then the totals."""
    return _rendered(write_text, outcome)


def write_text(outcome: Outcome, out: TextIO) -> None:
    with no_full_collections():
        for lines in _text(outcome):
            out.write("\n".join(lines) + "\n")


def _text(outcome: Outcome) -> Iterator[list[str]]:
    """The table's lines, a period's at a time."""
    d = outcome.digits
    money = lambda amount: format_money(amount, d)  # noqa: E731
    width = max([len(s.service_level) for s in outcome.by_service_level] + [len("service level")])
    kind_width = max(13, max((len(line.kind) for p in outcome.periods for line in p.lines), default=0))
    yield [f"{outcome.contract} ({outcome.ruleset}), amounts in {outcome.currency}", ""]
    for p in outcome.periods:
        invoice = f", on the invoice of {p.invoice_period}" if p.invoice_period is not None else ""
        out = [f"{p.period}  (contract year {p.contract_year}{invoice})"]
        for r in p.results:
            note = f"  {r.note}" if r.note else ""
            reported = f"  reported {r.reported:,f}{_UNIT_SUFFIX.get(r.unit, '')}" if r.reported is not None else ""
            owner = f"  ({r.accountable})" if r.accountable else ""
            out.append(f"  {r.service_level:<{width}}  {_shown(r.value, r.unit):>12}{reported}  {r.status}{owner}{note}")
        for line in p.lines:
            owner = f"  accountable: {line.accountable}" if line.accountable else ""
            out.append(f"  {line.kind:<{kind_width}} {money(line.amount):>14}  {_cited(line)}{owner}")
            out.append(f"      {line.explanation}")
        for late in p.late_reports:
            out.append(f"  LATE REPORT  {late.input} by {late.reported_by}: due {late.due.isoformat()}, arrived "
                       f"{late.arrived.isoformat()} ({late.days_late} day{'s' * (late.days_late != 1)} late)")
        for right in p.terminations:
            owner = f"  accountable: {right.accountable}" if right.accountable else ""
            out.append(f"  TERMINATION RIGHT  {_cited(right)}{_occurrence(right)}{owner}")
            out.append(f"      {right.trigger}: {right.reason} ({', '.join(right.periods)}){_effective(right)}")
        out.append(f"  {totals_text(p.totals, money)}")
        out.append("")
        yield out
    out = []
    out.append("Totals by service level (each one's own lines, before the period-wide caps and netting)")
    out.append(f"  {'service level':<{width}}  {'met':>4}  {'missed':>6}  {'credits':>14}  {'earned back':>14}"
               f"  {'bonuses':>14}")
    for s in outcome.by_service_level:
        out.append(f"  {s.service_level:<{width}}  {s.periods_met:>4}  {s.periods_missed:>6}  "
                   f"{money(s.credits):>14}  {money(s.earned_back):>14}  {money(s.bonuses):>14}")
    out.append("")
    out.append("Totals by contract year")
    yield out
    for y in outcome.by_contract_year:
        yield [f"  year {y.contract_year} ({y.first_period} to {y.last_period}): {totals_text(y.totals, money)}"]
    t = outcome.totals
    out = [""]
    out.append(f"Whole history: {totals_text(t, money)}")
    withheld = " + withheld" if t.withheld else ""
    out.append(f"  (net = credits{withheld} - earned back - bonuses; bonuses {outcome.netting}); "
               f"invoiced: due to the client {money(t.due_to_client)}, due to the vendor {money(t.due_to_vendor)}")
    yield out
    for number, invoice in enumerate(outcome.invoices):
        due = "  due on the next invoice" if invoice.status == "next invoice" else ""
        yield [*(["", "Invoices (credits are applied to the next invoice)"] if number == 0 else []),
               f"  {invoice.invoice_period} (assessed {invoice.assessed_period}): "
               f"{totals_text(invoice.totals, money)}; due to the client {money(invoice.totals.due_to_client)}, "
               f"due to the vendor {money(invoice.totals.due_to_vendor)}{due}"]
    rights = (right for p in outcome.periods for right in p.terminations)
    for number, right in enumerate(rights):
        yield [*(["", "Termination rights"] if number == 0 else []),
               f"  {right.period}: {right.trigger} ({_cited(right)}){_occurrence(right)}: {right.reason}"
               f"{_effective(right)}"]
    if outcome.deliverables:
        yield ["", "Deliverables", *(f"  {s.status:<11}  {s.explanation}" for s in outcome.deliverables)]


def _rendered(write: Callable[[Outcome, TextIO], None], outcome: Outcome) -> str:
    out = io.StringIO()
    write(outcome, out)
    return out.getvalue()


def totals_text(t: Totals, money) -> str:
    earned = f"  earned back {money(t.earned_back)}" if t.earned_back else ""
    withheld = f"  withheld {money(t.withheld)}" if t.withheld else ""
    return f"credits {money(t.credits)}{earned}  bonuses {money(t.bonuses)}{withheld}  net {money(t.net)}"


def diagnostic_data(d: Diagnostic) -> dict:
    """A diagnostic as JSON data: where it is (`path`, 1-based `line` and `column`, `end`),
    or, without a place in a text, only `location` (such as "data.json: periods[3]")."""
    span = d.span
    return {
        "code": d.code, "severity": d.severity, "message": d.message,
        "path": span.source.path if span else None,
        "line": span.line if span else None,
        "column": span.column if span else None,
        "end": {"line": span.end_line, "column": span.end_column} if span else None,
        "location": d.location,
        "notes": list(d.notes),
    }


def diagnostics_data(diagnostics, checked: int | None = None) -> dict:
    """Diagnostics as one JSON document with their counts; `checked`, the number of
    rulesets checked, where a check produced them."""
    diagnostics = list(diagnostics)
    errors = sum(d.is_error for d in diagnostics)
    warnings = sum(d.severity == "warning" for d in diagnostics)
    document = {"format": DIAGNOSTICS_FORMAT}
    if checked is not None:
        document["checked"] = checked
    return {**document, "errors": errors, "warnings": warnings, "notes": len(diagnostics) - errors - warnings,
            "diagnostics": [diagnostic_data(d) for d in diagnostics]}
