"""Explain pass: a Ruleset -> its terms as numbered plain-English clauses.

Input: a nodes.Ruleset that check() passed with no error (explain assumes, as
compile does, that names resolve, units match and every service level has a
measurement and a target). Output: one document, rendered as "text",
"markdown" or "html" (a self-contained page: escaped text, inline style, no
external resources), in which every construct of the ruleset is a numbered
clause that ends with its source reference (`file:line`, after the signed
contract's clause the term cites, if any), so a lawyer can hold it against
the signed contract. The HTML of a literate ruleset (Markdown with ```sla
blocks) shows the contract's wording and each block's clauses side by side. A term the ruleset leaves unsaid but that
still binds (the default netting, the default streak rules) gets its own
clause, marked "default; not stated".

The sentences say what compile.py and evaluate.py do, including the subtle
points the README states: the boundary value meets the target, only the most
severe (or best) row applies, part points count as whole, caps are their own
lines, a met period cures every open cure window, excluded periods in
streaks, earn-back after caps. Clause numbers are fixed before any sentence is
written, so a clause can refer to a later one. Deterministic; never mutates
its input; raises ValueError only for an unknown format.

The modules, by clause family (each family a mixin of the Terms of one
version of the ruleset):

    explainer.py       explain(), document(): numbers every clause, then has the families write the parts
    terms.py           what the families share: references, lengths in periods, amounts resolved to money
    contract.py        1. the contract (currency, rounding, assessment period, start); 2. reported figures
    service_levels.py  3. service levels: summary, measurement, minimum volume, target, allocation
    awards.py          credit and bonus forms (flat, table, linear, shortfall), bonus conditions; KPI intervals
    allowances.py      targets and per-unit thresholds that are a share of another input, with worked examples
    limits.py          4. the amount at risk, caps over windows, the bonus limit, netting
    billing_terms.py   4. credits on the next invoice; amounts indexed to a price index, with a worked example
    spanning.py        cure, free passes, earn-back; 5. termination
    critical_failure.py  4. and 5. the critical service level failure: credits replaced, withhold, right to terminate
    amendments.py      6. amendments: what each restates, and what follows from it
    roles.py           parties and reviews (1.5, 1.6), who reports a figure and by when, accountability, late reports
    days.py            cure windows and notices in days; 3. deliverables and their late credits
    clauses.py         the document before rendering: Document, Part, Clause
    words.py           inline marks, numbers, counts, lists, months and KPI values in words
    render.py          the text, Markdown and HTML renderings
    literate.py        the HTML of a literate ruleset: the contract's wording beside each block's clauses
"""
from __future__ import annotations

from .clauses import Clause, Document, Part
from .explainer import FORMATS, document, explain

__all__ = ["FORMATS", "Clause", "Document", "Part", "document", "explain"]
