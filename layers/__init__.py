"""folium layer builders: built GeoJSON -> browser payloads, styles, legend and the map shell (no Streamlit)."""
