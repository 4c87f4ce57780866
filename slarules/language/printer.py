"""Printer: nodes.Ruleset -> canonical source text.

Input: any Ruleset (parsed or built by hand, as the property tests do).
Output: source text in the canonical layout, which parses back to an equal
Ruleset (spans aside). Numbers are printed exactly as their Decimal value,
money with thousands separators.

The canonical layout: the contract header on two lines; sections separated by
a blank line; inside `inputs` the names, units and descriptions in aligned
columns, a missing-data rule after a description on a continuation line under
the units; one clause per line, two spaces in; tier rows two spaces under their
clause; the `at most` cap of a per-unit or shortfall credit on a continuation
line under the clause's amount; amendments last, each item indented under it.

`layout(ruleset)` gives that layout as Blocks of Lines, each Line knowing
where its content starts in the source (its anchor). `to_source` joins the
blocks; fmt.py uses the anchors to put the source's comments back, which the
tree does not hold. The one-line helpers (`clause`, `termination`, `amount`,
...) are what compile.py quotes in explanations.
"""
from __future__ import annotations

from decimal import Decimal

import attrs

from . import nodes
from .nouns import plural_noun

Anchor = tuple[int, int]  # (line, column) in the source, 1-based as Lark gives them


@attrs.frozen
class Line:
    """One output line. `anchor` is where its content starts in the source (None
    for a tree built by hand), `back` words earlier when the node it is taken
    from has no span of its own or starts after the line's first words (a cap's
    `at most`); `continues` marks a continuation line of the item above it;
    `align` marks input lines, whose trailing comments fmt aligns."""

    indent: int
    text: str
    anchor: Anchor | None = None
    back: int = 0
    continues: bool = False
    align: bool = False

    def render(self) -> str:
        return " " * self.indent + self.text


@attrs.frozen
class Block:
    """A top-level construct (the header, a section, an amendment) as lines.

    `term` marks a one-line period-wide term (`at risk`, `bonuses ...`,
    `credits in ...`, `terminate when ...`, a streak policy): fmt keeps such
    terms together when the source wrote them with no blank line between.
    `end_line` is the last source line of the construct (None if built by hand).
    """

    lines: tuple[Line, ...]
    term: bool = False
    end_line: int | None = None

    def render(self) -> str:
        return "\n".join(line.render() for line in self.lines)


def to_source(ruleset: nodes.Ruleset) -> str:
    """The ruleset in the canonical layout, without comments (the tree has none)."""
    return "\n\n".join(block.render() for block in layout(ruleset)) + "\n"


def layout(ruleset: nodes.Ruleset) -> list[Block]:
    """The header, each section and each amendment, in source order."""
    blocks = [_contract(ruleset.contract)]
    for section in ruleset.sections:
        if isinstance(section, nodes.Inputs):
            blocks.append(_inputs(section))
        elif isinstance(section, nodes.ServiceLevel):
            blocks.append(_service_level(section))
        elif isinstance(section, nodes.CriticalFailure):
            blocks.append(_critical_failure(section))
        elif isinstance(section, nodes.Parties):
            blocks.append(_parties(section))
        elif isinstance(section, nodes.Reviews):
            blocks.append(_reviews(section))
        elif isinstance(section, nodes.Deliverable):
            blocks.append(_deliverable(section))
        else:
            blocks.append(Block((Line(0, _SECTIONS[type(section)](section), _at(section)),),
                                term=True, end_line=_end(section)))
    blocks += [_amendment(a) for a in ruleset.amendments]
    return blocks


def _at(node) -> Anchor | None:
    span = getattr(node, "span", None)
    return (span.line, span.column) if span is not None else None


def _end(node) -> int | None:
    span = getattr(node, "span", None)
    return span.end_line if span is not None else None


def _contract(contract: nodes.Contract) -> Block:
    terms = ", ".join(_TERMS[type(t)](t) for t in contract.terms)
    first = contract.terms[0]  # its span starts at the keyword only for `rounding`
    return Block((Line(0, f"contract {quoted(contract.title)}", _at(contract)),
                  Line(2, terms, _at(first), back=0 if isinstance(first, nodes.Rounding) else 1, continues=True)),
                 end_line=_end(contract))


_TERMS = {
    nodes.Currency: lambda t: f"currency {t.code}",
    nodes.Assessed: lambda t: f"assessed {t.periodicity}",
    nodes.Rounding: lambda t: f"rounding {t.mode}" + (f" to {t.minor_unit}" if t.minor_unit else ""),
    nodes.Starts: lambda t: f"starts {t.month}",
}


