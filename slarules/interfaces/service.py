"""The HTTP JSON service (`slarules serve`): an ASGI app on Starlette, run by uvicorn.

Endpoints (the OpenAPI document at GET /openapi.json describes each):

    POST /check           a ruleset's diagnostics (the JSON of `slarules check --format json`)
    POST /explain         a ruleset as numbered plain-English clauses (text, markdown or html)
    POST /evaluate        a ruleset over KPI data, from an optional state given in the request:
                          the outcome (the JSON of `slarules evaluate --format json`) and the new state
    GET  /state/SUBJECT   the state the service keeps for SUBJECT
    POST /state/SUBJECT   evaluate SUBJECT's next period(s) from its state and commit the new state
                          (an Idempotency-Key header makes a retry get the first answer again)
    GET  /state/SUBJECT/periods/PERIOD   what SUBJECT's state billed for PERIOD (its ledger entry)
    GET  /health          200 once the service answers

A ruleset is given inline (`"ruleset": "contract ..."`) or by name (`"ruleset_name":
"acme"` reads `acme.sla` in the folder given with --rulesets, or the literate
`acme.sla.md` when there is no `acme.sla`); data is the JSON of a
data file ({"periods": [...], "events": [...]}). Numbers in a request are read as
their exact decimal text, never as floats.

Errors are JSON diagnostics (report.diagnostics_data) with a 4xx status: 400 a
request that cannot be read (SLA601) or a name that is not allowed (SLA605), 404 an
unknown ruleset (SLA603), subject (SLA604) or endpoint (SLA608), 409 a period already
billed for the subject (SLA606) or a stored state that does not fit the ruleset
(SLA403, SLA404), 413 a body over the size limit (SLA602, counted while it is read),
422 what the ruleset or the data says wrong (their own codes; SLA607 no period), 503
the state folder cannot be written or stays locked (SLA501, SLA502). A bug is a 500
(SLA609) whose trace goes to the log, never to the response.

Per-subject state lives in the --state-dir folder, one file per subject
(`SUBJECT.state.json`), written through Program.billing_run (formats/files.py: flock,
unique temporary file, fsync, rename). Subject ids match NAME: letters, digits, `_`
and `-`, no dot, so no path leaves the folder and no dot file is made. Requests for
one subject are serialised, in this process by an asyncio lock and across processes
by the file lock; under the lock the period is checked against the state (SLA606 if
already billed), evaluated, and the response body produced, and only then is the new
state committed, so no period is lost or billed twice.

Idempotency keys: a bill sent with an `Idempotency-Key` header (1 to 255 visible
ASCII characters, chosen by the client, one per bill) is recorded in
`SUBJECT.requests.json` beside the state: the key, the SHA-256 of the request body
and the whole response body, for the last KEPT_KEYS keys of the subject. The same
key and body again answer that response (200, byte for byte, header
`Idempotency-Replayed: true`) without billing; the same key with another body is
422 (SLA610). Two files cannot be replaced by one rename, so the record is written
(fsynced, renamed, under the state's lock) before the state is committed, and it
stands only while the state's ledger holds the periods it billed with the inputs,
events and figures it records: a crash between the two leaves a record that does
not stand, and the retry is billed afresh. A refused request records nothing.
With the environment variable SLARULES_SERVICE_EXIT_AFTER_COMMIT set (for the
tests only), the process exits right after committing a bill, before answering,
as a server killed at the worst moment would.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import hashlib
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib.resources import files as package_files
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..core.diagnostics import Diagnostic, SlaError
from ..core.source import Source
from ..formats import files, report
from ..formats.kpi_data import parse_history
from ..formats.ledger_file import read_state_file
from ..language.check import check
from ..language.grammar import parser
from ..language.parse import parse
from ..tools.explain import FORMATS as EXPLAIN_FORMATS
from ..tools.explain import explain
from .api import Program, compile_ruleset

MAX_BODY = 10 * 1024 * 1024  # bytes of a request body, by default
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # a subject id or a ruleset name, whole
STATE_SUFFIX = ".state.json"
REQUESTS_SUFFIX = ".requests.json"  # a subject's idempotency records
REQUESTS_FORMAT = "slarules.requests/1"
KEPT_KEYS = 32  # idempotency keys kept per subject, the latest
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_LEDGER_FIELDS = ("period", "inputs", "events", "billed")  # what a record checks against the ledger
_RULESET_KEYS = ("ruleset", "ruleset_name", "strict")
_log = logging.getLogger("slarules.service")


class Refusal(Exception):
    """A request the service answers with `status` and these diagnostics."""

    def __init__(self, status: int, diagnostics):
        self.status, self.diagnostics = status, tuple(diagnostics)
        super().__init__(status)


def _refusal(status: int, code: str, message: str, *notes: str, location: str = "request") -> Refusal:
    return Refusal(status, [Diagnostic(code, message, None, notes, location=location)])


def create_app(state_dir: str | os.PathLike | None = None, rulesets_dir: str | os.PathLike | None = None,
               max_body: int = MAX_BODY, lock_wait: float = 30.0) -> Starlette:
    """The ASGI app. `state_dir` holds per-subject states (the /state endpoints answer 404
    without it), `rulesets_dir` the rulesets requests may name; `max_body` limits a request
    body in bytes; `lock_wait` is how long a request waits for a subject another process holds."""
    service = _Service(Path(state_dir) if state_dir is not None else None,
                       Path(rulesets_dir) if rulesets_dir is not None else None, max_body, lock_wait)
    routes = [
        Route("/health", service.endpoint(service.health), methods=["GET"]),
        Route("/openapi.json", service.endpoint(service.openapi), methods=["GET"]),
        Route("/check", service.endpoint(service.check), methods=["POST"]),
        Route("/explain", service.endpoint(service.explain), methods=["POST"]),
        Route("/evaluate", service.endpoint(service.evaluate), methods=["POST"]),
        Route("/state/{subject}", service.endpoint(service.read_state), methods=["GET"]),
        Route("/state/{subject}", service.endpoint(service.bill), methods=["POST"]),
        Route("/state/{subject}/periods/{period}", service.endpoint(service.read_period), methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: _no_endpoint}, lifespan=_parser_built)


@asynccontextmanager
async def _parser_built(app):
    """Build the ruleset parser before the first request is served (and /health answers)."""
    await run_in_threadpool(parser)
    yield


async def _no_endpoint(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 405:
        message = f"{request.url.path} does not answer {request.method}"
    else:
        message = f"no endpoint {request.url.path}"
    return _diagnostics_response(exc.status_code, [Diagnostic(
        "SLA608", message, None, ("GET /openapi.json lists the endpoints",), location="request")])


class _Service:
    def __init__(self, state_dir: Path | None, rulesets_dir: Path | None, max_body: int, lock_wait: float):
        self.state_dir, self.rulesets_dir = state_dir, rulesets_dir
        self.max_body, self.lock_wait = max_body, lock_wait
        self.subjects = _SubjectLocks()

    def endpoint(self, handler):
        """`handler` answering with JSON: a Refusal or an SlaError as diagnostics, a bug as a 500."""
        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except Refusal as refusal:
                return _diagnostics_response(refusal.status, refusal.diagnostics)
            except SlaError as err:
                return _diagnostics_response(_status_of(err.diagnostics), err.diagnostics)
            except Exception:
                _log.exception("internal error answering %s %s", request.method, request.url.path)
                return _diagnostics_response(500, [Diagnostic(
                    "SLA609", "internal error: a bug in slarules", None,
                    ("the service's log has the details; please report it with the request",), location="request")])
        return answer

    # ---- endpoints
    async def health(self, request: Request) -> Response:
        return _json_response({"status": "ok"})

    async def openapi(self, request: Request) -> Response:
        return _json_response(openapi_document())

    async def check(self, request: Request) -> Response:
        document = await self.request_document(request, _RULESET_KEYS)
        strict = _flag(document, "strict")

        def diagnostics() -> dict:
            text, path = self.ruleset_text(document)
            try:
                found = check(parse(Source(path, text)))
            except SlaError as err:
                found = list(err.diagnostics)
            data = report.diagnostics_data(found, checked=1)
            data["ok"] = not any(d.is_error or (strict and d.severity == "warning") for d in found)
            return data
        return _json_response(await run_in_threadpool(diagnostics))

    async def explain(self, request: Request) -> Response:
        document = await self.request_document(request, (*_RULESET_KEYS, "format"))
        form = document.get("format", "text")
        if form not in EXPLAIN_FORMATS:
            raise _refusal(400, "SLA601", f"unknown explain format {_shown(form)}",
                           f"the formats are {', '.join(EXPLAIN_FORMATS)}", location="request: format")

        def explained() -> dict:
            text, path = self.ruleset_text(document)
            ruleset = parse(Source(path, text))
            problems = check(ruleset)
            if any(d.is_error for d in problems):
                raise SlaError(problems)
            return {"format": form, "explanation": explain(ruleset, form)}
        return _json_response(await run_in_threadpool(explained))

    async def evaluate(self, request: Request) -> Response:
        document = await self.request_document(request, (*_RULESET_KEYS, "data", "state"), required=("data",))

        def evaluated() -> bytes:
            program = self.program(document)
            history = _history(program, document["data"])
            state = None
            if document.get("state") is not None:
                state = program.load_state(_json_text(document["state"], "state"), "request: state")
                if state.next_period is not None and history.periods:
                    _refuse_billed(program, "the state given", state.next_period, history)
            outcome = program.evaluate(history, state)
            return _body({"outcome": report.to_data(outcome), "state": json.loads(outcome.state_json())})
        return _json_response(await run_in_threadpool(evaluated))

    async def read_state(self, request: Request) -> Response:
        subject = self.subject(request)
        state = await run_in_threadpool(self.stored_state, subject)
        next_period = state.get("next_period") if isinstance(state, dict) else None
        return _json_response({"subject": subject, "next_period": next_period, "state": state})

    async def read_period(self, request: Request) -> Response:
        """A billed period's ledger entry, so a client that lost a bill's answer can read its figures."""
        subject, period = self.subject(request), request.path_params["period"]
        state = await run_in_threadpool(self.stored_state, subject)
        ledger = state.get("ledger") if isinstance(state, dict) else None
        entries = ledger.get("periods") if isinstance(ledger, dict) else None
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and entry.get("period") == period:
                revisions = entry.get("revisions") or []
                in_force = revisions[-1]["billed"] if revisions else entry.get("billed")
                return _json_response({"subject": subject, **entry, "in_force": in_force})
        raise _refusal(404, "SLA612", f"{_shown(period)} is not a period billed for subject '{subject}'",
                       f"GET /state/{subject} shows the state; its ledger lists the periods it billed",
                       location="request: period")

    def stored_state(self, subject: str):
        """The JSON of the state kept for `subject`: 404 if none, 409 if it is not JSON."""
        try:
            text = read_state_file(self.state_path(subject))  # its ledger file's records inside
        except FileNotFoundError:
            raise _no_state(subject) from None
        except SlaError as err:
            raise Refusal(409, err.diagnostics) from None
        try:
            return json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise _refusal(409, "SLA404", f"the state of subject '{subject}' cannot be read: not valid JSON",
                           location=f"state of {subject}") from None

    async def bill(self, request: Request) -> Response:
        subject = self.subject(request)
        key = _idempotency_key(request)
        raw = await self.body(request)
        document = await run_in_threadpool(_document, raw, f"POST {request.url.path}",
                                           (*_RULESET_KEYS, "data"), ("data",))
        program, history = await run_in_threadpool(self.program_and_history, document)
        if not history.periods:
            raise _refusal(422, "SLA607", f"the data holds no period to bill for subject '{subject}'",
                           'give at least one period in "data": {"periods": [...]}', location="request: data")
        digest = hashlib.sha256(raw).hexdigest() if key is not None else None
        async with self.subjects.holding(subject):
            body, replayed = await run_in_threadpool(self.bill_locked, program, subject, history, key, digest)
        response = _json_response(body)
        if replayed:
            response.headers["Idempotency-Replayed"] = "true"
        return response

    def bill_locked(self, program: Program, subject: str, history, key: str | None = None,
                    digest: str | None = None) -> tuple[bytes, bool]:
        """Under the subject's lock: the answer already given to `key` if its record stands
        (True: replayed); else evaluate from the state, produce the response body, record
        it under `key`, then commit the new state (leaving billing_run's block)."""
        try:
            with program.billing_run(self.state_path(subject), wait=self.lock_wait) as run:
                records = _Records(self.state_dir / f"{subject}{REQUESTS_SUFFIX}") if key is not None else None
                if records is not None:
                    kept = records.answer(key, digest, run.state)
                    if kept is not None:
                        return kept, True
                if run.state is not None and run.state.next_period is not None:
                    _refuse_billed(program, f"subject '{subject}'", run.state.next_period, history)
                outcome = run.evaluate(history)
                state = json.loads(outcome.state_json())
                body = _body({"subject": subject, "outcome": report.to_data(outcome), "state": state})
                if records is not None:
                    records.keep(key, digest, body, state["ledger"]["periods"][-len(history.periods):])
        except SlaError as err:
            if any(d.code in ("SLA403", "SLA404") for d in err.diagnostics):
                raise Refusal(409, err.diagnostics) from None
            raise
        if os.environ.get("SLARULES_SERVICE_EXIT_AFTER_COMMIT"):
            os._exit(70)  # the tests' crash between the commit and the answer
        return body, False

    # ---- reading a request
    async def request_document(self, request: Request, keys: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
        """The request body as a JSON object with only `keys` (those in `required` present),
        read off the event loop (a body of megabytes takes a while)."""
        body = await self.body(request)
        return await run_in_threadpool(_document, body, f"{request.method} {request.url.path}", keys, required)

    async def body(self, request: Request) -> bytes:
        """The body, refused (413) as soon as it is over the limit, before the rest is read."""
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            raise self.too_large()
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body:
                raise self.too_large()
            chunks.append(chunk)
        return b"".join(chunks)

    def too_large(self) -> Refusal:
        return _refusal(413, "SLA602", f"the request body is over the limit of {self.max_body:,} bytes",
                        "the limit is set when the service starts (slarules serve --max-body BYTES)")

    def ruleset_text(self, document: dict) -> tuple[str, str]:
        """The ruleset's text and the path its diagnostics and clauses name."""
        inline, name = document.get("ruleset"), document.get("ruleset_name")
        if (inline is None) == (name is None):
            raise _refusal(400, "SLA601", 'give the ruleset either as text ("ruleset") or by name ("ruleset_name")')
        if inline is not None:
            if not isinstance(inline, str) or isinstance(inline, _Number):
                raise _refusal(400, "SLA601", '"ruleset" must be the ruleset\'s text, a string')
            return inline, "<ruleset>"
        _check_name(name, "ruleset name")
        if self.rulesets_dir is None:
            raise _refusal(404, "SLA603", f"no ruleset named '{name}': the service has no rulesets folder",
                           "start it with --rulesets DIR to call rulesets by name, or give the text")
        path = self.rulesets_dir / f"{name}.sla"
        if not path.exists() and (self.rulesets_dir / f"{name}.sla.md").exists():
            path = self.rulesets_dir / f"{name}.sla.md"  # a literate ruleset: the contract's text and its blocks
        try:
            return path.read_text(encoding="utf-8-sig"), path.name
        except FileNotFoundError:
            raise _refusal(404, "SLA603", f"no ruleset named '{name}'",
                           f"the service reads {name}.sla (or {name}.sla.md) in its rulesets folder") from None
        except (OSError, UnicodeDecodeError) as err:
            raise SlaError([Diagnostic("SLA301", f"cannot read ruleset {path.name}: {err}")]) from None

    def program_and_history(self, document: dict):
        program = self.program(document)
        return program, _history(program, document["data"])

    def program(self, document: dict) -> Program:
        text, path = self.ruleset_text(document)
        return _compiled(path, text, _flag(document, "strict"))

    def subject(self, request: Request) -> str:
        subject = request.path_params["subject"]
        _check_name(subject, "subject id")
        if self.state_dir is None:
            raise _refusal(404, "SLA604", f"no state for subject '{subject}': the service keeps no states",
                           "start it with --state-dir DIR to keep states per subject")
        return subject

    def state_path(self, subject: str) -> Path:
        return self.state_dir / f"{subject}{STATE_SUFFIX}"


def _document(body: bytes, endpoint: str, keys: tuple[str, ...], required: tuple[str, ...]) -> dict:
    """A request body read as a JSON object of `keys` for `endpoint` ("POST /check"), numbers
    kept as their text; SLA601 (400) for anything else."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _refusal(400, "SLA601", f"the request body is not UTF-8: {err.reason} at byte {err.start}") from None
    try:
        document = json.loads(text, parse_float=_Number, parse_int=_Number, parse_constant=_Number)
    except json.JSONDecodeError as err:
        raise _refusal(400, "SLA601", f"the request body is not valid JSON: {err.msg} "
                                      f"at line {err.lineno} column {err.colno}") from None
    except RecursionError:
        raise _refusal(400, "SLA601", "the request body nests too deeply") from None
    if not isinstance(document, dict):
        raise _refusal(400, "SLA601", "the request body must be a JSON object",
                       f"its keys are {', '.join(keys)}")
    unknown = sorted(set(document) - set(keys))
    if unknown:
        raise _refusal(400, "SLA601", f"unknown key {_shown(unknown[0])} in the request",
                       f"the keys of {endpoint} are {', '.join(keys)}")
    missing = [key for key in required if key not in document]
    if missing:
        raise _refusal(400, "SLA601", f"the request has no {_shown(missing[0])}")
    return document


class _Records:
    """A subject's idempotency records (SUBJECT.requests.json), read and written under
    its state's lock: {"format", "records": [{"key", "request_sha256", "periods", "body"}]},
    `periods` the ledger entries the bill made (their _LEDGER_FIELDS), oldest record first."""

    def __init__(self, path: Path):
        self.path = path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.records = [r for r in data["records"] if isinstance(r, dict) and isinstance(r.get("key"), str)]
        except FileNotFoundError:
            self.records = []
        except (ValueError, KeyError, TypeError, RecursionError):
            _log.warning("idempotency records %s cannot be read: starting them again", path.name)
            self.records = []

    def answer(self, key: str, digest: str, state) -> bytes | None:
        """The body answered to `key`, if its record stands against `state`; None if
        there is none (or it never committed); SLA610 for another request body."""
        record = next((r for r in self.records if r["key"] == key), None)
        if record is None or not _stands(record.get("periods"), state):
            return None
        if record.get("request_sha256") != digest:
            raise _refusal(422, "SLA610", f"the Idempotency-Key {_shown(key)} was used with another request body",
                           "a retry sends the same body byte for byte; a new bill takes a new key",
                           location="request: Idempotency-Key")
        return record["body"].encode("utf-8")

    def keep(self, key: str, digest: str, body: bytes, periods: list) -> None:
        """Record `body` under `key` (fsynced and renamed: before the state is committed)."""
        record = {"key": key, "request_sha256": digest,
                  "periods": [{name: p[name] for name in _LEDGER_FIELDS} for p in periods],
                  "body": body.decode("utf-8")}
        self.records = [*(r for r in self.records if r["key"] != key), record][-KEPT_KEYS:]
        files.write_under_held_lock(self.path, _body({"format": REQUESTS_FORMAT, "records": self.records}).decode())


def _stands(periods, state) -> bool:
    """Whether the state's ledger holds each of a record's periods as it recorded them."""
    if state is None or not isinstance(periods, list) or not periods:
        return False
    ledger = {p["period"]: p for p in state.ledger.to_data()["periods"]}
    return all(isinstance(p, dict) and p.get("period") in ledger
               and all(ledger[p["period"]][name] == p.get(name) for name in _LEDGER_FIELDS) for p in periods)


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise _refusal(400, "SLA611", f"the Idempotency-Key {_shown(key)} is not allowed",
                       "a key is 1 to 255 visible ASCII characters (no space), one per bill",
                       location="request: Idempotency-Key")
    return key


def _no_state(subject: str) -> Refusal:
    return _refusal(404, "SLA604", f"no state for subject '{subject}'",
                    f"POST /state/{subject} with its first period(s) starts one")


def _refuse_billed(program: Program, whose: str, next_period: str, history) -> None:
    """SLA606 (409) if the data starts at a period the state has already evaluated."""
    first = history.periods[0].label
    if program.calendar.index(first) < program.calendar.index(next_period):
        raise _refusal(409, "SLA606", f"{first} is already billed for {whose}: "
                                      f"the state continues from {next_period}",
                       f"send the periods from {next_period} on", location="request: data")


def _check_name(name, what: str) -> None:
    if not isinstance(name, str) or isinstance(name, _Number) or not NAME.fullmatch(name):
        raise _refusal(400, "SLA605", f"{_shown(name)} is not a valid {what}",
                       "a name is 1 to 64 letters, digits, '_' or '-', starting with a letter or digit")


def _flag(document: dict, key: str) -> bool:
    value = document.get(key, False)
    if not isinstance(value, bool):
        raise _refusal(400, "SLA601", f'"{key}" must be true or false')
    return value


@lru_cache(maxsize=32)
def _compiled(path: str, text: str, strict: bool) -> Program:
    """The compiled ruleset (compiled once for each text, path and strictness); SlaError
    if check finds an error (or, with strict, a warning)."""
    ruleset = parse(Source(path, text))
    problems = [d for d in check(ruleset) if d.is_error or (strict and d.severity == "warning")]
    if problems:
        raise SlaError(problems)
    return compile_ruleset(ruleset)


def _history(program: Program, data):
    if not isinstance(data, dict):
        raise _refusal(400, "SLA601", '"data" must be an object {"periods": [...], "events": [...]}',
                       location="request: data")
    return parse_history(program, Source("request: data", _json_text(data, "data")))


class _Number(str):
    """A JSON number of a request, kept as its text so that no value passes through a float."""


def _json_text(value, key: str) -> str:
    """A part of the request as JSON text again, numbers written as they were sent."""
    try:
        return _encoded(value)
    except RecursionError:
        raise _refusal(400, "SLA601", f'"{key}" nests too deeply', location=f"request: {key}") from None


def _encoded(value) -> str:
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(key) + ":" + _encoded(item) for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_encoded(item) for item in value) + "]"
    return json.dumps(value)


def _shown(value) -> str:
    text = str(value)
    return repr(text[:40] + "..." if len(text) > 40 else text)


_STATUS_OF_CODE = {"SLA501": 503, "SLA502": 503}


def _status_of(diagnostics) -> int:
    """422 for what a ruleset or data says wrong; 503 when the state folder cannot be written or stays locked."""
    return max((_STATUS_OF_CODE.get(d.code, 422) for d in diagnostics), default=422)


def _body(data) -> bytes:
    """Compact JSON (the CLI's content without its indentation, which would cost the
    pure-Python encoder a millisecond for an outcome)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_response(data, status: int = 200) -> Response:
    return Response(data if isinstance(data, bytes) else _body(data), status, media_type="application/json")


def _diagnostics_response(status: int, diagnostics) -> Response:
    return _json_response({"status": status, **report.diagnostics_data(diagnostics)}, status)


class _SubjectLocks:
    """One asyncio lock per subject while requests for it are in flight, so that only one
    thread at a time waits on a subject's file lock."""

    def __init__(self):
        self._held: dict[str, list] = {}  # subject -> [lock, requests holding or waiting]

    @asynccontextmanager
    async def holding(self, subject: str):
        entry = self._held.setdefault(subject, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._held[subject]


# ---- the OpenAPI document

def _schema(name: str) -> dict:
    """A published JSON Schema (formats/schema/) as an OpenAPI component: its own
    references pointed into the component."""
    text = (package_files("slarules.formats") / "schema" / name).read_text(encoding="utf-8")
    schema = json.loads(text.replace('"#/$defs/', f'"#/components/schemas/{_COMPONENT[name]}/$defs/'))
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    return schema


_COMPONENT = {"outcome.schema.json": "Outcome", "state.schema.json": "State"}
_NULLABLE_INT = {"type": ["integer", "null"]}
_DIAGNOSTICS = {
    "type": "object",
    "description": "Diagnostics, as `slarules check --format json` prints them; an error response adds its `status`.",
    "required": ["format", "errors", "warnings", "notes", "diagnostics"],
    "properties": {
        "format": {"const": report.DIAGNOSTICS_FORMAT},
        "status": {"type": "integer"},
        "checked": {"type": "integer"},
        "ok": {"type": "boolean", "description": "(check) no error, nor a warning under strict"},
        "errors": {"type": "integer"}, "warnings": {"type": "integer"}, "notes": {"type": "integer"},
        "diagnostics": {"type": "array", "items": {
            "type": "object",
            "required": ["code", "severity", "message", "path", "line", "column", "end", "location", "notes"],
            "properties": {
                "code": {"type": "string", "pattern": "^SLA[0-9]{3}$"},
                "severity": {"enum": ["error", "warning", "note"]},
                "message": {"type": "string"},
                "path": {"type": ["string", "null"]},
                "line": _NULLABLE_INT, "column": _NULLABLE_INT,
                "end": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["line", "column"],
                                                     "properties": {"line": {"type": "integer"},
                                                                    "column": {"type": "integer"}}}]},
                "location": {"type": ["string", "null"]},
                "notes": {"type": "array", "items": {"type": "string"}},
            },
        }},
    },
}
_RULESET_PROPERTIES = {
    "ruleset": {"type": "string", "description": "the ruleset's text"},
    "ruleset_name": {"type": "string", "pattern": f"^{NAME.pattern}$",
                     "description": "NAME.sla in the service's rulesets folder (instead of `ruleset`)"},
    "strict": {"type": "boolean", "default": False, "description": "warnings in the ruleset count as errors"},
}
_DATA = {"type": "object", "description": "KPI data as a JSON data file: "
                                          '{"periods": [{"period": "2026-01", "monthly_fee": "60000.00"}], '
                                          '"events": [...]}'}


