"""Parse pass: ruleset text -> nodes.Ruleset.

Input: a Source. Output: a nodes.Ruleset whose every node carries its span.
Errors: the first syntax error, raised as SlaError with one SLA0xx diagnostic
that says in words what was expected. No Lark tree or Lark exception leaves
this module. The transformer only builds nodes; it validates nothing (an
exception inside a transformer arrives wrapped in VisitError), so every
judgement about meaning is the check's (check/).
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import lark
from lark import v_args

from ..core.diagnostics import Diagnostic, SlaError, nearest
from ..core.source import Source, Span
from . import nodes


def _grammar_text() -> str:
    packaged = files("slarules") / "grammar" / "slarules.lark"  # installed wheel
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "grammar" / "slarules.lark"
    return checkout.read_text(encoding="utf-8")  # checkout or editable install


@functools.cache
def parser(strict: bool = False) -> lark.Lark:
    """The LALR parser, built once per process.

    strict=True makes Lark fail on any shift/reduce conflict or terminal
    collision instead of resolving it silently. The test suite builds the
    grammar that way (tests/unit/test_parse.py); at run time the check would
    only triple the start-up time of every command for the same tables.
    """
    return lark.Lark(
        _grammar_text(),
        parser="lalr",
        strict=strict,
        propagate_positions=True,
        maybe_placeholders=True,
    )


def parse(source: Source) -> nodes.Ruleset:
    """Parse a ruleset; raise SlaError on the first syntax error (TypeError if `source` is no Source)."""
    if not isinstance(source, Source):
        raise TypeError(f"parse(): source must be a slarules.Source(path, text), not {type(source).__name__}")
    try:
        tree = parser().parse(source.text)
    except lark.UnexpectedInput as err:
        raise SlaError([_syntax_diagnostic(source, err)]) from None
    _check_nesting(source, tree)
    return _ToAst(source).transform(tree)


# How deep arithmetic may nest: `a + b + ... ` with this many operators, or as many nested
# operations. Every pass walks an expression recursively, and Python's stack is finite; no
# contract's measurement comes near it.
MAX_NESTING = 200
_ARITHMETIC = frozenset({"add", "subtract", "multiply", "divide"})


def _check_nesting(source: Source, tree: lark.Tree) -> None:
    """SLA008 if an expression nests deeper than MAX_NESTING operations (found without recursion)."""
    depth: dict[int, int] = {}
    for subtree in tree.iter_subtrees():  # children before their parents
        if subtree.data in _ARITHMETIC:
            below = max((depth.get(id(child), 0) for child in subtree.children), default=0)
            depth[id(subtree)] = below + 1
            if below + 1 > MAX_NESTING:
                meta = subtree.meta
                raise SlaError([Diagnostic(
                    "SLA008", f"this expression nests more than {MAX_NESTING} operations deep",
                    Span(source, meta.line, meta.column, meta.end_line, meta.end_column),
                    (f"an expression has at most {MAX_NESTING} operators in a row (or nested); "
                     "a measurement that long is better split into inputs",))])


def parse_text(text: str, path: str = "<string>") -> nodes.Ruleset:
    return parse(Source(path, text))


def _number(token) -> Decimal:
    return Decimal(str(token).replace(",", ""))


def _noun(token) -> str:
    """A period word as a singular noun: `months` -> `month`."""
    return str(token).removesuffix("s")


@v_args(meta=True)
class _ToAst(lark.Transformer):
    """Lark tree -> nodes. Each method quotes the grammar rule it builds."""

    def __init__(self, source: Source):
        super().__init__()
        self.source = source

    def _span(self, meta_or_token) -> Span | None:
        if isinstance(meta_or_token, lark.Token):
            t = meta_or_token
            return Span(self.source, t.line, t.column, t.end_line, t.end_column)
        if getattr(meta_or_token, "empty", True):
            return None
        m = meta_or_token
        return Span(self.source, m.line, m.column, m.end_line, m.end_column)

    def _name(self, token) -> nodes.Name:
        return nodes.Name(str(token), self._span(token))

    def __default__(self, data, children, meta):
        raise NotImplementedError(f"_ToAst has no method for grammar rule {data!r}")

    # ---- header
    def start(self, meta, children):
        """start: contract _section* amendment*"""
        sections = tuple(c for c in children[1:] if not isinstance(c, nodes.Amendment))
        amendments = tuple(c for c in children[1:] if isinstance(c, nodes.Amendment))
        return nodes.Ruleset(children[0], sections, self.source, amendments)

    def amendment(self, meta, children):
        """amendment: "amendment" "effective" MONTH _amended+"""
        effective, *items = children
        return nodes.Amendment(str(effective), tuple(items), self._span(meta))

    def amended_service_level(self, meta, children):
        """amended_service_level: "service" "level" NAME _clause+"""
        name, *clauses = children
        return nodes.AmendedServiceLevel(self._name(name), tuple(clauses), self._span(meta))

    def contract(self, meta, children):
        """contract: "contract" STRING _header_term+"""
        title, *terms = children
        return nodes.Contract(str(title)[1:-1], tuple(terms), self._span(meta))

    def currency(self, meta, children):
        """currency: "currency" CURRENCY"""
        return nodes.Currency(str(children[0]), self._span(children[0]))

    def assessed(self, meta, children):
        """assessed: "assessed" PERIODICITY"""
        return nodes.Assessed(str(children[0]), self._span(children[0]))

    def rounding(self, meta, children):
        """rounding: "rounding" ROUNDING_MODE [minor_unit]"""
        mode, minor = children
        return nodes.Rounding(" ".join(str(mode).split()), minor, self._span(meta))

    def to_cents(self, meta, children):
        """minor_unit: "to" "cents" -> to_cents"""
        return "cents"

    def to_whole_units(self, meta, children):
        """minor_unit: "to" "whole" "units" -> to_whole_units"""
        return "whole units"

    def starts(self, meta, children):
        """starts: "starts" MONTH"""
        return nodes.Starts(str(children[0]), self._span(children[0]))

    # ---- inputs
    def inputs(self, meta, children):
        """inputs: "inputs" input+"""
        return nodes.Inputs(tuple(children), self._span(meta))

    def input(self, meta, children):
        """input: NAME UNIT [STRING] [missing_policy]"""
        name, unit, description, missing = children
        return nodes.Input(
            self._name(name),
            str(unit),
            str(description)[1:-1] if description is not None else None,
            missing,
            self._span(meta),
        )

    def default_value(self, meta, children):
        """missing_policy: "," "default" NUMBER -> default_value"""
        return nodes.DefaultValue(_number(children[0]))

    def missing_is_miss(self, meta, children):
        """missing_policy: "," "missing" "counts" "as" "a" "miss" -> missing_is_miss"""
        return nodes.MissingIsMiss()

    # ---- period-wide terms
    def at_risk(self, meta, children):
        """at_risk: AT_RISK ":" amount "each" PERIOD_WORD"""
        _, amount, per = children
        return nodes.AtRisk(amount, _noun(per), self._span(meta))

    def credits_at_most(self, meta, children):
        """at_risk: "credits" "at" "most" amount "each" PERIOD_WORD -> credits_at_most"""
        amount, per = children
        return nodes.AtRisk(amount, _noun(per), self._span(meta), as_credits_at_most=True)

    def bonus_limit(self, meta, children):
        """bonus_limit: "bonuses" "at" "most" amount "each" PERIOD_WORD"""
        amount, per = children
        return nodes.BonusLimit(amount, _noun(per), self._span(meta))

    def paid_separately(self, meta, children):
        """netting: "bonuses" "are" "paid" "separately" -> paid_separately"""
        return nodes.Netting("paid separately", self._span(meta))

    def offset(self, meta, children):
        """netting: "bonuses" "offset" "credits" -> offset"""
        return nodes.Netting("offset", self._span(meta))

    def only_offset(self, meta, children):
        """netting: "bonuses" "only" "offset" "credits" -> only_offset"""
        return nodes.Netting("only offset", self._span(meta))

    # ---- terms over several periods
    def window_cap(self, meta, children):
        """window_cap: "credits" "in" window "at" "most" window_limit"""
        window, limit = children
        return nodes.WindowCap(window, limit, self._span(meta))

    def rolling_window(self, meta, children):
        """window: "any" NUMBER PERIOD_WORD -> rolling_window"""
        length, unit = children
        return nodes.Window("rolling", _number(length), _noun(unit), self._span(meta))

    def contract_year_window(self, meta, children):
        """window: "each" "contract" "year" -> contract_year_window"""
        return nodes.Window("contract year", None, None, self._span(meta))

    def window_share(self, meta, children):
        """window_limit: NUMBER "%" "of" NAME "in" ("those" PERIOD_WORD | "that" "year") -> window_share"""
        percent, base = children[0], children[1]
        return nodes.WindowShare(_number(percent), self._name(base), self._span(meta))

    def window_money(self, meta, children):
        """window_limit: CURRENCY NUMBER -> window_money"""
        return self.fixed_money(meta, children)

    def termination(self, meta, children):
        """termination: "terminate" "when" trigger"""
        return nodes.Termination(children[0], self._span(meta))

    def missed_in_a_row(self, meta, children):
        """trigger: NAME "is" "missed" NUMBER PERIOD_WORD "in" "a" "row" -> missed_in_a_row"""
        name, count, unit = children
        return nodes.MissedInARow(self._name(name), _number(count), _noun(unit))

    def missed_in_window(self, meta, children):
        """trigger: NAME "is" "missed" NUMBER "times" "in" "any" NUMBER PERIOD_WORD -> missed_in_window"""
        name, times, length, unit = children
        return nodes.MissedInWindow(self._name(name), _number(times), _number(length), _noun(unit))

    def below_floor(self, meta, children):
        """trigger: NAME "is" comparison "in" "any" PERIOD_WORD -> below_floor"""
        name, comparison, unit = children
        return nodes.BelowFloor(self._name(name), comparison, _noun(unit))

    def credits_exceed(self, meta, children):
        """trigger: "credits" "in" "any" NUMBER PERIOD_WORD "exceed" window_limit -> credits_exceed"""
        length, unit, limit = children
        return nodes.CreditsExceed(_number(length), _noun(unit), limit)

    def many_missed(self, meta, children):
        """trigger: NUMBER "or" "more" "service" "levels" "are" "missed" "in" "one" PERIOD_WORD -> many_missed"""
        count, unit = children
        return nodes.ManyMissed(_number(count), _noun(unit))

    def waived_misses_do_not_count(self, meta, children):
        """streak_policy: "waived" "misses" "do" "not" "count" "toward" "termination" -> ..."""
        return nodes.StreakPolicy("waived misses do not count", self._span(meta))

    def excluded_periods_break_streaks(self, meta, children):
        """streak_policy: "excluded" PERIOD_WORD "break" "streaks" -> excluded_periods_break_streaks"""
        return nodes.StreakPolicy("excluded periods break streaks", self._span(meta))

    # ---- critical service level failure
    def critical_failure(self, meta, children):
        """critical_failure: CRITICAL "failure" "when" _failure_conditions ":"
                             [credits_not_accrued] withhold [may_terminate]"""
        _, *conditions, not_accrued, withhold, may_terminate = children
        return nodes.CriticalFailure(tuple(conditions), not_accrued, withhold, may_terminate, self._span(meta))

    def failure_floor(self, meta, children):
        """failure_condition: NAME "is" comparison -> failure_floor"""
        name, comparison = children
        return nodes.FailureFloor(self._name(name), comparison, self._span(meta))

    def failure_many_missed(self, meta, children):
        """failure_condition: NUMBER "or" "more" "service" "levels" "are" "missed" "in" "one" PERIOD_WORD -> ..."""
        count, unit = children
        return nodes.FailureManyMissed(_number(count), _noun(unit), self._span(meta))

    def credits_not_accrued(self, meta, children):
        """credits_not_accrued: "credits" "of" "that" PERIOD_WORD "do" "not" "accrue\""""
        return nodes.CreditsNotAccrued(_noun(children[0]), self._span(meta))

    def withhold(self, meta, children):
        """withhold: "withhold" NUMBER "%" "of" NAME"""
        percent, base = children
        return nodes.Withhold(_number(percent), self._name(base), self._span(meta))

    def may_terminate(self, meta, children):
        """may_terminate: "the" "client" "may" "terminate\""""
        return nodes.MayTerminate(self._span(meta))

    # ---- service levels
    def service_level(self, meta, children):
        """service_level: [CRITICAL] "service" "level" NAME [STRING] _clause+"""
        critical, name, title, *clauses = children
        return nodes.ServiceLevel(
            self._name(name),
            str(title)[1:-1] if title is not None else None,
            critical is not None,
            tuple(clauses),
            self._span(meta),
        )

    def measured(self, meta, children):
        """measured: "measured" "as" expr [in_percent] [reported]"""
        expr, in_percent, reported = children
        return nodes.Measured(expr, bool(in_percent), self._span(meta), reported)

    def in_percent(self, meta, children):
        """in_percent: "," "in" "percent\""""
        return True

    # ---- reporting precision
    def reported(self, meta, children):
        """reported: "," "reported" "to" grid ["," "rounding" ROUNDING_MODE]"""
        (decimals, whole), mode = children
        return nodes.Reported(decimals, whole, " ".join(str(mode).split()) if mode is not None else None,
                              self._span(meta))

    def whole_grid(self, meta, children):
        """grid: "whole" STEP_UNIT -> whole_grid"""
        return Decimal(0), str(children[0])

    def decimals_grid(self, meta, children):
        """grid: NUMBER DECIMALS_WORD -> decimals_grid"""
        return _number(children[0]), None

    def target(self, meta, children):
        """target: "target" ":" comparison"""
        return nodes.Target(children[0], self._span(meta))

    def volume(self, meta, children):
        """volume: "measured" "only" "when" NAME "is" comparison"""
        name, comparison = children
        return nodes.Volume(self._name(name), comparison, self._span(meta))

    def allocation(self, meta, children):
        """allocation: "allocation" ":" amount"""
        return nodes.Allocation(children[0], self._span(meta))

    def cure(self, meta, children):
        """cure: "cure" ":" "within" NUMBER PERIOD_WORD"""
        count, unit = children
        return nodes.Cure(_number(count), _noun(unit), self._span(meta))

    def free_passes(self, meta, children):
        """free_passes: "free" "passes" ":" "the" "first" NUMBER MISS_WORD "in" "each" "contract" "year" """
        return nodes.FreePasses(_number(children[0]), self._span(meta))

    def earn_back(self, meta, children):
        """earn_back: "earn" "back" ":" NUMBER "%" "of" "its" "credits" earn_back_condition"""
        percent, (after, unit) = children
        return nodes.EarnBack(_number(percent), after, unit, self._span(meta))

    def after_consecutive_met(self, meta, children):
        """earn_back_condition: "after" NUMBER "consecutive" "met" PERIOD_WORD -> after_consecutive_met"""
        count, unit = children
        return (_number(count), _noun(unit))

    def year_average_met(self, meta, children):
        """earn_back_condition: "when" "the" "contract" "year" "average" "meets" "the" "target" -> ..."""
        return (None, None)

    def credit(self, meta, children):
        """credit: "credit" (_award | most_severe_table | shortfall | shortfall_table)"""
        return nodes.Award("credit", children[0], self._span(meta))

    def bonus(self, meta, children):
        """bonus: "bonus" (_award | best_table)"""
        return nodes.Award("bonus", children[0], self._span(meta))

    def flat(self, meta, children):
        """flat: ":" amount"""
        return nodes.Flat(children[0])

    def single_row(self, meta, children):
        """single_row: ":" row"""
        return nodes.Table("single", (children[0],))

    def most_severe_table(self, meta, children):
        """most_severe_table: "," "the" "most" "severe" "row" "applies" ":" row+"""
        return nodes.Table("most severe", tuple(children))

    def shortfall_table(self, meta, children):
        """shortfall_table: "by" "shortfall" ":" row+"""
        return nodes.Table("shortfall", tuple(children))

    def best_table(self, meta, children):
        """best_table: "," "the" "best" "row" "applies" ":" row+"""
        return nodes.Table("best", tuple(children))

    def range_table(self, meta, children):
        """range_table: "by" "range" ":" row+"""
        return nodes.Table("range", tuple(children))

    def linear(self, meta, children):
        """linear: ":" amount "per" [NUMBER] _step_word SIDE quantity "," unit_rounding [cap]"""
        amount, step, unit, side, threshold, rounding, cap = children
        return nodes.Linear(
            amount,
            _number(step) if step is not None else None,
            str(unit),
            str(side),
            threshold,
            rounding,
            cap,
        )

    def shortfall(self, meta, children):
        """shortfall: ":" "the" "shortfall" "in" "points" "as" "a" "percentage" "of" base [cap]"""
        base, cap = children
        return nodes.Shortfall(base, cap)

    def cap(self, meta, children):
        """cap: "," "at" "most" amount"""
        return children[0]

    def whole_units_up(self, meta, children):
        """unit_rounding: "part" _step_word "count" "as" "whole" -> whole_units_up"""
        return "up"

    def whole_units_down(self, meta, children):
        """unit_rounding: "only" "whole" _step_word "count" -> whole_units_down"""
        return "down"

    def pro_rata(self, meta, children):
        """unit_rounding: "pro" "rata" -> pro_rata"""
        return "pro rata"

    def bonus_gate(self, meta, children):
        """bonus_gate: "bonus" "only" "if" gate"""
        gate = children[0]
        return nodes.Gate(gate.kind, gate.names, self._span(meta))

    def no_critical_missed(self, meta, children):
        """gate: "no" "critical" "service" "level" "is" "missed" -> no_critical_missed"""
        return nodes.Gate("no critical missed")

    def all_met(self, meta, children):
        """gate: "all" "service" "levels" "are" "met" -> all_met"""
        return nodes.Gate("all met")

    def named_met(self, meta, children):
        """gate: NAME ("and" NAME)* IS_OR_ARE "met" -> named_met"""
        return nodes.Gate("named met", tuple(self._name(t) for t in children[:-1]))

    # ---- tier rows and comparisons
    def row(self, meta, children):
        """row: band ":" amount"""
        band, amount = children
        return nodes.Row(band, amount, self._span(meta))

    def open_band(self, meta, children):
        """band: comparison -> open_band"""
        return nodes.Band("open", children[0], None, self._span(meta))

    def closed_band(self, meta, children):
        """band: "from" quantity "to" quantity -> closed_band"""
        return nodes.Band("from to", children[0], children[1], self._span(meta))

    def from_to_below(self, meta, children):
        """band: "from" quantity "to" "below" quantity -> from_to_below"""
        return nodes.Band("from to below", children[0], children[1], self._span(meta))

    def above_to(self, meta, children):
        """band: "above" quantity "to" quantity -> above_to"""
        return nodes.Band("above to", children[0], children[1], self._span(meta))

    # ---- rows as contracts word them
    def above_to_below(self, meta, children):
        """band: "above" quantity "to" "below" quantity -> above_to_below"""
        return nodes.Band("above to below", children[0], children[1], self._span(meta))

    def between(self, meta, children):
        """band: comparison "and" comparison -> between"""
        return nodes.Band("and", children[0], children[1], self._span(meta))

    def _comparison(self, op, meta, children):
        return nodes.Comparison(op, children[0], self._span(meta))

    def at_least(self, meta, children):
        """comparison: "at" "least" quantity -> at_least"""
        return self._comparison("at least", meta, children)

    def at_most(self, meta, children):
        """comparison: "at" "most" quantity -> at_most"""
        return self._comparison("at most", meta, children)

    def above(self, meta, children):
        """comparison: "above" quantity -> above"""
        return self._comparison("above", meta, children)

    def below(self, meta, children):
        """comparison: "below" quantity -> below"""
        return self._comparison("below", meta, children)

    _UNITS = {"%": "percent", "second": "seconds", "seconds": "seconds",
              "minute": "minutes", "minutes": "minutes", "point": "points", "points": "points"}

    def quantity(self, meta, children):
        """quantity: NUMBER [QUANTITY_UNIT]"""
        value, unit = children
        return nodes.Quantity(
            _number(value), self._UNITS[str(unit)] if unit is not None else None, self._span(meta)
        )

    # ---- amounts
    def percent_of(self, meta, children):
        """amount: NUMBER "%" "of" base -> percent_of"""
        percent, base = children
        return nodes.PercentOf(_number(percent), base, self._span(meta))

    def fixed_money(self, meta, children):
        """amount: CURRENCY NUMBER -> fixed_money"""
        currency, value = children
        return nodes.FixedMoney(str(currency), _number(value), self._span(meta))

    def input_base(self, meta, children):
        """base: NAME -> input_base"""
        return nodes.InputBase(self._name(children[0]))

    def at_risk_base(self, meta, children):
        """base: "the" "amount" AT_RISK -> at_risk_base"""
        return nodes.AtRiskBase()

    def allocation_base(self, meta, children):
        """base: "the" "allocation" -> allocation_base"""
        return nodes.AllocationBase()

    # ---- arithmetic
    def _binary(self, op, meta, children):
        left, right = children
        return nodes.BinaryOp(op, left, right, self._span(meta))

    def add(self, meta, children):
        """expr: expr "+" term -> add"""
        return self._binary("+", meta, children)

    def subtract(self, meta, children):
        """expr: expr "-" term -> subtract"""
        return self._binary("-", meta, children)

    def multiply(self, meta, children):
        """term: term "*" factor -> multiply"""
        return self._binary("*", meta, children)

    def divide(self, meta, children):
        """term: term "/" factor -> divide"""
        return self._binary("/", meta, children)

    def number(self, meta, children):
        """factor: NUMBER -> number"""
        return nodes.Number(_number(children[0]), self._span(children[0]))

    def reference(self, meta, children):
        """factor: NAME -> reference"""
        return nodes.Reference(self._name(children[0]))


