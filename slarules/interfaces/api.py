"""The Python API: what `import slarules` hands a caller.

Input: ruleset text or a path, KPI results as a History (formats/kpi_data.py)
or a plain mapping (or many subjects' of them: formats/subject_data.py), and a
saved state (text, a state file a billing run locks, reads and replaces, or a
store of many subjects' states: formats/state_store.py). Output: a Program (the
engine's compiled Terms that can evaluate themselves) and an Outcome (the
engine's Outcome that can render itself as a table, JSON or CSV line items); for
many subjects, a Portfolio of SubjectOutcomes and the portfolio's totals
(engine/portfolio.py). Errors: SlaError, whose diagnostics name the clause, the
data row, the state or the file.

This layer adapts; it decides nothing. Parsing, checking, compiling and
evaluating are the language and engine passes, reading data and rendering
results are formats/, so that a tool or a billing system can call any pass
on its own.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence, Union, cast

import attrs

from ..core.diagnostics import Diagnostic, SlaError
from ..core.source import Source
from ..engine import outcome, portfolio, restate
from ..engine.portfolio import SubjectOutcome
from ..engine.compile import Terms, compile_terms
from ..engine.evaluate import evaluate
from ..engine.history import History
from ..engine.state import Carry
from ..formats import files, report, state_store
from ..formats import restatement as restatement_report
from ..formats.ledger_file import LedgerFile
from ..formats.kpi_data import checked_history, history_from_mapping, with_events
from ..formats.subject_data import SubjectData, subjects_of_mapping
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


@attrs.frozen
class SubjectRestatement:
    """One subject's Restatement, or None and the diagnostics that stopped it."""

    subject: str
    restatement: Restatement | None
    diagnostics: tuple[Diagnostic, ...] = ()


Subjects = Union[Iterable[SubjectData], Mapping[str, Union[History, Mapping]]]


class Portfolio:
    """The subjects' results, evaluated one at a time as they are iterated (once), and `totals`,
    the portfolio's totals (engine/portfolio.py) of the subjects iterated so far."""

    def __init__(self, results: Iterator[SubjectOutcome[Outcome]]):
        self._results = results
        self.totals = portfolio.PortfolioTotals()

    def __iter__(self) -> Iterator[SubjectOutcome[Outcome]]:
        with _collecting_each_subject():
            for result in self._results:
                self.totals.add(result)
                yield result
                gc.collect()  # the subject just handled: see _collecting_each_subject


@contextmanager
def _collecting_each_subject() -> Iterator[None]:
    """An outcome holds reference cycles (its state's ledger holds its periods, which hold their
    evaluator and its state), which only a full collection frees, and evaluating holds full
    collections off (outcome.no_full_collections): left alone, a portfolio would keep every
    subject's outcome until its end. So each subject is collected once handled; what was alive
    before the portfolio is frozen meanwhile (gc.freeze), so that a collection scans only what the
    portfolio made (about 1% of the time), and thawed after. A caller that froze objects itself
    keeps them frozen: then nothing is frozen or thawed here, and each collection scans it all."""
    own = gc.get_freeze_count() == 0
    if own:
        gc.freeze()
    try:
        yield
    finally:
        if own:
            gc.unfreeze()


def _api_outcome(evaluated: outcome.Outcome, warnings: tuple[Diagnostic, ...]) -> Outcome:
    return Outcome(**{name: getattr(evaluated, name) for name in _OUTCOME_FIELDS}, warnings=warnings)


