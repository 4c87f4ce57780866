"""A small Language Server Protocol client over a subprocess's pipes, for the tests.

It speaks JSON-RPC with Content-Length headers, as an editor does: requests
wait for their response (server notifications met on the way are kept, a
server request is answered with null), notifications go out at once.
"""
from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path

TIMEOUT = 60.0  # seconds for one answer; the machine is shared, a ruleset's check takes milliseconds


class ServerGone(Exception):
    pass


class LspClient:
    def __init__(self, command: list[str], cwd: Path | None = None):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, cwd=cwd)
        self.inbox: queue.Queue = queue.Queue()
        self.notifications: list[dict] = []
        self.stderr: list[bytes] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.process.stderr), daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if not line.strip():
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            self.inbox.put(json.loads(stream.read(int(headers["content-length"]))))

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _next(self, deadline: float) -> dict:
        try:
            message = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            raise TimeoutError("no message from the server in time") from None
        if message is None:
            raise ServerGone(b"".join(self.stderr).decode("utf-8", "replace")[-3000:])
        if "method" in message and "id" in message:  # a request from the server
            self._send({"id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)
        return message

    def notify(self, method: str, params) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params) -> dict:
        """The whole response message: `result` or `error`."""
        self.next_id += 1
        wanted = self.next_id
        self._send({"id": wanted, "method": method, "params": params})
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._next(deadline)
            if message.get("id") == wanted and "method" not in message:
                return message

    def result(self, method: str, params):
        response = self.request(method, params)
        assert "error" not in response, response
        return response["result"]

    def wait_for(self, method: str, check=lambda params: True) -> dict:
        """The params of the first notification `method` (already received or to come) that passes `check`."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for message in self.notifications:
                if message["method"] == method and check(message["params"]):
                    self.notifications.remove(message)
                    return message["params"]
            self._next(deadline)

    def initialize(self, root: Path | None = None, capabilities: dict | None = None) -> dict:
        result = self.result("initialize", {
            "processId": None, "rootUri": root.as_uri() if root else None,
            "capabilities": capabilities or {
                "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]},
                                 "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
                                 "publishDiagnostics": {"relatedInformation": True}}},
        })
        self.notify("initialized", {})
        return result

    def shutdown(self) -> int:
        """shutdown, then exit: the server's exit status."""
        self.result("shutdown", None)
        self.notify("exit", None)
        self.process.stdin.close()
        return self.process.wait(timeout=TIMEOUT)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
