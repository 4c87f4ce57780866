"""`slarules verify`: the fairness invariants, run against one user's ruleset.

Input: a compiled Terms (its `path` is re-read, when it can be, to learn
which input of a derived measurement drives it), a seed, an effort
("quick" | "normal" | "thorough": how many generated histories per property),
a directory for counterexample files and optionally the names of the checks to
run. Output: a VerifyReport whose `.ok` is False when an invariant is violated
and whose `to_text()` lists every check as held, violated or a finding, with
the counterexamples' paths. The same program, seed and effort give the same
report (hypothesis runs with `database=None` and an explicit seed). Nothing
here raises on a bad ruleset or a violated property: a crash of the evaluator
on generated data is itself reported as a violation.

Histories are generated in the ruleset's own inputs and units: money inputs
held at a constant fee (10,000.00, or varied 1,000..100,000 with
`vary_fees=True`); counts 1..20,000 (around each minimum-volume threshold
too); each service level's measured value is drawn (percent 0..100; seconds,
minutes, scores 0..a few times the largest threshold in the ruleset, with
extra weight on every threshold and its neighbours) and its driving input
solved for it (`answered_in_20s` for `answered_in_20s / calls_offered`).
Where a property needs them, up to three waivers and exclusions are drawn too.

Invariants (numbers as in the brief's "Fairness invariants"):
  1 monotone   a better value of one input in one period (every service level
               reading it weakly better, one strictly, volume conditions
               unchanged) never raises credits net of earn-backs, never lowers
               bonuses (bonus lines and bonus caps; netting forfeits excluded)
  2 bounded    per period: credits <= the amount at risk; per window cap:
               credits <= its limit; no credit, bonus or total is negative
  3 all met    every service level met (or not measured) in every period:
               zero credits, no termination right
  4 exclusive  no service level has a credit and a bonus in one period
  5 cure       a miss in period t (not a free pass; t-1 met, so no earlier
               window is open), met again inside its cure window: the service
               level's credits over the history equal those with t met
  6 termination  each trigger arises in the first period its condition holds
               by the ruleset's own definitions of met, missed and the streak
               policies, and not at all if it never holds
  7 exact      line items add up to the period totals, periods to the history,
               service level and contract year totals, to the minor unit
  8 determinism  the same JSON twice; the same JSON from the CSV rows shuffled
  9 incremental  the history cut into parts, each evaluated from the state the
               one before saved (through its JSON): the same periods and state
 10 events     one more waiver or exclusion never raises credits, nor credits
               net of earn-back (not asserted where the reference documents
               that earn-back shares credits cut by a cap, or an exclusion
               leaves a value out of a contract-year average)
Findings (not failures): no reward reachable, the largest cliff per service
level (a fine grid of values around each threshold, one step apart), the
worst period and worst contract year as a share of the fee, credits above
the fee. A counterexample is written as a wide CSV that
`slarules evaluate RULESET FILE` accepts, with an events CSV for `--events`
when it has waivers or exclusions.
"""
from __future__ import annotations

import csv
import io
import json
import random
import tempfile
from contextlib import contextmanager
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import attrs
import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
try:  # hypothesis' internals, to keep a seed's search independent of our source (_seed_alone)
    from hypothesis.internal.conjecture import providers as _providers
    from hypothesis.internal.constants_ast import Constants as _Constants
except ImportError:  # a hypothesis without source constants: nothing to hold off
    _providers = _Constants = None

from ..core.diagnostics import SlaError
from ..core.money import format_money
from ..core.source import Source
from ..engine.compile import Terms
from ..engine.evaluate import evaluate as exact_evaluate
from ..engine.history import EVENT_KINDS, Event, History, PeriodData
from ..engine.outcome import BONUS_KINDS, CREDIT_KINDS, EARN_BACK
from ..formats.files import write_atomically
from ..formats.kpi_data import EVENT_COLUMNS, parse_history
from ..formats.report import to_json

EFFORT = {"quick": 25, "normal": 100, "thorough": 400}
FEE = Decimal("10000.00")
MAX_PERIODS = 6
COUNT_HIGH = 20000
STEP = {"percent": Decimal("0.01"), "seconds": Decimal(1), "minutes": Decimal(1), "count": Decimal(1),
        "score": Decimal("0.01"), "ratio": Decimal("0.001")}
GRID = 20  # steps each side of a threshold in the cliff scan
CLIFF_SHARE = Decimal("0.10")  # a jump of 10% of the fee in one step is reported as a cliff
_UNIT_SUFFIX = {"percent": "%", "seconds": " s", "minutes": " min"}
EVENT_REASON = "generated by slarules verify"


# ---------------------------------------------------------------- report

@attrs.frozen
class CheckResult:
    name: str
    status: str  # "held" | "violated" | "finding" | "ok" | "inconclusive"
    summary: str
    details: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


@attrs.frozen
class VerifyReport:
    ruleset: str
    seed: int
    effort: str
    examples: int
    checks: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return not any(c.status == "violated" for c in self.checks)

    def check(self, name: str) -> CheckResult:
        return next(c for c in self.checks if c.name == name)

    def to_text(self) -> str:
        out = [f"verify {self.ruleset} (seed {self.seed}, effort {self.effort}: "
               f"{self.examples} histories per property)", ""]
        for c in self.checks:
            out.append(f"{c.status.upper():<12} {c.name}: {c.summary}")
            out.extend(f"             {d}" for d in c.details)
            out.extend(f"             {'events' if f.endswith('.events.csv') else 'file'}: {f}" for f in c.files)
        invariants = [c for c in self.checks if c.status in ("held", "violated", "inconclusive")]
        bad = sum(c.status == "violated" for c in invariants)
        findings = sum(c.status == "finding" for c in self.checks)
        out += ["", f"{len(invariants) - bad} of {len(invariants)} invariants held, {bad} violated; "
                    f"{findings} finding{'s' if findings != 1 else ''}"]
        if any(c.files for c in self.checks):
            out.append(f"re-run a file: slarules evaluate {self.ruleset} FILE [--events EVENTS]")
        return "\n".join(out) + "\n"


class _Violation(Exception):
    def __init__(self, message: str, histories: dict, outcomes: tuple[str, ...] = ()):
        super().__init__(message)
        self.message, self.histories, self.outcomes = message, histories, outcomes


# ---------------------------------------------------------------- the model of a ruleset

