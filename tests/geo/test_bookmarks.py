"""Key events on the time bar: each resolves to a record of the bundled data, with its date and sources."""

from __future__ import annotations

import logging

import pytest

from geo.bookmarks import KEY_EVENTS, KeyEvent, MissingRecord, key_events
from geo.export import load_layer
from geo.paths import GEOJSON


@pytest.fixture(scope="module")
def frames():
    return {layer: load_layer(layer, GEOJSON) for layer in ("territory", "affiliates", "plots")}


def test_every_key_event_resolves_to_a_dated_sourced_record(frames):
    events = key_events(frames, strict=True)
    assert len(events) == len(KEY_EVENTS)
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    references = set(load_layer("territory", GEOJSON)["refs"].explode()) | set(frames["plots"]["refs"].explode()) | {
        r for events_ in frames["affiliates"]["events"] for e in events_ or [] for r in e["refs"]}
    for event in events:
        assert event["refs"] and set(event["refs"]) <= references, event
        assert event["month"] == event["date"][:7] and event["precision"] in ("day", "month", "year")
    by_label = {e["label"]: e for e in events}
    # The dates are the records', not written here: Mosul's IS interval runs from 10 June 2014 to 10 July 2017.
    mosul = frames["territory"]
    mosul = mosul[(mosul["place_id"] == "iq-mosul") & (mosul["zone"] != "between")]
    assert by_label["IS takes Mosul"]["date"] == mosul["start"].min() == "2014-06-10"
    assert by_label["Iraqi forces retake Mosul"]["date"] == mosul["end"].max() == "2017-07-10"
    plots = frames["plots"].set_index("id")
    assert by_label["Paris attacks"]["date"] == plots.loc["2015-paris", "date"]
    assert by_label["IS proclaims a caliphate"]["date"] == "2014-06-29"


def test_a_missing_record_is_left_out_with_a_warning_or_raises_when_strict(frames, monkeypatch, caplog):
    import geo.bookmarks as bookmarks

    monkeypatch.setattr(bookmarks, "KEY_EVENTS", (*KEY_EVENTS, KeyEvent("taken", "iq-nowhere", "Nothing"),
                                                  KeyEvent("plot", "1999-none", "No plot"),
                                                  KeyEvent("event", "central/1990-01", "No event")))
    with caplog.at_level(logging.WARNING):
        events = bookmarks.key_events(frames)
    assert len(events) == len(KEY_EVENTS)
    assert "iq-nowhere" in caplog.text and "1999-none" in caplog.text and "central" in caplog.text
    with pytest.raises(MissingRecord, match="iq-nowhere"):
        bookmarks.key_events(frames, strict=True)
