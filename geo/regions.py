"""World regions of plot targets, for counts and charts: a fixed table from ISO alpha-3 code to region."""

from __future__ import annotations

import re
from types import MappingProxyType

REGIONS = MappingProxyType({
    "Europe": ("AUT", "BEL", "CHE", "DEU", "DNK", "ESP", "FIN", "FRA", "GBR", "IRL", "ITA", "NLD", "NOR", "POL",
               "SWE", "CZE", "GRC", "HUN", "PRT", "BIH", "XKX", "MKD", "ALB", "SRB", "LUX", "MLT", "CYP"),
    "North America": ("USA", "CAN"),
    "Russia and Central Asia": ("RUS", "TJK", "UZB", "KAZ", "KGZ", "TKM", "AZE", "GEO"),
    "Turkey": ("TUR",),
    "Iran": ("IRN",),
    "South Asia": ("IND", "BGD", "LKA", "MDV", "PAK", "NPL", "AFG"),
    "South-East Asia": ("IDN", "MYS", "SGP", "PHL", "THA", "MMR"),
    "Australia and New Zealand": ("AUS", "NZL"),
    "Gulf and Middle East": ("SAU", "KWT", "OMN", "BHR", "QAT", "ARE", "YEM", "JOR", "LBN", "ISR", "PSE", "IRQ",
                             "SYR"),
    "North and East Africa": ("EGY", "TUN", "MAR", "DZA", "LBY", "SDN", "KEN", "UGA", "ETH", "SOM", "TZA"),
})
_BY_COUNTRY = {code: region for region, codes in REGIONS.items() for code in codes}


def region_of(iso3: str) -> str:
    """The region of a target country ('Other' for one the table does not list)."""
    return _BY_COUNTRY.get(iso3, "Other")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# Short ids for links, scenes and the command line ("north-america"), in the table's order, and their names.
REGION_IDS = MappingProxyType({_slug(name): name for name in (*REGIONS, "Other")})


def region_names(ids: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The names of region ids (ids that are not regions raise KeyError: callers validate first)."""
    return tuple(REGION_IDS[i] for i in ids)
