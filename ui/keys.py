"""Session-state keys, layer names and labels the app shares between its parts."""

from __future__ import annotations

from layers import affiliates, plots, territory
from ui import compare as compare_keys

LAYER_DEFS = {"territory": territory.LAYER, "affiliates": affiliates.LAYER, "plots": plots.LAYER}
LAYER_LABELS = {"territory": "Territory held", "affiliates": "Provinces", "plots": "External plots"}
# A layer's downloads: suffix, button label, MIME type (the format follows the suffix, as in the CLI).
LAYER_FORMATS = ((".geojson", "GeoJSON", "application/geo+json"), (".csv", "CSV", "text/csv"),
                 (".kml", "KML", "application/vnd.google-earth.kml+xml"),
                 (".parquet", "GeoParquet", "application/vnd.apache.parquet"))
WINDOW_LABELS = {"moving": "Moving window", "cumulative": "Cumulative", "range": "Explicit range"}
MAP_KEY = "ismap"
CAPTION = "Sources: project dataset (data/sources); Natural Earth; GeoNames. Shapes are approximate: see the method note."


class Keys:
    """Every session-state key the app uses, in one place."""

    INIT = "view_initialised"
    NOTICES = "view_notices"
    MONTH = "month"
    MAP_MONTH = "map_month"
    MAP_REPORTED = "map_reported"
    MAP_FRAME = "map_frame"
    LAYERS = "w_layers"
    PROVINCES = "w_provinces"
    LINKS = "w_links"
    OUTCOMES = "w_outcomes"
    COUNTRIES = "w_countries"
    MIN_KILLED = "w_min_killed"
    REGIONS = "w_regions"
    WINDOW = "w_window"
    WINDOW_MONTHS = "w_window_months"
    RANGE_FROM = "w_range_from"
    RANGE_TO = "w_range_to"
    THEME = "w_theme"
    FLY = "fly_to"
    CENTER = "view_center"
    FIND = "w_find"
    FORCE_MONTH = "force_month"  # the app moved the month (find a place): the map takes it this once
    TILES = "w_tiles"
    UPLOAD = "w_upload"
    USER_LAYER = "user_layer"
    UPLOAD_ID = "user_layer_file"
    MODE = "mode"
    BRIEFING = "w_briefing"
    SCENE = "scene"
    SESSION_BRIEFING = "session_briefing"
    SAVE_NAME = "w_save_name"
    PANEL = "w_panel"
    UPLOAD_PROBLEMS = "user_layer_problems"
    USER_LAYER_FILE = "user_layer_from"
    FRAME_BUILT = "map_frame_built"
    USER_TOKEN = "user_layer_token"
    USER_URL = "user_layer_url"
    FRAME_CENTRE = "map_frame_centre"
    SESSION_MAP = "map_built"  # (frame and start, map, what st_folium sends of it, as built): rebuilt when either changes
    COMPARE_MONTH = compare_keys.MONTH  # the view's compare month (None = off); kept when the panel closes
    COMPARE_SWIPE = compare_keys.SWIPE  # the two compared dates side by side (a swipe) instead of shaded
