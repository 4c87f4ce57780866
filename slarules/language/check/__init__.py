"""Check pass: static checks on a parsed Ruleset.

Input: nodes.Ruleset straight from parse(). Output: every Diagnostic found, in
source order; never raises for a user's error. After a check with no error,
compile.py may assume: the header has a currency and a start; every name
resolves; units agree; amounts have money bases in the contract's currency;
each service level has one measurement and one target; tier rows lie on the
miss side (credits) or the met side (bonuses) of the target, are ordered by
severity (rows on different bases, such as a share of the fee and fixed money,
only get a warning: their order depends on the fee), and explicit ranges
neither overlap, leave gaps, nor stop short of the end of the scale.

One checker, its parts by what they are about (each a mixin of the checker):

    driver.py          check(): the parts in order, amendments, diagnostics once each in source order
    base.py            the state the parts share, reporting, name lookup, how messages write values
    header.py          the contract header, counts of periods, caps over windows, termination triggers
    quantities.py      inputs, expressions, amounts and the units of quantities
    service_levels.py  service levels: targets, awards, gates, cure/free passes/earn-back, caps that never bind
    rows.py            rows of credit and bonus tables: sides, order, comparison, coverage
    critical_failure.py  the critical failure clause; floors a volume condition stops
"""
from __future__ import annotations

from .driver import check

__all__ = ["check"]
