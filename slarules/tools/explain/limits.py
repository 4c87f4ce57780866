"""Part 4 of the document: the limits on credits and bonuses (the amount at
risk, caps over windows or contract years, the bonus limit) and how bonuses
meet credits (netting), each stated or its default.
"""
from __future__ import annotations

from decimal import Decimal

from ...language import nodes
from .clauses import Clause
from .terms import Terms
from .words import _and, _code, _computed, _count, _num, _xref


class LimitTerms(Terms):
    """Caps, windows and netting."""

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
        if kind in ("invoicing", "indexation"):
            return self.billing_clause(kind, node)
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
