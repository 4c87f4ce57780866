"""Progress bars: on a terminal, `verify`, `report` and `dry-run --simulate` show one on stderr;
piped, they print nothing there (so a log or a billing script never sees one).

The terminal is a real pseudo-terminal (pty) given to the command as its stderr."""
from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from tests.conftest import ROOT

RULESET = str(ROOT / "rulesets" / "acme_contact_center.sla")
DATA = str(ROOT / "rulesets" / "acme_contact_center.csv")
PROPOSED = str(ROOT / "tests" / "golden" / "dryrun" / "acme_proposed.sla")
CLI = [sys.executable, "-m", "slarules"]


def _stderr_on_a_terminal(args: list[str], cwd) -> str:
    main, terminal = pty.openpty()
    try:
        process = subprocess.Popen(CLI + args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=terminal)
    finally:
        os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    assert process.wait(timeout=300) == 0, seen.decode(errors="replace")
    return seen.decode()


COMMANDS = {
    "verify": (["verify", RULESET, "--effort", "quick", "--only", "monotone,cliff"],
               "verifying [", "] 2/2"),
    "report": (["report", RULESET, DATA, "--out", "page.html"], "drawing the curves [", "] 4/4"),
    "dry-run": (["dry-run", PROPOSED, DATA, "--against", RULESET, "--simulate", "40"], "simulating [", "] 40/40"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_terminal_gets_a_progress_bar(command, tmp_path):
    args, start, end = COMMANDS[command]
    seen = _stderr_on_a_terminal(args, tmp_path)
    assert start in seen and end in seen, seen


@pytest.mark.parametrize("command", COMMANDS)
def test_a_pipe_gets_no_progress_bar(command, tmp_path):
    args, start, _ = COMMANDS[command]
    done = subprocess.run(CLI + args, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert start.split(" [")[0] not in done.stderr and "[" not in done.stderr, done.stderr
