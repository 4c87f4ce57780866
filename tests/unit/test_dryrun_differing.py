"""Dry runs across differing terms: data holding the inputs of both rulesets, a renamed
service level (--rename), and the simulation options that need --simulate.

tests/golden/dryrun/acme_transfers.sla is the current Acme terms with first_contact_resolution
renamed `resolution` and a new input, calls_transferred, read by a new service level
`transfers` (at most 10% of calls transferred, USD 2,000 above it);
tests/golden/dryrun/acme_transfers.csv is rulesets/acme_contact_center.csv with a
calls_transferred column: 8% of calls offered, 12% in every fourth month (2026-04, 2026-08,
2026-12, 2027-04, 2027-08, 2027-12).
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from slarules import SlaError, load, read_history
from slarules.interfaces.cli import main
from tests.conftest import ROOT, TESTS

GOLDEN = TESTS / "golden" / "dryrun"
CURRENT = "rulesets/acme_contact_center.sla"
PROPOSED = "tests/golden/dryrun/acme_transfers.sla"
DATA = "tests/golden/dryrun/acme_transfers.csv"
RENAME = ("--rename", "first_contact_resolution=resolution")


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # ruleset paths in the output are relative, as the CLI gives them


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_golden_text(capsys, golden):
    code, out, err = run(capsys, "dry-run", PROPOSED, "--against", CURRENT, DATA, *RENAME)
    assert (code, err) == (0, "")
    golden(out, GOLDEN / "acme_transfers.txt")


def test_golden_json(capsys, golden):
    code, out, err = run(capsys, "dry-run", PROPOSED, "--against", CURRENT, DATA, *RENAME, "--format", "json")
    assert (code, err) == (0, "")
    golden(out, GOLDEN / "acme_transfers.json")


def test_the_current_terms_alone_still_reject_the_extra_column():
    with pytest.raises(SlaError) as err:
        read_history(load(CURRENT), DATA)
    assert err.value.diagnostics[0].code == "SLA304"


def test_each_side_reads_its_own_inputs(capsys):
    data = json.loads(run(capsys, "dry-run", PROPOSED, "--against", CURRENT, DATA, *RENAME, "--format", "json")[1])
    rows = {r["service_level"]: r for r in data["by_service_level"]}
    # transfers: 12% of calls in the six months 2026-04, -08, -12, 2027-04, -08, -12, all above
    # 500 calls offered: 6 x USD 2,000; the current terms have no such service level.
    assert rows["transfers"]["proposed"]["credits"] == "12000.00" and rows["transfers"]["current"] is None
    # The renamed service level has the same clauses on both sides: one row, no difference.
    assert rows["resolution"]["difference"]["net"] == "0.00"
    assert "first_contact_resolution" not in rows
    assert data["renamed"] == [{"current": "first_contact_resolution", "proposed": "resolution"}]
    assert data["totals"]["difference"]["net"] == "12000.00"


def test_without_rename_the_service_level_is_absent_on_one_side_and_new_on_the_other(capsys):
    data = json.loads(run(capsys, "dry-run", PROPOSED, "--against", CURRENT, DATA, "--format", "json")[1])
    rows = {r["service_level"]: r for r in data["by_service_level"]}
    assert rows["resolution"]["current"] is None and rows["first_contact_resolution"]["proposed"] is None


@pytest.mark.parametrize("rename", ["fcr=resolution", "first_contact_resolution=fcr", "no_equals_sign",
                                    "=resolution"])
def test_a_rename_naming_no_service_level_is_a_usage_error(capsys, rename):
    code, out, err = run(capsys, "dry-run", PROPOSED, "--against", CURRENT, DATA, "--rename", rename)
    assert code == 2 and out == "" and "--rename" in err


@pytest.mark.parametrize("option", [("--years", "2"), ("--block", "4"),
                                    ("--distribution", "calls_offered=normal(10000,800)")])
def test_simulation_options_without_simulate_are_usage_errors(capsys, option):
    code, out, err = run(capsys, "dry-run", PROPOSED, "--against", CURRENT, DATA, *option)
    assert code == 2 and out == "" and f"{option[0]} only with --simulate" in err


def test_simulation_over_data_holding_both_sides(capsys):
    code, out, err = run(capsys, "dry-run", PROPOSED, "--against", CURRENT, DATA, *RENAME, "--simulate", "50",
                         "--years", "2", "--format", "json")
    assert (code, err) == (0, "")
    proposed, current = json.loads(out)["simulation"]["rulesets"]
    # Common random numbers: the proposal charges the current credits plus its transfers credits,
    # never less (the at-risk cap aside, which both share).
    assert all(Decimal(p) >= Decimal(c) for p, c in zip(proposed["annual_net"], current["annual_net"]))
