"""Generated Python: one period of one version of the terms, specialised to the ruleset.

Input: compiled Terms (compile.py). Output: `period_source(terms)`, the text of
a Python module whose `bind(ev)` returns `period(data, index, year) -> PeriodOutcome`
for a PeriodEvaluator `ev` (evaluate.py) and whose `results(record)` reads a
period's KpiResults back from its record, and `period_binder(terms)` and
`results_reader(terms)`, those two from that module compiled once per Terms.
`listing(terms)` is it with each service level's judge before it (judge_code.py:
its measurement, volume condition and target as one generated function), as an
auditor reads them. The period module is the evaluator's step 1 to 7
(see evaluate.py) written out for this ruleset: a construct the ruleset does
not use has no code at all; every service level is measured and judged at the
head of the period (the lines of its judge, in its own names: value0,
status0, ...; a volume condition several share is tested once), then each is
its own block in declaration order; table rows, flat amounts, per-unit
credits beyond a fixed threshold, a miss opening a cure window, earn-back's
counters and the runs and windows of misses of termination triggers are
written out; the rarer constructs (a cure window cured or closing,
quarters, late reports, critical failures, window caps, earn-back returns, the
other termination tests) are calls into the evaluator's own methods; a period
ends by adding its money to its contract year's running totals. A line
item it writes is (its head, amount, what its sentence reads): the module makes
the head of each row, amount and cap the code can write a line for once, when
it is compiled (`SL0_CREDIT_ROW0_LINE = WORDING.line_head(...)`: the clause,
its contract clause, the accountable party, the sentence's function;
outcome.LineHead, wording.py). `slarules compile RULESET --emit python` prints it.

How the text is made safe, since rulesets come from other parties:
- it is emitted from compiled nodes only, never from ruleset text: no name,
  string or comment a ruleset wrote appears in a code position;
- every object the code uses (a service level, a table row, a clause's span, a
  closure compiled from checked nodes) is a module global named by this module
  (`SL0`, `SL0_CREDIT_ROW1`), never by the ruleset;
- every number is a module global `D_...` = `Decimal('...')`, its string the
  Decimal's canonical form, checked against NUMBER before it is written;
- input names, which the grammar restricts to identifiers, appear only as
  dictionary keys in string literals, each checked against IDENTIFIER and
  written with repr(); a service level's name appears only in comments, checked
  the same way.
Anything else is an internal error (ValueError), never code.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from types import MethodType
from typing import Callable

import attrs

from ..core.money import CONTEXT
from .carry import Pending, PendingLine, WindowEntry, held_clauses, opened
from .compile import KEEPS_OPEN
from .cure_days import cure_window
from .forms import AT_RISK_KEY, CompiledAmount, FlatForm, LinearForm, TableForm, allocation_key
from .frequencies import assess_quarters, assessed_later
from .indexation import INDEX_KEY
from .judge_code import IDENTIFIER, Emitter, input_key, whole_number
from .measure import period_lengths
from .outcome import MET, MISSED, RECORD_RESULTS, RESULT_FIELDS, KpiResult, PeriodOutcome, made
from .wording import Wording, sentence

def period_source(terms) -> str:
    """The generated module of one version of the terms (see the module docstring)."""
    return _Emitter(terms).module()[0]


def listing(terms) -> str:
    """What `slarules compile --emit python` prints for one version of the terms: each service
    level's judge (SL0_JUDGE, ...: generated when the ruleset is compiled), then the period."""
    judges = [f"# SL{i}_JUDGE, service level {Emitter().sl_name(sl)}:\n{sl.judge.source}"
              for i, sl in enumerate(terms.service_levels) if sl.assessment is None]
    return "\n\n".join(judges + [period_source(terms)])


def period_binder(terms) -> Callable:
    """`bind(ev) -> period(data, index, year)` for these terms, compiled once and kept on the Terms."""
    return _generated(terms)["bind"]


def results_reader(terms) -> Callable:
    """`results(record) -> tuple[KpiResult, ...]` of a period these terms evaluated."""
    return _generated(terms)["results"]


def wording_of(terms) -> Wording:
    """The terms' Wording (wording.py): the one whose heads the generated module made."""
    return _generated(terms)["WORDING"]


def _generated(terms) -> dict:
    """The namespace of the terms' module, compiled when first asked for and kept on the Terms."""
    if not terms.generated:
        source, namespace = _Emitter(terms).module()
        code = compile(source, f"<slarules: {len(terms.service_levels)} service levels>", "exec")
        exec(code, namespace)  # the text of _Emitter, from compiled nodes: see the module docstring
        terms.generated.append(namespace)
    return terms.generated[0]


def _reads(compiled, key: str) -> bool:
    """Whether an amount anywhere in the compiled objects under `compiled` is a share of env[key]."""
    seen: set[int] = set()
    pending = [compiled]
    while pending:
        obj = pending.pop()
        if isinstance(obj, CompiledAmount):
            if obj.base_key == key:
                return True
        elif isinstance(obj, (tuple, list)):
            pending.extend(obj)
        elif isinstance(obj, dict):
            pending.extend(obj.values())
        elif attrs.has(type(obj)) and id(obj) not in seen:
            seen.add(id(obj))
            pending.extend(getattr(obj, field.name) for field in attrs.fields(type(obj)))
    return False


