"""Exposure simulation: resampling, distributions, percentiles, determinism."""
from __future__ import annotations

import json
import math
import random
from decimal import Decimal

import pytest

import slarules
from slarules.tools.simulate import (
    DistributionError,
    Normal,
    Uniform,
    bootstrap_indices,
    generate,
    labelled,
    parse_distribution,
    parse_distributions,
    percentile,
    simulate,
)
from tests.conftest import ROOT, TESTS

CURRENT = ROOT / "rulesets" / "acme_contact_center.sla"
PROPOSED = TESTS / "golden" / "dryrun" / "acme_proposed.sla"


@pytest.fixture(scope="module")
def acme():
    current = slarules.load(CURRENT)
    proposed = slarules.load(PROPOSED)
    history = slarules.read_history(current, ROOT / "rulesets" / "acme_contact_center.csv")
    return current, proposed, history


def _units(program):
    return {s.name: s.unit for s in program.inputs}


# ---------------------------------------------------------------- determinism

def test_same_seed_same_json_other_seed_differs(acme):
    current, proposed, history = acme
    programs = {"current": current, "proposed": proposed}
    first = simulate(programs, history, runs=30, seed=11).to_json()
    assert simulate(programs, history, runs=30, seed=11).to_json() == first
    assert simulate(programs, history, runs=30, seed=12).to_json() != first
    random.seed(0)  # the global generator plays no part
    assert simulate(programs, history, runs=30, seed=11).to_json() == first


def test_result_shape_progress_and_text(acme):
    current, proposed, history = acme
    calls = []
    s = simulate({"current": current, "proposed": proposed}, history, runs=25, seed=3, years=2,
                 distributions=parse_distributions(["quality_score=uniform(85,99)"]),
                 progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 25) for i in range(1, 26)]
    nets = s["proposed"].net
    assert len(nets) == 25 and all(isinstance(v, Decimal) for v in nets)
    e = s["current"]
    assert all(c - b >= n for c, b, n in zip(e.credits, e.bonuses, e.net))  # earn-back only lowers net
    assert e.percentiles("net")[50] == percentile(e.net, 50)
    data = json.loads(s.to_json())
    assert data["periods_per_year"] == 12 and data["years"] == 2
    assert data["distributions"] == {"quality_score": "uniform(85, 99)"}
    assert "nearest rank" in data["percentile_method"]
    assert set(data["rulesets"][0]["net"]) == {"mean", "p50", "p90", "p95", "p99"}
    assert 0 <= Decimal(data["rulesets"][0]["termination"]["probability"]) <= 1
    text = s.to_text()
    assert "P95" in text and "termination right within the term" in text and "," in text
    assert any(e.earned_back)  # acme's speed of answer earns back half its credits after 3 met months
    # net = credits + withheld - earned back - bonuses, and nothing withheld is negative
    assert all(c - eb - b <= n for c, eb, b, n in zip(e.credits, e.earned_back, e.bonuses, e.net))
    assert set(data["rulesets"][0]["earned_back"]) == {"mean", "p50", "p90", "p95", "p99"}
    assert "\n  earned back " in text


# ---------------------------------------------------------------- the bootstrap

def test_bootstrap_preserves_each_inputs_marginal_distribution(acme):
    """24,000 resampled periods (2,000 runs of 12) of the 24-period history, fixed seed.

    A moving block bootstrap does not give every period exactly the same weight:
    with n = 24 periods and blocks of b = 3, a block starts at one of 22 periods,
    so the first and last periods are in 1 of 66 block positions, the second and
    second-to-last in 2, all others in 3 (history: 1/24 each). Tolerances:
      * frequencies: each period's observed share is within 4 standard errors
        of its exact weight (SE computed for 8,000 independent blocks);
      * mean: within 0.15 standard deviations of the history's mean; the edge
        weighting alone moves it by at most the total variation distance between
        the two weightings (0.076) times the range/sd of the input, and for these
        inputs by at most 0.098 sd (calls_offered: the 480-call first month
        and the 13,000-call last month are under-weighted); 4 SE of noise add about 0.045 sd;
      * quantiles (nearest rank, 10th to 90th): the resampled q-quantile lies
        between the history's (q-10)- and (q+10)-quantiles; the weighting moves
        the distribution function by at most 0.076 and 4 SE of noise add 0.022.
    """
    current, _, history = acme
    rng = random.Random(20260101)
    n, runs, length, block = len(history.periods), 2000, 12, 3
    indices = [i for _ in range(runs) for i in bootstrap_indices(rng, n, length, block)]
    weights = [min(i + 1, block, n - i) for i in range(n)]
    total = sum(weights)
    blocks = runs * length / block
    for i in range(n):
        share = weights[i] / total
        se = math.sqrt(share * (1 - share) / blocks) * block
        assert abs(indices.count(i) / len(indices) - share) <= 4 * se, i
    rng = random.Random(20260101)
    generated = [v for _ in range(runs) for v in generate(rng, history, length, block, {}, _units(current))]
    for name in _units(current):
        original = [p.values[name] for p in history.periods if name in p.values]
        resampled = [v[name] for v in generated if name in v]
        mean = sum(original) / len(original)
        sd = Decimal(math.sqrt(sum((x - mean) ** 2 for x in original) / len(original)))
        assert abs(sum(resampled) / len(resampled) - mean) <= Decimal("0.15") * sd, name
        for q in (10, 25, 50, 75, 90):
            assert percentile(original, q - 10 or 1) <= percentile(resampled, q) <= percentile(original, q + 10), (name, q)


