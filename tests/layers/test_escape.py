"""The one escaping path: nothing from data can close a tag, a template literal or open a Jinja block."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Template

from layers.escape import escape_text, safe_json

HOSTILE = [
    "<img src=x onerror=alert(1)>", "`; alert(1); `", "${alert(1)}", "{{ 7*7 }}", "{% if 1 %}x{% endif %}",
    "</script><script>alert(1)</script>", "\\`", "\u202eevil", "a\u2028b", "&amp;",
]


def test_escape_text_neutralises_every_breakout():
    for value in HOSTILE:
        out = escape_text(value)
        for bad in ("<", ">", "`", "${", "{{", "{%", "\\"):
            assert bad not in out, (value, out)


@given(st.text())
def test_escape_text_never_leaves_active_characters(value):
    out = escape_text(value)
    assert not set(out) & set("<>`$\\{}\"'")


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
                    max_leaves=12))
def test_safe_json_round_trips_and_has_no_active_characters(value):
    text = safe_json(value)
    assert json.loads(text) == value
    assert "<" not in text and "{{" not in text and "{%" not in text and "`" not in text and "$" not in text
    # A second Jinja pass (what branca does) leaves it unchanged.
    assert Template(text).render() == text


def test_safe_json_in_a_jinja_template_is_inert(tmp_path):
    marker = tmp_path / "marker"
    payload = "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"
    rendered = Template("var x = " + safe_json({"name": payload}) + ";").render()
    rendered_again = Template(rendered).render()
    assert not marker.exists()
    assert json.loads(rendered_again[len("var x = "):-1]) == {"name": payload}


@given(st.text())
def test_markdown_text_escapes_every_markdown_character(value):
    from layers.escape import markdown_text

    out = markdown_text(value)
    for ch in "`*_[]()<>#|~$!":
        assert out.count(ch) == out.count("\\" + ch), (value, out)
