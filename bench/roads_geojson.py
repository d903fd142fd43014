"""Benchmark: the server's /regions/{id}/roads GeoJSON for Porto (84,458 road pieces, 148k directed edges).

Porto's roads (porto-roads.osm.pbf) are imported into a fresh SQLite database (or --db, an existing one). Then:

- baseline: the route as it was (every RoadEdge loaded as an ORM object, one shapely geometry and one dict per
  piece, the whole FeatureCollection serialised by FastAPI's JSONResponse) — what every page load paid;
- ours, cold: bastion.regions.roadmap builds the body (selected columns only, geometries decoded in one shapely
  call, JSON written as text) and gzips it — what the first request after an import pays;
- ours, from disk: a fresh process would read the gzip file kept beside the routing cache;
- ours, from memory: every later request (the body is served as stored);
- end to end: the GET through the app (TestClient, gzip accepted) cold and warm, and a revisit with If-None-Match
  (304, no body).
`identical`: the new body, decompressed, is byte-for-byte the old route's and parses to the same GeoJSON.
Times are the median of --repeats runs (CPU time of this process alongside wall time).

    PYTHONPATH=src /work/main/.venv/bin/python bench/roads_geojson.py [--db PATH] [--repeats 3]

Last stdout line: one JSON object (baseline_s, ours_s = cold build, ratio, identical and the other figures).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import shapely
from fastapi.responses import JSONResponse
from porto import porto_pbf
from sqlalchemy.orm import Session


def old_route_body(session: Session, region_id: int) -> bytes:
    """The route before regions/roadmap.py (sites/api.py get_roads), with FastAPI's JSON rendering."""
    from bastion.regions.repository import RoadRepo

    seen: set[tuple[int, int, int]] = set()
    feats = []
    for e in RoadRepo(session).edges(region_id):
        key = (e.way_id, *sorted((e.u_osm_id, e.v_osm_id)))
        if key in seen:
            continue
        seen.add(key)  # type: ignore[arg-type]
        g = shapely.from_wkb(e.geometry_wkb)
        feats.append({"type": "Feature", "geometry": {"type": "LineString",
                      "coordinates": [[round(x, 6), round(y, 6)] for x, y in g.coords]},
                      "properties": {"highway": e.highway, "speed_kph": e.speed_kph}})
    out: dict[str, Any] = {"type": "FeatureCollection", "features": feats}
    return bytes(JSONResponse(out).body)