# ---------------------------------------------------------------- syntax errors

# Friendly messages for the mistakes people make, one label per mistake, found by
# example with Lark's match_examples. An example matches an error in the same LALR
# state *at the same stack depth*, and the depth changes with what precedes: a first
# section or a later one, 'critical' and a title, a first clause or a later one, the
# kind of tier table, a first row or a later one. So each example is written once,
# with the place it stands in (a key of _WHERE), and tried after every prefix that
# gives that place another depth. A label may name the token before the error as
# {previous}. Rules below catch what examples cannot: a misplaced clause and a
# misspelled keyword are recognised by the word itself, not by the parser state.
_HEAD = 'contract "C" currency USD, starts 2026-01 '
_WHERE: dict[str, list[str]] = {
    "top": [_HEAD, _HEAD + "inputs x count "],
    "clause": [_HEAD + prefix for prefix in (
        "service level s ",
        "service level s measured as x ",
        'critical service level s "S" ',
        'critical service level s "S" measured as x ',
        'inputs x count critical service level s "S" measured as x ',
    )],
}
_WHERE["row"] = [clause + table + row
                 for clause in _WHERE["clause"]
                 for table in ("credit, the most severe row applies: ", "bonus, the best row applies: ",
                               "credit by range: ")
                 for row in ("", "below 1%: 1% of fee ")] + [clause + "bonus: " for clause in _WHERE["clause"]]

