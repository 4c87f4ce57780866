"""Fuzz cases: a (category, seed, index) becomes files and one `slarules` command, run and judged.

Categories:
  ruleset  a mutated ruleset (from rulesets/*.sla and tests/golden/**/*.sla)
           through check, fmt, explain (each format), evaluate (each format),
           report, dry-run (either side) and, rarely, verify --effort quick;
  data     a mutated data file (CSV wide, CSV long, JSON) or events CSV
           through evaluate (each format);
  state    a saved state, tampered, through evaluate --state.

The oracle (`judge`): the command exits 0, 1 or 2, never 3; prints no Python
traceback; ends within its time limit; and every error diagnostic names a
place: `path:line:col:` or `path: location:` of a file of the case (for a
state, the state file).

Replay one case:  python tests/fuzz/cases.py CATEGORY SEED INDEX [DIR]
writes the case's files to DIR (default: a new temporary folder), prints the
command, runs it and prints what the oracle says.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mutators  # noqa: E402  (a sibling module; this file also runs as a script)

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ("ruleset", "data", "state")
TIME_LIMIT = {"verify": 120.0}  # CPU seconds per case; others: DEFAULT_TIME_LIMIT
DEFAULT_TIME_LIMIT = 20.0
MEMORY_LIMIT = 3 * 2 ** 30  # bytes of address space while a case runs in-process

# Case folders on a RAM disk where there is one: creating and removing a folder on disk costs more than a case.
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None

SAMPLE_VALUES = {"money": "1000.00", "percent": "90", "seconds": "30", "minutes": "5", "count": "100",
                 "score": "4", "ratio": "0.9"}


@attrs.frozen
class Subject:
    """A ruleset, and when it compiles, a data file (name, text) and an events CSV for it."""

    ruleset: Path
    data_name: str | None = None
    data: str | None = None
    events: str | None = None


@lru_cache(maxsize=None)
def subjects() -> tuple[Subject, ...]:
    from slarules.interfaces.api import load

    found = []
    for path in sorted(ROOT.glob("rulesets/*.sla")) + sorted(ROOT.glob("tests/golden/**/*.sla")):
        try:
            program = load(path)
        except Exception:  # a ruleset with errors is still a ruleset to mutate
            found.append(Subject(path))
            continue
        data_name, data, events = _paired_data(path, program)
        if events is None:
            events = _events_for(program, data_name, data)
        found.append(Subject(path, data_name, data, events))
    return tuple(found)


def _paired_data(path: Path, program):
    for suffix in (".csv", ".json"):
        candidate = path.with_suffix(suffix)
        if candidate.exists():
            events = path.with_suffix(".events.csv")
            return candidate.name, candidate.read_text(encoding="utf-8"), (
                events.read_text(encoding="utf-8") if events.exists() else None)
    calendar = program.calendar
    first = calendar.index(calendar.label_of_month(calendar.start_month))
    names = [spec.name for spec in program.inputs]
    rows = [",".join(["period", *names])]
    for i in range(6):
        values = [SAMPLE_VALUES.get(spec.unit, "1") for spec in program.inputs]
        rows.append(",".join([calendar.label(first + i), *values]))
    return "data.csv", "\n".join(rows) + "\n", None


def _events_for(program, data_name: str, data: str) -> str | None:
    """A one-row events CSV waiving the first service level in the data's first period, if the data reads."""
    from slarules.core.diagnostics import SlaError
    from slarules.core.source import Source
    from slarules.formats.kpi_data import parse_history

    try:
        history = parse_history(program, Source(data_name, data))
    except SlaError:
        return None
    if not history.periods or not program.service_levels:
        return None
    return (f"period,service_level,event,reason\n{history.periods[0].label},{program.service_levels[0].name},"
            "waive,fuzz\n")


def long_form(wide_csv: str) -> str:
    """The same data as `period,input,value` rows."""
    lines = [line.split(",") for line in wide_csv.strip().split("\n")]
    header, rows = lines[0], lines[1:]
    out = ["period,input,value"]
    for row in rows:
        out += [f"{row[0]},{name},{value}" for name, value in zip(header[1:], row[1:])]
    return "\n".join(out) + "\n"


def as_json(wide_csv: str) -> str:
    lines = [line.split(",") for line in wide_csv.strip().split("\n")]
    header, rows = lines[0], lines[1:]
    return json.dumps({"periods": [dict(zip(header, row)) for row in rows]}, indent=1)


@attrs.frozen
class Case:
    category: str
    seed: int
    index: int
    files: dict  # name -> text
    argv: tuple[str, ...]  # file names relative to the case's folder
    command: str

    def replay(self) -> str:
        return f"python tests/fuzz/cases.py {self.category} {self.seed} {self.index}"


