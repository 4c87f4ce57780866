"""The grammar and its parser: grammar/slarules.lark, built once per process.

The grammar ships inside the wheel (slarules/grammar/slarules.lark); in a
checkout or an editable install it is read from the top-level grammar/ folder.
"""
from __future__ import annotations

import functools
from importlib.resources import files
from pathlib import Path

import lark


def _grammar_text() -> str:
    packaged = files("slarules") / "grammar" / "slarules.lark"  # installed wheel
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "grammar" / "slarules.lark"
    return checkout.read_text(encoding="utf-8")  # checkout or editable install


@functools.cache
def parser(strict: bool = False) -> lark.Lark:
    """The LALR parser, built once per process.

    strict=True makes Lark fail on any shift/reduce conflict or terminal
    collision instead of resolving it silently. The test suite builds the
    grammar that way (tests/unit/test_parse.py); at run time the check would
    only triple the start-up time of every command for the same tables.
    """
    return lark.Lark(
        _grammar_text(),
        parser="lalr",
        strict=strict,
        propagate_positions=True,
        maybe_placeholders=True,
    )
