"""slarules.verify: golden reports on deliberately unfair rulesets, every
reported counterexample re-evaluated, and broken evaluators to show that the
property machinery really finds (and writes) violations."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import slarules
from slarules.verify import verify

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "verify"
RULESETS = sorted(p.name for p in GOLDEN.glob("*.sla"))


def _relative(path: Path) -> str:
    return str(path.relative_to(GOLDEN.parent.parent.parent))


def _report(name, tmp_path, **kwargs):
    program = slarules.load(_relative(GOLDEN / name))
    return program, verify(program, seed=0, effort="quick", out_dir=tmp_path, **kwargs)


@pytest.mark.parametrize("name", RULESETS)
def test_golden_report(name, tmp_path, monkeypatch):
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    program, report = _report(name, tmp_path)
    text = report.to_text().replace(str(tmp_path), "<out>")
    expected = GOLDEN / name.replace(".sla", ".expected")
    if not expected.exists():  # first run writes it; review and commit
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")
    assert report.ok  # every invariant holds for these rulesets: unfair is not broken
    # Every file the report names is a data file `slarules evaluate` accepts,
    # and shows what the report says it shows.
    fee = Decimal("10000.00")
    for check in report.checks:
        for file in check.files:
            outcome = program.evaluate(slarules.read_history(program, file))
            if check.name.startswith("cliff"):
                nets = [p.totals.credits - p.totals.earned_back - p.totals.bonuses for p in outcome.periods]
                half = len(nets) // 2
                assert abs(sum(nets[:half]) - sum(nets[half:])) >= fee / 10
            elif check.name == "exposure above the fee":
                assert max(p.totals.credits for p in outcome.periods) > fee


def test_findings_per_ruleset():
    """What each golden report finds (read from the reviewed expected texts)."""
    names = {n: {line.split(":")[0].removeprefix("FINDING").strip()
                 for line in (GOLDEN / n.replace(".sla", ".expected")).read_text().splitlines()
                 if line.startswith("FINDING")} for n in RULESETS}
    assert names["fair.sla"] == set()
    assert names["no_reward.sla"] == {"reward"}
    assert names["cliff.sla"] == {"reward", "cliff speed_of_answer"}
    assert names["uncapped_linear.sla"] == {"reward", "exposure above the fee"}


def test_same_seed_same_report(monkeypatch, tmp_path):
    monkeypatch.chdir(GOLDEN.parent.parent.parent)
    program = slarules.load("rulesets/acme_contact_center.sla")
    first = verify(program, seed=7, effort="quick", out_dir=tmp_path).to_text()
    assert verify(program, seed=7, effort="quick", out_dir=tmp_path).to_text() == first


def _reversed_evaluate(program, history):
    """A deliberately broken evaluator: it reads answered_in_20s as the calls
    NOT answered in time, so a credit falls due when performance is good."""
    periods = tuple(attrs.evolve(p, values={**p.values, "answered_in_20s":
                                            p.values["calls_offered"] - p.values["answered_in_20s"]})
                    for p in history.periods)
    return program.evaluate(attrs.evolve(history, periods=periods))


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

    def uncapped(program, history):
        return attrs.evolve(program, at_risk=None).evaluate(history)

    program, report = _report("fair.sla", tmp_path, evaluate=uncapped)
    bounded = report.check("bounded")
    assert bounded.status == "violated" and "exceed the amount at risk" in bounded.details[0]
    outcome = uncapped(program, slarules.read_history(program, bounded.files[0]))
    assert max(p.totals.credits for p in outcome.periods) > Decimal("800.00")
    assert report.check("monotone").status == "held"


def test_bad_effort():
    with pytest.raises(ValueError):
        verify(slarules.load(GOLDEN / "fair.sla"), effort="huge")
