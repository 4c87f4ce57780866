"""Exposure simulation: what a ruleset may cost under simulated performance.

Input: named Programs, a History of real KPI results, a number of runs and a
seed. Each run generates `years` contract years of KPI data:

  * by a moving block bootstrap of the history: blocks of `block` consecutive
    periods, each starting at a uniformly drawn period of the history, laid end
    to end and cut to the term, so runs of bad months stay together; whole
    periods are copied, so the inputs of one period stay consistent;
  * except for the inputs named in `distributions`, which are drawn afresh in
    every period from the stated distribution (`normal(mean, sd)` or
    `uniform(low, high)`), clipped to the input's range (never negative, a
    percent at most 100) and rounded to its resolution (a count to a whole
    number, other units to 0.01, a ratio to 0.0001).

The generated periods are relabelled as consecutive periods from the contract
start, and every Terms evaluates the same generated history (common random
numbers: differences between rulesets are not noise of separate draws).
Waivers and exclusions of the real history are not carried into the runs.
The runs are drawn first; with NumPy installed (the `fast` extra) every
ruleset then evaluates all of them at once with the vectorised money-only
evaluator (engine/vectorised.py, exact, the same money as evaluate()),
otherwise run by run with evaluate().

Output: a Simulation with, per ruleset, the annual credits, credits earned
back, bonuses and net of every run (the term's totals divided by `years`, rounded half-even to the
currency's minor unit), their mean and their 50th, 90th, 95th and 99th
percentiles, and the share of runs in which a termination right arose within
the term. Percentiles are exact order statistics by the nearest-rank method:
the P-th percentile of N sorted amounts is the one at rank ceil(P/100 * N).

Determinism: all randomness comes from random.Random(seed), drawn in a fixed
order, so a seed gives the same Simulation (on the same Python version).
"""
from __future__ import annotations

import json
import random
import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Callable, Mapping

import attrs

from ..core.diagnostics import did_you_mean
from ..core.money import CONTEXT, format_money, plain_money
from ..core.periods import MONTHS_PER_PERIOD
from ..engine.compile import Terms
from ..engine.evaluate import evaluate
from ..engine.history import History, PeriodData

JSON_FORMAT = "slarules.simulation/1"
PERCENTILES = (50, 90, 95, 99)
KINDS = ("credits", "earned_back", "bonuses", "net")  # the annual amounts of a run, as Exposure names them
PERCENTILE_METHOD = "nearest rank: the P-th percentile of N sorted amounts is the one at rank ceil(P/100 * N)"
ZERO = Decimal(0)
_RESOLUTION = {"count": Decimal(1), "ratio": Decimal("0.0001")}
_DEFAULT_RESOLUTION = Decimal("0.01")


class DistributionError(ValueError):
    """A distribution spec that cannot be read, or names an input no ruleset has."""


# ---------------------------------------------------------------- distributions

@attrs.frozen
class Normal:
    mean: Decimal
    sd: Decimal

    def draw(self, rng: random.Random) -> float:
        return rng.normalvariate(float(self.mean), float(self.sd))

    def __str__(self) -> str:
        return f"normal({self.mean}, {self.sd})"


@attrs.frozen
class Uniform:
    low: Decimal
    high: Decimal

    def draw(self, rng: random.Random) -> float:
        return rng.uniform(float(self.low), float(self.high))

    def __str__(self) -> str:
        return f"uniform({self.low}, {self.high})"


Distribution = Normal | Uniform
_KINDS = {"normal": (Normal, ("mean", "sd")), "uniform": (Uniform, ("low", "high"))}
_SPEC = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([A-Za-z_]+)\s*\((.*)\)\s*")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def parse_distribution(spec: str) -> tuple[str, Distribution]:
    """`answered_in_20s=normal(8000,400)` -> ("answered_in_20s", Normal(8000, 400))."""
    usage = "write INPUT=normal(MEAN,SD) or INPUT=uniform(LOW,HIGH), e.g. answered_in_20s=normal(8000,400)"
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise DistributionError(f"cannot read the distribution '{spec}': {usage}")
    name, kind, arguments = match.group(1), match.group(2), match.group(3)
    if kind not in _KINDS:
        hint = " ".join(did_you_mean(kind, _KINDS))
        raise DistributionError(f"unknown distribution '{kind}' in '{spec}'; the distributions are normal and "
                                f"uniform{'; ' + hint if hint else ''}")
    cls, parameters = _KINDS[kind]
    texts = [a.strip() for a in arguments.split(",")] if arguments.strip() else []
    if len(texts) != len(parameters):
        raise DistributionError(f"{kind} takes {len(parameters)} numbers ({', '.join(parameters)}), "
                                f"'{spec}' gives {len(texts)}")
    values = []
    for parameter, text in zip(parameters, texts):
        if not _NUMBER.fullmatch(text):
            raise DistributionError(f"the {parameter} of '{spec}' is '{text}', not a number")
        values.append(Decimal(text))
    if cls is Normal and values[1] < 0:
        raise DistributionError(f"the standard deviation of '{spec}' is negative")
    if cls is Uniform and values[0] > values[1]:
        raise DistributionError(f"the low end of '{spec}' is above its high end")
    return name, cls(*values)


