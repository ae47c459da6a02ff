"""Helpers for tests, benchmarks and scripts: a Streamlit server on loopback and Debian's Chromium."""
