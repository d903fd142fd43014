"""Cordons: stand-off rings around an incident, what lies inside each ring, and the road closure they impose.

Explosive threats use the NCTC "Bomb Threat Stand-Off Distances" chart (US National Counterterrorism Center,
2014 NCTC Counterterrorism Calendar edition, nctc.gov/site/technical/bomb_threat.html, archived 2013-02-17;
metric values as printed): the mandatory evacuation distance (inner ring: everyone evacuates, inside buildings
and out) and the preferred evacuation distance (outer ring: people outdoors evacuate, people in buildings
shelter away from windows). Other incident types use configurable defaults (CORDON_DEFAULTS_M, assumptions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.kernel.errors import InvalidInput
from bastion.kernel.geo import LocalProjection

NCTC_EDITION = ("NCTC Bomb Threat Stand-Off Distances chart, 2014 NCTC Counterterrorism Calendar "
                "(nctc.gov/site/technical/bomb_threat.html)")

# device -> (explosives capacity kg TNT, mandatory evacuation m, preferred evacuation m), as printed on the chart
NCTC_STANDOFF: Mapping[str, tuple[float, int, int]] = MappingProxyType({
    "pipe_bomb": (2.3, 21, 366),
    "suicide_vest": (9.2, 34, 518),
    "briefcase": (23.0, 46, 564),
    "sedan": (227.0, 98, 580),
    "suv_van": (454.0, 122, 732),
    "small_delivery_truck": (1814.0, 195, 1159),
    "container_water_truck": (4536.0, 263, 1555),
    "semi_trailer": (27216.0, 479, 2835),
})

# incident type -> (inner m, outer m) for non-explosive incidents and for explosive ones without a device given.
# ASSUMPTIONS (editable): a suspicious item is treated as a briefcase bomb until assessed, as UK and US bomb-threat
# guidance advises; other types keep a working cordon sized for crowd control.
CORDON_DEFAULTS_M: Mapping[str, tuple[int, int]] = MappingProxyType({
    "suspicious_item": (46, 564), "placed_ied": (46, 564), "person_borne_ied": (34, 518),
    "vehicle_borne_ied": (98, 580), "vehicle_as_weapon": (50, 200), "marauding_blades": (100, 400),
    "marauding_firearms": (200, 800), "arson": (50, 200), "cbrn": (100, 1000), "hostage": (100, 300),
    "drone": (100, 500),
})
TYPE_DEVICE: Mapping[str, str] = MappingProxyType({
    "suspicious_item": "briefcase", "placed_ied": "briefcase", "person_borne_ied": "suicide_vest",
    "vehicle_borne_ied": "sedan",
})


@dataclass(frozen=True)
class Ring:
    name: str  # inner | outer
    radius_m: float


def rings_for(incident_type: str, device: str | None = None,
              overrides: Mapping[str, tuple[int, int]] | None = None) -> tuple[tuple[Ring, Ring], str]:
    """(inner, outer) rings and their source: the NCTC chart for a named device (or the device implied by an IED
    type), else the configurable default for the type."""
    if device is not None:
        if device not in NCTC_STANDOFF:
            raise InvalidInput(f"device {device!r} is not on the NCTC chart; use one of {', '.join(NCTC_STANDOFF)}",
                               field="device")
        _, inner, outer = NCTC_STANDOFF[device]
        return (Ring("inner", inner), Ring("outer", outer)), f"{NCTC_EDITION}: {device}"
    table = {**CORDON_DEFAULTS_M, **(overrides or {})}
    if incident_type not in table:
        raise InvalidInput(f"no default cordon for incident type {incident_type!r}", field="incident_type")
    inner, outer = table[incident_type]
    return (Ring("inner", inner), Ring("outer", outer)), "configured default (assumption)"


def check_rings(inner_m: float, outer_m: float) -> None:
    if not (0 < inner_m <= outer_m <= 20_000):
        msg = f"rings must satisfy 0 < inner_m <= outer_m <= 20000 m, got inner {inner_m}, outer {outer_m}"
        raise InvalidInput(msg, field="inner_m")


def distances_m(lon0: float, lat0: float, lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
    """Ground distance (m) of points from the centre, in the local projection around the centre."""
    proj = LocalProjection(lon0, lat0)
    x, y = proj.to_xy(lon, lat)
    x0, y0 = proj.to_xy([lon0], [lat0])
    return np.asarray(np.hypot(x - x0[0], y - y0[0]), dtype=np.float64)


def ring_of(dist_m: FloatArray, inner_m: float, outer_m: float) -> IntArray:
    """0 inside the inner ring, 1 between the rings, -1 outside the outer ring."""
    out = np.full(len(dist_m), -1, dtype=np.int64)
    out[dist_m <= outer_m] = 1
    out[dist_m <= inner_m] = 0
    return out


def close_nodes(csr: csr_array, closed: BoolArray) -> csr_array:
    """The graph with every edge into or out of a closed node removed (roads inside the inner cordon)."""
    coo = csr.tocoo()
    keep = ~(closed[coo.row] | closed[coo.col])
    n = csr.shape[0]
    row, col, data = coo.row[keep], coo.col[keep], coo.data[keep]
    order = np.lexsort((col, row))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, row[order] + 1, 1)
    return csr_array((data[order], col[order].astype(np.int32), np.cumsum(indptr).astype(np.int32)), shape=(n, n))


def access_points(csr: csr_array, closed: BoolArray) -> IntArray:
    """Open nodes with a road into the closed area: where responders stop at the inner cordon."""
    coo = csr.tocoo()
    into = ~closed[coo.row] & closed[coo.col]
    return np.unique(coo.row[into]).astype(np.int64)
