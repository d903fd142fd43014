"""The road map the page draws (GET /regions/{id}/roads, bastion.regions.roadmap), on Monaco.

Proves: every stored road piece is there once (a two-way piece's reverse edge left out) with its stored geometry
rounded to 6 decimals, its class and speed; the body is gzip-encoded when accepted and plain otherwise, with the
same content; the ETag is stable and a revisit with it gets 304 and no body; the body is kept on disk per road
network (a fresh process reads it from there) and an unreadable file is rebuilt.
"""

from __future__ import annotations

import gzip
import json

import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from bastion.regions import graphs
from bastion.regions import roadmap
from bastion.regions.models import Region
from bastion.regions.models import RoadEdge


def _region(app: FastAPI) -> tuple[int, str]:
    with app.state.session_factory() as s:
        r = s.scalars(select(Region).where(Region.name == "Monaco")).one()
        return r.id, str(r.roads_hash)


def test_every_piece_once_with_its_geometry(app: FastAPI, client: TestClient) -> None:
    rid, _ = _region(app)
    roadmap.clear()
    fc = client.get(f"/api/v1/regions/{rid}/roads").json()
    with app.state.session_factory() as s:
        edges = s.scalars(select(RoadEdge).where(RoadEdge.region_id == rid).order_by(RoadEdge.id)).all()
    pieces: dict[tuple[int, frozenset[int]], RoadEdge] = {}
    for e in edges:
        pieces.setdefault((e.way_id, frozenset((e.u_osm_id, e.v_osm_id))), e)
    two_way = len(edges) - len(pieces)
    assert two_way > 100  # Monaco has many two-way streets: each is drawn once, not twice
    assert len(fc["features"]) == len(pieces)
    for f, e in zip(fc["features"], pieces.values(), strict=True):
        want = [[round(x, 6), round(y, 6)] for x, y in shapely.from_wkb(e.geometry_wkb).coords]
        assert f["geometry"] == {"type": "LineString", "coordinates": want}
        assert f["properties"] == {"highway": e.highway, "speed_kph": e.speed_kph}


def test_gzip_etag_and_not_modified(app: FastAPI, client: TestClient) -> None:
    rid, _ = _region(app)
    url = f"/api/v1/regions/{rid}/roads"
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert zipped.status_code == plain.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert zipped.headers["content-type"] == "application/geo+json"
    assert zipped.json() == plain.json()
    assert int(zipped.headers["content-length"]) < len(plain.content) / 4  # sent compressed
    tag = zipped.headers["etag"]
    assert tag == plain.headers["etag"] and tag.startswith('"roads-')
    assert "no-store" not in zipped.headers["cache-control"]  # the browser may keep it and revalidate
    again = client.get(url, headers={"If-None-Match": f'"other", {tag}'})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.get(url, headers={"If-None-Match": '"roads-stale"'}).status_code == 200


def test_kept_on_disk_per_network(app: FastAPI, client: TestClient) -> None:
    rid, roads_hash = _region(app)
    url = f"/api/v1/regions/{rid}/roads"
    roadmap.clear()
    first = client.get(url).content
    path = graphs.cache_root() / roads_hash / f"roadmap-{roadmap.FORMAT}.geojson.gz"
    assert json.loads(gzip.decompress(path.read_bytes())) == json.loads(first)
    # a fresh process (empty memory) serves the stored file: a marked copy shows it is not rebuilt
    marked = json.loads(first)
    marked["features"] = marked["features"][:3]
    path.write_bytes(gzip.compress(json.dumps(marked).encode()))
    roadmap.clear()
    assert len(client.get(url).json()["features"]) == 3
    # a file that is not gzip is rebuilt
    path.write_bytes(b"torn")
    roadmap.clear()
    assert client.get(url).json() == json.loads(first)
    assert gzip.decompress(path.read_bytes()) == first
    roadmap.clear()
