"""The rows of credit and bonus tables: each row on the side of the target its
award pays for; rows ordered from the mildest to the most extreme, none earning
less than a milder one (compared on one base, or, on two bases, for the values
of the base where it does); and the rows of a 'by range' table covering the
scale once, without overlaps or gaps.
"""
from __future__ import annotations

import decimal
from decimal import Decimal

from ...core.money import CONTEXT, HUNDRED, MAX_WHOLE_DIGITS, format_money, format_number, minor_unit_digits
from .. import nodes, printer
from ..semantics import (
    HIGHER_IS_BETTER_OPS,
    QUANTITY_UNIT_FOR,
    Interval,
    band_interval,
    grid_points,
    grid_step,
    step_units,
)
from .base import Checks, _edge, _quantity_text, _target_text

# Rounding a computed figure for a message: exact whatever its size (CONTEXT stops at 34 digits).
_EXACT = decimal.Context(prec=decimal.MAX_PREC)


class RowChecks(Checks):
    """The rows of a credit or bonus table."""

    def two_sided(self, band: nodes.Band) -> bool:
        """`below 99.95% and at least 99.5%`: of the two comparisons, one bounds the row from below
        and the other from above, in either order."""
        if band.kind != "and":
            return True
        lower = [c.op in HIGHER_IS_BETTER_OPS for c in (band.first, band.second)]
        if lower[0] != lower[1]:
            return True
        side = "below" if lower[0] else "above"
        self.error("SLA228", f"both comparisons bound this row from {side}", band.span,
                   "write one bound from each side, as in 'below 99.95% and at least 99.5%' "
                   "or 'above 2 and below 4'")
        return False

    def row_side(self, row: nodes.Row, credit: bool, higher: bool, met: Interval, sl) -> bool:
        """Report a row on the wrong side of the target; False if it cannot apply as written,
        so that it is left out of the coverage and order checks of its table."""
        band = band_interval(row.band)
        toward_target = band.high if higher == credit else band.low
        kind, other_zone = ("credit", "meet") if credit else ("bonus", "miss")
        if toward_target is None:
            self.error("SLA207", f"this {kind} row is open toward the values that {other_zone} the target "
                       f"'{_target_text(sl)}'", row.band.span,
                       f"a {kind} row should read '{_side_example(credit, higher)} ...'")
            return False
        wrong_side = [met.contains(v) == credit for v in _interval_points(band)]
        if band.low is not None and band.high is not None and all(wrong_side):
            self.error("SLA207", f"this {kind} row can never apply: every value in it would "
                       f"{other_zone} the target '{_target_text(sl)}'", row.band.span,
                       f"a {kind} applies only where the target is {'missed' if credit else 'met'}")
            return False
        if any(wrong_side):
            self.warning("SLA207", f"this row reaches into values that {other_zone} the target "
                         f"'{_target_text(sl)}'; it applies only where the target is {'missed' if credit else 'met'}",
                         row.band.span)
        return True

    def row_order(self, rows, credit: bool, higher: bool, sl: nodes.ServiceLevel):
        """Rows from the mildest to the most extreme (of two on one threshold, the one including it
        is the milder: `at most 75%` before `below 75%`, as compile.py applies them); no row may earn
        less than a milder one. Amounts are compared as shares of an input or fixed money: on one
        base, a row earning less is an error; on two (a share of the fee against fixed money), it
        earns less only for some values of the input, which a warning states."""
        ordered = sorted(rows, key=lambda row: band_interval(row.band).extremity_key(higher == credit), reverse=True)
        for i, harsher in enumerate(ordered):
            worse = _on_one_base(harsher.amount, self.ruleset, sl)
            if worse is None:
                continue
            most: dict[str | None, tuple[Decimal, nodes.Row]] = {}  # base -> the milder row earning most on it
            for milder in ordered[:i]:
                on_base = _on_one_base(milder.amount, self.ruleset, sl)
                if on_base is not None and (on_base[0] not in most or on_base[1] > most[on_base[0]][0]):
                    most[on_base[0]] = (on_base[1], milder)
            for base, (share, milder) in most.items():
                self.compare_rows(harsher, worse, milder, (base, share), credit)

    def compare_rows(self, harsher: nodes.Row, worse, milder: nodes.Row, better, credit: bool):
        """Report where the harsher row earns less than the milder one; `worse` and `better` are
        their amounts as (input or None for money, share of the input or money)."""
        (worse_base, worse_share), (better_base, better_share) = worse, better
        what, verb = ("worse", "pays") if credit else ("better", "earns")
        if better_share == 0 or (worse_base == better_base and worse_share >= better_share):
            return
        resolved = [f"{printer.amount(row.amount)} is " + (f"{format_number(share * 100)}% of {base}" if base
                                                          else f"{self.currency} {self.money_text(share)}")
                    for row, (base, share) in ((harsher, worse), (milder, better))
                    if _through_the_pool(row.amount)]
        if worse_base == better_base or worse_share == 0:  # less whatever the inputs (above zero)
            self.error("SLA208", f"a {what} band earns less ({self.amount_text(harsher.amount)}) than the row "
                       f"at line {milder.span.line} ({self.amount_text(milder.amount)})", harsher.span,
                       *resolved, "rows must not pay less as performance moves further from the target")
            return
        if worse_base is None:  # fixed money against a share of an input: less once the input is large
            crossing = CONTEXT.divide(worse_share, better_share)
            if crossing.adjusted() >= MAX_WHOLE_DIGITS:  # beyond every value data can hold
                return
            when = f"{better_base} is above {self.money_text(crossing)}"
        elif better_base is None:  # a share of an input against fixed money: less while the input is small
            when = f"{worse_base} is below {self.money_text(CONTEXT.divide(better_share, worse_share))}"
        else:  # shares of two inputs: less while the one is small beside the other
            ratio = format_number(CONTEXT.divide(better_share, worse_share))
            when = f"{worse_base} is below {ratio} times {better_base}"
        self.warning("SLA208", f"a {what} band {verb} {self.amount_text(harsher.amount)}, less than "
                     f"{self.amount_text(milder.amount)} (line {milder.span.line}) whenever {when}", harsher.span,
                     *resolved, "rows on different bases compare only for some values of the base; "
                     "check the table at the values the contract expects")

    def money_text(self, value: Decimal) -> str:
        """An amount of money to the contract's minor unit; 'about' when it has more decimals."""
        shown = value.quantize(Decimal(1).scaleb(-self.money_digits), context=_EXACT)
        return ("" if shown == value else "about ") + format_money(shown, self.money_digits)

    def amount_text(self, amount: nodes.Amount) -> str:
        """An amount as written, money to the contract's minor unit: 'USD 300.00', '5% of fee'."""
        if isinstance(amount, nodes.PercentOf):
            return printer.amount(amount)
        digits = max(self.money_digits, -amount.value.as_tuple().exponent)
        return f"{amount.currency} {format_money(amount.value, digits)}"

    @property
    def money_digits(self) -> int:
        return minor_unit_digits(self.currency) if self.currency else 2

    def range_coverage(self, rows, credit: bool, higher: bool, met: Interval, sl, unit):
        """Sweep the rows from low to high values; `reach` is the row that reaches highest so far,
        so a row nested inside a wide one is an overlap and not mistaken for a gap. On a KPI the
        contract reports on a grid (`reported to whole seconds`), only the grid's values count:
        `from 21 to 25 seconds` then follows `at most 20 seconds` with no gap."""
        step = grid_step(sl.measured)
        on_grid = []
        for row in rows:
            points = grid_points(band_interval(row.band), step)
            if points is None:
                self.error("SLA229", f"no value reported to {_grid_words(sl.measured.reported)} falls in this row",
                           row.band.span, "write the row's ends on the reporting grid")
            else:
                on_grid.append((points, row))
        if not on_grid:
            return
        met = grid_points(met, step) or met
        intervals = sorted(on_grid, key=lambda p: p[0].low_key())
        reach, reach_row = intervals[0]
        for b, rb in intervals[1:]:
            if reach.overlaps(b):
                self.error("SLA210", f"this range and the row at line {reach_row.span.line} both contain "
                           f"{_values(reach.intersection(b), unit)[0]}", rb.band.span,
                           "in a 'by range' table each value must fall in exactly one row")
            else:
                gap = grid_points(reach.gap_to(b), step) if reach.gap_to(b) is not None else None
                if gap is not None:
                    start = (f"from {_edge(reach.high + step)} to ..." if step is not None else
                             ("above" if reach.high_included else "from") + f" {_edge(reach.high)} to ...")
                    values, plural = _values(gap, unit)
                    self.error("SLA209", f"{values} {'fall' if plural else 'falls'} in no row", rb.band.span,
                               f"start this row where the row at line {reach_row.span.line} ends: '{start}'"
                               + ("" if step is not None else "; or, if the contract reports the value on a grid, "
                                  f"state it: '{_grid_example(unit)}' after 'measured as ...'"))
            if b.high_key() > reach.high_key():
                reach, reach_row = b, rb
        runs_down = higher == credit
        far, far_row = intervals[0] if runs_down else (reach, reach_row)
        beyond = _beyond(far, runs_down, unit)
        beyond = grid_points(beyond, step) if beyond is not None else None
        if beyond is not None:
            values, plural = _values(beyond, unit)
            award = "no credit" if credit else "no bonus"
            open_band = (f"{'at most' if far.high_included else 'below'} {_unit_text(far.high, unit)}" if runs_down
                         else f"{'at least' if far.low_included else 'above'} {_unit_text(far.low, unit)}")
            self.error("SLA209", f"{values} {'fall' if plural else 'falls'} in no row: "
                       f"{'worse' if credit else 'better'} than this row, {'they earn' if plural else 'it earns'} "
                       f"{award}", far_row.band.span, f"write '{open_band}' to take this row to the end of the "
                       f"scale, or add a row for {'them' if plural else 'it'}")
        # A credit table should start where the target is missed, as a gap between rows is an
        # error. (A bonus table may well start above the target: that dead band, which earns
        # neither, is a common term.)
        if credit:
            dead = reach.gap_to(met) if higher else met.gap_to(intervals[0][0])
            dead = grid_points(dead, step) if dead is not None else None
            if dead is not None:
                values, plural = _values(dead, unit)
                self.error("SLA209", f"{values} {'miss' if plural else 'misses'} the target '{_target_text(sl)}' "
                           f"but {'are' if plural else 'is'} in no credit row, so {'they earn' if plural else 'it earns'} "
                           "no credit",
                           (reach_row if higher else intervals[0][1]).band.span,
                           "start the first row where the target is missed"
                           + ("" if step is not None else ", or, if the contract reports the value on a grid, "
                              f"state it: '{_grid_example(unit)}' after 'measured as ...'"))


