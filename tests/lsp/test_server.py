"""The language server as an editor meets it: a subprocess spoken to over stdio with JSON-RPC.

Nothing here calls a handler: every answer comes back over the pipes, from
`python -m slarules lsp`, to requests written as an editor writes them.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import Doc
from lsp_client import LspClient

from slarules import Source, parse
from slarules.language.fmt import format_source
from slarules.tools.explain import explain

ACME = (ROOT / "rulesets" / "acme_contact_center.sla").read_text(encoding="utf-8")
QUARTERLY = (ROOT / "rulesets" / "managed_security_quarterly.sla").read_text(encoding="utf-8")
DIAGNOSTICS = ROOT / "tests" / "golden" / "diagnostics"
SEVERITY = {"error": 1, "warning": 2, "note": 3}

SMALL = """\
contract "Small" currency USD, starts 2026-01
inputs
  monthly_fee money "the fee"
  up percent
at risk: 4% of monthly_fee each month
service level uptime "Uptime"
  measured as up
  target: at least 99%
  credit, the most severe row applies:
    below 99%: 2% of monthly_fee
    below 95%: 5% of monthly_fee
terminate when uptime is missed 3 months in a row
"""


def apply(text: str, edits: list[dict]) -> str:
    """The text after LSP text edits (positions as characters: the tests' texts are ASCII)."""
    lines = text.split("\n")

    def offset(position: dict) -> int:
        return sum(len(line) + 1 for line in lines[:position["line"]]) + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        text = text[:offset(edit["range"]["start"])] + edit["newText"] + text[offset(edit["range"]["end"]):]
    return text


# ------------------------------------------------------------------ the session

def test_initialize_announces_each_feature_and_shutdown_then_exit_ends_the_server():
    client = LspClient([sys.executable, "-m", "slarules", "lsp"], cwd=ROOT)
    try:
        result = client.initialize(ROOT)
        capabilities = result["capabilities"]
        assert result["serverInfo"]["name"] == "slarules"
        assert capabilities["textDocumentSync"]["change"] == 1  # full text on every change
        assert capabilities["positionEncoding"] == "utf-16"
        for feature in ("hoverProvider", "definitionProvider", "referencesProvider", "completionProvider",
                        "documentFormattingProvider", "documentSymbolProvider", "codeActionProvider"):
            assert capabilities[feature], feature
        assert capabilities["codeActionProvider"]["codeActionKinds"] == ["quickfix"]
        assert client.shutdown() == 0
    finally:
        client.kill()


# ------------------------------------------------------------------ diagnostics

HEAD = re.compile(r"^golden/diagnostics/\S+?:(\d+):(\d+): (error|warning|note)\[(SLA\d+)\]: (.*)$")


def printed(expected: str) -> list[dict]:
    """The diagnostics `check` printed (a golden .expected file): where, code, severity, message with notes."""
    found = []
    for line in expected.splitlines():
        head = HEAD.match(line)
        if head:
            found.append({"line": int(head[1]), "column": int(head[2]), "severity": head[3], "code": head[4],
                          "message": head[5]})
        elif found and (note := re.match(r"^\s*= note: (.*)$", line)):
            found[-1]["message"] += f"\nnote: {note[1]}"
    return found


@pytest.mark.parametrize("path", sorted(DIAGNOSTICS.glob("*.sla")), ids=lambda p: p.stem)
def test_diagnostics_are_what_check_prints(server, path: Path):
    text = path.read_text(encoding="utf-8")
    expected = printed((DIAGNOSTICS / f"{path.stem}.expected").read_text(encoding="utf-8"))
    shown = Doc(server, text, path.name).diagnostics()
    lines = text.removeprefix("\ufeff").split("\n")
    assert len(shown) == len(expected)
    for got, want in zip(shown, expected):
        assert (got["code"], got["message"], got["severity"], got["source"]) == (
            want["code"], want["message"], SEVERITY[want["severity"]], "slarules")
        # check counts 1-based characters; LSP counts 0-based UTF-16 units (a character above U+FFFF is two).
        before = lines[want["line"] - 1][:want["column"] - 1]
        assert got["range"]["start"] == {"line": want["line"] - 1,
                                         "character": len(before.encode("utf-16-le")) // 2}


def test_columns_count_utf16_units(server):
    # The unknown input `answerd` comes after a title with an emoji (U+1F642, two UTF-16 units) on the same
    # line: it starts `characters` characters into the line, so `characters + 1` UTF-16 units in.
    line = 'service level uptime "Fast \U0001F642 answers" measured as answerd, in percent target: at least 99%'
    text = SMALL.replace('service level uptime "Uptime"\n  measured as up\n  target: at least 99%', line)
    characters = line.index("answerd")
    shown = [d for d in Doc(server, text).diagnostics() if d["code"] == "SLA201"]
    assert shown[0]["range"] == {"start": {"line": 5, "character": characters + 1},
                                 "end": {"line": 5, "character": characters + 1 + len("answerd")}}


def test_a_change_republishes_and_the_quick_fix_repairs_the_name(server):
    doc = Doc(server, SMALL)
    assert doc.diagnostics() == []
    doc.change(SMALL.replace("5% of monthly_fee", "5% of monthy_fee"))
    (shown,) = [d for d in doc.diagnostics() if d["severity"] == 1]
    assert shown["code"] == "SLA201" and shown["message"] == "unknown input 'monthy_fee'\nnote: did you mean 'monthly_fee'?"
    assert shown["range"]["start"] == doc.at("monthy_fee")
    (action,) = doc.ask("textDocument/codeAction", range=shown["range"], context={"diagnostics": [shown]})
    assert action["title"] == "Replace 'monthy_fee' with 'monthly_fee'" and action["kind"] == "quickfix"
    doc.change(apply(doc.text, action["edit"]["changes"][doc.uri]))
    assert doc.text == SMALL
    assert doc.diagnostics() == []


def test_quick_fixes_for_a_misspelled_keyword_and_a_name_written_as_two_words(server):
    doc = Doc(server, SMALL.replace("service level uptime", "servce level uptime"))
    (shown,) = doc.diagnostics()
    assert shown["code"] == "SLA007"
    (action,) = doc.ask("textDocument/codeAction", range=shown["range"], context={"diagnostics": [shown]})
    assert apply(doc.text, action["edit"]["changes"][doc.uri]) == SMALL

    doc = Doc(server, SMALL.replace("2% of monthly_fee", "2% of monthly fee"))
    (shown,) = doc.diagnostics()
    assert "did you mean 'monthly_fee'?" in shown["message"]
    (action,) = doc.ask("textDocument/codeAction", range=shown["range"], context={"diagnostics": [shown]})
    assert action["title"] == "Replace 'monthly fee' with 'monthly_fee'"
    assert apply(doc.text, action["edit"]["changes"][doc.uri]) == SMALL


def test_no_quick_fix_where_nothing_is_suggested(server):
    doc = Doc(server, SMALL.replace("2% of monthly_fee", "2% of zzz"))
    (shown,) = [d for d in doc.diagnostics() if d["severity"] == 1]
    assert shown["code"] == "SLA201" and "did you mean" not in shown["message"]
    assert doc.ask("textDocument/codeAction", range=shown["range"], context={"diagnostics": [shown]}) == []


# ------------------------------------------------------------------ hover

def test_hover_on_an_input_shows_its_declaration(server):
    doc = Doc(server, ACME, "acme.sla")
    hover = doc.ask("textDocument/hover", doc.at("monthly_fee each month", 3))
    assert hover["contents"]["kind"] == "markdown"
    assert hover["contents"]["value"] == (
        "**input** `monthly_fee`: money, \u201cfees invoiced for the month (Schedule B)\u201d\n\n"
        "```sla\nmonthly_fee          money   \"fees invoiced for the month (Schedule B)\"\n```\n\n"
        "declared on line 8")
    assert hover["range"] == {"start": doc.at("monthly_fee each month"), "end": doc.at("monthly_fee each month", 11)}
    # An input declared over two lines (its missing-data rule) shows both.
    value = doc.ask("textDocument/hover", doc.at("quality_score", 1, occurrence=1))["contents"]["value"]
    assert '"monthly quality assurance score (Annex C-2)",\n' in value and "missing counts as a miss" in value


def test_hover_on_a_service_level_where_a_trigger_names_it(server):
    doc = Doc(server, SMALL)
    value = doc.ask("textDocument/hover", doc.at("uptime is missed", 2))["contents"]["value"]
    assert value == ("**service level** `uptime`: \u201cUptime\u201d\n\n```sla\n"
                     "service level uptime \"Uptime\"\n  measured as up\n  target: at least 99%\n```\n\n"
                     "declared on line 6")


def test_hover_on_a_service_level_shows_the_contract_clause_it_cites(server):
    doc = Doc(server, ACME, "acme.sla")
    value = doc.ask("textDocument/hover", doc.at("speed_of_answer is missed 3", 2))["contents"]["value"]
    assert value.startswith("**service level** `speed_of_answer` (critical): \u201cCalls answered within 20 "
                            "seconds\u201d; contract clause C.2.1\n\n```sla\n")


def test_hover_on_a_term_is_the_clause_explain_writes_for_it(server):
    doc = Doc(server, ACME, "acme_contact_center.sla")
    paragraphs = explain(parse(Source("acme_contact_center.sla", ACME)), "markdown").split("\n\n")
    target = doc.ask("textDocument/hover", doc.at("target: at least 80%", 4))["contents"]["value"]
    assert target.startswith("**3.1.3 Target.** At least 80%") and target in paragraphs
    # A tier row: no clause cites its line, so the credit clause around it answers.
    row = doc.ask("textDocument/hover", doc.at("below 75%: 5%", 2))["contents"]["value"]
    assert row.startswith("**3.1.4 Service credit.**") and "below 75%, 5% of `monthly_fee`" in row
    assert row in paragraphs
    assert "`contract clause C.2.1(a), acme_contact_center.sla:21`" in row  # the credit's contract clause
    # The `contract "..."` line: no clause cites it, so the contract's clauses (on the next line) answer.
    header = doc.ask("textDocument/hover", doc.at('contract "Acme', 2))["contents"]["value"]
    assert header.startswith("**1.1 Currency.** All amounts are in USD.") and "**1.4 Start" in header


def test_no_explanation_while_the_ruleset_has_errors(server):
    doc = Doc(server, SMALL.replace("5% of monthly_fee", "5% of monthy_fee"))
    assert doc.ask("textDocument/hover", doc.at("target: at least", 2)) is None
    # A name still shows its declaration.
    assert "declared on line 3" in doc.ask("textDocument/hover", doc.at("2% of monthly_fee", 8))["contents"]["value"]


# ------------------------------------------------------------------ definition and references

def test_definition_and_references_of_an_input_and_a_service_level(server):
    doc = Doc(server, SMALL)
    declared = {"start": doc.at("monthly_fee money"), "end": doc.at("monthly_fee money", 11)}
    (location,) = doc.ask("textDocument/definition", doc.at("5% of monthly_fee", 8))
    assert location == {"uri": doc.uri, "range": declared}
    found = doc.ask("textDocument/references", doc.at("5% of monthly_fee", 8), context={"includeDeclaration": True})
    # monthly_fee: declared on line 3, used in `at risk`, and in both tier rows.
    assert [f["range"]["start"]["line"] for f in found] == [2, 4, 9, 10]
    found = doc.ask("textDocument/references", doc.at("monthly_fee money"), context={"includeDeclaration": False})
    assert [f["range"]["start"]["line"] for f in found] == [4, 9, 10]
    (location,) = doc.ask("textDocument/definition", doc.at("uptime is missed"))
    assert location["range"]["start"] == doc.at("uptime \"Uptime\"")
    assert doc.ask("textDocument/definition", doc.at("target:")) == []


# ------------------------------------------------------------------ completion

def labels(doc: Doc, position: dict) -> list[str]:
    return [item["label"] for item in doc.ask("textDocument/completion", position)]


def test_completion_offers_what_the_grammar_takes_there(server):
    # A new clause of the service level, being typed: `ta` -> target, and the other clause keywords.
    doc = Doc(server, SMALL.replace("terminate when", "  ta\nterminate when"))
    offered = labels(doc, doc.at("  ta\n", 4))
    assert {"target", "credit", "bonus", "cure", "earn back", "free passes", "measured"} <= set(offered)
    assert "monthly_fee" not in offered and "uptime" not in offered
    # After `terminate when`: the service levels (and the other trigger openings), not the inputs; the names
    # from the last version that parsed, or, in a document that never did, from the text without the line typed.
    doc = Doc(server, SMALL)
    doc.change(SMALL.replace("uptime is missed 3 months in a row", ""))
    offered = labels(doc, doc.at("terminate when ", 15))
    assert "uptime" in offered and "credits in any" in offered and "monthly_fee" not in offered
    doc = Doc(server, SMALL.replace("uptime is missed 3 months in a row", ""))
    assert "uptime" in labels(doc, doc.at("terminate when ", 15))
    # After `of` in an amount: the inputs, and `the` (the amount at risk, the allocation).
    doc = Doc(server, SMALL.replace("5% of monthly_fee", "5% of "))
    offered = labels(doc, doc.at("5% of ", 6))
    assert {"monthly_fee", "up", "the"} <= set(offered) and "uptime" not in offered
    # A unit after a new input's name; no names where a name is being declared.
    doc = Doc(server, SMALL.replace('  up percent\n', '  up percent\n  calls \n'))
    assert set(labels(doc, doc.at("calls ", 6))) == {"money", "percent", "seconds", "minutes", "count", "score",
                                                     "ratio", "index"}
    assert "monthly_fee" not in labels(doc, doc.at("calls ", 0))


def test_completion_in_a_comment_or_a_string_offers_nothing(server):
    doc = Doc(server, SMALL.replace('"the fee"', '"the fee" # a comm'))
    assert labels(doc, doc.at("# a comm", 8)) == []
    assert labels(doc, doc.at('"the fee"', 3)) == []


# ------------------------------------------------------------------ formatting

def test_formatting_is_fmt_and_a_syntax_error_gets_no_edit(server):
    messy = SMALL.replace("  target: at least 99%", "     target:   at least   99%  # the target")
    doc = Doc(server, messy)
    edits = doc.ask("textDocument/formatting", options={"tabSize": 2, "insertSpaces": True})
    assert apply(messy, edits) == format_source(Source("x.sla", messy))
    assert "  target: at least 99%  # the target\n" in apply(messy, edits)
    doc.change(format_source(Source("x.sla", messy)))
    assert doc.ask("textDocument/formatting", options={"tabSize": 2, "insertSpaces": True}) == []
    doc.change(SMALL.replace("target:", "target"))
    assert doc.ask("textDocument/formatting", options={"tabSize": 2, "insertSpaces": True}) == []


# ------------------------------------------------------------------ outline

def test_document_symbols_outline_the_contract(server):
    doc = Doc(server, QUARTERLY)
    symbols = doc.ask("textDocument/documentSymbol")
    names = [s["name"] for s in symbols]
    assert names[0] == parse(Source("q.sla", QUARTERLY)).contract.title
    (inputs,) = [s for s in symbols if s["name"] == "inputs"]
    assert [c["name"] for c in inputs["children"]] == [i.name.text for i in parse(Source("q.sla", QUARTERLY)).inputs]
    (patch,) = [s for s in symbols if s["name"] == "patch_compliance"]
    assert patch["kind"] == 5  # Class
    assert any(c["name"].startswith("target:") for c in patch["children"])
    assert any(n.startswith("terminate when") for n in names)
    (amendment,) = [s for s in symbols if s["name"].startswith("amendment effective")]
    assert amendment["name"] == "amendment effective 2027-01"
    assert [c["name"] for c in amendment["children"]] == ["patch_compliance"]


def test_a_literate_ruleset_gets_diagnostics_and_hovers_on_the_markdowns_own_lines(server):
    path = DIAGNOSTICS / "literate_error_in_the_second_block.sla.md"
    text = path.read_text(encoding="utf-8")
    doc = Doc(server, text, path.name)
    (shown,) = doc.diagnostics()
    # check prints golden/diagnostics/literate_error_in_the_second_block.sla.md:20:17: SLA201 unknown input 'fees'
    assert (shown["code"], shown["range"]["start"]) == ("SLA201", {"line": 19, "character": 16})
    doc.change(text.replace("2% of fees", "2% of fee"))
    assert doc.diagnostics() == []
    hover = doc.ask("textDocument/hover", doc.at("credit: 2% of fee", 2))["contents"]["value"]
    assert hover.startswith("**3.1.3 Service credit.**") and "contract clause 4.2" in hover
    assert doc.ask("textDocument/hover", doc.at("The service is available", 4)) is None  # wording: no term


def test_no_outline_and_no_answers_but_diagnostics_for_a_text_that_does_not_parse(server):
    doc = Doc(server, "contract")
    (shown,) = doc.diagnostics()
    assert shown["code"].startswith("SLA0")
    assert doc.ask("textDocument/documentSymbol") == []
    assert doc.ask("textDocument/hover", {"line": 0, "character": 2}) is None
    assert doc.ask("textDocument/definition", {"line": 0, "character": 2}) == []


# ------------------------------------------------------------------ positions in other encodings and line ends

def test_a_client_that_counts_in_utf8_gets_utf8_columns_and_crlf_with_a_bom_is_read_as_written():
    client = LspClient([sys.executable, "-m", "slarules", "lsp"], cwd=ROOT)
    try:
        result = client.initialize(ROOT, {"general": {"positionEncodings": ["utf-8", "utf-16"]}})
        assert result["capabilities"]["positionEncoding"] == "utf-8"
        # `é` is two UTF-8 bytes: the unknown input after it starts two units further than its character index.
        line = 'service level uptime "Disponibilit\u00e9" measured as upp, in percent target: at least 99%'
        text = SMALL.replace('service level uptime "Uptime"\n  measured as up\n  target: at least 99%', line)
        doc = Doc(client, "\ufeff" + text.replace("\n", "\r\n"))  # a byte-order mark and Windows line ends
        (shown,) = [d for d in doc.diagnostics() if d["code"] == "SLA201"]
        start = line.index("upp,") + 1
        assert shown["range"] == {"start": {"line": 5, "character": start},
                                  "end": {"line": 5, "character": start + 3}}
        (action,) = doc.ask("textDocument/codeAction", range=shown["range"], context={"diagnostics": [shown]})
        assert action["edit"]["changes"][doc.uri][0]["newText"] == "up"
        assert client.shutdown() == 0
    finally:
        client.kill()
