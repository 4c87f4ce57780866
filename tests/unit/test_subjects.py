"""Many subjects under one ruleset: data with a subject column (CSV wide and long, JSON),
an outcome per subject and the portfolio's totals (table, JSON, CSV, totals CSV), a bad
subject reported by name with the others evaluated (exit 1), and the golden diagnostics
of the subject codes (SLA310-SLA312, SLA409-SLA411)."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from slarules import SlaError, Source, compile_source, load, read_subjects
from slarules.core.diagnostics import render
from slarules.formats import state_store
from slarules.interfaces.cli import main
from tests.billing_terms import THREE_IN_A_ROW

TESTS = Path(__file__).resolve().parents[1]
SUBJECT_ERRORS = TESTS / "golden" / "subject_errors"
DATA_ERRORS = TESTS / "golden" / "data_errors"
CASES = sorted(p for p in SUBJECT_ERRORS.iterdir() if p.suffix in (".csv", ".json") and ".events" not in p.suffixes)
SCHEMA = TESTS.parent / "slarules" / "formats" / "schema" / "portfolio.schema.json"

# THREE_IN_A_ROW: target at least 80%, a miss cured within 1 month, else 2% of the fee,
# charged when the window closes; three misses in a row give a right to terminate.
#   acme  fee 60,000: Jan 70 (miss), Feb 75 (miss: Jan's window closes unmet, 2% x 60,000 =
#         1,200.00 in Feb), Mar 90 (met: cures Feb's)                         -> 1,200.00
#   beta  fee 1,000: 50, 50, 50: Jan's 20.00 charged in Feb, Feb's 20.00 in Mar; the third
#         miss in a row (Mar) gives the right to terminate                     ->    40.00
#   gamma fee 100: 90, 10 (miss), 90 (cures it)                                 ->     0.00
# The portfolio: Jan 0.00, Feb 1,220.00, Mar 20.00; in all 1,240.00, all due to the client.
PORTFOLIO = {"acme": ("60000", ["70", "75", "90"]), "beta": ("1000", ["50", "50", "50"]),
             "gamma": ("100", ["90", "10", "90"])}
LABELS = ["2026-01", "2026-02", "2026-03"]


def wide(subjects=PORTFOLIO, months=range(3)) -> str:
    return "subject,period,fee,sl\n" + "".join(f"{name},{LABELS[m]},{fee},{values[m]}\n"
                                              for name, (fee, values) in subjects.items() for m in months)


def long(subjects=PORTFOLIO, months=range(3)) -> str:
    return "subject,period,input,value\n" + "".join(
        f"{name},{LABELS[m]},fee,{fee}\n{name},{LABELS[m]},sl,{values[m]}\n"
        for name, (fee, values) in subjects.items() for m in months)


def as_json(subjects=PORTFOLIO, months=range(3)) -> str:
    return json.dumps({"subjects": [{"subject": name, "periods": [
        {"period": LABELS[m], "fee": fee, "sl": values[m]} for m in months]} for name, (fee, values) in subjects.items()]})


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.sla").write_text(THREE_IN_A_ROW)
    Path("p.csv").write_text(wide())
    return tmp_path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


# ---------------------------------------------------------------- money, to the cent

def test_the_portfolio_totals_are_the_hand_computed_figures_and_add_up_to_the_cent(folder):
    code, out, err = run("evaluate", "t.sla", "p.csv", "--format", "csv", "--totals", "totals.csv")
    assert (code, err) == (0, "")
    lines = rows(out)
    totals = rows(Path("totals.csv").read_text())
    whole = {r["subject"]: r for r in totals if r["period"] == "total"}
    assert {name: whole[name]["net"] for name in whole} == {
        "acme": "1200.00", "beta": "40.00", "gamma": "0.00", "all subjects": "1240.00"}
    by_period = {r["period"]: r["net"] for r in totals if r["subject"] == "all subjects"}
    assert by_period == {"2026-01": "0.00", "2026-02": "1220.00", "2026-03": "20.00", "total": "1240.00"}
    assert whole["all subjects"]["due_to_client"] == "1240.00" and whole["all subjects"]["due_to_vendor"] == "0.00"
    # Each subject's line items add up to its total; the subjects' totals to the portfolio's, per period too.
    for name in PORTFOLIO:
        assert sum(Decimal(r["amount"]) for r in lines if r["subject"] == name) == Decimal(whole[name]["net"])
    for column in ("credits", "earned_back", "bonuses", "withheld", "net", "due_to_client", "due_to_vendor"):
        assert sum(Decimal(whole[name][column]) for name in PORTFOLIO) == Decimal(whole["all subjects"][column])
        for label in LABELS:
            assert sum(Decimal(r[column]) for r in totals if r["period"] == label and r["subject"] != "all subjects") \
                == Decimal(next(r[column] for r in totals if r["period"] == label and r["subject"] == "all subjects"))
    assert [r["termination_rights"] for r in totals if r["subject"] == "all subjects"][-1].startswith("beta t.sla:")


@pytest.mark.parametrize("layout", [long, as_json], ids=["long", "json"])
def test_long_csv_and_json_give_what_the_wide_csv_gives(folder, layout):
    Path("other" + (".json" if layout is as_json else ".csv")).write_text(layout())
    name = "other.json" if layout is as_json else "other.csv"
    for fmt in ("csv", "json", "table"):
        assert run("evaluate", "t.sla", name, "--format", fmt) == run("evaluate", "t.sla", "p.csv", "--format", fmt)


def test_each_subject_s_outcome_is_its_own_data_evaluated_alone(folder):
    program = load("t.sla")
    portfolio = program.evaluate_subjects(read_subjects(program, "p.csv"))
    for result in portfolio:
        fee, values = PORTFOLIO[result.subject]
        alone = program.evaluate({label: {"fee": fee, "sl": value} for label, value in zip(LABELS, values)})
        assert result.outcome.to_json() == alone.to_json()
    assert portfolio.totals.totals.net == Decimal("1240.00") and portfolio.totals.failed == []


def test_the_json_document_is_a_portfolio_of_outcomes_under_its_schema(folder):
    jsonschema = pytest.importorskip("jsonschema")
    code, out, _ = run("evaluate", "t.sla", "p.csv", "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["format"] == "slarules.portfolio/1"
    assert [s["subject"] for s in document["subjects"]] == ["acme", "beta", "gamma"]
    assert document["totals"]["whole"]["net"] == "1240.00"
    assert [p["totals"]["net"] for p in document["totals"]["by_period"]] == ["0.00", "1220.00", "20.00"]
    from referencing import Registry, Resource
    outcome_schema = json.loads((SCHEMA.parent / "outcome.schema.json").read_text())
    registry = Registry().with_resource(outcome_schema["$id"], Resource.from_contents(outcome_schema))
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()), registry=registry).validate(document)
    # Each subject's outcome is what `evaluate` prints for its data alone.
    Path("acme.csv").write_text("period,fee,sl\n" + "".join(f"{l},60000,{v}\n" for l, v in zip(LABELS, ["70", "75", "90"])))
    alone = json.loads(run("evaluate", "t.sla", "acme.csv", "--format", "json")[1])
    assert document["subjects"][0]["outcome"] == alone


def test_a_subject_with_bad_data_is_reported_by_name_and_the_others_are_written(folder):
    Path("p.csv").write_text(wide().replace("beta,2026-02,1000,50", "beta,2026-02,1000,5O"))
    code, out, err = run("evaluate", "t.sla", "p.csv", "--format", "json", "--totals", "totals.csv")
    assert code == 1
    assert "slarules evaluate: subject beta not evaluated:" in err and "error[SLA302]: 'sl' is '5O'" in err
    assert err.rstrip().endswith("1 of 3 subjects not evaluated: beta; the other 2 were written")
    document = json.loads(out)
    assert [s["subject"] for s in document["subjects"]] == ["acme", "beta", "gamma"]
    assert document["subjects"][1]["diagnostics"][0]["code"] == "SLA302" and "outcome" not in document["subjects"][1]
    assert document["totals"]["subjects_not_evaluated"] == ["beta"] and document["totals"]["whole"]["net"] == "1200.00"
    assert {r["subject"] for r in rows(Path("totals.csv").read_text())} == {"acme", "gamma", "all subjects"}
    table = run("evaluate", "t.sla", "p.csv")[1]
    assert "Subject beta: NOT EVALUATED (1 error)" in table and "2 subjects evaluated, 1 not evaluated: beta" in table


def test_a_file_wide_error_evaluates_no_subject(folder):
    Path("p.csv").write_text("subject,period,fee,sll\nacme,2026-01,1,1\n")
    code, out, err = run("evaluate", "t.sla", "p.csv", "--format", "csv")
    assert (code, out) == (1, "") and "error[SLA304]: 'sll' is not an input of this contract" in err
    assert "p.csv:1:20:" in err  # the column of the header as written, subject column included


def test_options_that_do_not_fit_the_data_are_usage_errors(folder):
    Path("one.csv").write_text("period,fee,sl\n2026-01,1,1\n")
    assert run("evaluate", "t.sla", "p.csv", "--state", "st.json")[0] == 2
    assert run("evaluate", "t.sla", "one.csv", "--state-db", "st.db")[0] == 2
    assert run("evaluate", "t.sla", "p.csv", "--restate")[0] == 2
    assert not Path("st.db").exists() and not Path("st.json").exists()


def test_subjects_from_a_mapping_in_python(folder):
    program = compile_source(Source("t.sla", THREE_IN_A_ROW))
    results = list(program.evaluate_subjects({
        "acme": {"2026-01": {"fee": "60000", "sl": "70"}}, "bad one": {"2026-01": {"fee": "1", "sl": "1"}},
        "beta": {"2026-01": {"fee": "-1", "sl": "1"}}}))
    assert [(r.subject, r.ok, [d.code for d in r.diagnostics]) for r in results] == [
        ("acme", True, []), ("bad one", False, ["SLA311"]), ("beta", False, ["SLA303"])]


# ---------------------------------------------------------------- the store, in one process

def test_month_by_month_through_the_store_is_the_whole_history_for_every_subject(folder):
    lines = []
    for month in range(3):
        Path(f"m{month}.csv").write_text(wide(months=[month]))
        code, out, err = run("evaluate", "t.sla", f"m{month}.csv", "--state-db", "st.db", "--format", "csv")
        assert (code, err) == (0, "")
        lines += out.splitlines()[1:]
    assert sorted(lines) == sorted(run("evaluate", "t.sla", "p.csv", "--format", "csv")[1].splitlines()[1:])
    program = load("t.sla")
    with state_store.transaction("st.db") as store:
        for result in program.evaluate_subjects(read_subjects(program, "p.csv")):
            assert store.get(result.subject) == result.outcome.state_json()
    # Billing March again: every subject's state continues from April (SLA405), nothing changes.
    saved = Path("st.db").read_bytes()
    code, out, err = run("evaluate", "t.sla", "m2.csv", "--state-db", "st.db", "--format", "csv")
    assert code == 1 and err.count("error[SLA405]") == 3 and out.count("\n") == 1
    assert "3 of 3 subjects not evaluated" in err
    assert Path("st.db").read_bytes() == saved


def test_a_subject_joining_later_starts_its_own_history(folder):
    Path("jan.csv").write_text(wide({"acme": PORTFOLIO["acme"]}, months=[0]))
    Path("feb.csv").write_text(wide({"acme": PORTFOLIO["acme"], "delta": ("500", ["10", "10", "10"])}, months=[1]))
    assert run("evaluate", "t.sla", "jan.csv", "--state-db", "st.db")[0] == 0
    code, out, err = run("evaluate", "t.sla", "feb.csv", "--state-db", "st.db", "--format", "csv")
    assert (code, err) == (0, "")
    assert "acme,2026-02,soa,,credit,1200.00" in out and "delta,2026-02" not in out  # delta's miss is in cure
    with sqlite3.connect("st.db") as db:
        assert db.execute("SELECT subject, next_period FROM states ORDER BY subject").fetchall() == [
            ("acme", "2026-03"), ("delta", "2026-03")]


def test_restating_one_subject_adjusts_it_alone(folder):
    for month in range(3):
        Path(f"m{month}.csv").write_text(wide(months=[month]))
        assert run("evaluate", "t.sla", f"m{month}.csv", "--state-db", "st.db")[0] == 0
    # gamma's February is corrected from 10% to 85%: it was a miss cured in March, so nothing changes;
    # acme's March from 90% to 60%: February's window closes unmet (1,200.00 more, a credit note).
    Path("fix.csv").write_text("subject,period,fee,sl\ngamma,2026-02,100,85\nacme,2026-03,60000,60\n")
    code, out, err = run("evaluate", "t.sla", "fix.csv", "--state-db", "st.db", "--restate", "--format", "csv")
    assert (code, err) == (0, "")
    assert [(r["subject"], r["period"], r["kind"], r["amount"]) for r in rows(out)] == [
        ("acme", "2026-03", "credit note", "1200.00")]
    again = run("evaluate", "t.sla", "fix.csv", "--state-db", "st.db", "--restate")
    assert again[0] == 0 and again[1].count("No billed period changed: nothing to adjust.") == 2


def test_a_full_disk_on_the_output_commits_no_subject(folder):
    import subprocess
    import sys
    Path("m0.csv").write_text(wide(months=[0]))
    Path("m1.csv").write_text(wide(months=[1]))
    assert run("evaluate", "t.sla", "m0.csv", "--state-db", "st.db")[0] == 0
    before = _states("st.db")
    slarules = Path(sys.executable).with_name("slarules")
    with open("/dev/full", "w") as full:
        done = subprocess.run([str(slarules), "evaluate", "t.sla", "m1.csv", "--state-db", "st.db"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1 and "error[SLA501]: cannot write the outcome" in done.stderr
    assert _states("st.db") == before
    assert run("evaluate", "t.sla", "m1.csv", "--state-db", "st.db")[0] == 0 and _states("st.db") != before


def _states(path) -> list:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT subject, state FROM states ORDER BY subject").fetchall()


# ---------------------------------------------------------------- golden diagnostics

def subject_report(case: Path) -> str:
    """Each subject's verdict and diagnostics, or the diagnostics that stop the whole file."""
    program = compile_source(Source("golden/data_errors/ruleset.sla", (DATA_ERRORS / "ruleset.sla").read_text()))
    events = case.with_name(case.stem + ".events.csv")
    try:
        subjects = read_subjects(program, case.relative_to(TESTS).as_posix(),
                                 events.relative_to(TESTS).as_posix() if events.exists() else None)
        assert subjects is not None
        parts = [f"subject {r.subject}: " + ("evaluated\n" if r.ok else f"not evaluated\n{render(r.diagnostics)}\n")
                 for r in program.evaluate_subjects(subjects)]
    except SlaError as err:
        parts = [f"no subject evaluated\n{render(err.diagnostics)}\n"]
    return "".join(parts)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_subject_data_diagnostics_match_their_golden_file(case, golden, monkeypatch):
    monkeypatch.chdir(TESTS)
    golden(subject_report(case), case.with_suffix(".expected"))


