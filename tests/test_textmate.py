"""The TextMate grammar of editors/textmate (syntax highlighting for `.sla`)
against the language it highlights.

No editor is needed: a small TextMate tokenizer below runs the grammar with
Python's `re` (the grammar keeps to the regex subset Oniguruma and Python
share), and Lark, with grammar/slarules.lark, says what each piece of text
really is. So the editor grammar cannot drift from the language:

- every keyword of grammar/slarules.lark (its quoted literals, the
  alternatives of its terminals and the words of its keyword regexes) is
  highlighted as a keyword, a unit or a constant, never as a name;
- every line of every rulesets/*.sla, and of an all-forms ruleset below that
  uses every keyword at least once, is scoped token by token as Lark reads it:
  comments and strings as a whole and with nothing inside them, numbers with
  their units, currency codes, period labels, keywords, units, the name a
  service level is given and every other name;
- the VS Code manifest contributes the language and this grammar.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import lark
import pytest

ROOT = Path(__file__).resolve().parents[1]
LARK = ROOT / "grammar" / "slarules.lark"
TM = ROOT / "editors" / "textmate" / "slarules.tmLanguage.json"
VSCODE = ROOT / "editors" / "vscode"
RULESETS = sorted((ROOT / "rulesets").glob("*.sla"))

# Terminals that are numbers, whose letters are no words: ORDINAL, the rank of `the 10th business day`.
NUMERIC_TERMINALS = {"ORDINAL"}
# The grammar's terminals with a name of their own; every other token is an
# anonymous literal ("contract", ":", ...).
LITERAL_FREE_TERMINALS = {"NAME", "NOUN", "NUMBER", "STRING", "CURRENCY", "MONTH", "COMMENT"}

# Uses every keyword and every terminal alternative of the language at least
# once (test_every_keyword_occurs_in_context checks that), with comments and
# strings in awkward places and clauses wrapped over lines. It only needs to
# parse: it is not meant to pass `slarules check`.
ALL_FORMS = '''\
# Every form of the language. "Quotes", 12% of fee, service level x and 2026-01 in a comment.
contract "All forms, # not a comment" currency USD, assessed yearly, assessed quarterly,
  assessed monthly, rounding half even to whole units, rounding half down, rounding up,
  rounding down to cents, rounding half up, starts 2026-01   # trailing "comment"

inputs
  fee            money "the fee (Schedule B)"
  at_risk_fee    money
  answered       percent, default 0
  wait_time      seconds, missing counts as a miss
  outage         minutes
  calls          count "calls offered"
  csat           score
  p1_share       ratio

at risk: 10% of fee each month
at
  risk: 10 % of fee each period
bonuses at most USD 1,500.50 each quarter
bonuses are paid separately
bonuses offset credits
bonuses only offset credits
credits in any 12 months at most 10% of fee in those months
credits in each contract year at most 8% of fee in that year
credits in any 3 quarters at most EUR 250,000
waived misses do not count toward termination
excluded periods break streaks
excluded years break streaks

parties
  client    "Northwind Bank plc", may waive
  vendor    "Contoso Services Ltd"   # a party "quoted"
reviews
  monthly operational review
  annual review of targets   # of, targets: its name

inputs
  reported_fee  money, reported by vendor
  late_calls    count "calls", default 0, reported by client, due the 10th business day of the following month

service level duties
  accountable: vendor
  measured as late_calls
  target: at most 3
  late report: counts as a miss
  late report: credit USD 250
  late report: no consequence

critical service level speed "Speed of answer"
  measured as (answered + 1) * 2 - wait_time / 3, in percent
  target: above 80%
  measured only when calls is above 500
  allocation: 25% of the amount at risk
  credit: 5% of fee
  credit: below 80%: 2% of the allocation
  credit, the most severe row applies:
    below 80%: 2% of fee
    at most 75%: 5% of fee
  credit by range:
    from 41 to 45 seconds: 20% of fee
    from 1 to below 2 minutes: JPY 10
    above 45 to 60 seconds: 30% of fee
    at least 1 minute: 40% of fee
    at least 1 second: 40% of fee
  credit: USD 250 per second above 40 seconds, pro rata
  credit: USD 250 per 0.5 point below 90%, only whole points count, at most USD 1,000
  credit: USD 250 per minute above 4 minutes, part minutes count as whole
  credit: USD 1 per unit below 3, part units count as whole, at most 2% of fee
  credit: USD 1 per 2 seconds above 3 seconds, only whole seconds count
  credit: USD 8 per ticket above 3, only whole tickets count
  credit: the shortfall in points as a percentage of fee, at most 10% of fee
  bonus: 1% of fee
  bonus, the best row applies:
    at least 85%: 1% of fee
  bonus by range:
    from 90 to 95%: 1% of fee
  bonus only if no critical service level is missed
  bonus only if all service levels are met
  bonus only if speed and quality are met
  bonus only if quality is met
  cure: within 2 periods
  free passes: the first 1 miss in each contract year
  free passes: the first 2 misses in each contract year
  earn back: 50% of its credits after 3 consecutive met months
  earn back: 100% of its credits when the contract year average meets the target

service level quality # no title
  measured
    as csat
  target:
    at least 4.0
  credit: 1% of fee

service level grid
  measured as wait_time, reported to whole seconds
  measured as csat, reported to 2 decimals, rounding half even
  measured as csat, reported to 1 decimal
  measured as (minutes in the month - outage) / minutes in the period, in percent
  measured as (hours   in the quarter - days in the year * 24 + seconds in the period / 3600) / 1
  target: at most 20 seconds
  credit by range:
    above 20 to below 30 seconds: 1% of fee
    below 40 seconds and at least 30 seconds: 2% of fee
credits at most 50% of fee each month

terminate when speed is missed 3 months in a row
terminate when speed is missed 4 times in any 12 months
terminate when quality is below 3 in any month
terminate when speed is missed 2 years in a row
terminate when speed is missed 2 quarters in a row
terminate
  when credits in any 6 months exceed USD 100,000
terminate when credits in any 6 months exceed 5% of fee in those months
terminate when 3 or more service levels are missed in one month
terminate when speed is missed 2 months in a row, on 30 days' notice
terminate when speed is missed 3 months in a row, on 1 business day notice

service level lenient
  measured as csat
  target: at least 4
  cure: within 30 calendar days
  cure within 1 day
  cure: within 10 business days

deliverable go_live "Go-live" # a milestone
  due 2026-04-15
  price USD 400,000
  late until accepted
  credit: USD 750 per calendar day late, at most 50% of its price
deliverable manuals
  due 2026-05-01 credit: USD 100 per business day late, at most USD 1,000

amendment effective 2027-01
  at risk: 15% of fee each year
  bonuses at most 3% of fee each month
  service level speed
    target: at least 85%
'''


# ---------------------------------------------------------------- the language

def _lark_pieces(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The quoted literals and the /regex/ literals of a .lark file, with the
    name of the terminal each regex belongs to; `//` comments skipped."""
    strings: list[str] = []
    regexes: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line.lstrip().startswith(("//", "%")):
            continue
        terminal = re.match(r"\s*([A-Z_][A-Z0-9_]*)(?:\.\d+)?\s*:", line)
        i = 0
        while i < len(line):
            c = line[i]
            if line.startswith("//", i):
                break
            if c in "\"/":
                j = i + 1
                while j < len(line) and line[j] != c:
                    j += 2 if line[j] == "\\" else 1
                body = line[i + 1:j]
                if c == '"':
                    strings.append(body)
                else:
                    regexes.append((terminal.group(1) if terminal else "", body))
                i = j + 1
            else:
                i += 1
    return strings, regexes


