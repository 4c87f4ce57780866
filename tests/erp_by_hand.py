"""The outcome of rulesets/erp_implementation.sla computed by hand from its wording, its
data (rulesets/erp_implementation.csv) and its events (bank holidays, milestone dates),
in test_rulesets.py's Month form: (statuses, credits, bonuses, lines).

Minutes in the month: 44,640 in a 31-day month, 43,200 in a 30-day one, 40,320 in
February 2026. Charges 40,000.00 to June, 48,000.00 from July; at risk 10%. Business
days: Monday to Friday except the bank holidays of the events file (2026-04-03, -04-06,
-05-04, -05-25, -08-31, -12-25, -12-28).

Cure in days: a miss is assessed on the month's last day; the window closes N days
later; the months ending on or before that day can cure it; uncured, its credit falls
due in the month the window closes. Availability (30 days): a miss in January closes
on 2 March (February counts), in February on 30 March, in April on 30 May, in June,
July or September on the 30th of the next month (the next month ends on the 31st: no
month counts), in May on 30 June (June counts), in August on 30 September (September
counts). P1 resolution (45 business days): March's window closes 2026-06-08 (April and
May count; due June); June's 2026-09-02 (July, August; due September); July's
2026-10-05 (August, September; due October); September's 2026-12-02 (October,
November; due December).
"""

ERP_BY_HAND = {
    # Availability (44,640 - 100) / 44,640 = 99.776%; no Priority 1 Incident: not measured.
    "2026-01": ("m-", "0.00", "0.00", ()),
    # Availability (40,320 - 300) / 40,320 = 99.256%: below 99.5%, 5% of 40,000.00 = 2,000.00
    # held; its window closes 2026-03-30, before March ends: no month can cure it. P1 4/4.
    "2026-02": ("im", "0.00", "0.00", ()),
    # Availability 99.776% met, but March ends after February's window closed: February's
    # 2,000.00 charged. P1 4/5 = 80%: 4% = 1,600.00 held (window to 2026-06-08).
    "2026-03": ("mi", "2000.00", "0.00", (("availability", "credit", "2000.00"),)),
    # Availability (43,200 - 500) / 43,200 = 98.8426%: below 99%, 12% = 4,800.00 held (window
    # closes 2026-05-30, no month counts). Solution Design due 2026-03-13, accepted
    # 2026-04-10: 28 calendar days x 750 = 21,000.00, under 50% of 120,000.00; not a
    # service credit, so outside the amount at risk.
    "2026-04": ("i-", "21000.00", "0.00", (("design", "late delivery", "21000.00"),)),
    # Availability (44,640 - 250) / 44,640 = 99.44%: 5% = 2,000.00 held (window to 2026-06-30,
    # June counts). April's 4,800.00 falls due: above the 4,000.00 at risk, cap -800.00.
    # P1 3/3 met: cures March.
    "2026-05": ("ic", "4000.00", "0.00", (("availability", "credit", "4800.00"),
                                          (None, "credit cap", "-800.00"))),
    # Availability (43,200 - 50) / 43,200 = 99.88%: cures May. P1 3/4 = 75%: 1,600.00 held.
    # Data migration due Friday 2026-05-22, delivered Wednesday 2026-06-03: Monday 25 May is
    # a bank holiday, two weekends out; 26-29 May and 1-3 June: 7 business days x 1,000.
    "2026-06": ("ci", "7000.00", "0.00", (("data_migration", "late delivery", "7000.00"),)),
    # Availability (44,640 - 300) / 44,640 = 99.328%: 5% of 48,000.00 = 2,400.00 held. P1 1/2
    # = 50%: 4% = 1,920.00 held. Its third miss within six months: termination right.
    "2026-07": ("ii", "0.00", "0.00", ()),
    # Availability 99.328% again: 2,400.00 held (window to 2026-09-30, September counts);
    # July's 2,400.00 falls due. Go-live due 2026-06-30, delivered 2026-08-03: 34 days x
    # 2,500 = 85,000.00, capped at 10% of 200,000.00 = 20,000.00. Training, due 2026-08-14,
    # delivered 2026-08-12: on time, no line.
    "2026-08": ("i-", "22400.00", "0.00", (("availability", "credit", "2400.00"),
                                           ("go_live", "late delivery", "20000.00"))),
    # Availability (43,200 - 300) / 43,200 = 99.3056%: 2,400.00 held; August's window closes
    # uncured: 2,400.00. P1 2/3 = 66.67%: 1,920.00 held; June's window closes: 1,600.00.
    # Third availability miss in a row: termination right.
    "2026-09": ("ii", "4000.00", "0.00", (("availability", "credit", "2400.00"),
                                          ("p1_resolution", "credit", "1600.00"))),
    # Availability met, but September's window closed on 2026-10-30, before October ends:
    # 2,400.00 charged. No P1 incident; July's window closes: 1,920.00. 4,320.00 < 4,800.00.
    "2026-10": ("m-", "4320.00", "0.00", (("availability", "credit", "2400.00"),
                                          ("p1_resolution", "credit", "1920.00"))),
    # (43,200 - 100) / 43,200 = 99.77%; P1 5/5 cures September.
    "2026-11": ("mc", "0.00", "0.00", ()),
    # All met.
    "2026-12": ("mm", "0.00", "0.00", ()),
}

# Each deliverable on the last day of the data, 2026-12-31: (status, delivered, billed in,
# days late, credit). The hypercare report, due Tuesday 2026-12-15, is not delivered:
# 16-18, 21-24, 29-31 December are 10 business days (25 and 28 are bank holidays) x 400
# = 4,000.00 so far, under 50% of 30,000.00, shown and not billed.
ERP_DELIVERABLES = [
    ("design", "late", "2026-04-10", "2026-04", 28, "21000.00"),
    ("data_migration", "late", "2026-06-03", "2026-06", 7, "7000.00"),
    ("go_live", "late", "2026-08-03", "2026-08", 34, "20000.00"),
    ("training", "on time", "2026-08-12", "2026-08", 0, "0.00"),
    ("hypercare_report", "accruing", None, None, 10, "4000.00"),
]
