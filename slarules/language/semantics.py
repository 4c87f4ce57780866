"""What the written terms mean, shared by the check (check/) and compile.py.

Small pure functions over nodes: which way is better for a service level,
which interval of values a band covers, what unit a KPI is measured in, and
which side of a target a value falls on. Both passes use these, so what the
checker accepts is exactly what the compiler evaluates.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import attrs

from . import dimensions, nodes, printer

HIGHER_IS_BETTER_OPS = ("at least", "above")

# The unit written after a number (None: a bare number) each KPI unit accepts.
QUANTITY_UNIT_FOR = {
    "percent": "percent",
    "seconds": "seconds",
    "minutes": "minutes",
    "count": None,
    "score": None,
    "ratio": None,
    "money": None,
}
# The step words of a linear credit each KPI unit accepts.
STEP_UNITS_FOR = {
    "percent": ("point", "points"),
    "seconds": ("second", "seconds"),
    "minutes": ("minute", "minutes"),
}
UNIT_WORDS = {"percent": "%", "seconds": " seconds", "minutes": " minutes"}


def higher_is_better(target: nodes.Target) -> bool:
    return target.comparison.op in HIGHER_IS_BETTER_OPS


def step_units(kpi_unit: str) -> tuple[str, ...]:
    return STEP_UNITS_FOR.get(kpi_unit, ("unit", "units"))


@attrs.frozen
class Interval:
    """Values from `low` to `high` (None: unbounded), each end included or not, and
    what the passes ask of them: membership, overlap, the gap between two, the
    intersection, what is left of one outside others, and how ends sort."""

    low: Decimal | None
    low_included: bool
    high: Decimal | None
    high_included: bool

    def contains(self, value: Decimal) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_included)):
            return False
        if self.high is not None and (value > self.high or (value == self.high and not self.high_included)):
            return False
        return True

    def overlaps(self, other: "Interval") -> bool:
        first, second = sorted((self, other), key=Interval.low_key)
        if first.high is None or second.low is None:
            return True
        if first.high > second.low:
            return True
        return first.high == second.low and first.high_included and second.low_included

    def gap_to(self, other: "Interval") -> "Interval | None":
        """The values strictly between self (below) and other (above), if any."""
        if self.high is None or other.low is None:
            return None
        if self.high < other.low or (self.high == other.low and not self.high_included and not other.low_included):
            return Interval(self.high, not self.high_included, other.low, not other.low_included)
        return None

    def is_empty(self) -> bool:
        """No value lies in it: its ends cross, or meet without both being included."""
        if self.low is None or self.high is None:
            return False
        closed = self.low_included and self.high_included
        return self.low > self.high or (self.low == self.high and not closed)

    def intersection(self, other: "Interval") -> "Interval":
        """The values in both: the higher low end and the lower high end (empty if they cross)."""
        low = max(self, other, key=Interval.low_key)
        high = min(self, other, key=Interval.high_key)
        return Interval(low.low, low.low_included, high.high, high.high_included)

    def minus(self, other: "Interval") -> "list[Interval]":
        """The values in self and not in other: at most two pieces, lowest first."""
        pieces = []
        if other.low is not None:
            pieces.append(self.intersection(Interval(None, False, other.low, not other.low_included)))
        if other.high is not None:
            pieces.append(self.intersection(Interval(other.high, not other.high_included, None, False)))
        return [piece for piece in pieces if not piece.is_empty()]

    def outside(self, others: "list[Interval]") -> "list[Interval]":
        """The values in self and in none of `others`, as pieces, lowest first."""
        pieces = [self]
        for other in others:
            pieces = [part for piece in pieces for part in piece.minus(other)]
        return sorted(pieces, key=Interval.low_key)

    def low_key(self) -> tuple:
        """Sort key of the low end: unbounded first, then by value, an included end first."""
        return (self.low is not None, self.low or 0, not self.low_included)

    def high_key(self) -> tuple:
        """Sort key of the high end: by value, an included end after an excluded one, unbounded last."""
        return (self.high is None, self.high or 0, self.high_included)

    def extremity_key(self, upper_edge: bool) -> tuple:
        """Sort key of a table's rows, most extreme first, as the engine applies them. With
        `upper_edge` the rows' high ends face the target (credits on a higher-is-better KPI,
        bonuses on a lower-is-better one) and the row reaching least far up is the most
        extreme; otherwise the one reaching least far down. Of two rows on one threshold,
        the one excluding it comes first: `below 75%` before `at most 75%`."""
        if upper_edge:
            return (self.high, self.high_included)
        return (-self.low, self.low_included)


# ---------------------------------------------------------------- bands on the shortfall

# The unit a `credit by shortfall:` row is written in, for each KPI unit (None: a bare number).
SHORTFALL_UNIT_FOR = {"percent": "points", "seconds": "seconds", "minutes": "minutes"}


def kpi_table(table: nodes.Table, target: nodes.Target) -> nodes.Table:
    """A `credit by shortfall:` table as the `by range` table on the KPI it stands for. With
    the target `at least 99.5%`, `at most 2 points` is `at least 97.5% and below 99.5%` (a row
    open toward no shortfall stops where the target is missed), `above 2 to below 6 points`
    is `above 93.5% to below 97.5%`, `at least 6 points` is `at most 93.5%`. Any other table
    as it is. Each row keeps its amount and its spans."""
    if table.rule != "shortfall":
        return table
    return nodes.Table("range", tuple(attrs.evolve(row, band=_kpi_band(row.band, target)) for row in table.rows))


def _kpi_band(band: nodes.Band, target: nodes.Target) -> nodes.Band:
    t, shortfall = target.comparison.quantity, band_interval(band)
    if higher_is_better(target):  # the value is the target less the shortfall
        low = None if shortfall.high is None else t.value - shortfall.high
        high = None if shortfall.low is None else t.value - shortfall.low
        kpi = Interval(low, shortfall.high_included, high, shortfall.low_included)
    else:
        low = None if shortfall.low is None else t.value + shortfall.low
        high = None if shortfall.high is None else t.value + shortfall.high
        kpi = Interval(low, shortfall.low_included, high, shortfall.high_included)
    missed = _missed(target)
    if missed.high is not None and (kpi.high is None or kpi.high > missed.high):
        kpi = attrs.evolve(kpi, high=missed.high, high_included=missed.high_included)
    if missed.low is not None and (kpi.low is None or kpi.low < missed.low):
        kpi = attrs.evolve(kpi, low=missed.low, low_included=missed.low_included)
    return _interval_band(kpi, t.unit, band.span)


def _missed(target: nodes.Target) -> Interval:
    """The values that miss the target."""
    value = target.comparison.quantity.value
    return {"at least": Interval(None, False, value, False), "above": Interval(None, False, value, True),
            "at most": Interval(value, False, None, False), "below": Interval(value, True, None, False)
            }[target.comparison.op]


def _interval_band(interval: Interval, unit: str | None, span) -> nodes.Band:
    if interval.low is None:
        op = "at most" if interval.high_included else "below"
        return nodes.Band("open", nodes.Comparison(op, nodes.Quantity(interval.high, unit)), span=span)
    if interval.high is None:
        op = "at least" if interval.low_included else "above"
        return nodes.Band("open", nodes.Comparison(op, nodes.Quantity(interval.low, unit)), span=span)
    kind = {(True, True): "from to", (True, False): "from to below", (False, True): "above to",
            (False, False): "above to below"}[(interval.low_included, interval.high_included)]
    return nodes.Band(kind, nodes.Quantity(interval.low, unit), nodes.Quantity(interval.high, unit), span=span)


# ---------------------------------------------------------------- reporting precision

def grid_step(measured: nodes.Measured | None) -> Decimal | None:
    """The step of the grid the contract reports the KPI on (1 for whole units, 0.01 for
    2 decimals), or None when it states none and values compare exactly."""
    if measured is None or measured.reported is None:
        return None
    return Decimal(1).scaleb(-int(measured.reported.decimals))


def grid_points(interval: Interval, step: Decimal | None) -> Interval | None:
    """The grid values an interval holds, as a closed interval from the first to the last
    (unbounded ends stay unbounded); None when it holds none. Without a grid, the interval."""
    if step is None:
        return interval
    low = high = None
    if interval.low is not None:
        low = (interval.low / step).to_integral_value(ROUND_CEILING) * step
        if low == interval.low and not interval.low_included:
            low += step
    if interval.high is not None:
        high = (interval.high / step).to_integral_value(ROUND_FLOOR) * step
        if high == interval.high and not interval.high_included:
            high -= step
    if low is not None and high is not None and low > high:
        return None
    return Interval(low, low is not None, high, high is not None)


def comparison_interval(comparison: nodes.Comparison) -> Interval:
    value = comparison.quantity.value
    return {
        "at least": Interval(value, True, None, False),
        "above": Interval(value, False, None, False),
        "at most": Interval(None, False, value, True),
        "below": Interval(None, False, value, False),
    }[comparison.op]


def band_interval(band: nodes.Band) -> Interval:
    if band.kind == "open":
        return comparison_interval(band.first)
    if band.kind == "and":  # check.py makes sure one bounds it from below, the other from above
        first, second = comparison_interval(band.first), comparison_interval(band.second)
        low, high = (first, second) if first.low is not None else (second, first)
        return Interval(low.low, low.low_included, high.high, high.high_included)
    low, high = band.first.value, band.second.value
    return {
        "from to": Interval(low, True, high, True),
        "from to below": Interval(low, True, high, False),
        "above to": Interval(low, False, high, True),
        "above to below": Interval(low, False, high, False),
    }[band.kind]


def met_interval(target: nodes.Target) -> Interval:
    """The values that meet the target."""
    return comparison_interval(target.comparison)


def band_quantities(band: nodes.Band) -> list[nodes.Quantity]:
    if band.kind == "open":
        return [band.first.quantity]
    if band.kind == "and":
        return [band.first.quantity, band.second.quantity]
    return [band.first, band.second]


def allowance_bases(service_level: nodes.ServiceLevel) -> set[str]:
    """The inputs a service level's thresholds are shares of (`at most 3% of opened`): read
    each period, as the measurement's own inputs are."""
    comparison = service_level.target.comparison if service_level.target is not None else None
    thresholds = [comparison.quantity] if comparison is not None else []
    thresholds += [award.form.threshold for award in (service_level.credit, service_level.bonus)
                   if award is not None and isinstance(award.form, nodes.Linear)]
    return {t.base.text for t in thresholds if isinstance(t, nodes.Share)}