def keyword_words() -> set[str]:
    """Every word the language reserves: quoted literals (which include the
    alternatives of string terminals such as PERIOD_WORD) and the words of
    regex terminals such as AT_RISK and ROUNDING_MODE."""
    strings, regexes = _lark_pieces(LARK.read_text(encoding="utf-8"))
    words = {s for s in strings if re.fullmatch(r"[a-z]+", s)}
    for terminal, body in regexes:
        if terminal in NUMERIC_TERMINALS:
            continue
        stripped = re.sub(r"\\.", "", re.sub(r"\[[^\]]*\]", "", body))  # classes, escapes
        words |= set(re.findall(r"[a-z]+", stripped))
    return words


def keyword_texts() -> set[str]:
    """The texts of keyword regex terminals of several words (`at risk`,
    `half up`): runs of blanks as one space, one group of alternatives expanded."""
    _strings, regexes = _lark_pieces(LARK.read_text(encoding="utf-8"))
    texts = set()
    for _terminal, body in regexes:
        text = re.sub(r"\[[^\]]*\][+*]", " ", body).replace("\\b", "")
        group = re.search(r"\(([a-z|]+)\)", text)
        alternatives = ([text[:group.start()] + a + text[group.end():] for a in group.group(1).split("|")]
                        if group else [text])
        texts |= {a for a in alternatives if re.fullmatch(r"[a-z]+( [a-z]+)+", a)}
    return texts


