"""The area panel under the map as one piece of HTML: the month's figures, the chart and its caption.

One element instead of eleven (two captions, four columns, four metrics, the chart): a step sends the panel in
one message, and the server builds it once a month for every session (issue 18: the catch-up after a step).
The figures are laid out like Streamlit's metrics (label, value, a line under it) and wrap to fewer columns on
a narrow window instead of being cut. Every text goes through `escape_text`; st.html runs no script.
"""

from __future__ import annotations

from geo.stats import MonthFigures
from layers.areachart import AREA_SERIES, area_chart_svg, chart_with_hover
from layers.escape import escape_text

CAPTION = ("Area held at the end of {label} on this map (computed from its polygons; published estimates "
           "compared in docs/area-estimates.md).")

_CSS = (
    ".ismap-area-panel{font-family:inherit;color:inherit}"
    ".ismap-area-panel p.ismap-cap{font-size:.875rem;opacity:.72;margin:0 0 .4rem}"
    # Four in a row, or two pairs one above the other, never three and one: two pairs that wrap as wholes.
    ".ismap-figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,23rem),1fr));"
    "gap:.4rem 1rem;margin:0 0 .6rem}"
    ".ismap-area-panel dl.ismap-pair{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.4rem 1rem;"
    "margin:0;padding:0}"
    ".ismap-fig{min-width:0}.ismap-fig dt,.ismap-fig dd{margin:0}"
    ".ismap-fig .ismap-fig-label{font-size:.875rem;opacity:.72;line-height:1.3}"
    ".ismap-fig .ismap-fig-value{font-size:clamp(1.5rem,2.6vw,2.1rem);line-height:1.25;white-space:nowrap}"
    ".ismap-fig .ismap-fig-note{font-size:.8rem;opacity:.72;line-height:1.3}"
)


def _figure(key: str, label: str, value: float, note: str = "") -> str:
    note_html = f'<dd class="ismap-fig-note">{escape_text(note)}</dd>' if note else ""
    return (f'<div class="ismap-fig" data-figure="{escape_text(key)}"><dt class="ismap-fig-label">'
            f'{escape_text(label)}</dt><dd class="ismap-fig-value">{value:,.0f}</dd>{note_html}</div>')


def figures_html(f: MonthFigures) -> str:
    """The four figures of a month: Iraq, Syria, Iraq + Syria (with the change from the month before), and the
    distance from the peak (or, before the peak, from the highest month so far), with the peak spelled out."""
    if f.is_peak:
        last_label, last_note = "Since the peak, km²", f"Peak on this map: {f.peak_total:,.0f} km² in {f.peak_month}."
    else:
        last_label = "Below the highest so far, km²"
        last_note = (f"Highest up to this month: {f.best_total:,.0f} km² in {f.best_month}; the peak, "
                     f"{f.peak_total:,.0f} km², comes later, in {f.peak_month}.")
    return ('<div class="ismap-figs"><dl class="ismap-pair">'
            + _figure("iraq", "Held in Iraq, km²", f.iraq)
            + _figure("syria", "Held in Syria, km²", f.syria)
            + '</dl><dl class="ismap-pair">'
            + _figure("total", "Iraq + Syria, km²", f.total, f"{f.total - f.before:+,.0f} vs previous month")
            + _figure("peak", last_label, f.total - f.best_total, last_note)
            + "</dl></div>")


def area_panel_html(f: MonthFigures, label: str, rows: list[dict]) -> str:
    """The whole panel for one month: caption, figures, the area chart of `rows` (layers.areachart.chart_rows)
    with its line at the month and its hover strip, and the month's line of figures. `label` is the month as
    the page says it ("June 2016")."""
    title = (f"Area held on this map, km², January 2013 to now; the line marks {label}: "
             f"Iraq + Syria {f.total:,.0f} km², peak {f.peak_total:,.0f} km² in {f.peak_month}")
    chart = chart_with_hover(area_chart_svg(rows, AREA_SERIES, f.month, title=title), rows, AREA_SERIES, title,
                             f.month)
    return (f'<style>{_CSS}</style><div class="ismap-area-panel" data-month="{escape_text(f.month)}">'
            f'<p class="ismap-cap">{escape_text(CAPTION.format(label=label))}</p>'
            f"{figures_html(f)}{chart}"
            f'<p class="ismap-cap">{escape_text(label)}: Iraq {f.iraq:,.0f} km², Syria {f.syria:,.0f} km², '
            f"enclaves abroad {f.other:,.0f} km².</p></div>")
