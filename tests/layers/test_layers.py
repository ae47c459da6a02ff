

def test_uploaded_layer_uses_a_colour_no_built_in_layer_uses():
    """U11: an upload must not vanish inside a province (blue) or the territory (orange)."""
    from layers import affiliates, plots, territory, userlayer

    for theme in ("default", "projector", "print"):
        built = {style.get(key) for layer in (territory, affiliates, plots)
                 for style in layer.styles(theme).values() for key in ("color", "fillColor")}
        user = userlayer.styles(theme)["user"]
        assert user["fillColor"] not in built and user["color"] not in built - {"#000000"}, theme
