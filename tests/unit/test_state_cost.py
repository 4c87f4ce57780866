"""What one billing call costs must not grow with the periods already billed.

Counted, not timed (bench/run.py measures the time): a one-month evaluation from a
state made for the same program copies the carry without its JSON form and builds
no ledger record; a billing run on a state file (format /4) reads none of the
ledger file's records, encodes one record per month it bills, leaves every byte
already in the ledger file as it was, and writes a state file whose size does not
depend on how many months were billed. And the ledger file keeps every guarantee
the state has: a run that fails or is killed leaves nothing the next run trusts, a
damaged or missing ledger file is SLA404, a state of format /3 moves its ledger
into the file, and the state read whole equals the whole history's."""
from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest

from slarules import SlaError, compile_source
from slarules.core.source import Source
from slarules.engine import ledger as ledger_module
from slarules.engine import state as state_module
from slarules.engine import state_format
from slarules.formats.ledger_file import read_state_file
from tests.billing_terms import THREE_IN_A_ROW

# A miss every third month (a credit held for cure, assessed when the next month misses
# too, never three misses in a row), so the carry is never empty and no right arises.
RULESET = THREE_IN_A_ROW
PROGRAM = compile_source(Source("t.sla", RULESET))
LABELS = [f"{2026 + i // 12}-{i % 12 + 1:02d}" for i in range(60)]
VALUES = {label: {"fee": "60000", "sl": "70" if i % 3 == 0 else "90"} for i, label in enumerate(LABELS)}


def month(label):
    return {label: VALUES[label]}


class Counted:
    """Counts the calls of a function of a module while in use."""

    def __init__(self, monkeypatch, module, name):
        self.calls, original = 0, getattr(module, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)
        monkeypatch.setattr(module, name, counted)


def bill(path, label):
    with PROGRAM.billing_run(path) as run:
        return run.evaluate(month(label))


def ledger_file(path) -> Path:
    return Path(f"{path}.ledger")


# ---------------------------------------------------------------- in memory

def test_a_one_month_call_copies_the_carry_without_json_and_builds_no_ledger_record(monkeypatch):
    state = PROGRAM.evaluate({label: VALUES[label] for label in LABELS[:24]}).state
    reads = Counted(monkeypatch, state_module.Carry, "from_data")
    records = Counted(monkeypatch, ledger_module, "LedgerPeriod")
    outcome = None
    for label in LABELS[24:48]:
        outcome = PROGRAM.evaluate(month(label), state)
        state = outcome.state
    assert reads.calls == 0 and records.calls == 0
    # The records are built when read: the 48 months, each once.
    assert [p.period for p in state.ledger.periods] == LABELS[:48] and records.calls == 48
    # And what the chain of calls saves is what one call over the 48 months saves.
    whole = PROGRAM.evaluate({label: VALUES[label] for label in LABELS[:48]})
    assert outcome.state_json() == whole.state_json()


def test_a_state_evaluated_from_is_left_as_it_was():
    # January (70%) missed: its credit held, the trigger's run and window hold January.
    state = PROGRAM.evaluate(month(LABELS[0])).state
    saved = state.to_json()
    misses = {"2026-02": {"fee": "60000", "sl": "75"}, "2026-03": {"fee": "60000", "sl": "60"}}
    first, again = (PROGRAM.evaluate(misses, state) for _ in range(2))
    # The same from the same state: January's 1,200.00 assessed in February (2% of 60,000.00),
    # February's in March, and the third miss in a row gives the right to terminate in March.
    assert [p.totals.credits for p in first.periods] == [p.totals.credits for p in again.periods] == [1200, 1200]
    assert [t.period for t in first.terminations] == ["2026-03"]
    assert state.to_json() == saved


def test_a_state_of_another_program_object_is_still_read_through_its_json_form(monkeypatch):
    state = PROGRAM.evaluate(month(LABELS[0])).state
    other = compile_source(Source("t.sla", RULESET))
    reads = Counted(monkeypatch, state_module.Carry, "from_data")
    # February (75%) misses too: January's held credit, 2% of the fee 60,000.00, is assessed.
    assert other.evaluate({"2026-02": {"fee": "60000", "sl": "75"}}, state).periods[0].totals.credits == 1200
    assert reads.calls == 1


