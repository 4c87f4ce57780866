"""Portfolio exposure: many contracts simulated together, on Dask.

Input: the Entries of a portfolio (tools/portfolio.py), a number of runs, years
per run, a seed, simulate's block length, and where to run: this machine (the
default: Dask's process scheduler, one worker per core) or the Dask scheduler
at an address (a cluster; its workers need slarules installed, with the `fast`
and `dask` extras).

Each contract is simulated by simulate() (tools/simulate.py): its own KPI data
resampled in blocks, its distributions and correlations, the annual credits,
bonuses and net of each run. The runs are cut into run blocks of
RUNS_PER_BLOCK; block b of contract c draws from the seed
SeedSequence(seed, spawn_key=(k1, k2, b)), k1 and k2 the two halves of the
first 8 bytes of SHA-256 of c's name. A figure therefore depends on the seed,
the contract's name and its run only, never on the number of workers, the
partitions (how many run blocks one Dask task evaluates) or which worker ran
what: the same seed gives the same report anywhere. Contracts are drawn
independently of each other (separate draws: no correlation between contracts
is modelled); renaming a contract draws it afresh.

Output: a Report: per contract its expected (mean) credits, bonuses and net per
year, their P50, P90, P95 and P99 (nearest rank, as simulate) and the share of
runs with a termination right. Per currency a portfolio: run r's amount is the
sum over its contracts of weight x the contract's amount in run r, rounded
half-even to the minor unit; the same figures, the share of runs in which at
least one contract gave a termination right, and the contracts that drive the
tail: the runs whose portfolio net is at or above its P95, and each contract's
part of the portfolio's net summed over those runs (parts sum to the whole; a
negative part is a contract whose bonuses lighten the tail).

Errors: a contract whose ruleset or data has errors, or whose distributions
cannot be used (SLA507), is left out with its diagnostics and listed in the
report; the others are simulated. A scheduler that cannot be reached is SLA509.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Callable, Sequence

import attrs

from ..core.diagnostics import Diagnostic, SlaError
from ..core.money import CONTEXT, format_money, plain_money
from ..core.source import Source
from ..engine.compile import Terms, compile_terms
from ..engine.history import History
from ..formats.kpi_data import parse_history
from ..language.check import check
from ..language.parse import parse
from .portfolio import Entry, Unread
from .simulate import (
    KINDS,
    PERCENTILE_METHOD,
    PERCENTILES,
    DistributionError,
    Exposure,
    parse_correlations,
    parse_distributions,
    percentile,
    simulate,
)

JSON_FORMAT = "slarules.exposure/1"
RUNS_PER_BLOCK = 500  # part of the model: changing it changes which seed draws which run
TAIL_PERCENTILE = 95
CONNECT_TIMEOUT = "10s"  # how long to try to reach a scheduler
ZERO = Decimal(0)


@attrs.frozen
class Prepared:
    """An entry made ready to simulate."""

    program: Terms
    history: History
    distributions: dict
    correlations: dict
    warnings: tuple[Diagnostic, ...]  # the ruleset's, from check


@attrs.frozen
class ContractExposure:
    entry: Entry
    currency: str
    exposure: Exposure  # the contract's own amounts, unweighted
    warnings: tuple[Diagnostic, ...] = ()  # its ruleset's


@attrs.frozen
class Driver:
    """A contract's part of the portfolio's tail runs: its mean weighted net in them, and its
    share of their whole net."""

    name: str
    mean_net: Decimal  # rounded half-even to the minor unit
    share: Decimal | None  # its net summed over the tail runs / theirs, to 4 decimals (None if that is zero)


@attrs.frozen
class PortfolioExposure:
    currency: str
    exposure: Exposure  # weighted sums per run; terminations: at least one contract gave a right
    threshold: Decimal  # the portfolio net's P95
    tail_runs: int
    drivers: tuple[Driver, ...]


@attrs.frozen
class Report:
    runs: int
    seed: int
    years: int
    block: int
    contracts: tuple[ContractExposure, ...]
    portfolios: tuple[PortfolioExposure, ...]
    left_out: tuple[Unread, ...]

    def to_data(self) -> dict:
        return to_data(self)

    def to_json(self) -> str:
        return json.dumps(to_data(self), indent=2, ensure_ascii=False) + "\n"

    def to_text(self) -> str:
        return to_text(self)


# ---------------------------------------------------------------- one run block

def prepare(entry: Entry) -> Prepared:
    """The entry's compiled terms, KPI history, distributions and correlations (SlaError or
    DistributionError if they cannot be had)."""
    ruleset = parse(Source(entry.ruleset, entry.ruleset_text))
    found = check(ruleset)
    if any(d.is_error for d in found):
        raise SlaError([d for d in found if d.is_error])
    program = compile_terms(ruleset)
    history = parse_history(program, Source(entry.data, entry.data_text))
    return Prepared(program, history, parse_distributions(entry.distributions), parse_correlations(entry.correlate),
                    tuple(d for d in found if d.severity == "warning"))


_prepared = functools.lru_cache(maxsize=256)(prepare)  # a worker compiles each contract once


def block_seed(seed: int, name: str, block: int) -> int:
    """The seed of run block `block` of the contract named `name`: 128 bits of
    SeedSequence(seed, spawn_key=(k1, k2, block)), k1 and k2 from SHA-256 of the name."""
    import numpy as np

    digest = hashlib.sha256(name.encode("utf-8")).digest()
    key = (int.from_bytes(digest[:4], "big"), int.from_bytes(digest[4:8], "big"), block)
    words = np.random.SeedSequence(seed, spawn_key=key).generate_state(4, dtype=np.uint32)
    return int.from_bytes(b"".join(int(w).to_bytes(4, "big") for w in words), "big")


def block_runs(runs: int, block: int) -> int:
    return min(RUNS_PER_BLOCK, runs - block * RUNS_PER_BLOCK)


def simulate_blocks(units: Sequence[tuple[Entry, int]], runs: int, seed: int, years: int,
                    block: int) -> list[tuple[str, int, Exposure]]:
    """One Dask task: each (entry, run block) of `units` simulated, with its block's seed."""
    out = []
    for entry, index in units:
        ready = _prepared(entry)
        simulation = simulate({entry.name: ready.program}, ready.history, block_runs(runs, index),
                              block_seed(seed, entry.name, index), years, block, ready.distributions,
                              correlations=ready.correlations)
        out.append((entry.name, index, simulation.exposures[0]))
    return out


