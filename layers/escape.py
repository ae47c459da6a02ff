"""The one escaping path for text that reaches the page through a template (HTML, JS template literals, Jinja)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

# Characters that end or open something in HTML, JS template literals, or Jinja.
_ENTITY = {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def escape_text(value: object) -> str:
    """Text safe inside HTML, a JS template literal and a Jinja template: escaped, then entity-coded."""
    text = html.escape("" if value is None else str(value), quote=True)
    return "".join(_ENTITY.get(ch, ch) for ch in text)


def _unicode_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


_IN_STRING_UNSAFE = re.compile(r"[<>&{}$`\u2028\u2029]")


def _escape_json_string(match: re.Match[str]) -> str:
    # json.dumps writes a backslash only to open an escape (a quote, a backslash, n, t, uXXXX...) and no character
    # that follows one is unsafe, so every unsafe character in the token is a bare one: rewrite them in one pass.
    return _IN_STRING_UNSAFE.sub(_unicode_escape, match.group(0))


def safe_json(value: Any) -> str:
    """JSON for embedding in a <script> inside a Jinja template: no '<', '{', '$', backtick in any string."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False, sort_keys=True)
    return _JSON_STRING.sub(_escape_json_string, text)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$:])")


def markdown_text(value: object) -> str:
    """Text shown literally by Streamlit's Markdown (labels, captions): every Markdown character escaped."""
    text = "".join(ch for ch in ("" if value is None else str(value)) if ch >= " ")
    return _MARKDOWN.sub(r"\\\1", text)
