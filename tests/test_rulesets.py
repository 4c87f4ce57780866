"""The example rulesets in rulesets/: each checks with no diagnostic, evaluates
its data (at least twelve periods, with the waivers and exclusions of its events
file if it has one) to the golden outcome, fires every clause it has, and agrees
with the money and the termination rights computed by hand below from its
wording and data.
"""
from __future__ import annotations

import csv
import functools
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import jsonschema
import pytest

from slarules import Source, check, compile_source, parse, read_history
from slarules.language import nodes
from tests.erp_by_hand import ERP_BY_HAND, ERP_DELIVERABLES

ROOT = Path(__file__).resolve().parents[1]
RULESETS = sorted((ROOT / "rulesets").glob("*.sla"))
GOLDEN = ROOT / "tests" / "golden" / "outcomes"
SCHEMA = json.loads((ROOT / "slarules" / "formats" / "schema" / "outcome.schema.json").read_text(encoding="utf-8"))
CREDIT_KINDS = {"credit", "credit cap", "credits replaced", "late report", "late delivery"}
BONUS_KINDS = {"bonus", "bonus cap", "bonus forfeit"}
EARN_BACK_KINDS = {"earn back"}
WITHHOLD_KINDS = {"withhold"}

each_ruleset = pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])


def source(path: Path) -> Source:
    """The ruleset named as from the repository root, so clause references in
    the golden files do not depend on where the checkout lives."""
    return Source(f"rulesets/{path.name}", path.read_text(encoding="utf-8"))


def data_file(path: Path) -> Path:
    found = [path.with_suffix(ext) for ext in (".csv", ".json") if path.with_suffix(ext).exists()]
    assert len(found) == 1, f"{path.name} needs exactly one data file, {path.stem}.csv or {path.stem}.json"
    return found[0]


def events_file(path: Path) -> Path | None:
    """<stem>.events.csv: the waivers and exclusions of the example, if it has any."""
    events = path.with_name(f"{path.stem}.events.csv")
    return events if events.exists() else None


@functools.cache
def evaluate(path: Path, with_events: bool = True):
    program = compile_source(source(path))
    return program.evaluate(read_history(program, data_file(path), events_file(path) if with_events else None))


# ---------------------------------------------------------------- every ruleset

@each_ruleset
def test_checks_with_no_diagnostic(path):
    assert [d.render() for d in check(parse(source(path)))] == []


@each_ruleset
def test_data_covers_at_least_twelve_periods(path):
    assert len(evaluate(path).periods) >= 12


@each_ruleset
def test_outcome_matches_the_golden_json(path, golden):
    golden(evaluate(path).to_json(), GOLDEN / f"{path.stem}.json")


@each_ruleset
def test_outcome_matches_the_golden_table(path, golden):
    golden(evaluate(path).to_text(), GOLDEN / f"{path.stem}.txt")


@each_ruleset
def test_outcome_matches_the_golden_totals_csv(path, golden):
    golden(evaluate(path).totals_csv(), GOLDEN / f"{path.stem}.totals.csv")


@each_ruleset
def test_the_totals_csv_agrees_with_the_json(path):
    """The totals file beside the line items holds the JSON's period and history totals, and
    each period's termination rights (`clause [clause CONTRACT CLAUSE] trigger`), every one in the total row."""
    data = json.loads(evaluate(path).to_json())
    rows = list(csv.DictReader(io.StringIO(evaluate(path).totals_csv())))
    assert [r["period"] for r in rows] == [p["period"] for p in data["periods"]] + ["total"]
    for row, totals in zip(rows, [p["totals"] for p in data["periods"]] + [data["totals"]]):
        assert {name: row[name] for name in totals} == totals
    for row, rights in zip(rows, [p["terminations"] for p in data["periods"]] + [data["terminations"]]):
        assert row["termination_rights"] == "; ".join(
            f"{t['clause']}{' clause ' + t['contract_clause'] if t['contract_clause'] else ''} {t['trigger']}"
            + (f" (occurrence {t['occurrence']})" if t["occurrence"] > 1 else "")
            + (f", effective {t['effective']}" if "effective" in t else "")
            for t in rights)


@each_ruleset
def test_outcome_json_follows_the_published_schema(path):
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(evaluate(path).to_json()))


def _sum(lines, kinds) -> Decimal:
    return sum((line.amount for line in lines if line.kind in kinds), Decimal(0))


@each_ruleset
def test_line_items_add_up_to_period_service_level_year_and_history_totals(path):
    outcome = evaluate(path)
    # Earn-back lines are negative (credits returned); the totals report them as a positive amount.
    for kinds, total, sign in ((CREDIT_KINDS, "credits", 1), (BONUS_KINDS, "bonuses", 1),
                               (EARN_BACK_KINDS, "earned_back", -1), (WITHHOLD_KINDS, "withheld", 1)):
        for period in outcome.periods:
            assert getattr(period.totals, total) == sign * _sum(period.lines, kinds)
        for sl in outcome.by_service_level if total != "withheld" else ():  # a withhold is period-wide
            own = [line for line in outcome.lines if line.service_level == sl.service_level]
            assert getattr(sl, total) == sign * _sum(own, kinds)
        history = getattr(outcome.totals, total)
        assert history == sum(getattr(p.totals, total) for p in outcome.periods)
        assert history == sum(getattr(y.totals, total) for y in outcome.by_contract_year)


@each_ruleset
def test_every_clause_fires_in_some_period(path):
    """Each tier row, award, cap, volume condition, bonus gate, missing-data rule,
    cure, free pass, earn-back and termination trigger of the ruleset shows in the
    outcome at least once, and some period is all met."""
    ruleset = parse(source(path))
    outcome = evaluate(path)
    cited = {(line.kind, line.clause.line) for line in outcome.lines}
    results = [r for p in outcome.periods for r in p.results]
    expected = set()
    for sl in ruleset.service_levels:
        for award in (sl.credit, sl.bonus):
            if award is None:
                continue
            if isinstance(award.form, nodes.Table):
                expected |= {(award.kind, row.span.line) for row in award.form.rows}
            else:
                expected.add((award.kind, award.span.line))
            if getattr(award.form, "cap", None) is not None:
                expected.add((f"{award.kind} cap", award.form.cap.span.line))
        if sl.earn_back is not None:
            expected.add(("earn back", sl.earn_back.span.line))
        name = sl.name.text
        own = [r for r in results if r.service_level == name]
        if sl.volume is not None:
            assert any(r.status == "not measured" for r in own), name
        if sl.gate is not None:
            assert any("withheld" in (r.note or "") for r in own), name
        if sl.cure is not None:
            # a cure that succeeds, and one that fails: the held credit charged when the window closes
            assert any(r.status == "cured" for r in own), name
            charged = [line for line in outcome.lines if line.service_level == name]
            assert any("not cured by" in line.explanation for line in charged), name
        if sl.free_passes is not None:
            assert any("free pass" in (r.note or "") for r in own), name
    expected |= {("credit cap", term.span.line) for term in ruleset.of_type(nodes.AtRisk)}
    expected |= {("credit cap", term.span.line) for term in ruleset.of_type(nodes.WindowCap)}
    expected |= {("bonus cap", term.span.line) for term in ruleset.of_type(nodes.BonusLimit)}
    failures = ruleset.of_type(nodes.CriticalFailure)
    expected |= {("withhold", term.withhold.span.line) for term in failures}
    expected |= {("credits replaced", term.credits_not_accrued.span.line) for term in failures
                 if term.credits_not_accrued is not None}
    assert expected - cited == set()
    for term in failures:  # each condition of a critical failure holds in some period
        for condition in term.conditions:
            text = (f"{condition.service_level.text} was" if isinstance(condition, nodes.FailureFloor)
                    else "service levels missed:")
            assert any(text in line.explanation for line in outcome.lines if line.kind == "withhold"), text
    for inp in ruleset.inputs:
        if isinstance(inp.missing, nodes.MissingIsMiss):
            unreported = f"{inp.name.text} not reported"
            assert any(r.status == "missed" and unreported in (r.note or "") for r in results), unreported
    triggers = {term.span.line for term in ruleset.of_type(nodes.Termination)}
    triggers |= {term.may_terminate.span.line for term in failures if term.may_terminate is not None}
    assert {right.clause.line for right in outcome.terminations} == triggers
    assert any(all(r.status == "met" for r in p.results) for p in outcome.periods)


