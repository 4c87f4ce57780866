"""The state store (`evaluate --state-db`) against a real file and real processes: runs that
race for the same months bill each subject's period exactly once; a run killed with -9 at
any moment leaves every subject's state as the run before it left it or as the run itself
would (never a mix, never a period lost or billed twice); and a portfolio is evaluated in
the memory of one subject (tracemalloc, 50 against 500 subjects)."""
from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from slarules import Source, compile_source, load, read_subjects
from slarules.formats import portfolio_report, state_store
from slarules.interfaces.cli import main
from tests.billing_terms import THREE_IN_A_ROW as RULESET

SLARULES = Path(sys.executable).with_name("slarules")
MONTHS = 6
# Per subject a fee and six KPI values with misses, cures and streaks (so the carry matters).
SUBJECTS = {f"s{n:02d}": (str(1000 * (n + 1)), [str(random.Random(n).choice([50, 70, 79, 80, 85, 95]))
                                                for _ in range(MONTHS)]) for n in range(8)}
LABELS = [f"2026-{m:02d}" for m in range(1, MONTHS + 1)]


def wide(subjects, months) -> str:
    return "subject,period,fee,sl\n" + "".join(f"{name},{LABELS[m]},{fee},{values[m]}\n"
                                              for name, (fee, values) in subjects.items() for m in months)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.sla").write_text(RULESET)
    for month in range(MONTHS):
        Path(f"m{month}.csv").write_text(wide(SUBJECTS, [month]))
    Path("all.csv").write_text(wide(SUBJECTS, range(MONTHS)))
    return tmp_path


def states(path="st.db") -> dict[str, str]:
    if not Path(path).exists():
        return {}
    with contextlib.closing(sqlite3.connect(path)) as db:
        try:
            return dict(db.execute("SELECT subject, state FROM states"))
        except sqlite3.OperationalError:  # no table yet: the first run was killed before it committed
            return {}


def batch_states(months: int) -> dict[str, str]:
    """Each subject's state after its first `months` months evaluated at once."""
    if months == 0:
        return {}
    program = load("t.sla")
    Path("upto.csv").write_text(wide(SUBJECTS, range(months)))
    return {r.subject: r.outcome.state_json() for r in program.evaluate_subjects(read_subjects(program, "upto.csv"))}


# ---------------------------------------------------------------- racing processes

def _racer(barrier, tag):
    """Bill every month in order; a month another process billed first is SLA405 for every subject."""
    with open(f"out.{tag}", "w") as out, open(f"err.{tag}", "w") as err:
        sys.stdout, sys.stderr = out, err
        barrier.wait()
        billed = []
        for month in range(MONTHS):
            code = main(["evaluate", "t.sla", f"m{month}.csv", "--state-db", "st.db", "--format", "csv"])
            out.flush()
            err.flush()
            if code == 0:
                billed.append(month)
        Path(f"billed.{tag}").write_text(json.dumps(billed))
    os._exit(0)


