"""Compile pass: a checked Ruleset -> Terms, the contract's terms as closures.

Input: a nodes.Ruleset that check() passed with no error. Output: Terms,
plain Python closures that capture the node they came from (for the clause
reference and the sentence explaining each figure). Nothing a ruleset wrote is
ever turned into source text or eval'd (codegen.py writes a period's code from
these compiled objects, never from their text). Problems here are bugs, not
user errors.

Each service level compiles to one generated judge (codegen.py) and its credit and
bonus forms (forms.py); this module adds what spans service levels and periods:
caps, windows, earn-back, cure, termination triggers, the critical failure,
bonus gates, and the amendments in force from each period.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Callable

import attrs

from ..core.money import CONTEXT, HUNDRED, Rounding, minor_unit_digits
from ..core.periods import Calendar
from ..core.source import Span
from ..language import nodes, printer
from ..language.printer import to_source
from ..language.citations import SpanKey, cited_by_span, span_key
from ..language.fingerprint import TermPrint, fingerprint, term_prints
from ..language.semantics import allowance_bases, amended, describe_comparison, higher_is_better, kpi_unit
from .judge_code import Measurement, judge_function
from .cure_days import DayCure
from .deliverables import DeliverableRule, compile_deliverables
from .forms import CompiledAmount, CompiledAward, compile_amount, compile_award
from .frequencies import PENDING, Assessment, average_or_own, averaged_node, compile_assessment
from .indexation import IndexationRule, IndexedMoney, indexed_ruleset, indexed_value
from .outcome import MET, MISSED
from .measure import (
    compile_allowance,
    compile_comparison,
    compile_fraction,
    compile_measure,
    compile_target,
    reads_period_length,
)
from .reported import compile_reported
from .reporting import NO_ROLES, Roles, compile_roles




@attrs.frozen
class EarnBackRule:
    """Return `rate` of a service level's outstanding credits after `after`
    consecutive met periods, or (after is None) at the end of a contract year
    whose average value meets the target."""

    rate: Decimal
    after: int | None
    clause: Span
    text: str


@attrs.frozen
class CompiledServiceLevel:
    name: str
    title: str | None
    critical: bool
    unit: str
    target_text: str  # "at least 80%", "at most 3% of opened"
    target: Decimal | None  # the threshold of the target; None when it is a share of an input (allowance)
    higher_is_better: bool
    measure: Callable[[dict], Decimal]  # the value compared: on the reporting grid, if the contract states one
    measure_clause: Span
    met: Callable[[Decimal], bool] | None  # value -> whether it meets a fixed target (None: a share target)
    meets: Callable[[Decimal, dict], bool]  # (value, env) -> whether it meets the target in the period env
    judge: Callable[[dict], tuple]  # env -> (value, status, note, as measured): see codegen.judge_function
    counted: Callable[[dict], bool] | None  # the minimum-volume condition
    volume_note: str | None  # "measured only when calls_offered is at least 500"
    volume_input: str | None
    volume_threshold: Decimal | None
    measured_inputs: tuple[str, ...]  # the inputs `measured as` names, in source order, repeats kept
    reads: frozenset[str]  # inputs the measurement and volume condition read
    allocation: CompiledAmount | None
    credit: CompiledAward | None
    bonus: CompiledAward | None
    gate: Gate | None  # statuses before cures, declaration order -> why the bonus is withheld, or None
    cure: int | None  # periods within which a miss may be cured
    cure_text: str | None
    free_passes: int | None  # misses per contract year that are only warnings
    earn_back: EarnBackRule | None
    span: Span
    reported_text: str | None = None  # "reported to whole seconds": the grid its value is compared on
    node: nodes.ServiceLevel | None = attrs.field(default=None, eq=False, repr=False)  # for vectorised.py
    # env -> the target's threshold in that period, for a target that is a share of an input
    # (`at most 3% of opened`: 30.3 for 1,010 opened); None for a fixed target.
    allowance: Callable[[dict], Decimal] | None = None
    reads_period_length: bool = False  # `minutes in the month`: evaluation puts the period's length in env
    assessment: Assessment | None = None  # `assessed quarterly` in a monthly contract (frequencies.py)
    cure_days: DayCure | None = None  # `cure: within 30 days` (cure is None then): see cure_days.py

    @property
    def curable(self) -> bool:
        """A miss opens a cure window: a credit, and a cure period in periods or in days."""
        return self.credit is not None and (self.cure is not None or self.cure_days is not None)

    def threshold_in(self, env) -> Decimal:
        """The target's threshold in the period env: fixed, or worked out from its inputs."""
        return self.target if self.allowance is None else self.allowance(env)


