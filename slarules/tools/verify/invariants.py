"""The ten fairness invariants, each a property run over generated histories
(the numbers and wording are in the package docstring): monotone, bounded,
all met, exclusive, exact, deterministic, and those over terms that span
periods: cure, termination, incremental, events.
"""
from __future__ import annotations

import json
from decimal import Decimal

import attrs
import hypothesis
from hypothesis import strategies as st

from ...core.diagnostics import SlaError
from ...core.money import format_money
from ...core.source import Source
from ...engine.compile import Terms
from ...engine.outcome import BONUS_KINDS, CREDIT_KINDS, EARN_BACK, WITHHOLD
from ...formats.kpi_data import parse_history
from ...formats.report import to_json
from .model import _fmt, _owed, _versions, _withholds, nominal_target
from .report import CheckResult, _Runner, _Violation


def _credits(outcome) -> Decimal:
    """Credits and charges withheld on a critical failure, net of earn-back."""
    return outcome.totals.credits + outcome.totals.withheld - outcome.totals.earned_back


def _rose(before, after) -> str:
    """What rose: the credits, or the credits and charges withheld together."""
    if before.totals.withheld or after.totals.withheld:
        return f"credits and charges withheld rose from {_owed(before)} to {_owed(after)}"
    return f"credits rose from {before.totals.credits} to {after.totals.credits}"


def _bonuses(outcome) -> Decimal:
    return sum((line.amount for line in outcome.lines if line.kind in ("bonus", "bonus cap")), Decimal(0))


def _shares(outcome, rows) -> str:
    withheld = outcome.totals.withheld
    return (f"credits {format_money(outcome.totals.credits, outcome.digits)}, "
            f"earned back {format_money(outcome.totals.earned_back, outcome.digits)}, "
            f"bonuses {format_money(outcome.totals.bonuses, outcome.digits)}"
            + (f", withheld {format_money(withheld, outcome.digits)}" if withheld else ""))


def _earn_back_shares_capped_credits(program: Terms) -> bool:
    """Documented (reference, earn-back): under period-wide and window caps, earn-back returns
    each service level's share of the credits charged, so a milder miss or an event on one
    service level can return less of another's. Credits net of earn-back are then not
    asserted to move one way, only credits and bonuses."""
    versions = _versions(program)
    return (any(s.earn_back for v in versions for s in v.service_levels)
            and any(v.at_risk is not None or v.window_caps for v in versions))


NET_NOT_ASSERTED = " (net of earn-back not asserted: earn-back shares credits cut by a cap)"


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
            changed[p] = model.solve(lv, changed[p], draw(model.measure_strategy(lv)), position=p)
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
                va, vb = sl.measure(model.env(rows[p], p)), sl.measure(model.env(changed[p], p))
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
        if _owed(ob) > _owed(ow):
            problems.append(_rose(ow, ob))
        elif not shares and _credits(ob) > _credits(ow):
            problems.append(f"credits net of earn-back rose from {_credits(ow)} to {_credits(ob)}")
        if ob.totals.withheld > ow.totals.withheld:
            problems.append(f"charges withheld rose from {ow.totals.withheld} to {ob.totals.withheld}")
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


_POSITIVE_KINDS = ("credit", "bonus", WITHHOLD)  # every other line is a cap, forfeit, replacement or return


def _bounded(r: _Runner) -> CheckResult:
    model, program = r.model, r.program
    title = ("period credits never exceed the amount at risk or a window cap"
             + (", a withhold the charges" * _withholds(program)) + "; nothing is negative")
    first = program.calendar.index(model.labels(1)[0])

    def body(rows):
        outcome = r.outcome(rows, "")
        fee_names = model.money
        top = Decimal(0)
        for i, (p, row) in enumerate(zip(outcome.periods, rows)):
            terms = program.in_force(first + i)
            fee = row[fee_names[0]] if fee_names else None
            if fee:
                share = (p.totals.credits + p.totals.withheld) / fee
                top = max(top, share)
                if share > r.worst_share:
                    r.worst_share, r.worst_rows = share, [dict(x) for x in rows[: i + 1]]
            problems = [f"{line.kind} line of {line.service_level or 'the period'} is {line.amount}"
                        for line in p.lines
                        if (line.kind in _POSITIVE_KINDS and line.amount < 0)
                        or (line.kind not in _POSITIVE_KINDS and line.amount > 0)]
            for figure in ("credits", "earned_back", "bonuses", "withheld", "due_to_client", "due_to_vendor"):
                if getattr(p.totals, figure) < 0:
                    problems.append(f"{figure} is {getattr(p.totals, figure)}")
            if terms.critical_failure is not None and p.totals.withheld > row[terms.critical_failure.base]:
                problems.append(f"withheld {p.totals.withheld} exceeds {terms.critical_failure.base} "
                                f"{row[terms.critical_failure.base]}")
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
                    hypothesis.assume((sl.counted is not None and not sl.counted(row))
                                      or sl.meets(sl.measure(r.model.env(row, i)), row))
                except ArithmeticError:
                    hypothesis.assume(False)
        outcome = r.outcome(rows, "all-met")
        problems = []
        if outcome.totals.credits:
            problems.append(f"credits {outcome.totals.credits}")
        if outcome.totals.withheld:
            problems.append(f"charges withheld {outcome.totals.withheld}")
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
                "withheld": sum((ln.amount for ln in p.lines if ln.kind == WITHHOLD), Decimal(0)),
            }
            for figure, total in sums.items():
                if total != getattr(p.totals, figure):
                    problems.append(f"{p.period}: {figure} lines add up to {total}, totals say {getattr(p.totals, figure)}")
        for figure in ("credits", "earned_back", "bonuses", "withheld", "due_to_client", "due_to_vendor"):
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


