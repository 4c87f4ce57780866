"""engine/vectorised_earn_back.py: earn-back in integers over all runs gives, run by run, what
evaluate.py's Decimals give (replay_run is that computation, and the reference property
compares the vectorised evaluator with evaluate.py itself); its ties and its bounds hand
runs to replay_run; under rounding up it never returns more than was charged."""
from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import slarules
from slarules import Source
from slarules.core.money import ROUNDING_MODES
from slarules.engine.compile import EarnBackRule

np = pytest.importorskip("numpy")
from slarules.engine import vectorised, vectorised_earn_back  # noqa: E402
from slarules.engine.vectorised_earn_back import earned_back, replay_run  # noqa: E402


def _rule(percent: str, after: int) -> EarnBackRule:
    return EarnBackRule(Decimal(percent) / 100, after, None, "")


def _replayed(rule, own, charged, total, met, missed, mode):
    return np.array([replay_run(rule, own[r].tolist(), charged[r].tolist(), total[r].tolist(), met[r].tolist(),
                                missed[r].tolist(), ROUNDING_MODES[mode]) for r in range(own.shape[0])],
                    dtype=np.int64).reshape(own.shape)


@st.composite
def ledgers(draw):
    """Runs of periods: a service level's own credits, the period's credits before the caps
    (its own and another's) and after them (cut by a cap, or not), whether it was met."""
    runs, length = draw(st.integers(1, 4)), draw(st.integers(1, 8))
    small = st.sampled_from((0, 1, 2, 3, 7, 100, 101, 3098, 9999, 123457))
    own = np.array([[draw(small) for _ in range(length)] for _ in range(runs)], dtype=np.int64)
    others = np.array([[draw(small) for _ in range(length)] for _ in range(runs)], dtype=np.int64)
    total = own + others
    cut = np.array([[draw(st.sampled_from((0, 1, 2, 3, 403, 617, 5000))) for _ in range(length)]
                    for _ in range(runs)], dtype=np.int64)
    charged = np.where(np.array([[draw(st.booleans()) for _ in range(length)] for _ in range(runs)]),
                       np.minimum(total, cut), total)
    status = np.array([[draw(st.sampled_from("mmxn")) for _ in range(length)] for _ in range(runs)])
    missed = (status == "x") | (own > 0)  # a period with credits of its own missed; "n": not measured
    return own, charged, total, (status == "m") & ~missed, missed


MODES = ("half up", "half even", "half down", "up", "down")


@given(ledgers(), st.sampled_from(("50", "100", "33", "33.333", "25")), st.integers(1, 3), st.sampled_from(MODES))
def test_the_integer_earn_back_is_the_decimal_one(ledger, percent, after, mode):
    own, charged, total, met, missed = ledger
    rule = _rule(percent, after)
    ours = earned_back(rule, own, charged, total, met, missed, mode, ROUNDING_MODES[mode])
    assert ours.tolist() == _replayed(rule, own, charged, total, met, missed, mode).tolist()


def test_three_thirds_of_a_cent_are_a_tie_that_is_replayed(monkeypatch):
    # Three periods each charge a third of the service level's cent (1 of 3 cents charged): 1/3 x 3
    # is exactly 1 cent, but evaluate.py's 34-digit Decimals sum 0.333...3 three times to 0.999...9,
    # which rounds down to 0. The integer sum lies within the margin of the edge: replayed.
    own, total, charged = (np.array([[1, 1, 1, 0]]), np.array([[3, 3, 3, 0]]), np.array([[1, 1, 1, 0]]))
    met, missed = np.array([[False, False, False, True]]), np.array([[True, True, True, False]])
    calls = []
    monkeypatch.setattr(vectorised_earn_back, "replay_run", lambda *a, **k: calls.append(1) or replay_run(*a, **k))
    ours = vectorised_earn_back.earned_back(_rule("100", 1), own, charged, total, met, missed, "down",
                                            decimal.ROUND_DOWN)
    assert calls == [1] and ours.tolist() == [[0, 0, 0, 0]]
    # rounded up, the same tie gives 1 cent either way, still by the replay
    ours = vectorised_earn_back.earned_back(_rule("100", 1), own, charged, total, met, missed, "up",
                                            decimal.ROUND_UP)
    assert len(calls) == 2 and ours.tolist() == [[0, 0, 0, 1]]


