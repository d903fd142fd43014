"""Map layers for response coverage: 1/3/5-minute isochrone rings of units as GeoJSON."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import shapely
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from bastion.algorithms.routing import isochrones
from bastion.algorithms.routing.snap import DEFAULT_MAX_SNAP_M
from bastion.coverage.service import region_units
from bastion.coverage.service import unit_point
from bastion.kernel.errors import InvalidInput
from bastion.kernel.time import check_durations_s
from bastion.regions.graphs import routing_for_region
from bastion.regions.repository import RegionRepo
from bastion.units.enums import ResponseStandard
from bastion.units.service import get_unit

log = logging.getLogger(__name__)


ISOCHRONE_MAX_S = 1800  # isochrones have their own, shorter bound than response standards: 30 minutes
ISOCHRONE_MAX_COUNT = 6  # rings per request


def check_limits(limits_s: Sequence[int]) -> tuple[int, ...]:
    """Isochrone limits: a shorter bound and fewer values than response standards (kernel.time.MAX_DURATION_S)."""
    return check_durations_s(limits_s, field_name="limits", max_s=ISOCHRONE_MAX_S, max_count=ISOCHRONE_MAX_COUNT)


def isochrones_geojson(
    s: Session, region_id: int, *, unit_id: int | None = None, limits_s: Sequence[int] = tuple(ResponseStandard),
) -> dict[str, Any]:
    """One feature per limit: the area reached within it by the unit (or by all the region's units)."""
    t0 = time.perf_counter()
    lims = check_limits(limits_s)
    region = RegionRepo(s).get(region_id)
    if unit_id is not None:
        u = get_unit(s, unit_id)
        if u.region_id != region.id:
            raise InvalidInput(f"unit {unit_id} is not in region {region_id}", field="unit_id")
        units = [unit_point(u)]
    else:
        units = [unit_point(u) for u in region_units(s, region)]
    polys: dict[int, list[Any]] = {lim: [] for lim in lims}
    for prof in sorted({u.speed_profile for u in units}):
        mine = [u for u in units if u.speed_profile == prof]
        r = routing_for_region(s, region, prof)
        sn = r.snapper.snap([u.lon for u in mine], [u.lat for u in mine], max_snap_m=DEFAULT_MAX_SNAP_M)
        nodes = sn.node[sn.node >= 0]
        if len(nodes) == 0:
            continue
        for iso in isochrones(r.graph, r.network, nodes, limits_s=[float(x) for x in lims],
                              projection=r.snapper.projection):
            polys[int(iso.limit_s)].append(iso.polygon)
    feats = []
    for lim in lims:
        geom = shapely.union_all(polys[lim]) if polys[lim] else shapely.Polygon()
        feats.append({"type": "Feature", "geometry": mapping(geom) if not geom.is_empty else None,
                      "properties": {"limit_s": lim, "unit_id": unit_id, "n_units": len(units)}})
    log.info("isochrones region %d unit %s: %d units, limits %s in %.2f s", region_id, unit_id, len(units), lims,
             time.perf_counter() - t0)
    return {"type": "FeatureCollection", "features": feats}
