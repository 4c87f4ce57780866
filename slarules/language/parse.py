"""Parse pass: ruleset text -> nodes.Ruleset.

Input: a Source. Output: a nodes.Ruleset whose every node carries its span.
Errors: the first syntax error, raised as SlaError with one SLA0xx diagnostic
that says in words what was expected. A literate ruleset (Markdown, see
core/source.py) is parsed from its ```sla blocks, in place; SLA260 if it has none. No Lark tree or Lark exception leaves
this module. The transformer only builds nodes; it validates nothing (an
exception inside a transformer arrives wrapped in VisitError), so every
judgement about meaning is the check's (check/).
"""
from __future__ import annotations

import re
from decimal import Decimal

import lark
from lark import v_args

from ..core.diagnostics import Diagnostic, SlaError
from ..core.source import Source, Span
from . import nodes
from .grammar import parser
from .syntax_errors import syntax_diagnostic


def parse(source: Source) -> nodes.Ruleset:
    """Parse a ruleset; raise SlaError on the first syntax error (TypeError if `source` is no Source)."""
    if not isinstance(source, Source):
        raise TypeError(f"parse(): source must be a slarules.Source(path, text), not {type(source).__name__}")
    if source.literate and not source.blocks:
        raise SlaError([Diagnostic(
            "SLA260", "this Markdown file has no ```sla block, so it states no terms", location=source.path,
            notes=("a literate ruleset writes its terms in fenced blocks opened with ```sla and closed with ```; "
                   "the text around them is the contract's wording",))])
    try:
        tree = parser().parse(source.ruleset_text)
    except lark.UnexpectedInput as err:
        raise SlaError([syntax_diagnostic(source, err)]) from None
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


_ESCAPED = re.compile(r'\\(["\\])')


