"""Chart geometry for server-rendered SVG. Templates draw it (so every label is escaped by Jinja)."""

from __future__ import annotations

from dataclasses import dataclass, field

LABEL_MAX = 32


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    text: str


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    kind: str  # "bars" (horizontal, labelled) or "columns" (a time series)
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    max_value: int = 0
    axis_labels: list[tuple[float, str]] = field(default_factory=list)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def bar_chart(
    slug: str, title: str, description: str, items: list[tuple[str, int]], suffix: str = ""
) -> Chart:
    """Horizontal bars, one per item, the label on the left and the value at the end of the bar."""
    label_width, bar_height, gap, width = 220, 22, 8, 640
    room = width - label_width - 60
    peak = max((value for _label, value in items), default=0)
    chart = Chart(slug, title, description, "bars", width, max(len(items), 1) * (bar_height + gap) + gap)
    chart.max_value = peak
    for index, (label, value) in enumerate(items):
        length = room * value / peak if peak else 0
        chart.bars.append(
            Bar(
                _short(label),
                value,
                label_width,
                gap + index * (bar_height + gap),
                length,
                bar_height,
                f"{value}{suffix}",
            )
        )
    return chart


def column_chart(slug: str, title: str, description: str, items: list[tuple[str, int]]) -> Chart:
    """Vertical columns for a time series; every seventh day named on the axis."""
    width, height, bottom, top = 640, 220, 30, 20
    room = height - bottom - top
    step = width / max(len(items), 1)
    peak = max((value for _label, value in items), default=0)
    chart = Chart(slug, title, description, "columns", width, height)
    chart.max_value = peak
    for index, (label, value) in enumerate(items):
        length = room * value / peak if peak else 0
        x = index * step + 2
        chart.bars.append(
            Bar(label, value, x, height - bottom - length, max(step - 4, 1), length, str(value))
        )
        # Every seventh day, counted back from the last, so the newest day is always named
        # and no two labels overlap.
        if (len(items) - 1 - index) % 7 == 0:
            chart.axis_labels.append((x + (step - 4) / 2, label[5:]))
    return chart
