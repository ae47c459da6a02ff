"""Plots per year, stacked by directing province, as a small static SVG (shown as an image: it can run nothing)."""

from __future__ import annotations

from layers.areachart import as_img, nice_step
from layers.escape import escape_text
from layers.palette import OKABE_ITO

WIDTH, HEIGHT = 960, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 230, 14, 28
COLOURS = (OKABE_ITO["reddish_purple"], OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish_green"],
           OKABE_ITO["vermillion"], OKABE_ITO["sky_blue"], OKABE_ITO["yellow"])
OTHER = OKABE_ITO["grey"]


def stack_order(counts: dict[str, dict[str, int]], most: int = len(COLOURS)) -> list[str]:
    """Provinces by total, the `most` largest by name in their own colours; the rest are 'Other provinces'."""
    totals: dict[str, int] = {}
    for by_province in counts.values():
        for province, n in by_province.items():
            totals[province] = totals.get(province, 0) + n
    ranked = sorted(totals, key=lambda p: (-totals[p], p))
    return ranked[:most] + (["Other provinces"] if len(ranked) > most else [])


def plots_chart_svg(counts: dict[str, dict[str, int]], years: list[str], *, title: str) -> str:
    """counts: year -> province -> plots. One bar a year, stacked by province, a legend with totals."""
    order = stack_order(counts)
    keep = set(order) - {"Other provinces"}
    grouped = {year: {} for year in years}
    for year in years:
        for province, n in counts.get(year, {}).items():
            key = province if province in keep else "Other provinces"
            grouped[year][key] = grouped[year].get(key, 0) + n
    top_value = max((sum(v.values()) for v in grouped.values()), default=1) or 1
    step = nice_step(top_value)
    top = max(step, step * -(-top_value // step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar = plot_w / max(len(years), 1)
    colour = {p: (COLOURS[i] if p != "Other provinces" else OTHER) for i, p in enumerate(order)}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
             f"<title>{escape_text(title)}</title>", f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>']
    for value in range(0, top + 1, step):
        y = TOP + plot_h * (1 - value / top)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#444">{value}</text>')
    for i, year in enumerate(years):
        x, base = LEFT + i * bar, 0
        for province in order:
            n = grouped[year].get(province, 0)
            if not n:
                continue
            y0, y1 = TOP + plot_h * (1 - base / top), TOP + plot_h * (1 - (base + n) / top)
            parts.append(f'<rect x="{x + bar * 0.12:.1f}" y="{y1:.1f}" width="{bar * 0.76:.1f}" '
                         f'height="{y0 - y1:.1f}" fill="{colour[province]}"><title>{escape_text(year)}: '
                         f"{n} {escape_text(province)}</title></rect>")
            base += n
        total = sum(grouped[year].values())
        if total:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h * (1 - total / top) - 3:.1f}" '
                         f'text-anchor="middle" fill="#000" font-size="11">{total}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" fill="#444">'
                     f"{escape_text(year)}</text>")
    for i, province in enumerate(order):
        y = TOP + 6 + i * 18
        total = sum(grouped[year].get(province, 0) for year in years)
        parts.append(f'<rect x="{WIDTH - RIGHT + 14}" y="{y - 9}" width="12" height="12" fill="{colour[province]}"/>'
                     f'<text x="{WIDTH - RIGHT + 32}" y="{y + 1}" fill="#000">{escape_text(province)} ({total})</text>')
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["as_img", "plots_chart_svg", "stack_order"]
