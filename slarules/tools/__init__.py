"""Tools built on the engine, each for a question asked before or after signing.
May import core, language, engine and formats.

    explain/       a ruleset as numbered plain-English clauses, text, Markdown or HTML (a package)
    verify/        the fairness invariants and findings, searched with hypothesis (a package)
    dryrun.py      proposed terms against current ones over the same history
    simulate.py    what a ruleset may cost under simulated performance
    htmlreport.py  one self-contained HTML page with plots
    svgplot.py     the page's SVG plots: axes, ticks, marks (pixel geometry only)
"""
