"""The engine: a checked tree -> money. May import core and language.

    compile.py   a checked Ruleset -> Terms, the contract's terms as closures
    evaluate.py  Terms x History (x a saved state) -> Outcome
    history.py   what evaluation takes in: each period's inputs, waivers and exclusions
    outcome.py   the result: periods, statuses and line items, every figure traceable
    reported.py  the reporting grid: a KPI's value rounded as the contract reports it
    state.py     what one period leaves to the next (the carry) and its JSON form
"""
