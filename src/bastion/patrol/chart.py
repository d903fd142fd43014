"""A grouped bar chart as a standalone SVG (no plotting library needed)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from collections.abc import Sequence

COLOURS = ("#c0392b", "#2c3e50", "#27ae60", "#8e44ad")


def bar_chart_svg(categories: Sequence[str], series: Mapping[str, Sequence[float]], *, title: str, unit: str) -> str:
    width, height, left, bottom, top = 720, 400, 70, 60, 50
    plot_w, plot_h = width - left - 20, height - bottom - top
    vmax = max([v for vals in series.values() for v in vals] + [1e-9]) * 1.1
    group = plot_w / max(1, len(categories))
    bar = group * 0.8 / max(1, len(series))
    esc = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="#fff"/>',
           f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{esc(title)}</text>']
    for k in range(6):
        v = vmax * k / 5
        y = top + plot_h - plot_h * k / 5
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
    out.append(f'<text x="16" y="{top + plot_h / 2}" transform="rotate(-90 16 {top + plot_h / 2})" '
               f'text-anchor="middle">{esc(unit)}</text>')
    for i, cat in enumerate(categories):
        x0 = left + i * group + group * 0.1
        for s, (name, vals) in enumerate(series.items()):
            h = plot_h * vals[i] / vmax
            x = x0 + s * bar
            out.append(
                f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar * 0.95:.1f}" '
                f'height="{h:.1f}" fill="{COLOURS[s % len(COLOURS)]}"><title>{esc(name)}: {vals[i]:,.1f}</title></rect>'
            )
            out.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_h - h - 4:.1f}" text-anchor="middle" '
                       f'font-size="10">{vals[i]:,.0f}</text>')
        out.append(
            f'<text x="{left + i * group + group / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
            f"{esc(cat)}</text>"
        )
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#333"/>')
    for s, name in enumerate(series):
        x = left + s * 240
        out.append(f'<rect x="{x}" y="{height - 22}" width="12" height="12" fill="{COLOURS[s % len(COLOURS)]}"/>')
        out.append(f'<text x="{x + 16}" y="{height - 12}">{esc(name)}</text>')
    out.append("</svg>")
    return "".join(out)
