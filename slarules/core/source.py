"""Source text and positions.

A `Source` is a named text (a ruleset or a data file); a `Span` is a range in
it, 1-based lines and columns as Lark reports them. Everything that can go
wrong in a user's file carries a Span, so diagnostics can quote the line.
"""
from __future__ import annotations

import re

import attrs

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _without_byte_order_mark(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"Source(): text must be a str, not {type(text).__name__}")
    return text.removeprefix("\ufeff")


@attrs.frozen
class Source:
    """A file's name as the user gave it, and its text; a leading byte-order mark
    (as some Windows editors write) is not part of the text."""

    path: str
    text: str = attrs.field(converter=_without_byte_order_mark)

    def line(self, number: int) -> str:
        """Line `number`. Lines end at \\n, \\r\\n or a lone \\r, as the data readers count
        them (a file read from disk has only \\n by then); never at a form feed or a Unicode
        line separator, which neither Lark nor the csv module counts."""
        lines = _LINE_BREAK.split(self.text)
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
        """`path:line`, the path as the user gave it: where a diagnostic points."""
        return f"{self.source.path}:{self.line}"

    @property
    def reference(self) -> str:
        """`file.sla:line`, the clause reference printed next to every figure: the file's
        name without its folders, so the same whatever the working directory or the
        machine (a billing import keys on it)."""
        return f"{_file_name(self.source.path)}:{self.line}"


def _file_name(path: str) -> str:
    """The last part of a path written with / or \\ (a Windows path read anywhere)."""
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1] or path


def span_at(source: Source, line: int, column: int, width: int = 1) -> Span:
    """A span of `width` characters on one line."""
    return Span(source, line, column, line, column + max(width, 1))
