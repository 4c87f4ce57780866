"""A saved state is read whole or not at all: every field is checked against its
type, its range and the ruleset, and a checksum over the content catches edits,
so a damaged state is SLA404 naming the field, never wrong money. A state of the
previous format (slarules.state/1, no checksum) is still read; a byte-order mark
is ignored; the published JSON Schema describes what is saved."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from slarules import SlaError, compile_source
from slarules.core.source import Source
from slarules.engine.state import checksum
from tests.billing_terms import THREE_IN_A_ROW as RULESET

PROGRAM = compile_source(Source("t.sla", RULESET))
MONTHS = {"2026-01": "70", "2026-02": "75", "2026-03": "70"}
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "slarules" / "formats" / "schema" / "state.schema.json"


def month(label):
    return {label: {"fee": "60000", "sl": MONTHS[label]}}


JANUARY = PROGRAM.evaluate(month("2026-01"))
SAVED = JANUARY.state_json()


def february_and_march(text):
    """Evaluate February, then March, from the saved state text."""
    february = PROGRAM.evaluate(month("2026-02"), PROGRAM.load_state(text, "st.json"))
    march = PROGRAM.evaluate(month("2026-03"), PROGRAM.load_state(february.state_json(), "st.json"))
    return february, march


def test_an_intact_state_gives_the_february_credit_and_the_march_right():
    february, march = february_and_march(SAVED)
    # January (70%) missed and was not cured in February (75%): its credit, 2% of the fee
    # 60,000.00 = 1,200.00, is assessed when its one-month cure window closes, in February.
    assert february.totals.credits == 1200
    # Missed in January, February and March: 3 months in a row, the right arises in March.
    assert [t.period for t in march.terminations] == ["2026-03"]


def edited(change):
    data = json.loads(SAVED)
    change(data)
    return json.dumps(data, indent=2)


def sl(data):
    return data["service_levels"]["soa"]


def with_nesting(depth):
    return SAVED.replace('"run": [\n        "2026-01"\n      ]', '"run": ' + "[" * depth + "]" * depth)


# Each case is a state a billing system might be handed, and the field the error must name.
DAMAGED = {
    "triggers emptied": (edited(lambda d: d.update(triggers=[])),
                         "triggers has 0 entries, but the ruleset has 1 termination triggers"),
    "deadline as a string": (edited(lambda d: sl(d)["pending"][0].update(deadline=str(sl(d)["pending"][0]["deadline"]))),
                             "service_levels.soa.pending[0].deadline must be a whole number, not the string"),
    "deadline moved past its cure period": (edited(lambda d: sl(d)["pending"][0].update(deadline=24400)),
                                            "service_levels.soa.pending[0].deadline is 24400"),
    "no service levels": (edited(lambda d: d.update(service_levels={})), "service_levels has no 'soa'"),
    "a service level the ruleset lacks": (edited(lambda d: d["service_levels"].update(other=sl(d))),
                                          "service_levels has 'other'"),
    "string counter": (edited(lambda d: sl(d).update(met_streak="0")),
                       "service_levels.soa.met_streak must be a whole number, not the string \"0\""),
    "negative counter": (edited(lambda d: sl(d).update(passes_used=-1)), "service_levels.soa.passes_used is -1"),
    "NaN amount": (SAVED.replace('"amount": "1200.00"', '"amount": NaN'),
                   "service_levels.soa.pending[0].lines[0].amount must be a decimal number written as a string"),
    "NaN amount as text": (SAVED.replace('"amount": "1200.00"', '"amount": "NaN"'),
                           "service_levels.soa.pending[0].lines[0].amount must be a decimal number"),
    "amount as a JSON number": (SAVED.replace('"amount": "1200.00"', '"amount": 1200.00'),
                                "lines[0].amount must be a decimal number written as a string"),
    "negative credit": (SAVED.replace('"amount": "1200.00"', '"amount": "-1200.00"'),
                        "lines[0].amount -1200.00 has the wrong sign for a credit line"),
    "5,000-digit integer": (edited(lambda d: sl(d).update(passes_used=0)).replace(
        '"passes_used": 0', '"passes_used": ' + "9" * 5000),
        "service_levels.soa.passes_used is a number of 5000 digits, out of its range"),
    "deep nesting": (with_nesting(100_000), "nested too deeply"),
    "nesting where labels belong": (with_nesting(50), "triggers[0].run[0] must be a period label like '2026-03', "
                                                      "not a list"),
    "label off the calendar": (edited(lambda d: d["triggers"][0]["run"].__setitem__(0, "2026-13")),
                               "triggers[0].run[0] must be a period label"),
    "unknown field": (edited(lambda d: sl(d).update(bonus="1")), "service_levels.soa has an unknown field 'bonus'"),
    "held line of no clause": (edited(lambda d: sl(d)["pending"][0]["lines"][0].update(clause="credit row 3")),
                               "lines[0].clause must name the clause of a credit line, one of 'credit', not"),
    "held line of a list for a clause": (edited(lambda d: sl(d)["pending"][0]["lines"][0].update(clause=[])),
                                         "lines[0].clause must name the clause of a credit line, one of 'credit', "
                                         "not a list"),
    "held line of a clause and a line": (edited(lambda d: sl(d)["pending"][0]["lines"][0].update(line=7)),
                                         "lines[0] must have either 'clause' or 'line'"),
    "edited counter (checksum)": (edited(lambda d: sl(d).update(met_streak=5)),
                                  "its checksum does not match its content"),
    "checksum removed": (edited(lambda d: d.pop("checksum", None)), "the state has no 'checksum'"),
    "window entry of a later period": (edited(lambda d: d["triggers"][0].update(recent=[{
        "index": 24314, "label": "2026-03", "contract_year": 1, "credits": "0", "base": "0", "missed": True}])),
        "triggers[0].recent[0].label 2026-03 is not before 2026-02"),
    "window entry index off its label": (edited(lambda d: d["triggers"][0].update(recent=[{
        "index": 24300, "label": "2026-01", "contract_year": 1, "credits": "0", "base": "0", "missed": True}])),
        "triggers[0].recent[0].index is 24300, but the index of 2026-01 is 24312"),
    "text as a number": (edited(lambda d: sl(d)["pending"][0]["lines"][0].update(text=1.5)),
                         "lines[0].text must be a string, not the number 1.5"),
}


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_state_is_sla404_naming_the_field_never_money(case):
    text, expected = DAMAGED[case]
    with pytest.raises(SlaError) as info:
        february_and_march(text)
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.code == "SLA404", diagnostic.render()
    assert expected in diagnostic.message
    assert diagnostic.render().startswith("st.json: error[SLA404]: ")


def test_a_byte_order_mark_is_ignored():
    february, _ = february_and_march("\ufeff" + SAVED)
    assert february.totals.credits == 1200


def older_state(version: str, ruleset_sha256: str = PROGRAM.text_sha256) -> str:
    """SAVED as slarules of format /1 (no checksum) or /2 (no terms' prints, no ledger) wrote it:
    naming its ruleset by the SHA-256 of its text."""
    old = json.loads(SAVED)
    for name in ("checksum", "terms", "ledger"):
        del old[name]
    for line in sl(old)["pending"][0]["lines"]:  # a held line gave its clause's line
        assert line.pop("clause") == "credit"
        line["line"] = 7
    old.update(format=f"slarules.state/{version}", ruleset=ruleset_sha256)
    if version == "2":
        old["checksum"] = checksum(old)
    return json.dumps(old)


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_state_of_a_previous_format_is_still_read_and_saved_back_in_the_new_one(version):
    february, march = february_and_march(older_state(version))
    assert february.totals.credits == 1200 and [t.period for t in march.terminations] == ["2026-03"]
    saved = json.loads(february.state_json())
    assert saved["format"] == "slarules.state/3"
    # Its ledger starts at the carry the old state held: January was billed before there was a ledger.
    assert saved["ledger"]["opening"]["next_period"] == "2026-02"
    assert [p["period"] for p in saved["ledger"]["periods"]] == ["2026-02"]


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_state_of_a_previous_format_loads_only_for_its_exact_ruleset_text(version):
    edited_text = compile_source(Source("t.sla", RULESET + "# a comment\n"))
    with pytest.raises(SlaError) as info:
        edited_text.load_state(older_state(version), "st.json")
    assert info.value.diagnostics[0].code == "SLA403"
    assert f"a state of format slarules.state/{version} belongs to the exact ruleset text" in str(info.value)


def test_the_layout_of_the_file_does_not_matter_only_its_content():
    compact = json.dumps(json.loads(SAVED), separators=(",", ":"))
    assert february_and_march(compact)[0].totals.credits == 1200


def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_saved_states_follow_the_published_schema():
    jsonschema.Draft202012Validator.check_schema(schema())
    for outcome in (JANUARY, *february_and_march(SAVED)):
        jsonschema.Draft202012Validator(schema()).validate(json.loads(outcome.state_json()))


@pytest.mark.parametrize("case", ["deadline as a string", "string counter", "NaN amount as text", "unknown field",
                                  "checksum removed", "amount as a JSON number", "held line of a list for a clause",
                                  "held line of a clause and a line"])
def test_the_schema_rejects_what_the_reader_rejects_for_its_type(case):
    data = json.loads(DAMAGED[case][0])
    assert list(jsonschema.Draft202012Validator(schema()).iter_errors(data))
