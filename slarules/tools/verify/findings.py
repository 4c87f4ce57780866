"""The fairness findings, reported but not failures: whether any reward is
reachable, the largest cliff per service level (a fine grid of values around
each threshold, one step apart), and the exposure (the worst period and worst
contract year as a share of the fee). Each names the signed contract's clauses
its terms cite (the bonuses', a service level's credit and bonus, the amount at
risk), so a lawyer reads a finding against the contract.
"""
from __future__ import annotations

from decimal import Decimal

import attrs

from ...core.money import format_money
from .model import FEE, STEP, _fmt, _Level, _Model, _owed, _owed_words
from .report import CheckResult, _Runner


GRID = 20  # steps each side of a threshold in the cliff scan
CLIFF_SHARE = Decimal("0.10")  # a jump of 10% of the fee in one step is reported as a cliff


def _net(outcome) -> Decimal:
    return outcome.totals.net


def _best(lv: _Level) -> Decimal:
    return lv.high if lv.higher else lv.low


def _worst(lv: _Level) -> Decimal:
    return lv.low if lv.higher else lv.high


def _cited(program, names, kinds=("credit", "bonus")) -> tuple[str, ...]:
    """The contract clauses the awards of these service levels cite, each once, in order."""
    found: list[str] = []
    for sl in program.service_levels:
        for kind in kinds if sl.name in names and sl.node is not None else ():
            award = getattr(sl.node, kind)
            cited = program.cited(award.span) if award is not None else None
            if cited is not None and cited not in found:
                found.append(cited)
    return tuple(found)


def _reward(r: _Runner) -> CheckResult:
    results = _reward_result(r)
    with_bonus = [sl.name for sl in r.program.service_levels if sl.bonus is not None]
    return attrs.evolve(results, contract_clauses=_cited(r.program, with_bonus, ("bonus",)))


def _reward_result(r: _Runner) -> CheckResult:
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
    """The free passes used up, then one period at `value`, to evaluate under terms without cures
    (Terms.without_cures: the credit a miss costs once its cure window closes unmet). A year's
    periods of passes are as many as any larger number: the passes of the next year start afresh."""
    good = {x.name: _best(x) for x in model.levels}
    passes = min(lv.free_passes, model.program.calendar.periods_in(1, "year"))
    rows = [model.period(base, {**good, lv.name: _worst(lv)}, position=k) for k in range(passes)]
    return rows + [model.period(base, {**good, lv.name: value}, position=passes)]


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
        uncured = program.without_cures()
        for value in values:
            rows = _scan_rows(model, lv, value, base)
            sl = next(s for s in program.service_levels if s.name == lv.name)
            actual = sl.measure(model.env(rows[-1], len(rows) - 1))
            outcome = r.evaluate(uncured, model.history(rows))
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
        if lv.cure:
            detail += f" in a period whose miss is charged, its cure window ({lv.cure} period{'s' * (lv.cure != 1)}) closed unmet"
        big = fee is not None and jump / fee >= CLIFF_SHARE
        files = ()
        if big:
            n = len(ra)
            files = (str(r.write(f"cliff.{lv.name}.csv", ra + rb)),)
            detail += (f"; the file holds both: periods 1-{n} at {_fmt(va, lv.unit)}, "
                       f"{n + 1}-{2 * n} at {_fmt(vb, lv.unit)}" if n > 1 else
                       "; the file holds both, one period each")
        results.append(CheckResult(f"cliff {lv.name}", "finding" if big else "ok",
                                   ("a cliff: " if big else "largest step: ") + detail, files=files,
                                   contract_clauses=_cited(program, (lv.name,))))
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
    shares = [(p.totals.credits + p.totals.withheld) / FEE for p in year.periods]
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
    year_share = _owed(year) / (FEE * per_year)
    if r.worst_rows is not None:  # the search's worst period, all year long
        searched = r.evaluate(program, model.history([r.worst_rows[-1]] * per_year))
        year_share = max(year_share, _owed(searched) / (r.worst_rows[-1][fee_name] * per_year))
    at_risk = program.cited(program.at_risk.clause) if program.at_risk is not None else None
    results = [CheckResult("exposure", "ok",
                           f"worst period {_pct(period_share)} of {fee_name} ({source}); {cap}; "
                           f"worst contract year {_pct(year_share)} of the year's {fee_name}",
                           contract_clauses=(at_risk,) if at_risk is not None else ())]
    if period_share > 1:
        worst = r.evaluate(program, model.history(period_rows)).periods[-1].totals
        credits = worst.credits + worst.withheld
        results.append(CheckResult(
            "exposure above the fee", "finding",
            f"{_owed_words(program)} in one period can reach {_pct(period_share)} of {fee_name}",
            (f"e.g. {example}: {_owed_words(program)} {format_money(credits, program.rounding.digits)} on a fee of "
             f"{format_money(period_rows[-1][fee_name], program.rounding.digits)}",),
            (str(r.write("exposure.csv", period_rows)),)))
    return results


FINDINGS = {"reward": lambda r: [_reward(r)], "cliff": _cliffs, "exposure": _exposure}
