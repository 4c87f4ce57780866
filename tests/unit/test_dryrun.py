"""Dry run: the proposed renewal terms (tests/golden/dryrun/acme_proposed.sla)
against the current Acme terms (rulesets/acme_contact_center.sla), both over
rulesets/acme_contact_center.csv with its events."""
from __future__ import annotations

from decimal import Decimal

import pytest

import slarules
from slarules import SlaError, Source
from slarules.tools.dryrun import compare
from tests.conftest import ROOT, TESTS

GOLDEN = TESTS / "golden" / "dryrun"
CURRENT = ROOT / "rulesets" / "acme_contact_center.sla"
PROPOSED = GOLDEN / "acme_proposed.sla"


def _rel(path):
    return str(path.relative_to(ROOT))


@pytest.fixture(scope="module")
def comparison():
    import os
    cwd = os.getcwd()
    os.chdir(ROOT)  # ruleset paths in the output are relative, as the CLI gives them
    try:
        current = slarules.load(_rel(CURRENT))
        proposed = slarules.load(_rel(PROPOSED), strict=True)
        history = slarules.read_history(current, "rulesets/acme_contact_center.csv",
                                        "rulesets/acme_contact_center.events.csv")
        return compare(proposed, current, history)
    finally:
        os.chdir(cwd)


def _period(comparison, label):
    return next(p for p in comparison.periods if p.period == label)


def _row(period, name):
    return next(r for r in period.rows if r.service_level == name)


def test_golden_text(comparison, golden):
    golden(comparison.to_text(), GOLDEN / "acme.txt")


def test_golden_json(comparison, golden):
    golden(comparison.to_json(), GOLDEN / "acme.json")
    assert comparison.to_json() == comparison.to_json()


def test_march_2026_by_hand(comparison):
    # 2026-03: fee 60,000; 10,000 calls; 7,412 answered in 20 s (74.12%); 620 abandoned
    # (6.2%); 7,100 resolved first call (71%); quality 91%.
    p = _period(comparison, "2026-03")
    # speed_of_answer, most severe row: current "below 75%: 5%" = 3,000;
    # proposed "below 75%: 6%" = 3,600.
    soa = _row(p, "speed_of_answer")
    assert (soa.current.credits, soa.proposed.credits, soa.difference.net) == (
        Decimal("3000.00"), Decimal("3600.00"), Decimal("600.00"))
    # abandonment 6.2%: 1.2 points above 5%, part points count as whole = 2 points;
    # current 1% per point = 1,200; proposed 1.5% per point = 1,800.
    ab = _row(p, "abandonment")
    assert (ab.current.credits, ab.proposed.credits) == (Decimal("1200.00"), Decimal("1800.00"))
    # resolution (proposed only): 71% below 72% -> 2% = 1,200; current side absent.
    res = _row(p, "resolution")
    assert res.current is None and res.proposed.credits == Decimal("1200.00")
    assert res.difference.net == Decimal("1200.00")
    # first_contact_resolution (current only): 71% meets 70%, no credit; absent in proposed.
    fcr = _row(p, "first_contact_resolution")
    assert fcr.proposed is None and fcr.current.credits == Decimal("0.00")
    # calls_handled (proposed only): (10,000 - 620) / 10,000 = 93.8% below 95% -> USD 1,000.
    assert _row(p, "calls_handled").proposed.credits == Decimal("1000.00")
    # Totals: current 3,000 + 1,200 = 4,200 (under the 12% cap of 7,200);
    # proposed 3,600 + 1,800 + 1,200 + 1,000 = 7,600 (under the 15% cap of 9,000).
    assert (p.current.net, p.proposed.net, p.difference.net) == (
        Decimal("4200.00"), Decimal("7600.00"), Decimal("3400.00"))
    assert all(r.service_level is not None for r in p.rows)  # no cap bound: no period-wide row