@attrs.frozen
class _Level:
    name: str
    unit: str
    higher: bool
    target: Decimal
    thresholds: tuple[Decimal, ...]
    driver: str | None
    volume: str | None
    reads: frozenset[str]
    low: Decimal
    high: Decimal
    has_award: bool
    cure: int
    free_passes: int


def _form_thresholds(award) -> list[Decimal]:
    if award is None:
        return []
    form = award.form
    if hasattr(form, "rows"):
        return [e for row in form.rows for e in (row.interval.low, row.interval.high) if e is not None]
    if hasattr(form, "threshold"):
        return [form.threshold]
    if hasattr(form, "target"):
        return [form.target]
    return []


def _versions(program: Terms) -> list[Terms]:
    """The terms as agreed, then as each amendment leaves them."""
    return [program, *(v for _, v in program.amendments)]


class _Model:
    def __init__(self, program: Terms, vary_fees: bool):
        self.program = program
        self.vary_fees = vary_fees
        self.units = {s.name: s.unit for s in program.inputs}
        self.money = [s.name for s in program.inputs if s.unit == "money"]
        versions = _versions(program)
        by_unit: dict[str, list[Decimal]] = {}
        raw = []
        for sl in program.service_levels:
            thresholds = []
            for version in versions:
                twin = next((t for t in version.service_levels if t.name == sl.name), None)
                if twin is not None:
                    thresholds += [twin.target] + _form_thresholds(twin.credit) + _form_thresholds(twin.bonus)
            thresholds = sorted({t for t in thresholds if t is not None})
            by_unit.setdefault(sl.unit, []).extend(thresholds)
            raw.append((sl, thresholds))
        self.volume_points: dict[str, list[int]] = {}
        self.levels: list[_Level] = []
        drivers_taken: set[str] = set()
        for sl, thresholds in raw:
            volume = sl.volume_input
            if volume is not None:
                self.volume_points.setdefault(volume, []).append(int(sl.volume_threshold))
            order = list(sl.measured_inputs)
            candidates = [n for n in order if order.count(n) == 1 and self.units.get(n) != "money" and n != volume]
            others = {n for other, _ in raw if other is not sl for n in other.measured_inputs}
            driver = next((n for n in candidates if n not in others and n not in drivers_taken),
                          next(iter(candidates), None))
            if driver:
                drivers_taken.add(driver)
            unit = sl.unit
            if unit == "percent":
                low, high = Decimal(0), Decimal(100)
            else:
                top = max(by_unit.get(unit) or [Decimal(1)])
                low, high = Decimal(0), max(top * 3, Decimal(1))
            self.levels.append(_Level(
                sl.name, unit, sl.higher_is_better, sl.target, tuple(thresholds), driver, volume,
                frozenset(sl.reads), low, high, sl.credit is not None or sl.bonus is not None,
                sl.cure or 0, sl.free_passes or 0))
        self.drivers = {lv.driver for lv in self.levels if lv.driver}
        self.context = [s.name for s in program.inputs if s.unit != "money" and s.name not in self.drivers]
        self.unit_high = {u: max(max(v) * 3, Decimal(60)) for u, v in by_unit.items() if v}

    # ---- values
    def context_strategy(self, name):
        unit = self.units[name]
        if unit == "count":
            points = sorted({p + d for p in self.volume_points.get(name, []) for d in (-1, 0, 1) if p + d >= 1})
            base = st.integers(1, COUNT_HIGH)
            return (st.one_of(st.sampled_from(points), base) if points else base).map(Decimal)
        if unit == "percent":
            return st.integers(0, 10000).map(lambda v: Decimal(v).scaleb(-2))
        high = self.unit_high.get(unit, Decimal(1000))
        return st.integers(1, int(high * 100)).map(lambda v: Decimal(v).scaleb(-2))

    def measure_strategy(self, lv: _Level):
        step = STEP[lv.unit]
        points = sorted({min(max(t + k * step, lv.low), lv.high) for t in lv.thresholds for k in (-1, 0, 1)}
                        | {lv.low, lv.high})
        span = int((lv.high - lv.low) / step)
        grid = st.integers(0, span).map(lambda k: lv.low + k * step)
        return st.one_of(st.sampled_from(points), grid) if points else grid

    def met_strategy(self, lv: _Level):
        step = STEP[lv.unit]
        if lv.higher:
            lo, hi = lv.target, lv.high
        else:
            lo, hi = lv.low, lv.target
        span = max(int((hi - lo) / step), 0)
        return st.integers(0, span).map(lambda k: hi - k * step if lv.higher else lo + k * step)

    def miss_strategy(self, lv: _Level, target: Decimal):
        """A value on the miss side of `target` (the value itself when the scale has none)."""
        step = STEP[lv.unit]
        lo, hi = (lv.low, target - step) if lv.higher else (target + step, lv.high)
        if hi < lo:
            return st.just(target)
        span = int((hi - lo) / step)
        return st.integers(0, span).map(lambda k: hi - k * step if lv.higher else lo + k * step)

    def event_strategy(self, n: int):
        """A waiver or exclusion: (period position, service level, "waive" | "exclude")."""
        return st.tuples(st.integers(0, n - 1), st.sampled_from([lv.name for lv in self.levels]),
                         st.sampled_from(EVENT_KINDS))

    def events_strategy(self, n: int):
        """Up to three events, at most one per service level and period."""
        if not self.levels:
            return st.just(())
        return st.lists(self.event_strategy(n), max_size=3, unique_by=lambda e: e[:2]).map(tuple)

    def fee_strategy(self):
        if not self.vary_fees:
            return st.just(FEE)
        return st.integers(100000, 10000000).map(lambda v: Decimal(v).scaleb(-2))

    def base_period(self, context: dict | None = None) -> dict[str, Decimal]:
        values = {m: FEE for m in self.money}
        for name in self.context:
            unit = self.units[name]
            if unit == "count":
                values[name] = Decimal(max([10000] + self.volume_points.get(name, [])))
            elif unit == "percent":
                values[name] = Decimal(100)
            else:
                values[name] = self.unit_high.get(unit, Decimal(1000))
        values.update(context or {})
        return values

    # ---- solving a driver for a wanted measured value
    def solve(self, lv: _Level, values: dict, wanted: Decimal, terms: Terms | None = None) -> dict:
        """Set lv's driver so that its measured value is as close to `wanted` as the input allows."""
        if lv.driver is None:
            return values
        sl = next(s for s in (terms or self.program).service_levels if s.name == lv.name)
        unit = self.units[lv.driver]

        def m(d):
            env = dict(values)
            env[lv.driver] = d
            try:
                with localcontext() as ctx:
                    ctx.prec = 40
                    return sl.measure(env)
            except (ZeroDivisionError, KeyError, ArithmeticError):
                return None
        m0, m1, m2 = m(Decimal(0)), m(Decimal(1)), m(Decimal(2))
        if None not in (m0, m1, m2) and m1 - m0 == m2 - m1 and m1 != m0:
            with localcontext() as ctx:
                ctx.prec = 40
                d = (wanted - m0) / (m1 - m0)
        else:
            lo, hi = Decimal(0), Decimal(10) ** 9
            up = (m(hi) or Decimal(0)) > (m(Decimal(1)) or Decimal(0))
            for _ in range(80):
                mid = (lo + hi) / 2
                v = m(mid)
                if v is None or (v < wanted) == up:
                    lo = mid
                else:
                    hi = mid
            d = (lo + hi) / 2
        places = Decimal(1) if unit == "count" else Decimal("0.01")
        if d <= 0:  # never -0.00, which a data file rejects as negative
            d = Decimal(0)
        if unit == "percent":
            d = min(d, Decimal(100))
        best = None
        for rounding in (ROUND_HALF_UP, ROUND_FLOOR, ROUND_CEILING):
            cand = d.quantize(places, rounding)
            if unit == "percent":
                cand = min(cand, Decimal(100))
            got = m(cand)
            if got is not None and (best is None or abs(got - wanted) < best[0]):
                best = (abs(got - wanted), cand)
        if best is not None:
            values = dict(values)
            values[lv.driver] = best[1] if unit != "count" else best[1].quantize(Decimal(1))
        return values

    def period(self, context: dict, wanted: dict[str, Decimal], terms: Terms | None = None) -> dict:
        values = dict(context)
        for lv in self.levels:
            if lv.driver is not None and lv.driver not in values:
                values[lv.driver] = Decimal(0)
        for lv in self.levels:
            if lv.name in wanted:
                values = self.solve(lv, values, wanted[lv.name], terms)
        return values

    def labels(self, n: int, offset: int = 0) -> list[str]:
        cal = self.program.calendar
        first = cal.index(cal.label_of_month(cal.start_month))
        return [cal.label(first + offset + i) for i in range(n)]

    # ---- strategies of whole histories
    def histories(self, met_only: bool = False, min_periods: int = 1):
        @st.composite
        def build(draw):
            n = draw(st.integers(min_periods, MAX_PERIODS))
            rows = []
            first = self.program.calendar.index(self.labels(1)[0])
            for i in range(n):
                terms = self.program.in_force(first + i)
                fee = draw(self.fee_strategy())
                context = {m: fee for m in self.money}
                for name in self.context:
                    context[name] = draw(self.context_strategy(name))
                wanted = {}
                for lv in self.levels:
                    if met_only:
                        twin = next(s for s in terms.service_levels if s.name == lv.name)
                        wanted[lv.name] = draw(self.met_strategy(attrs.evolve(lv, target=twin.target)))
                    else:
                        wanted[lv.name] = draw(self.measure_strategy(lv))
                rows.append(self.period(context, wanted, terms))
            return rows
        return build()

    def history(self, rows: list[dict], events=(), offset: int = 0) -> History:
        """Rows (and events by row position) as periods from the contract's start, or from
        `offset` periods after it."""
        labels = self.labels(len(rows), offset)
        return History(tuple(PeriodData(label, dict(row)) for label, row in zip(labels, rows)),
                       tuple(Event(labels[i], name, kind, EVENT_REASON) for i, name, kind in events))

    def events_csv_text(self, rows: list[dict], events) -> str:
        labels = self.labels(len(rows))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EVENT_COLUMNS)
        for i, name, kind in sorted(events):
            writer.writerow([labels[i], name, kind, EVENT_REASON])
        return out.getvalue()

    def csv_text(self, rows: list[dict], order: list[int] | None = None) -> str:
        labels = self.labels(len(rows))
        names = [s.name for s in self.program.inputs]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["period", *names])
        for i in (order if order is not None else range(len(rows))):
            writer.writerow([labels[i], *(_plain(rows[i][n]) if n in rows[i] else "" for n in names)])
        return out.getvalue()


