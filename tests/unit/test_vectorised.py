"""engine/vectorised.py: rounding on the half cent in every mode, the fallbacks to the exact
evaluator, and simulate() giving the same figures with NumPy and without it."""
from __future__ import annotations

import sys
from decimal import Decimal

import pytest

import slarules
from slarules import Source
from slarules.formats.kpi_data import history_from_mapping
from slarules.tools.simulate import simulate
from tests.conftest import ROOT

np = pytest.importorskip("numpy")
from slarules.engine import vectorised  # noqa: E402

FLAT = """contract "Half cents" currency USD, rounding {mode}, starts 2026-01
inputs
  fee money
  up percent
service level uptime
  measured as up
  target: at least 99%
  credit: 2% of fee
"""


@pytest.mark.parametrize("mode, cents", [("half up", [201, 102, -1]), ("half even", [200, 102, -1]),
                                         ("half down", [200, 101, -1]), ("up", [201, 102, -1]),
                                         ("down", [200, 101, -1])])
def test_a_credit_on_the_half_cent_rounds_as_the_contract_says(mode, cents):
    program = slarules.compile_source(Source("half.sla", FLAT.format(mode=mode)))
    # 2% of 100.25 = 2.005 and 2% of 50.75 = 1.015: exactly half a cent; 99% is met (no credit).
    runs = [[{"fee": Decimal("100.25"), "up": Decimal("98.9")}, {"fee": Decimal("50.75"), "up": Decimal("98")},
             {"fee": Decimal("50.75"), "up": Decimal("99")}]]
    money = vectorised.evaluate_money(program, vectorised.columns_of(runs, ["fee", "up"]), 24312)
    expected = [c if c >= 0 else 0 for c in cents]
    assert money.credits.tolist() == [expected] and money.exact_runs == 0
    exact = program.evaluate({"2026-01": runs[0][0], "2026-02": runs[0][1], "2026-03": runs[0][2]})
    assert [int(p.totals.credits * 100) for p in exact.periods] == expected


def test_a_figure_beyond_int64_goes_to_the_exact_evaluator():
    # 2.123456% of a fee of 15 digits and cents: 123456789012345.25 x 2123456 does not fit in 61 bits.
    text = FLAT.format(mode="half up").replace("2% of fee", "2.123456% of fee")
    program = slarules.compile_source(Source("big.sla", text))
    runs = [[{"fee": Decimal("123456789012345.25"), "up": Decimal("98.5")}]]
    money = vectorised.evaluate_money(program, vectorised.columns_of(runs, ["fee", "up"]), 24312)
    assert money.exact_runs == 1
    # 123,456,789,012,345.25 x 0.02123456 = 2,621,550,593,689.98595184 (exact), 2,621,550,593,689.99 to the cent
    assert money.credits.tolist() == [[262155059368999]]


def test_a_cap_over_two_months():
    text = FLAT.format(mode="half up") + "credits in any 2 months at most USD 3\n"
    program = slarules.compile_source(Source("window.sla", text))
    runs = [[{"fee": Decimal("100"), "up": Decimal("90")}] * 3]
    money = vectorised.evaluate_money(program, vectorised.columns_of(runs, ["fee", "up"]), 24312)
    # 2% of 100 = 2.00 a month; at most 3.00 in any 2 months: 2.00, then 1.00, then 2.00 (3.00 - 1.00)
    assert money.exact_runs == 0 and money.credits.tolist() == [[200, 100, 200]]


def test_terms_with_amendments_go_to_the_exact_evaluator():
    program = slarules.load(ROOT / "rulesets" / "managed_security_quarterly.sla")
    assert vectorised.unsupported(program) == "amendments"


@pytest.mark.parametrize("name", ["late_tickets", "resolved_in_time", "missed_responses"])
def test_a_threshold_that_is_a_share_of_another_input_goes_to_the_exact_evaluator(name):
    # `at most 3% of opened` moves with each period's inputs; the vectorised evaluator does not
    # work allowances out, so every run is the exact evaluator's, with its money.
    folder = ROOT / "tests" / "golden" / "allowances"
    program = slarules.load(folder / f"{name}.sla")
    assert vectorised.unsupported(program) == "a threshold that is a share of another input"
    history = slarules.read_history(program, folder / f"{name}.csv")
    outcome = program.evaluate(history)
    names = [spec.name for spec in program.inputs]
    rows = [[dict(period.values) for period in history.periods]]
    money = vectorised.evaluate_money(program, vectorised.columns_of(rows, names),
                                      program.calendar.index(history.periods[0].label))
    cents = 10 ** program.rounding.digits
    assert money.exact_runs == 1
    assert money.credits.tolist() == [[int(p.totals.credits * cents) for p in outcome.periods]]


def test_simulate_gives_the_same_figures_without_numpy(monkeypatch):
    current = slarules.load(ROOT / "rulesets" / "acme_contact_center.sla")
    proposed = slarules.load(ROOT / "tests" / "golden" / "dryrun" / "acme_proposed.sla")
    history = slarules.read_history(current, ROOT / "rulesets" / "acme_contact_center.csv")
    programs = {"proposed": proposed, "current": current}
    fast = simulate(programs, history, 200, 3, years=2)
    monkeypatch.setitem(sys.modules, "slarules.engine.vectorised", None)  # as if NumPy were missing
    slow = simulate(programs, history, 200, 3, years=2)
    assert fast.to_json() == slow.to_json()


def test_a_cap_over_the_contract_year_starts_again_with_the_year():
    text = FLAT.format(mode="half up") + "credits in each contract year at most 1.5% of fee in that year\n"
    program = slarules.compile_source(Source("year.sla", text))
    months = [{"fee": Decimal("100"), "up": Decimal("99.5")}] * 11 + [{"fee": Decimal("100"), "up": Decimal("90")}] * 2
    money = vectorised.evaluate_money(program, vectorised.columns_of([months], ["fee", "up"]), 24312)
    # Month 12: 2% of 100 = 2.00, under 1.5% of the year's 1,200.00 of fees (18.00). Month 13 opens
    # contract year 2: 1.5% of its 100.00 of fees is 1.50, so 2.00 is cut to 1.50.
    assert money.exact_runs == 0 and money.credits.tolist() == [[0] * 11 + [200, 150]]


def test_simulate_falls_back_for_a_value_too_fine_for_64_bits():
    text = FLAT.format(mode="half up")
    program = slarules.compile_source(Source("fine.sla", text))
    # 98.123456789012345678901234 has 24 decimals: x 10**24 does not fit in 64 bits.
    history = history_from_mapping(program, {
        "2026-01": {"fee": "100.00", "up": "98.123456789012345678901234"},
        "2026-02": {"fee": "100.00", "up": "99.5"}})
    simulation = simulate({"fine": program}, history, 20, 1, years=1, block=1)
    # Each month resamples January (a 2.00 credit) or February (none): 12 months, 0 to 24.00 a year.
    assert all(0 <= amount <= 24 and amount % 2 == 0 for amount in simulation["fine"].credits)
