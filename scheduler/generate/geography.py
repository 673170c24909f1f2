"""Where a scenario happens: NHS England regions, real English towns, team areas.

Coordinates are decimal degrees (WGS84); distances are kilometres.
"""

from __future__ import annotations

import csv
import math
import random
import re
from dataclasses import dataclass
from pathlib import Path

TOWNS_CSV = Path(__file__).with_name("towns.csv")
"""The reference list of towns: name, latitude, longitude, region, dense, postcode_area."""

KM_PER_DEGREE_LATITUDE = 111.32


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """An NHS England region and its approximate population in millions (ONS, 2021)."""

    code: str
    name: str
    population_millions: float


REGIONS: tuple[RegionInfo, ...] = (
    RegionInfo("NEY", "North East and Yorkshire", 8.2),
    RegionInfo("NW", "North West", 7.4),
    RegionInfo("MID", "Midlands", 10.9),
    RegionInfo("EOE", "East of England", 6.4),
    RegionInfo("LDN", "London", 8.8),
    RegionInfo("SE", "South East", 9.3),
    RegionInfo("SW", "South West", 5.7),
)
REGION_BY_NAME = {region.name: region for region in REGIONS}

PATCHES: tuple[tuple[str, float, float], ...] = (
    ("North", 1.0, 0.0),
    ("South", -1.0, 0.0),
    ("East", 0.0, 1.0),
    ("West", 0.0, -1.0),
)
"""Extra teams in one town when areas outnumber towns: name, north and east unit offsets."""
PATCH_OFFSET_KM = 4.0

INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
"""Letters used in the inward part of a postcode (C, I, K, M, O and V never are)."""


@dataclass(frozen=True, slots=True)
class Town:
    """One row of ``towns.csv`` (shipped in this package); ``dense`` marks a compact urban area."""

    name: str
    latitude: float
    longitude: float
    region: str
    dense: bool
    postcode_area: str


@dataclass(frozen=True, slots=True)
class AreaSite:
    """A team's patch: its id, code, name, region and centre (a town or part of one)."""

    id: int
    code: str
    name: str
    region_code: str
    town: str
    latitude: float
    longitude: float
    dense: bool
    postcode_area: str


def load_towns(path: Path = TOWNS_CSV) -> list[Town]:
    """The towns in ``path``, in file order (largest places of each region first)."""
    with path.open(newline="", encoding="utf-8") as handle:
        towns = [
            Town(
                name=row["name"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                region=row["region"],
                dense=row["dense"].strip() == "1",
                postcode_area=row["postcode_area"].strip(),
            )
            for row in csv.DictReader(handle)
        ]
    unknown = sorted({town.region for town in towns} - set(REGION_BY_NAME))
    if unknown:
        raise ValueError(f"{path}: unknown NHS England regions {unknown}")
    return towns


def areas_per_region(rng: random.Random, count: int) -> dict[str, int]:
    """Share ``count`` areas among the regions in proportion to population.

    Fewer areas than regions: a population-weighted draw of regions, one area each.
    """
    if count <= 0:
        raise ValueError("at least one area is needed")
    if count < len(REGIONS):
        pool = list(REGIONS)
        chosen: dict[str, int] = {}
        for _ in range(count):
            region = rng.choices(pool, weights=[r.population_millions for r in pool])[0]
            pool.remove(region)
            chosen[region.code] = 1
        return {r.code: chosen[r.code] for r in REGIONS if r.code in chosen}
    total = sum(region.population_millions for region in REGIONS)
    exact = {r.code: count * r.population_millions / total for r in REGIONS}
    shares = {code: max(1, math.floor(value)) for code, value in exact.items()}
    by_remainder = sorted(REGIONS, key=lambda r: exact[r.code] - math.floor(exact[r.code]))
    while sum(shares.values()) < count:
        shares[by_remainder.pop().code] += 1
    while sum(shares.values()) > count:
        largest = max(shares, key=lambda code: shares[code])
        shares[largest] -= 1
    return shares


def plan_areas(rng: random.Random, count: int, towns: list[Town]) -> list[AreaSite]:
    """``count`` team areas centred on towns, ids 1…count in region order.

    Each region's areas go to a random choice among its larger towns; when a region
    needs more areas than it has towns, its dense towns (then the others) get more
    than one patch, centred a few kilometres north, south, east or west.
    """
    sites: list[AreaSite] = []
    for region_code, wanted in areas_per_region(rng, count).items():
        region = next(r for r in REGIONS if r.code == region_code)
        own = [town for town in towns if town.region == region.name]
        if not own:
            raise ValueError(f"no towns listed for region {region.name}")
        for town, patch in _choose_towns(rng, own, wanted):
            latitude, longitude, name, code = (
                town.latitude,
                town.longitude,
                town.name,
                slug(town.name),
            )
            if patch is not None:
                label, north, east = patch
                latitude, longitude = offset(
                    latitude, longitude, north * PATCH_OFFSET_KM, east * PATCH_OFFSET_KM
                )
                name, code = f"{town.name} {label}", f"{code}-{label.lower()}"
            sites.append(
                AreaSite(
                    id=len(sites) + 1,
                    code=f"{region_code.lower()}-{code}"[:40],
                    name=f"{name} homecare team",
                    region_code=region_code,
                    town=town.name,
                    latitude=round(latitude, 6),
                    longitude=round(longitude, 6),
                    dense=town.dense,
                    postcode_area=town.postcode_area,
                )
            )
    return sites


def _choose_towns(
    rng: random.Random, towns: list[Town], wanted: int
) -> list[tuple[Town, tuple[str, float, float] | None]]:
    """``wanted`` (town, patch) pairs; patch None means the whole town."""
    if wanted <= len(towns):
        pool = towns[: min(len(towns), math.ceil(wanted * 1.3) + 1)]
        chosen = set(rng.sample(range(len(pool)), wanted))
        return [(town, None) for index, town in enumerate(pool) if index in chosen]
    result: list[tuple[Town, tuple[str, float, float] | None]] = [(t, None) for t in towns]
    extra_order = [t for t in towns if t.dense] + [t for t in towns if not t.dense]
    round_number = 0
    while len(result) < wanted:
        patch = PATCHES[round_number % len(PATCHES)]
        for town in extra_order:
            if len(result) == wanted:
                break
            result.append((town, patch))
        round_number += 1
    return result


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: ``King's Lynn`` → ``kings-lynn``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


def offset(
    latitude: float, longitude: float, north_km: float, east_km: float
) -> tuple[float, float]:
    """The point ``north_km`` north and ``east_km`` east of the given one (small distances)."""
    new_latitude = latitude + north_km / KM_PER_DEGREE_LATITUDE
    scale = KM_PER_DEGREE_LATITUDE * math.cos(math.radians(latitude))
    return new_latitude, longitude + east_km / scale


def scatter(
    rng: random.Random, latitude: float, longitude: float, radius_km: float
) -> tuple[float, float]:
    """A random point within ``radius_km`` of the centre, denser towards the middle.

    Rounded to 6 decimal places (about 0.1 m).
    """
    distance = radius_km * rng.random() ** 0.7
    bearing = rng.random() * 2 * math.pi
    point = offset(latitude, longitude, distance * math.cos(bearing), distance * math.sin(bearing))
    return round(point[0], 6), round(point[1], 6)


def postcode(rng: random.Random, area: str) -> str:
    """A well-formed postcode in ``area`` (e.g. ``LS7 3QH``); not checked against real ones."""
    district = rng.randint(1, 9)
    inward = f"{rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    return f"{area}{district} {inward}"
