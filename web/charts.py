"""Small bar charts drawn on the server as SVG: no JavaScript, no chart library, no CDN.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says in words what
the bars show (screen readers read those; the page puts a table with every number beside
it). Colours come from classes in report.css, never from style attributes: the page's CSP
(web/security.py) allows no inline styles. Every text is escaped here, since the result is
marked safe for Jinja.
"""
from __future__ import annotations

import math

from markupsafe import Markup, escape

WIDTH = 640
BAR_GAP = 6
LEFT = 44          # room for the y-axis numbers
LABEL_ROOM = 230   # room for an article's title left of its bar


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" focusable="false">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>' + "".join(body) + "</svg>")


def nice_max(value: int) -> int:
    """A round top for the axis: 7 -> 10, 23 -> 25, 180 -> 200."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return math.ceil(step * magnitude)
    return 10 * magnitude


def stacked_columns(chart_id: str, title: str, desc: str, labels: list[str],
                    series: list[tuple[str, str, list[int]]], height: int = 260) -> Markup:
    """One column per label, stacked by series (name, css class, values)."""
    top, bottom = 16, 40
    plot_h = height - top - bottom
    totals = [sum(values[i] for _, _, values in series) for i in range(len(labels))]
    peak = nice_max(max(totals, default=0))
    slot = (WIDTH - LEFT - 8) / max(1, len(labels))
    bar_w = max(4.0, slot - BAR_GAP)
    body = [(f'<g class="axis"><line x1="{LEFT}" y1="{top + plot_h}" x2="{WIDTH - 4}" '
            f'y2="{top + plot_h}"/>')]
    for tick in (0, peak // 2, peak) if peak >= 2 else (0, peak):
        y = top + plot_h - plot_h * tick / peak
        body.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>'
                    f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - 4}" y2="{y:.1f}"/>')
    body.append("</g>")
    every = max(1, math.ceil(len(labels) / 10))          # at most ten labels under the axis
    for i, label in enumerate(labels):
        x = LEFT + i * slot + BAR_GAP / 2
        y = top + plot_h
        for name, css, values in series:
            h = plot_h * values[i] / peak
            if h > 0:
                y -= h
                body.append(f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                            f'height="{h:.1f}"><title>{escape(label)}: {values[i]} '
                            f'{escape(name.lower())}</title></rect>')
        if i % every == 0:
            body.append(f'<text class="label" x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" '
                        f'text-anchor="middle">{escape(label)}</text>')
    return _svg(chart_id, title, desc, height, body)


def share_bar(chart_id: str, title: str, desc: str,
              parts: list[tuple[str, str, int]], height: int = 70) -> Markup:
    """One bar split into the parts' shares (name, css class, count), each with its percent."""
    total = sum(n for _, _, n in parts)
    body, x = [], 0.0
    for name, css, n in parts:
        w = (WIDTH - 2) * n / total if total else 0
        if w <= 0:
            continue
        share = round(100 * n / total)
        body.append(f'<rect class="{css}" x="{x + 1:.1f}" y="8" width="{w:.1f}" height="30">'
                    f'<title>{escape(name)}: {n} ({share} %)</title></rect>')
        if w > 60:
            body.append(f'<text class="on-bar" x="{x + w / 2 + 1:.1f}" y="28" '
                        f'text-anchor="middle">{share} %</text>')
        x += w
    if not total:
        body.append('<text x="4" y="28">Ingen spørgsmål i perioden</text>')
    return _svg(chart_id, title, desc, height, body)


def bars(chart_id: str, title: str, desc: str, items: list[tuple[str, int]],
         css: str = "bar", row: int = 26) -> Markup:
    """Horizontal bars, one per (label, value), the label left and the value right of it."""
    height = max(row, row * len(items)) + 8
    peak = max((v for _, v in items), default=0) or 1
    room = WIDTH - LABEL_ROOM - 48
    body = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        short = label if len(label) <= 30 else label[:29] + "…"
        w = room * value / peak
        body.append(f'<text x="{LABEL_ROOM - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end">'
                    f'{escape(short)}</text>'
                    f'<rect class="{css}" x="{LABEL_ROOM}" y="{y + 3}" width="{max(w, 1):.1f}" '
                    f'height="{row - 8}"><title>{escape(label)}: {value}</title></rect>'
                    f'<text x="{LABEL_ROOM + w + 6:.1f}" y="{y + row / 2 + 4:.1f}">{value}</text>')
    if not items:
        body.append('<text x="4" y="18">Ingen i perioden</text>')
    return _svg(chart_id, title, desc, height, body)
