"""Portfolio exposure (tools/exposure.py): the same figures whatever runs them, the
portfolio's sums and tail by hand, contracts left out, the command line."""
from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest

from slarules.interfaces.cli import main
from slarules.tools.exposure import (
    RUNS_PER_BLOCK,
    ContractExposure,
    _portfolio,
    block_seed,
    exposure,
)
from slarules.tools.portfolio import Entry, read_portfolio
from slarules.tools.simulate import Exposure
from tests.conftest import ROOT, TESTS

pytest.importorskip("dask")
RULESETS = ROOT / "rulesets"
GOLDEN = TESTS / "golden" / "file_errors"


def _folder(tmp_path, *names):
    """A portfolio folder holding copies of rulesets/NAME.sla with their data."""
    folder = tmp_path / "portfolio"
    folder.mkdir()
    for name in names:
        for path in RULESETS.glob(f"{name}.*"):
            if not path.name.endswith(".events.csv"):
                shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """Two USD contracts, monthly and quarterly."""
    return read_portfolio(_folder(tmp_path_factory.mktemp("two"), "acme_contact_center",
                                  "managed_security_quarterly"))[0]


# ---------------------------------------------------------------- the same figures anywhere

def test_a_two_worker_local_cluster_gives_the_json_of_one_partition(two):
    """A real dask.distributed LocalCluster, two workers as threads of this process (processes=False:
    process workers take seconds to start here); seven partitions against one, run in this process."""
    distributed = pytest.importorskip("distributed")
    runs = 2 * RUNS_PER_BLOCK + 37  # three run blocks per contract, the last one short
    alone = exposure(two, runs, seed=5, years=2, workers=1, partitions=1).to_json()
    seen = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        spread = exposure(two, runs, seed=5, years=2, scheduler=cluster.scheduler_address, partitions=7,
                          progress=lambda done, total: seen.append((done, total))).to_json()
    assert spread == alone
    assert seen[-1] == (6, 6) and len(seen) == 6  # six tasks: 2 contracts x 3 blocks, one per partition of 7
    assert exposure(two, runs, seed=6, years=2, workers=1).to_json() != alone


def test_local_processes_give_the_same_json(two):
    """The default: Dask's process scheduler; two processes, a task per run block."""
    runs = RUNS_PER_BLOCK + 10
    assert (exposure(two, runs, seed=2, workers=2).to_json()
            == exposure(two, runs, seed=2, workers=1, partitions=1).to_json())


def test_a_run_is_the_same_whatever_the_number_of_runs(two):
    """Run r of a contract comes from its block's seed, so a longer simulation extends a shorter one."""
    short = exposure(two, RUNS_PER_BLOCK + 20, seed=9, workers=1)
    long = exposure(two, 2 * RUNS_PER_BLOCK, seed=9, workers=1)
    for a, b in zip(short.contracts, long.contracts):
        assert a.exposure.net == b.exposure.net[:RUNS_PER_BLOCK + 20]
        assert a.exposure.terminations == b.exposure.terminations[:RUNS_PER_BLOCK + 20]


def test_block_seeds_depend_on_seed_name_and_block_only():
    seeds = {block_seed(s, n, b) for s in (0, 1) for n in ("acme", "cloud") for b in (0, 1)}
    assert len(seeds) == 8
    assert block_seed(3, "acme", 2) == block_seed(3, "acme", 2)
    assert block_seed(3, "acme", 2).bit_length() > 64


# ---------------------------------------------------------------- the portfolio, by hand

def _member(name, weight, net, terminations, digits=2):
    entry = Entry(name, f"{name}.sla", "", f"{name}.csv", "", Decimal(weight))
    amounts = tuple(Decimal(v) for v in net)
    zeros = tuple(Decimal(0) for _ in net)
    return ContractExposure(entry, "USD", Exposure(name, entry.ruleset, name, digits, amounts, zeros, zeros,
                                                  amounts, terminations))


def test_the_portfolio_sums_weighted_runs_and_finds_the_tail():
    # Twenty runs. Contract a (weight 2) nets 10.00 in every run but the last, 100.01 in that one;
    # contract b (weight 0.5) nets r.00 in run r (r = 1..20), and gives a termination right in run 6.
    a = _member("a", "2", ["10.00"] * 19 + ["100.01"], (False,) * 20)
    b = _member("b", "0.5", [f"{r}.00" for r in range(1, 21)], (False,) * 5 + (True,) + (False,) * 14)
    p = _portfolio("USD", [a, b], 20)
    # Run r: 2 x 10.00 + 0.5 x r = 20 + r/2 (r < 20); run 20: 2 x 100.01 + 10.00 = 210.02.
    # (0.5 x r.00 is exact: no rounding here; the next test rounds.)
    assert p.exposure.net[0] == Decimal("20.50") and p.exposure.net[19] == Decimal("210.02")
    # P95 of 20 amounts: rank ceil(0.95 * 20) = 19, the 19th smallest: run 19, 20 + 9.50 = 29.50.
    assert p.threshold == Decimal("29.50") and p.tail_runs == 2  # runs 19 and 20
    # The tail's net: 29.50 + 210.02 = 239.52; a's part 20.00 + 200.02 = 220.02 (0.9186),
    # b's 9.50 + 10.00 = 19.50 (0.0814); means over the two runs: 110.01 and 9.75.
    drivers = {d.name: d for d in p.drivers}
    assert drivers["a"].share == Decimal("0.9186") and drivers["b"].share == Decimal("0.0814")
    assert drivers["a"].mean_net == Decimal("110.01") and drivers["b"].mean_net == Decimal("9.75")
    assert [d.name for d in p.drivers] == ["a", "b"]
    # A termination right in at least one contract: run 6 only.
    assert p.exposure.runs_with_termination == 1
    # The mean: (sum of 20 + r/2 for r = 1..19) + 210.02 = 380 + 95 + 210.02 = 685.02, / 20 = 34.251 -> 34.25.
    assert p.exposure.mean("net") == Decimal("34.25")


