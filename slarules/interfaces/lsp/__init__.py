"""The language server (`slarules lsp`): diagnostics, hover, navigation, completion, formatting
and quick fixes for `.sla` files in any editor that speaks the Language Server Protocol.

Needs the `lsp` extra (pygls, lsprotocol); nothing else in slarules imports it.

    server.py      the pygls server over stdio: one handler per request, none can fail
    document.py    one version of an open document analysed once: tree, diagnostics, explanation
    positions.py   the parser's lines and columns <-> LSP positions (UTF-16 or the encoding negotiated)
    fixes.py       diagnostics as LSP diagnostics; did-you-mean notes as quick fixes
    navigation.py  hover (declarations, explain's clauses), definition, references, document symbols
    completion.py  keywords, names, units and words the grammar accepts at the cursor
"""
from __future__ import annotations

from .server import serve

__all__ = ["serve"]
