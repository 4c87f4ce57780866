"""engine/vectorised*.py, the work on narrower types and known bounds: a guard that reads a noted
bound (above the values) falls back to the exact evaluator with its money; a table's factors
chosen in int8, int16, int32 or int64 give the exact evaluator's money on and around every row
edge; windows of 128 periods and more (counted in int32) and long earn-back streaks (int16) fire
and return in the exact evaluator's periods; a run of misses is not broken by a period not
measured."""
from __future__ import annotations

from decimal import Decimal

import pytest

import slarules
from slarules import Source

np = pytest.importorskip("numpy")
from slarules.engine import vectorised  # noqa: E402
from slarules.engine.vectorised_integers import LIMIT, Bounds, Overflow, holding  # noqa: E402

START = "2026-01"


def _months(count: int) -> list[str]:
    return [f"{2026 + m // 12}-{m % 12 + 1:02d}" for m in range(count)]


def _both(text: str, runs: list[list[dict]], names: list[str]):
    """(the vectorised MoneyOutcome, per run the exact Outcome) of the same runs from 2026-01."""
    program = slarules.compile_source(Source("bounds.sla", text))
    first = program.calendar.index(START)
    money = vectorised.evaluate_money(program, vectorised.columns_of(runs, names), first)
    exact = [program.evaluate(dict(zip(_months(len(run)), run))) for run in runs]
    return program, money, exact


def _cents(outcomes, field: str) -> list[list[int]]:
    return [[int(getattr(p.totals, field) * 100) for p in outcome.periods] for outcome in outcomes]


def test_a_product_is_bounded_by_its_operands_without_a_pass():
    ints = Bounds()
    a = np.array([3, -7, 5], dtype=np.int64)
    assert ints.largest(a) == 7  # one pass, remembered
    product = ints.mul(a, 1000)
    assert ints.largest(product) == 7000
    difference = ints.sub(product, a)
    assert ints.largest(difference) == 7007  # an upper bound: the largest value is 7000 - (-7) = 7007 here
    assert holding(127) == np.int8 and holding(128) == np.int16 and holding(2 ** 31) == np.int64


def test_a_noted_bound_past_the_limit_falls_back_though_the_values_are_small():
    ints = Bounds()
    big = np.array([2 ** 59], dtype=np.int64)
    nothing = ints.sub(big, big)  # 0, but bounded by 2**60
    assert nothing.tolist() == [0]
    with pytest.raises(Overflow):
        ints.mul(nothing, 2)  # 2**61 = LIMIT: the guard reads the bound, not the 0
    assert 2 * 2 ** 60 == LIMIT


def test_a_measurement_bounded_past_int64_goes_to_the_exact_evaluator_with_its_money():
    # (x - y) x 10,000 with x = y = 999,999,999,999,999 (the most digits a value has): the difference
    # is 0, its bound 2 x 10**15, the product's 2 x 10**19, past 2**61 (2.3 x 10**18); the batch falls
    # back, and the exact evaluator meets the target (0 is at most 1): no credit. Then x - y = 2 in the
    # second month: 20,000 is above 1, so 2% of 100.00 = 2.00 is due.
    text = """contract "Bounds" currency USD, starts 2026-01
inputs
  fee money
  x count
  y count
service level drift
  measured as (x - y) * 10000
  target: at most 1
  credit: 2% of fee
"""
    x = Decimal(999_999_999_999_999)
    runs = [[{"fee": Decimal(100), "x": x, "y": x}, {"fee": Decimal(100), "x": x, "y": x - 2}]]
    _, money, exact = _both(text, runs, ["fee", "x", "y"])
    assert money.exact_runs == 1
    assert money.credits.tolist() == _cents(exact, "credits") == [[0, 200]]


TABLE = """contract "Tiers" currency USD, starts 2026-01
inputs
  fee money
  up percent
service level uptime
  measured as up
  target: at least 99%
  credit, the most severe row applies:
    below 99%: {first}
    below 95%: {second}
    below 90%: {third}
"""


