"""Pure-Python data pipeline: load, validate, build, filter and export the map's layers."""
