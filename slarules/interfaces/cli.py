"""The `slarules` command line: parse arguments, call the public API, print.

Results go to stdout, diagnostics to stderr. Exit status: 0 OK, 1 errors in
a ruleset or a data file (or warnings under --strict), 2 a usage error, 3 an
internal error (a bug in slarules, reported without a traceback).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from .. import __version__
from ..core.diagnostics import Diagnostic, SlaError
from ..core.source import Source
from ..formats.files import check_folder, updating, write_atomically, write_stream, write_under_held_lock
from ..formats.kpi_data import read_history
from ..formats.subject_data import read_subjects
from ..formats.report import diagnostics_data, write_csv, write_json, write_text
from ..language.check import check as check_pass
from ..language.fingerprint import fingerprint
from ..language.fmt import format_source
from ..language.parse import parse
from .api import Outcome, Program, Restatement, load

# The tools are imported by the commands that use them (verify brings hypothesis, the
# dry run and the report their own modules), so that `slarules evaluate` starts fast.
FORMATS = ("table", "json", "csv")
EXPLAIN_FORMATS = ("text", "markdown", "html")  # tests/unit/test_cli.py holds it to tools/explain's FORMATS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slarules",
        description="Service level agreement terms as exact, explainable money.",
    )
    parser.add_argument("--version", action="version", version=f"slarules {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    evaluate = commands.add_parser(
        "evaluate", help="evaluate a ruleset over a history of KPI data",
        description="Evaluate RULESET over the periods in DATA (CSV or JSON) and print the outcome.",
    )
    evaluate.add_argument("ruleset", metavar="RULESET", help="the .sla file")
    evaluate.add_argument("data", metavar="DATA", help="KPI data: CSV (wide or period,input,value) or JSON")
    evaluate.add_argument("--format", choices=FORMATS, default="table",
                          help="table for people (default), json for programs, csv for billing line items")
    evaluate.add_argument("--events", metavar="FILE",
                          help="waivers and exclusions, holidays and deliveries: CSV with period,service_level,event,reason")
    evaluate.add_argument("--state", metavar="FILE",
                          help="continue from the state saved in FILE (if it exists) and save the new state there, "
                               "once the outcome is out; waits while another run holds FILE")
    evaluate.add_argument("--strict", action="store_true", help="treat warnings in the ruleset as errors")
    evaluate.add_argument("--restate", action="store_true",
                          help="with --state: DATA holds corrected periods already billed; print the adjustment lines "
                               "(credit and debit notes) and record them in the state's ledger")
    evaluate.add_argument("--state-db", metavar="FILE",
                          help="data with a subject column: continue each subject from its state in the SQLite "
                               "store FILE (created if missing) and commit every new state there, once the output is "
                               "out; waits while another run holds FILE")
    evaluate.add_argument("--totals", metavar="FILE",
                          help="also write, as CSV, each period's totals, the amounts due under the contract's "
                               "netting and the termination rights, and the whole history's (written before "
                               "the outcome is printed and --state saved)")

    check = commands.add_parser(
        "check", help="check rulesets and report every problem",
        description="Parse and check each RULESET; print diagnostics on stderr.",
    )
    check.add_argument("rulesets", metavar="RULESET", nargs="+")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--fingerprint", action="store_true",
                       help="also print each ruleset's fingerprint (SHA-256 of its canonical form) on stdout")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="text on stderr (default), or json on stdout: every diagnostic as an object")

    compile_cmd = commands.add_parser(
        "compile", help="print the Python a ruleset's terms are evaluated by, for an auditor",
        description="Compile RULESET and print the Python module each version of its terms (the "
                    "ruleset, then each amendment) is evaluated by, generated from the checked clauses.",
    )
    compile_cmd.add_argument("ruleset", metavar="RULESET")
    compile_cmd.add_argument("--emit", choices=("python",), required=True,
                             help="what to print: python, the generated evaluation of a period")

    explain = commands.add_parser(
        "explain", help="the ruleset as numbered plain-English clauses",
        description="Print RULESET as numbered plain-English clauses, each with its source line.",
    )
    explain.add_argument("ruleset", metavar="RULESET")
    explain.add_argument("--format", choices=EXPLAIN_FORMATS, default="text",
                         help="text (default), markdown, or html (one self-contained page)")

    verify_cmd = commands.add_parser(
        "verify", help="search for histories that break the fairness invariants of a ruleset",
        description="Run the fairness invariants against RULESET with hypothesis, report each as held or "
                    "violated with a minimal counterexample written as a data file, and report fairness "
                    "findings (no reachable reward, cliffs, exposure). Exit 1 if an invariant is violated.",
    )
    verify_cmd.add_argument("ruleset", metavar="RULESET")
    verify_cmd.add_argument("--seed", metavar="N", type=int, default=0, help="random seed (default 0)")
    verify_cmd.add_argument("--effort", choices=("quick", "normal", "thorough"), default="normal",
                            help="how many histories to try per property (default normal)")
    verify_cmd.add_argument("--out", metavar="DIR", help="where to write counterexample data files")
    verify_cmd.add_argument("--only", metavar="NAMES", type=_check_names, action=_OnlyChecks,
                            help="run only these checks, comma-separated: ")

    dry_run = commands.add_parser(
        "dry-run", help="proposed terms next to the current ones over the same history",
        description="Evaluate PROPOSED and CURRENT over the same DATA, period by period and in total, with "
                    "the difference and the termination rights each would have given; optionally simulate "
                    "exposure and write an HTML report.",
    )
    dry_run.add_argument("proposed", metavar="PROPOSED")
    dry_run.add_argument("--against", metavar="CURRENT", required=True, help="the current ruleset")
    dry_run.add_argument("data", metavar="DATA")
    dry_run.add_argument("--events", metavar="FILE", help="waivers and exclusions (CSV)")
    dry_run.add_argument("--format", choices=("table", "json"), default="table")
    dry_run.add_argument("--simulate", metavar="N", type=_positive, help="simulate N runs of KPI histories")
    dry_run.add_argument("--years", metavar="Y", type=_positive,
                         help="contract years per simulated run (default 1; with --simulate)")
    dry_run.add_argument("--block", metavar="K", type=_positive,
                         help="periods per resampled block (default 3; with --simulate)")
    dry_run.add_argument("--distribution", metavar="INPUT=SPEC", action="append", default=[],
                         help="draw INPUT from normal(mean,sd) or uniform(low,high) instead of resampling it "
                              "(with --simulate)")
    dry_run.add_argument("--correlate", metavar="INPUT:INPUT=R", action="append", default=[],
                         help="draw two --distribution inputs together with correlation R, -1 to 1 "
                              "(a Gaussian copula; with --simulate)")
    dry_run.add_argument("--rename", metavar="OLD=NEW", action="append", default=[],
                         help="the current terms' service level OLD is the proposal's NEW: one row, not two")
    dry_run.add_argument("--seed", metavar="S", type=int, default=0, help="random seed (default 0)")
    dry_run.add_argument("--report", metavar="FILE", help="also write a self-contained HTML report")

    exposure_cmd = commands.add_parser(
        "exposure", help="simulate a portfolio of contracts together, on Dask",
        description="Simulate every contract of PORTFOLIO (a folder of NAME.sla with NAME.csv or NAME.json beside "
                    "it, or a JSON manifest) and summarise per contract and per currency: expected credits, bonuses "
                    "and net, percentiles, termination rights, the contracts that drive the tail. Runs on this "
                    "machine's cores, or on a Dask cluster with --scheduler. Needs the dask extra: "
                    "pip install 'slarules[dask]'.",
    )
    exposure_cmd.add_argument("portfolio", metavar="PORTFOLIO", help="a folder of rulesets with their data, or a manifest")
    exposure_cmd.add_argument("--simulate", metavar="N", type=_positive, default=1000, help="runs (default 1000)")
    exposure_cmd.add_argument("--years", metavar="Y", type=_positive, default=1, help="contract years per run (default 1)")
    exposure_cmd.add_argument("--block", metavar="K", type=_positive, default=3,
                              help="periods per resampled block (default 3)")
    exposure_cmd.add_argument("--seed", metavar="S", type=_not_negative, default=0, help="random seed (default 0)")
    exposure_cmd.add_argument("--scheduler", metavar="ADDRESS",
                              help="the Dask scheduler to run on, e.g. tcp://10.0.0.5:8786 (default: this machine)")
    exposure_cmd.add_argument("--workers", metavar="W", type=_positive,
                              help="local worker processes (default: one per core; without --scheduler)")
    exposure_cmd.add_argument("--partitions", metavar="P", type=_positive,
                              help="Dask tasks to cut the work into (default: one per 500 runs of a contract); "
                                   "the figures are the same whatever it is")
    exposure_cmd.add_argument("--format", choices=("table", "json"), default="table")

    report = commands.add_parser(
        "report", help="an HTML performance review of one ruleset over its data",
        description="Write a self-contained HTML page: per service level its curve, its trend against the "
                    "target, met or missed by period, and credits and bonuses over time.",
    )
    report.add_argument("ruleset", metavar="RULESET")
    report.add_argument("data", metavar="DATA")
    report.add_argument("--events", metavar="FILE", help="waivers and exclusions (CSV)")
    report.add_argument("--out", metavar="FILE", help="the HTML file to write (required without --review)")
    # The review scorecard (tools/review.py): the ruleset's reviews, the latest whole window of one.
    report.add_argument("--review", metavar="NAME", help="the scorecard of a review the ruleset schedules: its "
                        "name, a word of it or its cadence (business, quarterly); printed, or written to --out")
    report.add_argument("--as-of", metavar="PERIOD", help="with --review: the last period to look at (default: "
                        "the data's last)")
    report.add_argument("--format", choices=("table", "json", "html"), default="table",
                        help="with --review: table (default), json or html")

    fmt = commands.add_parser(
        "fmt", help="rewrite rulesets in the canonical layout, comments kept",
        description="Rewrite each RULESET in the canonical layout (comments kept); with --check, "
                    "change nothing and exit 1 if any file would change.",
    )
    fmt.add_argument("rulesets", metavar="RULESET", nargs="+")
    fmt.add_argument("--check", action="store_true", help="only report the files that are not formatted")

    commands.add_parser(
        "lsp", help="the language server for editors, over standard input and output",
        description="Speak the Language Server Protocol over stdin and stdout: diagnostics as you type, "
                    "hover, go to definition, references, completion, formatting, outline and quick fixes. "
                    "Editors start it; see editors/README.md. Needs the lsp extra: pip install 'slarules[lsp]'.",
    )
    serve = commands.add_parser(
        "serve", help="an HTTP JSON service: evaluate, check, explain, and per-subject state",
        description="Serve the HTTP JSON API (GET /openapi.json describes it) until interrupted. "
                    "Needs the serve extra: pip install 'slarules[serve]'.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="the port (default 8080)")
    serve.add_argument("--state-dir", metavar="DIR", help="the folder of per-subject states (/state/SUBJECT)")
    serve.add_argument("--rulesets", metavar="DIR", help="the folder of rulesets requests may name (NAME.sla)")
    serve.add_argument("--max-body", metavar="BYTES", type=_positive, default=10 * 1024 * 1024,
                       help="the largest request body accepted, in bytes (default 10 MiB)")
    serve.add_argument("--log-level", choices=("critical", "error", "warning", "info", "debug"), default="info")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        commands = {"evaluate": _evaluate, "check": _check, "compile": _compile, "explain": _explain, "fmt": _fmt,
                    "dry-run": _dry_run, "report": _report_html, "verify": _verify, "lsp": _lsp,
                    "serve": _serve, "exposure": _exposure}
        return commands[args.command](args)
    except SlaError as err:
        _report(err.diagnostics)
        return 1
    except Exception as err:  # a bug in slarules: say so plainly, without a traceback
        print(f"slarules: internal error: {type(err).__name__}: {err}\n"
              "Please report this together with the ruleset and data that caused it.", file=sys.stderr)
        return 3


def _report(diagnostics: Sequence[Diagnostic], checked: int | None = None) -> None:
    """Each diagnostic, then one summary line: the counts, after `N rulesets checked: ` for check."""
    for d in diagnostics:
        print(d.render(), file=sys.stderr)
    errors = sum(d.is_error for d in diagnostics)
    warnings = sum(d.severity == "warning" for d in diagnostics)
    notes = len(diagnostics) - errors - warnings
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    counts += f", {notes} note{'s' * (notes != 1)}" if notes else ""
    if checked is not None:
        print(f"{checked} ruleset{'s' * (checked != 1)} checked: {counts if diagnostics else 'no errors'}",
              file=sys.stderr)
    elif diagnostics:
        print(counts, file=sys.stderr)


def _print(text: str) -> None:
    """A command's result on standard output, flushed: a full disk or a closed pipe is SLA501, not a crash."""
    write_stream(sys.stdout, text, what="the output", note="run it again once the output can be written")