# ---------------------------------------------------------------- computed by hand

class Month(NamedTuple):
    """A period computed by hand: each service level's status in declaration order
    (m met, x missed, - not measured, i in cure, c cured, w waived, e excluded),
    credits and bonuses after every cap, every line item as (service level, kind,
    amount) in the outcome's order, the credits earned back in the period and the
    charges withheld on a critical failure."""

    statuses: str
    credits: str
    bonuses: str
    lines: tuple[tuple[str | None, str, str], ...] = ()
    earned_back: str = "0.00"
    withheld: str = "0.00"


_STATUS_LETTER = {"met": "m", "missed": "x", "not measured": "-", "in cure": "i", "cured": "c",
                  "waived": "w", "excluded": "e", "pending": "p"}

# Schedule C, Acme, with the events file (a waiver in 2027-03, an exclusion in 2027-05).
# Fee 60,000.00 (64,000.00 from November 2026); at risk 12% = 7,200.00 (7,680.00);
# bonus limit 3% = 1,800.00 (1,920.00). Columns: speed_of_answer, abandonment,
# first_contact_resolution, quality. C.2.1(b): after three consecutive met months of
# speed, half of its credits since the last earn-back come back. C.2.3(b): a missed
# resolution month is cured by a met following month; otherwise its own credit is
# charged in that following month.
ACME = {
    # 480 calls offered, under the 500 that all three call KPIs need: not measured
    # (speed 300/480 = 62.5% would have cost 8%). Quality 93.0% meets 90%, short of 95%.
    "2026-01": Month("---m", "0.00", "0.00"),
    # Speed 8,036/9,800 = 82%: met, between target 80% and bonus row 85%, so no bonus;
    # abandonment 392/9,800 = 4%; resolution 7,056/9,800 = 72%; quality 92.5%.
    "2026-02": Month("mmmm", "0.00", "0.00"),
    # Speed 7,412/10,000 = 74.12%: rows 'below 80%' and 'below 75%' match, the most
    # severe applies: 5% of 60,000.00 = 3,000.00 (outstanding for earn-back). Abandonment
    # 620/10,000 = 6.2%: 1.2 points above 5%, part points count as whole -> 2 x 1% = 1,200.00.
    # Resolution 71%, quality 91%: met. Credits 4,200.00.
    "2026-03": Month("xxmm", "4200.00", "0.00", (
        ("speed_of_answer", "credit", "3000.00"),
        ("abandonment", "credit", "1200.00"))),
    # Speed 9,240/10,000 = 92.4% (first met month after March): best row 'at least 90%'
    # 2% = 1,200.00, paid since no critical service level is missed; quality 96.5% -> USD
    # 1,000.00. Bonuses 2,200.00 exceed the limit 1,800.00: bonus cap -400.00.
    # Abandonment 3%, resolution 74%.
    "2026-04": Month("mmmm", "0.00", "1800.00", (
        ("speed_of_answer", "bonus", "1200.00"),
        ("quality", "bonus", "1000.00"),
        (None, "bonus cap", "-400.00"))),
    # Speed 8,800/11,000 = 80.00% exactly: 'at least 80%' is met (second met month), no
    # bonus row reached. Abandonment 550/11,000 = 5.00% exactly: 'at most 5%' is met.
    # Resolution 7,480/11,000 = 68%: in cure until June, its credit (row 'from 65 to
    # below 70%' 1% = 600.00) held. Quality 88.4%: 1.6 points below 90% -> 2 x USD 500
    # = 1,000.00. Credits 1,000.00.
    "2026-05": Month("mmix", "1000.00", "0.00", (
        ("quality", "credit", "1000.00"),)),
    # Speed 87.12%, third met month in a row (Apr, May, Jun): 50% of March's 3,000.00
    # = 1,500.00 earned back. Its bonus row 'at least 85%' is withheld: quality, a
    # critical service level, is missed at 87.0% -> 3 points x 500 = 1,500.00.
    # Resolution 6,350/10,000 = 63.5% misses again: May's window closes uncured, so May's
    # 600.00 is charged now (not June's row, 2%); June's own 1,200.00 is held until July.
    # Abandonment 4.1%. Credits 600 + 1,500 = 2,100.00.
    "2026-06": Month("mmix", "2100.00", "0.00", (
        ("first_contact_resolution", "credit", "600.00"),
        ("quality", "credit", "1500.00"),
        ("speed_of_answer", "earn back", "-1500.00")), earned_back="1500.00"),
    # Resolution 7,000/10,000 = 70.00% exactly meets 'at least 70%': June's miss is cured,
    # its 1,200.00 never charged. Quality score not reported: missing counts as a miss,
    # so the maximum credit applies: the clause's cap, USD 3,000, as one line. Speed 90.5%
    # (2% bonus) is withheld because critical quality is missed. Abandonment 4.4%.
    "2026-07": Month("mmcx", "3000.00", "0.00", (
        ("quality", "credit", "3000.00"),)),
    # Speed 78.3%: row 'below 80%' 2% = 1,200.00. Abandonment 980/10,000 = 9.8%: 4.8 points
    # -> 5 x 600.00 = 3,000.00, above its cap 4% = 2,400.00: cap -600.00. Resolution 71.5%
    # (no window open), quality 90.0% exactly: met. Credits 3,600.00, under the 7,200.00 at risk.
    "2026-08": Month("xxmm", "3600.00", "0.00", (
        ("speed_of_answer", "credit", "1200.00"),
        ("abandonment", "credit", "3000.00"),
        ("abandonment", "credit cap", "-600.00"))),
    # Everything missed. Speed 68.5%: row 'below 70%' 8% = 4,800.00. Abandonment 11.3%:
    # 6.3 -> 7 points = 4,200.00, capped at 2,400.00 (-1,800.00). Resolution 5,840/10,000
    # = 58.4%: in cure, row 'below 60%' 3% = 1,800.00 held until October. Quality 83.5%:
    # 6.5 -> 7 points x 500 = 3,500.00, capped at USD 3,000 (-500.00). 4,800 + 2,400 + 3,000
    # = 10,200.00 exceeds the 7,200.00 at risk: cap -3,000.00. Credits 7,200.00.
    "2026-09": Month("xxix", "7200.00", "0.00", (
        ("speed_of_answer", "credit", "4800.00"),
        ("abandonment", "credit", "4200.00"),
        ("abandonment", "credit cap", "-1800.00"),
        ("quality", "credit", "3500.00"),
        ("quality", "credit cap", "-500.00"),
        (None, "credit cap", "-3000.00"))),
    # Speed 85.4%: row 'at least 85%' 1% = 600.00; quality 95.0% exactly: USD 1,000.00.
    # Bonuses 1,600.00, under the 1,800.00 limit. Resolution 70.9% cures September: its
    # 1,800.00 is never charged. Abandonment 3.8%.
    "2026-10": Month("mmcm", "0.00", "1600.00", (
        ("speed_of_answer", "bonus", "600.00"),
        ("quality", "bonus", "1000.00"))),
    # Fee 64,000.00. Speed 10,112/12,800 = 79%: 2% = 1,280.00. It is speed's fourth miss
    # within twelve months (Mar, Aug, Sep, Nov; the window 2026-01..11 is all there is
    # yet): termination right under C.5(b). Abandonment 704/12,800 = 5.5%: 0.5 point -> 1
    # x 1% = 640.00. Resolution 8,320/12,800 = 65.00% exactly: in cure, row 'from 65 to
    # below 70%' 1% = 640.00 held. Quality 94%. Credits 1,920.00.
    "2026-11": Month("xxim", "1920.00", "0.00", (
        ("speed_of_answer", "credit", "1280.00"),
        ("abandonment", "credit", "640.00"))),
    # Speed 11,900/14,000 = 85.00% exactly: row 'at least 85%' 1% = 640.00 (first met month).
    # Resolution 72% cures November. Abandonment 4.5%, quality 93.5%: met.
    "2026-12": Month("mmcm", "0.00", "640.00", (
        ("speed_of_answer", "bonus", "640.00"),)),
    # Speed 10,560/12,000 = 88% (second met month): row 'at least 85%' 640.00; quality 95.5%:
    # USD 1,000.00. Bonuses 1,640.00, under 1,920.00. Abandonment 480/12,000 = 4%,
    # resolution 8,640/12,000 = 72%.
    "2027-01": Month("mmmm", "0.00", "1640.00", (
        ("speed_of_answer", "bonus", "640.00"),
        ("quality", "bonus", "1000.00"))),
    # Speed 10,010/11,000 = 91%: row 'at least 90%' 2% = 1,280.00, and the third met month
    # in a row (Dec, Jan, Feb): 50% of the credits charged since June's earn-back. Only
    # credits actually charged come back: September's at-risk cap kept 7,200 of the
    # 10,200.00 its service levels incurred, so speed's 4,800.00 counts as
    # 4,800 x 7,200/10,200 = 3,388.2352...; with Aug 1,200 and Nov 1,280 the basis is
    # 5,868.2352... -> 50% = 2,934.1176... = 2,934.12 back. Abandonment 440/11,000 = 4%,
    # resolution 7,810/11,000 = 71%, quality 93%.
    "2027-02": Month("mmmm", "0.00", "1280.00", (
        ("speed_of_answer", "bonus", "1280.00"),
        ("speed_of_answer", "earn back", "-2934.12")), earned_back="2934.12"),
    # Abandonment 900/12,500 = 7.2%: 2.2 -> 3 points x 640.00 = 1,920.00, waived by the Client
    # (events file): no credit. Speed 10,375/12,500 = 83%, in the dead band; resolution
    # 8,875/12,500 = 71%; quality 92%.
    "2027-03": Month("mwmm", "0.00", "0.00"),
    # Speed 9,240/12,000 = 77%: row 'below 80%' 2% = 1,280.00, a run of misses starts.
    # Resolution 8,160/12,000 = 68%: in cure, 1% = 640.00 held. Abandonment 540/12,000
    # = 4.5%, quality 91%.
    "2027-04": Month("xmim", "1280.00", "0.00", (
        ("speed_of_answer", "credit", "1280.00"),)),
    # Speed 7,200/12,000 = 60% is excluded (Relief Event, events file): no credit (row
    # 'below 70%' would be 8% = 5,120.00), and the month neither counts toward nor breaks
    # the run of misses. Resolution 8,460/12,000 = 70.5% cures April: 640.00 never charged.
    # Abandonment 4.5%, quality 90.5%.
    "2027-05": Month("emcm", "0.00", "0.00"),
    # Speed 8,760/12,000 = 73%: row 'below 75%' 5% = 3,200.00; second miss of the run.
    # Abandonment 4%, resolution 8,520/12,000 = 71%, quality 92%.
    "2027-06": Month("xmmm", "3200.00", "0.00", (
        ("speed_of_answer", "credit", "3200.00"),)),
    # Speed 9,420/12,000 = 78.5%: 2% = 1,280.00; the third miss in a row (Apr, Jun, Jul,
    # excluded May skipped): termination right under C.5(a). Abandonment 504/12,000 = 4.2%,
    # resolution 72%, quality 91.5%.
    "2027-07": Month("xmmm", "1280.00", "0.00", (
        ("speed_of_answer", "credit", "1280.00"),)),
    # Speed 9,840/12,000 = 82% (first met month); abandonment 3.8%; resolution
    # 8,700/12,000 = 72.5%; quality 93%.
    "2027-08": Month("mmmm", "0.00", "0.00"),
    # Speed 10,320/12,000 = 86%: 1% = 640.00. Resolution 7,020/12,000 = 58.5%: in cure, row
    # 'below 60%' 3% = 1,920.00 held. Abandonment 3.7%, quality 94%.
    "2027-09": Month("mmim", "0.00", "640.00", (
        ("speed_of_answer", "bonus", "640.00"),)),
    # Speed 10,200/12,000 = 85.00% exactly: 640.00, and the third met month in a row: 50%
    # of 1,280 (Apr) + 3,200 (Jun) + 1,280 (Jul) = 5,760.00 -> 2,880.00 back. Resolution
    # 7,500/12,000 = 62.5% misses again: September's window closes uncured, its 1,920.00
    # charged; October's own row 'from 60 to below 65%' 2% = 1,280.00 held.
    # Abandonment 3.6%, quality 92.5%.
    "2027-10": Month("mmim", "1920.00", "640.00", (
        ("speed_of_answer", "bonus", "640.00"),
        ("first_contact_resolution", "credit", "1920.00"),
        ("speed_of_answer", "earn back", "-2880.00")), earned_back="2880.00"),
    # Resolution 8,060/13,000 = 62% misses: October's 1,280.00 is charged, November's
    # own 2% = 1,280.00 held. Speed 10,660/13,000 = 82%, abandonment 585/13,000 = 4.5%,
    # quality 90.0% exactly.
    "2027-11": Month("mmim", "1280.00", "0.00", (
        ("first_contact_resolution", "credit", "1280.00"),)),
    # Resolution 9,230/13,000 = 71% cures November. Speed 11,310/13,000 = 87%: 640.00;
    # quality 96%: USD 1,000.00; bonuses 1,640.00. Abandonment 520/13,000 = 4%.
    "2027-12": Month("mmcm", "0.00", "1640.00", (
        ("speed_of_answer", "bonus", "640.00"),
        ("quality", "bonus", "1000.00"))),
}