def test_a_weight_rounds_each_run_half_even_to_the_minor_unit():
    a = _member("a", "0.5", ["0.01", "0.03"], (False, False))
    p = _portfolio("USD", [a], 2)
    assert p.exposure.net == (Decimal("0.00"), Decimal("0.02"))  # 0.005 -> 0.00, 0.015 -> 0.02 (half even)


# ---------------------------------------------------------------- contracts left out, the command line

def test_a_bad_contract_is_left_out_by_name_and_the_others_run(tmp_path, capsys, golden, monkeypatch):
    folder = _folder(tmp_path, "compute_engine_uptime")
    (folder / "broken.sla").write_text('contract "Broken" currency USD, starts 2026-01\ninputs\n  fee money\n'
                                       "service level up\n  measured as uptime\n  target: at least 99%\n",
                                       encoding="utf-8")
    (folder / "broken.csv").write_text("period,fee\n2026-01,100\n", encoding="utf-8")
    (folder / "no_data.sla").write_text((RULESETS / "compute_engine_uptime.sla").read_text(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["exposure", "portfolio", "--simulate", "50", "--workers", "1", "--format", "json"]) == 1
    captured = capsys.readouterr()
    golden(captured.err, GOLDEN / "exposure_contract_left_out.expected")
    data = json.loads(captured.out)
    assert [c["name"] for c in data["contracts"]] == ["compute_engine_uptime"]
    assert [u["name"] for u in data["left_out"]] == ["broken", "no_data"]


def test_unusable_distributions_leave_the_contract_out(tmp_path, capsys, golden, monkeypatch):
    manifest = tmp_path / "portfolio.json"
    manifest.write_text(json.dumps({"contracts": [
        {"ruleset": str(RULESETS / "acme_contact_center.sla"), "data": str(RULESETS / "acme_contact_center.csv"),
         "name": "acme", "distributions": ["calls_offered=normal(10000,800)", "answered_in_20s=normal(8000,400)"],
         "correlate": ["calls_offered:answered_in_20s=0.9", "calls_offered:abandoned=0.5"]},
        {"ruleset": str(RULESETS / "compute_engine_uptime.sla"), "data": str(RULESETS / "compute_engine_uptime.csv")},
    ]}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["exposure", "portfolio.json", "--simulate", "20", "--workers", "1"]) == 1
    captured = capsys.readouterr()
    golden(captured.err.replace(str(RULESETS), "rulesets"), GOLDEN / "exposure_bad_correlation.expected")
    assert "compute_engine_uptime" in captured.out and "left out: acme" in captured.out


@pytest.mark.parametrize("case, text", [
    ("manifest_not_json", "{"),
    ("manifest_unknown_key", '{"contracts": [{"ruleset": "a.sla", "data": "a.csv", "weigth": 2}]}'),
    ("manifest_bad_weight", '{"contracts": [{"ruleset": "a.sla", "data": "a.csv", "weight": -1}]}'),
    ("manifest_same_name", '{"contracts": [{"ruleset": "a.sla", "data": "a.csv"}, '
                           '{"ruleset": "b/a.sla", "data": "b.csv"}]}'),
    ("manifest_empty", '{"contracts": []}'),
])
def test_a_manifest_that_is_not_one_stops_the_run(tmp_path, capsys, golden, monkeypatch, case, text):
    (tmp_path / "m.json").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["exposure", "m.json", "--workers", "1"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    golden(captured.err, GOLDEN / f"exposure_{case}.expected")


def test_an_unreachable_scheduler(tmp_path, capsys, golden, monkeypatch):
    monkeypatch.setattr("slarules.tools.exposure.CONNECT_TIMEOUT", "1s")
    folder = _folder(tmp_path, "compute_engine_uptime")
    assert main(["exposure", str(folder), "--simulate", "10", "--scheduler", "tcp://127.0.0.1:9"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error[SLA509]: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    golden(err.split(": Timed out")[0] + "\n", GOLDEN / "exposure_unreachable_scheduler.expected")


def test_usage_errors(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["exposure", "rulesets", "--seed", "-1"])
    assert exit_.value.code == 2
    assert main(["exposure", str(RULESETS), "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "--workers is for this machine" in capsys.readouterr().err


def test_local_progress_counts_the_tasks(two):
    seen = []
    exposure(two, RUNS_PER_BLOCK + 1, seed=1, workers=1, partitions=3,
             progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]  # 2 contracts x 2 run blocks = 4 units in 3 tasks


def test_a_contract_with_warnings_runs_and_its_warnings_are_on_stderr(tmp_path, capsys):
    folder = _folder(tmp_path, "compute_engine_uptime")
    text = (folder / "compute_engine_uptime.sla").read_text(encoding="utf-8")
    declared = text.index("inputs\n") + len("inputs\n")  # an input no clause reads: a warning
    (folder / "compute_engine_uptime.sla").write_text(text[:declared] + "  unused count, default 0\n" + text[declared:],
                                                      encoding="utf-8")
    assert main(["exposure", str(folder), "--simulate", "10", "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert "warning[SLA" in captured.err and "unused" in captured.err
    assert "compute_engine_uptime" in captured.out
