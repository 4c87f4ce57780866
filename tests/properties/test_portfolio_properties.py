"""Many subjects: incremental = batch, per subject, through the state store.

A portfolio of generated subjects (each its own history, of its own length, with
waivers and exclusions) under a generated ruleset (cure windows, earn-back, caps
over windows, triggers) is billed month by month through one SQLite store, every
month one run for every subject that has it: each subject's line items, month by
month, are exactly those of its whole history evaluated at once, and the store
ends with exactly the state that evaluation leaves. Each subject evaluated in the
portfolio is what it gives evaluated alone, and the portfolio's totals are the
subjects' totals added up. Then one subject's billed periods are corrected
through the store: billed plus its adjustment lines is its corrected history
evaluated at once, and no other subject's state moves."""
from __future__ import annotations

import contextlib
import csv
import io
import sqlite3
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from test_spanning_properties import FEE, MAX_PERIODS, VALUE, compile_spec, months, specs

from slarules import read_subjects
from slarules.engine.outcome import ZERO_TOTALS


@st.composite
def portfolios(draw):
    spec = draw(specs())
    subjects = {}
    for number in range(draw(st.integers(1, 4))):
        labels = months(draw(st.integers(1, MAX_PERIODS)))
        rows = {label: {"fee": draw(FEE), **{sl["input"]: draw(VALUE) for sl in spec["sls"]}} for label in labels}
        events, used = [], set()
        for _ in range(draw(st.integers(0, 2))):
            key = (draw(st.sampled_from(labels)), draw(st.sampled_from(spec["sls"]))["name"])
            if key not in used:
                used.add(key)
                events.append({"period": key[0], "service_level": key[1],
                               "event": draw(st.sampled_from(["waive", "exclude"])), "reason": "r"})
        subjects[f"subject-{number}"] = (rows, events)
    return spec, subjects


def write_files(folder: Path, name: str, subjects: dict, labels_of) -> tuple[Path, Path]:
    """The data and events files of `subjects`, each with the periods labels_of(rows) chooses."""
    data, events = folder / f"{name}.csv", folder / f"{name}.events.csv"
    inputs = sorted({key for rows, _ in subjects.values() for row in rows.values() for key in row})
    lines = ["subject,period," + ",".join(inputs)]
    event_lines = ["subject,period,service_level,event,reason"]
    for subject, (rows, subject_events) in subjects.items():
        chosen = labels_of(rows)
        lines += [f"{subject},{label}," + ",".join(rows[label][i] for i in inputs) for label in chosen]
        event_lines += [f"{subject},{e['period']},{e['service_level']},{e['event']},{e['reason']}"
                        for e in subject_events if e["period"] in chosen]
    data.write_text("\n".join(lines) + "\n")
    events.write_text("\n".join(event_lines) + "\n")
    return data, events


def line_rows(outcome) -> list[list[str]]:
    return list(csv.reader(io.StringIO(outcome.to_csv())))[1:]


@given(case=portfolios(), data=st.data())
def test_billing_many_subjects_month_by_month_through_the_store_is_each_one_s_batch(case, data):
    spec, subjects = case
    program = compile_spec(spec)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        whole = write_files(folder, "whole", subjects, list)
        portfolio = program.evaluate_subjects(read_subjects(program, *whole))
        batch = {result.subject: result.outcome for result in portfolio}
        total = ZERO_TOTALS
        for subject, (rows, events) in subjects.items():
            alone = program.evaluate(rows, events=sorted(events, key=lambda e: e["period"]))
            assert batch[subject].to_json() == alone.to_json()
            total = total + alone.totals
        assert portfolio.totals.totals == total and portfolio.totals.failed == []

        store = folder / "states.db"
        billed: dict[str, list] = {subject: [] for subject in subjects}
        for month in range(max(len(rows) for rows, _ in subjects.values())):
            files = write_files(folder, f"m{month}", subjects, lambda rows: list(rows)[month:month + 1])
            with program.portfolio_run(store) as run:
                for result in run.evaluate(read_subjects(program, *files)):
                    assert result.ok, result.diagnostics
                    billed[result.subject] += line_rows(result.outcome)
        with contextlib.closing(sqlite3.connect(store)) as db:
            stored = dict(db.execute("SELECT subject, state FROM states"))
        for subject in subjects:
            assert billed[subject] == line_rows(batch[subject])
            assert stored[subject] == batch[subject].state_json()

        # One subject's periods corrected: billed + adjustments = its corrected batch; the others stay.
        subject = data.draw(st.sampled_from(sorted(subjects)))
        rows, events = subjects[subject]
        labels = list(rows)
        first = data.draw(st.integers(0, len(labels) - 1))
        chosen = labels[first:data.draw(st.integers(first + 1, len(labels)))]
        fixed = {label: {name: data.draw(FEE if name == "fee" else VALUE) for name in rows[label]}
                 for label in chosen}
        corrected_rows = {**rows, **fixed}
        files = write_files(folder, "fix", {subject: (corrected_rows, events)}, lambda _: chosen)
        with program.portfolio_run(store) as run:
            (result,) = list(run.restate(read_subjects(program, *files)))
        assert result.restatement is not None, result.diagnostics
        corrected = program.evaluate(corrected_rows, events=sorted(events, key=lambda e: e["period"]))
        net = {p.period: p.totals.net for p in batch[subject].periods}
        for adjustment in result.restatement.adjustments:
            net[adjustment.period] += adjustment.amount
        assert net == {p.period: p.totals.net for p in corrected.periods}
        with contextlib.closing(sqlite3.connect(store)) as db:
            after = dict(db.execute("SELECT subject, state FROM states"))
        assert {s: t for s, t in after.items() if s != subject} == {s: t for s, t in stored.items() if s != subject}
        assert sum(net.values(), Decimal(0)) == corrected.totals.net