def _inputs(block: nodes.Inputs) -> Block:
    name_width = max(len(i.name.text) for i in block.inputs) + 2
    unit_width = max(len(i.unit) for i in block.inputs) + 1
    lines = [Line(0, "inputs", _at(block))]
    for i in block.inputs:
        missing = None
        if isinstance(i.missing, nodes.DefaultValue):
            missing = f"default {_number(i.missing.value)}"
        elif isinstance(i.missing, nodes.MissingIsMiss):
            missing = "missing counts as a miss"
        duty = reporting_duty(i.reporting) if i.reporting is not None else None
        text = f"{i.name.text:<{name_width}}{i.unit}"
        if i.description is None and duty is None:
            lines.append(Line(2, text + (f", {missing}" if missing else ""), _at(i), align=True))
            continue
        if i.description is not None:
            text = f"{i.name.text:<{name_width}}{i.unit:<{unit_width}}{quoted(i.description)}"
        lines.append(Line(2, text + ("," if missing or duty else ""), _at(i), align=True))
        if missing:
            # The rule has no span: it is the words before the reporting duty, else the input's last.
            if i.reporting is not None:
                end = _at(i.reporting.party)
                back = len(missing.split()) + 2
            else:
                end = (i.span.end_line, i.span.end_column) if i.span is not None else None
                back = len(missing.split())
            lines.append(Line(2 + name_width, missing + ("," if duty else ""), end, back=back, continues=True))
        if duty:  # anchored at `reported`, two words before the party's name (the comma before stays above)
            lines.append(Line(2 + name_width, duty, _at(i.reporting.party), back=2, continues=True))
    return Block(tuple(lines), end_line=_end(block))


def reporting_duty(d: nodes.ReportingDuty) -> str:
    """`reported by vendor, due the 10th business day of the following month`."""
    text = f"reported by {d.party.text}"
    if d.ordinal is not None:
        text += f", due the {d.ordinal} business day of the following {d.following}"
    return text


def _parties(block: nodes.Parties) -> Block:
    width = max(len(p.name.text) for p in block.parties) + 2
    lines = [Line(0, "parties", _at(block))]
    lines += [Line(2, f'{p.name.text:<{width}}"{p.title}"' + (", may waive" if p.may_waive else ""), _at(p),
                   align=True) for p in block.parties]
    return Block(tuple(lines), end_line=_end(block))


def review(r: nodes.Review) -> str:
    return f"{r.cadence} {r.name}"


def _reviews(block: nodes.Reviews) -> Block:
    lines = [Line(0, "reviews", _at(block))] + [Line(2, review(r), _at(r)) for r in block.reviews]
    return Block(tuple(lines), end_line=_end(block))


def _service_level(sl: nodes.ServiceLevel) -> Block:
    head = ("critical " if sl.critical else "") + f"service level {sl.name.text}"
    if sl.title is not None:
        head += f" {quoted(sl.title)}"
    lines = [Line(0, head + cite(sl), _at(sl))]
    for c in sl.clauses:
        lines += clause_lines(c, 2)
    return Block(tuple(lines), end_line=_end(sl))


# ---------------------------------------------------------------- critical service level failure

def failure_condition(c: nodes.FailureCondition) -> str:
    """`availability is below 95%`, `3 or more service levels are missed in one month`."""
    if isinstance(c, nodes.FailureFloor):
        return f"{c.service_level.text} is {comparison(c.comparison)}"
    return f"{_number(c.count)} or more service levels are missed in one {c.unit}"


def critical_failure_head(cf: nodes.CriticalFailure) -> str:
    """The clause's condition on one line, as explanations quote it (without the colon)."""
    return "critical failure when " + " or when ".join(failure_condition(c) for c in cf.conditions)


def withhold(w: nodes.Withhold) -> str:
    return f"withhold {_number(w.percent)}% of {w.base.text}"


def _critical_failure(cf: nodes.CriticalFailure) -> Block:
    """The head, each further condition on a continuation line (`or when ...`), the colon
    after the last; then each consequence on its own line, two spaces in."""
    texts = [f"or when {failure_condition(c)}" for c in cf.conditions[1:]]
    lines = [Line(0, f"critical failure{cite(cf)} when {failure_condition(cf.conditions[0])}", _at(cf))]
    lines += [Line(4, text, _at(c), back=2, continues=True) for text, c in zip(texts, cf.conditions[1:])]
    lines[-1] = attrs.evolve(lines[-1], text=lines[-1].text + ":")
    if cf.credits_not_accrued is not None:
        lines.append(Line(2, f"credits of that {cf.credits_not_accrued.unit} do not accrue",
                          _at(cf.credits_not_accrued)))
    lines.append(Line(2, withhold(cf.withhold), _at(cf.withhold)))
    if cf.may_terminate is not None:
        lines.append(Line(2, "the client may terminate", _at(cf.may_terminate)))
    return Block(tuple(lines), end_line=_end(cf))


