"""Briefings: YAML files of scenes (a view and a caption), validated with file, scene and field in every message."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Annotated, Literal, Mapping, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from geo.errors import Problem, SourceError
from geo.models import Required, Summary
from geo.paths import ROOT
from geo.regions import REGION_IDS
from geo.view import LAYER_IDS, View, shift_month

BRIEFINGS = ROOT / "data" / "briefings"
MAX_BRIEFING_BYTES = 200_000
MAX_SCENES = 60
MAX_YAML_DEPTH = 12
MAX_SAVED_BRIEFINGS = 50
SAVE_SETTING = "ISMAP_ALLOW_SERVER_BRIEFINGS"
# Where saved briefings go (default data/briefings, beside the bundled ones): with replicas on several machines,
# a folder they share (docs/deploy.md). The bundled briefings in data/briefings are offered either way.
SAVED_DIR_SETTING = "ISMAP_BRIEFINGS_DIR"
_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"

Month = Annotated[str, Field(pattern=_MONTH)]
RegionId = Literal[tuple(REGION_IDS)]  # type: ignore[valid-type]  # "europe", "north-america", ...


class SceneFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provinces: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]] = []
    links: list[Literal["directed", "enabled", "inspired", "unknown"]] = []
    outcomes: list[Literal["attack", "failed", "foiled"]] = []
    countries: list[Annotated[str, Field(pattern=r"^[A-Z]{3}$")]] = []
    min_killed: Literal[0, 1, 5, 10, 20, 50, 100] = 0  # geo.view.KILLED_STEPS
    regions: list[RegionId] = []  # geo.regions.REGION_IDS


class Scene(BaseModel):
    """One step of a briefing: what to show, where, and a caption with its sources."""

    model_config = ConfigDict(extra="forbid")

    title: Required
    date: Month
    plots_from: Optional[Month] = None
    plots_to: Optional[Month] = None
    layers: list[Literal["territory", "affiliates", "plots"]] = list(LAYER_IDS)
    filters: SceneFilters = SceneFilters()
    center: Annotated[list[float], Field(min_length=2, max_length=2)]
    zoom: Annotated[int, Field(ge=2, le=12)]
    caption: Summary
    refs: list[str] = []

    @field_validator("center")
    @classmethod
    def _lat_lon(cls, value: list[float]) -> list[float]:
        lat, lon = value
        if not (-85 <= lat <= 85 and -180 <= lon <= 180):
            raise ValueError("must be [latitude, longitude] within ±85 and ±180")
        return value

    def view(self, theme: str = "default") -> View:
        """The map view this scene shows."""
        window = "range" if self.plots_from and self.plots_to else "cumulative"
        return View(month=self.date, layers=tuple(self.layers), provinces=tuple(self.filters.provinces),
                    links=tuple(self.filters.links), outcomes=tuple(self.filters.outcomes),
                    countries=tuple(self.filters.countries), min_killed=self.filters.min_killed,
                    regions=tuple(self.filters.regions), window=window, range_from=self.plots_from,
                    range_to=self.plots_to, lat=self.center[0], lon=self.center[1], zoom=self.zoom, theme=theme)


class Briefing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Required
    description: Summary
    theme: Literal["default", "projector", "print"] = "projector"
    scenes: Annotated[list[Scene], Field(min_length=1, max_length=MAX_SCENES)]

    def with_scene(self, scene: Scene) -> "Briefing":
        """A new briefing with the scene appended, validated (so the scene cap holds on every path)."""
        return Briefing.model_validate({**self.model_dump(), "scenes": [*self.model_dump()["scenes"],
                                                                        scene.model_dump()]})


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases and with a depth limit, both checked before anything is expanded:
    a 378-byte file of nested aliases (billion laughs) otherwise builds gigabytes, and deep nesting overflows."""

    depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 - PyYAML's signature
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "uses an alias (*name): briefings may not", mark)
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, f"is nested more than {MAX_YAML_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def safe_yaml(text: str) -> object:
    """YAML text as Python data, through _BoundedLoader."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _where(loc: tuple) -> tuple[int | None, str]:
    """(scene number counted from 1, dotted field) from a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "scenes" and isinstance(loc[1], int):
        return loc[1] + 1, ".".join(str(part) for part in loc[2:]) or "scene"
    return None, ".".join(str(part) for part in loc)