def _plain(value: Decimal) -> str:
    return format(value, "f")


# ---------------------------------------------------------------- running properties

def _credits(outcome) -> Decimal:
    return outcome.totals.credits - outcome.totals.earned_back


def _bonuses(outcome) -> Decimal:
    return sum((line.amount for line in outcome.lines if line.kind in ("bonus", "bonus cap")), Decimal(0))


def _shares(outcome, rows) -> str:
    return (f"credits {format_money(outcome.totals.credits, outcome.digits)}, "
            f"earned back {format_money(outcome.totals.earned_back, outcome.digits)}, "
            f"bonuses {format_money(outcome.totals.bonuses, outcome.digits)}")


def _earn_back_shares_capped_credits(program: Terms) -> bool:
    """Documented (reference, earn-back): under period-wide and window caps, earn-back returns
    each service level's share of the credits charged, so a milder miss or an event on one
    service level can return less of another's. Credits net of earn-back are then not
    asserted to move one way, only credits and bonuses."""
    versions = _versions(program)
    return (any(s.earn_back for v in versions for s in v.service_levels)
            and any(v.at_risk is not None or v.window_caps for v in versions))


NET_NOT_ASSERTED = " (net of earn-back not asserted: earn-back shares credits cut by a cap)"


class _Runner:
    def __init__(self, program, model, seed, examples, out_dir, evaluate):
        self.program, self.model, self.seed, self.examples = program, model, seed, examples
        self.out_dir = out_dir
        self.evaluate = evaluate
        self.written: list[Path] = []
        self.worst_share = Decimal(0)
        self.worst_rows = None

    def settings(self):
        return settings(database=None, derandomize=False, max_examples=self.examples, deadline=None,
                        phases=[Phase.generate, Phase.target, Phase.shrink], report_multiple_bugs=False,
                        suppress_health_check=list(HealthCheck), print_blob=False,
                        verbosity=hypothesis.Verbosity.quiet)

    def run(self, name: str, title: str, strategy, body) -> CheckResult:
        @self.settings()
        @hypothesis.seed(self.seed)
        @given(strategy)
        def test(drawn):
            body(drawn)

        try:
            with _seed_alone():
                test()
        except _Violation as v:
            files = []
            for key, history in v.histories.items():
                rows, events = history if isinstance(history, tuple) else (history, ())
                stem = f"{name}{'.' + key if key else ''}"
                files.append(str(self.write(f"{stem}.csv", rows)))
                if events:
                    files.append(str(self.write(f"{stem}.events.csv", rows, events)))
            return CheckResult(name, "violated", title, (v.message, *v.outcomes), tuple(files))
        except hypothesis.errors.Unsatisfiable:
            return CheckResult(name, "inconclusive", title + " (too few valid histories generated)")
        return CheckResult(name, "held", title)

    def write(self, filename: str, rows, events=None) -> Path:
        """Write the rows as a data file, or (events given) the events file that goes with them."""
        if self.out_dir is None:
            self.out_dir = Path(tempfile.mkdtemp(prefix="slarules-verify-"))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / filename
        text = self.model.csv_text(rows) if events is None else self.model.events_csv_text(rows, events)
        write_atomically(path, text)
        self.written.append(path)
        return path

    def outcome(self, rows, what: str, events=(), state=None, offset: int = 0):
        history = (rows, tuple(events)) if events else rows
        try:
            return self.evaluate(self.program, self.model.history(rows, events, offset), state)
        except SlaError as err:
            raise _Violation(f"evaluation of a generated {what} history failed: {err}", {"": history}) from None
        except Exception as err:  # the evaluator crashed: that is a finding in itself
            raise _Violation(f"evaluation crashed: {type(err).__name__}: {err}", {"": history}) from None


