"""Check pass: static checks on a parsed Ruleset.

Input: nodes.Ruleset straight from parse(). Output: every Diagnostic found, in
source order; never raises for a user's error. After a check with no error,
compile.py may assume: the header has a currency and a start; every name
resolves; units agree; amounts have money bases in the contract's currency;
each service level has one measurement and one target; tier rows lie on the
miss side (credits) or the met side (bonuses) of the target, are ordered by
severity (rows on different bases, such as a share of the fee and fixed money,
only get a warning: their order depends on the fee), and explicit ranges
neither overlap, leave gaps, nor stop short of the end of the scale; a threshold
that is a share of an input is a share of an input in the KPI's unit, under a
share target only flat and per-unit awards counting from a share of the same input.

One checker, its parts by what they are about (each a mixin of the checker):

    driver.py          check(): numbers bounded (literals.py), the parts in order, amendments,
                       diagnostics once each in source order
    base.py            the state the parts share, reporting, name lookup, how messages write values
    header.py          the contract header, counts of periods, caps over windows, termination triggers
    quantities.py      inputs, amounts and the units of quantities
    measurements.py    measurements: names, units (dimensions.py), the unit against the target's
    service_levels.py  service levels: targets, awards, gates, cure/free passes/earn-back, caps that never bind
    rows.py            rows of credit and bonus tables: sides, order, comparison, coverage
    allowances.py      thresholds that are a share of another input (`at most 3% of opened`)
    window_caps.py     caps over several periods that can never bind
    critical_failure.py  the critical failure clause; floors a volume condition stops
    frequencies.py     service levels assessed less often than the contract (`assessed quarterly`)
    parties.py         parties, who reports each input and by when, who is accountable, reviews
    billing_terms.py   credits applied to the next invoice; amounts indexed to a price index
    days.py            cure windows and notices in days; deliverables
"""
from __future__ import annotations

from .driver import check

__all__ = ["check"]
