"""The explanation of a literate ruleset as one HTML page: the contract's text beside its reading.

Input: the explanation Document of a ruleset parsed from Markdown (its Source
is literate, core/source.py). Output: one self-contained page (escaped text,
inline style, no external resources). Each ```sla block is a row of a
two-column table: on the left the contract's wording before the block and the
block's terms as written, on the right the plain-English clauses that come
from the block's lines (by the line each clause cites). The wording after the
last block is a row of its own; the clauses that come from no block (rules
that apply by default) follow the table, in their parts.

The wording is shown as written, with light Markdown: a line of `#` marks is a
heading, a blank line ends a paragraph, `code` is code; everything else is
escaped text, never markup.
"""
from __future__ import annotations

import html
import re

from ...core.source import SlaBlock, Source
from .clauses import Clause, Document
from .render import clause_html, html_head

_LITERATE_STYLE = """\
body { max-width: 80em; }
table.literate { border-collapse: collapse; width: 100%; }
table.literate td { vertical-align: top; padding: 0.5em 1em; border-top: 1px solid #ddd; width: 50%; }
table.literate th { text-align: left; padding: 0.5em 1em; }
pre.terms { background: #f6f6f4; padding: 0.6em; white-space: pre-wrap; font-size: 0.85em; }
td.reading p.clause { margin-left: 0; text-indent: 0; }
"""
_LINE = re.compile(r":([0-9]+)$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def to_literate_html(doc: Document, source: Source) -> str:
    """The page: the contract's wording and each block beside the clauses it gives."""
    known = {clause.number for part in doc.parts for clause in part.clauses}
    lines = source.text.split("\n")
    placed: dict[int, list[Clause]] = {index: [] for index in range(len(source.blocks))}
    unplaced: list[tuple[str, Clause]] = []
    for part in doc.parts:
        for clause in part.clauses:
            block = _block_of(clause, source.blocks)
            if block is None:
                unplaced.append((f"{part.number}. {part.title}", clause))
            else:
                placed[block].append(clause)
    out = html_head(doc, known, _LITERATE_STYLE)
    out += ['<table class="literate">', "<thead><tr><th>The contract</th><th>In plain English</th></tr></thead>",
            "<tbody>"]
    after = 0  # the last line shown
    for index, block in enumerate(source.blocks):
        end = block.closing if block.closing is not None else len(lines)
        wording = _prose(lines[after:block.opening - 1])
        terms = html.escape("\n".join(lines[block.first - 1:block.last]))
        reading = "\n".join(clause_html(clause, known) for clause in placed[index])
        out.append(f'<tr><td class="contract">{wording}<pre class="terms"><code>{terms}</code></pre></td>'
                   f'<td class="reading">{reading}</td></tr>')
        after = end
    if any(line.strip() for line in lines[after:]):
        out.append(f'<tr><td class="contract">{_prose(lines[after:])}</td><td class="reading"></td></tr>')
    out += ["</tbody>", "</table>"]
    if unplaced:
        out += ["<section>", "<h2>Terms that apply by default</h2>"]
        out += [clause_html(clause, known) for _, clause in unplaced]
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _block_of(clause: Clause, blocks: tuple[SlaBlock, ...]) -> int | None:
    """The index of the block holding the line the clause cites last, or None (a default)."""
    for ref in reversed(clause.refs):
        found = _LINE.search(ref)
        if found:
            line = int(found.group(1))
            for index, block in enumerate(blocks):
                if block.first <= line <= block.last:
                    return index
    return None


def _prose(lines: list[str]) -> str:
    """Markdown wording as escaped HTML: headings, paragraphs, inline code."""
    out, paragraph = [], []

    def close():
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
    for line in lines:
        heading = _HEADING.match(line)
        if heading:
            close()
            level = min(len(heading.group(1)) + 1, 6)
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif not line.strip():
            close()
        else:
            paragraph.append(line.strip())
    close()
    return "\n".join(out)


def _inline(text: str) -> str:
    pieces = re.split(r"(`[^`]+`)", text)
    return "".join(f"<code>{html.escape(p[1:-1])}</code>" if p.startswith("`") and p.endswith("`") and len(p) > 1
                   else html.escape(p) for p in pieces)
