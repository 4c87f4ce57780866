"""Mutators for the fuzz harness: deterministic damage to rulesets, data files and states.

Every function takes the text to damage and a `random.Random`; the same
generator state gives the same damage, so a case is replayed from its
(category, seed, index) alone (see cases.py). Nothing here knows the CLI.

  mutate_ruleset: tokens and lines deleted, repeated or exchanged; numbers
      made huge, tiny, negative or many-digit; unicode, a BOM, NULs, very long
      lines, `measured as` nested in deep parentheses or made of many terms.
  mutate_csv:     cells, rows and header damaged (wide, long or events CSV).
  mutate_json:    values, keys and nesting of a JSON document damaged.
  mutate_state:   a saved state's fields changed in type, value or presence.
"""
from __future__ import annotations

import copy
import json
import random
import re

TOKEN = re.compile(r"\s+|[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9,]*(?:\.[0-9]+)?|\"[^\"\n]*\"|.", re.S)
NUMBER = re.compile(r"(?<![A-Za-z_0-9])[0-9][0-9,]*(?:\.[0-9]+)?")
MEASURED = re.compile(r"measured as ([^\n,]+)")

ODD_TEXT = ("é", "ß", "Ω", "İ", "ﬁ", "🙂", "\u200b", "\u2028", "\u0085", "\u202e", "\ufeff", "\x00", "\t",
            "\r", "\x0c", "١٢", "½", "％", "−", "\\", '"', "#", ":", "%", ",", "(", ")", "\U0010ffff")


def odd_number(rng: random.Random) -> str:
    """A number a careful author would not write."""
    digits = rng.choice((1, 2, 15, 16, 28, 29, 30, 40, 60, 400, 5000))
    choice = rng.randrange(12)
    if choice == 0:
        return "9" * digits
    if choice == 1:
        return "0." + "0" * digits + "1"
    if choice == 2:
        return "-" + rng.choice(("1", "0", "5", "80", "9" * digits))
    if choice == 3:
        return "1" + "0" * digits + "." + "5" * rng.choice((1, 30, 60))
    if choice == 4:
        return rng.choice(("0", "-0", "0.0", "00", "0.000000"))
    if choice == 5:
        return rng.choice(("1e999", "1E-999", "1e5", "NaN", "inf", "-inf", "Infinity", "0x10", "1_000"))
    if choice == 6:
        return ",".join(["1"] + ["000"] * rng.randrange(1, 12))
    if choice == 7:
        return rng.choice(("1.", ".5", "1..2", "1,0", "1,00,0", "١٢", "½", "１２"))
    if choice == 8:
        return str(rng.randrange(-10 ** 6, 10 ** 6))
    if choice == 9:
        return f"{rng.random() * 10 ** rng.randrange(-5, 20):.{rng.randrange(0, 40)}f}"
    if choice == 10:
        return str(10 ** 9 + rng.randrange(10))
    return "".join(rng.choice("0123456789") for _ in range(digits))


def _lines_edit(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    edit = rng.randrange(3)
    if edit == 0:
        del lines[i]
    elif edit == 1:
        lines[i:i] = [lines[i]] * rng.choice((1, 1, 2, 50))
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _tokens_edit(text: str, rng: random.Random) -> str:
    tokens = TOKEN.findall(text)
    if not tokens:
        return text
    i, j = rng.randrange(len(tokens)), rng.randrange(len(tokens))
    edit = rng.randrange(3)
    if edit == 0:
        del tokens[i]
    elif edit == 1:
        tokens.insert(i, tokens[i])
    else:
        tokens[i], tokens[j] = tokens[j], tokens[i]
    return "".join(tokens)


def _number_edit(text: str, rng: random.Random) -> str:
    found = list(NUMBER.finditer(text))
    if not found:
        return text
    match = rng.choice(found)
    return text[:match.start()] + odd_number(rng) + text[match.end():]


def _insert(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text) + 1)
    piece = "".join(rng.choice(ODD_TEXT) for _ in range(rng.randrange(1, 4)))
    return text[:at] + piece + text[at:]


def _long_line(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text) + 1)
    piece = rng.choice(("x", "9", " ", "a_", "(", "#", "%")) * rng.choice((1000, 100_000))
    return text[:at] + piece + text[at:]


