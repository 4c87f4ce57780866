"""Diagnostics: one format for every problem in a ruleset or a data file.

A Diagnostic has a stable code, a severity, a message, a span and notes. The
severity is "error" (the ruleset or data cannot be used), "warning" (probably
not what the contract means; `--strict` fails on it) or "note" (true and worth
knowing, such as a cap the contract states that can never bind; never fails).
`render()` gives the text every tool prints on stderr:

    rulesets/acme.sla:3:27: error[SLA201]: unknown input 'monthy_fee'
      |
    3 |   credit: 2% of monthy_fee
      |                 ^^^^^^^^^^
      = note: did you mean 'monthly_fee'?

Codes: SLA0xx syntax, SLA2xx static checks, SLA3xx data files, SLA4xx evaluation,
SLA5xx files slarules writes and portfolios (`slarules exposure`), SLA6xx requests
to the service (`slarules serve`).
"""
from __future__ import annotations

import difflib
from typing import Iterable, Sequence

import attrs

from .source import Span

CODES: dict[str, str] = {
    "SLA000": "syntax error: unexpected text",
    "SLA001": "syntax error: a clause is missing a colon",
    "SLA002": "syntax error: a percentage is missing its % sign",
    "SLA003": "syntax error: a unit is missing where one is needed",
    "SLA004": "syntax error: unexpected end of input",
    "SLA005": "syntax error: unexpected character",
    "SLA006": "syntax error: a service level clause stands outside a service level",
    "SLA007": "syntax error: a misspelled keyword",
    "SLA008": "an expression nested too deep",
    "SLA009": "syntax error: a percentage without the amount it is a share of",
    "SLA010": "syntax error: a per-unit amount does not say how part units count",
    "SLA011": "syntax error: a share of an input where only a fixed number is accepted",
    "SLA201": "unknown name",
    "SLA202": "duplicate name",
    "SLA203": "unit mismatch",
    "SLA204": "missing or repeated contract term",
    "SLA205": "service level without a measurement or target",
    "SLA206": "repeated clause in a service level",
    "SLA207": "tier row on the wrong side of the target",
    "SLA208": "tier rows not ordered by severity",
    "SLA209": "gap between tier ranges",
    "SLA210": "overlapping tier ranges",
    "SLA211": "base of an amount is not money",
    "SLA212": "currency differs from the contract's",
    "SLA213": "percentage above 100 where it cannot be",
    "SLA214": "'the allocation' or 'the amount at risk' is not defined",
    "SLA215": "a missing input counted as a miss needs a bounded credit",
    "SLA216": "period word differs from the assessment period",
    "SLA217": "input declared but never used",
    "SLA218": "linear threshold on the wrong side",
    "SLA219": "a bonus gate names no critical service level",
    "SLA220": "a step size must be positive",
    "SLA221": "not a whole number of periods or misses",
    "SLA222": "a termination trigger that can never fire",
    "SLA223": "a clause with no effect",
    "SLA224": "an amendment's date is not after the start, not a period's first month, or out of order",
    "SLA225": "a cap that can never bind",
    "SLA226": "a termination trigger on a service level that can never be missed",
    "SLA228": "a tier row whose two comparisons do not enclose a range",
    "SLA229": "a reporting grid that does not fit the KPI, or a tier row holding no value on it",
    "SLA230": "an empty contract clause",
    "SLA231": "a contract clause with an unknown escape or a control character",
    "SLA233": "a measurement's unit differs from its target's",
    "SLA234": "a measurement in a unit no word of the language names",
    "SLA235": "a number beyond the exact range",
    "SLA240": "a floor that a volume condition on another input can stop",
    "SLA236": "a counting phrase that names another unit than the amount's",
    "SLA237": "a share of an input in another unit than the KPI it is compared with",
    "SLA238": "a share target with a form or clause that needs a fixed target",
    "SLA239": "a share of an input not written as a percentage",
    "SLA241": "a critical failure whose withhold can be less than the credits it replaces",
    "SLA242": "the period's length named with another period than the contract's",
    "SLA255": "a service level assessed as often as the contract, or more often",
    "SLA256": "a quarter's sums of inputs that do not add up (percentages, scores, ratios, seconds)",
    "SLA257": "a count of periods of a service level assessed less often that is not whole periods of it",
    "SLA258": "an average of the periods' values that names another period, or needs `assessed`",
    "SLA259": "an amendment that changes how often a service level is assessed",
    "SLA265": "a party named twice",
    "SLA266": "unknown party",
    "SLA267": "an input nobody reports",
    "SLA268": "a waiver power given to nobody",
    "SLA269": "a service level nobody is accountable for",
    "SLA270": "a late report clause that can never apply",
    "SLA271": "a report's due day a period may not have",
    "SLA272": "a review scheduled twice or more often than the assessment period",
    "SLA250": "amounts indexed to an input that is not an index",
    "SLA251": "an index input named where only indexation may name it",
    "SLA252": "an indexation's base month before the contract or not a period's first month",
    "SLA253": "indexation with no fixed amount to index",
    "SLA243": "a number of days out of range or not whole",
    "SLA244": "a cure window in days too short for any period's result to cure it",
    "SLA245": "a due date that is not a calendar date",
    "SLA246": "a deliverable's cap is a share of a price it does not state",
    "SLA247": "a contract that counts days starts too late in the calendar to count them",
    "SLA260": "a Markdown ruleset with no ```sla block",
    "SLA261": "fmt cannot rewrite a literate ruleset whose term runs across two ```sla blocks",
    "SLA301": "data file cannot be read",
    "SLA302": "not a number",
    "SLA303": "value out of range for its unit",
    "SLA304": "unknown column or input",
    "SLA305": "duplicated period",
    "SLA306": "bad period label",
    "SLA307": "gap in the periods",
    "SLA308": "missing column or value",
    "SLA309": "a data file changed while it was being read (it is read twice: checked, then evaluated)",
    "SLA318": "a report's arrival date that is not a date",
    "SLA319": "a report that arrived before its period ended",
    "SLA320": "a review the ruleset does not schedule",
    "SLA316": "an index value missing where indexation needs it",
    "SLA317": "an index value that is zero",
    "SLA310": "the rows of one subject are not together (or a subject is listed twice)",
    "SLA311": "a subject name that is not allowed, or a row naming no subject",
    "SLA312": "events for a subject without data, or an events file without the subject column",
    "SLA313": "a dated event (holiday, delivery) whose date is not a calendar date",
    "SLA314": "a delivery event for an unknown deliverable, of the wrong kind, or given twice",
    "SLA315": "a delivery dated outside the data's periods",
    "SLA401": "a required input is missing for a period",
    "SLA402": "division by zero in a measurement",
    "SLA403": "a saved state was made under other terms than those now in force for its billed periods",
    "SLA404": "a saved state cannot be read",
    "SLA405": "the data does not continue the saved state",
    "SLA406": "a figure is beyond the exact range of evaluation",
    "SLA407": "a restated period was not billed from the state",
    "SLA408": "a restatement without a saved state",
    "SLA409": "a state store that is not one or cannot be opened",
    "SLA410": "a state store held by another run for too long",
    "SLA411": "a state store that cannot be written",
    "SLA501": "a file cannot be written (a missing or read-only folder, a folder, a read-only file, a full disk)",
    "SLA502": "a file is held by another slarules run for too long",
    "SLA503": "a portfolio manifest that cannot be read, or a key or value it does not take",
    "SLA504": "a ruleset in a portfolio folder without its data beside it (NAME.csv or NAME.json)",
    "SLA505": "two contracts of a portfolio with the same name",
    "SLA506": "a portfolio with no contract",
    "SLA507": "a contract's distributions or correlations that cannot be used",
    "SLA508": "a contract left out of the portfolio (the others are simulated)",
    "SLA509": "a Dask scheduler that cannot be reached",
    "SLA601": "a request the service cannot read (not JSON, not an object, an unknown or missing key)",
    "SLA602": "a request body over the service's size limit",
    "SLA603": "no ruleset of that name in the service's rulesets folder",
    "SLA604": "no state kept for that subject",
    "SLA605": "a subject id or ruleset name that is not allowed",
    "SLA606": "a period already billed for the subject",
    "SLA607": "no period to bill",
    "SLA608": "no such endpoint, or a method it does not answer",
    "SLA609": "an internal error of the service (a bug in slarules)",
    "SLA610": "an Idempotency-Key already used with another request body",
    "SLA611": "an Idempotency-Key header that is not allowed",
    "SLA612": "a period the subject's state has not billed",
}