@attrs.frozen
class InputSpec:
    """A declared input and what happens when a period does not report it."""

    name: str
    unit: str
    missing: str  # "required" | "default" | "miss" | "index" (an index: read where indexation needs it)
    default: Decimal | None
    span: Span


@attrs.frozen
class PeriodCap:
    """`at risk: ...` or `bonuses at most ...`: a cap on a period's credits or bonuses."""

    amount: CompiledAmount
    clause: Span


@attrs.frozen
class WindowRule:
    """A limit on credits over a window: `length` periods (None: the contract
    year so far), as money or as a share of an input summed over the window."""

    length: int | None
    money: Decimal | None
    rate: Decimal | None
    base: str | None
    clause: Span
    text: str  # the limit as written: "10% of monthly_fee in those months"
    indexed: Callable[[dict], Decimal] | None = None  # money moved by indexation (indexation.py): value(env)

    def limit(self, bases: list[Decimal], env: dict | None = None) -> Decimal:
        if self.indexed is not None and env is not None:
            return self.indexed(env)
        return self.money if self.money is not None else sum(bases, Decimal(0)) * self.rate


@attrs.frozen
class TriggerRule:
    """When a right to terminate arises. kind: "in a row" (count consecutive
    misses), "in window" (count misses in any `length` periods), "floor" (the
    value beyond `floor` in one period), "credits" (credits over `window`
    above its limit), "many" (count or more service levels missed at once),
    "critical failure" (the period is a critical failure: see CriticalFailureRule)."""

    kind: str
    service_level: str | None
    count: int
    length: int | None
    floor: Callable[[Decimal], bool] | None
    window: WindowRule | None
    clause: Span
    text: str
    notice: DayCure | None = None  # `, on 30 days' notice`


# ---------------------------------------------------------------- critical service level failure

@attrs.frozen
class FailureTest:
    """One condition of a critical failure: kind "floor" (the service level at `position`
    with a counted value for which `floor` holds) or "many" (`count` or more service
    levels missed in the period)."""

    kind: str
    position: int | None
    floor: Callable[[Decimal], bool] | None
    count: int
    text: str  # a floor's comparison ("below 95%"), or the condition as written ("3 or more service ...")
    threshold: Decimal | None = None  # a floor's value


@attrs.frozen
class CriticalFailureRule:
    """`critical failure when ...`: in a period where any condition holds, `withhold` of
    the `base` input is withheld (never more than the input), the period's credits are
    replaced when `replaces_credits`, and a right to terminate arises when the clause
    says so (a TriggerRule of kind "critical failure" among the Terms' triggers)."""

    conditions: tuple[FailureTest, ...]
    withhold: CompiledAmount
    base: str
    replaces_credits: bool
    clause: Span
    withhold_clause: Span
    replace_clause: Span | None
    text: str  # the head as written: "critical failure when availability is below 95%"
    withhold_text: str  # "withhold 100% of monthly_charges"


class Citations(dict):
    """Terms.contract_clauses as compile_terms makes it: the contract clause by span_key, and
    the answer for each span asked about kept by the span's identity (with the span itself,
    which keeps that identity from being given to another object): a line item asks for its
    clause each time it is read, and the clauses a ruleset's lines quote are few."""

    __slots__ = ("_by_span",)

    def __init__(self, by_key: dict[SpanKey, str]) -> None:
        super().__init__(by_key)
        self._by_span: dict[int, tuple[Span | None, str | None]] = {}

    def of(self, span: Span | None) -> str | None:
        known = self._by_span.get(id(span))
        if known is None:
            known = self._by_span[id(span)] = (span, None if span is None else self.get(span_key(span)))
        return known[1]


