"""`slarules verify`: the fairness invariants, run against one user's ruleset.

Input: a compiled Terms (its `path` is re-read, when it can be, to learn
which input of a derived measurement drives it), a seed, an effort
("quick" | "normal" | "thorough": how many generated histories per property),
a directory for counterexample files (none: they are named, not written) and
optionally the names of the checks to run. Output: a VerifyReport whose `.ok` is False when an invariant is violated
and whose `to_text()` lists every check as held, violated or a finding, with
the counterexamples' paths. The same program, seed and effort give the same
report (hypothesis runs with `database=None` and an explicit seed). Nothing
here raises on a bad ruleset or a violated property: a crash of the evaluator
on generated data is itself reported as a violation.

Histories are generated in the ruleset's own inputs and units: money inputs
held at a constant fee (10,000.00, or varied 1,000..100,000 with
`vary_fees=True`); counts 1..20,000 (around each minimum-volume threshold
too); each service level's measured value is drawn (percent 0..100; seconds,
minutes, scores 0..a few times the largest threshold in the ruleset, and at
least to where a capped amount per unit reaches its cap, with extra weight on
every threshold and its neighbours) and its driving input
solved for it (`answered_in_20s` for `answered_in_20s / calls_offered`).
Where a property needs them, up to three waivers and exclusions are drawn too.

Invariants (numbers as in the brief's "Fairness invariants"):
  1 monotone   a better value of one input in one period (every service level
               reading it weakly better, one strictly, volume conditions
               unchanged) never raises credits and charges withheld on a critical
               failure (together, and net of earn-backs), never withholds more,
               never lowers bonuses (bonus lines and bonus caps; netting
               forfeits excluded)
  2 bounded    per period: credits <= the amount at risk; per window cap:
               credits <= its limit; a withhold <= the input it is a share of;
               no credit, bonus, withhold or total is negative
  3 all met    every service level met (or not measured) in every period:
               zero credits, nothing withheld, no termination right
  4 exclusive  no service level has a credit and a bonus in one period
  5 cure       a miss in period t (not a free pass; t-1 met, so no earlier
               window is open), met again inside its cure window: the service
               level's credits over the history equal those with t met
  6 termination  each trigger arises in each period its condition holds, counting
               afresh after the period it last arose in
               by the ruleset's own definitions of met, missed and the streak
               policies (a critical failure's: its floors and its count of
               misses), and not at all if it never holds
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

The modules:

    driver.py      verify(): the model, a runner, every invariant then every finding, one report
    model.py       the model of a ruleset: levels, value strategies, solving a driving input, CSV files
    invariants.py  the ten invariants, each a property over generated histories
    findings.py    the findings: no reward, the largest cliff, the exposure as a share of the fee
    report.py      CheckResult, VerifyReport, and the runner that runs a property and writes counterexamples
"""
from __future__ import annotations

from .driver import EFFORT, verify
from .findings import FINDINGS
from .invariants import INVARIANTS
from .report import CheckResult, VerifyReport

__all__ = ["EFFORT", "FINDINGS", "INVARIANTS", "CheckResult", "VerifyReport", "verify"]
