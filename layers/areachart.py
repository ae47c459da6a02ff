"""The area-over-time chart as a small static SVG, with a marker at the map date.

Drawn on the server because it changes with every month the map shows: a Vega chart re-rendered on each step
compiled its expressions again each time and grew the page's memory by about 8 kB a step (docs/benchmarks.md);
an SVG is replaced like any other element. Every text in it goes through `escape_text`, and the page shows it
as an image (`as_img`), where an SVG can run nothing at all (Streamlit's st.html also drops inline SVG).
"""

from __future__ import annotations

import base64

from layers.escape import escape_text
from layers.palette import OKABE_ITO, TERRITORY

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Iraq + Syria in the territory colour; the parts and the enclaves abroad in colours no other series uses.
AREA_SERIES = {"Iraq": OKABE_ITO["orange"], "Syria": OKABE_ITO["blue"], "Iraq + Syria": TERRITORY,
               "Abroad": OKABE_ITO["bluish_green"]}
WIDTH, HEIGHT = 960, 250
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 14, 28  # plot margins: y labels left, legend right, x labels below


def chart_rows(series) -> list[dict]:
    """One row a month (whole km²) for the chart, from geo.stats.monthly_area; the keys are AREA_SERIES'."""
    return [{"m": m, "Iraq": round(i), "Syria": round(s), "Iraq + Syria": round(t), "Abroad": round(o)}
            for m, i, s, t, o in zip(series["month"], series["IRQ"], series["SYR"], series["total"], series["other"])]


def nice_step(top: float, ticks: int = 5) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` gridlines up to `top`."""
    raw = max(top, 1) / ticks
    power = 10 ** (len(str(int(raw))) - 1)
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def month_label(month: str) -> str:
    return f"{MONTHS[int(month[5:7]) - 1]} {month[:4]}"


def area_chart_svg(rows: list[dict], series: dict[str, str], month: str, *, title: str) -> str:
    """rows: one dict a month, {"m": "YYYY-MM", <series name>: km², ...}, in month order.
    series: name -> colour, drawn in that order. month: where the marker goes."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    months = [row["m"] for row in rows]
    step = nice_step(max((row[name] for row in rows for name in series), default=1))
    top = max(step, step * -(-max((row[name] for row in rows for name in series), default=1) // step))

    def x(i: int) -> float:
        return LEFT + plot_w * i / max(len(months) - 1, 1)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
           f'height="{HEIGHT}" role="img" aria-label="{escape_text(title)}" style="font: 12px sans-serif">',
           f"<title>{escape_text(title)}</title>"]
    for value in range(0, int(top) + 1, step):
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                   f'stroke="#ddd"/><text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
                   f'fill="#444">{value:,}</text>')
    years = [i for i, m in enumerate(months) if m.endswith("-01")]
    every = 1 if len(years) <= 8 else 2
    for i in years[::every]:
        out.append(f'<line x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 4}" '
                   f'stroke="#888"/><text x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
                   f'fill="#444">{escape_text(months[i][:4])}</text>')
    out.append(f'<text x="14" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 14 {TOP + plot_h / 2:.0f})" '
               f'text-anchor="middle" fill="#444">km² held</text>')
    for n, (name, colour) in enumerate(series.items()):
        points = " ".join(f"{x(i):.1f},{y(row[name]):.1f}" for i, row in enumerate(rows))
        out.append(f'<polyline class="ismap-series" points="{points}" fill="none" stroke="{escape_text(colour)}" '
                   f'stroke-width="2"><title>{escape_text(name)}</title></polyline>')
        ly = TOP + 10 + 18 * n
        out.append(f'<line x1="{WIDTH - RIGHT + 16}" x2="{WIDTH - RIGHT + 36}" y1="{ly}" y2="{ly}" '
                   f'stroke="{escape_text(colour)}" stroke-width="3"/><text x="{WIDTH - RIGHT + 42}" '
                   f'y="{ly + 4}" fill="#222">{escape_text(name)}</text>')
    if month in months:
        mx = x(months.index(month))
        out.append(f'<g class="ismap-marker" data-month="{escape_text(month)}"><line x1="{mx:.1f}" x2="{mx:.1f}" '
                   f'y1="{TOP}" y2="{TOP + plot_h}" stroke="#000" stroke-width="1.5"/>'
                   f'<text x="{mx + (4 if mx < LEFT + plot_w * 0.8 else -4):.1f}" y="{TOP + 10}" '
                   f'text-anchor="{"start" if mx < LEFT + plot_w * 0.8 else "end"}" fill="#000" font-weight="700">'
                   f"{escape_text(month_label(month))}</text></g>")
    out.append("</svg>")
    return "".join(out)


def as_img(svg: str, alt: str, month: str, css_class: str = "ismap-area-chart") -> str:
    """The chart as an <img> with a data: URI, its description in `alt` (escaped)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img class="{escape_text(css_class)}" data-month="{escape_text(month)}" alt="{escape_text(alt)}" '
            f'src="data:image/svg+xml;base64,{data}" style="width: 100%; max-width: {WIDTH}px; height: auto">')


_HOVER_CSS = (
    ".ismap-area-wrap{position:relative;max-width:%dpx}"
    ".ismap-area-hover{position:absolute;display:flex}"
    ".ismap-area-hover>span{flex:1 1 0;position:relative}"
    ".ismap-area-hover>span:hover{background:rgba(0,0,0,.07);box-shadow:inset 0 0 0 1px rgba(0,0,0,.25)}"
    ".ismap-area-hover>span:hover::after{content:attr(data-tip);position:absolute;bottom:100%%;left:50%%;"
    "transform:translateX(-50%%);white-space:pre;background:#222;color:#fff;font:12px/1.35 sans-serif;"
    "padding:4px 7px;border-radius:3px;z-index:3;pointer-events:none}"
    ".ismap-area-hover>span.r:hover::after{left:auto;right:0;transform:none}"
    ".ismap-area-hover>span.l:hover::after{left:0;transform:none}"
) % WIDTH


def hover_tip(row: dict, series: dict[str, str]) -> str:
    """A month's values as the chart's hover shows them: the month, then one 'name: N km²' line a series."""
    return "\n".join([month_label(row["m"]), *(f"{name}: {row[name]:,} km²" for name in series)])


def chart_with_hover(svg: str, rows: list[dict], series: dict[str, str], alt: str, month: str) -> str:
    """The chart image with a strip of cells over it, one a month, each showing that month's values on hover
    (CSS only: st.html runs no script). The cells are centred on the chart's points and sized in percent, so
    they stay on their months at any width; every value is escaped."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    cell = plot_w / max(len(rows) - 1, 1)
    box = (f"left:{100 * (LEFT - cell / 2) / WIDTH:.4f}%;width:{100 * (plot_w + cell) / WIDTH:.4f}%;"
           f"top:{100 * TOP / HEIGHT:.4f}%;height:{100 * plot_h / HEIGHT:.4f}%")
    cells = []
    for i, row in enumerate(rows):
        side = ' class="r"' if i > 0.8 * len(rows) else ' class="l"' if i < 0.1 * len(rows) else ""
        tip = escape_text(hover_tip(row, series)).replace("\n", "&#10;")
        cells.append(f'<span{side} data-month="{escape_text(row["m"])}" data-tip="{tip}"></span>')
    return (f"<style>{_HOVER_CSS}</style><div class=\"ismap-area-wrap\">{as_img(svg, alt, month)}"
            f'<div class="ismap-area-hover" style="{box}" aria-hidden="true">{"".join(cells)}</div></div>')
