"""The engine: a checked tree -> money. May import core and language.

    compile.py   a checked Ruleset -> Terms, the contract's terms as closures
    measure.py   a service level's measurement and its comparisons as closures
    forms.py     credit and bonus forms (flat, table, linear, shortfall) and the amounts they pay
    evaluate.py  Terms x History (x a saved state) -> Outcome
    codegen.py   one period of a version of the terms as generated Python, from compiled nodes only
    judge_code.py  generated Python's emitter (own names, numbers as Decimal('...')) and a service level's judge
    frequencies.py  service levels assessed less often than the contract: a quarter's sums, pending months
    history.py   what evaluation takes in: each period's inputs, waivers and exclusions
    outcome.py   the result: periods, statuses and line items, every figure traceable
    wording.py   what a line item says: its head (clause, accountable party) and its sentence
    reported.py  the reporting grid: a KPI's value rounded as the contract reports it
    state.py     what one period leaves to the next (the carry) and its JSON form; imported from here
    carry.py     what the carry holds per service level (cure windows, passes, earn-back), window and trigger,
                 written and read back
    state_format.py  a saved state's formats (/1 to /4), checksum and terms' versions; the state read back
    state_fields.py  a saved state's fields read: each kind (object, list, whole, decimal, label) checked
    ledger.py    what a state has billed, period by period, and each revision since
    restate.py   billed periods evaluated again with corrected inputs -> adjustment lines
    reporting.py   parties, reporting duties and late reports: who answers for each figure, what lateness costs
    invoicing.py   `credits are applied to the next invoice`: each line's invoice period, the invoice carried on
    indexation.py  `amounts indexed to cpi, ...`: fixed amounts moved each contract year by a price index
    portfolio.py   many subjects under one ruleset: each subject's result and the running portfolio totals
    cure_days.py   cure windows and notices counted in (business) days
    deliverables.py  deliverables: days late, the capped credit in the period delivered, accruing ones
    vectorised.py  Terms x runs x periods -> money only, exact, with NumPy (the `fast` extra), for simulation
    vectorised_earn_back.py  earn-back after N met periods over many runs, in integers, for vectorised.py
    vectorised_integers.py   guarded int64 arithmetic (scaled decimals, rounding division) for vectorised.py
"""
