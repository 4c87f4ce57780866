"""Service levels assessed less often than the contract: `assessed quarterly` in a monthly contract.

Input: a compiled service level's Assessment (compile_assessment, from its
`assessed` clause and `the average of the monthly values of`), each period's
inputs as evaluation has them (defaults applied, the amount at risk, the
period's length) and its events, and the partial assessment the service
level's carry holds (state.Partial). Output: per period, the service level's
result: "pending" (value None) in a period that is not the last of its
quarter; in the last, the quarter's value and status, and the quarter's inputs
(their sums) that its credit, bonus and allocation are worked out from.

Quarters are contract quarters: three months from the contract's start month,
as contract years are twelve (a contract starting in January has calendar
quarters). The quarter's value is the measurement over the sums of its months'
inputs (counts, money and minutes: the check allows no other unit in them), or,
when the clause says so, the average of the monthly values (each month's
measurement; a month dividing by zero is SLA402). Its amounts (`2% of
monthly_fee`) are of the quarter's sums: the quarter's fees. A month excluded
for the service level (a relief event) excludes its quarter: an exclusion never
raises what the vendor owes, as leaving a good month out of the sums could. A
month without an input whose absence counts as a miss makes the quarter a miss
(not reported). A waiver given for any month of the
quarter waives the quarter's miss. Data that ends before a quarter's last
month leaves the quarter pending: its partial sums go on in the state, so a
billing run month by month gives the batch result.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

import attrs

from ..core.diagnostics import Diagnostic, SlaError
from ..core.periods import MONTHS_PER_PERIOD, PERIOD_NOUN
from ..language import nodes
from .measure import compile_measure
from .state import Partial

PENDING = "pending"  # the status of a period inside a quarter not yet assessed
# The env key of the average of the periods' values (a leading space: no input name can collide).
AVERAGE_KEY = " average of the periods' values"
ZERO = Decimal(0)


@attrs.frozen
class Assessment:
    """How often a service level is assessed, in the contract's periods (`every`: 3 for
    quarterly in a monthly contract), and, for an average, each period's own value."""

    periodicity: str  # "quarterly" | "yearly"
    every: int
    noun: str  # "quarter"
    start: int  # the contract's start month index: quarters count from it
    months: int  # in one of the contract's periods
    period_noun: str  # the contract's: "month"
    monthly: Callable[[dict], Decimal] | None  # one period's value, when the quarter's is their average


def compile_assessment(sl: nodes.ServiceLevel, contract_periodicity: str, start_month: str) -> Assessment | None:
    if sl.frequency is None:
        return None
    months = MONTHS_PER_PERIOD[contract_periodicity]
    year, month = map(int, start_month.split("-"))
    monthly = None
    if sl.measured.averaged is not None:
        monthly = compile_measure(attrs.evolve(sl.measured, reported=None, averaged=None))
    return Assessment(sl.frequency.periodicity, MONTHS_PER_PERIOD[sl.frequency.periodicity] // months,
                      PERIOD_NOUN[sl.frequency.periodicity], year * 12 + month - 1, months,
                      PERIOD_NOUN[contract_periodicity], monthly)


def averaged_node(sl: nodes.ServiceLevel) -> nodes.ServiceLevel:
    """The service level as its quarter is measured: for an average, its `measured as` reads the
    average of the periods' values (already in percent if the periods' values are), on the
    reporting grid the clause states."""
    measured = sl.measured
    if measured is None or measured.averaged is None:
        return sl
    average = nodes.Measured(nodes.Reference(nodes.Name(AVERAGE_KEY, measured.span)), False,
                             measured.span, measured.reported)
    return attrs.evolve(sl, clauses=tuple(average if c is measured else c for c in sl.clauses))


def average_or_own(average: Callable[[dict], Decimal], own: Callable[[dict], Decimal]) -> Callable[[dict], Decimal]:
    """The measure of `the average of the monthly values of X`: the average assess puts in a
    quarter's env, or, for one period's inputs alone (Terms.assessed_each_period), that
    period's own value X, the average of one value."""
    def measure(env):
        return average(env) if AVERAGE_KEY in env else own(env)
    return measure


