"""slarules.verify: golden reports on deliberately unfair rulesets, every
reported counterexample re-evaluated, and broken evaluators to show that the
property machinery really finds (and writes) violations."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import slarules
from slarules.tools.verify import verify

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "verify"
RULESETS = sorted(p.name for p in GOLDEN.glob("*.sla"))


def _relative(path: Path) -> str:
    return str(path.relative_to(GOLDEN.parent.parent.parent))


def _report(name, tmp_path, **kwargs):
    program = slarules.load(_relative(GOLDEN / name))
    return program, verify(program, seed=0, effort="quick", out_dir=tmp_path, **kwargs)


@pytest.mark.parametrize("name", RULESETS)
def test_golden_report(name, tmp_path, monkeypatch, golden):
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    program, report = _report(name, tmp_path)
    # A missing expected text fails (pytest --update-golden writes it, to be reviewed).
    golden(report.to_text().replace(str(tmp_path), "<out>"), GOLDEN / name.replace(".sla", ".expected"))
    # Unfair is not broken: every invariant holds, but for the reversed tier, where a
    # worse band charges less, and the lighter withhold, where a worse month's critical
    # failure costs less than the credits it replaces (each monotone counterexample is
    # re-evaluated below).
    violated = {c.name for c in report.checks if c.status == "violated"}
    assert violated == ({"monotone"} if name in ("reversed_tier.sla", "lighter_withhold.sla") else set())
    # Every file the report names is a data file `slarules evaluate` accepts,
    # and shows what the report says it shows.
    fee = Decimal("10000.00")
    for check in report.checks:
        for file in check.files:
            outcome = program.evaluate(slarules.read_history(program, file))
            if check.name.startswith("cliff"):
                nets = [p.totals.net for p in outcome.periods]
                half = len(nets) // 2
                assert abs(sum(nets[:half]) - sum(nets[half:])) >= fee / 10
            elif check.name == "exposure above the fee":
                assert max(p.totals.credits for p in outcome.periods) > fee
    if violated:
        worse, better = (program.evaluate(slarules.read_history(program, f)) for f in report.check("monotone").files)
        (worse_value,), (better_value,) = ([r.value for r in o.periods[0].results] for o in (worse, better))
        if name == "reversed_tier.sla":
            assert worse_value < better_value < Decimal(80)  # both misses, the second nearer the target
            assert better.totals.credits > worse.totals.credits
        else:  # a critical failure (below 95%) against a plain miss: 10% withheld against a 20% credit
            assert worse_value < Decimal(95) <= better_value < Decimal("99.5")
            assert (worse.totals.credits, worse.totals.withheld) == (0, fee / 10)
            assert (better.totals.credits, better.totals.withheld) == (fee / 5, 0)


def test_findings_per_ruleset():
    """What each golden report finds (read from the reviewed expected texts)."""
    names = {n: {line.split(":")[0].removeprefix("FINDING").strip()
                 for line in (GOLDEN / n.replace(".sla", ".expected")).read_text().splitlines()
                 if line.startswith("FINDING")} for n in RULESETS}
    assert names["fair.sla"] == set()
    assert names["no_reward.sla"] == {"reward"}
    assert names["cliff.sla"] == {"reward", "cliff speed_of_answer"}
    assert names["uncapped_linear.sla"] == {"reward", "exposure above the fee"}
    assert names["reversed_tier.sla"] == {"reward"}
    assert names["lighter_withhold.sla"] == {"reward", "cliff availability"}


def test_same_seed_same_report(monkeypatch, tmp_path):
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    program = slarules.load("rulesets/acme_contact_center.sla")
    checks = ("monotone", "cure", "events", "cliff")
    first = verify(program, seed=7, effort="quick", out_dir=tmp_path, only=checks)
    assert [c.name for c in first.checks][:3] == ["monotone", "cure", "events"]
    calls = []
    again = verify(program, seed=7, effort="quick", out_dir=tmp_path, only=checks,
                   progress=lambda done, total: calls.append((done, total)))
    assert again.to_text() == first.to_text()
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]  # one step per check asked for, the finding last


def _reversed_evaluate(program, history, state=None):
    """A deliberately broken evaluator: it reads answered_in_20s as the calls
    NOT answered in time, so a credit falls due when performance is good."""
    periods = tuple(attrs.evolve(p, values={**p.values, "answered_in_20s":
                                            p.values["calls_offered"] - p.values["answered_in_20s"]})
                    for p in history.periods)
    return program.evaluate(attrs.evolve(history, periods=periods), state)


def test_broken_evaluator_violates_monotone_and_all_met(tmp_path, monkeypatch):
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    program, report = _report("cliff.sla", tmp_path, evaluate=_reversed_evaluate)
    assert not report.ok
    assert report.check("monotone").status == "violated"
    assert report.check("all-met").status == "violated"
    assert "VIOLATED     monotone" in report.to_text()
    worse, better = (Path(f) for f in report.check("monotone").files)
    assert (worse.name, better.name) == ("monotone.worse.csv", "monotone.better.csv")
    hw, hb = slarules.read_history(program, worse), slarules.read_history(program, better)
    # Under the broken evaluator the files show the violation...
    assert _reversed_evaluate(program, hb).totals.credits > _reversed_evaluate(program, hw).totals.credits
    # ...and under the real one they do not: the counterexample is about the evaluator.
    assert program.evaluate(hb).totals.credits <= program.evaluate(hw).totals.credits
    met = slarules.read_history(program, report.check("all-met").files[0])
    assert _reversed_evaluate(program, met).totals.credits > 0
    # Shrinking gives a small history a person can read.
    assert len(hw.periods) == 1


def test_evaluator_ignoring_the_cap_violates_bounded(tmp_path, monkeypatch):
    monkeypatch.chdir(GOLDEN.parent.parent.parent)

    def uncapped(program, history, state=None):
        return attrs.evolve(program, at_risk=None).evaluate(history, state)

    program, report = _report("no_reward.sla", tmp_path, evaluate=uncapped)
    bounded = report.check("bounded")
    assert bounded.status == "violated" and "exceed the amount at risk" in bounded.details[0]
    outcome = uncapped(program, slarules.read_history(program, bounded.files[0]))
    assert max(p.totals.credits for p in outcome.periods) > Decimal("1200.00")  # 12% of 10,000.00
    assert report.check("monotone").status == "held"


# The spanning-period invariants, each shown to catch an evaluator broken in its own way;
# fair.sla has a cure window (abandonment) and a termination trigger (speed_of_answer).

def _without_cure(program, history, state=None):
    """Broken: charges every miss at once, as if no cure window were written."""
    levels = tuple(attrs.evolve(sl, cure=None) for sl in program.service_levels)
    return attrs.evolve(program, service_levels=levels).evaluate(history, state)


def test_evaluator_ignoring_the_cure_window_violates_cure(tmp_path, monkeypatch):
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    program, report = _report("fair.sla", tmp_path, evaluate=_without_cure, only=("cure", "termination"))
    cure = report.check("cure")
    assert cure.status == "violated" and "inside its cure window of 1 periods" in cure.details[0]
    missed, met = (slarules.read_history(program, f) for f in cure.files)
    assert [Path(f).name for f in cure.files] == ["cure.missed.csv", "cure.met.csv"]

    def abandonment_credits(outcome):
        return sum((line.amount for line in outcome.lines if line.service_level == "abandonment"), Decimal(0))

    # The broken evaluator charges the cured miss; the real one does not.
    assert abandonment_credits(_without_cure(program, missed)) > abandonment_credits(_without_cure(program, met))
    assert abandonment_credits(program.evaluate(missed)) == abandonment_credits(program.evaluate(met))
    statuses = [r.status for p in program.evaluate(missed).periods for r in p.results if r.service_level == "abandonment"]
    assert "in cure" in statuses and "cured" in statuses
    assert report.check("termination").status == "held"


def _early(program, history, state=None):
    """Broken: a trigger of N misses in a row fires on the (N-1)th."""
    triggers = tuple(attrs.evolve(t, count=t.count - 1) for t in program.triggers)
    return attrs.evolve(program, triggers=triggers).evaluate(history, state)


def test_evaluator_firing_early_violates_termination(tmp_path, monkeypatch):
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    program, report = _report("fair.sla", tmp_path, evaluate=_early, only=("termination",))
    termination = report.check("termination")
    assert termination.status == "violated"
    assert termination.details[0].startswith("'terminate when speed_of_answer is missed 3 months in a row' arises in")
    history = slarules.read_history(program, termination.files[0])
    assert _early(program, history).terminations and not program.evaluate(history).terminations


def _forgetful(program, history, state=None):
    """Broken: drops the saved state, so a cure window open at the cut is forgotten."""
    return program.evaluate(history)


def test_evaluator_dropping_the_state_violates_incremental(tmp_path, monkeypatch):
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    program, report = _report("fair.sla", tmp_path, evaluate=_forgetful, only=("incremental", "cure"))
    incremental = report.check("incremental")
    # Either a period's money or the saved state (its ledger lacks the periods forgotten) gives it away.
    assert incremental.status == "violated" and ("each continuing from the state" in incremental.details[0]
                                                 or "the state saved at the end differs" in incremental.details[0])
    assert report.check("cure").status == "held"  # batch evaluations alone are right


def _events_hurt(program, history, state=None):
    """Broken: a waiver or exclusion on speed_of_answer counts every call as answered late."""
    marked = {e.period for e in history.events}
    periods = tuple(attrs.evolve(p, values={**p.values, "answered_in_20s": Decimal(0)}) if p.label in marked else p
                    for p in history.periods)
    return program.evaluate(attrs.evolve(history, periods=periods, events=()), state)


def test_evaluator_charging_for_events_violates_events(tmp_path, monkeypatch):
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    program, report = _report("fair.sla", tmp_path, evaluate=_events_hurt, only=("events",))
    events = report.check("events")
    assert events.status == "violated" and "credits rose" in events.details[0]
    names = [Path(f).name for f in events.files]
    assert names[0] == "events.without.csv" and names[-2:] == ["events.with.csv", "events.with.events.csv"]
    without = slarules.read_history(program, events.files[0], *events.files[1:-2])
    with_event = slarules.read_history(program, events.files[-2], events.files[-1])
    assert len(with_event.events) == len(without.events) + 1
    assert _events_hurt(program, with_event).totals.credits > _events_hurt(program, without).totals.credits
    assert program.evaluate(with_event).totals.credits <= program.evaluate(without).totals.credits


def test_bad_effort_or_check_name():
    with pytest.raises(ValueError):
        verify(slarules.load(GOLDEN / "fair.sla"), effort="huge")
    with pytest.raises(ValueError, match="no check named 'cures'; the checks are monotone, bounded"):
        verify(slarules.load(GOLDEN / "fair.sla"), only=("cures",))


@pytest.mark.parametrize("clause", ["cure: within 10000 months",
                                    "cure: within 10000 months\n  free passes: the first 1000000 misses in each contract year"])
def test_the_cliff_scan_stays_short_whatever_the_cure_window_and_free_passes(clause, tmp_path, monkeypatch):
    """Issue 11 item 14, in verify: the cliff scan used to evaluate 1 + cure periods (plus one per free pass) for
    every value it tried. A miss charged when its window closes unmet costs what a miss charged at once does,
    and a year's free passes are as many as any larger number, so at most a year of passes and one period."""
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    text = (GOLDEN / "fair.sla").read_text(encoding="utf-8")
    assert "cure: within 1 month" in text
    program = slarules.compile_source(slarules.Source("fair.sla", text.replace("cure: within 1 month", clause)))
    lengths = []

    def recording(terms, history, state=None):
        lengths.append(len(history.periods))
        assert len(history.periods) <= 13, "no history longer than a year of passes and one period"
        return terms.evaluate(history, state)

    report = verify(program, seed=0, effort="quick", out_dir=tmp_path, evaluate=recording, only=("cliff",))
    cliffs = [c.summary for c in report.checks if c.name == "cliff abandonment"]
    if "free passes" in clause:  # every miss of the year is a free pass: the money never moves
        assert cliffs == [] and max(lengths) == 13
    else:  # fair.sla: abandonment 5% meets the target; at 5.01% the miss credits USD 50 (0.5% of the fee)
        assert len(cliffs) == 1 and "moves 50.00" in cliffs[0] and max(lengths) == 1


