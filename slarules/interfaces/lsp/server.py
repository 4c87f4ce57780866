"""The language server: pygls over stdio, one handler per request.

Each open document is analysed once per version (document.py) when it is
opened or changed (full text sync), and its diagnostics are published then.
The handlers only look the answer up (navigation.py, completion.py,
fixes.py). No text can crash the server: a handler that fails (a bug in
slarules) logs the error to the client and answers with nothing, so every
request gets its answer.
"""
from __future__ import annotations

import functools
import logging
from importlib.metadata import PackageNotFoundError, version

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ...core.diagnostics import SlaError
from ...core.source import Source
from ...language.fmt import format_source
from .completion import completions
from .document import Analysis, file_name
from .fixes import code_actions, lsp_diagnostics
from .navigation import definition, document_symbols, hover, references

log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return version("slarules")
    except PackageNotFoundError:
        return "unknown"


class SlaLanguageServer(LanguageServer):
    """The server and what it knows of each open document: its analysis, and the last one that parsed."""

    def __init__(self):
        super().__init__("slarules", _version(), text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.analyses: dict[str, Analysis] = {}
        self.parsed: dict[str, Analysis] = {}

    def analyse(self, uri: str) -> Analysis:
        document = self.workspace.get_text_document(uri)
        current = self.analyses.get(uri)
        if current is None or current.index.text != document.source:
            current = self.analyses[uri] = Analysis(uri, document.source, self.workspace.position_encoding)
            if current.ruleset is not None:
                self.parsed[uri] = current
        return current

    def publish(self, uri: str, version: int | None) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=version, diagnostics=lsp_diagnostics(self.analyse(uri))))

    def forget(self, uri: str) -> None:
        self.analyses.pop(uri, None)
        self.parsed.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _guarded(default):
    """A handler that answers `default` (and logs why) instead of failing on a bug in slarules."""
    def wrap(handler):
        @functools.wraps(handler)
        def guarded(server: SlaLanguageServer, params):
            try:
                return handler(server, params)
            except Exception as err:
                message = f"slarules: internal error in {handler.__name__}: {type(err).__name__}: {err}"
                log.exception(message)
                server.window_log_message(types.LogMessageParams(types.MessageType.Error, message))
                return default
        return guarded
    return wrap


server = SlaLanguageServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@_guarded(None)
def did_open(ls: SlaLanguageServer, params: types.DidOpenTextDocumentParams):
    ls.publish(params.text_document.uri, params.text_document.version)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@_guarded(None)
def did_change(ls: SlaLanguageServer, params: types.DidChangeTextDocumentParams):
    ls.publish(params.text_document.uri, params.text_document.version)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@_guarded(None)
def did_close(ls: SlaLanguageServer, params: types.DidCloseTextDocumentParams):
    ls.forget(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_HOVER)
@_guarded(None)
def on_hover(ls: SlaLanguageServer, params: types.HoverParams):
    return hover(ls.analyse(params.text_document.uri), params.position)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
@_guarded([])
def on_definition(ls: SlaLanguageServer, params: types.DefinitionParams):
    return definition(ls.analyse(params.text_document.uri), params.position)


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
@_guarded([])
def on_references(ls: SlaLanguageServer, params: types.ReferenceParams):
    return references(ls.analyse(params.text_document.uri), params.position, params.context.include_declaration)


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" "]))
@_guarded([])
def on_completion(ls: SlaLanguageServer, params: types.CompletionParams):
    uri = params.text_document.uri
    analysis = ls.analyse(uri)
    names_from = ls.parsed.get(uri) or analysis.without_line(params.position.line)
    return completions(analysis, names_from, params.position)


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
@_guarded([])
def on_formatting(ls: SlaLanguageServer, params: types.DocumentFormattingParams):
    """The whole text in `slarules fmt`'s layout; nothing for a text with a syntax error."""
    analysis = ls.analyse(params.text_document.uri)
    if analysis.ruleset is None:
        return []
    try:
        formatted = format_source(Source(file_name(analysis.uri), analysis.index.text))
    except SlaError:
        return []
    if formatted == analysis.source.text:
        return []
    return [types.TextEdit(analysis.index.whole(), formatted)]


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
@_guarded([])
def on_document_symbol(ls: SlaLanguageServer, params: types.DocumentSymbolParams):
    return document_symbols(ls.analyse(params.text_document.uri))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
@_guarded([])
def on_code_action(ls: SlaLanguageServer, params: types.CodeActionParams):
    uri = params.text_document.uri
    return code_actions(ls.analyse(uri), uri, params.range)


def serve() -> int:
    """Speak the Language Server Protocol over stdin and stdout until the client says exit."""
    server.start_io()
    return 0