@attrs.frozen
class Diagnostic:
    """One problem found in a user's file."""

    code: str
    message: str
    span: Span | None = None
    notes: tuple[str, ...] = ()
    severity: str = "error"  # "error" | "warning" | "note"
    location: str | None = None  # where, when there is no span: "data.json: periods[3]"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self) -> str:
        if self.span is None:
            where = f"{self.location}: " if self.location else ""
            head = f"{where}{self.severity}[{self.code}]: {self.message}"
            return "\n".join([head, *(f"  = note: {n}" for n in self.notes)])
        span = self.span
        head = f"{span.source.path}:{span.line}:{span.column}: {self.severity}[{self.code}]: {self.message}"
        text = span.source.line(span.line).replace("\t", " ")
        width = span.end_column - span.column if span.end_line == span.line else len(text) - span.column + 1
        text, column, width = _quoted(text, span.column, max(width, 1))
        gutter = " " * len(str(span.line))
        lines = [
            head,
            f"{gutter} |",
            f"{span.line} | {text}",
            f"{gutter} | {' ' * (column - 1)}{'^' * width}",
        ]
        lines += [f"{gutter} = note: {n}" for n in self.notes]
        return "\n".join(lines)


# What a diagnostic quotes of a source line: a line of a 10 MB data cell is shown as this many
# characters around the column, so that no diagnostic grows with its input.
QUOTED_WIDTH = 160
_BEFORE_COLUMN = 40