_NO_UNIT = ("SLA003 input '{previous}' has no unit: write money, percent, seconds, minutes, count, score "
            "or ratio after its name")
_NO_COUNTING = ("SLA010 a per-unit amount says how part units count: after the threshold write ', part points "
                "count as whole' (or seconds, minutes, units), ', only whole points count' or ', pro rata'")
_NO_BASE = ("SLA009 a percentage needs the amount it is a share of: write 'N% of monthly_fee' (a money input), "
            "'N% of the amount at risk' or 'N% of the allocation'")
_EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "SLA001 expected ':' after '{previous}'": [
        ("clause", "target at least 80%"),
        ("clause", "credit 2% of fee"),
        ("clause", "bonus 2% of fee"),
        ("clause", "allocation 20% of the amount at risk"),
        ("clause", "credit by range from 1 to 2%: 1% of fee"),
        ("clause", "credit, the most severe row applies below 80%: 1% of fee"),
        ("clause", "bonus, the best row applies at least 90%: 1% of fee"),
        ("top", "at risk 12% of fee each month"),
    ],
    "SLA001 expected ':' between the band and its amount, as in 'below 80%: 2% of monthly_fee'": [
        ("row", "below 80% 2% of fee"),
        ("row", "below 80% USD 500"),
        ("row", "below 80 2% of fee"),
        ("row", "from 1 to below 2% 2% of fee"),
        ("row", "from 1 to 2% 2% of fee"),
    ],
    "SLA002 expected '%' after the number {previous}, as in '{previous}% of monthly_fee'": [
        ("clause", "credit: 2 of fee"),
        ("clause", "allocation: 20 of the amount at risk"),
        ("clause", "credit: 1% of fee per point below 80%, pro rata, at most 5 of fee"),
        ("row", "below 80%: 2 of fee"),
        ("top", "at risk: 12 of fee each month"),
        ("top", "bonuses at most 3 of fee each month"),
    ],
    _NO_UNIT: [
        ("top", "inputs fee service level s"),
        ("top", 'inputs fee "the monthly fee"'),
        ("top", "inputs fee calls count"),
        ("top", "inputs fee"),
    ],
    "SLA003 expected a unit after 'per': point, second, minute, or what a count counts (ticket), as in 'per point below 80%'": [
        ("clause", "credit: 1% of fee per below 80%, pro rata"),
        ("clause", "credit: 1% of fee per 0.5 below 80%, pro rata"),
    ],
    "SLA000 a target says how the value compares: 'at least 80%', 'at most 5%', 'above ...' or 'below ...'": [
        ("clause", "target: 80%"),
    ],
    # What a new user tripped on (issue 10, item 5): each names what is missing and the words to write.
    _NO_COUNTING: [
        ("clause", "credit: 1% of fee per point below 80%, at most 5% of fee"),
        ("clause", "credit: 1% of fee per point below 80%, target: at least 80%"),
        ("clause", "credit: 1% of fee per point below 80% cure: within 1 month"),
        ("clause", "credit: 1% of fee per point below 80% at most 5% of fee"),
        ("clause", "credit: 1% of fee per second above 20 seconds cure: within 1 month"),
    ],
    _NO_BASE: [
        ("clause", "credit: 1% of fee per point below 80%, pro rata, at most 10% cure: within 1 month"),
        ("clause", "credit: 2% cure: within 1 month"),
        ("clause", "allocation: 20% cure: within 1 month"),
        ("row", "below 80%: 2% below 70%: 5% of fee"),
        ("top", "at risk: 12% each month"),
        ("top", "bonuses at most 3% each month"),
    ],
}
SYNTAX_EXAMPLES: dict[str, list[str]] = {
    label: [where + example for place, example in examples for where in _WHERE[place]]
    for label, examples in _EXAMPLES.items()
}
_ABOUT_PREVIOUS = {_NO_UNIT, _NO_BASE}  # labels whose caret goes under the token they name, not the one found