def _load(path: str, strict: bool = False) -> Program:
    """api.load, with the ruleset's warnings on stderr (a billing run should not miss them)."""
    program = load(path, strict=strict)
    _report(program.warnings)
    return program


def _evaluate(args) -> int:
    program = _load(args.ruleset, strict=args.strict)
    subjects = read_subjects(program, args.data, args.events)
    if subjects is not None:
        return _evaluate_subjects(args, program, subjects)
    if args.state_db is not None:
        print("slarules evaluate: error: --state-db is for data with a subject column (subject,period,...); "
              "use --state FILE for one subject's data", file=sys.stderr)
        return 2
    if args.restate:
        return _restate(args, program)
    # The data file is checked whole before anything is evaluated, then read again period by period;
    # the outcome is written once every period is evaluated, a period at a time (no partial output).
    history = read_history(program, args.data, args.events, stream=True)
    write = {"table": write_text, "json": write_json, "csv": write_csv}[args.format]
    if args.state is None:
        _write_outcome(program.evaluate(history), write, args.totals, write_atomically)
        return 0
    # The state is saved only once the outcome is out: a run that cannot print bills nothing.
    with program.billing_run(args.state) as run:  # its lock on the state serialises the totals' writers too
        _write_outcome(run.evaluate(history), write, args.totals, write_under_held_lock)
    return 0


