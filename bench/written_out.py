"""The Acme contract written out by hand with the outcome slarules keeps: a yardstick.

bench/run.py's `hand_written` computes only the money. `written_out` computes, as plainly
as one Python function can, everything an evaluation of rulesets/acme_contact_center.sla
keeps of a period: each service level's value (in the evaluator's 34-digit context), status
and note; a line per credit, bonus, cap and earn-back (a clause constant, the amount, what
its sentence reads: the record an Outcome keeps and builds its sentence from when read);
the money per service level; the cure window's held line; the earn-back's contract-year
counters; and the termination rights of C.5 with their reasons. It assumes what
bench/run.py's months are (consecutive from 2026-01, every input but the quality score
reported, no events), which the evaluator cannot.

bench/instructions.py counts it as the phase "written out", and bench/run.py times it in
turn with the evaluation and the hand-written function (full collections held off while
its records pile up, as an evaluation holds them off): the evaluation over it is the cost
of being a general evaluator of any ruleset, not of the audit trail; its own over the
hand-written function's, the cost of the audit trail.
tests/unit/test_bench_written_out.py holds it to the evaluator's outcome period by period.
"""
from __future__ import annotations

import decimal
from collections import deque
from decimal import ROUND_CEILING, Decimal

from run import (ABANDONMENT_CAP, AT_RISK, BONUS_LIMIT, EARN_BACK_RATE, FCR_CREDIT_BELOW_60, FCR_CREDIT_BELOW_65,
                 FCR_CREDIT_BELOW_70, FIRST_YEAR, HUNDRED, QUALITY_BONUS, QUALITY_CAP, QUALITY_PER_POINT,
                 SOA_BONUS_AT_85, SOA_BONUS_AT_90, SOA_CREDIT_BELOW_70, SOA_CREDIT_BELOW_75, SOA_CREDIT_BELOW_80, cents)

from slarules.core.money import CONTEXT
from slarules.engine.outcome import no_full_collections

ZERO = Decimal("0.00")
ONE_PERCENT = Decimal("0.01")  # C.2.2: of the fee, per point
NOT_MEASURED = "measured only when calls_offered is at least 500"
NO_QUALITY_SCORE = "quality_score not reported; missing counts as a miss"

# The clause behind each kind of line (what the evaluator's line heads stand for).
SOA_ROW_70, SOA_ROW_75, SOA_ROW_80 = "C.2.1(a) below 70%", "C.2.1(a) 70% to 75%", "C.2.1(a) 75% to 80%"
SOA_BONUS_90, SOA_BONUS_85, SOA_EARN_BACK = "C.2.1 bonus 90%", "C.2.1 bonus 85%", "C.2.1(b)"
ABANDONMENT, ABANDONMENT_LIMIT = "C.2.2", "C.2.2 cap"
FCR_ROW_60, FCR_ROW_65, FCR_ROW_70, FCR_DUE = "C.2.3 below 60%", "C.2.3 60% to 65%", "C.2.3 65% to 70%", "C.2.3(b)"
QUALITY, QUALITY_LIMIT, QUALITY_UNREPORTED, QUALITY_BONUS_95 = "C.2.4", "C.2.4 cap", "C.2.4 maximum", "C.2.4 bonus"
AT_RISK_CAP, BONUS_LIMIT_CAP = "C.3", "C.4"


def label_of(index: int) -> str:
    year, month = divmod(index, 12)
    return "%04d-%02d" % (FIRST_YEAR + year, month + 1)


def capped(lines, clause, cap_clause, credit, limit, value, points, values) -> Decimal:
    """A credit per point: its line, and its cap's line when the cap binds; the credit charged."""
    lines.append((clause, credit, value, None, points, values))
    if credit > limit:
        lines.append((cap_clause, limit - credit, values, credit, limit))
        return limit
    return credit


