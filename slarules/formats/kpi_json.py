"""KPI data in JSON: {"periods": [{"period": "2026-01", "monthly_fee": "60000.00", ...}],
"events": [...]}, read whole, numbers exact (a JSON number is read as a Decimal);
places in it are named by their path (`periods[3].monthly_fee`).
"""
from __future__ import annotations

import json
import sys
from decimal import Decimal

from ..core.source import span_at
from .kpi_reader import DataReader


class JsonReading(DataReader):
    """A JSON data document's periods, and its events (through EventReading's add_event:
    the reader has both)."""

    def json(self) -> None:
        try:
            document = json.loads(self.source.text, parse_float=Decimal, parse_int=Decimal)
        except json.JSONDecodeError as err:
            self.error("SLA301", f"not valid JSON: {err.msg}", span_at(self.source, err.lineno, err.colno))
            return
        except RecursionError:
            self.error("SLA301", f"brackets nest deeper than the JSON reader follows (about {sys.getrecursionlimit():,} "
                       "levels)", None, 'a data file nests three: {"periods": [{"period": ...}]}', place="top level")
            return
        self.json_document(document)

    def json_document(self, document, where: str = "") -> None:
        """Check a data document's periods and events; `where` (`subjects[2].`) prefixes every place."""
        periods = document.get("periods") if isinstance(document, dict) else None
        if not isinstance(periods, list):
            self.error("SLA301", 'expected an object {"periods": [...]} with one object per period',
                       place=where.removesuffix(".") or "top level")
            return
        unknown = sorted(set(document) - {"periods", "events"})
        if unknown:
            self.error("SLA304", f"unknown key '{unknown[0]}'; the top level has \"periods\" and \"events\"",
                       place=where.removesuffix(".") or "top level")
        for index, entry in enumerate(periods):
            place = f"{where}periods[{index}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("period"), str):
                self.error("SLA308", 'each period must be an object with a "period" label', place=place)
                continue
            cells = []
            for name, value in entry.items():
                if name == "period":
                    continue
                if name not in self.columns:
                    self.unknown_input(name, None, place)
                    continue
                cells.append((name, value, None, f"{place}.{name}"))
            self.add_period(entry["period"], None, cells, place=place)
        events = document.get("events", [])
        if not isinstance(events, list):
            self.error("SLA308", '"events" must be a list of objects', place=f"{where}events")
            return
        for number, entry in enumerate(events):
            self.add_event(entry, None, f"{where}events[{number}]")