def _restate(args, program: Program) -> int:
    """evaluate --restate: the corrected periods against the state's ledger; the revised state is saved
    once the adjustment lines are out."""
    if args.state is None:
        print("slarules evaluate: error: --restate needs --state FILE, the state that billed the periods",
              file=sys.stderr)
        return 2
    if args.totals:
        print("slarules evaluate: error: --totals is for billing runs, not --restate", file=sys.stderr)
        return 2
    corrected = read_history(program, args.data, args.events)
    render = {"table": Restatement.to_text, "json": Restatement.to_json, "csv": Restatement.to_csv}[args.format]
    with program.billing_run(args.state) as run:
        write_stream(sys.stdout, render(run.restate(corrected)))
    return 0


def _write_outcome(outcome: Outcome, write, totals_path: str | None, write_file) -> None:
    """The totals file first (replaced whole, or SLA501 with nothing printed), then stdout,
    written a period at a time; run again after a failure, it is written the same."""
    if totals_path:
        write_file(totals_path, outcome.totals_csv())
    write_stream(sys.stdout, lambda out: write(outcome, out))


# ---------------------------------------------------------------- evaluate: many subjects

def _evaluate_subjects(args, program: Program, subjects) -> int:
    """A portfolio: each subject evaluated and written in turn (its state from --state-db); the
    store commits every new state once the output and the totals file are out. Exit 1 when a
    subject was not evaluated (its diagnostics on stderr), with every other subject written."""
    if args.state is not None:
        print("slarules evaluate: error: data with a subject column keeps its states in a store: "
              "--state-db FILE, not --state", file=sys.stderr)
        return 2
    if args.restate:
        return _restate_subjects(args, program, subjects)
    if args.state_db is None:
        return _write_portfolio(args, program, program.evaluate_subjects(subjects))
    with program.portfolio_run(args.state_db) as run:
        return _write_portfolio(args, program, run.evaluate(subjects))