# Stratus Cloud SLA, EUR, rounding half even. Columns: uptime, support_response
# (measured only with at least 10 priority tickets).
CLOUD = {
    # Uptime 99.99%; 12/12 tickets answered in 30 minutes = 100%.
    "2026-01": Month("mm", "0.00", "0.00"),
    # Uptime 99.97%. Only 6 tickets: support not measured (4/6 = 66.7% would miss).
    "2026-02": Month("m-", "0.00", "0.00"),
    # Uptime 99.93%: row 'below 99.95%' 10% of 18,437.45 = 1,843.745, half even -> 1,843.74
    # (half up would give 1,843.75). Support 19/20 = 95.00% exactly: met.
    "2026-03": Month("xm", "1843.74", "0.00", (
        ("uptime", "credit", "1843.74"),)),
    # Uptime 99.95% exactly meets 'at least 99.95%'. Support 14/16 = 87.5%: shortfall
    # 7.5 points -> 7.5% of 19,250.00 = 1,443.75, under the 10% cap (1,925.00).
    "2026-04": Month("mx", "1443.75", "0.00", (
        ("support_response", "credit", "1443.75"),)),
    # Uptime 98.70%: row 'below 99%' 25% of 19,250.00 = 4,812.50. Support 24/25 = 96%.
    "2026-05": Month("xm", "4812.50", "0.00", (
        ("uptime", "credit", "4812.50"),)),
    # Uptime 99.00% is not below 99%: row 'below 99.95%' 10% of 20,000.10 = 2,000.01.
    # Support 11/12 = 91.66..%: shortfall 3.33.. points = 10/3% of 20,000.10
    # = 20,000.10 / 30 = 666.67. Credits 2,666.68.
    "2026-06": Month("xx", "2666.68", "0.00", (
        ("uptime", "credit", "2000.01"),
        ("support_response", "credit", "666.67"))),
    # Uptime 100%; 14/14 tickets on time.
    "2026-07": Month("mm", "0.00", "0.00"),
    # Major outage. Uptime 94.80%: row 'below 95%' 100% of 21,500.00. Support 30/40 = 75%:
    # shortfall 20 points = 4,300.00, capped at 10% = 2,150.00 (-2,150.00). 21,500 + 2,150
    # = 23,650.00 exceeds the at-risk 100% of the fee: cap -2,150.00. Credits 21,500.00.
    "2026-08": Month("xx", "21500.00", "0.00", (
        ("uptime", "credit", "21500.00"),
        ("support_response", "credit", "4300.00"),
        ("support_response", "credit cap", "-2150.00"),
        (None, "credit cap", "-2150.00"))),
    # Uptime 99.50%: 10% of 21,500.00 = 2,150.00. Support 24/30 = 80%: 15 points
    # = 3,225.00, capped at 2,150.00 (-1,075.00). Credits 4,300.00.
    "2026-09": Month("xx", "4300.00", "0.00", (
        ("uptime", "credit", "2150.00"),
        ("support_response", "credit", "3225.00"),
        ("support_response", "credit cap", "-1075.00"))),
    # Uptime 99.99%; 11/11 tickets on time.
    "2026-10": Month("mm", "0.00", "0.00"),
    # Uptime 96.50%: row 'below 99%' 25% of 22,000.00 = 5,500.00. Support exactly 10
    # tickets, so measured: 9/10 = 90%, 5 points = 1,100.00. Credits 6,600.00.
    "2026-11": Month("xx", "6600.00", "0.00", (
        ("uptime", "credit", "5500.00"),
        ("support_response", "credit", "1100.00"))),
    # Uptime 99.97%. No priority ticket: support not measured.
    "2026-12": Month("m-", "0.00", "0.00"),
}

