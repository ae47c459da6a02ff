"""GeoPackage and GeoParquet files of the built layers, for QGIS, ArcGIS and notebooks."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.formats import flat_properties
from geo.geojson import LAYER_PROPS, features_of
from geo.styles import LayerStyle, StyleClass, layer_style

REFERENCE_COLUMNS = ("id", "title", "publisher", "date", "address")


def flat_frame(layer: str, frame: gpd.GeoDataFrame, *, lists: str = "join") -> gpd.GeoDataFrame:
    """The layer's properties as a GIS reads them: lists of text joined with ';' (lists="join") or kept as
    lists (lists="keep", for Parquet); nested records as JSON text. Geometry and CRS as built."""
    rows = [flat_properties(f["properties"], keep_lists=lists == "keep") for f in features_of(layer, frame)]
    columns = list(LAYER_PROPS[layer].model_fields)
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry=list(frame.geometry), crs="EPSG:4326")


def to_geoparquet(layer: str, frame: gpd.GeoDataFrame) -> bytes:
    """GeoParquet (1.x, WKB geometry, EPSG:4326) bytes of the features; lists of text stay lists."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{layer}.parquet"
        flat_frame(layer, frame, lists="keep").to_parquet(path, index=False)
        return path.read_bytes()


def to_geopackage(frames: dict[str, gpd.GeoDataFrame], references: list[dict]) -> bytes:
    """One GeoPackage: a layer per frame (styled by its classes in QGIS's layer_styles table, the default
    style QGIS applies on opening) and the references as an attribute table `references`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ismap.gpkg"
        for layer, frame in frames.items():
            flat = flat_frame(layer, frame)
            pyogrio.write_dataframe(flat, path, layer=layer, driver="GPKG", promote_to_multi=True,
                                    geometry_type="Unknown", append=False)
        with sqlite3.connect(path) as db:
            _write_references(db, references)
            _write_styles(db, {layer: style for layer in frames if (style := layer_style(layer)) is not None})
        db.close()
        return path.read_bytes()


def _write_references(db: sqlite3.Connection, references: list[dict]) -> None:
    """The bibliography as a GeoPackage attribute table (registered in gpkg_contents as 'attributes')."""
    columns = ", ".join(f'"{c}" TEXT' for c in REFERENCE_COLUMNS)
    db.execute(f'CREATE TABLE "references" (fid INTEGER PRIMARY KEY AUTOINCREMENT, {columns})')
    db.executemany('INSERT INTO "references" (id, title, publisher, date, address) VALUES (?, ?, ?, ?, ?)',
                   [tuple(str(r.get(c, "")) for c in REFERENCE_COLUMNS) for r in references])
    db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
               "VALUES ('references', 'attributes', 'references', 'Sources cited by the layers (refs columns)')")


def _write_styles(db: sqlite3.Connection, styles: dict[str, LayerStyle]) -> None:
    """QGIS reads a layer's default style from the `layer_styles` table of its GeoPackage."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT, "
        "f_table_schema TEXT, f_table_name TEXT, f_geometry_column TEXT, styleName TEXT, styleQML TEXT, "
        "styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT, ui TEXT, update_time DATETIME)"
    )
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for layer, style in styles.items():
        db.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
            "styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
            "VALUES ('', '', ?, 'geom', ?, ?, '', 1, ?, '', '', ?)",
            (layer, f"{layer} by {style.attribute}", qml(style), f"Styled by {style.attribute}, as on the map", stamp),
        )
    db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
               "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS default styles')")


def _rgba(colour: str, opacity: float) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},{round(opacity * 255)}"


def _symbol(index: int, style: LayerStyle, cls: StyleClass) -> str:
    """One QGIS symbol: a simple fill (polygons) or simple line (lines) in the class's colours."""
    dash = cls.dash.replace(" ", ";") if cls.dash else ""
    if style.geometry == "polygon":
        options = {"color": _rgba(cls.colour, cls.fill_opacity), "style": "solid" if cls.fill_opacity else "no",
                   "outline_color": _rgba(cls.colour, cls.line_opacity),
                   "outline_style": ("dash" if dash else "solid") if cls.line_opacity else "no",
                   "outline_width": str(cls.width * 0.26), "outline_width_unit": "MM"}
        kind, layer_class = "fill", "SimpleFill"
    else:
        options = {"line_color": _rgba(cls.colour, cls.line_opacity), "line_width": str(cls.width * 0.26),
                   "line_width_unit": "MM", "use_custom_dash": "1" if dash else "0", "customdash": dash,
                   "line_style": "solid"}
        kind, layer_class = "line", "SimpleLine"
    opts = "".join(f'<Option type="QString" name={quoteattr(k)} value={quoteattr(v)}/>' for k, v in options.items())
    return (f'<symbol type="{kind}" name="{index}" alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="{layer_class}" enabled="1" locked="0" pass="0"><Option type="Map">{opts}</Option>'
            "</layer></symbol>")


def qml(style: LayerStyle) -> str:
    """A QGIS style document: a categorised renderer on the style's attribute, one symbol per class."""
    categories = "".join(f'<category symbol="{i}" value={quoteattr(c.value)} label={quoteattr(c.label)} render="true"/>'
                         for i, c in enumerate(style.classes))
    symbols = "".join(_symbol(i, style, c) for i, c in enumerate(style.classes))
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            '<qgis version="3.28.0" styleCategories="Symbology">'
            f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(style.attribute)} forceraster="0" '
            f'symbollevels="0" enableorderby="0"><categories>{categories}</categories><symbols>{symbols}</symbols>'
            "</renderer-v2></qgis>\n")