def _write_portfolio(args, program: Program, portfolio) -> int:
    from ..formats import portfolio_report
    results = _reported(portfolio)
    if not args.totals:
        write_stream(sys.stdout, lambda out: portfolio_report.write(program, results, portfolio.totals, out,
                                                                    args.format))
    else:
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as totals:  # on disk, not in memory
            write_stream(sys.stdout, lambda out: portfolio_report.write(program, results, portfolio.totals, out,
                                                                        args.format, totals))
            totals.seek(0)
            with updating(args.totals) as update:
                update.stage(lambda file: shutil.copyfileobj(totals, file))
    return _subjects_status(portfolio.totals.evaluated, portfolio.totals.failed, args.state_db is not None)


def _reported(results):
    """The results, each subject not evaluated reported on stderr by name as it comes."""
    for result in results:
        if result.diagnostics:
            print(f"slarules evaluate: subject {result.subject} not evaluated:", file=sys.stderr)
            _report(result.diagnostics)
        yield result


def _subjects_status(done: int, failed: Sequence[str], saved: bool) -> int:
    """Exit 1, saying so on stderr, when a subject failed; the others are out (and saved) by then."""
    if not failed:
        return 0
    others = f"; the other {done} were written" + (" and their states saved" if saved else "") if done else ""
    print(f"slarules evaluate: {len(failed)} of {done + len(failed)} subjects not evaluated: {', '.join(failed)}"
          f"{others}", file=sys.stderr)
    return 1


