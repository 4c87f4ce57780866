"""Monotonicity of tier tables the generated rulesets never write, against check().

The fairness invariant says a better KPI value never costs more, for every
ruleset check() accepts. rulesets() writes only tables a fair contract writes;
here each test writes one kind of table that check() must reject exactly when
it is not monotone: rows sharing a threshold (`below 75%` and `at most 75%`),
and explicit ranges that reach the end of the scale or stop short of it. Rows
whose amounts are on different bases (a percentage of the fee against fixed
money) are monotone or not depending on the fee: check() accepts them, and its
warnings must name exactly the fees at which they are not. Each runs one
service level over a sweep of its critical values and compares the money with
the order of the values.
"""
from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import assume, example, given
from hypothesis import strategies as st

from slarules import Source, check, compile_ruleset, parse

import reference

HEAD = """contract "T" currency USD, starts 2026-01
inputs
  fee  money
  sl   percent
service level s
  measured as sl
  target: {target}
  {award}
"""
CENT = Decimal("0.01")


def judge(text: str, fee: str = "60000") -> tuple[bool, list[tuple[Decimal, Decimal]]]:
    """Whether check() accepts the ruleset, and the (credits, bonuses) it gives at
    every value next to a number its service level compares with, from the worst
    value to the best (compiled even when check objects, to see what it would do)."""
    ruleset = parse(Source("table.sla", text))
    accepted = not any(d.is_error for d in check(ruleset))
    sl = ruleset.service_levels[0]
    critical = {q.value for q in reference.quantities(sl)} | {Decimal(0), Decimal(100)}
    values = sorted({v + d for v in critical for d in (-CENT, Decimal(0), CENT) if 0 <= v + d <= 100})
    worst_first = values if reference.higher_is_better(sl) else values[::-1]
    history = {f"{2026 + i // 12}-{i % 12 + 1:02d}": {"fee": fee, "sl": f"{v:f}"} for i, v in enumerate(worst_first)}
    outcome = compile_ruleset(ruleset).evaluate(history)
    return accepted, [(p.totals.credits, p.totals.bonuses) for p in outcome.periods]


def is_monotone(money) -> bool:
    """Credits never rise and bonuses never fall as the value gets better."""
    return all(c2 <= c1 and b2 >= b1 for (c1, b1), (c2, b2) in zip(money, money[1:]))


def table(kind: str, higher: bool, rows: list[tuple[str, str]], by_range: bool = False) -> str:
    """The ruleset text: target at least 80% (higher is better) or at most 20%, one table."""
    head = " by range:" if by_range else {"credit": ", the most severe row applies:",
                                          "bonus": ", the best row applies:"}[kind]
    body = "".join(f"\n    {band}: {amount}" for band, amount in rows)
    target = "at least 80%" if higher else "at most 20%"
    return HEAD.format(target=target, award=f"{kind}{head}{body}")


def zone_ops(kind: str, higher: bool) -> tuple[str, str]:
    """(exclusive, inclusive) comparisons of an open row on the award's side of the target."""
    runs_down = higher == (kind == "credit")
    return ("below", "at most") if runs_down else ("above", "at least")


def zone_values(kind: str, higher: bool) -> list[int]:
    """Round thresholds on the award's side of the target (80% met from below, 20% from above)."""
    if higher:
        return [60, 65, 70, 75] if kind == "credit" else [85, 90, 95]
    return [25, 30, 35, 40] if kind == "credit" else [5, 10, 15]


@st.composite
def tables_sharing_thresholds(draw) -> str:
    """Open rows on one base, two of them on the same threshold (one exclusive, one
    inclusive), amounts in any order."""
    kind, higher = draw(st.sampled_from(("credit", "bonus"))), draw(st.booleans())
    exclusive, inclusive = zone_ops(kind, higher)
    shared = draw(st.sampled_from(zone_values(kind, higher)))
    others = draw(st.lists(st.sampled_from(zone_values(kind, higher)), max_size=2, unique=True))
    bands = [f"{exclusive} {shared}%", f"{inclusive} {shared}%"]
    bands += [f"{draw(st.sampled_from((exclusive, inclusive)))} {v}%" for v in others if v != shared]
    rows = [(b, f"{draw(st.integers(1, 9))}% of fee") for b in draw(st.permutations(bands))]
    return table(kind, higher, rows)


@example(text=table("credit", True, [("below 75%", "3% of fee"), ("at most 75%", "5% of fee")]))
@example(text=table("credit", True, [("below 75%", "5% of fee"), ("at most 75%", "3% of fee")]))
@given(tables_sharing_thresholds())
def test_check_accepts_exactly_the_monotone_tables_with_shared_thresholds(text):
    accepted, money = judge(text)
    assert accepted == is_monotone(money), text


