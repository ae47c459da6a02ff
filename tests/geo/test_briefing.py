"""Briefing files: the default loads; every mistake names the file, the scene and the field; saving never overwrites."""

from __future__ import annotations

import pytest
import yaml

from geo.briefing import BRIEFINGS, load_briefing, parse_briefing, parse_presenter, save_briefing, to_yaml
from geo.errors import SourceError
from geo.paths import SOURCES
from geo.validate import load_valid_sources


@pytest.fixture(scope="module")
def known():
    sources = load_valid_sources(SOURCES)
    return {"refs": frozenset(sources.references.by_id()), "provinces": frozenset(sources.provinces.by_id())}


@pytest.fixture(scope="module")
def default_text() -> str:
    return (BRIEFINGS / "default.yaml").read_text(encoding="utf-8")


def test_default_briefing_tells_the_seed_story(known):
    briefing = load_briefing(BRIEFINGS / "default.yaml", **known)
    assert briefing.title == "From caliphate to global network, 2014-2024"
    dates = [s.date for s in briefing.scenes]
    assert dates[0] == "2014-12" and "2017-07" in dates and "2017-10" in dates and dates[-1].startswith("2024")
    assert all(scene.refs for scene in briefing.scenes)
    assert any("seed-wi-2024" in s.refs and s.plots_from == "2024-01" for s in briefing.scenes)


def problem_of(text: str, known: dict):
    with pytest.raises(SourceError) as info:
        parse_briefing(text, "test.yaml", **known)
    return info.value.problems[0]


def edit(default_text: str, scene: int, field: str, value) -> str:
    data = yaml.safe_load(default_text)
    data["scenes"][scene - 1][field] = value
    return yaml.safe_dump(data)


@pytest.mark.parametrize("scene, field, value, shown_field, fragment", [
    (2, "date", "2017-13", "date", "should match pattern"),
    (3, "zoom", 40, "zoom", "less than or equal to 12"),
    (1, "center", [95, 10], "center", "within ±85"),
    (4, "refs", ["no-such-ref"], "refs", "unknown reference 'no-such-ref'"),
    (5, "layers", ["territory", "rivers"], "layers.1", "Input should be"),
    (6, "colour", "red", "colour", "Extra inputs are not permitted"),
    (7, "filters", {"provinces": ["atlantis"]}, "filters.provinces", "unknown province 'atlantis'"),
    (6, "plots_to", "2023-01", "plots_to", "is before plots_from"),
])
def test_scene_errors_name_file_scene_and_field(default_text, known, scene, field, value, shown_field, fragment):
    problem = problem_of(edit(default_text, scene, field, value), known)
    assert (problem.file, problem.row, problem.column) == ("test.yaml", scene, shown_field)
    assert fragment in problem.message
    assert str(problem).startswith(f"test.yaml, scene {scene}, field '{shown_field}'")


def test_yaml_syntax_error_gives_line_and_column(known):
    problem = problem_of("title: x\nscenes:\n  - title: [unclosed\n", known)
    assert "not valid YAML (line" in problem.message


def test_not_a_briefing(known):
    assert "is not a briefing" in problem_of("- just\n- a list\n", known).message
    assert "title" in str(problem_of("description: no title\nscenes: []\n", known))


def test_round_trip_and_save_never_overwrites(known, tmp_path):
    briefing = load_briefing(BRIEFINGS / "default.yaml", **known)
    again = parse_briefing(to_yaml(briefing), "again.yaml", **known)
    assert again == briefing
    path = save_briefing(briefing, "my-brief", tmp_path)
    before = path.read_bytes()
    other = save_briefing(briefing.model_copy(update={"title": "Other"}), "my-brief", tmp_path)
    assert other != path and other.name.startswith("my-brief-")  # two saves of one name never collide
    assert path.read_bytes() == before
    with pytest.raises(SourceError, match="not a valid file name"):
        save_briefing(briefing, "../../etc/x", tmp_path)


def test_saving_on_the_server_is_off_unless_the_operator_allows_it():
    from geo.briefing import server_saving_allowed

    assert not server_saving_allowed({})
    assert not server_saving_allowed({"ISMAP_ALLOW_SERVER_BRIEFINGS": "yes"})
    assert server_saving_allowed({"ISMAP_ALLOW_SERVER_BRIEFINGS": "1"})


