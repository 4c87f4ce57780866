"""Correlated distribution inputs (--correlate): a Gaussian copula over the stated marginals."""
from __future__ import annotations

import random
import statistics

import pytest

import slarules
from slarules.interfaces.cli import main
from slarules.tools.simulate import (
    CorrelationError,
    DistributionError,
    copula,
    generate,
    parse_correlations,
    parse_distributions,
    simulate,
)
from tests.conftest import ROOT, TESTS

CURRENT = ROOT / "rulesets" / "acme_contact_center.sla"
DATA = ROOT / "rulesets" / "acme_contact_center.csv"
PROPOSED = TESTS / "golden" / "dryrun" / "acme_proposed.sla"
# Far from every clip (no count below 0, no percent above 100), so clipping does not bend the figure.
SPECS = ["calls_offered=normal(10000,800)", "answered_in_20s=normal(8000,400)", "quality_score=uniform(80,100)"]


@pytest.fixture(scope="module")
def acme():
    current = slarules.load(CURRENT)
    return current, slarules.read_history(current, DATA)


def _draws(acme, correlations, seed=5, runs=400):
    current, history = acme
    distributions = parse_distributions(SPECS)
    joint = copula(parse_correlations(correlations), distributions)
    rng = random.Random(seed)
    units = {s.name: s.unit for s in current.inputs}
    return [v for _ in range(runs) for v in generate(rng, history, 24, 3, distributions, units, joint)]


def _correlation(periods, a, b):
    return statistics.correlation([float(p[a]) for p in periods], [float(p[b]) for p in periods])


def test_sample_correlation_is_the_stated_one(acme):
    periods = _draws(acme, ["calls_offered:answered_in_20s=-0.6"])  # 9,600 periods
    # Two normal inputs: the copula's correlation is theirs. The sampling error of r near -0.6 over
    # 9,600 draws is about (1 - 0.36) / sqrt(9600) = 0.0065; 0.03 is over 4 of them, and independent
    # inputs (r near 0) are 90 of them away.
    assert _correlation(periods, "calls_offered", "answered_in_20s") == pytest.approx(-0.6, abs=0.03)
    # An input correlated with nothing stays independent.
    assert abs(_correlation(periods, "calls_offered", "quality_score")) < 0.04
    # The marginals are kept: the mean and spread of each input are still the stated ones.
    offered = [float(p["calls_offered"]) for p in periods]
    assert statistics.mean(offered) == pytest.approx(10000, abs=40)
    assert statistics.stdev(offered) == pytest.approx(800, rel=0.05)


def test_a_uniform_input_correlates_as_the_copula_says(acme):
    periods = _draws(acme, ["answered_in_20s:quality_score=0.7"])
    quality = [float(p["quality_score"]) for p in periods]
    assert 80 <= min(quality) and max(quality) <= 100  # still uniform on its range
    # Normal against uniform through a Gaussian copula: r = rho * sqrt(3/pi) = 0.7 * 0.977 = 0.684.
    assert _correlation(periods, "answered_in_20s", "quality_score") == pytest.approx(0.684, abs=0.03)


def test_without_correlation_the_inputs_are_independent(acme):
    periods = _draws(acme, [])
    assert abs(_correlation(periods, "calls_offered", "answered_in_20s")) < 0.04


def test_same_seed_same_figures_and_the_correlation_in_the_json(acme):
    current, history = acme
    proposed = slarules.load(PROPOSED)
    kwargs = dict(runs=40, seed=3, years=2, distributions=parse_distributions(SPECS),
                  correlations=parse_correlations(["calls_offered:answered_in_20s=-0.6"]))
    first = simulate({"current": current, "proposed": proposed}, history, **kwargs).to_json()
    assert simulate({"current": current, "proposed": proposed}, history, **kwargs).to_json() == first
    assert '"answered_in_20s:calls_offered": "-0.6"' in first
    independent = simulate({"current": current, "proposed": proposed}, history,
                           **{**kwargs, "correlations": None}).to_json()
    assert independent != first


@pytest.mark.parametrize("specs, message", [
    (["a:b=0.9", "b:c=0.9", "a:c=-0.9"], "not positive semi-definite"),
    (["a:b=1.5"], "not a number from -1 to 1"),
    (["a:a=0.5"], "with itself"),
    (["a:b=0.5", "b:a=0.4"], "stated twice"),
    (["a-b=0.5"], "cannot read"),
])
def test_bad_correlations_are_clear_errors(specs, message):
    distributions = parse_distributions([f"{name}=normal(10,1)" for name in "abc"])
    with pytest.raises(CorrelationError, match=message):
        copula(parse_correlations(specs), distributions)


def test_a_perfect_correlation_is_semi_definite_and_allowed(acme):
    periods = _draws(acme, ["calls_offered:answered_in_20s=1"], runs=20)
    assert _correlation(periods, "calls_offered", "answered_in_20s") > 0.999


def test_a_correlated_input_needs_a_distribution():
    with pytest.raises(DistributionError, match="has no distribution"):
        copula(parse_correlations(["a:b=0.5"]), parse_distributions(["a=normal(1,1)"]))


def test_cli_correlate(capsys):
    args = ["dry-run", str(PROPOSED), "--against", str(CURRENT), str(DATA), "--simulate", "30", "--seed", "4",
            "--distribution", SPECS[0], "--distribution", SPECS[1]]
    assert main([*args, "--correlate", "calls_offered:answered_in_20s=-0.6"]) == 0
    assert "answered_in_20s and calls_offered drawn together, correlation -0.6" in capsys.readouterr().out
    assert main([*args, "--correlate", "calls_offered:answered_in_20s=-0.6",
                 "--correlate", "calls_offered:quality_score=0.9"]) == 2
    assert "--correlate: quality_score is correlated but has no distribution" in capsys.readouterr().err
    assert main(["dry-run", str(PROPOSED), "--against", str(CURRENT), str(DATA),
                 "--correlate", "calls_offered:answered_in_20s=-0.6"]) == 2
    assert "--correlate only with --simulate" in capsys.readouterr().err