# Contoso Schedule 3, GBP. Charges 250,000.00 (262,400.00 in May and December);
# at risk 10% = 25,000.00 (26,240.00). Allocations of the amount at risk: ERP 40%
# = 10,000.00 (10,496.00), P1 35% = 8,750.00, service desk 25% = 6,250.00,
# satisfaction 20% = 5,000.00 (5,248.00), backups 25% = 6,250.00: 145% in all.
# Columns: erp_availability, p1_resolution, service_desk_answer, user_satisfaction,
# backup_success, change_success (no credit).
IT = {
    # ERP (44,640 - 100)/44,640 = 99.78%; P1 410/2 = 205 minutes; answer 24 s;
    # satisfaction 4.3; backups 620/620; changes 46/48 = 95.8%.
    "2026-01": Month("mmmmmm", "0.00", "0.00"),
    # ERP (40,320 - 200)/40,320 = 99.50%: row 'below 99.7%' 50% of 10,000.00 = 5,000.00.
    # No P1 incident: not measured. Changes 37/40 = 92.5%: missed, no credit.
    "2026-02": Month("x-mmmx", "5000.00", "0.00", (
        ("erp_availability", "credit", "5000.00"),)),
    # ERP 44,620/44,640 = 99.96%. P1 825/3 = 275 minutes: 35 above 240, 35/30 = 1.17
    # -> 2 x 25% of 8,750.00 = 4,375.00. Answer 38 s: row 'above 30 to 45 seconds' 50%
    # of 6,250.00 = 3,125.00. Satisfaction 4.0 exactly met; backups 620/622 = 99.68%.
    "2026-03": Month("mxxmmm", "7500.00", "0.00", (
        ("p1_resolution", "credit", "4375.00"),
        ("service_desk_answer", "credit", "3125.00"))),
    # Every boundary met exactly: ERP (43,200 - 129.6)/43,200 = 99.700%; P1 240/1 = 240
    # minutes ('at most 240'); answer 30 s ('at most 30'). Satisfaction 4.4, backups 100%.
    "2026-04": Month("mmmmmm", "0.00", "0.00"),
    # Charges 262,400.00. ERP 44,140/44,640 = 98.88%: row 'below 99%' 100% of 10,496.00.
    # Only 35 surveys: satisfaction (3.6) not measured. P1 380/2 = 190 minutes.
    "2026-05": Month("xmm-mm", "10496.00", "0.00", (
        ("erp_availability", "credit", "10496.00"),)),
    # P1 1,020/2 = 510 minutes: 270 above 240 = 9 x 2,187.50 = 19,687.50, capped at
    # 100% of the allocation 8,750.00 (-10,937.50). Answer 47 s: row 'above 45 seconds'
    # 100% = 6,250.00. Backups 597/600 = 99.5% exactly met. ERP 99.79%.
    # Credits 15,000.00, under the 25,000.00 at risk.
    "2026-06": Month("mxxmmm", "15000.00", "0.00", (
        ("p1_resolution", "credit", "19687.50"),
        ("p1_resolution", "credit cap", "-10937.50"),
        ("service_desk_answer", "credit", "6250.00"))),
    # Everything missed. ERP 44,040/44,640 = 98.66%: 100% = 10,000.00. P1 390 minutes:
    # 150 above = 5 x 2,187.50 = 10,937.50, capped at 8,750.00 (-2,187.50). Answer 52 s:
    # 6,250.00. Satisfaction 3.7 (210 surveys): 5,000.00. Backups 580/620 = 93.5%:
    # 6,250.00. 10,000 + 8,750 + 6,250 + 5,000 + 6,250 = 36,250.00, above the pool
    # of 25,000.00: cap -11,250.00. Changes 49/55 = 89.1%.
    "2026-07": Month("xxxxxx", "25000.00", "0.00", (
        ("erp_availability", "credit", "10000.00"),
        ("p1_resolution", "credit", "10937.50"),
        ("p1_resolution", "credit cap", "-2187.50"),
        ("service_desk_answer", "credit", "6250.00"),
        ("user_satisfaction", "credit", "5000.00"),
        ("backup_success", "credit", "6250.00"),
        (None, "credit cap", "-11250.00"))),
    # ERP 44,500/44,640 = 99.69%: 50% = 5,000.00. P1 1,000/4 = 250 minutes: 10 above,
    # part of 30 counts as whole -> 1 x 2,187.50. Satisfaction 3.9: 5,000.00.
    # Credits 12,187.50.
    "2026-08": Month("xxmxmm", "12187.50", "0.00", (
        ("erp_availability", "credit", "5000.00"),
        ("p1_resolution", "credit", "2187.50"),
        ("user_satisfaction", "credit", "5000.00"))),
    # ERP 100%, P1 180 minutes, answer 22 s, satisfaction 4.5, backups and changes 100%.
    "2026-09": Month("mmmmmm", "0.00", "0.00"),
    # Answer 45 s exactly: row 'above 30 to 45 seconds' 50% = 3,125.00. Backups
    # 611/620 = 98.55%: 100% = 6,250.00. ERP 99.87%, P1 400/2 = 200. Credits 9,375.00.
    "2026-10": Month("mmxmxm", "9375.00", "0.00", (
        ("service_desk_answer", "credit", "3125.00"),
        ("backup_success", "credit", "6250.00"))),
    # ERP 99.90%, P1 215 minutes, answer 27 s, satisfaction 4.3, changes 40/41.
    "2026-11": Month("mmmmmm", "0.00", "0.00"),
    # Charges 262,400.00. ERP 44,372/44,640 = 99.40%: 50% of 10,496.00 = 5,248.00.
    # Satisfaction 3.95 (120 surveys): 100% of 5,248.00. P1 690/3 = 230. Credits 10,496.00.
    "2026-12": Month("xmmxmm", "10496.00", "0.00", (
        ("erp_availability", "credit", "5248.00"),
        ("user_satisfaction", "credit", "5248.00"))),
}