def _grid_example(unit: str | None) -> str:
    return ", reported to 2 decimals" if unit == "percent" else f", reported to whole {step_units(unit)[1]}"


def _grid_words(reported: nodes.Reported) -> str:
    """`whole seconds`, `2 decimals`: the grid as the clause states it."""
    return printer.reported(reported).removeprefix("reported to ").split(",")[0]


def _side_example(credit: bool, higher: bool) -> str:
    return ("below" if higher else "above") if credit else ("at least" if higher else "at most")


def _interval_points(interval: Interval):
    """Finite probe points of an interval's closed ends (where a zone overlap shows first)."""
    points = []
    if interval.low is not None:
        points.append(interval.low if interval.low_included else interval.low + Decimal("1e-9"))
    if interval.high is not None:
        points.append(interval.high if interval.high_included else interval.high - Decimal("1e-9"))
    return points


def _on_one_base(amount: nodes.Amount, ruleset: nodes.Ruleset, sl: nodes.ServiceLevel | None,
                 through=(nodes.AtRiskBase, nodes.AllocationBase)) -> tuple[str | None, Decimal] | None:
    """The amount as (input, share of it), or (None, money) for fixed money: `50% of the allocation`
    with an allocation of 20% of the amount at risk, at risk 12% of fee, is ('fee', 0.012).
    None when it names an amount at risk or an allocation that is not defined (reported elsewhere)."""
    if isinstance(amount, nodes.FixedMoney):
        return None, amount.value
    share, base = CONTEXT.divide(amount.percent, HUNDRED), amount.base
    if isinstance(base, nodes.InputBase):
        return base.name.text, share
    inner = None
    if isinstance(base, nodes.AtRiskBase) and nodes.AtRiskBase in through and ruleset.of_type(nodes.AtRisk):
        inner = _on_one_base(ruleset.of_type(nodes.AtRisk)[0].amount, ruleset, sl, ())
    elif isinstance(base, nodes.AllocationBase) and nodes.AllocationBase in through \
            and sl is not None and sl.allocation is not None:
        inner = _on_one_base(sl.allocation.amount, ruleset, sl, (nodes.AtRiskBase,))
    return None if inner is None else (inner[0], CONTEXT.multiply(share, inner[1]))