@pytest.mark.parametrize("first, second, third, dtype", [
    ("2% of fee", "5% of fee", "8% of fee", np.int8),  # factors 2, 5, 8 (in hundredths): int8
    ("USD 100", "USD 1,000", "USD 9,000", np.int16),  # 9,000: int16 (differences to 18,000)
    ("USD 100", "USD 50,000", "USD 1,000,000", np.int32),
    ("USD 1", "USD 5,000,000,000", "USD 9,000,000,000", np.int64),
    ("2.5% of fee", "12.345% of fee", "99.999% of fee", np.int32),  # thousandths of a percent: 99,999
])
def test_a_table_chosen_in_a_narrow_type_gives_the_exact_money(first, second, third, dtype):
    text = TABLE.format(first=first, second=second, third=third)
    program = slarules.compile_source(Source("tiers.sla", text))
    rows = program.service_levels[0].credit.form.rows
    factors = [vectorised.scaled(row.amount.factor) for row in rows]
    k = max(fk for _, fk in factors)
    assert holding(2 * max(abs(fn) * 10 ** (k - fk) for fn, fk in factors)) == dtype
    # every row edge, on it and either side, and a fee with half cents in every product
    values = ["100", "99", "98.99", "95.01", "95", "94.99", "90.01", "90", "89.99", "0"]
    runs = [[{"fee": Decimal("1234.50"), "up": Decimal(v)} for v in values],
            [{"fee": Decimal("0.25"), "up": Decimal(v)} for v in reversed(values)]]
    _, money, exact = _both(text, runs, ["fee", "up"])
    assert money.exact_runs == 0
    assert money.credits.tolist() == _cents(exact, "credits")
    # On 1,234.50: none at 99% and above (met); 2% = 24.69 from 98.99 down to 95 (not below 95);
    # 5% = 61.725, 61.73 half up, from 94.99 down to 90; 8% = 98.76 below 90% (the most severe row)
    if first == "2% of fee":
        assert money.credits[0].tolist() == [0, 0, 2469, 2469, 2469, 6173, 6173, 6173, 9876, 9876]


WINDOW = """contract "Long window" currency USD, starts 2026-01
inputs
  fee money
  up percent
service level uptime
  measured as up
  target: at least 99%
  credit: 2% of fee
  earn back: 50% of its credits after {after} consecutive met months
terminate when uptime is missed {count} times in any {width} months
terminate when uptime is missed 3 months in a row
"""


@pytest.mark.parametrize("width, count, after", [(130, 4, 140), (200, 3, 2), (12, 4, 150)])
def test_long_windows_and_long_streaks_fire_and_return_in_the_exact_periods(width, count, after):
    # 300 months: misses in months 10, 60, 135 and 139, met otherwise. The 130 months to month 139
    # are months 10 to 139 and hold all four misses, so `4 times in any 130 months` fires in month
    # 139 (index 138); `3 times in any 200 months` fires with the third, month 135. Earn-back after
    # 140 (or 150) met months in a row counts them in int16; after 2, it returns between the misses.
    missed = {9, 59, 134, 138}
    run = [{"fee": Decimal("1000.10"), "up": Decimal("98" if m in missed else "99.5")} for m in range(300)]
    text = WINDOW.format(width=width, count=count, after=after)
    program, money, exact = _both(text, [run], ["fee", "up"])
    assert money.exact_runs == 0
    assert money.credits.tolist() == _cents(exact, "credits")
    assert money.earned_back.tolist() == _cents(exact, "earned_back")
    labels = {label: p for p, label in enumerate(_months(300))}
    fired = [-1] * len(program.triggers)
    for right in exact[0].terminations:
        number = next(n for n, rule in enumerate(program.triggers) if rule.text == right.trigger)
        if fired[number] < 0:
            fired[number] = labels[right.period]
    assert money.terminations.tolist() == [fired]
    if width == 130:
        assert fired[0] == 138


def test_a_month_not_measured_neither_counts_nor_breaks_a_run_of_misses():
    text = """contract "Row" currency USD, starts 2026-01
inputs
  fee money
  calls count
  answered count
service level speed
  measured as answered / calls, in percent
  target: at least 80%
  measured only when calls is at least 500
  credit: 1% of fee
terminate when speed is missed 3 months in a row
"""
    # missed, not measured (100 calls), missed, met, missed, missed, not measured, missed: the run of
    # three misses is months 5, 6 and 8 (month 7 not measured), so the right arises in month 8 (index 7);
    # months 1 and 3 are two misses only, broken by the met month 4.
    pattern = ["x", "n", "x", "m", "x", "x", "n", "x"]
    cells = {"x": (1000, 700), "n": (100, 10), "m": (1000, 900)}
    run = [{"fee": Decimal(100), "calls": Decimal(cells[s][0]), "answered": Decimal(cells[s][1])} for s in pattern]
    _, money, exact = _both(text, [run], ["fee", "calls", "answered"])
    assert money.terminations.tolist() == [[7]]
    assert exact[0].terminations[0].period == "2026-08"
