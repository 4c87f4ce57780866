"""What an explanation is before it is rendered: a Document of numbered Parts,
each a run of numbered Clauses whose text carries inline marks (words.py).
"""
from __future__ import annotations

import attrs


@attrs.frozen
class Clause:
    """One numbered clause: `3.1.4 Service credit. If the target is missed ... [file:29]`."""

    number: str
    heading: str
    body: str
    refs: tuple[str, ...]


@attrs.frozen
class Part:
    """A numbered part of the document (`3. Service levels`) and its clauses."""

    number: str
    title: str
    intro: str | None
    clauses: tuple[Clause, ...]


@attrs.frozen
class Document:
    title: str
    preface: str
    parts: tuple[Part, ...]
    identity: str = ""  # the ruleset's fingerprint and the slarules version, as a line
