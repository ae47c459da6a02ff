"""The panels under the map: area held, plots per province, key figures, exports and briefing files."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo.bundle import bundle_zip
from geo.export import export_as, export_geojson, geopackage_of, select
from geo.filters import Filters, TimeFilter
from geo.formats import to_csv, to_kml, write_csv
from geo.stats import plots_per_year
from geo.view import View, month_date, selection
from geo.upload import UserLayer
from layers.areachart import as_img
from layers.areapanel import area_panel_html
from layers.plotschart import plots_chart_svg
from layers.escape import markdown_text
from layers.export import briefing_html, briefing_pack, browser_payloads, briefing_pngs, view_caption, view_scene
from layers.snapshot import SnapshotUnavailable
from ui.animation import animation_panel
from ui.keys import LAYER_LABELS, LAYER_FORMATS, Keys
from ui.data import data_dir, frames, monthly_area, month_figures, reference_list, area_chart_rows, figure_table
from ui.presenter import current_briefing




@st.cache_resource(show_spinner=False, max_entries=2048)
def area_panel(directory: str, today: date, month: str) -> str:
    """The area panel of one month (figures, chart with its hover strip, captions) as one piece of HTML: the
    same for every session, built once a month (layers.areapanel)."""
    figures = month_figures(directory, today)[month]
    return area_panel_html(figures, f"{month_date(month, today):%B %Y}", area_chart_rows(directory, today))


def stats_panel(view: View, today: date) -> None:
    series = monthly_area(data_dir(), today)
    st.html(area_panel(data_dir(), today, view.month))
    st.download_button("Area series: CSV (km² a month: Iraq, Syria, abroad, Iraq + Syria)", key="dl_area_csv",
                       on_click="ignore", file_name="area-by-month.csv", mime="text/csv",
                       data=lambda: write_csv(series.rename(columns={"IRQ": "iraq_km2", "SYR": "syria_km2",
                                                                     "other": "abroad_km2", "total": "iraq_syria_km2"})
                                              .to_dict(orient="records"),
                                              ["month", "iraq_km2", "syria_km2", "abroad_km2", "iraq_syria_km2"]))


def figures_panel() -> None:
    st.caption("Headline figures as the sources give them (not computed by this project).")
    st.dataframe(figure_table(data_dir()), hide_index=True, width="stretch")


def plots_panel(view: View, today: date) -> None:
    time, filters = selection(view, today)["plots"]
    shown = select(frames()["plots"], TimeFilter(), filters)
    st.caption("Plots and attacks per year by directing province (the filters applied, every date; the table "
               "on the map lists those of the map's window).")
    if shown.empty:
        st.info("No plots match the filters.")
        return
    counts = plots_per_year(shown)
    years = [str(y) for y in range(2014, today.year + 1)]
    # What the map's own window holds (U8), and how uneven the record is (U16), said in words.
    in_window = select(frames()["plots"], time, filters)
    first, last = time.window
    by_province = in_window["province"].value_counts()
    top = ", ".join(f"{markdown_text(name)} {n}" for name, n in by_province.head(5).items())
    st.markdown(f"**On the map now** ({first:%d %b %Y} to {last:%d %b %Y}): {len(in_window)} plots and attacks"
                + (f"; by directing province: {top}." if top else "."))
    per_year = {year: sum(counts.get(year, {}).values()) for year in years}
    thin = [year for year, n in per_year.items() if n < 12 and year < str(today.year)]
    if thin:
        st.caption(f"The record is uneven: fewer than 12 documented plots and attacks in {', '.join(thin)}. A "
                   "low year can mean fewer plots or fewer made public; docs/method-plots.md says what is counted.")
    title = f"External plots and attacks per year by directing province, 2014-{today.year}: {len(shown)} in all"
    st.html(as_img(plots_chart_svg(counts, years, title=title), title, view.month, css_class="ismap-plots-chart"))
    rows = [{"year": year, "province": province, "plots": n}
            for year in years for province, n in sorted(counts.get(year, {}).items())]
    st.download_button("Plots per province per year: CSV", key="dl_plots_series", on_click="ignore",
                       data=lambda: write_csv(rows, ["year", "province", "plots"]), file_name="plots-per-year.csv",
                       mime="text/csv")


def briefing_exports(view: View, today: date) -> None:
    """Files a briefer carries into a room with no network: HTML that opens from disk, PNGs, the pack."""
    st.caption("For a room with no network: the HTML opens from disk with no server (data and scripts inside), "
               "the PNG is rendered here in headless Chromium, the pack holds a PNG per scene, the HTML, each "
               "scene's GeoJSON, a bibliography and the method note.")
    cols = st.columns(4)
    title = f"IS map, {view.month}"

    def payloads() -> dict:
        user: UserLayer | None = st.session_state.get(Keys.USER_LAYER)
        return browser_payloads(frames(), reference_list(data_dir()), user=user.frame if user is not None else None)

    def view_html() -> str:
        return briefing_html(view_scene(view, today, title=title), payloads(), today)

    cols[0].download_button("This view: HTML", data=view_html, file_name=f"is-map-{view.month}.html",
                            mime="text/html", key="dl_view_html", on_click="ignore")

    def view_png() -> bytes:
        try:
            return briefing_pngs(view_html(), 1)[0]
        except SnapshotUnavailable as exc:
            return f"PNG export is not available on this server: {exc}".encode()

    cols[1].download_button("This view: PNG", data=view_png, file_name=f"is-map-{view.month}.png",
                            mime="image/png", key="dl_view_png", on_click="ignore")
    briefing = current_briefing()
    if briefing is not None:
        cols[2].download_button("Briefing: HTML", data=lambda: briefing_html(briefing, payloads(), today),
                                file_name="briefing.html", mime="text/html", key="dl_briefing_html", on_click="ignore")
        cols[3].download_button("Briefing pack: ZIP", data=lambda: briefing_pack(
                                    briefing, frames(), reference_list(data_dir()), today),
                                file_name="briefing-pack.zip", mime="application/zip", key="dl_briefing_zip",
                                on_click="ignore")
    animation_panel(view, today, lambda v, title, caption: briefing_html(
        view_scene(v, today, title=title, caption=caption), payloads(), today))


def exports_panel(view: View, today: date) -> None:
    st.caption("Exactly what the map shows at this date with these filters. GeoJSON is byte-identical to "
               "`python -m geo export` with the same arguments.")
    user: UserLayer | None = st.session_state.get(Keys.USER_LAYER)
    if user is not None and not user.frame.empty:
        on_map = TimeFilter(on=month_date(view.month, today))  # its own name: the loop below rebinds `time`
        cols = st.columns(3)
        cols[0].download_button("Your layer: GeoJSON", key="dl_user_geojson", on_click="ignore",
                                data=lambda: export_geojson("user", user.frame, on_map, Filters()),
                                file_name=f"your-layer-{view.month}.geojson", mime="application/geo+json")
        cols[1].download_button("Your layer: CSV", key="dl_user_csv", on_click="ignore",
                                data=lambda: to_csv("user", select(user.frame, on_map, Filters())),
                                file_name=f"your-layer-{view.month}.csv", mime="text/csv")
        cols[2].download_button("Your layer: KML", key="dl_user_kml", on_click="ignore",
                                data=lambda: to_kml("user", select(user.frame, on_map, Filters())),
                                file_name=f"your-layer-{view.month}.kml", mime="application/vnd.google-earth.kml+xml")
    chosen = {layer: choice for layer, choice in selection(view, today).items() if layer in view.layers}
    for layer, (time, filters) in chosen.items():
        cols = st.columns(4)
        for col, (suffix, label, mime) in zip(cols, LAYER_FORMATS):
            col.download_button(f"{LAYER_LABELS[layer]}: {label}", key=f"dl_{layer}_{suffix[1:]}", on_click="ignore",
                                data=lambda layer=layer, time=time, filters=filters, suffix=suffix: export_as(
                                    suffix, {layer: frames()[layer]}, time, filters, reference_list(data_dir())),
                                file_name=f"{layer}-{view.month}{suffix}", mime=mime)
    if chosen:
        def shown() -> dict:
            return {layer: select(frames()[layer], time, filters) for layer, (time, filters) in chosen.items()}

        cols = st.columns(2)
        cols[0].download_button("All shown layers: GeoPackage (QGIS opens it styled; sources in its references table)",
                                key="dl_all_gpkg", on_click="ignore", file_name=f"ismap-{view.month}.gpkg",
                                mime="application/geopackage+sqlite3",
                                data=lambda: geopackage_of(shown(), reference_list(data_dir())))
        cols[1].download_button("All shown layers: ZIP (GeoJSON, CSV and GeoPackage, with the sources written out)",
                                key="dl_all_zip", on_click="ignore", file_name=f"ismap-{view.month}.zip",
                                mime="application/zip",
                                data=lambda: bundle_zip(shown(), reference_list(data_dir()), view_caption(view, today)))
