"""Exits from OSM: ``entrance=*`` nodes on (within ``max_dist_m`` of) a site's outline become the site's exits.

The site importer keeps no entrance nodes, so this is a second, small streaming pass over the same extract
(pyosmium; nodes with the ``entrance`` key only). Width: the node's ``width`` tag in metres when mapped; else
``ASSUMED_WIDTH_M`` = 0.9 m, a single-leaf door (ASSUMPTION, conservative; the label says so). Bundled
extracts: Monaco 77 entrance nodes, Andorra 23, none with a width. Idempotent: a run replaces the region's OSM
exits and never touches exits users entered.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.kernel.geo import LocalProjection
from bastion.preparedness.models import SiteExit
from bastion.regions.repository import RegionRepo
from bastion.sites.models import Site

log = logging.getLogger(__name__)

ASSUMED_WIDTH_M = 0.9
MAX_DIST_M = 3.0
_NUM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m)?\s*$")


@dataclass(frozen=True)
class Entrance:
    node_id: int
    lon: float
    lat: float
    kind: str  # the entrance tag's value
    width_m: float | None


def parse_width(v: str | None) -> float | None:
    """OSM ``width`` in metres ("1.8", "1.8 m"); anything else (feet, ranges) is ignored."""
    m = _NUM.match(v or "")
    if not m:
        return None
    w = float(m.group(1))
    return w if 0.3 < w <= 100 else None


def read_entrances(path: Path) -> list[Entrance]:
    import osmium

    if not path.is_file():
        raise InvalidInput(f"no such OSM file: {path}", field="file")
    out = []
    fp = osmium.FileProcessor(str(path), osmium.osm.NODE).with_filter(osmium.filter.KeyFilter("entrance"))
    for o in fp:
        if isinstance(o, osmium.osm.Node) and o.location.valid():
            out.append(Entrance(o.id, o.location.lon, o.location.lat, str(o.tags.get("entrance") or "yes"),
                                parse_width(o.tags.get("width"))))
    return out


@dataclass(frozen=True)
class OsmExitReport:
    entrances: int
    attached: int
    sites: int
    assumed_width: int


def attach(sf: sessionmaker[Session], region_id: int, entrances: list[Entrance], *,
           max_dist_m: float = MAX_DIST_M) -> OsmExitReport:
    """Replace the region's OSM exits: each entrance within ``max_dist_m`` of a site's outline (polygons only)."""
    with unit_of_work(sf) as s:
        RegionRepo(s).get(region_id)
        sites = [x for x in s.scalars(select(Site).where(Site.region_id == region_id,
                                                         Site.missing_from_source.is_(False)))
                 if x.geom_type in ("Polygon", "MultiPolygon")]
        ids = [x.id for x in sites]
        if ids:
            s.execute(delete(SiteExit).where(SiteExit.site_id.in_(ids), SiteExit.source == "osm"))
        if not sites or not entrances:
            return OsmExitReport(len(entrances), 0, 0, 0)
        proj = LocalProjection.around([x.lon for x in sites], [x.lat for x in sites])
        outlines = []
        for x in sites:
            g = shapely.from_wkb(x.geometry_wkb)
            outlines.append(shapely.transform(g.boundary, lambda c, p=proj: np.column_stack(p.to_xy(c[:, 0], c[:, 1]))))
        tree = shapely.STRtree(outlines)
        ex, ey = proj.to_xy([e.lon for e in entrances], [e.lat for e in entrances])
        pts = shapely.points(ex, ey)
        near, dist = tree.query_nearest(pts, max_distance=max_dist_m, return_distance=True, all_matches=False)
        attached: set[int] = set()
        n = assumed = 0
        for (i, j), _d in zip(near.T.tolist(), dist.tolist(), strict=True):
            e, site = entrances[i], sites[j]
            w = e.width_m if e.width_m is not None else ASSUMED_WIDTH_M
            assumed += e.width_m is None
            label = (f"OSM node/{e.node_id} entrance={e.kind}"
                     + ("" if e.width_m is not None else f" (width not mapped: {ASSUMED_WIDTH_M} m assumed)"))
            s.add(SiteExit(site_id=site.id, label=label[:100], lon=e.lon, lat=e.lat, width_m=w, source="osm"))
            attached.add(site.id)
            n += 1
        s.flush()
        log.info("region %d: %d entrances, %d attached to %d sites", region_id, len(entrances), n, len(attached))
        return OsmExitReport(len(entrances), n, len(attached), assumed)
