"""The language: ruleset text -> a checked tree. May import only core.

    grammar.py    the Lark grammar (grammar/slarules.lark) and its LALR parser, loaded once
    parser_tables.py  the parser's LALR tables, generated from the grammar (start-up without building them)
    parse.py      ruleset text -> nodes.Ruleset
    syntax_errors.py  a parse error -> one diagnostic that says in words what was expected
    nodes/        the syntax tree: frozen attrs classes, one per contract construct, by clause family
                  (a package; `nodes` re-exports them all)
    check/        static checks on a parsed tree: every problem as a Diagnostic (a package)
    semantics.py  what the written terms mean, shared by check and compile: intervals, units, sides, amendments
    dimensions.py the unit a `measured as` expression comes out in, and units that do not fit
    literals.py   bounds on every number a ruleset writes
    nouns.py      the nouns a linear amount counts in (`per ticket resolved late`), singular and plural
    printer.py    a tree -> canonical source text
    fmt.py        ruleset text -> the same ruleset in the canonical layout, comments kept
    editing.py    for editors: where names are, the terms around a point, what the grammar takes next
    fingerprint.py  hashes of the canonical form (the ruleset's fingerprint) and of each term that decides money
    citations.py  the signed contract's clause each term cites (`clause "C.2.1(a)"`), inherited by what it holds
"""
