"""Server-side SVG charts: they print, work without JavaScript and scale with the page. Each is an
image with a title and a description; the page puts the figure's data table right after it, which is
the accessible version (WCAG 1.1.1) and the one keyboard and screen-reader users read.

Series differ by dash pattern and marker shape as well as colour, so no reader depends on colour
(WCAG 1.4.1); every colour has at least 3:1 contrast against white (1.4.11).
"""

import datetime as dt
import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ["#0062ba", "#a6310b", "#1a7a3a", "#6b2c91"]
DASHES = ["", "6 3", "2 3", "8 3 2 3"]
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _ticks(top: float, count: int = 5) -> list[float]:
    return [top * i / count for i in range(count + 1)]


def _label(value: float, share: bool) -> str:
    if share:
        return f"{value * 100:.0f} %"
    return f"{value:,.0f}".replace(",", " ") if value >= 1 or value == 0 else f"{value:g}"


def _frame(chart_id: str, title: str, description: str, body: list[str], height: int = HEIGHT) -> SafeString:
    return mark_safe(
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(body) + "</svg>")


def _y_axis(top: float, plot_height: int, share: bool) -> list[str]:
    parts = []
    for tick in _ticks(top):
        y = TOP + plot_height - plot_height * tick / top
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{_label(tick, share)}</text>')
    return parts


def line_chart(chart_id: str, *, title: str, description: str, x_values: list, series: list[tuple[str, list]],
               step: bool = False, markers: list[tuple[object, str]] = (), share: bool = False) -> SafeString:
    """Lines over x (years as ints, or dates), one per (label, values) series; None values are skipped.
    `step` draws a cumulative step line; `markers` are labelled vertical lines (e.g. publication)."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    numeric = [_x(value) for value in x_values]
    marker_xs = [_x(value) for value, _text in markers]
    low, high = min(numeric + marker_xs, default=0), max(numeric + marker_xs, default=1)
    if low == high:
        low, high = low - 1, high + 1
    # At least 5, so that counts get whole-number ticks (top / 5 each).
    top = _nice_max(max([5.0] + [v for _l, values in series for v in values if v is not None]))
    if share:
        top = 1.0

    def px(value) -> float:
        return LEFT + plot_width * (_x(value) - low) / (high - low)

    def py(value) -> float:
        return TOP + plot_height - plot_height * value / top

    body = _y_axis(top, plot_height, share)
    for value in _x_ticks(x_values, low, high):
        body.append(f'<text class="tick" x="{px(value):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
                    f'{escape(_x_text(value))}</text>')
    for value, text in markers:
        x = px(value)
        # Labels near the right edge go to the left of their line, so they are not cut off.
        anchor, shift = ("end", -4) if x > LEFT + plot_width * 0.7 else ("start", 4)
        body.append(f'<line class="marker" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_height}"/>'
                    f'<text class="marker-label" x="{x + shift:.1f}" y="{TOP + 12}" text-anchor="{anchor}">'
                    f'{escape(text)}</text>')
    for number, (label, values) in enumerate(series):
        points = [(px(x), py(y)) for x, y in zip(x_values, values, strict=True) if y is not None]
        if not points:
            continue
        if step:
            stepped = [points[0]]
            for x, y in points[1:]:
                stepped += [(x, stepped[-1][1]), (x, y)]
            points = [(px(low) if low < _x(x_values[0]) else points[0][0], py(0)), *stepped]
        colour, dash = COLOURS[number % 4], DASHES[number % 4]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="series" fill="none" stroke="{colour}" stroke-width="2.5" '
                    f'stroke-dasharray="{dash}" points="{path}"><title>{escape(label)}</title></polyline>')
        if not step:
            body += [_marker(number, x, y, colour) for x, y in points]
    bottom = TOP + plot_height
    body.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}"/>')
    return _frame(chart_id, title, description, body)


def _marker(number: int, x: float, y: float, colour: str) -> str:
    shape = number % 4
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    if shape == 1:
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape == 2:
        corners = [(x, y - 4.5), (x + 4.5, y + 3.5), (x - 4.5, y + 3.5)]
    else:
        corners = [(x, y - 4.5), (x + 4.5, y), (x, y + 4.5), (x - 4.5, y)]
    path = " L".join(f"{a:.1f},{b:.1f}" for a, b in corners)
    return f'<path d="M{path} Z" fill="{colour}"/>'


def _x(value) -> float:
    return value.toordinal() if isinstance(value, dt.date) else float(value)


def _x_text(value) -> str:
    return str(value.year) if isinstance(value, dt.date) else str(int(value))


def _x_ticks(x_values: list, low: float, high: float) -> list:
    if x_values and isinstance(x_values[0], dt.date):
        first, last = dt.date.fromordinal(int(low)).year, dt.date.fromordinal(int(high)).year
        years = list(range(first + 1, last + 1)) or [first]
        every = max(1, math.ceil(len(years) / 8))
        return [dt.date(year, 1, 1) for year in years[::every]]
    every = max(1, math.ceil(len(x_values) / 12))
    return x_values[::every]


def legend(series: list[str]) -> SafeString:
    """An HTML legend (readable, translatable, printable) matching the chart's series styles."""
    items = []
    for number, label in enumerate(series):
        colour, dash = COLOURS[number % 4], DASHES[number % 4]
        items.append(f'<li><svg width="36" height="12" aria-hidden="true" focusable="false">'
                     f'<line x1="2" x2="34" y1="6" y2="6" stroke="{colour}" stroke-width="2.5" '
                     f'stroke-dasharray="{dash}"/>'
                     f'{_marker(number, 18, 6, colour)}</svg> {escape(label)}</li>')
    return mark_safe('<ul class="chart-legend">' + "".join(items) + "</ul>")


def bar_chart(chart_id: str, *, title: str, description: str, labels: list[str],
              series: list[tuple[str, list]], share: bool = True) -> SafeString:
    """Grouped horizontal bars: one group per label, one bar per series; values 0–1 when `share`."""
    bar, gap = 12, 14
    group_height = bar * len(series) + gap
    left = 230
    height = TOP + group_height * len(labels) + BOTTOM
    plot_width = WIDTH - left - RIGHT
    top = 1.0 if share else _nice_max(max((v for _l, values in series for v in values if v is not None), default=0))
    body = []
    for tick in _ticks(top):
        x = left + plot_width * tick / top
        body.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{height - BOTTOM}"/>'
                    f'<text class="tick" x="{x:.1f}" y="{height - BOTTOM + 16}" text-anchor="middle">'
                    f'{_label(tick, share)}</text>')
    for row, label in enumerate(labels):
        y0 = TOP + row * group_height
        body.append(f'<text class="tick" x="{left - 8}" y="{y0 + group_height / 2:.1f}" text-anchor="end">'
                    f'{escape(label[:36])}</text>')
        for number, (name, values) in enumerate(series):
            value = values[row]
            if value is None:
                continue
            y = y0 + number * bar
            width = plot_width * value / top
            body.append(f'<rect x="{left}" y="{y:.1f}" width="{width:.1f}" height="{bar - 2}" '
                        f'fill="{COLOURS[number % 4]}" class="bar-{number % 4}"><title>{escape(name)}: '
                        f'{_label(value, share)}</title></rect>')
    return _frame(chart_id, title, description, body, height)
