"""Positions: the parser's lines and columns <-> the editor's, in the encoding the client chose.

The parser counts 1-based lines split at \\n only and 1-based columns in
characters of the text without its byte-order mark. The Language Server
Protocol counts 0-based lines split at \\n, \\r\\n or a lone \\r, and columns
in code units of the negotiated encoding: UTF-16 unless the client asked for
UTF-8 or UTF-32 (an emoji is 2 UTF-16 units, 4 UTF-8 units, 1 character).
Both sides meet at the character offset in the document's text.
"""
from __future__ import annotations

import bisect
import re

from lsprotocol import types

from ...core.source import Span

_LSP_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def units(text: str, encoding: str) -> int:
    """How many code units `text` is in the client's position encoding."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text) + sum(ord(char) > 0xFFFF for char in text)


class TextIndex:
    """One version of a document's text, indexed both ways."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16):
        self.text = text
        self.encoding = encoding
        self.bom = 1 if text.startswith("\ufeff") else 0  # Source drops it: the parser never sees it
        breaks = list(_LSP_LINE_BREAK.finditer(text))
        self.line_starts = [0] + [b.end() for b in breaks]
        self.line_ends = [b.start() for b in breaks] + [len(text)]
        self.parser_line_starts = [0] + [m.end() for m in re.finditer("\n", text[self.bom:])]

    # ---- offsets <-> the parser's (line, column)
    def offset_of(self, line: int, column: int) -> int:
        """The character offset of a parser position (clamped into the text)."""
        starts = self.parser_line_starts
        start = starts[min(max(line, 1), len(starts)) - 1]
        return min(max(self.bom + start + column - 1, 0), len(self.text))

    def parser_point(self, offset: int) -> tuple[int, int]:
        """The parser's (line, column) of a character offset."""
        offset = max(offset - self.bom, 0)
        line = bisect.bisect_right(self.parser_line_starts, offset)
        return line, offset - self.parser_line_starts[line - 1] + 1

    # ---- offsets <-> LSP positions
    def position(self, offset: int) -> types.Position:
        line = bisect.bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[line]
        return types.Position(line, units(self.text[start:min(offset, self.line_ends[line])], self.encoding))

    def offset(self, position: types.Position) -> int:
        """The character offset of an LSP position; a column past the end of its line is the line's end."""
        line = min(max(position.line, 0), len(self.line_starts) - 1)
        offset, end, counted = self.line_starts[line], self.line_ends[line], 0
        while offset < end and counted < position.character:
            counted += units(self.text[offset], self.encoding)
            offset += 1
        return offset

    def range(self, span: Span) -> types.Range:
        return types.Range(self.position(self.offset_of(span.line, span.column)),
                           self.position(self.offset_of(span.end_line, span.end_column)))

    def whole(self) -> types.Range:
        return types.Range(types.Position(0, 0), self.position(len(self.text)))

    def line_text(self, line: int) -> str:
        """LSP line `line` (0-based) without its line break."""
        return self.text[self.line_starts[line]:self.line_ends[line]] if 0 <= line < len(self.line_starts) else ""
