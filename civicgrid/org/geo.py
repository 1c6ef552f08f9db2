"""Point → unit: the finest unit whose polygon contains a WGS-84 point.

A shapely 2 STRtree over prepared polygons, built once per process and rebuilt when the tree
revision (bumped in the same transaction as any polygon or code change) moves on.
Also the GCJ-02 ⇄ WGS-84 shift used at the map edge and when importing map-service data.
"""

import itertools
import math
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import shapely
from django.http import QueryDict
from shapely.geometry.base import BaseGeometry

# Below this many points per core a batch runs in the calling thread.
PARALLEL_CHUNK = 50_000


@dataclass(frozen=True)
class IndexedUnit:
    id: int
    rank: int
    geometry: BaseGeometry


class UnitIndex:
    """Polygons of units with a rank (higher is finer); answers which unit holds each point."""

    def __init__(self, units: Sequence[IndexedUnit], revision: object = None) -> None:
        self.revision = revision
        self.ids = np.fromiter((u.id for u in units), dtype=np.int64, count=len(units))
        self.ranks = np.fromiter((u.rank for u in units), dtype=np.int64, count=len(units))
        self.geometries = np.array([u.geometry for u in units], dtype=object)
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)

    def __len__(self) -> int:
        return len(self.ids)

    def locate(self, lon: float, lat: float) -> int | None:
        """Id of the finest unit containing the point, or None outside every polygon."""
        candidates = self.tree.query(shapely.Point(lon, lat))
        best_id, best_rank = None, -1
        for position in candidates:
            rank = self.ranks[position]
            if rank > best_rank and shapely.contains_xy(self.geometries[position], lon, lat):
                best_id, best_rank = int(self.ids[position]), rank
        return best_id

    def locate_many(self, lons: Iterable[float], lats: Iterable[float]) -> np.ndarray:
        """Ids for many points at once (vectorised); -1 where no polygon holds the point.

        Large batches are cut into chunks run on all cores: shapely releases the GIL.
        """
        lons = np.asarray(lons, dtype=float)
        lats = np.asarray(lats, dtype=float)
        workers = min(os.cpu_count() or 1, len(lons) // PARALLEL_CHUNK)
        if workers < 2:
            return self._locate_chunk(lons, lats)
        bounds = np.linspace(0, len(lons), workers + 1, dtype=int)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = pool.map(
                self._locate_chunk,
                [lons[a:b] for a, b in itertools.pairwise(bounds)],
                [lats[a:b] for a, b in itertools.pairwise(bounds)],
            )
            return np.concatenate(list(parts))

    def _locate_chunk(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        result = np.full(len(lons), -1, dtype=np.int64)
        if not len(lons) or not len(self.ids):
            return result
        point_at, geometry_at = self.tree.query(shapely.points(lons, lats))
        inside = shapely.contains_xy(self.geometries[geometry_at], lons[point_at], lats[point_at])
        point_at, geometry_at = point_at[inside], geometry_at[inside]
        # Finest first within each point, then keep each point's first row.
        order = np.lexsort((-self.ranks[geometry_at], point_at))
        point_at, geometry_at = point_at[order], geometry_at[order]
        first = np.ones(len(point_at), dtype=bool)
        first[1:] = point_at[1:] != point_at[:-1]
        result[point_at[first]] = self.ids[geometry_at[first]]
        return result


class _ProcessIndex:
    """The current process's index, rebuilt lazily when the tree revision changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: UnitIndex | None = None

    def get(self, revision: object, build: Callable[[object], UnitIndex]) -> UnitIndex:
        index = self._index
        if index is not None and index.revision == revision:
            return index
        with self._lock:
            if self._index is None or self._index.revision != revision:
                self._index = build(revision)
            return self._index

    def clear(self) -> None:
        with self._lock:
            self._index = None


process_index = _ProcessIndex()


# GCJ-02 is the offset coordinate system Chinese map services publish (国测局坐标). The forward
# transform is the published algorithm; the inverse is solved by fixed-point iteration, which
# converges to well under a centimetre in a few rounds.
_A = 6378245.0
_EE = 0.00669342162296594323


def _in_china(lon: float, lat: float) -> bool:
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _delta(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if not _in_china(lon, lat):
        return lon, lat
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    if not _in_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(6):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return wlon, wlat


def transform_geometry(
    geometry: BaseGeometry, shift: Callable[[float, float], tuple[float, float]]
) -> BaseGeometry:
    """`geometry` with every vertex moved by `shift(lon, lat) -> (lon, lat)`."""
    return shapely.transform(
        geometry, lambda coords: np.array([shift(lon, lat) for lon, lat in coords])
    )


def posted_point(form: QueryDict) -> tuple[float | str | None, float | str | None]:
    """The place a form posted (`lon`, `lat`, `crs`), in WGS-84: a point picked on GCJ-02
    tiles is shifted back. Values stay as posted (or None) when they are not numbers, for the
    service to reject with its own message."""
    lon, lat = form.get("lon") or None, form.get("lat") or None
    if lon and lat and form.get("crs") == "gcj02":
        try:
            return gcj02_to_wgs84(float(lon), float(lat))
        except ValueError:
            pass
    return lon, lat
