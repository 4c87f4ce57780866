"""Invoicing: `credits are applied to the next invoice`.

A contract that says so settles every line of a period (credits, caps, withholds,
earn-backs and bonuses alike: netting offsets them on the same invoice) on the next
period's invoice. A line keeps the period it was assessed in (`period`) and names the
invoice it is on (`invoice_period`); the totals of an invoice are those of the period
assessed before it, so netting and the amounts due are worked out per invoice exactly
as per period, and a contract year's or the history's totals stay those of the periods
assessed in it.

The last period's invoice lies beyond the data: the Outcome shows it as due on the next
invoice (Invoice status "next invoice") and the carry keeps it (`next_invoice`, the
assessed period, the invoice period and the figures), so the next billing run, which
continues from that state, bills it first (status "billed"). Billing month by month
thus bills the same invoices, with the same figures, as the whole history does.
A restatement's adjustments land on the next invoice the state has not billed.
"""
from __future__ import annotations

from .ledger import FIGURES
from .outcome import Invoice, PeriodOutcome, Totals


def invoice_period_of(calendar, period: str) -> str:
    """The period whose invoice settles the lines assessed in `period`: the next one."""
    return calendar.label(calendar.index(period) + 1)


def next_invoice_data(last: PeriodOutcome, calendar) -> dict:
    """What the carry keeps of the last period's invoice, due on the next billing run."""
    return {"assessed_period": last.period, "invoice_period": invoice_period_of(calendar, last.period),
            **{name: getattr(last.totals, name) for name in FIGURES}}


def carried_invoice(data: dict | None) -> Invoice | None:
    """The invoice a state carried in, billed by the evaluation that continues it."""
    if data is None:
        return None
    return Invoice(data["invoice_period"], data["assessed_period"], Totals(*(data[name] for name in FIGURES)),
                   "billed")
