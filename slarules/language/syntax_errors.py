"""Syntax errors in words: a Lark parse error -> one SLA0xx Diagnostic.

Input: the Source and the lark.UnexpectedInput the parser raised. Output: a
Diagnostic that says what was expected, with a caret under the token at fault
(or, for a label about the token before, under that one). No Lark exception
leaves the language layer: parse.py hands every one to syntax_diagnostic().
"""
from __future__ import annotations

import functools
import re

import lark

from ..core.diagnostics import Diagnostic, nearest
from ..core.source import Source, Span
from .grammar import parser

# ---------------------------------------------------------------- syntax errors

# Friendly messages for the mistakes people make, one label per mistake, found by
# example with Lark's match_examples. An example matches an error in the same LALR
# state *at the same stack depth*, and the depth changes with what precedes: a first
# section or a later one, 'critical' and a title, a first clause or a later one, the
# kind of tier table, a first row or a later one. So each example is written once,
# with the place it stands in (a key of _WHERE), and tried after every prefix that
# gives that place another depth. A label may name the token before the error as
# {previous}. Rules below catch what examples cannot: a misplaced clause and a
# misspelled keyword are recognised by the word itself, not by the parser state.
_HEAD = 'contract "C" currency USD, starts 2026-01 '
_WHERE: dict[str, list[str]] = {
    "top": [_HEAD, _HEAD + "inputs x count "],
    "clause": [_HEAD + prefix for prefix in (
        "service level s ",
        "service level s measured as x ",
        'critical service level s "S" ',
        'critical service level s "S" measured as x ',
        'inputs x count critical service level s "S" measured as x ',
    )],
}
_WHERE["row"] = [clause + table + row
                 for clause in _WHERE["clause"]
                 for table in ("credit, the most severe row applies: ", "bonus, the best row applies: ",
                               "credit by range: ")
                 for row in ("", "below 1%: 1% of fee ")] + [clause + "bonus: " for clause in _WHERE["clause"]]

_NO_UNIT = ("SLA003 input '{previous}' has no unit: write money, percent, seconds, minutes, count, score "
            "or ratio after its name")
_NO_COUNTING = ("SLA010 a per-unit amount says how part units count: after the threshold write ', part points "
                "count as whole' (or seconds, minutes, units), ', only whole points count' or ', pro rata'")
_NO_BASE = ("SLA009 a percentage needs the amount it is a share of: write 'N% of monthly_fee' (a money input), "
            "'N% of the amount at risk' or 'N% of the allocation'")
_EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "SLA001 expected ':' after '{previous}'": [
        ("clause", "target at least 80%"),
        ("clause", "credit 2% of fee"),
        ("clause", "bonus 2% of fee"),
        ("clause", "allocation 20% of the amount at risk"),
        ("clause", "credit by range from 1 to 2%: 1% of fee"),
        ("clause", "credit, the most severe row applies below 80%: 1% of fee"),
        ("clause", "bonus, the best row applies at least 90%: 1% of fee"),
        ("top", "at risk 12% of fee each month"),
    ],
    "SLA001 expected ':' between the band and its amount, as in 'below 80%: 2% of monthly_fee'": [
        ("row", "below 80% 2% of fee"),
        ("row", "below 80% USD 500"),
        ("row", "below 80 2% of fee"),
        ("row", "from 1 to below 2% 2% of fee"),
        ("row", "from 1 to 2% 2% of fee"),
    ],
    "SLA002 expected '%' after the number {previous}, as in '{previous}% of monthly_fee'": [
        ("clause", "credit: 2 of fee"),
        ("clause", "allocation: 20 of the amount at risk"),
        ("clause", "credit: 1% of fee per point below 80%, pro rata, at most 5 of fee"),
        ("row", "below 80%: 2 of fee"),
        ("top", "at risk: 12 of fee each month"),
        ("top", "bonuses at most 3 of fee each month"),
    ],
    _NO_UNIT: [
        ("top", "inputs fee service level s"),
        ("top", 'inputs fee "the monthly fee"'),
        ("top", "inputs fee calls count"),
        ("top", "inputs fee"),
    ],
    "SLA003 expected a unit after 'per': point, second, minute, or what a count counts (ticket), as in 'per point below 80%'": [
        ("clause", "credit: 1% of fee per below 80%, pro rata"),
        ("clause", "credit: 1% of fee per 0.5 below 80%, pro rata"),
    ],
    "SLA000 a target says how the value compares: 'at least 80%', 'at most 5%', 'above ...' or 'below ...'": [
        ("clause", "target: 80%"),
    ],
    # What a new user tripped on (issue 10, item 5): each names what is missing and the words to write.
    _NO_COUNTING: [
        ("clause", "credit: 1% of fee per point below 80%, at most 5% of fee"),
        ("clause", "credit: 1% of fee per point below 80%, target: at least 80%"),
        ("clause", "credit: 1% of fee per point below 80% cure: within 1 month"),
        ("clause", "credit: 1% of fee per point below 80% at most 5% of fee"),
        ("clause", "credit: 1% of fee per second above 20 seconds cure: within 1 month"),
    ],
    # An allowance (`3% of opened`) is a target's or a per-unit threshold, never a row's, a
    # volume condition's or a floor's: those compare with a fixed number.
    "SLA011 a share of an input ('3% of opened') may be a target or the threshold of an amount per unit; "
    "a tier row, a volume condition or a floor compares with a fixed number: write 'target: at most 3% of "
    "opened' with 'credit: USD 8 per ticket above 3% of opened, only whole tickets count'": [
        ("row", "above 3% of opened: 5% of fee"),
        ("row", "below 3% of opened and at least 1%: 5% of fee"),
        ("clause", "measured only when late is at least 3% of opened"),
    ],
    _NO_BASE: [
        ("clause", "credit: 1% of fee per point below 80%, pro rata, at most 10% cure: within 1 month"),
        ("clause", "credit: 2% cure: within 1 month"),
        ("clause", "allocation: 20% cure: within 1 month"),
        ("row", "below 80%: 2% below 70%: 5% of fee"),
        ("top", "at risk: 12% each month"),
        ("top", "bonuses at most 3% each month"),
    ],
}
SYNTAX_EXAMPLES: dict[str, list[str]] = {
    label: [where + example for place, example in examples for where in _WHERE[place]]
    for label, examples in _EXAMPLES.items()
}
_ABOUT_PREVIOUS = {_NO_UNIT, _NO_BASE}  # labels whose caret goes under the token they name, not the one found

# Clause keywords of a service level, and what follows each (for a clause written before
# any service level: inside `inputs` its keyword is read as the name of a new input).
_CLAUSE_KEYWORDS = {"TARGET", "CREDIT", "BONUS", "MEASURED", "ALLOCATION"}
_AFTER_CLAUSE_KEYWORD = {"COLON", "COMMA", "AS", "BY", "ONLY"}
_SECTION_KEYWORDS = ("inputs", "bonuses", "service", "critical")  # the first words of `_section`
_CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
# Words a contract uses for a band that the language says otherwise (less than -> below, ...).
_NATURAL_BAND_WORDS = {"less", "more", "greater", "between", "over", "under", "equal", "up", "fewer", "lower",
                       "higher", "exceeding", "within"}

_WORDS = {
    "NAME": "a name (lower case, like monthly_fee)",
    "NUMBER": "a number",
    "STRING": 'a quoted text ("...")',
    "CURRENCY": "a currency code (USD)",
    "MONTH": "a month (2026-01)",
    "PERIODICITY": "monthly, quarterly or yearly",
    "PERIOD_WORD": "month, quarter, year or period",
    "MISS_WORD": "'misses'",
    "ROUNDING_MODE": "a rounding mode (half up, half even, half down, up, down)",
    "UNIT": "a unit (money, percent, seconds, minutes, count, score, ratio)",
    "QUANTITY_UNIT": "a unit (%, seconds, minutes, points)",
    "STEP_UNIT": "a unit (point, second, minute, unit)",
    "NOUN": "what a count counts (ticket, incident)",
    "SIDE": "'below' or 'above'",
    "DECIMALS_WORD": "'decimals'",
    "IS_OR_ARE": "'is' or 'are'",
    "AT_RISK": "'at risk'",
    "PERIOD_LENGTH": "the period's length ('minutes in the month')",
    "CRITICAL": "'critical'",
    "$END": "end of input",
}


def _describe(terminal: str) -> str:
    if terminal in _WORDS:
        return _WORDS[terminal]
    for term in parser().terminals:
        if term.name == terminal and term.pattern.type == "str":
            return f"'{term.pattern.value}'"
    return terminal.lower()


def _expected_names(err: lark.UnexpectedInput) -> set[str]:
    return set(getattr(err, "accepts", None) or getattr(err, "expected", None) or getattr(err, "allowed", None) or ())