def _restate_subjects(args, program: Program, subjects) -> int:
    """evaluate --restate --state-db: each subject's corrected periods against its stored ledger."""
    if args.state_db is None:
        print("slarules evaluate: error: --restate needs --state-db FILE, the store that billed the subjects",
              file=sys.stderr)
        return 2
    if args.totals:
        print("slarules evaluate: error: --totals is for billing runs, not --restate", file=sys.stderr)
        return 2
    from ..formats import restatement as restatement_report
    with program.portfolio_run(args.state_db) as run:
        failed: list[str] = []
        done = [0]

        def counted(results):
            for result in _reported(results):
                if result.restatement is None:
                    failed.append(result.subject)
                else:
                    done[0] += 1
                yield result
        write_stream(sys.stdout, lambda out: restatement_report.write_subjects(counted(run.restate(subjects)), out,
                                                                               args.format))
        return _subjects_status(done[0], failed, True)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _verify_checks() -> list[str]:
    from ..tools.verify import FINDINGS, INVARIANTS
    return [*INVARIANTS, *FINDINGS]


class _OnlyChecks(argparse.Action):
    """--only, whose help lists the checks: read (importing verify) only when `verify --help` shows it."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, values)

    @property
    def help(self) -> str:
        return self._help + ", ".join(_verify_checks())

    @help.setter
    def help(self, text: str) -> None:
        self._help = text


def _check_names(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    checks = _verify_checks()
    unknown = [name for name in names if name not in checks]
    if unknown or not names:
        raise argparse.ArgumentTypeError((f"no check named {unknown[0]!r}" if unknown else "no check named")
                                         + "; the checks are " + ", ".join(checks))
    return names


def _verify(args) -> int:
    from ..tools.verify import verify
    if args.out:
        check_folder(args.out)
    report = verify(_load(args.ruleset), seed=args.seed, effort=args.effort,
                    out_dir=Path(args.out) if args.out else None, only=args.only,
                    progress=_progress_bar("verifying"))
    _print(report.to_text())
    return 0 if report.ok else 1


def _dry_run(args) -> int:
    from ..tools.dryrun import RenameError, compare, parse_renames, reading_terms
    from ..tools.htmlreport import render_report
    from ..tools.simulate import (CorrelationError, DistributionError, parse_correlations, parse_distributions,
                                  simulate)
    if not args.simulate:
        given = [option for option, value in (("--years", args.years), ("--block", args.block),
                                              ("--distribution", args.distribution),
                                              ("--correlate", args.correlate)) if value]
        if given:
            print(f"slarules dry-run: error: {', '.join(given)} only with --simulate N", file=sys.stderr)
            return 2
    proposed, current = _load(args.proposed), _load(args.against)
    try:
        renamed = parse_renames(args.rename, proposed, current)
    except RenameError as err:
        print(f"slarules dry-run: error: --rename: {err}", file=sys.stderr)
        return 2
    history = read_history(reading_terms(proposed, current), args.data, args.events)
    comparison = compare(proposed, current, history, renamed=renamed)
    simulation = None
    if args.simulate:
        try:
            simulation = simulate({"proposed": proposed, "current": current}, history, args.simulate, args.seed,
                                  years=args.years or 1, block=args.block or 3,
                                  distributions=parse_distributions(args.distribution),
                                  progress=_progress_bar("simulating"),
                                  correlations=parse_correlations(args.correlate))
        except DistributionError as err:
            option = "--correlate" if isinstance(err, CorrelationError) else "--distribution"
            print(f"slarules dry-run: error: {option}: {err}", file=sys.stderr)
            return 2
    if args.format == "json":
        data = json.loads(comparison.to_json())
        if simulation is not None:
            data["simulation"] = json.loads(simulation.to_json())
        _print(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        _print(comparison.to_text())
        if simulation is not None:
            _print("\n" + simulation.to_text())
    if args.report:
        page = render_report({"proposed": (proposed, comparison.proposed_outcome),
                              "current": (current, comparison.current_outcome)}, history, simulation,
                             progress=_progress_bar("drawing the curves"))
        write_atomically(args.report, page)
    return 0


def _not_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _exposure(args) -> int:
    try:
        import dask  # noqa: F401
        import numpy  # noqa: F401
    except ImportError as err:
        print(f"slarules exposure: error: {err.name} is not installed; pip install 'slarules[dask]'", file=sys.stderr)
        return 2
    if args.scheduler and args.workers:
        print("slarules exposure: error: --workers is for this machine; a cluster has its own", file=sys.stderr)
        return 2
    from ..tools.exposure import exposure
    from ..tools.portfolio import read_portfolio
    entries, unread = read_portfolio(args.portfolio)
    report = exposure(entries, args.simulate, args.seed, args.years, args.block, scheduler=args.scheduler,
                      workers=args.workers, partitions=args.partitions,
                      progress=_progress_bar("simulating"), unread=unread)
    _report([d for c in report.contracts for d in c.warnings] + [d for u in report.left_out for d in u.diagnostics])
    _print(report.to_json() if args.format == "json" else report.to_text())
    return 1 if report.left_out else 0


def _progress_bar(doing: str):
    """A progress bar on stderr when it is a terminal (None otherwise: nothing is printed)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        filled = 30 * done // total
        end = "\n" if done == total else ""
        print(f"\r{doing} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", end=end, file=sys.stderr,
              flush=True)
    return show