def test_september_2026_by_hand(comparison):
    # 2026-09: fee 60,000; 68.5% answered in 20 s; 11.3% abandoned; 58.4% resolved; quality 83.5%.
    p = _period(comparison, "2026-09")
    # speed_of_answer below 70%: current 8% = 4,800, proposed 10% = 6,000.
    assert _row(p, "speed_of_answer").difference.credits == Decimal("1200.00")
    # abandonment 6.3 points -> 7: current 7% capped at 4% = 2,400; proposed 10.5% capped at 6% = 3,600.
    assert _row(p, "abandonment").difference.credits == Decimal("1200.00")
    # quality 83.5%: 6.5 points -> 7 x USD 500 = 3,500, capped at USD 3,000, same in both.
    assert _row(p, "quality").difference.net == 0
    # first_contact_resolution 58.4% is in cure under the current terms (cured in 2026-10): no credit.
    assert _row(p, "first_contact_resolution").current.credits == 0
    # Current: 4,800 + 2,400 + 3,000 = 10,200 > at risk 12% = 7,200: the cap takes 3,000.
    # Proposed: 6,000 + 3,600 + 3,000 + 1,200 + 1,000 = 14,800 > 15% = 9,000: the cap takes 5,800.
    caps = _row(p, None)
    assert (caps.current.credits, caps.proposed.credits) == (Decimal("-3000.00"), Decimal("-5800.00"))
    assert (p.current.credits, p.proposed.credits, p.difference.credits) == (
        Decimal("7200.00"), Decimal("9000.00"), Decimal("1800.00"))


def test_rows_add_up_to_totals(comparison):
    for p in comparison.periods:
        for side in ("proposed", "current"):
            amounts = [getattr(r, side) for r in p.rows if getattr(r, side) is not None]
            assert sum(a.net for a in amounts) == getattr(p, side).net
    assert comparison.proposed.net == sum(p.proposed.net for p in comparison.periods)
    assert comparison.current.net == comparison.current_outcome.totals.net
    assert comparison.difference.net == comparison.proposed.net - comparison.current.net
    total_rows = {r.service_level: r for r in comparison.rows}
    assert total_rows["first_contact_resolution"].proposed is None
    assert total_rows["calls_handled"].current is None
    # the current terms' earn-back shows on its side only
    assert total_rows["speed_of_answer"].current.earned_back > 0
    assert total_rows["speed_of_answer"].proposed.earned_back == 0


def test_termination_rights(comparison):
    proposed = [(t.period, t.trigger) for t in comparison.proposed_terminations]
    current = [(t.period, t.trigger) for t in comparison.current_terminations]
    assert ("2026-11", "terminate when speed_of_answer is missed 3 times in any 6 months") in proposed
    assert ("2026-11", "terminate when speed_of_answer is missed 4 times in any 12 months") in current


def test_same_terms_make_no_difference():
    current = slarules.load(CURRENT)
    history = slarules.read_history(current, ROOT / "rulesets" / "acme_contact_center.csv")
    c = compare(current, current, history, "renewal", "today")
    assert all(r.difference.net == 0 for p in c.periods for r in p.rows)
    assert c.difference.net == 0
    assert "renewal" in c.to_text() and '"proposed": "renewal"' in c.to_json()


def test_an_input_the_history_lacks_is_an_error():
    current = slarules.load(CURRENT)
    history = slarules.read_history(current, ROOT / "rulesets" / "acme_contact_center.csv")
    text = CURRENT.read_text().replace("abandoned            count", "lost_calls           count").replace(
        "measured as abandoned /", "measured as lost_calls /")
    proposed = slarules.compile_source(Source("lost.sla", text))
    with pytest.raises(SlaError) as err:
        compare(proposed, current, history)
    assert err.value.diagnostics[0].code == "SLA401"
    assert "lost_calls" in err.value.diagnostics[0].message


def test_different_currencies_are_an_error():
    current = slarules.load(CURRENT)
    history = slarules.read_history(current, ROOT / "rulesets" / "acme_contact_center.csv")
    euro = slarules.compile_source(Source("eur.sla", CURRENT.read_text().replace("currency USD", "currency EUR")
                                          .replace("USD ", "EUR ")))
    with pytest.raises(SlaError) as err:
        compare(euro, current, history)
    assert err.value.diagnostics[0].code == "SLA212"