def days(count: Decimal, business: bool) -> str:
    """`30 days`, `1 business day`."""
    return f"{_number(count)} {'business ' if business else ''}day{'s' * (count != 1)}"


def late_credit(d: nodes.Deliverable) -> str:
    """`credit: USD 750 per calendar day late, at most 50% of its price`."""
    text = f"credit: {amount(d.per_day)} per {'business' if d.business else 'calendar'} day late"
    if d.cap_percent is not None:
        text += f", at most {_number(d.cap_percent)}% of its price"
    elif d.cap_money is not None:
        text += f", at most {amount(d.cap_money)}"
    return text


def _deliverable(d: nodes.Deliverable) -> Block:
    head = f"deliverable {d.name.text}" + (f' "{d.title}"' if d.title is not None else "")
    due = d.due_span
    lines = [Line(0, head, _at(d)), Line(2, f"due {d.due}", (due.line, due.column) if due is not None else None, back=1)]
    if d.price is not None:
        lines.append(Line(2, f"price {amount(d.price)}", _at(d.price), back=1))
    if d.until_accepted:
        lines.append(Line(2, "late until accepted"))
    credit = d.credit_span
    lines.append(Line(2, late_credit(d), (credit.line, credit.column) if credit is not None else None))
    return Block(tuple(lines), end_line=_end(d))


def _amendment(amendment: nodes.Amendment) -> Block:
    lines = [Line(0, f"amendment effective {amendment.effective}{cite(amendment)}", _at(amendment))]
    for item in amendment.items:
        if isinstance(item, nodes.AmendedServiceLevel):
            lines.append(Line(2, f"service level {item.name.text}{cite(item)}", _at(item)))
            for c in item.clauses:
                lines += clause_lines(c, 4)
        else:
            lines.append(Line(2, _SECTIONS[type(item)](item), _at(item)))
    return Block(tuple(lines), end_line=_end(amendment))


def clause_lines(c: nodes.Clause, indent: int) -> list[Line]:
    """A service level clause laid out at `indent`: tier rows two spaces further
    in, a cap on a continuation line under the clause's amount."""
    if isinstance(c, nodes.Award):
        form = c.form
        if isinstance(form, nodes.Table) and form.rule != "single":
            head = {"most severe": ", the most severe row applies:", "best": ", the best row applies:",
                    "range": " by range:", "shortfall": " by shortfall:"}[form.rule]
            return [Line(indent, f"{_keyword(c)}{head}", _at(c))] + [
                Line(indent + 2, f"{band(r.band)}: {amount(r.amount)}", _at(r)) for r in form.rows]
        if isinstance(form, (nodes.Linear, nodes.Shortfall)) and form.cap is not None:
            return [Line(indent, _award_text(c) + ",", _at(c)),
                    Line(indent + len(_keyword(c)) + 2, f"at most {amount(form.cap)}", _at(form.cap), back=2,
                         continues=True)]
    return [Line(indent, _CLAUSES[type(c)](c), _at(c))]


def clause(c: nodes.Clause) -> str:
    """One service level clause as written, without its contract clause: `cure: within
    1 month` (a tier table or a capped credit takes more than one line)."""
    if getattr(c, "contract_clause", None) is not None:
        c = attrs.evolve(c, contract_clause=None)
    return "\n".join(line.render() for line in clause_lines(c, 0))


def cite(node) -> str:
    """` clause "C.2.1(b)"`, the contract clause a term names as the source writes it
    (a quote or backslash escaped), or "" when it names none."""
    cited = getattr(node, "contract_clause", None)
    if cited is None:
        return ""
    return f" clause {quoted(cited.text)}"


def quoted(text: str) -> str:
    """A string as the source writes it: in double quotes, a quote or a backslash escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _keyword(node) -> str:
    """A service level clause's keyword and its contract clause: `credit clause "C.2.1(a)"`."""
    keyword = node.kind if isinstance(node, nodes.Award) else {
        nodes.Cure: "cure", nodes.FreePasses: "free passes", nodes.EarnBack: "earn back"}[type(node)]
    return keyword + cite(node)