# Clause keywords of a service level, and what follows each (for a clause written before
# any service level: inside `inputs` its keyword is read as the name of a new input).
_CLAUSE_KEYWORDS = {"TARGET", "CREDIT", "BONUS", "MEASURED", "ALLOCATION"}
_AFTER_CLAUSE_KEYWORD = {"COLON", "COMMA", "AS", "BY", "ONLY"}
_SECTION_KEYWORDS = ("inputs", "bonuses", "service", "critical")  # the first words of `_section`
_CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
# Words a contract uses for a band that the language says otherwise (less than -> below, ...).
_NATURAL_BAND_WORDS = {"less", "more", "greater", "between", "over", "under", "equal", "up", "fewer", "lower",
                       "higher", "exceeding", "within"}

_WORDS = {
    "NAME": "a name (lower case, like monthly_fee)",
    "NUMBER": "a number",
    "STRING": 'a quoted text ("...")',
    "CURRENCY": "a currency code (USD)",
    "MONTH": "a month (2026-01)",
    "PERIODICITY": "monthly, quarterly or yearly",
    "PERIOD_WORD": "month, quarter, year or period",
    "MISS_WORD": "'misses'",
    "ROUNDING_MODE": "a rounding mode (half up, half even, half down, up, down)",
    "UNIT": "a unit (money, percent, seconds, minutes, count, score, ratio)",
    "QUANTITY_UNIT": "a unit (%, seconds, minutes, points)",
    "STEP_UNIT": "a unit (point, second, minute, unit)",
    "NOUN": "what a count counts (ticket, incident)",
    "SIDE": "'below' or 'above'",
    "DECIMALS_WORD": "'decimals'",
    "IS_OR_ARE": "'is' or 'are'",
    "AT_RISK": "'at risk'",
    "CRITICAL": "'critical'",
    "$END": "end of input",
}


