"""The Python API: what `import slarules` hands a caller.

Input: ruleset text or a path, KPI results as a History (formats/kpi_data.py)
or a plain mapping, and a saved state (text, or a state file a billing run
locks, reads and replaces). Output: a Program (the engine's compiled Terms that
can evaluate themselves) and an Outcome (the engine's Outcome that can render
itself as a table, JSON or CSV line items). Errors: SlaError, whose
diagnostics name the clause, the data row, the state or the file.

This layer adapts; it decides nothing. Parsing, checking, compiling and
evaluating are the language and engine passes, reading data and rendering
results are formats/, so that a tool or a billing system can call any pass
on its own.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping, Sequence, cast

import attrs

from ..core.diagnostics import Diagnostic, SlaError
from ..core.source import Source
from ..engine import outcome, restate
from ..engine.compile import Terms, compile_terms
from ..engine.evaluate import evaluate
from ..engine.history import History
from ..engine.state import Carry
from ..formats import files, report
from ..formats import restatement as restatement_report
from ..formats.ledger_file import LedgerFile
from ..formats.kpi_data import checked_history, history_from_mapping, with_events
from ..language import nodes
from ..language.check import check
from ..language.parse import parse


@attrs.frozen
class Outcome(outcome.Outcome):
    """An evaluation's Outcome, with its renderings and `warnings`: the ruleset's
    warnings (Program.warnings), carried so that whoever holds the outcome sees them."""

    warnings: tuple[Diagnostic, ...] = attrs.field(default=(), eq=False, repr=False)

    def to_json(self) -> str:
        """JSON for programs: amounts as decimal strings (formats/schema/outcome.schema.json)."""
        return report.to_json(self)

    def to_text(self) -> str:
        """The table for people."""
        return report.to_text(self)

    def to_csv(self) -> str:
        """One CSV row per line item, for billing import."""
        return report.to_csv(self)

    def totals_csv(self) -> str:
        """The CSV beside the line items: per period and for the whole history, the
        totals, the amounts due under the contract's netting and the termination rights."""
        return report.to_totals_csv(self)


@attrs.frozen
class Restatement(restate.Restatement):
    """A restatement's adjustment lines (`adjustments`), the restated Outcome of every billed
    period (`outcome`) and the new state (`state`), with their renderings."""

    def to_json(self) -> str:
        """JSON for programs (formats/schema/restatement.schema.json)."""
        return restatement_report.to_json(self)

    def to_text(self) -> str:
        return restatement_report.to_text(self)

    def to_csv(self) -> str:
        """One CSV row per adjustment line, for billing import."""
        return restatement_report.to_csv(self)


_OUTCOME_FIELDS = tuple(field.name for field in attrs.fields(outcome.Outcome))


def _api_outcome(evaluated: outcome.Outcome, warnings: tuple[Diagnostic, ...]) -> Outcome:
    return Outcome(**{name: getattr(evaluated, name) for name in _OUTCOME_FIELDS}, warnings=warnings)


@attrs.frozen
class Program(Terms):
    """A compiled ruleset, ready to evaluate KPI histories. `warnings` are the check's
    warnings (severity "warning": probably not what the contract means), which do not
    stop it compiling unless `strict`; the command line prints them on stderr."""

    warnings: tuple[Diagnostic, ...] = attrs.field(default=(), eq=False, repr=False)

    def evaluate(self, history, state=None, events=None) -> Outcome:
        """Evaluate a History, or a mapping {period: {input: value}}, into an
        Outcome; continue from `state` (an Outcome's .state, or load_state())
        when given; `events` ([{"period", "service_level", "event", "reason"}])
        adds waivers and exclusions. A parameter of the wrong type is a
        TypeError naming it; what a value of the right type says wrong (a bad
        label, value or event) is an SlaError."""
        _require(history, (History, Mapping), "Program.evaluate", "history",
                 "a History or a mapping {period label: {input: value}}")
        _require(state, (Carry, type(None)), "Program.evaluate", "state",
                 "None or a state from Outcome.state or Program.load_state()")
        _require(events, (list, tuple, type(None)), "Program.evaluate", "events",
                 'None or a list of {"period", "service_level", "event", "reason"} mappings')
        if not isinstance(history, History):
            history = history_from_mapping(self, history)
        if events is not None:
            history = with_events(self, history, events)
        try:
            evaluated = evaluate(self, history, state)
        except (TypeError, AttributeError, ValueError, KeyError):
            # A History built by hand that the evaluation cannot read: say what is wrong with it
            # as the data reader would; a History the reader accepts failing is a bug.
            checked_history(self, history)
            raise
        return _api_outcome(evaluated, self.warnings)

    def load_state(self, text: str, where: str = "<state>") -> Carry:
        """Read a state saved with Outcome.state_json(); SLA403 if it is another ruleset's,
        SLA404 naming the field if it is damaged or was edited."""
        _require(text, (str,), "Program.load_state", "text", "the JSON text Outcome.state_json() returned")
        return Carry.from_json(text, self, where)

    @contextmanager
    def billing_run(self, state_path: str | Path, wait: float | None = files.WAIT) -> Iterator["BillingRun"]:
        """A locked billing step on the state file at `state_path`: waits (up to `wait`
        seconds, SLA502 after) for any other run on the same file, reads the state (none
        if the file does not exist yet), and hands over a BillingRun. Its evaluate()
        continues from that state; leaving the block normally then saves the new state,
        while an exception (from evaluating, or from writing the output inside the block)
        leaves the file (and the ledger file beside it, formats/ledger_file.py) as it was.
        See formats/files.py for what "saves" guarantees."""
        with files.updating(state_path, wait) as update:
            where = str(state_path)
            ledger = LedgerFile(update.target, where, update.mode)
            state = None
            if update.existing is not None:
                try:
                    text = update.existing.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise SlaError([Diagnostic("SLA404", f"cannot read state file {where}: {err}",
                                               location=where)]) from None
                state = Carry.from_json(text, self, where, ledger.read)
                if state.ledger.stored is not None:
                    ledger.check(state.ledger.stored.size)
            try:
                yield BillingRun(self, state, update, ledger)
            except BaseException:
                ledger.roll_back()  # the state is left as it was: so is its ledger file
                raise


