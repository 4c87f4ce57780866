"""Every credit/bonus curve of the report has its points, whatever the medians look like.

With a round median of calls offered (10000), the input that gives 75% of calls answered
in time is 75 / 0.01 = Decimal('7.5E+3'); the sampler once passed it to the data reader as
that text, every such point was rejected (SLA302) and the curve came out blank."""
from __future__ import annotations

from decimal import Decimal

import pytest

import slarules
from slarules.formats.kpi_data import history_from_mapping
from slarules.tools.htmlreport import credit_curve
from tests.conftest import ROOT

ACME = ROOT / "rulesets" / "acme_contact_center.sla"
EXAMPLES = [("acme_contact_center.sla", "acme_contact_center.csv"), ("it_outsourcing.sla", "it_outsourcing.csv"),
            ("cloud_hosting.sla", "cloud_hosting.json"),
            ("managed_security_quarterly.sla", "managed_security_quarterly.csv"),
            ("public_sector_services.sla", "public_sector_services.csv")]


def test_a_round_median_still_gives_every_curve_its_points():
    program = slarules.load(ACME)
    history = history_from_mapping(program, {  # the median period: 10,000 calls, a 60,000.00 fee
        "2026-01": {"monthly_fee": "60000.00", "calls_offered": "10000", "answered_in_20s": "7000",
                    "abandoned": "300", "resolved_first_call": "6000", "quality_score": "92"},
        "2026-02": {"monthly_fee": "60000.00", "calls_offered": "10000", "answered_in_20s": "8000",
                    "abandoned": "500", "resolved_first_call": "8000", "quality_score": "94"}})
    for sl in program.service_levels:
        curve = credit_curve(program, history, sl.name)
        assert len(curve.points) > 10, sl.name
    # speed_of_answer at 72% of 10,000 calls: 5% of the 60,000.00 fee (the row below 75%)
    speed = credit_curve(program, history, "speed_of_answer")
    assert (Decimal(72), Decimal("3000.00"), Decimal(0)) in [(x, c, b) for x, c, b in speed.points]


@pytest.mark.parametrize("ruleset, data", EXAMPLES)
def test_every_curve_of_the_examples_has_points(ruleset, data):
    program = slarules.load(ROOT / "rulesets" / ruleset)
    history = slarules.read_history(program, ROOT / "rulesets" / data)
    for sl in program.service_levels:
        curve = credit_curve(program, history, sl.name)
        assert curve.points or curve.note.startswith("cannot be swept"), (ruleset, sl.name)