def _quoted(text: str, column: int, width: int) -> tuple[str, int, int]:
    """The part of a line a diagnostic shows, the column and the caret width within it:
    the whole line if short, else QUOTED_WIDTH characters from a little before the column,
    cuts marked with '...'."""
    if len(text) <= QUOTED_WIDTH:
        return text, column, width
    start = max(0, min(column - 1 - _BEFORE_COLUMN, len(text) - QUOTED_WIDTH))
    shown = text[start:start + QUOTED_WIDTH]
    lead = "..." if start else ""
    tail = "..." if start + QUOTED_WIDTH < len(text) else ""
    column = column - start + len(lead)
    return lead + shown + tail, column, max(1, min(width, len(lead) + len(shown) - column + 1))


def quoted_text(text: str, width: int = 40) -> str:
    """A user's text as a message quotes it: on one line (a line break or tab written as
    \\n, \\t), cut to `width` characters."""
    text = text[:width * 4]  # no more than a cut needs, so a 10 MB cell costs nothing
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= width else text[:width - 3] + "..."


class SlaError(Exception):
    """Raised when a pass cannot go on; carries every diagnostic found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__(render(self.diagnostics))


def render(diagnostics: Iterable[Diagnostic]) -> str:
    return "\n".join(d.render() for d in diagnostics)


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The known name closest to `name`, if one is close enough to be a typo."""
    candidates = sorted(set(candidates))
    # A similarity of 0.6 needs a name under 2.4 times the longest candidate: a longer one (a
    # 10 MB header cell) is no typo, and comparing it would take seconds.
    if not candidates or len(name) > 3 * max(map(len, candidates)):
        return None
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str]) -> tuple[str, ...]:
    """A note suggesting the nearest known name, if one is close."""
    close = nearest(name, candidates)
    return (f"did you mean '{close}'?",) if close else ()
