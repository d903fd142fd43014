"""The sites list's bbox filter on both backends: PostgreSQL finds candidates through the GiST index of the PostGIS
footprint, SQLite reads the bbox columns; the API gives the same sites on both, equal to the portable rule (a site is
in when its bounding box meets the window, edges included), also for windows whose edges touch a site's box exactly.
On PostgreSQL the query the API runs is planned on the GiST index."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.sites.models import Site
from bastion.sites.repository import FOOTPRINT_GIST
from bastion.sites.repository import SiteFilter
from bastion.sites.repository import SiteRepo
from tests.conftest import PG_URL

Box = tuple[float, float, float, float]


def _boxes(sf: sessionmaker[Session]) -> dict[int, Box]:
    with sf() as s:
        return {r.id: (r.min_lon, r.min_lat, r.max_lon, r.max_lat) for r in s.execute(
            select(Site.id, Site.min_lon, Site.min_lat, Site.max_lon, Site.max_lat)
            .where(Site.missing_from_source.is_(False)))}


def _rule(boxes: dict[int, Box], w: Box) -> set[int]:
    return {i for i, (x1, y1, x2, y2) in boxes.items() if x2 >= w[0] and x1 <= w[2] and y2 >= w[1] and y1 <= w[3]}


def _windows(boxes: dict[int, Box]) -> list[Box]:
    rng = np.random.default_rng(13)
    out: list[Box] = [(7.410, 43.724, 7.420, 43.730), (-180.0, -90.0, 180.0, 90.0), (0.0, 0.0, 1.0, 1.0)]
    for _ in range(30):  # random windows over Monaco, 50 m to 2 km wide
        x, y = float(rng.uniform(7.40, 7.44)), float(rng.uniform(43.72, 43.755))
        w, h = (float(v) for v in rng.uniform(0.0005, 0.02, 2))
        out.append((round(x, 6), round(y, 6), round(x + w, 6), round(y + h, 6)))
    for i in sorted(boxes)[::15]:  # windows that only touch a site's box at an edge or a corner
        x1, y1, x2, y2 = boxes[i]
        out += [(x2, y2, x2 + 0.001, y2 + 0.001), (x1 - 0.001, y1 - 0.001, x1, y1), (x1, y1, x1, y1)]
    return out


def test_api_bbox_filter_equals_the_portable_rule(client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    boxes = _boxes(monaco_sf)
    seen_nonempty = 0
    for w in _windows(boxes):
        r = client.get("/api/v1/sites", params={"bbox": ",".join(repr(v) for v in w), "limit": 5000})
        assert r.status_code == 200, r.text
        got = {int(i["id"]) for i in r.json()["items"]}
        assert got == _rule(boxes, w), w
        assert r.json()["total"] == len(got)
        seen_nonempty += bool(got)
    assert seen_nonempty >= 20  # the windows do find sites
    # hand-checked: Fontvieille around Stade Louis-II (the same count on both backends)
    fontvieille = client.get("/api/v1/sites", params={"bbox": "7.410,43.724,7.420,43.730", "limit": 5000}).json()
    assert fontvieille["total"] == len(_rule(boxes, (7.410, 43.724, 7.420, 43.730))) > 5


def _plan(s: Session, sql: str) -> str:
    s.execute(text("SET LOCAL enable_seqscan = off"))  # 153 sites: the planner would scan; ask whether it can seek
    return "\n".join(r[0] for r in s.execute(text("EXPLAIN " + sql)))


@pytest.mark.skipif(not PG_URL, reason="GiST indexes exist on PostgreSQL only: needs BASTION_TEST_PG_URL")
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite reads the bbox columns: no plan to check
def test_postgresql_plans_the_api_bbox_query_on_the_gist_index(monaco_sf: sessionmaker[Session],
                                                               engine: Engine) -> None:
    assert engine.dialect.name == "postgresql"
    with monaco_sf() as s:
        q = SiteRepo(s)._filtered(SiteFilter(bbox=(7.410, 43.724, 7.420, 43.730)))
        sql = str(q.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
        plan = _plan(s, sql)
        assert FOOTPRINT_GIST in plan, plan
        s.rollback()
        # the check can fail: the same filter on the bbox columns alone is not served by the GiST index
        columns_only = ("SELECT id FROM sites WHERE max_lon >= 7.41 AND min_lon <= 7.42 AND max_lat >= 43.724 "
                        "AND min_lat <= 43.73")
        assert FOOTPRINT_GIST not in _plan(s, columns_only)
        s.rollback()
