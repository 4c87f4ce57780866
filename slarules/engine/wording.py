"""What a line item says: its head and its sentence, worked out from the terms alone.

Input: compiled Terms. Output: its Wording, one per Terms (codegen.wording_of: kept
with the terms' generated module, whose heads it made): `line_head(...)` makes an
outcome.LineHead (the clause, its contract clause, the accountable party, the
sentence's function and first arguments), and the `*_text` methods are those
functions. A line item's record is (its head, amount, *what its sentence reads),
and `sentence(record)` builds its sentence when it is read. The generated
module makes the heads of the rows, amounts and caps it writes lines for once,
when it is compiled; the evaluator asks here for the others (award_head,
held_head, earn_back_head), each made once and kept: a one-period billing call
makes no head it has made before. A sentence depends on the terms (the
currency's digits, the period's noun), never on the evaluation.
"""
from __future__ import annotations

from decimal import Decimal

from ..core.money import format_beside, format_money, format_number
from ..core.periods import PERIOD_NOUN
from .outcome import EARN_BACK, LineHead

UNIT_SUFFIX = {"percent": "%", "seconds": " seconds", "minutes": " minutes"}


def sentence(line: tuple) -> str:
    """The sentence explaining a line item, from its record (head, amount, *the rest; see
    outcome.LineHead): the record bound to this function is the Line's explanation, one
    small object per line."""
    head = line[0]
    return head.text(*head.fixed, *line[1:])


class Wording:
    """The heads and sentences of the line items of one version of the terms."""

    def __init__(self, terms) -> None:
        self.terms = terms
        self.digits = terms.rounding.digits
        self.period_noun = PERIOD_NOUN[terms.calendar.periodicity]
        self.owner = terms.roles.accountable  # service level (None: period-wide) -> accountable party
        # The heads made at run time, by the identities of the objects they hold (so kept alive).
        self.heads: dict[tuple, LineHead] = {}

    def line_head(self, service_level: str | None, kind: str, clause, text, *fixed) -> LineHead:
        """The head of the line items of one kind from one clause (outcome.LineHead): its
        sentence `text(*fixed, amount, *the rest of the line)`."""
        return LineHead(service_level, kind, clause, self.owner.get(service_level), self.terms.cited(clause),
                        text, fixed)

    def award_head(self, sl, award, source) -> LineHead:
        """The head of a credit's or bonus's line from `source` (a row, the clause's amount, or
        None: its cap)."""
        key = ("award", id(award), id(source))
        head = self.heads.get(key)
        if head is None:
            clause = source.clause if source is not None else award.cap_clause
            head = self.heads[key] = self.line_head(sl.name, award.kind, clause, self.award_text, sl, award, source)
        return head

    def held_head(self, name: str, held) -> LineHead:
        """The head of a held line (carry.PendingLine) of service level `name` falling due."""
        key = ("held", name, held.kind, id(held.span))
        head = self.heads.get(key)
        if head is None:
            head = self.heads[key] = self.line_head(name, held.kind, held.span, self.held_text, name)
        return head

    def earn_back_head(self, sl) -> LineHead:
        """The head of service level `sl`'s earn-back lines."""
        rule = sl.earn_back
        key = ("earn back", id(rule))
        head = self.heads.get(key)
        if head is None:
            head = self.heads[key] = self.line_head(sl.name, EARN_BACK, rule.clause, self.earn_back_text, sl, rule)
        return head

    # ---- the sentences, built when a line's explanation is read
    def periods_text(self, count: int, quarterly=None) -> str:
        return f"{count} {self.period_noun if quarterly is None else quarterly.noun}{'s' * (count != 1)}"

    def fmt(self, amount: Decimal) -> str:
        return format_money(amount, self.digits)

    def award_text(self, sl, award, source, amount, value, note, detail, env) -> str:
        if value is None:
            head = f"{sl.name} {note.split('; ')[0]}; counts as a miss: the maximum {award.kind} applies"
        else:
            threshold = sl.threshold_in(env)  # a share target's: worked out from the period's inputs
            if sl.reported_text is None:
                shown = format_beside(value, threshold) + UNIT_SUFFIX.get(sl.unit, "")
            else:  # on the grid, with the grid's digits: 99.50%
                shown = f"{value:,f}{UNIT_SUFFIX.get(sl.unit, '')} ({sl.reported_text})"
            status = "met" if award.kind == "bonus" else "missed"
            target = sl.target_text if sl.allowance is None else f"{sl.target_text} ({format_number(threshold)})"
            head = f"{sl.name} {shown} {status} target {target}"
        # No source: the data was not reported and the award's cap applies.
        explained = source.explain(env, detail) if source is not None else f"its cap, {award.cap.describe(env)}"
        return f"{head}; {explained} = {self.fmt(amount)}"

    def cap_text(self, sl, award, cut, env, amount, limit) -> str:
        return f"{sl.name} {award.kind} {self.fmt(amount)} capped at {award.cap.describe(env)} = {self.fmt(limit)}"

    def held_text(self, name, amount, missed_in, label, held) -> str:
        return f"{name} missed in {missed_in}, not cured by {label}: {held.text}"

    def earn_back_text(self, sl, rule, amount, returned, basis, streak, average) -> str:
        if streak is not None:
            reason = f"met {self.periods_text(streak)} in a row"
        else:
            reason = f"the contract year average {format_number(average)} meets the target {sl.target_text}"
        return f"{sl.name} {reason}: {rule.text}; credits of {self.fmt(basis)} -> {self.fmt(returned)} returned"

    def period_cap_text(self, what, cap_name, cap, cut, env, total, limit) -> str:
        return f"{what} {self.fmt(total)} exceed {cap_name}, {cap.amount.describe(env)} = {self.fmt(limit)}"

    def window_cap_text(self, rule, cut, first, label, earlier, credits, limit) -> str:
        return (f"credits from {first} to {label}, {self.fmt(earlier)} before this period and {self.fmt(credits)} "
                f"in it, exceed {rule.text} = {self.fmt(limit)}")

    def replaced_text(self, rule, amount, failure, own_credits) -> str:
        return (f"critical failure ({failure}): credits of {self.fmt(own_credits)} of this "
                f"{self.period_noun} do not accrue")

    def withhold_text(self, rule, withheld, failure, env) -> str:
        return f"critical failure ({failure}): {rule.withhold.describe(env)} withheld = {self.fmt(withheld)}"

    def forfeit_text(self, forfeited, bonuses, credits, excess) -> str:
        return (f"bonuses {self.fmt(bonuses)} exceed credits {self.fmt(credits)}; "
                f"bonuses only offset credits, so {self.fmt(excess)} is forfeited")