def _report_html(args) -> int:
    from ..tools.htmlreport import render_report
    if args.review is not None:
        return _review(args)
    if args.out is None:
        print("slarules report: error: --out FILE is required (or --review NAME)", file=sys.stderr)
        return 2
    program = _load(args.ruleset)
    history = read_history(program, args.data, args.events)
    page = render_report({program.title: (program, program.evaluate(history))}, history,
                         progress=_progress_bar("drawing the curves"))
    write_atomically(args.out, page)
    return 0


def _review(args) -> int:
    from ..tools import review
    program = _load(args.ruleset)
    card = review.scorecard(program, read_history(program, args.data, args.events), args.review, args.as_of)
    text = {"table": review.to_text, "html": review.to_html,
            "json": lambda c: json.dumps(review.to_data(c), indent=2, ensure_ascii=False) + "\n"}[args.format](card)
    if args.out is not None:
        write_atomically(args.out, text)
    else:
        _print(text)
    return 0


def _explain(args) -> int:
    from ..tools.explain import explain
    ruleset = parse(Source(args.ruleset, _read_ruleset(args.ruleset)))
    problems = check_pass(ruleset)
    if any(d.is_error for d in problems):
        raise SlaError(problems)
    _print(explain(ruleset, args.format))
    return 0


def _compile(args) -> int:
    from ..engine.codegen import listing
    program = _load(args.ruleset)
    versions = [("the ruleset's terms", program)]
    versions += [(f"as amended from {program.calendar.label(first)}", terms) for first, terms in program.amendments]
    _print("\n\n".join(f"# ---- {heading}\n\n{listing(terms)}" for heading, terms in versions))
    return 0


