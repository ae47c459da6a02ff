

def test_uploaded_layer_uses_a_colour_no_built_in_layer_uses():
    """U11: an upload must not vanish inside a province (blue) or the territory (orange)."""
    from layers import affiliates, plots, territory, userlayer

    for theme in ("default", "projector", "print"):
        built = {style.get(key) for layer in (territory, affiliates, plots)
                 for style in layer.styles(theme).values() for key in ("color", "fillColor")}
        user = userlayer.styles(theme)["user"]
        assert user["fillColor"] not in built and user["color"] not in built - {"#000000"}, theme


def test_print_theme_tells_outcomes_apart_without_colour():
    """U14: printed in black and white, the outcomes differ by line width (links by dash, as on screen)."""
    from layers import plots

    table = plots.styles("print")
    widths = {table[f"{o}-directed"]["weight"] for o in ("attack", "failed", "foiled")}
    assert len(widths) == 3
    assert {table[f"attack-{link}"]["dashArray"] for link in ("directed", "enabled", "inspired", "unknown")} == {
        None, "10 6", "2 6", "1 10"}
    assert "thickest" in plots.legend("print")[0].label and "thickest" not in plots.legend("default")[0].label
