"""The lowest layer: what every other layer needs.
Where text is, what an error says, exact money, the calendar. Imports nothing
else of slarules.

    source.py       Source (a named text) and Span (a place in it)
    diagnostics.py  Diagnostic, SlaError, the error codes, rendering with the source line and a caret
    money.py        exact Decimal arithmetic, the contract's rounding, minor units, money formatting
    periods.py      the contract calendar: period labels, their order, contract years
    days.py         calendar and business days: counting them, holidays, a period's last day
    version.py      the installed slarules version, as outputs state it
"""