def _fmt(args) -> int:
    unformatted = []
    for path in args.rulesets:
        text = _read_ruleset(path)
        formatted = format_source(Source(path, text))
        if formatted == text:
            continue
        unformatted.append(path)
        if not args.check:
            write_atomically(path, formatted)
    verb = "would be reformatted" if args.check else "reformatted"
    for path in unformatted:
        print(f"{path}: {verb}", file=sys.stderr)
    return 1 if args.check and unformatted else 0


def _read_ruleset(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise SlaError([Diagnostic("SLA301", f"cannot read ruleset {path}: {err}")]) from None


def _lsp(args) -> int:
    try:
        from .lsp import serve  # only here: the rest of the command line works without the lsp extra
    except ModuleNotFoundError as err:
        missing = (err.name or "").split(".")[0]
        if missing not in ("pygls", "lsprotocol"):
            raise
        print(f"slarules lsp: error: the language server needs {missing}; "
              "install the lsp extra: pip install 'slarules[lsp]'", file=sys.stderr)
        return 2
    return serve()


def _check(args) -> int:
    found: list[Diagnostic] = []
    prints: dict[str, str] = {}  # --fingerprint: by path, for the rulesets without errors
    for path in args.rulesets:
        try:
            ruleset = parse(Source(path, _read_ruleset(path)))
            problems = check_pass(ruleset)
            found += problems
            if args.fingerprint and not any(d.is_error for d in problems):
                prints[path] = fingerprint(ruleset)
                if args.format == "text":
                    _print(f"{prints[path]}  {path}\n")
        except SlaError as err:
            found += err.diagnostics
    if args.format == "json":
        data = diagnostics_data(found, checked=len(args.rulesets))
        if args.fingerprint:
            data["fingerprints"] = prints
        _print(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        _report(found, checked=len(args.rulesets))
    return 1 if any(d.is_error or (args.strict and d.severity == "warning") for d in found) else 0


def _serve(args) -> int:
    try:
        import uvicorn

        from .service import create_app
    except ImportError as err:
        print(f"slarules serve: error: {err.name} is not installed; pip install 'slarules[serve]'", file=sys.stderr)
        return 2
    for folder in (args.state_dir, args.rulesets):
        if folder is not None and not Path(folder).is_dir():
            print(f"slarules serve: error: {folder} is not a folder", file=sys.stderr)
            return 2
    if args.state_dir is not None:
        check_folder(args.state_dir)
    app = create_app(state_dir=args.state_dir, rulesets_dir=args.rulesets, max_body=args.max_body)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
