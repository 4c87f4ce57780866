"""What an editor asks of a ruleset: where its names are, what encloses a point, what may come next.

Input: a parsed nodes.Ruleset (for names and nodes) or the raw text before a
cursor (for what may come next, which works while the rest of the file does
not parse). Output: plain values with the parser's positions (1-based lines
and columns, as Span has them). Nothing here judges meaning; that is check/'s.

- occurrences(): every input and service level name, declared or used, with its span (party names
  are neither);
- enclosing(): the nodes whose span holds a point, innermost first;
- expected_at(): the terminals the grammar accepts after a text, and the tokens read so far;
- words_of(): the words a terminal stands for (`PERIOD_WORD` -> month, months, ...).
"""
from __future__ import annotations

import functools
import re

import attrs
import lark
from lark.parsers.lalr_analysis import Shift

from ..core.source import Span
from . import nodes
from .grammar import parser

INPUT = "input"
SERVICE_LEVEL = "service level"

# The fields that hold a service level's name; every other Name in a tree names an input.
_SERVICE_LEVEL_FIELDS = {
    (nodes.ServiceLevel, "name"), (nodes.AmendedServiceLevel, "name"), (nodes.MissedInARow, "service_level"),
    (nodes.MissedInWindow, "service_level"), (nodes.BelowFloor, "service_level"),
    (nodes.FailureFloor, "service_level"), (nodes.Gate, "names"),
}
_DECLARING_FIELDS = {(nodes.ServiceLevel, "name"), (nodes.Input, "name")}
# The fields that hold a party's name: neither an input nor a service level, so not an occurrence.
_PARTY_FIELDS = {(nodes.Party, "name"), (nodes.ReportingDuty, "party"), (nodes.Accountable, "party")}
_NOT_CHILDREN = ("span", "source", "_of_type")


@attrs.frozen
class Occurrence:
    """A name of an input or a service level where it stands in the text."""

    name: nodes.Name
    kind: str  # INPUT | SERVICE_LEVEL
    declaration: bool


def _children(node) -> list[tuple[str, object]]:
    """The (field, value) pairs of a node that may hold other nodes, tuples flattened."""
    found = []
    for field in attrs.fields(type(node)):
        if field.name in _NOT_CHILDREN:
            continue
        value = getattr(node, field.name)
        for item in (value if isinstance(value, tuple) else (value,)):
            if attrs.has(type(item)):
                found.append((field.name, item))
    return found


def _walk(ruleset: nodes.Ruleset):
    """Every node of the tree with its parent and the parent's field holding it (no recursion:
    a measurement may nest 200 operations deep)."""
    stack: list[tuple[object, object, str]] = [(ruleset, None, "")]
    while stack:
        node, parent, field = stack.pop()
        yield node, parent, field
        stack += [(child, node, name) for name, child in reversed(_children(node))]


def occurrences(ruleset: nodes.Ruleset) -> list[Occurrence]:
    """Every declaration and use of an input or a service level name, in source order (a
    deliverable's name is neither: only the data's events use it)."""
    found = []
    for node, parent, field in _walk(ruleset):
        if (isinstance(node, nodes.Name) and node.span is not None and (type(parent), field) not in _PARTY_FIELDS
                and not isinstance(parent, nodes.Deliverable)):
            kind = SERVICE_LEVEL if (type(parent), field) in _SERVICE_LEVEL_FIELDS else INPUT
            found.append(Occurrence(node, kind, (type(parent), field) in _DECLARING_FIELDS))
    return sorted(found, key=lambda o: (o.name.span.line, o.name.span.column))


def _holds(span: Span, line: int, column: int) -> bool:
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)


def enclosing(ruleset: nodes.Ruleset, line: int, column: int) -> list[object]:
    """The nodes with a span that holds (line, column), innermost first (an end column counts:
    a cursor just after a word is on it)."""
    held = [node for node, _, _ in _walk(ruleset)
            if getattr(node, "span", None) is not None and _holds(node.span, line, column)]
    return sorted(held, key=lambda n: (n.span.line, n.span.column, -n.span.end_line, -n.span.end_column),
                  reverse=True)