@contextmanager
def _seed_alone():
    """Hypothesis also draws, now and then, numbers it finds written in the source of
    "local" modules: slarules itself when it is not installed in site-packages. Then
    what a seed finds would change with any literal in slarules' code, and differ
    between a checkout and an install; held off here, a run depends on its seed alone."""
    original = getattr(_providers, "_get_local_constants", None)
    if original is None:
        yield
        return
    _providers._get_local_constants = _Constants
    try:
        yield
    finally:
        _providers._get_local_constants = original


# ---------------------------------------------------------------- the properties

def _monotone(r: _Runner) -> CheckResult:
    model = r.model
    levels = [lv for lv in model.levels if lv.has_award]
    title = "a better value of one input in one period never raises credits nor lowers bonuses"
    if not levels:
        return CheckResult("monotone", "held", title + " (no credit or bonus clause: vacuous)")
    shares = _earn_back_shares_capped_credits(r.program)
    if shares:
        title += NET_NOT_ASSERTED

    @st.composite
    def strategy(draw):
        rows = draw(model.histories())
        p = draw(st.integers(0, len(rows) - 1))
        lv = draw(st.sampled_from(levels))
        inputs = [n for n in sorted(lv.reads) if n != lv.volume and model.units.get(n) != "money"]
        if not inputs:
            hypothesis.assume(False)
        name = draw(st.sampled_from(inputs))
        changed = [dict(row) for row in rows]
        if name == lv.driver:
            changed[p] = model.solve(lv, changed[p], draw(model.measure_strategy(lv)))
        else:
            changed[p][name] = draw(model.context_strategy(name))
        hypothesis.assume(changed[p][name] != rows[p][name])
        return rows, changed, p, name

    first = r.program.calendar.index(model.labels(1)[0])

    def body(drawn):
        rows, changed, p, name = drawn
        terms = r.program.in_force(first + p)
        a_better = b_better = False
        moved = []  # (service level, its value with rows, with changed)
        for sl in terms.service_levels:
            if name not in sl.reads:
                continue
            if sl.counted is not None and sl.counted(rows[p]) != sl.counted(changed[p]):
                hypothesis.assume(False)
            try:
                va, vb = sl.measure(rows[p]), sl.measure(changed[p])
            except (ZeroDivisionError, ArithmeticError):
                hypothesis.assume(False)
            lv = next(x for x in model.levels if x.name == sl.name)
            if va == vb:
                continue
            moved.append((lv, va, vb))
            if (vb > va) == lv.higher:
                b_better = True
            else:
                a_better = True
        hypothesis.assume(a_better != b_better)
        worse, better = (changed, rows) if a_better else (rows, changed)
        ow, ob = r.outcome(worse, "worse"), r.outcome(better, "better")
        problems = []
        if ob.totals.credits > ow.totals.credits:
            problems.append(f"credits rose from {ow.totals.credits} to {ob.totals.credits}")
        elif not shares and _credits(ob) > _credits(ow):
            problems.append(f"credits net of earn-back rose from {_credits(ow)} to {_credits(ob)}")
        if _bonuses(ob) < _bonuses(ow):
            problems.append(f"bonuses fell from {_bonuses(ow)} to {_bonuses(ob)}")
        if problems:
            label = model.labels(len(rows))[p]
            values = ", ".join(f"{lv.name} {_fmt(vb if a_better else va, lv.unit)} -> "
                               f"{_fmt(va if a_better else vb, lv.unit)}" for lv, va, vb in moved)
            raise _Violation(
                f"in {label}, {name} {worse[p][name]} -> {better[p][name]} ({values}) is better, but "
                + " and ".join(problems),
                {"worse": worse, "better": better},
                (f"worse:  {_shares(ow, worse)}", f"better: {_shares(ob, better)}"))

    return r.run("monotone", title, strategy(), body)


def _bounded(r: _Runner) -> CheckResult:
    model, program = r.model, r.program
    title = "period credits never exceed the amount at risk or a window cap; nothing is negative"
    first = program.calendar.index(model.labels(1)[0])

    def body(rows):
        outcome = r.outcome(rows, "")
        fee_names = model.money
        top = Decimal(0)
        for i, (p, row) in enumerate(zip(outcome.periods, rows)):
            terms = program.in_force(first + i)
            fee = row[fee_names[0]] if fee_names else None
            if fee:
                share = p.totals.credits / fee
                top = max(top, share)
                if share > r.worst_share:
                    r.worst_share, r.worst_rows = share, [dict(x) for x in rows[: i + 1]]
            problems = [f"{line.kind} line of {line.service_level or 'the period'} is {line.amount}"
                        for line in p.lines
                        if (line.kind in ("credit", "bonus") and line.amount < 0)
                        or (line.kind not in ("credit", "bonus") and line.amount > 0)]
            for figure in ("credits", "earned_back", "bonuses", "due_to_client", "due_to_vendor"):
                if getattr(p.totals, figure) < 0:
                    problems.append(f"{figure} is {getattr(p.totals, figure)}")
            if terms.at_risk is not None:
                limit = terms.at_risk.amount.value(dict(row))
                if p.totals.credits > limit:
                    problems.append(f"credits {p.totals.credits} exceed the amount at risk {limit}")
            for rule in terms.window_caps:
                if rule.length is None:
                    members = [j for j in range(i + 1) if outcome.periods[j].contract_year == p.contract_year]
                else:
                    members = list(range(max(0, i - rule.length + 1), i + 1))
                spent = sum((outcome.periods[j].totals.credits for j in members), Decimal(0))
                limit = rule.limit([rows[j].get(rule.base, Decimal(0)) for j in members] if rule.base else [])
                if spent > limit:
                    problems.append(f"credits {spent} over {rule.text} exceed {limit}")
            if problems:
                raise _Violation(f"in {p.period}: " + "; ".join(problems), {"": rows},
                                 (f"outcome: {_shares(outcome, rows)}",))
        hypothesis.target(float(top), label="credits as a share of the fee")

    return r.run("bounded", title, model.histories(), body)


