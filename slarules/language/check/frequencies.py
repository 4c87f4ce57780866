"""Service levels assessed less often than the contract (`assessed quarterly` in a
monthly contract): the frequency is longer than the contract's period (SLA255);
a value from the quarter's sums reads only quantities that add up, counts, money
and minutes (SLA256: a percentage, a score, a ratio or an average in seconds is
averaged only when the clause says `the average of the monthly values of`);
what counts its periods (a run of misses, an earn-back streak, a cure window)
counts whole quarters (SLA257); `the average of the monthly values` names the
contract's period, in a service level assessed less often (SLA258); and an
amendment keeps how often a service level is assessed (SLA259).
"""
from __future__ import annotations

from ...core.periods import MONTHS_IN, MONTHS_PER_PERIOD, PERIOD_NOUN
from .. import nodes
from .base import Checks

# Units whose values over the months add up to the quarter's: what a quarter's sums may read.
ADDITIVE_UNITS = ("count", "money", "minutes")


class FrequencyChecks(Checks):
    """Each service level's `assessed` clause and `the average of the ... values of`."""

    def frequency(self, sl: nodes.ServiceLevel) -> None:
        frequency, measured = sl.frequency, sl.measured
        averaged = measured.averaged if measured is not None else None
        if frequency is None:
            if averaged is not None:
                self.error("SLA258", f"'{sl.name.text}' averages the {averaged} values, but it is assessed "
                           f"{self.periodicity} like the contract", measured.span,
                           "add 'assessed quarterly' (or yearly) to the service level, or measure it directly")
            return
        months = MONTHS_PER_PERIOD[frequency.periodicity]
        contract_months = MONTHS_PER_PERIOD[self.periodicity]
        if months <= contract_months:
            self.error("SLA255", f"'{sl.name.text}' is assessed {frequency.periodicity}, but the contract is "
                       f"assessed {self.periodicity}", frequency.span,
                       "a service level may be assessed less often than the contract (quarterly or yearly in a "
                       "monthly contract, yearly in a quarterly one); leave the clause out to assess it "
                       f"{self.periodicity}")
            return
        noun = PERIOD_NOUN[frequency.periodicity]
        if averaged is not None and averaged != self.periodicity:
            self.error("SLA258", f"'the average of the {averaged} values' but the contract is assessed "
                       f"{self.periodicity}", measured.span,
                       f"write 'the average of the {self.periodicity} values of'")
        if averaged is None and measured is not None:
            read = _names(measured.expr) + ([sl.volume.input.text] if sl.volume is not None else [])
            for name in read:
                unit = self.units.get(name)
                if unit is not None and unit not in ADDITIVE_UNITS:
                    self.error("SLA256", f"'{sl.name.text}' is assessed {frequency.periodicity} from the sums of "
                               f"its inputs, but '{name}' is in {unit}, which does not add up over the "
                               f"{PERIOD_NOUN[self.periodicity]}s", measured.span,
                               f"write 'measured as the average of the {self.periodicity} values of ...' if the "
                               f"contract averages them; only counts, money and minutes are summed")
                    break
        counted = [(sl.cure, sl.cure.periods if sl.cure else None, "cure window"),
                   (sl.earn_back, sl.earn_back.after if sl.earn_back else None, "earn-back streak")]
        counted += [(t, t.trigger.count, "run of misses") for t in self.ruleset.of_type(nodes.Termination)
                    if isinstance(t.trigger, nodes.MissedInARow) and t.trigger.service_level.text == sl.name.text]
        for clause, count, what in counted:
            if clause is None or count is None:
                continue
            unit = clause.trigger.unit if isinstance(clause, nodes.Termination) else clause.unit
            length = count * (contract_months if unit == "period" else MONTHS_IN[unit])
            if length % months:
                self.error("SLA257", f"'{sl.name.text}' is assessed {frequency.periodicity}, but its {what} is "
                           f"{count} {unit}{'s' * (count != 1)}, not a whole number of {noun}s", clause.span,
                           f"count it in {noun}s: a {noun} is the period in which '{sl.name.text}' is met or missed")

    def amended_frequencies(self, amendment: nodes.Amendment) -> None:
        for item in amendment.items:
            if isinstance(item, nodes.AmendedServiceLevel):
                for clause in item.clauses:
                    if isinstance(clause, nodes.Frequency):
                        self.error("SLA259", f"an amendment cannot change how often '{item.name.text}' is "
                                   "assessed", clause.span,
                                   "a quarter under way would be cut in two; agree a new service level instead")


def _names(expr: nodes.Expr) -> list[str]:
    if isinstance(expr, nodes.Reference):
        return [expr.name.text]
    if isinstance(expr, nodes.BinaryOp):
        return _names(expr.left) + _names(expr.right)
    return []
