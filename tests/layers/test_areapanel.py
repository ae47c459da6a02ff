"""The area panel as one piece of HTML (layers.areapanel): the month's figures as the series gives them, the
right wording before and after the peak, and every text escaped."""

from __future__ import annotations

import re

from geo.stats import MonthFigures
from layers.areapanel import area_panel_html, figures_html

BEFORE_PEAK = MonthFigures("2014-03", 1234.4, 56.6, 10.0, 1291.0, 1491.0, "2014-02", 1500.0, False, "2014-12", 99999.0)
AT_PEAK = MonthFigures("2014-12", 60000.0, 39999.0, 0.0, 99999.0, 98000.0, "2014-12", 99999.0, True, "2014-12", 99999.0)


def values(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)"><dt class="ismap-fig-label">[^<]*</dt>'
                           r'<dd class="ismap-fig-value">([^<]*)</dd>', html))


def test_the_four_figures_and_their_lines():
    html = figures_html(BEFORE_PEAK)
    assert values(html) == {"iraq": "1,234", "syria": "57", "total": "1,291", "peak": "-209"}
    assert "-200 vs previous month" in html
    assert "Below the highest so far, km²" in html and "Since the peak" not in html
    assert "Highest up to this month: 1,500 km² in 2014-02; the peak, 99,999 km², comes later, in 2014-12." in html
    html = figures_html(AT_PEAK)
    assert values(html)["peak"] == "0" and "+1,999 vs previous month" in html
    assert "Since the peak, km²" in html and "Peak on this map: 99,999 km² in 2014-12." in html


def test_the_panel_escapes_what_it_is_given_and_keeps_the_chart_whole():
    hostile = MonthFigures('2014-03"><img src=x onerror=alert(1)>', 1.0, 2.0, 3.0, 3.0, 3.0,
                           "<b>m</b>", 3.0, False, "<script>", 9.0)
    rows = [{"m": "2014-02", "Iraq": 1, "Syria": 2, "Iraq + Syria": 3, "Abroad": 0},
            {"m": "2014-03", "Iraq": 1, "Syria": 2, "Iraq + Syria": 3, "Abroad": 3}]
    html = area_panel_html(hostile, "<i>March</i> 2014", rows)
    assert "<img src=x" not in html and "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;i&gt;March&lt;/i&gt; 2014: Iraq 1 km², Syria 2 km², enclaves abroad 3 km²." in html
    assert "Area held at the end of &lt;i&gt;March&lt;/i&gt; 2014 on this map" in html
    assert html.count('class="ismap-area-wrap"') == 1 and html.count("data-tip=") == 2  # the chart, one cell a month
