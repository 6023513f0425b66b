"""Server-side SVG chart geometry: the template draws the shapes, no script is needed (CSP)."""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dashboard.selectors import HourCounts

# Drawing area of the chart's viewBox, in SVG units; the SVG scales to the card's width.
WIDTH, HEIGHT = 960, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 28
# Stacked from the bottom, in this order; the names are the CSS classes of the bars.
SERIES = ("sent", "failed", "pending")
GRIDLINES = 4


@dataclass
class Bar:
    x: float
    width: float
    label: str  # the hour's local start, e.g. "14:00" ("14:30" where the offset is a half hour)
    title: str  # the hover text with every number
    segments: list[dict] = field(default_factory=list)  # {"series", "y", "height"}
    show_label: bool = False


@dataclass
class HourChart:
    width: int
    height: int
    bars: list[Bar]
    gridlines: list[dict]  # {"y", "label"}
    baseline: float
    left: int
    right_edge: int
    total: int


def _nice_step(value: float) -> int:
    """The smallest of 1, 2, 5 × 10^k that is at least `value`: gridlines at round numbers."""
    value = max(math.ceil(value), 1)
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def hour_chart(hours: list[HourCounts]) -> HourChart:
    """Stacked bars (sent, failed, pending) per hour under labelled gridlines."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = _nice_step(max((hour.total for hour in hours), default=0) / GRIDLINES)
    top = step * GRIDLINES
    slot = plot_width / max(len(hours), 1)
    bars = []
    for index, hour in enumerate(hours):
        label = hour.start.strftime("%H:%M")
        end = timezone.localtime(hour.start + timedelta(hours=1)).strftime("%H:%M")
        bar = Bar(
            x=round(LEFT + index * slot + slot * 0.15, 2),
            width=round(slot * 0.7, 2),
            label=label,
            title=_(
                "%(start)s–%(end)s · %(total)s messages: %(sent)s sent, %(failed)s failed, %(pending)s waiting"
            )
            % {
                "start": label,
                "end": end,
                **{
                    name: number_format(getattr(hour, name), force_grouping=True)
                    for name in ("total", "sent", "failed", "pending")
                },
            },
            show_label=index % 3 == 0,
        )
        y = TOP + plot_height
        for series in SERIES:
            height = plot_height * getattr(hour, series) / top
            if height:
                y -= height
                bar.segments.append(
                    {"series": series, "y": round(y, 2), "height": round(height, 2)}
                )
        bars.append(bar)
    gridlines = [
        {
            "y": round(TOP + plot_height * (1 - line / GRIDLINES), 2),
            "label": number_format(step * line, force_grouping=True),
        }
        for line in range(1, GRIDLINES + 1)
    ]
    return HourChart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        gridlines=gridlines,
        baseline=TOP + plot_height,
        left=LEFT,
        right_edge=WIDTH - RIGHT,
        total=sum(hour.total for hour in hours),
    )