# ---------------------------------------------------------------- a state file

def test_a_billing_run_writes_one_record_and_rewrites_no_byte_of_the_ledger(tmp_path, monkeypatch):
    path = tmp_path / "st.json"
    checked = Counted(monkeypatch, state_format.StateReader, "ledger_period")
    encoded = Counted(monkeypatch, ledger_module, "record_line")
    sizes = []
    for number, label in enumerate(LABELS, 1):
        before = ledger_file(path).read_bytes() if number > 1 else b""
        checked.calls = encoded.calls = 0
        bill(path, label)
        after = ledger_file(path).read_bytes()
        # No record read back, one encoded, the bytes already there untouched.
        assert checked.calls == 0 and encoded.calls == 1, label
        assert after[:len(before)] == before and after.count(b"\n") == number
        sizes.append(path.stat().st_size)
    # The state file does not hold the ledger: after the first months (a window of three
    # for the trigger filled), its size moves only with what the carry holds, never with
    # the months billed: the same in the fifth year as in the second, but for the digits the
    # count and size of the ledger's records gain.
    assert max(sizes[12:]) - min(sizes[12:]) < 200, sizes
    assert max(sizes[48:]) - max(sizes[12:24]) <= 2, sizes
    assert json.loads(path.read_text())["format"] == "slarules.state/4"
    # Read whole, it is what one evaluation of the five years saves.
    assert read_state_file(path) == PROGRAM.evaluate({label: VALUES[label] for label in LABELS}).state_json()


def test_a_restatement_appends_the_periods_it_revises_and_reads_the_ledger_once(tmp_path, monkeypatch):
    path = tmp_path / "st.json"
    for label in LABELS[:12]:
        bill(path, label)
    before = ledger_file(path).read_bytes()
    with PROGRAM.billing_run(path) as run:
        # April 2026 (70%, a miss held for cure, cured by May at 90%) corrected to 90%: met.
        # No money changes (the held credit was never assessed), but April's inputs did:
        # one record, April's.
        result = run.restate({"2026-04": {"fee": "60000", "sl": "90"}})
    after = ledger_file(path).read_bytes()
    assert after[:len(before)] == before
    added = [json.loads(line) for line in after[len(before):].splitlines()]
    assert [r["period"] for r in added] == ["2026-04"]
    assert added[0]["revisions"][0]["inputs_before"] == {"sl": "70"}
    assert result.adjustments == ()
    with PROGRAM.billing_run(path) as run:  # the same correction again adds nothing
        run.restate({"2026-04": {"fee": "60000", "sl": "90"}})
    assert ledger_file(path).read_bytes() == after
    # The ledger read back: March as restated, the others as billed.
    ledger = json.loads(read_state_file(path))["ledger"]["periods"]
    assert [p["period"] for p in ledger] == LABELS[:12] and ledger[3]["inputs"]["sl"] == "90"


def test_a_failed_run_leaves_the_ledger_file_as_it_was(tmp_path):
    path = tmp_path / "st.json"
    with pytest.raises(RuntimeError):
        with PROGRAM.billing_run(path) as run:
            run.evaluate(month(LABELS[0]))
            raise RuntimeError("invoice system down")
    assert sorted(os.listdir(tmp_path)) == []  # the first run: nothing left
    bill(path, LABELS[0])
    kept = path.read_bytes(), ledger_file(path).read_bytes()
    with pytest.raises(RuntimeError):
        with PROGRAM.billing_run(path) as run:
            run.evaluate(month(LABELS[1]))
            raise RuntimeError("invoice system down")
    assert (path.read_bytes(), ledger_file(path).read_bytes()) == kept


