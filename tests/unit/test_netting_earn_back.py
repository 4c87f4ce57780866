"""Netting combined with earn-back: what is due to each side, per period and over the history.

One history, hand-computed under each of the three netting policies. Fee 60,000.00, so
4% of fee is 2,400.00 and 1% of fee is 600.00.

  soa:     target at least 80%, credit 4% of fee (2,400.00), bonus at least 95%: 1% of fee
           (600.00), earn back 50% of its credits after 1 consecutive met month;
  quality: target at least 90%, credit 4% of fee (2,400.00).

  month  sl  qa   credits  earned back  bonuses
  Jan    70  95   2,400.00         0.00     0.00   soa misses
  Feb    96  80   2,400.00     1,200.00   600.00   soa met (50% of Jan's 2,400.00 back, bonus);
                                                   quality misses
  Mar    96  95       0.00         0.00   600.00   soa met, nothing outstanding; bonus
  Apr    70  95   2,400.00         0.00     0.00   soa misses
  May    90  95       0.00     1,200.00     0.00   soa met: 50% of Apr's 2,400.00 back; no bonus

What is due (to the client, to the vendor) in each month, from the contract wording:

- "bonuses are paid separately": credits less earned back to the client when positive, the
  bonuses in full to the vendor plus any earn-back beyond the month's credits.
  Jan (2,400, 0); Feb 2,400 - 1,200 = 1,200 -> (1,200, 600); Mar (0, 600); Apr (2,400, 0);
  May 0 - 1,200 < 0 -> (0, 1,200). Totals: client 6,000.00, vendor 2,400.00.
- "bonuses offset credits": only the net credits - earned back - bonuses, on its side.
  Jan (2,400, 0); Feb 2,400 - 1,200 - 600 = 600 -> (600, 0); Mar -600 -> (0, 600);
  Apr (2,400, 0); May -1,200 -> (0, 1,200). Totals: client 5,400.00, vendor 1,800.00.
- "bonuses only offset credits": bonuses beyond the month's credits are forfeit (never paid),
  then as offset. Feb 600 <= 2,400 stands: (600, 0); Mar's 600 exceeds 0 credits: forfeit,
  (0, 0); May's earn-back is still paid: (0, 1,200). Totals: client 5,400.00, vendor 1,200.00.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from slarules import Source, compile_source

HEADER = 'contract "T" currency USD, starts 2026-01\ninputs fee money\n sl percent\n qa percent\n'
BODY = ("service level soa measured as sl target: at least 80%\n"
        "  credit: 4% of fee\n"
        "  bonus: at least 95%: 1% of fee\n"
        "  earn back: 50% of its credits after 1 consecutive met month\n"
        "service level quality measured as qa target: at least 90%\n"
        "  credit: 4% of fee\n")
HISTORY = {month: {"fee": "60000", "sl": sl, "qa": qa} for month, sl, qa in [
    ("2026-01", "70", "95"), ("2026-02", "96", "80"), ("2026-03", "96", "95"),
    ("2026-04", "70", "95"), ("2026-05", "90", "95")]}

# The money columns of the table in the module docstring (the same under every policy but
# the bonuses of "only offset", where March's bonus is forfeit).
CREDITS = ["2400.00", "2400.00", "0.00", "2400.00", "0.00"]
EARNED_BACK = ["0.00", "1200.00", "0.00", "0.00", "1200.00"]

CASES = {
    "bonuses are paid separately": (
        ["600.00", "600.00"],
        [("2400.00", "0.00"), ("1200.00", "600.00"), ("0.00", "600.00"), ("2400.00", "0.00"), ("0.00", "1200.00")],
        ("6000.00", "2400.00")),
    "bonuses offset credits": (
        ["600.00", "600.00"],
        [("2400.00", "0.00"), ("600.00", "0.00"), ("0.00", "600.00"), ("2400.00", "0.00"), ("0.00", "1200.00")],
        ("5400.00", "1800.00")),
    "bonuses only offset credits": (
        ["600.00", "0.00"],
        [("2400.00", "0.00"), ("600.00", "0.00"), ("0.00", "0.00"), ("2400.00", "0.00"), ("0.00", "1200.00")],
        ("5400.00", "1200.00")),
}


def outcome_under(netting: str):
    return compile_source(Source("t.sla", HEADER + netting + "\n" + BODY)).evaluate(HISTORY)


@pytest.mark.parametrize("netting", CASES)
def test_the_money_of_each_month_before_netting(netting):
    bonuses, _, _ = CASES[netting]
    outcome = outcome_under(netting)
    assert [str(p.totals.credits) for p in outcome.periods] == CREDITS
    assert [str(p.totals.earned_back) for p in outcome.periods] == EARNED_BACK
    assert [str(p.totals.bonuses) for p in outcome.periods[1:3]] == bonuses


@pytest.mark.parametrize("netting", CASES)
def test_each_month_is_due_net_of_its_earn_back(netting):
    _, dues, _ = CASES[netting]
    outcome = outcome_under(netting)
    # Compared as numbers: a zero due may be Decimal("0") rather than "0.00".
    assert [(p.totals.due_to_client, p.totals.due_to_vendor) for p in outcome.periods] == [
        (Decimal(c), Decimal(v)) for c, v in dues]


@pytest.mark.parametrize("netting", CASES)
def test_the_history_total_is_due_net_of_its_earn_back(netting):
    _, dues, (to_client, to_vendor) = CASES[netting]
    outcome = outcome_under(netting)
    # The history's dues are the sums of the months' dues (and the one contract year's the same).
    assert sum(Decimal(c) for c, _ in dues) == Decimal(to_client)
    assert sum(Decimal(v) for _, v in dues) == Decimal(to_vendor)
    expected = (Decimal(to_client), Decimal(to_vendor))
    assert (outcome.totals.due_to_client, outcome.totals.due_to_vendor) == expected
    (year,) = outcome.by_contract_year
    assert (year.totals.due_to_client, year.totals.due_to_vendor) == expected
    assert str(outcome.totals.earned_back) == "2400.00"


@pytest.mark.parametrize("netting", CASES)
def test_the_totals_csv_a_billing_import_reads_says_what_is_due(netting):
    """The totals file beside the line items (Outcome.totals_csv, `evaluate --totals`): the
    hand-computed dues of the docstring, month by month and for the whole history."""
    _, dues, (to_client, to_vendor) = CASES[netting]
    rows = list(csv.DictReader(io.StringIO(outcome_under(netting).totals_csv())))
    assert [(r["period"], r["due_to_client"], r["due_to_vendor"]) for r in rows] == [
        *((month, c, v) for month, (c, v) in zip(HISTORY, dues)), ("total", to_client, to_vendor)]
    assert [r["credits"] for r in rows[:-1]] == CREDITS and [r["earned_back"] for r in rows[:-1]] == EARNED_BACK
    policy = {"bonuses are paid separately": "paid separately", "bonuses offset credits": "offset",
              "bonuses only offset credits": "only offset"}[netting]
    assert {r["netting"] for r in rows} == {policy}
    assert {r["currency"] for r in rows} == {"USD"} and {r["termination_rights"] for r in rows} == {""}


def test_earn_back_never_returns_more_than_was_charged_under_rounding_up():
    """Found by the reference property (rounding up, a contract-year cap): the share of a
    capped period's credits was computed as own x (charged / own), a 34-digit quotient, and
    3,098 x (403 / 3,098) came to 403.0000...0002, which `rounding up` turned into 618 earned
    back of 617 charged. The share is now own x charged / own: exactly 403.

    January: 1% of 21,400 = 214. February: 1% of 309,800 = 3,098, cut by the contract year's
    USD 617 to 617 - 214 = 403 charged. March and April met: 100% of 214 + 403 = 617 returned."""
    program = compile_source(Source("t.sla", '''contract "T" currency USD, rounding up to whole units, starts 2026-01
inputs
  fee money
  v percent
service level s
  measured as v
  target: at most 5%
  credit: 1% of fee
  earn back: 100% of its credits after 2 consecutive met months
credits in each contract year at most USD 617
'''))
    outcome = program.evaluate({"2026-01": {"fee": "21400", "v": "9"}, "2026-02": {"fee": "309800", "v": "9"},
                                "2026-03": {"fee": "1000", "v": "1"}, "2026-04": {"fee": "1000", "v": "1"}})
    assert [p.totals.credits for p in outcome.periods] == [Decimal(214), Decimal(403), 0, 0]
    assert outcome.totals.earned_back == outcome.totals.credits == Decimal(617)
