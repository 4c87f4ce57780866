"""Fingerprints: what a ruleset says, as hashes that its layout and comments do not change.

`fingerprint(ruleset)` is "sha256:" and the SHA-256 of the ruleset's canonical
form, printer.to_source (the tree has no comments, and fmt's output parses to
the same tree), so formatting a ruleset or adding comments keeps it, while any
change to what it says (a number, a name, a title, a contract clause a term
cites) gives another one. A literate ruleset (Markdown with ```sla blocks) has
the fingerprint of its terms: the same as those terms written as a plain .sla
file, whatever the wording around the blocks. Outputs state it so that the
explanation a lawyer signed off can be matched to the terms that billed.

`term_prints(ruleset)` is finer and narrower: one print per term that decides
money in the version of the terms the tree states (its amendments aside), with
titles, descriptions and contract clauses left out: the contract header, each input, each
service level's `critical` mark and each of its clauses, each period-wide
term. A saved state keeps the prints of the terms in force for the periods it
billed, so that a later edit that leaves them alone keeps the state valid and
one that changes them is named clause by clause.
"""
from __future__ import annotations

import hashlib
import re

import attrs

from ..core.source import Span
from . import nodes
from .citations import uncited
from .printer import clause, layout, to_source


def fingerprint(ruleset: nodes.Ruleset) -> str:
    """"sha256:" and the SHA-256 of the ruleset's canonical form (printer.to_source)."""
    return _digest(to_source(ruleset))


@attrs.frozen
class TermPrint:
    """One term's print: `key` names it stably ("service level soa: target"), `shown`
    names it for a person, `span` is where it is written (None for a tree built by hand)."""

    key: str
    digest: str
    shown: str
    span: Span | None = attrs.field(eq=False, default=None)


def term_prints(ruleset: nodes.Ruleset) -> tuple[TermPrint, ...]:
    """The prints of the terms that decide money in this version, in source order (the contract
    clauses terms cite left out: they decide no money)."""
    ruleset = uncited(ruleset)
    contract = ruleset.contract
    header = layout(nodes.Ruleset(attrs.evolve(contract, title=""), ()))[0].lines[1].text
    prints = [TermPrint("contract", _digest(header), "the contract header", contract.span)]
    for item in ruleset.inputs:
        text = _alone(attrs.evolve(item, description=None), ruleset).lines[1].text
        prints.append(TermPrint(f"input {item.name.text}", _digest(text), f"input {item.name.text}", item.span))
    counts: dict[type, int] = {}
    for section in ruleset.sections:
        if isinstance(section, nodes.ServiceLevel):
            name = section.name.text
            prints.append(TermPrint(f"service level {name}", _digest("critical" if section.critical else ""),
                                    f"service level {name}", section.span))
            seen: dict[str, int] = {}
            for c in section.clauses:
                kind = _clause_kind(c)
                seen[kind] = seen.get(kind, 0) + 1
                kind += f" {seen[kind]}" if seen[kind] > 1 else ""
                prints.append(TermPrint(f"service level {name}: {kind}", _digest(clause(c)),
                                        f"the `{_SHOWN.get(kind, kind)}` clause of service level {name}", c.span))
        elif not isinstance(section, (nodes.Inputs, nodes.Parties, nodes.Reviews)):  # who, not how much
            counts[type(section)] = counts.get(type(section), 0) + 1
            text = _alone(section, ruleset).render()
            key = f"{_words(type(section).__name__)} {counts[type(section)]}"
            prints.append(TermPrint(key, _digest(text), f"`{text.splitlines()[0]}`", section.span))
    return tuple(prints)


def _alone(section, ruleset: nodes.Ruleset):
    """The layout block of one section (an input: in an inputs block of its own)."""
    if isinstance(section, nodes.Input):
        section = nodes.Inputs((section,))
    return layout(nodes.Ruleset(ruleset.contract, (section,)))[1]


_SHOWN = {"measured": "measured as", "volume": "measured only when", "gate": "bonus only if"}


def _clause_kind(c) -> str:
    """A service level clause's kind as amendments replace it: "credit", "bonus", "target", ..."""
    return c.kind if isinstance(c, nodes.Award) else _words(type(c).__name__)


def _words(class_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", class_name).lower()


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
