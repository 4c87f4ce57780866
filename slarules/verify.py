"""`slarules verify`: the fairness invariants, run against one user's ruleset.

Input: a compiled Program (its `path` is re-read, when it can be, to learn
which input of a derived measurement drives it), a seed, an effort
("quick" | "normal" | "thorough": how many generated histories per property)
and a directory for counterexample files. Output: a VerifyReport whose
`.ok` is False when an invariant is violated and whose `to_text()` lists every
check as held, violated or a finding, with the counterexamples' paths. The
same program, seed and effort give the same report (hypothesis runs with
`database=None` and an explicit seed). Nothing here raises on a bad ruleset
or a violated property: a crash of the evaluator on generated data is itself
reported as a violation.

Histories are generated in the ruleset's own inputs and units: money inputs
held at a constant fee (10,000.00, or varied 1,000..100,000 with
`vary_fees=True`); counts 1..20,000 (around each minimum-volume threshold
too); each service level's measured value is drawn (percent 0..100; seconds,
minutes, scores 0..a few times the largest threshold in the ruleset, with
extra weight on every threshold and its neighbours) and its driving input
solved for it (`answered_in_20s` for `answered_in_20s / calls_offered`).

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
  7 exact      line items add up to the period totals, periods to the history,
               service level and contract year totals, to the minor unit
  8 determinism  the same JSON twice; the same JSON from the CSV rows shuffled
Findings (not failures): no reward reachable, the largest cliff per service
level (a fine grid of values around each threshold, one step apart), the
worst period and worst contract year as a share of the fee, credits above
the fee. A counterexample is written as a wide CSV that
`slarules evaluate RULESET FILE` accepts.
"""
from __future__ import annotations

import csv
import io
import random
import tempfile
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import attrs
import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .compile import Program
from .data import parse_history, History, PeriodData
from .diagnostics import SlaError
from .money import format_money
from .outcome import BONUS_KINDS, CREDIT_KINDS, EARN_BACK
from .source import Source

EFFORT = {"quick": 25, "normal": 100, "thorough": 400}
FEE = Decimal("10000.00")
MAX_PERIODS = 6
COUNT_HIGH = 20000
STEP = {"percent": Decimal("0.01"), "seconds": Decimal(1), "minutes": Decimal(1), "count": Decimal(1),
        "score": Decimal("0.01"), "ratio": Decimal("0.001")}
GRID = 20  # steps each side of a threshold in the cliff scan
CLIFF_SHARE = Decimal("0.10")  # a jump of 10% of the fee in one step is reported as a cliff
_UNIT_SUFFIX = {"percent": "%", "seconds": " s", "minutes": " min"}


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
            out.extend(f"             file: {f}" for f in c.files)
        invariants = [c for c in self.checks if c.status in ("held", "violated", "inconclusive")]
        bad = sum(c.status == "violated" for c in invariants)
        findings = sum(c.status == "finding" for c in self.checks)
        out += ["", f"{len(invariants) - bad} of {len(invariants)} invariants held, {bad} violated; "
                    f"{findings} finding{'s' if findings != 1 else ''}"]
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


class _Model:
    def __init__(self, program: Program, vary_fees: bool):
        self.program = program
        self.vary_fees = vary_fees
        self.units = {s.name: s.unit for s in program.inputs}
        self.money = [s.name for s in program.inputs if s.unit == "money"]
        versions = [program, *(v for _, v in program.amendments)]
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
    def solve(self, lv: _Level, values: dict, wanted: Decimal, terms: Program | None = None) -> dict:
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
        d = max(d, Decimal(0))
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

    def period(self, context: dict, wanted: dict[str, Decimal], terms: Program | None = None) -> dict:
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
    def histories(self, met_only: bool = False):
        @st.composite
        def build(draw):
            n = draw(st.integers(1, MAX_PERIODS))
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

    def history(self, rows: list[dict]) -> History:
        labels = self.labels(len(rows))
        return History(tuple(PeriodData(label, dict(row)) for label, row in zip(labels, rows)))

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

def _evaluate(program, history):
    return program.evaluate(history)


def _credits(outcome) -> Decimal:
    return outcome.totals.credits - outcome.totals.earned_back


def _bonuses(outcome) -> Decimal:
    return sum((line.amount for line in outcome.lines if line.kind in ("bonus", "bonus cap")), Decimal(0))


def _shares(outcome, rows) -> str:
    return (f"credits {format_money(outcome.totals.credits, outcome.digits)}, "
            f"earned back {format_money(outcome.totals.earned_back, outcome.digits)}, "
            f"bonuses {format_money(outcome.totals.bonuses, outcome.digits)}")


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
            test()
        except _Violation as v:
            files = tuple(str(self.write(f"{name}{'.' + key if key else ''}.csv", rows))
                          for key, rows in v.histories.items())
            return CheckResult(name, "violated", title, (v.message, *v.outcomes), files)
        except hypothesis.errors.Unsatisfiable:
            return CheckResult(name, "inconclusive", title + " (too few valid histories generated)")
        return CheckResult(name, "held", title)

    def write(self, filename: str, rows) -> Path:
        if self.out_dir is None:
            self.out_dir = Path(tempfile.mkdtemp(prefix="slarules-verify-"))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / filename
        path.write_text(self.model.csv_text(rows), encoding="utf-8")
        self.written.append(path)
        return path

    def outcome(self, rows, what: str):
        try:
            return self.evaluate(self.program, self.model.history(rows))
        except SlaError as err:
            raise _Violation(f"evaluation of a generated {what} history failed: {err}", {"": rows}) from None
        except Exception as err:  # the evaluator crashed: that is a finding in itself
            raise _Violation(f"evaluation crashed: {type(err).__name__}: {err}", {"": rows}) from None