def kpi_unit(service_level: nodes.ServiceLevel, units: dict[str, str]) -> str | None:
    """The KPI's unit: the unit its measurement is in (dimensions.py): `a / b, in percent`
    is percent, `minutes / incidents` minutes, `tickets - late` a count, a quotient of unlike
    quantities (calls per minute) a ratio. Where the units do not fit (the checker reports
    it), a lone input's unit or the unit its target is written in. None when it cannot be told."""
    measured, target = service_level.measured, service_level.target
    if measured is None:
        return None
    dimension, _ = dimensions.measured(measured, units)
    if dimension is not None:
        return dimension.unit or "ratio"
    if measured.in_percent:
        return "percent"
    if isinstance(measured.expr, nodes.Reference):
        return units.get(measured.expr.name.text)
    if target is not None and not isinstance(target.comparison.quantity, nodes.Share):
        written = target.comparison.quantity.unit
        return written if written is not None else "ratio"
    return None


def format_quantity(value: Decimal, unit: str | None) -> str:
    from ..core.money import format_number

    return format_number(value) + UNIT_WORDS.get(unit or "", "")


def describe_band(band: nodes.Band) -> str:
    """The band as the contract wrote it: `below 80%`, `from 95.0 to 99.0%`."""
    return printer.band(band)


