"""HTML report: one self-contained page with plots, for people who would rather look than read.

Input: compiled programs with their outcomes over a History (one per ruleset
label: "current", "proposed", or a ruleset's name), optionally a Simulation
of them under the same labels. Output: one HTML document as a string, with
every plot drawn as inline SVG: no script, no external resource, the same
bytes for the same input.

The page shows, per service level, the credit/bonus curve of every ruleset
(money against the KPI value, computed by evaluating each program on
synthetic histories built from a typical period); with two or more rulesets,
each one's net per period minus the last one's (the baseline); the simulated
annual net outcomes overlaid on one histogram, with the mean credits, earned
back, bonuses and net and the percentiles; and the performance review
over the history: each service level's value against its target, its status
per period, its credits and bonuses over time, and the tables of totals and
termination rights.
"""
from __future__ import annotations

import re
import statistics
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Callable

import attrs

from ..core.diagnostics import SlaError
from ..core.money import format_money, unsigned_zero
from ..core.version import version
from ..engine.compile import Terms
from ..engine.evaluate import evaluate
from ..engine.forms import LinearForm, ShortfallForm, TableForm
from ..engine.history import History
from ..engine.measure import period_lengths
from ..engine.outcome import BONUS_KINDS, CREDIT_KINDS, EARN_BACK, Outcome
from ..formats.kpi_data import history_from_mapping
from .simulate import KINDS, PERCENTILES, Simulation, percentile
from .svgplot import Plot, esc, nice_step, px, value_range