def _all_met(r: _Runner) -> CheckResult:
    title = "every target met in every period: zero credits and no termination right"

    def body(rows):
        first = r.program.calendar.index(r.model.labels(1)[0])
        for i, row in enumerate(rows):  # met as the ruleset defines it, not as the evaluator says
            for sl in r.program.in_force(first + i).service_levels:
                try:
                    hypothesis.assume((sl.counted is not None and not sl.counted(row)) or sl.met(sl.measure(row)))
                except ArithmeticError:
                    hypothesis.assume(False)
        outcome = r.outcome(rows, "all-met")
        problems = []
        if outcome.totals.credits:
            problems.append(f"credits {outcome.totals.credits}")
        if outcome.terminations:
            t = outcome.terminations[0]
            problems.append(f"a termination right in {t.period} ({t.trigger})")
        if problems:
            raise _Violation("all targets met, but " + " and ".join(problems), {"": rows},
                             (f"outcome: {_shares(outcome, rows)}",))

    return r.run("all-met", title, r.model.histories(met_only=True), body)


def _exclusive(r: _Runner) -> CheckResult:
    title = "no service level earns a credit and a bonus in one period"

    def body(rows):
        outcome = r.outcome(rows, "")
        for p in outcome.periods:
            kinds: dict[str, set] = {}
            for line in p.lines:
                if line.service_level and line.amount > 0:
                    kinds.setdefault(line.service_level, set()).add(line.kind)
            for name, got in kinds.items():
                if "credit" in got and "bonus" in got:
                    raise _Violation(f"{name} has a credit and a bonus in {p.period}", {"": rows},
                                     (f"outcome: {_shares(outcome, rows)}",))

    return r.run("exclusive", title, r.model.histories(), body)


def _exact(r: _Runner) -> CheckResult:
    title = "line items add up to period totals, periods to the history, to the minor unit"
    digits = r.program.rounding.digits

    def body(rows):
        outcome = r.outcome(rows, "")
        problems = []
        quantum = Decimal(1).scaleb(-digits)
        for p in outcome.periods:
            for line in p.lines:
                if line.amount != line.amount.quantize(quantum):
                    problems.append(f"{p.period} {line.kind} {line.amount} is not rounded to {quantum}")
            sums = {
                "credits": sum((ln.amount for ln in p.lines if ln.kind in CREDIT_KINDS), Decimal(0)),
                "earned_back": -sum((ln.amount for ln in p.lines if ln.kind == EARN_BACK), Decimal(0)),
                "bonuses": sum((ln.amount for ln in p.lines if ln.kind in BONUS_KINDS), Decimal(0)),
            }
            for figure, total in sums.items():
                if total != getattr(p.totals, figure):
                    problems.append(f"{p.period}: {figure} lines add up to {total}, totals say {getattr(p.totals, figure)}")
        for figure in ("credits", "earned_back", "bonuses", "due_to_client", "due_to_vendor"):
            whole = sum((getattr(p.totals, figure) for p in outcome.periods), Decimal(0))
            years = sum((getattr(y.totals, figure) for y in outcome.by_contract_year), Decimal(0))
            if not whole == years == getattr(outcome.totals, figure):
                problems.append(f"{figure}: periods {whole}, years {years}, history {getattr(outcome.totals, figure)}")
        own = sum((s.credits for s in outcome.by_service_level), Decimal(0))
        wide = sum((ln.amount for ln in outcome.lines if ln.service_level is None and ln.kind in CREDIT_KINDS), Decimal(0))
        if own + wide != outcome.totals.credits:
            problems.append(f"service level credits {own} + period caps {wide} != credits {outcome.totals.credits}")
        if problems:
            raise _Violation("; ".join(problems[:3]), {"": rows}, (f"outcome: {_shares(outcome, rows)}",))

    return r.run("exact", title, r.model.histories(), body)


def _deterministic(r: _Runner) -> CheckResult:
    title = "same ruleset and data give the same bytes; row order does not matter"
    model = r.model

    @st.composite
    def strategy(draw):
        rows = draw(model.histories())
        return rows, draw(st.permutations(range(len(rows))))

    def body(drawn):
        rows, order = drawn
        first = to_json(r.outcome(rows, ""))
        again = to_json(r.outcome(rows, ""))
        if first != again:
            raise _Violation("two evaluations of the same history differ", {"": rows})
        shuffled = model.csv_text(rows, list(order))
        try:
            history = parse_history(r.program, Source("shuffled.csv", shuffled))
            third = to_json(r.evaluate(r.program, history))
        except SlaError as err:
            raise _Violation(f"the shuffled CSV was rejected: {err}", {"": rows}) from None
        if third != first:
            raise _Violation(f"rows in the order {list(order)} give another outcome", {"": rows})

    return r.run("deterministic", title, strategy(), body)


# ---------------------------------------------------------------- terms that span periods

def _twin(terms: Terms, name: str):
    return next((s for s in terms.service_levels if s.name == name), None)


def _raw_status(sl, row: dict, event: str | None) -> str:
    """A service level's status in one period as the ruleset defines it, before cures and
    free passes: "excluded", "not measured", "met", "waived" or "missed"."""
    if event == "exclude":
        return "excluded"
    if sl.counted is not None and not sl.counted(row):
        return "not measured"
    try:
        value = sl.measure(row)
    except ArithmeticError:
        hypothesis.assume(False)
    if sl.met(value):
        return "met"
    return "waived" if event == "waive" else "missed"


def _sl_credits(outcome, name: str) -> Decimal:
    return sum((line.amount for line in outcome.lines if line.service_level == name and line.kind in CREDIT_KINDS),
               Decimal(0))