def _request(properties: dict, required: tuple[str, ...] = ()) -> dict:
    schema = {"type": "object", "additionalProperties": False, "properties": {**_RULESET_PROPERTIES, **properties}}
    if required:
        schema["required"] = list(required)
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    reasons = {400: "the request cannot be read, or a name is not allowed", 404: "unknown ruleset or subject",
               409: "a period already billed, or a stored state that does not fit the ruleset",
               413: "the request body is over the size limit",
               422: "errors in the ruleset or the data, or an Idempotency-Key sent with another body",
               500: "a bug in slarules (the trace is in the service's log)",
               503: "the state folder cannot be written or stays locked"}
    diagnostics = {"$ref": "#/components/schemas/Diagnostics"}
    return {str(status): _answer(reasons[status], diagnostics) for status in statuses}


_SUBJECT = {"name": "subject", "in": "path", "required": True,
            "schema": {"type": "string", "pattern": f"^{NAME.pattern}$"}}
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": f"^{IDEMPOTENCY_KEY.pattern}$"},
    "description": "a key the client chooses for this bill: sent again with the same body (a retry), it answers "
                   "the first answer again, byte for byte (header Idempotency-Replayed: true), without billing; "
                   "with another body it is 422 (SLA610). The service keeps a subject's last "
                   f"{KEPT_KEYS} keys, also across restarts."}
