"""The grammar and its parser: grammar/slarules.lark, its parser loaded once per process.

The grammar ships inside the wheel (slarules/grammar/slarules.lark); in a
checkout or an editable install it is read from the top-level grammar/ folder.

Building the LALR tables from the grammar takes 0.4 to 0.6 s, longer than a
whole `slarules evaluate`; so the tables are generated once, from the grammar,
into parser_tables.py (`pytest --update-golden` rewrites it, and
tests/unit/test_parse.py fails while it is stale), and every process loads
them from there. The tables say which grammar (its SHA-256) and which Lark
version they were made from: if the grammar was edited since, or another Lark
is installed, the parser is built from the grammar as before, only slower.
Nothing is written at run time (no cache directory, no race between first
runs, nothing to go stale), so a read-only installation starts as fast.
"""
from __future__ import annotations

import functools
import hashlib
from importlib.resources import files
from pathlib import Path

import lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

_OPTIONS = {"parser": "lalr", "propagate_positions": True, "maybe_placeholders": True}
TABLES = Path(__file__).with_name("parser_tables.py")


def _grammar_text() -> str:
    packaged = files("slarules") / "grammar" / "slarules.lark"  # installed wheel
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "grammar" / "slarules.lark"
    return checkout.read_text(encoding="utf-8")  # checkout or editable install


def grammar_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def parser(strict: bool = False) -> lark.Lark:
    """The LALR parser, once per process: loaded from parser_tables.py when they
    were made from this grammar by this Lark, else built from the grammar.

    strict=True always builds it, failing on any shift/reduce conflict or terminal
    collision instead of resolving it silently. The test suite builds the
    grammar that way (tests/unit/test_parse.py); at run time the check would
    only triple the start-up time of every command for the same tables.
    """
    text = _grammar_text()
    if not strict:
        from . import parser_tables
        if parser_tables.GRAMMAR_SHA256 == grammar_digest(text) and parser_tables.LARK_VERSION == lark.__version__:
            return lark.Lark._load_from_dict(parser_tables.DATA, parser_tables.MEMO)
    return lark.Lark(text, strict=strict, **_OPTIONS)


def tables_text() -> str:
    """parser_tables.py as the current grammar and Lark make it."""
    text = _grammar_text()
    data, memo = lark.Lark(text, **_OPTIONS).memo_serialize([TerminalDef, Rule])
    return (
        '"""The parser\'s LALR tables, generated from grammar/slarules.lark by\n'
        "`pytest --update-golden`: do not edit (see grammar.py).\"\"\"\n"
        f"GRAMMAR_SHA256 = {grammar_digest(text)!r}\n"
        f"LARK_VERSION = {lark.__version__!r}\n"
        f"DATA = {data!r}\n"
        f"MEMO = {memo!r}\n"
    )
