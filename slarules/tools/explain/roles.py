"""Who answers for what: the parties and the reviews (clauses of part 1), who reports each
figure and by when (in its clause of part 2), who is accountable for a service level and
what a late report of its figures costs (sub-clauses of part 3). Nothing is said where the
ruleset names no parties, duties or reviews, so a ruleset without them reads as before.
"""
from __future__ import annotations

from ...language import nodes
from ...language.check.parties import REVIEW_MONTHS
from .clauses import Clause
from .terms import Terms
from .words import _and, _code, _plain, _xref

_CADENCE = {1: "every month", 3: "every quarter", 12: "every year"}


class RoleTerms(Terms):
    """Parties, reporting duties, accountability, late reports and reviews."""

    def party_words(self, name: str) -> str:
        """`the vendor (Contoso Workplace Services Ltd)`, or the name alone when it is no party."""
        for party in self.ruleset.parties:
            if party.name.text == name:
                return f"{_code(name)} ({_plain(party.title)})"
        return _code(name)

    def role_clauses(self, first: int) -> list[Clause]:
        """1.5 Parties and 1.6 Reviews, numbered from `first`, where the ruleset states them."""
        clauses = []
        number = first
        blocks = self.ruleset.of_type(nodes.Parties)
        if blocks:
            parties = self.ruleset.parties
            named = _and([f"{_plain(p.title)}, called {_code(p.name.text)}" for p in parties])
            waivers = [p for p in parties if p.may_waive]
            if waivers:
                who = _and([_code(p.name.text) for p in waivers])
                waive = (f"Only {who} may waive a service level's credit for a {self.noun}; a waiver given by "
                         "anyone else has no effect.")
            else:
                waive = "The ruleset gives no party the power to waive a service level's credit."
            clauses.append(Clause(f"1.{number}", "Parties", f"The parties are {named}. {waive}",
                                  (self.ref(blocks[0]),)))
            number += 1
        reviews = self.ruleset.reviews
        if reviews:
            held = _and([f"the {_plain(r.name)} {_CADENCE[REVIEW_MONTHS[r.cadence]]}" for r in reviews])
            clauses.append(Clause(
                f"1.{number}", "Reviews",
                f"The parties meet for {held}. Each review looks at the {self.nouns} since the one before: each "
                "service level against its target, the credits and bonuses, the rights to terminate that arose, "
                "the reports that came late and the cure windows still open (`slarules report --review`).",
                (self.ref(self.ruleset.of_type(nodes.Reviews)[0]),)))
        return clauses

    def reporting_text(self, inp: nodes.Input) -> str:
        """The sentence of an input's clause that says who reports it and by when ('' if nobody)."""
        duty = inp.reporting
        if duty is None:
            return ""
        text = f" It is reported by {self.party_words(duty.party.text)}"
        if duty.ordinal is None:
            return text + "."
        return (text + f", by the {duty.ordinal} business day (Monday to Friday) of the {duty.following} after "
                f"the {self.noun} it measures; a report that arrives later is late.")

    def accountable_text(self, sl: nodes.ServiceLevel) -> str:
        return (f"{self.party_words(sl.accountable.party.text)} answers for {_code(sl.name.text)}: its credits, "
                "and the rights to terminate its misses give, are stated against that party.")

    def late_report_text(self, sl: nodes.ServiceLevel) -> str:
        rule = sl.late_report
        due = [i for i in self.ruleset.inputs if i.reporting is not None and i.reporting.ordinal is not None
               and i.name.text in self.reads(sl)]
        figures = _and([f"{_code(i.name.text)} ({_xref(self.input_number(i.name.text))})" for i in due])
        when = f"If the report of {figures} arrives after its due day" if due else \
            "No figure it reads has a due day, so this never applies; if one had, and the report arrived late"
        if rule.consequence == "miss":
            then = (f", {_code(sl.name.text)} counts as missed that {self.noun}, as if the figures were not "
                    "reported: its credit is the most its clause allows, and the miss counts toward termination.")
        elif rule.consequence == "credit":
            then = (f", a late-report credit of {self.amount(rule.amount, sl)} is owed for that {self.noun}, "
                    "beside any other credit and within the same limits.")
        else:
            then = f", that is recorded, and has no consequence for {_code(sl.name.text)}."
        return when + then + " A waived or excluded service level is not affected."
