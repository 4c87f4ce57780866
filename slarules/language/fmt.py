"""Formatter: ruleset text -> the same ruleset in the canonical layout, comments kept.

Input: a Source. Output: text in printer.py's canonical layout that parses to
a tree equal to the input's, with every comment of the input, in the input's
order. Formatting its own output changes nothing. Errors: a syntax error in
the input is raised as SlaError (the parse pass's diagnostic); nothing else.

Comments are not in the tree, so they are found by scanning the text (a `#`
outside a "..." string starts a comment that runs to the end of the line) and
put back by position. Each output line of the layout knows where its content
starts in the source (its anchor); the anchors split the source into the
stretches each output line prints. Then:

- a trailing comment (code before it on its line) goes at the end of the
  output line whose stretch holds it: the item it follows, or the item's last
  line when the item spans several (a cap's continuation, a missing-data rule);
- a comment on its own line goes on its own line before the next output line,
  at that line's indentation: before the next header, section, input, service
  level, clause, tier row or amendment item, or before a continuation line;
- a comment on its own line inside an item that the layout joins into one line
  (between two header terms, say) has code of that line after it; moving it
  before the next line would put it after later comments, so it becomes a
  trailing comment of that line instead. Several trailing comments on one
  output line are joined in order, two spaces apart (`# a  # b`), and so
  read back as one comment;
- comments after the last item stay under it at its indentation, unless a
  blank line separates them from it: then they close the file at column 0.

Blank lines: one between top-level blocks, none inside a section. Blank lines
between the comments above a top-level block, and between those comments and
the block, are kept (one at most), so a file's preamble stays apart from the
contract header. Two one-line period-wide terms (`at risk`, `bonuses ...`,
`terminate when ...`) written with no blank line between them stay together.
Trailing comments of the inputs in one `inputs` block are aligned.

A literate ruleset (Markdown with ```sla blocks, core/source.py) is formatted
block by block: each block's constructs and comments in the canonical layout,
the Markdown around the blocks byte for byte.
"""
from __future__ import annotations

import bisect
from collections import defaultdict

import attrs

from ..core.diagnostics import Diagnostic, SlaError
from ..core.source import Source, span_at
from . import printer
from .parse import parse


@attrs.frozen
class Comment:
    """A `#` comment: where it starts (1-based), its text from `#` on, and
    whether it has a line of its own (nothing but blanks before it)."""

    line: int
    column: int
    text: str
    own_line: bool


def comments(text: str) -> list[Comment]:
    """Every comment of a ruleset's text, in order. Strings cannot span lines
    in the grammar, so the in-string state resets at each line; inside one, a
    backslash escapes the next character (`\\"`)."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        in_string = escaped = False
        for index, char in enumerate(line):
            if escaped:
                escaped = False
            elif char == "\\" and in_string:
                escaped = True
            elif char == '"':
                in_string = not in_string
            elif char == "#" and not in_string:
                found.append(Comment(number, index + 1, line[index:].rstrip(), not line[:index].strip()))
                break
    return found


def format_source(source: Source) -> str:
    """The ruleset in the canonical layout with its comments; SlaError on a syntax error."""
    ruleset = parse(source)
    if source.literate:
        return _format_literate(source, printer.layout(ruleset))
    return _Formatter(source.text, printer.layout(ruleset)).run()


def _format_literate(source: Source, blocks: list[printer.Block]) -> str:
    """A literate ruleset with each ```sla block formatted on its own (the comments in
    it kept in it) and every other byte as it was; SLA261 if a construct starts in one
    block and ends in another, which no block could be rewritten to hold."""
    lines = source.text.split("\n")
    code = source.ruleset_text.split("\n")
    for sla in reversed(source.blocks):
        own = [b for b in blocks if b.lines[0].anchor is not None and sla.first <= b.lines[0].anchor[0] <= sla.last]
        for block in own:
            if block.end_line is not None and block.end_line > sla.last:
                raise SlaError([Diagnostic(
                    "SLA261", "this construct starts in one ```sla block and ends in a later one, so fmt cannot "
                    "rewrite the blocks apart", span_at(source, block.lines[0].anchor[0], block.lines[0].anchor[1]),
                    ("end the construct before the block closes, and go on in the next block with the next one",))])
        if not own:
            continue  # only comments, or nothing: as written
        alone = "\n".join(line if sla.first <= n <= sla.last else "" for n, line in enumerate(code, start=1))
        formatted = _Formatter(alone, own).run().removesuffix("\n").split("\n")
        lines[sla.first - 1:sla.last] = formatted
    return "\n".join(lines)