@pytest.mark.parametrize("own, charged, total", [
    (2 ** 31, 2 ** 30, 2 ** 31),  # own x charged = 2**61: the product's bound
    (2 ** 30, 2 ** 30 + 1, 2 ** 43),  # a period's credits at 2**43: the long division's bound
    (2 ** 57, 2 ** 57, 2 ** 57),  # own x periods x rate numerator past 2**61
])
def test_a_run_past_a_bound_is_replayed_and_the_others_are_not(monkeypatch, own, charged, total):
    big = np.array([[own, 0, 0], [5, 0, 0]], dtype=np.int64)
    charged_ = np.array([[charged, 0, 0], [3, 0, 0]], dtype=np.int64)
    total_ = np.array([[total, 0, 0], [7, 0, 0]], dtype=np.int64)
    met, missed = np.array([[False, True, True]] * 2), np.array([[True, False, False]] * 2)
    rule = _rule("50", 2)
    assert vectorised_earn_back.beyond_bounds(big, charged_, total_, 5).tolist() == [True, False]
    replayed = []
    monkeypatch.setattr(vectorised_earn_back, "replay_run",
                        lambda *a, **k: replayed.append(k["own_row"][0]) or replay_run(*a, **k))
    ours = vectorised_earn_back.earned_back(rule, big, charged_, total_, met, missed, "half up", decimal.ROUND_HALF_UP)
    assert replayed == [own]
    assert ours.tolist() == _replayed(rule, big, charged_, total_, met, missed, "half up").tolist()
    # the second run: 5 x 3 / 7 = 2.142857... cents outstanding, half of it 1.07 rounds to 1 cent
    assert ours[1].tolist() == [0, 0, 1]


def test_a_rate_too_fine_replays_every_run(monkeypatch):
    replayed = []
    monkeypatch.setattr(vectorised_earn_back, "replay_run", lambda *a, **k: replayed.append(1) or replay_run(*a, **k))
    own = np.array([[4, 0], [6, 0]], dtype=np.int64)
    met, missed = np.array([[False, True]] * 2), np.array([[True, False]] * 2)
    ours = earned_back(_rule("33.3333333", 1), own, own, own, met, missed, "half up", decimal.ROUND_HALF_UP)
    # 4 x 0.333333333 = 1.33 and 6 x 0.333333333 = 1.99999 cents: 1 and 2
    assert len(replayed) == 2 and ours.tolist() == [[0, 1], [0, 2]]


CAPPED = """contract "Earn-back under a cap" currency USD, rounding up to cents, starts 2026-01
inputs
  fee money
  up percent
at risk: {at_risk}% of fee each month
service level uptime
  measured as up
  target: at least 99%
  credit: {credit}% of fee
  earn back: 100% of its credits after 1 consecutive met months
"""


@given(fee=st.integers(1, 10 ** 9), credit=st.sampled_from(("30.98", "12.5", "7", "3.33")),
       at_risk=st.sampled_from(("4.03", "2", "1.17", "0.5")))
@example(fee=10000, credit="30.98", at_risk="4.03")  # 3,098 cents charged 403: 403 come back, not 404
def test_rounding_up_never_earns_back_more_than_was_charged(fee, credit, at_risk):
    program = slarules.compile_source(Source("capped.sla", CAPPED.format(credit=credit, at_risk=at_risk)))
    months = [{"fee": Decimal(fee).scaleb(-2), "up": Decimal(90)}, {"fee": Decimal(fee).scaleb(-2), "up": Decimal(100)}]
    money = vectorised.evaluate_money(program, vectorised.columns_of([months], ["fee", "up"]), 24312)
    # the cap cut the month's credits to what it charged; all of it comes back the next month, never a cent more
    assert money.exact_runs == 0 and money.earned_back[0, 1] == money.credits[0, 0]
    exact = program.evaluate({"2026-01": months[0], "2026-02": months[1]})
    assert exact.periods[1].totals.earned_back == exact.periods[0].totals.credits


def test_credits_too_large_for_the_integer_scan_are_replayed_to_the_exact_money(monkeypatch):
    # A fee of USD 100 trillion: the credit (50%) and the charge the cap leaves (40%) are below
    # 2**61 cents each, but their product is about 2 x 10**31: earn-back replays the run with
    # Decimals; the rest of the run stays vectorised (no run goes to the exact evaluator).
    text = CAPPED.replace("rounding up", "rounding half even").format(credit="50", at_risk="40")
    program = slarules.compile_source(Source("huge.sla", text))
    fee = Decimal("100000000000000.00")
    months = [{"fee": fee, "up": Decimal(90)}, {"fee": fee + 1, "up": Decimal(90)}, {"fee": fee, "up": Decimal(100)}]
    replayed = []
    monkeypatch.setattr(vectorised_earn_back, "replay_run", lambda *a, **k: replayed.append(1) or replay_run(*a, **k))
    money = vectorised.evaluate_money(program, vectorised.columns_of([months], ["fee", "up"]), 24312)
    exact = program.evaluate({"2026-01": months[0], "2026-02": months[1], "2026-03": months[2]})
    assert replayed == [1] and money.exact_runs == 0
    assert money.earned_back.tolist() == [[int(p.totals.earned_back * 100) for p in exact.periods]]
    # 40% of each month's fee charged (40 and 40.0000000000004 trillion), all of it back in March
    assert money.earned_back[0, 2] == 4_000_000_000_000_000 + 4_000_000_000_000_040
