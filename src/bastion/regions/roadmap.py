"""The region's road map for the page: its drivable road pieces as one GeoJSON FeatureCollection (a two-way piece
once), built once per road network and kept gzip-compressed.

A region's roads are replaced as a whole on import and get a new ``roads_hash`` (regions/graphs.py uses the same
key for routing graphs), so the hash names the content: the body is built on the first request after an import,
kept in memory (an LRU of MAX_ENTRIES bodies per process) and on disk beside the routing cache
(``<routing cache>/<roads_hash>/roadmap-<FORMAT>.geojson.gz``, shared by every process on the data directory), and
served as stored: ``Content-Encoding: gzip`` to clients that accept it, an ETag naming the hash so that a browser
that has it gets 304. Porto (84,458 road pieces): bench/roads_geojson.py.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.regions.graphs import cache_root
from bastion.regions.models import Region
from bastion.regions.models import RoadEdge

log = logging.getLogger(__name__)

FORMAT = "1"  # bump when the body changes shape (a new cache key)
MAX_ENTRIES = 8  # compressed bodies kept in memory per process (Porto's is ~3 MB)
GZIP_LEVEL = 6


@dataclass(frozen=True)
class RoadMap:
    """A region's road map: its ETag (quoted, names the content) and the gzip-compressed GeoJSON body."""

    etag: str
    gzip_body: bytes

    def body(self) -> bytes:
        """The uncompressed GeoJSON (for clients that do not accept gzip)."""
        return gzip.decompress(self.gzip_body)


_lock = threading.Lock()
_cache: OrderedDict[str, RoadMap] = OrderedDict()


def build_geojson(session: Session, region_id: int) -> bytes:
    """The road map's GeoJSON, built from the stored edges: one LineString per road piece (a way between two road
    nodes; the reverse edge of a two-way piece is left out), coordinates rounded to 6 decimals (~0.1 m),
    properties highway and speed_kph. Compact JSON, UTF-8."""
    rows = session.execute(
        select(RoadEdge.way_id, RoadEdge.u_osm_id, RoadEdge.v_osm_id, RoadEdge.highway, RoadEdge.speed_kph,
               RoadEdge.geometry_wkb).where(RoadEdge.region_id == region_id).order_by(RoadEdge.id)).all()
    seen: set[tuple[int, int, int]] = set()
    kept = []
    for way, u, v, highway, speed, wkb in rows:
        key = (way, u, v) if u <= v else (way, v, u)
        if key in seen:
            continue
        seen.add(key)
        kept.append((highway, speed, wkb))
    parts = ['{"type":"FeatureCollection","features":[']
    if kept:
        geoms = shapely.from_wkb(np.array([k[2] for k in kept], dtype=object))
        coords, index = shapely.get_coordinates(geoms, return_index=True)
        bounds = np.searchsorted(index, np.arange(len(kept) + 1)).tolist()
        flat = coords.tolist()
        enc = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
        feats = []
        for i, (highway, speed, _) in enumerate(kept):
            pts = ",".join(f"[{round(x, 6)!r},{round(y, 6)!r}]" for x, y in flat[bounds[i]:bounds[i + 1]])
            feats.append('{"type":"Feature","geometry":{"type":"LineString","coordinates":[' + pts
                         + ']},"properties":{"highway":' + enc(highway) + ',"speed_kph":' + enc(speed) + "}}")
        parts.append(",".join(feats))
    parts.append("]}")
    return "".join(parts).encode()


def road_map(session: Session, region: Region) -> RoadMap:
    """The region's road map, from memory, from disk or built (and stored) once per road network."""
    if region.roads_hash is None:  # no network imported (or stored before hashes): small, built each time
        body = build_geojson(session, region.id)
        return RoadMap(f'"roads-{hashlib.sha256(body).hexdigest()[:24]}"', gzip.compress(body, GZIP_LEVEL, mtime=0))
    key = region.roads_hash
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    path = cache_root() / key / f"roadmap-{FORMAT}.geojson.gz"
    body_gz = _read(path)
    if body_gz is None:
        t0 = time.perf_counter()
        body_gz = gzip.compress(build_geojson(session, region.id), GZIP_LEVEL, mtime=0)
        log.info("road map %s built in %.2f s (%d bytes gzip)", key[:8], time.perf_counter() - t0, len(body_gz))
        _write(path, body_gz)
    hit = RoadMap(f'"roads-{key[:24]}-{FORMAT}"', body_gz)
    with _lock:
        _cache[key] = hit
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return hit


def clear() -> None:
    """Forget the in-memory road maps (the disk copies stay)."""
    with _lock:
        _cache.clear()


def _read(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data[:2] != b"\x1f\x8b":  # not gzip (a foreign file): rebuild it
        return None
    return data


def _write(path: Path, data: bytes) -> None:
    """Written to a temporary name and renamed (a reader sees the whole file or none); an unwritable cache
    directory only costs the rebuild."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        log.warning("road map cache %s not writable (%s): kept in memory only", path.parent, exc)