def _describe(terminal: str) -> str:
    if terminal in _WORDS:
        return _WORDS[terminal]
    for term in parser().terminals:
        if term.name == terminal and term.pattern.type == "str":
            return f"'{term.pattern.value}'"
    return terminal.lower()


def _expected_names(err: lark.UnexpectedInput) -> set[str]:
    return set(getattr(err, "accepts", None) or getattr(err, "expected", None) or getattr(err, "allowed", None) or ())


def _expected(err: lark.UnexpectedInput) -> list[str]:
    return sorted({_describe(n) for n in _expected_names(err)})


_ALTERNATIVES = re.compile(r"\(\?:([a-z%]+(?:\|[a-z%]+)*)\)")


def _keywords(terminals: set[str]) -> list[str]:
    """The words that the expected terminals stand for: 'target', 'monthly', 'money', ..."""
    words = []
    for term in parser().terminals:
        if term.name not in terminals:
            continue
        if term.pattern.type == "str":
            words.append(term.pattern.value)
        elif (match := _ALTERNATIVES.fullmatch(term.pattern.value)) is not None:
            words += match.group(1).split("|")
    return [w for w in words if w.isalpha()]


@functools.cache
def _example_error(text: str) -> lark.UnexpectedInput | None:
    try:
        parser().parse(text)
    except lark.UnexpectedInput as err:
        return err
    return None