# ---------------------------------------------------------------- the properties

def _monotone(r: _Runner) -> CheckResult:
    model = r.model
    levels = [lv for lv in model.levels if lv.has_award]
    title = "a better value of one input in one period never raises credits nor lowers bonuses"
    if not levels:
        return CheckResult("monotone", "held", title + " (no credit or bonus clause: vacuous)")

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
            if (vb > va) == lv.higher:
                b_better = True
            else:
                a_better = True
        hypothesis.assume(a_better != b_better)
        worse, better = (changed, rows) if a_better else (rows, changed)
        ow, ob = r.outcome(worse, "worse"), r.outcome(better, "better")
        problems = []
        if _credits(ob) > _credits(ow):
            problems.append(f"credits rose from {_credits(ow)} to {_credits(ob)}")
        if _bonuses(ob) < _bonuses(ow):
            problems.append(f"bonuses fell from {_bonuses(ow)} to {_bonuses(ob)}")
        if problems:
            label = model.labels(len(rows))[p]
            raise _Violation(
                f"in {label}, {name} {worse[p][name]} -> {better[p][name]} is better, but "
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
        first = r.outcome(rows, "").to_json()
        again = r.outcome(rows, "").to_json()
        if first != again:
            raise _Violation("two evaluations of the same history differ", {"": rows})
        shuffled = model.csv_text(rows, list(order))
        try:
            history = parse_history(r.program, Source("shuffled.csv", shuffled))
            third = r.evaluate(r.program, history).to_json()
        except SlaError as err:
            raise _Violation(f"the shuffled CSV was rejected: {err}", {"": rows}) from None
        if third != first:
            raise _Violation(f"rows in the order {list(order)} give another outcome", {"": rows})

    return r.run("deterministic", title, strategy(), body)


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
    model, program = r.model, r.program
    if not model.money:
        return [CheckResult("exposure", "ok", "no money input: exposure not measured")]
    fee_name = model.money[0]
    base = model.base_period()
    worst_rows = [model.period(base, {lv.name: _worst(lv) for lv in model.levels})]
    outcome = r.evaluate(program, model.history(worst_rows))
    period_share = outcome.periods[0].totals.credits / FEE
    source = "every service level at the worst value searched"
    if r.worst_share > period_share:
        period_share, source = r.worst_share, "found by search"
    cap = (f"the amount at risk caps it at {_pct(program.at_risk.amount.value(base) / FEE)} of {fee_name}"
           if program.at_risk is not None else
           "no amount at risk caps it: it grows with the worst value searched ("
           + ", ".join(f"{lv.name} {_fmt(_worst(lv), lv.unit)}" for lv in model.levels) + ")")
    per_year = {"monthly": 12, "quarterly": 4}.get(program.calendar.periodicity, 1)
    year_rows = worst_rows * per_year
    year = r.evaluate(program, model.history(year_rows))
    year_share = year.totals.credits / (FEE * per_year)
    results = [CheckResult("exposure", "ok",
                           f"worst period {_pct(period_share)} of {fee_name} ({source}); {cap}; "
                           f"worst contract year {_pct(year_share)} of the year's {fee_name}")]
    if period_share > 1:
        results.append(CheckResult(
            "exposure above the fee", "finding",
            f"credits in one period can reach {_pct(period_share)} of {fee_name}",
            (f"e.g. {', '.join(f'{lv.name} {_fmt(_worst(lv), lv.unit)}' for lv in model.levels)}: "
             f"credits {format_money(outcome.totals.credits, outcome.digits)} on a fee of "
             f"{format_money(FEE, outcome.digits)}",),
            (str(r.write("exposure.csv", worst_rows)),)))
    return results


# ---------------------------------------------------------------- entry point

def verify(program: Program, seed: int = 0, effort: str = "normal", out_dir: Path | None = None,
           *, vary_fees: bool = False, evaluate=None) -> VerifyReport:
    """Run the fairness invariants and findings against `program`.

    `out_dir` receives the counterexample CSVs (a new temporary directory when
    None, made only if there is something to write). `evaluate(program, history)`
    replaces the evaluator (tests use it to prove the property machinery finds
    a broken one)."""
    if effort not in EFFORT:
        raise ValueError(f"effort is one of {', '.join(EFFORT)}, not {effort!r}")
    random.seed(seed)
    model = _Model(program, vary_fees)
    runner = _Runner(program, model, seed, EFFORT[effort], Path(out_dir) if out_dir is not None else None,
                     evaluate or _evaluate)
    checks = [
        _monotone(runner), _bounded(runner), _all_met(runner), _exclusive(runner),
        _exact(runner), _deterministic(runner),
    ]
    for finder in (lambda: [_reward(runner)], lambda: _cliffs(runner), lambda: _exposure(runner)):
        try:
            checks.extend(finder())
        except Exception as err:  # a finding that cannot be computed must not hide the invariants
            checks.append(CheckResult("finding", "inconclusive", f"could not compute: {type(err).__name__}: {err}"))
    return VerifyReport(program.path, seed, effort, EFFORT[effort], tuple(checks))