@attrs.frozen
class Terms:
    """A compiled ruleset: everything evaluate() needs, nothing it must re-derive."""

    title: str
    currency: str
    calendar: Calendar
    rounding: Rounding
    inputs: tuple[InputSpec, ...]
    service_levels: tuple[CompiledServiceLevel, ...]
    at_risk: PeriodCap | None
    bonus_limit: PeriodCap | None
    netting: str
    netting_clause: Span | None
    window_caps: tuple[WindowRule, ...]
    triggers: tuple[TriggerRule, ...]
    critical_failure: CriticalFailureRule | None
    waived_misses_count: bool  # toward termination
    excluded_periods_break_streaks: bool
    path: str
    fingerprint: str  # of the ruleset's canonical form (language/fingerprint.py): outputs state it
    text_sha256: str  # of the ruleset's text: a state of format /2 or /1 names its ruleset by it
    term_prints: tuple[TermPrint, ...]  # of the terms that decide money in this version: a state keeps them
    amendments: tuple[tuple[int, "Terms"], ...] = ()  # (first period index, terms in force from it)
    roles: Roles = NO_ROLES  # parties, accountability, reporting duties, late reports, reviews (reporting.py)
    invoicing: Span | None = None  # `credits are applied to the next invoice` (invoicing.py); None: same period
    indexation: IndexationRule | None = None  # `amounts indexed to cpi, ...` (indexation.py)
    deliverables: tuple[DeliverableRule, ...] = ()  # deliverables.py
    # The service levels with a cure period in this version or another: only theirs can have
    # open cure windows (a state holding one for another is refused), so only they look at them.
    cured: frozenset[str] = frozenset()
    # The service levels whose earn-back returns credits after a streak of met periods (`streaked`)
    # or when the contract year's average meets the target (`averaged`), in this version or
    # another: only they keep the counters it reads (the credits outstanding; the year's values and
    # credits), so that an amendment that changes the earn-back finds them kept.
    streaked: frozenset[str] = frozenset()
    averaged: frozenset[str] = frozenset()
    # The contract clause each term cites, by the span_key of the nodes under it (language/citations.py):
    # one map for the ruleset and all its amendments, so a line cites its term's clause in any version.
    contract_clauses: Citations = attrs.field(factory=lambda: Citations({}), eq=False, repr=False)
    # The generated period function's binder (codegen.py), made when these terms are first evaluated.
    generated: list = attrs.field(factory=list, init=False, eq=False, repr=False)

    def cited(self, span: Span | None) -> str | None:
        """The contract clause of the term a line or a right quotes by its span, or None."""
        return self.contract_clauses.of(span)

    def in_force(self, index: int) -> "Terms":
        """The terms in force in the period with this calendar index."""
        terms = self
        for first, program in self.amendments:
            if index >= first:
                terms = program
        return terms

    def assessed_each_period(self) -> "Terms":
        """These terms with every service level assessed each period, as if each period were
        its own quarter. In a run of identical months a quarter's value is each month's (the
        ratio of their sums, or the average of their values) and its amounts three months'
        worth: tools that sweep one typical period (verify) evaluate these terms, whose runs
        of misses and earn-back streaks count periods as the quarterly ones count quarters."""
        levels = tuple(attrs.evolve(sl, assessment=None) for sl in self.service_levels)
        return attrs.evolve(self, service_levels=levels,
                            amendments=tuple((first, terms.assessed_each_period()) for first, terms in self.amendments))

    def without_cures(self) -> "Terms":
        """These terms with every cure window set aside, so a miss is charged in its own period.

        In a run of identical periods each period charges the credit of the miss
        one cure period before it, computed from that month: the same credit,
        under the same caps, as a miss charged at once. Tools that sweep one
        typical period (report curves, verify's cliff scan) evaluate these
        terms, in one period whatever the length of the cure window."""
        levels = tuple(attrs.evolve(sl, cure=None, cure_text=None, cure_days=None) for sl in self.service_levels)
        return attrs.evolve(self, service_levels=levels, cured=frozenset(),
                            amendments=tuple((first, terms.without_cures()) for first, terms in self.amendments))


