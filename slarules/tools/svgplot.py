"""SVG plots for the HTML report: pixel geometry, axes, ticks and marks.

Input: numbers already computed exactly elsewhere, turned into floats only to
place them on the canvas; nothing here decides a KPI value or an amount.
Output: SVG markup as strings (`Plot.svg()`), escaped, deterministic.
`nice_step` is exact (Decimal): the report also samples its curves on it.
"""
from __future__ import annotations

import html
import math
from decimal import Decimal
from typing import Sequence

WIDTH = 760


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def nice_step(span: Decimal, count: int) -> Decimal:
    """The step of 1, 2, 2.5 or 5 times a power of ten that cuts span into about count parts;
    exact, since the curves' KPI values are sampled on it."""
    raw = span / max(count, 1)
    if raw <= 0:
        return Decimal(1)
    magnitude = Decimal(1).scaleb(raw.adjusted())  # the power of ten at or below raw
    for factor in (1, 2, Decimal("2.5"), 5):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def px(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Axis ticks: pixel geometry only, so floats; no KPI value or amount is decided here."""
    if high <= low:
        high = low + 1
    step = float(nice_step(Decimal(repr(high - low)), count))
    start = math.floor(low / step + 1e-9)
    ticks = []
    i = start
    while not ticks or ticks[-1] < high - step * 1e-9:
        ticks.append(round(i * step, 10))
        i += 1
    return ticks


def tick_text(value: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    if step * 10 ** decimals != round(step * 10 ** decimals):
        decimals += 1
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


def value_range(values: list[float], include_zero: bool = False) -> tuple[float, float]:
    values = list(values) + ([0.0] if include_zero else [])
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        return low - pad, high + pad
    return low, high


class Plot:
    """A plot area with a linear y axis and a linear or categorical x axis."""

    def __init__(self, height: int, xrange, yrange, xlabel: str, ylabel: str, title: str,
                 bottom_extra: int = 0, categories: Sequence[str] | None = None):
        self.width, self.height = WIDTH, height
        self.left, self.right, self.top = 78, 20, 44
        self.bottom = 48 + bottom_extra
        self.categories = categories
        self.yticks = ticks(*yrange)
        self.ylow, self.yhigh = self.yticks[0], self.yticks[-1]
        if categories is not None:
            self.xlow, self.xhigh = -0.5, len(categories) - 0.5
            self.xticks = []
        else:
            self.xticks = ticks(*xrange)
            self.xlow, self.xhigh = xrange
        self.xlabel, self.ylabel, self.title = xlabel, ylabel, title
        self.parts: list[str] = []

    @property
    def plot_bottom(self) -> float:
        return self.height - self.bottom

    def x(self, value: float) -> float:
        span = (self.xhigh - self.xlow) or 1
        return self.left + (value - self.xlow) / span * (self.width - self.left - self.right)

    def y(self, value: float) -> float:
        span = (self.yhigh - self.ylow) or 1
        return self.top + (self.yhigh - value) / span * (self.plot_bottom - self.top)

    def axes(self) -> None:
        p, left, right = self.parts, self.left, self.width - self.right
        p.append(f'<text x="{px(self.width / 2)}" y="18" text-anchor="middle" class="t">{esc(self.title)}</text>')
        ystep = self.yticks[1] - self.yticks[0] if len(self.yticks) > 1 else 1
        for tick in self.yticks:
            y = self.y(tick)
            p.append(f'<line x1="{px(left)}" y1="{px(y)}" x2="{px(right)}" y2="{px(y)}" class="g"/>')
            p.append(f'<text x="{px(left - 6)}" y="{px(y + 4)}" text-anchor="end">{esc(tick_text(tick, ystep))}</text>')
        bottom = self.plot_bottom
        if self.categories is not None:
            every = max(1, math.ceil(len(self.categories) / 12))
            for i, label in enumerate(self.categories):
                if i % every == 0:
                    x = self.x(i)
                    p.append(f'<line x1="{px(x)}" y1="{px(bottom)}" x2="{px(x)}" y2="{px(bottom + 4)}" class="a"/>')
                    p.append(f'<text x="{px(x)}" y="{px(self.height - self.bottom + 17)}" '
                             f'text-anchor="middle">{esc(label)}</text>')
        else:
            xstep = self.xticks[1] - self.xticks[0] if len(self.xticks) > 1 else 1
            for tick in self.xticks:
                if self.xlow - 1e-9 <= tick <= self.xhigh + 1e-9:
                    x = self.x(tick)
                    p.append(f'<line x1="{px(x)}" y1="{px(self.top)}" x2="{px(x)}" y2="{px(bottom)}" class="g"/>')
                    p.append(f'<text x="{px(x)}" y="{px(bottom + 17)}" text-anchor="middle">'
                             f'{esc(tick_text(tick, xstep))}</text>')
        p.append(f'<line x1="{px(left)}" y1="{px(bottom)}" x2="{px(right)}" y2="{px(bottom)}" class="a"/>')
        p.append(f'<line x1="{px(left)}" y1="{px(self.top)}" x2="{px(left)}" y2="{px(bottom)}" class="a"/>')
        if self.ylow < 0 < self.yhigh:
            y0 = self.y(0)
            p.append(f'<line x1="{px(left)}" y1="{px(y0)}" x2="{px(right)}" y2="{px(y0)}" class="z"/>')
        p.append(f'<text x="{px((left + right) / 2)}" y="{px(self.height - 6)}" text-anchor="middle" '
                 f'class="l">{esc(self.xlabel)}</text>')
        cy = (self.top + bottom) / 2
        p.append(f'<text x="14" y="{px(cy)}" text-anchor="middle" class="l" '
                 f'transform="rotate(-90 14 {px(cy)})">{esc(self.ylabel)}</text>')

    def vline(self, value: float, label: str, color: str, row: int = 0) -> None:
        x = self.x(value)
        self.parts.append(f'<line x1="{px(x)}" y1="{px(self.top)}" x2="{px(x)}" y2="{px(self.plot_bottom)}" '
                          f'stroke="{color}" stroke-width="1.5" stroke-dasharray="5 3"/>')
        anchor = "start" if x < self.width - 120 else "end"
        dx = 3 if anchor == "start" else -3
        self.parts.append(f'<text x="{px(x + dx)}" y="{px(self.top + 11 + 12 * row)}" text-anchor="{anchor}" '
                          f'fill="{color}" class="m">{esc(label)}</text>')

    def hline(self, value: float, label: str, color: str) -> None:
        y = self.y(value)
        right = self.width - self.right
        self.parts.append(f'<line x1="{px(self.left)}" y1="{px(y)}" x2="{px(right)}" y2="{px(y)}" '
                          f'stroke="{color}" stroke-width="1.5" stroke-dasharray="6 3"/>')
        # named in the top margin, right-aligned, so it never hides a data point
        self.parts.append(f'<line x1="{px(right - 150)}" y1="{px(self.top - 13)}" x2="{px(right - 126)}" '
                          f'y2="{px(self.top - 13)}" stroke="{color}" stroke-width="1.5" stroke-dasharray="6 3"/>')
        self.parts.append(f'<text x="{px(right - 122)}" y="{px(self.top - 9)}" fill="{color}" '
                          f'class="m">{esc(label)}</text>')

    def path(self, points: list[tuple[float, float]], color: str, step: bool = False, width: float = 2,
             dash: str | None = None) -> None:
        if not points:
            return
        commands = [f"M{px(self.x(points[0][0]))},{px(self.y(points[0][1]))}"]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            if step and y1 != y0:
                commands.append(f"L{px(self.x(x1))},{px(self.y(y0))}")
            commands.append(f"L{px(self.x(x1))},{px(self.y(y1))}")
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<path d="{" ".join(commands)}" fill="none" stroke="{color}" '
                          f'stroke-width="{width}"{extra} stroke-linejoin="round"/>')

    def legend(self, entries: list[tuple[str, str]]) -> None:
        x = self.left + 8
        for label, color in entries:
            self.parts.append(f'<rect x="{px(x)}" y="{px(self.top - 18)}" width="12" height="10" fill="{color}"/>')
            self.parts.append(f'<text x="{px(x + 16)}" y="{px(self.top - 9)}" class="k">{esc(label)}</text>')
            x += 30 + 7 * len(label)

    def svg(self, description: str) -> str:
        return (f'<svg width="{self.width}" height="{self.height}" '
                f'viewBox="0 0 {self.width} {self.height}" role="img" aria-label="{esc(description)}">'
                f'<title>{esc(description)}</title>' + "".join(self.parts) + "</svg>")