def test_processes_racing_through_the_months_bill_each_subject_s_period_exactly_once(folder):
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(4)
    racers = [context.Process(target=_racer, args=(barrier, n)) for n in range(4)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(300)
    assert [racer.exitcode for racer in racers] == [0, 0, 0, 0]
    billed = sorted(month for n in range(4) for month in json.loads(Path(f"billed.{n}").read_text()))
    assert billed == list(range(MONTHS)), f"months billed: {billed}"  # each once, by one process or another
    for n in range(4):  # a run that did not bill says why: the state had moved on (or not yet reached it)
        assert set(re.findall(r"error\[(SLA\d+)\]", Path(f"err.{n}").read_text())) <= {"SLA405"}
    lines = [line for n in range(4) for line in Path(f"out.{n}").read_text().splitlines()
             if not line.startswith("subject,")]
    whole = io.StringIO()
    with contextlib.redirect_stdout(whole):
        assert main(["evaluate", "t.sla", "all.csv", "--format", "csv"]) == 0
    assert sorted(lines) == sorted(whole.getvalue().splitlines()[1:])  # no line twice, none lost
    assert states() == batch_states(MONTHS)


def _creator(barrier, tag):
    with open(f"err.{tag}", "w") as err:
        sys.stderr = err
        barrier.wait()
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(["evaluate", "t.sla", "m0.csv", "--state-db", "new.db", "--format", "csv"])
        err.flush()
    os._exit(code)


def test_runs_creating_the_store_at_once_bill_the_month_once(folder):
    """Read apart, the mark and the tables of a store another run was creating were taken for
    another program's database (SLA409), seen once in 15 races of 6 processes (the next test
    makes that interleaving happen every time)."""
    context = multiprocessing.get_context("fork")
    for trial in range(5):
        for name in ("new.db", "new.db-wal", "new.db-shm"):
            Path(name).unlink(missing_ok=True)
        barrier = context.Barrier(6)
        racers = [context.Process(target=_creator, args=(barrier, f"{trial}.{n}")) for n in range(6)]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(120)
        assert sorted(racer.exitcode for racer in racers) == [0, 1, 1, 1, 1, 1]
        for n in range(6):
            assert set(re.findall(r"error\[(SLA\d+)\]", Path(f"err.{trial}.{n}").read_text())) <= {"SLA405"}
        assert states("new.db") == batch_states(1)


def test_a_store_created_between_two_reads_of_its_layout_is_seen_as_a_store(folder):
    """Another run commits a new store just after this run starts reading its layout: what this
    run reads is one snapshot, the store before (new) or after (a store), never half of each."""
    with state_store.transaction("other.db"):
        pass  # a store, as another run creates it
    created = Path("other.db").read_bytes()
    Path("other.db").unlink()
    Path("racing.db").write_bytes(b"")

    class CommitsAfterTheFirstStatement:
        def __init__(self, connection):
            self.connection, self.statements = connection, 0

        def execute(self, *args):
            cursor = self.connection.execute(*args)
            result = cursor.fetchall()
            self.statements += 1
            if self.statements == 1:  # the other run's creation lands now
                Path("racing.db").write_bytes(created)
            return _Rows(result)

    with contextlib.closing(sqlite3.connect("racing.db", isolation_level=None)) as connection:
        assert state_store._is_new(CommitsAfterTheFirstStatement(connection), "racing.db") is True
    with contextlib.closing(sqlite3.connect("racing.db", isolation_level=None)) as connection:
        assert state_store._is_new(connection, "racing.db") is False


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None


# ---------------------------------------------------------------- kill -9

def test_a_run_killed_at_any_moment_leaves_the_states_before_it_or_after_it(folder):
    """Month after month, a run killed with SIGKILL at a random moment (while it waits on the lock,
    evaluates, prints into a full pipe, or commits) is run again until one finishes; after every
    kill every subject's state is the one before the run or the one after it, all of them alike."""
    rng = random.Random(12)
    kills = 0
    for month in range(MONTHS):
        before, after = batch_states(month), batch_states(month + 1)
        limit = 0.4  # seconds; doubled after each kill, so that a run finishes in the end on a loaded machine
        while True:
            process = subprocess.Popen([str(SLARULES), "evaluate", "t.sla", f"m{month}.csv", "--state-db", "st.db",
                                        "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(rng.uniform(0.0, limit))
            limit *= 2
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            out, err = process.communicate(timeout=120)
            now = states()
            assert now in (before, after), f"month {month}: a mix of states after a kill"
            if process.returncode == -signal.SIGKILL:
                kills += 1
                if now == after:  # killed after its commit: the next run finds the month billed
                    break
                continue
            assert process.returncode == 0, err.decode()
            assert now == after and json.loads(out)["totals"]["subjects_evaluated"] == len(SUBJECTS)
            break
    assert kills > 0, "no run was killed: the test did not test"
    assert states() == batch_states(MONTHS)


def test_a_run_killed_while_printing_commits_nothing_and_the_next_run_bills_the_month(folder):
    assert main(["evaluate", "t.sla", "m0.csv", "--state-db", "st.db", "--format", "csv"]) == 0
    saved = states()
    reader, writer = os.pipe()
    import fcntl
    fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, 4096)  # the JSON of 8 subjects does not fit: the run blocks printing
    killed = subprocess.Popen([str(SLARULES), "evaluate", "t.sla", "m1.csv", "--state-db", "st.db", "--format",
                               "json"], stdout=writer, stderr=subprocess.DEVNULL)
    os.close(writer)
    first = os.read(reader, 1024)  # it has started printing
    assert first.startswith(b'{\n  "format": "slarules.portfolio/1"')
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    os.close(reader)
    assert states() == saved
    assert main(["evaluate", "t.sla", "m1.csv", "--state-db", "st.db", "--format", "csv"]) == 0
    assert states() == batch_states(2)


# ---------------------------------------------------------------- memory

RULESET_ONE = '''contract "Streamed" currency USD, assessed monthly, starts 2026-01
inputs
  fee money
  sl percent
service level soa measured as sl target: at least 80%
  cure: within 1 month
  credit: 1% of fee
'''


def _peak_beyond_start(program, path: Path, keep: list | None = None) -> int:
    def kept(results):
        for result in results:
            if keep is not None:
                keep.append(result)
            yield result
    tracemalloc.start()
    try:
        portfolio = program.evaluate_subjects(read_subjects(program, path))
        with open(os.devnull, "w") as out, open(os.devnull, "w") as totals:
            portfolio_report.write(program, kept(portfolio), portfolio.totals, out, "json", totals)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def _portfolio_file(path: Path, subjects: int) -> Path:
    path.write_text("subject,period,fee,sl\n" + "".join(
        f"customer-{n:05d},2026-{m:02d},{1000 + n}.00,{70 + (n + m) % 20}\n" for n in range(subjects)
        for m in range(1, 13)))
    return path


def test_memory_does_not_grow_with_the_number_of_subjects(tmp_path):
    program = compile_source(Source("s.sla", RULESET_ONE))
    small, large = _portfolio_file(tmp_path / "small.csv", 50), _portfolio_file(tmp_path / "large.csv", 500)
    _peak_beyond_start(program, small)  # warm up: imports, caches
    grown = _peak_beyond_start(program, large) - _peak_beyond_start(program, small)
    # What grows is the names of the subjects seen (to find one whose rows come back): about
    # 100 bytes a subject. A subject's outcome (12 months) is about 40 kB, its JSON about 20 kB.
    assert grown < 450 * 400, f"{grown / 450:.0f} bytes more per subject"
    # The measure sees outcomes kept: it can fail.
    kept_small, kept_large = [], []
    grown_kept = (_peak_beyond_start(program, large, kept_large) - _peak_beyond_start(program, small, kept_small))
    assert grown_kept > 450 * 4_000, f"{grown_kept / 450:.0f} bytes per subject kept"