def _bom(text: str, rng: random.Random) -> str:
    return "\ufeff" + text if rng.random() < 0.8 else text.replace("\n", "\n\ufeff", 1)


def _deep_measure(text: str, rng: random.Random) -> str:
    found = list(MEASURED.finditer(text))
    if not found:
        return _insert(text, rng)
    match = rng.choice(found)
    expression = match.group(1).strip()
    if len(expression) > 100:  # already deep: growing it again would only make the file huge
        return _insert(text, rng)
    if rng.random() < 0.5:
        depth = rng.choice((10, 100, 400, 1000, 5000))
        deep = "(" * depth + expression + ")" * depth
    else:
        deep = " + ".join([f"({expression})"] * rng.choice((10, 100, 500, 1000)))
    if rng.random() < 0.2:  # unbalanced
        deep = deep[:-1]
    return text[:match.start(1)] + deep + text[match.end(1):]


RULESET_EDITS = (_lines_edit, _tokens_edit, _tokens_edit, _number_edit, _number_edit, _number_edit, _insert,
                 _long_line, _bom, _deep_measure)


# A mutated file is cut to this many characters: the time limit per case judges a hang, not a big file's
# reading time (that reading time grows in proportion to the size is benchmarked, not fuzzed).
MAX_CHARS = 400_000


def mutate_ruleset(text: str, rng: random.Random) -> str:
    for _ in range(rng.choice((1, 1, 2, 3))):
        text = rng.choice(RULESET_EDITS)(text, rng)
    return text[:MAX_CHARS]


# ---------------------------------------------------------------- CSV

def odd_cell(rng: random.Random) -> str:
    choice = rng.randrange(8)
    if choice < 3:
        return odd_number(rng)
    if choice == 3:
        return odd_label(rng)
    if choice == 4:
        return rng.choice(("", " ", '"', '""', '"a,b"', "=1+1", "@SUM(A1)", "-1%", "12%", "100.5%", "$1,000",
                           "waive", "exclude", "Waive", "null", "true"))
    if choice == 5:
        return "".join(rng.choice(ODD_TEXT) for _ in range(rng.randrange(1, 4)))
    if choice == 6:
        return rng.choice(("x", "9", "é")) * rng.choice((1000, 100_000))
    return rng.choice(("speed_of_answer", "uptime", "monthly_fee", "period", "input", "value", "service_level"))


def odd_label(rng: random.Random) -> str:
    return rng.choice(("2026-13", "2026-00", "2025-12", "1-01", "0000-01", "2026-1", "2026-Q5", "2026-Q0", "2026",
                       "9" * rng.choice((5, 20, 5000)) + "-01", "-2026-01", "2026-01-01", "2026-Q1", "2027-Q2",
                       "2026-02", "2026-03", " 2026-01", "2026/01", "２０２６-０１", "2026-01\x00"))


def _cell_edit(text: str, rng: random.Random) -> str:
    rows = [line.split(",") for line in text.split("\n")]
    row = rng.randrange(len(rows))
    cells = rows[row]
    col = rng.randrange(len(cells))
    edit = rng.randrange(4)
    if edit == 0:
        cells[col] = odd_cell(rng)
    elif edit == 1:
        del cells[col]
    elif edit == 2:
        cells.insert(col, odd_cell(rng))
    else:
        cells[col] = odd_label(rng) if rng.random() < 0.5 else cells[col] + odd_cell(rng)
    return "\n".join(",".join(r) for r in rows)


def _line_ends(text: str, rng: random.Random) -> str:
    return text.replace("\n", rng.choice(("\r\n", "\r", "\n\n", "\n,\n", "\x00\n")))


CSV_EDITS = (_cell_edit, _cell_edit, _cell_edit, _cell_edit, _lines_edit, _tokens_edit, _number_edit, _insert,
             _long_line, _bom, _line_ends)


def mutate_csv(text: str, rng: random.Random) -> str:
    for _ in range(rng.choice((1, 1, 2, 3))):
        text = rng.choice(CSV_EDITS)(text, rng)
    return text[:MAX_CHARS]


# ---------------------------------------------------------------- JSON

