"""Parties, reporting duties and reviews: who the contract binds, who reports each input
and by when, who answers for each service level, who may waive, and when the sides meet.

Roles are opt-in: a ruleset that names no parties and gives no role is checked as
before. A name in `reported by` or `accountable:` must be a party (SLA266). Once the
contract names its parties, what a lawyer would ask about is a warning: an input nobody
reports (SLA267), a waiver power given to nobody (SLA268), a service level nobody answers
for (SLA269). A `late report:` clause on a service level whose inputs have no due day
can never apply (SLA270, a warning, as an unused input is). A due day the following
period may not have (the 21st business day of a month: February has 20) is an error
(SLA271), as are a party or review named twice (SLA265, SLA272) and a review more
frequent than the assessment period (SLA272).
"""
from __future__ import annotations

from ...core.diagnostics import did_you_mean
from ...core.periods import MONTHS_PER_PERIOD, PERIOD_NOUN
from .. import nodes
from .base import Checks

# The fewest business days (Monday to Friday) a month, quarter or year can have: February
# of a common year starting on a Monday has 20; a quarter of 90 days has 64; a year 260.
FEWEST_BUSINESS_DAYS = {"month": 20, "quarter": 64, "year": 260}
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}
REVIEW_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12, "annual": 12}


def ordinal_suffix(rank: int) -> str:
    """`st`, `nd`, `rd` or `th`, as English writes the rank: 1st, 2nd, 11th, 21st, 112th."""
    return "th" if rank % 100 in (11, 12, 13) else _SUFFIX.get(rank % 10, "th")


class PartyChecks(Checks):
    """The parties section, the inputs' reporting duties, accountability, reviews."""

    def parties_and_duties(self):
        parties: dict[str, nodes.Party] = {}
        for party in self.ruleset.parties:
            first = parties.setdefault(party.name.text, party)
            if first is not party:
                self.error("SLA265", f"party '{party.name.text}' is named twice", party.name.span,
                           *([f"the first is at line {first.name.span.line}"] if first.name.span else []))
        self.parties = parties
        named = bool(parties)
        for inp in self.ruleset.inputs:
            duty = inp.reporting
            if duty is None:
                if named:
                    self.warning("SLA267", f"nobody reports input '{inp.name.text}'", inp.name.span,
                                 "the contract names its parties; say who reports it: ', reported by PARTY' "
                                 f"(the parties are: {', '.join(parties)})")
                continue
            self.party_known(duty.party)
            if duty.ordinal is not None:
                self.due_day(duty)
        if named and not any(p.may_waive for p in parties.values()):
            first = self.ruleset.of_type(nodes.Parties)[0]
            self.warning("SLA268", "no party may waive a service level", first.span,
                         "a waiver needs a party with the power to grant it; "
                         "add ', may waive' to that party (usually the client)")
        due_inputs = {i.name.text for i in self.ruleset.inputs if i.reporting and i.reporting.ordinal}
        for sl in self.ruleset.service_levels:
            if sl.accountable is not None:
                self.party_known(sl.accountable.party)
            elif named:
                self.warning("SLA269", f"nobody is accountable for service level '{sl.name.text}'", sl.name.span,
                             "add 'accountable: PARTY', the party that answers for it "
                             f"(the parties are: {', '.join(parties)})")
            late = sl.late_report
            if late is None:
                continue
            if late.amount is not None:
                self.amount(late.amount, sl)
            if not self.reads(sl) & due_inputs:
                self.warning("SLA270", f"the late report clause of '{sl.name.text}' can never apply", late.span,
                             "none of the inputs it measures has a due day: add ', reported by PARTY, due the "
                             "10th business day of the following month' to an input it reads")
        self.reviews()

    def party_known(self, name: nodes.Name) -> bool:
        if name.text in self.parties:
            return True
        if not self.parties:
            self.error("SLA266", f"unknown party '{name.text}'", name.span,
                       "the contract names no parties: name them in a 'parties' section, "
                       f"such as: parties  {name.text} \"Its Legal Name Ltd\"")
        else:
            self.error("SLA266", f"unknown party '{name.text}'", name.span,
                       *(did_you_mean(name.text, self.parties) or (f"the parties are: {', '.join(self.parties)}",)))
        return False

    def due_day(self, duty: nodes.ReportingDuty):
        rank = duty.due_day
        suffix = duty.ordinal[len(str(rank)):] if duty.ordinal.startswith(str(rank)) else None
        following = PERIOD_NOUN[self.periodicity] if duty.following == "period" else duty.following
        fewest = FEWEST_BUSINESS_DAYS[following]
        if rank < 1 or rank > fewest:
            self.error("SLA271", f"a {following} may not have a {duty.ordinal} business day", duty.ordinal_span,
                       f"a {following} has at least {fewest} business days (Monday to Friday): "
                       f"the due day is the 1st to the {fewest}th")
        elif suffix != ordinal_suffix(rank):
            self.error("SLA271", f"'{duty.ordinal}' is not how the rank is written", duty.ordinal_span,
                       f"write the {rank}{ordinal_suffix(rank)}")

    def reviews(self):
        seen: dict[tuple[str, str], nodes.Review] = {}
        months = MONTHS_PER_PERIOD[self.periodicity]
        for review in self.ruleset.reviews:
            key = (REVIEW_MONTHS[review.cadence], review.name)
            if key in seen:
                self.error("SLA272", f"the {review.cadence} {review.name} is scheduled twice", review.span)
            seen.setdefault(key, review)
            if REVIEW_MONTHS[review.cadence] < months:
                self.error("SLA272", f"a {review.cadence} review meets more often than the contract is assessed "
                           f"({self.periodicity})", review.span,
                           "a review looks at whole periods: make it as long as the assessment period or longer")

    @staticmethod
    def reads(sl: nodes.ServiceLevel) -> set[str]:
        """The inputs a service level's measurement and volume condition read."""
        names: set[str] = set()
        stack = [sl.measured.expr] if sl.measured is not None else []
        while stack:
            expr = stack.pop()
            if isinstance(expr, nodes.Reference):
                names.add(expr.name.text)
            elif isinstance(expr, nodes.BinaryOp):
                stack += [expr.left, expr.right]
        if sl.volume is not None:
            names.add(sl.volume.input.text)
        return names