def test_saves_are_capped_in_count_and_scenes(known, tmp_path):
    from geo.briefing import MAX_SAVED_BRIEFINGS, MAX_SCENES

    briefing = load_briefing(BRIEFINGS / "default.yaml", **known)
    for number in range(MAX_SAVED_BRIEFINGS):
        (tmp_path / f"b{number}.yaml").write_text("x")
    with pytest.raises(SourceError, match=f"already holds {MAX_SAVED_BRIEFINGS} briefings"):
        save_briefing(briefing, "one-more", tmp_path)
    full = briefing
    while len(full.scenes) < MAX_SCENES:
        full = full.with_scene(briefing.scenes[0])
    with pytest.raises(Exception, match=f"at most {MAX_SCENES} items"):
        full.with_scene(briefing.scenes[0])
    forged = full.model_copy(update={"scenes": full.scenes + [briefing.scenes[0]]})  # what the review did
    with pytest.raises(Exception, match=f"at most {MAX_SCENES} items"):
        save_briefing(forged, "forged", tmp_path / "fresh")


def test_yaml_aliases_and_deep_nesting_are_refused_before_expansion(known):
    import time

    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    started = time.perf_counter()
    with pytest.raises(SourceError, match="uses an alias"):
        parse_briefing(laughs, "laughs.yaml", **known)
    assert time.perf_counter() - started < 1
    with pytest.raises(SourceError, match="nested more than"):
        parse_briefing("a: " + "[" * 5000 + "]" * 5000, "deep.yaml", **known)


def test_a_scene_number_of_thousands_of_digits_falls_back_with_a_notice():
    name, scene, notices = parse_presenter({"mode": "present", "scene": "9" * 4301}, ["default"])
    assert (name, scene) == ("default", 1) and notices == ["Ignored 'scene': expected a scene number."]


def test_presenter_parameters():
    names = ["default", "other"]
    assert parse_presenter({"mode": "present", "briefing": "other", "scene": "3"}, names) == ("other", 3, [])
    name, scene, notices = parse_presenter({"mode": "present", "briefing": "<x>", "scene": "-1"}, names)
    assert (name, scene) == ("default", 1) and len(notices) == 2
    assert parse_presenter({}, names) == (None, 1, [])
    assert parse_presenter({"mode": "present", "scene": "¹"}, names)[1] == 1  # a digit to str.isdigit, not to int


def test_a_view_as_a_scene_keeps_its_moving_plot_window():
    """B2: a 12-month window at 2016-07 is July 2015 to July 2016 in the scene, not everything since 2013."""
    from datetime import date

    from geo.briefing import scene_from_view
    from geo.view import View

    view = View(month="2016-07", window="moving", window_months=12, outcomes=("attack",))
    scene = scene_from_view(view, title="t", caption="c", refs=[])
    assert (scene.plots_from, scene.plots_to) == ("2015-08", "2016-07")
    today = date(2026, 12, 1)
    assert scene.view().plot_window(today) == view.plot_window(today)
    everything = scene_from_view(View(month="2016-07", window="cumulative"), title="t", caption="c", refs=[])
    assert (everything.plots_from, everything.plots_to) == (None, None)


def _three_scenes():
    from geo.briefing import Briefing, scene_from_view
    from geo.view import View

    scenes = [scene_from_view(View(month=m), title=f"Scene {m}", caption=f"Caption {m}", refs=[])
              for m in ("2015-01", "2016-01", "2017-01")]
    return Briefing(title="T", description="D", scenes=scenes)


def _edits(briefing, **changes):
    rows = [{"title": s.title, "caption": s.caption, "position": n, "delete": False}
            for n, s in enumerate(briefing.scenes, start=1)]
    for index, change in changes.items():
        rows[int(index[1:])].update(change)
    return rows


def test_scene_edits_change_text_order_and_drop_scenes():
    from geo.briefing import edit_scenes

    briefing = _three_scenes()
    edited = edit_scenes(briefing, _edits(briefing, s0={"caption": "New <b>caption</b>", "position": 3.5},
                                          s1={"delete": True}))
    assert [s.title for s in edited.scenes] == ["Scene 2017-01", "Scene 2015-01"]
    assert edited.scenes[1].caption == "New <b>caption</b>"  # kept as text; every page escapes it
    assert edited.scenes[1].date == briefing.scenes[0].date and edited.scenes[1].center == briefing.scenes[0].center


def test_scene_edits_that_break_a_scene_are_refused_naming_scene_and_field():
    from geo.briefing import edit_scenes
    from geo.errors import SourceError

    briefing = _three_scenes()
    with pytest.raises(SourceError) as info:
        edit_scenes(briefing, _edits(briefing, s2={"title": "  "}))
    assert "scene 3" in str(info.value) and "title" in str(info.value)
    with pytest.raises(SourceError, match="no scenes left"):
        edit_scenes(briefing, [dict(row, delete=True) for row in _edits(briefing)])
    with pytest.raises(SourceError, match="position"):
        edit_scenes(briefing, _edits(briefing, s1={"position": "first"}))
    with pytest.raises(SourceError, match="changed while"):
        edit_scenes(briefing, _edits(briefing)[:2])
    with pytest.raises(SourceError, match="scene 1"):
        edit_scenes(briefing, _edits(briefing, s0={"caption": "x" * 900}))
