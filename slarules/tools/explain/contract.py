"""Part 1 and part 2 of the document: the contract's header (currency,
rounding, assessment period, start and contract years) and the reported
figures (each input: its unit, what happens when it is missing, whether any
term reads it).
"""
from __future__ import annotations

import attrs

from ...core.money import minor_unit_digits
from ...language import nodes
from .clauses import Clause
from .terms import Terms
from .words import _and, _code, _month, _plain, _qty


_INPUT_UNIT = {"percent": "a percentage", "seconds": "a duration in seconds", "minutes": "a duration in minutes",
               "count": "a count", "score": "a score", "ratio": "a ratio", "index": "a price index"}


class ContractTerms(Terms):
    """The contract's header and the reported figures."""

    def header_clauses(self) -> list[Clause]:
        header, contract = self.header, self.ruleset.contract
        clauses = []
        currency = header.get(nodes.Currency)
        clauses.append(Clause("1.1", "Currency", f"All amounts are in {self.currency}.",
                              (self.ref(currency or contract),)))
        rounding = header.get(nodes.Rounding)
        clauses.append(Clause("1.2", "Rounding", self.rounding_text(rounding),
                              (self.ref(rounding) if rounding else self.default_ref(),)))
        assessed = header.get(nodes.Assessed)
        clauses.append(Clause("1.3", "Assessment period", self.assessed_text(assessed is None),
                              (self.ref(assessed) if assessed else self.default_ref(),)))
        starts = header.get(nodes.Starts)
        clauses.append(Clause("1.4", "Start and contract years", self.starts_text(starts),
                              (self.ref(starts or contract),)))
        return clauses + self.role_clauses(5)

    def rounding_text(self, rounding: nodes.Rounding | None) -> str:
        mode = rounding.mode if rounding else "half up"
        digits = minor_unit_digits(self.currency)
        if rounding is not None and rounding.minor_unit is not None:
            digits = 2 if rounding.minor_unit == "cents" else 0
        if digits == 0:
            step, unit = f"a whole {self.currency}", f"whole {self.currency}"
        elif digits == 2:
            step, unit = "a cent", f"the cent (0.01 {self.currency})"
        else:
            step, unit = f"0.{'0' * (digits - 1)}1 {self.currency}", f"0.{'0' * (digits - 1)}1 {self.currency}"
        how = {
            "half up": f"to the nearest {unit.removeprefix('the ')}, an amount exactly halfway rounded up",
            "half even": f"to the nearest {unit.removeprefix('the ')}, an amount exactly halfway rounded to the "
                         "even one (banker's rounding)",
            "half down": f"to the nearest {unit.removeprefix('the ')}, an amount exactly halfway rounded down",
            "up": f"up to {unit}: any part of {step} counts as a whole one",
            "down": f"down to {unit}: any part of {step} is dropped",
        }[mode]
        text = ("Each credit, bonus, cap, earn-back and forfeit is worked out exactly and rounded once, where it "
                f"is worked out, {how}. Totals are the plain sums of those rounded amounts and are not rounded "
                "again.")
        if rounding is None:
            text = "The ruleset states no rounding, so the default applies. " + text
        return text

    def assessed_text(self, default: bool) -> str:
        what = {"monthly": "each calendar month", "quarterly": "each calendar quarter (January to March, April "
                "to June, July to September, October to December)", "yearly": "each calendar year"}[self.periodicity]
        text = (f"Performance is assessed {self.periodicity}: every service level is measured, and every credit "
                f"and bonus is worked out, for {what}.")
        if self.periodicity != "monthly":
            text += (f" Where a term counts months (a window of 12 months), it is read as the {self.nouns} "
                     "those months make up.")
        if default:
            text = "The ruleset states no assessment period, so the default applies. " + text
        return text

    def starts_text(self, starts: nodes.Starts | None) -> str:
        if starts is None:
            return "The ruleset states no start."
        year, month = map(int, starts.month.split("-"))
        end_year, end_month = (year, month - 1) if month > 1 else (year - 1, 12)
        end = _month(f"{end_year + 1:04d}-{end_month:02d}")
        return (f"The contract starts in {_month(starts.month)}. Contract year 1 runs from {_month(starts.month)} "
                f"to {end}, and each later contract year is the twelve months after the one before. Terms "
                "stated per contract year run by these years, not by calendar years.")

    def input_clauses(self) -> list[Clause]:
        clauses = []
        for i, inp in enumerate(self.ruleset.inputs, 1):
            clauses.append(Clause(f"2.{i}", _code(inp.name.text), self.input_text(inp), (self.ref(inp),)))
        return clauses

    def input_text(self, inp: nodes.Input) -> str:
        kind = f"an amount of money in {self.currency}" if inp.unit == "money" else _INPUT_UNIT[inp.unit]
        text = (f"\u201c{_plain(inp.description)}\u201d: {kind}." if inp.description
                else f"{kind[0].upper()}{kind[1:]}.")
        if isinstance(inp.missing, nodes.DefaultValue):
            value = inp.missing.value
            shown = self.money(value) if inp.unit == "money" else _qty(value, inp.unit)
            text += f" If it is not reported for a {self.noun}, {shown} is used."
        elif isinstance(inp.missing, nodes.MissingIsMiss):
            readers = [sl for sl in self.ruleset.service_levels if inp.name.text in self.reads(sl)]
            if readers:
                names = _and([self.sl_ref(sl.name.text) for sl in readers])
                who = "each service level that reads it" if len(readers) > 1 else "the service level that reads it"
                text += (f" If it is not reported for a {self.noun}, that is not an error: {who}, {names}, counts "
                         f"as missed that {self.noun}, and its credit is the most its clause allows.")
            else:
                text += (f" If it is not reported for a {self.noun}, that counts as a miss of every service level "
                         "that reads it; none does.")
        elif inp.unit == "index":
            text = text[:-1] + "; read only where the indexation of amounts needs it."
        else:
            text = text[:-1] + "; required."
        text += self.reporting_text(inp)
        if inp.name.text not in self.used_inputs():
            text += " No term below uses it."
        return text

    def used_inputs(self) -> set[str]:
        """The inputs some term reads: a measurement, a volume condition, an amount's or a limit's base."""
        used: set[str] = set()

        def walk(value):
            if isinstance(value, (nodes.InputBase, nodes.Reference)):
                used.add(value.name.text)
            elif isinstance(value, nodes.Volume):
                used.add(value.input.text)
            elif isinstance(value, nodes.WindowShare):
                used.add(value.base.text)
            elif isinstance(value, nodes.Indexation):
                used.add(value.index.text)
            if isinstance(value, tuple):
                for item in value:
                    walk(item)
            elif attrs.has(type(value)):
                for field in attrs.fields(type(value)):
                    if field.name not in ("span", "source"):
                        walk(getattr(value, field.name))

        walk(self.ruleset.sections)
        return used
