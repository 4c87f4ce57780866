"""The document rendered: plain text wrapped at 79 columns, Markdown, or one
self-contained HTML page (escaped text, inline style, no external resources,
references to other clauses as links). Each states, under the preface, the
ruleset's fingerprint and the slarules version (the document's `identity`).
"""
from __future__ import annotations

import html
import re
import textwrap

from .clauses import Clause, Document
from .words import _CODE, _END_CODE, _END_XREF, _MARKS, _XREF


FORMATS = ("text", "markdown", "html")
_WIDTH = 79


def _strip(text: str) -> str:
    return _MARKS.sub("", text)


def _to_text(doc: Document) -> str:
    out = [doc.title, "=" * len(doc.title), ""]
    out += textwrap.wrap(_strip(doc.preface), _WIDTH, break_long_words=False, break_on_hyphens=False)
    out += [""] + textwrap.wrap(doc.identity, _WIDTH, break_long_words=False) if doc.identity else []
    for part in doc.parts:
        title = f"{part.number}. {part.title}"
        out += ["", "", title, "-" * len(title)]
        if part.intro:
            out.append("")
            out += textwrap.wrap(_strip(part.intro), _WIDTH, break_long_words=False, break_on_hyphens=False)
        for clause in part.clauses:
            head = f"{clause.number} "
            text = f"{_strip(clause.heading)}. {_strip(clause.body)} [{', '.join(clause.refs)}]"
            out.append("")
            out += textwrap.wrap(text, _WIDTH, initial_indent=head, subsequent_indent=" " * len(head),
                                 break_long_words=False, break_on_hyphens=False)
    return "\n".join(out) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    out = []
    for piece in re.split(f"({_CODE}[^{_END_CODE}]*{_END_CODE})", text):
        if piece.startswith(_CODE):
            out.append(f"`{piece[1:-1]}`")
        else:
            out.append(_MD_SPECIAL.sub(r"\\\1", piece.replace(_XREF, "").replace(_END_XREF, "")))
    return "".join(out)


def _to_markdown(doc: Document) -> str:
    out = [f"# {_md(doc.title)}", "", _md(doc.preface)]
    out += ["", _md(doc.identity)] if doc.identity else []
    for part in doc.parts:
        out += ["", f"## {part.number}. {_md(part.title)}"]
        if part.intro:
            out += ["", _md(part.intro)]
        for clause in part.clauses:
            out += ["", clause_markdown(clause)]
    return "\n".join(out) + "\n"


def clause_markdown(clause: Clause) -> str:
    """One clause as the Markdown rendering writes it (the language server's hover shows it)."""
    refs = ", ".join(f"`{r}`" for r in clause.refs)
    return f"**{clause.number} {_md(clause.heading)}.** {_md(clause.body)} ({refs})"


def _anchor(number: str) -> str:
    return "c" + number.replace(".", "-")


def _html_inline(text: str, known: set[str]) -> str:
    out = []
    for piece in re.split(f"({_CODE}[^{_END_CODE}]*{_END_CODE}|{_XREF}[^{_END_XREF}]*{_END_XREF})", text):
        if piece.startswith(_CODE):
            out.append(f"<code>{html.escape(piece[1:-1])}</code>")
        elif piece.startswith(_XREF):
            number = piece[1:-1]
            out.append(f'<a href="#{_anchor(number)}">{html.escape(number)}</a>' if number in known
                       else html.escape(number))
        else:
            out.append(html.escape(piece))
    return "".join(out)


_STYLE = """\
body { font-family: Georgia, "Times New Roman", serif; color: #1a1a1a; max-width: 48em; margin: 2em auto;
       padding: 0 1em; line-height: 1.5; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
p.clause { margin: 0.7em 0 0.7em 4.5em; text-indent: -4.5em; }
p.clause .number { display: inline-block; min-width: 4.5em; text-indent: 0; font-weight: bold; }
p.clause .heading { font-weight: bold; }
.ref { color: #555; font-size: 0.9em; white-space: nowrap; }
code { font-family: Consolas, Menlo, monospace; font-size: 0.92em; }
a { color: inherit; }
"""


def _to_html(doc: Document) -> str:
    known = {clause.number for part in doc.parts for clause in part.clauses}
    out = html_head(doc, known)
    for part in doc.parts:
        out += ["<section>", f'<h2 id="part-{part.number}">{part.number}. {_html_inline(part.title, known)}</h2>']
        if part.intro:
            out.append(f"<p>{_html_inline(part.intro, known)}</p>")
        out += [clause_html(clause, known) for clause in part.clauses]
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def html_head(doc: Document, known: set[str], style: str = "") -> list[str]:
    """The page up to the document's parts: head, title, preface and identity."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(_strip(doc.title))}</title>", f"<style>\n{_STYLE}{style}</style>", "</head>", "<body>",
           f"<h1>{_html_inline(doc.title, known)}</h1>", f'<p class="preface">{_html_inline(doc.preface, known)}</p>']
    return out + ([f'<p class="identity">{html.escape(doc.identity)}</p>'] if doc.identity else [])


def clause_html(clause: Clause, known: set[str]) -> str:
    """One clause as the HTML rendering writes it: its number (an anchor), heading, body and references."""
    refs = ", ".join(html.escape(r) for r in clause.refs)
    return (f'<p class="clause" id="{_anchor(clause.number)}"><span class="number">{clause.number}</span> '
            f'<span class="heading">{_html_inline(clause.heading, known)}.</span> '
            f'{_html_inline(clause.body, known)} <span class="ref">[{refs}]</span></p>')


_RENDERERS = {"text": _to_text, "markdown": _to_markdown, "html": _to_html}