def _api_restatement(result: restate.Restatement, warnings: tuple[Diagnostic, ...]) -> Restatement:
    return Restatement(**{**{f.name: getattr(result, f.name) for f in attrs.fields(restate.Restatement)},
                          "outcome": _api_outcome(result.outcome, warnings)})


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
        adds waivers and exclusions, holidays (event "holiday", period a date
        YYYY-MM-DD) and the days deliverables were "delivered" or "accepted". A parameter of the wrong type is a
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

    def evaluate_subjects(self, subjects: Subjects) -> Portfolio:
        """Evaluate every subject (slarules.read_subjects(program, path), or a mapping {subject:
        History or {period: {input: value}}}) from the start of its data, one at a time as the
        Portfolio is iterated. A subject whose data has errors is a SubjectOutcome with its
        diagnostics and no outcome; the others are evaluated."""
        return Portfolio(self._subjects_evaluated(subjects, None))

    def _subjects_evaluated(self, subjects: Subjects, store: "state_store.StoreRun | None") -> Iterator[SubjectOutcome[Outcome]]:
        for data in self._subject_data(subjects):
            if data.history is None:
                yield SubjectOutcome(data.name, None, data.diagnostics)
                continue
            try:
                state = None if store is None else self._stored_state(store, data.name)
                evaluated = self.evaluate(data.history, state)
            except SlaError as err:
                yield SubjectOutcome(data.name, None, tuple(err.diagnostics))
                continue
            if store is not None:
                store.put(data.name, evaluated.state_json(), cast(Carry, evaluated.state).next_period)
            yield SubjectOutcome(data.name, evaluated)

    def _subject_data(self, subjects: Subjects) -> Iterator[SubjectData]:
        _require(subjects, (Iterable, Mapping), "Program.evaluate_subjects", "subjects",
                 "slarules.read_subjects(program, path) or a mapping {subject: {period: {input: value}}}")
        return subjects_of_mapping(self, subjects) if isinstance(subjects, Mapping) else iter(subjects)

    def _stored_state(self, store: "state_store.StoreRun", subject: str) -> Carry | None:
        text = store.get(subject)
        return None if text is None else self.load_state(text, f"{store.path}: subject {subject}")

    @contextmanager
    def portfolio_run(self, store_path: str | Path, wait: float | None = files.WAIT) -> Iterator["PortfolioRun"]:
        """A billing step for many subjects on the state store (SQLite) at `store_path`, created on
        first use: waits (up to `wait` seconds, SLA410 after) for any other run on the store and
        hands over a PortfolioRun. Leaving the block normally commits every subject's new state at
        once; an exception (from evaluating, or from writing the output inside the block) leaves
        every subject's state as it was (formats/state_store.py)."""
        with state_store.transaction(store_path, wait) as store:
            yield PortfolioRun(self, store)

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
        return _api_restatement(result, self.program.warnings)

    def evaluate(self, history, events=None) -> Outcome:
        """Program.evaluate from the saved state; the new state is written aside (and
        fsynced) at once, so a full disk fails here, before any output is written."""
        if self._evaluated:
            raise RuntimeError("a billing run evaluates once; start another billing_run() for the next periods")
        outcome = self.program.evaluate(history, self.state, events)
        self._stage(cast(Carry, outcome.state))
        self._evaluated = True
        return outcome


class PortfolioRun:
    """One billing step of many subjects inside Program.portfolio_run(): evaluate() (bill each
    subject's next periods from its stored state) or restate() (correct billed ones), once."""

    def __init__(self, program: Program, store: "state_store.StoreRun"):
        self.program, self._store = program, store
        self._used = False

    def evaluate(self, subjects: Subjects) -> Portfolio:
        """Program.evaluate_subjects, each subject from its stored state (none before its first
        run); a subject whose state does not fit (SLA403, SLA404, SLA405) is reported with its
        diagnostics, the others evaluated. Each new state is staged as its subject is evaluated
        and committed when the block ends."""
        self._once()
        return Portfolio(self.program._subjects_evaluated(subjects, self._store))

    def restate(self, subjects: Subjects) -> Iterator[SubjectRestatement]:
        """BillingRun.restate for each subject of `subjects` (its corrected periods), from its
        stored state; one SubjectRestatement per subject, its new state staged."""
        self._once()
        program = self.program
        for data in program._subject_data(subjects):
            if data.history is None:
                yield SubjectRestatement(data.name, None, data.diagnostics)
                continue
            try:
                where = f"{self._store.path}: subject {data.name}"
                text = self._store.get(data.name)
                result = restate.restate(program, None if text is None else program.load_state(text, where),
                                         data.history, where)
            except SlaError as err:
                yield SubjectRestatement(data.name, None, tuple(err.diagnostics))
                continue
            self._store.put(data.name, result.state.to_json(), result.state.next_period)
            yield SubjectRestatement(data.name, _api_restatement(result, program.warnings))

    def _once(self) -> None:
        if self._used:
            raise RuntimeError("a portfolio run evaluates once; start another portfolio_run() for the next periods")
        self._used = True


def _require(value, types: tuple, function: str, parameter: str, expected: str) -> None:
    """TypeError naming the parameter unless `value` is one of `types`."""
    if not isinstance(value, types):
        raise TypeError(f"{function}(): {parameter} must be {expected}, not {type(value).__name__}")


def compile_ruleset(ruleset: nodes.Ruleset, warnings: Sequence[Diagnostic] = ()) -> Program:
    """Compile a checked Ruleset (check() found no error in it); `warnings` are the
    check's warnings, kept as Program.warnings."""
    terms = compile_terms(ruleset)
    return Program(**{field.name: getattr(terms, field.name) for field in attrs.fields(Terms) if field.init},
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
