"""HTML report: one self-contained, well-formed, deterministic page whose plots
draw the series the helpers compute."""
from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

import slarules
from slarules import Source, compile_source
from slarules.tools.htmlreport import credit_curve, fmt_money, render_report
from slarules.tools.simulate import percentile, simulate

ROOT = Path(__file__).resolve().parents[2]
RULESETS = ROOT / "rulesets"
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
SVG_EMPTY_OK = {"line", "rect", "circle", "path"}

FLAT = Source("flat.sla", '''contract "Flat <&> Co" currency USD, starts 2026-01
inputs
  fee money
  calls count
  fast count
service level soa "Calls answered fast"
  measured as fast / calls, in percent
  target: at least 80%
  credit: below 80%: 2% of fee
''')
FLAT_DATA = {"2026-01": {"fee": "10000", "calls": "1000", "fast": "850"},
             "2026-02": {"fee": "10000", "calls": "1000", "fast": "700"},
             "2026-03": {"fee": "10000", "calls": "1000", "fast": "900"}}


class Checker(HTMLParser):
    """Collects tags and fails on unbalanced ones."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.counts, self.errors, self.text = [], {}, [], []

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag not in VOID and tag not in SVG_EMPTY_OK:
            self.errors.append(f"self-closed <{tag}/>")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def check(page: str) -> Checker:
    checker = Checker()
    checker.feed(page)
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert not checker.stack, checker.stack
    return checker


@pytest.fixture(scope="module")
def acme():
    program = slarules.load(RULESETS / "acme_contact_center.sla")
    history = slarules.read_history(program, RULESETS / "acme_contact_center.csv",
                                    RULESETS / "acme_contact_center.events.csv")
    return program, history, program.evaluate(history)


@pytest.fixture(scope="module")
def acme_page(acme):
    program, history, outcome = acme
    return render_report({"current": (program, outcome)}, history, simulate({"current": program}, history, 200, 5))


def flat():
    program = compile_source(FLAT)
    history = slarules.read_history(program, _write_csv(FLAT_DATA))
    return program, history


def _write_csv(data):
    import tempfile

    path = Path(tempfile.mkdtemp()) / "flat.csv"
    names = list(next(iter(data.values())))
    lines = ["period," + ",".join(names)] + [p + "," + ",".join(v[n] for n in names) for p, v in data.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_page_is_self_contained_and_well_formed(acme_page):
    assert acme_page.startswith("<!DOCTYPE html>")
    assert "http://" not in acme_page and "https://" not in acme_page
    assert "<script" not in acme_page.lower()
    assert not re.search(r"""(src|href)\s*=""", acme_page)
    assert "@import" not in acme_page and "url(" not in acme_page
    check(acme_page)


def test_acme_page_has_every_service_level_table_and_plot(acme, acme_page):
    program, _, outcome = acme
    checker = check(acme_page)
    for sl in program.service_levels:
        assert sl.name in acme_page
        assert sl.title in acme_page
    for table_id in ("totals", "periods-current", "service-levels-current", "terminations-current",
                     "simulation-table"):
        assert f'id="{table_id}"' in acme_page
    for caption in ("Totals per period", "Totals per service level", "Termination rights"):
        assert caption in acme_page
    # 4 curves + 1 histogram + per service level (value/status, money bars) + 1 overall bars
    assert checker.counts["svg"] == 4 + 1 + 4 * 2 + 1
    assert 'id="simulation-percentiles"' in acme_page and "<th>earned back</th>" in acme_page
    assert acme_page.count("<svg") == checker.counts["svg"]
    # the termination rights are listed, and money has thousands separators
    assert len(outcome.terminations) == 2
    for right in outcome.terminations:
        assert right.trigger in acme_page
    assert fmt_money(outcome.totals.credits) in acme_page and "," in fmt_money(outcome.totals.credits)
    # percentiles are marked on the histogram (P50, P95) and tabled (all four)
    for p in ("P50", "P90", "P95", "P99"):
        assert f"<th>{p}</th>" in acme_page
    assert "current P50 " in acme_page and "current P95 " in acme_page


def test_without_simulation_there_is_no_histogram(acme):
    program, history, outcome = acme
    page = render_report({"current": (program, outcome)}, history)
    assert check(page).counts["svg"] == 4 + 4 * 2 + 1
    assert "Simulated annual" not in page and "Difference per period" not in page


def test_flat_credit_curve():
    program, history = flat()
    curve = credit_curve(program, history, "soa")
    assert curve.target == Decimal(80)
    net = curve.net
    assert len(net) > 20
    assert any(x < 80 for x, _ in net) and any(x >= 80 for x, _ in net)
    assert any(x == 80 for x, _ in net)  # the target itself is a sampled point
    for x, money in net:
        assert money == (Decimal(0) if x >= 80 else Decimal("200.00")), (x, money)
    assert "varying fast" in curve.note and "calls = 1,000" in curve.note


def test_curve_is_drawn_and_text_is_escaped():
    program, history = flat()
    outcome = program.evaluate(history)
    page = render_report({"current": (program, outcome), "proposed": (program, outcome)}, history,
                         title="Q&A <draft>")
    check(page)
    assert "<title>Q&amp;A &lt;draft&gt;</title>" in page
    assert "Flat &lt;&amp;&gt; Co" in page and "Flat <&> Co" not in page
    # one curve with two series, a dashed second one; legends name both rulesets
    assert page.count('stroke-dasharray="7 3"') == 1
    assert "holding calls = 1,000" in page


def test_curve_of_a_linear_capped_credit_and_bonus(acme):
    program, history, _ = acme
    curve = credit_curve(program, history, "quality")  # USD 500 per point below 90, at most 3,000; bonus at 95
    for x, money in curve.net:
        if x >= 95:
            assert money == Decimal("-1000")
        elif x >= 90:
            assert money == 0
        else:
            points = (Decimal(90) - x).to_integral_value(rounding="ROUND_CEILING")
            assert money == min(points * 500, Decimal(3000))
    assert min(x for x, _ in curve.net) <= 84 and max(x for x, _ in curve.net) >= 95


def test_cured_credit_is_shown_once_the_cure_lapses(acme):
    program, history, _ = acme
    curve = credit_curve(program, history, "first_contact_resolution")
    assert "cure period" in curve.note
    assert max(money for _, money in curve.net) > 0


def _acme_with_cure(acme, clause: str):
    """Acme with first_contact_resolution's `cure clause "C.2.3(b)": within 1 month` replaced by `clause`
    ("" removes it)."""
    program, history, _ = acme
    text = (RULESETS / "acme_contact_center.sla").read_text(encoding="utf-8")
    cure = 'cure clause "C.2.3(b)": within 1 month'
    assert cure in text
    changed = compile_source(Source("acme.sla", text.replace(cure, clause)))
    return changed, history


@pytest.mark.parametrize("months", [1, 10_000])
def test_a_cure_window_of_any_length_is_swept_in_one_period(acme, months, monkeypatch):
    """Issue 11 item 14: the curve used to evaluate cure + 1 periods per point (10,000 months: over 100 s).
    A miss charged when its window closes unmet costs what it costs charged at once, so the curve is the
    one without the cure clause, each point one period long."""
    import slarules.tools.htmlreport as htmlreport

    lengths = []
    real_evaluate = htmlreport.evaluate

    def recording(program, history, *args, **kwargs):
        lengths.append(len(history.periods))
        assert len(history.periods) == 1, "a curve point evaluates one period"
        return real_evaluate(program, history, *args, **kwargs)

    cured, history = _acme_with_cure(acme, f"cure: within {months} months")
    uncured, _ = _acme_with_cure(acme, "")
    expected = credit_curve(uncured, history, "first_contact_resolution").points
    monkeypatch.setattr(htmlreport, "evaluate", recording)
    curve = credit_curve(cured, history, "first_contact_resolution")
    assert curve.points == expected and lengths
    assert "cure period" in curve.note


def test_a_report_with_a_cure_window_of_a_billion_months_is_drawn(acme):
    cured, history = _acme_with_cure(acme, "cure: within 1000000000 months")
    check(render_report({"current": (cured, cured.evaluate(history))}, history))


def test_percentile_nearest_rank():
    values = [Decimal(i) for i in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 99) == 99 and percentile(values, 100) == 100
    # rank ceil(7/100 x 100) = 7 exactly; in binary floating point 0.07 x 100 is 7.000000000000001 (rank 8)
    assert percentile(values, 7) == 7


def test_the_curve_sampling_step_is_exact():
    from slarules.tools.svgplot import nice_step

    # 1, 2, 2.5 or 5 times a power of ten, as a Decimal with no binary residue
    assert [nice_step(Decimal(span), 10) for span in ("0.00025", "0.0007", "3", "45", "900")] == [
        Decimal("0.000025"), Decimal("0.0001"), Decimal("0.5"), Decimal("5"), Decimal("100")]


def test_deterministic(acme, acme_page):
    program, history, outcome = acme
    again = render_report({"current": (program, outcome)}, history, simulate({"current": program}, history, 200, 5))
    assert again == acme_page


@pytest.fixture(scope="module")
def dry_run_page(acme):
    """The dry-run's page: the proposed terms against Acme's, both simulated from one seed."""
    current, history, current_outcome = acme
    proposed = slarules.load(ROOT / "tests" / "golden" / "dryrun" / "acme_proposed.sla")
    simulation = simulate({"proposed": proposed, "current": current}, history, 300, 9)
    calls = []
    page = render_report({"proposed": (proposed, proposed.evaluate(history)), "current": (current, current_outcome)},
                         history, simulation, progress=lambda done, total: calls.append((done, total)))
    return page, simulation, proposed.evaluate(history), current_outcome, calls


def test_the_simulated_distributions_are_overlaid_on_one_plot(dry_run_page):
    page, simulation, *_ = dry_run_page
    section = page[page.index('id="simulation"'):page.index('id="simulation-table"')]
    assert section.count("<svg") == 1  # one histogram, not one per ruleset
    # one translucent outline per ruleset, in its own colour, each named
    outlines = re.findall(r'<path d="M[^"]*Z" fill="(#[0-9a-f]{6})" fill-opacity="0.3"[^>]*><title>([a-z]+)</title>',
                          section)
    assert [label for _, label in outlines] == ["proposed", "current"]
    assert len({color for color, _ in outlines}) == 2
    for label in ("proposed", "current"):
        for p in (50, 95):
            assert f"{label} P{p} {fmt_money(percentile(simulation[label].net, p))}" in section


def test_the_simulation_table_has_earned_back(dry_run_page):
    page, simulation, *_ = dry_run_page
    table = page[page.index('id="simulation-table"'):]
    table = table[:table.index("</table>")]
    for label in ("proposed", "current"):
        e = simulation[label]
        row = table[table.index(f"<td>{label}</td>"):]
        row = row[:row.index("</tr>")]
        cells = re.findall(r'<td class="n">([^<]*)</td>', row)
        # runs, then the means of credits, earned back, bonuses and net, then the termination share
        assert cells[:5] == [f"{len(e.net):,}"] + [fmt_money(e.mean(kind)) for kind in
                                                  ("credits", "earned_back", "bonuses", "net")]
    assert any(simulation["current"].earned_back)  # Acme earns back: the column is not all zero


def test_the_difference_per_period_is_plotted(dry_run_page, acme):
    page, _, proposed_outcome, current_outcome, _ = dry_run_page
    _, history, _ = acme
    section = page[page.index('id="difference"'):page.index('id="curves"')]
    assert section.count("<svg") == 1
    bars = dict(re.findall(r"<title>(\d{4}-\d{2}): USD ([^<]*)</title></rect>", section))
    expected = {p.period: fmt_money(p.totals.net - c.totals.net)
                for p, c in zip(proposed_outcome.periods, current_outcome.periods) if p.totals.net != c.totals.net}
    assert expected and bars == expected  # a bar for every period whose net differs, none for the others


def test_the_report_shows_progress_per_curve(dry_run_page):
    *_, calls = dry_run_page
    assert calls == [(i, len(calls)) for i in range(1, len(calls) + 1)] and len(calls) >= 8  # 2 rulesets x 4