def _parse_example(text: str):
    """parser().parse for match_examples, remembering each example's error: the examples
    are the same every time, and a syntax error should not cost hundreds of parses."""
    err = _example_error(text)
    if err is not None:
        raise err.with_traceback(None)


def _examples_for(err: lark.UnexpectedInput) -> dict[str, list[str]]:
    """SYNTAX_EXAMPLES less the near misses: examples that fail in the same parser state but
    with other acceptable tokens (after '80%' in a target, not in a tier row). Lark 1.3.1's
    match_examples skips those too, but first logs them with a format that raises TypeError."""
    def near_miss(text: str) -> bool:
        example = _example_error(text)
        return (isinstance(example, lark.UnexpectedToken) and isinstance(err, lark.UnexpectedToken)
                and example.state == err.state and example.accepts != err.accepts)
    return {label: [text for text in texts if not near_miss(text)] for label, texts in SYNTAX_EXAMPLES.items()}


def _previous_token(err: lark.UnexpectedInput) -> lark.Token | None:
    """The token the parser took just before the error, while it is still unreduced."""
    stack = getattr(getattr(err, "state", None), "value_stack", None) or ()
    return stack[-1] if stack and isinstance(stack[-1], lark.Token) else None


def _token_span(source: Source, token: lark.Token) -> Span:
    return Span(source, token.line, token.column, token.line, token.column + max(len(str(token)), 1))


