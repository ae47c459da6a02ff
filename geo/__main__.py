"""Command line: python -m geo build | validate | area | compare | datapackage | release | diff | plots-summary | export."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from geo.build import build
from geo.dates import parse_day
from geo.errors import ArgumentError, GeoError, SourceError
from geo.export import export_as, load_layer
from geo.filters import LINKS, OUTCOMES, Filters, TimeFilter, parse_bbox, parse_window
from geo.paths import GEOJSON, LAYERS, ROOT, SOURCES
from geo.regions import REGION_IDS, region_names
from geo.validate import load_valid_sources
from geo.view import month_date, month_options


def monthly_series(territory) -> "object":
    """km² held at the end of every month from January 2013 to this month."""
    from geo.stats import area_series

    today = date.today()
    months = month_options(today)
    series = area_series(territory, [month_date(m, today) for m in months])
    series.insert(0, "month", months)
    return series.drop(columns=["date"])


def compare_table(territory, estimates) -> str:
    from geo.compare import compare, markdown_table

    today = date.today()
    return markdown_table(compare(territory, estimates, [month_date(m, today) for m in month_options(today)]))


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits with 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="python -m geo", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    b = commands.add_parser("build", help="validate data/sources and write data/geojson")
    b.add_argument("--sources", type=Path, default=SOURCES)
    b.add_argument("--out", type=Path, default=GEOJSON)
    v = commands.add_parser("validate", help="check data/sources and list every problem")
    v.add_argument("--sources", type=Path, default=SOURCES)
    a = commands.add_parser("area", help="print the monthly km² series (Iraq, Syria, elsewhere, total) as CSV")
    a.add_argument("--geojson-dir", type=Path, default=GEOJSON, help=argparse.SUPPRESS)
    c = commands.add_parser("compare", help="print the published area estimates beside the project's series")
    c.add_argument("--sources", type=Path, default=SOURCES)
    c.add_argument("--geojson-dir", type=Path, default=GEOJSON, help=argparse.SUPPRESS)
    d = commands.add_parser("datapackage", help="write data/sources/datapackage.json and citations.csv")
    d.add_argument("--sources", type=Path, default=SOURCES)
    r = commands.add_parser("release", help="write releases/ismap-data-VERSION.zip and a CHANGELOG entry")
    r.add_argument("version")
    r.add_argument("--out", type=Path, default=ROOT / "releases")
    r.add_argument("--sources", type=Path, default=SOURCES)
    r.add_argument("--geojson-dir", type=Path, default=GEOJSON, help=argparse.SUPPRESS)
    r.add_argument("--changelog", type=Path, default=ROOT / "CHANGELOG.md", help=argparse.SUPPRESS)
    f = commands.add_parser("diff", help="features added, changed and removed between two builds or releases")
    f.add_argument("old", type=Path, help="a build directory (data/geojson) or a release .zip")
    f.add_argument("new", type=Path)
    s = commands.add_parser("plots-summary", help="print plots per year, region, outcome, link and province")
    s.add_argument("--geojson-dir", type=Path, default=GEOJSON, help=argparse.SUPPRESS)
    e = commands.add_parser("export", help="write a layer's filtered features; the format follows the -o file's "
                                           "extension (.geojson, .csv, .kml, .gpkg, .parquet; 'all' layers: .gpkg)")
    e.add_argument("layer", choices=(*LAYERS, "all"))
    e.add_argument("--date", help="what holds on this day (YYYY-MM-DD)")
    e.add_argument("--from", dest="date_from", help="window start (YYYY-MM-DD), with --to")
    e.add_argument("--to", dest="date_to", help="window end, inclusive (YYYY-MM-DD)")
    e.add_argument("--province", type=_csv, default=(), help="province ids, comma-separated")
    e.add_argument("--outcome", type=_csv, default=(), help="attack, failed and/or foiled")
    e.add_argument("--link", type=_csv, default=(), help="directed, enabled, inspired, unknown")
    e.add_argument("--country", type=_csv, default=(), help="ISO alpha-3 codes, comma-separated")
    e.add_argument("--region", type=_csv, default=(),
                   help="target regions, comma-separated: " + ", ".join(REGION_IDS))
    e.add_argument("--min-killed", type=int, default=0, metavar="N",
                   help="plots with at least N killed (plots whose toll is not known are left out)")
    e.add_argument("--bbox", help="west,south,east,north in degrees")
    e.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    e.add_argument("--geojson-dir", type=Path, default=GEOJSON, help=argparse.SUPPRESS)
    return top


def export_args(args: argparse.Namespace) -> tuple[TimeFilter, Filters]:
    """Turn parsed export arguments into filters; raise ArgumentError on any bad value."""
    bad = [o for o in args.outcome if o not in OUTCOMES] + [k for k in args.link if k not in LINKS]
    unknown_regions = [r for r in args.region if r not in REGION_IDS]
    if unknown_regions:
        raise ArgumentError(f"unknown region(s) {', '.join(unknown_regions)}: regions are {', '.join(REGION_IDS)}")
    if bad:
        raise ArgumentError(f"unknown value(s) {', '.join(bad)}: outcome is {'/'.join(OUTCOMES)}, link is {'/'.join(LINKS)}")
    if (args.date_from is None) != (args.date_to is None):
        raise ArgumentError("--from and --to go together")
    if args.date and args.date_from:
        raise ArgumentError("give either --date or --from/--to, not both")
    try:
        on = parse_day(args.date) if args.date else None
    except ValueError as exc:
        raise ArgumentError(f"--date: {exc}") from None
    window = parse_window(args.date_from, args.date_to) if args.date_from else None
    countries = tuple(c.upper() for c in args.country)
    filters = Filters(args.province, args.outcome, args.link, countries, parse_bbox(args.bbox) if args.bbox else None,
                      min_killed=max(0, args.min_killed), regions=region_names(args.region))
    return TimeFilter(on=on, window=window), filters


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "build":
            result = build(args.sources, args.out)
            for name, count in sorted(result.files.items()):
                print(f"wrote {args.out / name} ({count})", file=sys.stderr)
        elif args.command == "validate":
            sources = load_valid_sources(args.sources)
            counts = ", ".join(f"{len(t.records)} {name}" for name, t in sources.tables.items())
            print(f"ok: {counts}", file=sys.stderr)
        elif args.command == "area":
            sys.stdout.write(monthly_series(load_layer("territory", args.geojson_dir)).to_csv(index=False))
        elif args.command == "compare":
            estimates = load_valid_sources(args.sources).area_estimates.records
            sys.stdout.write(compare_table(load_layer("territory", args.geojson_dir), estimates))
        elif args.command == "datapackage":
            from geo.datapackage import write_package

            for path in write_package(load_valid_sources(args.sources), args.sources):
                print(f"wrote {path}", file=sys.stderr)
        elif args.command == "release":
            from geo.release import release

            load_valid_sources(args.sources)  # a release is of valid data only
            path = release(args.version, args.out, sources=args.sources, geojson_dir=args.geojson_dir,
                           changelog=args.changelog)
            print(f"wrote {path}", file=sys.stderr)
        elif args.command == "diff":
            from geo.release import diff, diff_markdown

            sys.stdout.write(diff_markdown(diff(args.old, args.new), str(args.old), str(args.new)))
        elif args.command == "plots-summary":
            from geo.stats import plots_summary, summary_markdown

            sys.stdout.write(summary_markdown(plots_summary(load_layer("plots", args.geojson_dir))))
        else:
            time, filters = export_args(args)
            layers = LAYERS if args.layer == "all" else (args.layer,)
            frames = {layer: load_layer(layer, args.geojson_dir) for layer in layers}
            suffix = args.output.suffix if args.output else ".geojson"
            references = json.loads((args.geojson_dir / "references.json").read_text(encoding="utf-8"))
            data = export_as(suffix, frames, time, filters, references)
            if args.output:
                args.output.write_bytes(data)
            else:
                sys.stdout.buffer.write(data)
    except SourceError as exc:
        print(exc, file=sys.stderr)
        return 1
    except ArgumentError as exc:
        print(f"python -m geo {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except GeoError as exc:
        print(f"python -m geo {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