def parse_briefing(text: str, name: str, *, refs: frozenset[str] = frozenset(),
                   provinces: frozenset[str] = frozenset()) -> Briefing:
    """A briefing from YAML text; raise SourceError whose problems name the file, the scene and the field."""
    problems: list[Problem] = []
    if len(text) > MAX_BRIEFING_BYTES:
        raise SourceError([Problem(name, None, None, "is too large for a briefing", "split it")])
    try:
        data = safe_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        ours = isinstance(exc, yaml.composer.ComposerError) and str(exc.problem).startswith(("uses an", "is nested"))
        what = str(exc.problem) if ours else "is not valid YAML"
        raise SourceError([Problem(name, None, None, f"{what}{where}", "check indentation and quotes")]) from None
    if not isinstance(data, dict):
        raise SourceError([Problem(name, None, None, "is not a briefing (a mapping with title and scenes)",
                                   "start from data/briefings/default.yaml")])
    try:
        briefing = Briefing.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            scene, column = _where(tuple(error["loc"]))
            message = error["msg"].removeprefix("Value error, ")
            problems.append(Problem(name, scene, column, message, "see docs/briefings.md for the fields"))
        raise SourceError([_scene_problem(p) for p in problems]) from None
    for number, scene in enumerate(briefing.scenes, start=1):
        for ref in scene.refs:
            if refs and ref not in refs:
                problems.append(Problem(name, number, "refs", f"unknown reference '{ref}'", "use an id from data/sources/references"))
        for province in scene.filters.provinces:
            if provinces and province not in provinces:
                problems.append(Problem(name, number, "filters.provinces", f"unknown province '{province}'",
                                        "use an id from data/sources/affiliates/provinces.csv"))
        if (scene.plots_from is None) != (scene.plots_to is None):
            problems.append(Problem(name, number, "plots_from", "plots_from and plots_to go together", "give both or neither"))
        elif scene.plots_from and scene.plots_from > scene.plots_to:
            problems.append(Problem(name, number, "plots_to", "is before plots_from", "swap them"))
    if problems:
        raise SourceError([_scene_problem(p) for p in problems])
    return briefing


def edit_scenes(briefing: Briefing, edits: list[dict], name: str = "this session's briefing") -> Briefing:
    """The briefing after a user's edits: one dict per current scene, in its order, with `title`, `caption`,
    `position` (a number the scenes are sorted by; a tie keeps their order) and `delete`. Raise SourceError
    naming the scene and field of every bad edit; at least one scene stays."""
    if len(edits) != len(briefing.scenes):
        raise SourceError([SceneProblem(name, None, None, "the scenes changed while they were edited",
                                        "apply the edits again")])
    problems: list[Problem] = []
    kept: list[tuple[float, int, dict]] = []
    for number, (scene, edit) in enumerate(zip(briefing.scenes, edits), start=1):
        if edit.get("delete"):
            continue
        position = edit.get("position")
        if not isinstance(position, (int, float)) or isinstance(position, bool) or position != position:
            problems.append(SceneProblem(name, number, "position", "is not a number", "give the scene's place, 1, 2, ..."))
            position = number
        kept.append((float(position), number, {**scene.model_dump(), "title": edit.get("title"),
                                               "caption": edit.get("caption")}))
    if not kept:
        problems.append(SceneProblem(name, None, None, "would have no scenes left", "keep at least one scene"))
    if problems:
        raise SourceError(problems)
    scenes = [data for _, _, data in sorted(kept, key=lambda item: (item[0], item[1]))]
    try:
        return Briefing.model_validate({**briefing.model_dump(), "scenes": scenes})
    except ValidationError as exc:
        order = [number for _, number, _ in sorted(kept, key=lambda item: (item[0], item[1]))]
        for error in exc.errors():
            scene, column = _where(tuple(error["loc"]))
            problems.append(SceneProblem(name, order[scene - 1] if scene else None, column,
                                         error["msg"].removeprefix("Value error, "), "edit the text"))
        raise SourceError(problems) from None


def _scene_problem(problem: Problem) -> Problem:
    """Problems say 'scene N' rather than 'row N'."""
    return SceneProblem(problem.file, problem.row, problem.column, problem.message, problem.hint)


class SceneProblem(Problem):
    """A problem in a briefing: its row is a scene (counted from 1) and its column a field."""

    ROW_WORD = "scene"
    COLUMN_WORD = "field"


