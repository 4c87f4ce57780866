"""The explainer: numbers every clause of the ruleset and of its amendments
before any sentence is written (so a clause can refer to a later one), then
has the clause families write the parts of the document; `explain()` renders
it.
"""
from __future__ import annotations

import attrs

from ...core.version import version
from ...language import nodes
from ...language.citations import cited_by_span
from ...language.fingerprint import fingerprint
from ...language.semantics import amended
from .allowances import AllowanceTerms
from .amendments import AmendmentClauses, AmendmentTerms
from .awards import AwardTerms
from .billing_terms import BillingTerms
from .clauses import Document, Part
from .contract import ContractTerms
from .critical_failure import CriticalFailureTerms
from .days import DayTerms
from .limits import LimitTerms
from .literate import to_literate_html
from .render import _RENDERERS, FORMATS
from .roles import RoleTerms
from .service_levels import ServiceLevelTerms
from .spanning import SpanningTerms
from .words import _code, _plain, _xref


def explain(ruleset: nodes.Ruleset, format: str = "text") -> str:
    """The ruleset as numbered plain-English clauses, in `format` ("text", "markdown" or "html");
    the HTML of a literate ruleset sets the contract's wording beside them (literate.py)."""
    if format not in _RENDERERS:
        raise ValueError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    if format == "html" and ruleset.source is not None and ruleset.source.literate:
        return to_literate_html(document(ruleset), ruleset.source)
    return _RENDERERS[format](document(ruleset))


def document(ruleset: nodes.Ruleset) -> Document:
    """The clauses of the ruleset, before rendering."""
    return _Explainer(ruleset).document()


class _Terms(ContractTerms, ServiceLevelTerms, AwardTerms, AllowanceTerms, LimitTerms, SpanningTerms,
             CriticalFailureTerms, AmendmentTerms, RoleTerms, BillingTerms, DayTerms):
    """The sentences for one version of the terms, every clause family together."""


