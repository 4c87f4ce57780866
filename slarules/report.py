"""Report pass: Outcome -> text for people, JSON for programs, CSV for billing.

Input: an Outcome. Output: a string; never raises. Every rendering is a view
of the same line items, in the same order, so the table, the JSON and the CSV
always agree. JSON amounts are decimal strings with exactly the currency's
minor-unit digits; KPI values are exact decimal strings. The JSON layout is
published as slarules/schema/outcome.schema.json.
"""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from .money import CONTEXT, format_money, format_number
from .outcome import Outcome, Totals

JSON_FORMAT = "slarules.outcome/1"
_UNIT_SUFFIX = {"percent": "%", "seconds": " s", "minutes": " min"}


def _money(amount: Decimal, digits: int) -> str:
    return f"{amount:.{digits}f}"


def _value(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize(CONTEXT):f}"


def _totals(totals: Totals, digits: int) -> dict:
    return {
        "credits": _money(totals.credits, digits),
        "bonuses": _money(totals.bonuses, digits),
        "net": _money(totals.net, digits),
        "credit_due": _money(totals.credit_due, digits),
        "bonus_due": _money(totals.bonus_due, digits),
    }


def to_data(outcome: Outcome) -> dict:
    """The JSON document as Python data (strings, lists, dicts, ints, None)."""
    d = outcome.digits
    return {
        "format": JSON_FORMAT,
        "contract": outcome.contract,
        "currency": outcome.currency,
        "ruleset": outcome.ruleset,
        "netting": outcome.netting,
        "periods": [
            {
                "period": p.period,
                "contract_year": p.contract_year,
                "service_levels": [
                    {"name": r.service_level, "value": _value(r.value), "unit": r.unit,
                     "status": r.status, "note": r.note}
                    for r in p.results
                ],
                "lines": [
                    {"service_level": line.service_level, "kind": line.kind, "amount": _money(line.amount, d),
                     "clause": line.clause_ref, "explanation": line.explanation}
                    for line in p.lines
                ],
                "totals": _totals(p.totals, d),
            }
            for p in outcome.periods
        ],
        "totals": _totals(outcome.totals, d),
        "by_service_level": [
            {"name": s.service_level, "credits": _money(s.credits, d), "bonuses": _money(s.bonuses, d),
             "periods_met": s.periods_met, "periods_missed": s.periods_missed}
            for s in outcome.by_service_level
        ],
        "by_contract_year": [
            {"contract_year": y.contract_year, "first_period": y.first_period, "last_period": y.last_period,
             "totals": _totals(y.totals, d)}
            for y in outcome.by_contract_year
        ],
    }


def to_json(outcome: Outcome) -> str:
    return json.dumps(to_data(outcome), indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ("period", "service_level", "kind", "amount", "currency", "clause", "explanation")


def to_csv(outcome: Outcome) -> str:
    """Billing line items: one row per line, amounts signed (caps negative)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in outcome.lines:
        writer.writerow([line.period, line.service_level or "", line.kind, _money(line.amount, outcome.digits),
                         outcome.currency, line.clause_ref, line.explanation])
    return out.getvalue()


def _shown(value: Decimal | None, unit: str) -> str:
    return "—" if value is None else format_number(value) + _UNIT_SUFFIX.get(unit, "")


def to_text(outcome: Outcome) -> str:
    """A table per period, each line with its clause and sentence, then the totals."""
    d = outcome.digits
    money = lambda amount: format_money(amount, d)  # noqa: E731
    width = max([len(s.service_level) for s in outcome.by_service_level] + [len("service level")])
    out = [f"{outcome.contract} ({outcome.ruleset}), amounts in {outcome.currency}", ""]
    for p in outcome.periods:
        out.append(f"{p.period}  (contract year {p.contract_year})")
        for r in p.results:
            note = f"  {r.note}" if r.note else ""
            out.append(f"  {r.service_level:<{width}}  {_shown(r.value, r.unit):>12}  {r.status}{note}")
        for line in p.lines:
            out.append(f"  {line.kind:<13} {money(line.amount):>14}  {line.clause_ref}")
            out.append(f"      {line.explanation}")
        t = p.totals
        out.append(f"  credits {money(t.credits)}  bonuses {money(t.bonuses)}  net {money(t.net)}")
        out.append("")
    out.append("Totals by service level")
    out.append(f"  {'service level':<{width}}  {'met':>4}  {'missed':>6}  {'credits':>14}  {'bonuses':>14}")
    for s in outcome.by_service_level:
        out.append(f"  {s.service_level:<{width}}  {s.periods_met:>4}  {s.periods_missed:>6}  "
                   f"{money(s.credits):>14}  {money(s.bonuses):>14}")
    out.append("")
    out.append("Totals by contract year")
    for y in outcome.by_contract_year:
        t = y.totals
        out.append(f"  year {y.contract_year} ({y.first_period} to {y.last_period}): credits {money(t.credits)}  "
                   f"bonuses {money(t.bonuses)}  net {money(t.net)}")
    t = outcome.totals
    out.append("")
    out.append(f"Whole history: credits {money(t.credits)}  bonuses {money(t.bonuses)}  net {money(t.net)}  "
               f"(net = credits - bonuses; bonuses {outcome.netting})")
    out.append(f"  invoiced: credit due {money(t.credit_due)}  bonus due {money(t.bonus_due)}")
    return "\n".join(out) + "\n"
