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
from typing import Callable, Iterable, Iterator, TextIO

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


def _totals(totals: Totals, digits: int) -> dict:
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
        "periods": (_period(p, d) for p in _read_once(outcome.periods)),
        "totals": _totals(outcome.totals, d),
        "by_service_level": [
            {"name": s.service_level, "credits": plain_money(s.credits, d),
             "earned_back": plain_money(s.earned_back, d), "bonuses": plain_money(s.bonuses, d),
             "periods_met": s.periods_met, "periods_missed": s.periods_missed}
            for s in outcome.by_service_level
        ],
        "by_contract_year": (
            {"contract_year": y.contract_year, "first_period": y.first_period, "last_period": y.last_period,
             "totals": _totals(y.totals, d)}
            for y in outcome.by_contract_year
        ),
        "terminations": (_termination(t) for p in outcome.periods for t in p.terminations),
    }


def _period(p: PeriodOutcome, d: int) -> dict:
    return {
        "period": p.period,
        "contract_year": p.contract_year,
        "service_levels": [_result(r) for r in p.results],
        "lines": [
            {"service_level": line.service_level, "kind": line.kind, "amount": plain_money(line.amount, d),
             "clause": line.clause_ref, "contract_clause": line.contract_clause, "explanation": line.explanation}
            for line in p.lines
        ],
        "totals": _totals(p.totals, d),
        "terminations": [_termination(t) for t in p.terminations],
    }


def _result(r) -> dict:
    """A service level's result; `reported` only where the contract states a reporting grid."""
    result = {"name": r.service_level, "value": _value(r.value), "unit": r.unit, "status": r.status, "note": r.note}
    if r.reported is not None:
        result["reported"] = f"{r.reported:f}"  # with the grid's digits: "80.0"
    return result


def _termination(t) -> dict:
    return {"period": t.period, "trigger": t.trigger, "clause": t.clause_ref,
            "contract_clause": t.contract_clause, "reason": t.reason,
            "periods": list(t.periods)}


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


CSV_COLUMNS = ("period", "service_level", "kind", "amount", "currency", "clause", "contract_clause", "explanation")
IDENTITY_COLUMNS = ("fingerprint", "slarules_version")  # last on every row: each line item names its terms


def to_csv(outcome: Outcome) -> str:
    """Billing line items: one row per line, amounts signed (caps negative)."""
    return _rendered(write_csv, outcome)


def write_csv(outcome: Outcome, out: TextIO) -> None:
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS + IDENTITY_COLUMNS)
    stated = list(identity(outcome.fingerprint).values())
    with no_full_collections():
        for period in _read_once(outcome.periods):
            for line in period.lines:
                writer.writerow([line.period, line.service_level or "", line.kind,
                                 plain_money(line.amount, outcome.digits), outcome.currency, line.clause_ref,
                                 line.contract_clause or "", line.explanation, *stated])


TOTALS_COLUMNS = ("period", "contract_year", "currency", "credits", "earned_back", "bonuses", "withheld", "net",
                  "due_to_client", "due_to_vendor", "netting", "termination_rights")
WHOLE_HISTORY = "total"  # the period column of the last row, the whole history's


def to_totals_csv(outcome: Outcome) -> str:
    """What is invoiced, beside the line items: one row per period and a last row
    `total` for the whole history, each with its totals, the amounts due under the
    contract's netting, and the termination rights that arose (`clause trigger`,
    `; `-separated, each `clause trigger` with the contract clause it cites, if any:
    `acme.sla:80 clause C.5(a) terminate when ...`; the total row lists them all)."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(TOTALS_COLUMNS)
    with no_full_collections():
        for p in outcome.periods:
            writer.writerow([p.period, p.contract_year, *_totals_cells(outcome, p.totals),
                             _rights_cell(p.terminations)])
        writer.writerow([WHOLE_HISTORY, "", *_totals_cells(outcome, outcome.totals),
                         _rights_cell(outcome.terminations)])
    return out.getvalue()


def _totals_cells(outcome: Outcome, t: Totals) -> list[str]:
    d = outcome.digits
    return [outcome.currency, *(plain_money(amount, d) for amount in (
        t.credits, t.earned_back, t.bonuses, t.withheld, t.net, t.due_to_client, t.due_to_vendor)), outcome.netting]


def _rights_cell(rights) -> str:
    return "; ".join(f"{_cited(right)} {right.trigger}" for right in rights)


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
    kind_width = max(13, max((len(line.kind) for p in _read_once(outcome.periods) for line in p.lines), default=0))
    yield [f"{outcome.contract} ({outcome.ruleset}), amounts in {outcome.currency}", ""]
    for p in _read_once(outcome.periods):
        out = [f"{p.period}  (contract year {p.contract_year})"]
        for r in p.results:
            note = f"  {r.note}" if r.note else ""
            reported = f"  reported {r.reported:,f}{_UNIT_SUFFIX.get(r.unit, '')}" if r.reported is not None else ""
            out.append(f"  {r.service_level:<{width}}  {_shown(r.value, r.unit):>12}{reported}  {r.status}{note}")
        for line in p.lines:
            out.append(f"  {line.kind:<{kind_width}} {money(line.amount):>14}  {_cited(line)}")
            out.append(f"      {line.explanation}")
        for right in p.terminations:
            out.append(f"  TERMINATION RIGHT  {_cited(right)}")
            out.append(f"      {right.trigger}: {right.reason} ({', '.join(right.periods)})")
        out.append(f"  {_totals_text(p.totals, money)}")
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
        yield [f"  year {y.contract_year} ({y.first_period} to {y.last_period}): {_totals_text(y.totals, money)}"]
    t = outcome.totals
    out = [""]
    out.append(f"Whole history: {_totals_text(t, money)}")
    withheld = " + withheld" if t.withheld else ""
    out.append(f"  (net = credits{withheld} - earned back - bonuses; bonuses {outcome.netting}); "
               f"invoiced: due to the client {money(t.due_to_client)}, due to the vendor {money(t.due_to_vendor)}")
    yield out
    rights = (right for p in outcome.periods for right in p.terminations)
    for number, right in enumerate(rights):
        yield [*(["", "Termination rights"] if number == 0 else []),
               f"  {right.period}: {right.trigger} ({_cited(right)}): {right.reason}"]


def _rendered(write: Callable[[Outcome, TextIO], None], outcome: Outcome) -> str:
    out = io.StringIO()
    write(outcome, out)
    return out.getvalue()


_VIEWS = ("results", "lines", "totals")  # what a PeriodOutcome builds from its record when first read


def _read_once(periods: Iterable[PeriodOutcome]) -> Iterator[PeriodOutcome]:
    """Each period, to be read once: the views it builds while it is read are let go
    after it (those built before are kept), so that writing a long history holds one
    period's results, lines and totals at a time, not every period's."""
    slots = None  # the slots PeriodOutcome keeps its views in, once it is seen
    for period in periods:
        if slots is None:
            slots = [slot for slot in map(type(period).__dict__.get, _VIEWS)
                     if isinstance(slot, types.MemberDescriptorType)]
        built_before = [slot for slot in slots if _holds(slot, period)]
        yield period
        for slot in slots:
            if slot not in built_before:
                try:
                    slot.__delete__(period)  # built again, the same, if read again
                except AttributeError:  # not read
                    pass


def _holds(slot, period: PeriodOutcome) -> bool:
    try:
        slot.__get__(period)
        return True
    except AttributeError:  # the slot is empty
        return False


def _totals_text(t: Totals, money) -> str:
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
