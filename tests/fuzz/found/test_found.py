"""The fuzz harness's findings, each replayed from its folder here.

A folder holds the files of one minimal failing case and case.json: the
command's arguments (file names relative to the folder), the branch fixing it
and why it fails. A finding another branch is fixing is a strict xfail: when
the fix is merged it passes, the XPASS fails the suite, and then its mark and
its entry in ../known.py go. See README.md for one line per finding.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import cases  # noqa: E402

FOUND = Path(__file__).resolve().parent
FOLDERS = sorted(p for p in FOUND.iterdir() if (p / "case.json").exists())


def _param(folder: Path):
    about = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    marks = [pytest.mark.xfail(strict=True, reason=f"{about['owner']}: {about['reason']}")] if about.get("owner") else []
    return pytest.param(folder, about, id=folder.name, marks=marks)


@pytest.mark.parametrize("folder, about", [_param(f) for f in FOLDERS])
def test_a_finding_of_the_fuzz_harness_no_longer_fails(folder, about, tmp_path):
    files = {p.name: p.read_bytes().decode("utf-8", "surrogateescape")
             for p in folder.iterdir() if p.name != "case.json"}
    case = cases.Case("found", 0, 0, files, tuple(about["argv"]), about["argv"][0])
    result = cases.run_in_process(case, tmp_path)
    assert cases.judge(case, result, tmp_path) == [], result.stderr[:2000]