# ---------------------------------------------------------------- the portfolio

def exposure(entries: Sequence[Entry], runs: int, seed: int, years: int = 1, block: int = 3, *,
             scheduler: str | None = None, workers: int | None = None, partitions: int | None = None,
             progress: Callable[[int, int], None] | None = None, unread: Sequence[Unread] = ()) -> Report:
    """Simulate every entry `runs` times on Dask and summarise them and their portfolios.
    `partitions` (default: one per run block) groups the run blocks into Dask tasks."""
    if runs < 1 or years < 1 or block < 1:
        raise ValueError("runs, years and block must each be at least 1")
    if seed < 0:
        raise ValueError("the seed is a whole number, 0 or more")
    left_out = list(unread)
    ready: list[tuple[Entry, Prepared]] = []
    for entry in entries:
        problem = _problem(entry, years, block)
        if isinstance(problem, Unread):
            left_out.append(problem)
            continue
        ready.append((entry, problem))
    blocks = -(-runs // RUNS_PER_BLOCK)
    units = [(entry, index) for entry, _ in ready for index in range(blocks)]
    results = _run_on_dask(units, partitions or len(units), (runs, seed, years, block), scheduler, workers,
                           progress) if units else []
    by_contract: dict[str, list[tuple[int, Exposure]]] = {}
    for name, index, part in (item for result in results for item in result):
        by_contract.setdefault(name, []).append((index, part))
    contracts = tuple(ContractExposure(entry, prepared.program.currency,
                                       _joined([p for _, p in sorted(by_contract[entry.name])]), prepared.warnings)
                      for entry, prepared in ready)
    portfolios = tuple(_portfolio(currency, [c for c in contracts if c.currency == currency], runs)
                       for currency in sorted({c.currency for c in contracts}))
    left_out = [Unread(u.name, (*u.diagnostics, Diagnostic(
        "SLA508", f"contract '{u.name}' is left out of the portfolio; the others are simulated",
        severity="note"))) for u in sorted(left_out, key=lambda u: u.name)]
    return Report(runs, seed, years, block, contracts, portfolios, tuple(left_out))


def _problem(entry: Entry, years: int, block: int) -> Unread | Prepared:
    """An Unread naming what keeps the entry out, or the entry made ready."""
    try:
        ready = _prepared(entry)
        simulate({entry.name: ready.program}, ready.history, 1, 0, years, block, ready.distributions,
                 correlations=ready.correlations)
    except SlaError as err:
        return Unread(entry.name, err.diagnostics)
    except (DistributionError, ValueError) as err:
        return Unread(entry.name, (Diagnostic("SLA507", f"contract {entry.name}: {err}", location=entry.ruleset),))
    return ready


def _run_on_dask(units, partitions: int, arguments, scheduler: str | None, workers: int | None, progress):
    """The units' results, in partition order: `partitions` Dask tasks of consecutive units."""
    import dask

    count = max(1, min(partitions, len(units)))
    cuts = [len(units) * i // count for i in range(count + 1)]
    tasks = [dask.delayed(simulate_blocks, pure=False)(tuple(units[start:end]), *arguments)
             for start, end in zip(cuts, cuts[1:])]
    if scheduler is not None:
        return _on_cluster(tasks, scheduler, progress)
    local = "sync" if workers == 1 or len(tasks) == 1 else "processes"
    keys = {task.key for task in tasks}
    done = []

    def finished(key, result, dsk, state, worker_id) -> None:
        if progress is not None and key in keys:
            done.append(key)
            progress(len(done), len(tasks))

    from dask.callbacks import Callback
    with Callback(posttask=finished):
        return list(dask.compute(*tasks, scheduler=local, num_workers=workers or os.cpu_count()))


def _on_cluster(tasks, address: str, progress):
    from distributed import Client, as_completed
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as err:
        raise SlaError([Diagnostic("SLA509", f"cannot reach the Dask scheduler at {address}: {err}",
                                   notes=("start one (dask scheduler) and workers (dask worker ADDRESS), "
                                          "or leave --scheduler out to run on this machine",))]) from None
    with client:
        futures = client.compute(tasks)
        for count, _ in enumerate(as_completed(futures), start=1):
            if progress is not None:
                progress(count, len(futures))
        return client.gather(futures)


def _joined(parts: list[Exposure]) -> Exposure:
    first = parts[0]
    return Exposure(first.name, first.ruleset, first.contract, first.digits,
                    *(tuple(v for p in parts for v in getattr(p, field)) for field in (*KINDS, "terminations")))


def _portfolio(currency: str, members: list[ContractExposure], runs: int) -> PortfolioExposure:
    digits = max(m.exposure.digits for m in members)
    quantum = Decimal(1).scaleb(-digits)

    def weighted(member: ContractExposure, kind: str) -> list[Decimal]:
        return [(member.entry.weight * v).quantize(quantum, ROUND_HALF_EVEN, CONTEXT)
                for v in getattr(member.exposure, kind)]

    parts = {m.entry.name: {kind: weighted(m, kind) for kind in KINDS} for m in members}
    sums = {kind: tuple(sum((parts[m.entry.name][kind][r] for m in members), ZERO) for r in range(runs))
            for kind in KINDS}
    terminated = tuple(any(m.exposure.terminations[r] for m in members) for r in range(runs))
    total = Exposure(f"portfolio {currency}", "", f"{len(members)} contracts", digits,
                     *(sums[kind] for kind in KINDS), terminated)
    threshold = percentile(sums["net"], TAIL_PERCENTILE)
    tail = [r for r in range(runs) if sums["net"][r] >= threshold]
    whole = sum((sums["net"][r] for r in tail), ZERO)
    drivers = []
    for m in members:
        net = sum((parts[m.entry.name]["net"][r] for r in tail), ZERO)
        share = (net / whole).quantize(Decimal("0.0001"), ROUND_HALF_EVEN, CONTEXT) if whole else None
        drivers.append(Driver(m.entry.name, (net / len(tail)).quantize(quantum, ROUND_HALF_EVEN, CONTEXT), share))
    drivers.sort(key=lambda d: (-d.mean_net, d.name))
    return PortfolioExposure(currency, total, threshold, len(tail), tuple(drivers))


# ---------------------------------------------------------------- rendering

def _figures(e: Exposure) -> dict:
    return {kind: {"mean": plain_money(e.mean(kind), e.digits),
                   **{f"p{p}": plain_money(v, e.digits) for p, v in e.percentiles(kind).items()}}
            for kind in KINDS}


def _termination(e: Exposure) -> dict:
    return {"runs": e.runs_with_termination, "probability": str(e.termination_probability)}


def to_data(report: Report) -> dict:
    return {
        "format": JSON_FORMAT,
        "runs": report.runs,
        "seed": report.seed,
        "years": report.years,
        "resampling": {"method": "moving block bootstrap", "block": report.block},
        "seeds": f"run block b of contract c (blocks of {RUNS_PER_BLOCK} runs) draws from "
                 "SeedSequence(seed, spawn_key=(k1, k2, b)), k1 and k2 from SHA-256 of c's name",
        "percentile_method": PERCENTILE_METHOD,
        "amounts": "annual: the term's totals divided by years, rounded half-even to the minor unit; "
                   "net = credits + withheld - earned back - bonuses; a portfolio sums weight x amount per run",
        "contracts": [
            {"name": c.entry.name, "ruleset": c.entry.ruleset, "data": c.entry.data, "contract": c.exposure.contract,
             "currency": c.currency, "weight": str(c.entry.weight),
             "distributions": list(c.entry.distributions), "correlate": list(c.entry.correlate),
             **_figures(c.exposure), "termination": _termination(c.exposure)}
            for c in report.contracts],
        "portfolios": [
            {"currency": p.currency, "contracts": len(p.drivers), **_figures(p.exposure),
             "termination": {**_termination(p.exposure), "meaning": "runs in which at least one contract "
                                                                    "gave a termination right"},
             "tail": {"percentile": TAIL_PERCENTILE, "net_at_least": plain_money(p.threshold, p.exposure.digits),
                      "runs": p.tail_runs,
                      "drivers": [{"name": d.name, "mean_net": plain_money(d.mean_net, p.exposure.digits),
                                   "share": None if d.share is None else str(d.share)} for d in p.drivers]}}
            for p in report.portfolios],
        "left_out": [{"name": u.name, "errors": [f"{d.code}: {d.message}" for d in u.diagnostics if d.is_error]}
                     for u in report.left_out],
    }


def to_text(report: Report) -> str:
    years = f"{report.years} contract year{'s' if report.years != 1 else ''}"
    out = [f"Portfolio exposure: {len(report.contracts)} contracts, {report.runs:,} runs of {years} each, "
           f"seed {report.seed}, amounts per year",
           f"  each contract's KPI data resampled in blocks of {report.block} periods; contracts drawn independently",
           f"  percentiles: {PERCENTILE_METHOD}",
           "  net = credits + withheld - earned back - bonuses (positive: owed to the client)"]
    for p in report.portfolios:
        members = [c for c in report.contracts if c.currency == p.currency]
        out += ["", f"Contracts in {p.currency}"]
        rows = [[c.entry.name + (f" (x{c.entry.weight})" if c.entry.weight != 1 else ""),
                 *(_money(v, c.exposure.digits) for v in _net_row(c.exposure)), _percent(c.exposure)]
                for c in members]
        rows.append([f"portfolio ({len(members)})", *(_money(v, p.exposure.digits) for v in _net_row(p.exposure)),
                     _percent(p.exposure)])
        out += _table(["net per year", "expected", *(f"P{q}" for q in PERCENTILES), "termination"], rows)
        e = p.exposure
        out.append(f"  portfolio credits: expected {_money(e.mean('credits'), e.digits)}, "
                   f"P95 {_money(e.percentiles('credits')[95], e.digits)}; earned back: expected "
                   f"{_money(e.mean('earned_back'), e.digits)}; bonuses: expected {_money(e.mean('bonuses'), e.digits)}")
        out.append("  termination: share of runs in which at least one contract gave a termination right")
        out.append(f"  the tail: {p.tail_runs:,} runs with a portfolio net of at least "
                   f"{_money(p.threshold, e.digits)} (P{TAIL_PERCENTILE}); each contract in them:")
        out += _table(["contract", "mean net", "share of the tail"],
                      [[d.name, _money(d.mean_net, e.digits), "-" if d.share is None else _share(d.share)]
                       for d in p.drivers])
    for u in report.left_out:
        out += ["", f"left out: {u.name} ({sum(d.is_error for d in u.diagnostics)} errors, on stderr)"]
    return "\n".join(out) + "\n"


def _net_row(e: Exposure) -> list[Decimal]:
    return [e.mean("net"), *e.percentiles("net").values()]


def _money(amount: Decimal, digits: int) -> str:
    return format_money(amount, digits)


def _percent(e: Exposure) -> str:
    return _share(e.termination_probability)


def _share(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(Decimal('0.1'), ROUND_HALF_EVEN, CONTEXT)}%"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = lambda row: "  " + "  ".join(  # noqa: E731
        (str(cell).ljust if i == 0 else str(cell).rjust)(widths[i]) for i, cell in enumerate(row))
    return [line(header), *map(line, rows)]
