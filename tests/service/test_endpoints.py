"""Each endpoint of `slarules serve` over real HTTP: the same JSON as the command line,
money as the contract says, state in and out, and an OpenAPI document that validates."""
from __future__ import annotations

import json

import jsonschema
import pytest

from slarules.interfaces.cli import main
from slarules.interfaces.service import openapi_document

from serving import HOSTING, ROOT, month

HISTORY = [month("2026-01", "99.95"), month("2026-02", "99.5"), month("2026-03", "98.7")]


def cli_json(capsys, monkeypatch, folder, *argv) -> dict:
    monkeypatch.chdir(folder)
    code = main(list(argv))
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    return json.loads(captured.out)


def component(name: str) -> dict:
    """A schema of the OpenAPI document, resolvable on its own."""
    document = openapi_document()
    return {**document["components"]["schemas"][name], "components": document["components"]}


def test_health(client):
    assert client.get("/health").json() == {"status": "ok"}


def test_the_openapi_document_is_valid_and_served(client):
    validator = pytest.importorskip("openapi_spec_validator")
    served = client.get("/openapi.json")
    assert served.status_code == 200
    assert served.json() == openapi_document()
    validator.validate(served.json())
    assert set(served.json()["paths"]) == {"/check", "/explain", "/evaluate", "/state/{subject}",
                                          "/state/{subject}/periods/{period}", "/health"}


def test_evaluate_inline_gives_the_contract_money(client):
    answer = client.post("/evaluate", json={"ruleset": HOSTING, "data": {"periods": HISTORY}})
    assert answer.status_code == 200, answer.text
    outcome = answer.json()["outcome"]
    jsonschema.validate(answer.json(), {"$ref": "#/components/schemas/_", "components": {"schemas": {
        "_": openapi_document()["paths"]["/evaluate"]["post"]["responses"]["200"]["content"]["application/json"][
            "schema"], **openapi_document()["components"]["schemas"]}}})
    # 2026-01: 99.95% meets 99.9%, no credit; 2026-02: 99.5% is below 99.9%: 5% of 1000.00 = 50.00;
    # 2026-03: 98.7% is below 99%, the most severe row: 10% of 1000.00 = 100.00.
    assert [p["totals"]["credits"] for p in outcome["periods"]] == ["0.00", "50.00", "100.00"]
    assert outcome["totals"]["credits"] == "150.00"
    assert outcome["periods"][2]["lines"][0]["clause"] == "<ruleset>:10"
    assert answer.json()["state"]["next_period"] == "2026-04"


def test_evaluate_by_name_is_the_json_of_the_command_line(client, capsys, monkeypatch):
    data = json.loads((ROOT / "rulesets" / "cloud_hosting.json").read_text())
    answer = client.post("/evaluate", json={"ruleset_name": "cloud_hosting", "data": data})
    assert answer.status_code == 200, answer.text
    printed = cli_json(capsys, monkeypatch, ROOT / "rulesets", "evaluate", "cloud_hosting.sla", "cloud_hosting.json",
                       "--format", "json")
    assert answer.json()["outcome"] == printed


def test_numbers_in_a_request_stay_exact(client):
    # 99.89999999999999999999 is below 99.9 by 1e-20: a float would read it as 99.9 and meet the target.
    data = {"periods": [month("2026-01", "X")]}
    text = json.dumps({"ruleset": HOSTING, "data": data}).replace('"X"', "99.89999999999999999999")
    answer = client.post("/evaluate", content=text, headers={"content-type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"]["totals"]["credits"] == "50.00"  # 5% of 1000.00


def test_evaluate_from_a_state_given_continues_as_the_whole_history(client):
    whole = client.post("/evaluate", json={"ruleset": HOSTING, "data": {"periods": HISTORY}}).json()
    state = None
    periods = []
    for one in HISTORY:
        answer = client.post("/evaluate", json={"ruleset": HOSTING, "data": {"periods": [one]}, "state": state})
        assert answer.status_code == 200, answer.text
        state = answer.json()["state"]
        periods += answer.json()["outcome"]["periods"]
    assert periods == whole["outcome"]["periods"]
    assert state == whole["state"]


def test_check_is_the_json_of_the_command_line(client, capsys, monkeypatch, tmp_path):
    bad = HOSTING.replace("5% of monthly_fee", "5% of monthy_fee")
    (tmp_path / "<ruleset>").write_text(bad, encoding="utf-8")
    answer = client.post("/check", json={"ruleset": bad})
    assert answer.status_code == 200
    printed = cli_json(capsys, monkeypatch, tmp_path, "check", "--format", "json", "<ruleset>")
    assert answer.json() == {**printed, "ok": False}
    diagnostic = answer.json()["diagnostics"][0]
    assert (diagnostic["code"], diagnostic["line"], diagnostic["column"]) == ("SLA201", 9, 24)
    assert diagnostic["notes"] == ["did you mean 'monthly_fee'?"]
    jsonschema.validate(answer.json(), component("Diagnostics"))


def test_check_of_a_clean_ruleset_by_name(client):
    answer = client.post("/check", json={"ruleset_name": "acme_contact_center"})
    assert answer.json()["ok"] is True and answer.json()["diagnostics"] == []


def test_a_literate_ruleset_is_called_by_name_and_cites_its_markdown_lines(client):
    # acme_schedule_c.sla.md (no .sla of that name): 2026-03 speed of answer 74.12% < 75% -> 5% of 60,000.00.
    periods = [{"period": "2026-03", "monthly_fee": "60000.00", "calls_offered": 10000, "answered_in_20s": 7412,
                "abandoned": 400, "resolved_first_call": 7100, "quality_score": "91.0"}]
    answer = client.post("/evaluate", json={"ruleset_name": "acme_schedule_c", "data": {"periods": periods}})
    assert answer.status_code == 200, answer.text
    [line] = answer.json()["outcome"]["periods"][0]["lines"]
    assert (line["amount"], line["clause"], line["contract_clause"]) == ("3000.00", "acme_schedule_c.sla.md:52",
                                                                          "C.2.1(a)")


def test_explain_is_what_the_command_line_prints(client, capsys, monkeypatch):
    answer = client.post("/explain", json={"ruleset_name": "acme_contact_center", "format": "markdown"})
    assert answer.status_code == 200
    monkeypatch.chdir(ROOT / "rulesets")
    assert main(["explain", "acme_contact_center.sla", "--format", "markdown"]) == 0
    assert answer.json() == {"format": "markdown", "explanation": capsys.readouterr().out}


def test_state_of_a_subject_month_by_month(client, server):
    assert client.get("/state/hosting-eu-1").status_code == 404
    for one in HISTORY:
        answer = client.post("/state/hosting-eu-1", json={"ruleset_name": "hosting", "data": {"periods": [one]}})
        assert answer.status_code == 200, answer.text
        assert answer.json()["subject"] == "hosting-eu-1"
    kept = client.get("/state/hosting-eu-1").json()
    assert kept["next_period"] == "2026-04"
    jsonschema.validate(kept["state"], component("State"))
    # The state kept is the state of the whole history evaluated at once.
    whole = client.post("/evaluate", json={"ruleset": HOSTING, "data": {"periods": HISTORY}}).json()
    assert kept["state"] == whole["state"]
    assert (server.state_dir / "hosting-eu-1.state.json").exists()
