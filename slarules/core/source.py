"""Source text and positions.

A `Source` is a named text (a ruleset or a data file); a `Span` is a range in
it, 1-based lines and columns as Lark reports them. Everything that can go
wrong in a user's file carries a Span, so diagnostics can quote the line.

A literate ruleset is a Markdown file (a path ending in `.md`, as `.sla.md`)
whose fenced ```sla blocks form the ruleset, the contract's wording around
them. Its `ruleset_text` is the Markdown with every line outside those
blocks left empty (line breaks kept), so a position in the ruleset is the
same line and column in the Markdown file: diagnostics quote and point at the
Markdown file's own lines. `sla_blocks` says where the blocks are. A fence
opens with three or more backticks or tildes (up to three spaces in) and
closes with a line of at least as many of the same; the first word after the
opening fence names the block's language; a fence never closed runs to the end
of the file (as CommonMark has it). Blocks in other languages are prose.
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
class SlaBlock:
    """A fenced ```sla block of a literate ruleset: its fence lines and its content lines,
    1-based; `closing` is None for a fence never closed (the block runs to the end)."""

    opening: int
    first: int  # the first content line
    last: int  # the last content line (first - 1 for an empty block)
    closing: int | None


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)")


def sla_blocks(markdown: str) -> tuple[SlaBlock, ...]:
    """The ```sla blocks of a Markdown text, in order."""
    lines = _LINE_BREAK.split(markdown)
    found, open_at, fence, is_sla = [], None, "", False
    for number, line in enumerate(lines, start=1):
        if open_at is None:
            opened = _FENCE.match(line)
            if opened and not (opened.group(1)[0] == "`" and "`" in line[opened.end():]):
                open_at, fence, is_sla = number, opened.group(1), opened.group(2).lower() == "sla"
        elif re.fullmatch(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*", line):
            if is_sla:
                found.append(SlaBlock(open_at, open_at + 1, number - 1, number))
            open_at = None
    if open_at is not None and is_sla:
        found.append(SlaBlock(open_at, open_at + 1, len(lines), None))
    return tuple(found)


def is_literate(path: str) -> bool:
    """Whether a ruleset at this path is Markdown with ```sla blocks (`.md`, `.sla.md`)."""
    return path.lower().endswith(".md")


def _ruleset_lines(markdown: str, blocks: tuple[SlaBlock, ...]) -> str:
    """The Markdown with every line outside the blocks' contents emptied, line breaks kept."""
    pieces = _LINE_BREAK_KEPT.split(markdown)  # line, break, line, break, ..., line
    kept = {n for block in blocks for n in range(block.first, block.last + 1)}
    for index in range(0, len(pieces), 2):
        if index // 2 + 1 not in kept:
            pieces[index] = ""
    return "".join(pieces)


_LINE_BREAK_KEPT = re.compile(r"(\r\n|\r|\n)")


@attrs.frozen
class Source:
    """A file's name as the user gave it, and its text; a leading byte-order mark
    (as some Windows editors write) is not part of the text. `ruleset_text` is the
    text the parser reads: the text itself, or for a literate ruleset (is_literate)
    its ```sla blocks in place, the prose emptied."""

    path: str
    text: str = attrs.field(converter=_without_byte_order_mark)
    ruleset_text: str = attrs.field(init=False, eq=False, repr=False)
    blocks: tuple[SlaBlock, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self):
        literate = isinstance(self.path, str) and is_literate(self.path)
        blocks = sla_blocks(self.text) if literate else ()
        object.__setattr__(self, "blocks", blocks)
        object.__setattr__(self, "ruleset_text", _ruleset_lines(self.text, blocks) if literate else self.text)

    @property
    def literate(self) -> bool:
        return is_literate(self.path)

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