def test_keyword_extraction_sees_the_grammar():
    words = keyword_words()
    assert {"contract", "service", "level", "measured", "earn", "back", "terminate", "amendment",
            "effective", "critical", "monthly", "months", "money", "percent", "half", "even", "up",
            "risk", "misses", "points"} <= words
    assert not words & {"a_z", "z", "n", "t", "r"}  # nothing from character classes or escapes
    assert keyword_texts() == {"at risk", "half up", "half even", "half down"}


_COMMENTS: list[lark.Token] = []  # filled by the lexer as it skips comments


@functools.cache
def lark_parser() -> lark.Lark:
    return lark.Lark(LARK.read_text(encoding="utf-8"), parser="lalr", keep_all_tokens=True,
                     propagate_positions=True, maybe_placeholders=True,
                     lexer_callbacks={"COMMENT": _COMMENTS.append})


# The rules (or their aliases) of grammar/slarules.lark that are a clause or a
# term: their first word is highlighted as keyword.control.
CLAUSES = {"contract", "currency", "assessed", "rounding", "starts", "inputs", "at_risk", "bonus_limit",
           "paid_separately", "offset", "only_offset", "window_cap", "termination",
           "waived_misses_do_not_count", "excluded_periods_break_streaks", "amendment",
           "amended_service_level", "service_level", "measured", "target", "volume", "allocation",
           "credit", "bonus", "bonus_gate", "cure", "free_passes", "earn_back"}


def _tokens_of(tree) -> list[lark.Token]:
    return sorted(tree.scan_values(lambda v: isinstance(v, lark.Token)), key=lambda t: t.start_pos)


def lark_tokens(text: str) -> tuple[list[lark.Token], list[lark.Token], list[lark.Token]]:
    """(tokens in source order, comments, the first token of every clause) as
    the language reads the text."""
    _COMMENTS.clear()
    tree = lark_parser().parse(text)
    comments = list(_COMMENTS)
    openers = [_tokens_of(t)[0] for t in tree.iter_subtrees() if t.data in CLAUSES]
    unique = {c.start_pos: c for c in comments}
    return _tokens_of(tree), [unique[k] for k in sorted(unique)], openers


def test_clause_rules_exist():
    rules = set(re.findall(r"^\??([a-z_]+):|->\s*([a-z_]+)", LARK.read_text(encoding="utf-8"), re.M))
    names = {a or b for a, b in rules}
    assert CLAUSES <= names, CLAUSES - names


# ---------------------------------------------------------------- a TextMate tokenizer