def _number(value: Decimal) -> str:
    return f"{value:f}"


def _money(value: Decimal) -> str:
    return f"{value:,f}"


def amount(a: nodes.Amount) -> str:
    if isinstance(a, nodes.FixedMoney):
        return f"{a.currency} {_money(a.value)}"
    return f"{_number(a.percent)}% of {_base(a.base)}"


def _base(base: nodes.Base) -> str:
    if isinstance(base, nodes.InputBase):
        return base.name.text
    if isinstance(base, nodes.AtRiskBase):
        return "the amount at risk"
    return "the allocation"


def quantity(q: nodes.Quantity | nodes.Share) -> str:
    """`80%`, `20 seconds`, `500`, or an allowance: `3% of opened`."""
    unit = {"percent": "%", "seconds": " seconds", "minutes": " minutes", "points": " points", None: ""}[q.unit]
    if isinstance(q, nodes.Share):
        return f"{_number(q.percent)}{unit} of {q.base.text}"
    return f"{_number(q.value)}{unit}"


def comparison(c: nodes.Comparison) -> str:
    return f"{c.op} {quantity(c.quantity)}"


def band(b: nodes.Band) -> str:
    if b.kind == "open":
        return comparison(b.first)
    if b.kind == "and":
        return f"{comparison(b.first)} and {comparison(b.second)}"
    first, second = quantity(b.first), quantity(b.second)
    return {"from to": f"from {first} to {second}",
            "from to below": f"from {first} to below {second}",
            "above to": f"above {first} to {second}",
            "above to below": f"above {first} to below {second}"}[b.kind]


def _expr(e: nodes.Expr, parent_precedence: int = 0, right_side: bool = False) -> str:
    if isinstance(e, nodes.Number):
        return _number(e.value)
    if isinstance(e, nodes.Reference):
        return e.name.text
    if isinstance(e, nodes.PeriodLength):
        return f"{e.unit} in the {e.period_word}"
    precedence = 1 if e.op in "+-" else 2
    text = f"{_expr(e.left, precedence)} {e.op} {_expr(e.right, precedence, True)}"
    # Left-associative: a right operand of equal precedence needs parentheses.
    if precedence < parent_precedence or (right_side and precedence == parent_precedence):
        return f"({text})"
    return text


def _award_text(a: nodes.Award) -> str:
    """A credit or bonus on one line, without a tier table's rows or a cap."""
    form = a.form
    if isinstance(form, nodes.Flat):
        return f"{_keyword(a)}: {amount(form.amount)}"
    if isinstance(form, nodes.Table):  # the one-row form; longer tables are clause_lines'
        return f"{_keyword(a)}: {band(form.rows[0].band)}: {amount(form.rows[0].amount)}"
    if isinstance(form, nodes.Linear):
        step = f"{_number(form.step)} " if form.step is not None else ""
        counted = form.counted or plural_noun(form.step_unit)
        rounding = {"up": f"part {counted} count as whole",
                    "down": f"only whole {counted} count",
                    "pro rata": "pro rata"}[form.rounding]
        return (f"{_keyword(a)}: {amount(form.amount)} per {step}{form.step_unit} {form.side} "
                f"{quantity(form.threshold)}, {rounding}")
    return f"{_keyword(a)}: the shortfall in points as a percentage of {_base(form.base)}"


def _plural(unit: str) -> str:
    return unit if unit.endswith("s") else unit + "s"


def _periods(count: Decimal, unit: str) -> str:
    """`1 month`, `3 months`."""
    return f"{_number(count)} {unit if count == 1 else _plural(unit)}"


def window_limit(limit, window_words: str) -> str:
    if isinstance(limit, nodes.FixedMoney):
        return amount(limit)
    return f"{_number(limit.percent)}% of {limit.base.text} in {window_words}"


def _window_cap(cap: nodes.WindowCap) -> str:
    window = cap.window
    if window.kind == "rolling":
        head, those = f"any {_periods(window.length, window.unit)}", f"those {_plural(window.unit)}"
    else:
        head, those = "each contract year", "that year"
    return f"credits in {head} at most {window_limit(cap.limit, those)}"