# Bastion managed security, assessed quarterly. Fee 150,000.00 a quarter in 2026,
# 156,000.00 in 2027, 162,000.00 in 2028; at risk 10% = 15,000.00 (15,600.00, 16,200.00).
# 5.2 caps a contract year's credits at 5% of its fees; the cap grows with the fees of
# the year so far, and binds only in 2027-Q4, when those are the whole year's.
# Patch compliance: two free passes a contract year; target 98%, 99% from 2027-01
# (Amendment No. 1). Columns: alert_triage, containment, patch_compliance.
SOC = {
    # Triage 962/1,000 = 96.2%; containment 200/4 = 50 minutes. Patch 97.0% misses 98%:
    # the first miss of contract year 1, a free pass (a warning, no credit).
    "2026-Q1": Month("mmx", "0.00", "0.00"),
    # Triage 1,116/1,200 = 93%: row 'below 95%' 3% of 150,000.00 = 4,500.00. No confirmed
    # incident: containment not measured. Patch 98.0% exactly meets 'at least 98%'.
    # Year so far 4,500.00, under 5% of 300,000.00 = 15,000.00.
    "2026-Q2": Month("x-m", "4500.00", "0.00", (
        ("alert_triage", "credit", "4500.00"),)),
    # Triage 1,170/1,200 = 97.5%; containment 150/3 = 50 minutes; patch 99.1%.
    "2026-Q3": Month("mmm", "0.00", "0.00"),
    # Triage 1,425/1,500 = 95.00% exactly meets. Containment 310/4 = 77.5 minutes: 17.5
    # above 60, part of 15 minutes counts as whole -> 2 x 1% = 3,000.00. Patch 97.2%: the
    # second miss of year 1, a free pass. Two service levels missed (a warning is still a
    # miss): termination right under 8.2(b). Year 7,500.00, under 30,000.00.
    "2026-Q4": Month("mxx", "3000.00", "0.00", (
        ("containment", "credit", "3000.00"),)),
    # Amendment No. 1 in force: patch 98.6% would meet 98% but misses 99%: the first miss
    # of contract year 2, a free pass. Triage 1,434/1,500 = 95.6%; containment 100/2 = 50.
    "2027-Q1": Month("mmx", "0.00", "0.00"),
    # Triage 1,456/1,600 = 91%: 3% of 156,000.00 = 4,680.00. Containment 165/3 = 55, patch 99.3%.
    "2027-Q2": Month("xmm", "4680.00", "0.00", (
        ("alert_triage", "credit", "4680.00"),)),
    # Triage 1,950/2,500 = 78%: row 'below 85%' 10% = 15,600.00, and below the 80% floor:
    # termination right under 8.2(a). Containment 900/6 = 150 minutes: 90 above -> 6 x 1%
    # = 9,360.00, capped at 5% = 7,800.00 (-1,560.00). Patch 97.9%: second free pass of
    # year 2. 15,600 + 7,800 = 23,400.00 exceeds the 15,600.00 at risk: -7,800.00.
    # Year so far 4,680 + 15,600 = 20,280.00, under 5% of 468,000.00 = 23,400.00.
    "2027-Q3": Month("xxx", "15600.00", "0.00", (
        ("alert_triage", "credit", "15600.00"),
        ("containment", "credit", "9360.00"),
        ("containment", "credit cap", "-1560.00"),
        (None, "credit cap", "-7800.00"))),
    # Triage 1,584/1,800 = 88%: row 'below 90%' 6% = 9,360.00. Patch 94.5%, the third miss
    # of year 2, is charged: shortfall from the amended 99% is 4.5 points -> 4.5% = 7,020.00,
    # capped at 4% = 6,240.00 (-780.00). Containment 110/2 = 55. 9,360 + 6,240 = 15,600.00,
    # exactly the amount at risk. The year: 20,280 + 15,600 = 35,880.00 exceeds 5% of
    # 624,000.00 = 31,200.00: window cap -4,680.00. Credits 10,920.00.
    "2027-Q4": Month("xmx", "10920.00", "0.00", (
        ("alert_triage", "credit", "9360.00"),
        ("patch_compliance", "credit", "7020.00"),
        ("patch_compliance", "credit cap", "-780.00"),
        (None, "credit cap", "-4680.00"))),
    # Triage 1,544/1,600 = 96.5%; containment 135/3 = 45; patch 99.4%.
    "2028-Q1": Month("mmm", "0.00", "0.00"),
    # Triage 1,410/1,500 = 94%: 3% of 162,000.00 = 4,860.00. Containment 110/2 = 55;
    # patch 99.0% exactly meets the amended 99%.
    "2028-Q2": Month("xmm", "4860.00", "0.00", (
        ("alert_triage", "credit", "4860.00"),)),
    # Triage 1,337/1,400 = 95.5%. No confirmed incident: containment not measured.
    # Patch 98.8%: the first miss of contract year 3, a free pass again.
    "2028-Q3": Month("m-x", "0.00", "0.00"),
    # Triage 1,470/1,500 = 98%; containment 300/5 = 60 minutes exactly meets 'at most 60';
    # patch 99.5%.
    "2028-Q4": Month("mmm", "0.00", "0.00"),
}

# Schedule 2.2, Regional Services, GBP. Charges 200,000.00 (220,000.00 from October
# 2026); the Service Credit Cap (at risk) 15% = 30,000.00 (33,000.00). Columns:
# availability, incident_resolution, call_answering, patching. Availability is
# (minutes - outage) / minutes. A Critical Service Level Failure (4.1): availability
# below 97% (97% itself is not below), or 3 or more of the 4 missed in the month; then
# (4.2) the month's credits are replaced by a 'credits replaced' line and 100% of the
# charges are withheld; the first one gives the right to terminate.
PUBLIC = {
    # (43,200 - 100) / 43,200 = 99.77%; 4 of 4 Severity 1 resolved; 18,400/20,000 = 92%; 99%.
    "2026-04": Month("mmmm", "0.00", "0.00"),
    # Every target met exactly: (44,640 - 223.2) / 44,640 = 99.5%, 18,000/20,000 = 90%,
    # patching 98%. No Severity 1 incident: not measured.
    "2026-05": Month("m-mm", "0.00", "0.00"),
    # Two missed (one short of a critical failure): availability (43,200 - 648) / 43,200 =
    # 98.5%, below 99%: the most severe row, 10% = 20,000.00; calls 17,700/20,000 = 88.5%:
    # 1.5 points, part points count as whole -> 2 x 2% = 8,000.00. 28,000.00 < 30,000.00.
    "2026-06": Month("xmxm", "28000.00", "0.00", (
        ("availability", "credit", "20000.00"),
        ("call_answering", "credit", "8000.00"))),
    # Availability (44,640 - 1,339.2) / 44,640 = 97.00% exactly: on the floor, not below
    # it, so no critical failure; row 'below 99%' 10% = 20,000.00. Calls 86.2%: 3.8 -> 4
    # points x 4,000 = 16,000.00, capped at 6% = 12,000.00 (-4,000.00). 32,000.00 exceeds
    # the 30,000.00 at risk: cap -2,000.00. Two missed again.
    "2026-07": Month("xmxm", "30000.00", "0.00", (
        ("availability", "credit", "20000.00"),
        ("call_answering", "credit", "16000.00"),
        ("call_answering", "credit cap", "-4000.00"),
        (None, "credit cap", "-2000.00"))),
    # Availability 99.8% ends the run; patching 97% < 98%: 2% = 4,000.00.
    "2026-08": Month("mmmx", "4000.00", "0.00", (
        ("patching", "credit", "4000.00"),)),
    # Three missed: a critical failure with availability 99.2% above its floor. Availability
    # row 'below 99.5%' 5% = 10,000.00; calls 89.5%: 0.5 -> 1 point = 4,000.00; patching 96%
    # = 4,000.00. The 18,000.00 do not accrue (4.2(a)): credits 0.00; 100% of 200,000.00
    # withheld (4.2(b)); the right to terminate arises (the first critical failure).
    "2026-09": Month("xmxx", "0.00", "0.00", (
        ("availability", "credit", "10000.00"),
        ("call_answering", "credit", "4000.00"),
        ("patching", "credit", "4000.00"),
        (None, "credits replaced", "-18000.00"),
        (None, "withhold", "200000.00")), withheld="200000.00"),
    # Charges 220,000.00. Availability 99.9%, calls 92.5%, patching 99.5%.
    "2026-10": Month("mmmm", "0.00", "0.00"),
    # Availability (43,200 - 1,300.32) / 43,200 = 96.99%, just below 97%: a critical
    # failure with one service level missed. Its row 'below 99%' 10% = 22,000.00 does not
    # accrue; 100% of 220,000.00 withheld. The right to terminate arose in September:
    # reported once. First miss of a new run of availability.
    "2026-11": Month("xmmm", "0.00", "0.00", (
        ("availability", "credit", "22000.00"),
        (None, "credits replaced", "-22000.00"),
        (None, "withhold", "220000.00")), withheld="220000.00"),
    # Availability 98.8%: 10% = 22,000.00 (second miss in a row); Severity 1 2 of 3 =
    # 66.67%: 3% = 6,600.00. Two missed: 28,600.00, under the 33,000.00 at risk.
    "2026-12": Month("xxmm", "28600.00", "0.00", (
        ("availability", "credit", "22000.00"),
        ("incident_resolution", "credit", "6600.00"))),
    # Availability 99.4%: row 'below 99.5%' 5% = 11,000.00; the third miss in a row (Nov,
    # Dec, Jan; November's critical failure counts as a miss): termination right under 4.3.
    "2027-01": Month("xmmm", "11000.00", "0.00", (
        ("availability", "credit", "11000.00"),)),
    # No Severity 1 incident; everything else met.
    "2027-02": Month("m-mm", "0.00", "0.00"),
    "2027-03": Month("mmmm", "0.00", "0.00"),
}

