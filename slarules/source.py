"""Source text and positions.

A `Source` is a named text (a ruleset or a data file); a `Span` is a range in
it, 1-based lines and columns as Lark reports them. Everything that can go
wrong in a user's file carries a Span, so diagnostics can quote the line.
"""
from __future__ import annotations

import attrs


@attrs.frozen
class Source:
    """A file's name as the user gave it, and its text."""

    path: str
    text: str

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""


@attrs.frozen
class Span:
    """A range of characters in a Source: start line/column, end line/column."""

    source: Source = attrs.field(repr=False)
    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def where(self) -> str:
        """`path:line`, the clause reference printed next to every figure."""
        return f"{self.source.path}:{self.line}"


def span_at(source: Source, line: int, column: int, width: int = 1) -> Span:
    """A span of `width` characters on one line."""
    return Span(source, line, column, line, column + max(width, 1))
