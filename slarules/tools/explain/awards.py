"""Credits and bonuses: the sentences for each form (flat, table, linear,
shortfall) with a worked example, the values that miss (or meet) the target
and earn nothing, the credit charged when data counts as a miss, and the
conditions on a bonus; and the intervals of KPI values they reason with.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from ...core.money import CONTEXT, HUNDRED
from ...language import nodes
from ...language.nouns import linear_nouns
from ...language.semantics import (
    Interval,
    band_interval,
    comparison_interval,
    grid_points,
    grid_step,
    higher_is_better,
    kpi_table,
)
from .terms import Terms
from .words import _and, _code, _computed, _count, _num, _or, _qty


class AwardTerms(Terms):
    """Credits, bonuses and the conditions on a bonus."""

    def credit_text(self, sl: nodes.ServiceLevel) -> str:
        return self.award_text(sl, sl.credit)

    def bonus_text(self, sl: nodes.ServiceLevel) -> str:
        return self.award_text(sl, sl.bonus)

    def award_text(self, sl: nodes.ServiceLevel, award: nodes.Award) -> str:
        form, credit, unit = award.form, award.kind == "credit", self.unit_of(sl)
        if isinstance(form, nodes.Table):  # bands on the shortfall: told as the ranges of the value they are
            form = kpi_table(form, sl.target)
        if credit:
            when, who = "If the target is missed", "the vendor owes the client"
            what = "a service credit of"
        else:
            when, who = f"In a {self.noun} in which the target is met", "the client owes the vendor"
            what = "a bonus of"
        allowance = isinstance(sl.target.comparison.quantity, nodes.Share)  # worked out each period
        if allowance:  # no fixed values to show: the examples work the allowance out (allowances.py)
            zone = Interval(Decimal(0), False, Decimal(0), False)
        else:
            zone = (_miss_interval(sl.target) if credit else comparison_interval(sl.target.comparison)).intersection(
                _domain(unit))
        sentences: list[str] = []
        covered: list[Interval] = []
        if isinstance(form, nodes.Flat):
            margin = "whatever the size of the miss" if credit else "whatever the margin"
            sentences.append(f"{when}, {who} {what} {self.amount(form.amount, sl)}, {margin}.")
            covered = [Interval(None, False, None, False)]
        elif isinstance(form, nodes.Table):
            covered = [band_interval(row.band) for row in form.rows]
            sentences += self.table_sentences(sl, award, form, when, who, what, zone)
        elif isinstance(form, nodes.Linear) and allowance:
            sentences += self.allowance_linear_sentences(sl, award, form, when, who)
        elif isinstance(form, nodes.Linear):
            covered = [self.linear_zone(form)]
            sentences += self.linear_sentences(sl, award, form, when, who, zone)
        else:
            covered = [self.shortfall_zone(sl)]
            sentences += self.shortfall_sentences(sl, form, when, who)
        if not zone.is_empty():
            gaps = zone.outside(covered)
            step = grid_step(sl.measured)  # on a grid, only the values it holds can fall between rows
            gaps = [g for g in (grid_points(gap, step) for gap in gaps) if g is not None]
            if gaps:
                values = _or([_a_value(g, unit) for g in gaps])
                effect = "misses the target but carries no credit" if credit else "meets the target but earns no bonus"
                sentences.append(f"{values[0].upper()}{values[1:]} {effect}.")
        if credit:
            missing = sorted(self.reads(sl) & self.miss_inputs)
            if missing:
                sentences.append(f"In a {self.noun} in which {_or([_code(m) for m in missing])} is not reported, the "
                                 f"target counts as missed and the credit is its maximum: {self.worst_text(sl, form)}.")
        else:
            sentences.append(f"A {self.noun} in which {_code(sl.name.text)} is missed, waived, excluded or not "
                             "measured earns no bonus.")
        return " ".join(sentences)

    def rows_text(self, sl, rows) -> str:
        unit = self.unit_of(sl)
        return "; ".join(f"{_interval_text(band_interval(r.band), unit)}, {self.amount(r.amount, sl)}" for r in rows)

    def ordered_rows(self, sl, form: nodes.Table, credit: bool) -> list[nodes.Row]:
        """Rows most extreme first, as compile.py orders them: the first that contains a value applies."""
        upper_edge = credit == higher_is_better(sl.target)
        return sorted(form.rows, key=lambda row: band_interval(row.band).extremity_key(upper_edge))

    def table_sentences(self, sl, award, form: nodes.Table, when, who, what, zone) -> list[str]:
        credit, unit = award.kind == "credit", self.unit_of(sl)
        kind = "service credit" if credit else "bonus"
        if form.rule == "single":
            row = form.rows[0]
            band = _interval_text(band_interval(row.band), unit)
            return [f"{when} and the value is {band}, {who} {what} {self.amount(row.amount, sl)}."]
        if form.rule == "range":
            return [f"{when}, {who} the {kind} of the one row whose range contains the value: "
                    f"{self.rows_text(sl, form.rows)}. The ranges do not overlap, so no value falls in two rows."]
        furthest = "the most severe" if form.rule == "most severe" else "the best"
        sentences = [f"{when}, {who} the {kind} of {furthest} row that applies: {self.rows_text(sl, form.rows)}.",
                     f"Of the rows whose band contains the value, only the one furthest "
                     f"{'from' if credit else 'beyond'} the target applies; rows are never added together."]
        example = self.table_example(sl, form, credit, zone)
        if example:
            sentences.append(example)
        return sentences

    def table_example(self, sl, form: nodes.Table, credit: bool, zone) -> str | None:
        """`For example, 72.5% falls in the rows "below 80%" and "below 75%" ...`: a value in two rows."""
        unit = self.unit_of(sl)
        ordered = self.ordered_rows(sl, form, credit)
        for k in range(len(ordered) - 2, -1, -1):
            piece = band_interval(ordered[k].band)
            pieces = piece.outside([band_interval(r.band) for r in ordered[:k]])
            if not zone.is_empty():
                pieces = [p for p in (p.intersection(zone) for p in pieces) if not p.is_empty()]
            for candidate in pieces:
                point = _point_in(candidate, unit, self.whole_valued(sl))
                if point is None:
                    continue
                matches = [r for r in form.rows if band_interval(r.band).contains(point)]
                if len(matches) < 2:
                    continue
                bands = _and([f"\u201c{_interval_text(band_interval(r.band), unit)}\u201d" for r in matches])
                which = ("more severe" if credit else "better") if len(matches) == 2 else (
                    "most severe" if credit else "best")
                return (f"For example, {_qty(point, unit, True)} falls in the rows {bands}; only the {which} "
                        f"applies: {self.amount(ordered[k].amount, sl)}.")
        return None

    def step_words(self, form: nodes.Linear) -> tuple[str, str]:
        """(`percentage point`, `percentage points`), (`ticket resolved late`, `tickets resolved late`):
        the unit counted, singular and plural, as the contract writes it (nouns.linear_nouns)."""
        singular, plural = linear_nouns(form)
        if singular == "point":
            return "percentage point", "percentage points"
        return singular, plural

    def linear_zone(self, form: nodes.Linear) -> Interval:
        """The values for which the linear amount is above zero."""
        t, step = form.threshold.value, form.step if form.step is not None else Decimal(1)
        if form.side == "below":
            return (Interval(None, False, t - step, True) if form.rounding == "down"
                    else Interval(None, False, t, False))
        return Interval(t + step, True, None, False) if form.rounding == "down" else Interval(t, False, None, False)

    def linear_sentences(self, sl, award, form: nodes.Linear, when, who, zone) -> list[str]:
        unit = self.unit_of(sl)
        noun, nouns = self.step_words(form)
        threshold = _qty(form.threshold.value, unit)
        if form.step is None:
            each = f"each {noun}"
            rounding = {"up": f"a part of a {noun} counting as a whole one",
                        "down": f"only whole {nouns} counting (a part of a {noun} is dropped)",
                        "pro rata": f"a part of a {noun} counting in proportion"}[form.rounding]
        else:
            step = f"{_num(form.step)} {noun if form.step == 1 else nouns}"
            each = f"each {step}"
            rounding = {"up": f"a part of {step} counting as a whole {step}",
                        "down": f"only whole steps of {step} counting (a part of a step is dropped)",
                        "pro rata": f"a part of {step} counting in proportion"}[form.rounding]
        sentences = [f"{when}, {who} {self.amount(form.amount, sl)} for {each} by which the value is "
                     f"{form.side} {threshold}, {rounding}."]
        example = self.linear_example(sl, form, zone)
        if example:
            sentences.append(example)
        if form.cap is not None:
            sentences.append(self.cap_sentence(form.cap, sl, award.kind))
        return sentences

    def linear_example(self, sl, form: nodes.Linear, zone) -> str | None:
        unit = self.unit_of(sl)
        step = form.step if form.step is not None else Decimal(1)
        for fraction in (Decimal("1.2"), Decimal("0.6")):
            distance = step * fraction
            if self.whole_valued(sl):  # a count is a whole number: the next whole count beyond that distance
                distance = distance.to_integral_value(ROUND_CEILING)
                fraction = distance / step
            value = form.threshold.value - distance if form.side == "below" else form.threshold.value + distance
            if zone.is_empty() or not zone.contains(value):
                continue
            units = _round_units(fraction, form.rounding)
            if not units:
                continue
            noun, nouns = self.step_words(form)
            if noun == "percentage point":
                noun, nouns = "point", "points"
            threshold = _qty(form.threshold.value, unit)
            if form.step is None:
                distance_text = f"{_computed(fraction)} {noun if fraction == 1 else nouns} {form.side} {threshold}"
                counted = ("" if form.rounding == "pro rata"
                           else f", counted as {_num(units)} {noun if units == 1 else nouns}")
            else:
                gap = (_qty(distance, unit, True) if unit in ("seconds", "minutes")
                       else f"{_computed(distance)} {noun if distance == 1 else nouns}")
                step = f"{_num(form.step)} {noun if form.step == 1 else nouns}"
                distance_text = f"{gap} {form.side} {threshold}, {_computed(fraction)} steps of {step}"
                counted = "" if form.rounding == "pro rata" else f", counted as {_count(units, 'step')}"
            text = (f"For example, at {_qty(value, unit, True)} the value is {distance_text}{counted}: "
                    f"{self.times(units, form.amount, sl)}")
            if self.exceeds(units, form.amount, form.cap, sl):
                text += f", cut to the cap of {self.amount(form.cap, sl)}"
            return text + "."
        return None

    def cap_sentence(self, cap: nodes.Amount, sl, kind: str) -> str:
        word = "credit" if kind == "credit" else "bonus"
        return (f"The {word} for a {self.noun} is at most {self.amount(cap, sl)}: if the amount worked out is more, "
                f"a separate line reduces it to that cap, so both figures are shown.")

    def shortfall_zone(self, sl) -> Interval:
        t = sl.target.comparison.quantity.value
        if higher_is_better(sl.target):
            return Interval(None, False, t, False)
        return Interval(t, False, None, False)

    def shortfall_sentences(self, sl, form: nodes.Shortfall, when, who) -> list[str]:
        unit = self.unit_of(sl)
        t = sl.target.comparison.quantity.value
        base = self.amount(nodes.PercentOf(Decimal(1), form.base), sl)
        base = base.removeprefix("1% of ")
        higher = higher_is_better(sl.target)
        side = "below" if higher else "above"
        sentences = [f"{when}, {who} a percentage of {base} equal to the shortfall: the number of percentage points "
                     f"by which the value is {side} the target of {_qty(t, unit)}, a part of a point counting in "
                     "proportion."]
        example = t - Decimal("2.5") if higher else t + Decimal("2.5")
        if _domain(unit).contains(example):
            sentences.append(f"For example, {_qty(example, unit, True)} is 2.5 points {side} the target and gives "
                             f"{self.times(Decimal('2.5'), nodes.PercentOf(Decimal(1), form.base), sl)}.")
        if form.cap is not None:
            sentences.append(self.cap_sentence(form.cap, sl, "credit"))
        return sentences

    def worst_text(self, sl, form) -> str:
        """What a credit clause charges for a period whose data counts as a miss (evaluate.award)."""
        unit = self.unit_of(sl)
        cap = getattr(form, "cap", None)
        if cap is not None:
            return f"{self.amount(cap, sl)}, its cap"
        if isinstance(form, nodes.Flat):
            return self.amount(form.amount, sl)
        if isinstance(form, nodes.Table):
            row = self.ordered_rows(sl, form, True)[0]
            if len(form.rows) == 1:
                return self.amount(row.amount, sl)
            return (f"the row furthest from the target, {_interval_text(band_interval(row.band), unit)}, "
                    f"{self.amount(row.amount, sl)}")
        higher = higher_is_better(sl.target)
        worst = Decimal(0) if (higher or unit != "percent") else HUNDRED
        if isinstance(form, nodes.Linear) and isinstance(form.threshold, nodes.Share):
            return f"the credit for a value of {_qty(worst, unit)} against that {self.noun}'s allowance"
        if isinstance(form, nodes.Linear):
            if form.side == "above":
                worst = HUNDRED
            step = form.step if form.step is not None else Decimal(1)
            distance = abs(form.threshold.value - worst) / step
            units = _round_units(distance, form.rounding)
            return f"the credit for a value of {_qty(worst, unit)}, {self.times(units, form.amount, sl)}"
        points = abs(sl.target.comparison.quantity.value - worst)
        return (f"the credit for a value of {_qty(worst, unit)}, "
                f"{self.times(points, nodes.PercentOf(Decimal(1), form.base), sl)}")

    def gate_text(self, sl: nodes.ServiceLevel) -> str:
        gate = sl.gate
        if gate.kind == "no critical missed":
            critical = [s.name.text for s in self.ruleset.service_levels if s.critical]
            if not critical:
                return ("The bonus is paid only in a month in which no critical service level is missed; no service "
                        "level is marked critical, so the condition always holds.").replace("month", self.noun)
            names = _and([self.sl_ref(n) for n in critical])
            which = f"the critical one is {names}" if len(critical) == 1 else f"the critical ones are {names}"
            levels = [self.by_name[n] for n in critical]
            held = []
            if any(c.cure is not None for c in levels):
                held.append("in a cure window")
            if any(c.free_passes is not None for c in levels):
                held.append("covered by a free pass")
            harmless = ["waived", "excluded"] + (["not measured"] if any(c.volume is not None for c in levels) else [])
            text = f"The bonus is paid only in a {self.noun} in which no critical service level is missed; {which}."
            if held:
                text += f" A miss counts even when it is {_or(held)}."
            return (text + f" A critical service level that is {_or(harmless)} that {self.noun} does not withhold "
                    "the bonus.")
        if gate.kind == "all met":
            return (f"The bonus is paid only in a {self.noun} in which every service level of the contract is met, "
                    "those that carry no credit included. A service level that is missed, waived, excluded or not "
                    f"measured that {self.noun} withholds it; one that is met and so cures an earlier miss does not.")
        names = [n.text for n in gate.names]
        subject = _and([self.sl_ref(n) for n in names])
        verb = {1: "is", 2: "are both"}.get(len(names), "are all")
        return (f"The bonus is paid only in a {self.noun} in which {subject} {verb} met. A service level that is "
                f"missed, waived, excluded or not measured that {self.noun} withholds it.")


def _round_units(units: Decimal, rounding: str) -> Decimal:
    """Units of a linear amount as compile.LinearForm counts them."""
    if rounding == "up":
        return units.to_integral_value(ROUND_CEILING)
    if rounding == "down":
        return units.to_integral_value(ROUND_FLOOR)
    return units


def _domain(unit: str | None) -> Interval:
    """The values a KPI can take: a percentage from 0 to 100, anything else from 0 up."""
    return Interval(Decimal(0), True, HUNDRED if unit == "percent" else None, unit == "percent")


def _miss_interval(target: nodes.Target) -> Interval:
    value = target.comparison.quantity.value
    return {
        "at least": Interval(None, False, value, False),
        "above": Interval(None, False, value, True),
        "at most": Interval(value, False, None, False),
        "below": Interval(value, True, None, False),
    }[target.comparison.op]


def _interval_text(interval: Interval, unit: str | None) -> str:
    """`from 65% to below 70%`, `above 30 seconds up to 45 seconds inclusive`, `below 60%`.
    Zero (and 100 for a percentage) are the ends of every scale, so they go unsaid."""
    low = None if interval.low == 0 and interval.low_included else interval.low
    high = None if unit == "percent" and interval.high == HUNDRED and interval.high_included else interval.high

    def q(v):
        return _qty(v, unit)

    if low is None and high is None:
        return "any value"
    if low is None:
        return f"{'at most' if interval.high_included else 'below'} {q(high)}"
    if high is None:
        return f"{'at least' if interval.low_included else 'above'} {q(low)}"
    if low == high:
        return f"exactly {q(low)}"
    if interval.low_included and interval.high_included:
        return f"from {q(low)} to {q(high)} inclusive"
    if interval.low_included:
        return f"from {q(low)} to below {q(high)}"
    if interval.high_included:
        return f"above {q(low)} up to {q(high)} inclusive"
    return f"above {q(low)} and below {q(high)}"


def _a_value(interval: Interval, unit: str | None) -> str:
    """`a value of at least 75%`, `a value below 60%`."""
    text = _interval_text(interval, unit)
    return f"a value {'of ' if text.startswith(('at ', 'exactly')) else ''}{text}"


def _point_in(interval: Interval, unit: str | None, whole: bool = False) -> Decimal | None:
    """A value inside the interval to use in an example, or None if it has none that reads well;
    `whole`: the value must be a whole number (a count)."""
    piece = interval.intersection(_domain(unit))
    if piece.is_empty():
        return None
    if whole:
        start = piece.low.to_integral_value(ROUND_FLOOR) + 1 if piece.low is not None else Decimal(0)
        if piece.low is not None and piece.low_included and piece.low == piece.low.to_integral_value():
            start = piece.low
        return start if piece.contains(start) else None
    # Zero (and 100 for a percentage) are the ends of the scale, not edges a contract wrote.
    low = None if piece.low == 0 and piece.low_included else piece.low
    high = None if unit == "percent" and piece.high == HUNDRED and piece.high_included else piece.high
    if low is not None and high is not None:
        return ((low + high) / 2).normalize(CONTEXT) if low != high else low
    # Open toward an end of the scale: a value one unit inside the written edge.
    if high is not None:
        point = high - 1 if high >= 2 else high / 2
    else:
        point = low + 1
    return point if piece.contains(point) else None
