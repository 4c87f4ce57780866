"""Interval, the one type the checker and explain reason about KPI values with:
intersection, what is left outside other intervals, emptiness and how ends sort.
Expected pieces are worked out by hand on a number line."""
from __future__ import annotations

from decimal import Decimal

from slarules.language.semantics import Interval


def closed(low, high) -> Interval:
    return Interval(Decimal(low), True, Decimal(high), True)


def below(value) -> Interval:
    return Interval(None, False, Decimal(value), False)


def at_least(value) -> Interval:
    return Interval(Decimal(value), True, None, False)


def test_the_intersection_keeps_the_tighter_end_and_an_excluded_end_over_an_included_one():
    # [60, 80] and (-inf, 75) share [60, 75); [60, 75) and [75, inf) share nothing.
    assert closed(60, 80).intersection(below(75)) == Interval(Decimal(60), True, Decimal(75), False)
    assert below(75).intersection(at_least(75)).is_empty()
    assert not closed(75, 75).is_empty()
    assert closed(80, 60).is_empty()  # ends that cross, as in a band written 'from 80 to 60'


def test_minus_leaves_the_pieces_below_and_above_lowest_first():
    # [0, 100] without [40, 60] is [0, 40) and (60, 100].
    assert closed(0, 100).minus(closed(40, 60)) == [Interval(Decimal(0), True, Decimal(40), False),
                                                    Interval(Decimal(60), False, Decimal(100), True)]
    assert closed(40, 60).minus(closed(0, 100)) == []


def test_outside_is_what_no_interval_covers_lowest_first():
    # [0, 100] without (-inf, 50) and [90, inf) is [50, 90).
    assert closed(0, 100).outside([at_least(90), below(50)]) == [Interval(Decimal(50), True, Decimal(90), False)]
    # Two bands with a gap between them: [0, 100] without [0, 20] and [30, 100] is (20, 30).
    assert closed(0, 100).outside([closed(30, 100), closed(0, 20)]) == [Interval(Decimal(20), False, Decimal(30), False)]
    assert closed(0, 100).outside([]) == [closed(0, 100)]


def test_ends_sort_unbounded_low_first_and_unbounded_high_last():
    lows = [at_least(5), Interval(Decimal(5), False, None, False), below(3)]
    assert sorted(lows, key=Interval.low_key) == [below(3), at_least(5), Interval(Decimal(5), False, None, False)]
    highs = [at_least(1), closed(0, 5), Interval(Decimal(0), True, Decimal(5), False)]
    assert sorted(highs, key=Interval.high_key) == [Interval(Decimal(0), True, Decimal(5), False), closed(0, 5),
                                                    at_least(1)]


def at_most(value) -> Interval:
    return Interval(None, False, Decimal(value), True)


def test_rows_sort_most_extreme_first_an_excluded_threshold_before_an_included_one():
    # Credit rows of a higher-is-better KPI face the target with their high ends:
    # below 70% is more extreme than below 75%, and below 75% than at most 75%.
    rows = [at_most(75), below(80), below(70), below(75)]
    assert sorted(rows, key=lambda r: r.extremity_key(True)) == [below(70), below(75), at_most(75), below(80)]
    # Credit rows of a lower-is-better KPI face it with their low ends: above 20 before at least 20 before above 10.
    above = [Interval(Decimal(v), False, None, False) for v in (10, 20)]
    rows = [above[0], at_least(20), above[1]]
    assert sorted(rows, key=lambda r: r.extremity_key(False)) == [above[1], at_least(20), above[0]]
