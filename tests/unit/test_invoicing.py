"""Credits on the next invoice (issue 14, item 3): `credits are applied to the next invoice`.
Each line keeps its assessed period and names its invoice period; the invoices are the periods'
totals one period on, the last one due on the next invoice; a billing run month by month carries
that last invoice in the state and bills the same invoices as the whole history; a restatement's
adjustment lands on the next unbilled invoice."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

import slarules
from slarules import Source
from slarules.core.diagnostics import SlaError

TEXT = """contract "Shift" currency USD, assessed {period}, starts 2026-01
inputs
  fee money
  up percent
credits are applied to the next invoice
bonuses offset credits
service level avail
  measured as up
  target: at least 99%
  credit: 10% of fee
  bonus: at least 99.9%: USD 50
"""


def program(period="monthly"):
    return slarules.compile_source(Source("shift.sla", TEXT.format(period=period)))


# A missed month costs 10% of the fee; 99.9% or more earns USD 50 (bonuses offset credits).
HISTORY = {"2026-11": {"fee": "1000", "up": "99.95"},   # bonus 50.00
           "2026-12": {"fee": "1000", "up": "98"},      # credit 100.00, on January's invoice
           "2027-01": {"fee": "2000", "up": "97"},      # credit 200.00, on February's
           "2027-02": {"fee": "2000", "up": "99.5"}}    # nothing, on March's: due on the next invoice


def test_december_credit_is_on_january_invoice_across_the_contract_year_boundary():
    outcome = program().evaluate(HISTORY)
    december = outcome.periods[1]
    assert (december.period, december.contract_year, december.invoice_period) == ("2026-12", 1, "2027-01")
    assert [(line.period, line.invoice_period, line.amount) for line in december.lines] == [
        ("2026-12", "2027-01", Decimal("100.00"))]
    # The contract year's totals stay those of the periods assessed in it.
    assert [y.totals.credits for y in outcome.by_contract_year] == [Decimal("100.00"), Decimal("200.00")]


def test_invoices_are_the_periods_totals_one_period_on_the_last_due_next():
    invoices = program().evaluate(HISTORY).invoices
    assert [(i.invoice_period, i.assessed_period, i.status, i.totals.due_to_client, i.totals.due_to_vendor)
            for i in invoices] == [
        ("2026-12", "2026-11", "billed", Decimal("0.00"), Decimal("50.00")),
        ("2027-01", "2026-12", "billed", Decimal("100.00"), Decimal("0.00")),
        ("2027-02", "2027-01", "billed", Decimal("200.00"), Decimal("0.00")),
        ("2027-03", "2027-02", "next invoice", Decimal("0.00"), Decimal("0.00"))]


def test_a_quarterly_contract_invoices_on_the_next_quarter():
    outcome = program("quarterly").evaluate({"2026-Q4": {"fee": "1000", "up": "98"}})
    assert outcome.periods[0].invoice_period == "2027-Q1"
    assert outcome.lines[0].invoice_period == "2027-Q1"


def test_month_by_month_billing_bills_the_same_invoices_as_the_whole_history():
    terms = program()
    whole = terms.evaluate(HISTORY).invoices
    billed, state = [], None
    for label, values in HISTORY.items():
        outcome = terms.evaluate({label: values}, state)
        state = terms.load_state(outcome.state_json())
        billed += [i for i in outcome.invoices if i.status == "billed"]
        last = outcome.invoices[-1]
    assert billed + [last] == list(whole)
    # The state carries the last invoice for the next run.
    assert json.loads(outcome.state_json())["next_invoice"] == {
        "assessed_period": "2027-02", "invoice_period": "2027-03", "credits": "0.00", "earned_back": "0.00",
        "bonuses": "0.00", "withheld": "0.00", "due_to_client": "0.00", "due_to_vendor": "0.00"}


def test_outputs_name_the_invoice_period():
    terms = program()
    first = terms.evaluate({"2026-12": HISTORY["2026-12"]})
    outcome = terms.evaluate({"2027-01": HISTORY["2027-01"]}, terms.load_state(first.state_json()))
    data = json.loads(outcome.to_json())
    assert data["periods"][0]["invoice_period"] == "2027-02"
    assert data["periods"][0]["lines"][0]["invoice_period"] == "2027-02"
    assert [(i["invoice_period"], i["assessed_period"], i["status"]) for i in data["invoices"]] == [
        ("2027-01", "2026-12", "billed"), ("2027-02", "2027-01", "next invoice")]
    rows = list(csv.DictReader(io.StringIO(outcome.totals_csv())))
    # The period the state carried in is the first row: what this run bills on 2027-01's invoice.
    assert [(r["period"], r["invoice_period"], r["credits"]) for r in rows] == [
        ("2026-12", "2027-01", "100.00"), ("2027-01", "2027-02", "200.00"), ("total", "", "200.00")]
    (line,) = list(csv.DictReader(io.StringIO(outcome.to_csv())))
    assert (line["period"], line["invoice_period"]) == ("2027-01", "2027-02")
    assert "2027-01  (contract year 2, on the invoice of 2027-02)" in outcome.to_text()
    assert "2027-02 (assessed 2027-01): credits 200.00" in outcome.to_text()


def test_without_the_clause_nothing_changes_in_the_outputs():
    terms = slarules.compile_source(Source("plain.sla", TEXT.format(period="monthly").replace(
        "credits are applied to the next invoice\n", "")))
    outcome = terms.evaluate(HISTORY)
    assert outcome.invoices == () and outcome.periods[0].invoice_period is None
    assert "invoice" not in outcome.to_json() and "invoice" not in outcome.totals_csv()
    assert "next_invoice" not in outcome.state_json()


def test_a_restatement_lands_on_the_next_unbilled_invoice(tmp_path):
    terms = program()
    path = tmp_path / "state.json"
    for label in ("2026-12", "2027-01"):
        with terms.billing_run(path) as run:
            run.evaluate({label: HISTORY[label]})
    with terms.billing_run(path) as run:
        # December's uptime was 99.5%, not 98%: still missed, but January's fee was 1,500.
        restated = run.restate({"2027-01": {"fee": "1500", "up": "97"}})
    (adjustment,) = restated.adjustments
    assert (adjustment.period, adjustment.invoice_period, adjustment.amount) == ("2027-01", "2027-02",
                                                                                 Decimal("-50.00"))
    assert json.loads(restated.to_json())["adjustments"][0]["invoice_period"] == "2027-02"
    # January's invoice is not billed yet: it keeps the figures first computed, and the
    # adjustment on it brings them to the restated 150.00, once.
    state = json.loads(path.read_text())
    assert state["next_invoice"]["credits"] == "200.00"


def test_the_clause_is_stated_once():
    with pytest.raises(SlaError) as err:
        slarules.compile_source(Source("twice.sla", TEXT.format(period="monthly").replace(
            "bonuses offset", "credits are applied to the next invoice\nbonuses offset")))
    assert "error[SLA204]: the contract states which invoice credits are applied to twice" in str(err.value)