def compile_terms(ruleset: nodes.Ruleset) -> Terms:
    cited = Citations(cited_by_span(ruleset))
    program = _terms(ruleset)
    ruleset, indexation = indexed_ruleset(ruleset, program.calendar, program.rounding.quantum,
                                          program.rounding.decimal_mode)
    invoicing = next((term.span for term in ruleset.of_type(nodes.Invoicing)), None)
    if indexation is not None:
        program = _terms(ruleset)
    program = attrs.evolve(program, invoicing=invoicing, indexation=indexation, contract_clauses=cited)
    versions = []
    in_force = ruleset
    for amendment in ruleset.amendments:
        in_force = amended(in_force, amendment)
        versions.append((program.calendar.index(program.calendar.label_of_month(amendment.effective)),
                         attrs.evolve(_terms(in_force, program), invoicing=invoicing, indexation=indexation,
                                      contract_clauses=cited)))
    levels = [sl for terms in (program, *(version for _, version in versions)) for sl in terms.service_levels]
    in_any_version = dict(  # what each version shares: see Terms.cured, streaked and averaged
        cured=frozenset(sl.name for sl in levels if sl.cure is not None or sl.cure_days is not None),
        streaked=frozenset(sl.name for sl in levels if sl.earn_back is not None and sl.earn_back.after is not None),
        averaged=frozenset(sl.name for sl in levels if sl.earn_back is not None and sl.earn_back.after is None))
    return attrs.evolve(program, **in_any_version, amendments=tuple(
        (first, attrs.evolve(version, **in_any_version)) for first, version in versions))


def _terms(ruleset: nodes.Ruleset, base: Terms | None = None) -> Terms:
    """The terms one version of the ruleset states; an amended version (`base` given)
    keeps the ruleset's fingerprints."""
    header = {type(term): term for term in ruleset.contract.terms}
    currency = header[nodes.Currency].code
    rounding_node = header.get(nodes.Rounding)
    digits = minor_unit_digits(currency)
    if rounding_node is not None and rounding_node.minor_unit is not None:
        digits = 2 if rounding_node.minor_unit == "cents" else 0
    rounding = Rounding(rounding_node.mode if rounding_node else "half up", digits)
    periodicity = header[nodes.Assessed].periodicity if nodes.Assessed in header else "monthly"
    units = {i.name.text: i.unit for i in ruleset.inputs}
    inputs = tuple(_input_spec(i) for i in ruleset.inputs)
    netting = ruleset.of_type(nodes.Netting)
    calendar = Calendar(periodicity, header[nodes.Starts].month)
    policies = {p.policy for p in ruleset.of_type(nodes.StreakPolicy)}
    service_levels = tuple(_service_level(sl, units, digits, calendar, ruleset.service_levels)
                           for sl in ruleset.service_levels)
    every = {sl.name: sl.assessment.every for sl in service_levels if sl.assessment is not None}
    return Terms(
        title=ruleset.contract.title,
        currency=currency,
        calendar=calendar,
        rounding=rounding,
        inputs=inputs,
        service_levels=service_levels,
        at_risk=_period_cap(ruleset.of_type(nodes.AtRisk), digits),
        bonus_limit=_period_cap(ruleset.of_type(nodes.BonusLimit), digits),
        netting=netting[0].policy if netting else "paid separately",
        netting_clause=netting[0].span if netting else None,
        window_caps=tuple(_window(c.window, c.limit, c.span, calendar) for c in ruleset.of_type(nodes.WindowCap)),
        triggers=_triggers(ruleset, calendar, units, every),
        critical_failure=_critical_failure(ruleset, digits),
        waived_misses_count="waived misses do not count" not in policies,
        excluded_periods_break_streaks="excluded periods break streaks" in policies,
        path=ruleset.source.path if ruleset.source else "<string>",
        fingerprint=base.fingerprint if base else fingerprint(ruleset),
        text_sha256=base.text_sha256 if base else hashlib.sha256(
            (ruleset.source.text if ruleset.source else to_source(ruleset)).encode()).hexdigest(),
        term_prints=term_prints(ruleset),
        roles=compile_roles(ruleset, digits),
        deliverables=compile_deliverables(ruleset),
    )


