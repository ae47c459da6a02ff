"""Cross-table checks: ids, references, place and province links, intervals, coordinates."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from geo import models
from geo.countries import country_shape, distance_km, known_iso3
from geo.errors import Problem, SourceError
from geo.load import Sources, Table, load_sources
from geo.paths import BASE

# How far a point may lie outside its country's 1:50m outline (coastal towns, coarse borders).
COUNTRY_TOLERANCE_KM = 25.0
# Countries of small islands that the 1:50m outline leaves out: a point may lie this far from what it draws.
ISLAND_TOLERANCE_KM = {"MDV": 150.0}


def _problem(table: Table, record: object, column: str | None, message: str, hint: str = "") -> Problem:
    where = table.locate(record)
    return Problem(where.file, where.row, column, message, hint)


def check_unique_ids(table: Table) -> list[Problem]:
    seen: dict[str, object] = {}
    problems = []
    for record in table.records:
        rid = getattr(record, "id", None)
        if rid is None:  # a table keyed otherwise (plot legs: plot_id and seq, checked in check_plots)
            continue
        if rid in seen:
            first = table.locate(seen[rid])
            problems.append(_problem(
                table, record, "id", f"duplicate id '{rid}' (first used in {first.file}, row {first.row})",
                "give this record its own id",
            ))
        else:
            seen[rid] = record
    return problems


def check_refs(sources: Sources) -> list[Problem]:
    known = set(sources.references.by_id()) | sources.references.failed_ids
    problems = []
    for name, table in sources.tables.items():
        for record in table.records:
            for ref in getattr(record, "refs", []) or []:
                if ref not in known:
                    problems.append(_problem(
                        table, record, "refs", f"reference '{ref}' is not in data/sources/references/",
                        "add the reference row or correct the id",
                    ))
    return problems


def check_links(sources: Sources) -> list[Problem]:
    """Every id that points at another table points at a record that exists."""
    # Ids of rows that failed to load count as known: their own problem is already reported.
    places = set(sources.places.by_id()) | sources.places.failed_ids
    provinces = set(sources.provinces.by_id()) | sources.provinces.failed_ids
    regions = set(sources.regions.by_id()) | sources.regions.failed_ids
    problems = []
    for record in sources.control.records:
        if record.place_id not in places:
            problems.append(_problem(sources.control, record, "place_id", f"unknown place '{record.place_id}'",
                                     "add the place to territory/places*.csv or fix the id"))
    for record in sources.others.records:
        if record.place_id not in places:
            problems.append(_problem(sources.others, record, "place_id", f"unknown place '{record.place_id}'",
                                     "add the place to territory/places*.csv or fix the id"))
    for name, column in (("events", "province_id"), ("strength", "province_id"), ("rivals", "province_id"),
                         ("plots", "province_id"), ("phases", "province_id"), ("areas", "province_id")):
        table = sources.tables[name]
        for record in table.records:
            if getattr(record, column) not in provinces:
                problems.append(_problem(table, record, column, f"unknown province '{getattr(record, column)}'",
                                         "use an id from affiliates/provinces*.csv"))
    for record in sources.events.records:
        if record.related_id and record.related_id not in provinces:
            problems.append(_problem(sources.events, record, "related_id", f"unknown province '{record.related_id}'",
                                     "use an id from affiliates/provinces*.csv"))
    for record in sources.phases.records:
        if record.successor_id and record.successor_id not in provinces:
            problems.append(_problem(sources.phases, record, "successor_id",
                                     f"unknown province '{record.successor_id}'", "use a province id"))
    for record in sources.areas.records:
        for region in record.regions:
            if region not in regions:
                problems.append(_problem(sources.areas, record, "regions", f"unknown region '{region}'",
                                         "add it to affiliates/regions*.csv or fix the id"))
    for record in sources.provinces.records:
        if record.successor_id == record.id:
            problems.append(_problem(sources.provinces, record, "successor_id", "names the province itself",
                                     "give the province it became, or leave empty"))
        if record.successor_id and record.successor_id not in provinces:
            problems.append(_problem(sources.provinces, record, "successor_id",
                                     f"unknown province '{record.successor_id}'", "use a province id"))
        if not record.regions:
            problems.append(_problem(sources.provinces, record, "regions", "no operating area given",
                                     "list region ids from affiliates/regions*.csv"))
        for region in record.regions:
            if region not in regions:
                problems.append(_problem(sources.provinces, record, "regions", f"unknown region '{region}'",
                                         "add it to affiliates/regions*.csv or fix the id"))
    return problems


def _overlaps(records: list, group: str) -> list[tuple[str, object, object]]:
    """(group value, earlier, later) for each pair of consecutive intervals of one group that overlap
    (end exclusive; an open end overlaps everything after it)."""
    by_group: dict[str, list] = defaultdict(list)
    for record in records:
        by_group[getattr(record, group)].append(record)
    out = []
    for key, items in by_group.items():
        ordered = sorted(items, key=lambda r: r.start.value)
        out += [(key, a, b) for a, b in zip(ordered, ordered[1:]) if a.end is None or a.end.value > b.start.value]
    return out


def _ends_after_start(table: Table) -> tuple[list, list[Problem]]:
    """The records whose end (if any) is after their start, and a problem for each of the others."""
    ok, problems = [], []
    for record in table.records:
        if record.end is not None and record.end.value <= record.start.value:
            problems.append(_problem(table, record, "end", f"end {record.end.text} is not after start {record.start.text}",
                                     "swap the dates or correct them"))
        else:
            ok.append(record)
    return ok, problems


def _dated(table: Table, group: str, noun: str) -> tuple[list, list[Problem]]:
    """The records of a table of intervals that end after they start, and a problem for each record that
    does not or that overlaps the one before it in its group (one place, one branch)."""
    valid, problems = _ends_after_start(table)
    for key, earlier, later in _overlaps(valid, group):
        problems.append(_problem(table, later, "start", f"{noun} '{later.id}' overlaps '{earlier.id}' of '{key}'",
                                 f"a {noun} ends (exclusive) on or before the next one starts"))
    return valid, problems


def check_intervals(sources: Sources) -> list[Problem]:
    """End after start; one place's intervals never overlap."""
    problems = [_problem(sources.control, r, "id", f"'{r.id}' contains '--'",
                         "'--' is reserved for derived ids; use a single hyphen")
                for r in sources.control.records if "--" in r.id]
    problems += _dated(sources.control, "place_id", "interval")[1]
    problems += _check_other_held(sources)
    for table_name, start, end in (("provinces", "announced", "end"),):
        table = sources.tables[table_name]
        for record in table.records:
            if getattr(record, end) is not None and getattr(record, end).value <= getattr(record, start).value:
                problems.append(_problem(table, record, end, "ends before it was announced", "correct the dates"))
    return problems