# Nimbus Compute Engine, USD: uptime = (minutes in the month - downtime) / minutes in the month,
# the minutes from the calendar: 44,640 (31 days), 43,200 (30), 40,320 (February 2027), 41,760
# (February 2028). Bill 2,000.00 (2,150.00 from 2028): rows 10% = 200.00 (215.00), 25% = 500.00, 100%.
COMPUTE = {
    # 4 of 44,640 minutes down: 44,636 / 44,640 = 99.991%: met (5 would miss: 0.01% is 4.464 minutes).
    "2027-01": Month("m", "0.00", "0.00"),
    # 410 of 40,320: 39,910 / 40,320 = 98.983%: 25% = 500.00 (the same 410 minutes in February 2028: 10%).
    "2027-02": Month("x", "500.00", "0.00", (("uptime", "credit", "500.00"),)),
    # 446 of 44,640: 44,194 / 44,640 = 99.0009%: 10% = 200.00.
    "2027-03": Month("x", "200.00", "0.00", (("uptime", "credit", "200.00"),)),
    # The same 446 minutes in a 30-day month: 42,754 / 43,200 = 98.968%: 25% = 500.00.
    "2027-04": Month("x", "500.00", "0.00", (("uptime", "credit", "500.00"),)),
    "2027-05": Month("m", "0.00", "0.00"),
    # 5 of 43,200 (0.01% is 4.32): 99.9884%: 10% = 200.00.
    "2027-06": Month("x", "200.00", "0.00", (("uptime", "credit", "200.00"),)),
    # 2,232 of 44,640 is exactly 5%: 95.00% is in 'from 95% to below 99%': 25% = 500.00.
    "2027-07": Month("x", "500.00", "0.00", (("uptime", "credit", "500.00"),)),
    # 2,233 of 44,640: 94.998%: below 95%: 100% = 2,000.00.
    "2027-08": Month("x", "2000.00", "0.00", (("uptime", "credit", "2000.00"),)),
    # 2,200 of 43,200: 94.907% (in a 31-day month 95.07%, 25%): 100% = 2,000.00.
    "2027-09": Month("x", "2000.00", "0.00", (("uptime", "credit", "2000.00"),)),
    "2027-10": Month("m", "0.00", "0.00"),
    # 432 of 43,200 is exactly 1%: 99.00% is in 'from 99% to below 99.99%': 10% = 200.00.
    "2027-11": Month("x", "200.00", "0.00", (("uptime", "credit", "200.00"),)),
    "2027-12": Month("m", "0.00", "0.00"),
    # 5 of 44,640: 99.9888%: 10% of 2,150.00 = 215.00.
    "2028-01": Month("x", "215.00", "0.00", (("uptime", "credit", "215.00"),)),
    # Leap February: 410 of 41,760: 41,350 / 41,760 = 99.018%: 10% of 2,150.00 = 215.00.
    "2028-02": Month("x", "215.00", "0.00", (("uptime", "credit", "215.00"),)),
}

# Northwind customer service, GBP, from 2026-02: contract quarters Feb-Apr, May-Jul, Aug-Oct,
# Nov-Jan. Columns: call_answering (monthly, 2% of the month's fee), complaint_resolution
# (quarterly, the quarter's resolved / complaints, 5% of the quarter's fees), satisfaction_score
# (quarterly, the average of the monthly scores, 1% of the quarter's fees); p: pending, inside
# a quarter. Fee 30,000.00 (33,000.00 from July): 2% = 600.00 (660.00).
SERVICE = {
    "2026-02": Month("mpp", "0.00", "0.00"),  # 920 / 1,000 calls = 92%
    "2026-03": Month("xpp", "600.00", "0.00", (("call_answering", "credit", "600.00"),)),  # 88%
    # Complaints 20 + 30 + 50 = 100, resolved 20 + 27 + 48 = 95: 95% exactly on the target;
    # satisfaction (4.2 + 3.8 + 4.0) / 3 = 4.0 exactly on it: both met.
    "2026-04": Month("mmm", "0.00", "0.00"),
    "2026-05": Month("mpp", "0.00", "0.00"),  # 900 / 1,000 = 90%: on the target
    "2026-06": Month("xpp", "600.00", "0.00", (("call_answering", "credit", "600.00"),)),  # 87%
    # Complaints 10 + 100 + 10 = 120, resolved 8 + 99 + 10 = 117: 97.5%, met (the monthly
    # values' average, (80 + 99 + 100) / 3 = 93%, would miss: the clause sums). Satisfaction
    # (3.5 + 3.9 + 4.0) / 3 = 3.8: 1% of 30,000 + 30,000 + 33,000 = 93,000.00 -> 930.00.
    "2026-07": Month("mmx", "930.00", "0.00", (("satisfaction_score", "credit", "930.00"),)),
    "2026-08": Month("xpp", "660.00", "0.00", (("call_answering", "credit", "660.00"),)),  # 89%
    "2026-09": Month("mpp", "0.00", "0.00"),
    # Complaints 100, resolved 36 + 38 + 19 = 93: 93% missed: 5% of 3 x 33,000 = 4,950.00.
    # Satisfaction (4.1 + 4.3 + 4.2) / 3 = 4.2.
    "2026-10": Month("mxm", "4950.00", "0.00", (("complaint_resolution", "credit", "4950.00"),)),
    "2026-11": Month("mpp", "0.00", "0.00"),
    "2026-12": Month("xpp", "660.00", "0.00", (("call_answering", "credit", "660.00"),)),  # 85%
    # Complaints 100, resolved 28 + 29 + 37 = 94: 94% missed again: 4,950.00, the second
    # quarter missed in a row (termination). Satisfaction (4.0 + 4.0 + 4.6) / 3 = 4.2.
    "2027-01": Month("mxm", "4950.00", "0.00", (("complaint_resolution", "credit", "4950.00"),)),
    # The data ends in the first month of the quarter Feb-Apr 2027: pending, not assessed.
    "2027-02": Month("mpp", "0.00", "0.00"),
}

# Northwind workplace services, EUR: charges 100,000.00 a month, at risk 12% = 12,000.00.
# Availability = (20,000 - outage) / 20,000; tickets = resolved_in_8h / 1,000; score as reported.
# Due days (Monday to Friday after the month's last day): measurement provider the 5th, vendor
# the 10th business day (April 2026: the 5th is 2026-05-07, the 10th 2026-05-14). A late
# vendor report makes ticket_resolution a miss as if unreported (its worst row, 6% = 6,000.00)
# and costs user_satisfaction EUR 2,500; the provider's late report costs nothing (5.3(a)).
WORKPLACE = {
    # 50 minutes out: 99.75%; 95%; 4.3; arrived 2026-02-05, before both due days (02-06, 02-13).
    "2026-01": Month("mmm", "0.00", "0.00"),
    # 200 minutes out: 99.0%: row 'below 99.5%' 4% = 4,000.00 (not below 98%).
    "2026-02": Month("xmm", "4000.00", "0.00", (("availability", "credit", "4000.00"),)),
    # Arrived 2026-04-09: after the provider's 5th business day (04-07), before the vendor's
    # 10th (04-14): availability's late report has no consequence; all met.
    "2026-03": Month("mmm", "0.00", "0.00"),
    # Arrived 2026-05-18, after 05-14: tickets 94% would meet, but the late report counts as a
    # miss: 6% = 6,000.00; satisfaction 4.1 met, its late report EUR 2,500.00. 8,500.00.
    "2026-04": Month("mxm", "8500.00", "0.00", (("ticket_resolution", "credit", "6000.00"),
                                                ("user_satisfaction", "late report", "2500.00"))),
    # Tickets 85%: row 'below 90%' 3% = 3,000.00. Score 3.8 below 4.0: in cure until June.
    "2026-05": Month("mxi", "3000.00", "0.00", (("ticket_resolution", "credit", "3000.00"),)),
    # Tickets 78%: 6% = 6,000.00 (the third miss in a row). Score 4.2 cures May's miss.
    "2026-06": Month("mxc", "6000.00", "0.00", (("ticket_resolution", "credit", "6000.00"),)),
    "2026-07": Month("mmm", "0.00", "0.00"),
    # Score 3.9: in cure until September.
    "2026-08": Month("mmi", "0.00", "0.00"),
    # 500 minutes out: 97.5%: row 'below 98%' 8% = 8,000.00; tickets 79%: 6,000.00; score 3.7:
    # August's window closes unmet (1% = 1,000.00) and September's opens. 15,000.00 is above
    # the 12,000.00 at risk: credit cap -3,000.00.
    "2026-09": Month("xxi", "12000.00", "0.00", (("availability", "credit", "8000.00"),
                                                 ("ticket_resolution", "credit", "6000.00"),
                                                 ("user_satisfaction", "credit", "1000.00"),
                                                 (None, "credit cap", "-3000.00"))),
    # Score exactly 4.0 meets 'at least 4.0' and cures September.
    "2026-10": Month("mmc", "0.00", "0.00"),
    # Arrived 2026-12-16, after the vendor's 10th business day (12-14): as in April, 8,500.00.
    "2026-11": Month("mxm", "8500.00", "0.00", (("ticket_resolution", "credit", "6000.00"),
                                                ("user_satisfaction", "late report", "2500.00"))),
    # Score 3.5: in cure until 2027-01, still open when the data ends.
    "2026-12": Month("mmi", "0.00", "0.00"),
}

