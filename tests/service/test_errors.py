"""Every error status of `slarules serve`, as JSON diagnostics and never a traceback:
400, 404, 405, 409, 413, 422 over real HTTP; the 500 of a bug in-process, with its trace
in the log and the subject's state untouched."""
from __future__ import annotations

import asyncio
import logging

import httpx
import jsonschema
import pytest

from slarules.formats import report
from slarules.interfaces.cli import _parser, main
from slarules.interfaces import service
from slarules.interfaces.service import create_app, openapi_document

from serving import HOSTING, MAX_BODY, ROOT, month

GOLDEN = ROOT / "tests" / "golden" / "service"

DIAGNOSTICS = {**openapi_document()["components"]["schemas"]["Diagnostics"],
               "components": openapi_document()["components"]}


def refused(answer: httpx.Response, status: int, code: str) -> dict:
    """The answer is `status` with one diagnostic `code` first, in the published layout."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert "Traceback" not in answer.text
    body = answer.json()
    jsonschema.validate(body, DIAGNOSTICS)
    assert body["status"] == status
    assert body["diagnostics"][0]["code"] == code, body
    return body["diagnostics"][0]


def rendered(answer: httpx.Response) -> str:
    """The status and the diagnostics of an answer, as the command line would print them."""
    lines = [f"HTTP {answer.status_code}"]
    for d in answer.json()["diagnostics"]:
        where = f"{d['path']}:{d['line']}:{d['column']}: " if d["path"] else f"{d['location']}: "
        lines.append(f"{where}{d['severity']}[{d['code']}]: {d['message']}")
        lines += [f"  = note: {note}" for note in d["notes"]]
    return "\n".join(lines) + "\n"


ONE_MONTH = {"ruleset": HOSTING, "data": {"periods": [month("2026-01", "99.5")]}}
CASES = {  # name: (method, path, JSON body), each answered with the code its name gives
    "SLA601_unknown_key": ("POST", "/check", {"ruleset": HOSTING, "colour": "blue"}),
    "SLA603_unknown_ruleset": ("POST", "/explain", {"ruleset_name": "nowhere"}),
    "SLA604_unknown_subject": ("GET", "/state/nobody", None),
    "SLA605_hostile_subject": ("POST", "/state/.hidden", ONE_MONTH),
    "SLA606_already_billed": ("POST", "/state/golden-billed", ONE_MONTH),
    "SLA607_no_period": ("POST", "/state/golden-empty", {"ruleset": HOSTING, "data": {"periods": []}}),
    "SLA608_no_endpoint": ("DELETE", "/state/golden-billed", None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_refusal_matches_its_golden_file(client, golden, name):
    method, path, body = CASES[name]
    if name == "SLA606_already_billed":
        assert client.post(path, json=body).status_code == 200
    answer = client.request(method, path, json=body)
    assert answer.json()["diagnostics"][0]["code"] == name[:6]
    golden(rendered(answer), GOLDEN / f"{name}.expected")


def post(client, path: str, text: str) -> httpx.Response:
    return client.post(path, content=text.encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"ruleset": "x", "data": {}, "colour": 1}', "unknown key 'colour'"),
    ('{"data": {"periods": []}}', "either as text"),
    ('{"ruleset": "x", "ruleset_name": "hosting", "data": {}}', "either as text"),
    ('{"ruleset": 12, "data": {}}', "a string"),
    ('{"ruleset_name": "hosting"}', "no 'data'"),
    ('{"ruleset_name": "hosting", "data": [1]}', '"data" must be an object'),
    ('{"ruleset_name": "hosting", "data": {}, "strict": "yes"}', "true or false"),
    ("[" * 100_000, "nests too deeply"),
])
def test_a_malformed_request_is_400(client, text, message):
    assert message in refused(post(client, "/evaluate", text), 400, "SLA601")["message"]


def test_a_body_not_utf8_is_400(client):
    answer = client.post("/check", content=b'{"ruleset": "\xff"}', headers={"content-type": "application/json"})
    assert "not UTF-8" in refused(answer, 400, "SLA601")["message"]


def test_an_unknown_explain_format_is_400(client):
    refused(client.post("/explain", json={"ruleset": HOSTING, "format": "pdf"}), 400, "SLA601")


def test_an_unknown_ruleset_name_is_404(client):
    refused(client.post("/check", json={"ruleset_name": "nowhere"}), 404, "SLA603")


def test_an_unknown_subject_and_endpoint_are_404_and_a_wrong_method_405(client):
    refused(client.get("/state/never-billed"), 404, "SLA604")
    refused(client.get("/evaluation"), 404, "SLA608")
    refused(client.get("/evaluate"), 405, "SLA608")


def test_ruleset_and_data_errors_are_422_with_their_diagnostics(client):
    broken = HOSTING.replace("target: at least 99.9%", "target: at least 99.9")
    diagnostic = refused(client.post("/evaluate", json={"ruleset": broken, "data": {"periods": []}}), 422, "SLA203")
    assert (diagnostic["path"], diagnostic["line"]) == ("<ruleset>", 7)
    explained = client.post("/explain", json={"ruleset": broken})
    refused(explained, 422, "SLA203")
    bad_value = {"periods": [month("2026-01", "99.5"), month("2026-02", "lots")]}
    diagnostic = refused(client.post("/evaluate", json={"ruleset": HOSTING, "data": bad_value}), 422, "SLA302")
    assert diagnostic["location"] == "request: data: periods[1].uptime"
    refused(client.post("/state/s422", json={"ruleset": HOSTING, "data": {"periods": []}}), 422, "SLA607")
    assert client.get("/state/s422").status_code == 404


def test_a_period_already_billed_is_409_and_the_state_stays(client, server):
    first = {"ruleset": HOSTING, "data": {"periods": [month("2026-01", "99.5")]}}
    assert client.post("/state/s409", json=first).status_code == 200
    kept = (server.state_dir / "s409.state.json").read_bytes()
    diagnostic = refused(client.post("/state/s409", json=first), 409, "SLA606")
    assert diagnostic["message"] == "2026-01 is already billed for subject 's409': the state continues from 2026-02"
    assert (server.state_dir / "s409.state.json").read_bytes() == kept
    # The same with a state given in the request.
    state = client.get("/state/s409").json()["state"]
    refused(client.post("/evaluate", json={**first, "state": state}), 409, "SLA606")
    # A gap after the state is the data's fault, not a conflict.
    gap = {"ruleset": HOSTING, "data": {"periods": [month("2026-03", "99.5")]}}
    refused(client.post("/state/s409", json=gap), 422, "SLA405")


def test_a_state_of_another_ruleset_is_409_for_a_subject_and_422_in_a_request(client, server):
    first = {"ruleset": HOSTING, "data": {"periods": [month("2026-01", "99.5")]}}
    assert client.post("/state/s403", json=first).status_code == 200
    other = {"ruleset": HOSTING.replace("5% of", "6% of"), "data": {"periods": [month("2026-02", "99.5")]}}
    refused(client.post("/state/s403", json=other), 409, "SLA403")
    state = client.get("/state/s403").json()["state"]
    refused(client.post("/evaluate", json={**other, "state": state}), 422, "SLA403")
    state["next_period"] = "2026-03"  # edited: its checksum no longer matches
    refused(client.post("/evaluate", json={**first, "state": state}), 422, "SLA404")


def test_a_body_over_the_limit_is_413(client, golden):
    padding = " " * MAX_BODY
    answer = post(client, "/evaluate", '{"ruleset": "x",' + padding + '"data": {}}')
    assert "over the limit of 1,000,000 bytes" in refused(answer, 413, "SLA602")["message"]
    golden(rendered(answer), GOLDEN / "SLA602_too_large.expected")
    # Without a Content-Length, the body is counted as it comes.
    chunks = (b" " * 65536 for _ in range(MAX_BODY // 65536 + 2))
    answer = client.post("/evaluate", content=chunks, headers={"content-type": "application/json"})
    refused(answer, 413, "SLA602")
    # Just under the limit is read.
    text = '{"ruleset": "x", "data": {}}'
    answer = post(client, "/check", text[:-1] + " " * (MAX_BODY - len(text) - 30) + "}")
    assert answer.status_code == 400  # "data" is no key of /check: read, then refused for what it says


def test_the_limit_stops_reading_the_body(tmp_path):
    """In-process: past the limit the app asks for no more of the body."""
    app = create_app(state_dir=tmp_path, max_body=100_000)
    received, sent = [], []

    async def receive():
        received.append(1)
        return {"type": "http.request", "body": b" " * 10_000, "more_body": len(received) < 1000}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/check", "headers": [], "query_string": b"",
             "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 80), "root_path": ""}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert len(received) == 11  # 110,000 bytes, the first chunk over 100,000; not the 10 MB offered


@pytest.mark.parametrize("subject", [
    "..", ".hidden", "a.b", "%2e%2e", "%2E%2E%2Fetc%2Fpasswd", "x" * 65, "nul%00", "caf%C3%A9", "-lead", "a%20b",
    "%2fetc",
])
def test_a_hostile_subject_is_refused_and_nothing_is_written(client, server, subject):
    before = sorted(p.name for p in server.state_dir.parent.rglob("*"))
    body = {"ruleset": HOSTING, "data": {"periods": [month("2026-01", "99.5")]}}
    for answer in (client.post(f"/state/{subject}", json=body), client.get(f"/state/{subject}")):
        assert answer.status_code in (400, 404), answer.text
        assert answer.json()["diagnostics"][0]["code"] in ("SLA605", "SLA608")
    assert sorted(p.name for p in server.state_dir.parent.rglob("*")) == before


def test_a_hostile_ruleset_name_is_refused(client):
    for name in ("../rulesets/hosting", ".hosting", "hosting.sla", ""):
        refused(client.post("/check", json={"ruleset_name": name}), 400, "SLA605")


def test_a_bug_is_500_without_a_trace_and_commits_nothing(tmp_path, monkeypatch, caplog, golden):
    def broken(outcome):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(report, "to_data", broken)
    app = create_app(state_dir=tmp_path)

    async def call():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as session:
            body = {"ruleset": HOSTING, "data": {"periods": [month("2026-01", "99.5")]}}
            return await session.post("/state/s500", json=body)
    with caplog.at_level(logging.ERROR, logger="slarules.service"):
        answer = asyncio.run(call())
    assert refused(answer, 500, "SLA609")["message"] == "internal error: a bug in slarules"
    assert "ZeroDivisionError" not in answer.text
    golden(rendered(answer), GOLDEN / "SLA609_internal_error.expected")
    assert "ZeroDivisionError: a bug" in caplog.text and "Traceback" in caplog.text
    # The response body could not be produced, so the state was not committed.
    assert list(tmp_path.iterdir()) == []


def test_the_default_body_limit_is_10_mb_in_the_app_and_the_command_line():
    assert service.MAX_BODY == 10 * 1024 * 1024
    assert _parser().parse_args(["serve"]).max_body == service.MAX_BODY


def test_serve_refuses_a_missing_folder_before_listening(tmp_path, capsys):
    assert main(["serve", "--state-dir", str(tmp_path / "nowhere"), "--port", "1"]) == 2
    assert "is not a folder" in capsys.readouterr().err