class BillingRun:
    """One billing step inside Program.billing_run(): `state` is the saved state (None
    before the first run); evaluate() (bill the next periods) or restate() (correct
    billed ones) once, write its output, and leave the block."""

    def __init__(self, program: Program, state: Carry | None, update: files.Update, ledger: LedgerFile):
        self.program, self.state, self._update, self._ledger = program, state, update, ledger
        self._evaluated = False

    def _stage(self, state: Carry) -> None:
        """Append the ledger records the run adds to the ledger file, then write the new
        state (format /4, naming them) aside: both fsynced, the state committed later."""
        records, count, digest, first = state.ledger.to_append()
        size = self._ledger.append(state.ledger.stored.size if state.ledger.stored is not None else 0, records)
        self._update.stage(state.file_json(count, size, digest, first))

    def restate(self, corrected, events=None) -> Restatement:
        """Evaluate the billed periods again with `corrected` (a History or a mapping
        {period: {input: value}}; each period whole, its waivers and exclusions those of
        `events` or the History): the adjustment lines for every period whose figures
        changed, corrected periods and those a carry reaches. The new state (its ledger
        recording the revisions, nothing billed overwritten) is written aside at once and
        saved when the block ends. Restating the same corrections again adjusts nothing."""
        if self._evaluated:
            raise RuntimeError("a billing run evaluates once; start another billing_run() for the next periods")
        _require(corrected, (History, Mapping), "BillingRun.restate", "corrected",
                 "a History or a mapping {period label: {input: value}}")
        history = corrected if isinstance(corrected, History) else history_from_mapping(self.program, corrected)
        if events is not None:
            history = with_events(self.program, history, events)
        result = restate.restate(self.program, self.state, history, str(self._update.path))
        self._stage(result.state)
        self._evaluated = True
        return Restatement(**{**{f.name: getattr(result, f.name) for f in attrs.fields(restate.Restatement)},
                              "outcome": _api_outcome(result.outcome, self.program.warnings)})

    def evaluate(self, history, events=None) -> Outcome:
        """Program.evaluate from the saved state; the new state is written aside (and
        fsynced) at once, so a full disk fails here, before any output is written."""
        if self._evaluated:
            raise RuntimeError("a billing run evaluates once; start another billing_run() for the next periods")
        outcome = self.program.evaluate(history, self.state, events)
        self._stage(cast(Carry, outcome.state))
        self._evaluated = True
        return outcome


def _require(value, types: tuple, function: str, parameter: str, expected: str) -> None:
    """TypeError naming the parameter unless `value` is one of `types`."""
    if not isinstance(value, types):
        raise TypeError(f"{function}(): {parameter} must be {expected}, not {type(value).__name__}")


def compile_ruleset(ruleset: nodes.Ruleset, warnings: Sequence[Diagnostic] = ()) -> Program:
    """Compile a checked Ruleset (check() found no error in it); `warnings` are the
    check's warnings, kept as Program.warnings."""
    terms = compile_terms(ruleset)
    return Program(**{field.name: getattr(terms, field.name) for field in attrs.fields(Terms)},
                   warnings=tuple(warnings))


def compile_source(source: Source, strict: bool = False) -> Program:
    """Parse, check and compile; raise SlaError if check finds an error
    (or, with strict, a warning). Warnings are otherwise kept as the Program's
    `warnings`; notes are never raised nor kept."""
    _require(source, (Source,), "compile_source", "source", "a slarules.Source(path, text)")
    ruleset = parse(source)
    found = check(ruleset)
    problems = [d for d in found if d.is_error or (strict and d.severity == "warning")]
    if problems:
        raise SlaError(problems)
    return compile_ruleset(ruleset, [d for d in found if d.severity == "warning"])


def load(path: str | Path, strict: bool = False) -> Program:
    """Read, parse, check and compile a ruleset file."""
    _require(path, (str, Path), "load", "path", "a str or a pathlib.Path")
    path = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise SlaError([Diagnostic("SLA301", f"cannot read ruleset {path}: {err}")]) from None
    return compile_source(Source(path, text), strict)
