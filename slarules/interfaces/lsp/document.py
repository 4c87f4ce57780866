"""One version of an open ruleset, analysed once: its tree, its diagnostics, its explanation.

Input: the document's URI and text, and the client's position encoding.
Output: the parsed tree (None on a syntax error), every diagnostic exactly as
`slarules check` finds them, the names with their kinds and spans
(language/editing.py), and the explain document once asked for (only for a
ruleset with no error: explain assumes a checked tree, as compile does).
Never raises for a user's text.
"""
from __future__ import annotations

import functools
from pathlib import PurePosixPath
from urllib.parse import unquote, urlparse

from ...core.diagnostics import Diagnostic, SlaError
from ...core.source import Source
from ...language import nodes
from ...language.check import check
from ...language.editing import Occurrence, occurrences
from ...language.parse import parse
from ...tools.explain import Document as Explanation
from ...tools.explain import document as explanation_of
from .positions import TextIndex


def file_name(uri: str) -> str:
    """The name diagnostics and explanations give the file: the last part of its URI's path."""
    return PurePosixPath(unquote(urlparse(uri).path)).name or uri


class Analysis:
    """A document's text and what slarules makes of it."""

    def __init__(self, uri: str, text: str, encoding: str):
        self.uri = uri
        self.index = TextIndex(text, encoding)
        self.source = Source(file_name(uri), text)
        self.ruleset: nodes.Ruleset | None = None
        try:
            self.ruleset = parse(self.source)
        except SlaError as err:
            self.diagnostics: tuple[Diagnostic, ...] = err.diagnostics
        else:
            self.diagnostics = tuple(check(self.ruleset))

    def without_line(self, line: int) -> "Analysis":
        """The text without LSP line `line` (0-based) analysed: where the names come from while
        the line being typed keeps a document that never parsed from parsing."""
        index = self.index
        if not 0 <= line < len(index.line_starts):
            return self
        end = index.line_starts[line + 1] if line + 1 < len(index.line_starts) else len(index.text)
        return Analysis(self.uri, index.text[:index.line_starts[line]] + index.text[end:], index.encoding)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    @functools.cached_property
    def occurrences(self) -> list[Occurrence]:
        return occurrences(self.ruleset) if self.ruleset is not None else []

    def names(self, kind: str) -> list[str]:
        """The declared names of a kind (inputs or service levels), in source order, once each."""
        return list(dict.fromkeys(o.name.text for o in self.occurrences if o.kind == kind and o.declaration))

    @functools.cached_property
    def explanation(self) -> Explanation | None:
        if self.ruleset is None or self.has_errors:
            return None
        return explanation_of(self.ruleset)

    def occurrence_at(self, offset: int) -> Occurrence | None:
        """The name under a cursor (a cursor just after a name is on it)."""
        line, column = self.index.parser_point(offset)
        for found in self.occurrences:
            span = found.name.span
            if span.line == line and span.column <= column <= span.end_column:
                return found
        return None