# Northwind Managed Network, USD: credits applied to the next invoice; fixed amounts indexed to cpi,
# base 2026-01 (312.5). Contract year 2 starts 2027-01 at 321.875: factor 321.875 / 312.5 = 1.03
# exactly, so USD 1,000 -> 1,030.00, 2,500 -> 2,575.00, 150 -> 154.50 a ticket, the ticket cap
# 1,200 -> 1,236.00, the monthly cap 3,000 -> 3,090.00, the bonus 200 -> 206.00. The amendment's
# USD 175 is in contract year 2's money: not indexed before contract year 3. Statuses:
# availability, resolution.
_MET = Month("mm", "0.00", "0.00")
NETWORK = {
    **{f"2026-{month:02d}": _MET for month in range(1, 11)},
    # 99.995% reaches the bonus row 'at least 99.99%': USD 200.00 (contract year 1: as written),
    # above the bonus limit, 1% of this month's charges of 15,000.00 = 150.00 (-50.00).
    "2026-11": Month("mm", "0.00", "150.00", (("availability", "bonus", "200.00"),
                                              (None, "bonus cap", "-50.00"))),
    # 99.4% is below 99.5%: USD 2,500.00; 5 late tickets: 3 above 2 x 150.00 = 450.00. 2,950.00
    # is under the USD 3,000 cap. On the invoice of 2027-01, across the contract-year boundary.
    "2026-12": Month("xx", "2950.00", "0.00", (("availability", "credit", "2500.00"),
                                               ("resolution", "credit", "450.00"))),
    # 99.7%: row 'below 99.9%' 1,030.00; 12 late: 10 x 154.50 = 1,545.00, capped at 1,236.00
    # (-309.00); 2,266.00 under the 3,090.00 cap.
    "2027-01": Month("xx", "2266.00", "0.00", (("availability", "credit", "1030.00"),
                                               ("resolution", "credit", "1545.00"),
                                               ("resolution", "credit cap", "-309.00"))),
    # 99.3%: 2,575.00; 8 late: 6 x 154.50 = 927.00; 3,502.00 exceed the indexed cap 3,090.00 (-412.00).
    "2027-02": Month("xx", "3090.00", "0.00", (("availability", "credit", "2575.00"),
                                               ("resolution", "credit", "927.00"),
                                               (None, "credit cap", "-412.00"))),
    # 99.999%: bonus 206.00 (under 1% of 40,000.00); the amendment: 4 late, 2 above 2 x USD 175.00
    # (not indexed) = 350.00.
    "2027-03": Month("mx", "350.00", "206.00", (("availability", "bonus", "206.00"),
                                                ("resolution", "credit", "350.00"))),
}

ERP = {period: Month(*month) for period, month in ERP_BY_HAND.items()}

BY_HAND = {"customer_service_schedule": SERVICE, "acme_contact_center": ACME, "cloud_hosting": CLOUD,
           "it_outsourcing": IT, "managed_security_quarterly": SOC, "public_sector_services": PUBLIC,
           "compute_engine_uptime": COMPUTE, "workplace_outsourcing": WORKPLACE, "managed_network_invoiced": NETWORK,
           "erp_implementation": ERP}

# Whole history: credits, earned back, bonuses, net = credits + withheld - earned back
# - bonuses, withheld; the sums of the periods above.
HISTORY_BY_HAND = {
    # 4,200 + 1,000 + 2,100 + 3,000 + 3,600 + 7,200 + 1,920 = 23,020.00 in 2026;
    # 1,280 + 3,200 + 1,280 + 1,920 + 1,280 = 8,960.00 in 2027: 31,980.00. Earned back
    # 1,500 + 2,934.12 + 2,880 = 7,314.12. Bonuses, paid separately: 1,800 + 1,600 + 640
    # = 4,040.00 in 2026, 1,640 + 1,280 + 640 + 640 + 1,640 = 5,840.00 in 2027: 9,880.00.
    # Net 31,980.00 - 7,314.12 - 9,880.00 = 14,785.88.
    "acme_contact_center": ("31980.00", "7314.12", "9880.00", "14785.88"),
    # 1,843.74 + 1,443.75 + 4,812.50 + 2,666.68 + 21,500.00 + 4,300.00 + 6,600.00.
    "cloud_hosting": ("43166.67", "0.00", "0.00", "43166.67"),
    # 600 + 600 + 930 + 660 + 4,950 + 660 + 4,950.
    "customer_service_schedule": ("13350.00", "0.00", "0.00", "13350.00"),
    # 2,950 + 2,266 + 3,090 + 350 = 8,656.00; bonuses 150 + 206 = 356.00 (offset, per invoice).
    "managed_network_invoiced": ("8656.00", "0.00", "356.00", "8300.00"),
    # 500 + 200 + 500 + 200 + 500 + 2,000 + 2,000 + 200 = 6,100.00 in 2027; 215 + 215 in 2028.
    "compute_engine_uptime": ("6530.00", "0.00", "0.00", "6530.00"),
    # 5,000 + 7,500 + 10,496 + 15,000 + 25,000 + 12,187.50 + 9,375 + 10,496.
    "it_outsourcing": ("95054.50", "0.00", "0.00", "95054.50"),
    # 4,500 + 3,000 = 7,500.00 in 2026; 4,680 + 15,600 + 10,920 = 31,200.00 in 2027
    # (the year's cap); 4,860.00 in 2028.
    "managed_security_quarterly": ("43560.00", "0.00", "0.00", "43560.00"),
    # 28,000 + 30,000 + 4,000 + 28,600 + 11,000 = 101,600.00; withheld 200,000 + 220,000
    # = 420,000.00; net 521,600.00.
    "public_sector_services": ("101600.00", "0.00", "0.00", "521600.00", "420000.00"),
    # 4,000 + 8,500 + 3,000 + 6,000 + 12,000 + 8,500.
    "workplace_outsourcing": ("42000.00", "0.00", "0.00", "42000.00"),
    # 2,000 + 21,000 + 4,000 + 7,000 + 22,400 + 4,000 + 4,320: of which late deliveries
    # 21,000 + 7,000 + 20,000 = 48,000.00; the hypercare report accruing is not billed.
    "erp_implementation": ("64720.00", "0.00", "0.00", "64720.00"),
}

