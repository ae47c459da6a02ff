"""The area chart's SVG: one line per series through every month, the marker at the map date, text escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from layers.areachart import LEFT, RIGHT, WIDTH, area_chart_svg, nice_step

ROWS = [{"m": f"{2013 + i // 12}-{i % 12 + 1:02d}", "A": i * 100, "B": 5000 - i * 10} for i in range(48)]
SERIES = {"A": "#D55E00", "B": "#0072B2"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_one_polyline_per_series_through_every_month():
    root = parse(area_chart_svg(ROWS, SERIES, "2014-06", title="t"))
    lines = [e for e in root.iter() if e.tag.endswith("polyline")]
    assert [e.get("stroke") for e in lines] == ["#D55E00", "#0072B2"]
    points = [p.split(",") for p in lines[0].get("points").split()]
    assert len(points) == len(ROWS)
    xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
    assert xs[0] == LEFT and xs[-1] == WIDTH - RIGHT and xs == sorted(xs)
    assert ys == sorted(ys, reverse=True), "a rising series goes up the chart"


@pytest.mark.parametrize("month, index", [("2013-01", 0), ("2014-06", 17), ("2016-12", 47)])
def test_the_marker_sits_at_the_month(month, index):
    svg = area_chart_svg(ROWS, SERIES, month, title="t")
    marker = re.search(r'class="ismap-marker" data-month="([^"]+)"><line x1="([\d.]+)"', svg)
    assert marker.group(1) == month
    expected = LEFT + (WIDTH - LEFT - RIGHT) * index / (len(ROWS) - 1)
    assert abs(float(marker.group(2)) - expected) < 0.06


def test_no_marker_for_a_month_outside_the_series():
    assert "ismap-marker" not in area_chart_svg(ROWS, SERIES, "2030-01", title="t")


def test_gridlines_are_round_and_cover_the_highest_value():
    assert nice_step(96_476) == 20_000 and nice_step(4_700) == 1_000 and nice_step(1) == 1
    root = parse(area_chart_svg(ROWS, SERIES, "2014-06", title="t"))
    labels = [e.text for e in root.iter() if e.tag.endswith("text") and e.text and e.text[0].isdigit()
              and "," in e.text]
    assert labels[-1] == "5,000" and "1,000" in labels


def test_text_is_escaped():
    svg = area_chart_svg([{"m": "2013-01", "<img src=x onerror=alert(1)>": 1}],
                         {"<img src=x onerror=alert(1)>": '"><script>'}, "2013-01", title="{{ 7*7 }} `${x}`")
    assert "<img" not in svg and "<script" not in svg and "{{" not in svg and "${" not in svg
    parse(svg)  # still well-formed


def test_as_img_carries_the_svg_and_an_escaped_description():
    import base64

    from layers.areachart import as_img

    svg = area_chart_svg(ROWS, SERIES, "2014-06", title="t")
    img = as_img(svg, 'Area "held" <b>', "2014-06")
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', img).group(1)
    assert base64.b64decode(data).decode("utf-8") == svg
    assert 'alt="Area &quot;held&quot; &lt;b&gt;"' in img and 'data-month="2014-06"' in img


def test_a_series_of_zeros_still_draws():
    svg = area_chart_svg([{"m": "2013-01", "A": 0}, {"m": "2013-02", "A": 0}], {"A": "#000"}, "2013-02", title="t")
    points = [e for e in parse(svg).iter() if e.tag.endswith("polyline")][0].get("points")
    assert len(points.split()) == 2 and "nan" not in points


def test_plots_chart_stacks_provinces_per_year_and_escapes_names():
    from layers.plotschart import plots_chart_svg, stack_order

    counts = {"2015": {"IS central leadership": 30, "<b>x</b>": 1}, "2016": {"IS central leadership": 40,
                                                                          "Khorasan Province": 2}}
    svg = plots_chart_svg(counts, ["2014", "2015", "2016"], title="t")
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert "IS central leadership (70)" in svg
    assert 'font-size="11">31</text>' in svg and 'font-size="11">42</text>' in svg  # the year totals
    assert stack_order(counts)[0] == "IS central leadership"
    many = {"2015": {f"P{i}": i + 1 for i in range(10)}}
    assert stack_order(many)[-1] == "Other provinces" and len(stack_order(many)) == 8
