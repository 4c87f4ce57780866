"""Hypothesis strategies for the property tests: well-formed rulesets and KPI histories.

`rulesets()` draws nodes.Ruleset trees that check() accepts with no error: a
contract header (currency, optional assessment period and rounding, start), a
money input `monthly_fee`, KPI inputs measured directly (percent, seconds,
minutes, score, ratio) or derived (`good / total, in percent`, or
`good / total * 100`), service levels with a target, an optional volume
condition and every credit and bonus form of the language, gates, the amount
at risk, a bonus limit, netting and pool allocation, and (in half the rulesets)
terms over several periods: cure windows, free passes, earn-back after K
consecutive met periods or on the contract-year average (so earn-back meets
every netting policy), caps over rolling windows and contract years, and every
kind of termination trigger. Tables are drawn the way
a fair contract writes them: amounts never fall as performance moves away
from the target, and explicit ranges cover their whole side of the target with
no gap or overlap. Rows are listed in any order and no two rows share a
threshold (tests/properties/test_table_shapes.py covers shared thresholds).

`DataModel.of(ruleset)` reads any ruleset, generated or from rulesets/, and
tells each input's range; `histories(model)` draws consecutive periods of
values in those ranges, biased toward the thresholds the ruleset mentions, and
`met_histories(model)` draws periods in which every service level meets its
target. `subjects(which)` draws what a fairness test runs on: a generated
ruleset, one with a critical service level failure (`rulesets(critical_failure=True)`:
a floor beyond a target and/or N or more service levels missed, the credits
replaced or not, a withhold of the fee at least as large as the amount at risk,
which then is a share of the fee, so a worse month never costs the vendor
less), or one of the files in rulesets/.

`syntax_trees` draws any tree the grammar can express, meaningful or not, with
names that are not words of the grammar: for the printer round trip and for
feeding the checker nonsense.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
from hypothesis import assume, reject
from hypothesis import strategies as st

from slarules import Outcome, Program, SlaError, Source, check, compile_ruleset, parse
from slarules.language import nodes
from slarules.language.printer import to_source
from slarules.language.semantics import amended

import reference

ROOT = Path(__file__).resolve().parents[2]
RULESET_FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "rulesets").glob("*.sla"))
GENERATED = "generated"
GENERATED_CRITICAL = "generated with a critical failure"
SUBJECT_NAMES = [GENERATED, GENERATED_CRITICAL, *RULESET_FILES]

FEE = "monthly_fee"
SHARED_COUNT = "calls_offered"
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "KWD")
ROUNDING_MODES = ("half up", "half even", "half down", "up", "down")
KPI_UNITS = ("percent", "seconds", "minutes", "score", "ratio")
# Credit and bonus forms: a flat amount, one row, a most severe / best table,
# explicit ranges, per unit, and (credits on percentages) the shortfall formula.
FORMS = ("flat", "single", "ranked", "range", "linear", "shortfall", "shortfall bands")

# Each unit's values in the data: lowest, highest, decimal places drawn.
VALUE_RANGE = {
    "percent": (Decimal(0), Decimal(100), 2),
    "seconds": (Decimal(0), Decimal(600), 1),
    "minutes": (Decimal(0), Decimal(600), 1),
    "score": (Decimal(0), Decimal(10), 2),
    "ratio": (Decimal(0), Decimal(10), 2),
    "count": (Decimal(0), Decimal(5000), 0),
    "money": (Decimal(1000), Decimal(1_000_000), 2),
    "index": (Decimal(50), Decimal(500), 1),  # a price index: never zero
}
# Values no data can go beyond: nothing is negative, no percentage is above 100.
HARD_LOW = Decimal(0)
HARD_HIGH = {"percent": Decimal(100)}

# The unit a quantity is written in for a KPI of each unit (None: a bare number),
# and the words a linear amount may count its steps in.
QUANTITY_UNIT = {"percent": "percent", "seconds": "seconds", "minutes": "minutes"}
STEP_WORDS = {"percent": ("point", "points"), "seconds": ("second", "seconds"), "minutes": ("minute", "minutes")}


def pick(draw, options):
    """One of the options. Helpers here draw plain integers and build values from
    them: building a strategy object per draw costs more than the draw itself."""
    options = list(options)
    return options[draw(st.integers(0, len(options) - 1))]


def flip(draw) -> bool:
    return draw(st.booleans())


def draw_decimal(draw, low: Decimal, high: Decimal, places: int) -> Decimal:
    """A decimal from low to high (both at `places` decimals) with `places` decimals."""
    scale = Decimal(10) ** places
    return Decimal(draw(st.integers(int(low * scale), int(high * scale)))).scaleb(-places)


def shuffled(draw, items) -> list:
    """The items in a drawn order (Fisher-Yates)."""
    items = list(items)
    for i in range(len(items) - 1, 0, -1):
        j = draw(st.integers(0, i))
        items[i], items[j] = items[j], items[i]
    return items


def distinct(draw, count: int, high: int) -> list[int]:
    """`count` distinct integers from 0 to high, ascending (count <= high + 1)."""
    found: set[int] = set()
    while len(found) < count:
        value = draw(st.integers(0, high))
        # A repeat moves to the nearest free value above (wrapping), so the draw always ends.
        while value in found:
            value = (value + 1) % (high + 1)
        found.add(value)
    return sorted(found)


def name(text: str) -> nodes.Name:
    return nodes.Name(text)


def plain_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Text a quoted string can hold: anything but a double quote or a newline."""
    return st.text(st.characters(exclude_characters='"\n', exclude_categories=("Cs",)), max_size=max_size)


# A contract clause a well-formed ruleset cites (`clause "4.2(b)"`): printable text, quotes and
# backslashes included, never blank; or none.
contract_clauses = st.none() | st.builds(nodes.ContractClause, st.text(st.characters(
    exclude_categories=("Cs", "Cc")), min_size=1, max_size=12).filter(str.strip))


def maybe_text(draw) -> str | None:
    return draw(plain_text()) if flip(draw) else None


# ------------------------------------------------------------------ rulesets

@attrs.frozen
class Context:
    """What every amount in a ruleset under construction may refer to."""

    currency: str
    has_at_risk: bool


@attrs.frozen
class Kpi:
    """A service level's measurement under construction."""

    name: str
    unit: str  # the KPI's unit, which its quantities are written in
    own_inputs: tuple[tuple[str, str], ...]  # (name, unit) of the inputs only it reads
    measured: nodes.Measured
    volume: nodes.Volume | None
    denominator: str | None
    places: int  # the decimals its thresholds are written with: its reporting grid's, if it has one


