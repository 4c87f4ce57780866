"""The nouns a linear amount counts in: `per ticket`, `per missed response`, `per ticket
resolved late`, in the singular and the plural as the contract writes them.

Pure functions over strings and nodes.Linear, shared by the check (the counting phrase
names the unit's noun), the printer (which writes the plural back) and explain.
"""
from __future__ import annotations

from . import nodes


def plural_noun(noun: str) -> str:
    """The plural of a unit noun no counting phrase states: `ticket` -> `tickets`, `missed
    response` -> `missed responses` (the last word takes it, as in most compound nouns). A
    noun whose plural is formed otherwise (`ticket resolved late`) states it in its counting
    phrase (`only whole tickets resolved late count`), and that is the one used."""
    *head, last = noun.split(" ")
    return " ".join(head + [last if last.endswith("s") else last + "s"])


def linear_nouns(form: nodes.Linear) -> tuple[str, str]:
    """(singular, plural) of the unit a linear amount counts in, as written: the singular
    from `per NOUN` (a plural written there, `per 2 points`, loses its last `s`), the plural
    from the counting phrase, or formed by plural_noun under `pro rata`."""
    written = form.step_unit
    if form.counted is not None and form.counted != written:
        singular, plural = written, form.counted
    elif " " not in written and written.endswith("s"):
        singular, plural = written.removesuffix("s"), written
    else:
        singular, plural = written, form.counted or plural_noun(written)
    return singular, plural


def _word_forms(word: str) -> set[str]:
    """A word and the plurals English forms from it by rule: +s, +es, y -> ies."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    return forms


def same_noun(first: str, second: str) -> bool:
    """Whether two nouns are one noun, in the singular or the plural: `ticket resolved late` and
    `tickets resolved late`, `missed response` and `missed responses`, `query` and `queries`.
    At most one word may differ, and only by a regular plural ending."""
    a, b = first.split(" "), second.split(" ")
    if len(a) != len(b):
        return False
    differing = [(x, y) for x, y in zip(a, b) if x != y]
    return len(differing) <= 1 and all(y in _word_forms(x) or x in _word_forms(y) for x, y in differing)
