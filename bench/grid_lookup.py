"""Point → unit over 100 000 grid polygons: civicgrid's UnitIndex (STRtree + prepared
polygons, vectorised batch) against a naive loop over the same prepared polygons.

The polygons are Voronoi cells of random seeds over an area the size of a large city
(≈ 0.9° × 0.6°, like 郑州's urban districts), so cells have realistic vertex counts.
"""

import statistics
import time

import numpy as np
import shapely
from shapely.geometry import MultiPoint, box

from bench import record
from civicgrid.org.geo import IndexedUnit, UnitIndex

POLYGONS = 100_000
BATCH_POINTS = 1_000_000
SINGLE_POINTS = 20_000
NAIVE_POINTS = 40
AREA = (113.2, 34.5, 114.1, 35.1)


def build(rng: np.random.Generator) -> list:
    min_x, min_y, max_x, max_y = AREA
    seeds = np.column_stack(
        [rng.uniform(min_x, max_x, POLYGONS), rng.uniform(min_y, max_y, POLYGONS)]
    )
    area = box(*AREA)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=area, ordered=True)
    return list(shapely.intersection(shapely.get_parts(cells), area))


def points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    # A margin around the area, so some points fall outside every polygon.
    min_x, min_y, max_x, max_y = AREA
    return rng.uniform(min_x - 0.02, max_x + 0.02, n), rng.uniform(min_y - 0.02, max_y + 0.02, n)


def naive(polygons: list, lon: float, lat: float) -> int | None:
    for position, polygon in enumerate(polygons):
        if shapely.contains_xy(polygon, lon, lat):
            return position
    return None


def run() -> dict:
    rng = np.random.default_rng(20261123)
    polygons = build(rng)
    started = time.perf_counter()
    index = UnitIndex([IndexedUnit(i, 4, p) for i, p in enumerate(polygons)])
    build_s = time.perf_counter() - started

    lons, lats = points(rng, BATCH_POINTS)
    index.locate_many(lons[:1000], lats[:1000])  # warm up
    batch_runs = []
    for _ in range(3):
        started = time.perf_counter()
        batch = index.locate_many(lons, lats)
        batch_runs.append(time.perf_counter() - started)
    batch_points_per_s = BATCH_POINTS / min(batch_runs)

    single_lons, single_lats = points(rng, SINGLE_POINTS)
    timings = []
    for lon, lat in zip(single_lons.tolist(), single_lats.tolist(), strict=True):
        started = time.perf_counter_ns()
        index.locate(lon, lat)
        timings.append(time.perf_counter_ns() - started)
    single_us = statistics.median(timings) / 1000
    single_p95_us = statistics.quantiles(timings, n=20)[-1] / 1000

    shapely.prepare(polygons)
    naive_timings = []
    for lon, lat in zip(
        single_lons[:NAIVE_POINTS].tolist(), single_lats[:NAIVE_POINTS].tolist(), strict=True
    ):
        started = time.perf_counter_ns()
        expected = naive(polygons, lon, lat)
        naive_timings.append(time.perf_counter_ns() - started)
        assert index.locate(lon, lat) == expected, "index and naive loop disagree"
    naive_us = statistics.mean(naive_timings) / 1000
    # The batch agrees with single lookups on a sample.
    sample = slice(0, 2000)
    singles = [index.locate(x, y) for x, y in zip(lons[sample], lats[sample], strict=True)]
    assert [None if i < 0 else int(i) for i in batch[sample]] == singles

    figures = {
        "polygons": POLYGONS,
        "index_build_s": round(build_s, 2),
        "batch_points": BATCH_POINTS,
        "batch_points_per_s": round(batch_points_per_s),
        "single_lookup_us": round(single_us, 1),
        "single_lookup_p95_us": round(single_p95_us, 1),
        "naive_lookup_us": round(naive_us, 1),
        "ratio_vs_naive": round(naive_us / single_us, 1),
    }
    return record(
        "grid_lookup",
        figures,
        baseline=(
            "a Python loop over the same 100 000 prepared polygons (shapely.contains_xy), "
            "one point at a time"
        ),
        ratio=naive_us / single_us,
    )