def odd_json_value(rng: random.Random, depth: int = 0):
    choice = rng.randrange(11)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice((True, False))
    if choice == 2:
        return rng.choice((0, -1, 1, 10 ** 30, -10 ** 30, 2 ** 63, int("9" * rng.choice((20, 400, 4000)))))
    if choice == 3:
        return rng.choice((0.1, -0.0, 1e308, 1e-320, 99.99999999999999, float("nan"), float("inf")))
    if choice == 4:
        return odd_number(rng)
    if choice == 5:
        return odd_label(rng)
    if choice == 6 and depth < 3:
        return [odd_json_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    if choice == 7 and depth < 3:
        return {odd_cell(rng)[:20]: odd_json_value(rng, depth + 1) for _ in range(rng.randrange(3))}
    if choice == 8:
        return nested(rng.choice((10, 500, 5000, 100_000)), rng)
    if choice == 9:
        return odd_cell(rng)
    return ""


def nested(depth: int, rng: random.Random):
    """A marker that `dump` writes as `depth` brackets around a value (json.dumps would recurse)."""
    return _Nested(depth, rng.choice("[{"))


class _Nested:
    def __init__(self, depth: int, bracket: str):
        self.depth, self.bracket = depth, bracket


def dump(document) -> str:
    """json.dumps, with _Nested markers written as deep brackets, NaN and Infinity as Python writes them."""
    markers: list[_Nested] = []

    def default(value):
        if isinstance(value, _Nested):
            markers.append(value)
            return f"\x01NESTED{len(markers) - 1}\x01"
        raise TypeError(type(value).__name__)

    text = json.dumps(document, default=default, ensure_ascii=False)
    for i, marker in enumerate(markers):
        opening = "[" * marker.depth if marker.bracket == "[" else '{"a":' * marker.depth
        closing = "]" * marker.depth if marker.bracket == "[" else "}" * marker.depth
        text = text.replace(f'"\\u0001NESTED{i}\\u0001"', opening + "1" + closing)
        text = text.replace(f'"\x01NESTED{i}\x01"', opening + "1" + closing)
    return text


def _paths(document, prefix=()):
    """Every (path, value) in a JSON document, containers included."""
    yield prefix, document
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from _paths(value, prefix + (i,))


def _json_edit(document, rng: random.Random):
    paths = list(_paths(document))
    path, value = rng.choice(paths)
    if not path:
        return odd_json_value(rng) if rng.random() < 0.1 else document
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    edit = rng.randrange(6)
    if edit == 0:
        parent[key] = odd_json_value(rng)
    elif edit == 1:
        del parent[key]
    elif edit == 2 and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]) if rng.random() < 0.7 else odd_json_value(rng))
    elif edit == 2:
        parent[odd_cell(rng)[:30]] = odd_json_value(rng)
    elif edit == 3 and isinstance(parent, dict):
        parent[str(key) + rng.choice(("_", "x", " ", "é"))] = parent.pop(key)
    elif edit == 4 and isinstance(value, str):
        parent[key] = rng.choice((odd_number(rng), odd_label(rng), value + odd_cell(rng), ""))
    elif edit == 5 and isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[key] = rng.choice((str(value), -value, value * 10 ** 30, odd_json_value(rng)))
    else:
        parent[key] = odd_json_value(rng)
    return document


def mutate_json(text: str, rng: random.Random) -> str:
    if rng.random() < 0.15:  # damage the text itself
        return mutate_csv(text, rng) if rng.random() < 0.5 else _deep_brackets(text, rng)
    document = json.loads(text)
    for _ in range(rng.choice((1, 1, 2, 3))):
        document = _json_edit(document, rng)
    return dump(document)


def _deep_brackets(text: str, rng: random.Random) -> str:
    depth = rng.choice((100, 1000, 100_000))
    return "[" * depth + text + "]" * depth * rng.choice((0, 1))


def mutate_state(text: str, rng: random.Random) -> str:
    """A saved state damaged as a person or a broken disk would: mostly in its fields, sometimes in its text."""
    if rng.random() < 0.2:
        return mutate_csv(text, rng) if rng.random() < 0.5 else _bom(text, rng)
    document = json.loads(text)
    for _ in range(rng.choice((1, 1, 2))):
        document = _json_edit(document, rng)
    return dump(document)
