"""Diagnostics as the editor shows them, and the quick fixes they suggest.

A slarules Diagnostic becomes an LSP diagnostic with the same code, severity
and span, source "slarules"; its notes follow the message on lines of their
own (`note: did you mean 'monthly_fee'?`), as `check` prints them. A "did you
mean 'X'?" in the message or a note is a quick fix that writes X over the
diagnostic's span; for `monthly fee` where `monthly_fee` was meant, over both
words.
"""
from __future__ import annotations

import re

from lsprotocol import types

from ...core.diagnostics import Diagnostic
from .document import Analysis

_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
             "note": types.DiagnosticSeverity.Information}
_DID_YOU_MEAN = re.compile(r"did you mean '([^'\n]+)'\?")


def _range(analysis: Analysis, diagnostic: Diagnostic) -> types.Range:
    if diagnostic.span is None:
        return types.Range(types.Position(0, 0), types.Position(0, 0))
    return analysis.index.range(diagnostic.span)


def lsp_diagnostics(analysis: Analysis) -> list[types.Diagnostic]:
    return [types.Diagnostic(
        range=_range(analysis, d),
        message="\n".join([d.message, *(f"note: {note}" for note in d.notes)]),
        severity=_SEVERITY.get(d.severity, types.DiagnosticSeverity.Error),
        code=d.code,
        source="slarules",
    ) for d in analysis.diagnostics]


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return p.line, p.character
    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _fix(analysis: Analysis, diagnostic: Diagnostic, meant: str) -> types.TextEdit | None:
    span = diagnostic.span
    if span is None:
        return None
    index = analysis.index
    start, end = index.offset_of(span.line, span.column), index.offset_of(span.end_line, span.end_column)
    written = index.text[start:end]
    # `monthly fee` for `monthly_fee`: the diagnostic is on `fee`; the fix takes the word before it too.
    before = re.search(r"([a-z][a-z0-9_]*)[ \t]+$", index.text[:start])
    if before is not None and meant == f"{before.group(1)}_{written}":
        start = before.start(1)
    if index.text[start:end] == meant:
        return None
    return types.TextEdit(types.Range(index.position(start), index.position(end)), meant)


def code_actions(analysis: Analysis, uri: str, wanted: types.Range) -> list[types.CodeAction]:
    """A quick fix for each did-you-mean of a diagnostic overlapping `wanted`."""
    actions = []
    for diagnostic, shown in zip(analysis.diagnostics, lsp_diagnostics(analysis)):
        if not _overlaps(shown.range, wanted):
            continue
        for meant in dict.fromkeys(_DID_YOU_MEAN.findall(shown.message)):
            edit = _fix(analysis, diagnostic, meant)
            if edit is None:
                continue
            written = analysis.index.text[analysis.index.offset(edit.range.start):analysis.index.offset(edit.range.end)]
            actions.append(types.CodeAction(
                title=f"Replace '{written}' with '{meant}'",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[shown],
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={uri: [edit]}),
            ))
    return actions