def _twin(terms: Terms, name: str):
    return next((s for s in terms.service_levels if s.name == name), None)


def _raw_status(sl, row: dict, event: str | None) -> str:
    """A service level's status in one period as the ruleset defines it, before cures and
    free passes: "excluded", "not measured", "met", "waived" or "missed". `row` as the
    measurement reads it (_Model.env)."""
    if event == "exclude":
        return "excluded"
    if sl.counted is not None and not sl.counted(row):
        return "not measured"
    try:
        value = sl.measure(row)
    except ArithmeticError:
        hypothesis.assume(False)
    if sl.meets(value, row):
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
              and any((t := _twin(v, lv.name)) is not None and (t.cure or t.cure_days) and t.credit is not None
                      for v in versions)]
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
        hypothesis.assume(sl is not None and (sl.cure or sl.cure_days) and sl.credit is not None)
        reach = _cure_reach(sl, program.calendar, first + t)
        hypothesis.assume(reach >= 1)  # a window in days may end before any later period does
        u = draw(st.integers(t + 1, min(t + reach, len(rows) - 1)))
        for k, wanted in ((t - 1, draw(model.met_strategy(attrs.evolve(lv, target=nominal_target(sl))))),
                          (t, draw(model.miss_strategy(lv, nominal_target(sl)))),
                          (u, draw(model.met_strategy(attrs.evolve(lv, target=nominal_target(
                              _twin(program.in_force(first + u), lv.name))))))):
            if k >= 0:
                rows[k] = model.solve(lv, rows[k], wanted, program.in_force(first + k), k)
        met = [dict(row) for row in rows]
        met[t] = model.solve(lv, met[t], draw(model.met_strategy(attrs.evolve(lv, target=nominal_target(sl)))), terms,
                             t)
        return lv.name, t, u, rows, met

    def body(drawn):
        name, t, u, rows, met = drawn
        terms_at = [program.in_force(first + k) for k in range(len(rows))]
        status = [_raw_status(_twin(terms_at[k], name), model.env(rows[k], k), None) for k in range(len(rows))]
        hypothesis.assume(status[t] == "missed" and status[u] == "met" and (t == 0 or status[t - 1] == "met"))
        hypothesis.assume(_raw_status(_twin(terms_at[t], name), model.env(met[t], t), None) == "met")
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
                f"{name} missed in {labels[t]} and met in {labels[u]}, inside its cure window "
                f"{f'of {sl.cure} periods' if sl.cure else f'({sl.cure_text})'}, yet its credits are {_sl_credits(missed, name)} against "
                f"{_sl_credits(cured, name)} with {labels[t]} met",
                {"missed": rows, "met": met},
                (f"missed: {_shares(missed, rows)}", f"met:    {_shares(cured, met)}"))

    return r.run("cure", title, strategy(), body)


def _cure_reach(sl, calendar, index: int) -> int:
    """How many periods after a miss in the period `index` can cure it: the cure period's
    length, or for a window in days (no holidays: the model's histories give none) the
    periods that end inside it."""
    if sl.cure_days is None:
        return sl.cure
    return sl.cure_days.window(calendar, index, frozenset())[1] - index


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