class TextMate:
    """The core of TextMate's tokenization, enough for this grammar: per line,
    of the current rule's patterns (includes expanded) and the open begin/end
    rule's `end`, the match that starts first wins, ties going to `end` and then
    to the pattern listed first; `match` rules and `begin`/`end` rules with
    `name`, `contentName` and captures. Each character gets its scope stack."""

    def __init__(self, grammar: dict):
        self.grammar = grammar
        self.scope = grammar["scopeName"]
        self._compiled: dict[str, re.Pattern] = {}

    def regex(self, source: str) -> re.Pattern:
        if source not in self._compiled:
            self._compiled[source] = re.compile(source)
        return self._compiled[source]

    def expand(self, patterns: list[dict], seen: tuple = ()) -> list[dict]:
        out = []
        for p in patterns:
            if "include" in p:
                ref = p["include"]
                if ref == "$self" or ref == "$base":
                    target = {"patterns": self.grammar["patterns"]}
                else:
                    assert ref.startswith("#"), f"only local includes are supported: {ref}"
                    target = self.grammar["repository"][ref[1:]]
                assert ref not in seen, f"include cycle through {ref}"
                out += self.expand([target], seen + (ref,))
            elif "match" in p or "begin" in p:
                out.append(p)
            else:  # a repository entry that only groups patterns
                out += self.expand(p.get("patterns", []), seen)
        return out

    @staticmethod
    def _apply(scopes: list, m: re.Match, base: tuple, name: str | None, captures: dict | None):
        for i in range(m.start(), m.end()):
            scopes[i] = base + ((name,) if name else ())
        for group, cap in sorted((captures or {}).items(), key=lambda kv: int(kv[0])):
            start, end = m.span(int(group))
            if start < 0 or "name" not in cap:
                continue
            for i in range(start, end):
                scopes[i] = scopes[i] + (cap["name"],)

    def tokenize(self, text: str) -> list[tuple[str, ...]]:
        """The scope stack of every character of text (newlines: the root scope)."""
        root = (self.scope,)
        # Each frame: (patterns, content scopes, scopes of the rule's own name, end regex, endCaptures).
        stack = [(self.expand(self.grammar["patterns"]), root, root, None, None)]
        result: list[tuple[str, ...]] = []
        for line in text.split("\n"):
            scopes: list = [None] * len(line)
            pos, steps = 0, 0
            while pos <= len(line):
                steps += 1
                assert steps < 10 * (len(line) + 10), f"tokenizer loops on {line!r}"
                patterns, content, own, end, end_captures = stack[-1]
                best = None
                if end is not None:
                    m = end.search(line, pos)
                    if m:
                        best = (m.start(), None, m)
                for rule in patterns:
                    m = self.regex(rule.get("match") or rule["begin"]).search(line, pos)
                    if m and (best is None or m.start() < best[0]):
                        best = (m.start(), rule, m)
                if best is None:
                    for i in range(pos, len(line)):
                        scopes[i] = content
                    break
                start, rule, m = best
                for i in range(pos, start):
                    scopes[i] = content
                if rule is None:  # the open rule ends
                    self._apply(scopes, m, own, None, end_captures)
                    stack.pop()
                elif "match" in rule:
                    self._apply(scopes, m, content, rule.get("name"), rule.get("captures"))
                else:
                    self._apply(scopes, m, content, rule.get("name"),
                                rule.get("beginCaptures", rule.get("captures")))
                    named = content + ((rule["name"],) if "name" in rule else ())
                    inner = named + ((rule["contentName"],) if "contentName" in rule else ())
                    stack.append((self.expand(rule.get("patterns", [])), inner, named,
                                  self.regex(rule["end"]), rule.get("endCaptures", rule.get("captures"))))
                if m.end() == m.start() and rule is not None and "match" in rule:
                    if pos < len(line):
                        scopes[pos] = content
                    pos += 1  # an empty match must not stall the scan
                else:
                    pos = m.end()
            result.extend(scopes)
            result.append(stack[-1][1])  # the newline
        return result[:len(text)]


