"""Printer: nodes.Ruleset -> canonical source text.

Input: any Ruleset (parsed or built by hand, as the property tests do).
Output: source text in the canonical layout, which parses back to an equal
Ruleset (spans aside). Numbers are printed exactly as their Decimal value,
money with thousands separators. Comments are not part of the tree, so they
are not printed.
"""
from __future__ import annotations

from decimal import Decimal

from . import nodes


def to_source(ruleset: nodes.Ruleset) -> str:
    parts = [_contract(ruleset.contract)]
    for section in ruleset.sections:
        parts.append(_SECTIONS[type(section)](section))
    for amendment in ruleset.amendments:
        parts.append(_amendment(amendment))
    return "\n\n".join(parts) + "\n"


def _amendment(amendment: nodes.Amendment) -> str:
    lines = [f"amendment effective {amendment.effective}"]
    for item in amendment.items:
        if isinstance(item, nodes.AmendedServiceLevel):
            lines.append(f"  service level {item.name.text}")
            lines += [f"    {clause(c)}" for c in item.clauses]
        else:
            lines.append("  " + _SECTIONS[type(item)](item))
    return "\n".join(lines)


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    return text


def _money(value: Decimal) -> str:
    return f"{value:,f}"


def _contract(contract: nodes.Contract) -> str:
    terms = ", ".join(_TERMS[type(t)](t) for t in contract.terms)
    return f'contract "{contract.title}"\n  {terms}'


_TERMS = {
    nodes.Currency: lambda t: f"currency {t.code}",
    nodes.Assessed: lambda t: f"assessed {t.periodicity}",
    nodes.Rounding: lambda t: f"rounding {t.mode}" + (f" to {t.minor_unit}" if t.minor_unit else ""),
    nodes.Starts: lambda t: f"starts {t.month}",
}


def _inputs(block: nodes.Inputs) -> str:
    width = max(len(i.name.text) for i in block.inputs)
    lines = ["inputs"]
    for i in block.inputs:
        line = f"  {i.name.text:<{width}}  {i.unit}"
        if i.description is not None:
            line += f' "{i.description}"'
        if isinstance(i.missing, nodes.DefaultValue):
            line += f", default {_number(i.missing.value)}"
        elif isinstance(i.missing, nodes.MissingIsMiss):
            line += ", missing counts as a miss"
        lines.append(line)
    return "\n".join(lines)


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


def quantity(q: nodes.Quantity) -> str:
    unit = {"percent": "%", "seconds": " seconds", "minutes": " minutes", None: ""}[q.unit]
    return f"{_number(q.value)}{unit}"


def comparison(c: nodes.Comparison) -> str:
    return f"{c.op} {quantity(c.quantity)}"


def band(b: nodes.Band) -> str:
    if b.kind == "open":
        return comparison(b.first)
    first, second = quantity(b.first), quantity(b.second)
    return {"from to": f"from {first} to {second}",
            "from to below": f"from {first} to below {second}",
            "above to": f"above {first} to {second}"}[b.kind]


def _expr(e: nodes.Expr, parent_precedence: int = 0, right_side: bool = False) -> str:
    if isinstance(e, nodes.Number):
        return _number(e.value)
    if isinstance(e, nodes.Reference):
        return e.name.text
    precedence = 1 if e.op in "+-" else 2
    text = f"{_expr(e.left, precedence)} {e.op} {_expr(e.right, precedence, True)}"
    # Left-associative: a right operand of equal precedence needs parentheses.
    if precedence < parent_precedence or (right_side and precedence == parent_precedence):
        return f"({text})"
    return text


def _rows(rows) -> str:
    return "".join(f"\n    {band(r.band)}: {amount(r.amount)}" for r in rows)


def _award(a: nodes.Award) -> str:
    form = a.form
    if isinstance(form, nodes.Flat):
        return f"{a.kind}: {amount(form.amount)}"
    if isinstance(form, nodes.Table):
        if form.rule == "single":
            return f"{a.kind}: {band(form.rows[0].band)}: {amount(form.rows[0].amount)}"
        head = {"most severe": ", the most severe row applies:", "best": ", the best row applies:",
                "range": " by range:"}[form.rule]
        return f"{a.kind}{head}{_rows(form.rows)}"
    if isinstance(form, nodes.Linear):
        step = f"{_number(form.step)} " if form.step is not None else ""
        rounding = {"up": f"part {_plural(form.step_unit)} count as whole",
                    "down": f"only whole {_plural(form.step_unit)} count",
                    "pro rata": "pro rata"}[form.rounding]
        text = (f"{a.kind}: {amount(form.amount)} per {step}{form.step_unit} {form.side} "
                f"{quantity(form.threshold)}, {rounding}")
        return text + (f",\n      at most {amount(form.cap)}" if form.cap is not None else "")
    text = f"{a.kind}: the shortfall in points as a percentage of {_base(form.base)}"
    return text + (f", at most {amount(form.cap)}" if form.cap is not None else "")


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
    return f"terminate when {text}"


def _earn_back(e: nodes.EarnBack) -> str:
    if e.after is None:
        condition = "when the contract year average meets the target"
    else:
        condition = f"after {_number(e.after)} consecutive met {_plural(e.unit) if e.after != 1 else e.unit}"
    return f"earn back: {_number(e.percent)}% of its credits {condition}"


def _gate(g: nodes.Gate) -> str:
    if g.kind == "no critical missed":
        return "bonus only if no critical service level is missed"
    if g.kind == "all met":
        return "bonus only if all service levels are met"
    names = " and ".join(n.text for n in g.names)
    return f"bonus only if {names} {'is' if len(g.names) == 1 else 'are'} met"


_CLAUSES = {
    nodes.Measured: lambda m: f"measured as {_expr(m.expr)}" + (", in percent" if m.in_percent else ""),
    nodes.Target: lambda t: f"target: {comparison(t.comparison)}",
    nodes.Volume: lambda v: f"measured only when {v.input.text} is {comparison(v.comparison)}",
    nodes.Allocation: lambda a: f"allocation: {amount(a.amount)}",
    nodes.Award: _award,
    nodes.Gate: _gate,
    nodes.Cure: lambda c: f"cure: within {_periods(c.periods, c.unit)}",
    nodes.FreePasses: lambda f: f"free passes: the first {_number(f.count)} {'miss' if f.count == 1 else 'misses'} "
                                "in each contract year",
    nodes.EarnBack: _earn_back,
}


def clause(c: nodes.Clause) -> str:
    """One service level clause as written: `cure: within 1 month`."""
    return _CLAUSES[type(c)](c)


def _service_level(sl: nodes.ServiceLevel) -> str:
    head = ("critical " if sl.critical else "") + f"service level {sl.name.text}"
    if sl.title is not None:
        head += f' "{sl.title}"'
    return "\n".join([head] + [f"  {_CLAUSES[type(c)](c)}" for c in sl.clauses])


_SECTIONS = {
    nodes.Inputs: _inputs,
    nodes.AtRisk: lambda t: f"at risk: {amount(t.amount)} each {t.per}",
    nodes.BonusLimit: lambda t: f"bonuses at most {amount(t.amount)} each {t.per}",
    nodes.Netting: lambda t: {"paid separately": "bonuses are paid separately", "offset": "bonuses offset credits",
                              "only offset": "bonuses only offset credits"}[t.policy],
    nodes.WindowCap: _window_cap,
    nodes.Termination: termination,
    nodes.StreakPolicy: lambda p: {"waived misses do not count": "waived misses do not count toward termination",
                                   "excluded periods break streaks": "excluded periods break streaks"}[p.policy],
    nodes.ServiceLevel: _service_level,
}