def test_a_full_disk_on_the_ledger_file_is_sla501_and_saves_nothing(tmp_path, monkeypatch):
    path = tmp_path / "st.json"
    bill(path, LABELS[0])
    kept = path.read_bytes(), ledger_file(path).read_bytes()

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "pwrite", full)
    with pytest.raises(SlaError) as info:
        bill(path, LABELS[1])
    assert info.value.diagnostics[0].code == "SLA501" and "st.json.ledger" in info.value.diagnostics[0].message
    assert (path.read_bytes(), ledger_file(path).read_bytes()) == kept


def test_records_a_killed_run_appended_are_cut_off_by_the_next_run(tmp_path):
    path = tmp_path / "st.json"
    for label in LABELS[:3]:
        bill(path, label)
    with ledger_file(path).open("ab") as file:  # a run killed after appending, before its commit
        file.write(b'{"period":"2026-04","half a record')
    for label in LABELS[3:6]:
        bill(path, label)
    assert read_state_file(path) == PROGRAM.evaluate({label: VALUES[label] for label in LABELS[:6]}).state_json()


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.unlink(), "is missing"),
    (lambda p: p.write_bytes(p.read_bytes()[:-10]), "fewer than the"),
])
def test_a_missing_or_short_ledger_file_is_sla404_at_the_next_run(tmp_path, damage, message):
    path = tmp_path / "st.json"
    for label in LABELS[:3]:
        bill(path, label)
    damage(ledger_file(path))
    with pytest.raises(SlaError) as info:
        bill(path, LABELS[3])
    (d,) = info.value.diagnostics
    assert d.code == "SLA404" and message in d.message and d.location.endswith("st.json.ledger"), d.render()


def test_an_edited_ledger_record_is_sla404_when_the_ledger_is_read(tmp_path):
    path = tmp_path / "st.json"
    for label in LABELS[:3]:
        bill(path, label)
    edited = ledger_file(path).read_bytes().replace(b'"sl":"70"', b'"sl":"80"', 1)  # the same size
    ledger_file(path).write_bytes(edited)
    with pytest.raises(SlaError) as info:
        with PROGRAM.billing_run(path) as run:
            run.restate(month(LABELS[1]))
    assert info.value.diagnostics[0].code == "SLA404"
    assert "it was changed after slarules wrote it" in info.value.diagnostics[0].message


def test_a_state_of_format_3_moves_its_ledger_into_the_ledger_file(tmp_path):
    path = tmp_path / "st.json"
    two = PROGRAM.evaluate({label: VALUES[label] for label in LABELS[:2]})
    path.write_text(two.state_json())  # as slarules before format /4 saved it
    bill(path, LABELS[2])
    assert json.loads(path.read_text())["format"] == "slarules.state/4"
    assert ledger_file(path).read_bytes().count(b"\n") == 3
    assert read_state_file(path) == PROGRAM.evaluate({label: VALUES[label] for label in LABELS[:3]}).state_json()


def test_the_text_of_a_state_file_loads_but_its_ledger_is_read_only_beside_it(tmp_path):
    path = tmp_path / "st.json"
    for label in LABELS[:2]:
        bill(path, label)
    state = PROGRAM.load_state(path.read_text(), str(path))
    # March (90%) is met: it cures January's miss (held since January), so nothing is billed.
    assert PROGRAM.evaluate(month(LABELS[2]), state).periods[0].totals.credits == 0
    with pytest.raises(SlaError) as info:
        state.to_json()
    assert info.value.diagnostics[0].code == "SLA404"
    assert "keeps its ledger in the file beside its state file" in info.value.diagnostics[0].message


def test_the_checksum_covers_the_ledger_s_digest(tmp_path):
    path = tmp_path / "st.json"
    for label in LABELS[:2]:
        bill(path, label)
    data = json.loads(path.read_text())
    data["ledger"]["digest"] = "sha256:" + hashlib.sha256(b"another").hexdigest()
    path.write_text(json.dumps(data))
    with pytest.raises(SlaError) as info:
        bill(path, LABELS[2])
    assert "its checksum does not match its content" in info.value.diagnostics[0].message