def _expected(err: lark.UnexpectedInput) -> list[str]:
    return sorted({_describe(n) for n in _expected_names(err)})


_ALTERNATIVES = re.compile(r"\(\?:([a-z%]+(?:\|[a-z%]+)*)\)")


def _keywords(terminals: set[str]) -> list[str]:
    """The words that the expected terminals stand for: 'target', 'monthly', 'money', ..."""
    words = []
    for term in parser().terminals:
        if term.name not in terminals:
            continue
        if term.pattern.type == "str":
            words.append(term.pattern.value)
        elif (match := _ALTERNATIVES.fullmatch(term.pattern.value)) is not None:
            words += match.group(1).split("|")
    return [w for w in words if w.isalpha()]


@functools.cache
def _example_error(text: str) -> lark.UnexpectedInput | None:
    try:
        parser().parse(text)
    except lark.UnexpectedInput as err:
        return err
    return None


def _parse_example(text: str):
    """parser().parse for match_examples, remembering each example's error: the examples
    are the same every time, and a syntax error should not cost hundreds of parses."""
    err = _example_error(text)
    if err is not None:
        raise err.with_traceback(None)


def _examples_for(err: lark.UnexpectedInput) -> dict[str, list[str]]:
    """SYNTAX_EXAMPLES less the near misses: examples that fail in the same parser state but
    with other acceptable tokens (after '80%' in a target, not in a tier row). Lark 1.3.1's
    match_examples skips those too, but first logs them with a format that raises TypeError."""
    def near_miss(text: str) -> bool:
        example = _example_error(text)
        return (isinstance(example, lark.UnexpectedToken) and isinstance(err, lark.UnexpectedToken)
                and example.state == err.state and example.accepts != err.accepts)
    return {label: [text for text in texts if not near_miss(text)] for label, texts in SYNTAX_EXAMPLES.items()}


def _previous_token(err: lark.UnexpectedInput) -> lark.Token | None:
    """The token the parser took just before the error, while it is still unreduced."""
    stack = getattr(getattr(err, "state", None), "value_stack", None) or ()
    return stack[-1] if stack and isinstance(stack[-1], lark.Token) else None


def _token_span(source: Source, token: lark.Token) -> Span:
    return Span(source, token.line, token.column, token.line, token.column + max(len(str(token)), 1))


