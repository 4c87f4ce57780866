"""Hover, go to definition, find references and the outline of a ruleset.

- Hover on an input or service level name (declared or used): its declaration,
  the lines that declare it and where. Hover anywhere else in a term: the
  numbered clauses `slarules explain` writes for that line, or, for a line no
  clause cites (a tier row), for the innermost term around it that one does
  (failing that, for the term's other lines: `inputs` shows every input's);
  only for a ruleset with no error, as explain needs.
- Definition: where the name under the cursor is declared; references: every
  place it is used (and declared, if asked).
- Document symbols: the contract, the inputs, each service level with its
  clauses, the period-wide terms, the termination triggers, the critical
  failure clause and the amendments, each with the span of its text.
"""
from __future__ import annotations

import re
import textwrap

from lsprotocol import types

from ...core.source import Span
from ...language import nodes
from ...language.editing import INPUT, Occurrence, enclosing
from ...tools.explain.clauses import Clause
from ...tools.explain.render import clause_markdown
from .document import Analysis


def _declarations(analysis: Analysis, found: Occurrence) -> list[Occurrence]:
    return [o for o in analysis.occurrences
            if o.declaration and o.kind == found.kind and o.name.text == found.name.text]


def _location(analysis: Analysis, span: Span) -> types.Location:
    return types.Location(analysis.uri, analysis.index.range(span))


def definition(analysis: Analysis, position: types.Position) -> list[types.Location]:
    found = analysis.occurrence_at(analysis.index.offset(position))
    if found is None:
        return []
    return [_location(analysis, d.name.span) for d in _declarations(analysis, found)]


def references(analysis: Analysis, position: types.Position, include_declaration: bool) -> list[types.Location]:
    found = analysis.occurrence_at(analysis.index.offset(position))
    if found is None:
        return []
    return [_location(analysis, o.name.span) for o in analysis.occurrences
            if o.kind == found.kind and o.name.text == found.name.text and (include_declaration or not o.declaration)]


# ------------------------------------------------------------------ hover

def _lines(analysis: Analysis, span: Span) -> list[str]:
    return [analysis.source.line(n) for n in range(span.line, span.end_line + 1)]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _declaration_markdown(analysis: Analysis, declared: Occurrence) -> str:
    ruleset = analysis.ruleset
    if declared.kind == INPUT:
        node = next(i for i in ruleset.inputs if i.name is declared.name)
        head = f"**input** `{node.name.text}`: {node.unit}"
        if node.description:
            head += f", \u201c{node.description}\u201d"
        lines = _lines(analysis, node.span)
    else:
        node = next(sl for sl in ruleset.service_levels if sl.name is declared.name)
        head = f"**service level** `{node.name.text}`" + (" (critical)" if node.critical else "")
        if node.title:
            head += f": \u201c{node.title}\u201d"
        if node.contract_clause is not None:
            head += "; contract clause " + _MARKDOWN_SPECIAL.sub(r"\\\1", node.contract_clause.text)
        lines = [analysis.source.line(node.span.line)]
        for clause in (node.measured, node.target):
            if clause is not None and clause.span is not None:
                lines += _lines(analysis, clause.span)
    code = textwrap.dedent("\n".join(dict.fromkeys(lines))).replace("```", "`\u200b``")
    return f"{head}\n\n```sla\n{code}\n```\n\ndeclared on line {declared.name.span.line}"


def _clauses_by_line(analysis: Analysis) -> dict[int, list[Clause]]:
    found: dict[int, list[Clause]] = {}
    explanation = analysis.explanation
    for part in explanation.parts if explanation is not None else ():
        for clause in part.clauses:
            for ref in clause.refs:
                line = ref.rpartition(":")[2]
                if line.isdigit():
                    found.setdefault(int(line), []).append(clause)
    return found


def _clauses_at(analysis: Analysis, offset: int) -> list[Clause]:
    by_line = _clauses_by_line(analysis)
    if not by_line:
        return []
    line, column = analysis.index.parser_point(offset)
    around = enclosing(analysis.ruleset, line, column)
    for candidate in [line] + [node.span.line for node in around]:
        if candidate in by_line:
            return by_line[candidate]
    # A line no clause cites, in a term whose clauses cite its other lines (`contract "..."`, `inputs`).
    for node in around:
        cited = [c for n in range(node.span.line, node.span.end_line + 1) for c in by_line.get(n, ())]
        if cited:
            return cited
    return []


def hover(analysis: Analysis, position: types.Position) -> types.Hover | None:
    offset = analysis.index.offset(position)
    found = analysis.occurrence_at(offset)
    if found is not None:
        declared = _declarations(analysis, found)
        if not declared:
            return None
        text = _declaration_markdown(analysis, declared[0])
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text), analysis.index.range(found.name.span))
    clauses = _clauses_at(analysis, offset)
    if not clauses:
        return None
    text = "\n\n".join(clause_markdown(c) for c in dict.fromkeys(clauses))
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text))


# ------------------------------------------------------------------ outline

def _first_line(analysis: Analysis, span: Span) -> str:
    text = " ".join(analysis.source.line(span.line)[span.column - 1:].split())
    return (text if len(text) <= 80 else text[:77] + "...") or "(empty)"


def _symbol(analysis: Analysis, node, kind: types.SymbolKind, name: str | None = None,
            selection: Span | None = None, detail: str | None = None, children=()) -> types.DocumentSymbol:
    whole = analysis.index.range(node.span)
    return types.DocumentSymbol(
        name=name or _first_line(analysis, node.span), kind=kind, range=whole,
        selection_range=analysis.index.range(selection) if selection is not None else whole,
        detail=detail, children=[c for c in children if c is not None] or None)


def _clause_symbols(analysis: Analysis, clauses) -> list[types.DocumentSymbol]:
    return [_symbol(analysis, c, types.SymbolKind.Property) for c in clauses if c.span is not None]


def _section_symbol(analysis: Analysis, section) -> types.DocumentSymbol | None:
    if section.span is None:
        return None
    if isinstance(section, nodes.Inputs):
        return _symbol(analysis, section, types.SymbolKind.Namespace, "inputs", children=[
            _symbol(analysis, i, types.SymbolKind.Variable, i.name.text, i.name.span, i.unit)
            for i in section.inputs if i.span is not None])
    if isinstance(section, (nodes.ServiceLevel, nodes.AmendedServiceLevel)):
        title = getattr(section, "title", None)
        return _symbol(analysis, section, types.SymbolKind.Class, section.name.text, section.name.span, title,
                       _clause_symbols(analysis, section.clauses))
    if isinstance(section, (nodes.Termination, nodes.CriticalFailure)):
        return _symbol(analysis, section, types.SymbolKind.Event)
    return _symbol(analysis, section, types.SymbolKind.Property)


def document_symbols(analysis: Analysis) -> list[types.DocumentSymbol]:
    ruleset = analysis.ruleset
    if ruleset is None or ruleset.contract.span is None:
        return []
    found = [_symbol(analysis, ruleset.contract, types.SymbolKind.Module, ruleset.contract.title or "contract",
                     detail="contract")]
    found += [_section_symbol(analysis, section) for section in ruleset.sections]
    found += [_symbol(analysis, amendment, types.SymbolKind.Namespace, f"amendment effective {amendment.effective}",
                      children=[_section_symbol(analysis, item) for item in amendment.items])
              for amendment in ruleset.amendments if amendment.span is not None]
    return [s for s in found if s is not None]
