"""A small SVG writer for the reports' charts: bars and a line over labelled periods, no dependency.

    >>> svg = chart("Shrinkage", ["2026-W47", "2026-W48"], bars=[120.0, 40.0], bar_label="value",
    ...             line=[0.97, 0.99], line_label="accuracy")
    >>> svg.startswith("<svg") and "2026-W48" in svg
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

W, H, LEFT, RIGHT, TOP, BOTTOM = 720, 300, 70, 70, 40, 60


def _fmt(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def chart(title: str, labels: Sequence[str], *, bars: Sequence[float], bar_label: str,
          line: Sequence[float | None], line_label: str) -> str:
    """Bars (left axis, from zero) and a line of ratios 0..1 (right axis, in %), one point per label."""
    n = max(len(labels), 1)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    top = max([*bars, 0.0]) or 1.0
    step = plot_w / n
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
           f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
           f'<title>{escape(title)}</title>',
           f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>',
           f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{W - RIGHT}" y2="{TOP + plot_h}" stroke="#333"/>',
           f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#333"/>',
           f'<line x1="{W - RIGHT}" y1="{TOP}" x2="{W - RIGHT}" y2="{TOP + plot_h}" stroke="#333"/>']
    for i in range(5):
        frac = i / 4
        y = TOP + plot_h - frac * plot_h
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#b33">{_fmt(top * frac)}</text>')
        out.append(f'<text x="{W - RIGHT + 6}" y="{y + 4:.1f}" fill="#236">{int(frac * 100)} %</text>')
    for i, (label, value) in enumerate(zip(labels, bars, strict=False)):
        x = LEFT + i * step
        h = value / top * plot_h
        out.append(f'<rect x="{x + step * 0.15:.1f}" y="{TOP + plot_h - h:.1f}" width="{step * 0.7:.1f}" '
                   f'height="{h:.1f}" fill="#d77"><title>{escape(label)}: {escape(_fmt(value))}</title></rect>')
        out.append(f'<text x="{x + step / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{escape(label)}</text>')
    points = [(LEFT + (i + 0.5) * step, TOP + plot_h - v * plot_h) for i, v in enumerate(line) if v is not None]
    if points:
        out.append('<polyline fill="none" stroke="#236" stroke-width="2" points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        out.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#236"/>' for x, y in points)
    out.append(f'<rect x="{LEFT}" y="{H - 22}" width="12" height="10" fill="#d77"/>'
               f'<text x="{LEFT + 16}" y="{H - 13}">{escape(bar_label)} (left axis)</text>')
    out.append(f'<line x1="{LEFT + 260}" y1="{H - 17}" x2="{LEFT + 280}" y2="{H - 17}" stroke="#236" stroke-width="2"/>'
               f'<text x="{LEFT + 286}" y="{H - 13}">{escape(line_label)} (right axis)</text>')
    out.append("</svg>")
    return "\n".join(out)