def describe_comparison(comparison: nodes.Comparison, unit: str | None) -> str:
    """`at least 80%`, `at most 40 seconds`, `at most 3% of opened`."""
    if isinstance(comparison.quantity, nodes.Share):
        return f"{comparison.op} {printer.quantity(comparison.quantity)}"
    return f"{comparison.op} {format_quantity(comparison.quantity.value, unit)}"


def clause_key(clause) -> tuple:
    """Clauses of one kind replace each other in an amendment (a credit replaces the credit)."""
    return (type(clause), clause.kind if isinstance(clause, nodes.Award) else None)


def amended(ruleset: nodes.Ruleset, amendment: nodes.Amendment) -> nodes.Ruleset:
    """The ruleset with one amendment applied: the period-wide terms it states
    replace the ruleset's, and each clause it states for a service level replaces
    that service level's clause of the same kind (or is added)."""
    sections = list(ruleset.sections)
    for item in amendment.items:
        if isinstance(item, nodes.AmendedServiceLevel):
            for i, section in enumerate(sections):
                if isinstance(section, nodes.ServiceLevel) and section.name.text == item.name.text:
                    replaced = {clause_key(c) for c in item.clauses}
                    kept = tuple(c for c in section.clauses if clause_key(c) not in replaced)
                    sections[i] = attrs.evolve(section, clauses=kept + item.clauses)
        else:
            sections = [s for s in sections if not isinstance(s, type(item))] + [item]
    return attrs.evolve(ruleset, sections=tuple(sections), amendments=())
