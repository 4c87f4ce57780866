"""Explain pass: a Ruleset -> its terms as numbered plain-English clauses.

Input: a nodes.Ruleset that check() passed with no error (explain assumes, as
compile does, that names resolve, units match and every service level has a
measurement and a target). Output: one document, rendered as "text",
"markdown" or "html" (a self-contained page: escaped text, inline style, no
external resources), in which every construct of the ruleset is a numbered
clause that ends with its source reference (`file:line`), so a lawyer can hold
it against the signed contract. A term the ruleset leaves unsaid but that
still binds (the default netting, the default streak rules) gets its own
clause, marked "default; not stated".

The sentences say what compile.py and evaluate.py do, including the subtle
points the README states: the boundary value meets the target, only the most
severe (or best) row applies, part points count as whole, caps are their own
lines, a met period cures every open cure window, excluded periods in
streaks, earn-back after caps. Clause numbers are fixed before any sentence is
written, so a clause can refer to a later one. Deterministic; never mutates
its input; raises ValueError only for an unknown format.
"""
from __future__ import annotations

import html
import re
import textwrap
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import attrs

from ..core.money import CONTEXT, HUNDRED, format_number, minor_unit_digits
from ..core.periods import MONTHS_IN, MONTHS_PER_PERIOD, PERIOD_NOUN, Calendar
from ..language import nodes
from ..language.semantics import Interval, amended, band_interval, comparison_interval, higher_is_better, kpi_unit

FORMATS = ("text", "markdown", "html")

# Inline marks inside a sentence: a name from the ruleset (rendered as code) and
# a reference to another clause (a link in HTML). Control characters cannot come
# from a ruleset's own strings: _plain() strips them.
_CODE, _END_CODE, _XREF, _END_XREF = "\x01", "\x02", "\x03", "\x04"
_MARKS = re.compile("[\x01-\x04]")
_WIDTH = 79

_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
_ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
             "tenth", "eleventh", "twelfth")

# Service level clauses, in the order they are explained (not the order written).
_SUB_ORDER = ("measured", "volume", "target", "allocation", "credit", "bonus", "gate", "cure", "free passes",
              "earn back")
_SUB_HEADING = {"measured": "Measurement", "volume": "Minimum volume", "target": "Target",
                "allocation": "Allocation", "credit": "Service credit", "bonus": "Bonus",
                "gate": "Condition on the bonus", "cure": "Cure period", "free passes": "Free passes",
                "earn back": "Earn-back"}


# ---------------------------------------------------------------- the document

@attrs.frozen
class Clause:
    """One numbered clause: `3.1.4 Service credit. If the target is missed ... [file:29]`."""

    number: str
    heading: str
    body: str
    refs: tuple[str, ...]


@attrs.frozen
class Part:
    """A numbered part of the document (`3. Service levels`) and its clauses."""

    number: str
    title: str
    intro: str | None
    clauses: tuple[Clause, ...]


@attrs.frozen
class Document:
    title: str
    preface: str
    parts: tuple[Part, ...]


def explain(ruleset: nodes.Ruleset, format: str = "text") -> str:
    """The ruleset as numbered plain-English clauses, in `format` ("text", "markdown" or "html")."""
    if format not in _RENDERERS:
        raise ValueError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    return _RENDERERS[format](document(ruleset))


def document(ruleset: nodes.Ruleset) -> Document:
    """The clauses of the ruleset, before rendering."""
    return _Explainer(ruleset).document()


# ---------------------------------------------------------------- words

def _code(name: str) -> str:
    return f"{_CODE}{name}{_END_CODE}"


def _xref(number: str) -> str:
    return f"{_XREF}{number}{_END_XREF}"


