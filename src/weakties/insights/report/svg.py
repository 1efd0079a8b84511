"""Small charts as inline SVG, written by hand.

The report needs two shapes (stacked bars by month, and lines by month). matplotlib
would draw them too, but as a runtime dependency of ~40 MB with its font machinery,
an import of about a second, and an SVG of its glyphs as paths (tens of kilobytes per
chart, text that cannot be selected or searched). Here every label is text, escaped,
and a chart is a few kilobytes: the file stays one self-contained page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 40
PALETTE = ("#1f6f8b", "#99c24d", "#c97b63", "#9e9e9e", "#6c4f99", "#e0b43c")


def _scale(top: float) -> float:
    """A round upper bound for the axis (1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return 1.0
    step = 10.0 ** math.floor(math.log10(top))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if top <= step * factor:
            return step * factor
    return float(top)


def _frame(title: str, labels: Sequence[str], top: float, fmt: str) -> list[str]:
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{LEFT + inner_w}" y2="{TOP + inner_h}" '
        'stroke="#444"/>',
    ]
    for k in range(5):
        value = top * k / 4
        y = TOP + inner_h - inner_h * k / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + inner_w}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{fmt.format(value)}</text>'
        )
    every = max(1, math.ceil(len(labels) / 8))
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + inner_w * (i + 0.5) / max(len(labels), 1)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    return parts


def _legend(names: Sequence[str]) -> list[str]:
    out = []
    for k, name in enumerate(names):
        y = TOP + 14 + 18 * k
        x = WIDTH - RIGHT + 14
        out.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>'
            f'<text x="{x + 16}" y="{y}">{escape(name)}</text>'
        )
    return out


def stacked_bars(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> str:
    """Bars per label, one segment per series (None counts as nothing)."""
    totals = [sum(v[i] or 0 for _, v in series) for i in range(len(labels))]
    top = _scale(max(totals, default=0))
    parts = _frame(title, labels, top, "{:g}")
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / max(len(labels), 1)
    for i, label in enumerate(labels):
        base = 0.0
        for k, (name, values) in enumerate(series):
            value = values[i] or 0
            if value <= 0:
                continue
            h = inner_h * value / top
            y = TOP + inner_h - inner_h * base / top - h
            parts.append(
                f'<rect x="{LEFT + slot * i + slot * 0.15:.1f}" y="{y:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{PALETTE[k % len(PALETTE)]}">'
                f"<title>{escape(label)}: {escape(name)} {value:g}</title></rect>"
            )
            base += value
    return "".join([*parts, *_legend([n for n, _ in series]), "</svg>"])


def lines(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    fmt: str = "{:g}",
) -> str:
    """One line per series; a None leaves a gap."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = _scale(max(values, default=0))
    parts = _frame(title, labels, top, fmt)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    for k, (name, vs) in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        points = [
            (LEFT + inner_w * (i + 0.5) / max(len(labels), 1), TOP + inner_h - inner_h * v / top)
            for i, v in enumerate(vs)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        parts += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
            f"<title>{escape(name)}</title></circle>"
            for x, y in points
        ]
    return "".join([*parts, *_legend([n for n, _ in series]), "</svg>"])