@attrs.frozen
class Expected:
    """What the grammar accepts after a text: terminal names, the words of the tokens read, and the
    LALR state stack to try a continuation on (see then())."""

    terminals: frozenset[str]
    tokens: tuple[str, ...]
    stack: tuple[int, ...] = attrs.field(repr=False)

    def then(self, terminal: str, word: str) -> "Expected | None":
        """What the grammar accepts once `word` (of `terminal`) follows; None if it cannot follow."""
        stack = _shifted(self.stack, terminal)
        if stack is None:
            return None
        return Expected(_accepted(stack), (*self.tokens, word), stack)


@functools.cache
def _table() -> dict:
    """The LALR table: state -> symbol -> (Shift, next state) or (Reduce, rule)."""
    return parser().parse_interactive("").parser_state.parse_conf.states


def _shifted(stack: tuple[int, ...], terminal: str) -> tuple[int, ...] | None:
    """The LALR state stack once `terminal` is shifted (after the reductions it causes); None if
    the grammar refuses it. Only states: what is accepted does not depend on the trees built, so
    none are (nor copied: a measurement nested 200 deep would exhaust Python's stack)."""
    states, stack = _table(), list(stack)
    while True:
        entry = states[stack[-1]].get(terminal)
        if entry is None:
            return None
        action, target = entry
        if action is Shift:
            return (*stack, target)
        if target.expansion:
            del stack[-len(target.expansion):]
        stack.append(states[stack[-1]][target.origin.name][1])


def _accepted(stack: tuple[int, ...]) -> frozenset[str]:
    return frozenset(t for t in _table()[stack[-1]] if t.isupper() and t != "$END"
                     and _shifted(stack, t) is not None)


def expected_at(text: str) -> Expected | None:
    """What may follow `text` (the text before a cursor, ending before any word being typed);
    None when the text already holds a syntax error."""
    state = parser().parse_interactive(text)
    tokens = []
    try:
        for token in state.iter_parse():
            tokens.append(str(token))
    except lark.UnexpectedInput:
        return None
    stack = tuple(state.parser_state.state_stack)
    return Expected(_accepted(stack), tuple(tokens), stack)


_BLANKS = re.compile(r"\[ (?:\\[trn]|[\t\r\n])*\]\+")  # `[ \t\r\n]+`, escaped or not: a blank


@functools.cache
def words_of(terminal: str) -> tuple[str, ...]:
    """The words (or phrases: `at risk`, `half up`) a terminal of the grammar stands for;
    nothing for an open class (NAME, NUMBER, ...) or for punctuation."""
    try:
        pattern = parser().get_terminal(terminal).pattern
    except KeyError:
        return ()
    if pattern.type == "str":
        return (pattern.value,) if pattern.value.isalpha() else ()
    text = _BLANKS.sub(" ", pattern.value).replace(r"\b", "").replace("(?:", "(")
    if re.search(r"[\[\]\\*+?{}.]", text):
        return ()
    return tuple(w for w in _expand(text) if w.replace(" ", "").isalpha())


def _expand(pattern: str) -> list[str]:
    """The strings a regex of literals, groups and `|` matches: `(?:half (up|even)|up)`."""
    alternatives, depth, start = [], 0, 0
    for i, char in enumerate(pattern):
        depth += char == "("
        depth -= char == ")"
        if char == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
    alternatives.append(pattern[start:])
    if len(alternatives) > 1:
        return [word for alternative in alternatives for word in _expand(alternative)]
    group = re.search(r"\(", pattern)
    if group is None:
        return [pattern]
    depth, end = 0, group.start()
    for end in range(group.start(), len(pattern)):
        depth += pattern[end] == "("
        depth -= pattern[end] == ")"
        if depth == 0:
            break
    head, inner, tail = pattern[:group.start()], pattern[group.end():end], pattern[end + 1:]
    return [head + middle + rest for middle in _expand(inner) for rest in _expand(tail)]