def _cure(r: _Runner) -> CheckResult:
    model, program = r.model, r.program
    title = "a miss followed by a met period inside its cure window costs nothing"
    first = program.calendar.index(model.labels(1)[0])
    versions = _versions(program)
    levels = [lv for lv in model.levels if lv.driver is not None
              and any((t := _twin(v, lv.name)) is not None and t.cure and t.credit is not None for v in versions)]
    if not levels:
        return CheckResult("cure", "held", title + " (no cure window: vacuous)")

    @st.composite
    def strategy(draw):
        """A miss in period t, met again in period u of its window; period t - 1 met, so no
        earlier window is still open in t. The other draw has t met as well."""
        rows = draw(model.histories(min_periods=2))
        lv = draw(st.sampled_from(levels))
        t = draw(st.integers(0, len(rows) - 2))
        terms = program.in_force(first + t)
        sl = _twin(terms, lv.name)
        hypothesis.assume(sl is not None and sl.cure and sl.credit is not None)
        u = draw(st.integers(t + 1, min(t + sl.cure, len(rows) - 1)))
        for k, wanted in ((t - 1, draw(model.met_strategy(attrs.evolve(lv, target=sl.target)))),
                          (t, draw(model.miss_strategy(lv, sl.target))),
                          (u, draw(model.met_strategy(attrs.evolve(lv, target=_twin(program.in_force(first + u),
                                                                                    lv.name).target))))):
            if k >= 0:
                rows[k] = model.solve(lv, rows[k], wanted, program.in_force(first + k))
        met = [dict(row) for row in rows]
        met[t] = model.solve(lv, met[t], draw(model.met_strategy(attrs.evolve(lv, target=sl.target))), terms)
        return lv.name, t, u, rows, met

    def body(drawn):
        name, t, u, rows, met = drawn
        terms_at = [program.in_force(first + k) for k in range(len(rows))]
        status = [_raw_status(_twin(terms_at[k], name), rows[k], None) for k in range(len(rows))]
        hypothesis.assume(status[t] == "missed" and status[u] == "met" and (t == 0 or status[t - 1] == "met"))
        hypothesis.assume(_raw_status(_twin(terms_at[t], name), met[t], None) == "met")
        sl = _twin(terms_at[t], name)
        if sl.free_passes:  # a miss that takes a free pass is a warning, not a cure window
            year = program.calendar.contract_year_of(first + t)
            misses = sum(1 for k in range(t + 1) if status[k] == "missed"
                         and program.calendar.contract_year_of(first + k) == year)
            hypothesis.assume(misses > sl.free_passes)
        missed, cured = r.outcome(rows, "missed"), r.outcome(met, "met")
        if _sl_credits(missed, name) != _sl_credits(cured, name):
            labels = model.labels(len(rows))
            raise _Violation(
                f"{name} missed in {labels[t]} and met in {labels[u]}, inside its cure window of "
                f"{sl.cure} periods, yet its credits are {_sl_credits(missed, name)} against "
                f"{_sl_credits(cured, name)} with {labels[t]} met",
                {"missed": rows, "met": met},
                (f"missed: {_shares(missed, rows)}", f"met:    {_shares(cured, met)}"))

    return r.run("cure", title, strategy(), body)


def _counts_as_miss(program: Terms, status: str) -> bool | None:
    """Toward a streak: True a miss, False breaks the streak, None skipped (the contract's
    policies on waived misses and excluded periods)."""
    if status == "missed":
        return True
    if status == "waived":
        return True if program.waived_misses_count else None
    if status == "excluded":
        return False if program.excluded_periods_break_streaks else None
    return None if status == "not measured" else False


def _first_fire(r: _Runner, rule, rows, statuses, outcome, first: int) -> int | None:
    """The first period (position) in which the trigger's condition holds, from the
    statuses the ruleset defines; only the "credits" trigger reads the evaluated credits."""
    program = r.program
    calendar = program.calendar
    quantum, mode = program.rounding.quantum, program.rounding.decimal_mode
    miss = [_counts_as_miss(program, s.get(rule.service_level, "not measured")) for s in statuses]
    for t in range(len(rows)):
        if rule.kind == "in a row":
            run = 0
            for m in miss[:t + 1]:
                run = run + 1 if m else (0 if m is False else run)
            fired = run >= rule.count
        elif rule.kind == "in window":
            fired = sum(1 for m in miss[max(0, t - rule.length + 1):t + 1] if m) >= rule.count
        elif rule.kind == "floor":
            sl = _twin(program.in_force(first + t), rule.service_level)
            fired = (statuses[t][rule.service_level] in ("met", "missed")
                     or statuses[t][rule.service_level] == "waived" and program.waived_misses_count) \
                and rule.floor(sl.measure(rows[t]))
        elif rule.kind == "credits":
            window = rule.window
            if window.length is None:
                members = [k for k in range(t + 1)
                           if calendar.contract_year_of(first + k) == calendar.contract_year_of(first + t)]
            else:
                members = list(range(max(0, t - window.length + 1), t + 1))
            spent = sum((outcome.periods[k].totals.credits for k in members), Decimal(0))
            bases = [rows[k].get(window.base, Decimal(0)) for k in members] if window.base else []
            fired = spent > window.limit(bases).quantize(quantum, mode)
        else:
            fired = sum(1 for s in statuses[t].values() if _counts_as_miss(program, s)) >= rule.count
        if fired:
            return t
    return None


def _termination(r: _Runner) -> CheckResult:
    model, program = r.model, r.program
    title = "a termination right arises exactly when its condition first holds, never earlier"
    if not program.triggers:
        return CheckResult("termination", "held", title + " (no termination trigger: vacuous)")
    first = program.calendar.index(model.labels(1)[0])

    @st.composite
    def strategy(draw):
        rows = draw(model.histories())
        return rows, draw(model.events_strategy(len(rows)))

    def body(drawn):
        rows, events = drawn
        by_event = {(i, name): kind for i, name, kind in events}
        statuses = [{sl.name: _raw_status(sl, row, by_event.get((k, sl.name)))
                     for sl in program.in_force(first + k).service_levels} for k, row in enumerate(rows)]
        outcome = r.outcome(rows, "", events)
        labels = model.labels(len(rows))
        got = {right.trigger: right.period for right in outcome.terminations}
        for rule in program.triggers:
            expected = _first_fire(r, rule, rows, statuses, outcome, first)
            want = labels[expected] if expected is not None else None
            if got.get(rule.text) != want:
                said = f"arises in {got[rule.text]}" if rule.text in got else "never arises"
                holds = f"first holds in {want}" if want else "never holds"
                raise _Violation(f"'{rule.text}' {said}, but its condition {holds}", {"": (rows, events)},
                                 (f"outcome: {_shares(outcome, rows)}",))

    return r.run("termination", title, strategy(), body)