def assessed_later(env) -> tuple:
    """The result of a service level assessed less often than the contract, before
    assess_quarters judges it: what evaluation's judges give for it."""
    return None, PENDING, None, None


def assess_quarters(assessed, carries, results: list, env: dict, data, index: int, counted_as_miss,
                    events: dict) -> dict[int, dict]:
    """Put in `results` the results of the service levels assessed less often than the contract
    (`assessed`: their positions and compiled service levels): pending, or assessed over their
    quarter in its last period. Returns the quarters' inputs, by position."""
    unreported = counted_as_miss.difference(env) if counted_as_miss else frozenset()
    envs = {}
    for position, sl in assessed:
        results[position], quarter = assess(sl, sl.assessment, carries[position], env, index, data.label, data,
                                            events.get(sl.name), unreported)
        if quarter is not None:
            envs[position] = quarter
    return envs


def is_last(assessment: Assessment, index: int) -> bool:
    """Whether the contract period with this index is the last of its quarter (or year)."""
    after = (index + 1) * assessment.months - assessment.start
    return after % (assessment.every * assessment.months) == 0


def assess(sl, assessment: Assessment, carry, env: dict, index: int, label: str, data, event,
           unreported) -> tuple[tuple, dict | None]:
    """The service level's result in this period, and the quarter's env when it is assessed
    in it (None while it is pending). Updates carry.partial."""
    partial = carry.partial if carry.partial is not None else Partial(label)
    for name, value in env.items():  # a month not reported still counts its fees
        partial.sums[name] = partial.sums.get(name, ZERO) + value
    if event is not None and event.kind == "exclude":
        partial.excluded.append(label)
    else:
        missing = sorted(sl.reads & unreported) if unreported else []
        if missing:
            partial.unreported.extend(f"{name} ({label})" for name in missing)
        elif assessment.monthly is not None:
            try:
                partial.values_sum += assessment.monthly(env)
            except ZeroDivisionError:
                raise _divides_by_zero(sl, data, label) from None
            partial.values_count += 1
        if event is not None and event.kind != "exclude":
            partial.waived = event.reason or ""
    partial.periods += 1
    if not is_last(assessment, index):
        carry.partial = partial
        return (None, PENDING, f"assessed {assessment.periodicity}: {partial.periods} of {assessment.every} "
                               f"{assessment.period_noun}s of the {assessment.noun} from {partial.first}", None), None
    carry.partial = None
    return _assessed(sl, assessment, partial, data, label)


def _assessed(sl, assessment: Assessment, partial: Partial, data, label: str) -> tuple[tuple, dict | None]:
    over = f"assessed {assessment.periodicity}, {partial.first} to {label}"
    if partial.excluded:
        return (None, "excluded", f"excluded: {', '.join(partial.excluded)} excluded; {over}", None), None
    if partial.unreported:
        value, status, note, as_measured = None, "missed", (f"{', '.join(partial.unreported)} not reported; "
                                                            "missing counts as a miss"), None
        env = dict(partial.sums)
    else:
        env = dict(partial.sums)
        if assessment.monthly is not None:
            env[AVERAGE_KEY] = partial.values_sum / partial.values_count
        try:
            value, status, note, as_measured = sl.judge(env)
        except ZeroDivisionError:
            raise _divides_by_zero(sl, data, label, f" over the {assessment.noun} {partial.first} to {label}") \
                from None
    note = f"{note}; {over}" if note else over
    if partial.waived is not None:
        reason = f": {partial.waived}" if partial.waived else ""
        note += f"; credit waived{reason}" if status == "missed" else f"; waiver not needed: {status}{reason}"
        if status == "missed":
            status = "waived"
    return (value, status, note, as_measured), env


def _divides_by_zero(sl, data, label: str, over: str = "") -> SlaError:
    return SlaError([Diagnostic(
        "SLA402", f"period {label}: measuring '{sl.name}'{over} divides by zero", data.span,
        (f"the measurement is at {sl.measure_clause.where}; a minimum-volume condition "
         "('measured only when ... is at least N') makes such periods not measured",),
        location=data.place())])
