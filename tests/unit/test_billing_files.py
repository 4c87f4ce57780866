"""Billing runs with `--state` against real files and real processes: the state is
saved only after the outcome is out (a full disk bills nothing), many runs of one
month from one state bill it exactly once, a run killed with -9 leaves nothing
that breaks the next, and a path that cannot be written (read-only, a folder, a
missing or read-only folder) is exit 1 with a message. A symbolic link is
written through and a state keeps its mode."""
from __future__ import annotations

import contextlib
import fcntl
import io
import json
import multiprocessing
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slarules import SlaError, load
from slarules.formats.ledger_file import read_state_file
from slarules.interfaces.cli import main
from tests.billing_terms import TWO_IN_A_ROW as RULESET

SLARULES = Path(sys.executable).with_name("slarules")  # the installed script
GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "file_errors"
# January 70% misses (cure window until February); February 75% misses and January's
# window closes unmet: 2% of the fee 60,000.00 = 1,200.00 is billed in February.
SL = ["70", "75", "90", "70", "85", "60"]
LABELS = [f"2026-{m:02d}" for m in range(1, len(SL) + 1)]
TEMPORARY = re.compile(r"\.st\.json\.[0-9a-f]{16}\.tmp")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.sla").write_text(RULESET)
    for number, (label, value) in enumerate(zip(LABELS, SL), 1):
        Path(f"m{number}.csv").write_text(f"period,fee,sl\n{label},60000,{value}\n")
    Path("all.csv").write_text("period,fee,sl\n" + "".join(f"{l},60000,{v}\n" for l, v in zip(LABELS, SL)))
    return tmp_path


def run(*args):
    """main() in this process, its stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def bill(number, state="st.json"):
    return run("evaluate", "t.sla", f"m{number}.csv", "--state", state, "--format", "csv")


def temporaries(path="."):
    return [p for p in os.listdir(path) if p.endswith(".tmp")]


# ---------------------------------------------------------------- output before state

def test_a_full_disk_on_the_output_leaves_the_state_as_it_was(folder):
    assert bill(1)[0] == 0
    saved = Path("st.json").read_bytes()
    with open("/dev/full", "w") as full:
        done = subprocess.run([str(SLARULES), "evaluate", "t.sla", "m2.csv", "--state", "st.json", "--format", "csv"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "error[SLA501]: cannot write the outcome: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert Path("st.json").read_bytes() == saved and temporaries() == []
    # February was not billed: running it again bills it (January's credit, 1,200.00).
    code, out, err = bill(2)
    assert (code, err) == (0, "") and "2026-02,soa,credit,1200.00,USD" in out


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv", [
    ["explain", "rulesets/acme_contact_center.sla"],
    ["verify", "rulesets/acme_contact_center.sla", "--effort", "quick", "--only", "all-met"],
    ["dry-run", "tests/golden/dryrun/acme_proposed.sla", "--against", "rulesets/acme_contact_center.sla",
     "rulesets/acme_contact_center.csv"],
], ids=["explain", "verify", "dry-run"])
def test_a_full_disk_on_any_command_s_output_is_sla501_not_a_crash(argv):
    """Every command's result goes out through the same flushed write as evaluate's: a full disk was
    exit 3 ('internal error: OSError: [Errno 28]') for explain, verify and dry-run."""
    with open("/dev/full", "w") as full:
        done = subprocess.run([str(SLARULES), *argv], cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=300)
    assert done.returncode == 1, done.stderr
    assert "error[SLA501]: cannot write the output: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr


# ---------------------------------------------------------------- concurrent billing

def _racer(barrier, number, tag):
    with open(f"out.{tag}", "w") as out, open(f"err.{tag}", "w") as err:
        sys.stdout, sys.stderr = out, err
        barrier.wait()
        code = main(["evaluate", "t.sla", f"m{number}.csv", "--state", "st.json", "--format", "csv"])
        out.flush()
        err.flush()
    os._exit(code)


def race(number, processes, tag):
    """`processes` runs of month `number` from the same state, started together. The
    outputs of those that billed (exit 0), and the exit codes."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    racers = [context.Process(target=_racer, args=(barrier, number, f"{tag}.{n}")) for n in range(processes)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(60)
    codes = [racer.exitcode for racer in racers]
    billed = [Path(f"out.{tag}.{n}").read_text() for n, code in enumerate(codes) if code == 0]
    for n, code in enumerate(codes):
        if code != 0:
            err = Path(f"err.{tag}.{n}").read_text()
            assert code == 1 and "error[SLA405]" in err and "state continues from" in err, (code, err)
    return billed, codes


