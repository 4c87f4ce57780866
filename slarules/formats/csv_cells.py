"""CSV that a spreadsheet opens as data: no cell is read as a formula.

Every CSV slarules writes (billing line items, verify's counterexamples) goes
through csv_writer. As OWASP recommends for CSV exports, a cell beginning with
`=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single quote,
so that Excel, LibreOffice and Google Sheets show it as text instead of running
it: a ruleset named `=x.sla` gives the clause cell `'=x.sla:8`.

A plain decimal number, `-12.50` in an amount column, is kept as it is: it
cannot be a formula, and a spreadsheet or a billing import reads it as the
number it is. So amounts stay importable, and a counterexample CSV stays one
that `slarules evaluate` reads back.
"""
from __future__ import annotations

import csv
import re
from typing import Iterable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(cell: str) -> str:
    """The cell, with a leading quote if a spreadsheet would otherwise read it as a formula."""
    if cell.startswith(_FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


class _SafeWriter:
    def __init__(self, out):
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, cells: Iterable[str]) -> None:
        self._writer.writerow([safe_cell(str(cell)) for cell in cells])


def csv_writer(out) -> _SafeWriter:
    """A csv.writer (rows end in \\n) whose every cell is passed through safe_cell."""
    return _SafeWriter(out)
