"""Key events: bookmarks on the time bar, each a dated fact the layers already hold (so each has its sources).

A bookmark names a record and what about it to mark: when IS took a place or lost it (the first start or the
last end of the place's IS-held intervals), a plot's date, or a branch's event. The date, its precision and the
sources come from the record, never from here; only the label is written here, in neutral words. A bookmark
whose record is missing is left out and logged (the map still opens), or raises with `strict=True`, which the
tests use on the bundled data so a renamed id cannot leave a silent gap.
"""

from __future__ import annotations

import logging
from typing import Literal, NamedTuple

import geopandas as gpd

Kind = Literal["taken", "lost", "plot", "event"]


class KeyEvent(NamedTuple):
    kind: Kind
    record: str  # a territory place id, a plot id, or a branch event as "province id/date" (events carry no id)
    label: str


KEY_EVENTS: tuple[KeyEvent, ...] = (
    KeyEvent("taken", "iq-fallujah", "IS and allied insurgents take Fallujah"),
    KeyEvent("taken", "sy-raqqa", "IS takes Raqqa"),
    KeyEvent("taken", "iq-mosul", "IS takes Mosul"),
    KeyEvent("event", "central/2014-06-29", "IS proclaims a caliphate"),
    KeyEvent("taken", "iq-sinjar", "IS takes Sinjar"),
    KeyEvent("lost", "sy-kobani-east", "Kurdish forces retake Kobani"),
    KeyEvent("lost", "iq-tikrit", "Iraqi forces retake Tikrit"),
    KeyEvent("taken", "iq-ramadi", "IS takes Ramadi"),
    KeyEvent("taken", "sy-palmyra", "IS takes Palmyra"),
    KeyEvent("plot", "2015-paris", "Paris attacks"),
    KeyEvent("plot", "2016-brussels", "Brussels bombings"),
    KeyEvent("lost", "iq-fallujah", "Iraqi forces retake Fallujah"),
    KeyEvent("lost", "sy-manbij", "SDF forces take Manbij"),
    KeyEvent("lost", "ly-sirte", "Libyan forces retake Sirte"),
    KeyEvent("taken", "ph-marawi", "IS-aligned fighters take Marawi"),
    KeyEvent("lost", "iq-mosul", "Iraqi forces retake Mosul"),
    KeyEvent("lost", "sy-raqqa", "SDF forces take Raqqa"),
    KeyEvent("event", "iraq/2017-12", "Iraq declares victory over IS"),
    KeyEvent("lost", "sy-baghuz", "SDF forces take Baghuz, the last IS-held village"),
    KeyEvent("plot", "2019-colombo", "Sri Lanka Easter bombings"),
    KeyEvent("event", "central-africa/2020-08-12", "Insurgents take Mocímboa da Praia"),
    KeyEvent("plot", "2024-kerman", "Kerman bombings"),
    KeyEvent("plot", "2024-krasnogorsk", "Crocus City Hall attack"),
)


class MissingRecord(LookupError):
    pass


def _place_dates(territory: gpd.GeoDataFrame, place: str, kind: Kind) -> tuple[str, str, list[str]]:
    rows = territory[(territory["place_id"] == place) & (territory["zone"] != "between")]
    if kind == "taken":
        rows = rows[rows["start"].notna()].sort_values("start")
        if rows.empty:
            raise MissingRecord(f"key event: no IS-held interval with a start for place '{place}'")
        row = rows.iloc[0]
        return row["start"], row["start_precision"], list(row["refs"])
    rows = rows[rows["end"].notna()].sort_values("end")
    if rows.empty:
        raise MissingRecord(f"key event: no IS-held interval with an end for place '{place}'")
    row = rows.iloc[-1]
    return row["end"], row["end_precision"], list(row["refs"])


def _event(affiliates: gpd.GeoDataFrame, record: str) -> tuple[str, str, list[str]]:
    province, _, day = record.partition("/")
    rows = affiliates[affiliates["province_id"] == province]
    found = {(e["date"], e["date_precision"], tuple(e["refs"]), e["detail"])
             for events in rows["events"] for e in (events or []) if e["date"].startswith(day)}
    if len(found) != 1:
        raise MissingRecord(f"key event: {len(found)} events of branch '{province}' on {day}, expected one")
    date_, precision, refs, _ = found.pop()
    return date_, precision, list(refs)


def key_events(frames: dict[str, gpd.GeoDataFrame], *, strict: bool = False) -> list[dict]:
    """The bookmarks in date order: {"date", "precision", "month", "label", "kind", "record", "refs"}."""
    out = []
    for event in KEY_EVENTS:
        try:
            out.append(_resolve(frames, event))
        except MissingRecord as exc:
            if strict:
                raise
            logging.getLogger(__name__).warning("%s: left off the time bar", exc)
    return sorted(out, key=lambda e: (e["date"], e["label"]))


def _resolve(frames: dict[str, gpd.GeoDataFrame], event: KeyEvent) -> dict:
    if event.kind in ("taken", "lost"):
        day, precision, refs = _place_dates(frames["territory"], event.record, event.kind)
    elif event.kind == "plot":
        plots = frames["plots"]
        match = plots[plots["id"] == event.record]
        if match.empty:
            raise MissingRecord(f"key event: no plot '{event.record}'")
        row = match.iloc[0]
        day, precision, refs = row["date"], row["date_precision"], list(row["refs"])
    else:
        day, precision, refs = _event(frames["affiliates"], event.record)
    return {"date": day, "precision": precision, "month": day[:7], "label": event.label,
            "kind": event.kind, "record": event.record, "refs": refs}