def test_many_runs_of_one_month_from_one_state_bill_it_exactly_once(folder):
    assert bill(1)[0] == 0
    for month in (2, 3, 4):
        billed, codes = race(month, 12, f"same{month}")
        assert len(billed) == 1, f"month {month} billed {len(billed)} times: exit codes {codes}"
        assert json.loads(Path("st.json").read_text())["next_period"] == LABELS[month]  # the month after
        if month == 2:
            assert "2026-02,soa,credit,1200.00,USD" in billed[0]
    assert temporaries() == []


def test_months_billed_in_sequence_under_contention_equal_the_whole_history(folder):
    lines = []
    for number in range(1, len(SL) + 1):
        billed, codes = race(number, 4, f"seq{number}")
        assert len(billed) == 1, f"month {number} billed {len(billed)} times: exit codes {codes}"
        lines += billed[0].splitlines()[1:]
    whole = load("t.sla").evaluate(_history())
    assert lines == whole.to_csv().splitlines()[1:]  # no month billed twice, none lost
    assert read_state_file("st.json") == whole.state_json()
    assert temporaries() == []


def _history():
    return {label: {"fee": "60000", "sl": value} for label, value in zip(LABELS, SL)}


# ---------------------------------------------------------------- kill -9

def test_a_run_killed_mid_way_changes_nothing_and_the_next_run_cleans_up(folder):
    assert bill(1)[0] == 0
    saved = Path("st.json").read_bytes()
    months = {f"{2026 + m // 12}-{m % 12 + 1:02d}": SL[m % len(SL)] for m in range(24)}  # two years
    Path("rest.csv").write_text("period,fee,sl\n" + "".join(f"{l},60000,{v}\n" for l, v in list(months.items())[1:]))
    reader, writer = os.pipe()
    fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, 4096)  # the outcome (about 15 kB) does not fit: the run blocks printing
    killed = subprocess.Popen([str(SLARULES), "evaluate", "t.sla", "rest.csv", "--state", "st.json", "--format", "json"],
                              stdout=writer, stderr=subprocess.DEVNULL)
    os.close(writer)
    deadline = time.monotonic() + 60
    while not (temporaries() or Path("st.json").read_bytes() != saved) and time.monotonic() < deadline:
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    os.close(reader)
    assert killed.returncode == -signal.SIGKILL
    assert Path("st.json").read_bytes() == saved, "a run killed before its output was out moved the state"
    assert [p for p in temporaries() if TEMPORARY.fullmatch(p)], "the run was not killed mid-way"
    code, out, err = run("evaluate", "t.sla", "rest.csv", "--state", "st.json", "--format", "csv")
    assert (code, err) == (0, "") and temporaries() == []
    whole = load("t.sla").evaluate({label: {"fee": "60000", "sl": value} for label, value in months.items()})
    assert read_state_file("st.json") == whole.state_json()


# ---------------------------------------------------------------- permissions, links, folders

def test_a_read_only_state_is_refused_and_left_alone(folder):
    assert bill(1)[0] == 0
    os.chmod("st.json", 0o444)
    saved = Path("st.json").read_bytes()
    code, out, err = bill(2)
    assert code == 1 and out == ""
    assert "st.json: error[SLA501]: st.json is read-only (mode 0444), so it is left as it is" in err
    assert Path("st.json").read_bytes() == saved and stat.S_IMODE(os.stat("st.json").st_mode) == 0o444


def test_a_state_keeps_its_mode(folder):
    assert bill(1)[0] == 0
    os.chmod("st.json", 0o640)
    assert bill(2)[0] == 0
    assert stat.S_IMODE(os.stat("st.json").st_mode) == 0o640
    assert json.loads(Path("st.json").read_text())["next_period"] == "2026-03"