# Termination rights: (period the right arises, trigger as written, periods that caused it).
TERMINATIONS_BY_HAND = {
    "acme_contact_center": [
        # Speed missed in 2026-03, -08, -09: three within twelve months; the fourth, 2026-11.
        ("2026-11", "terminate when speed_of_answer is missed 4 times in any 12 months",
         ("2026-03", "2026-08", "2026-09", "2026-11")),
        # 2026-08, -09 is a run of two, broken by October. 2027-04, (-05 excluded), -06, -07.
        ("2027-07", "terminate when speed_of_answer is missed 3 months in a row",
         ("2027-04", "2027-06", "2027-07")),
    ],
    "cloud_hosting": [],
    # complaint_resolution missed in the quarters ending 2026-10 and 2027-01: two in a row.
    "customer_service_schedule": [
        ("2027-01", "terminate when complaint_resolution is missed 2 quarters in a row", ("2026-10", "2027-01"))],
    "compute_engine_uptime": [],
    "erp_implementation": [
        # p1 missed in 2026-03, -06, -07: three within the six months 2026-02..07.
        ("2026-07", "terminate when p1_resolution is missed 3 times in any 6 months, on 20 business days' notice",
         ("2026-03", "2026-06", "2026-07")),
        # Availability missed (in cure) in 2026-07, -08, -09.
        ("2026-09", "terminate when availability is missed 3 months in a row, on 30 days' notice",
         ("2026-07", "2026-08", "2026-09")),
    ],
    "it_outsourcing": [],
    "managed_network_invoiced": [],
    "managed_security_quarterly": [
        # Until 2026-Q4 at most one service level misses a quarter.
        ("2026-Q4", "terminate when 2 or more service levels are missed in one quarter", ("2026-Q4",)),
        # Triage is at least 91% in every quarter before 2027-Q3's 78%.
        ("2027-Q3", "terminate when alert_triage is below 80% in any quarter", ("2027-Q3",)),
        # The second and third rights of the 2-or-more trigger: all three missed in 2027-Q3;
        # triage (88%) and patching (94.5%) in 2027-Q4. No quarter in between has two misses.
        ("2027-Q3", "terminate when 2 or more service levels are missed in one quarter", ("2027-Q3",)),
        ("2027-Q4", "terminate when 2 or more service levels are missed in one quarter", ("2027-Q4",)),
    ],
    "public_sector_services": [
        # The first critical failure (4.2): three service levels missed in 2026-09.
        ("2026-09", "critical failure when availability is below 97% or when 3 or more service levels are "
                    "missed in one month: the client may terminate", ("2026-09",)),
        # The second critical failure: availability 96.99% in 2026-11, below 97%.
        ("2026-11", "critical failure when availability is below 97% or when 3 or more service levels are "
                    "missed in one month: the client may terminate", ("2026-11",)),
        ("2027-01", "terminate when availability is missed 3 months in a row", ("2026-11", "2026-12", "2027-01")),
    ],
    # April's late report counts as a miss of ticket_resolution; May and June miss on their values.
    "workplace_outsourcing": [
        ("2026-06", "terminate when ticket_resolution is missed 3 months in a row", ("2026-04", "2026-05", "2026-06")),
    ],
}


def test_every_ruleset_has_a_hand_computation():
    assert set(BY_HAND) == set(HISTORY_BY_HAND) == set(TERMINATIONS_BY_HAND) == {path.stem for path in RULESETS}


@pytest.mark.parametrize("stem", sorted(BY_HAND))
def test_periods_match_the_hand_computation(stem):
    outcome = evaluate(ROOT / "rulesets" / f"{stem}.sla")
    actual = {p.period: ("".join(_STATUS_LETTER[r.status] for r in p.results), p.totals.credits, p.totals.bonuses,
                         [(line.service_level, line.kind, line.amount) for line in p.lines], p.totals.earned_back,
                         p.totals.withheld)
              for p in outcome.periods}
    expected = {period: (m.statuses, Decimal(m.credits), Decimal(m.bonuses),
                         [(sl, kind, Decimal(amount)) for sl, kind, amount in m.lines], Decimal(m.earned_back),
                         Decimal(m.withheld))
                for period, m in BY_HAND[stem].items()}
    assert actual == expected


@pytest.mark.parametrize("stem", sorted(HISTORY_BY_HAND))
def test_history_totals_match_the_hand_computation(stem):
    totals = evaluate(ROOT / "rulesets" / f"{stem}.sla").totals
    credits, earned_back, bonuses, net, *withheld = map(Decimal, HISTORY_BY_HAND[stem])
    assert (totals.credits, totals.earned_back, totals.bonuses, totals.net, totals.withheld) == (
        credits, earned_back, bonuses, net, withheld[0] if withheld else Decimal(0))


@pytest.mark.parametrize("stem", sorted(TERMINATIONS_BY_HAND))
def test_termination_rights_match_the_hand_computation(stem):
    outcome = evaluate(ROOT / "rulesets" / f"{stem}.sla")
    assert sorted((r.period, r.trigger, r.periods) for r in outcome.terminations) == sorted(TERMINATIONS_BY_HAND[stem])


def test_erp_deliverables_match_the_hand_computation():
    outcome = evaluate(ROOT / "rulesets" / "erp_implementation.sla")
    assert [(d.name, d.status, d.day, d.period, d.days_late, d.credit) for d in outcome.deliverables] == [
        (name, status, day, period, days, Decimal(credit)) for name, status, day, period, days, credit in ERP_DELIVERABLES]


def test_erp_notices_take_effect_days_after_the_month_ends():
    """30 calendar days after 2026-09-30; 20 business days after Friday 2026-07-31: the
    four weeks of August (the summer bank holiday, 31 August, is after them)."""
    outcome = evaluate(ROOT / "rulesets" / "erp_implementation.sla")
    assert [r.effective for r in outcome.terminations] == ["2026-08-28", "2026-10-30"]


def _acme_result(period: str, service_level: str):
    outcome = evaluate(ROOT / "rulesets" / "acme_contact_center.sla")
    (month,) = [p for p in outcome.periods if p.period == period]
    return month, next(r for r in month.results if r.service_level == service_level)


@pytest.mark.parametrize("period", ["2026-06", "2026-07"])
def test_acme_speed_bonus_is_withheld_while_critical_quality_is_missed(period):
    _, result = _acme_result(period, "speed_of_answer")
    assert (result.status, result.note) == ("met", "bonus withheld: critical quality missed")


def test_acme_unreported_quality_score_counts_as_a_miss():
    _, result = _acme_result("2026-07", "quality")
    assert (result.value, result.status) == (None, "missed")


def test_acme_speed_in_the_dead_band_has_no_bonus_to_withhold():
    # 2026-05: speed 80.00% meets the target but is below the 85% bonus row, so there
    # is no bonus the gate could withhold; quality's miss should not be reported as one.
    _, result = _acme_result("2026-05", "speed_of_answer")
    assert (result.status, result.note) == ("met", None)


def test_acme_one_point_reads_in_the_singular():
    # 2026-11: abandonment 5.5% is 1 point above 5% (part points count as whole).
    month, _ = _acme_result("2026-11", "abandonment")
    (line,) = [line for line in month.lines if line.service_level == "abandonment"]
    assert "; 1 point above 5%" in line.explanation


def test_acme_uncured_miss_is_charged_at_the_value_of_its_own_month():
    # 2026-06: May's 68% (row 'from 65 to below 70%', 1%) is charged, not June's 63.5% (2%).
    month, _ = _acme_result("2026-06", "first_contact_resolution")
    (line,) = [line for line in month.lines if line.service_level == "first_contact_resolution"]
    assert line.explanation.startswith("first_contact_resolution missed in 2026-05, not cured by 2026-06: "
                                       "first_contact_resolution 68% missed target at least 70%; "
                                       "row 'from 65 to below 70%'")


def test_acme_waiver_and_exclusion_change_the_outcome():
    # Without the events file: 2027-03 abandonment 7.2% costs 3 points x 640.00 = 1,920.00;
    # 2027-05 speed 60% costs row 'below 70%' 8% of 64,000.00 = 5,120.00 and is a miss, so
    # the run of three misses is 2027-04, -05, -06 and the right arises a month earlier.
    outcome = evaluate(ROOT / "rulesets" / "acme_contact_center.sla", with_events=False)
    credits = {p.period: p.totals.credits for p in outcome.periods}
    assert (credits["2027-03"], credits["2027-05"]) == (Decimal("1920.00"), Decimal("5120.00"))
    in_a_row = outcome.terminations[1]
    assert (in_a_row.period, in_a_row.periods) == ("2027-06", ("2027-04", "2027-05", "2027-06"))