class _Explainer(AmendmentClauses):
    """Numbers every clause of the ruleset (and of its amendments), then writes them."""

    def __init__(self, ruleset: nodes.Ruleset):
        self.ruleset = ruleset
        self.path = ruleset.source.path if ruleset.source is not None else "<string>"
        self.numbers: dict[tuple, str] = {}
        self.cited = cited_by_span(ruleset)
        self.versions = self._versions()
        self._number()

    def _versions(self) -> list[nodes.Ruleset]:
        """The terms as signed, then as each amendment leaves them."""
        versions = [attrs.evolve(self.ruleset, amendments=())]
        for amendment in self.ruleset.amendments:
            versions.append(amended(versions[-1], amendment))
        return versions

    def _number(self) -> None:
        ruleset = self.ruleset
        for i, sl in enumerate(ruleset.service_levels, 1):
            self.numbers[("sl", sl.name.text)] = f"3.{i}"
            for j, key in enumerate(_Terms._sub_keys_of(sl), 1):
                self.numbers[("sl", sl.name.text, key)] = f"3.{i}.{j}"
        after = len(ruleset.service_levels) + 1  # 3.(after): what all deliverables share, then each one
        if ruleset.deliverables:
            self.numbers[("deliverables",)] = f"3.{after}"
        for i, d in enumerate(ruleset.deliverables, after + 1):
            self.numbers[("deliverable", d.name.text)] = f"3.{i}"
        for i, (key, _) in enumerate(self._limit_items(ruleset), 1):
            self.numbers[key] = f"4.{i}"
        for i, (key, _) in enumerate(self._termination_items(ruleset), 1):
            self.numbers[key] = f"5.{i}"
        for i, amendment in enumerate(ruleset.amendments, 1):
            self.numbers[("amendment", i)] = f"6.{i}"

    @staticmethod
    def _limit_items(ruleset: nodes.Ruleset) -> list[tuple[tuple, object]]:
        credits = any(sl.credit is not None for sl in ruleset.service_levels)
        bonuses = any(sl.bonus is not None for sl in ruleset.service_levels)
        items: list[tuple[tuple, object]] = []
        at_risk = ruleset.of_type(nodes.AtRisk)
        if at_risk:
            items.append((("at risk",), at_risk[0]))
        elif credits:
            items.append((("at risk",), None))
        for i, cap in enumerate(ruleset.of_type(nodes.WindowCap)):
            items.append((("window", i), cap))
        for failure in ruleset.of_type(nodes.CriticalFailure)[:1]:  # check allows one
            items.append((("critical failure",), failure))
        limit = ruleset.of_type(nodes.BonusLimit)
        if limit:
            items.append((("bonus limit",), limit[0]))
        elif bonuses:
            items.append((("bonus limit",), None))
        netting = ruleset.of_type(nodes.Netting)
        if netting:
            items.append((("netting",), netting[0]))
        elif bonuses:
            items.append((("netting",), None))
        for kind, node in (("invoicing", nodes.Invoicing), ("indexation", nodes.Indexation)):
            items += [((kind,), term) for term in ruleset.of_type(node)[:1]]
        if not items:
            items.append((("nothing",), None))
        return items

    @staticmethod
    def _termination_items(ruleset: nodes.Ruleset) -> list[tuple[tuple, object]]:
        terminations = ruleset.of_type(nodes.Termination)
        items: list[tuple[tuple, object]] = [(("trigger", i), t) for i, t in enumerate(terminations)]
        items += [(("critical failure right",), f.may_terminate) for f in ruleset.of_type(nodes.CriticalFailure)[:1]
                  if f.may_terminate is not None]
        if not items:
            items.append((("no trigger",), None))
        policies = {p.policy: p for p in ruleset.of_type(nodes.StreakPolicy)}
        counting = any(not isinstance(t.trigger, (nodes.BelowFloor, nodes.CreditsExceed)) for t in terminations)
        if counting or policies:
            items.append((("policy", "waived"), policies.get("waived misses do not count")))
            items.append((("policy", "excluded"), policies.get("excluded periods break streaks")))
        return items

    def terms(self, version: nodes.Ruleset) -> _Terms:
        """The sentences for one version of the terms, with the clause numbers of the whole document."""
        return _Terms(version, self.path, self.numbers, self.cited)

    def unless_reported(self) -> str:
        """The preface's exception for service levels reported on a grid (`reported to whole seconds`)."""
        gridded = any(sl.measured is not None and sl.measured.reported is not None
                      for version in self.versions for sl in version.service_levels)
        return " (except to the grid a service level states its value is reported on)" if gridded else ""

    def document(self) -> Document:
        terms = self.terms(self.versions[0])
        preface = (
            f"The service level terms of {_code(self.path)}, clause by clause, in plain English. "
            "\u201cThe vendor\u201d is the party that provides the services and owes service credits; "
            "\u201cthe client\u201d is the party that receives them and owes bonuses. Values and amounts are "
            "exact: no measured value is "
            f"rounded before it is compared{self.unless_reported()}, and each amount of money is rounded once, as {_xref('1.2')} says. Each "
            "clause ends with the line of the ruleset it comes from, after the signed contract's clause where the "
            "ruleset names it; \u201cdefault; not stated\u201d marks a rule "
            "that applies because the ruleset says nothing on the point.")
        parts = [
            Part("1", "The contract", None, tuple(terms.header_clauses())),
            Part("2", "Reported figures",
                 f"For each {terms.noun} the following figures are reported; the terms below use no other data. A "
                 f"figure marked \u201crequired\u201d must be reported for every {terms.noun}: without it the "
                 f"{terms.noun} cannot be assessed, and the data are rejected, naming the {terms.noun} and the "
                 "figure.",
                 tuple(terms.input_clauses())),
            Part("3", "Service levels", terms.service_levels_intro(),
                 (*terms.service_level_clauses(), *terms.deliverable_clauses())),
            Part("4", "Limits on credits and bonuses, and netting", None,
                 tuple(terms.limit_clauses(self._limit_items(self.versions[0])))),
            Part("5", "Termination", terms.termination_intro(),
                 tuple(terms.termination_clauses(self._termination_items(self.versions[0])))),
        ]
        if self.ruleset.amendments:
            parts.append(Part("6", "Amendments", "Each period is assessed under the terms in force in it.",
                              tuple(self.amendment_clauses())))
        identity = f"Ruleset fingerprint {fingerprint(self.ruleset)}, slarules {version()}."
        return Document(_plain(self.ruleset.contract.title), preface, tuple(parts), identity)