def termination(t: nodes.Termination) -> str:
    trigger = t.trigger
    if isinstance(trigger, nodes.MissedInARow):
        text = f"{trigger.service_level.text} is missed {_periods(trigger.count, trigger.unit)} in a row"
    elif isinstance(trigger, nodes.MissedInWindow):
        text = (f"{trigger.service_level.text} is missed {_number(trigger.times)} times "
                f"in any {_periods(trigger.length, trigger.unit)}")
    elif isinstance(trigger, nodes.BelowFloor):
        text = f"{trigger.service_level.text} is {comparison(trigger.comparison)} in any {trigger.unit}"
    elif isinstance(trigger, nodes.CreditsExceed):
        text = (f"credits in any {_periods(trigger.length, trigger.unit)} exceed "
                f"{window_limit(trigger.limit, 'those ' + _plural(trigger.unit))}")
    else:
        text = f"{_number(trigger.count)} or more service levels are missed in one {trigger.unit}"
    if t.notice is not None:
        text += f", on {days(t.notice.days, t.notice.business)}' notice"
    return f"terminate when {text}"


def reported(r: nodes.Reported) -> str:
    """`reported to whole seconds`, `reported to 2 decimals, rounding half up`."""
    grid = f"whole {r.whole}" if r.whole is not None else f"{_number(r.decimals)} decimal{'s' * (r.decimals != 1)}"
    return f"reported to {grid}" + (f", rounding {r.mode}" if r.mode is not None else "")


def _earn_back(e: nodes.EarnBack) -> str:
    if e.after is None:
        condition = "when the contract year average meets the target"
    else:
        condition = f"after {_number(e.after)} consecutive met {_plural(e.unit) if e.after != 1 else e.unit}"
    return f"{_keyword(e)}: {_number(e.percent)}% of its credits {condition}"


def _gate(g: nodes.Gate) -> str:
    if g.kind == "no critical missed":
        return "bonus only if no critical service level is missed"
    if g.kind == "all met":
        return "bonus only if all service levels are met"
    names = " and ".join(n.text for n in g.names)
    return f"bonus only if {names} {'is' if len(g.names) == 1 else 'are'} met"


_CLAUSES = {
    nodes.Measured: lambda m: (f"measured as {_averaged(m)}{_expr(m.expr)}" + (", in percent" if m.in_percent else "")
                               + (f", {reported(m.reported)}" if m.reported is not None else "")),
    nodes.Target: lambda t: f"target: {comparison(t.comparison)}",
    nodes.Volume: lambda v: f"measured only when {v.input.text} is {comparison(v.comparison)}",
    nodes.Allocation: lambda a: f"allocation: {amount(a.amount)}",
    nodes.Award: _award_text,
    nodes.Gate: _gate,
    nodes.Cure: lambda c: (f"{_keyword(c)}: within {days(c.periods, c.unit == 'business day')}" if c.in_days
                           else f"{_keyword(c)}: within {_periods(c.periods, c.unit)}"),
    nodes.FreePasses: lambda f: f"{_keyword(f)}: the first {_number(f.count)} {'miss' if f.count == 1 else 'misses'} "
                                "in each contract year",
    nodes.EarnBack: _earn_back,
    nodes.Frequency: lambda f: f"assessed {f.periodicity}",
    nodes.Accountable: lambda a: f"accountable: {a.party.text}",
    nodes.LateReport: lambda r: "late report: " + {"miss": "counts as a miss", "none": "no consequence"}.get(
        r.consequence) if r.amount is None else f"late report: credit {amount(r.amount)}",
}


def _averaged(m: nodes.Measured) -> str:
    return f"the average of the {m.averaged} values of " if m.averaged is not None else ""

_SECTIONS = {
    nodes.AtRisk: lambda t: (f"credits at most {amount(t.amount)} each {t.per}{cite(t)}" if t.as_credits_at_most
                             else f"at risk{cite(t)}: {amount(t.amount)} each {t.per}"),
    nodes.BonusLimit: lambda t: f"bonuses at most {amount(t.amount)} each {t.per}{cite(t)}",
    nodes.Netting: lambda t: {"paid separately": "bonuses are paid separately", "offset": "bonuses offset credits",
                              "only offset": "bonuses only offset credits"}[t.policy] + cite(t),
    nodes.WindowCap: lambda t: _window_cap(t) + cite(t),
    nodes.Invoicing: lambda t: "credits are applied to the next invoice",
    nodes.Indexation: lambda t: (f"amounts indexed to {t.index.text}, base {t.base}, adjusted each contract year"
                                 + (f", rounded to {t.minor_unit}" if t.minor_unit else "")),
    nodes.Termination: lambda t: termination(t) + cite(t),
    nodes.StreakPolicy: lambda p: {"waived misses do not count": "waived misses do not count toward termination",
                                   "excluded periods break streaks": "excluded periods break streaks"}[p.policy],
}
