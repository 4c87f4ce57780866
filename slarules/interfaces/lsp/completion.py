"""Completion in context: what the grammar accepts at the cursor, in words.

The text before the word being typed is fed to the parser (language/editing.py);
what it accepts next becomes the items:

- keywords, each extended while only one word can follow (`service` ->
  `service level`, `waived` -> `waived misses do not count toward termination`);
- where a name goes: the declared service levels after `terminate when`,
  `failure when`, `or when`, `bonus only if`, `and` (in a gate) and, in an
  amendment, `service level`; none where a new name is declared (an input
  line, `service level` outside amendments); the declared inputs elsewhere;
- units, period words, rounding modes; the contract's currency where a
  currency code goes.

The names come from the last version of the document that parsed (for one
that never did, from its text without the line being typed), so they stay
offered while the text being typed does not parse. Inside a comment or a
string, and after a syntax error before the cursor, there is nothing to offer
but the names.
"""
from __future__ import annotations

import re

from lsprotocol import types

from ...language import nodes
from ...language.editing import INPUT, SERVICE_LEVEL, Expected, expected_at, words_of
from .document import Analysis

_WORD_BEFORE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SECTION_WORDS = {"contract", "inputs", "at risk", "credits", "bonuses", "terminate", "waived", "excluded",
                  "critical", "service", "amendment"}
_VALUE_KINDS = {"UNIT": types.CompletionItemKind.Unit, "QUANTITY_UNIT": types.CompletionItemKind.Unit,
                "STEP_UNIT": types.CompletionItemKind.Unit}
_MAX_PHRASE = 8


def _in_comment_or_string(line: str) -> bool:
    in_string = False
    for char in line:
        if char == '"':
            in_string = not in_string
        elif char == "#" and not in_string:
            return True
    return in_string


def _name_kind(tokens) -> str | None:
    """Which names go where the grammar now takes a NAME; None where a new one is declared."""
    words = [" ".join(str(t).split()) for t in tokens]
    last = words[-1] if words else ""
    if last == "level":
        return SERVICE_LEVEL if "amendment" in words else None
    if (last == "when" and words[-2:-1] != ["only"]) or last in ("if", "and"):
        return SERVICE_LEVEL
    section = next((w for w in reversed(words) if w in _SECTION_WORDS), None)
    return None if section == "inputs" else INPUT


def _phrase(expected: Expected, terminal: str, word: str) -> str:
    """`word`, and the words after it while the grammar allows just one."""
    phrase = [word]
    for _ in range(_MAX_PHRASE):
        expected = expected.then(terminal, word)
        if expected is None or len(expected.terminals) != 1:
            break
        terminal = next(iter(expected.terminals))
        following = words_of(terminal)
        if len(following) != 1:
            break
        word = following[0]
        phrase.append(word)
    return " ".join(phrase)


def _item(label: str, kind: types.CompletionItemKind, order: int, detail: str | None = None):
    return types.CompletionItem(label=label, kind=kind, detail=detail, sort_text=f"{order}{label}")


def _names(analysis: Analysis, kind: str | None) -> list[types.CompletionItem]:
    kinds = (INPUT, SERVICE_LEVEL) if kind is None else (kind,)
    return [_item(name, types.CompletionItemKind.Variable if k == INPUT else types.CompletionItemKind.Class, 0, k)
            for k in kinds for name in analysis.names(k)]


def completions(analysis: Analysis, names_from: Analysis, position: types.Position) -> list[types.CompletionItem]:
    """The items at `position` of `analysis`'s text; names from `names_from` (the last version that parsed)."""
    index = analysis.index
    offset = index.offset(position)
    line_start = index.line_starts[position.line] if position.line < len(index.line_starts) else len(index.text)
    if _in_comment_or_string(index.text[line_start:offset]):
        return []
    typed = _WORD_BEFORE.search(index.text[:offset])
    before = index.text[index.bom:typed.start() if typed else offset]
    expected = expected_at(before)
    if expected is None:
        return _names(names_from, None)
    items: list[types.CompletionItem] = []
    for terminal in sorted(expected.terminals):
        if terminal == "NAME":
            kind = _name_kind(expected.tokens)
            items += _names(names_from, kind) if kind is not None else []
        elif terminal == "CURRENCY" and names_from.ruleset is not None:
            currency = next((t.code for t in names_from.ruleset.contract.terms if isinstance(t, nodes.Currency)), None)
            items += [_item(currency, types.CompletionItemKind.Constant, 1)] if currency else []
        elif terminal in _VALUE_KINDS or len(words_of(terminal)) > 1:
            items += [_item(w, _VALUE_KINDS.get(terminal, types.CompletionItemKind.EnumMember), 1)
                      for w in words_of(terminal)]
        else:
            items += [_item(_phrase(expected, terminal, w), types.CompletionItemKind.Keyword, 2)
                      for w in words_of(terminal)]
    return list({item.label: item for item in items}.values())