def test_a_store_that_is_not_one_is_refused_and_left_alone(folder, golden):
    Path("other.db").write_text("name,value\n")
    with sqlite3.connect("app.db") as db:
        db.execute("CREATE TABLE orders (id INTEGER)")
    found = []
    for store in ("other.db", "app.db"):
        before = Path(store).read_bytes()
        code, out, err = run("evaluate", "t.sla", "p.csv", "--state-db", store)
        assert (code, out) == (1, "") and Path(store).read_bytes() == before
        found.append(err)
    golden("".join(found), SUBJECT_ERRORS / "not_a_store.expected")


def test_a_store_held_by_another_run_for_too_long_is_sla410(folder, golden):
    program = load("t.sla")
    with state_store.transaction("st.db"):
        with pytest.raises(SlaError) as held:
            with program.portfolio_run("st.db", wait=0.2) as run_:
                list(run_.evaluate(read_subjects(program, "p.csv")))
    golden(render(held.value.diagnostics) + "\n", SUBJECT_ERRORS / "store_held_by_another_run.expected")


def test_a_read_only_store_is_sla411_and_nothing_is_printed(folder, golden):
    Path("m0.csv").write_text(wide(months=[0]))
    assert run("evaluate", "t.sla", "m0.csv", "--state-db", "st.db")[0] == 0
    os.chmod("st.db", stat.S_IRUSR)
    before = _states("st.db")
    code, out, err = run("evaluate", "t.sla", "p.csv", "--state-db", "st.db")
    assert (code, out) == (1, "") and _states("st.db") == before
    golden(err, SUBJECT_ERRORS / "read_only_store.expected")