def _window(window: nodes.Window, limit, clause: Span, calendar: Calendar) -> WindowRule:
    length = None if window.kind == "contract year" else calendar.periods_in(window.length, window.unit)
    those = "that year" if window.kind == "contract year" else f"those {window.unit}s"
    text = printer.window_limit(limit, those)
    if isinstance(limit, IndexedMoney):
        return WindowRule(length, limit.value, None, None, clause, text, indexed_value(limit))
    if isinstance(limit, nodes.FixedMoney):
        return WindowRule(length, limit.value, None, None, clause, text)
    return WindowRule(length, None, CONTEXT.divide(limit.percent, HUNDRED), limit.base.text, clause, text)


def _triggers(ruleset: nodes.Ruleset, calendar: Calendar, units, every: dict[str, int]) -> tuple[TriggerRule, ...]:
    """The termination triggers in source order, a critical failure's right to terminate among them.
    `every`: the contract's periods in one assessment of each service level assessed less often."""
    triggers = []
    for section in ruleset.sections:
        if isinstance(section, nodes.Termination):
            notice = section.notice
            triggers.append(attrs.evolve(_trigger(section, calendar, units, every), notice=DayCure(
                int(notice.days), notice.business) if notice is not None else None))
        elif isinstance(section, nodes.CriticalFailure) and section.may_terminate is not None:
            triggers.append(TriggerRule("critical failure", None, 1, None, None, None, section.may_terminate.span,
                                        f"{printer.critical_failure_head(section)}: the client may terminate"))
    return tuple(triggers)


def _critical_failure(ruleset: nodes.Ruleset, digits: int) -> CriticalFailureRule | None:
    found = ruleset.of_type(nodes.CriticalFailure)
    if not found:
        return None
    cf = found[0]  # check.py allows one
    position = {sl.name.text: i for i, sl in enumerate(ruleset.service_levels)}
    units = {i.name.text: i.unit for i in ruleset.inputs}
    tests = []
    for c in cf.conditions:
        if isinstance(c, nodes.FailureFloor):
            at = position[c.service_level.text]
            unit = kpi_unit(ruleset.service_levels[at], units)
            tests.append(FailureTest("floor", at, compile_comparison(c.comparison), 1,
                                     describe_comparison(c.comparison, unit), c.comparison.quantity.value))
        else:
            tests.append(FailureTest("many", None, None, int(c.count), printer.failure_condition(c)))
    withhold = cf.withhold
    share = nodes.PercentOf(withhold.percent, nodes.InputBase(withhold.base), withhold.span)
    not_accrued = cf.credits_not_accrued
    return CriticalFailureRule(
        conditions=tuple(tests),
        withhold=compile_amount(share, None, digits),
        base=withhold.base.text,
        replaces_credits=not_accrued is not None,
        clause=cf.span,
        withhold_clause=withhold.span,
        replace_clause=not_accrued.span if not_accrued is not None else None,
        text=printer.critical_failure_head(cf),
        withhold_text=printer.withhold(withhold),
    )