class _Formatter:
    """One formatting run: the source's comments attached to the layout's lines."""

    def __init__(self, text: str, blocks: list[printer.Block]):
        found = comments(text)
        self.blocks = blocks
        self.source_lines = text.split("\n")
        # The code part of each source line (the comment cut off), 1-based.
        cut = {c.line: c.column - 1 for c in found}
        self.code = [""] + [line[:cut.get(n, len(line))] for n, line in enumerate(self.source_lines, start=1)]
        self.blank = [False] + [not line.strip() for line in self.source_lines]
        self.lines = [line for block in blocks for line in block.lines]
        self.anchors = self._anchors()
        self.leading: dict[int, list[Comment]] = defaultdict(list)  # before output line i (len: end of file)
        self.trailing: dict[int, list[Comment]] = defaultdict(list)  # at the end of output line i
        for comment in found:
            self._attach(comment)

    def _anchors(self) -> list[tuple[int, int]]:
        anchors, last = [], (0, 0)
        for line in self.lines:
            # A parsed tree anchors every line; keep order even if one were missing.
            if line.anchor is not None:
                last = max(last, self._back(line.anchor, line.back))
            anchors.append(last)
        return anchors

    def _back(self, at: tuple[int, int], words: int) -> tuple[int, int]:
        """The start of the word `words` words before position `at` in the code
        (comments skipped; commas separate words like blanks)."""
        def separator(char: str) -> bool:
            return char.isspace() or char == ","

        line, index = at[0], at[1] - 1
        for _ in range(words):
            while True:  # over blanks and commas, to the end of the previous word
                if index > 0 and separator(self.code[line][index - 1]):
                    index -= 1
                elif index == 0 and line > 1:
                    line, index = line - 1, len(self.code[line - 1])
                else:
                    break
            while index > 0 and not separator(self.code[line][index - 1]):
                index -= 1
        return line, index + 1

    def _attach(self, comment: Comment) -> None:
        at = (comment.line, comment.column)
        current = bisect.bisect_right(self.anchors, at) - 1  # the output line whose stretch holds it
        if not comment.own_line:
            self.trailing[current].append(comment)
        elif current >= 0 and self._code_after(comment.line, current + 1):
            self.trailing[current].append(comment)
        else:
            self.leading[current + 1].append(comment)

    def _code_after(self, line: int, next_index: int) -> bool:
        """Is there code after source `line` and before output line `next_index` starts?"""
        if next_index < len(self.anchors):
            stop_line, stop_column = self.anchors[next_index]
        else:
            stop_line, stop_column = len(self.source_lines) + 1, 1
        between = self.code[line + 1:stop_line]
        if stop_line < len(self.code):
            between.append(self.code[stop_line][:stop_column - 1])
        return any(part.strip() for part in between)

    def _blank_between(self, first: int, second: int) -> bool:
        return any(self.blank[first + 1:second])

    def run(self) -> str:
        out: list[str] = []
        index = 0
        previous: printer.Block | None = None
        for block in self.blocks:
            lead = self.leading[index]
            start = self.anchors[index][0]
            if previous is not None:
                together = (block.term and previous.term and previous.end_line is not None
                            and not self._blank_between(previous.end_line, lead[0].line if lead else start))
                if not together:
                    out.append("")
            self._top_level_comments(out, lead, start)
            out += self._block(block, index)
            index += len(block.lines)
            previous = block
        self._end_of_file(out, index)
        return "\n".join(out) + "\n"

    def _top_level_comments(self, out: list[str], lead: list[Comment], stop: int) -> None:
        """The comments above a top-level block, keeping one blank line wherever
        the source had any (between two of them, or before line `stop`)."""
        for n, comment in enumerate(lead):
            out.append(comment.text)
            following = lead[n + 1].line if n + 1 < len(lead) else stop
            if self._blank_between(comment.line, following):
                out.append("")

    def _block(self, block: printer.Block, first: int) -> list[str]:
        indexes = range(first, first + len(block.lines))
        # Trailing comments of input lines share one column, two spaces after the longest.
        column = max((len(line.render()) for line, i in zip(block.lines, indexes)
                      if line.align and self.trailing[i]), default=0) + 2
        out = []
        for line, i in zip(block.lines, indexes):
            if i > first:
                out += [" " * line.indent + c.text for c in self.leading[i]]
            text = line.render()
            if self.trailing[i]:
                gap = column - len(text) if line.align else 2
                text += " " * gap + "  ".join(c.text for c in self.trailing[i])
            out.append(text)
        return out

    def _end_of_file(self, out: list[str], end: int) -> None:
        """Comments after the last item: under it, or at column 0 from a blank line on."""
        lead = self.leading[end]
        if not lead:
            return
        last_item = next((line for line in reversed(self.lines) if not line.continues), None)
        indent = last_item.indent if last_item is not None else 0
        last_code = max(n for n, code in enumerate(self.code) if code.strip())
        previous = last_code
        for comment in lead:
            if self._blank_between(previous, comment.line):
                out.append("")
                indent = 0
            out.append(" " * indent + comment.text)
            previous = comment.line
