"""README's portfolio exposure example runs as shown: its manifest, its two commands
(this machine, and a scheduler address: here a two-worker LocalCluster's), and the
table it shows is exactly what both print."""
from __future__ import annotations

import re

import pytest

from slarules.interfaces.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("### Portfolio exposure"):README.index("## KPI data")]


def test_the_readme_portfolio_runs_locally_and_on_a_scheduler(tmp_path, capsys, monkeypatch):
    distributed = pytest.importorskip("distributed")
    (manifest,) = re.findall(r"```json\n(.*?)```", SECTION, re.DOTALL)
    (commands,) = re.findall(r"```sh\n(slarules exposure .*?)```", SECTION, re.DOTALL)
    (shown,) = re.findall(r"```text\n(Portfolio exposure:.*?)```", SECTION, re.DOTALL)
    local, remote = commands.splitlines()
    assert remote.startswith(local + " --scheduler ")
    (tmp_path / "rulesets").symlink_to(ROOT / "rulesets")
    (tmp_path / "portfolio.json").write_text(manifest, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(local.split()[1:]) == 0  # as shown: Dask's local processes, one per core
    assert capsys.readouterr().out == shown
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        argv = remote.split()[1:]
        argv[argv.index("--scheduler") + 1] = cluster.scheduler_address
        assert main(argv) == 0
    assert capsys.readouterr().out == shown