def quantity(value: Decimal, unit: str, bare: bool = False) -> nodes.Quantity:
    return nodes.Quantity(value, None if bare else QUANTITY_UNIT.get(unit))


def measurement(draw, kpi_name: str, shared: str | None) -> Kpi:
    shape = pick(draw, ("direct", "in percent", "times 100"))
    own: list[tuple[str, str]] = []
    if shape == "direct":
        unit = pick(draw, KPI_UNITS)
        value = f"{kpi_name}_value"
        own.append((value, unit))
        measured = nodes.Measured(nodes.Reference(name(value)), False)
        volume_input, denominator = shared or f"{kpi_name}_volume", None
    else:
        unit = "percent"
        good, denominator = f"{kpi_name}_good", shared or f"{kpi_name}_total"
        own.append((good, "count"))
        if shared is None:
            own.append((denominator, "count"))
        ratio = nodes.BinaryOp("/", nodes.Reference(name(good)), nodes.Reference(name(denominator)))
        if shape == "in percent":
            measured = nodes.Measured(ratio, True)
        else:
            measured = nodes.Measured(nodes.BinaryOp("*", ratio, nodes.Number(Decimal(100))), False)
        volume_input = denominator
    volume = None
    if flip(draw):
        if volume_input not in {n for n, _ in own} and volume_input != shared:
            own.append((volume_input, "count"))
        least = quantity(Decimal(draw(st.integers(0, 1000))), "count")
        volume = nodes.Volume(name(volume_input), nodes.Comparison(pick(draw, ("at least", "above")), least))
    measured, places = reporting_grid(draw, measured, unit)
    return Kpi(kpi_name, unit, tuple(own), measured, volume, denominator, places)


GRID_WORDS = {"percent": "points", "seconds": "seconds", "minutes": "minutes"}


def reporting_grid(draw, measured: nodes.Measured, unit: str) -> tuple[nodes.Measured, int]:
    """Maybe a reporting grid (`reported to whole seconds`, `reported to 2 decimals, rounding
    half even`) as coarse as the data's decimals or coarser, and the decimals thresholds take."""
    places = VALUE_RANGE[unit][2]
    if flip(draw):
        return measured, places
    decimals = draw(st.integers(0, places))
    whole = GRID_WORDS.get(unit, "units") if decimals == 0 and flip(draw) else None
    mode = pick(draw, (None,) + ROUNDING_MODES)
    return attrs.evolve(measured, reported=nodes.Reported(Decimal(decimals), whole, mode)), decimals


@attrs.frozen
class Zone:
    """The values on one side of a target, where a credit (miss side) or a bonus
    (met side) applies: from the target `edge` toward `far`; direction -1 means
    toward lower values."""

    edge: Decimal
    far: Decimal
    direction: int
    places: int
    hard_far: bool  # no data lies beyond `far`

    @property
    def room(self) -> int:
        return int(abs(self.far - self.edge).scaleb(self.places))

    def at(self, steps: int) -> Decimal:
        """The value `steps` units of the last decimal place into the zone."""
        return self.edge + self.direction * Decimal(steps).scaleb(-self.places)


def zone(kpi_unit: str, target: Decimal, higher: bool, credit: bool, places: int) -> Zone:
    low, high, _ = VALUE_RANGE[kpi_unit]
    direction = -1 if higher == credit else 1
    far = low if direction < 0 else high
    hard = far == HARD_LOW if direction < 0 else far == HARD_HIGH.get(kpi_unit)
    return Zone(target, far, direction, places, hard)


def amounts(draw, ctx: Context, count: int, allocation: bool, scale: Decimal = Decimal(1)) -> list[nodes.Amount]:
    """`count` amounts on one base (so they compare), in non-decreasing order."""
    bases = ["fee", "fixed"] + (["at risk"] if ctx.has_at_risk else []) + (["allocation"] if allocation else [])
    base = pick(draw, bases)
    if base == "fixed":
        places = pick(draw, (0, 2))
        values = sorted(draw_decimal(draw, Decimal(0), 5000 * scale, places) for _ in range(count))
        return [nodes.FixedMoney(ctx.currency, v) for v in values]
    top = Decimal(20) if base == "fee" else Decimal(100)
    values = sorted(draw_decimal(draw, Decimal(0), top * scale, 2) for _ in range(count))
    of = {"fee": nodes.InputBase(name(FEE)), "at risk": nodes.AtRiskBase(), "allocation": nodes.AllocationBase()}
    return [nodes.PercentOf(v, of[base]) for v in values]


def amount(draw, ctx: Context, allocation: bool, scale: Decimal = Decimal(1)) -> nodes.Amount:
    return amounts(draw, ctx, 1, allocation, scale)[0]


def open_band(z: Zone, steps: int, inclusive: bool, unit: str) -> nodes.Band:
    """`below X` / `at most X` on a zone running down, `above X` / `at least X` on one running up."""
    op = ("at most" if inclusive else "below") if z.direction < 0 else ("at least" if inclusive else "above")
    return nodes.Band("open", nodes.Comparison(op, quantity(z.at(steps), unit)))


def ranked_table(draw, kpi: Kpi, z: Zone, ctx: Context, allocation: bool, rule: str) -> nodes.Table:
    """A "most severe" or "best" table (or a single row): open bands at distinct
    distances into the zone, amounts rising with the distance."""
    count = 1 if rule == "single" else draw(st.integers(1, min(4, z.room + 1)))
    money = amounts(draw, ctx, count, allocation)
    rows = [nodes.Row(open_band(z, d, flip(draw), kpi.unit), a) for d, a in zip(distinct(draw, count, z.room), money)]
    return nodes.Table(rule, tuple(shuffled(draw, rows)))


_CLOSED_KIND = {(True, True): "from to", (True, False): "from to below", (False, True): "above to",
                (False, False): "above to below"}