def _plain(text: str) -> str:
    """A string written in the ruleset (a title, a description), with no control characters."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)


def _num(value: Decimal) -> str:
    """A number as written in the ruleset, with thousands separators: `99.0`, `3,000`."""
    return f"{value:,f}"


def _computed(value: Decimal) -> str:
    """A number the explanation worked out: normalized, `≈` when longer than four decimals."""
    return format_number(value)


def _plural(count: Decimal | int, noun: str) -> str:
    return noun if count == 1 else noun + "s"


def _count(count: Decimal | int, noun: str) -> str:
    """`1 month`, `3 months`."""
    return f"{_num(Decimal(count))} {_plural(count, noun)}"


def _ordinal(n: int) -> str:
    if n < len(_ORDINALS):
        return _ORDINALS[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _or(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _month(month: str) -> str:
    """`2026-01` -> `January 2026`."""
    year, number = month.split("-")
    return f"{_MONTH_NAMES[int(number) - 1]} {year}"


def _qty(value: Decimal, unit: str | None, computed: bool = False) -> str:
    """A KPI value with its unit: `80%`, `20 seconds`, `1 minute`, `500`."""
    text = _computed(value) if computed else _num(value)
    if unit == "percent":
        return text + "%"
    if unit in ("seconds", "minutes"):
        return f"{text} {unit.removesuffix('s') if value == 1 else unit}"
    return text


_UNIT_PHRASE = {"percent": "a percentage", "seconds": "in seconds", "minutes": "in minutes", "count": "a count",
                "score": "a score", "ratio": "a ratio", "money": "an amount of money"}
_INPUT_UNIT = {"percent": "a percentage", "seconds": "a duration in seconds", "minutes": "a duration in minutes",
               "count": "a count", "score": "a score", "ratio": "a ratio"}
_OP_WORDS = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}


def _expr(expr: nodes.Expr) -> str:
    """`(scheduled_minutes minus outage_minutes) divided by scheduled_minutes`: words read left to
    right, with parentheses wherever reading left to right would be ambiguous."""
    if isinstance(expr, nodes.Number):
        return _num(expr.value)
    if isinstance(expr, nodes.Reference):
        return _code(expr.name.text)
    left, right = _expr(expr.left), _expr(expr.right)
    if isinstance(expr.left, nodes.BinaryOp):
        same_reading = (expr.left.op in "+-" and expr.op in "+-") or (expr.left.op == "*" and expr.op == "*")
        if not same_reading:
            left = f"({left})"
    if isinstance(expr.right, nodes.BinaryOp):
        right = f"({right})"
    return f"{left} {_OP_WORDS[expr.op]} {right}"


def _divisors(expr: nodes.Expr) -> list[nodes.Expr]:
    if not isinstance(expr, nodes.BinaryOp):
        return []
    own = [expr.right] if expr.op == "/" else []
    return _divisors(expr.left) + _divisors(expr.right) + own


def _references(expr: nodes.Expr) -> set[str]:
    if isinstance(expr, nodes.Reference):
        return {expr.name.text}
    if isinstance(expr, nodes.BinaryOp):
        return _references(expr.left) | _references(expr.right)
    return set()


# ---------------------------------------------------------------- intervals of KPI values

def _max_low(a: tuple, b: tuple) -> tuple:
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if a[0] > b[0] else b
    return (a[0], a[1] and b[1])


def _min_high(a: tuple, b: tuple) -> tuple:
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if a[0] < b[0] else b
    return (a[0], a[1] and b[1])


def _intersect(a: Interval, b: Interval) -> Interval | None:
    low = _max_low((a.low, a.low_included), (b.low, b.low_included))
    high = _min_high((a.high, a.high_included), (b.high, b.high_included))
    result = Interval(low[0], low[1], high[0], high[1])
    if result.low is not None and result.high is not None:
        closed = result.low_included and result.high_included
        if result.low > result.high or (result.low == result.high and not closed):
            return None
    return result


def _subtract(a: Interval, b: Interval) -> list[Interval]:
    pieces = []
    if b.low is not None:
        pieces.append(_intersect(a, Interval(None, False, b.low, not b.low_included)))
    if b.high is not None:
        pieces.append(_intersect(a, Interval(b.high, not b.high_included, None, False)))
    return [p for p in pieces if p is not None]


def _uncovered(zone: Interval, covered: list[Interval]) -> list[Interval]:
    """The parts of `zone` in none of `covered`, lowest first."""
    pieces = [zone]
    for interval in covered:
        pieces = [part for piece in pieces for part in _subtract(piece, interval)]
    return sorted(pieces, key=lambda p: (p.low is not None, p.low if p.low is not None else 0))


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


def _point_in(interval: Interval, unit: str | None) -> Decimal | None:
    """A value inside the interval to use in an example, or None if it has none that reads well."""
    piece = _intersect(interval, _domain(unit))
    if piece is None:
        return None
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


def _near(value: Decimal) -> Decimal:
    """The step to a value just beside `value` in its written precision: 80 -> 0.01, 99.95 -> 0.001."""
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(min(exponent, 0) - (1 if exponent < 0 else 2))


# ---------------------------------------------------------------- the explainer

@attrs.frozen
class _Money:
    """An amount resolved down to a share of a money input, or to money."""

    percent: Decimal | None
    base: str | None
    money: Decimal | None

    def scaled(self, rate: Decimal) -> "_Money":
        if self.money is not None:
            return _Money(None, None, self.money * rate)
        return _Money(self.percent * rate, self.base, None)


class _Explainer:
    """Numbers every clause of the ruleset (and of its amendments), then writes them."""

    def __init__(self, ruleset: nodes.Ruleset):
        self.ruleset = ruleset
        self.path = ruleset.source.path if ruleset.source is not None else "<string>"
        self.numbers: dict[tuple, str] = {}
        self.versions = self._versions()
        self._number()

    def _versions(self) -> list[nodes.Ruleset]:
        """The terms as signed, then as each amendment leaves them."""
        versions = [attrs.evolve(self.ruleset, amendments=())]
        for amendment in self.ruleset.amendments:
            versions.append(amended(versions[-1], amendment))
        return versions

    # ---- numbering, fixed before any sentence is written
    def _number(self) -> None:
        ruleset = self.ruleset
        for i, sl in enumerate(ruleset.service_levels, 1):
            self.numbers[("sl", sl.name.text)] = f"3.{i}"
            for j, key in enumerate(self._sub_keys(sl), 1):
                self.numbers[("sl", sl.name.text, key)] = f"3.{i}.{j}"
        for i, (key, _) in enumerate(self._limit_items(ruleset), 1):
            self.numbers[key] = f"4.{i}"
        for i, (key, _) in enumerate(self._termination_items(ruleset), 1):
            self.numbers[key] = f"5.{i}"
        for i, amendment in enumerate(ruleset.amendments, 1):
            self.numbers[("amendment", i)] = f"6.{i}"

    @staticmethod
    def _sub_keys(sl: nodes.ServiceLevel) -> list[str]:
        present = {_clause_name(c) for c in sl.clauses}
        return [key for key in _SUB_ORDER if key in present]

    @staticmethod
    def _limit_items(ruleset: nodes.Ruleset) -> list[tuple[tuple, object]]:
        credits = any(sl.credit is not None for sl in ruleset.service_levels)
        bonuses = any(sl.bonus is not None for sl in ruleset.service_levels)
        items: list[tuple[tuple, object]] = []
        at_risk = ruleset.of_type(nodes.AtRisk)
        if at_risk:
            items.append((("at risk",), at_risk[0]))
        elif credits:
            items.append((("at risk",), None))
        for i, cap in enumerate(ruleset.of_type(nodes.WindowCap)):
            items.append((("window", i), cap))
        for failure in ruleset.of_type(nodes.CriticalFailure)[:1]:  # check.py allows one
            items.append((("critical failure",), failure))
        limit = ruleset.of_type(nodes.BonusLimit)
        if limit:
            items.append((("bonus limit",), limit[0]))
        elif bonuses:
            items.append((("bonus limit",), None))
        netting = ruleset.of_type(nodes.Netting)
        if netting:
            items.append((("netting",), netting[0]))
        elif bonuses:
            items.append((("netting",), None))
        if not items:
            items.append((("nothing",), None))
        return items

    @staticmethod
    def _termination_items(ruleset: nodes.Ruleset) -> list[tuple[tuple, object]]:
        terminations = ruleset.of_type(nodes.Termination)
        items: list[tuple[tuple, object]] = [(("trigger", i), t) for i, t in enumerate(terminations)]
        items += [(("critical failure right",), f.may_terminate) for f in ruleset.of_type(nodes.CriticalFailure)[:1]
                  if f.may_terminate is not None]
        if not items:
            items.append((("no trigger",), None))
        policies = {p.policy: p for p in ruleset.of_type(nodes.StreakPolicy)}
        counting = any(not isinstance(t.trigger, (nodes.BelowFloor, nodes.CreditsExceed)) for t in terminations)
        if counting or policies:
            items.append((("policy", "waived"), policies.get("waived misses do not count")))
            items.append((("policy", "excluded"), policies.get("excluded periods break streaks")))
        return items

    # ---- the document
    def document(self) -> Document:
        terms = _Terms(self.versions[0], self.path, self.numbers)
        preface = (
            f"The service level terms of {_code(self.path)}, clause by clause, in plain English. "
            "\u201cThe vendor\u201d is the party that provides the services and owes service credits; "
            "\u201cthe client\u201d is the party that receives them and owes bonuses. Values and amounts are "
            "exact: no measured value is "
            f"rounded before it is compared, and each amount of money is rounded once, as {_xref('1.2')} says. Each "
            "clause ends with the line of the ruleset it comes from; \u201cdefault; not stated\u201d marks a rule "
            "that applies because the ruleset says nothing on the point.")
        parts = [
            Part("1", "The contract", None, tuple(terms.header_clauses())),
            Part("2", "Reported figures",
                 f"For each {terms.noun} the following figures are reported; the terms below use no other data. A "
                 f"figure marked \u201crequired\u201d must be reported for every {terms.noun}: without it the "
                 f"{terms.noun} cannot be assessed, and the data are rejected, naming the {terms.noun} and the "
                 "figure.",
                 tuple(terms.input_clauses())),
            Part("3", "Service levels", terms.service_levels_intro(), tuple(terms.service_level_clauses())),
            Part("4", "Limits on credits and bonuses, and netting", None,
                 tuple(terms.limit_clauses(self._limit_items(self.versions[0])))),
            Part("5", "Termination", terms.termination_intro(),
                 tuple(terms.termination_clauses(self._termination_items(self.versions[0])))),
        ]
        if self.ruleset.amendments:
            parts.append(Part("6", "Amendments", "Each period is assessed under the terms in force in it.",
                              tuple(self.amendment_clauses())))
        return Document(_plain(self.ruleset.contract.title), preface, tuple(parts))

    def amendment_clauses(self) -> list[Clause]:
        clauses = []
        # Where each clause of the terms in force is stated: its number, kept current as amendments apply.
        in_force = dict(self.numbers)
        for i, amendment in enumerate(self.ruleset.amendments, 1):
            before = _Terms(self.versions[i - 1], self.path, self.numbers)
            after = _Terms(self.versions[i], self.path, self.numbers)
            number = self.numbers[("amendment", i)]
            clauses.append(Clause(number, f"Amendment effective {_month(amendment.effective)}",
                                  after.amendment_intro(amendment), (after.ref(amendment),)))
            sub = 0
            restated: set[tuple] = set()
            for item in amendment.items:
                if isinstance(item, nodes.AmendedServiceLevel):
                    sl = after.service_level(item.name.text)
                    old_sl = before.service_level(item.name.text)
                    old_keys = set(before._sub_keys_of(old_sl))
                    for clause in item.clauses:
                        key = _clause_name(clause)
                        sub += 1
                        replaced = in_force.get(("sl", sl.name.text, key))
                        how = f"replacing {_xref(replaced)}" if key in old_keys and replaced else "added"
                        heading, body = after.sub_clause(sl, key)
                        clauses.append(Clause(f"{number}.{sub}", f"{_code(sl.name.text)}, "
                                              f"{heading.lower()} ({how})", body, (after.ref(clause),)))
                        in_force[("sl", sl.name.text, key)] = f"{number}.{sub}"
                        restated.add(("sl", sl.name.text, key))
                else:
                    key = ("at risk",) if isinstance(item, nodes.AtRisk) else ("bonus limit",)
                    sub += 1
                    replaced = in_force.get(key)
                    how = f"replacing {_xref(replaced)}" if replaced else "added"
                    heading, body = after.limit_clause(key, item)
                    clauses.append(Clause(f"{number}.{sub}", f"{heading} ({how})", body, (after.ref(item),)))
                    in_force[key] = f"{number}.{sub}"
                    restated.add(key)
            # Clauses the amendment does not restate but whose meaning follows what it changed.
            for sl in after.ruleset.service_levels:
                for key in after._sub_keys_of(sl):
                    whole = ("sl", sl.name.text, key)
                    if whole in restated:
                        continue
                    old_sl = before.service_level(sl.name.text)
                    if key not in before._sub_keys_of(old_sl):
                        continue
                    new = after.sub_clause(sl, key)
                    if before.sub_clause(old_sl, key) != new:
                        sub += 1
                        clauses.append(Clause(
                            f"{number}.{sub}",
                            f"{_code(sl.name.text)}, {new[0].lower()} ({_xref(in_force[whole])}), as it reads from "
                            f"{_month(amendment.effective)}",
                            _follows(new[1], amendment),
                            (after.ref(_node_of(sl, key)),)))
            for key, node in self._limit_items(after.ruleset):
                if key in restated or key not in in_force or node is None:
                    continue
                new = after.limit_clause(key, node)
                if before.limit_clause(key, node) != new:
                    sub += 1
                    clauses.append(Clause(f"{number}.{sub}", f"{new[0]} ({_xref(in_force[key])}), as it reads from "
                                          f"{_month(amendment.effective)}",
                                          _follows(new[1], amendment), (after.ref(node),)))
        return clauses


def _follows(body: str, amendment: nodes.Amendment) -> str:
    """A clause the amendment does not restate but whose meaning changes with it."""
    return (f"Not restated by the amendment, but its meaning follows the terms the amendment changes. From "
            f"{_month(amendment.effective)} it reads: \u201c{body}\u201d")


def _clause_name(clause: nodes.Clause) -> str:
    if isinstance(clause, nodes.Award):
        return clause.kind
    return {nodes.Measured: "measured", nodes.Volume: "volume", nodes.Target: "target",
            nodes.Allocation: "allocation", nodes.Gate: "gate", nodes.Cure: "cure",
            nodes.FreePasses: "free passes", nodes.EarnBack: "earn back"}[type(clause)]


def _node_of(sl: nodes.ServiceLevel, key: str):
    for clause in sl.clauses:
        if _clause_name(clause) == key:
            return clause
    return None


class _Terms:
    """The sentences for one version of the terms (as signed, or as amended)."""

    def __init__(self, ruleset: nodes.Ruleset, path: str, numbers: dict[tuple, str]):
        self.ruleset = ruleset
        self.path = path
        self.numbers = numbers
        header = {type(term): term for term in ruleset.contract.terms}
        self.header = header
        self.currency = header[nodes.Currency].code if nodes.Currency in header else "?"
        self.periodicity = header[nodes.Assessed].periodicity if nodes.Assessed in header else "monthly"
        self.noun = PERIOD_NOUN[self.periodicity]
        self.nouns = self.noun + "s"
        self.units = {i.name.text: i.unit for i in ruleset.inputs}
        self.by_name = {sl.name.text: sl for sl in ruleset.service_levels}
        self.miss_inputs = {i.name.text for i in ruleset.inputs if isinstance(i.missing, nodes.MissingIsMiss)}

    # ---- references
    def ref(self, node) -> str:
        span = getattr(node, "span", None)
        return span.where if span is not None else self.path

    def default_ref(self) -> str:
        return f"default; not stated in {self.path}"

    def sl_ref(self, name: str) -> str:
        """`speed_of_answer (3.1)`."""
        number = self.numbers.get(("sl", name))
        return f"{_code(name)} ({_xref(number)})" if number else _code(name)

    def service_level(self, name: str) -> nodes.ServiceLevel:
        return self.by_name[name]

    @staticmethod
    def _sub_keys_of(sl: nodes.ServiceLevel) -> list[str]:
        return _Explainer._sub_keys(sl)

    def unit_of(self, sl: nodes.ServiceLevel) -> str | None:
        return kpi_unit(sl, self.units)

    # ---- periods
    def periods_in(self, count: Decimal, unit: str) -> int:
        if unit == "period":
            return int(count)
        return int(count * MONTHS_IN[unit] / MONTHS_PER_PERIOD[self.periodicity])

    def length(self, count: Decimal, unit: str) -> str:
        """`3 months`, or `12 months (4 quarters)` when the contract is assessed in quarters."""
        periods = self.periods_in(count, unit)
        if unit in ("period", self.noun):
            return _count(periods, self.noun)
        return f"{_count(count, unit)} ({_count(periods, self.noun)})"

    # ---- amounts
    def resolve(self, amount: nodes.Amount, sl: nodes.ServiceLevel | None) -> _Money | None:
        if isinstance(amount, nodes.FixedMoney):
            return _Money(None, None, amount.value)
        base = amount.base
        rate = CONTEXT.divide(amount.percent, HUNDRED)
        if isinstance(base, nodes.InputBase):
            return _Money(amount.percent, base.name.text, None)
        if isinstance(base, nodes.AtRiskBase):
            at_risk = self.ruleset.of_type(nodes.AtRisk)
            inner = self.resolve(at_risk[0].amount, None) if at_risk else None
        else:
            inner = self.resolve(sl.allocation.amount, sl) if sl is not None and sl.allocation else None
        return inner.scaled(rate) if inner is not None else None

    def money(self, value: Decimal, computed: bool = False) -> str:
        return f"{self.currency} {format_number(value) if computed else _num(value)}"

    def resolved_text(self, money: _Money) -> str:
        if money.money is not None:
            return self.money(money.money, computed=True)
        return f"{_computed(money.percent)}% of {_code(money.base)}"

    def amount(self, amount: nodes.Amount, sl: nodes.ServiceLevel | None) -> str:
        """`2% of monthly_fee`, `USD 1,500`, `50% of the allocation (2% of monthly_charges)`."""
        if isinstance(amount, nodes.FixedMoney):
            return self.money(amount.value)
        base = amount.base
        if isinstance(base, nodes.InputBase):
            return f"{_num(amount.percent)}% of {_code(base.name.text)}"
        words = "the amount at risk" if isinstance(base, nodes.AtRiskBase) else "the allocation"
        resolved = self.resolve(amount, sl)
        extra = f" ({self.resolved_text(resolved)})" if resolved is not None else ""
        return f"{_num(amount.percent)}% of {words}{extra}"

    def times(self, units: Decimal, amount: nodes.Amount, sl: nodes.ServiceLevel) -> str:
        """`units` times an amount, as one amount: `2% of monthly_fee`, `USD 1,000`."""
        resolved = self.resolve(amount, sl)
        if isinstance(amount, nodes.FixedMoney):
            return self.money(amount.value * units, computed=True)
        base = amount.base
        if isinstance(base, nodes.InputBase):
            return f"{_computed(amount.percent * units)}% of {_code(base.name.text)}"
        words = "the amount at risk" if isinstance(base, nodes.AtRiskBase) else "the allocation"
        extra = f" ({self.resolved_text(resolved.scaled(units))})" if resolved is not None else ""
        return f"{_computed(amount.percent * units)}% of {words}{extra}"

    def exceeds(self, units: Decimal, amount: nodes.Amount, cap: nodes.Amount | None, sl) -> bool:
        """Whether `units` times the amount is certainly above the cap (same base, or both money)."""
        if cap is None:
            return False
        a, c = self.resolve(amount, sl), self.resolve(cap, sl)
        if a is None or c is None:
            return False
        if a.money is not None and c.money is not None:
            return a.money * units > c.money
        if a.base is not None and a.base == c.base:
            return a.percent * units > c.percent
        return False

    # ---------------------------------------------------------------- 1. the contract
    def header_clauses(self) -> list[Clause]:
        header, contract = self.header, self.ruleset.contract
        clauses = []
        currency = header.get(nodes.Currency)
        clauses.append(Clause("1.1", "Currency", f"All amounts are in {self.currency}.",
                              (self.ref(currency or contract),)))
        rounding = header.get(nodes.Rounding)
        clauses.append(Clause("1.2", "Rounding", self.rounding_text(rounding),
                              (self.ref(rounding) if rounding else self.default_ref(),)))
        assessed = header.get(nodes.Assessed)
        clauses.append(Clause("1.3", "Assessment period", self.assessed_text(assessed is None),
                              (self.ref(assessed) if assessed else self.default_ref(),)))
        starts = header.get(nodes.Starts)
        clauses.append(Clause("1.4", "Start and contract years", self.starts_text(starts),
                              (self.ref(starts or contract),)))
        return clauses

    def rounding_text(self, rounding: nodes.Rounding | None) -> str:
        mode = rounding.mode if rounding else "half up"
        digits = minor_unit_digits(self.currency)
        if rounding is not None and rounding.minor_unit is not None:
            digits = 2 if rounding.minor_unit == "cents" else 0
        if digits == 0:
            step, unit = f"a whole {self.currency}", f"whole {self.currency}"
        elif digits == 2:
            step, unit = "a cent", f"the cent (0.01 {self.currency})"
        else:
            step, unit = f"0.{'0' * (digits - 1)}1 {self.currency}", f"0.{'0' * (digits - 1)}1 {self.currency}"
        how = {
            "half up": f"to the nearest {unit.removeprefix('the ')}, an amount exactly halfway rounded up",
            "half even": f"to the nearest {unit.removeprefix('the ')}, an amount exactly halfway rounded to the "
                         "even one (banker's rounding)",
            "half down": f"to the nearest {unit.removeprefix('the ')}, an amount exactly halfway rounded down",
            "up": f"up to {unit}: any part of {step} counts as a whole one",
            "down": f"down to {unit}: any part of {step} is dropped",
        }[mode]
        text = ("Each credit, bonus, cap, earn-back and forfeit is worked out exactly and rounded once, where it "
                f"is worked out, {how}. Totals are the plain sums of those rounded amounts and are not rounded "
                "again.")
        if rounding is None:
            text = "The ruleset states no rounding, so the default applies. " + text
        return text

    def assessed_text(self, default: bool) -> str:
        what = {"monthly": "each calendar month", "quarterly": "each calendar quarter (January to March, April "
                "to June, July to September, October to December)", "yearly": "each calendar year"}[self.periodicity]
        text = (f"Performance is assessed {self.periodicity}: every service level is measured, and every credit "
                f"and bonus is worked out, for {what}.")
        if self.periodicity != "monthly":
            text += (f" Where a term counts months (a window of 12 months), it is read as the {self.nouns} "
                     "those months make up.")
        if default:
            text = "The ruleset states no assessment period, so the default applies. " + text
        return text

    def starts_text(self, starts: nodes.Starts | None) -> str:
        if starts is None:
            return "The ruleset states no start."
        year, month = map(int, starts.month.split("-"))
        end_year, end_month = (year, month - 1) if month > 1 else (year - 1, 12)
        end = _month(f"{end_year + 1:04d}-{end_month:02d}")
        return (f"The contract starts in {_month(starts.month)}. Contract year 1 runs from {_month(starts.month)} "
                f"to {end}, and each later contract year is the twelve months after the one before. Terms "
                "stated per contract year run by these years, not by calendar years.")

    # ---------------------------------------------------------------- 2. inputs
    def input_clauses(self) -> list[Clause]:
        clauses = []
        for i, inp in enumerate(self.ruleset.inputs, 1):
            clauses.append(Clause(f"2.{i}", _code(inp.name.text), self.input_text(inp), (self.ref(inp),)))
        return clauses

    def input_text(self, inp: nodes.Input) -> str:
        kind = f"an amount of money in {self.currency}" if inp.unit == "money" else _INPUT_UNIT[inp.unit]
        text = (f"\u201c{_plain(inp.description)}\u201d: {kind}." if inp.description
                else f"{kind[0].upper()}{kind[1:]}.")
        if isinstance(inp.missing, nodes.DefaultValue):
            value = inp.missing.value
            shown = self.money(value) if inp.unit == "money" else _qty(value, inp.unit)
            text += f" If it is not reported for a {self.noun}, {shown} is used."
        elif isinstance(inp.missing, nodes.MissingIsMiss):
            readers = [sl for sl in self.ruleset.service_levels if inp.name.text in self.reads(sl)]
            if readers:
                names = _and([self.sl_ref(sl.name.text) for sl in readers])
                who = "each service level that reads it" if len(readers) > 1 else "the service level that reads it"
                text += (f" If it is not reported for a {self.noun}, that is not an error: {who}, {names}, counts "
                         f"as missed that {self.noun}, and its credit is the most its clause allows.")
            else:
                text += (f" If it is not reported for a {self.noun}, that counts as a miss of every service level "
                         "that reads it; none does.")
        else:
            text = text[:-1] + "; required."
        if inp.name.text not in self.used_inputs():
            text += " No term below uses it."
        return text

    def used_inputs(self) -> set[str]:
        """The inputs some term reads: a measurement, a volume condition, an amount's or a limit's base."""
        used: set[str] = set()

        def walk(value):
            if isinstance(value, (nodes.InputBase, nodes.Reference)):
                used.add(value.name.text)
            elif isinstance(value, nodes.Volume):
                used.add(value.input.text)
            elif isinstance(value, nodes.WindowShare):
                used.add(value.base.text)
            if isinstance(value, tuple):
                for item in value:
                    walk(item)
            elif attrs.has(type(value)):
                for field in attrs.fields(type(value)):
                    if field.name not in ("span", "source"):
                        walk(getattr(value, field.name))

        walk(self.ruleset.sections)
        return used

    @staticmethod
    def reads(sl: nodes.ServiceLevel) -> set[str]:
        reads = _references(sl.measured.expr) if sl.measured else set()
        if sl.volume is not None:
            reads.add(sl.volume.input.text)
        return reads

    # ---------------------------------------------------------------- 3. service levels
    def service_levels_intro(self) -> str:
        return (f"Each {self.noun} every service level is met, missed or not measured. A service credit is owed "
                "to the client only when a target is missed, and a bonus to the vendor only when it is met. With "
                f"the data, the client may also waive the credit of a missed service level for a {self.noun}, or a "
                f"{self.noun} may be excluded for a service level (force majeure, a client-caused outage); either "
                "way it carries no credit and no bonus, and a waived miss opens no cure window and uses no free "
                "pass.")

    def service_level_clauses(self) -> list[Clause]:
        clauses = []
        for sl in self.ruleset.service_levels:
            name = sl.name.text
            heading = _plain(sl.title) if sl.title else _code(name)
            clauses.append(Clause(self.numbers[("sl", name)], heading, self.service_level_text(sl), (self.ref(sl),)))
            for key in self._sub_keys_of(sl):
                sub_heading, body = self.sub_clause(sl, key)
                clauses.append(Clause(self.numbers[("sl", name, key)], sub_heading, body,
                                      (self.ref(_node_of(sl, key)),)))
        return clauses

    def sub_clause(self, sl: nodes.ServiceLevel, key: str) -> tuple[str, str]:
        writer = {"measured": self.measured_text, "volume": self.volume_text, "target": self.target_text,
                  "allocation": self.allocation_text, "credit": self.credit_text, "bonus": self.bonus_text,
                  "gate": self.gate_text, "cure": self.cure_text, "free passes": self.free_passes_text,
                  "earn back": self.earn_back_text}[key]
        return _SUB_HEADING[key], writer(sl)

    def critical_gates(self) -> list[str]:
        return [self.numbers[("sl", sl.name.text, "gate")] for sl in self.ruleset.service_levels
                if sl.gate is not None and sl.gate.kind == "no critical missed"
                and ("sl", sl.name.text, "gate") in self.numbers]

    def service_level_text(self, sl: nodes.ServiceLevel) -> str:
        name = sl.name.text
        sentences = [f"The service level {_code(name)}{', critical' if sl.critical else ''}."]
        if sl.critical:
            gates = self.critical_gates()
            if gates:
                sentences.append(
                    f"In a {self.noun} in which it is missed, every bonus paid only if no critical service level is "
                    f"missed ({_and([_xref(g) for g in gates])}) is withheld.")
            else:
                sentences.append(
                    "That has no effect here: being critical only matters to a bonus paid only if no critical "
                    "service level is missed, and this ruleset has none.")
        target = sl.target.comparison
        summary = (f"Its target is {target.op} {_qty(target.quantity.value, self.unit_of(sl))} "
                   f"({_xref(self.numbers[('sl', name, 'target')])})")
        awards = []
        if sl.credit is not None:
            awards.append(f"a miss can cost a service credit ({_xref(self.numbers[('sl', name, 'credit')])})")
        if sl.bonus is not None:
            awards.append(f"meeting it can earn a bonus ({_xref(self.numbers[('sl', name, 'bonus')])})")
        if awards:
            sentences.append(f"{summary}; {_and(awards)}.")
        else:
            sentences.append(summary + ".")
        if sl.credit is None and sl.bonus is None:
            uses = []
            many = [t for t in self.ruleset.of_type(nodes.Termination) if isinstance(t.trigger, nodes.ManyMissed)]
            if many:
                uses.append(f"the right to terminate in {_and([_xref(self.trigger_number(t)) for t in many])}")
            all_met = [self.numbers[("sl", other.name.text, "gate")] for other in self.ruleset.service_levels
                       if other.gate is not None and other.gate.kind == "all met"]
            named = [self.numbers[("sl", other.name.text, "gate")] for other in self.ruleset.service_levels
                     if other.gate is not None and other.gate.kind == "named met"
                     and name in {n.text for n in other.gate.names}]
            if all_met or named:
                uses.append(f"the conditions on bonuses in {_and([_xref(g) for g in all_met + named])}")
            own = [t for t in self.ruleset.of_type(nodes.Termination)
                   if getattr(t.trigger, "service_level", None) is not None and t.trigger.service_level.text == name]
            if own:
                uses.append(f"termination under {_and([_xref(self.trigger_number(t)) for t in own])}")
            text = "It carries no service credit and no bonus"
            text += f"; it counts for {_and(uses)}." if uses else ": it is measured and reported only."
            sentences.append(text)
        return " ".join(sentences)

    def trigger_number(self, termination: nodes.Termination) -> str:
        index = self.ruleset.of_type(nodes.Termination).index(termination)
        return self.numbers[("trigger", index)]

    # ---- measurement
    def measured_text(self, sl: nodes.ServiceLevel) -> str:
        measured, unit = sl.measured, self.unit_of(sl)
        expr = measured.expr
        if measured.in_percent:
            text = f"Measured each {self.noun} as {_expr(expr)}, as a percentage."
        elif isinstance(expr, nodes.Reference):
            text = (f"Measured each {self.noun} as the reported value of {_code(expr.name.text)}, "
                    f"{_UNIT_PHRASE.get(unit, 'a number')}.")
        else:
            text = f"Measured each {self.noun} as {_expr(expr)}, {_UNIT_PHRASE.get(unit, 'a number')}."
        volume = sl.volume
        unguarded = []
        for divisor in _divisors(expr):
            guarded = (volume is not None and isinstance(divisor, nodes.Reference)
                       and divisor.name.text == volume.input.text
                       and not comparison_interval(volume.comparison).contains(Decimal(0)))
            if not guarded and _expr(divisor) not in unguarded:
                unguarded.append(_expr(divisor))
        if unguarded:
            text += (f" In a {self.noun} in which {_or(unguarded)} is zero the value cannot be worked out, and the "
                     f"ruleset gives no rule for it: such a {self.noun} cannot be assessed unless it is excluded for "
                     "this service level.")
        missing = sorted(self.reads(sl) & self.miss_inputs)
        if missing:
            refs = _and([f"{_code(m)} ({_xref(self.input_number(m))})" for m in missing])
            text += f" A {self.noun} in which {refs} is not reported counts as a miss."
        return text

    def input_number(self, name: str) -> str:
        names = [i.name.text for i in self.ruleset.inputs]
        return f"2.{names.index(name) + 1}"

    def volume_text(self, sl: nodes.ServiceLevel) -> str:
        volume = sl.volume
        unit = self.units.get(volume.input.text)
        comparison = f"{volume.comparison.op} {_qty(volume.comparison.quantity.value, unit)}"
        text = (f"Measured only in {self.nouns} in which {_code(volume.input.text)} is {comparison}. In any other "
                f"{self.noun}, {_code(sl.name.text)} is not measured: it is neither met nor missed and carries no "
                "credit and no bonus.")
        effects = []
        if self.ruleset.of_type(nodes.Termination):
            effects.append("is not a miss toward termination and does not interrupt a run of misses")
        if sl.cure is not None:
            effects.append("neither cures an open cure window nor extends it")
        if sl.earn_back is not None:
            effects.append(f"neither counts toward nor ends a run of met {self.nouns} for earn-back")
        if effects:
            text += f" Such a {self.noun} {'; it '.join(effects)}."
        return text

    # ---- target
    def target_text(self, sl: nodes.ServiceLevel) -> str:
        comparison, unit = sl.target.comparison, self.unit_of(sl)
        x = comparison.quantity.value
        q = _qty(x, unit)
        below, above = _qty(x - _near(x), unit, True), _qty(x + _near(x), unit, True)
        text = {
            "at least": f"At least {q}; higher is better. The target is met by a value of {q} or more, so exactly "
                        f"{q} meets it, and missed by any value below {q}: {below} misses it.",
            "above": f"Above {q}; higher is better. The target is met only by a value above {q}: exactly {q} "
                     f"misses it, {above} meets it.",
            "at most": f"At most {q}; lower is better. The target is met by a value of {q} or less, so exactly "
                       f"{q} meets it, and missed by any value above {q}: {above} misses it.",
            "below": f"Below {q}; lower is better. The target is met only by a value below {q}: exactly {q} "
                     f"misses it, {below} meets it.",
        }[comparison.op]
        return text + " Values are compared exactly as measured, without rounding."

    # ---- allocation
    def allocation_text(self, sl: nodes.ServiceLevel) -> str:
        amount = sl.allocation.amount
        at_risk = self.numbers.get(("at risk",))
        if isinstance(amount, nodes.PercentOf) and isinstance(amount.base, nodes.AtRiskBase):
            resolved = self.resolve(amount, sl)
            text = (f"The allocation of {_code(sl.name.text)} is {_num(amount.percent)}% of the amount at risk"
                    f"{f' ({_xref(at_risk)})' if at_risk else ''}"
                    f"{f', that is {self.resolved_text(resolved)}' if resolved else ''}.")
        else:
            text = f"The allocation of {_code(sl.name.text)} is {self.amount(amount, sl)}."
        uses = [award for award in (sl.credit, sl.bonus) if award is not None and _uses_allocation(award.form)]
        if uses:
            what = _and(["the bonus" if a.kind == "bonus" else "the service credit" for a in uses])
            text += (f" {what[0].upper()}{what[1:]} below {'is' if len(uses) == 1 else 'are'} stated as "
                     f"{'a share' if len(uses) == 1 else 'shares'} of it.")
        else:
            text += " No credit or bonus of this service level refers to it, so it has no effect."
        return text

    # ---- credits and bonuses
    def credit_text(self, sl: nodes.ServiceLevel) -> str:
        return self.award_text(sl, sl.credit)

    def bonus_text(self, sl: nodes.ServiceLevel) -> str:
        return self.award_text(sl, sl.bonus)

    def award_text(self, sl: nodes.ServiceLevel, award: nodes.Award) -> str:
        form, credit, unit = award.form, award.kind == "credit", self.unit_of(sl)
        if credit:
            when, who = "If the target is missed", "the vendor owes the client"
            what = "a service credit of"
        else:
            when, who = f"In a {self.noun} in which the target is met", "the client owes the vendor"
            what = "a bonus of"
        zone = _intersect(_miss_interval(sl.target) if credit else comparison_interval(sl.target.comparison),
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
        elif isinstance(form, nodes.Linear):
            covered = [self.linear_zone(form)]
            sentences += self.linear_sentences(sl, award, form, when, who, zone)
        else:
            covered = [self.shortfall_zone(sl)]
            sentences += self.shortfall_sentences(sl, form, when, who)
        if zone is not None:
            gaps = _uncovered(zone, covered)
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

        def extremity(row):
            interval = band_interval(row.band)
            if upper_edge:
                return (interval.high, interval.high_included)
            return (-interval.low, interval.low_included)

        return sorted(form.rows, key=extremity)

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
            pieces = _uncovered(piece, [band_interval(r.band) for r in ordered[:k]])
            if zone is not None:
                pieces = [p for p in (_intersect(p, zone) for p in pieces) if p is not None]
            for candidate in pieces:
                point = _point_in(candidate, unit)
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

    def step_words(self, form: nodes.Linear, unit: str | None) -> tuple[str, str]:
        """(`percentage point`, `points`): the step as a noun and the unit it is counted in."""
        base = form.step_unit.removesuffix("s")
        noun = "percentage point" if base == "point" else base
        return noun, base + "s"

    def linear_zone(self, form: nodes.Linear) -> Interval:
        """The values for which the linear amount is above zero."""
        t, step = form.threshold.value, form.step if form.step is not None else Decimal(1)
        if form.side == "below":
            return (Interval(None, False, t - step, True) if form.rounding == "down"
                    else Interval(None, False, t, False))
        return Interval(t + step, True, None, False) if form.rounding == "down" else Interval(t, False, None, False)

    def linear_sentences(self, sl, award, form: nodes.Linear, when, who, zone) -> list[str]:
        unit = self.unit_of(sl)
        noun, counted = self.step_words(form, unit)
        threshold = _qty(form.threshold.value, unit)
        if form.step is None:
            each = f"each {noun}"
            rounding = {"up": f"a part of a {noun} counting as a whole one",
                        "down": f"only whole {noun}s counting (a part of a {noun} is dropped)",
                        "pro rata": f"a part of a {noun} counting in proportion"}[form.rounding]
        else:
            step = f"{_num(form.step)} {_plural(form.step, noun)}"
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
            value = form.threshold.value - distance if form.side == "below" else form.threshold.value + distance
            if zone is None or not zone.contains(value):
                continue
            units = _round_units(fraction, form.rounding)
            if not units:
                continue
            noun, _ = self.step_words(form, unit)
            noun = "point" if noun == "percentage point" else noun
            threshold = _qty(form.threshold.value, unit)
            if form.step is None:
                distance_text = f"{_computed(fraction)} {noun}s {form.side} {threshold}"
                counted = "" if form.rounding == "pro rata" else f", counted as {_count(units, noun)}"
            else:
                gap = (_qty(distance, unit, True) if unit in ("seconds", "minutes")
                       else f"{_computed(distance)} {noun}s")
                step = f"{_num(form.step)} {_plural(form.step, noun)}"
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

    # ---- gate
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

    # ---- terms that span periods
    def cure_text(self, sl: nodes.ServiceLevel) -> str:
        cure, name = sl.cure, _code(sl.name.text)
        n = self.periods_in(cure.periods, cure.unit)
        window = self.length(cure.periods, cure.unit)
        within = f"the {self.noun} after the miss" if n == 1 else f"any of the {n} {self.nouns} after the miss"
        closes = (f"the {self.noun} after the miss" if n == 1
                  else f"the {_ordinal(n)} {self.noun} after the miss")
        text = (f"A miss is not charged at once: it opens a cure window of {window}. If {name} is met in {within}, "
                f"the miss is cured and no credit is due for it. If it is not, the credit worked out for the "
                f"{self.noun} of the miss (at that {self.noun}'s value and figures, with its own cap) is charged in "
                f"{closes}, when the window closes, and counts toward the limits of that {self.noun}. A met "
                f"{self.noun} cures every miss whose window is still open, not only the oldest. A {self.noun} in "
                f"which {name} is not measured neither cures a miss nor extends its window; a {self.noun} excluded "
                f"for it cures open misses as a met {self.noun} does.")
        if sl.free_passes is not None:
            text += f" A miss covered by a free pass ({_xref(self.numbers[('sl', sl.name.text, 'free passes')])}) " \
                    "opens no window."
        if self.ruleset.of_type(nodes.Termination):
            text += " A miss counts toward termination even if it is later cured."
        return text

    def free_passes_text(self, sl: nodes.ServiceLevel) -> str:
        count = sl.free_passes.count
        first = "miss" if count == 1 else f"{_num(count)} misses"
        warnings = "is a warning" if count == 1 else "are warnings"
        text = (f"The first {first} of {_code(sl.name.text)} in each contract year {warnings} only: "
                f"no credit is due for {'it' if count == 1 else 'them'}")
        text += ", and no cure window opens." if sl.cure is not None else "."
        elsewhere = []
        if self.ruleset.of_type(nodes.Termination):
            elsewhere.append("toward termination")
        if any(s.gate is not None for s in self.ruleset.service_levels):
            elsewhere.append("for the conditions on bonuses")
        if elsewhere:
            text += f" {'It' if count == 1 else 'They'} still count{'s' if count == 1 else ''} as " \
                    f"{'a miss' if count == 1 else 'misses'} {_and(elsewhere)}."
        text += (" Unused free passes do not carry over into the next contract year. A waived miss, or a "
                 f"{self.noun} excluded for {_code(sl.name.text)}, uses none.")
        return text

    def earn_back_text(self, sl: nodes.ServiceLevel) -> str:
        earn_back, name = sl.earn_back, _code(sl.name.text)
        share = "all of its credits" if earn_back.percent == 100 else f"{_num(earn_back.percent)}% of its credits"
        rest = "" if earn_back.percent == 100 else f"; the other {_computed(HUNDRED - earn_back.percent)}% is final"
        if earn_back.after is not None:
            n = self.periods_in(earn_back.after, earn_back.unit)
            text = (f"Once {name} has been met {_count(n, self.noun)} in a row, {share} not yet earned back "
                    f"are returned to the vendor, as a separate line in the {_ordinal(n)} of those {self.nouns}"
                    f"{rest}. After a return the count starts again. A {self.noun} in which {name} is missed or "
                    f"waived ends the run; a {self.noun} excluded for it counts toward the run, as a met one does; "
                    f"a {self.noun} in which it is not measured neither counts toward the run nor ends it.")
            if sl.cure is not None:
                text += f" A {self.noun} in which it is met and so cures an earlier miss counts as met."
        else:
            target = sl.target.comparison
            text = (f"At the end of each contract year, if the average of the values of {name} in that year meets "
                    f"the target ({target.op} {_qty(target.quantity.value, self.unit_of(sl))}), {share} charged in "
                    f"that contract year are returned to the vendor, as a separate line in the last {self.noun} of "
                    f"the contract year{rest}. The average is the simple average of the {self.periodicity} values, "
                    f"each {self.noun} weighing the same whatever its volume; {self.nouns} in which it is not measured "
                    "or is excluded, and those without a reported value, are left out of it.")
        caps = []
        if self.ruleset.of_type(nodes.AtRisk):
            caps.append(f"the amount at risk ({_xref(self.numbers[('at risk',)])})")
        windows = self.ruleset.of_type(nodes.WindowCap)
        if windows:
            numbers = [self.numbers[("window", i)] for i in range(len(windows))]
            caps.append(f"a limit over several {self.nouns} ({_and([_xref(n) for n in numbers])})")
        if caps:
            text += (f" Only credits actually charged come back, worked out after the limits: when {_or(caps)} cuts a "
                     f"{self.noun}'s credits, each service level's credits that {self.noun} count in the same "
                     "proportion. The return is not itself limited by them.")
        return text

    # ---------------------------------------------------------------- 4. limits and netting
    def limit_clauses(self, items) -> list[Clause]:
        clauses = []
        for key, node in items:
            heading, body = self.limit_clause(key, node)
            clauses.append(Clause(self.numbers[key], heading, body,
                                  (self.ref(node) if node is not None else self.default_ref(),)))
        return clauses

    def limit_clause(self, key: tuple, node) -> tuple[str, str]:
        kind = key[0]
        if kind == "at risk":
            return ("Amount at risk", self.at_risk_text(node)) if node is not None else (
                "No overall cap on credits",
                f"The ruleset sets no limit on the credits of a {self.noun} from all service levels together; "
                "only the caps stated in a service level's own credit apply.")
        if kind == "window":
            heading = ("Limit on credits in each contract year" if node.window.kind == "contract year"
                       else "Limit on credits over several " + self.nouns)
            return heading, self.window_text(node)
        if kind == "critical failure":
            return "Critical service level failure", self.critical_failure_text(node)
        if kind == "bonus limit":
            return ("Limit on bonuses", self.bonus_limit_text(node)) if node is not None else (
                "No overall limit on bonuses",
                f"The ruleset sets no limit on the bonuses of a {self.noun} from all service levels together; only "
                "the amounts stated in each bonus apply.")
        if kind == "netting":
            return "Netting", self.netting_text(node.policy if node is not None else None)
        return ("No credits or bonuses",
                "No service level carries a service credit or a bonus, so there is nothing to limit or net.")

    def at_risk_text(self, node: nodes.AtRisk) -> str:
        text = (f"The credits of a {self.noun}, from all service levels together, never exceed "
                f"{self.amount(node.amount, None)} for that {self.noun}: the amount at risk. If they would, a "
                "separate line removes the excess, so each service level's credit is still shown in full. The cap "
                "applies after each service level's own cap")
        if any(sl.cure is not None for sl in self.ruleset.service_levels):
            text += f", and includes credits charged that {self.noun} for a cure window closing unmet"
        text += "; it does not limit bonuses."
        earn_backs = [self.numbers[("sl", sl.name.text, "earn back")] for sl in self.ruleset.service_levels
                      if sl.earn_back is not None]
        if earn_backs:
            text += f" Earn-back ({_and([_xref(n) for n in earn_backs])}) is worked out on the credits as capped."
        shares = [(sl, sl.allocation.amount) for sl in self.ruleset.service_levels if sl.allocation is not None]
        if shares:
            numbers = _and([_xref(self.numbers[("sl", sl.name.text)]) for sl, _ in shares])
            text += f" It is also the pool from which the allocations of {numbers} are taken"
            if all(isinstance(a, nodes.PercentOf) and isinstance(a.base, nodes.AtRiskBase) for _, a in shares):
                total = sum((a.percent for _, a in shares), Decimal(0))
                text += f"; they total {_computed(total)}% of it"
                if total > 100:
                    text += (f", and this cap keeps the credits of a {self.noun} within the amount at risk however "
                             "many of them are missed")
            text += "."
        return text

    def window_text(self, node: nodes.WindowCap) -> str:
        window, limit = node.window, node.limit
        if isinstance(limit, nodes.FixedMoney):
            amount = self.money(limit.value)
        if window.kind == "rolling":
            n = self.periods_in(window.length, window.unit)
            span = f"any {self.length(window.length, window.unit).replace(' ', ' consecutive ', 1)}"
            if not isinstance(limit, nodes.FixedMoney):
                amount = f"{_num(limit.percent)}% of the {_code(limit.base.text)} of those {self.nouns}"
            text = (f"Over {span}, credits together never exceed {amount}. In each {self.noun} the window is the "
                    f"{_count(n, self.noun)} ending with it; if that {self.noun}'s credits would take the window over "
                    f"its limit, a separate line cuts that {self.noun}'s credits, never an earlier {self.noun}'s.")
            if not isinstance(limit, nodes.FixedMoney) and n > 1:
                text += (f" Until {_count(n, self.noun)} have passed, the window is the {self.nouns} so far, and "
                         "the limit is worked out on their figures only.")
        else:
            if not isinstance(limit, nodes.FixedMoney):
                amount = f"{_num(limit.percent)}% of the {_code(limit.base.text)} of that contract year"
            text = (f"In each contract year (1.4), credits together never exceed {amount}, counted on the year so "
                    f"far: if a {self.noun}'s credits would take the year's credits over the limit, a separate line "
                    f"cuts that {self.noun}'s credits, never an earlier {self.noun}'s.")
            if not isinstance(limit, nodes.FixedMoney):
                text += (f" In each {self.noun} the limit is worked out on the {_code(limit.base.text)} of the "
                         f"year's {self.nouns} up to and including that one, so it is small early in the year and "
                         "grows as the year goes on.")
        at_risk = self.numbers.get(("at risk",))
        if self.ruleset.of_type(nodes.AtRisk) and at_risk:
            text += f" It applies to the credits left after the amount at risk ({_xref(at_risk)})."
        return text

    def bonus_limit_text(self, node: nodes.BonusLimit) -> str:
        text = (f"The bonuses of a {self.noun}, from all service levels together, never exceed "
                f"{self.amount(node.amount, None)} for that {self.noun}. If they would, a separate line removes "
                "the excess, so each bonus is still shown in full.")
        netting = self.numbers.get(("netting",))
        if netting:
            text += f" The limit applies before netting ({_xref(netting)})."
        return text

    def netting_text(self, policy: str | None) -> str:
        earn_back = any(sl.earn_back is not None for sl in self.ruleset.service_levels)
        if policy is None or policy == "paid separately":
            text = ("Bonuses are paid separately: the credits and the bonuses of a "
                    f"{self.noun} are each settled in full; a bonus does not reduce a credit, nor a credit a bonus.")
            if earn_back:
                text += " Credits earned back are set against that " + self.noun + \
                        "'s credits, and any excess is paid to the vendor."
            if policy is None:
                text = "The ruleset does not say how bonuses meet credits, so the default applies. " + text
            return text
        if policy == "offset":
            return (f"Bonuses offset credits: only the net of a {self.noun} is settled, its credits less any credits "
                    "earned back and less its bonuses. If the net is positive the vendor owes it to the client; if "
                    "negative the client owes it to the vendor.")
        return (f"Bonuses only offset credits: they reduce the credits of the same {self.noun} but are never paid "
                f"out. Bonuses above that {self.noun}'s credits, both taken after their limits, are forfeited, as "
                "a separate line.")

    # ---------------------------------------------------------------- 5. termination
    def termination_intro(self) -> str | None:
        if not self.ruleset.of_type(nodes.Termination) and ("critical failure right",) not in self.numbers:
            return None
        return (f"The client's right to terminate arises in the first {self.noun} in which one of these conditions "
                f"holds. Each right is reported once, for that {self.noun}; the client need not exercise it, and "
                "assessment goes on.")

    def termination_clauses(self, items) -> list[Clause]:
        clauses = []
        for key, node in items:
            if key[0] == "trigger":
                heading, body = self.trigger_text(node)
                clauses.append(Clause(self.numbers[key], heading, body, (self.ref(node),)))
            elif key[0] == "critical failure right":
                clauses.append(Clause(self.numbers[key], "Critical service level failure",
                                      self.critical_failure_right_text(), (self.ref(node),)))
            elif key[0] == "no trigger":
                clauses.append(Clause(self.numbers[key], "No right to terminate",
                                      "The ruleset gives the client no right to terminate for service level "
                                      "failures.", (self.default_ref(),)))
            else:
                heading, body = self.policy_text(key[1], node)
                clauses.append(Clause(self.numbers[key], heading, body,
                                      (self.ref(node) if node is not None else self.default_ref(),)))
        return clauses

    def what_counts(self, sl: nodes.ServiceLevel, run: bool) -> str:
        """Which periods count as a miss toward termination (evaluate.counts_as_miss)."""
        name = _code(sl.name.text)
        text = f"Every {self.noun} in which {name} is missed counts"
        ways = []
        if sl.cure is not None:
            ways.append("held in a cure window (even if later cured)")
        if sl.free_passes is not None:
            ways.append("forgiven by a free pass")
        if sl.credit is None:
            text += ", although it carries no credit"
        elif ways:
            text += f", whether its credit is charged, {_or(ways)}"
        missing = sorted(self.reads(sl) & self.miss_inputs)
        if missing:
            text += f", and so does a {self.noun} without a reported {_or([_code(m) for m in missing])}"
        text += "."
        if sl.volume is not None:
            text += (f" A {self.noun} in which it is not measured "
                     f"{'neither counts nor interrupts the run' if run else 'does not count'}.")
        policies = self.numbers.get(("policy", "waived")), self.numbers.get(("policy", "excluded"))
        text += f" For waived and excluded {self.nouns}, see {_xref(policies[0])} and {_xref(policies[1])}."
        return text

    def trigger_text(self, termination: nodes.Termination) -> tuple[str, str]:
        t = termination.trigger
        if isinstance(t, nodes.MissedInARow):
            sl = self.by_name.get(t.service_level.text)
            n = self.periods_in(t.count, t.unit)
            length = self.length(t.count, t.unit).replace(" ", " consecutive ", 1)
            text = (f"When {self.sl_ref(t.service_level.text)} is missed in {length}, the right arises in the "
                    f"{self.noun} of the {_ordinal(n)} consecutive miss. {self.what_counts(sl, True)}")
            return "Repeated misses in a row", text
        if isinstance(t, nodes.MissedInWindow):
            sl = self.by_name.get(t.service_level.text)
            times = int(t.times)
            length = self.length(t.length, t.unit).replace(" ", " consecutive ", 1)
            text = (f"When {self.sl_ref(t.service_level.text)} is missed {times} times within any {length}, the "
                    f"right arises in the {self.noun} of the {_ordinal(times)} such miss; the misses need not be "
                    f"consecutive. {self.what_counts(sl, False)}")
            return "Repeated misses within a window", text
        if isinstance(t, nodes.BelowFloor):
            sl = self.by_name.get(t.service_level.text)
            unit = self.unit_of(sl) if sl is not None else None
            c = t.comparison
            q = _qty(c.quantity.value, unit)
            condition = {"below": f"below {q} (exactly {q} is not)", "above": f"above {q} (exactly {q} is not)",
                         "at most": f"{q} or less", "at least": f"{q} or more"}[c.op]
            text = (f"When the value of {self.sl_ref(t.service_level.text)} in any {self.noun} is {condition}, the "
                    f"right arises in that {self.noun}, whatever the credits. {self.floor_counts(sl)}")
            return "Performance below a floor", text
        if isinstance(t, nodes.CreditsExceed):
            n = self.periods_in(t.length, t.unit)
            length = self.length(t.length, t.unit).replace(" ", " consecutive ", 1)
            if isinstance(t.limit, nodes.FixedMoney):
                limit = self.money(t.limit.value)
            else:
                limit = f"{_num(t.limit.percent)}% of the {_code(t.limit.base.text)} of those {self.nouns}"
            text = (f"When the credits of any {length} together exceed {limit}, the right arises in the first "
                    f"{self.noun} in which they do. Credits are counted as charged, after the limits on credits "
                    "in part 4; credits earned back do not reduce them.")
            if n > 1:
                text += f" Until {_count(n, self.noun)} have passed, the window is the {self.nouns} so far."
            return "Credits above a limit", text
        count = int(t.count)
        no_credit = [s.name.text for s in self.ruleset.service_levels if s.credit is None]
        text = (f"When {count} or more service levels are missed in the same {self.noun}, the right arises in that "
                f"{self.noun}. Every service level counts")
        if no_credit:
            which = "one that carries" if len(no_credit) == 1 else "those that carry"
            text += f", including {which} no credit: {_and([self.sl_ref(n) for n in no_credit])}"
        text += (f". A miss counts whether it is charged, held in a cure window or forgiven by a free pass; a service "
                 f"level not measured that {self.noun} does not count.")
        policies = self.numbers.get(("policy", "waived")), self.numbers.get(("policy", "excluded"))
        text += f" For waived and excluded {self.nouns}, see {_xref(policies[0])} and {_xref(policies[1])}."
        return "Several service levels missed at once", text

    def floor_counts(self, sl: nodes.ServiceLevel | None) -> str:
        """Which values a floor is held against (evaluate.counts_for_floor)."""
        policies = {p.policy for p in self.ruleset.of_type(nodes.StreakPolicy)}
        if "waived misses do not count" in policies:
            text = f"An excluded or waived {self.noun}, or one without a reported value, does not give rise to it."
        else:
            text = (f"A waiver does not prevent it; an excluded {self.noun}, or one without a reported value, does "
                    "not give rise to it.")
        if sl is not None and sl.volume is not None:
            text += (f" Nor does a {self.noun} in which {_code(sl.name.text)} is not measured "
                     f"({_xref(self.numbers[('sl', sl.name.text, 'volume')])}), whatever its value.")
        return text

    def critical_failure_text(self, node: nodes.CriticalFailure) -> str:
        conditions = []
        for c in node.conditions:
            if isinstance(c, nodes.FailureFloor):
                sl = self.by_name.get(c.service_level.text)
                q = _qty(c.comparison.quantity.value, self.unit_of(sl) if sl is not None else None)
                condition = {"below": f"below {q} (exactly {q} is not)", "above": f"above {q} (exactly {q} is not)",
                             "at most": f"{q} or less", "at least": f"{q} or more"}[c.comparison.op]
                conditions.append(f"the value of {self.sl_ref(c.service_level.text)} is {condition}")
            else:
                conditions.append(f"{int(c.count)} or more service levels are missed in it (counted as for "
                                  "termination: whether charged, held in a cure window or forgiven by a free pass)")
        text = f"A {self.noun} is a critical service level failure when {_or(conditions)}."
        floors = [self.by_name[c.service_level.text] for c in node.conditions
                  if isinstance(c, nodes.FailureFloor) and c.service_level.text in self.by_name]
        for sl in floors:
            counts = self.floor_counts(sl)
            text += f" Against the floor of {_code(sl.name.text)}: {counts[0].lower()}{counts[1:]}"
        if node.credits_not_accrued is not None:
            caps = [f"the amount at risk ({_xref(self.numbers[('at risk',)])})"] if self.ruleset.of_type(
                nodes.AtRisk) else []
            caps += [f"the limits over several {self.nouns}"] if self.ruleset.of_type(nodes.WindowCap) else []
            text += (f" In such a {self.noun}, the service credits that would otherwise accrue in it do not accrue: "
                     "each service level's credit is still shown as assessed (after its own cap")
            if any(sl.cure is not None for sl in self.ruleset.service_levels):
                text += f", and with the credits of cure windows closing unmet that {self.noun}"
            text += "), and one separate line takes them all back to zero"
            text += f", before {_and(caps)} {'apply' if len(caps) > 1 else 'applies'}." if caps else "."
            if any(sl.earn_back is not None for sl in self.ruleset.service_levels):
                text += " Credits that never accrued are never earned back."
        else:
            text += f" The credits of such a {self.noun} accrue as in any other."
        withhold = node.withhold
        share = "all" if withhold.percent == 100 else f"{_num(withhold.percent)}%"
        text += (f" The client withholds {share} of the {_code(withhold.base.text)} of that {self.noun}, as a "
                 f"separate line, never more than the {_code(withhold.base.text)} itself. The sum withheld is not a "
                 "service credit and is never earned back, but it counts with the credits in what is invoiced "
                 f"({_xref(self.numbers[('netting',)])})." if ("netting",) in self.numbers else
                 f" The client withholds {share} of the {_code(withhold.base.text)} of that {self.noun}, as a "
                 f"separate line, never more than the {_code(withhold.base.text)} itself. The sum withheld is not a "
                 "service credit and is never earned back.")
        if node.may_terminate is not None:
            text += f" It gives the client a right to terminate ({_xref(self.numbers[('critical failure right',)])})."
        return text

    def critical_failure_right_text(self) -> str:
        return (f"In the first {self.noun} that is a critical service level failure "
                f"({_xref(self.numbers[('critical failure',)])}), the right to terminate arises in that {self.noun}; "
                "later critical failures do not give it again.")

    def policy_text(self, which: str, node) -> tuple[str, str]:
        in_a_row = any(isinstance(t.trigger, nodes.MissedInARow) for t in self.ruleset.of_type(nodes.Termination))
        if which == "waived":
            if node is None:
                return "Waived misses", ("A miss whose credit the client has waived still counts toward termination: "
                                         "the waiver forgives the credit, not the failure.")
            return "Waived misses", ("A miss whose credit the client has waived does not count toward termination: "
                                     "it neither counts as a miss nor interrupts a run of misses, and its value is "
                                     "not held against a floor.")
        if node is None:
            text = (f"A {self.noun} excluded for a service level (a relief event) neither counts as a miss nor "
                    f"interrupts a run of misses: the {self.nouns} either side of it count as consecutive.")
        else:
            text = (f"A {self.noun} excluded for a service level (a relief event) interrupts a run of misses, as a "
                    f"met {self.noun} does; it does not count as a miss.")
            if not in_a_row:
                text += " No right here turns on a run of misses, so this has no effect."
        return f"Excluded {self.nouns}", text

    # ---------------------------------------------------------------- 6. amendments
    def amendment_intro(self, amendment: nodes.Amendment) -> str:
        start = _month(amendment.effective)
        if self.periodicity != "monthly":
            label = Calendar(self.periodicity, amendment.effective).label_of_month(amendment.effective)
            start += f" (the {self.noun} {label})"
        text = (f"From {start}, the terms below replace those stated above; every other term stays as agreed. "
                "Open cure windows, runs of misses toward termination, credits not yet earned back, free passes "
                "used and the credits counted toward limits over several periods carry across the change.")
        if any(sl.cure is not None for sl in self.ruleset.service_levels):
            text += (" A credit held in a cure window keeps the amount worked out under the terms in force in the "
                     f"{self.noun} of the miss.")
        return text


def _round_units(units: Decimal, rounding: str) -> Decimal:
    """Units of a linear amount as compile.LinearForm counts them."""
    if rounding == "up":
        return units.to_integral_value(ROUND_CEILING)
    if rounding == "down":
        return units.to_integral_value(ROUND_FLOOR)
    return units


def _uses_allocation(form) -> bool:
    amounts = []
    if isinstance(form, nodes.Flat):
        amounts = [form.amount]
    elif isinstance(form, nodes.Table):
        amounts = [r.amount for r in form.rows]
    elif isinstance(form, nodes.Linear):
        amounts = [form.amount, form.cap]
    elif isinstance(form, nodes.Shortfall):
        return isinstance(form.base, nodes.AllocationBase) or (
            form.cap is not None and isinstance(form.cap, nodes.PercentOf)
            and isinstance(form.cap.base, nodes.AllocationBase))
    return any(isinstance(a, nodes.PercentOf) and isinstance(a.base, nodes.AllocationBase) for a in amounts)


# ---------------------------------------------------------------- rendering

def _strip(text: str) -> str:
    return _MARKS.sub("", text)


def _to_text(doc: Document) -> str:
    out = [doc.title, "=" * len(doc.title), ""]
    out += textwrap.wrap(_strip(doc.preface), _WIDTH, break_long_words=False, break_on_hyphens=False)
    for part in doc.parts:
        title = f"{part.number}. {part.title}"
        out += ["", "", title, "-" * len(title)]
        if part.intro:
            out.append("")
            out += textwrap.wrap(_strip(part.intro), _WIDTH, break_long_words=False, break_on_hyphens=False)
        for clause in part.clauses:
            head = f"{clause.number} "
            text = f"{_strip(clause.heading)}. {_strip(clause.body)} [{', '.join(clause.refs)}]"
            out.append("")
            out += textwrap.wrap(text, _WIDTH, initial_indent=head, subsequent_indent=" " * len(head),
                                 break_long_words=False, break_on_hyphens=False)
    return "\n".join(out) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    out = []
    for piece in re.split(f"({_CODE}[^{_END_CODE}]*{_END_CODE})", text):
        if piece.startswith(_CODE):
            out.append(f"`{piece[1:-1]}`")
        else:
            out.append(_MD_SPECIAL.sub(r"\\\1", piece.replace(_XREF, "").replace(_END_XREF, "")))
    return "".join(out)


def _to_markdown(doc: Document) -> str:
    out = [f"# {_md(doc.title)}", "", _md(doc.preface)]
    for part in doc.parts:
        out += ["", f"## {part.number}. {_md(part.title)}"]
        if part.intro:
            out += ["", _md(part.intro)]
        for clause in part.clauses:
            refs = ", ".join(f"`{r}`" for r in clause.refs)
            out += ["", f"**{clause.number} {_md(clause.heading)}.** {_md(clause.body)} ({refs})"]
    return "\n".join(out) + "\n"


def _anchor(number: str) -> str:
    return "c" + number.replace(".", "-")


def _html_inline(text: str, known: set[str]) -> str:
    out = []
    for piece in re.split(f"({_CODE}[^{_END_CODE}]*{_END_CODE}|{_XREF}[^{_END_XREF}]*{_END_XREF})", text):
        if piece.startswith(_CODE):
            out.append(f"<code>{html.escape(piece[1:-1])}</code>")
        elif piece.startswith(_XREF):
            number = piece[1:-1]
            out.append(f'<a href="#{_anchor(number)}">{html.escape(number)}</a>' if number in known
                       else html.escape(number))
        else:
            out.append(html.escape(piece))
    return "".join(out)


_STYLE = """\
body { font-family: Georgia, "Times New Roman", serif; color: #1a1a1a; max-width: 48em; margin: 2em auto;
       padding: 0 1em; line-height: 1.5; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
p.clause { margin: 0.7em 0 0.7em 4.5em; text-indent: -4.5em; }
p.clause .number { display: inline-block; min-width: 4.5em; text-indent: 0; font-weight: bold; }
p.clause .heading { font-weight: bold; }
.ref { color: #555; font-size: 0.9em; white-space: nowrap; }
code { font-family: Consolas, Menlo, monospace; font-size: 0.92em; }
a { color: inherit; }
"""


def _to_html(doc: Document) -> str:
    known = {clause.number for part in doc.parts for clause in part.clauses}
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(_strip(doc.title))}</title>", f"<style>\n{_STYLE}</style>", "</head>", "<body>",
           f"<h1>{_html_inline(doc.title, known)}</h1>", f'<p class="preface">{_html_inline(doc.preface, known)}</p>']
    for part in doc.parts:
        out += ["<section>", f'<h2 id="part-{part.number}">{part.number}. {_html_inline(part.title, known)}</h2>']
        if part.intro:
            out.append(f"<p>{_html_inline(part.intro, known)}</p>")
        for clause in part.clauses:
            refs = ", ".join(html.escape(r) for r in clause.refs)
            out.append(f'<p class="clause" id="{_anchor(clause.number)}"><span class="number">{clause.number}</span> '
                       f'<span class="heading">{_html_inline(clause.heading, known)}.</span> '
                       f'{_html_inline(clause.body, known)} <span class="ref">[{refs}]</span></p>')
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


_RENDERERS = {"text": _to_text, "markdown": _to_markdown, "html": _to_html}
