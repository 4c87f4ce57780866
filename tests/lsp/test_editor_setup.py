"""Each editor set-up the documentation gives starts a server that answers.

The command lines are read from editors/README.md (Neovim, Vim, Emacs,
Helix), README.md and the VS Code extension's settings, then run as the
editor would run them (each different one once; they are all `slarules lsp`):
`slarules` found on the PATH (the one installed next to this Python), initialize, a document opened and its diagnostics published,
shutdown and exit.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from lsp_client import LspClient

EDITORS_README = (ROOT / "editors" / "README.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def quoted(text: str, quote: str = '"') -> list[str]:
    return re.findall(rf"{quote}([^{quote}]*){quote}", text)


def documented() -> dict[str, list[str]]:
    """Each documented way to start the server -> its command line."""
    found: dict[str, list[str]] = {}
    lua = blocks(EDITORS_README, "lua") + [b for b in blocks(README, "lua")]
    for n, block in enumerate(lua):
        for m, command in enumerate(re.findall(r"cmd = \{([^}]*)\}", block)):
            found[f"neovim-{n}-{m}"] = quoted(command)
    (vim,) = blocks(EDITORS_README, "vim")
    found["vim-lsp"] = quoted(re.search(r"server_info->\[([^\]]*)\]", vim)[1], "'")
    (coc,) = blocks(EDITORS_README, "json")
    entry = json.loads(coc)["languageserver"]["slarules"]
    found["coc.nvim"] = [entry["command"], *entry["args"]]
    (elisp,) = blocks(EDITORS_README, "elisp")
    found["emacs-eglot"] = quoted(re.search(r"'\(slarules-mode ((?:\"[^\"]*\" ?)+)\)", elisp)[1])
    (toml,) = blocks(EDITORS_README, "toml")
    found["helix"] = [re.search(r'command = "([^"]*)"', toml)[1], *quoted(re.search(r"args = \[([^\]]*)\]", toml)[1])]
    settings = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))
    properties = settings["contributes"]["configuration"]["properties"]
    found["vscode"] = [properties["slarules.server.command"]["default"], *properties["slarules.server.args"]["default"]]
    return found


COMMANDS = documented()


def test_every_editor_is_documented_with_the_same_command():
    assert {name.split("-")[0] for name in COMMANDS} == {"neovim", "vim", "coc.nvim", "emacs", "helix", "vscode"}
    assert len([n for n in COMMANDS if n.startswith("neovim")]) >= 4  # vim.lsp.start, lspconfig, 0.11, README
    assert all(command == ["slarules", "lsp"] for command in COMMANDS.values()), COMMANDS


@pytest.mark.parametrize("command", sorted({tuple(c) for c in COMMANDS.values()}), ids=" ".join)
def test_the_documented_command_starts_a_server_that_answers(command, tmp_path: Path):
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    program = shutil.which(command[0], path=path)
    if program is None:
        # CI installs the package, so there a missing script is a packaging bug, not a skip.
        if os.environ.get("CI"):
            pytest.fail(f"{command[0]} is not installed next to {sys.executable} (CI is set)")
        pytest.skip(f"{command[0]} is not installed next to {sys.executable}")
    client = LspClient([program, *command[1:]], cwd=tmp_path)
    try:
        assert client.initialize(tmp_path)["serverInfo"]["name"] == "slarules"
        uri = (tmp_path / "typo.sla").as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "slarules", "version": 1, "text": 'contract "X" currency USD, startz 2026-01\n'}})
        published = client.wait_for("textDocument/publishDiagnostics", lambda p: p["uri"] == uri)
        assert [d["code"] for d in published["diagnostics"]] == ["SLA007"]
        assert client.shutdown() == 0
    finally:
        client.kill()


def test_without_the_lsp_extra_the_command_says_what_to_install():
    # pygls made unimportable, as in an environment installed without the extra.
    done = subprocess.run([sys.executable, "-c", "import sys; sys.modules['pygls'] = None; "
                           "from slarules.interfaces.cli import main; sys.exit(main(['lsp']))"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr == ("slarules lsp: error: the language server needs pygls; "
                           "install the lsp extra: pip install 'slarules[lsp]'\n")


def test_the_vscode_extension_starts_the_server_its_settings_name():
    manifest = json.loads((ROOT / "editors" / "vscode" / "package.json").read_text(encoding="utf-8"))
    script = (ROOT / "editors" / "vscode" / manifest["main"]).read_text(encoding="utf-8")
    assert manifest["activationEvents"] == ["onLanguage:slarules"]
    assert "vscode-languageclient" in manifest["dependencies"]
    for setting in manifest["contributes"]["configuration"]["properties"]:
        assert f'"{setting.removeprefix("slarules.")}"' in script, setting
    assert 'getConfiguration("slarules")' in script and '{ language: "slarules" }' in script