def _through_the_pool(amount: nodes.Amount) -> bool:
    """A share of the amount at risk or of the allocation: what it comes to is worked out, not written."""
    return isinstance(amount, nodes.PercentOf) and isinstance(amount.base, (nodes.AtRiskBase, nodes.AllocationBase))


def _beyond(far: Interval, runs_down: bool, unit: str | None) -> Interval | None:
    """The values past the far end of a table's furthest row, up to the end of the scale: 0 below
    (no value is negative), 100% above for a percentage, nothing above for any other unit."""
    if runs_down:
        if far.low is None or far.low < 0 or (far.low == 0 and far.low_included):
            return None
        return Interval(Decimal(0), True, far.low, not far.low_included)
    if far.high is None:
        return None
    if unit != "percent":
        return Interval(far.high, not far.high_included, None, False)
    if far.high > 100 or (far.high == 100 and far.high_included):
        return None
    return Interval(far.high, not far.high_included, HUNDRED, True)


def _values(interval: Interval, unit: str | None) -> tuple[str, bool]:
    """The values of an interval as the language writes a band ('the values from 60 to below 61%',
    'the value 65%'), and whether that is plural."""
    low, high = interval.low, interval.high
    if low is not None and low == high:
        return f"the value {_unit_text(low, unit)}", False
    if low is None:
        text = f"{'at most' if interval.high_included else 'below'} {_unit_text(high, unit)}"
    elif high is None:
        text = f"{'at least' if interval.low_included else 'above'} {_unit_text(low, unit)}"
    elif not interval.low_included and not interval.high_included:
        text = f"above {_edge(low)} and below {_unit_text(high, unit)}"
    else:
        text = (f"{'from' if interval.low_included else 'above'} {_edge(low)} to "
                f"{'' if interval.high_included else 'below '}{_unit_text(high, unit)}")
    return f"the values {text}", True


def _unit_text(value: Decimal, unit: str | None) -> str:
    return _quantity_text(nodes.Quantity(value, QUANTITY_UNIT_FOR.get(unit)))
