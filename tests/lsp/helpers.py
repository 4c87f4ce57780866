"""What the LSP tests share: documents opened under fresh URIs, positions found by the text at them."""
from __future__ import annotations

import itertools

_numbers = itertools.count(1)


class Doc:
    """A document open in the server: its URI, text and version."""

    def __init__(self, server, text: str, name: str = "contract.sla"):
        self.server, self.text, self.version = server, text, 1
        self.uri = f"file:///work/test{next(_numbers)}/{name}"
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri, "languageId": "slarules", "version": 1, "text": text}})

    def diagnostics(self) -> list[dict]:
        """The diagnostics the server publishes for this version."""
        return self.server.wait_for("textDocument/publishDiagnostics",
                                    lambda p: p["uri"] == self.uri and p.get("version") == self.version)["diagnostics"]

    def change(self, text: str) -> None:
        self.text, self.version = text, self.version + 1
        self.server.notify("textDocument/didChange", {"textDocument": {"uri": self.uri, "version": self.version},
                                                      "contentChanges": [{"text": text}]})

    def at(self, needle: str, into: int = 0, occurrence: int = 0) -> dict:
        """The LSP position `into` characters into the `occurrence`-th `needle` (an ASCII text)."""
        offset = -1
        for _ in range(occurrence + 1):
            offset = self.text.index(needle, offset + 1)
        offset += into
        line_start = self.text.rfind("\n", 0, offset) + 1
        return {"line": self.text.count("\n", 0, offset), "character": offset - line_start}

    def ask(self, method: str, position: dict | None = None, **params):
        params = {"textDocument": {"uri": self.uri}, **params}
        if position is not None:
            params["position"] = position
        return self.server.result(method, params)