def _check_other_held(sources: Sources) -> list[Problem]:
    """Other-held intervals end after they start, and never overlap one another or an IS interval of the place."""
    valid, problems = _dated(sources.others, "place_id", "other-held interval")
    for place_id, a, b in _overlaps(valid + list(sources.control.records), "place_id"):
        if isinstance(a, models.OtherHeld) == isinstance(b, models.OtherHeld):
            continue  # two IS intervals are check_intervals' business, two others' the loop above
        other, held = (a, b) if isinstance(a, models.OtherHeld) else (b, a)
        problems.append(_problem(sources.others, other, "start",
                                 f"held by {other.force} in '{other.id}' while IS held it in '{held.id}'",
                                 "one place has one holder at a time: correct the dates of one of them"))
    return problems


def check_plot_dates(sources: Sources) -> list[Problem]:
    """A plot is directed by a province that had been announced by then."""
    provinces = sources.provinces.by_id()
    problems = []
    for plot in sources.plots.records:
        province = provinces.get(plot.province_id)
        if province is None or plot.province_id == "central":
            continue
        if plot.date.value < province.announced.value:
            problems.append(_problem(
                sources.plots, plot, "province_id",
                f"'{plot.province_id}' was announced {province.announced.text}, after this plot ({plot.date.text})",
                "use the province that existed then, or 'central'",
            ))
    return problems


def check_areas(sources: Sources) -> list[Problem]:
    """A branch's operating-area periods end after they start and never overlap; one phase per start date."""
    valid, problems = _dated(sources.areas, "province_id", "area period")
    seen: dict[tuple[str, str], object] = {}
    for phase in sources.phases.records:
        key = (phase.province_id, phase.start.iso)
        if key in seen:
            problems.append(_problem(sources.phases, phase, "start",
                                     f"'{phase.province_id}' already has a phase from {phase.start.text}",
                                     "give each phase its own start date"))
        seen[key] = phase
    return problems + _areas_outside_phases(sources.areas, valid, sources.phases.records)