__all__ = ["Curve", "credit_curve", "percentile", "render_report"]

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
STATUS_COLORS = {
    "met": "#2ca02c", "missed": "#d62728", "in cure": "#ff7f0e", "cured": "#17becf",
    "not measured": "#bbbbbb", "waived": "#9467bd", "excluded": "#dddddd", "pending": "#eeeeee",
}
CREDIT_COLOR, BONUS_COLOR, EARN_BACK_COLOR = "#d62728", "#2ca02c", "#ff7f0e"
UNIT_SUFFIX = {"percent": "%", "seconds": " s", "minutes": " min"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?[0-9][0-9,]*(?:\.[0-9]+)?")


def fmt_money(amount: Decimal, digits: int = 2) -> str:
    return format_money(amount, digits)


def fmt_value(value: Decimal | None) -> str:
    if value is None:
        return "not reported"
    value = value.normalize()
    if value == value.to_integral_value():
        return unsigned_zero(f"{value:,.0f}")
    return f"{value:,f}"


# ---------------------------------------------------------------- credit/bonus curves

@attrs.frozen
class Curve:
    """Money against the KPI value for one service level of one program.

    points: (KPI value as evaluated, credits, bonuses), credits after the
    service level's own cap, net of earn-back; net = credits - bonuses."""

    service_level: str
    unit: str
    target: Decimal | None
    points: tuple[tuple[Decimal, Decimal, Decimal], ...]
    note: str

    @property
    def net(self) -> list[tuple[Decimal, Decimal]]:
        return [(x, credit - bonus) for x, credit, bonus in self.points]


def _typical(program: Terms, history: History) -> dict[str, Decimal]:
    """The median of each input across the periods that report it."""
    typical = {}
    for spec in program.inputs:
        values = [p.values[spec.name] for p in history.periods if p.values.get(spec.name) is not None]
        if not values:
            continue
        median = statistics.median(values)
        if spec.unit == "count":
            median = median.to_integral_value(ROUND_HALF_EVEN)
        typical[spec.name] = median
    return typical


def _target(sl, typical: dict[str, Decimal]) -> Decimal | None:
    if sl.allowance is not None:  # a share of an input (`at most 3% of opened`): its allowance in a typical period
        return sl.allowance(typical) if sl.reads <= typical.keys() else None
    match = _NUMBER.search(sl.target_text)
    return Decimal(match.group().replace(",", "")) if match else None


def _breakpoints(sl, typical: dict[str, Decimal]) -> list[Decimal]:
    points = []
    target = _target(sl, typical)
    if target is not None:
        points.append(target)
    for award in (sl.credit, sl.bonus):
        form = award.form if award else None
        if isinstance(form, TableForm):
            for row in form.rows:
                points += [v for v in (row.interval.low, row.interval.high) if v is not None]
        elif isinstance(form, LinearForm) and (form.allowance is None or sl.reads <= typical.keys()):
            points.append(form.threshold_in(typical))
        elif isinstance(form, ShortfallForm):
            points.append(form.target)
    return sorted(set(points))


def _measure_text(sl) -> str:
    span = sl.measure_clause
    lines = span.source.text.splitlines()[span.line - 1:span.end_line]
    if not lines:
        return ""
    if len(lines) == 1:
        return lines[0][span.column - 1:span.end_column - 1]
    return " ".join([lines[0][span.column - 1:]] + lines[1:-1] + [lines[-1][:span.end_column - 1]])


def _referenced(sl, typical) -> list[str]:
    text = _measure_text(sl).removeprefix("measured as")
    names = []
    for name in _IDENT.findall(text):
        if name in sl.reads and name not in names:
            names.append(name)
    return [n for n in names if n in typical] or sorted(n for n in sl.reads if n in typical)


class _Sweep:
    """Evaluates one program on a synthetic one-period history, one KPI value at a time."""

    def __init__(self, program: Terms, history: History, sl):
        self.program, self.sl = program.without_cures(), sl  # one period stands for the cure window
        self.typical = _typical(program, history)
        self.units = {spec.name: spec.unit for spec in program.inputs}
        calendar = program.calendar
        first = calendar.index(history.periods[0].label) if history.periods else None
        if first is None:
            first = calendar.index(calendar.label_of_month(calendar.start_month))
        self.label = calendar.label(first)
        self.lengths = period_lengths(calendar.days_in(self.label))  # `minutes in the month` of that period
        names = _referenced(sl, self.typical)
        self.varied, self.slope, self.base = None, None, None
        for name in names:
            slope, base = self._linear(name)
            if slope is not None and slope > 0:
                self.varied, self.slope, self.base = name, slope, base
                break
        self.held = [n for n in names if n != self.varied]

    def _measure(self, name: str, value: Decimal) -> Decimal | None:
        env = {**self.lengths, **self.typical}
        env[name] = value
        try:
            return self.sl.measure(env)
        except (ZeroDivisionError, KeyError, ArithmeticError):
            return None

    def _linear(self, name: str):
        at0, at1 = self._measure(name, Decimal(0)), self._measure(name, Decimal(1))
        if at0 is None or at1 is None:
            return None, None
        return at1 - at0, at0

    def input_for(self, kpi: Decimal) -> Decimal | None:
        value = (kpi - self.base) / self.slope
        if self.units.get(self.varied) == "count":
            value = value.to_integral_value(ROUND_HALF_EVEN)
        if value < 0:
            return None
        return value

    def evaluate(self, kpi: Decimal):
        """(KPI value the engine measured, credits, bonuses), or None."""
        if self.varied is None:
            return None
        value = self.input_for(kpi)
        if value is None:
            return None
        # The Decimals themselves: a median of 7000 and 8000 is Decimal('7.5E+3'), whose str() the data
        # reader rightly rejects (SLA302), which left every point of such a curve out.
        env = dict(self.typical)
        env[self.varied] = value
        try:
            outcome = evaluate(self.program, history_from_mapping(self.program, {self.label: env}))
        except SlaError:
            return None
        period = outcome.periods[0]
        result = next((r for r in period.results if r.service_level == self.sl.name), None)
        if result is None or result.value is None:
            return None
        credits = bonuses = Decimal(0)
        for line in period.lines:
            if line.service_level != self.sl.name:
                continue
            if line.kind in CREDIT_KINDS:
                credits += line.amount
            elif line.kind == EARN_BACK:  # negative: credits returned to the vendor
                credits += line.amount
            elif line.kind in BONUS_KINDS:
                bonuses += line.amount
        return result.value, credits, bonuses


def credit_curve(program: Terms, history: History, service_level: str, points: int = 160) -> Curve:
    """The credit/bonus curve of one service level: the program evaluated on
    synthetic histories of a typical period (each input's median over
    `history`), the KPI swept across the range where the money changes."""
    sl = next(s for s in program.service_levels if s.name == service_level)
    sweep = _Sweep(program, history, sl)
    breaks = _breakpoints(sl, sweep.typical)
    target = _target(sl, sweep.typical)
    if sweep.varied is None:
        return Curve(sl.name, sl.unit, target, (), "cannot be swept: no input of the measurement can be varied")
    top = Decimal(100) if sl.unit == "percent" else max([b for b in breaks] + [Decimal(5)]) * 2
    top = max(top, max(breaks, default=Decimal(0)) * Decimal("1.2"))
    # A coarse pass over the whole range finds where the money changes.
    coarse_step = top / 50
    coarse = [coarse_step * i for i in range(51)]
    found = [(x, sweep.evaluate(x)) for x in coarse]
    found = [(x, r) for x, r in found if r is not None]
    changes = [found[i][0] for i in range(1, len(found)) if found[i][1][1:] != found[i - 1][1][1:]]
    changes += [found[i - 1][0] for i in range(1, len(found)) if found[i][1][1:] != found[i - 1][1][1:]]
    interesting = changes + breaks
    low = min(interesting, default=Decimal(0))
    high = max(interesting, default=top)
    pad = max((high - low) * Decimal("0.2"), coarse_step)
    low, high = max(Decimal(0), low - pad), min(top, high + pad)
    if high <= low:
        low, high = Decimal(0), top
    step = nice_step(high - low, points)
    first = (low / step).to_integral_value(ROUND_HALF_EVEN)
    xs = {(first + i) * step for i in range(points + 3)}
    xs = {x for x in xs if low <= x <= high} | {b for b in breaks if low <= b <= high}
    seen = {}
    for x in sorted(xs):
        result = sweep.evaluate(x)
        if result is not None and result[0] not in seen:
            seen[result[0]] = result
    curve_points = tuple(seen[x] for x in sorted(seen))
    unit_input = sweep.units.get(sweep.varied)
    if sweep.held:
        held = ", ".join(f"{name} = {fmt_value(sweep.typical[name])}" for name in sweep.held)
        note = f"varying {sweep.varied}, holding {held} (the median period)"
    else:
        note = f"varying {sweep.varied}"
    others = [n for n in sorted(sweep.typical) if n != sweep.varied and n not in sweep.held
              and sweep.units.get(n) == "money"]
    if others:
        note += "; " + ", ".join(f"{n} = {fmt_value(sweep.typical[n])}" for n in others)
    if unit_input == "count" and sweep.held:
        note += "; counts are whole numbers, so values are as the engine measured them"
    if sl.cure:
        note += f"; the credit shown is the one due once the cure period ({sl.cure} period{'s' if sl.cure != 1 else ''}) has passed uncured"
    elif sl.cure_days:
        note += f"; the credit shown is the one due once the cure window ({sl.cure_days.text}) has passed uncured"
    return Curve(sl.name, sl.unit, target, curve_points, note)


def _unit_label(unit: str) -> str:
    return {"percent": "%", "seconds": "seconds", "minutes": "minutes"}.get(unit, unit)


def _curve_svg(name: str, unit: str, target: Decimal | None, curves: list[tuple[str, str, Curve]],
               currency: str) -> str:
    # floats from here on place points on the SVG canvas; every value drawn was computed exactly
    xs = [float(x) for _, _, c in curves for x, _, _ in c.points] + ([float(target)] if target is not None else [])
    ys = [float(n) for _, _, c in curves for _, n in c.net]
    plot = Plot(300, value_range(xs), value_range(ys, include_zero=True), f"{name} ({_unit_label(unit)})",
                 f"{currency}: credit (+) / bonus (−)", f"Credit and bonus against {name}")
    plot.axes()
    if target is not None:
        plot.vline(float(target), f"target {fmt_value(target)}{UNIT_SUFFIX.get(unit, '')}", "#555555")
    for index, (label, color, curve) in enumerate(curves):
        plot.path([(float(x), float(n)) for x, n in curve.net], color, step=True, width=2.5 - 0.6 * index,
                  dash=None if index == 0 else "7 3")
    if len(curves) > 1 or curves:
        plot.legend([(label, color) for label, color, _ in curves])
    return plot.svg(f"Credit (positive) and bonus (negative) in {currency} against {name}")


def _histograms_svg(series: list[tuple[str, str, list[Decimal]]], currency: str, digits: int) -> str:
    """The simulated annual nets of every ruleset overlaid on one pair of axes: the same bins,
    each ruleset a translucent step outline in its colour, its P50 and P95 marked."""
    # Floats place bars on the canvas only: which of 30 drawn bins a run falls in decides no figure
    # (the tables beside the plot give the exact means and percentiles).
    everything = [float(v) for _, _, nets in series for v in nets]
    low, high = min(everything), max(everything)
    if high == low:
        low, high = low - (abs(low) * 0.1 or 1), high + (abs(high) * 0.1 or 1)
    pad = (high - low) * 0.02
    low, high = low - pad, high + pad
    bins = 30
    width = (high - low) / bins
    counted = []
    for label, color, nets in series:
        counts = [0] * bins
        for value in nets:
            counts[min(bins - 1, max(0, int((float(value) - low) / width)))] += 1
        counted.append((label, color, nets, counts))
    tallest = max(max(counts) for *_, counts in counted)
    runs = ", ".join(f"{label} {len(nets):,}" for label, _, nets in series)
    plot = Plot(300, (low, high), (0.0, float(tallest or 1)),
                f"annual net outcome ({currency}; positive: owed to the client)", "simulation runs",
                f"Simulated annual net outcome (runs: {runs})")
    plot.axes()
    base = plot.y(0)
    for label, color, nets, counts in counted:
        outline = [f"M{px(plot.x(low))},{px(base)}"]
        for i, count in enumerate(counts):
            x0, x1, y = plot.x(low + i * width), plot.x(low + (i + 1) * width), plot.y(count)
            outline.append(f"L{px(x0)},{px(y)} L{px(x1)},{px(y)}")
        outline.append(f"L{px(plot.x(high))},{px(base)} Z")
        plot.parts.append(f'<path d="{" ".join(outline)}" fill="{color}" fill-opacity="0.3" stroke="{color}" '
                          f'stroke-width="1.5"><title>{esc(label)}</title></path>')
    for index, (label, color, nets, _) in enumerate(counted):
        for row, p in enumerate((50, 95)):
            value = percentile(nets, p)
            plot.vline(float(value), f"{label} P{p} {fmt_money(value, digits)}", color, row=2 * index + row)
    plot.legend([(label, color) for label, color, _ in series])
    return plot.svg("Histograms of the simulated annual net outcome, overlaid: " + runs)


def _difference_svg(periods: list[str], label: str, baseline: str, differences: list[Decimal],
                    currency: str, digits: int) -> str:
    """Per period, one ruleset's net minus the baseline's: bars up where it costs the vendor more."""
    plot = Plot(260, (0, 1), value_range([float(d) for d in differences], include_zero=True), "period",
                f"{currency}: {label} − {baseline}", f"Net per period: {label} minus {baseline}",
                categories=periods)
    plot.axes()
    cell = (plot.width - plot.left - plot.right) / max(len(periods), 1)
    bar = max(cell * 0.7, 1.0)
    for i, (period, difference) in enumerate(zip(periods, differences)):
        if not difference:
            continue
        y0, y1 = plot.y(0), plot.y(float(difference))
        color = CREDIT_COLOR if difference > 0 else BONUS_COLOR
        plot.parts.append(
            f'<rect x="{px(plot.x(i) - bar / 2)}" y="{px(min(y0, y1))}" width="{px(bar)}" '
            f'height="{px(max(abs(y1 - y0), 0.5))}" fill="{color}">'
            f'<title>{esc(f"{period}: {currency} {fmt_money(difference, digits)}")}</title></rect>')
    plot.legend([(f"{label} owes the client more", CREDIT_COLOR), (f"{label} owes the client less", BONUS_COLOR)])
    return plot.svg(f"Net per period under {label} minus under {baseline}, in {currency}")


def _value_svg(name: str, unit: str, target: Decimal | None, periods: list[str],
               values: list[Decimal | None], statuses: list[str]) -> str:
    ys = [float(v) for v in values if v is not None] + ([float(target)] if target is not None else [])
    plot = Plot(300, (0, 1), value_range(ys), "period (strip: status)", _unit_label(unit),
                 f"{name} per period against its target", bottom_extra=22, categories=periods)
    plot.axes()
    if target is not None:
        plot.hline(float(target), f"target {fmt_value(target)}{UNIT_SUFFIX.get(unit, '')}", "#555555")
    runs, run = [], []
    for i, value in enumerate(values):
        if value is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append((float(i), float(value)))
    if run:
        runs.append(run)
    for run in runs:
        plot.path(run, "#1f77b4")
    for i, (value, status) in enumerate(zip(values, statuses)):
        if value is not None:
            plot.parts.append(f'<circle cx="{px(plot.x(i))}" cy="{px(plot.y(float(value)))}" r="3.5" '
                              f'fill="{STATUS_COLORS.get(status, "#777777")}" stroke="#1f77b4">'
                              f'<title>{esc(f"{periods[i]}: {fmt_value(value)} ({status})")}</title></circle>')
    # the status strip, just below the period labels
    cell = (plot.width - plot.left - plot.right) / max(len(periods), 1)
    top = plot.plot_bottom + 24
    for i, status in enumerate(statuses):
        x = plot.x(i) - cell / 2
        plot.parts.append(f'<rect x="{px(x + 0.5)}" y="{px(top)}" width="{px(max(cell - 1, 0.5))}" height="12" '
                          f'fill="{STATUS_COLORS.get(status, "#777777")}"><title>{esc(f"{periods[i]}: {status}")}'
                          f'</title></rect>')
    return plot.svg(f"{name}: value per period against the target, with each period's status")


def _bars_svg(title: str, periods: list[str], up: list[tuple[str, str, list[Decimal]]],
              down: list[tuple[str, str, list[Decimal]]], currency: str, digits: int) -> str:
    highs = [float(sum((s[2][i] for s in up), Decimal(0))) for i in range(len(periods))]
    lows = [-float(sum((s[2][i] for s in down), Decimal(0))) for i in range(len(periods))]
    plot = Plot(260, (0, 1), value_range(highs + lows, include_zero=True), "period",
                 f"{currency}: credit (+) / bonus (−)", title, categories=periods)
    plot.axes()
    cell = (plot.width - plot.left - plot.right) / max(len(periods), 1)
    bar = max(cell * 0.7, 1.0)
    for sign, series in ((1, up), (-1, down)):
        for i, period in enumerate(periods):
            level = Decimal(0)
            for label, color, amounts in series:
                amount = amounts[i]
                if not amount:
                    continue
                start, end = level, level + amount
                level = end
                y0, y1 = plot.y(sign * float(start)), plot.y(sign * float(end))
                plot.parts.append(
                    f'<rect x="{px(plot.x(i) - bar / 2)}" y="{px(min(y0, y1))}" width="{px(bar)}" '
                    f'height="{px(max(abs(y1 - y0), 0.5))}" fill="{color}">'
                    f'<title>{esc(f"{period} {label}: {currency} {fmt_money(amount, digits)}")}</title></rect>')
    plot.legend([(label, color) for label, color, _ in up + down])
    return plot.svg(title)


# ---------------------------------------------------------------- the page

STYLE = """
body{font-family:Helvetica,Arial,sans-serif;max-width:800px;margin:16px auto;padding:0 12px;color:#222;font-size:14px}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:30px}
h3{font-size:15px;margin-bottom:4px}
table{border-collapse:collapse;margin:8px 0 16px 0;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 7px}th{background:#f2f2f2;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:bold;padding:4px 0}
p.note{font-size:12px;color:#555;margin:2px 0 14px 0}
svg{display:block;max-width:100%;height:auto}
svg text{font-size:11px;fill:#333}svg text.t{font-size:13px;font-weight:bold}
svg text.l{font-size:12px}svg text.m{font-size:11px;font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px}svg text.k{font-size:11px}
svg line.g{stroke:#e6e6e6;stroke-width:1}svg line.a{stroke:#333;stroke-width:1}
svg line.z{stroke:#888;stroke-width:1}
span.sw{display:inline-block;width:11px;height:11px;margin:0 3px 0 10px;vertical-align:middle}
""".strip()


def _table(caption: str, head: list[str], rows: list[list[tuple[str, bool]]], css_id: str) -> str:
    out = [f'<table id="{esc(css_id)}"><caption>{esc(caption)}</caption><thead><tr>']
    out += [f"<th>{esc(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="n">{esc(text)}</td>' if numeric else f"<td>{esc(text)}</td>"
                                    for text, numeric in row) + "</tr>")
    if not rows:
        out.append(f'<tr><td colspan="{len(head)}">none</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _status_legend() -> str:
    return ('<p class="note">Status:' + "".join(
        f'<span class="sw" style="background:{color}"></span>{esc(status)}'
        for status, color in STATUS_COLORS.items()) + "</p>")


def _review(label: str, program: Terms, outcome: Outcome, color: str) -> list[str]:
    d, cur = outcome.digits, outcome.currency
    slug = _slug(label)
    out = [f'<h2 id="review-{esc(slug)}">Performance review: {esc(label)}</h2>',
           f'<p>{esc(outcome.contract)} — {esc(outcome.ruleset)}; {len(outcome.periods):,} periods'
           + (f", {esc(outcome.periods[0].period)} to {esc(outcome.periods[-1].period)}" if outcome.periods else "")
           + f"; amounts in {esc(cur)}.</p>",
           f'<p class="identity">Ruleset fingerprint {esc(program.fingerprint)}, slarules {esc(version())}.</p>',
           _status_legend()]
    periods = [p.period for p in outcome.periods]
    targets = {sl.name: _target(sl, {}) for sl in program.service_levels}  # an allowance varies: no line
    units = {sl.name: sl.unit for sl in program.service_levels}
    titles = {sl.name: sl.title for sl in program.service_levels}
    names = [sl.name for sl in program.service_levels]
    for period in outcome.periods:
        for result in period.results:
            if result.service_level not in names:
                names.append(result.service_level)
    for name in names:
        values, statuses, credits, earned, bonuses = [], [], [], [], []
        for period in outcome.periods:
            result = next((r for r in period.results if r.service_level == name), None)
            values.append(result.value if result else None)
            statuses.append(result.status if result else "not measured")
            lines = [line for line in period.lines if line.service_level == name]
            credits.append(sum((line.amount for line in lines if line.kind in CREDIT_KINDS), Decimal(0)))
            earned.append(-sum((line.amount for line in lines if line.kind == EARN_BACK), Decimal(0)))
            bonuses.append(sum((line.amount for line in lines if line.kind in BONUS_KINDS), Decimal(0)))
        title = titles.get(name)
        out.append(f"<h3>{esc(name)}" + (f" — {esc(title)}" if title else "") + "</h3>")
        out.append(_value_svg(name, units.get(name, ""), targets.get(name), periods, values, statuses))
        counts = {}
        for status in statuses:
            counts[status] = counts.get(status, 0) + 1
        out.append('<p class="note">Target: ' + esc(next((sl.target_text for sl in program.service_levels
                                                          if sl.name == name), "")) + ". "
                   + esc(", ".join(f"{status}: {count:,}" for status, count in sorted(counts.items()))) + ".</p>")
        series_up = [("credits", CREDIT_COLOR, credits)]
        series_down = [("earned back", EARN_BACK_COLOR, earned), ("bonuses", BONUS_COLOR, bonuses)]
        out.append(_bars_svg(f"{name}: credits and bonuses per period", periods, series_up, series_down, cur, d))
    out.append("<h3>All service levels</h3>")
    out.append(_bars_svg(f"{label}: credits and bonuses per period (after every cap)", periods,
                         [("credits", CREDIT_COLOR, [p.totals.credits for p in outcome.periods])],
                         [("earned back", EARN_BACK_COLOR, [p.totals.earned_back for p in outcome.periods]),
                          ("bonuses", BONUS_COLOR, [p.totals.bonuses for p in outcome.periods])], cur, d))
    rows = []
    for period in outcome.periods:
        t = period.totals
        rows.append([(period.period, False), (str(period.contract_year), True)]
                    + [(fmt_money(v, d), True) for v in (t.credits, t.earned_back, t.bonuses, t.withheld, t.net,
                                                         t.due_to_client, t.due_to_vendor)])
    t = outcome.totals
    rows.append([("total", False), ("", False)] + [(fmt_money(v, d), True) for v in (
        t.credits, t.earned_back, t.bonuses, t.withheld, t.net, t.due_to_client, t.due_to_vendor)])
    out.append(_table(f"Totals per period ({cur}) — {label}",
                      ["period", "contract year", "credits", "earned back", "bonuses", "withheld", "net",
                       "due to client", "due to vendor"], rows, f"periods-{slug}"))
    cited = {sl.name: program.cited(sl.span) or "" for sl in program.service_levels}
    rows = [[(s.service_level, False), (fmt_money(s.credits, d), True), (fmt_money(s.earned_back, d), True),
             (fmt_money(s.bonuses, d), True), (fmt_money(s.credits - s.earned_back - s.bonuses, d), True),
             (f"{s.periods_met:,}", True), (f"{s.periods_missed:,}", True), (cited.get(s.service_level, ""), False)]
            for s in outcome.by_service_level]
    out.append(_table(f"Totals per service level ({cur}) — {label}",
                      ["service level", "credits", "earned back", "bonuses", "net", "periods met", "periods missed",
                       "contract clause"], rows, f"service-levels-{slug}"))
    rows = [[(t.period, False), (t.trigger, False), (t.reason, False), (", ".join(t.periods), False),
             (t.clause_ref, False), (t.contract_clause or "", False)] for t in outcome.terminations]
    out.append(_table(f"Termination rights — {label}", ["arises in", "trigger", "reason", "periods", "clause",
                                                        "contract clause"], rows, f"terminations-{slug}"))
    return out


def _simulation_section(simulation: Simulation, labels: list[str], colors: dict[str, str]) -> list[str]:
    exposures = [simulation[label] for label in labels]
    if not exposures:
        return []
    digits, currency = exposures[0].digits, simulation.currency
    out = ['<h2 id="simulation">Simulated annual outcome</h2>',
           f"<p>{simulation.runs:,} simulated runs of {simulation.years} contract "
           f"year{'s' if simulation.years != 1 else ''} (seed {simulation.seed}), amounts per contract year. "
           "The distributions of the net amount are overlaid; dashed lines mark each ruleset's 50th and 95th "
           "percentiles, and the tables give the rest.</p>",
           _histograms_svg([(e.name, colors[e.name], list(e.net)) for e in exposures], currency, digits)]
    rows = [[(e.name, False), (f"{len(e.net):,}", True)]
            + [(fmt_money(e.mean(kind), digits), True) for kind in KINDS]
            + [(f"{(e.termination_probability * 100).normalize():f}%", True)] for e in exposures]
    out.append(_table(f"Simulated annual amounts, mean per contract year ({currency})",
                      ["ruleset", "runs", "credits", "earned back", "bonuses", "net", "runs with a termination right"],
                      rows, "simulation-table"))
    rows = [[(e.name, False)] + [(fmt_money(v, digits), True) for v in e.percentiles("net").values()]
            + [(fmt_money(max(e.net), digits), True)] for e in exposures]
    out.append(_table(f"Simulated annual net: percentiles ({currency}; positive: owed to the client)",
                      ["ruleset", *(f"P{p}" for p in PERCENTILES), "worst"], rows, "simulation-percentiles"))
    return out


def render_report(rulesets: dict[str, tuple[Terms, Outcome]], history: History,
                  simulation: Simulation | None = None, title: str | None = None,
                  progress: Callable[[int, int], None] | None = None) -> str:
    """One self-contained HTML page (inline SVG, no script) for the rulesets'
    outcomes over `history`, with the simulated annual amounts of the rulesets
    `simulation` holds under the same labels. `progress(done, total)` is called
    after each credit curve (the slow part)."""
    labels = list(rulesets)
    colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}
    outcomes = [outcome for _, outcome in rulesets.values()]
    currency = outcomes[0].currency if outcomes else ""
    digits = outcomes[0].digits if outcomes else 2
    contracts = []
    for outcome in outcomes:
        if outcome.contract not in contracts:
            contracts.append(outcome.contract)
    title = title or ("Service level report: " + " / ".join(contracts) if contracts else "Service level report")
    body = [f"<h1>{esc(title)}</h1>"]
    if history.periods:
        body.append(f"<p>History: {len(history.periods):,} periods, {esc(history.periods[0].label)} to "
                    f"{esc(history.periods[-1].label)}. Rulesets: {esc(', '.join(labels))}. "
                    f"Amounts in {esc(currency)}; net = credits + withheld − earned back − bonuses "
                    f"(positive: owed to the client).</p>")
    rows = []
    for label, (program, outcome) in rulesets.items():
        t = outcome.totals
        rows.append([(label, False), (outcome.ruleset, False)]
                    + [(fmt_money(v, outcome.digits), True)
                       for v in (t.credits, t.earned_back, t.bonuses, t.withheld, t.net)]
                    + [(f"{len(outcome.terminations):,}", True)])
    body.append(_table(f"Totals over the history ({currency})",
                       ["ruleset", "file", "credits", "earned back", "bonuses", "withheld", "net",
                        "termination rights"],
                       rows, "totals"))
    if len(labels) > 1 and history.periods:
        baseline = labels[-1]
        periods = [p.label for p in history.periods]
        base_nets = [p.totals.net for p in rulesets[baseline][1].periods]
        body.append('<h2 id="difference">Difference per period</h2>')
        body.append(f"<p>Each period's net under each ruleset minus its net under {esc(baseline)}, over the "
                    "same history: above the line the ruleset owes the client more.</p>")
        for label in labels[:-1]:
            nets = [p.totals.net for p in rulesets[label][1].periods]
            body.append(_difference_svg(periods, label, baseline, [n - b for n, b in zip(nets, base_nets)],
                                        currency, digits))

    # credit/bonus curves
    body.append('<h2 id="curves">Credit and bonus curves</h2>')
    body.append("<p>What each service level costs or earns in one period, as a function of its value, in a "
                "typical period of the history (every input at its median). Credits are positive, bonuses "
                "negative; the service level's own caps apply, the period-wide caps do not.</p>")
    names: list[str] = []
    for program, _ in rulesets.values():
        for sl in program.service_levels:
            if sl.name not in names:
                names.append(sl.name)
    total = sum(1 for program, _ in rulesets.values() for _ in program.service_levels)
    done = 0
    for name in names:
        curves, notes, unit, target, titles = [], [], "", None, []
        for label, (program, _) in rulesets.items():
            sl = next((s for s in program.service_levels if s.name == name), None)
            if sl is None:
                continue
            curve = credit_curve(program, history, name)
            done += 1
            if progress is not None:
                progress(done, total)
            curves.append((label, colors[label], curve))
            unit, target = unit or sl.unit, target if target is not None else curve.target
            notes.append(f"{label}: target {sl.target_text}; {curve.note}.")
            if sl.title and sl.title not in titles:
                titles.append(sl.title)
        body.append(f"<h3>{esc(name)}" + (f" — {esc(' / '.join(titles))}" if titles else "") + "</h3>")
        body.append(_curve_svg(name, unit, target, curves, currency))
        body.append("".join(f'<p class="note">{esc(note)}</p>' for note in notes))

    if simulation is not None:
        body += _simulation_section(simulation, [label for label in labels if label in simulation], colors)

    for label, (program, outcome) in rulesets.items():
        body += _review(label, program, outcome, colors[label])

    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{esc(title)}</title>"
            f"<style>\n{STYLE}\n</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
