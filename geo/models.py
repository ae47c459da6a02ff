"""Typed records of the curated tables: one pydantic model per table row."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from geo.dates import PartialDate, parse_partial_date

Confidence = Literal["high", "medium", "low"]
Link = Literal["directed", "enabled", "inspired", "unknown"]
Outcome = Literal["attack", "failed", "foiled"]
TargetType = Literal["civilians", "police_military", "religious_site", "jewish_community", "transport",
                     "venue_event", "officials", "unknown"]
Evidence = Literal["is_claim", "official", "court", "pledge", "media"]
LegRole = Literal["directed", "trained", "travelled", "based"]
PlaceKind = Literal[
    "city", "town", "village", "district", "dam", "oil_field", "air_base",
    "military_base", "border_crossing", "area",
]
EventKind = Literal["announced", "renamed", "merged", "split", "status", "leader", "other"]
Status = Literal["active", "degraded", "dormant", "defunct", "merged"]
PhaseKind = Literal["affiliated", "active", "degraded", "dormant", "ended"]
PhaseChange = Literal["merged", "split", "renamed"]
EndReason = Literal["merged", "renamed", "split", "defunct"]
Qualifier = Literal["fewer_than", "about", "at_least", "up_to", "more_than"]
Scope = Literal["IRQ", "SYR", "total"]
# Forces other than IS that held a place (territory/others*.csv).
Force = Literal["iraqi_forces", "pmf", "peshmerga", "syrian_government", "sdf_ypg", "syrian_opposition",
                "turkey_sna", "tribal_local", "other"]
Metric = Literal["km2", "pct_lost_since_peak"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_COORD_SOURCE = re.compile(r"^(geonames:\d+|ref:[a-z0-9][a-z0-9-]*|approx:.+)$")


def _clean_text(value: object) -> str:
    text = "" if value is None else str(value)
    if _CONTROL.search(text):
        raise ValueError("contains a control character; retype the text")
    return text.strip()


def _nonempty(text: str) -> str:
    if not text:
        raise ValueError("is empty; this field is required")
    return text


def _split_list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in _clean_text(value).split(";") if part.strip()]


def _partial_date(value: object) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    return parse_partial_date(_clean_text(value))


def _optional_partial_date(value: object) -> PartialDate | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _partial_date(value)


def _optional_number(value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _address(text: str) -> str:
    lowered = text.lower()
    if re.match(r"^[a-z][a-z0-9+.-]*:", lowered) and not lowered.startswith(("http://", "https://")):
        raise ValueError("is not an http(s) address; give a web address or a print citation")
    return text


Text = Annotated[str, BeforeValidator(_clean_text)]
Required = Annotated[str, BeforeValidator(_clean_text), AfterValidator(_nonempty)]
Slug = Annotated[str, BeforeValidator(_clean_text), Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
OptionalSlug = Annotated[str, BeforeValidator(_clean_text), Field(pattern=r"^([a-z0-9][a-z0-9-]*)?$", max_length=80)]
Iso3 = Annotated[str, BeforeValidator(_clean_text), Field(pattern=r"^[A-Z]{3}$")]
TextList = Annotated[list[str], BeforeValidator(_split_list)]
RefList = Annotated[list[str], BeforeValidator(_split_list), Field(min_length=1)]
Date = Annotated[PartialDate, BeforeValidator(_partial_date)]
OptionalDate = Annotated[Optional[PartialDate], BeforeValidator(_optional_partial_date)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Summary = Annotated[str, BeforeValidator(_clean_text), AfterValidator(_nonempty), Field(max_length=800)]
Note = Annotated[str, BeforeValidator(_clean_text), Field(max_length=800)]
Count = Annotated[Optional[Annotated[int, Field(ge=0)]], BeforeValidator(_optional_number)]
OptionalFloat = Annotated[Optional[float], BeforeValidator(_optional_number)]
CoordSource = Annotated[str, BeforeValidator(_clean_text), Field(pattern=_COORD_SOURCE.pattern)]


class Record(BaseModel):
    """Base of every table row: strict columns, no extras."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Reference(Record):
    id: Slug
    title: Required
    publisher: Required
    date: Date
    address: Annotated[str, BeforeValidator(_clean_text), AfterValidator(_nonempty), AfterValidator(_address)]