def parse_distributions(specs) -> dict[str, Distribution]:
    """Several specs (an input named twice is an error)."""
    out: dict[str, Distribution] = {}
    for spec in specs:
        name, distribution = parse_distribution(spec)
        if name in out:
            raise DistributionError(f"input '{name}' has two distributions")
        out[name] = distribution
    return out


def _clip(value: float, unit: str) -> Decimal:
    """A draw as an input value: within the unit's range, at its resolution."""
    quantum = _RESOLUTION.get(unit, _DEFAULT_RESOLUTION)
    number = Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_EVEN, context=CONTEXT)
    number = max(number, ZERO)
    if unit == "percent":
        number = min(number, Decimal(100))
    return number + 0 * quantum  # keep the exponent of the quantum (max/min may return ZERO)


# ---------------------------------------------------------------- generation

def bootstrap_indices(rng: random.Random, size: int, length: int, block: int) -> list[int]:
    """Indices into a history of `size` periods for a generated history of `length`
    periods: blocks of `block` consecutive indices (fewer if the history is shorter),
    each block starting uniformly at 0..size-block, cut to `length`."""
    block = min(block, size)
    out: list[int] = []
    while len(out) < length:
        start = rng.randrange(size - block + 1)
        out.extend(range(start, start + block))
    return out[:length]


def draw_run(rng: random.Random, size: int, length: int, block: int, distributions: Mapping[str, Distribution],
             units: Mapping[str, str]) -> tuple[list[int], dict[str, list[Decimal]]]:
    """One generated run, drawn in a fixed order: the indices of the history's periods it
    resamples, then per period the value of each distribution input (by name)."""
    indices = bootstrap_indices(rng, size, length, block)
    names = sorted(distributions)
    draws: dict[str, list[Decimal]] = {name: [] for name in names}
    for _ in indices:
        for name in names:
            draws[name].append(_clip(distributions[name].draw(rng), units[name]))
    return indices, draws


def generate(rng: random.Random, history: History, length: int, block: int,
             distributions: Mapping[str, Distribution], units: Mapping[str, str]) -> list[dict[str, Decimal]]:
    """One generated run: the values of each period (unlabelled)."""
    indices, draws = draw_run(rng, len(history.periods), length, block, distributions, units)
    return [{**history.periods[index].values, **{name: values[p] for name, values in draws.items()}}
            for p, index in enumerate(indices)]


def labelled(program: Terms, periods: list[dict[str, Decimal]]) -> History:
    """The generated periods as a History from the program's contract start."""
    calendar = program.calendar
    first = calendar.index(calendar.label_of_month(calendar.start_month))
    return History(tuple(PeriodData(calendar.label(first + i), values) for i, values in enumerate(periods)))


# ---------------------------------------------------------------- results

