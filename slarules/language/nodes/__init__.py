"""The syntax tree of a ruleset: frozen attrs classes, one per contract construct.

parse.py builds these from the Lark tree; nothing else sees Lark. Spans do not
take part in equality, so a ruleset printed and parsed again compares equal to
the original. Nodes hold what was written, not what it means: the check decides
whether it makes sense, compile.py what it does.

This package is the one import place: every node class and union is re-exported
here, and the rest of slarules writes `nodes.ServiceLevel`, never a module of it.
The classes are kept by clause family:

    values.py          names, clause citations, quantities, comparisons, bands, amounts, `measured as` expressions
    contract.py        the header, inputs, parties, reporting duties, reviews, billing (invoicing, indexation)
    period_terms.py    the amount at risk, bonus limit, netting, caps over windows, termination, the
                       critical failure, deliverables
    service_levels.py  a service level and its clauses: measurement, target, volume, credits and bonuses
                       (flat, tables, linear, shortfall), cure, free passes, earn-back, accountability
    ruleset.py         the whole ruleset: header, sections in source order, amendments
"""
from __future__ import annotations

from .contract import (Assessed, Contract, Currency, DefaultValue, HeaderTerm, Indexation, Input, Inputs, Invoicing,
                       MissingIsMiss, Parties, Party, ReportingDuty, Review, Reviews, Rounding, Starts)
from .period_terms import (AtRisk, BelowFloor, BonusLimit, CreditsExceed, CreditsNotAccrued, CriticalFailure,
                           Deliverable, FailureCondition, FailureFloor, FailureManyMissed, ManyMissed, MayTerminate,
                           MissedInARow, MissedInWindow, Netting, Notice, StreakPolicy, Termination, Trigger, Window,
                           WindowCap, WindowLimit, WindowShare, Withhold)
from .ruleset import Amendment, Ruleset, Section
from .service_levels import (DAY_UNITS, Accountable, Allocation, AmendedServiceLevel, Award, Clause, Cure, EarnBack,
                             Flat, Form, FreePasses, Frequency, Gate, LateReport, Linear, Measured, Reported, Row,
                             ServiceLevel, Shortfall, Table, Target, Volume)
from .values import (Amount, AllocationBase, AtRiskBase, Band, Base, BinaryOp, Comparison, ContractClause, Expr,
                     FixedMoney, InputBase, Name, Number, PercentOf, PeriodLength, Quantity, Reference, Share)

__all__ = ["Accountable", "Allocation", "AllocationBase", "AmendedServiceLevel", "Amendment", "Amount", "Assessed",
           "AtRisk", "AtRiskBase", "Award", "Band", "Base", "BelowFloor", "BinaryOp", "BonusLimit", "Clause",
           "Comparison", "Contract", "ContractClause", "CreditsExceed", "CreditsNotAccrued", "CriticalFailure",
           "Cure", "Currency", "DAY_UNITS", "DefaultValue", "Deliverable", "EarnBack", "Expr", "FailureCondition",
           "FailureFloor", "FailureManyMissed", "FixedMoney", "Flat", "Form", "FreePasses", "Frequency", "Gate",
           "HeaderTerm", "Indexation", "Input", "InputBase", "Inputs", "Invoicing", "LateReport", "Linear",
           "ManyMissed", "MayTerminate", "Measured", "MissedInARow", "MissedInWindow", "MissingIsMiss", "Name",
           "Netting", "Notice", "Number", "Parties", "Party", "PercentOf", "PeriodLength", "Quantity", "Reference",
           "Reported", "ReportingDuty", "Review", "Reviews", "Rounding", "Row", "Ruleset", "Section", "ServiceLevel",
           "Share", "Shortfall", "Starts", "StreakPolicy", "Table", "Target", "Termination", "Trigger", "Volume",
           "Window", "WindowCap", "WindowLimit", "WindowShare", "Withhold"]