def syntax_diagnostic(source: Source, err: lark.UnexpectedInput) -> Diagnostic:
    line, column, width = err.line, err.column, 1
    at_end = isinstance(err, lark.UnexpectedToken) and err.token.type == "$END"
    token = err.token if isinstance(err, lark.UnexpectedToken) and not at_end else None
    if token is not None:
        width = len(str(token)) or 1
        found = f"'{token}'"
    elif isinstance(err, lark.UnexpectedCharacters):
        found = f"'{source.ruleset_text[err.pos_in_stream]}'"
    else:
        found = "end of input"
    if at_end:
        lines = source.ruleset_text.rstrip().splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    if line < 1:  # an empty file
        line, column = 1, 1
    span = Span(source, line, column, line, column + width)
    expected = _expected_names(err)
    wanted = " or ".join(_expected(err))
    previous = _previous_token(err)

    # A service level clause before any service level: at the top level its keyword is
    # unexpected where a section may start; inside `inputs` it is read as an input's name.
    if token is not None and token.type in _CLAUSE_KEYWORDS and "SERVICE" in expected:
        following = source.ruleset_text[token.end_pos:].split(None, 1)[:1]
        clause = None if token.type == "BONUS" and following in (["at"], ["are"], ["offset"], ["only"]) else token
    elif (token is not None and token.type in _AFTER_CLAUSE_KEYWORD and expected == {"UNIT"}
          and previous is not None and previous.upper() in _CLAUSE_KEYWORDS):
        clause = previous
    else:
        clause = None
    if clause is not None:
        return Diagnostic("SLA006", f"'{clause}' is a service level clause, but it stands before any service level",
                          _token_span(source, clause),
                          ("start the service level above it: 'service level NAME', then its clauses",))

    # `for each point`: the language says `per point`.
    if token is not None and token.type == "NAME" and str(token) == "for" and "PER" in expected:
        following = source.ruleset_text[token.end_pos:].split()[:2]
        unit = following[1] if following[:1] == ["each"] and len(following) > 1 else "point"
        return Diagnostic("SLA007", f"unexpected 'for'; an amount per unit is written 'per {unit}'", span,
                          (f"as in '1% of monthly_fee per {unit} below 80%, part {unit.removesuffix('s')}s count "
                           "as whole'",))
    # A tier row worded as the contract words it, in words the language does not use: name the accepted forms.
    if (token is not None and "FROM" in expected and "BELOW" in expected
            and (token.type == "NUMBER" or str(token) in _NATURAL_BAND_WORDS)):
        return Diagnostic("SLA007", f"unexpected {found}; a tier row's band is written with 'below', 'at most', "
                          "'above', 'at least', 'from ... to ...', or two of them joined by 'and'", span,
                          ("'less than 99.95% but equal to or greater than 99.5%' is 'below 99.95% and at least 99.5%'; "
                           "'more than 2 and less than 4 points' is 'above 2 to below 4%'",))
    if token is not None and str(token) == "but" and "AND" in expected:
        return Diagnostic("SLA007", "unexpected 'but'; the two comparisons of a row are joined by 'and'", span,
                          ("as in 'below 99.95% and at least 99.5%'",))
    # `Service Level`: keywords and names are lower case (capitals are for currency codes).
    if isinstance(err, lark.UnexpectedCharacters) and source.ruleset_text[err.pos_in_stream].isupper():
        word = re.match(r"[A-Za-z_]\w*", source.ruleset_text[err.pos_in_stream:])
        if word is not None and not re.fullmatch(r"[A-Z]{3}", word.group()):
            return Diagnostic("SLA005", f"unexpected '{word.group()}'; keywords and names are lower case", span,
                              (f"write '{word.group().lower()}' (capitals are only for currency codes, as in 'USD')",))

    # Two words where a name the file uses belongs (`monthly fee` for monthly_fee): not a misspelled keyword.
    if (token is not None and token.type == "NAME" and previous is not None and previous.type == "NAME"
            and token.line == previous.line
            and re.search(rf"\b{re.escape(f'{previous}_{token}')}\b", source.ruleset_text)):
        return Diagnostic("SLA000", f"unexpected {found}; expected {wanted}", span,
                          (f"a name is one word: did you mean '{previous}_{token}'?",))

    # A misspelled keyword: a word the lexer took for a name, close to a word that could stand there.
    notes: tuple[str, ...] = ()
    if token is not None and token.type in ("NAME", "BONUS"):  # 'bonus at most' means 'bonuses'
        meant = nearest(str(token), _keywords(expected))
        if meant is not None:
            notes = (f"did you mean '{meant}'?",)
    # After an input, a misspelled section keyword is read as the next input's name, and the
    # error comes at the word after it: `bonus at most ...`, `servce level ...`.
    if (not notes and expected == {"UNIT"} and token is not None and previous is not None
            and previous.type == "NAME" and token.line == previous.line):
        meant = nearest(str(previous), _SECTION_KEYWORDS)
        if meant is not None:
            return Diagnostic("SLA007", f"unexpected '{previous}'; did you mean '{meant}'?",
                              _token_span(source, previous))

    label = err.match_examples(_parse_example, _examples_for(err), use_accepts=True) if err.state is not None else None
    if label == _NO_UNIT and token is not None and token.type == "NAME" and previous is not None \
            and token.line == previous.line:
        label = None  # `fee dollars`: a unit is there, but not one the language knows
    if label is not None and ("{previous}" not in label or previous is not None):
        code, message = label.split(" ", 1)
        message = message.format(previous=" ".join(str(previous).split()))  # 'at\n  risk' -> 'at risk'
        if label in _ABOUT_PREVIOUS:
            return Diagnostic(code, message, _token_span(source, previous), notes)
        return Diagnostic(code, f"{message}; found {found}", span, notes)
    if notes:
        return Diagnostic("SLA007", f"unexpected {found}; {notes[0]}", span)
    if at_end:
        return Diagnostic("SLA004", f"unexpected end of input; expected {wanted}", span)
    if isinstance(err, lark.UnexpectedCharacters):
        char = source.ruleset_text[err.pos_in_stream]
        notes = ((f"money is written with its currency code, as in '{_CURRENCY_SIGNS[char]} 500'",)
                 if char in _CURRENCY_SIGNS else ())
        return Diagnostic("SLA005", f"unexpected {found}; expected {wanted}" if wanted else f"unexpected {found}",
                          span, notes)
    return Diagnostic("SLA000", f"unexpected {found}; expected {wanted}", span)
