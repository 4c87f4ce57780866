"""Part 6 of the document, the amendments: each one's date and what carries
across it, the clauses it restates (replacing or adding), and the clauses it
does not restate but whose meaning follows what it changed.
"""
from __future__ import annotations

from ...core.periods import Calendar
from ...language import nodes
from .clauses import Clause
from .terms import Terms, _clause_name, _node_of
from .words import _code, _month, _xref


class AmendmentTerms(Terms):
    """The opening of an amendment's clauses."""

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


class AmendmentClauses:
    """The amendments' clauses, for the explainer (explainer.py), which numbers them."""

    def amendment_clauses(self) -> list[Clause]:
        clauses = []
        # Where each clause of the terms in force is stated: its number, kept current as amendments apply.
        in_force = dict(self.numbers)
        for i, amendment in enumerate(self.ruleset.amendments, 1):
            before = self.terms(self.versions[i - 1])
            after = self.terms(self.versions[i])
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