def test_a_symbolic_link_is_written_through_to_its_target(folder):
    Path("real").mkdir()
    os.symlink("real/st.json", "link.json")
    assert bill(1, "link.json")[0] == 0  # the first run creates the target
    os.chmod("real/st.json", 0o600)
    assert bill(2, "link.json")[0] == 0
    assert os.path.islink("link.json") and os.readlink("link.json") == "real/st.json"
    assert json.loads(Path("real/st.json").read_text())["next_period"] == "2026-03"
    assert stat.S_IMODE(os.stat("real/st.json").st_mode) == 0o600
    assert temporaries() == [] and temporaries("real") == []


@pytest.mark.parametrize("command", [
    ["evaluate", "t.sla", "m1.csv", "--state", "{path}"],
    ["report", "t.sla", "all.csv", "--out", "{path}"],
])
def test_a_path_that_cannot_be_written_is_exit_1_with_a_message(folder, command):
    Path("a_folder").mkdir()
    Path("locked").mkdir()
    os.chmod("locked", 0o555)
    cases = {"missing/out": "the folder", "a_folder": "a_folder is a folder",
             "locked/out": "the folder", }
    try:
        for path, message in cases.items():
            code, out, err = run(*[part.format(path=path) for part in command])
            assert code == 1 and "error[SLA501]" in err and message in err, (path, code, err)
        assert "does not exist" in run(*[p.format(path="missing/out") for p in command])[2]
        assert "is not writable (mode 0555)" in run(*[p.format(path="locked/out") for p in command])[2]
        assert sorted(os.listdir(".")) == sorted(["a_folder", "locked", "t.sla", "all.csv",
                                                  *[f"m{n}.csv" for n in range(1, len(SL) + 1)]])
        assert os.listdir("a_folder") == [] and os.listdir("locked") == []
    finally:
        os.chmod("locked", 0o755)


def test_a_verify_output_folder_that_cannot_be_written_is_exit_1(folder):
    Path("a_file").write_text("")
    Path("locked").mkdir()
    os.chmod("locked", 0o555)
    try:
        for out, message in {"a_file": "a_file is not a folder", "missing/cex": "the folder",
                             "locked/cex": "is not writable"}.items():
            code, _, err = run("verify", "t.sla", "--effort", "quick", "--only", "bounded", "--out", out)
            assert code == 1 and "error[SLA501]" in err and message in err, (out, err)
    finally:
        os.chmod("locked", 0o755)


# ---------------------------------------------------------------- the Python API

def test_a_billing_run_that_fails_inside_its_block_saves_nothing(folder):
    program = load("t.sla")
    with program.billing_run("st.json") as first:
        first.evaluate({"2026-01": {"fee": "60000", "sl": "70"}})
    saved = Path("st.json").read_bytes()
    with pytest.raises(RuntimeError, match="invoice system down"):
        with program.billing_run("st.json") as second:
            second.evaluate({"2026-02": {"fee": "60000", "sl": "75"}})
            raise RuntimeError("invoice system down")
    assert Path("st.json").read_bytes() == saved and temporaries() == []


# ---------------------------------------------------------------- golden diagnostics

def _rendered(error: SlaError) -> str:
    return "\n".join(d.render() for d in error.diagnostics) + "\n"


def test_file_diagnostics_match_their_golden_files(folder, golden):
    from slarules.formats import files  # imported here so the other tests run on a version without it

    program = load("t.sla")
    Path("read_only.json").write_text("{}")
    os.chmod("read_only.json", 0o444)
    with pytest.raises(SlaError) as refused:
        with program.billing_run("read_only.json"):
            pass
    golden(_rendered(refused.value), GOLDEN / "read_only_state.expected")
    with files.updating("st.json"):  # another run holds the state
        with pytest.raises(SlaError) as held:
            with program.billing_run("st.json", wait=0.2):
                pass
    golden(_rendered(held.value), GOLDEN / "state_held_by_another_run.expected")
