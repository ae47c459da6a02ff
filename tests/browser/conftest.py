"""A real Streamlit server on loopback for browser tests (helpers live in devtools/browser.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A viewport that holds the whole map, as on a laptop or a projector."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}