def _incremental(r: _Runner) -> CheckResult:
    model, program = r.model, r.program
    title = "period by period with a saved state gives the same outcome as the whole history at once"

    @st.composite
    def strategy(draw):
        rows = draw(model.histories(min_periods=2))
        cuts = draw(st.lists(st.integers(1, len(rows) - 1), min_size=1, max_size=3, unique=True))
        return rows, draw(model.events_strategy(len(rows))), sorted(cuts)

    def body(drawn):
        rows, events, cuts = drawn
        batch = r.outcome(rows, "", events)
        labels = model.labels(len(rows))
        periods, state = [], None
        for a, b in zip([0, *cuts], [*cuts, len(rows)]):
            part = [(i - a, name, kind) for i, name, kind in events if a <= i < b]
            step = r.outcome(rows[a:b], "", part, state, offset=a)
            try:
                state = program.load_state(step.state_json())
            except SlaError as err:
                raise _Violation(f"the state saved after {labels[b - 1]} cannot be read back: {err}",
                                 {"": (rows, events)}) from None
            periods += json.loads(to_json(step))["periods"]
        parts = ", ".join(f"{labels[a]}..{labels[b - 1]}" for a, b in zip([0, *cuts], [*cuts, len(rows)]))
        whole = json.loads(to_json(batch))["periods"]
        differ = next((labels[k] for k, (p, q) in enumerate(zip(periods, whole)) if p != q), None)
        if differ is not None:
            raise _Violation(f"evaluated as {parts}, each continuing from the state the one before saved, "
                             f"{differ} differs from the whole history evaluated at once", {"": (rows, events)})
        if state.to_json() != batch.state_json():
            raise _Violation(f"evaluated as {parts}, the state saved at the end differs from the whole "
                             "history's", {"": (rows, events)})

    return r.run("incremental", title, strategy(), body)


def _events(r: _Runner) -> CheckResult:
    model, program = r.model, r.program
    title = "a waiver or an exclusion never raises the credits the vendor owes"
    if not model.levels:
        return CheckResult("events", "held", title + " (no service level: vacuous)")
    shares = _earn_back_shares_capped_credits(program)
    # Documented too: the contract-year average leaves an excluded value out, which can
    # withhold a year-end earn-back; there an exclusion is asserted on credits only.
    averages = {s.name for v in _versions(program) for s in v.service_levels
                if s.earn_back and s.earn_back.after is None}
    if shares:
        title += NET_NOT_ASSERTED

    @st.composite
    def strategy(draw):
        rows = draw(model.histories())
        events = draw(model.events_strategy(len(rows)))
        extra = draw(model.event_strategy(len(rows)))
        hypothesis.assume(extra[:2] not in {e[:2] for e in events})
        return rows, events, extra

    def body(drawn):
        rows, events, extra = drawn
        before, after = r.outcome(rows, "", events), r.outcome(rows, "", (*events, extra))
        problems = []
        if after.totals.credits > before.totals.credits:
            problems.append(f"credits rose from {before.totals.credits} to {after.totals.credits}")
        if not shares and not (extra[2] == "exclude" and extra[1] in averages) and _credits(after) > _credits(before):
            problems.append(f"credits net of earn-back rose from {_credits(before)} to {_credits(after)}")
        if problems:
            label = model.labels(len(rows))[extra[0]]
            verb = "waiving" if extra[2] == "waive" else "excluding"
            raise _Violation(f"{verb} {extra[1]} in {label}: " + " and ".join(problems),
                             {"without": (rows, events), "with": (rows, (*events, extra))},
                             (f"without: {_shares(before, rows)}", f"with:    {_shares(after, rows)}"))

    return r.run("events", title, strategy(), body)


# ---------------------------------------------------------------- findings

def _net(outcome) -> Decimal:
    return outcome.totals.credits - outcome.totals.earned_back - outcome.totals.bonuses


def _best(lv: _Level) -> Decimal:
    return lv.high if lv.higher else lv.low


def _worst(lv: _Level) -> Decimal:
    return lv.low if lv.higher else lv.high


def _fmt(value: Decimal, unit: str) -> str:
    value = value.quantize(Decimal("0.0001")) if value.as_tuple().exponent < -4 else value
    return f"{value.normalize():f}{_UNIT_SUFFIX.get(unit, ' ' + unit)}"


def _reward(r: _Runner) -> CheckResult:
    model, program = r.model, r.program
    with_bonus = [sl.name for sl in program.service_levels if sl.bonus is not None]
    if not with_bonus or (program.bonus_limit is not None
                          and not program.bonus_limit.amount.value(model.base_period())):
        return CheckResult("reward", "finding", "no reward exists: the best the vendor can achieve is zero",
                           ("no service level has a bonus clause" if not with_bonus else "the bonus limit is zero",))
    rows = [model.period(model.base_period(), {lv.name: _best(lv) for lv in model.levels})]
    outcome = r.evaluate(program, model.history(rows))
    if outcome.totals.bonuses > 0:
        return CheckResult("reward", "ok", f"a reward is reachable: {format_money(outcome.totals.bonuses, outcome.digits)}"
                           f" in a period with every service level at its best ({', '.join(with_bonus)})")
    return CheckResult("reward", "finding", "no reward is reachable: a period with every service level at its best "
                       "earns no bonus", files=(str(r.write("reward.csv", rows)),))


def _scan_rows(model: _Model, lv: _Level, value: Decimal, base: dict) -> list[dict]:
    good = {x.name: _best(x) for x in model.levels}
    rows = []
    for _ in range(lv.free_passes):  # misses that are only warnings come first
        rows.append(model.period(base, {**good, lv.name: _worst(lv)}))
    for _ in range(1 + lv.cure):  # a miss in cure falls due when the window closes unmet
        rows.append(model.period(base, {**good, lv.name: value}))
    return rows