def _syntax_diagnostic(source: Source, err: lark.UnexpectedInput) -> Diagnostic:
    line, column, width = err.line, err.column, 1
    at_end = isinstance(err, lark.UnexpectedToken) and err.token.type == "$END"
    token = err.token if isinstance(err, lark.UnexpectedToken) and not at_end else None
    if token is not None:
        width = len(str(token)) or 1
        found = f"'{token}'"
    elif isinstance(err, lark.UnexpectedCharacters):
        found = f"'{source.text[err.pos_in_stream]}'"
    else:
        found = "end of input"
    if at_end:
        lines = source.text.rstrip().splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    if line < 1:  # an empty file
        line, column = 1, 1
    span = Span(source, line, column, line, column + width)
    expected = _expected_names(err)
    wanted = " or ".join(_expected(err))
    previous = _previous_token(err)

    # A service level clause before any service level: at the top level its keyword is
    # unexpected where a section may start; inside `inputs` it is read as an input's name.
    if token is not None and token.type in _CLAUSE_KEYWORDS and "SERVICE" in expected:
        following = source.text[token.end_pos:].split(None, 1)[:1]
        clause = None if token.type == "BONUS" and following in (["at"], ["are"], ["offset"], ["only"]) else token
    elif (token is not None and token.type in _AFTER_CLAUSE_KEYWORD and expected == {"UNIT"}
          and previous is not None and previous.upper() in _CLAUSE_KEYWORDS):
        clause = previous
    else:
        clause = None
    if clause is not None:
        return Diagnostic("SLA006", f"'{clause}' is a service level clause, but it stands before any service level",
                          _token_span(source, clause),
                          ("start the service level above it: 'service level NAME', then its clauses",))

    # `for each point`: the language says `per point`.
    if token is not None and token.type == "NAME" and str(token) == "for" and "PER" in expected:
        following = source.text[token.end_pos:].split()[:2]
        unit = following[1] if following[:1] == ["each"] and len(following) > 1 else "point"
        return Diagnostic("SLA007", f"unexpected 'for'; an amount per unit is written 'per {unit}'", span,
                          (f"as in '1% of monthly_fee per {unit} below 80%, part {unit.removesuffix('s')}s count "
                           "as whole'",))
    # A tier row worded as the contract words it, in words the language does not use: name the accepted forms.
    if (token is not None and "FROM" in expected and "BELOW" in expected
            and (token.type == "NUMBER" or str(token) in _NATURAL_BAND_WORDS)):
        return Diagnostic("SLA007", f"unexpected {found}; a tier row's band is written with 'below', 'at most', "
                          "'above', 'at least', 'from ... to ...', or two of them joined by 'and'", span,
                          ("'less than 99.95% but equal to or greater than 99.5%' is 'below 99.95% and at least 99.5%'; "
                           "'more than 2 and less than 4 points' is 'above 2 to below 4%'",))
    if token is not None and str(token) == "but" and "AND" in expected:
        return Diagnostic("SLA007", "unexpected 'but'; the two comparisons of a row are joined by 'and'", span,
                          ("as in 'below 99.95% and at least 99.5%'",))
    # `Service Level`: keywords and names are lower case (capitals are for currency codes).
    if isinstance(err, lark.UnexpectedCharacters) and source.text[err.pos_in_stream].isupper():
        word = re.match(r"[A-Za-z_]\w*", source.text[err.pos_in_stream:])
        if word is not None and not re.fullmatch(r"[A-Z]{3}", word.group()):
            return Diagnostic("SLA005", f"unexpected '{word.group()}'; keywords and names are lower case", span,
                              (f"write '{word.group().lower()}' (capitals are only for currency codes, as in 'USD')",))

    # Two words where a name the file uses belongs (`monthly fee` for monthly_fee): not a misspelled keyword.
    if (token is not None and token.type == "NAME" and previous is not None and previous.type == "NAME"
            and token.line == previous.line
            and re.search(rf"\b{re.escape(f'{previous}_{token}')}\b", source.text)):
        return Diagnostic("SLA000", f"unexpected {found}; expected {wanted}", span,
                          (f"a name is one word: did you mean '{previous}_{token}'?",))

    # A misspelled keyword: a word the lexer took for a name, close to a word that could stand there.
    notes: tuple[str, ...] = ()
    if token is not None and token.type in ("NAME", "BONUS"):  # 'bonus at most' means 'bonuses'
        meant = nearest(str(token), _keywords(expected))
        if meant is not None:
            notes = (f"did you mean '{meant}'?",)
    # After an input, a misspelled section keyword is read as the next input's name, and the
    # error comes at the word after it: `bonus at most ...`, `servce level ...`.
    if (not notes and expected == {"UNIT"} and token is not None and previous is not None
            and previous.type == "NAME" and token.line == previous.line):
        meant = nearest(str(previous), _SECTION_KEYWORDS)
        if meant is not None:
            return Diagnostic("SLA007", f"unexpected '{previous}'; did you mean '{meant}'?",
                              _token_span(source, previous))

    label = err.match_examples(_parse_example, _examples_for(err), use_accepts=True) if err.state is not None else None
    if label == _NO_UNIT and token is not None and token.type == "NAME" and previous is not None \
            and token.line == previous.line:
        label = None  # `fee dollars`: a unit is there, but not one the language knows
    if label is not None and ("{previous}" not in label or previous is not None):
        code, message = label.split(" ", 1)
        message = message.format(previous=" ".join(str(previous).split()))  # 'at\n  risk' -> 'at risk'
        if label in _ABOUT_PREVIOUS:
            return Diagnostic(code, message, _token_span(source, previous), notes)
        return Diagnostic(code, f"{message}; found {found}", span, notes)
    if notes:
        return Diagnostic("SLA007", f"unexpected {found}; {notes[0]}", span)
    if at_end:
        return Diagnostic("SLA004", f"unexpected end of input; expected {wanted}", span)
    if isinstance(err, lark.UnexpectedCharacters):
        char = source.text[err.pos_in_stream]
        notes = ((f"money is written with its currency code, as in '{_CURRENCY_SIGNS[char]} 500'",)
                 if char in _CURRENCY_SIGNS else ())
        return Diagnostic("SLA005", f"unexpected {found}; expected {wanted}" if wanted else f"unexpected {found}",
                          span, notes)
    return Diagnostic("SLA000", f"unexpected {found}; expected {wanted}", span)
