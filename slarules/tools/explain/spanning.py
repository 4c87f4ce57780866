"""The terms that span periods: a service level's cure period, free passes and
earn-back, and part 5 of the document, termination (each trigger, what counts
as a miss toward it, and the rules for waived misses and excluded periods).
"""
from __future__ import annotations

from ...core.money import HUNDRED
from ...language import nodes
from .clauses import Clause
from .terms import Terms
from .words import _and, _code, _computed, _count, _num, _or, _ordinal, _qty, _xref


class SpanningTerms(Terms):
    """Cure, free passes, earn-back and termination."""

    def cure_text(self, sl: nodes.ServiceLevel) -> str:
        cure, name = sl.cure, _code(sl.name.text)
        if cure.in_days:
            return self.cure_days_text(sl)
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

    def termination_intro(self) -> str | None:
        if not self.ruleset.of_type(nodes.Termination) and ("critical failure right",) not in self.numbers:
            return None
        return (f"The client's right to terminate arises in a {self.noun} in which one of these conditions "
                f"holds; \"arises\" means the client may then terminate, not that it must, and assessment goes on. "
                f"Once a condition has given a right, it is counted afresh from the next {self.noun}: the "
                f"{self.nouns} before that no longer count toward it, so a later run of failures gives a new "
                "right (reported as its second, third... occurrence), whether the client let the first lapse "
                "or waived it.")

    def termination_clauses(self, items) -> list[Clause]:
        clauses = []
        for key, node in items:
            if key[0] == "trigger":
                heading, body = self.trigger_text(node)
                if node.notice is not None:
                    body += self.notice_text(node.notice)
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

    def trigger_number(self, termination: nodes.Termination) -> str:
        index = self.ruleset.of_type(nodes.Termination).index(termination)
        return self.numbers[("trigger", index)]

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