def make_case(category: str, seed: int, index: int) -> Case:
    rng = random.Random(f"{category}:{seed}:{index}")
    return {"ruleset": _ruleset_case, "data": _data_case, "state": _state_case}[category](rng, category, seed, index)


def _with_data(subjects_: tuple[Subject, ...]) -> list[Subject]:
    return [s for s in subjects_ if s.data is not None]


def _ruleset_case(rng, category, seed, index) -> Case:
    subject = rng.choice(subjects())
    original = subject.ruleset.read_text(encoding="utf-8")
    text = mutators.mutate_ruleset(original, rng)
    data_name, data = (subject.data_name, subject.data) if subject.data else ("data.csv", "period,x\n2026-01,1\n")
    files = {"r.sla": text, data_name: data}
    command = rng.choice(("check", "check-strict", "fmt", "fmt-check", "explain", "explain", "evaluate", "evaluate",
                          "evaluate", "report", "dry-run", "dry-run-against", "verify"))
    if command == "verify" and rng.random() > 0.02:  # verify is slow: a small sample only
        command = "check"
    argv = {
        "check": ("check", "r.sla"),
        "check-strict": ("check", "--strict", "r.sla"),
        "fmt": ("fmt", "r.sla"),
        "fmt-check": ("fmt", "--check", "r.sla"),
        "explain": ("explain", "r.sla", "--format", rng.choice(("text", "markdown", "html"))),
        "evaluate": ("evaluate", "r.sla", data_name, "--format", rng.choice(("table", "json", "csv"))),
        "report": ("report", "r.sla", data_name, "--out", "out.html"),
        "dry-run": ("dry-run", "r.sla", "--against", "current.sla", data_name),
        "dry-run-against": ("dry-run", "current.sla", "--against", "r.sla", data_name),
        "verify": ("verify", "r.sla", "--effort", "quick", "--out", "counterexamples"),
    }[command]
    if command.startswith("dry-run"):
        files["current.sla"] = original
        argv += ("--format", rng.choice(("table", "json")))
    if command == "evaluate" and subject.events and rng.random() < 0.3:
        files["events.csv"] = subject.events
        argv += ("--events", "events.csv")
    return Case(category, seed, index, files, argv, argv[0])


def _data_case(rng, category, seed, index) -> Case:
    subject = rng.choice(_with_data(subjects()))
    ruleset = subject.ruleset.read_text(encoding="utf-8")
    files = {"r.sla": ruleset}
    layouts = ("wide", "wide", "long", "json", "events") if subject.events else ("wide", "wide", "long", "json")
    layout = rng.choice(layouts)
    data_name, data = subject.data_name, subject.data
    if layout == "long" and data_name.endswith(".csv"):
        data = long_form(data)
    elif layout == "json" and data_name.endswith(".csv"):
        data_name, data = "data.json", as_json(data)
    if layout == "events":
        files["events.csv"] = mutators.mutate_csv(subject.events, rng)
    elif data_name.endswith(".json"):
        data = mutators.mutate_json(data, rng)
    else:
        data = mutators.mutate_csv(data, rng)
    files[data_name] = data
    argv = ("evaluate", "r.sla", data_name, "--format", rng.choice(("table", "json", "csv")))
    if "events.csv" in files:
        argv += ("--events", "events.csv")
    return Case(category, seed, index, files, argv, "evaluate")


def _state_case(rng, category, seed, index) -> Case:
    """The first periods of a subject's data make a state (kept in the case as state.json), which is tampered."""
    subject = rng.choice([s for s in _with_data(subjects()) if s.data_name.endswith(".csv")])
    state, rest = _state_after(subject)
    files = {"r.sla": subject.ruleset.read_text(encoding="utf-8"), "rest.csv": rest,
             "state.json": mutators.mutate_state(state, rng)}
    argv = ("evaluate", "r.sla", "rest.csv", "--state", "state.json", "--format", rng.choice(("table", "json", "csv")))
    return Case(category, seed, index, files, argv, "evaluate --state")