@st.composite
def ranges_reaching_or_stopping_short(draw) -> str:
    """Explicit ranges, contiguous and ordered by severity, from the target to a cut before 0%
    or 100% (stopping short), to that end itself, or open beyond the furthest cut."""
    kind, higher = draw(st.sampled_from(("credit", "bonus"))), draw(st.booleans())
    target = 80 if higher else 20
    runs_down = higher == (kind == "credit")
    cuts = sorted(draw(st.lists(st.sampled_from(zone_values(kind, higher)), min_size=1, max_size=3, unique=True)))
    reach = draw(st.sampled_from(("short", "end", "open")))
    edges = ([0] if reach == "end" else []) + cuts + [target] if runs_down else \
        [target] + cuts + ([100] if reach == "end" else [])
    rows = [f"from {low} to {'' if reach == 'end' and high == 100 else 'below '}{high}%"
            for low, high in zip(edges, edges[1:])]
    if reach == "open":
        rows = [f"below {edges[1]}%"] + rows[1:] if runs_down else rows[:-1] + [f"at least {edges[-2]}%"]
    amounts = sorted(draw(st.lists(st.integers(1, 9), min_size=len(rows), max_size=len(rows))))
    nearest_first = rows[::-1] if runs_down else rows
    return table(kind, higher, [(r, f"{a}% of fee") for r, a in zip(nearest_first, amounts)], by_range=True)


@example(text=table("credit", True, [("from 70 to below 80%", "5% of fee")], by_range=True))
@example(text=table("credit", True, [("from 70 to below 80%", "5% of fee"), ("from 0 to below 70%", "6% of fee")],
                    by_range=True))
@given(ranges_reaching_or_stopping_short())
def test_check_accepts_exactly_the_range_tables_that_are_monotone(text):
    accepted, money = judge(text)
    assert accepted == is_monotone(money), text


@st.composite
def tables_on_mixed_bases(draw) -> str:
    """Open rows at distinct thresholds, some a percentage of the fee and some fixed
    money, each kind rising with severity on its own."""
    kind, higher = draw(st.sampled_from(("credit", "bonus"))), draw(st.booleans())
    exclusive, _ = zone_ops(kind, higher)
    thresholds = draw(st.lists(st.sampled_from(zone_values(kind, higher)), min_size=2, max_size=3, unique=True))
    runs_down = higher == (kind == "credit")
    mildest_first = sorted(thresholds, reverse=runs_down)
    fixed = draw(st.lists(st.booleans(), min_size=len(thresholds), max_size=len(thresholds)))
    assume(any(fixed) and not all(fixed))
    percents = iter(sorted(draw(st.lists(st.integers(1, 9), min_size=len(fixed), max_size=len(fixed)))))
    moneys = iter(sorted(draw(st.lists(st.integers(1, 9000), min_size=len(fixed), max_size=len(fixed)))))
    rows = [(f"{exclusive} {t}%", f"USD {next(moneys)}" if f else f"{next(percents)}% of fee")
            for t, f in zip(mildest_first, fixed)]
    return table(kind, higher, rows)


CROSSOVER = re.compile(r"whenever fee is (above|below) (?:about )?([0-9,]+\.[0-9]+)")


def reversed_at(text: str, fee: str) -> bool:
    """Whether a warning of check() says some worse row pays less (or better row earns less) at this fee."""
    for d in check(parse(Source("table.sla", text))):
        found = CROSSOVER.search(d.message) if (d.code, d.severity) == ("SLA208", "warning") else None
        if found:
            side, crossover = found.group(1), Decimal(found.group(2).replace(",", ""))
            if (Decimal(fee) > crossover) if side == "above" else (Decimal(fee) < crossover):
                return True
    return False


@example(text=table("credit", True, [("below 80%", "5% of fee"), ("below 70%", "USD 100")]), fee="60000")
@example(text=table("credit", True, [("below 80%", "5% of fee"), ("below 70%", "USD 100")]), fee="1000")
@given(tables_on_mixed_bases(), st.sampled_from(("1000", "60000", "1000000")))
def test_a_table_on_mixed_bases_is_accepted_and_monotone_at_exactly_the_fees_no_warning_names(text, fee):
    """Whether a fixed amount undercuts a share of the fee depends on the fee, which check() does not
    know: it accepts the table (verify shows such reversals by example) and warns of the fee beyond
    which each row pays less than a milder one. The table is monotone exactly outside those fees."""
    accepted, money = judge(text, fee)
    assert accepted, text
    assert is_monotone(money) == (not reversed_at(text, fee)), text