def percentile(amounts, p: int) -> Decimal:
    """Nearest rank: the amount at rank ceil(p/100 * N) of the sorted amounts (p in 1..100)."""
    ordered = sorted(amounts)
    if not ordered:
        raise ValueError("no amounts")
    if not 0 < p <= 100:
        raise ValueError("a percentile is above 0 and at most 100")
    rank = max(1, -(-p * len(ordered) // 100))
    return ordered[rank - 1]


@attrs.frozen
class Exposure:
    """One ruleset's simulated annual amounts, one per run, in run order."""

    name: str
    ruleset: str
    contract: str
    digits: int
    credits: tuple[Decimal, ...]
    earned_back: tuple[Decimal, ...]
    bonuses: tuple[Decimal, ...]
    net: tuple[Decimal, ...]  # credits + withheld - earned back - bonuses (positive: owed to the client)
    runs_with_termination: int

    def mean(self, kind: str) -> Decimal:
        amounts = getattr(self, kind)
        quantum = Decimal(1).scaleb(-self.digits)
        return (sum(amounts, ZERO) / len(amounts)).quantize(quantum, ROUND_HALF_EVEN, CONTEXT)

    def percentiles(self, kind: str) -> dict[int, Decimal]:
        ordered = sorted(getattr(self, kind))
        return {p: percentile(ordered, p) for p in PERCENTILES}

    @property
    def termination_probability(self) -> Decimal:
        """Runs with a termination right / runs, to four decimals."""
        return (Decimal(self.runs_with_termination) / len(self.net)).quantize(Decimal("0.0001"),
                                                                             ROUND_HALF_EVEN, CONTEXT)


@attrs.frozen
class Simulation:
    runs: int
    seed: int
    years: int
    block: int
    periods_per_year: int
    history: tuple[str, str]  # first and last period resampled
    distributions: tuple[tuple[str, str], ...]  # (input, "normal(8000, 400)"), by input name
    currency: str
    exposures: tuple[Exposure, ...]

    def __contains__(self, name: object) -> bool:
        return any(exposure.name == name for exposure in self.exposures)

    def __getitem__(self, name: str) -> Exposure:
        for exposure in self.exposures:
            if exposure.name == name:
                return exposure
        raise KeyError(name)

    def to_data(self) -> dict:
        return to_data(self)

    def to_json(self) -> str:
        return json.dumps(to_data(self), indent=2, ensure_ascii=False) + "\n"

    def to_text(self) -> str:
        return to_text(self)


# ---------------------------------------------------------------- simulate

def simulate(programs: dict[str, Terms], history: History, runs: int, seed: int, years: int = 1,
             block: int = 3, distributions: dict[str, Distribution] | None = None,
             progress: Callable[[int, int], None] | None = None) -> Simulation:
    """Evaluate every program over `runs` generated histories of `years` contract years."""
    distributions = dict(distributions or {})
    if not programs:
        raise ValueError("simulate needs at least one ruleset")
    if runs < 1 or years < 1 or block < 1:
        raise ValueError("runs, years and block must each be at least 1")
    if not history.periods:
        raise ValueError("the history has no periods to resample")
    listed = list(programs.items())
    periodicities = {p.calendar.periodicity for _, p in listed}
    if len(periodicities) > 1:
        raise ValueError(f"the rulesets assess different periods ({', '.join(sorted(periodicities))}); "
                         "a generated history fits only one")
    currencies = {p.currency for _, p in listed}
    if len(currencies) > 1:
        raise ValueError(f"the rulesets are in different currencies ({', '.join(sorted(currencies))})")
    units: dict[str, str] = {}
    for _, program in listed:
        for spec in program.inputs:
            units.setdefault(spec.name, spec.unit)
    for name in sorted(distributions):
        if name not in units:
            hint = " ".join(did_you_mean(name, units))
            raise DistributionError(f"'{name}' is not an input of the rulesets{'; ' + hint if hint else ''}; "
                                    f"the inputs are: {', '.join(units)}")
    per_year = 12 // MONTHS_PER_PERIOD[listed[0][1].calendar.periodicity]
    length = years * per_year
    try:
        from ..engine import vectorised  # NumPy, if installed (the `fast` extra)
    except ImportError:
        vectorised = None
    rng = random.Random(seed)
    drawn = []
    for run in range(runs):
        drawn.append(draw_run(rng, len(history.periods), length, block, distributions, units))
        if progress is not None and vectorised is not None:  # drawing is most of the time
            progress(run + 1, runs)
    if vectorised is not None:
        amounts, terminated = _money_vectorised(vectorised, listed, history, drawn, years)
    else:
        amounts, terminated = _money_exact(listed, history, drawn, years, progress)
    exposures = tuple(
        Exposure(name, program.path, program.title, program.rounding.digits, *map(tuple, amounts[name]),
                 terminated[name])
        for name, program in listed)
    return Simulation(runs, seed, years, min(block, len(history.periods)), per_year,
                      (history.periods[0].label, history.periods[-1].label),
                      tuple((name, str(distributions[name])) for name in sorted(distributions)),
                      currencies.pop(), exposures)


def _money_exact(listed, history: History, drawn, years: int, progress=None):
    """Per ruleset the annual credits, earned back, bonuses and net of every run, and the
    runs with a termination right: each run through the exact evaluator."""
    amounts = {name: ([], [], [], []) for name, _ in listed}
    terminated = {name: 0 for name, _ in listed}
    for run, (indices, draws) in enumerate(drawn):
        periods = [{**history.periods[index].values, **{name: values[p] for name, values in draws.items()}}
                   for p, index in enumerate(indices)]
        for name, program in listed:
            outcome = evaluate(program, labelled(program, periods))
            quantum = Decimal(1).scaleb(-program.rounding.digits)
            t = outcome.totals
            for target, total in zip(amounts[name], (t.credits, t.earned_back, t.bonuses, t.net)):
                target.append((total / years).quantize(quantum, ROUND_HALF_EVEN, CONTEXT))
            terminated[name] += bool(outcome.terminations)
        if progress is not None:
            progress(run + 1, len(drawn))
    return amounts, terminated


def _money_vectorised(vectorised, listed, history: History, drawn, years: int):
    """As _money_exact, every run at once with engine/vectorised.py (NumPy)."""
    import numpy as np

    indices = np.array([run[0] for run in drawn], dtype=np.int64)
    names = {spec.name for _, program in listed for spec in program.inputs}
    columns = {}
    try:
        for name in sorted(names):
            draws = drawn[0][1].get(name) if drawn else None
            if draws is not None:
                cells = [run[1][name] for run in drawn]
                scale = max(vectorised.scaled(v)[1] for row in cells for v in row)
                columns[name] = vectorised.Column(
                    vectorised.int64_array([[int(v.scaleb(scale)) for v in row] for row in cells]), scale)
                continue
            known = [period.values.get(name) for period in history.periods]
            scale = max((vectorised.scaled(v)[1] for v in known if v is not None), default=0)
            values = vectorised.int64_array([0 if v is None else int(v.scaleb(scale)) for v in known])
            present = np.array([v is not None for v in known], dtype=bool)
            columns[name] = vectorised.Column(values[indices], scale, None if present.all() else present[indices])
    except vectorised.Overflow:  # a value too large or too fine for 64-bit integers
        return _money_exact(listed, history, drawn, years)
    amounts, terminated = {}, {}
    for name, program in listed:
        calendar = program.calendar
        first = calendar.index(calendar.label_of_month(calendar.start_month))
        own = {spec.name: columns[spec.name] for spec in program.inputs}
        money = vectorised.evaluate_money(program, own, first)
        amounts[name] = tuple(
            [money.decimal(v) for v in vectorised.round_div(total.sum(axis=1), years, "half even")]
            for total in (money.credits, money.earned_back, money.bonuses, money.net))
        terminated[name] = int((money.terminations >= 0).any(axis=1).sum())
    return amounts, terminated


# ---------------------------------------------------------------- rendering

def to_data(s: Simulation) -> dict:
    return {
        "format": JSON_FORMAT,
        "currency": s.currency,
        "runs": s.runs,
        "seed": s.seed,
        "years": s.years,
        "periods_per_year": s.periods_per_year,
        "resampling": {"method": "moving block bootstrap", "block": s.block,
                       "history": {"first": s.history[0], "last": s.history[1]}},
        "distributions": {name: text for name, text in s.distributions},
        "percentile_method": PERCENTILE_METHOD,
        "amounts": "annual: the term's totals divided by years, rounded half-even to the minor unit; "
                   "net = credits + withheld - earned back - bonuses",
        "rulesets": [
            {"name": e.name, "ruleset": e.ruleset, "contract": e.contract,
             **{kind: {"mean": plain_money(e.mean(kind), e.digits),
                       **{f"p{p}": plain_money(v, e.digits) for p, v in e.percentiles(kind).items()}}
                for kind in KINDS},
             "termination": {"runs": e.runs_with_termination, "probability": str(e.termination_probability)},
             "annual_net": [plain_money(v, e.digits) for v in e.net]}
            for e in s.exposures
        ],
    }


def to_text(s: Simulation) -> str:
    out = [f"Exposure simulation: {s.runs:,} runs of {s.years} contract year{'s' if s.years != 1 else ''} "
           f"({s.years * s.periods_per_year} periods), seed {s.seed}, amounts in {s.currency} per year",
           f"  KPI data resampled from {s.history[0]} to {s.history[1]} in blocks of {s.block} consecutive periods"]
    for name, text in s.distributions:
        out.append(f"  {name} drawn each period from {text}")
    out.append(f"  percentiles: {PERCENTILE_METHOD}")
    out.append("  net = credits + withheld - earned back - bonuses (positive: owed to the client)")
    for e in s.exposures:
        m = lambda a: format_money(a, e.digits)  # noqa: E731
        rows = {kind: [e.mean(kind), *e.percentiles(kind).values()] for kind in KINDS}
        width = max(len("expected"), *(len(m(v)) for vs in rows.values() for v in vs))
        out.append("")
        out.append(f"{e.name} ({e.ruleset}): {e.contract}")
        out.append(f"  {'':<11}  {'expected':>{width}}" + "".join(f"  {'P' + str(p):>{width}}" for p in PERCENTILES))
        for kind, values in rows.items():
            out.append(f"  {kind.replace('_', ' '):<11}" + "".join(f"  {m(v):>{width}}" for v in values))
        share = e.termination_probability * 100
        out.append(f"  termination right within the term: {e.runs_with_termination:,} of {s.runs:,} runs "
                   f"({share.normalize(CONTEXT):f}%)")
    return "\n".join(out) + "\n"
