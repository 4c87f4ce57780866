"""A living contract: fingerprints, a state that survives edits that leave billed terms
alone, and restatements of billed periods with corrected data.

The ruleset: a 2% credit of the fee (60,000.00, so 1,200.00) when soa is below 80%,
with a one-month cure window; a right to terminate after 3 misses in a row."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from slarules import SlaError, compile_source
from slarules.core.diagnostics import render
from slarules.core.source import Source
from slarules.formats.ledger_file import read_state_file
from slarules.interfaces.cli import main
from slarules.language.fingerprint import fingerprint
from slarules.language.fmt import format_source
from slarules.language.parse import parse
from tests.billing_terms import THREE_IN_A_ROW as RULESET

STATE_ERRORS = Path(__file__).resolve().parents[1] / "golden" / "state_errors"

FEE = "60000"


def program(text=RULESET, path="t.sla"):
    return compile_source(Source(path, text))


def months(**values):
    return {label.replace("_", "-")[1:]: {"fee": FEE, "sl": value} for label, value in values.items()}


def billed(prog, state_path, history: dict):
    """Bill each month in its own billing run, as a billing system does."""
    for label, inputs in history.items():
        with prog.billing_run(state_path) as run:
            run.evaluate({label: inputs})


# ---------------------------------------------------------------- fingerprints

def test_the_fingerprint_ignores_layout_and_comments_and_follows_the_money():
    formatted = format_source(Source("t.sla", RULESET))
    commented = "# reviewed by legal\n" + RULESET.replace("credit: 2% of fee", "credit: 2% of fee  # 4.2(b)")
    prints = {fingerprint(parse(Source("t.sla", text))) for text in (RULESET, formatted, commented)}
    assert len(prints) == 1 and prints.pop().startswith("sha256:")
    assert fingerprint(parse(Source("t.sla", RULESET.replace("2% of fee", "3% of fee")))) != \
        fingerprint(parse(Source("t.sla", RULESET)))


def test_outputs_and_check_state_the_fingerprint_and_version(tmp_path, capsys):
    path = tmp_path / "t.sla"
    path.write_text(RULESET)
    data = tmp_path / "d.csv"
    data.write_text("period,fee,sl\n2026-01,60000,70\n2026-02,60000,70\n")
    expected = program().fingerprint
    assert main(["check", "--fingerprint", str(path)]) == 0
    assert capsys.readouterr().out == f"{expected}  {path}\n"
    assert main(["check", "--fingerprint", "--format", "json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["fingerprints"] == {str(path): expected}
    assert main(["evaluate", str(path), str(data), "--format", "json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["fingerprint"] == expected and outcome["slarules_version"]
    assert main(["evaluate", str(path), str(data), "--format", "csv"]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.endswith(",fingerprint,slarules_version") and f",{expected}," in row
    for form in ("text", "markdown", "html"):
        assert main(["explain", str(path), "--format", form]) == 0
        assert expected in capsys.readouterr().out
    assert main(["report", str(path), str(data), "--out", str(tmp_path / "r.html")]) == 0
    assert f"Ruleset fingerprint {expected}, slarules " in (tmp_path / "r.html").read_text()


# ---------------------------------------------------------------- the state across edits

JAN_FEB = months(_2026_01="70", _2026_02="70")


def state_after_jan_feb(tmp_path):
    path = tmp_path / "st.json"
    billed(program(), path, JAN_FEB)
    return path.read_text()


@pytest.mark.parametrize("edit", [
    lambda t: "# a comment\n" + t.replace("  sl percent", "  sl    percent   # the measured share"),
    lambda t: t.replace('contract "T"', 'contract "T, as renamed"').replace("service level soa",
                                                                           'service level soa "Speed"'),
    lambda t: t + "amendment effective 2026-03\n  service level soa\n    credit: 5% of fee\n",
])
def test_an_edit_that_leaves_the_billed_terms_alone_keeps_the_state(tmp_path, edit):
    saved = state_after_jan_feb(tmp_path)
    march = program(edit(RULESET)).evaluate(months(_2026_03="70"), program(edit(RULESET)).load_state(saved))
    # Missed 3 months in a row: the right arises in March under every edit; February's miss
    # closes its cure window unmet in March, at its own (February's) 2% = 1,200.00, or, under
    # the amendment effective in March, the held 2% still (it was computed when missed).
    assert [t.period for t in march.terminations] == ["2026-03"]
    assert march.periods[0].totals.credits == Decimal("1200.00")


@pytest.mark.parametrize("edit, clause, first", [
    (lambda t: t.replace("2% of fee", "3% of fee"), "the `credit` clause of service level soa", "2026-01"),
    (lambda t: t + "amendment effective 2026-02\n  service level soa\n    credit: 5% of fee\n",
     "the `credit` clause of service level soa", "2026-02"),
    (lambda t: t.replace("terminate when soa is missed 3 months in a row\n", ""), "termination 1 was removed",
     "2026-01"),
])
def test_a_change_to_billed_terms_is_sla403_naming_the_clause_and_first_period(tmp_path, edit, clause, first):
    saved = state_after_jan_feb(tmp_path)
    with pytest.raises(SlaError) as info:
        program(edit(RULESET)).load_state(saved, "st.json")
    (d,) = info.value.diagnostics
    assert d.code == "SLA403" and clause in d.message and f"applies from {first}" in d.message, d.render()
    assert "billed up to 2026-02" in d.message


# ---------------------------------------------------------------- restatement

def test_a_correction_gives_a_debit_note_and_carries_into_later_periods(tmp_path):
    path = tmp_path / "st.json"
    prog = program()
    billed(prog, path, months(_2026_01="70", _2026_02="75", _2026_03="70", _2026_04="70"))
    with prog.billing_run(path) as run:
        restatement = run.restate(months(_2026_02="85"))
    # Billed: January missed (cure window to February), February missed too, so January's
    # 1,200.00 is assessed in February; March missed, so February's 1,200.00 in March; and
    # March's in April. Corrected February (85%) cures January: February 0.00 (a debit note of
    # 1,200.00), and March's miss has nothing of February's to assess: March 0.00 (another).
    # April still assesses March's miss: unchanged, no line.
    assert [(a.period, a.kind, a.amount) for a in restatement.adjustments] == [
        ("2026-02", "debit note", Decimal("-1200.00")), ("2026-03", "debit note", Decimal("-1200.00"))]
    assert restatement.adjustments[0].reason == "corrected sl 75 -> 85"
    assert restatement.adjustments[1].reason.startswith("carried from the correction of 2026-02")
    # The ledger keeps what was first billed and records the revision.
    ledger = json.loads(read_state_file(path))["ledger"]["periods"]
    assert ledger[1]["billed"]["credits"] == "1200.00" and ledger[1]["revisions"][0]["billed"]["credits"] == "0.00"
    assert ledger[1]["inputs"]["sl"] == "85" and ledger[1]["revisions"][0]["inputs_before"] == {"sl": "75"}
    # Restating the same correction again adds nothing, and leaves the state as it was.
    saved = path.read_text()
    with prog.billing_run(path) as run:
        assert run.restate(months(_2026_02="85")).adjustments == ()
    assert path.read_text() == saved


def test_the_termination_right_moves_with_a_correction_and_billing_goes_on(tmp_path):
    path = tmp_path / "st.json"
    prog = program()
    billed(prog, path, months(_2026_01="70", _2026_02="70", _2026_03="90"))
    with prog.billing_run(path) as run:
        restated = run.restate(months(_2026_03="70"))  # March was missed too: the 3rd miss in a row
    assert [t.period for t in restated.outcome.terminations] == ["2026-03"]
    with prog.billing_run(path) as run:
        april = run.evaluate(months(_2026_04="90"))
    whole = prog.evaluate(months(_2026_01="70", _2026_02="70", _2026_03="70", _2026_04="90"))
    assert april.periods[0].totals == whole.periods[-1].totals

    def carry(text):  # the state without its ledger (which records the revision) and checksum
        return {k: v for k, v in json.loads(text).items() if k not in ("ledger", "checksum")}
    assert carry(read_state_file(path)) == carry(whole.state_json())


@pytest.mark.parametrize("form", ["table", "json", "csv"])
def test_the_command_line_restates_in_each_format(tmp_path, capsys, form):
    ruleset, state = tmp_path / "t.sla", tmp_path / "st.json"
    ruleset.write_text(RULESET)
    for label, value in (("2026-01", "70"), ("2026-02", "75")):
        (tmp_path / "m.csv").write_text(f"period,fee,sl\n{label},60000,{value}\n")
        assert main(["evaluate", str(ruleset), str(tmp_path / "m.csv"), "--state", str(state)]) == 0
    (tmp_path / "fix.csv").write_text("period,fee,sl\n2026-02,60000,85\n")
    capsys.readouterr()
    assert main(["evaluate", str(ruleset), str(tmp_path / "fix.csv"), "--state", str(state), "--restate",
                 "--format", form]) == 0
    out = capsys.readouterr().out
    # February billed 1,200.00 (January's miss, uncured); corrected, February cures it: 0.00.
    if form == "json":
        (adjustment,) = json.loads(out)["adjustments"]
        assert adjustment["amount"] == "-1200.00" and adjustment["billed"]["net"] == "1200.00"
    elif form == "csv":
        assert out.splitlines()[1].startswith("2026-02,debit note,-1200.00,-1200.00,0.00,USD,1200.00,0.00,corrected sl 75 -> 85,")
    else:
        assert "2026-02  debit note       -1,200.00" in out


def test_restate_needs_a_state(tmp_path, capsys):
    ruleset = tmp_path / "t.sla"
    ruleset.write_text(RULESET)
    (tmp_path / "fix.csv").write_text("period,fee,sl\n2026-02,60000,85\n")
    assert main(["evaluate", str(ruleset), str(tmp_path / "fix.csv"), "--restate"]) == 2
    assert "--restate needs --state" in capsys.readouterr().err


RESTATE_ERRORS = {
    # March was never billed: a restatement corrects billed periods only.
    "restate_unbilled_period": (months(_2026_01="70"), months(_2026_03="70")),
    # No state file yet: nothing has been billed.
    "restate_without_state": ({}, months(_2026_01="70")),
}


@pytest.mark.parametrize("case", sorted(RESTATE_ERRORS))
def test_restatement_errors_match_their_golden_file(case, golden, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    history, corrected = RESTATE_ERRORS[case]
    prog = program()
    billed(prog, "st.json", history)
    saved = (tmp_path / "st.json").read_text() if history else None
    with pytest.raises(SlaError) as info, prog.billing_run("st.json") as run:
        run.restate(corrected)
    golden(render(info.value.diagnostics) + "\n", STATE_ERRORS / f"{case}.expected")
    assert (None if not (tmp_path / "st.json").exists() else (tmp_path / "st.json").read_text()) == saved


def test_the_restatement_json_follows_its_schema(tmp_path):
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "slarules" / "formats" / "schema"
                         / "restatement.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    path = tmp_path / "st.json"
    billed(program(), path, months(_2026_01="70", _2026_02="75"))
    with program().billing_run(path) as run:
        data = json.loads(run.restate(months(_2026_02="85")).to_json())
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["total"] == "-1200.00"  # February's 1,200.00 (January's miss, uncured) undone
