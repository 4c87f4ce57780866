"""A million rows in constant memory: the CSV reader streams, evaluation takes its periods
as they arrive, and `evaluate` writes its outcome a period at a time; every diagnostic
is the one a whole read gives, and bad data still means no output and no state saved."""
from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest

from slarules import SlaError, Source, compile_source, load
from slarules.core.diagnostics import render
from slarules.formats import report
from slarules.formats.kpi_data import PeriodStream, parse_history, read_history
from slarules.interfaces.cli import main

TESTS = Path(__file__).resolve().parents[1]
DATA_ERRORS = TESTS / "golden" / "data_errors"
FILE_ERRORS = TESTS / "golden" / "file_errors"
CSV_CASES = sorted(DATA_ERRORS.glob("*.csv"))

# Money only: one fee, a credit of 1% of it when `sl` is below 80%.
RULESET = '''contract "Streamed" currency USD, assessed monthly, starts 2026-01
inputs
  fee money
  sl percent
service level soa measured as sl target: at least 80%
  credit: 1% of fee
'''


def _label(number: int) -> str:
    year, month = divmod(number, 12)
    return f"{2026 + year}-{month + 1:02d}"


def _wide(path: Path, count: int, bad: dict[int, str] | None = None) -> Path:
    """`count` months from 2026-01, fee 1000.00, sl 70 in odd months (a miss) and 90 in
    even ones; `bad` replaces the sl cell of the given rows (0 is the first month)."""
    rows = ["period,fee,sl"]
    for number in range(count):
        rows.append(f"{_label(number)},1000.00,{(bad or {}).get(number, '70' if number % 2 else '90')}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _evaluate(*args: str, capsys) -> tuple[int, str, str]:
    status = main(["evaluate", *args])
    out, err = capsys.readouterr()
    return status, out, err


# ---------------------------------------------------------------- the same diagnostics, streamed

@pytest.mark.parametrize("case", CSV_CASES, ids=lambda p: p.name)
def test_a_streamed_read_reports_each_golden_data_error_byte_for_byte(case, monkeypatch):
    monkeypatch.chdir(TESTS)  # the goldens show paths relative to tests/
    program = compile_source(Source("golden/data_errors/ruleset.sla",
                                    (DATA_ERRORS / "ruleset.sla").read_text(encoding="utf-8")))
    with pytest.raises(SlaError) as found:
        program.evaluate(read_history(program, case.relative_to(TESTS).as_posix(), stream=True))
    assert render(found.value.diagnostics) + "\n" == case.with_suffix(".expected").read_text(encoding="utf-8")


def test_a_file_in_calendar_order_is_streamed_and_evaluates_as_the_whole_file(tmp_path):
    program = compile_source(Source("s.sla", RULESET))
    data = _wide(tmp_path / "d.csv", 30)
    streamed = read_history(program, data, stream=True)
    assert isinstance(streamed.periods, PeriodStream) and len(streamed.periods) == 30
    whole = read_history(program, data)
    assert list(streamed.periods) == list(whole.periods)  # read again on each pass
    assert report.to_json(program.evaluate(streamed)) == report.to_json(program.evaluate(whole))
    # 15 odd months miss at 70%: 1% of 1,000.00 = 10.00 each, 150.00 in all.
    assert program.evaluate(streamed).totals.credits == 150


def test_a_file_out_of_order_or_a_long_file_with_scattered_rows_is_read_whole_and_sorted(tmp_path):
    program = compile_source(Source("s.sla", RULESET))
    shuffled = tmp_path / "shuffled.csv"
    shuffled.write_text("period,fee,sl\n2026-02,1000,70\n2026-01,1000,90\n", encoding="utf-8")
    history = read_history(program, shuffled, stream=True)
    assert [p.label for p in history.periods] == ["2026-01", "2026-02"]
    scattered = tmp_path / "long.csv"
    scattered.write_text("period,input,value\n2026-01,fee,1000\n2026-02,fee,1000\n2026-01,sl,90\n2026-02,sl,70\n",
                         encoding="utf-8")
    history = read_history(program, scattered, stream=True)
    assert [(p.label, dict(p.values)) for p in history.periods] == [
        ("2026-01", {"fee": 1000, "sl": 90}), ("2026-02", {"fee": 1000, "sl": 70})]
    grouped = tmp_path / "grouped.csv"
    grouped.write_text("period,input,value\n2026-01,fee,1000\n2026-01,sl,90\n2026-02,fee,1000\n2026-02,sl,70\n",
                       encoding="utf-8")
    streamed = read_history(program, grouped, stream=True)
    assert isinstance(streamed.periods, PeriodStream)
    assert list(streamed.periods) == list(history.periods)


def test_a_streamed_long_file_reports_its_value_errors_where_they_are(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    program = compile_source(Source("s.sla", RULESET))
    Path("long.csv").write_text("period,input,value\n2026-01,fee,1000\n2026-01,sl,9O\n2026-02,fee,-5\n"
                                "2026-02,sl,70\n", encoding="utf-8")
    with pytest.raises(SlaError) as streamed:
        read_history(program, "long.csv", stream=True)
    with pytest.raises(SlaError) as whole:
        parse_history(program, Source("long.csv", Path("long.csv").read_text(encoding="utf-8")))
    assert render(streamed.value.diagnostics) == render(whole.value.diagnostics)
    assert "long.csv:3:12: error[SLA302]" in render(streamed.value.diagnostics)
    assert "long.csv:4:13: error[SLA303]" in render(streamed.value.diagnostics)


def test_a_data_file_changed_between_its_check_and_its_evaluation_is_refused(tmp_path, monkeypatch, golden):
    monkeypatch.chdir(tmp_path)
    program = compile_source(Source("s.sla", RULESET))
    history = read_history(program, _wide(Path("data.csv"), 3), stream=True)
    _wide(Path("data.csv"), 3, bad={1: "x"})  # rewritten after the check
    with pytest.raises(SlaError) as changed:
        program.evaluate(history)
    golden(render(changed.value.diagnostics) + "\n", FILE_ERRORS / "data_changed_while_read.expected")


# ---------------------------------------------------------------- bad data late in a long file

def test_bad_rows_near_the_end_give_every_diagnostic_no_output_and_no_saved_state(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("s.sla").write_text(RULESET, encoding="utf-8")
    _wide(Path("january.csv"), 1)
    assert _evaluate("s.sla", "january.csv", "--state", "st.json", capsys=capsys)[0] == 0
    saved = Path("st.json").read_bytes()
    rows = 3000
    lines = _wide(Path("data.csv"), rows + 1).read_text(encoding="utf-8").splitlines()
    del lines[1]  # the data continues the state: from 2026-02
    lines[2700] = lines[2700].replace(",1000.00,", ",1,000.00,")  # a row with a cell too many
    lines[2900] = lines[2900].rsplit(",", 1)[0] + ",101"  # a percentage above 100%
    Path("data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for form in ("csv", "json", "table"):
        status, out, err = _evaluate("s.sla", "data.csv", "--state", "st.json", "--format", form, capsys=capsys)
        assert (status, out) == (1, "")
        assert "data.csv:2701:1: error[SLA308]: row has 4 cells but the header has 3" in err
        assert "data.csv:2901:" in err and "error[SLA303]: 'sl' is 101%, above 100%" in err
        assert "data.csv:2702:1: error[SLA307]: no data for 2251-01, between 2250-12 and 2251-02" in err
        assert err.endswith("3 errors, 0 warnings\n")
        assert Path("st.json").read_bytes() == saved


def test_an_evaluation_error_near_the_end_gives_no_output_and_no_saved_state(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("s.sla").write_text(RULESET.replace("sl percent", "answered count\n  calls count")
                             .replace("measured as sl", "measured as answered / calls, in percent"), encoding="utf-8")
    rows = ["period,fee,answered,calls"] + [f"{_label(n)},1000,9,{0 if n == 2900 else 10}" for n in range(3000)]
    Path("data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    status, out, err = _evaluate("s.sla", "data.csv", "--state", "st.json", capsys=capsys)
    assert (status, out) == (1, "")
    assert "data.csv:2902:1: error[SLA402]" in err  # the header is line 1, month 2900 is on line 2902
    assert not Path("st.json").exists()


def test_streamed_output_is_byte_for_byte_the_rendered_outcome(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("s.sla").write_text(RULESET, encoding="utf-8")
    _wide(Path("data.csv"), 40)
    outcome = load("s.sla").evaluate(read_history(load("s.sla"), "data.csv"))
    for form, text in (("csv", outcome.to_csv()), ("json", outcome.to_json()), ("table", outcome.to_text())):
        assert _evaluate("s.sla", "data.csv", "--format", form, capsys=capsys) == (0, text, "")
    assert json.loads(outcome.to_json()) == report.to_data(outcome)


# ---------------------------------------------------------------- memory

def _beyond_the_outcome(path: Path, program) -> tuple[int, int]:
    """Peak traced bytes while reading, evaluating and writing `path` as `evaluate --format
    csv` does, above what the outcome keeps once it is written; and what it keeps."""
    tracemalloc.start()
    try:
        outcome = program.evaluate(read_history(program, path, stream=True))
        with open(os.devnull, "w", encoding="utf-8") as out:
            report.write_csv(outcome, out)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - kept, kept


def test_reading_evaluating_and_writing_hold_no_more_per_row_than_the_outcome_keeps(tmp_path):
    program = compile_source(Source("s.sla", RULESET))
    small, small_kept = _beyond_the_outcome(_wide(tmp_path / "small.csv", 1_000), program)
    large, large_kept = _beyond_the_outcome(_wide(tmp_path / "large.csv", 4_000), program)
    # Read whole, the 3,000 more rows cost about 1.2 KB each in the History and 0.5 KB each in
    # the rendered CSV; streamed, what is held beyond the outcome is the same but for the list
    # that becomes the outcome's tuple of periods (8 bytes a period).
    assert large - small < 3_000 * 40, f"{(large - small) / 3_000:.0f} bytes a row beyond the outcome"
    assert large_kept > small_kept + 3_000 * 500  # the measure sees the outcome grow: it can fail


def test_writing_an_outcome_keeps_none_of_the_lines_it_built(tmp_path):
    program = compile_source(Source("s.sla", RULESET))
    history = read_history(program, _wide(tmp_path / "d.csv", 200))
    text = report.to_csv(program.evaluate(history))  # a first writing sets up once what any reading does
    outcome = program.evaluate(history)
    tracemalloc.start()
    try:
        assert report.to_csv(outcome) == text
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # Kept once read, the lines alone held 88 bytes a period here; nothing kept, about 56 bytes in all.
    assert kept < 200 * 10, f"{kept / 200:.0f} bytes a period kept"


def test_a_form_feed_on_an_earlier_line_does_not_move_the_caret_of_a_later_cell(tmp_path, monkeypatch):
    # The whole-text reader split lines at a form feed or U+2028 for its carets (str.splitlines)
    # but not for the line it quoted, so a later cell's caret fell on another line's cells.
    monkeypatch.chdir(tmp_path)
    program = compile_source(Source("s.sla", RULESET))
    Path("d.csv").write_text("period,fee,sl\n2026-01,1000,9\f0\n2026-02,-1000,90\n", encoding="utf-8")
    with pytest.raises(SlaError) as found:
        read_history(program, "d.csv", stream=True)
    assert "d.csv:3:9: error[SLA303]: 'fee' is -1000: a money cannot be negative\n  |\n" \
           "3 | 2026-02,-1000,90\n  |         ^^^^^" in render(found.value.diagnostics)


def test_a_file_that_is_not_utf8_far_down_is_named_by_its_byte_as_a_whole_read_names_it(tmp_path):
    program = compile_source(Source("s.sla", RULESET))
    data = _wide(tmp_path / "d.csv", 3000)
    text = data.read_bytes()
    data.write_bytes(text[:60_000] + b"\xff" + text[60_000:])  # beyond the first chunk a stream decodes
    with pytest.raises(UnicodeDecodeError) as whole:
        data.read_text(encoding="utf-8-sig")  # as the whole-file reader read it
    with pytest.raises(SlaError) as found:
        read_history(program, data, stream=True)
    assert found.value.diagnostics[0].message == f"cannot read data file {data}: {whole.value}"
    assert "byte 0xff in position" in str(whole.value)
    with pytest.raises(SlaError) as missing:
        read_history(program, tmp_path / "none.csv", stream=True)
    assert missing.value.diagnostics[0].message.startswith(f"cannot read data file {tmp_path / 'none.csv'}: [Errno 2]")