def _trigger(termination: nodes.Termination, calendar: Calendar, units, every: dict[str, int]) -> TriggerRule:
    t = termination.trigger
    text = printer.termination(termination)
    clause = termination.span
    if isinstance(t, nodes.MissedInARow):  # a quarterly service level's misses in a row are quarters
        count = calendar.periods_in(t.count, t.unit) // every.get(t.service_level.text, 1)
        return TriggerRule("in a row", t.service_level.text, count, None, None, None, clause, text)
    if isinstance(t, nodes.MissedInWindow):
        return TriggerRule("in window", t.service_level.text, int(t.times), calendar.periods_in(t.length, t.unit),
                           None, None, clause, text)
    if isinstance(t, nodes.BelowFloor):
        return TriggerRule("floor", t.service_level.text, 1, None, compile_comparison(t.comparison), None,
                           clause, text)
    if isinstance(t, nodes.CreditsExceed):
        window = nodes.Window("rolling", t.length, t.unit)
        return TriggerRule("credits", None, 1, None, None, _window(window, t.limit, clause, calendar), clause, text)
    return TriggerRule("many", None, int(t.count), None, None, None, clause, text)


def _input_spec(inp: nodes.Input) -> InputSpec:
    if isinstance(inp.missing, nodes.DefaultValue):
        return InputSpec(inp.name.text, inp.unit, "default", inp.missing.value, inp.span)
    if isinstance(inp.missing, nodes.MissingIsMiss):
        return InputSpec(inp.name.text, inp.unit, "miss", None, inp.span)
    if inp.unit == "index":  # read only where indexation needs it (indexation.py)
        return InputSpec(inp.name.text, inp.unit, "index", None, inp.span)
    return InputSpec(inp.name.text, inp.unit, "required", None, inp.span)


def _period_cap(terms, digits) -> PeriodCap | None:
    if not terms:
        return None
    return PeriodCap(compile_amount(terms[0].amount, None, digits), terms[0].span)


def _names_in(expr) -> list[str]:
    if isinstance(expr, nodes.Reference):
        return [expr.name.text]
    if isinstance(expr, nodes.BinaryOp):
        return _names_in(expr.left) + _names_in(expr.right)
    return []


def _references(expr) -> frozenset[str]:
    if isinstance(expr, nodes.Reference):
        return frozenset({expr.name.text})
    if isinstance(expr, nodes.BinaryOp):
        return _references(expr.left) | _references(expr.right)
    return frozenset()