@lru_cache(maxsize=None)
def _state_after(subject: Subject) -> tuple[str, str]:
    """The state saved after the first half of the subject's data, and the rest of its data."""
    from slarules.formats.kpi_data import parse_history
    from slarules.core.source import Source
    from slarules.interfaces.api import load

    lines = subject.data.strip().split("\n")
    half = max(2, len(lines) // 2)
    program = load(subject.ruleset)
    first = "\n".join(lines[:half]) + "\n"
    outcome = program.evaluate(parse_history(program, Source("first.csv", first)))
    return outcome.state_json(), "\n".join([lines[0], *lines[half:]]) + "\n"


# ---------------------------------------------------------------- running and judging

@attrs.frozen
class Result:
    status: int | str  # exit status, or "hang"
    stdout: str
    stderr: str


class _Hang(BaseException):
    """Raised by the timer in a case that runs too long (BaseException: the CLI's catch-all must not see it)."""


def write_files(case: Case, folder: Path) -> None:
    for name, text in case.files.items():
        (folder / name).write_bytes(text.encode("utf-8", "surrogatepass"))


def absolute_argv(case: Case, folder: Path) -> list[str]:
    return [str(folder / a) if a in case.files or a in ("out.html", "counterexamples") else a for a in case.argv]


def run_in_process(case: Case, folder: Path) -> Result:
    """Run the case through slarules.interfaces.cli.main, with a time and memory limit."""
    from slarules.interfaces.cli import main

    write_files(case, folder)
    out, err = io.StringIO(), io.StringIO()
    limit = TIME_LIMIT.get(case.argv[0], DEFAULT_TIME_LIMIT)

    def alarm(signum, frame):
        raise _Hang()

    previous = signal.signal(signal.SIGPROF, alarm)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > MEMORY_LIMIT:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, hard))
    # CPU seconds, not wall time: on a busy machine a quick case can wait longer than the limit.
    signal.setitimer(signal.ITIMER_PROF, limit, 1.0)  # again every second, should something swallow the first
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(absolute_argv(case, folder))
            except SystemExit as exit_:
                status = exit_.code if isinstance(exit_.code, int) else 1
    except _Hang:
        status = "hang"
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGPROF, previous)
    return Result(status, out.getvalue(), err.getvalue())


def run_script(case: Case, folder: Path) -> Result:
    """Run the case through the installed `slarules` script in a subprocess."""
    write_files(case, folder)
    script = Path(sys.executable).with_name("slarules")
    limit = 10 * TIME_LIMIT.get(case.argv[0], DEFAULT_TIME_LIMIT)  # wall time, for a busy machine: generous
    try:
        done = subprocess.run([str(script), *absolute_argv(case, folder)], capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return Result("hang", "", "")
    return Result(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


DIAGNOSTIC_HEAD = re.compile(r"^(?P<where>.*?)(?P<severity>error|warning)\[(?P<code>SLA\d{3})\]: ", re.M)


def judge(case: Case, result: Result, folder: Path) -> list[str]:
    """What is wrong with the result: [] when the oracle is satisfied."""
    problems = []
    if result.status == "hang":
        problems.append("hang: no answer within the time limit")
    elif result.status not in (0, 1, 2):
        internal = re.search(r"internal error: ([A-Za-z_.]+)", result.stderr)
        problems.append(f"exit {result.status}" + (f" ({internal.group(1)})" if internal else ""))
    if "Traceback (most recent call last)" in result.stderr + result.stdout:
        problems.append("traceback")
    files = [str(folder / name) for name in case.files]
    for match in DIAGNOSTIC_HEAD.finditer(result.stderr):
        if match.group("severity") != "error":
            continue
        where = match.group("where")
        if not _names_a_place(where, files, str(folder / "state.json")):
            problems.append(f"unnamed place: {match.group(0)!r}")
            break
    return problems


def _names_a_place(where: str, files: list[str], state: str) -> bool:
    for path in files:
        if not where.startswith(path + ":"):
            continue
        rest = where[len(path) + 1:]
        if path == state:
            return True
        if re.fullmatch(r"\d+:\d+: ", rest) or re.fullmatch(r" .+: ", rest):
            return True
    return False


def signature(case: Case, problems: list[str], result: Result) -> str:
    """A short, stable description of a failure, to group the cases that fail the same way."""
    kinds = []
    for problem in problems:
        if problem.startswith("unnamed place"):
            code = re.search(r"SLA\d{3}", problem)
            kinds.append(f"unnamed place {code.group() if code else ''}")
        elif problem.startswith("exit 3"):
            said = re.search(r"internal error: [A-Za-z_.]+: (.{0,60})", result.stderr)
            detail = re.sub(r"'[^']*'", "'…'", re.sub(r"[0-9]+", "N", said.group(1))) if said else ""
            kinds.append(f"{problem}: {detail}" if detail else problem)
        else:
            kinds.append(problem)
    return f"{case.category}/{case.command}: " + "; ".join(kinds)


def main_(argv: list[str]) -> int:
    category, seed, index = argv[0], int(argv[1]), int(argv[2])
    folder = Path(argv[3]) if len(argv) > 3 else Path(tempfile.mkdtemp(prefix="slarules-fuzz-", dir=SCRATCH))
    folder.mkdir(parents=True, exist_ok=True)
    case = make_case(category, seed, index)
    result = run_in_process(case, folder)
    print("files in", folder, ":", ", ".join(case.files))
    print("command: slarules", " ".join(absolute_argv(case, folder)))
    print("exit:", result.status)
    print("stderr:", result.stderr[:3000])
    problems = judge(case, result, folder)
    print("oracle:", problems or "ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main_(sys.argv[1:]))