@pytest.fixture(scope="module")
def grammar() -> dict:
    return json.loads(TM.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def textmate(grammar) -> TextMate:
    return TextMate(grammar)


# ---------------------------------------------------------------- the grammar file

def _all_rules(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _all_rules(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_rules(value)


# Oniguruma constructs Python's re lacks or reads differently; the grammar avoids them.
ONIGURUMA_ONLY = [r"\h", r"\H", r"\p{", r"\P{", r"\G", r"\A", r"\z", r"\Z", r"\K", r"\R", r"\X",
                  r"\k<", r"\g<", "(?<", "(?>", "(?~", "++", "*+", "?+", "[[:"]


def test_grammar_file_is_a_textmate_grammar(grammar, textmate):
    assert grammar["scopeName"] == "source.slarules"
    assert grammar["name"] == "slarules"
    assert "sla" in grammar["fileTypes"]
    assert grammar["patterns"]
    textmate.expand(grammar["patterns"])  # every include resolves, no cycle
    for key, entry in grammar["repository"].items():
        textmate.expand([entry])
    for rule in _all_rules(grammar):
        for key in ("match", "begin", "end"):
            if isinstance(rule.get(key), str):
                source = rule[key]
                re.compile(source)
                for construct in ONIGURUMA_ONLY:
                    if construct == "(?<":  # lookbehind is fine, named groups are not
                        assert not re.search(r"\(\?<(?![=!])", source), source
                    else:
                        assert construct not in source, f"{construct} in {source}"
        if isinstance(rule.get("name"), str) and rule is not grammar:
            assert rule["name"].endswith(".slarules"), rule["name"]


def test_every_include_is_used(grammar):
    text = TM.read_text(encoding="utf-8")
    for key in grammar["repository"]:
        assert f'"#{key}"' in text, f"repository entry {key} is never included"


# ---------------------------------------------------------------- scope predicates

OTHER_KINDS = ("comment.", "string.", "variable.", "entity.", "invalid.")


def _has(scopes, prefix: str) -> bool:
    return any(s.startswith(prefix) for s in scopes)


def _keywordish(scopes) -> bool:
    """A keyword, a unit or a language constant: never a name, string or comment."""
    return (any(s.startswith(("keyword.", "storage.type.", "constant.language.")) for s in scopes)
            and not any(s.startswith(OTHER_KINDS) for s in scopes))


@pytest.mark.parametrize("word", sorted(keyword_words() | keyword_texts()))
def test_every_keyword_literal_is_a_keyword(textmate, word):
    """Alone on a line, between names, where a service level's name goes and
    where an input's name goes, a keyword of the language is a keyword, a unit
    or a constant, character for character (so the keyword lists the grammar
    repeats in its lookaheads are complete too)."""
    for text, offset in ((word, 0), (f"some_name {word} other_name", len("some_name ")),
                         (f"service level {word}", len("service level ")), (f"{word} count", 0)):
        scopes = textmate.tokenize(text)
        for i, ch in enumerate(word):
            if not ch.isspace():
                assert _keywordish(scopes[offset + i]), (word, text, scopes[offset + i])
        # The names around it stay names.
        if text.startswith("some_name"):
            assert _has(scopes[0], "variable.other"), (text, scopes[0])
            assert _has(scopes[-1], "variable.other"), (text, scopes[-1])


# ---------------------------------------------------------------- rulesets, token by token

def _expected(tok: lark.Token, previous: list[lark.Token]) -> tuple[str, ...]:
    """The scope prefixes a token must carry (any one of them)."""
    kind, value = tok.type, str(tok)
    if kind == "NOUN":  # what a count counts, `per ticket`: highlighted as a name
        return ("variable.other",)
    if kind == "NAME":
        if (len(previous) >= 2 and str(previous[-1]) == "level" and str(previous[-2]) == "service"
                and previous[-1].end_line == tok.line):
            return ("entity.name.function",)
        return ("variable.other", "entity.name.function") if previous and str(previous[-1]) == "level" \
            else ("variable.other",)
    if kind == "NUMBER" or kind in NUMERIC_TERMINALS:
        return ("constant.numeric",)
    if kind == "STRING":
        return ("string.quoted.double",)
    if kind == "CURRENCY":
        return ("support.constant",)
    if kind == "MONTH":
        return ("constant.other.period",)
    if kind == "DATE":
        return ("constant.other.date",)
    if kind == "UNIT":
        return ("storage.type.unit",)
    if kind in ("PERIODICITY", "ROUNDING_MODE"):
        return ("constant.language",)
    if kind == "QUANTITY_UNIT" or value == "%":
        return ("constant.numeric",)
    if re.fullmatch(r"[a-z]+(\s+[a-z]+)*", value):  # a keyword literal or keyword terminal
        return ("keyword.",)
    if value in "+-*/":
        return ("keyword.operator.arithmetic",)
    if value in ":,()'":
        return ("punctuation.",)
    raise AssertionError(f"unexpected token {kind} {value!r}")


def check_text(textmate, text: str, where: str) -> dict:
    """Tokenize text with the TextMate grammar and compare every character
    with what Lark reads there. Returns how many tokens of each kind it saw."""
    tokens, comments, openers = lark_tokens(text)
    scopes = textmate.tokenize(text)
    seen: dict[str, int] = {}

    def at(offset):
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return f"{where}:{line}:{col}: {text.splitlines()[line - 1]!r}"

    # Nothing in valid text is marked invalid.
    for offset, s in enumerate(scopes):
        assert not _has(s, "invalid."), (at(offset), s)

    # Comments: the whole comment, and nothing else inside it.
    for c in comments:
        for offset in range(c.start_pos, c.end_pos):
            s = scopes[offset]
            assert s[0] == "source.slarules" and s[1] == "comment.line.number-sign.slarules", (at(offset), s)
            extra = set(s[2:]) - {"punctuation.definition.comment.slarules"}
            assert not extra, (at(offset), s)
        seen["comment"] = seen.get("comment", 0) + 1
    # Text that is neither a comment nor a token is whitespace and is not in a comment.
    covered = {o for c in comments for o in range(c.start_pos, c.end_pos)}
    covered |= {o for t in tokens for o in range(t.start_pos, t.end_pos)}
    for offset, ch in enumerate(text):
        if offset not in covered:
            assert ch.isspace(), at(offset)
            assert not _has(scopes[offset], "comment.") and not _has(scopes[offset], "string."), at(offset)

    previous: list[lark.Token] = []
    for tok in tokens:
        wanted = _expected(tok, previous)
        for offset in range(tok.start_pos, tok.end_pos):
            if text[offset].isspace():
                continue
            s = scopes[offset]
            assert any(_has(s, w) for w in wanted), (at(offset), tok.type, str(tok), wanted, s)
            if tok.type == "STRING":  # the whole string, and nothing else inside it
                assert s[:2] == ("source.slarules", "string.quoted.double.slarules"), (at(offset), s)
                assert all(x.startswith("punctuation.definition.string.") for x in s[2:]), (at(offset), s)
            elif wanted == ("keyword.",) or tok.type in ("UNIT", "PERIODICITY", "ROUNDING_MODE",
                                                         "QUANTITY_UNIT"):
                assert _keywordish(s) or _has(s, "constant.numeric"), (at(offset), tok.type, str(tok), s)
            else:
                assert not _has(s, "comment.") and not _has(s, "string."), (at(offset), s)
        seen[tok.type] = seen.get(tok.type, 0) + 1
        previous.append(tok)

    # The word that opens a clause is a keyword.control, even with the rest of
    # the clause's words on the next line (`at risk` is one token that may span
    # lines: its `at` alone cannot be told from the `at` of `at least`).
    for tok in openers:
        if "\n" in str(tok):
            continue
        for offset in range(tok.start_pos, tok.end_pos):
            if not text[offset].isspace():
                assert _has(scopes[offset], "keyword.control"), (at(offset), str(tok), scopes[offset])
        seen["clause"] = seen.get("clause", 0) + 1
    return seen


@pytest.mark.parametrize("path", RULESETS, ids=[p.stem for p in RULESETS])
def test_rulesets_are_highlighted_as_they_parse(textmate, path):
    seen = check_text(textmate, path.read_text(encoding="utf-8"), f"rulesets/{path.name}")
    assert seen.get("comment") and seen.get("STRING") and seen.get("NUMBER") and seen.get("NAME")
    assert seen.get("clause")


def test_all_forms_are_highlighted_as_they_parse(textmate):
    seen = check_text(textmate, ALL_FORMS, "ALL_FORMS")
    for kind in ("comment", "STRING", "NUMBER", "NAME", "CURRENCY", "MONTH", "UNIT", "PERIODICITY",
                 "ROUNDING_MODE", "QUANTITY_UNIT", "STEP_UNIT", "PERIOD_WORD", "AT_RISK", "CRITICAL", "clause"):
        assert seen.get(kind), kind


def test_every_keyword_occurs_in_context():
    """Between them, the rulesets and ALL_FORMS use every keyword, so the
    token-by-token tests above see each one where the language puts it."""
    used: set[str] = set()
    for text in [p.read_text(encoding="utf-8") for p in RULESETS] + [ALL_FORMS]:
        tokens, _comments, _openers = lark_tokens(text)
        for tok in tokens:
            if tok.type not in LITERAL_FREE_TERMINALS:
                used |= set(str(tok).split())
    assert keyword_words() - used == set()


# ---------------------------------------------------------------- the scopes named in editors/README.md

@pytest.mark.parametrize("text, piece, scope", [
    ('critical service level speed_of_answer "Calls"', "critical", "keyword.control"),
    ('critical service level speed_of_answer "Calls"', "service level", "keyword.control"),
    ('critical service level speed_of_answer "Calls"', "speed_of_answer", "entity.name.function.service-level"),
    ("  amendment effective 2027-01", "amendment effective", "keyword.control.amendment"),
    ("  amendment effective 2027-01", "2027-01", "constant.other.period"),
    ("terminate when quality is below 70% in any month", "terminate when", "keyword.control.termination"),
    ("terminate when quality is below 70% in any month", "quality", "variable.other"),
    ("terminate when quality is below 70% in any month", "below", "keyword.operator.comparison"),
    ("terminate when quality is below 70% in any month", "70", "constant.numeric"),
    ("terminate when quality is below 70% in any month", "%", "keyword.other.unit"),
    ("terminate when quality is below 70% in any month", "month", "keyword.other.period"),
    ("  target: at most 30 seconds", "target", "keyword.control"),
    ("  target: at most 30 seconds", "seconds", "constant.numeric"),
    ("  target: at most 30 seconds", "seconds", "keyword.other.unit"),
    ("  target: at most 30 seconds", ":", "punctuation.separator.key-value"),
    ("  earn back: 50% of its credits after 3 consecutive met months", "earn back", "keyword.control"),
    ("  earn back: 50% of its credits after 3 consecutive met months", "credits", "keyword.other"),
    ("credits in any 12 months at most 10% of fee in those months", "credits", "keyword.control"),
    ("at risk: 12% of monthly_fee each month", "at risk", "keyword.control.at-risk"),
    ("  allocation: 25% of the amount at risk", "at risk", "keyword.other"),
    ("  monthly_fee  money  \"fees\"", "monthly_fee", "variable.other.input"),
    ("  monthly_fee  money  \"fees\"", "money", "storage.type.unit"),
    ("  calls_offered  count", "count", "storage.type.unit"),
    ("  quality_score  percent, missing counts as a miss", "percent", "storage.type.unit"),
    ("  measured as a / b, in percent", "percent", "keyword.other.unit"),
    ("  measured as a / b, in percent", "/", "keyword.operator.arithmetic"),
    ("  credit: USD 500 per point below 90%, part points count as whole, at most USD 3,000", "USD",
     "support.constant.currency"),
    ("  credit: USD 500 per point below 90%, part points count as whole, at most USD 3,000", "3,000",
     "constant.numeric"),
    ("  credit: USD 500 per point below 90%, part points count as whole, at most USD 3,000", "count",
     "keyword.other"),
    ("  currency USD, assessed monthly, rounding half up to cents", "monthly", "constant.language.periodicity"),
    ("  currency USD, assessed monthly, rounding half up to cents", "half up", "constant.language.rounding"),
    ("  bonus only if no critical service level is missed", "bonus only if", "keyword.control.bonus-gate"),
    ("  bonus only if no critical service level is missed", "critical", "keyword.other.gate"),
    ("contract \"Acme\" # the header", "# the header", "comment.line.number-sign"),
    ("contract \"Acme\" # the header", "\"Acme\"", "string.quoted.double"),
    ("  answered_in_20s  count", "answered_in_20s", "variable.other"),
    ("  Monthly_fee  money", "Monthly_fee", "invalid.illegal"),
])
def test_scopes(textmate, text, piece, scope):
    scopes = textmate.tokenize(text)
    start = text.index(piece)
    for offset in range(start, start + len(piece)):
        if not text[offset].isspace():
            assert _has(scopes[offset], scope), (text, piece, offset, scopes[offset])
    if not scope.startswith("variable."):
        assert not any(_has(scopes[o], "variable.") for o in range(start, start + len(piece)))


def test_comments_and_strings_hold_nothing_else(textmate):
    text = ('contract "a # b 12% USD service level x" # "c" 2026-01 12% USD credit monthly_fee\n'
            '  "unterminated 80% service level\n'
            "  target: at least 80% #\n"
            "# contract \"x\" currency USD")
    scopes = textmate.tokenize(text)
    line1 = text.splitlines()[0]
    string_end = line1.index('"', 10) + 1
    for offset in range(line1.index('"'), string_end):
        assert scopes[offset][:2] == ("source.slarules", "string.quoted.double.slarules")
        assert all(s.startswith("punctuation.definition.string") for s in scopes[offset][2:])
    for offset in range(line1.index("#", string_end), len(line1)):
        assert scopes[offset][:2] == ("source.slarules", "comment.line.number-sign.slarules")
        assert all(s.startswith("punctuation.definition.comment") for s in scopes[offset][2:])
    # An unterminated string ends with its line; the next line is code again.
    line2_start = len(line1) + 1
    line2 = text.splitlines()[1]
    for offset in range(line2_start + 2, line2_start + len(line2)):
        assert _has(scopes[offset], "string.quoted.double"), offset
    line3_start = line2_start + len(line2) + 1
    assert _has(scopes[line3_start + 2], "keyword.control")  # target
    assert _has(scopes[line3_start + len("  target: at least 80% ")], "comment.line")
    line4_start = line3_start + len(text.splitlines()[2]) + 1
    for offset in range(line4_start, len(text)):
        assert scopes[offset][:2] == ("source.slarules", "comment.line.number-sign.slarules")


# ---------------------------------------------------------------- the VS Code extension

def test_vscode_manifest_contributes_the_language_and_grammar(grammar):
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    assert manifest["engines"]["vscode"]
    assert "Programming Languages" in manifest["categories"]
    (language,) = manifest["contributes"]["languages"]
    assert language["id"] == "slarules"
    assert language["extensions"] == [".sla"]
    (contributed,) = manifest["contributes"]["grammars"]
    assert contributed["language"] == "slarules"
    assert contributed["scopeName"] == grammar["scopeName"]
    assert (VSCODE / contributed["path"]).resolve() == TM.resolve()
    configuration = json.loads((VSCODE / language["configuration"]).read_text(encoding="utf-8"))
    assert configuration["comments"] == {"lineComment": "#"}
    assert ["(", ")"] in configuration["brackets"]
    for key in ("autoClosingPairs", "surroundingPairs"):
        pairs = [[p["open"], p["close"]] if isinstance(p, dict) else p for p in configuration[key]]
        assert ['"', '"'] in pairs and ["(", ")"] in pairs, key