def _service_level(sl: nodes.ServiceLevel, units: dict[str, str], digits: int, calendar: Calendar,
                   declared: tuple[nodes.ServiceLevel, ...]) -> CompiledServiceLevel:
    unit = kpi_unit(sl, units)
    reads = _references(sl.measured.expr) | allowance_bases(sl)  # a share target reads its input
    assessment = compile_assessment(sl, calendar.periodicity, calendar.start_month)
    as_written, sl = sl, averaged_node(sl)  # an average of the periods' values: measured from it
    expr = compile_measure(sl.measured)
    plain = True  # expr is the measurement as written: not averaged over a quarter, not on a grid
    if assessment is not None and assessment.monthly is not None:
        expr, plain = average_or_own(expr, assessment.monthly), False
    reported = None
    if sl.measured.reported is not None:  # every comparison sees the value on the reporting grid
        reported = compile_reported(sl.measured, expr, compile_fraction(sl.measured))
        expr, plain = (lambda env: reported(env)[0]), False  # noqa: E731
    higher = higher_is_better(sl.target)
    counted = volume_note = volume = None
    if sl.volume is not None:
        test = compile_comparison(sl.volume.comparison)
        volume_input = sl.volume.input.text
        counted = lambda env: test(env[volume_input])  # noqa: E731
        volume_note = f"measured only when {volume_input} is {describe_comparison(sl.volume.comparison, units[volume_input])}"
        volume = (volume_input, sl.volume.comparison, volume_note)
        reads |= {volume_input}
    name = sl.name.text
    share = sl.target.comparison.quantity if isinstance(sl.target.comparison.quantity, nodes.Share) else None
    meets = compile_target(sl.target.comparison)
    return CompiledServiceLevel(
        name=name,
        title=sl.title,
        critical=sl.critical,
        unit=unit,
        target_text=describe_comparison(sl.target.comparison, unit),
        target=sl.target.comparison.quantity.value if share is None else None,
        higher_is_better=higher,
        measure=expr,
        measure_clause=sl.measured.span,
        met=compile_comparison(sl.target.comparison) if share is None else None,
        meets=meets,
        judge=judge_function(Measurement(sl.measured, plain, expr, volume, sl.target.comparison, meets, reported)),
        counted=counted,
        volume_note=volume_note,
        volume_input=sl.volume.input.text if sl.volume else None,
        volume_threshold=sl.volume.comparison.quantity.value if sl.volume else None,
        measured_inputs=tuple(_names_in(as_written.measured.expr)),
        reads=reads,
        reads_period_length=reads_period_length(as_written.measured.expr),
        allocation=compile_amount(sl.allocation.amount, name, digits) if sl.allocation else None,
        credit=compile_award(sl.credit, sl, unit, higher, digits),
        bonus=compile_award(sl.bonus, sl, unit, higher, digits),
        gate=_gate(sl.gate, declared) if sl.gate else None,
        cure=calendar.periods_in(sl.cure.periods, sl.cure.unit) if sl.cure and not sl.cure.in_days else None,
        cure_days=DayCure(int(sl.cure.periods), sl.cure.unit == "business day") if sl.cure and sl.cure.in_days
        else None,
        cure_text=printer.clause(sl.cure) if sl.cure else None,
        free_passes=int(sl.free_passes.count) if sl.free_passes else None,
        earn_back=_earn_back(sl.earn_back, calendar, assessment.every if assessment else 1) if sl.earn_back else None,
        span=sl.span,
        reported_text=printer.reported(sl.measured.reported) if sl.measured.reported else None,
        allowance=compile_allowance(share) if share is not None else None,
        node=as_written,
        assessment=assessment,
    )


def _earn_back(earn_back: nodes.EarnBack, calendar: Calendar, every: int) -> EarnBackRule:
    """`every`: the contract's periods in one of the service level's (its met streak counts its own)."""
    after = calendar.periods_in(earn_back.after, earn_back.unit) // every if earn_back.after is not None else None
    return EarnBackRule(CONTEXT.divide(earn_back.percent, HUNDRED), after, earn_back.span, printer.clause(earn_back))


# A `... met` condition stays open for these statuses of the service levels it watches.
KEEPS_OPEN = MET | frozenset((PENDING,))


@attrs.frozen
class Gate:
    """A bonus's condition: `gate(statuses)` -> why the bonus is withheld, or None; the statuses
    are the service levels' before cures, in declaration order. `watched`: (position, name) of
    the service levels it looks at; `on_miss`: it closes when one of them is missed (`no
    critical missed`), else when one is not met (`... met`; a service level assessed quarterly,
    pending in a month inside its quarter, neither opens nor closes it)."""

    watched: tuple[tuple[int, str], ...]
    on_miss: bool

    def closes(self, status: str) -> bool:
        return status in MISSED if self.on_miss else status not in KEEPS_OPEN

    def __call__(self, statuses: tuple[str, ...]) -> str | None:
        closing = [name for i, name in self.watched if self.closes(statuses[i])]
        if not closing:
            return None
        return f"withheld: critical {', '.join(closing)} missed" if self.on_miss else \
            f"withheld: {', '.join(closing)} not met"


def _gate(gate: nodes.Gate, declared: tuple[nodes.ServiceLevel, ...]) -> Gate:
    """The compiled gate over the service levels `declared` (declaration order)."""
    if gate.kind == "no critical missed":
        return Gate(tuple((i, sl.name.text) for i, sl in enumerate(declared) if sl.critical), True)
    names = [sl.name.text for sl in declared]
    watched = ([(names.index(n.text), n.text) for n in gate.names] if gate.kind == "named met"
               else list(enumerate(names)))  # all met
    return Gate(tuple(watched), False)