def written_out(months) -> list[tuple]:
    """Per month (a PeriodData: its label and values): (period, contract year, lines, rights,
    credits, earned back, bonuses, then value, status and note of speed of answer, abandonment,
    first contact resolution, quality)."""
    with decimal.localcontext(CONTEXT), no_full_collections():  # as an evaluation holds them off
        return _written_out(months)


def _written_out(months) -> list[tuple]:
    periods = []
    money = [[ZERO, ZERO, ZERO] for _ in range(4)]  # per service level: credits, earned back, bonuses
    fcr_held = None  # C.2.3(b): (month it falls due, month of the miss, its line)
    soa_outstanding, soa_met_run = ZERO, 0  # C.2.1(b)
    year_credits, year_sum, year_count, year = ZERO, ZERO, 0, 1  # the contract year's, for any yearly earn-back
    run = []  # C.5(a): speed of answer missed 3 months in a row
    recent, misses = deque(), 0  # C.5(b): missed 4 times in any 12 months
    arisen_in_a_row = arisen_in_window = 0

    for index, month in enumerate(months):
        label, values = month.label, month.values
        if index // 12 + 1 != year:
            year, year_credits, year_sum, year_count = index // 12 + 1, ZERO, ZERO, 0
        fee, calls, quality = values["monthly_fee"], values["calls_offered"], values.get("quality_score")
        lines, credits, bonuses = [], ZERO, ZERO

        # Values and statuses first: a bonus sees whether a critical service level is missed.
        speed = values["answered_in_20s"] / calls * HUNDRED
        abandonment = values["abandoned"] / calls * HUNDRED
        resolution = values["resolved_first_call"] / calls * HUNDRED
        if calls >= 500:
            soa = "met" if speed >= 80 else "missed"
            abandonment_status = "met" if abandonment <= 5 else "missed"
            fcr = "met" if resolution >= 70 else "missed"
            soa_note = abandonment_note = fcr_note = None
        else:
            soa = abandonment_status = fcr = "not measured"
            soa_note = abandonment_note = fcr_note = NOT_MEASURED
        quality_status = "met" if quality is not None and quality >= 90 else "missed"
        quality_note = NO_QUALITY_SCORE if quality is None else None

        # C.2.1 speed of answer: the most severe row; the best bonus row unless quality is missed.
        soa_credit = ZERO
        if soa == "missed":
            fraction, row = ((SOA_CREDIT_BELOW_70, SOA_ROW_70) if speed < 70 else
                             (SOA_CREDIT_BELOW_75, SOA_ROW_75) if speed < 75 else (SOA_CREDIT_BELOW_80, SOA_ROW_80))
            soa_credit = cents(fee * fraction)
            lines.append((row, soa_credit, speed, None, None, values))
            money[0][0] += soa_credit
            soa_met_run = 0
        elif soa == "met":
            soa_met_run += 1
            if speed >= 85:
                if quality_status == "missed":
                    soa_note = "bonus withheld: critical quality missed"
                else:
                    fraction, row = (SOA_BONUS_AT_90, SOA_BONUS_90) if speed >= 90 else (SOA_BONUS_AT_85, SOA_BONUS_85)
                    bonus = cents(fee * fraction)
                    lines.append((row, bonus, speed, None, None, values))
                    bonuses += bonus
                    money[0][2] += bonus
        credits += soa_credit

        # C.2.2 abandonment: 1% of the fee per point above 5%, part points whole, at most 4%.
        if abandonment_status == "missed":
            points = (abandonment - 5).to_integral_value(ROUND_CEILING)
            credit = capped(lines, ABANDONMENT, ABANDONMENT_LIMIT, cents(points * (fee * ONE_PERCENT)),
                            cents(fee * ABANDONMENT_CAP), abandonment, points, values)
            credits += credit
            money[1][0] += credit

        # C.2.3 first contact resolution: a miss's credit is held for a month, cured by meeting it.
        if fcr == "missed":
            fraction, row = ((FCR_CREDIT_BELOW_60, FCR_ROW_60) if resolution < 60 else
                             (FCR_CREDIT_BELOW_65, FCR_ROW_65) if resolution < 65 else (FCR_CREDIT_BELOW_70, FCR_ROW_70))
            held = (cents(fee * fraction), row, resolution, values)
            fcr, fcr_note = "in cure", f"in cure until {label_of(index + 1)} (cure: within 1 month)"
        elif fcr == "met" and fcr_held is not None:
            fcr, fcr_note, fcr_held = "cured", f"cures the miss of {fcr_held[1]}", None
        if fcr_held is not None:  # due now: not cured
            amount = fcr_held[2][1]
            lines.append((FCR_DUE, amount, fcr_held[1], label, fcr_held[2]))
            credits += amount
            money[2][0] += amount
            fcr_held = None
        if fcr == "in cure":
            fcr_held = (index + 1, label, (held[1], held[0], held[2], None, None, held[3]))

        # C.2.4 quality (critical, always measured): 500 a point below 90, at most 3,000; a bonus at 95.
        if quality is None:
            credit = cents(QUALITY_CAP)
            lines.append((QUALITY_UNREPORTED, credit, None, quality_note, None, values))
            credits += credit
            money[3][0] += credit
        elif quality_status == "missed":
            points = (90 - quality).to_integral_value(ROUND_CEILING)
            credit = capped(lines, QUALITY, QUALITY_LIMIT, cents(points * QUALITY_PER_POINT), cents(QUALITY_CAP),
                            quality, points, values)
            credits += credit
            money[3][0] += credit
        elif quality >= 95:
            bonus = cents(QUALITY_BONUS)
            lines.append((QUALITY_BONUS_95, bonus, quality, None, None, values))
            bonuses += bonus
            money[3][2] += bonus

        # C.3 at-risk cap; C.2.1(b) earn-back of the speed of answer credits as charged; C.4 bonus limit.
        own_credits = credits
        if credits:
            limit = cents(fee * AT_RISK)
            if credits > limit:
                lines.append((AT_RISK_CAP, limit - credits, values, credits, limit))
                credits = limit
        charged = soa_credit * credits / own_credits if credits != own_credits else soa_credit
        soa_outstanding += charged
        year_credits += charged
        if soa == "met":
            year_sum += speed
            year_count += 1
        earned_back = ZERO
        if soa_met_run >= 3 and soa_outstanding > 0:
            earned_back = cents(soa_outstanding * EARN_BACK_RATE)
            lines.append((SOA_EARN_BACK, -earned_back, earned_back, soa_outstanding, soa_met_run, None))
            money[0][1] -= earned_back
            soa_outstanding, soa_met_run = ZERO, 0
        if bonuses:
            limit = cents(fee * BONUS_LIMIT)
            if bonuses > limit:
                lines.append((BONUS_LIMIT_CAP, limit - bonuses, values, bonuses, limit))
                bonuses = limit

        # C.5 termination rights: (period, reason, the periods that caused it, occurrence).
        rights = ()
        if soa == "missed":
            run.append(label)
            if len(run) >= 3:
                arisen_in_a_row += 1
                rights += (label, "speed_of_answer missed 3 months in a row", tuple(run), arisen_in_a_row),
                run = []
        elif soa == "met":
            run = []
        while recent and recent[0][0] <= index - 12:
            misses -= recent.popleft()[2]
        missed = soa == "missed"
        recent.append((index, label, missed))
        misses += missed
        if misses >= 4:
            arisen_in_window += 1
            missed_in = tuple(entry[1] for entry in recent if entry[2])
            rights += (label, f"speed_of_answer missed {len(missed_in)} times from {recent[0][1]} to {label}",
                       missed_in, arisen_in_window),
            recent.clear()
            misses = 0

        periods.append((label, year, lines, rights, credits, earned_back, bonuses,
                        speed, soa, soa_note, abandonment, abandonment_status, abandonment_note,
                        resolution, fcr, fcr_note, quality, quality_status, quality_note))
    return periods