class Place(Record):
    id: Slug
    name: Required
    aliases: TextList = []
    country: Iso3
    kind: PlaceKind
    lat: Latitude
    lon: Longitude
    coord_source: CoordSource
    radius_km: Annotated[Optional[Annotated[float, Field(gt=0, le=150)]], BeforeValidator(_optional_number)] = None
    note: Note = ""


class ControlInterval(Record):
    id: Slug
    place_id: Slug
    start: Date
    end: OptionalDate = None
    confidence: Confidence
    refs: RefList
    summary: Summary


class OtherHeld(Record):
    """A place held by a force other than IS over an interval: it documents where the line ran."""
    id: Slug
    place_id: Slug
    force: Force
    start: Date
    end: OptionalDate = None
    confidence: Confidence
    refs: RefList
    summary: Summary


class Province(Record):
    id: Slug
    name: Required
    aliases: TextList = []
    announced: Date
    end: OptionalDate = None
    end_reason: Annotated[Optional[EndReason], BeforeValidator(_optional_number)] = None
    successor_id: OptionalSlug = ""
    anchor_name: Required
    anchor_lat: Latitude
    anchor_lon: Longitude
    anchor_note: Required
    regions: TextList = []
    confidence: Confidence
    refs: RefList
    summary: Summary


class Region(Record):
    id: Slug
    country: Iso3
    name: Required
    clip_wkt: Text = ""
    note: Note = ""
    refs: RefList


class ProvinceEvent(Record):
    id: Slug
    province_id: Slug
    date: Date
    event: EventKind
    status_after: Status
    related_id: OptionalSlug = ""
    detail: Summary
    confidence: Confidence
    refs: RefList


class StrengthEstimate(Record):
    id: Slug
    province_id: Slug
    as_of: Date
    low: Count = None
    high: Count = None
    qualifier: Annotated[Optional[Qualifier], BeforeValidator(_optional_number)] = None
    confidence: Confidence
    refs: RefList
    note: Note = ""


class Rival(Record):
    id: Slug
    province_id: Slug
    rival: Required
    start: OptionalDate = None
    end: OptionalDate = None
    refs: RefList
    note: Note = ""


class Phase(Record):
    """What a branch was from `start` until its next phase: affiliated, active, degraded, dormant or ended."""

    id: Slug
    province_id: Slug
    start: Date
    phase: PhaseKind
    change: Annotated[Optional[PhaseChange], BeforeValidator(_optional_number)] = None
    successor_id: OptionalSlug = ""
    detail: Summary
    confidence: Confidence
    refs: RefList


class Area(Record):
    """Where a branch operated from `start` to `end` (exclusive), as regions at the scale the sources support."""

    id: Slug
    province_id: Slug
    start: Date
    end: OptionalDate = None
    regions: TextList = []  # empty: the sources document no ground (the branch is shown at its anchor only)
    note: Note = ""
    confidence: Confidence
    refs: RefList


EvidenceList = Annotated[list[Evidence], BeforeValidator(_split_list), Field(min_length=1)]


class Plot(Record):
    """An external plot or attack (see docs/method-plots.md for what is included and what each field means)."""

    id: Slug
    date: Date
    date_public: OptionalDate = None
    province_id: Slug
    link: Link
    outcome: Outcome
    target_type: TargetType
    target_place: Required
    country: Iso3
    lat: Latitude
    lon: Longitude
    coord_source: CoordSource
    killed: Count = None
    injured: Count = None
    plotters: Count = None
    evidence: EvidenceList
    attribution_note: Note = ""
    confidence: Confidence
    refs: RefList
    summary: Summary


class PlotLeg(Record):
    """One waypoint of a plot's route before its target: where plotters were directed, trained, passed or based."""

    plot_id: Slug
    seq: Annotated[int, Field(ge=1, le=20)]
    role: LegRole
    place: Required
    country: Iso3
    lat: Latitude
    lon: Longitude
    date: OptionalDate = None
    refs: RefList
    note: Note = ""


class Figure(Record):
    id: Slug
    label: Required
    value_low: float
    value_high: OptionalFloat = None
    qualifier: Annotated[Optional[Qualifier], BeforeValidator(_optional_number)] = None
    unit: Literal["people", "km2", "countries", "plots", "percent"]
    as_of: Date
    scope: Required
    refs: RefList
    note: Note = ""


class AreaEstimate(Record):
    id: Slug
    series: Slug
    as_of: Date
    scope: Scope
    metric: Metric
    value: float
    refs: RefList
    note: Note = ""