class _Emitter(Emitter):
    """Writes the period module of one version of the terms."""

    def __init__(self, terms):
        super().__init__()
        self.terms = terms
        # Whether an amount is a share of the amount at risk: then each period's env holds it.
        self.at_risk_read = terms is not None and terms.at_risk is not None and _reads(terms, AT_RISK_KEY)
        self.namespace.update({
            "ROUND_CEILING": ROUND_CEILING, "ROUND_FLOOR": ROUND_FLOOR,
            "PeriodOutcome": PeriodOutcome, "KpiResult": KpiResult, "made": made, "assess_quarters": assess_quarters,
            "period_lengths": period_lengths, "AT_RISK_KEY": AT_RISK_KEY, "INDEX_KEY": INDEX_KEY,
            # a cure window (carry.py) and its held lines, whose sentences are built when read
            "PENDING": Pending, "PENDING_LINE": PendingLine, "opened": opened, "cure_window": cure_window,
            "MethodType": MethodType, "sentence": sentence,
        })
        self.keys = {AT_RISK_KEY: "AT_RISK_KEY", INDEX_KEY: "INDEX_KEY"}  # env keys no input has -> their globals
        self.heads: dict[str, str] = {}  # a line head's name -> how bind makes it (ev.line_head)

    def head(self, name: str, service_level: str, kind: str, clause: str, text: str, *fixed: str) -> str:
        """The name of a line head (outcome.LineHead) the module makes once, when it is compiled,
        with WORDING.line_head; the arguments are expressions of its own names, `kind` a literal,
        `text` the name of one of WORDING's sentence functions."""
        self.heads.setdefault(name, f"{name} = WORDING.line_head({service_level}, {kind!r}, {clause}, "
                                    f"{', '.join((f'WORDING.{text}', *fixed))})")
        return name

    # ---- the module
    def module(self) -> tuple[str, dict]:
        self.object("WORDING", Wording(self.terms), "the line items' heads and sentences (wording.py)")
        self.bind()
        self.line(0, "")
        self.line(0, "")
        self.results()
        return self.text("one period of this version of the contract"), self.namespace

    def results(self) -> None:
        """`results(record)`: the KpiResults of the record `period` returns (its fields from
        RECORD_RESULTS on, RESULT_FIELDS a service level), one written out per service level;
        on a reporting grid, the value as measured first, the value on the grid as reported."""
        self.line(0, "def results(record):")
        self.line(1, '"""(KpiResult, ...) of the service levels in a period, from its record."""')
        self.line(1, "return (")
        for i, sl in enumerate(self.terms.service_levels):
            value, status, note, as_measured = (f"record[{RECORD_RESULTS + RESULT_FIELDS * i + k}]"
                                                for k in range(RESULT_FIELDS))
            name = self.object(f"SL{i}_NAME", sl.name, "its name")
            unit = self.object(f"SL{i}_UNIT", sl.unit, "its unit")
            owner = self.object(f"SL{i}_OWNER", self.terms.roles.accountable.get(sl.name),
                                "the party accountable for it (None: none named)")
            measured = f"made(KpiResult, ({name}, {value}, {unit}, {status}, {note}, None, {owner}))"
            if sl.reported_text is None:
                self.line(2, measured + ",")
            else:
                self.line(2, f"{measured} if {as_measured} is None else made(KpiResult, ({name}, {as_measured}, "
                             f"{unit}, {status}, {note}, {value}, {owner})),")
        self.line(1, ")")

    def bind(self) -> None:
        terms = self.terms
        levels = terms.service_levels
        self.line(0, "def bind(ev):")
        self.line(1, '"""period(data, index, year) for the evaluator ev, whose carries it updates."""')
        self.line(1, "contract_year_of, zero, quantum, mode = ev.contract_year_of, ev.zero, ev.quantum, ev.mode")
        self.line(1, "events, late_deliveries = ev.events, ev.late_deliveries")
        if levels:
            self.line(1, "carries = ev.carries")
            self.line(1, ", ".join(f"carry{i}" for i in range(len(levels))) + ", = carries")
            self.line(1, ", ".join(f"money{i}" for i in range(len(levels))) +
                      ", = [ev.money_of[sl.name] for sl in ev.service_levels]")
        if terms.triggers:
            self.line(1, ", ".join(f"trigger{t}" for t in range(len(terms.triggers))) +
                      ", = [carry for _, carry, _ in ev.triggers]")
            self.line(1, "miss_of = ev.miss_of  # a status -> whether it counts as a miss toward termination")
        if terms.indexation is not None:
            self.line(1, "indexer = ev.indexer")
        if terms.roles.duties:
            self.line(1, "late_reports = ev.late_reports")
        if any(sl.reads_period_length for sl in levels):
            self.line(1, "days_in = ev.days_in")
        if any(sl.curable for sl in levels):
            self.line(1, "calendar, holidays = ev.program.calendar, ev.holidays")
            self.line(1, "label_of = calendar.label")
        self.line(0, "")
        self.line(1, "def period(data, index, year):")
        self.period(2)
        self.line(1, "return period")
        if self.heads:  # the heads of the lines the period writes, made with the module, before bind
            self.code[:0] = ["# the heads of the line items (clause, sentence) the code writes",
                             *self.heads.values(), "", ""]

    def period(self, d: int) -> None:
        terms = self.terms
        levels = terms.service_levels
        self.line(d, "label = data.label")
        self.line(d, "# 1. inputs, the amount at risk")
        if self.adds_to_inputs():
            self.line(d, "env = dict(data.values)")
        else:  # nothing is written into env: the History's own mapping, not a copy each line item keeps
            self.line(d, "env = data.values")
        if any(sl.reads_period_length for sl in levels):
            self.line(d, "env.update(period_lengths(days_in(label)))")
        for spec in terms.inputs:
            if spec.missing == "default":
                self.line(d, f"if {input_key(spec.name)} not in env:")
                self.line(d + 1, f"env[{input_key(spec.name)}] = {self.number(spec.default)}")
        required = [spec.name for spec in terms.inputs if spec.missing == "required"]
        if required:  # each tested by name: half the time of a set comparison with env's keys
            self.line(d, f"if not ({' and '.join(f'{input_key(name)} in env' for name in required)}):")
            self.line(d + 1, "ev.missing_input(data, env)  # names the first not reported")
        if terms.indexation is not None:
            self.line(d, "env[INDEX_KEY] = indexer.values_for(data, index, year)")
        if self.at_risk_read:
            self.line(d, f"env[AT_RISK_KEY] = {self.amount(self.at_risk(), 'AT_RISK_AMOUNT', 'env')}")
        self.line(d, "# 2. every service level's value and status")
        missing_counts = frozenset(spec.name for spec in terms.inputs if spec.missing == "miss")
        condition = "label not in events"
        if missing_counts:
            self.object("COUNTED_AS_MISS", missing_counts, "the inputs whose absence counts as a miss")
            reported = f"{input_key(next(iter(missing_counts)))} in env" if len(missing_counts) == 1 \
                else "env.keys() >= COUNTED_AS_MISS"
            condition = f"{reported} and label not in events"
        judged = [f"(value{i}, status{i}, note{i}, as_measured{i})" for i in range(len(levels))]
        if levels:
            self.judge_all(d, condition, judged)
        assessed = [(i, sl) for i, sl in enumerate(levels) if sl.assessment is not None]
        gated = any(sl.bonus is not None and sl.gate is not None for sl in levels)
        if assessed or terms.roles.duties:
            self.line(d, f"results = [{', '.join(judged)}]  # as judged, before cures")
        if assessed:
            self.object("ASSESSED", tuple(assessed), "the service levels assessed less often than the contract")
            self.line(d, "envs = assess_quarters(ASSESSED, carries, results, env, data, index, "
                         f"{'COUNTED_AS_MISS' if missing_counts else 'frozenset()'}, events.get(label, {{}}))")
        if terms.roles.duties:
            self.line(d, "late = late_reports.judged(data, results)")
        if assessed or terms.roles.duties:
            self.line(d, f"{', '.join(judged)}, = results")
        if gated:
            self.line(d, f"statuses = ({''.join(f'status{i}, ' for i in range(len(levels)))})  "
                         "# as judged, before cures: what a bonus's condition sees")
        self.line(d, "# 3 and 4. what each status costs or earns, service level by service level")
        self.line(d, "lines = []")
        self.line(d, "own_credits = bonuses = zero")
        earning_back = any(sl.earn_back is not None for sl in levels)
        self.line(d, "if year != ev.year:  # the service levels' yearly counters, the year's running totals")
        self.line(d + 1, "ev.new_contract_year(year, label)")
        for position, sl in enumerate(levels):
            self.service_level(d, position, sl)
        if terms.roles.duties or terms.critical_failure is not None or any(t.kind == "many" for t in terms.triggers):
            self.line(d, f"results = [{', '.join(judged)}]  # as the service levels ended the period")
        if terms.roles.duties:
            self.line(d, "if late:")
            self.line(d + 1, "own_credits += late_reports.credits(late, results, env, lines, ev.money_of, "
                             "WORDING.line_head)")
        self.line(d, "# 5. a critical failure")
        self.line(d, "credits, withheld = own_credits, zero")
        if terms.critical_failure is not None:
            self.object("CRITICAL_FAILURE", terms.critical_failure,
                        f"the critical failure clause (line {terms.critical_failure.clause.line})")
            self.line(d, "failure = ev.critical_failure(results)")
            self.line(d, "if failure is not None:")
            self.line(d + 1, "credits, withheld = ev.critical_failure_lines(CRITICAL_FAILURE, failure, own_credits, "
                             "env, lines)")
        elif any(rule.kind == "critical failure" for rule in terms.triggers):
            self.line(d, "failure = None")
        self.line(d, "# 6. the period-wide caps, late deliveries, netting")
        if terms.at_risk is not None:
            limit = "env[AT_RISK_KEY].quantize(quantum, mode)" if self.at_risk_read \
                else self.rounded(self.at_risk(), "AT_RISK_AMOUNT", "env")
            self.period_cap(d, "credits", limit, "AT_RISK", "credit cap", "the amount at risk")
        if terms.window_caps:
            self.line(d, "credits = ev.window_caps(label, index, year, credits, env, lines)")
        self.line(d, "earned_back = zero")
        if earning_back:
            self.earn_backs(d)
        self.line(d, "if late_deliveries is not None:  # under their own caps, not the period-wide ones")
        self.line(d + 1, "credits += late_deliveries.lines(label, lines, WORDING.line_head)")
        if terms.bonus_limit is not None:
            self.object("BONUS_LIMIT", terms.bonus_limit, f"the bonus limit (line {terms.bonus_limit.clause.line})")
            self.period_cap(d, "bonuses", self.rounded(terms.bonus_limit.amount, "BONUS_LIMIT_AMOUNT", "env"),
                            "BONUS_LIMIT", "bonus cap", "the bonus limit")
        if terms.netting == "only offset":
            self.object("NETTING", terms.netting_clause, "the netting clause")
            self.line(d, "if bonuses > credits:  # bonuses only offset credits")
            self.line(d + 1, "excess = bonuses - credits")
            forfeit = self.head("NETTING_LINE", "None", "bonus forfeit", "NETTING", "forfeit_text")
            self.line(d + 1, f"lines.append(({forfeit}, -excess, bonuses, credits, excess))")
            self.line(d + 1, "bonuses = credits")
        self.year_totals(d, earning_back)
        self.line(d, "# 7. termination: a right arises in each period its trigger's condition holds")
        self.line(d, "terminations = ()")
        if terms.triggers:
            self.triggers(d)
        self.line(d, f"return PeriodOutcome((label, year, {'late' if terms.roles.duties else '()'}, ev, lines, "
                     "terminations, credits, earned_back, bonuses, withheld, "
                     + "".join(result[1:-1] + ", " for result in judged) + "))")

    def year_totals(self, d: int, earning_back: bool) -> None:
        """The period's money added to its contract year's running totals (evaluate.RunningYear):
        only the figures these terms can make other than zero (`earning_back`: a service level
        has an earn-back), and the excess (what the vendor is owed on balance) as the netting
        counts it."""
        terms = self.terms
        paying_bonuses = any(sl.bonus is not None for sl in terms.service_levels)
        withholding = terms.critical_failure is not None
        offset = terms.netting != "paid separately"
        self.line(d, "# the contract year's running totals")
        self.line(d, "year_totals = ev.year_totals")
        self.line(d, "year_totals.last = label")
        self.line(d, "year_totals.credits += credits")
        if paying_bonuses:
            self.line(d, "if bonuses:")
            self.line(d + 1, "year_totals.bonuses += bonuses")
        if earning_back:
            self.line(d, "if earned_back:")
            self.line(d + 1, "year_totals.earned_back += earned_back")
        if withholding:
            self.line(d, "if withheld:")
            self.line(d + 1, "year_totals.withheld += withheld")
        to_vendor = " + ".join((["earned_back"] if earning_back else [])
                               + (["bonuses"] if offset and paying_bonuses else []))
        if to_vendor:  # what can make the vendor owed on balance
            to_client = ["credits", "withheld"] if withholding else ["credits"]
            self.line(d, f"if {to_vendor} > {' + '.join(to_client)}:  # the vendor is owed on balance")
            self.line(d + 1, f"year_totals.excess += {to_vendor} - {' - '.join(to_client)}")

    def judge_all(self, d: int, condition: str, judged: list[str]) -> None:
        """Every service level measured and judged in its own names (value0, status0, ...)."""
        self.line(d, f"judged = {condition}")
        self.line(d, "if judged:")
        self.line(d + 1, "try:")
        self.shared_volume_tests(d + 2)
        for i, sl in enumerate(self.terms.service_levels):
            if sl.assessment is None:
                self.line(d + 2, f"# service level {self.sl_name(sl)}: measured, judged against its target")
                self.judging(d + 2, f"SL{i}_", sl.judge.measurement, f"value{i}", f"status{i}", f"note{i}",
                             f"as_measured{i}")
            else:
                self.object(f"SL{i}_PENDING", assessed_later,
                            f"service level {self.sl_name(sl)} is assessed later, over its quarter")
                self.line(d + 2, f"{judged[i]} = SL{i}_PENDING(env)")
        self.line(d + 1, "except ZeroDivisionError:")
        self.line(d + 2, "judged = False  # ev.unjudged names the service level")
        self.line(d, "if not judged:  # an input not reported, an event, or a division by zero")
        self.line(d + 1, f"{', '.join(judged)}, = ev.unjudged(env, data)")

    def shared_volume_tests(self, d: int) -> None:
        """A volume condition several service levels are measured under, tested once, as a
        local (volume0, ...) their judging lines read (Emitter.shared_tests)."""
        sharing: dict[str, list[str]] = {}
        for sl in self.terms.service_levels:
            if sl.assessment is None and sl.judge.measurement.volume is not None:
                sharing.setdefault(self.volume_test(sl.judge.measurement.volume), []).append(self.sl_name(sl))
        for test, names in sharing.items():
            if len(names) > 1:
                self.shared_tests[test] = f"volume{len(self.shared_tests)}"
                self.line(d, f"{self.shared_tests[test]} = {test}  # the volume condition of {', '.join(names)}")

    def adds_to_inputs(self) -> bool:
        """Whether a period's env holds more than its reported inputs: then it is a copy."""
        terms = self.terms
        return (any(sl.reads_period_length or sl.allocation is not None for sl in terms.service_levels)
                or any(spec.missing == "default" for spec in terms.inputs)
                or terms.indexation is not None or self.at_risk_read)

    def earn_backs(self, d: int) -> None:
        """Earn-back returns only credits actually charged: when period-wide caps cut the period's
        credits (own_credits, the service levels' own lines, to credits), each service level's
        own credits count in the same proportion, multiplied before dividing, so that a share
        that is a whole amount stays exactly that amount. A service level keeps only the
        counters an earn-back of it reads in some version (Terms.streaked, Terms.averaged)."""
        self.line(d, "cut = credits != own_credits  # a period-wide cap cut the period's credits")
        for i, sl in enumerate(self.terms.service_levels):
            if sl.earn_back is None:
                continue
            carry, status, value = f"carry{i}", f"status{i}", f"value{i}"
            self.line(d, f"# earn-back of service level {self.sl_name(sl)} (line {sl.earn_back.clause.line})")
            self.line(d, f"charged = own_credits{i} * credits / own_credits if cut else own_credits{i}")
            if sl.name in self.terms.streaked:  # the credits outstanding, the streak of met periods
                self.object("MET", MET, "the statuses that count as met")
                self.object("MISSED", MISSED, "the statuses that count as missed")
                self.line(d, f"{carry}.outstanding += charged")
                # An excluded period counts for the vendor, as it cures a cure window: excluding a
                # period must never cost the vendor an earn-back.
                self.line(d, f"if {status} in MET or {status} == 'excluded':")
                self.line(d + 1, f"{carry}.met_streak += 1")
                self.line(d, f"elif {status} in MISSED or {status} == 'waived':")
                self.line(d + 1, f"{carry}.met_streak = 0")
            if sl.name in self.terms.averaged:  # the contract year's credits, and its values for the average
                self.object("UNCOUNTED", frozenset(("excluded", "not measured")),
                            "the statuses a year's average leaves out")
                self.line(d, f"{carry}.year_credits += charged")
                self.line(d, f"if {status} not in UNCOUNTED and {value} is not None:")
                self.line(d + 1, f"{carry}.year_sum += {value}")
                self.line(d + 1, f"{carry}.year_count += 1")
            if sl.earn_back.after is not None:
                self.line(d, f"if {carry}.met_streak >= {whole_number(sl.earn_back.after)} "
                             f"and {carry}.outstanding > 0:")
                self.line(d + 1, f"earned_back += ev.streak_earn_back(SL{i}, {carry}, lines)")
            else:
                self.line(d, "if contract_year_of(index + 1) != year:  # the contract year ends")
                self.line(d + 1, f"earned_back += ev.year_earn_back(SL{i}, {carry}, lines)")

    def triggers(self, d: int) -> None:
        """Each trigger's test; a run of misses and a window of periods are counted here, in the
        carry's own terms (TriggerCarry), the rest are the evaluator's methods."""
        position = {sl.name: i for i, sl in enumerate(self.terms.service_levels)}
        tests = {
            "floor": "ev.below_floor({rule}, {position}, value{position}, status{position}, label)",
            "credits": "ev.over_credits({rule}, {carry}, label, index, year, credits, env)",
            "critical failure": "None if failure is None else (failure, (label,))",
            "many": "ev.many_missed({rule}, results, label)",
        }
        for t, rule in enumerate(self.terms.triggers):
            name = self.object(f"TRIGGER{t}", rule, f"the termination trigger on line {rule.clause.line}")
            carry, at = f"trigger{t}", position.get(rule.service_level)
            if rule.kind == "in a row":
                self.line(d, f"missed = miss_of[status{at}]  # {whole_number(rule.count)} in a row")
                self.line(d, "if missed:")
                self.line(d + 1, f"{carry}.run.append(label)")
                self.line(d, f"elif missed is False and {carry}.run:")
                self.line(d + 1, f"{carry}.run.clear()")
                self.line(d, f"if len({carry}.run) >= {whole_number(rule.count)}:")
                self.line(d + 1, f"terminations += ev.arise({name}, {carry}, label, index, "
                                 f"ev.in_a_row({name}, {carry}, {at})),")
                continue
            if rule.kind == "in window":
                self.object("WINDOW_ENTRY", WindowEntry, "a period as a window sees it")
                self.line(d, f"recent = {carry}.recent  # {whole_number(rule.count)} in any "
                             f"{'contract year' if rule.length is None else whole_number(rule.length)}")
                self.line(d, "while recent and " + ("recent[0].contract_year != year:" if rule.length is None
                                                     else f"recent[0].index <= index - {whole_number(rule.length)}:"))
                self.line(d + 1, f"{carry}.misses -= recent.pop(0).missed  # no longer in the window")
                self.line(d, f"missed = miss_of[status{at}] is True")
                self.line(d, f"recent.append(made(WINDOW_ENTRY, (index, label, year, {self.number(Decimal(0))}, "
                             f"{self.number(Decimal(0))}, missed)))")
                self.line(d, f"{carry}.misses += missed")
                self.line(d, f"if {carry}.misses >= {whole_number(rule.count)}:")
                self.line(d + 1, f"terminations += ev.arise({name}, {carry}, label, index, "
                                 f"ev.in_window({name}, {carry}, label)),")
                continue
            self.line(d, f"fired = {tests[rule.kind].format(rule=name, carry=carry, position=at)}")
            self.line(d, "if fired is not None:")
            self.line(d + 1, f"terminations += ev.arise({name}, {carry}, label, index, fired),")

    # ---- one service level
    def service_level(self, d: int, i: int, sl) -> None:
        """Service level i's block: what its status costs or earns, in its own names (value0, ...)."""
        prefix = self.object(f"SL{i}", sl, f"service level {self.sl_name(sl)} (line {sl.span.line})")
        self.object(f"{prefix}_NAME", sl.name, "its name")
        status, note, carry, money = f"status{i}", f"note{i}", f"carry{i}", f"money{i}"
        self.line(d, f"# service level {self.sl_name(sl)} (line {sl.span.line})")
        env = "env"
        if sl.assessment is not None:
            env = "sl_env"
            self.line(d, f"sl_env = envs.get({i}, env)  # the quarter's sums, when assessed now")
        if sl.allocation is not None:
            self.keys[allocation_key(sl.name)] = self.object(f"{prefix}_ALLOCATION_KEY", allocation_key(sl.name),
                                                             "where its allocation is")
            self.line(d, f"{env}[{prefix}_ALLOCATION_KEY] = "
                         f"{self.amount(sl.allocation, prefix + '_ALLOCATION', env)}")
        self.line(d, "credited = bonus = None" if sl.bonus is not None else "credited = None")
        miss_branch = sl.free_passes is not None or sl.curable or sl.credit is not None  # what a miss does
        if miss_branch:
            self.line(d, f"if {status} == 'missed':")
            missed = d + 1
            if sl.free_passes is not None:
                self.line(d + 1, f"if {carry}.passes_used < {int(sl.free_passes)}:  # a warning, no credit")
                self.line(d + 2, f"{note} = ev.free_pass({prefix}, {carry}, {note}, year)")
                if sl.curable or sl.credit is not None:
                    self.line(d + 1, "else:")
                    missed = d + 2
            if sl.curable:
                self.line(missed, "held = []  # a miss opens a cure window: its credit is held")
                self.award(missed, i, sl.credit, env, "held_credit", "held")
                self.hold(missed, i, sl)
            elif sl.credit is not None:
                self.award(missed, i, sl.credit, env, "credited", "lines")
        windows = sl.name in self.terms.cured  # cure windows can be open (this version's or another's)
        if sl.bonus is not None or windows:  # what a met (or excluded) period does
            self.line(d, f"{'elif' if miss_branch else 'if'} {status} == 'met' or {status} == 'excluded':")
        gated = sl.bonus is not None and sl.gate is not None
        if sl.bonus is not None and not gated:
            self.line(d + 1, f"if {status} == 'met':")
            self.award(d + 2, i, sl.bonus, env, "bonus", "lines")
        elif gated:
            self.object(f"{prefix}_GATE", sl.gate, "its bonus's condition")
            self.line(d + 1, "withheld_by = None")
            self.line(d + 1, f"if {status} == 'met':")
            self.line(d + 2, "gated = []")
            self.award(d + 2, i, sl.bonus, env, "bonus", "gated")
            # What can close it (Gate.closes); only then is it asked why.
            closing = " or ".join(f"statuses[{i}] in MISSED" if sl.gate.on_miss else f"statuses[{i}] not in KEEPS_OPEN"
                                  for i, _ in sl.gate.watched) or "False"
            self.object("MISSED" if sl.gate.on_miss else "KEEPS_OPEN", MISSED if sl.gate.on_miss else KEEPS_OPEN,
                        "the statuses that count as missed" if sl.gate.on_miss
                        else "the statuses that keep a bonus's condition open")
            self.line(d + 2, f"withheld_by = {prefix}_GATE(statuses) if gated and ({closing}) else None"
                             "  # before cures")
            self.line(d + 2, "if withheld_by is None:")
            self.line(d + 3, "lines += gated")
            self.line(d + 2, "else:")
            self.line(d + 3, "bonus = None")
        if windows:
            self.line(d + 1, f"if {carry}.pending:  # cures every open window it counts toward")
            self.line(d + 2, f"{status}, {note} = ev.cure({carry}, {status}, {note}, index)")
        if gated:
            self.line(d + 1, "if withheld_by is not None:")
            self.line(d + 2, f"{note} = ev.joined({note}, f'bonus {{withheld_by}}')")
        if windows:
            self.line(d, f"if {carry}.pending and {carry}.pending[0].deadline == index:  # a window closes unmet")
            self.line(d + 1, f"closed = ev.close_cure_windows({prefix}, {carry}, lines, label, index)")
            self.line(d + 1, "if closed is not None:")
            self.line(d + 2, "credited = closed if credited is None else credited + closed")
        self.line(d, "if credited is not None:")
        self.line(d + 1, "own_credits += credited")
        self.line(d + 1, f"{money}[0] += credited")
        if sl.earn_back is not None:
            self.line(d, f"own_credits{i} = zero if credited is None else credited  # for its earn-back")
        if sl.bonus is not None:
            self.line(d, "if bonus is not None:")
            self.line(d + 1, "bonuses += bonus")
            self.line(d + 1, f"{money}[2] += bonus")

    def hold(self, d: int, i: int, sl) -> None:
        """Service level i's miss opens a cure window holding the lines of its credit (`held`),
        as a state keeps them (carry.PendingLine: the clause by name); a met period cures it
        (ev.cure), or its lines are charged when it closes (ev.close_cure_windows)."""
        prefix, carry, status, note = f"SL{i}", f"carry{i}", f"status{i}", f"note{i}"
        held_as = self.object(f"{prefix}_HELD_AS", {id(span): name for name, span in held_clauses(sl).items()},
                              "the clauses its held lines cite, by name (by the identity of their spans)")
        cure = self.object(f"{prefix}_CURE", sl.cure_text, "its cure clause, as a note quotes it")
        if sl.cure_days is None:
            self.line(d, f"deadline = index + {whole_number(sl.cure)}  # its credit falls due then, unless cured")
            self.line(d, "cure_by, until = None, label_of(deadline)")
        else:  # cure_days.py: when a window in days closes
            self.line(d, f"deadline, cure_by, until = cure_window({prefix}, index, calendar, holidays)")
        self.line(d, "window = []")
        self.line(d, "for line in held:")
        self.line(d + 1, "head = line[0]")
        self.line(d + 1, f"window.append(made(PENDING_LINE, (head.kind, line[1], {held_as}[id(head.clause)], "
                         "head.clause, MethodType(sentence, line))))")
        self.line(d, f"opened({carry}.pending, made(PENDING, (deadline, label, window, cure_by)))")
        self.line(d, f"{status} = 'in cure'")
        self.line(d, f"{note} = f'{{{note}}}; in cure until {{until}} ({{{cure}}})' if {note} "
                     f"else f'in cure until {{until}} ({{{cure}}})'")

    def award(self, d: int, i: int, award, env: str, total: str, lines: str) -> None:
        """The lines of service level i's credit or bonus clause into `lines`, their sum into
        `total` (None: no line)."""
        prefix, value, note = f"SL{i}", f"value{i}", f"note{i}"
        name = self.object(f"{prefix}_{award.kind.upper()}", award, f"its {award.kind} clause")
        self.line(d, f"if {value} is None:  # not reported, counted as a miss: the clause's maximum")
        self.line(d + 1, f"{total} = ev.unreported_award({prefix}, {name}, {note}, {env}, {lines})")
        form = award.form
        if isinstance(form, TableForm):
            for r, row in enumerate(form.rows):
                row_name = self.object(f"{name}_ROW{r}", row, f"its {award.kind} row on line {row.clause.line}")
                self.line(d, f"elif {self.interval(row.interval, value)}:")
                self.line(d + 1, f"exact, head, detail = {self.amount(row.amount, row_name + '_AMOUNT', env)}, "
                                 f"{self.award_head(prefix, name, award, row_name)}, None")
            self.line(d, "else:")
            self.line(d + 1, "head = None  # no row applies")
            self.line(d, f"if {value} is not None and head is not None:")
        elif isinstance(form, FlatForm):
            form_name = self.object(f"{name}_FORM", form, f"its {award.kind} amount")
            self.line(d, "else:")
            self.line(d + 1, f"exact, head, detail = {self.amount(form.amount, name + '_AMOUNT', env)}, "
                             f"{self.award_head(prefix, name, award, form_name)}, None")
            self.line(d, f"if {value} is not None:")
        elif isinstance(form, LinearForm) and form.rounding != "pro rata" and form.allowance is None:
            self.linear(d, prefix, name, award, form, value, env)
            self.line(d, f"if {value} is not None and head is not None:")
        else:
            self.object(f"{name}_FORM", form, f"its {award.kind} form, as compiled")
            self.line(d, "else:")
            self.line(d + 1, f"assessed = {name}_FORM.assess({value}, {env})")
            self.line(d + 1, "head = None")
            self.line(d + 1, "if assessed is not None:")
            self.line(d + 2, "exact, source, detail = assessed")
            self.line(d + 2, f"head = WORDING.award_head({prefix}, {name}, source)")
            self.line(d, f"if {value} is not None and head is not None:")
        self.line(d + 1, f"{total} = exact.quantize(quantum, mode)")
        self.line(d + 1, f"{lines}.append((head, {total}, {value}, {note}, detail, {env}))")
        if award.cap is not None:
            cap = self.head(f"{name}_CAP_LINE", f"{prefix}_NAME", award.kind + " cap", f"{name}.cap_clause",
                            "cap_text", prefix, name)
            self.line(d + 1, f"limit = {self.rounded(award.cap, name + '_CAP', env)}")
            self.line(d + 1, f"if {total} > limit:")
            self.line(d + 2, f"{lines}.append(({cap}, limit - {total}, {env}, {total}, limit))")
            self.line(d + 2, f"{total} = limit")

    def award_head(self, prefix: str, name: str, award, source: str) -> str:
        """The head of the lines of service level `prefix`'s award `name` from `source` (a row,
        the clause's amount or its amount per unit)."""
        return self.head(f"{source}_LINE", f"{prefix}_NAME", award.kind, f"{source}.clause", "award_text",
                         prefix, name, source)

    def linear(self, d: int, prefix: str, name: str, award, form: LinearForm, value: str, env: str) -> None:
        """An amount per whole unit (rounded up or down) beyond a fixed threshold, as
        forms.LinearForm.assess: no line when no whole unit is counted."""
        form_name = self.object(f"{name}_FORM", form, f"its {award.kind} per unit")
        threshold = self.number(form.threshold)
        beyond, distance = (f"{value} < {threshold}", f"{threshold} - {value}") if form.below else \
            (f"{value} > {threshold}", f"{value} - {threshold}")
        if form.step != 1:
            distance = f"({distance}) / {self.number(form.step)}"
        rounding = "ROUND_CEILING" if form.rounding == "up" else "ROUND_FLOOR"
        self.line(d, f"elif {beyond}:")
        self.line(d + 1, f"units = ({distance}).to_integral_value({rounding})")
        self.line(d + 1, f"exact, head, detail = units * ({self.amount(form.amount, form_name + '_AMOUNT', env)}), "
                         f"{self.award_head(prefix, name, award, form_name)} if units else None, units")
        self.line(d, "else:")
        self.line(d + 1, "head = None  # not beyond the threshold")

    def at_risk(self) -> CompiledAmount:
        """The amount at risk, as compiled (its clause the module's AT_RISK)."""
        self.object("AT_RISK", self.terms.at_risk, f"the amount at risk (line {self.terms.at_risk.clause.line})")
        return self.terms.at_risk.amount

    def period_cap(self, d: int, total: str, limit: str, cap: str, kind: str, cap_name: str) -> None:
        """`total` after a period-wide cap of `limit` (an expression, rounded), with a cap line when
        it binds (only a period with some credits, or bonuses, has anything to cap)."""
        head = self.head(f"{cap}_LINE", "None", kind, f"{cap}.clause", "period_cap_text", repr(total),
                         repr(cap_name), cap)
        self.line(d, f"if {total}:")
        self.line(d + 1, f"limit = {limit}")
        self.line(d + 1, f"if {total} > limit:")
        self.line(d + 2, f"lines.append(({head}, limit - {total}, env, {total}, limit))")
        self.line(d + 2, f"{total} = limit")

    # ---- numbers and amounts
    def amount(self, amount, name: str, env: str) -> str:
        """An expression for a CompiledAmount's exact value in the period: a percentage of an input
        or a fixed sum written out, anything else (an indexed amount) the compiled closure's value."""
        if amount.indexed:
            self.object(name, amount, "an indexed amount, as compiled")
            return f"{name}.value({env})"
        if amount.base_key is None:
            return self.number(amount.factor)
        key = input_key(amount.base_key) if IDENTIFIER.match(amount.base_key) else self.keys[amount.base_key]
        return f"{env}[{key}] * {self.number(amount.factor)}"

    def rounded(self, amount, name: str, env: str) -> str:
        """An expression for an amount rounded to the currency's minor unit: a fixed sum is
        rounded once, here (it has at most 15 digits before the point: the check's SLA235)."""
        if not amount.indexed and amount.base_key is None:
            rounding = self.terms.rounding
            return self.number(amount.factor.quantize(rounding.quantum, rounding.decimal_mode, CONTEXT))
        return f"({self.amount(amount, name, env)}).quantize(quantum, mode)"

    def interval(self, interval, value: str) -> str:
        """A test of `value` against a table row's interval, as forms.TierRow.contains."""
        test = value
        if interval.low is not None:
            test = f"{self.number(interval.low)} {'<=' if interval.low_included else '<'} {test}"
        if interval.high is not None:
            test = f"{test} {'<=' if interval.high_included else '<'} {self.number(interval.high)}"
        return "True" if test == value else test
