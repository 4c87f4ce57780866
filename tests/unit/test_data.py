"""Data reader: the three layouts, calendar order, and values kept exact."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from slarules import SlaError, Source, compile_source
from slarules.formats.kpi_data import parse_history

PROGRAM = compile_source(Source("t.sla", '''contract "T" currency USD, starts 2026-01
inputs
  fee money
  sl percent
  calls count, default 0
service level s measured as sl target: at least 80% credit: 1% of fee
'''))


def read(text: str, path: str = "d.csv"):
    return parse_history(PROGRAM, Source(path, text))


def as_plain(history):
    return [(p.label, dict(p.values)) for p in history.periods]


EXPECTED = [("2026-01", {"fee": Decimal("60000.00"), "sl": Decimal("81.5"), "calls": Decimal("900")}),
            ("2026-02", {"fee": Decimal("60000.00"), "sl": Decimal("79")})]


def test_wide_csv_with_an_empty_cell_for_an_unreported_value():
    assert as_plain(read("period,fee,sl,calls\n2026-01,60000.00,81.5,900\n2026-02,60000.00,79,\n")) == EXPECTED


def test_long_csv():
    text = ("period,input,value\n2026-02,fee,60000.00\n2026-01,sl,81.5\n2026-01,fee,60000.00\n"
            "2026-01,calls,900\n2026-02,sl,79\n")
    assert as_plain(read(text)) == EXPECTED


def test_json_with_strings_numbers_and_null():
    text = ('{"periods": [{"period": "2026-02", "fee": "60000.00", "sl": 79, "calls": null},\n'
            '             {"period": "2026-01", "fee": 60000.00, "sl": "81.5%", "calls": 900}]}')
    assert as_plain(read(text, "d.json")) == EXPECTED


def test_row_order_does_not_matter():
    rows = ["2026-01,60000.00,81.5,900", "2026-03,60000.00,70,1", "2026-02,60000.00,79,"]
    forward = read("period,fee,sl,calls\n" + "\n".join(rows) + "\n")
    backward = read("period,fee,sl,calls\n" + "\n".join(reversed(rows)) + "\n")
    assert as_plain(forward) == as_plain(backward)
    assert [p.label for p in forward.periods] == ["2026-01", "2026-02", "2026-03"]


def test_a_byte_order_mark_and_windows_line_ends_are_accepted(tmp_path):
    from slarules import read_history

    path = tmp_path / "d.csv"
    path.write_bytes("\ufeffperiod,fee,sl\r\n2026-01,60000.00,81.5\r\n".encode("utf-8"))
    assert as_plain(read_history(PROGRAM, path)) == [("2026-01", {"fee": Decimal("60000.00"), "sl": Decimal("81.5")})]


def test_classic_mac_line_ends_read_as_a_file_on_disk_reads_them(tmp_path):
    from slarules import read_history

    text = "period,fee,sl\r2026-01,60000.00,81.5\r2026-02,60000.00,79\r"
    path = tmp_path / "d.csv"
    path.write_bytes(text.encode("utf-8"))
    assert as_plain(read(text)) == as_plain(read_history(PROGRAM, path)) == [
        ("2026-01", {"fee": Decimal("60000.00"), "sl": Decimal("81.5")}),
        ("2026-02", {"fee": Decimal("60000.00"), "sl": Decimal("79")})]


def test_a_lone_carriage_return_inside_a_row_ends_it_and_the_errors_name_the_lines():
    with pytest.raises(SlaError) as info:
        read("period,fee,sl\n2026-01,600\r00,79\n2026-02,x,79\n")
    assert [(d.code, d.span.line, d.span.source.line(d.span.line)) for d in info.value.diagnostics] == [
        ("SLA308", 2, "2026-01,600"), ("SLA308", 3, "00,79"), ("SLA302", 4, "2026-02,x,79")]


def test_a_row_after_a_quoted_cell_over_two_lines_is_named_by_its_own_line():
    with pytest.raises(SlaError) as info:
        read('period,fee,sl\n2026-01,"600\n00",79\n2026-02,60000,x\n')
    assert [(d.code, d.span.line, d.span.column) for d in info.value.diagnostics] == [("SLA302", 2, 1), ("SLA302", 4, 15)]


def test_a_row_the_csv_module_cannot_read_is_a_data_error_naming_its_line():
    import csv

    huge = "9" * (csv.field_size_limit() + 1)
    data = f"period,fee,sl\n2026-01,{huge},79\n"
    events = f"period,service_level,event,reason\n2026-01,s,waive,{huge}\n"
    cases = [("d.csv", Source("d.csv", data), None),
             ("e.csv", Source("d.csv", "period,fee,sl\n2026-01,1,79\n"), Source("e.csv", events))]
    for path, source, events_source in cases:
        with pytest.raises(SlaError) as info:
            parse_history(PROGRAM, source, events_source)
        (d,) = info.value.diagnostics
        assert (d.code, d.span.source.path, d.span.line, d.span.column) == ("SLA301", path, 2, 1)
        assert d.message.startswith("this line cannot be read as CSV: field larger than field limit")


@pytest.mark.parametrize("value, accepted", [
    ("999999999999999.99", True), ("1000000000000000", False), ("0." + "0" * 33 + "1", True),
    ("0." + "0" * 34 + "1", False), ("1." + "0" * 60, True), (Decimal("1E+15"), False), (Decimal("1E-35"), False),
    pytest.param(10 ** 5000, False, id="int-too-long-for-str"),
])
def test_a_value_has_at_most_15_digits_before_the_point_and_34_after(value, accepted):
    mapping = {"2026-01": {"fee": value, "sl": "90"}}
    if accepted:
        assert PROGRAM.evaluate(mapping).periods[0].totals.credits == 0
        return
    with pytest.raises(SlaError) as info:
        PROGRAM.evaluate(mapping)
    (d,) = info.value.diagnostics
    assert (d.code, d.location) == ("SLA303", "<data>: 2026-01.fee")
    assert re.fullmatch(r"'fee' has [0-9,]+ digits (before|after) the decimal point; a value has at most (15|34)",
                        d.message)


def test_quarterly_labels():
    quarterly = compile_source(Source("q.sla", 'contract "Q" currency USD, assessed quarterly, starts 2026-01\n'
                                                "inputs fee money\n sl percent\n"
                                                "service level s measured as sl target: at least 80% credit: 1% of fee"))
    history = parse_history(quarterly, Source("q.csv", "period,fee,sl\n2026-Q2,1,1\n2026-Q1,1,1\n2026-Q3,1,1\n"))
    assert [p.label for p in history.periods] == ["2026-Q1", "2026-Q2", "2026-Q3"]


@pytest.mark.parametrize("text, code", [
    ("period,fee,sl\n2026-01,60000,abc\n", "SLA302"),
    ("period,fee,sl\n2026-01,60000,100.5\n", "SLA303"),
    ("period,fee,sl\n2026-01,-5,90\n", "SLA303"),
    ("period,fee,sl,calls\n2026-01,1,90,2.5\n", "SLA303"),
    ("period,fee,sl,cals\n2026-01,1,90,2\n", "SLA304"),
    ("period,fee,sl\n2026-01,1,90\n2026-01,1,91\n", "SLA305"),
    ("period,fee,sl\n2026-13,1,90\n", "SLA306"),
    ("period,fee,sl\n2025-12,1,90\n", "SLA306"),
    ("period,fee,sl\n2026-01,1,90\n2026-03,1,90\n", "SLA307"),
    ("period,fee\n2026-01,1\n", "SLA308"),
])
def test_bad_data_is_reported_with_its_code(text, code):
    with pytest.raises(SlaError) as info:
        read(text)
    assert [d.code for d in info.value.diagnostics] == [code]


def test_every_problem_is_collected_not_just_the_first():
    with pytest.raises(SlaError) as info:
        read("period,fee,sl\n2026-01,x,90\n2026-02,1,101\n")
    assert [(d.code, d.span.line) for d in info.value.diagnostics] == [("SLA302", 2), ("SLA303", 3)]


def test_cell_errors_point_at_the_cell():
    with pytest.raises(SlaError) as info:
        read("period,fee,sl\n2026-01,60000,9x\n")
    (d,) = info.value.diagnostics
    assert (d.span.line, d.span.column, d.span.end_column) == (2, 15, 17)


def test_calendar_reads_years_beyond_four_digits():
    from slarules.core.periods import Calendar

    monthly = Calendar("monthly", "2026-01")
    assert monthly.index("10000-01") == monthly.index("9999-12") + 1
    assert monthly.label(monthly.index("9999-12") + 1) == "10000-01"
    assert monthly.contract_year("10000-01") == (10000 - 2026) + 1
    assert Calendar("quarterly", "2026-01").index("10000-Q1") == Calendar("quarterly", "2026-01").index("9999-Q4") + 1
    assert Calendar("yearly", "2026-01").label(10000) == "10000"
    assert monthly.index("999-12") is None  # fewer than four digits is still not a label


def test_a_history_runs_past_year_9999():
    outcome = PROGRAM.evaluate(read("period,fee,sl\n9999-12,60000.00,79\n10000-01,60000.00,81\n"))
    assert [(p.period, p.contract_year, str(p.totals.credits)) for p in outcome.periods] == [
        ("9999-12", 7974, "600.00"), ("10000-01", 7975, "0.00")]
    assert outcome.state.next_period == "10000-02"


def test_a_cell_is_quoted_on_one_line_and_cut_short():
    text = 'period,fee,sl\n2026-01,"60000\n00",80\n2026-02,60000,"' + "9" * 30 + "x" * 30 + '"\n'
    with pytest.raises(SlaError) as info:
        read(text)
    first, second = (d.message for d in info.value.diagnostics)
    assert first == "'fee' is '60000\\n00', not a number"
    assert second == "'sl' is '" + "9" * 30 + "x" * 7 + "...', not a number"


@pytest.mark.parametrize("rows, gaps", [
    # One month missing: named alone, at the row after the gap (line 3).
    (["2026-01", "2026-03"], [(3, "no data for 2026-02, between 2026-01 and 2026-03")]),
    # Two months missing: the first and the last missing month, not one too many or too few.
    (["2026-01", "2026-04"], [(3, "no data for 2026-02 to 2026-03, between 2026-01 and 2026-04")]),
    # Two gaps, each reported, at its own row; rows out of order are sorted first, so the
    # gaps are between neighbouring periods, across a year end too.
    (["2026-12", "2026-10", "2027-03"], [(2, "no data for 2026-11, between 2026-10 and 2026-12"),
                                         (4, "no data for 2027-01 to 2027-02, between 2026-12 and 2027-03")]),
])
def test_every_gap_is_named_by_its_missing_periods_at_the_row_after_it(rows, gaps):
    text = "period,fee,sl\n" + "".join(f"{label},1,90\n" for label in rows)
    with pytest.raises(SlaError) as info:
        read(text)
    assert sorted((d.span.line, d.message) for d in info.value.diagnostics) == sorted(gaps)
    assert {d.code for d in info.value.diagnostics} == {"SLA307"}


def test_consecutive_periods_have_no_gap():
    # December to January is one step: no SLA307.
    assert [p.label for p in read("period,fee,sl\n2026-12,1,90\n2027-01,1,90\n").periods] == ["2026-12", "2027-01"]


DIVIDING = compile_source(Source("div.sla", '''contract "T" currency USD, starts 2026-01
inputs
  fee money
  calls count
  fast count
service level s measured as fast / calls, in percent target: at least 80% credit: 1% of fee
'''))


@pytest.mark.parametrize("values, code", [({"fee": "10", "calls": "0", "fast": "0"}, "SLA402"),
                                          ({"fee": "10", "fast": "5"}, "SLA401")])
def test_an_evaluation_error_in_a_json_file_names_the_file_and_the_entry(values, code):
    """Found by the fuzz harness: evaluation errors of JSON data said only `period 2026-02:`."""
    text = '{"periods": [{"period": "2026-01", "fee": "10", "calls": "10", "fast": "9"}, %s]}' % (
        ", ".join([' "period": "2026-02"'] + [f'"{k}": "{v}"' for k, v in values.items()]).join("{}"))
    history = parse_history(DIVIDING, Source("d.json", text))
    with pytest.raises(SlaError) as raised:
        DIVIDING.evaluate(history)
    (found,) = raised.value.diagnostics
    assert found.code == code and found.render().startswith(f"d.json: periods[1]: error[{code}]: ")


def test_a_column_twice_is_named_at_its_second_cell():
    # period,fee,sl,fee: the second `fee` starts at column 15 (after "period,fee,sl,", 14 characters).
    with pytest.raises(SlaError) as err:
        read("period,fee,sl,fee\n2026-01,60000.00,81.5,60000.00\n")
    found = [(d.code, d.message, d.span.line, d.span.column) for d in err.value.diagnostics]
    assert ("SLA304", "column 'fee' appears twice", 1, 15) in found