def _areas_outside_phases(table: Table, areas: list, phases: list) -> list[Problem]:
    """An area period of a branch with phases must fall in them: not before its first phase, and not in a
    time when the branch had ended (an ended phase up to the next phase, if any). The map would silently
    drop such ground, so the curator is told which record to mend."""
    by_branch: dict[str, list] = defaultdict(list)
    for phase in phases:
        by_branch[phase.province_id].append(phase)
    problems = []
    for area in areas:
        ordered = sorted(by_branch.get(area.province_id, []), key=lambda p: p.start.value)
        if not ordered:
            continue  # no phases: the branch is drawn from its announcement (see geo.affiliates)
        if area.start.value < ordered[0].start.value:
            problems.append(_problem(table, area, "start",
                                     f"starts {area.start.text}, before the first phase of '{area.province_id}' "
                                     f"({ordered[0].start.text})", "start the area with a phase, or add the phase"))
        for phase, after in zip(ordered, ordered[1:] + [None]):
            if phase.phase != "ended":
                continue
            gone_from, gone_to = phase.start.value, (after.start.value if after else None)
            if (area.end is None or area.end.value > gone_from) and (gone_to is None or area.start.value < gone_to):
                problems.append(_problem(table, area, "end",
                                         f"runs into the time '{area.province_id}' had ended ({phase.start.text}, "
                                         f"'{phase.id}')", "end the area period on or before the ended phase"))
    return problems


def check_plots(sources: Sources) -> list[Problem]:
    """Victims only for attacks; a disclosure date not before the event; legs point at a plot, numbered once."""
    problems = []
    for plot in sources.plots.records:
        if plot.outcome == "foiled":
            for column in ("killed", "injured"):
                if getattr(plot, column) not in (None, 0):
                    problems.append(_problem(sources.plots, plot, column, "a foiled plot has no victims",
                                             "leave it empty, or set outcome to attack or failed"))
        if plot.date_public is not None and plot.date_public.value < plot.date.value:
            problems.append(_problem(sources.plots, plot, "date_public",
                                     f"{plot.date_public.text} is before the plot's date {plot.date.text}",
                                     "date_public is when the case became public: on or after date"))
    plots = set(sources.plots.by_id()) | sources.plots.failed_ids
    seen: set[tuple[str, int]] = set()
    for leg in sources.legs.records:
        if leg.plot_id not in plots and plots:  # no plots at all: that problem is already reported
            problems.append(_problem(sources.legs, leg, "plot_id", f"unknown plot '{leg.plot_id}'",
                                     "use an id from plots/plots*.csv"))
        if (leg.plot_id, leg.seq) in seen:
            problems.append(_problem(sources.legs, leg, "seq", f"plot '{leg.plot_id}' has two legs numbered {leg.seq}",
                                     "number a plot's legs 1, 2, 3 ... in route order"))
        seen.add((leg.plot_id, leg.seq))
    return problems


def check_coordinates(sources: Sources, base: Path = BASE) -> list[Problem]:
    """Known country codes, and points that lie in (or near) their country."""
    codes = known_iso3(base)
    problems = []
    checks = [(sources.places, "country", "lat", "lon"), (sources.plots, "country", "lat", "lon"),
              (sources.legs, "country", "lat", "lon")]
    for table, country, lat, lon in checks:
        for record in table.records:
            iso = getattr(record, country)
            if iso not in codes:
                problems.append(_problem(table, record, country, f"unknown country code '{iso}'",
                                         "use an ISO 3166-1 alpha-3 code such as IRQ or SYR"))
                continue
            away = distance_km(country_shape(iso, base), getattr(record, lon), getattr(record, lat))
            if away > ISLAND_TOLERANCE_KM.get(iso, COUNTRY_TOLERANCE_KM):
                problems.append(_problem(
                    table, record, lat, f"({getattr(record, lat)}, {getattr(record, lon)}) lies {away:.0f} km outside {iso}",
                    "check the coordinates (latitude first? sign?) and the country code",
                ))
    for record in sources.regions.records:
        if record.country not in codes:
            problems.append(_problem(sources.regions, record, "country", f"unknown country code '{record.country}'",
                                     "use an ISO 3166-1 alpha-3 code"))
    return problems


def validate_sources(sources: Sources, base: Path = BASE) -> list[Problem]:
    """Every cross-table problem, in a stable order."""
    problems: list[Problem] = []
    for table in sources.tables.values():
        problems += check_unique_ids(table)
    problems += check_refs(sources)
    problems += check_links(sources)
    problems += check_intervals(sources)
    problems += check_plot_dates(sources)
    problems += check_plots(sources)
    problems += check_areas(sources)
    problems += check_coordinates(sources, base)
    return problems


def load_valid_sources(root: Path, base: Path = BASE) -> Sources:
    """Load and validate; raise SourceError listing every problem found."""
    sources, problems = load_sources(root, strict=False)
    problems += validate_sources(sources, base)
    if problems:
        raise SourceError(problems)
    return sources
