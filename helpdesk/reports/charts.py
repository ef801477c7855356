"""The dashboard's pictures: four chart kinds as server-rendered SVG, from one small module.

Why not a library: the charting libraries that render SVG on the server (pygal, matplotlib)
either need JavaScript for their tooltips and legends (pygal) or draw text as paths without
``<title>``/``<desc>`` for screen readers and weigh tens of megabytes (matplotlib). Our four
kinds (bar, stacked bar, line, histogram) are some hundred lines of SVG: every picture has
``role="img"``, a ``<title>`` and a ``<desc>`` naming the figures, draws in ``currentColor``
shades that print in black and white, and its numbers go beside it as a table (``rows``).

A ``Chart`` holds the data; ``svg(chart)`` draws it; all text is escaped.
"""

from dataclasses import dataclass, field
from itertools import count

from markupsafe import Markup, escape

KINDS = ("bar", "stacked", "line", "histogram")

#: Fill colours that differ in lightness too, so a black-and-white print tells them apart.
PALETTE = ("#1f4e79", "#c55a11", "#7f7f7f", "#2e7d32", "#6a1b9a", "#b8860b", "#00838f")

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 48

_ids = count(1)


@dataclass
class Series:
    name: str
    values: list[float]


@dataclass
class Chart:
    """One figure: ``labels`` along the x axis, one or more ``series`` of numbers (one per
    label). ``unit`` follows the numbers in the description and the table."""

    kind: str
    title: str
    labels: list[str]
    series: list[Series]
    description: str = ""
    unit: str = ""
    key: str = ""
    notes: list = field(default_factory=list)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}; one of {KINDS}")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(f"series {series.name!r} has not one value per label")

    @property
    def rows(self) -> list[list]:
        """The numbers as table rows: the label, then each series' value."""
        return [
            [label, *(series.values[i] for series in self.series)]
            for i, label in enumerate(self.labels)
        ]

    @property
    def total(self) -> float:
        return sum(sum(series.values) for series in self.series)

    def summary(self) -> str:
        """A sentence for screen readers: each series' values by label."""
        parts = []
        for series in self.series:
            values = ", ".join(
                f"{label}: {_number(value)}{self.unit}"
                for label, value in zip(self.labels, series.values, strict=True)
            )
            parts.append(f"{series.name}: {values}" if len(self.series) > 1 else values)
        text = "; ".join(parts)
        return f"{self.description} {text}".strip() if self.description else text


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


def _nice_top(value: float) -> float:
    """The axis' top: the next of 1, 2, 5 x a power of ten at or above ``value``."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def svg(chart: Chart) -> Markup:
    """The chart as an inline ``<svg>`` element (escaped, accessible, no script)."""
    uid = f"chart-{chart.key or 'c'}-{next(_ids)}"
    if chart.kind in ("stacked", "histogram"):
        top = max(
            (sum(s.values[i] for s in chart.series) for i in range(len(chart.labels))), default=0
        )
    else:
        top = max((max(s.values, default=0) for s in chart.series), default=0)
    top = _nice_top(top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(chart.labels), 1)
    slot = plot_w / n

    def y(value):
        return TOP + plot_h - (value / top) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{chart.kind}" role="img"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{uid}-t {uid}-d">',
        f'<title id="{uid}-t">{escape(chart.title)}</title>',
        f'<desc id="{uid}-d">{escape(chart.summary())}</desc>',
    ]
    # the axis and three grid lines with their values
    for fraction in (0, 0.5, 1):
        gy = y(top * fraction)
        parts.append(
            f'<line x1="{LEFT}" y1="{gy:.1f}" x2="{WIDTH - RIGHT}" y2="{gy:.1f}"'
            ' stroke="#bbb" stroke-width="1"/>'
            f'<text x="{LEFT - 4}" y="{gy + 4:.1f}" text-anchor="end" font-size="11">'
            f"{_number(top * fraction)}</text>"
        )
    if chart.kind == "line":
        parts += _lines(chart, y, slot)
    else:
        parts += _bars(chart, y, slot)
    # labels: at most about twelve, so a month of days stays readable
    every = max(1, -(-len(chart.labels) // 12))
    for i, label in enumerate(chart.labels):
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle"'
                f' font-size="11">{escape(label)}</text>'
            )
    if len(chart.series) > 1:
        parts += _legend(chart)
    parts.append("</svg>")
    return Markup("".join(parts))


def _bars(chart: Chart, y, slot) -> list[str]:
    """Bars of several series stand side by side (``bar``) or on each other (the others)."""
    gap = 0 if chart.kind == "histogram" else slot * 0.2
    beside = chart.kind == "bar" and len(chart.series) > 1
    width = (slot - gap) / len(chart.series) if beside else slot - gap
    parts = []
    for i in range(len(chart.labels)):
        base = 0.0
        for s, series in enumerate(chart.series):
            value = series.values[i]
            if value <= 0:
                continue
            x = LEFT + slot * i + gap / 2 + (width * s if beside else 0)
            parts.append(
                f'<rect x="{x:.1f}" y="{y(base + value):.1f}" width="{width:.1f}"'
                f' height="{y(base) - y(base + value):.1f}" fill="{PALETTE[s % len(PALETTE)]}"'
                ' stroke="#fff" stroke-width="0.5">'
                f"<title>{escape(chart.labels[i])}"
                f"{' · ' + escape(series.name) if len(chart.series) > 1 else ''}:"
                f" {_number(value)}{escape(chart.unit)}</title></rect>"
            )
            if not beside:
                base += value
    return parts


def _lines(chart: Chart, y, slot) -> list[str]:
    parts = []
    for s, series in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        points = " ".join(
            f"{LEFT + slot * (i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(series.values)
        )
        dash = ' stroke-dasharray="6 3"' if s % 2 else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
        for i, value in enumerate(series.values):
            parts.append(
                f'<circle cx="{LEFT + slot * (i + 0.5):.1f}" cy="{y(value):.1f}" r="3"'
                f' fill="{colour}"><title>{escape(chart.labels[i])} · {escape(series.name)}:'
                f" {_number(value)}{escape(chart.unit)}</title></circle>"
            )
    return parts


def _legend(chart: Chart) -> list[str]:
    parts, x = [], LEFT
    for s, series in enumerate(chart.series):
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10"'
            f' fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 9}" font-size="11">{escape(series.name)}</text>'
        )
        x += 24 + 7 * len(series.name)
    return parts
