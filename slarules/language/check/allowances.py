"""Allowances that are a share of another input: `target: at most 3% of opened`,
`credit: USD 8 per ticket above 3% of opened, only whole tickets count`.

Such a threshold is worked out each period, so nothing can compare it with a fixed
number at check time. The check makes sure it can be worked out and means what it
says: written `N% of INPUT` (SLA239), INPUT declared and in the KPI's own unit, since
3% of a count is a count (SLA237); and that the service level uses it as a whole: a
share target takes a flat or per-unit credit or bonus whose threshold is a share of
the same input on the right side of it, never a tier table, the shortfall or the
contract-year average, which need a fixed target (SLA238).
"""
from __future__ import annotations

from .. import nodes, printer
from ..semantics import higher_is_better
from .base import Checks
from .quantities import _UNIT_PHRASE


class AllowanceChecks(Checks):
    """Thresholds that are a share of another input."""

    def share(self, share: nodes.Share, kpi_unit: str, sl: nodes.ServiceLevel, clause) -> bool:
        """Whether `N% of INPUT` can stand for a threshold of `sl`, whose KPI is in `kpi_unit`."""
        ok = True
        if share.unit != "percent":
            written = printer.quantity(nodes.Quantity(share.percent, share.unit))
            self.error("SLA239", f"'{printer.quantity(share)}': an allowance is a percentage of an input, not "
                       f"{written} of it", share.span,
                       f"write '{printer.quantity(nodes.Share(share.percent, 'percent', share.base))}'")
            ok = False
        if not self.name_known(share.base, self.units, "input"):
            return False
        self.used_inputs.add(share.base.text)
        base_unit = self.units[share.base.text]
        if base_unit != kpi_unit:
            self.error("SLA237", f"'{printer.quantity(share)}' is {_UNIT_PHRASE.get(base_unit, base_unit)}, but "
                       f"'{sl.name.text}' is {_UNIT_PHRASE.get(kpi_unit, kpi_unit)}: a share of an input is in "
                       "the input's unit, so it can only be compared with a KPI in the same unit",
                       clause.span, *_unit_fixes(share, kpi_unit))
            ok = False
        return ok

    def shares_fit(self, sl: nodes.ServiceLevel):
        """A service level with a share target uses it throughout (see the module docstring)."""
        target = sl.target.comparison.quantity if sl.target is not None else None
        target_share = target if isinstance(target, nodes.Share) else None
        for award in (sl.credit, sl.bonus):
            if award is None:
                continue
            form = award.form
            threshold = form.threshold if isinstance(form, nodes.Linear) else None
            if target_share is not None and not isinstance(form, (nodes.Flat, nodes.Linear)):
                self.error("SLA238", f"the target '{printer.comparison(sl.target.comparison)}' is worked out each "
                           f"period, so a {award.kind} that compares the value with fixed numbers cannot be set "
                           "against it", award.span,
                           f"write a flat {award.kind} ('{award.kind}: 2% of monthly_fee') or one per unit beyond the "
                           f"allowance ('{award.kind}: USD 8 per ticket {_beyond(sl, award)} "
                           f"{printer.quantity(target_share)}, only whole tickets count')")
            elif isinstance(threshold, nodes.Share) and target_share is None:
                self.error("SLA238", f"the threshold '{printer.quantity(threshold)}' is worked out each period but "
                           f"the target '{printer.comparison(sl.target.comparison)}' is a fixed number",
                           threshold.span, "state the target as a share of the same input, as in 'target: at most "
                           f"{printer.quantity(threshold)}'")
            elif target_share is not None and isinstance(form, nodes.Linear):
                self._threshold_fits(sl, award, target_share, threshold)
        if target_share is not None and sl.earn_back is not None and sl.earn_back.after is None:
            self.error("SLA238", "an earn-back when the contract year average meets the target needs a fixed "
                       f"target; '{printer.comparison(sl.target.comparison)}' is worked out each period",
                       sl.earn_back.span, "write 'earn back: N% of its credits after N consecutive met months'")

    def _threshold_fits(self, sl, award: nodes.Award, target: nodes.Share, threshold):
        """A per-unit amount under a share target counts from a share of the same input, on the
        side of the target where the amount is due (a credit's no nearer the met side than it)."""
        if not isinstance(threshold, nodes.Share):
            self.error("SLA238", f"the target '{printer.comparison(sl.target.comparison)}' is worked out each period "
                       f"but this {award.kind} counts from the fixed number '{printer.quantity(threshold)}'",
                       threshold.span, f"count from the same allowance: '{_beyond(sl, award)} "
                       f"{printer.quantity(target)}'")
            return
        if threshold.base.text != target.base.text:
            self.error("SLA238", f"the target is a share of '{target.base.text}' but this {award.kind} counts from a "
                       f"share of '{threshold.base.text}'", threshold.span,
                       f"count from a share of '{target.base.text}', as in '{_beyond(sl, award)} "
                       f"{printer.quantity(target)}'")
            return
        higher = higher_is_better(sl.target)
        credit = award.kind == "credit"
        nearer_met = threshold.percent > target.percent if higher else threshold.percent < target.percent
        if credit and nearer_met:
            self.error("SLA238", f"the credit counts from {printer.quantity(threshold)}, on the met side of the "
                       f"target '{printer.comparison(sl.target.comparison)}': it would be due for values that meet it",
                       threshold.span, f"count from the target's allowance or beyond it: "
                       f"'{_beyond(sl, award)} {printer.quantity(target)}'")


def _beyond(sl: nodes.ServiceLevel, award: nodes.Award) -> str:
    """The side word of a per-unit amount that pays for a miss (credit) or a margin (bonus)."""
    higher = higher_is_better(sl.target)
    return ("below" if higher else "above") if award.kind == "credit" else ("above" if higher else "below")


def _unit_fixes(share: nodes.Share, kpi_unit: str) -> tuple[str, ...]:
    """What to write instead of a share in another unit than the KPI."""
    fixes = [f"take the share of an input that is {_UNIT_PHRASE.get(kpi_unit, kpi_unit)}"]
    if kpi_unit == "percent":  # `late / opened, in percent` against `at most 3% of opened`: meant 3%
        fixes.append(f"a KPI measured in percent compares with a plain percentage: write "
                     f"'{printer.quantity(nodes.Quantity(share.percent, 'percent'))}'")
    return tuple(fixes)
