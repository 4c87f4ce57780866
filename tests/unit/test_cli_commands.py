"""The commands beyond a plain evaluate: billing runs month by month with
`--state` and `--events`, and `fmt` with and without `--check`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from slarules.interfaces.cli import main
from tests.billing_terms import TWO_IN_A_ROW as RULESET


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_month_by_month_with_a_state_file_matches_the_whole_history(tmp_path, capsys):
    (tmp_path / "t.sla").write_text(RULESET)
    rows = ["2026-01,60000,70", "2026-02,60000,75", "2026-03,60000,90"]
    (tmp_path / "all.csv").write_text("period,fee,sl\n" + "\n".join(rows) + "\n")
    code, whole, _ = run(capsys, "evaluate", str(tmp_path / "t.sla"), str(tmp_path / "all.csv"), "--format", "json")
    assert code == 0
    state = tmp_path / "state.json"
    stepped = []
    for number, row in enumerate(rows):
        month = tmp_path / f"m{number}.csv"
        month.write_text("period,fee,sl\n" + row + "\n")
        code, out, err = run(capsys, "evaluate", str(tmp_path / "t.sla"), str(month), "--state", str(state),
                             "--format", "json")
        assert (code, err) == (0, "")
        stepped += json.loads(out)["periods"]
    assert stepped == json.loads(whole)["periods"]
    # Jan's miss is charged in Feb (not cured); Jan and Feb in a row give the right in Feb.
    assert [p["totals"]["credits"] for p in stepped] == ["0.00", "1200.00", "0.00"]
    assert [t["period"] for p in stepped for t in p["terminations"]] == ["2026-02"]


def test_a_rejected_run_leaves_the_state_file_as_it_was(tmp_path, capsys):
    (tmp_path / "t.sla").write_text(RULESET)
    (tmp_path / "jan.csv").write_text("period,fee,sl\n2026-01,60000,70\n")
    state = tmp_path / "state.json"
    assert run(capsys, "evaluate", str(tmp_path / "t.sla"), str(tmp_path / "jan.csv"), "--state", str(state))[0] == 0
    saved = state.read_text()
    code, out, err = run(capsys, "evaluate", str(tmp_path / "t.sla"), str(tmp_path / "jan.csv"), "--state", str(state))
    assert code == 1 and out == ""
    assert "error[SLA405]: the data starts at 2026-01, but the state continues from 2026-02" in err
    assert state.read_text() == saved


def test_events_file_waives_a_credit(tmp_path, capsys):
    (tmp_path / "t.sla").write_text(RULESET.replace("  cure: within 1 month\n", ""))
    (tmp_path / "d.csv").write_text("period,fee,sl\n2026-01,60000,70\n")
    (tmp_path / "e.csv").write_text("period,service_level,event,reason\n2026-01,soa,waive,goodwill\n")
    code, out, _ = run(capsys, "evaluate", str(tmp_path / "t.sla"), str(tmp_path / "d.csv"),
                       "--events", str(tmp_path / "e.csv"), "--format", "json")
    period = json.loads(out)["periods"][0]
    assert code == 0
    assert period["service_levels"][0]["status"] == "waived"
    assert period["service_levels"][0]["note"] == "credit waived: goodwill"
    assert period["lines"] == []


def test_a_bad_events_file_points_at_the_cell(tmp_path, capsys):
    (tmp_path / "t.sla").write_text(RULESET)
    (tmp_path / "d.csv").write_text("period,fee,sl\n2026-01,60000,70\n")
    (tmp_path / "e.csv").write_text("period,service_level,event,reason\n2026-01,sao,forgive,\n")
    code, _, err = run(capsys, "evaluate", str(tmp_path / "t.sla"), str(tmp_path / "d.csv"),
                       "--events", str(tmp_path / "e.csv"))
    assert code == 1
    assert f"{tmp_path / 'e.csv'}:2:9: error[SLA304]: 'sao' is not a service level of this contract" in err
    assert "did you mean 'soa'?" in err
    assert f"{tmp_path / 'e.csv'}:2:13: error[SLA304]: unknown event 'forgive'" in err


def test_fmt_rewrites_a_file_and_check_then_passes(tmp_path, capsys):
    path = tmp_path / "t.sla"
    path.write_text(RULESET.replace("  cure: within 1 month\n", "  cure:   within 1 month   # C.3\n"))
    code, _, err = run(capsys, "fmt", "--check", str(path))
    assert (code, err) == (1, f"{path}: would be reformatted\n")
    assert "cure:   within" in path.read_text()  # --check changes nothing
    assert run(capsys, "fmt", str(path))[0] == 0
    assert "  cure: within 1 month  # C.3\n" in path.read_text()
    assert run(capsys, "fmt", "--check", str(path)) == (0, "", "")


def test_fmt_of_a_broken_ruleset_reports_the_syntax_error_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "t.sla"
    path.write_text(RULESET.replace("target:", "target"))
    code, _, err = run(capsys, "fmt", str(path))
    assert code == 1 and "error[SLA0" in err
    assert path.read_text() == RULESET.replace("target:", "target")


def test_explain_prints_the_clauses_and_refuses_a_broken_ruleset(tmp_path, capsys):
    path = tmp_path / "t.sla"
    path.write_text(RULESET)
    code, out, _ = run(capsys, "explain", str(path), "--format", "markdown")
    assert code == 0
    assert "**3.1.4 Cure period.** A miss is not charged at once: it opens a cure window of 1 month." in out
    assert f"(`{path}:6`)" in out  # the cure clause's line
    path.write_text(RULESET.replace("of fee", "of feee"))
    code, out, err = run(capsys, "explain", str(path))
    assert (code, out) == (1, "") and "error[SLA201]: unknown input 'feee'" in err


ROOT = Path(__file__).resolve().parents[2]
ACME = [str(ROOT / "rulesets" / "acme_contact_center.sla"), str(ROOT / "rulesets" / "acme_contact_center.csv")]
PROPOSED = str(ROOT / "tests" / "golden" / "dryrun" / "acme_proposed.sla")


def test_dry_run_with_simulation_and_report(tmp_path, capsys):
    page = tmp_path / "report.html"
    code, out, err = run(capsys, "dry-run", PROPOSED, "--against", ACME[0], ACME[1], "--simulate", "20",
                         "--seed", "7", "--format", "json", "--report", str(page))
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["format"] == "slarules.dryrun/1" and data["simulation"]["format"] == "slarules.simulation/1"
    assert data["simulation"]["seed"] == 7
    assert page.read_text().count("<svg") > 4
    again = run(capsys, "dry-run", PROPOSED, "--against", ACME[0], ACME[1], "--simulate", "20", "--seed", "7",
                "--format", "json")[1]
    assert again == out  # reproducible with a seed


def test_dry_run_rejects_a_bad_distribution_as_a_usage_error(capsys):
    code, out, err = run(capsys, "dry-run", PROPOSED, "--against", ACME[0], ACME[1], "--simulate", "5",
                         "--distribution", "calls_offered=normal(100)")
    assert code == 2 and out == "" and "--distribution" in err


def test_report_writes_one_self_contained_page(tmp_path, capsys):
    page = tmp_path / "review.html"
    assert run(capsys, "report", *ACME, "--out", str(page))[0] == 0
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "https://" not in html and "<script" not in html


GOLDEN_VERIFY = Path(__file__).resolve().parent.parent / "golden" / "verify"


def test_verify_exits_1_on_a_violated_invariant_and_its_files_re_run(tmp_path, capsys):
    code, out, _ = run(capsys, "verify", str(GOLDEN_VERIFY / "reversed_tier.sla"), "--effort", "quick",
                       "--only", "monotone,reward", "--out", str(tmp_path))
    assert code == 1
    assert "VIOLATED     monotone" in out and "FINDING      reward" in out
    assert "1 violated" in out and "re-run a file: slarules evaluate" in out
    for name in ("worse", "better"):
        assert f"file: {tmp_path / f'monotone.{name}.csv'}" in out
        code, table, err = run(capsys, "evaluate", str(GOLDEN_VERIFY / "reversed_tier.sla"),
                               str(tmp_path / f"monotone.{name}.csv"))
        # the ruleset's reversed tier is a warning (SLA208), shown on stderr, and the file evaluates
        assert (code, err.endswith("0 errors, 1 warning\n")) == (0, True) and "speed_of_answer" in table


def test_verify_exits_0_when_every_invariant_holds(capsys):
    code, out, _ = run(capsys, "verify", str(GOLDEN_VERIFY / "fair.sla"), "--effort", "quick",
                       "--only", "cure,termination")
    assert code == 0
    assert out.splitlines()[-1] == "2 of 2 invariants held, 0 violated; 0 findings"


def test_verify_names_the_checks_when_only_is_wrong(capsys):
    with pytest.raises(SystemExit) as usage:  # argparse exits for a usage error
        main(["verify", str(GOLDEN_VERIFY / "fair.sla"), "--only", "cure,tremination"])
    assert usage.value.code == 2
    assert "no check named 'tremination'; the checks are monotone, bounded, all-met" in capsys.readouterr().err


def test_check_format_json_prints_every_diagnostic_as_an_object_on_stdout(tmp_path, capsys, monkeypatch):
    lines = ['contract "Bad" currency USD, starts 2026-01', "inputs", "  monthly_fee money", "  up percent",
             "service level uptime", "  measured as up", "  target: at least 99%", "  credit: 2% of monthy_fee"]
    (tmp_path / "bad.sla").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "broken.sla").write_text('contract "X"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "json", "bad.sla", "broken.sla"]) == 1
    printed = capsys.readouterr()
    assert printed.err == ""
    document = json.loads(printed.out)
    assert {key: document[key] for key in ("format", "checked", "errors", "warnings", "notes")} == {
        "format": "slarules.diagnostics/1", "checked": 2, "errors": 2, "warnings": 0, "notes": 0}
    unknown, syntax = document["diagnostics"]
    assert unknown == {"code": "SLA201", "severity": "error", "message": "unknown input 'monthy_fee'",
                       "path": "bad.sla", "line": 8, "column": 17, "end": {"line": 8, "column": 27},
                       "location": None, "notes": ["did you mean 'monthly_fee'?"]}
    assert (syntax["code"], syntax["path"], syntax["line"]) == ("SLA004", "broken.sla", 1)
    assert main(["check", "--format", "json", str(ROOT / "rulesets" / "acme_contact_center.sla")]) == 0
    assert json.loads(capsys.readouterr().out)["diagnostics"] == []