def test_the_exposure_search_reaches_where_a_capped_credit_per_unit_stops(tmp_path):
    """Issue 10.5: 5% of the fee per day of outage, at most 100%, was reported as 'worst
    period 5%' (the search stopped at 3 times the largest threshold, 0, or at least 1 day).
    The cap binds from 20 days: the worst period is 100% of the fee."""
    program = slarules.compile_source(slarules.Source("per_day.sla", (
        'contract "Per day" currency USD, starts 2026-01\ninputs\n  fee money\n  outage_days count\n'
        "service level outages\n  measured as outage_days\n  target: at most 0\n"
        "  credit: 5% of fee per unit above 0, part units count as whole, at most 100% of fee\n")))
    report = verify(program, seed=0, effort="quick", out_dir=tmp_path, only=("exposure",))
    assert report.check("exposure").summary.startswith("worst period 100% of fee")


def test_without_an_out_dir_nothing_is_written_and_two_runs_print_the_same(tmp_path, monkeypatch):
    """Issue 11.16: verify without --out left slarules-verify-* folders in the temporary
    directory and printed their paths, so two runs differed."""
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    program = slarules.load(_relative(GOLDEN / "reversed_tier.sla"))
    first, second = (verify(program, seed=0, effort="quick", only=("monotone",)).to_text() for _ in range(2))
    assert first == second and list(tmp_path.iterdir()) == []
    assert "file: monotone.worse.csv (not written)" in first
    assert first.splitlines()[-1] == (f"write the files: slarules verify {_relative(GOLDEN / 'reversed_tier.sla')} "
                                      "--seed 0 --effort quick --out DIR")


def test_a_measurement_in_money_is_searched_too(tmp_path):
    """A derived measurement in money (penalties per ticket) is in money, and verify has a
    step for it (it crashed with KeyError: 'money')."""
    program = slarules.compile_source(slarules.Source("money.sla", (
        'contract "M" currency USD, starts 2026-01\ninputs\n  fee money\n  penalties money\n  tickets count\n'
        "service level cost_per_ticket\n  measured as penalties / tickets\n  target: at most 50\n"
        "  credit: 2% of fee\n")))
    assert program.service_levels[0].unit == "money"
    report = verify(program, seed=0, effort="quick", out_dir=tmp_path, only=("monotone", "exposure"))
    assert [c.status for c in report.checks] == ["held", "ok"]