def _cliffs(r: _Runner) -> list[CheckResult]:
    model, program = r.model, r.program
    base = model.base_period()
    fee = base[model.money[0]] if model.money else None
    results = []
    for lv in model.levels:
        if not lv.has_award or lv.driver is None:
            continue
        step = STEP[lv.unit]
        values = sorted({min(max(t + k * step, lv.low), lv.high) for t in lv.thresholds for k in range(-GRID, GRID + 1)})
        money = []
        for value in values:
            rows = _scan_rows(model, lv, value, base)
            sl = next(s for s in program.service_levels if s.name == lv.name)
            actual = sl.measure(rows[-1])
            outcome = r.evaluate(program, model.history(rows))
            money.append((actual, _net(outcome), rows))
        best = None
        for (va, ma, ra), (vb, mb, rb) in zip(money, money[1:]):
            if vb - va > step * Decimal("1.5") or va == vb:
                continue  # not neighbours on the grid (two thresholds far apart)
            jump = abs(mb - ma)
            if best is None or jump > best[0]:
                best = (jump, va, vb, ma, mb, ra, rb)
        if best is None or not best[0]:
            continue
        jump, va, vb, ma, mb, ra, rb = best
        share = f" ({_pct(jump / fee)} of the fee)" if fee else ""
        digits = program.rounding.digits
        detail = (f"{lv.name} {_fmt(va, lv.unit)} -> {_fmt(vb, lv.unit)} (one step of {_fmt(step, lv.unit)}) "
                  f"moves {format_money(jump, digits)}{share}: net owed {format_money(ma, digits)} -> {format_money(mb, digits)}")
        big = fee is not None and jump / fee >= CLIFF_SHARE
        files = ()
        if big:
            n = len(ra)
            files = (str(r.write(f"cliff.{lv.name}.csv", ra + rb)),)
            detail += (f"; the file holds both: periods 1-{n} at {_fmt(va, lv.unit)}, "
                       f"{n + 1}-{2 * n} at {_fmt(vb, lv.unit)}" if n > 1 else
                       "; the file holds both, one period each")
        results.append(CheckResult(f"cliff {lv.name}", "finding" if big else "ok",
                                   ("a cliff: " if big else "largest step: ") + detail, files=files))
    return results


def _pct(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.01')).normalize():f}%"


def _exposure(r: _Runner) -> list[CheckResult]:
    """The worst period and contract year as a share of the fee: a contract year with every
    service level at its worst value (so credits held in cure windows fall due too), or the
    worst period the bounded search met, whichever is higher."""
    model, program = r.model, r.program
    if not model.money:
        return [CheckResult("exposure", "ok", "no money input: exposure not measured")]
    fee_name = model.money[0]
    base = model.base_period()
    worst_values = ", ".join(f"{lv.name} {_fmt(_worst(lv), lv.unit)}" for lv in model.levels)
    per_year = {"monthly": 12, "quarterly": 4}.get(program.calendar.periodicity, 1)
    year_rows = [model.period(base, {lv.name: _worst(lv) for lv in model.levels})] * per_year
    year = r.evaluate(program, model.history(year_rows))
    shares = [p.totals.credits / FEE for p in year.periods]
    top = shares.index(max(shares))
    period_share, period_rows = shares[top], year_rows[:top + 1]
    in_a_row = f", {top + 1} periods in a row" if top else ""
    source, example = "every service level at the worst value searched" + in_a_row, worst_values + in_a_row
    if r.worst_share > period_share:
        period_share, period_rows = r.worst_share, r.worst_rows
        source, example = "found by search", f"period {len(period_rows)} of the file"
    cap = (f"the amount at risk caps it at {_pct(program.at_risk.amount.value(base) / FEE)} of {fee_name}"
           if program.at_risk is not None else
           f"no amount at risk caps it: it grows with the worst value searched ({worst_values})")
    year_share = year.totals.credits / (FEE * per_year)
    if r.worst_rows is not None:  # the search's worst period, all year long
        searched = r.evaluate(program, model.history([r.worst_rows[-1]] * per_year))
        year_share = max(year_share, searched.totals.credits / (r.worst_rows[-1][fee_name] * per_year))
    results = [CheckResult("exposure", "ok",
                           f"worst period {_pct(period_share)} of {fee_name} ({source}); {cap}; "
                           f"worst contract year {_pct(year_share)} of the year's {fee_name}")]
    if period_share > 1:
        credits = r.evaluate(program, model.history(period_rows)).periods[-1].totals.credits
        results.append(CheckResult(
            "exposure above the fee", "finding",
            f"credits in one period can reach {_pct(period_share)} of {fee_name}",
            (f"e.g. {example}: credits {format_money(credits, program.rounding.digits)} on a fee of "
             f"{format_money(period_rows[-1][fee_name], program.rounding.digits)}",),
            (str(r.write("exposure.csv", period_rows)),)))
    return results


# ---------------------------------------------------------------- entry point

INVARIANTS = {"monotone": _monotone, "bounded": _bounded, "all-met": _all_met, "exclusive": _exclusive,
              "exact": _exact, "deterministic": _deterministic, "cure": _cure, "termination": _termination,
              "incremental": _incremental, "events": _events}
FINDINGS = {"reward": lambda r: [_reward(r)], "cliff": _cliffs, "exposure": _exposure}


def verify(program: Terms, seed: int = 0, effort: str = "normal", out_dir: Path | None = None,
           *, vary_fees: bool = False, evaluate=None, only=None) -> VerifyReport:
    """Run the fairness invariants and findings against `program`.

    `out_dir` receives the counterexample CSVs (a new temporary directory when
    None, made only if there is something to write). `only` names the invariants
    and findings to run (keys of INVARIANTS and FINDINGS; all when None).
    `evaluate(program, history, state)` replaces the evaluator (tests use it to
    prove the property machinery finds a broken one)."""
    if effort not in EFFORT:
        raise ValueError(f"effort is one of {', '.join(EFFORT)}, not {effort!r}")
    unknown = sorted(set(only or ()) - INVARIANTS.keys() - FINDINGS.keys())
    if unknown:
        raise ValueError(f"no check named {unknown[0]!r}; the checks are {', '.join([*INVARIANTS, *FINDINGS])}")
    random.seed(seed)
    model = _Model(program, vary_fees)
    runner = _Runner(program, model, seed, EFFORT[effort], Path(out_dir) if out_dir is not None else None,
                     evaluate or exact_evaluate)
    checks = [check(runner) for name, check in INVARIANTS.items() if only is None or name in only]
    for name, finder in FINDINGS.items():
        if only is not None and name not in only:
            continue
        try:
            checks.extend(finder(runner))
        except Exception as err:  # a finding that cannot be computed must not hide the invariants
            checks.append(CheckResult(name, "inconclusive", f"could not compute: {type(err).__name__}: {err}"))
    return VerifyReport(program.path, seed, effort, EFFORT[effort], tuple(checks))