def range_table(draw, kpi: Kpi, z: Zone, ctx: Context, allocation: bool, near: bool | None = None) -> nodes.Table:
    """Explicit ranges tiling the zone from a cut near the target to its far end:
    each cut value belongs to exactly one row, and beyond the furthest cut lies an
    open row, unless that cut is where all data ends (0, or 100 for a percentage)
    and the last closed row includes it. `near`, for a credit table: the first cut is
    the target and the row there includes it or not as `near` says, so that no value
    misses the target and earns nothing. On a KPI reported on a grid, cuts are two grid
    steps apart or more, so every row holds a value of the grid, and a row may be
    written with its ends on the grid as contracts write them ('from 21 to 25 seconds').
    A row is written as two comparisons ('below 99.95% and at least 99.5%') now and then."""
    grid = kpi.measured.reported is not None
    spread = 2 if grid else 1
    closed = draw(st.integers(0, min(3, z.room // spread)))
    cuts = [c * spread for c in distinct(draw, closed + 1, z.room // spread)]
    if near is not None:
        cuts[0] = 0
    ends_at_far = closed > 0 and z.hard_far and cuts[-1] == z.room and flip(draw)
    values = sorted(z.at(c) for c in cuts)
    open_inclusive = flip(draw)  # whether the open row owns the furthest cut
    if near is not None and closed == 0:
        open_inclusive = near
    # Closed rows from the lowest value up; each cut goes to exactly one of its two rows.
    low_included = (ends_at_far or not open_inclusive) if z.direction < 0 else flip(draw)
    if near is not None and z.direction > 0 and closed:
        low_included = near
    bands: list[nodes.Band] = []
    for i in range(closed):
        must_own_top = not low_included or (i == closed - 1 and z.direction > 0 and ends_at_far)
        high_included = True if must_own_top else flip(draw)
        if near is not None and z.direction < 0 and i == closed - 1:
            high_included = near
        bare = kpi.unit in QUANTITY_UNIT and flip(draw)
        low, high = values[i], values[i + 1]
        if grid and flip(draw):  # an excluded end written as the grid value inside it
            step = Decimal(1).scaleb(-kpi.places)
            low, high = (low if low_included else low + step), (high if high_included else high - step)
            bands.append(nodes.Band("from to", quantity(low, kpi.unit, bare), quantity(high, kpi.unit)))
        else:
            bands.append(two_comparisons(draw, _CLOSED_KIND[(low_included, high_included)],
                                         quantity(low, kpi.unit, bare), quantity(high, kpi.unit)))
        low_included = not high_included
    if not ends_at_far:
        if z.direction > 0 and closed:
            open_inclusive = low_included
        far_row = open_band(z, cuts[-1], open_inclusive, kpi.unit)
        bands = [far_row] + bands if z.direction < 0 else bands + [far_row]
    nearest_first = bands[::-1] if z.direction < 0 else bands
    rows = [nodes.Row(b, a) for b, a in zip(nearest_first, amounts(draw, ctx, len(bands), allocation))]
    return nodes.Table("range", tuple(shuffled(draw, rows)))


_LOW_OP = {"from to": "at least", "from to below": "at least", "above to": "above", "above to below": "above"}


def two_comparisons(draw, kind: str, low: nodes.Quantity, high: nodes.Quantity) -> nodes.Band:
    """The band `kind` from low to high, or the same values as two comparisons in either order."""
    if flip(draw) or flip(draw):
        return nodes.Band(kind, low, high)
    high_op = "at most" if kind in ("from to", "above to") else "below"
    first_written = [nodes.Comparison(_LOW_OP[kind], low), nodes.Comparison(high_op, high)]
    pair = shuffled(draw, first_written)
    if pair[0] is not first_written[0]:  # only the first quantity written may leave its unit to the second
        pair[1] = nodes.Comparison(pair[1].op, attrs.evolve(low, unit=high.unit))
    return nodes.Band("and", *pair)


SHORTFALL_UNIT = {"percent": "points", "seconds": "seconds", "minutes": "minutes"}


def shortfall_bands(draw, kpi: Kpi, ctx: Context, allocation: bool) -> nodes.Table:
    """`credit by shortfall:` rows tiling every shortfall from none up: 'at most 2 points',
    'above 2 to below 6 points', 'at least 6 points', each cut in exactly one row (two grid
    steps apart or more on a grid, so every row holds a value of it)."""
    spread = 2 if kpi.measured.reported is not None else 1
    cuts = [Decimal(c * spread + spread).scaleb(-kpi.places) for c in distinct(draw, draw(st.integers(1, 3)), 40)]
    unit = SHORTFALL_UNIT.get(kpi.unit)
    owned_below = [flip(draw) for _ in cuts]  # whether the row nearer the target holds the cut
    bands = [nodes.Band("open", nodes.Comparison("at most" if owned_below[0] else "below", nodes.Quantity(cuts[0], unit)))]
    for i in range(len(cuts) - 1):
        kind = _CLOSED_KIND[(not owned_below[i], owned_below[i + 1])]
        bands.append(nodes.Band(kind, nodes.Quantity(cuts[i], None if flip(draw) else unit), nodes.Quantity(cuts[i + 1], unit)))
    far = "above" if owned_below[-1] else "at least"
    bands.append(nodes.Band("open", nodes.Comparison(far, nodes.Quantity(cuts[-1], unit))))
    rows = [nodes.Row(b, a) for b, a in zip(bands, amounts(draw, ctx, len(bands), allocation))]
    return nodes.Table("shortfall", tuple(shuffled(draw, rows)))


def linear(draw, kpi: Kpi, z: Zone, ctx: Context, allocation: bool) -> nodes.Linear:
    return nodes.Linear(
        amount=amount(draw, ctx, allocation, Decimal("0.25")),
        step=pick(draw, (None, Decimal(1), Decimal("0.5"), Decimal("0.25"), Decimal(2), Decimal(5))),
        step_unit=pick(draw, STEP_WORDS.get(kpi.unit, ("unit", "units", "ticket", "incidents", "missed response"))),
        side="below" if z.direction < 0 else "above",
        threshold=quantity(z.at(draw(st.integers(0, z.room // 2))), kpi.unit),
        rounding=pick(draw, ("up", "down", "pro rata")),
        cap=amount(draw, ctx, allocation, Decimal(3)) if flip(draw) else None,
    )


def shortfall(draw, ctx: Context, allocation: bool) -> nodes.Shortfall:
    bases = [nodes.InputBase(name(FEE))] + ([nodes.AtRiskBase()] if ctx.has_at_risk else [])
    bases += [nodes.AllocationBase()] if allocation else []
    return nodes.Shortfall(pick(draw, bases), amount(draw, ctx, allocation, Decimal(2)) if flip(draw) else None)


def award(draw, kind: str, kpi: Kpi, target: nodes.Comparison, ctx: Context, allocation: bool,
          forms: tuple[str, ...]) -> nodes.Award:
    higher = target.op in ("at least", "above")
    z = zone(kpi.unit, target.quantity.value, higher, kind == "credit", kpi.places)
    form = pick(draw, [f for f in forms if (f != "shortfall" or (kind == "credit" and kpi.unit == "percent"))
                       and (f != "shortfall bands" or kind == "credit")])
    if form == "flat":
        built = nodes.Flat(amount(draw, ctx, allocation))
    elif form in ("single", "ranked"):
        rule = "single" if form == "single" else ("most severe" if kind == "credit" else "best")
        built = ranked_table(draw, kpi, z, ctx, allocation, rule)
    elif form == "range":
        # A credit table starts where the target is missed: with the target's own value when the target
        # excludes it ('above 80%' is missed at 80), else just beyond it.
        near = (target.op in ("above", "below")) if kind == "credit" else None
        built = range_table(draw, kpi, z, ctx, allocation, near)
    elif form == "linear":
        built = linear(draw, kpi, z, ctx, allocation)
    elif form == "shortfall bands":
        built = shortfall_bands(draw, kpi, ctx, allocation)
    else:
        built = shortfall(draw, ctx, allocation)
    return nodes.Award(kind, built)


def target(draw, kpi: Kpi) -> nodes.Comparison:
    low, high, _ = VALUE_RANGE[kpi.unit]
    margin = (high - low) / 100
    op = pick(draw, ("at least", "above", "at most", "below"))
    return nodes.Comparison(op, quantity(draw_decimal(draw, low + margin, high - margin, kpi.places), kpi.unit))


def service_level_clauses(draw, kpi: Kpi, ctx: Context, forms: tuple[str, ...]) -> list[nodes.Clause]:
    """The clauses of one service level, gate aside (gates need every name)."""
    goal = target(draw, kpi)
    clauses: list[nodes.Clause] = [nodes.Measured(kpi.measured.expr, kpi.measured.in_percent,
                                                  reported=kpi.measured.reported), nodes.Target(goal)]
    if kpi.volume is not None:
        clauses.append(kpi.volume)
    allocation = flip(draw)
    if allocation:
        share = nodes.PercentOf(Decimal(draw(st.integers(1, 100))), nodes.AtRiskBase())
        clauses.append(nodes.Allocation(share if ctx.has_at_risk else amount(draw, ctx, False)))
    for kind in ("credit", "bonus"):
        if draw(st.integers(0, 3)):
            clauses.append(award(draw, kind, kpi, goal, ctx, allocation, forms))
    return clauses


def gate(draw, service_levels: list[str]) -> nodes.Gate:
    kind = pick(draw, ("no critical missed", "all met", "named met"))
    if kind != "named met":
        return nodes.Gate(kind)
    names = shuffled(draw, service_levels)[:draw(st.integers(1, min(3, len(service_levels))))]
    return nodes.Gate(kind, tuple(name(n) for n in names))


def floor_beyond_target(draw, kpi: Kpi, sl: nodes.ServiceLevel) -> nodes.Comparison | None:
    """`below X` / `at most X` a few steps beyond the target on its miss side (None: no room)."""
    goal = sl.target.comparison
    z = zone(kpi.unit, goal.quantity.value, goal.op in ("at least", "above"), True, kpi.places)
    if z.room < 1:
        return None
    steps = draw(st.integers(1, z.room))
    op = ("at most" if flip(draw) else "below") if z.direction < 0 else ("at least" if flip(draw) else "above")
    return nodes.Comparison(op, quantity(z.at(steps), kpi.unit))


def whole(draw, low: int, high: int) -> Decimal:
    return Decimal(draw(st.integers(low, high)))


def spanning_clauses(draw) -> list[nodes.Clause]:
    """A service level's terms over several periods, each now and then: a cure window,
    free passes, earn-back after K consecutive met periods or on the contract-year average.
    Counted in `periods`, which every assessment period allows."""
    clauses: list[nodes.Clause] = []
    if draw(st.integers(0, 3)) == 0:
        clauses.append(nodes.Cure(whole(draw, 1, 3), "period"))
    if draw(st.integers(0, 4)) == 0:
        clauses.append(nodes.FreePasses(whole(draw, 1, 2)))
    earn = draw(st.integers(0, 3))
    if earn:
        percent = Decimal(pick(draw, (25, 50, 100, 33)))
        after = whole(draw, 1, 3) if earn < 3 else None
        clauses.append(nodes.EarnBack(percent, after, "period" if after is not None else None))
    return clauses


def window_limit(draw, currency: str) -> nodes.WindowLimit:
    if flip(draw):
        return nodes.FixedMoney(currency, draw_decimal(draw, Decimal(100), Decimal(20000), 0))
    return nodes.WindowShare(draw_decimal(draw, Decimal(1), Decimal(30), 1), name(FEE))


def spanning_sections(draw, kpis: list[Kpi], service_levels: list[nodes.ServiceLevel],
                      currency: str) -> list[nodes.Section]:
    """Caps over rolling windows and contract years, and termination triggers of every kind."""
    found: list[nodes.Section] = []
    for _ in range(draw(st.integers(0, 2))):
        window = (nodes.Window("rolling", whole(draw, 1, 4), "period") if flip(draw)
                  else nodes.Window("contract year"))
        found.append(nodes.WindowCap(window, window_limit(draw, currency)))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(kpis) - 1))
        kpi, sl = kpis[at], service_levels[at]
        kind = pick(draw, ("in a row", "in window", "floor", "credits", "many"))
        if kind == "in a row":
            trigger = nodes.MissedInARow(sl.name, whole(draw, 2, 4), "period")
        elif kind == "in window":
            times = whole(draw, 2, 3)
            trigger = nodes.MissedInWindow(sl.name, times, whole(draw, int(times), 6), "period")
        elif kind == "floor" and (floor := floor_beyond_target(draw, kpi, sl)) is not None:
            trigger = nodes.BelowFloor(sl.name, floor, "period")
        elif kind == "credits":
            trigger = nodes.CreditsExceed(whole(draw, 1, 4), "period", window_limit(draw, currency))
        else:
            trigger = nodes.ManyMissed(whole(draw, 1, len(service_levels)), "period")
        found.append(nodes.Termination(trigger))
    return found


def critical_failure(draw, kpis: list[Kpi], service_levels: list[nodes.ServiceLevel],
                     at_risk_percent: Decimal) -> nodes.CriticalFailure:
    """A critical failure: a floor a few steps beyond a service level's target on its miss
    side, and/or N or more service levels missed; a withhold of the fee no smaller than
    the amount at risk (`at_risk_percent` of the fee), so that the credits it replaces
    never exceed it."""
    conditions: list[nodes.FailureCondition] = []
    for kpi, sl in zip(kpis, service_levels):
        floor = floor_beyond_target(draw, kpi, sl)
        if floor is not None and flip(draw):
            conditions.append(nodes.FailureFloor(sl.name, floor))
    conditions = shuffled(draw, conditions)[:draw(st.integers(0, 2))]
    if not conditions or flip(draw):
        count = Decimal(draw(st.integers(1, len(service_levels))))
        conditions.append(nodes.FailureManyMissed(count, "month"))
    withhold = nodes.Withhold(draw_decimal(draw, at_risk_percent, Decimal(100), 1), name(FEE))
    return nodes.CriticalFailure(
        tuple(shuffled(draw, conditions)),
        nodes.CreditsNotAccrued("month") if flip(draw) else None,
        withhold,
        nodes.MayTerminate() if flip(draw) else None,
    )


@st.composite
def rulesets(draw, max_service_levels: int = 4, forms: tuple[str, ...] = FORMS,
             critical_failure_clause: bool = False, spanning: bool | None = None) -> nodes.Ruleset:
    """A ruleset check() accepts with no error; see the module docstring. `forms`
    limits the credit and bonus forms drawn (a subset of FORMS); with
    `critical_failure_clause`, the ruleset is assessed monthly, has an amount at
    risk that is a share of the fee, and a critical failure. `spanning` says whether
    terms over several periods are drawn (None: in half the rulesets)."""
    currency = pick(draw, CURRENCIES)
    year, month = draw(st.integers(2020, 2030)), draw(st.integers(1, 12))
    terms: list[nodes.HeaderTerm] = [nodes.Currency(currency), nodes.Starts(f"{year:04d}-{month:02d}")]
    if flip(draw) or critical_failure_clause:
        terms.append(nodes.Assessed("monthly"))
    if flip(draw):
        terms.append(nodes.Rounding(pick(draw, ROUNDING_MODES), pick(draw, (None, "cents", "whole units"))))
    contract = nodes.Contract(draw(plain_text()), tuple(shuffled(draw, terms)))

    ctx = Context(currency, flip(draw) or critical_failure_clause)
    shared = SHARED_COUNT if flip(draw) else None
    kpis = [measurement(draw, f"kpi_{i + 1}", shared) for i in range(draw(st.integers(1, max_service_levels)))]
    clause_lists = [service_level_clauses(draw, kpi, ctx, forms) for kpi in kpis]
    names = [kpi.name for kpi in kpis]
    for clauses in clause_lists:
        if any(isinstance(c, nodes.Award) and c.kind == "bonus" for c in clauses) and flip(draw):
            clauses.append(gate(draw, names))
    spanning = flip(draw) if spanning is None else spanning
    if spanning:
        for clauses in clause_lists:
            clauses += spanning_clauses(draw)
    service_levels = [nodes.ServiceLevel(name(kpi.name), maybe_text(draw), flip(draw), tuple(shuffled(draw, clauses)),
                                         contract_clause=draw(contract_clauses))
                      for kpi, clauses in zip(kpis, clause_lists)]

    declared = [(FEE, "money")]
    if shared and any(k.denominator == shared or k.volume is not None for k in kpis):
        declared.append((shared, "count"))
    declared += [pair for kpi in kpis for pair in kpi.own_inputs]
    inputs = [input_declaration(draw, n, unit, service_levels) for n, unit in declared]
    split = draw(st.integers(1, len(inputs)))
    sections: list[nodes.Section] = [nodes.Inputs(tuple(inputs[:split]))]
    if inputs[split:]:
        sections.append(nodes.Inputs(tuple(inputs[split:])))
    sections += service_levels
    if ctx.has_at_risk:
        if flip(draw) or critical_failure_clause:
            risk = nodes.PercentOf(draw_decimal(draw, Decimal(1), Decimal(100), 1), nodes.InputBase(name(FEE)))
        else:
            risk = nodes.FixedMoney(currency, draw_decimal(draw, Decimal(100), Decimal(50000), 0))
        sections.append(nodes.AtRisk(risk, "month", as_credits_at_most=flip(draw)))
        if critical_failure_clause:
            sections.append(critical_failure(draw, kpis, service_levels, risk.percent))
    if flip(draw):
        sections.append(nodes.BonusLimit(amount(draw, Context(currency, False), False), "month"))
    if flip(draw):
        sections.append(nodes.Netting(pick(draw, ("paid separately", "offset", "only offset"))))
    if spanning:
        sections += spanning_sections(draw, kpis, service_levels, currency)
    return nodes.Ruleset(contract, tuple(shuffled(draw, sections)))


def input_declaration(draw, input_name: str, unit: str, service_levels: list[nodes.ServiceLevel]) -> nodes.Input:
    """An input with an optional description and, where the checker allows, a rule for missing data."""
    policies: list = [None]
    divisor = any(input_name in reference.divisors(sl.measured.expr) for sl in service_levels)
    if input_name != FEE and not divisor:
        low, high, places = VALUE_RANGE[unit]
        policies.append(nodes.DefaultValue(draw_decimal(draw, low, high, places)))
    readers = [sl for sl in service_levels if input_name in reference.references(sl.measured.expr)]
    if input_name != FEE and all(bounded_when_unreported(sl) for sl in readers):
        policies.append(nodes.MissingIsMiss())
    return nodes.Input(name(input_name), unit, maybe_text(draw), pick(draw, policies))


def bounded_when_unreported(sl: nodes.ServiceLevel) -> bool:
    """A credit the checker accepts for a service level whose data may be unreported."""
    credit = sl.credit
    if credit is None or not isinstance(credit.form, (nodes.Linear, nodes.Shortfall)) or credit.form.cap is not None:
        return True
    return sl.target.comparison.quantity.unit == "percent"


# ------------------------------------------------------------------ compiling what was drawn

@attrs.frozen
class Subject:
    """A ruleset under test: its source, tree, compiled program and data model."""

    path: str
    text: str  # what a failing example shows; the rest follows from it
    ruleset: nodes.Ruleset = attrs.field(repr=False)
    program: Program = attrs.field(repr=False)
    model: "DataModel" = attrs.field(repr=False)

    def evaluate(self, history: dict) -> Outcome:
        """Evaluate a history; a draw whose data divides by zero (possible only with a
        measurement this module cannot keep away from zero) is rejected."""
        try:
            return self.program.evaluate(history)
        except SlaError as err:
            if all(d.code == "SLA402" for d in err.diagnostics):
                reject()
            raise


@functools.lru_cache(maxsize=256)
def compiled(path: str, text: str) -> Subject:
    """Parse, check (no error allowed) and compile; cached, as shrinking replays rulesets."""
    ruleset = parse(Source(path, text))
    errors = [d for d in check(ruleset) if d.is_error]
    assert not errors, (f"check reports errors in {path} (if generated: a strategy or a checker bug)\n{text}\n"
                        + "\n".join(d.render() for d in errors))
    return Subject(path, text, ruleset, compile_ruleset(ruleset), DataModel.of(ruleset))


def file_subject(path: str) -> Subject:
    return compiled(path, (ROOT / path).read_text(encoding="utf-8"))


@st.composite
def subjects(draw, which: str) -> Subject:
    """`which` is GENERATED, GENERATED_CRITICAL or a path in rulesets/."""
    if which == GENERATED:
        return compiled("generated.sla", to_source(draw(rulesets())))
    if which == GENERATED_CRITICAL:
        return compiled("generated.sla", to_source(draw(rulesets(critical_failure_clause=True))))
    return file_subject(which)


# ------------------------------------------------------------------ histories

@attrs.frozen
class InputModel:
    """The values one input takes in the data."""

    name: str
    unit: str
    missing: str  # "required" | "default" | "miss"
    bounded_by: tuple[str, ...]  # same-unit inputs it is divided by: it never exceeds them
    bounds: tuple[str, ...]  # the inputs it bounds that way
    divisor: bool
    zero_ok: bool  # a divisor may be 0 only where every division by it is guarded by a volume condition
    thresholds: tuple[Decimal, ...]  # values the ruleset compares it with
    ratio_targets: tuple[tuple[str, Fraction, Decimal], ...]  # (divisor, scale, threshold) of `self / divisor`


@attrs.frozen
class DataModel:
    """The inputs of a ruleset, the periods its data is labelled with, and how to draw values."""

    periodicity: str
    first_period: int  # index of the period holding the contract's start month
    inputs: tuple[InputModel, ...]
    kpi_inputs: tuple[str, ...]  # the inputs some service level's measurement reads

    @staticmethod
    def of(ruleset: nodes.Ruleset) -> "DataModel":
        """Read the ruleset: units, missing-data rules, which input divides which,
        and the values each input is compared with."""
        header = {type(t): t for t in ruleset.contract.terms}
        periodicity = header[nodes.Assessed].periodicity if nodes.Assessed in header else "monthly"
        year, month = map(int, header[nodes.Starts].month.split("-"))
        first = (year * 12 + month - 1) // MONTHS[periodicity]
        units = {i.name.text: i.unit for i in ruleset.inputs}
        bounded: dict[str, set[str]] = {n: set() for n in units}
        divisors: set[str] = set()
        guarded: dict[str, bool] = {}
        thresholds: dict[str, set[Decimal]] = {n: set() for n in units}
        ratio_targets: dict[str, set] = {n: set() for n in units}
        floors: dict[str, list[Decimal]] = {}  # the values critical failures and termination compare with
        for clause in ruleset.of_type(nodes.CriticalFailure):
            for c in clause.conditions:
                if isinstance(c, nodes.FailureFloor):
                    floors.setdefault(c.service_level.text, []).append(c.comparison.quantity.value)
        for clause in ruleset.of_type(nodes.Termination):
            if isinstance(clause.trigger, nodes.BelowFloor):
                floors.setdefault(clause.trigger.service_level.text, []).append(
                    clause.trigger.comparison.quantity.value)
        for sl in ruleset.service_levels:
            expr = sl.measured.expr
            critical = critical_values(sl, reference.unit_of(sl, units)) + floors.get(sl.name.text, [])
            for top, bottom in reference.divisions(expr):
                if bottom in units:
                    divisors.add(bottom)
                    guard = sl.volume is not None and sl.volume.input.text == bottom and not reference.meets(
                        sl.volume.comparison, Fraction(0))
                    guarded[bottom] = guarded.get(bottom, True) and guard
                    for n in top:
                        if n != bottom and units.get(n) == units[bottom]:
                            bounded[n].add(bottom)
            if isinstance(expr, nodes.Reference):
                thresholds[expr.name.text].update(critical)
            shape = reference.simple_ratio(sl)
            if shape is not None:
                top, bottom, scale = shape
                ratio_targets[top].update((bottom, scale, t) for t in critical)
            if sl.volume is not None:
                v = sl.volume.input.text
                thresholds[v].add(sl.volume.comparison.quantity.value)
        models = []
        for inp in ruleset.inputs:
            n = inp.name.text
            missing = {nodes.DefaultValue: "default", nodes.MissingIsMiss: "miss"}.get(type(inp.missing), "required")
            bounds = tuple(sorted(other for other, tops in bounded.items() if n in tops))
            models.append(InputModel(n, inp.unit, missing, tuple(sorted(bounded[n])), bounds, n in divisors,
                                     guarded.get(n, False), tuple(sorted(thresholds[n])),
                                     tuple(sorted(ratio_targets[n]))))
        read = set().union(*(reference.references(sl.measured.expr) for sl in ruleset.service_levels))
        return DataModel(periodicity, first, tuple(models), tuple(m.name for m in models if m.name in read))

    def label(self, index: int) -> str:
        months = index * MONTHS[self.periodicity]
        year, rest = divmod(months, 12)
        return {"monthly": f"{year:04d}-{rest + 1:02d}", "quarterly": f"{year:04d}-Q{rest // 3 + 1}",
                "yearly": f"{year:04d}"}[self.periodicity]

    @property
    def drawing_order(self) -> list[InputModel]:
        """Inputs nothing bounds first, so that each bound is known when it is needed."""
        return sorted(self.inputs, key=lambda m: bool(m.bounded_by))


MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def critical_values(sl: nodes.ServiceLevel, unit: str) -> list[Decimal]:
    """The values where the service level's money may change: every quantity it
    compares its value with, and a linear amount's first few whole steps."""
    found = [q.value for q in reference.quantities(sl) if q.unit == QUANTITY_UNIT.get(unit)]
    credit = sl.credit.form if sl.credit is not None else None
    if isinstance(credit, nodes.Table) and credit.rule == "shortfall":  # the KPI values the shortfall cuts stand for
        sign = -1 if reference.higher_is_better(sl) else 1
        goal = sl.target.comparison.quantity.value
        found += [goal + sign * q.value for row in credit.rows for q in reference.walk(row.band)
                  if isinstance(q, nodes.Quantity)]
    if sl.measured.reported is not None:  # where the value rounds to a threshold or away from it
        half = Decimal(1).scaleb(-int(sl.measured.reported.decimals)) / 2
        found += [v + d for v in found for d in (-half, half)]
    for award in (sl.credit, sl.bonus):
        if award is not None and isinstance(award.form, nodes.Linear):
            form = award.form
            step = (form.step or Decimal(1)) * (-1 if form.side == "below" else 1)
            found += [form.threshold.value + k * step for k in (1, 2, 3)]
    return found


def _floor_to(value: Fraction, places: int) -> Decimal:
    scaled = value * 10 ** places
    return Decimal(scaled.numerator // scaled.denominator).scaleb(-places)


def _ceil_to(value: Fraction, places: int) -> Decimal:
    scaled = value * 10 ** places
    return Decimal(-(-scaled.numerator // scaled.denominator)).scaleb(-places)


def _around(value: Fraction, places: int) -> list[Decimal]:
    """The values next to an exact value at `places` decimals: below, at and above it."""
    step = Decimal(1).scaleb(-places)
    return [_floor_to(value, places) - step, _floor_to(value, places), _ceil_to(value, places),
            _ceil_to(value, places) + step]


def value_range(model: InputModel, period: dict[str, Decimal]) -> tuple[Decimal, Decimal]:
    """The values the input may take given the rest of the period."""
    low, high, places = VALUE_RANGE[model.unit]
    if model.divisor and not model.zero_ok:
        low = max(low, Decimal(1).scaleb(-places))
    below = [period[n] for n in model.bounds if n in period]
    if below:
        low = max(low, max(below))
    above = [period[b] for b in model.bounded_by if b in period]
    if above:
        return min(low, min(above)), min(above)
    return low, max(high, low)


def draw_input_value(draw, model: InputModel, period: dict[str, Decimal]) -> Decimal:
    """A value for one input, consistent with the rest of the period: anywhere in its
    range, near either end of a bounded range, at a threshold the ruleset compares
    it with, or where a ratio it is the top of crosses a threshold."""
    places = VALUE_RANGE[model.unit][2]
    low, high = value_range(model, period)
    ways = ["anywhere"]
    if model.bounded_by:
        ways += ["near low", "near high"]
    step = Decimal(1).scaleb(-places)
    thresholds = [v for v in model.thresholds if low <= v <= high]
    beside = [v + d for v in model.thresholds for d in (-step, step) if low <= v + d <= high]
    if thresholds:
        ways.append("threshold")
    if beside:
        ways.append("beside")
    crossings = []
    for divisor, scale, threshold in model.ratio_targets:
        if divisor in period:
            exact = Fraction(threshold) * Fraction(period[divisor]) / scale
            crossings += [v for v in _around(exact, places) if low <= v <= high]
    if crossings:
        ways.append("crossing")
    way = pick(draw, ways)
    if way == "threshold":
        return pick(draw, thresholds)
    if way == "beside":
        return pick(draw, beside)
    if way == "crossing":
        return pick(draw, crossings)
    near = _floor_to(Fraction(high - low) / 50, places)
    if way == "near low":
        return draw_decimal(draw, low, low + near, places)
    if way == "near high":
        return draw_decimal(draw, high - near, high, places)
    return draw_decimal(draw, low, high, places)


@st.composite
def input_value(draw, model: InputModel, period: dict[str, Decimal]) -> Decimal:
    return draw_input_value(draw, model, period)


def draw_period(draw, model: DataModel, allow_missing: bool) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for m in model.drawing_order:
        if allow_missing and m.missing != "required" and draw(st.integers(0, 7)) == 0:
            continue
        values[m.name] = draw_input_value(draw, m, values)
    return dict(sorted(values.items()))


@st.composite
def histories(draw, model: DataModel, allow_missing: bool = True, max_periods: int = 4,
              min_periods: int = 1) -> dict[str, dict]:
    """Consecutive periods from at or after the contract's start (from it, when amounts are
    indexed: the base index is read there): {label: {input: value}}."""
    indexed = any(m.unit == "index" for m in model.inputs)
    start = model.first_period + (0 if indexed else draw(st.integers(0, 2)))
    count = draw(st.integers(min_periods, max_periods))
    return {model.label(start + i): draw_period(draw, model, allow_missing) for i in range(count)}


@st.composite
def met_histories(draw, subject: Subject, max_periods: int = 3) -> dict[str, dict[str, Decimal]]:
    """Histories in which every service level is met (or, by its volume condition, not measured)."""
    history = draw(histories(subject.model, allow_missing=False, max_periods=max_periods))
    return {label: meeting_every_target(draw, subject, values, label) for label, values in history.items()}


def meeting_every_target(draw, subject: Subject, values: dict[str, Decimal], label: str | None = None
                         ) -> dict[str, Decimal]:
    """Move inputs until every service level meets its target; reject the draw if that fails."""
    ruleset, models = subject.ruleset, {m.name: m for m in subject.model.inputs}
    versions = [ruleset]  # the terms as agreed, then as each amendment leaves them
    for amendment in ruleset.amendments:
        versions.append(amended(versions[-1], amendment))
    levels = [sl for version in versions for sl in version.service_levels]

    def fine(period, sl):
        env = reference.environment(ruleset, period, label)
        return reference.status(sl, env, frozenset()) in ("met", "not measured")

    for sl in levels:
        if fine(values, sl):
            continue
        candidates = met_candidates(sl, values, models)
        first = draw(st.integers(0, max(len(candidates) - 1, 0)))
        for input_name, candidate in candidates[first:] + candidates[:first]:
            trial = dict(values, **{input_name: candidate})
            others_fine = all(fine(trial, o) for o in levels if fine(values, o))
            if fine(trial, sl) and others_fine:
                values = trial
                break
    assume(all(fine(values, sl) for sl in levels))
    return values


def met_candidates(sl: nodes.ServiceLevel, values: dict, models: dict) -> list[tuple[str, Decimal]]:
    """Values of this service level's inputs that may make it meet its target: those
    next to the target where the value is an input or a simple ratio of two, and
    each input's extremes."""
    goal = Fraction(sl.target.comparison.quantity.value)
    found: list[tuple[str, Decimal]] = []
    expr = sl.measured.expr
    if isinstance(expr, nodes.Reference):
        top = expr.name.text
        found += [(top, v) for v in _around(goal, VALUE_RANGE[models[top].unit][2])]
    shape = reference.simple_ratio(sl)
    if shape is not None and shape[1] in values:
        top, bottom, scale = shape
        exact = goal * Fraction(values[bottom]) / scale
        found += [(top, v) for v in _around(exact, VALUE_RANGE[models[top].unit][2])]
    for input_name in sorted(reference.references(expr)):
        if input_name in values:
            low, high = value_range(models[input_name], {k: v for k, v in values.items() if k != input_name})
            found += [(input_name, low), (input_name, high)]
    return [(n, v) for n, v in found if n in values and fits(models[n], v, values)]


def fits(model: InputModel, value: Decimal, values: dict) -> bool:
    """Whether the input may take this value given the rest of the period."""
    low, high = value_range(model, {k: v for k, v in values.items() if k != model.name})
    return low <= value and (value <= high or not model.bounded_by) and (
        model.unit != "percent" or value <= 100)


# ------------------------------------------------------------------ any tree the grammar can express

def _grammar_words() -> frozenset[str]:
    """Every lower-case word of the grammar (keywords, unit words, rule names): a name
    spelt like one would be read as that word, so generated names avoid them all."""
    text = (ROOT / "grammar" / "slarules.lark").read_text(encoding="utf-8")
    return frozenset(re.findall(r"[a-z]+", re.sub(r"//[^\n]*", "", text)))


GRAMMAR_WORDS = _grammar_words()
names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(lambda n: n not in GRAMMAR_WORDS).map(name)
numbers = st.decimals(min_value=0, max_value=10 ** 9, allow_nan=False, allow_infinity=False).map(abs)
currency_codes = st.from_regex(r"[A-Z]{3}", fullmatch=True)
quantities = st.builds(nodes.Quantity, numbers, st.sampled_from((None, "percent", "seconds", "minutes")))
comparisons = st.builds(nodes.Comparison, st.sampled_from(("at least", "at most", "above", "below")), quantities)
bases = st.one_of(st.builds(nodes.InputBase, names), st.just(nodes.AtRiskBase()), st.just(nodes.AllocationBase()))
any_amounts = st.one_of(st.builds(nodes.PercentOf, numbers, bases),
                        st.builds(nodes.FixedMoney, currency_codes, numbers))
bands = st.one_of(
    st.builds(nodes.Band, st.just("open"), comparisons),
    st.builds(nodes.Band, st.sampled_from(("from to", "from to below", "above to")), quantities, quantities))
rows = st.builds(nodes.Row, bands, any_amounts)
expressions = st.recursive(
    st.one_of(st.builds(nodes.Number, numbers), st.builds(nodes.Reference, names)),
    lambda inner: st.builds(nodes.BinaryOp, st.sampled_from("+-*/"), inner, inner), max_leaves=6)
# Allowances (`3% of opened`) and multi-word nouns (`per ticket resolved late`): a target or a
# per-unit threshold may be a share of an input, written with a unit the grammar reads after a number.
shares = st.builds(nodes.Share, numbers, st.sampled_from(("percent", "seconds", "minutes", "points")), names)
linears = st.builds(
    nodes.Linear, any_amounts, st.none() | numbers,
    st.sampled_from(("points", "point", "seconds", "second", "minutes", "minute", "units", "unit", "ticket",
                     "missed response", "ticket resolved late")),
    st.sampled_from(("below", "above")), quantities | shares, st.sampled_from(("up", "down", "pro rata")),
    st.none() | any_amounts)


# The signed contract's clause a term cites: any text on one line, quotes and backslashes included.
cited = st.none() | st.builds(nodes.ContractClause, st.text(st.characters(
    exclude_characters="\n\r", exclude_categories=("Cs",)), min_size=1, max_size=20))


def _forms(kind: str):
    tables = st.builds(nodes.Table, st.just("single"), st.tuples(rows))
    ranked = "most severe" if kind == "credit" else "best"
    several = st.lists(rows, min_size=1, max_size=3).map(tuple)
    tables |= st.builds(nodes.Table, st.sampled_from((ranked, "range")), several)
    forms = st.builds(nodes.Flat, any_amounts) | tables | linears
    if kind == "credit":
        forms |= st.builds(nodes.Shortfall, bases, st.none() | any_amounts)
    return st.builds(nodes.Award, st.just(kind), forms, contract_clause=cited)


clauses = st.one_of(
    st.builds(nodes.Measured, expressions, st.booleans()),
    st.builds(nodes.Target, comparisons | st.builds(nodes.Comparison, st.sampled_from(
        ("at least", "at most", "above", "below")), shares)),
    st.builds(nodes.Volume, names, comparisons),
    st.builds(nodes.Allocation, any_amounts),
    _forms("credit"), _forms("bonus"),
    st.builds(nodes.Gate, st.sampled_from(("no critical missed", "all met"))),
    st.builds(nodes.Gate, st.just("named met"), st.lists(names, min_size=1, max_size=3).map(tuple)))
header_terms = st.one_of(
    st.builds(nodes.Currency, currency_codes),
    st.builds(nodes.Assessed, st.sampled_from(("monthly", "quarterly", "yearly"))),
    st.builds(nodes.Rounding, st.sampled_from(ROUNDING_MODES), st.sampled_from((None, "cents", "whole units"))),
    st.builds(nodes.Starts, st.from_regex(r"[0-9]{4}-(0[1-9]|1[0-2])", fullmatch=True)))
period_nouns = st.sampled_from(("month", "quarter", "year"))
missing_policies = st.none() | st.builds(nodes.DefaultValue, numbers) | st.just(nodes.MissingIsMiss())
input_units = st.sampled_from(("money", "percent", "seconds", "minutes", "count", "score", "ratio"))
sections = st.one_of(
    st.builds(nodes.Inputs, st.lists(st.builds(nodes.Input, names, input_units, st.none() | plain_text(),
                                               missing_policies), min_size=1, max_size=4).map(tuple)),
    st.builds(nodes.AtRisk, any_amounts, period_nouns, contract_clause=cited),
    st.builds(nodes.BonusLimit, any_amounts, period_nouns, contract_clause=cited),
    st.builds(nodes.Netting, st.sampled_from(("paid separately", "offset", "only offset")), contract_clause=cited),
    st.builds(nodes.ServiceLevel, names, st.none() | plain_text(), st.booleans(),
              st.lists(clauses, min_size=1, max_size=6).map(tuple), contract_clause=cited),
    st.builds(nodes.CriticalFailure,
              st.lists(st.builds(nodes.FailureFloor, names, comparisons)
                       | st.builds(nodes.FailureManyMissed, numbers, period_nouns), min_size=1, max_size=3).map(tuple),
              st.none() | st.builds(nodes.CreditsNotAccrued, period_nouns),
              st.builds(nodes.Withhold, numbers, names),
              st.none() | st.just(nodes.MayTerminate()), contract_clause=cited))
# Any Ruleset the grammar can express, meaningful or not.
syntax_trees = st.builds(
    nodes.Ruleset,
    st.builds(nodes.Contract, plain_text(), st.lists(header_terms, min_size=1, max_size=5).map(tuple)),
    st.lists(sections, max_size=6).map(tuple))
