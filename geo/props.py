"""Typed properties of each built layer's features: the contract of the GeoJSON files."""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict

from geo.models import Confidence, Evidence, Link, Outcome, TargetType


class Props(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str


class TerritoryProps(Props):
    interval_id: str
    zone: str
    place_id: str
    place: str
    country: str
    kind: str
    start: str
    start_precision: str
    end: Optional[str]
    end_precision: Optional[str]
    confidence: Confidence
    area_km2: float
    radius_km: float
    method: str
    refs: list[str]
    summary: str


class AffiliateProps(Props):
    province_id: str
    name: str
    aliases: list[str]
    announced: str
    announced_precision: str
    phase: str
    phase_change: Optional[str]
    phase_detail: str
    area_note: str
    regions: list[str]
    start: str
    start_precision: str
    end: Optional[str]
    end_precision: Optional[str]
    end_reason: Optional[str]
    successor_id: Optional[str]
    countries: list[str]
    anchor_name: str
    anchor_lon: float
    anchor_lat: float
    anchor_note: str
    confidence: Confidence
    refs: list[str]
    summary: str
    events: list[dict]
    strength: list[dict]
    rivals: list[dict]
    area_km2: float


class PlotProps(Props):
    date: str
    date_precision: str
    date_public: Optional[str]
    date_public_precision: Optional[str]
    province_id: str
    province: str
    link: Link
    outcome: Outcome
    target_type: TargetType
    evidence: list[Evidence]
    plotters: Optional[int]
    route: list[dict]
    route_text: str
    target_place: str
    country: str
    region: str  # geo.regions: the target country's world region
    target_lon: float
    target_lat: float
    anchor_name: str
    anchor_lon: float
    anchor_lat: float
    anchor_note: str
    killed: Optional[int]
    injured: Optional[int]
    attribution_note: str
    confidence: Confidence
    refs: list[str]
    summary: str


class UserProps(Props):
    name: str
    start: Optional[str]
    end: Optional[str]
    details: dict[str, str]


LAYER_PROPS: dict[str, type[Props]] = {
    "user": UserProps,
    "territory": TerritoryProps,
    "affiliates": AffiliateProps,
    "plots": PlotProps,
}