def test_blocks_are_consecutive_history_periods(acme):
    current, _, history = acme
    by_values = {tuple(sorted(p.values.items())): i for i, p in enumerate(history.periods)}
    assert len(by_values) == len(history.periods)  # every period is recognisable by its values
    rng = random.Random(5)
    for _ in range(50):
        periods = generate(rng, history, 12, 4, {}, _units(current))
        indices = [by_values[tuple(sorted(v.items()))] for v in periods]
        for start in range(0, 12, 4):
            chunk = indices[start:start + 4]
            assert chunk == list(range(chunk[0], chunk[0] + 4))


def test_block_longer_than_history_and_term_cut():
    rng = random.Random(1)
    assert bootstrap_indices(rng, 5, 12, 9) == [0, 1, 2, 3, 4] * 2 + [0, 1]
    assert len(bootstrap_indices(rng, 24, 13, 3)) == 13


def test_relabelled_from_contract_start(acme):
    current, _, history = acme
    periods = generate(random.Random(2), history, 24, 3, {}, _units(current))
    labels = [p.label for p in labelled(current, periods).periods]
    assert labels[0] == "2026-01" and labels[-1] == "2027-12" and len(set(labels)) == 24


# ---------------------------------------------------------------- distributions

def test_parse_distributions():
    assert parse_distribution("answered_in_20s=normal(8000,400)") == ("answered_in_20s", Normal(Decimal(8000), Decimal(400)))
    assert parse_distribution(" quality_score = uniform( 85.5 , 99 ) ") == (
        "quality_score", Uniform(Decimal("85.5"), Decimal(99)))
    assert str(Normal(Decimal(8000), Decimal(400))) == "normal(8000, 400)"


@pytest.mark.parametrize("spec, message", [
    ("answered_in_20s", "cannot read the distribution"),
    ("answered_in_20s=normal 8000,400", "cannot read the distribution"),
    ("answered_in_20s=gauss(8000,400)", "unknown distribution 'gauss'"),
    ("answered_in_20s=norml(8000,400)", "did you mean 'normal'"),
    ("answered_in_20s=normal(8000)", "normal takes 2 numbers (mean, sd)"),
    ("answered_in_20s=normal(8000,x)", "the sd of 'answered_in_20s=normal(8000,x)' is 'x', not a number"),
    ("answered_in_20s=normal(8000,-4)", "standard deviation"),
    ("quality_score=uniform(99,85)", "low end"),
])
def test_distribution_errors(spec, message):
    with pytest.raises(DistributionError, match=None) as err:
        parse_distribution(spec)
    assert message in str(err.value)


def test_repeated_and_unknown_inputs(acme):
    current, _, history = acme
    with pytest.raises(DistributionError, match="two distributions"):
        parse_distributions(["quality_score=uniform(85,99)", "quality_score=normal(90,2)"])
    with pytest.raises(DistributionError, match="did you mean 'quality_score'"):
        simulate({"c": current}, history, runs=1, seed=1, distributions=parse_distributions(["quality_scor=normal(9,1)"]))


def test_drawn_inputs_are_clipped_to_the_unit(acme):
    current, _, history = acme
    rng = random.Random(9)
    spec = parse_distributions(["quality_score=normal(99,10)", "abandoned=normal(10,400)"])
    periods = [v for _ in range(200) for v in generate(rng, history, 12, 3, spec, _units(current))]
    quality = [v["quality_score"] for v in periods]
    abandoned = [v["abandoned"] for v in periods]
    assert max(quality) == 100 and min(quality) < 95  # clipped at 100%, still spread
    assert min(abandoned) == 0 and all(a == a.to_integral_value() for a in abandoned)  # counts: whole, >= 0
    assert all(v["quality_score"].as_tuple().exponent == -2 for v in periods)


# ---------------------------------------------------------------- percentiles

def test_percentile_nearest_rank_by_hand():
    amounts = [Decimal(x) for x in ("50", "15", "40", "35", "20")]  # sorted: 15 20 35 40 50
    # rank = ceil(p/100 * 5)
    assert percentile(amounts, 5) == 15     # ceil(0.25) = 1
    assert percentile(amounts, 30) == 20    # ceil(1.5) = 2
    assert percentile(amounts, 40) == 20    # ceil(2.0) = 2
    assert percentile(amounts, 50) == 35    # ceil(2.5) = 3
    assert percentile(amounts, 100) == 50
    ten = [Decimal(x) for x in range(1, 11)]
    assert [percentile(ten, p) for p in (50, 90, 95, 99)] == [5, 9, 10, 10]
    hundred = [Decimal(x) for x in range(100, 0, -1)]
    assert [percentile(hundred, p) for p in (50, 90, 95, 99)] == [50, 90, 95, 99]
    with pytest.raises(ValueError):
        percentile([], 50)


def test_years_divide_the_term(acme):
    current, _, history = acme
    one = simulate({"c": current}, history, runs=5, seed=4, years=2)
    outcome_runs = []
    rng = random.Random(4)
    for _ in range(5):
        outcome_runs.append(current.evaluate(labelled(current, generate(rng, history, 24, 3, {}, _units(current)))))
    assert list(one["c"].net) == [(o.totals.net / 2).quantize(Decimal("0.01")) for o in outcome_runs]
    assert list(one["c"].earned_back) == [(o.totals.earned_back / 2).quantize(Decimal("0.01"))
                                          for o in outcome_runs]
    assert one["c"].runs_with_termination == sum(1 for o in outcome_runs if o.terminations)
