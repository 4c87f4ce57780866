"""Contract clauses: which clause of the signed contract each term of a ruleset encodes.

A term names its clause with `clause "C.2.1(b)"` (nodes.ContractClause, on
the terms that carry a `contract_clause` field). `cited_by_span(ruleset)`
maps the span of every node of the tree (by its position, see `span_key`) to
the clause it falls under: its own, else the nearest enclosing term's, so a
credit row, a cap or a withhold inside a service level or a critical failure
cites what its term cites. Inside an amendment a term cites its own clause,
else the amended service level's, else the amendment's, else the one the
service level it amends cites. The engine looks a line's clause up there by
the span it carries.

`uncited(ruleset)` is the tree with every contract clause left out: what
decides money, for the term prints a saved state keeps (a renumbered
contract clause changes the ruleset's fingerprint, never a state's validity).

`citation_problems(ruleset)` is the check's part: SLA230 for an empty
reference, SLA231 for a backslash that escapes neither a quote nor a
backslash, or a control character. Two terms may cite the same clause.
"""
from __future__ import annotations

import re

import attrs

from ..core.diagnostics import Diagnostic

from ..core.source import Source, Span
from . import nodes

SpanKey = tuple[int, int, int, int]


def span_key(span: Span) -> SpanKey:
    """Where a span is in its file: (line, column, end line, end column)."""
    return span.line, span.column, span.end_line, span.end_column


def cited_by_span(ruleset: nodes.Ruleset) -> dict[SpanKey, str]:
    """The contract clause of every node with a span, by span_key, for the nodes under a cited term."""
    found: dict[SpanKey, str] = {}
    own = {sl.name.text: _text(sl.contract_clause) for sl in ruleset.service_levels}
    stack: list[tuple[object, str | None]] = [(ruleset.sections, None)]
    for amendment in ruleset.amendments:
        amended = _text(amendment.contract_clause)
        for item in amendment.items:
            inherited = amended
            if isinstance(item, nodes.AmendedServiceLevel):
                inherited = _text(item.contract_clause) or amended or own.get(item.name.text)
            stack.append((item, inherited))
        if amended is not None and amendment.span is not None:
            found[span_key(amendment.span)] = amended
    while stack:
        node, inherited = stack.pop()
        if isinstance(node, (tuple, list)):
            stack.extend((item, inherited) for item in node)
            continue
        if not attrs.has(type(node)) or isinstance(node, (Source, Span, nodes.ContractClause)):
            continue
        cited = _text(getattr(node, "contract_clause", None)) or inherited
        span = getattr(node, "span", None)
        if cited is not None and span is not None:
            found.setdefault(span_key(span), cited)
        stack.extend((getattr(node, field.name), cited) for field in attrs.fields(type(node))
                     if field.name not in ("span", "contract_clause"))
    return found


def _text(cited: nodes.ContractClause | None) -> str | None:
    return cited.text if cited is not None else None


def uncited(ruleset: nodes.Ruleset) -> nodes.Ruleset:
    """The ruleset with no contract clause on any term."""
    return attrs.evolve(ruleset, sections=tuple(_without(s) for s in ruleset.sections),
                        amendments=tuple(_without(a) for a in ruleset.amendments))


def _without(node):
    """A term, and the terms it holds (a service level's clauses, an amendment's items), uncited."""
    changes = {}
    if getattr(node, "contract_clause", None) is not None:
        changes["contract_clause"] = None
    if isinstance(node, (nodes.ServiceLevel, nodes.AmendedServiceLevel)):
        changes["clauses"] = tuple(_without(c) for c in node.clauses)
    elif isinstance(node, nodes.Amendment):
        changes["items"] = tuple(_without(item) for item in node.items)
    return attrs.evolve(node, **changes) if changes else node


def citations(ruleset: nodes.Ruleset) -> list[nodes.ContractClause]:
    """Every contract clause the ruleset names, in source order."""
    found = []

    def visit(node):
        if getattr(node, "contract_clause", None) is not None:
            found.append(node.contract_clause)
        for inner in getattr(node, "clauses", ()) or getattr(node, "items", ()):
            visit(inner)
    for term in (*ruleset.sections, *ruleset.amendments):
        visit(term)
    return sorted(found, key=lambda c: (c.span.line, c.span.column) if c.span else (0, 0))


_BAD_ESCAPE = re.compile(r'\\(?!["\\])|[\x00-\x1f\x7f]')


def citation_problems(ruleset: nodes.Ruleset) -> list[Diagnostic]:
    """SLA230 for an empty contract clause, SLA231 for one with an unknown escape or a control character."""
    found = []
    for cited in citations(ruleset):
        written = cited.written if cited.written is not None else cited.text
        if not cited.text.strip():
            found.append(Diagnostic("SLA230", "the contract clause is empty", cited.span,
                                    ('write the clause as the signed contract numbers it: clause "4.2(b)"',)))
        elif (bad := _BAD_ESCAPE.search(_without_escapes(written))) is not None:
            what = "a backslash that escapes nothing" if bad.group() == "\\" else "a control character"
            found.append(Diagnostic("SLA231", f"the contract clause holds {what}", cited.span,
                                    (r'inside a contract clause write \" for a quote and \\ for a backslash',)))
    return found


def _without_escapes(written: str) -> str:
    """The string with its \\" and \\\\ escapes taken out, so what is left is judged alone."""
    return re.sub(r'\\["\\]', "", written)
