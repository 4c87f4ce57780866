"""A whole ruleset: the contract header, its sections in source order, and its
amendments (terms in force from a month on).
"""
from __future__ import annotations

from typing import Union

import attrs

from ...core.source import Source, Span
from .contract import Contract, Indexation, Input, Inputs, Invoicing, Parties, Party, Review, Reviews
from .period_terms import (AtRisk, BonusLimit, CriticalFailure, Deliverable, Netting, StreakPolicy, Termination,
                           WindowCap)
from .service_levels import AmendedServiceLevel, ServiceLevel
from .values import ContractClause, cites_field, span_field


@attrs.frozen
class Amendment:
    """`amendment effective 2026-07`: terms in force from that month on."""

    effective: str
    items: tuple[Union[AtRisk, BonusLimit, AmendedServiceLevel], ...]
    span: Span | None = span_field()
    contract_clause: ContractClause | None = cites_field()


Section = Union[Inputs, AtRisk, BonusLimit, Netting, WindowCap, Termination, StreakPolicy, ServiceLevel,
                CriticalFailure, Parties, Reviews, Invoicing, Indexation, Deliverable]


@attrs.frozen
class Ruleset:
    """A whole `.sla` file."""

    contract: Contract
    sections: tuple[Section, ...]
    source: Source | None = attrs.field(eq=False, repr=False, default=None)
    amendments: tuple[Amendment, ...] = ()
    _of_type: dict = attrs.field(init=False, eq=False, repr=False, factory=dict)

    def of_type(self, kind) -> list:
        """The sections of a kind, in source order: found once per kind, since a pass may ask
        for them per service level (a scan each time made `check` quadratic)."""
        found = self._of_type.get(kind)
        if found is None:
            found = self._of_type[kind] = tuple(s for s in self.sections if isinstance(s, kind))
        return list(found)

    @property
    def inputs(self) -> list[Input]:
        return [i for block in self.of_type(Inputs) for i in block.inputs]

    @property
    def service_levels(self) -> list[ServiceLevel]:
        return self.of_type(ServiceLevel)

    @property
    def parties(self) -> list[Party]:
        return [p for block in self.of_type(Parties) for p in block.parties]

    @property
    def reviews(self) -> list[Review]:
        return [r for block in self.of_type(Reviews) for r in block.reviews]

    @property
    def deliverables(self) -> list[Deliverable]:
        return self.of_type(Deliverable)