def decode_string(written: str) -> str:
    """A string's text with \\" and \\\\ decoded (any other backslash kept as written)."""
    return _ESCAPED.sub(r"\1", written)


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
        """amendment: "amendment" "effective" MONTH [contract_clause] _amended+"""
        effective, cites, *items = children
        return nodes.Amendment(str(effective), tuple(items), self._span(meta), contract_clause=cites)

    def amended_service_level(self, meta, children):
        """amended_service_level: "service" "level" NAME [contract_clause] _clause+"""
        name, cites, *clauses = children
        return nodes.AmendedServiceLevel(self._name(name), tuple(clauses), self._span(meta), contract_clause=cites)

    def contract_clause(self, meta, children):
        """contract_clause: "clause" STRING (escapes decoded; the check judges what is left)"""
        written = str(children[0])[1:-1]
        return nodes.ContractClause(decode_string(written), written, self._span(children[0]))

    def contract(self, meta, children):
        """contract: "contract" STRING _header_term+"""
        title, *terms = children
        return nodes.Contract(decode_string(str(title)[1:-1]), tuple(terms), self._span(meta))

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
        """input: NAME UNIT [STRING] [missing_policy] [reporting_duty]"""
        name, unit, description, missing, reporting = children
        return nodes.Input(
            self._name(name),
            str(unit),
            decode_string(str(description)[1:-1]) if description is not None else None,
            missing,
            self._span(meta),
            reporting,
        )

    def reporting_duty(self, meta, children):
        """reporting_duty: "," "reported" "by" NAME ["," "due" "the" ORDINAL "business" "day" "of" "the"
        "following" PERIOD_WORD]"""
        party, ordinal, following = children
        return nodes.ReportingDuty(self._name(party), None if ordinal is None else str(ordinal),
                                   None if following is None else _noun(following), self._span(meta),
                                   None if ordinal is None else self._span(ordinal))

    # ---- parties and reviews
    def parties(self, meta, children):
        """parties: "parties" party+"""
        return nodes.Parties(tuple(children), self._span(meta))

    def party(self, meta, children):
        """party: NAME STRING [may_waive]"""
        name, title, may_waive = children
        return nodes.Party(self._name(name), str(title)[1:-1], may_waive is not None, self._span(meta))

    def may_waive(self, meta, children):
        """may_waive: "," "may" "waive\""""
        return True

    def reviews(self, meta, children):
        """reviews: "reviews" review+"""
        return nodes.Reviews(tuple(children), self._span(meta))

    def review(self, meta, children):
        """review: (PERIODICITY | ANNUAL) NOUN+"""
        cadence, *words = children
        return nodes.Review(str(cadence), " ".join(map(str, words)), self._span(meta))

    def accountable(self, meta, children):
        """accountable: "accountable" ":" NAME"""
        return nodes.Accountable(self._name(children[0]), self._span(meta))

    def late_report(self, meta, children):
        """late_report: "late" "report" ":" late_consequence"""
        consequence, amount = children[0]
        return nodes.LateReport(consequence, amount, self._span(meta))

    def late_counts_as_miss(self, meta, children):
        """late_consequence: "counts" "as" "a" "miss" -> late_counts_as_miss"""
        return "miss", None

    def late_credit(self, meta, children):
        """late_consequence: "credit" amount -> late_credit"""
        return "credit", children[0]

    def late_no_consequence(self, meta, children):
        """late_consequence: "no" "consequence" -> late_no_consequence"""
        return "none", None

    def default_value(self, meta, children):
        """missing_policy: "," "default" NUMBER -> default_value"""
        return nodes.DefaultValue(_number(children[0]))

    def missing_is_miss(self, meta, children):
        """missing_policy: "," "missing" "counts" "as" "a" "miss" -> missing_is_miss"""
        return nodes.MissingIsMiss()

    # ---- period-wide terms
    def at_risk(self, meta, children):
        """at_risk: AT_RISK [contract_clause] ":" amount "each" PERIOD_WORD"""
        _, cites, amount, per = children
        return nodes.AtRisk(amount, _noun(per), self._span(meta), contract_clause=cites)

    def credits_at_most(self, meta, children):
        """at_risk: "credits" "at" "most" amount "each" PERIOD_WORD [contract_clause] -> credits_at_most"""
        amount, per, cites = children
        return nodes.AtRisk(amount, _noun(per), self._span(meta), as_credits_at_most=True, contract_clause=cites)

    def bonus_limit(self, meta, children):
        """bonus_limit: "bonuses" "at" "most" amount "each" PERIOD_WORD [contract_clause]"""
        amount, per, cites = children
        return nodes.BonusLimit(amount, _noun(per), self._span(meta), contract_clause=cites)

    def paid_separately(self, meta, children):
        """netting: "bonuses" "are" "paid" "separately" [contract_clause] -> paid_separately"""
        return nodes.Netting("paid separately", self._span(meta), contract_clause=children[0])

    def offset(self, meta, children):
        """netting: "bonuses" "offset" "credits" [contract_clause] -> offset"""
        return nodes.Netting("offset", self._span(meta), contract_clause=children[0])

    def only_offset(self, meta, children):
        """netting: "bonuses" "only" "offset" "credits" [contract_clause] -> only_offset"""
        return nodes.Netting("only offset", self._span(meta), contract_clause=children[0])

    def invoicing(self, meta, children):
        """invoicing: "credits" "are" "applied" "to" "the" "next" "invoice" """
        return nodes.Invoicing(self._span(meta))

    def indexation(self, meta, children):
        """indexation: "amounts" "indexed" "to" NAME "," "base" MONTH "," "adjusted" "each" "contract" "year"
        ["," "rounded" minor_unit]"""
        index, base, minor = children
        return nodes.Indexation(self._name(index), str(base), minor, self._span(meta))

    # ---- terms over several periods
    def window_cap(self, meta, children):
        """window_cap: "credits" "in" window "at" "most" window_limit [contract_clause]"""
        window, limit, cites = children
        return nodes.WindowCap(window, limit, self._span(meta), contract_clause=cites)

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
        """termination: "terminate" "when" trigger [notice] [contract_clause]"""
        trigger, notice, cites = children
        return nodes.Termination(trigger, self._span(meta), notice, contract_clause=cites)

    def notice(self, meta, children):
        """notice: "," "on" NUMBER day_unit "'"? "notice\""""
        count, unit = children
        return nodes.Notice(_number(count), unit == "business day", self._span(meta))

    def day_unit(self, meta, children):
        """day_unit: [DAY_KIND] DAY_WORD: "day" (calendar days) or "business day"."""
        kind, _ = children
        return "business day" if kind is not None and str(kind) == "business" else "day"

    # ---- deliverables
    def deliverable(self, meta, children):
        """deliverable: "deliverable" NAME [STRING] "due" DATE [price] [until_accepted] delivery_credit"""
        name, title, due, price, until_accepted, (per_day, unit, cap, credit_span) = children
        return nodes.Deliverable(
            self._name(name), str(title)[1:-1] if title is not None else None, str(due), price,
            until_accepted is not None, per_day, unit == "business day",
            None if isinstance(cap, nodes.FixedMoney) else cap,
            cap if isinstance(cap, nodes.FixedMoney) else None,
            self._span(meta), credit_span, self._span(due))

    def price(self, meta, children):
        """price: "price" CURRENCY NUMBER"""
        return self.fixed_money(meta, children)

    def until_accepted(self, meta, children):
        """until_accepted: "late" "until" "accepted\""""
        return True

    def delivery_credit(self, meta, children):
        """delivery_credit: "credit" ":" CURRENCY NUMBER "per" day_unit "late" ["," "at" "most" late_cap]"""
        currency, value, unit, cap = children
        per_day = nodes.FixedMoney(str(currency), _number(value), self._span(meta))
        return per_day, unit, cap, self._span(meta)

    def share_of_price(self, meta, children):
        """late_cap: NUMBER "%" "of" "its" "price" -> share_of_price"""
        return _number(children[0])

    def late_cap_money(self, meta, children):
        """late_cap: CURRENCY NUMBER -> late_cap_money"""
        return self.fixed_money(meta, children)

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
        """critical_failure: CRITICAL "failure" [contract_clause] "when" _failure_conditions ":"
                             [credits_not_accrued] withhold [may_terminate]"""
        _, cites, *conditions, not_accrued, withhold, may_terminate = children
        return nodes.CriticalFailure(tuple(conditions), not_accrued, withhold, may_terminate, self._span(meta),
                                     contract_clause=cites)

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
        """service_level: [CRITICAL] "service" "level" NAME [STRING] [contract_clause] _clause+"""
        critical, name, title, cites, *clauses = children
        return nodes.ServiceLevel(
            self._name(name),
            decode_string(str(title)[1:-1]) if title is not None else None,
            critical is not None,
            tuple(clauses),
            self._span(meta),
            contract_clause=cites,
        )

    def measured(self, meta, children):
        """measured: "measured" "as" [averaged] expr [in_percent] [reported]"""
        averaged, expr, in_percent, reported = children
        return nodes.Measured(expr, bool(in_percent), self._span(meta), reported, averaged)

    def averaged(self, meta, children):
        """averaged: "the" "average" "of" "the" PERIODICITY "values" "of" """
        return str(children[0])

    def frequency(self, meta, children):
        """frequency: "assessed" PERIODICITY"""
        return nodes.Frequency(str(children[0]), self._span(meta))

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
        """target: "target" ":" (comparison | share_comparison)"""
        return nodes.Target(children[0], self._span(meta))

    def volume(self, meta, children):
        """volume: "measured" "only" "when" NAME "is" comparison"""
        name, comparison = children
        return nodes.Volume(self._name(name), comparison, self._span(meta))

    def allocation(self, meta, children):
        """allocation: "allocation" ":" amount"""
        return nodes.Allocation(children[0], self._span(meta))

    def cure(self, meta, children):
        """cure: "cure" [contract_clause] ":"? "within" NUMBER (PERIOD_WORD | day_unit)"""
        cites, count, unit = children
        return nodes.Cure(_number(count), unit if unit in nodes.DAY_UNITS else _noun(unit), self._span(meta),
                          contract_clause=cites)

    def free_passes(self, meta, children):
        """free_passes: "free" "passes" [contract_clause] ":" "the" "first" NUMBER MISS_WORD "in" "each" ..."""
        cites, count = children[0], children[1]
        return nodes.FreePasses(_number(count), self._span(meta), contract_clause=cites)

    def earn_back(self, meta, children):
        """earn_back: "earn" "back" [contract_clause] ":" NUMBER "%" "of" "its" "credits" earn_back_condition"""
        cites, percent, (after, unit) = children
        return nodes.EarnBack(_number(percent), after, unit, self._span(meta), contract_clause=cites)

    def after_consecutive_met(self, meta, children):
        """earn_back_condition: "after" NUMBER "consecutive" "met" PERIOD_WORD -> after_consecutive_met"""
        count, unit = children
        return (_number(count), _noun(unit))

    def year_average_met(self, meta, children):
        """earn_back_condition: "when" "the" "contract" "year" "average" "meets" "the" "target" -> ..."""
        return (None, None)

    def credit(self, meta, children):
        """credit: "credit" [contract_clause] (_award | most_severe_table | shortfall | shortfall_table)"""
        cites, form = children
        return nodes.Award("credit", form, self._span(meta), contract_clause=cites)

    def bonus(self, meta, children):
        """bonus: "bonus" [contract_clause] (_award | best_table)"""
        cites, form = children
        return nodes.Award("bonus", form, self._span(meta), contract_clause=cites)

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
        """linear: ":" amount "per" [NUMBER] _step_word SIDE (quantity | share) "," unit_rounding [cap]"""
        amount, step, unit, side, threshold, (rounding, counted), cap = children
        return nodes.Linear(
            amount,
            _number(step) if step is not None else None,
            str(unit),
            str(side),
            threshold,
            rounding,
            cap,
            counted,
        )

    def noun(self, meta, children):
        """noun: NOUN+ (the words of a multi-word noun, one space apart)"""
        return " ".join(str(word) for word in children)

    def shortfall(self, meta, children):
        """shortfall: ":" "the" "shortfall" "in" "points" "as" "a" "percentage" "of" base [cap]"""
        base, cap = children
        return nodes.Shortfall(base, cap)

    def cap(self, meta, children):
        """cap: "," "at" "most" amount"""
        return children[0]

    def whole_units_up(self, meta, children):
        """unit_rounding: "part" _step_word "count" "as" "whole" -> whole_units_up"""
        return "up", str(children[0])

    def whole_units_down(self, meta, children):
        """unit_rounding: "only" "whole" _step_word "count" -> whole_units_down"""
        return "down", str(children[0])

    def pro_rata(self, meta, children):
        """unit_rounding: "pro" "rata" -> pro_rata"""
        return "pro rata", None

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

    # ---- allowances that are a share of another input
    def share(self, meta, children):
        """share: NUMBER QUANTITY_UNIT "of" NAME"""
        percent, unit, base = children
        return nodes.Share(_number(percent), self._UNITS[str(unit)], self._name(base), self._span(meta))

    def share_at_least(self, meta, children):
        """share_comparison: "at" "least" share -> share_at_least"""
        return self._comparison("at least", meta, children)

    def share_at_most(self, meta, children):
        """share_comparison: "at" "most" share -> share_at_most"""
        return self._comparison("at most", meta, children)

    def share_above(self, meta, children):
        """share_comparison: "above" share -> share_above"""
        return self._comparison("above", meta, children)

    def share_below(self, meta, children):
        """share_comparison: "below" share -> share_below"""
        return self._comparison("below", meta, children)

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

    def period_length(self, meta, children):
        """factor: PERIOD_LENGTH -> period_length"""
        words = str(children[0]).split()
        return nodes.PeriodLength(words[0], words[-1], self._span(children[0]))