_LEDGER_ENTRY = {"type": "object", "required": ["subject", "period", "inputs", "events", "billed", "revisions",
                                                "in_force"],
                 "properties": {"subject": {"type": "string"}, "period": {"type": "string"},
                                "inputs": {"type": "object"}, "events": {"type": "array"},
                                "billed": {"type": "object", "description": "the figures as first billed"},
                                "revisions": {"type": "array", "description": "restatements since"},
                                "in_force": {"type": "object",
                                             "description": "the last revision's figures, or those first billed"}}}
_EVALUATED = {"type": "object", "required": ["outcome", "state"], "properties": {
    "subject": {"type": "string"},
    "outcome": {"$ref": "#/components/schemas/Outcome"}, "state": {"$ref": "#/components/schemas/State"}}}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    """The OpenAPI 3.1 document of the service, its outcome and state schemas those
    formats/schema/ publishes."""
    common = (400, 404, 413, 500)
    return {
        "openapi": "3.1.0",
        "info": {"title": "slarules service", "version": "1",
                 "description": "Service level agreement terms as exact, explainable money, over HTTP JSON."},
        "paths": {
            "/check": {"post": {
                "summary": "a ruleset's diagnostics", "requestBody": _request({}),
                "responses": {"200": _answer("the diagnostics (none: the ruleset is clean)",
                                             {"$ref": "#/components/schemas/Diagnostics"}), **_errors(*common)}}},
            "/explain": {"post": {
                "summary": "the ruleset as numbered plain-English clauses",
                "requestBody": _request({"format": {"enum": list(EXPLAIN_FORMATS), "default": "text"}}),
                "responses": {"200": _answer("the explanation", {
                    "type": "object", "required": ["format", "explanation"],
                    "properties": {"format": {"type": "string"}, "explanation": {"type": "string"}}}),
                    **_errors(*common, 422)}}},
            "/evaluate": {"post": {
                "summary": "evaluate a ruleset over KPI data, from an optional state",
                "requestBody": _request({"data": _DATA, "state": {"oneOf": [
                    {"type": "null"}, {"$ref": "#/components/schemas/State"}]}}, ("data",)),
                "responses": {"200": _answer("the outcome and the state after its last period", _EVALUATED),
                              **_errors(*common, 409, 422)}}},
            "/state/{subject}": {
                "parameters": [_SUBJECT],
                "get": {"summary": "the state kept for a subject",
                        "responses": {"200": _answer("the subject's state", {
                            "type": "object", "required": ["subject", "next_period", "state"],
                            "properties": {"subject": {"type": "string"},
                                           "next_period": {"type": ["string", "null"]},
                                           "state": {"$ref": "#/components/schemas/State"}}}),
                                      **_errors(400, 404, 409, 500)}},
                "post": {"summary": "evaluate a subject's next period(s) from its state and commit the new state",
                         "parameters": [_IDEMPOTENCY_KEY],
                         "requestBody": _request({"data": _DATA}, ("data",)),
                         "responses": {"200": _answer("the outcome and the committed state", _EVALUATED),
                                       **_errors(*common, 409, 422, 503)}}},
            "/state/{subject}/periods/{period}": {
                "parameters": [_SUBJECT, {"name": "period", "in": "path", "required": True,
                                          "schema": {"type": "string"}}],
                "get": {"summary": "what a subject's state billed for a period (its ledger entry)",
                        "responses": {"200": _answer("the period's inputs, events and figures", _LEDGER_ENTRY),
                                      **_errors(400, 404, 409, 500)}}},
            "/health": {"get": {"summary": "the service answers",
                                "responses": {"200": _answer("ok", {"type": "object"})}}},
        },
        "components": {"schemas": {"Outcome": _schema("outcome.schema.json"), "State": _schema("state.schema.json"),
                                   "Diagnostics": _DIAGNOSTICS}},
    }