def timed(fn: Any, repeats: int) -> tuple[float, float, Any]:
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, help="an existing SQLite database with a region named Porto")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from bastion.access import service as accounts
    from bastion.imports.service import import_osm
    from bastion.kernel.db.engine import make_engine
    from bastion.kernel.db.engine import make_session_factory
    from bastion.kernel.settings import Settings
    from bastion.platform import migrate
    from bastion.platform.app import create_app
    from bastion.regions import graphs
    from bastion.regions import roadmap
    from bastion.regions.repository import RegionRepo

    with tempfile.TemporaryDirectory(prefix="bastion-roads-") as tmp:
        folder = Path(tmp)
        db = args.db or folder / "bastion.db"
        settings = Settings(data_dir=folder, database_url=f"sqlite:///{db}", secret_key="x" * 48,
                            routing_cache_dir=folder / "cache", job_workers=0)
        eng = make_engine(settings.resolved_database_url())
        migrate.upgrade(eng)
        sf = make_session_factory(eng)
        with sf() as s:
            region = RegionRepo(s).by_name("Porto")
        if region is None:
            t = time.perf_counter()
            import_osm(sf, porto_pbf(), "Porto")
            print(f"Porto imported in {time.perf_counter() - t:.1f} s", flush=True)
        with sf() as s:
            region = RegionRepo(s).by_name("Porto")
            assert region is not None
            rid = region.id
        actor = accounts.Actor("bench:roads")
        with sf() as s:
            known = {u.login for u in accounts.list_users(s)}
        if "bench" not in known:
            aid = accounts.ensure_agency(sf, "Bench office", "lead_office", actor=actor).id
            accounts.create_user(sf, "bench", "Bench", aid, "correct horse battery staple", actor=actor)
            accounts.grant(sf, "bench", "coordinator", None, actor=actor)
        graphs.configure(settings.routing_cache_dir)
        cache_file = settings.routing_cache_dir / (region.roads_hash or "") / f"roadmap-{roadmap.FORMAT}.geojson.gz"

        with sf() as s:
            base_wall, base_cpu, old = timed(lambda: old_route_body(s, rid), args.repeats)
        print(f"baseline (old route): {base_wall:.3f} s wall, {base_cpu:.3f} s CPU, {len(old):,} bytes", flush=True)

        def cold() -> roadmap.RoadMap:
            roadmap.clear()
            cache_file.unlink(missing_ok=True)
            with sf() as s:
                return roadmap.road_map(s, s.get(type(region), rid))

        def from_disk() -> roadmap.RoadMap:
            roadmap.clear()
            with sf() as s:
                return roadmap.road_map(s, s.get(type(region), rid))

        def from_memory() -> roadmap.RoadMap:
            with sf() as s:
                return roadmap.road_map(s, s.get(type(region), rid))

        cold_wall, cold_cpu, rm = timed(cold, args.repeats)
        disk_wall, _, _ = timed(from_disk, args.repeats)
        mem_wall, _, _ = timed(from_memory, args.repeats)
        new = rm.body()
        identical = new == old and json.loads(new) == json.loads(old)
        print(f"ours: cold {cold_wall:.3f} s wall ({cold_cpu:.3f} s CPU), from disk {disk_wall * 1000:.1f} ms, "
              f"from memory {mem_wall * 1000:.2f} ms; {len(rm.gzip_body):,} bytes gzip; identical={identical}",
              flush=True)

        app = create_app(settings)
        with TestClient(app) as client:
            client.post("/api/v1/auth/login", json={"login": "bench", "password": "correct horse battery staple",
                                                    "mode": "cookie"})
            url = f"/api/v1/regions/{rid}/roads"
            roadmap.clear()
            cache_file.unlink(missing_ok=True)
            t = time.perf_counter()
            r = client.get(url)
            http_cold = time.perf_counter() - t
            http_warm, _, r2 = timed(lambda: client.get(url), args.repeats)
            t = time.perf_counter()
            r304 = client.get(url, headers={"If-None-Match": r2.headers["etag"]})
            http_304 = time.perf_counter() - t
            assert r.status_code == 200 and r.headers.get("content-encoding") == "gzip", r.status_code
            assert r304.status_code == 304 and not r304.content
            identical = identical and r.content == old
        print(f"GET {url}: cold {http_cold:.3f} s, warm {http_warm * 1000:.1f} ms, 304 {http_304 * 1000:.1f} ms",
              flush=True)
        eng.dispose()
    print(json.dumps({
        "benchmark": "roads_geojson", "region": "Porto", "road_pieces": len(json.loads(new)["features"]),
        "baseline": "old route: ORM rows, per-piece shapely and dicts, FastAPI JSONResponse",
        "baseline_s": round(base_wall, 3), "baseline_cpu_s": round(base_cpu, 3),
        "ours_s": round(cold_wall, 3), "ours_cpu_s": round(cold_cpu, 3),
        "ratio": round(base_wall / cold_wall, 2),
        "ours_from_disk_s": round(disk_wall, 4), "ours_from_memory_s": round(mem_wall, 5),
        "http_cold_s": round(http_cold, 3), "http_warm_s": round(http_warm, 4), "http_304_s": round(http_304, 4),
        "bytes_json": len(old), "bytes_gzip": len(rm.gzip_body), "identical": identical,
    }))


if __name__ == "__main__":
    main()