def load_briefing(path: Path, **known: frozenset[str]) -> Briefing:
    if path.stat().st_size > MAX_BRIEFING_BYTES:
        raise SourceError([Problem(path.name, None, None, "is too large for a briefing", "split it")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError([Problem(path.name, None, None, f"is not UTF-8 text (byte {exc.start})", "save it as UTF-8")]) from None
    return parse_briefing(text, path.name, **known)


def parse_presenter(params: dict[str, str], names: list[str]) -> tuple[str | None, int, list[str]]:
    """(briefing name or None, scene number from 1, notices) from mode/briefing/scene query parameters."""
    notices: list[str] = []
    if params.get("mode") != "present":
        if "mode" in params:
            notices.append("Ignored 'mode': the only mode is 'present'.")
        return None, 1, notices
    name = params.get("briefing", "default")
    if name == "session":
        notices.append("Ignored 'briefing=session': a session's own scenes cannot be opened from a link (download "
                       "their YAML to share them); showing the default.")
        name = "default" if "default" in names else (names[0] if names else None)
    elif name not in names:
        notices.append("Ignored 'briefing': no such briefing; showing the default.")
        name = "default" if "default" in names else (names[0] if names else None)
    raw = params.get("scene", "1")
    scene = int(raw) if len(raw) <= 3 and raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_SCENES else 1
    if raw != str(scene):
        notices.append("Ignored 'scene': expected a scene number.")
    return name, scene, notices


def server_saving_allowed(environ: Mapping[str, str] | None = None) -> bool:
    """Saving briefings on the server (shared with every session) is off unless the operator sets
    ISMAP_ALLOW_SERVER_BRIEFINGS=1; otherwise users download their briefing."""
    return (os.environ if environ is None else environ).get(SAVE_SETTING, "") == "1"


def saved_folder(environ: Mapping[str, str] | None = None) -> Path:
    """The folder saved briefings are written to: ISMAP_BRIEFINGS_DIR if the operator set it, else data/briefings."""
    chosen = (os.environ if environ is None else environ).get(SAVED_DIR_SETTING, "").strip()
    return Path(chosen) if chosen else BRIEFINGS


def briefing_path(name: str, environ: Mapping[str, str] | None = None) -> Path:
    """The file of a briefing offered by briefing_names(): a bundled one first, else a saved one."""
    bundled = BRIEFINGS / f"{name}.yaml"
    return bundled if bundled.exists() else saved_folder(environ) / f"{name}.yaml"


def save_briefing(briefing: Briefing, name: str, folder: Path | None = None) -> Path:
    """Write a new briefing file under a name no other save can take (the name plus a random suffix); never
    overwrites one that exists (nothing saved is lost); at most MAX_SAVED_BRIEFINGS files in the folder
    (default: saved_folder())."""
    folder = saved_folder() if folder is None else folder
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,40}", name):
        raise SourceError([Problem(f"{name[:40]}.yaml", None, "name", "is not a valid file name",
                                   "use lowercase letters, digits and hyphens")])
    briefing = Briefing.model_validate(briefing.model_dump())
    text = to_yaml(briefing)
    if len(text.encode("utf-8")) > MAX_BRIEFING_BYTES:
        raise SourceError([Problem(f"{name}.yaml", None, None, "is too large for a briefing", "remove scenes")])
    if len(list(folder.glob("*.yaml"))) >= MAX_SAVED_BRIEFINGS:
        raise SourceError([Problem(f"{name}.yaml", None, None,
                                   f"was not saved: the server already holds {MAX_SAVED_BRIEFINGS} briefings",
                                   "download the YAML instead, or ask the operator to tidy data/briefings")])
    path = folder / f"{name}-{secrets.token_hex(3)}.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError:
        raise SourceError([Problem(path.name, None, "name", "already exists", "choose another name")]) from None
    return path


def briefing_names(folder: Path | None = None) -> list[str]:
    """Briefing files by name (without .yaml), default first: those of `folder`, or (None) the bundled ones and
    the saved ones (saved_folder())."""
    folders = [folder] if folder is not None else list(dict.fromkeys([BRIEFINGS, saved_folder()]))
    names = sorted({p.stem for f in folders for p in f.glob("*.yaml") if re.fullmatch(r"[a-z0-9][a-z0-9-]*", p.stem)})
    return sorted(names, key=lambda n: n != "default")


def to_yaml(briefing: Briefing) -> str:
    """A briefing as YAML a person can edit (the shape parse_briefing reads)."""
    data = briefing.model_dump(mode="json", exclude_defaults=False)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def scene_window(view: View) -> tuple[str | None, str | None]:
    """The plot window of a view as a scene keeps it: a range as given, a moving window as the months it covers
    on the view's date (a scene has a fixed date, so the two are the same plots), everything so far as none."""
    if view.window == "range" and view.range_from and view.range_to:
        return view.range_from, view.range_to
    if view.window == "moving":
        return shift_month(view.month, -(view.window_months - 1)), view.month
    return None, None


def scene_from_view(view: View, *, title: str, caption: str, refs: list[str]) -> Scene:
    """The current view as a scene (the one-action 'add this view' of the presenter)."""
    plots_from, plots_to = scene_window(view)
    return Scene(
        title=title, date=view.month, plots_from=plots_from, plots_to=plots_to,
        layers=list(view.layers), filters=SceneFilters(provinces=list(view.provinces), links=list(view.links),
                                                       outcomes=list(view.outcomes), countries=list(view.countries),
                                                       min_killed=view.min_killed, regions=list(view.regions)),
        center=[view.lat if view.lat is not None else 34.8, view.lon if view.lon is not None else 40.2],
        zoom=view.zoom or 6, caption=caption, refs=refs,
    )

