"""Spreadsheet safety (issue 11, item 17): no CSV cell slarules writes is read as a formula,
and amounts stay numbers."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from slarules import load, read_history
from slarules.formats.csv_cells import safe_cell

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_that_would_be_a_formula_is_quoted(start):
    assert safe_cell(start + "HYPERLINK(\"http://x\")") == "'" + start + "HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("cell", ["-12.50", "-1", "0.00", "1200.00", "2026-01", "credit", "speed_of_answer", ""])
def test_numbers_labels_and_words_are_kept(cell):
    assert safe_cell(cell) == cell


@pytest.mark.parametrize("cell", ["-1e3", "+12.50", "-12.50+1", "-", "-.5"])
def test_anything_but_a_plain_decimal_starting_like_a_formula_is_quoted(cell):
    assert safe_cell(cell) == "'" + cell


def test_the_clause_column_of_a_ruleset_named_like_a_formula_is_neutralised(tmp_path, monkeypatch):
    data = Path("rulesets/acme_contact_center.csv").resolve()
    shutil.copy("rulesets/acme_contact_center.sla", tmp_path / "=x.sla")
    monkeypatch.chdir(tmp_path)
    ruleset = "=x.sla"
    program = load(ruleset)
    outcome = program.evaluate(read_history(program, data))
    rows = list(csv.reader(io.StringIO(outcome.to_csv())))
    header, body = rows[0], rows[1:]
    assert body and all(not cell.startswith(tuple(FORMULA_STARTS)) or cell.lstrip("-").replace(".", "").isdigit()
                        for row in body for cell in row)
    clause = header.index("clause")
    assert all(row[clause].startswith(f"'{ruleset}:") for row in body)
    # a negative amount (a cap, an earn-back) stays a number a spreadsheet adds up
    amount = header.index("amount")
    assert any(row[amount].startswith("-") for row in body)
    assert all(float(row[amount]) == float(row[amount]) for row in body)