def _fires(r: _Runner, rule, rows, statuses, outcome, first: int) -> list[int]:
    """The periods (positions) in which the trigger's right arises: those in which its
    condition holds over the periods after the one it last arose in, from the statuses the
    ruleset defines; only the "credits" trigger reads the evaluated credits."""
    program = r.program
    calendar = program.calendar
    quantum, mode = program.rounding.quantum, program.rounding.decimal_mode
    miss = [_counts_as_miss(program, s.get(rule.service_level, "not measured")) for s in statuses]
    fires, since = [], 0  # since: the first period counted after the right last arose
    for t in range(len(rows)):
        if rule.kind == "in a row":
            run = 0
            for m in miss[since:t + 1]:
                run = run + 1 if m else (0 if m is False else run)
            fired = run >= rule.count
        elif rule.kind == "in window":
            fired = sum(1 for m in miss[max(since, t - rule.length + 1):t + 1] if m) >= rule.count
        elif rule.kind == "floor":
            sl = _twin(program.in_force(first + t), rule.service_level)
            fired = (statuses[t][rule.service_level] in ("met", "missed")
                     or statuses[t][rule.service_level] == "waived" and program.waived_misses_count) \
                and rule.floor(sl.measure(r.model.env(rows[t], t)))
        elif rule.kind == "critical failure":
            fired = _critical_failure_holds(program, program.in_force(first + t), r.model.env(rows[t], t), statuses[t])
        elif rule.kind == "credits":
            window = rule.window
            if window.length is None:
                members = [k for k in range(since, t + 1)
                           if calendar.contract_year_of(first + k) == calendar.contract_year_of(first + t)]
            else:
                members = list(range(max(since, t - window.length + 1), t + 1))
            spent = sum((outcome.periods[k].totals.credits for k in members), Decimal(0))
            bases = [rows[k].get(window.base, Decimal(0)) for k in members] if window.base else []
            fired = spent > window.limit(bases).quantize(quantum, mode)
        else:
            fired = sum(1 for s in statuses[t].values() if _counts_as_miss(program, s)) >= rule.count
        if fired:
            fires.append(t)
            since = t + 1
    return fires


def _critical_failure_holds(program: Terms, terms: Terms, row: dict, statuses: dict) -> bool:
    """Whether a condition of the critical failure in force holds, by the ruleset's own
    definitions: a floor held against a value that counts (met or missed, or waived when
    waived misses count), or that many service levels missed."""
    rule = terms.critical_failure
    if rule is None:
        return False
    for test in rule.conditions:
        if test.kind == "floor":
            sl = terms.service_levels[test.position]
            status = statuses[sl.name]
            if (status in ("met", "missed") or status == "waived" and program.waived_misses_count) \
                    and test.floor(sl.measure(row)):
                return True
        elif sum(1 for s in statuses.values() if _counts_as_miss(program, s)) >= test.count:
            return True
    return False


def _termination(r: _Runner) -> CheckResult:
    model, program = r.model, r.program
    title = "a termination right arises exactly when its condition holds, counting afresh after each, never earlier"
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
        statuses = [{sl.name: _raw_status(sl, model.env(row, k), by_event.get((k, sl.name)))
                     for sl in program.in_force(first + k).service_levels} for k, row in enumerate(rows)]
        outcome = r.outcome(rows, "", events)
        labels = model.labels(len(rows))
        got: dict[str, list[str]] = {}
        for right in outcome.terminations:
            got.setdefault(right.trigger, []).append(right.period)
        for rule in program.triggers:
            want = [labels[t] for t in _fires(r, rule, rows, statuses, outcome, first)]
            if got.get(rule.text, []) != want:
                said = f"arises in {', '.join(got[rule.text])}" if rule.text in got else "never arises"
                holds = f"holds in {', '.join(want)}" if want else "never holds"
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
    title = ("a waiver or an exclusion never raises the credits"
             + (" and charges withheld" * _withholds(program)) + " the vendor owes")
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
        if _owed(after) > _owed(before):
            problems.append(_rose(before, after))
        if not shares and not (extra[2] == "exclude" and extra[1] in averages) and _credits(after) > _credits(before):
            problems.append(f"credits net of earn-back rose from {_credits(before)} to {_credits(after)}")
        if problems:
            label = model.labels(len(rows))[extra[0]]
            verb = "waiving" if extra[2] == "waive" else "excluding"
            raise _Violation(f"{verb} {extra[1]} in {label}: " + " and ".join(problems),
                             {"without": (rows, events), "with": (rows, (*events, extra))},
                             (f"without: {_shares(before, rows)}", f"with:    {_shares(after, rows)}"))

    return r.run("events", title, strategy(), body)


INVARIANTS = {"monotone": _monotone, "bounded": _bounded, "all-met": _all_met, "exclusive": _exclusive,
              "exact": _exact, "deterministic": _deterministic, "cure": _cure, "termination": _termination,
              "incremental": _incremental, "events": _events}
